//! clustersim: a deterministic discrete-event simulator of cluster scheduling.
//!
//! Layout: [`engine`] (event queue and loop), [`model`] (nodes, jobs, time), [`policies`] (one
//! folder per axis, each policy in its own file), [`workloads`], [`metrics`], [`output`],
//! [`scenario`], [`limits`] (the range of every scenario number), [`runner`], [`sweep`] (studies
//! over many runs), [`check`] (regression checks against a baseline) and [`cli`].
//!
//! Unsafe code is denied everywhere but in two marked places, both in the trace reader's hot path:
//! SSE2 byte classification (`workloads::swf::tokenizer`) and a huge-page hint (`huge_pages`).
#![deny(unsafe_code)]

pub mod check;
pub mod cli;
pub mod engine;
pub mod error;
pub mod fmt;
pub mod gpu_study;
pub(crate) mod huge_pages;
pub mod limits;
pub mod metrics;
pub mod model;
pub mod numeric;
pub mod output;
pub mod policies;
pub mod report;
pub mod rng;
pub mod runner;
pub mod scenario;
pub mod stats;
pub mod sweep;
pub mod workloads;

pub use error::{Error, Result, ScenarioError};
