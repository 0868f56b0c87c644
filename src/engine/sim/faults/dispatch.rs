//! Fault handlers, dispatch and completion: the scheduling pass under the fault model, dispatches over
//! the network (accepted, failed or conflicting), completion notices and releases.

use super::super::Simulation;
use super::partition_policies;
use crate::engine::ctx::Stopped;
use crate::engine::event::Event;
use crate::engine::faults::Phase;
use crate::engine::faults::network::Msg;
use crate::engine::world::JobState;
use crate::model::{JobIdx, NodeIdx, Time};

impl Simulation {
    /// Partition `p`'s pass may run: its scheduler serves and something waits in its queue. With stale
    /// views, the pass works on the scheduler's view: it is swapped in as the world's cluster until
    /// [`Simulation::fault_pass_ends`] swaps the shared books back.
    pub(in crate::engine::sim) fn fault_pass_begins(&mut self, p: usize) -> bool {
        let f = self.plane.layer();
        if !f.control.serving[p] {
            return false;
        }
        let views = f.control.stale_views();
        let pol = partition_policies(&mut self.policies, f, p);
        if pol.queue.is_empty() {
            return false;
        }
        if views {
            std::mem::swap(&mut self.world.cluster, &mut f.control.views[p]);
            self.world.failed_shape = None; // the memo belongs to the cluster view it was made on
        }
        true
    }

    /// Partition `p`'s pass is over: the allocation round closes on the view the pass saw, the shared
    /// books come back, and each job the pass started is dispatched over the network.
    pub(in crate::engine::sim) fn fault_pass_ends(&mut self, p: usize) {
        let f = self.plane.layer();
        let views = f.control.stale_views();
        let pol = partition_policies(&mut self.policies, f, p);
        // With dispatches, the allocation round is the pass: grants grow before they are sent.
        let regrants =
            crate::engine::placement::close_round(&mut self.world, pol.selector.as_mut(), pol.allocator.as_mut());
        for (j, end, epoch) in regrants {
            if let Some(s) = self.started.iter_mut().find(|s| s.0 == j) {
                (s.1, s.2) = (end, epoch);
            }
        }
        if views {
            std::mem::swap(&mut self.world.cluster, &mut f.control.views[p]);
        }
        for stopped in std::mem::take(&mut self.preempted) {
            self.preempted_in_pass(stopped);
        }
        let mut started = std::mem::take(&mut self.started);
        for &(j, end, epoch) in &started {
            // A job started and then suspended or evicted within this pass is not sent.
            let rec = &self.world.records[j as usize];
            if rec.epoch == epoch && rec.state == JobState::Running {
                self.dispatch(p, j, end, epoch);
            }
        }
        started.clear();
        self.started = started;
    }

    /// An attempt stopped in a scheduling pass: `preempt` released it on the cluster the pass saw;
    /// the shared books release what that attempt booked there, if it was dispatched.
    pub(in crate::engine::sim) fn preempted_in_pass(&mut self, stopped: Stopped) {
        let Stopped { job: j, epoch, placement } = stopped;
        let f = self.plane.layer();
        let jf = &mut f.jobs[j as usize];
        // Booked only if this very attempt was dispatched; one started and stopped within the pass never was.
        let booked = jf.committed && jf.epoch == epoch;
        if booked {
            jf.committed = false;
        }
        if f.control.stale_views() {
            // The pass released the job on the scheduler's view; release it on the shared books too.
            if booked {
                for &(n, g) in &placement {
                    self.world.cluster.release(n, g);
                }
            }
        } else if f.control.k > 1 {
            for &(n, _) in &placement {
                self.truth_changed(n);
            }
        }
        let f = self.plane.layer();
        f.unhold(j, placement.iter().map(|&(n, _)| n));
        f.jobs[j as usize].phase = Phase::Idle;
    }

    /// Sends job `j`'s dispatch (decided now by partition `p`): it starts when the dispatch reaches its
    /// nodes, unless a node is dead or unreachable by then (the dispatch fails after the RPC timeout) or,
    /// with stale views, the capacity is already taken (a placement conflict, refused after a round trip).
    pub(in crate::engine::sim) fn dispatch(&mut self, p: usize, j: JobIdx, end: Time, epoch: u32) {
        let now = self.world.now;
        let f = self.plane.layer();
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
                f.control.refused.push((j, epoch));
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
    pub(in crate::engine::sim) fn fault_finish(&mut self, j: JobIdx, epoch: u32) {
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
    pub(in crate::engine::sim) fn on_dispatch_failed(&mut self, j: JobIdx, epoch: u32) {
        let rec = &self.world.records[j as usize];
        let f = self.plane.layer_ref();
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
    pub(in crate::engine::sim) fn fault_released_placement(&mut self, j: JobIdx) {
        let f = self.plane.layer();
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
    pub(in crate::engine::sim) fn truth_changed(&mut self, n: NodeIdx) {
        let f = self.plane.layer();
        if f.control.stale_views() {
            return; // schedulers see the books only through gossip
        }
        self.policies.selector.node_changed(&self.world.cluster, n);
        for part in &mut f.control.parts {
            part.selector.node_changed(&self.world.cluster, n);
        }
    }
}
