//! GPU devices within nodes: a task asks for whole GPUs or a milli-GPU share of one device, placements
//! pick devices, and GPU models restrict where a task may go.
//!
//! Units follow Kubernetes: cpu in milli-cores, memory in MiB, a GPU device holds [`MILLI`] milli-GPU.
//! A node has at most [`MAX_DEVICES`] devices, all of one model.

/// Capacity of one GPU device in milli-GPU.
pub const MILLI: u32 = 1000;
/// Most devices one node may carry.
pub const MAX_DEVICES: usize = 8;

/// A set of GPU models, as bits over a [`ModelTable`]; `0` means "any model".
pub type ModelSet = u64;

/// The GPU model names of one study, each given a bit of a [`ModelSet`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ModelTable {
    names: Vec<String>,
}

impl ModelTable {
    /// Most models one table can hold.
    pub const MAX: usize = 64;

    /// The id of `name`, adding it when new; `None` once the table is full.
    pub fn intern(&mut self, name: &str) -> Option<u16> {
        if let Some(i) = self.names.iter().position(|n| n == name) {
            return Some(i as u16);
        }
        if self.names.len() == Self::MAX {
            return None;
        }
        self.names.push(name.to_string());
        Some((self.names.len() - 1) as u16)
    }

    /// The id of `name`, when known.
    pub fn id(&self, name: &str) -> Option<u16> {
        self.names.iter().position(|n| n == name).map(|i| i as u16)
    }

    pub fn name(&self, id: u16) -> &str {
        &self.names[id as usize]
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }
}

/// What one task asks of a node: cpu, memory, and `gpus` devices holding `milli` each.
///
/// A GPU-sharing task has `gpus == 1` and `milli < 1000`; a whole-GPU task has `milli == 1000`; a
/// CPU-only task has `gpus == 0` and `milli == 0`. `models` restricts the GPU models it may use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GpuTask {
    pub cpu_milli: u64,
    pub mem_mib: u64,
    pub gpus: u32,
    pub milli: u32,
    pub models: ModelSet,
}

impl GpuTask {
    /// Milli-GPU asked in all (`gpus × milli`).
    #[inline]
    pub fn total_milli(&self) -> u64 {
        self.gpus as u64 * self.milli as u64
    }

    /// True for a task sharing one device (less than a whole GPU).
    #[inline]
    pub fn is_share(&self) -> bool {
        self.gpus == 1 && self.milli < MILLI
    }

    /// True when the task asks for any GPU.
    #[inline]
    pub fn wants_gpu(&self) -> bool {
        self.gpus > 0 && self.milli > 0
    }
}

/// The devices a placement uses on its node, as a bit per device.
pub type Devices = u8;

/// One node of a GPU cluster: capacities, what is left, and each device's free milli-GPU.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GpuNode {
    pub cpu_milli: u64,
    pub mem_mib: u64,
    pub cpu_left: u64,
    pub mem_left: u64,
    /// Number of devices (at most [`MAX_DEVICES`]).
    pub gpus: u8,
    /// Free milli-GPU of each device; entries past `gpus` are 0.
    pub left: [u16; MAX_DEVICES],
    /// The devices' model, `None` for a node without GPUs or of unknown model.
    pub model: Option<u16>,
}

impl GpuNode {
    /// An idle node.
    pub fn new(cpu_milli: u64, mem_mib: u64, gpus: u8, model: Option<u16>) -> GpuNode {
        let gpus = gpus.min(MAX_DEVICES as u8);
        let mut left = [0u16; MAX_DEVICES];
        left[..gpus as usize].fill(MILLI as u16);
        GpuNode { cpu_milli, mem_mib, cpu_left: cpu_milli, mem_left: mem_mib, gpus, left, model }
    }

    /// Free milli-GPU of the node's devices, in device order.
    #[inline]
    pub fn devices(&self) -> &[u16] {
        &self.left[..self.gpus as usize]
    }

    /// Total free milli-GPU.
    #[inline]
    pub fn gpu_left(&self) -> u64 {
        self.devices().iter().map(|&l| l as u64).sum()
    }

    /// Devices with nothing allocated.
    #[inline]
    pub fn fully_free(&self) -> u32 {
        self.devices().iter().filter(|&&l| l as u32 == MILLI).count() as u32
    }

    /// True when the task's model constraint allows this node (a task asking no GPU goes anywhere).
    #[inline]
    pub fn accessible(&self, t: &GpuTask) -> bool {
        if t.models == 0 || !t.wants_gpu() {
            return true;
        }
        matches!(self.model, Some(m) if t.models & (1u64 << m) != 0)
    }

    /// True when enough devices have `t.milli` free each (the GPU side of a fit).
    #[inline]
    pub fn gpu_fits(&self, t: &GpuTask) -> bool {
        if !t.wants_gpu() {
            return true;
        }
        let milli = t.milli as u16;
        self.devices().iter().filter(|&&l| l >= milli).count() as u32 >= t.gpus
    }

    /// True when the task fits now: cpu, memory, model and devices.
    #[inline]
    pub fn fits(&self, t: &GpuTask) -> bool {
        self.cpu_left >= t.cpu_milli && self.mem_left >= t.mem_mib && self.accessible(t) && self.gpu_fits(t)
    }

    /// The devices with at least `milli` free, as a bit set.
    pub fn with_room(&self, milli: u32) -> Devices {
        let mut set = 0;
        for (d, &l) in self.devices().iter().enumerate() {
            if l as u32 >= milli {
                set |= 1 << d;
            }
        }
        set
    }

    /// The first `t.gpus` fully free devices in device order (how whole GPUs are handed out).
    pub fn first_free(&self, t: &GpuTask) -> Option<Devices> {
        first_n(self.with_room(MILLI), t.gpus)
    }

    /// The devices a task packs onto: the `t.gpus` devices with the least room that still hold
    /// `t.milli`, ties in device order. For whole GPUs these are the first fully free devices.
    pub fn tightest(&self, t: &GpuTask) -> Option<Devices> {
        let mut order: Vec<usize> = (0..self.gpus as usize).filter(|&d| self.left[d] as u32 >= t.milli).collect();
        if (order.len() as u32) < t.gpus {
            return None;
        }
        order.sort_by_key(|&d| (self.left[d], d));
        Some(order[..t.gpus as usize].iter().fold(0, |s, &d| s | (1 << d)))
    }

    /// Takes task `t` on `devices` (which must hold it).
    pub fn take(&mut self, t: &GpuTask, devices: Devices) {
        debug_assert!(self.cpu_left >= t.cpu_milli && self.mem_left >= t.mem_mib);
        self.cpu_left -= t.cpu_milli;
        self.mem_left -= t.mem_mib;
        if t.wants_gpu() {
            debug_assert_eq!(devices.count_ones(), t.gpus);
            for d in 0..self.gpus as usize {
                if devices & (1 << d) != 0 {
                    debug_assert!(self.left[d] as u32 >= t.milli);
                    self.left[d] -= t.milli as u16;
                }
            }
        }
    }

    /// The node as it would be after taking `t` on `devices`.
    pub fn after(&self, t: &GpuTask, devices: Devices) -> GpuNode {
        let mut n = *self;
        n.take(t, devices);
        n
    }

    /// Gives back what task `t` took on `devices`.
    pub fn give_back(&mut self, t: &GpuTask, devices: Devices) {
        self.cpu_left += t.cpu_milli;
        self.mem_left += t.mem_mib;
        if t.wants_gpu() {
            for d in 0..self.gpus as usize {
                if devices & (1 << d) != 0 {
                    self.left[d] += t.milli as u16;
                }
            }
        }
        debug_assert!(self.cpu_left <= self.cpu_milli && self.devices().iter().all(|&l| l as u32 <= MILLI));
    }
}

/// The lowest `n` bits of `set`, or `None` when it has fewer.
fn first_n(set: Devices, n: u32) -> Option<Devices> {
    if set.count_ones() < n {
        return None;
    }
    let mut out = 0;
    let mut rest = set;
    for _ in 0..n {
        let low = rest & rest.wrapping_neg();
        out |= low;
        rest &= !low;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn share(milli: u32) -> GpuTask {
        GpuTask { cpu_milli: 1000, mem_mib: 0, gpus: 1, milli, models: 0 }
    }

    #[test]
    fn a_share_fits_on_a_device_with_room_and_packs_on_the_tightest() {
        let mut n = GpuNode::new(8000, 1024, 2, Some(0));
        n.take(&share(700), 0b01);
        assert_eq!(n.devices(), &[300, 1000]);
        assert!(n.fits(&share(300)));
        assert_eq!(n.tightest(&share(300)), Some(0b01));
        assert_eq!(n.tightest(&share(301)), Some(0b10));
        let whole = GpuTask { gpus: 2, milli: MILLI, ..share(0) };
        assert!(!n.fits(&whole));
        assert_eq!(n.first_free(&GpuTask { gpus: 1, ..whole }), Some(0b10));
        n.give_back(&share(700), 0b01);
        assert!(n.fits(&whole));
        assert_eq!(n.fully_free(), 2);
    }

    #[test]
    fn models_restrict_gpu_tasks_only() {
        let mut table = ModelTable::default();
        let t4 = table.intern("T4").unwrap();
        let g2 = table.intern("G2").unwrap();
        let node = GpuNode::new(8000, 1024, 1, Some(t4));
        let wants_g2 = GpuTask { models: 1 << g2, ..share(500) };
        assert!(!node.fits(&wants_g2));
        assert!(node.fits(&GpuTask { models: 1 << t4 | 1 << g2, ..share(500) }));
        let cpu_only = GpuTask { cpu_milli: 1000, models: 1 << g2, ..Default::default() };
        assert!(node.fits(&cpu_only));
        assert!(!GpuNode::new(8000, 1024, 0, None).fits(&GpuTask { models: 1 << g2, ..share(10) }));
    }
}
