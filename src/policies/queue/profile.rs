//! The availability profile backfilling plans on: free aggregate resources (cpu, mem, gpu) as a step function of time.
//!
//! A profile starts at `now` with the capacity free then, gains capacity where a running job is
//! expected to end (its estimate), and loses it over the interval of every reservation. It is an
//! aggregate view: it knows how much of each resource is free cluster-wide, not on which node, so a
//! job that fits the profile may still fail to be placed on a fragmented multi-node cluster (the
//! disciplines then fall back, see `docs/queues.md`).

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
    fn max(&self, o: &Amount) -> Amount {
        Amount { cpu: self.cpu.max(o.cpu), mem: self.mem.max(o.mem), gpu: self.gpu.max(o.gpu) }
    }

    /// True when some resource is over-booked (below zero).
    #[inline]
    fn is_negative(&self) -> bool {
        self.cpu < 0 || self.mem < 0 || self.gpu < 0
    }
}

/// Free capacity over time: `steps[i].1` is free from `steps[i].0` until the next step's time; the
/// last step lasts forever. `steps[0].0` is the profile's origin (the time it was built).
///
/// Two caches make the questions conservative backfilling asks at every completion cheap:
/// `prefix_max[i]`, the largest free amount of each resource over steps `0..=i` (valid for
/// `i < prefix_valid`, recomputed lazily from the first step a change touched), and the number of
/// over-booked steps. And per block of [`BLOCK`] steps, the smallest and largest free amount of each
/// resource (valid for blocks `< blocks_valid`, recomputed lazily too): a search for a slot skips a
/// block where no step has room for the request, and crosses whole a block where every step has.
#[derive(Clone, Debug, Default)]
pub struct Profile {
    steps: Vec<(Time, Amount)>,
    prefix_max: Vec<Amount>,
    prefix_valid: usize,
    negative: usize,
    /// (min, max) of the free amounts of steps `b * BLOCK .. (b + 1) * BLOCK`, for full blocks.
    blocks: Vec<(Amount, Amount)>,
    blocks_valid: usize,
}

/// Steps per block of the search summaries.
const BLOCK: usize = if cfg!(test) { 4 } else { 32 };

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
        let negative = steps.iter().filter(|s| s.1.is_negative()).count();
        Profile { steps, prefix_max: Vec::new(), prefix_valid: 0, negative, blocks: Vec::new(), blocks_valid: 0 }
    }

    /// True when some step is over-booked (a resource below zero): capacity was lost under the plan.
    pub fn overbooked(&self) -> bool {
        self.negative > 0
    }

    /// False when no single step before `before` has, in every resource separately, as much free
    /// as `req`: then `req` cannot start before `before` ([`Profile::earliest`] cannot return an
    /// earlier time). True means it may. O(log P), plus the lazy refresh of the prefix maxima.
    pub fn may_fit_before(&mut self, req: &Amount, before: Time) -> bool {
        let b = self.steps.partition_point(|s| s.0 < before);
        if b == 0 {
            return false;
        }
        if self.prefix_max.len() < self.steps.len() {
            self.prefix_max.resize(self.steps.len(), Amount::default());
        }
        for i in self.prefix_valid..b {
            let level = self.steps[i].1;
            self.prefix_max[i] = if i == 0 { level } else { self.prefix_max[i - 1].max(&level) };
        }
        self.prefix_valid = self.prefix_valid.max(b);
        self.prefix_max[b - 1].holds(req)
    }

    /// Moves the origin forward to `now`: the steps before it are dropped and the one in force at
    /// `now` starts there. When more than `max_steps` remain, neighbours with equal free amounts
    /// (left behind by bookings that were lifted) are merged. O(dropped + merged steps).
    pub fn advance(&mut self, now: Time, max_steps: usize) {
        let k = self.index_at(now);
        if k > 0 {
            self.negative -= self.steps[..k].iter().filter(|s| s.1.is_negative()).count();
            self.steps.drain(..k);
        }
        if let Some(first) = self.steps.first_mut() {
            first.0 = first.0.max(now);
        }
        if self.steps.len() > max_steps {
            self.steps.dedup_by(|next, prev| {
                let same = next.1 == prev.1;
                if same && next.1.is_negative() {
                    self.negative -= 1;
                }
                same
            });
        }
        self.touched(0);
    }

    /// Notes that the steps from index `i` on changed (their level or their index).
    #[inline]
    fn touched(&mut self, i: usize) {
        self.prefix_valid = self.prefix_valid.min(i);
        self.blocks_valid = self.blocks_valid.min(i / BLOCK);
    }

    /// Brings the block summaries up to date for every full block before step `end`.
    fn refresh_blocks(&mut self, end: usize) {
        let want = end / BLOCK;
        if self.blocks.len() < want {
            self.blocks.resize(want, (Amount::default(), Amount::default()));
        }
        for b in self.blocks_valid..want {
            let steps = &self.steps[b * BLOCK..(b + 1) * BLOCK];
            let (mut lo, mut hi) = (steps[0].1, steps[0].1);
            for (_, level) in &steps[1..] {
                lo = lo.min(level);
                hi = hi.max(level);
            }
            self.blocks[b] = (lo, hi);
        }
        self.blocks_valid = self.blocks_valid.max(want);
    }

    /// The scan behind [`Profile::earliest`] and [`Profile::earlier_start`]: the first run of
    /// steps from `from` on where `req` stays free for `duration`, among the steps before `own`
    /// (a run that reaches `own` counts as long enough). Whole blocks are skipped where no step
    /// has room and crossed where every step has; the answer is the step-by-step scan's.
    fn scan(&mut self, req: &Amount, duration: Time, from: Time, own: Option<Time>) -> Option<Time> {
        let end = own.map_or(self.steps.len(), |own| self.steps.partition_point(|s| s.0 < own));
        let own = own.unwrap_or(Time::MAX);
        self.refresh_blocks(end);
        let mut start: Option<Time> = None;
        let mut i = self.index_at(from);
        // A run that holds `req` from `s` succeeds at a step whose successor comes at or after
        // `s + duration`, or after `own` (or when there is none): later successors come later.
        let long_enough = |s: Time, next: Option<&(Time, Amount)>| {
            next.is_none_or(|&(next, _)| next > own || next >= s.saturating_add(duration))
        };
        while i < end {
            if i.is_multiple_of(BLOCK) && i + BLOCK <= end {
                let (lo, hi) = self.blocks[i / BLOCK];
                if !hi.holds(req) {
                    start = None;
                    i += BLOCK;
                    continue;
                }
                if lo.holds(req) {
                    let s = *start.get_or_insert(self.steps[i].0.max(from));
                    if long_enough(s, self.steps.get(i + BLOCK)) {
                        return Some(s);
                    }
                    i += BLOCK;
                    continue;
                }
            }
            let (t, level) = self.steps[i];
            if level.holds(req) {
                let s = *start.get_or_insert(t.max(from));
                if long_enough(s, self.steps.get(i + 1)) {
                    return Some(s);
                }
            } else {
                start = None;
            }
            i += 1;
        }
        // Reached `own` (the run, if any, goes on into the job's own booking) or the last step.
        start
    }

    /// Free amount at each change, from the origin on, with equal neighbours merged: two profiles
    /// that plan the same free capacity at every instant have equal views.
    pub fn view(&self) -> Vec<(Time, Amount)> {
        let mut v = self.steps.clone();
        v.dedup_by(|next, prev| next.1 == prev.1);
        v
    }

    /// Number of steps (the cost of a scan).
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// Index of the step in force at `t` (the origin's step for times before it).
    fn index_at(&self, t: Time) -> usize {
        self.steps.partition_point(|s| s.0 <= t).saturating_sub(1)
    }

    /// Free capacity at time `t`.
    pub fn free_at(&self, t: Time) -> Amount {
        self.steps.get(self.index_at(t)).map(|s| s.1).unwrap_or_default()
    }

    /// The earliest time ≥ `from` at which `req` stays free for `duration`; `None` if never (the
    /// request exceeds what the profile ever frees).
    pub fn earliest(&mut self, req: &Amount, duration: Time, from: Time) -> Option<Time> {
        self.scan(req, duration, from, None)
    }

    /// Where a job booked over `[own, own + duration)` would start if its booking were lifted and
    /// it were placed again at the earliest time ≥ `from` that keeps `req` free for `duration`:
    /// `Some(t)` with `t < own` when it can move earlier, `None` when the answer is `own` itself.
    /// Nothing is changed and the scan stops at `own`: on a plan that is not
    /// [over-booked](Profile::overbooked) every level is ≥ 0, so once a slot that holds `req` runs
    /// into the job's own booking it fits for good (there, the booking it would give up is free).
    /// O(steps between `from` and `own`).
    pub fn earlier_start(&mut self, req: &Amount, duration: Time, from: Time, own: Time) -> Option<Time> {
        self.scan(req, duration, from, Some(own))
    }

    /// Makes sure a step starts exactly at `t` (splitting the one in force there); returns its index.
    fn split_at(&mut self, t: Time) -> usize {
        let i = self.steps.partition_point(|s| s.0 <= t);
        if i > 0 && self.steps[i - 1].0 == t {
            return i - 1;
        }
        let level = if i == 0 { self.steps.first().map(|s| s.1).unwrap_or_default() } else { self.steps[i - 1].1 };
        self.steps.insert(i, (t, level));
        self.negative += level.is_negative() as usize;
        self.touched(i);
        i
    }

    /// Adds `delta` to the free amount over `[start, end)`; returns the largest free amount of
    /// each resource there afterwards (`None` for an empty interval).
    fn change(&mut self, start: Time, end: Time, delta: &Amount) -> Option<Amount> {
        if end <= start {
            return None;
        }
        let a = self.split_at(start);
        let b = self.split_at(end);
        let mut high = Amount { cpu: i64::MIN, mem: i64::MIN, gpu: i64::MIN };
        for s in &mut self.steps[a..b] {
            let was = s.1.is_negative();
            s.1.add(delta);
            high = high.max(&s.1);
            self.negative = self.negative + s.1.is_negative() as usize - was as usize;
        }
        // Merge the ends of the changed range with their neighbours when the levels now agree (a
        // booking lifted where it was booked), so the profile stays as short as a rebuilt one.
        for i in [b, a] {
            if i > 0 && i < self.steps.len() && self.steps[i].1 == self.steps[i - 1].1 {
                self.negative -= self.steps[i].1.is_negative() as usize;
                self.steps.remove(i);
            }
        }
        self.touched(a);
        Some(high)
    }

    /// Books `req` over `[start, end)`.
    pub fn reserve(&mut self, start: Time, end: Time, req: &Amount) {
        self.change(start, end, &req.neg());
    }

    /// Returns `req` over `[start, end)` (undoes a [`Profile::reserve`]); gives the largest free
    /// amount of each resource over the interval afterwards (`None` if it is empty).
    pub fn unreserve(&mut self, start: Time, end: Time, req: &Amount) -> Option<Amount> {
        self.change(start, end, req)
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
        assert_eq!(p.earlier_start(&cpus(8), 10, 0, 20), None);
        assert!(!p.overbooked());
        // The same job booked over [30, 40) instead could move to 20 (its own slot counts as free).
        p.unreserve(20, 30, &cpus(8));
        p.reserve(30, 40, &cpus(8));
        assert_eq!(p.earlier_start(&cpus(8), 10, 0, 30), Some(20));
        // A 5-cpu job of 10 booked there fits from 10 (7 free until 20, then 10): it moves to 10.
        p.unreserve(30, 40, &cpus(8));
        p.reserve(30, 40, &cpus(5));
        assert_eq!(p.earlier_start(&cpus(5), 10, 0, 30), Some(10));
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
        /// The profile answers as the definition does on a plain list of steps, after any
        /// sequence of bookings, lifts and moves of the origin; its steps are those of a profile
        /// rebuilt from the same changes, with no two equal neighbours.
        #[test]
        fn the_profile_answers_as_the_definition_does(
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
                        p.advance(now, 0);
                    }
                }
                let steps = p.steps.clone();
                proptest::prop_assert!(steps.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 != w[1].1), "{:?}", steps);
                proptest::prop_assert_eq!(p.len(), steps.len());
            }
            let mut changes = vec![(15, cpus(3)), (40, cpus(3))];
            for &(a, b, c) in &booked {
                changes.push((a, cpus(-c)));
                changes.push((b, cpus(c)));
            }
            let mut rebuilt = Profile::build(0, cpus(6), &mut changes);
            rebuilt.advance(now, 0);
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
            let fast = p.earlier_start(&cpus(c), dur, 0, own);
            if fast.is_some() {
                proptest::prop_assert!(p.may_fit_before(&cpus(c), own));
            }
            p.unreserve(own, own + dur, &cpus(c));
            let slow = p.earliest(&cpus(c), dur, 0).unwrap();
            proptest::prop_assert_eq!(fast.unwrap_or(own), slow);
        }
    }
}
