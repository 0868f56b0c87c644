//! Workload sources: synthetic generators, inline job lists and real traces (SWF, openb pod lists).

pub mod arrivals;
pub mod csv_jobs;
pub mod deps;
pub mod empirical;
pub mod lines;
pub mod list;
pub mod malleable;
pub mod openb;
pub mod stats;
pub mod swf;
pub mod synthetic;

pub use csv_jobs::CsvSpec;
pub use list::ListSpec;
pub use openb::OpenbSpec;
pub use swf::SwfSpec;
pub use synthetic::SyntheticSpec;
