//! GPU placement for GPU-sharing clusters: which node (and which of its devices) a task goes to.
//! One file per algorithm beside the narrow [`GpuPolicy`] trait; `BY_NAME` maps names to constructors.
//!
//! A policy sees one node at a time, read-only, and answers with a score (higher is better) and the
//! devices it would use; the engine's GPU cluster (`crate::engine::gpu`) asks only about nodes the
//! task fits on, takes the best score, and breaks exact ties by a random node order fixed per run.

mod best_fit;
mod dot_product;
mod fgd;
mod first_fit;
mod gpu_clustering;
mod gpu_packing;
mod random;
mod worst_fit;

use crate::error::ScenarioError;
use crate::model::gpu::{Devices, GpuNode, GpuTask, MILLI};
use crate::model::gpu_frag::TaskMix;
use std::sync::Arc;

pub use crate::engine::gpu::{GpuPolicy, NodeView, TieBreak, task_kind};

/// What a policy may be built from: the workload's typical tasks and a seed for its own randomness.
pub struct GpuPolicyEnv {
    pub mix: Arc<TaskMix>,
    pub seed: u64,
}

type Constructor = fn(&GpuPolicyEnv) -> Box<dyn GpuPolicy>;

/// The GPU placement policies by name.
pub const BY_NAME: &[(&str, Constructor)] = &[
    ("fgd", fgd::build),
    ("fgd_exact", fgd::build_exact),
    ("best_fit", best_fit::build),
    ("worst_fit", worst_fit::build),
    ("first_fit", first_fit::build),
    ("random", random::build),
    ("dot_product", dot_product::build),
    ("gpu_packing", gpu_packing::build),
    ("gpu_clustering", gpu_clustering::build),
];

/// The policy called `name`, or an error naming `key` and listing the valid names.
pub fn resolve(key: &str, name: &str, env: &GpuPolicyEnv) -> Result<Box<dyn GpuPolicy>, ScenarioError> {
    match BY_NAME.iter().find(|(n, _)| *n == name) {
        Some((_, build)) => Ok(build(env)),
        None => Err(ScenarioError::UnknownPolicy {
            key: key.to_string(),
            axis: "GPU placement",
            name: name.to_string(),
            valid: BY_NAME.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", "),
        }),
    }
}

/// Where the scores of the authors' simulator normalise cpu and GPU: the largest node of the trace
/// (128 cores, 8 GPUs), as in their `MaxSpecCpu` and `MaxSpecGpu`.
pub const MAX_SPEC_CPU: f64 = 128_000.0;
pub const MAX_SPEC_GPU: f64 = 8.0 * MILLI as f64;

/// A score in [0, 1] as the authors' scheduler plugins hand it over: scaled to 0–100 and truncated
/// to an integer, so nodes within one hundredth tie.
#[inline]
pub fn plugin_score(x: f64) -> f64 {
    (x * 100.0).trunc()
}

/// The devices the default device choice ("best" in the authors' simulator) hands out: for a share,
/// the device with the least room that still holds it (first such in device order); for whole GPUs,
/// the first fully free devices.
pub fn best_devices(node: &GpuNode, t: &GpuTask) -> Devices {
    if !t.wants_gpu() {
        return 0;
    }
    if t.is_share() {
        let mut pick: Option<usize> = None;
        for (d, &l) in node.devices().iter().enumerate() {
            if l as u32 >= t.milli && pick.is_none_or(|p| l < node.left[p]) {
                pick = Some(d);
            }
        }
        return pick.map_or(0, |d| 1 << d);
    }
    node.first_free(t).unwrap_or(0)
}

#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// A task of `cpu` cores asking `gpus` devices of `milli` each.
    pub fn task(cpu: u64, gpus: u32, milli: u32) -> GpuTask {
        GpuTask { cpu_milli: cpu * 1000, mem_mib: 0, gpus, milli, models: 0 }
    }

    /// A node of `cpu` cores whose devices have `left` milli free (and `cpu_left` cores left).
    pub fn node(cpu: u64, cpu_left: u64, left: &[u16]) -> GpuNode {
        let mut n = GpuNode::new(cpu * 1000, 1 << 20, left.len() as u8, Some(0));
        n.cpu_left = cpu_left * 1000;
        n.left[..left.len()].copy_from_slice(left);
        n
    }

    pub fn env() -> GpuPolicyEnv {
        GpuPolicyEnv { mix: Arc::new(TaskMix::default()), seed: 1 }
    }

    pub fn assess(p: &mut dyn GpuPolicy, n: &GpuNode, t: &GpuTask) -> (f64, Devices) {
        assert!(n.fits(t));
        p.assess(NodeView { node: n, kinds: 0 }, t)
    }

    #[test]
    fn unknown_names_are_refused_with_the_valid_ones() {
        let err = resolve("gpu_sharing.policies", "fgdd", &env()).err().unwrap().to_string();
        assert!(err.contains("unknown GPU placement policy `fgdd`"), "{err}");
        assert!(err.contains("fgd, fgd_exact, best_fit"), "{err}");
        assert!(err.contains("did you mean `fgd`?"), "{err}");
    }

    #[test]
    fn the_default_device_choice_packs_shares_and_takes_whole_gpus_in_order() {
        let n = node(8, 8, &[1000, 400, 600, 1000]);
        assert_eq!(best_devices(&n, &task(1, 1, 300)), 0b0010);
        assert_eq!(best_devices(&n, &task(1, 1, 500)), 0b0100);
        assert_eq!(best_devices(&n, &task(1, 2, 1000)), 0b1001);
        assert_eq!(best_devices(&n, &task(1, 0, 0)), 0);
    }
}
