//! The command line: one file per subcommand. Commands return an exit code; only this layer
//! prints.

mod backend;
mod check;
mod eval;
mod explain;
mod export;
mod fmt;
mod generate;
mod model;
mod output;
mod parse;
mod project;
mod test;
mod verify;

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
    /// Run a spec's tests against an implementation on the scan-cycle simulator.
    ///
    /// The implementation is checked first, as by `stforge check`; it must declare the spec's
    /// POU with the spec's kind and every input, output and in-out with the same role and type
    /// (P006 otherwise). Each `[[test]]` starts from a fresh instance at T#0s, with the spec's
    /// `init` values written to its inputs. A step writes its `set` values (inputs keep them
    /// until a later step changes them), runs one scan, then one more scan per `cycle` of its
    /// `wait`; the clock advances by `cycle` after every scan. Then each `expect` is compared
    /// with the variable (`result` for a function): exactly, or within `tol` of `approx`. A
    /// test stops at its first failing step or run-time fault (R001 division by zero, R002
    /// overflow, R003 index out of bounds, …).
    ///
    /// Text output: `PASS test "name"` or `FAIL test "name"` per test; for a failure, one line
    /// `test "name" step N: Var expected X, got Y` per failed expectation (values as ST
    /// literals), then the scan number and simulated time, the inputs, every expectation of
    /// the step against the actual values, and the step's place in the spec; a summary line
    /// last. `--format junit` writes JUnit XML instead.
    ///
    /// Exit status: 0 when every test passed, 1 when a test failed or the tests could not run
    /// (errors in the spec or the implementation), 2 on usage errors (bad options, unreadable
    /// files).
    Test(test::Args),
    /// Prove a spec's properties, and that no run-time fault can happen, for every input.
    ///
    /// `stforge verify SPEC IMPL…` checks the spec's invariants and responses and the implicit
    /// checks of the code (division by zero R001, overflow R002 in the strict dialect, index out
    /// of bounds R003, conversion out of range R004) on the spec's POU; `stforge verify FILE…`
    /// checks every PROGRAM, FUNCTION_BLOCK and FUNCTION for run-time faults with its inputs
    /// free. Inputs may take any value in every scan, within the spec's `[[assume]]`s; the clock
    /// advances between `cycle_min` and `cycle_max` (both `cycle` unless given).
    ///
    /// Each gets a verdict: PROVED (by k-induction, with k; no depth bound), VIOLATED (with a
    /// counterexample that the simulator has replayed, printed as a table of scans) or UNKNOWN
    /// (with the reason: depth or time reached, a construct the verifier does not support, a
    /// loop that may run more than --unwind passes). Properties are proved for executions
    /// without run-time faults; the faults are the implicit checks.
    ///
    /// Exit status: 0 when everything was proved, 1 when something was violated (or nothing
    /// could be verified because of errors), 3 when nothing was violated but something is
    /// unknown, 2 on usage errors or an internal error (a counterexample that did not replay).
    Verify(verify::Args),
    /// Generate a POU for a spec with an LLM — a local GGUF model (default), an
    /// OpenAI-compatible server, or any command — and repair it until it passes every check.
    ///
    /// stforge writes the POU header and the spec's declarations; the model writes its locals
    /// and the body. The prompt shows the most similar solved tasks of corpus/tasks (never the
    /// spec's own), the spec's description, properties and tests, and the standard function
    /// blocks that fit. With the local backend a grammar constrains every token, so the output
    /// always parses; other backends' outputs are parsed and asked again when they do not.
    ///
    /// Each candidate is judged: parse, types and interface, the spec's tests on the
    /// simulator, then verification of the properties and implicit checks. The first failing
    /// stage's findings (diagnostics with the code around them, the failing test step with the
    /// trace of scans before it, the counterexample) go back to the model with its code, until
    /// a candidate passes or the budget (--attempts, --time-budget, --token-budget) is spent.
    /// A report of every attempt (stage, findings, diff) is printed, and written as JSON with
    /// --report.
    ///
    /// The passing POU is written atomically with a header comment recording its provenance
    /// (stforge version, model and its sha256, seed, the spec's sha256, attempts) and every
    /// property's verdict; next to the spec as NAME.st unless -o is given, never over an
    /// existing file without --force. A property the verifier could not decide is `unknown`
    /// in the header, never `proved`. Nothing that failed a check is written unless
    /// --allow-unverified, and then its header says which check failed.
    ///
    /// Exit status: 0 when a candidate passed and every property and check was proved, 3 when
    /// it passed with something unknown, 1 when no candidate passed or the generator failed
    /// (G-coded error), 2 on usage errors.
    Generate(generate::Args),
    /// Run the generate-and-repair loop over every spec in a folder (recursively) and report
    /// what it achieved.
    ///
    /// A table per task: passed, attempts, the stage the first and the last attempt failed
    /// (parse, types, tests, verify), tokens and seconds, and what the spec lets the judge
    /// check (its tests and properties; a spec with neither is judged on parsing, types and
    /// the implicit checks only). Then the totals: the one-shot pass rate (first attempt), the
    /// pass rate with repair, and per stage how many tasks got past it, first attempt against
    /// best attempt. Retrieval never shows a task its own solution. Nothing is written next to
    /// the specs. `--format json` for tracking.
    ///
    /// Exit status: 0 when the evaluation ran (whatever the pass rate), 2 on usage errors or
    /// when the generator cannot be started.
    Eval(eval::Args),
    /// Manage models: `stforge model fetch` downloads the default model; `stforge model path`
    /// shows which model `generate` uses.
    Model(model::Args),
    /// Export ST (or any format `check` reads) to PLCopen XML 2.01, TwinCAT 3, Siemens SCL or
    /// formatted ST.
    ///
    /// `--format plcopen -o project.xml` writes one PLCopen project valid against
    /// tc6_xml_v201.xsd; `--format twincat -o FOLDER` one .TcPOU/.TcDUT/.TcGVL/.TcIO per object;
    /// `--format scl -o blocks.scl` one SCL source; `--format st -o all.st` formatted ST.
    /// `--format plcopen --into project.xml` replaces or adds POUs and data types in an
    /// existing project and keeps the original as project.xml.bak. Comments before a POU (a
    /// generated program's provenance header) are kept where each tool keeps them. A construct
    /// the target cannot express is reported (X006) and nothing is written; existing output
    /// files are only replaced with --force.
    ///
    /// Exit status: 0 when exported, 1 when the input has errors or cannot be expressed, 2 on
    /// usage errors (bad options, unreadable files, outputs that exist).
    Export(export::Args),
}

/// Exit statuses shared by all commands.
pub mod exit {
    pub const OK: i32 = 0;
    pub const FINDINGS: i32 = 1;
    pub const USAGE: i32 = 2;
    /// Nothing failed, but something could not be proved (`verify`, `generate`).
    pub const UNKNOWN: i32 = 3;
    /// Stopped by Ctrl-C (128 + SIGINT, as shells report it).
    pub const INTERRUPTED: i32 = 130;
}

pub fn run(cli: Cli) -> i32 {
    match cli.command {
        Command::Check(args) => check::run(args),
        Command::Fmt(args) => fmt::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Parse(args) => parse::run(args),
        Command::Test(args) => test::run(args),
        Command::Verify(args) => verify::run(args),
        Command::Generate(args) => generate::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Model(args) => model::run(args),
        Command::Export(args) => export::run(args),
    }
}
