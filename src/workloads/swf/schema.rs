//! What says how a trace is read: the scenario's `[workload] type = "swf"` table ([`SwfSpec`], its checks
//! and the default cluster a header gives) and the reader's options ([`SwfOptions`]: convention, machine,
//! filters, estimates, tiers).

use super::header::{SwfHeader, read_header};
use crate::error::ScenarioError;
use crate::model::{Duration, Memory, PoolSpec, Time};
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// How an SWF line becomes a job: results depend on it, so it is always explicit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
pub enum Convention {
    /// The HUJI / pyss reading (the oracle tables' "convention P"): allocated processors clamped to
    /// [1, machine]; run = max(1, min(request, run)); estimate = max(request, run, 1); a job with run ≤ 0,
    /// allocated procs ≤ 0 or submit < 0 becomes a 1 s, max(1, alloc)-processor job submitted at max(submit, 1).
    #[default]
    #[serde(rename = "p")]
    P,
    /// Requested processors (allocated when not given), the full logged run time, the estimate as given
    /// (the run time when the trace has none). Jobs whose processors, run time or submit time are
    /// unknown (−1) cannot be simulated and are skipped (counted).
    #[serde(rename = "plain")]
    Plain,
}

/// How processors map onto the cluster.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Machine {
    /// The machine is one pool of processors: a job is ONE task of `procs` cores, and the default cluster
    /// is a single node of `MaxProcs` cores (how pyss and most PWA simulators see it).
    #[default]
    Pool,
    /// A job is `procs` tasks of one core each, placed on nodes; the default cluster is
    /// `MaxProcs / node_cores` nodes of `node_cores` cores.
    Nodes,
}

/// What to do with a malformed line (too few fields, a non-numeric field).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnBadLine {
    /// Stop with an error naming the file and line.
    #[default]
    Error,
    /// Skip the line and count it as "malformed line".
    Skip,
}

/// Which estimate (walltime request) a job carries into the simulation.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum EstimateMode {
    /// The estimate the convention gives (the user's request).
    #[default]
    User,
    /// The real run time: a perfect estimate.
    Perfect,
    /// `k ×` the run time.
    Factor(f64),
}

impl<'de> Deserialize<'de> for EstimateMode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            I(i64),
            F(f64),
            S(String),
        }
        match Raw::deserialize(d)? {
            Raw::S(s) if s == "user" => Ok(EstimateMode::User),
            Raw::S(s) if s == "perfect" => Ok(EstimateMode::Perfect),
            Raw::S(s) => Err(serde::de::Error::custom(format!(
                "unknown estimate `{s}` (valid: \"user\", \"perfect\", or a number k for k × run time)"
            ))),
            Raw::I(i) => Ok(EstimateMode::Factor(i as f64)),
            Raw::F(f) => Ok(EstimateMode::Factor(f)),
        }
    }
}

/// Everything that says how a trace is read. `Default` is convention P on a single pool of `MaxProcs`.
#[derive(Clone, Debug, PartialEq)]
pub struct SwfOptions {
    pub convention: Convention,
    pub machine: Machine,
    /// Processors of the simulated machine (the clamp of convention P, the `drop_oversized` limit);
    /// `None`: the header's `MaxProcs` (else `MaxNodes`).
    pub machine_procs: Option<u64>,
    pub on_bad_line: OnBadLine,
    /// Keep at most this many jobs (after the other filters); the rest are counted as skipped.
    pub first_jobs: Option<u64>,
    /// Keep jobs submitted at or after this trace time (seconds since `UnixStartTime`).
    pub start: Option<Time>,
    /// Keep jobs submitted before this trace time.
    pub end: Option<Time>,
    /// Skip jobs cancelled before they started (status 5 with run time ≤ 0).
    pub drop_cancelled: bool,
    /// Skip jobs whose logged run time is ≤ 0.
    pub drop_zero_runtime: bool,
    /// Skip jobs asking for more processors than the machine has (instead of clamping / rejecting).
    pub drop_oversized: bool,
    /// Compress inter-arrival times by this factor (> 1 raises the offered load by that factor).
    pub load_scale: f64,
    pub estimate: EstimateMode,
    /// Use the requested memory (field 10, KB per processor) as the jobs' memory request.
    pub memory: bool,
    /// Make a job depend on its preceding job (field 17) when that job is in the workload, and become
    /// eligible its think time (field 18) after that job completes.
    pub dependencies: bool,
    /// Keep only jobs of these queues (field 15; −1 = none given); `None`: all.
    pub queues: Option<Vec<i64>>,
    /// Keep only jobs of these partitions (field 16; −1 = none given); `None`: all.
    pub partitions: Option<Vec<i64>>,
    /// Give jobs the tier of their queue or partition; `None`: every job in tier 0.
    pub tiers: Option<TierMap>,
    /// How to give the machine's size when the header has none, for the error message (default: the
    /// scenario's pools; `trace stats` says `--procs N`).
    pub machine_hint: &'static str,
}

/// [`SwfOptions::machine_hint`] for a scenario.
pub const HINT_POOLS: &str = "give the cluster's pools in the scenario";

/// Which SWF field a job's tier comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TierFrom {
    /// Field 15, the queue number.
    Queue,
    /// Field 16, the partition number.
    Partition,
}

/// Tiers from queue or partition numbers: `tier_from = "queue"` with `tiers = { "1" = 2, "3" = 1 }`.
/// Numbers not in the table (and jobs without one) are in tier 0.
#[derive(Clone, Debug, PartialEq)]
pub struct TierMap {
    pub from: TierFrom,
    /// Queue or partition number (−1 = none given) → tier.
    pub tiers: BTreeMap<i64, u8>,
}

impl TierMap {
    /// The tier of a job with this queue and partition.
    #[inline]
    pub fn tier_of(&self, queue: Option<u16>, partition: Option<u16>) -> u8 {
        let number = match self.from {
            TierFrom::Queue => queue,
            TierFrom::Partition => partition,
        };
        self.tiers.get(&number.map_or(-1, i64::from)).copied().unwrap_or(0)
    }

    /// Tier names, lowest first, after the numbers in each: `queue 3`, `queue 1+4`; tier 0 also holds
    /// every number not in the table (`other`). A number the header describes (`; Queue: 3 long`)
    /// is shown with it: `queue 3 (long)`.
    pub fn names(&self, header: &SwfHeader) -> Vec<String> {
        let described = match self.from {
            TierFrom::Queue => &header.queue_names,
            TierFrom::Partition => &header.partition_names,
        };
        let number = |k: &i64| match described.get(k) {
            Some(d) => format!("{k} ({d})"),
            None => k.to_string(),
        };
        let noun = match self.from {
            TierFrom::Queue => "queue",
            TierFrom::Partition => "partition",
        };
        let top = self.tiers.values().copied().max().unwrap_or(0);
        (0..=top)
            .map(|t| {
                let numbers: Vec<String> =
                    self.tiers.iter().filter(|&(_, &v)| v == t).map(|(k, _)| number(k)).collect();
                match (numbers.is_empty(), t == 0) {
                    (true, true) => "other".to_string(),
                    (true, false) => format!("tier {t}"),
                    (false, true) => format!("{noun} {}+other", numbers.join("+")),
                    (false, false) => format!("{noun} {}", numbers.join("+")),
                }
            })
            .collect()
    }
}

impl Default for SwfOptions {
    fn default() -> Self {
        SwfOptions {
            convention: Convention::P,
            machine: Machine::Pool,
            machine_procs: None,
            on_bad_line: OnBadLine::Error,
            first_jobs: None,
            start: None,
            end: None,
            drop_cancelled: false,
            drop_zero_runtime: false,
            drop_oversized: false,
            load_scale: 1.0,
            estimate: EstimateMode::User,
            memory: false,
            dependencies: false,
            queues: None,
            partitions: None,
            tiers: None,
            machine_hint: HINT_POOLS,
        }
    }
}

/// The divisors of `n` (≥ 1), ascending.
fn divisors(n: u64) -> Vec<u64> {
    let (mut low, mut high) = (Vec::new(), Vec::new());
    let mut d = 1;
    while d <= n / d {
        if n.is_multiple_of(d) {
            low.push(d);
            if d != n / d {
                high.push(n / d);
            }
        }
        d += 1;
    }
    low.extend(high.iter().rev());
    low
}

/// `[workload]` with `type = "swf"`: a trace in the Standard Workload Format.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SwfSpec {
    /// The trace (plain or gzip), relative to the scenario file's folder.
    pub path: PathBuf,
    #[serde(default)]
    pub convention: Convention,
    #[serde(default)]
    pub machine: Machine,
    /// Cores per node of the default cluster with `machine = "nodes"` (default 1).
    pub node_cores: Option<u64>,
    /// Memory per node of the default cluster (needed with `memory = true` and no `[[cluster.pools]]`).
    pub node_memory: Option<Memory>,
    #[serde(default)]
    pub on_bad_line: OnBadLine,
    pub first_jobs: Option<u64>,
    pub start: Option<Duration>,
    pub end: Option<Duration>,
    #[serde(default)]
    pub drop_cancelled: bool,
    #[serde(default)]
    pub drop_zero_runtime: bool,
    #[serde(default)]
    pub drop_oversized: bool,
    #[serde(default = "one")]
    pub load_scale: f64,
    #[serde(default)]
    pub estimate: EstimateMode,
    #[serde(default)]
    pub memory: bool,
    #[serde(default)]
    pub dependencies: bool,
    /// Keep only the jobs of these queues (field 15; −1: jobs without one).
    pub queues: Option<Vec<i64>>,
    /// Keep only the jobs of these partitions (field 16; −1: jobs without one).
    pub partitions: Option<Vec<i64>>,
    /// The field the jobs' tiers come from, through `tiers`.
    pub tier_from: Option<TierFrom>,
    /// Queue or partition number → tier (0–255), e.g. `{ "1" = 2, "3" = 1 }`; other numbers: tier 0.
    pub tiers: Option<BTreeMap<String, u8>>,
}

fn one() -> f64 {
    1.0
}

impl SwfSpec {
    /// Checks values that TOML types alone cannot; `pools` is the scenario's (completed) cluster.
    pub fn validate(&self, pools: &[PoolSpec]) -> std::result::Result<(), ScenarioError> {
        let k = |s: &str| format!("workload.{s}");
        if self.memory && pools.iter().all(|p| p.memory.0 == 0) {
            return Err(ScenarioError::invalid(
                k("memory"),
                "jobs will ask for memory but no node has any: set workload.node_memory or the pools' memory",
            ));
        }
        if !(self.load_scale.is_finite() && self.load_scale > 0.0) {
            return Err(ScenarioError::invalid(
                k("load_scale"),
                format!("expected a factor > 0, found {}", self.load_scale),
            ));
        }
        if let EstimateMode::Factor(f) = self.estimate
            && !(f.is_finite() && f > 0.0)
        {
            return Err(ScenarioError::invalid(k("estimate"), format!("expected a factor > 0, found {f}")));
        }
        if self.node_cores == Some(0) {
            return Err(ScenarioError::invalid(k("node_cores"), "expected at least 1 core"));
        }
        if self.node_cores.is_some() && self.machine != Machine::Nodes {
            return Err(ScenarioError::invalid(k("node_cores"), "only applies with machine = \"nodes\""));
        }
        if let (Some(s), Some(e)) = (self.start, self.end)
            && e <= s
        {
            return Err(ScenarioError::invalid(k("end"), "must be after `start`"));
        }
        for (key, list) in [("queues", &self.queues), ("partitions", &self.partitions)] {
            if list.as_ref().is_some_and(|l| l.is_empty() || l.iter().any(|&n| !(-1..=65_535).contains(&n))) {
                return Err(ScenarioError::invalid(k(key), "expected a non-empty list of numbers from -1 to 65535"));
            }
        }
        self.tier_map()?;
        Ok(())
    }

    /// `tier_from` and `tiers` together, checked.
    fn tier_map(&self) -> std::result::Result<Option<TierMap>, ScenarioError> {
        let (from, table) = match (self.tier_from, &self.tiers) {
            (None, None) => return Ok(None),
            (Some(from), Some(table)) => (from, table),
            (Some(_), None) => {
                return Err(ScenarioError::invalid(
                    "workload.tiers",
                    "tier_from needs a table of numbers to tiers, e.g. tiers = { \"1\" = 2, \"3\" = 1 }",
                ));
            }
            (None, Some(_)) => {
                return Err(ScenarioError::invalid(
                    "workload.tier_from",
                    "tiers needs the field they come from: tier_from = \"queue\" or \"partition\"",
                ));
            }
        };
        let mut tiers = BTreeMap::new();
        for (number, &tier) in table {
            match number.trim().parse::<i64>() {
                Ok(n) if (-1..=65_535).contains(&n) => {
                    tiers.insert(n, tier);
                }
                _ => {
                    return Err(ScenarioError::invalid(
                        format!("workload.tiers.\"{number}\""),
                        "expected a queue or partition number from -1 to 65535",
                    ));
                }
            }
        }
        Ok(Some(TierMap { from, tiers }))
    }

    /// The cluster of the trace's own machine, from its header: one node of `MaxProcs` cores
    /// (`machine = "pool"`), or `MaxProcs / node_cores` nodes of `node_cores` cores (`machine = "nodes"`).
    pub fn default_pool(&self) -> std::result::Result<PoolSpec, String> {
        let header = read_header(&self.path).map_err(|e| format!("workload.path: {e}"))?;
        let procs = header.machine().map_err(|(line, message)| {
            format!("workload.path: {}:{line}: {message}; give the cluster as [[cluster.pools]]", self.path.display())
        })?;
        let procs = procs.ok_or_else(|| {
            format!(
                "workload.path: {} has no MaxProcs (or MaxNodes) header line; give the cluster as [[cluster.pools]]",
                self.path.display()
            )
        })?;
        let (count, cpu) = match self.machine {
            Machine::Pool => (1, procs),
            Machine::Nodes => {
                let cores = self.node_cores.unwrap_or(1).max(1);
                if !procs.is_multiple_of(cores) {
                    let divisors: Vec<String> = divisors(procs).iter().map(u64::to_string).collect();
                    return Err(format!(
                        "workload.node_cores: {cores} cores per node do not divide the trace's {procs} processors \
                         (MaxProcs of {}); choose a divisor of {procs} ({}), or give the cluster as [[cluster.pools]]",
                        self.path.display(),
                        divisors.join(", ")
                    ));
                }
                (procs / cores, cores)
            }
        };
        Ok(PoolSpec {
            name: "trace".into(),
            count: u32::try_from(count).map_err(|_| format!("workload.path: MaxProcs {procs} is too large"))?,
            cpu,
            memory: self.node_memory.unwrap_or_default(),
            gpu: 0,
            racks: 1,
            labels: vec![],
        })
    }

    /// The reader options; `machine_procs` is the simulated machine's processor count.
    pub fn options(&self, machine_procs: Option<u64>) -> SwfOptions {
        SwfOptions {
            convention: self.convention,
            machine: self.machine,
            machine_procs,
            on_bad_line: self.on_bad_line,
            first_jobs: self.first_jobs,
            start: self.start.map(|d| d.micros()),
            end: self.end.map(|d| d.micros()),
            drop_cancelled: self.drop_cancelled,
            drop_zero_runtime: self.drop_zero_runtime,
            drop_oversized: self.drop_oversized,
            load_scale: self.load_scale,
            estimate: self.estimate,
            memory: self.memory,
            dependencies: self.dependencies,
            queues: self.queues.clone(),
            partitions: self.partitions.clone(),
            tiers: self.tier_map().ok().flatten(),
            machine_hint: HINT_POOLS,
        }
    }
}
