//! `FaultSetup`: the `[faults]`, `[network]` and `[scheduler]` sections checked and resolved against the cluster.

use super::Checkpointing;
use crate::engine::control::ScriptedCrash;
use crate::engine::network::Network;
use crate::error::ScenarioError;
use crate::model::{Cluster, NodeIdx, Time};
use crate::policies::PolicySet;
use crate::scenario::Scenario;
use crate::scenario::faults::{Lifetimes, NetworkSpec, Target, WindowKind, parse_window, window_nodes};

/// A scripted window over a set of nodes (times relative to the first submission until the run starts).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeWindow {
    pub nodes: Vec<NodeIdx>,
    pub kind: WindowKind,
    pub from: Time,
    pub until: Time,
}

/// The fault model of a scenario, resolved and checked; `None` from [`FaultSetup::from_scenario`] when the
/// scenario has no failures, no latency and one scheduler (the simulation then runs without it).
#[derive(Clone, Debug)]
pub struct FaultSetup {
    pub seed: u64,
    pub heartbeat_interval: Time,
    pub heartbeat_timeout: Time,
    pub rpc_timeout: Time,
    pub checkpoint: Option<Checkpointing>,
    pub max_retries: u32,
    pub retry_timeout: Time,
    /// Failure process of each node (its pool's), and of each rack.
    pub node_life: Vec<Option<Lifetimes>>,
    pub rack_life: Vec<Option<Lifetimes>>,
    pub windows: Vec<NodeWindow>,
    pub sched_life: Option<Lifetimes>,
    pub crashes: Vec<ScriptedCrash>,
    pub network: NetworkSpec,
    /// The policies, to build one set per scheduler partition.
    pub policy: PolicySet,
}

impl FaultSetup {
    /// Checks the fault sections of `sc` against `cluster` and a control plane of `partitions` schedulers.
    pub fn from_scenario(
        sc: &Scenario,
        seed: u64,
        cluster: &Cluster,
        partitions: usize,
    ) -> Result<Option<FaultSetup>, ScenarioError> {
        let f = &sc.faults;
        let positive = |d: Time, key: &str| {
            if d == 0 { Err(ScenarioError::invalid(key, "must be greater than zero")) } else { Ok(d) }
        };
        let heartbeat_interval = positive(f.heartbeat_interval.0, "faults.heartbeat_interval")?;
        let heartbeat_timeout = positive(f.heartbeat_timeout.0, "faults.heartbeat_timeout")?;
        if heartbeat_timeout < heartbeat_interval {
            return Err(ScenarioError::invalid(
                "faults.heartbeat_timeout",
                "must be at least heartbeat_interval (or every node would look dead between heartbeats)",
            ));
        }
        let checkpoint = match f.checkpoint_interval {
            Some(i) => Some(Checkpointing {
                interval: positive(i.0, "faults.checkpoint_interval")?,
                cost: f.checkpoint_cost.0,
            }),
            None if f.checkpoint_cost.0 > 0 => {
                return Err(ScenarioError::invalid("faults.checkpoint_cost", "needs faults.checkpoint_interval"));
            }
            None => None,
        };

        let mut node_life = vec![None; cluster.nodes.len()];
        for (i, spec) in f.pools.iter().enumerate() {
            let key = format!("faults.pools[{i}]");
            if spec.rack.is_some() {
                return Err(ScenarioError::invalid(format!("{key}.rack"), "racks fail in [[faults.racks]]"));
            }
            let life = spec.lifetimes(&key)?;
            let pools = pools_named(cluster, spec.pool.as_deref(), &format!("{key}.pool"))?;
            for node in cluster.nodes.iter().filter(|n| pools.contains(&n.pool)) {
                node_life[node.id as usize] = Some(life.clone());
            }
        }
        let mut rack_life = vec![None; cluster.racks.len()];
        for (i, spec) in f.racks.iter().enumerate() {
            let key = format!("faults.racks[{i}]");
            let life = spec.lifetimes(&key)?;
            let racks: Vec<u16> = match (&spec.rack, &spec.pool) {
                (Some(r), None) if r == "*" => (0..cluster.racks.len() as u16).collect(),
                (Some(r), None) => match cluster.racks.iter().position(|x| x == r) {
                    Some(x) => vec![x as u16],
                    None => {
                        return Err(ScenarioError::invalid(
                            format!("{key}.rack"),
                            format!("unknown rack `{r}` (valid racks: {})", cluster.racks.join(", ")),
                        ));
                    }
                },
                (None, pool) => {
                    let pools = pools_named(cluster, pool.as_deref(), &format!("{key}.pool"))?;
                    let mut racks: Vec<u16> =
                        cluster.nodes.iter().filter(|n| pools.contains(&n.pool)).map(|n| n.rack).collect();
                    racks.sort_unstable();
                    racks.dedup();
                    racks
                }
                (Some(_), Some(_)) => {
                    return Err(ScenarioError::invalid(key, "give `rack` or `pool`, not both"));
                }
            };
            for r in racks {
                rack_life[r as usize] = Some(life.clone());
            }
        }

        let mut windows = Vec::new();
        let scripted = f.outages.iter().enumerate().map(|(i, t)| (format!("faults.outages[{i}]"), t, WindowKind::Down));
        let parts = sc
            .network
            .partitions
            .iter()
            .enumerate()
            .map(|(i, t)| (format!("network.partitions[{i}]"), t, WindowKind::Unreachable));
        for (key, text, kind) in scripted.chain(parts) {
            let w = parse_window(text, &key)?;
            if w.kind != kind {
                let want = if kind == WindowKind::Down { "down" } else { "unreachable" };
                return Err(ScenarioError::invalid(key, format!("`{text}`: expected `{want}` here")));
            }
            let nodes = window_nodes(&w, cluster, &key)?;
            windows.push(NodeWindow { nodes, kind, from: w.from, until: w.until });
        }

        let mut crashes = Vec::new();
        for (i, text) in sc.scheduler.crashes.iter().enumerate() {
            let key = format!("scheduler.crashes[{i}]");
            let w = parse_window(text, &key)?;
            match (w.target, w.kind) {
                (Target::Scheduler(p), WindowKind::Down) if (p as usize) < partitions => {
                    crashes.push(ScriptedCrash { partition: p, at: w.from, repair: w.until - w.from })
                }
                (Target::Scheduler(p), WindowKind::Down) => {
                    return Err(ScenarioError::invalid(
                        key,
                        format!("scheduler {p} does not exist (the recovery mode runs {partitions}, numbered from 0)"),
                    ));
                }
                _ => {
                    return Err(ScenarioError::invalid(
                        key,
                        format!("`{text}`: expected \"scheduler K down at T for D\""),
                    ));
                }
            }
        }
        let sched_life = sc.scheduler.lifetimes()?;
        let instant = Network::build(&sc.network, cluster, seed)?.is_instant();

        let inert = node_life.iter().all(Option::is_none)
            && rack_life.iter().all(Option::is_none)
            && windows.is_empty()
            && crashes.is_empty()
            && sched_life.is_none()
            && instant
            && partitions == 1;
        if inert {
            return Ok(None);
        }
        Ok(Some(FaultSetup {
            seed,
            heartbeat_interval,
            heartbeat_timeout,
            rpc_timeout: f.rpc_timeout.0,
            checkpoint,
            max_retries: f.max_retries.unwrap_or(u32::MAX),
            retry_timeout: positive(sc.scheduler.retry_timeout.0, "scheduler.retry_timeout")?,
            node_life,
            rack_life,
            windows,
            sched_life,
            crashes,
            network: sc.network.clone(),
            policy: sc.policy.clone(),
        }))
    }
}

/// Pool indices named by `name` (`"*"` or absent: all pools).
fn pools_named(cluster: &Cluster, name: Option<&str>, key: &str) -> Result<Vec<u16>, ScenarioError> {
    match name {
        None | Some("*") => Ok((0..cluster.pools.len() as u16).collect()),
        Some(name) => match cluster.pools.iter().position(|p| p.name == name) {
            Some(i) => Ok(vec![i as u16]),
            None => {
                let valid: Vec<&str> = cluster.pools.iter().map(|p| p.name.as_str()).collect();
                Err(ScenarioError::invalid(
                    key,
                    format!("unknown pool `{name}` (valid pools: {}, *)", valid.join(", ")),
                ))
            }
        },
    }
}
