//! Node selection and resource allocation: one tiny hand-computed case per algorithm, each showing
//! what sets it apart from its neighbours, with exact placements, grants, times and counters.

use crate::util::{run_toml, starts_and_ends};
use clustersim::model::{Cluster, Job, NodeIdx, Resources};
use clustersim::policies::selection::{BY_NAME, NodeSelector};
use clustersim::policies::{PolicyEnv, PolicySpec, resolve};
use clustersim::rng::{Rng, derive_seed};
use clustersim::runner::RunResult;
use rand::{RngExt, SeedableRng};

/// A scenario: `pools` ([[cluster.pools]] tables), a job list and a [policy] body.
fn scenario(pools: &str, jobs: &str, policy: &str) -> String {
    format!(
        "name = \"t\"\nseed = 5\n{pools}\n[workload]\ntype = \"list\"\ntiers = [\"batch\", \"prod\", \"urgent\"]\njobs = [\n{jobs}\n]\n[policy]\n{policy}\n"
    )
}

/// `count` nodes of `cpu` cores in one pool.
fn pool(name: &str, count: u32, cpu: u64) -> String {
    format!("[[cluster.pools]]\nname = \"{name}\"\ncount = {count}\ncpu = {cpu}\n")
}

/// The nodes of every task of job `i` (workload order).
fn nodes(r: &RunResult, i: usize) -> Vec<NodeIdx> {
    r.output.records[i].placement.iter().map(|p| p.0).collect()
}

/// The first node of each job (`NodeIdx::MAX` for a job that never ran).
fn first_nodes(r: &RunResult) -> Vec<NodeIdx> {
    (0..r.output.records.len()).map(|i| nodes(r, i).first().copied().unwrap_or(NodeIdx::MAX)).collect()
}

fn run(pools: &str, jobs: &str, policy: &str) -> RunResult {
    run_toml(&scenario(pools, jobs, policy))
}

/// A selector built through the registry, as a scenario would.
fn selector(name: &str, cluster: &Cluster) -> Box<dyn NodeSelector> {
    let env = PolicyEnv { seed: 1, cluster, tiers: &[], users: &[] };
    resolve("selection", "policy.selection", &PolicySpec::named(name), BY_NAME, &env).unwrap()
}

// ---------------------------------------------------------------- node selection

/// Two 4-core nodes. J1 (long) and J2 (short) take one node each; J2 ends at 6 s. At 10 s J3
/// arrives: round robin's cursor has moved on to node 0, which still runs J1; least_connections
/// takes the idle node 1.
#[test]
fn least_connections_picks_the_idle_node_where_round_robin_does_not() {
    let jobs = "{ submit = 0, runtime = 100 }, { submit = 1, runtime = 5 }, { submit = 10, runtime = 5 },";
    let rr = run(&pool("p", 2, 4), jobs, "selection = \"round_robin\"");
    let lc = run(&pool("p", 2, 4), jobs, "selection = \"least_connections\"");
    assert_eq!(first_nodes(&rr), vec![0, 1, 0]);
    assert_eq!(first_nodes(&lc), vec![0, 1, 1]);
}

/// Nodes of 8, 4 and 16 cores; a 2-core job: first_fit takes the lowest id, best_fit the tightest
/// node, worst_fit the emptiest.
#[test]
fn first_best_and_worst_fit_choose_lowest_tightest_and_emptiest() {
    let pools = format!("{}{}{}", pool("a", 1, 8), pool("b", 1, 4), pool("c", 1, 16));
    let jobs = "{ submit = 0, runtime = 10, cpu = 2 },";
    let pick = |name: &str| first_nodes(&run(&pools, jobs, &format!("selection = \"{name}\"")))[0];
    assert_eq!(pick("first_fit"), 0);
    assert_eq!(pick("best_fit"), 1);
    assert_eq!(pick("worst_fit"), 2);
}

/// best_fit packs: after a 3-core job on node 0 of two 4-core nodes, a 1-core job fills node 0's
/// last core (tightest); worst_fit sends it to the empty node 1.
#[test]
fn best_fit_fills_holes_that_worst_fit_avoids() {
    let jobs = "{ submit = 0, runtime = 100, cpu = 3 }, { submit = 1, runtime = 100, cpu = 1 },";
    let bf = run(&pool("p", 2, 4), jobs, "selection = \"best_fit\"");
    let wf = run(&pool("p", 2, 4), jobs, "selection = \"worst_fit\"");
    assert_eq!(first_nodes(&bf), vec![0, 0]);
    assert_eq!(first_nodes(&wf), vec![0, 1]);
}

/// GPU nodes are kept for GPU jobs: a cpu-only job goes to the node without gpus under both fits.
#[test]
fn fits_match_gpus_tightly() {
    let pools = "[[cluster.pools]]\nname = \"gpu\"\ncount = 1\ncpu = 16\ngpu = 4\n\n[[cluster.pools]]\nname = \"cpu\"\ncount = 1\ncpu = 8\n";
    let jobs = "{ submit = 0, runtime = 10, cpu = 2 }, { submit = 0, runtime = 10, cpu = 2, gpu = 1 },";
    for name in ["best_fit", "worst_fit"] {
        let r = run(pools, jobs, &format!("selection = \"{name}\""));
        assert_eq!(first_nodes(&r), vec![1, 0], "{name}");
    }
}

/// hash: jobs with the same key land on the same node (round robin scatters them), jobs of one
/// user without a key hash by user.
#[test]
fn hash_sends_a_key_to_the_same_node() {
    let jobs = r#"
      { submit = 0, runtime = 100, key = "alpha" }, { submit = 1, runtime = 100, key = "alpha" },
      { submit = 2, runtime = 100, key = "alpha" }, { submit = 3, runtime = 100, user = "ann" },
      { submit = 4, runtime = 100, user = "ann" },"#;
    let h = first_nodes(&run(&pool("p", 4, 8), jobs, "selection = \"hash\""));
    assert!(h[0] == h[1] && h[1] == h[2], "{h:?}");
    assert_eq!(h[3], h[4]);
    let rr = first_nodes(&run(&pool("p", 4, 8), jobs, "selection = \"round_robin\""));
    assert_eq!(rr, vec![0, 1, 2, 3, 0]);
}

/// hash: when a node fails, only the keys it held move; when its node is full, a key spills to
/// the next node clockwise and comes back once there is room.
#[test]
fn hash_remaps_only_the_failed_nodes_keys() {
    let mut c = Cluster::uniform("p", 6, Resources::cpus(1000));
    let mut h = selector("hash", &c);
    let job = |k: u64| {
        let mut j = Job::rigid(k, 0, 1, Resources::cpus(1), 1, 1);
        j.set_key(Some(k));
        j
    };
    let place = |h: &mut Box<dyn NodeSelector>, c: &Cluster| -> Vec<NodeIdx> {
        (0..300).map(|k| h.select(c, &job(k), &Resources::cpus(1), &[]).unwrap()).collect()
    };
    let before = place(&mut h, &c);
    let on_3 = before.iter().filter(|&&n| n == 3).count();
    assert!(on_3 > 20, "node 3 holds {on_3} keys");
    c.nodes[3].up = false;
    h.node_changed(&c, 3);
    let after = place(&mut h, &c);
    let moved: Vec<usize> = (0..300).filter(|&k| after[k] != before[k]).collect();
    assert_eq!(moved.len(), on_3);
    assert!(moved.iter().all(|&k| before[k] == 3));
    // Repaired: every key is back where it was.
    c.nodes[3].up = true;
    h.node_changed(&c, 3);
    assert_eq!(place(&mut h, &c), before);
    // Full: node 3's keys spill over, the rest stay.
    c.allocate(3, Resources::cpus(1000));
    h.node_changed(&c, 3);
    assert_eq!(place(&mut h, &c), after);
}

/// least_response_time learns round trips: with node 0 slow (EWMA 300 µs) and node 1 fast (30 µs),
/// node 1 takes tasks until 30 × (1 + k) reaches 300, where least_connections alternates.
#[test]
fn least_response_time_prefers_the_fast_node_least_connections_alternates() {
    let mut c = Cluster::uniform("p", 2, Resources::cpus(64));
    let mut lrt = selector("least_response_time", &c);
    let mut lc = selector("least_connections", &c);
    lrt.observe_round_trip(&c, 0, 1000);
    lrt.observe_round_trip(&c, 1, 100);
    let job = Job::rigid(1, 0, 1, Resources::cpus(1), 1, 1);
    let mut picks = vec![];
    for _ in 0..10 {
        let n = lrt.select(&c, &job, &job.request, &[]).unwrap();
        c.allocate(n, job.request);
        lrt.node_changed(&c, n);
        picks.push(n);
    }
    assert_eq!(picks, vec![1, 1, 1, 1, 1, 1, 1, 1, 1, 0]);
    let mut c2 = Cluster::uniform("p", 2, Resources::cpus(64));
    let mut lc_picks = vec![];
    for _ in 0..4 {
        let n = lc.select(&c2, &job, &job.request, &[]).unwrap();
        c2.allocate(n, job.request);
        lc.node_changed(&c2, n);
        lc_picks.push(n);
    }
    assert_eq!(lc_picks, vec![0, 1, 0, 1]);
}

/// With zero latency (no round trips observed) least_response_time places exactly as
/// least_connections does.
#[test]
fn least_response_time_without_latency_is_least_connections() {
    let jobs = "{ submit = 0, runtime = 100 }, { submit = 1, runtime = 5 }, { submit = 10, runtime = 5 }, { submit = 11, runtime = 50, tasks = 3 },";
    let lrt = run(&pool("p", 3, 4), jobs, "selection = \"least_response_time\"");
    let lc = run(&pool("p", 3, 4), jobs, "selection = \"least_connections\"");
    let all = |r: &RunResult| (0..4).map(|i| nodes(r, i)).collect::<Vec<_>>();
    assert_eq!(all(&lrt), all(&lc));
    assert_eq!(all(&lc), vec![vec![0], vec![1], vec![1], vec![2, 0, 1]]);
}

/// random: node = the policy's own stream's draw (all nodes fit here), so runs are reproducible;
/// first_fit would put every job on node 0.
#[test]
fn random_draws_from_its_own_stream() {
    let jobs: String = (0..8).map(|i| format!("{{ submit = {i}, runtime = 100 }},")).collect();
    let r = run(&pool("p", 4, 100), &jobs, "selection = \"random\"");
    let mut rng = Rng::seed_from_u64(derive_seed(5, "policy.selection"));
    let want: Vec<NodeIdx> = (0..8).map(|_| rng.random_range(0..4usize) as NodeIdx).collect();
    assert_eq!(first_nodes(&r), want);
    assert!(want.iter().any(|&n| n != want[0]), "the draws should not all agree: {want:?}");
    assert_eq!(first_nodes(&run(&pool("p", 4, 100), &jobs, "selection = \"first_fit\"")), vec![0; 8]);
}

/// power_of_two: two draws per job from the same stream, the one with fewer running tasks wins
/// (ties: the lower id).
#[test]
fn power_of_two_takes_the_less_loaded_of_two_draws() {
    let jobs: String = (0..12).map(|i| format!("{{ submit = {i}, runtime = 100 }},")).collect();
    let r = run(&pool("p", 4, 100), &jobs, "selection = \"power_of_two\"");
    let mut rng = Rng::seed_from_u64(derive_seed(5, "policy.selection"));
    let mut load = [0u32; 4];
    let mut want = vec![];
    for _ in 0..12 {
        let a = rng.random_range(0..4usize);
        let b = rng.random_range(0..4usize);
        let n = if (load[b], b) < (load[a], a) { b } else { a };
        load[n] += 1;
        want.push(n as NodeIdx);
    }
    assert_eq!(first_nodes(&r), want);
}

/// multi_task: a 4-task job on four 8-core nodes. first_fit alone stacks every task on node 0;
/// `spread` gives each task its own node. least_connections alone spreads; `pack` stacks.
#[test]
fn spread_and_pack_lay_out_multi_task_jobs() {
    let jobs = "{ submit = 0, runtime = 10, tasks = 4 },";
    let p = pool("p", 4, 8);
    assert_eq!(nodes(&run(&p, jobs, "selection = \"first_fit\""), 0), vec![0, 0, 0, 0]);
    let spread = "selection = { name = \"first_fit\", multi_task = \"spread\" }";
    assert_eq!(nodes(&run(&p, jobs, spread), 0), vec![0, 1, 2, 3]);
    assert_eq!(nodes(&run(&p, jobs, "selection = \"least_connections\""), 0), vec![0, 1, 2, 3]);
    let pack = "selection = { name = \"least_connections\", multi_task = \"pack\" }";
    assert_eq!(nodes(&run(&p, jobs, pack), 0), vec![0, 0, 0, 0]);
    // spread falls back to used nodes when there are fewer nodes than tasks; anti-affinity does not.
    let six = "{ submit = 0, runtime = 10, tasks = 6 }, { submit = 0, runtime = 10, tasks = 6, anti_affinity = true },";
    let r = run(&p, six, spread);
    assert_eq!(nodes(&r, 0), vec![0, 1, 2, 3, 0, 0]);
    assert_eq!(
        r.output.records[1].reason.as_deref(),
        Some("rejected at submit: 6 tasks but the cluster can hold at most 4 at once")
    );
}

/// Requirements restrict every algorithm to eligible nodes; preferences break ties only.
#[test]
fn requirements_bind_and_preferences_break_ties() {
    let pools = "[[cluster.pools]]\nname = \"cpu\"\ncount = 2\ncpu = 8\nracks = 2\n\n[[cluster.pools]]\nname = \"fast\"\ncount = 2\ncpu = 8\nlabels = [\"ssd\"]\n";
    // Nodes: 0 (cpu-r0), 1 (cpu-r1), 2 and 3 (fast, ssd).
    let jobs = r#"
      { submit = 0, runtime = 100, requires = ["ssd"] },
      { submit = 1, runtime = 100, prefers = ["cpu-r1"] },
      { submit = 2, runtime = 100, prefers = ["ssd"] },
      { submit = 3, runtime = 100, requires = ["gpu"] },"#;
    for name in [
        "round_robin",
        "first_fit",
        "best_fit",
        "worst_fit",
        "least_connections",
        "least_response_time",
        "hash",
        "random",
        "power_of_two",
    ] {
        let r = run(pools, jobs, &format!("selection = \"{name}\""));
        assert!([2, 3].contains(&nodes(&r, 0)[0]), "{name}: a job requiring ssd ran on {:?}", nodes(&r, 0));
        assert_eq!(
            r.output.records[3].reason.as_deref(),
            Some("rejected at submit: no pool carries the required labels [\"gpu\"]"),
            "{name}"
        );
        assert_eq!(r.metrics.rejected, 1);
    }
    // first_fit has no criterion to tie with: the first preferred node that fits wins, so job 2
    // joins job 0 on ssd node 2.
    let ff = run(pools, jobs, "selection = \"first_fit\"");
    assert_eq!(first_nodes(&ff)[..3], [2, 1, 2]);
    // least_connections: for job 2, nodes 0 and 3 are idle (fewest connections); of those the
    // preferred ssd node 3 wins the tie. The busy preferred node 2 is not chosen.
    let lc = run(pools, jobs, "selection = \"least_connections\"");
    assert_eq!(first_nodes(&lc)[..3], [2, 1, 3]);
}

// ---------------------------------------------------------------- resource allocation

/// Two malleable jobs (80 core-seconds of work, 1..8 cores, no serial part) arrive together on
/// one 8-core node. greedy gives the first the whole node (done at 10 s; the second then runs
/// 10..20); round_robin starts both with 1 core and shares the other 6 in turn: 4 cores each, both
/// run 0..20.
#[test]
fn greedy_hoards_round_robin_shares() {
    let jobs = "{ submit = 0, runtime = 80, min_cpu = 1, max_cpu = 8 }, { submit = 0, runtime = 80, min_cpu = 1, max_cpu = 8 },";
    let greedy = run(&pool("p", 1, 8), jobs, "allocation = \"greedy\"");
    assert_eq!(starts_and_ends(&greedy), vec![(0.0, 10.0), (10.0, 20.0)]);
    let cpus = |r: &RunResult| (0..2).map(|i| r.output.records[i].placement[0].1.cpu).collect::<Vec<_>>();
    assert_eq!(cpus(&greedy), vec![8, 8]);
    let rr = run(&pool("p", 1, 8), jobs, "allocation = \"round_robin\"");
    assert_eq!(starts_and_ends(&rr), vec![(0.0, 20.0), (0.0, 20.0)]);
    assert_eq!(cpus(&rr), vec![4, 4]);
    // Amdahl: with a serial fraction of 0.2, 4 cores run 80 × (0.2 + 0.8 / 4) = 32 s.
    let amdahl = jobs.replace("max_cpu = 8 }", "max_cpu = 8, serial_fraction = 0.2 }");
    assert_eq!(
        starts_and_ends(&run(&pool("p", 1, 8), &amdahl, "allocation = \"round_robin\"")),
        vec![(0.0, 32.0), (0.0, 32.0)]
    );
}

/// Rigid jobs get exactly their request under every allocator.
#[test]
fn rigid_jobs_get_their_request_everywhere() {
    let jobs = "{ submit = 0, runtime = 10, cpu = 3 }, { submit = 0, runtime = 10, cpu = 2 },";
    for name in ["greedy", "round_robin", "preemptive", "tiered"] {
        let r = run(&pool("p", 1, 8), jobs, &format!("allocation = \"{name}\""));
        assert_eq!(starts_and_ends(&r), vec![(0.0, 10.0), (0.0, 10.0)], "{name}");
        assert_eq!(r.output.records[0].placement[0].1, Resources::cpus(3), "{name}");
    }
}

const EVICT_ONE: &str =
    "{ submit = 0, runtime = 100, cpu = 4, tier = 0 }, { submit = 10, runtime = 50, cpu = 4, tier = 1 },";

/// One 4-core node: a batch job (0..100 s) and, at 10 s, a prod job needing the whole node.
/// greedy: prod waits for 100 s. preemptive (kill): batch is evicted at 10 s, losing 10 s × 4 cores,
/// prod runs 10..60, batch reruns from scratch 60..160. checkpoint: batch resumes with 90 s left.
#[test]
fn preemptive_evicts_the_lower_tier_and_counts_lost_work() {
    let p = pool("p", 1, 4);
    let greedy = run(&p, EVICT_ONE, "allocation = \"greedy\"");
    assert_eq!(starts_and_ends(&greedy), vec![(0.0, 100.0), (100.0, 150.0)]);
    assert_eq!(greedy.metrics.preemptions, 0);

    let kill = run(&p, EVICT_ONE, "allocation = \"preemptive\"");
    assert_eq!(starts_and_ends(&kill), vec![(0.0, 160.0), (10.0, 60.0)]);
    assert_eq!(kill.metrics.preemptions, 1);
    assert!((kill.metrics.lost_work_core_h - 40.0 / 3600.0).abs() < 1e-12);
    assert_eq!(kill.output.records[0].attempts, 2);
    assert_eq!(kill.output.records[0].queued_total, 50_000_000);

    let ckpt = run(&p, EVICT_ONE, "allocation = { name = \"preemptive\", mode = \"checkpoint\" }");
    assert_eq!(starts_and_ends(&ckpt), vec![(0.0, 150.0), (10.0, 60.0)]);
    assert_eq!(ckpt.metrics.preemptions, 1);
    assert_eq!(ckpt.metrics.lost_work_core_h, 0.0);
}

/// Two 4-core nodes. Victims are taken lowest tier first, then most recently started first, and
/// only those in the way are evicted. Case A: batch J1 (node 0, from 0 s) and batch J2 (node 1,
/// from 1 s); an urgent 4-core job at 5 s evicts J2, the more recent. Case B: J2 is prod instead:
/// the urgent job evicts J1, the lower tier, although J2 started later. A job of the same tier
/// never evicts.
#[test]
fn preemptive_picks_the_lowest_tier_then_the_most_recent() {
    let p = pool("p", 2, 4);
    let policy = "selection = \"first_fit\"\nallocation = \"preemptive\"";
    let case_a = "{ submit = 0, runtime = 100, cpu = 4 }, { submit = 1, runtime = 100, cpu = 4 }, { submit = 5, runtime = 10, cpu = 4, tier = 2 },";
    let a = run(&p, case_a, policy);
    assert_eq!(starts_and_ends(&a), vec![(0.0, 100.0), (1.0, 115.0), (5.0, 15.0)]);
    assert_eq!(nodes(&a, 2), vec![1]);
    assert_eq!(a.metrics.preemptions, 1);
    let case_b = case_a.replacen(
        "{ submit = 1, runtime = 100, cpu = 4 }",
        "{ submit = 1, runtime = 100, cpu = 4, tier = 1 }",
        1,
    );
    let b = run(&p, &case_b, policy);
    assert_eq!(starts_and_ends(&b), vec![(0.0, 115.0), (1.0, 101.0), (5.0, 15.0)]);
    assert_eq!(nodes(&b, 2), vec![0]);
    let same_tier = case_a.replace("tier = 2", "tier = 0");
    let s = run(&p, &same_tier, policy);
    assert_eq!(s.metrics.preemptions, 0);
    assert_eq!(starts_and_ends(&s)[2], (100.0, 110.0));
}

/// 8 cores, quotas batch 0.5 / prod 0.5 (4 cores each). B1 (4 cores, until 60 s) is within
/// quota; B2 (2 cores, until 50 s) borrows, as nobody else waits. B3 (4 cores) and P1 (prod,
/// 2 cores) then wait. At 50 s B2 ends and 4 cores are free: greedy starts B3; tiered holds batch
/// (it would use 8 > 4 while prod waits) until B1 ends at 60 s, when B3 and P1 both start.
#[test]
fn tiered_borrows_idle_capacity_and_holds_a_tier_to_its_quota_while_another_waits() {
    let jobs = r#"
      { submit = 0, runtime = 60, cpu = 4, tier = 0 }, { submit = 0, runtime = 50, cpu = 2, tier = 0 },
      { submit = 1, runtime = 100, cpu = 4, tier = 0 }, { submit = 2, runtime = 100, cpu = 2, tier = 1 },"#;
    let p = pool("p", 1, 8);
    let greedy = run(&p, jobs, "allocation = \"greedy\"");
    assert_eq!(starts_and_ends(&greedy), vec![(0.0, 60.0), (0.0, 50.0), (50.0, 150.0), (60.0, 160.0)]);
    let tiered = run(&p, jobs, "allocation = { name = \"tiered\", quotas = { batch = 0.5, prod = 0.5 } }");
    assert_eq!(starts_and_ends(&tiered), vec![(0.0, 60.0), (0.0, 50.0), (60.0, 160.0), (60.0, 160.0)]);
}

/// Tiered quotas name tiers; a typo is an error naming the tiers.
#[test]
fn tiered_rejects_unknown_tier_names() {
    let sc = scenario(
        &pool("p", 1, 8),
        "{ submit = 0, runtime = 1 },",
        "allocation = { name = \"tiered\", quotas = { bach = 0.5 } }",
    );
    let sc = clustersim::scenario::Scenario::parse(&sc).unwrap();
    let w = std::sync::Arc::new(sc.build_workload(1).unwrap());
    let err = clustersim::runner::simulate(&sc, "t", 1, w, &Default::default()).err().unwrap().to_string();
    assert!(err.contains("policy.allocation.quotas.bach") && err.contains("tiers: batch, prod, urgent"), "{err}");
}

/// A parameter typo names the valid values.
#[test]
fn multi_task_values_are_checked() {
    let sc = scenario(
        &pool("p", 1, 8),
        "{ submit = 0, runtime = 1 },",
        "selection = { name = \"best_fit\", multi_task = \"scatter\" }",
    );
    let err = clustersim::scenario::Scenario::parse(&sc).unwrap().validate().unwrap_err().to_string();
    assert!(err.contains("policy.selection.multi_task") && err.contains("independent, spread, pack"), "{err}");
}

/// Every selection algorithm places a mixed cluster's jobs without over-allocating, and gives the
/// same result twice.
#[test]
fn every_selector_is_deterministic_on_a_mixed_cluster() {
    let jobs: String = (0..40)
        .map(|i| {
            format!(
                "{{ submit = {}, runtime = {}, cpu = {}, tasks = {} }},",
                i * 3,
                20 + (i * 7) % 50,
                1 + i % 4,
                1 + i % 3
            )
        })
        .collect();
    for (name, _) in BY_NAME {
        let a = run(&pool("p", 5, 8), &jobs, &format!("selection = \"{name}\""));
        let b = run(&pool("p", 5, 8), &jobs, &format!("selection = \"{name}\""));
        assert_eq!(a.metrics, b.metrics, "{name}");
        assert_eq!(a.metrics.all.completed, 40, "{name}");
    }
}

/// A job bigger than its tier's whole quota is never held (under FIFO, holding it would block the
/// other tier's job queued behind it for ever). 12 cores, three tiers with equal shares: quota 4
/// cores each. The batch job needing 8 cores waits only for room, then borrows.
#[test]
fn tiered_never_holds_a_job_larger_than_its_quota() {
    let pools = format!("{}{}", pool("a", 1, 8), pool("b", 1, 4));
    let jobs = r#"
      { submit = 0, runtime = 100, cpu = 5, tier = 0 },
      { submit = 10, runtime = 1, cpu = 4, tasks = 2, tier = 0 },
      { submit = 10, runtime = 1, cpu = 1, tier = 1 },"#;
    let r = run(&pools, jobs, "allocation = \"tiered\"\nselection = \"first_fit\"");
    assert_eq!(starts_and_ends(&r), vec![(0.0, 100.0), (100.0, 101.0), (100.0, 101.0)]);
}

/// The shipped selection scenario runs under every selection algorithm: every job ends (completed,
/// or rejected at submit), and the algorithms do not all give the same schedule.
#[test]
fn shipped_placement_scenario_runs_every_selection_algorithm() {
    let text = std::fs::read_to_string(crate::util::repo("scenarios/placement.toml")).unwrap();
    let mut waits: Vec<f64> = vec![];
    for (name, _) in BY_NAME {
        let t = text.replace("selection = \"least_connections\"", &format!("selection = \"{name}\""));
        assert!(text.contains("selection = \"least_connections\""), "the [policy] line changed");
        let r = run_toml(&t);
        let m = &r.metrics;
        assert_eq!(m.all.completed + m.rejected, m.all.jobs, "{name}");
        assert_eq!(m.all.jobs, 20_000);
        waits.push(m.all.wait_mean);
    }
    waits.sort_by(f64::total_cmp);
    waits.dedup();
    assert!(waits.len() >= 7, "selection should matter: {waits:?}");
}

/// The shipped allocation scenario under each allocation algorithm: only preemptive evicts, only
/// kill loses work, round_robin and greedy differ, every job completes.
#[test]
fn shipped_allocation_scenario_runs_every_allocation_algorithm() {
    let text = std::fs::read_to_string(crate::util::repo("scenarios/allocation.toml")).unwrap();
    let with = |a: &str| run_toml(&text.replace("allocation = \"greedy\"", &format!("allocation = {a}")));
    let greedy = with("\"greedy\"");
    let rr = with("\"round_robin\"");
    let kill = with("\"preemptive\"");
    let ckpt = with("{ name = \"preemptive\", mode = \"checkpoint\" }");
    let tiered = with("{ name = \"tiered\", quotas = { batch = 0.5, prod = 0.35, urgent = 0.15 } }");
    for r in [&greedy, &rr, &kill, &ckpt, &tiered] {
        assert_eq!(r.metrics.all.completed, 5000, "{}", r.info.allocation);
    }
    assert!(r_malleable(&greedy) > 2500);
    assert_eq!((greedy.metrics.preemptions, rr.metrics.preemptions, tiered.metrics.preemptions), (0, 0, 0));
    assert!(kill.metrics.preemptions > 0 && kill.metrics.lost_work_core_h > 0.0);
    assert!(ckpt.metrics.preemptions > 0 && ckpt.metrics.lost_work_core_h == 0.0);
    assert_ne!(greedy.metrics.all.wait_mean, rr.metrics.all.wait_mean);
}

/// Malleable jobs in a run's workload.
fn r_malleable(r: &RunResult) -> usize {
    r.output.workload.jobs.iter().filter(|j| j.malleable().is_some()).count()
}

/// Only the victims in the way are evicted. Two 4-core nodes: prod C (2 cores) and batch A
/// (2 cores, the most recent start) share node 0, batch B (4 cores) fills node 1. An urgent 4-core
/// job at 5 s lifts A first (2 cores free: not enough), then B (node 1 empty: it fits there); A is
/// not in the way, so it gets its place back and only B is evicted (4 cores × 4 s lost).
#[test]
fn preemptive_gives_back_the_victims_that_were_not_in_the_way() {
    let jobs = r#"
      { submit = 0, runtime = 100, cpu = 2, tier = 1 }, { submit = 1, runtime = 100, cpu = 4 },
      { submit = 2, runtime = 100, cpu = 2 }, { submit = 5, runtime = 10, cpu = 4, tier = 2 },"#;
    let r = run(&pool("p", 2, 4), jobs, "selection = \"first_fit\"\nallocation = \"preemptive\"");
    assert_eq!(first_nodes(&r), vec![0, 1, 0, 1]);
    assert_eq!(starts_and_ends(&r), vec![(0.0, 100.0), (1.0, 115.0), (2.0, 102.0), (5.0, 15.0)]);
    assert_eq!(r.metrics.preemptions, 1);
    assert_eq!(r.output.records[2].attempts, 1);
    assert!((r.metrics.lost_work_core_h - 16.0 / 3600.0).abs() < 1e-12);
}

/// Two preempting policies with different goals do not undo each other for ever. One 4-core node,
/// srtf queue: batch J1 (10 s) runs from 0 s; prod J2 (100 s) arrives at 1 s and evicts it (kill);
/// srtf then suspends J2 to restart the shorter J1. J2, stopped at 1 s, may not evict J1, which
/// took its place at 1 s: J1 completes at 11 s and J2 at 111 s.
#[test]
fn preemptive_and_srtf_do_not_chase_each_other() {
    let jobs = "{ submit = 0, runtime = 10, cpu = 4 }, { submit = 1, runtime = 100, cpu = 4, tier = 1 },";
    let r = run(&pool("p", 1, 4), jobs, "queue = \"srtf\"\nallocation = \"preemptive\"");
    assert_eq!(starts_and_ends(&r), vec![(0.0, 11.0), (1.0, 111.0)]);
    assert_eq!(r.metrics.preemptions, 2);
}

/// With the network model, least_response_time learns each dispatch's round trip (2 × the one-way
/// latency): 2 ms to the two `near` nodes, 100 ms to the two `far` ones. The first four jobs meet
/// unobserved nodes (score 0) and spread as least_connections does; from then on a far node scores
/// about 30 ms × (1 + tasks) against well under 10 ms for a near one, so the jobs stay near, while
/// least_connections keeps cycling over all four nodes.
#[test]
fn least_response_time_learns_dispatch_round_trips_from_the_network_model() {
    let pools = format!("{}{}", pool("near", 2, 32), pool("far", 2, 32));
    let network = r#"
[network]
[[network.pools]]
pool = "near"
dispatch = { dist = "constant", value = "1ms" }
[[network.pools]]
pool = "far"
dispatch = { dist = "constant", value = "50ms" }
"#;
    let jobs: String = (0..12).map(|i| format!("{{ submit = {i}, runtime = 1000 }},")).collect();
    let with =
        |sel: &str| run_toml(&format!("{}{network}", scenario(&pools, &jobs, &format!("selection = \"{sel}\""))));
    assert_eq!(first_nodes(&with("least_connections")), vec![0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3]);
    assert_eq!(first_nodes(&with("least_response_time")), vec![0, 1, 2, 3, 0, 1, 0, 1, 0, 1, 0, 1]);
}
