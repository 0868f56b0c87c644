//! Nodes and the cluster: capacities, free capacity, pools, racks and labels.

use super::job::Job;
use super::resources::Resources;

/// Index of a node in the cluster (dense, 0-based).
pub type NodeIdx = u32;

/// One compute node.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub id: NodeIdx,
    pub pool: u16,
    pub rack: u16,
    pub capacity: Resources,
    pub free: Resources,
    /// Tasks currently running here ("connections").
    pub running_tasks: u32,
    pub up: bool,
}

/// A pool: a named group of identical nodes with labels.
#[derive(Clone, Debug, PartialEq)]
pub struct Pool {
    pub name: String,
    pub labels: Vec<String>,
    pub capacity: Resources,
    /// Number of nodes in the pool.
    pub count: u32,
}

impl Pool {
    /// True when the pool's name or one of its labels is `label`.
    pub fn has_label(&self, label: &str) -> bool {
        self.name == label || self.labels.iter().any(|l| l == label)
    }
}

/// The simulated cluster.
#[derive(Clone, Debug, Default)]
pub struct Cluster {
    pub nodes: Vec<Node>,
    pub pools: Vec<Pool>,
    pub racks: Vec<String>,
    /// Sum of the capacity of up nodes.
    pub up_capacity: Resources,
    /// Sum of the free capacity of up nodes.
    pub free_total: Resources,
    /// Sum of all capacity, up or down.
    pub total_capacity: Resources,
    /// Number of nodes down.
    pub nodes_down: u32,
    /// Bumped whenever free capacity grows anywhere (a release, a node coming up). Between two
    /// equal values free capacity only shrank, so a placement that failed still fails.
    pub growth_epoch: u64,
}

impl Cluster {
    /// Adds `count` identical nodes of `pool`, spread round-robin over `racks` rack names.
    pub fn add_pool(&mut self, mut pool: Pool, count: u32, racks: &[String]) {
        pool.count = count;
        let pool_idx = self.pools.len() as u16;
        let rack_ids: Vec<u16> = racks.iter().map(|r| self.rack_id(r)).collect();
        for i in 0..count {
            let id = self.nodes.len() as NodeIdx;
            let rack = if rack_ids.is_empty() { 0 } else { rack_ids[i as usize % rack_ids.len()] };
            self.nodes.push(Node {
                id,
                pool: pool_idx,
                rack,
                capacity: pool.capacity,
                free: pool.capacity,
                running_tasks: 0,
                up: true,
            });
            self.up_capacity += pool.capacity;
            self.free_total += pool.capacity;
            self.total_capacity += pool.capacity;
        }
        if self.racks.is_empty() {
            self.racks.push("r0".into());
        }
        self.pools.push(pool);
    }

    fn rack_id(&mut self, name: &str) -> u16 {
        if let Some(i) = self.racks.iter().position(|r| r == name) {
            return i as u16;
        }
        self.racks.push(name.to_string());
        (self.racks.len() - 1) as u16
    }

    /// A cluster of `count` identical nodes in one pool named `name`.
    pub fn uniform(name: &str, count: u32, capacity: Resources) -> Cluster {
        let mut c = Cluster::default();
        c.add_pool(Pool { name: name.into(), labels: vec![], capacity, count }, count, &[]);
        c
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// True when `node` meets every requirement of `job` (labels or pool names).
    #[inline]
    pub fn eligible(&self, node: &Node, job: &Job) -> bool {
        job.requires().is_empty() || {
            let pool = &self.pools[node.pool as usize];
            job.requires().iter().all(|r| pool.has_label(r))
        }
    }

    /// Number of `job`'s preferences that `node` meets (a tie-break for selection).
    pub fn preference_score(&self, node: &Node, job: &Job) -> usize {
        if job.prefers().is_empty() {
            return 0;
        }
        let pool = &self.pools[node.pool as usize];
        let rack = &self.racks[node.rack as usize];
        job.prefers().iter().filter(|p| pool.has_label(p) || *rack == **p).count()
    }

    /// Why `job` can never run on this cluster, even empty and with every node up; `None` if it can.
    pub fn never_fits(&self, job: &Job) -> Option<String> {
        let mut slots: u64 = 0;
        let mut any_eligible = false;
        for pool in &self.pools {
            if !job.requires().iter().all(|r| pool.has_label(r)) {
                continue;
            }
            any_eligible = true;
            if !job.request.fits_in(&pool.capacity) {
                continue;
            }
            let nodes = pool.count as u64;
            let per_node = if job.anti_affinity { 1 } else { tasks_per_node(&job.request, &pool.capacity) };
            slots = slots.saturating_add(per_node.saturating_mul(nodes));
        }
        if !any_eligible {
            return Some(format!("no pool carries the required labels {:?}", job.requires()));
        }
        if slots == 0 {
            return Some(format!(
                "a task asks for {} cpu, {} MiB, {} gpu, more than any eligible node has",
                job.request.cpu, job.request.mem, job.request.gpu
            ));
        }
        if slots < job.tasks as u64 {
            return Some(format!("{} tasks but the cluster can hold at most {slots} at once", job.tasks));
        }
        None
    }

    /// Takes `amount` from node `n`'s free capacity for one task.
    #[inline]
    pub fn allocate(&mut self, n: NodeIdx, amount: Resources) {
        let node = &mut self.nodes[n as usize];
        debug_assert!(node.up && amount.fits_in(&node.free), "over-allocation on node {n}");
        node.free -= amount;
        node.running_tasks += 1;
        // In step with `release`: the free total counts up nodes only. A tentative eviction lifts a
        // dead job off a down node and puts it back; debiting the total then leaked its capacity.
        if node.up {
            self.free_total -= amount;
        }
    }

    /// Returns `amount` of one task to node `n`.
    #[inline]
    pub fn release(&mut self, n: NodeIdx, amount: Resources) {
        let node = &mut self.nodes[n as usize];
        node.free += amount;
        debug_assert!(node.free.fits_in(&node.capacity));
        node.running_tasks -= 1;
        if node.up {
            self.free_total += amount;
        }
        self.growth_epoch += 1;
    }

    /// Marks node `n` up or down in the scheduler's view, keeping the up and free totals in step.
    pub fn set_up(&mut self, n: NodeIdx, up: bool) {
        let node = &mut self.nodes[n as usize];
        if node.up == up {
            return;
        }
        node.up = up;
        if up {
            self.up_capacity += node.capacity;
            self.free_total += node.free;
            self.nodes_down -= 1;
            self.growth_epoch += 1;
        } else {
            self.up_capacity -= node.capacity;
            self.free_total -= node.free;
            self.nodes_down += 1;
        }
    }

    /// Capacity currently allocated on up nodes.
    pub fn allocated(&self) -> Resources {
        self.up_capacity - self.free_total
    }

    /// Number of up nodes.
    pub fn nodes_up(&self) -> usize {
        self.nodes.len() - self.nodes_down as usize
    }
}

/// How many tasks of `request` fit on an empty node of `capacity`.
pub fn tasks_per_node(request: &Resources, capacity: &Resources) -> u64 {
    let per = |req: u64, cap: u64| cap.checked_div(req).unwrap_or(u64::MAX);
    per(request.cpu, capacity.cpu).min(per(request.mem, capacity.mem)).min(per(request.gpu, capacity.gpu))
}
