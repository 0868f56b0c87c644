//! Network latency of scheduler↔node messages (dispatch, completion notice, heartbeat), drawn per pool from the `[network]` section.

use crate::model::Time;
use crate::rng::Rng;
use rand::RngExt;
use rand_distr::{Distribution, LogNormal, Normal};

/// The three kinds of message that travel between the scheduler and a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Msg {
    Dispatch = 0,
    Completion = 1,
    Heartbeat = 2,
}

/// A latency distribution ready to draw from, in µs; `Zero` draws nothing from the stream.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Latency {
    Zero,
    Constant(Time),
    Uniform(f64, f64),
    Normal(f64, f64),
    Lognormal(f64, f64),
}

impl Latency {
    /// One draw, in µs (never negative).
    #[inline]
    pub fn draw(&self, rng: &mut Rng) -> Time {
        let x = match *self {
            Latency::Zero => return 0,
            Latency::Constant(t) => return t,
            Latency::Uniform(a, b) => {
                if b > a {
                    rng.random_range(a..=b)
                } else {
                    a
                }
            }
            Latency::Normal(m, s) => Normal::new(m, s).map(|n| n.sample(rng)).unwrap_or(m),
            Latency::Lognormal(mu, sigma) => LogNormal::new(mu, sigma).map(|n| n.sample(rng)).unwrap_or(0.0),
        };
        x.max(0.0).round() as Time
    }
}

/// Latencies per pool and message kind, with the "network" random stream.
pub struct Network {
    per_pool: Vec<[Latency; 3]>,
    rng: Rng,
}

impl Network {
    /// The network of a run: latencies per pool and message kind, drawn from the "network" stream of `seed`.
    pub fn new(per_pool: Vec<[Latency; 3]>, seed: u64) -> Network {
        Network { per_pool, rng: crate::rng::stream(seed, "network") }
    }

    /// True when every message of every pool is instantaneous.
    pub fn is_instant(&self) -> bool {
        self.per_pool.iter().all(|p| p.iter().all(|l| *l == Latency::Zero))
    }

    /// The latency of one message of kind `msg` to or from a node of `pool`.
    #[inline]
    pub fn draw(&mut self, pool: u16, msg: Msg) -> Time {
        self.per_pool[pool as usize][msg as usize].draw(&mut self.rng)
    }
}
