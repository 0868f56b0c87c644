//! Running a study: the runs of the matrix (or of one shard) in parallel on a rayon pool, results written
//! in matrix order as they complete, resumable, with failures reported by run id.
//!
//! Workers take run indices in increasing order from one counter, so results arrive nearly in order and
//! the reorder buffer holds only the runs that finished ahead of a slower one. A finished run keeps
//! nothing but its summary row: its job records are written to `runs/<id>/` and dropped.

use super::plan::{ConfigScenario, PlannedRun, Study};
use super::tables::{self, ComparisonWriter, StreamingCsv};
use crate::error::{Error, Result};
use crate::output::atomic::write_atomic;
use crate::runner::{self, RunOptions};
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock, mpsc};

/// `--shard K/N`: the runs whose matrix index i has i mod N = K (0 ≤ K < N).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Shard, String> {
        let bad = || format!("`{s}` is not a shard (expected K/N with 0 ≤ K < N, e.g. 0/4)");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let (index, count): (usize, usize) =
            (k.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl Shard {
    /// Number of the study's `runs` that fall in this shard.
    pub fn len(&self, runs: usize) -> usize {
        if self.index >= runs { 0 } else { (runs - self.index).div_ceil(self.count) }
    }

    pub fn is_empty(&self, runs: usize) -> bool {
        self.len(runs) == 0
    }

    /// Matrix index of the shard's `k`-th run.
    pub fn run(&self, k: usize) -> usize {
        self.index + k * self.count
    }
}

/// How to run a study.
#[derive(Clone, Debug, Default)]
pub struct SweepOptions {
    pub out: PathBuf,
    /// Where `--resume` looks for complete runs (the study's output folder, when `out` is a staging
    /// folder that replaces it); `None`: `out` itself.
    pub resume_from: Option<PathBuf>,
    /// Worker threads; 0 = one per core.
    pub jobs: usize,
    pub shard: Option<Shard>,
    /// Skip runs whose directory holds a `manifest.json` for the same scenario, configuration and seed.
    pub resume: bool,
    /// Start no new run after the first failure.
    pub fail_fast: bool,
    /// Draw a progress bar on stderr.
    pub progress: bool,
    pub run: RunOptions,
}

/// A run that did not complete.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    pub index: usize,
    pub run_id: String,
    pub message: String,
}

/// What a study run did.
#[derive(Clone, Debug, Default)]
pub struct SweepOutcome {
    /// Runs in this shard (all runs when unsharded).
    pub planned: usize,
    /// Runs simulated now.
    pub simulated: usize,
    /// Runs found complete and reused (`--resume`).
    pub resumed: usize,
    pub failures: Vec<Failure>,
    /// Runs never started because `--fail-fast` stopped the study.
    pub skipped: usize,
}

impl SweepOutcome {
    pub fn ok(&self) -> bool {
        self.failures.is_empty() && self.skipped == 0
    }
}

/// The result of one run, as the collector sees it.
enum Done {
    Row { row: Vec<String>, resumed: bool },
    Failed(String),
}

/// Runs `study` (or the shard `opts.shard` of it) into `opts.out`: `runs/<id>/`, `summary.csv`,
/// `comparison.csv` (not for a shard: merge the shards) and `manifest.json`, written last.
pub fn run_study(study: &Study, opts: &SweepOptions) -> Result<SweepOutcome> {
    super::preflight::every_configuration_invalid(study)?;
    let total = study.ids.runs();
    let shard = opts.shard.unwrap_or(Shard { index: 0, count: 1 });
    let planned = shard.len(total);
    let threads = match opts.jobs {
        0 => std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        n => n,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Other(format!("cannot start {threads} worker threads: {e}")))?;
    let parameters = study.spec.parameter_keys();
    let mut summary = StreamingCsv::create(&opts.out.join("summary.csv"), &tables::summary_header(&parameters))?;
    let comparison_path = opts.out.join("comparison.csv");
    let mut comparison = match opts.shard {
        None => Some(ComparisonWriter::create(&comparison_path, &parameters)?),
        Some(_) => {
            // A shard has no comparison of its own; one left by an earlier whole run would not match.
            if comparison_path.exists() {
                std::fs::remove_file(&comparison_path).map_err(|e| Error::io(&comparison_path, e))?;
            }
            None
        }
    };
    let progress = progress_bar(planned as u64, opts.progress);

    let cache = ConfigCache::new(threads);
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let mut outcome = SweepOutcome { planned, ..Default::default() };
    let mut write_error: Option<Error> = None;
    let (tx, rx) = mpsc::channel::<(usize, Done)>();
    pool.in_place_scope(|scope| {
        for _ in 0..threads.min(planned) {
            let tx = tx.clone();
            let (next, stop, cache) = (&next, &stop, &cache);
            scope.spawn(move |_| {
                while !stop.load(Ordering::Relaxed) {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    if k >= planned {
                        break;
                    }
                    let plan = study.plan(shard.run(k));
                    let done = execute_guarded(study, &plan, opts, cache);
                    if opts.fail_fast && matches!(done, Done::Failed(_)) {
                        stop.store(true, Ordering::Relaxed);
                    }
                    if tx.send((k, done)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        // Collect in matrix order: `pending` holds results that finished ahead of `expected`.
        let mut pending: BTreeMap<usize, Done> = BTreeMap::new();
        let mut expected = 0;
        let mut emit = |k: usize, done: Done, outcome: &mut SweepOutcome| -> Result<()> {
            let index = shard.run(k);
            match done {
                Done::Row { row, resumed } => {
                    if resumed {
                        outcome.resumed += 1;
                    } else {
                        outcome.simulated += 1;
                    }
                    summary.row(&row)?;
                    if let Some(c) = comparison.as_mut() {
                        c.push(index / study.ids.replications, &row)?;
                    }
                }
                Done::Failed(message) => {
                    outcome.failures.push(Failure { index, run_id: study.ids.id(index), message });
                }
            }
            Ok(())
        };
        for (k, done) in rx {
            progress.inc(1);
            if let Done::Failed(message) = &done {
                let id = study.ids.id(shard.run(k));
                progress.suspend(|| eprintln!("run {id} failed: {}", crate::error::cap_message(message)));
            }
            pending.insert(k, done);
            while let Some(done) = pending.remove(&expected) {
                if write_error.is_none()
                    && let Err(e) = emit(expected, done, &mut outcome)
                {
                    write_error = Some(e);
                    stop.store(true, Ordering::Relaxed);
                }
                expected += 1;
            }
        }
        // With --fail-fast some runs never ran: write what did, still in order.
        for (k, done) in std::mem::take(&mut pending) {
            if write_error.is_none()
                && let Err(e) = emit(k, done, &mut outcome)
            {
                write_error = Some(e);
            }
        }
    });
    progress.finish_and_clear();
    if let Some(e) = write_error {
        return Err(e);
    }
    outcome.skipped = planned - outcome.simulated - outcome.resumed - outcome.failures.len();
    summary.finish()?;
    if let Some(c) = comparison {
        c.finish()?;
    }
    let ok = outcome.simulated + outcome.resumed;
    write_manifest(&opts.out, study.manifest(), opts.shard, ok, &outcome.failures)?;
    Ok(outcome)
}

/// `manifest.json` of a study or shard: the study, the shard (if any), the runs that completed, the
/// failures, and what the runs left out of their input (see [`super::inputs`]; read from the run
/// directories, so `summary.csv` and the runs must be in place).
pub fn write_manifest(
    out: &Path,
    study: serde_json::Value,
    shard: Option<Shard>,
    runs_ok: usize,
    failures: &[Failure],
) -> Result<()> {
    let mut m = serde_json::json!({
        "tool": "clustersim",
        "version": env!("CARGO_PKG_VERSION"),
        "study": study,
    });
    if let Some(s) = shard {
        m["shard"] = serde_json::json!({ "index": s.index, "count": s.count });
    }
    m["runs_ok"] = serde_json::json!(runs_ok);
    m["runs_failed"] = failures.iter().map(|f| serde_json::json!({ "run_id": f.run_id, "error": f.message })).collect();
    m["input_reports"] = super::inputs::to_json(&super::inputs::input_reports(out));
    write_atomic(&out.join("manifest.json"), |w| {
        serde_json::to_writer_pretty(&mut *w, &m).map_err(std::io::Error::other)?;
        w.write_all(b"\n")
    })
}

/// Configuration scenarios shared by the workers. Building one may read trace headers or fit
/// distributions to a trace, so each is built once. Runs are handed out in matrix order, so only the
/// last few configurations are kept, and a worker that would wait for another to finish building a
/// configuration builds the next one meanwhile (it is needed soon) instead of idling.
struct ConfigCache {
    /// Configurations more than this far behind the newest one asked for are dropped.
    window: usize,
    slots: Mutex<BTreeMap<usize, Arc<ConfigSlot>>>,
}

/// One configuration's scenario, built by the first worker that claims it.
#[derive(Default)]
struct ConfigSlot {
    claimed: AtomicBool,
    built: OnceLock<std::result::Result<ConfigScenario, String>>,
}

impl ConfigSlot {
    /// True for the one caller that claims the slot first.
    fn claim(&self) -> bool {
        !self.claimed.swap(true, Ordering::Relaxed)
    }

    /// The scenario of configuration `c`, built here unless another worker has (or is building) it.
    fn build(&self, study: &Study, c: usize) -> &std::result::Result<ConfigScenario, String> {
        self.claimed.store(true, Ordering::Relaxed);
        self.built.get_or_init(|| study.scenario(c))
    }
}

impl ConfigCache {
    fn new(threads: usize) -> Self {
        ConfigCache { window: threads + 1, slots: Mutex::new(BTreeMap::new()) }
    }

    /// The slot of configuration `c`, shared by every worker that runs one of its replications.
    fn slot(&self, c: usize) -> Arc<ConfigSlot> {
        let mut slots = self.slots.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let slot = slots.entry(c).or_default().clone();
        while slots.first_key_value().is_some_and(|(k, _)| k + self.window < c) {
            slots.pop_first();
        }
        slot
    }

    /// The slot of configuration `c`, after building configuration c + 1 if another worker is busy
    /// building `c` (the caller then builds or waits for `c` with [`ConfigSlot::build`]).
    fn slot_prefetching(&self, study: &Study, c: usize) -> Arc<ConfigSlot> {
        let slot = self.slot(c);
        if slot.built.get().is_none() && !slot.claim() && c + 1 < study.ids.configurations {
            let next = self.slot(c + 1);
            if next.claim() {
                next.build(study, c + 1);
            }
        }
        slot
    }
}

/// Runs one plan, turning an error or a panic into a failure of that run.
fn execute_guarded(study: &Study, plan: &PlannedRun, opts: &SweepOptions, cache: &ConfigCache) -> Done {
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| execute(study, plan, opts, cache)));
    match result {
        Ok(Ok(done)) => done,
        // Messages from the TOML parser span lines; a failure is reported on one.
        Ok(Err(message)) => {
            let message = message.split_whitespace().collect::<Vec<_>>().join(" ");
            Done::Failed(format!("{} ({message})", study.config_label(plan.config)))
        }
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Done::Failed(format!("{} (panicked: {what})", study.config_label(plan.config)))
        }
    }
}

/// Runs one plan, or reuses its complete outputs under `--resume`.
fn execute(
    study: &Study,
    plan: &PlannedRun,
    opts: &SweepOptions,
    cache: &ConfigCache,
) -> std::result::Result<Done, String> {
    let dir = opts.out.join("runs").join(&plan.id);
    let hash = study.run_hash(plan);
    let parameters = study.parameter_values(plan.config);
    // A complete run is reused when it has the files this invocation writes: with `--events` its
    // event log (else it is run again); without, a log left by an earlier `--events` is left out.
    let old = opts.resume_from.as_deref().unwrap_or(&opts.out).join("runs").join(&plan.id);
    let events = old.join("events.csv");
    if opts.resume
        && let Some(row) = completed_row(&old, &hash)
        && (!opts.run.log_events || events.exists())
    {
        let skip = |f: &Path| !opts.run.log_events && f.file_name() == Some("events.csv".as_ref());
        if old != dir {
            crate::output::staging::link_tree(&old, &dir, &skip).map_err(|e| format!("{}: {e}", dir.display()))?;
        } else if skip(&events) && events.exists() {
            std::fs::remove_file(&events).map_err(|e| format!("{}: {e}", events.display()))?;
        }
        return Ok(Done::Row { row: tables::splice_parameters(row, &parameters), resumed: true });
    }
    let slot = cache.slot_prefetching(study, plan.config);
    let config = slot.build(study, plan.config).as_ref().map_err(|e| e.clone())?;
    let sc = &config.scenario;
    let mut result =
        runner::execute(sc, &study.path, &hash, plan.seed, config.load, &opts.run).map_err(|e| e.to_string())?;
    result.info.run_id = plan.id.clone();
    if dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    runner::write_run(&dir, &result, sc).map_err(|e| e.to_string())?;
    let row = crate::output::files::summary_row(&result.info, &result.metrics);
    Ok(Done::Row { row: tables::splice_parameters(row, &parameters), resumed: false })
}

/// The summary row of a complete run directory whose manifest carries `hash`.
fn completed_row(dir: &Path, hash: &str) -> Option<Vec<String>> {
    let manifest: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).ok()?).ok()?;
    if manifest.get("scenario_hash")?.as_str()? != hash {
        return None;
    }
    tables::read_run_row(&dir.join("summary.csv"))
}

/// A bar on stderr (runs done / total, elapsed, ETA), or a hidden one.
fn progress_bar(len: u64, visible: bool) -> ProgressBar {
    if !visible {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    let style = ProgressStyle::with_template("{bar:40} {pos}/{len} runs  elapsed {elapsed_precise}  ETA {eta_precise}")
        .expect("valid template");
    bar.set_style(style);
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_matrix() {
        let s: Shard = "1/4".parse().unwrap();
        assert_eq!((s.len(10), s.run(0), s.run(2)), (3, 1, 9));
        assert_eq!("3/4".parse::<Shard>().unwrap().len(10), 2);
        assert!("4/4".parse::<Shard>().is_err() && "0/0".parse::<Shard>().is_err() && "x".parse::<Shard>().is_err());
        let covered: usize = (0..4).map(|k| Shard { index: k, count: 4 }.len(10)).sum();
        assert_eq!(covered, 10);
        assert!(Shard { index: 5, count: 8 }.is_empty(3));
    }

    #[test]
    fn the_cache_shares_a_slot_and_keeps_a_window() {
        let cache = ConfigCache::new(2);
        let a = cache.slot(0);
        assert!(Arc::ptr_eq(&a, &cache.slot(0)), "one slot per configuration");
        for c in 1..=3 {
            cache.slot(c);
        }
        assert!(Arc::ptr_eq(&a, &cache.slot(0)), "within the window: kept");
        cache.slot(4);
        let keys: Vec<usize> = cache.slots.lock().unwrap().keys().copied().collect();
        assert_eq!(keys, [1, 2, 3, 4]);
    }

    #[test]
    fn a_worker_that_would_wait_builds_the_next_configuration() {
        let text = "name = \"p\"\n[[cluster.pools]]\nname = \"p\"\ncount = 1\ncpu = 1\n\
                    [workload]\ntype = \"list\"\njobs = [{ submit = 0, runtime = 1 }]\n\
                    [sweep]\nnode_scale = [1, 2, 3]\n";
        let study = Study::from_text(text, std::path::Path::new("p.toml"), "h", None).unwrap();
        let cache = ConfigCache::new(2);
        // Nobody builds configuration 0 yet: this worker claims it and builds nothing else.
        let zero = cache.slot_prefetching(&study, 0);
        assert!(cache.slot(1).built.get().is_none());
        // Another worker asks for 0 while it is claimed but not built: it builds 1 meanwhile.
        cache.slot_prefetching(&study, 0);
        let one = cache.slot(1);
        assert_eq!(one.built.get().unwrap().as_ref().unwrap().scenario.cluster.pools[0].count, 2);
        assert_eq!(zero.build(&study, 0).as_ref().unwrap().scenario.cluster.pools[0].count, 1);
        // The last configuration has no next one to build.
        cache.slot(2).claim();
        cache.slot_prefetching(&study, 2);
        assert!(cache.slot(3).built.get().is_none());
    }
}
