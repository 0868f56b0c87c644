//! The four policy axes (selection, allocation, queue, recovery) and the resolver from scenario names to policies.

pub mod allocation;
pub mod gpu;
pub mod params;
pub mod queue;
pub mod recovery;
pub mod selection;

pub use params::Params;

use crate::engine::ports::{Policies, PolicyFactory, QueueDiscipline};
use crate::error::ScenarioError;
use crate::model::Cluster;
use serde::{Deserialize, Deserializer};

/// What a policy constructor may look at: its own random-stream seed and the cluster it will run on.
pub struct PolicyEnv<'a> {
    /// Seed of this policy's own random stream (derived from the scenario seed and the axis).
    pub seed: u64,
    pub cluster: &'a Cluster,
    /// Tier names, indexed by tier number.
    pub tiers: &'a [String],
    /// User names, indexed by user number.
    pub users: &'a [String],
}

/// A policy as written in a scenario: a bare name (`"fifo"`) or a table with `name` and parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicySpec {
    pub name: String,
    pub params: toml::Table,
}

impl PolicySpec {
    pub fn named(name: &str) -> Self {
        PolicySpec { name: name.to_string(), params: toml::Table::new() }
    }
}

impl<'de> Deserialize<'de> for PolicySpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match toml::Value::deserialize(d)? {
            toml::Value::String(name) => Ok(PolicySpec::named(&name)),
            toml::Value::Table(mut t) => match t.remove("name") {
                Some(toml::Value::String(name)) => Ok(PolicySpec { name, params: t }),
                _ => Err(serde::de::Error::custom("a policy table needs `name = \"...\"`")),
            },
            other => {
                Err(serde::de::Error::custom(format!("expected a policy name or a table with `name`, found `{other}`")))
            }
        }
    }
}

impl std::fmt::Display for PolicySpec {
    /// `name` alone, or `name(k=v,...)` with parameters in key order.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.name)?;
        if !self.params.is_empty() {
            let parts: Vec<String> = self.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
            write!(f, "({})", parts.join(","))?;
        }
        Ok(())
    }
}

/// A name table: (name, constructor) pairs of one axis.
pub type NameTable<T> = [(&'static str, fn(&Params, &PolicyEnv) -> Result<T, ScenarioError>)];

/// Builds the policy named by `spec` from `table`; unknown names list the valid ones.
pub fn resolve<T>(
    axis: &'static str,
    key: &str,
    spec: &PolicySpec,
    table: &NameTable<T>,
    env: &PolicyEnv,
) -> Result<T, ScenarioError> {
    match table.iter().find(|(name, _)| *name == spec.name) {
        Some((_, build)) => build(&Params::new(key, spec.params.clone()), env),
        None => Err(ScenarioError::UnknownPolicy {
            key: key.to_string(),
            axis,
            name: spec.name.clone(),
            valid: names(table).join(", "),
        }),
    }
}

/// The names in a name table, in table order.
pub fn names<'a, T>(table: &[(&'a str, T)]) -> Vec<&'a str> {
    table.iter().map(|(n, _)| *n).collect()
}

/// The chosen policy of every axis, as the scenario names them.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicySet {
    #[serde(default = "default_selection")]
    pub selection: PolicySpec,
    #[serde(default = "default_allocation")]
    pub allocation: PolicySpec,
    #[serde(default = "default_queue")]
    pub queue: PolicySpec,
    #[serde(default = "default_recovery")]
    pub recovery: PolicySpec,
    /// Kill a job that runs past its estimate (as batch systems do) instead of letting it run on.
    #[serde(default)]
    pub kill_at_estimate: bool,
}

fn default_selection() -> PolicySpec {
    PolicySpec::named("round_robin")
}
fn default_allocation() -> PolicySpec {
    PolicySpec::named("greedy")
}
fn default_queue() -> PolicySpec {
    PolicySpec::named("fifo")
}
fn default_recovery() -> PolicySpec {
    PolicySpec::named("none")
}

impl Default for PolicySet {
    fn default() -> Self {
        PolicySet {
            selection: default_selection(),
            allocation: default_allocation(),
            queue: default_queue(),
            recovery: default_recovery(),
            kill_at_estimate: false,
        }
    }
}

/// The run seed of scheduler partition `p`'s policies (partition 0 uses the run seed itself).
pub fn partition_seed(seed: u64, p: usize) -> u64 {
    if p == 0 { seed } else { crate::rng::derive_seed(seed, &format!("scheduler/{p}")) }
}

/// The seed of one axis's own random stream, from a partition's run seed: `axis` is its key (`policy.queue`).
fn axis_seed(seed: u64, axis: &str) -> u64 {
    crate::rng::derive_seed(seed, axis)
}

impl Policies {
    /// Resolves every axis of `set`; `seed` is the run seed, from which each policy's stream is derived.
    pub fn build(
        set: &PolicySet,
        seed: u64,
        cluster: &Cluster,
        tiers: &[String],
        users: &[String],
    ) -> Result<Policies, ScenarioError> {
        let env = |stream: &str| PolicyEnv { seed: axis_seed(seed, stream), cluster, tiers, users };
        Ok(Policies {
            selector: resolve(
                "selection",
                "policy.selection",
                &set.selection,
                selection::BY_NAME,
                &env("policy.selection"),
            )?,
            allocator: resolve(
                "allocation",
                "policy.allocation",
                &set.allocation,
                allocation::BY_NAME,
                &env("policy.allocation"),
            )?,
            queue: build_queue(set, seed, cluster, tiers, users)?,
            recovery: resolve(
                "recovery",
                "policy.recovery",
                &set.recovery,
                recovery::BY_NAME,
                &env("policy.recovery"),
            )?,
        })
    }
}

/// The queue discipline of `set` with the run seed `seed`.
fn build_queue(
    set: &PolicySet,
    seed: u64,
    cluster: &Cluster,
    tiers: &[String],
    users: &[String],
) -> Result<Box<dyn QueueDiscipline>, ScenarioError> {
    let env = PolicyEnv { seed: axis_seed(seed, "policy.queue"), cluster, tiers, users };
    resolve("queue", "policy.queue", &set.queue, queue::BY_NAME, &env)
}

/// The policies of every scheduler partition of one run: a [`PolicySet`], the run seed and the
/// workload's tier and user names. The one home of the seed rules ([`partition_seed`], per axis).
pub struct Factory {
    pub set: PolicySet,
    pub seed: u64,
    pub tiers: Vec<String>,
    pub users: Vec<String>,
}

impl PolicyFactory for Factory {
    fn build(&self, p: usize, cluster: &Cluster) -> Result<Policies, ScenarioError> {
        Policies::build(&self.set, partition_seed(self.seed, p), cluster, &self.tiers, &self.users)
    }

    fn queue(&self, p: usize, cluster: &Cluster) -> Result<Box<dyn QueueDiscipline>, ScenarioError> {
        build_queue(&self.set, partition_seed(self.seed, p), cluster, &self.tiers, &self.users)
    }
}
