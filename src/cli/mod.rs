//! The command line: one file per subcommand. Commands return an exit code; only this layer
//! prints.

mod check;
mod explain;
mod fmt;
mod output;
mod parse;

use clap::{Parser, Subcommand};

/// stforge — write, check and prove IEC 61131-3 Structured Text.
#[derive(Parser, Debug)]
#[command(name = "stforge", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check ST files and folders (recursively) as one project — syntax, names and types — and
    /// validate spec files (`*.spec.toml`).
    ///
    /// Exit status: 0 when no errors were found (warnings allowed), 1 when there were errors, 2
    /// on usage or internal errors.
    Check(check::Args),
    /// Format ST files canonically (upper-case keywords, 4-space indent), in place.
    ///
    /// Files with syntax errors are never rewritten. Files are written atomically, in their
    /// original encoding and line endings. With --check nothing is written: differences are
    /// shown and the exit status is 1 if any file would change.
    Fmt(fmt::Args),
    /// Explain a diagnostic code (e.g. `stforge explain S007`); without a code, list them all.
    Explain(explain::Args),
    /// Print the syntax tree of one ST file (for debugging and bug reports).
    Parse(parse::Args),
}

/// Exit statuses shared by all commands.
pub mod exit {
    pub const OK: i32 = 0;
    pub const FINDINGS: i32 = 1;
    pub const USAGE: i32 = 2;
}

pub fn run(cli: Cli) -> i32 {
    match cli.command {
        Command::Check(args) => check::run(args),
        Command::Fmt(args) => fmt::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Parse(args) => parse::run(args),
    }
}
