//! The command line: success paths, outputs on disk, and a clear non-zero exit on every kind of bad input.

use super::util::clustersim;
use predicates::prelude::*;
use std::path::Path;

use crate::util::repo;

/// The quickstart scenario with one line replaced, written to `dir/name`.
fn broken_quickstart(dir: &Path, name: &str, from: &str, to: &str) -> std::path::PathBuf {
    let text = std::fs::read_to_string(repo("scenarios/quickstart.toml")).unwrap();
    assert!(text.contains(from), "quickstart no longer contains {from:?}");
    let p = dir.join(name);
    std::fs::write(&p, text.replacen(from, to, 1)).unwrap();
    p
}

#[test]
fn run_writes_every_output_and_prints_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    clustersim()
        .args(["run", repo("scenarios/quickstart.toml").to_str().unwrap(), "--out"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("wait mean").and(predicate::str::contains("utilization")));
    for f in ["jobs.csv", "timeline.csv", "summary.csv", "tiers.csv", "users.csv", "manifest.json"] {
        let meta = std::fs::metadata(dir.path().join(f)).unwrap_or_else(|_| panic!("{f} missing"));
        assert!(meta.len() > 0, "{f} is empty");
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn same_seed_gives_byte_identical_files() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for d in [&a, &b] {
        clustersim()
            .args(["run", "-q", repo("scenarios/quickstart.toml").to_str().unwrap(), "--out"])
            .arg(d.path())
            .assert()
            .success();
    }
    for f in ["jobs.csv", "summary.csv", "timeline.csv", "manifest.json"] {
        let x = std::fs::read(a.path().join(f)).unwrap();
        let y = std::fs::read(b.path().join(f)).unwrap();
        assert!(x == y, "{f} differs between two runs");
    }
    // A different seed gives a different workload.
    let c = tempfile::tempdir().unwrap();
    clustersim()
        .args(["run", "-q", "--seed", "7", repo("scenarios/quickstart.toml").to_str().unwrap(), "--out"])
        .arg(c.path())
        .assert()
        .success();
    assert_ne!(std::fs::read(a.path().join("jobs.csv")).unwrap(), std::fs::read(c.path().join("jobs.csv")).unwrap());
}

#[test]
fn validate_accepts_every_shipped_scenario() {
    let mut n = 0;
    for entry in std::fs::read_dir(repo("scenarios")).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e == "toml") {
            clustersim().arg("validate").arg(&p).assert().success();
            n += 1;
        }
    }
    assert!(n >= 1);
}

/// Each bad input: exit code 2, a message naming the file and the key or line, no panic.
#[test]
fn bad_scenarios_are_reported_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("typo.toml", "seed = 42", "sed = 42", vec!["typo.toml", "line 6", "unknown field `sed`", "seed"]),
        (
            "type.toml",
            "count = 48",
            "count = \"many\"",
            vec!["type.toml", "line 10", "invalid type", "expected a whole number ≥ 0"],
        ),
        ("negative.toml", "cpu = 32", "cpu = -32", vec!["negative.toml", "line 11", "-32"]),
        (
            "policy.toml",
            "queue = \"fifo\"",
            "queue = \"fofo\"",
            vec!["policy.toml", "policy.queue", "unknown queue policy `fofo`", "valid names: fifo"],
        ),
        (
            "param.toml",
            "queue = \"fifo\"",
            "queue = { name = \"fifo\", depth = 3 }",
            vec!["param.toml", "policy.queue.depth", "unknown parameter"],
        ),
        ("zero.toml", "count = 48", "count = 0", vec!["zero.toml", "cluster.pools[0].count"]),
        (
            "dist.toml",
            "dist = \"lognormal\"",
            "dist = \"lognormol\"",
            vec!["dist.toml", "line 35, key `workload.runtime.dist`", "lognormol", "exponential"],
        ),
        // Inside [workload] (a table told apart by its `type`) errors still name the line and the key.
        (
            "wl-neg.toml",
            "mean = \"20s\"",
            "mean = \"-20s\"",
            vec!["line 34, key `workload.interarrival`", "`-20s` is not a duration"],
        ),
        (
            "wl-int.toml",
            "runtime = { dist = \"lognormal\", mean = \"30m\", cv = 1.5 }",
            "runtime = 1800",
            vec!["line 35, key `workload.runtime`", "expected a distribution table such as { dist = "],
        ),
        ("wl-key.toml", "runtime = {", "runtme = {", vec!["line 35, key `workload.runtme`", "unknown field `runtme`"]),
    ];
    for (name, from, to, needles) in cases {
        let p = broken_quickstart(dir.path(), name, from, to);
        for cmd in ["validate", "run"] {
            let out_dir = dir.path().join("o");
            let mut c = clustersim();
            c.arg(cmd).arg(&p);
            if cmd == "run" {
                c.arg("-q").arg("--out").arg(&out_dir);
            }
            let out = c.output().unwrap();
            let cmd_line = format!("{cmd} {name}");
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{cmd_line}: {err}");
            assert!(!err.contains("panicked"), "{cmd_line} panicked: {err}");
            for n in &needles {
                assert!(err.contains(n), "{cmd_line}: message lacks {n:?}:\n{err}");
            }
        }
    }
    assert!(!dir.path().join("o").exists(), "a failed run left output behind");
}

#[test]
fn missing_file_is_an_error_naming_it() {
    clustersim()
        .args(["run", "no/such/scenario.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no/such/scenario.toml").and(predicate::str::contains("No such file")));
}

#[test]
fn help_shows_examples() {
    clustersim().arg("--help").assert().success().stdout(predicate::str::contains("Examples:"));
    clustersim().args(["run", "--help"]).assert().success().stdout(predicate::str::contains("quickstart.toml"));
}

#[test]
fn trace_stats_summarises_a_trace() {
    clustersim()
        .args(["trace", "stats"])
        .arg(crate::util::shared("workloads/KTH-SP2-1996-2.1-cln.first3000.swf"))
        .assert()
        .success()
        .stdout(
            predicate::str::contains("jobs           3000")
                .and(predicate::str::contains("machine        100 processors"))
                .and(predicate::str::contains("skipped        0"))
                .and(predicate::str::contains("offered load")),
        );
}

#[test]
fn trace_stats_names_the_bad_line_or_counts_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.swf");
    std::fs::write(&path, "; MaxProcs: 4\n1 0 0 10 1 -1 -1 1 20 -1 1 1 1 -1 -1 -1 -1 -1\n2 5 0 10 1\n").unwrap();
    clustersim()
        .args(["trace", "stats"])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!("{}:3: expected 18 fields, found 5", path.display())));
    clustersim()
        .args(["trace", "stats", "--skip-bad-lines"])
        .arg(&path)
        .assert()
        .success()
        .stdout(predicate::str::contains("jobs           1").and(predicate::str::contains("1  malformed line")));
}

#[test]
fn kth_scenario_runs_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    clustersim()
        .args(["run", repo("scenarios/kth-sp2.toml").to_str().unwrap(), "--out"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("easy_backfill").and(predicate::str::contains("fifo")));
    let manifest = std::fs::read_to_string(dir.path().join("runs/c0-r0/manifest.json")).unwrap();
    assert!(manifest.contains("\"skipped_input\": []"), "{manifest}");
}

#[test]
fn skipped_trace_lines_are_reported_on_screen_and_in_the_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("plain.toml");
    let trace = crate::util::shared("workloads/KTH-SP2-1996-2.1-cln.swf.gz");
    std::fs::write(
        &scenario,
        format!(
            "name = \"plain\"\n[workload]\ntype = \"swf\"\npath = \"{}\"\nconvention = \"plain\"\n",
            trace.display()
        ),
    )
    .unwrap();
    clustersim()
        .arg("run")
        .arg(&scenario)
        .arg("--out")
        .arg(dir.path().join("out"))
        .assert()
        .success()
        .stdout(predicate::str::contains("input lines skipped 1: 1 processors unknown (-1) (first: line 27323)"));
    let manifest = std::fs::read_to_string(dir.path().join("out/manifest.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    assert_eq!(
        json["skipped_input"],
        serde_json::json!([{"reason": "processors unknown (-1)", "count": 1, "first_line": 27323}])
    );
}
