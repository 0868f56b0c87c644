//! Charts over time of one run: utilization per resource (node-down periods shaded), queue length,
//! running jobs; and, for a sweep, queue length and cpu utilization of each configuration overlaid.

use super::chart::{Chart, Fmt, Line, LineChart};
use super::data::Timeline;
use super::style::{MAX_POINTS, SeriesStyle, TimeUnit, bucket_stats, colour, downsample_minmax, fmt_duration};
use plotters::style::RGBColor;

/// Up to this many samples a line shows every sample; beyond, a mean per window over a min–max band.
const RAW_LIMIT: usize = 1500;
/// Windows a dense timeline is summarized in.
const WINDOWS: usize = 400;

/// A timeline line: the samples themselves when few, else window means over a min–max band
/// (`band` false: means only, for overlays where bands would hide each other).
fn series(label: &str, colour: RGBColor, xs: &[f64], ys: &[f64], band: bool) -> Line {
    if xs.len() <= RAW_LIMIT {
        return Line::new(label, colour, downsample_minmax(xs, ys, MAX_POINTS));
    }
    let stats = bucket_stats(xs, ys, WINDOWS);
    let mut line = Line::new(label, colour, stats.iter().map(|&(x, y, _, _)| (x, y)).collect());
    if band {
        line.band = stats.iter().map(|&(x, _, lo, hi)| (x, lo, hi)).collect();
    }
    line
}

/// The note a summarized timeline carries.
fn window_note(samples: usize, span_s: f64, band: bool) -> Option<String> {
    (samples > RAW_LIMIT).then(|| {
        let w = fmt_duration(span_s / WINDOWS.min(samples) as f64);
        if band {
            format!("{samples} samples: lines are means over {w} windows, shading the range within each window")
        } else {
            format!("lines are means over {w} windows")
        }
    })
}

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
        y_min: None,
        y_fmt: Fmt::Count,
        y_log: false,
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
            c.lines.push(series(name, colour(k), &xs, &pct, true));
        }
    }
    c.y_max = Some(100.0);
    c.y_fmt = Fmt::Plain;
    c.bands = bands(tl, unit);
    c.note = window_note(tl.time.len(), span(tl), true);
    Chart::Lines(c)
}

/// Jobs waiting in the queue over time.
pub fn queue(tl: &Timeline) -> Chart {
    let (unit, mut c) = base("Queue length", "jobs waiting", span(tl));
    let xs = scaled(&tl.time, unit);
    c.lines.push(series("", colour(0), &xs, &tl.queued, true));
    c.bands = bands(tl, unit);
    c.note = window_note(tl.time.len(), span(tl), true);
    Chart::Lines(c)
}

/// Jobs running over time.
pub fn running(tl: &Timeline) -> Chart {
    let (unit, mut c) = base("Running jobs", "jobs running", span(tl));
    let xs = scaled(&tl.time, unit);
    c.lines.push(series("", colour(2), &xs, &tl.running, true));
    c.bands = bands(tl, unit);
    c.note = window_note(tl.time.len(), span(tl), true);
    Chart::Lines(c)
}

/// What an overlay plots.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Overlay {
    Queue,
    CpuUtilization,
}

/// One line per configuration (its representative run), coloured as everywhere in the study.
pub fn overlay(what: Overlay, runs: &[(String, SeriesStyle, Timeline)], note: String) -> Chart {
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
        let mut line = self::series(label, series.colour, &xs, &ys, false);
        line.dashed = series.variant;
        c.lines.push(line);
    }
    if what == Overlay::CpuUtilization {
        c.y_max = Some(100.0);
        c.y_fmt = Fmt::Plain;
    }
    let samples = runs.iter().map(|(_, _, tl)| tl.time.len()).max().unwrap_or(0);
    c.note = Some(match window_note(samples, longest, false) {
        Some(w) => format!("{note}; {w}"),
        None => note,
    });
    Chart::Lines(c)
}
