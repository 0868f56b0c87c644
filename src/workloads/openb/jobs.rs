//! The batch view of openb: a pod list as a workload of one-task jobs (`[workload] type = "openb"`), a
//! node list as pools (`[cluster] nodes_file`). The exact GPU shares stay in [`OpenbPods`] for the
//! GPU-sharing models, which read it directly.

use super::pods::{OpenbPod, OpenbPods, QOS};
use super::{OpenbNodes, convention, read_pods_with};
use crate::error::{Error, Result};
use crate::limits::{MAX_CPU, MAX_MEMORY_MIB};
use crate::model::time::SECOND;
use crate::model::{Duration, Memory, PoolSpec, SkipReport, Time, Workload};
use crate::workloads::list::{self, JobEntry};
use crate::workloads::swf::OnBadLine;
use serde::Deserialize;
use std::path::PathBuf;

/// Tier names of an openb workload, lowest first: the qos classes ([`QOS`]).
pub const TIERS: [&str; 4] = QOS;

/// The run time of a pod without a lifetime (the multigpu lists have no times; a pod without
/// `deletion_time`), unless the scenario gives `untimed_runtime`: one hour.
pub const UNTIMED_RUNTIME: Time = 3600 * SECOND;

fn default_untimed() -> Duration {
    Duration(UNTIMED_RUNTIME)
}

/// `[workload]` with `type = "openb"`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenbSpec {
    /// The pod list (plain or gzip), relative to the scenario file's folder.
    pub path: PathBuf,
    #[serde(default)]
    pub on_bad_line: OnBadLine,
    /// The run time of pods without a lifetime (default [`UNTIMED_RUNTIME`]).
    #[serde(default = "default_untimed")]
    pub untimed_runtime: Duration,
}

impl OpenbSpec {
    /// Reads the pod list into the batch workload.
    pub fn read(&self) -> Result<Workload> {
        to_workload(&read_pods_with(&self.path, self.on_bad_line)?, self.untimed_runtime.micros())
    }
}

/// The tier of a qos class: BE 0, Burstable 1, LS 2, Guaranteed 3; none: 0.
pub fn qos_tier(qos: Option<&str>) -> u8 {
    qos.and_then(|q| QOS.iter().position(|c| *c == q)).unwrap_or(0) as u8
}

/// Seconds as simulated time (saturating: a time past the maximum is refused later, naming the job).
fn secs(s: u64) -> Time {
    s.saturating_mul(SECOND)
}

/// A pod's submit time and run time, and the conventions that gave them: submitted at
/// `creation_time`; run for `deletion_time − scheduled_time`, or `deletion_time − creation_time`
/// when never scheduled, or `untimed` without a deletion time; a lifetime of 0 made 1 s.
fn lifetime(pod: &OpenbPod, untimed: Time, notes: &mut Vec<&'static str>) -> (Time, Time) {
    let submit = match pod.creation {
        Some(c) => secs(c),
        None => {
            notes.push(convention::NO_CREATION);
            0
        }
    };
    let runtime = match (pod.scheduled, pod.creation, pod.deletion) {
        (Some(s), _, Some(d)) => secs(d.saturating_sub(s)),
        (None, Some(c), Some(d)) => {
            notes.push(convention::PENDING_LIFETIME);
            secs(d.saturating_sub(c))
        }
        _ => {
            notes.push(convention::NO_LIFETIME);
            untimed
        }
    };
    if runtime == 0 {
        notes.push(convention::ZERO_LIFETIME);
        return (submit, SECOND);
    }
    (submit, runtime)
}

/// A pod list as a workload: each pod one job of one task asking for ⌈cpu_milli / 1000⌉ cores, its
/// memory and `num_gpu` whole GPUs (a share counts as one), user 0, tier from its qos
/// ([`qos_tier`]), job id its row under the header (line − 1). The rows skipped are the workload's
/// skip report; every convention applied is an input note (see docs/workloads.md).
pub fn to_workload(pods: &OpenbPods, untimed: Time) -> Result<Workload> {
    let mut applied = SkipReport::default();
    let mut entries = Vec::with_capacity(pods.pods.len());
    let mut notes = Vec::new();
    for (pod, &line) in pods.pods.iter().zip(&pods.lines) {
        notes.clear();
        let (submit, runtime) = lifetime(pod, untimed, &mut notes);
        if pods.timed {
            for why in &notes {
                applied.add_at(why, line);
            }
        }
        if pod.qos.is_none() && pods.timed {
            applied.add_at(convention::NO_QOS, line);
        }
        let mut entry = JobEntry::new(Duration(submit), Duration(runtime));
        entry.id = Some(line - 1);
        entry.cpu = pod.cpu_milli.div_ceil(1000);
        entry.memory = pod.memory_mib;
        entry.gpu = u64::from(pod.num_gpu);
        entry.tier = qos_tier(pod.qos.as_deref());
        entries.push(entry);
    }
    let tiers: Vec<String> = TIERS.iter().map(|t| t.to_string()).collect();
    let trace_err = |line: u64, message: String| Error::Trace { path: pods.path.clone(), line, message };
    let mut w = list::build_entries(&entries, &tiers, &|i| format!("line {}", pods.lines[i])).map_err(|e| {
        let column = match e.field {
            "cpu" => "cpu_milli` (in whole cores",
            "memory" => "memory_mib",
            "gpu" => "num_gpu",
            other => other,
        };
        let close = if e.field == "cpu" { ")" } else { "" };
        trace_err(pods.lines[e.index], format!("column `{column}{close}: {}", e.message))
    })?;
    w.skipped = pods.skipped.clone();
    for report in [&pods.conventions, &applied] {
        w.skipped.notes.extend(super::convention_notes(report, ("pod", "pods")));
    }
    if !pods.timed && !pods.pods.is_empty() {
        w.skipped.notes.push(format!(
            "the pod list has no time columns: every pod submitted at 0 and run for {} (`untimed_runtime`)",
            Duration(untimed)
        ));
    }
    Ok(w)
}

/// A node list as pools: nodes with the same (cpu, memory, GPUs, model) are one pool, in the order
/// each first appears, named `<model>-<G>gpu-<C>cpu` (`cpu-<C>cpu` without GPU or model; a name
/// taken already gets the memory, then a number) and labelled with the model. A node has
/// ⌊cpu_milli / 1000⌋ cores; one with less than a core, or beyond the simulator's limits, is an
/// error naming the file and its line.
pub fn node_pools(nodes: &OpenbNodes) -> Result<Vec<PoolSpec>> {
    let mut pools: Vec<PoolSpec> = Vec::new();
    let mut keys: Vec<(u64, u64, u32, Option<&str>)> = Vec::new();
    for (node, &line) in nodes.nodes.iter().zip(&nodes.lines) {
        let fail = |message: String| Error::Trace { path: nodes.path.clone(), line, message };
        let cpu = node.cpu_milli / 1000;
        if cpu == 0 || cpu > MAX_CPU {
            return Err(fail(format!(
                "node `{}` has {} milli-cores; a node of the cluster has 1 to {} whole cores",
                crate::error::echo(&node.name),
                node.cpu_milli,
                crate::limits::group(MAX_CPU)
            )));
        }
        if node.memory_mib > MAX_MEMORY_MIB || u64::from(node.gpus) > MAX_CPU {
            return Err(fail(format!(
                "node `{}`: memory_mib {} or gpu {} is past the limits ({} MiB, {} GPUs)",
                crate::error::echo(&node.name),
                node.memory_mib,
                node.gpus,
                MAX_MEMORY_MIB,
                MAX_CPU
            )));
        }
        let key = (node.cpu_milli, node.memory_mib, node.gpus, node.model.as_deref());
        if let Some(p) = keys.iter().position(|k| *k == key) {
            pools[p].count += 1;
            continue;
        }
        let base = match (&node.model, node.gpus) {
            (None, 0) => format!("cpu-{cpu}cpu"),
            (model, g) => format!("{}-{g}gpu-{cpu}cpu", model.as_deref().unwrap_or("gpu")),
        };
        let taken = |name: &str| pools.iter().any(|p| p.name == name);
        let mut name = base.clone();
        if taken(&name) {
            name = format!("{base}-{}mib", node.memory_mib);
        }
        let mut k = 2;
        while taken(&name) {
            name = format!("{base}-{}mib-{k}", node.memory_mib);
            k += 1;
        }
        keys.push(key);
        pools.push(PoolSpec {
            name,
            count: 1,
            cpu,
            memory: Memory(node.memory_mib),
            gpu: u64::from(node.gpus),
            racks: 1,
            labels: node.model.iter().cloned().collect(),
        });
    }
    if pools.is_empty() {
        return Err(Error::Trace { path: nodes.path.clone(), line: 1, message: "the node list has no nodes".into() });
    }
    Ok(pools)
}
