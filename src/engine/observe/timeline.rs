//! The timeline: instantaneous utilization, queue length and running jobs, sampled at a fixed interval.

use crate::engine::world::World;
use crate::model::Time;

/// One timeline row.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    pub time: Time,
    pub nodes_up: u32,
    /// Allocated / capacity of up nodes, per resource (0 when there is no such capacity).
    pub util: [f64; 3],
    pub queued: u32,
    pub running: u32,
    pub finished: u64,
    /// Nodes down or unreachable, and scheduler partitions not being scheduled.
    pub nodes_failed: u32,
    pub schedulers_down: u32,
    /// Running totals of fault events.
    pub node_failures: u64,
    pub tasks_killed: u64,
    pub failed_dispatches: u64,
    pub placement_conflicts: u64,
    pub lost_submissions: u64,
}

/// Collects samples; the engine calls it at every `Sample` event. A run never keeps more than
/// [`MAX_SAMPLES`](crate::limits::MAX_SAMPLES): past that, every other sample is dropped and the
/// interval doubles (the samples left are those of the doubled interval from the first).
pub struct Sampler {
    pub interval: Time,
    pub samples: Vec<Sample>,
    finished: u64,
}

impl Sampler {
    pub fn new(interval: Time) -> Self {
        Sampler { interval, samples: Vec::new(), finished: 0 }
    }

    pub fn record(&mut self, t: Time, world: &World, queued: usize) {
        let cap = world.cluster.up_capacity.as_array();
        let alloc = world.cluster.allocated().as_array();
        let mut util = [0.0; 3];
        for k in 0..3 {
            if cap[k] > 0 {
                util[k] = alloc[k] as f64 / cap[k] as f64;
            }
        }
        self.finished = world.finished;
        self.samples.push(Sample {
            time: t,
            nodes_up: world.cluster.nodes_up() as u32,
            util,
            queued: queued as u32,
            running: world.running.len() as u32,
            finished: self.finished,
            nodes_failed: world.faults.nodes_bad,
            schedulers_down: world.faults.partitions_down,
            node_failures: world.faults.node_failures,
            tasks_killed: world.faults.tasks_killed,
            failed_dispatches: world.faults.failed_dispatches,
            placement_conflicts: world.faults.placement_conflicts,
            lost_submissions: world.faults.lost_submissions,
        });
        if self.samples.len() > crate::limits::MAX_SAMPLES {
            self.thin();
        }
    }

    /// Keeps samples 0, 2, 4, ... and doubles the interval. `MAX_SAMPLES` is even, so the newest
    /// sample is kept and the next one falls on the doubled grid.
    fn thin(&mut self) {
        let mut k = 0;
        self.samples.retain(|_| {
            k += 1;
            k % 2 == 1
        });
        self.interval = self.interval.saturating_mul(2);
    }
}
