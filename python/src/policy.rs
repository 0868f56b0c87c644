//! Policies written in Python: a queue discipline and a node-selection policy given as Python
//! objects, called by the engine through its ports (`QueueDiscipline`, `NodeSelector`). A queue
//! policy's `schedule(view)` gets a [`View`] of the pass, valid only during that call.

use crate::py_err;
use clustersim::engine::ctx::SchedCtx;
use clustersim::engine::ports::{NodeSelector, QueueDiscipline};
use clustersim::engine::world::JobState;
use clustersim::model::{Cluster, Job, JobIdx, NodeIdx, Resources, Time};
use clustersim::runner::{self, RunOptions, RunResult};
use clustersim::scenario::{RunPlan, Scenario};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

/// Seconds of an engine time (integer microseconds).
pub(crate) fn secs(t: Time) -> f64 {
    t as f64 / 1e6
}

/// The first error a Python policy raised; the engine stops calling the policy after it, and the
/// run raises it.
type ErrorSlot = Arc<Mutex<Option<PyErr>>>;

fn keep(slot: &ErrorSlot, e: PyErr) {
    let mut s = slot.lock().expect("error slot");
    if s.is_none() {
        *s = Some(e);
    }
}

fn failed(slot: &ErrorSlot) -> bool {
    slot.lock().expect("error slot").is_some()
}

/// Runs `plan` with the Python policies that are given in place of the scenario's, and measures it.
pub fn run_with(
    py: Python<'_>,
    sc: &Scenario,
    hash: &str,
    mut plan: RunPlan,
    queue: Option<Py<PyAny>>,
    selection: Option<Py<PyAny>>,
) -> PyResult<RunResult> {
    if plan.faults.is_some() {
        return Err(py_err(
            "Python policies run on scenarios without failures, latency or several schedulers ([faults], [network], [scheduler])",
        ));
    }
    let errors: ErrorSlot = Arc::new(Mutex::new(None));
    let mut names = (None, None);
    if let Some(q) = queue {
        names.0 = Some(policy_name(py, &q)?);
        plan.policies.queue = Box::new(PyQueue { policy: q, queue: BTreeSet::new(), errors: errors.clone() });
    }
    if let Some(s) = selection {
        names.1 = Some(policy_name(py, &s)?);
        plan.policies.selector = Box::new(PySelector { policy: s, errors: errors.clone() });
    }
    let mut result = runner::measure(sc, hash, plan, &RunOptions::default());
    if let Some(e) = errors.lock().expect("error slot").take() {
        return Err(e);
    }
    if let Some(n) = names.0 {
        result.info.queue = n;
    }
    if let Some(n) = names.1 {
        result.info.selection = n;
    }
    Ok(result)
}

/// `python:ClassName`, as the run's summary names a Python policy.
fn policy_name(py: Python<'_>, p: &Py<PyAny>) -> PyResult<String> {
    let name = p.bind(py).get_type().name()?;
    Ok(format!("python:{name}"))
}

// ---------------------------------------------------------------- queue discipline

/// A queue discipline whose decisions a Python object makes. The waiting jobs are kept here in
/// submit order (a requeued job goes back to its place); each pass calls `policy.schedule(view)`,
/// which starts jobs through `view.start(j)` or returns the jobs to start, tried in order.
struct PyQueue {
    policy: Py<PyAny>,
    queue: BTreeSet<(Time, JobIdx)>,
    errors: ErrorSlot,
}

impl QueueDiscipline for PyQueue {
    fn enqueue(&mut self, job: JobIdx, ctx: &mut SchedCtx<'_>) {
        self.queue.insert((ctx.job(job).submit, job));
    }

    fn schedule(&mut self, ctx: &mut SchedCtx<'_>) {
        if self.queue.is_empty() || failed(&self.errors) {
            return;
        }
        Python::attach(|py| {
            if let Err(e) = self.call(py, ctx) {
                keep(&self.errors, e);
            }
        });
    }

    fn len(&self) -> usize {
        self.queue.len()
    }

    fn reads_running_by_estimate(&self) -> bool {
        true
    }
}

impl PyQueue {
    fn call(&mut self, py: Python<'_>, ctx: &mut SchedCtx<'_>) -> PyResult<()> {
        // SAFETY: the view points at `ctx` and `self.queue` only while `schedule` runs below; it is
        // marked dead before they go out of scope, and every use of the pointers checks that mark.
        // Nothing else touches them while Python holds the view (one thread, the GIL held).
        let view =
            View { ctx: (ctx as *mut SchedCtx<'_>).cast::<SchedCtx<'static>>(), queue: &mut self.queue, alive: true };
        let view = Py::new(py, view)?;
        let ret = self.policy.call_method1(py, "schedule", (view.clone_ref(py),));
        let chosen = ret.and_then(|r| {
            if r.is_none(py) {
                Ok(Vec::new())
            } else {
                r.bind(py).try_iter()?.map(|j| j?.extract::<JobIdx>()).collect()
            }
        });
        let outcome = chosen.and_then(|jobs| {
            let v = view.borrow(py);
            jobs.into_iter().try_for_each(|j| v.start_job(j).map(|_| ()))
        });
        view.borrow_mut(py).alive = false;
        outcome
    }
}

/// What a Python queue policy sees during one scheduling pass, and how it starts jobs. Times are
/// seconds; jobs are named by their index in the workload (0-based, in submit order).
#[pyclass(module = "clustersim._clustersim", unsendable)]
pub struct View {
    ctx: *mut SchedCtx<'static>,
    queue: *mut BTreeSet<(Time, JobIdx)>,
    alive: bool,
}

impl View {
    fn check(&self) -> PyResult<()> {
        if self.alive {
            Ok(())
        } else {
            Err(PyRuntimeError::new_err("a view is valid only during the schedule() call it was given to"))
        }
    }

    /// The pass's context, read-only.
    fn ctx(&self) -> PyResult<&SchedCtx<'static>> {
        self.check()?;
        // SAFETY: alive means `PyQueue::call` is still on the stack with the context borrowed (see there).
        Ok(unsafe { &*self.ctx })
    }

    /// The waiting jobs, read-only.
    fn queue(&self) -> PyResult<&BTreeSet<(Time, JobIdx)>> {
        self.check()?;
        // SAFETY: as for `ctx`.
        Ok(unsafe { &*self.queue })
    }

    fn start_job(&self, j: JobIdx) -> PyResult<bool> {
        let ctx = self.ctx()?;
        if (j as usize) >= ctx.jobs().len() {
            return Err(py_err(format!("no job {j}")));
        }
        let key = (ctx.job(j).submit, j);
        if !self.queue()?.contains(&key) {
            return Err(py_err(format!("job {j} is not waiting")));
        }
        // SAFETY: as for `ctx`; no reference obtained from the view is alive across this call
        // (every getter copies what it returns into Python objects).
        let (ctx, queue) = unsafe { (&mut *self.ctx, &mut *self.queue) };
        if ctx.try_start(j) {
            queue.remove(&key);
            return Ok(true);
        }
        Ok(false)
    }
}

fn triple(r: &Resources) -> (u64, u64, u64) {
    (r.cpu, r.mem, r.gpu)
}

#[pymethods]
impl View {
    /// The current time, in seconds.
    #[getter]
    fn now(&self) -> PyResult<f64> {
        Ok(secs(self.ctx()?.now()))
    }

    /// The waiting jobs in submit order.
    #[getter]
    fn waiting(&self) -> PyResult<Vec<JobIdx>> {
        Ok(self.queue()?.iter().map(|&(_, j)| j).collect())
    }

    /// The first `n` waiting jobs in submit order (cheaper than `waiting` on a long queue).
    fn head(&self, n: usize) -> PyResult<Vec<JobIdx>> {
        Ok(self.queue()?.iter().take(n).map(|&(_, j)| j).collect())
    }

    /// Number of waiting jobs.
    fn __len__(&self) -> PyResult<usize> {
        Ok(self.queue()?.len())
    }

    /// Job `j`, as seen now (its wait grows with the time).
    fn job(&self, j: JobIdx) -> PyResult<JobInfo> {
        let ctx = self.ctx()?;
        if (j as usize) >= ctx.jobs().len() {
            return Err(py_err(format!("no job {j}")));
        }
        Ok(JobInfo::of(ctx.job(j), j, ctx.now()))
    }

    /// Free capacity summed over the nodes that are up: (cpu, memory MiB, gpu).
    #[getter]
    fn free(&self) -> PyResult<(u64, u64, u64)> {
        Ok(triple(&self.ctx()?.cluster().free_total))
    }

    /// Capacity of the whole cluster: (cpu, memory MiB, gpu).
    #[getter]
    fn total(&self) -> PyResult<(u64, u64, u64)> {
        Ok(triple(&self.ctx()?.cluster().total_capacity))
    }

    /// Free capacity per node, `None` for a node that is down.
    #[getter]
    fn nodes_free(&self) -> PyResult<Vec<Option<(u64, u64, u64)>>> {
        let c = self.ctx()?.cluster();
        Ok(c.nodes.iter().map(|n| n.up.then(|| triple(&n.free))).collect())
    }

    /// Running jobs as (estimated end in seconds, job), by estimated end.
    #[getter]
    fn running(&self) -> PyResult<Vec<(f64, JobIdx)>> {
        Ok(self.ctx()?.running().iter().map(|&(t, j)| (secs(t), j)).collect())
    }

    /// Running jobs whose attempt ends at this very instant, though their completion is not yet
    /// processed (several completions share the instant; a pass follows each).
    #[getter]
    fn ending_now(&self) -> PyResult<Vec<JobIdx>> {
        let ctx = self.ctx()?;
        let now = ctx.now();
        Ok(ctx
            .running()
            .iter()
            .map(|&(_, j)| j)
            .filter(|&j| {
                let rec = ctx.record(j);
                rec.state == JobState::Running && rec.run_end <= now
            })
            .collect())
    }

    /// What running job `j` holds now, summed over its tasks: (cpu, memory MiB, gpu).
    fn held(&self, j: JobIdx) -> PyResult<(u64, u64, u64)> {
        let ctx = self.ctx()?;
        let rec = ctx.record(j);
        let sum = rec.placement.iter().fold(Resources::ZERO, |acc, (_, g)| acc + *g);
        Ok(triple(&sum))
    }

    /// Starts waiting job `j` now (every task placed by the node selection) if it fits; True when it started.
    fn start(&self, j: JobIdx) -> PyResult<bool> {
        self.start_job(j)
    }

    /// User names and tier names of the workload, by index.
    #[getter]
    fn users(&self) -> PyResult<Vec<String>> {
        Ok(self.ctx()?.workload().users.clone())
    }

    #[getter]
    fn tiers(&self) -> PyResult<Vec<String>> {
        Ok(self.ctx()?.workload().tiers.clone())
    }
}

/// One job as a policy sees it: its request and estimate, not its actual runtime.
#[pyclass(module = "clustersim._clustersim", frozen, get_all)]
#[derive(Clone)]
pub struct JobInfo {
    /// Index in the workload (what `view.start` takes).
    pub index: JobIdx,
    /// The job's id in its trace or list.
    pub id: u64,
    pub user: u32,
    pub group: u32,
    pub tier: u8,
    pub tasks: u32,
    /// Per task.
    pub cpu: u64,
    pub mem: u64,
    pub gpu: u64,
    /// Seconds.
    pub submit: f64,
    pub estimate: f64,
    /// Seconds since submission.
    pub wait: f64,
}

impl JobInfo {
    fn of(job: &Job, index: JobIdx, now: Time) -> JobInfo {
        JobInfo {
            index,
            id: job.id,
            user: job.user,
            group: job.group,
            tier: job.tier,
            tasks: job.tasks,
            cpu: job.request.cpu,
            mem: job.request.mem,
            gpu: job.request.gpu,
            submit: secs(job.submit),
            estimate: secs(job.estimate),
            wait: secs(now.saturating_sub(job.submit)),
        }
    }
}

#[pymethods]
impl JobInfo {
    /// The request of all its tasks: (cpu, memory MiB, gpu).
    #[getter]
    fn total(&self) -> (u64, u64, u64) {
        let t = self.tasks as u64;
        (self.cpu * t, self.mem * t, self.gpu * t)
    }

    fn __repr__(&self) -> String {
        format!(
            "JobInfo(index={}, id={}, tasks={}, cpu={}, mem={}, gpu={}, estimate={}, wait={})",
            self.index, self.id, self.tasks, self.cpu, self.mem, self.gpu, self.estimate, self.wait
        )
    }
}

// ---------------------------------------------------------------- node selection

/// A node-selection policy whose choices a Python object makes: `policy.select(job, free, placed)`
/// gets the job (a [`JobInfo`]), the free capacity of every node (`None` when down) and the nodes
/// already chosen for its earlier tasks, and returns a node index or `None` (no node fits).
struct PySelector {
    policy: Py<PyAny>,
    errors: ErrorSlot,
}

impl NodeSelector for PySelector {
    fn select(&mut self, cluster: &Cluster, job: &Job, req: &Resources, placed: &[NodeIdx]) -> Option<NodeIdx> {
        if failed(&self.errors) {
            return None;
        }
        Python::attach(|py| {
            let free: Vec<Option<(u64, u64, u64)>> =
                cluster.nodes.iter().map(|n| n.up.then(|| triple(&n.free))).collect();
            let info = JobInfo::of(job, JobIdx::MAX, job.submit);
            let chosen = self
                .policy
                .call_method1(py, "select", (info, free, placed.to_vec()))
                .and_then(|r| r.extract::<Option<NodeIdx>>(py));
            match chosen {
                Ok(Some(n)) => match cluster.nodes.get(n as usize) {
                    Some(node) if node.up && req.fits_in(&node.free) => Some(n),
                    _ => {
                        keep(&self.errors, py_err(format!("select() chose node {n}, where the task does not fit")));
                        None
                    }
                },
                Ok(None) => None,
                Err(e) => {
                    keep(&self.errors, e);
                    None
                }
            }
        })
    }
}
