//! Per-run metrics exactly as DESIGN.md §5 defines them, overall and per tier and per user.

use crate::engine::RunOutput;
use crate::engine::world::JobState;
use crate::model::Time;
use crate::model::time::as_secs_f64;
use crate::stats::{jain, mean, percentile_sorted, sorted};

/// Settings that shape the metrics.
#[derive(Clone, Copy, Debug)]
pub struct MetricsConfig {
    pub starvation_threshold: Time,
    pub bsld_tau: Time,
}

/// Wait, slowdown and starvation statistics of a set of jobs (the whole run, a tier or a user).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GroupStats {
    pub jobs: u64,
    pub completed: u64,
    pub failed: u64,
    pub cancelled: u64,
    pub unfinished: u64,
    /// Jobs whose submit time lies after the horizon: never submitted, so not in `jobs` nor any count.
    pub not_submitted: u64,
    /// Seconds, over jobs that started.
    pub wait_mean: f64,
    pub wait_p50: f64,
    pub wait_p95: f64,
    pub wait_p99: f64,
    pub wait_max: f64,
    /// Seconds, over completed jobs.
    pub response_mean: f64,
    pub bsld_mean: f64,
    pub bsld_p95: f64,
    pub bsld_max: f64,
    /// Jobs whose wait (or, if never started, time waited so far) exceeds the threshold.
    pub starved: u64,
    pub starved_frac: f64,
    /// Jobs that at some point waited while enough capacity for them was free (held back by the
    /// policy or by fragmentation, not by load), and how many of those were starved.
    pub waited_with_free_capacity: u64,
    pub starved_with_free_capacity: u64,
    /// The longest time waited (seconds), counting jobs still waiting at the end, and whose it was.
    pub longest_wait: f64,
    pub longest_wait_job: Option<u64>,
    /// Core-hours delivered.
    pub core_hours: f64,
}

/// One row of `summary.csv`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunMetrics {
    pub all: GroupStats,
    pub rejected: u64,
    /// Allocated / capacity of up nodes over the window, per resource.
    pub util_cpu: f64,
    pub util_mem: f64,
    pub util_gpu: f64,
    /// Allocated cpu / total cpu (up or down) over the window.
    pub util_cpu_total: f64,
    /// Jobs completed per hour of window.
    pub throughput_per_h: f64,
    /// Seconds from first submit to the end of the window.
    pub makespan: f64,
    /// Jain's index over users' mean bounded slowdown.
    pub jain_bsld: f64,
    pub queue_mean: f64,
    pub queue_max: f64,
    pub preemptions: u64,
    pub lost_work_core_h: f64,
    pub events: u64,
    /// Fault metrics (all zero without failures, latency or several schedulers).
    pub faults: super::faults::FaultMetrics,
    /// Per tier (index = tier) and per user (index = user).
    pub tiers: Vec<GroupStats>,
    pub users: Vec<GroupStats>,
    /// The trimmed window's metrics, when `[metrics] window` asked for them.
    pub window: Option<WindowMetrics>,
}

/// Metrics of the trimmed window `[from, to)` (`[metrics] window`): utilization integrated over the
/// window alone, and waits and slowdowns of the jobs submitted within it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WindowMetrics {
    /// Window bounds, seconds after the first submission.
    pub from: f64,
    pub to: f64,
    pub util_cpu: f64,
    pub util_mem: f64,
    pub util_gpu: f64,
    /// Over the jobs submitted in the window.
    pub jobs: u64,
    pub wait_mean: f64,
    pub wait_p95: f64,
    pub bsld_mean: f64,
}

impl WindowMetrics {
    /// The `win_*` columns of `summary.csv`.
    fn columns(&self) -> [(&'static str, f64); 9] {
        [
            ("win_from", self.from),
            ("win_to", self.to),
            ("win_jobs", self.jobs as f64),
            ("win_wait_mean", self.wait_mean),
            ("win_wait_p95", self.wait_p95),
            ("win_bsld_mean", self.bsld_mean),
            ("win_util_cpu", self.util_cpu),
            ("win_util_mem", self.util_mem),
            ("win_util_gpu", self.util_gpu),
        ]
    }
}

impl RunMetrics {
    /// Every numeric metric as (column, value), in `summary.csv` order.
    pub fn columns(&self) -> Vec<(&'static str, f64)> {
        let a = &self.all;
        vec![
            ("jobs", a.jobs as f64),
            ("completed", a.completed as f64),
            ("failed", a.failed as f64),
            ("cancelled", a.cancelled as f64),
            ("unfinished", a.unfinished as f64),
            ("not_submitted", a.not_submitted as f64),
            ("rejected", self.rejected as f64),
            ("wait_mean", a.wait_mean),
            ("wait_p50", a.wait_p50),
            ("wait_p95", a.wait_p95),
            ("wait_p99", a.wait_p99),
            ("wait_max", a.wait_max),
            ("response_mean", a.response_mean),
            ("bsld_mean", a.bsld_mean),
            ("bsld_p95", a.bsld_p95),
            ("bsld_max", a.bsld_max),
            ("starved", a.starved as f64),
            ("starved_frac", a.starved_frac),
            ("waited_with_free_capacity", a.waited_with_free_capacity as f64),
            ("starved_with_free_capacity", a.starved_with_free_capacity as f64),
            ("util_cpu", self.util_cpu),
            ("util_mem", self.util_mem),
            ("util_gpu", self.util_gpu),
            ("util_cpu_total", self.util_cpu_total),
            ("throughput_per_h", self.throughput_per_h),
            ("makespan", self.makespan),
            ("jain_bsld", self.jain_bsld),
            ("queue_mean", self.queue_mean),
            ("queue_max", self.queue_max),
            ("preemptions", self.preemptions as f64),
            ("lost_work_core_h", self.lost_work_core_h),
            ("core_hours", a.core_hours),
            ("events", self.events as f64),
        ]
        .into_iter()
        .chain(self.faults.columns())
        .chain(self.window.iter().flat_map(WindowMetrics::columns))
        .collect()
    }
}

/// Per-job derived values, computed once.
struct JobFacts {
    wait: Option<f64>,
    response: Option<f64>,
    bsld: Option<f64>,
    starved: bool,
    /// Waited at some point while enough capacity for it was free.
    free_wait: bool,
    /// Time waited so far (seconds) and the job's id.
    waited: f64,
    id: u64,
    state: JobState,
    core_h: f64,
    /// Submitted after the end of the window (the horizon): left out of every count but `not_submitted`.
    not_submitted: bool,
    submit: Time,
}

fn stats(facts: &[&JobFacts]) -> GroupStats {
    let not_submitted = facts.iter().filter(|f| f.not_submitted).count() as u64;
    let submitted: Vec<&JobFacts> = facts.iter().copied().filter(|f| !f.not_submitted).collect();
    GroupStats { not_submitted, ..submitted_stats(&submitted) }
}

/// The statistics of jobs that were all submitted.
fn submitted_stats(facts: &[&JobFacts]) -> GroupStats {
    let waits = sorted(&facts.iter().filter_map(|f| f.wait).collect::<Vec<_>>());
    let responses: Vec<f64> = facts.iter().filter_map(|f| f.response).collect();
    let bslds = sorted(&facts.iter().filter_map(|f| f.bsld).collect::<Vec<_>>());
    let count = |s: JobState| facts.iter().filter(|f| f.state == s).count() as u64;
    let cancelled = count(JobState::Cancelled);
    let starved = facts.iter().filter(|f| f.starved).count() as u64;
    let longest = facts.iter().fold(None::<&&JobFacts>, |best, f| match best {
        Some(b) if b.waited >= f.waited => Some(b),
        _ => Some(f),
    });
    let queued_ever = facts.len() as u64 - cancelled;
    GroupStats {
        jobs: facts.len() as u64,
        completed: count(JobState::Completed),
        failed: count(JobState::Failed),
        cancelled,
        unfinished: facts.len() as u64 - count(JobState::Completed) - count(JobState::Failed) - cancelled,
        wait_mean: mean(&waits),
        wait_p50: percentile_sorted(&waits, 0.5),
        wait_p95: percentile_sorted(&waits, 0.95),
        wait_p99: percentile_sorted(&waits, 0.99),
        wait_max: waits.last().copied().unwrap_or(0.0),
        response_mean: mean(&responses),
        bsld_mean: mean(&bslds),
        bsld_p95: percentile_sorted(&bslds, 0.95),
        bsld_max: bslds.last().copied().unwrap_or(0.0),
        starved,
        starved_frac: if queued_ever == 0 { 0.0 } else { starved as f64 / queued_ever as f64 },
        waited_with_free_capacity: facts.iter().filter(|f| f.free_wait).count() as u64,
        starved_with_free_capacity: facts.iter().filter(|f| f.free_wait && f.starved).count() as u64,
        longest_wait: longest.map(|f| f.waited).unwrap_or(0.0),
        longest_wait_job: longest.filter(|f| f.waited > 0.0).map(|f| f.id),
        core_hours: facts.iter().map(|f| f.core_h).sum(),
        not_submitted: 0,
    }
}

/// Bounded slowdown: max(1, response / max(run, τ)).
pub fn bounded_slowdown(response: Time, run: Time, tau: Time) -> f64 {
    (response as f64 / run.max(tau).max(1) as f64).max(1.0)
}

/// Computes every metric of a finished run.
pub fn summarize(out: &RunOutput, cfg: &MetricsConfig) -> RunMetrics {
    let (t0, t_end) = out.window;
    let jobs = &out.workload.jobs;
    let facts: Vec<JobFacts> = jobs
        .iter()
        .zip(&out.records)
        .enumerate()
        .map(|(i, (job, rec))| {
            let wait_t = rec.first_start.map(|s| s - job.submit);
            let waited_so_far = match (rec.first_start, rec.state) {
                (Some(s), _) => s - job.submit,
                (None, JobState::Cancelled | JobState::Pending) => 0,
                (None, _) => t_end.saturating_sub(job.submit),
            };
            let (response, bsld) = match (rec.state, rec.end) {
                (JobState::Completed, Some(end)) => {
                    let response = end - job.submit;
                    (Some(as_secs_f64(response)), Some(bounded_slowdown(response, rec.ran, cfg.bsld_tau)))
                }
                _ => (None, None),
            };
            let cores: u64 = rec.placement.iter().map(|(_, g)| g.cpu).sum();
            JobFacts {
                wait: wait_t.map(as_secs_f64),
                response,
                bsld,
                starved: waited_so_far > cfg.starvation_threshold,
                free_wait: out.first_free_wait.get(i).is_some_and(|t| t.is_some()),
                waited: as_secs_f64(waited_so_far),
                id: job.id,
                state: rec.state,
                core_h: as_secs_f64(rec.ran) * cores as f64 / 3600.0,
                not_submitted: job.submit > t_end,
                submit: job.submit,
            }
        })
        .collect();
    let all_refs: Vec<&JobFacts> = facts.iter().collect();
    let group_by = |key: &dyn Fn(usize) -> usize, n: usize| -> Vec<GroupStats> {
        let mut buckets: Vec<Vec<&JobFacts>> = vec![Vec::new(); n];
        for (i, f) in facts.iter().enumerate() {
            buckets[key(i)].push(f);
        }
        buckets.iter().map(|b| stats(b)).collect()
    };
    let n_tiers = jobs.iter().map(|j| j.tier as usize + 1).max().unwrap_or(0).max(out.workload.tiers.len());
    let n_users = jobs.iter().map(|j| j.user as usize + 1).max().unwrap_or(0).max(out.workload.users.len());
    let tiers = group_by(&|i| jobs[i].tier as usize, n_tiers);
    let users = group_by(&|i| jobs[i].user as usize, n_users);
    let user_bsld: Vec<f64> = users.iter().filter(|u| u.completed > 0).map(|u| u.bsld_mean).collect();

    let u = &out.usage;
    let ratio = |a: u128, b: u128| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let all = stats(&all_refs);
    let rejected =
        out.records.iter().filter(|r| r.reason.as_deref().is_some_and(|m| m.starts_with("rejected"))).count() as u64;
    let window = out.window_usage.as_ref().map(|&((from, to), ref w)| {
        let inside: Vec<&JobFacts> =
            facts.iter().filter(|f| !f.not_submitted && f.submit >= from && f.submit <= to).collect();
        let s = submitted_stats(&inside);
        WindowMetrics {
            from: as_secs_f64(from.saturating_sub(t0)),
            to: as_secs_f64(to.saturating_sub(t0)),
            util_cpu: ratio(w.allocated[0], w.up[0]),
            util_mem: ratio(w.allocated[1], w.up[1]),
            util_gpu: ratio(w.allocated[2], w.up[2]),
            jobs: s.jobs,
            wait_mean: s.wait_mean,
            wait_p95: s.wait_p95,
            bsld_mean: s.bsld_mean,
        }
    });
    let window_len = t_end.saturating_sub(t0);
    RunMetrics {
        window,
        throughput_per_h: if window_len == 0 { 0.0 } else { all.completed as f64 / (as_secs_f64(window_len) / 3600.0) },
        all,
        rejected,
        util_cpu: ratio(u.allocated[0], u.up[0]),
        util_mem: ratio(u.allocated[1], u.up[1]),
        util_gpu: ratio(u.allocated[2], u.up[2]),
        util_cpu_total: ratio(u.allocated[0], u.total[0]),
        makespan: as_secs_f64(window_len),
        jain_bsld: jain(&user_bsld),
        queue_mean: if window_len == 0 { 0.0 } else { u.queued as f64 / window_len as f64 },
        queue_max: u.queued_max as f64,
        preemptions: out.world_counters.preemptions,
        lost_work_core_h: out.world_counters.lost_work_core_us as f64 / 1e6 / 3600.0,
        events: out.events_processed,
        faults: super::faults::FaultMetrics::new(&out.faults, out.cluster.nodes.len(), window_len),
        tiers,
        users,
    }
}
