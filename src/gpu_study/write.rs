//! The files of a GPU-sharing study: `summary.csv`, `comparison.csv`, `timeline.csv`,
//! `manifest.json`, and the table printed at the end of a run.

use super::{Study, StudyRun};
use crate::error::Result;
use crate::output::atomic::write_atomic;
use std::path::Path;

fn f6(x: f64) -> String {
    format!("{x:.6}")
}

fn opt(x: Option<f64>) -> String {
    x.map(f6).unwrap_or_default()
}

fn write_csv(path: &Path, header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Result<()> {
    write_atomic(path, |w| {
        let mut out = csv::Writer::from_writer(w);
        let e = |e: csv::Error| std::io::Error::other(e.to_string());
        out.write_record(header).map_err(e)?;
        for row in rows {
            out.write_record(&row).map_err(e)?;
        }
        out.flush()
    })
}

/// The metric columns of a study's `summary.csv`, in order (`clustersim check` knows them).
use crate::scenario::check::GPU_SHARING_METRICS as METRICS;

/// The header and rows of `summary.csv`: `run_id` (`trace/policy/repeat`), the run's identity, then
/// [`METRICS`].
pub fn summary_table(study: &Study) -> (Vec<String>, Vec<Vec<String>>) {
    let identity = ["run_id", "scenario", "trace", "policy", "repeat", "seed"];
    let header = identity.iter().chain(METRICS).map(|c| c.to_string()).collect();
    let rows = study
        .runs
        .iter()
        .map(|r| {
            let o = &r.outcome;
            let s = &o.final_sample;
            let trace = study.inputs.traces[r.trace].name.clone();
            vec![
                format!("{trace}/{}/{}", r.policy, r.repeat),
                study.scenario.name.clone(),
                trace,
                r.policy.clone(),
                r.repeat.to_string(),
                r.seed.to_string(),
                o.tasks.to_string(),
                o.gpu_tasks.to_string(),
                o.tasks_failed.to_string(),
                o.gpu_tasks_failed.to_string(),
                f6(o.gpu_demand),
                f6(s.gpu_alloc),
                f6(o.gpus_unallocated),
                f6(s.frag_ratio),
                f6(s.frag_gpus),
                f6(s.failed_gpu_share),
                opt(o.alloc_at_capacity),
                opt(o.first_failure_pct),
            ]
        })
        .collect();
    (header, rows)
}

/// `summary.csv`: one row per run.
pub fn summary(path: &Path, study: &Study) -> Result<()> {
    let (header, rows) = summary_table(study);
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    write_csv(path, &header, rows.into_iter())
}

/// Mean and sample standard deviation (0 for a single run).
fn mean_sd(xs: &[f64]) -> (f64, f64) {
    let e = crate::stats::estimate::estimate(xs);
    (e.mean, e.std.unwrap_or(0.0))
}

/// The runs of one (trace, policy), in study order.
pub fn groups(study: &Study) -> Vec<(usize, &str, Vec<&StudyRun>)> {
    let mut out: Vec<(usize, &str, Vec<&StudyRun>)> = Vec::new();
    for r in &study.runs {
        match out.last_mut() {
            Some((t, p, runs)) if *t == r.trace && *p == r.policy => runs.push(r),
            _ => out.push((r.trace, &r.policy, vec![r])),
        }
    }
    out
}

/// Mean unallocated GPUs of each (trace, policy).
fn unallocated(runs: &[&StudyRun]) -> f64 {
    crate::stats::mean(&runs.iter().map(|r| r.outcome.gpus_unallocated).collect::<Vec<_>>())
}

/// `comparison.csv`: per trace and policy, means and deviations over the repeats, and how many
/// fewer GPUs `fgd` leaves unallocated than the policy (when the study runs `fgd`).
pub fn comparison(path: &Path, study: &Study) -> Result<()> {
    let header = [
        "trace",
        "policy",
        "runs",
        "gpu_alloc_ratio_mean",
        "gpu_alloc_ratio_sd",
        "gpus_unallocated_mean",
        "gpus_unallocated_sd",
        "frag_ratio_mean",
        "failed_gpu_share_mean",
        "alloc_at_capacity_mean",
        "fgd_fewer_unallocated_pct",
    ];
    let groups = groups(study);
    let rows = groups.iter().map(|(trace, policy, runs)| {
        let col = |f: &dyn Fn(&StudyRun) -> f64| mean_sd(&runs.iter().map(|r| f(r)).collect::<Vec<_>>());
        let alloc = col(&|r| r.outcome.final_sample.gpu_alloc);
        let unalloc = col(&|r| r.outcome.gpus_unallocated);
        let frag = col(&|r| r.outcome.final_sample.frag_ratio);
        let failed = col(&|r| r.outcome.final_sample.failed_gpu_share);
        let at_cap: Vec<f64> = runs.iter().filter_map(|r| r.outcome.alloc_at_capacity).collect();
        let fgd = groups.iter().find(|(t, p, _)| t == trace && *p == "fgd").map(|(_, _, rs)| unallocated(rs));
        let gain = fgd.filter(|_| unalloc.0 > 0.0).map(|f| 100.0 * (unalloc.0 - f) / unalloc.0);
        vec![
            study.inputs.traces[*trace].name.clone(),
            policy.to_string(),
            runs.len().to_string(),
            f6(alloc.0),
            f6(alloc.1),
            f6(unalloc.0),
            f6(unalloc.1),
            f6(frag.0),
            f6(failed.0),
            if at_cap.is_empty() { String::new() } else { f6(crate::stats::mean(&at_cap)) },
            opt(gain),
        ]
    });
    write_csv(path, &header, rows)
}

/// `timeline.csv`: every run at every whole percent of arrived GPU demand.
pub fn timeline(path: &Path, study: &Study) -> Result<()> {
    let header = [
        "trace",
        "policy",
        "repeat",
        "arrived_pct",
        "tasks_arrived",
        "gpu_alloc_ratio",
        "frag_ratio",
        "frag_gpus",
        "tasks_failed",
        "failed_gpu_share",
    ];
    let rows = study.runs.iter().flat_map(|r| {
        r.outcome.samples.iter().map(move |s| {
            vec![
                study.inputs.traces[r.trace].name.clone(),
                r.policy.clone(),
                r.repeat.to_string(),
                s.arrived_pct.to_string(),
                s.tasks_arrived.to_string(),
                f6(s.gpu_alloc),
                f6(s.frag_ratio),
                f6(s.frag_gpus),
                s.tasks_failed.to_string(),
                f6(s.failed_gpu_share),
            ]
        })
    });
    write_csv(path, &header, rows)
}

/// `manifest.json`: what was run, on what, and what the readers noted; written last.
pub fn manifest(path: &Path, study: &Study) -> Result<()> {
    let sc = &study.scenario;
    let g = &sc.gpu_sharing;
    let traces: Vec<_> = study
        .inputs
        .traces
        .iter()
        .map(|t| {
            serde_json::json!({
                "name": t.name,
                "file": t.path.display().to_string(),
                "rows": t.rows,
                "tasks": t.tasks.len(),
                "typical_shapes": t.mix.tasks().len(),
                "input_notes": t.notes,
            })
        })
        .collect();
    let manifest = serde_json::json!({
        "tool": "clustersim",
        "version": env!("CARGO_PKG_VERSION"),
        "kind": "gpu_sharing",
        "scenario": sc.name,
        "seed": sc.seed,
        "nodes": study.inputs.nodes.len(),
        "gpus": study.inputs.gpu_capacity() as f64 / 1000.0,
        "gpu_models": study.inputs.models.names(),
        "policies": g.policies,
        "inflation": g.inflation,
        "repeats": g.repeats,
        "typical": g.typical,
        "traces": traces,
    });
    write_atomic(path, |w| {
        serde_json::to_writer_pretty(&mut *w, &manifest).map_err(std::io::Error::other)?;
        w.write_all(b"\n")
    })
}

/// Per trace, one line per policy: allocated share, unallocated GPUs (mean ± sd) and FGD's gain.
pub fn table(study: &Study) -> String {
    let mut out = String::new();
    let mut last = usize::MAX;
    let groups = groups(study);
    for (trace, policy, runs) in &groups {
        if *trace != last {
            last = *trace;
            let t = &study.inputs.traces[*trace];
            out.push_str(&format!(
                "\n{} ({} tasks, {} after inflation)\n  {:<16} {:>10} {:>18} {:>10}\n",
                t.name,
                t.tasks.len(),
                runs[0].outcome.tasks,
                "policy",
                "allocated",
                "GPUs unallocated",
                "frag",
            ));
        }
        let (alloc, _) = mean_sd(&runs.iter().map(|r| r.outcome.final_sample.gpu_alloc).collect::<Vec<_>>());
        let (un, sd) = mean_sd(&runs.iter().map(|r| r.outcome.gpus_unallocated).collect::<Vec<_>>());
        let (frag, _) = mean_sd(&runs.iter().map(|r| r.outcome.final_sample.frag_ratio).collect::<Vec<_>>());
        out.push_str(&format!(
            "  {:<16} {:>9.2}% {:>18} {:>9.1}%\n",
            policy,
            100.0 * alloc,
            format!("{un:.1} ± {sd:.1}"),
            100.0 * frag
        ));
    }
    out
}
