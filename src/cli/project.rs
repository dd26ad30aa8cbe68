//! The options every command that reads a whole project shares.

use crate::sema::Dialect;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct ProjectArgs {
    /// Files or folders the project depends on (libraries, vendor declarations): their
    /// declarations are used, their own errors are not reported. Repeatable.
    #[arg(long = "lib", value_name = "PATH")]
    pub libraries: Vec<PathBuf>,
    /// The dialect whose rules apply: `iec` (IEC 61131-3 3rd edition, strict conversions,
    /// overflow and REAL division by zero are run-time errors), `codesys` and `twincat` (vendor
    /// extensions such as POINTER TO, REFERENCE TO, AND_THEN, S=/R=, lenient implicit conversions
    /// with T035 warnings; integers wrap around and REALs follow IEEE 754 when simulated),
    /// `siemens`, `rusty` (RuSTy: as `codesys`, and REF_TO values compute and convert as
    /// addresses, like POINTER TO).
    #[arg(long, value_enum, default_value_t = Dialect::Iec)]
    pub dialect: Dialect,
}
