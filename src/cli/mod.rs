//! The command line: `run` and `validate` (clap), with exit codes 0 = ok, 2 = error.

use crate::error::Result;
use crate::runner::{self, LoadedScenario, RunOptions};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

const EXAMPLES: &str = "\
Examples:
  clustersim run scenarios/quickstart.toml
  clustersim run scenarios/quickstart.toml --seed 7 --out /tmp/qs
  clustersim validate scenarios/*.toml

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
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
        /// Also write events.csv, a log of every arrival, start, finish and kill.
        #[arg(long)]
        events: bool,
    },
    /// Check scenario files without running them.
    Validate {
        /// Scenario files (TOML).
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
    },
}

/// Parses the arguments and runs the command.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match execute(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// Runs one parsed command.
pub fn execute(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Run { scenario, seed, out, quiet, events } => {
            let loaded = LoadedScenario::load(&scenario)?;
            let sc = &loaded.scenario;
            let seed = seed.unwrap_or(sc.seed);
            let workload = Arc::new(sc.build_workload(seed)?);
            let result = runner::simulate(
                sc,
                &loaded.hash,
                seed,
                workload,
                &RunOptions { log_events: events, ..Default::default() },
            )?;
            let dir = out.unwrap_or_else(|| sc.output_dir());
            runner::write_run(&dir, &result, sc)?;
            if !quiet {
                print!("{}", runner::summary_table(&result));
                println!("wrote {}", dir.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Validate { scenarios } => {
            for path in &scenarios {
                LoadedScenario::load(path)?;
                println!("{}: ok", path.display());
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
