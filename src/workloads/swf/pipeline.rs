//! Reading a whole trace: a helper thread decompresses it into blocks of whole lines and classifies
//! their bytes (parsing one block in five itself), while this thread splits the lines into numbers,
//! applies the filters and the convention, and builds the jobs.

use super::conventions::{
    apply_convention, check_fields, finish_jobs, raw_procs, rewrite_of, selected, shown, small_number, to_time,
};
use super::header::SwfHeader;
use super::schema::{Convention, Machine, OnBadLine, SwfOptions};
use super::tokenizer::{Masks, first_non_space, is_blank, line_end, load8, parse_line};
use super::*;
use crate::error::{Error, Result};
use crate::model::{Job, JobIdx, Resources, SkipReport, Workload};
use crate::workloads::lines::{LineTooLong, MappedBlocks, open_trace};
use std::collections::BTreeMap;
use std::path::Path;

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

/// Reads a whole trace into a workload (jobs in submit order, ties in file order) and its header.
/// Every line left out is counted in `Workload::skipped` with its reason.
///
/// A pipeline of two threads: a helper decompresses the file into blocks of whole lines and classifies
/// their bytes ([`Masks`]); this one splits each line into its numbers, applies the filters and the
/// convention, and builds the jobs (into huge pages where the system offers them).
pub fn read_swf(path: &Path, opts: &SwfOptions) -> Result<(Workload, SwfHeader)> {
    let mut header = SwfHeader::default();
    let mut skipped = SkipReport::default();
    // jobs convention P kept but rewrote, by reason: an input note
    let mut rewritten = SkipReport::default();
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
        // a line too long to be a trace's comes after every line of the blocks read so far
        let (block, mut work) = next.map_err(|e| match LineTooLong::of(&e) {
            Some(long) => trace_err(line_no + 1, long.to_string()),
            None => Error::io(path, e),
        })?;
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
            if opts.convention == Convention::P
                && let Some(why) = rewrite_of(fields, machine)
            {
                rewritten.add_at(why, line_no);
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
    if rewritten.total() > 0 {
        let (n, items) = (rewritten.total(), rewritten.items().join("; "));
        let noun = if n == 1 { "job" } else { "jobs" };
        skipped.notes.push(format!("{n} {noun} rewritten by convention P: {items}"));
    }
    skipped.notes.extend(header.count_note());
    let tiers = opts.tiers.as_ref().map_or_else(|| vec!["default".into()], |t| t.names(&header));
    let mut workload = Workload { jobs, users: users.names, groups: groups.names, tiers, skipped };
    if !in_submit_order {
        workload.sort_by_submit();
    }
    Ok((workload, header))
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
