//! Helpers shared by the benchmarks: the standard synthetic load and running a scenario text.

use clustersim::runner::{self, RunOptions, RunResult};
use clustersim::scenario::Scenario;
use std::sync::Arc;

/// `jobs` single-task jobs (1–16 cores, exponential 1 h run times) arriving every `interarrival` seconds
/// on average, on `nodes` 32-core nodes in `racks` racks, scheduled FIFO + round robin.
#[allow(dead_code)] // not every bench uses every helper
pub fn synthetic(name: &str, nodes: u32, racks: u32, jobs: u64, interarrival: f64) -> String {
    format!(
        r#"
name = "{name}"
seed = 1
[[cluster.pools]]
name = "p"
count = {nodes}
cpu = 32
memory = "128GiB"
racks = {racks}
[workload]
type = "synthetic"
jobs = {jobs}
interarrival = {{ dist = "exponential", mean = {interarrival:?} }}
runtime = {{ dist = "exponential", mean = "1h" }}
cpu = {{ dist = "uniform", min = 1, max = 16 }}
memory = {{ dist = "uniform", min = 512, max = 16384 }}
[policy]
queue = "fifo"
selection = "round_robin"
[metrics]
sample_interval = "1h"
"#
    )
}

/// Parses `text`, builds its workload with the scenario seed and simulates it.
pub fn run_text(text: &str) -> RunResult {
    let sc = Scenario::parse(text).unwrap();
    let w = Arc::new(sc.build_workload(sc.seed).unwrap());
    runner::simulate(&sc, "bench", sc.seed, w, &RunOptions::default()).unwrap()
}
