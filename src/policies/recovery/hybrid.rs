//! `hybrid`: K partitioned schedulers (as `decentralized`), each with its own standby that takes over after detection + takeover delay.

use super::{Crash, DEFAULT_DETECTION, DEFAULT_TAKEOVER, Recovery, SchedulerRecovery, standby_takeover};
use crate::error::ScenarioError;
use crate::model::Time;
use crate::policies::{Params, PolicyEnv};

#[derive(Debug)]
pub struct Hybrid {
    pub k: usize,
    pub gossip: Time,
    pub detection: Time,
    pub takeover: Time,
    /// When each partition's standby host is available.
    standby_ready: Vec<Time>,
}

pub fn build(p: &Params, _env: &PolicyEnv) -> Result<Box<dyn SchedulerRecovery>, ScenarioError> {
    let k = super::decentralized::schedulers(p)?;
    let gossip = p.duration("gossip_interval", 0)?;
    let detection = p.duration("detection_timeout", DEFAULT_DETECTION)?;
    let takeover = p.duration("takeover_delay", DEFAULT_TAKEOVER)?;
    p.finish()?;
    Ok(Box::new(Hybrid { k, gossip, detection, takeover, standby_ready: vec![0; k] }))
}

impl SchedulerRecovery for Hybrid {
    fn partitions(&self) -> usize {
        self.k
    }

    fn gossip_interval(&self) -> Time {
        self.gossip
    }

    fn on_crash(&mut self, c: &Crash) -> Recovery {
        standby_takeover(&mut self.standby_ready[c.partition], c, self.detection, self.takeover)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_partition_has_its_own_standby() {
        let mut m = Hybrid { k: 2, gossip: 0, detection: 10, takeover: 5, standby_ready: vec![0, 0] };
        let a = m.on_crash(&Crash { partition: 0, at: 100, repair: 1000, live_peers: vec![1] });
        let b = m.on_crash(&Crash { partition: 1, at: 101, repair: 1000, live_peers: vec![] });
        assert_eq!((a.resume_at, b.resume_at), (115, 116));
        assert!(a.failover && b.failover);
    }
}
