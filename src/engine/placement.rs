//! Allocation mechanics the engine offers the allocation policies: per-tier load, making room by
//! evicting running jobs, and closing a scheduling round (all passes at one instant) so the
//! capacity left can be shared among the malleable tasks placed in it.

use super::ports::{Allocator, NodeSelector, QueueDiscipline, RoundTask};
use super::{ctx::SchedCtx, world::World};
use crate::model::{JobIdx, NodeIdx, Resources, Time};

/// Allocated capacity and number of waiting jobs per tier, kept current by the engine.
#[derive(Clone, Debug, Default)]
pub struct TierLoad {
    running: Vec<Resources>,
    queued: Vec<u64>,
}

impl TierLoad {
    /// Capacity held by running jobs of `tier`.
    pub fn running(&self, tier: u8) -> Resources {
        self.running.get(tier as usize).copied().unwrap_or_default()
    }

    /// Jobs of `tier` waiting in the queue.
    pub fn queued(&self, tier: u8) -> u64 {
        self.queued.get(tier as usize).copied().unwrap_or(0)
    }

    /// Tiers that have jobs waiting, lowest first.
    pub fn waiting_tiers(&self) -> impl Iterator<Item = u8> + '_ {
        self.queued.iter().enumerate().filter(|(_, q)| **q > 0).map(|(t, _)| t as u8)
    }

    fn grow(&mut self, tier: u8) {
        let t = tier as usize + 1;
        if self.running.len() < t {
            self.running.resize(t, Resources::ZERO);
            self.queued.resize(t, 0);
        }
    }

    pub(super) fn add_running(&mut self, tier: u8, r: Resources) {
        self.grow(tier);
        self.running[tier as usize] += r;
    }

    pub(super) fn sub_running(&mut self, tier: u8, r: Resources) {
        self.grow(tier);
        self.running[tier as usize] -= r;
    }

    pub(super) fn add_queued(&mut self, tier: u8) {
        self.grow(tier);
        self.queued[tier as usize] += 1;
    }

    pub(super) fn sub_queued(&mut self, tier: u8) {
        self.grow(tier);
        self.queued[tier as usize] -= 1;
    }
}

/// Sum of a placement.
pub fn placement_total(placement: &[(NodeIdx, Resources)]) -> Resources {
    placement.iter().fold(Resources::ZERO, |a, (_, g)| a + *g)
}

/// Returns a running job's capacity to its nodes without touching its record (a tentative eviction).
fn lift(world: &mut World, selector: &mut dyn NodeSelector, j: JobIdx) {
    for &(n, g) in &world.records[j as usize].placement {
        world.cluster.release(n, g);
        world.touched.push(n);
        selector.node_changed(&world.cluster, n);
    }
}

/// True when a lifted job's tasks all fit back on their nodes.
fn fits_back(world: &World, j: JobIdx) -> bool {
    let mut per_node: Vec<(NodeIdx, Resources)> = world.records[j as usize].placement.clone();
    per_node.sort_by_key(|p| p.0);
    per_node.dedup_by(|b, a| {
        let same = a.0 == b.0;
        if same {
            a.1 += b.1;
        }
        same
    });
    per_node.iter().all(|(n, g)| {
        let node = &world.cluster.nodes[*n as usize];
        node.up && g.fits_in(&node.free)
    })
}

/// Puts a lifted job's capacity back.
fn put_back(world: &mut World, selector: &mut dyn NodeSelector, j: JobIdx) {
    for &(n, g) in &world.records[j as usize].placement {
        world.cluster.allocate(n, g);
        world.touched.push(n);
        selector.node_changed(&world.cluster, n);
    }
}

/// Tries to place job `j` by evicting the allocator's candidates (except the protected ones, see
/// below), in its order, until the job fits;
/// then gives back every victim that still fits beside the new placement, so only the jobs that
/// had to go are evicted. Returns the placement (already allocated), or `None` with nothing changed.
pub(super) fn place_by_eviction(ctx: &mut SchedCtx<'_>, j: JobIdx) -> Option<Vec<(NodeIdx, Resources)>> {
    let mut candidates = Vec::new();
    ctx.allocator.eviction_candidates(ctx.world, j, &mut candidates);
    // Never evicted: a job (re)started at this very instant, and, if `j` was itself stopped
    // before, the jobs started at the instant it was stopped (the ones that took its place).
    // Otherwise two preempting policies with different goals (`srtf` suspends the longer job, this
    // evicts the lower tier) could undo each other at every event for ever.
    let now = ctx.world.now;
    let records = &ctx.world.records;
    let stopped_at = (records[j as usize].attempts > 0).then_some(records[j as usize].queued_at);
    candidates.retain(|&v| {
        let start = records[v as usize].start;
        start < now && Some(start) != stopped_at
    });
    if candidates.is_empty() {
        return None;
    }
    let need = ctx.world.job(j).total_request();
    let mut lifted: Vec<JobIdx> = Vec::new();
    let mut placement = None;
    for &v in &candidates {
        lift(ctx.world, ctx.selector, v);
        lifted.push(v);
        if need.fits_in(&ctx.world.cluster.free_total) {
            placement = ctx.place(j);
            if placement.is_some() {
                break;
            }
        }
    }
    let keep = ctx.allocator.keeps_progress();
    // The last victims chosen are the most protected: they get their place back first.
    for &v in lifted.iter().rev() {
        if placement.is_none() || fits_back(ctx.world, v) {
            put_back(ctx.world, ctx.selector, v);
        } else {
            ctx.world.unlist(v);
            ctx.stopped(v, keep, "evict");
            ctx.world.evicted.push(v);
        }
    }
    placement
}

/// Hands the jobs the allocator evicted in a pass back to the queue discipline (as ended attempts,
/// then waiting jobs), and lets it schedule again, until no pass evicts any more. This ends: a
/// job is evicted at most once per instant.
pub fn requeue_evicted(queue: &mut dyn QueueDiscipline, ctx: &mut SchedCtx<'_>) {
    while !ctx.world.evicted.is_empty() {
        for j in std::mem::take(&mut ctx.world.evicted) {
            queue.job_ended(j, ctx);
            queue.enqueue(j, ctx);
        }
        queue.schedule(ctx);
    }
}

/// Ends the scheduling round at the current instant: the allocator may grow the grants of the
/// malleable tasks started in it ([`Allocator::end_round`]); jobs whose grant grew get a new end
/// time. Returns the new (job, end, epoch) finish events.
pub fn close_round(
    world: &mut World,
    selector: &mut dyn NodeSelector,
    allocator: &mut dyn Allocator,
) -> Vec<(JobIdx, Time, u32)> {
    let mut jobs = std::mem::take(&mut world.round);
    // A job evicted and restarted within the instant is listed twice: keep its first place.
    let mut seen = std::collections::BTreeSet::new();
    jobs.retain(|&j| seen.insert(j));
    let now = world.now;
    let mut tasks: Vec<RoundTask> = Vec::new();
    for &j in &jobs {
        let rec = &world.records[j as usize];
        let Some(m) = world.workload.jobs[j as usize].malleable() else { continue };
        if rec.state != super::world::JobState::Running || rec.start != now {
            continue;
        }
        for (task, &(node, grant)) in rec.placement.iter().enumerate() {
            tasks.push(RoundTask { job: j, task, node, grant, max_cpu: m.max_cpu });
        }
    }
    if tasks.is_empty() {
        return Vec::new();
    }
    allocator.end_round(&world.cluster, &mut tasks);
    let mut changed: Vec<JobIdx> = Vec::new();
    for t in &tasks {
        let old = world.records[t.job as usize].placement[t.task].1;
        if t.grant == old {
            continue;
        }
        let node = &world.cluster.nodes[t.node as usize];
        let fits = old.fits_in(&t.grant) && (t.grant - old).fits_in(&node.free) && t.grant.cpu <= t.max_cpu;
        debug_assert!(fits, "end_round granted more than node {} has free", t.node);
        if !fits {
            continue;
        }
        world.cluster.release(t.node, old);
        world.cluster.allocate(t.node, t.grant);
        world.touched.push(t.node);
        selector.node_changed(&world.cluster, t.node);
        let tier = world.workload.jobs[t.job as usize].tier;
        world.tier_load.add_running(tier, t.grant - old);
        world.records[t.job as usize].placement[t.task].1 = t.grant;
        if changed.last() != Some(&t.job) {
            changed.push(t.job);
        }
    }
    changed.iter().map(|&j| world.rerun(j)).collect()
}
