//! `report.html`: one self-contained page (inline SVG charts, inline CSS, no script, no network)
//! with the scenario summary, the comparison table, every chart and the manifest.
//!
//! Table cells carry `data-col="<csv column>"` and hold the CSV text verbatim, so the page shows
//! exactly the numbers of `comparison.csv` / `summary.csv` (and a test can check that it does).

use super::data::{Study, Table, read_manifest};
use super::style::hex;
use super::{CHART_DIR, ChartOut};
use crate::error::Result;
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
.swatch{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:6px;vertical-align:-1px}
.ci{color:#666}
figure{margin:24px 0;padding:0}figure svg{width:100%;height:auto;max-width:1000px;display:block}
figcaption{color:#444;font-size:0.92em;margin-top:6px}
pre{background:#f5f5f5;padding:10px;overflow-x:auto;font-size:0.85em}
nav a{margin-right:12px}
";

/// Metrics of the comparison table, in column order: (metric, header).
const KEY_METRICS: [(&str, &str); 9] = [
    ("wait_mean", "mean wait (s)"),
    ("wait_p95", "p95 wait (s)"),
    ("wait_p99", "p99 wait (s)"),
    ("bsld_mean", "mean bounded slowdown"),
    ("starved_frac", "starved (fraction)"),
    ("util_cpu", "cpu utilization (0–1)"),
    ("jain_bsld", "Jain fairness"),
    ("throughput_per_h", "throughput (jobs/h)"),
    ("makespan", "makespan (s)"),
];

fn head(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n",
        esc(title)
    )
}

const TAIL: &str = "</main>\n</body>\n</html>\n";

/// The chart figures, each with its caption and links to its files.
fn figures(charts: &[ChartOut]) -> String {
    let mut s = String::from("<section id=\"charts\">\n<h2>Charts</h2>\n");
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

/// Links to the files that exist among `names` (relative to `dir`).
fn file_links(dir: &Path, names: &[&str]) -> String {
    let present: Vec<String> =
        names.iter().filter(|n| dir.join(n).is_file()).map(|n| format!("<a href=\"{0}\">{0}</a>", esc(n))).collect();
    if present.is_empty() { String::new() } else { format!("<p>Files: {}</p>\n", present.join(" · ")) }
}

/// The page of one run.
pub fn run_page(dir: &Path, charts: &[ChartOut]) -> Result<String> {
    let facts = manifest_facts(dir)?;
    let name = facts.iter().find(|(k, _)| k == "scenario").map(|(_, v)| v.clone()).unwrap_or_else(|| "run".into());
    let mut s = head(&format!("clustersim report: {name}"));
    let _ = writeln!(s, "<h1>{}</h1>\n<p class=\"sub\">clustersim report of one run</p>", esc(&name));
    s.push_str("<nav><a href=\"#summary\">Scenario</a><a href=\"#metrics\">Metrics</a><a href=\"#charts\">Charts</a><a href=\"#manifest\">Manifest</a></nav>\n");
    s.push_str("<section id=\"summary\">\n<h2>Scenario</h2>\n");
    s.push_str(&dl(&facts));
    s.push_str(&file_links(
        dir,
        &["jobs.csv", "timeline.csv", "summary.csv", "tiers.csv", "users.csv", "events.csv", "manifest.json"],
    ));
    s.push_str("</section>\n<section id=\"metrics\">\n<h2>Metrics</h2>\n");
    if let Ok(t) = Table::read(&dir.join("summary.csv")) {
        // Transposed: one row per metric, one column per run (usually one).
        s.push_str("<div class=\"wide\"><table id=\"summary-table\">\n<tr><th class=\"name\">metric</th>");
        for r in 0..t.rows.len() {
            let _ = write!(s, "<th>{}</th>", esc(t.text(r, t.col("run_id").unwrap_or(0))));
        }
        s.push_str("</tr>\n");
        for (c, h) in t.header.iter().enumerate() {
            let _ = write!(s, "<tr><td class=\"name\">{}</td>", esc(h));
            for r in 0..t.rows.len() {
                let _ = write!(s, "<td data-row=\"{r}\" data-col=\"{}\">{}</td>", esc(h), esc(t.text(r, c)));
            }
            s.push_str("</tr>\n");
        }
        s.push_str("</table></div>\n");
    }
    if let Ok(t) = Table::read(&dir.join("tiers.csv")) {
        s.push_str("<h3>By tier</h3>\n");
        s.push_str(&full_table(&t, "tiers-table"));
    }
    s.push_str("</section>\n");
    s.push_str(&figures(charts));
    s.push_str(&manifest_section(dir)?);
    s.push_str(TAIL);
    Ok(s)
}

/// The page of a sweep.
pub fn sweep_page(study: &Study, charts: &[ChartOut]) -> Result<String> {
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
    s.push_str(&file_links(dir, &["comparison.csv", "summary.csv", "manifest.json"]));
    s.push_str("</section>\n");
    // Comparison table: configuration, runs, key metrics as mean ± ci95, verbatim from comparison.csv.
    s.push_str("<section id=\"comparison\">\n<h2>Comparison</h2>\n");
    let _ = writeln!(
        s,
        "<p>Mean over seeds ± half-width of the 95% confidence interval, as in <a href=\"comparison.csv\">comparison.csv</a>. Colours match the charts.</p>"
    );
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
    s.push_str("<div class=\"wide\"><table id=\"comparison-table\">\n<tr><th class=\"name\">configuration</th>");
    for &c in &shown {
        let _ = write!(s, "<th class=\"name\">{}</th>", esc(&study.config_cols[c]));
    }
    s.push_str("<th>runs</th>");
    for (_, h) in &metrics {
        let _ = write!(s, "<th>{}</th>", esc(h));
    }
    s.push_str("</tr>\n");
    let runs_col = cmp.col("runs").unwrap_or(0);
    for cfg in &study.configs {
        let r = cfg.row;
        let _ = write!(
            s,
            "<tr data-row=\"{r}\"><td class=\"name\"><span class=\"swatch\" style=\"background:{}\"></span>{}</td>",
            hex(study.series[cfg.series].style.fill()),
            esc(&study.series[cfg.series].label)
        );
        for &c in &shown {
            let h = &study.config_cols[c];
            let _ = write!(s, "<td class=\"name\" data-col=\"{}\">{}</td>", esc(h), esc(cmp.text(r, c)));
        }
        let _ = write!(s, "<td data-col=\"runs\">{}</td>", esc(cmp.text(r, runs_col)));
        for (m, _) in &metrics {
            let mean = format!("{m}_mean");
            let ci = format!("{m}_ci95");
            let _ = write!(
                s,
                "<td><span data-col=\"{}\">{}</span>",
                esc(&mean),
                esc(cmp.text(r, cmp.col(&mean).unwrap_or(0)))
            );
            if let Some(cc) = cmp.col(&ci) {
                let _ = write!(
                    s,
                    " <span class=\"ci\">± <span data-col=\"{}\">{}</span></span>",
                    esc(&ci),
                    esc(cmp.text(r, cc))
                );
            }
            s.push_str("</td>");
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</table></div>\n");
    s.push_str("<details><summary>Every metric (comparison.csv)</summary>\n");
    s.push_str(&full_table(cmp, "comparison-full"));
    s.push_str("</details>\n</section>\n");
    s.push_str(&figures(charts));
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
