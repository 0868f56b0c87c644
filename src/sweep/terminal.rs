//! The comparison table printed after a sweep: one line per configuration, sorted by a chosen metric,
//! the best value of each column marked with `*`.

use crate::error::{Error, Result};
use std::path::Path;

/// The metrics shown besides the sort metric.
pub const SHOWN: [&str; 6] = ["wait_mean", "wait_p95", "bsld_mean", "starved_frac", "util_cpu", "jain_bsld"];

/// Shown as well when a fault model ran (some configuration has node failures or scheduler crashes).
pub const FAULT_SHOWN: [&str; 2] = ["work_lost_core_s", "availability"];

/// Most table rows printed; the rest are in `comparison.csv`.
const MAX_ROWS: usize = 40;

/// The widest a table is by default: long labels are abbreviated (with a legend below), then the
/// last metric columns left out (named below), until it fits.
pub const MAX_WIDTH: usize = 120;

/// A label longer than this is abbreviated when the table is too wide.
const LONG_LABEL: usize = 20;

/// Metrics that are durations in seconds: printed in hours or days from 10,000 s on.
fn is_time(metric: &str) -> bool {
    const TIME: [&str; 5] = ["wait_", "response_", "makespan", "detection_latency", "scheduler_downtime"];
    TIME.iter().any(|p| metric.starts_with(p))
}

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

/// [`short`], or for a duration of 10,000 s or more, hours (`6.7h`) or, from two days, days (`9.3d`).
fn short_in(x: f64, time: bool) -> String {
    let a = x.abs();
    if time && x.is_finite() && a >= 10_000.0 {
        if a < 2.0 * 86_400.0 { format!("{:.1}h", x / 3600.0) } else { format!("{:.1}d", x / 86_400.0) }
    } else {
        short(x)
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

/// The table of `comparison.csv`, sorted by `sort` (best first), with the default columns.
pub fn comparison_table(path: &Path, sort: &str) -> Result<String> {
    comparison_table_with(path, sort, &[])
}

/// The table of `comparison.csv`, sorted by `sort` (best first), showing `metrics` (none: the
/// [`SHOWN`] ones, and [`FAULT_SHOWN`] when a fault model ran, within [`MAX_WIDTH`] columns).
pub fn comparison_table_with(path: &Path, sort: &str, chosen: &[String]) -> Result<String> {
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
    let num = |r: &Vec<String>, m: &str, suffix: &str| -> Option<f64> {
        col(&format!("{m}_{suffix}")).and_then(|c| r[c].parse::<f64>().ok())
    };
    let faults_ran = rows
        .iter()
        .any(|r| ["node_failures", "scheduler_crashes"].iter().any(|m| num(r, m, "mean").is_some_and(|x| x > 0.0)));
    let mut metrics: Vec<&str> = vec![sort];
    if chosen.is_empty() {
        metrics.extend(SHOWN.iter().filter(|m| **m != sort));
        if faults_ran {
            metrics.extend(FAULT_SHOWN.iter().filter(|m| **m != sort));
        }
    } else {
        metrics.extend(chosen.iter().map(String::as_str).filter(|m| *m != sort));
    }
    metrics.retain(|m| col(&format!("{m}_mean")).is_some());
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

    let cells = |r: &Vec<String>, with_ci: bool| -> Vec<String> {
        metrics
            .iter()
            .zip(&best)
            .map(|(m, b)| match num(r, m, "mean") {
                None => "-".to_string(),
                Some(mean) => {
                    let ci = num(r, m, "ci95")
                        .filter(|_| with_ci)
                        .map(|c| format!(" ± {}", short_in(c, is_time(m))))
                        .unwrap_or_default();
                    let mark = if Some(mean) == *b { " *" } else { "  " };
                    format!("{}{ci}{mark}", short_in(mean, is_time(m)))
                }
            })
            .collect()
    };
    // Within MAX_WIDTH when the user chose no columns: parameterised labels longer than LONG_LABEL
    // become their name and a tag (explained below), dotted keys their last part, then the CI
    // half-widths go, then the last metric columns.
    let fit = chosen.is_empty();
    let body = |long: &[String], with_ci: bool| -> Vec<(Vec<String>, Vec<String>)> {
        rows.iter()
            .take(MAX_ROWS)
            .map(|r| {
                let l = labels.iter().map(|&c| abbreviate(&r[c], long)).chain([r[runs_at].clone()]).collect();
                (l, cells(r, with_ci))
            })
            .collect()
    };
    let mut head: Vec<String> = labels.iter().map(|&c| header[c].clone()).collect();
    head.push("runs".into());
    let mut long: Vec<String> = Vec::new();
    let mut shown = metrics.len();
    let mut with_ci = true;
    let mut table = layout(&head, &metrics[..shown], &body(&long, true), shown);
    if fit && width(&table) > MAX_WIDTH {
        for r in rows.iter().take(MAX_ROWS) {
            for &c in &labels {
                if r[c].chars().count() > LONG_LABEL && r[c].contains('(') && !long.contains(&r[c]) {
                    long.push(r[c].clone());
                }
            }
        }
        for (i, &c) in labels.iter().enumerate() {
            let last = header[c].rsplit('.').next().unwrap_or(&header[c]);
            if labels.iter().filter(|&&o| header[o].rsplit('.').next() == Some(last)).count() == 1 {
                head[i] = last.to_string();
            }
        }
        table = layout(&head, &metrics[..shown], &body(&long, true), shown);
        if width(&table) > MAX_WIDTH {
            with_ci = false;
            let rows_shown = body(&long, false);
            table = layout(&head, &metrics[..shown], &rows_shown, shown);
            while width(&table) > MAX_WIDTH && shown > 2 {
                shown -= 1;
                table = layout(&head, &metrics[..shown], &rows_shown, shown);
            }
        }
    }
    let legend: Vec<String> = long.iter().enumerate().map(|(i, v)| format!("  [{}] {v}", tag(i))).collect();
    let first_metric = 2 + labels.len();
    let way = match dir {
        Better::Lower => "lower is better",
        Better::Higher => "higher is better",
        Better::Neither => "ascending",
    };
    let what = if with_ci { "mean ± 95% CI half-width over replications" } else { "mean over replications" };
    let mut s = format!("{} configurations, sorted by {sort} ({way}); {what}; * = best in column\n", rows.len());
    let widths: Vec<usize> =
        (0..table[0].len()).map(|c| table.iter().map(|l| l[c].chars().count()).max().unwrap_or(0)).collect();
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
    for line in &legend {
        s += line;
        s.push('\n');
    }
    if !with_ci {
        s += &format!(
            "± 95% CI half-widths left out to fit {MAX_WIDTH} columns: see comparison.csv, or choose fewer with --metrics\n"
        );
    }
    if shown < metrics.len() {
        s += &format!(
            "left out to fit {MAX_WIDTH} columns: {} (choose columns with --metrics)\n",
            metrics[shown..].join(", ")
        );
    }
    if rows.len() > MAX_ROWS {
        s += &format!("... {} more in {}\n", rows.len() - MAX_ROWS, path.display());
    }
    Ok(s)
}

/// Rows of cells: the header (`#`, `head`, the metric names), then `body` (labels and runs, then the
/// cells of the first `shown` metrics), numbered.
fn layout(head: &[String], metrics: &[&str], body: &[(Vec<String>, Vec<String>)], shown: usize) -> Vec<Vec<String>> {
    let mut table: Vec<Vec<String>> = Vec::new();
    let mut h: Vec<String> = vec!["#".into()];
    h.extend(head.iter().cloned());
    h.extend(metrics.iter().map(|m| m.to_string()));
    table.push(h);
    for (i, (labels, cells)) in body.iter().enumerate() {
        let mut line = vec![(i + 1).to_string()];
        line.extend(labels.iter().cloned());
        line.extend(cells.iter().take(shown).cloned());
        table.push(line);
    }
    table
}

/// The width of `table` as printed (columns joined by two spaces).
fn width(table: &[Vec<String>]) -> usize {
    (0..table[0].len()).map(|c| table.iter().map(|l| l[c].chars().count()).max().unwrap_or(0)).sum::<usize>()
        + 2 * table[0].len().saturating_sub(1)
}

/// `a`, `b`, ... `z`, `aa`, ...: the tag of the `i`-th abbreviated label.
fn tag(i: usize) -> String {
    let letter = |k: usize| char::from(b'a' + (k % 26) as u8);
    if i < 26 { letter(i).to_string() } else { format!("{}{}", letter(i / 26 - 1), letter(i)) }
}

/// `label` as the table shows it: when it is one of the `long` ones, its name up to the first `(`
/// (or its first characters) and its tag, `priority_aging[a]`.
fn abbreviate(label: &str, long: &[String]) -> String {
    match long.iter().position(|l| l == label) {
        None => label.to_string(),
        Some(i) => {
            let name: String = label.split('(').next().unwrap_or(label).chars().take(LONG_LABEL - 4).collect();
            format!("{name}[{}]", tag(i))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_times_read_in_hours_or_days() {
        assert_eq!(short_in(9999.0, true), "9999");
        assert_eq!(short_in(24125.0, true), "6.7h");
        assert_eq!(short_in(805953.0, true), "9.3d");
        assert_eq!(short_in(24125.0, false), "24125");
    }

    #[test]
    fn long_labels_get_tags() {
        let long = vec!["priority_aging(age_weight=1,tier_weight=1)".to_string()];
        assert_eq!(abbreviate(&long[0], &long), "priority_aging[a]");
        assert_eq!(abbreviate("fifo", &long), "fifo");
        assert_eq!((tag(0), tag(25), tag(26)), ("a".to_string(), "z".to_string(), "aa".to_string()));
    }

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
