//! `best_fit`: the fitting node left with the least free capacity: fewest free gpus, then cpus, then memory.
//!
//! Index: a [`FitSet`] (ordered set keyed by free capacity); a query seeks through the key space
//! in O(log n) per (gpu, cpu) level passed.

use super::{Algorithm, FitOrder, FitSet, Groups, Scoped, Task, wrap};
use crate::engine::ports::NodeSelector;
use crate::error::ScenarioError;
use crate::model::{Cluster, NodeIdx};
use crate::policies::{Params, PolicyEnv};

pub struct Fit {
    sets: Scoped<FitSet>,
}

impl Fit {
    pub fn new(order: FitOrder, cluster: &Cluster, groups: &Groups) -> Self {
        Fit { sets: Scoped::new(cluster, groups, |nodes| FitSet::new(order, nodes, &cluster.nodes)) }
    }
}

pub fn build(p: &Params, env: &PolicyEnv) -> Result<Box<dyn NodeSelector>, ScenarioError> {
    wrap(p, env, |cluster, groups| Fit::new(FitOrder::Tightest, cluster, groups))
}

impl Algorithm for Fit {
    fn pick(&mut self, task: &Task) -> Option<NodeIdx> {
        task.plan.best_by(|scope| {
            let (key, node) = self.sets.get(scope).first(task.req, task.avoid)?;
            Some((key, node as u64, node))
        })
    }

    fn node_changed(&mut self, cluster: &Cluster, groups: &Groups, n: NodeIdx) {
        let node = &cluster.nodes[n as usize];
        self.sets.update(groups, n, |s, pos| s.set(pos, node));
    }
}
