//! Workload sources: synthetic generators, inline job lists and real traces (SWF).

pub mod arrivals;
pub mod csv_jobs;
pub mod deps;
pub mod empirical;
pub mod lines;
pub mod list;
pub mod malleable;
pub mod stats;
pub mod swf;
pub mod synthetic;

pub use csv_jobs::CsvSpec;
pub use list::ListSpec;
pub use swf::SwfSpec;
pub use synthetic::SyntheticSpec;

use crate::scenario::{Scenario, WorkloadSpec};
use std::path::Path;

/// Completes a parsed scenario whose workload reads files: makes trace paths relative to `base` (the
/// scenario file's folder), fits empirical distributions to their traces and, for an SWF workload whose
/// `[cluster]` has no pools, builds the cluster from the trace header.
pub fn resolve_trace(sc: &mut Scenario, base: &Path) -> Result<(), String> {
    match &mut sc.workload {
        WorkloadSpec::Swf(spec) => {
            spec.path = base.join(&spec.path);
            if sc.cluster.pools.is_empty() {
                sc.cluster.pools.push(spec.default_pool()?);
            }
        }
        WorkloadSpec::Csv(spec) => spec.path = base.join(&spec.path),
        WorkloadSpec::Synthetic(spec) => {
            let dists = [
                ("interarrival", spec.interarrival.as_mut()),
                ("runtime", Some(&mut spec.runtime)),
                ("tasks", Some(&mut spec.tasks)),
                ("cpu", Some(&mut spec.cpu)),
                ("memory", Some(&mut spec.memory)),
                ("gpu", Some(&mut spec.gpu)),
                ("estimate_factor", Some(&mut spec.estimate_factor)),
            ];
            for (key, d) in dists {
                if let Some(d) = d {
                    empirical::prepare(d, &format!("workload.{key}"), base)?;
                }
            }
            if let Some(m) = spec.malleable.as_mut() {
                empirical::prepare(&mut m.max_cpu, "workload.malleable.max_cpu", base)?;
                empirical::prepare(&mut m.serial_fraction, "workload.malleable.serial_fraction", base)?;
            }
        }
        WorkloadSpec::List(_) => {}
    }
    Ok(())
}
