//! The simulator. So far: run-time values and the arithmetic of the elementary types
//! (`value.rs`), which fix what a program computes; the scan-cycle executor over the IR lands
//! with issue 4 (see ARCHITECTURE.md, "Next").

pub mod value;
