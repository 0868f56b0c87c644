//! `power_of_two`: draw two nodes as `random` does and take the one with fewer running tasks (ties
//! by node id): near-least-loaded balance at the cost of two O(log n) draws, without a global view.

use super::random::Sampler;
use super::{Algorithm, Groups, Task, wrap};
use crate::engine::ports::NodeSelector;
use crate::error::ScenarioError;
use crate::model::{Cluster, NodeIdx};
use crate::policies::{Params, PolicyEnv};
use crate::rng::Rng;
use rand::SeedableRng;

pub struct PowerOfTwo {
    sampler: Sampler,
    rng: Rng,
}

pub fn build(p: &Params, env: &PolicyEnv) -> Result<Box<dyn NodeSelector>, ScenarioError> {
    let seed = env.seed;
    wrap(p, env, |cluster, groups| PowerOfTwo { sampler: Sampler::new(cluster, groups), rng: Rng::seed_from_u64(seed) })
}

impl Algorithm for PowerOfTwo {
    fn pick(&mut self, task: &Task) -> Option<NodeIdx> {
        let (a, level) = self.sampler.sample(task, &mut self.rng)?;
        let b = self.sampler.draw(task, level, &mut self.rng)?;
        let load = |n: NodeIdx| (task.cluster.nodes[n as usize].running_tasks, n);
        Some(if load(b) < load(a) { b } else { a })
    }

    fn node_changed(&mut self, cluster: &Cluster, groups: &Groups, n: NodeIdx) {
        self.sampler.node_changed(cluster, groups, n);
    }
}
