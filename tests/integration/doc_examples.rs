//! The documentation's examples are checked by the program they document: every TOML and CSV code
//! block of README.md and docs/*.md goes through `clustersim validate`.
//!
//! - A TOML block that is a whole scenario (it has `name` and `[workload]`) is validated as it is.
//! - Any other TOML block is a fragment: it is spliced into a small scenario ([`BASE`]: pools `cpu`
//!   and `gpu`, a synthetic workload at a target load, one node failure process) — its tables merged into the scenario's, a
//!   `[workload]` with a `type` or a `[[...]]` array replacing the scenario's own — and that is validated.
//! - A CSV block is the job list of a scenario with `type = "csv"` and tiers `batch` and `prod`.
//! - Relative trace paths are read from `scenarios/`, where the shipped scenarios live.
//!
//! Every code block must name its language (`text` for terminal output), so that none escapes. A
//! block is left out only with a marker on the line just above its fence that says why:
//! `<!-- not validated: REASON -->`.

use crate::util::clustersim;
use std::path::{Path, PathBuf};

/// The scenario a fragment is spliced into.
const BASE: &str = r#"
name = "doc-example"
[[cluster.pools]]
name = "cpu"
count = 16
cpu = 32
memory = "128GiB"
racks = 4
[[cluster.pools]]
name = "gpu"
count = 4
cpu = 16
memory = "256GiB"
gpu = 4
[workload]
type = "synthetic"
jobs = 100
load = 0.8
runtime = { dist = "exponential", mean = "10m" }
[[faults.pools]]
pool = "*"
mtbf = "30d"
mttr = "2h"
"#;

/// A fenced code block of a Markdown file.
pub(super) struct Block {
    file: PathBuf,
    /// 1-based line of the opening fence.
    pub(super) line: usize,
    pub(super) lang: String,
    pub(super) text: String,
    /// The comment on the line just above the fence (`<!-- ... -->`), if any.
    pub(super) marker: Option<String>,
    /// The reason given by a `<!-- not validated: ... -->` marker above the fence.
    opt_out: Option<String>,
}

fn docs() -> Vec<PathBuf> {
    let root = crate::util::repo("");
    let mut files = vec![root.join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    docs.sort();
    files.extend(docs);
    files
}

pub(super) fn blocks(file: &Path) -> Vec<Block> {
    let text = std::fs::read_to_string(file).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some(info) = lines[i].trim_start().strip_prefix("```") else {
            i += 1;
            continue;
        };
        let start = i;
        let end = (i + 1..lines.len()).find(|&k| lines[k].trim_start().starts_with("```")).unwrap_or(lines.len());
        let marker = start.checked_sub(1).map(|k| lines[k].trim());
        let opt_out = marker
            .and_then(|m| m.strip_prefix("<!-- not validated:"))
            .and_then(|m| m.strip_suffix("-->"))
            .map(|why| why.trim().to_string());
        out.push(Block {
            file: file.to_path_buf(),
            line: start + 1,
            lang: info.trim().to_string(),
            text: lines[start + 1..end].join("\n") + "\n",
            marker: marker.filter(|m| m.starts_with("<!--")).map(str::to_string),
            opt_out,
        });
        i = end + 1;
    }
    out
}

/// `fragment`'s tables merged into `base`: tables merge key by key, except a `workload` that names
/// its `type` (another kind of workload); any other value, arrays of tables included, replaces.
fn splice(base: &mut toml::Table, fragment: toml::Table) {
    for (k, v) in fragment {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(f)) if !(k == "workload" && f.contains_key("type")) => {
                splice(b, f);
            }
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

/// A relative trace path as the shipped scenarios (in `scenarios/`) would read it.
fn anchor_paths(scenario: &mut toml::Table) {
    let scenarios = crate::util::repo("scenarios");
    if let Some(toml::Value::Table(w)) = scenario.get_mut("workload")
        && let Some(toml::Value::String(p)) = w.get_mut("path")
        && Path::new(p.as_str()).is_relative()
    {
        *p = scenarios.join(&*p).to_string_lossy().into_owned();
    }
    // A GPU-sharing study's node list and pod lists.
    if let Some(toml::Value::Table(g)) = scenario.get_mut("gpu_sharing") {
        let anchor = |v: &mut toml::Value| {
            if let toml::Value::String(p) = v
                && Path::new(p.as_str()).is_relative()
            {
                *p = scenarios.join(&*p).to_string_lossy().into_owned();
            }
        };
        g.get_mut("nodes").map(anchor);
        if let Some(toml::Value::Array(traces)) = g.get_mut("traces") {
            traces.iter_mut().for_each(anchor);
        }
    }
}

/// The scenario file that checks `block` (written into `dir`), or why the block cannot be one.
fn scenario_of(block: &Block, dir: &Path) -> Result<PathBuf, String> {
    let mut scenario: toml::Table = BASE.parse().unwrap();
    match block.lang.as_str() {
        "toml" => {
            let fragment: toml::Table = block.text.parse().map_err(|e| format!("not valid TOML: {e}"))?;
            if fragment.contains_key("name")
                && (fragment.contains_key("workload") || fragment.contains_key("gpu_sharing"))
            {
                scenario = fragment;
            } else {
                splice(&mut scenario, fragment);
            }
        }
        "csv" => {
            let jobs = dir.join("jobs.csv");
            std::fs::write(&jobs, &block.text).unwrap();
            let mut workload: toml::Table = "type = \"csv\"\ntiers = [\"batch\", \"prod\"]".parse().unwrap();
            workload.insert("path".into(), toml::Value::String(jobs.to_string_lossy().into_owned()));
            scenario.insert("workload".into(), toml::Value::Table(workload));
        }
        other => return Err(format!("not a TOML or CSV block (`{other}`)")),
    }
    anchor_paths(&mut scenario);
    let path = dir.join("example.toml");
    std::fs::write(&path, toml::to_string(&scenario).unwrap()).unwrap();
    Ok(path)
}

/// Defect 13: two examples of the documentation were rejected by the program (the `[network]`
/// partitions example of docs/faults.md and the CSV job list of docs/workloads.md, whose first row
/// had 14 fields). Every TOML and CSV example is now validated.
#[test]
fn every_toml_and_csv_example_of_the_docs_validates() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for file in docs() {
        for block in blocks(&file) {
            let at = format!("{}:{}", block.file.strip_prefix(crate::util::repo("")).unwrap().display(), block.line);
            let mut block = block;
            if block.lang.is_empty() {
                failures.push(format!("{at}: a code block without a language (`text` for output)"));
                // still check what it holds when that is a job list
                let header: Vec<&str> = block.text.lines().next().unwrap_or("").split(',').map(str::trim).collect();
                if !(header.contains(&"submit") && header.contains(&"runtime")) {
                    continue;
                }
                block.lang = "csv".into();
            }
            if !matches!(block.lang.as_str(), "toml" | "csv") {
                continue;
            }
            match &block.opt_out {
                Some(why) if why.is_empty() => failures.push(format!("{at}: a `not validated` marker must say why")),
                Some(_) => continue,
                None => {}
            }
            checked += 1;
            let dir = tempfile::tempdir().unwrap();
            let verdict = scenario_of(&block, dir.path()).and_then(|sc| {
                let o = clustersim().arg("validate").arg(&sc).output().unwrap();
                if o.status.success() {
                    Ok(())
                } else {
                    let scenario = std::fs::read_to_string(&sc).unwrap_or_default();
                    Err(format!("{}\nvalidated as:\n{scenario}", String::from_utf8_lossy(&o.stderr).trim_end()))
                }
            });
            if let Err(why) = verdict {
                failures.push(format!("{at}: the {} example is rejected: {why}", block.lang));
            }
        }
    }
    assert!(checked >= 12, "only {checked} examples found");
    assert!(failures.is_empty(), "{} of {checked} examples fail:\n\n{}", failures.len(), failures.join("\n\n"));
}

/// The table of `scenarios/allocation.toml` results in docs/policies.md is what a run of the study gives
/// (replication 0; waits in seconds, per tier from `tiers.csv`), row for row.
#[test]
fn the_allocation_table_in_docs_policies_matches_a_run() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("allocation");
    super::util::clustersim()
        .args(["run", "scenarios/allocation.toml", "--no-charts", "-q", "--out"])
        .arg(&out)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .assert()
        .success();
    let mut summary = csv::Reader::from_path(out.join("summary.csv")).unwrap();
    let header = summary.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let mut rows: Vec<(String, String)> = Vec::new(); // (queue, row)
    for rec in summary.records() {
        let rec = rec.unwrap();
        let id = &rec[col("run_id")];
        if !id.ends_with("-r0") {
            continue;
        }
        let allocation = match &rec[col("allocation")] {
            a if a.starts_with("preemptive(") => "preemptive (checkpoint)".to_string(),
            a if a.starts_with("tiered(") => "tiered (0.5/0.35/0.15)".to_string(),
            a => a.to_string(),
        };
        let queue = rec[col("queue")].split('(').next().unwrap().to_string();
        let mut tiers = csv::Reader::from_path(out.join("runs").join(id).join("tiers.csv")).unwrap();
        let th = tiers.headers().unwrap().clone();
        let wait = th.iter().position(|h| h == "wait_mean").unwrap();
        let waits: Vec<String> =
            tiers.records().map(|r| format!("{:.0}", r.unwrap()[wait].parse::<f64>().unwrap())).collect();
        let num = |name: &str| rec[col(name)].parse::<f64>().unwrap();
        rows.push((
            queue.clone(),
            format!(
                "| {allocation} | {queue} | {:.0} | {} | {:.0} | {:.0} |",
                num("wait_mean"),
                waits.join(" | "),
                num("preemptions"),
                num("lost_work_core_h")
            ),
        ));
    }
    // priority_aging rows first, as the page lists them
    rows.sort_by_key(|(q, _)| q != "priority_aging");
    let doc = std::fs::read_to_string(super::util::repo("docs/policies.md")).unwrap();
    let shown: Vec<&str> = doc
        .lines()
        .skip_while(|l| !l.starts_with("| allocation | queue |"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .collect();
    let mut missing = Vec::new();
    for line in &shown {
        if !rows.iter().any(|(_, r)| r == line) {
            missing.push(line.to_string());
        }
    }
    assert!(
        missing.is_empty() && shown.len() >= 8,
        "docs/policies.md rows not given by a run:\n{}\nrows of the run:\n{}",
        missing.join("\n"),
        rows.iter().map(|(_, r)| r.as_str()).collect::<Vec<_>>().join("\n")
    );
}
