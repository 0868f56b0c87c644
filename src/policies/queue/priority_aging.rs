//! `priority_aging`: static priority (the job's tier) plus a bonus that grows with the time waited, to stop starvation.
//!
//! priority(job, t) = `tier_weight` × tier + `age_weight` × (hours since submit).
//! The highest priority starts first if it fits; otherwise it blocks the queue (strict order, no
//! backfilling). With `age_weight = 0` this is strict priority, under which a low tier can starve
//! for as long as higher tiers keep arriving; with aging, a job of tier k overtakes any job of tier
//! k + 1 submitted more than `tier_weight / age_weight` hours after it.
//!
//! Because the bonus grows at the same rate for every waiting job, the order of two jobs never
//! changes while they wait: the queue is kept in one ordered set keyed by
//! `age_weight × submit_hours − tier_weight × tier` (lowest first; ties in submit order), so a
//! decision costs O(log Q) and nothing is re-sorted as time passes.

use super::QueueDiscipline;
use crate::engine::ctx::SchedCtx;
use crate::error::ScenarioError;
use crate::model::time::as_secs_f64;
use crate::model::{JobIdx, Time};
use crate::policies::{Params, PolicyEnv};
use std::cmp::Ordering;
use std::collections::BTreeSet;

/// A priority key with a total order (keys are finite).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Key(f64);

impl Eq for Key {}
impl PartialOrd for Key {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Key {
    fn cmp(&self, o: &Self) -> Ordering {
        self.0.total_cmp(&o.0)
    }
}

#[derive(Debug)]
pub struct PriorityAging {
    tier_weight: f64,
    age_weight: f64,
    queue: BTreeSet<(Key, Time, JobIdx)>,
}

pub fn build(p: &Params, _env: &PolicyEnv) -> Result<Box<dyn QueueDiscipline>, ScenarioError> {
    let tier_weight = p.f64_at_least("tier_weight", 1.0, 0.0)?;
    let age_weight = p.f64_at_least("age_weight", 1.0, 0.0)?;
    p.finish()?;
    Ok(Box::new(PriorityAging { tier_weight, age_weight, queue: BTreeSet::new() }))
}

impl PriorityAging {
    /// The job's priority at time `t`.
    #[cfg(test)]
    fn priority(&self, tier: u8, submit: Time, t: Time) -> f64 {
        self.tier_weight * tier as f64 + self.age_weight * as_secs_f64(t.saturating_sub(submit)) / 3600.0
    }
}

impl QueueDiscipline for PriorityAging {
    fn enqueue(&mut self, job: JobIdx, ctx: &mut SchedCtx<'_>) {
        let j = ctx.job(job);
        let key = self.age_weight * as_secs_f64(j.submit) / 3600.0 - self.tier_weight * j.tier as f64;
        self.queue.insert((Key(key), j.submit, job));
    }

    fn schedule(&mut self, ctx: &mut SchedCtx<'_>) {
        while let Some(&entry) = self.queue.first() {
            if !ctx.try_start(entry.2) {
                break;
            }
            self.queue.remove(&entry);
        }
    }

    fn len(&self) -> usize {
        self.queue.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_low_tier_job_overtakes_after_tier_weight_over_age_weight_hours() {
        let p = PriorityAging { tier_weight: 2.0, age_weight: 1.0, queue: BTreeSet::new() };
        let h = 3600 * crate::model::SECOND;
        // A tier-0 job submitted at 0 ties with a tier-1 job submitted at 2 h, whenever compared,
        // and beats one submitted at 3 h.
        assert_eq!(p.priority(0, 0, 5 * h), p.priority(1, 2 * h, 5 * h));
        assert_eq!(p.priority(0, 0, 2 * h), p.priority(1, 2 * h, 2 * h));
        assert_eq!(p.priority(0, 0, 5 * h), p.priority(1, 3 * h, 5 * h) + 1.0);
    }
}
