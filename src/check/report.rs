//! The result of a check: per scenario, per run, per metric, with the counts that decide the exit code.

use super::rules::{Rule, Verdict};
use std::path::PathBuf;

/// Everything one `clustersim check` found.
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub scenarios: Vec<ScenarioReport>,
    /// The baselines were rewritten (`--update-baseline`): differences are shown, not judged.
    pub updated: bool,
}

/// One scenario's comparison.
#[derive(Clone, Debug, Default)]
pub struct ScenarioReport {
    /// The scenario's name (its file name when the file could not be read).
    pub name: String,
    /// The scenario file as given on the command line.
    pub file: String,
    pub baseline_dir: PathBuf,
    /// Problems that stopped the comparison (missing baseline, changed scenario, unreadable file).
    pub errors: Vec<String>,
    /// Things worth knowing that are not failures.
    pub notes: Vec<String>,
    pub runs: Vec<RunReport>,
}

/// One run's comparison.
#[derive(Clone, Debug, Default)]
pub struct RunReport {
    pub run_id: String,
    /// The settings that set this run's configuration apart (the identity columns that vary across
    /// the results, e.g. `fifo round_robin load=0.7`); empty for a single run.
    pub label: String,
    /// E.g. a run with no baseline row.
    pub errors: Vec<String>,
    /// E.g. an identity column that changed under `--allow-scenario-change`.
    pub notes: Vec<String>,
    pub metrics: Vec<MetricCheck>,
}

/// One metric of one run.
#[derive(Clone, Debug)]
pub struct MetricCheck {
    pub metric: String,
    pub group: &'static str,
    /// The cells as written in the baseline and in the fresh results.
    pub old: Option<String>,
    pub new: Option<String>,
    pub rule: Rule,
    pub verdict: Verdict,
}

impl MetricCheck {
    /// `new − old` and the relative change, when both are numbers.
    pub fn change(&self) -> Option<(f64, Option<f64>)> {
        let old = super::table::parse_value(self.old.as_deref()?)?;
        let new = super::table::parse_value(self.new.as_deref()?)?;
        let d = new - old;
        if !d.is_finite() {
            return None;
        }
        Some((d, (old != 0.0).then(|| d / old.abs())))
    }

    /// `+7 (+5.83%)`, or empty when unchanged or not numeric; rounded to four significant digits.
    pub fn change_text(&self) -> String {
        self.change().filter(|(d, _)| *d != 0.0).map(|(d, rel)| change_text(d, rel)).unwrap_or_default()
    }

    /// One line naming the metric, both values and the tolerance.
    pub fn message(&self) -> String {
        let v = |c: &Option<String>| c.clone().unwrap_or_else(|| "(none)".into());
        let change = self.change_text();
        let change = if change.is_empty() { String::new() } else { format!(" {change}") };
        format!("{}: {} → {}{change}; allowed: {}", self.metric, v(&self.old), v(&self.new), self.rule.describe())
    }

    /// A regression (fails the check) or a missing value (an error).
    pub fn is_failure(&self) -> bool {
        matches!(self.verdict, Verdict::Regressed | Verdict::Missing)
    }
}

/// `+7 (+5.83%)`: a change and, when the old value was not zero, its relative size.
pub fn change_text(d: f64, rel: Option<f64>) -> String {
    let sign = if d > 0.0 { "+" } else { "" };
    let abs = format!("{sign}{}", round_num(d));
    match rel {
        Some(r) if r.is_finite() => format!("{abs} ({sign}{}%)", round_num(100.0 * r)),
        _ => abs,
    }
}

/// A number as a person reads it: whole numbers as they are, others to four significant digits
/// (never dropping a digit before the point): `205939.437` → `205939`, `0.454477` → `0.4545`.
pub fn round_num(x: f64) -> String {
    if !x.is_finite() || (x.fract() == 0.0 && x.abs() < 1e15) {
        return crate::fmt::fmt_num(x);
    }
    let magnitude = x.abs().log10().floor() as i32;
    let decimals = (3 - magnitude).clamp(0, 9) as usize;
    let s = format!("{x:.decimals$}");
    let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.') } else { &s };
    if s == "-0" { "0".into() } else { s.to_string() }
}

/// A cell of `summary.csv` rounded by [`round_num`] when it is a number, else as written.
pub fn round_cell(cell: &str) -> String {
    super::table::parse_value(cell).map(round_num).unwrap_or_else(|| cell.to_string())
}

/// Counts over a report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub runs: usize,
    pub metrics: usize,
    pub unchanged: usize,
    /// Moved the good way.
    pub improved: usize,
    /// Moved the bad way within the tolerance.
    pub tolerated: usize,
    /// Informational changes and metrics the baseline lacks.
    pub other: usize,
    pub regressions: usize,
    pub errors: usize,
}

impl Tally {
    /// `180 run(s), 9180 metric value(s): 473 regressed, 0 improved, 0 within tolerance, 8707 unchanged, 0 error(s)`
    /// (with `, N info or new` when metrics changed that are not judged).
    pub fn counts(&self) -> String {
        let other = if self.other > 0 { format!(", {} info or new", self.other) } else { String::new() };
        format!(
            "{} run(s), {} metric value(s): {} regressed, {} improved, {} within tolerance, {} unchanged{other}, {} error(s)",
            self.runs, self.metrics, self.regressions, self.improved, self.tolerated, self.unchanged, self.errors
        )
    }
}

impl ScenarioReport {
    pub fn tally(&self) -> Tally {
        let mut t = Tally { errors: self.errors.len(), ..Tally::default() };
        for r in &self.runs {
            t.runs += 1;
            t.errors += r.errors.len();
            for m in &r.metrics {
                t.metrics += 1;
                match m.verdict {
                    Verdict::Unchanged => t.unchanged += 1,
                    Verdict::Improved => t.improved += 1,
                    Verdict::Tolerated => t.tolerated += 1,
                    Verdict::Info | Verdict::New => t.other += 1,
                    Verdict::Regressed => t.regressions += 1,
                    Verdict::Missing => t.errors += 1,
                }
            }
        }
        t
    }
}

impl Report {
    pub fn tally(&self) -> Tally {
        self.scenarios.iter().map(ScenarioReport::tally).fold(Tally::default(), |a, b| Tally {
            runs: a.runs + b.runs,
            metrics: a.metrics + b.metrics,
            unchanged: a.unchanged + b.unchanged,
            improved: a.improved + b.improved,
            tolerated: a.tolerated + b.tolerated,
            other: a.other + b.other,
            regressions: a.regressions + b.regressions,
            errors: a.errors + b.errors,
        })
    }

    /// 0 when every metric holds (or the baselines were updated), 1 on a regression, 2 on an error.
    pub fn exit_code(&self) -> u8 {
        let t = self.tally();
        if t.errors > 0 {
            2
        } else if t.regressions > 0 && !self.updated {
            1
        } else {
            0
        }
    }

    /// One line: the verdict with its counts.
    pub fn verdict_line(&self) -> String {
        let t = self.tally();
        if self.updated && t.runs == 0 {
            let what = if t.errors > 0 { "ERROR (baseline not fully updated)" } else { "BASELINE UPDATED" };
            return format!("{what}: {} scenario(s), {} error(s)", self.scenarios.len(), t.errors);
        }
        let what = if self.updated {
            if t.errors > 0 { "ERROR (baseline not fully updated)" } else { "BASELINE UPDATED" }
        } else if t.errors > 0 {
            "ERROR"
        } else if t.regressions > 0 {
            "REGRESSION"
        } else {
            "PASS"
        };
        format!("{what}: {} scenario(s), {}", self.scenarios.len(), t.counts())
    }
}
