//! The command line: `run`, `validate`, `merge`, `trace stats`, `report`, `explain` and `check` (clap), with exit codes
//! 0 = ok, 2 = error (`check`: 1 = regression).

pub mod check;
mod gpu;
pub mod sweep;
pub mod validate;

use crate::error::Result;
use crate::runner::{self, LoadedScenario, RunOptions};
use clap::{CommandFactory, Parser, Subcommand};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

const EXAMPLES: &str = "\
Examples:
  clustersim run scenarios/quickstart.toml
  clustersim run scenarios/quickstart.toml --seed 7 --out /tmp/qs
  clustersim validate scenarios/*.toml
  clustersim trace stats workloads/KTH-SP2-1996-2.1-cln.swf.gz
  clustersim run scenarios/compare.toml --jobs 2 --sort wait_p95
  clustersim run scenarios/compare.toml --shard 0/4 --out /tmp/cmp/0   # then: clustersim merge /tmp/cmp/* --out /tmp/cmp-all
  clustersim report results/quickstart
  clustersim report results/quickstart --gantt --from 10h --to 12h
  clustersim export results/quickstart --format batsim
  clustersim run scenarios/quickstart.toml --events && clustersim explain results/quickstart 42
  clustersim check scenarios/quickstart.toml --baseline results/baseline
  clustersim completions bash > ~/.local/share/bash-completion/completions/clustersim
  clustersim man > clustersim.1

Exit codes: 0 success, 2 error (bad scenario, unreadable file, ...).";

/// A discrete-event simulator of cluster scheduling.
#[derive(Debug, Parser)]
#[command(name = "clustersim", version, about, after_help = EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario: prints a summary and writes jobs.csv, timeline.csv, summary.csv, manifest.json.
    #[command(after_help = EXAMPLES)]
    Run {
        /// The scenario file (TOML).
        scenario: PathBuf,
        /// Override the scenario's seed.
        #[arg(long)]
        seed: Option<u64>,
        /// Output directory (default: the scenario's `output`, else results/<name>).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Print nothing but errors and warnings (e.g. jobs rejected because they fit on no node).
        #[arg(long, short)]
        quiet: bool,
        /// Also write events.csv, a log of every arrival, start, finish and kill.
        #[arg(long)]
        events: bool,
        #[command(flatten)]
        sweep: sweep::SweepArgs,
        /// Skip the charts and report.html (written by default; `clustersim report DIR` makes them later).
        #[arg(long)]
        no_charts: bool,
    },
    /// Draw the charts (SVG, PNG) and report.html of a run or sweep from its CSV files alone.
    Report {
        /// A results directory: one run (timeline.csv, jobs.csv, ...) or a sweep (comparison.csv, runs/).
        dir: PathBuf,
        /// Also draw charts/gantt.png of a run of more than 2,000 jobs (smaller runs always get one).
        #[arg(long)]
        gantt: bool,
        /// The Gantt chart's window: from this time (a duration such as `2d` or seconds).
        #[arg(long, requires = "gantt", value_parser = duration_secs)]
        from: Option<f64>,
        /// The Gantt chart's window: up to this time.
        #[arg(long, requires = "gantt", value_parser = duration_secs)]
        to: Option<f64>,
    },
    /// Write a run's schedule for other tools: `batsim` (jobs_batsim.csv, Batsim's jobs.csv columns,
    /// which Evalys reads) or `swf` (schedule.swf, the Standard Workload Format with the simulated
    /// waits); for a sweep, into every run's folder.
    Export {
        /// The results directory of a run or a sweep.
        dir: PathBuf,
        /// `batsim` or `swf`.
        #[arg(long, value_parser = ["batsim", "swf"])]
        format: String,
    },
    /// Tell why one job waited: its timeline and, while it waited, the reason at each change (needs --events).
    Explain {
        /// The results directory of one run (for a sweep: DIR/runs/RUN_ID).
        dir: PathBuf,
        /// The job's id, as in jobs.csv.
        job: String,
    },
    /// Check scenario files without running them: schema, policies, every sweep configuration, and the
    /// trace, CSV or listed jobs they read; one verdict per file, exit 2 if any fails.
    Validate {
        /// Scenario files (TOML).
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
    },
    /// Print a shell completion script, e.g. `clustersim completions bash > ~/.local/share/bash-completion/completions/clustersim`.
    Completions {
        /// The shell: bash, elvish, fish, powershell or zsh.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), e.g. `clustersim man > clustersim.1 && man ./clustersim.1`.
    Man,
    /// Look at a workload trace.
    Trace {
        #[command(subcommand)]
        action: TraceAction,
    },
    /// Combine the output directories of a sharded sweep into one summary.csv and comparison.csv.
    #[command(after_help = EXAMPLES)]
    Merge(sweep::MergeArgs),
    /// Compare scenario results with a committed baseline: exit 0 all hold, 1 regression, 2 error.
    #[command(after_help = check::EXAMPLES)]
    Check(check::CheckArgs),
}

#[derive(Debug, Subcommand)]
pub enum TraceAction {
    /// Summary of an SWF trace (plain or .gz) or CSV job list: jobs, span, machine, arrival rate,
    /// run time and size percentiles, offered load, and every skipped line with its reason. An openb
    /// pod or node list (told by its header) gets counts by GPU shape, phase and qos, or by GPU model.
    Stats {
        /// The trace file.
        file: PathBuf,
        /// How SWF lines become jobs: `p` (pyss / HUJI) or `plain`.
        #[arg(long, default_value = "p")]
        convention: String,
        /// Processors of the machine (default: the header's MaxProcs).
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
        procs: Option<u64>,
        /// Skip and count malformed lines instead of stopping at the first.
        #[arg(long)]
        skip_bad_lines: bool,
        /// A CSV job list's tier names, lowest first, as the scenario's `tiers` (default: the names
        /// in the `tier` column, numbered after its tier numbers in the order they first appear).
        #[arg(long, value_delimiter = ',')]
        tiers: Vec<String>,
    },
}

/// Parses the arguments and runs the command.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match execute(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", crate::error::cap_message(&e.to_string()));
            ExitCode::from(2)
        }
    }
}

/// The most worker threads `--jobs` may ask for.
const MAX_THREADS: usize = 1024;

/// `--jobs N`: a number of worker threads from 1 to [`MAX_THREADS`].
fn threads(text: &str) -> std::result::Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if (1..=MAX_THREADS).contains(&n) => Ok(n),
        _ => Err(format!("expected a number of threads from 1 to {MAX_THREADS}")),
    }
}

/// The file an export format writes.
fn format_file(format: &str) -> &'static str {
    if format == "swf" { crate::report::export::SWF_FILE } else { crate::report::export::BATSIM_FILE }
}

/// A time on the command line: a duration (`90m`, `2d`) or a number of seconds.
fn duration_secs(text: &str) -> std::result::Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(x) if x.is_finite() && x >= 0.0 => Ok(x),
        _ => crate::model::time::parse_duration(text).map(crate::model::time::as_secs_f64),
    }
}

/// Writes `text` to standard output. A reader that went away (`clustersim ... | head -1`) is not
/// an error: the rest of the output is dropped and the command ends as it would have; any other
/// failure to write is.
pub fn print(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(crate::error::Error::Other(format!("cannot write to standard output: {e}")))
        }
        _ => Ok(()),
    }
}

/// Runs one parsed command.
pub fn execute(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Run { scenario, seed, out, quiet, events, sweep, no_charts } => {
            if gpu::is_study(&scenario) {
                gpu::run(&scenario, seed, out, quiet, no_charts)?;
                return Ok(ExitCode::SUCCESS);
            }
            let loaded = LoadedScenario::load(&scenario)?;
            if loaded.scenario.sweep.is_some() {
                return sweep::run(&scenario, seed, out, quiet, events, no_charts, &sweep);
            }
            sweep.check_single_run(&scenario)?;
            let sc = &loaded.scenario;
            let seed = seed.unwrap_or(sc.seed);
            let dir = out.unwrap_or_else(|| sc.output_dir());
            crate::output::stale::check_out_dir(&dir)?;
            // Every file goes to a staging folder first; --out is checked before simulating.
            let staging = crate::output::staging::Staging::begin(&dir)?;
            let opts = RunOptions { log_events: events, ..Default::default() };
            let result = runner::execute(sc, &scenario, &loaded.hash, seed, 1.0, &opts)?;
            runner::warn_input_notes(&result.output.workload, sc);
            runner::warn_rejected(&result);
            if let Some(line) = runner::timeline_warning(&result, sc) {
                eprintln!("{line}");
            }
            runner::write_run(staging.path(), &result, sc)?;
            if !no_charts {
                crate::report::generate(staging.path())?;
            }
            staging.commit()?;
            if !quiet {
                print(&format!("{}wrote {}\n", runner::summary_table(&result), dir.display()))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Trace { action: TraceAction::Stats { file, convention, procs, skip_bad_lines, tiers } } => {
            use crate::workloads::openb::{self, OpenbKind};
            if let Some(kind) = openb::detect(&file)? {
                if procs.is_some() || !tiers.is_empty() {
                    return Err(crate::error::Error::Other(format!(
                        "--procs and --tiers apply to SWF traces and CSV job lists; {} is an openb {} list",
                        file.display(),
                        if kind == OpenbKind::Pods { "pod" } else { "node" }
                    )));
                }
                let on_bad_line =
                    if skip_bad_lines { crate::workloads::swf::OnBadLine::Skip } else { Default::default() };
                let text = match kind {
                    OpenbKind::Pods => openb::pod_stats(&file, on_bad_line)?.to_string(),
                    OpenbKind::Nodes => openb::node_stats(&file, on_bad_line)?.to_string(),
                };
                print(&text)?;
                return Ok(ExitCode::SUCCESS);
            }
            let opts = crate::workloads::stats::options(&convention, procs, skip_bad_lines)
                .map_err(crate::error::Error::Other)?;
            let stats = crate::workloads::stats::trace_stats_with_tiers(&file, &opts, &tiers)?;
            print(&stats.to_string())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Report { dir, gantt, from, to } => {
            let window = crate::report::GanttWindow { force: gantt, from, to };
            let done = crate::report::generate_with(&dir, &window)?;
            print(&format!("wrote {} and {} chart files\n", done.html.display(), done.charts.len()))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Export { dir, format } => {
            let files = crate::report::export::export(&dir, crate::report::export::Format::parse(&format)?)?;
            match files.as_slice() {
                [one] => print(&format!("wrote {}\n", one.display()))?,
                many => {
                    print(&format!("wrote {} files ({} in each run's folder)\n", many.len(), format_file(&format)))?
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Explain { dir, job } => {
            print(&crate::report::explain::explain(&dir, &job)?)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Validate { scenarios } => Ok(validate::execute(&scenarios)),
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "clustersim", &mut out);
            print(&String::from_utf8_lossy(&out))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Man => {
            let mut out = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut out)
                .map_err(|e| crate::error::Error::Other(format!("cannot write the manual page: {e}")))?;
            print(&String::from_utf8_lossy(&out))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Merge(args) => sweep::merge(&args),
        Command::Check(args) => check::execute(args),
    }
}
