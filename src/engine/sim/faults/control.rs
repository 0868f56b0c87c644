//! Fault handlers, the control plane: scheduler crashes and their recovery, lost submissions, gossip.

use super::super::{Simulation, queue_and_ctx};
use super::partition_policies;
use crate::engine::event::Event;
use crate::engine::faults::draw_us;
use crate::engine::ports::Crash;
use crate::engine::world::JobState;
use crate::model::{JobIdx, NodeIdx, Time};

impl Simulation {
    pub(in crate::engine::sim) fn on_scheduler_crash(&mut self, p: usize, repair: Option<Time>) {
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
    pub(in crate::engine::sim) fn lose_submissions(&mut self, p: usize, window: Time) {
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
    pub(in crate::engine::sim) fn on_gossip(&mut self) {
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
}
