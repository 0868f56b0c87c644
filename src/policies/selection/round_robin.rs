//! `round_robin`: a cursor walks the node list; the first node from the cursor on that fits wins, and the cursor moves past it.
//!
//! Index: a [`NodeTree`] of free capacity, so "the first fitting node at or after the cursor" is
//! O(log n) instead of a walk over full nodes.

use super::{Algorithm, Groups, NodeTree, Scope, Scoped, Task, wrap};
use crate::engine::ports::NodeSelector;
use crate::error::ScenarioError;
use crate::model::{Cluster, NodeIdx};
use crate::policies::{Params, PolicyEnv};

pub struct RoundRobin {
    cursor: usize,
    trees: Scoped<NodeTree<()>>,
}

pub fn build(p: &Params, env: &PolicyEnv) -> Result<Box<dyn NodeSelector>, ScenarioError> {
    wrap(p, env, |cluster, groups| RoundRobin {
        cursor: 0,
        trees: Scoped::new(cluster, groups, |nodes| NodeTree::new(nodes, &cluster.nodes, (), |_| ())),
    })
}

impl Algorithm for RoundRobin {
    fn pick(&mut self, task: &Task) -> Option<NodeIdx> {
        let n = task.cluster.nodes.len();
        let cursor = self.cursor;
        let trees = &self.trees;
        let chosen = task.plan.best_by(|scope| {
            let tree = trees.get(scope);
            let start = match scope {
                Scope::All => cursor,
                Scope::Group(_) => tree.nodes().partition_point(|&x| (x as usize) < cursor),
            };
            let node = tree.node(tree.next_fit(start, task.req, task.avoid)?);
            let distance = (node as usize + n - cursor) % n;
            Some(((), distance as u64, node))
        })?;
        self.cursor = (chosen as usize + 1) % n;
        Some(chosen)
    }

    fn node_changed(&mut self, cluster: &Cluster, groups: &Groups, n: NodeIdx) {
        let node = &cluster.nodes[n as usize];
        self.trees.update(groups, n, |t, pos| t.set(pos, node, ()));
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{Cluster, Job, Resources};
    use crate::policies::selection::tests::selector;

    #[test]
    fn cursor_moves_past_the_chosen_node() {
        let cluster = Cluster::uniform("p", 3, Resources::cpus(4));
        let job = Job::rigid(1, 0, 1, Resources::cpus(1), 1, 1);
        let mut rr = selector("round_robin", &cluster);
        let picks: Vec<_> = (0..4).map(|_| rr.select(&cluster, &job, &job.request, &[]).unwrap()).collect();
        assert_eq!(picks, vec![0, 1, 2, 0]);
    }

    #[test]
    fn skips_nodes_that_do_not_fit() {
        let mut cluster = Cluster::uniform("p", 3, Resources::cpus(4));
        let mut rr = selector("round_robin", &cluster);
        let small = Job::rigid(1, 0, 1, Resources::cpus(1), 1, 1);
        assert_eq!(rr.select(&cluster, &small, &small.request, &[]), Some(0));
        cluster.allocate(1, Resources::cpus(4));
        rr.node_changed(&cluster, 1);
        let job = Job::rigid(2, 0, 1, Resources::cpus(2), 1, 1);
        assert_eq!(rr.select(&cluster, &job, &job.request, &[]), Some(2));
    }
}
