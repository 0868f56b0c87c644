//! The openb readers (Alibaba GPU trace v2023): every shared pod and node list read with every row
//! accounted for, each convention and error on a small file of its own, `trace stats` on both kinds
//! of file, and a scenario with `[cluster] nodes_file` and an openb workload run end to end.

use crate::util::{clustersim, shared};
use clustersim::model::time::SECOND;
use clustersim::workloads::openb::{
    self, OpenbKind, UNTIMED_RUNTIME, node_pools, read_nodes, read_nodes_with, read_pods, read_pods_with, to_workload,
};
use clustersim::workloads::swf::OnBadLine;
use std::path::{Path, PathBuf};

const POD_LISTS: [&str; 7] =
    ["default", "gpushare20", "gpushare60", "gpushare100", "gpuspec33", "multigpu20", "multigpu50"];

fn trace(file: &str) -> PathBuf {
    shared(&format!("workloads/alibaba-gpu-v2023/{file}"))
}

/// Rows under the header of a CSV file (its lines but the first, blank lines left out).
fn data_rows(path: &Path) -> u64 {
    std::fs::read_to_string(path).unwrap().lines().skip(1).filter(|l| !l.trim().is_empty()).count() as u64
}

/// (reason, count) of a skip or convention report.
fn counts(report: &clustersim::model::SkipReport) -> Vec<(&str, u64)> {
    report.reasons.iter().map(|(r, n)| (r.as_str(), *n)).collect()
}

#[test]
fn every_shared_openb_file_reads_with_every_row_accounted_for() {
    for name in POD_LISTS {
        let path = trace(&format!("openb_pod_list_{name}.csv"));
        assert_eq!(openb::detect(&path).unwrap(), Some(OpenbKind::Pods), "{name}");
        let pods = read_pods(&path).unwrap();
        assert_eq!(pods.rows, data_rows(&path), "{name}: every row read");
        assert_eq!(pods.rows, pods.pods.len() as u64 + pods.skipped.total(), "{name}: kept + skipped");
        assert_eq!(pods.lines.len(), pods.pods.len());
        assert_eq!(pods.timed, !name.starts_with("multigpu"), "{name}");
        let w = to_workload(&pods, UNTIMED_RUNTIME).unwrap();
        assert_eq!(w.jobs.len(), pods.pods.len(), "{name}: one job a pod");
        assert!(pods.pods.iter().all(|p| p.gpu_milli <= 1000 && (p.num_gpu == 0) == (p.gpu_milli == 0)), "{name}");
    }
    let default = read_pods(&trace("openb_pod_list_default.csv")).unwrap();
    assert_eq!((default.rows, default.pods.len()), (8152, 8152));
    let with = |k: u32| default.pods.iter().filter(|p| p.num_gpu == k).count();
    assert_eq!([with(0), with(1), with(2), with(4), with(8)], [1088, 6989, 16, 15, 44]);
    assert_eq!(default.pods.iter().filter(|p| p.is_share()).count(), 3078);
    assert_eq!(default.pods.iter().filter(|p| p.scheduled.is_none()).count(), 897);
    let p1 = &default.pods[1];
    assert_eq!(
        (p1.name.as_str(), p1.cpu_milli, p1.memory_mib, p1.num_gpu, p1.gpu_milli, p1.qos.as_deref()),
        ("openb-pod-0001", 6000, 12288, 1, 460, Some("LS"))
    );
    let spec = read_pods(&trace("openb_pod_list_gpuspec33.csv")).unwrap();
    assert!(spec.pods.iter().any(|p| p.gpu_spec.len() > 1), "gpu_spec split on `|`");

    for (file, count, gpu_nodes) in
        [("openb_node_list_all_node.csv", 1523, 1213), ("openb_node_list_gpu_node.csv", 1213, 1213)]
    {
        let path = trace(file);
        assert_eq!(openb::detect(&path).unwrap(), Some(OpenbKind::Nodes), "{file}");
        let nodes = read_nodes(&path).unwrap();
        assert_eq!((nodes.rows, nodes.nodes.len()), (count, count as usize), "{file}");
        assert_eq!(nodes.rows, data_rows(&path));
        assert_eq!(nodes.nodes.iter().filter(|n| n.gpus > 0).count(), gpu_nodes);
        assert_eq!(nodes.nodes.iter().map(|n| u64::from(n.gpus)).sum::<u64>(), 6212);
        assert!(nodes.conventions.reasons.is_empty(), "{file}: GPUs and models agree");
        let pools = node_pools(&nodes).unwrap();
        assert_eq!(pools.iter().map(|p| p.count as u64).sum::<u64>(), count, "{file}: every node in a pool");
        let g2 = pools.iter().find(|p| p.name == "G2-8gpu-96cpu").expect("a G2 pool");
        assert_eq!((g2.count, g2.cpu, g2.memory.0, g2.gpu, g2.labels.clone()), (549, 96, 393216, 8, vec!["G2".into()]));
    }
    let gpu = node_pools(&read_nodes(&trace("openb_node_list_gpu_node.csv")).unwrap()).unwrap();
    assert_eq!(gpu[0].name, "P100-2gpu-64cpu", "pools in order of first appearance");
    let all = node_pools(&read_nodes(&trace("openb_node_list_all_node.csv")).unwrap()).unwrap();
    assert_eq!((all[0].name.as_str(), all[0].labels.len()), ("cpu-32cpu", 0));
}

/// A pod list with one row for each GPU convention, skip reason and lifetime rule.
const CONVENTIONS: &str = "\
name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time
p0,12000,16384,1,1000,,LS,Running,0,100,10
p1,500,1024,1,1500,V100M16|V100M32,BE,Running,5,65,5
p2,2000,2048,1,0,,Burstable,Succeeded,10,20,12
p3,1000,1024,0,300,,Guaranteed,Running,20,30,20
p4,4000,4096,2,500,,LS,Running,30,40,30
p5,4000,4096,1,500,,LS,Failed,40,30,35
p6,8000,8192,1,250,G2,LS,Pending,50,80,
p7,8000,8192,8,1000,,,Running,60,60,60
p8,1000,1024,4,1000,,BE,Running,70,,70
";

#[test]
fn pod_conventions_are_applied_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pods.csv");
    std::fs::write(&path, CONVENTIONS).unwrap();
    let pods = read_pods(&path).unwrap();
    assert_eq!((pods.rows, pods.pods.len()), (9, 7));
    assert_eq!(
        counts(&pods.skipped),
        [
            ("multi-GPU share (num_gpu > 1 with gpu_milli < 1000)", 1),
            ("deletion_time before scheduled_time (or creation_time)", 1)
        ]
    );
    assert_eq!(pods.skipped.first_lines, [Some(6), Some(7)]);
    assert_eq!(
        pods.conventions.items(),
        [
            "1 with gpu_milli > 1000, clamped to 1000 (first: line 3)",
            "1 with num_gpu 1 and gpu_milli 0, read as CPU-only (num_gpu 0) (first: line 4)",
            "1 with gpu_milli > 0 and num_gpu 0, gpu_milli ignored (first: line 5)",
        ]
    );
    let shape: Vec<(u32, u32)> = pods.pods.iter().map(|p| (p.num_gpu, p.gpu_milli)).collect();
    assert_eq!(shape, [(1, 1000), (1, 1000), (0, 0), (0, 0), (1, 250), (8, 1000), (4, 1000)]);
    assert_eq!(pods.pods[1].gpu_spec, ["V100M16", "V100M32"]);
    assert_eq!((pods.pods[4].scheduled, pods.pods[5].qos.as_deref()), (None, None));

    let w = to_workload(&pods, 7 * SECOND).unwrap();
    let jobs: Vec<(u64, u64, u64, u64, u64, u64, u8)> = w
        .jobs
        .iter()
        .map(|j| (j.id, j.submit / SECOND, j.runtime / SECOND, j.request.cpu, j.request.mem, j.request.gpu, j.tier))
        .collect();
    assert_eq!(
        jobs,
        [
            (1, 0, 90, 12, 16384, 1, 2), // deletion − scheduled; LS = tier 2
            (2, 5, 60, 1, 1024, 1, 0),   // 500 milli-cores: 1 core; BE = tier 0
            (3, 10, 8, 2, 2048, 0, 1),   // Burstable = tier 1
            (4, 20, 10, 1, 1024, 0, 3),  // Guaranteed = tier 3
            (7, 50, 30, 8, 8192, 1, 2),  // Pending: deletion − creation
            (8, 60, 1, 8, 8192, 8, 0),   // a lifetime of 0 s made 1 s; no qos: tier 0
            (9, 70, 7, 1, 1024, 4, 0),   // no deletion time: untimed_runtime
        ]
    );
    assert!(w.jobs.iter().all(|j| j.tasks == 1 && j.user == 0 && j.estimate == j.runtime));
    assert_eq!(w.tiers, ["BE", "Burstable", "LS", "Guaranteed"]);
    assert_eq!(w.skipped.reasons, pods.skipped.reasons, "the rows skipped are the workload's");
    assert_eq!(
        w.skipped.notes,
        [
            "1 pod with gpu_milli > 1000, clamped to 1000 (first: line 3)",
            "1 pod with num_gpu 1 and gpu_milli 0, read as CPU-only (num_gpu 0) (first: line 4)",
            "1 pod with gpu_milli > 0 and num_gpu 0, gpu_milli ignored (first: line 5)",
            "1 pod without scheduled_time, run for deletion_time − creation_time (first: line 8)",
            "1 pod with a lifetime of 0 s, made 1 s (first: line 9)",
            "1 pod without qos, tier 0 (BE) (first: line 9)",
            "1 pod without a lifetime (no deletion_time), run for `untimed_runtime` (first: line 10)",
        ]
    );
}

#[test]
fn the_short_header_in_any_order_reads_untimed_pods() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("multigpu.csv");
    std::fs::write(&path, "gpu_milli,name,num_gpu,memory_mib,cpu_milli\n500,a,1,1024,1000\n1000,b,2,2048,2500\n")
        .unwrap();
    let pods = read_pods(&path).unwrap();
    assert!(!pods.timed);
    let p = &pods.pods[1];
    assert_eq!((p.name.as_str(), p.cpu_milli, p.memory_mib, p.num_gpu, p.gpu_milli), ("b", 2500, 2048, 2, 1000));
    assert_eq!((p.creation, p.deletion, p.scheduled, p.phase.as_deref()), (None, None, None, None));
    let w = to_workload(&pods, UNTIMED_RUNTIME).unwrap();
    assert!(w.jobs.iter().all(|j| j.submit == 0 && j.runtime == 3600 * SECOND));
    assert_eq!((w.jobs[1].request.cpu, w.jobs[1].request.gpu), (3, 2));
    assert_eq!(
        w.skipped.notes,
        ["the pod list has no time columns: every pod submitted at 0 and run for 1h (`untimed_runtime`)"]
    );
}

#[test]
fn a_gzip_pod_list_reads_as_the_plain_one_whatever_its_name() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("pods.csv");
    std::fs::write(&plain, CONVENTIONS).unwrap();
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(CONVENTIONS.as_bytes()).unwrap();
    let packed = dir.path().join("pods.data");
    std::fs::write(&packed, encoder.finish().unwrap()).unwrap();
    assert_eq!(openb::detect(&packed).unwrap(), Some(OpenbKind::Pods));
    let (a, b) = (read_pods(&plain).unwrap(), read_pods(&packed).unwrap());
    assert_eq!((a.pods, a.lines, a.skipped, a.conventions), (b.pods, b.lines, b.skipped, b.conventions));
}

#[test]
fn node_conventions_are_counted_and_identical_nodes_make_one_pool() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nodes.csv");
    let text = "sn,cpu_milli,memory_mib,gpu,model\n\
                n0,96000,393216,8,G2\n\
                n1,32000,262144,0,\n\
                n2,96000,393216,8,G2\n\
                n3,8000,32768,2,\n\
                n4,16000,65536,0,T4\n\
                n5,96000,786432,8,G2\n\
                n6,96500,393216,8,G2\n";
    std::fs::write(&path, text).unwrap();
    let nodes = read_nodes(&path).unwrap();
    assert_eq!(nodes.rows, 7);
    assert_eq!(
        nodes.conventions.items(),
        ["1 with GPUs but no model (first: line 5)", "1 with a GPU model but no GPU (first: line 6)"]
    );
    assert_eq!((nodes.nodes[1].model.as_deref(), nodes.nodes[4].gpus), (None, 0));
    let pools = node_pools(&nodes).unwrap();
    let shown: Vec<(&str, u32, u64, u64, u64)> =
        pools.iter().map(|p| (p.name.as_str(), p.count, p.cpu, p.memory.0, p.gpu)).collect();
    assert_eq!(
        shown,
        [
            ("G2-8gpu-96cpu", 2, 96, 393216, 8),
            ("cpu-32cpu", 1, 32, 262144, 0),
            ("gpu-2gpu-8cpu", 1, 8, 32768, 2),
            ("T4-0gpu-16cpu", 1, 16, 65536, 0),
            ("G2-8gpu-96cpu-786432mib", 1, 96, 786432, 8),
            ("G2-8gpu-96cpu-393216mib", 1, 96, 393216, 8), // 96.5 cores: 96 whole cores
        ]
    );
    assert_eq!(pools[3].labels, ["T4"]);
}

/// Writes `text` at `path` and reads it as a pod list, expecting an error: its message.
fn pod_error(path: &Path, text: &str) -> String {
    std::fs::write(path, text).unwrap();
    read_pods(path).unwrap_err().to_string()
}

#[test]
fn pod_and_node_errors_name_the_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pods.csv");
    let at = |line: u64, m: &str| format!("{}:{line}: {m}", path.display());
    let valid = "name, cpu_milli, memory_mib, num_gpu, gpu_milli, gpu_spec, qos, pod_phase, creation_time, \
                 deletion_time, scheduled_time";
    let short = "name,cpu_milli,memory_mib,num_gpu,gpu_milli";
    assert_eq!(
        pod_error(&path, &format!("{short},colour\na,1,1,0,0,red\n")),
        at(1, &format!("unknown column 6 `colour` (valid columns: {valid})"))
    );
    assert_eq!(
        pod_error(&path, "name,cpu_milli,memory_mib,num_gpu\na,1,1,0\n"),
        at(
            1,
            &format!(
                "the header has no `gpu_milli` column (required: name, cpu_milli, memory_mib, num_gpu, gpu_milli; \
                 valid columns: {valid})"
            )
        )
    );
    assert_eq!(
        pod_error(&path, &format!("{short}\na,1000,1,0,0\nb,12x,1024,1,500\n")),
        at(3, "column 2 `cpu_milli`: `12x` is not a whole number ≥ 0")
    );
    assert_eq!(
        pod_error(&path, &format!("{short}\na,1000,1,-1,0\n")),
        at(2, "column 4 `num_gpu`: `-1` is not a whole number ≥ 0")
    );
    assert_eq!(pod_error(&path, &format!("{short}\na,,1,0,0\n")), at(2, "column `cpu_milli` is empty"));
    assert_eq!(pod_error(&path, &format!("{short}\n,1,1,0,0\n")), at(2, "column `name` is empty"));
    assert_eq!(
        pod_error(&path, &format!("{short}\na,1,1,0\n")),
        at(2, "expected 5 fields, as the header has, found 4")
    );
    assert_eq!(
        pod_error(&path, &format!("{short},qos\na,1,1,0,0,Gold\n")),
        at(2, "column `qos`: `Gold` is none of BE, Burstable, LS, Guaranteed")
    );
    assert_eq!(
        pod_error(&path, &format!("{short},creation_time\na,1,1,0,0,soon\n")),
        at(2, "column 6 `creation_time`: `soon` is not a whole number ≥ 0")
    );
    // skipped and counted instead, every row still accounted for
    std::fs::write(&path, format!("{short}\na,1000,1,0,0\nb,x,1,0,0\nc,1\nd,1000,1,2,500\ne,1000,1,1,500\n")).unwrap();
    let pods = read_pods_with(&path, OnBadLine::Skip).unwrap();
    assert_eq!((pods.rows, pods.pods.len()), (5, 2));
    assert_eq!(
        counts(&pods.skipped),
        [("malformed line", 2), ("multi-GPU share (num_gpu > 1 with gpu_milli < 1000)", 1)]
    );
    assert_eq!(pods.skipped.first_lines, [Some(3), Some(5)]);

    let nodes = dir.path().join("nodes.csv");
    let node_error = |text: &str| {
        std::fs::write(&nodes, text).unwrap();
        read_nodes(&nodes).unwrap_err().to_string()
    };
    let at = |line: u64, m: &str| format!("{}:{line}: {m}", nodes.display());
    assert_eq!(
        node_error("sn,cpu,memory_mib,gpu,model\nn,1,1,0,\n"),
        at(1, "unknown column 2 `cpu` (valid columns: sn, cpu_milli, memory_mib, gpu, model)")
    );
    assert_eq!(
        node_error("sn,cpu_milli,memory_mib\nn,1,1\n"),
        at(
            1,
            "the header has no `gpu` column (required: sn, cpu_milli, memory_mib, gpu; valid columns: sn, cpu_milli, \
             memory_mib, gpu, model)"
        )
    );
    assert_eq!(
        node_error("sn,cpu_milli,memory_mib,gpu,model\nn0,1000,1,0,\nn1,1000,1,two,T4\n"),
        at(3, "column 4 `gpu`: `two` is not a whole number ≥ 0")
    );
    std::fs::write(&nodes, "sn,cpu_milli,memory_mib,gpu\nn0,1000,1,0\nn1,x,1,0\n").unwrap();
    let read = read_nodes_with(&nodes, OnBadLine::Skip).unwrap();
    assert_eq!((read.rows, read.nodes.len(), counts(&read.skipped)), (2, 1, vec![("malformed line", 1)]));
    std::fs::write(&nodes, "sn,cpu_milli,memory_mib,gpu\nn0,1000,1,0\nn1,500,1,0\n").unwrap();
    assert_eq!(
        node_pools(&read_nodes(&nodes).unwrap()).unwrap_err().to_string(),
        at(3, "node `n1` has 500 milli-cores; a node of the cluster has 1 to 1,000,000 whole cores")
    );
}

#[test]
fn trace_stats_reads_both_kinds_of_openb_file_and_exits_2_on_an_error() {
    let out = clustersim().args(["trace", "stats"]).arg(trace("openb_pod_list_default.csv")).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    for line in [
        "format         openb pod list\n",
        "rows           8152\npods           8152\nskipped        0\n",
        "note           897 pods without scheduled_time, run for deletion_time − creation_time (first: line 63)\n",
        "by GPU shape   CPU-only 1088, 1 GPU 6989 (share 3078, whole 3911), 2 GPUs 16, 4 GPUs 15, 8 GPUs 44\n",
        "by phase       Running 5193, Failed 1870, Pending 897, Succeeded 192\n",
        "by qos         LS 4647, BE 3398, Burstable 100, Guaranteed 7\n",
        "GPU demand     6086.80 GPUs (1731.80 in shares)\n",
        "submit span    0 … 12901761 s (149.3 days)\n",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
    let out = clustersim().args(["trace", "stats"]).arg(trace("openb_node_list_gpu_node.csv")).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for line in [
        "format         openb node list\n",
        "rows           1213\nnodes          1213\nskipped        0\n",
        "total          107018 cores, 492020 GiB memory, 6212 GPUs\n",
        "  G2                549     4392\n",
        "  T4                404      842\n",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "name,cpu_milli,memory_mib,num_gpu,gpu_milli\na,1000,1,0,0\nb,lots,1,0,0\n").unwrap();
    let out = clustersim().args(["trace", "stats"]).arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("bad.csv:3: column 2 `cpu_milli`: `lots` is not a whole number ≥ 0"), "{stderr}");
    let out = clustersim().args(["trace", "stats", "--skip-bad-lines"]).arg(&bad).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("skipped        1\n           1  malformed line (first: line 3)\n"), "{text}");
    let out = clustersim().args(["trace", "stats", "--procs", "4"]).arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    // read as a CSV job list, the error says what the file is
    let err = clustersim::workloads::csv_jobs::read_csv_jobs(&bad, &[], OnBadLine::Error).unwrap_err().to_string();
    assert!(err.ends_with("the header is an openb pod list's: read it with `type = \"openb\"`"), "{err}");
}

/// A scenario with the cluster from a node list and an openb workload, in `dir`.
fn write_scenario(dir: &Path, cluster: &str) -> PathBuf {
    std::fs::write(dir.join("pods.csv"), CONVENTIONS).unwrap();
    std::fs::write(
        dir.join("nodes.csv"),
        "sn,cpu_milli,memory_mib,gpu,model\nn0,16000,65536,8,G2\nn1,16000,65536,8,G2\nn2,8000,16384,0,\n",
    )
    .unwrap();
    let path = dir.join("openb.toml");
    let text = format!(
        "name = \"openb\"\n{cluster}\n[workload]\ntype = \"openb\"\npath = \"pods.csv\"\nuntimed_runtime = \"2m\"\n"
    );
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_scenario_with_nodes_file_and_an_openb_workload_validates_runs_and_sweeps() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write_scenario(dir.path(), "[cluster]\nnodes_file = \"nodes.csv\"");
    clustersim().arg("validate").arg(&scenario).assert().success();
    let out = dir.path().join("out");
    let run = clustersim().arg("run").arg(&scenario).arg("--out").arg(&out).arg("--no-charts").output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let stderr = String::from_utf8(run.stderr).unwrap();
    assert!(stderr.contains("pods.csv: 1 pod with gpu_milli > 1000, clamped to 1000 (first: line 3)"), "{stderr}");
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(manifest.contains("multi-GPU share (num_gpu > 1 with gpu_milli < 1000)"), "{manifest}");
    let jobs = std::fs::read_to_string(out.join("jobs.csv")).unwrap();
    assert_eq!(jobs.lines().count(), 1 + 7, "{jobs}");
    let nodes = std::fs::read_to_string(out.join("nodes.csv")).unwrap();
    assert!(nodes.contains("G2-8gpu-16cpu") && nodes.contains("cpu-8cpu"), "{nodes}");

    let sweep = dir.path().join("sweep.toml");
    let text = std::fs::read_to_string(&scenario).unwrap() + "[sweep]\nqueue = [\"fifo\", \"easy_backfill\"]\n";
    std::fs::write(&sweep, text).unwrap();
    let out = dir.path().join("sweep-out");
    let run = clustersim().arg("run").arg(&sweep).arg("--out").arg(&out).arg("--no-charts").output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    assert_eq!(summary.lines().count(), 3, "{summary}");
}

#[test]
fn a_bad_nodes_file_is_an_error_naming_the_key_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write_scenario(dir.path(), "[cluster]\nnodes_file = \"nodes.csv\"");
    std::fs::write(dir.path().join("nodes.csv"), "sn,cpu_milli,memory_mib,gpu,model\nn0,16000,lots,8,G2\n").unwrap();
    let out = clustersim().arg("validate").arg(&scenario).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("key `cluster.nodes_file`: ")
            && stderr.contains("nodes.csv:2: column 3 `memory_mib`: `lots` is not a whole number ≥ 0"),
        "{stderr}"
    );
    let both = write_scenario(
        dir.path(),
        "[cluster]\nnodes_file = \"nodes.csv\"\n[[cluster.pools]]\nname = \"a\"\ncount = 1\ncpu = 4",
    );
    let out = clustersim().arg("validate").arg(&both).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("give the cluster as `nodes_file` or as [[cluster.pools]], not both"), "{stderr}");
    let missing = write_scenario(dir.path(), "[cluster]\nnodes_file = \"absent.csv\"");
    let out = clustersim().arg("validate").arg(&missing).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr).unwrap().contains("absent.csv"));
}

#[test]
fn the_shared_gpu_cluster_runs_the_default_pod_list() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("s.toml");
    let text = format!(
        "name = \"openb-default\"\n[cluster]\nnodes_file = {:?}\n[workload]\ntype = \"openb\"\npath = {:?}\n",
        trace("openb_node_list_gpu_node.csv"),
        trace("openb_pod_list_default.csv")
    );
    std::fs::write(&scenario, text).unwrap();
    let sc = clustersim::scenario::Scenario::load(&scenario).unwrap();
    assert_eq!(sc.cluster.pools.iter().map(|p| p.count).sum::<u32>(), 1213);
    let w = sc.build_workload(1).unwrap();
    assert_eq!(w.jobs.len(), 8152);
    let gpus: u64 = w.jobs.iter().map(|j| j.request.gpu).sum();
    assert_eq!(gpus, 6989 + 16 * 2 + 15 * 4 + 44 * 8, "a share counts as one GPU in the batch view");
}
