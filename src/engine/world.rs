//! The world the engine simulates: the cluster, the job records, the running set, usage integrals and
//! the event log. Policies read it through [`World`]'s accessors; they act through `SchedCtx`.

use super::observe::starvation::StarvationWatch;
use super::placement::{TierLoad, placement_total};
use crate::model::{Cluster, Job, JobIdx, NodeIdx, Resources, Time, Workload};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Where a job is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobState {
    /// Not yet submitted.
    Pending,
    /// Submitted, waiting for its dependencies.
    Held,
    /// Waiting in the queue.
    Queued,
    Running,
    Completed,
    /// Ended without completing (killed at its estimate, or out of retries).
    Failed,
    /// Never ran: rejected at submit (can never fit) or a dependency did not complete.
    Cancelled,
}

impl JobState {
    /// The final-state name used in `jobs.csv` (`unfinished` for anything still live at the end).
    pub fn outcome(self) -> &'static str {
        match self {
            JobState::Completed => "completed",
            JobState::Failed => "failed",
            JobState::Cancelled => "cancelled",
            _ => "unfinished",
        }
    }
}

/// What the simulation knows of one job as it runs.
#[derive(Clone, Debug)]
pub struct JobRecord {
    pub state: JobState,
    pub first_start: Option<Time>,
    /// Start of the current (or last) attempt.
    pub start: Time,
    pub end: Option<Time>,
    /// Bumped by every kill or preemption; voids the pending finish event.
    pub epoch: u32,
    pub attempts: u32,
    /// Work left (for rigid jobs: runtime left).
    pub remaining: Time,
    /// When the current attempt will end.
    pub run_end: Time,
    /// When the scheduler expects the current attempt to end (start + estimate).
    pub est_end: Time,
    /// Nodes and amounts of the current (or last) attempt.
    pub placement: Vec<(NodeIdx, Resources)>,
    /// Time the job last entered the queue, and the total time it spent there.
    pub queued_at: Time,
    pub queued_total: Time,
    /// Total time spent running, over all attempts.
    pub ran: Time,
    pub deps_left: u32,
    /// Why the job was cancelled or failed.
    pub reason: Option<String>,
}

impl JobRecord {
    fn new(job: &Job) -> Self {
        JobRecord {
            state: JobState::Pending,
            first_start: None,
            start: 0,
            end: None,
            epoch: 0,
            attempts: 0,
            remaining: job.runtime,
            run_end: 0,
            est_end: 0,
            placement: Vec::new(),
            queued_at: 0,
            queued_total: 0,
            ran: 0,
            deps_left: 0,
            reason: None,
        }
    }
}

/// Counters of disruptive events (preemptions, kills) over a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DisruptionCounters {
    pub preemptions: u64,
    /// Work thrown away by kills, in core-microseconds.
    pub lost_work_core_us: u128,
}

/// One line of the event log (`--events`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoggedEvent {
    pub time: Time,
    pub kind: &'static str,
    pub job: Option<JobIdx>,
    pub node: Option<NodeIdx>,
    pub detail: String,
}

/// Time integrals of allocated and up capacity, per resource kind (unit × µs), for utilization.
#[derive(Clone, Debug, Default)]
pub struct UsageIntegral {
    pub last: Time,
    pub allocated: [u128; 3],
    pub up: [u128; 3],
    pub total: [u128; 3],
    /// ∫ queue length dt (jobs × µs) and the largest queue length seen.
    pub queued: u128,
    pub queued_max: u64,
}

/// The running jobs: a count, and an index by (estimated end, index) kept only when some queue
/// discipline reads it (the backfilling ones plan with it); FIFO runs skip its cost.
#[derive(Debug, Default)]
pub struct RunningJobs {
    count: usize,
    /// `Some` when indexed.
    by_estimate: Option<BTreeSet<(Time, JobIdx)>>,
    /// Listed jobs, by index (a job is listed once per attempt).
    listed: Vec<bool>,
}

impl RunningJobs {
    /// Keeps the index by estimated end from now on (call before any job starts).
    pub fn index_by_estimate(&mut self) {
        debug_assert_eq!(self.count, 0, "index asked for after jobs started");
        self.by_estimate.get_or_insert_with(BTreeSet::new);
    }

    /// How many jobs are running.
    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The index by (estimated end, index); empty when no discipline asked for it.
    pub fn by_estimate(&self) -> &BTreeSet<(Time, JobIdx)> {
        static EMPTY: BTreeSet<(Time, JobIdx)> = BTreeSet::new();
        debug_assert!(self.by_estimate.is_some(), "the running index was not asked for");
        self.by_estimate.as_ref().unwrap_or(&EMPTY)
    }

    fn insert(&mut self, est_end: Time, j: JobIdx) {
        let i = j as usize;
        if self.listed.len() <= i {
            self.listed.resize(i + 1, false);
        }
        if !std::mem::replace(&mut self.listed[i], true) {
            self.count += 1;
        }
        if let Some(index) = &mut self.by_estimate {
            index.insert((est_end, j));
        }
    }

    /// Takes `j` (listed with `est_end`) off; nothing if it is not listed.
    pub fn remove(&mut self, est_end: Time, j: JobIdx) {
        if let Some(listed) = self.listed.get_mut(j as usize)
            && std::mem::take(listed)
        {
            self.count -= 1;
        }
        if let Some(index) = &mut self.by_estimate {
            index.remove(&(est_end, j));
        }
    }
}

/// Everything the engine simulates: the cluster, the jobs and their records, and the engine's own
/// bookkeeping. Its fields are the engine's; policies get a `&World` and read it through the accessors
/// below (the read-only view), and act only through `SchedCtx`.
pub struct World {
    pub(in crate::engine) now: Time,
    pub(in crate::engine) workload: Arc<Workload>,
    pub(in crate::engine) records: Vec<JobRecord>,
    pub(in crate::engine) cluster: Cluster,
    /// The running jobs: how many, and for the disciplines that read it (backfilling) an index by
    /// estimated end.
    pub(in crate::engine) running: RunningJobs,
    pub(in crate::engine) kill_at_estimate: bool,
    pub(in crate::engine) counters: DisruptionCounters,
    /// Jobs that reached a final state so far.
    pub(in crate::engine) finished: u64,
    /// Jobs waiting in the queue now.
    pub(in crate::engine) queued: u64,
    pub(in crate::engine) usage: UsageIntegral,
    /// The trimmed metrics window `[from, to)` (absolute times) and the usage integrals within it.
    pub(in crate::engine) window: Option<(Time, Time)>,
    pub(in crate::engine) window_usage: UsageIntegral,
    /// The event log, when asked for.
    pub(in crate::engine) log: Option<Vec<LoggedEvent>>,
    /// The last unconstrained placement that failed: (per-task request, tasks, cluster growth epoch).
    /// A job asking at least as much in every respect cannot fit until capacity grows.
    pub(in crate::engine) failed_shape: Option<(Resources, u32, u64)>,
    /// Which waiting jobs sat in the queue while there was room for them.
    pub(in crate::engine) starvation: StarvationWatch,
    /// Last `skip` note logged per waiting job (see `engine::diagnose`); empty unless the log is on.
    pub(in crate::engine) wait_notes: BTreeMap<JobIdx, String>,
    /// Counters of the fault model (all zero without it).
    pub(in crate::engine) faults: crate::engine::faults::FaultCounters,
    /// Nodes whose free capacity changed since the starvation watch last looked.
    pub(in crate::engine) touched: Vec<NodeIdx>,
    /// Capacity held and jobs waiting per tier (for quota policies).
    pub(in crate::engine) tier_load: TierLoad,
    /// Jobs evicted by the allocator to make room, to hand back to the queue discipline.
    pub(in crate::engine) evicted: Vec<JobIdx>,
    /// Malleable jobs started at the current instant (the round the allocator may share capacity in).
    pub(in crate::engine) round: Vec<JobIdx>,
}

impl World {
    pub fn new(workload: Arc<Workload>, cluster: Cluster, kill_at_estimate: bool, start: Time) -> Self {
        let records = workload.jobs.iter().map(JobRecord::new).collect();
        let n_jobs = workload.jobs.len();
        World {
            now: start,
            workload,
            records,
            cluster,
            running: RunningJobs::default(),
            kill_at_estimate,
            counters: DisruptionCounters::default(),
            finished: 0,
            queued: 0,
            usage: UsageIntegral { last: start, ..Default::default() },
            window: None,
            window_usage: UsageIntegral::default(),
            log: None,
            failed_shape: None,
            starvation: StarvationWatch::new(n_jobs),
            wait_notes: BTreeMap::new(),
            faults: Default::default(),
            touched: Vec::new(),
            tier_load: TierLoad::default(),
            evicted: Vec::new(),
            round: Vec::new(),
        }
    }

    /// Simulated time now.
    #[inline]
    pub fn now(&self) -> Time {
        self.now
    }

    /// The workload (jobs, user and tier names).
    #[inline]
    pub fn workload(&self) -> &Workload {
        &self.workload
    }

    /// What the simulation knows of job `j`.
    #[inline]
    pub fn record(&self, j: JobIdx) -> &JobRecord {
        &self.records[j as usize]
    }

    /// The cluster as the scheduler books it.
    #[inline]
    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    /// Capacity held and jobs waiting per tier.
    #[inline]
    pub fn tier_load(&self) -> &TierLoad {
        &self.tier_load
    }

    /// True when the event log is on (reasons are worth formatting).
    #[inline]
    pub fn logging(&self) -> bool {
        self.log.is_some()
    }

    #[inline]
    pub fn job(&self, j: JobIdx) -> &Job {
        &self.workload.jobs[j as usize]
    }

    /// Moves the clock to `t`, adding the interval since the last move to the usage integrals.
    #[inline]
    pub fn advance(&mut self, t: Time) {
        debug_assert!(t >= self.now, "time went back: {t} < {}", self.now);
        if t > self.now {
            let records = &self.records;
            let queued = |j: JobIdx| records[j as usize].state == JobState::Queued;
            self.starvation.check(self.now, &self.cluster, &self.workload.jobs, &mut self.touched, queued);
        }
        let dt = t.saturating_sub(self.usage.last) as u128;
        if dt > 0 {
            let alloc = self.cluster.allocated().as_array();
            let up = self.cluster.up_capacity.as_array();
            let total = self.cluster.total_capacity.as_array();
            for k in 0..3 {
                self.usage.allocated[k] += alloc[k] as u128 * dt;
                self.usage.up[k] += up[k] as u128 * dt;
                self.usage.total[k] += total[k] as u128 * dt;
            }
            self.usage.queued += self.queued as u128 * dt;
            if let Some((from, to)) = self.window {
                // The part of [last, t) inside the window.
                let (a, b) = (self.usage.last.max(from), t.min(to));
                if b > a {
                    let dw = (b - a) as u128;
                    let w = &mut self.window_usage;
                    for k in 0..3 {
                        w.allocated[k] += alloc[k] as u128 * dw;
                        w.up[k] += up[k] as u128 * dw;
                        w.total[k] += total[k] as u128 * dw;
                    }
                    w.queued += self.queued as u128 * dw;
                }
            }
            self.usage.last = t;
        }
        self.now = t;
    }

    /// Appends to the event log when it is on.
    #[inline]
    pub fn log(
        &mut self,
        kind: &'static str,
        job: Option<JobIdx>,
        node: Option<NodeIdx>,
        detail: impl FnOnce() -> String,
    ) {
        if let Some(log) = &mut self.log {
            log.push(LoggedEvent { time: self.now, kind, job, node, detail: detail() });
        }
    }

    /// Puts a job in the running state on `placement`; returns when its attempt will end.
    pub(super) fn begin(&mut self, j: JobIdx, placement: Vec<(NodeIdx, Resources)>) -> Time {
        let now = self.now;
        let job = &self.workload.jobs[j as usize];
        let rec = &mut self.records[j as usize];
        let duration = match job.malleable() {
            Some(m) => {
                let cpus = placement.iter().map(|(_, g)| g.cpu).min().unwrap_or(1);
                m.runtime(rec.remaining, cpus)
            }
            None => rec.remaining,
        };
        let run_for = if self.kill_at_estimate { duration.min(job.estimate) } else { duration };
        rec.state = JobState::Running;
        rec.start = now;
        rec.first_start.get_or_insert(now);
        rec.attempts += 1;
        rec.queued_total += now - rec.queued_at;
        self.queued -= 1;
        rec.run_end = now + run_for;
        rec.est_end = now + job.estimate;
        self.touched.extend(placement.iter().map(|&(n, _)| n));
        self.tier_load.sub_queued(job.tier);
        self.tier_load.add_running(job.tier, placement_total(&placement));
        rec.placement = placement;
        self.running.insert(rec.est_end, j);
        self.starvation.left(job, j);
        rec.run_end
    }

    /// Recomputes when running job `j`'s current attempt ends after its grant changed at the
    /// instant it started; bumps its epoch (voiding the old finish event) and returns the new one.
    pub fn rerun(&mut self, j: JobIdx) -> (JobIdx, Time, u32) {
        let job = &self.workload.jobs[j as usize];
        let rec = &mut self.records[j as usize];
        let duration = match job.malleable() {
            Some(m) => m.runtime(rec.remaining, rec.placement.iter().map(|(_, g)| g.cpu).min().unwrap_or(1)),
            None => rec.remaining,
        };
        let run_for = if self.kill_at_estimate { duration.min(job.estimate) } else { duration };
        rec.run_end = rec.start + run_for;
        rec.epoch += 1;
        (j, rec.run_end, rec.epoch)
    }

    /// Job `j` enters the queue: counts it and watches it for starvation.
    pub fn enter_queue(&mut self, j: JobIdx) {
        self.note_queued();
        self.tier_load.add_queued(self.workload.jobs[j as usize].tier);
        self.starvation.queued(&self.workload.jobs[j as usize], j);
    }

    /// Counts one more job in the queue.
    pub fn note_queued(&mut self) {
        self.queued += 1;
        self.usage.queued_max = self.usage.queued_max.max(self.queued);
    }

    /// Frees a running job's resources and removes it from the running set.
    pub fn release(&mut self, j: JobIdx) {
        let rec = &mut self.records[j as usize];
        for &(n, g) in &rec.placement {
            self.cluster.release(n, g);
            self.touched.push(n);
        }
        self.unlist(j);
    }

    /// Removes a running job whose capacity is already released from the running set and the tier load.
    pub fn unlist(&mut self, j: JobIdx) {
        let rec = &self.records[j as usize];
        self.running.remove(rec.est_end, j);
        self.tier_load.sub_running(self.workload.jobs[j as usize].tier, placement_total(&rec.placement));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// With or without the index the count is exact, and taking off a job that is not listed (or
    /// twice) changes nothing.
    #[test]
    fn running_jobs_count_with_and_without_the_index() {
        for indexed in [false, true] {
            let mut r = RunningJobs::default();
            if indexed {
                r.index_by_estimate();
            }
            r.insert(50, 2);
            r.insert(30, 7);
            r.remove(99, 4); // never listed
            assert_eq!(r.len(), 2);
            r.remove(50, 2);
            r.remove(50, 2);
            assert_eq!(r.len(), 1);
            if indexed {
                assert_eq!(r.by_estimate().iter().copied().collect::<Vec<_>>(), vec![(30, 7)]);
            }
            r.remove(30, 7);
            assert!(r.is_empty());
        }
    }
}
