//! One run of a GPU-sharing study: a trace's tasks shuffled and inflated to the target demand, then
//! placed one by one by one policy; the tasks never leave. Samples are taken at every whole percent
//! of arrived GPU demand (relative to the cluster's GPUs).

use super::inputs::{Inputs, Trace};
use crate::engine::gpu::{GpuCluster, GpuPolicy};
use crate::model::gpu::GpuTask;
use crate::rng;
use rand::RngExt;
use rand::seq::SliceRandom;

/// The arrival sequence of one run: the trace shuffled (unless `keep_order`), then tasks drawn
/// uniformly from it until one more would push the GPU demand past `inflation` × `capacity`; when
/// the trace alone asks for more than that, tasks drawn at random leave until it no longer does.
/// Inflation 0 keeps the trace's tasks as they are. Depends only on the trace, the seed and the
/// study's settings, so every policy sees the same tasks.
pub fn arrivals(trace: &Trace, capacity: u64, inflation: f64, keep_order: bool, seed: u64) -> Vec<GpuTask> {
    let stream = |what: &str| rng::stream(seed, &format!("gpu_sharing.{what}.{}", trace.name));
    let mut tasks = trace.tasks.clone();
    if !keep_order {
        tasks.shuffle(&mut stream("shuffle"));
    }
    if inflation == 0.0 {
        return tasks;
    }
    let target = (inflation * capacity as f64).floor() as u64;
    let mut demand: u64 = tasks.iter().map(|t| t.total_milli()).sum();
    let mut draw = stream("inflate");
    if demand > target {
        while demand > target && !tasks.is_empty() {
            let t = tasks.remove(draw.random_range(0..tasks.len()));
            demand -= t.total_milli();
        }
        return tasks;
    }
    loop {
        let t = trace.tasks[draw.random_range(0..trace.tasks.len())];
        if demand + t.total_milli() > target {
            return tasks;
        }
        demand += t.total_milli();
        tasks.push(t);
    }
}

/// The state of a run at one point of arrived demand.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sample {
    /// Arrived GPU demand, in percent of the cluster's GPUs.
    pub arrived_pct: u32,
    pub tasks_arrived: u64,
    /// Allocated milli-GPU over the cluster's.
    pub gpu_alloc: f64,
    /// Fragmented share of the idle milli-GPU.
    pub frag_ratio: f64,
    /// Fragmented milli-GPU, in GPUs.
    pub frag_gpus: f64,
    /// Tasks that found no node so far.
    pub tasks_failed: u64,
    /// GPU demand of the failed tasks over the arrived GPU demand.
    pub failed_gpu_share: f64,
}

/// What one run ends with.
#[derive(Clone, Debug, PartialEq)]
pub struct RunOutcome {
    pub tasks: u64,
    pub gpu_tasks: u64,
    pub tasks_failed: u64,
    pub gpu_tasks_failed: u64,
    /// GPU demand of all arrived tasks, in GPUs.
    pub gpu_demand: f64,
    pub final_sample: Sample,
    /// Allocated share when the arrived demand first reached the cluster's GPUs (100 %).
    pub alloc_at_capacity: Option<f64>,
    /// Arrived demand (percent) when the first GPU task failed.
    pub first_failure_pct: Option<f64>,
    /// Unallocated GPUs at the end.
    pub gpus_unallocated: f64,
    /// The largest number of node classes one decision looked at.
    pub classes_max: usize,
    pub samples: Vec<Sample>,
}

/// Places `tasks` in order with `policy`; `seed` drives the tie-breaks.
pub fn place_all(
    inputs: &Inputs,
    trace: &Trace,
    tasks: &[GpuTask],
    policy: &mut dyn GpuPolicy,
    seed: u64,
) -> RunOutcome {
    let mut rank: Vec<u32> = (0..inputs.nodes.len() as u32).collect();
    rank.shuffle(&mut rng::stream(seed, "gpu_sharing.node_rank"));
    let mut cluster = GpuCluster::new(inputs.nodes.clone(), (*trace.mix).clone(), rank);
    let capacity = cluster.gpu_capacity();
    let mut ties = rng::stream(seed, "gpu_sharing.ties");
    let (mut arrived, mut failed_milli) = (0u64, 0u64);
    let (mut failed, mut gpu_tasks, mut gpu_failed) = (0u64, 0u64, 0u64);
    let mut samples = Vec::new();
    let mut next_pct = 1u32;
    let mut first_failure = None;
    let mut classes_max = 0;
    let sample = |cluster: &GpuCluster, pct: u32, n: u64, failed: u64, arrived: u64, failed_milli: u64| {
        let idle = (capacity - cluster.gpu_allocated()) as f64;
        Sample {
            arrived_pct: pct,
            tasks_arrived: n,
            gpu_alloc: cluster.gpu_allocated() as f64 / capacity as f64,
            frag_ratio: if idle > 0.0 { cluster.frag_total() / idle } else { 0.0 },
            frag_gpus: cluster.frag_total() / 1000.0,
            tasks_failed: failed,
            failed_gpu_share: if arrived > 0 { failed_milli as f64 / arrived as f64 } else { 0.0 },
        }
    };
    for (i, task) in tasks.iter().enumerate() {
        classes_max = classes_max.max(cluster.live_classes());
        arrived += task.total_milli();
        if task.wants_gpu() {
            gpu_tasks += 1;
        }
        match cluster.choose(policy, task, &mut ties) {
            Some((n, devices)) => cluster.place(n, task, devices),
            None => {
                failed += 1;
                if task.wants_gpu() {
                    gpu_failed += 1;
                    failed_milli += task.total_milli();
                    first_failure.get_or_insert(100.0 * arrived as f64 / capacity as f64);
                }
            }
        }
        while (arrived as u128) * 100 >= next_pct as u128 * capacity as u128 {
            samples.push(sample(&cluster, next_pct, i as u64 + 1, failed, arrived, failed_milli));
            next_pct += 1;
        }
    }
    let pct = (100 * arrived / capacity.max(1)) as u32;
    let final_sample = sample(&cluster, pct, tasks.len() as u64, failed, arrived, failed_milli);
    let alloc_at_capacity = samples.iter().find(|s| s.arrived_pct == 100).map(|s| s.gpu_alloc);
    RunOutcome {
        tasks: tasks.len() as u64,
        gpu_tasks,
        tasks_failed: failed,
        gpu_tasks_failed: gpu_failed,
        gpu_demand: arrived as f64 / 1000.0,
        final_sample,
        alloc_at_capacity,
        first_failure_pct: first_failure,
        gpus_unallocated: (capacity - cluster.gpu_allocated()) as f64 / 1000.0,
        classes_max,
        samples,
    }
}
