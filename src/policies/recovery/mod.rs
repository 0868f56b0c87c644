//! Scheduler recovery: what happens when the scheduler itself fails. One file per mode; `REGISTRY` maps names to constructors.

mod none;

use super::{Params, PolicyEnv};
use crate::error::ScenarioError;
use crate::model::Time;

/// Decides when scheduling resumes after a scheduler failure.
pub trait SchedulerRecovery: Send {
    /// The time scheduling resumes after the scheduler failed at `failed_at` and its host is
    /// repaired at `repaired_at`.
    fn resume_at(&mut self, failed_at: Time, repaired_at: Time) -> Time;
}

type Constructor = fn(&Params, &PolicyEnv) -> Result<Box<dyn SchedulerRecovery>, ScenarioError>;

/// Every recovery mode by name. Adding one: a new file plus one line here.
pub const REGISTRY: &[(&str, Constructor)] = &[("none", none::build)];
