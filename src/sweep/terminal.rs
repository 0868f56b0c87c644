//! The comparison table printed after a sweep: one line per configuration, sorted by a chosen metric,
//! the best value of each column marked with `*`.

use crate::error::{Error, Result};
use std::path::Path;

/// The metrics shown besides the sort metric.
pub const SHOWN: [&str; 6] = ["wait_mean", "wait_p95", "bsld_mean", "starved_frac", "util_cpu", "jain_bsld"];

/// Most table rows printed; the rest are in `comparison.csv`.
const MAX_ROWS: usize = 40;

/// Which way a metric is better.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Better {
    Lower,
    Higher,
    /// A size, not a quality (`jobs`, `events`).
    Neither,
}

/// Higher is better for utilization, fairness, throughput and work done; the plain counts `jobs` and
/// `events` are neither; for everything else (waits, slowdowns, starvation, losses) lower is better.
pub fn better(metric: &str) -> Better {
    const HIGHER: [&str; 5] = ["util", "jain", "throughput", "completed", "core_hours"];
    if HIGHER.iter().any(|p| metric.starts_with(p)) {
        Better::Higher
    } else if metric == "jobs" || metric == "events" {
        Better::Neither
    } else {
        Better::Lower
    }
}

/// Checks that `metric` is a metric column, naming the valid ones if not.
pub fn check_metric(metric: &str) -> Result<()> {
    let names = super::tables::metric_names();
    if names.iter().any(|n| n == metric) {
        Ok(())
    } else {
        Err(Error::Other(format!("--sort: unknown metric `{metric}` (valid metrics: {})", names.join(", "))))
    }
}

/// Short, aligned numbers: about four significant digits.
fn short(x: f64) -> String {
    let a = x.abs();
    if !x.is_finite() {
        format!("{x}")
    } else if a >= 1000.0 || a == 0.0 {
        format!("{x:.0}")
    } else if a >= 100.0 {
        format!("{x:.1}")
    } else if a >= 1.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.3}")
    }
}

/// The table of `comparison.csv`, sorted by `sort` (best first).
pub fn comparison_table(path: &Path, sort: &str) -> Result<String> {
    let err = |e: csv::Error| Error::Other(format!("{}: {e}", path.display()));
    let mut reader = csv::Reader::from_path(path).map_err(err)?;
    let header: Vec<String> = reader.headers().map_err(err)?.iter().map(str::to_string).collect();
    let mut rows: Vec<Vec<String>> = Vec::new();
    for rec in reader.records() {
        rows.push(rec.map_err(err)?.iter().map(str::to_string).collect());
    }
    let col = |name: &str| header.iter().position(|h| h == name);
    let runs_at = col("runs").ok_or_else(|| Error::Other(format!("{}: no `runs` column", path.display())))?;
    // Configuration columns that vary; the queue discipline when none does.
    let mut labels: Vec<usize> =
        (0..runs_at).filter(|&c| rows.iter().any(|r| r[c] != rows.first().map_or("", |f| &f[c]))).collect();
    if labels.is_empty() {
        labels.extend(col("queue"));
    }
    let mut metrics: Vec<&str> = vec![sort];
    metrics.extend(SHOWN.iter().filter(|m| **m != sort));
    metrics.retain(|m| col(&format!("{m}_mean")).is_some());
    let num = |r: &Vec<String>, m: &str, suffix: &str| -> Option<f64> {
        col(&format!("{m}_{suffix}")).and_then(|c| r[c].parse::<f64>().ok())
    };
    let key = |r: &Vec<String>| num(r, sort, "mean").filter(|x| !x.is_nan());
    let dir = better(sort);
    rows.sort_by(|a, b| match (key(a), key(b)) {
        (Some(x), Some(y)) => match dir {
            Better::Higher => y.total_cmp(&x),
            _ => x.total_cmp(&y),
        },
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    let best: Vec<Option<f64>> = metrics
        .iter()
        .map(|m| {
            let vals = rows.iter().filter_map(|r| num(r, m, "mean")).filter(|x| !x.is_nan());
            match better(m) {
                Better::Lower => vals.min_by(f64::total_cmp),
                Better::Higher => vals.max_by(f64::total_cmp),
                Better::Neither => None,
            }
        })
        .collect();

    let mut table: Vec<Vec<String>> = Vec::new();
    let mut head: Vec<String> = vec!["#".into()];
    head.extend(labels.iter().map(|&c| header[c].clone()));
    head.push("runs".into());
    head.extend(metrics.iter().map(|m| m.to_string()));
    table.push(head);
    for (i, r) in rows.iter().take(MAX_ROWS).enumerate() {
        let mut line = vec![(i + 1).to_string()];
        line.extend(labels.iter().map(|&c| r[c].clone()));
        line.push(r[runs_at].clone());
        for (m, b) in metrics.iter().zip(&best) {
            let cell = match num(r, m, "mean") {
                None => "-".to_string(),
                Some(mean) => {
                    let ci = num(r, m, "ci95").map(|c| format!(" ± {}", short(c))).unwrap_or_default();
                    let mark = if Some(mean) == *b { " *" } else { "  " };
                    format!("{}{ci}{mark}", short(mean))
                }
            };
            line.push(cell);
        }
        table.push(line);
    }
    let widths: Vec<usize> =
        (0..table[0].len()).map(|c| table.iter().map(|l| l[c].chars().count()).max().unwrap_or(0)).collect();
    let first_metric = 2 + labels.len();
    let way = match dir {
        Better::Lower => "lower is better",
        Better::Higher => "higher is better",
        Better::Neither => "ascending",
    };
    let mut s = format!(
        "{} configurations, sorted by {sort} ({way}); mean ± 95% CI half-width over replications; * = best in column\n",
        rows.len()
    );
    for line in &table {
        let cells: Vec<String> = line
            .iter()
            .enumerate()
            .map(|(c, v)| {
                let pad = widths[c] - v.chars().count();
                if c == 0 || c >= first_metric - 1 {
                    format!("{}{v}", " ".repeat(pad))
                } else {
                    format!("{v}{}", " ".repeat(pad))
                }
            })
            .collect();
        s += cells.join("  ").trim_end();
        s.push('\n');
    }
    if rows.len() > MAX_ROWS {
        s += &format!("... {} more in {}\n", rows.len() - MAX_ROWS, path.display());
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directions() {
        assert_eq!(better("wait_p95"), Better::Lower);
        assert_eq!(better("util_cpu"), Better::Higher);
        assert_eq!(better("jain_bsld"), Better::Higher);
        assert_eq!(better("events"), Better::Neither);
        assert_eq!(better("starved_frac"), Better::Lower);
    }

    #[test]
    fn table_sorts_and_marks_the_best() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("comparison.csv");
        std::fs::write(
            &p,
            "scenario,queue,load,runs,wait_mean_mean,wait_mean_std,wait_mean_ci95,util_cpu_mean,util_cpu_std,util_cpu_ci95\n\
             s,fifo,0.5,2,30,1,9,0.5,0,0\n\
             s,fifo,1,2,10,1,9,0.4,0,0\n\
             s,fifo,2,2,20,,,0.7,0,0\n",
        )
        .unwrap();
        let t = comparison_table(&p, "wait_mean").unwrap();
        let expected = "\
3 configurations, sorted by wait_mean (lower is better); mean ± 95% CI half-width over replications; * = best in column
#  load  runs       wait_mean     util_cpu
1  1        2  10.00 ± 9.00 *  0.400 ± 0
2  2        2         20.00    0.700 ± 0 *
3  0.5      2  30.00 ± 9.00    0.500 ± 0
";
        assert_eq!(t, expected);
        let by_util = comparison_table(&p, "util_cpu").unwrap();
        let order: Vec<&str> = by_util.lines().skip(2).map(|l| &l[3..6]).collect();
        assert_eq!(order, ["2  ", "0.5", "1  "]);
    }
}
