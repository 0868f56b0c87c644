//! `active_standby`: a standby takes over after failure detection + takeover delay; state is shared and durable, nothing is lost.

use super::{Crash, DEFAULT_DETECTION, DEFAULT_TAKEOVER, Recovery, SchedulerRecovery, standby_takeover};
use crate::error::ScenarioError;
use crate::model::Time;
use crate::policies::{Params, PolicyEnv};

#[derive(Debug)]
pub struct ActiveStandby {
    pub detection: Time,
    pub takeover: Time,
    /// When the standby host is available (a crashed host becomes the standby once repaired).
    standby_ready: Time,
}

pub fn build(p: &Params, _env: &PolicyEnv) -> Result<Box<dyn SchedulerRecovery>, ScenarioError> {
    let detection = p.duration("detection_timeout", DEFAULT_DETECTION)?;
    let takeover = p.duration("takeover_delay", DEFAULT_TAKEOVER)?;
    p.finish()?;
    Ok(Box::new(ActiveStandby { detection, takeover, standby_ready: 0 }))
}

impl SchedulerRecovery for ActiveStandby {
    fn on_crash(&mut self, c: &Crash) -> Recovery {
        standby_takeover(&mut self.standby_ready, c, self.detection, self.takeover)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standby_takes_over_after_detection_and_takeover() {
        let mut m = ActiveStandby { detection: 10, takeover: 5, standby_ready: 0 };
        let r = m.on_crash(&Crash { partition: 0, at: 100, repair: 1000, live_peers: vec![] });
        assert_eq!(r, Recovery::standby(115, 0));
        // The new active crashes before the old host is repaired (ready at 1100): wait for it.
        let r = m.on_crash(&Crash { partition: 0, at: 200, repair: 5000, live_peers: vec![] });
        assert_eq!(r.resume_at, 1105);
        // A crash whose host is repaired before any takeover just resumes on repair.
        let r = m.on_crash(&Crash { partition: 0, at: 2000, repair: 3, live_peers: vec![] });
        assert_eq!(r, Recovery { resume_at: 2003, failover: false, lost_window: 0, taker: None });
    }
}
