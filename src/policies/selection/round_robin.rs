//! `round_robin`: a cursor walks the node list; the first node from the cursor on that fits wins, and the cursor moves past it.

use super::{NodeSelector, can_host};
use crate::error::ScenarioError;
use crate::model::{Cluster, Job, NodeIdx, Resources};
use crate::policies::{Params, PolicyEnv};

#[derive(Debug, Default)]
pub struct RoundRobin {
    cursor: usize,
}

pub fn build(p: &Params, _env: &PolicyEnv) -> Result<Box<dyn NodeSelector>, ScenarioError> {
    p.finish()?;
    Ok(Box::new(RoundRobin::default()))
}

impl NodeSelector for RoundRobin {
    fn select(&mut self, cluster: &Cluster, job: &Job, req: &Resources, placed: &[NodeIdx]) -> Option<NodeIdx> {
        let n = cluster.nodes.len();
        for k in 0..n {
            let i = (self.cursor + k) % n;
            if can_host(cluster, &cluster.nodes[i], job, req, placed) {
                self.cursor = (i + 1) % n;
                return Some(i as NodeIdx);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_moves_past_the_chosen_node() {
        let cluster = Cluster::uniform("p", 3, Resources::cpus(4));
        let job = Job::rigid(1, 0, 1, Resources::cpus(1), 1, 1);
        let mut rr = RoundRobin::default();
        let picks: Vec<_> = (0..4).map(|_| rr.select(&cluster, &job, &job.request, &[]).unwrap()).collect();
        assert_eq!(picks, vec![0, 1, 2, 0]);
    }

    #[test]
    fn skips_nodes_that_do_not_fit() {
        let mut cluster = Cluster::uniform("p", 3, Resources::cpus(4));
        cluster.allocate(1, Resources::cpus(4));
        let job = Job::rigid(1, 0, 1, Resources::cpus(2), 1, 1);
        let mut rr = RoundRobin { cursor: 1 };
        assert_eq!(rr.select(&cluster, &job, &job.request, &[]), Some(2));
    }
}
