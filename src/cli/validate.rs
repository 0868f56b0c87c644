//! The `validate` command: one verdict per scenario file (schema, policies, every sweep configuration, and
//! the workload files read with the reader a run uses), without simulating; exit 2 if any file fails.

use crate::error::{Error, Result};
use crate::model::Workload;
use crate::runner::{self, LoadedScenario};
use crate::scenario::Scenario;
use crate::sweep::Study;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

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

/// The verdict line of one file, or what is wrong with it. Every run the file describes (every
/// configuration of a `[sweep]`) is compiled on the workload it would read, so whatever `run` would
/// reject, `validate` rejects.
fn validate_one(path: &Path) -> Result<String> {
    if super::gpu::is_study(path) {
        return super::gpu::validate(path);
    }
    let loaded = LoadedScenario::load(path)?;
    if loaded.scenario.sweep.is_none() {
        let skipped = compile_run(path, &loaded.scenario, &mut Vec::new())?;
        return Ok(format!("{}: ok{}", path.display(), with_skips(&skipped)));
    }
    let line = super::sweep::validate(path)?;
    let study = Study::load(path, None)?;
    let mut read: Vec<(String, Arc<Workload>)> = Vec::new();
    let mut skipped: Vec<String> = Vec::new();
    for c in 0..study.ids.configurations {
        let sc = study.scenario(c).map_err(Error::Other)?.scenario;
        let skip = compile_run(path, &sc, &mut read)
            .map_err(|e| Error::Other(format!("configuration {c} ({}): {e}", study.config_label(c))))?;
        skipped.extend(skip.filter(|s| !skipped.contains(s)));
    }
    Ok(format!("{line}{}", with_skips(&skipped)))
}

/// ` (input lines skipped ...)` after a verdict, one per distinct workload; nothing when none were.
fn with_skips<'a>(skipped: impl IntoIterator<Item = &'a String>) -> String {
    skipped.into_iter().map(|s| format!(" ({s})")).collect()
}

/// Reads the workload of `sc` exactly as a run does (a broken trace line is reported as FILE:LINE; an
/// empty workload is refused) unless `read` holds it already, and compiles `sc` on it. Returns the
/// `input lines skipped ...` text of what the reading left out, the first time a workload is read.
fn compile_run(path: &Path, sc: &Scenario, read: &mut Vec<(String, Arc<Workload>)>) -> Result<Option<String>> {
    let key = format!("{:?} {:?}", sc.workload, sc.build_cluster().total_capacity);
    if let Some((_, w)) = read.iter().find(|(k, _)| *k == key) {
        runner::compile_on(sc, path, sc.seed, Arc::clone(w))?;
        return Ok(None);
    }
    let w = Arc::new(runner::nonempty(sc.read_workload(path, sc.seed)?, sc, path)?);
    let skipped = runner::skipped_line(&w.skipped);
    let plan = runner::compile_on(sc, path, sc.seed, Arc::clone(&w))?;
    if let Some(line) = never_fits(&plan.cluster, &w) {
        eprintln!("warning: {}: {line}", path.display());
    }
    read.push((key, w));
    Ok(skipped)
}

/// `N of M jobs fit on no node ...` when the workload (as this seed draws it, or as the trace has
/// it) holds jobs that no node of the cluster can ever hold: a run would end them unstarted.
fn never_fits(cluster: &crate::model::Cluster, w: &Workload) -> Option<String> {
    let mut never = w.jobs.iter().filter_map(|j| cluster.never_fits(j).map(|why| (j.id, why)));
    let (id, why) = never.next()?;
    Some(format!(
        "{} of {} jobs can never start on this cluster and a run would end them unstarted (e.g. job {id}: {why}); \
         check the workload's size distributions against the pools",
        1 + never.count(),
        w.jobs.len()
    ))
}
