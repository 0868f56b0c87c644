//! The fault model's event handlers on [`Simulation`]: node failures and repairs, the registry, dispatch and
//! completion notices over the network, scheduler crashes and recovery, and stale gossip views. The loop
//! reaches them only through the hooks of [`Plane`](super::plane::Plane); the state they use is [`FaultLayer`].

use super::Simulation;
use super::audit_books;
use super::plane::Plane;
use crate::engine::event::Event;
use crate::engine::faults::{FaultLayer, draw_us};
use crate::engine::ports::Policies;
use crate::engine::world::JobState;
use crate::model::{JobIdx, NodeIdx, Time};

/// The policies of partition `p`.
fn partition_policies<'a>(base: &'a mut Policies, f: &'a mut FaultLayer, p: usize) -> &'a mut Policies {
    if p == 0 { base } else { &mut f.control.parts[p - 1] }
}

mod control;
mod dispatch;
mod health;

impl Simulation {
    /// Adds the fault model to a simulation made by [`Simulation::new`] and schedules its first events.
    pub fn with_faults(mut self, layer: FaultLayer) -> Self {
        let mut f = Box::new(layer);
        let t0 = f.t0;
        let fl = &mut *f;
        for n in 0..fl.node_life.len() {
            if let Some(life) = &fl.node_life[n] {
                let t = t0 + draw_us(&life.ttf, &mut fl.node_rng[n]);
                fl.node_next_fail[n] = t;
                self.queue.push(t, Event::NodeFail { node: n as NodeIdx });
            }
        }
        for r in 0..fl.rack_life.len() {
            if let Some(life) = &fl.rack_life[r] {
                let t = t0 + draw_us(&life.ttf, &mut fl.rack_rng[r]);
                fl.rack_next_fail[r] = t;
                self.queue.push(t, Event::RackFail { rack: r as u16 });
            }
        }
        for (i, w) in fl.windows.iter().enumerate() {
            self.queue.push(w.from, Event::Window { index: i as u32, begin: true });
            self.queue.push(w.until, Event::Window { index: i as u32, begin: false });
        }
        if let Some(life) = &fl.control.life {
            for p in 0..fl.control.k {
                let t = t0 + draw_us(&life.ttf, &mut fl.control.rng[p]);
                self.queue.push(t, Event::SchedulerCrash { partition: p as u32, repair: None });
            }
        }
        for c in &fl.crashes {
            self.queue.push(c.at, Event::SchedulerCrash { partition: c.partition, repair: Some(c.repair) });
        }
        if fl.control.stale_views() {
            self.queue.push(t0 + fl.control.gossip, Event::Gossip);
        }
        self.world.faults.last = t0;
        self.plane = Plane::Faults(f);
        self
    }

    pub(in crate::engine::sim) fn fl(&mut self) -> &mut FaultLayer {
        self.plane.layer()
    }

    /// A submission reaches its partition's scheduler: accepted if it is serving, else bounced (the client
    /// retries after the retry timeout).
    pub(in crate::engine::sim) fn accept_submission(&mut self, j: JobIdx) -> bool {
        let now = self.world.now;
        let f = self.fl();
        let p = f.control.partition(j);
        if f.control.serving[p] {
            f.control.accepted(p, j, now);
            return true;
        }
        let retry = now + f.retry_timeout;
        self.queue.push(retry, Event::Resubmit { job: j });
        self.world.log("bounce", Some(j), None, || format!("scheduler {p} down"));
        false
    }

    /// Dispatches every fault-model event.
    pub(in crate::engine::sim) fn on_fault_event(&mut self, ev: Event) {
        let now = self.world.now;
        match ev {
            Event::NodeFail { node } => {
                let f = self.fl();
                f.node_next_fail[node as usize] = Time::MAX;
                let life = f.node_life[node as usize].clone().expect("only nodes with a process fail");
                let repair = now + draw_us(&life.ttr, &mut f.node_rng[node as usize]);
                self.queue.push(repair, Event::NodeRepair { node });
                self.node_down(node);
            }
            Event::NodeRepair { node } => {
                self.node_down_ends(node);
                let f = self.fl();
                let life = f.node_life[node as usize].clone().expect("only nodes with a process fail");
                let next = now + draw_us(&life.ttf, &mut f.node_rng[node as usize]);
                f.node_next_fail[node as usize] = next;
                self.queue.push(next, Event::NodeFail { node });
            }
            Event::RackFail { rack } => {
                let f = self.fl();
                f.rack_next_fail[rack as usize] = Time::MAX;
                let life = f.rack_life[rack as usize].clone().expect("only racks with a process fail");
                let repair = now + draw_us(&life.ttr, &mut f.rack_rng[rack as usize]);
                let nodes = f.rack_nodes[rack as usize].clone();
                self.queue.push(repair, Event::RackRepair { rack });
                self.world.log("rack_fail", None, None, || format!("rack {rack}"));
                for n in nodes {
                    self.node_down(n);
                }
            }
            Event::RackRepair { rack } => {
                let nodes = self.fl().rack_nodes[rack as usize].clone();
                for n in nodes {
                    self.node_down_ends(n);
                }
                let f = self.fl();
                let life = f.rack_life[rack as usize].clone().expect("only racks with a process fail");
                let next = now + draw_us(&life.ttf, &mut f.rack_rng[rack as usize]);
                f.rack_next_fail[rack as usize] = next;
                self.queue.push(next, Event::RackFail { rack });
            }
            Event::Window { index, begin } => {
                let w = self.fl().windows[index as usize].clone();
                let down = w.kind == crate::engine::faults::WindowKind::Down;
                for n in w.nodes {
                    match (down, begin) {
                        (true, true) => self.node_down(n),
                        (true, false) => self.node_down_ends(n),
                        (false, true) => self.node_unreachable(n, true),
                        (false, false) => self.node_unreachable(n, false),
                    }
                }
            }
            Event::NodeDetected { node, episode } => {
                let h = &self.fl().health[node as usize];
                if h.episode == episode && h.open && !h.detected {
                    self.declare_dead(node);
                }
            }
            Event::NodeRegistered { node, episode } => self.on_registered(node, episode),
            Event::DispatchFailed { job, epoch } => self.on_dispatch_failed(job, epoch),
            Event::Resubmit { job } => {
                self.world.faults.resubmissions += 1;
                self.world.log("resubmit", Some(job), None, String::new);
                if self.accept_submission(job) {
                    self.on_arrival(job);
                }
            }
            Event::SchedulerCrash { partition, repair } => self.on_scheduler_crash(partition as usize, repair),
            Event::SchedulerResume { partition, generation } => {
                self.on_scheduler_resume(partition as usize, generation)
            }
            Event::SchedulerRepaired { host } => self.on_scheduler_repaired(host as usize),
            Event::Gossip => self.on_gossip(),
            Event::Arrival { .. } | Event::Finish { .. } | Event::Sample | Event::ThinkTimeOver { .. } => {
                unreachable!("not a fault event")
            }
        }
    }

    /// True when no waiting job can ever start: jobs wait, none runs or is in flight, none is left
    /// to arrive or on its way back (resubmission, think time), every node is up and every
    /// scheduler serves with a current view. The cluster is then as empty as a waiting job can ever
    /// see it, and the pass just made on it started nothing; the events still pending (samples,
    /// gossip, heartbeats, failure processes) can only bring this state back, never a better one.
    pub(in crate::engine::sim) fn fault_stuck(&self) -> bool {
        let n = self.world.workload.jobs.len();
        if self.next_arrival < n || !self.world.running.is_empty() || self.world.queued == 0 {
            return false;
        }
        let f = self.plane.layer_ref();
        let cluster = &self.world.cluster;
        if cluster.nodes_down > 0 || f.health.iter().any(|h| h.bad()) || f.control.serving.iter().any(|s| !s) {
            return false;
        }
        if f.control.views.iter().any(|v| v.nodes != cluster.nodes) {
            return false;
        }
        self.world
            .records
            .iter()
            .all(|r| r.state != JobState::Pending && !(r.state == JobState::Held && r.deps_left == 0))
    }

    /// The fault model's invariants: every stale view's books, the control plane's hosts, the count of
    /// partitions down.
    pub(in crate::engine::sim) fn audit_faults(&self, found: &mut Vec<String>) {
        let f = self.plane.layer_ref();
        for (p, view) in f.control.views.iter().enumerate() {
            audit_books(view, &format!("scheduler {p}'s view"), found);
        }
        let c = &f.control;
        for p in 0..c.k {
            if c.serving[p] && !c.host_up[c.server[p]] {
                found.push(format!("partition {p} is scheduled by host {} which is down", c.server[p]));
            }
            if let Some(q) = c.taker[p].filter(|&q| !c.host_up[q]) {
                found.push(format!("partition {p} is to be taken over by host {q} which is down"));
            }
        }
        let down = c.serving.iter().filter(|s| !**s).count();
        if down != self.world.faults.partitions_down as usize {
            found.push(format!("{down} partitions are down but {} are counted", self.world.faults.partitions_down));
        }
    }

    /// Closes the run's integrals at `end` (partitions still down, bad-node time).
    pub(in crate::engine::sim) fn close_faults(&mut self, end: Time) {
        let f = self.plane.layer_ref();
        for p in 0..f.control.k {
            if !f.control.serving[p] && end > f.control.down_since[p] {
                self.world.faults.scheduler_downtime += (end - f.control.down_since[p]) as u128;
            }
        }
        self.world.faults.touch(end);
    }
}
