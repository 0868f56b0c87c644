//! `[metrics] window`: trimmed metrics (`win_*` columns) beside the whole run's, computed by hand on a
//! three-job case; absent without the section; bad keys named with the file.

use super::util::clustersim;
use clustersim::report::data::Table;
use std::path::Path;

/// The tiny scenario of the `check` tests with `metrics` appended. One node of 4 cpus, FIFO:
/// A (0 s, 100 s, 4 cpus) runs 0–100; B (10 s, 50 s, 2 cpus) runs 100–150; C (20 s, 10 s, 2 cpus)
/// runs 100–110 beside B. The run ends at 150 s.
fn scenario(dir: &Path, metrics: &str) -> std::path::PathBuf {
    let p = super::check::tiny(dir);
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, format!("{text}{metrics}\n")).unwrap();
    p
}

/// summary.csv of a run of `metrics`, as (header, the one row).
fn run(metrics: &str) -> Table {
    let dir = tempfile::tempdir().unwrap();
    let sc = scenario(dir.path(), metrics);
    let out = dir.path().join("out");
    clustersim().args(["run", "-q", "--no-charts"]).arg(&sc).arg("--out").arg(&out).assert().success();
    Table::read(&out.join("summary.csv")).unwrap()
}

fn close(t: &Table, col: &str, want: f64) {
    let got = t.num_by(0, col).unwrap_or_else(|| panic!("no number in `{col}`: {:?}", t.header));
    assert!((got - want).abs() < 1e-6, "{col}: {got}, expected {want}");
}

#[test]
fn a_window_to_the_last_submission_leaves_out_the_drain() {
    let t = run("[metrics]\nwindow = { warmup = \"5s\", until = \"last_submit\" }");
    // Whole run: (4×100 + 2×50 + 2×10) cpu·s over 4 cpus × 150 s.
    close(&t, "util_cpu", 520.0 / 600.0);
    // Window [5 s, 20 s): A alone holds all 4 cpus.
    close(&t, "win_from", 5.0);
    close(&t, "win_to", 20.0);
    close(&t, "win_util_cpu", 1.0);
    // Jobs submitted in the window: B (wait 90 s, bsld 140/50) and C (wait 80 s, bsld 90/10).
    close(&t, "win_jobs", 2.0);
    close(&t, "win_wait_mean", 85.0);
    close(&t, "win_bsld_mean", (2.8 + 9.0) / 2.0);
    // The whole-run columns are still there, unchanged: A waited 0.
    close(&t, "wait_mean", (0.0 + 90.0 + 80.0) / 3.0);
}

#[test]
fn a_window_of_a_duration_integrates_utilization_over_it_alone() {
    let t = run("[metrics]\nwindow = { warmup = \"5s\", until = \"120s\" }");
    // [5, 120): A 95 s × 4 cpus, then B and C 10 s × 4, then B 10 s × 2, over 4 cpus × 115 s.
    close(&t, "win_util_cpu", (380.0 + 40.0 + 20.0) / 460.0);
    close(&t, "win_to", 120.0);
}

#[test]
fn without_the_window_no_win_column_is_written() {
    let t = run("");
    assert!(t.header.iter().all(|h| !h.starts_with("win_")), "{:?}", t.header);
}

#[test]
fn a_bad_window_names_the_file_and_the_key() {
    let dir = tempfile::tempdir().unwrap();
    for (metrics, key) in [
        ("window = { warmup = \"1d\", until = \"soon\" }", "metrics.window.until"),
        ("window = { warmup = \"1d\", until = \"1h\" }", "metrics.window.until"),
        ("window = { warmpu = \"1d\" }", "warmpu"),
        ("window = { warmup = \"1s\" }\n[sweep]\nqueue = [\"fifo\", \"srtf\"]", "metrics.window"),
    ] {
        let sc = scenario(dir.path(), &format!("[metrics]\n{metrics}"));
        let out = clustersim().arg("validate").arg(&sc).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr).to_string() + &String::from_utf8_lossy(&out.stdout);
        assert!(!out.status.success(), "{metrics} accepted");
        assert!(err.contains("tiny.toml") && err.contains(key), "{metrics}: {err}");
    }
}
