//! Fault handlers, the control plane: scheduler crashes and their recovery, lost submissions, gossip.

use super::super::{Simulation, queue_and_ctx};
use super::partition_policies;
use crate::engine::event::Event;
use crate::engine::faults::{Phase, draw_us};
use crate::engine::ports::Crash;
use crate::engine::world::JobState;
use crate::model::{JobIdx, NodeIdx, Time};

impl Simulation {
    /// Scheduler host `h` crashes (`repair`: its repair time; `None`: drawn from its process). Every
    /// partition it serves goes down, and every partition it was about to take over is handed to the
    /// recovery mode again, so a partition is only ever resumed by a host that is up.
    pub(in crate::engine::sim) fn on_scheduler_crash(&mut self, h: usize, repair: Option<Time>) {
        let now = self.world.now;
        let f = self.plane.layer();
        let c = &mut f.control;
        let random = repair.is_none();
        if !c.host_up[h] {
            if random {
                let life = c.life.clone().expect("random crashes need a process");
                let next = c.host_back[h] + draw_us(&life.ttf, &mut c.rng[h]);
                self.queue.push(next, Event::SchedulerCrash { partition: h as u32, repair: None });
            }
            return;
        }
        let repair = match repair {
            Some(r) => r,
            None => draw_us(&c.life.as_ref().expect("random crashes need a process").ttr, &mut c.rng[h]),
        };
        c.host_up[h] = false;
        let live_peers = c.live_hosts();
        self.world.faults.scheduler_crashes += 1;
        // When the host is back: a standby or replica of its own partition comes back with that partition,
        // otherwise (and always when peers take over, as the partition may be taken over before) the host
        // itself when repaired.
        let peers = self.policies.recovery.peers_take_over();
        let mut back = None;
        let mut lost = Vec::new();
        let affected = c.served_by(h);
        for &p in &affected {
            let was_serving = c.serving[p];
            // Unless a peer takes over, the partition resumes on whichever comes back first: the host that
            // crashed while serving it (`h`, or the one whose takeover `h` was to complete) or its own host.
            let first = if was_serving { (h, now + repair) } else { (c.server[p], c.host_back[c.server[p]]) };
            let (fallback, fallback_back) =
                if p != first.0 && !c.host_up[p] && c.host_back[p] < first.1 { (p, c.host_back[p]) } else { first };
            let crash = Crash {
                partition: p,
                at: now,
                repair: fallback_back.saturating_sub(now),
                live_peers: live_peers.clone(),
            };
            let rec = self.policies.recovery.on_crash(&crash);
            debug_assert!(rec.taker.is_none_or(|q| live_peers.contains(&q)), "a takeover names a live peer");
            c.server[p] = fallback;
            if was_serving {
                c.serving[p] = false;
                c.down_since[p] = now;
                self.world.faults.partitions_down += 1;
                if rec.failover {
                    self.world.faults.failovers += 1;
                }
            } else if !rec.failover {
                // The takeover that was under way is cancelled: the partition waits for its host instead.
                self.world.faults.failovers -= 1;
            }
            if p == h && was_serving && rec.taker.is_none() && !peers {
                back = Some(rec.resume_at);
            }
            c.taker[p] = rec.taker;
            c.generation[p] += 1;
            let generation = c.generation[p];
            self.queue.push(rec.resume_at, Event::SchedulerResume { partition: p as u32, generation });
            self.world.log("scheduler_crash", None, None, || {
                let by = if p == h { String::new() } else { format!(" (served by scheduler {h})") };
                let how = match rec.taker {
                    Some(q) => format!(" (failover to scheduler {q})"),
                    None if rec.failover => " (failover)".to_string(),
                    None => String::new(),
                };
                format!("scheduler {p}{by}; resumes at {}us{how}", rec.resume_at)
            });
            if rec.lost_window > 0 {
                lost.push((p, rec.lost_window));
            }
        }
        if affected.is_empty() {
            self.world.log("scheduler_crash", None, None, || format!("scheduler host {h} (serving no partition)"));
        }
        let back = back.unwrap_or_else(|| {
            self.queue.push(now + repair, Event::SchedulerRepaired { host: h as u32 });
            now + repair
        });
        c.host_back[h] = back;
        if random {
            let life = c.life.clone().expect("random crashes need a process");
            let next = back + draw_us(&life.ttf, &mut c.rng[h]);
            self.queue.push(next, Event::SchedulerCrash { partition: h as u32, repair: None });
        }
        for (p, window) in lost {
            self.lose_submissions(p, window);
        }
    }

    /// A partition is scheduled again, by the peer that took it over or by its own (standby, replica or
    /// repaired) host, which is then up.
    pub(in crate::engine::sim) fn on_scheduler_resume(&mut self, p: usize, generation: u32) {
        let now = self.world.now;
        let c = &mut self.plane.layer().control;
        if c.generation[p] != generation || c.serving[p] {
            return;
        }
        let came_back = match c.taker[p].take() {
            Some(q) => {
                c.server[p] = q;
                None
            }
            None => Some(c.server[p]).filter(|&h| !std::mem::replace(&mut c.host_up[h], true)),
        };
        debug_assert!(c.host_up[c.server[p]], "a partition resumes on a live host");
        c.serving[p] = true;
        self.world.faults.scheduler_downtime += (now - c.down_since[p]) as u128;
        self.world.faults.partitions_down -= 1;
        let host = c.server[p];
        self.world.log("scheduler_resume", None, None, || {
            if host == p { format!("scheduler {p}") } else { format!("scheduler {p} (served by scheduler {host})") }
        });
        if let Some(h) = came_back {
            self.on_host_back(h);
        }
    }

    /// Scheduler host `h` is up again (repaired, or back with a partition it resumed).
    pub(in crate::engine::sim) fn on_scheduler_repaired(&mut self, h: usize) {
        let c = &mut self.plane.layer().control;
        if std::mem::replace(&mut c.host_up[h], true) {
            return;
        }
        self.world.log("scheduler_repaired", None, None, || format!("scheduler {h}"));
        self.on_host_back(h);
    }

    /// With peer takeover, a host that comes back is offered the partitions still waiting for a repair.
    fn on_host_back(&mut self, h: usize) {
        if !self.policies.recovery.peers_take_over() {
            return;
        }
        let now = self.world.now;
        let c = &mut self.plane.layer().control;
        let live_peers = c.live_hosts();
        for p in 0..c.k {
            if c.serving[p] || c.taker[p].is_some() {
                continue;
            }
            let awaited = c.host_back[c.server[p]];
            let crash =
                Crash { partition: p, at: now, repair: awaited.saturating_sub(now), live_peers: live_peers.clone() };
            let rec = self.policies.recovery.on_crash(&crash);
            let Some(q) = rec.taker else { continue };
            debug_assert!(live_peers.contains(&q) && rec.resume_at < awaited, "a takeover names a live peer");
            c.taker[p] = Some(q);
            c.generation[p] += 1;
            let generation = c.generation[p];
            self.queue.push(rec.resume_at, Event::SchedulerResume { partition: p as u32, generation });
            self.world.faults.failovers += 1;
            self.world.log("scheduler_takeover", None, None, || {
                format!("scheduler {p}; resumes at {}us (failover to scheduler {q}, back at {h})", rec.resume_at)
            });
        }
    }

    /// A replica promoted after a crash lacks the submissions of the last `window`: those still waiting are
    /// lost, their clients resubmit after the retry timeout, and the partition's queue is rebuilt without them.
    pub(in crate::engine::sim) fn lose_submissions(&mut self, p: usize, window: Time) {
        let now = self.world.now;
        let f = self.plane.layer();
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

    /// Schedulers exchange node state: every stale view becomes a copy of the shared books, except on the
    /// nodes of its own refused attempts that it has not heard of yet (it still believes they run there,
    /// and a suspension before the refusal arrives releases them from the view).
    pub(in crate::engine::sim) fn on_gossip(&mut self) {
        let now = self.world.now;
        let f = self.plane.layer();
        let records = &self.world.records;
        let jobs = &f.jobs;
        f.control.refused.retain(|&(j, epoch)| {
            let rec = &records[j as usize];
            let jf = &jobs[j as usize];
            rec.epoch == epoch && rec.state == JobState::Running && jf.phase == Phase::Failing && !jf.committed
        });
        let mut kept: Vec<Vec<NodeIdx>> = vec![Vec::new(); f.control.k];
        for &(j, _) in &f.control.refused {
            kept[f.control.partition(j)].extend(records[j as usize].placement.iter().map(|&(n, _)| n));
        }
        let truth = &self.world.cluster;
        for (p, kept) in kept.iter_mut().enumerate() {
            kept.sort_unstable();
            kept.dedup();
            let view = &mut f.control.views[p];
            let selector = if p == 0 { &mut self.policies.selector } else { &mut f.control.parts[p - 1].selector };
            for (i, node) in truth.nodes.iter().enumerate() {
                if view.nodes[i] != *node && kept.binary_search(&(i as NodeIdx)).is_err() {
                    view.nodes[i].clone_from(node);
                    selector.node_changed(view, i as NodeIdx);
                }
            }
            view.growth_epoch += 1;
            view.up_capacity = truth.up_capacity;
            view.free_total = truth.free_total;
            view.nodes_down = truth.nodes_down;
            // The totals are the truth's, but for the nodes kept as the view has them.
            for &n in kept.iter() {
                let (mine, theirs) = (&view.nodes[n as usize], &truth.nodes[n as usize]);
                if theirs.up {
                    view.up_capacity -= theirs.capacity;
                    view.free_total -= theirs.free;
                } else {
                    view.nodes_down -= 1;
                }
                if mine.up {
                    view.up_capacity += mine.capacity;
                    view.free_total += mine.free;
                } else {
                    view.nodes_down += 1;
                }
            }
        }
        f.control.gossip_gen += 1;
        self.queue.push(now + f.control.gossip, Event::Gossip);
    }
}
