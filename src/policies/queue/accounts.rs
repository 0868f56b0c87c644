//! Accounts for the share-based disciplines: which user, group or tier a job is charged to, and per-account numbers by name.

use crate::engine::ctx::SchedCtx;
use crate::error::ScenarioError;
use crate::model::{Job, JobIdx, Workload};
use crate::policies::Params;

/// What the share-based disciplines group jobs by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountKind {
    User,
    Group,
    Tier,
}

impl AccountKind {
    /// Reads `by` (one of `choices`, default `default`).
    pub fn from_params(p: &Params, default: &str, choices: &[&str]) -> Result<AccountKind, ScenarioError> {
        Ok(match p.choice("by", default, choices)?.as_str() {
            "group" => AccountKind::Group,
            "tier" => AccountKind::Tier,
            _ => AccountKind::User,
        })
    }

    /// The account `job` is charged to (an index into the workload's users, groups or tiers).
    #[inline]
    pub fn of(self, job: &Job) -> usize {
        match self {
            AccountKind::User => job.user as usize,
            AccountKind::Group => job.group as usize,
            AccountKind::Tier => job.tier as usize,
        }
    }

    /// The name of account `a` in workload `w`.
    pub fn name(self, w: &Workload, a: usize) -> String {
        let names = match self {
            AccountKind::User => &w.users,
            AccountKind::Group => &w.groups,
            AccountKind::Tier => &w.tiers,
        };
        names.get(a).cloned().unwrap_or_else(|| a.to_string())
    }
}

/// Per-account numbers given by name in the scenario (`shares = { alice = 2 }`), with a default.
#[derive(Clone, Debug, Default)]
pub struct ByName {
    pub values: Vec<(String, f64)>,
}

impl ByName {
    /// Reads the table `key`; every value must be > 0.
    pub fn from_params(p: &Params, key: &str) -> Result<ByName, ScenarioError> {
        let values = p.number_map(key)?;
        if let Some((name, v)) = values.iter().find(|(_, v)| !(*v > 0.0 && v.is_finite())) {
            return Err(ScenarioError::invalid(
                format!("{}.{key}.{name}", p.path),
                format!("expected a number > 0, found {v}"),
            ));
        }
        Ok(ByName { values })
    }

    pub fn get(&self, name: &str) -> Option<f64> {
        self.values.iter().find(|(n, _)| n == name).map(|(_, v)| *v)
    }
}

impl AccountKind {
    /// The word for this kind of account in explanations.
    pub fn word(self) -> &'static str {
        match self {
            AccountKind::User => "user",
            AccountKind::Group => "group",
            AccountKind::Tier => "tier",
        }
    }
}

/// For `clustersim explain`: when the pass stops at account `winner`'s oldest job `blocked`, which
/// cannot start, every other account's oldest waiting job (`heads`) was considered and passed over
/// by the ordering; each is told so through `note_wait`. `order` says why `winner` ranks first.
/// O(A) for A accounts, and only with the event log on (free otherwise).
pub fn note_passed_over(
    ctx: &mut SchedCtx<'_>,
    kind: AccountKind,
    heads: impl Iterator<Item = JobIdx>,
    winner: usize,
    blocked: JobIdx,
    order: &str,
) {
    if !ctx.world().logging() {
        return;
    }
    let name = kind.name(ctx.workload(), winner);
    let id = ctx.job(blocked).id;
    let text = format!("{} {name} goes first ({order}), and its job {id} cannot start", kind.word());
    for j in heads.filter(|&j| j != blocked) {
        ctx.note_wait(j, || text.clone());
    }
}
