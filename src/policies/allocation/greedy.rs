//! `greedy`: a malleable task gets as many cores as the node has free, up to its maximum.

use super::Allocator;
use crate::error::ScenarioError;
use crate::model::{Job, Node, Resources};
use crate::policies::{Params, PolicyEnv};

#[derive(Debug, Default)]
pub struct Greedy;

pub fn build(p: &Params, _env: &PolicyEnv) -> Result<Box<dyn Allocator>, ScenarioError> {
    p.finish()?;
    Ok(Box::new(Greedy))
}

impl Allocator for Greedy {
    fn grant(&mut self, job: &Job, node: &Node) -> Resources {
        match job.malleable() {
            None => job.request,
            Some(m) => Resources { cpu: node.free.cpu.min(m.max_cpu).max(job.request.cpu), ..job.request },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Cluster, Malleable};

    #[test]
    fn malleable_task_takes_the_whole_free_node_up_to_its_max() {
        let cluster = Cluster::uniform("p", 1, Resources::cpus(8));
        let mut job = Job::rigid(1, 0, 1, Resources::cpus(1), 100, 100);
        job.set_malleable(Some(Malleable { min_cpu: 1, max_cpu: 6, serial_fraction: 0.0 }));
        assert_eq!(Greedy.grant(&job, &cluster.nodes[0]).cpu, 6);
        job.set_malleable(None);
        assert_eq!(Greedy.grant(&job, &cluster.nodes[0]).cpu, 1);
    }
}
