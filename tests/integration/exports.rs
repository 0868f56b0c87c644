//! What peers' tools read: `nodes.csv` beside every run, `clustersim export --format batsim` (Batsim's
//! `jobs.csv`, which Evalys loads) and `--format swf` (the schedule as SWF, as pyss writes it), and
//! the Gantt chart of a run.

use crate::util::clustersim;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

/// Two nodes of 4 cores (racks a-r0, a-r1); a 2-task job on both, one that waits for it, one that
/// fits on no node.
const TINY: &str = r#"
name = "tiny"
[[cluster.pools]]
name = "a"
count = 2
cpu = 4
memory = "8GiB"
racks = 2
[workload]
type = "list"
jobs = [
  { submit = 0, runtime = 100, tasks = 2, cpu = 4, user = "alice" },
  { submit = 10, runtime = 50, estimate = 60, cpu = 4, user = "bob" },
  { submit = 20, runtime = 10, cpu = 8, user = "alice" },
]
"#;

/// Runs TINY (with `extra` appended) into a fresh folder; the folder and its parent's guard.
fn run_tiny(extra: &str) -> (tempfile::TempDir, PathBuf) {
    let d = tempfile::tempdir().unwrap();
    let sc = d.path().join("tiny.toml");
    std::fs::write(&sc, format!("{TINY}{extra}")).unwrap();
    let out = d.path().join("out");
    clustersim().arg("run").arg(&sc).arg("--out").arg(&out).arg("-q").assert().success();
    (d, out)
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path).unwrap().lines().map(str::to_string).collect()
}

/// Issue 18: `nodes` in jobs.csv were bare ids with no table saying which pool or rack they are in.
#[test]
fn every_run_writes_nodes_csv_with_pool_rack_and_capacity() {
    let (_d, out) = run_tiny("");
    assert_eq!(lines(&out.join("nodes.csv")), ["node,pool,rack,cpu,mem,gpu", "0,a,a-r0,4,8192,0", "1,a,a-r1,4,8192,0"]);
}

/// The columns of Batsim's jobs.csv as Evalys's `JobSet.columns` lists them (evalys/jobset.py),
/// with Batsim's `final_state` in its place.
const EVALYS_COLUMNS: [&str; 13] = [
    "job_id",
    "workload_name",
    "submission_time",
    "requested_number_of_resources",
    "requested_time",
    "success",
    "starting_time",
    "execution_time",
    "finish_time",
    "waiting_time",
    "turnaround_time",
    "stretch",
    "allocated_resources",
];

/// Issue 18: Batsim users plot with Evalys from Batsim's jobs.csv; the export writes its columns
/// with their meanings: times in seconds, `waiting_time` = start − submit, `turnaround_time` =
/// finish − submit, `stretch` = turnaround / execution, `allocated_resources` an interval set of
/// node ids, `success` 1 only for COMPLETED_SUCCESSFULLY, a job that fit nowhere REJECTED.
#[test]
fn batsim_export_has_batsims_columns_and_meanings() {
    let (_d, out) = run_tiny("");
    clustersim().args(["export", "--format", "batsim"]).arg(&out).assert().success();
    let rows = lines(&out.join("jobs_batsim.csv"));
    let header: Vec<&str> = rows[0].split(',').collect();
    let mut expected: Vec<&str> = EVALYS_COLUMNS.to_vec();
    expected.insert(6, "final_state");
    assert_eq!(header, expected);
    assert_eq!(rows[1], "1,tiny,0,2,100,1,COMPLETED_SUCCESSFULLY,0,100,100,0,100,1,0-1");
    let second = rows[2].rsplit_once(',').unwrap();
    assert_eq!(second.0, "2,tiny,10,1,60,1,COMPLETED_SUCCESSFULLY,100,50,150,90,140,2.8");
    assert!(["0", "1"].contains(&second.1), "{}", rows[2]);
    assert_eq!(rows[3], "3,tiny,20,1,10,0,REJECTED,,,,,,,");
    assert_eq!(rows.len(), 4);
}

/// Issue 18: pyss writes the simulated schedule back as SWF; so does `export --format swf`, with the
/// simulated wait in field 3, and clustersim reads the file back as a trace.
#[test]
fn swf_export_writes_the_simulated_waits_and_reads_back() {
    let (_d, out) = run_tiny("");
    clustersim().args(["export", "--format", "swf"]).arg(&out).assert().success();
    let path = out.join("schedule.swf");
    let jobs: Vec<String> = lines(&path).into_iter().filter(|l| !l.starts_with(';')).collect();
    // users: alice 1, bob 2 (no digits in the names: numbered in order of appearance)
    assert_eq!(
        jobs,
        [
            "1 0 0 100 8 -1 -1 8 100 -1 1 1 1 -1 -1 -1 -1 -1",
            "2 10 90 50 4 -1 -1 4 60 -1 1 2 2 -1 -1 -1 -1 -1",
            "3 20 -1 -1 -1 -1 -1 8 10 -1 5 1 1 -1 -1 -1 -1 -1",
        ]
    );
    assert!(std::fs::read_to_string(&path).unwrap().contains("; MaxProcs: 8\n"));
    clustersim().args(["trace", "stats", "--skip-bad-lines"]).arg(&path).assert().success();
}

/// An unknown format is refused with the valid names, exit 2.
#[test]
fn export_names_the_valid_formats() {
    let (_d, out) = run_tiny("");
    clustersim()
        .args(["export", "--format", "pyss"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("batsim").and(predicates::str::contains("swf")));
}

/// Issue 18: a Gantt chart, one row per node, for runs of up to 2,000 jobs; `report --gantt
/// --from --to` draws a window of a larger run (the quickstart has 3,000 jobs).
#[test]
fn small_runs_get_a_gantt_chart_and_larger_ones_on_request() {
    let (_d, out) = run_tiny("");
    for ext in ["png", "svg"] {
        assert!(out.join("charts").join(format!("gantt.{ext}")).is_file());
    }
    let svg = std::fs::read_to_string(out.join("charts/gantt.svg")).unwrap();
    assert!(svg.contains("tiny: jobs on nodes over time") && svg.contains("user alice"), "{svg}");

    let d = tempfile::tempdir().unwrap();
    let qs = d.path().join("qs");
    clustersim()
        .args(["run", "scenarios/quickstart.toml", "-q", "--out"])
        .arg(&qs)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .assert()
        .success();
    assert!(!qs.join("charts/gantt.png").exists(), "3,000 jobs: no Gantt chart by default");
    clustersim().arg("report").arg(&qs).args(["--gantt", "--from", "10h", "--to", "12h"]).assert().success();
    let svg = std::fs::read_to_string(qs.join("charts/gantt.svg")).unwrap();
    assert!(svg.contains("10 h to 12 h"), "the window is named");
    assert!(std::fs::read_to_string(qs.join("report.html")).unwrap().contains("gantt"));
}
