//! Atomic results: a run or a study is written into a fresh folder beside `--out`
//! (`<out>.tmp-<pid>`), and only once every file is there does it replace the tool's files in
//! `--out`: the old `manifest.json` goes first, then the old outputs, then the new files come in,
//! their `manifest.json` last (in every folder). A folder with a `manifest.json` is therefore
//! always one whole run; a run that fails or is killed before that point leaves `--out` as it was
//! (a kill leaves the staging folder beside it). Files in `--out` that clustersim did not write
//! stay where they are.

use super::stale::{check_out_dir, remove_outputs};
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// The file that marks a complete run or study; moved into place last.
const MANIFEST: &str = "manifest.json";

/// A staging folder for the results bound for `out`; removed on drop unless committed.
pub struct Staging {
    out: PathBuf,
    tmp: PathBuf,
    committed: bool,
}

impl Staging {
    /// Checks that results can go to `out` (a directory or nothing yet, that this process may write
    /// into) and creates the empty staging folder beside it. Call it before simulating, so that a
    /// bad `--out` costs no simulation.
    pub fn begin(out: &Path) -> Result<Staging> {
        check_out_dir(out)?;
        let cannot = |what: &str, path: &Path, e: std::io::Error| {
            Error::Other(format!("{}: cannot {what} ({e}); give another --out", path.display()))
        };
        // `--out .` or `--out ..`: the folder's own name and parent
        let resolved = match out.file_name() {
            Some(_) => out.to_path_buf(),
            None => out.canonicalize().map_err(|e| cannot("find the output folder", out, e))?,
        };
        let name = resolved.file_name().ok_or_else(|| {
            Error::Other(format!("{}: give the output folder by its name (e.g. --out results/run)", out.display()))
        })?;
        let parent = resolved.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(|e| cannot("create the output folder's parent", parent, e))?;
        let mut tmp_name = name.to_os_string();
        tmp_name.push(format!(".tmp-{}", std::process::id()));
        let tmp = parent.join(tmp_name);
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp).map_err(|e| cannot("remove an old staging folder", &tmp, e))?;
        }
        std::fs::create_dir(&tmp).map_err(|e| cannot("create a staging folder beside the output folder", &tmp, e))?;
        let staging = Staging { out: out.to_path_buf(), tmp, committed: false };
        if out.is_dir() {
            // Replacing the old outputs needs write access to the folder itself.
            let probe = out.join(format!(".clustersim-write-test-{}", std::process::id()));
            std::fs::write(&probe, b"").map_err(|e| cannot("write into the output folder", out, e))?;
            let _ = std::fs::remove_file(&probe);
        }
        Ok(staging)
    }

    /// The folder to write the results into.
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// The folder the results are bound for.
    pub fn out(&self) -> &Path {
        &self.out
    }

    /// Puts the staged results in place of the tool's files in `out` (see the module notes).
    pub fn commit(mut self) -> Result<()> {
        fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
            move |e| Error::io(path, e)
        }
        if !self.out.exists() && std::fs::rename(&self.tmp, &self.out).is_ok() {
            self.committed = true;
            return Ok(());
        }
        std::fs::create_dir_all(&self.out).map_err(io(&self.out))?;
        remove_outputs(&self.out)?;
        move_into(&self.tmp, &self.out)?;
        self.committed = true;
        std::fs::remove_dir_all(&self.tmp).map_err(io(&self.tmp))
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.tmp);
        }
    }
}

/// Moves every entry of `from` into `to` (folders that exist in both are merged), `manifest.json`
/// last in each folder.
fn move_into(from: &Path, to: &Path) -> Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(from)
        .map_err(|e| Error::io(from, e))?
        .map(|e| e.map(|e| e.path()).map_err(|e| Error::io(from, e)))
        .collect::<Result<_>>()?;
    entries.sort_by_key(|p| (p.file_name() == Some(MANIFEST.as_ref()), p.clone()));
    for src in entries {
        let dst = to.join(src.file_name().unwrap_or_default());
        if src.is_dir() && dst.is_dir() {
            move_into(&src, &dst)?;
        } else {
            std::fs::rename(&src, &dst).map_err(|e| Error::io(&dst, e))?;
        }
    }
    Ok(())
}

/// Makes `to` a copy of the folder `from` (hard links where the file system allows, else copies),
/// leaving out the files `skip` names: how `--resume` carries a complete run into a study's staging folder.
pub fn link_tree(from: &Path, to: &Path, skip: &dyn Fn(&Path) -> bool) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let src = entry?.path();
        let dst = to.join(src.file_name().unwrap_or_default());
        if src.is_dir() {
            link_tree(&src, &dst, skip)?;
        } else if !skip(&src) && std::fs::hard_link(&src, &dst).is_err() {
            std::fs::copy(&src, &dst)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn a_commit_replaces_the_tools_files_and_keeps_the_users() {
        let d = tempfile::tempdir().unwrap();
        let out = d.path().join("out");
        for f in ["jobs.csv", "events.csv", "manifest.json", "charts/queue.svg", "runs/a/jobs.csv"] {
            write(&out.join(f), "old");
        }
        write(&out.join("notes.txt"), "mine");
        write(&out.join("runs/a/mine.txt"), "mine");
        let s = Staging::begin(&out).unwrap();
        let tmp = s.path().to_path_buf();
        assert!(tmp.is_dir() && tmp.parent() == out.parent());
        for f in ["jobs.csv", "manifest.json", "runs/b/jobs.csv", "runs/b/manifest.json"] {
            write(&tmp.join(f), "new");
        }
        s.commit().unwrap();
        let read = |f: &str| std::fs::read_to_string(out.join(f)).ok();
        assert_eq!(read("jobs.csv").as_deref(), Some("new"));
        assert_eq!(read("manifest.json").as_deref(), Some("new"));
        assert_eq!(read("runs/b/manifest.json").as_deref(), Some("new"));
        assert_eq!(read("notes.txt").as_deref(), Some("mine"));
        assert_eq!(read("runs/a/mine.txt").as_deref(), Some("mine"));
        for gone in ["events.csv", "charts", "runs/a/jobs.csv"] {
            assert!(!out.join(gone).exists(), "{gone} of the old run is still there");
        }
        assert!(!tmp.exists());
    }

    #[test]
    fn an_abandoned_staging_folder_leaves_the_old_results_whole() {
        let d = tempfile::tempdir().unwrap();
        let out = d.path().join("out");
        write(&out.join("jobs.csv"), "old");
        write(&out.join("manifest.json"), "old");
        let s = Staging::begin(&out).unwrap();
        let tmp = s.path().to_path_buf();
        write(&tmp.join("jobs.csv"), "new");
        drop(s); // a write failed
        assert!(!tmp.exists());
        assert_eq!(std::fs::read_to_string(out.join("jobs.csv")).unwrap(), "old");
        assert_eq!(std::fs::read_to_string(out.join("manifest.json")).unwrap(), "old");
    }

    #[test]
    fn a_new_folder_is_renamed_into_place_and_a_file_is_refused() {
        let d = tempfile::tempdir().unwrap();
        let out = d.path().join("a/b/out");
        let s = Staging::begin(&out).unwrap();
        write(&s.path().join("manifest.json"), "new");
        s.commit().unwrap();
        assert!(out.join("manifest.json").is_file());
        let file = d.path().join("file");
        write(&file, "x");
        assert!(Staging::begin(&file).is_err());
        assert!(Staging::begin(&file.join("sub")).is_err(), "a parent that is a file");
    }
}
