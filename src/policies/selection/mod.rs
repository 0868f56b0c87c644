//! Node selection: which node a task goes to. One file per algorithm; `BY_NAME` maps names to constructors.
//!
//! Every algorithm is an [`Algorithm`] wrapped in a [`Selector`], which does what all of them share:
//! requirements (only eligible groups are searched), anti-affinity, the `multi_task = "spread" |
//! "pack"` option for multi-task jobs, and preferences as a tie-break. The order an algorithm
//! ranks fitting nodes by is always (its criterion, higher preference score, its natural order):
//! for `least_connections` that is (running tasks, preference, node id); for algorithms without a
//! criterion, such as `first_fit`, preferred nodes simply come first.

mod best_fit;
mod first_fit;
mod fit_set;
mod hash;
mod least_connections;
mod least_response_time;
mod node_tree;
mod power_of_two;
mod random;
mod round_robin;
mod scope;
mod worst_fit;

pub use fit_set::{FitOrder, FitSet};
pub use node_tree::NodeTree;
pub use scope::{Groups, Plan, Scope, Scoped};

use super::{Params, PolicyEnv};
pub use crate::engine::ports::NodeSelector;
use crate::error::ScenarioError;
use crate::model::{Cluster, Job, Node, NodeIdx, Resources, Time};

/// True when `node` can take one more task of `job` asking `req`: up, eligible, enough free capacity,
/// and (under anti-affinity) not already used by this job.
#[inline]
pub fn can_host(cluster: &Cluster, node: &Node, job: &Job, req: &Resources, placed: &[NodeIdx]) -> bool {
    node.up
        && req.fits_in(&node.free)
        && cluster.eligible(node, job)
        && !(job.anti_affinity && placed.contains(&node.id))
}

/// What an algorithm sees of the one task it must place.
pub struct Task<'a> {
    pub cluster: &'a Cluster,
    pub groups: &'a Groups,
    /// The job's eligible groups and preference scores.
    pub plan: &'a Plan,
    pub job: &'a Job,
    pub req: &'a Resources,
    /// Nodes the task must not use (its job's earlier tasks, under anti-affinity or `spread`).
    pub avoid: &'a [NodeIdx],
}

impl Task<'_> {
    /// True when node `n` may take the task: up, eligible, enough free capacity, not avoided.
    #[inline]
    pub fn fits(&self, n: NodeIdx) -> bool {
        let node = &self.cluster.nodes[n as usize];
        node.up
            && self.req.fits_in(&node.free)
            && self.plan.score_of(self.groups, n).is_some()
            && !self.avoid.contains(&n)
    }
}

/// One placement algorithm: ranks the eligible nodes that fit a task and keeps its indexes current.
pub trait Algorithm: Send {
    /// The best node for `task` among eligible, fitting, not avoided nodes.
    fn pick(&mut self, task: &Task) -> Option<NodeIdx>;

    /// Node `n` changed (free capacity, running tasks or up state): refresh the indexes holding it.
    fn node_changed(&mut self, cluster: &Cluster, groups: &Groups, n: NodeIdx);

    /// A dispatch round trip to node `n` was observed (see [`NodeSelector::observe_round_trip`]).
    fn observe_round_trip(&mut self, _cluster: &Cluster, _groups: &Groups, _n: NodeIdx, _rtt: Time) {}
}

/// How the tasks of one multi-task job are laid out (parameter `multi_task`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MultiTask {
    /// Each task is placed by the algorithm on its own (default).
    Independent,
    /// Each task goes to a node the job does not use yet, while one fits; then anywhere.
    Spread,
    /// Each task goes to the node of the job's previous task while it fits; then the algorithm picks.
    Pack,
}

/// An [`Algorithm`] with the behaviour every selector shares; this is what the name table builds.
pub struct Selector<A> {
    alg: A,
    groups: Groups,
    plan: Plan,
    multi_task: MultiTask,
}

/// Reads the shared parameter `multi_task`, rejects unknown keys, and wraps the algorithm `make` builds.
pub fn wrap<A: Algorithm + 'static>(
    p: &Params,
    env: &PolicyEnv,
    make: impl FnOnce(&Cluster, &Groups) -> A,
) -> Result<Box<dyn NodeSelector>, ScenarioError> {
    let multi_task = match p.choice("multi_task", "independent", &["independent", "spread", "pack"])?.as_str() {
        "spread" => MultiTask::Spread,
        "pack" => MultiTask::Pack,
        _ => MultiTask::Independent,
    };
    p.finish()?;
    let groups = Groups::new(env.cluster);
    let alg = make(env.cluster, &groups);
    Ok(Box::new(Selector { alg, groups, plan: Plan::default(), multi_task }))
}

impl<A: Algorithm> Selector<A> {
    /// The algorithm's answer, checked against the cluster itself. If a caller changed a node
    /// without telling this selector (`node_changed`), the index is stale for that node: it is
    /// refreshed and the algorithm asked again. Each refresh fixes one node, so this ends.
    fn pick(&mut self, cluster: &Cluster, job: &Job, req: &Resources, avoid: &[NodeIdx]) -> Option<NodeIdx> {
        loop {
            let task = Task { cluster, groups: &self.groups, plan: &self.plan, job, req, avoid };
            let n = self.alg.pick(&task)?;
            if task.fits(n) {
                return Some(n);
            }
            self.alg.node_changed(cluster, &self.groups, n);
        }
    }
}

impl<A: Algorithm> NodeSelector for Selector<A> {
    fn select(&mut self, cluster: &Cluster, job: &Job, req: &Resources, placed: &[NodeIdx]) -> Option<NodeIdx> {
        self.plan.fill(cluster, &self.groups, job);
        let hard: &[NodeIdx] = if job.anti_affinity { placed } else { &[] };
        match self.multi_task {
            MultiTask::Independent => self.pick(cluster, job, req, hard),
            MultiTask::Spread => self.pick(cluster, job, req, placed).or_else(|| {
                if job.anti_affinity || placed.is_empty() { None } else { self.pick(cluster, job, req, &[]) }
            }),
            MultiTask::Pack => {
                // Earlier tasks of the job filled their nodes in turn, so only the last one can have room.
                let last =
                    placed.last().copied().filter(|&n| can_host(cluster, &cluster.nodes[n as usize], job, req, hard));
                last.or_else(|| self.pick(cluster, job, req, hard))
            }
        }
    }

    fn node_changed(&mut self, cluster: &Cluster, node: NodeIdx) {
        self.alg.node_changed(cluster, &self.groups, node);
    }

    fn observe_round_trip(&mut self, cluster: &Cluster, node: NodeIdx, rtt: Time) {
        self.alg.observe_round_trip(cluster, &self.groups, node, rtt);
    }
}

type Constructor = fn(&Params, &PolicyEnv) -> Result<Box<dyn NodeSelector>, ScenarioError>;

/// Every node-selection algorithm by name. Adding one: a new file plus one line here.
pub const BY_NAME: &[(&str, Constructor)] = &[
    ("round_robin", round_robin::build),
    ("least_connections", least_connections::build),
    ("hash", hash::build),
    ("least_response_time", least_response_time::build),
    ("first_fit", first_fit::build),
    ("best_fit", best_fit::build),
    ("worst_fit", worst_fit::build),
    ("random", random::build),
    ("power_of_two", power_of_two::build),
];

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::policies::resolve;

    /// The selector `name` with default parameters, built for `cluster`.
    pub fn selector(name: &str, cluster: &Cluster) -> Box<dyn NodeSelector> {
        let env = PolicyEnv { seed: 7, cluster, tiers: &[], users: &[] };
        resolve("selection", "policy.selection", &crate::policies::PolicySpec::named(name), BY_NAME, &env).unwrap()
    }
}

/// The indexed selectors agree with a linear scan that ranks every node by the documented order.
#[cfg(test)]
mod against_a_scan {
    use super::tests::selector;
    use super::*;
    use crate::model::Pool;
    use crate::rng::Rng;
    use rand::{RngExt, SeedableRng};
    use std::cmp::Reverse;

    /// Two pools (one labelled `gpu`) over three racks, with random load.
    fn random_cluster(rng: &mut Rng) -> Cluster {
        let mut c = Cluster::default();
        let racks: Vec<String> = vec!["r0".into(), "r1".into()];
        let cpu = Pool { name: "cpu".into(), labels: vec!["x86".into()], capacity: Resources::new(8, 64, 0), count: 0 };
        let gpu = Pool { name: "gpu".into(), labels: vec!["gpu".into()], capacity: Resources::new(8, 64, 2), count: 0 };
        c.add_pool(cpu, 9, &racks);
        c.add_pool(gpu, 4, &["r2".to_string()]);
        for n in 0..c.nodes.len() as NodeIdx {
            for _ in 0..rng.random_range(0..4u32) {
                let cap = c.nodes[n as usize].free;
                let take = Resources::new(
                    rng.random_range(0..=cap.cpu.min(3)),
                    rng.random_range(0..=cap.mem.min(20)),
                    rng.random_range(0..=cap.gpu),
                );
                c.allocate(n, take);
            }
            if rng.random_range(0..10u32) == 0 {
                c.nodes[n as usize].up = false;
            }
        }
        c
    }

    fn random_job(rng: &mut Rng) -> Job {
        let req = Resources::new(rng.random_range(0..6), rng.random_range(0..40), rng.random_range(0..2));
        let mut job = Job::rigid(1, 0, 3, req, 1, 1);
        job.set_requires(match rng.random_range(0..4u32) {
            0 => vec!["gpu".into()],
            1 => vec!["x86".into()],
            _ => vec![],
        });
        job.set_prefers(match rng.random_range(0..4u32) {
            0 => vec!["r1".into()],
            1 => vec!["gpu".into(), "r2".into()],
            _ => vec![],
        });
        job.anti_affinity = rng.random_range(0..2u32) == 0;
        job
    }

    /// The node a scan picks: the fitting node with the smallest `key(node, preference score)`.
    fn scan<K: Ord>(c: &Cluster, job: &Job, placed: &[NodeIdx], key: impl Fn(&Node, u32) -> K) -> Option<NodeIdx> {
        c.nodes
            .iter()
            .filter(|n| can_host(c, n, job, &job.request, placed))
            .min_by_key(|n| key(n, c.preference_score(n, job) as u32))
            .map(|n| n.id)
    }

    #[test]
    fn indexed_answers_equal_the_scan() {
        let mut rng = Rng::seed_from_u64(11);
        for round in 0..300 {
            let mut c = random_cluster(&mut rng);
            let job = random_job(&mut rng);
            let n = c.nodes.len();
            let mut cursor = 0usize;
            let mut sels: Vec<(&str, Box<dyn NodeSelector>)> =
                ["first_fit", "best_fit", "worst_fit", "least_connections", "least_response_time", "round_robin"]
                    .iter()
                    .map(|&name| (name, selector(name, &c)))
                    .collect();
            let mut placed: Vec<NodeIdx> = vec![];
            // Place the job's tasks one by one, updating the cluster, and compare every answer.
            for _ in 0..job.tasks {
                let mut answers = vec![];
                for (name, s) in &mut sels {
                    let want = match *name {
                        "first_fit" => scan(&c, &job, &placed, |x, p| (Reverse(p), x.id)),
                        "best_fit" => {
                            scan(&c, &job, &placed, |x, p| (x.free.gpu, x.free.cpu, x.free.mem, Reverse(p), x.id))
                        }
                        "worst_fit" => scan(&c, &job, &placed, |x, p| {
                            (x.free.gpu, Reverse(x.free.cpu), Reverse(x.free.mem), Reverse(p), x.id)
                        }),
                        "round_robin" => scan(&c, &job, &placed, |x, p| (Reverse(p), (x.id as usize + n - cursor) % n)),
                        _ => scan(&c, &job, &placed, |x, p| (x.running_tasks, Reverse(p), x.id)),
                    };
                    let got = s.select(&c, &job, &job.request, &placed);
                    assert_eq!(got, want, "round {round}: {name} for {job:?}");
                    answers.push(got);
                }
                let Some(chosen) = answers[0] else { break };
                if let Some(rr) = answers[5] {
                    cursor = (rr as usize + 1) % n;
                }
                // Keep every selector's view consistent: allocate on first_fit's node only.
                c.allocate(chosen, job.request);
                placed.push(chosen);
                for (_, s) in &mut sels {
                    s.node_changed(&c, chosen);
                }
            }
        }
    }
}

#[cfg(test)]
mod stale_index {
    use super::tests::selector;
    use super::*;

    /// A node taken without telling the selector is not handed out: every algorithm's answer is
    /// checked against the cluster and the stale entry refreshed.
    #[test]
    fn a_node_changed_behind_the_selectors_back_is_not_chosen() {
        for (name, _) in BY_NAME {
            let mut c = Cluster::uniform("p", 3, Resources::cpus(4));
            let mut s = selector(name, &c);
            for n in 0..3 {
                c.allocate(n, Resources::cpus(3)); // no node_changed
            }
            c.release(2, Resources::cpus(3));
            let job = Job::rigid(1, 0, 1, Resources::cpus(2), 1, 1);
            assert_eq!(s.select(&c, &job, &job.request, &[]), Some(2), "{name}");
        }
    }
}
