//! `conservative_backfill`: every waiting job holds a reservation; a job may start early only where no reservation is delayed.
//!
//! Semantics (those of pyss's `ConservativeScheduler`, which the peer tests replay):
//! - on submission a job is given the earliest reservation that fits the availability profile
//!   (running jobs until their estimated ends, plus every existing reservation) for its whole
//!   estimate; if that is now, it starts now;
//! - when a job completes, the plan is compressed: in submit order, each job not yet due has its
//!   reservation removed and re-made at the earliest fit, so it can only move earlier — no job ever
//!   starts later than the reservation it was promised at submit (while jobs end by their estimates);
//! - jobs whose reservation has come are started in the order their reservations were made.
//!
//! The profile is aggregate (cluster-wide sums of cpu, memory and gpus). When a due job cannot be
//! placed on the actual nodes (fragmentation), it waits for a completion due at the same instant
//! if there is one, else its reservation slides past now and it is retried at the next event.
//!
//! The profile is kept from pass to pass and updated in place (bookings added, moved, lifted); it
//! is rebuilt from scratch only when something outside the plan changed (see [`Conservative::update`]).
//! Cost per pass: O(R) to check the R running jobs against their bookings, plus a booking change
//! per job that starts, ends early or moves, each O(P) in a profile of P steps (a vector). A
//! submission adds one O(P) search. A completion compresses: every job not yet due is first
//! checked in O(log P) against the prefix maxima of the profile (can any step before its start hold
//! it?); only those that may move are searched, up to their own start, without lifting their booking.
//!
//! Before that, a job is checked against the *rises* of the plan since it was last found unable to
//! move: every lift (a job ended early, a booking moved or slid) is logged with where it starts and
//! the most it leaves free there. Levels before a job's start that did not rise can only have
//! fallen, so a job that could not move then cannot now unless a rise starts before its start and
//! leaves room for its request: the other jobs are passed over in O(rises since the last pass).

use super::QueueDiscipline;
use super::profile::{Amount, Profile};
use super::view::{PendingCompletions, held, planned_duration, planned_release};
use crate::engine::ctx::SchedCtx;
use crate::error::ScenarioError;
use crate::fmt::fmt_time;
use crate::model::{JobIdx, Time};
use crate::policies::{Params, PolicyEnv};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Default)]
pub struct Conservative {
    /// Every waiting job, in submit order (ties: workload order).
    queue: BTreeSet<(Time, JobIdx)>,
    /// The reservation of each planned waiting job, by job index: (start, sequence number of the
    /// decision); `None` for jobs not waiting or not yet planned.
    reservation: Vec<Option<(Time, u64)>>,
    /// Planned jobs by (start, decision sequence): due jobs are a prefix.
    by_start: BTreeSet<(Time, u64, JobIdx)>,
    /// Jobs submitted (or requeued) since the last pass, in arrival order, not yet planned.
    fresh: Vec<JobIdx>,
    /// A job completed since the last pass: compress the plan.
    compress: bool,
    next_seq: u64,
    /// The plan, kept from pass to pass and updated as jobs are booked, moved, started and end.
    profile: Profile,
    /// Running jobs as the profile books them: (estimated end, index) → what they hold.
    booked: BTreeMap<(Time, JobIdx), Amount>,
    /// False when the profile must be rebuilt from scratch at the next pass.
    synced: bool,
    changes: Vec<(Time, Amount)>,
    /// Scratch: the waiting jobs in submit order, for a compression.
    order: Vec<JobIdx>,
    ended: Vec<((Time, JobIdx), Amount)>,
    pending: PendingCompletions,
    /// Every rise of the plan, oldest first: (sequence number, where it starts, the largest free
    /// amount it leaves there); those no waiting job can still need are dropped.
    rises: Vec<(u64, Time, Amount)>,
    /// Sequence number of the last rise.
    rise_seq: u64,
    /// `rise_seq` when the last compression began: older rises are seen by every planned job.
    compressed_at: u64,
    /// By job: the last rise it was checked after (it could not move then); 0: check it next time.
    seen: Vec<u64>,
    /// Re-place every job not yet due at every compression, without the filters (pyss's literal
    /// compression; the reference the filtered one is tested against).
    every_job: bool,
}

pub fn build(p: &Params, _env: &PolicyEnv) -> Result<Box<dyn QueueDiscipline>, ScenarioError> {
    let every_job = p.choice("compress", "filtered", &["filtered", "every_job"])? == "every_job";
    p.finish()?;
    Ok(Box::new(Conservative { every_job, ..Conservative::default() }))
}

impl Conservative {
    fn set_reservation(&mut self, j: JobIdx, start: Time) {
        if let Some((old, seq)) = self.reservation[j as usize] {
            if old == start {
                return;
            }
            self.by_start.remove(&(old, seq, j));
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        self.reservation[j as usize] = Some((start, seq));
        self.by_start.insert((start, seq, j));
    }

    /// Lifts the booking of `req` over `[start, end)` and logs the rise.
    fn lift(&mut self, start: Time, end: Time, req: &Amount) {
        if let Some(high) = self.profile.unreserve(start, end, req) {
            self.log_rise(start, high);
        }
    }

    fn log_rise(&mut self, start: Time, high: Amount) {
        self.rise_seq += 1;
        self.rises.push((self.rise_seq, start, high));
    }

    /// False when job `j`, booked from `start` and found unable to move after its last check, still
    /// cannot: no rise since then starts before `start` with room for `req`.
    fn may_have_risen(&self, j: JobIdx, start: Time, req: &Amount) -> bool {
        let seen = self.seen[j as usize];
        if seen == 0 {
            return true;
        }
        let k = self.rises.partition_point(|r| r.0 <= seen);
        self.rises[k..].iter().any(|&(_, at, high)| at < start && high.holds(req))
    }

    fn forget(&mut self, j: JobIdx) {
        if let Some((start, seq)) = self.reservation[j as usize].take() {
            self.by_start.remove(&(start, seq, j));
            self.synced = false;
        }
    }

    /// Rebuilds the profile from the nodes' free capacity, the running jobs and the reservations.
    fn rebuild(&mut self, ctx: &SchedCtx<'_>) {
        let mut changes = std::mem::take(&mut self.changes);
        self.profile = self.fresh_profile(ctx, &mut changes);
        self.changes = changes;
        // Anything may have changed: every job is checked at the next compression.
        let all = Amount { cpu: i64::MAX, mem: i64::MAX, gpu: i64::MAX };
        self.log_rise(0, all);
        self.booked.clear();
        for &(est_end, j) in ctx.running() {
            self.booked.insert((est_end, j), Amount::of(&held(ctx, j)));
        }
        self.synced = true;
    }

    /// Brings the kept profile to the current instant: drops the past and gives back the rest of
    /// the estimate of every job that ended early. Returns false, leaving a rebuild to do, when
    /// anything changed outside the plan: a job started by someone else (another scheduler's
    /// partition) or running past its estimate, a grant that differs from the request, capacity
    /// lost or regained (node failures), a reservation left behind. Cost: O(R) to check the running
    /// jobs against the bookings, plus the dropped steps and one lift per ended job.
    fn update(&mut self, ctx: &SchedCtx<'_>) -> bool {
        let now = ctx.now();
        if !self.synced || self.by_start.first().is_some_and(|&(s, _, _)| s < now) {
            return false;
        }
        self.ended.clear();
        let mut booked = self.booked.iter().peekable();
        for &(est_end, j) in ctx.running() {
            while let Some((&key, &amount)) = booked.next_if(|entry| *entry.0 < (est_end, j)) {
                self.ended.push((key, amount));
            }
            match booked.next() {
                Some((&key, amount)) if key == (est_end, j) => {
                    if *amount != Amount::of(&held(ctx, j)) || (est_end <= now && ctx.record(j).run_end > now) {
                        return false;
                    }
                }
                _ => return false,
            }
        }
        self.ended.extend(booked.map(|(&key, &amount)| (key, amount)));
        self.profile.advance(now, 2 * (self.booked.len() + self.by_start.len()) + 16);
        let ended = std::mem::take(&mut self.ended);
        for &(key, amount) in &ended {
            self.booked.remove(&key);
            if key.0 > now {
                self.lift(now, key.0, &amount);
            }
        }
        self.ended = ended;
        // What the plan holds free now must be what the nodes have free, plus what jobs due to end
        // now still hold, minus what the reservations due now will take.
        let mut expected = Amount::of(&ctx.cluster().free_total);
        for &(_, j) in ctx.running().range(..=(now, JobIdx::MAX)) {
            expected.add(&Amount::of(&held(ctx, j)));
        }
        for &(_, _, j) in self.by_start.range(..=(now, u64::MAX, JobIdx::MAX)) {
            expected.sub(&Amount::of(&ctx.job(j).total_request()));
        }
        self.profile.free_at(now) == expected
    }

    /// The profile from scratch: the nodes' free capacity, the running jobs and the reservations.
    fn fresh_profile(&self, ctx: &SchedCtx<'_>, changes: &mut Vec<(Time, Amount)>) -> Profile {
        let now = ctx.now();
        changes.clear();
        for &(est_end, j) in ctx.running() {
            let (at, held) = planned_release(ctx, est_end, j);
            changes.push((at, Amount::of(&held)));
        }
        for &(start, _, j) in &self.by_start {
            let req = Amount::of(&ctx.job(j).total_request());
            let s = start.max(now);
            changes.push((s, Amount { cpu: -req.cpu, mem: -req.mem, gpu: -req.gpu }));
            changes.push((s + planned_duration(ctx, j), req));
        }
        Profile::build(now, Amount::of(&ctx.cluster().free_total), changes)
    }

    /// Re-makes the reservation of every job not yet due, in submit order (pyss's compression).
    fn compress(&mut self, ctx: &mut SchedCtx<'_>) {
        let now = ctx.now();
        let mut order = std::mem::take(&mut self.order);
        order.clear();
        order.extend(self.queue.iter().map(|&(_, j)| j));
        // Every planned job was checked (or planned) since the last compression began.
        let drop = self.rises.partition_point(|r| r.0 <= self.compressed_at);
        self.rises.drain(..drop);
        self.compressed_at = self.rise_seq;
        // Over-booked, the shortcuts below do not hold: every job is lifted and placed again.
        let overbooked = self.every_job || self.profile.overbooked();
        for &j in &order {
            let Some((start, _)) = self.reservation[j as usize] else { continue };
            if start <= now {
                continue;
            }
            let req = Amount::of(&ctx.job(j).total_request());
            // A job can move only to a time before its start at which its request is free. On a
            // plan that is not over-booked its own slot stays feasible, so when nothing before its
            // start rose with room for it since it last could not move, or no step before its
            // start has room for it, the search would return its start: skip it.
            if !overbooked && (!self.may_have_risen(j, start, &req) || !self.profile.may_fit_before(&req, start)) {
                self.seen[j as usize] = self.rise_seq;
                continue;
            }
            let dur = planned_duration(ctx, j);
            let new = if overbooked {
                self.lift(start, start + dur, &req);
                let new = self.profile.earliest(&req, dur, now).unwrap_or(start);
                self.profile.reserve(new, new + dur, &req);
                new
            } else if let Some(new) = self.profile.earlier_start(&req, dur, now, start) {
                self.lift(start, start + dur, &req);
                self.profile.reserve(new, new + dur, &req);
                new
            } else {
                start
            };
            self.seen[j as usize] = self.rise_seq;
            if new != start {
                self.set_reservation(j, new);
                ctx.log("reserve", Some(j), || fmt_time(new));
            }
        }
        self.order = order;
    }

    /// Plans the jobs submitted since the last pass, in arrival order.
    fn plan_fresh(&mut self, ctx: &mut SchedCtx<'_>) {
        let now = ctx.now();
        let fresh = std::mem::take(&mut self.fresh);
        for j in fresh {
            let req = Amount::of(&ctx.job(j).total_request());
            let dur = planned_duration(ctx, j);
            match self.profile.earliest(&req, dur, now) {
                Some(start) => {
                    self.profile.reserve(start, start + dur, &req);
                    self.set_reservation(j, start);
                    self.seen[j as usize] = self.rise_seq;
                    ctx.log("reserve", Some(j), || fmt_time(start));
                    if start > now {
                        ctx.note_wait(j, || "waits for its reservation (see its reserve events)".into());
                    }
                }
                // More than the up nodes can ever hold (nodes are down): plan it once they return.
                None => self.fresh.push(j),
            }
        }
    }

    /// Starts the jobs whose reservation has come, in the order the reservations were made.
    fn start_due(&mut self, ctx: &mut SchedCtx<'_>) {
        let now = ctx.now();
        let due: Vec<(Time, u64, JobIdx)> = self.by_start.range(..(now + 1, 0, 0)).copied().collect();
        for (start, seq, j) in due {
            if ctx.try_start(j) {
                self.by_start.remove(&(start, seq, j));
                self.reservation[j as usize] = None;
                self.queue.remove(&(ctx.job(j).submit, j));
                // Its reservation becomes its booking as a running job, unless they differ.
                let (est_end, holds) = (ctx.record(j).est_end, Amount::of(&held(ctx, j)));
                let req = Amount::of(&ctx.job(j).total_request());
                if est_end != start.max(now) + planned_duration(ctx, j) || holds != req {
                    self.synced = false;
                }
                self.booked.insert((est_end, j), holds);
                continue;
            }
            if self.pending.any(ctx) {
                break; // capacity the plan counts on is released later at this same instant
            }
            // The aggregate plan fits but the nodes do not (fragmentation, or a job running past
            // its estimate): slide the reservation to the next expected release, when a node may
            // have room, and retry then (or at any earlier event).
            let req = Amount::of(&ctx.job(j).total_request());
            let dur = planned_duration(ctx, j);
            let s = start.max(now);
            self.lift(s, s + dur, &req);
            let next_release = ctx.running().range((now + 1, 0)..).next().map_or(now + 1, |&(t, _)| t);
            let new = self.profile.earliest(&req, dur, next_release).unwrap_or(next_release);
            self.profile.reserve(new, new + dur, &req);
            self.set_reservation(j, new);
            self.seen[j as usize] = 0; // it may fit before `next_release`: check it next time
        }
    }
}

impl QueueDiscipline for Conservative {
    fn reads_running_by_estimate(&self) -> bool {
        true
    }

    fn enqueue(&mut self, job: JobIdx, ctx: &mut SchedCtx<'_>) {
        if self.reservation.len() < ctx.jobs().len() {
            self.reservation.resize(ctx.jobs().len(), None);
            self.seen.resize(ctx.jobs().len(), 0);
        }
        self.queue.insert((ctx.job(job).submit, job));
        self.forget(job);
        self.fresh.push(job);
    }

    fn schedule(&mut self, ctx: &mut SchedCtx<'_>) {
        self.pending.reset();
        if !self.update(ctx) {
            self.rebuild(ctx);
        }
        debug_assert_eq!(
            self.profile.view(),
            self.fresh_profile(ctx, &mut Vec::new()).view(),
            "the kept profile differs from a rebuilt one at {}",
            ctx.now()
        );
        if std::mem::take(&mut self.compress) {
            self.compress(ctx);
        }
        if !self.fresh.is_empty() {
            self.plan_fresh(ctx);
        }
        self.start_due(ctx);
    }

    fn job_ended(&mut self, _job: JobIdx, _ctx: &mut SchedCtx<'_>) {
        self.compress = true;
    }

    fn len(&self) -> usize {
        self.queue.len()
    }
}
