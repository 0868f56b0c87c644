//! The simulated world: time, resources, nodes and the cluster, jobs and workloads.

pub mod free_index;
pub mod gpu;
pub mod gpu_frag;
pub mod job;
pub mod node;
pub mod pool_spec;
pub mod resources;
pub mod time;

pub use job::{Job, JobIdx, Malleable, SkipReport, Workload};
pub use node::{Cluster, Node, NodeIdx, Pool};
pub use pool_spec::{Memory, PoolSpec};
pub use resources::Resources;
pub use time::{Duration, SECOND, Time};
