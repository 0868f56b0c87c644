//! Tolerance rules of `clustersim check`: each metric's direction and group, the `[check]` table, and the verdict on one value.

pub use crate::scenario::check::{CheckSpec, Direction, ToleranceSpec, glob_match, known_metrics};

/// The rule a metric is judged by.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rule {
    pub direction: Direction,
    pub abs: f64,
    pub rel: f64,
}

impl Rule {
    /// How far the value may move the bad way from `old`: the larger of `abs` and `rel × |old|`.
    pub fn allowance(&self, old: f64) -> f64 {
        self.abs.max(self.rel * old.abs())
    }

    /// A short description of the rule, e.g. `may rise ≤ 2%` or `must not drop`.
    pub fn describe(&self) -> String {
        let (verb_none, verb_some) = match self.direction {
            Direction::Lower => ("must not rise", "may rise"),
            Direction::Higher => ("must not drop", "may drop"),
            Direction::Equal => ("must match", "may change"),
            Direction::Ignore => return "ignored".into(),
        };
        let pct = format!("{}%", crate::fmt::fmt_num(self.rel * 100.0));
        let abs = crate::fmt::fmt_num(self.abs);
        match (self.abs > 0.0, self.rel > 0.0) {
            (false, false) => verb_none.into(),
            (true, false) => format!("{verb_some} ≤ {abs}"),
            (false, true) => format!("{verb_some} ≤ {pct}"),
            (true, true) => format!("{verb_some} ≤ max({abs}, {pct})"),
        }
    }
}

/// The outcome for one metric of one run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    /// Same value as the baseline.
    Unchanged,
    /// Moved the good way.
    Improved,
    /// Moved the bad way, within the tolerance.
    Tolerated,
    /// Changed, but the metric is informational.
    Info,
    /// In the results but not in the baseline (a metric added since): nothing to regress from.
    New,
    /// Moved the bad way beyond the tolerance.
    Regressed,
    /// In the baseline but missing from the results.
    Missing,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Unchanged => "unchanged",
            Verdict::Improved => "improved",
            Verdict::Tolerated => "within tolerance",
            Verdict::Info => "info",
            Verdict::New => "new metric",
            Verdict::Regressed => "REGRESSED",
            Verdict::Missing => "MISSING",
        }
    }
}

/// Judges `new` against `old` under `rule`. Values are compared as written in `summary.csv`;
/// two NaNs (an empty statistic) are equal.
pub fn judge(rule: &Rule, old: f64, new: f64) -> Verdict {
    let same = old == new || (old.is_nan() && new.is_nan());
    if same {
        return Verdict::Unchanged;
    }
    if rule.direction == Direction::Ignore {
        return Verdict::Info;
    }
    if old.is_nan() || new.is_nan() {
        return Verdict::Regressed;
    }
    let worse_by = match rule.direction {
        Direction::Lower => new - old,
        Direction::Higher => old - new,
        Direction::Equal | Direction::Ignore => (new - old).abs(),
    };
    if worse_by < 0.0 {
        Verdict::Improved
    } else if worse_by <= rule.allowance(old) {
        Verdict::Tolerated
    } else {
        Verdict::Regressed
    }
}

/// The rule for `metric`: the first layer that mentions it (most specific first) wins; missing fields
/// fall back to the built-in direction and a zero tolerance (runs are deterministic).
pub fn rule_for(metric: &str, layers: &[&CheckSpec]) -> Rule {
    let spec = layers.iter().find_map(|l| l.lookup(metric)).cloned().unwrap_or_default();
    Rule {
        direction: spec.direction.unwrap_or_else(|| default_direction(metric)),
        abs: spec.abs.unwrap_or(0.0),
        rel: spec.rel.unwrap_or(0.0),
    }
}

/// Name prefixes of the metrics where higher is better.
const HIGHER: &[&str] =
    &["completed", "util_", "throughput", "jain", "fair", "availability", "gpu_alloc", "alloc_at", "first_failure"];

/// Name prefixes of the metrics where lower is better. Of the fault metrics these are what the
/// scheduler makes of the failures; the failures themselves (`node_failures`, `detections`,
/// `scheduler_crashes`, `failovers`) are inputs and must match.
const LOWER: &[&str] = &[
    "wait",
    "response",
    "bsld",
    "slowdown",
    "starv",
    "queue",
    "lost",
    "makespan",
    "failed",
    "cancelled",
    "unfinished",
    "rejected",
    "tasks_killed",
    "work_lost",
    "restarts",
    "retries",
    "evictions",
    "detection_latency",
    "scheduler_downtime",
    "resubmissions",
    "placement_conflicts",
    "tasks_failed",
    "gpu_tasks_failed",
    "gpus_unallocated",
    "frag",
];

/// Report groups (one JUnit test case per run × group) and the name prefixes of their metrics, in report order.
const GROUPS: &[(&str, &[&str])] = &[
    ("counts", &["jobs", "completed", "failed", "cancelled", "unfinished", "not_submitted", "rejected", "tasks"]),
    ("wait", &["wait", "response"]),
    ("slowdown", &["bsld", "slowdown"]),
    ("starvation", &["starv"]),
    ("utilization", &["util_"]),
    ("throughput", &["throughput", "makespan", "core_hours"]),
    ("fairness", &["jain", "fair"]),
    ("queue", &["queue"]),
    ("gpu_sharing", &["gpu_", "gpus_", "frag", "alloc_at", "first_failure", "failed_gpu", "tasks_failed"]),
    (
        "faults",
        &[
            "preempt",
            "lost",
            "node_failures",
            "tasks_killed",
            "work_lost",
            "restarts",
            "retries",
            "evictions",
            "failed_",
            "detection",
            "scheduler_",
            "failover",
            "resubmission",
            "placement_",
            "availability",
        ],
    ),
];

/// The built-in direction of a metric, by name, so that metrics added later get a sensible one.
pub fn default_direction(metric: &str) -> Direction {
    let starts = |prefixes: &[&str]| prefixes.iter().any(|p| metric.starts_with(p));
    match metric {
        "jobs" => Direction::Equal,
        "events" => Direction::Ignore,
        _ if starts(HIGHER) => Direction::Higher,
        _ if starts(LOWER) => Direction::Lower,
        _ => Direction::Equal,
    }
}

/// The group a metric is reported under; `other` for names no group claims. The counts group takes
/// its names exactly (so `failed_dispatches` goes to faults), the others by prefix.
pub fn group_of(metric: &str) -> &'static str {
    let (counts, rest) = GROUPS.split_first().expect("groups");
    if counts.1.contains(&metric) {
        return counts.0;
    }
    rest.iter().find(|(_, prefixes)| prefixes.iter().any(|p| metric.starts_with(p))).map_or("other", |(g, _)| g)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(direction: Direction, abs: f64, rel: f64) -> Rule {
        Rule { direction, abs, rel }
    }

    #[test]
    fn lower_is_better_allows_drops_and_bounded_rises() {
        let r = rule(Direction::Lower, 0.0, 0.02);
        assert_eq!(judge(&r, 100.0, 100.0), Verdict::Unchanged);
        assert_eq!(judge(&r, 100.0, 90.0), Verdict::Improved);
        assert_eq!(judge(&r, 100.0, 102.0), Verdict::Tolerated);
        assert_eq!(judge(&r, 100.0, 102.5), Verdict::Regressed);
        assert_eq!(r.describe(), "may rise ≤ 2%");
    }

    #[test]
    fn higher_is_better_with_an_absolute_allowance() {
        // Utilization may drop by half a percentage point.
        let r = rule(Direction::Higher, 0.005, 0.0);
        assert_eq!(judge(&r, 0.8, 0.9), Verdict::Improved);
        assert_eq!(judge(&r, 0.8, 0.796), Verdict::Tolerated);
        assert_eq!(judge(&r, 0.8, 0.794), Verdict::Regressed);
        assert_eq!(r.describe(), "may drop ≤ 0.005");
    }

    #[test]
    fn zero_tolerance_fails_on_the_smallest_bad_move() {
        let r = rule(Direction::Lower, 0.0, 0.0);
        assert_eq!(judge(&r, 1.0, 1.000001), Verdict::Regressed);
        assert_eq!(judge(&r, 1.0, 0.999999), Verdict::Improved);
        assert_eq!(r.describe(), "must not rise");
        let eq = rule(Direction::Equal, 0.0, 0.0);
        assert_eq!(judge(&eq, 3000.0, 2999.0), Verdict::Regressed);
        assert_eq!(judge(&eq, 3000.0, 3001.0), Verdict::Regressed);
        assert_eq!(eq.describe(), "must match");
    }

    #[test]
    fn the_larger_allowance_wins() {
        let r = rule(Direction::Lower, 5.0, 0.1);
        assert_eq!(r.allowance(10.0), 5.0);
        assert_eq!(r.allowance(100.0), 10.0);
        assert_eq!(judge(&r, 10.0, 15.0), Verdict::Tolerated);
        assert_eq!(judge(&r, 100.0, 110.5), Verdict::Regressed);
        assert_eq!(r.describe(), "may rise ≤ max(5, 10%)");
    }

    #[test]
    fn nan_equals_nan_and_differs_from_numbers() {
        let r = rule(Direction::Lower, 1.0, 1.0);
        assert_eq!(judge(&r, f64::NAN, f64::NAN), Verdict::Unchanged);
        assert_eq!(judge(&r, f64::NAN, 1.0), Verdict::Regressed);
        assert_eq!(judge(&rule(Direction::Ignore, 0.0, 0.0), 5.0, 7.0), Verdict::Info);
    }

    #[test]
    fn directions_and_groups_of_the_summary_metrics() {
        use Direction::*;
        for (m, d, g) in [
            ("jobs", Equal, "counts"),
            ("completed", Higher, "counts"),
            ("failed", Lower, "counts"),
            ("not_submitted", Equal, "counts"),
            ("wait_p95", Lower, "wait"),
            ("bsld_mean", Lower, "slowdown"),
            ("starved_frac", Lower, "starvation"),
            ("util_cpu", Higher, "utilization"),
            ("throughput_per_h", Higher, "throughput"),
            ("makespan", Lower, "throughput"),
            ("jain_bsld", Higher, "fairness"),
            ("queue_max", Lower, "queue"),
            ("lost_work_core_h", Lower, "faults"),
            ("preemptions", Equal, "faults"),
            ("core_hours", Equal, "throughput"),
            ("node_failures", Equal, "faults"),
            ("work_lost_core_s", Lower, "faults"),
            ("retries_exhausted", Lower, "faults"),
            ("failed_dispatches", Lower, "faults"),
            ("detection_latency_max", Lower, "faults"),
            ("scheduler_crashes", Equal, "faults"),
            ("scheduler_downtime", Lower, "faults"),
            ("lost_submissions", Lower, "faults"),
            ("availability", Higher, "faults"),
            ("events", Ignore, "other"),
        ] {
            assert_eq!((default_direction(m), group_of(m)), (d, g), "{m}");
        }
        // Every shipped metric belongs to a named group except the informational event count.
        for m in known_metrics() {
            assert!(m == "events" || group_of(m) != "other", "{m} has no group");
        }
    }

    #[test]
    fn patterns_match_and_the_most_specific_entry_wins() {
        assert!(glob_match("wait_*", "wait_p95"));
        assert!(glob_match("*", "events"));
        assert!(glob_match("util_*_total", "util_cpu_total"));
        assert!(!glob_match("util_*_total", "util_cpu"));
        assert!(!glob_match("wait_p95", "wait_p99"));
        let spec: CheckSpec = toml::from_str(
            r#"
            "*" = { rel = 0.5 }
            "wait_*" = { rel = 0.1 }
            wait_p95 = { rel = 0.02 }
            util_cpu = { abs = 0.005, direction = "equal" }
            "#,
        )
        .unwrap();
        spec.validate("check").unwrap();
        let file: CheckSpec = toml::from_str("wait_mean = { abs = 7 }").unwrap();
        let layers = [&spec, &file];
        assert_eq!(rule_for("wait_p95", &layers), rule(Direction::Lower, 0.0, 0.02));
        assert_eq!(rule_for("wait_mean", &layers), rule(Direction::Lower, 0.0, 0.1));
        assert_eq!(rule_for("util_cpu", &layers), rule(Direction::Equal, 0.005, 0.0));
        assert_eq!(rule_for("jobs", &layers), rule(Direction::Equal, 0.0, 0.5));
        assert_eq!(rule_for("wait_mean", &[&file]), rule(Direction::Lower, 7.0, 0.0));
        assert_eq!(rule_for("wait_mean", &[]), rule(Direction::Lower, 0.0, 0.0));
    }

    #[test]
    fn bad_entries_name_the_key() {
        let typo: CheckSpec = toml::from_str("wait_p59 = { rel = 0.02 }").unwrap();
        let e = typo.validate("check").unwrap_err().to_string();
        assert!(e.contains("check.wait_p59") && e.contains("unknown metric") && e.contains("wait_p95"), "{e}");
        let neg: CheckSpec = toml::from_str("wait_p95 = { abs = -1 }").unwrap();
        assert!(neg.validate("check").unwrap_err().to_string().contains("check.wait_p95.abs"));
        let e = toml::from_str::<CheckSpec>("wait_p95 = { rell = 1 }").unwrap_err().to_string();
        assert!(e.contains("rell"), "{e}");
        let e = toml::from_str::<CheckSpec>("wait_p95 = { direction = \"up\" }").unwrap_err().to_string();
        assert!(e.contains("lower"), "{e}");
    }
}
