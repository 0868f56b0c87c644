//! Queue disciplines on tiny hand-computed cases: each shows what makes its discipline different, asserted exactly.

use crate::util::{run_toml, starts_and_ends};
use clustersim::runner::RunResult;

/// A scenario with one node of `cpus` cores, the given job lines and queue policy.
fn scenario(cpus: u32, jobs: &[String], queue: &str) -> String {
    format!(
        r#"name = "hand"
[[cluster.pools]]
name = "n"
count = 1
cpu = {cpus}
[workload]
type = "list"
jobs = [
{}
]
[policy]
queue = {queue}
"#,
        jobs.join(",\n")
    )
}

fn first_starts(r: &RunResult) -> Vec<f64> {
    starts_and_ends(r).into_iter().map(|(s, _)| s).collect()
}

fn ends(r: &RunResult) -> Vec<f64> {
    starts_and_ends(r).into_iter().map(|(_, e)| e).collect()
}

/// One 10-core node, six jobs (submit, cores, run, estimate):
/// J1 (0, 7, 100, 100), J2 (1, 8, 100, 100), J3 (2, 9, 100, 100), J4 (50, 2, 250, 250),
/// J5 (60, 4, 20, 20), J6 (70, 1, 20, 25).
fn six_jobs(queue: &str) -> RunResult {
    let jobs: Vec<String> =
        [(0, 7, 100, 100), (1, 8, 100, 100), (2, 9, 100, 100), (50, 2, 250, 250), (60, 4, 20, 20), (70, 1, 20, 25)]
            .iter()
            .map(|(s, c, r, e)| format!("{{ submit = {s}, cpu = {c}, runtime = {r}, estimate = {e} }}"))
            .collect();
    run_toml(&scenario(10, &jobs, queue))
}

#[test]
fn fifo_starts_in_submit_order_behind_the_blocked_head() {
    // J2 waits for J1, J3 for J2; J4..J6 queue behind J3 although 3 cores idle from t=0 to 100.
    let r = six_jobs("\"fifo\"");
    assert_eq!(first_starts(&r), vec![0.0, 100.0, 200.0, 300.0, 300.0, 300.0]);
}

#[test]
fn easy_backfills_what_does_not_delay_the_head() {
    // t=50: J4 (2 cores, ends 300) fits in the 2 cores J2 leaves spare at its shadow time 100.
    // t=70: J6 ends by 95 < 100. t=200: J3 is head, shadow 300 (J4's estimate): J5 ends by 220.
    // J4 delays J3 (the second in line) to 300: EASY protects only the head.
    let r = six_jobs("\"easy_backfill\"");
    assert_eq!(first_starts(&r), vec![0.0, 100.0, 300.0, 50.0, 200.0, 70.0]);
}

#[test]
fn conservative_backfills_only_what_delays_no_reservation() {
    // J4 would overlap J3's reservation [200, 300), so it is reserved at 300; J5 fits nowhere
    // before 300 either; J6 fits in [70, 95) and starts at once.
    let r = six_jobs("\"conservative_backfill\"");
    assert_eq!(first_starts(&r), vec![0.0, 100.0, 200.0, 300.0, 300.0, 70.0]);
}

#[test]
fn srtf_suspends_a_longer_running_job_for_a_shorter_one() {
    // t=60: J5 (remaining 20) does not fit; J1 has 40 left, so it is suspended; J5 runs 60-80,
    // J6 (25) fits at 70; J1 resumes at 80 with its 40 s left and ends at 120.
    let r = six_jobs("\"srtf\"");
    assert_eq!(first_starts(&r), vec![0.0, 120.0, 220.0, 320.0, 60.0, 70.0]);
    assert_eq!(ends(&r)[0], 120.0);
    assert_eq!(r.metrics.preemptions, 1);
    assert_eq!(r.output.records[0].attempts, 2);
}

#[test]
fn sjf_without_preemption_waits_for_the_head() {
    // J5 (shortest) heads the queue from t=60 but needs 4 cores; it blocks J6 until J1 ends.
    let r = six_jobs("{ name = \"srtf\", preempt = false }");
    assert_eq!(first_starts(&r), vec![0.0, 120.0, 220.0, 320.0, 100.0, 100.0]);
    assert_eq!(r.metrics.preemptions, 0);
}

#[test]
fn srtf_suspend_and_resume_costs_are_paid_by_the_suspended_job() {
    // One 4-core node: J1 (t=0, 4 cores, 100 s) is suspended at t=10 by J2 (2 cores, 20 s); it
    // resumes at 30 with 90 s left plus 5 + 5 s of overhead, and ends at 130.
    let jobs = ["{ submit = 0, cpu = 4, runtime = 100 }".to_string(), "{ submit = 10, cpu = 2, runtime = 20 }".into()];
    let r = run_toml(&scenario(4, &jobs, "{ name = \"srtf\", suspend_cost = \"5s\", resume_cost = \"5s\" }"));
    assert_eq!(starts_and_ends(&r), vec![(0.0, 130.0), (10.0, 30.0)]);
    assert_eq!(r.metrics.preemptions, 1);
    // overhead: 10 s on 4 cores
    assert!((r.metrics.lost_work_core_h - 40.0 / 3600.0).abs() < 1e-12);
    let free = run_toml(&scenario(4, &jobs, "\"srtf\""));
    assert_eq!(starts_and_ends(&free), vec![(0.0, 120.0), (10.0, 30.0)]);
}

/// One 1-core node; user a submits `na` jobs of 100 s at t=0, user b `nb` jobs at t=1.
fn two_users(na: usize, nb: usize, queue: &str) -> RunResult {
    let mut jobs: Vec<String> = (0..na).map(|_| "{ submit = 0, runtime = 100, user = \"a\" }".to_string()).collect();
    jobs.extend((0..nb).map(|_| "{ submit = 1, runtime = 100, user = \"b\" }".to_string()));
    run_toml(&scenario(1, &jobs, queue))
}

#[test]
fn fair_share_alternates_users_by_decayed_usage() {
    // FIFO serves a's three jobs first. Fair share gives the node to whoever used less: b at 100;
    // at 200 both used 100 core-seconds, but a's are older and have decayed more, so a; and so on.
    let fifo = two_users(3, 3, "\"fifo\"");
    assert_eq!(first_starts(&fifo), vec![0.0, 100.0, 200.0, 300.0, 400.0, 500.0]);
    let fs = two_users(3, 3, "\"fair_share\"");
    assert_eq!(first_starts(&fs), vec![0.0, 200.0, 400.0, 100.0, 300.0, 500.0]);
}

#[test]
fn fair_share_weighs_usage_by_share() {
    // a has 4 shares, b 1; half-life 1 h (decay per 100 s: r = 2^(-1/36)). Usage/share at each
    // end: t=100 a 25 vs b 0 → b; 200: a ≈ 25, b ≈ 100 → a; 300, 400: a ≈ 50, 75 → a; 500: a's
    // 400 core-s / 4 = (r⁴ + r² + r + 1)/4 · 100 ≈ 96.7 vs b's r³ · 100 ≈ 94.4 → b;
    // 600: a ≈ 94.9 vs b ≈ 192.6 → a; 700: a has no more jobs → b.
    let r = two_users(5, 3, "{ name = \"fair_share\", half_life = \"1h\", shares = { a = 4, b = 1 } }");
    assert_eq!(first_starts(&r), vec![0.0, 200.0, 300.0, 400.0, 600.0, 100.0, 500.0, 700.0]);
}

/// Service (core-seconds) of users a and b up to the moment the first of them has no job left
/// waiting, and that moment (µs).
fn service_while_backlogged(r: &RunResult) -> (f64, f64, u64) {
    let wl = &r.output.workload;
    let of_user = |u: &'static str| {
        wl.jobs.iter().zip(&r.output.records).filter(move |(j, _)| wl.user_name(j.user) == u).map(|(_, rec)| rec)
    };
    let last_start = |u| of_user(u).map(|rec| rec.first_start.unwrap()).max().unwrap();
    let t = last_start("a").min(last_start("b"));
    let service =
        |u| -> f64 { of_user(u).map(|rec| (rec.end.unwrap().min(t) - rec.first_start.unwrap().min(t)) as f64).sum() };
    (service("a"), service("b"), t)
}

#[test]
fn proportional_delivers_service_in_the_weight_ratio() {
    // One 4-core node, users a (weight 3) and b (weight 1), 600 one-core jobs each (alternating in
    // the list) with run times spread over 10..109 s, all submitted at t=0; service is measured
    // while both are backlogged.
    let mut jobs = Vec::new();
    let mut x: u64 = 12345;
    for k in 0..1200 {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let run = 10 + (x >> 33) % 100;
        let user = if k % 2 == 0 { "a" } else { "b" };
        jobs.push(format!("{{ submit = 0, runtime = {run}, user = \"{user}\" }}"));
    }
    let r = run_toml(&scenario(4, &jobs, "{ name = \"proportional\", weights = { a = 3, b = 1 } }"));
    let (a, b, t) = service_while_backlogged(&r);
    assert!((a / b - 3.0).abs() / 3.0 < 0.03, "service ratio {}, expected 3 within 3%", a / b);
    assert!(t > 10_000 * 1_000_000, "both users stayed backlogged for a long run ({t} µs)");
    // FIFO on the same list serves them alike.
    let (a, b, _) = service_while_backlogged(&run_toml(&scenario(4, &jobs, "\"fifo\"")));
    assert!((a / b - 1.0).abs() < 0.1, "fifo ratio {}", a / b);
}

/// One 1-core node: a tier-1 job runs 0-100; a tier-0 job L arrives at t=1; tier-1 jobs arrive
/// every 100 s from t=50 (40 of them, 100 s each), so a tier-1 job is always waiting.
fn aging_case(queue: &str) -> f64 {
    let mut jobs =
        vec!["{ submit = 0, runtime = 100, tier = 1 }".to_string(), "{ submit = 1, runtime = 10, tier = 0 }".into()];
    jobs.extend((0..40).map(|k| format!("{{ submit = {}, runtime = 100, tier = 1 }}", 50 + 100 * k)));
    let r = run_toml(&scenario(1, &jobs, queue));
    first_starts(&r)[1]
}

#[test]
fn priority_aging_starts_the_low_tier_job_that_strict_priority_starves() {
    // Strict priority (age_weight = 0): L waits for all 40 high jobs, until 4100.
    assert_eq!(aging_case("{ name = \"priority_aging\", age_weight = 0 }"), 4100.0);
    // With one priority point per tier and one per hour waited, L overtakes the high jobs
    // submitted more than 1 h after it: the first is the one submitted at 3650, which would
    // start at 3700.
    assert_eq!(aging_case("{ name = \"priority_aging\", tier_weight = 1, age_weight = 1 }"), 3700.0);
}

#[test]
fn starvation_report_tells_policy_from_load() {
    // Under FIFO, J4 (2 cores) and J6 (1 core) wait from t=50/70 while 3 cores are idle: held back
    // by the policy. EASY starts them at once; its waiting jobs never had their capacity free.
    let threshold = "[metrics]\nstarvation_threshold = \"100s\"\n";
    let jobs: Vec<String> =
        [(0, 7, 100, 100), (1, 8, 100, 100), (2, 9, 100, 100), (50, 2, 250, 250), (60, 4, 20, 20), (70, 1, 20, 25)]
            .iter()
            .map(|(s, c, r, e)| format!("{{ submit = {s}, cpu = {c}, runtime = {r}, estimate = {e} }}"))
            .collect();
    let fifo = run_toml(&(scenario(10, &jobs, "\"fifo\"") + threshold));
    let a = &fifo.metrics.all;
    // waits 0, 99, 198, 250, 240, 230: four over 100 s, two of them with capacity free
    assert_eq!((a.starved, a.waited_with_free_capacity, a.starved_with_free_capacity), (4, 2, 2));
    assert_eq!((a.longest_wait, a.longest_wait_job), (250.0, Some(4)));
    let free_at: Vec<Option<u64>> = fifo.output.first_free_wait.clone();
    assert_eq!(free_at, vec![None, None, None, Some(50_000_000), None, Some(70_000_000)]);

    let easy = run_toml(&(scenario(10, &jobs, "\"easy_backfill\"") + threshold));
    let a = &easy.metrics.all;
    // waits 0, 99, 298, 0, 140, 0
    assert_eq!((a.starved, a.waited_with_free_capacity, a.starved_with_free_capacity), (2, 0, 0));
    assert_eq!((a.longest_wait, a.longest_wait_job), (298.0, Some(3)));

    // The report file: one row for the run, one per tier, one per user.
    let dir = tempfile::tempdir().unwrap();
    let sc = clustersim::scenario::Scenario::parse(&(scenario(10, &jobs, "\"fifo\"") + threshold)).unwrap();
    clustersim::runner::write_run(dir.path(), &fifo, &sc).unwrap();
    let text = std::fs::read_to_string(dir.path().join("starvation.csv")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "scope,name,jobs,starved,starved_frac,wait_max,longest_wait,longest_wait_job,\
         waited_with_free_capacity,starved_with_free_capacity,starved_by_policy_frac"
    );
    assert_eq!(lines[1], "all,all,6,4,0.666667,250,250,4,2,2,0.5");
    assert_eq!(lines.len(), 4, "{text}"); // all, tier 0, user u0
}

// ---------------------------------------------------------------------------------------------
// Known properties on a real trace: the full KTH-SP2 log (28,476 jobs, 100 processors), convention P.

mod kth {
    use crate::util::shared;
    use clustersim::engine::RunOutput;
    use clustersim::engine::Simulation;
    use clustersim::engine::ports::Policies;
    use clustersim::engine::sim::SimOptions;
    use clustersim::metrics::{MetricsConfig, RunMetrics, summarize};
    use clustersim::model::{Cluster, JobIdx, Resources, SECOND, Time};
    use clustersim::policies::{PolicySet, PolicySpec};
    use clustersim::workloads::swf::{SwfOptions, read_swf};
    use std::collections::BTreeMap;
    use std::sync::{Arc, OnceLock};

    fn kth() -> Arc<clustersim::model::Workload> {
        static W: OnceLock<Arc<clustersim::model::Workload>> = OnceLock::new();
        Arc::clone(W.get_or_init(|| {
            let path = shared("workloads/KTH-SP2-1996-2.1-cln.swf.gz");
            Arc::new(read_swf(&path, &SwfOptions::default()).expect("KTH reads").0)
        }))
    }

    fn run(queue: &str, log: bool) -> (RunOutput, RunMetrics) {
        let cluster = Cluster::uniform("sp2", 1, Resources::cpus(100));
        let set = PolicySet { queue: PolicySpec::named(queue), ..Default::default() };
        let policies = Policies::build(&set, 1, &cluster, &[], &[]).unwrap();
        let opts = SimOptions { log_events: log, ..Default::default() };
        let out = Simulation::new(kth(), cluster, policies, opts).run();
        let m = summarize(&out, &MetricsConfig { starvation_threshold: 3600 * SECOND, bsld_tau: 10 * SECOND });
        (out, m)
    }

    #[test]
    fn easy_waits_less_than_fifo_in_mean_wait_and_bounded_slowdown() {
        let (_, fifo) = run("fifo", false);
        let (_, easy) = run("easy_backfill", false);
        assert_eq!(fifo.all.completed, 28_476);
        assert_eq!(easy.all.completed, 28_476);
        assert!(easy.all.wait_mean < fifo.all.wait_mean / 10.0, "{} vs {}", easy.all.wait_mean, fifo.all.wait_mean);
        assert!(easy.all.bsld_mean < fifo.all.bsld_mean / 10.0, "{} vs {}", easy.all.bsld_mean, fifo.all.bsld_mean);
        // Jobs waiting while their capacity is free are FIFO's signature (24,657 of them); EASY
        // leaves fewer (3,799): those that fit now but would delay the head's reservation.
        let (f, e) = (fifo.all.waited_with_free_capacity, easy.all.waited_with_free_capacity);
        assert!(f > 5 * e && e > 0, "fifo {f}, easy {e}");
    }

    #[test]
    fn fifo_never_starts_a_job_before_an_earlier_submitted_one() {
        let (out, _) = run("fifo", false);
        let mut latest_start: Time = 0;
        for (job, rec) in out.workload.jobs.iter().zip(&out.records) {
            let start = rec.first_start.unwrap();
            assert!(start >= latest_start, "job {} starts at {start} before an earlier job's {latest_start}", job.id);
            latest_start = start;
        }
    }

    #[test]
    fn conservative_never_starts_a_job_later_than_promised_at_submit() {
        let (out, m) = run("conservative_backfill", true);
        let mut promised: BTreeMap<JobIdx, Time> = BTreeMap::new();
        for e in out.log.as_ref().unwrap() {
            if e.kind == "reserve" {
                let at = (e.detail.parse::<f64>().unwrap() * 1e6).round() as Time;
                promised.entry(e.job.unwrap()).or_insert(at);
            }
        }
        assert_eq!(promised.len(), 28_476, "every job gets a reservation at submit");
        let mut moved_earlier = 0;
        for (j, rec) in out.records.iter().enumerate() {
            let (start, promise) = (rec.first_start.unwrap(), promised[&(j as JobIdx)]);
            assert!(start <= promise, "job {} started at {start}, promised {promise}", out.workload.jobs[j].id);
            moved_earlier += (start < promise) as u32;
        }
        assert!(moved_earlier > 1000, "early completions let reservations move up ({moved_earlier})");
        // and it backfills: far below FIFO's mean wait
        assert!(m.all.wait_mean < 10_000.0);
    }
}

/// Two 4-core nodes (round robin): J1 (t=0, 2 cores, 100 s) on node 0, J2 (t=0, 2 cores, 200 s) on
/// node 1; J3 (t=1, 4 cores in one task, 50 s) fits the 4 free cores in aggregate but on no node;
/// J4 (t=2, 1 core, 10 s).
fn fragmented(queue: &str) -> RunResult {
    let jobs = [
        "{ submit = 0, cpu = 2, runtime = 100 }",
        "{ submit = 0, cpu = 2, runtime = 200 }",
        "{ submit = 1, cpu = 4, runtime = 50 }",
        "{ submit = 2, cpu = 1, runtime = 10 }",
    ];
    let text = scenario(4, &jobs.map(String::from), queue).replace("count = 1", "count = 2");
    run_toml(&text)
}

#[test]
fn backfilling_on_a_fragmented_cluster_reserves_the_blocked_head_at_the_next_release() {
    // FIFO: J3 blocks J4 until J1 frees node 0 at 100.
    let fifo = fragmented("\"fifo\"");
    assert_eq!(first_starts(&fifo), vec![0.0, 0.0, 100.0, 100.0]);
    // The starvation watch places tasks on nodes: 4 cores are free in total from t=1, but no node
    // has room for J3 until 100, when it starts; J4 had room from t=2 on and waited anyway.
    assert_eq!(fifo.output.first_free_wait, vec![None, None, None, Some(2_000_000)]);
    // EASY and conservative plan on aggregate capacity: J3 "fits" now but cannot be placed, so it
    // is reserved at the next expected release (J1's end, 100) and J4, done by 12, starts at once.
    assert_eq!(first_starts(&fragmented("\"easy_backfill\"")), vec![0.0, 0.0, 100.0, 2.0]);
    assert_eq!(first_starts(&fragmented("\"conservative_backfill\"")), vec![0.0, 0.0, 100.0, 2.0]);
}

#[test]
fn discipline_parameters_are_checked_by_name() {
    use clustersim::engine::ports::Policies;
    use clustersim::policies::{PolicySet, PolicySpec};
    let cluster = clustersim::model::Cluster::uniform("n", 1, clustersim::model::Resources::cpus(4));
    let build = |text: &str| -> Result<(), String> {
        let spec: PolicySpec =
            toml::from_str::<toml::Table>(&format!("queue = {text}")).unwrap()["queue"].clone().try_into().unwrap();
        let set = PolicySet { queue: spec, ..Default::default() };
        Policies::build(&set, 1, &cluster, &[], &[]).map(|_| ()).map_err(|e| e.to_string())
    };
    assert!(build("{ name = \"srtf\", preempt = false, suspend_cost = \"30s\", resume_cost = 5 }").is_ok());
    assert!(build("{ name = \"fair_share\", by = \"group\", half_life = \"12h\", shares = { a = 2 } }").is_ok());
    assert!(build("{ name = \"proportional\", by = \"tier\", weights = { prod = 3 } }").is_ok());
    let err = build("{ name = \"easy_backfill\", backfill_order = \"lifo\" }").unwrap_err();
    assert!(err.contains("policy.queue.backfill_order") && err.contains("fifo, sjf"), "{err}");
    let err = build("{ name = \"fair_share\", halflife = \"1d\" }").unwrap_err();
    assert!(err.contains("policy.queue.halflife") && err.contains("half_life"), "{err}");
    let err = build("{ name = \"fair_share\", half_life = 0 }").unwrap_err();
    assert!(err.contains("policy.queue.half_life"), "{err}");
    let err = build("{ name = \"proportional\", weights = { a = -1 } }").unwrap_err();
    assert!(err.contains("policy.queue.weights.a"), "{err}");
    let err = build("{ name = \"priority_aging\", age_weight = -2 }").unwrap_err();
    assert!(err.contains("policy.queue.age_weight"), "{err}");
    let err = build("\"backfill\"").unwrap_err();
    assert!(err.contains("easy_backfill, conservative_backfill"), "{err}");
}

/// The shipped comparison runs every discipline once on the same jobs.
#[test]
fn queues_scenario_compares_every_discipline() {
    let run = |threads: &str| {
        let dir = tempfile::tempdir().unwrap();
        let out = assert_cmd::Command::cargo_bin("clustersim")
            .unwrap()
            .args(["run", "-q", "--jobs", threads, crate::util::repo("scenarios/queues.toml").to_str().unwrap()])
            .arg("--out")
            .arg(dir.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        dir
    };
    let dir = run("2");
    // Deterministic: the same bytes on one thread, starvation reports included.
    let again = run("1");
    for file in ["summary.csv", "runs/c6-r0/starvation.csv", "runs/c1-r0/jobs.csv"] {
        let read = |d: &tempfile::TempDir| std::fs::read(d.path().join(file)).unwrap();
        assert!(read(&dir) == read(&again), "{file} differs between runs");
    }
    let mut rdr = csv::Reader::from_path(dir.path().join("summary.csv")).unwrap();
    let h = rdr.headers().unwrap().clone();
    let col = |name: &str| h.iter().position(|x| x == name).unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    let queues: Vec<&str> = rows.iter().map(|r| &r[col("queue")]).collect();
    let names: Vec<&str> = clustersim::policies::names(clustersim::policies::queue::BY_NAME);
    for n in names {
        assert!(queues.iter().any(|q| q.split('(').next() == Some(n)), "{n} missing from {queues:?}");
    }
    let metric =
        |q: &str, m: &str| -> f64 { rows.iter().find(|r| &r[col("queue")] == q).unwrap()[col(m)].parse().unwrap() };
    assert!(rows.iter().all(|r| &r[col("completed")] == "5000"));
    assert!(metric("easy_backfill", "wait_mean") < metric("fifo", "wait_mean") / 4.0);
    assert!(metric("conservative_backfill", "wait_mean") < metric("fifo", "wait_mean") / 4.0);
    assert!(metric("srtf", "preemptions") > 0.0);
    assert_eq!(metric("srtf(preempt=false)", "preemptions"), 0.0);
}

mod promise {
    use crate::util::run_toml_with;
    use clustersim::runner::RunOptions;
    use proptest::prelude::*;

    /// Random jobs on one 8-core node, each ending by its estimate.
    fn jobs() -> impl Strategy<Value = Vec<String>> {
        proptest::collection::vec((0u64..300, 1u64..8, 1u64..200, 0u64..200), 1..40).prop_map(|v| {
            v.into_iter()
                .map(|(s, c, r, slack)| {
                    format!("{{ submit = {s}, cpu = {c}, runtime = {r}, estimate = {} }}", r + slack)
                })
                .collect()
        })
    }

    /// Random gangs (1–3 tasks) on three 8-core nodes under `queue`.
    fn gangs(jobs: &[(u64, u64, u64, u64, u64)], queue: &str) -> String {
        let list: Vec<String> = jobs
            .iter()
            .map(|(s, t, c, r, slack)| {
                format!("{{ submit = {s}, tasks = {t}, cpu = {c}, runtime = {r}, estimate = {} }}", r + slack)
            })
            .collect();
        format!(
            "name = \"gangs\"\n[[cluster.pools]]\nname = \"p\"\ncount = 3\ncpu = 8\n[workload]\ntype = \"list\"\n\
             jobs = [ {} ]\n[policy]\nqueue = {queue}\n",
            list.join(", ")
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        /// EASY walks an index of the queue, but scans the whole queue when the event log is on (to
        /// log every skip reason): both give the same schedule, job for job, in either backfill order.
        #[test]
        fn easy_schedules_the_same_with_and_without_the_event_log(
            jobs in proptest::collection::vec((0u64..300, 1u64..4, 1u64..8, 1u64..200, 0u64..200), 1..40),
            sjf in any::<bool>(),
        ) {
            let queue = if sjf { r#"{ name = "easy_backfill", backfill_order = "sjf" }"# } else { "\"easy_backfill\"" };
            let text = gangs(&jobs, queue);
            let quiet = run_toml_with(&text, &RunOptions::default());
            let logged = run_toml_with(&text, &RunOptions { log_events: true, ..Default::default() });
            for (a, b) in quiet.output.records.iter().zip(&logged.output.records) {
                prop_assert_eq!((a.first_start, a.end, &a.placement), (b.first_start, b.end, &b.placement), "{}", text);
            }
        }

        /// Conservative backfilling's compression visits only the jobs a rise of the plan may let
        /// move, and searches each in a bounded window of the indexed profile; `compress = "every_job"`
        /// re-places every waiting job at every completion, as pyss does. Both give the same schedule,
        /// job for job, on gangs over three nodes (where plans slide past fragmentation) and on one
        /// node, with jobs that end before their estimates.
        #[test]
        fn conservative_filtered_compression_schedules_as_every_job(
            jobs in proptest::collection::vec((0u64..300, 1u64..4, 1u64..8, 1u64..200, 0u64..200), 1..40),
            one_node in any::<bool>(),
        ) {
            let on = |queue: &str| if one_node {
                let list: Vec<String> = jobs.iter().map(|(s, t, c, r, slack)| {
                    format!("{{ submit = {s}, cpu = {}, runtime = {r}, estimate = {} }}", t * c, r + slack)
                }).collect();
                super::scenario(24, &list, queue)
            } else {
                gangs(&jobs, queue)
            };
            let text = on("\"conservative_backfill\"");
            let filtered = run_toml_with(&text, &RunOptions::default());
            let every = run_toml_with(&on(r#"{ name = "conservative_backfill", compress = "every_job" }"#), &RunOptions::default());
            for (a, b) in filtered.output.records.iter().zip(&every.output.records) {
                prop_assert_eq!((a.first_start, a.end, &a.placement), (b.first_start, b.end, &b.placement), "{}", text);
            }
        }

        /// Conservative backfilling never starts a job later than the reservation it got at submit.
        #[test]
        fn conservative_keeps_every_promise(jobs in jobs()) {
            let text = super::scenario(8, &jobs, "\"conservative_backfill\"");
            let r = run_toml_with(&text, &RunOptions { log_events: true, ..Default::default() });
            let mut promised = vec![None; jobs.len()];
            for e in r.output.log.as_ref().unwrap() {
                if e.kind == "reserve" {
                    let at: f64 = e.detail.parse().unwrap();
                    promised[e.job.unwrap() as usize].get_or_insert((at * 1e6).round() as u64);
                }
            }
            for (j, rec) in r.output.records.iter().enumerate() {
                prop_assert!(rec.first_start.unwrap() <= promised[j].unwrap(), "job {j}\n{text}");
            }
        }
    }
}

/// The `skip` notes (time, reason) of the job at index `job`, after running `jobs` on one node of
/// `cores` under `queue` with the event log on; and when that job first started.
fn skip_notes(cores: u32, jobs: &[String], queue: &str, job: u32) -> (Vec<(u64, String)>, Option<u64>) {
    use crate::util::run_toml_with;
    use clustersim::runner::RunOptions;
    let r = run_toml_with(&scenario(cores, jobs, queue), &RunOptions { log_events: true, ..Default::default() });
    let notes = r.output.log.unwrap().into_iter().filter(|e| e.kind == "skip" && e.job == Some(job));
    (notes.map(|e| (e.time, e.detail)).collect(), r.output.records[job as usize].first_start)
}

/// With the event log on, backfilling says why a job that fits now was held back.
#[test]
fn backfilling_explains_why_a_fitting_job_waits() {
    // 10 cores: J1 (6 cores) runs 0-100; J2 (8 cores) is the head from t=1, due at 100 with 2
    // cores to spare; J3 (3 cores, 200 s) fits the 4 free cores now but would run past 100.
    let jobs = [
        "{ submit = 0, cpu = 6, runtime = 100 }",
        "{ submit = 1, cpu = 8, runtime = 100 }",
        "{ submit = 2, cpu = 3, runtime = 200 }",
    ]
    .map(String::from);
    assert_eq!(
        skip_notes(10, &jobs, "\"easy_backfill\"", 2).0,
        vec![(2_000_000, "would delay the reservation of job 2, the head of the queue".to_string())]
    );
    assert_eq!(
        skip_notes(10, &jobs, "\"conservative_backfill\"", 2).0,
        vec![(2_000_000, "waits for its reservation (see its reserve events)".to_string())]
    );
}

/// srtf says why it does not suspend running jobs for a blocked shorter one. One 10-core node: J0 (3
/// cores, 1000 s) and J1 (6 cores, 60 s) run from 0; J2 (8 cores, 100 s) arrives at 10. J1 has less
/// left than J2 and may not be suspended; suspending J0 alone frees 4 cores, not 8. At 60 J1 ends,
/// and suspending J0 frees enough: J2 starts.
#[test]
fn srtf_explains_a_declined_preemption() {
    let jobs = [
        "{ submit = 0, cpu = 3, runtime = 1000 }",
        "{ submit = 0, cpu = 6, runtime = 60 }",
        "{ submit = 10, cpu = 8, runtime = 100 }",
    ]
    .map(String::from);
    let (notes, started) = skip_notes(10, &jobs, "\"srtf\"", 2);
    let declined = "suspending every running job with a longer remaining estimate would not free enough";
    assert!(notes.contains(&(10_000_000, declined.to_string())), "{notes:?}");
    assert_eq!(started, Some(60_000_000));
    // A job with more left than every running one: nothing to suspend.
    let jobs = ["{ submit = 0, cpu = 6, runtime = 60 }", "{ submit = 10, cpu = 8, runtime = 100 }"].map(String::from);
    let (notes, _) = skip_notes(10, &jobs, "\"srtf\"", 1);
    let nothing = "no running job has a longer remaining estimate to suspend";
    assert!(notes.contains(&(10_000_000, nothing.to_string())), "{notes:?}");
}

/// `clustersim explain` of job `id` after running `toml` with the event log on.
fn explain(toml: &str, id: &str) -> String {
    use assert_cmd::Command;
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("s.toml");
    std::fs::write(&scenario, toml).unwrap();
    let out = dir.path().join("out");
    let bin = || Command::cargo_bin("clustersim").unwrap();
    bin().args(["run", "-q", "--no-charts", "--events"]).arg(&scenario).arg("--out").arg(&out).assert().success();
    String::from_utf8(bin().arg("explain").arg(&out).arg(id).assert().success().get_output().stdout.clone()).unwrap()
}

/// The share disciplines say why they pass over an account's oldest job that would fit: another
/// account ranks first and its oldest job cannot start. One 10-core node: J1 (user a, t=0, 6
/// cores, 100 s) runs at once and charges a; J2 (user b, t=10, 6 cores) ranks first (b has used
/// nothing) but does not fit; J3 (user a, t=20, 2 cores) would fit the 4 free cores but is passed
/// over until J1 ends at 100 and J2 starts; then J3 starts beside it.
#[test]
fn share_disciplines_explain_an_account_passed_over() {
    let jobs = [
        "{ submit = 0, cpu = 6, runtime = 100, user = \"a\" }",
        "{ submit = 10, cpu = 6, runtime = 50, user = \"b\" }",
        "{ submit = 20, cpu = 2, runtime = 10, user = \"a\" }",
    ]
    .map(String::from);
    let story = |queue: &str, order: &str| {
        format!(
            "job 3: user a, tier 0, 1 task(s) × cpu 2; estimate 10s
outcome: completed after 1 attempt(s); waited 1m 20s before its first start
queue discipline: {queue}

  0:00:20  submitted
  0:00:20  waiting: user b goes first ({order}), and its job 2 cannot start
  0:01:40  started (attempt 1) on node(s) 0
  0:01:50  finished
"
        )
    };
    assert_eq!(
        explain(&scenario(10, &jobs, "\"fair_share\""), "3"),
        story("fair_share", "lowest decayed usage per share")
    );
    assert_eq!(
        explain(&scenario(10, &jobs, "\"proportional\""), "3"),
        story("proportional", "lowest pass: least service per unit of weight")
    );
    // FIFO tries only the head: J3 is behind J2, and explain quotes J2's own reason instead.
    assert!(explain(&scenario(10, &jobs, "\"fifo\""), "3").contains(
        "waiting: not at the head under fifo; job 2 is first and cannot start: not enough free cpu (needs 6, 4 free)"
    ));
}

/// Regression: `explain` under conservative backfilling printed the reserved start as raw seconds
/// (`reserve: 100.000000`) while every other line reads as a clock. Same jobs as
/// `backfilling_explains_why_a_fitting_job_waits`: J3 (3 cores, 200 s) is reserved at J2's end, 200 s.
#[test]
fn explain_shows_conservative_reservations_as_clock_times() {
    let jobs = [
        "{ submit = 0, cpu = 6, runtime = 100 }",
        "{ submit = 1, cpu = 8, runtime = 100 }",
        "{ submit = 2, cpu = 3, runtime = 200 }",
    ]
    .map(String::from);
    let story = explain(&scenario(10, &jobs, "\"conservative_backfill\""), "3");
    assert!(story.contains("  0:00:02  reservation: start at 0:03:20\n"), "{story}");
    assert!(!story.contains("reserve:"), "{story}");
}

/// `explain` of a directory that does not exist says so (not "run again with --events").
#[test]
fn explain_of_a_missing_directory_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    let o =
        assert_cmd::Command::cargo_bin("clustersim").unwrap().arg("explain").arg(&missing).arg("1").output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("nope: no such results directory"), "{err}");
}
