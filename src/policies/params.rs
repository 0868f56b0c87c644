//! Policy parameters from the scenario: typed getters that report the exact key on error and reject unknown keys.

use crate::error::ScenarioError;
use crate::model::Time;
use crate::model::time::{from_secs_f64, parse_duration};
use std::cell::RefCell;

/// The parameters given to one policy (`queue = { name = "fair_share", half_life = "1d" }`).
#[derive(Clone, Debug, Default)]
pub struct Params {
    /// Key prefix for messages, e.g. `policy.queue`.
    pub path: String,
    table: toml::Table,
    used: RefCell<Vec<String>>,
}

impl Params {
    pub fn new(path: impl Into<String>, table: toml::Table) -> Self {
        Params { path: path.into(), table, used: RefCell::new(Vec::new()) }
    }

    /// Parameters with no keys (a policy given by name only).
    pub fn empty(path: impl Into<String>) -> Self {
        Self::new(path, toml::Table::new())
    }

    fn key(&self, k: &str) -> String {
        format!("{}.{}", self.path, k)
    }

    fn get(&self, k: &str) -> Option<&toml::Value> {
        self.used.borrow_mut().push(k.to_string());
        self.table.get(k)
    }

    fn invalid(&self, k: &str, expected: &str, got: &toml::Value) -> ScenarioError {
        let got = crate::error::echo(&got.to_string());
        ScenarioError::invalid(self.key(k), format!("expected {expected}, found `{got}`"))
    }

    pub fn f64(&self, k: &str, default: f64) -> Result<f64, ScenarioError> {
        match self.get(k) {
            None => Ok(default),
            Some(toml::Value::Float(x)) => Ok(*x),
            Some(toml::Value::Integer(i)) => Ok(*i as f64),
            Some(v) => Err(self.invalid(k, "a number", v)),
        }
    }

    /// A number from `min` to [`MAX_NUMBER`](crate::limits::MAX_NUMBER).
    pub fn f64_at_least(&self, k: &str, default: f64, min: f64) -> Result<f64, ScenarioError> {
        let x = self.f64(k, default)?;
        crate::limits::number(x, min, crate::limits::MAX_NUMBER).map_err(|m| ScenarioError::invalid(self.key(k), m))
    }

    /// A whole number in `lo..=hi`.
    pub fn u64_in(&self, k: &str, default: u64, lo: u64, hi: u64) -> Result<u64, ScenarioError> {
        let x = self.u64(k, default)?;
        crate::limits::whole(x, lo, hi).map_err(|m| ScenarioError::invalid(self.key(k), m))
    }

    pub fn u64(&self, k: &str, default: u64) -> Result<u64, ScenarioError> {
        match self.get(k) {
            None => Ok(default),
            Some(toml::Value::Integer(i)) if *i >= 0 => Ok(*i as u64),
            Some(v) => Err(self.invalid(k, "a non-negative integer", v)),
        }
    }

    pub fn bool(&self, k: &str, default: bool) -> Result<bool, ScenarioError> {
        match self.get(k) {
            None => Ok(default),
            Some(toml::Value::Boolean(b)) => Ok(*b),
            Some(v) => Err(self.invalid(k, "true or false", v)),
        }
    }

    /// A string that must be one of `choices`.
    pub fn choice(&self, k: &str, default: &str, choices: &[&str]) -> Result<String, ScenarioError> {
        match self.get(k) {
            None => Ok(default.to_string()),
            Some(toml::Value::String(s)) if choices.contains(&s.as_str()) => Ok(s.clone()),
            Some(v) => Err(self.invalid(k, &format!("one of {}", choices.join(", ")), v)),
        }
    }

    /// A duration (`"90s"`, `"2h"`, or seconds), at most [`MAX_TIME`](crate::limits::MAX_TIME).
    pub fn duration(&self, k: &str, default: Time) -> Result<Time, ScenarioError> {
        let time = match self.get(k) {
            None => return Ok(default),
            Some(toml::Value::String(s)) => parse_duration(s),
            Some(toml::Value::Integer(i)) if *i >= 0 => from_secs_f64(*i as f64),
            Some(toml::Value::Float(x)) if *x >= 0.0 => from_secs_f64(*x),
            Some(v) => return Err(self.invalid(k, "a duration such as \"90s\"", v)),
        };
        time.map_err(|m| ScenarioError::invalid(self.key(k), m))
    }

    /// A table of name → number (e.g. weights per user).
    pub fn number_map(&self, k: &str) -> Result<Vec<(String, f64)>, ScenarioError> {
        match self.get(k) {
            None => Ok(Vec::new()),
            Some(toml::Value::Table(t)) => t
                .iter()
                .map(|(name, v)| match v {
                    toml::Value::Float(x) if x.abs() <= crate::limits::MAX_NUMBER => Ok((name.clone(), *x)),
                    toml::Value::Integer(i) if (*i as f64).abs() <= crate::limits::MAX_NUMBER => {
                        Ok((name.clone(), *i as f64))
                    }
                    other => Err(ScenarioError::invalid(
                        format!("{}.{}", self.key(k), crate::error::echo(name)),
                        format!(
                            "expected a number from -{max} to {max}, found `{}`",
                            crate::error::echo(&other.to_string()),
                            max = crate::limits::MAX_NUMBER
                        ),
                    )),
                })
                .collect(),
            Some(v) => Err(self.invalid(k, "a table of name = number", v)),
        }
    }

    /// Fails if the table holds a key that no getter asked for (a typo), naming the valid keys.
    pub fn finish(&self) -> Result<(), ScenarioError> {
        let used = self.used.borrow();
        for k in self.table.keys() {
            if !used.iter().any(|u| u == k) {
                let mut valid: Vec<&str> = used.iter().map(String::as_str).collect();
                valid.sort_unstable();
                valid.dedup();
                let valid = if valid.is_empty() { "none".to_string() } else { valid.join(", ") };
                return Err(ScenarioError::invalid(
                    self.key(&crate::error::echo(k)),
                    format!("unknown parameter (valid parameters: {valid})"),
                ));
            }
        }
        Ok(())
    }
}
