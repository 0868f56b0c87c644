//! A `summary.csv` held as text: one row per run keyed by `run_id`, identity columns, then metric columns.

use super::rules::known_metrics;
use crate::error::{Error, Result};
use crate::output::atomic::write_atomic;
use std::collections::BTreeMap;
use std::path::Path;

/// The rows of a `summary.csv`, cells kept exactly as written so a baseline round-trips byte for byte.
///
/// Columns before the first metric column (`run_id`, `scenario`, `seed`, the policies and, for a sweep,
/// one column per swept key) identify a run; the rest are metrics.
#[derive(Clone, Debug, PartialEq)]
pub struct SummaryTable {
    pub header: Vec<String>,
    /// Index of the first metric column.
    pub first_metric: usize,
    pub rows: Vec<Vec<String>>,
    /// run_id → row index.
    index: BTreeMap<String, usize>,
}

impl SummaryTable {
    /// Builds a table from a header and rows; `origin` names the source in error messages.
    pub fn new(header: Vec<String>, rows: Vec<Vec<String>>, origin: &Path) -> Result<SummaryTable> {
        let bad = |message: String| Error::Parse { path: origin.to_path_buf(), message };
        if header.first().map(String::as_str) != Some("run_id") {
            return Err(bad("expected a summary.csv whose first column is `run_id`".into()));
        }
        let known = known_metrics();
        let first_metric = header
            .iter()
            .position(|c| known.contains(&c.as_str()))
            .ok_or_else(|| bad(format!("no metric column (expected e.g. `{}`)", known[0])))?;
        let mut index = BTreeMap::new();
        for (i, r) in rows.iter().enumerate() {
            if r.len() != header.len() {
                return Err(bad(format!("line {}: {} cells, the header has {}", i + 2, r.len(), header.len())));
            }
            if index.insert(r[0].clone(), i).is_some() {
                return Err(bad(format!("line {}: run_id `{}` appears twice", i + 2, r[0])));
            }
        }
        Ok(SummaryTable { header, first_metric, rows, index })
    }

    /// Reads a `summary.csv`.
    pub fn read(path: &Path) -> Result<SummaryTable> {
        let text = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(&text[..]);
        let mut records = Vec::new();
        for rec in reader.records() {
            let rec = rec.map_err(|e| Error::Parse { path: path.to_path_buf(), message: e.to_string() })?;
            records.push(rec.iter().map(str::to_string).collect::<Vec<_>>());
        }
        if records.is_empty() {
            return Err(Error::Parse { path: path.to_path_buf(), message: "empty file (expected a header)".into() });
        }
        let header = records.remove(0);
        SummaryTable::new(header, records, path)
    }

    /// Writes the table as `summary.csv` (atomically).
    pub fn write(&self, path: &Path) -> Result<()> {
        write_atomic(path, |w| {
            let mut c = csv::WriterBuilder::new().from_writer(w);
            for r in std::iter::once(&self.header).chain(&self.rows) {
                c.write_record(r).map_err(std::io::Error::other)?;
            }
            c.flush()
        })
    }

    /// The identity column names.
    pub fn identity_columns(&self) -> &[String] {
        &self.header[..self.first_metric]
    }

    /// The metric column names.
    pub fn metric_columns(&self) -> &[String] {
        &self.header[self.first_metric..]
    }

    /// The row of `run_id`.
    pub fn row(&self, run_id: &str) -> Option<&[String]> {
        self.index.get(run_id).map(|&i| self.rows[i].as_slice())
    }

    /// The cell of `column` in `row`.
    pub fn cell<'a>(&self, row: &'a [String], column: &str) -> Option<&'a str> {
        self.header.iter().position(|c| c == column).map(|i| row[i].as_str())
    }

    /// The distinct seeds of the runs, in row order.
    pub fn seeds(&self) -> Vec<u64> {
        let mut seeds: Vec<u64> = Vec::new();
        for r in &self.rows {
            if let Some(s) = self.cell(r, "seed").and_then(|s| s.parse().ok())
                && !seeds.contains(&s)
            {
                seeds.push(s);
            }
        }
        seeds
    }
}

/// Parses a metric cell: a number, `NaN`, `inf`; an empty cell is no value.
pub fn parse_value(cell: &str) -> Option<f64> {
    let t = cell.trim();
    if t.is_empty() { None } else { t.parse().ok() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(extra: &[&str]) -> Vec<String> {
        ["run_id", "scenario", "seed"].iter().chain(extra).map(|s| s.to_string()).collect()
    }

    #[test]
    fn identity_ends_where_the_metrics_begin() {
        let t = SummaryTable::new(
            header(&["load", "jobs", "wait_p95"]),
            vec![vec!["a".into(), "s".into(), "1".into(), "0.5".into(), "10".into(), "NaN".into()]],
            Path::new("x.csv"),
        )
        .unwrap();
        assert_eq!(t.identity_columns(), ["run_id", "scenario", "seed", "load"]);
        assert_eq!(t.metric_columns(), ["jobs", "wait_p95"]);
        assert_eq!(t.seeds(), [1]);
        assert!(parse_value("NaN").unwrap().is_nan());
        assert_eq!(parse_value(""), None);
    }

    #[test]
    fn malformed_tables_are_refused_with_the_line() {
        let p = Path::new("b.csv");
        let row = |id: &str| vec![id.to_string(), "s".into(), "1".into(), "3".into()];
        let e = SummaryTable::new(header(&["jobs"]), vec![row("a"), row("a")], p).unwrap_err().to_string();
        assert!(e.contains("b.csv") && e.contains("line 3") && e.contains("twice"), "{e}");
        let e = SummaryTable::new(header(&["x"]), vec![], p).unwrap_err().to_string();
        assert!(e.contains("no metric column"), "{e}");
        let e = SummaryTable::new(header(&["jobs"]), vec![vec!["a".into()]], p).unwrap_err().to_string();
        assert!(e.contains("line 2"), "{e}");
    }

    #[test]
    fn a_table_round_trips_byte_for_byte() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("summary.csv");
        let text = "run_id,scenario,seed,jobs,wait_p95\nrun,\"a,b\",42,3000,12.5\n";
        std::fs::write(&p, text).unwrap();
        let t = SummaryTable::read(&p).unwrap();
        let q = dir.path().join("again.csv");
        t.write(&q).unwrap();
        assert_eq!(std::fs::read_to_string(q).unwrap(), text);
    }
}
