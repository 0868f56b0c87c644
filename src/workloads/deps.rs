//! The workload-level dependency check: a cycle of dependencies (jobs waiting for each other) is an
//! error naming the cycle's job ids, whatever source built the dependencies.

use crate::model::{Job, JobIdx, Workload};

/// A cycle among the jobs' dependencies, as job indices: each waits for the next, the last for the
/// first; it starts with the cycle's smallest index. `None` when no job waits, directly or not, for itself.
///
/// Kahn's topological peeling (O(jobs + deps), no recursion): the jobs it cannot peel each wait for
/// another unpeeled job, so following those waits from one of them must come back to a job already seen.
pub fn find_cycle(jobs: &[Job]) -> Option<Vec<JobIdx>> {
    let n = jobs.len();
    let valid = |d: JobIdx| (d as usize) < n;
    if jobs.iter().all(|j| j.deps().is_empty()) {
        return None;
    }
    // Dependents of each job in compressed rows: dependents[start[d]..start[d + 1]] wait for d.
    let mut start = vec![0usize; n + 1];
    for j in jobs {
        for &d in j.deps().iter().filter(|&&d| valid(d)) {
            start[d as usize + 1] += 1;
        }
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    let mut dependents = vec![0 as JobIdx; start[n]];
    let mut waiting = vec![0u32; n];
    for (i, j) in jobs.iter().enumerate() {
        for &d in j.deps().iter().filter(|&&d| valid(d)) {
            dependents[fill[d as usize]] = i as JobIdx;
            fill[d as usize] += 1;
            waiting[i] += 1;
        }
    }
    let mut ready: Vec<usize> = (0..n).filter(|&i| waiting[i] == 0).collect();
    while let Some(d) = ready.pop() {
        for &i in &dependents[start[d]..start[d + 1]] {
            waiting[i as usize] -= 1;
            if waiting[i as usize] == 0 {
                ready.push(i as usize);
            }
        }
    }
    let first = (0..n).find(|&i| waiting[i] > 0)?;
    // Walk from `first` along waits for unpeeled jobs until a job repeats: the walk from there is a cycle.
    let mut seen_at = vec![u32::MAX; n];
    let mut walk: Vec<JobIdx> = Vec::new();
    let mut at = first;
    while seen_at[at] == u32::MAX {
        seen_at[at] = walk.len() as u32;
        walk.push(at as JobIdx);
        at = jobs[at]
            .deps()
            .iter()
            .map(|&d| d as usize)
            .find(|&d| d < n && waiting[d] > 0)
            .expect("an unpeeled job waits for another unpeeled job");
    }
    let mut cycle = walk.split_off(seen_at[at] as usize);
    let smallest = (0..cycle.len()).min_by_key(|&k| cycle[k]).expect("a cycle has a job");
    cycle.rotate_left(smallest);
    Some(cycle)
}

/// The message for a cycle of job indices: `jobs 1 -> 2 -> 1 depend on each other in a cycle: ...`,
/// with the jobs' own ids.
pub fn cycle_message(jobs: &[Job], cycle: &[JobIdx]) -> String {
    let mut ids: Vec<String> = cycle.iter().map(|&i| jobs[i as usize].id.to_string()).collect();
    ids.push(ids[0].clone());
    format!(
        "jobs {} depend on each other in a cycle (each waits for the next): none of them could ever start",
        ids.join(" -> ")
    )
}

/// Checks a finished workload: `Err` with [`cycle_message`] when some jobs wait for each other in a cycle.
pub fn check_workload(w: &Workload) -> Result<(), String> {
    match find_cycle(&w.jobs) {
        Some(cycle) => Err(cycle_message(&w.jobs, &cycle)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Resources;

    fn jobs(deps: &[&[JobIdx]]) -> Vec<Job> {
        deps.iter()
            .enumerate()
            .map(|(i, d)| {
                let mut j = Job::rigid(10 + i as u64, 0, 1, Resources::new(1, 0, 0), 1, 1);
                j.set_deps(d.to_vec());
                j
            })
            .collect()
    }

    #[test]
    fn finds_the_cycle_behind_a_chain_and_starts_it_at_its_smallest_index() {
        assert_eq!(find_cycle(&jobs(&[&[], &[0], &[1, 0]])), None);
        // 0 waits for 4 (outside the cycle), 4 waits for 3, 3 -> 2 -> 3 is the cycle
        let js = jobs(&[&[4], &[], &[3], &[1, 2], &[3]]);
        assert_eq!(find_cycle(&js), Some(vec![2, 3]));
        assert_eq!(cycle_message(&js, &[2, 3]).split(" depend").next(), Some("jobs 12 -> 13 -> 12"));
        assert_eq!(find_cycle(&jobs(&[&[0]])), Some(vec![0]));
    }

    #[test]
    fn a_long_chain_closed_into_a_ring_needs_no_recursion() {
        let n = 1_000_000u32;
        let mut js = jobs(&[]);
        js.extend((0..n).map(|i| {
            let mut j = Job::rigid(i as u64 + 1, 0, 1, Resources::new(1, 0, 0), 1, 1);
            j.set_deps(vec![(i + 1) % n]);
            j
        }));
        let cycle = find_cycle(&js).expect("a ring");
        assert_eq!((cycle.len(), cycle[0], cycle[1]), (n as usize, 0, 1));
        js[n as usize - 1].set_deps(Vec::new());
        assert_eq!(find_cycle(&js), None);
    }
}
