//! Sweeps: a `[sweep]` section turns a scenario into a study — the cartesian product of policy axes and
//! parameters, times `replications` seeds — run in parallel, sharded, resumed and merged, and compared
//! with confidence intervals (see `docs/sweeps.md`).

pub mod exec;
pub mod inputs;
pub mod merge;
pub mod plan;
pub mod preflight;

pub mod tables;
pub mod terminal;

pub use exec::{Failure, Shard, SweepOptions, SweepOutcome, run_study};
pub use merge::{MergeOutcome, merge};
pub use plan::{PlannedRun, RunIds, Study, replication_seed};
