//! The two chart shapes every report chart is made of — lines over an x axis, and grouped bars with
//! confidence whiskers — and their rendering, once to SVG and once to PNG, with the same drawing code.

use super::style::{self, FONT, SHADE, fmt_short};
use crate::error::{Error, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// How tick labels of an axis read.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Fmt {
    /// `0.75`, `12.5`, `1500`.
    Plain,
    /// `850`, `1.2k`, `15k`.
    Count,
    /// The axis holds log10(seconds); labels read `1 min`, `1 h`, `1 d`.
    LogDuration,
}

impl Fmt {
    fn label(self, v: f64) -> String {
        match self {
            Fmt::Plain => fmt_short(v),
            Fmt::Count => style::fmt_count(v),
            // 10^log10(86400) comes back as 86399.99…: round to the millisecond first.
            Fmt::LogDuration => style::fmt_duration((10f64.powf(v) * 1e3).round() / 1e3),
        }
    }
}

/// One line of a line chart.
#[derive(Clone, Debug)]
pub struct Line {
    pub label: String,
    pub colour: RGBColor,
    pub points: Vec<(f64, f64)>,
    pub dashed: bool,
    /// Draw a dot at every point (for a few measured points, e.g. per load).
    pub markers: bool,
    /// Half-widths of 95% confidence whiskers, one per point (empty: none).
    pub errors: Vec<Option<f64>>,
    /// A light band (x, low, high) behind the line: the range the line's mean summarizes.
    pub band: Vec<(f64, f64, f64)>,
}

impl Line {
    pub fn new(label: impl Into<String>, colour: RGBColor, points: Vec<(f64, f64)>) -> Line {
        Line {
            label: label.into(),
            colour,
            points,
            dashed: false,
            markers: false,
            errors: Vec::new(),
            band: Vec::new(),
        }
    }
}

/// Lines over a shared x axis, with optional shaded x intervals.
#[derive(Clone, Debug)]
pub struct LineChart {
    pub title: String,
    pub x_desc: String,
    pub y_desc: String,
    /// The x range; for `Fmt::LogDuration` in log10(seconds).
    pub x_range: (f64, f64),
    pub x_fmt: Fmt,
    /// Exact x tick positions (e.g. the swept loads, or round durations); `None`: round numbers.
    pub x_ticks: Option<Vec<f64>>,
    /// Upper end of the y axis; `None`: from the data.
    pub y_max: Option<f64>,
    /// Lower end of the y axis; `None`: zero (or, on a log axis, the decade below the data).
    pub y_min: Option<f64>,
    pub y_fmt: Fmt,
    /// A log10 y axis (values must be positive; see [`spans_decades`]).
    pub y_log: bool,
    pub lines: Vec<Line>,
    /// Shaded x intervals (node-down periods) and their legend label.
    pub bands: Vec<(f64, f64)>,
    pub band_label: String,
    /// A note under the title (what was left out, how values were drawn).
    pub note: Option<String>,
}

/// One bar: its group (x position), colour, height and confidence half-width.
#[derive(Clone, Debug)]
pub struct Bar {
    pub group: usize,
    /// Position within the group (the configuration's series index, so bars line up across groups).
    pub slot: usize,
    pub colour: RGBColor,
    pub value: f64,
    pub ci: Option<f64>,
}

/// One panel of bars with its own y axis.
#[derive(Clone, Debug)]
pub struct Panel {
    pub title: String,
    pub y_desc: String,
    pub x_desc: String,
    /// Group names along x; a single empty name means no x labels.
    pub groups: Vec<String>,
    pub bars: Vec<Bar>,
    pub y_fmt: Fmt,
    /// The largest value the quantity can take (100 %, an index of 1): the axis and the whiskers stop there.
    pub y_cap: Option<f64>,
    /// A log10 y axis: bars rise from the decade below the smallest value (see [`spans_decades`]).
    pub y_log: bool,
}

/// Panels of grouped bars side by side, sharing one legend.
#[derive(Clone, Debug)]
pub struct BarChart {
    pub title: String,
    pub panels: Vec<Panel>,
    pub legend: Vec<(String, RGBColor)>,
    pub note: Option<String>,
}

/// A chart of either shape.
#[derive(Clone, Debug)]
pub enum Chart {
    Lines(LineChart),
    Bars(BarChart),
}

impl Chart {
    pub fn title(&self) -> &str {
        match self {
            Chart::Lines(c) => &c.title,
            Chart::Bars(c) => &c.title,
        }
    }

    /// The title with the scenario's name in front (`compare: Tail wait times`), so a figure
    /// copied out of its results directory still says which study it shows.
    pub fn name_scenario(&mut self, scenario: &str) {
        let title = match self {
            Chart::Lines(c) => &mut c.title,
            Chart::Bars(c) => &mut c.title,
        };
        *title = format!("{scenario}: {title}");
    }
}

/// A chart drawn both ways.
pub struct Rendered {
    pub svg: String,
    pub png: Vec<u8>,
}

/// Size of the SVG in CSS pixels; the PNG is drawn at `PNG_SCALE` times that.
pub const WIDTH: u32 = 1000;
pub const HEIGHT: u32 = 560;
pub const PNG_SCALE: f64 = 1.6;

/// Draws `chart` as an SVG document and as a PNG image.
pub fn render(chart: &Chart) -> Result<Rendered> {
    style::register_fonts();
    let fail = |e: String| Error::Other(format!("drawing chart \"{}\": {e}", chart.title()));
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        draw(chart, &root, 1.0, false).map_err(fail)?;
        root.present().map_err(|e| fail(e.to_string()))?;
    }
    let (w, h) = ((WIDTH as f64 * PNG_SCALE) as u32, (HEIGHT as f64 * PNG_SCALE) as u32);
    let mut rgb = vec![0u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
        draw(chart, &root, PNG_SCALE, true).map_err(fail)?;
        root.present().map_err(|e| fail(e.to_string()))?;
    }
    let png = encode_png(&rgb, w, h, chart.title()).map_err(|e| fail(e.to_string()))?;
    Ok(Rendered { svg: titled_svg(svg, chart.title()), png })
}

/// The SVG with a `<title>` element first, so the file names its chart wherever it is copied.
pub(super) fn titled_svg(svg: String, title: &str) -> String {
    let Some(open) = svg.find("<svg").and_then(|at| svg[at..].find('>').map(|end| at + end + 1)) else {
        return svg;
    };
    let esc = title.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    format!("{}\n<title>{esc}</title>{}", &svg[..open], &svg[open..])
}

/// A PNG of `rgb` carrying `title` as its `Title` text chunk (image viewers and `exiftool` show it).
pub(super) fn encode_png(rgb: &[u8], w: u32, h: u32, title: &str) -> std::result::Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::with_capacity(rgb.len() / 8);
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.add_itxt_chunk("Title".to_string(), title.to_string())?;
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Default);
        let mut writer = enc.write_header()?;
        writer.write_image_data(rgb)?;
    }
    Ok(out)
}

type Area<DB> = DrawingArea<DB, Shift>;

/// A linear axis from `lo` to `hi` whose grid lines and labels sit exactly at `ticks`.
#[derive(Clone, Debug)]
struct Ticked {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
}

impl Ranged for Ticked {
    type FormatOption = plotters::coord::ranged1d::DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let f = if self.hi > self.lo { (v - self.lo) / (self.hi - self.lo) } else { 0.5 };
        limit.0 + (f * (limit.1 - limit.0) as f64).round() as i32
    }

    fn key_points<H: plotters::coord::ranged1d::KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() { Vec::new() } else { self.ticks.clone() }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}

fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// Round tick positions covering `lo..hi` (about `target` of them) and the axis end they suggest:
/// `hi` itself when it falls on a tick, else the next tick up (which is then the last tick).
pub fn nice_ticks(lo: f64, hi: f64, target: usize) -> (Vec<f64>, f64) {
    let span = (hi - lo).max(f64::MIN_POSITIVE);
    let raw = span / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step =
        [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * mag).find(|s| span / s <= target as f64).unwrap_or(10.0 * mag);
    let first = (lo / step - 1e-9).ceil();
    let last = (hi / step - 1e-9).ceil();
    // Multiples of the step, computed as k × step (no drift), rounded to the step's precision.
    let digits = (-(step.log10().floor()) as i32 + 1).max(0);
    let round = |x: f64| {
        let p = 10f64.powi(digits);
        (x * p).round() / p
    };
    let ticks: Vec<f64> = (first as i64..=last as i64).map(|k| round(k as f64 * step)).collect();
    let end = ticks.last().copied().unwrap_or(hi).max(hi);
    (ticks, end)
}

/// Legend entries: a label, a colour and what the swatch looks like.
#[derive(Clone, Copy, PartialEq)]
enum Swatch {
    Line { dashed: bool },
    Box,
    Shade,
}

/// Draws the legend in `area` (already sized by `legend_height`), entries packed in centred rows.
fn draw_legend<DB: DrawingBackend>(
    area: &Area<DB>,
    entries: &[(String, RGBColor, Swatch)],
    s: f64,
) -> std::result::Result<(), String> {
    let rows = legend_rows(area, entries, s)?;
    let (w, _) = area.dim_in_pixel();
    let row_h = (26.0 * s) as i32;
    let font = (FONT, 16.0 * s).into_font().color(&BLACK).pos(Pos::new(HPos::Left, VPos::Center));
    for (r, row) in rows.iter().enumerate() {
        let total: i32 = row.iter().map(|(_, width)| width).sum();
        let mut x = (w as i32 - total) / 2;
        let y = (8.0 * s) as i32 + r as i32 * row_h + row_h / 2;
        for &(i, width) in row {
            let (label, colour, swatch) = &entries[i];
            let sw = (28.0 * s) as i32;
            match swatch {
                Swatch::Line { dashed } => {
                    let st = colour.stroke_width((3.0 * s) as u32);
                    if *dashed {
                        for k in 0..3 {
                            let x0 = x + k * sw / 3;
                            area.draw(&PathElement::new(vec![(x0, y), (x0 + sw / 5, y)], st)).map_err(err)?;
                        }
                    } else {
                        area.draw(&PathElement::new(vec![(x, y), (x + sw, y)], st)).map_err(err)?;
                    }
                }
                Swatch::Box => {
                    let h = (8.0 * s) as i32;
                    area.draw(&Rectangle::new([(x + 4, y - h), (x + sw - 4, y + h)], colour.filled())).map_err(err)?;
                }
                Swatch::Shade => {
                    let h = (9.0 * s) as i32;
                    area.draw(&Rectangle::new([(x, y - h), (x + sw, y + h)], colour.mix(0.3).filled())).map_err(err)?;
                }
            }
            area.draw_text(label, &font, (x + sw + (6.0 * s) as i32, y)).map_err(err)?;
            x += width;
        }
    }
    Ok(())
}

/// Packs legend entries into rows no wider than the area: (entry index, width) per row.
fn legend_rows<DB: DrawingBackend>(
    area: &Area<DB>,
    entries: &[(String, RGBColor, Swatch)],
    s: f64,
) -> std::result::Result<Vec<Vec<(usize, i32)>>, String> {
    let font: TextStyle = (FONT, 16.0 * s).into_font().into();
    let (w, _) = area.dim_in_pixel();
    let max_w = w as i32 - (40.0 * s) as i32;
    let mut rows: Vec<Vec<(usize, i32)>> = Vec::new();
    let mut used = 0;
    for (i, (label, _, _)) in entries.iter().enumerate() {
        let (tw, _) = area.estimate_text_size(label, &font).map_err(err)?;
        let width = (28.0 * s) as i32 + (6.0 * s) as i32 + tw as i32 + (26.0 * s) as i32;
        if rows.is_empty() || used + width > max_w {
            rows.push(Vec::new());
            used = 0;
        }
        rows.last_mut().expect("pushed above").push((i, width));
        used += width;
    }
    Ok(rows)
}

fn legend_height<DB: DrawingBackend>(
    area: &Area<DB>,
    entries: &[(String, RGBColor, Swatch)],
    s: f64,
) -> std::result::Result<u32, String> {
    if entries.is_empty() {
        return Ok(0);
    }
    let rows = legend_rows(area, entries, s)?.len() as f64;
    Ok((rows * 26.0 * s + 14.0 * s) as u32)
}

/// Title (and note) on top, legend at the bottom; returns the area left for the plot.
fn frame<DB: DrawingBackend>(
    root: &Area<DB>,
    title: &str,
    note: Option<&str>,
    legend: &[(String, RGBColor, Swatch)],
    s: f64,
) -> std::result::Result<Area<DB>, String> {
    root.fill(&WHITE).map_err(err)?;
    let top = (10.0 * s) as i32;
    let mut area = root
        .margin(top, 0, 0, 0)
        .titled(title, (FONT, 24.0 * s, FontStyle::Bold).into_font().color(&BLACK))
        .map_err(err)?;
    if let Some(note) = note {
        area = area.titled(note, (FONT, 15.0 * s).into_font().color(&RGBColor(0x55, 0x55, 0x55))).map_err(err)?;
    }
    let lh = legend_height(&area, legend, s)?;
    let (_, h) = area.dim_in_pixel();
    let (plot, legend_area) = area.split_vertically(h.saturating_sub(lh));
    draw_legend(&legend_area, legend, s)?;
    Ok(plot)
}

/// Draws `chart` at scale `s`. With `segmented`, thick lines are drawn one segment at a time:
/// the bitmap rasterizer turns a whole thick polyline into one polygon, which a dense zigzag
/// (a downsampled timeline) folds into spikes across the image; separate segments cannot fold.
fn draw<DB: DrawingBackend>(
    chart: &Chart,
    root: &Area<DB>,
    s: f64,
    segmented: bool,
) -> std::result::Result<(), String> {
    match chart {
        Chart::Lines(c) => draw_lines(c, root, s, segmented),
        Chart::Bars(c) => draw_bars(c, root, s),
    }
}

/// The grid, axes and fonts every chart shares, at scale `s`.
fn house_mesh<'m, 'a, 'b, X, Y, DB>(
    mesh: &'m mut plotters::chart::MeshStyle<'a, 'b, X, Y, DB>,
    s: f64,
) -> &'m mut plotters::chart::MeshStyle<'a, 'b, X, Y, DB>
where
    X: plotters::coord::ranged1d::Ranged<ValueType: std::fmt::Debug>,
    Y: plotters::coord::ranged1d::Ranged<ValueType: std::fmt::Debug>,
    DB: DrawingBackend,
{
    mesh.bold_line_style(RGBColor(0xE4, 0xE4, 0xE4).stroke_width(s.round() as u32))
        .axis_style(RGBColor(0x44, 0x44, 0x44).stroke_width(s.round() as u32))
        .label_style(axis_font(s))
        .axis_desc_style(desc_font(s))
}

fn axis_font(s: f64) -> TextStyle<'static> {
    (FONT, 15.0 * s).into_font().color(&BLACK)
}

fn desc_font(s: f64) -> TextStyle<'static> {
    (FONT, 17.0 * s).into_font().color(&BLACK)
}

/// True when positive `values` span two decades or more (the largest at least 100 times the
/// smallest): on a linear axis the small ones would be flattened to nothing. False when any is zero or
/// negative, as a log axis has no zero.
pub fn spans_decades(values: &[f64]) -> bool {
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(0.0, f64::max);
    !values.is_empty() && lo > 0.0 && hi >= 100.0 * lo
}

/// A log10 axis covering `lo..=hi` (both positive): its ends in log10 (from the decade at or below
/// `lo`, a little above `hi`) and ticks at 1, 2 and 5 of each decade (the decades alone past three).
fn log_axis(lo: f64, hi: f64) -> (Vec<f64>, f64, f64) {
    let bottom = lo.log10().floor();
    let top = (hi * 1.3).log10().max(bottom + 1.0);
    let steps: &[f64] = if top - bottom > 3.0 { &[1.0] } else { &[1.0, 2.0, 5.0] };
    let ticks = (bottom as i32..=top.ceil() as i32)
        .flat_map(|d| steps.iter().map(move |m| (m * 10f64.powi(d)).log10()))
        .filter(|&t| t <= top + 1e-9)
        .collect();
    (ticks, bottom, top)
}

/// Where a value sits on the y axis: itself, or on a log axis its log10 (values below the axis
/// floor at the floor).
#[derive(Clone, Copy)]
struct YMap {
    log: bool,
    floor: f64,
}

impl YMap {
    fn at(self, v: f64) -> f64 {
        if self.log { v.max(self.floor).log10() } else { v }
    }
}

/// The y axis of a chart whose values reach `lo..=hi`: ticks, ends and the map onto it.
fn y_axis(log: bool, lo: f64, hi: f64, y_min: Option<f64>, y_max: Option<f64>) -> (Vec<f64>, f64, f64, YMap) {
    if log {
        let (ticks, bottom, top) = log_axis(lo.max(f64::MIN_POSITIVE), hi.max(lo * 10.0));
        return (ticks, bottom, top, YMap { log: true, floor: 10f64.powf(bottom) });
    }
    let base = y_min.unwrap_or(0.0);
    let (ticks, end) = match y_max {
        Some(m) => (nice_ticks(base, m, 5).0, m),
        None => nice_ticks(base, if hi > base { base + (hi - base) * 1.04 } else { base + 1.0 }, 5),
    };
    (ticks, base, end, YMap { log: false, floor: 0.0 })
}

/// Lines drawn exactly over an earlier one (same points, same whiskers) are not drawn; the earlier
/// line's legend entry names them all (`active_standby = primary_replica`). Returns each line's
/// legend label and whether it is drawn.
fn merge_coinciding(lines: &[Line]) -> Vec<(String, bool)> {
    let mut out: Vec<(String, bool)> = lines.iter().map(|l| (l.label.clone(), true)).collect();
    for i in 0..lines.len() {
        if !out[i].1 || lines[i].points.is_empty() || lines[i].label.is_empty() {
            continue;
        }
        for j in i + 1..lines.len() {
            let (a, b) = (&lines[i], &lines[j]);
            if out[j].1 && !b.label.is_empty() && a.points == b.points && a.errors == b.errors && a.band == b.band {
                out[j].1 = false;
                // A long pair names the later ones by policy alone, so the entry fits one legend row.
                let full = format!("{} = {}", out[i].0, b.label);
                out[i].0 =
                    if full.chars().count() > 90 { format!("{} = {}", out[i].0, short_label(&b.label)) } else { full };
            }
        }
    }
    out
}

/// `primary_replica(detection_timeout=10s,…)` → `primary_replica`.
fn short_label(label: &str) -> &str {
    label.split('(').next().unwrap_or(label)
}

fn draw_lines<DB: DrawingBackend>(
    c: &LineChart,
    root: &Area<DB>,
    s: f64,
    segmented: bool,
) -> std::result::Result<(), String> {
    let merged = merge_coinciding(&c.lines);
    let mut legend: Vec<(String, RGBColor, Swatch)> = c
        .lines
        .iter()
        .zip(&merged)
        .filter(|(l, (label, drawn))| *drawn && !l.label.is_empty() && !label.is_empty())
        .map(|(l, (label, _))| (label.clone(), l.colour, Swatch::Line { dashed: l.dashed }))
        .collect();
    if !c.bands.is_empty() {
        legend.push((c.band_label.clone(), SHADE, Swatch::Shade));
    }
    let plot = frame(root, &c.title, c.note.as_deref(), &legend, s)?;
    let (x0, mut x1) = c.x_range;
    if x1 <= x0 {
        x1 = x0 + 1.0;
    }
    let data_max = c
        .lines
        .iter()
        .flat_map(|l| l.points.iter().enumerate().map(|(i, p)| p.1 + l.errors.get(i).copied().flatten().unwrap_or(0.0)))
        .fold(0.0, f64::max);
    let data_min = c.lines.iter().flat_map(|l| l.points.iter().map(|p| p.1)).fold(f64::INFINITY, f64::min);
    let (y_ticks, y0, y1, ym) = y_axis(c.y_log, data_min, data_max, c.y_min, c.y_max);
    let x_ticks = match &c.x_ticks {
        Some(t) => t.clone(),
        None => nice_ticks(x0, x1, 8).0,
    };
    let mut chart = ChartBuilder::on(&plot)
        .margin_left((10.0 * s) as u32)
        .margin_right((30.0 * s) as u32)
        .margin_top((14.0 * s) as u32)
        .x_label_area_size((52.0 * s) as u32)
        .y_label_area_size((78.0 * s) as u32)
        .build_cartesian_2d(Ticked { lo: x0, hi: x1, ticks: x_ticks }, Ticked { lo: y0, hi: y1, ticks: y_ticks })
        .map_err(err)?;
    let (xf, yf) = (c.x_fmt, c.y_fmt);
    let x_label = move |v: &f64| xf.label(*v);
    let y_label = move |v: &f64| if ym.log { yf.label(10f64.powf(*v)) } else { yf.label(*v) };
    let mut mesh = chart.configure_mesh();
    mesh.x_desc(c.x_desc.as_str()).y_desc(c.y_desc.as_str()).x_label_formatter(&x_label).y_label_formatter(&y_label);
    house_mesh(&mut mesh, s).draw().map_err(err)?;
    for &(a, b) in &c.bands {
        chart.draw_series(std::iter::once(Rectangle::new([(a, y0), (b, y1)], SHADE.mix(0.3).filled()))).map_err(err)?;
    }
    let drawn: Vec<&Line> = c.lines.iter().zip(&merged).filter(|(_, (_, d))| *d).map(|(l, _)| l).collect();
    for l in drawn.iter().filter(|l| l.band.len() > 1) {
        let outline: Vec<(f64, f64)> = l
            .band
            .iter()
            .map(|&(x, _, hi)| (x, ym.at(hi)))
            .chain(l.band.iter().rev().map(|&(x, lo, _)| (x, ym.at(lo))))
            .collect();
        chart.draw_series(std::iter::once(Polygon::new(outline, l.colour.mix(0.22).filled()))).map_err(err)?;
    }
    let width = (2.5 * s).round() as u32;
    for l in drawn {
        let st = l.colour.stroke_width(width);
        let points: Vec<(f64, f64)> = l.points.iter().map(|&(x, y)| (x, ym.at(y))).collect();
        if l.dashed {
            let (size, gap) = ((9.0 * s) as i32, (6.0 * s) as i32);
            chart.draw_series(DashedLineSeries::new(points.iter().copied(), size, gap, st)).map_err(err)?;
        } else if segmented {
            chart.draw_series(points.windows(2).map(|w| PathElement::new(vec![w[0], w[1]], st))).map_err(err)?;
            if points.len() <= 400 {
                // Round joins where segments meet at a visible angle.
                let r = (width / 2).max(1) as i32;
                chart.draw_series(points.iter().map(|&p| Circle::new(p, r, l.colour.filled()))).map_err(err)?;
            }
        } else {
            chart.draw_series(LineSeries::new(points.iter().copied(), st)).map_err(err)?;
        }
        if l.markers {
            let r = (4.5 * s) as i32;
            chart.draw_series(points.iter().map(|&p| Circle::new(p, r, l.colour.filled()))).map_err(err)?;
        }
        let cap = (x1 - x0) * 0.008;
        let floor = if ym.log { ym.floor } else { y0 };
        for (i, &(x, y)) in l.points.iter().enumerate() {
            if let Some(Some(e)) = l.errors.get(i).filter(|e| e.is_some_and(|e| e > 0.0)) {
                let (lo, hi) = (ym.at((y - e).max(floor)), ym.at(y + e).min(y1));
                let st = l.colour.stroke_width((1.5 * s).round() as u32);
                chart
                    .draw_series([
                        PathElement::new(vec![(x, lo), (x, hi)], st),
                        PathElement::new(vec![(x - cap, lo), (x + cap, lo)], st),
                        PathElement::new(vec![(x - cap, hi), (x + cap, hi)], st),
                    ])
                    .map_err(err)?;
            }
        }
    }
    if c.lines.iter().all(|l| l.points.is_empty()) {
        let font = (FONT, 18.0 * s).into_font().color(&SHADE).pos(Pos::new(HPos::Center, VPos::Center));
        let (w, h) = plot.dim_in_pixel();
        plot.draw_text("no data", &font, (w as i32 / 2, h as i32 / 2)).map_err(err)?;
    }
    Ok(())
}

fn draw_bars<DB: DrawingBackend>(c: &BarChart, root: &Area<DB>, s: f64) -> std::result::Result<(), String> {
    let legend: Vec<(String, RGBColor, Swatch)> =
        c.legend.iter().map(|(l, col)| (l.clone(), *col, Swatch::Box)).collect();
    let plot = frame(root, &c.title, c.note.as_deref(), &legend, s)?;
    let panels = plot.split_evenly((1, c.panels.len().max(1)));
    for (panel, area) in c.panels.iter().zip(&panels) {
        draw_panel(panel, area, s)?;
    }
    Ok(())
}

fn draw_panel<DB: DrawingBackend>(p: &Panel, area: &Area<DB>, s: f64) -> std::result::Result<(), String> {
    let area = if p.title.is_empty() {
        area.clone()
    } else {
        area.titled(&p.title, (FONT, 18.0 * s).into_font().color(&BLACK)).map_err(err)?
    };
    let groups = p.groups.len().max(1);
    let slots_per_group = (0..groups).map(|g| p.bars.iter().filter(|b| b.group == g).count()).max().unwrap_or(1).max(1);
    let cap = p.y_cap.unwrap_or(f64::INFINITY);
    let top = p.bars.iter().map(|b| (b.value + b.ci.unwrap_or(0.0)).min(cap)).fold(0.0, f64::max);
    let (y_ticks, y0, y1, ym) = if p.y_log {
        let lo = p.bars.iter().map(|b| b.value).filter(|v| *v > 0.0).fold(f64::INFINITY, f64::min);
        y_axis(true, if lo.is_finite() { lo } else { 1.0 }, top, None, None)
    } else {
        let (ticks, end) = nice_ticks(0.0, if top > 0.0 { (top * 1.08).min(cap) } else { p.y_cap.unwrap_or(1.0) }, 5);
        (ticks, 0.0, end, YMap { log: false, floor: 0.0 })
    };
    let labelled = !(p.groups.len() == 1 && p.groups[0].is_empty());
    let x_ticks: Vec<f64> = if labelled { (0..groups).map(|g| g as f64 + 0.5).collect() } else { vec![] };
    let mut chart = ChartBuilder::on(&area)
        .margin_left((10.0 * s) as u32)
        .margin_right((20.0 * s) as u32)
        .margin_top((10.0 * s) as u32)
        .x_label_area_size(if labelled || !p.x_desc.is_empty() { (52.0 * s) as u32 } else { (12.0 * s) as u32 })
        .y_label_area_size((78.0 * s) as u32)
        .build_cartesian_2d(
            Ticked { lo: 0.0, hi: groups as f64, ticks: x_ticks },
            Ticked { lo: y0, hi: y1, ticks: y_ticks },
        )
        .map_err(err)?;
    let names = p.groups.clone();
    let x_label = move |v: &f64| names.get(v.floor() as usize).cloned().unwrap_or_default();
    let yf = p.y_fmt;
    let y_label = move |v: &f64| if ym.log { yf.label(10f64.powf(*v)) } else { yf.label(*v) };
    let mut mesh = chart.configure_mesh();
    mesh.disable_x_mesh()
        .x_desc(p.x_desc.as_str())
        .y_desc(p.y_desc.as_str())
        .x_label_formatter(&x_label)
        .y_label_formatter(&y_label);
    house_mesh(&mut mesh, s).draw().map_err(err)?;
    let slot_w = 0.8 / slots_per_group as f64;
    // Value labels would collide with whiskers: with intervals the table gives the numbers.
    let whiskers = p.bars.iter().any(|b| b.ci.is_some_and(|e| e > 0.0));
    let value_font =
        (FONT, 13.0 * s).into_font().color(&RGBColor(0x33, 0x33, 0x33)).pos(Pos::new(HPos::Center, VPos::Bottom));
    for g in 0..groups {
        let mut in_group: Vec<&Bar> = p.bars.iter().filter(|b| b.group == g).collect();
        in_group.sort_by_key(|b| b.slot);
        let start = g as f64 + 0.5 - slot_w * in_group.len() as f64 / 2.0;
        for (j, b) in in_group.iter().enumerate() {
            let (xa, xb) = (start + j as f64 * slot_w + slot_w * 0.06, start + (j + 1) as f64 * slot_w - slot_w * 0.06);
            let xc = (xa + xb) / 2.0;
            chart
                .draw_series(std::iter::once(Rectangle::new([(xa, y0), (xb, ym.at(b.value))], b.colour.filled())))
                .map_err(err)?;
            if let Some(e) = b.ci.filter(|e| *e > 0.0) {
                let (lo, hi) = (ym.at((b.value - e).max(ym.floor)), ym.at((b.value + e).min(cap)));
                let cap_w = slot_w * 0.18;
                let st = BLACK.stroke_width((1.6 * s).round() as u32);
                chart
                    .draw_series([
                        PathElement::new(vec![(xc, lo), (xc, hi)], st),
                        PathElement::new(vec![(xc - cap_w, hi), (xc + cap_w, hi)], st),
                    ])
                    .map_err(err)?;
                if lo > y0 {
                    chart.draw_series([PathElement::new(vec![(xc - cap_w, lo), (xc + cap_w, lo)], st)]).map_err(err)?;
                }
            }
            if !whiskers && slots_per_group * groups <= 24 {
                let text = p.y_fmt.label(b.value);
                chart
                    .draw_series(std::iter::once(
                        EmptyElement::at((xc, ym.at(b.value)))
                            + Text::new(text, (0, -(4.0 * s) as i32), value_font.clone()),
                    ))
                    .map_err(err)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        assert_eq!(nice_ticks(0.0, 100.0, 5), (vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0], 100.0));
        assert_eq!(nice_ticks(0.0, 0.93, 5), (vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0], 1.0));
        // The axis ends on a labelled tick above the data.
        assert_eq!(nice_ticks(0.0, 3.47, 5), (vec![0.0, 1.0, 2.0, 3.0, 4.0], 4.0));
        assert_eq!(nice_ticks(0.0, 131.0, 5), (vec![0.0, 50.0, 100.0, 150.0], 150.0));
    }

    #[test]
    fn a_log_axis_starts_at_the_decade_below_and_ticks_one_two_five() {
        assert!(spans_decades(&[1.2, 470.0]));
        assert!(!spans_decades(&[2.0, 150.0]), "under two decades stays linear");
        assert!(!spans_decades(&[0.0, 470.0]), "a zero has no place on a log axis");
        let (ticks, bottom, top) = log_axis(1.2, 470.0);
        assert_eq!(bottom, 0.0);
        assert!((top - (470.0f64 * 1.3).log10()).abs() < 1e-12);
        let labels: Vec<String> = ticks.iter().map(|t| Fmt::Plain.label(10f64.powf(*t))).collect();
        assert_eq!(labels, ["1", "2", "5", "10", "20", "50", "100", "200", "500"]);
        // Past three decades only the decades are labelled.
        let (ticks, bottom, _) = log_axis(0.003, 20.0);
        assert_eq!(bottom, -3.0);
        assert_eq!(ticks.len(), 5);
        let ym = YMap { log: true, floor: 1.0 };
        assert_eq!(ym.at(100.0), 2.0);
        assert_eq!(ym.at(0.0), 0.0, "below the floor: at the floor");
    }

    #[test]
    fn coinciding_lines_are_drawn_once_and_named_together() {
        let pts = vec![(0.0, 1.0), (1.0, 2.0)];
        let lines = vec![
            Line::new("none", BLACK, vec![(0.0, 5.0), (1.0, 6.0)]),
            Line::new("active_standby", BLUE, pts.clone()),
            Line::new("primary_replica(election_delay=5s)", RED, pts.clone()),
            Line::new("hybrid", GREEN, pts),
        ];
        let merged = merge_coinciding(&lines);
        assert_eq!(merged[0], ("none".to_string(), true));
        assert_eq!(merged[1], ("active_standby = primary_replica(election_delay=5s) = hybrid".to_string(), true));
        assert!(!merged[2].1 && !merged[3].1, "the later copies are not drawn");
        // A pair too long for one legend row names the later ones by policy alone.
        let long = "x".repeat(88);
        let lines = vec![Line::new(long.clone(), BLUE, vec![(0.0, 1.0)]), Line::new("p(a=1)", RED, vec![(0.0, 1.0)])];
        assert_eq!(merge_coinciding(&lines)[0].0, format!("{long} = p"));
    }

    #[test]
    fn log_duration_ticks_read_as_round_durations() {
        let labels: Vec<String> =
            style::duration_ticks(1.0, 30.0 * 86400.0).into_iter().map(|t| Fmt::LogDuration.label(t.log10())).collect();
        assert_eq!(labels, ["1 s", "10 s", "1 min", "10 min", "1 h", "6 h", "1 d", "1 w", "30 d"]);
    }
}
