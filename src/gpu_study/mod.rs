//! GPU-sharing studies (`[gpu_sharing]`, docs/gpu-sharing.md): every (trace, policy, repeat) placed
//! in parallel, then `summary.csv` (one row per run), `comparison.csv` (per trace and policy, over
//! the repeats) and `timeline.csv` (every percent of arrived demand); the charts are the report's.

pub mod inputs;
pub mod run;
mod write;

use crate::error::Result;
use crate::policies::gpu::{GpuPolicyEnv, resolve};
use crate::scenario::gpu_sharing::GpuSharingScenario;
use rayon::prelude::*;
use std::path::Path;

pub use inputs::Inputs;
pub use run::{RunOutcome, Sample};
pub use write::{groups, summary_table};

/// One finished run.
pub struct StudyRun {
    pub trace: usize,
    pub policy: String,
    pub repeat: u32,
    pub seed: u64,
    pub outcome: RunOutcome,
}

/// A whole study: its inputs and runs in (trace, policy, repeat) order.
pub struct Study {
    pub scenario: GpuSharingScenario,
    pub inputs: Inputs,
    pub runs: Vec<StudyRun>,
}

/// Reads the inputs and runs every (trace, policy, repeat); the result does not depend on the
/// number of threads.
pub fn run(sc: &GpuSharingScenario) -> Result<Study> {
    let g = &sc.gpu_sharing;
    let inputs = inputs::read(&g.nodes, &g.traces, g.typical)?;
    let capacity = inputs.gpu_capacity();
    let mut plan = Vec::new();
    for trace in 0..inputs.traces.len() {
        for policy in &g.policies {
            for repeat in 0..g.repeats {
                plan.push((trace, policy.clone(), repeat, sc.seed + repeat as u64));
            }
        }
    }
    let runs = plan
        .into_par_iter()
        .map(|(trace, policy, repeat, seed)| {
            let t = &inputs.traces[trace];
            let tasks = run::arrivals(t, capacity, g.inflation, g.keep_order, seed);
            let env = GpuPolicyEnv { mix: t.mix.clone(), seed };
            let mut p = resolve("gpu_sharing.policies", &policy, &env)?;
            let outcome = run::place_all(&inputs, t, &tasks, p.as_mut(), seed);
            Ok(StudyRun { trace, policy, repeat, seed, outcome })
        })
        .collect::<std::result::Result<Vec<_>, crate::error::ScenarioError>>()
        .map_err(|e| crate::error::Error::Other(e.to_string()))?;
    Ok(Study { scenario: sc.clone(), inputs, runs })
}

/// Writes the CSV files of `study` into `dir` (a staging folder); `manifest.json`, written last,
/// marks them complete, so charts go in before it ([`write_manifest`]).
pub fn write(dir: &Path, study: &Study) -> Result<()> {
    write::summary(&dir.join("summary.csv"), study)?;
    write::comparison(&dir.join("comparison.csv"), study)?;
    write::timeline(&dir.join("timeline.csv"), study)
}

/// Writes `manifest.json`, the file that marks a complete study.
pub fn write_manifest(dir: &Path, study: &Study) -> Result<()> {
    write::manifest(&dir.join("manifest.json"), study)
}

/// The terminal table: per trace, each policy's mean allocated share and unallocated GPUs at the end.
pub fn table(study: &Study) -> String {
    write::table(study)
}
