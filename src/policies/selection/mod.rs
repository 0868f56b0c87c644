//! Node selection: which node a task goes to. One file per algorithm; `REGISTRY` maps names to constructors.

mod free_index;
mod round_robin;

pub use free_index::FreeIndex;

use super::{Params, PolicyEnv};
use crate::error::ScenarioError;
use crate::model::{Cluster, Job, Node, NodeIdx, Resources};

/// Chooses a node for one task at a time. Gets a read-only view of the cluster and returns a decision.
pub trait NodeSelector: Send {
    /// A node for one task of `job` asking `req`, or `None` when no node fits.
    /// `placed` holds the nodes already chosen for this job's earlier tasks in this attempt.
    fn select(&mut self, cluster: &Cluster, job: &Job, req: &Resources, placed: &[NodeIdx]) -> Option<NodeIdx>;

    /// Told after node `node`'s free capacity, task count or up state changed (for index upkeep).
    fn node_changed(&mut self, _cluster: &Cluster, _node: NodeIdx) {}
}

/// True when `node` can take one more task of `job` asking `req`: up, eligible, enough free capacity,
/// and (under anti-affinity) not already used by this job.
#[inline]
pub fn can_host(cluster: &Cluster, node: &Node, job: &Job, req: &Resources, placed: &[NodeIdx]) -> bool {
    node.up
        && req.fits_in(&node.free)
        && cluster.eligible(node, job)
        && !(job.anti_affinity && placed.contains(&node.id))
}

type Constructor = fn(&Params, &PolicyEnv) -> Result<Box<dyn NodeSelector>, ScenarioError>;

/// Every node-selection algorithm by name. Adding one: a new file plus one line here.
pub const REGISTRY: &[(&str, Constructor)] = &[("round_robin", round_robin::build)];
