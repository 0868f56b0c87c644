//! `random`: a node drawn uniformly from the eligible nodes of the most preferred level that has a
//! fit; if the drawn node does not fit, the next one that does (in node order, wrapping around).
//!
//! Draws come from the policy's own random stream (derived from the scenario seed), so runs are
//! reproducible and comparable across policies. Cost: O(log n) per draw with a [`NodeTree`].

use super::{Algorithm, Groups, NodeTree, Scope, Scoped, Task, wrap};
use crate::engine::ports::NodeSelector;
use crate::error::ScenarioError;
use crate::model::{Cluster, NodeIdx};
use crate::policies::{Params, PolicyEnv};
use crate::rng::Rng;
use rand::{RngExt, SeedableRng};

/// Free-capacity trees per scope, and the draw shared by `random` and `power_of_two`.
pub struct Sampler {
    trees: Scoped<NodeTree<()>>,
}

impl Sampler {
    pub fn new(cluster: &Cluster, groups: &Groups) -> Self {
        Sampler { trees: Scoped::new(cluster, groups, |nodes| NodeTree::new(nodes, &cluster.nodes, (), |_| ())) }
    }

    pub fn node_changed(&mut self, cluster: &Cluster, groups: &Groups, n: NodeIdx) {
        let node = &cluster.nodes[n as usize];
        self.trees.update(groups, n, |t, pos| t.set(pos, node, ()));
    }

    /// One draw from the most preferred level that has a fitting node, with that level.
    pub fn sample<'p>(&self, task: &Task<'p>, rng: &mut Rng) -> Option<(NodeIdx, &'p [(Scope, u32)])> {
        for level in task.plan.levels() {
            if level.iter().any(|&(s, _)| self.trees.get(s).may_fit(task.req))
                && let Some(n) = self.draw(task, level, rng)
            {
                return Some((n, level));
            }
        }
        None
    }

    /// One draw: a uniform position over the level's nodes, then the first fitting node from there on.
    pub fn draw(&self, task: &Task, level: &[(Scope, u32)], rng: &mut Rng) -> Option<NodeIdx> {
        let total: usize = level.iter().map(|&(s, _)| self.trees.get(s).len()).sum();
        if total == 0 {
            return None;
        }
        let mut r = rng.random_range(0..total);
        let mut first = 0;
        while r >= self.trees.get(level[first].0).len() {
            r -= self.trees.get(level[first].0).len();
            first += 1;
        }
        // From position r of scope `first` to its end, the following scopes, then back round.
        for k in 0..=level.len() {
            let i = (first + k) % level.len();
            let tree = self.trees.get(level[i].0);
            let (lo, hi) = match k {
                0 => (r, tree.len()),
                k if k == level.len() => (0, r),
                _ => (0, tree.len()),
            };
            if let Some(pos) = tree.first_fit(lo, hi, task.req, task.avoid) {
                return Some(tree.node(pos));
            }
        }
        None
    }
}

pub struct Random {
    sampler: Sampler,
    rng: Rng,
}

pub fn build(p: &Params, env: &PolicyEnv) -> Result<Box<dyn NodeSelector>, ScenarioError> {
    let seed = env.seed;
    wrap(p, env, |cluster, groups| Random { sampler: Sampler::new(cluster, groups), rng: Rng::seed_from_u64(seed) })
}

impl Algorithm for Random {
    fn pick(&mut self, task: &Task) -> Option<NodeIdx> {
        self.sampler.sample(task, &mut self.rng).map(|(n, _)| n)
    }

    fn node_changed(&mut self, cluster: &Cluster, groups: &Groups, n: NodeIdx) {
        self.sampler.node_changed(cluster, groups, n);
    }
}
