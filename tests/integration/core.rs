//! The simulator core end to end: a hand-computed schedule, determinism, and the shipped quickstart.

use crate::util::{repo, run_toml, starts_and_ends};

/// Two 4-core nodes, FIFO + round robin, three jobs:
/// J1 (t=0, 1×4 cores, 100 s) starts at once; J2 (t=10, 2×4 cores, 50 s) needs both nodes and waits
/// for J1; J3 (t=20, 1×2 cores, 30 s) would fit at once but FIFO keeps it behind J2.
pub(crate) const THREE_JOBS: &str = r#"
name = "three-jobs"
[[cluster.pools]]
name = "p"
count = 2
cpu = 4
[workload]
type = "list"
jobs = [
  { submit = 0, runtime = 100, cpu = 4 },
  { submit = 10, runtime = 50, cpu = 4, tasks = 2 },
  { submit = 20, runtime = 30, cpu = 2 },
]
[policy]
queue = "fifo"
selection = "round_robin"
"#;

#[test]
fn hand_computed_three_jobs_on_two_nodes() {
    let r = run_toml(THREE_JOBS);
    assert_eq!(starts_and_ends(&r), vec![(0.0, 100.0), (100.0, 150.0), (150.0, 180.0)]);
    let m = &r.metrics;
    // waits 0, 90, 130
    assert!((m.all.wait_mean - 220.0 / 3.0).abs() < 1e-9);
    assert_eq!(m.all.wait_max, 130.0);
    // bounded slowdowns 100/100, 140/50, 160/30
    assert!((m.all.bsld_mean - (1.0 + 2.8 + 160.0 / 30.0) / 3.0).abs() < 1e-9);
    // 860 core-seconds allocated over 8 cores × 180 s
    assert!((m.util_cpu - 860.0 / 1440.0).abs() < 1e-12);
    assert_eq!(m.makespan, 180.0);
    assert_eq!(m.all.completed, 3);
    // J2's two tasks went to node 1 then node 0 (the round-robin cursor had moved past node 0).
    let nodes: Vec<u32> = r.output.records[1].placement.iter().map(|(n, _)| *n).collect();
    assert_eq!(nodes, vec![1, 0]);
}

#[test]
fn quickstart_is_deterministic() {
    let text = std::fs::read_to_string(repo("scenarios/quickstart.toml")).unwrap();
    let a = run_toml(&text);
    let b = run_toml(&text);
    assert_eq!(starts_and_ends(&a), starts_and_ends(&b));
    assert_eq!(a.metrics, b.metrics);
    assert_eq!(a.metrics.all.jobs, 3000);
}

#[test]
fn a_stepped_run_with_extra_passes_equals_a_run() {
    use clustersim::runner::{RunOptions, compile_on, simulate_plan, start_plan};
    let text = std::fs::read_to_string(repo("scenarios/quickstart.toml")).unwrap();
    let sc = clustersim::scenario::Scenario::parse(&text).unwrap();
    let src = std::path::Path::new("quickstart.toml");
    let workload = std::sync::Arc::new(sc.build_workload(1).unwrap());
    let opts = RunOptions::default();
    let whole = simulate_plan(compile_on(&sc, src, 1, workload.clone()).unwrap(), &opts);
    let mut sim = start_plan(compile_on(&sc, src, 1, workload).unwrap(), &opts);
    let mut steps = 0;
    while sim.step() {
        // a pass with nothing new to do starts nothing: the built-in FIFO already started what fits
        sim.schedule_now();
        steps += 1;
    }
    assert!(!sim.step(), "a finished run stays finished");
    let stepped = sim.finish();
    assert!(steps >= 6000, "{steps} steps for 3,000 jobs");
    let times = |o: &clustersim::engine::RunOutput| o.records.iter().map(|r| (r.start, r.end)).collect::<Vec<_>>();
    assert_eq!(times(&whole), times(&stepped));
    assert_eq!(whole.events_processed, stepped.events_processed);
}
