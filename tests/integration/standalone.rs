//! A clone works on its own: the shipped scenarios read only files of the repository, and the
//! program output that README.md shows is what a run prints today.

use crate::doc_examples::blocks;
use crate::util::{clustersim, repo};
use std::path::{Component, Path, PathBuf};

/// The shipped scenario files, sorted.
fn shipped() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

/// `p` with `.` and `..` taken out, without reading the file system.
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
}

/// Every string of `v` that names a file (keys `path`, `trace`, `output`, or a value that starts
/// with `.` or `/`), with the dotted key that holds it.
fn paths(v: &toml::Value, key: &str, out: &mut Vec<(String, String)>) {
    match v {
        toml::Value::Table(t) => t.iter().for_each(|(k, x)| paths(x, &format!("{key}.{k}"), out)),
        toml::Value::Array(a) => a.iter().enumerate().for_each(|(i, x)| paths(x, &format!("{key}[{i}]"), out)),
        toml::Value::String(s) => {
            let last = key.rsplit('.').next().unwrap_or("");
            if matches!(last, "path" | "trace" | "output") || s.starts_with('.') || s.starts_with('/') {
                out.push((key.trim_start_matches('.').to_string(), s.clone()));
            }
        }
        _ => {}
    }
}

/// Issue 18: `scenarios/kth-sp2.toml` and `scenarios/compare.toml` read `../../shared/workloads/...`,
/// which a clone of the public repository does not have. The trace now ships in `workloads/`.
#[test]
fn no_shipped_scenario_refers_to_a_path_outside_the_repository() {
    let root = normalize(&repo(""));
    let mut bad = Vec::new();
    let mut seen = 0;
    for file in shipped() {
        let v = toml::Value::Table(std::fs::read_to_string(&file).unwrap().parse::<toml::Table>().unwrap());
        let mut found = Vec::new();
        paths(&v, "", &mut found);
        for (key, p) in found {
            seen += 1;
            let full = normalize(&repo("scenarios").join(&p));
            let name = file.file_name().unwrap().to_string_lossy();
            if Path::new(&p).is_absolute() || !full.starts_with(&root) {
                bad.push(format!("{name}: `{key}` = {p:?} lies outside the repository"));
            } else if key != "output" && !full.exists() {
                bad.push(format!("{name}: `{key}` = {p:?} does not exist"));
            }
        }
    }
    assert!(seen >= 3, "only {seen} paths found in the shipped scenarios");
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// The same, checked by the program: a copy of `scenarios/` and `workloads/` alone, with no
/// `../shared` anywhere above it, validates (which reads every trace a scenario names).
#[test]
fn every_shipped_scenario_validates_in_a_copy_of_the_repository_alone() {
    let d = tempfile::tempdir().unwrap();
    let clone = d.path().join("clone");
    fn copy_tree(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let p = e.unwrap().path();
            let dest = to.join(p.file_name().unwrap());
            if p.is_dir() { copy_tree(&p, &dest) } else { std::fs::copy(&p, dest).map(|_| ()).unwrap() }
        }
    }
    for dir in ["scenarios", "workloads"] {
        copy_tree(&repo(dir), &clone.join(dir));
    }
    let files: Vec<PathBuf> = shipped().iter().map(|f| clone.join("scenarios").join(f.file_name().unwrap())).collect();
    clustersim().arg("validate").args(&files).current_dir(&clone).assert().success();
}

/// Issue 18: the README's `compare.toml` table was stale (row 1 said 14.26 ± 9.14 where a run gave
/// 14.81 ± 9.76) and nothing tested it. Every `text` block of README.md that shows a command
/// (`$ clustersim run ...`) is now compared, line for line, with what that command prints; any other
/// `text` block must say why it is not checked (`<!-- output not checked: REASON -->` above it).
#[test]
fn readme_program_output_is_what_a_run_prints() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for block in blocks(&repo("README.md")) {
        if block.lang != "text" {
            continue;
        }
        let at = format!("README.md:{}", block.line);
        if let Some(m) = &block.marker
            && let Some(why) = m.strip_prefix("<!-- output not checked:")
        {
            if why.trim_end_matches("-->").trim().is_empty() {
                failures.push(format!("{at}: an `output not checked` marker must say why"));
            }
            continue;
        }
        let mut lines = block.text.lines();
        let Some(command) = lines.next().and_then(|l| l.strip_prefix("$ clustersim ")) else {
            failures.push(format!(
                "{at}: a `text` block that neither starts with `$ clustersim ...` nor is marked \
                 `<!-- output not checked: REASON -->`"
            ));
            continue;
        };
        let args: Vec<&str> = command.split_whitespace().collect();
        let scenario = args.iter().find(|a| a.ends_with(".toml")).expect("a scenario argument");
        let stem = Path::new(scenario).file_stem().unwrap().to_string_lossy().into_owned();
        let d = tempfile::tempdir().unwrap();
        let out = d.path().join(&stem);
        let o =
            clustersim().args(&args).args(["--no-charts", "--out"]).arg(&out).current_dir(repo("")).output().unwrap();
        checked += 1;
        let stdout = String::from_utf8_lossy(&o.stdout).replace(&*out.to_string_lossy(), &format!("results/{stem}"));
        let shown: Vec<&str> = lines.map(str::trim_end).collect();
        let printed: Vec<&str> = stdout.lines().map(str::trim_end).collect();
        if !o.status.success() || shown != printed {
            failures.push(format!(
                "{at}: `clustersim {command}` prints (exit {:?}):\n{}\n{}",
                o.status.code(),
                printed.join("\n"),
                String::from_utf8_lossy(&o.stderr)
            ));
        }
    }
    assert!(checked >= 2, "only {checked} output blocks checked");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
