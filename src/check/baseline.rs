//! A committed baseline: `<DIR>/<scenario name>/summary.csv` plus `manifest.json` (tool version, scenario hash, seed, runs).

use super::table::SummaryTable;
use crate::error::{Error, Result};
use crate::output::atomic::write_atomic;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// `manifest.json` of a baseline: where the numbers came from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BaselineManifest {
    pub tool: String,
    pub version: String,
    pub scenario: String,
    /// The scenario's file name (no directory, so the file is the same on every checkout).
    pub scenario_file: String,
    /// Hash of the scenario file without its `[check]` table (see [`scenario_hash`]).
    pub scenario_hash: String,
    /// The scenario's seed.
    pub seed: u64,
    /// Every seed that appears in `summary.csv` (one for a single run; one per replication for a sweep).
    pub seeds: Vec<u64>,
    pub runs: usize,
}

/// A baseline read from disk.
pub struct Baseline {
    pub dir: PathBuf,
    pub manifest: BaselineManifest,
    pub summary: SummaryTable,
}

/// The directory of `scenario`'s baseline under `root`.
pub fn dir_of(root: &Path, scenario: &str) -> PathBuf {
    root.join(scenario)
}

impl Baseline {
    /// Reads `dir/summary.csv` and `dir/manifest.json`.
    pub fn read(dir: &Path) -> Result<Baseline> {
        let mpath = dir.join("manifest.json");
        let text = std::fs::read_to_string(&mpath).map_err(|e| Error::io(&mpath, e))?;
        let manifest = serde_json::from_str(&text)
            .map_err(|e| Error::Parse { path: mpath.clone(), message: format!("not a baseline manifest: {e}") })?;
        let summary = SummaryTable::read(&dir.join("summary.csv"))?;
        Ok(Baseline { dir: dir.to_path_buf(), manifest, summary })
    }

    /// Writes `summary.csv`, then `manifest.json`.
    pub fn write(dir: &Path, manifest: &BaselineManifest, summary: &SummaryTable) -> Result<()> {
        summary.write(&dir.join("summary.csv"))?;
        write_atomic(&dir.join("manifest.json"), |w| {
            serde_json::to_writer_pretty(&mut *w, manifest).map_err(std::io::Error::other)?;
            w.write_all(b"\n")
        })
    }
}

/// The hash a baseline is tied to: the runner's hash of the scenario file with its `[check]` table
/// (and any `[check.*]` sub-table or top-level `check = {...}` line) left out, so tuning tolerances
/// does not invalidate the baseline. Without a `[check]` table it equals the run manifest's hash.
pub fn scenario_hash(text: &str) -> String {
    crate::runner::hash_hex(strip_check_table(text).as_bytes())
}

/// `text` without the lines of its `[check]` table.
fn strip_check_table(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_check = false;
    let mut before_first_table = true;
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        if t.starts_with('[') {
            before_first_table = false;
            let name = t.trim_start_matches('[').split(']').next().unwrap_or("").trim();
            in_check = name == "check" || name.starts_with("check.");
        } else if before_first_table && t.strip_prefix("check").is_some_and(|r| r.trim_start().starts_with('=')) {
            continue;
        }
        if !in_check {
            out.push_str(line);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_check_table_does_not_change_the_hash() {
        let plain = "name = \"a\"\nseed = 3\n[policy]\nqueue = \"fifo\"\n";
        let with_check =
            "name = \"a\"\nseed = 3\n[check]\nwait_p95 = { rel = 0.02 }\n[check.x]\n[policy]\nqueue = \"fifo\"\n";
        assert_eq!(scenario_hash(plain), crate::runner::hash_hex(plain.as_bytes()));
        assert_eq!(scenario_hash(with_check), scenario_hash(plain));
        let inline =
            "check = { events = { direction = \"ignore\" } }\nname = \"a\"\nseed = 3\n[policy]\nqueue = \"fifo\"\n";
        assert_eq!(scenario_hash(inline), scenario_hash(plain));
        // Anything else counts.
        assert_ne!(scenario_hash(&plain.replace("seed = 3", "seed = 4")), scenario_hash(plain));
        assert_ne!(scenario_hash(&plain.replace("[policy]", "[policy] # note")), scenario_hash(plain));
    }
}
