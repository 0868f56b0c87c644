//! `run` and `validate` of a GPU-sharing study (a scenario file with `[gpu_sharing]`).

use crate::error::{Error, Result};
use crate::scenario::gpu_sharing::{GpuSharingScenario, is_gpu_sharing};
use std::path::{Path, PathBuf};

/// True when `path` holds a GPU-sharing study (an unreadable file is not: the usual reader reports it).
pub fn is_study(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|t| is_gpu_sharing(&t))
}

/// Runs the study in `path` and writes its files to `out` (default: the scenario's output folder).
pub fn run(path: &Path, seed: Option<u64>, out: Option<PathBuf>, quiet: bool, no_charts: bool) -> Result<()> {
    let mut sc = GpuSharingScenario::load(path)?;
    if let Some(seed) = seed {
        sc.seed = seed;
    }
    let dir = out.unwrap_or_else(|| sc.output_dir());
    let staging = crate::output::staging::Staging::begin(&dir)?;
    let study = crate::gpu_study::run(&sc)?;
    for t in &study.inputs.traces {
        for note in &t.notes {
            eprintln!("note: {}: {note}", t.path.display());
        }
    }
    crate::gpu_study::write(staging.path(), &study)?;
    if !no_charts {
        crate::report::gpu_sharing::draw(staging.path(), &study)?;
    }
    crate::gpu_study::write_manifest(staging.path(), &study)?;
    staging.commit()?;
    if !quiet {
        super::print(&format!("{}\nwrote {}\n", crate::gpu_study::table(&study).trim_start(), dir.display()))?;
    }
    Ok(())
}

/// The verdict line of `validate`: the schema, the policy names, and both input files read.
pub fn validate(path: &Path) -> Result<String> {
    let sc = GpuSharingScenario::load(path)?;
    let g = &sc.gpu_sharing;
    let inputs = crate::gpu_study::inputs::read(&g.nodes, &g.traces, g.typical)?;
    let tasks: usize = inputs.traces.iter().map(|t| t.tasks.len()).sum();
    if tasks == 0 {
        return Err(Error::Other(format!("{}: the pod lists hold no task", path.display())));
    }
    Ok(format!(
        "{}: ok (GPU-sharing study: {} nodes, {} traces, {} policies)",
        path.display(),
        inputs.nodes.len(),
        inputs.traces.len(),
        g.policies.len()
    ))
}
