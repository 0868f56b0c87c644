//! The `check` command: its arguments and how it prints the report and picks the exit code (0 pass, 1 regression, 2 error).

use crate::check::{self, CheckOptions, Format};
use crate::error::Result;
use crate::output::write_atomic;
use std::path::PathBuf;
use std::process::ExitCode;

pub const EXAMPLES: &str = "\
Examples:
  clustersim check scenarios/quickstart.toml --baseline results/baseline
  clustersim check scenarios/*.toml --baseline results/baseline --junit check.xml --markdown check.md
  clustersim check scenarios/*.toml --baseline results/baseline --update-baseline
  clustersim run scenarios/quickstart.toml && clustersim check scenarios/quickstart.toml --results results --baseline results/baseline

Exit codes: 0 every metric holds, 1 a regression, 2 an error (no baseline, a missing run, a changed
scenario file, a bad file). Tolerances: the scenario's [check] table, then <baseline>/check.toml
(or --tolerances FILE), else zero; see docs/ci.md.";

/// Arguments of `clustersim check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Scenario files (TOML) to check.
    #[arg(required = true)]
    pub scenarios: Vec<PathBuf>,
    /// Baseline directory: one sub-directory per scenario name, with summary.csv and manifest.json.
    #[arg(long)]
    pub baseline: PathBuf,
    /// Compare results already written by `clustersim run` (DIR/<name>/, or DIR for one scenario) instead of running.
    #[arg(long, value_name = "DIR")]
    pub results: Option<PathBuf>,
    /// Tolerance file with a [check] table (default: <baseline>/check.toml if present).
    #[arg(long, value_name = "FILE")]
    pub tolerances: Option<PathBuf>,
    /// Write the fresh results as the new baseline (shows what changed; exit 0).
    #[arg(long)]
    pub update_baseline: bool,
    /// Compare even if the baseline was made from a different version of the scenario file.
    #[arg(long)]
    pub allow_scenario_change: bool,
    /// Report format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: FormatArg,
    /// Write the report to FILE (the text table still goes to the terminal).
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write the report as JUnit XML to FILE (with --markdown, one run writes both).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Also write the report as Markdown to FILE (e.g. "$GITHUB_STEP_SUMMARY").
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
    /// List every metric, not only those that changed.
    #[arg(long)]
    pub all: bool,
    /// Worker threads, 1 to 1024 (scenarios, and the runs of a sweep, run in parallel); default: one per core.
    /// Results are identical for any value.
    #[arg(long, short = 'j', value_name = "N", value_parser = super::threads)]
    pub jobs: Option<usize>,
    /// Keep the fresh results in DIR/<name>/ (jobs.csv, summary.csv, ...; a sweep's runs/); default: not kept.
    #[arg(long, value_name = "DIR", conflicts_with = "results")]
    pub out: Option<PathBuf>,
}

/// `--format`.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum FormatArg {
    Text,
    Markdown,
    Junit,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Text => Format::Text,
            FormatArg::Markdown => Format::Markdown,
            FormatArg::Junit => Format::Junit,
        }
    }
}

/// Runs the check and prints its report.
pub fn execute(a: CheckArgs) -> Result<ExitCode> {
    let opts = CheckOptions {
        baseline: a.baseline,
        results: a.results,
        tolerances: a.tolerances,
        update_baseline: a.update_baseline,
        allow_scenario_change: a.allow_scenario_change,
        jobs: a.jobs,
        out: a.out,
    };
    let report = check::check(&a.scenarios, &opts)?;
    let files: Vec<(Format, &PathBuf)> = [
        a.output.as_ref().map(|p| (a.format.into(), p)),
        a.junit.as_ref().map(|p| (Format::Junit, p)),
        a.markdown.as_ref().map(|p| (Format::Markdown, p)),
    ]
    .into_iter()
    .flatten()
    .collect();
    for (format, path) in &files {
        let rendered = check::format::render(&report, *format, a.all);
        write_atomic(path, |w| w.write_all(rendered.as_bytes()))?;
    }
    let to_stdout = files.is_empty() && !matches!(a.format, FormatArg::Text);
    if to_stdout {
        super::print(&check::format::render(&report, a.format.into(), a.all))?;
    } else {
        let text = check::format::render(&report, Format::Text, a.all);
        let written: String = files.iter().map(|(_, p)| format!("report written to {}\n", p.display())).collect();
        super::print(&format!("{text}{written}"))?;
    }
    if to_stdout {
        // stdout holds a machine format: repeat the problems on stderr for the CI log.
        for sc in &report.scenarios {
            for e in sc.errors.iter().chain(sc.runs.iter().flat_map(|r| &r.errors)) {
                eprintln!("error: {}: {}", sc.name, crate::error::cap_message(&e.to_string()));
            }
        }
    }
    Ok(ExitCode::from(report.exit_code()))
}
