//! The stepped simulation behind `clustersim.gym`: an agent picks which waiting job starts next.
//!
//! A [`GymQueue`] stands in for the queue discipline. At each scheduling pass it starts the job the
//! agent chose (if any), runs optional EASY backfilling around a chosen job that does not fit yet,
//! and decides whether the agent must be asked: some job of the window (the first `window` waiting
//! jobs in submit order) fits now, or, with backfilling, the window is not empty and no job is reserved. The driver [`Env`] steps the engine event by event until then.

use crate::input::Input;
use crate::policy::secs;
use crate::py_err;
use clustersim::engine::Simulation;
use clustersim::engine::ctx::SchedCtx;
use clustersim::engine::ports::QueueDiscipline;
use clustersim::model::{Cluster, Job, JobIdx, Resources, Time, Workload};
use clustersim::runner::{self, RunOptions};
use clustersim::scenario::{Scenario, WorkloadSpec};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, MutexGuard};

/// Features per job in the window.
pub const JOB_FEATURES: usize = 7;
/// Features of the cluster after the window.
pub const CLUSTER_FEATURES: usize = 4;
/// Waits are scaled by this (one day) and capped at 1.
const WAIT_SCALE: f64 = 86_400e6;

/// How the reward is paid.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Reward {
    /// Each step: minus the bounded slowdown of every job that started in it.
    Bsld,
    /// Zero until the end, then minus the mean bounded slowdown of the episode (as RLScheduler).
    EpisodeBsld,
    /// Each step: minus the waits, in hours, of the jobs that started in it.
    Wait,
}

/// What the queue and the driver share (one thread; the lock is never contended).
#[derive(Default)]
struct Shared {
    /// The agent's choice, started at the next pass.
    action: Option<JobIdx>,
    /// Set by a pass: the agent must choose (some window job fits now).
    decision: bool,
    /// The window of the last pass that asked for a decision, and which of its jobs may be chosen.
    window: Vec<JobIdx>,
    mask: Vec<bool>,
    /// Jobs whose start failed at `failed_at` although they seemed to fit (placement constraints).
    failed: Vec<JobIdx>,
    failed_at: Time,
    /// Reward earned since the driver last took it, and the episode's totals.
    reward: f64,
    bsld_sum: f64,
    started: u64,
    /// With backfilling: the chosen job that did not fit, which the queue starts as soon as it fits.
    reserved: Option<JobIdx>,
    /// Jobs waiting after the last pass.
    waiting: usize,
}

struct GymQueue {
    queue: BTreeSet<(Time, JobIdx)>,
    shared: Arc<Mutex<Shared>>,
    window: usize,
    backfill: bool,
    tau: Time,
    reward: Reward,
}

fn lock(s: &Arc<Mutex<Shared>>) -> MutexGuard<'_, Shared> {
    s.lock().expect("gym state")
}

/// Whether `job` can be placed now: enough free in total and enough room node by node (ignoring
/// label constraints, which the start itself checks).
fn fits_now(cluster: &Cluster, job: &Job) -> bool {
    if !job.total_request().fits_in(&cluster.free_total) {
        return false;
    }
    let r = &job.request;
    let need = job.tasks as u64;
    let mut room = 0u64;
    for n in cluster.nodes.iter().filter(|n| n.up) {
        let per = |free: u64, want: u64| free.checked_div(want).unwrap_or(u64::MAX);
        let k = per(n.free.cpu, r.cpu).min(per(n.free.mem, r.mem)).min(per(n.free.gpu, r.gpu));
        room += if job.anti_affinity { k.min(1) } else { k.min(need) };
        if room >= need {
            return true;
        }
    }
    false
}

fn bsld(wait: Time, run: Time, tau: Time) -> f64 {
    ((wait + run) as f64 / run.max(tau).max(1) as f64).max(1.0)
}

impl GymQueue {
    /// Starts `j`; books its reward. False when it could not be placed.
    fn start(&mut self, ctx: &mut SchedCtx<'_>, s: &mut Shared, j: JobIdx) -> bool {
        if !ctx.try_start(j) {
            return false;
        }
        self.queue.remove(&(ctx.job(j).submit, j));
        let rec = ctx.record(j);
        let wait = rec.start - ctx.job(j).submit;
        let b = bsld(wait, rec.run_end - rec.start, self.tau);
        s.bsld_sum += b;
        s.started += 1;
        s.reward -= match self.reward {
            Reward::Bsld => b,
            Reward::EpisodeBsld => 0.0,
            Reward::Wait => wait as f64 / 3600e6,
        };
        true
    }

    /// EASY backfilling around the reserved job `head`: any waiting job that fits now and ends, by
    /// its estimate, before `head` can start, or fits in what `head` leaves over then, starts now.
    fn backfill(&mut self, ctx: &mut SchedCtx<'_>, s: &mut Shared, head: JobIdx) {
        let now = ctx.now();
        let need = ctx.job(head).total_request();
        let mut avail = ctx.cluster().free_total;
        let mut shadow = Time::MAX;
        for &(end, j) in ctx.running() {
            if shadow != Time::MAX && end.max(now + 1) > shadow {
                break;
            }
            let held = ctx.record(j).placement.iter().fold(Resources::ZERO, |a, (_, g)| a + *g);
            avail += held;
            if shadow == Time::MAX && need.fits_in(&avail) {
                shadow = end.max(now + 1);
            }
        }
        let mut extra = avail.saturating_sub(&need);
        let candidates: Vec<JobIdx> = self.queue.iter().map(|&(_, j)| j).filter(|&j| j != head).collect();
        for j in candidates {
            let job = ctx.job(j);
            let total = job.total_request();
            if !fits_now(ctx.cluster(), job) {
                continue;
            }
            let late = now.saturating_add(job.estimate.max(1)) > shadow;
            if late && !total.fits_in(&extra) {
                continue;
            }
            if self.start(ctx, s, j) && late {
                extra = extra.saturating_sub(&total);
            }
        }
    }
}

impl QueueDiscipline for GymQueue {
    fn enqueue(&mut self, job: JobIdx, ctx: &mut SchedCtx<'_>) {
        self.queue.insert((ctx.job(job).submit, job));
    }

    fn schedule(&mut self, ctx: &mut SchedCtx<'_>) {
        let shared = self.shared.clone();
        let mut s = lock(&shared);
        if s.failed_at != ctx.now() {
            s.failed.clear();
        }
        if let Some(j) = s.action.take() {
            if fits_now(ctx.cluster(), ctx.job(j)) {
                if !self.start(ctx, &mut s, j) {
                    s.failed.push(j);
                    s.failed_at = ctx.now();
                }
            } else if self.backfill {
                s.reserved = Some(j);
            }
        }
        if let Some(head) = s.reserved {
            if !(fits_now(ctx.cluster(), ctx.job(head)) && self.start(ctx, &mut s, head)) {
                self.backfill(ctx, &mut s, head);
                s.decision = false;
                s.waiting = self.queue.len();
                return; // the agent waits for its reserved job
            }
            s.reserved = None;
        }
        let cluster = ctx.cluster();
        let window: Vec<JobIdx> = self.queue.iter().take(self.window).map(|&(_, j)| j).collect();
        // Without backfilling the agent may choose the jobs that fit now; with it, any job (one
        // that does not fit is reserved). A job whose start just failed is left out this instant.
        let allowed = |j: JobIdx| !s.failed.contains(&j) && (self.backfill || fits_now(cluster, ctx.job(j)));
        let decision = window.iter().any(|&j| allowed(j));
        if decision {
            s.mask = window.iter().map(|&j| allowed(j)).collect();
            s.window = window;
        }
        s.decision = decision;
        s.waiting = self.queue.len();
    }

    fn len(&self) -> usize {
        self.queue.len()
    }

    fn reads_running_by_estimate(&self) -> bool {
        true
    }
}

/// One environment: a scenario, its workload (read once; a synthetic one is drawn anew for each
/// seed), and the running episode.
#[pyclass(module = "clustersim._clustersim", unsendable)]
pub struct Env {
    scenario: Scenario,
    input: Input,
    workload: Option<Arc<Workload>>,
    sim: Option<Simulation>,
    shared: Arc<Mutex<Shared>>,
    window: usize,
    backfill: bool,
    reward: Reward,
    /// Largest estimate of the workload (the scale of the estimate feature).
    max_estimate: f64,
    steps: u64,
    /// Jobs per episode: a contiguous run of the workload from a start drawn with the reset's seed
    /// (RLScheduler's 256-job sequences); `None`: the whole workload.
    episode_jobs: Option<usize>,
}

/// SplitMix64: one well-mixed number from a seed (the start of an episode's slice).
fn mix(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Jobs `start..start + n` of `w` as a workload of their own (dependencies on jobs before the
/// slice dropped, the others renumbered).
fn slice(w: &Workload, start: usize, n: usize) -> Workload {
    let jobs = w.jobs[start..start + n]
        .iter()
        .map(|j| {
            let mut j = j.clone();
            if !j.deps().is_empty() {
                let deps = j.deps().iter().filter(|&&d| d as usize >= start).map(|&d| d - start as JobIdx).collect();
                j.set_deps(deps);
            }
            j
        })
        .collect();
    Workload { jobs, users: w.users.clone(), groups: w.groups.clone(), tiers: w.tiers.clone(), ..Default::default() }
}

#[pymethods]
impl Env {
    #[new]
    #[pyo3(signature = (scenario, overrides=None, window=128, backfill=false, reward="bsld", episode_jobs=None))]
    fn new(
        scenario: &Bound<'_, PyAny>,
        overrides: Option<&Bound<'_, PyDict>>,
        window: usize,
        backfill: bool,
        reward: &str,
        episode_jobs: Option<usize>,
    ) -> PyResult<Env> {
        let input = Input::resolve(scenario, overrides)?;
        let sc = input.scenario()?;
        let reward = match reward {
            "bsld" => Reward::Bsld,
            "episode_bsld" => Reward::EpisodeBsld,
            "wait" => Reward::Wait,
            other => return Err(py_err(format!("reward `{other}`: expected bsld, episode_bsld or wait"))),
        };
        if window == 0 {
            return Err(py_err("window must be at least 1"));
        }
        if episode_jobs == Some(0) {
            return Err(py_err("episode_jobs must be at least 1"));
        }
        Ok(Env {
            scenario: sc,
            input,
            workload: None,
            sim: None,
            shared: Arc::new(Mutex::new(Shared::default())),
            window,
            backfill,
            reward,
            max_estimate: 1.0,
            steps: 0,
            episode_jobs,
        })
    }

    /// Size of one observation: window × job features + cluster features.
    #[getter]
    fn obs_size(&self) -> usize {
        self.window * JOB_FEATURES + CLUSTER_FEATURES
    }

    #[getter]
    fn window(&self) -> usize {
        self.window
    }

    /// Jobs in the workload (an episode has `episode_jobs` of them when that is set).
    #[getter]
    fn jobs(&self) -> usize {
        self.workload.as_ref().map_or(0, |w| w.jobs.len())
    }

    /// Trace id of the first job of the current episode.
    #[getter]
    fn first_job(&self) -> Option<u64> {
        self.sim.as_ref().and_then(|sim| sim.world().workload().jobs.first().map(|j| j.id))
    }

    /// Starts an episode with `seed` (a synthetic workload is drawn with it; a trace is the same
    /// every episode); returns (observation bytes, mask bytes).
    fn reset<'py>(
        &mut self,
        py: Python<'py>,
        seed: u64,
    ) -> PyResult<(Bound<'py, PyByteArray>, Bound<'py, PyBytes>, bool)> {
        let synthetic = matches!(self.scenario.workload, WorkloadSpec::Synthetic(_));
        if self.workload.is_none() || synthetic {
            let w = self.input.workload(&self.scenario, seed)?;
            self.max_estimate = w.jobs.iter().map(|j| j.estimate).max().unwrap_or(1).max(1) as f64;
            self.workload = Some(Arc::new(w));
        }
        let mut workload = self.workload.clone().expect("read above");
        if let Some(n) = self.episode_jobs.filter(|&n| n < workload.jobs.len()) {
            let start = (mix(seed) % (workload.jobs.len() - n + 1) as u64) as usize;
            workload = Arc::new(slice(&workload, start, n));
        }
        let mut plan = self.input.compile(&self.scenario, seed, workload)?;
        if plan.faults.is_some() {
            return Err(py_err("the gym runs scenarios without failures, latency or several schedulers"));
        }
        self.shared = Arc::new(Mutex::new(Shared::default()));
        plan.policies.queue = Box::new(GymQueue {
            queue: BTreeSet::new(),
            shared: self.shared.clone(),
            window: self.window,
            backfill: self.backfill,
            tau: self.scenario.metrics.bsld_tau.micros(),
            reward: self.reward,
        });
        self.sim = Some(runner::start_plan(plan, &RunOptions::default()));
        self.steps = 0;
        let done = self.advance();
        lock(&self.shared).reward = 0.0;
        Ok((self.observation(py), self.mask(py), done))
    }

    /// Starts window job `action` (an action the mask forbids starts the first job it allows) and
    /// runs the engine to the next decision; returns (observation, mask, reward, terminated, invalid).
    #[allow(clippy::type_complexity)]
    fn step<'py>(
        &mut self,
        py: Python<'py>,
        action: usize,
    ) -> PyResult<(Bound<'py, PyByteArray>, Bound<'py, PyBytes>, f64, bool, bool)> {
        let Some(sim) = self.sim.as_mut() else { return Err(py_err("call reset() first")) };
        let invalid;
        {
            let mut s = lock(&self.shared);
            if !s.decision {
                return Err(py_err("the episode is over: call reset()"));
            }
            let allowed = |a: usize| s.mask.get(a).copied().unwrap_or(false);
            invalid = !allowed(action);
            let a = if invalid {
                (0..s.mask.len()).find(|&a| allowed(a)).expect("a decision has a choice")
            } else {
                action
            };
            s.action = Some(s.window[a]);
            s.decision = false;
        }
        sim.schedule_now();
        self.steps += 1;
        let done = self.advance();
        let reward = {
            let mut s = lock(&self.shared);
            let mut r = std::mem::take(&mut s.reward);
            if done && self.reward == Reward::EpisodeBsld && s.started > 0 {
                r = -s.bsld_sum / s.started as f64;
            }
            r
        };
        Ok((self.observation(py), self.mask(py), reward, done, invalid))
    }

    /// The current time (seconds), waiting jobs, jobs started and their mean bounded slowdown.
    fn stats(&self) -> (f64, usize, u64, f64) {
        let s = lock(&self.shared);
        let now = self.sim.as_ref().map_or(0, |sim| sim.world().now());
        let mean = if s.started > 0 { s.bsld_sum / s.started as f64 } else { 0.0 };
        (secs(now), s.waiting, s.started, mean)
    }
}

impl Env {
    /// Steps the engine until a decision is due; true when the episode is over.
    fn advance(&mut self) -> bool {
        let sim = self.sim.as_mut().expect("an episode");
        loop {
            if lock(&self.shared).decision {
                return false;
            }
            if !sim.step() {
                return true;
            }
        }
    }

    fn observation<'py>(&self, py: Python<'py>) -> Bound<'py, PyByteArray> {
        let mut obs = vec![0f32; self.window * JOB_FEATURES + CLUSTER_FEATURES];
        let s = lock(&self.shared);
        let sim = self.sim.as_ref().expect("an episode");
        let world = sim.world();
        let cluster = world.cluster();
        let total = cluster.total_capacity;
        let frac = |x: u64, of: u64| if of == 0 { 0.0 } else { (x as f64 / of as f64).min(1.0) as f32 };
        let now = world.now();
        if s.decision {
            for (i, (&j, &ok)) in s.window.iter().zip(&s.mask).enumerate() {
                let job = world.job(j);
                let t = job.total_request();
                let f = &mut obs[i * JOB_FEATURES..(i + 1) * JOB_FEATURES];
                f[0] = (now.saturating_sub(job.submit) as f64 / WAIT_SCALE).min(1.0) as f32;
                f[1] = (job.estimate as f64 / self.max_estimate).min(1.0) as f32;
                f[2] = frac(t.cpu, total.cpu);
                f[3] = frac(t.mem, total.mem);
                f[4] = frac(t.gpu, total.gpu);
                f[5] = if ok && fits_now(cluster, job) { 1.0 } else { 0.0 };
                f[6] = 1.0;
            }
        }
        let c = &mut obs[self.window * JOB_FEATURES..];
        c[0] = frac(cluster.free_total.cpu, total.cpu);
        c[1] = frac(cluster.free_total.mem, total.mem);
        c[2] = frac(cluster.free_total.gpu, total.gpu);
        c[3] = if s.decision { frac(s.window.len() as u64, self.window as u64) } else { 0.0 };
        let bytes: Vec<u8> = obs.iter().flat_map(|x| x.to_le_bytes()).collect();
        PyByteArray::new(py, &bytes)
    }

    fn mask<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        let s = lock(&self.shared);
        let mut m = vec![0u8; self.window];
        if s.decision {
            for (i, &ok) in s.mask.iter().enumerate() {
                m[i] = ok as u8;
            }
        }
        PyBytes::new(py, &m)
    }
}
