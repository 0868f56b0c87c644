//! The fault model as a component: its settings (`config`), its state (node failure processes and
//! scripted windows, per-job attempt state, checkpointing), the network (`network`), the node registry
//! (`registry`) and the control plane (`control`). Its event handlers live in `engine/sim/faults/`,
//! grouped by concern (node health and registry, dispatch and completion, control plane and gossip), and
//! the loop reaches them only through the hooks of `engine/sim/plane.rs`; this module holds the data and
//! the pure rules.

mod config;
pub mod control;
mod counters;
pub mod network;
pub mod registry;

pub use config::{FaultSetup, Lifetimes, NodeWindow, WindowKind};
pub use counters::FaultCounters;

use super::ports::{Policies, PolicyFactory, QueueDiscipline};
use crate::error::ScenarioError;
use crate::model::{Cluster, NodeIdx, Time, Workload};
use crate::rng::Rng;
use crate::rng::dist::Dist;
use control::ControlPlane;
use network::Network;
use registry::{Heartbeats, NodeHealth};
use std::collections::VecDeque;

/// Checkpointing of running jobs: a checkpoint after every `interval` of compute, each costing `cost` of wall time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Checkpointing {
    pub interval: Time,
    pub cost: Time,
}

impl Checkpointing {
    /// Checkpoints written by an attempt of `compute` time (none at the very end).
    pub fn count(&self, compute: Time) -> Time {
        compute.saturating_sub(1) / self.interval.max(1)
    }

    /// Wall time the checkpoints add to an attempt of `compute` time.
    pub fn overhead(&self, compute: Time) -> Time {
        self.count(compute) * self.cost
    }

    /// Checkpoints completed after `elapsed` wall time of an attempt of `compute` time.
    pub fn done(&self, elapsed: Time, compute: Time) -> Time {
        (elapsed / (self.interval + self.cost).max(1)).min(self.count(compute))
    }
}

/// Where the current attempt of a job stands, as the fault model sees it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Phase {
    /// Not dispatched (or the record moved on: see [`JobFault::epoch`]).
    #[default]
    Idle,
    /// Dispatched and accepted: in flight, running, or done with its completion notice on the way.
    Live,
    /// Its tasks died with a node; the scheduler does not know yet.
    Killed,
    /// Its dispatch will fail (dead or unreachable node, or a placement conflict) when the timeout expires.
    Failing,
}

/// Per-job state of the fault model.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct JobFault {
    pub phase: Phase,
    /// The record's epoch when `phase` was set; a phase from another epoch is stale (the job was preempted).
    pub epoch: u32,
    /// Kills by failures so far (restarts).
    pub restarts: u32,
    /// Some attempt of the job really started (its dispatch arrived).
    pub started_ever: bool,
    /// The current attempt's placement is booked on the shared cluster (false for a placement conflict).
    pub committed: bool,
    /// Compute time of the current attempt (wall time without checkpoint overhead).
    pub compute: Time,
}

/// Everything the fault model keeps during a run.
pub struct FaultLayer {
    pub t0: Time,
    /// Builds a partition's policies (and a fresh queue after a failover).
    pub factory: Box<dyn PolicyFactory>,
    pub hb: Heartbeats,
    pub rpc_timeout: Time,
    pub checkpoint: Option<Checkpointing>,
    pub max_retries: u32,
    pub retry_timeout: Time,
    pub net: Network,
    pub health: Vec<NodeHealth>,
    pub node_life: Vec<Option<Lifetimes>>,
    pub node_rng: Vec<Rng>,
    /// Next failure of each node's own process (`Time::MAX`: none pending).
    pub node_next_fail: Vec<Time>,
    pub rack_life: Vec<Option<Lifetimes>>,
    pub rack_rng: Vec<Rng>,
    pub rack_next_fail: Vec<Time>,
    pub rack_nodes: Vec<Vec<NodeIdx>>,
    pub node_rack: Vec<u16>,
    pub node_pool: Vec<u16>,
    /// Scripted windows (outages and partitions), absolute times.
    pub windows: Vec<NodeWindow>,
    /// Per node: indices of its windows by start time, and a cursor past those already started.
    node_windows: Vec<Vec<u32>>,
    window_cursor: Vec<u32>,
    pub jobs: Vec<JobFault>,
    /// Per node, the jobs whose accepted attempt holds capacity there (a few per node).
    pub node_jobs: Vec<Vec<crate::model::JobIdx>>,
    pub control: ControlPlane,
    /// Scripted scheduler crashes (absolute times).
    pub crashes: Vec<control::ScriptedCrash>,
}

/// Converts a draw in seconds to µs, at least 1 µs (so processes always move forward).
pub fn draw_us(d: &Dist, rng: &mut Rng) -> Time {
    ((d.sample(rng) * 1e6).round() as Time).max(1)
}

impl FaultLayer {
    /// Builds the run state; `policies` are partition 0's (the simulation's own), the others are built
    /// here by `factory`.
    pub fn build(
        setup: FaultSetup,
        cluster: &Cluster,
        workload: &Workload,
        policies: &Policies,
        factory: Box<dyn PolicyFactory>,
    ) -> Result<FaultLayer, ScenarioError> {
        let t0 = workload.jobs.first().map(|j| j.submit).unwrap_or(0);
        let n = cluster.nodes.len();
        let seed = setup.seed;
        let net = Network::new(setup.latencies, seed);
        let mut rack_nodes = vec![Vec::new(); cluster.racks.len()];
        for node in &cluster.nodes {
            rack_nodes[node.rack as usize].push(node.id);
        }
        let windows: Vec<NodeWindow> =
            setup.windows.iter().map(|w| NodeWindow { from: t0 + w.from, until: t0 + w.until, ..w.clone() }).collect();
        let mut node_windows = vec![Vec::new(); n];
        for (i, w) in windows.iter().enumerate() {
            for &x in &w.nodes {
                node_windows[x as usize].push(i as u32);
            }
        }
        for list in &mut node_windows {
            list.sort_by_key(|&i| (windows[i as usize].from, i));
        }
        let k = policies.recovery.partitions();
        let mut parts = Vec::new();
        for p in 1..k {
            parts.push(factory.build(p, cluster)?);
        }
        let gossip = policies.recovery.gossip_interval();
        let views = if k > 1 && gossip > 0 { vec![cluster.clone(); k] } else { Vec::new() };
        let lag = policies.recovery.replication_lag();
        let control = ControlPlane {
            k,
            serving: vec![true; k],
            down_since: vec![0; k],
            host_up: vec![true; k],
            host_back: vec![0; k],
            server: (0..k).collect(),
            taker: vec![None; k],
            generation: vec![0; k],
            parts,
            views,
            gossip,
            gossip_gen: 0,
            refused: Vec::new(),
            lag,
            recent: vec![VecDeque::new(); k],
            life: setup.sched_life.clone(),
            rng: (0..k).map(|p| crate::rng::stream(seed, &format!("scheduler-failures/{p}"))).collect(),
        };
        let crashes = setup.crashes.iter().map(|c| control::ScriptedCrash { at: t0 + c.at, ..*c }).collect();
        Ok(FaultLayer {
            t0,
            factory,
            hb: Heartbeats { t0, interval: setup.heartbeat_interval, timeout: setup.heartbeat_timeout },
            rpc_timeout: setup.rpc_timeout,
            checkpoint: setup.checkpoint,
            max_retries: setup.max_retries,
            retry_timeout: setup.retry_timeout,
            net,
            health: vec![NodeHealth::default(); n],
            node_rng: (0..n).map(|i| crate::rng::stream(seed, &format!("failures/node/{i}"))).collect(),
            node_life: setup.node_life,
            node_next_fail: vec![Time::MAX; n],
            rack_rng: (0..cluster.racks.len())
                .map(|r| crate::rng::stream(seed, &format!("failures/rack/{r}")))
                .collect(),
            rack_life: setup.rack_life,
            rack_next_fail: vec![Time::MAX; cluster.racks.len()],
            rack_nodes,
            node_rack: cluster.nodes.iter().map(|x| x.rack).collect(),
            node_pool: cluster.nodes.iter().map(|x| x.pool).collect(),
            windows,
            node_windows,
            window_cursor: vec![0; n],
            jobs: vec![JobFault::default(); workload.jobs.len()],
            node_jobs: vec![Vec::new(); n],
            control,
            crashes,
        })
    }

    /// The earliest time at or after `now` at which node `n` is known to go bad (`Time::MAX`: none known).
    pub fn next_bad(&mut self, n: NodeIdx, now: Time) -> Time {
        let i = n as usize;
        let list = &self.node_windows[i];
        let mut c = self.window_cursor[i] as usize;
        while c < list.len() && self.windows[list[c] as usize].from < now {
            c += 1;
        }
        self.window_cursor[i] = c as u32;
        let scripted = list.get(c).map(|&w| self.windows[w as usize].from).unwrap_or(Time::MAX);
        scripted.min(self.node_next_fail[i]).min(self.rack_next_fail[self.node_rack[i] as usize])
    }

    /// True when node `n` is up and reachable now and stays so until after `until`.
    #[inline]
    pub fn healthy_through(&mut self, n: NodeIdx, now: Time, until: Time) -> bool {
        !self.health[n as usize].bad() && self.next_bad(n, now) > until
    }

    /// When a message sent by node `n` at `t` leaves it: at `t`, or when the partitions covering `t` end.
    pub fn reachable_from(&self, n: NodeIdx, t: Time) -> Time {
        let mut t = t;
        loop {
            let covering = self.node_windows[n as usize]
                .iter()
                .map(|&w| &self.windows[w as usize])
                .filter(|w| w.kind == WindowKind::Unreachable && w.from <= t && t < w.until)
                .map(|w| w.until)
                .max();
            match covering {
                Some(end) => t = end,
                None => return t,
            }
        }
    }

    /// Records that `j`'s attempt holds capacity on `nodes`.
    pub fn hold(&mut self, j: crate::model::JobIdx, nodes: impl Iterator<Item = NodeIdx>) {
        for n in nodes {
            let list = &mut self.node_jobs[n as usize];
            if !list.contains(&j) {
                list.push(j);
            }
        }
    }

    /// Records that `j`'s attempt no longer holds capacity on `nodes`.
    pub fn unhold(&mut self, j: crate::model::JobIdx, nodes: impl Iterator<Item = NodeIdx>) {
        for n in nodes {
            let list = &mut self.node_jobs[n as usize];
            if let Some(i) = list.iter().position(|&x| x == j) {
                list.swap_remove(i);
            }
        }
    }

    /// A fresh queue discipline for partition `p` (a promoted replica rebuilds its queue from replicated state).
    pub fn fresh_queue(&self, p: usize, cluster: &Cluster) -> Result<Box<dyn QueueDiscipline>, ScenarioError> {
        self.factory.queue(p, cluster)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkpoint_arithmetic() {
        let c = Checkpointing { interval: 100, cost: 10 };
        assert_eq!(c.count(100), 0); // the end needs no checkpoint
        assert_eq!(c.count(350), 3);
        assert_eq!(c.overhead(350), 30);
        // 350 of compute runs for 380: checkpoints complete at 110, 220, 330.
        assert_eq!(c.done(109, 350), 0);
        assert_eq!(c.done(110, 350), 1);
        assert_eq!(c.done(379, 350), 3);
    }
}
