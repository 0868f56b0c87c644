//! `clustersim export`: a run's schedule in the formats peers' tools read — Batsim's `jobs.csv`
//! (as Evalys loads it) and the Standard Workload Format (as pyss writes a simulated schedule back).
//!
//! Both are made from the run's `jobs.csv`, `nodes.csv` and `manifest.json` alone, so they can be
//! written for any results directory, long after the run.

use super::data::{Results, Table, read_manifest};
use crate::error::{Error, Result};
use crate::fmt::fmt_time;
use crate::model::Time;
use crate::output::write_atomic;
use std::path::{Path, PathBuf};

/// The file a Batsim export writes into the run's directory.
pub const BATSIM_FILE: &str = "jobs_batsim.csv";
/// The file an SWF export writes into the run's directory.
pub const SWF_FILE: &str = "schedule.swf";

/// The columns of Batsim's `jobs.csv`, in Batsim's order (Evalys's `JobSet.columns` plus
/// `final_state`).
pub const BATSIM_COLUMNS: [&str; 14] = [
    "job_id",
    "workload_name",
    "submission_time",
    "requested_number_of_resources",
    "requested_time",
    "success",
    "final_state",
    "starting_time",
    "execution_time",
    "finish_time",
    "waiting_time",
    "turnaround_time",
    "stretch",
    "allocated_resources",
];

/// An export format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Batsim,
    Swf,
}

impl Format {
    pub const NAMES: [&'static str; 2] = ["batsim", "swf"];

    pub fn parse(name: &str) -> Result<Format> {
        match name {
            "batsim" => Ok(Format::Batsim),
            "swf" => Ok(Format::Swf),
            other => Err(Error::Other(format!(
                "unknown export format `{other}` (valid names: {})",
                Format::NAMES.join(", ")
            ))),
        }
    }

    fn file(self) -> &'static str {
        match self {
            Format::Batsim => BATSIM_FILE,
            Format::Swf => SWF_FILE,
        }
    }
}

/// Writes the export of the run in `dir`, or of every run of the sweep in `dir`; the files written.
pub fn export(dir: &Path, format: Format) -> Result<Vec<PathBuf>> {
    let runs: Vec<PathBuf> = match Results::open(dir)? {
        Results::Run(d) => vec![d],
        Results::Sweep(study) => study.runs.iter().map(|r| r.dir.clone()).collect(),
    };
    runs.iter()
        .map(|run| {
            let jobs = Jobs::read(run)?;
            let path = run.join(format.file());
            let text = match format {
                Format::Batsim => batsim(&jobs),
                Format::Swf => swf(&jobs),
            };
            write_atomic(&path, |w| w.write_all(text.as_bytes()))?;
            Ok(path)
        })
        .collect()
}

/// What the exports need of one run.
struct Jobs {
    jobs: Table,
    /// The scenario's name (Batsim's workload name).
    name: String,
    /// The cores of every node (from `nodes.csv`; empty for results of older versions).
    node_cpus: Vec<u64>,
}

impl Jobs {
    fn read(dir: &Path) -> Result<Jobs> {
        let jobs = Table::read(&dir.join("jobs.csv"))?;
        for c in ["job", "user", "tasks", "cpu", "submit", "start", "end", "estimate", "state", "nodes"] {
            jobs.require(c)?;
        }
        let name = read_manifest(dir)?
            .and_then(|m| m.get("scenario").and_then(|s| s.as_str()).map(str::to_string))
            .unwrap_or_else(|| "w0".into());
        let nodes_path = dir.join("nodes.csv");
        let node_cpus = if nodes_path.is_file() {
            let t = Table::read(&nodes_path)?;
            let c = t.require("cpu")?;
            (0..t.rows.len()).map(|r| t.num(r, c).unwrap_or(0.0) as u64).collect()
        } else {
            Vec::new()
        };
        Ok(Jobs { jobs, name, node_cpus })
    }

    fn text(&self, row: usize, col: &str) -> &str {
        self.jobs.col(col).map_or("", |c| self.jobs.text(row, c))
    }

    /// A time column in µs; `None` when empty.
    fn time(&self, row: usize, col: &str) -> Option<Time> {
        let s = self.text(row, col).trim();
        s.parse::<f64>().ok().filter(|x| x.is_finite() && *x >= 0.0).map(|x| (x * 1e6).round() as Time)
    }

    fn int(&self, row: usize, col: &str) -> u64 {
        self.text(row, col).trim().parse().unwrap_or(0)
    }

    /// The distinct nodes a job ran on, sorted.
    fn nodes(&self, row: usize) -> Vec<u64> {
        let mut v: Vec<u64> = self.text(row, "nodes").split(';').filter_map(|n| n.trim().parse().ok()).collect();
        v.sort_unstable();
        v.dedup();
        v
    }
}

/// `ids` (sorted, distinct) as an interval set: `0-3 7 9-10`.
pub fn interval_set(ids: &[u64]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < ids.len() {
        let mut j = i;
        while j + 1 < ids.len() && ids[j + 1] == ids[j] + 1 {
            j += 1;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out += &if j > i { format!("{}-{}", ids[i], ids[j]) } else { ids[i].to_string() };
        i = j + 1;
    }
    out
}

/// Batsim's final state of a job that ended, and whether it succeeded.
fn final_state(state: &str, reason: &str, started: bool) -> Option<&'static str> {
    Some(match state {
        "completed" => "COMPLETED_SUCCESSFULLY",
        "failed" if reason.contains("estimate") => "COMPLETED_WALLTIME_REACHED",
        "failed" => "COMPLETED_FAILED",
        "cancelled" if started => "COMPLETED_KILLED",
        "cancelled" => "REJECTED",
        // unfinished at the horizon, not submitted: Batsim ends with every job ended
        _ => return None,
    })
}

/// A number of seconds as Batsim writes it: exact, with up to 6 decimals.
fn secs(t: Option<Time>) -> String {
    t.map(fmt_time).unwrap_or_default()
}

/// Batsim's `jobs.csv`: one row per job that ended (a job still running or waiting at the horizon
/// has no Batsim state and is left out). A resource is a node: `requested_number_of_resources` is
/// the job's number of tasks, `allocated_resources` the interval set of the node ids it ran on
/// (tasks packed on one node share it), `requested_time` the user estimate; the times of a job that
/// never started are empty.
fn batsim(j: &Jobs) -> String {
    let mut out = BATSIM_COLUMNS.join(",") + "\n";
    for row in 0..j.jobs.rows.len() {
        let start = j.time(row, "start");
        let Some(state) = final_state(j.text(row, "state"), j.text(row, "reason"), start.is_some()) else {
            continue;
        };
        let submit = j.time(row, "submit").unwrap_or(0);
        let end = j.time(row, "end").or(start.filter(|_| state == "COMPLETED_KILLED"));
        let (exec, finish) = match (start, end) {
            (Some(s), Some(e)) => (Some(e.saturating_sub(s)), Some(e)),
            _ => (None, None),
        };
        let turnaround = finish.map(|f| f.saturating_sub(submit));
        let stretch = match (turnaround, exec) {
            (Some(t), Some(e)) if e > 0 => crate::fmt::fmt_num(t as f64 / e as f64),
            (Some(_), Some(_)) => "inf".into(),
            _ => String::new(),
        };
        let fields = [
            csv_field(j.text(row, "job")),
            csv_field(&j.name),
            fmt_time(submit),
            j.int(row, "tasks").to_string(),
            secs(j.time(row, "estimate")),
            u8::from(state == "COMPLETED_SUCCESSFULLY").to_string(),
            state.to_string(),
            secs(start),
            secs(exec),
            secs(finish),
            secs(start.map(|s| s.saturating_sub(submit))),
            secs(turnaround),
            stretch,
            interval_set(&j.nodes(row)),
        ];
        out += &fields.join(",");
        out.push('\n');
    }
    out
}

/// `s` quoted for CSV when it needs it.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

/// Whole seconds, rounded, as SWF writes times.
fn whole(t: Time) -> i64 {
    ((t + 500_000) / 1_000_000) as i64
}

/// The number SWF gives a user or group name: its digits (`u3` → 3, `17` → 17), else its rank in
/// order of first appearance (from 1).
fn numbering(names: impl Iterator<Item = String>) -> impl Fn(&str) -> i64 {
    let mut seen: Vec<String> = Vec::new();
    for n in names {
        if !seen.contains(&n) {
            seen.push(n);
        }
    }
    let all_digits = seen.iter().all(|n| n.trim_start_matches(|c: char| !c.is_ascii_digit()).parse::<i64>().is_ok());
    move |name: &str| {
        if all_digits && let Ok(k) = name.trim_start_matches(|c: char| !c.is_ascii_digit()).parse::<i64>() {
            return k;
        }
        seen.iter().position(|n| n == name).map_or(-1, |i| i as i64 + 1)
    }
}

/// The schedule as an SWF file, as pyss writes one back: the submit time, the wait the simulated
/// schedule gave (field 3, actual start − submit), the run time (field 4, end − start), processors
/// (tasks × cores per task) allocated and requested, the user estimate as requested time, status 1
/// (completed), 0 (failed) or 5 (cancelled), user and group numbers, queue and partition. Times are
/// whole seconds; −1 where SWF has no value.
fn swf(j: &Jobs) -> String {
    let user = numbering((0..j.jobs.rows.len()).map(|r| j.text(r, "user").to_string()));
    let group = numbering((0..j.jobs.rows.len()).map(|r| j.text(r, "group").to_string()));
    let procs: u64 = j.node_cpus.iter().sum();
    let ended = (0..j.jobs.rows.len()).filter(|&r| j.text(r, "state") != "not_submitted").count();
    let mut out = String::new();
    out += "; Version: 2.2\n";
    out += &format!("; Computer: clustersim {} (scenario {})\n", env!("CARGO_PKG_VERSION"), j.name);
    out += "; Note: a simulated schedule; field 3 (wait) is the simulated start - submit, field 4 the simulated run time\n";
    out += &format!("; MaxJobs: {ended}\n; MaxRecords: {ended}\n");
    if procs > 0 {
        out += &format!("; MaxNodes: {}\n; MaxProcs: {procs}\n", j.node_cpus.len());
    }
    for row in 0..j.jobs.rows.len() {
        let state = j.text(row, "state");
        if state == "not_submitted" {
            continue;
        }
        let submit = j.time(row, "submit").unwrap_or(0);
        let start = j.time(row, "start");
        let end = j.time(row, "end");
        let wait = start.map_or(-1, |s| whole(s) - whole(submit));
        let run = match (start, end) {
            (Some(s), Some(e)) => whole(e) - whole(s),
            _ => -1,
        };
        let n = j.int(row, "tasks") * j.int(row, "cpu").max(1);
        let alloc = if start.is_some() { n as i64 } else { -1 };
        let status = match state {
            "completed" => 1,
            "failed" => 0,
            "cancelled" => 5,
            _ => -1,
        };
        let number = |c: &str| j.text(row, c).trim().parse::<i64>().unwrap_or(-1);
        let estimate = j.time(row, "estimate").map_or(-1, whole);
        let id = j.text(row, "job").trim().parse::<i64>().unwrap_or(row as i64 + 1);
        out += &format!(
            "{id} {} {wait} {run} {alloc} -1 -1 {n} {estimate} -1 {status} {} {} -1 {} {} -1 -1\n",
            whole(submit),
            user(j.text(row, "user")),
            group(j.text(row, "group")),
            number("queue"),
            number("partition"),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_sets_join_runs_of_consecutive_ids() {
        assert_eq!(interval_set(&[0, 1, 2, 3, 7]), "0-3 7");
        assert_eq!(interval_set(&[5]), "5");
        assert_eq!(interval_set(&[]), "");
        assert_eq!(interval_set(&[1, 3, 4]), "1 3-4");
    }

    #[test]
    fn user_names_number_by_their_digits_or_their_order() {
        let f = numbering(["u3", "u1", "u3"].map(String::from).into_iter());
        assert_eq!((f("u3"), f("u1")), (3, 1));
        let g = numbering(["alice", "bob"].map(String::from).into_iter());
        assert_eq!((g("alice"), g("bob")), (1, 2));
    }
}
