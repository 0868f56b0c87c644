//! The ports of the engine: the traits a policy implements and the engine calls, one per axis, and the
//! bundle of one live policy per axis. The engine knows these traits, never a policy's name; the
//! implementations, their name tables and the resolver live in `crate::policies`.

use super::{ctx::SchedCtx, world::World};
use crate::error::ScenarioError;
use crate::model::{Cluster, Job, JobIdx, Node, NodeIdx, Resources, Time};

// ---------------------------------------------------------------- node selection

/// Chooses a node for one task at a time. Gets a read-only view of the cluster and returns a decision.
pub trait NodeSelector: Send {
    /// A node for one task of `job` asking `req`, or `None` when no node fits.
    /// `placed` holds the nodes already chosen for this job's earlier tasks in this attempt.
    fn select(&mut self, cluster: &Cluster, job: &Job, req: &Resources, placed: &[NodeIdx]) -> Option<NodeIdx>;

    /// Told after node `node`'s free capacity, task count or up state changed (for index upkeep).
    fn node_changed(&mut self, _cluster: &Cluster, _node: NodeIdx) {}

    /// Told that a dispatch to `node` took `rtt` from send to acknowledgement. The network model
    /// calls this; `least_response_time` learns from it, the other algorithms ignore it.
    fn observe_round_trip(&mut self, _cluster: &Cluster, _node: NodeIdx, _rtt: Time) {}
}

// ---------------------------------------------------------------- resource allocation

/// Decides the amount a task receives on the node chosen for it.
pub trait Allocator: Send {
    /// What one task of `job` gets on `node`; `node.free` is known to hold `job.request`.
    /// Rigid jobs get exactly their request under every allocator.
    fn grant(&mut self, job: &Job, node: &Node) -> Resources;

    /// Whether job `j` may start now as far as this policy's quotas go; asked before placement.
    fn admit(&mut self, _world: &World, _j: JobIdx) -> bool {
        true
    }

    /// Running jobs to evict, in order, when waiting job `j` cannot be placed (none by default).
    /// The engine evicts a prefix of them until `j` fits, and keeps any that turn out not to be in the way.
    /// Jobs started at the current instant are never evicted, nor, when `j` was stopped before, the
    /// jobs started at the instant it was stopped.
    fn eviction_candidates(&mut self, _world: &World, _j: JobIdx, _out: &mut Vec<JobIdx>) {}

    /// Whether an evicted job keeps its progress (checkpoint and resume) or loses it (kill and requeue).
    fn keeps_progress(&self) -> bool {
        false
    }

    /// Job `j` has just started (all its tasks are placed).
    fn started(&mut self, _world: &World, _j: JobIdx) {}

    /// The scheduling passes at one instant are over; `tasks` are the malleable tasks started at
    /// it, in placement order. The allocator may raise their `grant.cpu` up to `max_cpu`, within
    /// their node's free capacity (the engine then recomputes their runtimes).
    fn end_round(&mut self, _cluster: &Cluster, _tasks: &mut [RoundTask]) {}
}

/// One malleable task started in the current round.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoundTask {
    pub job: JobIdx,
    /// Index of the task in the job's placement.
    pub task: usize,
    pub node: NodeIdx,
    pub grant: Resources,
    pub max_cpu: u64,
}

// ---------------------------------------------------------------- queue discipline

/// Owns the queue of waiting jobs and decides, at each scheduling pass, which of them start.
pub trait QueueDiscipline: Send {
    /// `job` becomes eligible to run: submitted with its dependencies met, or requeued after a kill.
    fn enqueue(&mut self, job: JobIdx, ctx: &mut SchedCtx<'_>);

    /// Starts the jobs that should start now, by calling [`SchedCtx::try_start`].
    fn schedule(&mut self, ctx: &mut SchedCtx<'_>);

    /// Number of waiting jobs.
    fn len(&self) -> usize;

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A running job ended (completed, failed or was killed); for usage accounting.
    fn job_ended(&mut self, _job: JobIdx, _ctx: &mut SchedCtx<'_>) {}

    /// True when the discipline reads [`SchedCtx::running`] (the running jobs by estimated end); the
    /// engine keeps that index only then.
    fn reads_running_by_estimate(&self) -> bool {
        false
    }
}

// ---------------------------------------------------------------- scheduler recovery

/// A partition lost the scheduler that served it (or the peer that was about to take it over).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Crash {
    /// The partition left without a scheduler (0 when there is one scheduler).
    pub partition: usize,
    /// When it crashed.
    pub at: Time,
    /// How long until the host the partition falls back on is repaired (it resumes there at the latest).
    pub repair: Time,
    /// Scheduler hosts up at the crash, ascending: the peers that could take the partition over.
    pub live_peers: Vec<usize>,
}

/// What a recovery mode makes of a crash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Recovery {
    /// When the partition is scheduled again.
    pub resume_at: Time,
    /// True when another host (standby, replica or peer) took over, false when the crashed host came back.
    pub failover: bool,
    /// Submissions accepted in `(at - lost_window, at]` and still waiting are lost (not yet replicated).
    pub lost_window: Time,
    /// The peer (one of [`Crash::live_peers`]) that takes the partition over; `None` when the partition's
    /// own standby, replica or repaired host serves it again. A taker that crashes first is replaced (the
    /// engine asks again), and a taker's crash takes down every partition it serves.
    pub taker: Option<usize>,
}

impl Recovery {
    /// The crashed host itself comes back when repaired; its state is durable, nothing is lost.
    pub fn on_repair(c: &Crash) -> Recovery {
        Recovery { resume_at: c.at + c.repair, failover: false, lost_window: 0, taker: None }
    }

    /// A standby or replica of the partition itself serves it from `resume_at`.
    pub fn standby(resume_at: Time, lost_window: Time) -> Recovery {
        Recovery { resume_at, failover: true, lost_window, taker: None }
    }
}

/// Decides how the control plane is laid out and how it comes back after a scheduler crash.
pub trait SchedulerRecovery: Send {
    /// Number of schedulers, each owning a partition of the submissions (job index mod K).
    fn partitions(&self) -> usize {
        1
    }

    /// How often schedulers of different partitions exchange node state (0: they share it, never stale).
    fn gossip_interval(&self) -> Time {
        0
    }

    /// How far replicas lag behind the active scheduler (0: state is shared and durable).
    fn replication_lag(&self) -> Time {
        0
    }

    /// When scheduling of the crashed partition resumes, and what is lost.
    fn on_crash(&mut self, crash: &Crash) -> Recovery;

    /// True when peers take partitions over ([`Recovery::taker`]): then a host that comes back is offered
    /// every partition still waiting for a repair (as a [`Crash`] at that instant, `repair` being the time
    /// left until the awaited host is back), and may take it over sooner.
    fn peers_take_over(&self) -> bool {
        false
    }
}

// ---------------------------------------------------------------- the bundle and its factory

/// One live policy per axis, ready to drive a simulation.
pub struct Policies {
    pub selector: Box<dyn NodeSelector>,
    pub allocator: Box<dyn Allocator>,
    pub queue: Box<dyn QueueDiscipline>,
    pub recovery: Box<dyn SchedulerRecovery>,
}

/// Builds the policies of one scheduler partition (partition 0 is the simulation's own). Whoever sets up
/// a run hands the engine one of these, so that every rule deriving a policy's random stream from the
/// run seed has one home (`crate::policies`); the engine asks for a partition's policies, or a fresh
/// queue after a failover, by partition number only.
pub trait PolicyFactory: Send {
    /// Every axis of partition `p`, on `cluster`.
    fn build(&self, p: usize, cluster: &Cluster) -> Result<Policies, ScenarioError>;

    /// A fresh queue discipline for partition `p` (a promoted replica rebuilds its queue), exactly the
    /// one [`PolicyFactory::build`] would give.
    fn queue(&self, p: usize, cluster: &Cluster) -> Result<Box<dyn QueueDiscipline>, ScenarioError>;
}
