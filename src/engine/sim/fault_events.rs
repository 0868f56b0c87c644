//! The fault model's event handlers on [`Simulation`]: node failures and repairs, the registry, dispatch and
//! completion notices over the network, scheduler crashes and recovery, and stale gossip views. Kept out of
//! `sim.rs` so the core loop stays small; the state they use is [`FaultLayer`].

use super::{Simulation, queue_and_ctx};
use crate::engine::event::Event;
use crate::engine::faults::{FaultLayer, Phase, draw_us};
use crate::engine::network::Msg;
use crate::engine::ports::{Crash, Policies};
use crate::engine::world::JobState;
use crate::model::{JobIdx, NodeIdx, Time};

/// The policies of the partition that owns job `j` (the simulation's own with a single scheduler).
pub(super) fn policies_for<'a>(
    base: &'a mut Policies,
    faults: &'a mut Option<Box<FaultLayer>>,
    j: JobIdx,
) -> &'a mut Policies {
    match faults {
        Some(f) if f.control.k > 1 => match f.control.partition(j) {
            0 => base,
            p => &mut f.control.parts[p - 1],
        },
        _ => base,
    }
}

/// The policies of partition `p`.
fn partition_policies<'a>(base: &'a mut Policies, f: &'a mut FaultLayer, p: usize) -> &'a mut Policies {
    if p == 0 { base } else { &mut f.control.parts[p - 1] }
}

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
        self.faults = Some(f);
        self
    }

    fn fl(&mut self) -> &mut FaultLayer {
        self.faults.as_mut().expect("fault handlers run only with the fault model")
    }

    /// True when running job `j`'s placement is booked on the shared books (not a refused placement).
    pub(super) fn books(&self, j: JobIdx) -> bool {
        self.faults.as_ref().is_none_or(|f| f.jobs[j as usize].committed)
    }

    /// Every job has reached a final state and none is left to arrive.
    pub(super) fn work_done(&self) -> bool {
        let n = self.world.workload.jobs.len();
        self.world.finished as usize >= n && self.next_arrival >= n
    }

    /// Jobs waiting in every partition's queue.
    pub(super) fn queued_len(&self) -> usize {
        let own = self.policies.queue.len();
        match &self.faults {
            Some(f) => own + f.control.parts.iter().map(|p| p.queue.len()).sum::<usize>(),
            None => own,
        }
    }

    /// A submission reaches its partition's scheduler: accepted if it is serving, else bounced (the client
    /// retries after the retry timeout).
    pub(super) fn accept_submission(&mut self, j: JobIdx) -> bool {
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
    pub(super) fn on_fault_event(&mut self, ev: Event) {
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
                let p = partition as usize;
                let c = &mut self.faults.as_mut().expect("fault model").control;
                if c.generation[p] == generation && !c.serving[p] {
                    c.serving[p] = true;
                    self.world.faults.scheduler_downtime += (now - c.down_since[p]) as u128;
                    self.world.faults.partitions_down -= 1;
                    self.world.log("scheduler_resume", None, None, || format!("scheduler {p}"));
                }
            }
            Event::Gossip => self.on_gossip(),
            Event::Arrival { .. } | Event::Finish { .. } | Event::Sample | Event::ThinkTimeOver { .. } => {
                unreachable!("not a fault event")
            }
        }
    }

    // ---------------------------------------------------------------- node health and the registry

    /// One more cause keeps node `n` down; the first one kills its running tasks.
    fn node_down(&mut self, n: NodeIdx) {
        let h = &mut self.fl().health[n as usize];
        let was_bad = h.bad();
        h.down += 1;
        if h.down > 1 {
            return;
        }
        if was_bad {
            h.crashed = true;
        }
        self.world.faults.node_failures += 1;
        self.world.log("node_fail", None, Some(n), String::new);
        if !was_bad {
            self.episode_begins(n, true);
        }
        self.kill_tasks_on(n);
    }

    fn node_down_ends(&mut self, n: NodeIdx) {
        let h = &mut self.fl().health[n as usize];
        h.down -= 1;
        if h.down == 0 {
            self.world.log("node_up", None, Some(n), String::new);
        }
        let h = &self.fl().health[n as usize];
        if !h.bad() {
            self.world.log("node_repair", None, Some(n), String::new);
            self.episode_ends(n);
        }
    }

    /// A partition cuts node `n` off (`begin`) or ends.
    fn node_unreachable(&mut self, n: NodeIdx, begin: bool) {
        let h = &mut self.fl().health[n as usize];
        let was_bad = h.bad();
        if begin {
            h.unreachable += 1;
            if !was_bad {
                self.world.log("unreachable", None, Some(n), String::new);
                self.episode_begins(n, false);
            }
        } else {
            h.unreachable -= 1;
            if !h.bad() {
                self.world.log("reachable", None, Some(n), String::new);
                self.episode_ends(n);
            }
        }
    }

    /// Node `n` just went bad: the registry will miss its heartbeats and declare it dead at the deadline.
    fn episode_begins(&mut self, n: NodeIdx, crashed: bool) {
        let now = self.world.now;
        self.world.faults.touch(now);
        self.world.faults.nodes_bad += 1;
        let f = self.fl();
        let h = &mut f.health[n as usize];
        h.episode += 1;
        h.bad_since = now;
        h.open = true;
        h.detected = false;
        h.crashed = crashed;
        let episode = h.episode;
        let latency = f.net.draw(f.node_pool[n as usize], Msg::Heartbeat);
        let deadline = f.hb.deadline(now, latency);
        self.queue.push(deadline, Event::NodeDetected { node: n, episode });
    }

    /// Node `n` is up and reachable again: it (re-)registers with the registry.
    fn episode_ends(&mut self, n: NodeIdx) {
        let now = self.world.now;
        self.world.faults.touch(now);
        self.world.faults.nodes_bad -= 1;
        let f = self.fl();
        let episode = f.health[n as usize].episode;
        let latency = f.net.draw(f.node_pool[n as usize], Msg::Heartbeat);
        self.queue.push(now + latency, Event::NodeRegistered { node: n, episode });
    }

    /// The registry hears node `n` again. A node that crashed and rebooted before its deadline is detected now;
    /// a partition that healed before the deadline goes unnoticed.
    fn on_registered(&mut self, n: NodeIdx, episode: u32) {
        let h = &self.fl().health[n as usize];
        if h.episode != episode || h.bad() {
            return; // a newer episode has begun; its own detection handles the node
        }
        if h.open && !h.detected && h.crashed {
            self.declare_dead(n);
        }
        self.fl().health[n as usize].open = false;
        if !self.world.cluster.nodes[n as usize].up {
            self.world.cluster.set_up(n, true);
            self.truth_changed(n);
        }
        self.world.log("register", None, Some(n), String::new);
    }

    /// The registry declares node `n` dead: the scheduler writes off every attempt it believed ran there.
    fn declare_dead(&mut self, n: NodeIdx) {
        let now = self.world.now;
        let since = {
            let h = &mut self.fl().health[n as usize];
            h.detected = true;
            h.bad_since
        };
        let c = &mut self.world.faults;
        c.detections += 1;
        c.detection_latency_sum += (now - since) as u128;
        c.detection_latency_max = c.detection_latency_max.max(now - since);
        self.world.log("detect", None, Some(n), || format!("after {}us", now - since));
        for j in self.jobs_on(n) {
            match self.phase(j) {
                Phase::Killed => self.restart(j),
                Phase::Live => {
                    // Still running (or done with its notice held) on a node cut off by a partition: the node
                    // fences itself when its lease expires, so the work is lost and the job runs again.
                    self.world.faults.evictions += 1;
                    self.kill(j);
                    self.restart(j);
                }
                Phase::Failing | Phase::Idle => {}
            }
        }
        if self.world.cluster.nodes[n as usize].up {
            self.world.cluster.set_up(n, false);
            self.truth_changed(n);
        }
    }

    /// Jobs whose accepted attempt holds capacity on node `n`, in job order.
    fn jobs_on(&self, n: NodeIdx) -> Vec<JobIdx> {
        let mut jobs = self.faults.as_ref().expect("fault model").node_jobs[n as usize].clone();
        jobs.sort_unstable();
        jobs
    }

    /// The fault phase of `j`'s current attempt (`Idle` when the record has moved on, e.g. preempted).
    fn phase(&self, j: JobIdx) -> Phase {
        let f = self.faults.as_ref().expect("fault model");
        let jf = &f.jobs[j as usize];
        if jf.epoch == self.world.records[j as usize].epoch { jf.phase } else { Phase::Idle }
    }

    /// Kills the attempts running on node `n` as it goes down (attempts already done keep their result).
    fn kill_tasks_on(&mut self, n: NodeIdx) {
        let now = self.world.now;
        for j in self.jobs_on(n) {
            if self.phase(j) == Phase::Live && now < self.world.records[j as usize].run_end {
                self.kill(j);
            }
        }
    }

    /// The tasks of `j`'s current attempt die now: work since the last checkpoint is lost.
    fn kill(&mut self, j: JobIdx) {
        let now = self.world.now;
        let f = self.faults.as_mut().expect("fault model");
        let jf = &mut f.jobs[j as usize];
        let job = &self.world.workload.jobs[j as usize];
        let rec = &mut self.world.records[j as usize];
        let elapsed = now.min(rec.run_end).saturating_sub(rec.start);
        let cores: u64 = rec.placement.iter().map(|(_, g)| g.cpu).sum();
        let lost = match f.checkpoint {
            Some(c) => {
                let k = c.done(elapsed, jf.compute);
                let saved = k * c.interval;
                if saved > 0 && jf.compute > 0 {
                    let done = (rec.remaining as u128 * saved as u128 / jf.compute as u128) as Time;
                    rec.remaining = rec.remaining.saturating_sub(done).max(1);
                }
                elapsed - k * (c.interval + c.cost)
            }
            None => elapsed,
        };
        rec.ran += elapsed;
        rec.epoch += 1;
        jf.phase = Phase::Killed;
        jf.epoch = rec.epoch;
        let c = &mut self.world.faults;
        c.work_lost_core_us += lost as u128 * cores as u128;
        c.tasks_killed += job.tasks as u64;
        self.world.log("task_kill", Some(j), None, || format!("lost {lost}us"));
    }

    /// Frees `j`'s current attempt on the books (and in its scheduler's view) and takes it off the running set.
    fn release_attempt(&mut self, j: JobIdx) {
        let committed = self.fl().jobs[j as usize].committed;
        if committed {
            self.world.release(j);
        } else {
            let est_end = self.world.records[j as usize].est_end;
            self.world.running.remove(est_end, j);
        }
        self.released_placement(j);
    }

    /// Tells the queue of `j`'s partition that its attempt ended.
    fn attempt_ended(&mut self, j: JobIdx) {
        self.with_job_queue(j, |queue, ctx| queue.job_ended(j, ctx));
    }

    /// The scheduler learns `j`'s attempt died: requeue it, or fail it after `max_retries` restarts.
    fn restart(&mut self, j: JobIdx) {
        let now = self.world.now;
        self.release_attempt(j);
        self.attempt_ended(j);
        let f = self.fl();
        let jf = &mut f.jobs[j as usize];
        jf.phase = Phase::Idle;
        jf.restarts += 1;
        let exhausted = jf.restarts > f.max_retries;
        let restarts = jf.restarts;
        self.world.faults.restarts += 1;
        if exhausted {
            let rec = &mut self.world.records[j as usize];
            rec.state = JobState::Failed;
            rec.end = Some(now);
            rec.reason = Some(format!("killed by failures {restarts} times (max_retries)"));
            self.world.finished += 1;
            self.world.faults.retries_exhausted += 1;
            self.last_end = self.last_end.max(now);
            self.world.log("fail", Some(j), None, || "max_retries".into());
            self.release_dependents(j, false);
        } else {
            self.world.log("requeue", Some(j), None, || format!("restart {restarts}"));
            self.enqueue(j);
        }
    }

    // ---------------------------------------------------------------- dispatch and completion

    /// One scheduling pass per serving partition; each started job is dispatched over the network.
    pub(super) fn fault_pass(&mut self) {
        let k = self.fl().control.k;
        for p in 0..k {
            let f = self.faults.as_mut().expect("fault model");
            if !f.control.serving[p] {
                continue;
            }
            let views = f.control.stale_views();
            let pol = partition_policies(&mut self.policies, f, p);
            if pol.queue.is_empty() {
                continue;
            }
            if views {
                std::mem::swap(&mut self.world.cluster, &mut f.control.views[p]);
                self.world.failed_shape = None; // the memo belongs to the cluster view it was made on
            }
            let pol = partition_policies(&mut self.policies, f, p);
            let (queue, mut ctx) = queue_and_ctx(pol, &mut self.world, &mut self.started, &mut self.preempted);
            queue.schedule(&mut ctx);
            crate::engine::placement::requeue_evicted(queue, &mut ctx);
            // With dispatches, the allocation round is the pass: grants grow before they are sent.
            let regrants = crate::engine::placement::close_round(ctx.world, ctx.selector, ctx.allocator);
            for (j, end, epoch) in regrants {
                if let Some(s) = self.started.iter_mut().find(|s| s.0 == j) {
                    (s.1, s.2) = (end, epoch);
                }
            }
            if views {
                std::mem::swap(&mut self.world.cluster, &mut f.control.views[p]);
            }
            let preempted = std::mem::take(&mut self.preempted);
            for &j in &preempted {
                self.preempted_in_pass(j);
            }
            self.preempted = preempted;
            self.preempted.clear();
            let mut started = std::mem::take(&mut self.started);
            for &(j, end, epoch) in &started {
                self.dispatch(p, j, end, epoch);
            }
            started.clear();
            self.started = started;
        }
    }

    /// A job preempted in a scheduling pass: `preempt` released it on the cluster the pass saw.
    fn preempted_in_pass(&mut self, j: JobIdx) {
        let f = self.faults.as_mut().expect("fault model");
        if f.control.stale_views() {
            // The pass released the job on the scheduler's view; release it on the shared books too.
            if f.jobs[j as usize].committed {
                for &(n, g) in &self.world.records[j as usize].placement {
                    self.world.cluster.release(n, g);
                }
            }
        } else if f.control.k > 1 {
            let nodes: Vec<NodeIdx> = self.world.records[j as usize].placement.iter().map(|&(n, _)| n).collect();
            for n in nodes {
                self.truth_changed(n);
            }
        }
        let f = self.faults.as_mut().expect("fault model");
        f.unhold(j, self.world.records[j as usize].placement.iter().map(|&(n, _)| n));
        f.jobs[j as usize].phase = Phase::Idle;
    }

    /// Sends job `j`'s dispatch (decided now by partition `p`): it starts when the dispatch reaches its
    /// nodes, unless a node is dead or unreachable by then (the dispatch fails after the RPC timeout) or,
    /// with stale views, the capacity is already taken (a placement conflict, refused after a round trip).
    fn dispatch(&mut self, p: usize, j: JobIdx, end: Time, epoch: u32) {
        let now = self.world.now;
        let f = self.faults.as_mut().expect("fault model");
        {
            let jf = &mut f.jobs[j as usize];
            jf.epoch = epoch;
            jf.committed = true;
        }
        let placement = &self.world.records[j as usize].placement;
        let head = placement[0].0;
        if f.control.stale_views() {
            let truth = &mut self.world.cluster;
            let mut booked = 0;
            for &(n, g) in placement {
                let node = &truth.nodes[n as usize];
                if !(node.up && g.fits_in(&node.free)) {
                    break;
                }
                truth.allocate(n, g);
                booked += 1;
            }
            if booked < placement.len() {
                for &(n, g) in &placement[..booked] {
                    truth.release(n, g);
                }
                let jf = &mut f.jobs[j as usize];
                jf.committed = false;
                jf.phase = Phase::Failing;
                let pool = f.node_pool[head as usize];
                let rtt = f.net.draw(pool, Msg::Dispatch) + f.net.draw(pool, Msg::Completion);
                self.world.faults.placement_conflicts += 1;
                self.queue.push(now + rtt, Event::DispatchFailed { job: j, epoch });
                self.world.log("conflict", Some(j), Some(head), || format!("scheduler {p}"));
                return;
            }
        }
        let mut arrival = now;
        let mut trips: Vec<(NodeIdx, Time)> = Vec::with_capacity(placement.len());
        for &(n, _) in placement {
            let one_way = f.net.draw(f.node_pool[n as usize], Msg::Dispatch);
            arrival = arrival.max(now + one_way);
            trips.push((n, 2 * one_way));
        }
        let mut healthy = true;
        for (n, rtt) in &mut trips {
            let ok = f.healthy_through(*n, now, arrival);
            if !ok {
                *rtt = f.rpc_timeout; // no answer: the scheduler waits out the RPC timeout
            }
            healthy &= ok;
        }
        // The scheduler that sent the dispatch learns each node's round trip (the acknowledgement is
        // taken to travel back as long as the dispatch took: no extra draw, no other result changes).
        let stale = f.control.stale_views();
        let view = if stale { &f.control.views[p] } else { &self.world.cluster };
        let selector = if p == 0 { &mut self.policies.selector } else { &mut f.control.parts[p - 1].selector };
        for &(n, rtt) in &trips {
            selector.observe_round_trip(view, n, rtt);
        }
        if !healthy {
            f.jobs[j as usize].phase = Phase::Failing;
            self.world.faults.failed_dispatches += 1;
            self.queue.push(now + f.rpc_timeout, Event::DispatchFailed { job: j, epoch });
            self.world.log("dispatch_fail", Some(j), Some(head), String::new);
            return;
        }
        let compute = end - now;
        let overhead = f.checkpoint.map(|c| c.overhead(compute)).unwrap_or(0);
        let jf = &mut f.jobs[j as usize];
        jf.compute = compute;
        jf.phase = Phase::Live;
        f.hold(j, placement.iter().map(|&(n, _)| n));
        let jf = &mut f.jobs[j as usize];
        let rec = &mut self.world.records[j as usize];
        rec.start = arrival;
        rec.run_end = arrival + compute + overhead;
        if !jf.started_ever {
            jf.started_ever = true;
            rec.first_start = Some(arrival);
        }
        let (start, run_end) = (rec.start, rec.run_end);
        if self.world.log.is_some() {
            let nodes: Vec<String> = rec.placement.iter().map(|(n, _)| n.to_string()).collect();
            let detail = format!("{start}..{run_end} on {}", nodes.join(";"));
            self.world.log("run", Some(j), Some(head), || detail);
        }
        let rec = &self.world.records[j as usize];
        let sent = f.reachable_from(head, rec.run_end);
        let notice = sent + f.net.draw(f.node_pool[head as usize], Msg::Completion);
        self.queue.push(notice, Event::Finish { job: j, epoch });
        if f.control.k > 1 && !f.control.stale_views() {
            let nodes: Vec<NodeIdx> = rec.placement.iter().map(|&(n, _)| n).collect();
            for n in nodes {
                self.truth_changed(n);
            }
        }
    }

    /// The completion notice of `j` arrives: the job ended at its `run_end`; its capacity is freed now.
    pub(super) fn fault_finish(&mut self, j: JobIdx, epoch: u32) {
        let rec = &self.world.records[j as usize];
        if rec.epoch != epoch || rec.state != JobState::Running {
            return;
        }
        let (run_end, now) = (rec.run_end, self.world.now);
        self.on_finish(j, epoch);
        let rec = &mut self.world.records[j as usize];
        if now > run_end {
            rec.ran -= now - run_end;
            rec.end = Some(run_end);
        }
        self.fl().jobs[j as usize].phase = Phase::Idle;
    }

    /// A dispatch failed (dead or unreachable node: the scheduler stops using it until it registers again)
    /// or was refused (conflict): the job goes back to its queue and is placed again, elsewhere.
    fn on_dispatch_failed(&mut self, j: JobIdx, epoch: u32) {
        let rec = &self.world.records[j as usize];
        let f = self.faults.as_ref().expect("fault model");
        let jf = f.jobs[j as usize];
        if rec.epoch != epoch || rec.state != JobState::Running || jf.phase != Phase::Failing || jf.epoch != epoch {
            return;
        }
        if jf.committed {
            let suspects: Vec<NodeIdx> = rec
                .placement
                .iter()
                .map(|&(n, _)| n)
                .filter(|&n| f.health[n as usize].bad() && self.world.cluster.nodes[n as usize].up)
                .collect();
            for n in suspects {
                self.world.cluster.set_up(n, false);
                self.truth_changed(n);
                self.world.log("suspect", Some(j), Some(n), String::new);
            }
        }
        self.release_attempt(j);
        self.attempt_ended(j);
        let started_ever = jf.started_ever;
        let rec = &mut self.world.records[j as usize];
        rec.attempts -= 1;
        if !started_ever {
            rec.first_start = None;
        }
        rec.epoch += 1;
        self.fl().jobs[j as usize].phase = Phase::Idle;
        self.world.faults.retries += 1;
        self.world.log("retry", Some(j), None, String::new);
        self.enqueue(j);
    }

    /// Capacity of `j`'s placement was released on the books: tell the selectors that index it and, with
    /// stale views, release it in the owning scheduler's view too.
    pub(super) fn released_placement(&mut self, j: JobIdx) {
        let Some(f) = self.faults.as_mut() else {
            for &(n, _) in &self.world.records[j as usize].placement {
                self.policies.selector.node_changed(&self.world.cluster, n);
            }
            return;
        };
        let rec = &self.world.records[j as usize];
        f.unhold(j, rec.placement.iter().map(|&(n, _)| n));
        if f.control.stale_views() {
            let p = f.control.partition(j);
            // A refused (conflicting) placement stays in the scheduler's view until the next gossip round:
            // the refusal told it the capacity is taken.
            if f.jobs[j as usize].committed {
                let view = &mut f.control.views[p];
                let selector = if p == 0 { &mut self.policies.selector } else { &mut f.control.parts[p - 1].selector };
                for &(n, g) in &rec.placement {
                    view.release(n, g);
                    selector.node_changed(view, n);
                }
            }
        } else {
            for &(n, _) in &rec.placement {
                self.policies.selector.node_changed(&self.world.cluster, n);
                for part in &mut f.control.parts {
                    part.selector.node_changed(&self.world.cluster, n);
                }
            }
        }
    }

    /// Node `n` changed on the shared books: tell the selectors that index them.
    fn truth_changed(&mut self, n: NodeIdx) {
        let f = self.faults.as_mut().expect("fault model");
        if f.control.stale_views() {
            return; // schedulers see the books only through gossip
        }
        self.policies.selector.node_changed(&self.world.cluster, n);
        for part in &mut f.control.parts {
            part.selector.node_changed(&self.world.cluster, n);
        }
    }

    // ---------------------------------------------------------------- the control plane

    fn on_scheduler_crash(&mut self, p: usize, repair: Option<Time>) {
        let now = self.world.now;
        let f = self.faults.as_mut().expect("fault model");
        let c = &mut f.control;
        let random = repair.is_none();
        if !c.serving[p] {
            if random {
                let life = c.life.clone().expect("random crashes need a process");
                let next = c.resume_at[p] + draw_us(&life.ttf, &mut c.rng[p]);
                self.queue.push(next, Event::SchedulerCrash { partition: p as u32, repair: None });
            }
            return;
        }
        let repair = match repair {
            Some(r) => r,
            None => draw_us(&c.life.as_ref().expect("random crashes need a process").ttr, &mut c.rng[p]),
        };
        let crash = Crash { partition: p, at: now, repair, peers_serving: c.serving_count() - 1 };
        let rec = self.policies.recovery.on_crash(&crash);
        c.serving[p] = false;
        c.down_since[p] = now;
        c.generation[p] += 1;
        c.resume_at[p] = rec.resume_at;
        let generation = c.generation[p];
        self.queue.push(rec.resume_at, Event::SchedulerResume { partition: p as u32, generation });
        if random {
            let life = c.life.clone().expect("random crashes need a process");
            let next = rec.resume_at + draw_us(&life.ttf, &mut c.rng[p]);
            self.queue.push(next, Event::SchedulerCrash { partition: p as u32, repair: None });
        }
        let counters = &mut self.world.faults;
        counters.scheduler_crashes += 1;
        counters.partitions_down += 1;
        if rec.failover {
            counters.failovers += 1;
        }
        self.world.log("scheduler_crash", None, None, || {
            format!("scheduler {p}; resumes at {}us{}", rec.resume_at, if rec.failover { " (failover)" } else { "" })
        });
        if rec.lost_window > 0 {
            self.lose_submissions(p, rec.lost_window);
        }
    }

    /// A replica promoted after a crash lacks the submissions of the last `window`: those still waiting are
    /// lost, their clients resubmit after the retry timeout, and the partition's queue is rebuilt without them.
    fn lose_submissions(&mut self, p: usize, window: Time) {
        let now = self.world.now;
        let f = self.faults.as_mut().expect("fault model");
        let lost: Vec<JobIdx> = f
            .control
            .inside_window(p, now, window)
            .into_iter()
            .filter(|&j| matches!(self.world.records[j as usize].state, JobState::Queued | JobState::Held))
            .collect();
        if lost.is_empty() {
            return;
        }
        f.control.recent[p].retain(|(_, j)| !lost.contains(j));
        let retry = now + f.retry_timeout;
        for &j in &lost {
            let rec = &mut self.world.records[j as usize];
            if rec.state == JobState::Queued {
                self.world.queued -= 1;
            }
            rec.state = JobState::Pending;
            self.world.faults.lost_submissions += 1;
            self.queue.push(retry, Event::Resubmit { job: j });
            self.world.log("lost_submission", Some(j), None, || format!("scheduler {p}"));
        }
        // Rebuild the queue from the jobs still waiting in this partition.
        let k = f.control.k;
        let waiting: Vec<JobIdx> = (0..self.world.records.len() as JobIdx)
            .filter(|&j| (k == 1 || j as usize % k == p) && self.world.records[j as usize].state == JobState::Queued)
            .collect();
        let fresh =
            f.fresh_queue(p, &self.world.cluster).expect("the queue policy was validated when the run was built");
        let pol = partition_policies(&mut self.policies, f, p);
        pol.queue = fresh;
        let (queue, mut ctx) = queue_and_ctx(pol, &mut self.world, &mut self.started, &mut self.preempted);
        for j in waiting {
            queue.enqueue(j, &mut ctx);
        }
    }

    /// Schedulers exchange node state: every stale view becomes a copy of the shared books.
    fn on_gossip(&mut self) {
        let now = self.world.now;
        let f = self.faults.as_mut().expect("fault model");
        let truth = &self.world.cluster;
        for p in 0..f.control.k {
            let view = &mut f.control.views[p];
            let selector = if p == 0 { &mut self.policies.selector } else { &mut f.control.parts[p - 1].selector };
            for (i, node) in truth.nodes.iter().enumerate() {
                if view.nodes[i] != *node {
                    view.nodes[i].clone_from(node);
                    selector.node_changed(view, i as NodeIdx);
                }
            }
            view.growth_epoch += 1;
            view.up_capacity = truth.up_capacity;
            view.free_total = truth.free_total;
            view.nodes_down = truth.nodes_down;
        }
        f.control.gossip_gen += 1;
        self.queue.push(now + f.control.gossip, Event::Gossip);
    }

    /// Closes the run's integrals at `end` (partitions still down, bad-node time).
    pub(super) fn close_faults(&mut self, end: Time) {
        let f = self.faults.as_ref().expect("fault model");
        for p in 0..f.control.k {
            if !f.control.serving[p] && end > f.control.down_since[p] {
                self.world.faults.scheduler_downtime += (end - f.control.down_since[p]) as u128;
            }
        }
        self.world.faults.touch(end);
    }
}
