//! The closed set of events the simulation reacts to.

use crate::model::JobIdx;

/// Something that happens at one instant of simulated time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// A job is submitted to the scheduler.
    Arrival { job: JobIdx },
    /// A running job's last task ends. `epoch` is the job's attempt counter when the event was
    /// scheduled; a kill or preemption bumps the counter, which voids the event (lazy cancellation).
    Finish { job: JobIdx, epoch: u32 },
    /// Take a timeline sample.
    Sample,
}
