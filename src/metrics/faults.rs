//! Fault metrics of a run (DESIGN.md §5 "faults"): failures, what they cost, detection and recovery times.

use crate::engine::faults::FaultCounters;
use crate::model::Time;
use crate::model::time::as_secs_f64;

/// The fault columns of `summary.csv`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FaultMetrics {
    pub node_failures: u64,
    pub tasks_killed: u64,
    /// Work thrown away by failures (since the last checkpoint), core-seconds.
    pub work_lost_core_s: f64,
    pub restarts: u64,
    pub retries: u64,
    pub evictions: u64,
    pub failed_dispatches: u64,
    pub retries_exhausted: u64,
    pub detections: u64,
    /// Seconds from a node going bad to the registry declaring it dead.
    pub detection_latency_mean: f64,
    pub detection_latency_max: f64,
    pub scheduler_crashes: u64,
    /// Partition-seconds without scheduling.
    pub scheduler_downtime: f64,
    pub failovers: u64,
    pub lost_submissions: u64,
    pub resubmissions: u64,
    pub placement_conflicts: u64,
    /// Fraction of node-time the nodes were up and reachable.
    pub availability: f64,
}

impl FaultMetrics {
    pub fn new(c: &FaultCounters, nodes: usize, window: Time) -> FaultMetrics {
        let node_time = nodes as f64 * window as f64;
        FaultMetrics {
            node_failures: c.node_failures,
            tasks_killed: c.tasks_killed,
            work_lost_core_s: c.work_lost_core_us as f64 / 1e6,
            restarts: c.restarts,
            retries: c.retries,
            evictions: c.evictions,
            failed_dispatches: c.failed_dispatches,
            retries_exhausted: c.retries_exhausted,
            detections: c.detections,
            detection_latency_mean: if c.detections == 0 {
                0.0
            } else {
                c.detection_latency_sum as f64 / c.detections as f64 / 1e6
            },
            detection_latency_max: as_secs_f64(c.detection_latency_max),
            scheduler_crashes: c.scheduler_crashes,
            scheduler_downtime: c.scheduler_downtime as f64 / 1e6,
            failovers: c.failovers,
            lost_submissions: c.lost_submissions,
            resubmissions: c.resubmissions,
            placement_conflicts: c.placement_conflicts,
            availability: if node_time > 0.0 { 1.0 - c.bad_node_time as f64 / node_time } else { 1.0 },
        }
    }

    /// (column, value) pairs, in `summary.csv` order.
    pub fn columns(&self) -> Vec<(&'static str, f64)> {
        vec![
            ("node_failures", self.node_failures as f64),
            ("tasks_killed", self.tasks_killed as f64),
            ("work_lost_core_s", self.work_lost_core_s),
            ("restarts", self.restarts as f64),
            ("retries", self.retries as f64),
            ("evictions", self.evictions as f64),
            ("failed_dispatches", self.failed_dispatches as f64),
            ("retries_exhausted", self.retries_exhausted as f64),
            ("detections", self.detections as f64),
            ("detection_latency_mean", self.detection_latency_mean),
            ("detection_latency_max", self.detection_latency_max),
            ("scheduler_crashes", self.scheduler_crashes as f64),
            ("scheduler_downtime", self.scheduler_downtime),
            ("failovers", self.failovers as f64),
            ("lost_submissions", self.lost_submissions as f64),
            ("resubmissions", self.resubmissions as f64),
            ("placement_conflicts", self.placement_conflicts as f64),
            ("availability", self.availability),
        ]
    }
}

/// Lines for the command line's summary table (nothing when no fault happened).
pub fn summary_lines(m: &FaultMetrics) -> String {
    if *m == (FaultMetrics { availability: m.availability, ..Default::default() }) && m.availability == 1.0 {
        return String::new();
    }
    let row = |name: &str, v: String, unit: &str| format!("  {name:<26}{v:>14} {unit}\n");
    let mut s = String::new();
    s += &row("node fails / tasks killed", format!("{} / {}", m.node_failures, m.tasks_killed), "");
    s += &row("work lost", format!("{:.1}", m.work_lost_core_s / 3600.0), "core-h");
    s += &row("restarts / retries", format!("{} / {}", m.restarts, m.retries), "");
    s += &row("detection mean / max", format!("{:.1} / {:.1}", m.detection_latency_mean, m.detection_latency_max), "s");
    s += &row("scheduler downtime", format!("{:.0}", m.scheduler_downtime), "s");
    s += &row("sched. crashes / failovers", format!("{} / {}", m.scheduler_crashes, m.failovers), "");
    s += &row("submissions lost / resent", format!("{} / {}", m.lost_submissions, m.resubmissions), "");
    s += &row("placement conflicts", format!("{}", m.placement_conflicts), "");
    s += &row("availability", format!("{:.3}", 100.0 * m.availability), "%");
    s
}
