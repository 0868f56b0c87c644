//! Workload sources: synthetic generators (and, with the trace readers, real traces).

pub mod dist;
pub mod list;
pub mod synthetic;

pub use list::ListSpec;
pub use synthetic::SyntheticSpec;
