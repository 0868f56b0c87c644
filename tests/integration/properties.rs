//! Property tests on random small scenarios: capacity never exceeded, time never goes back, every job ends in exactly one state.

use clustersim::policies::{allocation, names, queue, selection};
use clustersim::runner::RunOptions;
use proptest::prelude::*;

use crate::util::run_toml_with;

/// A random job line for an inline `type = "list"` workload.
fn job() -> impl Strategy<Value = String> {
    (0u64..500, 1u64..300, 1u64..4, 1u32..4, 1u64..9, 0u64..4096, 0u64..3, 0u8..2, 0u32..4, 0u32..3).prop_map(
        |(submit, runtime, over, tasks, cpu, mem, gpu, tier, user, est)| {
            let estimate = if est == 0 { runtime / 2 + 1 } else { runtime * over };
            let gpu = if gpu == 2 { 1 } else { 0 };
            format!(
                "{{ submit = {submit}, runtime = {runtime}, estimate = {estimate}, tasks = {tasks}, cpu = {cpu}, \
                 memory = {mem}, gpu = {gpu}, tier = {tier}, user = \"u{user}\" }}"
            )
        },
    )
}

fn scenario() -> impl Strategy<Value = String> {
    let pick = |v: Vec<&'static str>| proptest::sample::select(v);
    (
        proptest::collection::vec(job(), 1..40),
        1u32..5,
        1u32..3,
        pick(names(selection::BY_NAME)),
        pick(names(allocation::BY_NAME)),
        pick(names(queue::BY_NAME)),
        any::<bool>(),
        proptest::option::of(50u64..600),
    )
        .prop_map(|(jobs, cpu_nodes, gpu_nodes, sel, alloc, q, kill, horizon)| {
            let horizon = horizon.map(|h| format!("horizon = {h}\n")).unwrap_or_default();
            format!(
                r#"name = "prop"
{horizon}
[[cluster.pools]]
name = "cpu"
count = {cpu_nodes}
cpu = 8
memory = 8192
[[cluster.pools]]
name = "gpu"
count = {gpu_nodes}
cpu = 4
memory = 4096
gpu = 2
[workload]
type = "list"
jobs = [
{}
]
[policy]
selection = "{sel}"
allocation = "{alloc}"
queue = "{q}"
kill_at_estimate = {kill}
"#,
                jobs.join(",\n")
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold_on_random_scenarios(text in scenario()) {
        let r = run_toml_with(&text, &RunOptions { audit: true, log_events: true });
        prop_assert!(r.output.audit_violations.is_empty(), "{:?}\n{text}", r.output.audit_violations);
        // Every job ends in exactly one state and the counts add up.
        let a = &r.metrics.all;
        prop_assert_eq!(a.completed + a.failed + a.cancelled + a.unfinished, a.jobs);
        // ... and with those submitted after a horizon, to the input jobs.
        prop_assert_eq!((a.jobs + a.not_submitted) as usize, r.output.workload.jobs.len());
        // Time in the event log never decreases.
        let log = r.output.log.as_ref().unwrap();
        prop_assert!(log.windows(2).all(|w| w[0].time <= w[1].time));
        // Without a horizon, every job that can ever fit finishes.
        if !text.contains("horizon") {
            prop_assert_eq!(a.unfinished, 0, "{}", text);
        }
        // Jobs end after they start, and start no earlier than submitted.
        for (job, rec) in r.output.workload.jobs.iter().zip(&r.output.records) {
            if let (Some(s), Some(e)) = (rec.first_start, rec.end) {
                prop_assert!(s >= job.submit && e >= s);
            }
        }
    }
}
