//! `clustersim trace stats` on openb files: a pod list's counts by GPU shape, phase and qos, its GPU
//! demand, submit span, lifetimes and conventions; a node list's nodes and GPUs by model.

use super::{OpenbNodes, OpenbPods, UNTIMED_RUNTIME, read_nodes_with, read_pods_with, to_workload};
use crate::error::Result;
use crate::model::SkipReport;
use crate::model::time::as_secs_f64;
use crate::stats::{mean, percentile_sorted, sorted};
use crate::workloads::swf::OnBadLine;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// `(name, count)`, most first (ties in the order each name first appears).
fn count_in_order<'a>(names: impl Iterator<Item = &'a str>) -> Vec<(String, u64)> {
    let mut counts: Vec<(String, u64)> = Vec::new();
    for n in names {
        match counts.iter_mut().find(|(k, _)| k == n) {
            Some((_, c)) => *c += 1,
            None => counts.push((n.to_string(), 1)),
        }
    }
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    counts
}

fn counts_text(counts: &[(String, u64)]) -> String {
    counts.iter().map(|(k, n)| format!("{k} {n}")).collect::<Vec<_>>().join(", ")
}

/// Writes the rows, kept items, skipped rows by reason and the notes.
fn write_accounting(f: &mut fmt::Formatter<'_>, rows: u64, kept: (&str, usize), skipped: &SkipReport) -> fmt::Result {
    writeln!(f, "rows           {rows}")?;
    writeln!(f, "{:<14} {}", kept.0, kept.1)?;
    writeln!(f, "skipped        {}", skipped.total())?;
    for (i, (reason, count)) in skipped.reasons.iter().enumerate() {
        match skipped.first_line(i) {
            Some(line) => writeln!(f, "  {count:>10}  {reason} (first: line {line})")?,
            None => writeln!(f, "  {count:>10}  {reason}")?,
        }
    }
    for note in &skipped.notes {
        writeln!(f, "note           {note}")?;
    }
    Ok(())
}

/// The summary of an openb pod list.
#[derive(Clone, Debug, PartialEq)]
pub struct PodStats {
    pub path: PathBuf,
    pub rows: u64,
    pub pods: usize,
    /// Rows skipped by reason, and the conventions applied as notes (as a run warns of them).
    pub skipped: SkipReport,
    /// Pods by GPU shape: CPU-only, a share of one GPU, then k whole GPUs (k ascending).
    pub cpu_only: u64,
    pub shares: u64,
    pub whole: Vec<(u32, u64)>,
    /// Pods by phase and by qos, most first (`none` for an empty field).
    pub phases: Vec<(String, u64)>,
    pub qos: Vec<(String, u64)>,
    /// Σ num_gpu × gpu_milli / 1000, and the part of it in shares.
    pub gpu_demand: f64,
    pub share_demand: f64,
    /// Σ cpu_milli / 1000 and Σ memory in GiB.
    pub cpu_demand: f64,
    pub memory_gib: f64,
    pub timed: bool,
    /// First and last submit (creation) time, seconds.
    pub first_submit: f64,
    pub last_submit: f64,
    /// Run time in the batch view (s): mean, p50, p90, p99, max.
    pub lifetime: [f64; 5],
}

/// Reads a pod list and summarises it.
pub fn pod_stats(path: &Path, on_bad_line: OnBadLine) -> Result<PodStats> {
    let pods = read_pods_with(path, on_bad_line)?;
    summarise_pods(&pods)
}

fn summarise_pods(p: &OpenbPods) -> Result<PodStats> {
    let w = to_workload(p, UNTIMED_RUNTIME)?;
    let mut whole: BTreeMap<u32, u64> = BTreeMap::new();
    let (mut cpu_only, mut shares, mut gpu, mut share_gpu) = (0, 0, 0u64, 0u64);
    for pod in &p.pods {
        if pod.num_gpu == 0 {
            cpu_only += 1;
        } else if pod.is_share() {
            shares += 1;
            share_gpu += pod.gpu_demand_milli();
        } else {
            *whole.entry(pod.num_gpu).or_insert(0) += 1;
        }
        gpu += pod.gpu_demand_milli();
    }
    let lifetimes = sorted(&w.jobs.iter().map(|j| as_secs_f64(j.runtime)).collect::<Vec<_>>());
    let five = [
        mean(&lifetimes),
        percentile_sorted(&lifetimes, 0.5),
        percentile_sorted(&lifetimes, 0.9),
        percentile_sorted(&lifetimes, 0.99),
        lifetimes.last().copied().unwrap_or(0.0),
    ];
    let submits = p.pods.iter().filter_map(|pod| pod.creation);
    Ok(PodStats {
        path: p.path.clone(),
        rows: p.rows,
        pods: p.pods.len(),
        skipped: w.skipped.clone(),
        cpu_only,
        shares,
        whole: whole.into_iter().collect(),
        phases: count_in_order(p.pods.iter().map(|pod| pod.phase.as_deref().unwrap_or("none"))),
        qos: count_in_order(p.pods.iter().map(|pod| pod.qos.as_deref().unwrap_or("none"))),
        gpu_demand: gpu as f64 / 1000.0,
        share_demand: share_gpu as f64 / 1000.0,
        cpu_demand: p.pods.iter().map(|pod| pod.cpu_milli).sum::<u64>() as f64 / 1000.0,
        memory_gib: p.pods.iter().map(|pod| pod.memory_mib).sum::<u64>() as f64 / 1024.0,
        timed: p.timed,
        first_submit: submits.clone().min().unwrap_or(0) as f64,
        last_submit: submits.max().unwrap_or(0) as f64,
        lifetime: five,
    })
}

impl fmt::Display for PodStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "trace          {}", self.path.display())?;
        writeln!(f, "format         openb pod list{}", if self.timed { "" } else { " (no time columns)" })?;
        write_accounting(f, self.rows, ("pods", self.pods), &self.skipped)?;
        let one = self.shares + self.whole.iter().find(|(k, _)| *k == 1).map_or(0, |w| w.1);
        let mut shapes = vec![format!("CPU-only {}", self.cpu_only)];
        shapes.push(format!("1 GPU {one} (share {}, whole {})", self.shares, one - self.shares));
        shapes.extend(self.whole.iter().filter(|(k, _)| *k > 1).map(|(k, n)| format!("{k} GPUs {n}")));
        writeln!(f, "by GPU shape   {}", shapes.join(", "))?;
        writeln!(f, "by phase       {}", counts_text(&self.phases))?;
        writeln!(f, "by qos         {}", counts_text(&self.qos))?;
        writeln!(f, "GPU demand     {:.2} GPUs ({:.2} in shares)", self.gpu_demand, self.share_demand)?;
        writeln!(f, "CPU demand     {:.1} cores, {:.1} GiB memory", self.cpu_demand, self.memory_gib)?;
        if self.timed {
            let days = (self.last_submit - self.first_submit) / 86_400.0;
            writeln!(f, "submit span    {:.0} … {:.0} s ({days:.1} days)", self.first_submit, self.last_submit)?;
        } else {
            writeln!(f, "submit span    none (no time columns: every pod submitted at 0)")?;
        }
        writeln!(f, "{:<14} {:>12} {:>12} {:>12} {:>12} {:>12}", "", "mean", "p50", "p90", "p99", "max")?;
        let v = self.lifetime;
        writeln!(f, "{:<14} {:>12.1} {:>12.1} {:>12.1} {:>12.1} {:>12.1}", "lifetime [s]", v[0], v[1], v[2], v[3], v[4])
    }
}

/// The summary of an openb node list.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeStats {
    pub path: PathBuf,
    pub rows: u64,
    pub nodes: usize,
    /// Rows skipped by reason; the node conventions as notes.
    pub skipped: SkipReport,
    /// (model, nodes, GPUs) in the order each model first appears; `none` for nodes without a model.
    pub models: Vec<(String, u64, u64)>,
    pub cpu_cores: f64,
    pub memory_gib: f64,
    pub gpus: u64,
}

/// Reads a node list and summarises it.
pub fn node_stats(path: &Path, on_bad_line: OnBadLine) -> Result<NodeStats> {
    Ok(summarise_nodes(&read_nodes_with(path, on_bad_line)?))
}

fn summarise_nodes(n: &OpenbNodes) -> NodeStats {
    let mut models: Vec<(String, u64, u64)> = Vec::new();
    for node in &n.nodes {
        let model = node.model.as_deref().unwrap_or("none");
        match models.iter_mut().find(|(m, _, _)| m == model) {
            Some((_, count, gpus)) => {
                *count += 1;
                *gpus += u64::from(node.gpus);
            }
            None => models.push((model.to_string(), 1, u64::from(node.gpus))),
        }
    }
    let mut skipped = n.skipped.clone();
    skipped.notes.extend(super::convention_notes(&n.conventions, ("node", "nodes")));
    NodeStats {
        path: n.path.clone(),
        rows: n.rows,
        nodes: n.nodes.len(),
        skipped,
        models,
        cpu_cores: n.nodes.iter().map(|x| x.cpu_milli).sum::<u64>() as f64 / 1000.0,
        memory_gib: n.nodes.iter().map(|x| x.memory_mib).sum::<u64>() as f64 / 1024.0,
        gpus: n.nodes.iter().map(|x| u64::from(x.gpus)).sum(),
    }
}

impl fmt::Display for NodeStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "trace          {}", self.path.display())?;
        writeln!(f, "format         openb node list")?;
        write_accounting(f, self.rows, ("nodes", self.nodes), &self.skipped)?;
        writeln!(
            f,
            "total          {:.0} cores, {:.0} GiB memory, {} GPUs",
            self.cpu_cores, self.memory_gib, self.gpus
        )?;
        writeln!(f, "{:<14} {:>8} {:>8}", "by model", "nodes", "GPUs")?;
        for (model, nodes, gpus) in &self.models {
            writeln!(f, "  {model:<12} {nodes:>8} {gpus:>8}")?;
        }
        Ok(())
    }
}
