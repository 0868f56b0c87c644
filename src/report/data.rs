//! Reading results back: CSV tables by column name, one run's timeline and waits, and a sweep's layout.

use super::style::{PALETTE, SeriesStyle, colour};
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// A CSV file held as text, addressed by column name.
#[derive(Clone, Debug, Default)]
pub struct Table {
    pub path: PathBuf,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

fn parse_error(path: &Path, e: csv::Error) -> Error {
    let line = e.position().map(|p| p.line()).unwrap_or(0);
    Error::Trace { path: path.to_path_buf(), line, message: e.to_string() }
}

impl Table {
    pub fn read(path: &Path) -> Result<Table> {
        let mut r = csv::ReaderBuilder::new().from_path(path).map_err(|e| match e.into_kind() {
            csv::ErrorKind::Io(io) => Error::io(path, io),
            other => Error::Other(format!("{}: {other:?}", path.display())),
        })?;
        let header = r.headers().map_err(|e| parse_error(path, e))?.iter().map(str::to_string).collect();
        let mut rows = Vec::new();
        for rec in r.records() {
            let rec = rec.map_err(|e| parse_error(path, e))?;
            rows.push(rec.iter().map(str::to_string).collect());
        }
        Ok(Table { path: path.to_path_buf(), header, rows })
    }

    /// Index of column `name`.
    pub fn col(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    /// Index of column `name`, or an error naming the file and the columns it has.
    pub fn require(&self, name: &str) -> Result<usize> {
        self.col(name).ok_or_else(|| {
            Error::Other(format!("{}: no column `{name}` (columns: {})", self.path.display(), self.header.join(", ")))
        })
    }

    /// The text of cell (`row`, `col`), empty when the row is short.
    pub fn text(&self, row: usize, col: usize) -> &str {
        self.rows[row].get(col).map(String::as_str).unwrap_or("")
    }

    /// The number in cell (`row`, `col`); `None` when empty or not a finite number.
    pub fn num(&self, row: usize, col: usize) -> Option<f64> {
        self.text(row, col).trim().parse::<f64>().ok().filter(|x| x.is_finite())
    }

    /// The number in column `name` of `row`.
    pub fn num_by(&self, row: usize, name: &str) -> Option<f64> {
        self.col(name).and_then(|c| self.num(row, c))
    }
}

/// One run's timeline, column by column (times in seconds since the first sample).
#[derive(Clone, Debug, Default)]
pub struct Timeline {
    pub time: Vec<f64>,
    pub nodes_up: Vec<f64>,
    /// Utilization per resource kind (cpu, mem, gpu), 0..1.
    pub util: [Vec<f64>; 3],
    pub queued: Vec<f64>,
    pub running: Vec<f64>,
}

impl Timeline {
    pub fn read(path: &Path) -> Result<Timeline> {
        let t = Table::read(path)?;
        let cols: Vec<usize> = ["time", "nodes_up", "util_cpu", "util_mem", "util_gpu", "queued", "running"]
            .iter()
            .map(|c| t.require(c))
            .collect::<Result<_>>()?;
        let mut tl = Timeline::default();
        for r in 0..t.rows.len() {
            let v: Vec<f64> = cols.iter().map(|&c| t.num(r, c).unwrap_or(0.0)).collect();
            tl.time.push(v[0]);
            tl.nodes_up.push(v[1]);
            for k in 0..3 {
                tl.util[k].push(v[2 + k]);
            }
            tl.queued.push(v[5]);
            tl.running.push(v[6]);
        }
        if let Some(&t0) = tl.time.first() {
            tl.time.iter_mut().for_each(|t| *t -= t0);
        }
        Ok(tl)
    }

    /// Intervals `[from, to)` (seconds) during which fewer nodes were up than the most ever up.
    pub fn down_periods(&self) -> Vec<(f64, f64)> {
        let full = self.nodes_up.iter().copied().fold(0.0, f64::max);
        let mut out: Vec<(f64, f64)> = Vec::new();
        let mut start = None;
        for (i, (&t, &up)) in self.time.iter().zip(&self.nodes_up).enumerate() {
            match (up < full, start) {
                (true, None) => start = Some(t),
                (false, Some(s)) => {
                    out.push((s, t));
                    start = None;
                }
                _ => {}
            }
            if i + 1 == self.time.len()
                && let Some(s) = start
            {
                out.push((s, t));
            }
        }
        out
    }

    /// True when the cluster has this resource at all (some sample shows it in use).
    pub fn uses(&self, kind: usize) -> bool {
        self.util[kind].iter().any(|&u| u > 0.0)
    }
}

/// The waits (seconds) of every job of `jobs.csv` that started, sorted ascending.
///
/// Reads only the `wait` column, as bytes, so a 200k-row file costs a fraction of a second.
pub fn read_waits(path: &Path) -> Result<Vec<f64>> {
    let mut r = csv::ReaderBuilder::new().from_path(path).map_err(|e| match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::io(path, io),
        other => Error::Other(format!("{}: {other:?}", path.display())),
    })?;
    let headers = r.byte_headers().map_err(|e| parse_error(path, e))?;
    let col = headers
        .iter()
        .position(|h| h == b"wait")
        .ok_or_else(|| Error::Other(format!("{}: no column `wait`; is this a clustersim jobs.csv?", path.display())))?;
    let mut waits = Vec::new();
    let mut rec = csv::ByteRecord::new();
    while r.read_byte_record(&mut rec).map_err(|e| parse_error(path, e))? {
        if let Some(w) = rec.get(col).and_then(|b| std::str::from_utf8(b).ok()).and_then(|s| s.parse::<f64>().ok()) {
            waits.push(w);
        }
    }
    waits.sort_by(f64::total_cmp);
    Ok(waits)
}

/// The pretty-printed `manifest.json` of a results directory, if any.
pub fn read_manifest(dir: &Path) -> Result<Option<serde_json::Value>> {
    let path = dir.join("manifest.json");
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| Error::Trace {
            path,
            line: e.line() as u64,
            message: e.to_string(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// Columns of `summary.csv` that identify a run rather than measure it.
pub const RUN_ID_COLUMNS: [&str; 7] = ["run_id", "scenario", "seed", "selection", "allocation", "queue", "recovery"];

/// The policy columns, in the order labels name them.
pub const POLICY_COLUMNS: [&str; 4] = ["selection", "allocation", "queue", "recovery"];

/// One configuration of a sweep (a row of `comparison.csv`).
#[derive(Clone, Debug)]
pub struct Config {
    /// Row in `comparison.csv`.
    pub row: usize,
    /// Index into `Study::series`: the configuration without its load.
    pub series: usize,
    /// The swept load, when the sweep varies it.
    pub load: Option<f64>,
    /// Runs (indices into `Study::runs`) of this configuration, one per seed.
    pub runs: Vec<usize>,
}

/// A line in every comparison chart: one policy configuration (all loads), one look.
#[derive(Clone, Debug)]
pub struct Series {
    pub label: String,
    pub style: SeriesStyle,
    /// Position among the bars of a group and in bar legends (pairs of one colour side by side).
    pub order: usize,
}

/// One run of a sweep.
#[derive(Clone, Debug)]
pub struct Run {
    pub id: String,
    pub dir: PathBuf,
    pub config: usize,
    pub seed: String,
}

/// A sweep read back: `comparison.csv`, `summary.csv` and the per-run directories.
#[derive(Clone, Debug)]
pub struct Study {
    pub dir: PathBuf,
    pub comparison: Table,
    pub summary: Table,
    /// Columns of `comparison.csv` before `runs`: what makes a configuration.
    pub config_cols: Vec<String>,
    /// The column holding the swept load, when it takes more than one value.
    pub load_col: Option<String>,
    pub series: Vec<Series>,
    pub configs: Vec<Config>,
    pub runs: Vec<Run>,
}

impl Study {
    /// Reads a sweep directory (`comparison.csv`, `summary.csv`, `runs/<run_id>/`).
    pub fn read(dir: &Path) -> Result<Study> {
        let comparison = Table::read(&dir.join("comparison.csv"))?;
        let summary = Table::read(&dir.join("summary.csv"))?;
        let runs_at = comparison.require("runs")?;
        let config_cols: Vec<String> = comparison.header[..runs_at].to_vec();
        let distinct = |c: usize| {
            let mut v: Vec<&str> = comparison.rows.iter().map(|r| r.get(c).map(String::as_str).unwrap_or("")).collect();
            v.sort_unstable();
            v.dedup();
            v.len()
        };
        let load_col = config_cols
            .iter()
            .enumerate()
            .find(|(c, name)| {
                name.contains("load")
                    && distinct(*c) > 1
                    && (0..comparison.rows.len()).all(|r| comparison.num(r, *c).is_some())
            })
            .map(|(_, name)| name.clone());
        // Series: the configuration columns other than the load; labelled by the columns that vary.
        let series_cols: Vec<usize> =
            (0..config_cols.len()).filter(|&c| Some(&config_cols[c]) != load_col.as_ref()).collect();
        let varying: Vec<usize> = series_cols.iter().copied().filter(|&c| distinct(c) > 1).collect();
        let mut series: Vec<Series> = Vec::new();
        let mut series_keys: Vec<Vec<String>> = Vec::new();
        let mut configs = Vec::new();
        for row in 0..comparison.rows.len() {
            let key: Vec<String> = series_cols.iter().map(|&c| comparison.text(row, c).to_string()).collect();
            let s = match series_keys.iter().position(|k| *k == key) {
                Some(s) => s,
                None => {
                    series_keys.push(key);
                    let style = SeriesStyle::nth(series.len());
                    let order = series.len();
                    series.push(Series { label: label(&comparison, row, &config_cols, &varying), style, order });
                    series.len() - 1
                }
            };
            let load = load_col.as_ref().and_then(|l| comparison.num_by(row, l));
            configs.push(Config { row, series: s, load, runs: Vec::new() });
        }
        let values: Vec<Vec<String>> = series_keys
            .iter()
            .map(|k| varying.iter().map(|v| k[series_cols.iter().position(|c| c == v).unwrap()].clone()).collect())
            .collect();
        if let Some(styles) = two_factor_styles(&values) {
            for (s, (style, order)) in series.iter_mut().zip(styles) {
                s.style = style;
                s.order = order;
            }
        }
        // Runs: match each summary row to its configuration on the configuration columns.
        let id_col = summary.require("run_id")?;
        let seed_col = summary.col("seed");
        let sum_cols: Vec<Option<usize>> = config_cols.iter().map(|c| summary.col(c)).collect();
        let mut runs = Vec::new();
        for r in 0..summary.rows.len() {
            let found = configs.iter().position(|cfg| {
                config_cols.iter().enumerate().all(|(i, _)| match sum_cols[i] {
                    Some(sc) => same_value(summary.text(r, sc), comparison.text(cfg.row, i)),
                    None => true,
                })
            });
            let Some(config) = found else {
                return Err(Error::Other(format!(
                    "{}: run `{}` matches no configuration of comparison.csv",
                    summary.path.display(),
                    summary.text(r, id_col)
                )));
            };
            let id = summary.text(r, id_col).to_string();
            configs[config].runs.push(runs.len());
            runs.push(Run {
                dir: dir.join("runs").join(&id),
                id,
                config,
                seed: seed_col.map(|c| summary.text(r, c).to_string()).unwrap_or_default(),
            });
        }
        Ok(Study { dir: dir.to_path_buf(), comparison, summary, config_cols, load_col, series, configs, runs })
    }

    /// The distinct loads in increasing order (empty when the load is not swept).
    pub fn loads(&self) -> Vec<f64> {
        let mut v: Vec<f64> = self.configs.iter().filter_map(|c| c.load).collect();
        v.sort_by(f64::total_cmp);
        v.dedup();
        v
    }

    /// The configurations to show when a chart has no room for the load: the highest load of each series.
    pub fn at_top_load(&self) -> Vec<usize> {
        let top = self.loads().last().copied();
        (0..self.configs.len()).filter(|&i| self.configs[i].load == top).collect()
    }

    /// `M_mean` and `M_ci95` of configuration `c` for metric `m`.
    pub fn metric(&self, c: usize, m: &str) -> Option<(f64, Option<f64>)> {
        let row = self.configs[c].row;
        let mean = self.comparison.num_by(row, &format!("{m}_mean"))?;
        Some((mean, self.comparison.num_by(row, &format!("{m}_ci95"))))
    }

    /// True when `comparison.csv` has `M_mean`.
    pub fn has_metric(&self, m: &str) -> bool {
        self.comparison.col(&format!("{m}_mean")).is_some()
    }

    /// The metric names of `comparison.csv` (from its `*_mean` columns), in file order.
    pub fn metric_names(&self) -> Vec<String> {
        self.comparison.header.iter().filter_map(|h| h.strip_suffix("_mean")).map(str::to_string).collect()
    }
}

/// Equal as text, or as numbers (`0.5` and `0.50`).
fn same_value(a: &str, b: &str) -> bool {
    a == b || matches!((a.parse::<f64>(), b.parse::<f64>()), (Ok(x), Ok(y)) if x == y)
}

/// Styles for series that vary in exactly two columns, one of them two-valued (two selection
/// algorithms × six queue disciplines): the other column picks the colour and the two-valued one the
/// look, so a colour means the same thing in every chart; bars of one colour stand side by side.
/// `None` when the sweep is not of that shape.
fn two_factor_styles(values: &[Vec<String>]) -> Option<Vec<(SeriesStyle, usize)>> {
    let levels = |col: usize| {
        let mut seen: Vec<&str> = Vec::new();
        for v in values {
            if !seen.contains(&v[col].as_str()) {
                seen.push(&v[col]);
            }
        }
        seen
    };
    if values.first()?.len() != 2 {
        return None;
    }
    let (a, b) = (levels(0), levels(1));
    // The look goes to a two-valued column, the later one when both are.
    let (hue, look) = if b.len() == 2 && a.len() <= PALETTE.len() {
        (0, 1)
    } else if a.len() == 2 && b.len() <= PALETTE.len() {
        (1, 0)
    } else {
        return None;
    };
    let (hues, looks) = (levels(hue), levels(look));
    Some(
        values
            .iter()
            .map(|v| {
                let h = hues.iter().position(|h| *h == v[hue]).unwrap();
                let variant = looks[1] == v[look];
                (SeriesStyle { colour: colour(h), variant }, 2 * h + variant as usize)
            })
            .collect(),
    )
}

/// A configuration's label: the values of the columns that vary across the sweep, policy columns
/// bare (`easy_backfill`), others as `name = value` with the key in words (`MTBF (pool 0) = 12h`); the queue discipline alone when nothing varies.
fn label(t: &Table, row: usize, cols: &[String], varying: &[usize]) -> String {
    let parts: Vec<String> = varying
        .iter()
        .map(|&c| {
            // `fair_share(half_life="1d")` reads as `fair_share(half_life=1d)`.
            let v = t.text(row, c).replace('"', "");
            if POLICY_COLUMNS.contains(&cols[c].as_str()) {
                v.to_string()
            } else {
                format!("{} = {v}", super::style::readable_key(&cols[c]))
            }
        })
        .collect();
    if parts.is_empty() {
        cols.iter().position(|c| c == "queue").map(|c| t.text(row, c).to_string()).unwrap_or_else(|| "all runs".into())
    } else {
        parts.join(" · ")
    }
}

/// What a results directory holds.
pub enum Results {
    /// One run: the files directly in the directory.
    Run(PathBuf),
    /// A sweep: `comparison.csv` and `runs/`.
    Sweep(Box<Study>),
}

impl Results {
    /// Looks at `dir` and reads what it finds.
    pub fn open(dir: &Path) -> Result<Results> {
        if is_gpu_study(dir) {
            return Err(Error::Other(format!(
                "{}: a GPU-sharing study, whose charts `clustersim run` draws (charts/gpu_*.png, docs/gpu-sharing.md); \
                 report, export and explain read the results of runs and sweeps",
                dir.display()
            )));
        }
        if dir.join("comparison.csv").is_file() {
            Ok(Results::Sweep(Box::new(Study::read(dir)?)))
        } else if dir.join("timeline.csv").is_file() {
            Ok(Results::Run(dir.to_path_buf()))
        } else if !dir.is_dir() {
            Err(Error::Other(format!("{}: no such directory", dir.display())))
        } else {
            Err(Error::Other(format!(
                "{}: no results here (expected comparison.csv of a sweep, or timeline.csv of a run)",
                dir.display()
            )))
        }
    }
}

/// True when `dir` holds a GPU-sharing study (its `manifest.json` says `"kind": "gpu_sharing"`).
fn is_gpu_study(dir: &Path) -> bool {
    let text = std::fs::read_to_string(dir.join("manifest.json")).unwrap_or_default();
    serde_json::from_str::<serde_json::Value>(&text).is_ok_and(|m| m["kind"] == "gpu_sharing")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) {
        std::fs::write(dir.join(name), text).unwrap();
    }

    #[test]
    fn two_policy_axes_share_colours_by_discipline_and_looks_by_selection() {
        let v = |a: &str, b: &str| vec![a.to_string(), b.to_string()];
        let values = [
            v("round_robin", "fifo"),
            v("round_robin", "srtf"),
            v("round_robin", "easy"),
            v("best_fit", "fifo"),
            v("best_fit", "srtf"),
            v("best_fit", "easy"),
        ];
        let styles = two_factor_styles(&values).unwrap();
        let look: Vec<(usize, bool, usize)> = styles
            .iter()
            .map(|(s, order)| (PALETTE.iter().position(|c| *c == s.colour).unwrap(), s.variant, *order))
            .collect();
        // fifo blue, srtf vermillion, easy green; best_fit is the variant; bars pair up by discipline.
        assert_eq!(look, [(0, false, 0), (1, false, 2), (2, false, 4), (0, true, 1), (1, true, 3), (2, true, 5)]);
        assert_eq!(styles[3].0.fill(), plotters::style::RGBColor(0x8C, 0xC0, 0xDC));
        // Both two-valued: the later column takes the looks.
        let square = [v("rr", "fifo"), v("rr", "srtf"), v("bf", "fifo"), v("bf", "srtf")];
        let variants: Vec<bool> = two_factor_styles(&square).unwrap().iter().map(|(s, _)| s.variant).collect();
        assert_eq!(variants, [false, true, false, true]);
        // Three values on both axes, or one varying column: no pairing, the palette in order.
        let three = [v("a", "x"), v("b", "y"), v("c", "z")];
        assert!(two_factor_styles(&three).is_none());
        assert!(two_factor_styles(&[vec!["fifo".to_string()], vec!["srtf".to_string()]]).is_none());
    }

    #[test]
    fn a_sweep_splits_into_series_by_policy_and_loads() {
        let d = tempfile::tempdir().unwrap();
        write(
            d.path(),
            "comparison.csv",
            "scenario,selection,allocation,queue,recovery,load,runs,wait_mean_mean,wait_mean_std,wait_mean_ci95\n\
             s,round_robin,greedy,fifo,none,0.5,2,10,1,2\n\
             s,round_robin,greedy,fifo,none,0.9,2,30,1,2\n\
             s,round_robin,greedy,easy_backfill,none,0.5,2,5,1,\n\
             s,round_robin,greedy,easy_backfill,none,0.9,2,12,1,3\n",
        );
        write(
            d.path(),
            "summary.csv",
            "run_id,scenario,seed,selection,allocation,queue,recovery,load,jobs\n\
             a,s,1,round_robin,greedy,fifo,none,0.5,9\n\
             b,s,1,round_robin,greedy,fifo,none,0.90,9\n\
             c,s,1,round_robin,greedy,easy_backfill,none,0.5,9\n\
             d,s,2,round_robin,greedy,easy_backfill,none,0.9,9\n",
        );
        let s = Study::read(d.path()).unwrap();
        assert_eq!(s.load_col.as_deref(), Some("load"));
        let labels: Vec<&str> = s.series.iter().map(|x| x.label.as_str()).collect();
        assert_eq!(labels, ["fifo", "easy_backfill"], "only the varying column names a series");
        assert_eq!(s.configs.iter().map(|c| c.series).collect::<Vec<_>>(), [0, 0, 1, 1]);
        assert_eq!(s.loads(), [0.5, 0.9]);
        assert_eq!(s.at_top_load(), [1, 3]);
        // `0.90` in summary.csv matches `0.9` in comparison.csv.
        assert_eq!(s.configs[1].runs, [1]);
        assert_eq!(s.runs[3].dir, d.path().join("runs").join("d"));
        assert_eq!(s.metric(0, "wait_mean"), Some((10.0, Some(2.0))));
        assert_eq!(s.metric(2, "wait_mean"), Some((5.0, None)), "an empty interval is none");
        assert_eq!(s.metric_names(), ["wait_mean"]);
    }

    #[test]
    fn a_run_of_no_configuration_is_an_error_naming_it() {
        let d = tempfile::tempdir().unwrap();
        write(d.path(), "comparison.csv", "queue,runs\nfifo,1\n");
        write(d.path(), "summary.csv", "run_id,queue\nx,srtf\n");
        let e = Study::read(d.path()).unwrap_err().to_string();
        assert!(e.contains("summary.csv") && e.contains("`x`"), "{e}");
    }

    #[test]
    fn down_periods_follow_nodes_up() {
        let tl = Timeline {
            time: vec![0.0, 10.0, 20.0, 30.0, 40.0, 50.0],
            nodes_up: vec![4.0, 3.0, 2.0, 4.0, 4.0, 3.0],
            ..Default::default()
        };
        assert_eq!(tl.down_periods(), [(10.0, 30.0), (50.0, 50.0)]);
    }
}
