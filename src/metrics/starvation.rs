//! Starvation by policy: notes each waiting job that sat in the queue while the cluster had enough free capacity for it.
//!
//! A job that waits because the cluster is full is starved by load; a job that waits while enough
//! cpu, memory and gpus for all its tasks are free is held back by the scheduling policy (a FIFO
//! head blocking it, a reservation, a quota) or by fragmentation. The watch records, per job, the
//! first instant at which it was waiting with that much capacity free *and stayed so until simulated
//! time moved on* — zero-length moments inside one instant (between two completions at the same
//! time) do not count. Capacity is compared in aggregate (cluster-wide sums over up nodes).
//!
//! Cost: waiting jobs are kept ordered by cpu request, so a check visits only jobs that could fit
//! and each job is flagged once: O(log Q) per queue entry and exit, plus the flagged jobs.

use crate::model::{Job, JobIdx, Resources, Time};
use std::collections::BTreeSet;

/// Waiting jobs not yet seen waiting with capacity free, and what has been seen.
#[derive(Clone, Debug, Default)]
pub struct StarvationWatch {
    /// Waiting, unflagged jobs by (total cpu, total memory, total gpus, index).
    waiting: BTreeSet<(u64, u64, u64, JobIdx)>,
    /// Per job: the first time it waited while enough capacity for it was free.
    pub first_free_wait: Vec<Option<Time>>,
}

fn key(job: &Job, j: JobIdx) -> (u64, u64, u64, JobIdx) {
    let r = job.total_request();
    (r.cpu, r.mem, r.gpu, j)
}

impl StarvationWatch {
    pub fn new(jobs: usize) -> Self {
        StarvationWatch { waiting: BTreeSet::new(), first_free_wait: vec![None; jobs] }
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

    /// The cluster has `free` capacity from `now` until the next instant: flags every waiting job
    /// whose whole request fits in it. `still_queued` tells jobs that left the queue unannounced.
    pub fn check(&mut self, now: Time, free: &Resources, still_queued: impl Fn(JobIdx) -> bool) {
        let mut flagged = Vec::new();
        for &k @ (cpu, mem, gpu, j) in self.waiting.range(..(free.cpu + 1, 0, 0, 0)) {
            if !still_queued(j) {
                flagged.push(k); // left the queue another way (cancelled): stop watching
                continue;
            }
            if mem <= free.mem && gpu <= free.gpu && cpu <= free.cpu {
                self.first_free_wait[j as usize] = Some(now);
                flagged.push(k);
            }
        }
        for k in flagged {
            self.waiting.remove(&k);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_only_jobs_whose_whole_request_is_free() {
        let small = Job::rigid(1, 0, 2, Resources::new(1, 100, 0), 10, 10);
        let big = Job::rigid(2, 0, 1, Resources::new(8, 0, 0), 10, 10);
        let mut w = StarvationWatch::new(3);
        w.queued(&small, 0);
        w.queued(&big, 1);
        w.queued(&small, 2);
        let queued = |j: JobIdx| j != 2; // job 2 was cancelled while waiting
        w.check(5, &Resources::new(4, 150, 0), queued); // small needs 200 MiB in total
        assert_eq!(w.first_free_wait, vec![None, None, None]);
        w.check(7, &Resources::new(4, 200, 0), queued);
        assert_eq!(w.first_free_wait, vec![Some(7), None, None]);
        w.left(&big, 1);
        w.check(9, &Resources::new(8, 200, 0), queued);
        assert_eq!(w.first_free_wait, vec![Some(7), None, None]);
    }
}
