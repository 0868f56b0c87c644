//! The fault chart: what failures cost, per configuration — work lost, node availability, scheduler
//! downtime and tasks killed — each panel drawn when its metric is in the results and not at its
//! fault-free value everywhere. Node failures, an input of the fault model, are not shown as an outcome.

use super::bars::{legend, log_if_spread, metric_panel, seeds_note, wait_unit};
use super::chart::{BarChart, Chart, Fmt, Panel};
use super::data::Study;

/// True for the columns the report's table lists as fault metrics (when non-zero somewhere).
pub fn is_fault_metric(m: &str) -> bool {
    (m.contains("lost") && (m.ends_with("core_h") || m.ends_with("core_s")))
        || m.contains("downtime")
        || m == "node_failures"
}

/// The largest mean of `metric` over all configurations.
fn largest(study: &Study, metric: &str) -> f64 {
    (0..study.configs.len()).filter_map(|c| study.metric(c, metric)).map(|(m, _)| m).fold(0.0, f64::max)
}

/// True when some configuration's mean of `metric` differs from `clean`, its value without faults.
fn moved(study: &Study, metric: &str, clean: f64) -> bool {
    (0..study.configs.len()).any(|c| study.metric(c, metric).is_some_and(|(v, _)| v != clean))
}

/// The outcome panels that have something to show, in reading order.
fn panels(study: &Study) -> Vec<Panel> {
    let (div, unit) = wait_unit(largest(study, "scheduler_downtime"));
    let downtime = format!("time not scheduling ({unit})");
    // (metric, its fault-free value, panel title, y axis, scale, format)
    let outcomes: [(&str, f64, &str, &str, f64, Fmt); 4] = [
        ("work_lost_core_s", 0.0, "work lost ↓", "work lost to failures (core-hours)", 1.0 / 3600.0, Fmt::Count),
        ("availability", 1.0, "node availability ↑", "node-time up (% of node-time)", 100.0, Fmt::Plain),
        ("scheduler_downtime", 0.0, "scheduler downtime ↓", &downtime, 1.0 / div, Fmt::Plain),
        ("tasks_killed", 0.0, "tasks killed ↓", "tasks killed by failures", 1.0, Fmt::Count),
    ];
    outcomes
        .into_iter()
        .filter(|(metric, clean, ..)| moved(study, metric, *clean))
        .map(|(metric, _, title, y, scale, fmt)| {
            let panel = metric_panel(study, metric, title, y, scale, fmt);
            if metric == "availability" {
                // A share: the axis stops at 100 % and stays linear.
                Panel { y_cap: Some(100.0), ..panel }
            } else {
                log_if_spread(panel)
            }
        })
        .collect()
}

/// What failures cost, one panel per outcome that moved (at most four); `None` when none did.
pub fn chart(study: &Study) -> Option<Chart> {
    let panels = panels(study);
    if panels.is_empty() {
        return None;
    }
    Some(Chart::Bars(BarChart {
        title: "What failures cost (↓ lower is better, ↑ higher is better)".into(),
        panels,
        legend: legend(study),
        note: Some(seeds_note(study)),
    }))
}
