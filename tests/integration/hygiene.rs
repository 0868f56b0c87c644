//! Run-output hygiene and honest accounting: stale outputs removed, empty workloads refused, `--out`
//! on a file refused, jobs past the horizon not counted, rejected jobs warned about.

use super::util::clustersim;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

/// One node of 4 cores and the given `[workload]` body (after the section header).
fn scenario(dir: &Path, name: &str, extra: &str, workload: &str) -> PathBuf {
    let text = format!(
        "name = \"{name}\"\n{extra}\n[[cluster.pools]]\nname = \"p\"\ncount = 1\ncpu = 4\n\n[workload]\n{workload}\n"
    );
    let p = dir.join(format!("{name}.toml"));
    std::fs::write(&p, text).unwrap();
    p
}

const TWO_JOBS: &str = "type = \"list\"\njobs = [{ submit = 0, runtime = 10 }, { submit = 5, runtime = 10 }]";

fn run(args: &[&str], scenario: &Path, out: &Path) -> assert_cmd::assert::Assert {
    clustersim().arg("run").arg(scenario).args(args).arg("--out").arg(out).assert()
}

#[test]
fn stale_events_csv_from_an_earlier_run_is_removed() {
    let d = tempfile::tempdir().unwrap();
    let sc = scenario(d.path(), "tiny", "", TWO_JOBS);
    let out = d.path().join("out");
    run(&["-q", "--events"], &sc, &out).success();
    std::fs::write(out.join("my-notes.txt"), "keep me").unwrap();
    for f in ["events.csv", "report.html", "charts/queue.svg", "charts/queue.png"] {
        assert!(out.join(f).exists(), "{f} should have been written");
    }
    run(&["-q", "--no-charts", "--seed", "7"], &sc, &out).success();
    for f in ["events.csv", "report.html", "charts"] {
        assert!(!out.join(f).exists(), "{f} of the earlier run is still there");
    }
    for f in ["jobs.csv", "summary.csv", "manifest.json", "my-notes.txt"] {
        assert!(out.join(f).exists(), "{f} should be there");
    }
}

#[test]
fn stale_outputs_of_a_run_and_a_sweep_do_not_survive_each_other() {
    let d = tempfile::tempdir().unwrap();
    let single = scenario(d.path(), "tiny", "", TWO_JOBS);
    let sweep = scenario(d.path(), "sw", "", &format!("{TWO_JOBS}\n\n[sweep]\nnode_scale = [1, 2]"));
    let out = d.path().join("out");
    // A single run leaves jobs.csv, events.csv, ... which a sweep into the same folder does not write.
    run(&["-q", "--events"], &single, &out).success();
    run(&["-q", "--no-charts"], &sweep, &out).success();
    for f in ["jobs.csv", "events.csv", "timeline.csv", "tiers.csv", "report.html", "charts"] {
        assert!(!out.join(f).exists(), "{f} of the single run is still beside the sweep");
    }
    assert!(out.join("comparison.csv").exists() && out.join("runs").is_dir());
    // A shard writes no comparison.csv and no report: an earlier whole study's ones go.
    run(&["-q"], &sweep, &out).success();
    assert!(out.join("report.html").exists());
    run(&["-q", "--shard", "0/2"], &sweep, &out).success();
    assert!(!out.join("comparison.csv").exists() && !out.join("report.html").exists());
    // And a single run into a sweep's folder removes the sweep's runs/ and comparison.csv.
    run(&["-q", "--no-charts"], &single, &out).success();
    assert!(!out.join("runs").exists() && !out.join("comparison.csv").exists());
    assert!(out.join("jobs.csv").exists());
}

#[test]
fn an_empty_list_workload_is_refused_by_validate_and_run() {
    let d = tempfile::tempdir().unwrap();
    let sc = scenario(d.path(), "empty", "", "type = \"list\"\njobs = []");
    let out = d.path().join("out");
    clustersim()
        .arg("validate")
        .arg(&sc)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("empty.toml").and(predicate::str::contains("the workload has no jobs")));
    run(&["-q"], &sc, &out).code(2).stderr(predicate::str::contains("workload.jobs"));
    assert!(!out.exists(), "nothing is written");
    let zero = scenario(
        d.path(),
        "zero",
        "",
        "type = \"synthetic\"\njobs = 0\ninterarrival = { dist = \"exponential\", mean = \"20s\" }\n\
         runtime = { dist = \"exponential\", mean = \"1m\" }\n",
    );
    clustersim().arg("validate").arg(&zero).assert().code(2).stderr(predicate::str::contains("workload.jobs"));
}

/// Runs the scenario `name` (its trace or job list in `file`) and expects exit 2, an error that names
/// the scenario file and contains `why`, and no output folder.
fn assert_empty_workload(name: &str, file: (&str, String), workload: &str, why: &str) {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join(file.0), file.1).unwrap();
    let sc = scenario(d.path(), name, "", workload);
    let out = d.path().join("out");
    let head = format!("{name}.toml: the workload has no jobs");
    run(&["-q"], &sc, &out).code(2).stderr(predicate::str::contains(head).and(predicate::str::contains(why)));
    assert!(!out.exists(), "nothing is written");
}

#[test]
fn a_header_only_csv_job_list_is_an_error_and_writes_nothing() {
    let list = ("jobs.csv", "submit,runtime\n".to_string());
    assert_empty_workload("csv", list, "type = \"csv\"\npath = \"jobs.csv\"", "no job rows");
}

#[test]
fn a_trace_whose_filters_drop_every_job_is_an_error_with_the_skip_counts() {
    let line = |id: u32, submit: u32| format!("{id} {submit} 0 100 1 -1 -1 1 200 -1 1 1 1 1 1 1 -1 -1\n");
    let trace = ("t.swf", format!("; MaxProcs: 4\n{}{}", line(1, 0), line(2, 10)));
    let workload = "type = \"swf\"\npath = \"t.swf\"\nstart = \"1h\"";
    assert_empty_workload("swf", trace, workload, "skipped 2: 2 submitted before `start`");
}

#[test]
fn out_pointing_at_a_file_says_it_must_be_a_directory() {
    let d = tempfile::tempdir().unwrap();
    let sc = scenario(d.path(), "tiny", "", TWO_JOBS);
    let file = d.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    run(&["-q"], &sc, &file).code(2).stderr(predicate::str::contains("must be a directory"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "x");
}

#[test]
fn rejected_jobs_are_warned_about_even_with_quiet() {
    let d = tempfile::tempdir().unwrap();
    let jobs = "type = \"list\"\njobs = [{ submit = 0, runtime = 10 }, { submit = 1, runtime = 10, cpu = 8 }, \
                { submit = 2, runtime = 10, cpu = 16 }]";
    let sc = scenario(d.path(), "big", "", jobs);
    run(&["-q", "--no-charts"], &sc, &d.path().join("out")).success().stdout("").stderr(
        predicate::str::starts_with("warning: 2 of 3 jobs were rejected because they fit on no node (e.g. job 2:")
            .and(predicate::str::contains("\n").count(1)),
    );
    let fits = scenario(d.path(), "fits", "", TWO_JOBS);
    run(&["-q", "--no-charts"], &fits, &d.path().join("out2")).success().stderr("");
    // A study sums its runs: 4 cores reject the 8- and 16-core jobs, 8 cores only the 16-core one.
    let study = scenario(d.path(), "study", "", &format!("{jobs}\n[sweep]\n\"cluster.pools[0].cpu\" = [4, 8]\n"));
    run(&["-q", "--no-charts"], &study, &d.path().join("out3"))
        .success()
        .stdout("")
        .stderr("warning: 2 of 2 runs rejected jobs because they fit on no node (3 jobs in all; e.g. run c0-r0: 2)\n");
}

/// One core; horizon 200 s. A runs 0–100 (completed); B starts at 100 and is running at the horizon
/// (ran 100 s); C is queued behind B (unfinished); D is submitted at 500 s, after the horizon.
#[test]
fn jobs_submitted_after_the_horizon_are_not_counted_as_unfinished() {
    let d = tempfile::tempdir().unwrap();
    let jobs = "type = \"list\"\njobs = [{ submit = 0, runtime = 100 }, { submit = 10, runtime = 300 }, \
                { submit = 150, runtime = 10 }, { submit = 500, runtime = 10 }]";
    let sc = scenario(d.path(), "hz", "horizon = \"200s\"", &jobs.replace("cpu = 4", ""));
    let text = std::fs::read_to_string(&sc).unwrap().replace("cpu = 4", "cpu = 1");
    std::fs::write(&sc, text).unwrap();
    let out = d.path().join("out");
    run(&["-q", "--no-charts"], &sc, &out).success();
    let summary = csv_rows(&out.join("summary.csv"));
    let col = |name: &str| summary[1][summary[0].iter().position(|c| c == name).unwrap()].clone();
    let counts: Vec<String> =
        ["jobs", "completed", "failed", "cancelled", "unfinished", "not_submitted"].iter().map(|c| col(c)).collect();
    assert_eq!(counts, ["3", "1", "0", "0", "2", "1"]);
    let jobs = csv_rows(&out.join("jobs.csv"));
    let at = |name: &str| jobs[0].iter().position(|c| c == name).unwrap();
    let rows: Vec<(String, String, String)> =
        jobs[1..].iter().map(|r| (r[at("job")].clone(), r[at("run")].clone(), r[at("state")].clone())).collect();
    let want =
        [("1", "100", "completed"), ("2", "100", "unfinished"), ("3", "0", "unfinished"), ("4", "0", "not_submitted")];
    let want: Vec<(String, String, String)> =
        want.iter().map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string())).collect();
    assert_eq!(rows, want);
    let tiers = csv_rows(&out.join("tiers.csv"));
    let nsub = tiers[0].iter().position(|c| c == "not_submitted").unwrap();
    assert_eq!(tiers[1][nsub], "1");
}

fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(path).unwrap().lines().map(|l| l.split(',').map(str::to_string).collect()).collect()
}

/// A synthetic workload: each seed gives other jobs, so files tell their run apart.
const SEEDED: &str = "type = \"synthetic\"\njobs = 40\ninterarrival = { dist = \"exponential\", mean = \"20s\" }\n\
                      runtime = { dist = \"exponential\", mean = \"1m\" }";

/// Defect 14: a failure after `jobs.csv` was renamed (here: `timeline.csv` cannot be written where
/// the old code wrote it) left the new jobs.csv beside the previous run's summary.csv and
/// manifest.json, a folder that looked complete. Now the run is written aside and moved in whole:
/// whatever happens, a folder with a manifest holds that manifest's run and nothing else.
#[test]
fn a_write_failure_after_jobs_csv_leaves_no_mixed_folder() {
    let d = tempfile::tempdir().unwrap();
    let sc = scenario(d.path(), "mix", "", SEEDED);
    let jobs_of = |seed: &str| {
        let out = d.path().join(format!("clean-{seed}"));
        run(&["-q", "--no-charts", "--seed", seed], &sc, &out).success();
        std::fs::read_to_string(out.join("jobs.csv")).unwrap()
    };
    assert_ne!(jobs_of("1"), jobs_of("7"));
    let out = d.path().join("out");
    run(&["-q", "--no-charts", "--seed", "1"], &sc, &out).success();
    std::fs::create_dir(out.join("timeline.csv.tmp")).unwrap();
    let _ = run(&["-q", "--no-charts", "--seed", "7"], &sc, &out);
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    let seed = manifest["seed"].as_u64().unwrap().to_string();
    assert_eq!(std::fs::read_to_string(out.join("jobs.csv")).unwrap(), jobs_of(&seed), "jobs.csv of another run");
    let summary = csv_rows(&out.join("summary.csv"));
    assert_eq!(summary[1][summary[0].iter().position(|c| c == "seed").unwrap()], seed, "summary.csv of another run");
    let left: Vec<String> = std::fs::read_dir(d.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    assert!(left.is_empty(), "staging folders left behind: {left:?}");
}

/// Defect 14: `--out` was checked only after the whole simulation. A folder that cannot be made now
/// fails before simulating: no warning about the run's rejected jobs comes first.
#[test]
fn the_output_folder_is_checked_before_simulating() {
    let d = tempfile::tempdir().unwrap();
    let jobs = "type = \"list\"\njobs = [{ submit = 0, runtime = 10 }, { submit = 1, runtime = 10, cpu = 8 }]";
    let sc = scenario(d.path(), "early", "", jobs);
    let file = d.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let o = clustersim().arg("run").arg(&sc).arg("--out").arg(file.join("out")).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("a-file") && err.contains("give another --out"), "{err}");
    assert!(!err.contains("rejected"), "the run was simulated before --out was checked: {err}");
}
