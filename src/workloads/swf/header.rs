//! The header of an SWF file: the `;` lines (`MaxProcs`, `MaxNodes`, record counts, queue and partition
//! names), read with the job lines or on their own.

use crate::error::{Error, Result};
use crate::workloads::lines::{LineTooLong, MAX_LINE, open_trace};
use std::collections::BTreeMap;
use std::io::{BufRead, Read};
use std::path::Path;

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
    pub(super) fn take_comment(&mut self, line: &str, line_no: u64) {
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

/// Reads only the header (the `;` lines before the first job line).
pub fn read_header(path: &Path) -> Result<SwfHeader> {
    let mut reader = open_trace(path)?;
    let mut header = SwfHeader::default();
    let mut buf = Vec::with_capacity(256);
    let mut line_no = 0;
    loop {
        buf.clear();
        let n = (&mut reader).take(MAX_LINE as u64 + 1).read_until(b'\n', &mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        line_no += 1;
        if n > MAX_LINE && buf.last() != Some(&b'\n') {
            let message = LineTooLong { line: Some(line_no) }.to_string();
            return Err(Error::Trace { path: path.to_path_buf(), line: line_no, message });
        }
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
