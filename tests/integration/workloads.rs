//! Real workloads end to end: SWF traces under convention P against the pyss oracle, counts, filters.

use crate::util::{run_toml, shared};
use clustersim::workloads::swf::{SwfOptions, read_swf};
use std::collections::BTreeMap;

const KTH_3000: &str = "workloads/KTH-SP2-1996-2.1-cln.first3000.swf";

/// (submit, procs, estimate, runtime) per job id from a pyss schedule CSV.
fn oracle_jobs(rel: &str) -> BTreeMap<u64, (u64, u64, u64, u64)> {
    let text = std::fs::read_to_string(shared(rel)).expect("oracle csv");
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("job_id,submit,start,end,procs,estimate,runtime"));
    lines
        .map(|l| {
            let v: Vec<u64> = l.split(',').map(|x| x.parse().expect("number")).collect();
            (v[0], (v[1], v[4], v[5], v[6]))
        })
        .collect()
}

#[test]
fn kth_first3000_under_convention_p_matches_the_pyss_input_columns() {
    let (w, header) = read_swf(&shared(KTH_3000), &SwfOptions::default()).expect("trace reads");
    assert_eq!(header.max_procs, Some(100));
    assert_eq!(header.job_lines, 3000);
    assert_eq!(w.jobs.len(), 3000);
    assert_eq!(w.skipped.total(), 0);
    let oracle = oracle_jobs("oracles/pyss-kth-first3000/FCFS.csv");
    assert_eq!(oracle.len(), 3000);
    for job in &w.jobs {
        let (submit, procs, estimate, runtime) = oracle[&job.id];
        let ours = (
            job.submit / 1_000_000,
            job.tasks as u64 * job.request.cpu,
            job.estimate / 1_000_000,
            job.runtime / 1_000_000,
        );
        assert_eq!(ours, (submit, procs, estimate, runtime), "job {}", job.id);
        assert_eq!(job.tasks, 1);
        assert_eq!(job.submit % 1_000_000 + job.runtime % 1_000_000 + job.estimate % 1_000_000, 0);
    }
    // submit order, ties in file order (job numbers ascend in this file)
    assert!(w.jobs.windows(2).all(|p| (p[0].submit, p[0].id) < (p[1].submit, p[1].id)));
}

/// A scenario with `type = "swf"` and no pools runs on one node of the header's MaxProcs cores; FIFO on it
/// starts every job exactly when pyss FCFS does.
#[test]
fn kth_first3000_scenario_with_fifo_reproduces_pyss_fcfs_starts() {
    let text = format!(
        r#"
name = "kth3000"
[workload]
type = "swf"
path = "{}"
[policy]
queue = "fifo"
"#,
        shared(KTH_3000).display()
    );
    let r = run_toml(&text);
    assert_eq!(r.output.cluster.nodes.len(), 1);
    assert_eq!(r.output.cluster.total_capacity.cpu, 100);
    let text = std::fs::read_to_string(shared("oracles/pyss-kth-first3000/FCFS.csv")).unwrap();
    let starts: BTreeMap<u64, u64> = text
        .lines()
        .skip(1)
        .map(|l| {
            let v: Vec<u64> = l.split(',').map(|x| x.parse().unwrap()).collect();
            (v[0], v[2])
        })
        .collect();
    let mut mismatches = 0;
    for (job, rec) in r.output.workload.jobs.iter().zip(&r.output.records) {
        if rec.first_start.map(|s| s / 1_000_000) != Some(starts[&job.id]) {
            mismatches += 1;
        }
    }
    assert_eq!(mismatches, 0);
    assert!((r.metrics.all.wait_mean - 83872.8553).abs() < 1e-3, "avg wait {}", r.metrics.all.wait_mean);
}
