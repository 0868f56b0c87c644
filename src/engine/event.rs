//! The closed set of events the simulation reacts to.

use crate::model::{JobIdx, NodeIdx, Time};

/// Something that happens at one instant of simulated time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// A job is submitted to the scheduler.
    Arrival {
        job: JobIdx,
    },
    /// A running job's last task ends. `epoch` is the job's attempt counter when the event was
    /// scheduled; a kill or preemption bumps the counter, which voids the event (lazy cancellation).
    /// With network latency this is when the scheduler receives the completion notice.
    Finish {
        job: JobIdx,
        epoch: u32,
    },
    /// Take a timeline sample.
    Sample,
    /// A held job's think time after its last dependency completed has passed: it enters the queue.
    ThinkTimeOver {
        job: JobIdx,
    },
    // ---- the fault model (engine/faults, engine/sim/faults) ----
    /// A node's own failure process takes it down; `NodeRepair` brings it back.
    NodeFail {
        node: NodeIdx,
    },
    NodeRepair {
        node: NodeIdx,
    },
    /// A correlated failure takes a whole rack down; `RackRepair` brings it back.
    RackFail {
        rack: u16,
    },
    RackRepair {
        rack: u16,
    },
    /// A scripted outage or partition window begins or ends.
    Window {
        index: u32,
        begin: bool,
    },
    /// The registry's heartbeat deadline for a node's failure episode expires.
    NodeDetected {
        node: NodeIdx,
        episode: u32,
    },
    /// A node that came back is heard by the registry again.
    NodeRegistered {
        node: NodeIdx,
        episode: u32,
    },
    /// A dispatch to a dead or unreachable node timed out, or a conflicting placement was refused.
    DispatchFailed {
        job: JobIdx,
        epoch: u32,
    },
    /// A client submits again a job whose submission bounced or was lost.
    Resubmit {
        job: JobIdx,
    },
    /// The active scheduler of a partition crashes; `repair` is its host's repair time (None: drawn).
    SchedulerCrash {
        partition: u32,
        repair: Option<Time>,
    },
    /// A partition is scheduled again (by a standby, a promoted replica, a peer, or the repaired host).
    SchedulerResume {
        partition: u32,
        generation: u32,
    },
    /// A scheduler host whose partitions were taken over by peers (or who served none) is repaired; it
    /// can take partitions over again.
    SchedulerRepaired {
        host: u32,
    },
    /// Schedulers exchange node state.
    Gossip,
}

impl Event {
    /// True for the events of the fault model (ignored once every job has finished).
    #[inline]
    pub fn is_fault(&self) -> bool {
        !matches!(self, Event::Arrival { .. } | Event::Finish { .. } | Event::Sample | Event::ThinkTimeOver { .. })
    }
}
