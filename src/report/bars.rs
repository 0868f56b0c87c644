//! Bar charts of a sweep's comparison (mean over seeds, 95% confidence whiskers): bounded
//! slowdown, tail waits (p95, p99) and Jain fairness. Bars are grouped by load when the sweep varies it.

use super::chart::{Bar, BarChart, Chart, Fmt, Panel, spans_decades};
use super::data::Study;
use super::style::{fmt_short, readable_key};

/// The legend every comparison chart shares: one colour per configuration.
pub fn legend(study: &Study) -> Vec<(String, plotters::style::RGBColor)> {
    let mut series: Vec<&super::data::Series> = study.series.iter().collect();
    series.sort_by_key(|s| s.order);
    series.iter().map(|s| (s.label.clone(), s.style.fill())).collect()
}

/// How the bars were computed, from the `runs` column.
pub fn seeds_note(study: &Study) -> String {
    let runs: Vec<f64> =
        (0..study.configs.len()).filter_map(|c| study.comparison.num_by(study.configs[c].row, "runs")).collect();
    let (lo, hi) = (runs.iter().copied().fold(f64::MAX, f64::min), runs.iter().copied().fold(0.0, f64::max));
    let n = if runs.is_empty() {
        "?".to_string()
    } else if lo == hi {
        fmt_short(lo)
    } else {
        format!("{}–{}", fmt_short(lo), fmt_short(hi))
    };
    if hi > 1.0 {
        format!("mean over {n} seeds per configuration; whiskers: 95% confidence interval")
    } else {
        format!("{n} seed per configuration: no confidence interval")
    }
}

/// Group names and each configuration's group: the loads when swept, else one unnamed group.
pub fn load_groups(study: &Study) -> (Vec<String>, Vec<usize>, String) {
    let loads = study.loads();
    match &study.load_col {
        Some(col) => {
            let names = loads.iter().map(|l| fmt_short(*l)).collect();
            let group = study
                .configs
                .iter()
                .map(|c| c.load.and_then(|l| loads.iter().position(|x| *x == l)).unwrap_or(0))
                .collect();
            (names, group, format!("offered {}", readable_key(col)))
        }
        None => (vec![String::new()], vec![0; study.configs.len()], String::new()),
    }
}

/// One panel of `metric` (its `_mean` and `_ci95` columns) × `scale`.
pub fn metric_panel(study: &Study, metric: &str, title: &str, y_desc: &str, scale: f64, fmt: Fmt) -> Panel {
    let (groups, group_of, x_desc) = load_groups(study);
    let bars = (0..study.configs.len())
        .filter_map(|c| {
            let (mean, ci) = study.metric(c, metric)?;
            let series = study.configs[c].series;
            Some(Bar {
                group: group_of[c],
                slot: study.series[series].order,
                colour: study.series[series].style.fill(),
                value: mean * scale,
                ci: ci.map(|e| e * scale),
            })
        })
        .collect();
    Panel { title: title.into(), y_desc: y_desc.into(), x_desc, groups, bars, y_fmt: fmt, y_cap: None, y_log: false }
}

/// `panel` on a log axis when its bars span two decades or more (the small ones would vanish).
pub fn log_if_spread(mut panel: Panel) -> Panel {
    let values: Vec<f64> = panel.bars.iter().map(|b| b.value).collect();
    if spans_decades(&values) {
        panel.y_log = true;
        panel.y_desc.push_str(", log scale");
    }
    panel
}

/// Mean bounded slowdown per configuration.
pub fn slowdown(study: &Study) -> Option<Chart> {
    study.has_metric("bsld_mean").then(|| {
        Chart::Bars(BarChart {
            title: "Mean bounded slowdown (lower is better)".into(),
            panels: vec![log_if_spread(metric_panel(study, "bsld_mean", "", "bounded slowdown", 1.0, Fmt::Plain))],
            legend: legend(study),
            note: Some(seeds_note(study)),
        })
    })
}

/// The largest value of `metric` + CI over all configurations.
fn top(study: &Study, metric: &str) -> f64 {
    (0..study.configs.len())
        .filter_map(|c| study.metric(c, metric))
        .map(|(m, ci)| m + ci.unwrap_or(0.0))
        .fold(0.0, f64::max)
}

/// A unit for waits up to `max_s` seconds: (divisor, name).
pub fn wait_unit(max_s: f64) -> (f64, &'static str) {
    if max_s >= 2.0 * 86400.0 {
        (86400.0, "days")
    } else if max_s >= 2.0 * 3600.0 {
        (3600.0, "h")
    } else if max_s >= 120.0 {
        (60.0, "min")
    } else {
        (1.0, "s")
    }
}

/// 95th and 99th percentile waits side by side, in one unit.
pub fn tail_waits(study: &Study) -> Option<Chart> {
    if !study.has_metric("wait_p95") || !study.has_metric("wait_p99") {
        return None;
    }
    let (div, unit) = wait_unit(top(study, "wait_p99").max(top(study, "wait_p95")));
    let y = format!("wait ({unit})");
    Some(Chart::Bars(BarChart {
        title: "Tail wait times (lower is better)".into(),
        panels: vec![
            log_if_spread(metric_panel(study, "wait_p95", "95th percentile", &y, 1.0 / div, Fmt::Plain)),
            log_if_spread(metric_panel(study, "wait_p99", "99th percentile", &y, 1.0 / div, Fmt::Plain)),
        ],
        legend: legend(study),
        note: Some(seeds_note(study)),
    }))
}

/// Jain's fairness index over users' mean bounded slowdown (1 = perfectly even).
pub fn fairness(study: &Study) -> Option<Chart> {
    study.has_metric("jain_bsld").then(|| {
        let mut panel =
            metric_panel(study, "jain_bsld", "", "Jain's index of users' mean slowdown (1 = equal)", 1.0, Fmt::Plain);
        panel.y_cap = Some(1.0);
        Chart::Bars(BarChart {
            title: "Fairness across users (higher is fairer)".into(),
            panels: vec![panel],
            legend: legend(study),
            note: Some(seeds_note(study)),
        })
    })
}
