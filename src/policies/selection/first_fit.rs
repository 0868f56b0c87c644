//! `first_fit`: the fitting node with the lowest id (preferred nodes first).
//!
//! Index: a [`NodeTree`] of free capacity; the leftmost fitting leaf is found in O(log n).

use super::{Algorithm, Groups, NodeTree, Scoped, Task, wrap};
use crate::engine::ports::NodeSelector;
use crate::error::ScenarioError;
use crate::model::{Cluster, NodeIdx};
use crate::policies::{Params, PolicyEnv};

pub struct FirstFit {
    trees: Scoped<NodeTree<()>>,
}

pub fn build(p: &Params, env: &PolicyEnv) -> Result<Box<dyn NodeSelector>, ScenarioError> {
    wrap(p, env, |cluster, groups| FirstFit {
        trees: Scoped::new(cluster, groups, |nodes| NodeTree::new(nodes, &cluster.nodes, (), |_| ())),
    })
}

impl Algorithm for FirstFit {
    fn pick(&mut self, task: &Task) -> Option<NodeIdx> {
        task.plan.best_by(|scope| {
            let tree = self.trees.get(scope);
            let node = tree.node(tree.first_fit(0, tree.len(), task.req, task.avoid)?);
            Some(((), node as u64, node))
        })
    }

    fn node_changed(&mut self, cluster: &Cluster, groups: &Groups, n: NodeIdx) {
        let node = &cluster.nodes[n as usize];
        self.trees.update(groups, n, |t, pos| t.set(pos, node, ()));
    }
}
