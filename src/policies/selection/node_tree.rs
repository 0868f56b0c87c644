//! `NodeTree`: a segment tree over a list of nodes holding each subtree's largest free capacity (per
//! resource) and smallest priority, for O(log n) first-fit, next-fit and least-priority-that-fits queries.
//!
//! A subtree whose largest free cpu, memory or gpu is below the request holds no node that fits and
//! is skipped whole. With one resource kind that test is exact and every query costs O(log n); with
//! several kinds the maxima may come from different nodes, so a query can descend into a subtree
//! that holds no fit (rare in practice; never wrong).

use crate::model::{Node, NodeIdx, Resources};

/// Free capacity + 1 per kind for an up node, zeros for a down node, so that "fits" is always
/// `slot >= request + 1` and a down node (or an empty leaf) never fits, not even an empty request.
#[inline]
fn slot(node: &Node) -> [u64; 3] {
    if node.up {
        [node.free.cpu.saturating_add(1), node.free.mem.saturating_add(1), node.free.gpu.saturating_add(1)]
    } else {
        [0; 3]
    }
}

/// The request in slot units (see [`slot`]).
#[inline]
pub fn need(req: &Resources) -> [u64; 3] {
    [req.cpu.saturating_add(1), req.mem.saturating_add(1), req.gpu.saturating_add(1)]
}

#[inline]
fn covers(have: &[u64; 3], need: &[u64; 3]) -> bool {
    have[0] >= need[0] && have[1] >= need[1] && have[2] >= need[2]
}

/// Segment tree over `nodes` (leaf `i` is `nodes[i]`); `P` is the priority minimised by [`NodeTree::min_fit`].
#[derive(Clone, Debug)]
pub struct NodeTree<P> {
    nodes: Vec<NodeIdx>,
    size: usize,
    slot: Vec<[u64; 3]>,
    prio: Vec<P>,
}

impl<P: Copy + Ord> NodeTree<P> {
    /// A tree over `nodes` with every leaf set from `nodes_of` and `prio_of`; `worst` fills empty leaves.
    pub fn new(nodes: Vec<NodeIdx>, all: &[Node], worst: P, prio_of: impl Fn(&Node) -> P) -> Self {
        let size = nodes.len().next_power_of_two().max(1);
        let mut t = NodeTree { size, slot: vec![[0; 3]; 2 * size], prio: vec![worst; 2 * size], nodes };
        for (i, &n) in t.nodes.iter().enumerate() {
            let node = &all[n as usize];
            t.slot[size + i] = slot(node);
            t.prio[size + i] = prio_of(node);
        }
        for i in (1..size).rev() {
            t.pull(i);
        }
        t
    }

    #[inline]
    fn pull(&mut self, i: usize) {
        let (a, b) = (self.slot[2 * i], self.slot[2 * i + 1]);
        self.slot[i] = [a[0].max(b[0]), a[1].max(b[1]), a[2].max(b[2])];
        self.prio[i] = self.prio[2 * i].min(self.prio[2 * i + 1]);
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The node at leaf `pos`.
    #[inline]
    pub fn node(&self, pos: usize) -> NodeIdx {
        self.nodes[pos]
    }

    /// The nodes of the tree, in leaf order.
    pub fn nodes(&self) -> &[NodeIdx] {
        &self.nodes
    }

    /// Refreshes leaf `pos` from `node` and `prio`, then its ancestors: O(log n).
    #[inline]
    pub fn set(&mut self, pos: usize, node: &Node, prio: P) {
        let mut i = self.size + pos;
        self.slot[i] = slot(node);
        self.prio[i] = prio;
        while i > 1 {
            i /= 2;
            let before = (self.slot[i], self.prio[i]);
            self.pull(i);
            if (self.slot[i], self.prio[i]) == before {
                break; // nothing above changes either
            }
        }
    }

    /// True when some node might fit `req` (exact for single-resource requests).
    #[inline]
    pub fn may_fit(&self, req: &Resources) -> bool {
        covers(&self.slot[1], &need(req))
    }

    /// The first leaf in `lo..hi` whose node fits `req` and is not in `avoid`.
    pub fn first_fit(&self, lo: usize, hi: usize, req: &Resources, avoid: &[NodeIdx]) -> Option<usize> {
        if lo >= hi {
            return None;
        }
        self.first_in(1, 0, self.size, lo, hi, &need(req), avoid)
    }

    #[allow(clippy::too_many_arguments)]
    fn first_in(
        &self,
        i: usize,
        l: usize,
        r: usize,
        lo: usize,
        hi: usize,
        need: &[u64; 3],
        avoid: &[NodeIdx],
    ) -> Option<usize> {
        if r <= lo || hi <= l || !covers(&self.slot[i], need) {
            return None;
        }
        if r - l == 1 {
            return (!avoid.contains(&self.nodes[l])).then_some(l);
        }
        let m = (l + r) / 2;
        self.first_in(2 * i, l, m, lo, hi, need, avoid).or_else(|| self.first_in(2 * i + 1, m, r, lo, hi, need, avoid))
    }

    /// The first fitting leaf at or after `start`, wrapping around to the beginning.
    pub fn next_fit(&self, start: usize, req: &Resources, avoid: &[NodeIdx]) -> Option<usize> {
        self.first_fit(start, self.len(), req, avoid).or_else(|| self.first_fit(0, start.min(self.len()), req, avoid))
    }

    /// The fitting leaf (not in `avoid`) with the smallest (priority, position), by branch and bound.
    pub fn min_fit(&self, req: &Resources, avoid: &[NodeIdx]) -> Option<(P, usize)> {
        let mut best = None;
        self.min_in(1, 0, self.size, &need(req), avoid, &mut best);
        best
    }

    fn min_in(&self, i: usize, l: usize, r: usize, need: &[u64; 3], avoid: &[NodeIdx], best: &mut Option<(P, usize)>) {
        if !covers(&self.slot[i], need) {
            return;
        }
        // Every leaf below has priority ≥ prio[i] and position ≥ l.
        if best.is_some_and(|b| (self.prio[i], l) >= b) {
            return;
        }
        if r - l == 1 {
            if !avoid.contains(&self.nodes[l]) {
                *best = Some((self.prio[i], l));
            }
            return;
        }
        let m = (l + r) / 2;
        if self.prio[2 * i + 1] < self.prio[2 * i] {
            self.min_in(2 * i + 1, m, r, need, avoid, best);
            self.min_in(2 * i, l, m, need, avoid, best);
        } else {
            self.min_in(2 * i, l, m, need, avoid, best);
            self.min_in(2 * i + 1, m, r, need, avoid, best);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Cluster;

    fn cluster(free: &[u64]) -> Cluster {
        let mut c = Cluster::uniform("p", free.len() as u32, Resources::cpus(8));
        for (i, f) in free.iter().enumerate() {
            c.allocate(i as NodeIdx, Resources::cpus(8 - f));
        }
        c
    }

    /// The answers of a linear scan, for comparison.
    fn scan_first(c: &Cluster, lo: usize, hi: usize, req: u64) -> Option<usize> {
        (lo..hi).find(|&i| c.nodes[i].free.cpu >= req)
    }

    #[test]
    fn first_and_next_fit_match_a_scan() {
        let free = [0, 3, 1, 8, 2, 0, 5];
        let c = cluster(&free);
        let t = NodeTree::new((0..7).collect(), &c.nodes, 0u32, |_| 0);
        for req in 0..=9 {
            for lo in 0..7 {
                for hi in lo..=7 {
                    assert_eq!(t.first_fit(lo, hi, &Resources::cpus(req), &[]), scan_first(&c, lo, hi, req));
                }
                let wrap = scan_first(&c, lo, 7, req).or_else(|| scan_first(&c, 0, lo, req));
                assert_eq!(t.next_fit(lo, &Resources::cpus(req), &[]), wrap);
            }
        }
        assert_eq!(t.first_fit(0, 7, &Resources::cpus(3), &[1]), Some(3));
    }

    #[test]
    fn min_fit_is_the_least_priority_then_first_position() {
        let c = cluster(&[1, 4, 4, 6, 2]);
        let tasks = [0u32, 3, 1, 1, 0];
        let t = NodeTree::new((0..5).collect(), &c.nodes, u32::MAX, |n| tasks[n.id as usize]);
        // needs 3 cpus: nodes 1 (3 tasks), 2 (1), 3 (1) fit; 2 and 3 tie, 2 comes first.
        assert_eq!(t.min_fit(&Resources::cpus(3), &[]), Some((1, 2)));
        assert_eq!(t.min_fit(&Resources::cpus(3), &[2]), Some((1, 3)));
        assert_eq!(t.min_fit(&Resources::cpus(1), &[]), Some((0, 0)));
        assert_eq!(t.min_fit(&Resources::cpus(7), &[]), None);
    }

    #[test]
    fn down_nodes_never_fit() {
        let mut c = cluster(&[8, 8]);
        c.nodes[0].up = false;
        let t = NodeTree::new((0..2).collect(), &c.nodes, 0u32, |_| 0);
        assert_eq!(t.first_fit(0, 2, &Resources::ZERO, &[]), Some(1));
    }
}
