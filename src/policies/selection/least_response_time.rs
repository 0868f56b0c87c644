//! `least_response_time`: the fitting node with the lowest expected response, EWMA of observed
//! dispatch round trips × (1 + running tasks); ties by fewer running tasks, preference, node id.
//!
//! Round trips arrive through [`NodeSelector::observe_round_trip`]: with a `[network]` section the
//! scheduler reports every dispatch (twice its one-way latency, or the RPC timeout when a node does
//! not answer). A node never observed counts `initial_rtt` (default 0). With zero latency every
//! score is 0 and the algorithm behaves as `least_connections`.
//! Index: a [`NodeTree`] keyed by (score, running tasks), searched by branch and bound.

use super::{Algorithm, Groups, NodeTree, Scoped, Task, wrap};
use crate::engine::ports::NodeSelector;
use crate::error::ScenarioError;
use crate::model::{Cluster, Node, NodeIdx, Time};
use crate::policies::{Params, PolicyEnv};

/// Scores are kept as integers: the expected response in µs, scaled by this factor.
const SCALE: f64 = 1024.0;

pub struct LeastResponseTime {
    /// Weight of a new observation in the moving average.
    alpha: f64,
    /// Moving average of round trips per node, in µs.
    ewma: Vec<f64>,
    trees: Scoped<NodeTree<(u64, u32)>>,
}

pub fn build(p: &Params, env: &PolicyEnv) -> Result<Box<dyn NodeSelector>, ScenarioError> {
    let alpha = p.f64_at_least("alpha", 0.3, 0.0)?;
    if alpha > 1.0 || alpha == 0.0 {
        return Err(ScenarioError::invalid(
            format!("{}.alpha", p.path),
            format!("expected 0 < alpha ≤ 1, found {alpha}"),
        ));
    }
    let initial = p.duration("initial_rtt", 0)? as f64;
    wrap(p, env, |cluster, groups| {
        let ewma = vec![initial; cluster.nodes.len()];
        let trees = Scoped::new(cluster, groups, |nodes| {
            NodeTree::new(nodes, &cluster.nodes, (u64::MAX, u32::MAX), |n| priority(initial, n))
        });
        LeastResponseTime { alpha, ewma, trees }
    })
}

/// (expected response, running tasks) of `node` given its round-trip average.
#[inline]
fn priority(ewma: f64, node: &Node) -> (u64, u32) {
    let score = ewma * (1.0 + node.running_tasks as f64) * SCALE;
    (score.round().min(u64::MAX as f64) as u64, node.running_tasks)
}

impl Algorithm for LeastResponseTime {
    fn pick(&mut self, task: &Task) -> Option<NodeIdx> {
        task.plan.best_by(|scope| {
            let tree = self.trees.get(scope);
            let (prio, pos) = tree.min_fit(task.req, task.avoid)?;
            let node = tree.node(pos);
            Some((prio, node as u64, node))
        })
    }

    fn node_changed(&mut self, cluster: &Cluster, groups: &Groups, n: NodeIdx) {
        let node = &cluster.nodes[n as usize];
        let p = priority(self.ewma[n as usize], node);
        self.trees.update(groups, n, |t, pos| t.set(pos, node, p));
    }

    fn observe_round_trip(&mut self, cluster: &Cluster, groups: &Groups, n: NodeIdx, rtt: Time) {
        let e = &mut self.ewma[n as usize];
        *e = self.alpha * rtt as f64 + (1.0 - self.alpha) * *e;
        self.node_changed(cluster, groups, n);
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{Cluster, Job, Resources};
    use crate::policies::selection::tests::selector;

    #[test]
    fn slow_nodes_lose_until_the_fast_one_is_busy_enough() {
        let mut c = Cluster::uniform("p", 2, Resources::cpus(16));
        let mut s = selector("least_response_time", &c);
        let job = Job::rigid(1, 0, 1, Resources::cpus(1), 1, 1);
        // EWMA with alpha 0.3 from 0: node 0 → 0.3 × 1000 = 300 µs, node 1 → 0.3 × 100 = 30 µs.
        s.observe_round_trip(&c, 0, 1000);
        s.observe_round_trip(&c, 1, 100);
        let mut picks = vec![];
        for _ in 0..12 {
            let n = s.select(&c, &job, &job.request, &[]).unwrap();
            c.allocate(n, job.request);
            s.node_changed(&c, n);
            picks.push(n);
        }
        // Node 1 scores 30 × (1 + k) with k tasks: it wins while that is below node 0's 300; at
        // k = 9 the scores tie and node 0, with fewer tasks, wins; node 0 then scores 600.
        assert_eq!(picks, vec![1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1]);
    }
}
