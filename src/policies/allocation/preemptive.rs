//! `preemptive`: when a waiting job cannot be placed, running jobs of lower tiers are evicted to
//! make room: lowest tier first, and within a tier the most recently started first (the least
//! work to lose). Only the victims actually in the way are evicted; they go back to the queue.
//!
//! Parameter `mode`: `"kill"` (default: kill and requeue, the work done is lost and counted) or
//! `"checkpoint"` (checkpoint and resume: the job later continues where it stopped).
//! Malleable tasks are granted as `greedy` does. Cost of a decision that evicts: O(log r) per
//! candidate looked at (r = running jobs indexed), plus one placement attempt per victim.

use super::{Allocator, greedy_cpu};
use crate::engine::world::{JobState, World};
use crate::error::ScenarioError;
use crate::model::{Job, JobIdx, Node, Resources, Time};
use crate::policies::{Params, PolicyEnv};
use std::cmp::Reverse;
use std::collections::BTreeSet;

/// Entry of the eviction index: tier, start (latest first), job (highest index first).
type Entry = (u8, Reverse<Time>, Reverse<JobIdx>);

#[derive(Debug, Default)]
pub struct Preemptive {
    checkpoint: bool,
    /// Started jobs in eviction order; entries of jobs no longer running are dropped when met.
    running: BTreeSet<Entry>,
}

pub fn build(p: &Params, _env: &PolicyEnv) -> Result<Box<dyn Allocator>, ScenarioError> {
    let checkpoint = p.choice("mode", "kill", &["kill", "checkpoint"])? == "checkpoint";
    p.finish()?;
    Ok(Box::new(Preemptive { checkpoint, running: BTreeSet::new() }))
}

impl Allocator for Preemptive {
    fn grant(&mut self, job: &Job, node: &Node) -> Resources {
        Resources { cpu: greedy_cpu(job, node, u64::MAX), ..job.request }
    }

    fn started(&mut self, world: &World, j: JobIdx) {
        let rec = world.record(j);
        self.running.insert((world.job(j).tier, Reverse(rec.start), Reverse(j)));
    }

    fn eviction_candidates(&mut self, world: &World, j: JobIdx, out: &mut Vec<JobIdx>) {
        let tier = world.job(j).tier;
        let mut stale = Vec::new();
        for &e in self.running.range(..(tier, Reverse(Time::MAX), Reverse(JobIdx::MAX))) {
            let (_, Reverse(start), Reverse(v)) = e;
            let rec = world.record(v);
            if rec.state == JobState::Running && rec.start == start {
                out.push(v);
            } else {
                stale.push(e);
            }
        }
        for e in stale {
            self.running.remove(&e);
        }
    }

    fn keeps_progress(&self) -> bool {
        self.checkpoint
    }
}
