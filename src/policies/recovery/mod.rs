//! Scheduler recovery: what happens when the scheduler itself fails. One file per mode; `REGISTRY` maps names to constructors.

mod active_standby;
mod decentralized;
mod hybrid;
mod none;
mod primary_replica;

use super::{Params, PolicyEnv};
use crate::error::ScenarioError;
use crate::model::Time;

/// One crash of the active scheduler of a partition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Crash {
    /// The partition whose active scheduler crashed (0 when there is one scheduler).
    pub partition: usize,
    /// When it crashed.
    pub at: Time,
    /// How long its host takes to be repaired.
    pub repair: Time,
    /// Other partitions whose scheduler is serving at the crash (peers that could take over).
    pub peers_serving: usize,
}

/// What a recovery mode makes of a crash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Recovery {
    /// When the partition is scheduled again.
    pub resume_at: Time,
    /// True when another host (standby, replica or peer) took over, false when the crashed host came back.
    pub failover: bool,
    /// Submissions accepted in `(at - lost_window, at]` and still waiting are lost (not yet replicated).
    pub lost_window: Time,
}

impl Recovery {
    /// The crashed host itself comes back when repaired; its state is durable, nothing is lost.
    pub fn on_repair(c: &Crash) -> Recovery {
        Recovery { resume_at: c.at + c.repair, failover: false, lost_window: 0 }
    }
}

/// Decides how the control plane is laid out and how it comes back after a scheduler crash.
pub trait SchedulerRecovery: Send {
    /// Number of schedulers, each owning a partition of the submissions (job index mod K).
    fn partitions(&self) -> usize {
        1
    }

    /// How often schedulers of different partitions exchange node state (0: they share it, never stale).
    fn gossip_interval(&self) -> Time {
        0
    }

    /// How far replicas lag behind the active scheduler (0: state is shared and durable).
    fn replication_lag(&self) -> Time {
        0
    }

    /// When scheduling of the crashed partition resumes, and what is lost.
    fn on_crash(&mut self, crash: &Crash) -> Recovery;
}

/// A standby host that takes over after `detection + delay`, unless the crashed host is repaired first.
/// `ready` is when the standby host is available; after a failover the crashed host becomes the standby.
pub fn standby_takeover(ready: &mut Time, c: &Crash, detection: Time, delay: Time) -> Recovery {
    let takeover = (c.at + detection).max(*ready) + delay;
    let repaired = c.at + c.repair;
    if takeover < repaired {
        *ready = repaired;
        Recovery { resume_at: takeover, failover: true, lost_window: 0 }
    } else {
        Recovery::on_repair(c)
    }
}

type Constructor = fn(&Params, &PolicyEnv) -> Result<Box<dyn SchedulerRecovery>, ScenarioError>;

/// Every recovery mode by name. Adding one: a new file plus one line here.
pub const REGISTRY: &[(&str, Constructor)] = &[
    ("none", none::build),
    ("active_standby", active_standby::build),
    ("primary_replica", primary_replica::build),
    ("decentralized", decentralized::build),
    ("hybrid", hybrid::build),
];

/// Default failure-detection timeout of the control plane.
pub const DEFAULT_DETECTION: Time = 10 * crate::model::SECOND;
/// Default takeover (and election) delay.
pub const DEFAULT_TAKEOVER: Time = 5 * crate::model::SECOND;
