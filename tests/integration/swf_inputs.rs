//! What the SWF reader refuses or reports about its input (audit of issue 3): values out of range or not
//! whole, field counts, the first line skipped for each reason, notes on the input as a whole (a header
//! record count the file does not match, dependencies dropped), duplicate job numbers with dependencies,
//! `node_cores` that do not divide `MaxProcs`, how `trace stats` finds the machine and a CSV's tiers;
//! and (issue 16) the input limits of both readers and the note on jobs convention P rewrites.

use super::util::clustersim;
use clustersim::workloads::stats::trace_stats;
use clustersim::workloads::swf::{Convention, OnBadLine, SwfOptions, read_swf};
use predicates::prelude::*;
use std::path::{Path, PathBuf};

/// Writes `text` as `name` in a new temporary folder.
fn write(name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

const HEAD: &str = "; MaxProcs: 4\n";
/// A good one-processor job line: number, submit.
fn job(number: u32, submit: u32) -> String {
    format!("{number} {submit} 0 100 1 -1 -1 1 200 -1 1 1 1 -1 -1 -1 -1 -1\n")
}

/// A trace of one good job, then `line` (line 3), then another good job.
fn around(line: &str) -> String {
    format!("{HEAD}{}{line}\n{}", job(1, 0), job(3, 20))
}

/// The reader's error message for the trace, and its line.
fn error_of(text: &str, opts: &SwfOptions) -> (u64, String) {
    let (_dir, path) = write("t.swf", text);
    match read_swf(&path, opts).unwrap_err() {
        clustersim::Error::Trace { line, message, .. } => (line, message),
        other => panic!("unexpected error {other}"),
    }
}

fn skip() -> SwfOptions {
    SwfOptions { on_bad_line: OnBadLine::Skip, ..Default::default() }
}

/// (reason, count, first line) of a read.
fn skips(text: &str, opts: &SwfOptions) -> Vec<(String, u64, Option<u64>)> {
    let (_dir, path) = write("t.swf", text);
    let (w, _) = read_swf(&path, opts).unwrap();
    let s = &w.skipped;
    s.reasons.iter().enumerate().map(|(i, (r, n))| (r.clone(), *n, s.first_line(i))).collect()
}

#[test]
fn swf_out_of_range_submit_is_a_malformed_line() {
    let huge = around("2 99999999999999999999999 0 100 1 -1 -1 1 200 -1 1 1 1 -1 -1 -1 -1 -1");
    let e = error_of(&huge, &SwfOptions::default());
    assert_eq!(e, (3, "field 2 (submit time) is out of range: 1e23 (at most 4611686018427)".into()));
    let e300 = around("2 1e300 0 100 1 -1 -1 1 200 -1 1 1 1 -1 -1 -1 -1 -1");
    assert_eq!(
        error_of(&e300, &SwfOptions::default()).1,
        "field 2 (submit time) is out of range: 1e300 (at most 4611686018427)"
    );
    // skipped and counted like any malformed line, under either convention
    assert_eq!(skips(&huge, &skip()), vec![("malformed line".into(), 1, Some(3))]);
    let plain = SwfOptions { convention: Convention::Plain, ..skip() };
    assert_eq!(skips(&e300, &plain), vec![("malformed line".into(), 1, Some(3))]);
    // other fields: a run time, a processor count beyond u32, a user number beyond 2^53
    let run = around("2 10 0 1e20 1 -1 -1 1 200 -1 1 1 1 -1 -1 -1 -1 -1");
    assert_eq!(
        error_of(&run, &SwfOptions::default()).1,
        "field 4 (run time) is out of range: 1e20 (at most 4611686018427)"
    );
    let procs = around("2 10 0 100 4294967296 -1 -1 1 200 -1 1 1 1 -1 -1 -1 -1 -1");
    assert_eq!(
        error_of(&procs, &SwfOptions::default()).1,
        "field 5 (allocated processors) is out of range: 4294967296 (at most 4294967295)"
    );
    let user = around("2 10 0 100 1 -1 -1 1 200 -1 1 12345678901234567890 1 -1 -1 -1 -1 -1");
    assert_eq!(
        error_of(&user, &SwfOptions::default()).1,
        "field 12 (user) is out of range: 1.2345678901234567e19 (at most 9007199254740992)"
    );
    // the largest time a field may give still reads
    let edge = around("2 4611686018427 0 100 1 -1 -1 1 200 -1 1 1 1 -1 -1 -1 -1 -1");
    assert!(skips(&edge, &SwfOptions::default()).is_empty());
}

#[test]
fn swf_fractional_processors_are_a_malformed_line() {
    let alloc = around("2 10 0 100 1.5 -1 -1 -1 200 -1 1 1 1 -1 -1 -1 -1 -1");
    assert_eq!(
        error_of(&alloc, &SwfOptions::default()),
        (3, "field 5 (allocated processors) is not a whole number: 1.5".into())
    );
    let requested = around("2 10 0 100 2 -1 -1 2.25 200 -1 1 1 1 -1 -1 -1 -1 -1");
    let plain = SwfOptions { convention: Convention::Plain, ..Default::default() };
    assert_eq!(error_of(&requested, &plain).1, "field 8 (requested processors) is not a whole number: 2.25");
    assert_eq!(skips(&alloc, &skip()), vec![("malformed line".into(), 1, Some(3))]);
    // a whole number written with a point is a whole number
    assert!(skips(&around("2 10 0 100 2.0 -1 -1 2 200 -1 1 1 1 -1 -1 -1 -1 -1"), &skip()).is_empty());
}

#[test]
fn swf_negative_think_time_or_preceding_job_other_than_minus_one_is_malformed() {
    let think = around("2 10 0 100 1 -1 -1 1 200 -1 1 1 1 -1 -1 -1 1 -1.5");
    assert_eq!(
        error_of(&think, &SwfOptions::default()),
        (3, "field 18 (think time) is negative: -1.5 (expected -1 when there is none)".into())
    );
    let preceding = around("2 10 0 100 1 -1 -1 1 200 -1 1 1 1 -1 -1 -1 -2 0");
    assert_eq!(
        error_of(&preceding, &SwfOptions::default()).1,
        "field 17 (preceding job) is negative: -2 (expected -1 when there is none)"
    );
    // checked whether or not dependencies are read; -1 means none
    let deps = SwfOptions { dependencies: true, ..skip() };
    assert_eq!(skips(&think, &deps), vec![("malformed line".into(), 1, Some(3))]);
    assert!(skips(&around("2 10 0 100 1 -1 -1 1 200 -1 1 1 1 -1 -1 -1 -1 -1"), &deps).is_empty());
}

#[test]
fn swf_too_many_fields_says_how_many() {
    let twenty = around("2 10 0 100 1 -1 -1 1 200 -1 1 1 1 -1 -1 -1 -1 -1 7 8");
    assert_eq!(error_of(&twenty, &SwfOptions::default()), (3, "expected 18 fields, found 20".into()));
    // a long extra token takes the byte-by-byte path
    let nineteen = around("2 10 0 100 1 -1 -1 1 200 -1 1 1 1 -1 -1 -1 -1 -1 x1.5");
    assert_eq!(error_of(&nineteen, &SwfOptions::default()).1, "expected 18 fields, found 19");
}

#[test]
fn plain_convention_does_not_call_a_negative_submit_time_unknown() {
    let text = format!(
        "{HEAD}{}{}{}{}",
        job(1, 0),
        "2 -5 0 100 1 -1 -1 1 200 -1 1 1 1 -1 -1 -1 -1 -1\n",
        "3 -1 0 100 1 -1 -1 1 200 -1 1 1 1 -1 -1 -1 -1 -1\n",
        "4 -7 0 100 1 -1 -1 1 200 -1 1 1 1 -1 -1 -1 -1 -1\n",
    );
    let plain = SwfOptions { convention: Convention::Plain, ..Default::default() };
    assert_eq!(
        skips(&text, &plain),
        vec![("submit time negative".into(), 2, Some(3)), ("submit time unknown (-1)".into(), 1, Some(4))]
    );
}

/// Each skip reason carries the line of its first skipped line, in the run's summary and its manifest.
#[test]
fn skipped_lines_name_the_first_line_per_reason() {
    let text = format!(
        "{HEAD}{}{}; a comment\n\n{}{}{}",
        job(1, 0),
        "2 10 0 x 1 -1 -1 1 200 -1 1 1 1 -1 -1 -1 -1 -1\n", // line 3
        "3 20 0 100 -1 -1 -1 -1 200 -1 1 1 1 -1 -1 -1 -1 -1\n", // line 6
        "4 30 0 100 1 -1 -1 1 200 -1 1 1 1 -1 -1 -1 -1\n",  // line 7
        job(5, 40)
    );
    let plain = SwfOptions { convention: Convention::Plain, ..skip() };
    assert_eq!(
        skips(&text, &plain),
        vec![("malformed line".into(), 2, Some(3)), ("processors unknown (-1)".into(), 1, Some(6))]
    );
    let (dir, _) = write("t.swf", &text);
    let scenario = dir.path().join("s.toml");
    std::fs::write(
        &scenario,
        "name = \"s\"\n[workload]\ntype = \"swf\"\npath = \"t.swf\"\nconvention = \"plain\"\non_bad_line = \"skip\"\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    clustersim().arg("run").arg(&scenario).arg("--out").arg(&out).arg("--no-charts").assert().success().stdout(
        predicate::str::contains(
            "input lines skipped 3: 2 malformed line (first: line 3), 1 processors unknown (-1) (first: line 6)",
        ),
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(
        manifest["skipped_input"],
        serde_json::json!([
            {"reason": "malformed line", "count": 2, "first_line": 3},
            {"reason": "processors unknown (-1)", "count": 1, "first_line": 6},
        ])
    );
    assert_eq!(manifest["input_notes"], serde_json::json!([]));
}

/// A trace whose header says `MaxRecords: records` followed by `jobs` job lines.
fn counted(records: u32, jobs: u32) -> String {
    let lines: String = (1..=jobs).map(|i| job(i, 10 * i)).collect();
    format!("; MaxJobs: {records}\n; MaxRecords: {records}\n{HEAD}{lines}")
}

#[test]
fn max_records_that_the_file_does_not_match_is_an_input_note() {
    let note = "header says MaxRecords 5 but the file has 3 job lines (truncated or edited?)";
    let (dir, path) = write("cut.swf", &counted(5, 3));
    let (w, _) = read_swf(&path, &SwfOptions::default()).unwrap();
    assert_eq!(w.skipped.notes, vec![note.to_string()]);
    // filters leave the count of job lines alone: no note for a complete file, the same one for a cut file
    let (_d, whole) = write("whole.swf", &counted(3, 3));
    let first = SwfOptions { first_jobs: Some(1), drop_oversized: true, ..Default::default() };
    assert!(read_swf(&whole, &first).unwrap().0.skipped.notes.is_empty());
    assert_eq!(read_swf(&path, &first).unwrap().0.skipped.notes, vec![note.to_string()]);
    // MaxJobs alone: fewer lines than jobs is a note, more is not (partial-execution records)
    let (_d, jobs_only) = write("j.swf", &format!("; MaxJobs: 4\n{HEAD}{}", job(1, 0)));
    let notes = read_swf(&jobs_only, &SwfOptions::default()).unwrap().0.skipped.notes;
    assert_eq!(notes, vec!["header says MaxJobs 4 but the file has 1 job lines (truncated or edited?)".to_string()]);
    let (_d, more) = write("m.swf", &format!("; MaxJobs: 1\n{HEAD}{}{}", job(1, 0), job(2, 5)));
    assert!(read_swf(&more, &SwfOptions::default()).unwrap().0.skipped.notes.is_empty());
    // a cleaned log may keep the original log's MaxRecords: the jobs its filters removed make up the
    // difference (HPC2N's cleaned version: 527,371 records less 324,495 removed = 202,876 lines)
    let cleaned = |records: u32| {
        format!(
            "; MaxRecords: {records}\n; Note: THIS IS A CLEANED VERSION OF THE LOG!\n;       The filters used to produce it were\n\
             ;         user=2 (4 jobs removed)\n;         user=60 and (job>=2) (3 jobs removed)\n{HEAD}{}{}",
            job(1, 0),
            job(2, 5)
        )
    };
    let (_d, cleaned_log) = write("c.swf", &cleaned(9));
    assert!(read_swf(&cleaned_log, &SwfOptions::default()).unwrap().0.skipped.notes.is_empty());
    let (_d, cleaned_log) = write("c.swf", &cleaned(2));
    assert!(read_swf(&cleaned_log, &SwfOptions::default()).unwrap().0.skipped.notes.is_empty());
    let (_d, cut_cleaned) = write("c.swf", &cleaned(10));
    assert_eq!(
        read_swf(&cut_cleaned, &SwfOptions::default()).unwrap().0.skipped.notes,
        vec![
            "header says MaxRecords 10, less 7 jobs removed by its cleaning filters, but the file has 2 job lines \
             (truncated or edited?)"
                .to_string()
        ]
    );
    // trace stats lists it; a run warns on stderr and stores it in the manifest
    assert!(
        trace_stats(&path, &SwfOptions::default()).unwrap().to_string().contains(&format!("note           {note}"))
    );
    let scenario = dir.path().join("s.toml");
    std::fs::write(&scenario, "name = \"s\"\n[workload]\ntype = \"swf\"\npath = \"cut.swf\"\n").unwrap();
    assert_run_notes(dir.path(), &scenario, "cut.swf", note);
}

/// Runs `scenario` (reading `trace`, both in `dir`) and checks that the run warns of `note` on stderr,
/// even with `--quiet`, and stores it in its manifest as its only input note.
fn assert_run_notes(dir: &Path, scenario: &Path, trace: &str, note: &str) {
    let out = dir.join("out");
    clustersim()
        .arg("run")
        .arg(scenario)
        .arg("--out")
        .arg(&out)
        .args(["--no-charts", "--quiet"])
        .assert()
        .success()
        .stderr(predicate::str::contains(format!("warning: {}: {note}", dir.join(trace).display())));
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["input_notes"], serde_json::json!([note]));
}

/// Job 2 follows job 1; job 3 follows job 99 (not in the trace); job 4 (8 processors on a machine of 4)
/// is followed by job 5; job 6 follows job 7, which comes later.
const DEPS: &str = "\
; MaxProcs: 4
1  0 0 100 1 -1 -1 1 200 -1 1 1 1 -1 -1 -1 -1 -1
2 10 0  50 1 -1 -1 1 200 -1 1 1 1 -1 -1 -1  1 50
3 20 0  50 1 -1 -1 1 200 -1 1 1 1 -1 -1 -1 99 10
4 30 0  50 8 -1 -1 8 200 -1 1 1 1 -1 -1 -1 -1 -1
5 40 0  50 1 -1 -1 1 200 -1 1 1 1 -1 -1 -1  4 0
6 45 0  50 1 -1 -1 1 200 -1 1 1 1 -1 -1 -1  7 0
7 46 0  50 1 -1 -1 1 200 -1 1 1 1 -1 -1 -1 -1 -1
";

#[test]
fn dropped_dependencies_are_counted_in_an_input_note() {
    let (_dir, path) = write("t.swf", DEPS);
    let read = |opts: SwfOptions| read_swf(&path, &SwfOptions { dependencies: true, ..opts }).unwrap().0;
    // job 3 (unknown preceding job) and job 6 (a later one) lose their dependency
    // (job 4, larger than the machine, is clamped to it by convention P: a note of its own)
    let clamped =
        "1 job rewritten by convention P: 1 with more processors than the machine, clamped to it (first: line 5)";
    let w = read(SwfOptions::default());
    assert_eq!(
        w.skipped.notes,
        vec!["2 dependencies dropped: preceding job not in the workload (first: line 4)", clamped]
    );
    let deps: Vec<&[u32]> = w.jobs.iter().map(|j| j.deps()).collect();
    assert_eq!(deps, vec![&[][..], &[0], &[], &[], &[3], &[], &[]]);
    // filtered out: job 4 by drop_oversized (then job 5 loses its dependency), job 1 by `start`
    let w = read(SwfOptions { convention: Convention::Plain, drop_oversized: true, ..Default::default() });
    assert_eq!(w.skipped.notes, vec!["3 dependencies dropped: preceding job not in the workload (first: line 4)"]);
    let w = read(SwfOptions { start: Some(5_000_000), first_jobs: Some(1), ..Default::default() });
    assert_eq!(w.skipped.notes, vec!["1 dependency dropped: preceding job not in the workload (first: line 3)"]);
    // without dependencies, nothing is dropped
    let w = read_swf(&path, &SwfOptions::default()).unwrap().0;
    assert_eq!(w.skipped.notes, vec![clamped]);
}

#[test]
fn duplicate_job_numbers_with_dependencies_are_an_error_naming_both_lines() {
    let text = format!("{HEAD}{}{}{}", job(1, 0), job(1, 5), "3 10 0 50 1 -1 -1 1 200 -1 1 1 1 -1 -1 -1 1 0\n");
    let deps = SwfOptions { dependencies: true, ..Default::default() };
    assert_eq!(
        error_of(&text, &deps),
        (3, "job number 1 already on line 2 (with dependencies = true, job numbers must be unique)".into())
    );
    // skipped and counted; the dependency binds to the first job 1
    let (_dir, path) = write("t.swf", &text);
    let (w, _) = read_swf(&path, &SwfOptions { on_bad_line: OnBadLine::Skip, ..deps.clone() }).unwrap();
    assert_eq!(w.skipped.reasons, vec![("duplicate job number (dependencies = true)".to_string(), 1)]);
    assert_eq!(w.skipped.first_line(0), Some(3));
    assert_eq!((w.jobs.len(), w.jobs[1].deps()), (2, &[0][..]));
    // without dependencies job numbers are not used: both jobs are read
    assert_eq!(read_swf(&path, &SwfOptions::default()).unwrap().0.jobs.len(), 3);
}

#[test]
fn nodes_machine_needs_node_cores_dividing_max_procs() {
    let (dir, _) = write("t.swf", &format!("; MaxProcs: 8\n{}", job(1, 0)));
    let scenario = |cores: u32| {
        let path = dir.path().join(format!("n{cores}.toml"));
        std::fs::write(
            &path,
            format!(
                "name = \"n\"\n[workload]\ntype = \"swf\"\npath = \"t.swf\"\nmachine = \"nodes\"\nnode_cores = {cores}\n"
            ),
        )
        .unwrap();
        path
    };
    clustersim().arg("validate").arg(scenario(3)).assert().code(2).stderr(
        predicate::str::contains("workload.node_cores: 3 cores per node do not divide the trace's 8 processors").and(
            predicate::str::contains("choose a divisor of 8 (1, 2, 4, 8), or give the cluster as [[cluster.pools]]"),
        ),
    );
    clustersim().arg("validate").arg(scenario(4)).assert().success();
}

#[test]
fn trace_stats_needs_a_machine_it_can_name() {
    let (dir, path) = write("h0.swf", &format!("{}{}", job(1, 0), job(2, 10)));
    let stats = |args: &[&str], file: &Path| clustersim().args(["trace", "stats"]).arg(file).args(args).assert();
    stats(&["--procs", "0"], &path).code(2).stderr(predicate::str::contains("invalid value '0' for '--procs"));
    stats(&[], &path).code(2).stderr(predicate::str::contains(
        "h0.swf:1: convention P clamps processors to the machine, but the header has no MaxProcs \
         (give the machine's processors with `--procs N`)",
    ));
    stats(&["--procs", "4"], &path).success().stdout(predicate::str::contains("machine        4 processors"));
    // a file that is no trace fails on its first line, not on its missing header
    let readme = dir.path().join("README.md");
    std::fs::write(&readme, "# Workloads\n\nThese traces ...\n").unwrap();
    stats(&[], &readme)
        .code(2)
        .stderr(predicate::str::contains("README.md:1: field 1 (job number) is not a number: `#`"));
    let gz = dir.path().join("jobs.data");
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut encoder, b"submit,runtime,cpu\n0,10,1\n").unwrap();
    std::fs::write(&gz, encoder.finish().unwrap()).unwrap();
    stats(&[], &gz).code(2).stderr(predicate::str::contains("jobs.data:1: field 1 (job number) is not a number"));
    // a MaxProcs value that is not a processor count is named with its line
    for (value, shown) in [("abc", "abc"), ("0", "0")] {
        let (_d, bad) = write("h.swf", &format!("; Computer: x\n; MaxProcs: {value}\n{}", job(1, 0)));
        stats(&[], &bad).code(2).stderr(predicate::str::contains(format!(
            "h.swf:2: header line `MaxProcs: {shown}`: expected a number of processors >= 1"
        )));
    }
}

#[test]
fn trace_stats_reads_a_csv_list_with_named_tiers() {
    let csv = "id,submit,runtime,tier\n1,0,100,prod\n2,10,50,0\n3,20,30,batch\n4,30,20,prod\n";
    let (_dir, path) = write("j.csv", csv);
    let stats = |args: &[&str]| clustersim().args(["trace", "stats"]).arg(&path).args(args).assert();
    // without a scenario, names come after the tier numbers, in the order they first appear
    stats(&[]).success().stdout(
        predicate::str::contains("jobs           4")
            .and(predicate::str::contains("jobs by tier   0: 1, prod: 2, batch: 1")),
    );
    // --tiers numbers them as the scenario's `tiers` does (lowest first)
    stats(&["--tiers", "batch,prod"]).success().stdout(predicate::str::contains("jobs by tier   batch: 2, prod: 2"));
    stats(&["--tiers", "batch"]).code(2).stderr(predicate::str::contains("`prod` is not a tier number"));
}

// Issue 16, defects 10, 11 and 16 (SWF half): inputs that hung or aborted a reader, a byte-order mark
// that hid the header, and convention-P rewrites that left no trace.

/// The message of a line longer than the limit.
const TOO_LONG: &str = "line longer than 1 MiB, the most a line may have";

/// A scenario in `dir` reading `path` as `kind` ("swf" or "csv"), with one 4-core node unless `pools`
/// is false (an SWF trace then gives the cluster from its header).
fn input_scenario(dir: &Path, kind: &str, path: &Path, pools: bool) -> PathBuf {
    let cluster = if pools { "[[cluster.pools]]\nname = \"p\"\ncount = 1\ncpu = 4\n" } else { "" };
    let text =
        format!("name = \"in\"\n{cluster}[workload]\ntype = \"{kind}\"\npath = {:?}\n", path.display().to_string());
    let scenario = dir.join(format!("{kind}-{pools}.toml"));
    std::fs::write(&scenario, text).unwrap();
    scenario
}

/// `clustersim ARGS` with a wall-clock bound: a reader that hangs fails the test instead of stalling it.
fn bounded(args: &[&std::ffi::OsStr]) -> assert_cmd::assert::Assert {
    clustersim().args(args).timeout(std::time::Duration::from_secs(120)).assert()
}

#[cfg(unix)]
#[test]
fn swf_trace_path_of_dev_zero_is_an_error_at_line_1_not_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    let zero = Path::new("/dev/zero");
    // the trace's own job lines (a cluster is given) ...
    let with_pools = input_scenario(dir.path(), "swf", zero, true);
    let out = dir.path().join("out");
    bounded(&["run".as_ref(), with_pools.as_os_str(), "--out".as_ref(), out.as_os_str(), "-q".as_ref()])
        .failure()
        .stderr(predicate::str::contains(format!("/dev/zero:1: {TOO_LONG}")));
    assert!(!out.exists(), "nothing is written");
    // ... and its header, read for the cluster when none is given
    let from_header = input_scenario(dir.path(), "swf", zero, false);
    bounded(&["validate".as_ref(), from_header.as_os_str()])
        .code(2)
        .stderr(predicate::str::contains(format!("workload.path: /dev/zero:1: {TOO_LONG}")));
    let stats: [&std::ffi::OsStr; 5] =
        ["trace".as_ref(), "stats".as_ref(), zero.as_os_str(), "--procs".as_ref(), "4".as_ref()];
    bounded(&stats).failure().stderr(predicate::str::contains(format!("/dev/zero:1: {TOO_LONG}")));
}

#[cfg(unix)]
#[test]
fn csv_job_list_path_of_dev_zero_is_an_error_at_line_1_not_an_abort() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = input_scenario(dir.path(), "csv", Path::new("/dev/zero"), true);
    let out = dir.path().join("out");
    bounded(&["run".as_ref(), scenario.as_os_str(), "--out".as_ref(), out.as_os_str(), "-q".as_ref()])
        .failure()
        .stderr(
            predicate::str::contains(format!("/dev/zero:1: {TOO_LONG}"))
                .and(predicate::str::contains("memory allocation").not()),
        );
    // `trace stats` of a CSV list (named by its extension) first looks for its tier names
    let list = dir.path().join("zero.csv");
    std::os::unix::fs::symlink("/dev/zero", &list).unwrap();
    bounded(&["trace".as_ref(), "stats".as_ref(), list.as_os_str()])
        .failure()
        .stderr(predicate::str::contains(format!("zero.csv:1: {TOO_LONG}")));
}

#[test]
fn lines_longer_than_1_mib_are_an_error_naming_their_line() {
    use clustersim::workloads::csv_jobs::read_csv_jobs;
    use clustersim::workloads::lines::MAX_LINE;
    use clustersim::workloads::swf::read_header;
    // a comment of exactly the limit reads; one byte more does not
    let longest = format!(";{}\n", "x".repeat(MAX_LINE - 1));
    let longer = format!(";{}\n", "x".repeat(MAX_LINE));
    let (_d, path) = write("t.swf", &format!("{HEAD}{}{longest}{}{longer}{}", job(1, 0), job(2, 5), job(3, 9)));
    match read_swf(&path, &SwfOptions::default()).unwrap_err() {
        clustersim::Error::Trace { line, message, .. } => assert_eq!((line, message.starts_with(TOO_LONG)), (5, true)),
        other => panic!("unexpected error {other}"),
    }
    let (_d, fine) = write("t.swf", &format!("{HEAD}{}{longest}{}", job(1, 0), job(2, 5)));
    assert_eq!(read_swf(&fine, &SwfOptions::default()).unwrap().0.jobs.len(), 2);
    // in the header, read on its own
    let (_d, head) = write("h.swf", &format!("; Computer: x\n{longer}{HEAD}{}", job(1, 0)));
    let e = read_header(&head).unwrap_err().to_string();
    assert!(e.ends_with(&format!("h.swf:2: {TOO_LONG} (is the file text?)")), "{e}");
    // in a CSV job list: a comment line of the limit reads, a row longer is an error at its line
    let csv = format!("submit,runtime\n0,10\n#{}\n5,10\n{}\n", "x".repeat(MAX_LINE - 1), "7".repeat(MAX_LINE + 1));
    let (_d, list) = write("j.csv", &csv);
    match read_csv_jobs(&list, &[], OnBadLine::Skip).unwrap_err() {
        clustersim::Error::Trace { line, message, .. } => assert_eq!((line, message.starts_with(TOO_LONG)), (5, true)),
        other => panic!("unexpected error {other}"),
    }
    let (_d, list) = write("j.csv", &format!("submit,runtime\n0,10\n#{}\n5,10\n", "x".repeat(MAX_LINE - 1)));
    assert_eq!(read_csv_jobs(&list, &[], OnBadLine::Error).unwrap().jobs.len(), 2);
}

/// The UTF-8 byte-order mark some editors write at the start of a text file.
const BOM: &str = "\u{feff}";

#[test]
fn a_utf8_byte_order_mark_before_the_swf_header_is_skipped() {
    use clustersim::workloads::swf::read_header;
    let text = format!("{BOM}{HEAD}{}{}", job(1, 0), job(2, 5));
    let (dir, path) = write("t.swf", &text);
    assert_eq!(read_header(&path).unwrap().max_procs, Some(4));
    let (w, header) = read_swf(&path, &SwfOptions::default()).unwrap();
    assert_eq!((w.jobs.len(), header.max_procs, w.skipped.total()), (2, Some(4), 0));
    // the cluster comes from that header (it had "no MaxProcs (or MaxNodes) header line")
    let scenario = input_scenario(dir.path(), "swf", Path::new("t.swf"), false);
    clustersim().arg("validate").arg(&scenario).assert().success();
    // in a gzip file too; a bad line is still named by its own number
    let gz = dir.path().join("t.swf.gz");
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut encoder, format!("{text}x\n").as_bytes()).unwrap();
    std::fs::write(&gz, encoder.finish().unwrap()).unwrap();
    let (w, header) = read_swf(&gz, &skip()).unwrap();
    assert_eq!((w.jobs.len(), header.max_procs), (2, Some(4)));
    assert_eq!(w.skipped.items(), ["1 malformed line (first: line 4)"]);
}

#[test]
fn a_utf8_byte_order_mark_before_the_csv_header_is_skipped() {
    use clustersim::workloads::csv_jobs::read_csv_jobs;
    let (_d, path) = write("j.csv", &format!("{BOM}submit,runtime\n0,10\n5,x\n"));
    // the first column is `submit`, not an unknown column; lines keep their numbers
    let e = read_csv_jobs(&path, &[], OnBadLine::Error).unwrap_err().to_string();
    assert!(e.starts_with(&format!("{}:3: column `runtime`", path.display())), "{e}");
    let w = read_csv_jobs(&path, &[], OnBadLine::Skip).unwrap();
    assert_eq!((w.jobs.len(), w.skipped.items()), (1, vec!["1 malformed line (first: line 3)".to_string()]));
}

#[test]
fn convention_p_rewrites_of_degenerate_jobs_are_counted_in_an_input_note() {
    let text = format!(
        "{HEAD}{}{}{}{}{}{}",
        job(1, 0),
        "2 -5 0 100 1 -1 -1 1 200 -1 1 1 1 -1 -1 -1 -1 -1\n", // line 3: submitted before the trace starts
        "3 10 0 100 0 -1 -1 1 200 -1 1 1 1 -1 -1 -1 -1 -1\n", // line 4: no processors
        "4 20 0 0 1 -1 -1 1 200 -1 5 1 1 -1 -1 -1 -1 -1\n",   // line 5: never ran
        "5 30 0 100 8 -1 -1 8 200 -1 1 1 1 -1 -1 -1 -1 -1\n", // line 6: 8 processors on a machine of 4
        "6 40 0 -1 1 -1 -1 1 200 -1 5 1 1 -1 -1 -1 -1 -1\n",  // line 7: never ran
    );
    let note = "5 jobs rewritten by convention P: 1 with submit time < 0, made 1 s jobs submitted at 1 s (first: line 3); \
                1 with allocated processors <= 0, made 1-processor 1 s jobs (first: line 4); 2 with run time <= 0, made \
                1 s jobs (first: line 5); 1 with more processors than the machine, clamped to it (first: line 6)";
    let (dir, path) = write("t.swf", &text);
    let (w, _) = read_swf(&path, &SwfOptions::default()).unwrap();
    assert_eq!((w.jobs.len(), w.skipped.total(), w.skipped.notes.clone()), (6, 0, vec![note.to_string()]));
    // jobs skipped before the convention are not rewritten; the plain convention rewrites nothing
    let dropped = SwfOptions { drop_zero_runtime: true, drop_oversized: true, ..Default::default() };
    let notes = read_swf(&path, &dropped).unwrap().0.skipped.notes;
    let kept = "2 jobs rewritten by convention P: 1 with submit time < 0, made 1 s jobs submitted at 1 s (first: line 3); \
                1 with allocated processors <= 0, made 1-processor 1 s jobs (first: line 4)";
    assert_eq!(notes, [kept]);
    let plain = SwfOptions { convention: Convention::Plain, ..Default::default() };
    assert!(read_swf(&path, &plain).unwrap().0.skipped.notes.is_empty());
    // a run warns and stores the note, as it does every input note; trace stats lists it
    let scenario = input_scenario(dir.path(), "swf", Path::new("t.swf"), false);
    assert_run_notes(dir.path(), &scenario, "t.swf", note);
    assert!(
        trace_stats(&path, &SwfOptions::default()).unwrap().to_string().contains(&format!("note           {note}"))
    );
}
