//! `decentralized`: K schedulers each own a partition of the submissions and see node state through gossip;
//! a crashed scheduler's partition is taken over by a serving peer after detection + takeover delay.

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

    fn on_crash(&mut self, c: &Crash) -> Recovery {
        let takeover = c.at + self.detection + self.takeover;
        if c.peers_serving > 0 && takeover < c.at + c.repair {
            Recovery { resume_at: takeover, failover: true, lost_window: 0 }
        } else {
            Recovery::on_repair(c)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_peer_takes_over_only_if_one_is_serving() {
        let mut m = Decentralized { k: 2, gossip: 0, detection: 10, takeover: 5 };
        let c = Crash { partition: 0, at: 100, repair: 1000, peers_serving: 1 };
        assert_eq!(m.on_crash(&c).resume_at, 115);
        assert_eq!(m.on_crash(&Crash { peers_serving: 0, ..c }).resume_at, 1100);
    }
}
