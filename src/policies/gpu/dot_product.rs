//! `dot_product`: the node whose free (cpu, GPU) vector has the smallest dot product with the task's
//! request, both normalised by the largest node (the authors' Dot-product with merged GPU dimension
//! and max normalisation: score = 1 − ½·(free·request), truncated to an integer 0–100); a share packs
//! onto the tightest device.

use super::{GpuPolicy, GpuPolicyEnv, MAX_SPEC_CPU, MAX_SPEC_GPU, NodeView, best_devices, plugin_score};
use crate::model::gpu::{Devices, GpuTask};

pub struct DotProduct;

pub fn build(_: &GpuPolicyEnv) -> Box<dyn GpuPolicy> {
    Box::new(DotProduct)
}

impl GpuPolicy for DotProduct {
    fn assess(&mut self, view: NodeView<'_>, task: &GpuTask) -> (f64, Devices) {
        let node = view.node;
        let cpu = (node.cpu_left as f64 / MAX_SPEC_CPU) * (task.cpu_milli as f64 / MAX_SPEC_CPU);
        let gpu = (node.gpu_left() as f64 / MAX_SPEC_GPU) * (task.total_milli() as f64 / MAX_SPEC_GPU);
        (plugin_score(1.0 - (cpu + gpu) / 2.0), best_devices(node, task))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{assess, env, node, task};
    use super::*;

    #[test]
    fn the_node_least_aligned_with_the_request_wins() {
        let mut p = build(&env());
        let t = task(32, 1, 1000);
        // cpu-rich, GPU-poor: (128/128)(32/128) + (1000/8000)(1000/8000) = 0.25 + 0.015625.
        let (a, _) = assess(p.as_mut(), &node(128, 128, &[1000]), &t);
        assert_eq!(a, 86.0, "1 − 0.1328125, truncated to 0–100");
        // GPU-rich, cpu-poor: (32/128)(32/128) + (8000/8000)(1000/8000) = 0.0625 + 0.125.
        let (b, _) = assess(p.as_mut(), &node(32, 32, &[1000; 8]), &t);
        assert_eq!(b, 90.0, "1 − 0.09375, truncated to 0–100");
        assert!(b > a);
    }
}
