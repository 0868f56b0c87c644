//! `fifo`: jobs start in submit order; the head blocks everyone behind it (no backfilling).

use super::QueueDiscipline;
use crate::engine::ctx::SchedCtx;
use crate::error::ScenarioError;
use crate::model::{JobIdx, Time};
use crate::policies::{Params, PolicyEnv};
use std::collections::BTreeSet;

/// Waiting jobs keyed by (submit time, index), so a requeued job returns to its original place.
#[derive(Debug, Default)]
pub struct Fifo {
    queue: BTreeSet<(Time, JobIdx)>,
}

pub fn build(p: &Params, _env: &PolicyEnv) -> Result<Box<dyn QueueDiscipline>, ScenarioError> {
    p.finish()?;
    Ok(Box::new(Fifo::default()))
}

impl QueueDiscipline for Fifo {
    fn enqueue(&mut self, job: JobIdx, ctx: &mut SchedCtx<'_>) {
        self.queue.insert((ctx.job(job).submit, job));
    }

    fn schedule(&mut self, ctx: &mut SchedCtx<'_>) {
        while let Some(&(submit, job)) = self.queue.first() {
            if !ctx.try_start(job) {
                break;
            }
            self.queue.remove(&(submit, job));
        }
    }

    fn len(&self) -> usize {
        self.queue.len()
    }
}
