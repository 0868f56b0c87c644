//! The fault model end to end: zero-cost when unused, hand-built failure, latency and recovery cases
//! with exact outcomes, and a property test of conservation under random node and scheduler failures.

use crate::util::{repo, run_toml, run_toml_with};
use clustersim::runner::{self, RunOptions, RunResult};
use clustersim::scenario::Scenario;
use proptest::prelude::*;
use std::collections::BTreeMap;

/// (first start, end) of job `i` in seconds.
fn span(r: &RunResult, i: usize) -> (f64, f64) {
    let rec = &r.output.records[i];
    (rec.first_start.map(|t| t as f64 / 1e6).unwrap_or(-1.0), rec.end.map(|t| t as f64 / 1e6).unwrap_or(-1.0))
}

/// Writes every output file of `text`'s run into a fresh directory and returns (file name, bytes).
fn output_files(text: &str) -> BTreeMap<String, Vec<u8>> {
    let sc = Scenario::parse(text).unwrap();
    sc.validate().unwrap();
    let r = run_toml(text);
    let dir = tempfile::tempdir().unwrap();
    runner::write_run(dir.path(), &r, &sc).unwrap();
    let mut files = BTreeMap::new();
    for e in std::fs::read_dir(dir.path()).unwrap() {
        let e = e.unwrap();
        files.insert(e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap());
    }
    files
}

#[test]
fn explicit_zero_fault_settings_give_byte_identical_outputs() {
    let base = std::fs::read_to_string(repo("scenarios/quickstart.toml")).unwrap();
    let zero = format!(
        "{base}\n[faults]\npools = []\nracks = []\noutages = []\nheartbeat_interval = \"10s\"\n\
         heartbeat_timeout = \"30s\"\n\n[network]\nlatency = {{ dist = \"constant\", value = 0 }}\n\
         dispatch = {{ dist = \"constant\", value = \"0s\" }}\npartitions = []\n\n[scheduler]\ncrashes = []\n"
    );
    let a = output_files(&base);
    let b = output_files(&zero);
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (name, bytes) in &a {
        assert!(bytes == &b[name], "{name} differs");
    }
}

#[test]
fn the_fault_machinery_with_nothing_happening_changes_nothing() {
    // An outage long after the last job makes the fault model run (dispatch checks, completion path,
    // event routing) without ever firing: every output but the manifest must be identical.
    let base = std::fs::read_to_string(repo("scenarios/quickstart.toml")).unwrap();
    let armed = format!("{base}\n[faults]\noutages = [\"node 0 down at 10000d for 1h\"]\n");
    let a = output_files(&base);
    let b = output_files(&armed);
    for (name, bytes) in &a {
        assert!(bytes == &b[name], "{name} differs");
    }
}

/// Two 4-core nodes, heartbeats every 10 s, a 30 s timeout, and one 4-core job of 100 s at t=0.
fn two_nodes(extra: &str) -> String {
    format!(
        r#"
name = "faults"
[[cluster.pools]]
name = "p"
count = 2
cpu = 4
[workload]
type = "list"
jobs = [ {{ submit = 0, runtime = 100, cpu = 4 }} ]
[faults]
heartbeat_interval = "10s"
heartbeat_timeout = "30s"
rpc_timeout = "3s"
{extra}
"#
    )
}

#[test]
fn a_node_failure_kills_the_job_and_the_registry_notices_after_the_timeout() {
    // J runs on node 0 from 0; node 0 dies at 55 (last heartbeat sent at 50, so the registry gives up
    // at 80); J restarts from scratch on node 1 at 80 and ends at 180.
    let r = run_toml(&two_nodes(r#"outages = ["node 0 down 55s..500s"]"#));
    assert_eq!(span(&r, 0), (0.0, 180.0));
    let f = &r.metrics.faults;
    assert_eq!((f.node_failures, f.tasks_killed, f.restarts, f.detections), (1, 1, 1, 1));
    assert_eq!(f.work_lost_core_s, 220.0); // 55 s × 4 cores
    assert_eq!((f.detection_latency_mean, f.detection_latency_max), (25.0, 25.0));
    assert_eq!(r.output.records[0].attempts, 2);
    assert_eq!(r.output.records[0].placement[0].0, 1);
    // node 0 was down from 55 to 500 of a 180 s window: (2×180 − 125) / (2×180)
    assert!((f.availability - (360.0 - 125.0) / 360.0).abs() < 1e-12);
}

#[test]
fn checkpoints_bound_the_work_lost() {
    // 100 s of compute with a checkpoint every 20 s costing 5 s: checkpoints complete at 25 and 50;
    // the failure at 55 loses 5 s; the restart at 80 has 60 s left (+2 checkpoints) and ends at 150.
    let r = run_toml(&two_nodes(
        "outages = [\"node 0 down 55s..500s\"]\ncheckpoint_interval = \"20s\"\ncheckpoint_cost = \"5s\"",
    ));
    assert_eq!(span(&r, 0), (0.0, 150.0));
    assert_eq!(r.metrics.faults.work_lost_core_s, 20.0);
}

#[test]
fn a_job_fails_after_max_retries() {
    let r = run_toml(&two_nodes("outages = [\"node 0 down 55s..500s\"]\nmax_retries = 0"));
    assert_eq!(r.output.records[0].state.outcome(), "failed");
    assert_eq!(span(&r, 0), (0.0, 80.0));
    assert_eq!(r.metrics.faults.retries_exhausted, 1);
}

#[test]
fn a_dispatch_to_a_dead_undetected_node_fails_after_the_rpc_timeout_and_goes_elsewhere() {
    // A 1 s job at 0 runs on node 0 and moves the round-robin cursor to node 1. Node 1 dies at 5
    // (undetected until 30: its last heartbeat was at 0). The job submitted at 10 is sent to node 1 (the
    // scheduler still believes it up), the dispatch fails at 13 and the job starts on node 0 at 13.
    let text = two_nodes(r#"outages = ["node 1 down 5s..500s"]"#)
        .replace("jobs = [ {", "jobs = [ { submit = 0, runtime = 1, cpu = 1 }, {")
        .replace("{ submit = 0, runtime = 100", "{ submit = 10, runtime = 100");
    let r = run_toml(&text);
    assert_eq!(span(&r, 1), (13.0, 113.0));
    let f = &r.metrics.faults;
    assert_eq!((f.failed_dispatches, f.retries, f.restarts, f.tasks_killed), (1, 1, 0, 0));
    assert_eq!(f.detection_latency_max, 25.0);
    assert_eq!(r.output.records[1].attempts, 1);
}

#[test]
fn latency_delays_starts_and_freed_capacity() {
    // One node; two 4-core jobs of 10 s at t=0. Dispatch takes 1 s, completion notices 2 s: J1 runs
    // 1..11, its notice frees the node at 13, J2 is dispatched then and runs 14..24.
    let text = r#"
name = "latency"
[[cluster.pools]]
name = "p"
count = 1
cpu = 4
[workload]
type = "list"
jobs = [ { submit = 0, runtime = 10, cpu = 4 }, { submit = 0, runtime = 10, cpu = 4 } ]
[network]
dispatch = { dist = "constant", value = "1s" }
completion = { dist = "constant", value = "2s" }
"#;
    let r = run_toml(text);
    assert_eq!((span(&r, 0), span(&r, 1)), ((1.0, 11.0), (14.0, 24.0)));
    assert_eq!(r.metrics.all.wait_mean, 7.5);
    assert_eq!(r.metrics.makespan, 26.0); // the last notice arrives at 26
}

/// One 4-core node, a 100 s job at 0 and a 10 s job at 1 that waits for it.
fn one_node_partition(partition: &str) -> String {
    format!(
        r#"
name = "partition"
[[cluster.pools]]
name = "p"
count = 2
cpu = 4
[workload]
type = "list"
jobs = [ {{ submit = 0, runtime = 100, cpu = 4, tasks = 2 }}, {{ submit = 1, runtime = 10, cpu = 4, tasks = 2 }} ]
[faults]
heartbeat_interval = "10s"
heartbeat_timeout = "30s"
[network]
partitions = ["{partition}"]
"#
    )
}

#[test]
fn a_short_partition_delays_the_completion_notice_only() {
    // Node 0 is cut off 95..110 (shorter than the timeout): J1 still ends at 100 but its notice leaves at
    // 110, so J2 starts at 110.
    let r = run_toml(&one_node_partition("node 0 unreachable 95s..110s"));
    assert_eq!((span(&r, 0), span(&r, 1)), ((0.0, 100.0), (110.0, 120.0)));
    assert_eq!(r.metrics.faults.detections, 0);
    assert_eq!(r.metrics.faults.evictions, 0);
}

#[test]
fn a_long_partition_fences_the_node_and_reruns_its_work() {
    // Node 0 is cut off 20..300: the registry gives up at 50 (last heartbeat at 20); the node fences
    // itself and J1's work is lost. J1 needs both nodes, so it waits for node 0 to register again at 300.
    let r = run_toml(&one_node_partition("node 0 unreachable 20s..300s"));
    let f = &r.metrics.faults;
    assert_eq!((f.evictions, f.detections, f.restarts, f.node_failures), (1, 1, 1, 0));
    assert_eq!(f.work_lost_core_s, 400.0); // 50 s × 8 cores
    // FIFO: J1 (submit 0) goes first at 300, J2 after it.
    assert_eq!((span(&r, 0), span(&r, 1)), ((0.0, 400.0), (400.0, 410.0)));
}

/// The recovery scenarios: one node of 4 cores unless `nodes` says otherwise, `jobs` as given.
fn recovery(mode: &str, nodes: u32, jobs: &str, extra: &str) -> String {
    format!(
        r#"
name = "recovery"
[[cluster.pools]]
name = "p"
count = {nodes}
cpu = 4
[workload]
type = "list"
jobs = [ {jobs} ]
[policy]
recovery = {mode}
{extra}
"#
    )
}

#[test]
fn active_standby_loses_nothing_and_its_gap_is_detection_plus_takeover() {
    // J1 runs 0..20; J2 waits. The scheduler crashes at 15 (host repaired after 1000 s): the standby takes
    // over at 15 + 5 + 3 = 23, so J2 starts at 23 instead of 20. With `none` it waits for the repair.
    let jobs = "{ submit = 0, runtime = 20, cpu = 4 }, { submit = 1, runtime = 5, cpu = 4 }";
    let crash = "[scheduler]\ncrashes = [\"scheduler 0 down at 15s for 1000s\"]";
    let r = run_toml(&recovery(
        r#"{ name = "active_standby", detection_timeout = "5s", takeover_delay = "3s" }"#,
        1,
        jobs,
        crash,
    ));
    assert_eq!(span(&r, 1), (23.0, 28.0));
    let f = &r.metrics.faults;
    assert_eq!((f.scheduler_crashes, f.failovers, f.lost_submissions), (1, 1, 0));
    assert_eq!(f.scheduler_downtime, 8.0);
    let none = run_toml(&recovery("\"none\"", 1, jobs, crash));
    assert_eq!(span(&none, 1), (1015.0, 1020.0));
    assert_eq!(none.metrics.faults.failovers, 0);
}

#[test]
fn primary_replica_loses_the_lag_window_and_clients_resubmit_after_the_retry_timeout() {
    // J1 holds both nodes 0..25. J2 (t=2), J3 (t=7), J4 (t=9) wait. The primary crashes at 10 with a 5 s
    // replication lag: J3 and J4 (accepted in (5, 10]) are lost; a replica takes over at 10 + 5 + 3 = 18.
    // J2 starts at 25; the clients of J3 and J4 resubmit at 10 + 20 = 30, where they start at once.
    let jobs = "{ submit = 0, runtime = 25, cpu = 4, tasks = 2 }, { submit = 2, runtime = 3, cpu = 4 }, \
                { submit = 7, runtime = 3, cpu = 4 }, { submit = 9, runtime = 3, cpu = 4 }";
    let mode =
        r#"{ name = "primary_replica", detection_timeout = "5s", election_delay = "3s", replication_lag = "5s" }"#;
    let crash = "[scheduler]\ncrashes = [\"scheduler 0 down at 10s for 1000s\"]\nretry_timeout = \"20s\"";
    let r = run_toml(&recovery(mode, 2, jobs, crash));
    assert_eq!((span(&r, 1).0, span(&r, 2).0, span(&r, 3).0), (25.0, 30.0, 30.0));
    let f = &r.metrics.faults;
    assert_eq!((f.lost_submissions, f.resubmissions, f.failovers), (2, 2, 1));
    assert_eq!(r.metrics.all.completed, 4);
    // Without lag nothing is lost and all three start when J1 ends.
    let r0 = run_toml(&recovery(&mode.replace("\"5s\" }", "\"0s\" }"), 2, jobs, crash));
    assert_eq!((span(&r0, 1).0, span(&r0, 2).0, span(&r0, 3).0), (25.0, 25.0, 28.0));
    assert_eq!(r0.metrics.faults.lost_submissions, 0);
}

#[test]
fn decentralized_schedulers_conflict_only_when_gossip_is_stale() {
    // Two schedulers (jobs alternate between them), one 4-core node, two 4-core jobs at 0 and 1.
    // Scheduler 0 places J1 at 0. With gossip every 100 s scheduler 1 still sees the node free at 1:
    // its placement is refused (a conflict), and it learns the node is full; J1 ends at 10 but
    // scheduler 1 only hears of it at the gossip round at 100. With instant gossip there is no conflict.
    let jobs = "{ submit = 0, runtime = 10, cpu = 4 }, { submit = 1, runtime = 10, cpu = 4 }";
    let stale =
        run_toml(&recovery(r#"{ name = "decentralized", schedulers = 2, gossip_interval = "100s" }"#, 1, jobs, ""));
    assert_eq!(stale.metrics.faults.placement_conflicts, 1);
    assert_eq!(span(&stale, 1), (100.0, 110.0));
    let instant =
        run_toml(&recovery(r#"{ name = "decentralized", schedulers = 2, gossip_interval = 0 }"#, 1, jobs, ""));
    assert_eq!(instant.metrics.faults.placement_conflicts, 0);
    assert_eq!(span(&instant, 1), (10.0, 20.0));
}

/// Two decentralized schedulers on one 4-core node (detection 10 s + takeover 5 s, shared state): J0
/// (scheduler 0) holds the node 0..200, J1 (scheduler 1) and J2 (scheduler 0) wait.
fn two_peers(crashes: &str) -> RunResult {
    two_peers_for(200, crashes)
}

fn two_peers_for(first_runtime: u32, crashes: &str) -> RunResult {
    let jobs = "{ submit = 0, runtime = RUNTIME, cpu = 4 }, { submit = 1, runtime = 10, cpu = 1 }, \
                { submit = 2, runtime = 10, cpu = 1 }"
        .replace("RUNTIME", &first_runtime.to_string());
    let mode = r#"{ name = "decentralized", schedulers = 2, gossip_interval = 0 }"#;
    run_toml(&recovery(mode, 1, &jobs, &format!("[scheduler]\ncrashes = [{crashes}]")))
}

#[test]
fn decentralized_takeover_by_a_peer_that_crashed_first_waits_for_a_repair() {
    // Scheduler 0 crashes at 120 (repair 1000 s); scheduler 1 would take partition 0 over at 135, but it
    // crashes at 125 (repair 1000 s). No scheduler is up from 125 to 1120: partition 0 resumes when its
    // own host is back at 1120 (J2 starts then), partition 1 at 1125 (J1).
    let r = two_peers(r#""scheduler 0 down at 120s for 1000s", "scheduler 1 down at 125s for 1000s""#);
    assert_eq!((span(&r, 2).0, span(&r, 1).0), (1120.0, 1125.0));
    let f = &r.metrics.faults;
    assert_eq!((f.scheduler_crashes, f.failovers), (2, 0), "the takeover was cancelled");
    assert_eq!(f.scheduler_downtime, 2000.0);
    // With the peer up, it takes partition 0 over at 135 and J2 starts when the node frees at 200.
    let r = two_peers(r#""scheduler 0 down at 120s for 1000s""#);
    assert_eq!((span(&r, 2).0, span(&r, 1).0), (200.0, 200.0));
    assert_eq!((r.metrics.faults.failovers, r.metrics.faults.scheduler_downtime), (1, 15.0));
}

#[test]
fn decentralized_a_takers_crash_takes_down_the_partitions_it_serves() {
    // Scheduler 1 takes partition 0 over at 135 and crashes at 150 (repair 1000 s): both partitions stop.
    // Partition 0 resumes on its own host, repaired at 1120 (J2 starts then), which takes partition 1 over
    // at 1120 + 15 rather than leave it until host 1 is back at 1150 (J1). Downtime: 15 + 970 s for
    // partition 0, 985 s for partition 1.
    let r = two_peers(r#""scheduler 0 down at 120s for 1000s", "scheduler 1 down at 150s for 1000s""#);
    assert_eq!((span(&r, 2).0, span(&r, 1).0), (1120.0, 1135.0));
    let f = &r.metrics.faults;
    assert_eq!((f.scheduler_crashes, f.failovers, f.scheduler_downtime), (2, 2, 1970.0));
}

#[test]
fn decentralized_a_repaired_host_takes_its_partition_back_from_a_crashed_taker() {
    // J0 holds the node until 400. Scheduler 1 serves partition 0 from 135; host 0 is repaired at 220;
    // scheduler 1 crashes at 300 (repair 1000 s). Host 0 is live: it takes partition 0 back after detection
    // + takeover (315), and partition 1 too. J1 and J2 start when the node frees at 400.
    let r = two_peers_for(400, r#""scheduler 0 down at 120s for 100s", "scheduler 1 down at 300s for 1000s""#);
    assert_eq!((span(&r, 2).0, span(&r, 1).0), (400.0, 400.0));
    let f = &r.metrics.faults;
    assert_eq!((f.scheduler_crashes, f.failovers, f.scheduler_downtime), (2, 3, 15.0 + 15.0 + 15.0));
}

#[test]
fn hybrid_survives_a_scheduler_crash_with_only_its_partition_delayed() {
    // Two nodes, two partitions (even jobs: scheduler 0, odd jobs: scheduler 1). J0 and J1 run 0..10;
    // J2 (scheduler 0) and J3 (scheduler 1) wait. Scheduler 1 crashes at 5; its standby takes over at 13.
    // J2 starts when capacity frees at 10, J3 only at 13.
    let jobs = "{ submit = 0, runtime = 10, cpu = 4 }, { submit = 0, runtime = 10, cpu = 4 }, \
                { submit = 1, runtime = 5, cpu = 4 }, { submit = 1, runtime = 5, cpu = 4 }";
    let mode = r#"{ name = "hybrid", schedulers = 2, detection_timeout = "5s", takeover_delay = "3s" }"#;
    let r = run_toml(&recovery(mode, 2, jobs, "[scheduler]\ncrashes = [\"scheduler 1 down at 5s for 1000s\"]"));
    assert_eq!((span(&r, 2).0, span(&r, 3).0), (10.0, 13.0));
    let f = &r.metrics.faults;
    assert_eq!((f.failovers, f.scheduler_downtime), (1, 8.0));
}

#[test]
fn bad_fault_settings_name_the_key() {
    let text = two_nodes(r#"outages = ["rack nowhere down 1h..2h"]"#);
    let e = Scenario::parse(&text).unwrap().validate().unwrap_err().to_string();
    assert!(e.contains("faults.outages[0]") && e.contains("valid racks"), "{e}");
    let text = recovery(
        "\"none\"",
        1,
        "{ submit = 0, runtime = 1 }",
        "[scheduler]\ncrashes = [\"scheduler 3 down at 1s for 1s\"]",
    );
    let e = Scenario::parse(&text).unwrap().validate().unwrap_err().to_string();
    assert!(e.contains("scheduler 3 does not exist"), "{e}");
    let text = two_nodes("[[faults.pools]]\npool = \"p\"\nmtbf = \"1d\"");
    let e = Scenario::parse(&text).unwrap().validate().unwrap_err().to_string();
    assert!(e.contains("mttr"), "{e}");
}

// ------------------------------------------------------------------------------------------ property

/// Random node failures, partitions, latency and scheduler crashes under every recovery mode.
fn random_scenario() -> impl Strategy<Value = String> {
    let job = (0u64..400, 1u64..120, 1u64..=4, 1u32..=3);
    (
        prop::collection::vec(job, 1..25),
        prop::collection::vec((0u32..4, 0u64..500, 1u64..200), 0..4),
        prop::collection::vec((0u32..4, 0u64..500, 1u64..100), 0..2),
        prop::collection::vec((0u32..2, 0u64..500, 1u64..100), 0..3),
        0usize..5,
        (0u64..3, 0u64..3, prop::option::of(300u64..3000), prop::option::of(0u32..3), any::<bool>()),
        prop::option::of(30u64..60),
    )
        .prop_map(|(jobs, outages, parts, crashes, mode, (lat, gossip, mtbf, retries, ckpt), sched_mtbf)| {
            let jobs: Vec<String> = jobs
                .iter()
                .map(|(s, r, c, t)| format!("{{ submit = {s}, runtime = {r}, cpu = {c}, tasks = {t} }}"))
                .collect();
            let q = |v: Vec<String>| v.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", ");
            let outages = q(outages.iter().map(|(n, a, d)| format!("node {n} down at {a}s for {d}s")).collect());
            let parts = q(parts.iter().map(|(n, a, d)| format!("node {n} unreachable at {a}s for {d}s")).collect());
            let k = if mode >= 3 { 2 } else { 1 };
            let crashes =
                q(crashes.iter().map(|(p, a, d)| format!("scheduler {} down at {a}s for {d}s", p % k)).collect());
            let mode = match mode {
                0 => "\"none\"".to_string(),
                1 => r#"{ name = "active_standby", detection_timeout = "4s", takeover_delay = "2s" }"#.into(),
                2 => r#"{ name = "primary_replica", replication_lag = "20s", detection_timeout = "4s" }"#.into(),
                3 => format!(r#"{{ name = "decentralized", schedulers = 2, gossip_interval = "{gossip}s" }}"#),
                _ => format!(r#"{{ name = "hybrid", schedulers = 2, gossip_interval = "{gossip}s" }}"#),
            };
            let faults = crate::util::faults_head(&outages);
            let mut text = format!(
                r#"
name = "prop"
seed = 9
[[cluster.pools]]
name = "p"
count = 4
cpu = 4
racks = 2
[workload]
type = "list"
jobs = [ {} ]
[policy]
recovery = {mode}
{faults}"#,
                jobs.join(", ")
            );
            if let Some(r) = retries {
                text += &format!("max_retries = {r}\n");
            }
            let ckpt = ckpt.then_some(("15s", "1s"));
            text + &crate::util::fault_tail(ckpt, "", mtbf, lat, &parts, &crashes, sched_mtbf.map(|m| (m, "10s")))
        })
}

/// Checks conservation, that no task ran on a down node and that no node was ever over-committed.
fn check_run(text: &str) -> Result<(), TestCaseError> {
    let r = run_toml_with(text, &RunOptions { log_events: true, audit: true });
    prop_assert!(r.output.audit_violations.is_empty(), "{:?}", r.output.audit_violations);
    let a = &r.metrics.all;
    prop_assert_eq!(a.completed + a.failed + a.cancelled + a.unfinished, a.jobs);
    prop_assert_eq!(a.unfinished, 0, "every job ends without a horizon");
    prop_assert_eq!(a.jobs as usize, r.output.records.len());
    // The books are clean at the end: every node fully free.
    for node in &r.output.cluster.nodes {
        prop_assert_eq!(node.free, node.capacity, "node {} still has capacity booked", node.id);
        prop_assert_eq!(node.running_tasks, 0);
    }
    let log = r.output.log.as_ref().unwrap();
    // Down intervals per node, and physical runs [start, end) cut short by kills.
    let mut down: Vec<Vec<(u64, u64)>> = vec![Vec::new(); r.output.cluster.nodes.len()];
    let mut down_since: Vec<Option<u64>> = vec![None; down.len()];
    let mut runs: Vec<(u32, u64, u64, Vec<u32>)> = Vec::new();
    for e in log {
        match e.kind {
            "node_fail" => down_since[e.node.unwrap() as usize] = Some(e.time),
            "node_up" => {
                let n = e.node.unwrap() as usize;
                down[n].push((down_since[n].take().unwrap(), e.time));
            }
            "run" => {
                let (span, nodes) = e.detail.split_once(" on ").unwrap();
                let (s, t) = span.split_once("..").unwrap();
                let nodes = nodes.split(';').map(|x| x.parse().unwrap()).collect();
                runs.push((e.job.unwrap(), s.parse().unwrap(), t.parse().unwrap(), nodes));
            }
            "task_kill" => {
                let j = e.job.unwrap();
                let run = runs.iter_mut().rev().find(|r| r.0 == j).unwrap();
                run.2 = run.2.min(e.time).max(run.1);
            }
            _ => {}
        }
    }
    for (n, since) in down_since.iter().enumerate() {
        if let Some(a) = since {
            down[n].push((*a, u64::MAX));
        }
    }
    for (j, s, t, nodes) in &runs {
        for &n in nodes {
            for &(a, b) in &down[n as usize] {
                prop_assert!(
                    *t <= a || b <= *s,
                    "job {} ran {}..{} on node {} while it was down {}..{}",
                    j,
                    s,
                    t,
                    n,
                    a,
                    b
                );
            }
        }
    }
    // Physical usage per node never exceeds its capacity.
    let jobs = &r.output.workload.jobs;
    for n in 0..r.output.cluster.nodes.len() as u32 {
        let mut points: Vec<(u64, i64)> = Vec::new();
        for (j, s, t, nodes) in &runs {
            let cpu = jobs[*j as usize].request.cpu as i64 * nodes.iter().filter(|&&m| m == n).count() as i64;
            if cpu > 0 && t > s {
                points.push((*s, cpu));
                points.push((*t, -cpu));
            }
        }
        points.sort_by_key(|&(t, d)| (t, d));
        let mut used = 0;
        for (_, d) in points {
            used += d;
            prop_assert!(used <= 4, "node {} over-committed", n);
        }
    }
    // Each completed job has exactly one completed run whose end is its end.
    for (j, rec) in r.output.records.iter().enumerate() {
        if rec.state.outcome() == "completed" {
            prop_assert!(
                runs.iter().any(|r| r.0 as usize == j && Some(r.2) == rec.end),
                "job {} has no run ending at its end",
                j
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]
    #[test]
    fn every_job_is_accounted_for_once_under_random_failures(text in random_scenario()) {
        check_run(&text)?;
    }
}

#[test]
fn failures_are_deterministic_and_common_to_compared_policies() {
    // The shipped failures scenario: the same seed gives the same run, and a run whose schedule differs
    // (slower network) sees exactly the same node failures (each node and rack draws from its own stream).
    let text = std::fs::read_to_string(repo("scenarios/failures.toml")).unwrap();
    let opts = RunOptions { log_events: true, audit: false };
    let a = run_toml_with(&text, &opts);
    let b = run_toml_with(&text, &opts);
    assert_eq!(a.metrics, b.metrics);
    assert!(a.metrics.faults.node_failures > 10, "the scenario should fail nodes");
    let other = text.replace("mean = \"2ms\"", "mean = \"200ms\"");
    assert_ne!(other, text);
    let c = run_toml_with(&other, &opts);
    assert_ne!(a.metrics.all.wait_mean, c.metrics.all.wait_mean, "the schedules should differ");
    let until = a.output.window.1.min(c.output.window.1);
    let failures = |r: &RunResult| -> Vec<(u64, u32)> {
        let log = r.output.log.as_ref().unwrap();
        log.iter().filter(|e| e.kind == "node_fail" && e.time < until).map(|e| (e.time, e.node.unwrap())).collect()
    };
    assert_eq!(failures(&a), failures(&c));
}
