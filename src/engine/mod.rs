//! The discrete-event engine: the event queue, the event enum and the simulation loop.

pub mod ctx;
pub mod diagnose;
pub mod event;
pub mod faults;
pub mod gpu;
pub mod observe;
pub mod placement;
pub mod ports;
pub mod queue;
pub mod sim;
pub mod world;

pub use event::Event;
pub use queue::EventQueue;
pub use sim::{RunOutput, Simulation};
