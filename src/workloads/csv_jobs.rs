//! The CSV job list: one job per row under a documented header (`submit,runtime,...`), plain or gzip,
//! for traces of any origin after a small conversion. `[workload] type = "csv"` in a scenario.

use super::lines::{LineTooLong, MAX_LINE, open_trace};
use super::list::{self, JobEntry};
use super::swf::OnBadLine;
use crate::error::{Error, Result};
use crate::model::resources::parse_memory_mib;
use crate::model::time::parse_duration;
use crate::model::{Duration, SkipReport, Workload};
use serde::Deserialize;
use std::collections::VecDeque;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The columns a job list may have, in documentation order; only `submit` and `runtime` are required.
pub const COLUMNS: [&str; 15] = [
    "id", "submit", "runtime", "estimate", "tasks", "cpu", "memory", "gpu", "user", "group", "tier", "weight", "key",
    "deps", "think",
];

/// `[workload]` with `type = "csv"`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CsvSpec {
    /// The job list (plain or gzip), relative to the scenario file's folder.
    pub path: PathBuf,
    /// Tier names, lowest first; the `tier` column may give a name from this list or a number.
    #[serde(default)]
    pub tiers: Vec<String>,
    #[serde(default)]
    pub on_bad_line: OnBadLine,
}

/// Reads a CSV job list; rows that fail are an error naming the line, or skipped and counted as
/// "malformed line" with `on_bad_line = "skip"`.
pub fn read_csv_jobs(path: &Path, tiers: &[String], on_bad_line: OnBadLine) -> Result<Workload> {
    let reader = LineIndex::new(open_trace(path)?);
    let mut csv = csv::ReaderBuilder::new().comment(Some(b'#')).trim(csv::Trim::All).flexible(true).from_reader(reader);
    let trace_err = |line: u64, message: String| Error::Trace { path: path.to_path_buf(), line, message };
    let headers = csv.headers().map_err(|e| read_failure(path, 1, &e)).cloned();
    let header_line = last_line_read(&mut csv);
    let headers = headers?;
    let cols = column_indices(&headers, &COLUMNS).map_err(|m| {
        let openb = ["name", "num_gpu", "gpu_milli"].iter().all(|c| headers.iter().any(|h| h == *c));
        let hint = if openb { "; the header is an openb pod list's: read it with `type = \"openb\"`" } else { "" };
        trace_err(header_line, format!("{m}{hint}"))
    })?;
    for required in ["submit", "runtime"] {
        if !headers.iter().any(|h| h == required) {
            return Err(trace_err(header_line, format!("the header has no `{required}` column")));
        }
    }
    let mut entries: Vec<JobEntry> = Vec::new();
    let mut lines: Vec<u64> = Vec::new();
    let mut skipped = SkipReport::default();
    let mut record = csv::StringRecord::new();
    // The row's number under the header, from 1, counting skipped rows (not comment lines): the default id.
    let mut row: u64 = 0;
    loop {
        let read = csv.read_record(&mut record);
        let line = last_line_read(&mut csv);
        let more = match read {
            Ok(more) => more,
            // a row that is not UTF-8 (or has a field too long); an I/O error has no position
            Err(e) if e.position().is_some() && on_bad_line == OnBadLine::Skip => {
                row += 1;
                skipped.add_at(super::swf::reason::MALFORMED, line);
                continue;
            }
            Err(e) => return Err(read_failure(path, line, &e)),
        };
        if !more {
            break;
        }
        row += 1;
        match parse_row(&record, &cols, tiers) {
            Ok(mut entry) => {
                entry.id = entry.id.or(Some(row));
                entries.push(entry);
                lines.push(line);
            }
            Err(message) => match on_bad_line {
                OnBadLine::Error => return Err(trace_err(line, message)),
                OnBadLine::Skip => skipped.add_at(super::swf::reason::MALFORMED, line),
            },
        }
    }
    let mut w = list::build_entries(&entries, tiers, &|i| format!("line {}", lines[i]))
        .map_err(|e| trace_err(lines[e.index], format!("column `{}`: {}", e.field, e.message)))?;
    w.skipped = skipped;
    Ok(w)
}

/// The column (index into `columns`) of each field of a header; an unknown or repeated name is an
/// error naming it and the valid columns.
pub(crate) fn column_indices(headers: &csv::StringRecord, columns: &[&str]) -> std::result::Result<Vec<usize>, String> {
    let mut cols: Vec<usize> = Vec::with_capacity(headers.len());
    for (i, h) in headers.iter().enumerate() {
        match columns.iter().position(|c| *c == h) {
            Some(c) if cols.contains(&c) => return Err(format!("column `{h}` appears twice")),
            Some(c) => cols.push(c),
            None => return Err(format!("unknown column {} `{h}` (valid columns: {})", i + 1, columns.join(", "))),
        }
    }
    Ok(cols)
}

/// Passes the file's bytes through and remembers where its lines end, so that a row's line is told
/// exactly (the csv crate's own line count leaves out comment and blank lines). Keeps only the line
/// ends read ahead of the parser. A line longer than [`MAX_LINE`] is an error ([`LineTooLong`] with its
/// number), then and at every later read.
pub(crate) struct LineIndex<R> {
    inner: R,
    /// Bytes read so far.
    read: u64,
    /// Line ends already passed by [`LineIndex::line_of`].
    passed: u64,
    /// Offsets of the line ends read but not yet passed.
    newlines: VecDeque<u64>,
    /// Offset of the first byte of the line read last.
    line_start: u64,
    /// The line found longer than [`MAX_LINE`].
    too_long: Option<u64>,
}

impl<R: Read> LineIndex<R> {
    pub(crate) fn new(inner: R) -> LineIndex<R> {
        LineIndex { inner, read: 0, passed: 0, newlines: VecDeque::new(), line_start: 0, too_long: None }
    }
}

impl<R: Read> Read for LineIndex<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if let Some(line) = self.too_long {
            return Err(LineTooLong::error(Some(line)));
        }
        let n = self.inner.read(buf)?;
        let base = self.read;
        for at in buf[..n].iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| base + i as u64) {
            if at - self.line_start > MAX_LINE as u64 {
                self.too_long = Some(self.passed + self.newlines.len() as u64 + 1);
                return Err(LineTooLong::error(self.too_long));
            }
            self.newlines.push_back(at);
            self.line_start = at + 1;
        }
        self.read += n as u64;
        if self.read - self.line_start > MAX_LINE as u64 {
            self.too_long = Some(self.passed + self.newlines.len() as u64 + 1);
            return Err(LineTooLong::error(self.too_long));
        }
        Ok(n)
    }
}

impl<R> LineIndex<R> {
    /// The line (from 1) holding byte `at`; `at` must not decrease from one call to the next.
    fn line_of(&mut self, at: u64) -> u64 {
        while self.newlines.front().is_some_and(|&end| end < at) {
            self.newlines.pop_front();
            self.passed += 1;
        }
        self.passed + 1
    }
}

/// The line of the last byte the parser consumed: the line of the row (or header) just read (its last
/// line, when a quoted field spans several).
pub(crate) fn last_line_read<R: Read>(csv: &mut csv::Reader<LineIndex<R>>) -> u64 {
    let end = csv.position().byte();
    csv.get_mut().line_of(end.saturating_sub(1))
}

/// The error of a row (or the header) the parser could not read, at `line`, in a message without the
/// csv crate's own (record, line, byte) position; a line too long at its own line.
pub(crate) fn read_failure(path: &Path, line: u64, e: &csv::Error) -> Error {
    let (line, message) = match e.kind() {
        csv::ErrorKind::Utf8 { err, .. } => (line, format!("field {} is not valid UTF-8 text", err.field() + 1)),
        csv::ErrorKind::Io(io) => match LineTooLong::of(io) {
            Some(long) => (long.line.unwrap_or(line), long.to_string()),
            None => (line, format!("cannot read the file: {io}")),
        },
        _ => (line, e.to_string()),
    };
    Error::Trace { path: path.to_path_buf(), line, message }
}

/// One row to a job entry; `cols[k]` is the column (index into [`COLUMNS`]) of the row's k-th field.
fn parse_row(record: &csv::StringRecord, cols: &[usize], tiers: &[String]) -> std::result::Result<JobEntry, String> {
    if record.len() != cols.len() {
        return Err(format!("expected {} fields, found {}", cols.len(), record.len()));
    }
    let mut e = JobEntry::new(Duration::ZERO, Duration::ZERO);
    let mut given = [false; COLUMNS.len()];
    for (value, &c) in record.iter().zip(cols) {
        if value.is_empty() {
            continue; // an empty field takes the column's default
        }
        given[c] = true;
        let col = COLUMNS[c];
        let bad = |what: &str| format!("column `{col}`: `{value}` is not {what}");
        let int = || value.parse::<u64>().map_err(|_| bad("a whole number ≥ 0"));
        let dur = || parse_duration(value).map(Duration).map_err(|m| format!("column `{col}`: {m}"));
        match col {
            "id" => e.id = Some(int()?),
            "submit" => e.submit = dur()?,
            "runtime" => e.runtime = dur()?,
            "estimate" => e.estimate = Some(dur()?),
            "tasks" => {
                e.tasks = u32::try_from(int()?).ok().filter(|&t| t >= 1).ok_or_else(|| bad("a task count ≥ 1"))?
            }
            "cpu" => e.cpu = int()?,
            "memory" => e.memory = parse_memory_mib(value).map_err(|m| format!("column `{col}`: {m}"))?,
            "gpu" => e.gpu = int()?,
            "user" => e.user = value.to_string(),
            "group" => e.group = Some(value.to_string()),
            "tier" => {
                e.tier = match tiers.iter().position(|t| t == value) {
                    Some(p) => p as u8,
                    None => value.parse::<u8>().map_err(|_| {
                        bad(&format!("a tier number (0–255) or one of the tiers [{}]", tiers.join(", ")))
                    })?,
                }
            }
            "weight" => {
                e.weight = value
                    .parse::<f64>()
                    .ok()
                    .filter(|w| w.is_finite() && *w > 0.0)
                    .ok_or_else(|| bad("a weight > 0"))?
            }
            "key" => e.key = Some(value.to_string()),
            "deps" => {
                for d in value.split([' ', ';']).filter(|d| !d.is_empty()) {
                    e.deps.push(d.parse::<u64>().map_err(|_| bad("a list of job ids separated by spaces or `;`"))?);
                }
            }
            "think" => e.think = Some(dur()?),
            _ => return Err(format!("column `{col}` is not handled")),
        }
    }
    for (c, name) in COLUMNS.iter().enumerate() {
        if (*name == "submit" || *name == "runtime") && !given[c] {
            return Err(format!("column `{name}` is empty; every job needs a submit time and a run time"));
        }
    }
    Ok(e)
}
