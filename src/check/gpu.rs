//! `check` of a GPU-sharing study: the study is run and its `summary.csv` (one row per trace ×
//! policy × repeat) is compared with the baseline's like any other summary.

use super::CheckOptions;
use super::table::SummaryTable;
use crate::error::Result;
use crate::output::staging::Staging;
use crate::scenario::gpu_sharing::GpuSharingScenario;
use std::path::Path;

/// Runs the study and returns its summary table; with `--out`, its CSV files are kept there.
pub fn run_study(sc: &GpuSharingScenario, opts: &CheckOptions) -> Result<SummaryTable> {
    let staging = opts.out.as_ref().map(|o| Staging::begin(&o.join(&sc.name))).transpose()?;
    let study = crate::gpu_study::run(sc)?;
    if let Some(s) = staging {
        crate::gpu_study::write(s.path(), &study)?;
        crate::gpu_study::write_manifest(s.path(), &study)?;
        s.commit()?;
    }
    let (header, rows) = crate::gpu_study::summary_table(&study);
    SummaryTable::new(header, rows, Path::new("summary.csv"))
}
