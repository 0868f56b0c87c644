//! `[gpu_sharing]`: a GPU-sharing study in the manner of Weng et al. (USENIX ATC 2023). A node list
//! and pod lists of the Alibaba GPU trace (openb); each pod list is shuffled and "inflated" (tasks
//! drawn again from it) until its GPU demand reaches `inflation` × the cluster's GPUs; tasks arrive
//! one by one and never leave, and each placement policy places them until the cluster saturates.

use super::{explain_parse_error, locate};
use crate::error::{Error, Result, ScenarioError};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// A scenario file holding a GPU-sharing study (see docs/gpu-sharing.md).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GpuSharingScenario {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Root of every random stream; repeat `r` runs under `seed + r`.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Output directory (relative to the working directory); `results/<name>` when unset.
    pub output: Option<String>,
    pub gpu_sharing: GpuSharingSpec,
}

/// The `[gpu_sharing]` table.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GpuSharingSpec {
    /// The node list (openb `sn,cpu_milli,memory_mib,gpu,model`), relative to the scenario file.
    pub nodes: PathBuf,
    /// Pod lists, relative to the scenario file; each is one workload of the study.
    pub traces: Vec<PathBuf>,
    /// GPU placement policies, by name.
    pub policies: Vec<String>,
    /// Arrived GPU demand at the end, as a multiple of the cluster's GPUs (the authors use 1.3);
    /// 0 places the trace as it is.
    #[serde(default = "default_inflation")]
    pub inflation: f64,
    /// Runs per (trace, policy), with seeds `seed`, `seed + 1`, ...
    #[serde(default = "default_repeats")]
    pub repeats: u32,
    /// Share of tasks the typical task shapes cover (the authors' popularity threshold, 95 %).
    #[serde(default = "default_typical")]
    pub typical: f64,
    /// Keep the trace's order instead of shuffling it before inflation.
    #[serde(default)]
    pub keep_order: bool,
}

fn default_seed() -> u64 {
    42
}
fn default_inflation() -> f64 {
    1.3
}
fn default_repeats() -> u32 {
    1
}
fn default_typical() -> f64 {
    0.95
}

/// True when the TOML text has a `[gpu_sharing]` table (the file is a GPU-sharing study).
pub fn is_gpu_sharing(text: &str) -> bool {
    toml::from_str::<toml::Table>(text).is_ok_and(|t| t.contains_key("gpu_sharing"))
}

impl GpuSharingScenario {
    /// Reads and checks a study file; relative paths become relative to the file's folder.
    pub fn load(path: &Path) -> Result<GpuSharingScenario> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let mut sc: GpuSharingScenario = toml::from_str(&text)
            .map_err(|e| Error::Parse { path: path.to_path_buf(), message: explain_parse_error(&text, &e) })?;
        sc.validate().map_err(|source| Error::Scenario { path: path.to_path_buf(), source: locate(&text, source) })?;
        let base = path.parent().unwrap_or(Path::new(""));
        let g = &mut sc.gpu_sharing;
        g.nodes = base.join(&g.nodes);
        for t in &mut g.traces {
            *t = base.join(&*t);
        }
        Ok(sc)
    }

    /// Checks values that TOML types alone cannot.
    pub fn validate(&self) -> std::result::Result<(), ScenarioError> {
        let g = &self.gpu_sharing;
        let bad = |key: &str, message: &str| Err(ScenarioError::invalid(format!("gpu_sharing.{key}"), message));
        if self.name.trim().is_empty() {
            return Err(ScenarioError::invalid("name", "must not be empty"));
        }
        if g.traces.is_empty() {
            return bad("traces", "expected at least one pod list");
        }
        if g.policies.is_empty() {
            return bad("policies", "expected at least one policy name");
        }
        let env = crate::policies::gpu::GpuPolicyEnv { mix: Default::default(), seed: 0 };
        for name in &g.policies {
            crate::policies::gpu::resolve("gpu_sharing.policies", name, &env)?;
        }
        if !(g.inflation.is_finite() && g.inflation >= 0.0 && g.inflation <= 10.0) {
            return bad("inflation", "expected a number from 0 (no inflation) to 10 (the authors use 1.3)");
        }
        if g.repeats == 0 || g.repeats > 1000 {
            return bad("repeats", "expected 1 to 1000");
        }
        if !(g.typical > 0.0 && g.typical <= 1.0) {
            return bad("typical", "expected a share above 0 and at most 1 (the authors use 0.95)");
        }
        Ok(())
    }

    pub fn output_dir(&self) -> PathBuf {
        match &self.output {
            Some(o) => PathBuf::from(o),
            None => Path::new("results").join(&self.name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = "name = \"g\"\n[gpu_sharing]\nnodes = \"n.csv\"\ntraces = [\"p.csv\"]\npolicies = [\"fgd\"]\n";

    #[test]
    fn a_study_is_told_apart_by_its_table() {
        assert!(is_gpu_sharing(OK));
        assert!(!is_gpu_sharing("name = \"x\"\n[workload]\n"));
        let sc: GpuSharingScenario = toml::from_str(OK).unwrap();
        assert_eq!((sc.seed, sc.gpu_sharing.inflation, sc.gpu_sharing.repeats), (42, 1.3, 1));
        assert!(sc.validate().is_ok());
    }

    #[test]
    fn bad_values_name_their_key_and_line() {
        let text = OK.replace("[\"fgd\"]", "[\"fgd\", \"best_fitt\"]");
        let sc: GpuSharingScenario = toml::from_str(&text).unwrap();
        let err = locate(&text, sc.validate().unwrap_err()).to_string();
        assert!(err.starts_with("line 5, key `gpu_sharing.policies`"), "{err}");
        assert!(err.contains("did you mean `best_fit`?"), "{err}");
        let text = format!("{OK}inflation = -1\n");
        let sc: GpuSharingScenario = toml::from_str(&text).unwrap();
        let err = locate(&text, sc.validate().unwrap_err()).to_string();
        assert!(err.starts_with("line 6, key `gpu_sharing.inflation`"), "{err}");
    }
}
