//! Why a waiting job did not start: the `skip` events of the event log, recorded only when the log is on.
//!
//! Two sources write them:
//! - [`SchedCtx::try_start`](super::ctx::SchedCtx::try_start) records why a placement failed
//!   (not enough free capacity in the whole cluster, no node with room for a task, ...);
//! - a queue discipline (or allocator) calls [`SchedCtx::note_wait`](super::ctx::SchedCtx::note_wait)
//!   for a job it held back on purpose (`reservation of job 12`, `tier quota full`, ...).
//!
//! A note is logged only when it differs from the last one logged for that job since it last
//! started, so a job blocked for hours by the same cause costs one line, not one per pass. With
//! the log off every entry point returns at the first branch: nothing is computed or stored.

use super::world::World;
use crate::fmt::{fmt_mem, fmt_request};
use crate::model::{Job, JobIdx, Resources};

/// Why `try_start` could not place a job. Cheap to build; the text is made only when it changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlacementFailure {
    /// The free capacity of all up nodes together is less than the job's total request.
    TotalShort { cpu: bool, mem: bool, gpu: bool },
    /// Only `placed` of the job's tasks found a node with room (0: not even one).
    NoNode { placed: u32 },
}

impl PlacementFailure {
    /// Compares `job`'s total request with the cluster's free capacity.
    pub fn total_short(need: &Resources, free: &Resources) -> PlacementFailure {
        PlacementFailure::TotalShort { cpu: need.cpu > free.cpu, mem: need.mem > free.mem, gpu: need.gpu > free.gpu }
    }

    /// A short stable key: two failures with the same key read the same.
    fn key(self) -> String {
        match self {
            PlacementFailure::TotalShort { cpu, mem, gpu } => {
                format!("\u{1}total{}{}{}", cpu as u8, mem as u8, gpu as u8)
            }
            PlacementFailure::NoNode { placed } => format!("\u{1}node{placed}"),
        }
    }
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The sentence for a placement failure of `job`, as of now.
///
/// For `NoNode` it scans the up nodes once (O(nodes)) to say which resource is missing; that runs
/// only when the failure differs from the job's previous one.
pub fn describe(world: &World, job: &Job, failure: PlacementFailure) -> String {
    let req = &job.request;
    match failure {
        PlacementFailure::TotalShort { cpu, mem, gpu } => {
            let total = job.total_request();
            let free = &world.cluster.free_total;
            let mut short = Vec::new();
            if cpu {
                short.push(format!("cpu (needs {}, {} free)", total.cpu, free.cpu));
            }
            if mem {
                short.push(format!("memory (needs {}, {} free)", fmt_mem(total.mem), fmt_mem(free.mem)));
            }
            if gpu {
                short.push(format!("gpu (needs {}, {} free)", total.gpu, free.gpu));
            }
            format!("not enough free {} in the whole cluster", short.join(" or "))
        }
        PlacementFailure::NoNode { placed } => {
            let per_task = format!("needs {} per task", fmt_request(req));
            let mut s = if placed > 0 {
                format!("room for only {placed} of its {} tasks at once ({per_task})", job.tasks)
            } else {
                let cluster = &world.cluster;
                let (mut eligible, mut cpu, mut mem, mut gpu) = (0u64, 0u64, 0u64, 0u64);
                for node in cluster.nodes.iter().filter(|n| n.up && cluster.eligible(n, job)) {
                    eligible += 1;
                    cpu += (node.free.cpu >= req.cpu) as u64;
                    mem += (node.free.mem >= req.mem) as u64;
                    gpu += (node.free.gpu >= req.gpu) as u64;
                }
                let asked = [(cpu, "cpu", true), (mem, "memory", req.mem > 0), (gpu, "gpu", req.gpu > 0)];
                let missing: Vec<&str> = asked.iter().filter(|(n, _, a)| *a && *n == 0).map(|(_, k, _)| *k).collect();
                let kinds: Vec<&str> = asked.iter().filter(|(_, _, a)| *a).map(|(_, k, _)| *k).collect();
                if eligible == 0 {
                    format!("no up node carries the required labels {:?}", job.requires())
                } else if missing.is_empty() {
                    format!("no single node has enough free {} at once ({per_task})", and_list(&kinds))
                } else {
                    format!("no node with enough free {} ({per_task})", missing.join(" or "))
                }
            };
            if job.anti_affinity {
                s.push_str("; one task per node (anti-affinity)");
            }
            if !job.requires().is_empty() {
                s.push_str(&format!("; only nodes labelled {:?} qualify", job.requires()));
            }
            s
        }
    }
}

impl World {
    /// Logs a `skip` event for `j` with the text `reason()` when the log is on and the note
    /// differs from the last one logged for `j` (compared by `key`).
    pub fn note_wait_keyed(&mut self, j: JobIdx, key: impl FnOnce() -> String, reason: impl FnOnce(&World) -> String) {
        if self.log.is_none() {
            return;
        }
        let key = key();
        if self.wait_notes.get(&j) == Some(&key) {
            return;
        }
        let text = reason(self);
        self.wait_notes.insert(j, key);
        self.log("skip", Some(j), None, || text);
    }

    /// Records why `try_start` could not place `j` (only when the log is on).
    #[inline]
    pub fn note_placement_failure(&mut self, j: JobIdx, failure: PlacementFailure) {
        if self.log.is_none() {
            return;
        }
        let workload = std::sync::Arc::clone(&self.workload);
        let job = &workload.jobs[j as usize];
        self.note_wait_keyed(j, || failure.key(), |w| describe(w, job, failure));
    }

    /// Forgets `j`'s last note (it started), so a later wait is reported afresh.
    #[inline]
    pub fn clear_wait_note(&mut self, j: JobIdx) {
        if self.log.is_some() {
            self.wait_notes.remove(&j);
        }
    }
}
