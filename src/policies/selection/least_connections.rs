//! `least_connections`: the fitting node with the fewest running tasks; ties by preference, then node id.
//!
//! Index: a [`NodeTree`] keyed by running tasks, searched by branch and bound (subtrees that cannot
//! fit or cannot beat the best answer so far are skipped): O(log n) when the least-loaded nodes
//! have room.

use super::{Algorithm, Groups, NodeTree, Scoped, Task, wrap};
use crate::engine::ports::NodeSelector;
use crate::error::ScenarioError;
use crate::model::{Cluster, NodeIdx};
use crate::policies::{Params, PolicyEnv};

pub struct LeastConnections {
    trees: Scoped<NodeTree<u32>>,
}

pub fn build(p: &Params, env: &PolicyEnv) -> Result<Box<dyn NodeSelector>, ScenarioError> {
    wrap(p, env, |cluster, groups| LeastConnections {
        trees: Scoped::new(cluster, groups, |nodes| {
            NodeTree::new(nodes, &cluster.nodes, u32::MAX, |n| n.running_tasks)
        }),
    })
}

impl Algorithm for LeastConnections {
    fn pick(&mut self, task: &Task) -> Option<NodeIdx> {
        task.plan.best_by(|scope| {
            let tree = self.trees.get(scope);
            let (tasks, pos) = tree.min_fit(task.req, task.avoid)?;
            let node = tree.node(pos);
            Some((tasks, node as u64, node))
        })
    }

    fn node_changed(&mut self, cluster: &Cluster, groups: &Groups, n: NodeIdx) {
        let node = &cluster.nodes[n as usize];
        self.trees.update(groups, n, |t, pos| t.set(pos, node, node.running_tasks));
    }
}
