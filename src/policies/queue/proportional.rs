//! `proportional`: stride scheduling over accounts (users, groups or tiers), so delivered service converges to the weight ratio.
//!
//! Every account has a *pass* value. The account with the lowest pass among those with waiting
//! jobs starts its oldest job, and its pass advances by the service that job is expected to take
//! (cores × estimate) divided by the account's weight; when the job ends, the pass is corrected to
//! the service actually delivered (cores × time run). An account that was idle re-enters at the
//! lowest pass of the accounts still waiting, so idleness earns no credit. Over a long backlogged
//! run, service (core-seconds) per account approaches the ratio of the weights.
//! The chosen job starts if it fits; otherwise it blocks the queue (strict order, no backfilling).
//!
//! Parameters: `by = "user" | "group" | "tier"` (default user), `weights = { name = number }`
//! (default: the `weight` of the account's first job, which is 1 unless the workload sets it).
//! Cost per start: O(A) over the A accounts, plus O(log Q).

use super::QueueDiscipline;
use super::accounts::{AccountKind, ByName, note_passed_over};
use super::view::held;
use crate::engine::ctx::SchedCtx;
use crate::error::ScenarioError;
use crate::model::time::as_secs_f64;
use crate::model::{JobIdx, Time};
use crate::policies::{Params, PolicyEnv};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Debug, Default)]
struct Account {
    /// 0 until the account's first job arrives.
    weight: f64,
    /// Service received so far divided by the weight (core-seconds per unit of weight).
    pass: f64,
    waiting: BTreeSet<(Time, JobIdx)>,
}

/// What a started job was charged, to be corrected when it ends.
#[derive(Clone, Copy, Debug)]
struct Charge {
    account: usize,
    cores: f64,
    charged: f64,
}

#[derive(Debug)]
pub struct Proportional {
    by: AccountKind,
    weights: ByName,
    accounts: Vec<Account>,
    running: BTreeMap<JobIdx, Charge>,
    waiting: usize,
}

pub fn build(p: &Params, _env: &PolicyEnv) -> Result<Box<dyn QueueDiscipline>, ScenarioError> {
    let by = AccountKind::from_params(p, "user", &["user", "group", "tier"])?;
    let weights = ByName::from_params(p, "weights")?;
    p.finish()?;
    Ok(Box::new(Proportional { by, weights, accounts: Vec::new(), running: BTreeMap::new(), waiting: 0 }))
}

impl Proportional {
    fn ensure(&mut self, ctx: &SchedCtx<'_>, a: usize, job_weight: f64) {
        if self.accounts.len() <= a {
            self.accounts.resize(a + 1, Account::default());
        }
        if self.accounts[a].weight == 0.0 {
            let name = self.by.name(ctx.workload(), a);
            let fallback = if job_weight > 0.0 && job_weight.is_finite() { job_weight } else { 1.0 };
            self.accounts[a].weight = self.weights.get(&name).unwrap_or(fallback);
        }
    }

    /// The account with waiting jobs and the lowest pass (ties: the oldest head job).
    fn pick(&self) -> Option<usize> {
        let mut best: Option<(f64, (Time, JobIdx), usize)> = None;
        for (a, acc) in self.accounts.iter().enumerate() {
            let Some(&head) = acc.waiting.first() else { continue };
            let better = match &best {
                None => true,
                Some((p, h, _)) => acc.pass < *p || (acc.pass == *p && head < *h),
            };
            if better {
                best = Some((acc.pass, head, a));
            }
        }
        best.map(|(_, _, a)| a)
    }

    /// Corrects the pass of a job's account from its expected to its delivered service.
    fn settle(&mut self, ctx: &SchedCtx<'_>, j: JobIdx) {
        if let Some(c) = self.running.remove(&j) {
            let ran = as_secs_f64(ctx.now().saturating_sub(ctx.record(j).start));
            let acc = &mut self.accounts[c.account];
            acc.pass += c.cores * ran / acc.weight - c.charged;
        }
    }
}

impl QueueDiscipline for Proportional {
    fn enqueue(&mut self, job: JobIdx, ctx: &mut SchedCtx<'_>) {
        self.settle(ctx, job); // requeued from outside while running
        let (a, weight, submit) = {
            let j = ctx.job(job);
            (self.by.of(j), j.weight, j.submit)
        };
        self.ensure(ctx, a, weight);
        if self.accounts[a].waiting.is_empty() {
            // Re-entering after idling: no credit for the idle time.
            let floor = self.accounts.iter().filter(|x| !x.waiting.is_empty()).map(|x| x.pass).min_by(f64::total_cmp);
            if let Some(floor) = floor {
                let acc = &mut self.accounts[a];
                acc.pass = acc.pass.max(floor);
            }
        }
        self.accounts[a].waiting.insert((submit, job));
        self.waiting += 1;
    }

    fn schedule(&mut self, ctx: &mut SchedCtx<'_>) {
        while let Some(a) = self.pick() {
            let Some(&(submit, j)) = self.accounts[a].waiting.first() else { break };
            if !ctx.try_start(j) {
                let heads = self.accounts.iter().filter_map(|x| x.waiting.first().map(|h| h.1));
                note_passed_over(ctx, self.by, heads, a, j, "lowest pass: least service per unit of weight");
                break;
            }
            let cores = held(ctx, j).cpu as f64;
            let acc = &mut self.accounts[a];
            acc.waiting.remove(&(submit, j));
            self.waiting -= 1;
            let charged = cores * as_secs_f64(ctx.job(j).estimate) / acc.weight;
            acc.pass += charged;
            self.running.insert(j, Charge { account: a, cores, charged });
        }
    }

    fn job_ended(&mut self, job: JobIdx, ctx: &mut SchedCtx<'_>) {
        self.settle(ctx, job);
    }

    fn len(&self) -> usize {
        self.waiting
    }
}
