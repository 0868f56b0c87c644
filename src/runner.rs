//! Runs a scenario: builds the workload, cluster and policies, simulates, computes metrics, writes the files.

use crate::engine::{RunOutput, Simulation};
use crate::error::{Error, Result};
use crate::metrics::{RunMetrics, summarize};
use crate::model::Workload;
use crate::output::RunInfo;
use crate::output::files;
use crate::scenario::{RunPlan, Scenario};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::Arc;

/// A scenario loaded from disk with the hash of its bytes.
pub struct LoadedScenario {
    pub scenario: Scenario,
    /// First 16 hex digits of the SHA-256 of the file.
    pub hash: String,
}

impl LoadedScenario {
    pub fn load(path: &Path) -> Result<LoadedScenario> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let scenario = Scenario::load(path)?;
        Ok(LoadedScenario { scenario, hash: hash_hex(&bytes) })
    }
}

/// First 16 hex digits of the SHA-256 of `bytes`.
pub fn hash_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// One finished run: who it was, what it measured, and the raw output.
pub struct RunResult {
    pub info: RunInfo,
    pub metrics: RunMetrics,
    pub output: RunOutput,
}

/// Options of a single run beyond the scenario.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    pub log_events: bool,
    /// Check invariants after every event (slow; for tests).
    pub audit: bool,
}

/// Runs a compiled plan through the engine: the simulation with its fault model, if any.
pub fn simulate_plan(plan: RunPlan, opts: &RunOptions) -> RunOutput {
    start_plan(plan, opts).run()
}

/// The simulation of a compiled plan with its fault model, if any, not yet run: for a driver that
/// steps it ([`Simulation::step`]) or swapped one of the plan's policies first.
pub fn start_plan(plan: RunPlan, opts: &RunOptions) -> Simulation {
    let RunPlan { workload, cluster, policies, mut options, faults, .. } = plan;
    options.log_events = opts.log_events;
    options.audit = opts.audit;
    let mut sim = Simulation::new(workload, cluster, policies, options);
    if let Some(layer) = faults {
        sim = sim.with_faults(layer);
    }
    sim
}

/// A warning when the timeline of `r` has a longer interval than the scenario's `sample_interval`
/// asked for: the run would have had more than [`MAX_SAMPLES`](crate::limits::MAX_SAMPLES) samples.
pub fn timeline_warning(r: &RunResult, sc: &Scenario) -> Option<String> {
    let asked = sc.metrics.sample_interval?.micros();
    let got = match &r.output.timeline[..] {
        [a, b, ..] => b.time - a.time,
        _ => return None,
    };
    (got > asked).then(|| {
        format!(
            "warning: metrics.sample_interval = \"{}\" would give more than {} timeline samples: timeline.csv has one every {}",
            sc.metrics.sample_interval.unwrap_or_default(),
            crate::limits::group(crate::limits::MAX_SAMPLES as u64),
            crate::model::Duration(got)
        )
    })
}

/// Simulates `sc` with `seed` on `workload` (built by the caller so that policies compared on one
/// seed share it): compile, simulate, measure.
pub fn simulate(sc: &Scenario, hash: &str, seed: u64, workload: Arc<Workload>, opts: &RunOptions) -> Result<RunResult> {
    let plan = sc.compile(seed, workload).map_err(|source| Error::Scenario { path: sc.name.clone().into(), source })?;
    Ok(measure(sc, hash, plan, opts))
}

/// Simulates a compiled plan of `sc` and measures it; the plan may have had a policy swapped (a
/// policy written outside the crate), which `RunInfo` then still names by the scenario's choice.
pub fn measure(sc: &Scenario, hash: &str, plan: RunPlan, opts: &RunOptions) -> RunResult {
    let (seed, metrics_config) = (plan.seed, plan.metrics);
    let output = simulate_plan(plan, opts);
    let metrics = summarize(&output, &metrics_config);
    let info = RunInfo {
        run_id: "run".into(),
        scenario: sc.name.clone(),
        scenario_hash: hash.to_string(),
        seed,
        selection: sc.policy.selection.to_string(),
        allocation: sc.policy.allocation.to_string(),
        queue: sc.policy.queue.to_string(),
        recovery: sc.policy.recovery.to_string(),
    };
    RunResult { info, metrics, output }
}

/// The first half of [`execute`], which `validate` runs alone: the workload of `sc` for `seed` read as
/// every run reads it, refused when empty, and the scenario compiled on it; errors name the scenario
/// file `source` and the key's line.
pub fn compile(sc: &Scenario, source: &Path, seed: u64, load: f64) -> Result<RunPlan> {
    let mut workload = nonempty(sc.read_workload(source, seed)?, sc, source)?;
    workload.scale_load(load);
    if load != 1.0 {
        // arrivals stretched by a sweep's `load` may pass the maximum time
        workload
            .check_times()
            .map_err(|m| Error::Other(format!("{}: workload at load {load}: {m}", source.display())))?;
    }
    compile_on(sc, source, seed, Arc::new(workload))
}

/// Compiles `sc` on a workload already read; errors name the scenario file `source` and the key's line.
pub fn compile_on(sc: &Scenario, source: &Path, seed: u64, workload: Arc<Workload>) -> Result<RunPlan> {
    sc.compile(seed, workload)
        .map_err(|e| Error::Scenario { path: source.to_path_buf(), source: crate::scenario::locate_in_file(source, e) })
}

/// The one run pipeline that `run`, sweeps and `check` share: the workload of `sc` for `seed` read as
/// every run reads it (errors name the scenario file `source`; an empty workload is refused), its
/// submissions scaled to `load`, then compiled, simulated and measured.
pub fn execute(sc: &Scenario, source: &Path, hash: &str, seed: u64, load: f64, opts: &RunOptions) -> Result<RunResult> {
    let plan = compile(sc, source, seed, load)?;
    Ok(measure(sc, hash, plan, opts))
}

/// `workload`, or an error naming the scenario file `source` and why no job is left (with the skip
/// counts of a trace): an empty workload would give metrics that mean nothing.
pub fn nonempty(workload: Workload, sc: &Scenario, source: &Path) -> Result<Workload> {
    if !workload.jobs.is_empty() {
        return Ok(workload);
    }
    use crate::scenario::WorkloadSpec;
    let why = match &sc.workload {
        WorkloadSpec::Synthetic(_) => "`workload.jobs` is 0".to_string(),
        WorkloadSpec::List(_) => "`workload.jobs` is an empty list".to_string(),
        WorkloadSpec::Swf(s) => format!("no job of the trace {} is left", s.path.display()),
        WorkloadSpec::Csv(c) => format!("the job list {} has no job rows", c.path.display()),
        WorkloadSpec::Openb(o) => format!("the pod list {} has no pod left", o.path.display()),
    };
    let skipped = &workload.skipped;
    let report = if skipped.total() > 0 {
        format!(" (skipped {}: {})", skipped.total(), skipped.items().join(", "))
    } else {
        String::new()
    };
    Err(Error::Other(format!("{}: the workload has no jobs: {why}{report}", source.display())))
}

/// The input notes of a workload read from a file (a header count that does not match the file,
/// dropped dependencies), one `warning: FILE: note` line each, on stderr (shown even with `--quiet`).
pub fn warn_input_notes(workload: &Workload, sc: &Scenario) {
    for line in input_warnings(workload, sc) {
        eprintln!("{line}");
    }
}

/// The lines [`warn_input_notes`] prints.
pub fn input_warnings(workload: &Workload, sc: &Scenario) -> Vec<String> {
    let source = sc.workload.file().map_or_else(|| "workload".to_string(), |f| f.display().to_string());
    workload.skipped.notes.iter().map(|note| format!("warning: {source}: {note}")).collect()
}

/// One warning line on stderr when jobs were rejected because they fit on no node: their count and
/// the first one's id and reason. Shown even with `--quiet` (it says the results miss those jobs).
pub fn warn_rejected(r: &RunResult) {
    for line in rejected_warning(r).into_iter().chain(never_fits_warning(r)) {
        eprintln!("{line}");
    }
}

/// One warning line when jobs were ended because nothing could ever start them (`never fits`):
/// their count and the first one's id and reason.
pub fn never_fits_warning(r: &RunResult) -> Option<String> {
    let mut ended = r
        .output
        .workload
        .jobs
        .iter()
        .zip(&r.output.records)
        .filter_map(|(j, rec)| rec.reason.as_deref().filter(|m| m.starts_with("never fits")).map(|m| (j.id, m)));
    let (job, reason) = ended.next()?;
    Some(format!(
        "warning: {} of {} jobs were ended because they could never start (e.g. job {job}: {reason})",
        1 + ended.count(),
        r.output.workload.jobs.len()
    ))
}

/// The line [`warn_rejected`] prints, if any job was rejected.
pub fn rejected_warning(r: &RunResult) -> Option<String> {
    if r.metrics.rejected == 0 {
        return None;
    }
    let (job, reason) = r
        .output
        .workload
        .jobs
        .iter()
        .zip(&r.output.records)
        .find_map(|(j, rec)| rec.reason.as_deref().filter(|m| m.starts_with("rejected")).map(|m| (j.id, m)))?;
    Some(format!(
        "warning: {} of {} jobs were rejected because they fit on no node (e.g. job {job}: {reason})",
        r.metrics.rejected,
        r.output.workload.jobs.len()
    ))
}

/// Writes every per-run file of `r` into `dir`; `manifest.json` last, so its presence marks a complete run.
pub fn write_run(dir: &Path, r: &RunResult, sc: &Scenario) -> Result<()> {
    let out = &r.output;
    files::write_jobs(&dir.join("jobs.csv"), out, sc.metrics.bsld_tau.micros())?;
    files::write_nodes(&dir.join("nodes.csv"), &out.cluster)?;
    files::write_timeline(&dir.join("timeline.csv"), out)?;
    files::write_summary(&dir.join("summary.csv"), &[(r.info.clone(), r.metrics.clone())])?;
    files::write_groups(&dir.join("tiers.csv"), "tier", &out.workload.tiers, &r.metrics.tiers)?;
    files::write_groups(&dir.join("users.csv"), "user", &out.workload.users, &r.metrics.users)?;
    crate::output::starvation::write_starvation(&dir.join("starvation.csv"), &out.workload, &r.metrics)?;
    if out.log.is_some() {
        files::write_events(&dir.join("events.csv"), out)?;
    }
    files::write_manifest(&dir.join("manifest.json"), &r.info, out)
}

/// A short human-readable summary table of one run.
/// `input lines skipped N: a reason, b reason` for what reading a workload left out; `None` when nothing was.
pub fn skipped_line(skipped: &crate::model::SkipReport) -> Option<String> {
    if skipped.total() == 0 {
        return None;
    }
    Some(format!("input lines skipped {}: {}", skipped.total(), skipped.items().join(", ")))
}

pub fn summary_table(r: &RunResult) -> String {
    let m = &r.metrics;
    let a = &m.all;
    let mut s = String::new();
    let i = &r.info;
    s += &format!(
        "scenario {}  seed {}  policies: selection={} allocation={} queue={} recovery={}\n",
        i.scenario, i.seed, i.selection, i.allocation, i.queue, i.recovery
    );
    s += &format!(
        "jobs {:>8}   completed {}  failed {}  cancelled {} (rejected {})  unfinished {}\n",
        a.jobs, a.completed, a.failed, a.cancelled, m.rejected, a.unfinished
    );
    if a.not_submitted > 0 {
        s += &format!("not submitted {} (submit time after the horizon)\n", a.not_submitted);
    }
    if let Some(line) = skipped_line(&r.output.workload.skipped) {
        s += &line;
        s += "\n";
    }
    let row = |name: &str, v: String, unit: &str| format!("  {name:<26}{v:>14} {unit}\n");
    s += &row("wait mean", format!("{:.1}", a.wait_mean), "s");
    s += &row("wait p50 / p95 / p99", format!("{:.0} / {:.0} / {:.0}", a.wait_p50, a.wait_p95, a.wait_p99), "s");
    s += &row("wait max", format!("{:.0}", a.wait_max), "s");
    s += &row("bounded slowdown mean", format!("{:.2}", a.bsld_mean), "");
    s += &row("starved", format!("{} ({:.1}%)", a.starved, 100.0 * a.starved_frac), "jobs");
    s += &row("starved, room was free", a.starved_with_free_capacity.to_string(), "jobs");
    s += &row("waited, room was free", a.waited_with_free_capacity.to_string(), "jobs");
    s += &row(
        "utilization cpu/mem/gpu",
        format!("{:.1}/{:.1}/{:.1}", 100.0 * m.util_cpu, 100.0 * m.util_mem, 100.0 * m.util_gpu),
        "%",
    );
    s += &row("Jain fairness (bsld)", format!("{:.3}", m.jain_bsld), "");
    s += &row("throughput", format!("{:.1}", m.throughput_per_h), "jobs/h");
    s += &row("makespan", format!("{:.0}", m.makespan), "s");
    s += &row("queue mean / max", format!("{:.1} / {:.0}", m.queue_mean, m.queue_max), "jobs");
    s += &crate::metrics::faults::summary_lines(&m.faults);
    s
}
