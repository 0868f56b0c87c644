//! Empirical distributions fitted from a trace: loading the column a distribution names (the draws
//! themselves are `rng::empirical`'s).

use super::csv_jobs::read_csv_jobs;
use super::swf::{Convention, OnBadLine, SwfOptions, read_swf};
use crate::error::Result;
use crate::model::Workload;
use crate::model::time::as_secs_f64;
use crate::rng::dist::Dist;
use crate::rng::empirical::TraceField;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// Reads `field` of every job of a trace (SWF under the plain convention, dropping jobs with run time ≤ 0,
/// or a CSV job list when the name ends in `.csv` / `.csv.gz`), sorted ascending. A malformed line is an
/// error naming the file and line: a fit never leaves out what it cannot read.
///
/// A sweep builds one scenario per configuration, each fitting the same columns of the same trace, so the
/// values are remembered per (file, column) while the file's size and modification time stay the same.
pub fn load_values(path: &Path, field: TraceField) -> Result<Vec<f64>> {
    let stamp = std::fs::metadata(path).ok().map(|m| (m.len(), m.modified().ok()));
    let key = (path.to_path_buf(), field);
    if let Some(stamp) = stamp
        && let Some((seen, values)) = fitted().lock().unwrap_or_else(|e| e.into_inner()).get(&key)
        && *seen == stamp
    {
        return Ok(values.clone());
    }
    let values = read_values(path, field)?;
    if let Some(stamp) = stamp {
        let mut memo = fitted().lock().unwrap_or_else(|e| e.into_inner());
        if memo.len() >= MEMO_ENTRIES {
            memo.clear();
        }
        memo.insert(key, (stamp, values.clone()));
    }
    Ok(values)
}

/// Columns remembered by [`load_values`] before the memo starts afresh.
const MEMO_ENTRIES: usize = 16;

type FileStamp = (u64, Option<std::time::SystemTime>);
type FittedMemo = Mutex<BTreeMap<(PathBuf, TraceField), (FileStamp, Vec<f64>)>>;

fn fitted() -> &'static FittedMemo {
    static MEMO: OnceLock<FittedMemo> = OnceLock::new();
    MEMO.get_or_init(Default::default)
}

fn read_values(path: &Path, field: TraceField) -> Result<Vec<f64>> {
    let name = path.to_string_lossy();
    let w: Workload = if name.ends_with(".csv") || name.ends_with(".csv.gz") {
        read_csv_jobs(path, &[], OnBadLine::Error)?
    } else {
        let opts = SwfOptions {
            convention: Convention::Plain,
            drop_zero_runtime: true,
            on_bad_line: OnBadLine::Error,
            ..Default::default()
        };
        read_swf(path, &opts)?.0
    };
    let mut values: Vec<f64> = match field {
        TraceField::Runtime => w.jobs.iter().map(|j| as_secs_f64(j.runtime)).collect(),
        TraceField::Procs => w.jobs.iter().map(|j| (j.tasks as u64 * j.request.cpu) as f64).collect(),
        TraceField::Interarrival => w.jobs.windows(2).map(|p| as_secs_f64(p[1].submit - p[0].submit)).collect(),
        TraceField::Estimate => w.jobs.iter().map(|j| as_secs_f64(j.estimate)).collect(),
        TraceField::EstimateFactor => {
            w.jobs.iter().filter(|j| j.runtime > 0).map(|j| j.estimate as f64 / j.runtime as f64).collect()
        }
    };
    values.sort_by(f64::total_cmp);
    Ok(values)
}

/// Fills an empirical distribution from its trace (paths relative to `base`) and sorts its values;
/// `key` (e.g. `workload.runtime`) names the distribution in messages.
pub fn prepare(dist: &mut Dist, key: &str, base: &Path) -> std::result::Result<(), String> {
    if let Dist::Empirical { values, trace, field, .. } = dist {
        if trace.is_some() && !values.is_empty() {
            return Err(format!("{key}: expected either `values = [...]` or `trace` and `field`, not both"));
        }
        if let (Some(path), Some(field)) = (trace.as_mut(), *field) {
            *path = base.join(&*path);
            *values = load_values(path, field).map_err(|e| format!("{key}.trace: {e}"))?;
            if values.is_empty() {
                return Err(format!("{key}.trace: {}: no job to fit an empirical distribution to", path.display()));
            }
        }
        values.sort_by(f64::total_cmp);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembered_values_are_read_again_when_the_file_changes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jobs.csv");
        std::fs::write(&path, "submit,runtime\n0,30\n5,10\n").unwrap();
        assert_eq!(load_values(&path, TraceField::Runtime).unwrap(), [10.0, 30.0]);
        assert_eq!(load_values(&path, TraceField::Runtime).unwrap(), [10.0, 30.0]);
        assert_eq!(load_values(&path, TraceField::Interarrival).unwrap(), [5.0]);
        // Another size: the memo notices.
        std::fs::write(&path, "submit,runtime\n0,30\n5,10\n9,200\n").unwrap();
        assert_eq!(load_values(&path, TraceField::Runtime).unwrap(), [10.0, 30.0, 200.0]);
    }
}
