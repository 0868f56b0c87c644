//! A study: the base scenario and its run matrix — run ids, replication seeds, and each configuration's scenario.

use crate::error::{Error, Result};
use crate::runner::hash_hex;
use crate::scenario::Scenario;
use crate::scenario::sweep::{self as spec, PathPart, SweepSpec, Target};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// A scenario with a `[sweep]`, ready to expand into runs.
#[derive(Clone, Debug)]
pub struct Study {
    /// The scenario file (for messages).
    pub path: PathBuf,
    pub name: String,
    /// First 16 hex digits of the SHA-256 of the scenario file.
    pub hash: String,
    /// The root seed (the scenario's, or `--seed`); replication 0 runs with it.
    pub seed: u64,
    /// The scenario's TOML without `[sweep]`: every run starts from a copy.
    pub base: toml::Table,
    pub spec: SweepSpec,
    pub ids: RunIds,
    /// The scenario's output directory (`output`, else `results/<name>`).
    pub output_dir: PathBuf,
    /// The scenario file's folder: relative trace paths in the scenario (and in overrides) start here.
    pub base_dir: PathBuf,
}

/// One run of the matrix.
#[derive(Clone, Debug, PartialEq)]
pub struct PlannedRun {
    /// Position in the matrix: `config × replications + replication`.
    pub index: usize,
    pub config: usize,
    pub replication: u32,
    pub id: String,
    pub seed: u64,
}

/// Run ids `c<config>-r<replication>`, zero-padded so that they sort in matrix order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunIds {
    pub configurations: usize,
    pub replications: usize,
}

fn digits(n: usize) -> usize {
    n.saturating_sub(1).max(1).ilog10() as usize + 1
}

impl RunIds {
    pub fn runs(&self) -> usize {
        self.configurations * self.replications
    }

    /// The id of run `index`.
    pub fn id(&self, index: usize) -> String {
        let (c, r) = (index / self.replications, index % self.replications);
        format!("c{c:0cw$}-r{r:0rw$}", cw = digits(self.configurations), rw = digits(self.replications))
    }

    /// The matrix index of a run id of this study, if it is one.
    pub fn index(&self, id: &str) -> Option<usize> {
        let (c, r) = id.strip_prefix('c')?.split_once("-r")?;
        let (c, r): (usize, usize) = (c.parse().ok()?, r.parse().ok()?);
        let index = c.checked_mul(self.replications)?.checked_add(r)?;
        (c < self.configurations && r < self.replications && self.id(index) == id).then_some(index)
    }
}

/// The seed of replication `k`: the root seed itself for k = 0 (so a one-replication sweep matches
/// `clustersim run`), then 48-bit seeds derived from it (at most 15 digits, so that spreadsheets and R,
/// which read numbers as doubles, show them exactly and `--seed` can reproduce any run).
pub fn replication_seed(root: u64, k: u32) -> u64 {
    if k == 0 { root } else { crate::rng::derive_seed(root, &format!("replication-{k}")) >> 16 }
}

/// A configuration ready to run: its scenario (overrides applied, nodes scaled) and its load factor.
#[derive(Clone, Debug)]
pub struct ConfigScenario {
    pub scenario: Scenario,
    pub load: f64,
}

impl Study {
    /// Reads a scenario file that has a `[sweep]` section.
    pub fn load(path: &Path, seed: Option<u64>) -> Result<Study> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let text = String::from_utf8(bytes.clone())
            .map_err(|_| Error::Parse { path: path.to_path_buf(), message: "not UTF-8 text".into() })?;
        Study::from_text(&text, path, &hash_hex(&bytes), seed)
    }

    /// A study from scenario text (`path` names it in messages).
    pub fn from_text(text: &str, path: &Path, hash: &str, seed: Option<u64>) -> Result<Study> {
        let parse_err = |message: String| Error::Parse { path: path.to_path_buf(), message };
        let base_dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
        let sc = Scenario::parse_in(text, &base_dir).map_err(parse_err)?;
        sc.validate().map_err(|source| Error::Scenario { path: path.to_path_buf(), source })?;
        let Some(spec) = sc.sweep.clone() else {
            return Err(Error::Other(format!("{}: no [sweep] section", path.display())));
        };
        let mut base: toml::Table = toml::from_str(text).map_err(|e| parse_err(e.to_string()))?;
        base.remove("sweep");
        let ids = RunIds { configurations: spec.configurations(), replications: spec.replications as usize };
        Ok(Study {
            output_dir: sc.output_dir(),
            base_dir,
            path: path.to_path_buf(),
            name: sc.name,
            hash: hash.to_string(),
            seed: seed.unwrap_or(sc.seed),
            base,
            spec,
            ids,
        })
    }

    /// Run `index` of the matrix.
    pub fn plan(&self, index: usize) -> PlannedRun {
        let r = self.ids.replications;
        let replication = (index % r) as u32;
        PlannedRun {
            index,
            config: index / r,
            replication,
            id: self.ids.id(index),
            seed: replication_seed(self.seed, replication),
        }
    }

    /// The values of the swept parameters (not policy axes) of configuration `c`, in column order.
    pub fn parameter_values(&self, c: usize) -> Vec<String> {
        let coords = self.spec.coordinates(c);
        self.spec
            .dimensions
            .iter()
            .zip(coords)
            .filter(|(d, _)| !matches!(d.target, Target::Policy(_)))
            .map(|(d, i)| d.label(i))
            .collect()
    }

    /// `queue=fifo load=0.7`: the values of every dimension of configuration `c`.
    pub fn config_label(&self, c: usize) -> String {
        let coords = self.spec.coordinates(c);
        let parts: Vec<String> =
            self.spec.dimensions.iter().zip(coords).map(|(d, i)| format!("{}={}", d.key, d.label(i))).collect();
        if parts.is_empty() { "base scenario".into() } else { parts.join(" ") }
    }

    /// Fingerprint of everything a run depends on: the scenario file, its configuration and its seed.
    /// Stored as the run's `scenario_hash`; `--resume` reuses a run only when it matches.
    pub fn run_hash(&self, plan: &PlannedRun) -> String {
        let coords = self.spec.coordinates(plan.config);
        let mut text = format!("{}\nseed={}\n", self.hash, plan.seed);
        for (d, i) in self.spec.dimensions.iter().zip(coords) {
            text += &format!("{}={}\n", d.key, d.values[i]);
        }
        hash_hex(text.as_bytes())
    }

    /// The scenario of configuration `c`: overrides applied to the TOML, then read and checked as a file is
    /// (trace paths relative to the scenario's folder); node counts scaled last.
    pub fn scenario(&self, c: usize) -> std::result::Result<ConfigScenario, String> {
        let picks: Vec<(usize, usize)> = self.spec.coordinates(c).into_iter().enumerate().collect();
        self.scenario_with(&picks)
    }

    /// The base scenario with only the given `(dimension, value)` picks applied (the others left as in the file).
    pub fn scenario_with(&self, picks: &[(usize, usize)]) -> std::result::Result<ConfigScenario, String> {
        let mut table = self.base.clone();
        let (mut load, mut node_scale) = (1.0, 1.0);
        for &(d, i) in picks {
            let d = &self.spec.dimensions[d];
            let value = d.values[i].clone();
            match &d.target {
                Target::Load => load = spec::factor(&value),
                Target::NodeScale => node_scale = spec::factor(&value),
                Target::Policy(axis) => {
                    let path = [PathPart::Key("policy".into()), PathPart::Key(axis.to_string())];
                    spec::set_path(&mut table, &path, value)?;
                }
                Target::Override(path) => spec::set_path(&mut table, path, value)?,
            }
        }
        let mut scenario = Scenario::deserialize(toml::Value::Table(table)).map_err(|e| e.to_string())?;
        crate::scenario::inputs::resolve_trace(&mut scenario, &self.base_dir)?;
        // Scaling keeps at least one node; a count of 0 is left for validation to report.
        for pool in scenario.cluster.pools.iter_mut().filter(|p| p.count > 0) {
            pool.count = ((pool.count as f64 * node_scale).round() as u32).max(1);
        }
        scenario.validate().map_err(|e| e.to_string())?;
        Ok(ConfigScenario { scenario, load })
    }

    /// The study part of `manifest.json`: what identifies the matrix (equal in every shard).
    pub fn manifest(&self) -> serde_json::Value {
        let dims: Vec<serde_json::Value> = self
            .spec
            .dimensions
            .iter()
            .map(|d| {
                let labels: Vec<String> = (0..d.values.len()).map(|i| d.label(i)).collect();
                serde_json::json!({ "key": d.key, "values": labels })
            })
            .collect();
        serde_json::json!({
            "scenario": self.name,
            "scenario_hash": self.hash,
            "seed": self.seed,
            "configurations": self.ids.configurations,
            "replications": self.ids.replications,
            "runs": self.ids.runs(),
            "dimensions": dims,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_ids_sort_in_matrix_order_and_parse_back() {
        let ids = RunIds { configurations: 12, replications: 5 };
        assert_eq!(ids.id(0), "c00-r0");
        assert_eq!(ids.id(59), "c11-r4");
        assert_eq!(ids.index("c11-r4"), Some(59));
        assert_eq!(ids.index("c1-r4"), None);
        assert_eq!(ids.index("c12-r0"), None);
        let all: Vec<String> = (0..ids.runs()).map(|i| ids.id(i)).collect();
        let mut sorted = all.clone();
        sorted.sort();
        assert_eq!(all, sorted);
        assert_eq!(RunIds { configurations: 1, replications: 1 }.id(0), "c0-r0");
        assert_eq!(RunIds { configurations: 101, replications: 10 }.id(1009), "c100-r9");
    }

    #[test]
    fn replication_zero_keeps_the_root_seed() {
        assert_eq!(replication_seed(42, 0), 42);
        assert_ne!(replication_seed(42, 1), 42);
        assert_ne!(replication_seed(42, 1), replication_seed(42, 2));
        assert_eq!(replication_seed(42, 3), replication_seed(42, 3));
        assert!((1..100).all(|k| replication_seed(42, k) < 1 << 48));
    }

    #[test]
    fn load_divides_inter_arrival_times() {
        let mut w = crate::model::Workload::default();
        for (i, t) in [10_000_000u64, 11_000_000, 13_000_001].iter().enumerate() {
            let r = crate::model::Resources::new(1, 0, 0);
            w.jobs.push(crate::model::Job::rigid(i as u64 + 1, *t, 1, r, 1, 1));
        }
        w.scale_load(2.0);
        let submits: Vec<u64> = w.jobs.iter().map(|j| j.submit).collect();
        assert_eq!(submits, [10_000_000, 10_500_000, 11_500_001]);
    }
}
