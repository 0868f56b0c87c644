//! The plane between the schedulers and the cluster, as the loop sees it: a small set of hooks that
//! `sim.rs` calls unconditionally. Without a fault model ([`Plane::Direct`]) every hook is trivial: one
//! scheduler, a started job runs at once, a finish event is the job's end. With it ([`Plane::Faults`]) the
//! hooks hand over to the fault model's handlers in `faults/` (node health, dispatch, control plane).
//!
//! The hooks: [`Simulation::admit`] (a submission reaches its scheduler), [`Simulation::on_finish_event`],
//! [`Simulation::on_plane_event`] (the plane's own events), [`Simulation::pass_begins`] and
//! [`Simulation::pass_ends`] around each scheduler's pass (a job started in it is dispatched there),
//! [`Simulation::released_placement`] (a job's capacity is freed), [`Simulation::work_over`] and
//! [`Simulation::stuck`] (when the run may stop early), [`Simulation::close_plane`] (at the end) and
//! [`Simulation::audit_plane`].

use super::Simulation;
use crate::engine::event::Event;
use crate::engine::faults::FaultLayer;
use crate::engine::ports::Policies;
use crate::model::{JobIdx, Time};

/// What stands between the schedulers and the cluster.
pub(super) enum Plane {
    /// No fault model: one scheduler whose decisions take effect at once on the cluster.
    Direct,
    /// The fault model: failures, a network, a registry, possibly several schedulers with stale views.
    Faults(Box<FaultLayer>),
}

impl Plane {
    /// The fault model; its handlers run only with it.
    #[inline]
    pub(super) fn layer(&mut self) -> &mut FaultLayer {
        match self {
            Plane::Faults(f) => f,
            Plane::Direct => unreachable!("fault handlers run only with the fault model"),
        }
    }

    /// The fault model, read-only.
    #[inline]
    pub(super) fn layer_ref(&self) -> &FaultLayer {
        match self {
            Plane::Faults(f) => f,
            Plane::Direct => unreachable!("fault handlers run only with the fault model"),
        }
    }

    /// How many schedulers (partitions) there are, each with a pass of its own.
    #[inline]
    pub(super) fn partitions(&self) -> usize {
        match self {
            Plane::Direct => 1,
            Plane::Faults(f) => f.control.k,
        }
    }

    /// The policies of partition `p`; `base` are partition 0's (the simulation's own).
    #[inline]
    pub(super) fn policies<'a>(&'a mut self, base: &'a mut Policies, p: usize) -> &'a mut Policies {
        match self {
            Plane::Faults(f) if p > 0 => &mut f.control.parts[p - 1],
            _ => base,
        }
    }

    /// The policies of the partition that owns job `j`.
    #[inline]
    pub(super) fn policies_of<'a>(&'a mut self, base: &'a mut Policies, j: JobIdx) -> &'a mut Policies {
        let p = match self {
            Plane::Faults(f) if f.control.k > 1 => f.control.partition(j),
            _ => 0,
        };
        self.policies(base, p)
    }

    /// Jobs waiting in every partition's queue; `base` are partition 0's policies.
    #[inline]
    pub(super) fn queued(&self, base: &Policies) -> usize {
        let own = base.queue.len();
        match self {
            Plane::Direct => own,
            Plane::Faults(f) => own + f.control.parts.iter().map(|p| p.queue.len()).sum::<usize>(),
        }
    }

    /// True when running job `j`'s placement is booked on the shared books (not a refused placement).
    #[inline]
    pub(super) fn books(&self, j: JobIdx) -> bool {
        match self {
            Plane::Direct => true,
            Plane::Faults(f) => f.jobs[j as usize].committed,
        }
    }
}

impl Simulation {
    /// Every job has reached a final state and none is left to arrive.
    fn work_done(&self) -> bool {
        let n = self.world.workload.jobs.len();
        self.world.finished as usize >= n && self.next_arrival >= n
    }

    /// Jobs waiting in every partition's queue.
    #[inline]
    pub(super) fn queued_len(&self) -> usize {
        self.plane.queued(&self.policies)
    }

    /// A submission reaches its scheduler: true when it is accepted (always without the fault model).
    #[inline]
    pub(super) fn admit(&mut self, j: JobIdx) -> bool {
        match self.plane {
            Plane::Direct => true,
            Plane::Faults(_) => self.accept_submission(j),
        }
    }

    /// A finish event: the job's end, or with the fault model its completion notice (the job ended earlier).
    #[inline]
    pub(super) fn on_finish_event(&mut self, j: JobIdx, epoch: u32) {
        match self.plane {
            Plane::Direct => self.on_finish(j, epoch),
            Plane::Faults(_) => self.fault_finish(j, epoch),
        }
    }

    /// One of the plane's own events (failures and repairs, the registry, failed dispatches, resubmissions,
    /// scheduler crashes, gossip); only the fault model queues them.
    pub(super) fn on_plane_event(&mut self, ev: Event) {
        self.on_fault_event(ev)
    }

    /// Before partition `p`'s pass: false to skip it (nothing waits, or its scheduler is down). With stale
    /// views the pass sees its scheduler's view of the cluster until [`Simulation::pass_ends`].
    #[inline]
    pub(super) fn pass_begins(&mut self, p: usize) -> bool {
        match self.plane {
            Plane::Direct => !self.policies.queue.is_empty(),
            Plane::Faults(_) => self.fault_pass_begins(p),
        }
    }

    /// After partition `p`'s pass: the jobs it started run (their finish events are queued) or, with the
    /// fault model, are dispatched over the network.
    #[inline]
    pub(super) fn pass_ends(&mut self, p: usize) {
        match self.plane {
            Plane::Direct => {
                for (j, end, epoch) in self.started.drain(..) {
                    self.queue.push(end, Event::Finish { job: j, epoch });
                }
                self.preempted.clear();
            }
            Plane::Faults(_) => self.fault_pass_ends(p),
        }
    }

    /// Capacity of `j`'s placement was released on the books: tell the selectors that index it (and, with
    /// stale views, release it in the owning scheduler's view too).
    #[inline]
    pub(super) fn released_placement(&mut self, j: JobIdx) {
        match self.plane {
            Plane::Direct => {
                for &(n, _) in &self.world.records[j as usize].placement {
                    self.policies.selector.node_changed(&self.world.cluster, n);
                }
            }
            Plane::Faults(_) => self.fault_released_placement(j),
        }
    }

    /// Every job is final while the plane's events, which recur forever (failure processes, heartbeats,
    /// gossip), are still pending: they change nothing more. False without the fault model, whose run ends
    /// when its events run out.
    #[inline]
    pub(super) fn work_over(&self) -> bool {
        matches!(self.plane, Plane::Faults(_)) && self.work_done()
    }

    /// True when only the plane's recurring events are left and they cannot start a waiting job (see
    /// [`Simulation::fault_stuck`]); never without the fault model.
    #[inline]
    pub(super) fn stuck(&self) -> bool {
        match self.plane {
            Plane::Direct => false,
            Plane::Faults(_) => self.fault_stuck(),
        }
    }

    /// Closes the plane's integrals at the end of the run, `end`.
    #[inline]
    pub(super) fn close_plane(&mut self, end: Time) {
        if let Plane::Faults(_) = self.plane {
            self.close_faults(end);
        }
    }

    /// The plane's invariants, each violation pushed on `found`.
    pub(super) fn audit_plane(&self, found: &mut Vec<String>) {
        match self.plane {
            Plane::Direct => {
                let cluster = &self.world.cluster;
                for (j, rec) in self.world.records.iter().enumerate() {
                    if rec.state != crate::engine::world::JobState::Running {
                        continue;
                    }
                    for &(n, _) in &rec.placement {
                        if !cluster.nodes[n as usize].up {
                            found.push(format!("job {j} runs on down node {n}"));
                        }
                    }
                }
            }
            // (with failures, a dead job stays booked on a down node until the registry notices)
            Plane::Faults(_) => self.audit_faults(found),
        }
    }
}
