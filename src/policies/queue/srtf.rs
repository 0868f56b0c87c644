//! `srtf`: shortest remaining estimated time first; a shorter job may suspend longer running ones (`preempt = false`: SJF).
//!
//! Waiting jobs are ordered by their remaining *estimated* time (estimate + preemption overhead −
//! time already run; ties in submit order) and start in that order while they fit; the first that
//! does not fit blocks the rest. With `preempt = true` (the default) that blocked job may suspend
//! running jobs whose remaining estimate is strictly longer than its own, longest first, until it
//! can start — but only if suspending all eligible jobs would free enough capacity (cluster-wide), so
//! no job is suspended in vain on an unfragmented cluster. A suspended job keeps its progress and
//! returns to the queue; each suspension adds `suspend_cost + resume_cost` of work to it (writing and
//! reloading its state), counted as lost work; suspensions are counted as preemptions.
//!
//! Cost: O(log Q) per start; a preemption decision walks the running jobs from the longest, O(v log R)
//! for v victims considered.

use super::QueueDiscipline;
use super::profile::Amount;
use super::view::held;
use crate::engine::ctx::SchedCtx;
use crate::engine::world::JobState;
use crate::error::ScenarioError;
use crate::model::{JobIdx, Time};
use crate::policies::{Params, PolicyEnv};
use std::collections::BTreeSet;

#[derive(Debug, Default)]
pub struct Srtf {
    preempt: bool,
    /// Work added to a job each time it is suspended (µs).
    overhead_per_suspend: Time,
    /// Waiting jobs by (remaining estimate, submit time, index).
    queue: BTreeSet<(Time, Time, JobIdx)>,
    /// Running jobs started here, by (expected end of their remaining estimate, index).
    running: BTreeSet<(Time, JobIdx)>,
    /// Per job: expected end while running (key into `running`), and overhead added so far.
    expected_end: Vec<Time>,
    overhead: Vec<Time>,
}

pub fn build(p: &Params, _env: &PolicyEnv) -> Result<Box<dyn QueueDiscipline>, ScenarioError> {
    let preempt = p.bool("preempt", true)?;
    let suspend = p.duration("suspend_cost", 0)?;
    let resume = p.duration("resume_cost", 0)?;
    p.finish()?;
    Ok(Box::new(Srtf { preempt, overhead_per_suspend: suspend + resume, ..Default::default() }))
}

impl Srtf {
    fn ensure(&mut self, n: usize) {
        if self.expected_end.len() < n {
            self.expected_end.resize(n, 0);
            self.overhead.resize(n, 0);
        }
    }

    /// The remaining estimated time of waiting job `j`.
    fn remaining_estimate(&self, ctx: &SchedCtx<'_>, j: JobIdx) -> Time {
        (ctx.job(j).estimate + self.overhead[j as usize]).saturating_sub(ctx.record(j).ran)
    }

    fn forget_running(&mut self, j: JobIdx) {
        let end = std::mem::take(&mut self.expected_end[j as usize]);
        self.running.remove(&(end, j));
    }

    fn start(&mut self, ctx: &mut SchedCtx<'_>, key: (Time, Time, JobIdx)) -> bool {
        let (remaining, _, j) = key;
        if !ctx.try_start(j) {
            return false;
        }
        self.queue.remove(&key);
        let end = ctx.now() + remaining;
        self.expected_end[j as usize] = end;
        self.running.insert((end, j));
        true
    }

    /// Suspends running jobs with a longer remaining estimate than `remaining` until `key` starts.
    fn preempt_for(&mut self, ctx: &mut SchedCtx<'_>, key: (Time, Time, JobIdx)) -> bool {
        let (remaining, _, j) = key;
        let now = ctx.now();
        let req = Amount::of(&ctx.job(j).total_request());
        let mut avail = Amount::of(&ctx.cluster().free_total);
        let mut victims = Vec::new();
        for &(end, v) in self.running.iter().rev() {
            if end.saturating_sub(now) <= remaining {
                break;
            }
            if ctx.record(v).state != JobState::Running {
                continue;
            }
            victims.push(v);
            avail.add(&Amount::of(&held(ctx, v)));
            if avail.holds(&req) {
                break;
            }
        }
        if !avail.holds(&req) {
            // stable texts: `explain` shows a reason once, until it changes
            ctx.note_wait(j, || {
                if victims.is_empty() {
                    "no running job has a longer remaining estimate to suspend".into()
                } else {
                    "suspending every running job with a longer remaining estimate would not free enough".into()
                }
            });
            return false;
        }
        for v in victims {
            self.forget_running(v);
            ctx.preempt(v, true);
            if self.overhead_per_suspend > 0 {
                self.overhead[v as usize] += self.overhead_per_suspend;
                ctx.add_overhead(v, self.overhead_per_suspend);
            }
            let key_v = (self.remaining_estimate(ctx, v), ctx.job(v).submit, v);
            self.queue.insert(key_v);
            if self.start(ctx, key) {
                return true;
            }
        }
        false
    }
}

impl QueueDiscipline for Srtf {
    fn enqueue(&mut self, job: JobIdx, ctx: &mut SchedCtx<'_>) {
        self.ensure(ctx.jobs().len());
        self.forget_running(job); // requeued from outside (a failure, another preemption)
        let key = (self.remaining_estimate(ctx, job), ctx.job(job).submit, job);
        self.queue.insert(key);
    }

    fn schedule(&mut self, ctx: &mut SchedCtx<'_>) {
        while let Some(&key) = self.queue.first() {
            if self.start(ctx, key) {
                continue;
            }
            if !(self.preempt && self.preempt_for(ctx, key)) {
                break;
            }
        }
    }

    fn job_ended(&mut self, job: JobIdx, _ctx: &mut SchedCtx<'_>) {
        if (job as usize) < self.expected_end.len() {
            self.forget_running(job);
        }
    }

    fn len(&self) -> usize {
        self.queue.len()
    }
}
