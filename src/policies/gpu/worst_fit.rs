//! `worst_fit`: the node left with the most free cpu and GPU (the mirror of `best_fit`); a share goes
//! to the device with the most room (first such in device order).

use super::best_fit::leftover;
use super::{GpuPolicy, GpuPolicyEnv, NodeView, plugin_score};
use crate::model::gpu::{Devices, GpuNode, GpuTask};

pub struct WorstFit;

pub fn build(_: &GpuPolicyEnv) -> Box<dyn GpuPolicy> {
    Box::new(WorstFit)
}

/// For a share, the device with the most room; whole GPUs, the first fully free devices.
fn roomiest(node: &GpuNode, t: &GpuTask) -> Devices {
    if !t.is_share() {
        return super::best_devices(node, t);
    }
    let mut pick: Option<usize> = None;
    for (d, &l) in node.devices().iter().enumerate() {
        if l as u32 >= t.milli && pick.is_none_or(|p| l > node.left[p]) {
            pick = Some(d);
        }
    }
    pick.map_or(0, |d| 1 << d)
}

impl GpuPolicy for WorstFit {
    fn assess(&mut self, view: NodeView<'_>, task: &GpuTask) -> (f64, Devices) {
        (plugin_score(leftover(view.node, task)), roomiest(view.node, task))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{assess, env, node, task};
    use super::*;

    #[test]
    fn the_emptiest_node_and_the_roomiest_device_win() {
        let mut p = build(&env());
        let (full, _) = assess(p.as_mut(), &node(96, 64, &[1000, 500]), &task(4, 1, 500));
        let (empty, d) = assess(p.as_mut(), &node(96, 96, &[600, 1000]), &task(4, 1, 500));
        assert!(empty > full);
        assert_eq!(d, 0b10);
    }
}
