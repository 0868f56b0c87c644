//! Simulated time: integer microseconds, and the human duration strings used in scenario files.

use serde::{Deserialize, Deserializer};
use std::fmt;

/// A point or span of simulated time, in microseconds.
pub type Time = u64;

/// Microseconds in one second.
pub const SECOND: Time = 1_000_000;

/// Converts whole seconds to simulated time.
pub const fn secs(s: u64) -> Time {
    s * SECOND
}

/// Converts simulated time to (fractional) seconds for reporting.
pub fn as_secs_f64(t: Time) -> f64 {
    t as f64 / SECOND as f64
}

/// Parses `"250ms"`, `"90s"`, `"2h"`, `"7d"`, `"1.5h"`, `"10us"`, `"3m"` or a plain number of seconds.
pub fn parse_duration(text: &str) -> Result<Time, String> {
    let s = text.trim();
    let split = s.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_')).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let num = num.replace('_', "");
    let value: f64 = num.parse().map_err(|_| {
        format!("`{}` is not a duration (expected e.g. \"250ms\", \"90s\", \"2h\", \"7d\")", crate::error::echo(text))
    })?;
    let scale = match unit.trim() {
        "us" | "µs" => 1.0,
        "ms" => 1e3,
        "" | "s" | "sec" => 1e6,
        "m" | "min" => 60e6,
        "h" => 3600e6,
        "d" => 86_400e6,
        "w" => 604_800e6,
        other => {
            let (text, other) = (crate::error::echo(text), crate::error::echo(other));
            return Err(format!("`{text}` has unknown unit `{other}` (valid units: us, ms, s, m, h, d, w)"));
        }
    };
    from_secs_f64(value * scale / 1e6).map_err(|m| format!("`{}`: {m}", crate::error::echo(text)))
}

/// Whole or fractional seconds as simulated time, rounded to the microsecond; an error beyond
/// [`MAX_TIME`](crate::limits::MAX_TIME) (never saturated), below zero or not finite.
pub fn from_secs_f64(secs: f64) -> Result<Time, String> {
    use crate::limits::{MAX_TIME, MAX_TIME_SECS};
    if !secs.is_finite() || secs < 0.0 {
        return Err(format!("expected a duration ≥ 0, found {}", crate::limits::show(secs)));
    }
    let micros = (secs * SECOND as f64).round();
    if micros > MAX_TIME as f64 {
        return Err(format!(
            "expected at most {MAX_TIME_SECS} s (about 317 years), found {} s",
            crate::limits::show(secs)
        ));
    }
    Ok(micros as Time)
}

/// A duration read from a scenario file: a string with a unit or a plain number of seconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Duration(pub Time);

impl Duration {
    pub const ZERO: Duration = Duration(0);
    pub fn from_secs(s: u64) -> Self {
        Duration(secs(s))
    }
    pub fn micros(self) -> Time {
        self.0
    }
    pub fn secs_f64(self) -> f64 {
        as_secs_f64(self.0)
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        format_duration(self.0, f)
    }
}

fn format_duration(t: Time, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    const UNITS: [(Time, &str); 5] =
        [(86_400 * SECOND, "d"), (3600 * SECOND, "h"), (60 * SECOND, "m"), (SECOND, "s"), (1000, "ms")];
    for (size, unit) in UNITS {
        if t >= size && t.is_multiple_of(size) {
            return write!(f, "{}{unit}", t / size);
        }
    }
    if t == 0 { write!(f, "0s") } else { write!(f, "{t}us") }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Int(i64),
            Float(f64),
            Text(String),
        }
        let t = match Raw::deserialize(d)? {
            Raw::Int(i) if i < 0 => return Err(serde::de::Error::custom("a duration must not be negative")),
            Raw::Int(i) => from_secs_f64(i as f64),
            Raw::Float(x) if x < 0.0 => return Err(serde::de::Error::custom("a duration must not be negative")),
            Raw::Float(x) => from_secs_f64(x),
            Raw::Text(s) => parse_duration(&s),
        }
        .map_err(serde::de::Error::custom)?;
        Ok(Duration(t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_unit() {
        assert_eq!(parse_duration("250ms"), Ok(250_000));
        assert_eq!(parse_duration("90s"), Ok(90 * SECOND));
        assert_eq!(parse_duration("2h"), Ok(7200 * SECOND));
        assert_eq!(parse_duration("7d"), Ok(7 * 86_400 * SECOND));
        assert_eq!(parse_duration("1.5m"), Ok(90 * SECOND));
        assert_eq!(parse_duration("12"), Ok(12 * SECOND));
        assert!(parse_duration("5 parsecs").is_err());
        assert!(parse_duration("abc").is_err());
    }

    #[test]
    fn times_beyond_the_maximum_are_errors_not_saturated() {
        assert_eq!(parse_duration("10000000000s"), Ok(crate::limits::MAX_TIME));
        assert!(parse_duration("10000000001s").unwrap_err().contains("at most 10000000000 s"));
        assert!(parse_duration("1e30").is_err());
        assert!(from_secs_f64(1e30).is_err() && from_secs_f64(f64::NAN).is_err() && from_secs_f64(-1.0).is_err());
        let long = "9".repeat(1000);
        assert!(parse_duration(&long).unwrap_err().len() < 300, "a long value is quoted in part");
    }

    #[test]
    fn displays_in_the_largest_whole_unit() {
        assert_eq!(Duration(7200 * SECOND).to_string(), "2h");
        assert_eq!(Duration(1500).to_string(), "1500us");
        assert_eq!(Duration(250_000).to_string(), "250ms");
    }
}
