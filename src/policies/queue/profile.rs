//! The availability profile backfilling plans on: free aggregate resources (cpu, mem, gpu) as a step function of time.
//!
//! A profile starts at `now` with the capacity free then, gains capacity where a running job is
//! expected to end (its estimate), and loses it over the interval of every reservation. It is an
//! aggregate view: it knows how much of each resource is free cluster-wide, not on which node, so a
//! job that fits the profile may still fail to be placed on a fragmented multi-node cluster (the
//! disciplines then fall back, see `docs/queues.md`).

use super::step_tree::StepTree;
use crate::model::{Resources, Time};

/// A signed resource amount: over-booked plans (capacity lost to a node failure, a job running past
/// its estimate) show up as a negative free amount instead of wrapping.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Amount {
    pub cpu: i64,
    pub mem: i64,
    pub gpu: i64,
}

impl Amount {
    pub fn of(r: &Resources) -> Amount {
        Amount { cpu: r.cpu as i64, mem: r.mem as i64, gpu: r.gpu as i64 }
    }

    /// True when `req` fits in this amount in every resource.
    #[inline]
    pub fn holds(&self, req: &Amount) -> bool {
        req.cpu <= self.cpu && req.mem <= self.mem && req.gpu <= self.gpu
    }

    #[inline]
    pub fn add(&mut self, o: &Amount) {
        self.cpu += o.cpu;
        self.mem += o.mem;
        self.gpu += o.gpu;
    }

    #[inline]
    pub fn sub(&mut self, o: &Amount) {
        self.cpu -= o.cpu;
        self.mem -= o.mem;
        self.gpu -= o.gpu;
    }

    fn neg(&self) -> Amount {
        Amount { cpu: -self.cpu, mem: -self.mem, gpu: -self.gpu }
    }

    /// The smaller of each resource.
    #[inline]
    pub fn min(&self, o: &Amount) -> Amount {
        Amount { cpu: self.cpu.min(o.cpu), mem: self.mem.min(o.mem), gpu: self.gpu.min(o.gpu) }
    }

    /// The larger of each resource.
    #[inline]
    pub fn max(&self, o: &Amount) -> Amount {
        Amount { cpu: self.cpu.max(o.cpu), mem: self.mem.max(o.mem), gpu: self.gpu.max(o.gpu) }
    }

    /// True when some resource is over-booked (below zero).
    #[inline]
    pub fn is_negative(&self) -> bool {
        self.cpu < 0 || self.mem < 0 || self.gpu < 0
    }
}

/// Free capacity over time, as steps: each holds its free amount from its time until the next
/// step's; the last lasts forever; the first is the profile's origin (the time it was built).
/// Neighbouring steps never hold equal amounts (a change merges them), so the profile stays as
/// short as a rebuilt one.
///
/// The steps are kept in a [`StepTree`], a balanced tree by time with the smallest and largest
/// free amount of every subtree: a booking change, the question "can `req` start before `t`?" and
/// each jump of a search for a slot cost O(log P) in a profile of P steps.
#[derive(Clone, Debug, Default)]
pub struct Profile {
    tree: StepTree,
}

impl Profile {
    /// A profile from `now`, with `free` available then and `changes` (time, signed amount) after:
    /// a running job's expected end is `+amount`, a reservation `[s, e)` is `−amount` at `s` and
    /// `+amount` at `e`. Changes at or before `now` apply at `now`. Cost O(n log n).
    pub fn build(now: Time, free: Amount, changes: &mut [(Time, Amount)]) -> Profile {
        changes.sort_unstable_by_key(|c| c.0);
        let mut steps: Vec<(Time, Amount)> = Vec::with_capacity(changes.len() + 1);
        let mut level = free;
        let mut i = 0;
        while i < changes.len() && changes[i].0 <= now {
            level.add(&changes[i].1);
            i += 1;
        }
        steps.push((now, level));
        while i < changes.len() {
            let t = changes[i].0;
            while i < changes.len() && changes[i].0 == t {
                level.add(&changes[i].1);
                i += 1;
            }
            if steps.last().is_some_and(|s| s.1 == level) {
                continue;
            }
            steps.push((t, level));
        }
        Profile { tree: StepTree::from_sorted(&steps) }
    }

    /// True when some step is over-booked (a resource below zero): capacity was lost under the plan.
    pub fn overbooked(&self) -> bool {
        self.tree.min_all().is_some_and(|lo| lo.is_negative())
    }

    /// False when no single step before `before` has, in every resource separately, as much free
    /// as `req`: then `req` cannot start before `before` ([`Profile::earliest`] cannot return an
    /// earlier time). True means it may. O(log P).
    pub fn may_fit_before(&self, req: &Amount, before: Time) -> bool {
        self.tree.max_before(before).is_some_and(|high| high.holds(req))
    }

    /// The largest free amount of each resource over `[start, end)`. O(log P).
    pub fn max_during(&self, start: Time, end: Time) -> Amount {
        let at = self.free_at(start);
        self.tree.max_between(start, end).map_or(at, |high| high.max(&at))
    }

    /// Moves the origin forward to `now`: the steps before the one in force at `now` are dropped
    /// and that one starts at `now`. O(log P + dropped steps).
    pub fn advance(&mut self, now: Time) {
        let Some((t, _)) = self.tree.floor(now) else { return };
        self.tree.drop_before(t);
        self.tree.set_first_time(t.max(now));
    }

    /// The search behind [`Profile::earliest`] and [`Profile::earlier_start`]: the first run of
    /// steps from `from` on where `req` stays free for `duration`, among the steps before `own`
    /// (a run that reaches `own` counts as long enough). It jumps from candidate to candidate:
    /// the first step that holds `req` gives a start `s`; if some step before `s + duration` (and
    /// before `own`) does not hold it, no start up to the last such step can succeed, and the next
    /// candidate is the first step after it that holds `req`. Each jump costs O(log P), and every
    /// second jump moves at least `duration` forward.
    fn scan(&self, req: &Amount, duration: Time, (from, before): (Time, Time), own: Option<Time>) -> Option<Time> {
        let own = own.unwrap_or(Time::MAX);
        let (first, level) = self.tree.floor(from)?;
        let mut at = first;
        let mut holds = level.holds(req);
        loop {
            let t = if std::mem::take(&mut holds) { at } else { self.tree.first_holding(at, req)?.0 };
            let s = t.max(from);
            if t >= own || s >= before {
                return None;
            }
            match self.tree.last_failing(s.saturating_add(duration).min(own), req) {
                Some(blocked) if blocked > t => at = blocked,
                _ => return Some(s),
            }
        }
    }

    /// Free amount at each change, from the origin on, with equal neighbours merged: two profiles
    /// that plan the same free capacity at every instant have equal views.
    pub fn view(&self) -> Vec<(Time, Amount)> {
        let mut v = self.tree.steps();
        v.dedup_by(|next, prev| next.1 == prev.1);
        v
    }

    /// Number of steps (the cost of a scan).
    pub fn len(&self) -> usize {
        self.tree.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tree.len() == 0
    }

    /// Free capacity at time `t`.
    pub fn free_at(&self, t: Time) -> Amount {
        self.tree.floor(t).map(|s| s.1).unwrap_or_default()
    }

    /// The earliest time ≥ `from` at which `req` stays free for `duration`; `None` if never (the
    /// request exceeds what the profile ever frees).
    pub fn earliest(&self, req: &Amount, duration: Time, from: Time) -> Option<Time> {
        self.scan(req, duration, (from, Time::MAX), None)
    }

    /// Where a job booked over `[own, own + duration)` would start if its booking were lifted and
    /// it were placed again at the earliest time ≥ `from` that keeps `req` free for `duration`:
    /// `Some(t)` with `t < own` when it can move earlier, `None` when the answer is `own` itself.
    /// Only starts in `[from, before)` are tried: the caller knows no other can succeed.
    /// Nothing is changed and the search stops at `own`: on a plan that is not
    /// [over-booked](Profile::overbooked) every level is ≥ 0, so once a slot that holds `req` runs
    /// into the job's own booking it fits for good (there, the booking it would give up is free).
    pub fn earlier_start(&self, req: &Amount, duration: Time, within: (Time, Time), own: Time) -> Option<Time> {
        self.scan(req, duration, within, Some(own))
    }

    /// Books `req` over `[start, end)`.
    pub fn reserve(&mut self, start: Time, end: Time, req: &Amount) {
        self.tree.add(start, end, &req.neg());
    }

    /// Returns `req` over `[start, end)` (undoes a [`Profile::reserve`]); gives the largest free
    /// amount of each resource over the interval afterwards (`None` if it is empty).
    pub fn unreserve(&mut self, start: Time, end: Time, req: &Amount) -> Option<Amount> {
        self.tree.add(start, end, req)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cpus(n: i64) -> Amount {
        Amount { cpu: n, mem: 0, gpu: 0 }
    }

    /// 10 cpus, 4 free now, 3 more at t=10, the rest (3) at t=20.
    fn sample() -> Profile {
        Profile::build(0, cpus(4), &mut [(20, cpus(3)), (10, cpus(3))])
    }

    #[test]
    fn builds_steps_in_time_order() {
        let p = sample();
        assert_eq!(p.free_at(0).cpu, 4);
        assert_eq!(p.free_at(9).cpu, 4);
        assert_eq!(p.free_at(10).cpu, 7);
        assert_eq!(p.free_at(1000).cpu, 10);
    }

    #[test]
    fn earliest_needs_the_whole_duration() {
        let mut p = sample();
        assert_eq!(p.earliest(&cpus(4), 100, 0), Some(0));
        assert_eq!(p.earliest(&cpus(5), 100, 0), Some(10));
        assert_eq!(p.earliest(&cpus(11), 1, 0), None);
        // A reservation of 6 cpus over [10, 30) leaves 1 then 4: a 3-cpu job of 15 fits only at 30.
        p.reserve(10, 30, &cpus(6));
        assert_eq!(p.free_at(10).cpu, 1);
        assert_eq!(p.free_at(20).cpu, 4);
        assert_eq!(p.earliest(&cpus(3), 15, 0), Some(20));
        assert_eq!(p.earliest(&cpus(3), 5, 0), Some(0));
        assert_eq!(p.earliest(&cpus(5), 5, 0), Some(30));
        p.unreserve(10, 30, &cpus(6));
        assert_eq!(p.earliest(&cpus(5), 100, 0), Some(10));
    }

    #[test]
    fn earlier_start_lifts_the_own_booking_and_stops_at_it() {
        let mut p = sample();
        // 8 cpus booked over [20, 30): free 4, 7, 2 (from 20), 10 (from 30).
        p.reserve(20, 30, &cpus(8));
        assert!(!p.may_fit_before(&cpus(8), 20));
        assert!(p.may_fit_before(&cpus(7), 20));
        assert_eq!(p.earlier_start(&cpus(8), 10, (0, Time::MAX), 20), None);
        assert!(!p.overbooked());
        // The same job booked over [30, 40) instead could move to 20 (its own slot counts as free).
        p.unreserve(20, 30, &cpus(8));
        p.reserve(30, 40, &cpus(8));
        assert_eq!(p.earlier_start(&cpus(8), 10, (0, Time::MAX), 30), Some(20));
        // A 5-cpu job of 10 booked there fits from 10 (7 free until 20, then 10): it moves to 10.
        p.unreserve(30, 40, &cpus(8));
        p.reserve(30, 40, &cpus(5));
        assert_eq!(p.earlier_start(&cpus(5), 10, (0, Time::MAX), 30), Some(10));
        // Booking more than is free shows as over-booked.
        p.reserve(0, 5, &cpus(6));
        assert!(p.overbooked());
    }

    /// The definition of [`Profile::earliest`] on a list of steps: the first candidate start (`from`,
    /// or a step's time after it) from which every step overlapping the next `duration` holds `req`.
    fn naive_earliest(steps: &[(Time, Amount)], req: &Amount, duration: Time, from: Time) -> Option<Time> {
        let starts = std::iter::once(from).chain(steps.iter().map(|s| s.0).filter(|&t| t > from));
        starts.into_iter().find(|&c| {
            let level_at = |t: Time| steps.iter().rev().find(|s| s.0 <= t).unwrap_or(&steps[0]).1;
            level_at(c).holds(req) && steps.iter().filter(|s| s.0 > c && s.0 < c + duration).all(|s| s.1.holds(req))
        })
    }

    proptest::proptest! {
        /// The tree of steps answers as the definition does on a plain list of steps, after any
        /// sequence of bookings, lifts and moves of the origin; its steps are those of a profile
        /// rebuilt from the same changes, with no two equal neighbours.
        #[test]
        fn the_tree_answers_as_the_step_list_does(
            ops in proptest::collection::vec((0u64..80, 1u64..40, 1i64..7, 0u8..4), 0..40),
            query in (0u64..100, 1u64..40, 0i64..12),
        ) {
            let mut p = Profile::build(0, cpus(6), &mut [(15, cpus(3)), (40, cpus(3))]);
            let mut booked: Vec<(Time, Time, i64)> = Vec::new();
            let mut now = 0;
            for (s, d, c, kind) in ops {
                match kind {
                    0 | 1 => {
                        if let Some(at) = p.earliest(&cpus(c), d, s.max(now)) {
                            p.reserve(at, at + d, &cpus(c));
                            booked.push((at, at + d, c));
                        }
                    }
                    2 => {
                        if !booked.is_empty() {
                            let (a, b, c) = booked.remove(s as usize % booked.len());
                            p.unreserve(a.max(now), b.max(now), &cpus(c));
                        }
                    }
                    _ => {
                        now = now.max(s / 4);
                        p.advance(now);
                    }
                }
                let steps = p.tree.steps();
                proptest::prop_assert!(steps.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 != w[1].1), "{:?}", steps);
                proptest::prop_assert_eq!(p.len(), steps.len());
            }
            let mut changes = vec![(15, cpus(3)), (40, cpus(3))];
            for &(a, b, c) in &booked {
                changes.push((a, cpus(-c)));
                changes.push((b, cpus(c)));
            }
            let mut rebuilt = Profile::build(0, cpus(6), &mut changes);
            rebuilt.advance(now);
            let steps = p.view();
            proptest::prop_assert_eq!(&steps, &rebuilt.view());
            let (from, dur, c) = query;
            let from = from.max(now);
            proptest::prop_assert_eq!(p.earliest(&cpus(c), dur, from), naive_earliest(&steps, &cpus(c), dur, from));
            let before = steps.iter().filter(|s| s.0 < from).map(|s| s.1.cpu).max();
            proptest::prop_assert_eq!(p.may_fit_before(&cpus(c), from), before.is_some_and(|m| m >= c));
            proptest::prop_assert_eq!(p.overbooked(), steps.iter().any(|s| s.1.cpu < 0));
            for t in [0, now, from, from + dur] {
                let level = steps.iter().rev().find(|s| s.0 <= t).unwrap_or(&steps[0]).1;
                proptest::prop_assert_eq!(p.free_at(t), level);
            }
        }


        /// On any plan that is not over-booked, the shortcuts conservative backfilling takes agree
        /// with lifting the booking and searching again: `earlier_start` finds the same slot (or
        /// says it is the old one) and `may_fit_before` never rules out a real move.
        #[test]
        fn earlier_start_agrees_with_unreserve_and_search(
            bookings in proptest::collection::vec((0u64..50, 1u64..30, 1i64..6), 0..12),
            job in (0u64..60, 1u64..30, 1i64..8),
        ) {
            let mut p = Profile::build(0, cpus(4), &mut [(10, cpus(2)), (25, cpus(4))]);
            for (s, d, c) in bookings {
                if let Some(at) = p.earliest(&cpus(c), d, s) {
                    p.reserve(at, at + d, &cpus(c));
                }
            }
            let (from, dur, c) = job;
            let Some(own) = p.earliest(&cpus(c), dur, from) else { return Ok(()) };
            p.reserve(own, own + dur, &cpus(c));
            proptest::prop_assert!(!p.overbooked());
            let fast = p.earlier_start(&cpus(c), dur, (0, Time::MAX), own);
            if fast.is_some() {
                proptest::prop_assert!(p.may_fit_before(&cpus(c), own));
            }
            p.unreserve(own, own + dur, &cpus(c));
            let slow = p.earliest(&cpus(c), dur, 0).unwrap();
            proptest::prop_assert_eq!(fast.unwrap_or(own), slow);
        }
    }
}
