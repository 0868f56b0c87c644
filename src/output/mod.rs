//! Output files: atomic writes and the CSV/JSON formats of a run.

pub mod atomic;
pub mod files;
pub mod staging;
pub mod stale;
pub mod starvation;

pub use atomic::write_atomic;

/// Subdirectory of the results directory that holds the chart files.
pub const CHART_DIR: &str = "charts";
pub use files::RunInfo;
