//! `clustersim trace stats FILE`: a trace's summary (jobs, span, machine, arrival rate, run time and size
//! percentiles, offered load, and every skipped line with its reason).

use super::csv_jobs::read_csv_jobs;
use super::swf::{OnBadLine, SwfHeader, SwfOptions, read_swf};
use crate::error::Result;
use crate::model::time::as_secs_f64;
use crate::model::{SkipReport, Workload};
use crate::stats::{mean, percentile_sorted, sorted};
use std::fmt;
use std::path::{Path, PathBuf};

/// The summary of one trace as read under one set of options.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceStats {
    pub path: PathBuf,
    /// Job lines (SWF) or rows (CSV) read, kept or skipped.
    pub lines: u64,
    pub jobs: u64,
    pub skipped: SkipReport,
    /// Processors of the machine: the header's `MaxProcs` or what the caller gave.
    pub machine_procs: Option<u64>,
    pub header: Option<SwfHeader>,
    /// First and last submit, seconds.
    pub first_submit: f64,
    pub last_submit: f64,
    /// Jobs per hour over the submit span.
    pub arrival_rate_per_h: f64,
    pub mean_interarrival: f64,
    /// Run time (s): mean, p50, p90, p99, max.
    pub runtime: [f64; 5],
    /// Processors per job: mean, p50, p90, p99, max.
    pub procs: [f64; 5],
    /// Estimate ÷ run time for jobs with run time > 0: mean, p50, p90, p99, max.
    pub estimate_ratio: [f64; 5],
    /// Σ procs × run time / (machine procs × submit span); `None` without a machine size.
    pub offered_load: Option<f64>,
    /// Jobs per queue number (SWF field 15; −1: none given), ascending.
    pub queues: Vec<(i64, u64)>,
    /// Jobs per partition number (SWF field 16; −1: none given), ascending.
    pub partitions: Vec<(i64, u64)>,
    /// Jobs per tier (name, jobs), lowest tier first, for a CSV job list with more than one tier.
    pub tiers: Vec<(String, u64)>,
}

/// How many jobs carry each number (−1 for none), ascending.
fn count_numbers(numbers: impl Iterator<Item = Option<u16>>) -> Vec<(i64, u64)> {
    let mut counts = std::collections::BTreeMap::new();
    for n in numbers {
        *counts.entry(n.map_or(-1, i64::from)).or_insert(0) += 1;
    }
    counts.into_iter().collect()
}

/// `none: 4, 1: 2, 3: 1` (number: jobs).
fn counts_line(counts: &[(i64, u64)], names: &std::collections::BTreeMap<i64, String>) -> String {
    let label = |n: i64| match names.get(&n) {
        _ if n < 0 => "none".to_string(),
        Some(name) => format!("{n} ({name})"),
        None => n.to_string(),
    };
    counts.iter().map(|&(n, c)| format!("{}: {c}", label(n))).collect::<Vec<_>>().join(", ")
}

/// Reads the trace (SWF, or a CSV job list when its name ends in `.csv` / `.csv.gz`) and summarises it.
pub fn trace_stats(path: &Path, opts: &SwfOptions) -> Result<TraceStats> {
    trace_stats_with_tiers(path, opts, &[])
}

/// [`trace_stats`]; `tiers` names a CSV list's tiers, lowest first, as a scenario's `tiers` does; empty: the names the
/// `tier` column gives, numbered after its highest tier number in the order they first appear.
pub fn trace_stats_with_tiers(path: &Path, opts: &SwfOptions, tiers: &[String]) -> Result<TraceStats> {
    let name = path.to_string_lossy();
    let csv = name.ends_with(".csv") || name.ends_with(".csv.gz");
    if !csv && !tiers.is_empty() {
        return Err(crate::error::Error::Other(format!(
            "--tiers names the tiers of a CSV job list (*.csv, *.csv.gz); {} is read as SWF",
            path.display()
        )));
    }
    let (w, header, lines) = if csv {
        let tiers = if tiers.is_empty() { csv_tier_names(path)? } else { tiers.to_vec() };
        let w = read_csv_jobs(path, &tiers, opts.on_bad_line)?;
        let lines = w.jobs.len() as u64 + w.skipped.total();
        (w, None, lines)
    } else {
        let (w, h) = read_swf(path, opts)?;
        let lines = h.job_lines;
        (w, Some(h), lines)
    };
    let machine_procs = opts.machine_procs.or_else(|| header.as_ref().and_then(SwfHeader::machine_procs));
    Ok(summarise(path, &w, header, lines, machine_procs))
}

/// The tiers of a CSV job list read without a scenario: "0" … the highest tier number in its `tier`
/// column, then the names that column gives, in the order they first appear (at most 256 in all).
fn csv_tier_names(path: &Path) -> Result<Vec<String>> {
    let mut csv = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(super::csv_jobs::LineIndex::new(super::lines::open_trace(path)?));
    let Some(column) = csv.headers().ok().and_then(|h| h.iter().position(|c| c == "tier")) else {
        return Ok(Vec::new());
    };
    let (mut top, mut names) = (None::<u8>, Vec::<String>::new());
    for record in csv.records() {
        // a row that does not read is the job-list reader's to report; after a read error (a line too
        // long), nothing more does
        if record.as_ref().is_err_and(|e| matches!(e.kind(), csv::ErrorKind::Io(_))) {
            break;
        }
        let Some(value) = record.ok().and_then(|r| r.get(column).map(str::to_string)) else { continue };
        match value.parse::<u8>() {
            Ok(n) => top = top.max(Some(n)),
            Err(_) if !value.is_empty() && !names.contains(&value) => names.push(value),
            Err(_) => {}
        }
    }
    if names.is_empty() {
        return Ok(Vec::new()); // numbers only: the reader names them
    }
    let mut tiers: Vec<String> = (0..top.map_or(0, |t| u16::from(t) + 1)).map(|t| t.to_string()).collect();
    tiers.extend(names);
    if tiers.len() > 256 {
        return Err(crate::error::Error::Other(format!(
            "{}: the `tier` column names {} tiers; at most 256 (0-255)",
            path.display(),
            tiers.len()
        )));
    }
    Ok(tiers)
}

fn five(values: &[f64]) -> [f64; 5] {
    let s = sorted(values);
    [
        mean(&s),
        percentile_sorted(&s, 0.5),
        percentile_sorted(&s, 0.9),
        percentile_sorted(&s, 0.99),
        s.last().copied().unwrap_or(0.0),
    ]
}

/// Jobs per tier, lowest first (tiers without jobs left out); empty when all jobs share one tier.
fn tier_counts(w: &Workload) -> Vec<(String, u64)> {
    let mut counts = vec![0u64; 256];
    for j in &w.jobs {
        counts[j.tier as usize] += 1;
    }
    let used: Vec<(String, u64)> =
        (0..=255u8).filter(|&t| counts[t as usize] > 0).map(|t| (w.tier_name(t), counts[t as usize])).collect();
    if used.len() > 1 { used } else { Vec::new() }
}

fn summarise(path: &Path, w: &Workload, header: Option<SwfHeader>, lines: u64, machine: Option<u64>) -> TraceStats {
    let first = w.jobs.first().map(|j| as_secs_f64(j.submit)).unwrap_or(0.0);
    let last = w.jobs.last().map(|j| as_secs_f64(j.submit)).unwrap_or(0.0);
    let span = last - first;
    let n = w.jobs.len() as f64;
    let procs: Vec<f64> = w.jobs.iter().map(|j| (j.tasks as u64 * j.request.cpu) as f64).collect();
    let runtimes: Vec<f64> = w.jobs.iter().map(|j| as_secs_f64(j.runtime)).collect();
    let ratios: Vec<f64> =
        w.jobs.iter().filter(|j| j.runtime > 0).map(|j| j.estimate as f64 / j.runtime as f64).collect();
    let work: f64 = procs.iter().zip(&runtimes).map(|(p, r)| p * r).sum();
    let tiers = if header.is_none() { tier_counts(w) } else { Vec::new() };
    TraceStats {
        path: path.to_path_buf(),
        lines,
        jobs: w.jobs.len() as u64,
        skipped: w.skipped.clone(),
        machine_procs: machine,
        header,
        first_submit: first,
        last_submit: last,
        arrival_rate_per_h: if span > 0.0 { (n - 1.0) / span * 3600.0 } else { 0.0 },
        mean_interarrival: if n > 1.0 { span / (n - 1.0) } else { 0.0 },
        runtime: five(&runtimes),
        procs: five(&procs),
        estimate_ratio: five(&ratios),
        offered_load: machine.filter(|_| span > 0.0).map(|m| work / (m as f64 * span)),
        queues: count_numbers(w.jobs.iter().map(|j| j.queue)),
        partitions: count_numbers(w.jobs.iter().map(|j| j.partition)),
        tiers,
    }
}

impl fmt::Display for TraceStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "trace          {}", self.path.display())?;
        if let Some(h) = &self.header {
            if let Some(c) = &h.computer {
                writeln!(f, "computer       {c}")?;
            }
            if let Some(t) = h.unix_start_time {
                let zone = h.time_zone_string.as_deref().unwrap_or("?");
                writeln!(f, "start          unix time {t} ({zone})")?;
            }
        }
        match self.machine_procs {
            Some(p) => writeln!(f, "machine        {p} processors")?,
            None => writeln!(f, "machine        unknown (no MaxProcs; give --procs)")?,
        }
        writeln!(f, "job lines      {}", self.lines)?;
        writeln!(f, "jobs           {}", self.jobs)?;
        writeln!(f, "skipped        {}", self.skipped.total())?;
        for (i, (reason, count)) in self.skipped.reasons.iter().enumerate() {
            match self.skipped.first_line(i) {
                Some(line) => writeln!(f, "  {count:>10}  {reason} (first: line {line})")?,
                None => writeln!(f, "  {count:>10}  {reason}")?,
            }
        }
        for note in &self.skipped.notes {
            writeln!(f, "note           {note}")?;
        }
        let days = (self.last_submit - self.first_submit) / 86_400.0;
        writeln!(f, "submit span    {:.0} … {:.0} s ({days:.1} days)", self.first_submit, self.last_submit)?;
        writeln!(
            f,
            "arrivals       {:.2} jobs/h (mean inter-arrival {:.1} s)",
            self.arrival_rate_per_h, self.mean_interarrival
        )?;
        writeln!(f, "{:<14} {:>12} {:>12} {:>12} {:>12} {:>12}", "", "mean", "p50", "p90", "p99", "max")?;
        for (name, v) in
            [("run time [s]", self.runtime), ("processors", self.procs), ("estimate/run", self.estimate_ratio)]
        {
            writeln!(f, "{name:<14} {:>12.1} {:>12.1} {:>12.1} {:>12.1} {:>12.1}", v[0], v[1], v[2], v[3], v[4])?;
        }
        match self.offered_load {
            Some(l) => writeln!(f, "offered load   {l:.3}")?,
            None => writeln!(f, "offered load   unknown (no machine size)")?,
        }
        if let Some(h) = &self.header {
            writeln!(f, "jobs by queue  {}", counts_line(&self.queues, &h.queue_names))?;
            writeln!(f, "by partition   {}", counts_line(&self.partitions, &h.partition_names))?;
        }
        if !self.tiers.is_empty() {
            let counts: Vec<String> = self.tiers.iter().map(|(t, n)| format!("{t}: {n}")).collect();
            writeln!(f, "jobs by tier   {}", counts.join(", "))?;
        }
        Ok(())
    }
}

/// Options for `trace stats` from the command line's convention name and machine size.
pub fn options(convention: &str, procs: Option<u64>, skip_bad_lines: bool) -> std::result::Result<SwfOptions, String> {
    let convention = match convention {
        "p" | "P" => super::swf::Convention::P,
        "plain" => super::swf::Convention::Plain,
        other => return Err(format!("unknown convention `{other}` (valid: p, plain)")),
    };
    Ok(SwfOptions {
        convention,
        machine_procs: procs,
        on_bad_line: if skip_bad_lines { OnBadLine::Skip } else { OnBadLine::Error },
        machine_hint: "give the machine's processors with `--procs N`",
        ..Default::default()
    })
}
