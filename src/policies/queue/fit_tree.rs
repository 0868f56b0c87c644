//! A tree over queue positions holding, for each subtree, the smallest request (per resource) and the smallest estimate: finds the next waiting job that may fit in O(log n).
//!
//! Each waiting job has a fixed *slot*, its rank in the order the discipline scans the queue (submit
//! order, or shortest estimate first); a slot is filled while its job waits and empty otherwise. A
//! search gives the first filled slot at or after a position whose job passes a test that can also
//! be asked of a subtree's minima: a subtree whose minima fail it holds no job that passes, and is
//! skipped whole. A pass that finds nothing costs O(log n) whatever the queue's length.

use super::profile::Amount;
use crate::model::Time;

/// The minima of a subtree (or the request and estimate of one waiting job, at a leaf).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Minima {
    pub req: Amount,
    pub dur: Time,
}

impl Minima {
    /// An empty slot (or subtree): no job, fails every test.
    const EMPTY: Minima = Minima { req: Amount { cpu: i64::MAX, mem: i64::MAX, gpu: i64::MAX }, dur: Time::MAX };

    fn min(&self, o: &Minima) -> Minima {
        Minima { req: self.req.min(&o.req), dur: self.dur.min(o.dur) }
    }

    pub fn is_empty(&self) -> bool {
        *self == Minima::EMPTY
    }
}

/// Segment tree of [`Minima`] over `n` slots (a complete binary tree in an array, leaves at `size..`).
#[derive(Clone, Debug, Default)]
pub struct FitTree {
    size: usize,
    nodes: Vec<Minima>,
}

impl FitTree {
    /// A tree of `n` empty slots.
    pub fn new(n: usize) -> FitTree {
        let size = n.max(1).next_power_of_two();
        FitTree { size, nodes: vec![Minima::EMPTY; 2 * size] }
    }

    /// Fills `slot` with a waiting job's request and estimate.
    pub fn fill(&mut self, slot: usize, req: Amount, dur: Time) {
        self.put(slot, Minima { req, dur });
    }

    /// Empties `slot` (its job started or left the queue).
    pub fn clear(&mut self, slot: usize) {
        self.put(slot, Minima::EMPTY);
    }

    fn put(&mut self, slot: usize, m: Minima) {
        let mut i = self.size + slot;
        self.nodes[i] = m;
        while i > 1 {
            i /= 2;
            let m = self.nodes[2 * i].min(&self.nodes[2 * i + 1]);
            if self.nodes[i] == m {
                break; // the ancestors depend on nothing else that changed
            }
            self.nodes[i] = m;
        }
    }

    /// The first filled slot ≥ `from` whose job passes `test`. `test` is asked of subtree minima
    /// too, so it must be monotone: if some job in a subtree passes, the subtree's minima pass.
    /// O(log n) per subtree visited; a subtree whose minima fail is never entered.
    pub fn first(&self, from: usize, test: impl Fn(&Minima) -> bool) -> Option<usize> {
        if from >= self.size {
            return None;
        }
        // Climb from the leaf `from`: at each level, the right sibling subtrees (all after `from`)
        // are tried in order; the first whose minima pass is descended into.
        let mut i = self.size + from;
        if self.passes(i, &test) {
            return Some(from);
        }
        loop {
            // Go up while `i` is a right child (its right siblings are covered by the parent's).
            while i % 2 == 1 {
                i /= 2;
                if i == 0 {
                    return None;
                }
            }
            i += 1; // the right sibling: every slot in it comes after the ones already seen
            if self.passes(i, &test)
                && let Some(found) = self.descend(i, &test)
            {
                return Some(found);
            }
        }
    }

    /// The first leaf under `i` that passes `test`, if any.
    fn descend(&self, mut i: usize, test: &impl Fn(&Minima) -> bool) -> Option<usize> {
        // Depth-first, left first; a subtree whose minima pass may still hold no job that does
        // (the minima may come from different jobs), so a failed branch backtracks.
        while i < self.size {
            let left = 2 * i;
            if self.passes(left, test)
                && let Some(found) = self.descend(left, test)
            {
                return Some(found);
            }
            if !self.passes(left + 1, test) {
                return None;
            }
            i = left + 1;
        }
        Some(i - self.size)
    }

    /// True when node `i` holds some job and its minima pass `test`.
    #[inline]
    fn passes(&self, i: usize, test: &impl Fn(&Minima) -> bool) -> bool {
        !self.nodes[i].is_empty() && test(&self.nodes[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cpus(n: i64) -> Amount {
        Amount { cpu: n, mem: 0, gpu: 0 }
    }

    proptest::proptest! {
        /// The tree finds the same slot as a scan of the filled slots in order.
        #[test]
        fn first_agrees_with_a_scan(
            jobs in proptest::collection::vec(proptest::option::of((1i64..20, 1u64..50)), 1..70),
            from in 0usize..80,
            free in 0i64..25,
            limit in 0u64..60,
            extra in 0i64..25,
        ) {
            let mut t = FitTree::new(jobs.len());
            for (s, j) in jobs.iter().enumerate() {
                if let Some((c, d)) = *j {
                    t.fill(s, cpus(c), d);
                }
            }
            let fits = |m: &Minima| m.req.cpu <= free && (m.dur <= limit || m.req.cpu <= extra);
            let scan = jobs.iter().enumerate().skip(from).find(|(_, j)| {
                j.is_some_and(|(c, d)| fits(&Minima { req: cpus(c), dur: d }))
            }).map(|(s, _)| s);
            proptest::prop_assert_eq!(t.first(from, fits), scan);
        }
    }
}
