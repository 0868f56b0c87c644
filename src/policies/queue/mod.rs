//! Queue disciplines: which waiting job goes next. One file per discipline; `BY_NAME` maps names to constructors.

mod accounts;
mod conservative_backfill;
mod easy_backfill;
mod fair_share;
mod fifo;
mod fit_tree;
mod priority_aging;
pub mod profile;
mod proportional;
mod srtf;
mod view;

use super::{Params, PolicyEnv};
pub use crate::engine::ports::QueueDiscipline;
use crate::error::ScenarioError;

type Constructor = fn(&Params, &PolicyEnv) -> Result<Box<dyn QueueDiscipline>, ScenarioError>;

/// Every queue discipline by name. Adding one: a new file plus one line here.
pub const BY_NAME: &[(&str, Constructor)] = &[
    ("fifo", fifo::build),
    ("srtf", srtf::build),
    ("fair_share", fair_share::build),
    ("proportional", proportional::build),
    ("easy_backfill", easy_backfill::build),
    ("conservative_backfill", conservative_backfill::build),
    ("priority_aging", priority_aging::build),
];
