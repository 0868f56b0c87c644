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
}

pub fn build(p: &Params, _env: &PolicyEnv) -> Result<Box<dyn QueueDiscipline>, ScenarioError> {
    p.finish()?;
    Ok(Box::new(Conservative::default()))
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
        for &(key, amount) in &self.ended {
            self.booked.remove(&key);
            if key.0 > now {
                self.profile.unreserve(now, key.0, &amount);
            }
        }
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
        let overbooked = self.profile.overbooked();
        for &j in &order {
            let Some((start, _)) = self.reservation[j as usize] else { continue };
            if start <= now {
                continue;
            }
            let req = Amount::of(&ctx.job(j).total_request());
            // A job can move only to a time before its start at which its request is free. On a
            // plan that is not over-booked its own slot stays feasible, so when no step before
            // its start has room for it, the search would return its start: skip it.
            if !overbooked && !self.profile.may_fit_before(&req, start) {
                continue;
            }
            let dur = planned_duration(ctx, j);
            let new = if overbooked {
                self.profile.unreserve(start, start + dur, &req);
                let new = self.profile.earliest(&req, dur, now).unwrap_or(start);
                self.profile.reserve(new, new + dur, &req);
                new
            } else {
                let Some(new) = self.profile.earlier_start(&req, dur, now, start) else { continue };
                self.profile.unreserve(start, start + dur, &req);
                self.profile.reserve(new, new + dur, &req);
                new
            };
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
            self.profile.unreserve(s, s + dur, &req);
            let next_release = ctx.running().range((now + 1, 0)..).next().map_or(now + 1, |&(t, _)| t);
            let new = self.profile.earliest(&req, dur, next_release).unwrap_or(next_release);
            self.profile.reserve(new, new + dur, &req);
            self.set_reservation(j, new);
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
