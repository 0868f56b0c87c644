//! One line per configuration of a checked scenario: its replications pooled, the metric that moved
//! most seriously, baseline and new means, the change, and whether it exceeds the tolerance or the
//! 95% confidence interval of the paired differences (replication k of both sides sees the same jobs).

use super::report::{MetricCheck, RunReport, ScenarioReport};
use super::rules::{Verdict, judge};
use super::table::parse_value;
use crate::stats::estimate::estimate;

/// How serious a verdict is, for picking a configuration's worst one.
pub fn rank(v: Verdict) -> u8 {
    match v {
        Verdict::Unchanged => 0,
        Verdict::Info => 1,
        Verdict::New => 2,
        Verdict::Improved => 3,
        Verdict::Tolerated => 4,
        Verdict::Regressed => 5,
        Verdict::Missing => 6,
    }
}

/// The replications of one configuration, pooled.
#[derive(Clone, Debug)]
pub struct ConfigSummary {
    /// `c03` for the runs `c03-r0` … of a sweep; the run id itself otherwise.
    pub id: String,
    /// What sets the configuration apart (see [`RunReport::label`]).
    pub label: String,
    pub runs: usize,
    /// The worst verdict of any metric of any of its runs; `Missing` also stands for a run error.
    pub status: Verdict,
    /// The metric with that verdict in the most runs (the first in `summary.csv` order on a tie).
    pub headline: Option<Headline>,
    /// How many other metrics moved (any verdict but unchanged).
    pub also_moved: usize,
}

/// One metric of a configuration, its replications pooled.
#[derive(Clone, Debug)]
pub struct Headline {
    pub metric: String,
    pub old_mean: f64,
    pub new_mean: f64,
    /// The judgement of the means under the metric's rule (`Regressed`: the change exceeds the tolerance).
    pub on_means: Verdict,
    /// The rule, described (`must not rise`).
    pub allowed: String,
    /// 95% half-width of the mean paired difference; `None` below two replications.
    pub ci95: Option<f64>,
    /// Runs whose verdict on this metric is the configuration's status.
    pub runs_with_status: usize,
}

impl Headline {
    pub fn delta(&self) -> f64 {
        self.new_mean - self.old_mean
    }

    /// `exceeded`, `within`, `improved`, `ignored`: the change of the means against the tolerance.
    pub fn tolerance_text(&self) -> &'static str {
        match self.on_means {
            Verdict::Regressed => "exceeded",
            Verdict::Improved => "improved",
            Verdict::Info => "ignored",
            _ => "within",
        }
    }

    /// `±12.5, beyond` when the interval of the paired differences excludes zero, `±12.5, within`
    /// when it does not, `n/a` for a single replication.
    pub fn ci_text(&self) -> String {
        match self.ci95 {
            Some(h) if h.is_finite() => {
                let beyond = self.delta().abs() > h;
                format!("±{}, {}", super::report::round_num(h), if beyond { "beyond" } else { "within" })
            }
            _ => "n/a".into(),
        }
    }
}

/// The configuration a run belongs to: `c03` of `c03-r1`; the run id itself when it is not a sweep's.
pub fn config_of(run_id: &str) -> &str {
    match run_id.rsplit_once("-r") {
        Some((c, r))
            if c.starts_with('c')
                && c.len() > 1
                && c[1..].bytes().all(|b| b.is_ascii_digit())
                && !r.is_empty()
                && r.bytes().all(|b| b.is_ascii_digit()) =>
        {
            c
        }
        _ => run_id,
    }
}

/// The configurations of a scenario in the order of their first run.
pub fn configurations(sc: &ScenarioReport) -> Vec<ConfigSummary> {
    let mut groups: Vec<(&str, Vec<&RunReport>)> = Vec::new();
    for r in &sc.runs {
        let c = config_of(&r.run_id);
        match groups.iter_mut().find(|(id, _)| *id == c) {
            Some((_, runs)) => runs.push(r),
            None => groups.push((c, vec![r])),
        }
    }
    groups.into_iter().map(|(id, runs)| summarise(id, &runs)).collect()
}

fn summarise(id: &str, runs: &[&RunReport]) -> ConfigSummary {
    // Metric names in the order of the first run that has them.
    let mut names: Vec<&str> = Vec::new();
    for r in runs {
        for m in &r.metrics {
            if !names.contains(&m.metric.as_str()) {
                names.push(&m.metric);
            }
        }
    }
    let of = |name: &str| -> Vec<&MetricCheck> {
        runs.iter().filter_map(|r| r.metrics.iter().find(|m| m.metric == name)).collect()
    };
    let worst =
        |ms: &[&MetricCheck]| ms.iter().map(|m| m.verdict).max_by_key(|v| rank(*v)).unwrap_or(Verdict::Unchanged);
    let run_error = runs.iter().any(|r| !r.errors.is_empty());
    let per_metric: Vec<(&str, Verdict)> = names.iter().map(|n| (*n, worst(&of(n)))).collect();
    let mut status = per_metric.iter().map(|(_, v)| *v).max_by_key(|v| rank(*v)).unwrap_or(Verdict::Unchanged);
    if run_error {
        status = Verdict::Missing;
    }
    let moved = per_metric.iter().filter(|(_, v)| *v != Verdict::Unchanged).count();
    // Of the metrics with that verdict, the one with it in the most runs (the first on a tie).
    let count = |name: &str| of(name).iter().filter(|m| m.verdict == status).count();
    let mut candidates = per_metric.iter().filter(|(_, v)| *v == status && status != Verdict::Unchanged);
    let first = candidates.next().map(|(n, _)| (*n, count(n)));
    let pick = candidates.fold(first, |best, (n, _)| match best {
        Some((_, k)) if count(n) <= k => best,
        _ => Some((*n, count(n))),
    });
    let headline = pick.map(|(name, _)| {
        let ms = of(name);
        let pairs: Vec<(f64, f64)> = ms
            .iter()
            .filter_map(|m| Some((parse_value(m.old.as_deref()?)?, parse_value(m.new.as_deref()?)?)))
            .collect();
        let old: Vec<f64> = pairs.iter().map(|p| p.0).collect();
        let new: Vec<f64> = pairs.iter().map(|p| p.1).collect();
        let diffs: Vec<f64> = pairs.iter().map(|(a, b)| b - a).collect();
        let (old_mean, new_mean) = (estimate(&old).mean, estimate(&new).mean);
        let rule = ms[0].rule;
        Headline {
            metric: name.to_string(),
            old_mean,
            new_mean,
            on_means: judge(&rule, old_mean, new_mean),
            allowed: rule.describe(),
            ci95: estimate(&diffs).ci95,
            runs_with_status: ms.iter().filter(|m| m.verdict == status).count(),
        }
    });
    ConfigSummary {
        id: id.to_string(),
        label: runs[0].label.clone(),
        runs: runs.len(),
        status,
        also_moved: moved.saturating_sub(usize::from(headline.is_some())),
        headline,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::rules::{Direction, Rule};

    fn run(id: &str, old: &str, new: &str, verdict: Verdict) -> RunReport {
        let m = |name: &str, old: &str, new: &str, verdict| MetricCheck {
            metric: name.into(),
            group: "wait",
            old: Some(old.into()),
            new: Some(new.into()),
            rule: Rule { direction: Direction::Lower, abs: 0.0, rel: 0.0 },
            verdict,
        };
        RunReport {
            run_id: id.into(),
            label: "fifo".into(),
            metrics: vec![m("jobs", "10", "10", Verdict::Unchanged), m("wait_mean", old, new, verdict)],
            ..RunReport::default()
        }
    }

    #[test]
    fn replications_pool_into_one_line_with_the_paired_interval() {
        assert_eq!(config_of("c03-r1"), "c03");
        assert_eq!(config_of("run"), "run");
        assert_eq!(config_of("c-r1"), "c-r1");
        let sc = ScenarioReport {
            runs: vec![
                run("c0-r0", "10", "12", Verdict::Regressed),
                run("c0-r1", "20", "24", Verdict::Regressed),
                run("c0-r2", "30", "30", Verdict::Unchanged),
                run("c1-r0", "10", "10", Verdict::Unchanged),
            ],
            ..ScenarioReport::default()
        };
        let cs = configurations(&sc);
        assert_eq!(cs.len(), 2);
        assert_eq!((cs[0].id.as_str(), cs[0].runs, cs[0].status), ("c0", 3, Verdict::Regressed));
        let h = cs[0].headline.as_ref().unwrap();
        assert_eq!((h.metric.as_str(), h.old_mean, h.new_mean, h.runs_with_status), ("wait_mean", 20.0, 22.0, 2));
        assert_eq!(h.on_means, Verdict::Regressed);
        // Paired differences 2, 4, 0: mean 2, sd 2, half-width t(0.975, 2) × 2 / √3 = 4.97 > 2.
        assert_eq!(h.ci_text(), "±4.968, within");
        assert_eq!(cs[0].also_moved, 0);
        assert_eq!((cs[1].status, cs[1].headline.is_none()), (Verdict::Unchanged, true));
    }
}
