//! Report benchmarks: the charts and page of a 200,000-job run against the simulation of that run.

use clustersim::report;
use clustersim::runner;
use clustersim::scenario::Scenario;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

mod common;

/// The quickstart cluster ×4 and 200,000 jobs arriving 4× as fast; one timeline sample a minute
/// (about 17,000 samples, so the timelines are summarized).
const RUN_200K: &str = r#"
name = "bench-200k"
seed = 42
[[cluster.pools]]
name = "cpu"
count = 192
cpu = 32
memory = "128GiB"
racks = 4
[[cluster.pools]]
name = "highmem"
count = 32
cpu = 64
memory = "512GiB"
[[cluster.pools]]
name = "gpu"
count = 32
cpu = 32
memory = "256GiB"
gpu = 4
labels = ["gpu"]
[workload]
type = "synthetic"
jobs = 200000
interarrival = { dist = "exponential", mean = "5s" }
runtime = { dist = "lognormal", mean = "30m", cv = 1.5 }
estimate_factor = { dist = "uniform", min = 1.0, max = 3.0 }
tasks = { dist = "uniform", min = 1, max = 4 }
cpu = { dist = "uniform", min = 1, max = 16 }
memory = { dist = "uniform", min = 1024, max = 32768 }
gpu = { dist = "uniform", min = 1, max = 2 }
gpu_fraction = 0.05
users = 8
tiers = [
  { name = "batch", share = 0.8, weight = 1.0 },
  { name = "prod", share = 0.2, weight = 3.0 },
]
[metrics]
sample_interval = "1m"
"#;

fn simulate() -> clustersim::runner::RunResult {
    common::run_text(RUN_200K)
}

fn report_200k(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let sc = Scenario::parse(RUN_200K).unwrap();
    runner::write_run(dir.path(), &simulate(), &sc).unwrap();
    let mut g = c.benchmark_group("report");
    g.sample_size(10);
    g.bench_function("simulate_200k_jobs", |b| b.iter(|| black_box(simulate().metrics.events)));
    g.bench_function("charts_and_page_200k_jobs", |b| {
        b.iter(|| black_box(report::generate(dir.path()).unwrap().charts.len()))
    });
    g.finish();
}

criterion_group!(benches, report_200k);
criterion_main!(benches);
