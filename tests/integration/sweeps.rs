//! Sweeps end to end: the output layout, hand-computed loads and node counts, confidence intervals,
//! common random numbers, identical bytes for any thread count, shards + merge, resume and failures.

use super::util::clustersim;
use clustersim::scenario::Scenario;
use clustersim::sweep::replication_seed;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Writes `text` as `dir/name` and returns its path.
fn scenario(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// A temporary folder holding the scenario `text` as `name`, and the output folder `out` in it.
fn study(name: &str, text: &str) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let sc = scenario(dir.path(), name, text);
    let out = dir.path().join("out");
    (dir, sc, out)
}

/// Runs `clustersim run -q SCENARIO --out OUT ARGS...`, expecting success; returns stdout.
fn run_ok(scenario: &Path, out: &Path, args: &[&str]) -> String {
    let o = clustersim().arg("run").arg(scenario).arg("--out").arg(out).args(args).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "run failed: {err}");
    String::from_utf8(o.stdout).unwrap()
}

/// A CSV file as (header, rows).
fn csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r.records().map(|x| x.unwrap().iter().map(str::to_string).collect()).collect();
    (header, rows)
}

/// Column `name` of a CSV file.
fn column(path: &Path, name: &str) -> Vec<String> {
    let (header, rows) = csv(path);
    let c = header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name} in {header:?}"));
    rows.into_iter().map(|mut r| r.swap_remove(c)).collect()
}

/// Every file under `dir`, by relative path, with its bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().to_string();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// 4 one-core jobs of 100 s submitted 10 s apart on 2 one-core nodes; load and node count swept.
const HAND: &str = r#"
name = "hand"
[[cluster.pools]]
name = "p"
count = 2
cpu = 1
[workload]
type = "list"
jobs = [
  { submit = 0, runtime = 100 },
  { submit = 10, runtime = 100 },
  { submit = 20, runtime = 100 },
  { submit = 30, runtime = 100 },
]
[sweep]
load = [1, 2]
node_scale = [1, 2]
"#;

#[test]
fn load_and_node_scale_by_hand_and_the_layout_contract() {
    let (_dir, sc, out) = study("hand.toml", HAND);
    let stdout = run_ok(&sc, &out, &[]);
    // Matrix order: load (outer), node_scale (inner).
    // load 1, 2 nodes: J3 waits for J1 (20 → 100), J4 for J2 (30 → 110): waits 0, 0, 80, 80.
    // load 2 (submits 0, 5, 10, 15), 2 nodes: J3 10 → 100, J4 15 → 105: waits 0, 0, 90, 90.
    // 4 nodes: nobody waits.
    let summary = out.join("summary.csv");
    assert_eq!(column(&summary, "run_id"), ["c0-r0", "c1-r0", "c2-r0", "c3-r0"]);
    assert_eq!(column(&summary, "load"), ["1", "1", "2", "2"]);
    assert_eq!(column(&summary, "node_scale"), ["1", "2", "1", "2"]);
    assert_eq!(column(&summary, "wait_mean"), ["40", "0", "45", "0"]);
    assert_eq!(column(&summary, "makespan"), ["210", "130", "205", "115"]);
    let jobs = out.join("runs/c2-r0/jobs.csv");
    assert_eq!(column(&jobs, "submit"), ["0", "5", "10", "15"]);
    for (id, nodes) in [("c0-r0", 2), ("c1-r0", 4)] {
        let m: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("runs").join(id).join("manifest.json")).unwrap()).unwrap();
        assert_eq!(m["nodes"], nodes, "{id}");
        assert_eq!(m["run_id"], id);
    }
    // The layout the report and check tools build on.
    let (header, _) = csv(&summary);
    assert_eq!(
        header[..11],
        [
            "run_id",
            "scenario",
            "seed",
            "selection",
            "allocation",
            "queue",
            "recovery",
            "load",
            "node_scale",
            "jobs",
            "completed"
        ]
    );
    let (cheader, crows) = csv(&out.join("comparison.csv"));
    assert_eq!(
        cheader[..13],
        [
            "scenario",
            "selection",
            "allocation",
            "queue",
            "recovery",
            "load",
            "node_scale",
            "runs",
            "jobs_mean",
            "jobs_std",
            "jobs_ci95",
            "completed_mean",
            "completed_std"
        ]
    );
    assert_eq!(cheader.len(), 8 + 3 * (header.len() - 9));
    assert_eq!(crows.len(), 4);
    // One replication: no spread to estimate, so std and CI are empty.
    assert_eq!(crows[0][..11], ["hand", "round_robin", "greedy", "fifo", "none", "1", "1", "1", "4", "", ""]);
    for f in ["summary.csv", "comparison.csv", "manifest.json"] {
        assert!(out.join(f).is_file(), "{f}");
    }
    for id in ["c0-r0", "c1-r0", "c2-r0", "c3-r0"] {
        for f in
            ["jobs.csv", "timeline.csv", "summary.csv", "tiers.csv", "users.csv", "starvation.csv", "manifest.json"]
        {
            assert!(out.join("runs").join(id).join(f).is_file(), "{id}/{f}");
        }
    }
    // The table is sorted by wait_mean, best (lowest) first, ties in matrix order; the best of each column marked.
    let table = "\
4 configurations, sorted by wait_mean (lower is better); mean ± 95% CI half-width over replications; * = best in column
#  load  node_scale  runs  wait_mean  wait_p95  bsld_mean  starved_frac  util_cpu  jain_bsld
1  1     2              1        0 *       0 *     1.00 *           0 *   0.769       1.00 *
2  2     2              1        0 *       0 *     1.00 *           0 *   0.870       1.00 *
3  1     1              1    40.00     80.00       1.40             0 *   0.952       1.00 *
4  2     1              1    45.00     90.00       1.45             0 *   0.976 *     1.00 *
";
    assert!(stdout.starts_with(table), "{stdout}");
}

/// One one-core job per replication, runtime uniform in [10, 100] s: its response is its runtime.
const ONE_JOB: &str = r#"
name = "ci"
seed = 11
[[cluster.pools]]
name = "p"
count = 1
cpu = 1
[workload]
type = "synthetic"
jobs = 1
interarrival = { dist = "constant", value = 1 }
runtime = { dist = "uniform", min = 10, max = 100 }
[sweep]
replications = 4
"#;

#[test]
fn confidence_intervals_computed_by_hand() {
    let (_dir, sc, out) = study("ci.toml", ONE_JOB);
    run_ok(&sc, &out, &["-q"]);
    // The runtime each replication draws (seeds derived from seed 11; replication 0 is seed 11 itself).
    let parsed = Scenario::parse(ONE_JOB).unwrap();
    let runtimes: Vec<f64> = (0..4)
        .map(|k| {
            let w = parsed.build_workload(replication_seed(11, k)).unwrap();
            w.jobs[0].runtime as f64 / 1e6
        })
        .collect();
    let seeds = column(&out.join("summary.csv"), "seed");
    assert_eq!(seeds[0], "11");
    assert_eq!(seeds, (0..4).map(|k| replication_seed(11, k).to_string()).collect::<Vec<_>>());
    let responses: Vec<f64> =
        column(&out.join("summary.csv"), "response_mean").iter().map(|s| s.parse().unwrap()).collect();
    for (r, t) in responses.iter().zip(&runtimes) {
        assert!((r - t).abs() < 1e-6, "{responses:?} vs {runtimes:?}");
    }
    assert!(runtimes.windows(2).all(|w| w[0] != w[1]), "replications should differ: {runtimes:?}");
    // By hand: mean, sample standard deviation (n − 1), and t(0.975, 3) × s / √4.
    let mean = runtimes.iter().sum::<f64>() / 4.0;
    let std = (runtimes.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 3.0).sqrt();
    let ci = 3.182_446_305_284 * std / 2.0;
    let cmp = out.join("comparison.csv");
    let get = |c: &str| column(&cmp, c)[0].parse::<f64>().unwrap();
    assert_eq!(column(&cmp, "runs"), ["4"]);
    assert!((get("response_mean_mean") - mean).abs() < 2e-6, "{} vs {mean}", get("response_mean_mean"));
    assert!((get("response_mean_std") - std).abs() < 2e-6, "{} vs {std}", get("response_mean_std"));
    assert!((get("response_mean_ci95") - ci).abs() < 2e-6, "{} vs {ci}", get("response_mean_ci95"));
    // Constant across replications: zero spread.
    assert_eq!((get("jobs_mean"), get("jobs_std"), get("jobs_ci95")), (1.0, 0.0, 0.0));
}

/// A small synthetic study: 2 loads × 2 bsld τ × 3 replications = 12 runs.
const SMALL: &str = r#"
name = "small"
seed = 5
[[cluster.pools]]
name = "p"
count = 4
cpu = 8
[workload]
type = "synthetic"
jobs = 150
interarrival = { dist = "exponential", mean = "40s" }
runtime = { dist = "lognormal", mean = "10m", cv = 1.0 }
cpu = { dist = "uniform", min = 1, max = 8 }
[sweep]
replications = 3
load = [1.0, 2.0]
"metrics.bsld_tau" = ["10s", "5m"]
"#;

#[test]
fn common_random_numbers_across_configurations() {
    let (_dir, sc, out) = study("small.toml", SMALL);
    run_ok(&sc, &out, &["-q"]);
    let summary = out.join("summary.csv");
    let ids = column(&summary, "run_id");
    let seeds = column(&summary, "seed");
    assert_eq!(ids.len(), 12);
    let submits = |id: &str| -> Vec<u64> {
        column(&out.join("runs").join(id).join("jobs.csv"), "submit")
            .iter()
            .map(|s| (s.parse::<f64>().unwrap() * 1e6).round() as u64)
            .collect()
    };
    for k in 0..3 {
        // Replication k of every configuration has the same seed...
        let of_k: Vec<&String> = (0..4).map(|c| &seeds[c * 3 + k]).collect();
        assert!(of_k.iter().all(|s| *s == of_k[0]), "{of_k:?}");
        // ...so the same workload: identical at equal load (τ changes no draw), compressed at load 2.
        let base = submits(&format!("c0-r{k}"));
        assert_eq!(submits(&format!("c1-r{k}")), base);
        let fast = submits(&format!("c2-r{k}"));
        assert_eq!(fast, base.iter().map(|t| (*t as f64 / 2.0).round() as u64).collect::<Vec<_>>());
        assert_eq!(submits(&format!("c3-r{k}")), fast);
    }
    assert_ne!(submits("c0-r0"), submits("c0-r1"));
}

#[test]
fn one_and_two_threads_give_identical_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let sc = scenario(dir.path(), "small.toml", SMALL);
    let (a, b) = (dir.path().join("j1"), dir.path().join("j2"));
    for (out, jobs) in [(&a, "1"), (&b, "2")] {
        let o = clustersim().arg("run").arg(&sc).arg("--out").arg(out).args(["--jobs", jobs]).output().unwrap();
        assert!(o.status.success());
        // stderr is not a terminal here: no progress bar, nothing at all.
        assert_eq!(String::from_utf8_lossy(&o.stderr), "");
    }
    let (ta, tb) = (tree(&a), tree(&b));
    let per_run = ta.keys().filter(|k| k.starts_with("runs/c0-r0/")).count();
    let study_level = ta.keys().filter(|k| !k.starts_with("runs/")).count();
    assert!(per_run >= 6, "{:?}", ta.keys().collect::<Vec<_>>());
    assert!(study_level >= 3, "{:?}", ta.keys().collect::<Vec<_>>());
    assert_eq!(ta.len(), study_level + 12 * per_run, "{:?}", ta.keys().collect::<Vec<_>>());
    assert_eq!(ta.keys().collect::<Vec<_>>(), tb.keys().collect::<Vec<_>>());
    for (name, bytes) in &ta {
        assert!(*bytes == tb[name], "{name} differs between --jobs 1 and --jobs 2");
    }
}

/// SMALL written to a temporary folder and run unsharded into `whole` (without charts: merging
/// combines the CSV files; charts are drawn afterwards with `clustersim report`).
fn unsharded_small() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let sc = scenario(dir.path(), "small.toml", SMALL);
    let whole = dir.path().join("whole");
    run_ok(&sc, &whole, &["-q", "--no-charts"]);
    (dir, sc, whole)
}

/// `summary.csv` and `comparison.csv` of two study folders are byte-identical.
fn assert_same_tables(a: &Path, b: &Path) {
    for f in ["summary.csv", "comparison.csv"] {
        assert!(std::fs::read(a.join(f)).unwrap() == std::fs::read(b.join(f)).unwrap(), "{f} differs");
    }
}

#[test]
fn shards_merge_into_the_unsharded_study() {
    let (dir, sc, whole) = unsharded_small();
    let shards: Vec<PathBuf> = (0..5).map(|k| dir.path().join(format!("shard{k}"))).collect();
    for (k, s) in shards.iter().enumerate() {
        let stdout = run_ok(&sc, s, &["--shard", &format!("{k}/5"), "--jobs", "1"]);
        assert!(stdout.contains(&format!("shard {k}/5 of 12 runs")), "{stdout}");
        assert!(!s.join("comparison.csv").exists(), "a shard has no comparison of its own");
    }
    // Shard 1 of 5 holds runs 1, 6, 11 (ids c<configuration>-r<replication>).
    assert_eq!(column(&shards[1].join("summary.csv"), "run_id"), ["c0-r1", "c2-r0", "c3-r2"]);
    // Merging all but one shard fails and names the missing runs.
    let o = clustersim().arg("merge").args(&shards[..4]).arg("--out").arg(dir.path().join("partial")).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("2 of 12 runs are missing: c1-r1, c3-r0"), "{err}");
    // The shards in any order merge into the same bytes as the unsharded run.
    let merged = dir.path().join("merged");
    let mut order = shards.clone();
    order.reverse();
    clustersim().arg("merge").args(&order).arg("--out").arg(&merged).arg("-q").assert().success();
    assert_same_tables(&whole, &merged);
    assert!(
        std::fs::read(whole.join("manifest.json")).unwrap() == std::fs::read(merged.join("manifest.json")).unwrap()
    );
    assert_eq!(tree(&whole), tree(&merged), "run directories differ");
    // A shard run where a whole study was leaves no stale comparison behind.
    run_ok(&sc, &whole, &["-q", "--shard", "0/5"]);
    assert!(!whole.join("comparison.csv").exists());
    // Shards of a different study (another seed) do not merge.
    let other = dir.path().join("other");
    run_ok(&sc, &other, &["-q", "--seed", "6", "--shard", "0/5"]);
    let o =
        clustersim().arg("merge").arg(&shards[1]).arg(&other).arg("--out").arg(dir.path().join("x")).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("shards of different studies"));
}

#[test]
fn resume_skips_complete_runs_and_redoes_the_rest() {
    let (_dir, sc, out) = study("small.toml", SMALL);
    run_ok(&sc, &out, &["-q"]);
    let before = tree(&out);
    // An interrupted run (no manifest.json yet), a missing run, and a complete run we can recognise.
    std::fs::remove_file(out.join("runs/c1-r1/manifest.json")).unwrap();
    std::fs::remove_dir_all(out.join("runs/c3-r0")).unwrap();
    std::fs::write(out.join("runs/c0-r0/jobs.csv"), "kept\n").unwrap();
    std::fs::remove_file(out.join("summary.csv")).unwrap();
    let stdout = run_ok(&sc, &out, &["--resume"]);
    assert!(stdout.contains("2 simulated, 10 resumed, 0 failed"), "{stdout}");
    assert_eq!(std::fs::read_to_string(out.join("runs/c0-r0/jobs.csv")).unwrap(), "kept\n");
    let mut after = tree(&out);
    after.insert("runs/c0-r0/jobs.csv".into(), before["runs/c0-r0/jobs.csv"].clone());
    assert_eq!(before, after);
    // A different seed is a different study: nothing is reused.
    let stdout = run_ok(&sc, &out, &["--resume", "--seed", "9"]);
    assert!(stdout.contains("12 simulated, 0 resumed"), "{stdout}");
}

/// Regression: `--resume` reused a run folder whatever its event log, so a study resumed with
/// `--events` lacked logs and one resumed without kept stale ones.
#[test]
fn resume_reuses_a_run_only_with_the_event_log_asked_for() {
    let (_dir, sc, out) = study("small.toml", SMALL);
    let logs = |out: &Path| {
        let runs: Vec<_> = std::fs::read_dir(out.join("runs")).unwrap().map(|d| d.unwrap().path()).collect();
        assert_eq!(runs.len(), 12);
        runs.iter().filter(|r| r.join("events.csv").exists()).count()
    };
    run_ok(&sc, &out, &["-q"]);
    assert_eq!(logs(&out), 0);
    let stdout = run_ok(&sc, &out, &["--resume", "--events"]);
    assert!(stdout.contains("12 simulated, 0 resumed"), "{stdout}");
    assert_eq!(logs(&out), 12);
    let stdout = run_ok(&sc, &out, &["--resume", "--events"]);
    assert!(stdout.contains("0 simulated, 12 resumed"), "{stdout}");
    let stdout = run_ok(&sc, &out, &["--resume"]);
    assert!(stdout.contains("0 simulated, 12 resumed"), "{stdout}");
    assert_eq!(logs(&out), 0);
}

/// The second queue value is not a policy: its runs fail, the others complete.
const FAILING: &str = r#"
name = "failing"
[[cluster.pools]]
name = "p"
count = 2
cpu = 4
[workload]
type = "synthetic"
jobs = 20
interarrival = { dist = "exponential", mean = "60s" }
runtime = { dist = "exponential", mean = "5m" }
[sweep]
replications = 2
queue = ["fifo", "nope"]
[sweep.workload]
users = [2, 3]
"#;

#[test]
fn failed_runs_are_reported_by_id_and_do_not_stop_the_others() {
    let (dir, sc, out) = study("failing.toml", FAILING);
    let o = clustersim().arg("run").arg(&sc).arg("--out").arg(&out).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    for id in ["c2-r0", "c2-r1", "c3-r0", "c3-r1"] {
        assert!(err.contains(&format!("{id}: queue=nope workload.users=")), "{id}: {err}");
    }
    assert!(err.contains("unknown queue policy `nope` (valid names: fifo"), "{err}");
    assert!(err.contains("failing.toml: 4 of 8 run(s) failed:"), "{err}");
    assert_eq!(column(&out.join("summary.csv"), "run_id"), ["c0-r0", "c0-r1", "c1-r0", "c1-r1"]);
    assert_eq!(column(&out.join("summary.csv"), "workload.users"), ["2", "2", "3", "3"]);
    assert_eq!(column(&out.join("comparison.csv"), "runs"), ["2", "2"]);
    let m: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["runs_ok"], 4);
    let failed: Vec<&str> =
        m["runs_failed"].as_array().unwrap().iter().map(|f| f["run_id"].as_str().unwrap()).collect();
    assert_eq!(failed, ["c2-r0", "c2-r1", "c3-r0", "c3-r1"]);
    assert_eq!(m["study"]["configurations"], 4);

    // --fail-fast with one worker: the first failure stops the study.
    let text = FAILING.replace("[\"fifo\", \"nope\"]", "[\"nope\", \"fifo\"]");
    let sc = scenario(dir.path(), "fail-fast.toml", &text);
    let out = dir.path().join("ff");
    let o =
        clustersim().arg("run").arg(&sc).arg("--out").arg(&out).args(["--fail-fast", "--jobs", "1"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("0 simulated, 0 resumed, 1 failed, 7 not started"), "{stdout}");
    assert_eq!(csv(&out.join("summary.csv")).1.len(), 0);
}

#[test]
fn validate_checks_every_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let good = scenario(dir.path(), "good.toml", SMALL);
    let o = clustersim().arg("validate").arg(&good).output().unwrap();
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).contains("ok (sweep of 4 configurations × 3 replications = 12 runs)"));
    let bad = scenario(dir.path(), "bad.toml", FAILING);
    let o = clustersim().arg("validate").arg(&bad).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("2 of 4 sweep configurations are invalid"), "{err}");
    assert!(err.contains("configuration 2 (queue=nope workload.users=2)"), "{err}");
    // A misspelt key in an override is caught as in a scenario file.
    let typo = scenario(dir.path(), "typo.toml", &SMALL.replace("\"metrics.bsld_tau\"", "\"metrics.bsld_tua\""));
    let o = clustersim().arg("validate").arg(&typo).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown field `bsld_tua`"));
    // A malformed [sweep] is a parse error naming the key.
    let malformed = scenario(dir.path(), "m.toml", &SMALL.replace("load = [1.0, 2.0]", "load = 2.0"));
    let o = clustersim().arg("validate").arg(&malformed).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("`sweep.load`: expected a list of values"));
}

#[test]
fn sweep_options_need_a_sweep_and_a_known_sort_metric() {
    let dir = tempfile::tempdir().unwrap();
    let single = scenario(dir.path(), "single.toml", &HAND[..HAND.find("[sweep]").unwrap()]);
    let o = clustersim().arg("run").arg(&single).args(["--shard", "0/2"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--shard needs a scenario with a [sweep] section"));
    let sweep = scenario(dir.path(), "hand.toml", HAND);
    let o = clustersim().arg("run").arg(&sweep).args(["--sort", "wait_p96"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown metric `wait_p96` (valid metrics: jobs,"));
    let o = clustersim().arg("run").arg(&sweep).args(["--shard", "2/2"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("`2/2` is not a shard"));
}

#[test]
fn a_trace_next_to_the_scenario_sweeps_its_own_keys() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(crate::util::shared("workloads/KTH-SP2-1996-2.1-cln.first3000.swf"), dir.path().join("trace.swf"))
        .unwrap();
    let text = r#"
name = "trace"
[workload]
type = "swf"
path = "trace.swf"
first_jobs = 300
[sweep]
"workload.load_scale" = [1.0, 2.0]
node_scale = [1, 2]
"#;
    let sc = scenario(dir.path(), "trace.toml", text);
    let out = dir.path().join("out");
    run_ok(&sc, &out, &["-q"]);
    let summary = out.join("summary.csv");
    // Parameters in key order: node_scale (outer), then workload.load_scale.
    assert_eq!(column(&summary, "node_scale"), ["1", "1", "2", "2"]);
    assert_eq!(column(&summary, "workload.load_scale"), ["1", "2", "1", "2"]);
    assert_eq!(column(&summary, "jobs"), ["300"; 4]);
    let nodes = |id: &str| -> u64 {
        let m: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("runs").join(id).join("manifest.json")).unwrap()).unwrap();
        m["nodes"].as_u64().unwrap()
    };
    // The cluster comes from the trace header; node_scale doubles it.
    assert_eq!(nodes("c2-r0"), 2 * nodes("c0-r0"));
    // load_scale 2 halves the trace's inter-arrival times.
    let span = |id: &str| -> f64 {
        let s = column(&out.join("runs").join(id).join("jobs.csv"), "submit");
        s.last().unwrap().parse::<f64>().unwrap() - s[0].parse::<f64>().unwrap()
    };
    assert!((span("c1-r0") - span("c0-r0") / 2.0).abs() < 1e-3, "{} vs {}", span("c1-r0"), span("c0-r0"));
}

/// The documented Slurm script, run as three array tasks (ids 1–3) and a merge job, gives the study.
#[test]
fn the_slurm_script_shards_and_merges() {
    let (dir, sc, whole) = unsharded_small();
    let bin = assert_cmd::cargo::cargo_bin("clustersim");
    let out = dir.path().join("slurm");
    let script = crate::util::repo("docs/slurm-sweep.sbatch");
    for task in [Some(3), Some(1), Some(2), None] {
        let mut c = std::process::Command::new("bash");
        c.arg(&script).arg(&sc).arg(&out).env("CLUSTERSIM", &bin);
        for v in ["SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_COUNT", "SLURM_CPUS_PER_TASK"] {
            c.env_remove(v);
        }
        if let Some(id) = task {
            c.env("SLURM_ARRAY_TASK_ID", id.to_string())
                .env("SLURM_ARRAY_TASK_MIN", "1")
                .env("SLURM_ARRAY_TASK_COUNT", "3")
                .env("SLURM_CPUS_PER_TASK", "1");
        }
        let o = c.output().unwrap();
        assert!(o.status.success(), "{task:?}: {}", String::from_utf8_lossy(&o.stderr));
    }
    assert_eq!(column(&out.join("shard-0/summary.csv"), "run_id"), ["c0-r0", "c1-r0", "c2-r0", "c3-r0"]);
    assert_same_tables(&whole, &out);
}

/// The Jobs of the documented Kubernetes manifest, as (name, env, shell command, spec).
fn k8s_jobs() -> Vec<(String, BTreeMap<String, String>, String, yaml_rust2::Yaml)> {
    use yaml_rust2::{Yaml, YamlLoader};
    let text = std::fs::read_to_string(crate::util::repo("docs/k8s-sweep.yaml")).unwrap();
    let docs = YamlLoader::load_from_str(&text).unwrap();
    let mut jobs = Vec::new();
    for d in docs.iter().filter(|d| d["kind"].as_str() == Some("Job")) {
        let container = &d["spec"]["template"]["spec"]["containers"][0];
        assert_eq!(container["command"], Yaml::Array(vec![Yaml::from_str("/bin/sh"), Yaml::from_str("-c")]));
        let env = container["env"]
            .as_vec()
            .unwrap()
            .iter()
            .map(|e| (e["name"].as_str().unwrap().to_string(), e["value"].as_str().unwrap().to_string()))
            .collect();
        let args = container["args"].as_vec().unwrap();
        assert_eq!(args.len(), 1, "one shell command per container");
        let name = d["metadata"]["name"].as_str().unwrap().to_string();
        jobs.push((name, env, args[0].as_str().unwrap().to_string(), d["spec"].clone()));
    }
    jobs
}

/// The documented Kubernetes Indexed Job, its pods run as shell commands with `clustersim` on the PATH
/// (three shards, indices out of order, then the merge Job), gives the unsharded study.
#[test]
fn the_kubernetes_indexed_job_shards_and_merges() {
    let jobs = k8s_jobs();
    let names: Vec<&str> = jobs.iter().map(|j| j.0.as_str()).collect();
    assert_eq!(names, ["clustersim-compare", "clustersim-compare-merge"]);
    let (_, shard_env, shard_cmd, spec) = &jobs[0];
    // The shard count is stated three times in the manifest; they must agree.
    let shards: i64 = shard_env["SHARDS"].parse().unwrap();
    assert_eq!(spec["completionMode"].as_str(), Some("Indexed"));
    assert_eq!(spec["completions"].as_i64(), Some(shards));
    assert_eq!(spec["parallelism"].as_i64(), Some(shards));
    assert_eq!(jobs[1].1["SHARDS"], shard_env["SHARDS"]);

    let (dir, sc, whole) = unsharded_small();
    let bin = assert_cmd::cargo::cargo_bin("clustersim");
    let path = format!("{}:{}", bin.parent().unwrap().display(), std::env::var("PATH").unwrap_or_default());
    let out = dir.path().join("k8s");
    let pod = |env: &BTreeMap<String, String>, cmd: &str, index: Option<usize>| {
        let mut c = std::process::Command::new("sh");
        c.arg("-c").arg(cmd).current_dir(dir.path()).envs(env).env("PATH", &path);
        // This test's study instead of the shipped one, in three shards.
        c.env("SCENARIO", &sc).env("OUT", &out).env("SHARDS", "3");
        if let Some(i) = index {
            c.env("JOB_COMPLETION_INDEX", i.to_string());
        }
        let o = c.output().unwrap();
        assert!(o.status.success(), "{cmd} ({index:?}): {}", String::from_utf8_lossy(&o.stderr));
    };
    for i in [2, 0, 1] {
        pod(shard_env, shard_cmd, Some(i));
    }
    pod(&jobs[1].1, &jobs[1].2, None);
    assert_same_tables(&whole, &out);
}

/// Regression: a swept node count of 0 was rounded up to 1 node and run; it is an invalid
/// configuration, reported by id with the validation message, while the other one runs.
#[test]
fn a_swept_node_count_of_zero_is_invalid_not_one_node() {
    let text = FAILING.replace(
        "queue = [\"fifo\", \"nope\"]\n[sweep.workload]\nusers = [2, 3]\n",
        "\"cluster.pools[0].count\" = [0, 2]\n",
    );
    assert!(text.contains("[0, 2]"), "FAILING changed shape");
    let (_dir, sc, out) = study("zero.toml", &text);
    let o = clustersim().arg("run").arg(&sc).arg("--out").arg(&out).arg("-q").output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("c0-r0: cluster.pools[0].count=0"), "{err}");
    assert!(err.contains("expected 1 to 100,000, found 0 (nodes in the pool)"), "{err}");
    assert!(err.contains("zero.toml: 2 of 4 run(s) failed:"), "{err}");
    assert_eq!(column(&out.join("summary.csv"), "run_id"), ["c1-r0", "c1-r1"]);
}
