//! stforge: write, check and prove IEC 61131-3 Structured Text.

pub mod diagnostics;
pub mod source;
pub mod syntax;
