//! `primary_replica`: replicas receive the primary's state with a replication lag; on failure one is promoted after
//! detection + an election delay, and submissions inside the lag window are lost (clients resubmit after a retry timeout).

use super::{Crash, DEFAULT_DETECTION, DEFAULT_TAKEOVER, Recovery, SchedulerRecovery};
use crate::error::ScenarioError;
use crate::model::{SECOND, Time};
use crate::policies::{Params, PolicyEnv};

#[derive(Debug)]
pub struct PrimaryReplica {
    pub detection: Time,
    pub election: Time,
    pub lag: Time,
    /// When each replica host is available.
    replicas: Vec<Time>,
}

pub fn build(p: &Params, _env: &PolicyEnv) -> Result<Box<dyn SchedulerRecovery>, ScenarioError> {
    let detection = p.duration("detection_timeout", DEFAULT_DETECTION)?;
    let election = p.duration("election_delay", DEFAULT_TAKEOVER)?;
    let lag = p.duration("replication_lag", SECOND)?;
    let replicas = p.u64_in("replicas", 2, 1, 1024)?;
    p.finish()?;
    Ok(Box::new(PrimaryReplica { detection, election, lag, replicas: vec![0; replicas as usize] }))
}

impl SchedulerRecovery for PrimaryReplica {
    fn replication_lag(&self) -> Time {
        self.lag
    }

    fn on_crash(&mut self, c: &Crash) -> Recovery {
        let (i, ready) = self.replicas.iter().copied().enumerate().min_by_key(|&(_, t)| t).expect("at least one");
        let promoted = (c.at + self.detection).max(ready) + self.election;
        let repaired = c.at + c.repair;
        if promoted < repaired {
            self.replicas[i] = repaired;
            Recovery::standby(promoted, self.lag)
        } else {
            Recovery::on_repair(c)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn promotion_loses_the_lag_window() {
        let mut m = PrimaryReplica { detection: 10, election: 7, lag: 3, replicas: vec![0] };
        let r = m.on_crash(&Crash { partition: 0, at: 100, repair: 1000, live_peers: vec![] });
        assert_eq!(r, Recovery::standby(117, 3));
    }
}
