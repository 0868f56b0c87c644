//! `report.html`: one self-contained page (inline SVG charts, inline CSS, no script, no network)
//! with the scenario summary, the comparison table, every chart and the manifest.
//!
//! Numbers are shown rounded with their units (`12.1 min ± 2.3 min`, `45.4 %`); each table cell
//! carries `data-col="<csv column>"` and the CSV text verbatim in `data-value`, so the page stands for
//! exactly the numbers of `comparison.csv` / `summary.csv` (and a test can check that it does).

use super::data::{Study, Table, read_manifest};
use super::style::hex;
use super::units::{Unit, show, show_like, unit_of};
use super::{CHART_DIR, ChartOut};
use crate::error::Result;
use crate::sweep::terminal::{Better, better};
use std::fmt::Write as _;
use std::path::Path;

/// Escapes text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = "
body{font-family:'DejaVu Sans',Verdana,Arial,sans-serif;color:#222;background:#fafafa;margin:0}
main{max-width:1040px;margin:0 auto;padding:24px 20px 60px;background:#fff}
h1{font-size:1.7em;margin:0.2em 0}h2{font-size:1.3em;margin-top:1.8em;border-bottom:1px solid #ddd;padding-bottom:4px}
.sub{color:#555;margin-top:0}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px}dt{font-weight:bold;color:#444}dd{margin:0}
table{border-collapse:collapse;font-size:0.88em;margin:8px 0}th,td{border:1px solid #ddd;padding:4px 8px;text-align:right;white-space:nowrap}
th{background:#f2f2f2}td.name,th.name{text-align:left}
.wide{overflow-x:auto;max-width:100%}
table.fit{width:100%;font-size:0.8em}table.fit td,table.fit th{white-space:normal;padding:3px 5px}
table.fit .ci{display:block;font-size:0.88em}table.fit td>span,table.fit td:first-child{white-space:nowrap}
td.best{font-weight:bold;background:#eef6ee}
.warn{background:#fff4e5;border:1px solid #e6a23c;padding:8px 12px;border-radius:4px}
@page{size:A4 landscape;margin:12mm}
@media print{body{background:#fff}main{max-width:none;padding:0}nav{display:none}.wide{overflow:visible}table{font-size:0.72em}table.fit{font-size:0.6em}table.fit td,table.fit th{padding:2px 3px}figure{break-inside:avoid}tr{break-inside:avoid}}
.swatch{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:6px;vertical-align:-1px}
.ci{color:#666}
figure{margin:24px 0;padding:0}figure svg{width:100%;height:auto;max-width:1000px;display:block}
figcaption{color:#444;font-size:0.92em;margin-top:6px}
pre{background:#f5f5f5;padding:10px;overflow-x:auto;font-size:0.85em}
nav a{margin-right:12px}
";

/// Metrics of the comparison table, in column order: (metric, header).
const KEY_METRICS: [(&str, &str); 9] = [
    ("wait_mean", "mean wait"),
    ("wait_p95", "p95 wait"),
    ("wait_p99", "p99 wait"),
    ("bsld_mean", "mean bounded slowdown"),
    ("starved_frac", "starved"),
    ("util_cpu", "cpu utilization"),
    ("jain_bsld", "Jain fairness"),
    ("throughput_per_h", "throughput (jobs/h)"),
    ("makespan", "makespan"),
];

fn head(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n",
        esc(title)
    )
}

const TAIL: &str = "</main>\n</body>\n</html>\n";

/// The chart figures, each with its caption and links to its files, after a line for each chart
/// left out because it would be empty (`skipped`, saying why).
fn figures(charts: &[ChartOut], skipped: &[String]) -> String {
    let mut s = String::from("<section id=\"charts\">\n<h2>Charts</h2>\n");
    for why in skipped {
        let _ = writeln!(s, "<p class=\"skipped\">{}</p>", esc(why));
    }
    for c in charts {
        let svg = c.svg.replacen("<svg ", &format!("<svg role=\"img\" aria-label=\"{}\" ", esc(&c.title)), 1);
        let _ = write!(
            s,
            "<figure id=\"chart-{name}\">\n{svg}\n<figcaption>{caption} <a href=\"{dir}/{name}.svg\">SVG</a> · <a href=\"{dir}/{name}.png\">PNG</a></figcaption>\n</figure>\n",
            name = esc(&c.name),
            caption = esc(&c.caption),
            dir = CHART_DIR,
        );
    }
    s.push_str("</section>\n");
    s
}

/// The manifest section: the JSON as written.
fn manifest_section(dir: &Path) -> Result<String> {
    Ok(match read_manifest(dir)? {
        Some(m) => format!(
            "<section id=\"manifest\">\n<h2>Manifest</h2>\n<pre>{}</pre>\n</section>\n",
            esc(&serde_json::to_string_pretty(&m).unwrap_or_default())
        ),
        None => String::new(),
    })
}

/// A `<dl>` of the manifest's top-level values (nested objects as `k=v` lists).
fn manifest_facts(dir: &Path) -> Result<Vec<(String, String)>> {
    let Some(serde_json::Value::Object(m)) = read_manifest(dir)? else { return Ok(Vec::new()) };
    let show = |v: &serde_json::Value| -> Option<String> {
        match v {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            serde_json::Value::Bool(b) => Some(b.to_string()),
            serde_json::Value::Object(o) if o.values().all(|x| !x.is_object() && !x.is_array()) => Some(
                o.iter()
                    .map(|(k, x)| format!("{k}={}", x.as_str().map(str::to_string).unwrap_or_else(|| x.to_string())))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            serde_json::Value::Array(a) if a.iter().all(|x| x.is_number()) && !a.is_empty() => {
                Some(a.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(" – "))
            }
            _ => None,
        }
    };
    let mut facts: Vec<(String, String)> =
        m.iter().filter_map(|(k, v)| show(v).filter(|s| !s.is_empty()).map(|s| (k.replace('_', " "), s))).collect();
    let (mut input, warnings) = crate::sweep::inputs::manifest_lines(&serde_json::Value::Object(m));
    input.extend(warnings);
    if !input.is_empty() {
        facts.push(("input".into(), input.join("; ")));
    }
    Ok(facts)
}

fn dl(facts: &[(String, String)]) -> String {
    let mut s = String::from("<dl>\n");
    for (k, v) in facts {
        let _ = writeln!(s, "<dt>{}</dt><dd>{}</dd>", esc(k), esc(v));
    }
    s.push_str("</dl>\n");
    s
}

/// A whole CSV as a table, every cell verbatim with its column name.
fn full_table(t: &Table, id: &str) -> String {
    let mut s = format!("<div class=\"wide\"><table id=\"{}\">\n<tr>", esc(id));
    for h in &t.header {
        let _ = write!(s, "<th>{}</th>", esc(h));
    }
    s.push_str("</tr>\n");
    for r in 0..t.rows.len() {
        let _ = write!(s, "<tr data-row=\"{r}\">");
        for (c, h) in t.header.iter().enumerate() {
            let _ = write!(s, "<td data-col=\"{}\">{}</td>", esc(h), esc(t.text(r, c)));
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</table></div>\n");
    s
}

/// A small CSV (the per-tier metrics) as a table that fits the page: numbers rounded with their unit,
/// the exact CSV text kept in `data-value`.
fn rounded_table(t: &Table, id: &str) -> String {
    let mut s = format!("<table id=\"{}\" class=\"fit\">\n<tr>", esc(id));
    for h in &t.header {
        // Long column names may break after an underscore, so the table narrows to the page.
        let _ = write!(s, "<th>{}</th>", esc(h).replace('_', "_<wbr>"));
    }
    s.push_str("</tr>\n");
    for r in 0..t.rows.len() {
        let _ = write!(s, "<tr data-row=\"{r}\">");
        for (c, h) in t.header.iter().enumerate() {
            let raw = t.text(r, c);
            let shown = t.num(r, c).map(|v| show(v, unit_of(h))).unwrap_or_else(|| raw.to_string());
            let _ = write!(s, "<td data-col=\"{}\" data-value=\"{}\">{}</td>", esc(h), esc(raw), esc(&shown));
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</table>\n");
    s
}

/// Links to every file of `dir` but the page itself and hidden files, by name, and to the charts.
fn file_links(dir: &Path) -> String {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter(|e| e.path().is_file())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.starts_with('.') && n != "report.html")
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut present: Vec<String> = names.iter().map(|n| format!("<a href=\"{0}\">{0}</a>", esc(n))).collect();
    if dir.join(CHART_DIR).is_dir() {
        present.push(format!("<a href=\"#charts\">{CHART_DIR}/</a>"));
    }
    if present.is_empty() { String::new() } else { format!("<p>Files: {}</p>\n", present.join(" · ")) }
}

/// A warning at the top of the page when jobs were rejected (no node can hold them).
fn rejected_warning(rejected: f64, jobs: Option<f64>, which: &str) -> String {
    if rejected.is_nan() || rejected <= 0.0 {
        return String::new();
    }
    let of = jobs.map(|j| format!(" of {}", show(j, Unit::Plain))).unwrap_or_default();
    format!(
        "<p class=\"warn\" id=\"rejected\"><strong>Rejected jobs:</strong> {}{of} jobs{} were rejected (no node can hold them); the <code>reason</code> column of <code>jobs.csv</code> says why.</p>\n",
        show(rejected, Unit::Plain),
        esc(which)
    )
}

/// Whether `m` is a fault metric that reads as "nothing happened" at `v` (0, or full availability).
fn idle_fault_value(m: &str, v: f64) -> bool {
    if m == "availability" { v == 1.0 } else { v == 0.0 }
}

/// Metrics of the fault model (every one from `node_failures` on in `summary.csv`).
fn fault_metrics(header: &[String]) -> Vec<String> {
    header.iter().skip_while(|h| *h != "node_failures").cloned().collect()
}

/// The page of one run.
pub fn run_page(dir: &Path, charts: &[ChartOut], skipped: &[String]) -> Result<String> {
    let facts = manifest_facts(dir)?;
    let name = facts.iter().find(|(k, _)| k == "scenario").map(|(_, v)| v.clone()).unwrap_or_else(|| "run".into());
    let mut s = head(&format!("clustersim report: {name}"));
    let _ = writeln!(s, "<h1>{}</h1>\n<p class=\"sub\">clustersim report of one run</p>", esc(&name));
    if let Ok(t) = Table::read(&dir.join("summary.csv"))
        && !t.rows.is_empty()
    {
        s.push_str(&rejected_warning(t.num_by(0, "rejected").unwrap_or(0.0), t.num_by(0, "jobs"), ""));
    }
    s.push_str("<nav><a href=\"#summary\">Scenario</a><a href=\"#metrics\">Metrics</a><a href=\"#charts\">Charts</a><a href=\"#manifest\">Manifest</a></nav>\n");
    s.push_str("<section id=\"summary\">\n<h2>Scenario</h2>\n");
    s.push_str(&dl(&facts));
    s.push_str(&file_links(dir));
    s.push_str("</section>\n<section id=\"metrics\">\n<h2>Metrics</h2>\n");
    if let Ok(t) = Table::read(&dir.join("summary.csv")) {
        // Fault metrics that only say that nothing failed are left out when no fault model ran.
        let faults = fault_metrics(&t.header);
        let quiet = (0..t.rows.len())
            .all(|r| faults.iter().all(|m| t.col(m).and_then(|c| t.num(r, c)).is_none_or(|v| idle_fault_value(m, v))));
        // Transposed: one row per metric, one column per run (usually one).
        s.push_str("<div class=\"wide\"><table id=\"summary-table\">\n<tr><th class=\"name\">metric</th>");
        for r in 0..t.rows.len() {
            let _ = write!(s, "<th>{}</th>", esc(t.text(r, t.col("run_id").unwrap_or(0))));
        }
        s.push_str("</tr>\n");
        for (c, h) in t.header.iter().enumerate() {
            if quiet && faults.contains(h) {
                continue;
            }
            let _ = write!(s, "<tr><td class=\"name\">{}</td>", esc(h));
            for r in 0..t.rows.len() {
                let raw = t.text(r, c);
                let shown = t.num(r, c).map(|v| show(v, unit_of(h))).unwrap_or_else(|| raw.to_string());
                let _ = write!(
                    s,
                    "<td data-row=\"{r}\" data-col=\"{}\" data-value=\"{}\">{}</td>",
                    esc(h),
                    esc(raw),
                    esc(&shown)
                );
            }
            s.push_str("</tr>\n");
        }
        s.push_str("</table></div>\n");
        if quiet && !faults.is_empty() {
            let _ = writeln!(
                s,
                "<p>No fault model ran: the {} fault metrics ({} … {}) say only that nothing failed and are left out here; <a href=\"summary.csv\">summary.csv</a> has them.</p>",
                faults.len(),
                esc(&faults[0]),
                esc(faults.last().map(String::as_str).unwrap_or_default())
            );
        }
    }
    if let Ok(t) = Table::read(&dir.join("tiers.csv")) {
        s.push_str("<h3>By tier</h3>\n");
        s.push_str(&rounded_table(&t, "tiers-table"));
    }
    s.push_str("</section>\n");
    s.push_str(&figures(charts, skipped));
    s.push_str(&manifest_section(dir)?);
    s.push_str(TAIL);
    Ok(s)
}

/// The key metrics of a sweep, one row per configuration sorted by mean wait (best first), the best
/// value of each column marked; the columns that vary name the configuration (with its colour).
/// Cells wrap so the table fits the page (and a printed page): no column is scrolled out of view.
fn comparison_table(study: &Study, shown: &[usize]) -> String {
    let cmp = &study.comparison;
    let metrics: Vec<(String, String)> = KEY_METRICS
        .iter()
        .filter(|(m, _)| study.has_metric(m))
        .map(|(m, h)| (m.to_string(), h.to_string()))
        .chain(
            study
                .metric_names()
                .into_iter()
                .filter(|m| super::faults::is_fault_metric(m))
                .filter(|m| (0..study.configs.len()).any(|c| study.metric(c, m).is_some_and(|(v, _)| v != 0.0)))
                .map(|m| (m.clone(), m.replace('_', " "))),
        )
        .collect();
    let sort_by = metrics.first().map(|(m, _)| m.clone());
    let mut order: Vec<usize> = (0..study.configs.len()).collect();
    if let Some(m) = &sort_by {
        let key = |c: usize| study.metric(c, m).map(|(v, _)| v).filter(|v| !v.is_nan()).unwrap_or(f64::INFINITY);
        order.sort_by(|&a, &b| key(a).total_cmp(&key(b)).then(a.cmp(&b)));
    }
    let best: Vec<Option<f64>> = metrics
        .iter()
        .map(|(m, _)| {
            let values =
                (0..study.configs.len()).filter_map(|c| study.metric(c, m)).map(|(v, _)| v).filter(|v| !v.is_nan());
            match better(m) {
                Better::Lower => values.reduce(f64::min),
                Better::Higher => values.reduce(f64::max),
                Better::Neither => None,
            }
        })
        .collect();
    let mut s = String::new();
    let sorted =
        sort_by.as_ref().map(|m| format!(", sorted by {} (best first)", m.replace('_', " "))).unwrap_or_default();
    let _ = writeln!(
        s,
        "<p>Mean over replications ± half-width of the 95% confidence interval{sorted}; <strong>bold</strong> = best in its column. Exact values: <a href=\"comparison.csv\">comparison.csv</a>. Colours match the charts.</p>"
    );
    s.push_str("<table id=\"comparison-table\" class=\"fit\">\n<tr>");
    if shown.is_empty() {
        s.push_str("<th class=\"name\">configuration</th>");
    }
    for &c in shown {
        let col = &study.config_cols[c];
        let short = col.rsplit('.').next().unwrap_or(col);
        let _ = write!(s, "<th class=\"name\" title=\"{}\">{}</th>", esc(col), esc(short));
    }
    s.push_str("<th>runs</th>");
    for (_, h) in &metrics {
        let _ = write!(s, "<th>{}</th>", esc(h));
    }
    s.push_str("</tr>\n");
    let runs_col = cmp.col("runs").unwrap_or(0);
    for &ci in &order {
        let cfg = &study.configs[ci];
        let r = cfg.row;
        let swatch = format!(
            "<span class=\"swatch\" style=\"background:{}\"></span>",
            hex(study.series[cfg.series].style.fill())
        );
        let _ = write!(s, "<tr data-row=\"{r}\">");
        if shown.is_empty() {
            let _ = write!(s, "<td class=\"name\">{swatch}{}</td>", esc(&study.series[cfg.series].label));
        }
        for (i, &c) in shown.iter().enumerate() {
            let h = &study.config_cols[c];
            let v = cmp.text(r, c);
            let mark = if i == 0 { swatch.as_str() } else { "" };
            // Long policy labels may break after a comma or a parenthesis.
            let breakable = esc(v).replace(',', ",<wbr>").replace('(', "(<wbr>");
            let _ = write!(
                s,
                "<td class=\"name\" data-col=\"{}\" data-value=\"{}\">{mark}{breakable}</td>",
                esc(h),
                esc(v)
            );
        }
        let runs = cmp.text(r, runs_col);
        let _ = write!(s, "<td data-col=\"runs\" data-value=\"{0}\">{0}</td>", esc(runs));
        for ((m, _), b) in metrics.iter().zip(&best) {
            let mean_col = format!("{m}_mean");
            let ci_col = format!("{m}_ci95");
            let unit = unit_of(m);
            let mean = cmp.col(&mean_col).and_then(|c| cmp.num(r, c));
            let is_best = mean.is_some_and(|v| Some(v) == *b);
            let raw = cmp.col(&mean_col).map(|c| cmp.text(r, c)).unwrap_or_default();
            let _ = write!(
                s,
                "<td{}><span data-col=\"{}\" data-value=\"{}\">{}</span>",
                if is_best { " class=\"best\"" } else { "" },
                esc(&mean_col),
                esc(raw),
                esc(&mean.map(|v| show(v, unit)).unwrap_or_else(|| raw.to_string()))
            );
            if let Some(cc) = cmp.col(&ci_col) {
                let raw = cmp.text(r, cc);
                let shown =
                    cmp.num(r, cc).map(|h| show_like(h, mean.unwrap_or(h), unit)).unwrap_or_else(|| raw.to_string());
                let _ = write!(
                    s,
                    " <span class=\"ci\" data-col=\"{}\" data-value=\"{}\">± {}</span>",
                    esc(&ci_col),
                    esc(raw),
                    esc(&shown)
                );
            }
            s.push_str("</td>");
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</table>\n");
    s
}

/// The page of a sweep.
pub fn sweep_page(study: &Study, charts: &[ChartOut], skipped: &[String]) -> Result<String> {
    let dir = &study.dir;
    let cmp = &study.comparison;
    let scen_col = study.summary.col("scenario");
    let mut scenarios: Vec<String> =
        (0..study.summary.rows.len()).filter_map(|r| scen_col.map(|c| study.summary.text(r, c).to_string())).collect();
    scenarios.dedup();
    let name = if scenarios.is_empty() { "sweep".to_string() } else { scenarios.join(", ") };
    let mut s = head(&format!("clustersim report: {name}"));
    let _ = writeln!(
        s,
        "<h1>{}</h1>\n<p class=\"sub\">clustersim comparison of {} configurations, {} runs</p>",
        esc(&name),
        study.configs.len(),
        study.runs.len()
    );
    let rejecting: Vec<&str> = (0..study.configs.len())
        .filter(|&c| study.metric(c, "rejected").is_some_and(|(v, _)| v > 0.0))
        .map(|c| study.series[study.configs[c].series].label.as_str())
        .collect();
    if !rejecting.is_empty() {
        let total: f64 = (0..study.configs.len()).filter_map(|c| study.metric(c, "rejected")).map(|(v, _)| v).sum();
        let which = format!(" (mean per run, summed over configurations) in {}", rejecting.join("; "));
        s.push_str(&rejected_warning(total, None, &which));
    }
    s.push_str("<nav><a href=\"#summary\">Scenario</a><a href=\"#comparison\">Comparison</a><a href=\"#charts\">Charts</a><a href=\"#runs\">Runs</a><a href=\"#manifest\">Manifest</a></nav>\n");
    // Scenario summary.
    let mut facts = manifest_facts(dir)?;
    let mut seeds: Vec<&str> = study.runs.iter().map(|r| r.seed.as_str()).collect();
    seeds.sort_by_key(|s| (s.len(), *s));
    seeds.dedup();
    let varies = |c: usize| {
        let mut v: Vec<&str> = (0..cmp.rows.len()).map(|r| cmp.text(r, c)).collect();
        v.sort_unstable();
        v.dedup();
        v.len() > 1
    };
    let shown: Vec<usize> = (0..study.config_cols.len()).filter(|&c| varies(c)).collect();
    let varying: Vec<&str> = shown.iter().map(|&c| study.config_cols[c].as_str()).collect();
    let fixed: Vec<String> = (0..study.config_cols.len())
        .filter(|&c| !varies(c) && !cmp.rows.is_empty())
        .map(|c| format!("{}={}", study.config_cols[c], cmp.text(0, c)))
        .collect();
    let computed = [
        ("configurations", study.configs.len().to_string()),
        ("runs", study.runs.len().to_string()),
        ("seeds", seeds.join(", ")),
        ("varied", if varying.is_empty() { "nothing".into() } else { varying.join(", ") }),
        ("fixed", fixed.join(", ")),
    ];
    for (k, v) in computed {
        if !v.is_empty() && !facts.iter().any(|(f, _)| f == k) {
            facts.push((k.into(), v));
        }
    }
    s.push_str("<section id=\"summary\">\n<h2>Scenario</h2>\n");
    s.push_str(&dl(&facts));
    s.push_str(&file_links(dir));
    s.push_str("</section>\n");
    // Comparison table: configuration, runs, key metrics as mean ± ci95, verbatim from comparison.csv.
    s.push_str("<section id=\"comparison\">\n<h2>Comparison</h2>\n");
    s.push_str(&comparison_table(study, &shown));
    s.push_str("<details><summary>Every metric (comparison.csv)</summary>\n");
    s.push_str(&full_table(cmp, "comparison-full"));
    s.push_str("</details>\n</section>\n");
    s.push_str(&figures(charts, skipped));
    // Runs.
    s.push_str("<section id=\"runs\">\n<h2>Runs</h2>\n<details><summary>");
    let _ = write!(s, "{} runs", study.runs.len());
    s.push_str("</summary>\n<table id=\"runs-table\">\n<tr><th class=\"name\">run</th><th class=\"name\">configuration</th><th>seed</th><th class=\"name\">files</th></tr>\n");
    for run in &study.runs {
        let cfg = &study.configs[run.config];
        let rel = format!("runs/{}", run.id);
        let links: Vec<String> = ["jobs.csv", "timeline.csv", "summary.csv", "report.html"]
            .iter()
            .filter(|f| run.dir.join(f).is_file())
            .map(|f| format!("<a href=\"{}/{f}\">{f}</a>", esc(&rel)))
            .collect();
        let _ = writeln!(
            s,
            "<tr><td class=\"name\">{}</td><td class=\"name\"><span class=\"swatch\" style=\"background:{}\"></span>{}</td><td>{}</td><td class=\"name\">{}</td></tr>",
            esc(&run.id),
            hex(study.series[cfg.series].style.fill()),
            esc(&study.series[cfg.series].label),
            esc(&run.seed),
            links.join(" · ")
        );
    }
    s.push_str("</table>\n</details>\n</section>\n");
    s.push_str(&manifest_section(dir)?);
    s.push_str(TAIL);
    Ok(s)
}
