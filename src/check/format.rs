//! Renders a check report: an aligned text table for the terminal, Markdown for a pull-request comment, JUnit XML for CI.

use super::report::{MetricCheck, Report, RunReport, ScenarioReport, change_text, round_cell, round_num};
use super::rules::Verdict;
use super::summary::{ConfigSummary, configurations, rank};
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

/// Rows of the per-run table a text report shows at most (`--all` lists every one).
const TEXT_DETAIL_ROWS: usize = 8;
/// Configuration lines a text report shows at most (`--all` lists every one).
const TEXT_CONFIG_ROWS: usize = 40;
/// Rows of the folded per-run table of a Markdown report at most (`--all` lists every one), so a
/// large sweep stays within a pull-request comment.
const MARKDOWN_DETAIL_ROWS: usize = 300;
/// Run notes or errors listed at most before the rest are counted.
const REMARKS: usize = 10;

fn cells(run: &RunReport, m: &MetricCheck) -> [String; 7] {
    let v = |c: &Option<String>| c.as_deref().map(round_cell).unwrap_or_else(|| "-".into());
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

/// The per-run rows of a scenario: what regressed (or is missing), or every metric with `all`.
fn rows(sc: &ScenarioReport, all: bool) -> Vec<[String; 7]> {
    sc.runs
        .iter()
        .flat_map(|r| r.metrics.iter().filter(move |m| all || m.is_failure()).map(move |m| cells(r, m)))
        .collect()
}

const CONFIG_COLUMNS: [&str; 10] =
    ["config", "metric", "baseline", "new", "change", "tolerance", "95% CI of change", "runs", "more", "settings"];

/// The configuration lines of a scenario: those that changed (every one with `all`), the worst first.
fn config_rows(sc: &ScenarioReport, all: bool) -> Vec<[String; 10]> {
    let mut cs: Vec<ConfigSummary> =
        configurations(sc).into_iter().filter(|c| all || c.status != Verdict::Unchanged).collect();
    cs.sort_by_key(|c| std::cmp::Reverse(rank(c.status)));
    cs.iter()
        .map(|c| {
            let status = match c.status {
                Verdict::Missing => "ERROR".to_string(),
                v => v.label().to_string(),
            };
            let more = if c.also_moved > 0 { format!("+{} metric(s)", c.also_moved) } else { String::new() };
            match &c.headline {
                Some(h) => {
                    let d = h.delta();
                    let rel = (h.old_mean != 0.0).then(|| d / h.old_mean.abs());
                    [
                        c.id.clone(),
                        h.metric.clone(),
                        round_num(h.old_mean),
                        round_num(h.new_mean),
                        if d == 0.0 || !d.is_finite() { String::new() } else { change_text(d, rel) },
                        format!("{} ({})", h.tolerance_text(), h.allowed),
                        h.ci_text(),
                        format!("{}/{} {status}", h.runs_with_status, c.runs),
                        more,
                        c.label.clone(),
                    ]
                }
                None => [
                    c.id.clone(),
                    "-".into(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    format!("{} run(s) {status}", c.runs),
                    more,
                    c.label.clone(),
                ],
            }
        })
        .collect()
}

/// `36 configuration(s): 30 regressed, 0 within tolerance, 0 improved, 6 unchanged`.
fn config_counts(sc: &ScenarioReport) -> String {
    let cs = configurations(sc);
    let n = |f: &dyn Fn(Verdict) -> bool| cs.iter().filter(|c| f(c.status)).count();
    let errors = n(&|v| v == Verdict::Missing);
    let errors = if errors > 0 { format!(", {errors} with errors") } else { String::new() };
    format!(
        "{} configuration(s): {} regressed, {} within tolerance, {} improved, {} unchanged{errors}",
        cs.len(),
        n(&|v| v == Verdict::Regressed),
        n(&|v| v == Verdict::Tolerated),
        n(&|v| v == Verdict::Improved),
        n(&|v| matches!(v, Verdict::Unchanged | Verdict::Info | Verdict::New)),
    )
}

fn scenario_line(sc: &ScenarioReport) -> String {
    sc.tally().counts()
}

/// Lines that repeat across runs said once: `queue: `fifo` → `srtf` (runs c0-r0, c0-r1, c0-r2, ... 5 in all)`.
fn collapse(items: Vec<(Option<String>, String)>) -> Vec<String> {
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for (run, text) in items {
        match groups.iter_mut().find(|(t, _)| *t == text) {
            Some((_, runs)) => runs.extend(run),
            None => groups.push((text, run.into_iter().collect())),
        }
    }
    groups
        .into_iter()
        .map(|(text, runs)| match runs.len() {
            0 => text,
            1 => format!("run `{}`: {text}", runs[0]),
            n => {
                let shown: Vec<&str> = runs.iter().take(3).map(String::as_str).collect();
                let more = if n > 3 { format!(", ... {n} in all") } else { String::new() };
                format!("{text} (runs {}{more})", shown.join(", "))
            }
        })
        .collect()
}

/// At most [`REMARKS`] lines, then a count of the rest.
fn capped(mut lines: Vec<String>) -> Vec<String> {
    if lines.len() > REMARKS {
        let rest = lines.len() - REMARKS;
        lines.truncate(REMARKS);
        lines.push(format!("... and {rest} more"));
    }
    lines
}

/// Problems and notes of a scenario and its runs, one line each, repeated notes said once. A run's
/// errors name the run themselves; its notes name the runs they hold for, except for a scenario's
/// only run (`run`).
fn remarks(sc: &ScenarioReport) -> (Vec<String>, Vec<String>) {
    let mut errors = sc.errors.clone();
    let single = sc.runs.len() == 1 && sc.runs[0].run_id == "run";
    let mut run_notes = Vec::new();
    for r in &sc.runs {
        errors.extend(r.errors.iter().cloned());
        run_notes.extend(r.notes.iter().map(|n| ((!single).then(|| r.run_id.clone()), n.clone())));
    }
    let mut notes = sc.notes.clone();
    notes.extend(collapse(run_notes));
    (capped(errors), capped(notes))
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

/// An aligned table, indented by two spaces; `numeric` columns are right-aligned.
fn aligned<const N: usize>(header: [&str; N], rows: &[[String; N]], numeric: &[usize]) -> String {
    let mut width = header.map(|c| c.chars().count());
    for r in rows {
        for (w, c) in width.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut l = String::from(" ");
        for (i, (c, w)) in cells.iter().zip(width).enumerate() {
            let pad = " ".repeat(w - c.chars().count());
            if numeric.contains(&i) {
                l += &format!(" {pad}{c} ");
            } else {
                l += &format!(" {c}{pad} ");
            }
        }
        l.trim_end().to_string() + "\n"
    };
    let mut s = line(&header.map(String::from));
    for r in rows {
        s += &line(r);
    }
    s
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
        if report.updated && sc.runs.is_empty() {
            continue;
        }
        let _ = writeln!(s, "  {}", scenario_line(sc));
        if sc.runs.is_empty() {
            continue;
        }
        let configs = config_rows(sc, all);
        let _ = writeln!(s, "  {}", config_counts(sc));
        if !configs.is_empty() {
            let shown = if all { configs.len() } else { configs.len().min(TEXT_CONFIG_ROWS) };
            s += &aligned(CONFIG_COLUMNS, &configs[..shown], &[2, 3, 4]);
            if shown < configs.len() {
                let _ = writeln!(s, "  ... {} more configuration(s) changed (--all lists them)", configs.len() - shown);
            }
        }
        let rows = rows(sc, all);
        if !rows.is_empty() {
            let shown = if all { rows.len() } else { rows.len().min(TEXT_DETAIL_ROWS) };
            let what = if all { "every metric, run by run" } else { "what regressed, run by run" };
            let of = if shown < rows.len() {
                format!(" (first {shown} of {}; --all lists every metric of every run)", rows.len())
            } else {
                String::new()
            };
            let _ = writeln!(s, "  {what}{of}:");
            s += &aligned(COLUMNS, &rows[..shown], &[2, 3, 4]);
        }
    }
    s + &report.verdict_line() + "\n"
}

fn md_cell(c: &str) -> String {
    c.replace('|', "\\|").replace('\n', " ")
}

/// A Markdown table; `numeric` columns right-aligned, the second column as code.
fn md_table<const N: usize>(header: [&str; N], rows: &[[String; N]], numeric: &[usize]) -> String {
    let mut s = format!("| {} |\n|", header.join(" | "));
    for i in 0..N {
        s += if numeric.contains(&i) { "---:|" } else { "---|" };
    }
    s += "\n";
    for r in rows {
        let mut cells: Vec<String> = r.iter().map(|c| md_cell(c)).collect();
        if cells[1] != "-" {
            cells[1] = format!("`{}`", cells[1]);
        }
        for c in &mut cells {
            if c.contains(Verdict::Regressed.label()) || c.contains(Verdict::Missing.label()) || c.contains("ERROR") {
                *c = format!("**{c}**");
            }
        }
        let _ = writeln!(s, "| {} |", cells.join(" | "));
    }
    s
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
        if !sc.runs.is_empty() {
            let _ = writeln!(s, "\n{}", config_counts(sc));
        }
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
        let configs = config_rows(sc, all);
        if !configs.is_empty() {
            s += "\n";
            s += &md_table(CONFIG_COLUMNS, &configs, &[2, 3, 4]);
        }
        let rows = rows(sc, all);
        if !rows.is_empty() {
            let shown = if all { rows.len() } else { rows.len().min(MARKDOWN_DETAIL_ROWS) };
            let what = if all { "Every metric, run by run" } else { "What regressed, run by run" };
            let _ = write!(s, "\n<details><summary>{what}: {} row(s)</summary>\n\n", rows.len());
            s += &md_table(COLUMNS, &rows[..shown], &[2, 3, 4]);
            if shown < rows.len() {
                let _ = writeln!(s, "\n... {} more row(s): the JUnit report or `--all` lists them", rows.len() - shown);
            }
            s += "\n</details>\n";
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
                        label: String::new(),
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
        assert!(t.contains("wait_p95") && t.contains("+10 (+10%)") && t.contains("may rise ≤ 2%"), "{t}");
        assert!(!t.contains("wait_p50"), "{t}");
        assert!(t.contains("\n  error: run `other` has no baseline\n"), "{t}");
        assert!(t.ends_with("1 regressed, 0 improved, 0 within tolerance, 2 unchanged, 1 error(s)\n"), "{t}");
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
        assert_eq!(lines[8], "  note: run `c0-r0`: seed: `42` → `7`");
        let m = render(&report, Format::Markdown, false);
        assert!(m.contains("\n`qs-tol.toml`: 0 run(s)"), "{m}");
        assert!(m.contains("\n`q.toml` against `base/q`: 1 run(s)"), "{m}");
    }

    #[test]
    fn markdown_is_a_table() {
        let m = render(&sample(), Format::Markdown, false);
        assert!(m.contains("| run | `wait_p95` | 100 | 110 | +10 (+10%) | may rise ≤ 2% | **REGRESSED** |"), "{m}");
        assert!(m.contains("<details><summary>What regressed, run by run: 1 row(s)</summary>"), "{m}");
        assert!(m.contains("| run | `wait_p95` | 100 | 110 | +10 (+10%) | exceeded (may rise ≤ 2%) | n/a |"), "{m}");
    }

    #[test]
    fn repeated_run_notes_are_said_once_and_numbers_rounded() {
        let run = |id: &str| RunReport {
            run_id: id.into(),
            notes: vec!["queue: `fifo` → `srtf`".into()],
            metrics: vec![metric("wait_mean", "wait", "205939.437477", "205940.5", Verdict::Regressed)],
            ..RunReport::default()
        };
        let sc = ScenarioReport {
            name: "s".into(),
            runs: (0..5).map(|r| run(&format!("c0-r{r}"))).collect(),
            ..ScenarioReport::default()
        };
        let t = render(&Report { updated: false, scenarios: vec![sc] }, Format::Text, false);
        let notes: Vec<&str> = t.lines().filter(|l| l.contains("note:")).collect();
        assert_eq!(notes, ["  note: queue: `fifo` → `srtf` (runs c0-r0, c0-r1, c0-r2, ... 5 in all)"], "{t}");
        assert!(t.contains("  c0      wait_mean    205939  205940  +1.063 (+0.0005159%)"), "{t}");
        assert!(t.contains("1 configuration(s): 1 regressed"), "{t}");
        assert_eq!(round_num(0.454477), "0.4545");
        assert_eq!(round_num(-0.000123456), "-0.0001235");
    }

    #[test]
    fn junit_has_one_case_per_run_and_group() {
        let x = render(&sample(), Format::Junit, false);
        assert!(x.contains("<testsuites name=\"clustersim check\" tests=\"3\" failures=\"1\" errors=\"1\">"), "{x}");
        assert!(x.contains("<testsuite name=\"q&lt;1&gt;\" tests=\"3\""), "{x}");
        assert!(x.contains(
            "<failure type=\"regression\" message=\"wait_p95: 100 → 110 +10 (+10%); allowed: may rise ≤ 2%\">"
        ));
        assert_eq!(xml_escape("a&\"b\u{1}"), "a&amp;&quot;b");
    }
}
