//! Before a sweep runs: when every configuration is invalid, nothing is run or written; the error has
//! one line per distinct problem, naming the `sweep.` key and values that cause it.

use super::plan::Study;
use crate::error::{Error, Result};

/// `Ok` when at least one configuration of `study` is valid (the invalid ones then fail as runs, by id).
/// Otherwise an error listing each distinct problem once.
pub fn every_configuration_invalid(study: &Study) -> Result<()> {
    let configurations = study.ids.configurations;
    let mut errors: Vec<(String, Vec<usize>)> = Vec::new();
    for c in 0..configurations {
        match study.scenario(c).map_err(|e| one_line(&e)) {
            Ok(_) => return Ok(()),
            Err(e) => match errors.iter_mut().find(|(m, _)| *m == e) {
                Some((_, cs)) => cs.push(c),
                None => errors.push((e, vec![c])),
            },
        }
    }
    let mut lines = culprits(study);
    if lines.is_empty() {
        // Only combinations fail: name them by configuration.
        lines = errors
            .iter()
            .map(|(message, cs)| {
                let shown: Vec<String> = cs.iter().take(3).map(|&c| study.config_label(c)).collect();
                let more = if cs.len() > 3 { format!(", ... ({} in all)", cs.len()) } else { String::new() };
                format!("  configuration(s) {}{more}: {message}", shown.join("; "))
            })
            .collect();
    }
    Err(Error::Other(format!(
        "{}: every one of the {configurations} sweep configuration(s) is invalid; nothing was run:\n{}",
        study.path.display(),
        lines.join("\n")
    )))
}

/// The sweep values that are invalid on their own (applied alone to the scenario, which is valid):
/// one line per distinct problem, `  sweep.KEY = V1, V2: problem`.
fn culprits(study: &Study) -> Vec<String> {
    let mut found: Vec<(String, String, Vec<String>)> = Vec::new(); // (key, problem, values)
    for (d, dim) in study.spec.dimensions.iter().enumerate() {
        for i in 0..dim.values.len() {
            let Err(problem) = study.scenario_with(&[(d, i)]).map_err(|e| one_line(&e)) else { continue };
            match found.iter_mut().find(|(k, p, _)| *k == dim.key && *p == problem) {
                Some((_, _, values)) => values.push(dim.label(i)),
                None => found.push((dim.key.clone(), problem, vec![dim.label(i)])),
            }
        }
    }
    found
        .into_iter()
        .map(|(key, problem, values)| format!("  `sweep.{key}` = {}: {problem}", values.join(", ")))
        .collect()
}

/// A message on one line (serde puts `in `table`` on a line of its own).
fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}
