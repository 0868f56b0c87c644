//! Resource allocation: how much a placed task gets. One file per algorithm; `BY_NAME` maps names to constructors.
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
pub use crate::engine::ports::{Allocator, RoundTask};
use crate::error::ScenarioError;
use crate::model::{Job, Node};

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
pub const BY_NAME: &[(&str, Constructor)] = &[
    ("greedy", greedy::build),
    ("round_robin", round_robin::build),
    ("preemptive", preemptive::build),
    ("tiered", tiered::build),
];
