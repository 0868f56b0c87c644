//! `easy_backfill`: FIFO, plus any later job may start now if it does not delay the head job's reservation (EASY).
//!
//! Each pass (after every submission and every completion), as pyss's `EasyBackfillScheduler`:
//! 1. jobs start from the head of the submit-ordered queue while they fit;
//! 2. the first that does not fit gets a reservation: the earliest time (its *shadow time*) at which
//!    running jobs, released at their estimated ends, leave enough free for it; what is then free
//!    beyond its needs is the *extra* capacity;
//! 3. every later job (in queue order, or shortest estimate first with `backfill_order = "sjf"`)
//!    starts now if it fits now and either ends, by its estimate, by the shadow time or fits in the
//!    extra capacity.
//!
//! Capacity is reasoned about in aggregate (cluster-wide cpu, memory and gpus) and every start is
//! checked by an actual placement (`try_start`). A job whose estimate ends at this very instant is
//! free in the plan even if its completion event has not been processed yet (several completions
//! can share an instant); a job chosen on that capacity is *committed* and placed as soon as the
//! completion is processed, at the same instant, before anything else starts. This reproduces
//! pyss's decisions exactly; see `docs/queues.md`.
//!
//! The jobs behind the head are found through a [`FitTree`] over their scan order (submit order,
//! or shortest estimate first), which holds the smallest request and estimate of every subtree: a
//! pass asks it for the next job that fits now and either ends by the shadow time or fits in the
//! extra capacity, and stops when there is none.
//!
//! Cost per pass: O(k log Q) for k starts; when backfilling, O(log Q) to learn that no waiting job
//! fits now, and only if one does, the walk over the running jobs (by estimated end) to the shadow
//! time and O(log Q) per candidate. With the event log on (`--events`), the queue is scanned in
//! full instead, so that every job that would delay the head is noted for `explain`.

use super::QueueDiscipline;
use super::fit_tree::{FitTree, Minima};
use super::profile::Amount;
use super::view::{PendingCompletions, due_now, held, planned_duration, planned_release};
use crate::engine::ctx::SchedCtx;
use crate::error::ScenarioError;
use crate::model::{JobIdx, Time};
use crate::policies::{Params, PolicyEnv};
use std::collections::BTreeSet;

/// Order in which jobs behind the head are considered for backfilling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackfillOrder {
    /// Submit order (classic EASY).
    Fifo,
    /// Shortest estimate first (SJBF), ties in submit order.
    Sjf,
}

#[derive(Debug)]
pub struct EasyBackfill {
    /// Waiting jobs by (submit time, index).
    queue: BTreeSet<(Time, JobIdx)>,
    /// Jobs chosen to start at `committed_at` on capacity whose completion is due at that instant.
    committed: Vec<JobIdx>,
    committed_at: Time,
    order: BackfillOrder,
    /// Scratch: releases that are not in the running set's order (overruns, committed jobs).
    extra_releases: Vec<(Time, Amount)>,
    backfilled: Vec<(Time, JobIdx)>,
    pending: PendingCompletions,
    /// The waiting jobs (committed ones excepted) in backfill order, by slot.
    tree: FitTree,
    /// Slot of each job in the tree: its rank in backfill order among all the workload's jobs.
    slot: Vec<u32>,
    /// The job of each slot.
    job_of_slot: Vec<JobIdx>,
}

pub fn build(p: &Params, _env: &PolicyEnv) -> Result<Box<dyn QueueDiscipline>, ScenarioError> {
    let order = match p.choice("backfill_order", "fifo", &["fifo", "sjf"])?.as_str() {
        "sjf" => BackfillOrder::Sjf,
        _ => BackfillOrder::Fifo,
    };
    p.finish()?;
    Ok(Box::new(EasyBackfill::new(order)))
}

fn any_free(a: &Amount) -> bool {
    a.cpu > 0 || a.mem > 0 || a.gpu > 0
}

impl EasyBackfill {
    pub fn new(order: BackfillOrder) -> Self {
        EasyBackfill {
            queue: BTreeSet::new(),
            committed: Vec::new(),
            committed_at: 0,
            order,
            extra_releases: Vec::new(),
            backfilled: Vec::new(),
            pending: PendingCompletions::default(),
            tree: FitTree::default(),
            slot: Vec::new(),
            job_of_slot: Vec::new(),
        }
    }

    /// Ranks every job of the workload in backfill order (once: the job list does not change).
    fn rank_jobs(&mut self, ctx: &SchedCtx<'_>) {
        let n = ctx.jobs().len();
        let mut by_order: Vec<JobIdx> = (0..n as JobIdx).collect();
        match self.order {
            BackfillOrder::Fifo => by_order.sort_unstable_by_key(|&j| (ctx.job(j).submit, j)),
            BackfillOrder::Sjf => by_order.sort_unstable_by_key(|&j| (planned_duration(ctx, j), ctx.job(j).submit, j)),
        }
        self.slot = vec![0; n];
        for (rank, &j) in by_order.iter().enumerate() {
            self.slot[j as usize] = rank as u32;
        }
        self.job_of_slot = by_order;
        self.tree = FitTree::new(n);
        let waiting: Vec<JobIdx> = self.queue.iter().map(|&(_, j)| j).collect();
        for j in waiting {
            self.fill(ctx, j);
        }
    }

    /// Puts waiting job `j` in the tree.
    fn fill(&mut self, ctx: &SchedCtx<'_>, j: JobIdx) {
        let req = Amount::of(&ctx.job(j).total_request());
        self.tree.fill(self.slot[j as usize] as usize, req, planned_duration(ctx, j));
    }

    /// Puts job `j` in the queue.
    fn insert(&mut self, ctx: &SchedCtx<'_>, j: JobIdx) {
        self.queue.insert((ctx.job(j).submit, j));
        self.fill(ctx, j);
    }

    /// Takes job `(submit, j)` out of the queue.
    fn remove(&mut self, key: (Time, JobIdx)) {
        self.queue.remove(&key);
        self.tree.clear(self.slot[key.1 as usize] as usize);
    }

    /// Returns the committed jobs to the queue (their capacity did not come).
    fn uncommit(&mut self, ctx: &SchedCtx<'_>) {
        for j in std::mem::take(&mut self.committed) {
            self.insert(ctx, j);
        }
    }

    /// Starts `j` now, or commits it to start at this instant once due completions are processed.
    fn start_or_commit(&mut self, ctx: &mut SchedCtx<'_>, j: JobIdx) -> bool {
        if self.committed.is_empty() && ctx.try_start(j) {
            return true;
        }
        if self.pending.any(ctx) {
            self.committed.push(j);
            self.committed_at = ctx.now();
            return true;
        }
        false
    }

    /// The head's shadow time (the first release at which it fits in aggregate) and the extra
    /// capacity then, given `free` now.
    fn shadow(&mut self, ctx: &SchedCtx<'_>, free: Amount, head: &Amount) -> (Time, Amount) {
        let now = ctx.now();
        let mut avail = free;
        let minus_head = |mut a: Amount| {
            a.sub(head);
            a
        };
        // The walk starts after now: a head that fits in aggregate now is blocked by placement
        // (fragmentation) and is reserved at the next release, when a node may have room for it.
        // Releases outside the running set's (estimated end) order: jobs past their estimate
        // (expected any moment) and committed jobs (from now, for their estimate).
        self.extra_releases.clear();
        for &(est_end, j) in ctx.running().range(..=(now, JobIdx::MAX)) {
            let (at, held) = planned_release(ctx, est_end, j);
            if at > now {
                self.extra_releases.push((at, Amount::of(&held)));
            }
        }
        for &j in &self.committed {
            self.extra_releases.push((now + planned_duration(ctx, j), Amount::of(&ctx.job(j).total_request())));
        }
        self.extra_releases.sort_unstable_by_key(|r| r.0);
        let mut later = ctx.running().range((now + 1, 0)..).peekable();
        let mut k = 0;
        loop {
            let next_running = later.peek().map(|&&(t, _)| t);
            let next_extra = self.extra_releases.get(k).map(|r| r.0);
            let t = match (next_running, next_extra) {
                (Some(a), Some(b)) => a.min(b),
                (Some(a), None) => a,
                (None, Some(b)) => b,
                (None, None) => return (Time::MAX, minus_head(avail)),
            };
            while let Some(&&(te, j)) = later.peek() {
                if te != t {
                    break;
                }
                avail.add(&Amount::of(&held(ctx, j)));
                later.next();
            }
            while k < self.extra_releases.len() && self.extra_releases[k].0 == t {
                avail.add(&self.extra_releases[k].1);
                k += 1;
            }
            if avail.holds(head) {
                return (t, minus_head(avail));
            }
        }
    }

    fn backfill(&mut self, ctx: &mut SchedCtx<'_>, free: Amount) {
        let Some(&(_, head)) = self.queue.first() else { return };
        if ctx.world().logging() {
            return self.backfill_scan(ctx, free, head);
        }
        // The head is not a backfill candidate: in submit order the search starts after it; in
        // shortest-first order it is taken out of the tree for the pass.
        let head_slot = self.slot[head as usize] as usize;
        let from = match self.order {
            BackfillOrder::Fifo => head_slot + 1,
            BackfillOrder::Sjf => {
                self.tree.clear(head_slot);
                0
            }
        };
        // The shadow time is needed only if some job fits now.
        if let Some(first) = self.tree.first(from, |m| free.holds(&m.req)) {
            let head_req = Amount::of(&ctx.job(head).total_request());
            let (shadow, extra) = self.shadow(ctx, free, &head_req);
            let mut room = Room { free, extra, shadow, head: ctx.job(head).id };
            let limit = shadow.saturating_sub(ctx.now());
            let mut at = first;
            while any_free(&room.free) {
                let test = |m: &Minima| room.free.holds(&m.req) && (m.dur <= limit || room.extra.holds(&m.req));
                let Some(slot) = self.tree.first(at, test) else { break };
                at = slot + 1;
                let j = self.job_of_slot[slot];
                if self.try_backfill(ctx, j, &mut room) {
                    self.remove((ctx.job(j).submit, j));
                }
            }
        }
        if self.order == BackfillOrder::Sjf {
            self.fill(ctx, head);
        }
    }

    /// Backfilling by a scan of the whole queue, noting why each job that fits now but would
    /// delay the head's reservation waits (for `explain`, with the event log on).
    fn backfill_scan(&mut self, ctx: &mut SchedCtx<'_>, free: Amount, head: JobIdx) {
        let head_req = Amount::of(&ctx.job(head).total_request());
        let (shadow, extra) = self.shadow(ctx, free, &head_req);
        let mut room = Room { free, extra, shadow, head: ctx.job(head).id };
        self.backfilled.clear();
        // The queue is taken out while it is walked (starting a job may commit it, which needs `self`).
        let queue = std::mem::take(&mut self.queue);
        let mut by_order: Vec<(Time, Time, JobIdx)> = match self.order {
            BackfillOrder::Fifo => queue.iter().skip(1).map(|&(s, j)| (0, s, j)).collect(),
            BackfillOrder::Sjf => queue.iter().skip(1).map(|&(s, j)| (planned_duration(ctx, j), s, j)).collect(),
        };
        by_order.sort_unstable();
        for (_, submit, j) in by_order {
            if !any_free(&room.free) {
                break;
            }
            if self.try_backfill(ctx, j, &mut room) {
                self.backfilled.push((submit, j));
            }
        }
        self.queue = queue;
        for key in std::mem::take(&mut self.backfilled) {
            self.remove(key);
        }
    }

    /// Starts `j` now if it fits now and either ends by the shadow time or fits in the extra room.
    fn try_backfill(&mut self, ctx: &mut SchedCtx<'_>, j: JobIdx, room: &mut Room) -> bool {
        let req = Amount::of(&ctx.job(j).total_request());
        if !room.free.holds(&req) {
            return false;
        }
        let past_shadow = ctx.now().saturating_add(planned_duration(ctx, j)) > room.shadow;
        if past_shadow && !room.extra.holds(&req) {
            let head = room.head;
            ctx.note_wait(j, || format!("would delay the reservation of job {head}, the head of the queue"));
            return false;
        }
        if !self.start_or_commit(ctx, j) {
            return false;
        }
        room.free.sub(&req);
        if past_shadow {
            room.extra.sub(&req);
        }
        true
    }
}

/// What backfilling may still use: capacity free now, the extra beyond the head's needs at its
/// shadow time, that time, and the head's job id (for `explain`).
struct Room {
    free: Amount,
    extra: Amount,
    shadow: Time,
    head: u64,
}

impl QueueDiscipline for EasyBackfill {
    fn reads_running_by_estimate(&self) -> bool {
        true
    }

    fn enqueue(&mut self, job: JobIdx, ctx: &mut SchedCtx<'_>) {
        if self.slot.len() < ctx.jobs().len() {
            self.rank_jobs(ctx);
        }
        self.insert(ctx, job);
    }

    fn schedule(&mut self, ctx: &mut SchedCtx<'_>) {
        let now = ctx.now();
        self.pending.reset();
        if !self.committed.is_empty() {
            if self.committed_at != now {
                self.uncommit(ctx);
            } else {
                let started = self.committed.iter().take_while(|&&j| ctx.try_start(j)).count();
                self.committed.drain(..started);
                if !self.committed.is_empty() && !self.pending.any(ctx) {
                    self.uncommit(ctx); // placement failed for good (fragmentation): decide afresh
                }
            }
        }
        let mut free = Amount::of(&(ctx.cluster().free_total + due_now(ctx)));
        for &j in &self.committed {
            free.sub(&Amount::of(&ctx.job(j).total_request()));
        }
        while let Some(&(submit, head)) = self.queue.first() {
            let req = Amount::of(&ctx.job(head).total_request());
            if !free.holds(&req) || !self.start_or_commit(ctx, head) {
                break;
            }
            self.remove((submit, head));
            free.sub(&req);
        }
        if self.queue.len() >= 2 && any_free(&free) {
            self.backfill(ctx, free);
        }
    }

    fn len(&self) -> usize {
        self.queue.len() + self.committed.len()
    }
}
