//! Online observers of a running simulation: the starvation watch (which waiting jobs sat in the queue
//! while there was room for them) and the timeline sampler. They read the world; policies never see them.

pub mod starvation;
pub mod timeline;
