//! The fault model's settings as plain data: failure processes, scripted windows and crashes, the
//! network's latencies, timeouts and checkpointing. `crate::scenario` builds them from `[faults]`,
//! `[network]` and `[scheduler]`; the engine never reads the schema.

use super::Checkpointing;
use crate::engine::faults::control::ScriptedCrash;
use crate::engine::faults::network::Latency;
use crate::model::{NodeIdx, Time};
use crate::rng::dist::Dist;

/// Time-to-failure and time-to-repair distributions (seconds).
#[derive(Clone, Debug, PartialEq)]
pub struct Lifetimes {
    pub ttf: Dist,
    pub ttr: Dist,
}

/// What happens to the target during the window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WindowKind {
    Down,
    Unreachable,
}

/// A scripted window over a set of nodes (times relative to the first submission until the run starts).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeWindow {
    pub nodes: Vec<NodeIdx>,
    pub kind: WindowKind,
    pub from: Time,
    pub until: Time,
}

/// The fault model of a run, resolved and checked against the cluster. A run without failures, without
/// latency and with one scheduler has none (the simulation then runs without the fault model).
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
    /// Latency of each message kind (dispatch, completion, heartbeat) per pool.
    pub latencies: Vec<[Latency; 3]>,
}
