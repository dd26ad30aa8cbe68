//! The scan-cycle simulator: runs a lowered [`crate::ir::Program`] scan by scan on a simulated
//! clock.

mod builtins;
mod exec;
pub mod value;

pub use exec::{Machine, RunFault};
