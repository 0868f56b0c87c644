//! Curves against the swept load: cpu utilization and 95th-percentile wait, one line per
//! configuration, with 95% confidence whiskers at each measured load. With many configurations the
//! utilization chart draws the best and the worst (at the top load) in colour and the rest in grey.

use super::bars::{seeds_note, wait_unit};
use super::chart::{Chart, Fmt, Line, LineChart, spans_decades};
use super::data::Study;
use super::style::{fmt_short, readable_key};
use plotters::style::RGBColor;

/// The context lines' grey: lighter than the axis, so the highlighted lines stand out.
const GREY: RGBColor = RGBColor(0xC4, 0xC4, 0xC4);

/// Above this many configurations the utilization chart highlights only the best and the worst.
const HIGHLIGHT_OVER: usize = 4;

/// Each series' points (load, mean × scale, CI × scale), in load order.
fn series_points(study: &Study, metric: &str, scale: f64) -> Vec<Vec<(f64, f64, Option<f64>)>> {
    (0..study.series.len())
        .map(|s| {
            let mut pts: Vec<(f64, f64, Option<f64>)> = (0..study.configs.len())
                .filter(|&c| study.configs[c].series == s)
                .filter_map(|c| {
                    let (m, ci) = study.metric(c, metric)?;
                    Some((study.configs[c].load?, m * scale, ci.map(|e| e * scale)))
                })
                .collect();
            pts.sort_by(|a, b| a.0.total_cmp(&b.0));
            pts
        })
        .collect()
}

/// The chart around `lines` (x: the swept load).
fn frame(study: &Study, title: &str, y_desc: &str, lines: Vec<Line>, spread: f64) -> Option<LineChart> {
    let col = study.load_col.as_ref()?;
    let loads = study.loads();
    let (lo, hi) = (loads.first().copied().unwrap_or(0.0), loads.last().copied().unwrap_or(1.0));
    // Room for the outermost nudged marker and its whisker cap inside the frame.
    let pad = (hi - lo).max(1e-9) * (0.03 + spread);
    Some(LineChart {
        title: title.into(),
        x_desc: format!("offered {}", readable_key(col)),
        y_desc: y_desc.into(),
        x_range: (lo - pad, hi + pad),
        x_fmt: Fmt::Plain,
        x_ticks: Some(loads),
        y_max: None,
        y_min: None,
        y_fmt: Fmt::Plain,
        y_log: false,
        lines,
        bands: Vec::new(),
        band_label: String::new(),
        note: Some(seeds_note(study)),
    })
}

/// One line per configuration, side by side at each load (a 1% nudge apart) so whiskers do not hide
/// each other; returns the lines and how far (share of the load range) the outermost is nudged.
fn nudged_lines(study: &Study, points: &[Vec<(f64, f64, Option<f64>)>]) -> (Vec<Line>, f64) {
    let loads = study.loads();
    let range = (loads.last().copied().unwrap_or(1.0) - loads.first().copied().unwrap_or(0.0)).max(1e-9);
    let n = study.series.len() as f64;
    let nudge = |s: usize| (s as f64 - (n - 1.0) / 2.0) * 0.01;
    let lines = study
        .series
        .iter()
        .enumerate()
        .map(|(s, series)| {
            let pts = &points[s];
            let mut line = Line::new(
                series.label.clone(),
                series.style.colour,
                pts.iter().map(|p| (p.0 + nudge(s) * range, p.1)).collect(),
            );
            line.errors = pts.iter().map(|p| p.2).collect();
            line.markers = true;
            line.dashed = series.style.variant;
            line
        })
        .collect();
    (lines, (n - 1.0).max(0.0) / 2.0 * 0.01)
}

/// Mean cpu utilization against load. Past [`HIGHLIGHT_OVER`] configurations, the highest and the
/// lowest at the top load keep their colours and legend entries; the others are thin grey lines.
/// The y axis is zoomed to the data (utilizations sit within a few points of each other).
pub fn utilization(study: &Study) -> Option<Chart> {
    study.load_col.as_ref()?;
    if !study.has_metric("util_cpu") {
        return None;
    }
    let points = series_points(study, "util_cpu", 100.0);
    let (mut lines, mut spread) = nudged_lines(study, &points);
    let mut note = seeds_note(study);
    if lines.len() > HIGHLIGHT_OVER {
        let at_top = |s: usize| points[s].last().map(|p| p.1).unwrap_or(f64::NAN);
        let mut order: Vec<usize> = (0..lines.len()).filter(|&s| !at_top(s).is_nan()).collect();
        order.sort_by(|&a, &b| at_top(b).total_cmp(&at_top(a)).then(a.cmp(&b)));
        let (best, worst) = (order.first().copied(), order.last().copied());
        let others = lines.len() - 2;
        let mut grey = Vec::new();
        let mut shown = Vec::new();
        let loads = study.loads();
        let range = (loads.last().copied().unwrap_or(1.0) - loads.first().copied().unwrap_or(0.0)).max(1e-9);
        // The two highlighted lines just either side of each load, whatever their place in the study.
        spread = 0.008;
        let at = |s: usize, side: f64| points[s].iter().map(|p| (p.0 + side * spread * range, p.1)).collect();
        for (s, mut line) in lines.into_iter().enumerate() {
            if Some(s) == best {
                line.label = format!("highest: {}", line.label);
                line.points = at(s, -1.0);
                shown.insert(0, line);
            } else if Some(s) == worst {
                line.label = format!("lowest: {}", line.label);
                line.points = at(s, 1.0);
                shown.push(line);
            } else {
                // At the measured loads themselves (no nudge), light and unlabelled: context only.
                let mut g = Line::new("", GREY, points[s].iter().map(|p| (p.0, p.1)).collect());
                g.markers = false;
                grey.push(g);
            }
        }
        // Grey first, so the highlighted lines are drawn over them.
        lines = grey.into_iter().chain(shown).collect();
        let top = study.loads().last().map(|l| fmt_short(*l)).unwrap_or_default();
        note = format!("{note}; in colour the highest and lowest at load {top}, in grey the {others} others");
    }
    let lo = points.iter().flatten().map(|p| p.1 - p.2.unwrap_or(0.0)).fold(f64::INFINITY, f64::min);
    let hi = points.iter().flatten().map(|p| p.1 + p.2.unwrap_or(0.0)).fold(0.0, f64::max);
    let mut c = frame(study, "CPU utilization vs load", "allocated / capacity of up cpus (%)", lines, spread)?;
    // Whole tens around the data: a 0–100 axis would squeeze the curves into a band.
    c.y_min = Some(((lo - 2.0) / 10.0).floor().max(0.0) * 10.0);
    c.y_max = Some((((hi + 2.0) / 10.0).ceil() * 10.0).min(100.0));
    c.note = Some(note);
    Some(Chart::Lines(c))
}

/// 95th-percentile wait against load, on a log axis when the waits span two decades or more.
pub fn tail_wait(study: &Study) -> Option<Chart> {
    study.load_col.as_ref()?;
    if !study.has_metric("wait_p95") {
        return None;
    }
    let top = (0..study.configs.len()).filter_map(|c| study.metric(c, "wait_p95")).map(|(m, _)| m).fold(0.0, f64::max);
    let (div, unit) = wait_unit(top);
    let points = series_points(study, "wait_p95", 1.0 / div);
    let (lines, spread) = nudged_lines(study, &points);
    let values: Vec<f64> = points.iter().flatten().map(|p| p.1).collect();
    let log = spans_decades(&values);
    let y_desc = format!("wait ({unit}){}", if log { ", log scale" } else { "" });
    let mut c = frame(study, "95th-percentile wait vs load", &y_desc, lines, spread)?;
    c.y_log = log;
    Some(Chart::Lines(c))
}
