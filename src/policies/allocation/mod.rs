//! Resource allocation: how much a placed task gets. One file per algorithm; `REGISTRY` maps names to constructors.

mod greedy;

use super::{Params, PolicyEnv};
use crate::error::ScenarioError;
use crate::model::{Job, Node, Resources};

/// Decides the amount a task receives on the node chosen for it.
pub trait Allocator: Send {
    /// What one task of `job` gets on `node`; `node.free` is known to hold `job.request`.
    /// Rigid jobs get exactly their request under every allocator.
    fn grant(&mut self, job: &Job, node: &Node) -> Resources;
}

type Constructor = fn(&Params, &PolicyEnv) -> Result<Box<dyn Allocator>, ScenarioError>;

/// Every allocation algorithm by name. Adding one: a new file plus one line here.
pub const REGISTRY: &[(&str, Constructor)] = &[("greedy", greedy::build)];
