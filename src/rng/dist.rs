//! Probability distributions for synthetic workloads, as written in scenario files.

use crate::error::ScenarioError;
use crate::model::time::parse_duration;
use crate::rng::Rng;
use rand::RngExt;
use rand_distr::{Distribution, Exp, LogNormal, Pareto, Weibull};
use serde::{Deserialize, Deserializer};

/// A number in a scenario: plain, or a duration string (`"30m"`, read as seconds).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Quantity(pub f64);

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            I(i64),
            F(f64),
            S(String),
        }
        let x = match Raw::deserialize(d)? {
            Raw::I(i) => i as f64,
            Raw::F(f) => f,
            Raw::S(s) => parse_duration(&s).map_err(serde::de::Error::custom)? as f64 / 1e6,
        };
        // durations are at most MAX_TIME_SECS seconds; sizes and counts no more than that either
        let max = crate::limits::MAX_TIME_SECS as f64;
        crate::limits::number(x, -max, max).map(Quantity).map_err(serde::de::Error::custom)
    }
}

/// Largest coefficient of variation or shape of a distribution.
const MAX_SHAPE: f64 = 1000.0;

/// A distribution of non-negative values (seconds for durations, counts for sizes).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(tag = "dist", rename_all = "snake_case", deny_unknown_fields)]
pub enum Dist {
    Constant {
        value: Quantity,
    },
    Uniform {
        min: Quantity,
        max: Quantity,
    },
    Exponential {
        mean: Quantity,
    },
    /// Given by its mean and coefficient of variation.
    Lognormal {
        mean: Quantity,
        cv: f64,
    },
    Weibull {
        scale: Quantity,
        shape: f64,
    },
    Pareto {
        scale: Quantity,
        shape: f64,
    },
    /// The empirical distribution of `values`, or of a `field` of a `trace` (SWF or CSV job list): each
    /// draw is one of the values, all equally likely; with `interpolate = true`, a draw from the
    /// piecewise-linear distribution function through the sorted values instead (values are sorted
    /// when the scenario is read).
    Empirical {
        #[serde(default)]
        values: Vec<f64>,
        /// A trace whose column fills `values` (relative to the scenario file's folder).
        trace: Option<std::path::PathBuf>,
        field: Option<super::empirical::TraceField>,
        /// Draw between the values (a continuous distribution) rather than the values themselves.
        #[serde(default)]
        interpolate: bool,
    },
}

impl Dist {
    /// Checks the parameters; `key` names the scenario key for messages.
    pub fn validate(&self, key: &str) -> Result<(), ScenarioError> {
        let bad = |m: &str| Err(ScenarioError::invalid(key, m.to_string()));
        match *self {
            Dist::Constant { value } if value.0 < 0.0 => bad("value must be ≥ 0"),
            Dist::Uniform { min, max } if min.0 < 0.0 || max.0 < min.0 => bad("expected 0 ≤ min ≤ max"),
            Dist::Exponential { mean } if mean.0 <= 0.0 => bad("mean must be > 0"),
            Dist::Lognormal { mean, cv } if mean.0 <= 0.0 || !(0.0..=MAX_SHAPE).contains(&cv) => {
                bad("expected mean > 0 and 0 ≤ cv ≤ 1000")
            }
            Dist::Weibull { scale, shape } | Dist::Pareto { scale, shape }
                if scale.0 <= 0.0 || !(shape > 0.0 && shape <= MAX_SHAPE) =>
            {
                bad("expected scale > 0 and 0 < shape ≤ 1000")
            }
            Dist::Empirical { ref values, ref trace, field, .. } => {
                if trace.is_some() != field.is_some() {
                    return bad("an empirical distribution from a trace needs both `trace` and `field`");
                }
                if values.is_empty() && trace.is_none() {
                    return bad("expected `values = [...]` or `trace` and `field`");
                }
                if values.is_empty() {
                    // traces are fitted (values filled) only for the workload's distributions
                    return bad(
                        "a `trace` is fitted only for the workload's distributions: give `values = [...]` here",
                    );
                }
                if values.iter().any(|v| !(v.is_finite() && (0.0..=crate::limits::MAX_TIME_SECS as f64).contains(v))) {
                    return bad("values must be from 0 to 1e10");
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// The distribution's mean (infinite for a Pareto with shape ≤ 1).
    pub fn mean(&self) -> f64 {
        match *self {
            Dist::Constant { value } => value.0,
            Dist::Uniform { min, max } => (min.0 + max.0) / 2.0,
            Dist::Exponential { mean } | Dist::Lognormal { mean, .. } => mean.0,
            Dist::Weibull { scale, shape } => scale.0 * gamma(1.0 + 1.0 / shape),
            Dist::Pareto { scale, shape } => {
                if shape <= 1.0 {
                    f64::INFINITY
                } else {
                    shape * scale.0 / (shape - 1.0)
                }
            }
            Dist::Empirical { ref values, interpolate, .. } => super::empirical::mean(values, interpolate),
        }
    }

    /// One draw.
    pub fn sample(&self, rng: &mut Rng) -> f64 {
        match *self {
            Dist::Constant { value } => value.0,
            Dist::Uniform { min, max } => {
                if max.0 > min.0 {
                    rng.random_range(min.0..=max.0)
                } else {
                    min.0
                }
            }
            Dist::Exponential { mean } => Exp::new(1.0 / mean.0).expect("validated").sample(rng),
            Dist::Lognormal { mean, cv } => {
                let sigma2 = (1.0 + cv * cv).ln();
                let mu = mean.0.ln() - sigma2 / 2.0;
                LogNormal::new(mu, sigma2.sqrt()).expect("validated").sample(rng)
            }
            Dist::Weibull { scale, shape } => Weibull::new(scale.0, shape).expect("validated").sample(rng),
            Dist::Pareto { scale, shape } => Pareto::new(scale.0, shape).expect("validated").sample(rng),
            Dist::Empirical { ref values, interpolate, .. } => {
                super::empirical::sample(values, interpolate, rng.random::<f64>())
            }
        }
    }

    /// One draw rounded to an integer in `[lo, hi]` (for sizes: tasks, cores, MiB).
    pub fn sample_int(&self, rng: &mut Rng, lo: u64, hi: u64) -> u64 {
        (self.sample(rng).round().max(lo as f64) as u64).min(hi)
    }
}

pub use crate::numeric::gamma;

#[cfg(test)]
mod tests {
    use super::*;

    fn mean_of(d: &Dist, n: usize) -> f64 {
        let mut rng = crate::rng::stream(1, "test");
        (0..n).map(|_| d.sample(&mut rng)).sum::<f64>() / n as f64
    }

    #[test]
    fn sample_means_match_configured_means() {
        let cases = [
            Dist::Exponential { mean: Quantity(30.0) },
            Dist::Lognormal { mean: Quantity(100.0), cv: 1.0 },
            Dist::Weibull { scale: Quantity(50.0), shape: 1.5 },
            Dist::Uniform { min: Quantity(2.0), max: Quantity(8.0) },
            Dist::Pareto { scale: Quantity(10.0), shape: 3.0 },
        ];
        for d in cases {
            let m = mean_of(&d, 200_000);
            assert!((m - d.mean()).abs() / d.mean() < 0.03, "{d:?}: sample mean {m} vs {}", d.mean());
        }
    }
}
