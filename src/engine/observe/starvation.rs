//! Starvation by policy: notes each waiting job that sat in the queue while the cluster had room for it.
//!
//! A job that waits because the cluster is full is starved by load; a job that waits while its tasks
//! could all be placed on the nodes' free capacity is held back by the scheduling policy (a FIFO head
//! blocking it, a reservation, a quota). The watch records, per job, the first instant at which it
//! was waiting with room for it *and stayed so until simulated time moved on* — zero-length moments
//! inside one instant (between two completions at the same time) do not count.
//!
//! "Room" is exact: every task must fit on an up node that meets the job's requirements (at most one
//! per node under anti-affinity), counting each node's free cpu, memory and gpus.
//!
//! Cost: waiting jobs are kept ordered by their total request, so a check first visits only jobs
//! that fit the cluster-wide free capacity; each of those is placed in thought through a max-free
//! segment tree over nodes (O(tasks · log n)), kept up to date from the nodes touched since the last
//! check. A job is flagged once; one that had no room is not tried again until capacity grows. On a
//! one-node machine (trace replays) the cluster-wide test is already exact and no tree is kept.

use crate::model::free_index::FreeIndex;
use crate::model::node::tasks_per_node;
use crate::model::{Cluster, Job, JobIdx, NodeIdx, Resources, Time};
use std::collections::BTreeSet;

/// Waiting jobs not yet seen waiting with room, and what has been seen.
#[derive(Clone, Debug, Default)]
pub struct StarvationWatch {
    /// Waiting, unflagged jobs by (total cpu, total memory, total gpus, index).
    waiting: BTreeSet<(u64, u64, u64, JobIdx)>,
    /// Per job: the first time it waited while there was room for it.
    pub first_free_wait: Vec<Option<Time>>,
    /// Per job: the cluster's growth epoch when it was last found without room.
    no_room_at: Vec<u64>,
    /// Max-free index over nodes (multi-node clusters), and the up capacity it was built for.
    index: Option<(FreeIndex, Resources)>,
}

fn key(job: &Job, j: JobIdx) -> (u64, u64, u64, JobIdx) {
    let r = job.total_request();
    (r.cpu, r.mem, r.gpu, j)
}

/// True when every task of `job` fits on the free capacity of eligible up nodes.
fn placeable(job: &Job, cluster: &Cluster, index: &FreeIndex) -> bool {
    let mut need = job.tasks as u64;
    let mut from = 0;
    while let Some(n) = index.first_fit_in(&job.request, from, cluster.nodes.len()) {
        let node = &cluster.nodes[n];
        if node.up && cluster.eligible(node, job) {
            let k = if job.anti_affinity { 1 } else { tasks_per_node(&job.request, &node.free) };
            if k >= need {
                return true;
            }
            need -= k;
        }
        from = n + 1;
    }
    need == 0
}

impl StarvationWatch {
    pub fn new(jobs: usize) -> Self {
        StarvationWatch {
            waiting: BTreeSet::new(),
            first_free_wait: vec![None; jobs],
            no_room_at: vec![u64::MAX; jobs],
            index: None,
        }
    }

    /// Job `j` entered the queue.
    pub fn queued(&mut self, job: &Job, j: JobIdx) {
        if self.first_free_wait.get(j as usize).is_some_and(|t| t.is_none()) {
            self.waiting.insert(key(job, j));
        }
    }

    /// Job `j` left the queue (it started).
    pub fn left(&mut self, job: &Job, j: JobIdx) {
        self.waiting.remove(&key(job, j));
    }

    /// The cluster stays as it is from `now` until the next instant: flags every waiting job for
    /// which there is room. `touched` lists the nodes whose free capacity changed since the last
    /// check (it is drained); `still_queued` tells jobs that left the queue unannounced.
    pub fn check(
        &mut self,
        now: Time,
        cluster: &Cluster,
        jobs: &[Job],
        touched: &mut Vec<NodeIdx>,
        still_queued: impl Fn(JobIdx) -> bool,
    ) {
        let multi_node = cluster.nodes.len() > 1;
        if multi_node {
            match &mut self.index {
                Some((index, up)) if *up == cluster.up_capacity => {
                    for &n in touched.iter() {
                        index.update(cluster, n);
                    }
                }
                _ => self.index = Some((FreeIndex::new(cluster), cluster.up_capacity)),
            }
        }
        touched.clear();
        let free = cluster.free_total;
        if self.waiting.is_empty() || self.waiting.first().is_some_and(|k| k.0 > free.cpu) {
            return;
        }
        let mut done = Vec::new();
        for &k @ (cpu, mem, gpu, j) in self.waiting.range(..(free.cpu + 1, 0, 0, 0)) {
            if !still_queued(j) {
                done.push(k); // left the queue another way (cancelled): stop watching
                continue;
            }
            if mem > free.mem || gpu > free.gpu || cpu > free.cpu {
                continue;
            }
            let room = match &self.index {
                Some((index, _)) if multi_node => {
                    if self.no_room_at[j as usize] == cluster.growth_epoch {
                        continue; // nothing was freed since it last had no room
                    }
                    placeable(&jobs[j as usize], cluster, index)
                }
                _ => true,
            };
            if room {
                self.first_free_wait[j as usize] = Some(now);
                done.push(k);
            } else {
                self.no_room_at[j as usize] = cluster.growth_epoch;
            }
        }
        for k in done {
            self.waiting.remove(&k);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_only_jobs_whose_whole_request_is_free() {
        let cluster = Cluster::uniform("p", 1, Resources::new(8, 1000, 0));
        let small = Job::rigid(1, 0, 2, Resources::new(1, 100, 0), 10, 10);
        let big = Job::rigid(2, 0, 1, Resources::new(8, 0, 0), 10, 10);
        let jobs = vec![small.clone(), big.clone(), small.clone()];
        let mut w = StarvationWatch::new(3);
        w.queued(&small, 0);
        w.queued(&big, 1);
        w.queued(&small, 2);
        let queued = |j: JobIdx| j != 2; // job 2 was cancelled while waiting
        let mut c = cluster.clone();
        c.allocate(0, Resources::new(4, 850, 0)); // 4 cpus, 150 MiB free: small needs 200 MiB
        w.check(5, &c, &jobs, &mut Vec::new(), queued);
        assert_eq!(w.first_free_wait, vec![None, None, None]);
        c.release(0, Resources::new(0, 50, 0));
        w.check(7, &c, &jobs, &mut Vec::new(), queued);
        assert_eq!(w.first_free_wait, vec![Some(7), None, None]);
        w.left(&big, 1);
        w.check(9, &cluster, &jobs, &mut Vec::new(), queued);
        assert_eq!(w.first_free_wait, vec![Some(7), None, None]);
    }

    #[test]
    fn on_several_nodes_every_task_needs_a_node_with_room() {
        // Two 4-core nodes with 2 cores free each: a 4-core task does not fit, two 2-core tasks do.
        let mut c = Cluster::uniform("p", 2, Resources::cpus(4));
        c.allocate(0, Resources::cpus(2));
        c.allocate(1, Resources::cpus(2));
        let wide = Job::rigid(1, 0, 1, Resources::cpus(4), 10, 10);
        let split = Job::rigid(2, 0, 2, Resources::cpus(2), 10, 10);
        let jobs = vec![wide.clone(), split.clone()];
        let mut w = StarvationWatch::new(2);
        w.queued(&wide, 0);
        w.queued(&split, 1);
        w.check(3, &c, &jobs, &mut Vec::new(), |_| true);
        assert_eq!(w.first_free_wait, vec![None, Some(3)]);
        // Node 0 empties: the wide task now has room.
        c.release(0, Resources::cpus(2));
        w.check(4, &c, &jobs, &mut vec![0], |_| true);
        assert_eq!(w.first_free_wait, vec![Some(4), Some(3)]);
    }
}
