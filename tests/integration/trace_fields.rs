//! SWF fields 15 to 18 on tiny hand-written traces: think time after a preceding job (the engine holds
//! the job until then), queue and partition filters, tiers from a queue or partition, and their counts
//! in `trace stats`.

use crate::util::{run_toml, starts_and_ends};
use clustersim::scenario::Scenario;
use clustersim::workloads::stats::trace_stats;
use clustersim::workloads::swf::{OnBadLine, SwfOptions, TierFrom, TierMap, read_swf};
use std::collections::BTreeMap;
use std::path::PathBuf;

fn write_trace(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trace.swf");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

/// Four processors, one-processor jobs. Job 2 follows job 1 (100 s) with a 50 s think time; job 3 is
/// independent; job 4 follows job 3 (ends at 50 s) with 100 s of think time but arrives only at 60 s;
/// job 5 follows job 3 too but arrives at 400 s, after its think time is over.
const THINK: &str = "\
; MaxProcs: 4
  1   0 0 100 1 -1 -1 1 200 -1 1 1 1 -1 -1 -1 -1 -1
  2  10 0  50 1 -1 -1 1 200 -1 1 1 1 -1 -1 -1  1 50
  3  20 0  30 1 -1 -1 1 200 -1 1 1 1 -1 -1 -1 -1 -1
  4  60 0  10 1 -1 -1 1 200 -1 1 1 1 -1 -1 -1  3 100
  5 400 0  10 1 -1 -1 1 200 -1 1 1 1 -1 -1 -1  3 100
";

fn run_trace(text: &str, keys: &str) -> Vec<(f64, f64)> {
    run_trace_with(text, keys, "fifo")
}

fn run_trace_with(text: &str, keys: &str, discipline: &str) -> Vec<(f64, f64)> {
    let (_dir, path) = write_trace(text);
    let toml = format!(
        "name = \"t\"\n[workload]\ntype = \"swf\"\npath = \"{}\"\n{keys}\n[policy]\nqueue = \"{discipline}\"\n",
        path.display()
    );
    starts_and_ends(&run_toml(&toml))
}

#[test]
fn think_time_delays_a_dependent_job_after_its_predecessor_completes() {
    // Processors are free all along: only the dependencies and think times hold jobs back.
    let runs = run_trace(THINK, "dependencies = true");
    assert_eq!(runs, vec![(0.0, 100.0), (150.0, 200.0), (20.0, 50.0), (150.0, 160.0), (400.0, 410.0)]);
    // Without a think time (−1) a dependent job starts as its predecessor completes (or at its submit).
    let no_think = THINK.replace(" 1 50\n", " 1 -1\n").replace(" 3 100\n", " 3 -1\n");
    let runs = run_trace(&no_think, "dependencies = true");
    assert_eq!(runs, vec![(0.0, 100.0), (100.0, 150.0), (20.0, 50.0), (60.0, 70.0), (400.0, 410.0)]);
    // Without `dependencies` both fields are ignored.
    let runs = run_trace(THINK, "");
    assert_eq!(runs, vec![(0.0, 100.0), (10.0, 60.0), (20.0, 50.0), (60.0, 70.0), (400.0, 410.0)]);
    let (_dir, path) = write_trace(THINK);
    let (w, _) = read_swf(&path, &SwfOptions { dependencies: true, ..Default::default() }).unwrap();
    let delays: Vec<(Vec<u32>, u64)> = w.jobs.iter().map(|j| (j.deps().to_vec(), j.dep_delay() / 1_000_000)).collect();
    assert_eq!(delays, vec![(vec![], 0), (vec![0], 50), (vec![], 0), (vec![2], 100), (vec![2], 100)]);
}

/// Queues 1, 2, 3, none, 1; partitions 1, 1, 2, 2, none.
const QUEUES: &str = "\
; MaxProcs: 8
  1  0 0 10 1 -1 -1 1 20 -1 1 1 1 -1  1  1 -1 -1
  2  1 0 10 1 -1 -1 1 20 -1 1 1 1 -1  2  1 -1 -1
  3  2 0 10 1 -1 -1 1 20 -1 1 1 1 -1  3  2 -1 -1
  4  3 0 10 1 -1 -1 1 20 -1 1 1 1 -1 -1  2 -1 -1
  5  4 0 10 1 -1 -1 1 20 -1 1 1 1 -1  1 -1 -1 -1
";

fn read(text: &str, opts: SwfOptions) -> clustersim::model::Workload {
    let (_dir, path) = write_trace(text);
    read_swf(&path, &opts).unwrap().0
}

fn ids(w: &clustersim::model::Workload) -> Vec<u64> {
    w.jobs.iter().map(|j| j.id).collect()
}

#[test]
fn queue_and_partition_are_kept_and_filter_jobs_with_counted_skips() {
    let w = read(QUEUES, SwfOptions::default());
    assert_eq!(w.jobs.iter().map(|j| j.queue).collect::<Vec<_>>(), vec![Some(1), Some(2), Some(3), None, Some(1)]);
    assert_eq!(w.jobs.iter().map(|j| j.partition).collect::<Vec<_>>(), vec![Some(1), Some(1), Some(2), Some(2), None]);
    let w = read(QUEUES, SwfOptions { queues: Some(vec![1, 3]), ..Default::default() });
    assert_eq!(ids(&w), vec![1, 3, 5]);
    assert_eq!(w.skipped.reasons, vec![("queue not in `queues`".to_string(), 2)]);
    let w = read(QUEUES, SwfOptions { partitions: Some(vec![2, -1]), ..Default::default() });
    assert_eq!(ids(&w), vec![3, 4, 5]);
    assert_eq!(w.skipped.reasons, vec![("partition not in `partitions`".to_string(), 2)]);
    let both = SwfOptions { queues: Some(vec![-1, 1]), partitions: Some(vec![1]), ..Default::default() };
    let w = read(QUEUES, both);
    assert_eq!(ids(&w), vec![1]);
    assert_eq!(
        w.skipped.reasons,
        vec![("queue not in `queues`".to_string(), 2), ("partition not in `partitions`".to_string(), 2)]
    );
}

#[test]
fn tiers_come_from_the_queue_or_the_partition() {
    let by_queue = TierMap { from: TierFrom::Queue, tiers: BTreeMap::from([(1, 2), (3, 1)]) };
    let w = read(QUEUES, SwfOptions { tiers: Some(by_queue), ..Default::default() });
    assert_eq!(w.jobs.iter().map(|j| j.tier).collect::<Vec<_>>(), vec![2, 0, 1, 0, 2]);
    assert_eq!(w.tiers, vec!["other", "queue 3", "queue 1"]);
    let by_partition = TierMap { from: TierFrom::Partition, tiers: BTreeMap::from([(-1, 1), (2, 0)]) };
    let w = read(QUEUES, SwfOptions { tiers: Some(by_partition), ..Default::default() });
    assert_eq!(w.jobs.iter().map(|j| j.tier).collect::<Vec<_>>(), vec![0, 0, 0, 0, 1]);
    assert_eq!(w.tiers, vec!["partition 2+other", "partition -1"]);
    // The same through scenario keys, with a queue filter.
    let (_dir, path) = write_trace(QUEUES);
    let scenario =
        |keys: &str| format!("name = \"t\"\n[workload]\ntype = \"swf\"\npath = \"{}\"\n{keys}\n", path.display());
    let sc = Scenario::parse(&scenario("queues = [1, 2]\ntier_from = \"queue\"\ntiers = { \"2\" = 1 }")).unwrap();
    sc.validate().unwrap();
    let w = sc.build_workload(1).unwrap();
    assert_eq!(w.jobs.iter().map(|j| (j.id, j.tier)).collect::<Vec<_>>(), vec![(1, 0), (2, 1), (5, 0)]);
    let err = |keys: &str| Scenario::parse(&scenario(keys)).unwrap().validate().unwrap_err().to_string();
    assert_eq!(err("queues = []"), "key `workload.queues`: expected a non-empty list of numbers from -1 to 65535");
    assert_eq!(
        err("tier_from = \"queue\""),
        "key `workload.tiers`: tier_from needs a table of numbers to tiers, e.g. tiers = { \"1\" = 2, \"3\" = 1 }"
    );
    assert_eq!(
        err("tier_from = \"partition\"\ntiers = { \"x\" = 1 }"),
        "key `workload.tiers.\"x\"`: expected a queue or partition number from -1 to 65535"
    );
}

/// Two processors, whole-machine jobs: job 1 runs 0–100 s; jobs 2 (queue 1) and 3 (queue 3) wait for it.
const TWO_QUEUES: &str = "\
; MaxProcs: 2
  1  0 0 100 2 -1 -1 2 200 -1 1 1 1 -1 1 1 -1 -1
  2 10 0  10 2 -1 -1 2 200 -1 1 1 1 -1 1 1 -1 -1
  3 20 0  10 2 -1 -1 2 200 -1 1 1 1 -1 3 1 -1 -1
";

#[test]
fn a_priority_queue_serves_the_tier_of_the_high_priority_queue_first() {
    let keys = "tier_from = \"queue\"\ntiers = { \"3\" = 1 }";
    // Queue 3 is tier 1: job 3 goes before job 2, which was submitted earlier.
    let runs = run_trace_with(TWO_QUEUES, keys, "priority_aging");
    assert_eq!(runs, vec![(0.0, 100.0), (110.0, 120.0), (100.0, 110.0)]);
    // With every job in one tier the same discipline keeps submit order.
    let runs = run_trace_with(TWO_QUEUES, "", "priority_aging");
    assert_eq!(runs, vec![(0.0, 100.0), (100.0, 110.0), (110.0, 120.0)]);
}

#[test]
fn a_queue_number_out_of_range_is_a_bad_line_and_stats_count_queues() {
    let bad = format!("{QUEUES}  6  5 0 10 1 -1 -1 1 20 -1 1 1 1 -1 70000 1 -1 -1\n");
    let (_dir, path) = write_trace(&bad);
    let err = read_swf(&path, &SwfOptions::default()).unwrap_err().to_string();
    assert!(err.ends_with(":7: field 15 (queue) is not a number from 0 to 65535: 70000"), "{err}");
    let skip = SwfOptions { on_bad_line: OnBadLine::Skip, ..Default::default() };
    let stats = trace_stats(&path, &skip).unwrap();
    assert_eq!((stats.lines, stats.jobs), (6, 5));
    assert_eq!(stats.queues, vec![(-1, 1), (1, 2), (2, 1), (3, 1)]);
    assert_eq!(stats.partitions, vec![(-1, 1), (1, 2), (2, 2)]);
    let text = stats.to_string();
    assert!(text.contains("jobs by queue  none: 1, 1: 2, 2: 1, 3: 1\n"), "{text}");
    assert!(text.contains("by partition   none: 1, 1: 2, 2: 2\n"), "{text}");
}

/// `; Queue:` and `; Partition:` header lines describe the numbers: tier names and `trace stats` show
/// them (HPC2N writes `; Queue:  1  [fque:1]`, brackets included).
#[test]
fn header_descriptions_name_queues_and_partitions() {
    let described = QUEUES.replace(
        "; MaxProcs: 8\n",
        "; MaxProcs: 8\n; Queue:  1  [express]\n; Queue: 3 long jobs\n; Partition:  2  DEFAULT\n",
    );
    let by_queue = TierMap { from: TierFrom::Queue, tiers: BTreeMap::from([(1, 2), (2, 1), (3, 1)]) };
    let w = read(&described, SwfOptions { tiers: Some(by_queue), ..Default::default() });
    assert_eq!(w.tiers, vec!["other", "queue 2+3 (long jobs)", "queue 1 (express)"]);
    let (_dir, path) = write_trace(&described);
    let text = trace_stats(&path, &SwfOptions::default()).unwrap().to_string();
    assert!(text.contains("jobs by queue  none: 1, 1 (express): 2, 2: 1, 3 (long jobs): 1\n"), "{text}");
    assert!(text.contains("by partition   none: 1, 1: 2, 2 (DEFAULT): 2\n"), "{text}");
}

/// CSV job lists and inline lists take a think time too (column / key `think`), counted from the
/// completion of the job's last dependency: job 2 follows job 1 (ends at 100 s) after 50 s.
#[test]
fn csv_and_inline_lists_take_a_think_time() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("jobs.csv");
    std::fs::write(&csv, "id,submit,runtime,deps,think\n1,0,100,,\n2,10,50,1,50s\n3,20,30,,\n").unwrap();
    let pools = "[[cluster.pools]]\nname = \"p\"\ncount = 1\ncpu = 4\n";
    let from_csv = format!("name = \"t\"\n{pools}[workload]\ntype = \"csv\"\npath = \"{}\"\n", csv.display());
    assert_eq!(starts_and_ends(&run_toml(&from_csv)), vec![(0.0, 100.0), (150.0, 200.0), (20.0, 50.0)]);
    let inline = format!(
        "name = \"t\"\n{pools}[workload]\ntype = \"list\"\njobs = [\n{{ submit = 0, runtime = 100 }},\n\
         {{ submit = 10, runtime = 50, deps = [1], think = \"50s\" }},\n{{ submit = 20, runtime = 30 }},\n]\n"
    );
    assert_eq!(starts_and_ends(&run_toml(&inline)), vec![(0.0, 100.0), (150.0, 200.0), (20.0, 50.0)]);
    // A think time without a dependency has nothing to count from.
    let alone = inline.replace("deps = [1], ", "");
    let err = Scenario::parse(&alone).unwrap().build_workload(1).unwrap_err().to_string();
    assert!(err.contains("think") && err.contains("needs `deps`"), "{err}");
}

/// jobs.csv carries each job's queue and partition numbers (empty when the trace gives none).
#[test]
fn jobs_csv_has_the_queue_and_partition_of_each_job() {
    let (dir, path) = write_trace(QUEUES);
    let scenario = dir.path().join("s.toml");
    std::fs::write(&scenario, format!("name = \"t\"\n[workload]\ntype = \"swf\"\npath = \"{}\"\n", path.display()))
        .unwrap();
    let out = dir.path().join("out");
    assert_cmd::Command::cargo_bin("clustersim")
        .unwrap()
        .args(["run", "-q", "--no-charts"])
        .arg(&scenario)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let mut r = csv::Reader::from_path(out.join("jobs.csv")).unwrap();
    let header = r.headers().unwrap().clone();
    let (q, p) =
        (header.iter().position(|h| h == "queue").unwrap(), header.iter().position(|h| h == "partition").unwrap());
    let rows: Vec<(String, String)> =
        r.records().map(|rec| rec.unwrap()).map(|rec| (rec[q].to_string(), rec[p].to_string())).collect();
    let expected = [("1", "1"), ("2", "1"), ("3", "2"), ("", "2"), ("1", "")];
    assert_eq!(rows, expected.map(|(a, b)| (a.to_string(), b.to_string())));
}
