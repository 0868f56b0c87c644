//! `best_fit`: the node left with the least free cpu and GPU, each normalised by the largest node
//! (the authors' Best-fit: score = 1 − ½·(cpu left after / 128 cores) − ½·(GPU left after / 8 GPUs)).
//! Scores are truncated to integers 0–100 as the authors' plugin hands them over. A share goes to the
//! device with the least room that holds it.

use super::{GpuPolicy, GpuPolicyEnv, MAX_SPEC_CPU, MAX_SPEC_GPU, NodeView, best_devices, plugin_score};
use crate::model::gpu::{Devices, GpuNode, GpuTask};

pub struct BestFit;

pub fn build(_: &GpuPolicyEnv) -> Box<dyn GpuPolicy> {
    Box::new(BestFit)
}

/// Weighted free capacity left after placing `t` (0 = node full, 1 = a largest node empty).
pub fn leftover(node: &GpuNode, t: &GpuTask) -> f64 {
    let cpu = (node.cpu_left - t.cpu_milli) as f64 / MAX_SPEC_CPU;
    let gpu = (node.gpu_left() - t.total_milli()) as f64 / MAX_SPEC_GPU;
    0.5 * cpu + 0.5 * gpu
}

impl GpuPolicy for BestFit {
    fn assess(&mut self, view: NodeView<'_>, task: &GpuTask) -> (f64, Devices) {
        (plugin_score(1.0 - leftover(view.node, task)), best_devices(view.node, task))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{assess, env, node, task};
    use super::*;

    #[test]
    fn the_fullest_node_wins() {
        let mut p = build(&env());
        // 64 cores left of which 4 taken → 60/128·½; 1000 + 500 GPU left minus 500 → 1000/8000·½.
        let (s, d) = assess(p.as_mut(), &node(96, 64, &[1000, 500]), &task(4, 1, 500));
        // 1 − (0.234375 + 0.0625) = 0.703125 → 70 after the plugin's truncation to 0–100.
        assert_eq!(s, 70.0);
        assert_eq!(d, 0b10);
        let (emptier, _) = assess(p.as_mut(), &node(96, 96, &[1000, 1000]), &task(4, 1, 500));
        assert!(emptier < s);
    }
}
