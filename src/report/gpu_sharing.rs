//! The charts of a GPU-sharing study: per trace, the GPUs left unallocated as the arrived GPU demand
//! grows from 80 % of the cluster's GPUs to the end (one line per policy, the mean over repeats: the
//! curve of Weng et al.'s Fig. 7), and the GPUs each policy leaves unallocated at the end (bars with
//! 95 % whiskers, one group per trace).

use super::chart::{self, Bar, BarChart, Chart, Fmt, Line, LineChart, Panel};
use super::style::colour;
use crate::error::Result;
use crate::gpu_study::{Study, groups};
use crate::output::atomic::write_atomic;
use std::path::Path;

/// Where the per-trace curves start, in percent of arrived demand (below it every policy places all).
const FROM_PCT: u32 = 80;

/// Writes `charts/gpu_allocation_<trace>.{svg,png}` and `charts/gpu_unallocated.{svg,png}`.
pub fn draw(dir: &Path, study: &Study) -> Result<()> {
    let policies = &study.scenario.gpu_sharing.policies;
    let slot = |p: &str| policies.iter().position(|q| q == p).unwrap_or(0);
    let groups = groups(study);
    let name = &study.scenario.name;
    let gpus = study.inputs.gpu_capacity() as f64 / 1000.0;
    let mut charts: Vec<(String, Chart)> = Vec::new();
    for (t, trace) in study.inputs.traces.iter().enumerate() {
        let mut lines = Vec::new();
        let mut x_max: f64 = 100.0;
        for (_, policy, runs) in groups.iter().filter(|(gt, _, _)| *gt == t) {
            let n = runs.iter().map(|r| r.outcome.samples.len()).min().unwrap_or(0);
            let points: Vec<(f64, f64)> = (0..n)
                .filter(|&i| runs[0].outcome.samples[i].arrived_pct >= FROM_PCT)
                .map(|i| {
                    let x = runs[0].outcome.samples[i].arrived_pct as f64;
                    let y = runs.iter().map(|r| r.outcome.samples[i].gpu_alloc).sum::<f64>() / runs.len() as f64;
                    (x, (1.0 - y) * gpus)
                })
                .collect();
            x_max = x_max.max(points.last().map_or(0.0, |p| p.0));
            lines.push(Line::new(policy.to_string(), colour(slot(policy)), points));
        }
        let chart = LineChart {
            title: format!("{name}: GPUs left unallocated as demand arrives ({})", trace.name),
            x_desc: "arrived GPU demand (% of the cluster's GPUs)".into(),
            y_desc: "GPUs unallocated (lower is better)".into(),
            x_range: (FROM_PCT as f64, x_max),
            x_fmt: Fmt::Plain,
            x_ticks: None,
            y_max: None,
            y_min: None,
            y_fmt: Fmt::Count,
            y_log: false,
            lines,
            bands: Vec::new(),
            band_label: String::new(),
            note: Some(format!(
                "{gpus:.0} GPUs in all. Tasks arrive one by one and never leave; a line levels off once tasks start to fail."
            )),
        };
        charts.push((format!("gpu_allocation_{}", trace.name), Chart::Lines(chart)));
    }
    let mut bars = Vec::new();
    for (t, policy, runs) in &groups {
        let xs: Vec<f64> = runs.iter().map(|r| r.outcome.gpus_unallocated).collect();
        let e = crate::stats::estimate::estimate(&xs);
        bars.push(Bar { group: *t, slot: slot(policy), colour: colour(slot(policy)), value: e.mean, ci: e.ci95 });
    }
    let panel = Panel {
        title: String::new(),
        y_desc: "GPUs left unallocated at the end".into(),
        x_desc: "trace".into(),
        groups: study.inputs.traces.iter().map(|t| t.name.trim_start_matches("openb_pod_list_").to_string()).collect(),
        bars,
        y_fmt: Fmt::Count,
        y_cap: None,
        y_log: false,
    };
    let legend = policies.iter().enumerate().map(|(i, p)| (p.clone(), colour(i))).collect();
    let bars = BarChart {
        title: format!(
            "{name}: GPUs unallocated at {:.0} % demand (lower is better)",
            100.0 * study.scenario.gpu_sharing.inflation
        ),
        panels: vec![panel],
        legend,
        note: Some("Mean over repeats; whiskers: 95 % confidence interval (Student t).".into()),
    };
    charts.push(("gpu_unallocated".into(), Chart::Bars(bars)));
    let base = dir.join("charts");
    for (stem, c) in charts {
        let r = chart::render(&c)?;
        write_atomic(&base.join(format!("{stem}.svg")), |w| w.write_all(r.svg.as_bytes()))?;
        write_atomic(&base.join(format!("{stem}.png")), |w| w.write_all(&r.png))?;
    }
    Ok(())
}
