//! The one compile step: a scenario, a seed and its workload become a [`RunPlan`], everything the engine
//! needs (cluster, one policy per axis and a factory for other scheduler partitions, run options, fault
//! settings). `run`, sweeps, `check` and `validate` all go through it, so whatever a run would reject,
//! `validate` rejects too.

use super::Scenario;
use crate::engine::faults::FaultLayer;
use crate::engine::ports::Policies;
use crate::engine::sim::SimOptions;
use crate::error::ScenarioError;
use crate::metrics::MetricsConfig;
use crate::model::{Cluster, Time, Workload};
use crate::policies::Factory;
use std::sync::Arc;

/// Everything one run needs, resolved and checked.
pub struct RunPlan {
    pub seed: u64,
    pub workload: Arc<Workload>,
    pub cluster: Cluster,
    /// Partition 0's policies (the simulation's own).
    pub policies: Policies,
    /// Horizon, timeline interval, kill at estimate (the event log and audit are the caller's to set).
    pub options: SimOptions,
    /// The fault model (with the factory of the other partitions' policies), when the scenario has
    /// failures, latency or several schedulers.
    pub faults: Option<FaultLayer>,
    pub metrics: MetricsConfig,
}

/// Default timeline interval: the submit span / 500, but at least the span to the last job's end
/// (had no job waited) / 1,000, and at least one second: about 500 samples over the submissions and
/// at most about 1,000 over the jobs' own run times, however long they are.
fn auto_interval(w: &Workload) -> Time {
    let Some(first) = w.jobs.first().map(|j| j.submit) else { return crate::model::SECOND };
    let submits = w.jobs.last().map_or(0, |j| j.submit - first);
    let ends = w.jobs.iter().map(|j| j.submit.saturating_add(j.runtime) - first).max().unwrap_or(0);
    (submits / 500).max(ends / 1000).max(crate::model::SECOND)
}

impl Scenario {
    /// Resolves the scenario for one run of `workload` with `seed`: builds the cluster and the policies
    /// (tier and user names from the workload), checks the fault sections against them.
    pub fn compile(&self, seed: u64, workload: Arc<Workload>) -> Result<RunPlan, ScenarioError> {
        let cluster = self.build_cluster();
        let factory =
            Factory { set: self.policy.clone(), seed, tiers: workload.tiers.clone(), users: workload.users.clone() };
        let policies = crate::engine::ports::PolicyFactory::build(&factory, 0, &cluster)?;
        let faults = match super::fault_setup::fault_setup(self, seed, &cluster, policies.recovery.partitions())? {
            Some(setup) => Some(FaultLayer::build(setup, &cluster, &workload, &policies, Box::new(factory))?),
            None => None,
        };
        let t0 = workload.jobs.first().map(|j| j.submit).unwrap_or(0);
        let options = SimOptions {
            horizon: self.horizon.map(|h| t0 + h.micros()),
            sample_interval: Some(
                self.metrics.sample_interval.map(|d| d.micros()).unwrap_or_else(|| auto_interval(&workload)),
            ),
            kill_at_estimate: self.policy.kill_at_estimate,
            log_events: false,
            audit: false,
            metrics_window: self.metrics.window.as_ref().map(|w| {
                let last_submit = workload.jobs.iter().map(|j| j.submit).max().unwrap_or(t0);
                let to = match w.end() {
                    Ok(super::WindowEnd::After(d)) => t0 + d,
                    // Checked by `validate`: an unreadable end falls back to the last submission.
                    _ => last_submit,
                };
                (t0 + w.warmup.micros(), to)
            }),
        };
        let metrics = MetricsConfig {
            starvation_threshold: self.metrics.starvation_threshold.micros(),
            bsld_tau: self.metrics.bsld_tau.micros(),
        };
        Ok(RunPlan { seed, workload, cluster, policies, options, faults, metrics })
    }
}
