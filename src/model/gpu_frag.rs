//! GPU fragmentation as Weng et al. (USENIX ATC 2023) measure it: the free GPU capacity of a node that
//! the workload's typical tasks could not use, weighted by how often each kind of task arrives.
//!
//! For each typical task `m` (popularity `p_m`) a node's free milli-GPU `F` counts as fragment when
//! `m` cannot run there (too little cpu, no device with room, a model it may not use, or `m` asks no
//! GPU at all); when `m` can run, only the devices with less room than `m` needs count. The node's
//! fragmentation is `Σ_m p_m · fragment_m`, and the cluster's is the sum over nodes.

use super::gpu::{GpuNode, GpuTask};
use std::collections::BTreeMap;

/// The typical tasks of a workload with their popularity (summing to 1).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TaskMix {
    tasks: Vec<(GpuTask, f64)>,
}

impl TaskMix {
    /// A mix from explicit (task, popularity) pairs.
    pub fn new(tasks: Vec<(GpuTask, f64)>) -> TaskMix {
        TaskMix { tasks }
    }

    /// The most frequent task shapes (cpu, GPU count and share, models; memory is not part of a
    /// shape) that together make up at least `threshold` of the tasks, renormalised: the authors'
    /// "typical pods" with their defaults (CPU-only tasks included, shapes added one at a time).
    /// Shapes of equal count are taken in shape order, so the cut is deterministic.
    pub fn typical(tasks: impl IntoIterator<Item = GpuTask>, threshold: f64) -> TaskMix {
        let mut counts: BTreeMap<GpuTask, u64> = BTreeMap::new();
        let mut total = 0u64;
        for t in tasks {
            *counts.entry(GpuTask { mem_mib: 0, ..t }).or_default() += 1;
            total += 1;
        }
        let mut shapes: Vec<(GpuTask, u64)> = counts.into_iter().collect();
        shapes.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let want = threshold * total as f64;
        let mut kept = 0u64;
        let mut out = Vec::new();
        for (t, c) in shapes {
            if kept as f64 >= want && !out.is_empty() {
                break;
            }
            kept += c;
            out.push((t, c));
        }
        TaskMix { tasks: out.into_iter().map(|(t, c)| (t, c as f64 / kept as f64)).collect() }
    }

    pub fn tasks(&self) -> &[(GpuTask, f64)] {
        &self.tasks
    }

    /// Expected fragmented milli-GPU of `node` under this mix.
    pub fn frag(&self, node: &GpuNode) -> f64 {
        let free = node.gpu_left();
        if free == 0 {
            return 0.0;
        }
        let free = free as f64;
        let mut sum = 0.0;
        for (t, p) in &self.tasks {
            sum += p * fragment(node, t, free);
        }
        sum
    }
}

/// The free milli-GPU of `node` that task shape `t` cannot use.
#[inline]
fn fragment(node: &GpuNode, t: &GpuTask, free: f64) -> f64 {
    if !t.wants_gpu() || !node.accessible(t) || node.cpu_left < t.cpu_milli || !node.gpu_fits(t) {
        return free;
    }
    node.devices().iter().filter(|&&l| (l as u32) < t.milli).map(|&l| l as f64).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::gpu::MILLI;

    fn gpu(cpu: u64, gpus: u32, milli: u32) -> GpuTask {
        GpuTask { cpu_milli: cpu, mem_mib: 0, gpus, milli, models: 0 }
    }

    #[test]
    fn fragment_follows_the_papers_four_cases() {
        // A node with 2 cpus and devices at 300 and 1000 milli free.
        let mut node = GpuNode::new(4000, 0, 2, None);
        node.take(&gpu(2000, 1, 700), 0b01);
        // Mix: half share tasks of 500 milli, half whole-GPU tasks needing 4 cpus.
        let mix = TaskMix::new(vec![(gpu(1000, 1, 500), 0.5), (gpu(4000, 1, MILLI), 0.5)]);
        // Share task fits: only device 0 (300 < 500) is fragment. Whole task lacks cpu: all 1300.
        assert_eq!(mix.frag(&node), 0.5 * 300.0 + 0.5 * 1300.0);
        // A CPU-only task counts every free GPU as fragment.
        assert_eq!(TaskMix::new(vec![(gpu(1000, 0, 0), 1.0)]).frag(&node), 1300.0);
        // No free GPU, no fragment.
        assert_eq!(mix.frag(&GpuNode::new(4000, 0, 0, None)), 0.0);
    }

    #[test]
    fn typical_tasks_cover_the_threshold_and_renormalise() {
        let tasks = [gpu(1000, 1, 500); 6].into_iter().chain([gpu(2000, 1, MILLI); 3]).chain([gpu(1, 0, 0)]);
        let mix = TaskMix::typical(tasks, 0.85);
        assert_eq!(mix.tasks().len(), 2);
        assert_eq!(mix.tasks()[0], (gpu(1000, 1, 500), 6.0 / 9.0));
        assert_eq!(mix.tasks()[1], (gpu(2000, 1, MILLI), 3.0 / 9.0));
    }
}
