//! Scenario sections of the fault model: `[faults]` (node failures, registry, checkpoints), `[network]`
//! (message latency, partitions) and `[scheduler]` (control-plane crashes), plus the scripted-window grammar.

use crate::engine::faults::{Lifetimes, WindowKind};
use crate::error::ScenarioError;
use crate::model::time::parse_duration;
use crate::model::{Cluster, Duration, Time};
use crate::rng::dist::{Dist, Quantity};
use serde::Deserialize;

/// `[faults]`: node failures and repairs, the registry's heartbeats, checkpointing and retries.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultsSpec {
    /// Random failures per pool (`[[faults.pools]]`).
    #[serde(default)]
    pub pools: Vec<LifetimeSpec>,
    /// Correlated failures: a whole rack goes down at once (`[[faults.racks]]`).
    #[serde(default)]
    pub racks: Vec<LifetimeSpec>,
    /// Scripted outages: `"node 12 down 2h..3h"`, `"rack cpu-r3 down at 5d for 30m"`, `"pool gpu down at 1d for 1h"`.
    #[serde(default)]
    pub outages: Vec<String>,
    /// Every node sends a heartbeat to the registry this often.
    #[serde(default = "default_heartbeat_interval")]
    pub heartbeat_interval: Duration,
    /// The registry declares a node dead when no heartbeat arrived for this long.
    #[serde(default = "default_heartbeat_timeout")]
    pub heartbeat_timeout: Duration,
    /// A dispatch to a dead or unreachable node fails this long after it was sent.
    #[serde(default = "default_rpc_timeout")]
    pub rpc_timeout: Duration,
    /// Running jobs write a checkpoint after every this much compute time (none: restart from scratch).
    pub checkpoint_interval: Option<Duration>,
    /// Wall time each checkpoint costs.
    #[serde(default)]
    pub checkpoint_cost: Duration,
    /// A job killed by failures more than this many times fails (default: retried without limit).
    pub max_retries: Option<u32>,
}

fn default_heartbeat_interval() -> Duration {
    Duration::from_secs(10)
}
fn default_heartbeat_timeout() -> Duration {
    Duration::from_secs(30)
}
fn default_rpc_timeout() -> Duration {
    Duration::from_secs(10)
}

impl Default for FaultsSpec {
    fn default() -> Self {
        FaultsSpec {
            pools: Vec::new(),
            racks: Vec::new(),
            outages: Vec::new(),
            heartbeat_interval: default_heartbeat_interval(),
            heartbeat_timeout: default_heartbeat_timeout(),
            rpc_timeout: default_rpc_timeout(),
            checkpoint_interval: None,
            checkpoint_cost: Duration::ZERO,
            max_retries: None,
        }
    }
}

/// A failure process: time to failure and time to repair, as distributions or as MTBF/MTTR shorthand
/// (exponential with that mean). `pool` (in `[[faults.pools]]`) or `rack` (in `[[faults.racks]]`) names
/// what fails; `"*"` means every pool or rack.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LifetimeSpec {
    pub pool: Option<String>,
    pub rack: Option<String>,
    pub mtbf: Option<Duration>,
    pub mttr: Option<Duration>,
    pub ttf: Option<Dist>,
    pub ttr: Option<Dist>,
}

impl LifetimeSpec {
    /// The two distributions; exactly one of `mtbf`/`ttf` and one of `mttr`/`ttr` must be given.
    pub fn lifetimes(&self, key: &str) -> Result<Lifetimes, ScenarioError> {
        let pick = |mean: Option<Duration>, dist: &Option<Dist>, short: &str, long: &str| match (mean, dist) {
            (Some(m), None) if m.0 > 0 => Ok(Dist::Exponential { mean: Quantity(m.secs_f64()) }),
            (Some(_), None) => Err(ScenarioError::invalid(format!("{key}.{short}"), "must be > 0")),
            (None, Some(d)) => {
                d.validate(&format!("{key}.{long}"))?;
                Ok(d.clone())
            }
            (Some(_), Some(_)) => Err(ScenarioError::invalid(key, format!("give `{short}` or `{long}`, not both"))),
            (None, None) => Err(ScenarioError::invalid(key, format!("expected `{short}` or `{long}`"))),
        };
        Ok(Lifetimes {
            ttf: pick(self.mtbf, &self.ttf, "mtbf", "ttf")?,
            ttr: pick(self.mttr, &self.ttr, "mttr", "ttr")?,
        })
    }
}

/// A latency distribution (values in seconds; durations such as `"2ms"` are accepted).
#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
#[serde(tag = "dist", rename_all = "snake_case", deny_unknown_fields)]
pub enum LatencyDist {
    Constant {
        value: Quantity,
    },
    Uniform {
        min: Quantity,
        max: Quantity,
    },
    /// Normal, truncated at zero.
    Normal {
        mean: Quantity,
        sd: Quantity,
    },
    /// Given by its mean and coefficient of variation.
    Lognormal {
        mean: Quantity,
        cv: f64,
    },
}

impl LatencyDist {
    pub fn validate(&self, key: &str) -> Result<(), ScenarioError> {
        let ok = match *self {
            LatencyDist::Constant { value } => value.0 >= 0.0,
            LatencyDist::Uniform { min, max } => min.0 >= 0.0 && max.0 >= min.0,
            LatencyDist::Normal { mean, sd } => mean.0 >= 0.0 && sd.0 >= 0.0,
            LatencyDist::Lognormal { mean, cv } => mean.0 > 0.0 && cv >= 0.0,
        };
        if ok {
            Ok(())
        } else {
            Err(ScenarioError::invalid(key, "parameters out of range (all must be ≥ 0, max ≥ min)"))
        }
    }

    /// True for a constant zero: messages of this kind are instantaneous.
    pub fn is_zero(&self) -> bool {
        matches!(*self, LatencyDist::Constant { value } if value.0 == 0.0)
    }
}

/// Latency of each message kind; unset kinds fall back to `latency`, then to zero.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LatencySpec {
    /// Pool these settings apply to (only in `[[network.pools]]`).
    pub pool: Option<String>,
    pub latency: Option<LatencyDist>,
    pub dispatch: Option<LatencyDist>,
    pub completion: Option<LatencyDist>,
    pub heartbeat: Option<LatencyDist>,
}

/// `[network]`: message latency (cluster-wide and per pool) and scripted partitions.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkSpec {
    pub latency: Option<LatencyDist>,
    pub dispatch: Option<LatencyDist>,
    pub completion: Option<LatencyDist>,
    pub heartbeat: Option<LatencyDist>,
    /// Per-pool overrides.
    #[serde(default)]
    pub pools: Vec<LatencySpec>,
    /// Scripted partitions: `"rack cpu-r1 unreachable 2h..2h30m"`, `"node 3 unreachable at 1d for 10m"`.
    #[serde(default)]
    pub partitions: Vec<String>,
}

/// `[scheduler]`: the control plane's own failures and the clients' retry timeout.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchedulerSpec {
    pub mtbf: Option<Duration>,
    pub mttr: Option<Duration>,
    pub ttf: Option<Dist>,
    pub ttr: Option<Dist>,
    /// Scripted crashes: `"scheduler 0 down at 2h for 30m"` (the host is repaired after the `for` span).
    #[serde(default)]
    pub crashes: Vec<String>,
    /// A client whose submission bounced (scheduler down) or was lost retries after this long.
    #[serde(default = "default_retry_timeout")]
    pub retry_timeout: Duration,
}

fn default_retry_timeout() -> Duration {
    Duration::from_secs(30)
}

impl Default for SchedulerSpec {
    fn default() -> Self {
        SchedulerSpec {
            mtbf: None,
            mttr: None,
            ttf: None,
            ttr: None,
            crashes: Vec::new(),
            retry_timeout: default_retry_timeout(),
        }
    }
}

impl SchedulerSpec {
    /// The random crash process, if `mtbf`/`ttf` is given.
    pub fn lifetimes(&self) -> Result<Option<Lifetimes>, ScenarioError> {
        if self.mtbf.is_none() && self.ttf.is_none() && self.mttr.is_none() && self.ttr.is_none() {
            return Ok(None);
        }
        let spec = LifetimeSpec {
            pool: None,
            rack: None,
            mtbf: self.mtbf,
            mttr: self.mttr,
            ttf: self.ttf.clone(),
            ttr: self.ttr.clone(),
        };
        spec.lifetimes("scheduler").map(Some)
    }
}

/// What a scripted window applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// Nodes `first..=last` (by index).
    Nodes(u32, u32),
    Rack(String),
    Pool(String),
    Scheduler(u32),
}

/// One scripted window, times relative to the first submission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Window {
    pub target: Target,
    pub kind: WindowKind,
    pub from: Time,
    pub until: Time,
}

/// Parses `"<target> <down|unreachable> <from>..<until>"` or `"<target> <down|unreachable> at <t> for <d>"`,
/// where target is `node N`, `nodes N-M`, `rack NAME`, `pool NAME` or `scheduler K`.
pub fn parse_window(text: &str, key: &str) -> Result<Window, ScenarioError> {
    let bad = |m: String| ScenarioError::invalid(key, format!("`{text}`: {m}"));
    let words: Vec<&str> = text.split_whitespace().collect();
    let grammar = "expected e.g. \"node 12 down 2h..3h\" or \"rack cpu-r3 down at 5d for 30m\"";
    if words.len() < 4 {
        return Err(bad(grammar.into()));
    }
    let num = |s: &str| s.parse::<u32>().map_err(|_| bad(format!("`{s}` is not a number")));
    let target = match words[0] {
        "node" => {
            let n = num(words[1])?;
            Target::Nodes(n, n)
        }
        "nodes" => {
            let (a, b) = words[1].split_once('-').ok_or_else(|| bad("expected `nodes FIRST-LAST`".into()))?;
            let (a, b) = (num(a)?, num(b)?);
            if b < a {
                return Err(bad("the node range is empty".into()));
            }
            Target::Nodes(a, b)
        }
        "rack" => Target::Rack(words[1].to_string()),
        "pool" => Target::Pool(words[1].to_string()),
        "scheduler" => Target::Scheduler(num(words[1])?),
        other => return Err(bad(format!("unknown target `{other}` (valid: node, nodes, rack, pool, scheduler)"))),
    };
    let kind = match words[2] {
        "down" => WindowKind::Down,
        "unreachable" => WindowKind::Unreachable,
        other => return Err(bad(format!("expected `down` or `unreachable`, found `{other}`"))),
    };
    let dur = |s: &str| parse_duration(s).map_err(bad);
    let (from, until) = match &words[3..] {
        [span] => {
            let (a, b) = span.split_once("..").ok_or_else(|| bad(grammar.into()))?;
            (dur(a)?, dur(b)?)
        }
        ["at", a, "for", d] => {
            let a = dur(a)?;
            (a, a + dur(d)?)
        }
        _ => return Err(bad(grammar.into())),
    };
    if until <= from {
        return Err(bad("the window is empty (its end must come after its start)".into()));
    }
    Ok(Window { target, kind, from, until })
}

/// The nodes a window's target covers on `cluster`; unknown racks, pools or nodes are errors listing the valid ones.
pub fn window_nodes(w: &Window, cluster: &Cluster, key: &str) -> Result<Vec<u32>, ScenarioError> {
    let n = cluster.nodes.len() as u32;
    match &w.target {
        Target::Nodes(a, b) if *b < n => Ok((*a..=*b).collect()),
        Target::Nodes(_, b) => Err(ScenarioError::invalid(
            key,
            format!("node {b} does not exist (valid nodes: 0..{})", n.saturating_sub(1)),
        )),
        Target::Rack(name) => match cluster.racks.iter().position(|r| r == name) {
            Some(r) => Ok(cluster.nodes.iter().filter(|x| x.rack as usize == r).map(|x| x.id).collect()),
            None => Err(ScenarioError::invalid(
                key,
                format!("unknown rack `{name}` (valid racks: {})", cluster.racks.join(", ")),
            )),
        },
        Target::Pool(name) => match cluster.pools.iter().position(|p| &p.name == name) {
            Some(p) => Ok(cluster.nodes.iter().filter(|x| x.pool as usize == p).map(|x| x.id).collect()),
            None => {
                let valid: Vec<&str> = cluster.pools.iter().map(|p| p.name.as_str()).collect();
                Err(ScenarioError::invalid(key, format!("unknown pool `{name}` (valid pools: {})", valid.join(", "))))
            }
        },
        Target::Scheduler(_) => Err(ScenarioError::invalid(key, "a scheduler is not a node target")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::time::secs;

    #[test]
    fn parses_both_window_forms() {
        let w = parse_window("node 12 down 2h..3h", "k").unwrap();
        assert_eq!(
            w,
            Window { target: Target::Nodes(12, 12), kind: WindowKind::Down, from: secs(7200), until: secs(10800) }
        );
        let w = parse_window("rack r3 down at 5d for 30m", "k").unwrap();
        assert_eq!(w.target, Target::Rack("r3".into()));
        assert_eq!((w.from, w.until), (secs(5 * 86400), secs(5 * 86400 + 1800)));
        let w = parse_window("scheduler 1 down at 10s for 5s", "k").unwrap();
        assert_eq!((w.target, w.from, w.until), (Target::Scheduler(1), secs(10), secs(15)));
        assert!(parse_window("node 1 down 3h..2h", "k").is_err());
        assert!(parse_window("disk 1 down 1h..2h", "k").unwrap_err().to_string().contains("valid: node"));
    }

    #[test]
    fn mtbf_shorthand_is_exponential() {
        let s = LifetimeSpec {
            pool: Some("p".into()),
            rack: None,
            mtbf: Some(Duration::from_secs(100)),
            mttr: None,
            ttf: None,
            ttr: Some(Dist::Constant { value: Quantity(5.0) }),
        };
        let l = s.lifetimes("faults.pools[0]").unwrap();
        assert_eq!(l.ttf, Dist::Exponential { mean: Quantity(100.0) });
        let mut s2 = s.clone();
        s2.ttr = None;
        assert!(s2.lifetimes("k").unwrap_err().to_string().contains("mttr"));
    }
}
