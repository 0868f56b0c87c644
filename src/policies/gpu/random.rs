//! `random`: a node drawn uniformly among those that fit (every node scores the same, and ties are
//! drawn uniformly), and for a share a device drawn uniformly among those with room.

use super::{GpuPolicy, GpuPolicyEnv, NodeView, TieBreak};
use crate::model::gpu::{Devices, GpuTask};
use crate::rng::Rng;
use rand::{RngExt, SeedableRng};

pub struct Random {
    rng: Rng,
}

pub fn build(env: &GpuPolicyEnv) -> Box<dyn GpuPolicy> {
    Box::new(Random { rng: Rng::seed_from_u64(crate::rng::derive_seed(env.seed, "gpu.random.devices")) })
}

impl GpuPolicy for Random {
    fn assess(&mut self, view: NodeView<'_>, task: &GpuTask) -> (f64, Devices) {
        let node = view.node;
        if !task.is_share() {
            return (0.0, super::best_devices(node, task));
        }
        let room = node.with_room(task.milli);
        let k = self.rng.random_range(0..room.count_ones());
        let mut rest = room;
        for _ in 0..k {
            rest &= rest - 1;
        }
        (0.0, rest & rest.wrapping_neg())
    }

    fn tie_break(&self) -> TieBreak {
        TieBreak::Uniform
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{assess, env, node, task};
    use super::*;

    #[test]
    fn a_share_lands_on_every_device_with_room_and_never_elsewhere() {
        let mut p = build(&env());
        let n = node(8, 8, &[1000, 100, 600, 1000]);
        let mut seen = 0u8;
        for _ in 0..200 {
            let (_, d) = assess(p.as_mut(), &n, &task(1, 1, 500));
            assert_eq!(d.count_ones(), 1);
            seen |= d;
        }
        assert_eq!(seen, 0b1101);
    }
}
