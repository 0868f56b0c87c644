//! `starvation.csv`: the starvation report of a run — starved jobs, the longest wait, and waits with capacity free — overall, per tier and per user.

use super::atomic::write_atomic;
use crate::error::Result;
use crate::fmt::fmt_num;
use crate::metrics::{GroupStats, RunMetrics};
use crate::model::Workload;
use std::path::Path;

/// Column names of `starvation.csv`.
pub const COLUMNS: [&str; 11] = [
    "scope",
    "name",
    "jobs",
    "starved",
    "starved_frac",
    "wait_max",
    "longest_wait",
    "longest_wait_job",
    "waited_with_free_capacity",
    "starved_with_free_capacity",
    "starved_by_policy_frac",
];

fn row(scope: &str, name: &str, g: &GroupStats) -> Vec<String> {
    let by_policy = if g.starved == 0 { 0.0 } else { g.starved_with_free_capacity as f64 / g.starved as f64 };
    vec![
        scope.to_string(),
        name.to_string(),
        g.jobs.to_string(),
        g.starved.to_string(),
        fmt_num(g.starved_frac),
        fmt_num(g.wait_max),
        fmt_num(g.longest_wait),
        g.longest_wait_job.map(|j| j.to_string()).unwrap_or_default(),
        g.waited_with_free_capacity.to_string(),
        g.starved_with_free_capacity.to_string(),
        fmt_num(by_policy),
    ]
}

/// Writes one row for the whole run (`scope = all`), then one per tier and one per user.
pub fn write_starvation(path: &Path, workload: &Workload, m: &RunMetrics) -> Result<()> {
    write_atomic(path, |w| {
        let mut c = csv::WriterBuilder::new().from_writer(w);
        let err = std::io::Error::other;
        c.write_record(COLUMNS).map_err(err)?;
        c.write_record(row("all", "all", &m.all)).map_err(err)?;
        for (t, g) in m.tiers.iter().enumerate() {
            c.write_record(row("tier", &workload.tier_name(t as u8), g)).map_err(err)?;
        }
        for (u, g) in m.users.iter().enumerate() {
            c.write_record(row("user", workload.user_name(u as u32), g)).map_err(err)?;
        }
        c.flush()
    })
}
