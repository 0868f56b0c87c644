//! The numbers of a job line into a job: the checks of their ranges, the convention's reading ("p" as
//! pyss reads a trace, or "plain"), the filters' helpers, and the estimate mode and load scaling applied
//! to the kept jobs.

use super::schema::{Convention, EstimateMode, SwfOptions};
use super::*;
use crate::model::Job;

/// A field's value for a message: `1e300` rather than 301 digits.
pub(super) fn shown(x: f64) -> String {
    if x.abs() >= 1e16 { format!("{x:e}") } else { x.to_string() }
}

/// Checks that the used fields of a well-formed line hold values a job can have: times and numbers in
/// range, whole processor counts, a preceding job and think time that are either given (≥ 0) or −1.
/// A handful of branch-free comparisons on the fast path; [`bad_field`] says which field fails.
#[inline]
pub(super) fn check_fields(f: &[f64; FIELDS]) -> std::result::Result<(), String> {
    let times = f[SUBMIT].max(f[RUN]).max(f[REQ_TIME]).max(f[THINK]);
    let procs = f[ALLOC].max(f[REQ_PROCS]);
    let numbers = f[JOB].abs().max(f[USER].abs()).max(f[GROUP].abs()).max(f[PRECEDING]).max(f[REQ_MEM]);
    let whole = (f[ALLOC] as i64 as f64 == f[ALLOC]) & (f[REQ_PROCS] as i64 as f64 == f[REQ_PROCS]);
    let unknown_or_given = |x: f64| (x >= 0.0) | (x == -1.0);
    let dependency = unknown_or_given(f[PRECEDING]) & unknown_or_given(f[THINK]);
    if (times <= MAX_SECS) & (procs <= MAX_PROCS) & (numbers <= MAX_NUMBER) & whole & dependency {
        Ok(())
    } else {
        Err(bad_field(f))
    }
}

/// What [`check_fields`] found wrong, for the first field that fails.
#[cold]
fn bad_field(f: &[f64; FIELDS]) -> String {
    let name = |k: usize| format!("field {} ({})", k + 1, FIELD_NAMES[k]);
    for k in [JOB, SUBMIT, RUN, ALLOC, REQ_PROCS, REQ_TIME, REQ_MEM, USER, GROUP, PRECEDING, THINK] {
        let x = f[k];
        let limit = match k {
            SUBMIT | RUN | REQ_TIME | THINK => MAX_SECS,
            ALLOC | REQ_PROCS => MAX_PROCS,
            _ => MAX_NUMBER,
        };
        if x.abs() > limit && !(x < 0.0 && matches!(k, SUBMIT | RUN | REQ_TIME | ALLOC | REQ_PROCS | REQ_MEM)) {
            return format!("{} is out of range: {} (at most {})", name(k), shown(x), shown(limit));
        }
        if matches!(k, ALLOC | REQ_PROCS) && x as i64 as f64 != x {
            return format!("{} is not a whole number: {}", name(k), shown(x));
        }
        if matches!(k, PRECEDING | THINK) && x < 0.0 && x != -1.0 {
            return format!("{} is negative: {} (expected -1 when there is none)", name(k), shown(x));
        }
    }
    "a field is out of range".into() // not reached: check_fields failed on one of the fields above
}

/// Seconds (possibly fractional) to simulated time; negative values become 0.
#[inline]
pub(super) fn to_time(secs: f64) -> Time {
    let micros = secs * SECOND as f64;
    // Rounds half away from zero like `f64::round`, without a call into the maths library: below 2^52
    // the fractional part `micros - whole` is computed exactly.
    if micros <= 0.0 {
        0
    } else if micros < (1u64 << 52) as f64 {
        let whole = micros as Time;
        whole + Time::from(micros - whole as f64 >= 0.5)
    } else {
        micros.round() as Time
    }
}

/// The shape of one job after the convention: (submit, processors, run time, estimate), or why it is skipped.
#[inline(always)] // its result would otherwise come back through memory, a stall per job
pub(super) fn apply_convention(
    f: &[f64; FIELDS],
    convention: Convention,
    machine: Option<u64>,
) -> std::result::Result<(Time, u64, Time, Time), &'static str> {
    let (submit, run, alloc, req_time) = (f[SUBMIT], f[RUN], f[ALLOC], f[REQ_TIME]);
    match convention {
        Convention::P => {
            let machine = machine.unwrap_or(u64::MAX) as f64;
            if run <= 0.0 || alloc <= 0.0 || submit < 0.0 {
                let procs = alloc.max(1.0).min(machine) as u64;
                return Ok((to_time(submit.max(1.0)), procs, SECOND, SECOND));
            }
            let procs = alloc.min(machine).max(1.0) as u64;
            // A missing request (−1) does not cut the run (pyss would turn the job into a 1 s job).
            let (runtime, estimate) = if req_time > 0.0 {
                let runtime = req_time.min(run).max(1.0);
                (runtime, req_time.max(run).max(1.0))
            } else {
                let runtime = run.max(1.0);
                (runtime, runtime)
            };
            Ok((to_time(submit), procs, to_time(runtime), to_time(estimate)))
        }
        Convention::Plain => {
            if submit < 0.0 {
                return Err(if submit == -1.0 { "submit time unknown (-1)" } else { "submit time negative" });
            }
            let procs = if f[REQ_PROCS] > 0.0 { f[REQ_PROCS] } else { alloc };
            if procs <= 0.0 {
                return Err(if procs == -1.0 { "processors unknown (-1)" } else { "processors 0 or negative" });
            }
            if run < 0.0 {
                return Err(if run == -1.0 { "run time unknown (-1)" } else { "run time negative" });
            }
            let runtime = to_time(run);
            let estimate = if req_time > 0.0 { to_time(req_time) } else { runtime };
            Ok((to_time(submit), procs as u64, runtime, estimate))
        }
    }
}

/// Why convention P rewrites the job of these fields, the first reason that applies (a submit time,
/// processors or run time that make it a 1 s job, then more processors than the machine has), or `None`
/// when it takes the job as it is (a run cut at its request is no rewrite: the batch system cut it).
#[inline]
pub(super) fn rewrite_of(f: &[f64; FIELDS], machine: Option<u64>) -> Option<&'static str> {
    let (submit, run, alloc) = (f[SUBMIT], f[RUN], f[ALLOC]);
    if submit < 0.0 {
        Some(rewrite::SUBMIT_NEGATIVE)
    } else if alloc <= 0.0 {
        Some(rewrite::NO_PROCESSORS)
    } else if run <= 0.0 {
        Some(rewrite::ZERO_RUNTIME)
    } else if machine.is_some_and(|m| alloc > m as f64) {
        Some(rewrite::OVERSIZED)
    } else {
        None
    }
}

/// The processors a job asks for before any clamping (for `drop_oversized`).
pub(super) fn raw_procs(f: &[f64; FIELDS], convention: Convention) -> f64 {
    match convention {
        Convention::P => f[ALLOC],
        Convention::Plain => {
            if f[REQ_PROCS] > 0.0 {
                f[REQ_PROCS]
            } else {
                f[ALLOC]
            }
        }
    }
}

/// A queue or partition number (fields 15, 16): `None` when the trace gives none (−1); an error when it
/// is not a whole number from 0 to 65,535.
#[inline]
pub(super) fn small_number(fields: &[f64; FIELDS], k: usize) -> std::result::Result<Option<u16>, String> {
    let x = fields[k];
    if x < 0.0 {
        Ok(None)
    } else if x <= u16::MAX as f64 && f64::from(x as u16) == x {
        Ok(Some(x as u16))
    } else {
        Err(format!("field {} ({}) is not a number from 0 to 65535: {x}", k + 1, FIELD_NAMES[k]))
    }
}

/// True when `number` (a queue or partition; `None` = unknown, written −1) is in the list, or there is no list.
pub(super) fn selected(list: &Option<Vec<i64>>, number: Option<u16>) -> bool {
    list.as_ref().is_none_or(|l| l.contains(&number.map_or(-1, i64::from)))
}

/// Applies the estimate mode and the load scaling to the kept jobs.
pub(super) fn finish_jobs(jobs: &mut [Job], opts: &SwfOptions) {
    let estimate = |job: &Job| match opts.estimate {
        EstimateMode::User => job.estimate,
        EstimateMode::Perfect => job.runtime,
        EstimateMode::Factor(k) => ((job.runtime as f64 * k).round() as Time).max(1),
    };
    if opts.estimate != EstimateMode::User {
        for job in jobs.iter_mut() {
            job.estimate = estimate(job);
        }
    }
    if opts.load_scale != 1.0
        && let Some(t0) = jobs.iter().map(|j| j.submit).min()
    {
        for job in jobs.iter_mut() {
            job.submit = t0 + ((job.submit - t0) as f64 / opts.load_scale).round() as Time;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tokenizer::parse_fields;
    use super::*;

    fn fields(line: &str) -> [f64; FIELDS] {
        let mut f = [0.0; FIELDS];
        parse_fields(line.as_bytes(), &mut f).1.unwrap();
        f
    }

    #[test]
    fn convention_p_cuts_runs_at_the_request_and_clamps_processors() {
        // ran 500 s past a 300 s request on 150 of 100 processors
        let f = fields("1 10 0 800 150 -1 -1 150 300 -1 1 1 1 -1 -1 -1 -1 -1");
        assert_eq!(apply_convention(&f, Convention::P, Some(100)), Ok((10 * SECOND, 100, 300 * SECOND, 800 * SECOND)));
        // plain keeps requested processors and the full run
        assert_eq!(
            apply_convention(&f, Convention::Plain, Some(100)),
            Ok((10 * SECOND, 150, 800 * SECOND, 300 * SECOND))
        );
    }

    #[test]
    fn convention_p_turns_degenerate_jobs_into_one_second_jobs() {
        let zero_run = fields("1 0 0 0 4 -1 -1 4 60 -1 1 1 1 -1 -1 -1 -1 -1");
        assert_eq!(apply_convention(&zero_run, Convention::P, Some(100)), Ok((SECOND, 4, SECOND, SECOND)));
        let no_procs = fields("2 50 0 30 -1 -1 -1 -1 60 -1 1 1 1 -1 -1 -1 -1 -1");
        assert_eq!(apply_convention(&no_procs, Convention::P, Some(100)), Ok((50 * SECOND, 1, SECOND, SECOND)));
        assert_eq!(apply_convention(&no_procs, Convention::Plain, Some(100)), Err("processors unknown (-1)"));
    }

    #[test]
    fn convention_p_rewrites_are_told_apart_by_their_first_reason() {
        let why = |line: &str| rewrite_of(&fields(line), Some(100));
        assert_eq!(why("1 10 0 800 150 -1 -1 150 300 -1 1 1 1 -1 -1 -1 -1 -1"), Some(rewrite::OVERSIZED));
        assert_eq!(why("1 -5 0 0 0 -1 -1 4 60 -1 1 1 1 -1 -1 -1 -1 -1"), Some(rewrite::SUBMIT_NEGATIVE));
        assert_eq!(why("1 0 0 0 -1 -1 -1 4 60 -1 1 1 1 -1 -1 -1 -1 -1"), Some(rewrite::NO_PROCESSORS));
        assert_eq!(why("1 0 0 0 500 -1 -1 4 60 -1 1 1 1 -1 -1 -1 -1 -1"), Some(rewrite::ZERO_RUNTIME));
        // a run cut at its request is the batch system's doing, not a rewrite
        assert_eq!(why("1 10 0 800 100 -1 -1 100 300 -1 1 1 1 -1 -1 -1 -1 -1"), None);
    }
}
