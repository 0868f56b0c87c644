//! Workload sources: synthetic generators (and, with the trace readers, real traces).

pub mod dist;
pub mod synthetic;

pub use synthetic::SyntheticSpec;
