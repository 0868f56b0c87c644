//! `gpu_packing`: GPU tasks go first to partly used devices, then to partly used nodes, and only then
//! to idle nodes (the authors' GPU Packing scores, kept as integers so their ties stay ties):
//! a share on a partly used device scores 100 − (free tenths of the devices used), at least 50;
//! a task that needs fully free devices on a partly used node scores 50 − those devices, at least 33;
//! an idle node scores max(33 − its devices, its devices). Tasks without GPU score 0 everywhere.

use super::{GpuPolicy, GpuPolicyEnv, NodeView, best_devices};
use crate::model::gpu::{Devices, GpuNode, GpuTask, MILLI};

pub struct GpuPacking;

pub fn build(_: &GpuPolicyEnv) -> Box<dyn GpuPolicy> {
    Box::new(GpuPacking)
}

/// The authors' integer score of `t` on `node` (which it fits).
pub fn packing_score(node: &GpuNode, t: &GpuTask) -> i64 {
    if !t.wants_gpu() {
        return 0;
    }
    let free = node.fully_free() as i64;
    if free == node.gpus as i64 {
        return (100 / 3 - free).max(free);
    }
    let mut order: Vec<usize> = (0..node.gpus as usize).collect();
    order.sort_by_key(|&d| node.left[d]);
    let used: Vec<usize> =
        order.into_iter().filter(|&d| node.left[d] as u32 >= t.milli).take(t.gpus as usize).collect();
    let fresh = used.iter().filter(|&&d| node.left[d] as u32 == MILLI).count() as i64;
    if fresh > 0 {
        return (100 / 2 - fresh).max(100 / 3);
    }
    let free_pct: i64 = used.iter().map(|&d| node.left[d] as i64 * 100 / MILLI as i64).sum();
    (100 - free_pct / 10).max(100 / 2)
}

impl GpuPolicy for GpuPacking {
    fn assess(&mut self, view: NodeView<'_>, task: &GpuTask) -> (f64, Devices) {
        (packing_score(view.node, task) as f64, best_devices(view.node, task))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{node, task};
    use super::*;

    #[test]
    fn partly_used_devices_then_partly_used_nodes_then_idle_nodes() {
        let share = task(1, 1, 300);
        // A device with 400 free (40 %): 100 − 40/10 = 96.
        assert_eq!(packing_score(&node(8, 8, &[400, 1000]), &share), 96);
        // Partly used node, but the share needs a fresh device (200 < 300): 50 − 1.
        assert_eq!(packing_score(&node(8, 8, &[200, 1000]), &share), 49);
        // Idle 8-GPU node: max(33 − 8, 8) = 25; idle 2-GPU node: 31.
        assert_eq!(packing_score(&node(8, 8, &[1000; 8]), &share), 25);
        assert_eq!(packing_score(&node(8, 8, &[1000; 2]), &share), 31);
        assert_eq!(packing_score(&node(8, 8, &[1000; 2]), &task(1, 0, 0)), 0);
    }
}
