//! Scenario files (TOML): the cluster, the workload, one policy per axis, metric settings and outputs.

use crate::error::{Error, Result, ScenarioError};
use crate::model::{Cluster, Duration, Pool, PoolSpec, Resources, Workload};
use crate::policies::PolicySet;
use crate::workloads::{CsvSpec, ListSpec, SwfSpec, SyntheticSpec};
use serde::Deserialize;

pub mod check;
pub mod compile;
pub mod fault_setup;
pub mod faults;
pub mod inputs;
pub mod sweep;
pub mod sweep_keys;

pub use compile::RunPlan;
use std::path::{Path, PathBuf};

/// A whole scenario file.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Names the study; outputs go to `results/<name>` unless `output` says otherwise.
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Root of every random stream.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Stop the simulation at this time (jobs still live are `unfinished`).
    pub horizon: Option<Duration>,
    /// Output directory (relative to the working directory).
    pub output: Option<String>,
    /// May be left out when the workload is a trace whose header gives the machine.
    #[serde(default)]
    pub cluster: ClusterSpec,
    pub workload: WorkloadSpec,
    #[serde(default)]
    pub policy: PolicySet,
    #[serde(default)]
    pub metrics: MetricsSpec,
    /// `[sweep]`: run the scenario over lists of policies and parameters, with replications (see docs/sweeps.md).
    #[serde(default)]
    pub sweep: Option<sweep::SweepSpec>,
    /// Node failures, the registry, checkpoints (see docs/faults.md).
    #[serde(default)]
    pub faults: faults::FaultsSpec,
    /// Message latency and partitions.
    #[serde(default)]
    pub network: faults::NetworkSpec,
    /// Scheduler crashes and client retries.
    #[serde(default)]
    pub scheduler: faults::SchedulerSpec,
    /// `[check]`: tolerances of `clustersim check` (docs/ci.md).
    #[serde(default)]
    pub check: check::CheckSpec,
}

fn default_seed() -> u64 {
    1
}

/// `[cluster]`: node pools.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterSpec {
    #[serde(default)]
    pub pools: Vec<PoolSpec>,
}

/// The message of a TOML or schema error, in words a user reads. An error inside `[workload]` (a
/// table told apart by its `type`, so the parser reports only the table's header) is located again
/// by reading the table as the type it names, which gives the key and so the line.
fn explain_parse_error(text: &str, e: &toml::de::Error) -> String {
    let message = workload_error(text).unwrap_or_else(|| e.to_string().trim_end().to_string());
    plain_words(&message)
}

/// The error of `[workload]` read as the `type` it names: `line N, key `workload.K`: message` and
/// the line itself, or `None` when that reading succeeds (the error is elsewhere).
fn workload_error(text: &str) -> Option<String> {
    let doc: toml::Table = toml::from_str(text).ok()?;
    let mut table = doc.get("workload")?.as_table()?.clone();
    let kind = table.remove("type")?.as_str()?.to_string();
    let value = toml::Value::Table(table);
    let err = match kind.as_str() {
        "synthetic" => value.try_into::<SyntheticSpec>().err(),
        "list" => value.try_into::<ListSpec>().err(),
        "swf" => value.try_into::<SwfSpec>().err(),
        "csv" => value.try_into::<CsvSpec>().err(),
        _ => None,
    }?;
    let err = err.to_string().trim_end().replace('\n', " ");
    // The value deserializer ends its message with `in `a.b``, the key path inside the table.
    let (what, path) = match err.rsplit_once(" in `") {
        Some((what, path)) if path.ends_with('`') => (what.to_string(), Some(path.trim_end_matches('`').to_string())),
        _ => (err.clone(), None),
    };
    // An unknown key has no path of its own: the message names it.
    let unknown = what.strip_prefix("unknown field `").and_then(|r| r.split_once('`')).map(|(k, _)| k.to_string());
    let Some(path) = path.or(unknown) else {
        return Some(format!("[workload] (type = \"{kind}\"): {what}"));
    };
    let key = format!("key `workload.{path}`");
    let first = path.split('.').next().unwrap_or(&path);
    match key_line(text, "workload", first) {
        Some((n, line)) => Some(format!("line {n}, {key}: {what}\n{n:>5} | {line}")),
        None => Some(format!("{key}: {what}")),
    }
}

/// `e` with the line of the scenario `text` that sets its key, when the key is `table.key` (or
/// `table.key.more` for a value inside an inline table) of a plain `[table]`; else `e` as it is.
fn locate(text: &str, e: ScenarioError) -> ScenarioError {
    let key = e.key();
    if key.contains('[') {
        return e; // a key inside an array of tables: its header repeats
    }
    let parts: Vec<&str> = key.split('.').collect();
    // the longest table prefix that has a header in the file, then the key right under it
    let found = (1..parts.len()).rev().find_map(|n| key_line(text, &parts[..n].join("."), parts[n]));
    match found {
        Some((line, text)) => ScenarioError::At { line, text: text.to_string(), source: Box::new(e) },
        None => e,
    }
}

/// [`locate`] in the scenario file `file` (the error as it is when the file cannot be read).
pub fn locate_in_file(file: &Path, e: ScenarioError) -> ScenarioError {
    match std::fs::read_to_string(file) {
        Ok(text) => locate(&text, e),
        Err(_) => e,
    }
}

/// The first line (1-based, with its text) that sets `key` directly in table `[table]`.
fn key_line<'t>(text: &'t str, table: &str, key: &str) -> Option<(usize, &'t str)> {
    let header = format!("[{table}]");
    let mut inside = false;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        if t.starts_with('[') {
            inside = t.starts_with(&header);
            continue;
        }
        if inside
            && let Some(rest) = t.strip_prefix(key)
            && rest.trim_start().starts_with(['=', '.'])
        {
            return Some((i + 1, line));
        }
    }
    None
}

/// Serde's type names replaced by what a scenario author writes.
fn plain_words(message: &str) -> String {
    let mut m = message.replace(
        "expected internally tagged enum Dist",
        "expected a distribution table such as { dist = \"exponential\", mean = \"1h\" }",
    );
    for (rust, words) in [
        ("expected u8", "expected a whole number ≥ 0"),
        ("expected u16", "expected a whole number ≥ 0"),
        ("expected u32", "expected a whole number ≥ 0"),
        ("expected u64", "expected a whole number ≥ 0"),
        ("expected usize", "expected a whole number ≥ 0"),
        ("expected i64", "expected a whole number"),
        ("expected f64", "expected a number"),
        ("expected a boolean", "expected true or false"),
    ] {
        m = m.replace(rust, words);
    }
    m
}

/// `[workload]`: where the jobs come from.
#[allow(clippy::large_enum_variant)] // read once per scenario: the variants' sizes do not matter
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum WorkloadSpec {
    Synthetic(SyntheticSpec),
    List(ListSpec),
    /// A trace in the Standard Workload Format (see `workloads::swf`).
    Swf(SwfSpec),
    /// A CSV job list (see `workloads::csv_jobs`).
    Csv(CsvSpec),
}

impl WorkloadSpec {
    /// The file the workload is read from (a trace or CSV job list), if any.
    pub fn file(&self) -> Option<&Path> {
        match self {
            WorkloadSpec::Swf(s) => Some(&s.path),
            WorkloadSpec::Csv(c) => Some(&c.path),
            WorkloadSpec::Synthetic(_) | WorkloadSpec::List(_) => None,
        }
    }
}

/// `[metrics]`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsSpec {
    /// A job whose wait exceeds this is starved.
    #[serde(default = "default_starvation")]
    pub starvation_threshold: Duration,
    /// Timeline sample interval; by default the submit span / 500 (at least 1 s).
    pub sample_interval: Option<Duration>,
    /// τ of the bounded slowdown.
    #[serde(default = "default_tau")]
    pub bsld_tau: Duration,
}

fn default_starvation() -> Duration {
    Duration::from_secs(3600)
}
fn default_tau() -> Duration {
    Duration::from_secs(10)
}

impl Default for MetricsSpec {
    fn default() -> Self {
        MetricsSpec { starvation_threshold: default_starvation(), sample_interval: None, bsld_tau: default_tau() }
    }
}

impl Scenario {
    /// Reads and checks a scenario file; every error names the file and the line or key.
    pub fn load(path: &Path) -> Result<Scenario> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let base = path.parent().unwrap_or(Path::new(""));
        let sc =
            Scenario::parse_in(&text, base).map_err(|message| Error::Parse { path: path.to_path_buf(), message })?;
        sc.validate().map_err(|source| Error::Scenario { path: path.to_path_buf(), source: locate(&text, source) })?;
        Ok(sc)
    }

    /// Parses TOML text; the message of an error gives line, column and key.
    pub fn parse(text: &str) -> std::result::Result<Scenario, String> {
        Scenario::parse_in(text, Path::new(""))
    }

    /// Parses TOML text whose relative trace paths are relative to `base`; a trace workload without
    /// `[[cluster.pools]]` gets its cluster from the trace header (see [`inputs::resolve_trace`]).
    pub fn parse_in(text: &str, base: &Path) -> std::result::Result<Scenario, String> {
        let mut sc: Scenario = toml::from_str(text).map_err(|e| explain_parse_error(text, &e))?;
        inputs::resolve_trace(&mut sc, base)?;
        Ok(sc)
    }

    /// Checks values that TOML types alone cannot (ranges, policy names and parameters).
    pub fn validate(&self) -> std::result::Result<(), ScenarioError> {
        if self.name.trim().is_empty() {
            return Err(ScenarioError::invalid("name", "must not be empty"));
        }
        for (i, p) in self.cluster.pools.iter().enumerate() {
            let key = |k: &str| format!("cluster.pools[{i}].{k}");
            if p.count == 0 {
                return Err(ScenarioError::invalid(key("count"), "a pool needs at least 1 node"));
            }
            if p.cpu == 0 {
                return Err(ScenarioError::invalid(key("cpu"), "a node needs at least 1 cpu"));
            }
            if p.racks == 0 {
                return Err(ScenarioError::invalid(key("racks"), "expected at least 1 rack"));
            }
        }
        if self.cluster.pools.is_empty() {
            return Err(ScenarioError::invalid("cluster.pools", "expected at least one [[cluster.pools]]"));
        }
        match &self.workload {
            WorkloadSpec::Synthetic(s) => s.validate()?,
            WorkloadSpec::List(l) => {
                crate::workloads::list::build(&l.jobs, &l.tiers, "workload.jobs")?;
            }
            WorkloadSpec::Swf(s) => s.validate(&self.cluster.pools)?,
            WorkloadSpec::Csv(_) => {}
        }
        let empty = match &self.workload {
            WorkloadSpec::Synthetic(s) => s.jobs == 0,
            WorkloadSpec::List(l) => l.jobs.is_empty(),
            _ => false,
        };
        if empty {
            return Err(ScenarioError::invalid("workload.jobs", "the workload has no jobs (give at least one)"));
        }
        let cluster = self.build_cluster();
        let policies = crate::engine::ports::Policies::build(&self.policy, self.seed, &cluster, &[], &[])?;
        fault_setup::fault_setup(self, self.seed, &cluster, policies.recovery.partitions())?;
        self.check.validate("check")?;
        Ok(())
    }

    /// The cluster the scenario describes.
    pub fn build_cluster(&self) -> Cluster {
        let mut c = Cluster::default();
        for p in &self.cluster.pools {
            let racks: Vec<String> = (0..p.racks).map(|r| format!("{}-r{r}", p.name)).collect();
            let capacity = Resources::new(p.cpu, p.memory.0, p.gpu);
            c.add_pool(
                Pool { name: p.name.clone(), labels: p.labels.clone(), capacity, count: p.count },
                p.count,
                &racks,
            );
        }
        c
    }

    /// The workload the scenario describes, drawn from `seed`'s workload stream.
    pub fn build_workload(&self, seed: u64) -> Result<Workload> {
        let w = self.build_workload_unchecked(seed)?;
        // Jobs waiting for each other in a cycle could never start. Job lists and CSV files were
        // checked as they were built (naming the key or line); the other sources are checked here.
        if matches!(self.workload, WorkloadSpec::List(_) | WorkloadSpec::Csv(_)) {
            return Ok(w);
        }
        crate::workloads::deps::check_workload(&w).map_err(|m| match &self.workload {
            WorkloadSpec::Swf(s) => Error::Other(format!("{}: {m}", s.path.display())),
            _ => Error::Scenario { path: self.name.clone().into(), source: ScenarioError::invalid("workload", m) },
        })?;
        Ok(w)
    }

    /// [`Scenario::build_workload`] for the scenario read from `file`, with errors that name it: a
    /// job-list error with its key, a missing or unreadable trace as key `workload.path`, anything
    /// else (a trace line: `FILE:LINE: ...`) after `workload:`.
    pub fn read_workload(&self, file: &Path, seed: u64) -> Result<Workload> {
        let trace = self.workload.file();
        self.build_workload(seed).map_err(|e| match e {
            Error::Scenario { source, .. } => Error::Scenario { path: file.to_path_buf(), source },
            Error::Io { path, source } if Some(path.as_path()) == trace => Error::Scenario {
                path: file.to_path_buf(),
                source: ScenarioError::invalid("workload.path", format!("{}: {source}", path.display())),
            },
            e => Error::Other(format!("{}: workload: {e}", file.display())),
        })
    }

    fn build_workload_unchecked(&self, seed: u64) -> Result<Workload> {
        match &self.workload {
            WorkloadSpec::Synthetic(s) => Ok(s.generate_on(seed, Some(self.build_cluster().total_capacity.cpu))),
            WorkloadSpec::List(l) => crate::workloads::list::build(&l.jobs, &l.tiers, "workload.jobs")
                .map_err(|source| Error::Scenario { path: self.name.clone().into(), source }),
            WorkloadSpec::Swf(s) => {
                let procs = self.build_cluster().total_capacity.cpu;
                crate::workloads::swf::read_swf(&s.path, &s.options(Some(procs))).map(|(w, _)| w)
            }
            WorkloadSpec::Csv(c) => crate::workloads::csv_jobs::read_csv_jobs(&c.path, &c.tiers, c.on_bad_line),
        }
    }

    /// The output directory: `output`, else `results/<name>`.
    pub fn output_dir(&self) -> PathBuf {
        match &self.output {
            Some(o) => PathBuf::from(o),
            None => Path::new("results").join(&self.name),
        }
    }
}
