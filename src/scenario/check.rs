//! `[check]`: the tolerances of `clustersim check` per metric (or `*` pattern), as a scenario writes them.

use crate::error::ScenarioError;
use crate::metrics::RunMetrics;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Which way a metric may move without counting as a regression.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Lower is better: a rise beyond the tolerance is a regression, any drop passes.
    Lower,
    /// Higher is better: a drop beyond the tolerance is a regression, any rise passes.
    Higher,
    /// Neither is better: a change either way beyond the tolerance is a regression.
    Equal,
    /// Informational: shown, never a regression.
    Ignore,
}

/// One metric's tolerance as written in `[check]` (every field optional).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToleranceSpec {
    /// Allowed change in the metric's own unit (utilization is a fraction: 0.5 pt is `0.005`).
    pub abs: Option<f64>,
    /// Allowed change relative to the baseline value (`0.02` = 2%).
    pub rel: Option<f64>,
    /// Overrides the metric's built-in direction.
    pub direction: Option<Direction>,
}

/// The `[check]` table: metric name (or a `*` pattern such as `"wait_*"`) → tolerance.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(transparent)]
pub struct CheckSpec {
    pub tolerances: BTreeMap<String, ToleranceSpec>,
}

impl CheckSpec {
    /// Checks the values and that every key names (or, as a pattern, matches) a metric of `summary.csv`.
    /// `prefix` is the key path of the table (`check`).
    pub fn validate(&self, prefix: &str) -> Result<(), ScenarioError> {
        let known = known_metrics();
        for (key, spec) in &self.tolerances {
            let path = format!("{prefix}.{key}");
            for (field, v) in [("abs", spec.abs), ("rel", spec.rel)] {
                if let Some(v) = v.filter(|v| !(v.is_finite() && *v >= 0.0)) {
                    return Err(ScenarioError::invalid(
                        format!("{path}.{field}"),
                        format!("expected a finite number ≥ 0, found {v}"),
                    ));
                }
            }
            if !known.iter().any(|m| glob_match(key, m)) {
                let what = if key.contains('*') { "pattern matches no metric" } else { "unknown metric" };
                return Err(ScenarioError::invalid(path, format!("{what} (valid metrics: {})", known.join(", "))));
            }
        }
        Ok(())
    }

    /// The most specific entry for `metric`: an exact name, else the longest matching pattern.
    pub fn lookup(&self, metric: &str) -> Option<&ToleranceSpec> {
        if let Some(s) = self.tolerances.get(metric) {
            return Some(s);
        }
        self.tolerances
            .iter()
            .filter(|(k, _)| k.contains('*') && glob_match(k, metric))
            .max_by_key(|(k, _)| k.len())
            .map(|(_, s)| s)
    }
}

/// Every metric column of `summary.csv`, in order.
pub fn known_metrics() -> Vec<&'static str> {
    let run = RunMetrics::default().columns().into_iter().map(|(k, _)| k);
    run.chain(GPU_SHARING_METRICS.iter().copied()).collect()
}

/// The metrics of a GPU-sharing study's `summary.csv` (one row per trace × policy × repeat).
pub const GPU_SHARING_METRICS: &[&str] = &[
    "tasks",
    "gpu_tasks",
    "tasks_failed",
    "gpu_tasks_failed",
    "gpu_demand_gpus",
    "gpu_alloc_ratio",
    "gpus_unallocated",
    "frag_ratio",
    "frag_gpus",
    "failed_gpu_share",
    "alloc_at_capacity",
    "first_failure_pct",
];

/// Matches `name` against `pattern`, where `*` stands for any run of characters.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == name;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !name.starts_with(first) || name.len() < first.len() + last.len() || !name.ends_with(last) {
        return false;
    }
    let mut rest = &name[first.len()..name.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}
