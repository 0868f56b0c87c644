//! The fault sections of a scenario (`[faults]`, `[network]`, `[scheduler]`) checked against the cluster
//! and turned into the engine's plain settings ([`FaultSetup`]).

use super::Scenario;
use super::faults::{LatencyDist, NetworkSpec, Target, parse_window, window_nodes};
use crate::engine::faults::control::ScriptedCrash;
use crate::engine::faults::network::Latency;
use crate::engine::faults::{Checkpointing, FaultSetup, NodeWindow, WindowKind};
use crate::error::ScenarioError;
use crate::model::{Cluster, Time};

/// Checks the fault sections of `sc` against `cluster` and a control plane of `partitions` schedulers;
/// `None` when the scenario has no failures, no latency and one scheduler.
pub fn fault_setup(
    sc: &Scenario,
    seed: u64,
    cluster: &Cluster,
    partitions: usize,
) -> Result<Option<FaultSetup>, ScenarioError> {
    let f = &sc.faults;
    let positive = |d: Time, key: &str| {
        if d == 0 { Err(ScenarioError::invalid(key, "must be greater than zero")) } else { Ok(d) }
    };
    let heartbeat_interval = positive(f.heartbeat_interval.0, "faults.heartbeat_interval")?;
    let heartbeat_timeout = positive(f.heartbeat_timeout.0, "faults.heartbeat_timeout")?;
    if heartbeat_timeout < heartbeat_interval {
        return Err(ScenarioError::invalid(
            "faults.heartbeat_timeout",
            "must be at least heartbeat_interval (or every node would look dead between heartbeats)",
        ));
    }
    let checkpoint = match f.checkpoint_interval {
        Some(i) => {
            Some(Checkpointing { interval: positive(i.0, "faults.checkpoint_interval")?, cost: f.checkpoint_cost.0 })
        }
        None if f.checkpoint_cost.0 > 0 => {
            return Err(ScenarioError::invalid("faults.checkpoint_cost", "needs faults.checkpoint_interval"));
        }
        None => None,
    };

    let mut node_life = vec![None; cluster.nodes.len()];
    for (i, spec) in f.pools.iter().enumerate() {
        let key = format!("faults.pools[{i}]");
        if spec.rack.is_some() {
            return Err(ScenarioError::invalid(format!("{key}.rack"), "racks fail in [[faults.racks]]"));
        }
        let life = spec.lifetimes(&key)?;
        let pools = pools_named(cluster, spec.pool.as_deref(), &format!("{key}.pool"))?;
        for node in cluster.nodes.iter().filter(|n| pools.contains(&n.pool)) {
            node_life[node.id as usize] = Some(life.clone());
        }
    }
    let mut rack_life = vec![None; cluster.racks.len()];
    for (i, spec) in f.racks.iter().enumerate() {
        let key = format!("faults.racks[{i}]");
        let life = spec.lifetimes(&key)?;
        let racks: Vec<u16> = match (&spec.rack, &spec.pool) {
            (Some(r), None) if r == "*" => (0..cluster.racks.len() as u16).collect(),
            (Some(r), None) => match cluster.racks.iter().position(|x| x == r) {
                Some(x) => vec![x as u16],
                None => {
                    return Err(ScenarioError::invalid(
                        format!("{key}.rack"),
                        format!("unknown rack `{r}` (valid racks: {})", cluster.racks.join(", ")),
                    ));
                }
            },
            (None, pool) => {
                let pools = pools_named(cluster, pool.as_deref(), &format!("{key}.pool"))?;
                let mut racks: Vec<u16> =
                    cluster.nodes.iter().filter(|n| pools.contains(&n.pool)).map(|n| n.rack).collect();
                racks.sort_unstable();
                racks.dedup();
                racks
            }
            (Some(_), Some(_)) => {
                return Err(ScenarioError::invalid(key, "give `rack` or `pool`, not both"));
            }
        };
        for r in racks {
            rack_life[r as usize] = Some(life.clone());
        }
    }

    let mut windows = Vec::new();
    let scripted = f.outages.iter().enumerate().map(|(i, t)| (format!("faults.outages[{i}]"), t, WindowKind::Down));
    let parts = sc
        .network
        .partitions
        .iter()
        .enumerate()
        .map(|(i, t)| (format!("network.partitions[{i}]"), t, WindowKind::Unreachable));
    for (key, text, kind) in scripted.chain(parts) {
        let w = parse_window(text, &key)?;
        if w.kind != kind {
            let want = if kind == WindowKind::Down { "down" } else { "unreachable" };
            return Err(ScenarioError::invalid(key, format!("`{text}`: expected `{want}` here")));
        }
        let nodes = window_nodes(&w, cluster, &key)?;
        windows.push(NodeWindow { nodes, kind, from: w.from, until: w.until });
    }

    let mut crashes = Vec::new();
    for (i, text) in sc.scheduler.crashes.iter().enumerate() {
        let key = format!("scheduler.crashes[{i}]");
        let w = parse_window(text, &key)?;
        match (w.target, w.kind) {
            (Target::Scheduler(p), WindowKind::Down) if (p as usize) < partitions => {
                crashes.push(ScriptedCrash { partition: p, at: w.from, repair: w.until - w.from })
            }
            (Target::Scheduler(p), WindowKind::Down) => {
                return Err(ScenarioError::invalid(
                    key,
                    format!("scheduler {p} does not exist (the recovery mode runs {partitions}, numbered from 0)"),
                ));
            }
            _ => {
                return Err(ScenarioError::invalid(key, format!("`{text}`: expected \"scheduler K down at T for D\"")));
            }
        }
    }
    let sched_life = sc.scheduler.lifetimes()?;
    let latencies = network_latencies(&sc.network, cluster)?;
    let instant = latencies.iter().all(|p| p.iter().all(|l| *l == Latency::Zero));

    let inert = node_life.iter().all(Option::is_none)
        && rack_life.iter().all(Option::is_none)
        && windows.is_empty()
        && crashes.is_empty()
        && sched_life.is_none()
        && instant
        && partitions == 1;
    if inert {
        return Ok(None);
    }
    Ok(Some(FaultSetup {
        seed,
        heartbeat_interval,
        heartbeat_timeout,
        rpc_timeout: f.rpc_timeout.0,
        checkpoint,
        max_retries: f.max_retries.unwrap_or(u32::MAX),
        retry_timeout: positive(sc.scheduler.retry_timeout.0, "scheduler.retry_timeout")?,
        node_life,
        rack_life,
        windows,
        sched_life,
        crashes,
        latencies,
    }))
}

/// Pool indices named by `name` (`"*"` or absent: all pools).
fn pools_named(cluster: &Cluster, name: Option<&str>, key: &str) -> Result<Vec<u16>, ScenarioError> {
    match name {
        None | Some("*") => Ok((0..cluster.pools.len() as u16).collect()),
        Some(name) => match cluster.pools.iter().position(|p| p.name == name) {
            Some(i) => Ok(vec![i as u16]),
            None => {
                let valid: Vec<&str> = cluster.pools.iter().map(|p| p.name.as_str()).collect();
                Err(ScenarioError::invalid(
                    key,
                    format!("unknown pool `{name}` (valid pools: {}, *)", valid.join(", ")),
                ))
            }
        },
    }
}

/// Resolves `[network]` on `cluster`: per message kind, the pool's setting, else the pool's `latency`,
/// else the cluster-wide kind, else the cluster-wide `latency`, else zero.
pub fn network_latencies(spec: &NetworkSpec, cluster: &Cluster) -> Result<Vec<[Latency; 3]>, ScenarioError> {
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
                .map(latency)
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
    Ok(per_pool)
}

/// The engine's latency (µs) of a `[network]` distribution (seconds).
fn latency(d: &LatencyDist) -> Latency {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::faults::network::{Msg, Network};
    use crate::model::Cluster;
    use crate::model::Resources;
    use crate::rng::dist::Quantity;
    use crate::scenario::faults::{LatencyDist, LatencySpec};

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
        let mut n = Network::new(network_latencies(&spec, &c).unwrap(), 1);
        assert_eq!(n.draw(0, Msg::Dispatch), 2_000);
        assert_eq!(n.draw(0, Msg::Heartbeat), 500_000);
        assert_eq!(n.draw(1, Msg::Dispatch), 1_000_000);
        assert_eq!(n.draw(1, Msg::Completion), 2_000);
        assert!(!n.is_instant());
        let none = Network::new(network_latencies(&NetworkSpec::default(), &c).unwrap(), 1);
        assert!(none.is_instant());
    }

    #[test]
    fn random_latencies_stay_in_range() {
        let mut rng = crate::rng::stream(3, "t");
        let u = latency(&LatencyDist::Uniform { min: Quantity(0.001), max: Quantity(0.002) });
        let n = latency(&LatencyDist::Normal { mean: Quantity(0.0), sd: Quantity(0.001) });
        for _ in 0..1000 {
            let x = u.draw(&mut rng);
            assert!((1000..=2000).contains(&x));
            let _ = n.draw(&mut rng); // truncated at zero: never negative by type
        }
        let l = latency(&LatencyDist::Lognormal { mean: Quantity(0.01), cv: 0.5 });
        let mean = (0..20_000).map(|_| l.draw(&mut rng) as f64).sum::<f64>() / 20_000.0;
        assert!((mean - 10_000.0).abs() < 300.0, "lognormal mean {mean}");
    }
}
