//! Empirical distributions: the column of a trace one is fitted to, and drawing one of its sorted values
//! (or, interpolated, from the piecewise-linear inverse of their distribution function).

use serde::Deserialize;

/// The column of a trace an empirical distribution is fitted to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TraceField {
    /// Run time, seconds.
    Runtime,
    /// Processors (tasks × cores per task) of a job.
    Procs,
    /// Time between consecutive submissions, seconds.
    Interarrival,
    /// The user's estimate, seconds.
    Estimate,
    /// Estimate ÷ run time (jobs with run time > 0).
    EstimateFactor,
}

/// Mean of the distribution of the sorted `values`: their average; interpolated, the mean of the
/// piecewise-linear distribution through them (each adjacent pair equally likely).
pub fn mean(values: &[f64], interpolate: bool) -> f64 {
    match values.len() {
        0 => 0.0,
        1 => values[0],
        n if interpolate => values.windows(2).map(|w| (w[0] + w[1]) / 2.0).sum::<f64>() / (n - 1) as f64,
        n => values.iter().sum::<f64>() / n as f64,
    }
}

/// The draw for uniform `u` ∈ [0, 1): the value at index ⌊u·n⌋ of the sorted `values`; interpolated,
/// the linear interpolation between the order statistics around u·(n−1).
pub fn sample(values: &[f64], interpolate: bool, u: f64) -> f64 {
    match values.len() {
        0 => 0.0,
        1 => values[0],
        n if interpolate => {
            let x = u * (n - 1) as f64;
            let i = (x.floor() as usize).min(n - 2);
            values[i] + (x - i as f64) * (values[i + 1] - values[i])
        }
        n => values[((u * n as f64) as usize).min(n - 1)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_the_values_themselves_each_equally_likely() {
        let v = [10.0, 20.0, 40.0];
        assert_eq!(sample(&v, false, 0.0), 10.0);
        assert_eq!(sample(&v, false, 0.33), 10.0);
        assert_eq!(sample(&v, false, 0.34), 20.0);
        assert_eq!(sample(&v, false, 0.67), 40.0);
        assert_eq!(sample(&v, false, 0.999_999), 40.0);
        // (10 + 20 + 40) / 3
        assert_eq!(mean(&v, false), 70.0 / 3.0);
    }

    #[test]
    fn interpolates_between_order_statistics() {
        let v = [10.0, 20.0, 40.0];
        assert_eq!(sample(&v, true, 0.0), 10.0);
        assert_eq!(sample(&v, true, 0.25), 15.0);
        assert_eq!(sample(&v, true, 0.75), 30.0);
        // (15 + 30) / 2
        assert_eq!(mean(&v, true), 22.5);
    }
}
