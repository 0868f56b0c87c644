//! The simulation loop: merges arrivals with the event queue, reacts to each event, runs a scheduling pass after it.

use super::ctx::SchedCtx;
use super::event::Event;
use super::observe::timeline::{Sample, Sampler};
use super::ports::{Policies, QueueDiscipline};
use super::queue::EventQueue;
use super::world::{JobRecord, JobState, LoggedEvent, World};
use crate::model::{Cluster, JobIdx, Time, Workload};
use std::sync::Arc;

mod faults;
mod plane;

use plane::Plane;

/// Run options that are not policies.
#[derive(Clone, Debug, Default)]
pub struct SimOptions {
    /// Stop at this time; jobs still live are `unfinished`.
    pub horizon: Option<Time>,
    /// Timeline sample interval (`None`: no timeline).
    pub sample_interval: Option<Time>,
    pub kill_at_estimate: bool,
    /// Keep an event log.
    pub log_events: bool,
    /// Check the invariants after every event (slow; for tests): see [`RunOutput::audit_violations`].
    pub audit: bool,
    /// The trimmed metrics window `[from, to)` in absolute time (`[metrics] window`), if any.
    pub metrics_window: Option<(Time, Time)>,
}

/// What a finished simulation hands to the metrics and the writers.
pub struct RunOutput {
    pub workload: Arc<Workload>,
    pub records: Vec<JobRecord>,
    pub cluster: Cluster,
    pub timeline: Vec<Sample>,
    pub world_counters: super::world::DisruptionCounters,
    pub usage: super::world::UsageIntegral,
    /// First submit and end of the measured window.
    pub window: (Time, Time),
    pub events_processed: u64,
    pub log: Option<Vec<LoggedEvent>>,
    /// Invariant violations found when `SimOptions::audit` was on (empty when all held).
    pub audit_violations: Vec<String>,
    /// Per job: the first time it waited while enough capacity for it was free (starvation by policy).
    pub first_free_wait: Vec<Option<Time>>,
    /// Counters of the fault model (all zero without it).
    pub faults: crate::engine::faults::FaultCounters,
    /// The trimmed metrics window `[from, to)` and the usage integrals within it, when asked for.
    pub window_usage: Option<((Time, Time), super::world::UsageIntegral)>,
}

/// One simulation: a workload on a cluster under one policy per axis.
pub struct Simulation {
    world: World,
    policies: Policies,
    queue: EventQueue<Event>,
    opts: SimOptions,
    dependents: Vec<Vec<JobIdx>>,
    next_arrival: usize,
    sampler: Option<Sampler>,
    started: Vec<(JobIdx, Time, u32)>,
    preempted: Vec<super::ctx::Stopped>,
    last_end: Time,
    events: u64,
    violations: Vec<String>,
    /// Between the schedulers and the cluster: direct, or the fault model when the scenario has failures,
    /// latency or several schedulers. The loop reaches it only through its hooks (`plane.rs`).
    plane: Plane,
    /// The run is over: [`Simulation::step`] does nothing more.
    over: bool,
    stopped_at_horizon: bool,
}

impl Simulation {
    pub fn new(workload: Arc<Workload>, cluster: Cluster, policies: Policies, opts: SimOptions) -> Self {
        let t0 = workload.jobs.first().map(|j| j.submit).unwrap_or(0);
        let mut dependents: Vec<Vec<JobIdx>> = Vec::new();
        if workload.jobs.iter().any(|j| !j.deps().is_empty()) {
            dependents = vec![Vec::new(); workload.jobs.len()];
            for (i, job) in workload.jobs.iter().enumerate() {
                for &d in job.deps() {
                    dependents[d as usize].push(i as JobIdx);
                }
            }
        }
        let mut world = World::new(workload, cluster, opts.kill_at_estimate, t0);
        if policies.queue.reads_running_by_estimate() {
            world.running.index_by_estimate();
        }
        if opts.log_events {
            world.log = Some(Vec::new());
        }
        world.window = opts.metrics_window;
        let mut queue = EventQueue::with_capacity(1024);
        let sampler = opts.sample_interval.map(|iv| Sampler::new(iv.max(1)));
        if sampler.is_some() {
            queue.push(t0, Event::Sample);
        }
        Simulation {
            world,
            policies,
            queue,
            opts,
            dependents,
            next_arrival: 0,
            sampler,
            started: Vec::new(),
            preempted: Vec::new(),
            last_end: t0,
            events: 0,
            violations: Vec::new(),
            plane: Plane::Direct,
            over: false,
            stopped_at_horizon: false,
        }
    }

    /// The next event: the earlier of the next arrival and the queue's head; at equal times
    /// arrivals come first, then queued events (finishes), as in pyss, whose event order at one
    /// timestamp is submission, termination, start. A job submitted at the instant another ends
    /// early is first considered with that job still running, then again after its end (one pass
    /// after each event). This order is what makes whole traces agree with the pyss tables to the
    /// last digit (docs/queues.md).
    fn next_event(&mut self) -> Option<(Time, Event)> {
        let jobs = &self.world.workload.jobs;
        let arrival = jobs.get(self.next_arrival).map(|j| j.submit);
        match (self.queue.peek_time(), arrival) {
            (Some(q), Some(a)) if a <= q => {}
            (Some(_), _) => return self.queue.pop(),
            (None, None) => return None,
            (None, Some(_)) => {}
        }
        let j = self.next_arrival as JobIdx;
        self.next_arrival += 1;
        Some((arrival.expect("checked above"), Event::Arrival { job: j }))
    }

    /// Runs to the end (queue empty, or horizon) and returns the records.
    pub fn run(mut self) -> RunOutput {
        while self.step() {}
        self.finish()
    }

    /// The current simulated time and world, read-only (for a driver that steps the run).
    pub fn world(&self) -> &World {
        &self.world
    }

    /// Processes the next event and the scheduling pass after it; false once the run is over (no
    /// event left, the horizon passed, or only periodic events that cannot start a job are left).
    /// [`Simulation::run`] is `while step() {}` then [`Simulation::finish`].
    #[inline]
    pub fn step(&mut self) -> bool {
        if self.over {
            return false;
        }
        if !self.world.round.is_empty() && self.next_time().is_none_or(|t| t > self.world.now) {
            self.close_round();
        }
        let Some((t, ev)) = self.next_event() else {
            self.over = true;
            return false;
        };
        if t > self.opts.horizon.unwrap_or(Time::MAX) {
            self.stopped_at_horizon = true;
            self.over = true;
            return false;
        }
        if ev.is_fault() && self.work_over() {
            return true; // failures after the last job ended change nothing
        }
        self.events += 1;
        if self.opts.audit && t < self.world.now && self.violations.len() < 20 {
            self.violations.push(format!("time went back to {t} from {}", self.world.now));
        }
        if let Event::Sample = ev {
            self.take_sample(t);
            return true;
        }
        self.world.advance(t);
        match ev {
            Event::Arrival { job } => {
                if self.admit(job) {
                    self.on_arrival(job)
                }
            }
            Event::Finish { job, epoch } => self.on_finish_event(job, epoch),
            Event::ThinkTimeOver { job } => {
                if self.world.records[job as usize].state == JobState::Held {
                    self.enqueue(job);
                }
            }
            Event::Sample => unreachable!("handled above"),
            other => self.on_plane_event(other),
        }
        self.schedule_pass();
        if self.opts.audit {
            self.audit(t);
        }
        if self.stuck() {
            self.over = true; // only periodic events are left, and they cannot start a waiting job
            return false;
        }
        true
    }

    /// One more scheduling pass at the current time, outside of any event: for a driver that steps
    /// the run and has changed what its queue discipline will do (e.g. an agent chose a job).
    pub fn schedule_now(&mut self) {
        self.schedule_pass();
    }

    /// Ends the run (jobs that can never start are ended, a horizon closes the running ones) and
    /// returns the records; after [`Simulation::step`] returned false, or to cut a stepped run short.
    pub fn finish(mut self) -> RunOutput {
        let horizon = self.opts.horizon.unwrap_or(Time::MAX);
        let stopped_at_horizon = self.stopped_at_horizon;
        if !stopped_at_horizon {
            self.end_never_fitting();
        }
        let end = if stopped_at_horizon { horizon } else { self.last_end.max(self.world.now) };
        if stopped_at_horizon {
            self.world.advance(horizon);
            // A job still running at the horizon has run until it.
            for rec in self.world.records.iter_mut().filter(|r| r.state == JobState::Running) {
                rec.ran += horizon.saturating_sub(rec.start);
            }
        }
        let t0 = self.world.workload.jobs.first().map(|j| j.submit).unwrap_or(0);
        self.close_plane(end);
        RunOutput {
            timeline: self.sampler.map(|s| s.samples).unwrap_or_default(),
            window: (t0, end),
            events_processed: self.events,
            workload: self.world.workload,
            records: self.world.records,
            cluster: self.world.cluster,
            world_counters: self.world.counters,
            usage: self.world.usage,
            log: self.world.log,
            audit_violations: self.violations,
            first_free_wait: self.world.starvation.first_free_wait,
            faults: self.world.faults,
            window_usage: self.world.window.map(|w| (w, self.world.window_usage)),
        }
    }

    /// Ends every job still waiting when the run is over without a horizon: nothing could start it.
    fn end_never_fitting(&mut self) {
        let waiting: Vec<JobIdx> = (0..self.world.records.len() as JobIdx)
            .filter(|&j| self.world.records[j as usize].state == JobState::Queued)
            .collect();
        for j in waiting {
            let tasks = self.world.job(j).tasks;
            self.world.queued -= 1;
            let reason = format!(
                "never fits: its {tasks} task(s) could not be placed even with every node up and nothing else running"
            );
            self.cancel(j, reason);
        }
    }

    /// Checks the model's invariants at time `t`; records each violation (at most 20).
    fn audit(&mut self, t: Time) {
        let mut found = Vec::new();
        let cluster = &self.world.cluster;
        let mut used = vec![crate::model::Resources::ZERO; cluster.nodes.len()];
        let mut queued = 0;
        for (j, rec) in self.world.records.iter().enumerate() {
            match rec.state {
                JobState::Running if !self.plane.books(j as JobIdx) => {}
                JobState::Running => {
                    for &(n, g) in &rec.placement {
                        used[n as usize] += g;
                    }
                }
                JobState::Queued => queued += 1,
                _ => {}
            }
        }
        for (node, used) in cluster.nodes.iter().zip(&used) {
            if !used.fits_in(&node.capacity) || node.capacity.saturating_sub(&node.free) != *used {
                found.push(format!(
                    "node {} books {:?} but its running tasks hold {:?} (capacity {:?})",
                    node.id,
                    node.capacity.saturating_sub(&node.free),
                    used,
                    node.capacity
                ));
            }
        }
        if queued != self.queued_len() {
            found.push(format!("{queued} jobs are queued but the discipline holds {}", self.queued_len()));
        }
        audit_books(cluster, "the cluster", &mut found);
        self.audit_plane(&mut found);
        for v in found {
            if self.violations.len() < 20 {
                self.violations.push(format!("t={t}: {v}"));
            }
        }
    }

    /// Time of the next event (arrival or queued), without taking it.
    fn next_time(&self) -> Option<Time> {
        let arrival = self.world.workload.jobs.get(self.next_arrival).map(|j| j.submit);
        match (self.queue.peek_time(), arrival) {
            (Some(q), Some(a)) => Some(q.min(a)),
            (q, a) => q.or(a),
        }
    }

    /// Ends the instant's scheduling round: the allocator may grow the grants of the malleable
    /// tasks started in it; their finish events are rescheduled.
    fn close_round(&mut self) {
        let Policies { selector, allocator, .. } = &mut self.policies;
        let ends = super::placement::close_round(&mut self.world, selector.as_mut(), allocator.as_mut());
        for (j, end, epoch) in ends {
            self.queue.push(end, Event::Finish { job: j, epoch });
        }
    }

    fn take_sample(&mut self, t: Time) {
        let queued = self.queued_len();
        let done = self.work_over();
        if let Some(s) = &mut self.sampler {
            s.record(t, &self.world, queued);
            let more = (!self.queue.is_empty() || self.next_arrival < self.world.workload.jobs.len()) && !done;
            if more {
                self.queue.push(t + s.interval, Event::Sample);
            }
        }
    }

    fn on_arrival(&mut self, j: JobIdx) {
        let workload = Arc::clone(&self.world.workload);
        let job = &workload.jobs[j as usize];
        let world = &mut self.world;
        world.log("arrival", Some(j), None, String::new);
        if let Some(reason) = world.cluster.never_fits(job) {
            self.cancel(j, format!("rejected at submit: {reason}"));
            return;
        }
        let mut waiting = 0;
        let mut failed_dep = None;
        for &d in job.deps() {
            match world.records[d as usize].state {
                JobState::Completed => {}
                JobState::Failed | JobState::Cancelled => failed_dep = Some(d),
                _ => waiting += 1,
            }
        }
        if let Some(d) = failed_dep {
            let id = world.job(d).id;
            self.cancel(j, format!("dependency {id} did not complete"));
            return;
        }
        // With a think time, a job whose dependencies all completed before it arrived waits out the rest of it.
        let think_until = match job.deps().iter().filter_map(|&d| world.records[d as usize].end).max() {
            Some(last_end) if waiting == 0 && job.dep_delay() > 0 => last_end + job.dep_delay(),
            _ => 0,
        };
        let rec = &mut world.records[j as usize];
        rec.deps_left = waiting;
        if waiting > 0 || think_until > world.now {
            rec.state = JobState::Held;
        }
        if waiting == 0 {
            self.release_held(j, think_until);
        }
    }

    /// A job whose dependencies completed enters the queue at `at` (its think time over), or now.
    fn release_held(&mut self, j: JobIdx, at: Time) {
        if at > self.world.now {
            self.queue.push(at, Event::ThinkTimeOver { job: j });
        } else {
            self.enqueue(j);
        }
    }

    fn enqueue(&mut self, j: JobIdx) {
        let now = self.world.now;
        let rec = &mut self.world.records[j as usize];
        rec.state = JobState::Queued;
        rec.queued_at = now;
        self.world.enter_queue(j);
        self.with_job_queue(j, |queue, ctx| queue.enqueue(j, ctx));
    }

    fn cancel(&mut self, j: JobIdx, reason: String) {
        let now = self.world.now;
        let rec = &mut self.world.records[j as usize];
        rec.state = JobState::Cancelled;
        rec.end = Some(now);
        self.world.finished += 1;
        self.world.log("cancel", Some(j), None, || reason.clone());
        self.world.records[j as usize].reason = Some(reason);
        self.release_dependents(j, false);
    }

    fn on_finish(&mut self, j: JobIdx, epoch: u32) {
        let rec = &self.world.records[j as usize];
        if rec.epoch != epoch || rec.state != JobState::Running {
            return; // voided by a kill or preemption
        }
        let now = self.world.now;
        self.world.release(j);
        let job = self.world.job(j);
        let killed = self.world.kill_at_estimate && now - self.world.records[j as usize].start >= job.estimate && {
            let rec = &self.world.records[j as usize];
            let full = match job.malleable() {
                Some(m) => m.runtime(rec.remaining, rec.placement.iter().map(|(_, g)| g.cpu).min().unwrap_or(1)),
                None => rec.remaining,
            };
            full > job.estimate
        };
        self.released_placement(j);
        let rec = &mut self.world.records[j as usize];
        rec.end = Some(now);
        rec.ran += now - rec.start;
        rec.remaining = 0;
        if killed {
            rec.state = JobState::Failed;
            rec.reason = Some("killed at its estimate".into());
        } else {
            rec.state = JobState::Completed;
        }
        self.last_end = self.last_end.max(now);
        self.world.finished += 1;
        self.world.log(if killed { "kill" } else { "finish" }, Some(j), None, String::new);
        self.with_job_queue(j, |queue, ctx| queue.job_ended(j, ctx));
        self.release_dependents(j, !killed);
    }

    /// Tells the jobs waiting on `j` that it ended; `ok` says whether it completed.
    fn release_dependents(&mut self, j: JobIdx, ok: bool) {
        if self.dependents.is_empty() {
            return;
        }
        let waiting = std::mem::take(&mut self.dependents[j as usize]);
        for &d in &waiting {
            if self.world.records[d as usize].state != JobState::Held {
                continue;
            }
            if !ok {
                let id = self.world.job(j).id;
                self.cancel(d, format!("dependency {id} did not complete"));
                continue;
            }
            let rec = &mut self.world.records[d as usize];
            rec.deps_left -= 1;
            if rec.deps_left == 0 {
                let think_time = self.world.workload.jobs[d as usize].dep_delay();
                self.release_held(d, self.world.now + think_time);
            }
        }
    }

    /// Calls `f` with the queue discipline of the scheduler that owns job `j` (there may be several) and a
    /// scheduling context over the world.
    fn with_job_queue<R>(&mut self, j: JobIdx, f: impl FnOnce(&mut dyn QueueDiscipline, &mut SchedCtx<'_>) -> R) -> R {
        let policies = self.plane.policies_of(&mut self.policies, j);
        let (queue, mut ctx) = queue_and_ctx(policies, &mut self.world, &mut self.started, &mut self.preempted);
        f(queue, &mut ctx)
    }

    /// One pass per scheduler: the plane opens it (or skips it), the queue discipline schedules, the
    /// plane closes it (the started jobs run, or are dispatched).
    fn schedule_pass(&mut self) {
        for p in 0..self.plane.partitions() {
            if !self.pass_begins(p) {
                continue;
            }
            let policies = self.plane.policies(&mut self.policies, p);
            let (queue, mut ctx) = queue_and_ctx(policies, &mut self.world, &mut self.started, &mut self.preempted);
            queue.schedule(&mut ctx);
            super::placement::requeue_evicted(queue, &mut ctx);
            self.pass_ends(p);
        }
    }
}

/// The queue discipline of `policies`, and a scheduling context over `world` with their selector and
/// allocator that collects the jobs a pass starts and preempts.
fn queue_and_ctx<'a>(
    policies: &'a mut Policies,
    world: &'a mut World,
    started: &'a mut Vec<(JobIdx, Time, u32)>,
    preempted: &'a mut Vec<super::ctx::Stopped>,
) -> (&'a mut dyn QueueDiscipline, SchedCtx<'a>) {
    let Policies { selector, allocator, queue, .. } = policies;
    let ctx = SchedCtx { world, selector: selector.as_mut(), allocator: allocator.as_mut(), started, preempted };
    (queue.as_mut(), ctx)
}

/// The books of `cluster` against its nodes: free and up capacity are the sums over up nodes, the count of
/// down nodes matches, and no node's free capacity exceeds its capacity.
fn audit_books(cluster: &crate::model::Cluster, what: &str, found: &mut Vec<String>) {
    let (mut up, mut free, mut down) = (crate::model::Resources::ZERO, crate::model::Resources::ZERO, 0u32);
    for node in &cluster.nodes {
        if !node.free.fits_in(&node.capacity) {
            found.push(format!(
                "node {} of {what} has free {:?} above its capacity {:?}",
                node.id, node.free, node.capacity
            ));
        }
        if node.up {
            up += node.capacity;
            free += node.free;
        } else {
            down += 1;
        }
    }
    if up != cluster.up_capacity || free != cluster.free_total || down != cluster.nodes_down {
        found.push(format!(
            "{what}'s books (up {:?}, free {:?}, {} down) differ from its nodes (up {up:?}, free {free:?}, {down} down)",
            cluster.up_capacity, cluster.free_total, cluster.nodes_down
        ));
    }
}
