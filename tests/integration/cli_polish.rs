//! Command-line polish: `check` refuses results of other run settings, readable check report lines,
//! `validate` with one verdict per file that also reads the workload, all-invalid sweeps, unknown
//! `[sweep]` keys, and a failed `merge` that leaves nothing behind.

use super::util::clustersim;
use std::path::{Path, PathBuf};

/// Runs `clustersim ARGS`; returns (exit code, stdout, stderr).
fn cli(args: &[&str]) -> (i32, String, String) {
    let out = clustersim().args(args).output().unwrap();
    (out.status.code().unwrap(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn check_refuses_results_made_with_another_seed_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let sc = crate::check::tiny(dir.path());
    let base = dir.path().join("base");
    let (code, out, err) = cli(&["check", s(&sc), "--baseline", s(&base), "--update-baseline"]);
    assert_eq!(code, 0, "{out}{err}");
    let r7 = dir.path().join("r7");
    let (code, out, err) = cli(&["run", s(&sc), "-q", "--no-charts", "--seed", "7", "--out", s(&r7)]);
    assert_eq!(code, 0, "{out}{err}");
    // Same file, other seed: an error (exit 2) naming the setting, not a list of regressions.
    let (code, out, _) = cli(&["check", s(&sc), "--baseline", s(&base), "--results", s(&r7)]);
    assert_eq!(code, 2, "{out}");
    let expected = format!(
        "  error: the results in {} were made with other run settings than the baseline in {} (seed: `1` → `7`): \
         results would not be comparable; check results made with the scenario's own settings, refresh the baseline \
         with --update-baseline, or compare anyway with --allow-scenario-change\n",
        r7.display(),
        base.join("tiny").display()
    );
    assert!(out.contains(&expected), "{out}");
    assert!(!out.contains("REGRESSED"), "{out}");
    // Allowed: compared, the seed shown as a plain note (the listed jobs do not depend on it).
    let (code, out, _) =
        cli(&["check", s(&sc), "--baseline", s(&base), "--results", s(&r7), "--allow-scenario-change"]);
    assert_eq!(code, 0, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], format!("tiny ({} vs {})", sc.display(), base.join("tiny").display()));
    assert_eq!(lines[1], "  note: seed: `1` → `7`");
}

#[test]
fn check_names_a_scenario_that_does_not_parse_by_file() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write(dir.path(), "qs-bad.toml", "name = \"x\"\nthis is not toml\n");
    let (code, out, _) = cli(&["check", s(&bad), "--baseline", s(&dir.path().join("base"))]);
    assert_eq!(code, 2, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], format!("qs-bad ({})", bad.display()));
    assert!(lines[1].starts_with("  error: ") && lines[1].contains("line 2"), "{out}");
}

/// A two-node scenario whose workload of `kind` (`csv`, `swf`) reads `file` beside it.
fn file_scenario(dir: &Path, kind: &str, file: &str) -> PathBuf {
    let text = format!(
        "name = \"{kind}w\"\n[[cluster.pools]]\nname = \"n\"\ncount = 2\ncpu = 4\n[workload]\ntype = \"{kind}\"\npath = \"{file}\"\n"
    );
    write(dir, &format!("{kind}.toml"), &text)
}

#[test]
fn validate_gives_one_verdict_per_file_and_reads_the_workload() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let good = crate::check::tiny(d);
    let csv = file_scenario(d, "csv", "jobs.csv");
    write(d, "jobs.csv", "id,submit,runtime,cpu\n1,0,100,2\n2,5,abc,2\n");
    let swf = file_scenario(d, "swf", "t.swf");
    // 18 fields per job; line 3 has a run time that is not a number.
    write(
        d,
        "t.swf",
        "; MaxProcs: 8\n1 0 0 100 2 -1 -1 2 100 -1 1 1 1 -1 1 -1 -1 -1\n2 5 0 x 2 -1 -1 2 100 -1 1 1 1 -1 1 -1 -1 -1\n",
    );
    let unparsable = write(d, "broken.toml", "name = \n");
    let args = ["validate", s(&good), s(&csv), s(&swf), s(&unparsable), s(&good)];
    let (code, out, err) = cli(&args);
    assert_eq!(code, 2, "{out}{err}");
    // Every file gets its verdict, in order, even after a bad one.
    assert_eq!(out, format!("{}: ok\n{}: ok\n", good.display(), good.display()));
    let errs: Vec<&str> = err.lines().filter(|l| l.starts_with("error: ")).collect();
    assert_eq!(errs.len(), 4, "{err}");
    assert!(
        errs[0].starts_with(&format!("error: {}: workload: {}:3: ", csv.display(), d.join("jobs.csv").display())),
        "{err}"
    );
    assert!(
        errs[1].starts_with(&format!("error: {}: workload: {}:3: ", swf.display(), d.join("t.swf").display())),
        "{err}"
    );
    assert!(errs[2].starts_with(&format!("error: {}: ", unparsable.display())), "{err}");
    assert_eq!(errs[3], "error: 3 of 5 scenario files are invalid");
    // Fixed inputs validate, as they run.
    write(d, "jobs.csv", "id,submit,runtime,cpu\n1,0,100,2\n2,5,50,2\n");
    let (code, out, err) = cli(&["validate", s(&csv)]);
    assert_eq!((code, out.as_str()), (0, format!("{}: ok\n", csv.display()).as_str()), "{err}");
}

/// The tiny scenario with a `[sweep]` section.
fn tiny_sweep(dir: &Path, name: &str, sweep: &str) -> PathBuf {
    let text = std::fs::read_to_string(crate::check::tiny(dir)).unwrap();
    write(dir, name, &format!("{text}[sweep]\n{sweep}"))
}

#[test]
fn a_sweep_with_no_valid_configuration_stops_before_running() {
    let dir = tempfile::tempdir().unwrap();
    let sc = tiny_sweep(
        dir.path(),
        "all-bad.toml",
        "queue = [\"fifo\", \"srtf\"]\n\"workload.lod\" = [1, 2]\n\"policy.kill_at_estimate\" = [\"yes\"]\n",
    );
    let out = dir.path().join("out");
    let (code, stdout, err) = cli(&["run", s(&sc), "--out", s(&out)]);
    assert_eq!(code, 2, "{stdout}{err}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 3, "{err}");
    assert_eq!(
        lines[0],
        format!("error: {}: every one of the 4 sweep configuration(s) is invalid; nothing was run:", sc.display())
    );
    assert!(lines[1].starts_with("  `sweep.policy.kill_at_estimate` = yes: invalid type: string "), "{err}");
    assert_eq!(
        lines[2],
        "  `sweep.workload.lod` = 1, 2: unknown field `lod`, expected `jobs` or `tiers` in `workload`"
    );
    assert!(!out.exists(), "a sweep that ran nothing wrote {}", out.display());
    // One valid configuration is enough to run: the others fail by run id (exit 2), the valid one is written.
    let some = tiny_sweep(dir.path(), "some-bad.toml", "queue = [\"fifo\", \"nope\"]\n");
    let (code, _, err) = cli(&["run", s(&some), "-q", "--no-charts", "--out", s(&out)]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("1 of 2 run(s) failed") && err.contains("  c1-r0: queue=nope"), "{err}");
    assert_eq!(std::fs::read_to_string(out.join("summary.csv")).unwrap().lines().count(), 2);
}

#[test]
fn an_unknown_sweep_key_is_named_with_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let sc = tiny_sweep(dir.path(), "typo.toml", "replicatons = 3\nqueue = [\"fifo\", \"srtf\"]\n");
    for cmd in ["validate", "run"] {
        let (code, _, err) = cli(&[cmd, s(&sc), "--out", s(&dir.path().join("o"))][..if cmd == "run" { 4 } else { 2 }]);
        assert_eq!(code, 2, "{cmd}: {err}");
        assert!(
            err.contains("`sweep.replicatons`: unknown key (did you mean `replications`?); valid keys: replications, "),
            "{cmd}: {err}"
        );
        assert!(!err.contains("expected a list of values"), "{cmd}: {err}");
    }
}

/// The names in a directory, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

#[test]
fn a_failed_merge_leaves_nothing_that_looks_complete() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let sc = tiny_sweep(d, "sh.toml", "replications = 2\nqueue = [\"fifo\", \"srtf\"]\n");
    let shard = |k: usize| {
        let out = d.join(format!("shard-{k}"));
        let (code, _, err) = cli(&["run", s(&sc), "-q", "--shard", &format!("{k}/2"), "--out", s(&out)]);
        assert_eq!(code, 0, "{err}");
        out
    };
    let (s0, s1) = (shard(0), shard(1));
    // A new output directory: gone after the failure.
    let fresh = d.join("merged");
    let (code, _, err) = cli(&["merge", s(&s0), "--out", s(&fresh)]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("2 of 4 runs are missing"), "{err}");
    assert!(!fresh.exists(), "left {:?}", names(&fresh));
    // An existing directory keeps what it had, and nothing more.
    let kept = d.join("kept");
    std::fs::create_dir(&kept).unwrap();
    std::fs::write(kept.join("notes.txt"), "mine").unwrap();
    let (code, _, _) = cli(&["merge", s(&s0), "--out", s(&kept)]);
    assert_eq!(code, 2);
    assert_eq!(names(&kept), ["notes.txt"]);
    // Every shard: a complete merge.
    let (code, _, err) = cli(&["merge", s(&s0), s(&s1), "--out", s(&kept), "-q"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(names(&kept), ["comparison.csv", "manifest.json", "notes.txt", "runs", "summary.csv"]);
    assert_eq!(names(&kept.join("runs")), ["c0-r0", "c0-r1", "c1-r0", "c1-r1"]);
    // A failed merge into that complete study leaves it exactly as it was (it used to write the shard's
    // runs over the study's before failing: a mix).
    let before = std::fs::read(kept.join("runs/c0-r0/jobs.csv")).unwrap();
    // (a new file: the merged runs' files may be links to the shards')
    std::fs::remove_file(kept.join("runs/c0-r0/jobs.csv")).unwrap();
    std::fs::write(kept.join("runs/c0-r0/jobs.csv"), b"marker").unwrap();
    let (code, _, _) = cli(&["merge", s(&s0), "--out", s(&kept)]);
    assert_eq!(code, 2);
    assert_eq!(std::fs::read(kept.join("runs/c0-r0/jobs.csv")).unwrap(), b"marker");
    assert_eq!(names(&kept), ["comparison.csv", "manifest.json", "notes.txt", "runs", "summary.csv"]);
    let (code, _, err) = cli(&["merge", s(&s0), s(&s1), "--out", s(&kept), "-q"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(std::fs::read(kept.join("runs/c0-r0/jobs.csv")).unwrap(), before);
    assert_eq!(names(d).iter().filter(|n| n.contains(".tmp-")).count(), 0, "no staging folder left");
}

/// Regression: a sweep (like the shipped kth-sp2.toml) never said which trace lines it left out; the
/// counts were only in each run's manifest. Now the sweep prints them once, with the runs they cover,
/// the study's manifest and report carry them, and `validate` names them too.
#[test]
fn a_sweep_reports_the_input_lines_it_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // line 3: run time 0 (dropped and counted); line 4: not a number (skipped and counted)
    write(
        d,
        "t.swf",
        "; MaxProcs: 8\n1 0 0 100 2 -1 -1 2 100 -1 1 1 1 -1 1 -1 -1 -1\n2 5 0 0 2 -1 -1 2 100 -1 1 1 1 -1 1 -1 -1 -1\n\
         3 6 0 x 2 -1 -1 2 100 -1 1 1 1 -1 1 -1 -1 -1\n4 9 0 50 2 -1 -1 2 100 -1 1 1 1 -1 1 -1 -1 -1\n",
    );
    let sc = write(
        d,
        "s.toml",
        "name = \"skips\"\n[workload]\ntype = \"swf\"\npath = \"t.swf\"\ndrop_zero_runtime = true\non_bad_line = \"skip\"\n\
         [sweep]\nqueue = [\"fifo\", \"easy_backfill\"]\n",
    );
    let out_dir = d.join("out");
    let (code, out, err) = cli(&["run", s(&sc), "--out", s(&out_dir)]);
    assert_eq!(code, 0, "{out}{err}");
    let line = out.lines().find(|l| l.starts_with("input lines skipped")).unwrap_or_else(|| panic!("{out}"));
    assert!(line.starts_with("input lines skipped 2: ") && line.ends_with(" (all 2 runs)"), "{line}");
    assert!(line.contains("1 malformed line") && line.contains("1 run time <= 0"), "{line}");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out_dir.join("manifest.json")).unwrap()).unwrap();
    let reports = manifest["input_reports"].as_array().unwrap();
    assert_eq!(reports.len(), 1, "{manifest}");
    assert_eq!(reports[0]["runs"], serde_json::json!(["c0-r0", "c1-r0"]));
    assert_eq!(reports[0]["skipped_input"].as_array().unwrap().len(), 2);
    let html = std::fs::read_to_string(out_dir.join("report.html")).unwrap();
    assert!(html.contains("<dt>input</dt><dd>input lines skipped 2: "), "the report names the skips");
    let (code, out, _) = cli(&["validate", s(&sc)]);
    assert_eq!(code, 0);
    assert!(
        out.trim_end()
            .ends_with(") (input lines skipped 2: 1 run time <= 0 (first: line 3), 1 malformed line (first: line 4))"),
        "{out}"
    );
}

/// Regression: a value out of range (`load_scale = 0`) was named by its key only; the error now also
/// gives the line that sets it, as parse errors do. Unknown policy names too.
#[test]
fn a_wrong_value_is_named_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "t.swf", "; MaxProcs: 8\n1 0 0 100 2 -1 -1 2 100 -1 1 1 1 -1 1 -1 -1 -1\n");
    let sc = write(d, "s.toml", "name = \"s\"\n\n[workload]\ntype = \"swf\"\npath = \"t.swf\"\nload_scale = 0\n");
    let (code, _, err) = cli(&["validate", s(&sc)]);
    assert_eq!(code, 2);
    assert_eq!(
        err,
        format!(
            "error: {}: line 6, key `workload.load_scale`: expected a factor from 0.001 to 1000, found 0\n    6 | load_scale = 0\n",
            sc.display()
        )
    );
    let sc =
        write(d, "p.toml", "name = \"p\"\n[workload]\ntype = \"swf\"\npath = \"t.swf\"\n[policy]\nqueue = \"fifoo\"\n");
    let (code, _, err) = cli(&["validate", s(&sc)]);
    assert_eq!(code, 2);
    assert!(err.contains(": line 6, key `policy.queue`: unknown queue policy `fifoo` (valid names: "), "{err}");
    assert!(err.ends_with("\n    6 | queue = \"fifoo\"\n"), "{err}");
}

/// Regression: `run` on a scenario whose trace file is missing said only `error: nofile.csv: No such
/// file or directory`; it now names the scenario file and its key, as `validate` does, and a bad
/// trace line keeps its `FILE:LINE` after the scenario's name.
#[test]
fn a_missing_trace_is_named_with_the_scenario_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let sc = file_scenario(d, "csv", "nofile.csv");
    for command in ["run", "validate"] {
        let (code, _, err) =
            cli(&[command, s(&sc), "--out", s(&d.join("out"))][..if command == "run" { 4 } else { 2 }]);
        assert_eq!(code, 2);
        assert!(err.starts_with(&format!("error: {}: key `workload.path`: ", sc.display())), "{command}: {err}");
        assert!(err.contains("nofile.csv: "), "{err}");
    }
    write(d, "nofile.csv", "submit,runtime\n0,abc\n");
    let (code, _, err) = cli(&["run", s(&sc), "--out", s(&d.join("out"))]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with(&format!("error: {}: workload: {}:2: ", sc.display(), d.join("nofile.csv").display())),
        "{err}"
    );
    assert!(!d.join("out").exists(), "nothing written");
}
