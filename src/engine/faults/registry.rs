//! The node registry: each node's health (down causes, unreachable windows), its failure episodes, and when
//! the registry notices them from missing heartbeats.
//!
//! Heartbeats are not simulated one by one (that would cost nodes × span / interval events): a node sends
//! one at every multiple of `interval` after the start, so the last heartbeat before a failure and hence the
//! registry's deadline are computed when the failure happens.

use crate::model::Time;

/// What the simulation knows of one node's health.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NodeHealth {
    /// Number of active causes keeping the node down (its own failure, its rack's, a scripted outage).
    pub down: u16,
    /// Number of active partitions cutting the node off.
    pub unreachable: u16,
    /// Counts bad spells ("episodes"): a spell starts when the node goes down or unreachable.
    pub episode: u32,
    /// Start of the current episode.
    pub bad_since: Time,
    /// The registry has not yet heard the node again since the episode started.
    pub open: bool,
    /// The registry declared the node dead in this episode.
    pub detected: bool,
    /// The node went down (not merely unreachable) in this episode: its tasks died, it re-registers when back.
    pub crashed: bool,
}

impl NodeHealth {
    /// Down or unreachable.
    #[inline]
    pub fn bad(&self) -> bool {
        self.down > 0 || self.unreachable > 0
    }
}

/// The heartbeat schedule and the registry's timeout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Heartbeats {
    pub t0: Time,
    pub interval: Time,
    pub timeout: Time,
}

impl Heartbeats {
    /// When the last heartbeat at or before `t` was sent.
    pub fn last_sent(&self, t: Time) -> Time {
        let since = t.saturating_sub(self.t0);
        self.t0 + since / self.interval.max(1) * self.interval.max(1)
    }

    /// When the registry declares dead a node that went silent at `t`, the last heartbeat taking `latency`
    /// to arrive: that arrival plus the timeout, never before `t`.
    pub fn deadline(&self, t: Time, latency: Time) -> Time {
        (self.last_sent(t) + latency + self.timeout).max(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadline_counts_from_the_last_heartbeat() {
        let hb = Heartbeats { t0: 100, interval: 10, timeout: 30 };
        assert_eq!(hb.last_sent(100), 100);
        assert_eq!(hb.last_sent(127), 120);
        assert_eq!(hb.deadline(127, 2), 152);
        assert_eq!(hb.deadline(130, 0), 160);
        let tight = Heartbeats { t0: 0, interval: 10, timeout: 1 };
        assert_eq!(tight.deadline(9, 0), 9);
    }
}
