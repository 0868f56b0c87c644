//! Scheduler recovery: what happens when the scheduler itself fails. One file per mode; `BY_NAME` maps names to constructors.

mod active_standby;
mod decentralized;
mod hybrid;
mod none;
mod primary_replica;

use super::{Params, PolicyEnv};
pub use crate::engine::ports::{Crash, Recovery, SchedulerRecovery};
use crate::error::ScenarioError;
use crate::model::Time;

/// A standby host that takes over after `detection + delay`, unless the crashed host is repaired first.
/// `ready` is when the standby host is available; after a failover the crashed host becomes the standby.
pub fn standby_takeover(ready: &mut Time, c: &Crash, detection: Time, delay: Time) -> Recovery {
    let takeover = (c.at + detection).max(*ready) + delay;
    let repaired = c.at + c.repair;
    if takeover < repaired {
        *ready = repaired;
        Recovery::standby(takeover, 0)
    } else {
        Recovery::on_repair(c)
    }
}

type Constructor = fn(&Params, &PolicyEnv) -> Result<Box<dyn SchedulerRecovery>, ScenarioError>;

/// Every recovery mode by name. Adding one: a new file plus one line here.
pub const BY_NAME: &[(&str, Constructor)] = &[
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
