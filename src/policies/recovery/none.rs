//! `none`: a single scheduler; while it is down nothing is scheduled; its state is durable, so it resumes on repair.

use super::SchedulerRecovery;
use crate::error::ScenarioError;
use crate::model::Time;
use crate::policies::{Params, PolicyEnv};

#[derive(Debug, Default)]
pub struct NoRecovery;

pub fn build(p: &Params, _env: &PolicyEnv) -> Result<Box<dyn SchedulerRecovery>, ScenarioError> {
    p.finish()?;
    Ok(Box::new(NoRecovery))
}

impl SchedulerRecovery for NoRecovery {
    fn resume_at(&mut self, _failed_at: Time, repaired_at: Time) -> Time {
        repaired_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resumes_only_when_repaired() {
        assert_eq!(NoRecovery.resume_at(10, 50), 50);
    }
}
