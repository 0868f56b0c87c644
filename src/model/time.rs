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

/// The units a duration may have, largest first, with their length in µs.
const UNITS: [(&str, f64); 8] =
    [("w", 604_800e6), ("d", 86_400e6), ("h", 3600e6), ("m", 60e6), ("s", 1e6), ("ms", 1e3), ("us", 1.0), ("µs", 1.0)];

/// Parses `"250ms"`, `"90s"`, `"2h"`, `"7d"`, `"1.5h"`, `"10us"`, `"3m"`, a compound of units from
/// the largest down (`"1h30m"`, `"2d12h"`, `"1m30.5s"`) or a plain number of seconds. The units are
/// `w d h m s ms us` (`µs` too), written right after the number; anything else (`"20 sec"`,
/// `"20min"`) is refused with the list.
pub fn parse_duration(text: &str) -> Result<Time, String> {
    let s = text.trim();
    let echo = || crate::error::echo(text);
    let not_a_duration =
        || format!("`{}` is not a duration (expected e.g. \"250ms\", \"90s\", \"2h\", \"7d\")", echo());
    let mut rest = s;
    let mut total = 0.0;
    let mut last_rank = None;
    while !rest.is_empty() {
        let split = rest.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_')).unwrap_or(rest.len());
        let (num, tail) = rest.split_at(split);
        let value: f64 = num.replace('_', "").parse().map_err(|_| not_a_duration())?;
        let unit_len = tail.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(tail.len());
        let (unit, tail) = tail.split_at(unit_len);
        if unit.is_empty() {
            if last_rank.is_some() {
                return Err(format!("`{}`: every part of a compound duration needs a unit (e.g. \"1h30m\")", echo()));
            }
            total = value * 1e6;
            break;
        }
        let Some(rank) = UNITS.iter().position(|(u, _)| *u == unit) else {
            let unit = crate::error::echo(unit.trim());
            return Err(format!(
                "`{}` has unknown unit `{unit}` (valid units: w, d, h, m, s, ms, us, written right after the number; compounds such as \"1h30m\")",
                echo()
            ));
        };
        if last_rank.is_some_and(|r| rank <= r) {
            return Err(format!(
                "`{}`: the units of a compound duration go from the largest down (e.g. \"1h30m\")",
                echo()
            ));
        }
        last_rank = Some(rank);
        total += value * UNITS[rank].1;
        rest = tail;
    }
    if s.is_empty() {
        return Err(not_a_duration());
    }
    from_secs_f64(total / 1e6).map_err(|m| format!("`{}`: {m}", echo()))
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

    /// Issue 18: "20 sec" and "20min" were accepted silently while "1h30m" was refused.
    #[test]
    fn compounds_are_accepted_and_undocumented_aliases_refused() {
        assert_eq!(parse_duration("1h30m"), Ok(5400 * SECOND));
        assert_eq!(parse_duration("2d12h"), Ok(216_000 * SECOND));
        assert_eq!(parse_duration("1m30.5s"), Ok(90_500_000));
        assert_eq!(parse_duration("1s500ms"), Ok(1_500_000));
        for bad in ["20 sec", "20min", "20sec", "30m1h", "1h30", "1h1h", "", "1e30"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert!(parse_duration("20 sec").unwrap_err().contains("valid units: w, d, h, m, s, ms, us"));
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
