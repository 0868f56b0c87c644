//! `FitSet`: up nodes in an ordered set keyed by free capacity, for best-fit and worst-fit queries
//! that seek through the key space instead of scanning nodes.
//!
//! The key is (free gpus, free cpus, free memory), each component stored ascending or descending
//! according to the [`FitOrder`]. The fitting nodes form a box in key space; the first key inside
//! the box is found by seeking: a seek that lands outside the box jumps straight to the next
//! candidate prefix, so a query costs O(log n) per distinct (gpu, cpu) level it passes, never a
//! scan of the nodes inside one level.

use crate::model::{Node, NodeIdx, Resources};
use std::collections::BTreeSet;

/// Which fitting node comes first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FitOrder {
    /// Fewest free gpus, then fewest free cpus, then least free memory (the tightest fit).
    Tightest,
    /// Fewest free gpus, then most free cpus, then most free memory (the loosest fit that keeps gpus for gpu jobs).
    Loosest,
}

type Key = (u64, u64, u64, NodeIdx);

/// Up nodes ordered by free capacity (see the module notes).
#[derive(Clone, Debug)]
pub struct FitSet {
    order: FitOrder,
    nodes: Vec<NodeIdx>,
    /// Current key of each position, `None` while the node is down.
    keys: Vec<Option<Key>>,
    set: BTreeSet<Key>,
}

impl FitSet {
    pub fn new(order: FitOrder, nodes: Vec<NodeIdx>, all: &[Node]) -> Self {
        let keys: Vec<Option<Key>> = nodes.iter().map(|&n| key(order, &all[n as usize])).collect();
        let set = keys.iter().flatten().copied().collect();
        FitSet { order, nodes, keys, set }
    }

    /// Refreshes position `pos` (holding `node`): O(log n).
    #[inline]
    pub fn set(&mut self, pos: usize, node: &Node) {
        debug_assert_eq!(self.nodes[pos], node.id);
        let new = key(self.order, node);
        if self.keys[pos] == new {
            return;
        }
        if let Some(old) = self.keys[pos] {
            self.set.remove(&old);
        }
        if let Some(k) = new {
            self.set.insert(k);
        }
        self.keys[pos] = new;
    }

    /// The first node (by this set's order, then node id) that fits `req` and is not in `avoid`,
    /// with its key (without the id).
    pub fn first(&self, req: &Resources, avoid: &[NodeIdx]) -> Option<((u64, u64, u64), NodeIdx)> {
        let (lo, hi) = bounds(self.order, req);
        let mut cur: Key = (lo[0], lo[1], lo[2], 0);
        loop {
            let &e = self.set.range(cur..).next()?;
            let k = [e.0, e.1, e.2];
            if k[0] > hi[0] {
                return None;
            }
            if k[1] < lo[1] {
                cur = (k[0], lo[1], lo[2], 0);
            } else if k[1] > hi[1] {
                cur = (k[0].checked_add(1)?, lo[1], lo[2], 0);
            } else if k[2] < lo[2] {
                cur = (k[0], k[1], lo[2], 0);
            } else if k[2] > hi[2] {
                cur = match k[1].checked_add(1) {
                    Some(c) => (k[0], c, lo[2], 0),
                    None => (k[0].checked_add(1)?, lo[1], lo[2], 0),
                };
            } else if avoid.contains(&e.3) {
                cur = match e.3.checked_add(1) {
                    Some(id) => (e.0, e.1, e.2, id),
                    None => (e.0, e.1, e.2.checked_add(1)?, 0),
                };
            } else {
                return Some(((e.0, e.1, e.2), e.3));
            }
        }
    }
}

/// The key of an up node; `None` when it is down.
#[inline]
fn key(order: FitOrder, node: &Node) -> Option<Key> {
    let f = node.free;
    node.up.then_some(match order {
        FitOrder::Tightest => (f.gpu, f.cpu, f.mem, node.id),
        FitOrder::Loosest => (f.gpu, u64::MAX - f.cpu, u64::MAX - f.mem, node.id),
    })
}

/// The box of keys whose nodes fit `req`: lower and upper bound per component.
fn bounds(order: FitOrder, req: &Resources) -> ([u64; 3], [u64; 3]) {
    match order {
        FitOrder::Tightest => ([req.gpu, req.cpu, req.mem], [u64::MAX; 3]),
        FitOrder::Loosest => ([req.gpu, 0, 0], [u64::MAX, u64::MAX - req.cpu, u64::MAX - req.mem]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Cluster;

    /// Nodes with the given free (cpu, mem, gpu), capacity (8, 100, 4).
    fn cluster(free: &[(u64, u64, u64)]) -> Cluster {
        let mut c = Cluster::uniform("p", free.len() as u32, Resources::new(8, 100, 4));
        for (i, &(cpu, mem, gpu)) in free.iter().enumerate() {
            c.allocate(i as NodeIdx, Resources::new(8 - cpu, 100 - mem, 4 - gpu));
        }
        c
    }

    /// Linear-scan reference: min by the order's key among fitting nodes.
    fn scan(c: &Cluster, order: FitOrder, req: &Resources, avoid: &[NodeIdx]) -> Option<NodeIdx> {
        c.nodes
            .iter()
            .filter(|n| n.up && req.fits_in(&n.free) && !avoid.contains(&n.id))
            .min_by_key(|n| key(order, n))
            .map(|n| n.id)
    }

    #[test]
    fn seeks_agree_with_a_scan_on_every_small_request() {
        let free = [(3, 50, 0), (3, 10, 0), (5, 90, 1), (8, 20, 4), (1, 100, 0), (5, 40, 0), (3, 60, 2), (0, 0, 0)];
        let mut c = cluster(&free);
        c.nodes[5].up = false;
        for order in [FitOrder::Tightest, FitOrder::Loosest] {
            let s = FitSet::new(order, (0..free.len() as NodeIdx).collect(), &c.nodes);
            for cpu in 0..=9 {
                for mem in [0, 10, 30, 55, 95, 101] {
                    for gpu in 0..=3 {
                        let req = Resources::new(cpu, mem, gpu);
                        for avoid in [&[][..], &[0, 3]] {
                            let got = s.first(&req, avoid).map(|x| x.1);
                            assert_eq!(got, scan(&c, order, &req, avoid), "{order:?} {req:?} avoid {avoid:?}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn tightest_and_loosest_pick_opposite_ends() {
        let c = cluster(&[(4, 100, 0), (2, 100, 0), (7, 100, 0)]);
        let ids = || (0..3).collect::<Vec<_>>();
        let req = Resources::cpus(2);
        assert_eq!(FitSet::new(FitOrder::Tightest, ids(), &c.nodes).first(&req, &[]).map(|x| x.1), Some(1));
        assert_eq!(FitSet::new(FitOrder::Loosest, ids(), &c.nodes).first(&req, &[]).map(|x| x.1), Some(2));
    }
}
