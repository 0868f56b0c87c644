//! Network latency of scheduler↔node messages (dispatch, completion notice, heartbeat), drawn per pool from the `[network]` section.

use crate::error::ScenarioError;
use crate::model::{Cluster, Time};
use crate::rng::Rng;
use crate::scenario::faults::{LatencyDist, NetworkSpec};
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
    fn from_dist(d: &LatencyDist) -> Latency {
        let us = |q: f64| q * 1e6;
        match *d {
            LatencyDist::Constant { value } if value.0 == 0.0 => Latency::Zero,
            LatencyDist::Constant { value } => Latency::Constant(us(value.0).round() as Time),
            LatencyDist::Uniform { min, max } => Latency::Uniform(us(min.0), us(max.0)),
            LatencyDist::Normal { mean, sd } => Latency::Normal(us(mean.0), us(sd.0)),
            LatencyDist::Lognormal { mean, cv } => {
                let sigma2 = (1.0 + cv * cv).ln();
                Latency::Lognormal(us(mean.0).ln() - sigma2 / 2.0, sigma2.sqrt())
            }
        }
    }

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
    /// Resolves `[network]` on `cluster`: per message kind, the pool's setting, else the pool's `latency`,
    /// else the cluster-wide kind, else the cluster-wide `latency`, else zero.
    pub fn build(spec: &NetworkSpec, cluster: &Cluster, seed: u64) -> Result<Network, ScenarioError> {
        let check = |d: &Option<LatencyDist>, key: &str| d.as_ref().map(|d| d.validate(key)).unwrap_or(Ok(()));
        check(&spec.latency, "network.latency")?;
        check(&spec.dispatch, "network.dispatch")?;
        check(&spec.completion, "network.completion")?;
        check(&spec.heartbeat, "network.heartbeat")?;
        let mut per_pool = Vec::with_capacity(cluster.pools.len());
        for pool in &cluster.pools {
            let own = spec.pools.iter().find(|p| p.pool.as_deref() == Some(pool.name.as_str()));
            let pick = |kind: &Option<LatencyDist>, pool_kind: Option<&Option<LatencyDist>>| {
                pool_kind
                    .and_then(|k| k.as_ref())
                    .or(own.and_then(|o| o.latency.as_ref()))
                    .or(kind.as_ref())
                    .or(spec.latency.as_ref())
                    .map(Latency::from_dist)
                    .unwrap_or(Latency::Zero)
            };
            per_pool.push([
                pick(&spec.dispatch, own.map(|o| &o.dispatch)),
                pick(&spec.completion, own.map(|o| &o.completion)),
                pick(&spec.heartbeat, own.map(|o| &o.heartbeat)),
            ]);
        }
        for (i, p) in spec.pools.iter().enumerate() {
            let key = format!("network.pools[{i}]");
            let Some(name) = &p.pool else {
                return Err(ScenarioError::invalid(format!("{key}.pool"), "expected the pool's name"));
            };
            if !cluster.pools.iter().any(|q| &q.name == name) {
                let valid: Vec<&str> = cluster.pools.iter().map(|q| q.name.as_str()).collect();
                return Err(ScenarioError::invalid(
                    format!("{key}.pool"),
                    format!("unknown pool `{name}` (valid pools: {})", valid.join(", ")),
                ));
            }
            for (d, k) in [
                (&p.latency, "latency"),
                (&p.dispatch, "dispatch"),
                (&p.completion, "completion"),
                (&p.heartbeat, "heartbeat"),
            ] {
                check(d, &format!("{key}.{k}"))?;
            }
        }
        Ok(Network { per_pool, rng: crate::rng::stream(seed, "network") })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Resources;
    use crate::rng::dist::Quantity;
    use crate::scenario::faults::LatencySpec;

    #[test]
    fn pool_settings_override_cluster_wide_ones() {
        let mut c = Cluster::uniform("a", 1, Resources::cpus(1));
        c.add_pool(
            crate::model::Pool { name: "b".into(), labels: vec![], capacity: Resources::cpus(1), count: 1 },
            1,
            &[],
        );
        let spec = NetworkSpec {
            latency: Some(LatencyDist::Constant { value: Quantity(0.002) }),
            heartbeat: Some(LatencyDist::Constant { value: Quantity(0.5) }),
            pools: vec![LatencySpec {
                pool: Some("b".into()),
                dispatch: Some(LatencyDist::Constant { value: Quantity(1.0) }),
                ..Default::default()
            }],
            ..Default::default()
        };
        let mut n = Network::build(&spec, &c, 1).unwrap();
        assert_eq!(n.draw(0, Msg::Dispatch), 2_000);
        assert_eq!(n.draw(0, Msg::Heartbeat), 500_000);
        assert_eq!(n.draw(1, Msg::Dispatch), 1_000_000);
        assert_eq!(n.draw(1, Msg::Completion), 2_000);
        assert!(!n.is_instant());
        let none = Network::build(&NetworkSpec::default(), &c, 1).unwrap();
        assert!(none.is_instant());
    }

    #[test]
    fn random_latencies_stay_in_range() {
        let mut rng = crate::rng::stream(3, "t");
        let u = Latency::from_dist(&LatencyDist::Uniform { min: Quantity(0.001), max: Quantity(0.002) });
        let n = Latency::from_dist(&LatencyDist::Normal { mean: Quantity(0.0), sd: Quantity(0.001) });
        for _ in 0..1000 {
            let x = u.draw(&mut rng);
            assert!((1000..=2000).contains(&x));
            let _ = n.draw(&mut rng); // truncated at zero: never negative by type
        }
        let l = Latency::from_dist(&LatencyDist::Lognormal { mean: Quantity(0.01), cv: 0.5 });
        let mean = (0..20_000).map(|_| l.draw(&mut rng) as f64).sum::<f64>() / 20_000.0;
        assert!((mean - 10_000.0).abs() < 300.0, "lognormal mean {mean}");
    }
}
