//! The per-run output files: `jobs.csv`, `nodes.csv`, `timeline.csv`, `summary.csv`, `tiers.csv`, `users.csv`, `events.csv`, `manifest.json`.

use super::atomic::write_atomic;
use crate::engine::RunOutput;
use crate::error::Result;
use crate::fmt::{fmt_num, fmt_time, push_num, push_time};
use crate::metrics::summary::bounded_slowdown;
use crate::metrics::{GroupStats, RunMetrics};
use crate::model::time::as_secs_f64;
use std::io::Write;
use std::path::Path;

/// Identifies a run in `summary.csv` and `manifest.json`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct RunInfo {
    pub run_id: String,
    pub scenario: String,
    pub scenario_hash: String,
    pub seed: u64,
    pub selection: String,
    pub allocation: String,
    pub queue: String,
    pub recovery: String,
}

impl RunInfo {
    pub const COLUMNS: [&'static str; 7] =
        ["run_id", "scenario", "seed", "selection", "allocation", "queue", "recovery"];

    pub fn values(&self) -> Vec<String> {
        vec![
            self.run_id.clone(),
            self.scenario.clone(),
            self.seed.to_string(),
            self.selection.clone(),
            self.allocation.clone(),
            self.queue.clone(),
            self.recovery.clone(),
        ]
    }
}

fn csv_writer(w: &mut dyn Write) -> csv::Writer<&mut dyn Write> {
    csv::WriterBuilder::new().from_writer(w)
}

fn csv_err(e: csv::Error) -> std::io::Error {
    std::io::Error::other(e)
}

/// A CSV record written field by field through one reused buffer: no allocation per field.
struct Record<'w> {
    c: csv::Writer<&'w mut dyn Write>,
    buf: Vec<u8>,
}

impl<'w> Record<'w> {
    fn new(w: &'w mut dyn Write) -> Self {
        Record { c: csv_writer(w), buf: Vec::with_capacity(64) }
    }

    fn text(&mut self, s: &str) -> std::io::Result<()> {
        self.c.write_field(s).map_err(csv_err)
    }

    /// A field built by `fill` in the buffer.
    fn with(&mut self, fill: impl FnOnce(&mut Vec<u8>)) -> std::io::Result<()> {
        self.buf.clear();
        fill(&mut self.buf);
        self.c.write_field(&self.buf).map_err(csv_err)
    }

    fn int(&mut self, x: impl std::fmt::Display) -> std::io::Result<()> {
        self.with(|b| {
            let _ = write!(b, "{x}");
        })
    }

    /// A time in seconds, empty when `None`.
    fn time(&mut self, t: Option<crate::model::Time>) -> std::io::Result<()> {
        self.with(|b| {
            if let Some(t) = t {
                push_time(b, t)
            }
        })
    }

    fn end(&mut self) -> std::io::Result<()> {
        self.c.write_record(None::<&[u8]>).map_err(csv_err)
    }
}

/// `nodes.csv`: one row per node, `node,pool,rack,cpu,mem,gpu` (memory in MiB): what the node ids of
/// `jobs.csv`'s `nodes` column are.
pub fn write_nodes(path: &Path, cluster: &crate::model::Cluster) -> Result<()> {
    write_atomic(path, |w| {
        let mut r = Record::new(w);
        r.c.write_record(["node", "pool", "rack", "cpu", "mem", "gpu"]).map_err(csv_err)?;
        for n in &cluster.nodes {
            r.int(n.id)?;
            r.text(cluster.pools.get(n.pool as usize).map_or("", |p| p.name.as_str()))?;
            r.text(cluster.racks.get(n.rack as usize).map_or("", String::as_str))?;
            r.int(n.capacity.cpu)?;
            r.int(n.capacity.mem)?;
            r.int(n.capacity.gpu)?;
            r.end()?;
        }
        r.c.flush()
    })
}

/// `jobs.csv`: one row per job.
pub fn write_jobs(path: &Path, out: &RunOutput, tau: crate::model::Time) -> Result<()> {
    write_atomic(path, |w| jobs_csv(w, out, tau))
}

/// The bytes of [`write_jobs`], written to `w`.
pub fn jobs_csv(w: &mut dyn Write, out: &RunOutput, tau: crate::model::Time) -> std::io::Result<()> {
    let mut r = Record::new(w);
    r.c.write_record([
        "job",
        "user",
        "group",
        "tier",
        "tasks",
        "cpu",
        "mem",
        "gpu",
        "submit",
        "start",
        "end",
        "wait",
        "response",
        "run",
        "estimate",
        "bsld",
        "state",
        "attempts",
        "nodes",
        "reason",
        "queue",
        "partition",
    ])
    .map_err(csv_err)?;
    let wl = &out.workload;
    for (job, rec) in wl.jobs.iter().zip(&out.records) {
        // Submitted after the horizon: not a job of this run, but listed so that every input job has a row.
        let state = if job.submit > out.window.1 { "not_submitted" } else { rec.state.outcome() };
        let response = rec.end.filter(|_| state == "completed").map(|e| e - job.submit);
        let cpu = rec.placement.first().map(|(_, g)| g.cpu).unwrap_or(job.request.cpu);
        r.int(job.id)?;
        r.text(wl.user_name(job.user))?;
        match wl.groups.get(job.group as usize) {
            Some(g) => r.text(g)?,
            None => r.int(job.group)?,
        }
        match wl.tiers.get(job.tier as usize) {
            Some(t) => r.text(t)?,
            None => r.int(job.tier)?,
        }
        r.int(job.tasks)?;
        r.int(cpu)?;
        r.int(job.request.mem)?;
        r.int(job.request.gpu)?;
        r.time(Some(job.submit))?;
        r.time(rec.first_start)?;
        r.time(rec.end.filter(|_| state != "cancelled"))?;
        r.time(rec.first_start.map(|s| s - job.submit))?;
        r.time(response)?;
        r.time(Some(rec.ran))?;
        r.time(Some(job.estimate))?;
        r.with(|b| {
            if let Some(resp) = response {
                push_num(b, bounded_slowdown(resp, rec.ran, tau))
            }
        })?;
        r.text(state)?;
        r.int(rec.attempts)?;
        r.with(|b| {
            for (i, (n, _)) in rec.placement.iter().enumerate() {
                if i > 0 {
                    b.push(b';');
                }
                let _ = write!(b, "{n}");
            }
        })?;
        r.text(rec.reason.as_deref().unwrap_or(""))?;
        // The trace's queue and partition numbers (SWF fields 15, 16); empty when not given.
        for number in [job.queue, job.partition] {
            r.with(|b| {
                if let Some(n) = number {
                    let _ = write!(b, "{n}");
                }
            })?;
        }
        r.end()?;
    }
    r.c.flush()
}

/// `timeline.csv`: the sampled timeline.
pub fn write_timeline(path: &Path, out: &RunOutput) -> Result<()> {
    write_atomic(path, |w| timeline_csv(w, out))
}

/// The bytes of [`write_timeline`], written to `w`.
pub fn timeline_csv(w: &mut dyn Write, out: &RunOutput) -> std::io::Result<()> {
    let mut c = csv_writer(w);
    c.write_record([
        "time",
        "nodes_up",
        "util_cpu",
        "util_mem",
        "util_gpu",
        "queued",
        "running",
        "finished",
        "nodes_failed",
        "schedulers_down",
        "node_failures",
        "tasks_killed",
        "failed_dispatches",
        "placement_conflicts",
        "lost_submissions",
    ])
    .map_err(csv_err)?;
    for s in &out.timeline {
        c.write_record([
            fmt_time(s.time),
            s.nodes_up.to_string(),
            fmt_num(s.util[0]),
            fmt_num(s.util[1]),
            fmt_num(s.util[2]),
            s.queued.to_string(),
            s.running.to_string(),
            s.finished.to_string(),
            s.nodes_failed.to_string(),
            s.schedulers_down.to_string(),
            s.node_failures.to_string(),
            s.tasks_killed.to_string(),
            s.failed_dispatches.to_string(),
            s.placement_conflicts.to_string(),
            s.lost_submissions.to_string(),
        ])
        .map_err(csv_err)?;
    }
    c.flush()
}

/// Header of `summary.csv`: run identity, then every metric.
pub fn summary_header(m: &RunMetrics) -> Vec<String> {
    RunInfo::COLUMNS.iter().map(|s| s.to_string()).chain(m.columns().into_iter().map(|(k, _)| k.to_string())).collect()
}

/// One `summary.csv` row.
pub fn summary_row(info: &RunInfo, m: &RunMetrics) -> Vec<String> {
    info.values().into_iter().chain(m.columns().into_iter().map(|(_, v)| fmt_num(v))).collect()
}

/// `summary.csv` with one row per run.
pub fn write_summary(path: &Path, rows: &[(RunInfo, RunMetrics)]) -> Result<()> {
    write_atomic(path, |w| summary_csv(w, rows))
}

/// The bytes of [`write_summary`], written to `w`.
pub fn summary_csv(w: &mut dyn Write, rows: &[(RunInfo, RunMetrics)]) -> std::io::Result<()> {
    let mut c = csv_writer(w);
    if let Some((_, m)) = rows.first() {
        c.write_record(summary_header(m)).map_err(csv_err)?;
    }
    for (info, m) in rows {
        c.write_record(summary_row(info, m)).map_err(csv_err)?;
    }
    c.flush()
}

/// `tiers.csv` or `users.csv`: one row per group.
pub fn write_groups(path: &Path, key: &str, names: &[String], groups: &[GroupStats]) -> Result<()> {
    write_atomic(path, |w| groups_csv(w, key, names, groups))
}

/// The bytes of [`write_groups`], written to `w`.
pub fn groups_csv(w: &mut dyn Write, key: &str, names: &[String], groups: &[GroupStats]) -> std::io::Result<()> {
    let total_core_h: f64 = groups.iter().map(|g| g.core_hours).sum();
    let mut c = csv_writer(w);
    c.write_record([
        key,
        "jobs",
        "completed",
        "failed",
        "cancelled",
        "unfinished",
        "not_submitted",
        "wait_mean",
        "wait_p95",
        "wait_p99",
        "wait_max",
        "bsld_mean",
        "starved",
        "starved_frac",
        "core_hours",
        "share",
    ])
    .map_err(csv_err)?;
    for (i, g) in groups.iter().enumerate() {
        let name = names.get(i).cloned().unwrap_or_else(|| i.to_string());
        let share = if total_core_h > 0.0 { g.core_hours / total_core_h } else { 0.0 };
        c.write_record([
            name,
            g.jobs.to_string(),
            g.completed.to_string(),
            g.failed.to_string(),
            g.cancelled.to_string(),
            g.unfinished.to_string(),
            g.not_submitted.to_string(),
            fmt_num(g.wait_mean),
            fmt_num(g.wait_p95),
            fmt_num(g.wait_p99),
            fmt_num(g.wait_max),
            fmt_num(g.bsld_mean),
            g.starved.to_string(),
            fmt_num(g.starved_frac),
            fmt_num(g.core_hours),
            fmt_num(share),
        ])
        .map_err(csv_err)?;
    }
    c.flush()
}

/// `events.csv`: the event log.
pub fn write_events(path: &Path, out: &RunOutput) -> Result<()> {
    let Some(log) = &out.log else { return Ok(()) };
    write_atomic(path, |w| {
        let mut c = csv_writer(w);
        c.write_record(["time", "event", "job", "node", "detail"]).map_err(csv_err)?;
        for e in log {
            c.write_record([
                fmt_time(e.time),
                e.kind.to_string(),
                e.job.map(|j| out.workload.jobs[j as usize].id.to_string()).unwrap_or_default(),
                e.node.map(|n| n.to_string()).unwrap_or_default(),
                e.detail.clone(),
            ])
            .map_err(csv_err)?;
        }
        c.flush()
    })
}

/// `manifest.json`: tool version, scenario hash, seed, policies, window.
pub fn write_manifest(path: &Path, info: &RunInfo, out: &RunOutput) -> Result<()> {
    let manifest = serde_json::json!({
        "tool": "clustersim",
        "version": env!("CARGO_PKG_VERSION"),
        "run_id": info.run_id,
        "scenario": info.scenario,
        "scenario_hash": info.scenario_hash,
        "seed": info.seed,
        "policies": {
            "selection": info.selection,
            "allocation": info.allocation,
            "queue": info.queue,
            "recovery": info.recovery,
        },
        "jobs": out.workload.jobs.len(),
        "nodes": out.cluster.nodes.len(),
        "window_s": [as_secs_f64(out.window.0), as_secs_f64(out.window.1)],
        "skipped_input": skipped_input(&out.workload.skipped),
        "input_notes": out.workload.skipped.notes,
    });
    write_atomic(path, |w| {
        serde_json::to_writer_pretty(&mut *w, &manifest).map_err(std::io::Error::other)?;
        w.write_all(b"\n")
    })
}

/// The manifest's `skipped_input`: one `{reason, count, first_line}` per reason (`first_line` when known).
fn skipped_input(skipped: &crate::model::SkipReport) -> Vec<serde_json::Value> {
    (skipped.reasons.iter().enumerate())
        .map(|(i, (reason, count))| match skipped.first_line(i) {
            Some(line) => serde_json::json!({"reason": reason, "count": count, "first_line": line}),
            None => serde_json::json!({"reason": reason, "count": count}),
        })
        .collect()
}
