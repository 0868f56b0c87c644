//! The four policy axes (selection, allocation, queue, recovery) and the resolver from scenario names to policies.

pub mod allocation;
pub mod params;
pub mod queue;
pub mod recovery;
pub mod selection;

pub use allocation::Allocator;
pub use params::Params;
pub use queue::QueueDiscipline;
pub use recovery::SchedulerRecovery;
pub use selection::NodeSelector;

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

/// A registry: (name, constructor) pairs of one axis.
pub type Registry<T> = [(&'static str, fn(&Params, &PolicyEnv) -> Result<T, ScenarioError>)];

/// Builds the policy named by `spec` from `registry`; unknown names list the valid ones.
pub fn resolve<T>(
    axis: &'static str,
    key: &str,
    spec: &PolicySpec,
    registry: &Registry<T>,
    env: &PolicyEnv,
) -> Result<T, ScenarioError> {
    match registry.iter().find(|(name, _)| *name == spec.name) {
        Some((_, build)) => build(&Params::new(key, spec.params.clone()), env),
        None => Err(ScenarioError::UnknownPolicy {
            key: key.to_string(),
            axis,
            name: spec.name.clone(),
            valid: names(registry).join(", "),
        }),
    }
}

/// The names in a registry, in registry order.
pub fn names<'a, T>(registry: &[(&'a str, T)]) -> Vec<&'a str> {
    registry.iter().map(|(n, _)| *n).collect()
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

/// One live policy per axis, ready to drive a simulation.
pub struct Policies {
    pub selector: Box<dyn NodeSelector>,
    pub allocator: Box<dyn Allocator>,
    pub queue: Box<dyn QueueDiscipline>,
    pub recovery: Box<dyn SchedulerRecovery>,
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
        let env = |stream: &str| PolicyEnv { seed: crate::rng::derive_seed(seed, stream), cluster, tiers, users };
        Ok(Policies {
            selector: resolve(
                "selection",
                "policy.selection",
                &set.selection,
                selection::REGISTRY,
                &env("policy.selection"),
            )?,
            allocator: resolve(
                "allocation",
                "policy.allocation",
                &set.allocation,
                allocation::REGISTRY,
                &env("policy.allocation"),
            )?,
            queue: resolve("queue", "policy.queue", &set.queue, queue::REGISTRY, &env("policy.queue"))?,
            recovery: resolve(
                "recovery",
                "policy.recovery",
                &set.recovery,
                recovery::REGISTRY,
                &env("policy.recovery"),
            )?,
        })
    }
}
