//! How the planning disciplines (backfilling) see running jobs: when each is expected to release what it holds.
//!
//! The scheduler knows user estimates, not run times. A running job is expected to end at its
//! estimated end (start + estimate). Two refinements, both at the current instant `now`:
//! - a job whose estimated end is `now` and whose attempt does end `now` (its completion is due at
//!   this very instant but not yet processed, because several completions share the instant) counts
//!   as free *now*, exactly as pyss's availability profile does;
//! - a job already past its estimate that keeps running (`kill_at_estimate = false`) is expected to
//!   end "any moment": its release is planned one microsecond from now.

use crate::engine::ctx::SchedCtx;
use crate::engine::world::JobState;
use crate::model::{JobIdx, Resources, Time};

/// What running job `j` (estimated end `est_end`) holds, and when the plan expects it back.
#[inline]
pub fn planned_release(ctx: &SchedCtx<'_>, est_end: Time, j: JobIdx) -> (Time, Resources) {
    let now = ctx.now();
    let rec = ctx.record(j);
    let held = held(ctx, j);
    if est_end > now {
        (est_end, held)
    } else if rec.run_end <= now {
        (now, held)
    } else {
        (now + 1, held)
    }
}

/// The resources running job `j` holds now (its placement; for rigid jobs, its request).
#[inline]
pub fn held(ctx: &SchedCtx<'_>, j: JobIdx) -> Resources {
    let rec = ctx.record(j);
    match rec.placement.as_slice() {
        [(_, g)] => *g,
        many => many.iter().fold(Resources::ZERO, |acc, (_, g)| acc + *g),
    }
}

/// Capacity that is free *now* in the plan but not yet on the nodes: running jobs whose estimate
/// and attempt both end at this instant (their completions are queued behind the current event).
pub fn due_now(ctx: &SchedCtx<'_>) -> Resources {
    let now = ctx.now();
    let mut total = Resources::ZERO;
    for &(_, j) in ctx.running().range(..=(now, JobIdx::MAX)) {
        if ctx.record(j).run_end <= now {
            total += held(ctx, j);
        }
    }
    total
}

/// True when some running job's attempt ends at this very instant, so capacity will be freed
/// before simulated time moves on (another completion event, and another pass, are coming).
/// O(running jobs); called only when a planned start could not be placed.
fn completion_pending_now(ctx: &SchedCtx<'_>) -> bool {
    let now = ctx.now();
    ctx.running().iter().any(|&(_, j)| {
        let rec = ctx.record(j);
        rec.state == JobState::Running && rec.run_end <= now
    })
}

/// [`completion_pending_now`], computed at most once per scheduling pass (no completion is
/// processed during a pass, so the answer cannot change within one).
#[derive(Clone, Copy, Debug, Default)]
pub struct PendingCompletions(Option<bool>);

impl PendingCompletions {
    /// Forgets the answer: call at the start of every pass.
    pub fn reset(&mut self) {
        self.0 = None;
    }

    pub fn any(&mut self, ctx: &SchedCtx<'_>) -> bool {
        *self.0.get_or_insert_with(|| completion_pending_now(ctx))
    }
}

/// The estimate the planners use for job `j`: its user estimate, at least 1 µs.
#[inline]
pub fn planned_duration(ctx: &SchedCtx<'_>, j: JobIdx) -> Time {
    ctx.job(j).estimate.max(1)
}
