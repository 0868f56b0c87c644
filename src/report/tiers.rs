//! Starvation by tier: the share of each tier's jobs that waited longer than the starvation
//! threshold (from each run's `tiers.csv`), one bar per configuration, grouped by tier.

use super::chart::{Bar, BarChart, Chart, Fmt, Panel};
use super::data::{Study, Table};
use super::style::SeriesStyle;
use crate::error::Result;
use std::path::Path;

/// Two-sided 95% Student t quantiles for 1..=30 degrees of freedom.
const T95: [f64; 30] = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120,
    2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/// Mean and 95% confidence half-width (Student t) of `v`; no interval for fewer than two values.
pub fn mean_ci95(v: &[f64]) -> (f64, Option<f64>) {
    let n = v.len();
    if n == 0 {
        return (0.0, None);
    }
    let mean = v.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return (mean, None);
    }
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let t = T95.get(n - 2).copied().unwrap_or(1.96);
    (mean, Some(t * (var / n as f64).sqrt()))
}

/// (tier name, starved fraction) of one run's `tiers.csv`.
pub fn read_tiers(path: &Path) -> Result<Vec<(String, f64)>> {
    let t = Table::read(path)?;
    let (name, frac) = (t.require("tier")?, t.require("starved_frac")?);
    Ok((0..t.rows.len()).map(|r| (t.text(r, name).to_string(), t.num(r, frac).unwrap_or(0.0))).collect())
}

/// One run's tier table: (tier, starved fraction) rows.
pub type TierRows = Vec<(String, f64)>;

/// The chart from per-configuration lists of runs' tier tables: (bar slot, series style, one table per run).
pub fn starvation(
    configs: &[(usize, SeriesStyle, Vec<TierRows>)],
    legend: Vec<(String, plotters::style::RGBColor)>,
    note: String,
) -> Chart {
    let mut tiers: Vec<String> = Vec::new();
    for (_, _, runs) in configs {
        for run in runs {
            for (name, _) in run {
                if !tiers.contains(name) {
                    tiers.push(name.clone());
                }
            }
        }
    }
    let mut bars = Vec::new();
    for (series, style, runs) in configs {
        for (g, tier) in tiers.iter().enumerate() {
            let values: Vec<f64> =
                runs.iter().filter_map(|run| run.iter().find(|(n, _)| n == tier).map(|(_, f)| f * 100.0)).collect();
            if values.is_empty() {
                continue;
            }
            let (mean, ci) = mean_ci95(&values);
            bars.push(Bar { group: g, slot: *series, colour: style.fill(), value: mean, ci });
        }
    }
    let note = if bars.iter().all(|b| b.value == 0.0) {
        format!("{note}; no job waited longer than the starvation threshold")
    } else {
        note
    };
    Chart::Bars(BarChart {
        title: "Starvation by tier (lower is better)".into(),
        panels: vec![Panel {
            title: String::new(),
            y_desc: "jobs waiting longer than the threshold (%)".into(),
            x_desc: "tier".into(),
            groups: tiers,
            bars,
            y_fmt: Fmt::Plain,
            y_cap: Some(100.0),
            y_log: false,
        }],
        legend,
        note: Some(note),
    })
}

/// Why no starvation chart is drawn when no job of any tier starved (it would be empty).
pub const NOTHING_STARVED: &str =
    "No chart of starvation by tier: no job waited longer than the starvation threshold (0 % in every tier).";

/// Whether no tier of any of these runs has a starved job.
pub fn nothing_starved<'a>(runs: impl IntoIterator<Item = &'a TierRows>) -> bool {
    runs.into_iter().all(|t| t.iter().all(|(_, f)| *f == 0.0))
}

/// Starvation by tier for a sweep, at its highest load; `None` when no run has tiers, or when nothing
/// starved (see [`NOTHING_STARVED`]).
pub fn for_study(study: &Study) -> Result<Option<Chart>> {
    let mut configs = Vec::new();
    for c in study.at_top_load() {
        let mut runs = Vec::new();
        for &r in &study.configs[c].runs {
            let path = study.runs[r].dir.join("tiers.csv");
            if path.is_file() {
                runs.push(read_tiers(&path)?);
            }
        }
        if !runs.is_empty() {
            let series = study.configs[c].series;
            configs.push((study.series[series].order, study.series[series].style, runs));
        }
    }
    if configs.is_empty() || nothing_starved(configs.iter().flat_map(|(_, _, runs)| runs)) {
        return Ok(None);
    }
    let mut note = "mean over seeds; whiskers: 95% confidence interval".to_string();
    if let (Some(col), Some(top)) = (&study.load_col, study.loads().last()) {
        note = format!("at {col} = {}; {note}", super::style::fmt_short(*top));
    }
    Ok(Some(starvation(&configs, super::bars::legend(study), note)))
}
