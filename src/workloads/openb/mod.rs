//! The Alibaba GPU cluster trace v2023 ("openb", Weng et al., USENIX ATC 2023): its node lists
//! (`sn,cpu_milli,memory_mib,gpu,model`) and pod lists (`name,cpu_milli,memory_mib,num_gpu,gpu_milli`
//! and, in all but the multigpu lists, `gpu_spec,qos,pod_phase,creation_time,deletion_time,
//! scheduled_time`), plain or gzip, columns found by header name.
//!
//! Rooms: `table` (the CSV rows under a header), `pods` and `nodes` (the two readers, exact: milli-cores,
//! milli-GPUs, GPU models), `jobs` (the batch view: a pod as a one-task job, a node list as pools) and
//! `stats` (`clustersim trace stats` on either kind of file). Every row read is kept or skipped with a
//! reason; every row kept but changed by a convention is counted too (see docs/workloads.md).

mod jobs;
mod nodes;
mod pods;
mod stats;
mod table;

pub use jobs::{OpenbSpec, TIERS, UNTIMED_RUNTIME, node_pools, qos_tier, to_workload};
pub use nodes::{NODE_COLUMNS, OpenbNode, OpenbNodes, read_nodes, read_nodes_with};
pub use pods::{OpenbPod, OpenbPods, POD_COLUMNS, POD_REQUIRED, QOS, read_pods, read_pods_with};
pub use stats::{NodeStats, PodStats, node_stats, pod_stats};

use crate::error::{Error, Result};
use std::io::{BufRead, Read};
use std::path::Path;

/// The capacity of one GPU device, in milli-GPU.
pub const GPU_MILLI: u32 = 1000;

/// Which openb file a header names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenbKind {
    /// A pod list (`name,...,num_gpu,gpu_milli,...`).
    Pods,
    /// A node list (`sn,cpu_milli,memory_mib,gpu,model`).
    Nodes,
}

/// The kind of openb file `path` is, from its first line (its header), or `None` when the header
/// is none of an openb file's (an SWF trace, a CSV job list).
pub fn detect(path: &Path) -> Result<Option<OpenbKind>> {
    let mut first = Vec::new();
    crate::workloads::lines::open_trace(path)?
        .take(64 * 1024)
        .read_until(b'\n', &mut first)
        .map_err(|e| Error::io(path, e))?;
    let text = String::from_utf8_lossy(&first);
    let names: Vec<&str> = text.trim().split(',').map(str::trim).collect();
    let has = |n: &str| names.contains(&n);
    Ok(if has("name") && has("num_gpu") && has("gpu_milli") {
        Some(OpenbKind::Pods)
    } else if has("sn") && has("gpu") && has("cpu_milli") {
        Some(OpenbKind::Nodes)
    } else {
        None
    })
}

/// One note a convention of `report`: `897 pods without scheduled_time, ... (first: line 63)`;
/// `nouns` is the item's name, one and many.
pub fn convention_notes(report: &crate::model::SkipReport, nouns: (&str, &str)) -> Vec<String> {
    (report.reasons.iter().enumerate())
        .map(|(i, (why, n))| {
            let first = report.first_line(i).map(|l| format!(" (first: line {l})")).unwrap_or_default();
            format!("{n} {} {why}{first}", if *n == 1 { nouns.0 } else { nouns.1 })
        })
        .collect()
}

/// Why rows were left out, as the skip report (manifest.json, `trace stats`) names them.
pub mod reason {
    /// A row that does not read (with `on_bad_line = "skip"` / `--skip-bad-lines`).
    pub const MALFORMED: &str = crate::workloads::swf::reason::MALFORMED;
    /// `num_gpu > 1` with `gpu_milli < 1000`: a share of several GPUs, which the trace authors'
    /// simulator does not place (it panics on it).
    pub const MULTI_GPU_SHARE: &str = "multi-GPU share (num_gpu > 1 with gpu_milli < 1000)";
    /// A pod deleted before it was scheduled (or, never scheduled, before it was created).
    pub const DELETED_BEFORE: &str = "deletion_time before scheduled_time (or creation_time)";
}

/// Rows kept but changed (or read in a documented way), as the input notes count them.
pub mod convention {
    /// `gpu_milli > 1000`: clamped to one whole GPU, as the authors' converter does.
    pub const MILLI_CLAMPED: &str = "with gpu_milli > 1000, clamped to 1000";
    /// `num_gpu = 1`, `gpu_milli = 0`: the authors' converter writes a GPU share of 0, which their
    /// simulator places as a pod without GPU.
    pub const ZERO_MILLI: &str = "with num_gpu 1 and gpu_milli 0, read as CPU-only (num_gpu 0)";
    /// `num_gpu = 0`, `gpu_milli > 0`: the authors' converter ignores gpu_milli without GPUs.
    pub const MILLI_WITHOUT_GPU: &str = "with gpu_milli > 0 and num_gpu 0, gpu_milli ignored";
    /// A node with GPUs but no model.
    pub const GPUS_WITHOUT_MODEL: &str = "with GPUs but no model";
    /// A node with a model but no GPU.
    pub const MODEL_WITHOUT_GPUS: &str = "with a GPU model but no GPU";
    /// Never scheduled (Pending): lifetime deletion_time − creation_time.
    pub const PENDING_LIFETIME: &str = "without scheduled_time, run for deletion_time − creation_time";
    /// No deletion time, or no time to count it from.
    pub const NO_LIFETIME: &str = "without a lifetime (no deletion_time), run for `untimed_runtime`";
    /// No creation time: submitted at 0.
    pub const NO_CREATION: &str = "without creation_time, submitted at 0";
    /// A lifetime of 0 s: made 1 s (a job runs for some time).
    pub const ZERO_LIFETIME: &str = "with a lifetime of 0 s, made 1 s";
    /// No qos: the lowest tier.
    pub const NO_QOS: &str = "without qos, tier 0 (BE)";
}
