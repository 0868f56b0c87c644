//! `fair_share`: the account (user or group) with the lowest decayed usage relative to its share goes first, as Slurm's fair-share factor.
//!
//! Usage is the cores an account holds, integrated over time (core-seconds), decaying continuously
//! with half-life `half_life`: a core-second used `h` ago counts 2^(−h / half_life). Each account's
//! share comes from `shares = { name = number }` (default 1). Slurm's factor 2^(−usage/share) ranks
//! accounts exactly as usage/share does, which is what is used. The chosen account's oldest waiting
//! job starts if it fits; otherwise it blocks the queue (strict order, no backfilling).
//!
//! Parameters: `by = "user" | "group"`, `half_life` (default `"7d"`), `shares`.
//! Cost per start: O(A) over the A accounts with waiting jobs, plus O(log Q).

use super::QueueDiscipline;
use super::accounts::{AccountKind, ByName, note_passed_over};
use super::view::held;
use crate::engine::ctx::SchedCtx;
use crate::error::ScenarioError;
use crate::model::time::as_secs_f64;
use crate::model::{JobIdx, Time};
use crate::policies::{Params, PolicyEnv};
use std::collections::{BTreeMap, BTreeSet};

/// Decayed usage of one account.
#[derive(Clone, Debug, Default)]
struct Account {
    share: f64,
    /// Decayed core-seconds as of `last`.
    usage: f64,
    /// Cores held by the account's running jobs.
    cores: u64,
    last: Time,
    waiting: BTreeSet<(Time, JobIdx)>,
}

impl Account {
    /// Brings `usage` to time `now`: decay what was there, add the running cores' decayed integral.
    fn advance(&mut self, now: Time, half_life_s: f64) {
        if now <= self.last {
            return;
        }
        let dt = as_secs_f64(now - self.last);
        let decay = (-dt * std::f64::consts::LN_2 / half_life_s).exp();
        let accrued = self.cores as f64 * half_life_s / std::f64::consts::LN_2 * (1.0 - decay);
        self.usage = self.usage * decay + accrued;
        self.last = now;
    }
}

#[derive(Debug)]
pub struct FairShare {
    by: AccountKind,
    half_life_s: f64,
    shares: ByName,
    accounts: Vec<Account>,
    /// Running jobs started here: (account, cores held).
    running: BTreeMap<JobIdx, (usize, u64)>,
    waiting: usize,
}

pub fn build(p: &Params, _env: &PolicyEnv) -> Result<Box<dyn QueueDiscipline>, ScenarioError> {
    let by = AccountKind::from_params(p, "user", &["user", "group"])?;
    let half_life = p.duration("half_life", 7 * 86_400 * crate::model::SECOND)?;
    if half_life == 0 {
        return Err(ScenarioError::invalid(format!("{}.half_life", p.path), "expected a duration > 0"));
    }
    let shares = ByName::from_params(p, "shares")?;
    p.finish()?;
    Ok(Box::new(FairShare {
        by,
        half_life_s: as_secs_f64(half_life),
        shares,
        accounts: Vec::new(),
        running: BTreeMap::new(),
        waiting: 0,
    }))
}

impl FairShare {
    fn account(&mut self, ctx: &SchedCtx<'_>, a: usize) -> &mut Account {
        while self.accounts.len() <= a {
            let name = self.by.name(ctx.workload(), self.accounts.len());
            let share = self.shares.get(&name).unwrap_or(1.0);
            self.accounts.push(Account { share, last: ctx.now(), ..Default::default() });
        }
        &mut self.accounts[a]
    }

    /// The account with waiting jobs and the lowest usage/share (ties: the oldest head job).
    fn pick(&mut self, now: Time) -> Option<usize> {
        let mut best: Option<(f64, (Time, JobIdx), usize)> = None;
        for (a, acc) in self.accounts.iter_mut().enumerate() {
            let Some(&head) = acc.waiting.first() else { continue };
            acc.advance(now, self.half_life_s);
            let key = acc.usage / acc.share;
            let better = match &best {
                None => true,
                Some((k, h, _)) => key < *k || (key == *k && head < *h),
            };
            if better {
                best = Some((key, head, a));
            }
        }
        best.map(|(_, _, a)| a)
    }

    fn stopped(&mut self, ctx: &SchedCtx<'_>, j: JobIdx) {
        if let Some((a, cores)) = self.running.remove(&j) {
            let (now, h) = (ctx.now(), self.half_life_s);
            let acc = &mut self.accounts[a];
            acc.advance(now, h);
            acc.cores -= cores;
        }
    }
}

impl QueueDiscipline for FairShare {
    fn enqueue(&mut self, job: JobIdx, ctx: &mut SchedCtx<'_>) {
        self.stopped(ctx, job); // requeued from outside while running
        let a = self.by.of(ctx.job(job));
        let submit = ctx.job(job).submit;
        self.account(ctx, a).waiting.insert((submit, job));
        self.waiting += 1;
    }

    fn schedule(&mut self, ctx: &mut SchedCtx<'_>) {
        let now = ctx.now();
        while let Some(a) = self.pick(now) {
            let Some(&(submit, j)) = self.accounts[a].waiting.first() else { break };
            if !ctx.try_start(j) {
                let heads = self.accounts.iter().filter_map(|x| x.waiting.first().map(|h| h.1));
                note_passed_over(ctx, self.by, heads, a, j, "lowest decayed usage per share");
                break;
            }
            let acc = &mut self.accounts[a];
            acc.waiting.remove(&(submit, j));
            self.waiting -= 1;
            let cores = held(ctx, j).cpu;
            acc.advance(now, self.half_life_s);
            acc.cores += cores;
            self.running.insert(j, (a, cores));
        }
    }

    fn job_ended(&mut self, job: JobIdx, ctx: &mut SchedCtx<'_>) {
        self.stopped(ctx, job);
    }

    fn len(&self) -> usize {
        self.waiting
    }
}
