//! The one integration-test binary: each module tests one area of the simulator end to end.

mod cli;
mod core;
mod properties;
mod report;
mod util;
mod workloads;
