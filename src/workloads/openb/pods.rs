//! The openb pod list: one pod a row, exact (milli-cores, milli-GPU per device, allowed GPU models,
//! times in seconds), with the GPU conventions of the trace authors' converter applied and counted.

use super::table::{Outcome, Row, each_row};
use super::{GPU_MILLI, convention, reason};
use crate::error::Result;
use crate::model::SkipReport;
use crate::workloads::swf::OnBadLine;
use std::path::{Path, PathBuf};

/// The columns a pod list may have, in the order of the full files; the multigpu files have the
/// first five only.
pub const POD_COLUMNS: [&str; 11] = [
    "name",
    "cpu_milli",
    "memory_mib",
    "num_gpu",
    "gpu_milli",
    "gpu_spec",
    "qos",
    "pod_phase",
    "creation_time",
    "deletion_time",
    "scheduled_time",
];

/// The columns every pod list has.
pub const POD_REQUIRED: [&str; 5] = ["name", "cpu_milli", "memory_mib", "num_gpu", "gpu_milli"];

/// The qos classes of the trace, lowest tier first (see [`super::qos_tier`]).
pub const QOS: [&str; 4] = ["BE", "Burstable", "LS", "Guaranteed"];

const NAME: usize = 0;
const CPU: usize = 1;
const MEMORY: usize = 2;
const NUM_GPU: usize = 3;
const GPU_MILLI_COL: usize = 4;
const GPU_SPEC: usize = 5;
const QOS_COL: usize = 6;
const PHASE: usize = 7;
const CREATION: usize = 8;
const DELETION: usize = 9;
const SCHEDULED: usize = 10;

/// One pod as the trace gives it (after the GPU conventions).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenbPod {
    pub name: String,
    pub cpu_milli: u64,
    pub memory_mib: u64,
    /// GPU devices: 0 for a CPU-only pod, 1 for a share of one GPU or one whole GPU, k for k whole GPUs.
    pub num_gpu: u32,
    /// Milli-GPU per device: 1..=1000 for GPU pods (below 1000 only with `num_gpu = 1`), 0 for CPU pods.
    pub gpu_milli: u32,
    /// The GPU models the pod may run on (`gpu_spec` split on `|`); empty: any.
    pub gpu_spec: Vec<String>,
    /// `LS`, `BE`, `Burstable` or `Guaranteed`.
    pub qos: Option<String>,
    /// `pod_phase`: Running, Succeeded, Failed, Pending.
    pub phase: Option<String>,
    /// Seconds from the trace's start.
    pub creation: Option<u64>,
    pub deletion: Option<u64>,
    /// Empty for pods never scheduled (Pending).
    pub scheduled: Option<u64>,
}

impl OpenbPod {
    /// A share of one GPU (`num_gpu = 1`, `gpu_milli < 1000`).
    pub fn is_share(&self) -> bool {
        self.num_gpu == 1 && self.gpu_milli < GPU_MILLI
    }

    /// Its GPU demand in milli-GPU (`num_gpu × gpu_milli`).
    pub fn gpu_demand_milli(&self) -> u64 {
        u64::from(self.num_gpu) * u64::from(self.gpu_milli)
    }
}

/// A pod list as read: the pods kept, in file order, with their lines, and every row accounted
/// for: `rows = pods.len() + skipped.total()`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OpenbPods {
    pub path: PathBuf,
    pub pods: Vec<OpenbPod>,
    /// The line of each kept pod (beside `pods`).
    pub lines: Vec<u64>,
    /// Rows read under the header.
    pub rows: u64,
    /// Rows left out, by reason (see [`super::reason`]).
    pub skipped: SkipReport,
    /// Pods kept but changed by a GPU convention, by convention (see [`super::convention`]).
    pub conventions: SkipReport,
    /// The header has the time columns (`creation_time`, `deletion_time`, `scheduled_time`); the
    /// multigpu lists have none.
    pub timed: bool,
}

/// Reads a pod list; a row that does not read is an error naming the file, the line and the column.
pub fn read_pods(path: &Path) -> Result<OpenbPods> {
    read_pods_with(path, OnBadLine::Error)
}

/// [`read_pods`]; with [`OnBadLine::Skip`], rows that do not read are skipped and counted as
/// "malformed line".
pub fn read_pods_with(path: &Path, on_bad_line: OnBadLine) -> Result<OpenbPods> {
    let mut out = OpenbPods { path: path.to_path_buf(), ..Default::default() };
    let read = each_row(path, &POD_COLUMNS, &POD_REQUIRED, on_bad_line, |row, line| {
        let (pod, rewrites) = parse_pod(row)?;
        if pod.num_gpu > 1 && pod.gpu_milli < GPU_MILLI {
            return Ok(Outcome::Skipped(reason::MULTI_GPU_SHARE));
        }
        let start = pod.scheduled.or(pod.creation);
        if let (Some(start), Some(end)) = (start, pod.deletion)
            && end < start
        {
            return Ok(Outcome::Skipped(reason::DELETED_BEFORE));
        }
        for why in rewrites.into_iter().flatten() {
            out.conventions.add_at(why, line);
        }
        out.pods.push(pod);
        out.lines.push(line);
        Ok(Outcome::Kept)
    })?;
    out.rows = read.rows;
    out.skipped = read.skipped;
    out.timed = [CREATION, DELETION, SCHEDULED].iter().any(|&c| read.present[c]);
    Ok(out)
}

/// One row as a pod, with the GPU conventions applied (at most two apply to a row).
fn parse_pod(row: &Row<'_>) -> std::result::Result<(OpenbPod, [Option<&'static str>; 2]), String> {
    let name = row.text(NAME);
    if name.is_empty() {
        return Err("column `name` is empty".into());
    }
    let cpu_milli = row.required(CPU)?;
    let memory_mib = row.required(MEMORY)?;
    let mut num_gpu = row.required_u32(NUM_GPU)?;
    let raw_milli = row.required(GPU_MILLI_COL)?;
    let qos = Some(row.text(QOS_COL)).filter(|q| !q.is_empty());
    if let Some(q) = qos
        && !QOS.contains(&q)
    {
        return Err(format!("column `qos`: `{}` is none of {}", crate::error::echo(q), QOS.join(", ")));
    }
    let mut rewrites = [None, None];
    let mut gpu_milli = if raw_milli > u64::from(GPU_MILLI) {
        rewrites[0] = Some(convention::MILLI_CLAMPED);
        GPU_MILLI
    } else {
        raw_milli as u32
    };
    if num_gpu == 0 && gpu_milli > 0 {
        rewrites[1] = Some(convention::MILLI_WITHOUT_GPU);
        gpu_milli = 0;
    } else if num_gpu == 1 && gpu_milli == 0 {
        rewrites[1] = Some(convention::ZERO_MILLI);
        num_gpu = 0;
    }
    let pod = OpenbPod {
        name: name.to_string(),
        cpu_milli,
        memory_mib,
        num_gpu,
        gpu_milli,
        gpu_spec: row.text(GPU_SPEC).split('|').map(str::trim).filter(|m| !m.is_empty()).map(String::from).collect(),
        qos: qos.map(String::from),
        phase: Some(row.text(PHASE)).filter(|p| !p.is_empty()).map(String::from),
        creation: row.number(CREATION)?,
        deletion: row.number(DELETION)?,
        scheduled: row.number(SCHEDULED)?,
    };
    Ok((pod, rewrites))
}
