//! The SWF reader (Standard Workload Format of the Parallel Workloads Archive): plain or gzip, streamed in
//! blocks of lines, under a selectable convention ("p" as the HUJI/pyss simulators read it, or "plain"), with
//! counted filters (time window, queues, partitions, ...), tiers from queues or partitions, dependencies with
//! think times, load scaling and estimate handling. `[workload] type = "swf"` in a scenario.

use super::lines::MappedBlocks;
use crate::error::{Error, Result, ScenarioError};
use crate::model::time::SECOND;
use crate::model::{Duration, Job, JobIdx, Resources, SkipReport, Time, Workload};
use flate2::read::MultiGzDecoder;
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// Number of whitespace-separated fields on an SWF job line.
pub const FIELDS: usize = 18;

/// How an SWF line becomes a job: results depend on it, so it is always explicit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
pub enum Convention {
    /// The HUJI / pyss reading (the oracle tables' "convention P"): allocated processors clamped to
    /// [1, machine]; run = max(1, min(request, run)); estimate = max(request, run, 1); a job with run ≤ 0,
    /// allocated procs ≤ 0 or submit < 0 becomes a 1 s, max(1, alloc)-processor job submitted at max(submit, 1).
    #[default]
    #[serde(rename = "p")]
    P,
    /// Requested processors (allocated when not given), the full logged run time, the estimate as given
    /// (the run time when the trace has none). Jobs whose processors, run time or submit time are
    /// unknown (−1) cannot be simulated and are skipped (counted).
    #[serde(rename = "plain")]
    Plain,
}

/// How processors map onto the cluster.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Machine {
    /// The machine is one pool of processors: a job is ONE task of `procs` cores, and the default cluster
    /// is a single node of `MaxProcs` cores (how pyss and most PWA simulators see it).
    #[default]
    Pool,
    /// A job is `procs` tasks of one core each, placed on nodes; the default cluster is
    /// `MaxProcs / node_cores` nodes of `node_cores` cores.
    Nodes,
}

/// What to do with a malformed line (too few fields, a non-numeric field).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnBadLine {
    /// Stop with an error naming the file and line.
    #[default]
    Error,
    /// Skip the line and count it as "malformed line".
    Skip,
}

/// Which estimate (walltime request) a job carries into the simulation.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum EstimateMode {
    /// The estimate the convention gives (the user's request).
    #[default]
    User,
    /// The real run time: a perfect estimate.
    Perfect,
    /// `k ×` the run time.
    Factor(f64),
}

impl<'de> Deserialize<'de> for EstimateMode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            I(i64),
            F(f64),
            S(String),
        }
        match Raw::deserialize(d)? {
            Raw::S(s) if s == "user" => Ok(EstimateMode::User),
            Raw::S(s) if s == "perfect" => Ok(EstimateMode::Perfect),
            Raw::S(s) => Err(serde::de::Error::custom(format!(
                "unknown estimate `{s}` (valid: \"user\", \"perfect\", or a number k for k × run time)"
            ))),
            Raw::I(i) => Ok(EstimateMode::Factor(i as f64)),
            Raw::F(f) => Ok(EstimateMode::Factor(f)),
        }
    }
}

/// Everything that says how a trace is read. `Default` is convention P on a single pool of `MaxProcs`.
#[derive(Clone, Debug, PartialEq)]
pub struct SwfOptions {
    pub convention: Convention,
    pub machine: Machine,
    /// Processors of the simulated machine (the clamp of convention P, the `drop_oversized` limit);
    /// `None`: the header's `MaxProcs` (else `MaxNodes`).
    pub machine_procs: Option<u64>,
    pub on_bad_line: OnBadLine,
    /// Keep at most this many jobs (after the other filters); the rest are counted as skipped.
    pub first_jobs: Option<u64>,
    /// Keep jobs submitted at or after this trace time (seconds since `UnixStartTime`).
    pub start: Option<Time>,
    /// Keep jobs submitted before this trace time.
    pub end: Option<Time>,
    /// Skip jobs cancelled before they started (status 5 with run time ≤ 0).
    pub drop_cancelled: bool,
    /// Skip jobs whose logged run time is ≤ 0.
    pub drop_zero_runtime: bool,
    /// Skip jobs asking for more processors than the machine has (instead of clamping / rejecting).
    pub drop_oversized: bool,
    /// Compress inter-arrival times by this factor (> 1 raises the offered load by that factor).
    pub load_scale: f64,
    pub estimate: EstimateMode,
    /// Use the requested memory (field 10, KB per processor) as the jobs' memory request.
    pub memory: bool,
    /// Make a job depend on its preceding job (field 17) when that job is in the workload, and become
    /// eligible its think time (field 18) after that job completes.
    pub dependencies: bool,
    /// Keep only jobs of these queues (field 15; −1 = none given); `None`: all.
    pub queues: Option<Vec<i64>>,
    /// Keep only jobs of these partitions (field 16; −1 = none given); `None`: all.
    pub partitions: Option<Vec<i64>>,
    /// Give jobs the tier of their queue or partition; `None`: every job in tier 0.
    pub tiers: Option<TierMap>,
}

/// Which SWF field a job's tier comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TierFrom {
    /// Field 15, the queue number.
    Queue,
    /// Field 16, the partition number.
    Partition,
}

/// Tiers from queue or partition numbers: `tier_from = "queue"` with `tiers = { "1" = 2, "3" = 1 }`.
/// Numbers not in the table (and jobs without one) are in tier 0.
#[derive(Clone, Debug, PartialEq)]
pub struct TierMap {
    pub from: TierFrom,
    /// Queue or partition number (−1 = none given) → tier.
    pub tiers: BTreeMap<i64, u8>,
}

impl TierMap {
    /// The tier of a job with this queue and partition.
    #[inline]
    pub fn tier_of(&self, queue: Option<u16>, partition: Option<u16>) -> u8 {
        let number = match self.from {
            TierFrom::Queue => queue,
            TierFrom::Partition => partition,
        };
        self.tiers.get(&number.map_or(-1, i64::from)).copied().unwrap_or(0)
    }

    /// Tier names, lowest first, after the numbers in each: `queue 3`, `queue 1+4`; tier 0 also holds
    /// every number not in the table (`other`). A number the header describes (`; Queue: 3 long`)
    /// is shown with it: `queue 3 (long)`.
    pub fn names(&self, header: &SwfHeader) -> Vec<String> {
        let described = match self.from {
            TierFrom::Queue => &header.queue_names,
            TierFrom::Partition => &header.partition_names,
        };
        let number = |k: &i64| match described.get(k) {
            Some(d) => format!("{k} ({d})"),
            None => k.to_string(),
        };
        let noun = match self.from {
            TierFrom::Queue => "queue",
            TierFrom::Partition => "partition",
        };
        let top = self.tiers.values().copied().max().unwrap_or(0);
        (0..=top)
            .map(|t| {
                let numbers: Vec<String> =
                    self.tiers.iter().filter(|&(_, &v)| v == t).map(|(k, _)| number(k)).collect();
                match (numbers.is_empty(), t == 0) {
                    (true, true) => "other".to_string(),
                    (true, false) => format!("tier {t}"),
                    (false, true) => format!("{noun} {}+other", numbers.join("+")),
                    (false, false) => format!("{noun} {}", numbers.join("+")),
                }
            })
            .collect()
    }
}

impl Default for SwfOptions {
    fn default() -> Self {
        SwfOptions {
            convention: Convention::P,
            machine: Machine::Pool,
            machine_procs: None,
            on_bad_line: OnBadLine::Error,
            first_jobs: None,
            start: None,
            end: None,
            drop_cancelled: false,
            drop_zero_runtime: false,
            drop_oversized: false,
            load_scale: 1.0,
            estimate: EstimateMode::User,
            memory: false,
            dependencies: false,
            queues: None,
            partitions: None,
            tiers: None,
        }
    }
}

/// The header keys of an SWF file that the simulator uses, and how many job lines the reader saw.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SwfHeader {
    pub max_procs: Option<u64>,
    pub max_nodes: Option<u64>,
    pub max_runtime: Option<u64>,
    pub max_jobs: Option<u64>,
    pub max_records: Option<u64>,
    pub unix_start_time: Option<i64>,
    pub time_zone_string: Option<String>,
    pub computer: Option<String>,
    pub installation: Option<String>,
    /// `; Queue: N description` lines: queue number → description (`[fque:1]` → `fque:1`).
    pub queue_names: BTreeMap<i64, String>,
    /// `; Partition: N description` lines: partition number → description.
    pub partition_names: BTreeMap<i64, String>,
    /// Job lines read (neither comment nor blank), kept or skipped; 0 from [`read_header`].
    pub job_lines: u64,
}

impl SwfHeader {
    /// The machine's processors: `MaxProcs`, else `MaxNodes`.
    pub fn machine_procs(&self) -> Option<u64> {
        self.max_procs.or(self.max_nodes).filter(|&p| p > 0)
    }

    fn take_comment(&mut self, line: &str) {
        let Some((key, value)) = line.trim_start().trim_start_matches(';').split_once(':') else {
            return;
        };
        let value = value.trim();
        let num = || value.parse::<i64>().ok();
        let unum = || value.parse::<u64>().ok();
        match key.trim() {
            "MaxProcs" => self.max_procs = unum(),
            "MaxNodes" => self.max_nodes = unum(),
            "MaxRuntime" => self.max_runtime = unum(),
            "MaxJobs" => self.max_jobs = unum(),
            "MaxRecords" => self.max_records = unum(),
            "UnixStartTime" => self.unix_start_time = num(),
            "TimeZoneString" => self.time_zone_string = Some(value.to_string()),
            "Computer" => self.computer = Some(value.to_string()),
            "Installation" => self.installation = Some(value.to_string()),
            "Queue" | "Partition" => {
                let (number, description) = value.split_once(char::is_whitespace).unwrap_or((value, ""));
                let description = description.trim().trim_start_matches('[').trim_end_matches(']').trim();
                if let (Ok(n), false) = (number.parse::<i64>(), description.is_empty()) {
                    let names = if key.trim() == "Queue" { &mut self.queue_names } else { &mut self.partition_names };
                    names.insert(n, description.to_string());
                }
            }
            _ => {}
        }
    }
}

/// Opens a trace for streaming: gzip (detected by its magic bytes, whatever the name) or plain text.
pub fn open_trace(path: &Path) -> Result<Box<dyn BufRead + Send>> {
    let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut magic = [0u8; 2];
    let n = read_up_to(&mut file, &mut magic).map_err(|e| Error::io(path, e))?;
    let head = std::io::Cursor::new(magic[..n].to_vec());
    let raw = head.chain(file);
    const BUF: usize = 1 << 16;
    if n == 2 && magic == [0x1f, 0x8b] {
        Ok(Box::new(BufReader::with_capacity(BUF, MultiGzDecoder::new(raw))))
    } else {
        Ok(Box::new(BufReader::with_capacity(BUF, raw)))
    }
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// Reads only the header (the `;` lines before the first job line).
pub fn read_header(path: &Path) -> Result<SwfHeader> {
    let mut reader = open_trace(path)?;
    let mut header = SwfHeader::default();
    let mut buf = Vec::with_capacity(256);
    loop {
        buf.clear();
        let n = reader.read_until(b'\n', &mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        let text = String::from_utf8_lossy(&buf);
        let t = text.trim();
        if t.is_empty() {
            continue;
        }
        if !t.starts_with(';') {
            break;
        }
        header.take_comment(t);
    }
    Ok(header)
}

/// Parses a field that is not a plain integer (a decimal number, `+5`, `1e3`); `None` if not a finite number.
#[cold]
fn parse_number_slow(b: &[u8]) -> Option<f64> {
    std::str::from_utf8(b).ok()?.parse::<f64>().ok().filter(|x| x.is_finite())
}

const LANES_01: u64 = 0x0101_0101_0101_0101;
const LANES_80: u64 = 0x8080_8080_8080_8080;

/// The eight bytes of `text` from `i` (the caller checks `i + 8 <= text.len()`), first byte lowest.
#[inline]
fn load8(text: &[u8], i: usize) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&text[i..i + 8]);
    u64::from_le_bytes(b)
}

/// Bit 7 of each byte of the result is set where that byte of `bad` is not zero.
#[inline]
fn nonzero_bytes(bad: u64) -> u64 {
    (((bad & !LANES_80).wrapping_add(!LANES_80 & (LANES_01 * 0x7f))) | bad) & LANES_80
}

/// How many of the eight bytes of `w` (first byte lowest) lead before one that is not a space (8 if none).
#[inline]
fn first_non_space(w: u64) -> usize {
    (nonzero_bytes(w ^ (LANES_01 * b' ' as u64)).trailing_zeros() / 8) as usize
}

/// How many of the eight bytes of `w` lead before one that is not an ASCII digit (8 if none).
#[inline]
fn first_non_digit(w: u64) -> usize {
    let high = (w & (LANES_01 * 0xf0)) ^ (LANES_01 * 0x30); // not zero unless the byte is 0x3_
    let low = ((w & (LANES_01 * 0x0f)) + LANES_01 * 6) & (LANES_01 * 0x10); // 0x10 where the low nibble ≥ 10
    (nonzero_bytes(high | low).trailing_zeros() / 8) as usize
}

/// The value of the first `k` (1 ≤ k ≤ 8) bytes of `w`, all ASCII digits, read as a decimal number.
#[inline]
fn digits_value(w: u64, k: usize) -> u64 {
    let mask = if k == 8 { u64::MAX } else { (1u64 << (8 * k)) - 1 };
    // digits as values 0..=9, shifted so that the missing leading digits are zeros
    let mut d = (w.wrapping_sub(LANES_01 * b'0' as u64) & mask) << (8 * (8 - k));
    d = (d.wrapping_mul(10).wrapping_add(d >> 8)) & 0x00ff_00ff_00ff_00ff;
    d = (d.wrapping_mul(100).wrapping_add(d >> 16)) & 0x0000_ffff_0000_ffff;
    (d.wrapping_mul(10_000).wrapping_add(d >> 32)) & 0xffff_ffff
}

/// The value of the `len` bytes of `text` at `at` when they are a decimal number `I.F` with at most
/// 8 digits on either side, 15 in all, and at least one after the point (`552.21`, `.5`); `None`
/// otherwise. Exactly what `str::parse::<f64>` gives: the digits as an integer and 10^|F| are exact in
/// an `f64`, and one division of exact numbers is correctly rounded.
#[inline]
fn decimal_value(text: &[u8], at: usize, len: usize) -> Option<f64> {
    const POW10: [f64; 9] = [1.0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8];
    if !(2..=17).contains(&len) || at + len + 8 > text.len() {
        return None;
    }
    let int_word = load8(text, at);
    let int_len = first_non_digit(int_word);
    if int_len >= len - 1 || text[at + int_len] != b'.' {
        return None;
    }
    let frac_len = len - int_len - 1;
    let frac_word = load8(text, at + int_len + 1);
    if frac_len > 8 || first_non_digit(frac_word) < frac_len {
        return None;
    }
    if int_len + frac_len > 15 {
        return None; // the digits might not be exact in an f64
    }
    let int = if int_len == 0 { 0 } else { digits_value(int_word, int_len) };
    let digits = int * 10u64.pow(frac_len as u32) + digits_value(frac_word, frac_len);
    Some(digits as f64 / POW10[frac_len])
}

/// Blank characters inside a line (ASCII whitespace other than the newline).
#[inline]
fn is_blank(c: u8) -> bool {
    c == b' ' || c == b'\t' || c == b'\r' || c == 0x0c
}

/// Index of the first newline of `text` at or after `from`, or its length.
fn line_end(text: &[u8], from: usize) -> usize {
    text[from..].iter().position(|&c| c == b'\n').map_or(text.len(), |p| from + p)
}

/// Splits the job line at the start of `text` (which runs on past the line's end) into its 18 numbers.
/// Returns the index of the line's newline (or the text's length) and whether the line was well formed.
/// (The reader itself uses [`parse_line`] with the masks of a whole block.)
#[cfg(test)]
fn parse_fields(text: &[u8], out: &mut [f64; FIELDS]) -> (usize, std::result::Result<(), String>) {
    let mut masks = Masks::default();
    masks.build(text);
    parse_line(text, &masks, 0, out)
}

/// Splits the job line starting at `start` in `text` into its 18 numbers: from the block's masks when the
/// line is plain (spaces, integers and short decimals), else byte by byte. Returns the index of the
/// line's newline (or the text's length) and whether the line was well formed.
#[inline]
fn parse_line(
    text: &[u8],
    masks: &Masks,
    start: usize,
    out: &mut [f64; FIELDS],
) -> (usize, std::result::Result<(), String>) {
    match parse_fields_by_mask(text, masks, start, out) {
        Some(end) => (end, Ok(())),
        None => {
            let (end, parsed) = parse_fields_bytewise(&text[start..], out);
            (start + end, parsed)
        }
    }
}

/// Packs the flags of `m` (bit 7 of each byte) into 8 bits, byte j's flag in bit j.
#[inline]
fn pack_flags(m: u64) -> u64 {
    ((m >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56
}

/// For the 64 bytes of `text` at `p` (the caller checks `p + 64 <= text.len()`): bit j of `.0` is set
/// where byte j is a space or a newline, of `.1` where it is a newline, and `.2` is true when some
/// other control character (tab, carriage return, ...) is among them.
#[inline]
fn separator_masks(text: &[u8], p: usize) -> (u64, u64, bool) {
    let (mut sep, mut nl, mut ctrl) = (0u64, 0u64, 0u64);
    for w in 0..8 {
        let word = load8(text, p + 8 * w);
        let space = !nonzero_bytes(word ^ (LANES_01 * b' ' as u64)) & LANES_80;
        let newline = !nonzero_bytes(word ^ (LANES_01 * b'\n' as u64)) & LANES_80;
        // 0x80 where the byte is ≤ 0x20 (ASCII control or space)
        let low = !(((word & (LANES_01 * 0x7f)).wrapping_add(LANES_01 * 0x5f)) | word) & LANES_80;
        ctrl |= low & !(space | newline);
        sep |= pack_flags(space | newline) << (8 * w);
        nl |= pack_flags(newline) << (8 * w);
    }
    (sep, nl, ctrl != 0)
}

/// Bit masks of a whole block, computed once, 64 bytes per word: bit j of word w is set where byte
/// 64w + j is a space or a newline (`sep`; every bit past the text too), or a newline (`nl`); `odd[w]`
/// says those 64 bytes hold another control character (a tab, a carriage return, ...).
#[derive(Debug, Default)]
struct Masks {
    sep: Vec<u64>,
    nl: Vec<u64>,
    odd: Vec<bool>,
}

impl Masks {
    fn build(&mut self, text: &[u8]) {
        self.sep.clear();
        self.nl.clear();
        self.odd.clear();
        let full = text.len() / 64;
        for w in 0..full {
            let (sep, nl, odd) = separator_masks(text, 64 * w);
            self.sep.push(sep);
            self.nl.push(nl);
            self.odd.push(odd);
        }
        let tail = &text[64 * full..];
        if !tail.is_empty() {
            let (mut sep, mut nl, mut odd) = (u64::MAX << tail.len(), 0u64, false);
            for (j, &c) in tail.iter().enumerate() {
                sep |= u64::from(c == b' ' || c == b'\n') << j;
                nl |= u64::from(c == b'\n') << j;
                odd |= c < b' ' && c != b'\n';
            }
            self.sep.push(sep);
            self.nl.push(nl);
            self.odd.push(odd);
        }
    }
}

/// The fast path of [`parse_line`]: token boundaries come from the block's masks (computed once per
/// block), a 64-byte word at a time, so that the tokens' values do not wait on one another; each value
/// is read from eight bytes at once. Returns the index of the line's newline for a well-formed line;
/// `None` (the caller then reads the line byte by byte) for anything else: control characters other
/// than spaces, long or non-decimal numbers, a wrong number of fields, the last bytes of the text.
#[inline]
fn parse_fields_by_mask(text: &[u8], masks: &Masks, start: usize, out: &mut [f64; FIELDS]) -> Option<usize> {
    let mut n = 0;
    let mut w = start / 64;
    let mut from = u64::MAX << (start % 64); // the bits of the line in word w
    let mut carry = 0u64; // 1 when a token runs on from the previous word
    loop {
        if masks.odd[w] {
            return None;
        }
        let sep = masks.sep[w];
        let nl = masks.nl[w] & from;
        let line_end = nl.trailing_zeros() as usize; // 64: not in this word
        let within = if line_end == 64 { from } else { from & ((1u64 << line_end) - 1) };
        let tokens = !sep & within;
        let mut starts = tokens & !((tokens << 1) | carry);
        while starts != 0 {
            let s = starts.trailing_zeros() as usize;
            starts &= starts - 1;
            let after = sep >> s; // separators from the token on
            let len = if after != 0 {
                after.trailing_zeros() as usize
            } else {
                // the token runs into the next word
                let next = *masks.sep.get(w + 1)?;
                if next == 0 || masks.odd[w + 1] {
                    return None;
                }
                64 - s + next.trailing_zeros() as usize
            };
            let at = 64 * w + s;
            if n == FIELDS || at + len + 16 > text.len() {
                return None;
            }
            let neg = text[at] == b'-';
            let digits = len - usize::from(neg);
            let word = load8(text, at + usize::from(neg));
            let v = if (1..=8).contains(&digits) && first_non_digit(word) >= digits {
                digits_value(word, digits) as f64
            } else {
                decimal_value(text, at + usize::from(neg), digits)?
            };
            out[n] = if neg { -v } else { v };
            n += 1;
        }
        if line_end < 64 {
            return (n == FIELDS).then_some(64 * w + line_end);
        }
        carry = tokens >> 63;
        w += 1;
        from = u64::MAX;
        if w == masks.sep.len() {
            return None;
        }
    }
}

/// The general path of [`parse_line`], byte by byte (eight at a time where it can).
#[inline]
fn parse_fields_bytewise(text: &[u8], out: &mut [f64; FIELDS]) -> (usize, std::result::Result<(), String>) {
    let len = text.len();
    let mut n = 0;
    let mut i = 0;
    loop {
        // runs of spaces, eight bytes at a time
        while i + 8 <= len {
            let spaces = first_non_space(load8(text, i));
            i += spaces;
            if spaces < 8 {
                break;
            }
        }
        while i < len && is_blank(text[i]) {
            i += 1;
        }
        if i >= len || text[i] == b'\n' {
            break;
        }
        let start = i;
        let neg = text[i] == b'-';
        if neg {
            i += 1;
        }
        // up to 8 digits at once
        if i + 9 <= len {
            let w = load8(text, i);
            let k = first_non_digit(w);
            if (1..=8).contains(&k) && (text[i + k] == b'\n' || is_blank(text[i + k])) {
                let v = digits_value(w, k) as f64;
                i += k;
                if n == FIELDS {
                    return (line_end(text, i), Err(format!("expected {FIELDS} fields, found more")));
                }
                out[n] = if neg { -v } else { v };
                n += 1;
                continue;
            }
        }
        let digits = i;
        let mut v: i64 = 0;
        while i < len && i - digits < 18 {
            let d = text[i].wrapping_sub(b'0');
            if d > 9 {
                break;
            }
            v = v * 10 + d as i64;
            i += 1;
        }
        let value = if i > digits && (i == len || text[i] == b'\n' || is_blank(text[i])) {
            if neg { -v as f64 } else { v as f64 }
        } else {
            while i < len && !text[i].is_ascii_whitespace() {
                i += 1;
            }
            let token = &text[start..i];
            match parse_number_slow(token) {
                Some(x) => x,
                None if n < FIELDS => {
                    let message = format!(
                        "field {} ({}) is not a number: `{}`",
                        n + 1,
                        FIELD_NAMES[n],
                        String::from_utf8_lossy(token)
                    );
                    return (line_end(text, i), Err(message));
                }
                None => f64::NAN,
            }
        };
        if n == FIELDS {
            return (line_end(text, i), Err(format!("expected {FIELDS} fields, found more")));
        }
        out[n] = value;
        n += 1;
    }
    (i, if n < FIELDS { Err(format!("expected {FIELDS} fields, found {n}")) } else { Ok(()) })
}

/// SWF field names, for messages.
pub const FIELD_NAMES: [&str; FIELDS] = [
    "job number",
    "submit time",
    "wait time",
    "run time",
    "allocated processors",
    "average cpu time",
    "used memory",
    "requested processors",
    "requested time",
    "requested memory",
    "status",
    "user",
    "group",
    "executable",
    "queue",
    "partition",
    "preceding job",
    "think time",
];

// Field indices (0-based).
const JOB: usize = 0;
const SUBMIT: usize = 1;
const RUN: usize = 3;
const ALLOC: usize = 4;
const REQ_PROCS: usize = 7;
const REQ_TIME: usize = 8;
const REQ_MEM: usize = 9;
const STATUS: usize = 10;
const USER: usize = 11;
const GROUP: usize = 12;
const QUEUE: usize = 14;
const PARTITION: usize = 15;
const PRECEDING: usize = 16;
const THINK: usize = 17;

/// Seconds (possibly fractional) to simulated time; negative values become 0.
#[inline]
fn to_time(secs: f64) -> Time {
    let micros = secs * SECOND as f64;
    // Rounds half away from zero like `f64::round`, without a call into the maths library: below 2^52
    // the fractional part `micros - whole` is computed exactly.
    if micros <= 0.0 {
        0
    } else if micros < (1u64 << 52) as f64 {
        let whole = micros as Time;
        whole + Time::from(micros - whole as f64 >= 0.5)
    } else {
        micros.round() as Time
    }
}

/// The shape of one job after the convention: (submit, processors, run time, estimate), or why it is skipped.
pub(crate) fn apply_convention(
    f: &[f64; FIELDS],
    convention: Convention,
    machine: Option<u64>,
) -> std::result::Result<(Time, u64, Time, Time), &'static str> {
    let (submit, run, alloc, req_time) = (f[SUBMIT], f[RUN], f[ALLOC], f[REQ_TIME]);
    match convention {
        Convention::P => {
            let machine = machine.unwrap_or(u64::MAX) as f64;
            if run <= 0.0 || alloc <= 0.0 || submit < 0.0 {
                let procs = alloc.max(1.0).min(machine) as u64;
                return Ok((to_time(submit.max(1.0)), procs, SECOND, SECOND));
            }
            let procs = alloc.min(machine).max(1.0) as u64;
            // A missing request (−1) does not cut the run (pyss would turn the job into a 1 s job).
            let (runtime, estimate) = if req_time > 0.0 {
                let runtime = req_time.min(run).max(1.0);
                (runtime, req_time.max(run).max(1.0))
            } else {
                let runtime = run.max(1.0);
                (runtime, runtime)
            };
            Ok((to_time(submit), procs, to_time(runtime), to_time(estimate)))
        }
        Convention::Plain => {
            if submit < 0.0 {
                return Err("submit time unknown (-1)");
            }
            let procs = if f[REQ_PROCS] > 0.0 { f[REQ_PROCS] } else { alloc };
            if procs <= 0.0 {
                return Err("processors unknown (-1)");
            }
            if run < 0.0 {
                return Err("run time unknown (-1)");
            }
            let runtime = to_time(run);
            let estimate = if req_time > 0.0 { to_time(req_time) } else { runtime };
            Ok((to_time(submit), procs as u64, runtime, estimate))
        }
    }
}

/// The processors a job asks for before any clamping (for `drop_oversized`).
fn raw_procs(f: &[f64; FIELDS], convention: Convention) -> f64 {
    match convention {
        Convention::P => f[ALLOC],
        Convention::Plain => {
            if f[REQ_PROCS] > 0.0 {
                f[REQ_PROCS]
            } else {
                f[ALLOC]
            }
        }
    }
}

/// Skip reasons, as they appear in `manifest.json` and `trace stats`.
pub mod reason {
    pub const MALFORMED: &str = "malformed line";
    pub const PARTIAL: &str = "partial-execution record (status 2/3/4)";
    pub const CANCELLED: &str = "cancelled before start (status 5, run time <= 0)";
    pub const ZERO_RUNTIME: &str = "run time <= 0";
    pub const BEFORE_START: &str = "submitted before `start`";
    pub const AFTER_END: &str = "submitted at or after `end`";
    pub const OVERSIZED: &str = "more processors than the machine";
    pub const BEYOND_FIRST: &str = "beyond `first_jobs`";
    pub const QUEUE: &str = "queue not in `queues`";
    pub const PARTITION: &str = "partition not in `partitions`";
}

/// Interns numeric ids (users, groups) to dense indices, named by the number.
#[derive(Default)]
struct NumNames {
    index: BTreeMap<i64, u32>,
    names: Vec<String>,
    /// The last (number, index) looked up: consecutive jobs often share a user.
    last: Option<(i64, u32)>,
}

impl NumNames {
    fn id(&mut self, raw: f64) -> u32 {
        let key = raw as i64;
        if let Some((k, i)) = self.last {
            if k == key {
                return i;
            }
        }
        let i = *self.index.entry(key).or_insert_with(|| {
            self.names.push(key.to_string());
            (self.names.len() - 1) as u32
        });
        self.last = Some((key, i));
        i
    }
}

/// What one line of a block is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum LineKind {
    #[default]
    Blank,
    /// A `;` header line (`start..end` in the block).
    Comment,
    /// A job line, its numbers in `fields`.
    Job,
    /// A job line that is not 18 numbers (its message is the next of `ParsedLines::errors`).
    Malformed,
}

/// One line of a block, classified and (for a job line) split into its numbers.
#[derive(Clone, Debug, Default)]
struct ParsedLine {
    kind: LineKind,
    start: u32,
    end: u32,
    fields: [f64; FIELDS],
}

/// The lines of one block, in order.
#[derive(Debug, Default)]
struct ParsedLines {
    lines: Vec<ParsedLine>,
    /// The messages of the malformed lines, in order.
    errors: Vec<String>,
    /// The block's masks (kept to reuse their memory).
    masks: Masks,
}

/// Classifies every line of a block of whole lines and splits the job lines into their numbers (the
/// stage of the reading pipeline that runs beside decompression and the building of jobs).
fn parse_block(block: &[u8], out: &mut ParsedLines) {
    out.lines.clear();
    out.errors.clear();
    out.masks.build(block);
    let mut at = 0;
    while at < block.len() {
        let rest = &block[at..];
        let mut start = if rest.len() >= 8 { first_non_space(load8(rest, 0)) } else { 0 };
        start += rest[start..].iter().position(|&c| !is_blank(c)).unwrap_or(rest.len() - start);
        // Filled in place: the record is written once.
        out.lines.push(ParsedLine { kind: LineKind::Blank, start: (at + start) as u32, end: 0, fields: [0.0; FIELDS] });
        let line = out.lines.last_mut().expect("just pushed");
        let end = if start == rest.len() {
            rest.len() // trailing blanks without a newline
        } else if rest[start] == b'\n' {
            start
        } else if rest[start] == b';' {
            line.kind = LineKind::Comment;
            line_end(rest, start)
        } else {
            let (end, parsed) = parse_line(block, &out.masks, at + start, &mut line.fields);
            match parsed {
                Ok(()) => line.kind = LineKind::Job,
                Err(message) => {
                    line.kind = LineKind::Malformed;
                    out.errors.push(message);
                }
            }
            end - at
        };
        line.end = (at + end) as u32;
        at += end + 1;
    }
}

/// A queue or partition number (fields 15, 16): `None` when the trace gives none (−1); an error when it
/// is not a whole number from 0 to 65,535.
fn small_number(fields: &[f64; FIELDS], k: usize) -> std::result::Result<Option<u16>, String> {
    let x = fields[k];
    if x < 0.0 {
        Ok(None)
    } else if x <= u16::MAX as f64 && x.fract() == 0.0 {
        Ok(Some(x as u16))
    } else {
        Err(format!("field {} ({}) is not a number from 0 to 65535: {x}", k + 1, FIELD_NAMES[k]))
    }
}

/// Reads a whole trace into a workload (jobs in submit order, ties in file order) and its header.
/// Every line left out is counted in `Workload::skipped` with its reason.
///
/// A pipeline of three threads: one decompresses the file into blocks of whole lines, one splits each
/// block's lines into numbers, and this one applies the filters and the convention and builds the jobs.
pub fn read_swf(path: &Path, opts: &SwfOptions) -> Result<(Workload, SwfHeader)> {
    let mut header = SwfHeader::default();
    let mut skipped = SkipReport::default();
    let mut jobs: Vec<Job> = Vec::new();
    let mut reserved = false;
    // Traces are normally in submit order; then the (stable) sort is skipped.
    let mut in_submit_order = true;
    let mut users = NumNames::default();
    let mut groups = NumNames::default();
    let mut by_number: BTreeMap<u64, JobIdx> = BTreeMap::new();
    let mut line_no: u64 = 0;
    let mut machine: Option<u64> = opts.machine_procs;
    let mut machine_known = opts.machine_procs.is_some();
    let trace_err = |line: u64, message: String| Error::Trace { path: path.to_path_buf(), line, message };
    let mut blocks = MappedBlocks::<ParsedLines>::spawn(open_trace(path)?, parse_block);
    while let Some(next) = blocks.next_block() {
        let (block, parsed) = next.map_err(|e| Error::io(path, e))?;
        let mut errors = parsed.errors.iter();
        for line in &parsed.lines {
            line_no += 1;
            match line.kind {
                LineKind::Blank => continue,
                LineKind::Comment => {
                    header.take_comment(&String::from_utf8_lossy(&block[line.start as usize..line.end as usize]));
                    continue;
                }
                LineKind::Job | LineKind::Malformed => {}
            }
            let malformed = if line.kind == LineKind::Malformed { errors.next() } else { None };
            header.job_lines += 1;
            if !reserved {
                // The header's record count, when given, spares the copies of a growing vector.
                reserved = true;
                let hint = header.max_records.unwrap_or(0).min(opts.first_jobs.unwrap_or(u64::MAX)).min(1 << 24);
                jobs.reserve(hint as usize);
            }
            if !machine_known {
                machine = header.machine_procs();
                machine_known = true;
                if machine.is_none() && opts.convention == Convention::P {
                    return Err(trace_err(
                        line_no,
                        "convention P clamps processors to the machine, but the header has no MaxProcs \
                     (give the cluster's pools in the scenario)"
                            .into(),
                    ));
                }
            }
            if opts.first_jobs.is_some_and(|k| jobs.len() as u64 >= k) {
                skipped.add(reason::BEYOND_FIRST);
                continue;
            }
            let fields = &line.fields;
            let numbers = match malformed {
                Some(message) => Err(message.clone()),
                None => small_number(fields, QUEUE).and_then(|q| Ok((q, small_number(fields, PARTITION)?))),
            };
            let (queue, partition) = match numbers {
                Ok(numbers) => numbers,
                Err(message) => match opts.on_bad_line {
                    OnBadLine::Error => return Err(trace_err(line_no, message)),
                    OnBadLine::Skip => {
                        skipped.add(reason::MALFORMED);
                        continue;
                    }
                },
            };
            let status = fields[STATUS];
            if status == 2.0 || status == 3.0 || status == 4.0 {
                skipped.add(reason::PARTIAL);
                continue;
            }
            if opts.drop_cancelled && status == 5.0 && fields[RUN] <= 0.0 {
                skipped.add(reason::CANCELLED);
                continue;
            }
            if opts.drop_zero_runtime && fields[RUN] <= 0.0 {
                skipped.add(reason::ZERO_RUNTIME);
                continue;
            }
            let submit_raw = to_time(fields[SUBMIT]);
            if opts.start.is_some_and(|s| submit_raw < s) {
                skipped.add(reason::BEFORE_START);
                continue;
            }
            if opts.end.is_some_and(|e| submit_raw >= e) {
                skipped.add(reason::AFTER_END);
                continue;
            }
            if !selected(&opts.queues, queue) {
                skipped.add(reason::QUEUE);
                continue;
            }
            if !selected(&opts.partitions, partition) {
                skipped.add(reason::PARTITION);
                continue;
            }
            if opts.drop_oversized && machine.is_some_and(|m| raw_procs(fields, opts.convention) > m as f64) {
                skipped.add(reason::OVERSIZED);
                continue;
            }
            let (submit, procs, runtime, estimate) = match apply_convention(fields, opts.convention, machine) {
                Ok(shape) => shape,
                Err(why) => {
                    skipped.add(why);
                    continue;
                }
            };
            let (tasks, cpu) = match opts.machine {
                Machine::Pool => (1u32, procs),
                Machine::Nodes => (procs.min(u32::MAX as u64) as u32, 1u64),
            };
            let mem = if opts.memory && fields[REQ_MEM] > 0.0 {
                // KB per processor → MiB per task, rounded up.
                ((fields[REQ_MEM] * cpu as f64) / 1024.0).ceil() as u64
            } else {
                0
            };
            let number = fields[JOB].max(0.0) as u64;
            let index = jobs.len() as JobIdx;
            in_submit_order &= jobs.last().is_none_or(|last| last.submit <= submit);
            // Pushed first and completed in place: the record is written once.
            jobs.push(Job::rigid(number, submit, tasks, Resources::new(cpu, mem, 0), runtime, estimate));
            let job = jobs.last_mut().expect("just pushed");
            job.user = users.id(fields[USER]);
            job.group = groups.id(fields[GROUP]);
            job.queue = queue;
            job.partition = partition;
            if let Some(tiers) = &opts.tiers {
                job.tier = tiers.tier_of(queue, partition);
            }
            if opts.dependencies {
                if fields[PRECEDING] > 0.0 {
                    if let Some(&dep) = by_number.get(&(fields[PRECEDING] as u64)) {
                        job.deps.push(dep);
                        job.dep_delay = to_time(fields[THINK]);
                    }
                }
                by_number.insert(number, index);
            }
        }
        blocks.give_back(block, parsed);
    }
    finish_jobs(&mut jobs, opts);
    let tiers = opts.tiers.as_ref().map_or_else(|| vec!["default".into()], |t| t.names(&header));
    let mut workload = Workload { jobs, users: users.names, groups: groups.names, tiers, skipped };
    if !in_submit_order {
        workload.sort_by_submit();
    }
    Ok((workload, header))
}

/// True when `number` (a queue or partition; `None` = unknown, written −1) is in the list, or there is no list.
fn selected(list: &Option<Vec<i64>>, number: Option<u16>) -> bool {
    list.as_ref().is_none_or(|l| l.contains(&number.map_or(-1, i64::from)))
}

/// Applies the estimate mode and the load scaling to the kept jobs.
fn finish_jobs(jobs: &mut [Job], opts: &SwfOptions) {
    let estimate = |job: &Job| match opts.estimate {
        EstimateMode::User => job.estimate,
        EstimateMode::Perfect => job.runtime,
        EstimateMode::Factor(k) => ((job.runtime as f64 * k).round() as Time).max(1),
    };
    if opts.estimate != EstimateMode::User {
        for job in jobs.iter_mut() {
            job.estimate = estimate(job);
        }
    }
    if opts.load_scale != 1.0 {
        if let Some(t0) = jobs.iter().map(|j| j.submit).min() {
            for job in jobs.iter_mut() {
                job.submit = t0 + ((job.submit - t0) as f64 / opts.load_scale).round() as Time;
            }
        }
    }
}

/// `[workload]` with `type = "swf"`: a trace in the Standard Workload Format.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SwfSpec {
    /// The trace (plain or gzip), relative to the scenario file's folder.
    pub path: PathBuf,
    #[serde(default)]
    pub convention: Convention,
    #[serde(default)]
    pub machine: Machine,
    /// Cores per node of the default cluster with `machine = "nodes"` (default 1).
    pub node_cores: Option<u64>,
    /// Memory per node of the default cluster (needed with `memory = true` and no `[[cluster.pools]]`).
    pub node_memory: Option<crate::scenario::Memory>,
    #[serde(default)]
    pub on_bad_line: OnBadLine,
    pub first_jobs: Option<u64>,
    pub start: Option<Duration>,
    pub end: Option<Duration>,
    #[serde(default)]
    pub drop_cancelled: bool,
    #[serde(default)]
    pub drop_zero_runtime: bool,
    #[serde(default)]
    pub drop_oversized: bool,
    #[serde(default = "one")]
    pub load_scale: f64,
    #[serde(default)]
    pub estimate: EstimateMode,
    #[serde(default)]
    pub memory: bool,
    #[serde(default)]
    pub dependencies: bool,
    /// Keep only the jobs of these queues (field 15; −1: jobs without one).
    pub queues: Option<Vec<i64>>,
    /// Keep only the jobs of these partitions (field 16; −1: jobs without one).
    pub partitions: Option<Vec<i64>>,
    /// The field the jobs' tiers come from, through `tiers`.
    pub tier_from: Option<TierFrom>,
    /// Queue or partition number → tier (0–255), e.g. `{ "1" = 2, "3" = 1 }`; other numbers: tier 0.
    pub tiers: Option<BTreeMap<String, u8>>,
}

fn one() -> f64 {
    1.0
}

impl SwfSpec {
    /// Checks values that TOML types alone cannot; `pools` is the scenario's (completed) cluster.
    pub fn validate(&self, pools: &[crate::scenario::PoolSpec]) -> std::result::Result<(), ScenarioError> {
        let k = |s: &str| format!("workload.{s}");
        if self.memory && pools.iter().all(|p| p.memory.0 == 0) {
            return Err(ScenarioError::invalid(
                k("memory"),
                "jobs will ask for memory but no node has any: set workload.node_memory or the pools' memory",
            ));
        }
        if !(self.load_scale.is_finite() && self.load_scale > 0.0) {
            return Err(ScenarioError::invalid(k("load_scale"), "expected a factor > 0"));
        }
        if let EstimateMode::Factor(f) = self.estimate {
            if !(f.is_finite() && f > 0.0) {
                return Err(ScenarioError::invalid(k("estimate"), "expected a factor > 0"));
            }
        }
        if self.node_cores == Some(0) {
            return Err(ScenarioError::invalid(k("node_cores"), "expected at least 1 core"));
        }
        if self.node_cores.is_some() && self.machine != Machine::Nodes {
            return Err(ScenarioError::invalid(k("node_cores"), "only applies with machine = \"nodes\""));
        }
        if let (Some(s), Some(e)) = (self.start, self.end) {
            if e <= s {
                return Err(ScenarioError::invalid(k("end"), "must be after `start`"));
            }
        }
        for (key, list) in [("queues", &self.queues), ("partitions", &self.partitions)] {
            if list.as_ref().is_some_and(|l| l.is_empty() || l.iter().any(|&n| !(-1..=65_535).contains(&n))) {
                return Err(ScenarioError::invalid(k(key), "expected a non-empty list of numbers from -1 to 65535"));
            }
        }
        self.tier_map()?;
        Ok(())
    }

    /// `tier_from` and `tiers` together, checked.
    fn tier_map(&self) -> std::result::Result<Option<TierMap>, ScenarioError> {
        let (from, table) = match (self.tier_from, &self.tiers) {
            (None, None) => return Ok(None),
            (Some(from), Some(table)) => (from, table),
            (Some(_), None) => {
                return Err(ScenarioError::invalid(
                    "workload.tiers",
                    "tier_from needs a table of numbers to tiers, e.g. tiers = { \"1\" = 2, \"3\" = 1 }",
                ));
            }
            (None, Some(_)) => {
                return Err(ScenarioError::invalid(
                    "workload.tier_from",
                    "tiers needs the field they come from: tier_from = \"queue\" or \"partition\"",
                ));
            }
        };
        let mut tiers = BTreeMap::new();
        for (number, &tier) in table {
            match number.trim().parse::<i64>() {
                Ok(n) if (-1..=65_535).contains(&n) => {
                    tiers.insert(n, tier);
                }
                _ => {
                    return Err(ScenarioError::invalid(
                        format!("workload.tiers.\"{number}\""),
                        "expected a queue or partition number from -1 to 65535",
                    ));
                }
            }
        }
        Ok(Some(TierMap { from, tiers }))
    }

    /// The cluster of the trace's own machine, from its header: one node of `MaxProcs` cores
    /// (`machine = "pool"`), or `MaxProcs / node_cores` nodes of `node_cores` cores (`machine = "nodes"`).
    pub fn default_pool(&self) -> std::result::Result<crate::scenario::PoolSpec, String> {
        let header = read_header(&self.path).map_err(|e| format!("workload.path: {e}"))?;
        let procs = header.machine_procs().ok_or_else(|| {
            format!(
                "workload.path: {} has no MaxProcs (or MaxNodes) header line; give the cluster as [[cluster.pools]]",
                self.path.display()
            )
        })?;
        let (count, cpu) = match self.machine {
            Machine::Pool => (1, procs),
            Machine::Nodes => {
                let cores = self.node_cores.unwrap_or(1).max(1);
                (procs.div_ceil(cores), cores)
            }
        };
        Ok(crate::scenario::PoolSpec {
            name: "trace".into(),
            count: u32::try_from(count).map_err(|_| format!("workload.path: MaxProcs {procs} is too large"))?,
            cpu,
            memory: self.node_memory.unwrap_or_default(),
            gpu: 0,
            racks: 1,
            labels: vec![],
        })
    }

    /// The reader options; `machine_procs` is the simulated machine's processor count.
    pub fn options(&self, machine_procs: Option<u64>) -> SwfOptions {
        SwfOptions {
            convention: self.convention,
            machine: self.machine,
            machine_procs,
            on_bad_line: self.on_bad_line,
            first_jobs: self.first_jobs,
            start: self.start.map(|d| d.micros()),
            end: self.end.map(|d| d.micros()),
            drop_cancelled: self.drop_cancelled,
            drop_zero_runtime: self.drop_zero_runtime,
            drop_oversized: self.drop_oversized,
            load_scale: self.load_scale,
            estimate: self.estimate,
            memory: self.memory,
            dependencies: self.dependencies,
            queues: self.queues.clone(),
            partitions: self.partitions.clone(),
            tiers: self.tier_map().ok().flatten(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(line: &str) -> [f64; FIELDS] {
        let mut f = [0.0; FIELDS];
        parse_fields(line.as_bytes(), &mut f).1.unwrap();
        f
    }

    #[test]
    fn convention_p_cuts_runs_at_the_request_and_clamps_processors() {
        // ran 500 s past a 300 s request on 150 of 100 processors
        let f = fields("1 10 0 800 150 -1 -1 150 300 -1 1 1 1 -1 -1 -1 -1 -1");
        assert_eq!(apply_convention(&f, Convention::P, Some(100)), Ok((10 * SECOND, 100, 300 * SECOND, 800 * SECOND)));
        // plain keeps requested processors and the full run
        assert_eq!(
            apply_convention(&f, Convention::Plain, Some(100)),
            Ok((10 * SECOND, 150, 800 * SECOND, 300 * SECOND))
        );
    }

    #[test]
    fn convention_p_turns_degenerate_jobs_into_one_second_jobs() {
        let zero_run = fields("1 0 0 0 4 -1 -1 4 60 -1 1 1 1 -1 -1 -1 -1 -1");
        assert_eq!(apply_convention(&zero_run, Convention::P, Some(100)), Ok((SECOND, 4, SECOND, SECOND)));
        let no_procs = fields("2 50 0 30 -1 -1 -1 -1 60 -1 1 1 1 -1 -1 -1 -1 -1");
        assert_eq!(apply_convention(&no_procs, Convention::P, Some(100)), Ok((50 * SECOND, 1, SECOND, SECOND)));
        assert_eq!(apply_convention(&no_procs, Convention::Plain, Some(100)), Err("processors unknown (-1)"));
    }

    #[test]
    fn eight_byte_scanning_agrees_with_byte_by_byte() {
        let pad = |t: &str| {
            let mut b = t.as_bytes().to_vec();
            b.resize(8, b' ');
            load8(&b, 0)
        };
        assert_eq!(first_non_space(pad("   12")), 3);
        assert_eq!(first_non_space(pad("        ")), 8);
        assert_eq!(first_non_space(pad("\t")), 0);
        assert_eq!(first_non_digit(pad("1234 ")), 4);
        assert_eq!(first_non_digit(pad("12345678")), 8);
        assert_eq!(first_non_digit(pad("9/:0")), 1); // '/' and ':' sit just outside '0'..='9'
        assert_eq!(first_non_digit(pad("-1")), 0);
        for (text, k) in [("7 ", 1), ("42\n", 2), ("1234567", 7), ("12345678", 8), ("00000109", 8)] {
            assert_eq!(digits_value(pad(text), k), text.trim().parse::<u64>().unwrap(), "{text}");
        }
        let mut rng = crate::rng::stream(1, "swar");
        for _ in 0..10_000 {
            use rand::RngExt;
            let x: u64 = rng.random_range(0..100_000_000);
            let t = x.to_string();
            assert_eq!(digits_value(pad(&t), t.len()), x);
            assert_eq!(first_non_digit(pad(&t)), t.len());
        }
        // a whole line through both paths
        let mut f = [0.0; FIELDS];
        let line = b"  123456789   -1 0 7 12345678 1.5 -1 64 3600 -1 1 5 5 -1 1 1 -1 -1\n   more";
        assert_eq!(parse_fields(line, &mut f), (66, Ok(())));
        assert_eq!(&f[..6], &[123456789.0, -1.0, 0.0, 7.0, 12345678.0, 1.5]);
        assert_eq!(&f[16..], &[-1.0, -1.0]);
    }

    /// The mask path and the byte-by-byte path agree on random lines (spacing, signs, long numbers,
    /// decimals, tabs, wrong field counts, junk), wherever the line sits in the text.
    #[test]
    fn mask_parsing_agrees_with_bytewise_parsing() {
        use rand::RngExt;
        let mut rng = crate::rng::stream(7, "mask");
        let mut fast_taken = 0;
        for case in 0..20_000 {
            let messy = case % 2 == 1; // tabs, long numbers, decimals, junk
            let fields = if case % 10 == 3 { rng.random_range(15..21) } else { FIELDS };
            let mut line = String::new();
            for f in 0..fields {
                let gap = rng.random_range(if f == 0 { 0..6 } else { 1..9 });
                for _ in 0..gap {
                    line.push(if messy && rng.random::<f64>() < 0.02 { '\t' } else { ' ' });
                }
                let token = match rng.random_range(0..20) {
                    0 => "-1".to_string(),
                    1 if messy => format!("{}", rng.random_range(0..u64::MAX / 2)),
                    2 if messy => format!("{:.2}", rng.random::<f64>() * 1000.0),
                    3 if messy && rng.random::<f64>() < 0.1 => "x1".to_string(),
                    4 => format!("-{}", rng.random_range(0..100_000_000u64)),
                    _ => format!("{}", rng.random_range(0..100_000_000u64)),
                };
                line.push_str(&token);
            }
            let trailing = " ".repeat(rng.random_range(0..3));
            // the line starts anywhere in a 64-byte word of the block's masks
            let earlier = format!("{}\n", "5 ".repeat(rng.random_range(0..40)));
            let text = format!("{earlier}{line}{trailing}\n{}", "9 ".repeat(60));
            let text = text.as_bytes();
            let mut masks = Masks::default();
            masks.build(text);
            let at = earlier.len() + line.bytes().take_while(|&c| is_blank(c)).count();
            let (mut a, mut b) = ([0.0; FIELDS], [0.0; FIELDS]);
            let (end, parsed) = parse_fields_bytewise(&text[earlier.len()..], &mut a);
            let slow = (earlier.len() + end, parsed);
            if let Some(fast) = parse_fields_by_mask(text, &masks, at, &mut b) {
                fast_taken += 1;
                assert_eq!((fast, Ok(())), slow, "{line:?}");
                assert_eq!(a, b, "{line:?}");
            }
            let mut c = [0.0; FIELDS];
            assert_eq!(parse_line(text, &masks, at, &mut c), slow);
            if slow.1.is_ok() {
                assert_eq!(a, c);
            }
        }
        assert!(fast_taken > 8_000, "the fast path was taken {fast_taken} times");
        // a token longer than a window
        let long = format!("1 {} 3\n{}", "7".repeat(100), " ".repeat(100));
        let mut f = [0.0; FIELDS];
        assert_eq!(parse_fields(long.as_bytes(), &mut f), (104, Err("expected 18 fields, found 3".into())));
    }

    #[test]
    fn decimals_and_time_rounding_agree_with_the_standard_library() {
        use rand::RngExt;
        let mut rng = crate::rng::stream(3, "decimals");
        let digits = |rng: &mut crate::rng::Rng, k: usize| -> String {
            (0..k).map(|_| char::from(b'0' + rng.random_range(0..10u8))).collect()
        };
        for _ in 0..20_000 {
            let (int_len, frac_len) = (rng.random_range(0..10), rng.random_range(0..10));
            let token = format!("{}.{}", digits(&mut rng, int_len), digits(&mut rng, frac_len));
            let text = format!("{token}{}", " ".repeat(16));
            let fast = decimal_value(text.as_bytes(), 0, token.len());
            let exact = token.parse::<f64>().ok();
            if int_len <= 8 && (1..=8).contains(&frac_len) && int_len + frac_len <= 15 {
                assert_eq!(fast, exact, "{token}");
            } else {
                assert_eq!(fast, None, "{token}");
            }
            if let Some(secs) = exact {
                assert_eq!(to_time(secs), (secs * SECOND as f64).round() as Time, "{token}");
            }
        }
        assert_eq!(to_time(2.5), 2_500_000);
        assert_eq!(to_time(0.0000005), 1); // half a microsecond rounds up
        assert_eq!(to_time(-3.0), 0);
    }

    #[test]
    fn bad_lines_are_described() {
        let mut f = [0.0; FIELDS];
        assert_eq!(parse_fields(b"1 2 3\n4 5", &mut f), (5, Err("expected 18 fields, found 3".into())));
        let (end, e) = parse_fields(b"1 2 3 x 5 6 7 8 9 10 11 12 13 14 15 16 17 18\nnext", &mut f);
        assert_eq!(end, 44);
        let e = e.unwrap_err();
        assert_eq!(e, "field 4 (run time) is not a number: `x`");
        assert!(parse_fields(b"1 2.5 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18", &mut f).1.is_ok());
        assert_eq!(f[1], 2.5);
    }
}
