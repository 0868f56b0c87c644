//! The sweep side of the command line: `run` on a scenario with `[sweep]`, `merge`, and checking sweeps in `validate`.

use crate::error::{Error, Result};
use crate::runner::RunOptions;
use crate::sweep::{self, Shard, Study, SweepOptions};
use clap::Args;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Options of `run` that only apply to a scenario with a `[sweep]` section.
#[derive(Debug, Clone, Args)]
pub struct SweepArgs {
    /// Worker threads for a sweep, 1 to 1024 (default: one per core). Results are identical for any value.
    #[arg(long, short = 'j', value_name = "N", value_parser = super::threads)]
    pub jobs: Option<usize>,
    /// Run only slice K of N of the sweep's runs (0 ≤ K < N), e.g. `--shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT`;
    /// combine the shards' directories with `clustersim merge`.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
    /// Skip runs whose directory under <out>/runs/ is complete (has its manifest.json) for the same scenario.
    #[arg(long)]
    pub resume: bool,
    /// Stop starting runs after the first failed run (by default the others still run).
    #[arg(long)]
    pub fail_fast: bool,
    /// Metric that orders the comparison table (best first), e.g. wait_p95.
    #[arg(long, value_name = "METRIC", default_value = "wait_mean")]
    pub sort: String,
    /// The table's metric columns, after the sort metric, e.g. `--metrics wait_p99,util_cpu` (default:
    /// waits, slowdown, starvation, utilization, fairness, and work lost and availability when faults ran).
    #[arg(long, alias = "columns", value_name = "METRIC,...", value_delimiter = ',')]
    pub metrics: Vec<String>,
}

impl SweepArgs {
    /// A scenario without `[sweep]` is one run: refuse the options that only make sense for a sweep.
    pub fn check_single_run(&self, path: &Path) -> Result<()> {
        let flag = if self.shard.is_some() {
            "--shard"
        } else if self.resume {
            "--resume"
        } else {
            return Ok(());
        };
        Err(Error::Other(format!("{}: {flag} needs a scenario with a [sweep] section", path.display())))
    }
}

/// `clustersim merge`.
#[derive(Debug, Clone, Args)]
pub struct MergeArgs {
    /// Output directories of the shards (`run --shard K/N --out DIR`).
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Where the merged summary.csv, comparison.csv, manifest.json and runs/ go.
    #[arg(long)]
    pub out: PathBuf,
    /// Metric that orders the comparison table (best first).
    #[arg(long, value_name = "METRIC", default_value = "wait_mean")]
    pub sort: String,
    /// The table's metric columns, after the sort metric (as for `run`).
    #[arg(long, alias = "columns", value_name = "METRIC,...", value_delimiter = ',')]
    pub metrics: Vec<String>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Runs the sweep of the scenario at `path`.
pub fn run(
    path: &Path,
    seed: Option<u64>,
    out: Option<PathBuf>,
    quiet: bool,
    events: bool,
    no_charts: bool,
    a: &SweepArgs,
) -> Result<ExitCode> {
    check_metrics(a.sort.as_str(), &a.metrics)?;
    let study = Study::load(path, seed)?;
    let out = out.unwrap_or_else(|| study.output_dir.clone());
    // The study is written into a staging folder and replaces the old one whole (see output::staging).
    let staging = crate::output::staging::Staging::begin(&out)?;
    let opts = SweepOptions {
        out: staging.path().to_path_buf(),
        resume_from: Some(out.clone()),
        jobs: a.jobs.unwrap_or(0),
        shard: a.shard,
        resume: a.resume,
        fail_fast: a.fail_fast,
        progress: !quiet && std::io::stderr().is_terminal(),
        run: RunOptions { log_events: events, ..Default::default() },
    };
    let o = sweep::run_study(&study, &opts)?;
    if !no_charts && a.shard.is_none() {
        crate::report::generate(staging.path())?;
    }
    staging.commit()?;
    // what the runs left out of their input, as the study's manifest (just written) gathers it
    let manifest_path = out.join("manifest.json");
    let manifest = std::fs::read(&manifest_path).map_err(|e| Error::io(&manifest_path, e))?;
    let manifest =
        serde_json::from_slice(&manifest).map_err(|e| Error::Other(format!("{}: {e}", manifest_path.display())))?;
    let (skipped, notes) = sweep::inputs::manifest_lines(&manifest);
    for line in notes {
        eprintln!("{line}");
    }
    if let Some(line) = rejected_in_study(&out.join("summary.csv")) {
        eprintln!("{line}");
    }
    if !quiet {
        let mut text = String::new();
        if a.shard.is_none() {
            text += &sweep::terminal::comparison_table_with(&out.join("comparison.csv"), &a.sort, &a.metrics)?;
        }
        for line in skipped {
            text += &format!("{line}\n");
        }
        let what = match a.shard {
            Some(s) => format!("shard {}/{} of {} runs", s.index, s.count, study.ids.runs()),
            None => format!("{} configurations × {} replications", study.ids.configurations, study.ids.replications),
        };
        text += &format!(
            "wrote {} ({what}: {} simulated, {} resumed, {} failed{})\n",
            out.display(),
            o.simulated,
            o.resumed,
            o.failures.len(),
            if o.skipped > 0 { format!(", {} not started", o.skipped) } else { String::new() }
        );
        if a.shard.is_some() {
            text += "combine the shards with: clustersim merge DIR... --out DIR\n";
        }
        super::print(&text)?;
    }
    report_failures(&format!("{}: ", path.display()), o.planned, &o.failures, o.skipped)
}

/// `--sort` and `--metrics` name metric columns.
fn check_metrics(sort: &str, metrics: &[String]) -> Result<()> {
    sweep::terminal::check_metric(sort)?;
    for m in metrics {
        sweep::terminal::check_metric(m)
            .map_err(|e| Error::Other(e.to_string().replacen("--sort:", "--metrics:", 1)))?;
    }
    Ok(())
}

/// `clustersim merge`.
pub fn merge(a: &MergeArgs) -> Result<ExitCode> {
    check_metrics(a.sort.as_str(), &a.metrics)?;
    // The merged study is written into a staging folder and replaces the old one whole, as `run` does.
    let staging = crate::output::staging::Staging::begin(&a.out)?;
    let o = sweep::merge(&a.dirs, staging.path())?;
    staging.commit()?;
    if !a.quiet {
        let table = sweep::terminal::comparison_table_with(&a.out.join("comparison.csv"), &a.sort, &a.metrics)?;
        super::print(&format!(
            "{table}merged {} directories into {} ({} runs, {} failed)\n",
            o.shards,
            a.out.display(),
            o.runs_ok,
            o.failures.len()
        ))?;
    }
    report_failures("", o.runs_ok + o.failures.len(), &o.failures, 0)
}

/// Non-zero exit when any run failed, after listing them (even with `--quiet`).
fn report_failures(source: &str, runs: usize, failures: &[sweep::Failure], skipped: usize) -> Result<ExitCode> {
    if failures.is_empty() && skipped == 0 {
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!("error: {source}{} of {runs} run(s) failed:", failures.len());
    for f in failures {
        eprintln!("  {}: {}", f.run_id, crate::error::cap_message(&f.message));
    }
    Ok(ExitCode::from(2))
}

/// Checks every configuration of a sweep; returns the line `validate` prints.
pub fn validate(path: &Path) -> Result<String> {
    let study = Study::load(path, None)?;
    let mut bad = Vec::new();
    for c in 0..study.ids.configurations {
        if let Err(e) = study.scenario(c) {
            bad.push(format!("  configuration {} ({}): {e}", c, study.config_label(c)));
        }
    }
    if !bad.is_empty() {
        let n = bad.len();
        bad.truncate(10);
        return Err(Error::Other(format!(
            "{}: {n} of {} sweep configurations are invalid:\n{}",
            path.display(),
            study.ids.configurations,
            bad.join("\n")
        )));
    }
    Ok(format!(
        "{}: ok (sweep of {} configurations × {} replications = {} runs)",
        path.display(),
        study.ids.configurations,
        study.ids.replications,
        study.ids.runs()
    ))
}

/// One warning line when runs of a study rejected jobs that fit on no node (the `rejected` column of
/// its `summary.csv`): how many runs, how many jobs, and the first such run. Shown even with `--quiet`.
fn rejected_in_study(summary: &Path) -> Option<String> {
    let mut r = csv::Reader::from_path(summary).ok()?;
    let header = r.headers().ok()?.clone();
    let (id, rejected) = (header.iter().position(|h| h == "run_id")?, header.iter().position(|h| h == "rejected")?);
    let (mut runs, mut total, mut jobs, mut first) = (0u64, 0u64, 0u64, None);
    for rec in r.records().flatten() {
        total += 1;
        let n = rec.get(rejected).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0) as u64;
        if n > 0 {
            runs += 1;
            jobs += n;
            first.get_or_insert_with(|| format!("{}: {n}", &rec[id]));
        }
    }
    let first = first?;
    Some(format!(
        "warning: {runs} of {total} runs rejected jobs because they fit on no node ({jobs} jobs in all; e.g. run {first})"
    ))
}
