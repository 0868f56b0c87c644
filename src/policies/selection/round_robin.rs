//! `round_robin`: a cursor walks the node list; the first node from the cursor on that fits wins, and the cursor moves past it.
//!
//! Cost per decision: O(log n) with the free-capacity index (plus one check per node that has the
//! capacity but fails a label requirement or anti-affinity).

use super::free_index::FreeIndex;
use super::{NodeSelector, can_host};
use crate::error::ScenarioError;
use crate::model::{Cluster, Job, NodeIdx, Resources};
use crate::policies::{Params, PolicyEnv};

#[derive(Debug)]
pub struct RoundRobin {
    cursor: usize,
    index: FreeIndex,
}

impl RoundRobin {
    pub fn new(cluster: &Cluster) -> Self {
        RoundRobin { cursor: 0, index: FreeIndex::new(cluster) }
    }

    /// The first node in `from..to` that can host the task.
    fn scan(
        &self,
        cluster: &Cluster,
        job: &Job,
        req: &Resources,
        placed: &[NodeIdx],
        from: usize,
        to: usize,
    ) -> Option<usize> {
        let mut at = from;
        while let Some(i) = self.index.first_fit_in(req, at, to) {
            if can_host(cluster, &cluster.nodes[i], job, req, placed) {
                return Some(i);
            }
            at = i + 1;
        }
        None
    }
}

pub fn build(p: &Params, env: &PolicyEnv) -> Result<Box<dyn NodeSelector>, ScenarioError> {
    p.finish()?;
    Ok(Box::new(RoundRobin::new(env.cluster)))
}

impl NodeSelector for RoundRobin {
    fn select(&mut self, cluster: &Cluster, job: &Job, req: &Resources, placed: &[NodeIdx]) -> Option<NodeIdx> {
        let n = cluster.nodes.len();
        let found = self
            .scan(cluster, job, req, placed, self.cursor, n)
            .or_else(|| self.scan(cluster, job, req, placed, 0, self.cursor))?;
        self.cursor = (found + 1) % n;
        Some(found as NodeIdx)
    }

    fn node_changed(&mut self, cluster: &Cluster, node: NodeIdx) {
        self.index.update(cluster, node);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_moves_past_the_chosen_node() {
        let cluster = Cluster::uniform("p", 3, Resources::cpus(4));
        let job = Job::rigid(1, 0, 1, Resources::cpus(1), 1, 1);
        let mut rr = RoundRobin::new(&cluster);
        let picks: Vec<_> = (0..4).map(|_| rr.select(&cluster, &job, &job.request, &[]).unwrap()).collect();
        assert_eq!(picks, vec![0, 1, 2, 0]);
    }

    #[test]
    fn skips_nodes_that_do_not_fit_and_wraps_around() {
        let mut cluster = Cluster::uniform("p", 3, Resources::cpus(4));
        let mut rr = RoundRobin::new(&cluster);
        cluster.allocate(2, Resources::cpus(4));
        rr.node_changed(&cluster, 2);
        rr.cursor = 2;
        let job = Job::rigid(1, 0, 1, Resources::cpus(2), 1, 1);
        assert_eq!(rr.select(&cluster, &job, &job.request, &[]), Some(0));
        assert_eq!(rr.cursor, 1);
    }
}
