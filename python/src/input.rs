//! A scenario as Python gives it: a path to a TOML file or a dict, with overrides by dotted key
//! (`{"policy.queue": "easy_backfill"}`), turned into TOML text and the path it is read relative to.

use crate::py_err;
use clustersim::ScenarioError;
use clustersim::model::Workload;
use clustersim::runner;
use clustersim::scenario::{RunPlan, Scenario, locate_in_text};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A scenario resolved from Python: its TOML text, the file it stands for (relative paths in it are
/// relative to that file's folder), and the hash of its text.
pub struct Input {
    pub text: String,
    pub source: PathBuf,
    pub hash: String,
    /// What errors name: the file, `FILE (with overrides)` or `NAME (a dict)`, since the line they
    /// quote is one of `text`.
    label: PathBuf,
}

impl Input {
    pub fn resolve(scenario: &Bound<'_, PyAny>, overrides: Option<&Bound<'_, PyDict>>) -> PyResult<Input> {
        let overrides = overrides.filter(|o| !o.is_empty());
        let (mut text, source) = if let Ok(dict) = scenario.cast::<PyDict>() {
            let table = to_table(dict)?;
            let name = table.get("name").and_then(|n| n.as_str()).unwrap_or("scenario").to_string();
            (toml::to_string(&table).map_err(py_err)?, PathBuf::from(format!("{name}.toml")))
        } else {
            let path: PathBuf = scenario.extract()?;
            let text = std::fs::read_to_string(&path).map_err(|e| py_err(format!("{}: {e}", path.display())))?;
            (text, path)
        };
        if let Some(o) = overrides {
            let mut table: toml::Table =
                toml::from_str(&text).map_err(|e| py_err(format!("{}: {e}", source.display())))?;
            for (k, v) in o.iter() {
                let key: String = k.extract()?;
                set_dotted(&mut table, &key, to_value(&v)?)?;
            }
            text = toml::to_string(&table).map_err(py_err)?;
        }
        let label = match (scenario.is_instance_of::<PyDict>(), overrides.is_some()) {
            (true, _) => PathBuf::from(format!("{} (a dict)", source.with_extension("").display())),
            (false, true) => PathBuf::from(format!("{} (with overrides)", source.display())),
            (false, false) => source.clone(),
        };
        let hash = clustersim::runner::hash_hex(text.as_bytes());
        Ok(Input { text, source, hash, label })
    }

    /// The scenario parsed and checked, errors naming the file and key as the CLI's do.
    pub fn scenario(&self) -> PyResult<Scenario> {
        let base = self.source.parent().unwrap_or(Path::new(""));
        let sc = Scenario::parse_in(&self.text, base).map_err(|m| py_err(format!("{}: {m}", self.label.display())))?;
        sc.validate().map_err(|e| self.located(e))?;
        Ok(sc)
    }

    /// `sc` (this input's scenario) compiled for `seed` on `workload`, an error located in the text.
    pub fn compile(&self, sc: &Scenario, seed: u64, workload: Arc<Workload>) -> PyResult<RunPlan> {
        sc.compile(seed, workload).map_err(|e| self.located(e))
    }

    /// The workload of `sc` for `seed`, as every run reads it (an empty one refused).
    pub fn workload(&self, sc: &Scenario, seed: u64) -> PyResult<Workload> {
        let w = sc.read_workload(&self.source, seed).map_err(py_err)?;
        runner::nonempty(w, sc, &self.source).map_err(py_err)
    }

    /// A scenario error as the CLI reports it: the file, and the line of the text that sets the key.
    fn located(&self, e: ScenarioError) -> PyErr {
        py_err(clustersim::Error::Scenario { path: self.label.clone(), source: locate_in_text(&self.text, e) })
    }
}

/// Sets `a.b.c` in `table`, making the tables on the way.
fn set_dotted(table: &mut toml::Table, key: &str, value: toml::Value) -> PyResult<()> {
    let mut parts = key.split('.').peekable();
    let mut t = table;
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            t.insert(part.to_string(), value);
            return Ok(());
        }
        let entry = t.entry(part.to_string()).or_insert_with(|| toml::Value::Table(toml::Table::new()));
        t = entry.as_table_mut().ok_or_else(|| py_err(format!("override `{key}`: `{part}` is not a table")))?;
    }
    Err(py_err("an override key must not be empty"))
}

fn to_table(dict: &Bound<'_, PyDict>) -> PyResult<toml::Table> {
    let mut t = toml::Table::new();
    for (k, v) in dict.iter() {
        t.insert(k.extract::<String>()?, to_value(&v)?);
    }
    Ok(t)
}

/// A Python value as a TOML value: bool, int, float, str, list/tuple, dict.
fn to_value(v: &Bound<'_, PyAny>) -> PyResult<toml::Value> {
    Ok(if v.is_instance_of::<PyBool>() {
        toml::Value::Boolean(v.extract()?)
    } else if v.is_instance_of::<PyInt>() {
        toml::Value::Integer(v.extract()?)
    } else if v.is_instance_of::<PyFloat>() {
        toml::Value::Float(v.extract()?)
    } else if v.is_instance_of::<PyString>() {
        toml::Value::String(v.extract()?)
    } else if let Ok(d) = v.cast::<PyDict>() {
        toml::Value::Table(to_table(d)?)
    } else if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() {
        toml::Value::Array(v.try_iter()?.map(|x| to_value(&x?)).collect::<PyResult<_>>()?)
    } else if let Ok(p) = v.extract::<PathBuf>() {
        toml::Value::String(p.display().to_string())
    } else {
        return Err(PyTypeError::new_err(format!("a scenario value cannot be a {}", v.get_type().name()?)));
    })
}
