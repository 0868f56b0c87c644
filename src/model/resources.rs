//! The resource vector (cpu cores, memory in MiB, gpus) shared by node capacities and job requests.

use std::ops::{Add, AddAssign, Mul, Sub, SubAssign};

/// Number of resource kinds tracked per node.
pub const KINDS: usize = 3;
/// Column names of the resource kinds, in vector order.
pub const KIND_NAMES: [&str; KINDS] = ["cpu", "mem", "gpu"];

/// A multi-resource amount: cores, MiB of memory, gpus.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Resources {
    pub cpu: u64,
    pub mem: u64,
    pub gpu: u64,
}

impl Resources {
    pub const ZERO: Resources = Resources { cpu: 0, mem: 0, gpu: 0 };

    pub const fn new(cpu: u64, mem: u64, gpu: u64) -> Self {
        Resources { cpu, mem, gpu }
    }

    /// A processors-only amount (the view of traces that carry nothing else).
    pub const fn cpus(cpu: u64) -> Self {
        Resources { cpu, mem: 0, gpu: 0 }
    }

    /// True when every component of `self` is at most the matching one of `avail`.
    #[inline]
    pub fn fits_in(&self, avail: &Resources) -> bool {
        self.cpu <= avail.cpu && self.mem <= avail.mem && self.gpu <= avail.gpu
    }

    pub fn as_array(&self) -> [u64; KINDS] {
        [self.cpu, self.mem, self.gpu]
    }

    pub fn is_zero(&self) -> bool {
        *self == Self::ZERO
    }

    /// Component-wise subtraction that stops at zero.
    pub fn saturating_sub(&self, o: &Resources) -> Resources {
        Resources {
            cpu: self.cpu.saturating_sub(o.cpu),
            mem: self.mem.saturating_sub(o.mem),
            gpu: self.gpu.saturating_sub(o.gpu),
        }
    }
}

impl Add for Resources {
    type Output = Resources;
    fn add(self, o: Resources) -> Resources {
        Resources { cpu: self.cpu + o.cpu, mem: self.mem + o.mem, gpu: self.gpu + o.gpu }
    }
}

impl AddAssign for Resources {
    fn add_assign(&mut self, o: Resources) {
        *self = *self + o;
    }
}

impl Sub for Resources {
    type Output = Resources;
    fn sub(self, o: Resources) -> Resources {
        debug_assert!(o.fits_in(&self), "resource underflow: {self:?} - {o:?}");
        Resources { cpu: self.cpu - o.cpu, mem: self.mem - o.mem, gpu: self.gpu - o.gpu }
    }
}

impl SubAssign for Resources {
    fn sub_assign(&mut self, o: Resources) {
        *self = *self - o;
    }
}

impl Mul<u64> for Resources {
    type Output = Resources;
    fn mul(self, k: u64) -> Resources {
        Resources { cpu: self.cpu * k, mem: self.mem * k, gpu: self.gpu * k }
    }
}

/// Parses a memory amount: a number of MiB, or a string with a unit (`"512MiB"`, `"128GiB"`, `"1TiB"`, `"64GB"`).
pub fn parse_memory_mib(text: &str) -> Result<u64, String> {
    let s = text.trim();
    let split = s.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let value: f64 = num.parse().map_err(|_| {
        format!("`{}` is not a memory amount (expected e.g. \"512MiB\", \"128GiB\")", crate::error::echo(text))
    })?;
    let scale = match unit.trim() {
        "" | "M" | "MB" | "MiB" => 1.0,
        "K" | "KB" | "KiB" => 1.0 / 1024.0,
        "G" | "GB" | "GiB" => 1024.0,
        "T" | "TB" | "TiB" => 1024.0 * 1024.0,
        other => {
            let (text, other) = (crate::error::echo(text), crate::error::echo(other));
            return Err(format!("`{text}` has unknown unit `{other}` (valid: KiB, MiB, GiB, TiB)"));
        }
    };
    let mib = (value * scale).round();
    let max = crate::limits::MAX_MEMORY_MIB;
    if mib.is_nan() || mib > max as f64 {
        return Err(format!("`{}`: expected at most {max} MiB (1 PiB)", crate::error::echo(text)));
    }
    Ok(mib as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_is_component_wise() {
        let node = Resources::new(4, 1024, 0);
        assert!(Resources::new(4, 1024, 0).fits_in(&node));
        assert!(!Resources::new(1, 1, 1).fits_in(&node));
        assert!(!Resources::new(5, 0, 0).fits_in(&node));
    }

    #[test]
    fn memory_units() {
        assert_eq!(parse_memory_mib("128GiB"), Ok(131_072));
        assert_eq!(parse_memory_mib("512"), Ok(512));
        assert!(parse_memory_mib("12 furlongs").is_err());
    }
}
