//! Renders a check report: an aligned text table for the terminal, Markdown for a pull-request comment, JUnit XML for CI.

use super::report::{MetricCheck, Report, RunReport, ScenarioReport};
use super::rules::Verdict;
use std::fmt::Write;

/// The output formats of `clustersim check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Markdown,
    Junit,
}

/// Renders `report`; `all` also lists the metrics that did not change.
pub fn render(report: &Report, format: Format, all: bool) -> String {
    match format {
        Format::Text => text(report, all),
        Format::Markdown => markdown(report, all),
        Format::Junit => junit(report),
    }
}

const COLUMNS: [&str; 7] = ["run", "metric", "baseline", "new", "change", "allowed", "verdict"];

fn cells(run: &RunReport, m: &MetricCheck) -> [String; 7] {
    let v = |c: &Option<String>| c.clone().unwrap_or_else(|| "-".into());
    [
        run.run_id.clone(),
        m.metric.clone(),
        v(&m.old),
        v(&m.new),
        m.change_text(),
        m.rule.describe(),
        m.verdict.label().to_string(),
    ]
}

/// The table rows of a scenario: every metric that moved, or every metric with `all`.
fn rows(sc: &ScenarioReport, all: bool) -> Vec<[String; 7]> {
    sc.runs
        .iter()
        .flat_map(|r| {
            r.metrics.iter().filter(move |m| all || m.verdict != Verdict::Unchanged).map(move |m| cells(r, m))
        })
        .collect()
}

fn scenario_line(sc: &ScenarioReport) -> String {
    let t = sc.tally();
    format!(
        "{} run(s), {} metric(s): {} unchanged, {} changed within rules, {} regressed, {} error(s)",
        t.runs, t.metrics, t.unchanged, t.changed_ok, t.regressions, t.errors
    )
}

/// Problems and notes of a scenario and its runs, one line each. A run's errors name the run
/// themselves; its notes are prefixed with the run id, except for a scenario's only run (`run`).
fn remarks(sc: &ScenarioReport) -> (Vec<String>, Vec<String>) {
    let mut errors = sc.errors.clone();
    let mut notes = sc.notes.clone();
    let single = sc.runs.len() == 1 && sc.runs[0].run_id == "run";
    for r in &sc.runs {
        errors.extend(r.errors.iter().cloned());
        notes.extend(r.notes.iter().map(|n| if single { n.clone() } else { format!("run `{}`: {n}", r.run_id) }));
    }
    (errors, notes)
}

/// `quickstart (scenarios/quickstart.toml vs results/baseline/quickstart)`, or without the baseline
/// part when the scenario could not be read far enough to know its baseline directory.
fn heading(sc: &ScenarioReport) -> String {
    if sc.baseline_dir.as_os_str().is_empty() {
        format!("{} ({})", sc.name, sc.file)
    } else {
        format!("{} ({} vs {})", sc.name, sc.file, sc.baseline_dir.display())
    }
}

fn text(report: &Report, all: bool) -> String {
    let mut s = String::new();
    for sc in &report.scenarios {
        let _ = writeln!(s, "{}", heading(sc));
        let (errors, notes) = remarks(sc);
        for e in errors {
            let _ = writeln!(s, "  error: {e}");
        }
        for n in notes {
            let _ = writeln!(s, "  note: {n}");
        }
        let rows = rows(sc, all);
        if !rows.is_empty() {
            let mut width = COLUMNS.map(|c| c.chars().count());
            for r in &rows {
                for (w, c) in width.iter_mut().zip(r) {
                    *w = (*w).max(c.chars().count());
                }
            }
            let line = |cells: &[String]| {
                let mut l = String::from(" ");
                for (i, (c, w)) in cells.iter().zip(width).enumerate() {
                    let pad = w - c.chars().count();
                    // Numbers right-aligned, words left-aligned.
                    if (2..=4).contains(&i) {
                        l += &format!(" {}{c}", " ".repeat(pad));
                    } else {
                        l += &format!(" {c}{}", " ".repeat(pad));
                    }
                    l += " ";
                }
                l.trim_end().to_string() + "\n"
            };
            s += &line(&COLUMNS.map(String::from));
            for r in &rows {
                s += &line(r);
            }
        }
        if !(report.updated && sc.runs.is_empty()) {
            let _ = writeln!(s, "  {}", scenario_line(sc));
        }
    }
    s + &report.verdict_line() + "\n"
}

fn md_cell(c: &str) -> String {
    c.replace('|', "\\|").replace('\n', " ")
}

fn markdown(report: &Report, all: bool) -> String {
    let mut s = format!("## clustersim check\n\n**{}**\n", report.verdict_line());
    for sc in &report.scenarios {
        let against = if sc.baseline_dir.as_os_str().is_empty() {
            String::new()
        } else {
            format!(" against `{}`", sc.baseline_dir.display())
        };
        let _ = write!(s, "\n### {}\n\n`{}`{against}: {}\n", sc.name, sc.file, scenario_line(sc));
        let (errors, notes) = remarks(sc);
        if !errors.is_empty() || !notes.is_empty() {
            s += "\n";
            for e in errors {
                let _ = writeln!(s, "- **error**: {}", md_cell(&e));
            }
            for n in notes {
                let _ = writeln!(s, "- note: {}", md_cell(&n));
            }
        }
        let rows = rows(sc, all);
        if !rows.is_empty() {
            s += "\n| run | metric | baseline | new | change | allowed | verdict |\n";
            s += "|---|---|---:|---:|---:|---|---|\n";
            for r in &rows {
                let mut cells: Vec<String> = r.iter().map(|c| md_cell(c)).collect();
                cells[1] = format!("`{}`", cells[1]);
                if r[6] == Verdict::Regressed.label() || r[6] == Verdict::Missing.label() {
                    cells[6] = format!("**{}**", cells[6]);
                }
                let _ = writeln!(s, "| {} |", cells.join(" | "));
            }
        }
    }
    s
}

/// Escapes text for XML attributes and content, dropping characters XML 1.0 forbids.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out += "&amp;",
            '<' => out += "&lt;",
            '>' => out += "&gt;",
            '"' => out += "&quot;",
            '\'' => out += "&apos;",
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out
}

/// A JUnit test case: a name, and a failure or an error with its message and details.
struct Case {
    classname: String,
    name: String,
    outcome: Outcome,
    details: String,
}

enum Outcome {
    Pass,
    Failure(String),
    Error(String),
}

/// The test cases of a scenario: one per scenario-level error, one per run error, one per run × metric group.
fn cases(sc: &ScenarioReport, judged: bool) -> Vec<Case> {
    let mut out = Vec::new();
    for e in &sc.errors {
        out.push(Case {
            classname: sc.name.clone(),
            name: "baseline".into(),
            outcome: Outcome::Error(e.clone()),
            details: e.clone(),
        });
    }
    for run in &sc.runs {
        let classname = format!("{}.{}", sc.name, run.run_id);
        for e in &run.errors {
            out.push(Case {
                classname: classname.clone(),
                name: "baseline".into(),
                outcome: Outcome::Error(e.clone()),
                details: e.clone(),
            });
        }
        let mut groups: Vec<&str> = Vec::new();
        for m in &run.metrics {
            if !groups.contains(&m.group) {
                groups.push(m.group);
            }
        }
        for g in groups {
            let metrics: Vec<&MetricCheck> = run.metrics.iter().filter(|m| m.group == g).collect();
            let lines = |pick: &dyn Fn(&MetricCheck) -> bool| {
                metrics.iter().filter(|m| pick(m)).map(|m| m.message()).collect::<Vec<_>>().join("\n")
            };
            let missing = lines(&|m| m.verdict == Verdict::Missing);
            let regressed = lines(&|m| m.verdict == Verdict::Regressed);
            let outcome = if !missing.is_empty() {
                Outcome::Error(missing)
            } else if !regressed.is_empty() && judged {
                Outcome::Failure(regressed)
            } else {
                Outcome::Pass
            };
            let details = metrics
                .iter()
                .map(|m| format!("{} ({})", m.message(), m.verdict.label()))
                .collect::<Vec<_>>()
                .join("\n");
            out.push(Case { classname: classname.clone(), name: g.to_string(), outcome, details });
        }
    }
    out
}

fn junit(report: &Report) -> String {
    let suites: Vec<(&ScenarioReport, Vec<Case>)> =
        report.scenarios.iter().map(|sc| (sc, cases(sc, !report.updated))).collect();
    let count = |cs: &[Case], f: fn(&Outcome) -> bool| cs.iter().filter(|c| f(&c.outcome)).count();
    let is_failure = |o: &Outcome| matches!(o, Outcome::Failure(_));
    let is_error = |o: &Outcome| matches!(o, Outcome::Error(_));
    let all: Vec<&Case> = suites.iter().flat_map(|(_, cs)| cs).collect();
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        s,
        "<testsuites name=\"clustersim check\" tests=\"{}\" failures=\"{}\" errors=\"{}\">",
        all.len(),
        all.iter().filter(|c| is_failure(&c.outcome)).count(),
        all.iter().filter(|c| is_error(&c.outcome)).count()
    );
    for (sc, cs) in &suites {
        let _ = writeln!(
            s,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"0\">",
            xml_escape(&sc.name),
            cs.len(),
            count(cs, is_failure),
            count(cs, is_error)
        );
        for c in cs {
            let _ = write!(
                s,
                "    <testcase classname=\"{}\" name=\"{}\" time=\"0\">",
                xml_escape(&c.classname),
                xml_escape(&c.name)
            );
            let one_line = |m: &str| xml_escape(&m.lines().collect::<Vec<_>>().join("; "));
            match &c.outcome {
                Outcome::Pass => {}
                Outcome::Failure(m) => {
                    let _ = write!(
                        s,
                        "\n      <failure type=\"regression\" message=\"{}\">{}</failure>",
                        one_line(m),
                        xml_escape(m)
                    );
                }
                Outcome::Error(m) => {
                    let _ = write!(
                        s,
                        "\n      <error type=\"error\" message=\"{}\">{}</error>",
                        one_line(m),
                        xml_escape(m)
                    );
                }
            }
            let _ = writeln!(s, "\n      <system-out>{}</system-out>\n    </testcase>", xml_escape(&c.details));
        }
        s += "  </testsuite>\n";
    }
    s + "</testsuites>\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::rules::{Direction, Rule};

    fn metric(name: &str, group: &'static str, old: &str, new: &str, verdict: Verdict) -> MetricCheck {
        MetricCheck {
            metric: name.into(),
            group,
            old: Some(old.into()),
            new: Some(new.into()),
            rule: Rule { direction: Direction::Lower, abs: 0.0, rel: 0.02 },
            verdict,
        }
    }

    fn sample() -> Report {
        Report {
            updated: false,
            scenarios: vec![ScenarioReport {
                name: "q<1>".into(),
                file: "q.toml".into(),
                baseline_dir: "base/q".into(),
                errors: vec![],
                notes: vec![],
                runs: vec![
                    RunReport {
                        run_id: "run".into(),
                        errors: vec![],
                        notes: vec![],
                        metrics: vec![
                            metric("wait_p95", "wait", "100", "110", Verdict::Regressed),
                            metric("wait_p50", "wait", "50", "50", Verdict::Unchanged),
                            metric("bsld_mean", "slowdown", "2", "2", Verdict::Unchanged),
                        ],
                    },
                    RunReport {
                        run_id: "other".into(),
                        errors: vec!["run `other` has no baseline".into()],
                        ..RunReport::default()
                    },
                ],
            }],
        }
    }

    #[test]
    fn text_shows_what_moved_with_its_tolerance() {
        let r = sample();
        let t = render(&r, Format::Text, false);
        assert!(t.contains("wait_p95") && t.contains("+10 (+10.00%)") && t.contains("may rise ≤ 2%"), "{t}");
        assert!(!t.contains("wait_p50"), "{t}");
        assert!(t.contains("\n  error: run `other` has no baseline\n"), "{t}");
        assert!(t.ends_with("1 regressed, 1 error(s)\n"), "{t}");
        assert!(render(&r, Format::Text, true).contains("wait_p50"));
        assert_eq!(r.exit_code(), 2);
    }

    #[test]
    fn text_heading_and_notes_read_plainly() {
        // A scenario that could not be parsed has no baseline directory: name and file only.
        let unread = ScenarioReport {
            name: "qs-tol".into(),
            file: "qs-tol.toml".into(),
            errors: vec!["qs-tol.toml: line 3: bad".into()],
            ..ScenarioReport::default()
        };
        // A single run's changed setting is a plain note; a sweep's names the run.
        let single = ScenarioReport {
            name: "q".into(),
            file: "q.toml".into(),
            baseline_dir: "base/q".into(),
            runs: vec![RunReport {
                run_id: "run".into(),
                notes: vec!["seed: `42` → `7`".into()],
                ..RunReport::default()
            }],
            ..ScenarioReport::default()
        };
        let mut sweep = single.clone();
        sweep.runs[0].run_id = "c0-r0".into();
        let report = Report { updated: false, scenarios: vec![unread, single, sweep] };
        let t = render(&report, Format::Text, false);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines[0], "qs-tol (qs-tol.toml)");
        assert_eq!(lines[1], "  error: qs-tol.toml: line 3: bad");
        assert_eq!(lines[3], "q (q.toml vs base/q)");
        assert_eq!(lines[4], "  note: seed: `42` → `7`");
        assert_eq!(lines[7], "  note: run `c0-r0`: seed: `42` → `7`");
        let m = render(&report, Format::Markdown, false);
        assert!(m.contains("\n`qs-tol.toml`: 0 run(s)"), "{m}");
        assert!(m.contains("\n`q.toml` against `base/q`: 1 run(s)"), "{m}");
    }

    #[test]
    fn markdown_is_a_table() {
        let m = render(&sample(), Format::Markdown, false);
        assert!(m.contains("| run | `wait_p95` | 100 | 110 | +10 (+10.00%) | may rise ≤ 2% | **REGRESSED** |"), "{m}");
    }

    #[test]
    fn junit_has_one_case_per_run_and_group() {
        let x = render(&sample(), Format::Junit, false);
        assert!(x.contains("<testsuites name=\"clustersim check\" tests=\"3\" failures=\"1\" errors=\"1\">"), "{x}");
        assert!(x.contains("<testsuite name=\"q&lt;1&gt;\" tests=\"3\""), "{x}");
        assert!(x.contains(
            "<failure type=\"regression\" message=\"wait_p95: 100 → 110 +10 (+10.00%); allowed: may rise ≤ 2%\">"
        ));
        assert_eq!(xml_escape("a&\"b\u{1}"), "a&amp;&quot;b");
    }
}
