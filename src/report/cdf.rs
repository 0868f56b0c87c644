//! The wait-time CDF: the share of started jobs that waited at most x, on a log time axis, one
//! line per configuration (its runs pooled over seeds).

use super::chart::{Chart, Fmt, Line, LineChart};
use super::style::{self, MAX_POINTS, SeriesStyle, cdf_points, duration_ceiling, duration_ticks};

/// Waits shorter than this are drawn at it: a log axis has no zero.
pub const FLOOR_S: f64 = 1.0;

/// One line per (label, series style, sorted waits in seconds).
pub fn wait_cdf(lines: &[(String, SeriesStyle, Vec<f64>)], note: Option<String>) -> Chart {
    let max_wait = lines.iter().filter_map(|(_, _, w)| w.last().copied()).fold(FLOOR_S, f64::max);
    let hi = duration_ceiling(max_wait.max(10.0));
    let ticks: Vec<f64> = duration_ticks(FLOOR_S, hi).into_iter().map(f64::log10).collect();
    let drawn = lines
        .iter()
        .map(|(label, series, waits)| {
            let pts = cdf_points(waits, FLOOR_S, MAX_POINTS).into_iter().map(|(x, y)| (x.log10(), y * 100.0)).collect();
            let mut line = Line::new(label.clone(), series.colour, pts);
            line.dashed = series.variant;
            line
        })
        .collect();
    let floor_note =
        format!("waits under {} are drawn at {}", style::fmt_duration(FLOOR_S), style::fmt_duration(FLOOR_S));
    Chart::Lines(LineChart {
        title: "Wait time distribution".into(),
        x_desc: "wait (first start − submit), log scale".into(),
        y_desc: "started jobs that waited at most this long (%)".into(),
        x_range: (FLOOR_S.log10(), hi.log10()),
        x_fmt: Fmt::LogDuration,
        x_ticks: Some(ticks),
        y_max: Some(100.0),
        y_min: None,
        y_fmt: Fmt::Plain,
        y_log: false,
        lines: drawn,
        bands: Vec::new(),
        band_label: String::new(),
        note: Some(match note {
            Some(n) => format!("{n}; {floor_note}"),
            None => floor_note,
        }),
    })
}
