//! The openb node list: one node a row (`sn,cpu_milli,memory_mib,gpu,model`), exact, with nodes whose
//! GPUs and model disagree kept and counted.

use super::convention;
use super::table::{Outcome, each_row};
use crate::error::Result;
use crate::model::SkipReport;
use crate::workloads::swf::OnBadLine;
use std::path::{Path, PathBuf};

/// The columns of a node list; `model` may be left out (no node has a model then).
pub const NODE_COLUMNS: [&str; 5] = ["sn", "cpu_milli", "memory_mib", "gpu", "model"];
const NODE_REQUIRED: [&str; 4] = ["sn", "cpu_milli", "memory_mib", "gpu"];

const SN: usize = 0;
const CPU: usize = 1;
const MEMORY: usize = 2;
const GPU: usize = 3;
const MODEL: usize = 4;

/// One node as the trace gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenbNode {
    /// `sn`, the node's name.
    pub name: String,
    pub cpu_milli: u64,
    pub memory_mib: u64,
    /// GPU devices (1000 milli-GPU each).
    pub gpus: u32,
    /// The GPU model (`G2`, `T4`, `V100M32`, ...); `None` when empty.
    pub model: Option<String>,
}

/// A node list as read: every row accounted for, `rows = nodes.len() + skipped.total()`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OpenbNodes {
    pub path: PathBuf,
    pub nodes: Vec<OpenbNode>,
    /// The line of each node (beside `nodes`).
    pub lines: Vec<u64>,
    /// Rows read under the header.
    pub rows: u64,
    /// Rows left out (only malformed rows, with [`OnBadLine::Skip`]).
    pub skipped: SkipReport,
    /// Nodes kept whose GPUs and model disagree, by convention (see [`super::convention`]).
    pub conventions: SkipReport,
}

/// Reads a node list; a row that does not read is an error naming the file, the line and the column.
pub fn read_nodes(path: &Path) -> Result<OpenbNodes> {
    read_nodes_with(path, OnBadLine::Error)
}

/// [`read_nodes`]; with [`OnBadLine::Skip`], rows that do not read are skipped and counted as
/// "malformed line".
pub fn read_nodes_with(path: &Path, on_bad_line: OnBadLine) -> Result<OpenbNodes> {
    let mut out = OpenbNodes { path: path.to_path_buf(), ..Default::default() };
    let read = each_row(path, &NODE_COLUMNS, &NODE_REQUIRED, on_bad_line, |row, line| {
        let name = row.text(SN);
        if name.is_empty() {
            return Err("column `sn` is empty".into());
        }
        let node = OpenbNode {
            name: name.to_string(),
            cpu_milli: row.required(CPU)?,
            memory_mib: row.required(MEMORY)?,
            gpus: row.required_u32(GPU)?,
            model: Some(row.text(MODEL)).filter(|m| !m.is_empty()).map(String::from),
        };
        match (node.gpus, &node.model) {
            (g, None) if g > 0 => out.conventions.add_at(convention::GPUS_WITHOUT_MODEL, line),
            (0, Some(_)) => out.conventions.add_at(convention::MODEL_WITHOUT_GPUS, line),
            _ => {}
        }
        out.nodes.push(node);
        out.lines.push(line);
        Ok(Outcome::Kept)
    })?;
    out.rows = read.rows;
    out.skipped = read.skipped;
    Ok(out)
}
