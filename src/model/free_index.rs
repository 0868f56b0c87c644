//! A segment tree over nodes holding the component-wise maximum free capacity of each range, so
//! "the first node from position i that may fit this request" costs O(log n) instead of a scan.

use crate::model::{Cluster, NodeIdx, Resources};

/// Component-wise maximum.
fn max(a: Resources, b: Resources) -> Resources {
    Resources { cpu: a.cpu.max(b.cpu), mem: a.mem.max(b.mem), gpu: a.gpu.max(b.gpu) }
}

/// Max-free segment tree; down nodes count as having nothing free.
#[derive(Clone, Debug, Default)]
pub struct FreeIndex {
    leaves: usize,
    len: usize,
    tree: Vec<Resources>,
}

impl FreeIndex {
    pub fn new(cluster: &Cluster) -> Self {
        let len = cluster.nodes.len();
        let leaves = len.next_power_of_two().max(1);
        let mut tree = vec![Resources::ZERO; 2 * leaves];
        for (i, n) in cluster.nodes.iter().enumerate() {
            tree[leaves + i] = if n.up { n.free } else { Resources::ZERO };
        }
        for i in (1..leaves).rev() {
            tree[i] = max(tree[2 * i], tree[2 * i + 1]);
        }
        FreeIndex { leaves, len, tree }
    }

    /// Refreshes node `n` after its free capacity or state changed: O(log n).
    pub fn update(&mut self, cluster: &Cluster, n: NodeIdx) {
        if self.len != cluster.nodes.len() {
            *self = FreeIndex::new(cluster);
            return;
        }
        let node = &cluster.nodes[n as usize];
        let mut i = self.leaves + n as usize;
        self.tree[i] = if node.up { node.free } else { Resources::ZERO };
        while i > 1 {
            i /= 2;
            let m = max(self.tree[2 * i], self.tree[2 * i + 1]);
            if self.tree[i] == m {
                break;
            }
            self.tree[i] = m;
        }
    }

    /// The lowest node index in `from..to` whose free capacity holds `req`.
    pub fn first_fit_in(&self, req: &Resources, from: usize, to: usize) -> Option<usize> {
        let to = to.min(self.len);
        if from >= to {
            return None;
        }
        self.descend(1, 0, self.leaves, req, from, to)
    }

    fn descend(&self, i: usize, lo: usize, hi: usize, req: &Resources, from: usize, to: usize) -> Option<usize> {
        if hi <= from || lo >= to || !req.fits_in(&self.tree[i]) {
            return None;
        }
        if hi - lo == 1 {
            return Some(lo);
        }
        let mid = (lo + hi) / 2;
        self.descend(2 * i, lo, mid, req, from, to).or_else(|| self.descend(2 * i + 1, mid, hi, req, from, to))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_first_fitting_node_in_a_range() {
        let mut c = Cluster::uniform("p", 5, Resources::new(4, 100, 0));
        for n in 0..5 {
            c.allocate(n, Resources::new(if n == 3 { 1 } else { 4 }, 0, 0));
        }
        let mut idx = FreeIndex::new(&c);
        assert_eq!(idx.first_fit_in(&Resources::cpus(2), 0, 5), Some(3));
        assert_eq!(idx.first_fit_in(&Resources::cpus(2), 4, 5), None);
        assert_eq!(idx.first_fit_in(&Resources::cpus(4), 0, 5), None);
        c.release(1, Resources::cpus(4));
        idx.update(&c, 1);
        assert_eq!(idx.first_fit_in(&Resources::cpus(4), 0, 5), Some(1));
        assert_eq!(idx.first_fit_in(&Resources::cpus(2), 2, 5), Some(3));
    }
}
