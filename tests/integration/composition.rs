//! The engine under composition: every policy axis combined with failures, latency, partitions,
//! scheduler crashes, malleable and multi-task jobs and horizons. Each run is audited after every
//! event and must end; a run is repeated to check that it is reproducible byte for byte. Regression
//! tests of the defects found this way are named after them.

use clustersim::output::files;
use clustersim::policies::{allocation, names, queue, recovery, selection};
use clustersim::runner::{RunOptions, RunResult};
use proptest::prelude::*;
use std::time::Duration;

use crate::util::{fault_tail, faults_head, run_toml_with};

/// Longest a random run may take before the case fails as a hang.
const WALL_BOUND: Duration = Duration::from_secs(20);

/// The environment variable that makes [`composed_case_child`] run one scenario file.
const CHILD_CASE: &str = "CLUSTERSIM_COMPOSED_CASE";

/// Runs `text` through [`check_composed`] in a child process of this test binary, killed when it
/// does not end within `bound` (a hung run may also grow without bound: a thread could not be stopped).
fn check_in_child(text: &str, bound: Duration) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let path = dir.path().join("case.toml");
    std::fs::write(&path, text).map_err(|e| e.to_string())?;
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut child = std::process::Command::new(exe)
        .args(["composition::composed_case_child", "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_CASE, &path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let begun = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            if status.success() {
                return Ok(());
            }
            let mut err = String::new();
            if let Some(mut s) = child.stderr.take() {
                let _ = std::io::Read::read_to_string(&mut s, &mut err);
            }
            return Err(err);
        }
        if begun.elapsed() > bound {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("the run did not end within {bound:?}"));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Not a test on its own: runs the scenario file named by `CLUSTERSIM_COMPOSED_CASE` (set by
/// [`check_in_child`]) and fails when an invariant breaks; without the variable it passes at once.
#[test]
fn composed_case_child() {
    let Ok(path) = std::env::var(CHILD_CASE) else { return };
    let text = std::fs::read_to_string(path).expect("case file");
    // A run whose memory grows without bound fails here, not by exhausting the machine.
    #[cfg(target_os = "linux")]
    // SAFETY: setrlimit reads a valid rlimit; it only lowers this child process's own limit.
    unsafe {
        let limit = libc::rlimit { rlim_cur: 3 << 30, rlim_max: 3 << 30 };
        libc::setrlimit(libc::RLIMIT_AS, &limit);
    }
    if let Err(e) = check_composed(&text) {
        panic!("{e}");
    }
}

fn run_audited(text: &str) -> RunResult {
    run_toml_with(text, &RunOptions { audit: true, log_events: true })
}

/// The files a run writes, as bytes: jobs, timeline, events.
fn rendered(r: &RunResult) -> Vec<Vec<u8>> {
    let dir = tempfile::tempdir().expect("temp dir");
    let jobs = dir.path().join("jobs.csv");
    let timeline = dir.path().join("timeline.csv");
    let events = dir.path().join("events.csv");
    files::write_jobs(&jobs, &r.output, clustersim::model::SECOND).expect("jobs.csv");
    files::write_timeline(&timeline, &r.output).expect("timeline.csv");
    files::write_events(&events, &r.output).expect("events.csv");
    [jobs, timeline, events].iter().map(|p| std::fs::read(p).expect("read back")).collect()
}

/// Runs `text` twice (bounded, audited) and checks every invariant of a composed run.
fn check_composed(text: &str) -> Result<RunResult, String> {
    let r = run_audited(text);
    if !r.output.audit_violations.is_empty() {
        return Err(format!("audit: {:?}", r.output.audit_violations));
    }
    let a = &r.metrics.all;
    if a.completed + a.failed + a.cancelled + a.unfinished != a.jobs {
        return Err(format!("states do not add up: {a:?}"));
    }
    if (a.jobs + a.not_submitted) as usize != r.output.workload.jobs.len() {
        return Err("jobs and not-submitted do not add up to the input".into());
    }
    for (job, rec) in r.output.workload.jobs.iter().zip(&r.output.records) {
        if let Some(s) = rec.first_start
            && s < job.submit
        {
            return Err(format!("job {} starts at {s} before its submit {}", job.id, job.submit));
        }
    }
    for s in &r.output.timeline {
        if s.util[0] > 1.0 + 1e-9 {
            return Err(format!("timeline util_cpu {} > 1 at {}", s.util[0], s.time));
        }
    }
    let again = run_audited(text);
    if rendered(&r) != rendered(&again) {
        return Err("a second run of the same scenario wrote different files".into());
    }
    Ok(r)
}

/// A random job: rigid or malleable, one or several tasks, maybe a GPU, a tier.
fn job() -> impl Strategy<Value = String> {
    (0u64..300, 1u64..200, 1u32..4, 1u64..9, 0u8..5, 0u8..3, 0u8..4).prop_map(
        |(submit, runtime, tasks, cpu, kind, tier, est)| {
            let estimate = if est == 0 { runtime / 2 + 1 } else { runtime * est as u64 };
            let shape = match kind {
                0 => format!("min_cpu = {}, max_cpu = {}", cpu.min(4), cpu + 4),
                1 => format!("cpu = {cpu}, gpu = 1"),
                _ => format!("cpu = {cpu}"),
            };
            format!(
                "{{ submit = {submit}, runtime = {runtime}, estimate = {estimate}, tasks = {tasks}, {shape}, \
                 tier = {tier}, user = \"u{}\" }}",
                submit % 3
            )
        },
    )
}

/// A random scenario over every selection × allocation × queue × recovery, with faults.
fn composed() -> impl Strategy<Value = String> {
    let pick = |v: Vec<&'static str>| proptest::sample::select(v);
    (
        proptest::collection::vec(job(), 1..30),
        (pick(names(selection::BY_NAME)), pick(names(allocation::BY_NAME)), pick(names(queue::BY_NAME))),
        (pick(names(recovery::BY_NAME)), 1usize..4, 0u64..4),
        (1u32..4, 0u32..3, 1u32..3, proptest::option::of(100u64..800), any::<bool>()),
        (proptest::option::of(200u64..3000), proptest::option::of(200u64..3000), any::<bool>(), 0u64..3),
        (
            proptest::collection::vec((0u32..8, 0u64..400, 1u64..200), 0..3),
            proptest::collection::vec((0u32..8, 0u64..400, 1u64..100), 0..2),
            proptest::collection::vec((0u32..3, 0u64..400, 1u64..300), 0..3),
            proptest::option::of(40u64..400),
        ),
    )
        .prop_map(
            |(
                jobs,
                (sel, alloc, q),
                (rec, k, gossip),
                (cpu_nodes, gpu_nodes, racks, horizon, kill),
                (node_mtbf, rack_mtbf, ckpt, lat),
                (outages, parts, crashes, sched_mtbf),
            )| {
                let nodes = cpu_nodes + gpu_nodes;
                let racks = racks.min(cpu_nodes); // a pool has at most one rack per node
                let recovery = match rec {
                    "decentralized" | "hybrid" => {
                        format!(r#"{{ name = "{rec}", schedulers = {k}, gossip_interval = "{gossip}s" }}"#)
                    }
                    "primary_replica" => format!(r#"{{ name = "{rec}", replication_lag = "{gossip}s" }}"#),
                    other => format!("\"{other}\""),
                };
                let k = if matches!(rec, "decentralized" | "hybrid") { k } else { 1 };
                let horizon = horizon.map(|h| format!("horizon = {h}\n")).unwrap_or_default();
                let gpu_pool = if gpu_nodes > 0 {
                    format!("[[cluster.pools]]\nname = \"g\"\ncount = {gpu_nodes}\ncpu = 4\ngpu = 2\n")
                } else {
                    String::new()
                };
                let quote = |v: Vec<String>| v.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", ");
                let outages = quote(
                    outages.iter().map(|(n, a, d)| format!("node {} down at {a}s for {d}s", n % nodes)).collect(),
                );
                let parts = quote(
                    parts.iter().map(|(n, a, d)| format!("node {} unreachable at {a}s for {d}s", n % nodes)).collect(),
                );
                let crashes = quote(
                    crashes
                        .iter()
                        .map(|(p, a, d)| format!("scheduler {} down at {a}s for {d}s", *p as usize % k))
                        .collect(),
                );
                let faults = faults_head(&outages);
                let mut text = format!(
                    r#"name = "composed"
seed = 5
{horizon}
workload = {{ type = "list", jobs = [ {} ] }}
policy = {{ selection = "{sel}", allocation = "{alloc}", queue = "{q}", recovery = {recovery}, kill_at_estimate = {kill} }}
[[cluster.pools]]
name = "c"
count = {cpu_nodes}
cpu = 8
racks = {racks}
{gpu_pool}
{faults}"#,
                    jobs.join(", ")
                );
                let pools = node_mtbf
                    .map(|m| format!("[[faults.pools]]\npool = \"c\"\nmtbf = \"{m}s\"\nmttr = \"30s\"\n"))
                    .unwrap_or_default();
                let ckpt = ckpt.then_some(("20s", "1s"));
                text += &fault_tail(ckpt, &pools, rack_mtbf, lat, &parts, &crashes, sched_mtbf.map(|m| (m, "15s")));
                text
            },
        )
}

/// 64 cases from a fixed seed by default, so the suite is deterministic; `PROPTEST_CASES` and
/// `PROPTEST_RNG_SEED` (a number, or `random`) explore further.
fn composition_config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64);
    let rng_seed = match std::env::var("PROPTEST_RNG_SEED").ok().as_deref() {
        Some("random") => proptest::test_runner::RngSeed::Random,
        Some(v) => proptest::test_runner::RngSeed::Fixed(v.parse().unwrap_or(16)),
        None => proptest::test_runner::RngSeed::Fixed(16),
    };
    ProptestConfig { cases, rng_seed, ..ProptestConfig::default() }
}

proptest! {
    #![proptest_config(composition_config())]

    /// Every composition of policies and faults ends, never over-commits a node or the books,
    /// accounts for every job once, never starts a job before its submit, and reruns identically.
    #[test]
    fn composed_runs_end_within_capacity_and_rerun_identically(text in composed()) {
        if let Err(e) = check_in_child(&text, WALL_BOUND) {
            return Err(TestCaseError::fail(format!("{e}\n{text}")));
        }
    }
}

// ------------------------------------------------------------------------------------------ regressions

/// The issue's defect 3: a malleable gang of 2 tasks (2..16 cores) on one 16-core node, then a rigid job.
fn malleable_gang(extra: &str) -> String {
    format!(
        r#"name = "malleable-never-starts"
[[cluster.pools]]
name = "p"
count = 1
cpu = 16
[workload]
type = "list"
jobs = [
  {{ submit = 0, runtime = 100, tasks = 2, cpu = 2, min_cpu = 2, max_cpu = 16 }},
  {{ submit = 1, runtime = 100, cpu = 1 }},
]
{extra}
"#
    )
}

/// Greedy gave the gang's first task all 16 cores, so the second never fit and every job stayed
/// `unfinished`; each task's minimum is now reserved before the extra is handed out.
#[test]
fn malleable_never_starts_gang_reserves_every_minimum() {
    let r = check_composed(&malleable_gang("")).unwrap();
    assert_eq!(r.metrics.all.completed, 2, "{:?}", r.output.records);
    let gang = &r.output.records[0].placement;
    assert_eq!(gang.iter().map(|(_, g)| g.cpu).sum::<u64>(), 16, "the extra is still handed out: {gang:?}");
    assert!(gang.iter().all(|(_, g)| g.cpu >= 2));
}

/// With decentralized recovery or a failure process the same run never ended (memory grew without bound).
#[test]
fn malleable_never_starts_with_gossip_or_failures_ends() {
    for extra in [
        "[policy]\nrecovery = { name = \"decentralized\", schedulers = 2, gossip_interval = \"1s\" }",
        "[[faults.pools]]\npool = \"p\"\nmtbf = \"500s\"\nmttr = \"20s\"",
    ] {
        check_in_child(&malleable_gang(extra), WALL_BOUND).unwrap_or_else(|e| panic!("{e}\n{extra}"));
    }
}

/// Found by the composition property: under srtf with decentralized schedulers, a job started and
/// suspended within one pass was still dispatched (booked on the shared books while waiting), and
/// a suspended job that had not been dispatched in that attempt was released from books that never
/// held it: node books and running tasks disagreed.
#[test]
fn srtf_decentralized_job_stopped_within_its_pass_is_not_dispatched() {
    let text = r#"name = "composed"
seed = 5
[[cluster.pools]]
name = "c"
count = 3
cpu = 8
[[cluster.pools]]
name = "g"
count = 1
cpu = 4
gpu = 2
[workload]
type = "list"
jobs = [
{ submit = 0, runtime = 1, estimate = 1, tasks = 1, min_cpu = 1, max_cpu = 5 },
{ submit = 0, runtime = 1, estimate = 1, tasks = 1, min_cpu = 1, max_cpu = 5 },
{ submit = 125, runtime = 108, estimate = 55, tasks = 1, cpu = 1 },
{ submit = 161, runtime = 1, estimate = 1, tasks = 1, min_cpu = 4, max_cpu = 8 },
{ submit = 48, runtime = 109, estimate = 55, tasks = 3, cpu = 5 },
{ submit = 116, runtime = 127, estimate = 64, tasks = 3, min_cpu = 1, max_cpu = 5 }
]
[policy]
selection = "round_robin"
allocation = "greedy"
queue = "srtf"
recovery = { name = "decentralized", schedulers = 2, gossip_interval = "1s" }
[network]
latency = { dist = "uniform", min = 0, max = 2 }
"#;
    check_in_child(text, WALL_BOUND).unwrap_or_else(|e| panic!("{e}"));
}

/// Defect 2, found again by the composition property: srtf + preemptive allocation + node failures
/// left cores booked with no job on them (timeline `util_cpu` 2.25). A tentative eviction lifted a
/// dead job off a down node (the free total unchanged, the node being down) and put it back, which
/// debited the free total: booking on a down node now leaves the total of up nodes alone.
#[test]
fn srtf_preemptive_failures_leave_no_capacity_booked() {
    let text = r#"name = "srtf-preemptive-failures"
seed = 5

workload = { type = "list", jobs = [ { submit = 108, runtime = 78, estimate = 234, tasks = 1, min_cpu = 1, max_cpu = 5, tier = 0, user = "u0" }, { submit = 203, runtime = 171, estimate = 86, tasks = 1, min_cpu = 1, max_cpu = 5, tier = 0, user = "u2" }, { submit = 9, runtime = 28, estimate = 15, tasks = 1, cpu = 3, tier = 0, user = "u0" }, { submit = 94, runtime = 1, estimate = 1, tasks = 1, min_cpu = 1, max_cpu = 5, tier = 0, user = "u1" }, { submit = 192, runtime = 48, estimate = 96, tasks = 1, cpu = 5, tier = 0, user = "u0" }, { submit = 21, runtime = 166, estimate = 84, tasks = 2, min_cpu = 1, max_cpu = 5, tier = 0, user = "u0" }, { submit = 119, runtime = 118, estimate = 118, tasks = 2, cpu = 3, gpu = 1, tier = 0, user = "u2" }, { submit = 64, runtime = 40, estimate = 120, tasks = 3, cpu = 5, tier = 1, user = "u1" }, { submit = 12, runtime = 67, estimate = 134, tasks = 1, cpu = 1, gpu = 1, tier = 0, user = "u0" }, { submit = 1, runtime = 1, estimate = 1, tasks = 1, cpu = 5, gpu = 1, tier = 0, user = "u1" }, { submit = 36, runtime = 23, estimate = 69, tasks = 3, cpu = 6, tier = 0, user = "u0" }, { submit = 108, runtime = 52, estimate = 27, tasks = 1, cpu = 2, gpu = 1, tier = 0, user = "u0" }, { submit = 9, runtime = 133, estimate = 133, tasks = 3, min_cpu = 3, max_cpu = 7, tier = 0, user = "u0" }, { submit = 21, runtime = 1, estimate = 1, tasks = 2, min_cpu = 1, max_cpu = 5, tier = 0, user = "u0" }, { submit = 119, runtime = 1, estimate = 1, tasks = 1, min_cpu = 1, max_cpu = 5, tier = 0, user = "u2" }, { submit = 119, runtime = 1, estimate = 1, tasks = 1, min_cpu = 1, max_cpu = 5, tier = 0, user = "u2" } ] }
policy = { selection = "least_connections", allocation = "preemptive", queue = "srtf", recovery = "none", kill_at_estimate = false }
[[cluster.pools]]
name = "c"
count = 3
cpu = 8
racks = 1
[[cluster.pools]]
name = "g"
count = 2
cpu = 4
gpu = 2

[faults]
heartbeat_interval = "5s"
heartbeat_timeout = "15s"
rpc_timeout = "2s"
outages = [  ]
[[faults.pools]]
pool = "c"
mtbf = "1042s"
mttr = "30s"
[[faults.racks]]
rack = "*"
mtbf = "469s"
mttr = "20s"
[network]
latency = { dist = "uniform", min = 0, max = 0 }
partitions = [  ]
[scheduler]
crashes = [  ]
retry_timeout = "7s"
"#;
    check_in_child(text, WALL_BOUND).unwrap_or_else(|e| panic!("{e}"));
}

/// Defects 1/4, found by the composition property with the audit of every view's books: srtf under
/// decentralized schedulers suspended an attempt already refused at its node (a placement conflict its
/// scheduler had not heard of yet) after a gossip round had copied the books, without it, into the view:
/// the suspension released it there a second time (a view's node showed 10 of 8 cores free). Gossip now
/// leaves the nodes of such attempts as the view has them until the refusal arrives.
#[test]
fn srtf_decentralized_suspending_a_refused_attempt_after_gossip_keeps_views_within_capacity() {
    let text = r#"name = "srtf-decentralized-refused-attempt"
seed = 5

workload = { type = "list", jobs = [ { submit = 18, runtime = 169, estimate = 169, tasks = 1, cpu = 4, tier = 0, user = "u0" }, { submit = 88, runtime = 126, estimate = 252, tasks = 3, cpu = 1, tier = 1, user = "u1" }, { submit = 48, runtime = 37, estimate = 19, tasks = 2, min_cpu = 1, max_cpu = 5, tier = 1, user = "u0" }, { submit = 156, runtime = 62, estimate = 32, tasks = 1, cpu = 2, tier = 0, user = "u0" }, { submit = 0, runtime = 51, estimate = 26, tasks = 1, min_cpu = 3, max_cpu = 7, tier = 0, user = "u0" }, { submit = 48, runtime = 29, estimate = 15, tasks = 2, min_cpu = 1, max_cpu = 5, tier = 0, user = "u0" }, { submit = 202, runtime = 3, estimate = 3, tasks = 1, cpu = 3, tier = 0, user = "u1" }, { submit = 48, runtime = 1, estimate = 1, tasks = 1, min_cpu = 1, max_cpu = 5, tier = 0, user = "u0" }, { submit = 88, runtime = 47, estimate = 47, tasks = 1, cpu = 3, tier = 0, user = "u1" }, { submit = 17, runtime = 114, estimate = 58, tasks = 3, cpu = 2, tier = 0, user = "u2" }, { submit = 17, runtime = 1, estimate = 1, tasks = 1, min_cpu = 1, max_cpu = 5, tier = 0, user = "u2" }, { submit = 156, runtime = 1, estimate = 1, tasks = 1, min_cpu = 1, max_cpu = 5, tier = 0, user = "u0" }, { submit = 88, runtime = 1, estimate = 1, tasks = 1, min_cpu = 1, max_cpu = 5, tier = 0, user = "u1" } ] }
policy = { selection = "random", allocation = "preemptive", queue = "srtf", recovery = { name = "decentralized", schedulers = 2, gossip_interval = "3s" }, kill_at_estimate = false }
[[cluster.pools]]
name = "c"
count = 2
cpu = 8
racks = 1

[faults]
heartbeat_interval = "5s"
heartbeat_timeout = "15s"
rpc_timeout = "2s"
outages = [  ]
[[faults.pools]]
pool = "c"
mtbf = "798s"
mttr = "30s"
[network]
latency = { dist = "uniform", min = 0, max = 0 }
partitions = [  ]
[scheduler]
crashes = [  ]
retry_timeout = "7s"
"#;
    check_in_child(text, WALL_BOUND).unwrap_or_else(|e| panic!("{e}"));
}

/// Defects 1/2, found by the composition property: a job killed by a node failure keeps its epoch at
/// the restart (the kill moved it), and its restart left the attempt marked as booked; started again
/// and suspended within one pass (srtf + preemptive under decentralized schedulers), it was released
/// on the shared books a second time (a node showed 13 of 8 cores free). Releasing an attempt now
/// clears its booking.
#[test]
fn a_killed_job_restarted_and_suspended_within_a_pass_is_released_once() {
    let text = r#"name = "killed-job-restarted-and-suspended"
seed = 5

workload = { type = "list", jobs = [ { submit = 144, runtime = 1, estimate = 1, tasks = 1, min_cpu = 1, max_cpu = 5, tier = 0, user = "u0" }, { submit = 173, runtime = 104, estimate = 53, tasks = 2, cpu = 7, tier = 0, user = "u2" }, { submit = 0, runtime = 1, estimate = 1, tasks = 1, min_cpu = 1, max_cpu = 5, tier = 0, user = "u0" }, { submit = 173, runtime = 159, estimate = 159, tasks = 2, min_cpu = 1, max_cpu = 5, tier = 0, user = "u2" }, { submit = 0, runtime = 115, estimate = 230, tasks = 1, cpu = 5, tier = 1, user = "u0" }, { submit = 173, runtime = 1, estimate = 1, tasks = 1, min_cpu = 1, max_cpu = 5, tier = 0, user = "u2" } ] }
policy = { selection = "round_robin", allocation = "preemptive", queue = "srtf", recovery = { name = "decentralized", schedulers = 2, gossip_interval = "1s" }, kill_at_estimate = false }
[[cluster.pools]]
name = "c"
count = 2
cpu = 8
racks = 2
[[cluster.pools]]
name = "g"
count = 1
cpu = 4
gpu = 2

[faults]
heartbeat_interval = "5s"
heartbeat_timeout = "15s"
rpc_timeout = "2s"
outages = [ "node 1 down at 115s for 136s" ]
checkpoint_interval = "20s"
checkpoint_cost = "1s"
[[faults.pools]]
pool = "c"
mtbf = "1183s"
mttr = "30s"
[[faults.racks]]
rack = "*"
mtbf = "399s"
mttr = "20s"
[network]
latency = { dist = "uniform", min = 0, max = 1 }
partitions = [  ]
[scheduler]
crashes = [  ]
retry_timeout = "7s"
"#;
    check_in_child(text, WALL_BOUND).unwrap_or_else(|e| panic!("{e}"));
}

/// The issue's defect 1: decentralized recovery with preemptive allocation and no faults at all put 53
/// cores on a 32-core node in 3 of 12 random runs (exit 0, no word). Twelve seeds of that combination,
/// each audited after every event and bounded in time.
#[test]
fn decentralized_preemptive_without_faults_never_exceeds_a_node() {
    for seed in 1..=12 {
        let text = format!(
            r#"name = "decentralized-preemptive"
seed = {seed}
[[cluster.pools]]
name = "p"
count = 4
cpu = 32
[workload]
type = "synthetic"
jobs = 300
interarrival = {{ dist = "exponential", mean = "20s" }}
runtime = {{ dist = "lognormal", mean = "10m", cv = 1.5 }}
tasks = {{ dist = "uniform", min = 1, max = 3 }}
cpu = {{ dist = "uniform", min = 1, max = 24 }}
tiers = [ {{ name = "batch", share = 0.7 }}, {{ name = "prod", share = 0.3 }} ]
[policy]
allocation = "preemptive"
recovery = {{ name = "decentralized", schedulers = 3, gossip_interval = "2s" }}
"#
        );
        check_in_child(&text, WALL_BOUND).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
    }
}

/// The issue's defect 4: srtf under three decentralized schedulers (gossip 2 s) with an MMPP workload
/// of which 10 % are GPU jobs, on 8-core and 2-GPU nodes: a suspended job was never resumed and the run
/// never ended. Several seeds, audited and bounded in time; every job ends.
#[test]
fn srtf_decentralized_mmpp_with_gpu_jobs_resumes_every_suspended_job_and_ends() {
    for seed in 1..=6 {
        let text = format!(
            r#"name = "srtf-decentralized-mmpp"
seed = {seed}
[[cluster.pools]]
name = "cpu"
count = 6
cpu = 8
[[cluster.pools]]
name = "gpu"
count = 2
cpu = 8
gpu = 2
[workload]
type = "synthetic"
jobs = 400
arrival = {{ process = "mmpp", interarrival = ["60s", "5s"], sojourn = ["1h", "15m"] }}
runtime = {{ dist = "lognormal", mean = "10m", cv = 1.5 }}
tasks = {{ dist = "uniform", min = 1, max = 2 }}
cpu = {{ dist = "uniform", min = 1, max = 8 }}
gpu = {{ dist = "uniform", min = 1, max = 2 }}
gpu_fraction = 0.1
[policy]
queue = "srtf"
recovery = {{ name = "decentralized", schedulers = 3, gossip_interval = "2s" }}
"#
        );
        check_in_child(&text, WALL_BOUND).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        let r = check_composed(&text).unwrap();
        assert_eq!(r.metrics.all.completed, r.metrics.all.jobs, "seed {seed}: every job ends");
    }
}
