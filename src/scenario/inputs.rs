//! What a scenario reads besides its own file: trace and job-list paths made relative to the scenario's
//! folder, empirical distributions fitted to their traces, and the cluster a trace's header describes.

use super::{Scenario, WorkloadSpec};
use crate::workloads::empirical::prepare;
use std::path::Path;

/// Completes a parsed scenario whose workload reads files: makes trace paths relative to `base` (the
/// scenario file's folder), fits empirical distributions to their traces and, for an SWF workload whose
/// `[cluster]` has no pools, builds the cluster from the trace header.
pub fn resolve_trace(sc: &mut Scenario, base: &Path) -> Result<(), String> {
    resolve_nodes_file(sc, base)?;
    match &mut sc.workload {
        WorkloadSpec::Swf(spec) => {
            spec.path = base.join(&spec.path);
            if sc.cluster.pools.is_empty() {
                sc.cluster.pools.push(spec.default_pool()?);
            }
        }
        WorkloadSpec::Csv(spec) => spec.path = base.join(&spec.path),
        WorkloadSpec::Openb(spec) => spec.path = base.join(&spec.path),
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
                    prepare(d, &format!("workload.{key}"), base)?;
                }
            }
            if let Some(m) = spec.malleable.as_mut() {
                prepare(&mut m.max_cpu, "workload.malleable.max_cpu", base)?;
                prepare(&mut m.serial_fraction, "workload.malleable.serial_fraction", base)?;
            }
        }
        WorkloadSpec::List(_) => {}
    }
    Ok(())
}

/// `[cluster] nodes_file`: reads the openb node list (relative to `base`) into `pools`; an error names
/// the key, the file and the line. Giving both `nodes_file` and `[[cluster.pools]]` is an error.
pub fn resolve_nodes_file(sc: &mut Scenario, base: &Path) -> Result<(), String> {
    let Some(file) = sc.cluster.nodes_file.as_mut() else { return Ok(()) };
    if !sc.cluster.pools.is_empty() {
        return Err(
            "key `cluster.nodes_file`: give the cluster as `nodes_file` or as [[cluster.pools]], not both".into()
        );
    }
    *file = base.join(&*file);
    let nodes = crate::workloads::openb::read_nodes(file).map_err(|e| format!("key `cluster.nodes_file`: {e}"))?;
    sc.cluster.pools =
        crate::workloads::openb::node_pools(&nodes).map_err(|e| format!("key `cluster.nodes_file`: {e}"))?;
    Ok(())
}
