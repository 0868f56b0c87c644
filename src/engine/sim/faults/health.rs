//! Fault handlers, node health and the registry: failures and repairs, unreachable windows, the
//! registry noticing a dead node, and what a failure does to the jobs on it (kill, restart, retries).

use super::super::Simulation;
use crate::engine::event::Event;
use crate::engine::faults::Phase;
use crate::engine::faults::network::Msg;
use crate::engine::world::JobState;
use crate::model::{JobIdx, NodeIdx, Time};

impl Simulation {
    /// One more cause keeps node `n` down; the first one kills its running tasks.
    pub(in crate::engine::sim) fn node_down(&mut self, n: NodeIdx) {
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

    pub(in crate::engine::sim) fn node_down_ends(&mut self, n: NodeIdx) {
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
    pub(in crate::engine::sim) fn node_unreachable(&mut self, n: NodeIdx, begin: bool) {
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
    pub(in crate::engine::sim) fn episode_begins(&mut self, n: NodeIdx, crashed: bool) {
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
    pub(in crate::engine::sim) fn episode_ends(&mut self, n: NodeIdx) {
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
    pub(in crate::engine::sim) fn on_registered(&mut self, n: NodeIdx, episode: u32) {
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
    pub(in crate::engine::sim) fn declare_dead(&mut self, n: NodeIdx) {
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
    pub(in crate::engine::sim) fn jobs_on(&self, n: NodeIdx) -> Vec<JobIdx> {
        let mut jobs = self.plane.layer_ref().node_jobs[n as usize].clone();
        jobs.sort_unstable();
        jobs
    }

    /// The fault phase of `j`'s current attempt (`Idle` when the record has moved on, e.g. preempted).
    pub(in crate::engine::sim) fn phase(&self, j: JobIdx) -> Phase {
        let f = self.plane.layer_ref();
        let jf = &f.jobs[j as usize];
        if jf.epoch == self.world.records[j as usize].epoch { jf.phase } else { Phase::Idle }
    }

    /// Kills the attempts running on node `n` as it goes down (attempts already done keep their result).
    pub(in crate::engine::sim) fn kill_tasks_on(&mut self, n: NodeIdx) {
        let now = self.world.now;
        for j in self.jobs_on(n) {
            if self.phase(j) == Phase::Live && now < self.world.records[j as usize].run_end {
                self.kill(j);
            }
        }
    }

    /// The tasks of `j`'s current attempt die now: work since the last checkpoint is lost.
    pub(in crate::engine::sim) fn kill(&mut self, j: JobIdx) {
        let now = self.world.now;
        let f = self.plane.layer();
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
    pub(in crate::engine::sim) fn release_attempt(&mut self, j: JobIdx) {
        let committed = self.fl().jobs[j as usize].committed;
        if committed {
            self.world.release(j);
        } else {
            let est_end = self.world.records[j as usize].est_end;
            self.world.running.remove(est_end, j);
        }
        self.released_placement(j);
        // Nothing of this attempt is booked any more: a later attempt with the same epoch (a killed job's
        // epoch moves at the kill, not at the restart) must not be taken as booked.
        self.fl().jobs[j as usize].committed = false;
    }

    /// Tells the queue of `j`'s partition that its attempt ended.
    pub(in crate::engine::sim) fn attempt_ended(&mut self, j: JobIdx) {
        self.with_job_queue(j, |queue, ctx| queue.job_ended(j, ctx));
    }

    /// The scheduler learns `j`'s attempt died: requeue it, or fail it after `max_retries` restarts.
    pub(in crate::engine::sim) fn restart(&mut self, j: JobIdx) {
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
}
