//! A balanced search tree (a treap) over the steps of an availability profile, keyed by time, holding the smallest and largest free amount of every subtree.
//!
//! Each node is one step: the free amount from its time until the next step's. A pending addition
//! (`lazy`) on a node applies to its whole subtree, so adding to the free amount over an interval
//! costs O(log P) whatever the number of steps it covers. The subtree minima and maxima answer the
//! questions a search for a slot asks in O(log P): the first step from a time on whose level holds
//! a request (a subtree whose maxima do not hold it is skipped), the first that does not (a subtree
//! whose minima hold it is skipped), the largest level before a time. Priorities are pseudo-random
//! from a fixed seed, so the shape, like everything else, is the same on every run.

use super::profile::Amount;
use crate::model::Time;

const NIL: u32 = u32::MAX;

#[derive(Clone, Copy, Debug)]
struct Node {
    t: Time,
    level: Amount,
    lo: Amount,
    hi: Amount,
    /// Added to the whole subtree below this node (this node's own fields already include it).
    lazy: Amount,
    l: u32,
    r: u32,
    prio: u32,
}

/// The steps of a profile, ordered by time.
#[derive(Clone, Debug)]
pub struct StepTree {
    nodes: Vec<Node>,
    free: Vec<u32>,
    root: u32,
    len: usize,
    seed: u64,
}

impl Default for StepTree {
    fn default() -> StepTree {
        StepTree { nodes: Vec::new(), free: Vec::new(), root: NIL, len: 0, seed: 0x9E37_79B9_7F4A_7C15 }
    }
}

fn plus(a: &Amount, b: &Amount) -> Amount {
    let mut s = *a;
    s.add(b);
    s
}

impl StepTree {
    /// A tree of `steps`, which must be in strictly increasing time order. O(P).
    pub fn from_sorted(steps: &[(Time, Amount)]) -> StepTree {
        let mut tree = StepTree::default();
        // Cartesian-tree construction: a stack of the right spine.
        let mut spine: Vec<u32> = Vec::new();
        for &(t, level) in steps {
            let n = tree.alloc(t, level);
            let mut last = NIL;
            while let Some(&top) = spine.last() {
                if tree.nodes[top as usize].prio >= tree.nodes[n as usize].prio {
                    break;
                }
                last = top;
                spine.pop();
            }
            tree.nodes[n as usize].l = last;
            if let Some(&top) = spine.last() {
                tree.nodes[top as usize].r = n;
            }
            spine.push(n);
        }
        tree.root = spine.first().copied().unwrap_or(NIL);
        tree.pull_all(tree.root);
        tree
    }

    /// Computes the minima and maxima of every subtree below `n` (after a construction).
    fn pull_all(&mut self, n: u32) {
        if n == NIL {
            return;
        }
        let (l, r) = (self.nodes[n as usize].l, self.nodes[n as usize].r);
        self.pull_all(l);
        self.pull_all(r);
        self.pull(n);
    }

    /// Number of steps.
    pub fn len(&self) -> usize {
        self.len
    }

    fn alloc(&mut self, t: Time, level: Amount) -> u32 {
        // xorshift64: a fixed sequence, so runs are reproducible.
        self.seed ^= self.seed << 13;
        self.seed ^= self.seed >> 7;
        self.seed ^= self.seed << 17;
        let node = Node {
            t,
            level,
            lo: level,
            hi: level,
            lazy: Amount::default(),
            l: NIL,
            r: NIL,
            prio: (self.seed >> 32) as u32,
        };
        self.len += 1;
        match self.free.pop() {
            Some(n) => {
                self.nodes[n as usize] = node;
                n
            }
            None => {
                self.nodes.push(node);
                (self.nodes.len() - 1) as u32
            }
        }
    }

    /// Adds `delta` to every level of the subtree `n`.
    #[inline]
    fn apply(&mut self, n: u32, delta: &Amount) {
        if n == NIL {
            return;
        }
        let nd = &mut self.nodes[n as usize];
        nd.level.add(delta);
        nd.lo.add(delta);
        nd.hi.add(delta);
        nd.lazy.add(delta);
    }

    /// Hands a node's pending addition down to its children.
    #[inline]
    fn push(&mut self, n: u32) {
        let nd = self.nodes[n as usize];
        if nd.lazy != Amount::default() {
            self.apply(nd.l, &nd.lazy);
            self.apply(nd.r, &nd.lazy);
            self.nodes[n as usize].lazy = Amount::default();
        }
    }

    /// Recomputes a node's minima and maxima from its children (its addition pushed down).
    #[inline]
    fn pull(&mut self, n: u32) {
        let nd = self.nodes[n as usize];
        let (mut lo, mut hi) = (nd.level, nd.level);
        for c in [nd.l, nd.r] {
            if c != NIL {
                lo = lo.min(&self.nodes[c as usize].lo);
                hi = hi.max(&self.nodes[c as usize].hi);
            }
        }
        let nd = &mut self.nodes[n as usize];
        nd.lo = lo;
        nd.hi = hi;
    }

    /// Splits subtree `n` into the steps before `t` and those at or after it.
    fn split(&mut self, n: u32, t: Time) -> (u32, u32) {
        if n == NIL {
            return (NIL, NIL);
        }
        self.push(n);
        if self.nodes[n as usize].t < t {
            let (a, b) = self.split(self.nodes[n as usize].r, t);
            self.nodes[n as usize].r = a;
            self.pull(n);
            (n, b)
        } else {
            let (a, b) = self.split(self.nodes[n as usize].l, t);
            self.nodes[n as usize].l = b;
            self.pull(n);
            (a, n)
        }
    }

    /// Joins two subtrees, every step of `a` before every step of `b`.
    fn merge(&mut self, a: u32, b: u32) -> u32 {
        if a == NIL {
            return b;
        }
        if b == NIL {
            return a;
        }
        if self.nodes[a as usize].prio > self.nodes[b as usize].prio {
            self.push(a);
            let r = self.merge(self.nodes[a as usize].r, b);
            self.nodes[a as usize].r = r;
            self.pull(a);
            a
        } else {
            self.push(b);
            let l = self.merge(a, self.nodes[b as usize].l);
            self.nodes[b as usize].l = l;
            self.pull(b);
            b
        }
    }

    /// The first (or last) step of subtree `n`: its time and level.
    fn end_of(&self, mut n: u32, last: bool) -> Option<(Time, Amount)> {
        let mut off = Amount::default();
        let mut found = None;
        while n != NIL {
            let nd = &self.nodes[n as usize];
            found = Some((nd.t, plus(&nd.level, &off)));
            off.add(&nd.lazy);
            n = if last { nd.r } else { nd.l };
        }
        found
    }

    /// Removes the first step of subtree `n`; returns the new subtree.
    fn pop_first(&mut self, n: u32) -> u32 {
        self.push(n);
        let l = self.nodes[n as usize].l;
        if l == NIL {
            let r = self.nodes[n as usize].r;
            self.release(n);
            return r;
        }
        let l = self.pop_first(l);
        self.nodes[n as usize].l = l;
        self.pull(n);
        n
    }

    fn release(&mut self, n: u32) {
        self.free.push(n);
        self.len -= 1;
    }

    /// The first step.
    pub fn first(&self) -> Option<(Time, Amount)> {
        self.end_of(self.root, false)
    }

    /// The smallest level of each resource over every step.
    pub fn min_all(&self) -> Option<Amount> {
        (self.root != NIL).then(|| self.nodes[self.root as usize].lo)
    }

    /// The step in force at `t`: the last one at or before `t`, or the first if `t` comes earlier.
    pub fn floor(&self, t: Time) -> Option<(Time, Amount)> {
        let (mut n, mut off, mut found) = (self.root, Amount::default(), None);
        while n != NIL {
            let nd = &self.nodes[n as usize];
            let child_off = plus(&off, &nd.lazy);
            if nd.t <= t {
                found = Some((nd.t, plus(&nd.level, &off)));
                n = nd.r;
            } else {
                n = nd.l;
            }
            off = child_off;
        }
        found.or_else(|| self.first())
    }

    /// The largest level of each resource over the steps before `t` (`None` if there are none).
    pub fn max_before(&self, t: Time) -> Option<Amount> {
        self.side_max(self.root, Amount::default(), t, true)
    }

    /// The largest level of each resource over the steps with times in `[from, to)`.
    pub fn max_between(&self, from: Time, to: Time) -> Option<Amount> {
        let (mut n, mut off) = (self.root, Amount::default());
        while n != NIL {
            let nd = &self.nodes[n as usize];
            let child_off = plus(&off, &nd.lazy);
            if nd.t < from {
                n = nd.r;
            } else if nd.t >= to {
                n = nd.l;
            } else {
                // The split node: the rest of the range is a suffix of its left subtree and a
                // prefix of its right one.
                let mut high = plus(&nd.level, &off);
                for part in [self.side_max(nd.l, child_off, from, false), self.side_max(nd.r, child_off, to, true)] {
                    high = part.map_or(high, |p| high.max(&p));
                }
                return Some(high);
            }
            off = child_off;
        }
        None
    }

    /// The largest level of each resource over the steps of subtree `n` (levels offset by `off`)
    /// before `t` (`below`) or at or after it.
    fn side_max(&self, mut n: u32, mut off: Amount, t: Time, below: bool) -> Option<Amount> {
        let mut best: Option<Amount> = None;
        while n != NIL {
            let nd = &self.nodes[n as usize];
            let child_off = plus(&off, &nd.lazy);
            let (inside, outside) = if below { (nd.l, nd.r) } else { (nd.r, nd.l) };
            if (nd.t < t) == below {
                // This step and the whole subtree on the inner side are in the range.
                let mut m = plus(&nd.level, &off);
                if inside != NIL {
                    m = m.max(&plus(&self.nodes[inside as usize].hi, &child_off));
                }
                best = Some(best.map_or(m, |b| b.max(&m)));
                n = outside;
            } else {
                n = inside;
            }
            off = child_off;
        }
        best
    }

    /// The first step at or after time `from` whose level holds `req`.
    pub fn first_holding(&self, from: Time, req: &Amount) -> Option<(Time, Amount)> {
        self.find(self.root, Amount::default(), false, &|t| t >= from, &|_, hi| hi.holds(req), &|level| {
            level.holds(req)
        })
    }

    /// The last step before time `end` whose level does not hold `req`: its time.
    pub fn last_failing(&self, end: Time, req: &Amount) -> Option<Time> {
        let fails = |level: &Amount| !level.holds(req);
        self.find(self.root, Amount::default(), true, &|t| t < end, &|lo, _| fails(lo), &fails).map(|s| s.0)
    }

    /// The first step of subtree `n` (levels offset by `off`) whose time passes `in_range` (a
    /// suffix of times) and whose level passes `hit`, or with `rev` the last one (`in_range` a
    /// prefix); `may` is asked of a subtree's minima and maxima and must be true whenever some
    /// step of the subtree passes `hit`.
    fn find(
        &self,
        n: u32,
        off: Amount,
        rev: bool,
        in_range: &impl Fn(Time) -> bool,
        may: &impl Fn(&Amount, &Amount) -> bool,
        hit: &impl Fn(&Amount) -> bool,
    ) -> Option<(Time, Amount)> {
        if n == NIL {
            return None;
        }
        let nd = &self.nodes[n as usize];
        if !may(&plus(&nd.lo, &off), &plus(&nd.hi, &off)) {
            return None;
        }
        let child_off = plus(&off, &nd.lazy);
        let (near, far) = if rev { (nd.r, nd.l) } else { (nd.l, nd.r) };
        if in_range(nd.t) {
            if let Some(found) = self.find(near, child_off, rev, in_range, may, hit) {
                return Some(found);
            }
            let level = plus(&nd.level, &off);
            if hit(&level) {
                return Some((nd.t, level));
            }
        }
        self.find(far, child_off, rev, in_range, may, hit)
    }

    /// Removes every step before `t`.
    pub fn drop_before(&mut self, t: Time) {
        let (before, rest) = self.split(self.root, t);
        self.root = rest;
        let mut stack = vec![before];
        while let Some(n) = stack.pop() {
            if n != NIL {
                stack.push(self.nodes[n as usize].l);
                stack.push(self.nodes[n as usize].r);
                self.release(n);
            }
        }
    }

    /// Moves the first step to time `t` (no later than the second step).
    pub fn set_first_time(&mut self, t: Time) {
        let mut n = self.root;
        while n != NIL {
            let l = self.nodes[n as usize].l;
            if l == NIL {
                self.nodes[n as usize].t = t;
                return;
            }
            n = l;
        }
    }

    /// Adds `delta` to the level over `[start, end)`, splitting the steps in force at both ends and
    /// merging either end with its neighbour when their levels then agree. Returns the largest
    /// level of each resource over the interval afterwards (`None` if it is empty). O(log P).
    pub fn add(&mut self, start: Time, end: Time, delta: &Amount) -> Option<Amount> {
        if end <= start {
            return None;
        }
        let (l, rest) = self.split(self.root, start);
        let (mut m, mut r) = self.split(rest, end);
        if self.end_of(m, false).is_none_or(|s| s.0 != start) {
            let level = self.end_of(l, true).or_else(|| self.end_of(m, false)).or_else(|| self.end_of(r, false));
            let n = self.alloc(start, level.map(|s| s.1).unwrap_or_default());
            m = self.merge(n, m);
        }
        let last_m = self.end_of(m, true).map(|s| s.1).unwrap_or_default();
        if self.end_of(r, false).is_none_or(|s| s.0 != end) {
            let n = self.alloc(end, last_m);
            r = self.merge(n, r);
        }
        self.apply(m, delta);
        let high = self.nodes[m as usize].hi;
        if self.end_of(r, false).map(|s| s.1) == Some(plus(&last_m, delta)) {
            r = self.pop_first(r);
        }
        if let (Some(a), Some(b)) = (self.end_of(l, true), self.end_of(m, false))
            && a.1 == b.1
        {
            m = self.pop_first(m);
        }
        let lm = self.merge(l, m);
        self.root = self.merge(lm, r);
        Some(high)
    }

    /// Every step in time order, with its level.
    pub fn steps(&self) -> Vec<(Time, Amount)> {
        let mut out = Vec::with_capacity(self.len);
        self.collect(self.root, Amount::default(), &mut out);
        out
    }

    fn collect(&self, n: u32, off: Amount, out: &mut Vec<(Time, Amount)>) {
        if n == NIL {
            return;
        }
        let nd = &self.nodes[n as usize];
        let child_off = plus(&off, &nd.lazy);
        self.collect(nd.l, child_off, out);
        out.push((nd.t, plus(&nd.level, &off)));
        self.collect(nd.r, child_off, out);
    }
}
