//! `clustersim explain`: one job's story from a run's `events.csv` — submit, each attempt, start,
//! end — and, while it waited, why it did not start at each pass where that changed.
//!
//! Reasons come from the `skip` events (see `engine::diagnose`). A job with a note of its own was
//! tried and could not start; a job without one was not tried: under `fifo` it is behind the
//! head, and the head's own note says why the head waits. So the reason in force for a waiting
//! job is the most recent of its own note and the latest note of a job that has not started since.

use super::data::{Table, read_manifest};
use crate::error::{Error, Result};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// Simulated seconds as a clock: `0:02:00`, `1d 03:00:00`, with the fraction when there is one.
pub fn fmt_clock(s: f64) -> String {
    let whole = s.floor() as u64;
    let frac = s - whole as f64;
    let (d, h, m, sec) = (whole / 86400, whole % 86400 / 3600, whole % 3600 / 60, whole % 60);
    let mut out = if d > 0 { format!("{d}d {h:02}:{m:02}:{sec:02}") } else { format!("{h}:{m:02}:{sec:02}") };
    if frac > 0.0 {
        let f = format!("{frac:.6}");
        out.push_str(f.trim_start_matches('0').trim_end_matches('0'));
    }
    out
}

/// A duration in seconds as `1h 02m 05s`, `3m 10s`, `45s`.
pub fn fmt_span(s: f64) -> String {
    let t = s.round() as u64;
    let (d, h, m, sec) = (t / 86400, t % 86400 / 3600, t % 3600 / 60, t % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{sec}s"),
        (0, 0, _) => format!("{m}m {sec:02}s"),
        (0, _, _) => format!("{h}h {m:02}m {sec:02}s"),
        _ => format!("{d}d {h:02}h {m:02}m"),
    }
}

/// The queue discipline's name from the run's manifest (`fifo` when unknown).
fn queue_name(dir: &Path) -> Result<String> {
    Ok(read_manifest(dir)?
        .and_then(|m| m.get("policies").and_then(|p| p.get("queue")).and_then(|q| q.as_str()).map(str::to_string))
        .unwrap_or_else(|| "fifo".into()))
}

/// Events after which the job waits in the queue again.
const REQUEUE: [&str; 3] = ["preempt", "requeue", "resubmit"];

/// What a waiting job's current reason is, from its own note and the other jobs' notes.
struct WaitState {
    queue: String,
    /// (time, detail) of the job's own last note since it last entered the queue.
    own: Option<(f64, String)>,
    /// Other jobs noted and not started since: job → (time, detail).
    others: BTreeMap<String, (f64, String)>,
    last: Option<String>,
}

impl WaitState {
    fn current(&self) -> String {
        let other = self.others.iter().max_by(|a, b| a.1.0.total_cmp(&b.1.0).then_with(|| b.0.cmp(a.0)));
        match (&self.own, other) {
            (Some((t_own, own)), Some((_, (t_other, _)))) if t_own >= t_other => own.clone(),
            (Some((_, own)), None) => own.clone(),
            (_, Some((job, (_, why)))) => {
                if self.queue == "fifo" {
                    format!("not at the head under fifo; job {job} is first and cannot start: {why}")
                } else {
                    format!("not started; job {job}, tried before it under {}, cannot start: {why}", self.queue)
                }
            }
            (None, None) => format!("waiting; {} recorded no reason", self.queue),
        }
    }

    /// The reason line if it changed.
    fn changed(&mut self) -> Option<String> {
        let now = self.current();
        (self.last.as_ref() != Some(&now)).then(|| {
            self.last = Some(now.clone());
            now
        })
    }
}

/// The job's facts from `jobs.csv`: a header line and its submit time.
fn job_header(dir: &Path, id: &str) -> Result<(String, f64)> {
    let jobs = Table::read(&dir.join("jobs.csv"))?;
    let col = jobs.require("job")?;
    let Some(r) = (0..jobs.rows.len()).find(|&r| jobs.text(r, col) == id) else {
        return Err(Error::Other(format!("{}: no job with id {id}", jobs.path.display())));
    };
    let get = |name: &str| jobs.col(name).map(|c| jobs.text(r, c).to_string()).unwrap_or_default();
    let num = |name: &str| jobs.col(name).and_then(|c| jobs.num(r, c));
    let mut h =
        format!("job {id}: user {}, tier {}, {} task(s) × cpu {}", get("user"), get("tier"), get("tasks"), get("cpu"));
    if num("mem").is_some_and(|m| m > 0.0) {
        let _ = write!(h, ", mem {}", crate::fmt::fmt_mem(num("mem").unwrap_or(0.0) as u64));
    }
    if num("gpu").is_some_and(|g| g > 0.0) {
        let _ = write!(h, ", gpu {}", get("gpu"));
    }
    if let Some(e) = num("estimate") {
        let _ = write!(h, "; estimate {}", fmt_span(e));
    }
    let state = get("state");
    let _ = write!(h, "\noutcome: {state} after {} attempt(s)", get("attempts"));
    if let Some(w) = num("wait") {
        let _ = write!(h, "; waited {} before its first start", fmt_span(w));
    }
    let reason = get("reason");
    if !reason.is_empty() {
        let _ = write!(h, " ({reason})");
    }
    Ok((h, num("submit").unwrap_or(0.0)))
}

/// The explanation of job `id` (its id as in `jobs.csv`) in the run at `dir`.
pub fn explain(dir: &Path, id: &str) -> Result<String> {
    let events_path = dir.join("events.csv");
    if dir.join("comparison.csv").is_file() {
        return Err(Error::Other(format!(
            "{}: a sweep; explain one of its runs: {}",
            dir.display(),
            dir.join("runs").join("RUN_ID").display()
        )));
    }
    if !dir.is_dir() {
        return Err(Error::Other(format!("{}: no such results directory", dir.display())));
    }
    if !events_path.is_file() {
        return Err(Error::Other(format!(
            "{}: no events.csv; run the scenario again with --events to record why jobs wait",
            dir.display()
        )));
    }
    let (header, submit) = job_header(dir, id)?;
    let queue = queue_name(dir)?;
    let mut r = csv::ReaderBuilder::new()
        .from_path(&events_path)
        .map_err(|e| Error::Other(format!("{}: {e}", events_path.display())))?;
    let mut st = WaitState { queue: queue.clone(), own: None, others: BTreeMap::new(), last: None };
    let mut waiting = false;
    let mut attempts = 0;
    let mut lines: Vec<(f64, String)> = Vec::new();
    // A change of reason is reported once the pass that made it is over (time moves on), so a
    // head that starts and the job's own note in the same pass read as one change.
    let mut dirty: Option<f64> = None;
    let mut rec = csv::StringRecord::new();
    loop {
        let more = match r.read_record(&mut rec) {
            Ok(more) => more,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                return Err(Error::Trace { path: events_path, line, message: e.to_string() });
            }
        };
        let t = if more { rec[0].parse::<f64>().unwrap_or(0.0) } else { f64::INFINITY };
        if let Some(at) = dirty.filter(|&at| t > at) {
            if waiting && let Some(why) = st.changed() {
                lines.push((at, format!("waiting: {why}")));
            }
            dirty = None;
        }
        if !more {
            break;
        }
        let (kind, job, node, detail) = (&rec[1], &rec[2], rec.get(3).unwrap_or(""), rec.get(4).unwrap_or(""));
        if job == id {
            match kind {
                "arrival" => {
                    lines.push((t, "submitted".into()));
                    waiting = true;
                    st.own = None;
                    st.last = None;
                }
                "skip" => st.own = Some((t, detail.to_string())),
                "start" => {
                    attempts += 1;
                    let nodes = if detail.is_empty() { node.to_string() } else { detail.to_string() };
                    lines.push((t, format!("started (attempt {attempts}) on node(s) {nodes}")));
                    waiting = false;
                    st.own = None;
                    st.last = None;
                }
                "finish" => lines.push((t, "finished".into())),
                "kill" => lines.push((t, "killed at its estimate".into())),
                "cancel" => lines.push((t, format!("cancelled: {detail}"))),
                // The detail is the reserved start, in simulated seconds: shown as a clock like the rest.
                "reserve" => {
                    let at = detail.parse::<f64>().map(fmt_clock).unwrap_or_else(|_| detail.to_string());
                    lines.push((t, format!("reservation: start at {at}")));
                }
                _ => {
                    let text = if detail.is_empty() {
                        kind.replace('_', " ")
                    } else {
                        format!("{}: {detail}", kind.replace('_', " "))
                    };
                    let text = if node.is_empty() { text } else { format!("{text} (node {node})") };
                    lines.push((t, text));
                    if REQUEUE.contains(&kind) {
                        waiting = true;
                        st.own = None;
                        st.last = None;
                    }
                }
            }
        } else if !job.is_empty() {
            match kind {
                "skip" => {
                    st.others.insert(job.to_string(), (t, detail.to_string()));
                }
                "start" | "finish" | "kill" | "cancel" | "fail" => {
                    if st.others.remove(job).is_none() {
                        continue;
                    }
                }
                _ => continue,
            }
        } else {
            continue;
        }
        if waiting {
            dirty.get_or_insert(t);
        }
    }
    if lines.is_empty() {
        lines.push((submit, "no events recorded for this job".into()));
    }
    let mut out = format!("{header}\nqueue discipline: {queue}\n\n");
    let width = lines.iter().map(|(t, _)| fmt_clock(*t).len()).max().unwrap_or(8);
    for (t, text) in &lines {
        let _ = writeln!(out, "  {:<width$}  {text}", fmt_clock(*t));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clocks_and_spans_read_naturally() {
        assert_eq!(fmt_clock(120.0), "0:02:00");
        assert_eq!(fmt_clock(97_200.5), "1d 03:00:00.5");
        assert_eq!(fmt_span(45.0), "45s");
        assert_eq!(fmt_span(3725.0), "1h 02m 05s");
        assert_eq!(fmt_span(90_000.0), "1d 01h 00m");
    }
}
