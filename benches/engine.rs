//! Engine benchmarks: bare event-queue throughput, the quickstart scenario, and a large synthetic run.

use clustersim::engine::EventQueue;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

mod common;

/// Hold-model churn: keep `pending` events queued; each pop schedules one new event a pseudo-random delay later.
fn bare_engine(c: &mut Criterion) {
    let mut g = c.benchmark_group("engine");
    const EVENTS: u64 = 1_000_000;
    g.throughput(Throughput::Elements(EVENTS));
    for pending in [1_000u64, 100_000] {
        g.bench_with_input(BenchmarkId::new("hold", pending), &pending, |b, &pending| {
            b.iter(|| {
                let mut q: EventQueue<u32> = EventQueue::with_capacity(pending as usize + 1);
                let mut x: u64 = 0x9e37_79b9;
                for i in 0..pending {
                    x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    q.push(x >> 44, i as u32);
                }
                let mut handled = 0u64;
                while let Some((t, e)) = q.pop() {
                    handled += 1;
                    if handled >= EVENTS {
                        break;
                    }
                    x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    q.push(t + (x >> 44), e);
                }
                black_box(handled)
            })
        });
    }
    g.finish();
}

fn run_scenario(text: &str) -> u64 {
    common::run_text(text).metrics.events
}

fn quickstart(c: &mut Criterion) {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/quickstart.toml")).unwrap();
    let mut g = c.benchmark_group("scenario");
    g.throughput(Throughput::Elements(3000));
    g.bench_function("quickstart_3000_jobs", |b| b.iter(|| black_box(run_scenario(&text))));
    g.finish();
}

fn large(c: &mut Criterion) {
    let mut g = c.benchmark_group("scenario");
    g.sample_size(10);
    g.throughput(Throughput::Elements(1_000_000));
    g.bench_function("synthetic_1M_jobs_10k_nodes", |b| {
        // 1,000,000 single-task jobs on 10,000 nodes at ~80% offered load.
        let large = common::synthetic("large", 10_000, 1, 1_000_000, 0.1);
        b.iter(|| black_box(run_scenario(&large)))
    });
    g.finish();
}

criterion_group!(benches, bare_engine, quickstart, large);
criterion_main!(benches);
