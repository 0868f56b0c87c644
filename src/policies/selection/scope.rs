//! Node groups (pool × rack) and per-job plans: which groups a job may use and how much it prefers each.
//!
//! Requirements name pool labels and preferences name pool labels or racks, so every node of one
//! (pool, rack) group is equally eligible and equally preferred for a given job. Selectors keep one
//! index over all nodes (for unconstrained jobs, the common case) plus one per group, and answer a
//! constrained job by querying its eligible groups and ranking the answers by
//! (the algorithm's criterion, preference, the algorithm's natural order).

use crate::model::{Cluster, Job, NodeIdx};
use std::cmp::Reverse;
use std::collections::BTreeMap;

/// The nodes of each (pool, rack) group, and each node's group and position in it.
#[derive(Clone, Debug, Default)]
pub struct Groups {
    group_of: Vec<u32>,
    pos_of: Vec<u32>,
    members: Vec<Vec<NodeIdx>>,
}

impl Groups {
    /// Groups in order of their first node; members in node order.
    pub fn new(cluster: &Cluster) -> Self {
        let mut ids: BTreeMap<(u16, u16), u32> = BTreeMap::new();
        let mut g = Groups::default();
        for node in &cluster.nodes {
            let next = g.members.len() as u32;
            let id = *ids.entry((node.pool, node.rack)).or_insert(next);
            if id == next {
                g.members.push(Vec::new());
            }
            g.group_of.push(id);
            g.pos_of.push(g.members[id as usize].len() as u32);
            g.members[id as usize].push(node.id);
        }
        g
    }

    pub fn len(&self) -> usize {
        self.members.len()
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    pub fn members(&self, g: u32) -> &[NodeIdx] {
        &self.members[g as usize]
    }

    #[inline]
    pub fn group_of(&self, n: NodeIdx) -> u32 {
        self.group_of[n as usize]
    }

    #[inline]
    pub fn pos_of(&self, n: NodeIdx) -> usize {
        self.pos_of[n as usize] as usize
    }
}

/// A set of nodes a selector keeps an index over: every node, or one group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    All,
    Group(u32),
}

/// One index per scope: `all` over every node (position = node id) and, when the cluster has more
/// than one group, one per group (position = place in the group).
#[derive(Clone, Debug)]
pub struct Scoped<S> {
    all: S,
    groups: Vec<S>,
}

impl<S> Scoped<S> {
    /// Builds each scope's index from its node list.
    pub fn new(cluster: &Cluster, groups: &Groups, make: impl Fn(Vec<NodeIdx>) -> S) -> Self {
        let all = make((0..cluster.nodes.len() as NodeIdx).collect());
        let groups = if groups.len() > 1 { groups.members.iter().map(|m| make(m.clone())).collect() } else { vec![] };
        Scoped { all, groups }
    }

    pub fn get(&self, scope: Scope) -> &S {
        match scope {
            Scope::All => &self.all,
            Scope::Group(g) => &self.groups[g as usize],
        }
    }

    pub fn get_mut(&mut self, scope: Scope) -> &mut S {
        match scope {
            Scope::All => &mut self.all,
            Scope::Group(g) => &mut self.groups[g as usize],
        }
    }

    /// Applies `f(index, position)` to every index holding node `n`.
    #[inline]
    pub fn update(&mut self, groups: &Groups, n: NodeIdx, mut f: impl FnMut(&mut S, usize)) {
        f(&mut self.all, n as usize);
        if !self.groups.is_empty() {
            f(&mut self.groups[groups.group_of(n) as usize], groups.pos_of(n));
        }
    }
}

/// Which groups one job may use, and its preference score for each.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    /// Every node is eligible and equally preferred: query the index over all nodes.
    pub all: bool,
    /// Per group: `None` when the job may not run there, else its preference score.
    score: Vec<Option<u32>>,
    /// Eligible scopes with their scores, best score first (then group order).
    scopes: Vec<(Scope, u32)>,
}

impl Plan {
    /// Recomputes the plan for `job` (no allocation once the buffers have grown).
    pub fn fill(&mut self, cluster: &Cluster, groups: &Groups, job: &Job) {
        self.scopes.clear();
        self.score.clear();
        self.all = job.requires().is_empty() && job.prefers().is_empty();
        if self.all {
            return;
        }
        let mut all_equal = true;
        let mut first: Option<Option<u32>> = None;
        for g in 0..groups.len() as u32 {
            let node = &cluster.nodes[groups.members(g)[0] as usize];
            let s = cluster.eligible(node, job).then(|| cluster.preference_score(node, job) as u32);
            all_equal &= s.is_some() && first.is_none_or(|f| f == s);
            first.get_or_insert(s);
            self.score.push(s);
        }
        if all_equal {
            self.all = true;
            return;
        }
        if groups.len() == 1 {
            if let Some(s) = self.score[0] {
                self.scopes.push((Scope::All, s));
            }
            return;
        }
        for (g, s) in self.score.iter().enumerate() {
            if let Some(s) = s {
                self.scopes.push((Scope::Group(g as u32), *s));
            }
        }
        self.scopes.sort_by_key(|&(scope, s)| (Reverse(s), scope_order(scope)));
    }

    /// The job's preference score for node `n`, or `None` when it may not run there.
    #[inline]
    pub fn score_of(&self, groups: &Groups, n: NodeIdx) -> Option<u32> {
        if self.all { Some(0) } else { self.score[groups.group_of(n) as usize] }
    }

    /// The highest preference score among eligible nodes.
    pub fn best_score(&self) -> u32 {
        self.scopes.first().map(|s| s.1).unwrap_or(0)
    }

    /// Eligible scopes and their scores, best score first.
    pub fn scopes(&self) -> &[(Scope, u32)] {
        const ALL: &[(Scope, u32)] = &[(Scope::All, 0)];
        if self.all { ALL } else { &self.scopes }
    }

    /// The eligible scopes grouped by preference score, best score first.
    pub fn levels(&self) -> impl Iterator<Item = &[(Scope, u32)]> {
        self.scopes().chunk_by(|a, b| a.1 == b.1)
    }

    /// Asks `query` for the best node of each eligible scope, as (criterion key, natural order, node),
    /// and returns the node ranked first by (key, higher preference, natural order).
    pub fn best_by<K: Ord>(&self, mut query: impl FnMut(Scope) -> Option<(K, u64, NodeIdx)>) -> Option<NodeIdx> {
        let mut best: Option<(K, Reverse<u32>, u64, NodeIdx)> = None;
        for &(scope, s) in self.scopes() {
            if let Some((k, natural, n)) = query(scope) {
                let cand = (k, Reverse(s), natural, n);
                if best.as_ref().is_none_or(|b| cand < *b) {
                    best = Some(cand);
                }
            }
        }
        best.map(|b| b.3)
    }
}

fn scope_order(s: Scope) -> u32 {
    match s {
        Scope::All => 0,
        Scope::Group(g) => g,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Pool, Resources};

    fn two_pools() -> Cluster {
        let mut c = Cluster::default();
        let racks = ["a".to_string(), "b".to_string()];
        c.add_pool(Pool { name: "cpu".into(), labels: vec![], capacity: Resources::cpus(4), count: 4 }, 4, &racks);
        c.add_pool(
            Pool { name: "gpu".into(), labels: vec!["gpu".into()], capacity: Resources::cpus(4), count: 2 },
            2,
            &[],
        );
        c
    }

    #[test]
    fn groups_follow_pool_and_rack() {
        let c = two_pools();
        let g = Groups::new(&c);
        assert_eq!(g.len(), 3);
        assert_eq!(g.members(0), &[0, 2]);
        assert_eq!(g.members(1), &[1, 3]);
        assert_eq!(g.members(2), &[4, 5]);
        assert_eq!((g.group_of(3), g.pos_of(3)), (1, 1));
    }

    #[test]
    fn plan_ranks_preferred_groups_first_and_drops_ineligible_ones() {
        let c = two_pools();
        let g = Groups::new(&c);
        let mut job = Job::rigid(1, 0, 1, Resources::cpus(1), 1, 1);
        let mut plan = Plan::default();
        plan.fill(&c, &g, &job);
        assert!(plan.all);
        job.set_prefers(vec!["b".into()]);
        plan.fill(&c, &g, &job);
        assert_eq!(plan.scopes(), &[(Scope::Group(1), 1), (Scope::Group(0), 0), (Scope::Group(2), 0)]);
        assert_eq!(plan.score_of(&g, 3), Some(1));
        job.set_requires(vec!["gpu".into()]);
        plan.fill(&c, &g, &job);
        assert!(!plan.all);
        assert_eq!(plan.scopes(), &[(Scope::Group(2), 0)]);
        assert_eq!(plan.score_of(&g, 0), None);
    }
}
