//! Fault-model benchmark: 100,000 jobs on 1,000 nodes, without and with node and rack failures,
//! checkpointing and network latency on every message (the issue's budget: at most 2× the plain run).

use clustersim::runner::{self, RunOptions};
use clustersim::scenario::Scenario;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::sync::Arc;

/// 100,000 single-task jobs on 1,000 nodes at ~80% offered load.
pub const PLAIN: &str = r#"
name = "faults-bench"
seed = 1
[[cluster.pools]]
name = "p"
count = 1000
cpu = 32
memory = "128GiB"
racks = 20
[workload]
type = "synthetic"
jobs = 100000
interarrival = { dist = "exponential", mean = 1.2 }
runtime = { dist = "exponential", mean = "1h" }
cpu = { dist = "uniform", min = 1, max = 16 }
memory = { dist = "uniform", min = 512, max = 16384 }
[policy]
queue = "fifo"
selection = "round_robin"
[metrics]
sample_interval = "1h"
"#;

/// The same with failures (node MTBF 2 days, rack MTBF 10 days), checkpoints and latency.
pub const FAULTS: &str = r#"
[faults]
checkpoint_interval = "30m"
checkpoint_cost = "30s"
[[faults.pools]]
pool = "*"
mtbf = "2d"
mttr = "1h"
[[faults.racks]]
rack = "*"
mtbf = "10d"
mttr = "30m"
[network]
latency = { dist = "lognormal", mean = "2ms", cv = 0.5 }
"#;

fn run(text: &str) -> u64 {
    let sc = Scenario::parse(text).unwrap();
    let w = Arc::new(sc.build_workload(sc.seed).unwrap());
    runner::simulate(&sc, "bench", sc.seed, w, &RunOptions::default()).unwrap().metrics.events
}

fn faults(c: &mut Criterion) {
    let with = format!("{PLAIN}{FAULTS}");
    let mut g = c.benchmark_group("faults");
    g.sample_size(10);
    g.throughput(Throughput::Elements(100_000));
    g.bench_function("plain_100k_jobs", |b| b.iter(|| black_box(run(PLAIN))));
    g.bench_function("failures_latency_100k_jobs", |b| b.iter(|| black_box(run(&with))));
    g.finish();
}

criterion_group!(benches, faults);
criterion_main!(benches);
