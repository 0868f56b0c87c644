//! Atomic file output: write to `NAME.tmp`, then rename, so an interrupted run never leaves a half file that looks whole.

use crate::error::{Error, Result};
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Writes `path` through `fill`, atomically.
pub fn write_atomic(path: &Path, fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let tmp = tmp_name(path);
    let result = (|| {
        let file = fs::File::create(&tmp)?;
        let mut w = BufWriter::with_capacity(1 << 16, file);
        fill(&mut w)?;
        w.flush()?;
        drop(w);
        fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(Error::io(path, e));
    }
    Ok(())
}

fn tmp_name(path: &Path) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".tmp");
    path.with_file_name(name)
}

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
pub fn push_time(buf: &mut Vec<u8>, t: crate::model::Time) {
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
pub fn fmt_time(t: crate::model::Time) -> String {
    let mut buf = Vec::with_capacity(24);
    push_time(&mut buf, t);
    String::from_utf8(buf).expect("digits and a point")
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

    #[test]
    fn failed_write_leaves_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.csv");
        let r = write_atomic(&p, |w| {
            w.write_all(b"half")?;
            Err(std::io::Error::other("interrupted"))
        });
        assert!(r.is_err());
        assert!(!p.exists());
        assert!(!dir.path().join("x.csv.tmp").exists());
    }
}
