//! Queue-discipline benchmarks: every discipline on the full HPC2N trace (202,876 jobs, 240 processors), simulation only.

use clustersim::engine::Simulation;
use clustersim::engine::ports::Policies;
use clustersim::engine::sim::SimOptions;
use clustersim::model::{Cluster, Resources, Workload};
use clustersim::policies::{PolicySet, PolicySpec};
use clustersim::workloads::swf::{SwfOptions, read_swf};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::PathBuf;
use std::sync::Arc;

/// The HPC2N trace under convention P, read once (`../shared` beside the checkout).
fn hpc2n() -> Arc<Workload> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/workloads/HPC2N-2002-2.1-cln.swf.gz");
    Arc::new(read_swf(&path, &SwfOptions::default()).expect("HPC2N trace").0)
}

/// One simulation of `workload` on one 240-processor node under queue discipline `queue`.
fn simulate(workload: &Arc<Workload>, queue: &str) -> u64 {
    let cluster = Cluster::uniform("hpc2n", 1, Resources::cpus(240));
    let set = PolicySet { queue: PolicySpec::named(queue), ..Default::default() };
    let policies = Policies::build(&set, 1, &cluster, &[], &[]).unwrap();
    let out = Simulation::new(Arc::clone(workload), cluster, policies, SimOptions::default()).run();
    out.events_processed
}

fn hpc2n_disciplines(c: &mut Criterion) {
    let workload = hpc2n();
    let mut g = c.benchmark_group("hpc2n");
    g.sample_size(10);
    g.throughput(Throughput::Elements(workload.jobs.len() as u64));
    for queue in
        ["fifo", "easy_backfill", "conservative_backfill", "srtf", "fair_share", "proportional", "priority_aging"]
    {
        g.bench_function(queue, |b| b.iter(|| black_box(simulate(&workload, queue))));
    }
    g.finish();
}

criterion_group!(benches, hpc2n_disciplines);
criterion_main!(benches);
