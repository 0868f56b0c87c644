//! Charts over time of one run: utilization per resource (node-down periods shaded), queue length,
//! running jobs; and, for a sweep, queue length and cpu utilization of each configuration overlaid.

use super::chart::{Chart, Fmt, Line, LineChart};
use super::data::Timeline;
use super::style::{self, MAX_POINTS, TimeUnit, colour, downsample_minmax};

/// The x axis of a timeline: unit, description and range.
fn time_axis(span: f64) -> (TimeUnit, String, (f64, f64)) {
    let unit = TimeUnit::for_span(span);
    (unit, format!("time since first submission ({})", unit.name), (0.0, (span / unit.seconds).max(1e-9)))
}

fn span(tl: &Timeline) -> f64 {
    tl.time.last().copied().unwrap_or(0.0)
}

fn scaled(xs: &[f64], unit: TimeUnit) -> Vec<f64> {
    xs.iter().map(|t| t / unit.seconds).collect()
}

fn base(title: &str, y_desc: &str, span: f64) -> (TimeUnit, LineChart) {
    let (unit, x_desc, x_range) = time_axis(span);
    let chart = LineChart {
        title: title.to_string(),
        x_desc,
        y_desc: y_desc.to_string(),
        x_range,
        x_fmt: Fmt::Plain,
        x_ticks: None,
        y_max: None,
        y_fmt: Fmt::Count,
        lines: Vec::new(),
        bands: Vec::new(),
        band_label: "node(s) down".into(),
        note: None,
    };
    (unit, chart)
}

fn bands(tl: &Timeline, unit: TimeUnit) -> Vec<(f64, f64)> {
    tl.down_periods().into_iter().map(|(a, b)| (a / unit.seconds, b / unit.seconds)).collect()
}

/// Utilization of each resource the cluster has, 0–100 %, with node-down periods shaded.
pub fn utilization(tl: &Timeline) -> Chart {
    let (unit, mut c) = base("Utilization of up capacity", "allocated / capacity of up nodes (%)", span(tl));
    let xs = scaled(&tl.time, unit);
    for (k, name) in ["cpu", "memory", "gpu"].iter().enumerate() {
        if k == 0 || tl.uses(k) {
            let pct: Vec<f64> = tl.util[k].iter().map(|u| u * 100.0).collect();
            c.lines.push(Line::new(*name, colour(k), downsample_minmax(&xs, &pct, MAX_POINTS)));
        }
    }
    c.y_max = Some(100.0);
    c.y_fmt = Fmt::Plain;
    c.bands = bands(tl, unit);
    Chart::Lines(c)
}

/// Jobs waiting in the queue over time.
pub fn queue(tl: &Timeline) -> Chart {
    let (unit, mut c) = base("Queue length", "jobs waiting", span(tl));
    let xs = scaled(&tl.time, unit);
    c.lines.push(Line::new("", colour(0), downsample_minmax(&xs, &tl.queued, MAX_POINTS)));
    c.bands = bands(tl, unit);
    Chart::Lines(c)
}

/// Jobs running over time.
pub fn running(tl: &Timeline) -> Chart {
    let (unit, mut c) = base("Running jobs", "jobs running", span(tl));
    let xs = scaled(&tl.time, unit);
    c.lines.push(Line::new("", colour(2), downsample_minmax(&xs, &tl.running, MAX_POINTS)));
    c.bands = bands(tl, unit);
    Chart::Lines(c)
}

/// What an overlay plots.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Overlay {
    Queue,
    CpuUtilization,
}

/// One line per configuration (its representative run), coloured as everywhere in the study.
pub fn overlay(what: Overlay, runs: &[(String, usize, Timeline)], note: String) -> Chart {
    let longest = runs.iter().map(|(_, _, tl)| span(tl)).fold(0.0, f64::max);
    let (title, y_desc) = match what {
        Overlay::Queue => ("Queue length by configuration", "jobs waiting"),
        Overlay::CpuUtilization => ("CPU utilization by configuration", "allocated / capacity of up cpus (%)"),
    };
    let (unit, mut c) = base(title, y_desc, longest);
    for (label, series, tl) in runs {
        let xs = scaled(&tl.time, unit);
        let ys: Vec<f64> = match what {
            Overlay::Queue => tl.queued.clone(),
            Overlay::CpuUtilization => tl.util[0].iter().map(|u| u * 100.0).collect(),
        };
        let mut line = Line::new(label.clone(), colour(*series), downsample_minmax(&xs, &ys, MAX_POINTS));
        line.dashed = *series >= style::PALETTE.len();
        c.lines.push(line);
    }
    if what == Overlay::CpuUtilization {
        c.y_max = Some(100.0);
        c.y_fmt = Fmt::Plain;
    }
    c.note = Some(note);
    Chart::Lines(c)
}
