//! stforge: write, check and prove IEC 61131-3 Structured Text.
//!
//! The library holds the whole toolchain; the `stforge` binary is a thin command line over it.
//! See ARCHITECTURE.md for the layout and its invariants.

pub mod check;
pub mod cli;
pub mod diagnostics;
pub mod export;
pub mod ir;
pub mod llm;
pub mod pipeline;
pub mod property;
pub mod repair;
pub mod sema;
pub mod sim;
pub mod source;
pub mod spec;
pub mod syntax;
pub mod table;
pub mod testrun;
pub mod value;
pub mod verify;
