//! Statistics across replications: mean, sample standard deviation and the Student-t 95% confidence half-width.

use crate::numeric::ln_gamma;

/// Mean, sample standard deviation and 95% CI half-width of a sample; the last two are `None` below 2 values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    pub mean: f64,
    pub std: Option<f64>,
    pub ci95: Option<f64>,
}

/// Estimates the mean of `xs` (in the order given, so the result is the same on every run).
pub fn estimate(xs: &[f64]) -> Estimate {
    let n = xs.len();
    if n == 0 {
        return Estimate { mean: f64::NAN, std: None, ci95: None };
    }
    let mean = xs.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return Estimate { mean, std: None, ci95: None };
    }
    let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64;
    let std = var.sqrt();
    let ci95 = student_t_quantile(0.975, (n - 1) as f64) * std / (n as f64).sqrt();
    Estimate { mean, std: Some(std), ci95: Some(ci95) }
}

/// The `p`-quantile (0 < p < 1) of Student's t distribution with `df` degrees of freedom, by bisection
/// on the distribution function (accurate to ~1e-12).
pub fn student_t_quantile(p: f64, df: f64) -> f64 {
    if p == 0.5 {
        return 0.0;
    }
    if p < 0.5 {
        return -student_t_quantile(1.0 - p, df);
    }
    let mut hi = 1.0;
    while student_t_cdf(hi, df) < p {
        hi *= 2.0;
    }
    let mut lo = 0.0;
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if student_t_cdf(mid, df) < p {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-14 * hi {
            break;
        }
    }
    0.5 * (lo + hi)
}

/// P(T ≤ t) for Student's t with `df` degrees of freedom.
pub fn student_t_cdf(t: f64, df: f64) -> f64 {
    let tail = 0.5 * incomplete_beta(df / 2.0, 0.5, df / (df + t * t));
    if t >= 0.0 { 1.0 - tail } else { tail }
}

/// The regularised incomplete beta function I_x(a, b) (continued fraction, Numerical Recipes §6.4).
fn incomplete_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln();
    let front = ln_front.exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_fraction(a, b, x) / a
    } else {
        1.0 - front * beta_fraction(b, a, 1.0 - x) / b
    }
}

/// Lentz's evaluation of the continued fraction of the incomplete beta function.
fn beta_fraction(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..=300 {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        d = if d.abs() < TINY { TINY } else { d };
        c = 1.0 + aa / c;
        c = if c.abs() < TINY { TINY } else { c };
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        d = if d.abs() < TINY { TINY } else { d };
        c = 1.0 + aa / c;
        c = if c.abs() < TINY { TINY } else { c };
        d = 1.0 / d;
        let delta = d * c;
        h *= delta;
        if (delta - 1.0).abs() < 1e-16 {
            break;
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_the_tables() {
        // Two-sided 95% critical values (scipy.stats.t.ppf(0.975, df)).
        let known = [
            (1.0, 12.706_204_736_174_705),
            (2.0, 4.302_652_729_749_464),
            (3.0, 3.182_446_305_283_71),
            (4.0, 2.776_445_105_197_794),
            (9.0, 2.262_157_162_798_206),
            (29.0, 2.045_229_642_132_703),
            (1000.0, 1.962_339_080_826_408),
        ];
        for (df, t) in known {
            let got = student_t_quantile(0.975, df);
            assert!((got - t).abs() < 1e-9, "df {df}: {got} vs {t}");
        }
        assert_eq!(student_t_quantile(0.5, 3.0), 0.0);
        assert!((student_t_quantile(0.025, 4.0) + 2.776_445_105_197_793).abs() < 1e-9);
    }

    #[test]
    fn estimate_of_a_small_sample_by_hand() {
        // 2, 4, 9: mean 5, deviations −3, −1, 4, variance 26/2 = 13.
        let e = estimate(&[2.0, 4.0, 9.0]);
        assert_eq!(e.mean, 5.0);
        assert!((e.std.unwrap() - 13f64.sqrt()).abs() < 1e-12);
        assert!((e.ci95.unwrap() - 4.302_652_729_749_464 * 13f64.sqrt() / 3f64.sqrt()).abs() < 1e-9);
        let one = estimate(&[7.0]);
        assert_eq!((one.mean, one.std, one.ci95), (7.0, None, None));
    }
}
