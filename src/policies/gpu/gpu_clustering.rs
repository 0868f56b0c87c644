//! `gpu_clustering`: GPU tasks of one kind (a share, or k whole GPUs) go together: a node holding only
//! that kind scores in (75, 100], one holding it among others (50, 75], an idle node (25, 50], a node
//! holding only other kinds [0, 25]; within a band, fuller nodes score higher (the authors' integer
//! scores). Tasks without GPU score 0 everywhere; devices are chosen as by `best_fit`.

use super::{GpuPolicy, GpuPolicyEnv, MAX_SPEC_GPU, NodeView, best_devices, task_kind};
use crate::model::gpu::{Devices, GpuTask};

pub struct GpuClustering;

pub fn build(_: &GpuPolicyEnv) -> Box<dyn GpuPolicy> {
    Box::new(GpuClustering)
}

/// The authors' integer score of a task of kind `kind` on a node with `kinds` present and `gpu_left` free.
pub fn clustering_score(kind: u16, kinds: u16, gpu_left: u64) -> i64 {
    if kind == 0 {
        return 0;
    }
    let spec = MAX_SPEC_GPU as i64;
    let fill = 25 * (spec - gpu_left as i64) / spec;
    let band = if kinds & kind != 0 {
        if kinds == kind { 75 } else { 50 }
    } else if kinds == 0 {
        25
    } else {
        0
    };
    fill + band
}

impl GpuPolicy for GpuClustering {
    fn assess(&mut self, view: NodeView<'_>, task: &GpuTask) -> (f64, Devices) {
        let score = clustering_score(task_kind(task), view.kinds, view.node.gpu_left());
        (score as f64, best_devices(view.node, task))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_kind_then_mixed_then_idle_then_other_kinds() {
        let share = 1;
        let two = 1 << 2;
        // 4000 of 8000 milli free: fill = 25·4000/8000 = 12.
        assert_eq!(clustering_score(share, share, 4000), 87);
        assert_eq!(clustering_score(share, share | two, 4000), 62);
        assert_eq!(clustering_score(share, 0, 4000), 37);
        assert_eq!(clustering_score(share, two, 4000), 12);
        assert_eq!(clustering_score(0, share, 4000), 0);
    }
}
