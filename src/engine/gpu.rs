//! GPU-sharing placement: the port a GPU placement policy implements, and the cluster of GPU nodes
//! that asks it where each task goes.
//!
//! Nodes in the same state (capacity, what is left on each device, model, kinds of tasks held) are
//! interchangeable, so the cluster keeps them in classes and asks the policy once per class: a
//! decision costs O(live classes), which stays far below the node count while the cluster fills.
//! Equal best scores go to the tied node of lowest *rank*, a random order of the nodes drawn once per
//! run: the authors' simulator does the same (its scheduler takes the smallest node name, and node
//! names start with a random permutation index), so ties keep landing on the same nodes. A policy
//! may instead ask for node order or a uniform draw.

use crate::model::gpu::{Devices, GpuNode, GpuTask};
use crate::model::gpu_frag::TaskMix;
use crate::rng::Rng;
use rand::RngExt;
use std::collections::{BTreeSet, HashMap};

/// What a policy sees of one candidate node.
#[derive(Clone, Copy, Debug)]
pub struct NodeView<'a> {
    pub node: &'a GpuNode,
    /// The kinds of GPU tasks on the node, as bits of [`task_kind`].
    pub kinds: u16,
}

/// Scores the placement of one task on one node it fits on.
pub trait GpuPolicy: Send {
    /// The score of placing `task` on `view.node` (higher is better) and the devices it would use.
    /// Only called when the task fits on the node.
    fn assess(&mut self, view: NodeView<'_>, task: &GpuTask) -> (f64, Devices);

    /// How equal best scores are broken.
    fn tie_break(&self) -> TieBreak {
        TieBreak::Rank
    }
}

/// How a decision chooses among nodes with equal best scores.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TieBreak {
    /// The node of lowest rank (a random order of the nodes fixed for the run).
    Rank,
    /// The first node in cluster order.
    NodeOrder,
    /// A node drawn uniformly among the tied ones.
    Uniform,
}

/// The kind of a GPU task as a bit: bit 0 for a share of one GPU, bit `k` for `k` whole GPUs
/// (k capped at 15); no bit for a task without GPU.
#[inline]
pub fn task_kind(t: &GpuTask) -> u16 {
    if !t.wants_gpu() {
        0
    } else if t.is_share() {
        1
    } else {
        1 << t.gpus.min(15)
    }
}

/// Nodes sharing one state.
#[derive(Clone, Debug)]
struct Class {
    node: GpuNode,
    kinds: u16,
    /// (rank, node) of each member.
    members: BTreeSet<(u32, u32)>,
}

/// A GPU cluster under placement: node states, their classes, and running totals.
pub struct GpuCluster {
    nodes: Vec<GpuNode>,
    /// Per node, the number of running tasks of each kind (index = bit of [`task_kind`]).
    kind_counts: Vec<[u32; 16]>,
    class_of: Vec<u32>,
    rank: Vec<u32>,
    classes: Vec<Class>,
    class_ids: HashMap<(GpuNode, u16), u32>,
    /// Classes with members, in creation order.
    live: BTreeSet<u32>,
    /// Fragmentation of each node and their sum, under `mix`.
    mix: TaskMix,
    frag: Vec<f64>,
    frag_total: f64,
    gpu_capacity: u64,
    gpu_allocated: u64,
    scratch: Vec<(u32, f64, Devices)>,
}

impl GpuCluster {
    /// A cluster of idle `nodes`, measuring fragmentation under `mix`; `rank` orders the nodes for
    /// tie-breaks (a permutation of `0..nodes.len()`).
    pub fn new(nodes: Vec<GpuNode>, mix: TaskMix, rank: Vec<u32>) -> GpuCluster {
        let n = nodes.len();
        assert_eq!(rank.len(), n, "one rank per node");
        let mut c = GpuCluster {
            kind_counts: vec![[0; 16]; n],
            class_of: vec![0; n],
            rank,
            classes: Vec::new(),
            class_ids: HashMap::new(),
            live: BTreeSet::new(),
            frag: nodes.iter().map(|node| mix.frag(node)).collect(),
            frag_total: 0.0,
            gpu_capacity: nodes.iter().map(|node| node.gpu_left()).sum(),
            gpu_allocated: 0,
            mix,
            nodes,
            scratch: Vec::new(),
        };
        c.frag_total = c.frag.iter().sum();
        for i in 0..n as u32 {
            c.join_class(i);
        }
        c
    }

    pub fn nodes(&self) -> &[GpuNode] {
        &self.nodes
    }

    /// Total milli-GPU of the cluster.
    pub fn gpu_capacity(&self) -> u64 {
        self.gpu_capacity
    }

    /// Milli-GPU allocated now.
    pub fn gpu_allocated(&self) -> u64 {
        self.gpu_allocated
    }

    /// Expected fragmented milli-GPU of the whole cluster.
    pub fn frag_total(&self) -> f64 {
        self.frag_total
    }

    /// Number of node classes with members (what one decision costs, in policy calls).
    pub fn live_classes(&self) -> usize {
        self.live.len()
    }

    fn kinds(&self, n: u32) -> u16 {
        let counts = &self.kind_counts[n as usize];
        (0..16).filter(|&k| counts[k] > 0).fold(0, |m, k| m | (1 << k))
    }

    fn join_class(&mut self, n: u32) {
        let key = (self.nodes[n as usize], self.kinds(n));
        let next = self.classes.len() as u32;
        let id = *self.class_ids.entry(key).or_insert(next);
        if id == next {
            self.classes.push(Class { node: key.0, kinds: key.1, members: BTreeSet::new() });
        }
        self.classes[id as usize].members.insert((self.rank[n as usize], n));
        self.class_of[n as usize] = id;
        self.live.insert(id);
    }

    fn leave_class(&mut self, n: u32) {
        let id = self.class_of[n as usize];
        let class = &mut self.classes[id as usize];
        class.members.remove(&(self.rank[n as usize], n));
        if class.members.is_empty() {
            self.live.remove(&id);
        }
    }

    /// Where `policy` puts `task`: the node and devices, or `None` when no node fits it.
    /// `ties` breaks equal best scores.
    pub fn choose(&mut self, policy: &mut dyn GpuPolicy, task: &GpuTask, ties: &mut Rng) -> Option<(u32, Devices)> {
        let mut best = f64::NEG_INFINITY;
        self.scratch.clear();
        for &id in &self.live {
            let class = &self.classes[id as usize];
            if !class.node.fits(task) {
                continue;
            }
            let (score, devices) = policy.assess(NodeView { node: &class.node, kinds: class.kinds }, task);
            if score > best {
                best = score;
                self.scratch.clear();
            }
            if score == best {
                self.scratch.push((id, score, devices));
            }
        }
        if self.scratch.is_empty() {
            return None;
        }
        let members = |id: u32| &self.classes[id as usize].members;
        let tied = self.scratch.iter().map(|&(id, _, d)| (members(id), d));
        match policy.tie_break() {
            TieBreak::Rank => {
                tied.map(|(m, d)| (*m.first().unwrap(), d)).min_by_key(|&(rn, _)| rn).map(|((_, n), d)| (n, d))
            }
            TieBreak::NodeOrder => {
                tied.map(|(m, d)| (m.iter().map(|&(_, n)| n).min().unwrap(), d)).min_by_key(|&(n, _)| n)
            }
            TieBreak::Uniform => {
                let count: usize = self.scratch.iter().map(|&(id, _, _)| members(id).len()).sum();
                let mut k = ties.random_range(0..count);
                for (m, d) in tied {
                    if k < m.len() {
                        return m.iter().nth(k).map(|&(_, n)| (n, d));
                    }
                    k -= m.len();
                }
                unreachable!("a tied node is always drawn")
            }
        }
    }

    /// Puts `task` on node `n`'s `devices` (which must hold it).
    pub fn place(&mut self, n: u32, task: &GpuTask, devices: Devices) {
        self.leave_class(n);
        self.nodes[n as usize].take(task, devices);
        let kind = task_kind(task);
        if kind != 0 {
            self.kind_counts[n as usize][kind.trailing_zeros() as usize] += 1;
        }
        self.gpu_allocated += task.total_milli();
        self.refresh(n);
    }

    /// Takes `task` off node `n`'s `devices`.
    pub fn remove(&mut self, n: u32, task: &GpuTask, devices: Devices) {
        self.leave_class(n);
        self.nodes[n as usize].give_back(task, devices);
        let kind = task_kind(task);
        if kind != 0 {
            self.kind_counts[n as usize][kind.trailing_zeros() as usize] -= 1;
        }
        self.gpu_allocated -= task.total_milli();
        self.refresh(n);
    }

    fn refresh(&mut self, n: u32) {
        let f = self.mix.frag(&self.nodes[n as usize]);
        self.frag_total += f - self.frag[n as usize];
        self.frag[n as usize] = f;
        self.join_class(n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    struct Fullest;
    impl GpuPolicy for Fullest {
        fn assess(&mut self, view: NodeView<'_>, task: &GpuTask) -> (f64, Devices) {
            (-(view.node.gpu_left() as f64), view.node.tightest(task).unwrap())
        }
    }

    fn share() -> GpuTask {
        GpuTask { cpu_milli: 1000, mem_mib: 0, gpus: 1, milli: 500, models: 0 }
    }

    #[test]
    fn identical_nodes_share_a_class_and_ties_go_to_the_lowest_rank() {
        let nodes = vec![GpuNode::new(8000, 1024, 2, None); 4];
        let mut c = GpuCluster::new(nodes, TaskMix::default(), vec![2, 0, 3, 1]);
        assert_eq!(c.live_classes(), 1);
        let mut rng = Rng::seed_from_u64(7);
        let (n, d) = c.choose(&mut Fullest, &share(), &mut rng).unwrap();
        assert_eq!((n, d), (1, 0b01), "node 1 has rank 0");
        c.place(n, &share(), d);
        assert_eq!(c.live_classes(), 2);
        // The fuller node now wins outright, on its half-used device.
        assert_eq!(c.choose(&mut Fullest, &share(), &mut rng), Some((1, 0b01)));
        c.place(n, &share(), d);
        assert_eq!(c.gpu_allocated(), 1000);
        // Device 0 is full: the next share goes to device 1 of the same node, the fullest.
        assert_eq!(c.choose(&mut Fullest, &share(), &mut rng), Some((1, 0b10)));
        c.remove(n, &share(), d);
        c.remove(n, &share(), d);
        assert_eq!(c.live_classes(), 1);
        assert_eq!(c.gpu_allocated(), 0);
    }

    struct Anywhere(TieBreak);
    impl GpuPolicy for Anywhere {
        fn assess(&mut self, _: NodeView<'_>, task: &GpuTask) -> (f64, Devices) {
            (0.0, if task.wants_gpu() { 1 } else { 0 })
        }
        fn tie_break(&self) -> TieBreak {
            self.0
        }
    }

    #[test]
    fn node_order_takes_the_first_node_and_uniform_draws_every_node() {
        let nodes = vec![GpuNode::new(8000, 1024, 2, None); 4];
        let mut c = GpuCluster::new(nodes, TaskMix::default(), vec![3, 2, 1, 0]);
        let mut rng = Rng::seed_from_u64(7);
        assert_eq!(c.choose(&mut Anywhere(TieBreak::NodeOrder), &share(), &mut rng), Some((0, 1)));
        assert_eq!(c.choose(&mut Anywhere(TieBreak::Rank), &share(), &mut rng), Some((3, 1)));
        let mut hit = [0; 4];
        for _ in 0..200 {
            let (n, _) = c.choose(&mut Anywhere(TieBreak::Uniform), &share(), &mut rng).unwrap();
            hit[n as usize] += 1;
        }
        assert!(hit.iter().all(|&h| h > 20), "{hit:?}");
    }
}
