//! Output files: atomic writes and the CSV/JSON formats of a run.

pub mod atomic;
pub mod files;
pub mod staging;
pub mod stale;
pub mod starvation;

pub use atomic::{fmt_num, fmt_time, write_atomic};
pub use files::RunInfo;
