//! The CSV table under both openb readers: columns found by header name, each row handed over with
//! its line, malformed rows an error naming the file, the line and the column (or skipped and counted).

use super::reason;
use crate::error::{Error, Result};
use crate::model::SkipReport;
use crate::workloads::csv_jobs::{LineIndex, column_indices, last_line_read, read_failure};
use crate::workloads::lines::open_trace;
use crate::workloads::swf::OnBadLine;
use std::path::Path;

/// One row's fields by column (index into the reader's column list); an absent column reads as empty.
pub(super) struct Row<'a> {
    record: &'a csv::StringRecord,
    /// The field of each column, when the header has it.
    at: &'a [Option<usize>],
    columns: &'a [&'a str],
}

impl Row<'_> {
    /// The text of column `c` (empty when the header has no such column).
    pub(super) fn text(&self, c: usize) -> &str {
        self.at[c].and_then(|i| self.record.get(i)).unwrap_or("")
    }

    /// Column `c` as a whole number, `None` when empty.
    pub(super) fn number(&self, c: usize) -> std::result::Result<Option<u64>, String> {
        let value = self.text(c);
        if value.is_empty() {
            return Ok(None);
        }
        value.parse::<u64>().map(Some).map_err(|_| {
            let field = self.at[c].map_or(0, |i| i + 1);
            format!("column {field} `{}`: `{}` is not a whole number ≥ 0", self.columns[c], crate::error::echo(value))
        })
    }

    /// Column `c` as a whole number that must be given.
    pub(super) fn required(&self, c: usize) -> std::result::Result<u64, String> {
        self.number(c)?.ok_or_else(|| format!("column `{}` is empty", self.columns[c]))
    }

    /// Column `c` as a whole number of at most `u32::MAX`, which must be given.
    pub(super) fn required_u32(&self, c: usize) -> std::result::Result<u32, String> {
        let x = self.required(c)?;
        u32::try_from(x).map_err(|_| format!("column `{}`: {x} is more than {}", self.columns[c], u32::MAX))
    }
}

/// What a row became.
pub(super) enum Outcome {
    Kept,
    /// Left out for this reason (counted in the skip report).
    Skipped(&'static str),
}

/// What [`each_row`] read: the rows (kept or skipped), which columns the header has, and the skips.
pub(super) struct Read {
    /// Rows read under the header (every one kept or skipped).
    pub rows: u64,
    /// Beside the column list: whether the header has each column.
    pub present: Vec<bool>,
    pub skipped: SkipReport,
}

/// Reads the CSV table at `path` (plain or gzip) whose header names columns of `columns` in any
/// order, with every column of `required`; hands each row and its line to `each`. A row `each`
/// refuses (with a message) is an error `FILE:LINE: message`, or skipped as a malformed line under
/// [`OnBadLine::Skip`].
pub(super) fn each_row(
    path: &Path,
    columns: &[&str],
    required: &[&str],
    on_bad_line: OnBadLine,
    mut each: impl FnMut(&Row<'_>, u64) -> std::result::Result<Outcome, String>,
) -> Result<Read> {
    let mut csv =
        csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(true).from_reader(LineIndex::new(open_trace(path)?));
    let trace_err = |line: u64, message: String| Error::Trace { path: path.to_path_buf(), line, message };
    let headers = csv.headers().map_err(|e| read_failure(path, 1, &e)).cloned();
    let header_line = last_line_read(&mut csv);
    let headers = headers?;
    let cols = column_indices(&headers, columns).map_err(|m| trace_err(header_line, m))?;
    for name in required {
        if !headers.iter().any(|h| h == *name) {
            let (required, valid) = (required.join(", "), columns.join(", "));
            let message = format!("the header has no `{name}` column (required: {required}; valid columns: {valid})");
            return Err(trace_err(header_line, message));
        }
    }
    let mut at: Vec<Option<usize>> = vec![None; columns.len()];
    for (field, &c) in cols.iter().enumerate() {
        at[c] = Some(field);
    }
    let mut read = Read { rows: 0, present: at.iter().map(Option::is_some).collect(), skipped: SkipReport::default() };
    let mut record = csv::StringRecord::new();
    loop {
        let result = csv.read_record(&mut record);
        let line = last_line_read(&mut csv);
        let more = match result {
            Ok(more) => more,
            // a row that is not UTF-8; an I/O error has no position
            Err(e) if e.position().is_some() && on_bad_line == OnBadLine::Skip => {
                read.rows += 1;
                read.skipped.add_at(reason::MALFORMED, line);
                continue;
            }
            Err(e) => return Err(read_failure(path, line, &e)),
        };
        if !more {
            break;
        }
        read.rows += 1;
        let outcome = if record.len() != cols.len() {
            Err(format!("expected {} fields, as the header has, found {}", cols.len(), record.len()))
        } else {
            each(&Row { record: &record, at: &at, columns }, line)
        };
        match outcome {
            Ok(Outcome::Kept) => {}
            Ok(Outcome::Skipped(why)) => read.skipped.add_at(why, line),
            Err(message) => match on_bad_line {
                OnBadLine::Error => return Err(trace_err(line, message)),
                OnBadLine::Skip => read.skipped.add_at(reason::MALFORMED, line),
            },
        }
    }
    Ok(read)
}
