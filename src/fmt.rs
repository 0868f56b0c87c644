//! Formatting shared by every layer: numbers and simulated times as the CSV files write them, memory
//! and resource requests as people read them.

use crate::model::{Resources, Time};
use std::io::Write;

/// Appends [`fmt_num`]`(x)` to `buf`.
pub fn push_num(buf: &mut Vec<u8>, x: f64) {
    if !x.is_finite() {
        buf.extend_from_slice(fmt_num(x).as_bytes());
        return;
    }
    if x.fract() == 0.0 && x.abs() < 1e15 {
        // Whole numbers (a bounded slowdown of 1, most often) without a String each.
        let _ = write!(buf, "{}", x as i64);
        return;
    }
    let start = buf.len();
    let _ = write!(buf, "{x:.6}");
    while buf.last() == Some(&b'0') {
        buf.pop();
    }
    if buf.last() == Some(&b'.') {
        buf.pop();
    }
    if &buf[start..] == b"-0" {
        buf.truncate(start);
        buf.push(b'0');
    }
}

/// Appends [`fmt_time`]`(t)` to `buf`.
pub fn push_time(buf: &mut Vec<u8>, t: Time) {
    let (s, mut us) = (t / 1_000_000, t % 1_000_000);
    let _ = write!(buf, "{s}");
    if us != 0 {
        let mut digits = 6;
        while us % 10 == 0 {
            us /= 10;
            digits -= 1;
        }
        let _ = write!(buf, ".{us:0digits$}");
    }
}

/// Formats a number for CSV: integers without a fraction, others with up to 6 decimals.
pub fn fmt_num(x: f64) -> String {
    if !x.is_finite() {
        return if x.is_nan() {
            "NaN".into()
        } else if x > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        };
    }
    if x.fract() == 0.0 && x.abs() < 1e15 {
        return format!("{}", x as i64);
    }
    let s = format!("{x:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}

/// Formats simulated time (µs) as seconds, exactly: `12`, `12.5`, `0.000250`→`0.00025`.
pub fn fmt_time(t: Time) -> String {
    let mut buf = Vec::with_capacity(24);
    push_time(&mut buf, t);
    String::from_utf8(buf).expect("digits and a point")
}

/// Memory in MiB as people read it (`512 MiB`, `8 GiB`, `1.5 TiB`).
pub fn fmt_mem(mib: u64) -> String {
    if mib >= 1 << 20 && mib.is_multiple_of(1 << 10) {
        format!("{} TiB", trim(mib as f64 / (1u64 << 20) as f64))
    } else if mib >= 1 << 10 {
        format!("{} GiB", trim(mib as f64 / 1024.0))
    } else {
        format!("{mib} MiB")
    }
}

fn trim(x: f64) -> String {
    let s = format!("{x:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// `cpu 16, mem 8 GiB, gpu 1`, leaving out the kinds not asked for.
pub fn fmt_request(r: &Resources) -> String {
    let mut parts = vec![format!("cpu {}", r.cpu)];
    if r.mem > 0 {
        parts.push(format!("mem {}", fmt_mem(r.mem)));
    }
    if r.gpu > 0 {
        parts.push(format!("gpu {}", r.gpu));
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_format_compactly() {
        assert_eq!(fmt_num(3.0), "3");
        assert_eq!(fmt_num(0.25), "0.25");
        assert_eq!(fmt_num(1.0 / 3.0), "0.333333");
        assert_eq!(fmt_time(12_500_000), "12.5");
        assert_eq!(fmt_time(250), "0.00025");
        assert_eq!(fmt_time(7_000_010), "7.00001");
        assert_eq!(fmt_time(0), "0");
    }

    #[test]
    fn pushed_numbers_equal_the_formatted_ones() {
        let mut buf = Vec::new();
        for x in [0.0, -0.0, 3.0, -2.5, 0.25, 1.0 / 3.0, -1e-9, 1e-7, 123456.789, 1e16, f64::NAN, f64::INFINITY] {
            buf.clear();
            push_num(&mut buf, x);
            assert_eq!(std::str::from_utf8(&buf).unwrap(), fmt_num(x), "{x}");
        }
    }
}
