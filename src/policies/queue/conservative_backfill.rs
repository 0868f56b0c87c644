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
//! Cost: a pass rebuilds the profile, O((R + Q) log(R + Q)) for R running and Q waiting jobs; a
//! submission adds one O(P) search in a profile of P steps; a completion compresses, O(Q · P).

use super::QueueDiscipline;
use super::profile::{Amount, Profile};
use super::view::{PendingCompletions, planned_duration, planned_release};
use crate::engine::sched::SchedCtx;
use crate::error::ScenarioError;
use crate::model::{JobIdx, Time};
use crate::output::fmt_time;
use crate::policies::{Params, PolicyEnv};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Default)]
pub struct Conservative {
    /// Every waiting job, in submit order (ties: workload order).
    queue: BTreeSet<(Time, JobIdx)>,
    /// The reservation of each planned waiting job: (start, sequence number of the decision).
    reservation: BTreeMap<JobIdx, (Time, u64)>,
    /// Planned jobs by (start, decision sequence): due jobs are a prefix.
    by_start: BTreeSet<(Time, u64, JobIdx)>,
    /// Jobs submitted (or requeued) since the last pass, in arrival order, not yet planned.
    fresh: Vec<JobIdx>,
    /// A job completed since the last pass: compress the plan.
    compress: bool,
    next_seq: u64,
    profile: Profile,
    changes: Vec<(Time, Amount)>,
    pending: PendingCompletions,
}

pub fn build(p: &Params, _env: &PolicyEnv) -> Result<Box<dyn QueueDiscipline>, ScenarioError> {
    p.finish()?;
    Ok(Box::new(Conservative::default()))
}

impl Conservative {
    fn set_reservation(&mut self, j: JobIdx, start: Time) {
        if let Some((old, seq)) = self.reservation.get(&j).copied() {
            if old == start {
                return;
            }
            self.by_start.remove(&(old, seq, j));
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        self.reservation.insert(j, (start, seq));
        self.by_start.insert((start, seq, j));
    }

    fn forget(&mut self, j: JobIdx) {
        if let Some((start, seq)) = self.reservation.remove(&j) {
            self.by_start.remove(&(start, seq, j));
        }
    }

    /// Rebuilds the profile from the nodes' free capacity, the running jobs and the reservations.
    fn rebuild(&mut self, ctx: &SchedCtx<'_>) {
        let now = ctx.now();
        self.changes.clear();
        for &(est_end, j) in ctx.running() {
            let (at, held) = planned_release(ctx, est_end, j);
            self.changes.push((at, Amount::of(&held)));
        }
        for (&j, &(start, _)) in &self.reservation {
            let req = Amount::of(&ctx.job(j).total_request());
            let s = start.max(now);
            self.changes.push((s, Amount { cpu: -req.cpu, mem: -req.mem, gpu: -req.gpu }));
            self.changes.push((s + planned_duration(ctx, j), req));
        }
        self.profile = Profile::build(now, Amount::of(&ctx.cluster().free_total), &mut self.changes);
    }

    /// Re-makes the reservation of every job not yet due, in submit order (pyss's compression).
    fn compress(&mut self, ctx: &mut SchedCtx<'_>) {
        let now = ctx.now();
        let order: Vec<JobIdx> = self.queue.iter().map(|&(_, j)| j).collect();
        let overbooked = self.profile.overbooked();
        for j in order {
            let Some(&(start, _)) = self.reservation.get(&j) else { continue };
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
                ctx.world.log("reserve", Some(j), None, || fmt_time(new));
            }
        }
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
                    ctx.world.log("reserve", Some(j), None, || fmt_time(start));
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
                self.reservation.remove(&j);
                self.queue.remove(&(ctx.job(j).submit, j));
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
    fn enqueue(&mut self, job: JobIdx, ctx: &mut SchedCtx<'_>) {
        self.queue.insert((ctx.job(job).submit, job));
        self.forget(job);
        self.fresh.push(job);
    }

    fn schedule(&mut self, ctx: &mut SchedCtx<'_>) {
        self.pending.reset();
        self.rebuild(ctx);
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
