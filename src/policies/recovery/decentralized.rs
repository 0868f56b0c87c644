//! `decentralized`: K schedulers each own a partition of the submissions and see node state through gossip;
//! a crashed scheduler's partition is taken over by a live peer after detection + takeover delay (the first
//! live one after it in ring order), unless its own host is repaired first.

use super::{Crash, DEFAULT_DETECTION, DEFAULT_TAKEOVER, Recovery, SchedulerRecovery};
use crate::error::ScenarioError;
use crate::model::{SECOND, Time};
use crate::policies::{Params, PolicyEnv};

#[derive(Debug)]
pub struct Decentralized {
    pub k: usize,
    pub gossip: Time,
    pub detection: Time,
    pub takeover: Time,
}

/// The `schedulers` parameter (K, at least 1, default 2).
pub fn schedulers(p: &Params) -> Result<usize, ScenarioError> {
    let k = p.u64("schedulers", 2)?;
    if !(1..=1024).contains(&k) {
        return Err(ScenarioError::invalid(format!("{}.schedulers", p.path), format!("expected 1..=1024, found {k}")));
    }
    Ok(k as usize)
}

pub fn build(p: &Params, _env: &PolicyEnv) -> Result<Box<dyn SchedulerRecovery>, ScenarioError> {
    let k = schedulers(p)?;
    let gossip = p.duration("gossip_interval", SECOND)?;
    let detection = p.duration("detection_timeout", DEFAULT_DETECTION)?;
    let takeover = p.duration("takeover_delay", DEFAULT_TAKEOVER)?;
    p.finish()?;
    Ok(Box::new(Decentralized { k, gossip, detection, takeover }))
}

impl SchedulerRecovery for Decentralized {
    fn partitions(&self) -> usize {
        self.k
    }

    fn gossip_interval(&self) -> Time {
        self.gossip
    }

    fn peers_take_over(&self) -> bool {
        true
    }

    fn on_crash(&mut self, c: &Crash) -> Recovery {
        let takeover = c.at + self.detection + self.takeover;
        // The first live peer after the partition in ring order, so that takeovers spread over the peers.
        let taker = c.live_peers.iter().copied().min_by_key(|&q| (q + self.k - c.partition % self.k) % self.k);
        match taker {
            Some(q) if takeover < c.at + c.repair => {
                Recovery { resume_at: takeover, failover: true, lost_window: 0, taker: Some(q) }
            }
            _ => Recovery::on_repair(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_peer_takes_over_only_if_one_is_live() {
        let mut m = Decentralized { k: 2, gossip: 0, detection: 10, takeover: 5 };
        let c = Crash { partition: 0, at: 100, repair: 1000, live_peers: vec![1] };
        let r = m.on_crash(&c);
        assert_eq!((r.resume_at, r.taker), (115, Some(1)));
        let r = m.on_crash(&Crash { live_peers: vec![], ..c });
        assert_eq!((r.resume_at, r.taker), (1100, None));
    }

    #[test]
    fn the_taker_is_the_next_live_peer_in_ring_order() {
        let mut m = Decentralized { k: 4, gossip: 0, detection: 10, takeover: 5 };
        let c = Crash { partition: 2, at: 0, repair: 1000, live_peers: vec![0, 1, 3] };
        assert_eq!(m.on_crash(&c).taker, Some(3));
        assert_eq!(m.on_crash(&Crash { live_peers: vec![0, 1], ..c.clone() }).taker, Some(0));
        // A repair before the takeover completes keeps the partition at home.
        assert_eq!(m.on_crash(&Crash { repair: 15, ..c }).taker, None);
    }
}
