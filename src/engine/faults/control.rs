//! The control plane: K schedulers, each owning a partition of the submissions (job index mod K), their
//! up/down state, who serves which partition after a takeover, crash processes, stale gossip views of the
//! cluster and the replication window.

use super::Lifetimes;
use crate::engine::ports::Policies;
use crate::model::{Cluster, JobIdx, Time};
use crate::rng::Rng;
use std::collections::VecDeque;

/// One scheduler crash scripted in `[scheduler] crashes`, in absolute time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScriptedCrash {
    pub partition: u32,
    pub at: Time,
    pub repair: Time,
}

/// State of the K schedulers.
pub struct ControlPlane {
    pub k: usize,
    /// Whether each partition is being scheduled now.
    pub serving: Vec<bool>,
    pub down_since: Vec<Time>,
    /// Whether scheduler host `h` is up (host `h` first serves partition `h`).
    pub host_up: Vec<bool>,
    /// When a down host is back (its standby or its repair); the next drawn crash counts from there.
    pub host_back: Vec<Time>,
    /// The host serving each partition; for a partition that is down, the host it resumes on when no
    /// peer takes it over.
    pub server: Vec<usize>,
    /// The live peer about to take over each partition that is down, if any.
    pub taker: Vec<Option<usize>>,
    /// Bumped by every crash; voids stale resume events.
    pub generation: Vec<u32>,
    /// Policies of partitions 1..K (partition 0 uses the simulation's own).
    pub parts: Vec<Policies>,
    /// Each partition's view of the cluster when gossip is stale (empty when state is shared).
    pub views: Vec<Cluster>,
    pub gossip: Time,
    /// Bumped at every gossip round.
    pub gossip_gen: u64,
    /// Attempts refused at their nodes (placement conflicts) whose scheduler has not heard so yet: its
    /// view still holds their placement, so gossip leaves the nodes they sit on as the view has them.
    pub refused: Vec<(JobIdx, u32)>,
    /// Replication lag: submissions younger than this at a failover are lost.
    pub lag: Time,
    /// Recently accepted submissions per partition (only kept when `lag > 0`).
    pub recent: Vec<VecDeque<(Time, JobIdx)>>,
    pub life: Option<Lifetimes>,
    pub rng: Vec<Rng>,
}

impl ControlPlane {
    /// The partition that owns job `j`.
    #[inline]
    pub fn partition(&self, j: JobIdx) -> usize {
        if self.k == 1 { 0 } else { j as usize % self.k }
    }

    /// True when schedulers see the cluster through stale views.
    #[inline]
    pub fn stale_views(&self) -> bool {
        !self.views.is_empty()
    }

    /// Scheduler hosts up now, ascending.
    pub fn live_hosts(&self) -> Vec<usize> {
        (0..self.k).filter(|&h| self.host_up[h]).collect()
    }

    /// Partitions that lose their scheduler when host `h` crashes: those it serves and those it was about
    /// to take over, ascending.
    pub fn served_by(&self, h: usize) -> Vec<usize> {
        (0..self.k).filter(|&p| if self.serving[p] { self.server[p] == h } else { self.taker[p] == Some(h) }).collect()
    }

    /// Records an accepted submission (for the replication window) and forgets those older than the lag.
    pub fn accepted(&mut self, p: usize, j: JobIdx, now: Time) {
        if self.lag == 0 {
            return;
        }
        let q = &mut self.recent[p];
        while q.front().is_some_and(|&(t, _)| t + self.lag <= now) {
            q.pop_front();
        }
        q.push_back((now, j));
    }

    /// Submissions of partition `p` accepted in `(now - window, now]`, oldest first.
    pub fn inside_window(&self, p: usize, now: Time, window: Time) -> Vec<JobIdx> {
        self.recent[p].iter().filter(|&&(t, _)| t + window > now).map(|&(_, j)| j).collect()
    }
}
