//! The inputs of a GPU-sharing study: the node list as GPU nodes and each pod list as tasks with
//! their typical mix, GPU models interned into one table.

use crate::error::{Error, Result};
use crate::model::gpu::{GpuNode, GpuTask, MAX_DEVICES, ModelSet, ModelTable};
use crate::model::gpu_frag::TaskMix;
use crate::workloads::openb::{OpenbNode, OpenbPod, read_nodes, read_pods};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One pod list, ready to place.
pub struct Trace {
    /// The file's stem (`openb_pod_list_default`), naming the trace in outputs.
    pub name: String,
    pub path: PathBuf,
    pub tasks: Vec<GpuTask>,
    /// The typical tasks of the list as read (before inflation).
    pub mix: Arc<TaskMix>,
    /// Rows read, and what the reader's conventions and skips did (for the run's notes).
    pub rows: u64,
    pub notes: Vec<String>,
}

/// Everything a study places: the cluster and the traces.
pub struct Inputs {
    pub nodes: Vec<GpuNode>,
    pub node_names: Vec<String>,
    pub models: ModelTable,
    pub traces: Vec<Trace>,
}

impl Inputs {
    /// Milli-GPU of the whole cluster.
    pub fn gpu_capacity(&self) -> u64 {
        self.nodes.iter().map(|n| n.gpu_left()).sum()
    }
}

/// Reads the node list and every pod list; `typical` is the share the typical mix covers.
pub fn read(nodes: &Path, traces: &[PathBuf], typical: f64) -> Result<Inputs> {
    let listed = read_nodes(nodes)?;
    let mut models = ModelTable::default();
    let mut out = Vec::with_capacity(listed.nodes.len());
    for (node, line) in listed.nodes.iter().zip(&listed.lines) {
        out.push(gpu_node(node, &mut models).map_err(|m| Error::Other(format!("{}:{line}: {m}", nodes.display())))?);
    }
    if out.iter().all(|n| n.gpus == 0) {
        return Err(Error::Other(format!("{}: no node has a GPU; a GPU-sharing study needs some", nodes.display())));
    }
    let mut read_traces = Vec::with_capacity(traces.len());
    for path in traces {
        let pods = read_pods(path)?;
        let mut tasks = Vec::with_capacity(pods.pods.len());
        for (pod, line) in pods.pods.iter().zip(&pods.lines) {
            tasks
                .push(gpu_task(pod, &mut models).map_err(|m| Error::Other(format!("{}:{line}: {m}", path.display())))?);
        }
        if tasks.is_empty() {
            return Err(Error::Other(format!("{}: no pod to place", path.display())));
        }
        let mut notes = crate::workloads::openb::convention_notes(&pods.conventions, ("pod", "pods"));
        notes.extend(crate::workloads::openb::convention_notes(&pods.skipped, ("pod", "pods")));
        let mix = Arc::new(TaskMix::typical(tasks.iter().copied(), typical));
        read_traces.push(Trace { name: stem(path), path: path.clone(), tasks, mix, rows: pods.rows, notes });
    }
    let node_names = listed.nodes.iter().map(|n| n.name.clone()).collect();
    Ok(Inputs { nodes: out, node_names, models, traces: read_traces })
}

fn gpu_node(node: &OpenbNode, models: &mut ModelTable) -> std::result::Result<GpuNode, String> {
    if node.gpus as usize > MAX_DEVICES {
        return Err(format!(
            "node `{}` has {} GPUs; at most {MAX_DEVICES} per node are modelled",
            node.name, node.gpus
        ));
    }
    let model = match &node.model {
        Some(m) if node.gpus > 0 => Some(intern(models, m)?),
        _ => None,
    };
    Ok(GpuNode::new(node.cpu_milli, node.memory_mib, node.gpus as u8, model))
}

fn gpu_task(pod: &OpenbPod, models: &mut ModelTable) -> std::result::Result<GpuTask, String> {
    if pod.num_gpu as usize > MAX_DEVICES {
        return Err(format!("pod `{}` asks for {} GPUs; no node has more than {MAX_DEVICES}", pod.name, pod.num_gpu));
    }
    let mut set: ModelSet = 0;
    for m in &pod.gpu_spec {
        set |= 1 << intern(models, m)?;
    }
    Ok(GpuTask {
        cpu_milli: pod.cpu_milli,
        mem_mib: pod.memory_mib,
        gpus: pod.num_gpu,
        milli: pod.gpu_milli,
        models: set,
    })
}

fn intern(models: &mut ModelTable, name: &str) -> std::result::Result<u16, String> {
    models.intern(name).ok_or_else(|| format!("more than {} GPU models in the study", ModelTable::MAX))
}

/// A file's name without its extensions (`openb_pod_list_default.csv.gz` → `openb_pod_list_default`).
pub fn stem(path: &Path) -> String {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    name.split('.').next().unwrap_or(&name).to_string()
}
