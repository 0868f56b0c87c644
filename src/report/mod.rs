//! Charts (SVG and PNG) and a self-contained `report.html`, made from a results directory's CSV files alone.
//!
//! A directory holding `timeline.csv` is one run: utilization, queue length and running jobs over
//! time, the wait-time CDF and starvation by tier. A directory holding `comparison.csv` is a sweep
//! (`summary.csv`, `runs/<run_id>/...`): wait-time CDF per configuration, bounded slowdown, tail
//! waits, fairness and starvation bars with 95% confidence whiskers, curves against load when the
//! sweep varies it, a fault chart when fault metrics are non-zero, and queue length and utilization
//! over time per configuration. Every configuration keeps one colour in every chart and in the table.
//! `explain` answers why one job waited, from `events.csv`.

pub mod bars;
pub mod cdf;
pub mod chart;
pub mod data;
pub mod explain;
pub mod export;
pub mod faults;
pub mod gantt;
pub mod gpu_sharing;
pub mod html;
pub mod load;
pub mod style;
pub mod tiers;
pub mod timeline;
pub mod units;

use crate::error::Result;
use crate::output::write_atomic;
use chart::Chart;
use data::{Results, Study, Timeline};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// One chart as the page shows it.
pub struct ChartOut {
    /// File stem under `charts/`: `charts/<name>.svg` and `charts/<name>.png`.
    pub name: String,
    pub title: String,
    /// How to read it, one sentence.
    pub caption: String,
    pub svg: String,
}

/// What `generate` wrote.
#[derive(Debug)]
pub struct Generated {
    pub html: PathBuf,
    /// Every chart file (SVG and PNG), in page order.
    pub charts: Vec<PathBuf>,
}

pub use crate::output::CHART_DIR;

/// Makes every chart and `report.html` for the results in `dir` (a run or a sweep).
pub fn generate(dir: &Path) -> Result<Generated> {
    generate_with(dir, &GanttWindow::default())
}

/// When a run's Gantt chart is drawn: by default for runs of up to [`gantt::MAX_JOBS`] jobs over
/// the whole run; `force` draws it for any run, over `from..to` (seconds) when given.
#[derive(Clone, Debug, Default)]
pub struct GanttWindow {
    pub force: bool,
    pub from: Option<f64>,
    pub to: Option<f64>,
}

/// [`generate`], with the Gantt chart drawn as `window` says.
pub fn generate_with(dir: &Path, window: &GanttWindow) -> Result<Generated> {
    match Results::open(dir)? {
        Results::Run(dir) => {
            let (specs, skipped) = run_charts(&dir)?;
            let scenario = read_manifest_scenario(&dir)?;
            let mut charts = render_all(&dir, specs, scenario.as_deref())?;
            if dir.join("nodes.csv").is_file() && (window.force || gantt::job_count(&dir)? <= gantt::MAX_JOBS) {
                charts.push(gantt_chart(&dir, window)?);
            }
            finish(&dir, &charts, |charts| html::run_page(&dir, charts, &skipped))
        }
        Results::Sweep(study) => {
            let (specs, skipped) = sweep_charts(&study)?;
            let scenario = study_scenario(&study)?;
            let charts = render_all(&study.dir, specs, scenario.as_deref())?;
            finish(&study.dir, &charts, |charts| html::sweep_page(&study, charts, &skipped))
        }
    }
}

fn finish(dir: &Path, charts: &[ChartOut], page: impl FnOnce(&[ChartOut]) -> Result<String>) -> Result<Generated> {
    let names: Vec<String> = charts.iter().map(|c| c.name.clone()).collect();
    crate::output::stale::remove_charts_except(&dir.join(CHART_DIR), &names)?;
    let text = page(charts)?;
    let html = dir.join("report.html");
    write_atomic(&html, |w| w.write_all(text.as_bytes()))?;
    let files = charts
        .iter()
        .flat_map(|c| ["svg", "png"].map(|ext| dir.join(CHART_DIR).join(format!("{}.{ext}", c.name))))
        .collect();
    Ok(Generated { html, charts: files })
}

/// Draws and writes `charts/gantt.svg` and `.png`.
fn gantt_chart(dir: &Path, window: &GanttWindow) -> Result<ChartOut> {
    let g = gantt::Gantt::read(dir, window.from, window.to)?;
    let r = g.render()?;
    let base = dir.join(CHART_DIR);
    write_atomic(&base.join("gantt.svg"), |w| w.write_all(r.svg.as_bytes()))?;
    write_atomic(&base.join("gantt.png"), |w| w.write_all(&r.png))?;
    Ok(ChartOut {
        name: "gantt".into(),
        title: g.title().to_string(),
        caption: "One row per node: each job is a bar from its start to its end, as tall as the share of the node's cores it held; grey: the node was down.".into(),
        svg: r.svg,
    })
}

/// A chart to draw: file stem, chart, caption.
type Spec = (&'static str, Chart, String);

/// The `scenario` of a run's `manifest.json`.
fn read_manifest_scenario(dir: &Path) -> Result<Option<String>> {
    Ok(data::read_manifest(dir)?.and_then(|m| m.get("scenario").and_then(|s| s.as_str()).map(str::to_string)))
}

/// A sweep's scenario: the `scenario` column of `comparison.csv` (else of its first run's manifest).
fn study_scenario(study: &Study) -> Result<Option<String>> {
    let from_table = study
        .comparison
        .col("scenario")
        .filter(|_| !study.comparison.rows.is_empty())
        .map(|c| study.comparison.text(0, c).to_string());
    match from_table.filter(|s| !s.is_empty()) {
        Some(s) => Ok(Some(s)),
        None => match study.runs.first() {
            Some(r) => read_manifest_scenario(&r.dir),
            None => Ok(None),
        },
    }
}

/// Renders every chart (in parallel; the files do not depend on the thread count) and writes its
/// files; titles start with the scenario's name when known. File names stay the chart's alone
/// (`charts/slowdown.png`), the same in every study, as pages and scripts link them.
fn render_all(dir: &Path, specs: Vec<Spec>, scenario: Option<&str>) -> Result<Vec<ChartOut>> {
    specs
        .into_par_iter()
        .map(|(name, mut chart, caption)| {
            if let Some(s) = scenario {
                chart.name_scenario(s);
            }
            let r = chart::render(&chart)?;
            let base = dir.join(CHART_DIR);
            write_atomic(&base.join(format!("{name}.svg")), |w| w.write_all(r.svg.as_bytes()))?;
            write_atomic(&base.join(format!("{name}.png")), |w| w.write_all(&r.png))?;
            Ok(ChartOut { name: name.to_string(), title: chart.title().to_string(), caption, svg: r.svg })
        })
        .collect()
}

/// The charts of one run, and why a chart that would be empty is not drawn.
fn run_charts(dir: &Path) -> Result<(Vec<Spec>, Vec<String>)> {
    let mut skipped = Vec::new();
    let tl = Timeline::read(&dir.join("timeline.csv"))?;
    let shaded = !tl.down_periods().is_empty();
    let shade_note = if shaded { " Grey bands: some nodes were down." } else { "" };
    let mut specs: Vec<Spec> = vec![
        (
            "utilization",
            timeline::utilization(&tl),
            format!("Share of the capacity of up nodes that running tasks hold, per resource.{shade_note}"),
        ),
        ("queue", timeline::queue(&tl), format!("Jobs submitted and waiting to start.{shade_note}")),
        ("running", timeline::running(&tl), format!("Jobs running at each sample.{shade_note}")),
    ];
    let summary = data::Table::read(&dir.join("summary.csv")).ok();
    let label = summary
        .as_ref()
        .and_then(|t| t.col("queue").filter(|_| !t.rows.is_empty()).map(|c| t.text(0, c).to_string()))
        .unwrap_or_else(|| "this run".into());
    if dir.join("jobs.csv").is_file() {
        let waits = data::read_waits(&dir.join("jobs.csv"))?;
        specs.push((
            "wait_cdf",
            cdf::wait_cdf(&[(label.clone(), style::SeriesStyle::nth(0), waits)], None),
            "Read across: the share of jobs that started within a given wait. Further left and higher is better."
                .into(),
        ));
    }
    if dir.join("tiers.csv").is_file() {
        let t = tiers::read_tiers(&dir.join("tiers.csv"))?;
        if tiers::nothing_starved([&t]) {
            skipped.push(tiers::NOTHING_STARVED.to_string());
        } else {
            let legend = vec![(label, style::colour(0))];
            specs.push((
                "starvation_by_tier",
                tiers::starvation(&[(0, style::SeriesStyle::nth(0), vec![t])], legend, "one run".into()),
                "Share of each tier's jobs whose wait exceeded the starvation threshold.".into(),
            ));
        }
    }
    Ok((specs, skipped))
}

/// The representative run of each configuration at the top load: its first run.
fn representatives(study: &Study) -> Vec<(usize, usize)> {
    study.at_top_load().into_iter().filter_map(|c| study.configs[c].runs.first().map(|&r| (c, r))).collect()
}

/// "at load = 0.9" when the sweep varies the load (the key in words: `workload.load` reads `load`).
fn at_load(study: &Study) -> Option<String> {
    match (&study.load_col, study.loads().last()) {
        (Some(col), Some(top)) => Some(format!("at {} = {}", style::readable_key(col), style::fmt_short(*top))),
        _ => None,
    }
}

/// The charts of a sweep, and why a chart that would be empty is not drawn.
fn sweep_charts(study: &Study) -> Result<(Vec<Spec>, Vec<String>)> {
    let mut specs: Vec<Spec> = Vec::new();
    let mut skipped = Vec::new();
    // Wait CDF: every run of each configuration at the top load, pooled.
    let top = study.at_top_load();
    let cdf_lines: Vec<(String, style::SeriesStyle, Vec<f64>)> = top
        .par_iter()
        .map(|&c| {
            let cfg = &study.configs[c];
            let mut waits = Vec::new();
            for &r in &cfg.runs {
                let path = study.runs[r].dir.join("jobs.csv");
                if path.is_file() {
                    waits.extend(data::read_waits(&path)?);
                }
            }
            waits.sort_by(f64::total_cmp);
            Ok((study.series[cfg.series].label.clone(), study.series[cfg.series].style, waits))
        })
        .collect::<Result<_>>()?;
    if cdf_lines.iter().any(|(_, _, w)| !w.is_empty()) {
        let note = match at_load(study) {
            Some(l) => format!("{l}, all seeds pooled"),
            None => "all seeds pooled".into(),
        };
        specs.push((
            "wait_cdf",
            cdf::wait_cdf(&cdf_lines, Some(note)),
            "Read across: the share of jobs that started within a given wait. Further left and higher is better."
                .into(),
        ));
    }
    if let Some(c) = bars::slowdown(study) {
        specs.push((
            "slowdown",
            c,
            "Bounded slowdown: response time over max(runtime, τ), averaged over completed jobs.".into(),
        ));
    }
    if let Some(c) = bars::tail_waits(study) {
        specs.push(("tail_waits", c, "The waits that 95% and 99% of started jobs stay under.".into()));
    }
    match tiers::for_study(study)? {
        Some(c) => specs.push((
            "starvation_by_tier",
            c,
            "Share of each tier's jobs whose wait exceeded the starvation threshold.".into(),
        )),
        None if study.runs.iter().any(|r| r.dir.join("tiers.csv").is_file()) => {
            skipped.push(tiers::NOTHING_STARVED.to_string())
        }
        None => {}
    }
    if let Some(c) = bars::fairness(study) {
        specs.push((
            "fairness",
            c,
            "Jain's index over users' mean bounded slowdown: 1 when every user is slowed down alike, 1/n when one user takes all the delay.".into(),
        ));
    }
    if let Some(c) = load::utilization(study) {
        specs.push(("utilization_vs_load", c, "Mean cpu utilization at each offered load.".into()));
    }
    if let Some(c) = load::tail_wait(study) {
        specs.push((
            "wait_p95_vs_load",
            c,
            "95th-percentile wait at each offered load: where each policy's knee is.".into(),
        ));
    }
    if let Some(c) = faults::chart(study) {
        specs.push(("faults", c, "Work thrown away by failures and time without service.".into()));
    }
    // Over time: the first seed of each configuration at the top load.
    let reps = representatives(study);
    let timelines: Vec<(String, style::SeriesStyle, Timeline)> = reps
        .par_iter()
        .filter_map(|&(c, r)| {
            let path = study.runs[r].dir.join("timeline.csv");
            path.is_file().then(|| {
                let series = study.configs[c].series;
                Timeline::read(&path).map(|tl| (study.series[series].label.clone(), study.series[series].style, tl))
            })
        })
        .collect::<Result<_>>()?;
    if !timelines.is_empty() {
        let seed = reps.first().map(|&(_, r)| study.runs[r].seed.clone()).unwrap_or_default();
        let note = match at_load(study) {
            Some(l) => format!("one run per configuration (seed {seed}), {l}"),
            None => format!("one run per configuration (seed {seed})"),
        };
        specs.push((
            "queue_over_time",
            timeline::overlay(timeline::Overlay::Queue, &timelines, note.clone()),
            "Jobs waiting over time under each configuration, on the same workload.".into(),
        ));
        specs.push((
            "utilization_over_time",
            timeline::overlay(timeline::Overlay::CpuUtilization, &timelines, note),
            "Share of the up cpus that running tasks hold, over time.".into(),
        ));
    }
    Ok((specs, skipped))
}
