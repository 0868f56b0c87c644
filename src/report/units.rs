//! Metric values as a reader of `report.html` wants them: rounded to three significant digits, times
//! in s/min/h/d, fractions in %, with the confidence half-width in the unit of its mean.

/// How a metric's values read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Seconds of simulated time (waits, responses, makespan, latencies, downtime).
    Seconds,
    /// A fraction from 0 to 1 (utilization, starved share, availability), shown in %.
    Fraction,
    /// A count or a ratio without a unit.
    Plain,
}

/// The unit of a `summary.csv` metric (or of `<metric>_mean` / `_ci95` of `comparison.csv`).
pub fn unit_of(metric: &str) -> Unit {
    let m = metric.strip_suffix("_mean").or_else(|| metric.strip_suffix("_ci95")).unwrap_or(metric);
    let m = m.strip_suffix("_std").unwrap_or(m);
    const SECONDS: [&str; 5] = ["wait", "response", "makespan", "detection_latency", "scheduler_downtime"];
    let is = |p: &&str| m == *p || m.strip_prefix(*p).is_some_and(|rest| rest.starts_with('_'));
    if SECONDS.iter().any(is) {
        Unit::Seconds
    } else if m.ends_with("_frac") || m.starts_with("util_") || m == "availability" || m == "share" {
        Unit::Fraction
    } else {
        Unit::Plain
    }
}

/// Three significant digits, whole numbers of 1,000 and more as they are: `205939`, `12.3`, `0.0456`.
pub fn sig3(x: f64) -> String {
    if !x.is_finite() {
        return crate::fmt::fmt_num(x);
    }
    if x == 0.0 {
        return "0".into();
    }
    let magnitude = x.abs().log10().floor() as i32;
    let decimals = (2 - magnitude).clamp(0, 9) as usize;
    let s = format!("{x:.decimals$}");
    let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.') } else { &s };
    if s == "-0" { "0".into() } else { s.to_string() }
}

/// The time scale for seconds of this size: (divisor, unit).
fn time_scale(seconds: f64) -> (f64, &'static str) {
    let a = seconds.abs();
    if a < 120.0 {
        (1.0, "s")
    } else if a < 2.0 * 3600.0 {
        (60.0, "min")
    } else if a < 2.0 * 86400.0 {
        (3600.0, "h")
    } else {
        (86400.0, "d")
    }
}

/// `12.3 min`, `45.4 %`, `3.21`: a value in `unit`, scaled by `like` (the mean, so that a mean and
/// its half-width share one unit).
pub fn show_like(x: f64, like: f64, unit: Unit) -> String {
    if !x.is_finite() {
        return crate::fmt::fmt_num(x);
    }
    match unit {
        Unit::Seconds => {
            let (div, name) = time_scale(if like.is_finite() { like } else { x });
            format!("{} {name}", sig3(x / div))
        }
        Unit::Fraction => format!("{} %", sig3(100.0 * x)),
        Unit::Plain => sig3(x),
    }
}

/// [`show_like`] scaled by the value itself.
pub fn show(x: f64, unit: Unit) -> String {
    show_like(x, x, unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_with_units() {
        assert_eq!(show(205939.437477, Unit::Seconds), "2.38 d");
        assert_eq!(show(724.511266, Unit::Seconds), "12.1 min");
        assert_eq!(show(45.0, Unit::Seconds), "45 s");
        assert_eq!(show(9000.0, Unit::Seconds), "2.5 h");
        assert_eq!(show_like(69057.305824, 205939.437477, Unit::Seconds), "0.799 d");
        assert_eq!(show(0.454477, Unit::Fraction), "45.4 %");
        assert_eq!(show(0.00075, Unit::Fraction), "0.075 %");
        assert_eq!(show(16.239202, Unit::Plain), "16.2");
        assert_eq!(show(1249366.446229, Unit::Plain), "1249366");
        assert_eq!(unit_of("wait_p95_mean"), Unit::Seconds);
        assert_eq!(unit_of("util_cpu_ci95"), Unit::Fraction);
        assert_eq!(unit_of("bsld_mean"), Unit::Plain);
        assert_eq!(unit_of("bsld_mean_mean"), Unit::Plain);
        assert_eq!(unit_of("wait_mean"), Unit::Seconds);
        assert_eq!(unit_of("waited_with_free_capacity"), Unit::Plain);
    }
}
