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
    /// How to give the machine's size when the header has none, for the error message (default: the
    /// scenario's pools; `trace stats` says `--procs N`).
    pub machine_hint: &'static str,
}

/// [`SwfOptions::machine_hint`] for a scenario.
pub const HINT_POOLS: &str = "give the cluster's pools in the scenario";

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
            machine_hint: HINT_POOLS,
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
    /// A `MaxProcs` line whose value is not a number ≥ 1: (its line, the value).
    pub bad_max_procs: Option<(u64, String)>,
    /// A `MaxNodes` line whose value is not a number ≥ 1: (its line, the value).
    pub bad_max_nodes: Option<(u64, String)>,
    /// Jobs a cleaned log says its filters removed (the sum of its `(N jobs removed)` comments): the
    /// archive's cleaned versions keep the original log's `MaxRecords`.
    pub removed_by_cleaning: u64,
}

impl SwfHeader {
    /// The machine's processors: `MaxProcs`, else `MaxNodes`.
    pub fn machine_procs(&self) -> Option<u64> {
        self.max_procs.or(self.max_nodes).filter(|&p| p > 0)
    }

    /// The machine's processors as the header gives them (`MaxProcs`, else `MaxNodes`), or, when the
    /// line that would give them has a value that is not a number ≥ 1, that line and a message naming it.
    pub fn machine(&self) -> std::result::Result<Option<u64>, (u64, String)> {
        let bad = |key: &str, (line, value): &(u64, String)| {
            (*line, format!("header line `{key}: {value}`: expected a number of processors >= 1"))
        };
        match (self.max_procs, &self.bad_max_procs, self.max_nodes, &self.bad_max_nodes) {
            (Some(p), _, _, _) => Ok(Some(p)),
            (None, Some(b), _, _) => Err(bad("MaxProcs", b)),
            (None, None, Some(n), _) => Ok(Some(n)),
            (None, None, None, Some(b)) => Err(bad("MaxNodes", b)),
            (None, None, None, None) => Ok(None),
        }
    }

    /// A note when the header's record count (`MaxRecords`, else `MaxJobs`) does not match the job
    /// lines read: the file was cut or edited. Job lines are counted whatever the filters keep. With
    /// only `MaxJobs`, more lines than jobs is normal (a job's partial-execution records).
    /// A cleaned log (HPC2N's removes 324,495 of 527,371 records) matches when its records less the
    /// jobs its filters removed are the lines read.
    pub fn count_note(&self) -> Option<String> {
        let lines = self.job_lines;
        let removed = self.removed_by_cleaning;
        match (self.max_records, self.max_jobs) {
            (Some(r), _) if r != lines && r.checked_sub(removed) != Some(lines) => Some(if removed > 0 {
                format!(
                    "header says MaxRecords {r}, less {removed} jobs removed by its cleaning filters, but the file \
                     has {lines} job lines (truncated or edited?)"
                )
            } else {
                format!("header says MaxRecords {r} but the file has {lines} job lines (truncated or edited?)")
            }),
            (None, Some(j)) if lines < j => {
                Some(format!("header says MaxJobs {j} but the file has {lines} job lines (truncated or edited?)"))
            }
            _ => None,
        }
    }

    /// Reads one `;` header line, line `line_no` of the file.
    fn take_comment(&mut self, line: &str, line_no: u64) {
        if let Some((before, _)) = line.split_once(" jobs removed)")
            && let Some((_, count)) = before.rsplit_once('(')
            && let Ok(n) = count.trim().parse::<u64>()
        {
            self.removed_by_cleaning += n;
        }
        let Some((key, value)) = line.trim_start().trim_start_matches(';').split_once(':') else {
            return;
        };
        let value = value.trim();
        let num = || value.parse::<i64>().ok();
        let unum = || value.parse::<u64>().ok();
        let machine = |max: &mut Option<u64>, bad: &mut Option<(u64, String)>| match unum() {
            Some(p) if p > 0 => (*max, *bad) = (Some(p), None),
            _ => (*max, *bad) = (None, Some((line_no, value.to_string()))),
        };
        match key.trim() {
            "MaxProcs" => machine(&mut self.max_procs, &mut self.bad_max_procs),
            "MaxNodes" => machine(&mut self.max_nodes, &mut self.bad_max_nodes),
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
    let mut line_no = 0;
    loop {
        buf.clear();
        let n = reader.read_until(b'\n', &mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        line_no += 1;
        let text = String::from_utf8_lossy(&buf);
        let t = text.trim();
        if t.is_empty() {
            continue;
        }
        if !t.starts_with(';') {
            break;
        }
        header.take_comment(t, line_no);
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

/// The character classes of 64 bytes of a block, one bit per byte (bit j: byte j of the word).
#[derive(Clone, Copy, Debug, Default)]
struct Word {
    /// Spaces and newlines (and every bit past the end of the text).
    sep: u64,
    /// Newlines.
    nl: u64,
    /// Minus signs.
    minus: u64,
    /// Decimal points.
    dot: u64,
    /// Every other byte that is not a digit: tabs, carriage returns, letters, `+`, ...
    other: u64,
}

impl Word {
    /// Classifies up to 64 bytes (the bits past `chunk.len()` are separators).
    #[inline]
    fn of(chunk: &[u8]) -> Word {
        let mut m = Word { sep: if chunk.len() < 64 { u64::MAX << chunk.len() } else { 0 }, ..Word::default() };
        for (j, &c) in chunk.iter().enumerate() {
            let (space, newline, minus, dot) = (c == b' ', c == b'\n', c == b'-', c == b'.');
            let digit = c.wrapping_sub(b'0') < 10;
            m.sep |= u64::from(space | newline) << j;
            m.nl |= u64::from(newline) << j;
            m.minus |= u64::from(minus) << j;
            m.dot |= u64::from(dot) << j;
            m.other |= u64::from(!(digit | space | newline | minus | dot)) << j;
        }
        m
    }
}

/// The classes of a whole block, computed once, a [`Word`] per 64 bytes.
#[derive(Debug, Default)]
struct Masks {
    words: Vec<Word>,
}

impl Masks {
    fn build(&mut self, text: &[u8]) {
        self.words.clear();
        let mut chunks = text.chunks_exact(64);
        self.words.extend(chunks.by_ref().map(Word::of_64));
        let tail = chunks.remainder();
        if !tail.is_empty() {
            self.words.push(Word::of(tail));
        }
    }
}

impl Word {
    /// [`Word::of`] 64 bytes, 16 at a time with SSE2 (part of every x86-64 processor).
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    #[inline]
    #[allow(unsafe_code)]
    fn of_64(chunk: &[u8]) -> Word {
        use std::arch::x86_64::{__m128i, _mm_or_si128, _mm_set1_epi8, _mm_sub_epi8};
        use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_loadu_si128, _mm_max_epu8, _mm_movemask_epi8};
        assert!(chunk.len() >= 64);
        let mut m = Word::default();
        for k in 0..4 {
            // SAFETY: SSE2 is in every x86-64 processor (the target enables it), and the load reads
            // the 16 bytes at 16k of `chunk`, which has at least 64.
            let [sep, newline, minus, dot, known] = unsafe {
                let v = _mm_loadu_si128(chunk.as_ptr().add(16 * k).cast::<__m128i>());
                let is = |c: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(c as i8));
                let (space, newline, minus, dot) = (is(b' '), is(b'\n'), is(b'-'), is(b'.'));
                // a digit is a byte b with b - '0' (wrapping) ≤ 9
                let nine = _mm_set1_epi8(9);
                let digit = _mm_cmpeq_epi8(_mm_max_epu8(_mm_sub_epi8(v, _mm_set1_epi8(b'0' as i8)), nine), nine);
                let sep = _mm_or_si128(space, newline);
                let known = _mm_or_si128(_mm_or_si128(sep, digit), _mm_or_si128(minus, dot));
                [sep, newline, minus, dot, known].map(|x| u64::from(_mm_movemask_epi8(x) as u16))
            };
            let shift = 16 * k;
            m.sep |= sep << shift;
            m.nl |= newline << shift;
            m.minus |= minus << shift;
            m.dot |= dot << shift;
            m.other |= (!known & 0xffff) << shift;
        }
        m
    }

    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    #[inline]
    fn of_64(chunk: &[u8]) -> Word {
        Word::of(chunk)
    }
}

/// Digits as byte values 0..=9 in the high `k` bytes of `d` (first digit lowest), zeros below: their
/// decimal value (at most 8 digits).
#[inline]
fn combine_digits(mut d: u64) -> u64 {
    d = (d.wrapping_mul(10).wrapping_add(d >> 8)) & 0x00ff_00ff_00ff_00ff;
    d = (d.wrapping_mul(100).wrapping_add(d >> 16)) & 0x0000_ffff_0000_ffff;
    (d.wrapping_mul(10_000).wrapping_add(d >> 32)) & 0xffff_ffff
}

/// The value of the first `k` (1 ≤ k ≤ 8) bytes of `w`, all ASCII digits, read as a decimal number.
#[inline]
fn digits_value(w: u64, k: usize) -> u64 {
    let mask = if k == 8 { u64::MAX } else { (1u64 << (8 * k)) - 1 };
    // digits as values 0..=9, shifted so that the missing leading digits are zeros
    combine_digits((w.wrapping_sub(LANES_01 * b'0' as u64) & mask) << (8 * (8 - k)))
}

/// The value of a token of `len` (1 ≤ len ≤ 16) bytes at `at` that the masks show to be digits with at
/// most a leading minus sign; `None` for a lone `-`. The caller checks that 16 bytes from `at` are
/// in the text.
#[inline]
fn integer_value(text: &[u8], at: usize, len: usize) -> Option<f64> {
    let word = load8(text, at);
    let neg = word & 0xff == u64::from(b'-');
    // a leading `-` becomes a leading `0` (bytes after the token only borrow from bytes further on,
    // which the shift drops)
    let head = (word + 3 * u64::from(neg)).wrapping_sub(LANES_01 * u64::from(b'0'));
    let v = if len <= 4 {
        if len == usize::from(neg) {
            return None;
        }
        // four digits at most: two steps on 32 bits
        let d = (head as u32) << (32 - 8 * len);
        let d = (d.wrapping_mul(10).wrapping_add(d >> 8)) & 0x00ff_00ff;
        u64::from((d.wrapping_mul(100).wrapping_add(d >> 16)) & 0xffff)
    } else if len <= 8 {
        combine_digits(head << (64 - 8 * len))
    } else {
        let low = combine_digits(load8(text, at + len - 8).wrapping_sub(LANES_01 * u64::from(b'0')));
        combine_digits(head << (128 - 8 * len)) * 100_000_000 + low
    };
    // u64 → f64 rounds to nearest, as `str::parse` does; the sign is set without a branch ("-0" is −0)
    Some(f64::from_bits((v as f64).to_bits() | u64::from(neg) << 63))
}

/// The value of any other token of `len` bytes at `at` (it may run across the line's 64th byte):
/// an integer of up to 16 bytes (checked, then read by [`integer_value`]) or a short decimal; `None` when it
/// is anything else (the caller then reads the line byte by byte).
#[inline]
fn token_value(text: &[u8], at: usize, len: usize) -> Option<f64> {
    let neg = usize::from(text[at] == b'-');
    let digits = len - neg;
    let all_digits = |from: usize, k: usize| first_non_digit(load8(text, from)) >= k;
    if len <= 16 && digits >= 1 && all_digits(at + neg, digits.min(8)) && (digits <= 8 || all_digits(at + len - 8, 8)) {
        integer_value(text, at, len)
    } else {
        decimal_value(text, at + neg, digits).map(|v| if neg == 1 { -v } else { v })
    }
}

/// The fast path of [`parse_line`], for lines of up to 127 bytes: the line's token boundaries come from
/// the block's masks (computed once per block), realigned to the line's start as two 64-bit windows, so
/// that the tokens' values do not wait on one another and the branches see the same pattern on every
/// line of a trace; each value is read from eight bytes at once. Returns the index of the line's
/// newline for a well-formed line; `None` (the caller then reads the line byte by byte) for anything
/// else: bytes other than spaces, digits, signs and points, long or non-decimal numbers, a wrong number
/// of fields, longer lines, the last bytes of the text.
#[inline]
fn parse_fields_by_mask(text: &[u8], masks: &Masks, start: usize, out: &mut [f64; FIELDS]) -> Option<usize> {
    const PAST_END: Word = Word { sep: u64::MAX, nl: 0, minus: 0, dot: 0, other: 0 };
    let (w, shift) = (start / 64, start % 64);
    let word = |k: usize| masks.words.get(w + k).copied().unwrap_or(PAST_END);
    let (w0, w1, w2) = (word(0), word(1), word(2));
    // the bits of a class from the line's start: bytes 0..64 and 64..128 of the line
    let window = |class: fn(&Word) -> u64| -> [u64; 2] {
        let join = |low: u64, high: u64| (low >> shift) | (high << 1) << (63 - shift);
        [join(class(&w0), class(&w1)), join(class(&w1), class(&w2))]
    };
    let nl = window(|m| m.nl);
    let end = if nl[0] != 0 {
        nl[0].trailing_zeros() as usize
    } else if nl[1] != 0 {
        64 + nl[1].trailing_zeros() as usize
    } else {
        return None;
    };
    if start + end + 24 > text.len() {
        return None;
    }
    let within = if end < 64 { [(1u64 << end) - 1, 0] } else { [u64::MAX, (1u64 << (end - 64)) - 1] };
    let (sep, minus, dot, other) = (window(|m| m.sep), window(|m| m.minus), window(|m| m.dot), window(|m| m.other));
    let tokens = [!sep[0] & within[0], !sep[1] & within[1]];
    let starts = [tokens[0] & !(tokens[0] << 1), tokens[1] & !((tokens[1] << 1) | tokens[0] >> 63)];
    if (starts[0].count_ones() + starts[1].count_ones()) as usize != FIELDS
        || (other[0] | minus[0] & !starts[0]) & within[0] != 0
        || (other[1] | minus[1] & !starts[1]) & within[1] != 0
    {
        return None;
    }
    let mut n = 0;
    for half in 0..2 {
        let (second_sep, sep, dot) = (sep[1], sep[half], dot[half]);
        let mut starts = starts[half];
        while starts != 0 {
            let s = starts.trailing_zeros() as usize;
            starts &= starts - 1;
            let at = start + 64 * half + s;
            let after = sep >> s; // separators from the token on
            let len = after.trailing_zeros() as usize;
            if after == 0 {
                // the token runs on past the line's 64th byte (its end is in the second window)
                out[n] = token_value(text, at, 64 - s + second_sep.trailing_zeros() as usize)?;
                n += 1;
                continue;
            }
            let plain = (dot >> s).trailing_zeros() as usize >= len;
            if UNUSED >> n & 1 == 1 {
                // a field the reader does not use: only checked to be a number (at least one digit,
                // at most one point)
                let dots = ((dot >> s) & ((1u64 << len) - 1)).count_ones() as usize;
                if dots > 1 || len <= usize::from(text[at] == b'-') + dots {
                    return None;
                }
                out[n] = 0.0;
            } else if len == 2 && u16::from_le_bytes([text[at], text[at + 1]]) == u16::from_le_bytes(*b"-1") {
                out[n] = -1.0; // "not known", the commonest token of a trace
            } else if plain && len <= 16 {
                out[n] = integer_value(text, at, len)?;
            } else {
                out[n] = token_value(text, at, len)?;
            }
            n += 1;
        }
    }
    Some(start + end)
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
                    return too_many_fields(text, i);
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
            if neg { -(v as f64) } else { v as f64 }
        } else {
            while i < len && !text[i].is_ascii_whitespace() {
                i += 1;
            }
            let token = &text[start..i];
            match parse_number_slow(token) {
                Some(x) => x,
                None if n < FIELDS => {
                    let message =
                        format!("field {} ({}) is not a number: `{}`", n + 1, FIELD_NAMES[n], shown_token(token));
                    return (line_end(text, i), Err(message));
                }
                None => f64::NAN,
            }
        };
        if n == FIELDS {
            return too_many_fields(text, i);
        }
        out[n] = value;
        n += 1;
    }
    (i, if n < FIELDS { Err(format!("expected {FIELDS} fields, found {n}")) } else { Ok(()) })
}

/// The result for a line that goes on past its 18th field, which ends at `i`: how many fields it has.
#[cold]
fn too_many_fields(text: &[u8], i: usize) -> (usize, std::result::Result<(), String>) {
    let end = line_end(text, i);
    let more = text[i..end].split(|&c| c.is_ascii_whitespace()).filter(|t| !t.is_empty()).count();
    (end, Err(format!("expected {FIELDS} fields, found {}", FIELDS + 1 + more)))
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

/// The fields the reader does not use (wait time, average cpu time, used memory, executable), bit k
/// for field k + 1: the fast path only checks that they are numbers and leaves their values at 0.
const UNUSED: u32 = 1 << 2 | 1 << 5 | 1 << 6 | 1 << 13;

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

/// The largest time a field may give, in seconds: a quarter of what [`Time`] holds in µs (about
/// 146,000 years), so that sums of times stay in range.
pub const MAX_SECS: f64 = (Time::MAX / 4 / SECOND) as f64;
/// The largest processor count a field may give (a job's tasks are a `u32`).
pub const MAX_PROCS: f64 = u32::MAX as f64;
/// The largest job, user, group or preceding-job number (and memory in MiB): 2^53, the last whole
/// number an `f64` holds exactly.
pub const MAX_NUMBER: f64 = (1u64 << 53) as f64;

/// A token for a message: at most 40 bytes of it (a binary file's first "token" can be long).
#[cold]
fn shown_token(token: &[u8]) -> String {
    match token.len() {
        0..=40 => String::from_utf8_lossy(token).into_owned(),
        n => format!("{}… ({n} bytes)", String::from_utf8_lossy(&token[..40])),
    }
}

/// A field's value for a message: `1e300` rather than 301 digits.
fn shown(x: f64) -> String {
    if x.abs() >= 1e16 { format!("{x:e}") } else { x.to_string() }
}

/// Checks that the used fields of a well-formed line hold values a job can have: times and numbers in
/// range, whole processor counts, a preceding job and think time that are either given (≥ 0) or −1.
/// A handful of branch-free comparisons on the fast path; [`bad_field`] says which field fails.
#[inline]
fn check_fields(f: &[f64; FIELDS]) -> std::result::Result<(), String> {
    let times = f[SUBMIT].max(f[RUN]).max(f[REQ_TIME]).max(f[THINK]);
    let procs = f[ALLOC].max(f[REQ_PROCS]);
    let numbers = f[JOB].abs().max(f[USER].abs()).max(f[GROUP].abs()).max(f[PRECEDING]).max(f[REQ_MEM]);
    let whole = (f[ALLOC] as i64 as f64 == f[ALLOC]) & (f[REQ_PROCS] as i64 as f64 == f[REQ_PROCS]);
    let unknown_or_given = |x: f64| (x >= 0.0) | (x == -1.0);
    let dependency = unknown_or_given(f[PRECEDING]) & unknown_or_given(f[THINK]);
    if (times <= MAX_SECS) & (procs <= MAX_PROCS) & (numbers <= MAX_NUMBER) & whole & dependency {
        Ok(())
    } else {
        Err(bad_field(f))
    }
}

/// What [`check_fields`] found wrong, for the first field that fails.
#[cold]
fn bad_field(f: &[f64; FIELDS]) -> String {
    let name = |k: usize| format!("field {} ({})", k + 1, FIELD_NAMES[k]);
    for k in [JOB, SUBMIT, RUN, ALLOC, REQ_PROCS, REQ_TIME, REQ_MEM, USER, GROUP, PRECEDING, THINK] {
        let x = f[k];
        let limit = match k {
            SUBMIT | RUN | REQ_TIME | THINK => MAX_SECS,
            ALLOC | REQ_PROCS => MAX_PROCS,
            _ => MAX_NUMBER,
        };
        if x.abs() > limit && !(x < 0.0 && matches!(k, SUBMIT | RUN | REQ_TIME | ALLOC | REQ_PROCS | REQ_MEM)) {
            return format!("{} is out of range: {} (at most {})", name(k), shown(x), shown(limit));
        }
        if matches!(k, ALLOC | REQ_PROCS) && x as i64 as f64 != x {
            return format!("{} is not a whole number: {}", name(k), shown(x));
        }
        if matches!(k, PRECEDING | THINK) && x < 0.0 && x != -1.0 {
            return format!("{} is negative: {} (expected -1 when there is none)", name(k), shown(x));
        }
    }
    "a field is out of range".into() // not reached: check_fields failed on one of the fields above
}

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
#[inline(always)] // its result would otherwise come back through memory, a stall per job
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
                return Err(if submit == -1.0 { "submit time unknown (-1)" } else { "submit time negative" });
            }
            let procs = if f[REQ_PROCS] > 0.0 { f[REQ_PROCS] } else { alloc };
            if procs <= 0.0 {
                return Err(if procs == -1.0 { "processors unknown (-1)" } else { "processors 0 or negative" });
            }
            if run < 0.0 {
                return Err(if run == -1.0 { "run time unknown (-1)" } else { "run time negative" });
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
    pub const DUPLICATE: &str = "duplicate job number (dependencies = true)";
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
        if let Some((k, i)) = self.last
            && k == key
        {
            return i;
        }
        let i = *self.index.entry(key).or_insert_with(|| {
            self.names.push(key.to_string());
            (self.names.len() - 1) as u32
        });
        self.last = Some((key, i));
        i
    }
}

/// One line of a block, classified and (for a job line) split into its numbers.
enum Line<'a> {
    /// Empty or only blanks.
    Blank,
    /// A `;` header line.
    Comment(&'a [u8]),
    /// A job line's 18 numbers.
    Job(&'a [f64; FIELDS]),
    /// A job line that is not 18 numbers, and why.
    Malformed(String),
}

/// What the helper thread makes of a block: its masks and, for one block in [`PARSED_EVERY`], its
/// lines already classified and split into numbers (so that the two threads share the parsing).
#[derive(Debug, Default)]
struct BlockWork {
    masks: Masks,
    /// The block's lines, when the helper parsed them (`parsed`).
    lines: Vec<ParsedLine>,
    parsed: bool,
}

/// The helper parses one block in this many: it has time to spare while this thread builds the jobs
/// (measured: its decompression and masks take about three quarters of the builder's time).
const PARSED_EVERY: usize = 5;

/// A [`Line`] kept for the thread that builds the jobs (a comment by its byte range in the block).
#[derive(Debug)]
enum ParsedLine {
    Blank,
    Comment(std::ops::Range<usize>),
    Job([f64; FIELDS]),
    Malformed(String),
}

impl BlockWork {
    /// The helper thread's work on block number `index`.
    fn build(&mut self, block: &[u8], index: usize) {
        self.masks.build(block);
        self.lines.clear();
        self.parsed = index % PARSED_EVERY == PARSED_EVERY - 1;
        if self.parsed {
            let lines = &mut self.lines;
            let _ = each_line(block, &self.masks, |line| {
                lines.push(match line {
                    Line::Blank => ParsedLine::Blank,
                    Line::Comment(text) => {
                        let at = text.as_ptr() as usize - block.as_ptr() as usize;
                        ParsedLine::Comment(at..at + text.len())
                    }
                    Line::Job(fields) => ParsedLine::Job(*fields),
                    Line::Malformed(message) => ParsedLine::Malformed(message),
                });
                Ok::<(), ()>(())
            });
        }
    }

    /// Hands each line of `block` in order to `each`, from the helper's parse or parsed here.
    fn each_line<E>(
        &mut self,
        block: &[u8],
        mut each: impl FnMut(Line<'_>) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        if !self.parsed {
            return each_line(block, &self.masks, each);
        }
        for line in self.lines.drain(..) {
            each(match line {
                ParsedLine::Blank => Line::Blank,
                ParsedLine::Comment(range) => Line::Comment(&block[range]),
                ParsedLine::Job(ref fields) => Line::Job(fields),
                ParsedLine::Malformed(message) => Line::Malformed(message),
            })?;
        }
        Ok(())
    }
}

/// Classifies every line of a block of whole lines (with the block's masks) and splits the job lines
/// into their numbers, handing each line in order to `each`; stops at the first error `each` returns.
fn each_line<E>(
    block: &[u8],
    masks: &Masks,
    mut each: impl FnMut(Line<'_>) -> std::result::Result<(), E>,
) -> std::result::Result<(), E> {
    let mut fields = [0.0; FIELDS];
    let mut at = 0;
    while at < block.len() {
        let rest = &block[at..];
        let mut start = if rest.len() >= 8 { first_non_space(load8(rest, 0)) } else { 0 };
        start += rest[start..].iter().position(|&c| !is_blank(c)).unwrap_or(rest.len() - start);
        let end = if start == rest.len() {
            each(Line::Blank)?;
            rest.len() // trailing blanks without a newline
        } else if rest[start] == b'\n' {
            each(Line::Blank)?;
            start
        } else if rest[start] == b';' {
            let end = line_end(rest, start);
            each(Line::Comment(&rest[start..end]))?;
            end
        } else {
            let (end, parsed) = parse_line(block, masks, at + start, &mut fields);
            match parsed {
                Ok(()) => each(Line::Job(&fields))?,
                Err(message) => each(Line::Malformed(message))?,
            }
            end - at
        };
        at += end + 1;
    }
    Ok(())
}

/// A queue or partition number (fields 15, 16): `None` when the trace gives none (−1); an error when it
/// is not a whole number from 0 to 65,535.
#[inline]
fn small_number(fields: &[f64; FIELDS], k: usize) -> std::result::Result<Option<u16>, String> {
    let x = fields[k];
    if x < 0.0 {
        Ok(None)
    } else if x <= u16::MAX as f64 && f64::from(x as u16) == x {
        Ok(Some(x as u16))
    } else {
        Err(format!("field {} ({}) is not a number from 0 to 65535: {x}", k + 1, FIELD_NAMES[k]))
    }
}

/// Reads a whole trace into a workload (jobs in submit order, ties in file order) and its header.
/// Every line left out is counted in `Workload::skipped` with its reason.
///
/// A pipeline of two threads: a helper decompresses the file into blocks of whole lines and classifies
/// their bytes ([`Masks`]); this one splits each line into its numbers, applies the filters and the
/// convention, and builds the jobs (into huge pages where the system offers them).
pub fn read_swf(path: &Path, opts: &SwfOptions) -> Result<(Workload, SwfHeader)> {
    let mut header = SwfHeader::default();
    let mut skipped = SkipReport::default();
    let mut jobs: Vec<Job> = Vec::new();
    let mut reserved = false;
    // Traces are normally in submit order; then the (stable) sort is skipped.
    let mut in_submit_order = true;
    let mut users = NumNames::default();
    let mut groups = NumNames::default();
    // with dependencies: job number → (index, line), and the dependencies whose preceding job is not
    // in the workload
    let mut by_number: BTreeMap<u64, (JobIdx, u64)> = BTreeMap::new();
    let (mut dropped_deps, mut first_dropped_dep) = (0u64, None);
    let mut line_no: u64 = 0;
    let mut machine: Option<u64> = opts.machine_procs;
    let mut machine_known = opts.machine_procs.is_some();
    let trace_err = |line: u64, message: String| Error::Trace { path: path.to_path_buf(), line, message };
    let mut blocks = MappedBlocks::<BlockWork>::spawn(open_trace(path)?, |block, index, work| work.build(block, index));
    while let Some(next) = blocks.next_block() {
        let (block, mut work) = next.map_err(|e| Error::io(path, e))?;
        work.each_line(&block, |line| {
            line_no += 1;
            let (fields, malformed) = match line {
                Line::Blank => return Ok(()),
                Line::Comment(text) => {
                    header.take_comment(&String::from_utf8_lossy(text), line_no);
                    return Ok(());
                }
                Line::Job(fields) => (fields, None),
                Line::Malformed(message) => (&[f64::NAN; FIELDS], Some(message)),
            };
            header.job_lines += 1;
            if !reserved {
                // The header's record count, when given, spares the copies of a growing vector.
                reserved = true;
                let hint = header.max_records.unwrap_or(0).min(opts.first_jobs.unwrap_or(u64::MAX)).min(1 << 24);
                jobs.reserve(hint as usize);
                crate::huge_pages::advise(&mut jobs);
            }
            if opts.first_jobs.is_some_and(|k| jobs.len() as u64 >= k) {
                skipped.add_at(reason::BEYOND_FIRST, line_no);
                return Ok(());
            }
            let numbers = match malformed {
                Some(message) => Err(message),
                None => check_fields(fields)
                    .and_then(|()| small_number(fields, QUEUE))
                    .and_then(|q| Ok((q, small_number(fields, PARTITION)?))),
            };
            let (queue, partition) = match numbers {
                Ok(numbers) => numbers,
                Err(message) => match opts.on_bad_line {
                    OnBadLine::Error => return Err(trace_err(line_no, message)),
                    OnBadLine::Skip => {
                        skipped.add_at(reason::MALFORMED, line_no);
                        return Ok(());
                    }
                },
            };
            if !machine_known {
                // decided at the first well-formed job line, so that a file that is no trace at all
                // fails on its first line rather than on its header
                machine_known = true;
                machine = header
                    .machine()
                    .map_err(|(line, message)| trace_err(line, format!("{message} ({})", opts.machine_hint)))?;
                if machine.is_none() && opts.convention == Convention::P {
                    return Err(trace_err(
                        line_no,
                        format!(
                            "convention P clamps processors to the machine, but the header has no MaxProcs ({})",
                            opts.machine_hint
                        ),
                    ));
                }
            }
            let status = fields[STATUS];
            if status == 2.0 || status == 3.0 || status == 4.0 {
                skipped.add_at(reason::PARTIAL, line_no);
                return Ok(());
            }
            if opts.drop_cancelled && status == 5.0 && fields[RUN] <= 0.0 {
                skipped.add_at(reason::CANCELLED, line_no);
                return Ok(());
            }
            if opts.drop_zero_runtime && fields[RUN] <= 0.0 {
                skipped.add_at(reason::ZERO_RUNTIME, line_no);
                return Ok(());
            }
            let submit_raw = to_time(fields[SUBMIT]);
            if opts.start.is_some_and(|s| submit_raw < s) {
                skipped.add_at(reason::BEFORE_START, line_no);
                return Ok(());
            }
            if opts.end.is_some_and(|e| submit_raw >= e) {
                skipped.add_at(reason::AFTER_END, line_no);
                return Ok(());
            }
            if !selected(&opts.queues, queue) {
                skipped.add_at(reason::QUEUE, line_no);
                return Ok(());
            }
            if !selected(&opts.partitions, partition) {
                skipped.add_at(reason::PARTITION, line_no);
                return Ok(());
            }
            if opts.drop_oversized && machine.is_some_and(|m| raw_procs(fields, opts.convention) > m as f64) {
                skipped.add_at(reason::OVERSIZED, line_no);
                return Ok(());
            }
            let (submit, procs, runtime, estimate) = match apply_convention(fields, opts.convention, machine) {
                Ok(shape) => shape,
                Err(why) => {
                    skipped.add_at(why, line_no);
                    return Ok(());
                }
            };
            let (tasks, cpu) = match opts.machine {
                Machine::Pool => (1u32, procs),
                Machine::Nodes => (procs.min(u32::MAX as u64) as u32, 1u64),
            };
            // a line that is well formed but cannot be a job of this workload: an error naming the
            // line, or skipped and counted under `reason`
            let mut refuse = |why: &'static str, message: String| match opts.on_bad_line {
                OnBadLine::Error => Err(trace_err(line_no, message)),
                OnBadLine::Skip => {
                    skipped.add_at(why, line_no);
                    Ok(())
                }
            };
            let mem = if opts.memory && fields[REQ_MEM] > 0.0 {
                // KB per processor → MiB per task, rounded up.
                let mib = ((fields[REQ_MEM] * cpu as f64) / 1024.0).ceil();
                if mib > MAX_NUMBER {
                    let message = format!(
                        "field 10 (requested memory) is out of range: {} KB per processor × {cpu} processors",
                        shown(fields[REQ_MEM])
                    );
                    return refuse(reason::MALFORMED, message);
                }
                mib as u64
            } else {
                0
            };
            let number = fields[JOB].max(0.0) as u64;
            let mut dep = None;
            if opts.dependencies {
                if number > 0
                    && let Some(&(_, first)) = by_number.get(&number)
                {
                    let message = format!(
                        "job number {number} already on line {first} (with dependencies = true, job numbers \
                         must be unique)"
                    );
                    return refuse(reason::DUPLICATE, message);
                }
                if fields[PRECEDING] > 0.0 {
                    match by_number.get(&(fields[PRECEDING] as u64)) {
                        Some(&(index, _)) => dep = Some(index),
                        None => {
                            dropped_deps += 1;
                            first_dropped_dep.get_or_insert(line_no);
                        }
                    }
                }
            }
            if jobs.len() == jobs.capacity() {
                // no record count in the header (or more jobs than it says): grow as a vector does,
                // and ask for huge pages again for the new memory
                jobs.reserve(jobs.len().max(1 << 12));
                crate::huge_pages::advise(&mut jobs);
            }
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
                if let Some(dep) = dep {
                    job.set_deps(vec![dep]);
                    job.set_dep_delay(to_time(fields[THINK]));
                }
                by_number.insert(number, (index, line_no));
            }
            Ok(())
        })?;
        blocks.give_back(block, work);
    }
    finish_jobs(&mut jobs, opts);
    if let Some(first) = first_dropped_dep {
        let noun = if dropped_deps == 1 { "dependency" } else { "dependencies" };
        skipped
            .notes
            .push(format!("{dropped_deps} {noun} dropped: preceding job not in the workload (first: line {first})"));
    }
    skipped.notes.extend(header.count_note());
    let tiers = opts.tiers.as_ref().map_or_else(|| vec!["default".into()], |t| t.names(&header));
    let mut workload = Workload { jobs, users: users.names, groups: groups.names, tiers, skipped };
    if !in_submit_order {
        workload.sort_by_submit();
    }
    Ok((workload, header))
}

/// The divisors of `n` (≥ 1), ascending.
fn divisors(n: u64) -> Vec<u64> {
    let (mut low, mut high) = (Vec::new(), Vec::new());
    let mut d = 1;
    while d <= n / d {
        if n.is_multiple_of(d) {
            low.push(d);
            if d != n / d {
                high.push(n / d);
            }
        }
        d += 1;
    }
    low.extend(high.iter().rev());
    low
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
    if opts.load_scale != 1.0
        && let Some(t0) = jobs.iter().map(|j| j.submit).min()
    {
        for job in jobs.iter_mut() {
            job.submit = t0 + ((job.submit - t0) as f64 / opts.load_scale).round() as Time;
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
    pub node_memory: Option<crate::model::Memory>,
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
    pub fn validate(&self, pools: &[crate::model::PoolSpec]) -> std::result::Result<(), ScenarioError> {
        let k = |s: &str| format!("workload.{s}");
        if self.memory && pools.iter().all(|p| p.memory.0 == 0) {
            return Err(ScenarioError::invalid(
                k("memory"),
                "jobs will ask for memory but no node has any: set workload.node_memory or the pools' memory",
            ));
        }
        if !(self.load_scale.is_finite() && self.load_scale > 0.0) {
            return Err(ScenarioError::invalid(
                k("load_scale"),
                format!("expected a factor > 0, found {}", self.load_scale),
            ));
        }
        if let EstimateMode::Factor(f) = self.estimate
            && !(f.is_finite() && f > 0.0)
        {
            return Err(ScenarioError::invalid(k("estimate"), format!("expected a factor > 0, found {f}")));
        }
        if self.node_cores == Some(0) {
            return Err(ScenarioError::invalid(k("node_cores"), "expected at least 1 core"));
        }
        if self.node_cores.is_some() && self.machine != Machine::Nodes {
            return Err(ScenarioError::invalid(k("node_cores"), "only applies with machine = \"nodes\""));
        }
        if let (Some(s), Some(e)) = (self.start, self.end)
            && e <= s
        {
            return Err(ScenarioError::invalid(k("end"), "must be after `start`"));
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
    pub fn default_pool(&self) -> std::result::Result<crate::model::PoolSpec, String> {
        let header = read_header(&self.path).map_err(|e| format!("workload.path: {e}"))?;
        let procs = header.machine().map_err(|(line, message)| {
            format!("workload.path: {}:{line}: {message}; give the cluster as [[cluster.pools]]", self.path.display())
        })?;
        let procs = procs.ok_or_else(|| {
            format!(
                "workload.path: {} has no MaxProcs (or MaxNodes) header line; give the cluster as [[cluster.pools]]",
                self.path.display()
            )
        })?;
        let (count, cpu) = match self.machine {
            Machine::Pool => (1, procs),
            Machine::Nodes => {
                let cores = self.node_cores.unwrap_or(1).max(1);
                if !procs.is_multiple_of(cores) {
                    let divisors: Vec<String> = divisors(procs).iter().map(u64::to_string).collect();
                    return Err(format!(
                        "workload.node_cores: {cores} cores per node do not divide the trace's {procs} processors \
                         (MaxProcs of {}); choose a divisor of {procs} ({}), or give the cluster as [[cluster.pools]]",
                        self.path.display(),
                        divisors.join(", ")
                    ));
                }
                (procs / cores, cores)
            }
        };
        Ok(crate::model::PoolSpec {
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
            machine_hint: HINT_POOLS,
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
            let wide = case % 4 == 0; // wide spacing: lines longer than the fast path's 127 bytes
            let fields = if case % 10 == 3 { rng.random_range(15..21) } else { FIELDS };
            let mut line = String::new();
            for f in 0..fields {
                let gap = rng.random_range(match (f, wide) {
                    (0, _) => 0..6,
                    (_, true) => 1..9,
                    (_, false) => 1..3,
                });
                for _ in 0..gap {
                    line.push(if messy && rng.random::<f64>() < 0.02 { '\t' } else { ' ' });
                }
                let digits = |rng: &mut crate::rng::Rng, most: u32| {
                    let k = rng.random_range(1..=most);
                    rng.random_range(0..10u64.pow(k))
                };
                let token = match rng.random_range(0..24) {
                    0 | 1 => "-1".to_string(),
                    2 if messy => format!("{}", rng.random_range(0..u64::MAX / 2)),
                    3 if messy => format!("{:.2}", rng.random::<f64>() * 1000.0),
                    4 if messy && rng.random::<f64>() < 0.2 => {
                        ["x1", "-", ".", "1.2.3", "5.", "-.5", "--1", "1-2", "+3", "1e3"][rng.random_range(0..10)]
                            .to_string()
                    }
                    5 if messy => format!("{}", digits(&mut rng, 16)),
                    6 => format!("-{}", digits(&mut rng, 8)),
                    _ => format!("{}", digits(&mut rng, 9)),
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
            // the fast path leaves the values of the fields the reader does not use at 0; the
            // values compare bit for bit (−0 is not 0)
            let used = |f: [f64; FIELDS]| {
                (0..FIELDS).filter(|k| UNUSED >> k & 1 == 0).map(|k| f[k].to_bits()).collect::<Vec<_>>()
            };
            if let Some(fast) = parse_fields_by_mask(text, &masks, at, &mut b) {
                fast_taken += 1;
                assert_eq!((fast, Ok(())), slow, "{line:?}");
                assert_eq!(used(a), used(b), "{line:?}");
            }
            let mut c = [0.0; FIELDS];
            assert_eq!(parse_line(text, &masks, at, &mut c), slow);
            if slow.1.is_ok() {
                assert_eq!(used(a), used(c));
            }
        }
        assert!(fast_taken > 5_000, "the fast path was taken {fast_taken} times"); // of about 13,000 plain lines
        // a token longer than a window
        let long = format!("1 {} 3\n{}", "7".repeat(100), " ".repeat(100));
        let mut f = [0.0; FIELDS];
        assert_eq!(parse_fields(long.as_bytes(), &mut f), (104, Err("expected 18 fields, found 3".into())));
    }

    /// The 16-bytes-at-a-time byte classes equal the plain loop's, on every byte value.
    #[test]
    fn byte_classes_agree_with_the_plain_loop() {
        use rand::RngExt;
        let mut rng = crate::rng::stream(5, "classes");
        let alphabet = b" \n-.0123456789\t\rx+e;";
        for case in 0..2_004 {
            let chunk: Vec<u8> = match case {
                0..4 => (0..64).map(|i| (64 * case + i) as u8).collect(), // every byte value once
                _ if case % 2 == 0 => (0..64).map(|_| rng.random::<u8>()).collect(),
                _ => (0..64).map(|_| alphabet[rng.random_range(0..alphabet.len())]).collect(),
            };
            let (fast, plain) = (Word::of_64(&chunk), Word::of(&chunk));
            assert_eq!(
                (fast.sep, fast.nl, fast.minus, fast.dot, fast.other),
                (plain.sep, plain.nl, plain.minus, plain.dot, plain.other),
                "{chunk:?}"
            );
        }
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

    /// Blocks parsed on the helper thread (one in [`PARSED_EVERY`]) give the same lines, in the same
    /// order and with the same numbers, as blocks parsed here: 60,000 lines (about 3.6 MB, 14 blocks)
    /// with a comment, a blank line and a malformed line far into the file.
    #[test]
    fn helper_parsed_blocks_keep_order_and_line_numbers() {
        let mut text = String::from("; MaxProcs: 64\n");
        let (bad, comment) = (45_001, 30_000);
        for i in 1..=60_000u64 {
            let line_no = i + 1;
            if line_no == comment {
                text.push_str("; Note: a comment far into the file\n\n");
            }
            if line_no == bad {
                text.push_str(&format!("{i} {i} 0 x 1 -1 -1 1 100 -1 1 1 1 -1 1 -1 -1 -1\n"));
            } else {
                text.push_str(&format!(
                    "{i:>7} {:>9} 5 {:>6} 4 -1 -1 4 {:>6} -1 1 {} 1 -1 1 -1 -1 -1\n",
                    3 * i,
                    10 + i % 97,
                    200 + i % 89,
                    i % 13
                ));
            }
        }
        assert!(text.len() > 3 * PARSED_EVERY * (1 << 18) / 2, "the file spans helper-parsed blocks");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.swf");
        std::fs::write(&path, &text).unwrap();
        let opts = SwfOptions { on_bad_line: OnBadLine::Skip, ..Default::default() };
        let (w, header) = read_swf(&path, &opts).unwrap();
        assert_eq!(header.job_lines, 60_000);
        assert_eq!(w.jobs.len(), 59_999);
        // the malformed line is counted at its own line (one comment and one blank line came before it)
        assert_eq!(w.skipped.items(), [format!("1 malformed line (first: line {})", bad + 2)]);
        let expected: Vec<u64> = (1..=60_000).filter(|&i| i + 1 != bad).collect();
        assert_eq!(w.jobs.iter().map(|j| j.id).collect::<Vec<_>>(), expected);
        let origin = w.jobs[0].submit - 3_000_000;
        assert!(
            w.jobs
                .iter()
                .all(|j| j.submit - origin == 3 * j.id * 1_000_000 && j.runtime == (10 + j.id % 97) * 1_000_000)
        );
        let strict = read_swf(&path, &SwfOptions::default()).unwrap_err().to_string();
        assert!(strict.contains(&format!("t.swf:{}: ", bad + 2)), "{strict}");
    }

    #[test]
    fn bad_lines_are_described() {
        let mut f = [0.0; FIELDS];
        assert_eq!(parse_fields(b"1 2 3\n4 5", &mut f), (5, Err("expected 18 fields, found 3".into())));
        let (end, e) = parse_fields(b"1 2 3 x 5 6 7 8 9 10 11 12 13 14 15 16 17 18\nnext", &mut f);
        assert_eq!(end, 44);
        let e = e.unwrap_err();
        assert_eq!(e, "field 4 (run time) is not a number: `x`");
        // the fields the reader does not use are still checked
        let padding = " ".repeat(40);
        for junk in ["1.2.3", ".", "-", "-."] {
            let line = format!("1 2 {junk} 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18\n{padding}");
            let e = parse_fields(line.as_bytes(), &mut f).1.unwrap_err();
            assert_eq!(e, format!("field 3 (wait time) is not a number: `{junk}`"));
        }
        let line = format!("1 2 5. 4 5 -.5 7 8 9 10 11 12 13 14 15 16 17 18\n{padding}");
        assert!(parse_fields(line.as_bytes(), &mut f).1.is_ok());
        assert!(parse_fields(b"1 2.5 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18", &mut f).1.is_ok());
        assert_eq!(f[1], 2.5);
    }
}
