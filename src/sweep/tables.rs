//! The study's CSV files, streamed: `summary.csv` (one row per run) and `comparison.csv` (one row per configuration).
//!
//! Both are computed from the summary rows *as written* (numbers already formatted), so a fresh run,
//! a resumed run and a merge of shards produce the same bytes.

use crate::error::{Error, Result};
use crate::fmt::fmt_num;
use crate::metrics::RunMetrics;
use crate::output::RunInfo;
use crate::stats::estimate::estimate;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

/// The metric columns of `summary.csv`, in order.
pub fn metric_names() -> Vec<String> {
    RunMetrics::default().columns().into_iter().map(|(k, _)| k.to_string()).collect()
}

/// The header of a study's `summary.csv`: run identity, swept parameters, metrics.
pub fn summary_header(parameters: &[&str]) -> Vec<String> {
    let info = RunInfo::COLUMNS.iter().map(|s| s.to_string());
    info.chain(parameters.iter().map(|s| s.to_string())).chain(metric_names()).collect()
}

/// A study row from a run's own `summary.csv` row: the parameter values go after the identity columns.
pub fn splice_parameters(run_row: Vec<String>, parameters: &[String]) -> Vec<String> {
    let n = RunInfo::COLUMNS.len();
    let mut row = Vec::with_capacity(run_row.len() + parameters.len());
    row.extend_from_slice(&run_row[..n.min(run_row.len())]);
    row.extend_from_slice(parameters);
    row.extend(run_row.into_iter().skip(n));
    row
}

/// A CSV file written row by row to `NAME.tmp` and renamed on [`StreamingCsv::finish`]; dropped unfinished, it leaves nothing.
pub struct StreamingCsv {
    path: PathBuf,
    tmp: PathBuf,
    writer: Option<csv::Writer<BufWriter<File>>>,
}

impl StreamingCsv {
    pub fn create(path: &Path, header: &[String]) -> Result<StreamingCsv> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let mut tmp = path.as_os_str().to_os_string();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        let file = File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        let mut s = StreamingCsv {
            path: path.to_path_buf(),
            tmp,
            writer: Some(csv::Writer::from_writer(BufWriter::with_capacity(1 << 16, file))),
        };
        s.row(header)?;
        Ok(s)
    }

    pub fn row(&mut self, cells: &[String]) -> Result<()> {
        let w = self.writer.as_mut().expect("row after finish");
        w.write_record(cells).map_err(|e| Error::io(&self.path, std::io::Error::other(e)))
    }

    /// Flushes and renames the file into place.
    pub fn finish(mut self) -> Result<()> {
        let mut w = self.writer.take().expect("finish twice");
        w.flush().map_err(|e| Error::io(&self.path, e))?;
        drop(w);
        std::fs::rename(&self.tmp, &self.path).map_err(|e| Error::io(&self.path, e))
    }
}

impl Drop for StreamingCsv {
    fn drop(&mut self) {
        if self.writer.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Builds `comparison.csv` from summary rows arriving in matrix order: the rows of one configuration are
/// consecutive, so only the current configuration's values are held.
pub struct ComparisonWriter {
    out: StreamingCsv,
    /// Number of swept parameter columns in the summary rows.
    parameters: usize,
    metrics: usize,
    current: Option<Group>,
}

/// The runs of one configuration seen so far.
struct Group {
    config: usize,
    cells: Vec<String>,
    values: Vec<Vec<f64>>,
}

/// Columns of a summary row before the parameters that identify the configuration (`scenario` and the policies).
const CONFIG_INFO: [usize; 5] = [1, 3, 4, 5, 6];

impl ComparisonWriter {
    pub fn create(path: &Path, parameters: &[&str]) -> Result<ComparisonWriter> {
        let mut header: Vec<String> = CONFIG_INFO.iter().map(|&i| RunInfo::COLUMNS[i].to_string()).collect();
        header.extend(parameters.iter().map(|s| s.to_string()));
        header.push("runs".into());
        let names = metric_names();
        for m in &names {
            header.extend([format!("{m}_mean"), format!("{m}_std"), format!("{m}_ci95")]);
        }
        Ok(ComparisonWriter {
            out: StreamingCsv::create(path, &header)?,
            parameters: parameters.len(),
            metrics: names.len(),
            current: None,
        })
    }

    /// Adds the summary row of a run of configuration `config`.
    pub fn push(&mut self, config: usize, row: &[String]) -> Result<()> {
        if self.current.as_ref().is_some_and(|g| g.config != config) {
            self.flush_group()?;
        }
        let first_metric = RunInfo::COLUMNS.len() + self.parameters;
        let group = self.current.get_or_insert_with(|| {
            let mut cells: Vec<String> = CONFIG_INFO.iter().map(|&i| row[i].clone()).collect();
            cells.extend_from_slice(&row[RunInfo::COLUMNS.len()..first_metric]);
            Group { config, cells, values: vec![Vec::new(); row.len() - first_metric] }
        });
        for (acc, cell) in group.values.iter_mut().zip(&row[first_metric..]) {
            acc.push(cell.parse::<f64>().unwrap_or(f64::NAN));
        }
        Ok(())
    }

    fn flush_group(&mut self) -> Result<()> {
        let Some(g) = self.current.take() else { return Ok(()) };
        let mut row = g.cells;
        row.push(g.values.first().map_or(0, Vec::len).to_string());
        for v in g.values.iter().take(self.metrics) {
            let e = estimate(v);
            let opt = |x: Option<f64>| x.map(fmt_num).unwrap_or_default();
            row.extend([fmt_num(e.mean), opt(e.std), opt(e.ci95)]);
        }
        self.out.row(&row)
    }

    pub fn finish(mut self) -> Result<()> {
        self.flush_group()?;
        let ComparisonWriter { out, .. } = self;
        out.finish()
    }
}

/// Reads a run's own `summary.csv` (header + one row); `None` unless its columns are the expected ones.
pub fn read_run_row(path: &Path) -> Option<Vec<String>> {
    let mut r = csv::Reader::from_path(path).ok()?;
    let header: Vec<String> = r.headers().ok()?.iter().map(str::to_string).collect();
    let expected: Vec<String> = summary_header(&[]);
    if header != expected {
        return None;
    }
    let row = r.records().next()?.ok()?;
    Some(row.iter().map(str::to_string).collect())
}
