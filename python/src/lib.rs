//! The Python module `clustersim._clustersim`: runs and sweeps of scenarios (given as a file, a
//! file with overrides, or a dict), policies written in Python, and the stepped simulation behind
//! `clustersim.gym`. The pure-Python package `clustersim` wraps it (DataFrames, the gymnasium API).

mod gym;
mod input;
mod policy;

use clustersim::output::files;
use clustersim::runner::{self, RunOptions, RunResult};
use clustersim::scenario::Scenario;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::path::PathBuf;

/// A clustersim error as a Python `ValueError` with the same message the CLI prints.
pub(crate) fn py_err(e: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// One finished run: the bytes of every CSV file the CLI writes, made on demand.
#[pyclass(module = "clustersim._clustersim", unsendable)]
pub struct Run {
    result: RunResult,
    scenario: Scenario,
}

/// The text a CSV writer of `clustersim::output::files` made.
fn csv_text(fill: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>) -> PyResult<String> {
    let mut buf = Vec::new();
    fill(&mut buf).map_err(py_err)?;
    String::from_utf8(buf).map_err(py_err)
}

#[pymethods]
impl Run {
    /// `jobs.csv` as text.
    fn jobs_csv(&self) -> PyResult<String> {
        let tau = self.scenario.metrics.bsld_tau.micros();
        csv_text(|w| files::jobs_csv(w, &self.result.output, tau))
    }

    /// `timeline.csv` as text.
    fn timeline_csv(&self) -> PyResult<String> {
        csv_text(|w| files::timeline_csv(w, &self.result.output))
    }

    /// `summary.csv` as text.
    fn summary_csv(&self) -> PyResult<String> {
        csv_text(|w| files::summary_csv(w, &[(self.result.info.clone(), self.result.metrics.clone())]))
    }

    /// `tiers.csv` as text.
    fn tiers_csv(&self) -> PyResult<String> {
        let out = &self.result.output;
        csv_text(|w| files::groups_csv(w, "tier", &out.workload.tiers, &self.result.metrics.tiers))
    }

    /// `users.csv` as text.
    fn users_csv(&self) -> PyResult<String> {
        let out = &self.result.output;
        csv_text(|w| files::groups_csv(w, "user", &out.workload.users, &self.result.metrics.users))
    }

    /// The summary table `clustersim run` prints.
    fn summary_text(&self) -> String {
        runner::summary_table(&self.result)
    }

    /// Writes every per-run file into `dir` as `clustersim run --out DIR --no-charts` does: into a
    /// staging folder that then replaces the earlier outputs of the tool in `dir`.
    fn write(&self, dir: PathBuf) -> PyResult<()> {
        clustersim::output::stale::check_out_dir(&dir).map_err(py_err)?;
        let staging = clustersim::output::staging::Staging::begin(&dir).map_err(py_err)?;
        runner::write_run(staging.path(), &self.result, &self.scenario).map_err(py_err)?;
        staging.commit().map_err(py_err)
    }

    /// Events the engine processed.
    #[getter]
    fn events(&self) -> u64 {
        self.result.output.events_processed
    }
}

/// Runs `scenario` (a path or a dict) once with `seed` (default: the scenario's), with `overrides`
/// (dotted keys) applied; `queue` and `selection` are Python policy objects that replace the
/// scenario's queue discipline and node selection.
#[pyfunction]
#[pyo3(signature = (scenario, seed=None, overrides=None, queue=None, selection=None))]
fn run(
    py: Python<'_>,
    scenario: &Bound<'_, PyAny>,
    seed: Option<u64>,
    overrides: Option<&Bound<'_, PyDict>>,
    queue: Option<Py<PyAny>>,
    selection: Option<Py<PyAny>>,
) -> PyResult<Run> {
    let input = input::Input::resolve(scenario, overrides)?;
    let sc = input.scenario()?;
    let seed = seed.unwrap_or(sc.seed);
    let opts = RunOptions::default();
    let workload = py.detach(|| input.workload(&sc, seed))?;
    let plan = input.compile(&sc, seed, std::sync::Arc::new(workload))?;
    let result = if queue.is_none() && selection.is_none() {
        py.detach(|| runner::measure(&sc, &input.hash, plan, &opts))
    } else {
        policy::run_with(py, &sc, &input.hash, plan, queue, selection)?
    };
    Ok(Run { result, scenario: sc })
}

/// Runs the study of `scenario` (its `[sweep]`) into the folder `out`: `summary.csv`,
/// `comparison.csv`, `runs/<id>/` as `clustersim sweep` writes them. Returns the number of failed runs.
#[pyfunction]
#[pyo3(signature = (scenario, out, seed=None, overrides=None, jobs=0))]
fn sweep(
    py: Python<'_>,
    scenario: &Bound<'_, PyAny>,
    out: PathBuf,
    seed: Option<u64>,
    overrides: Option<&Bound<'_, PyDict>>,
    jobs: usize,
) -> PyResult<Vec<String>> {
    let input = input::Input::resolve(scenario, overrides)?;
    let study =
        clustersim::sweep::plan::Study::from_text(&input.text, &input.source, &input.hash, seed).map_err(py_err)?;
    let opts = clustersim::sweep::SweepOptions { out, jobs, ..Default::default() };
    let outcome = py.detach(|| clustersim::sweep::run_study(&study, &opts)).map_err(py_err)?;
    Ok(outcome.failures.iter().map(|f| format!("{}: {}", f.run_id, f.message)).collect())
}

/// The scenario text after overrides (TOML), as `run` and `sweep` read it.
#[pyfunction]
#[pyo3(signature = (scenario, overrides=None))]
fn scenario_toml(scenario: &Bound<'_, PyAny>, overrides: Option<&Bound<'_, PyDict>>) -> PyResult<String> {
    Ok(input::Input::resolve(scenario, overrides)?.text)
}

#[pymodule]
fn _clustersim(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(sweep, m)?)?;
    m.add_function(wrap_pyfunction!(scenario_toml, m)?)?;
    m.add_class::<Run>()?;
    m.add_class::<policy::View>()?;
    m.add_class::<policy::JobInfo>()?;
    m.add_class::<gym::Env>()?;

    Ok(())
}
