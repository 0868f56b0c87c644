//! Output hygiene: a reused output directory must not keep files of an earlier run that this run does not
//! write (events.csv without `--events`, report.html with `--no-charts`, a sweep's comparison.csv beside a
//! single run, ...). Before a new run's files are moved in (see [`super::staging`]), every file with one of
//! the tool's output names is removed; any other file is left alone.

use crate::error::{Error, Result};
use std::path::Path;

/// Files that `run` writes into the directory of one run (`events.csv` only with `--events`).
pub const RUN_FILES: &[&str] = &[
    "jobs.csv",
    "nodes.csv",
    "timeline.csv",
    "summary.csv",
    "tiers.csv",
    "users.csv",
    "starvation.csv",
    "events.csv",
    "manifest.json",
];

/// Files that a sweep writes at the study level (`comparison.csv` not for a shard).
pub const STUDY_FILES: &[&str] = &["summary.csv", "comparison.csv", "manifest.json"];

/// The report of a run or a study (`clustersim report`, or `run` without `--no-charts`), and what
/// `clustersim export` writes beside a run's files.
pub const REPORT_FILES: &[&str] = &["report.html", "jobs_batsim.csv", "schedule.swf"];

/// The folder of a study's per-run directories.
pub const RUNS_DIR: &str = "runs";

/// Refuses an output path that exists and is not a directory.
pub fn check_out_dir(dir: &Path) -> Result<()> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::Other(format!(
            "{}: the output path must be a directory, but it is an existing file (give another --out)",
            dir.display()
        )));
    }
    Ok(())
}

/// Removes from `dir` every known output name: `manifest.json` first (so that a folder caught half
/// way never looks complete), the other names of [`RUN_FILES`], [`STUDY_FILES`] and [`REPORT_FILES`],
/// the chart files under `charts/`, and the tool's files in the run directories under `runs/`.
pub fn remove_outputs(dir: &Path) -> Result<()> {
    if !dir.is_dir() {
        return Ok(());
    }
    remove_file(&dir.join("manifest.json"))?;
    for name in RUN_FILES.iter().chain(STUDY_FILES).chain(REPORT_FILES) {
        remove_file(&dir.join(name))?;
    }
    remove_charts(&dir.join(super::CHART_DIR))?;
    let runs = dir.join(RUNS_DIR);
    if runs.is_dir() {
        for entry in std::fs::read_dir(&runs).map_err(|e| Error::io(&runs, e))? {
            let path = entry.map_err(|e| Error::io(&runs, e))?.path();
            if path.is_dir() {
                remove_outputs(&path)?;
                remove_dir_if_empty(&path)?;
            }
        }
        remove_dir_if_empty(&runs)?;
    }
    Ok(())
}

/// Removes the chart files (`*.svg`, `*.png`) of `charts` whose stem is not in `keep`, then the
/// folder if nothing else is in it.
pub fn remove_charts_except(charts: &Path, keep: &[String]) -> Result<()> {
    if !charts.is_dir() {
        return Ok(());
    }
    for entry in std::fs::read_dir(charts).map_err(|e| Error::io(charts, e))? {
        let path = entry.map_err(|e| Error::io(charts, e))?.path();
        let is_chart = path.is_file() && path.extension().is_some_and(|x| x == "svg" || x == "png");
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        if is_chart && !keep.iter().any(|k| k == stem) {
            remove_file(&path)?;
        }
    }
    remove_dir_if_empty(charts)
}

fn remove_charts(charts: &Path) -> Result<()> {
    remove_charts_except(charts, &[])
}

fn remove_file(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io(path, e)),
        _ => Ok(()),
    }
}

fn remove_dir_if_empty(dir: &Path) -> Result<()> {
    let empty = std::fs::read_dir(dir).map(|mut d| d.next().is_none()).unwrap_or(false);
    if empty {
        std::fs::remove_dir(dir).map_err(|e| Error::io(dir, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_known_names_go() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path();
        for f in ["jobs.csv", "events.csv", "report.html", "comparison.csv", "notes.txt"] {
            std::fs::write(p.join(f), "x").unwrap();
        }
        std::fs::create_dir_all(p.join("charts")).unwrap();
        std::fs::write(p.join("charts/queue.svg"), "x").unwrap();
        std::fs::create_dir_all(p.join("runs/a")).unwrap();
        std::fs::write(p.join("runs/a/jobs.csv"), "x").unwrap();
        std::fs::write(p.join("runs/a/mine.txt"), "x").unwrap();
        remove_outputs(p).unwrap();
        let left = |f: &str| p.join(f).exists();
        assert!(left("notes.txt") && left("runs/a/mine.txt"));
        assert!(!left("jobs.csv") && !left("events.csv") && !left("report.html") && !left("comparison.csv"));
        assert!(!left("charts") && !left("runs/a/jobs.csv"));
    }
}
