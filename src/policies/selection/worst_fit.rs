//! `worst_fit`: the fitting node left with the most free cpus (then memory); gpus are still matched
//! tightly (fewest free gpus first), so cpu-only tasks do not land on gpu nodes while others have room.
//!
//! Index: the same [`FitSet`](super::FitSet) as `best_fit`, ordered the other way.

use super::best_fit::Fit;
use super::{FitOrder, wrap};
use crate::engine::ports::NodeSelector;
use crate::error::ScenarioError;
use crate::policies::{Params, PolicyEnv};

pub fn build(p: &Params, env: &PolicyEnv) -> Result<Box<dyn NodeSelector>, ScenarioError> {
    wrap(p, env, |cluster, groups| Fit::new(FitOrder::Loosest, cluster, groups))
}
