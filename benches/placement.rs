//! Placement speed: 1,000,000 single-task jobs on 10,000 nodes, end to end through the engine and
//! as bare selector decisions, with `least_connections` and `best_fit` (and `first_fit`).
//!
//! Run with `cargo bench --bench placement`; the throughput lines give jobs (decisions) per second.

use clustersim::engine::Simulation;
use clustersim::engine::ports::Policies;
use clustersim::engine::sim::SimOptions;
use clustersim::model::{Cluster, Job, Resources, SECOND, Workload};
use clustersim::policies::selection::{BY_NAME, NodeSelector};
use clustersim::policies::{PolicyEnv, PolicySet, PolicySpec, resolve};
use clustersim::rng;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rand::RngExt;
use std::collections::VecDeque;
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

const JOBS: usize = 1_000_000;
const NODES: u32 = 10_000;
const CORES: u64 = 32;

/// 1 M one-core jobs, 50..150 s long, arriving about every 600 µs: the 320,000 cores run about
/// 50% busy, so ~160,000 jobs run at once and every node holds a mix of tasks.
fn workload() -> Arc<Workload> {
    let mut r = rng::stream(1, "bench");
    let mut t = 0;
    let jobs = (0..JOBS)
        .map(|i| {
            t += r.random_range(0..1200u64);
            let run = r.random_range(50 * SECOND..150 * SECOND);
            let mut mem = Resources::cpus(1);
            mem.mem = r.random_range(0..4) * 1024;
            Job::rigid(i as u64, t, 1, mem, run, run)
        })
        .collect();
    Arc::new(Workload {
        jobs,
        users: vec!["u".into()],
        groups: vec!["g".into()],
        tiers: vec!["t".into()],
        ..Default::default()
    })
}

fn cluster() -> Cluster {
    Cluster::uniform("p", NODES, Resources::new(CORES, 128 * 1024, 0))
}

fn simulate(w: &Arc<Workload>, selection: &str) -> u64 {
    let c = cluster();
    let set = PolicySet { selection: PolicySpec::named(selection), ..Default::default() };
    let policies = Policies::build(&set, 1, &c, &w.tiers, &w.users).unwrap();
    let out = Simulation::new(Arc::clone(w), c, policies, SimOptions::default()).run();
    out.events_processed
}

/// Bare decisions: place each job, keep it for its runtime's share of a FIFO of running jobs,
/// release the oldest when 160,000 run (the same steady state, without the event engine).
fn decisions(jobs: &[Job], selection: &str) -> u64 {
    let mut c = cluster();
    let env = PolicyEnv { seed: 1, cluster: &c, tiers: &[], users: &[] };
    let mut s: Box<dyn NodeSelector> =
        resolve("selection", "policy.selection", &PolicySpec::named(selection), BY_NAME, &env).unwrap();
    let mut running = VecDeque::with_capacity(160_001);
    let mut sum = 0u64;
    for job in jobs {
        let n = s.select(&c, job, &job.request, &[]).expect("half-empty cluster always fits");
        c.allocate(n, job.request);
        s.node_changed(&c, n);
        running.push_back((n, job.request));
        if running.len() > 160_000 {
            let (m, g) = running.pop_front().unwrap();
            c.release(m, g);
            s.node_changed(&c, m);
        }
        sum += n as u64;
    }
    sum
}

fn bench(c: &mut Criterion) {
    let w = workload();
    let mut g = c.benchmark_group("placement_1M_jobs_10k_nodes");
    g.sample_size(10).measurement_time(Duration::from_secs(20)).throughput(Throughput::Elements(JOBS as u64));
    for sel in ["least_connections", "best_fit", "first_fit"] {
        g.bench_function(format!("decisions/{sel}"), |b| b.iter(|| black_box(decisions(&w.jobs, sel))));
    }
    for sel in ["least_connections", "best_fit"] {
        g.bench_function(format!("simulate/{sel}"), |b| b.iter(|| black_box(simulate(&w, sel))));
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = bench
}
criterion_main!(benches);
