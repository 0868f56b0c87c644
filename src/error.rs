//! Error types of the library: what went wrong, with the file, line or key it concerns.

use std::path::PathBuf;

/// A scenario (or policy parameter) that parsed as TOML but does not make sense.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScenarioError {
    /// A key holds a value of the wrong kind, out of range, or is not a known key.
    #[error("key `{key}`: {message}")]
    Invalid { key: String, message: String },
    /// A policy name that the resolver of its axis does not know.
    #[error("key `{key}`: unknown {axis} policy `{name}` (valid names: {valid}){}", did_you_mean(name, valid))]
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

/// `; did you mean `fifo`?` when one name of the comma-separated `valid` list is within a third of
/// `name`'s length (at least one edit) of it, the closest first in list order; else nothing.
pub fn did_you_mean(name: &str, valid: &str) -> String {
    let limit = (name.chars().count() / 3).max(1);
    valid
        .split(", ")
        .map(|v| (edit_distance(name, v), v))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, v)| format!("; did you mean `{v}`?"))
        .unwrap_or_default()
}

/// The Levenshtein distance of `a` and `b` (insertions, deletions, substitutions; by character).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cur = (prev + usize::from(ca != cb)).min(row[j] + 1).min(row[j + 1] + 1);
            prev = row[j + 1];
            row[j + 1] = cur;
        }
    }
    row[b.len()]
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

/// The most characters of an input value an error message quotes.
pub const ECHO_MAX: usize = 80;

/// The most characters of one line of an error message (a list of valid names fits; a value pasted
/// into a message by a parser does not).
const LINE_MAX: usize = 2_000;

/// A `quoted` span longer than this in a message about to be printed is an input value that was
/// quoted whole (a command to run, which may hold long paths, is shorter): it is cut to [`ECHO_MAX`].
const SPAN_MAX: usize = 300;

/// `value` as an error message quotes it: whole when it has at most [`ECHO_MAX`] characters, else
/// its beginning and `…`.
pub fn echo(value: &str) -> String {
    cut(value, ECHO_MAX)
}

/// `text` cut to `max` characters (the last one `…`) when longer.
fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some(_) => {
            let end = text.char_indices().nth(max - 1).map_or(text.len(), |(i, _)| i);
            format!("{}…", &text[..end])
        }
    }
}

/// An error message as printed: every `quoted` span of more than a few hundred characters cut to
/// [`ECHO_MAX`], every echoed source line (`  12 | text`) to [`ECHO_MAX`] characters after its bar,
/// and every other line to a few thousand, so that no input is repeated in full whichever part of
/// the program quoted it.
pub fn cap_message(message: &str) -> String {
    message.split('\n').map(cap_line).collect::<Vec<_>>().join("\n")
}

fn cap_line(line: &str) -> String {
    if let Some((margin, text)) = line.split_once(" | ")
        && margin.trim().chars().all(|c| c.is_ascii_digit())
    {
        return format!("{margin} | {}", cut(text, ECHO_MAX));
    }
    let mut out = String::with_capacity(line.len().min(LINE_MAX));
    let parts = line.split('`').count();
    for (i, part) in line.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        // odd parts are inside backticks (an unpaired last one is left whole, then cut with the line)
        let long = i % 2 == 1 && i + 1 < parts && part.chars().nth(SPAN_MAX).is_some();
        out.push_str(&if long { cut(part, ECHO_MAX) } else { part.to_string() });
    }
    cut(&out, LINE_MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 18: a policy typo got the valid names but no "did you mean".
    #[test]
    fn a_near_name_is_suggested_and_a_far_one_is_not() {
        let valid = "fifo, srtf, fair_share, easy_backfill, conservative_backfill";
        assert_eq!(did_you_mean("fofo", valid), "; did you mean `fifo`?");
        assert_eq!(did_you_mean("easy_backfil", valid), "; did you mean `easy_backfill`?");
        assert_eq!(did_you_mean("nope", valid), "");
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn long_values_are_quoted_in_part() {
        assert_eq!(echo("short"), "short");
        let long = "x".repeat(100_000);
        let e = echo(&long);
        assert_eq!(e.chars().count(), ECHO_MAX);
        assert!(e.ends_with('…'));
        assert_eq!(echo(&"é".repeat(81)).chars().count(), ECHO_MAX, "cut on a character boundary");
        let m = cap_message(&format!("key `a`: `{long}` is not a duration\n    3 | a = \"{long}\"\n{long}"));
        assert!(m.len() < 3 * LINE_MAX, "{} bytes", m.len());
        assert!(m.starts_with("key `a`: `xxx") && m.contains("…` is not a duration\n    3 | a = \"xx"));
        assert_eq!(cap_message("unknown `fofo` (valid: a, b)"), "unknown `fofo` (valid: a, b)");
        let command = format!("run `clustersim check {} --update-baseline`", "p/".repeat(60));
        assert_eq!(cap_message(&command), command, "a command of a few hundred characters is kept whole");
    }
}
