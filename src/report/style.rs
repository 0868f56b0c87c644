//! The look shared by every chart: embedded font, Okabe-Ito palette, tick formats and downsampling.

use plotters::style::{FontStyle, RGBColor};
use std::sync::Once;

/// The font family name charts use; registered once from the embedded DejaVu Sans.
pub const FONT: &str = "sans-serif";

/// Registers the embedded DejaVu Sans (regular and bold) with plotters, once per process.
/// No system font library is involved: PNG text is rasterized by ab_glyph from these bytes,
/// and SVG text names `sans-serif`, which every browser has.
pub fn register_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The bytes are a valid TrueType font shipped in the `dejavu` crate; failure is impossible
        // short of a corrupted build, and then text is simply missing from the PNGs.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular());
        let _ = plotters::style::register_font(FONT, FontStyle::Bold, dejavu::sans::bold());
    });
}

/// The Okabe-Ito palette (colour-blind safe), in the order configurations get them.
/// Yellow, the hardest to see on white, comes last.
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
    RGBColor(0x00, 0x00, 0x00), // black
    RGBColor(0xF0, 0xE4, 0x42), // yellow
];

/// Colour of series `i`; past eight the palette repeats (charts then also dash the line).
pub fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// How one series of a study is drawn everywhere: its colour, and whether it is the second look of
/// that colour (lines dashed, bars and table swatches a lighter tint).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeriesStyle {
    pub colour: RGBColor,
    pub variant: bool,
}

impl SeriesStyle {
    /// Series `i` of a list: the palette in order, then again as the variant.
    pub fn nth(i: usize) -> SeriesStyle {
        SeriesStyle { colour: colour(i), variant: i >= PALETTE.len() }
    }

    /// The colour of a bar or a table swatch: the variant mixes 55% white into the colour.
    pub fn fill(&self) -> RGBColor {
        if !self.variant {
            return self.colour;
        }
        let tint = |c: u8| c + ((255 - c) as f64 * 0.55).round() as u8;
        RGBColor(tint(self.colour.0), tint(self.colour.1), tint(self.colour.2))
    }
}

/// `#rrggbb` of a colour, for the HTML page.
pub fn hex(c: RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

/// At most this many points per line: more than a chart has pixels across.
pub const MAX_POINTS: usize = 2000;

/// Grey of the node-down shading and of secondary marks.
pub const SHADE: RGBColor = RGBColor(0x99, 0x99, 0x99);

/// The unit a time axis counts in, chosen from the span so ticks read as round numbers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimeUnit {
    pub seconds: f64,
    pub name: &'static str,
}

impl TimeUnit {
    /// Minutes up to 3 hours, hours up to 4 days, days beyond.
    pub fn for_span(span_s: f64) -> TimeUnit {
        if span_s <= 3.0 * 3600.0 {
            TimeUnit { seconds: 60.0, name: "min" }
        } else if span_s <= 4.0 * 86400.0 {
            TimeUnit { seconds: 3600.0, name: "h" }
        } else {
            TimeUnit { seconds: 86400.0, name: "days" }
        }
    }
}

/// Tick positions for a log axis of durations (seconds): round human durations in `lo..=hi`.
pub fn duration_ticks(lo: f64, hi: f64) -> Vec<f64> {
    const TICKS: [f64; 12] = [
        1.0,
        10.0,
        60.0,
        600.0,
        3600.0,
        6.0 * 3600.0,
        86400.0,
        7.0 * 86400.0,
        30.0 * 86400.0,
        365.0 * 86400.0,
        3650.0 * 86400.0,
        36500.0 * 86400.0,
    ];
    TICKS.iter().copied().filter(|&t| t >= lo * 0.999 && t <= hi * 1.001).collect()
}

/// The smallest round duration of [`duration_ticks`] at or above `s` (for an axis end).
pub fn duration_ceiling(s: f64) -> f64 {
    duration_ticks(1.0, f64::MAX).into_iter().find(|&t| t >= s).unwrap_or(s)
}

/// A duration in seconds as a short label: `45 s`, `10 min`, `6 h`, `1 d`, `1 w`.
pub fn fmt_duration(s: f64) -> String {
    let (v, unit) = if s < 60.0 {
        (s, "s")
    } else if s < 3600.0 {
        (s / 60.0, "min")
    } else if s < 86400.0 {
        (s / 3600.0, "h")
    } else if s < 7.0 * 86400.0 || (s < 365.0 * 86400.0 && (s / 86400.0) % 7.0 != 0.0) {
        (s / 86400.0, "d")
    } else if s < 365.0 * 86400.0 {
        (s / (7.0 * 86400.0), "w")
    } else {
        (s / (365.0 * 86400.0), "y")
    };
    format!("{} {unit}", fmt_short(v))
}

/// A swept key as a reader would name it: `faults.pools[0].mtbf` → `MTBF (pool 0)`,
/// `workload.load` → `load`, `cluster.pools[1].count` → `count (pool 1)`, `node_scale` → `node scale`.
/// Section names (`workload`, `cluster`, `faults`, `policy`, `metrics`) are dropped when a field follows.
pub fn readable_key(key: &str) -> String {
    const SECTIONS: [&str; 5] = ["workload", "cluster", "faults", "policy", "metrics"];
    let parts: Vec<&str> = key.split('.').collect();
    let mut words: Vec<String> = Vec::new();
    let mut within: Vec<String> = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let (name, index) = match part.split_once('[') {
            Some((n, rest)) => (n, Some(rest.trim_end_matches(']'))),
            None => (*part, None),
        };
        match index {
            // `pools[0]` → `pool 0`.
            Some(ix) => within.push(format!("{} {ix}", name.strip_suffix('s').unwrap_or(name))),
            None if i + 1 < parts.len() && SECTIONS.contains(&name) => {}
            None => words.push(match name {
                "mtbf" | "mttr" => name.to_uppercase(),
                _ => name.replace('_', " "),
            }),
        }
    }
    let head = if words.is_empty() { key.to_string() } else { words.join(" ") };
    if within.is_empty() { head } else { format!("{head} ({})", within.join(", ")) }
}

/// A number with at most 3 significant digits and no trailing zeros: `0.734`, `12.5`, `1500`.
pub fn fmt_short(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return if v.is_finite() { "0".into() } else { format!("{v}") };
    }
    let digits = (3 - 1 - v.abs().log10().floor() as i32).max(0) as usize;
    let s = format!("{v:.digits$}");
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

/// A count for an axis: `850`, `1.2k`, `15k`, `1.5M`.
pub fn fmt_count(v: f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        format!("{}M", fmt_short(v / 1e6))
    } else if a >= 1e4 {
        format!("{}k", fmt_short(v / 1e3))
    } else if a.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        fmt_short(v)
    }
}

/// Keeps at most `max` points of a time series: for each of `max / 2` equal slices of the
/// index range, its minimum and maximum in time order, so spikes survive.
pub fn downsample_minmax(xs: &[f64], ys: &[f64], max: usize) -> Vec<(f64, f64)> {
    let n = xs.len().min(ys.len());
    if n <= max {
        return (0..n).map(|i| (xs[i], ys[i])).collect();
    }
    let buckets = (max / 2).max(1);
    let mut out = Vec::with_capacity(buckets * 2);
    for b in 0..buckets {
        let (lo, hi) = (b * n / buckets, ((b + 1) * n / buckets).max(b * n / buckets + 1));
        let (mut imin, mut imax) = (lo, lo);
        for i in lo..hi {
            if ys[i] < ys[imin] {
                imin = i;
            }
            if ys[i] > ys[imax] {
                imax = i;
            }
        }
        let (a, b) = (imin.min(imax), imin.max(imax));
        out.push((xs[a], ys[a]));
        if b != a {
            out.push((xs[b], ys[b]));
        }
    }
    out
}

/// A dense series summarized in `buckets` equal slices of the index range: for each, the mean
/// x, mean y, and the y range, so a chart can draw a readable mean line over a min–max band.
pub fn bucket_stats(xs: &[f64], ys: &[f64], buckets: usize) -> Vec<(f64, f64, f64, f64)> {
    let n = xs.len().min(ys.len());
    let buckets = buckets.clamp(1, n.max(1));
    (0..buckets)
        .filter_map(|b| {
            let (lo, hi) = (b * n / buckets, (b + 1) * n / buckets);
            (hi > lo).then(|| {
                let k = (hi - lo) as f64;
                let x = xs[lo..hi].iter().sum::<f64>() / k;
                let y = ys[lo..hi].iter().sum::<f64>() / k;
                let min = ys[lo..hi].iter().copied().fold(f64::INFINITY, f64::min);
                let max = ys[lo..hi].iter().copied().fold(f64::NEG_INFINITY, f64::max);
                (x, y, min, max)
            })
        })
        .collect()
}

/// The empirical CDF of sorted `values` as at most `max` points (x, fraction ≤ x), keeping a
/// point whenever the fraction or log10(x) has moved by 1/(max/2) of its range since the last.
/// Values below `floor` are drawn at `floor` (a log axis has no zero).
pub fn cdf_points(sorted: &[f64], floor: f64, max: usize) -> Vec<(f64, f64)> {
    let n = sorted.len();
    if n == 0 {
        return Vec::new();
    }
    let half = (max / 2).max(1) as f64;
    let lx = |v: f64| v.max(floor).log10();
    let (x_lo, x_hi) = (lx(sorted[0]), lx(sorted[n - 1]));
    let dx = ((x_hi - x_lo) / half).max(f64::MIN_POSITIVE);
    let dy = 1.0 / half;
    let mut out: Vec<(f64, f64)> = Vec::with_capacity(max.min(n) + 2);
    let (mut last_x, mut last_y) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
    for (i, &v) in sorted.iter().enumerate() {
        // The CDF steps up at the last of equal values.
        if i + 1 < n && sorted[i + 1] == v {
            continue;
        }
        let (x, y) = (v.max(floor), (i + 1) as f64 / n as f64);
        let last = i + 1 == n;
        if last || lx(x) - last_x >= dx || y - last_y >= dy {
            out.push((x, y));
            last_x = lx(x);
            last_y = y;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(fmt_duration(1.0), "1 s");
        assert_eq!(fmt_duration(600.0), "10 min");
        assert_eq!(fmt_duration(21600.0), "6 h");
        assert_eq!(fmt_duration(86400.0), "1 d");
        assert_eq!(fmt_duration(7.0 * 86400.0), "1 w");
        assert_eq!(fmt_duration(30.0 * 86400.0), "30 d");
        assert_eq!(duration_ticks(1.0, 4000.0), vec![1.0, 10.0, 60.0, 600.0, 3600.0]);
        assert_eq!(duration_ceiling(4000.0), 21600.0);
    }

    #[test]
    fn swept_keys_read_as_words() {
        assert_eq!(readable_key("faults.pools[0].mtbf"), "MTBF (pool 0)");
        assert_eq!(readable_key("workload.load"), "load");
        assert_eq!(readable_key("load"), "load");
        assert_eq!(readable_key("node_scale"), "node scale");
        assert_eq!(readable_key("cluster.pools[1].count"), "count (pool 1)");
        assert_eq!(readable_key("workload.runtime.mean"), "runtime mean");
        assert_eq!(readable_key("faults.scheduler.mtbf"), "scheduler MTBF");
    }

    #[test]
    fn numbers_are_short() {
        assert_eq!(fmt_short(0.73456), "0.735");
        assert_eq!(fmt_short(12.5), "12.5");
        assert_eq!(fmt_short(1500.0), "1500");
        assert_eq!(fmt_count(15_300.0), "15.3k");
        assert_eq!(fmt_count(1_500_000.0), "1.5M");
        assert_eq!(fmt_count(850.0), "850");
    }

    #[test]
    fn time_unit_follows_the_span() {
        assert_eq!(TimeUnit::for_span(7200.0).name, "min");
        assert_eq!(TimeUnit::for_span(86400.0).name, "h");
        assert_eq!(TimeUnit::for_span(30.0 * 86400.0).name, "days");
    }

    #[test]
    fn minmax_downsampling_keeps_the_spike_and_the_bound() {
        let xs: Vec<f64> = (0..10_000).map(f64::from).collect();
        let mut ys = vec![1.0; 10_000];
        ys[4321] = 99.0;
        let pts = downsample_minmax(&xs, &ys, 2000);
        assert!(pts.len() <= 2000);
        assert!(pts.contains(&(4321.0, 99.0)));
        assert!(pts.windows(2).all(|w| w[0].0 < w[1].0), "points stay in time order");
        // Short series pass through untouched.
        assert_eq!(downsample_minmax(&[1.0, 2.0], &[3.0, 4.0], 2000), vec![(1.0, 3.0), (2.0, 4.0)]);
    }

    #[test]
    fn buckets_hold_mean_and_range() {
        let xs = [0.0, 1.0, 2.0, 3.0];
        let ys = [1.0, 3.0, 10.0, 20.0];
        assert_eq!(bucket_stats(&xs, &ys, 2), vec![(0.5, 2.0, 1.0, 3.0), (2.5, 15.0, 10.0, 20.0)]);
    }

    #[test]
    fn cdf_is_bounded_exact_at_the_ends_and_floors_zero() {
        let v: Vec<f64> = (0..200_000).map(|i| (i as f64).powf(1.3)).collect();
        let pts = cdf_points(&v, 1.0, 2000);
        assert!(pts.len() <= 2002, "{} points", pts.len());
        assert_eq!(pts.last(), Some(&(v[199_999], 1.0)));
        assert_eq!(pts[0].0, 1.0, "a zero wait is drawn at the floor");
        // Ties: four zeros and one 10 → the CDF is 0.8 at the floor.
        assert_eq!(cdf_points(&[0.0, 0.0, 0.0, 0.0, 10.0], 1.0, 2000), vec![(1.0, 0.8), (10.0, 1.0)]);
    }
}
