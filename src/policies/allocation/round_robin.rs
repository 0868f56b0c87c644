//! `round_robin`: each malleable task starts with its minimum; when the scheduling passes of an
//! instant are over, each node's free cores are handed out one at a time, in turn, to the tasks
//! placed on it at that instant, until they reach their maximum or the node runs out.
//!
//! Several jobs arriving together thus share a node fairly where `greedy` lets the first one take
//! everything. Cost: O(tasks in the round × log) to group them, plus one step per core handed out.

use super::{Allocator, RoundTask};
use crate::error::ScenarioError;
use crate::model::{Cluster, Job, Node, Resources};
use crate::policies::{Params, PolicyEnv};

#[derive(Debug, Default)]
pub struct RoundRobin;

pub fn build(p: &Params, _env: &PolicyEnv) -> Result<Box<dyn Allocator>, ScenarioError> {
    p.finish()?;
    Ok(Box::new(RoundRobin))
}

impl Allocator for RoundRobin {
    fn grant(&mut self, job: &Job, _node: &Node) -> Resources {
        job.request
    }

    fn end_round(&mut self, cluster: &Cluster, tasks: &mut [RoundTask]) {
        // Tasks grouped by node, each group in placement order.
        let mut order: Vec<(crate::model::NodeIdx, usize)> =
            tasks.iter().enumerate().map(|(i, t)| (t.node, i)).collect();
        order.sort_unstable();
        for group in order.chunk_by(|a, b| a.0 == b.0) {
            let group: Vec<usize> = group.iter().map(|g| g.1).collect();
            let mut free = cluster.nodes[tasks[group[0]].node as usize].free.cpu;
            let mut hungry: Vec<usize> =
                group.iter().copied().filter(|&i| tasks[i].grant.cpu < tasks[i].max_cpu).collect();
            while free > 0 && !hungry.is_empty() {
                // One core to each hungry task in turn; drop those that reach their maximum.
                hungry.retain(|&i| {
                    if free == 0 {
                        return true;
                    }
                    tasks[i].grant.cpu += 1;
                    free -= 1;
                    tasks[i].grant.cpu < tasks[i].max_cpu
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NodeIdx;

    fn task(job: u32, node: NodeIdx, cpu: u64, max_cpu: u64) -> RoundTask {
        RoundTask { job, task: 0, node, grant: Resources::cpus(cpu), max_cpu }
    }

    #[test]
    fn free_cores_go_one_at_a_time_in_turn() {
        let mut c = Cluster::uniform("p", 2, Resources::cpus(10));
        // node 0: three tasks holding 1 + 2 + 1 cores → 6 free; node 1: one task with 1 core → 9 free.
        for (n, cpu) in [(0, 1), (0, 2), (0, 1), (1, 1)] {
            c.allocate(n, Resources::cpus(cpu));
        }
        let mut tasks = vec![task(0, 0, 1, 8), task(1, 0, 2, 3), task(2, 0, 1, 8), task(3, 1, 1, 4)];
        RoundRobin.end_round(&c, &mut tasks);
        // node 0: turn 1 → 2, 3, 2 (task 1 is full); turn 2 → 3, 3; turn 3 → 4 (free runs out).
        let cpus: Vec<u64> = tasks.iter().map(|t| t.grant.cpu).collect();
        assert_eq!(cpus, vec![4, 3, 3, 4]);
    }
}
