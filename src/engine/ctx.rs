//! `SchedCtx`, the handle a queue discipline schedules through: it reads the world and acts by a small
//! set of calls (start, preempt, add overhead, note why a job waits).

use super::diagnose::PlacementFailure;
use super::placement;
use super::ports::{Allocator, NodeSelector};
use super::world::{JobRecord, JobState, World};
use crate::model::{Cluster, Job, JobIdx, NodeIdx, Resources, Time, Workload};
use std::collections::BTreeSet;

/// The handle a queue discipline schedules through: read the world, start or preempt jobs.
pub struct SchedCtx<'a> {
    pub(in crate::engine) world: &'a mut World,
    pub(in crate::engine) selector: &'a mut dyn NodeSelector,
    pub(in crate::engine) allocator: &'a mut dyn Allocator,
    /// Jobs started in this pass, with their end times and epochs (the engine schedules their finish events).
    pub(in crate::engine) started: &'a mut Vec<(JobIdx, Time, u32)>,
    /// Attempts stopped (preempted or evicted) in this pass, with what they held: a job may be
    /// restarted within the same pass, so its record then describes the new attempt.
    pub(in crate::engine) preempted: &'a mut Vec<Stopped>,
}

/// An attempt stopped in a scheduling pass: the job, the epoch of that attempt and its placement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stopped {
    pub job: JobIdx,
    pub epoch: u32,
    pub placement: Vec<(NodeIdx, Resources)>,
}

impl<'a> SchedCtx<'a> {
    #[inline]
    pub fn now(&self) -> Time {
        self.world.now
    }

    #[inline]
    pub fn job(&self, j: JobIdx) -> &Job {
        &self.world.workload.jobs[j as usize]
    }

    pub fn jobs(&self) -> &[Job] {
        &self.world.workload.jobs
    }

    pub fn record(&self, j: JobIdx) -> &JobRecord {
        &self.world.records[j as usize]
    }

    /// The world, read-only.
    #[inline]
    pub fn world(&self) -> &World {
        self.world
    }

    /// The workload (jobs, user and tier names).
    pub fn workload(&self) -> &Workload {
        &self.world.workload
    }

    /// Appends to the event log (`--events`) when it is on; `detail` is called only then.
    #[inline]
    pub fn log(&mut self, kind: &'static str, job: Option<JobIdx>, detail: impl FnOnce() -> String) {
        self.world.log(kind, job, None, detail);
    }

    pub fn cluster(&self) -> &Cluster {
        &self.world.cluster
    }

    /// Running jobs ordered by estimated end time (for a discipline whose
    /// [`QueueDiscipline::reads_running_by_estimate`](super::ports::QueueDiscipline::reads_running_by_estimate) is true).
    pub fn running(&self) -> &BTreeSet<(Time, JobIdx)> {
        self.world.running.by_estimate()
    }

    /// Places every task of job `j` now (gang start) and starts it; on failure nothing changes.
    /// The allocator may refuse (quotas) or make room by evicting running jobs (preemption).
    pub fn try_start(&mut self, j: JobIdx) -> bool {
        if !self.allocator.admit(self.world, j) {
            self.note_wait(j, || "tier quota full while another tier waits".into());
            return false;
        }
        let placement = match self.place(j) {
            Some(p) => p,
            None => match placement::place_by_eviction(self, j) {
                Some(p) => p,
                None => return false,
            },
        };
        let world = &mut *self.world;
        world.clear_wait_note(j);
        world.log("start", Some(j), placement.first().map(|p| p.0), || {
            placement.iter().map(|p| p.0.to_string()).collect::<Vec<_>>().join(";")
        });
        let end = world.begin(j, placement);
        if world.workload.jobs[j as usize].malleable().is_some() {
            world.round.push(j);
        }
        self.allocator.started(world, j);
        let epoch = world.records[j as usize].epoch;
        self.started.push((j, end, epoch));
        true
    }

    /// Chooses a node and a grant for every task of job `j` and allocates them; on failure nothing
    /// changes (but the failure is noted for `--events`).
    pub(super) fn place(&mut self, j: JobIdx) -> Option<Vec<(NodeIdx, Resources)>> {
        let world = &mut *self.world;
        let job = &world.workload.jobs[j as usize];
        if !job.total_request().fits_in(&world.cluster.free_total) {
            if world.log.is_some() {
                let failure = PlacementFailure::total_short(&job.total_request(), &world.cluster.free_total);
                world.note_placement_failure(j, failure);
            }
            return None;
        }
        let unconstrained = job.requires().is_empty() && !job.anti_affinity;
        if unconstrained
            && let Some((req, tasks, epoch)) = world.failed_shape
            && epoch == world.cluster.growth_epoch
            && tasks <= job.tasks
            && req.fits_in(&job.request)
        {
            world.note_placement_failure(j, PlacementFailure::NoNode { placed: 0 });
            return None;
        }
        let mut placement: Vec<(NodeIdx, Resources)> = Vec::with_capacity(job.tasks as usize);
        let mut nodes: Vec<NodeIdx> = Vec::with_capacity(job.tasks as usize);
        // A malleable gang first reserves every task's minimum, then hands out the extra: a grant
        // to an early task must never take the room a later task needs to start at all.
        let gang = job.tasks > 1 && job.malleable().is_some();
        for _ in 0..job.tasks {
            match self.selector.select(&world.cluster, job, &job.request, &nodes) {
                Some(n) => {
                    let grant =
                        if gang { job.request } else { self.allocator.grant(job, &world.cluster.nodes[n as usize]) };
                    world.cluster.allocate(n, grant);
                    self.selector.node_changed(&world.cluster, n);
                    nodes.push(n);
                    placement.push((n, grant));
                }
                None => {
                    let placed = placement.len() as u32;
                    for (n, g) in placement {
                        world.cluster.release(n, g);
                        self.selector.node_changed(&world.cluster, n);
                    }
                    if unconstrained {
                        // The rollback bumped the epoch, but only restored what this attempt took.
                        world.failed_shape = Some((job.request, job.tasks, world.cluster.growth_epoch));
                    }
                    world.note_placement_failure(j, PlacementFailure::NoNode { placed });
                    return None;
                }
            }
        }
        if gang {
            for (n, g) in &mut placement {
                // With its own minimum lifted, the node holds the request: the allocator's usual case.
                world.cluster.release(*n, *g);
                let grant = self.allocator.grant(job, &world.cluster.nodes[*n as usize]);
                world.cluster.allocate(*n, grant);
                self.selector.node_changed(&world.cluster, *n);
                *g = grant;
            }
        }
        Some(placement)
    }

    /// Records in the event log (`--events`) why waiting job `j` was not started in this pass,
    /// for `clustersim explain`: e.g. `reservation of job 12`, `tier quota full`. Call it for a job
    /// the discipline held back on purpose; `try_start` already records placement failures.
    /// Free when the log is off (`reason` is not called); a reason equal to the job's previous
    /// one is not logged again, so keep the text stable (no changing numbers) across passes.
    #[inline]
    pub fn note_wait(&mut self, j: JobIdx, reason: impl FnOnce() -> String) {
        if self.world.log.is_some() {
            let text = reason();
            let key = text.clone();
            self.world.note_wait_keyed(j, || key, |_| text);
        }
    }

    /// Stops running job `j` and returns it to the waiting state (the caller re-queues it).
    /// With `keep_progress` the work done so far is kept (suspend/checkpoint); otherwise it is lost.
    pub fn preempt(&mut self, j: JobIdx, keep_progress: bool) {
        self.world.release(j);
        for &(n, _) in &self.world.records[j as usize].placement {
            self.selector.node_changed(&self.world.cluster, n);
        }
        self.stopped(j, keep_progress, "preempt");
    }

    /// The bookkeeping of a preemption or eviction, once the job's capacity is released: progress
    /// kept or work lost, a new epoch, back to waiting.
    pub(super) fn stopped(&mut self, j: JobIdx, keep_progress: bool, kind: &'static str) {
        let now = self.world.now;
        let rec = &mut self.world.records[j as usize];
        let elapsed = now.saturating_sub(rec.start); // a dispatch may still be in flight
        rec.ran += elapsed;
        let cores: u64 = rec.placement.iter().map(|(_, g)| g.cpu).sum();
        let planned = rec.run_end - rec.start;
        if keep_progress && planned > 0 {
            let done = (rec.remaining as u128 * elapsed as u128 / planned as u128) as Time;
            rec.remaining = rec.remaining.saturating_sub(done).max(1);
        } else {
            self.world.counters.lost_work_core_us += elapsed as u128 * cores as u128;
        }
        let stopped = Stopped { job: j, epoch: rec.epoch, placement: rec.placement.clone() };
        rec.epoch += 1;
        rec.state = JobState::Queued;
        rec.queued_at = now;
        self.world.counters.preemptions += 1;
        self.world.enter_queue(j);
        self.world.log(kind, Some(j), None, || if keep_progress { "suspend".into() } else { "kill".into() });
        self.preempted.push(stopped);
    }

    /// Adds `extra` work to waiting job `j` (the cost of suspending and resuming it); the overhead is
    /// counted as lost work, on the cores of its last placement.
    pub fn add_overhead(&mut self, j: JobIdx, extra: Time) {
        let rec = &mut self.world.records[j as usize];
        rec.remaining += extra;
        let cores: u64 = rec.placement.iter().map(|(_, g)| g.cpu).sum();
        self.world.counters.lost_work_core_us += extra as u128 * cores as u128;
    }
}
