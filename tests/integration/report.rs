//! Charts, report.html and `explain`: valid files for a run and for a sweep, a page that shows the
//! CSV numbers exactly and links only to files that exist, and a hand-computed explanation.

use super::util::clustersim;
use crate::util::repo;
use clustersim::fmt::fmt_num;
use clustersim::metrics::RunMetrics;
use clustersim::output::RunInfo;
use clustersim::report::{self, data::Table, tiers::mean_ci95};
use clustersim::runner::{self, RunOptions};
use clustersim::scenario::Scenario;
use predicates::prelude::PredicateBooleanExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A small synthetic scenario on `nodes` 32-core nodes at offered cpu `load`.
fn sweep_scenario(nodes: u32, load: f64, seed: u64, jobs: u32) -> String {
    // Mean work per job: 2.5 tasks × 8.5 cores × 1800 s.
    let mean_gap = 2.5 * 8.5 * 1800.0 / (nodes as f64 * 32.0 * load);
    format!(
        r#"
name = "fixture"
seed = {seed}
[[cluster.pools]]
name = "cpu"
count = {nodes}
cpu = 32
memory = "128GiB"
[workload]
type = "synthetic"
jobs = {jobs}
interarrival = {{ dist = "exponential", mean = {mean_gap} }}
runtime = {{ dist = "lognormal", mean = "30m", cv = 1.5 }}
tasks = {{ dist = "uniform", min = 1, max = 4 }}
cpu = {{ dist = "uniform", min = 1, max = 16 }}
users = 8
tiers = [
  {{ name = "batch", share = 0.8, weight = 1.0 }},
  {{ name = "prod", share = 0.2, weight = 3.0 }},
]
[metrics]
starvation_threshold = "20m"
"#
    )
}

/// Lays out a sweep as the `sweep` command does (summary.csv, comparison.csv, runs/<id>/):
/// cluster sizes × loads × seeds, the swept parameters `nodes` and `load` as columns.
pub fn build_sweep(dir: &Path, nodes: &[u32], loads: &[f64], seeds: &[u64], jobs: u32) {
    let mut summary: Vec<Vec<String>> = Vec::new();
    let mut header: Vec<String> = Vec::new();
    let mut comparison: Vec<Vec<String>> = Vec::new();
    let mut cmp_header: Vec<String> = Vec::new();
    for &n in nodes {
        for &load in loads {
            let mut per_seed: Vec<RunMetrics> = Vec::new();
            let mut info: Option<RunInfo> = None;
            for &seed in seeds {
                let sc = Scenario::parse(&sweep_scenario(n, load, seed, jobs)).unwrap();
                sc.validate().unwrap();
                let wl = Arc::new(sc.build_workload(seed).unwrap());
                let mut r = runner::simulate(&sc, "fixture", seed, wl, &RunOptions::default()).unwrap();
                r.info.run_id = format!("n{n}-l{load}-s{seed}");
                runner::write_run(&dir.join("runs").join(&r.info.run_id), &r, &sc).unwrap();
                let cols = r.metrics.columns();
                if header.is_empty() {
                    header = RunInfo::COLUMNS.iter().map(|s| s.to_string()).collect();
                    header.extend(["nodes".to_string(), "load".to_string()]);
                    header.extend(cols.iter().map(|(k, _)| k.to_string()));
                }
                let mut row = r.info.values();
                row.extend([n.to_string(), fmt_num(load)]);
                row.extend(cols.iter().map(|(_, v)| fmt_num(*v)));
                summary.push(row);
                info = Some(r.info.clone());
                per_seed.push(r.metrics);
            }
            let info = info.unwrap();
            let names: Vec<&str> = per_seed[0].columns().iter().map(|(k, _)| *k).collect();
            if cmp_header.is_empty() {
                cmp_header = ["scenario", "selection", "allocation", "queue", "recovery", "nodes", "load", "runs"]
                    .iter()
                    .map(|s| s.to_string())
                    .collect();
                for m in &names {
                    cmp_header.extend([format!("{m}_mean"), format!("{m}_std"), format!("{m}_ci95")]);
                }
            }
            let mut row = vec![
                info.scenario.clone(),
                info.selection.clone(),
                info.allocation.clone(),
                info.queue.clone(),
                info.recovery.clone(),
                n.to_string(),
                fmt_num(load),
                seeds.len().to_string(),
            ];
            for (i, _) in names.iter().enumerate() {
                let v: Vec<f64> = per_seed.iter().map(|m| m.columns()[i].1).collect();
                let (mean, ci) = mean_ci95(&v);
                let std = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (v.len() - 1).max(1) as f64).sqrt();
                row.extend([fmt_num(mean), fmt_num(std), fmt_num(ci.unwrap_or(0.0))]);
            }
            comparison.push(row);
        }
    }
    write_csv(&dir.join("summary.csv"), &header, &summary);
    write_csv(&dir.join("comparison.csv"), &cmp_header, &comparison);
    std::fs::write(
        dir.join("manifest.json"),
        r#"{ "tool": "clustersim", "version": "0.1.0", "scenario": "fixture", "seeds": [1, 2] }"#,
    )
    .unwrap();
}

fn write_csv(path: &Path, header: &[String], rows: &[Vec<String>]) {
    let mut w = csv::Writer::from_path(path).unwrap();
    w.write_record(header).unwrap();
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.flush().unwrap();
}

/// The small sweep every test here shares: 2 cluster sizes × 2 loads × 2 seeds.
fn small_sweep() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    build_sweep(dir.path(), &[24, 32], &[0.5, 0.9], &[1, 2], 250);
    dir
}

/// Every chart file decodes: PNGs as images of the expected size, SVGs as XML with an `svg` root.
fn assert_valid_charts(files: &[PathBuf]) {
    assert!(!files.is_empty());
    for f in files {
        let bytes = std::fs::read(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        assert!(!bytes.is_empty(), "{} is empty", f.display());
        match f.extension().and_then(|e| e.to_str()) {
            Some("png") => {
                let decoder = png::Decoder::new(std::io::Cursor::new(&bytes));
                let mut reader = decoder.read_info().unwrap_or_else(|e| panic!("{}: {e}", f.display()));
                let mut buf = vec![0; reader.output_buffer_size()];
                let info = reader.next_frame(&mut buf).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
                assert_eq!((info.width, info.height), (1600, 896), "{}", f.display());
                // Not a blank canvas: some pixels are neither white nor grey.
                assert!(buf.chunks(3).any(|p| p[0] != p[1] || p[1] != p[2]), "{} has no colour", f.display());
            }
            Some("svg") => {
                let text = String::from_utf8(bytes).unwrap();
                let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
                assert_eq!(doc.root_element().tag_name().name(), "svg");
                assert!(doc.descendants().any(|n| n.has_tag_name("text")), "{} has no text", f.display());
            }
            other => panic!("unexpected chart file type {other:?}"),
        }
    }
}

fn stems(files: &[PathBuf]) -> Vec<String> {
    let mut v: Vec<String> =
        files.iter().map(|f| f.file_stem().unwrap().to_string_lossy().to_string()).collect::<Vec<_>>();
    v.dedup();
    v
}

/// Every `href="..."` / `src="..."` value of a page.
fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            let end = rest.find('"').unwrap();
            out.push(rest[..end].to_string());
            rest = &rest[end..];
        }
    }
    out
}

/// (row, column, text) of every `data-col` cell of table `id`; the row is the nearest `data-row`
/// before the cell (on its `<tr>`, or on the cell itself in a transposed table).
fn table_cells(html: &str, id: &str) -> Vec<(usize, String, String)> {
    let start = html.find(&format!("<table id=\"{id}\"")).unwrap_or_else(|| panic!("no table {id}"));
    let table = &html[start..start + html[start..].find("</table>").unwrap()];
    let mut cells = Vec::new();
    let mut at = 0;
    while let Some(i) = table[at..].find("data-col=\"") {
        let cell = &table[at + i + "data-col=\"".len()..];
        let row_at = table[..at + i].rfind("data-row=\"").expect("a data-row before every cell") + "data-row=\"".len();
        let row: usize = table[row_at..row_at + table[row_at..].find('"').unwrap()].parse().unwrap();
        let col = &cell[..cell.find('"').unwrap()];
        // The CSV text is in `data-value` (the cell shows it rounded, with its unit).
        let tag = &cell[..cell.find('>').unwrap()];
        let value = tag.find("data-value=\"").map(|v| &tag[v + "data-value=\"".len()..]);
        let text = match value {
            Some(v) => &v[..v.find('"').unwrap()],
            None => {
                let text_start = cell.find('>').unwrap() + 1;
                &cell[text_start..text_start + cell[text_start..].find('<').unwrap()]
            }
        };
        cells.push((row, col.to_string(), unescape(text)));
        at += i + 1;
    }
    cells
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&")
}

#[test]
fn sweep_report_draws_every_comparison_chart_as_valid_files() {
    let dir = small_sweep();
    let done = report::generate(dir.path()).unwrap();
    assert_valid_charts(&done.charts);
    assert_eq!(
        stems(&done.charts),
        [
            "wait_cdf",
            "slowdown",
            "tail_waits",
            "fairness",
            "utilization_vs_load",
            "wait_p95_vs_load",
            "queue_over_time",
            "utilization_over_time"
        ],
        "no fault metric is non-zero, so no fault chart; no job starved, so no starvation chart"
    );
    // One colour per configuration, the same in every chart: both series colours in each SVG.
    for f in done.charts.iter().filter(|f| f.extension().is_some_and(|e| e == "svg")) {
        let svg = std::fs::read_to_string(f).unwrap().to_ascii_uppercase();
        for colour in ["#0072B2", "#D55E00"] {
            assert!(svg.contains(colour), "{} lacks {colour}", f.display());
        }
        assert!(svg.contains("NODES = 24") && svg.contains("NODES = 32"), "{} lacks the legend", f.display());
    }
}

/// The sweep page in `dir`: self-contained, links only to files that exist, and shows the
/// cells of `comparison.csv` verbatim in the key table and in the full one.
fn assert_sweep_page(dir: &Path, charts: usize) {
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    // Self-contained: inline SVG, no script, no stylesheet or image fetched from anywhere.
    assert!(!html.contains("<script") && !html.contains("<link") && !html.contains("<img"));
    assert_eq!(html.matches("<svg ").count(), charts);
    for l in links(&html) {
        assert!(!l.contains("://"), "page fetches {l}");
        if let Some(anchor) = l.strip_prefix('#') {
            assert!(html.contains(&format!("id=\"{anchor}\"")), "dangling anchor {l}");
        } else {
            assert!(dir.join(&l).is_file(), "page links to missing file {l}");
        }
    }
    let cmp = Table::read(&dir.join("comparison.csv")).unwrap();
    for id in ["comparison-table", "comparison-full"] {
        let cells = table_cells(&html, id);
        assert!(cells.len() >= cmp.rows.len() * 10, "{id} has only {} cells", cells.len());
        for (row, col, text) in cells {
            let c = cmp.col(&col).unwrap_or_else(|| panic!("{id}: column {col} is not in comparison.csv"));
            assert_eq!(text, cmp.text(row, c), "{id}: row {row} column {col}");
        }
    }
    let full = table_cells(&html, "comparison-full");
    assert_eq!(full.len(), cmp.rows.len() * cmp.header.len(), "the full table shows every cell");
}

#[test]
fn sweep_page_shows_comparison_csv_exactly_and_links_only_existing_files() {
    let dir = small_sweep();
    report::generate(dir.path()).unwrap();
    assert_sweep_page(dir.path(), 8);
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(html.contains("<p class=\"skipped\">No chart of starvation by tier: "), "the page says why");
}

/// The shipped study, `scenarios/compare.toml`, made small (400 jobs, 2 replications): `run`
/// draws every comparison chart (but starvation by tier: no job starves at this size) and the page,
/// with one line or bar per queue discipline.
#[test]
fn the_shipped_comparison_gets_every_chart_and_an_exact_page() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(repo("scenarios/compare.toml")).unwrap();
    let workloads_dir = format!("{}/", repo("workloads").display());
    let small = text
        .replace("jobs = 4000", "jobs = 400")
        .replace("replications = 5", "replications = 2")
        .replace("../workloads/", &workloads_dir);
    assert!(
        small != text && !small.contains("jobs = 4000") && !small.contains("replications = 5"),
        "compare.toml changed shape"
    );
    let scenario = dir.path().join("compare.toml");
    std::fs::write(&scenario, small).unwrap();
    let out = dir.path().join("out");
    clustersim().args(["run", "-q"]).arg(&scenario).arg("--out").arg(&out).assert().success();
    let names = [
        "wait_cdf",
        "slowdown",
        "tail_waits",
        "fairness",
        "utilization_vs_load",
        "wait_p95_vs_load",
        "queue_over_time",
        "utilization_over_time",
    ];
    let files: Vec<PathBuf> =
        names.iter().flat_map(|n| ["svg", "png"].map(|e| out.join("charts").join(format!("{n}.{e}")))).collect();
    assert_valid_charts(&files);
    assert_sweep_page(&out, names.len());
    // Every queue discipline of the study is named in the legend of the wait CDF (with the
    // other columns that vary, `round_robin · fifo`).
    let svg = std::fs::read_to_string(out.join("charts/wait_cdf.svg")).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let texts: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .map(|t| t.trim().to_string())
        .collect();
    // The scenario's name heads the title, drawn and as the file's own <title>; the swept load
    // reads as words on the axis.
    let title = doc.descendants().find(|n| n.has_tag_name("title")).and_then(|n| n.text()).unwrap_or_default();
    assert!(title.starts_with("compare: Wait time distribution"), "{title}");
    assert!(texts.iter().any(|t| t == title), "the drawn title is the file's title: {texts:?}");
    let bars = std::fs::read_to_string(out.join("charts/slowdown.svg")).unwrap();
    assert!(bars.contains("offered load") && !bars.contains("workload.load"), "raw key on the slowdown axis");
    let cmp = Table::read(&out.join("comparison.csv")).unwrap();
    let q = cmp.col("queue").unwrap();
    for r in 0..cmp.rows.len() {
        let label = cmp.text(r, q).replace('"', "");
        assert!(
            texts.iter().any(|t| t.split(" · ").any(|part| part == label)),
            "the CDF legend lacks {label}: {texts:?}"
        );
    }
}

#[test]
fn fault_chart_appears_when_fault_metrics_are_non_zero() {
    let dir = small_sweep();
    let path = dir.path().join("comparison.csv");
    let cmp = Table::read(&path).unwrap();
    // The sweep ran without faults: its fault columns (zero, or 1 for availability) get values.
    let mut header = cmp.header.clone();
    let mut rows = cmp.rows.clone();
    for (k, m) in ["work_lost_core_s", "scheduler_downtime", "availability", "node_failures"].into_iter().enumerate() {
        for (i, row) in rows.iter_mut().enumerate() {
            let mean = [36000.0 * (i + 1) as f64, 300.0 * i as f64, 1.0 - 0.01 * i as f64, 5.0 * i as f64][k];
            for (suffix, v) in [("mean", mean.to_string()), ("std", "1".into()), ("ci95", "0.01".into())] {
                let name = format!("{m}_{suffix}");
                let c = match header.iter().position(|h| *h == name) {
                    Some(c) => c,
                    None => {
                        header.push(name);
                        header.len() - 1
                    }
                };
                if row.len() <= c {
                    row.resize(c + 1, String::new());
                }
                row[c] = v;
            }
        }
    }
    write_csv(&path, &header, &rows);
    let done = report::generate(dir.path()).unwrap();
    assert!(stems(&done.charts).contains(&"faults".to_string()));
    assert_valid_charts(&done.charts);
    let html = std::fs::read_to_string(&done.html).unwrap();
    assert!(html.contains("data-col=\"work_lost_core_s_mean\""), "fault metrics join the table");
    // The chart shows outcomes, in words and units, not the failures put in.
    let svg = std::fs::read_to_string(dir.path().join("charts/faults.svg")).unwrap();
    for text in ["work lost", "core-hours", "node availability", "scheduler downtime"] {
        assert!(svg.contains(text), "the fault chart lacks `{text}`");
    }
    assert!(!svg.contains("node failures"), "node failures are an input, not an outcome");
}

#[test]
fn run_writes_charts_and_page_by_default_and_report_redraws_them() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("qs");
    clustersim()
        .args(["run", "-q", repo("scenarios/quickstart.toml").to_str().unwrap(), "--out"])
        .arg(&out)
        .assert()
        .success();
    // Nothing starved in the quickstart: no empty starvation chart, a line saying why instead.
    let names = ["utilization", "queue", "running", "wait_cdf"];
    assert!(!out.join("charts/starvation_by_tier.svg").exists());
    let files: Vec<PathBuf> =
        names.iter().flat_map(|n| ["svg", "png"].map(|e| out.join("charts").join(format!("{n}.{e}")))).collect();
    assert_valid_charts(&files);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    for l in links(&html).iter().filter(|l| !l.starts_with('#')) {
        assert!(out.join(l).is_file(), "page links to missing file {l}");
    }
    let summary = Table::read(&out.join("summary.csv")).unwrap();
    let cells = table_cells(&html, "summary-table");
    for (row, col, text) in &cells {
        assert_eq!(text, summary.text(*row, summary.col(col).unwrap()), "summary column {col}");
    }
    // No fault model ran: the fault metrics (node_failures onwards) are left out, and said to be.
    let first_fault = summary.col("node_failures").unwrap();
    assert_eq!(cells.len(), first_fault, "every metric before the fault metrics");
    assert!(html.contains("No fault model ran: the ") && !html.contains("data-col=\"availability\""));
    // Rounded with units; every file of the run linked, starvation.csv too.
    for shown in [">14 min</td>", ">45.4 %</td>", ">29.4 h</td>", ">2.6</td>"] {
        assert!(html.contains(shown), "{shown} not on the page");
    }
    assert!(links(&html).iter().any(|l| l == "starvation.csv"), "{:?}", links(&html));
    // The per-tier table too: rounded with units (it showed raw CSV text), the CSV text in data-value.
    let tiers = Table::read(&out.join("tiers.csv")).unwrap();
    for (row, col, text) in &table_cells(&html, "tiers-table") {
        assert_eq!(text, tiers.text(*row, tiers.col(col).unwrap()), "tiers column {col}");
    }
    let tier_table = &html[html.find("<table id=\"tiers-table\" class=\"fit\"").expect("a fitting tier table")..];
    let tier_table = &tier_table[..tier_table.find("</table>").unwrap()];
    assert!(tier_table.contains(" min</td>") && tier_table.contains(" %</td>"), "{tier_table}");
    assert!(!html.contains("id=\"rejected\""), "nothing rejected, no warning");
    assert!(html.contains("No chart of starvation by tier: no job waited longer than the starvation threshold"));
    // `report` redraws from the CSVs alone: delete the charts and the page, then regenerate.
    std::fs::remove_dir_all(out.join("charts")).unwrap();
    std::fs::remove_file(out.join("report.html")).unwrap();
    clustersim().arg("report").arg(&out).assert().success();
    assert_valid_charts(&files);
    assert_eq!(std::fs::read_to_string(out.join("report.html")).unwrap(), html, "same CSVs, same page");

    let bare = dir.path().join("bare");
    clustersim()
        .args(["run", "-q", "--no-charts", repo("scenarios/quickstart.toml").to_str().unwrap(), "--out"])
        .arg(&bare)
        .assert()
        .success();
    assert!(!bare.join("charts").exists() && !bare.join("report.html").exists());
}

#[test]
fn report_of_a_directory_without_results_fails_clearly() {
    let dir = tempfile::tempdir().unwrap();
    clustersim()
        .arg("report")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no results here").and(predicates::str::contains("comparison.csv")));
}

// The three-job case of the core tests. Two 4-core nodes, FIFO: J1 (t=0, 4 cores, 100 s) runs at
// once; J2 (t=10, 2×4 cores) cannot start until J1 ends; J3 (t=20, 2 cores) would fit at once but
// waits behind J2, then at t=100 J2 takes both nodes and J3, now the head, finds no free core until
// J2 ends at 150.
use crate::core::THREE_JOBS;

fn three_jobs_with_events(dir: &Path) -> PathBuf {
    let scenario = dir.join("three.toml");
    std::fs::write(&scenario, THREE_JOBS).unwrap();
    let out = dir.join("out");
    clustersim()
        .args(["run", "-q", "--no-charts", "--events"])
        .arg(&scenario)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    out
}

#[test]
fn skip_events_say_once_why_each_blocked_job_waits() {
    let dir = tempfile::tempdir().unwrap();
    let out = three_jobs_with_events(dir.path());
    let events = std::fs::read_to_string(out.join("events.csv")).unwrap();
    let skips: Vec<&str> = events.lines().filter(|l| l.contains(",skip,")).collect();
    // J2 is tried at t=10 and again at t=20 (same cause: logged once); J3 is tried only at t=100.
    assert_eq!(
        skips,
        [
            "10,skip,2,,\"not enough free cpu (needs 8, 4 free) in the whole cluster\"",
            "100,skip,3,,\"not enough free cpu (needs 2, 0 free) in the whole cluster\"",
        ]
    );
}

#[test]
fn explain_tells_the_story_of_a_job_held_behind_the_fifo_head() {
    let dir = tempfile::tempdir().unwrap();
    let out = three_jobs_with_events(dir.path());
    let text = String::from_utf8(
        clustersim().arg("explain").arg(&out).arg("3").assert().success().get_output().stdout.clone(),
    )
    .unwrap();
    assert_eq!(
        text,
        "job 3: user u0, tier 0, 1 task(s) × cpu 2; estimate 30s
outcome: completed after 1 attempt(s); waited 2m 10s before its first start
queue discipline: fifo

  0:00:20  submitted
  0:00:20  waiting: not at the head under fifo; job 2 is first and cannot start: not enough free cpu (needs 8, 4 free) in the whole cluster
  0:01:40  waiting: not enough free cpu (needs 2, 0 free) in the whole cluster
  0:02:30  started (attempt 1) on node(s) 1
  0:03:00  finished
"
    );
    // Without an event log there is nothing to explain from, and the message says what to do.
    let plain = dir.path().join("plain");
    clustersim()
        .args(["run", "-q", "--no-charts"])
        .arg(dir.path().join("three.toml"))
        .arg("--out")
        .arg(&plain)
        .assert()
        .success();
    clustersim().arg("explain").arg(&plain).arg("3").assert().code(2).stderr(predicates::str::contains("--events"));
    clustersim()
        .arg("explain")
        .arg(&out)
        .arg("99")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no job with id 99"));
}

/// The text of the key comparison table as a reader sees it: rounded values with units, rows sorted
/// by mean wait (best first), the best value of each column in bold, no column repeating another.
#[test]
fn comparison_table_reads_rounded_sorted_with_the_best_marked() {
    let dir = small_sweep();
    report::generate(dir.path()).unwrap();
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    let start = html.find("<table id=\"comparison-table\"").unwrap();
    let table = &html[start..start + html[start..].find("</table>").unwrap()];
    let cmp = Table::read(&dir.path().join("comparison.csv")).unwrap();
    // Rows in order of wait_mean_mean, lowest first.
    let rows: Vec<usize> = table
        .match_indices("<tr data-row=\"")
        .map(|(i, m)| table[i + m.len()..].split('"').next().unwrap().parse().unwrap())
        .collect();
    let wait = |r: usize| cmp.num_by(r, "wait_mean_mean").unwrap();
    assert_eq!(rows.len(), cmp.rows.len());
    assert!(rows.windows(2).all(|w| wait(w[0]) <= wait(w[1])), "{rows:?}");
    // The best mean wait is in bold; every number carries at most three significant digits.
    let first_row = table.split("<tr data-row=").nth(1).unwrap();
    assert!(first_row.contains("<td class=\"best\"><span data-col=\"wait_mean_mean\""), "{first_row}");
    let text = html_text(table);
    assert!(!text.contains("configuration"), "no label column repeating the varied ones: {text}");
    for word in text.split_whitespace() {
        if word.contains('.') && word.parse::<f64>().is_ok() {
            let significant = word.trim_start_matches(['-', '0', '.']).chars().filter(|c| c.is_ascii_digit()).count();
            assert!(significant <= 3, "{word} is not rounded: {text}");
        }
    }
    assert!(text.contains(" min") || text.contains(" s ") || text.contains(" h"), "waits carry a unit: {text}");
    assert!(text.contains(" %"), "utilization in %: {text}");
}

/// The text of an HTML fragment: tags dropped, entities of the page unescaped.
fn html_text(fragment: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in fragment.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    unescape(&out)
}

/// A job that no node can hold is rejected, and the page says so at the top.
#[test]
fn rejected_jobs_are_flagged_at_the_top_of_the_page() {
    let dir = tempfile::tempdir().unwrap();
    // The tiny three-job list of the check tests, its last job asking for 8 cores of a 4-core node.
    let sc = super::check::tiny(dir.path());
    let text = std::fs::read_to_string(&sc).unwrap();
    let wide = text.replace("{ submit = 20, runtime = 10, cpu = 2 }", "{ submit = 20, runtime = 10, cpu = 8 }");
    assert_ne!(wide, text);
    std::fs::write(&sc, wide).unwrap();
    let out = dir.path().join("out");
    clustersim().args(["run", "-q"]).arg(&sc).arg("--out").arg(&out).assert().success();
    let summary = Table::read(&out.join("summary.csv")).unwrap();
    assert_eq!(summary.num_by(0, "rejected"), Some(1.0), "the 8-core job is rejected");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let warn = html.find("id=\"rejected\"").expect("a warning");
    assert!(warn < html.find("id=\"summary\"").unwrap(), "the warning comes first");
    assert!(html_text(&html[warn..]).contains("1 of 3 jobs were rejected"), "{html}");
}
