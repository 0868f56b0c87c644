//! What the runs of a study left out of their input: the skipped trace lines and input notes of each
//! run's `manifest.json`, grouped by identical report, for the study's manifest and its terminal lines.

use serde_json::Value;
use std::path::Path;

/// One input report shared by some runs of a study: the `skipped_input` and `input_notes` entries of
/// their manifests (equal in all of them), and the runs, in matrix order.
#[derive(Clone, Debug, PartialEq)]
pub struct InputReport {
    pub runs: Vec<String>,
    pub skipped: Vec<Value>,
    pub notes: Vec<Value>,
}

/// The distinct non-empty input reports of the runs listed in `out/summary.csv` (read from
/// `out/runs/<id>/manifest.json`), in order of their first run. Runs that skipped nothing and noted
/// nothing are left out; a study whose workload does not vary has at most one report.
pub fn input_reports(out: &Path) -> Vec<InputReport> {
    let mut reports: Vec<InputReport> = Vec::new();
    for id in run_ids(&out.join("summary.csv")) {
        let Some(manifest) = std::fs::read(out.join("runs").join(&id).join("manifest.json"))
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
        else {
            continue;
        };
        let list = |key: &str| manifest.get(key).and_then(Value::as_array).cloned().unwrap_or_default();
        let (skipped, notes) = (list("skipped_input"), list("input_notes"));
        if skipped.is_empty() && notes.is_empty() {
            continue;
        }
        match reports.iter_mut().find(|r| r.skipped == skipped && r.notes == notes) {
            Some(r) => r.runs.push(id),
            None => reports.push(InputReport { runs: vec![id], skipped, notes }),
        }
    }
    reports
}

/// The `run_id` column of a study's `summary.csv` (matrix order).
fn run_ids(summary: &Path) -> Vec<String> {
    let Ok(mut r) = csv::Reader::from_path(summary) else { return Vec::new() };
    let Some(col) = r.headers().ok().and_then(|h| h.iter().position(|c| c == "run_id")) else {
        return Vec::new();
    };
    r.records().flatten().filter_map(|rec| rec.get(col).map(str::to_string)).collect()
}

/// The input lines of a manifest, as [`lines`] gives them: a study's `input_reports` (over its
/// `runs_ok` runs), or a single run's `skipped_input` and `input_notes`.
pub fn manifest_lines(m: &Value) -> (Vec<String>, Vec<String>) {
    let list = |v: Option<&Value>| v.and_then(Value::as_array).cloned().unwrap_or_default();
    let (reports, total) = match m.get("input_reports") {
        Some(Value::Array(groups)) => {
            let reports: Vec<InputReport> = groups
                .iter()
                .map(|g| InputReport {
                    runs: list(g.get("runs")).iter().filter_map(|r| r.as_str().map(str::to_string)).collect(),
                    skipped: list(g.get("skipped_input")),
                    notes: list(g.get("input_notes")),
                })
                .collect();
            (reports, m.get("runs_ok").and_then(Value::as_u64).unwrap_or(0) as usize)
        }
        _ => {
            let (skipped, notes) = (list(m.get("skipped_input")), list(m.get("input_notes")));
            (vec![InputReport { runs: vec![String::new()], skipped, notes }], 1)
        }
    };
    lines(&reports, total)
}

/// The reports as the study's manifest stores them.
pub fn to_json(reports: &[InputReport]) -> Value {
    reports
        .iter()
        .map(|r| serde_json::json!({ "runs": r.runs, "skipped_input": r.skipped, "input_notes": r.notes }))
        .collect()
}

/// Terminal lines for the reports of a study of `total` runs: `input lines skipped N: ...` per report
/// (with the runs it covers) and `warning: ...` per note.
pub fn lines(reports: &[InputReport], total: usize) -> (Vec<String>, Vec<String>) {
    let (mut skipped, mut warnings) = (Vec::new(), Vec::new());
    for r in reports {
        let runs = if r.runs.len() == total {
            if total == 1 { String::new() } else { format!(" (all {total} runs)") }
        } else {
            let shown: Vec<&str> = r.runs.iter().take(3).map(String::as_str).collect();
            let more = if r.runs.len() > 3 { format!(" and {} more", r.runs.len() - 3) } else { String::new() };
            format!(" (runs {}{more})", shown.join(", "))
        };
        if let Some(line) = crate::runner::skipped_line(&skip_report(&r.skipped)) {
            skipped.push(format!("{line}{runs}"));
        }
        for note in &r.notes {
            let text = note.as_str().map_or_else(|| note.to_string(), str::to_string);
            warnings.push(format!("warning: {text}{runs}"));
        }
    }
    (skipped, warnings)
}

/// The report a run's `skipped_input` entries were written from (the manifest's inverse), so that a
/// study words its skips as a run does.
fn skip_report(entries: &[Value]) -> crate::model::SkipReport {
    let mut report = crate::model::SkipReport::default();
    for e in entries {
        report.reasons.push((
            e.get("reason").and_then(Value::as_str).unwrap_or("?").to_string(),
            e.get("count").and_then(Value::as_u64).unwrap_or(0),
        ));
        report.first_lines.push(e.get("first_line").and_then(Value::as_u64));
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(runs: &[&str], skipped: Value, notes: Value) -> InputReport {
        let list = |v: Value| v.as_array().cloned().unwrap();
        InputReport { runs: runs.iter().map(|s| s.to_string()).collect(), skipped: list(skipped), notes: list(notes) }
    }

    #[test]
    fn lines_name_the_runs_a_report_covers() {
        let first = serde_json::json!([{ "reason": "malformed line", "count": 2, "first_line": 7 }, { "reason": "run time <= 0", "count": 3 }]);
        let all = [report(&["c0-r0", "c1-r0"], first.clone(), serde_json::json!(["header says more"]))];
        let (skipped, warnings) = lines(&all, 2);
        assert_eq!(skipped, ["input lines skipped 5: 2 malformed line (first: line 7), 3 run time <= 0 (all 2 runs)"]);
        assert_eq!(warnings, ["warning: header says more (all 2 runs)"]);
        let some = [report(&["c0-r0", "c1-r0", "c2-r0", "c3-r0"], first, serde_json::json!([]))];
        assert_eq!(
            lines(&some, 9).0[0],
            "input lines skipped 5: 2 malformed line (first: line 7), 3 run time <= 0 (runs c0-r0, c1-r0, c2-r0 and 1 more)"
        );
    }
}
