//! The synthetic workload generator: arrivals (a renewal process, Poisson, MMPP or diurnal, optionally at a
//! target offered load), sizes and runtimes from distributions, users and tiers.

use super::arrivals::Arrival;
use crate::error::ScenarioError;
use crate::limits::{self, MAX_CPU, MAX_MEMORY_MIB, MAX_TASKS, MAX_TIME};
use crate::model::time::SECOND;
use crate::model::{Job, Resources, Time, Workload};
use crate::rng;
use crate::rng::dist::{Dist, Quantity};
use rand::RngExt;
use serde::Deserialize;

/// `[workload]` with `type = "synthetic"`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyntheticSpec {
    /// Number of jobs to generate.
    pub jobs: u32,
    /// Inter-arrival time distribution (seconds); Poisson arrivals are `{ dist = "exponential", mean = "30s" }`.
    /// Give this or `arrival` (or neither with `load`: Poisson arrivals).
    pub interarrival: Option<Dist>,
    /// An arrival process: `{ process = "poisson" | "mmpp" | "diurnal", ... }`.
    pub arrival: Option<Arrival>,
    /// Target offered load: scales the arrival rate so that the mean work arriving per second
    /// (E[tasks] × E[cpu] × E[runtime] × rate) is this fraction of the cluster's cores.
    pub load: Option<f64>,
    /// Actual runtime distribution (seconds).
    pub runtime: Dist,
    /// Tasks per job.
    #[serde(default = "one")]
    pub tasks: Dist,
    /// Cores per task.
    #[serde(default = "one")]
    pub cpu: Dist,
    /// Memory per task, MiB; the distribution's values may be memory strings (`"1GiB"`).
    #[serde(default = "zero", deserialize_with = "memory_dist")]
    pub memory: Dist,
    /// GPUs per task, for the fraction `gpu_fraction` of jobs that use gpus.
    #[serde(default = "one")]
    pub gpu: Dist,
    #[serde(default)]
    pub gpu_fraction: f64,
    /// User estimate = runtime × a factor drawn from this distribution (≥ 1 means over-estimation).
    #[serde(default = "one")]
    pub estimate_factor: Dist,
    /// Number of users (user k is drawn with probability ∝ 1/(k+1), a Zipf-like mix).
    #[serde(default = "default_users")]
    pub users: u32,
    /// Number of groups users are spread over.
    #[serde(default = "one_u32")]
    pub groups: u32,
    /// Tiers, lowest first; each job's tier is drawn by `share`.
    #[serde(default = "default_tiers")]
    pub tiers: Vec<TierSpec>,
    /// Malleable jobs (`[workload.malleable]`); none by default.
    pub malleable: Option<super::malleable::MalleableSpec>,
}

/// A distribution of memory amounts: its values are numbers of MiB or memory strings
/// (`{ dist = "uniform", min = "1GiB", max = "64GiB" }`), read as MiB before the distribution is.
fn memory_dist<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Dist, D::Error> {
    fn to_mib(v: &mut toml::Value) -> Result<(), String> {
        match v {
            toml::Value::String(s) => {
                *v = toml::Value::Integer(crate::model::resources::parse_memory_mib(s)? as i64);
            }
            toml::Value::Array(a) => a.iter_mut().try_for_each(to_mib)?,
            _ => {}
        }
        Ok(())
    }
    let mut v = toml::Value::deserialize(d)?;
    if let toml::Value::Table(t) = &mut v {
        for (k, x) in t.iter_mut() {
            if matches!(k.as_str(), "value" | "min" | "max" | "mean" | "scale" | "values") {
                to_mib(x).map_err(serde::de::Error::custom)?;
            }
        }
    }
    Dist::deserialize(v).map_err(serde::de::Error::custom)
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierSpec {
    pub name: String,
    /// Fraction of jobs in this tier.
    pub share: f64,
    /// Weight of the tier's jobs for proportional disciplines.
    #[serde(default = "one_f64")]
    pub weight: f64,
}

fn one() -> Dist {
    Dist::Constant { value: Quantity(1.0) }
}
fn zero() -> Dist {
    Dist::Constant { value: Quantity(0.0) }
}
fn default_users() -> u32 {
    8
}
fn one_u32() -> u32 {
    1
}
fn one_f64() -> f64 {
    1.0
}
fn default_tiers() -> Vec<TierSpec> {
    vec![TierSpec { name: "default".into(), share: 1.0, weight: 1.0 }]
}

impl SyntheticSpec {
    pub fn validate(&self) -> Result<(), ScenarioError> {
        let k = |s: &str| format!("workload.{s}");
        if let Some(m) = &self.malleable {
            m.validate(&k("malleable"))?;
        }
        match (&self.interarrival, &self.arrival) {
            (Some(_), Some(_)) => {
                return Err(ScenarioError::invalid(k("arrival"), "give `interarrival` or `arrival`, not both"));
            }
            (None, None) if self.load.is_none() => {
                return Err(ScenarioError::invalid(
                    k("interarrival"),
                    "missing: give `interarrival`, `arrival` or a target `load`",
                ));
            }
            (Some(d), None) => d.validate(&k("interarrival"))?,
            (None, Some(a)) => a.validate(&k("arrival"))?,
            (None, None) => {}
        }
        if let Some(load) = self.load {
            limits::factor(load)
                .map_err(|m| ScenarioError::invalid(k("load"), format!("{m} (an offered load, e.g. 0.85)")))?;
            let work = self.mean_work();
            if !(work.is_finite() && work > 0.0) {
                return Err(ScenarioError::invalid(
                    k("load"),
                    format!("needs a finite, positive mean job work (tasks × cpu × runtime), found {work}"),
                ));
            }
            let ia = self.configured_mean_interarrival();
            if !(ia.is_finite() && ia > 0.0) {
                return Err(ScenarioError::invalid(k("load"), "needs an inter-arrival time with a finite mean > 0"));
            }
        }
        self.runtime.validate(&k("runtime"))?;
        self.tasks.validate(&k("tasks"))?;
        self.cpu.validate(&k("cpu"))?;
        self.memory.validate(&k("memory"))?;
        self.gpu.validate(&k("gpu"))?;
        self.estimate_factor.validate(&k("estimate_factor"))?;
        let whole = |key: &str, x: u32, lo: u64, hi: u64, what: &str| {
            limits::whole(x as u64, lo, hi).map_err(|m| ScenarioError::invalid(k(key), format!("{m}{what}")))
        };
        whole("jobs", self.jobs, 0, limits::MAX_JOBS, "")?; // 0 jobs: the scenario's "no jobs" error
        whole("users", self.users, 1, limits::MAX_USERS, "")?;
        whole("groups", self.groups, 1, self.users as u64, " (at most one group per user)")?;
        if !(0.0..=1.0).contains(&self.gpu_fraction) {
            return Err(ScenarioError::invalid(k("gpu_fraction"), "expected a fraction in [0, 1]"));
        }
        if self.tiers.is_empty() || self.tiers.len() > 255 {
            return Err(ScenarioError::invalid(k("tiers"), "expected 1 to 255 tiers"));
        }
        let max = limits::MAX_NUMBER;
        if !self.tiers.iter().all(|t| (0.0..=max).contains(&t.share) && t.weight > 0.0 && t.weight <= max)
            || self.tiers.iter().map(|t| t.share).sum::<f64>() <= 0.0
        {
            return Err(ScenarioError::invalid(
                k("tiers"),
                "tier shares must be from 0 to 1e9 with a positive sum, weights > 0 and at most 1e9",
            ));
        }
        Ok(())
    }

    /// Mean core-seconds of one job: E[tasks] × E[cpu] × E[runtime].
    pub fn mean_work(&self) -> f64 {
        self.tasks.mean() * self.cpu.mean() * self.runtime.mean()
    }

    /// Mean inter-arrival time as configured (before any `load` scaling); 1 s when only `load` is given.
    fn configured_mean_interarrival(&self) -> f64 {
        match (&self.interarrival, &self.arrival) {
            (Some(d), _) => d.mean(),
            (None, Some(a)) => a.mean_interarrival(),
            (None, None) => 1.0,
        }
    }

    /// The factor every inter-arrival time is multiplied by: 1, or what reaches `load` on `cluster_cpus` cores.
    pub fn interarrival_scale(&self, cluster_cpus: Option<u64>) -> f64 {
        match (self.load, cluster_cpus) {
            (Some(load), Some(cpus)) if cpus > 0 => {
                let target_mean = self.mean_work() / (load * cpus as f64);
                target_mean / self.configured_mean_interarrival()
            }
            _ => 1.0,
        }
    }

    /// Generates the workload from the `workload` random stream of `seed`, without `load` scaling.
    pub fn generate(&self, seed: u64) -> Workload {
        self.generate_on(seed, None)
    }

    /// Generates the workload for a cluster of `cluster_cpus` cores (used by a target `load`). Arrival
    /// processes draw from the `arrivals` stream, everything else from the `workload` stream.
    pub fn generate_on(&self, seed: u64, cluster_cpus: Option<u64>) -> Workload {
        let mut rng = rng::stream(seed, "workload");
        let scale = self.interarrival_scale(cluster_cpus);
        let process_times: Option<Vec<f64>> = match (&self.interarrival, &self.arrival) {
            (Some(_), _) => None,
            (None, Some(a)) => Some(a.times(self.jobs as usize, scale, &mut rng::stream(seed, "arrivals"))),
            (None, None) => Some(Arrival::Poisson { mean: Quantity(1.0) }.times(
                self.jobs as usize,
                scale,
                &mut rng::stream(seed, "arrivals"),
            )),
        };
        // Draws are cut to the range of their key (a heavy tail may draw anything); a submit time
        // past the maximum time is reported when the workload is built.
        let to_time = |secs: f64| (secs * SECOND as f64).round().clamp(0.0, MAX_TIME as f64) as Time;
        let zipf: Vec<f64> = (0..self.users).map(|k| 1.0 / (k as f64 + 1.0)).collect();
        let zipf_total: f64 = zipf.iter().sum();
        let share_total: f64 = self.tiers.iter().map(|t| t.share).sum();
        let mut jobs = Vec::with_capacity(self.jobs as usize);
        let mut malleable_rng = rng::stream(seed, "malleable");
        let mut t: Time = 0;
        for i in 0..self.jobs {
            match (&process_times, &self.interarrival) {
                (Some(times), _) => t = to_time(times[i as usize]),
                (None, Some(d)) if i > 0 => t = t.saturating_add(to_time(d.sample(&mut rng) * scale)),
                _ => {}
            }
            let runtime = to_time(self.runtime.sample(&mut rng)).max(SECOND);
            let factor = self.estimate_factor.sample(&mut rng).max(0.0);
            let estimate = to_time(runtime as f64 / SECOND as f64 * factor).max(SECOND);
            let tasks = self.tasks.sample_int(&mut rng, 1, MAX_TASKS) as u32;
            let cpu = self.cpu.sample_int(&mut rng, 1, MAX_CPU);
            let mem = self.memory.sample_int(&mut rng, 0, MAX_MEMORY_MIB);
            let uses_gpu = self.gpu_fraction > 0.0 && rng.random::<f64>() < self.gpu_fraction;
            let gpu = if uses_gpu { self.gpu.sample_int(&mut rng, 1, MAX_CPU) } else { 0 };
            let user = pick(&zipf, zipf_total, rng.random::<f64>()) as u32;
            let tier_weights: Vec<f64> = self.tiers.iter().map(|t| t.share).collect();
            let tier = pick(&tier_weights, share_total, rng.random::<f64>()) as u8;
            let mut job = Job::rigid(i as u64 + 1, t, tasks, Resources::new(cpu, mem, gpu), runtime, estimate);
            job.user = user;
            job.group = user % self.groups;
            job.tier = tier;
            job.weight = self.tiers[tier as usize].weight;
            if let Some(m) = &self.malleable {
                m.apply(&mut job, &mut malleable_rng);
            }
            jobs.push(job);
        }
        Workload {
            jobs,
            users: (0..self.users).map(|u| format!("u{u}")).collect(),
            groups: (0..self.groups).map(|g| format!("g{g}")).collect(),
            tiers: self.tiers.iter().map(|t| t.name.clone()).collect(),
            skipped: Default::default(),
        }
    }
}

/// Index drawn from `weights` (summing to `total`) by the uniform draw `u` ∈ [0, 1).
fn pick(weights: &[f64], total: f64, u: f64) -> usize {
    let mut x = u * total;
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    weights.len() - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> SyntheticSpec {
        toml::from_str(
            r#"
            jobs = 20000
            interarrival = { dist = "exponential", mean = "30s" }
            runtime = { dist = "lognormal", mean = "10m", cv = 1.0 }
            "#,
        )
        .unwrap()
    }

    #[test]
    fn generated_moments_match_the_configuration() {
        let w = spec().generate(3);
        let n = w.jobs.len() as f64;
        let span = (w.jobs.last().unwrap().submit - w.jobs[0].submit) as f64 / 1e6;
        let mean_ia = span / (n - 1.0);
        assert!((mean_ia - 30.0).abs() / 30.0 < 0.03, "mean inter-arrival {mean_ia}");
        let mean_rt = w.jobs.iter().map(|j| j.runtime as f64 / 1e6).sum::<f64>() / n;
        assert!((mean_rt - 600.0).abs() / 600.0 < 0.03, "mean runtime {mean_rt}");
    }

    #[test]
    fn same_seed_same_jobs() {
        assert_eq!(spec().generate(9).jobs, spec().generate(9).jobs);
        assert_ne!(spec().generate(9).jobs, spec().generate(10).jobs);
    }
}
