//! Metrics: per-run summaries, per-tier and per-user breakdowns, and the sampled timeline.

pub mod faults;
pub mod starvation;
pub mod summary;
pub mod timeline;

pub use summary::{GroupStats, MetricsConfig, RunMetrics, summarize};
