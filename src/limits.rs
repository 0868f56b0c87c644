//! The ranges of scenario values (the table in docs/limits.md), on the lowest layer: every module
//! may check a number against them. Every number a scenario, job list
//! or sweep gives is checked against its range by `validate` and `run` alike, so that no input makes
//! the simulator allocate memory or spend time in proportion to an unchecked number, and no value is
//! silently saturated.

/// Largest time or duration, in seconds: 10^10 s, about 317 years. Sums of a few such values stay
/// far below the 2^64 µs of simulated time.
pub const MAX_TIME_SECS: u64 = 10_000_000_000;

/// [`MAX_TIME_SECS`] in simulated time (µs).
pub const MAX_TIME: u64 = MAX_TIME_SECS * 1_000_000;

/// Nodes of a cluster, over all its pools.
pub const MAX_NODES: u64 = 100_000;

/// Cores of a node or of a task; also gpus.
pub const MAX_CPU: u64 = 1_000_000;

/// Memory of a node or of a task, in MiB (1 PiB).
pub const MAX_MEMORY_MIB: u64 = 1 << 30;

/// Tasks of one job.
pub const MAX_TASKS: u64 = 1_000_000;

/// Jobs of a synthetic workload or an inline job list.
pub const MAX_JOBS: u64 = 10_000_000;

/// Users of a synthetic workload (and groups, which are at most the users).
pub const MAX_USERS: u64 = 100_000;

/// Factors that scale a workload or cluster (`load`, `load_scale`, `node_scale`, estimate factors): from
/// this to its inverse.
pub const MIN_FACTOR: f64 = 1e-3;
pub const MAX_FACTOR: f64 = 1e3;

/// Weights, shares and other plain numbers of policies and tiers (at most).
pub const MAX_NUMBER: f64 = 1e9;

/// Replications of a study.
pub const MAX_REPLICATIONS: u64 = 10_000;

/// Runs of a study (configurations × replications).
pub const MAX_RUNS: u64 = 1_000_000;

/// Timeline samples of a run: past this, the interval doubles (every other sample is dropped).
pub const MAX_SAMPLES: usize = 100_000;

/// Smallest timeline sample interval (µs).
pub const MIN_SAMPLE_INTERVAL: u64 = 1_000;

/// `Ok` when `x` is a whole number in `lo..=hi`, else the message `expected LO to HI, found X`.
pub fn whole(x: u64, lo: u64, hi: u64) -> Result<u64, String> {
    if (lo..=hi).contains(&x) { Ok(x) } else { Err(format!("expected {} to {}, found {x}", group(lo), group(hi))) }
}

/// `Ok` when `x` is a finite number in `lo..=hi`, else the message `expected LO to HI, found X`.
pub fn number(x: f64, lo: f64, hi: f64) -> Result<f64, String> {
    if x.is_finite() && (lo..=hi).contains(&x) {
        Ok(x)
    } else {
        Err(format!("expected {} to {}, found {}", show(lo), show(hi), show(x)))
    }
}

/// A scaling factor ([`MIN_FACTOR`] to [`MAX_FACTOR`]).
pub fn factor(x: f64) -> Result<f64, String> {
    number(x, MIN_FACTOR, MAX_FACTOR)
        .map_err(|_| format!("expected a factor from {MIN_FACTOR} to {MAX_FACTOR}, found {}", show(x)))
}

/// A number as a message shows it: `1e30` rather than thirty-one digits.
pub fn show(x: f64) -> String {
    if x.is_finite() && x != 0.0 && !(1e-6..1e15).contains(&x.abs()) { format!("{x:e}") } else { format!("{x}") }
}

/// `1234567` as `1,234,567`.
pub fn group(x: u64) -> String {
    let digits = x.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_say_what_was_expected() {
        assert_eq!(whole(5, 1, 10), Ok(5));
        assert_eq!(whole(0, 1, MAX_NODES), Err("expected 1 to 100,000, found 0".into()));
        assert_eq!(number(f64::NAN, 0.0, 1.0), Err("expected 0 to 1, found NaN".into()));
        assert!(factor(1e-300).unwrap_err().contains("factor from 0.001 to 1000"));
        assert_eq!(group(4294967295), "4,294,967,295");
    }
}
