//! Compares fresh results with a baseline, run by run (matched on `run_id`) and metric by metric.

use super::report::{MetricCheck, RunReport};
use super::rules::{CheckSpec, Verdict, group_of, judge, rule_for};
use super::table::{SummaryTable, parse_value};

/// Compares every run of `fresh` with the run of the same `run_id` in `baseline`, under the
/// tolerances of `layers` (most specific first). Runs appear in the fresh table's order, then any
/// baseline run the results lack.
pub fn compare(baseline: &SummaryTable, fresh: &SummaryTable, layers: &[&CheckSpec]) -> Vec<RunReport> {
    let mut runs = Vec::with_capacity(fresh.rows.len());
    let varying = varying_columns(fresh);
    for row in &fresh.rows {
        let run_id = &row[0];
        let label = label(fresh, row, &varying);
        let Some(old) = baseline.row(run_id) else {
            runs.push(RunReport {
                run_id: run_id.clone(),
                label,
                errors: vec![format!("run `{run_id}` has no baseline (the baseline has {})", list_runs(baseline))],
                ..RunReport::default()
            });
            continue;
        };
        runs.push(RunReport { label, ..compare_run(baseline, old, fresh, row, layers) });
    }
    for old in &baseline.rows {
        if fresh.row(&old[0]).is_none() {
            runs.push(RunReport {
                run_id: old[0].clone(),
                errors: vec![format!("run `{}` is in the baseline but not in the results", old[0])],
                ..RunReport::default()
            });
        }
    }
    runs
}

/// The identity columns (but the run id, scenario and seed) whose values differ between runs: what
/// sets one configuration apart from another.
fn varying_columns(t: &SummaryTable) -> Vec<usize> {
    (1..t.first_metric)
        .filter(|&i| !matches!(t.header[i].as_str(), "scenario" | "seed"))
        .filter(|&i| t.rows.iter().any(|r| r[i] != t.rows[0][i]))
        .collect()
}

/// `fifo round_robin load=0.7`: the policies by name, a swept key by the last part of its path.
fn label(t: &SummaryTable, row: &[String], columns: &[usize]) -> String {
    let part = |&i: &usize| {
        let col = t.header[i].as_str();
        if matches!(col, "selection" | "allocation" | "queue" | "recovery") {
            row[i].clone()
        } else {
            let key = col.rsplit('.').next().unwrap_or(col);
            format!("{key}={}", row[i])
        }
    };
    columns.iter().map(part).collect::<Vec<_>>().join(" ")
}

fn list_runs(t: &SummaryTable) -> String {
    const SHOWN: usize = 8;
    let ids: Vec<&str> = t.rows.iter().take(SHOWN).map(|r| r[0].as_str()).collect();
    match t.rows.len() {
        0 => "no runs".into(),
        n if n > SHOWN => format!("runs {}, ... ({n} in all)", ids.join(", ")),
        _ => format!("run(s) {}", ids.join(", ")),
    }
}

fn compare_run(
    baseline: &SummaryTable,
    old: &[String],
    fresh: &SummaryTable,
    new: &[String],
    layers: &[&CheckSpec],
) -> RunReport {
    let mut report = RunReport { run_id: new[0].clone(), ..RunReport::default() };
    for col in fresh.identity_columns().iter().skip(1) {
        let now = fresh.cell(new, col).unwrap_or_default();
        match baseline.cell(old, col) {
            Some(was) if was != now => report.notes.push(format!("{col}: `{was}` → `{now}`")),
            Some(_) => {}
            None => report.notes.push(format!("{col}: new column (`{now}`)")),
        }
    }
    for col in baseline.identity_columns().iter().skip(1) {
        if !fresh.identity_columns().contains(col) {
            report.notes.push(format!("{col}: column gone from the results"));
        }
    }
    let mut metrics: Vec<&String> = fresh.metric_columns().iter().collect();
    metrics.extend(baseline.metric_columns().iter().filter(|m| !fresh.metric_columns().contains(m)));
    for metric in metrics {
        let was = baseline.metric_columns().contains(metric).then(|| baseline.cell(old, metric)).flatten();
        let now = fresh.metric_columns().contains(metric).then(|| fresh.cell(new, metric)).flatten();
        let rule = rule_for(metric, layers);
        let verdict = match (was, now) {
            (Some(a), Some(b)) if a == b => Verdict::Unchanged,
            (Some(a), Some(b)) => match (parse_value(a), parse_value(b)) {
                (Some(x), Some(y)) => judge(&rule, x, y),
                _ if rule.direction == super::rules::Direction::Ignore => Verdict::Info,
                _ => Verdict::Regressed,
            },
            (Some(_), None) => Verdict::Missing,
            _ => Verdict::New,
        };
        report.metrics.push(MetricCheck {
            metric: metric.clone(),
            group: group_of(metric),
            old: was.map(str::to_string),
            new: now.map(str::to_string),
            rule,
            verdict,
        });
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn table(header: &str, rows: &[&str]) -> SummaryTable {
        let split = |s: &str| s.split(',').map(str::to_string).collect::<Vec<_>>();
        SummaryTable::new(split(header), rows.iter().map(|r| split(r)).collect(), Path::new("t.csv")).unwrap()
    }

    #[test]
    fn runs_are_matched_by_run_id_and_judged_per_metric() {
        let base = table("run_id,seed,jobs,wait_p95,util_cpu,events", &["a,1,10,100,0.8,50", "b,2,10,100,0.8,50"]);
        // Rows in another order; b got worse waits and better utilization; events are informational.
        let fresh = table("run_id,seed,jobs,wait_p95,util_cpu,events", &["b,2,10,101,0.9,70", "a,1,10,100,0.8,50"]);
        let runs = compare(&base, &fresh, &[]);
        assert_eq!(runs.iter().map(|r| r.run_id.as_str()).collect::<Vec<_>>(), ["b", "a"]);
        let verdicts = |r: &RunReport| r.metrics.iter().map(|m| (m.metric.clone(), m.verdict)).collect::<Vec<_>>();
        assert_eq!(
            verdicts(&runs[0]),
            [
                ("jobs".to_string(), Verdict::Unchanged),
                ("wait_p95".to_string(), Verdict::Regressed),
                ("util_cpu".to_string(), Verdict::Improved),
                ("events".to_string(), Verdict::Info),
            ]
        );
        assert!(runs[1].metrics.iter().all(|m| m.verdict == Verdict::Unchanged));
        assert_eq!(runs[0].metrics[1].message(), "wait_p95: 100 → 101 +1 (+1%); allowed: must not rise");
        // A 1% tolerance on waits lets b pass.
        let tol: CheckSpec = toml::from_str("wait_p95 = { rel = 0.01 }").unwrap();
        assert_eq!(compare(&base, &fresh, &[&tol])[0].metrics[1].verdict, Verdict::Tolerated);
    }

    #[test]
    fn missing_runs_and_metrics_are_errors_new_ones_are_not() {
        let base = table("run_id,seed,jobs,wait_p95", &["a,1,10,100", "gone,1,10,100"]);
        let fresh = table("run_id,seed,jobs,util_cpu", &["a,7,10,0.5", "extra,1,10,0.5"]);
        let runs = compare(&base, &fresh, &[]);
        assert_eq!(runs.len(), 3);
        assert_eq!(runs[0].notes, ["seed: `1` → `7`"]);
        let v: Vec<_> = runs[0].metrics.iter().map(|m| (m.metric.as_str(), m.verdict)).collect();
        assert_eq!(v, [("jobs", Verdict::Unchanged), ("util_cpu", Verdict::New), ("wait_p95", Verdict::Missing)]);
        assert!(runs[1].errors[0].contains("`extra` has no baseline") && runs[1].errors[0].contains("a, gone"));
        assert!(runs[2].errors[0].contains("`gone` is in the baseline but not in the results"));
    }
}
