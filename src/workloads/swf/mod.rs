//! The SWF reader (Standard Workload Format of the Parallel Workloads Archive): plain or gzip, streamed in
//! blocks of lines, under a selectable convention ("p" as the HUJI/pyss simulators read it, or "plain"), with
//! counted filters (time window, queues, partitions, ...), tiers from queues or partitions, dependencies with
//! think times, load scaling and estimate handling. `[workload] type = "swf"` in a scenario.
//!
//! Rooms: `schema` (the scenario's `[workload]` table and the reader's options), `header` (the `;`
//! header lines and opening a trace), `tokenizer` (a job line into its 18 numbers, the only unsafe code:
//! SSE2 byte classes), `conventions` (the numbers into a job's shape, the checks of their ranges) and
//! `pipeline` (the two threads that read a whole trace). Here: the fields and their limits, the skip reasons.

mod conventions;
mod header;
mod pipeline;
mod schema;
mod tokenizer;

pub use header::{SwfHeader, read_header};
pub use pipeline::read_swf;
pub use schema::{Convention, EstimateMode, HINT_POOLS, Machine, OnBadLine, SwfOptions, SwfSpec, TierFrom, TierMap};

use crate::model::Time;
use crate::model::time::SECOND;

/// Number of whitespace-separated fields on an SWF job line.
pub const FIELDS: usize = 18;

/// SWF field names, for messages.
pub const FIELD_NAMES: [&str; FIELDS] = [
    "job number",
    "submit time",
    "wait time",
    "run time",
    "allocated processors",
    "average cpu time",
    "used memory",
    "requested processors",
    "requested time",
    "requested memory",
    "status",
    "user",
    "group",
    "executable",
    "queue",
    "partition",
    "preceding job",
    "think time",
];

// Field indices (0-based).
const JOB: usize = 0;
const SUBMIT: usize = 1;
const RUN: usize = 3;
const ALLOC: usize = 4;
const REQ_PROCS: usize = 7;
const REQ_TIME: usize = 8;
const REQ_MEM: usize = 9;
const STATUS: usize = 10;
const USER: usize = 11;
const GROUP: usize = 12;
const QUEUE: usize = 14;
const PARTITION: usize = 15;
const PRECEDING: usize = 16;
const THINK: usize = 17;

/// The largest time a field may give, in seconds: a quarter of what [`Time`] holds in µs (about
/// 146,000 years), so that sums of times stay in range.
pub const MAX_SECS: f64 = (Time::MAX / 4 / SECOND) as f64;
/// The largest processor count a field may give (a job's tasks are a `u32`).
pub const MAX_PROCS: f64 = u32::MAX as f64;
/// The largest job, user, group or preceding-job number (and memory in MiB): 2^53, the last whole
/// number an `f64` holds exactly.
pub const MAX_NUMBER: f64 = (1u64 << 53) as f64;

/// Skip reasons, as they appear in `manifest.json` and `trace stats`.
pub mod reason {
    pub const MALFORMED: &str = "malformed line";
    pub const PARTIAL: &str = "partial-execution record (status 2/3/4)";
    pub const CANCELLED: &str = "cancelled before start (status 5, run time <= 0)";
    pub const ZERO_RUNTIME: &str = "run time <= 0";
    pub const BEFORE_START: &str = "submitted before `start`";
    pub const AFTER_END: &str = "submitted at or after `end`";
    pub const OVERSIZED: &str = "more processors than the machine";
    pub const BEYOND_FIRST: &str = "beyond `first_jobs`";
    pub const QUEUE: &str = "queue not in `queues`";
    pub const PARTITION: &str = "partition not in `partitions`";
    pub const DUPLICATE: &str = "duplicate job number (dependencies = true)";
}

/// Why convention P rewrote a job it kept (its numbers are no job a machine can run as they are), as
/// the input note counts them: `12 jobs rewritten by convention P: 10 with run time <= 0, made 1 s jobs
/// (first: line 5); 2 with more processors than the machine, clamped to it (first: line 40)`.
pub mod rewrite {
    pub const SUBMIT_NEGATIVE: &str = "with submit time < 0, made 1 s jobs submitted at 1 s";
    pub const NO_PROCESSORS: &str = "with allocated processors <= 0, made 1-processor 1 s jobs";
    pub const ZERO_RUNTIME: &str = "with run time <= 0, made 1 s jobs";
    pub const OVERSIZED: &str = "with more processors than the machine, clamped to it";
}
