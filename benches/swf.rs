//! SWF reader benchmark on the HPC2N trace (202,876 jobs, gzip): the full reader against the floor of
//! just decompressing and splitting the text (lines; lines and whitespace fields).

use clustersim::workloads::lines::open_trace;
use clustersim::workloads::swf::{SwfOptions, read_swf};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn hpc2n() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/workloads/HPC2N-2002-2.1-cln.swf.gz")
}

/// Decompresses and splits into lines, counting them: the floor of any streamed reader.
fn gunzip_split_lines(path: &Path) -> u64 {
    let mut r = open_trace(path).unwrap();
    let mut buf = Vec::with_capacity(256);
    let mut lines = 0;
    while r.read_until(b'\n', &mut buf).unwrap() > 0 {
        lines += 1;
        buf.clear();
    }
    lines
}

/// Also splits every line into whitespace-separated fields.
fn gunzip_split_fields(path: &Path) -> u64 {
    let mut r = open_trace(path).unwrap();
    let mut buf = Vec::with_capacity(256);
    let mut fields = 0;
    while r.read_until(b'\n', &mut buf).unwrap() > 0 {
        fields += buf.split(|c| c.is_ascii_whitespace()).filter(|t| !t.is_empty()).count() as u64;
        buf.clear();
    }
    fields
}

fn swf(c: &mut Criterion) {
    let path = hpc2n();
    if !path.exists() {
        eprintln!("skipping the SWF bench: {} is not there", path.display());
        return;
    }
    // Interleaved best-of-15 wall times: on a shared machine the minimum of alternating runs is the
    // fairest ratio between the reader and the decompress-and-split floor.
    let (mut floor, mut reader) = (f64::MAX, f64::MAX);
    for _ in 0..15 {
        let t = Instant::now();
        black_box(gunzip_split_lines(&path));
        floor = floor.min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        black_box(read_swf(&path, &SwfOptions::default()).unwrap().0.jobs.len());
        reader = reader.min(t.elapsed().as_secs_f64());
    }
    eprintln!(
        "swf_hpc2n best of 15: gunzip+split lines {:.1} ms, read_swf {:.1} ms, ratio {:.2}",
        floor * 1e3,
        reader * 1e3,
        reader / floor
    );
    let mut g = c.benchmark_group("swf_hpc2n");
    g.sample_size(10);
    g.throughput(Throughput::Elements(202_876));
    g.bench_function("gunzip_split_lines", |b| b.iter(|| black_box(gunzip_split_lines(&path))));
    g.bench_function("gunzip_split_fields", |b| b.iter(|| black_box(gunzip_split_fields(&path))));
    g.bench_function("read_swf_convention_p", |b| {
        b.iter(|| black_box(read_swf(&path, &SwfOptions::default()).unwrap().0.jobs.len()))
    });
    g.finish();
}

criterion_group!(benches, swf);
criterion_main!(benches);
