//! Curves against the swept load: cpu utilization and 95th-percentile wait, one line per
//! configuration, with 95% confidence whiskers at each measured load.

use super::bars::{seeds_note, wait_unit};
use super::chart::{Chart, Fmt, Line, LineChart};
use super::data::Study;

fn curve(study: &Study, metric: &str, title: &str, y_desc: &str, scale: f64, y_max: Option<f64>) -> Option<Chart> {
    let col = study.load_col.as_ref()?;
    if !study.has_metric(metric) {
        return None;
    }
    let loads = study.loads();
    let (lo, hi) = (loads.first().copied().unwrap_or(0.0), loads.last().copied().unwrap_or(1.0));
    // Series side by side at each load (a 1% nudge apart) so their whiskers do not hide each other.
    let n = study.series.len() as f64;
    let nudge = |s: usize| (s as f64 - (n - 1.0) / 2.0) * (hi - lo).max(1e-9) * 0.01;
    let mut lines = Vec::new();
    for (s, series) in study.series.iter().enumerate() {
        let mut pts: Vec<(f64, f64, Option<f64>)> = (0..study.configs.len())
            .filter(|&c| study.configs[c].series == s)
            .filter_map(|c| {
                let (m, ci) = study.metric(c, metric)?;
                Some((study.configs[c].load? + nudge(s), m * scale, ci.map(|e| e * scale)))
            })
            .collect();
        pts.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut line = Line::new(series.label.clone(), series.style.colour, pts.iter().map(|p| (p.0, p.1)).collect());
        line.errors = pts.iter().map(|p| p.2).collect();
        line.markers = true;
        line.dashed = series.style.variant;
        lines.push(line);
    }
    let pad = (hi - lo).max(1e-9) * 0.04;
    Some(Chart::Lines(LineChart {
        title: title.into(),
        x_desc: format!("offered {col}"),
        y_desc: y_desc.into(),
        x_range: (lo - pad, hi + pad),
        x_fmt: Fmt::Plain,
        x_ticks: Some(loads),
        y_max,
        y_fmt: Fmt::Plain,
        lines,
        bands: Vec::new(),
        band_label: String::new(),
        note: Some(seeds_note(study)),
    }))
}

/// Mean cpu utilization against load.
pub fn utilization(study: &Study) -> Option<Chart> {
    curve(study, "util_cpu", "CPU utilization vs load", "allocated / capacity of up cpus (%)", 100.0, Some(100.0))
}

/// 95th-percentile wait against load.
pub fn tail_wait(study: &Study) -> Option<Chart> {
    let top = (0..study.configs.len()).filter_map(|c| study.metric(c, "wait_p95")).map(|(m, _)| m).fold(0.0, f64::max);
    let (div, unit) = wait_unit(top);
    curve(study, "wait_p95", "95th-percentile wait vs load", &format!("wait ({unit})"), 1.0 / div, None)
}
