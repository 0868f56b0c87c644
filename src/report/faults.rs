//! The fault chart: work lost and downtime per configuration, when the results carry fault
//! metrics (any `*lost*core_h`, `*downtime*` or `node_failures` column with a non-zero mean).

use super::bars::{legend, metric_panel, seeds_note};
use super::chart::{BarChart, Chart, Fmt};
use super::data::Study;

/// A fault metric's panel title and y-axis text, from its column name.
fn describe(metric: &str) -> (String, String) {
    let unit = if metric.ends_with("_core_h") {
        "core-hours"
    } else if metric.ends_with("_h") {
        "hours"
    } else if metric.ends_with("_s") {
        "seconds"
    } else {
        "count"
    };
    let words = metric.trim_end_matches("_core_h").trim_end_matches("_h").trim_end_matches("_s").replace('_', " ");
    (words.clone(), format!("{words} ({unit})"))
}

/// True for the columns the fault chart shows.
pub fn is_fault_metric(m: &str) -> bool {
    (m.contains("lost") && m.ends_with("core_h")) || m.contains("downtime") || m == "node_failures"
}

/// Work lost and downtime, one panel per fault metric that is non-zero somewhere (at most four).
pub fn chart(study: &Study) -> Option<Chart> {
    let metrics: Vec<String> = study
        .metric_names()
        .into_iter()
        .filter(|m| is_fault_metric(m))
        .filter(|m| (0..study.configs.len()).any(|c| study.metric(c, m).is_some_and(|(v, _)| v != 0.0)))
        .take(4)
        .collect();
    if metrics.is_empty() {
        return None;
    }
    let panels = metrics
        .iter()
        .map(|m| {
            let (title, y) = describe(m);
            metric_panel(study, m, &title, &y, 1.0, Fmt::Plain)
        })
        .collect();
    Some(Chart::Bars(BarChart {
        title: "Faults: work lost and downtime (lower is better)".into(),
        panels,
        legend: legend(study),
        note: Some(seeds_note(study)),
    }))
}
