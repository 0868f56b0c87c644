//! Queue disciplines: which waiting job goes next. One file per discipline; `REGISTRY` maps names to constructors.

mod accounts;
mod conservative_backfill;
mod easy_backfill;
mod fair_share;
mod fifo;
mod priority_aging;
pub mod profile;
mod proportional;
mod srtf;
mod view;

use super::{Params, PolicyEnv};
use crate::engine::sched::SchedCtx;
use crate::error::ScenarioError;
use crate::model::JobIdx;

/// Owns the queue of waiting jobs and decides, at each scheduling pass, which of them start.
pub trait QueueDiscipline: Send {
    /// `job` becomes eligible to run: submitted with its dependencies met, or requeued after a kill.
    fn enqueue(&mut self, job: JobIdx, ctx: &mut SchedCtx<'_>);

    /// Starts the jobs that should start now, by calling [`SchedCtx::try_start`].
    fn schedule(&mut self, ctx: &mut SchedCtx<'_>);

    /// Number of waiting jobs.
    fn len(&self) -> usize;

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A running job ended (completed, failed or was killed); for usage accounting.
    fn job_ended(&mut self, _job: JobIdx, _ctx: &mut SchedCtx<'_>) {}

    /// True when the discipline reads [`SchedCtx::running`] (the running jobs by estimated end); the
    /// engine keeps that index only then.
    fn reads_running_by_estimate(&self) -> bool {
        false
    }
}

type Constructor = fn(&Params, &PolicyEnv) -> Result<Box<dyn QueueDiscipline>, ScenarioError>;

/// Every queue discipline by name. Adding one: a new file plus one line here.
pub const REGISTRY: &[(&str, Constructor)] = &[
    ("fifo", fifo::build),
    ("srtf", srtf::build),
    ("fair_share", fair_share::build),
    ("proportional", proportional::build),
    ("easy_backfill", easy_backfill::build),
    ("conservative_backfill", conservative_backfill::build),
    ("priority_aging", priority_aging::build),
];
