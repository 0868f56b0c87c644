//! The `validate` command: one verdict per scenario file (schema, policies, every sweep configuration, and
//! the workload files read with the reader a run uses), without simulating; exit 2 if any file fails.

use crate::error::{Error, Result};
use crate::runner::LoadedScenario;
use crate::scenario::{Scenario, WorkloadSpec};
use crate::sweep::Study;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Checks every file, printing `PATH: ok` on stdout or `error: ...` on stderr for each; never stops early.
pub fn execute(paths: &[PathBuf]) -> ExitCode {
    let mut failed = 0;
    for path in paths {
        let verdict = validate_one(path).and_then(|line| super::print(&format!("{line}\n")));
        if let Err(e) = verdict {
            failed += 1;
            eprintln!("error: {}", crate::error::cap_message(&e.to_string()));
        }
    }
    if failed == 0 {
        return ExitCode::SUCCESS;
    }
    if paths.len() > 1 {
        eprintln!("error: {failed} of {} scenario files are invalid", paths.len());
    }
    ExitCode::from(2)
}

/// The verdict line of one file, or what is wrong with it.
fn validate_one(path: &Path) -> Result<String> {
    let loaded = LoadedScenario::load(path)?;
    if loaded.scenario.sweep.is_none() {
        let skipped = read_workload(path, &loaded.scenario)?;
        return Ok(format!("{}: ok{}", path.display(), with_skips(&skipped)));
    }
    let line = super::sweep::validate(path)?;
    // Every distinct workload of the configurations (a sweep may override the trace or its filters).
    let study = Study::load(path, None)?;
    let mut seen: Vec<String> = Vec::new();
    let mut skipped: Vec<String> = Vec::new();
    for c in 0..study.ids.configurations {
        let sc = study.scenario(c).map_err(Error::Other)?.scenario;
        let key = format!("{:?} {:?}", sc.workload, sc.build_cluster().total_capacity);
        if !seen.contains(&key) {
            skipped.extend(read_workload(path, &sc)?.filter(|s| !skipped.contains(s)));
            seen.push(key);
        }
    }
    Ok(format!("{line}{}", with_skips(&skipped)))
}

/// ` (input lines skipped ...)` after a verdict, one per distinct workload; nothing when none were.
fn with_skips<'a>(skipped: impl IntoIterator<Item = &'a String>) -> String {
    skipped.into_iter().map(|s| format!(" ({s})")).collect()
}

/// Reads a workload that comes from files or a job list exactly as a run does (a broken trace line is
/// reported as FILE:LINE); synthetic workloads are left to the run (their parameters are already checked).
/// Returns the `input lines skipped ...` text of what the reading left out, if anything.
fn read_workload(path: &Path, sc: &Scenario) -> Result<Option<String>> {
    if matches!(sc.workload, WorkloadSpec::Synthetic(_)) {
        return Ok(None);
    }
    sc.read_workload(path, sc.seed).map(|w| crate::runner::skipped_line(&w.skipped))
}
