//! Metrics: per-run summaries and per-tier and per-user breakdowns, computed from a finished run.

pub mod faults;
pub mod summary;

pub use summary::{GroupStats, MetricsConfig, RunMetrics, summarize};
