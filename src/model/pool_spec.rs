//! A pool of identical nodes as a scenario gives it (`[[cluster.pools]]`, or the default pool a trace's
//! header describes), and memory amounts read from a number of MiB or a string with a unit.

use super::resources::parse_memory_mib;
use serde::{Deserialize, Deserializer};

/// `[[cluster.pools]]`: `count` identical nodes.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolSpec {
    pub name: String,
    pub count: u32,
    pub cpu: u64,
    /// Memory per node: MiB, or a string with a unit (`"128GiB"`).
    #[serde(default)]
    pub memory: Memory,
    #[serde(default)]
    pub gpu: u64,
    /// Number of racks the pool's nodes are spread over (named `<pool>-r<k>`).
    #[serde(default = "one")]
    pub racks: u32,
    #[serde(default)]
    pub labels: Vec<String>,
}

fn one() -> u32 {
    1
}

/// A memory amount in MiB, read from a number or a string with a unit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Memory(pub u64);

impl<'de> Deserialize<'de> for Memory {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            I(i64),
            S(String),
        }
        match Raw::deserialize(d)? {
            Raw::I(i) if i >= 0 && i as u64 <= crate::limits::MAX_MEMORY_MIB => Ok(Memory(i as u64)),
            Raw::I(i) if i >= 0 => Err(serde::de::Error::custom(format!(
                "expected at most {} MiB (1 PiB), found {i}",
                crate::limits::MAX_MEMORY_MIB
            ))),
            Raw::I(i) => Err(serde::de::Error::custom(format!("memory must not be negative, found {i}"))),
            Raw::S(s) => parse_memory_mib(&s).map(Memory).map_err(serde::de::Error::custom),
        }
    }
}
