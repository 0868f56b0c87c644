//! Workload sources: synthetic generators, inline job lists and real traces (SWF).

pub mod csv_jobs;
pub mod dist;
pub mod list;
pub mod swf;
pub mod synthetic;

pub use csv_jobs::CsvSpec;
pub use list::ListSpec;
pub use swf::SwfSpec;
pub use synthetic::SyntheticSpec;

use crate::scenario::{Scenario, WorkloadSpec};
use std::path::Path;

/// Completes a parsed scenario whose workload is a trace: makes the trace path relative to `base` (the
/// scenario file's folder) and, when `[cluster]` has no pools, builds the cluster from the trace header.
pub fn resolve_trace(sc: &mut Scenario, base: &Path) -> Result<(), String> {
    match &mut sc.workload {
        WorkloadSpec::Swf(spec) => {
            spec.path = base.join(&spec.path);
            if sc.cluster.pools.is_empty() {
                sc.cluster.pools.push(spec.default_pool()?);
            }
        }
        WorkloadSpec::Csv(spec) => spec.path = base.join(&spec.path),
        _ => {}
    }
    Ok(())
}
