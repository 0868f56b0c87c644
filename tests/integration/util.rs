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

/// The end of a random fault scenario, after the `[faults]` keys: checkpointing (`(interval, cost)`),
/// `tables` (e.g. `[[faults.pools]]`), a failure process for every rack (`rack_mtbf` seconds, 20 s to
/// repair), uniform latency up to `lat`, network `parts` and scheduler `crashes` (quoted lists), and a
/// scheduler failure process (`(mtbf seconds, mttr)`).
pub fn fault_tail(
    ckpt: Option<(&str, &str)>,
    tables: &str,
    rack_mtbf: Option<u64>,
    lat: u64,
    parts: &str,
    crashes: &str,
    sched: Option<(u64, &str)>,
) -> String {
    let mut text = String::new();
    if let Some((interval, cost)) = ckpt {
        text += &format!("checkpoint_interval = \"{interval}\"\ncheckpoint_cost = \"{cost}\"\n");
    }
    text += tables;
    if let Some(m) = rack_mtbf {
        text += &format!("[[faults.racks]]\nrack = \"*\"\nmtbf = \"{m}s\"\nmttr = \"20s\"\n");
    }
    text += &format!("[network]\nlatency = {{ dist = \"uniform\", min = 0, max = {lat} }}\npartitions = [ {parts} ]\n");
    text += &format!("[scheduler]\ncrashes = [ {crashes} ]\nretry_timeout = \"7s\"\n");
    if let Some((m, mttr)) = sched {
        text += &format!("mtbf = \"{m}s\"\nmttr = \"{mttr}\"\n");
    }
    text
}

/// The `[faults]` table of a random fault scenario: 5 s heartbeats, 15 s timeout, 2 s RPC timeout and
/// the scripted `outages` (a quoted list); more `[faults]` keys may follow.
pub fn faults_head(outages: &str) -> String {
    format!(
        "[faults]\nheartbeat_interval = \"5s\"\nheartbeat_timeout = \"15s\"\nrpc_timeout = \"2s\"\noutages = [ {outages} ]\n"
    )
}
