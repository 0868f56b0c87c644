//! The first hour of a new user (issue 18): memory units wherever memory is, "did you mean" for a
//! policy typo, one duration syntax (compounds accepted, undocumented aliases refused), shell
//! completions and a man page.

use crate::util::clustersim;
use predicates::prelude::*;

/// A memory distribution of no memory.
const NO_MEMORY: &str = r#"{ dist = "constant", value = 0 }"#;

/// A scenario whose workload takes `memory` and `[metrics]` takes `metrics`, and whose queue is `queue`.
fn scenario(memory: &str, metrics: &str, queue: &str) -> String {
    format!(
        r#"name = "first-hour"
[[cluster.pools]]
name = "cpu"
count = 4
cpu = 16
memory = "128GiB"
[workload]
type = "synthetic"
jobs = 50
interarrival = {{ dist = "exponential", mean = "30s" }}
runtime = {{ dist = "exponential", mean = "5m" }}
memory = {memory}
[policy]
queue = "{queue}"
[metrics]
{metrics}
"#
    )
}

fn validate(text: &str) -> assert_cmd::assert::Assert {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("first-hour.toml");
    std::fs::write(&path, text).unwrap();
    clustersim().arg("validate").arg(&path).assert()
}

/// Issue 18: `memory = { dist = "uniform", min = "1GiB", max = "64GiB" }` failed and the error
/// listed time units.
#[test]
fn a_memory_distribution_takes_memory_units_and_its_errors_name_them() {
    validate(&scenario(r#"{ dist = "uniform", min = "1GiB", max = "64GiB" }"#, "", "fifo")).success();
    validate(&scenario(r#"{ dist = "constant", value = "512MiB" }"#, "", "fifo")).success();
    validate(&scenario(r#"{ dist = "uniform", min = "1h", max = "2h" }"#, "", "fifo"))
        .code(2)
        .stderr(predicate::str::contains("workload.memory").and(predicate::str::contains("KiB, MiB, GiB, TiB")));
}

/// Issue 18: a policy typo got the valid names but no "did you mean".
#[test]
fn a_policy_typo_gets_a_suggestion() {
    validate(&scenario(NO_MEMORY, "", "easy_backfil")).code(2).stderr(
        predicate::str::contains("valid names: ").and(predicate::str::contains("did you mean `easy_backfill`?")),
    );
    validate(&scenario(NO_MEMORY, "", "zzzzzz")).code(2).stderr(predicate::str::contains("did you mean").not());
}

/// Issue 18: `"20 sec"` and `"20min"` were accepted silently while `"1h30m"` was not.
#[test]
fn durations_take_compounds_and_refuse_undocumented_spellings() {
    validate(&scenario(NO_MEMORY, r#"starvation_threshold = "1h30m""#, "fifo")).success();
    for bad in ["20 sec", "20min"] {
        validate(&scenario(NO_MEMORY, &format!("starvation_threshold = \"{bad}\""), "fifo")).code(2).stderr(
            predicate::str::contains("metrics.starvation_threshold").and(predicate::str::contains("valid units")),
        );
    }
}

/// Issue 18: no shell completions or man page.
#[test]
fn completions_and_the_man_page_are_generated() {
    for shell in ["bash", "zsh", "fish"] {
        clustersim()
            .args(["completions", shell])
            .assert()
            .success()
            .stdout(predicate::str::contains("clustersim").and(predicate::str::contains("export")));
    }
    clustersim()
        .arg("man")
        .assert()
        .success()
        .stdout(predicate::str::contains(".TH clustersim").and(predicate::str::contains("validate")));
}

/// Issue 18: `validate` said ok for a workload whose jobs no node can hold; it now warns, naming
/// why (the verdict stays ok: a run would end those jobs unstarted, which may be the intent).
#[test]
fn validate_warns_when_the_workload_holds_jobs_no_node_can_hold() {
    let text = scenario(NO_MEMORY, "", "fifo")
        .replace("[policy]", "cpu = { dist = \"uniform\", min = 1, max = 32 }\n[policy]");
    assert!(text.contains("max = 32"));
    validate(&text).success().stderr(
        predicate::str::contains("jobs can never start")
            .and(predicate::str::contains("more than any eligible node has")),
    );
    validate(&scenario(NO_MEMORY, "", "fifo")).success().stderr(predicate::str::contains("never start").not());
}

/// Runs the study `text` (a scenario with `[sweep]`) with `args`; its standard output.
fn study_table(text: &str, args: &[&str]) -> String {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("study.toml");
    std::fs::write(&path, text).unwrap();
    let out = d.path().join("out");
    let o = clustersim().arg("run").arg(&path).arg("--no-charts").arg("--out").arg(&out).args(args).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

/// Issue 18: failure studies printed no fault columns, and no study table could choose its columns.
#[test]
fn study_tables_show_fault_columns_when_faults_ran_and_take_metrics() {
    let base = scenario(NO_MEMORY, "", "fifo");
    let sweep = "[sweep]\nqueue = [\"fifo\", \"easy_backfill\"]\n";
    let faults = "[[faults.pools]]\npool = \"*\"\nmtbf = \"10m\"\nmttr = \"5m\"\n";
    let header = |t: &str| t.lines().nth(1).unwrap().split_whitespace().map(str::to_string).collect::<Vec<_>>();
    let plain = header(&study_table(&format!("{base}{sweep}"), &[]));
    assert!(!plain.contains(&"availability".to_string()), "{plain:?}");
    // within 120 columns, a column that does not fit is named below the table
    let text = study_table(&format!("{base}{faults}{sweep}"), &[]);
    let with_faults = header(&text);
    assert!(with_faults.contains(&"work_lost_core_s".to_string()) && text.contains("availability"), "{text}");
    assert!(text.lines().all(|l| l.chars().count() <= 120), "{text}");
    let chosen = header(&study_table(&format!("{base}{sweep}"), &["--metrics", "wait_p99,util_cpu"]));
    assert_eq!(chosen[chosen.len() - 3..], ["wait_mean", "wait_p99", "util_cpu"]);
}

/// Issue 18: study tables were 150–220 columns wide; the README's (checked against real runs by
/// `standalone::readme_program_output_is_what_a_run_prints`) now fit in 120.
#[test]
fn the_readme_study_tables_fit_in_120_columns() {
    let readme = std::fs::read_to_string(crate::util::repo("README.md")).unwrap();
    let mut inside = false;
    let mut checked = 0;
    for line in readme.lines() {
        if line.starts_with("$ clustersim run") {
            inside = true;
            checked += 1;
        } else if line.starts_with("```") {
            inside = false;
        } else if inside {
            assert!(line.chars().count() <= 120, "{} columns: {line}", line.chars().count());
        }
    }
    assert!(checked >= 2);
}
