//! Fault counters and gauges of a run: what failed, what it cost, how long detection and recovery took.

use crate::model::Time;

/// Counts of fault events over a run, plus gauges the timeline samples.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FaultCounters {
    /// Nodes that went down (a rack failure counts each of its nodes).
    pub node_failures: u64,
    /// Tasks that died with a node or were fenced off an unreachable one.
    pub tasks_killed: u64,
    /// Work thrown away by failures (since the last checkpoint), in core-µs.
    pub work_lost_core_us: u128,
    /// Jobs requeued after their tasks died.
    pub restarts: u64,
    /// Jobs dispatched again after a failed dispatch or a placement conflict.
    pub retries: u64,
    /// Jobs fenced off nodes the registry declared dead while they still ran (partitions).
    pub evictions: u64,
    /// Dispatches that failed at a dead or unreachable node (after the RPC timeout).
    pub failed_dispatches: u64,
    /// Jobs that failed for good after `max_retries` restarts.
    pub retries_exhausted: u64,
    /// Node failures the registry noticed, and the total and largest time it took (µs).
    pub detections: u64,
    pub detection_latency_sum: u128,
    pub detection_latency_max: Time,
    pub scheduler_crashes: u64,
    /// Partition-µs during which a partition was not scheduled.
    pub scheduler_downtime: u128,
    /// Crashes recovered by another host (standby, replica or peer).
    pub failovers: u64,
    /// Submissions lost in a replication window.
    pub lost_submissions: u64,
    /// Submissions sent again by clients (after a bounce or a loss).
    pub resubmissions: u64,
    /// Placements refused at the node because another scheduler had taken the capacity.
    pub placement_conflicts: u64,
    /// Gauge: nodes down or unreachable now.
    pub nodes_bad: u32,
    /// Gauge: partitions not being scheduled now.
    pub partitions_down: u32,
    /// ∫ nodes_bad dt (node-µs), up to `last`.
    pub bad_node_time: u128,
    pub last: Time,
}

impl FaultCounters {
    /// Adds the time since the last change to the integrals; call before changing a gauge.
    #[inline]
    pub fn touch(&mut self, now: Time) {
        if now > self.last {
            self.bad_node_time += self.nodes_bad as u128 * (now - self.last) as u128;
            self.last = now;
        }
    }
}
