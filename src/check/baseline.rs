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
    /// Hash of the scenario's settings, `[check]` left out (see [`scenario_hash`]).
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

/// The hash a baseline is tied to: the SHA-256 (16 hex digits) of the scenario's settings — the
/// parsed file without its `[check]` table, written canonically (keys sorted) — so that comments,
/// layout and tolerances do not count as a change, while any value that can change a result does.
pub fn scenario_hash(text: &str) -> std::result::Result<String, String> {
    let mut table: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
    table.remove("check");
    let mut canonical = String::new();
    write_canonical(&mut canonical, &toml::Value::Table(table));
    Ok(crate::runner::hash_hex(canonical.as_bytes()))
}

/// Writes `v` with table keys in sorted order and floats in their round-trip form.
fn write_canonical(out: &mut String, v: &toml::Value) {
    match v {
        toml::Value::Table(t) => {
            let mut keys: Vec<&String> = t.keys().collect();
            keys.sort();
            out.push('{');
            for k in keys {
                *out += &format!("{k:?}=");
                write_canonical(out, &t[k.as_str()]);
                out.push(',');
            }
            out.push('}');
        }
        toml::Value::Array(a) => {
            out.push('[');
            for x in a {
                write_canonical(out, x);
                out.push(',');
            }
            out.push(']');
        }
        toml::Value::String(s) => *out += &format!("{s:?}"),
        toml::Value::Integer(i) => *out += &format!("i{i}"),
        toml::Value::Float(x) => *out += &format!("f{x:?}"),
        toml::Value::Boolean(b) => *out += &format!("{b}"),
        toml::Value::Datetime(d) => *out += &format!("d{d}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_settings_count_in_the_hash() {
        let h = |t: &str| scenario_hash(t).unwrap();
        let plain = "name = \"a\"\nseed = 3\n[policy]\nqueue = \"fifo\"\n";
        let with_check = "# a comment\nseed = 3\nname = \"a\"\n\n[check]\nwait_p95 = { rel = 0.02 }\n\n[policy]\nqueue = \"fifo\" # fifo\n";
        assert_eq!(h(with_check), h(plain), "comments, layout, key order and [check] do not count");
        let inline =
            "check = { events = { direction = \"ignore\" } }\nname = \"a\"\nseed = 3\npolicy = { queue = \"fifo\" }\n";
        assert_eq!(h(inline), h(plain));
        assert_ne!(h(&plain.replace("seed = 3", "seed = 4")), h(plain));
        assert_ne!(h(&plain.replace("seed = 3", "seed = 3.0")), h(plain), "an integer is not a float");
        assert_ne!(h(&plain.replace("fifo", "fifo ")), h(plain));
        assert!(scenario_hash("x = ").is_err());
    }
}
