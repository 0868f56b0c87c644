//! `none`: a single scheduler; while it is down nothing is scheduled; its state is durable, so it resumes on repair.

use super::{Crash, Recovery, SchedulerRecovery};
use crate::error::ScenarioError;
use crate::policies::{Params, PolicyEnv};

#[derive(Debug, Default)]
pub struct NoRecovery;

pub fn build(p: &Params, _env: &PolicyEnv) -> Result<Box<dyn SchedulerRecovery>, ScenarioError> {
    p.finish()?;
    Ok(Box::new(NoRecovery))
}

impl SchedulerRecovery for NoRecovery {
    fn on_crash(&mut self, c: &Crash) -> Recovery {
        Recovery::on_repair(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resumes_only_when_repaired() {
        let r = NoRecovery.on_crash(&Crash { partition: 0, at: 10, repair: 40, live_peers: vec![] });
        assert_eq!(r, Recovery { resume_at: 50, failover: false, lost_window: 0, taker: None });
    }
}
