//! `hash`: consistent hashing of the job's key (its `key` field, else its user's name, hashed as
//! the same `key` would be, so `key = "alice"` and alice's keyless jobs land together) onto a ring of
//! virtual nodes; the first fitting node clockwise from the key wins (the first preferred one, if
//! any preferred node fits). A node that is down or full is skipped, so only its own keys move.
//!
//! Parameter `vnodes` (default 64): points per node on the ring; more points spread keys more evenly.
//! Cost: O(log R) to find the key's place on the ring of R points, then a walk to the first node
//! that fits (short unless most nodes are full). A [`NodeTree`] of free capacity answers "nothing
//! fits" in O(1) first.

use super::{Algorithm, Groups, NodeTree, Task, wrap};
use crate::engine::ports::NodeSelector;
use crate::error::ScenarioError;
use crate::model::job::key_hash;
use crate::model::{Cluster, Job, NodeIdx};
use crate::policies::{Params, PolicyEnv};
use crate::rng::splitmix64;

/// The most points on the ring (nodes × vnodes; 16 bytes each).
const MAX_RING: u64 = 1 << 24;

pub struct Hash {
    /// (point, node), sorted by point.
    ring: Vec<(u64, NodeIdx)>,
    guard: NodeTree<()>,
    /// The hash of each user's name, by user number: the key of a job without its own.
    users: Vec<u64>,
}

pub fn build(p: &Params, env: &PolicyEnv) -> Result<Box<dyn NodeSelector>, ScenarioError> {
    let vnodes = p.u64_in("vnodes", 64, 1, 4096)?;
    let points = env.cluster.nodes.len() as u64 * vnodes;
    if points > MAX_RING {
        return Err(ScenarioError::invalid(
            format!("{}.vnodes", p.path),
            format!(
                "{} nodes × {vnodes} vnodes make {points} ring points, more than {MAX_RING}: give fewer vnodes",
                env.cluster.nodes.len()
            ),
        ));
    }
    let users = env.users.iter().map(|u| key_hash(u)).collect();
    wrap(p, env, |cluster, _| {
        let mut ring: Vec<(u64, NodeIdx)> =
            (0..cluster.nodes.len() as NodeIdx).flat_map(|n| (0..vnodes).map(move |v| (point(n, v), n))).collect();
        ring.sort_unstable();
        let guard = NodeTree::new((0..cluster.nodes.len() as NodeIdx).collect(), &cluster.nodes, (), |_| ());
        Hash { ring, guard, users }
    })
}

/// Ring position of virtual node `v` of node `n`.
fn point(n: NodeIdx, v: u64) -> u64 {
    splitmix64(splitmix64(n as u64) ^ v)
}

/// Ring position of a job key.
pub fn key_point(key: u64) -> u64 {
    splitmix64(key ^ 0x6a09_e667_f3bc_c908)
}

impl Hash {
    /// The job's placement key: its own, else the hash of its user's name (user numbers depend on
    /// the order users first appear in the workload; names do not).
    fn key_of(&self, job: &Job) -> u64 {
        job.key().unwrap_or_else(|| match self.users.get(job.user as usize) {
            Some(&h) => h,
            None => key_hash(&format!("u{}", job.user)),
        })
    }
}

impl Algorithm for Hash {
    fn pick(&mut self, task: &Task) -> Option<NodeIdx> {
        if self.ring.is_empty() || !self.guard.may_fit(task.req) {
            return None;
        }
        let start = self.ring.partition_point(|&(p, _)| p < key_point(self.key_of(task.job)));
        let top = task.plan.best_score();
        let mut best: Option<(u32, NodeIdx)> = None;
        for k in 0..self.ring.len() {
            let n = self.ring[(start + k) % self.ring.len()].1;
            if !task.fits(n) {
                continue;
            }
            let score = task.plan.score_of(task.groups, n).unwrap_or(0);
            if score >= top {
                return Some(n);
            }
            if best.is_none_or(|(s, _)| score > s) {
                best = Some((score, n));
            }
        }
        best.map(|(_, n)| n)
    }

    fn node_changed(&mut self, cluster: &Cluster, _groups: &Groups, n: NodeIdx) {
        self.guard.set(n as usize, &cluster.nodes[n as usize], ());
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{Cluster, Job, Resources};
    use crate::policies::selection::tests::selector;

    fn job(key: u64) -> Job {
        let mut j = Job::rigid(key, 0, 1, Resources::cpus(1), 1, 1);
        j.set_key(Some(key));
        j
    }

    #[test]
    fn a_failed_node_moves_only_its_own_keys() {
        let mut c = Cluster::uniform("p", 5, Resources::cpus(1000));
        let mut s = selector("hash", &c);
        let before: Vec<u32> = (0..200).map(|k| s.select(&c, &job(k), &job(k).request, &[]).unwrap()).collect();
        // Every node gets some keys.
        for n in 0..5 {
            assert!(before.contains(&n));
        }
        c.nodes[2].up = false;
        s.node_changed(&c, 2);
        let after: Vec<u32> = (0..200).map(|k| s.select(&c, &job(k), &job(k).request, &[]).unwrap()).collect();
        for k in 0..200 {
            if before[k] == 2 {
                assert_ne!(after[k], 2);
            } else {
                assert_eq!(after[k], before[k], "key {k} moved although its node did not fail");
            }
        }
    }
}
