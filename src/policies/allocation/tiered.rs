//! `tiered`: each tier owns a quota, a share of the cluster's up capacity (per resource). A job
//! whose tier stays within its quota may start; a tier may go beyond it, borrowing idle capacity,
//! only while no other tier has jobs waiting. Borrowed capacity is not taken back by force; the
//! tier is simply held to its quota until its jobs end. A job larger than its tier's whole quota
//! is never held (it could otherwise never run); it starts whenever it fits.
//!
//! The hold only helps the waiting tier if the queue discipline looks past the held job: under
//! `fifo` the held job blocks the queue head and the capacity stays idle until the tier's own jobs end.
//!
//! Parameter `quotas`: a table of tier name → share (`{ batch = 0.3, prod = 0.7 }`); tiers not named
//! share the rest equally (with no table, every tier gets an equal share). Malleable tasks are granted
//! as `greedy` does, but a tier within its quota grows them only up to its quota.
//! Cost per decision: O(tiers) for the waiting check.

use super::{Allocator, greedy_cpu};
use crate::engine::world::World;
use crate::error::ScenarioError;
use crate::model::{Job, JobIdx, Node, Resources};
use crate::policies::{Params, PolicyEnv};

#[derive(Debug)]
pub struct Tiered {
    /// Share of capacity per tier (index = tier); tiers beyond the list share `rest`.
    shares: Vec<f64>,
    rest: f64,
    /// Cores the job being admitted may still grow by without leaving its tier's quota.
    headroom: u64,
}

pub fn build(p: &Params, env: &PolicyEnv) -> Result<Box<dyn Allocator>, ScenarioError> {
    let given = p.number_map("quotas")?;
    p.finish()?;
    let key = |name: &str| format!("{}.quotas.{name}", p.path);
    for (name, share) in &given {
        if !(0.0..=1.0).contains(share) {
            return Err(ScenarioError::invalid(key(name), format!("expected a share in [0, 1], found {share}")));
        }
        // Tier names are known only once the workload is built (not while validating the file).
        if !env.tiers.is_empty() && !env.tiers.iter().any(|t| t == name) {
            return Err(ScenarioError::invalid(
                key(name),
                format!("no tier is called `{name}` (tiers: {})", env.tiers.join(", ")),
            ));
        }
    }
    let total: f64 = given.iter().map(|(_, s)| s).sum();
    if total > 1.0 + 1e-9 {
        return Err(ScenarioError::invalid(
            format!("{}.quotas", p.path),
            format!("shares add up to {total}, more than 1"),
        ));
    }
    let named = |t: &str| given.iter().find(|(n, _)| n == t).map(|(_, s)| *s);
    let unnamed = env.tiers.iter().filter(|t| named(t).is_none()).count();
    let rest = if unnamed == 0 { 0.0 } else { (1.0 - total).max(0.0) / unnamed as f64 };
    let shares = env.tiers.iter().map(|t| named(t).unwrap_or(rest)).collect();
    Ok(Box::new(Tiered { shares, rest, headroom: 0 }))
}

impl Tiered {
    /// The quota of `tier` on a cluster whose up capacity is `cap`.
    fn quota(&self, tier: u8, cap: Resources) -> Resources {
        let share = self.shares.get(tier as usize).copied().unwrap_or(self.rest);
        let part = |x: u64| (x as f64 * share + 1e-9).floor() as u64;
        Resources::new(part(cap.cpu), part(cap.mem), part(cap.gpu))
    }
}

impl Allocator for Tiered {
    fn admit(&mut self, world: &World, j: JobIdx) -> bool {
        let job = world.job(j);
        let quota = self.quota(job.tier, world.cluster().up_capacity);
        let after = world.tier_load().running(job.tier) + job.total_request();
        if after.fits_in(&quota) {
            self.headroom = (quota.cpu - after.cpu) / job.tasks.max(1) as u64;
            return true;
        }
        self.headroom = u64::MAX;
        // A job larger than its tier's whole quota could never start if held: it may only borrow.
        // Any other job is held while another tier waits; it becomes admissible at the latest when
        // its tier's running jobs have ended, so holding never blocks for ever.
        let larger_than_quota = !job.total_request().fits_in(&quota);
        larger_than_quota || world.tier_load().waiting_tiers().all(|t| t == job.tier)
    }

    fn grant(&mut self, job: &Job, node: &Node) -> Resources {
        Resources { cpu: greedy_cpu(job, node, self.headroom), ..job.request }
    }
}
