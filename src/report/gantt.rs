//! The Gantt chart of a run: one row per node, each job a bar from its first start to its end on
//! every node it ran on, as tall as the share of the node's cores it held, coloured by user (or by
//! tier when there are more than eight users); node failures shaded.
//!
//! Made from `jobs.csv` and `nodes.csv` alone (`events.csv`, when the run wrote one, gives each
//! node's down periods; otherwise `timeline.csv` shades the spans when any node was down).

use super::chart::{PNG_SCALE, Rendered, WIDTH, encode_png, titled_svg};
use super::data::{Table, Timeline, read_manifest};
use super::style::{self, FONT, SHADE, TimeUnit, fmt_short};
use crate::error::{Error, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// Runs of up to this many jobs get a Gantt chart with their other charts; a larger run draws
/// one with `clustersim report DIR --gantt [--from T --to T]`.
pub const MAX_JOBS: usize = 2000;

/// The colour of a job that failed (killed by a failure, or at its estimate).
const FAILED: RGBColor = RGBColor(0xB0, 0x00, 0x20);

/// One bar: a job's share of one node over time.
#[derive(Clone, Debug)]
struct Bar {
    /// The job's row in `jobs.csv`.
    job: usize,
    row: usize,
    start: f64,
    end: f64,
    /// Cores held on this node.
    cpu: u64,
    colour: usize,
    failed: bool,
}

/// What the chart shows.
pub struct Gantt {
    title: String,
    note: String,
    /// (first node row, rows, pool name), in row order.
    pools: Vec<(usize, usize, String)>,
    node_cpus: Vec<u64>,
    /// Bars, each with its vertical offset in cores on its node.
    bars: Vec<(Bar, u64)>,
    /// Down periods: (row, from, to); `row` = `None` for the whole cluster (a node, unknown which).
    down: Vec<(Option<usize>, f64, f64)>,
    legend: Vec<(String, usize)>,
    window: (f64, f64),
}

/// The number of jobs in `jobs.csv` (its lines but the header).
pub fn job_count(dir: &Path) -> Result<usize> {
    let text = std::fs::read(dir.join("jobs.csv")).map_err(|e| Error::io(dir.join("jobs.csv"), e))?;
    Ok(text.iter().filter(|&&b| b == b'\n').count().saturating_sub(1))
}

impl Gantt {
    /// Reads the run in `dir`; `from`/`to` (seconds) cut the window, which is otherwise the first
    /// submission to the last end.
    pub fn read(dir: &Path, from: Option<f64>, to: Option<f64>) -> Result<Gantt> {
        let nodes = Table::read(&dir.join("nodes.csv"))?;
        let jobs = Table::read(&dir.join("jobs.csv"))?;
        let (pool_c, cpu_c) = (nodes.require("pool")?, nodes.require("cpu")?);
        let node_cpus: Vec<u64> =
            (0..nodes.rows.len()).map(|r| nodes.num(r, cpu_c).unwrap_or(1.0).max(1.0) as u64).collect();
        let mut pools: Vec<(usize, usize, String)> = Vec::new();
        for r in 0..nodes.rows.len() {
            let name = nodes.text(r, pool_c);
            match pools.last_mut() {
                Some(p) if p.2 == name => p.1 += 1,
                _ => pools.push((r, 1, name.to_string())),
            }
        }
        let col = |c: &str| jobs.require(c);
        let (user_c, tier_c, cpu_jc, submit_c) = (col("user")?, col("tier")?, col("cpu")?, col("submit")?);
        let (start_c, end_c, run_c, state_c, nodes_c) =
            (col("start")?, col("end")?, col("run")?, col("state")?, col("nodes")?);
        // Colour by user when there are at most eight, else by tier.
        let mut users: Vec<String> = Vec::new();
        let mut tiers: Vec<String> = Vec::new();
        for r in 0..jobs.rows.len() {
            for (list, c) in [(&mut users, user_c), (&mut tiers, tier_c)] {
                let v = jobs.text(r, c);
                if !list.iter().any(|u| u == v) {
                    list.push(v.to_string());
                }
            }
        }
        let by_user = users.len() <= style::PALETTE.len() || tiers.len() <= 1;
        let (key_c, mut keys, key_name) = if by_user { (user_c, users, "user") } else { (tier_c, tiers, "tier") };
        keys.sort_by_key(|a| natural(a));
        let first_submit = (0..jobs.rows.len()).filter_map(|r| jobs.num(r, submit_c)).fold(f64::INFINITY, f64::min);
        let mut last_end: f64 = 0.0;
        let mut bars = Vec::new();
        for r in 0..jobs.rows.len() {
            let Some(start) = jobs.num(r, start_c) else { continue };
            let state = jobs.text(r, state_c);
            // A job still running at the horizon: its bar ends where it had got to.
            let end = jobs.num(r, end_c).unwrap_or_else(|| start + jobs.num(r, run_c).unwrap_or(0.0));
            last_end = last_end.max(end);
            let cpu = jobs.num(r, cpu_jc).unwrap_or(1.0).max(1.0) as u64;
            let colour = keys.iter().position(|k| k == jobs.text(r, key_c)).unwrap_or(0);
            let mut placed: Vec<(usize, u64)> = Vec::new();
            for n in jobs.text(r, nodes_c).split(';').filter_map(|n| n.trim().parse::<usize>().ok()) {
                match placed.iter_mut().find(|p| p.0 == n) {
                    Some(p) => p.1 += cpu,
                    None => placed.push((n, cpu)),
                }
            }
            for (row, cpu) in placed.into_iter().filter(|&(n, _)| n < node_cpus.len()) {
                bars.push(Bar { job: r, row, start, end, cpu, colour, failed: state == "failed" });
            }
        }
        let lo = from.unwrap_or(if first_submit.is_finite() { first_submit } else { 0.0 });
        let hi = to.unwrap_or(last_end).max(lo + 1.0);
        bars.retain(|b| b.end > lo && b.start < hi);
        let bars = stack(bars, &node_cpus);
        let down = down_periods(dir, lo, hi)?;
        let scenario = read_manifest(dir)?
            .and_then(|m| m.get("scenario").and_then(|s| s.as_str()).map(str::to_string))
            .unwrap_or_else(|| "run".into());
        let legend = if keys.len() <= style::PALETTE.len() {
            keys.iter().enumerate().map(|(i, k)| (format!("{key_name} {k}"), i)).collect()
        } else {
            Vec::new()
        };
        let mut shown: Vec<usize> = bars.iter().map(|(b, _)| b.job).collect();
        shown.sort_unstable();
        shown.dedup();
        let note = format!(
            "{} nodes, {} of {} jobs, {} to {}; bar height = share of the node's cores{}",
            node_cpus.len(),
            shown.len(),
            jobs.rows.len(),
            style::fmt_duration(lo),
            style::fmt_duration(hi),
            if keys.len() > style::PALETTE.len() {
                format!("; {} {key_name}s, colours repeat", keys.len())
            } else {
                String::new()
            },
        );
        Ok(Gantt {
            title: format!("{scenario}: jobs on nodes over time"),
            note,
            pools,
            node_cpus,
            bars,
            down,
            legend,
            window: (lo, hi),
        })
    }

    pub fn title(&self) -> &str {
        &self.title
    }

    /// Draws the chart as SVG and PNG.
    pub fn render(&self) -> Result<Rendered> {
        style::register_fonts();
        let fail = |e: String| Error::Other(format!("drawing chart \"{}\": {e}", self.title));
        let height = self.height();
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
            self.draw(&root, 1.0).map_err(fail)?;
            root.present().map_err(|e| fail(e.to_string()))?;
        }
        let (w, h) = ((WIDTH as f64 * PNG_SCALE) as u32, (height as f64 * PNG_SCALE) as u32);
        let mut rgb = vec![0u8; (w * h * 3) as usize];
        {
            let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
            self.draw(&root, PNG_SCALE).map_err(fail)?;
            root.present().map_err(|e| fail(e.to_string()))?;
        }
        let png = encode_png(&rgb, w, h, &self.title).map_err(|e| fail(e.to_string()))?;
        Ok(Rendered { svg: titled_svg(svg, &self.title), png })
    }

    /// The chart's height in CSS pixels: 12 px a node up to 100 nodes, less beyond, within 560..1400.
    fn height(&self) -> u32 {
        let n = self.node_cpus.len() as f64;
        let per = if n <= 100.0 { 12.0 } else { (1200.0 / n).max(1.0) };
        (200.0 + n * per).clamp(560.0, 1400.0) as u32
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, s: f64) -> std::result::Result<(), String> {
        let err = |e: plotters::drawing::DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
        root.fill(&WHITE).map_err(err)?;
        let area = root
            .margin((10.0 * s) as i32, 0, 0, 0)
            .titled(&self.title, (FONT, 24.0 * s, FontStyle::Bold).into_font().color(&BLACK))
            .map_err(err)?
            .titled(&self.note, (FONT, 15.0 * s).into_font().color(&RGBColor(0x55, 0x55, 0x55)))
            .map_err(err)?;
        let legend_h = if self.legend.is_empty() && self.down.is_empty() { 0 } else { (34.0 * s) as u32 };
        let (_, h) = area.dim_in_pixel();
        let (plot, legend_area) = area.split_vertically(h.saturating_sub(legend_h));
        let (lo, hi) = self.window;
        let unit = TimeUnit::for_span(hi - lo);
        let rows = self.node_cpus.len().max(1) as f64;
        let (x0, x1) = (lo / unit.seconds, hi / unit.seconds);
        let pools = self.pools.clone();
        let ticks: Vec<f64> = self.pools.iter().map(|(first, n, _)| *first as f64 + *n as f64 / 2.0).collect();
        let mut chart = ChartBuilder::on(&plot)
            .margin_left((10.0 * s) as u32)
            .margin_right((30.0 * s) as u32)
            .margin_top((8.0 * s) as u32)
            .x_label_area_size((52.0 * s) as u32)
            .y_label_area_size((120.0 * s) as u32)
            .build_cartesian_2d(x0..x1, Rows { n: rows, ticks })
            .map_err(err)?;
        let pool_at = move |y: &f64| {
            pools
                .iter()
                .find(|(first, n, _)| (*y - (*first as f64 + *n as f64 / 2.0)).abs() < 0.51)
                .map(|(first, n, name)| format!("{name} {first}–{}", first + n - 1))
                .unwrap_or_default()
        };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .x_labels(10)
            .y_label_formatter(&pool_at)
            .x_label_formatter(&|v| fmt_short(*v))
            .x_desc(format!("time ({})", unit.name))
            .y_desc("node (pool, ids)")
            .bold_line_style(RGBColor(0xE4, 0xE4, 0xE4).stroke_width(s.round() as u32))
            .light_line_style(TRANSPARENT)
            .axis_style(RGBColor(0x44, 0x44, 0x44).stroke_width(s.round() as u32))
            .label_style((FONT, 15.0 * s).into_font().color(&BLACK))
            .axis_desc_style((FONT, 17.0 * s).into_font().color(&BLACK))
            .draw()
            .map_err(err)?;
        // Down periods under the bars.
        let shade = SHADE.mix(0.35).filled();
        chart
            .draw_series(self.down.iter().map(|&(row, a, b)| {
                let (y0, y1) = match row {
                    Some(r) => (r as f64, r as f64 + 1.0),
                    None => (0.0, rows),
                };
                Rectangle::new([(a / unit.seconds, y0), (b / unit.seconds, y1)], shade)
            }))
            .map_err(err)?;
        // Each bar's corners, then the bars, then a hairline of white around each, so that
        // neighbours read as two jobs.
        let corners: Vec<([(f64, f64); 2], ShapeStyle)> = self
            .bars
            .iter()
            .map(|(b, offset)| {
                let cap = self.node_cpus[b.row] as f64;
                let y0 = b.row as f64 + 0.06 + 0.88 * (*offset as f64 / cap);
                let y1 = b.row as f64 + 0.06 + 0.88 * ((*offset + b.cpu) as f64 / cap).min(1.0);
                let c = if b.failed { FAILED.filled() } else { style::colour(b.colour).mix(0.85).filled() };
                ([(b.start.max(lo) / unit.seconds, y0), (b.end.min(hi) / unit.seconds, y1)], c)
            })
            .collect();
        chart.draw_series(corners.iter().map(|(at, c)| Rectangle::new(*at, *c))).map_err(err)?;
        let edge = WHITE.stroke_width((0.6 * s).round().max(1.0) as u32);
        chart.draw_series(corners.iter().map(|(at, _)| Rectangle::new(*at, edge))).map_err(err)?;
        // A line between pools.
        for (first, _, _) in self.pools.iter().skip(1) {
            let y = *first as f64;
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(x0, y), (x1, y)],
                    BLACK.stroke_width((3.0 * s).round() as u32),
                )))
                .map_err(err)?;
        }
        self.draw_legend(&legend_area, s).map_err(err)
    }

    fn draw_legend<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        s: f64,
    ) -> std::result::Result<(), plotters::drawing::DrawingAreaErrorKind<DB::ErrorType>> {
        let mut items: Vec<(String, RGBColor, f64)> =
            self.legend.iter().map(|(name, i)| (name.clone(), style::colour(*i), 0.85)).collect();
        if self.bars.iter().any(|(b, _)| b.failed) {
            items.push(("failed job".into(), FAILED, 1.0));
        }
        if !self.down.is_empty() {
            items.push(("node down".into(), SHADE, 0.35));
        }
        let font = (FONT, 14.0 * s).into_font().color(&BLACK);
        let mut x = (100.0 * s) as i32;
        let y = (8.0 * s) as i32;
        for (name, colour, alpha) in items {
            let sw = (14.0 * s) as i32;
            area.draw(&Rectangle::new([(x, y), (x + sw, y + sw)], colour.mix(alpha).filled()))?;
            area.draw(&Text::new(name.clone(), (x + sw + (5.0 * s) as i32, y), font.clone()))?;
            let (w, _) = area.estimate_text_size(&name, &font)?;
            x += sw + (5.0 * s) as i32 + w as i32 + (18.0 * s) as i32;
        }
        Ok(())
    }
}

/// The node axis: row 0 at the top, labels at the middle of each pool.
#[derive(Clone, Debug)]
struct Rows {
    n: f64,
    ticks: Vec<f64>,
}

impl plotters::coord::ranged1d::Ranged for Rows {
    type FormatOption = plotters::coord::ranged1d::DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let f = 1.0 - v / self.n;
        limit.0 + (f * (limit.1 - limit.0) as f64).round() as i32
    }

    fn key_points<H: plotters::coord::ranged1d::KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() { Vec::new() } else { self.ticks.clone() }
    }

    fn range(&self) -> std::ops::Range<f64> {
        0.0..self.n
    }
}

/// `name` split so that `u10` sorts after `u9`.
fn natural(name: &str) -> (String, u64) {
    let digits = name.len() - name.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let (head, tail) = name.split_at(name.len() - digits);
    (head.to_string(), tail.parse().unwrap_or(0))
}

/// Gives every bar its vertical offset (in cores) on its node: the lowest offset where its cores
/// are free during its whole span, in start order (at the bottom when none is; the schedule never
/// holds more cores than a node has, but a contiguous gap may be missing).
fn stack(mut bars: Vec<Bar>, node_cpus: &[u64]) -> Vec<(Bar, u64)> {
    bars.sort_by(|a, b| a.row.cmp(&b.row).then(a.start.total_cmp(&b.start)).then(a.end.total_cmp(&b.end)));
    let mut out: Vec<(Bar, u64)> = Vec::with_capacity(bars.len());
    let mut active: Vec<(f64, u64, u64)> = Vec::new(); // (end, offset, cpu) on the current row
    let mut row = usize::MAX;
    for b in bars {
        if b.row != row {
            row = b.row;
            active.clear();
        }
        active.retain(|&(end, _, _)| end > b.start);
        let cap = node_cpus[b.row];
        let mut taken: Vec<(u64, u64)> = active.iter().map(|&(_, o, c)| (o, o + c)).collect();
        taken.sort_unstable();
        let mut offset = 0;
        for &(a, z) in &taken {
            if offset + b.cpu <= a {
                break;
            }
            offset = offset.max(z);
        }
        if offset + b.cpu > cap {
            offset = cap.saturating_sub(b.cpu);
        }
        active.push((b.end, offset, b.cpu));
        out.push((b, offset));
    }
    out
}

/// Node down periods within `lo..hi`: per node from `events.csv` (`node_fail` … `node_up`) when
/// the run logged events, else the spans of `timeline.csv` when some node was down.
fn down_periods(dir: &Path, lo: f64, hi: f64) -> Result<Vec<(Option<usize>, f64, f64)>> {
    let events = dir.join("events.csv");
    let mut out = Vec::new();
    if events.is_file() {
        let t = Table::read(&events)?;
        let (time_c, event_c, node_c) = (t.require("time")?, t.require("event")?, t.require("node")?);
        let mut since: std::collections::BTreeMap<usize, f64> = Default::default();
        for r in 0..t.rows.len() {
            let (Some(time), Ok(node)) = (t.num(r, time_c), t.text(r, node_c).parse::<usize>()) else { continue };
            match t.text(r, event_c) {
                "node_fail" => {
                    since.entry(node).or_insert(time);
                }
                "node_up" | "node_repair" => {
                    if let Some(from) = since.remove(&node) {
                        out.push((Some(node), from, time));
                    }
                }
                _ => {}
            }
        }
        out.extend(since.into_iter().map(|(node, from)| (Some(node), from, hi)));
    } else if dir.join("timeline.csv").is_file() {
        let tl = Timeline::read(&dir.join("timeline.csv"))?;
        out.extend(tl.down_periods().into_iter().map(|(a, b)| (None, a, b)));
    }
    out.retain(|&(_, a, b)| b > lo && a < hi);
    for p in &mut out {
        p.1 = p.1.max(lo);
        p.2 = p.2.min(hi);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(row: usize, start: f64, end: f64, cpu: u64) -> Bar {
        Bar { job: 0, row, start, end, cpu, colour: 0, failed: false }
    }

    #[test]
    fn bars_stack_on_free_cores_and_reuse_them_once_released() {
        let bars = vec![bar(0, 0.0, 10.0, 4), bar(0, 1.0, 5.0, 2), bar(0, 6.0, 9.0, 2), bar(1, 0.0, 1.0, 8)];
        let offsets: Vec<u64> = stack(bars, &[8, 8]).into_iter().map(|(_, o)| o).collect();
        assert_eq!(offsets, [0, 4, 4, 0]);
    }

    #[test]
    fn names_sort_by_their_number() {
        let mut v = vec!["u10", "u9", "u1"];
        v.sort_by_key(|n| natural(n));
        assert_eq!(v, ["u1", "u9", "u10"]);
    }
}
