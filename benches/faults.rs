//! Fault-model benchmark: 100,000 jobs on 1,000 nodes, without and with node and rack failures,
//! checkpointing and network latency on every message (the issue's budget: at most 2× the plain run).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

mod common;

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
    common::run_text(text).metrics.events
}

fn faults(c: &mut Criterion) {
    // 100,000 single-task jobs on 1,000 nodes at ~80% offered load.
    let plain = common::synthetic("faults-bench", 1000, 20, 100_000, 1.2);
    let with = format!("{plain}{FAULTS}");
    let mut g = c.benchmark_group("faults");
    g.sample_size(10);
    g.throughput(Throughput::Elements(100_000));
    g.bench_function("plain_100k_jobs", |b| b.iter(|| black_box(run(&plain))));
    g.bench_function("failures_latency_100k_jobs", |b| b.iter(|| black_box(run(&with))));
    g.finish();
}

criterion_group!(benches, faults);
criterion_main!(benches);
