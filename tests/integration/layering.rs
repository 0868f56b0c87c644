//! The layering rule of `src/` (README, "Architecture"): a top-level module imports only modules on a
//! lower layer, never one on its own layer or above, so there is no import cycle between them.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Top-level modules by layer, lowest first. A module may import modules of lower layers only.
const LAYERS: &[&[&str]] = &[
    &["error", "numeric", "huge_pages", "limits"],
    &["model"],
    &["rng", "stats", "fmt"],
    &["engine"],
    &["policies", "metrics", "workloads"],
    &["scenario"],
    &["output"],
    &["runner"],
    &["sweep", "gpu_study"],
    &["check", "report"],
    &["cli"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The text without `//` comments and string literals (a path in a doc comment or a message is no import).
fn code_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_str = false;
    while let Some(c) = chars.next() {
        if in_str {
            match c {
                '\\' => {
                    chars.next();
                }
                '"' => in_str = false,
                '\n' => out.push('\n'),
                _ => {}
            }
            continue;
        }
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '"' => in_str = true,
            '\'' => {
                // a char literal such as '"' must not open a string; lifetimes pass through
                let rest: String = chars.clone().take(3).collect();
                if rest.starts_with("\\") || rest.chars().nth(1) == Some('\'') {
                    for c in chars.by_ref() {
                        if c == '\'' {
                            break;
                        }
                    }
                } else {
                    out.push(c);
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// Every top-level module `code` names through `crate::`: `crate::a::...` and each first segment of a
/// `crate::{a::..., b, ...}` group.
fn crate_imports(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        let before = rest[..i].chars().last();
        rest = &rest[i + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue; // e.g. `clustersim_crate::`
        }
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut at_start = true;
            let mut word = String::new();
            for c in group.chars() {
                if depth == 0 && (c == ',' || c == '}') && !word.is_empty() {
                    found.insert(std::mem::take(&mut word));
                }
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        at_start = true;
                        continue;
                    }
                    _ => {}
                }
                if depth == 0 && at_start {
                    if c.is_alphanumeric() || c == '_' {
                        word.push(c);
                        continue;
                    }
                    if !word.is_empty() {
                        found.insert(std::mem::take(&mut word));
                        at_start = false;
                    } else if !c.is_whitespace() {
                        at_start = false;
                    }
                }
            }
        } else {
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            found.insert(name);
        }
    }
    found
}

/// The top-level module a file of `src/` belongs to (`None` for the crate root and the binary).
fn module_of(rel: &Path) -> Option<String> {
    let first = rel.components().next()?.as_os_str().to_str()?.to_string();
    match first.as_str() {
        "lib.rs" | "main.rs" => None,
        f => Some(f.trim_end_matches(".rs").to_string()),
    }
}

#[test]
fn the_parser_finds_paths_and_groups_but_not_comments_or_strings() {
    let code = code_only(
        "use crate::model::Job;\nuse crate::{engine::ports::X, rng,\n fmt::{a, b}};\n// crate::cli\nlet s = \"crate::report\"; let c = '\"'; let d = crate::stats::mean(x);",
    );
    let found: Vec<String> = crate_imports(&code).into_iter().collect();
    assert_eq!(found, ["engine", "fmt", "model", "rng", "stats"]);
}

#[test]
fn every_top_level_module_has_a_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&src).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if let Some(m) = module_of(Path::new(&name))
            && layer_of(&m).is_none()
        {
            missing.push(m);
        }
    }
    assert!(missing.is_empty(), "modules without a layer (add them to LAYERS and to the README): {missing:?}");
}

#[test]
fn no_module_imports_its_own_layer_or_above() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut violations = Vec::new();
    for file in files {
        let rel = file.strip_prefix(&src).unwrap();
        let Some(module) = module_of(rel) else { continue };
        let Some(own) = layer_of(&module) else { continue };
        let mut code = code_only(&std::fs::read_to_string(&file).unwrap());
        // In a top-level module's own file, `super::` is the crate root.
        let depth = rel.components().count();
        if depth == 1 || (depth == 2 && rel.ends_with("mod.rs")) {
            code = code.replace("super::", "crate::");
        }
        for used in crate_imports(&code) {
            if used == module {
                continue;
            }
            match layer_of(&used) {
                Some(l) if l < own => {}
                Some(_) => violations.push(format!("src/{} ({module}) imports crate::{used}", rel.display())),
                None => {}
            }
        }
    }
    assert!(violations.is_empty(), "imports against the layering table:\n{}", violations.join("\n"));
}

/// One pipeline: `validate` compiles every run on the workload it reads, so a quota naming a tier the
/// workload does not have is refused by `validate` as by `run` (before, `validate` built the policies
/// with no tiers and said ok), in a single scenario and in a sweep configuration.
#[test]
fn validate_rejects_a_tiered_quota_naming_a_missing_tier_as_run_does() {
    let d = tempfile::tempdir().unwrap();
    let body = "[[cluster.pools]]\nname = \"p\"\ncount = 1\ncpu = 4\n\n[policy]\nallocation = { name = \"tiered\", quotas = { gold = 0.5 } }\n\n[workload]\ntype = \"list\"\ntiers = [\"silver\"]\njobs = [{ submit = 0, runtime = 10, tier = 0 }]\n";
    let single = d.path().join("single.toml");
    std::fs::write(&single, format!("name = \"single\"\n{body}")).unwrap();
    let sweep = d.path().join("sweep.toml");
    std::fs::write(&sweep, format!("name = \"sw\"\n{body}\n[sweep]\nnode_scale = [1, 2]\n")).unwrap();
    for file in [&single, &sweep] {
        let validate = super::util::clustersim().arg("validate").arg(file).assert().code(2);
        let said = String::from_utf8_lossy(&validate.get_output().stderr).into_owned();
        assert!(said.contains("no tier is called `gold`"), "{said}");
        assert!(said.contains("policy.allocation.quotas.gold"), "{said}");
        let out = d.path().join("out");
        let run = super::util::clustersim().arg("run").arg(file).arg("--out").arg(&out).assert().code(2);
        let said_run = String::from_utf8_lossy(&run.get_output().stderr).into_owned();
        assert!(said_run.contains("no tier is called `gold`"), "{said_run}");
    }
}
