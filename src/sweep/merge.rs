//! `clustersim merge`: combines the output directories of the shards of a study into the `summary.csv`,
//! `comparison.csv` and `manifest.json` the unsharded study gives, and gathers the run directories.
//!
//! Each shard's `summary.csv` is in matrix order, so the merge is a streaming k-way merge: it holds one
//! row per shard, whatever the number of runs.

use super::exec::{Failure, write_manifest};
use super::plan::RunIds;
use super::tables::{ComparisonWriter, StreamingCsv};
use crate::error::{Error, Result};
use crate::output::RunInfo;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What a merge combined.
#[derive(Clone, Debug, Default)]
pub struct MergeOutcome {
    pub shards: usize,
    pub runs_ok: usize,
    pub failures: Vec<Failure>,
}

/// One shard directory being read.
struct ShardReader {
    dir: PathBuf,
    rows: csv::StringRecordsIntoIter<std::fs::File>,
    head: Option<(usize, Vec<String>)>,
}

impl ShardReader {
    fn advance(&mut self, ids: &RunIds) -> Result<()> {
        let summary = self.dir.join("summary.csv");
        let previous = self.head.as_ref().map(|(i, _)| *i);
        self.head = match self.rows.next() {
            None => None,
            Some(Err(e)) => return Err(Error::Other(format!("{}: {e}", summary.display()))),
            Some(Ok(rec)) => {
                let row: Vec<String> = rec.iter().map(str::to_string).collect();
                let id = row.first().map(String::as_str).unwrap_or("");
                let index = ids.index(id).ok_or_else(|| {
                    Error::Other(format!("{}: `{id}` is not a run id of this study", summary.display()))
                })?;
                if previous.is_some_and(|p| p >= index) {
                    return Err(Error::Other(format!("{}: rows are not in matrix order at `{id}`", summary.display())));
                }
                Some((index, row))
            }
        };
        Ok(())
    }
}

fn read_json(path: &Path) -> Result<serde_json::Value> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    serde_json::from_slice(&bytes).map_err(|e| Error::Other(format!("{}: {e}", path.display())))
}

/// Merges the study directories `dirs` (shards, or whole studies) into `out`. A merge that fails leaves
/// nothing that looks like a result: `out` is removed if the merge created it, else the run directories
/// it added are (`summary.csv`, `comparison.csv` and `manifest.json` only appear once all is well).
pub fn merge(dirs: &[PathBuf], out: &Path) -> Result<MergeOutcome> {
    let out_existed = out.exists();
    let runs = out.join("runs");
    let runs_existed = runs.exists();
    let mut created = Vec::new();
    let result = merge_into(dirs, out, &mut created);
    if result.is_err() {
        if out_existed {
            for dir in created.iter().rev() {
                let _ = std::fs::remove_dir_all(dir);
            }
            if !runs_existed {
                let _ = std::fs::remove_dir(&runs);
            }
        } else {
            let _ = std::fs::remove_dir_all(out);
        }
    }
    result
}

/// [`merge`], noting in `created` each run directory it makes under `out/runs/`.
fn merge_into(dirs: &[PathBuf], out: &Path, created: &mut Vec<PathBuf>) -> Result<MergeOutcome> {
    if dirs.is_empty() {
        return Err(Error::Other("merge: no directories given".into()));
    }
    let mut study: Option<(PathBuf, serde_json::Value)> = None;
    let mut header: Option<Vec<String>> = None;
    let mut failures: BTreeMap<usize, Failure> = BTreeMap::new();
    let mut readers = Vec::new();
    let mut ids = RunIds { configurations: 0, replications: 1 };
    for dir in dirs {
        let manifest = read_json(&dir.join("manifest.json"))?;
        let this = manifest.get("study").cloned().ok_or_else(|| {
            Error::Other(format!("{}: not the output of a sweep (manifest.json has no `study`)", dir.display()))
        })?;
        match &study {
            None => {
                let n = |k: &str| this.get(k).and_then(|v| v.as_u64()).unwrap_or(0) as usize;
                ids = RunIds { configurations: n("configurations"), replications: n("replications").max(1) };
                study = Some((dir.clone(), this));
            }
            Some((first, s)) if *s != this => {
                return Err(Error::Other(format!(
                    "{} and {} are shards of different studies (scenario, seed or sweep differ)",
                    first.display(),
                    dir.display()
                )));
            }
            Some(_) => {}
        }
        for f in manifest.get("runs_failed").and_then(|v| v.as_array()).into_iter().flatten() {
            let run_id = f.get("run_id").and_then(|v| v.as_str()).unwrap_or("").to_string();
            let message = f.get("error").and_then(|v| v.as_str()).unwrap_or("").to_string();
            let index = ids.index(&run_id).ok_or_else(|| {
                Error::Other(format!(
                    "{}: `{run_id}` is not a run id of this study",
                    dir.join("manifest.json").display()
                ))
            })?;
            failures.insert(index, Failure { index, run_id, message });
        }
        let path = dir.join("summary.csv");
        let mut reader = csv::Reader::from_path(&path).map_err(|e| Error::Other(format!("{}: {e}", path.display())))?;
        let h: Vec<String> = reader
            .headers()
            .map_err(|e| Error::Other(format!("{}: {e}", path.display())))?
            .iter()
            .map(str::to_string)
            .collect();
        match &header {
            None => header = Some(h),
            Some(first) if *first != h => {
                return Err(Error::Other(format!("{}: columns differ from the other shards", path.display())));
            }
            Some(_) => {}
        }
        let mut r = ShardReader { dir: dir.clone(), rows: reader.into_records(), head: None };
        r.advance(&ids)?;
        readers.push(r);
    }
    let (_, study) = study.expect("at least one directory");
    let header = header.expect("at least one directory");
    let n_params = header.len() - RunInfo::COLUMNS.len() - super::tables::metric_names().len();
    let params: Vec<&str> =
        header[RunInfo::COLUMNS.len()..RunInfo::COLUMNS.len() + n_params].iter().map(String::as_str).collect();

    let mut summary = StreamingCsv::create(&out.join("summary.csv"), &header)?;
    let mut comparison = ComparisonWriter::create(&out.join("comparison.csv"), &params)?;
    let mut missing = Missing::default();
    let mut expected = 0;
    let mut runs_ok = 0;
    while let Some(index) = readers.iter().filter_map(|r| r.head.as_ref().map(|(i, _)| *i)).min() {
        let mut row: Option<Vec<String>> = None;
        for r in readers.iter_mut().filter(|r| r.head.as_ref().is_some_and(|(i, _)| *i == index)) {
            let (_, this) = r.head.take().expect("head");
            match &row {
                Some(first) if *first != this => {
                    return Err(Error::Other(format!(
                        "run {} appears in two shards with different results ({})",
                        ids.id(index),
                        r.dir.display()
                    )));
                }
                _ => row = Some(this),
            }
            link_run(&r.dir, out, &ids.id(index), created)?;
            r.advance(&ids)?;
        }
        let row = row.expect("a row");
        note_missing(expected..index, &failures, &mut missing);
        expected = index + 1;
        failures.remove(&index);
        summary.row(&row)?;
        comparison.push(index / ids.replications, &row)?;
        runs_ok += 1;
    }
    note_missing(expected..ids.runs(), &failures, &mut missing);
    if missing.count > 0 {
        let shown: Vec<String> = missing.first.iter().map(|&i| ids.id(i)).collect();
        let more = if missing.count > 10 { format!(" and {} more", missing.count - 10) } else { String::new() };
        return Err(Error::Other(format!(
            "merge: {} of {} runs are missing: {}{more} (is every shard finished and listed?)",
            missing.count,
            ids.runs(),
            shown.join(", ")
        )));
    }
    summary.finish()?;
    comparison.finish()?;
    let failures: Vec<Failure> = failures.into_values().collect();
    write_manifest(out, study, None, runs_ok, &failures)?;
    Ok(MergeOutcome { shards: dirs.len(), runs_ok, failures })
}

/// Runs found in no shard: how many, and the first few.
#[derive(Default)]
struct Missing {
    count: usize,
    first: Vec<usize>,
}

fn note_missing(range: std::ops::Range<usize>, failures: &BTreeMap<usize, Failure>, m: &mut Missing) {
    for i in range.filter(|i| !failures.contains_key(i)) {
        m.count += 1;
        if m.first.len() < 10 {
            m.first.push(i);
        }
    }
}

/// Makes `out/runs/<id>` hold the run's files: nothing to do when it is the same directory, else hard
/// links (copies across file systems). A directory it makes is added to `created`.
fn link_run(from: &Path, out: &Path, id: &str, created: &mut Vec<PathBuf>) -> Result<()> {
    let src = from.join("runs").join(id);
    let dst = out.join("runs").join(id);
    if !src.is_dir() {
        return Ok(());
    }
    if let (Ok(a), Ok(b)) = (src.canonicalize(), dst.canonicalize())
        && a == b
    {
        return Ok(());
    }
    if !dst.exists() {
        created.push(dst.clone());
    }
    std::fs::create_dir_all(&dst).map_err(|e| Error::io(&dst, e))?;
    let entries = std::fs::read_dir(&src).map_err(|e| Error::io(&src, e))?;
    let mut names: Vec<_> = entries.filter_map(|e| e.ok()).filter(|e| e.path().is_file()).collect();
    names.sort_by_key(|e| e.file_name());
    // manifest.json last, so the merged run directory is complete only when every file is in place.
    names.sort_by_key(|e| e.file_name() == "manifest.json");
    for e in names {
        let target = dst.join(e.file_name());
        let _ = std::fs::remove_file(&target);
        if std::fs::hard_link(e.path(), &target).is_err() {
            std::fs::copy(e.path(), &target).map_err(|err| Error::io(&target, err))?;
        }
    }
    Ok(())
}
