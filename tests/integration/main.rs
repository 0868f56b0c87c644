//! The one integration-test binary: each module tests one area of the simulator end to end.

mod bounded_inputs;
mod check;
mod cli;
mod cli_polish;
mod composition;
mod core;
mod doc_examples;
mod exports;
mod faults;
mod first_hour;
mod gpu_sharing;
mod hygiene;
mod layering;
mod metrics_window;
mod openb;
mod oracles;
mod placement;
mod properties;
mod queues;
mod report;
mod standalone;
mod sweeps;
mod swf_inputs;
mod trace_fields;
mod util;
mod workloads;
