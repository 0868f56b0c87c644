//! Jobs as the workload describes them (`Job`), and the workload as a whole (`Workload`).

use super::resources::Resources;
use super::time::Time;

/// Index of a job in its workload (dense, 0-based); the trace's own number is [`Job::id`].
pub type JobIdx = u32;

/// Malleability of a job: each task may run on `min_cpu..=max_cpu` cores, with Amdahl's law
/// giving its runtime: `work × (serial + (1 − serial) / cpus)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Malleable {
    pub min_cpu: u64,
    pub max_cpu: u64,
    pub serial_fraction: f64,
}

impl Malleable {
    /// Runtime of a task of `work` (its runtime on one core) when it gets `cpus` cores.
    pub fn runtime(&self, work: Time, cpus: u64) -> Time {
        let cpus = cpus.max(1) as f64;
        let factor = self.serial_fraction + (1.0 - self.serial_fraction) / cpus;
        ((work as f64) * factor).round().max(1.0) as Time
    }
}

/// One job of the workload: `tasks` tasks, each asking for `request`.
#[derive(Clone, Debug, PartialEq)]
pub struct Job {
    /// The job's number in its source (trace job number, or generated sequence).
    pub id: u64,
    pub submit: Time,
    pub user: u32,
    pub group: u32,
    /// Priority class; higher is more important (0 is the lowest tier).
    pub tier: u8,
    /// Weight for proportional-share disciplines.
    pub weight: f64,
    pub tasks: u32,
    /// Per-task request (for malleable jobs, `request.cpu` is the minimum).
    pub request: Resources,
    /// Actual runtime (for malleable jobs: the work on one core).
    pub runtime: Time,
    /// The user's estimate (walltime request).
    pub estimate: Time,
    /// The trace's queue number (SWF field 15), when it gives one.
    pub queue: Option<u16>,
    /// The trace's partition number (SWF field 16), when it gives one.
    pub partition: Option<u16>,
    /// At most one task of this job per node.
    pub anti_affinity: bool,
    /// The rarely used properties (malleability, placement constraints, a placement key,
    /// dependencies), boxed so that the common rigid job stays small (96 bytes); `None` when all are
    /// unset. Read them with [`Job::malleable`], [`Job::requires`], [`Job::prefers`], [`Job::key`],
    /// [`Job::deps`] and [`Job::dep_delay`]; set them with the `set_` methods.
    extras: Option<Box<JobExtras>>,
}

/// The rarely used properties of a job, behind one box in [`Job`].
#[derive(Clone, Debug, Default, PartialEq)]
struct JobExtras {
    malleable: Option<Malleable>,
    /// Node labels or pool names a node must carry to run this job's tasks.
    requires: Vec<String>,
    /// Node labels or pool names preferred as a tie-break.
    prefers: Vec<String>,
    /// Hashing key for key-affine placement (defaults to the user).
    key: Option<u64>,
    /// Jobs (by index) that must complete before this one may start.
    deps: Vec<JobIdx>,
    /// Think time: the job becomes eligible this long after its last dependency completes
    /// (and not before its own submit time). 0 without dependencies.
    dep_delay: Time,
}

impl Job {
    /// A rigid job with the given shape; the remaining fields take neutral defaults.
    pub fn rigid(id: u64, submit: Time, tasks: u32, request: Resources, runtime: Time, estimate: Time) -> Job {
        Job {
            id,
            submit,
            user: 0,
            group: 0,
            tier: 0,
            weight: 1.0,
            tasks,
            request,
            runtime,
            estimate,
            queue: None,
            partition: None,
            anti_affinity: false,
            extras: None,
        }
    }

    /// The job's malleability; `None` for a rigid job.
    #[inline]
    pub fn malleable(&self) -> Option<Malleable> {
        self.extras.as_ref().and_then(|e| e.malleable)
    }

    /// Node labels or pool names a node must carry to run this job's tasks.
    #[inline]
    pub fn requires(&self) -> &[String] {
        self.extras.as_ref().map_or(&[], |e| &e.requires)
    }

    /// Node labels or pool names preferred as a tie-break.
    #[inline]
    pub fn prefers(&self) -> &[String] {
        self.extras.as_ref().map_or(&[], |e| &e.prefers)
    }

    /// The hashing key for key-affine placement, when the job has its own.
    #[inline]
    pub fn key(&self) -> Option<u64> {
        self.extras.as_ref().and_then(|e| e.key)
    }

    /// Jobs (by index) that must complete before this one may start.
    #[inline]
    pub fn deps(&self) -> &[JobIdx] {
        self.extras.as_ref().map_or(&[], |e| &e.deps)
    }

    /// Think time: the job becomes eligible this long after its last dependency completes (and not
    /// before its own submit time). 0 without dependencies.
    #[inline]
    pub fn dep_delay(&self) -> Time {
        self.extras.as_ref().map_or(0, |e| e.dep_delay)
    }

    pub fn set_key(&mut self, key: Option<u64>) {
        self.edit_extras(|e| e.key = key);
    }

    pub fn set_deps(&mut self, deps: Vec<JobIdx>) {
        self.edit_extras(|e| e.deps = deps);
    }

    pub fn set_dep_delay(&mut self, delay: Time) {
        self.edit_extras(|e| e.dep_delay = delay);
    }

    pub fn set_malleable(&mut self, malleable: Option<Malleable>) {
        self.edit_extras(|e| e.malleable = malleable);
    }

    pub fn set_requires(&mut self, labels: Vec<String>) {
        self.edit_extras(|e| e.requires = labels);
    }

    pub fn set_prefers(&mut self, labels: Vec<String>) {
        self.edit_extras(|e| e.prefers = labels);
    }

    /// Applies `edit` to the extras, keeping `None` whenever they are all unset (so equal jobs compare equal).
    fn edit_extras(&mut self, edit: impl FnOnce(&mut JobExtras)) {
        match &mut self.extras {
            Some(extras) => {
                edit(extras);
                if **extras == JobExtras::default() {
                    self.extras = None;
                }
            }
            None => {
                // built on the stack: setting a default value to a plain job allocates nothing
                let mut extras = JobExtras::default();
                edit(&mut extras);
                if extras != JobExtras::default() {
                    self.extras = Some(Box::new(extras));
                }
            }
        }
    }

    /// Total request of all tasks.
    pub fn total_request(&self) -> Resources {
        self.request * self.tasks as u64
    }
}

/// Stable 64-bit hash of a placement key (FNV-1a): a job's `key`, or its user's name when it has none.
pub fn key_hash(key: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Why input jobs were left out of a workload; every skip is counted, never silent. Also the notes
/// on the input as a whole (a header count that does not match the file, dropped dependencies).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SkipReport {
    /// (reason, count), in a stable order.
    pub reasons: Vec<(String, u64)>,
    /// Beside `reasons` (same order): the line of the first input line skipped for that reason, when
    /// the reader knows it.
    pub first_lines: Vec<Option<u64>>,
    /// Notes on the input that skip no line, e.g. "header says MaxRecords 28476 but the file has 9976
    /// job lines (truncated or edited?)"; shown as warnings.
    pub notes: Vec<String>,
}

impl SkipReport {
    /// Counts one skipped line whose line number is not known.
    pub fn add(&mut self, reason: &str) {
        self.add_line(reason, None);
    }

    /// Counts one skipped line, `line` (1-based) in its file.
    pub fn add_at(&mut self, reason: &str, line: u64) {
        self.add_line(reason, Some(line));
    }

    fn add_line(&mut self, reason: &str, line: Option<u64>) {
        self.first_lines.resize(self.reasons.len(), None);
        match self.reasons.iter().position(|(r, _)| r == reason) {
            Some(i) => {
                self.reasons[i].1 += 1;
                if self.first_lines[i].is_none() {
                    self.first_lines[i] = line;
                }
            }
            None => {
                self.reasons.push((reason.to_string(), 1));
                self.first_lines.push(line);
            }
        }
    }

    pub fn total(&self) -> u64 {
        self.reasons.iter().map(|(_, n)| n).sum()
    }

    /// The line of the first input line skipped for the `i`-th reason, when known.
    pub fn first_line(&self, i: usize) -> Option<u64> {
        self.first_lines.get(i).copied().flatten()
    }

    /// One item per reason, for summaries: `3 malformed line (first: line 17)`.
    pub fn items(&self) -> Vec<String> {
        (self.reasons.iter().enumerate())
            .map(|(i, (reason, n))| match self.first_line(i) {
                Some(line) => format!("{n} {reason} (first: line {line})"),
                None => format!("{n} {reason}"),
            })
            .collect()
    }
}

/// A workload ready to simulate: jobs sorted by submit time (ties in input order).
#[derive(Clone, Debug, Default)]
pub struct Workload {
    pub jobs: Vec<Job>,
    /// User names, indexed by `Job::user`.
    pub users: Vec<String>,
    /// Group names, indexed by `Job::group`.
    pub groups: Vec<String>,
    /// Tier names, indexed by `Job::tier`.
    pub tiers: Vec<String>,
    pub skipped: SkipReport,
}

impl Workload {
    /// `Ok` when no job has a submit time, run time, estimate or think time past
    /// [`MAX_TIME`](crate::limits::MAX_TIME), else a message naming the first such job.
    pub fn check_times(&self) -> Result<(), String> {
        use crate::limits::{MAX_TIME, MAX_TIME_SECS, show};
        for j in &self.jobs {
            let times = [
                ("submit time", j.submit),
                ("run time", j.runtime),
                ("estimate", j.estimate),
                ("think time", j.dep_delay()),
            ];
            if let Some((what, t)) = times.into_iter().find(|&(_, t)| t > MAX_TIME) {
                return Err(format!(
                    "job {}: its {what} of {} s is past the maximum time of {MAX_TIME_SECS} s (about 317 years)",
                    j.id,
                    show(super::time::as_secs_f64(t))
                ));
            }
        }
        Ok(())
    }

    /// Scales the offered load by `load`: submit times after the first are divided by it (rounded to
    /// the µs), so `load = 2` packs the same jobs into half the span. `1` changes nothing.
    pub fn scale_load(&mut self, load: f64) {
        if load == 1.0 {
            return;
        }
        let Some(t0) = self.jobs.first().map(|j| j.submit) else { return };
        for j in &mut self.jobs {
            j.submit = t0.saturating_add(((j.submit - t0) as f64 / load).round() as u64);
        }
    }
}

impl Workload {
    /// Sorts jobs by submit time (stable) and remaps dependency indices accordingly.
    pub fn sort_by_submit(&mut self) {
        if self.jobs.windows(2).all(|w| w[0].submit <= w[1].submit) {
            return;
        }
        let mut order: Vec<usize> = (0..self.jobs.len()).collect();
        order.sort_by_key(|&i| self.jobs[i].submit);
        let mut new_index = vec![0u32; order.len()];
        for (new, &old) in order.iter().enumerate() {
            new_index[old] = new as u32;
        }
        let mut old: Vec<Option<Job>> = std::mem::take(&mut self.jobs).into_iter().map(Some).collect();
        self.jobs = order.iter().map(|&i| old[i].take().expect("each job moved once")).collect();
        for job in &mut self.jobs {
            if !job.deps().is_empty() {
                let deps = job.deps().iter().map(|&d| new_index[d as usize]).collect();
                job.set_deps(deps);
            }
        }
    }

    pub fn user_name(&self, u: u32) -> &str {
        self.users.get(u as usize).map(String::as_str).unwrap_or("?")
    }

    pub fn tier_name(&self, t: u8) -> String {
        self.tiers.get(t as usize).cloned().unwrap_or_else(|| t.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A million-job workload is a million of these: the rare properties stay behind one box.
    #[test]
    fn a_rigid_job_stays_small() {
        assert!(std::mem::size_of::<Job>() <= 96, "Job is {} bytes", std::mem::size_of::<Job>());
    }

    #[test]
    fn unset_extras_leave_the_job_equal_to_a_plain_one() {
        let plain = Job::rigid(1, 0, 1, Resources::new(1, 0, 0), 10, 10);
        let mut job = plain.clone();
        job.set_deps(vec![3]);
        job.set_dep_delay(5);
        job.set_key(Some(9));
        assert_eq!((job.deps(), job.dep_delay(), job.key()), (&[3][..], 5, Some(9)));
        job.set_deps(Vec::new());
        job.set_dep_delay(0);
        job.set_key(None);
        assert_eq!(job, plain);
    }
}
