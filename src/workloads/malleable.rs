//! Malleable jobs for synthetic workloads (`[workload.malleable]`): which jobs may run on more
//! cores than they ask for, up to what maximum, and with what Amdahl serial fraction.
//!
//! Draws come from their own `malleable` stream, so turning malleability on leaves every other
//! property of the generated jobs (arrivals, sizes, runtimes, users, tiers) unchanged.

use crate::error::ScenarioError;
use crate::model::{Job, Malleable, Time};
use crate::rng::Rng;
use crate::rng::dist::{Dist, Quantity};
use rand::RngExt;
use serde::Deserialize;

/// `[workload.malleable]`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MalleableSpec {
    /// Fraction of jobs that are malleable.
    pub fraction: f64,
    /// Most cores per task of a malleable job (at least its `cpu`, which is its minimum).
    pub max_cpu: Dist,
    /// Amdahl serial fraction of a malleable job, clamped to [0, 1].
    #[serde(default = "no_serial_part")]
    pub serial_fraction: Dist,
}

fn no_serial_part() -> Dist {
    Dist::Constant { value: Quantity(0.0) }
}

impl MalleableSpec {
    pub fn validate(&self, key: &str) -> Result<(), ScenarioError> {
        if !(0.0..=1.0).contains(&self.fraction) {
            return Err(ScenarioError::invalid(format!("{key}.fraction"), "expected a fraction in [0, 1]"));
        }
        self.max_cpu.validate(&format!("{key}.max_cpu"))?;
        self.serial_fraction.validate(&format!("{key}.serial_fraction"))
    }

    /// Makes `job` malleable with probability `fraction`. Its generated runtime is kept as the
    /// runtime on its minimum cores, so its work (the runtime on one core) is scaled up accordingly.
    /// Every job takes the same three draws, so job k's draws do not depend on the jobs before it.
    pub fn apply(&self, job: &mut Job, rng: &mut Rng) {
        let u = rng.random::<f64>();
        let max_cpu = self.max_cpu.sample_int(rng, job.request.cpu, crate::limits::MAX_CPU.max(job.request.cpu));
        let serial = self.serial_fraction.sample(rng).clamp(0.0, 1.0);
        if u >= self.fraction {
            return;
        }
        let m = Malleable { min_cpu: job.request.cpu, max_cpu, serial_fraction: serial };
        let at_min = serial + (1.0 - serial) / job.request.cpu as f64;
        job.runtime = ((job.runtime as f64 / at_min).round() as Time).max(1);
        job.set_malleable(Some(m));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Resources, SECOND};
    use rand::SeedableRng;

    #[test]
    fn runtime_on_the_minimum_is_kept_and_the_maximum_is_at_least_the_minimum() {
        let spec: MalleableSpec =
            toml::from_str("fraction = 1.0\nmax_cpu = { dist = \"uniform\", min = 1, max = 16 }\nserial_fraction = { dist = \"constant\", value = 0.25 }")
                .unwrap();
        let mut rng = Rng::seed_from_u64(3);
        for _ in 0..100 {
            let mut job = Job::rigid(1, 0, 1, Resources::cpus(4), 100 * SECOND, 100 * SECOND);
            spec.apply(&mut job, &mut rng);
            let m = job.malleable().unwrap();
            assert!(m.min_cpu == 4 && m.max_cpu >= 4 && m.max_cpu <= 16);
            // work = 100 s / (0.25 + 0.75 / 4) = 228.571... s; on 4 cores it runs 100 s again.
            assert_eq!(job.runtime, 228_571_429);
            assert_eq!(m.runtime(job.runtime, 4), 100 * SECOND);
        }
    }

    #[test]
    fn fraction_zero_leaves_jobs_rigid() {
        let spec: MalleableSpec =
            toml::from_str("fraction = 0.0\nmax_cpu = { dist = \"constant\", value = 8 }").unwrap();
        let mut job = Job::rigid(1, 0, 1, Resources::cpus(2), 10, 10);
        spec.apply(&mut job, &mut Rng::seed_from_u64(1));
        assert_eq!(job.malleable(), None);
        assert_eq!(job.runtime, 10);
    }
}
