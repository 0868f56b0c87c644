//! Jobs listed one by one (inline in a scenario, or as rows of a CSV job list): the exact, hand-built workload.

use crate::error::ScenarioError;
use crate::limits::{self, MAX_CPU, MAX_MEMORY_MIB, MAX_NUMBER, MAX_TASKS};
use crate::model::job::key_hash;
use crate::model::{Duration, Job, Malleable, Resources, Workload};
use serde::Deserialize;

/// `[workload]` with `type = "list"`: `jobs = [ { submit = "0s", runtime = "1h", ... }, ... ]`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListSpec {
    pub jobs: Vec<JobEntry>,
    /// Tier names, lowest first (default: tier numbers).
    #[serde(default)]
    pub tiers: Vec<String>,
}

/// One listed job. Only `submit` and `runtime` are required.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobEntry {
    /// Job number (default: position in the list, from 1).
    pub id: Option<u64>,
    pub submit: Duration,
    pub runtime: Duration,
    /// User estimate (default: the runtime).
    pub estimate: Option<Duration>,
    #[serde(default = "one")]
    pub tasks: u32,
    #[serde(default = "one_u64")]
    pub cpu: u64,
    /// MiB per task.
    #[serde(default)]
    pub memory: u64,
    #[serde(default)]
    pub gpu: u64,
    #[serde(default = "default_user")]
    pub user: String,
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default)]
    pub tier: u8,
    #[serde(default = "one_f64")]
    pub weight: f64,
    /// Placement key for `hash` selection (default: the user).
    pub key: Option<String>,
    /// Job numbers that must complete first.
    #[serde(default)]
    pub deps: Vec<u64>,
    /// Think time: the job joins the queue this long after its last dependency completes (SWF field 18).
    pub think: Option<Duration>,
    #[serde(default)]
    pub requires: Vec<String>,
    #[serde(default)]
    pub prefers: Vec<String>,
    #[serde(default)]
    pub anti_affinity: bool,
    /// Malleable jobs: cores per task may range over `min_cpu..=max_cpu` (`cpu` is ignored).
    pub min_cpu: Option<u64>,
    pub max_cpu: Option<u64>,
    #[serde(default)]
    pub serial_fraction: f64,
}

impl JobEntry {
    /// A job of one task of one core running `runtime` from `submit`, every other field its default.
    pub fn new(submit: Duration, runtime: Duration) -> JobEntry {
        JobEntry {
            id: None,
            submit,
            runtime,
            estimate: None,
            tasks: 1,
            cpu: 1,
            memory: 0,
            gpu: 0,
            user: default_user(),
            group: None,
            tier: 0,
            weight: 1.0,
            key: None,
            deps: Vec::new(),
            think: None,
            requires: Vec::new(),
            prefers: Vec::new(),
            anti_affinity: false,
            min_cpu: None,
            max_cpu: None,
            serial_fraction: 0.0,
        }
    }
}

fn one() -> u32 {
    1
}
fn one_u64() -> u64 {
    1
}
fn one_f64() -> f64 {
    1.0
}
fn default_user() -> String {
    "u0".into()
}

/// Interns names to dense ids in first-seen order.
#[derive(Default)]
pub struct Names {
    pub names: Vec<String>,
    index: std::collections::BTreeMap<String, u32>,
}

impl Names {
    pub fn id(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(name.to_string());
        self.index.insert(name.to_string(), i);
        i
    }
}

/// Builds a workload from entries; `key` names the scenario key for messages (`workload.jobs`).
pub fn build(entries: &[JobEntry], tiers: &[String], key: &str) -> Result<Workload, ScenarioError> {
    build_entries(entries, tiers, &|i| format!("{key}[{i}]"))
        .map_err(|e| ScenarioError::invalid(format!("{key}[{}].{}", e.index, e.field), e.message))
}

/// An entry that makes no job: the entry (index in the list), its field (key or column) and why.
#[derive(Clone, Debug, PartialEq)]
pub struct EntryError {
    pub index: usize,
    pub field: &'static str,
    pub message: String,
}

/// Builds a workload from entries; `place(i)` names entry `i` in messages (`workload.jobs[3]`, `line 5`).
/// Ids must be unique (an entry without `id` takes its position from 1) and dependencies must name
/// another entry's id and form no cycle.
pub fn build_entries(
    entries: &[JobEntry],
    tiers: &[String],
    place: &dyn Fn(usize) -> String,
) -> Result<Workload, EntryError> {
    let mut users = Names::default();
    let mut groups = Names::default();
    let mut jobs = Vec::with_capacity(entries.len());
    let ids: Vec<u64> = entries.iter().enumerate().map(|(i, e)| e.id.unwrap_or(i as u64 + 1)).collect();
    // Position of each id (an indexed lookup keeps long lists with dependencies linear-logarithmic).
    let mut position: std::collections::BTreeMap<u64, usize> = std::collections::BTreeMap::new();
    for (p, id) in ids.iter().enumerate() {
        if let Some(first) = position.insert(*id, p) {
            return Err(EntryError {
                index: p,
                field: "id",
                message: format!(
                    "job id {id} is given twice, by {} and {}; ids must be unique",
                    place(first),
                    place(p)
                ),
            });
        }
    }
    for (i, e) in entries.iter().enumerate() {
        let invalid = |field: &'static str, message: String| EntryError { index: i, field, message };
        for (field, x, lo, hi) in [
            ("tasks", e.tasks as u64, 1, MAX_TASKS),
            ("cpu", e.cpu, 0, MAX_CPU),
            ("memory", e.memory, 0, MAX_MEMORY_MIB),
            ("gpu", e.gpu, 0, MAX_CPU),
            ("min_cpu", e.min_cpu.unwrap_or(1), 1, MAX_CPU),
            ("max_cpu", e.max_cpu.unwrap_or(1), 1, MAX_CPU),
        ] {
            limits::whole(x, lo, hi).map_err(|m| invalid(field, m))?;
        }
        if !(e.weight > 0.0 && e.weight <= MAX_NUMBER) {
            return Err(invalid(
                "weight",
                format!("expected a weight > 0 and at most 1e9, found {}", limits::show(e.weight)),
            ));
        }
        let malleable = match (e.min_cpu, e.max_cpu) {
            (None, None) => None,
            (Some(lo), Some(hi)) if lo >= 1 && lo <= hi && (0.0..=1.0).contains(&e.serial_fraction) => {
                Some(Malleable { min_cpu: lo, max_cpu: hi, serial_fraction: e.serial_fraction })
            }
            _ => {
                return Err(invalid(
                    "min_cpu",
                    "a malleable job needs 1 ≤ min_cpu ≤ max_cpu and 0 ≤ serial_fraction ≤ 1".into(),
                ));
            }
        };
        let cpu = malleable.map(|m| m.min_cpu).unwrap_or(e.cpu);
        let mut job = Job::rigid(
            ids[i],
            e.submit.micros(),
            e.tasks,
            Resources::new(cpu, e.memory, e.gpu),
            e.runtime.micros(),
            e.estimate.unwrap_or(e.runtime).micros(),
        );
        job.user = users.id(&e.user);
        job.group = groups.id(e.group.as_deref().unwrap_or(&e.user));
        job.tier = e.tier;
        job.weight = e.weight;
        job.set_key(e.key.as_deref().map(key_hash));
        job.set_malleable(malleable);
        job.set_requires(e.requires.clone());
        job.set_prefers(e.prefers.clone());
        job.anti_affinity = e.anti_affinity;
        let mut deps = Vec::with_capacity(e.deps.len());
        for d in &e.deps {
            match position.get(d).copied() {
                Some(p) if p != i => deps.push(p as u32),
                Some(_) => return Err(invalid("deps", format!("job {d} depends on itself"))),
                None => return Err(invalid("deps", format!("no other job has id {d}"))),
            }
        }
        job.set_deps(deps);
        if let Some(think) = e.think {
            if e.deps.is_empty() {
                return Err(invalid("think", "a think time needs `deps` to count from".into()));
            }
            job.set_dep_delay(think.micros());
        }
        jobs.push(job);
    }
    // Checked in list order, so that the cycle's first job is the first listed.
    if let Some(cycle) = super::deps::find_cycle(&jobs) {
        let index = cycle[0] as usize;
        let message = super::deps::cycle_message(&jobs, &cycle);
        return Err(EntryError { index, field: "deps", message });
    }
    let max_tier = jobs.iter().map(|j| j.tier as usize + 1).max().unwrap_or(1);
    let mut tier_names = tiers.to_vec();
    for t in tier_names.len()..max_tier {
        tier_names.push(t.to_string());
    }
    let mut w =
        Workload { jobs, users: users.names, groups: groups.names, tiers: tier_names, skipped: Default::default() };
    w.sort_by_submit();
    Ok(w)
}
