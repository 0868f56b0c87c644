//! Scenario files (TOML): the cluster, the workload, one policy per axis, metric settings and outputs.

use crate::error::{Error, Result, ScenarioError};
use crate::model::{Cluster, Duration, Pool, PoolSpec, Resources, Workload};
use crate::policies::PolicySet;
use crate::workloads::{CsvSpec, ListSpec, OpenbSpec, SwfSpec, SyntheticSpec};
use serde::Deserialize;

pub mod check;
pub mod compile;
pub mod fault_setup;
pub mod faults;
pub mod gpu_sharing;
pub mod inputs;
mod locate;
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

/// `[cluster]`: node pools, given one by one or read from a node list.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterSpec {
    #[serde(default)]
    pub pools: Vec<PoolSpec>,
    /// An openb node list (`sn,cpu_milli,memory_mib,gpu,model`), relative to the scenario file's
    /// folder, instead of `pools`: its identical nodes become pools (see [`inputs::resolve_nodes_file`]).
    #[serde(default)]
    pub nodes_file: Option<PathBuf>,
}

/// The message of a TOML or schema error, in words a user reads. An error inside `[workload]` (a
/// table told apart by its `type`, so the parser reports only the table's header) is located again
/// by reading the table as the type it names, which gives the key and so the line.
fn explain_parse_error(text: &str, e: &toml::de::Error) -> String {
    let message = workload_error(text)
        .or_else(|| sweep_error(text, e.message()))
        .or_else(|| keyed_error(text, e))
        .unwrap_or_else(|| e.to_string().trim_end().to_string());
    plain_words(&message)
}

/// A parse error on a line that sets a key (`heartbeat_interval = 1e11`), worded as the other
/// errors are: `line N, key `faults.heartbeat_interval`: message` and the line.
fn keyed_error(text: &str, e: &toml::de::Error) -> Option<String> {
    let start = e.span()?.start.min(text.len());
    let n = text[..start].matches('\n').count();
    let line = text.lines().nth(n)?;
    let key = line.split_once('=')?.0.trim().trim_matches('"');
    let plain = |k: &str| !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c));
    if !plain(key) {
        return None;
    }
    let header = text.lines().take(n).filter(|l| l.trim_start().starts_with('[')).last();
    let table = header.map(|h| h.trim().split('#').next().unwrap_or("").trim().trim_matches(['[', ']']).trim());
    let key = match table {
        Some(t) if plain(t) => format!("{t}.{key}"),
        _ => key.to_string(),
    };
    let n = n + 1;
    let (key, line) = (crate::error::echo(&key), crate::error::echo(line));
    Some(format!("line {n}, key `{key}`: {}\n{n:>5} | {line}", e.message().trim_end()))
}

/// An error of `[sweep]` (read whole, so the parser points at its header) that names its key
/// (`` `sweep.load`: ... ``), at the line that sets the key.
fn sweep_error(text: &str, message: &str) -> Option<String> {
    let (key, what) = message.strip_prefix('`')?.split_once("`: ")?;
    let (n, line) = locate::find_line(text, key).filter(|_| key.starts_with("sweep."))?;
    Some(format!("line {n}, key `{key}`: {what}\n{n:>5} | {}", crate::error::echo(line)))
}

/// The error of `[workload]` read as the `type` it names: `line N, key `workload.K`: message` and
/// the line itself, or `None` when that reading succeeds (the error is elsewhere).
fn workload_error(text: &str) -> Option<String> {
    let doc: toml::Table = toml::from_str(text).ok()?;
    let mut table = doc.get("workload")?.as_table()?.clone();
    let kind = table.remove("type")?.as_str()?.to_string();
    let value = toml::Value::Table(table);
    let err = match kind.as_str() {
        "synthetic" => value.clone().try_into::<SyntheticSpec>().err(),
        "list" => value.clone().try_into::<ListSpec>().err(),
        "swf" => value.clone().try_into::<SwfSpec>().err(),
        "csv" => value.clone().try_into::<CsvSpec>().err(),
        "openb" => value.clone().try_into::<OpenbSpec>().err(),
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
    // The path of an error in a job list does not say which entry: the first that fails alone does.
    let path = match (kind.as_str(), path.strip_prefix("jobs")) {
        ("list", Some(rest)) if rest.is_empty() || rest.starts_with('.') => {
            let jobs = value.get("jobs").and_then(|j| j.as_array());
            let bad = jobs.and_then(|jobs| {
                jobs.iter().position(|j| j.clone().try_into::<crate::workloads::list::JobEntry>().is_err())
            });
            bad.map_or(path.clone(), |i| format!("jobs[{i}]{rest}"))
        }
        _ => path,
    };
    let key = format!("key `workload.{path}`");
    match locate::find_line(text, &format!("workload.{path}")) {
        Some((n, line)) => Some(format!("line {n}, {key}: {what}\n{n:>5} | {}", crate::error::echo(line))),
        None => Some(format!("{key}: {what}")),
    }
}

/// `e` with the line of the scenario `text` that sets its key (see [`locate::find_line`]), the
/// line quoted in part when long; else `e` as it is.
fn locate(text: &str, e: ScenarioError) -> ScenarioError {
    let e = match e {
        ScenarioError::Invalid { key, message } => {
            ScenarioError::Invalid { key, message: locate::mentions_with_lines(text, &message) }
        }
        e => e,
    };
    match locate::find_line(text, e.key()) {
        Some((line, text)) => ScenarioError::At { line, text: crate::error::echo(text), source: Box::new(e) },
        None => e,
    }
}

/// [`locate`] in scenario text held in memory (one built from a dict or with overrides, which is
/// not the text of any file).
pub fn locate_in_text(text: &str, e: ScenarioError) -> ScenarioError {
    locate(text, e)
}

/// [`locate`] in the scenario file `file` (the error as it is when the file cannot be read).
pub fn locate_in_file(file: &Path, e: ScenarioError) -> ScenarioError {
    match std::fs::read_to_string(file) {
        Ok(text) => locate(&text, e),
        Err(_) => e,
    }
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
        (
            "data did not match any variant of untagged enum Raw",
            "expected a number or a string with a unit (e.g. \"90s\", \"128GiB\")",
        ),
    ] {
        m = m.replace(rust, words);
    }
    m
}

/// The ranges of a trace workload's numbers: `load_scale` and an estimate factor from
/// [`MIN_FACTOR`](crate::limits::MIN_FACTOR) to [`MAX_FACTOR`](crate::limits::MAX_FACTOR), `node_cores` up to
/// [`MAX_CPU`](crate::limits::MAX_CPU).
fn trace_factors(s: &SwfSpec) -> std::result::Result<(), ScenarioError> {
    use crate::limits::{MAX_CPU, factor, whole};
    let at = |key: &'static str| move |m: String| ScenarioError::invalid(format!("workload.{key}"), m);
    factor(s.load_scale).map_err(at("load_scale"))?;
    if let crate::workloads::swf::EstimateMode::Factor(f) = s.estimate {
        factor(f).map_err(at("estimate"))?;
    }
    whole(s.node_cores.unwrap_or(1), 1, MAX_CPU).map_err(at("node_cores"))?;
    Ok(())
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
    /// An openb pod list (Alibaba GPU trace v2023; see `workloads::openb`).
    Openb(OpenbSpec),
}

impl WorkloadSpec {
    /// The file the workload is read from (a trace or CSV job list), if any.
    pub fn file(&self) -> Option<&Path> {
        match self {
            WorkloadSpec::Swf(s) => Some(&s.path),
            WorkloadSpec::Csv(c) => Some(&c.path),
            WorkloadSpec::Openb(o) => Some(&o.path),
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
    /// A trimmed window whose metrics (`win_*` columns) are written beside the whole run's.
    pub window: Option<WindowSpec>,
}

/// `[metrics] window = { warmup = "1d", until = "last_submit" }`: measure from `warmup` after the first
/// submission to the last submission (`"last_submit"`, the default) or to a duration after the first
/// submission (`until = "30d"`), leaving out the warm-up and the drain after the last arrival.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowSpec {
    #[serde(default)]
    pub warmup: Duration,
    /// `"last_submit"` or a duration after the first submission.
    pub until: Option<String>,
}

/// Where a metrics window ends.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum WindowEnd {
    LastSubmit,
    /// This long after the first submission (µs).
    After(crate::model::Time),
}

impl WindowSpec {
    /// The window's end, or an error naming `metrics.window.until`.
    pub fn end(&self) -> std::result::Result<WindowEnd, ScenarioError> {
        match self.until.as_deref().map(str::trim) {
            None | Some("last_submit") => Ok(WindowEnd::LastSubmit),
            Some(text) => crate::model::time::parse_duration(text).map(WindowEnd::After).map_err(|e| {
                ScenarioError::invalid("metrics.window.until", format!("expected \"last_submit\" or a duration: {e}"))
            }),
        }
    }
}

fn default_starvation() -> Duration {
    Duration::from_secs(3600)
}
fn default_tau() -> Duration {
    Duration::from_secs(10)
}

impl Default for MetricsSpec {
    fn default() -> Self {
        MetricsSpec {
            starvation_threshold: default_starvation(),
            sample_interval: None,
            bsld_tau: default_tau(),
            window: None,
        }
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
        self.validate_pools()?;
        match &self.workload {
            WorkloadSpec::Synthetic(s) => s.validate()?,
            WorkloadSpec::List(l) => {
                crate::limits::whole(l.jobs.len() as u64, 0, crate::limits::MAX_JOBS)
                    .map_err(|m| ScenarioError::invalid("workload.jobs", format!("{m} jobs")))?;
                crate::workloads::list::build(&l.jobs, &l.tiers, "workload.jobs")?;
            }
            WorkloadSpec::Swf(s) => {
                trace_factors(s)?;
                s.validate(&self.cluster.pools)?;
            }
            WorkloadSpec::Csv(_) => {}
            WorkloadSpec::Openb(o) => {
                if o.untimed_runtime.micros() == 0 {
                    return Err(ScenarioError::invalid("workload.untimed_runtime", "must be > 0"));
                }
            }
        }
        self.validate_metrics()?;
        self.validate_latency_shapes()?;
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

    /// Pools: counts, sizes and racks in range, names unique, at most [`MAX_NODES`](crate::limits::MAX_NODES) in all.
    fn validate_pools(&self) -> std::result::Result<(), ScenarioError> {
        use crate::limits::{MAX_CPU, MAX_NODES, whole};
        let mut total = 0u64;
        for (i, p) in self.cluster.pools.iter().enumerate() {
            let key = |k: &str| format!("cluster.pools[{i}].{k}");
            let what = |k: &str| match k {
                "count" => "nodes in the pool".to_string(),
                "cpu" => "cores per node".to_string(),
                "gpu" => "gpus per node".to_string(),
                _ => format!("racks, at most one per node of the pool's {}", p.count),
            };
            let range = |k: &str, x: u64, lo: u64, hi: u64| {
                whole(x, lo, hi).map_err(|m| ScenarioError::invalid(key(k), format!("{m} ({})", what(k))))
            };
            range("count", p.count as u64, 1, MAX_NODES)?;
            range("cpu", p.cpu, 1, MAX_CPU)?;
            range("gpu", p.gpu, 0, MAX_CPU)?;
            range("racks", p.racks as u64, 1, p.count as u64)?;
            if let Some(first) = self.cluster.pools[..i].iter().position(|q| q.name == p.name) {
                return Err(ScenarioError::invalid(
                    key("name"),
                    format!(
                        "pool name `{}` is given twice, by cluster.pools[{first}] and cluster.pools[{i}]; pool names \
                         must be unique (racks, outages and `requires` name pools)",
                        crate::error::echo(&p.name)
                    ),
                ));
            }
            total += p.count as u64;
        }
        if self.cluster.pools.is_empty() {
            return Err(ScenarioError::invalid("cluster.pools", "expected at least one [[cluster.pools]]"));
        }
        if total > MAX_NODES {
            return Err(ScenarioError::invalid(
                "cluster.pools",
                format!("the pools have {total} nodes in all, more than {}", crate::limits::group(MAX_NODES)),
            ));
        }
        Ok(())
    }

    /// `[metrics]`: a sample interval of at least [`MIN_SAMPLE_INTERVAL`](crate::limits::MIN_SAMPLE_INTERVAL).
    fn validate_metrics(&self) -> std::result::Result<(), ScenarioError> {
        use crate::limits::MIN_SAMPLE_INTERVAL;
        if self.metrics.window.is_some() && self.sweep.is_some() {
            // A study's summary.csv and comparison.csv have one fixed set of metric columns.
            return Err(ScenarioError::invalid(
                "metrics.window",
                "not available in a scenario with [sweep] yet: run the configurations one by one".to_string(),
            ));
        }
        if let Some(w) = &self.metrics.window
            && let WindowEnd::After(until) = w.end()?
            && until <= w.warmup.micros()
        {
            return Err(ScenarioError::invalid(
                "metrics.window.until",
                format!("the window ends ({}) before its warm-up does ({})", Duration(until), w.warmup),
            ));
        }
        match self.metrics.sample_interval {
            Some(d) if d.micros() < MIN_SAMPLE_INTERVAL => Err(ScenarioError::invalid(
                "metrics.sample_interval",
                format!("expected at least {}, found {d}", Duration(MIN_SAMPLE_INTERVAL)),
            )),
            _ => Ok(()),
        }
    }

    /// `[network]`: the `cv` of a lognormal latency at most 1,000, as for every distribution.
    fn validate_latency_shapes(&self) -> std::result::Result<(), ScenarioError> {
        use faults::LatencyDist;
        let n = &self.network;
        let cluster_wide = [
            ("latency", &n.latency),
            ("dispatch", &n.dispatch),
            ("completion", &n.completion),
            ("heartbeat", &n.heartbeat),
        ];
        let per_pool = n.pools.iter().enumerate().flat_map(|(i, p)| {
            [
                ("latency", &p.latency),
                ("dispatch", &p.dispatch),
                ("completion", &p.completion),
                ("heartbeat", &p.heartbeat),
            ]
            .map(|(k, d)| (format!("network.pools[{i}].{k}"), d))
        });
        let all = cluster_wide.map(|(k, d)| (format!("network.{k}"), d)).into_iter().chain(per_pool);
        for (key, dist) in all {
            if let Some(LatencyDist::Lognormal { cv, .. }) = dist
                && !(0.0..=1000.0).contains(cv)
            {
                return Err(ScenarioError::invalid(
                    key,
                    format!("expected 0 ≤ cv ≤ 1000, found {}", crate::limits::show(*cv)),
                ));
            }
        }
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
        let fail = |m: String| match &self.workload {
            WorkloadSpec::Swf(s) => Error::Other(format!("{}: {m}", s.path.display())),
            WorkloadSpec::Csv(c) => Error::Other(format!("{}: {m}", c.path.display())),
            WorkloadSpec::Openb(o) => Error::Other(format!("{}: {m}", o.path.display())),
            _ => Error::Scenario { path: self.name.clone().into(), source: ScenarioError::invalid("workload", m) },
        };
        // Times past the maximum (a generated workload's submissions add up; a trace's fields are
        // read as they are) would saturate the clock.
        w.check_times().map_err(fail)?;
        // Jobs waiting for each other in a cycle could never start. Job lists and CSV files were
        // checked as they were built (naming the key or line); the other sources are checked here.
        if matches!(self.workload, WorkloadSpec::List(_) | WorkloadSpec::Csv(_) | WorkloadSpec::Openb(_)) {
            return Ok(w);
        }
        crate::workloads::deps::check_workload(&w).map_err(fail)?;
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
            WorkloadSpec::Openb(o) => o.read(),
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
