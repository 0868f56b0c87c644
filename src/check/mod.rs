//! `clustersim check`: compares fresh results of scenarios with a committed baseline under per-metric tolerances.
//!
//! A baseline is `<DIR>/<scenario name>/summary.csv` (one row per run, keyed by `run_id`) and a
//! `manifest.json` ([`baseline::BaselineManifest`]). Tolerances come from the scenario's `[check]`
//! table, then from a `check.toml` (its `[check]` table), then the built-in direction of each metric
//! with a zero tolerance ([`rules`]). See `docs/ci.md`.

pub mod baseline;
pub mod compare;
pub mod format;
mod gpu;
pub mod report;
pub mod rules;
pub mod summary;
pub mod table;

pub use format::Format;
pub use report::Report;
pub use rules::CheckSpec;

use crate::error::{Error, Result};
use crate::output::files::{summary_header, summary_row};
use crate::output::staging::Staging;
use crate::runner::{self, LoadedScenario, RunOptions};
use crate::scenario::gpu_sharing::{GpuSharingScenario, is_gpu_sharing};
use crate::sweep::{Study, SweepOptions, run_study};
use baseline::{Baseline, BaselineManifest};
use rayon::prelude::*;
use report::ScenarioReport;
use rules::Verdict;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use table::SummaryTable;

/// What to check against what.
#[derive(Clone, Debug, Default)]
pub struct CheckOptions {
    /// Root of the baselines: one directory per scenario name.
    pub baseline: PathBuf,
    /// Read fresh results from here (`<DIR>/<name>/`, or `<DIR>` itself for one scenario) instead of running.
    pub results: Option<PathBuf>,
    /// A `check.toml`; by default `<baseline>/check.toml` when it exists.
    pub tolerances: Option<PathBuf>,
    /// Write the fresh results as the new baseline.
    pub update_baseline: bool,
    /// Compare even when the baseline was made from a different version of the scenario file.
    pub allow_scenario_change: bool,
    /// Worker threads (scenarios are checked in parallel, and the runs of a sweep); `None` = one per core.
    pub jobs: Option<usize>,
    /// Keep the fresh results in `<out>/<name>/` (by default they go to a temporary directory).
    pub out: Option<PathBuf>,
}

/// `check.toml`: a `[check]` table that applies to every scenario.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckFile {
    #[serde(default)]
    check: CheckSpec,
}

/// Reads the tolerance file, if any.
fn load_check_file(opts: &CheckOptions) -> Result<CheckSpec> {
    let (path, required) = match &opts.tolerances {
        Some(p) => (p.clone(), true),
        None => (opts.baseline.join("check.toml"), false),
    };
    if !required && !path.exists() {
        return Ok(CheckSpec::default());
    }
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    let file: CheckFile = toml::from_str(&text)
        .map_err(|e| Error::Parse { path: path.clone(), message: e.to_string().trim_end().into() })?;
    file.check.validate("check").map_err(|source| Error::Scenario { path: path.clone(), source })?;
    Ok(file.check)
}

/// Checks (or, with `update_baseline`, re-baselines) every scenario. Problems with one scenario are
/// reported in its section; only a bad tolerance file or thread pool is an `Err`.
pub fn check(scenarios: &[PathBuf], opts: &CheckOptions) -> Result<Report> {
    let shared = load_check_file(opts)?;
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = opts.jobs {
        builder = builder.num_threads(n.max(1));
    }
    let pool = builder.build().map_err(|e| Error::Other(format!("cannot start worker threads: {e}")))?;
    // Two files with one scenario name would share (and overwrite) one baseline directory: the later
    // ones are refused before anything runs.
    let names: Vec<Option<String>> = scenarios.iter().map(|p| scenario_name(p)).collect();
    let clash = |i: usize| -> Option<ScenarioReport> {
        let name = names[i].as_ref()?;
        let first = (0..i).find(|&j| names[j].as_ref() == Some(name))?;
        Some(ScenarioReport {
            name: name.clone(),
            file: scenarios[i].display().to_string(),
            baseline_dir: baseline::dir_of(&opts.baseline, name),
            errors: vec![format!(
                "scenario name `{name}` is also used by {}: each scenario needs its own name (its baseline directory)",
                scenarios[first].display()
            )],
            ..ScenarioReport::default()
        })
    };
    let reports: Vec<ScenarioReport> = pool.install(|| {
        (0..scenarios.len())
            .into_par_iter()
            .map(|i| clash(i).unwrap_or_else(|| check_scenario(&scenarios[i], i, scenarios.len(), &shared, opts)))
            .collect()
    });
    Ok(Report { scenarios: reports, updated: opts.update_baseline })
}

/// The `name` key of a scenario file, read without checking the rest (`None` if unreadable: the check says why).
fn scenario_name(path: &Path) -> Option<String> {
    let table: toml::Table = toml::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    table.get("name")?.as_str().map(str::to_string)
}

/// Checks scenario number `index` of `count`.
fn check_scenario(path: &Path, index: usize, count: usize, shared: &CheckSpec, opts: &CheckOptions) -> ScenarioReport {
    let file = path.display().to_string();
    let mut report = ScenarioReport {
        name: path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| file.clone()),
        file,
        ..ScenarioReport::default()
    };
    if let Err(e) = check_into(&mut report, path, index, count, shared, opts) {
        report.errors.push(crate::error::cap_message(&e.to_string()));
    }
    report
}

fn check_into(
    report: &mut ScenarioReport,
    path: &Path,
    index: usize,
    count: usize,
    shared: &CheckSpec,
    opts: &CheckOptions,
) -> Result<()> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let hash = baseline::scenario_hash(&text).map_err(|message| Error::Parse { path: path.to_path_buf(), message })?;
    let (name, seed, own, fresh) = if is_gpu_sharing(&text) {
        let sc = GpuSharingScenario::load(path)?;
        report.name = sc.name.clone();
        let fresh = match &opts.results {
            Some(dir) => SummaryTable::read(&results_dir(dir, count, &sc.name).join("summary.csv"))?,
            None => gpu::run_study(&sc, opts)?,
        };
        (sc.name, sc.seed, CheckSpec::default(), fresh)
    } else {
        let loaded = LoadedScenario::load(path)?;
        report.name = loaded.scenario.name.clone();
        let fresh = match &opts.results {
            Some(dir) => read_results(dir, count, &loaded)?,
            None => run_scenario(path, &loaded, index, opts)?,
        };
        let sc = loaded.scenario;
        (sc.name, sc.seed, sc.check, fresh)
    };
    report.baseline_dir = baseline::dir_of(&opts.baseline, &name);
    let layers = [&own, shared];
    let has_baseline = report.baseline_dir.join("manifest.json").exists();
    let old = if opts.update_baseline {
        // The previous baseline, if any, only to show what the update changes.
        has_baseline.then(|| Baseline::read(&report.baseline_dir)).transpose().unwrap_or_else(|e| {
            report.notes.push(format!("previous baseline unreadable ({e}); writing a new one"));
            None
        })
    } else if has_baseline {
        Some(Baseline::read(&report.baseline_dir)?)
    } else {
        return Err(Error::Other(format!(
            "no baseline for scenario `{}`: {} is missing (create it deliberately with `clustersim check {} --baseline {} --update-baseline`)",
            name,
            report.baseline_dir.join("manifest.json").display(),
            report.file,
            opts.baseline.display()
        )));
    };
    if let Some(old) = &old {
        let m = &old.manifest;
        if m.version != env!("CARGO_PKG_VERSION") {
            report.notes.push(format!(
                "baseline made by clustersim {}, this is {}",
                m.version,
                env!("CARGO_PKG_VERSION")
            ));
        }
        let changed = m.scenario_hash != hash;
        if changed && !opts.update_baseline && !opts.allow_scenario_change {
            return Err(Error::Other(format!(
                "the baseline in {} was made from a different version of {} (scenario hash {}, the file now hashes to {}): \
                 results would not be comparable; refresh the baseline with --update-baseline, or compare anyway with --allow-scenario-change",
                report.baseline_dir.display(),
                m.scenario_file,
                m.scenario_hash,
                hash
            )));
        }
        if changed {
            report.notes.push(format!(
                "the scenario file changed since the baseline (hash {} → {}){}",
                m.scenario_hash,
                hash,
                if opts.update_baseline { "" } else { "; compared anyway (--allow-scenario-change)" }
            ));
        }
        let runs = compare::compare(&old.summary, &fresh, &layers);
        if !opts.update_baseline && !opts.allow_scenario_change {
            settings_must_match(&runs, &report.baseline_dir, opts.results.as_deref())?;
        }
        report.runs = runs;
    }
    if opts.update_baseline {
        // What changed is shown, not judged: the update is deliberate.
        for run in &mut report.runs {
            report.notes.append(&mut run.errors);
            for m in &mut run.metrics {
                if m.verdict == Verdict::Missing {
                    m.verdict = Verdict::Info;
                }
            }
        }
        let manifest = BaselineManifest {
            tool: "clustersim".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            scenario: name.clone(),
            scenario_file: path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default(),
            scenario_hash: hash,
            seed,
            seeds: fresh.seeds(),
            runs: fresh.rows.len(),
        };
        Baseline::write(&report.baseline_dir, &manifest, &fresh)?;
        report.notes.push(format!(
            "baseline written: {} run(s) in {}",
            fresh.rows.len(),
            report.baseline_dir.display()
        ));
    }
    Ok(())
}

/// Results made with other run settings than the baseline (a `--seed` override, another policy or
/// sweep value: the identity columns of `summary.csv`, noted per run by [`compare::compare`]) are not
/// comparable: an error naming what differs, unless `--allow-scenario-change`.
fn settings_must_match(runs: &[report::RunReport], baseline_dir: &Path, results: Option<&Path>) -> Result<()> {
    const SHOWN: usize = 3;
    let single = runs.len() == 1 && runs[0].run_id == "run";
    let changes: Vec<String> = runs
        .iter()
        .flat_map(|r| r.notes.iter().map(move |n| if single { n.clone() } else { format!("run `{}`: {n}", r.run_id) }))
        .collect();
    if changes.is_empty() {
        return Ok(());
    }
    let mut listed = changes.iter().take(SHOWN).cloned().collect::<Vec<_>>().join("; ");
    if changes.len() > SHOWN {
        listed += &format!("; ... ({} in all)", changes.len());
    }
    let source = results.map(|d| format!(" in {}", d.display())).unwrap_or_default();
    Err(Error::Other(format!(
        "the results{source} were made with other run settings than the baseline in {} ({listed}): \
         results would not be comparable; check results made with the scenario's own settings, refresh the baseline \
         with --update-baseline, or compare anyway with --allow-scenario-change",
        baseline_dir.display()
    )))
}

/// Where the results of scenario `name` are under `--results DIR`: `DIR/<name>`, or `DIR` itself
/// when only one scenario is checked and `DIR` holds them.
fn results_dir(dir: &Path, count: usize, name: &str) -> PathBuf {
    let per_name = dir.join(name);
    if per_name.join("summary.csv").exists() || count > 1 || !dir.join("summary.csv").exists() {
        per_name
    } else {
        dir.to_path_buf()
    }
}

/// Runs the scenario (a single run, or every run of its `[sweep]`) and returns its `summary.csv` rows,
/// exactly as the file is written.
fn run_scenario(path: &Path, loaded: &LoadedScenario, index: usize, opts: &CheckOptions) -> Result<SummaryTable> {
    let sc = &loaded.scenario;
    // Kept results go to a staging folder that replaces `<out>/<name>` only once complete, as `run` does.
    let staging = opts.out.as_ref().map(|o| Staging::begin(&o.join(&sc.name))).transpose()?;
    if sc.sweep.is_some() {
        let work = WorkDir::new(staging.as_ref().map(|s| s.path().to_path_buf()), index);
        let study = Study::load(path, None)?;
        let sweep_opts = SweepOptions {
            out: work.path.clone(),
            resume_from: None,
            jobs: opts.jobs.unwrap_or(0),
            shard: None,
            resume: false,
            fail_fast: false,
            progress: false,
            run: RunOptions::default(),
        };
        let outcome = run_study(&study, &sweep_opts)?;
        if let Some(f) = outcome.failures.first() {
            return Err(Error::Other(format!(
                "{} of {} sweep runs failed, first {}: {}",
                outcome.failures.len(),
                outcome.planned,
                f.run_id,
                f.message
            )));
        }
        let table = SummaryTable::read(&work.path.join("summary.csv"))?;
        if let Some(s) = staging {
            s.commit()?;
        }
        return Ok(table);
    }
    let r = runner::execute(sc, path, &loaded.hash, sc.seed, 1.0, &RunOptions::default())?;
    if let Some(s) = staging {
        runner::write_run(s.path(), &r, sc)?;
        s.commit()?;
    }
    SummaryTable::new(summary_header(&r.metrics), vec![summary_row(&r.info, &r.metrics)], Path::new(&sc.name))
}

/// Where a sweep writes its runs: the directory asked for, else a temporary one removed on drop.
struct WorkDir {
    path: PathBuf,
    temporary: bool,
}

impl WorkDir {
    fn new(keep: Option<PathBuf>, index: usize) -> WorkDir {
        match keep {
            Some(path) => WorkDir { path, temporary: false },
            None => {
                let name = format!("clustersim-check-{}-{index}", std::process::id());
                WorkDir { path: std::env::temp_dir().join(name), temporary: true }
            }
        }
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        if self.temporary {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// Reads fresh results written by `clustersim run`: `<dir>/<name>/`, or `<dir>` itself when checking
/// one scenario and it holds a `summary.csv`. The results' manifest must carry the scenario file's hash.
fn read_results(dir: &Path, count: usize, loaded: &LoadedScenario) -> Result<SummaryTable> {
    let rdir = results_dir(dir, count, &loaded.scenario.name);
    let mpath = rdir.join("manifest.json");
    let text = std::fs::read_to_string(&mpath).map_err(|e| Error::io(&mpath, e))?;
    let manifest: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| Error::Parse { path: mpath.clone(), message: e.to_string() })?;
    // A single run's manifest has `scenario_hash`; a sweep's has it under `study`.
    let made_from = [&manifest, &manifest["study"]]
        .iter()
        .find_map(|m| m.get("scenario_hash").and_then(|h| h.as_str()))
        .unwrap_or("(none)");
    if made_from != loaded.hash {
        return Err(Error::Other(format!(
            "the results in {} were made from a different version of the scenario (hash {made_from}, the file now hashes to {}): run it again",
            rdir.display(),
            loaded.hash
        )));
    }
    SummaryTable::read(&rdir.join("summary.csv"))
}
