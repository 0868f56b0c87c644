//! `fgd`: Fragmentation Gradient Descent (Weng et al., USENIX ATC 2023): the placement that makes the
//! node's expected fragmentation under the workload's typical tasks grow the least.
//!
//! The change Δ = frag(node before) − frag(node after) is largest for the steepest descent. `fgd`
//! scores it as the authors' Kubernetes plugin does, ⌊100 · sigmoid(Δ / 1000)⌋, so near-equal
//! changes tie (and ties go to the run's node order); `fgd_exact` scores Δ itself. A share task tries
//! each device with room and keeps the best (first on ties); whole GPUs go to the first fully free
//! devices. Fragmentation depends only on a node's state, so values are memoised by state.

use super::{GpuPolicy, GpuPolicyEnv, NodeView, best_devices};
use crate::model::gpu::{Devices, GpuNode, GpuTask};
use crate::model::gpu_frag::TaskMix;
use std::collections::HashMap;
use std::sync::Arc;

/// Memoised states kept before the memo is cleared (bounds memory on long runs).
const MEMO_LIMIT: usize = 1 << 20;

pub struct Fgd {
    mix: Arc<TaskMix>,
    memo: HashMap<GpuNode, f64>,
    exact: bool,
}

/// `fgd`, scored as the authors' scheduler plugin scores it.
pub fn build(env: &GpuPolicyEnv) -> Box<dyn GpuPolicy> {
    Box::new(Fgd { mix: env.mix.clone(), memo: HashMap::new(), exact: false })
}

/// `fgd_exact`: the rule as the paper states it, the smallest fragmentation increase, unquantised.
pub fn build_exact(env: &GpuPolicyEnv) -> Box<dyn GpuPolicy> {
    Box::new(Fgd { mix: env.mix.clone(), memo: HashMap::new(), exact: true })
}

impl Fgd {
    fn frag(&mut self, node: &GpuNode) -> f64 {
        if let Some(&f) = self.memo.get(node) {
            return f;
        }
        if self.memo.len() >= MEMO_LIMIT {
            self.memo.clear();
        }
        let f = self.mix.frag(node);
        self.memo.insert(*node, f);
        f
    }
}

impl Fgd {
    /// The authors' node score for a fragmentation change `delta` (milli-GPU; positive = less
    /// fragmentation): `⌊100 · sigmoid(delta / 1000)⌋`, an integer from 0 to 100, so changes within
    /// a few tens of milli-GPU tie. `fgd_exact` ranks by `delta` itself.
    fn score(&self, delta: f64) -> f64 {
        if self.exact { delta } else { (100.0 / (1.0 + (-delta / 1000.0).exp())).trunc() }
    }
}

impl GpuPolicy for Fgd {
    fn assess(&mut self, view: NodeView<'_>, task: &GpuTask) -> (f64, Devices) {
        let node = view.node;
        let before = self.frag(node);
        if !task.is_share() {
            let devices = best_devices(node, task);
            let after = self.frag(&node.after(task, devices));
            return (self.score(before - after), devices);
        }
        let mut best: Option<(f64, Devices)> = None;
        for (d, &l) in node.devices().iter().enumerate() {
            if (l as u32) < task.milli {
                continue;
            }
            let devices = 1 << d;
            let after = self.frag(&node.after(task, devices));
            let score = self.score(before - after);
            if best.is_none_or(|(s, _)| score > s) {
                best = Some((score, devices));
            }
        }
        best.unwrap_or((f64::NEG_INFINITY, 0))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{assess, node, task};
    use super::*;

    /// Typical tasks: half need 600 milli of a GPU, half need 400, one core each.
    fn fgd() -> Fgd {
        let mix = TaskMix::new(vec![(task(1, 1, 600), 0.5), (task(1, 1, 400), 0.5)]);
        Fgd { mix: Arc::new(mix), memo: HashMap::new(), exact: true }
    }

    #[test]
    fn a_share_goes_to_the_device_where_fragmentation_grows_least() {
        // Devices free: 1000 and 600; both kinds fit and no device is too small: frag 0 before.
        //   on device 0 → 600, 600: both kinds fit, no fragment → score 0;
        //   on device 1 → 1000, 200: 200 is too small for both kinds → frag 200 → score −200.
        let n = node(8, 8, &[1000, 600]);
        assert_eq!(assess(&mut fgd(), &n, &task(1, 1, 400)), (0.0, 0b01));
        // Best fit would have packed it on device 1 (the tightest): FGD does not.
        assert_eq!(best_devices(&n, &task(1, 1, 400)), 0b10);
    }

    #[test]
    fn between_nodes_the_smaller_increase_scores_higher() {
        // Node a: one device with 1000 free; a 600 task leaves 400, which the 600 kind cannot use:
        // frag 0.5·400 = 200. Node b: 800 free; the task leaves 200, which neither kind can use:
        // frag 200. Both had frag 0 before, so both score −200.
        let a = node(8, 8, &[1000]);
        let b = node(8, 8, &[800]);
        let (sa, _) = assess(&mut fgd(), &a, &task(1, 1, 600));
        let (sb, _) = assess(&mut fgd(), &b, &task(1, 1, 600));
        assert_eq!(sa, -0.5 * 400.0);
        assert_eq!(sb, -200.0);
        // Equal here; with a 400 task instead, a leaves 600 (fits both: 0) and b leaves 400
        // (the 600 kind cannot use it: 0.5·400 = 200), so a wins.
        let (sa, _) = assess(&mut fgd(), &a, &task(1, 1, 400));
        let (sb, _) = assess(&mut fgd(), &b, &task(1, 1, 400));
        assert_eq!((sa, sb), (0.0, -200.0));
    }

    #[test]
    fn the_authors_score_is_an_integer_sigmoid_of_the_change() {
        let mut f = fgd();
        f.exact = false;
        // Δ = 0 → 50; Δ = −200 → ⌊100 / (1 + e^0.2)⌋ = ⌊45.02⌋ = 45; Δ = −20 → ⌊49.5⌋ = 49.
        assert_eq!(f.score(0.0), 50.0);
        assert_eq!(f.score(-200.0), 45.0);
        assert_eq!(f.score(-20.0), 49.0);
        assert_eq!(assess(&mut f, &node(8, 8, &[1000, 600]), &task(1, 1, 400)), (50.0, 0b01));
    }
}
