//! Shared helpers for the integration tests: paths into `../shared`, running scenarios from TOML text.

#![allow(dead_code)]

use clustersim::runner::{self, RunOptions, RunResult};
use clustersim::scenario::Scenario;
use std::path::PathBuf;

/// The `clustersim` binary of this build, as a command to run.
pub fn clustersim() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("clustersim").unwrap()
}
use std::sync::Arc;

/// A path inside the `shared/` folder that sits beside the checkout.
pub fn shared(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join("shared").join(rel)
}

/// A path inside this repository.
pub fn repo(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// Parses, validates and runs a scenario given as TOML text, with its own seed.
pub fn run_toml(text: &str) -> RunResult {
    run_toml_with(text, &RunOptions::default())
}

pub fn run_toml_with(text: &str, opts: &RunOptions) -> RunResult {
    let sc = Scenario::parse(text).unwrap_or_else(|e| panic!("scenario does not parse: {e}"));
    sc.validate().unwrap_or_else(|e| panic!("scenario is invalid: {e}"));
    let workload = Arc::new(sc.build_workload(sc.seed).expect("workload"));
    runner::simulate(&sc, "test", sc.seed, workload, opts).expect("simulation")
}

/// (first start, end) of every job in seconds, in workload order.
pub fn starts_and_ends(r: &RunResult) -> Vec<(f64, f64)> {
    r.output
        .records
        .iter()
        .map(|rec| (rec.first_start.unwrap_or(0) as f64 / 1e6, rec.end.unwrap_or(0) as f64 / 1e6))
        .collect()
}
