//! Real workloads end to end: SWF traces under convention P against the pyss oracle, counts, filters.

use crate::util::{run_toml, shared};
use clustersim::scenario::Scenario;
use clustersim::workloads::swf::{Convention, EstimateMode, Machine, OnBadLine, SwfOptions, read_swf};
use std::collections::BTreeMap;

const KTH_3000: &str = "workloads/KTH-SP2-1996-2.1-cln.first3000.swf";

/// (submit, procs, estimate, runtime) per job id from a pyss schedule CSV.
fn oracle_jobs(rel: &str) -> BTreeMap<u64, (u64, u64, u64, u64)> {
    let text = std::fs::read_to_string(shared(rel)).expect("oracle csv");
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("job_id,submit,start,end,procs,estimate,runtime"));
    lines
        .map(|l| {
            let v: Vec<u64> = l.split(',').map(|x| x.parse().expect("number")).collect();
            (v[0], (v[1], v[4], v[5], v[6]))
        })
        .collect()
}

#[test]
fn kth_first3000_under_convention_p_matches_the_pyss_input_columns() {
    let (w, header) = read_swf(&shared(KTH_3000), &SwfOptions::default()).expect("trace reads");
    assert_eq!(header.max_procs, Some(100));
    assert_eq!(header.job_lines, 3000);
    assert_eq!(w.jobs.len(), 3000);
    assert_eq!(w.skipped.total(), 0);
    let oracle = oracle_jobs("oracles/pyss-kth-first3000/FCFS.csv");
    assert_eq!(oracle.len(), 3000);
    for job in &w.jobs {
        let (submit, procs, estimate, runtime) = oracle[&job.id];
        let ours = (
            job.submit / 1_000_000,
            job.tasks as u64 * job.request.cpu,
            job.estimate / 1_000_000,
            job.runtime / 1_000_000,
        );
        assert_eq!(ours, (submit, procs, estimate, runtime), "job {}", job.id);
        assert_eq!(job.tasks, 1);
        assert_eq!(job.submit % 1_000_000 + job.runtime % 1_000_000 + job.estimate % 1_000_000, 0);
    }
    // submit order, ties in file order (job numbers ascend in this file)
    assert!(w.jobs.windows(2).all(|p| (p[0].submit, p[0].id) < (p[1].submit, p[1].id)));
}

/// A scenario with `type = "swf"` and no pools runs on one node of the header's MaxProcs cores; FIFO on it
/// starts every job exactly when pyss FCFS does.
#[test]
fn kth_first3000_scenario_with_fifo_reproduces_pyss_fcfs_starts() {
    let text = format!(
        r#"
name = "kth3000"
[workload]
type = "swf"
path = "{}"
[policy]
queue = "fifo"
"#,
        shared(KTH_3000).display()
    );
    let r = run_toml(&text);
    assert_eq!(r.output.cluster.nodes.len(), 1);
    assert_eq!(r.output.cluster.total_capacity.cpu, 100);
    let text = std::fs::read_to_string(shared("oracles/pyss-kth-first3000/FCFS.csv")).unwrap();
    let starts: BTreeMap<u64, u64> = text
        .lines()
        .skip(1)
        .map(|l| {
            let v: Vec<u64> = l.split(',').map(|x| x.parse().unwrap()).collect();
            (v[0], v[2])
        })
        .collect();
    let mut mismatches = 0;
    for (job, rec) in r.output.workload.jobs.iter().zip(&r.output.records) {
        if rec.first_start.map(|s| s / 1_000_000) != Some(starts[&job.id]) {
            mismatches += 1;
        }
    }
    assert_eq!(mismatches, 0);
    assert!((r.metrics.all.wait_mean - 83872.8553).abs() < 1e-3, "avg wait {}", r.metrics.all.wait_mean);
}

/// Job lines (neither `;` comment nor blank) of a trace, counted independently of the reader.
fn count_job_lines(rel: &str) -> u64 {
    use std::io::{BufRead, BufReader, Read};
    let file = std::fs::File::open(shared(rel)).unwrap();
    let reader: Box<dyn Read> =
        if rel.ends_with(".gz") { Box::new(flate2::read::GzDecoder::new(file)) } else { Box::new(file) };
    BufReader::new(reader)
        .lines()
        .map(|l| l.unwrap())
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with(';'))
        .count() as u64
}

fn assert_counts(rel: &str, expected_jobs: usize, procs: u64) {
    let (w, header) = read_swf(&shared(rel), &SwfOptions::default()).expect("trace reads");
    let lines = count_job_lines(rel);
    assert_eq!(header.job_lines, lines, "{rel}");
    assert_eq!(w.jobs.len() as u64, lines - w.skipped.total(), "{rel}: jobs = lines − skips");
    assert_eq!(w.jobs.len(), expected_jobs, "{rel}");
    assert_eq!(w.skipped.total(), 0, "{rel}: convention P keeps every line");
    assert_eq!(header.max_procs, Some(procs));
    // the complete traces match their header's record count (HPC2N's once its cleaning is taken off);
    // the 3,000-job cut does not, and says so (beside the note on the jobs convention P rewrote)
    let cut = rel == KTH_3000;
    let header_notes = w.skipped.notes.iter().filter(|n| n.starts_with("header says")).count();
    assert_eq!(header_notes, usize::from(cut), "{rel}: {:?}", w.skipped.notes);
    // and under the plain convention: KTH job 27313 has no processor count, so it is skipped and counted.
    let plain = SwfOptions { convention: Convention::Plain, ..Default::default() };
    let (w, _) = read_swf(&shared(rel), &plain).expect("trace reads");
    assert_eq!(w.jobs.len() as u64 + w.skipped.total(), lines, "{rel}: plain");
}

#[test]
fn real_trace_counts_match_their_job_lines() {
    assert_counts(KTH_3000, 3000, 100);
    assert_counts("workloads/KTH-SP2-1996-2.1-cln.swf.gz", 28_476, 100);
    assert_counts("workloads/HPC2N-2002-2.1-cln.swf.gz", 202_876, 240);
}

#[test]
fn plain_convention_skips_the_kth_job_without_processors() {
    let plain = SwfOptions { convention: Convention::Plain, ..Default::default() };
    let (w, _) = read_swf(&shared("workloads/KTH-SP2-1996-2.1-cln.swf.gz"), &plain).unwrap();
    assert_eq!(w.jobs.len(), 28_475);
    assert_eq!(w.skipped.reasons, vec![("processors unknown (-1)".to_string(), 1)]);
    assert!(!w.jobs.iter().any(|j| j.id == 27313));
}

/// A tiny trace on an 8-processor machine, one job per feature:
/// 1 plain; 2 ran 300 s past a 200 s request; 3 cancelled before start (status 5, run 0);
/// 4 asks for 16 of 8 processors; 5 a partial-execution record (status 2); 6 follows job 2.
const TINY: &str = "\
; Version: 2.2
; MaxProcs: 8
; UnixStartTime: 1000
  1   0  0  100  2 -1 -1  2  200 1024 1 1 1 -1 -1 -1 -1 -1
  2  10  0  300  4 -1 -1  4  200 -1 1 2 1 -1 -1 -1 -1 -1

  3  20  0    0  1 -1 -1  1   60 -1 5 1 1 -1 -1 -1 -1 -1
  4  30  0   50 16 -1 -1 16  100 -1 1 3 1 -1 -1 -1 -1 -1
  5  40  0   50  2 -1 -1  2  100 -1 2 1 1 -1 -1 -1 -1 -1
  6  50  0   70  3 -1 -1  3  100 -1 1 1 1 -1 -1 -1  2 30
";

fn tiny(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tiny.swf");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

fn read_tiny(text: &str, opts: SwfOptions) -> clustersim::model::Workload {
    let (_dir, path) = tiny(text);
    read_swf(&path, &opts).unwrap().0
}

/// (id, submit s, procs, runtime s, estimate s) of every job.
fn shapes(w: &clustersim::model::Workload) -> Vec<(u64, u64, u64, u64, u64)> {
    let s = |t: u64| t / 1_000_000;
    w.jobs.iter().map(|j| (j.id, s(j.submit), j.tasks as u64 * j.request.cpu, s(j.runtime), s(j.estimate))).collect()
}

fn skips(w: &clustersim::model::Workload) -> Vec<(&str, u64)> {
    w.skipped.reasons.iter().map(|(r, n)| (r.as_str(), *n)).collect()
}

#[test]
fn tiny_trace_under_both_conventions() {
    let p = read_tiny(TINY, SwfOptions::default());
    assert_eq!(
        shapes(&p),
        vec![(1, 0, 2, 100, 200), (2, 10, 4, 200, 300), (3, 20, 1, 1, 1), (4, 30, 8, 50, 100), (6, 50, 3, 70, 100)]
    );
    assert_eq!(skips(&p), vec![("partial-execution record (status 2/3/4)", 1)]);
    assert_eq!(p.users, vec!["1", "2", "3"]);
    let plain = read_tiny(TINY, SwfOptions { convention: Convention::Plain, ..Default::default() });
    assert_eq!(
        shapes(&plain),
        vec![(1, 0, 2, 100, 200), (2, 10, 4, 300, 200), (3, 20, 1, 0, 60), (4, 30, 16, 50, 100), (6, 50, 3, 70, 100)]
    );
}

#[test]
fn every_filter_is_counted() {
    let ids = |w: &clustersim::model::Workload| w.jobs.iter().map(|j| j.id).collect::<Vec<_>>();
    let w = read_tiny(TINY, SwfOptions { drop_cancelled: true, ..Default::default() });
    assert_eq!(ids(&w), vec![1, 2, 4, 6]);
    assert_eq!(skips(&w)[0], ("cancelled before start (status 5, run time <= 0)", 1));
    let w = read_tiny(TINY, SwfOptions { drop_zero_runtime: true, ..Default::default() });
    assert_eq!(skips(&w)[0], ("run time <= 0", 1));
    let w = read_tiny(TINY, SwfOptions { drop_oversized: true, ..Default::default() });
    assert_eq!(ids(&w), vec![1, 2, 3, 6]);
    assert_eq!(skips(&w)[0], ("more processors than the machine", 1));
    let w = read_tiny(TINY, SwfOptions { start: Some(15_000_000), end: Some(45_000_000), ..Default::default() });
    assert_eq!(ids(&w), vec![3, 4]);
    assert_eq!(
        skips(&w),
        vec![
            ("submitted before `start`", 2),
            ("partial-execution record (status 2/3/4)", 1),
            ("submitted at or after `end`", 1)
        ]
    );
    let w = read_tiny(TINY, SwfOptions { first_jobs: Some(2), ..Default::default() });
    assert_eq!(ids(&w), vec![1, 2]);
    assert_eq!(skips(&w), vec![("beyond `first_jobs`", 4)]);
    assert_eq!(w.jobs.len() as u64 + w.skipped.total(), 6);
}

#[test]
fn load_scaling_estimates_memory_nodes_and_dependencies() {
    let w = read_tiny(TINY, SwfOptions { load_scale: 2.0, ..Default::default() });
    let submits: Vec<u64> = w.jobs.iter().map(|j| j.submit / 1_000_000).collect();
    assert_eq!(submits, vec![0, 5, 10, 15, 25]);
    let w = read_tiny(TINY, SwfOptions { estimate: EstimateMode::Perfect, ..Default::default() });
    assert!(w.jobs.iter().all(|j| j.estimate == j.runtime));
    let w = read_tiny(TINY, SwfOptions { estimate: EstimateMode::Factor(1.5), ..Default::default() });
    assert_eq!(w.jobs[0].estimate, 150_000_000);
    // 1024 KB per processor × 2 processors = 2 MiB
    let w = read_tiny(TINY, SwfOptions { memory: true, ..Default::default() });
    assert_eq!((w.jobs[0].request.mem, w.jobs[1].request.mem), (2, 0));
    let w = read_tiny(TINY, SwfOptions { machine: Machine::Nodes, ..Default::default() });
    assert_eq!((w.jobs[1].tasks, w.jobs[1].request.cpu), (4, 1));
    let w = read_tiny(TINY, SwfOptions { dependencies: true, ..Default::default() });
    assert_eq!(w.jobs[4].deps(), [1]);
    assert!(w.jobs[..4].iter().all(|j| j.deps().is_empty()));
}

#[test]
fn a_malformed_line_is_an_error_naming_file_and_line_or_is_skipped_and_counted() {
    let bad = format!("{TINY}  7  60  0  abc  1 -1 -1 1 10 -1 1 1 1 -1 -1 -1 -1 -1\n  8  70 0 5\n");
    let (_dir, path) = tiny(&bad);
    let err = read_swf(&path, &SwfOptions::default()).unwrap_err();
    match &err {
        clustersim::Error::Trace { path: p, line, message } => {
            assert_eq!((p, *line), (&path, 11));
            assert_eq!(message, "field 4 (run time) is not a number: `abc`");
        }
        other => panic!("unexpected error {other}"),
    }
    assert!(err.to_string().starts_with(&format!("{}:11: ", path.display())));
    let skip = SwfOptions { on_bad_line: OnBadLine::Skip, ..Default::default() };
    let (w, header) = read_swf(&path, &skip).unwrap();
    assert_eq!(w.jobs.len(), 5);
    assert_eq!(skips(&w), vec![("partial-execution record (status 2/3/4)", 1), ("malformed line", 2)]);
    assert_eq!(header.job_lines, 8);
}

const JOBS_CSV: &str = "\
# submit and runtime are durations (plain numbers are seconds); memory in MiB or with a unit
id,submit,runtime,estimate,tasks,cpu,memory,gpu,user,group,tier,weight,key,deps
10,0,100,200,1,4,1GiB,0,alice,physics,prod,2.5,k1,
11,10s,50,,2,2,512,0,bob,,0,,,10
12,1m,30,,1,1,,,alice,,batch,,,10;11
";

fn csv_scenario(dir: &std::path::Path, csv: &str) -> String {
    std::fs::write(dir.join("jobs.csv"), csv).unwrap();
    format!(
        r#"
name = "csv"
[[cluster.pools]]
name = "p"
count = 2
cpu = 4
memory = "4GiB"
[workload]
type = "csv"
path = "{}"
tiers = ["batch", "prod"]
[policy]
queue = "fifo"
"#,
        dir.join("jobs.csv").display()
    )
}

/// J10 (4 cores, 100 s) starts at 0; J11 (2×2 cores, after J10) at 100; J12 (after both) at 150.
#[test]
fn csv_job_list_reads_every_column_and_runs() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_toml(&csv_scenario(dir.path(), JOBS_CSV));
    let w = &r.output.workload;
    assert_eq!(shapes(w), vec![(10, 0, 4, 100, 200), (11, 10, 4, 50, 50), (12, 60, 1, 30, 30)]);
    assert_eq!((w.jobs[0].request.mem, w.jobs[1].request.mem, w.jobs[1].tasks), (1024, 512, 2));
    assert_eq!(w.users, vec!["alice", "bob"]);
    assert_eq!(w.groups, vec!["physics", "bob", "alice"]);
    assert_eq!((w.jobs[0].tier, w.jobs[0].weight, w.jobs[2].tier), (1, 2.5, 0));
    assert_eq!(w.jobs[2].deps(), [0, 1]);
    assert_eq!(crate::util::starts_and_ends(&r), vec![(0.0, 100.0), (100.0, 150.0), (150.0, 180.0)]);
}

/// Writes `text` as the CSV job list at `path` and reads it, expecting an error: its message.
fn csv_error(path: &std::path::Path, text: impl AsRef<[u8]>) -> String {
    std::fs::write(path, text).unwrap();
    clustersim::workloads::csv_jobs::read_csv_jobs(path, &[], OnBadLine::Error).unwrap_err().to_string()
}

#[test]
fn csv_errors_name_the_line_and_column_or_are_skipped_and_counted() {
    use clustersim::workloads::csv_jobs::read_csv_jobs;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jobs.csv");
    let err = |text: &str| csv_error(&path, text);
    let at = |line: u64, m: &str| format!("{}:{line}: {m}", path.display());
    assert_eq!(
        err("submit,runtime,colour\n0,1,red\n"),
        at(
            1,
            "unknown column 3 `colour` (valid columns: id, submit, runtime, estimate, tasks, cpu, memory, gpu, user, group, tier, weight, key, deps, think)"
        )
    );
    assert_eq!(err("submit,cpu\n0,1\n"), at(1, "the header has no `runtime` column"));
    assert_eq!(
        err("submit,runtime\n0,1\n5,soon\n"),
        at(3, "column `runtime`: `soon` is not a duration (expected e.g. \"250ms\", \"90s\", \"2h\", \"7d\")")
    );
    assert_eq!(err("submit,runtime,tasks\n0,1,0\n"), at(2, "column `tasks`: `0` is not a task count ≥ 1"));
    assert_eq!(err("submit,runtime,deps\n0,1,7\n"), at(2, "column `deps`: no other job has id 7"));
    assert_eq!(err("submit,runtime\n0,1\n3\n"), at(3, "expected 2 fields, found 1"));
    std::fs::write(&path, "submit,runtime\n0,1\n3\n4,x\n5,2\n").unwrap();
    let w = read_csv_jobs(&path, &[], OnBadLine::Skip).unwrap();
    assert_eq!(w.jobs.len(), 2);
    assert_eq!(skips(&w), vec![("malformed line", 2)]);
}

/// Offered load of a workload on `cpus` cores: Σ tasks × cpu × runtime / (cpus × submit span).
fn offered_load(w: &clustersim::model::Workload, cpus: f64) -> f64 {
    let work: f64 = w.jobs.iter().map(|j| j.tasks as f64 * j.request.cpu as f64 * j.runtime as f64 / 1e6).sum();
    let span = (w.jobs.last().unwrap().submit - w.jobs[0].submit) as f64 / 1e6;
    work / (cpus * span)
}

fn synthetic(workload: &str) -> clustersim::model::Workload {
    let text = format!(
        "name = \"gen\"\nseed = 5\n[[cluster.pools]]\nname = \"p\"\ncount = 10\ncpu = 8\n[workload]\ntype = \"synthetic\"\n{workload}"
    );
    let sc = Scenario::parse(&text).unwrap_or_else(|e| panic!("{e}"));
    sc.validate().unwrap_or_else(|e| panic!("{e}"));
    sc.build_workload(sc.seed).unwrap()
}

/// 80 cores, mean work 2.5 tasks × 2 cores × 600 s = 3000 core-s: load 0.85 means one job every 44.1 s.
#[test]
fn target_load_sets_the_arrival_rate() {
    let sizes = "jobs = 40000\nruntime = { dist = \"lognormal\", mean = \"10m\", cv = 1.0 }\n\
                 tasks = { dist = \"uniform\", min = 1, max = 4 }\ncpu = { dist = \"constant\", value = 2 }\nload = 0.85\n";
    for arrival in [
        "",
        "interarrival = { dist = \"weibull\", scale = 10, shape = 0.7 }",
        "arrival = { process = \"mmpp\", interarrival = [\"60s\", \"5s\"], sojourn = [\"2h\", \"30m\"] }",
        "arrival = { process = \"diurnal\", mean = \"1m\", amplitude = 0.5 }",
    ] {
        let w = synthetic(&format!("{sizes}{arrival}\n"));
        let load = offered_load(&w, 80.0);
        assert!((load / 0.85 - 1.0).abs() < 0.04, "{arrival}: offered load {load}");
        let ia = (w.jobs.last().unwrap().submit - w.jobs[0].submit) as f64 / 1e6 / 39_999.0;
        assert!((ia / (3000.0 / 68.0) - 1.0).abs() < 0.04, "{arrival}: mean inter-arrival {ia}");
    }
}

#[test]
fn empirical_runtimes_fitted_from_a_trace_keep_its_mean() {
    let trace = shared("workloads/KTH-SP2-1996-2.1-cln.swf.gz");
    let w = synthetic(&format!(
        "jobs = 50000\ninterarrival = {{ dist = \"exponential\", mean = \"30s\" }}\n\
         runtime = {{ dist = \"empirical\", trace = \"{}\", field = \"runtime\" }}\n",
        trace.display()
    ));
    let plain = SwfOptions { convention: Convention::Plain, drop_zero_runtime: true, ..Default::default() };
    let (kth, _) = read_swf(&trace, &plain).unwrap();
    let trace_mean = kth.jobs.iter().map(|j| j.runtime as f64).sum::<f64>() / kth.jobs.len() as f64 / 1e6;
    let drawn_mean = w.jobs.iter().map(|j| j.runtime as f64).sum::<f64>() / w.jobs.len() as f64 / 1e6;
    assert!((drawn_mean / trace_mean - 1.0).abs() < 0.03, "drawn {drawn_mean} vs trace {trace_mean}");
    let max = kth.jobs.iter().map(|j| j.runtime).max().unwrap();
    assert!(w.jobs.iter().all(|j| j.runtime <= max && j.runtime >= 1_000_000));
}

/// Regression: `values = [60, 300, 3600]` drew between the values (mean 1064 s over 50,000 draws
/// instead of 1320 s); now every draw is one of the values, all equally likely.
#[test]
fn empirical_values_are_drawn_as_given_and_keep_their_mean() {
    let w = synthetic(
        "jobs = 30000\ninterarrival = { dist = \"constant\", value = 10 }\n\
         runtime = { dist = \"empirical\", values = [3600, 60, 300] }\n",
    );
    let runs: Vec<f64> = w.jobs.iter().map(|j| j.runtime as f64 / 1e6).collect();
    assert!(runs.iter().all(|&r| r == 60.0 || r == 300.0 || r == 3600.0));
    for v in [60.0, 300.0, 3600.0] {
        let share = runs.iter().filter(|&&r| r == v).count() as f64 / runs.len() as f64;
        assert!((share - 1.0 / 3.0).abs() < 0.02, "{v}: drawn {share} of the time");
    }
    let mean = runs.iter().sum::<f64>() / runs.len() as f64;
    assert!((mean / 1320.0 - 1.0).abs() < 0.03, "mean {mean}");
    // interpolated, draws fall between the values and the mean is the piecewise-linear one: 1065 s
    let w = synthetic(
        "jobs = 30000\ninterarrival = { dist = \"constant\", value = 10 }\n\
         runtime = { dist = \"empirical\", values = [60, 300, 3600], interpolate = true }\n",
    );
    let mean = w.jobs.iter().map(|j| j.runtime as f64 / 1e6).sum::<f64>() / w.jobs.len() as f64;
    assert!((mean / 1065.0 - 1.0).abs() < 0.03, "interpolated mean {mean}");
    assert!(w.jobs.iter().any(|j| ![60, 300, 3600].contains(&(j.runtime / 1_000_000))));
}

/// Regression: a trace an empirical distribution was fitted to lost its malformed lines silently.
#[test]
fn empirical_fit_names_a_malformed_trace_line() {
    let dir = tempfile::tempdir().unwrap();
    let good = "1 0 0 100 1 -1 -1 1 200 -1 1 1 1 -1 1 -1 -1 -1\n";
    std::fs::write(
        dir.path().join("t.swf"),
        format!("; MaxProcs: 4\n{good}2 5 0 1x0 1 -1 -1 1 200 -1 1 1 1 -1 1 -1 -1 -1\n"),
    )
    .unwrap();
    std::fs::write(dir.path().join("t.csv"), "submit,runtime\n0,30\n5,abc\n").unwrap();
    let parse = |dist: &str| {
        let text = format!(
            "name = \"fit\"\n[[cluster.pools]]\nname = \"p\"\ncount = 1\ncpu = 8\n[workload]\ntype = \"synthetic\"\n\
             jobs = 10\ninterarrival = {{ dist = \"constant\", value = 10 }}\nruntime = {dist}\n"
        );
        Scenario::parse_in(&text, dir.path()).map(|_| ()).unwrap_err()
    };
    let swf = parse("{ dist = \"empirical\", trace = \"t.swf\", field = \"runtime\" }");
    assert!(swf.starts_with("workload.runtime.trace: ") && swf.contains("t.swf:3: "), "{swf}");
    let csv = parse("{ dist = \"empirical\", trace = \"t.csv\", field = \"runtime\" }");
    assert!(csv.starts_with("workload.runtime.trace: ") && csv.contains("t.csv:3: "), "{csv}");
    assert!(
        parse("{ dist = \"empirical\", trace = \"none.swf\", field = \"runtime\" }")
            .starts_with("workload.runtime.trace: ")
    );
    assert_eq!(
        parse("{ dist = \"empirical\", trace = \"t.swf\", field = \"runtime\", values = [1] }"),
        "workload.runtime: expected either `values = [...]` or `trace` and `field`, not both"
    );
}

#[test]
fn generator_keys_are_checked() {
    let bad = |workload: &str| {
        let text = format!(
            "name = \"gen\"\n[[cluster.pools]]\nname = \"p\"\ncount = 1\ncpu = 8\n[workload]\ntype = \"synthetic\"\njobs = 10\nruntime = {{ dist = \"constant\", value = 60 }}\n{workload}"
        );
        match Scenario::parse(&text) {
            Err(e) => e,
            Ok(sc) => sc.validate().unwrap_err().to_string(),
        }
    };
    assert_eq!(bad(""), "key `workload.interarrival`: missing: give `interarrival`, `arrival` or a target `load`");
    assert_eq!(
        bad("load = -1"),
        "key `workload.load`: expected a factor from 0.001 to 1000, found -1 (an offered load, e.g. 0.85)"
    );
    assert!(bad("arrival = { process = \"burst\", mean = 1 }").contains("unknown variant `burst`"));
    assert_eq!(
        bad("arrival = { process = \"diurnal\", mean = 30, amplitude = 2 }"),
        "key `workload.arrival`: expected mean > 0, period > 0 and 0 ≤ amplitude ≤ 1"
    );
    assert_eq!(
        bad("load = 0.5\ntasks = { dist = \"pareto\", scale = 1, shape = 1 }"),
        "key `workload.load`: needs a finite, positive mean job work (tasks × cpu × runtime), found inf"
    );
}

/// The shipped KTH scenario reproduces the pyss FCFS and EASY rows of the oracle table on all 28,476 jobs.
#[test]
fn shipped_kth_scenario_matches_the_fcfs_and_easy_oracles() {
    let path = crate::util::repo("scenarios/kth-sp2.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("queue = [\"fifo\", \"easy_backfill\"]"));
    // (queue, avg wait, avg bsld, max wait, makespan) from ../shared/oracles/README.md
    let oracle = [
        ("fifo", 354_156.611_4, 6829.0393, 946_685.0, 28_781_494.0),
        ("easy_backfill", 6899.1461, 92.8737, 262_194.0, 28_763_776.0),
    ];
    for (queue, wait, bsld, max_wait, makespan) in oracle {
        let text = text.replacen("queue = \"fifo\"", &format!("queue = \"{queue}\""), 1);
        let sc = Scenario::parse_in(&text, path.parent().unwrap()).unwrap();
        sc.validate().unwrap();
        let w = std::sync::Arc::new(sc.build_workload(sc.seed).unwrap());
        let r = clustersim::runner::simulate(&sc, "test", sc.seed, w, &Default::default()).unwrap();
        let m = &r.metrics;
        assert_eq!(m.all.jobs, 28_476);
        assert!((m.all.wait_mean - wait).abs() < 1e-3, "{queue}: avg wait {}", m.all.wait_mean);
        assert!((m.all.bsld_mean - bsld).abs() < 1e-3, "{queue}: avg bsld {}", m.all.bsld_mean);
        assert_eq!((m.all.wait_max, m.makespan), (max_wait, makespan), "{queue}");
    }
}

#[test]
fn an_unsorted_trace_is_put_in_submit_order_with_ties_in_file_order() {
    let text = "; MaxProcs: 4\n\
                1 10 0 5 1 -1 -1 1 9 -1 1 1 1 -1 -1 -1 -1 -1\n\
                2  5 0 5 1 -1 -1 1 9 -1 1 1 1 -1 -1 -1 -1 -1\n\
                3  5 0 5 1 -1 -1 1 9 -1 1 1 1 -1 -1 -1 -1 -1\n\
                4 -1 0 5 1 -1 -1 1 9 -1 1 1 1 -1 -1 -1 -1 -1\n";
    let w = read_tiny(text, SwfOptions::default());
    // job 4 has no submit time: convention P submits it at 1 s as a 1 s job
    assert_eq!(shapes(&w), vec![(4, 1, 1, 1, 1), (2, 5, 1, 5, 9), (3, 5, 1, 5, 9), (1, 10, 1, 5, 9)]);
}

/// Every SWF key reaches the reader from a scenario; bad values are named by key.
#[test]
fn swf_scenario_keys() {
    let (_dir, path) = tiny(TINY);
    let scenario =
        |keys: &str| format!("name = \"t\"\n[workload]\ntype = \"swf\"\npath = \"{}\"\n{keys}\n", path.display());
    let build = |keys: &str| {
        let sc = Scenario::parse(&scenario(keys)).unwrap_or_else(|e| panic!("{e}"));
        sc.validate().unwrap_or_else(|e| panic!("{e}"));
        (sc.build_cluster(), sc.build_workload(1).unwrap())
    };
    let (cluster, w) = build("estimate = \"perfect\"\nload_scale = 2.0\ndrop_oversized = true\nfirst_jobs = 3");
    assert_eq!((cluster.nodes.len(), cluster.total_capacity.cpu), (1, 8));
    assert_eq!(shapes(&w), vec![(1, 0, 2, 100, 100), (2, 5, 4, 200, 200), (3, 10, 1, 1, 1)]);
    let (cluster, w) = build("machine = \"nodes\"\nnode_cores = 2\nestimate = 3\nconvention = \"plain\"");
    assert_eq!((cluster.nodes.len(), cluster.nodes[0].capacity.cpu), (4, 2));
    assert_eq!((w.jobs[0].tasks, w.jobs[0].estimate), (2, 300_000_000));
    let err = |keys: &str| match Scenario::parse(&scenario(keys)) {
        Err(e) => e,
        Ok(sc) => sc.validate().unwrap_err().to_string(),
    };
    assert!(
        err("estimate = \"guess\"").contains("unknown estimate `guess` (valid: \"user\", \"perfect\", or a number k")
    );
    assert!(err("colour = 1").contains("unknown field `colour`"));
    assert_eq!(err("load_scale = 0"), "key `workload.load_scale`: expected a factor from 0.001 to 1000, found 0");
    assert_eq!(
        err("memory = true"),
        "key `workload.memory`: jobs will ask for memory but no node has any: set workload.node_memory or the pools' memory"
    );
    assert!(err("convention = \"q\"").contains("unknown variant `q`, expected `p` or `plain`"));
}

/// A scenario running `jobs.csv` (written into `dir`) on one 8-core node, malformed rows skipped.
fn skipping_csv_scenario(dir: &std::path::Path, csv: &str) -> String {
    std::fs::write(dir.join("jobs.csv"), csv).unwrap();
    format!(
        "name = \"skip\"\n[[cluster.pools]]\nname = \"p\"\ncount = 1\ncpu = 8\n[workload]\ntype = \"csv\"\n\
         path = \"{}\"\non_bad_line = \"skip\"\n",
        dir.join("jobs.csv").display()
    )
}

/// The default id is the row's number under the header, counting skipped rows (not comment lines):
/// row 2 is malformed and skipped, so row 5's `deps = 3` means row 3 (submit 6 s, 10 s), and row 5
/// (submitted at 8 s) starts when it ends, at 16 s; row 4 (500 s) is not waited for.
#[test]
fn csv_skip_keeps_row_number_ids() {
    use clustersim::workloads::csv_jobs::read_csv_jobs;
    let dir = tempfile::tempdir().unwrap();
    let csv = "submit,runtime,deps\n0,100,\n5,abc,\n# a comment is not a row\n6,10,\n7,500,\n8,10,3\n";
    let r = run_toml(&skipping_csv_scenario(dir.path(), csv));
    let w = &r.output.workload;
    assert_eq!(w.jobs.iter().map(|j| j.id).collect::<Vec<_>>(), vec![1, 3, 4, 5]);
    assert_eq!(w.jobs[3].deps(), [1]);
    assert_eq!(skips(w), vec![("malformed line", 1)]);
    assert_eq!(w.skipped.items(), ["1 malformed line (first: line 3)"]);
    assert_eq!(crate::util::starts_and_ends(&r), vec![(0.0, 100.0), (6.0, 16.0), (7.0, 507.0), (16.0, 26.0)]);
    // A dependency on the row after a skipped one stays valid (it used to be "no other job has id 3").
    let path = dir.path().join("jobs.csv");
    std::fs::write(&path, "submit,runtime,deps\n0,100,\n5,abc,\n6,10,\n7,10,3\n").unwrap();
    let w = read_csv_jobs(&path, &[], OnBadLine::Skip).unwrap();
    assert_eq!(
        w.jobs.iter().map(|j| (j.id, j.deps().to_vec())).collect::<Vec<_>>(),
        vec![(1, vec![]), (3, vec![]), (4, vec![1])]
    );
}

/// Jobs waiting for each other could never start: an error naming the cycle's job ids, at the CSV line
/// (the cycle's first job) or the list key — not a run ending with unfinished jobs.
#[test]
fn dependency_cycle_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jobs.csv");
    let err = |text: &str| csv_error(&path, text);
    let cycle = |ids: &str| {
        format!("jobs {ids} depend on each other in a cycle (each waits for the next): none of them could ever start")
    };
    let at = |line: u64, m: &str| format!("{}:{line}: column `deps`: {m}", path.display());
    assert_eq!(err("submit,runtime,deps\n0,10,2\n1,10,1\n"), at(2, &cycle("1 -> 2 -> 1")));
    // Job 1 only waits for the cycle 2 -> 4 -> 3 -> 2, which is named from its first listed job (line 3).
    assert_eq!(
        err("id,submit,runtime,deps\n1,0,10,2\n2,0,10,4\n3,0,10,2\n4,0,10,3 1\n"),
        at(3, &cycle("2 -> 4 -> 3 -> 2"))
    );
    assert_eq!(err("id,submit,runtime,deps\n1,0,10,\n7,0,10,7\n"), at(3, "job 7 depends on itself"));
    // Inline lists: the same check, naming the key of the cycle's first job.
    let inline = "name = \"c\"\n[[cluster.pools]]\nname = \"p\"\ncount = 1\ncpu = 1\n[workload]\ntype = \"list\"\n\
                  jobs = [{ id = 1, submit = 0, runtime = 10 }, { id = 2, submit = 5, runtime = 10, deps = [3] },\n\
                  { id = 3, submit = 6, runtime = 10, deps = [2] }]\n";
    let expected = format!("c: key `workload.jobs[1].deps`: {}", cycle("2 -> 3 -> 2"));
    assert_eq!(Scenario::parse(inline).unwrap().build_workload(1).unwrap_err().to_string(), expected);
    let acyclic = inline.replace("deps = [2]", "deps = [1]");
    assert_eq!(run_toml(&acyclic).output.records.len(), 3);
}

/// Two jobs with one id would make `deps` ambiguous (it used to bind to the last): always an error
/// naming both rows, including an explicit id equal to another row's default (its row number).
#[test]
fn duplicate_job_ids_are_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jobs.csv");
    let err = |text: &str| csv_error(&path, text);
    let at = |line: u64, m: &str| format!("{}:{line}: column `id`: {m}", path.display());
    assert_eq!(
        err("id,submit,runtime,deps\n1,0,10,\n1,5,10,\n2,6,10,1\n"),
        at(3, "job id 1 is given twice, by line 2 and line 3; ids must be unique")
    );
    // Row 2 has no id, so it is job 2, like the explicit id of row 3 (line 5: a comment line comes first).
    assert_eq!(
        err("id,submit,runtime\n1,0,10\n,0,10\n# comment\n2,0,10\n"),
        at(5, "job id 2 is given twice, by line 3 and line 5; ids must be unique")
    );
    let inline = "name = \"d\"\n[[cluster.pools]]\nname = \"p\"\ncount = 1\ncpu = 1\n[workload]\ntype = \"list\"\n\
                  jobs = [{ id = 1, submit = 0, runtime = 10 }, { id = 1, submit = 5, runtime = 10 }]\n";
    assert_eq!(
        Scenario::parse(inline).unwrap().build_workload(1).unwrap_err().to_string(),
        "d: key `workload.jobs[1].id`: job id 1 is given twice, by workload.jobs[0] and workload.jobs[1]; ids must be unique"
    );
}

/// An error found when the rows become jobs (here a think time without `deps`) names the row's line
/// and column like the others (it used to say `FILE:0: FILE[0].think`).
#[test]
fn csv_list_errors_name_the_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jobs.csv");
    assert_eq!(
        csv_error(&path, "submit,runtime,think\n0,10,\n1,10,5\n"),
        format!("{}:3: column `think`: a think time needs `deps` to count from", path.display())
    );
}

/// A row's line counts the comment and blank lines above it (the csv crate's own count leaves them
/// out), for the header too: here the bad row is on line 6, the unknown column on line 3.
#[test]
fn csv_error_lines_count_comment_and_blank_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jobs.csv");
    let err = |text: &str| csv_error(&path, text);
    let at = |line: u64, m: &str| format!("{}:{line}: {m}", path.display());
    assert_eq!(err("submit,runtime\r\n0,1\r\n# comment\r\n\r\n\r\n5,2,7\r\n"), at(6, "expected 2 fields, found 3"));
    assert!(err("# comment\n\nsubmit,runtime,colour\n").starts_with(&at(3, "unknown column 3 `colour`")));
    std::fs::write(&path, "submit,runtime,user\n0,1,a\n# comment\n1,2,\u{e9}\n").unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    let last = bytes.len() - 2;
    bytes[last] = 0xff; // not UTF-8
    assert_eq!(csv_error(&path, &bytes), at(4, "field 3 is not valid UTF-8 text"));
}
