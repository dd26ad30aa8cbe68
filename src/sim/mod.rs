//! The scan-cycle simulator: runs a lowered [`crate::ir::Program`] scan by scan on a simulated
//! clock.

mod exec;

pub use exec::{Machine, RunFault};
