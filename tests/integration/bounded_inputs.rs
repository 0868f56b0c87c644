//! Inputs off the main road: every numeric key has a range checked by `validate` and `run` (an error
//! naming the key and line, exit 2, never an abort or a hang), the timeline has a bounded number of
//! samples, pool names are unique, the `hash` key of a keyless job is its user's name, error messages
//! quote long values only in part, and a closed stdout pipe ends a command quietly.

use crate::util::{clustersim, run_toml};
use clustersim::model::NodeIdx;
use clustersim::runner::RunResult;
use std::path::{Path, PathBuf};

/// The first node of each job, in workload order.
fn first_nodes(r: &RunResult) -> Vec<NodeIdx> {
    r.output.records.iter().map(|rec| rec.placement.first().map_or(NodeIdx::MAX, |p| p.0)).collect()
}

/// 64 roomy nodes, `hash` selection and the given jobs.
fn hashed(jobs: &str) -> Vec<NodeIdx> {
    let text = format!(
        "name = \"h\"\n[[cluster.pools]]\nname = \"p\"\ncount = 64\ncpu = 1000\n\
         [workload]\ntype = \"list\"\njobs = [\n{jobs}\n]\n[policy]\nselection = \"hash\"\n"
    );
    first_nodes(&run_toml(&text))
}

/// Defect 6: a keyless job hashes its user's *name*, as an explicit `key` is hashed: alice's keyless
/// jobs join the job with `key = "alice"`, wherever alice first appears in the file.
#[test]
fn hash_default_key_is_the_users_name_not_their_position() {
    let alice = r#"{ submit = 0, runtime = 100, key = "alice" }, { submit = 1, runtime = 100, user = "alice" },"#;
    let alone = hashed(alice);
    assert_eq!(alone[0], alone[1], "key \"alice\" and alice's keyless job: {alone:?}");
    // Other users listed first change alice's user number, not her node.
    for others in 1..6 {
        let before: String =
            (0..others).map(|k| format!("{{ submit = 0, runtime = 100, user = \"other{k}\" }},")).collect();
        let nodes = hashed(&format!("{before}{alice}"));
        assert_eq!(&nodes[others..], &alone[..], "with {others} other users first");
    }
}

/// Writes `text` as `name` in `dir` and returns its path.
fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// A scenario: one pool (`pool` holds the lines after its name), then `rest`.
fn scenario(pool: &str, rest: &str) -> String {
    format!("name = \"b\"\n[[cluster.pools]]\nname = \"p\"\n{pool}\n{rest}\n")
}

const LIST: &str = "[workload]\ntype = \"list\"\njobs = [ { submit = 0, runtime = 10 } ]";
const SYNTHETIC: &str =
    "[workload]\ntype = \"synthetic\"\njobs = 50\nruntime = { dist = \"exponential\", mean = \"10m\" }";

/// Runs `clustersim` with `args`, bounded in time; (exit code, stderr).
fn outcome(args: &[&std::ffi::OsStr]) -> (Option<i32>, String) {
    let o = clustersim().args(args).timeout(std::time::Duration::from_secs(60)).output().unwrap();
    (o.status.code(), String::from_utf8_lossy(&o.stderr).into_owned())
}

/// `validate` and `run` of the scenario `text` both fail with exit 2, no panic or abort, and an
/// error that holds every one of `needles`.
fn refused(text: &str, needles: &[&str]) {
    let d = tempfile::tempdir().unwrap();
    let sc = write(d.path(), "b.toml", text);
    let out = d.path().join("out");
    let validate: Vec<&std::ffi::OsStr> = vec!["validate".as_ref(), sc.as_os_str()];
    let run: Vec<&std::ffi::OsStr> = vec!["run".as_ref(), sc.as_os_str(), "--out".as_ref(), out.as_os_str()];
    for args in [validate, run] {
        let (code, err) = outcome(&args);
        assert_eq!(code, Some(2), "{args:?} on\n{text}\n{err}");
        assert!(!err.contains("panicked") && err.len() < 2000, "{err}");
        for n in needles {
            assert!(err.contains(n), "{args:?}: `{n}` missing from\n{err}");
        }
    }
    assert!(!out.exists(), "a refused run writes nothing");
}

/// Defect 7: absurd sizes were an allocation failure (SIGABRT) or a 4 GB, 28 s run; every one is now
/// an error naming the key and line, from `validate` and `run` alike.
#[test]
fn absurd_sizes_are_errors_naming_the_key_not_aborts() {
    let cases = [
        (scenario("count = 4294967295\ncpu = 4", LIST), "line 4, key `cluster.pools[0].count`: expected 1 to 100,000"),
        (
            scenario("count = 2\ncpu = 4\nracks = 4294967295", LIST),
            "line 6, key `cluster.pools[0].racks`: expected 1 to 2",
        ),
        (
            scenario("count = 2\ncpu = 4", &format!("{LIST}\n[sweep]\nnode_scale = [1e9]")),
            "line 10, key `sweep.node_scale`",
        ),
        (
            scenario("count = 2\ncpu = 4", &format!("{SYNTHETIC}\nload = 0.5\ngroups = 2147483648")),
            "line 11, key `workload.groups`",
        ),
        (scenario("count = 2\ncpu = 4", &format!("{SYNTHETIC}\nload = 1e-300")), "line 10, key `workload.load`"),
        (
            scenario("count = 2\ncpu = 4", &format!("{SYNTHETIC}\nload = 0.5\n[sweep]\nload = [1e-300]")),
            "line 12, key `sweep.load`",
        ),
        (
            scenario("count = 2\ncpu = 4", &format!("{SYNTHETIC}\nload = 0.5\nusers = 10000000")),
            "line 11, key `workload.users`: expected 1 to 100,000",
        ),
        (
            scenario("count = 2\ncpu = 4", &format!("{SYNTHETIC}\nload = 0.5\n[sweep]\nreplications = 4294967295")),
            "key `sweep.replications`",
        ),
        (scenario("count = 2\ncpu = 4294967295", LIST), "key `cluster.pools[0].cpu`: expected 1 to 1,000,000"),
        (scenario("count = 2\ncpu = 4\nmemory = \"1e30GiB\"", LIST), "line 6"),
        (
            scenario(
                "count = 50000\ncpu = 4",
                &format!("{LIST}\n[policy]\nselection = {{ name = \"hash\", vnodes = 4096 }}"),
            ),
            "key `policy.selection.vnodes`",
        ),
        (
            scenario(
                "count = 2\ncpu = 4",
                "[workload]\ntype = \"list\"\njobs = [ { submit = 0, runtime = 10, tasks = 4294967295 } ]",
            ),
            "key `workload.jobs[0].tasks`: expected 1 to 1,000,000",
        ),
    ];
    for (text, needle) in &cases {
        refused(text, &[needle]);
    }
    // A thread count is a size too: 100,000 worker threads took minutes to start.
    let d = tempfile::tempdir().unwrap();
    let sc =
        write(d.path(), "s.toml", &scenario("count = 2\ncpu = 4", &format!("{LIST}\n[sweep]\nnode_scale = [1, 2]")));
    let (code, err) = outcome(&["run".as_ref(), sc.as_os_str(), "--jobs".as_ref(), "100000".as_ref()]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("expected a number of threads from 1 to 1024"), "{err}");
}

/// Defect 9: `submit = 1e30` was saturated to 18446744073709.55 s and the run hung; times and
/// durations past 10^10 s are errors naming the key and line, in scenario files and job lists.
#[test]
fn huge_times_are_errors_not_saturated() {
    let pool = "count = 2\ncpu = 4";
    let job = |fields: &str| {
        format!("[workload]\ntype = \"list\"\njobs = [\n  {{ submit = 0, runtime = 1 }},\n  {{ {fields} }},\n]")
    };
    refused(&scenario(pool, &job("submit = 1e30, runtime = 10")), &["line 10, key `workload.jobs[1].submit`", "1e30"]);
    refused(&scenario(pool, &job("submit = 0, runtime = \"4000000000000s\"")), &["key `workload.jobs[1].runtime`"]);
    refused(
        &scenario(pool, &job("submit = 0, runtime = 1, deps = [1], think = 2e10")),
        &["key `workload.jobs[1].think`"],
    );
    refused(&format!("horizon = 1e30\n{}", scenario(pool, LIST)), &["line 1", "horizon", "at most 10000000000 s"]);
    refused(
        &scenario(pool, &format!("{LIST}\n[faults]\nheartbeat_interval = 1e11")),
        &["line 10, key `faults.heartbeat_interval`", "at most 10000000000 s"],
    );
    refused(
        &scenario(
            pool,
            &format!("{LIST}\n[policy]\nqueue = {{ name = \"fair_share\", half_life = \"20000000000s\" }}"),
        ),
        &["key `policy.queue.half_life`"],
    );
    // A CSV job list: the row's line and column.
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "jobs.csv", "submit,runtime\n0,10\n4000000000000,10\n");
    let sc = write(d.path(), "b.toml", &scenario(pool, "[workload]\ntype = \"csv\"\npath = \"jobs.csv\""));
    let (code, err) = outcome(&["validate".as_ref(), sc.as_os_str()]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("jobs.csv:3: column `submit`") && err.contains("at most 10000000000 s"), "{err}");
    // A generated workload whose submissions add up past the maximum: an error, not a hang.
    let text = scenario(
        pool,
        "[workload]\ntype = \"synthetic\"\njobs = 100\ninterarrival = { dist = \"constant\", value = 9e9 }\nruntime = { dist = \"constant\", value = 1 }",
    );
    let sc = write(d.path(), "gen.toml", &text);
    let (code, err) = outcome(&["run".as_ref(), sc.as_os_str(), "--out".as_ref(), d.path().join("out").as_os_str()]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("job 3: its submit time") && err.contains("past the maximum time"), "{err}");
}

/// Defect 12: two pools of one name were accepted, and a rack outage on `p-r0` then took nodes of
/// both; the second name is refused, with both positions.
#[test]
fn duplicate_pool_names_are_rejected_with_both_positions() {
    let text = format!(
        "name = \"b\"\n[[cluster.pools]]\nname = \"p\"\ncount = 2\ncpu = 4\n\n[[cluster.pools]]\nname = \"p\"\ncount = 2\ncpu = 8\n{LIST}\n\
         [faults]\noutages = [\"rack p-r0 down at 1s for 5s\"]\n"
    );
    refused(
        &text,
        &[
            "line 8, key `cluster.pools[1].name`",
            "`p` is given twice",
            "cluster.pools[0] (line 2)",
            "cluster.pools[1] (line 7)",
        ],
    );
}

/// Defect 8: `sample_interval = "0s"` passed `validate` and aborted `run`, and the default interval
/// followed the submit span only, so one job of 10^7 s gave 10 M timeline rows. The interval has a
/// minimum, the default covers the jobs' run times, and no timeline has more than 100,000 samples.
#[test]
fn timeline_samples_are_bounded() {
    let pool = "count = 1\ncpu = 4";
    refused(
        &scenario(pool, &format!("{LIST}\n[metrics]\nsample_interval = \"0s\"")),
        &["line 10, key `metrics.sample_interval`"],
    );
    let d = tempfile::tempdir().unwrap();
    let long = "[workload]\ntype = \"list\"\njobs = [ { submit = 0, runtime = 1e7 } ]";
    let rows = |extra: &str| {
        let sc = write(d.path(), "t.toml", &scenario(pool, &format!("{long}\n{extra}")));
        let out = d.path().join("out");
        let mut cmd = clustersim();
        cmd.arg("run").arg(&sc).args(["-q", "--no-charts", "--out"]).arg(&out);
        let o = cmd.timeout(std::time::Duration::from_secs(60)).output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
        let timeline = std::fs::read_to_string(out.join("timeline.csv")).unwrap();
        (timeline.lines().count() - 1, String::from_utf8_lossy(&o.stderr).into_owned())
    };
    let (n, _) = rows("");
    assert!((500..=1001).contains(&n), "default interval: {n} samples");
    let (n, err) = rows("[metrics]\nsample_interval = \"1s\"");
    assert!((50_000..=100_000).contains(&n), "explicit 1 s interval: {n} samples");
    assert!(err.contains("would give more than 100,000 timeline samples: timeline.csv has one every 128s"), "{err}");
}

/// Defect 16: an error quoted a 100,000-character value in full; every quote of input is cut.
#[test]
fn long_values_are_quoted_in_part() {
    let x = "x".repeat(100_000);
    let pool = "count = 1\ncpu = 4";
    let cases = [
        format!("horizon = \"{x}\"\n{}", scenario(pool, LIST)),
        scenario(pool, &format!("{LIST}\n[policy]\nqueue = \"{x}\"")),
        scenario(pool, &format!("{LIST}\n[policy]\nqueue = {{ name = \"fifo\", {x} = 1 }}")),
        format!("{x} = 1\n{}", scenario(pool, LIST)),
        scenario(pool, &format!("{LIST}\n[faults]\noutages = [\"{x}\"]")),
        scenario(pool, &format!("{LIST}\n[sweep]\n\"{x}\" = [1]")),
        scenario(pool, &format!("{LIST}\n[sweep]\nload = [\"{x}\"]")),
        scenario(&format!("{pool}\nmemory = \"{x}\""), LIST),
        scenario(pool, &format!("[workload]\ntype = \"list\"\njobs = [ {{ submit = \"{x}\", runtime = 1 }} ]")),
    ];
    for text in &cases {
        refused(text, &["…"]);
    }
}

/// Defect 15: `clustersim run ... | head -1` panicked (exit 101) on the closed pipe. Every command
/// now stops writing quietly when its reader is gone.
#[test]
fn a_closed_stdout_pipe_ends_every_command_quietly() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("out");
    let quickstart = crate::util::repo("scenarios/quickstart.toml");
    let trace = crate::util::shared("workloads/KTH-SP2-1996-2.1-cln.first3000.swf");
    let s = |p: &Path| p.to_str().unwrap().to_string();
    let commands: Vec<Vec<String>> = vec![
        vec!["run".into(), s(&quickstart), "--events".into(), "--out".into(), s(&out)],
        vec!["validate".into(), s(&quickstart), s(&quickstart)],
        vec!["trace".into(), "stats".into(), s(&trace)],
        vec!["report".into(), s(&out)],
        vec!["explain".into(), s(&out), "7".into()],
        vec!["check".into(), s(&quickstart), "--baseline".into(), s(&crate::util::repo("results/baseline"))],
        vec!["--help".into()],
    ];
    for args in commands {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("clustersim"))
            .args(&args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take()); // the reader is gone before the first line
        let o = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!err.contains("panicked") && !err.contains("Broken pipe"), "{args:?}: {err}");
        assert_eq!(o.status.code(), Some(0), "{args:?}: {err}");
    }
}
