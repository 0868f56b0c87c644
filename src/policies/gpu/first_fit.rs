//! `first_fit`: the first node in cluster order that fits (every node scores the same, and equal
//! scores go to the first node in cluster order); a share packs onto the tightest device.

use super::{GpuPolicy, GpuPolicyEnv, NodeView, TieBreak, best_devices};
use crate::model::gpu::{Devices, GpuTask};

pub struct FirstFit;

pub fn build(_: &GpuPolicyEnv) -> Box<dyn GpuPolicy> {
    Box::new(FirstFit)
}

impl GpuPolicy for FirstFit {
    fn assess(&mut self, view: NodeView<'_>, task: &GpuTask) -> (f64, Devices) {
        (0.0, best_devices(view.node, task))
    }

    fn tie_break(&self) -> TieBreak {
        TieBreak::NodeOrder
    }
}
