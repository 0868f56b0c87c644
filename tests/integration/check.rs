//! `clustersim check`: passes on identical re-runs, fails (exit 1) on a regression naming metric, values and
//! tolerance, errors (exit 2) on a missing or mismatched baseline, and writes valid JUnit XML.

use super::util::clustersim;
use std::path::{Path, PathBuf};

use crate::util::repo;

/// Runs `clustersim check` with `args`; returns (exit code, stdout, stderr).
fn check(args: &[&str]) -> (i32, String, String) {
    let out = clustersim().arg("check").args(args).output().unwrap();
    (out.status.code().unwrap(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The quickstart scenario with `from` replaced by `to` (in order), written to `dir/quickstart.toml`.
fn quickstart_with(dir: &Path, edits: &[(&str, &str)]) -> PathBuf {
    let mut text = std::fs::read_to_string(repo("scenarios/quickstart.toml")).unwrap();
    for (from, to) in edits {
        assert!(text.contains(from), "quickstart no longer contains {from:?}");
        text = text.replacen(from, to, 1);
    }
    let p = dir.join("quickstart.toml");
    std::fs::write(&p, text).unwrap();
    p
}

/// A tiny job-list scenario (a second scenario name for multi-scenario checks).
pub(crate) fn tiny(dir: &Path) -> PathBuf {
    let p = dir.join("tiny.toml");
    std::fs::write(
        &p,
        r#"name = "tiny"
[[cluster.pools]]
name = "n"
count = 1
cpu = 4
[workload]
type = "list"
jobs = [
  { submit = 0, runtime = 100, cpu = 4 },
  { submit = 10, runtime = 50, cpu = 2 },
  { submit = 20, runtime = 10, cpu = 2 },
]
"#,
    )
    .unwrap();
    p
}

fn update(scenarios: &[&Path], baseline: &Path) {
    let mut args: Vec<&str> = scenarios.iter().map(|p| s(p)).collect();
    args.extend(["--baseline", s(baseline), "--update-baseline"]);
    let (code, out, err) = check(&args);
    assert_eq!(code, 0, "update failed:\n{out}\n{err}");
}

/// One cell of a `summary.csv` (single run).
fn summary_cell(path: &Path, column: &str) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    row[header.iter().position(|c| *c == column).unwrap()].to_string()
}

#[test]
fn the_committed_baseline_holds_with_zero_tolerance_on_one_and_two_threads() {
    // scale-1m is checked by .ci/run in release mode; here the two quick ones.
    let scenarios = [repo("scenarios/quickstart.toml"), repo("scenarios/kth-sp2.toml")];
    for jobs in ["1", "2"] {
        let (code, out, err) =
            check(&[s(&scenarios[0]), s(&scenarios[1]), "--baseline", s(&repo("results/baseline")), "--jobs", jobs]);
        assert_eq!(code, 0, "--jobs {jobs}:\n{out}\n{err}");
        assert!(
            out.contains("PASS: 2 scenario(s), ") && out.contains("0 regressed, 0 improved, 0 within tolerance"),
            "{out}"
        );
    }
    // Every shipped scenario has a committed baseline (.ci/run checks them all), with no machine path in it.
    let mut shipped = 0;
    for entry in std::fs::read_dir(repo("scenarios")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let table: toml::Table = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let name = table["name"].as_str().unwrap();
        let manifest = repo(&format!("results/baseline/{name}/manifest.json"));
        let text = std::fs::read_to_string(&manifest)
            .unwrap_or_else(|_| panic!("{} has no committed baseline (docs/ci.md)", path.display()));
        let m: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(m["scenario_file"].as_str(), path.file_name().unwrap().to_str(), "{}", manifest.display());
        shipped += 1;
    }
    assert!(shipped >= 3);
}

#[test]
fn an_identical_rerun_passes_and_baselines_do_not_depend_on_threads() {
    let dir = tempfile::tempdir().unwrap();
    let (qs, tiny) = (repo("scenarios/quickstart.toml"), tiny(dir.path()));
    let (b1, b2) = (dir.path().join("b1"), dir.path().join("b2"));
    for (b, jobs) in [(&b1, "1"), (&b2, "2")] {
        let (code, out, err) = check(&[s(&qs), s(&tiny), "--baseline", s(b), "--update-baseline", "--jobs", jobs]);
        assert_eq!(code, 0, "{out}\n{err}");
        assert!(out.contains("BASELINE UPDATED"), "{out}");
    }
    for f in ["quickstart/summary.csv", "quickstart/manifest.json", "tiny/summary.csv", "tiny/manifest.json"] {
        assert_eq!(std::fs::read(b1.join(f)).unwrap(), std::fs::read(b2.join(f)).unwrap(), "{f}");
    }
    for jobs in ["1", "2"] {
        let (code, out, _) = check(&[s(&qs), s(&tiny), "--baseline", s(&b1), "--jobs", jobs]);
        assert_eq!(code, 0, "{out}");
        assert!(
            out.contains("PASS: 2 scenario(s), 2 run(s)")
                && out.contains("0 regressed, 0 improved, 0 within tolerance"),
            "{out}"
        );
    }
    // The baseline is the run's own summary.csv, and the manifest says where it came from.
    let run = dir.path().join("run");
    clustersim().args(["run", "-q", s(&qs), "--out", s(&run)]).assert().success();
    assert_eq!(
        std::fs::read(run.join("summary.csv")).unwrap(),
        std::fs::read(b1.join("quickstart/summary.csv")).unwrap()
    );
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(b1.join("quickstart/manifest.json")).unwrap()).unwrap();
    assert_eq!((m["tool"].as_str(), m["version"].as_str()), (Some("clustersim"), Some(env!("CARGO_PKG_VERSION"))));
    assert_eq!(
        (m["seed"].as_u64(), m["runs"].as_u64(), m["scenario_file"].as_str()),
        (Some(42), Some(1), Some("quickstart.toml"))
    );
    let hash = m["scenario_hash"].as_str().unwrap();
    assert!(hash.len() == 16 && hash.chars().all(|c| c.is_ascii_hexdigit()), "{hash}");
    // Results written by `clustersim run` can be checked without running again.
    let (code, out, _) = check(&[s(&qs), "--results", s(&run), "--baseline", s(&b1)]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn a_changed_metric_setting_is_a_regression_and_tolerances_can_absorb_it() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base");
    let qs = quickstart_with(dir.path(), &[]);
    update(&[&qs], &base);
    // A stricter starvation threshold: more jobs count as starved, nothing but starvation moves.
    quickstart_with(dir.path(), &[("starvation_threshold = \"1h\"", "starvation_threshold = \"20m\"")]);

    // The file changed, so the baseline is not silently compared.
    let (code, out, _) = check(&[s(&qs), "--baseline", s(&base)]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("was made from a different version of quickstart.toml") && out.contains("--allow-scenario-change")
    );

    let (code, out, _) = check(&[s(&qs), "--baseline", s(&base), "--allow-scenario-change"]);
    assert_eq!(code, 1, "{out}");
    let run = dir.path().join("run");
    clustersim().args(["run", "-q", s(&qs), "--out", s(&run)]).assert().success();
    for metric in ["starved", "starved_frac"] {
        let old = summary_cell(&base.join("quickstart/summary.csv"), metric);
        let new = summary_cell(&run.join("summary.csv"), metric);
        assert!(new.parse::<f64>().unwrap() > old.parse::<f64>().unwrap());
        let (was, now, line) = table_row(&out, "run", metric);
        // Rounded to four significant digits.
        let close = |shown: &str, cell: &str| {
            let (a, b) = (shown.parse::<f64>().unwrap(), cell.parse::<f64>().unwrap());
            (a - b).abs() <= 5e-4 * b.abs().max(1e-9)
        };
        assert!(close(was, &old) && close(now, &new), "{line} vs {old} {new}");
        assert!(line.contains("must not rise") && line.ends_with("REGRESSED"), "{line}");
    }
    assert!(out.contains(" regressed, 0 improved, 0 within tolerance, ") && out.contains(", 0 error(s)"), "{out}");
    // One line for the configuration: the first regressed metric, both values, the change and the rule.
    let config = out.lines().find(|l| l.starts_with("  run  ")).unwrap_or_else(|| panic!("{out}"));
    assert!(config.contains(" starved ") && config.contains("exceeded (must not rise)"), "{config}");
    assert!(config.contains("n/a") && config.contains("1/1 REGRESSED") && config.contains("+2 metric(s)"), "{config}");
    assert_all_moved_rows_are_starvation(&out);

    // A tolerance in the scenario's [check] table lets the same change pass; the table is not part of the hash.
    let tolerant = "[check]\n\"starved*\" = { abs = 3000 }\nstarved_frac = { abs = 1 }\n";
    let text = std::fs::read_to_string(&qs).unwrap();
    std::fs::write(&qs, format!("{text}\n{tolerant}")).unwrap();
    let (code, out, _) = check(&[s(&qs), "--baseline", s(&base), "--allow-scenario-change"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("may rise ≤ 3000") && out.contains("within tolerance"), "{out}");

    // The same tolerance from <baseline>/check.toml.
    std::fs::write(&qs, text).unwrap();
    std::fs::write(base.join("check.toml"), tolerant).unwrap();
    let (code, out, _) = check(&[s(&qs), "--baseline", s(&base), "--allow-scenario-change"]);
    assert_eq!(code, 0, "{out}");
    std::fs::remove_file(base.join("check.toml")).unwrap();

    // A changed seed moves everything.
    quickstart_with(dir.path(), &[("seed = 42", "seed = 7")]);
    let (code, out, _) = check(&[s(&qs), "--baseline", s(&base), "--allow-scenario-change"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("\n  note: seed: `42` → `7`\n") && out.contains("REGRESSED"), "{out}");
}

/// Every row of the text tables (the configuration line, what regressed) names a starvation metric.
fn assert_all_moved_rows_are_starvation(out: &str) {
    let rows: Vec<&str> = out
        .lines()
        .filter(|l| l.trim_start().starts_with("run ") && l.split_whitespace().nth(1) != Some("metric"))
        .collect();
    assert!(!rows.is_empty(), "{out}");
    for row in &rows {
        assert!(row.split_whitespace().nth(1).is_some_and(|m| m.starts_with("starved")), "{row}");
    }
}

/// Two jobs on one 4-core node under SRTF: job 1 (100 s) at 0, job 2 (10 s) at 10 s. With preemption
/// job 2 suspends job 1 and starts at once (waits 0 and 0, responses 110 and 10); without, job 2 waits
/// until job 1 ends at 100 s (waits 0 and 90, responses 100 and 100).
const SRTF_PAIR: &str = r#"name = "srtf-pair"
[[cluster.pools]]
name = "n"
count = 1
cpu = 4
[workload]
type = "list"
jobs = [
  { submit = 0, runtime = 100, cpu = 4 },
  { submit = 10, runtime = 10, cpu = 4 },
]
[policy]
queue = { name = "srtf", preempt = true }
"#;

/// The cells of the per-run text-table row of `metric` in `run` (the last table, after the
/// configuration lines): (baseline, new, rest of the line).
fn table_row<'a>(out: &'a str, run: &str, metric: &str) -> (&'a str, &'a str, &'a str) {
    let line = out
        .lines()
        .rfind(|l| {
            let mut w = l.split_whitespace();
            w.next() == Some(run) && w.next() == Some(metric)
        })
        .unwrap_or_else(|| panic!("no row for {run} {metric}:\n{out}"));
    let cells: Vec<&str> = line.split_whitespace().collect();
    (cells[2], cells[3], line)
}

#[test]
fn a_changed_policy_parameter_fails_naming_metric_old_new_and_tolerance() {
    let dir = tempfile::tempdir().unwrap();
    let (base, sc) = (dir.path().join("base"), dir.path().join("pair.toml"));
    std::fs::write(&sc, SRTF_PAIR).unwrap();
    update(&[&sc], &base);
    std::fs::write(&sc, SRTF_PAIR.replace("preempt = true", "preempt = false")).unwrap();
    let (code, out, _) = check(&[s(&sc), "--baseline", s(&base), "--allow-scenario-change", "--all"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("\n  note: queue: `srtf(preempt=true)` → `srtf(preempt=false)`\n"), "{out}");
    for (metric, old, new, change) in [
        ("wait_mean", "0", "45", "+45"),
        ("wait_max", "0", "90", "+90"),
        ("response_mean", "60", "100", "+40 (+66.67%)"),
        ("bsld_mean", "1.05", "5.5", "+4.45 (+423.8%)"),
    ] {
        let (was, now, line) = table_row(&out, "run", metric);
        assert_eq!((was, now), (old, new), "{line}");
        assert!(line.contains(&format!("{change}  must not rise  REGRESSED")), "{line}");
    }
    // One preemption fewer: a count that must match.
    let (was, now, line) = table_row(&out, "run", "preemptions");
    assert_eq!((was, now), ("1", "0"), "{line}");
    assert!(line.ends_with("must match     REGRESSED"), "{line}");
}

#[test]
fn sweeps_are_checked_run_by_run_on_one_and_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let sc = dir.path().join("mini.toml");
    let text = r#"name = "mini-sweep"
seed = 5
[[cluster.pools]]
name = "n"
count = 4
cpu = 8
[workload]
type = "synthetic"
jobs = 200
interarrival = { dist = "exponential", mean = "30s" }
runtime = { dist = "exponential", mean = "5m" }
cpu = { dist = "uniform", min = 1, max = 8 }
[sweep]
replications = 2
queue = ["fifo", { name = "srtf", preempt = false }]
"#;
    std::fs::write(&sc, text).unwrap();
    let (b1, b2) = (dir.path().join("b1"), dir.path().join("b2"));
    for (b, jobs) in [(&b1, "1"), (&b2, "2")] {
        let (code, out, err) = check(&[s(&sc), "--baseline", s(b), "--update-baseline", "--jobs", jobs]);
        assert_eq!(code, 0, "{out}\n{err}");
    }
    for f in ["summary.csv", "manifest.json"] {
        let f = format!("mini-sweep/{f}");
        assert_eq!(std::fs::read(b1.join(&f)).unwrap(), std::fs::read(b2.join(&f)).unwrap(), "{f}");
    }
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(b1.join("mini-sweep/manifest.json")).unwrap()).unwrap();
    assert_eq!((m["runs"].as_u64(), m["seeds"].as_array().map(Vec::len)), (Some(4), Some(2)));
    for jobs in ["1", "2"] {
        let (code, out, _) = check(&[s(&sc), "--baseline", s(&b1), "--jobs", jobs]);
        assert_eq!(code, 0, "{out}");
        assert!(
            out.contains("PASS: 1 scenario(s), 4 run(s)")
                && out.contains("0 regressed, 0 improved, 0 within tolerance"),
            "{out}"
        );
    }
    // The sweep's own output directory, checked without running again; `--out` keeps a check's runs.
    let kept = dir.path().join("kept");
    let (code, out, _) = check(&[s(&sc), "--baseline", s(&b1), "--out", s(&kept)]);
    assert_eq!(code, 0, "{out}");
    assert!(kept.join("mini-sweep/runs/c1-r1/jobs.csv").exists());
    let run = dir.path().join("run");
    clustersim().args(["run", "-q", s(&sc), "--out", s(&run)]).assert().success();
    let (code, out, _) = check(&[s(&sc), "--results", s(&run), "--baseline", s(&b1)]);
    assert_eq!(code, 0, "{out}");

    // Preemption on in the second configuration: its runs regress, the first configuration's do not.
    std::fs::write(&sc, text.replace("preempt = false", "preempt = true")).unwrap();
    // One run writes the terminal table, Markdown and JUnit XML.
    let (md, xml) = (dir.path().join("check.md"), dir.path().join("check.xml"));
    let (code, out, _) =
        check(&[s(&sc), "--baseline", s(&b1), "--allow-scenario-change", "--markdown", s(&md), "--junit", s(&xml)]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("report written to") && out.lines().count() < 30, "a summary, not every value:\n{out}");
    // The configuration line comes first; the unchanged fifo configuration is counted, not listed.
    assert!(out.contains("2 configuration(s): 1 regressed, 0 within tolerance, 0 improved, 1 unchanged"), "{out}");
    let c1 = out.lines().find(|l| l.starts_with("  c1  ")).unwrap_or_else(|| panic!("{out}"));
    assert!(c1.contains("/2 REGRESSED") && c1.trim_end().ends_with("srtf(preempt=true)"), "{c1}");
    assert!(!out.lines().any(|l| l.trim_start().starts_with("c0")), "fifo runs unchanged:\n{out}");
    let md = std::fs::read_to_string(md).unwrap();
    assert!(md.contains("<details><summary>What regressed, run by run: "), "{md}");
    for run in ["c1-r0", "c1-r1"] {
        let prefix = format!("| {run} | `preemptions` | 0 | ");
        let row = md.lines().find(|l| l.starts_with(&prefix)).unwrap_or_else(|| panic!("{md}"));
        assert!(row.ends_with("| must match | **REGRESSED** |"), "{row}");
    }
    assert!(!md.contains("| c0-"), "{md}");
    assert!(std::fs::read_to_string(xml).unwrap().contains("<failure type=\"regression\""));
    // Results of the old file are refused rather than compared with the new one.
    let (code, out, _) = check(&[s(&sc), "--results", s(&run), "--baseline", s(&b1)]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("were made from a different version of the scenario"), "{out}");
}

#[test]
fn improvements_pass_and_tolerance_edits_keep_the_baseline_valid() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base");
    let qs = quickstart_with(dir.path(), &[("starvation_threshold = \"1h\"", "starvation_threshold = \"20m\"")]);
    update(&[&qs], &base);
    // A looser threshold: fewer starved jobs, an improvement, passes under zero tolerance.
    quickstart_with(dir.path(), &[("starvation_threshold = \"1h\"", "starvation_threshold = \"30m\"")]);
    let (code, out, _) = check(&[s(&qs), "--baseline", s(&base), "--allow-scenario-change"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(": 0 regressed, 3 improved, ") && out.contains("1/1 improved"), "{out}");
    assert_all_moved_rows_are_starvation(&out);
    // Adding a [check] table to the baselined file is not a scenario change.
    let qs = quickstart_with(dir.path(), &[("starvation_threshold = \"1h\"", "starvation_threshold = \"20m\"")]);
    let text = std::fs::read_to_string(&qs).unwrap();
    std::fs::write(&qs, format!("{text}\n[check]\nwait_p95 = {{ rel = 0.02 }}\n")).unwrap();
    let (code, out, _) = check(&[s(&qs), "--baseline", s(&base)]);
    assert_eq!(code, 0, "{out}");
    // A typo in a tolerance is an error naming the key and the valid metrics.
    std::fs::write(&qs, format!("{text}\n[check]\nwait_p59 = {{ rel = 0.02 }}\n")).unwrap();
    let (code, out, _) = check(&[s(&qs), "--baseline", s(&base)]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("check.wait_p59") && out.contains("unknown metric") && out.contains("wait_p95"), "{out}");
}

#[test]
fn a_missing_baseline_or_baseline_run_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base");
    let qs = repo("scenarios/quickstart.toml");
    // No baseline at all.
    let (code, out, _) = check(&[s(&qs), "--baseline", s(&base)]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("no baseline for scenario `quickstart`") && out.contains("--update-baseline"), "{out}");
    // A baseline without this run.
    update(&[&qs], &base);
    let summary = base.join("quickstart/summary.csv");
    let text = std::fs::read_to_string(&summary).unwrap();
    std::fs::write(&summary, text.replace("\nrun,", "\nother,")).unwrap();
    let (code, out, _) = check(&[s(&qs), "--baseline", s(&base)]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("run `run` has no baseline (the baseline has run(s) other)"), "{out}");
    assert!(out.contains("run `other` is in the baseline but not in the results"), "{out}");
    // A baseline missing a metric column the results have is fine (a new metric); one the results
    // lack is an error.
    let header = text.lines().next().unwrap();
    let extra = text.replacen(header, &format!("{header},retired_metric"), 1).trim_end().to_string() + ",5\n";
    std::fs::write(&summary, extra).unwrap();
    let (code, out, _) = check(&[s(&qs), "--baseline", s(&base)]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("retired_metric") && out.contains("MISSING"), "{out}");
    // Two scenario files with one name would share a baseline directory.
    let dir2 = tempfile::tempdir().unwrap();
    let copy = quickstart_with(dir2.path(), &[]);
    let (code, out, _) = check(&[s(&qs), s(&copy), "--baseline", s(&base), "--update-baseline"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("scenario name `quickstart` is also used by"), "{out}");
}

/// (tests, failures, errors) of a JUnit document.
type Counts = (usize, usize, usize);

/// Counts of a JUnit document: as declared on its `<testsuites>` root, as counted from the elements,
/// and the failure messages. Panics if the XML is not well-formed.
fn junit_counts(xml: &str) -> (Counts, Counts, Vec<String>) {
    let doc = roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("invalid XML: {e}\n{xml}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let n = |k: &str| root.attribute(k).unwrap_or_else(|| panic!("no {k}")).parse::<usize>().unwrap();
    let declared = (n("tests"), n("failures"), n("errors"));
    let named = |tag: &'static str| root.descendants().filter(move |d| d.tag_name().name() == tag);
    let counted = (named("testcase").count(), named("failure").count(), named("error").count());
    // Every suite's own counts add up too.
    for suite in named("testsuite") {
        let count = |tag: &str| suite.descendants().filter(|d| d.tag_name().name() == tag).count();
        let attr = |k: &str| suite.attribute(k).unwrap().parse::<usize>().unwrap();
        assert_eq!(
            (attr("tests"), attr("failures"), attr("errors")),
            (count("testcase"), count("failure"), count("error"))
        );
    }
    let messages = named("failure").map(|f| f.attribute("message").unwrap().to_string()).collect();
    (declared, counted, messages)
}

#[test]
fn junit_xml_is_valid_and_counts_failures() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base");
    let qs = quickstart_with(dir.path(), &[]);
    let tiny = tiny(dir.path());
    update(&[&qs, &tiny], &base);

    // Everything holds: one test case per run × metric group, none failing.
    let (code, xml, _) = check(&[s(&qs), s(&tiny), "--baseline", s(&base), "--format", "junit"]);
    assert_eq!(code, 0);
    let (declared, counted, _) = junit_counts(&xml);
    assert_eq!(declared, counted);
    assert_eq!(declared.1 + declared.2, 0);
    assert!(declared.0 >= 2 * 9, "one case per run × group: {xml}");

    // One regressed group in quickstart; tiny unchanged.
    quickstart_with(dir.path(), &[("starvation_threshold = \"1h\"", "starvation_threshold = \"20m\"")]);
    let report = dir.path().join("check.xml");
    let (code, out, _) = check(&[
        s(&qs),
        s(&tiny),
        "--baseline",
        s(&base),
        "--allow-scenario-change",
        "--format",
        "junit",
        "--output",
        s(&report),
    ]);
    assert_eq!(code, 1);
    assert!(
        out.contains("REGRESSION") && out.contains("report written to"),
        "the terminal still gets the table: {out}"
    );
    let xml = std::fs::read_to_string(&report).unwrap();
    let (declared, counted, messages) = junit_counts(&xml);
    assert_eq!(declared, counted, "{xml}");
    assert_eq!((declared.1, declared.2), (1, 0), "{xml}");
    assert!(messages[0].starts_with("starved: 0 → ") && messages[0].contains("starved_frac: 0 → "), "{messages:?}");
    assert!(xml.contains("classname=\"quickstart.run\" name=\"starvation\""), "{xml}");

    // A missing baseline run is an error case, not a failure.
    let summary = base.join("tiny/summary.csv");
    let text = std::fs::read_to_string(&summary).unwrap();
    std::fs::write(&summary, text.replace("\nrun,", "\nold,")).unwrap();
    let (code, xml, err) =
        check(&[s(&qs), s(&tiny), "--baseline", s(&base), "--allow-scenario-change", "--format", "junit"]);
    assert_eq!(code, 2);
    assert!(err.contains("error: tiny: run `run` has no baseline"), "{err}");
    let (declared, counted, _) = junit_counts(&xml);
    assert_eq!(declared, counted, "{xml}");
    assert_eq!((declared.1, declared.2), (1, 2), "{xml}");
}

#[test]
fn markdown_report_is_a_table_for_a_pull_request() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base");
    let qs = quickstart_with(dir.path(), &[]);
    update(&[&qs], &base);
    quickstart_with(dir.path(), &[("starvation_threshold = \"1h\"", "starvation_threshold = \"20m\"")]);
    let (code, md, _) = check(&[s(&qs), "--baseline", s(&base), "--allow-scenario-change", "--format", "markdown"]);
    assert_eq!(code, 1);
    assert!(md.starts_with("## clustersim check\n\n**REGRESSION"), "{md}");
    assert!(md.contains("| run | metric | baseline | new | change | allowed | verdict |"), "{md}");
    assert!(md.contains("| run | `starved` | 0 | ") && md.contains("| must not rise | **REGRESSED** |"), "{md}");
}
