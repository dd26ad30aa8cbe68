//! The scan-cycle simulator: runs a lowered [`crate::ir::Program`] scan by scan on a simulated
//! clock.

mod exec;
pub mod trace;

pub use exec::{Machine, RunFault};
