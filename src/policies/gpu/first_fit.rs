//! `first_fit`: the first node in cluster order that fits (every node scores the same; the caller
//! takes the first of equal scores in node order for this policy); a share packs onto the tightest device.

use super::{GpuPolicy, GpuPolicyEnv, NodeView, best_devices};
use crate::model::gpu::{Devices, GpuTask};

pub struct FirstFit;

pub fn build(_: &GpuPolicyEnv) -> Box<dyn GpuPolicy> {
    Box::new(FirstFit)
}

impl GpuPolicy for FirstFit {
    fn assess(&mut self, view: NodeView<'_>, task: &GpuTask) -> (f64, Devices) {
        (0.0, best_devices(view.node, task))
    }

    fn in_order(&self) -> bool {
        true
    }
}
