//! Error types of the library: what went wrong, with the file, line or key it concerns.

use std::path::PathBuf;

/// A scenario (or policy parameter) that parsed as TOML but does not make sense.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScenarioError {
    /// A key holds a value of the wrong kind, out of range, or is not a known key.
    #[error("key `{key}`: {message}")]
    Invalid { key: String, message: String },
    /// A policy name that the resolver of its axis does not know.
    #[error("key `{key}`: unknown {axis} policy `{name}` (valid names: {valid})")]
    UnknownPolicy { key: String, axis: &'static str, name: String, valid: String },
    /// Another error, located at line `line` (1-based) of the scenario file, which reads `text`.
    #[error("line {line}, {source}\n{line:>5} | {text}")]
    At { line: usize, text: String, source: Box<ScenarioError> },
}

impl ScenarioError {
    /// The key the error concerns.
    pub fn key(&self) -> &str {
        match self {
            ScenarioError::Invalid { key, .. } | ScenarioError::UnknownPolicy { key, .. } => key,
            ScenarioError::At { source, .. } => source.key(),
        }
    }
}

impl ScenarioError {
    pub fn invalid(key: impl Into<String>, message: impl Into<String>) -> Self {
        ScenarioError::Invalid { key: key.into(), message: message.into() }
    }
}

/// Every error the library reports to the command line.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    /// A scenario file is not valid TOML or does not match the scenario schema; `message` names the line and key.
    #[error("{}: {message}", path.display())]
    Parse { path: PathBuf, message: String },
    /// A scenario file is well-formed but a value in it is wrong.
    #[error("{}: {source}", path.display())]
    Scenario { path: PathBuf, source: ScenarioError },
    /// A line of a workload trace is malformed.
    #[error("{}:{line}: {message}", path.display())]
    Trace { path: PathBuf, line: u64, message: String },
    /// Anything else, with a message that says what.
    #[error("{0}")]
    Other(String),
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
