//! Resource allocation: how much a placed task gets. One file per algorithm; `REGISTRY` maps names to constructors.
//!
//! Besides the grant itself, an allocator may refuse a start (tier quotas, [`Allocator::admit`]),
//! name running jobs to evict to make room ([`Allocator::eviction_candidates`]), and grow the grants
//! of the malleable tasks placed at one instant once that instant's placements are done
//! ([`Allocator::end_round`]). Every hook has a neutral default.

mod greedy;
mod preemptive;
mod round_robin;
mod tiered;

use super::{Params, PolicyEnv};
use crate::engine::sched::World;
use crate::error::ScenarioError;
use crate::model::{Cluster, Job, JobIdx, Node, NodeIdx, Resources};

/// Decides the amount a task receives on the node chosen for it.
pub trait Allocator: Send {
    /// What one task of `job` gets on `node`; `node.free` is known to hold `job.request`.
    /// Rigid jobs get exactly their request under every allocator.
    fn grant(&mut self, job: &Job, node: &Node) -> Resources;

    /// Whether job `j` may start now as far as this policy's quotas go; asked before placement.
    fn admit(&mut self, _world: &World, _j: JobIdx) -> bool {
        true
    }

    /// Running jobs to evict, in order, when waiting job `j` cannot be placed (none by default).
    /// The engine evicts a prefix of them until `j` fits, and keeps any that turn out not to be in the way.
    /// Jobs started at the current instant are never evicted, nor, when `j` was stopped before, the
    /// jobs started at the instant it was stopped.
    fn eviction_candidates(&mut self, _world: &World, _j: JobIdx, _out: &mut Vec<JobIdx>) {}

    /// Whether an evicted job keeps its progress (checkpoint and resume) or loses it (kill and requeue).
    fn keeps_progress(&self) -> bool {
        false
    }

    /// Job `j` has just started (all its tasks are placed).
    fn started(&mut self, _world: &World, _j: JobIdx) {}

    /// The scheduling passes at one instant are over; `tasks` are the malleable tasks started at
    /// it, in placement order. The allocator may raise their `grant.cpu` up to `max_cpu`, within
    /// their node's free capacity (the engine then recomputes their runtimes).
    fn end_round(&mut self, _cluster: &Cluster, _tasks: &mut [RoundTask]) {}
}

/// One malleable task started in the current round.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoundTask {
    pub job: JobIdx,
    /// Index of the task in the job's placement.
    pub task: usize,
    pub node: NodeIdx,
    pub grant: Resources,
    pub max_cpu: u64,
}

/// The cores a greedy grant gives a task of `job` on `node`: all free cores up to its maximum,
/// never fewer than its request, never more than `cap` beyond its request.
pub fn greedy_cpu(job: &Job, node: &Node, cap: u64) -> u64 {
    match job.malleable() {
        None => job.request.cpu,
        Some(m) => {
            let extra = node.free.cpu.min(m.max_cpu).saturating_sub(job.request.cpu);
            job.request.cpu + extra.min(cap)
        }
    }
}

type Constructor = fn(&Params, &PolicyEnv) -> Result<Box<dyn Allocator>, ScenarioError>;

/// Every allocation algorithm by name. Adding one: a new file plus one line here.
pub const REGISTRY: &[(&str, Constructor)] = &[
    ("greedy", greedy::build),
    ("round_robin", round_robin::build),
    ("preemptive", preemptive::build),
    ("tiered", tiered::build),
];
