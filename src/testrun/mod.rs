//! `stforge test`: runs a spec's `[[test]]` steps against an implementation on the scan-cycle
//! simulator.
//!
//! The spec and the implementation go through the shared [`pipeline`] (load, check, interface,
//! properties, lowering); then the spec's values are converted to the program's run-time types
//! ([`runner::plan`]) and each test runs on a fresh machine. Any diagnostic that is an error
//! stops the run before the tests: a test result is only ever about behaviour.
//!
//! Step semantics (README, "Spec files"): a step writes its `set` values (they persist), runs
//! one scan, then `wait / cycle` more, then compares `expect` with the variables; a test stops
//! at its first failing step.
//!
//! This module computes; [`report`] and [`junit`] write the results as text, and only
//! `cli::test` prints.

pub mod junit;
pub mod report;
mod runner;
pub mod trace;

pub use runner::{Check, StepPoint, TestResult, Verdict, request_stop, stop_requested};

use crate::diagnostics::Diagnostic;
use crate::pipeline::{self, Sources};
use crate::sema::Dialect;
use crate::source::{FileId, SourceMap, Span};
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug)]
pub struct Options {
    pub dialect: Dialect,
    /// The most scans one test may run ([`DEFAULT_MAX_SCANS`] unless raised): a test whose
    /// steps add up to more is P008 at the step that passes it, and does not run.
    pub max_scans: u64,
}

/// The default scan budget of a test: ten million scans, a few seconds of simulation for a
/// typical program (about 1.3 M scans/s, BENCHMARKS.md), 28 simulated hours at a 10 ms cycle.
pub const DEFAULT_MAX_SCANS: u64 = 10_000_000;

/// Everything one `stforge test` run found.
pub struct Run {
    /// The spec (always the first file), the implementation and the library files.
    pub files: SourceMap,
    pub spec_file: FileId,
    /// The spec's POU, once the spec has loaded.
    pub pou: Option<String>,
    pub outcome: Outcome,
}

pub enum Outcome {
    /// The tests did not run: the diagnostics (with at least one error) say why — the files,
    /// the spec, the implementation's check, its interface, lowering or the spec's values.
    NotRun(Vec<Diagnostic>),
    /// Every test's result, in the spec's order.
    Ran(Vec<TestResult>),
}

impl Run {
    /// The spec file's path, as given.
    pub fn spec_path(&self) -> &Path {
        &self.files.get(self.spec_file).path
    }

    /// `path:line:column` of a place in the spec file.
    pub fn spec_location(&self, span: Span) -> String {
        let file = self.files.get(self.spec_file);
        let at = file.lines.line_col(&file.text, span.start);
        format!("{}:{}:{}", file.path.display(), at.line, at.column)
    }
}

/// Runs the tests of the spec at `spec_path` against the ST files and folders in
/// `implementation`; `libraries` are dependencies, as for `stforge check --lib`.
pub fn run(
    spec_path: &Path,
    implementation: &[PathBuf],
    libraries: &[PathBuf],
    options: Options,
) -> Run {
    let sources = Sources::read(Some(spec_path), implementation, libraries);
    run_sources(sources, options)
}

/// Runs the tests of the spec in `sources` (which has one).
pub fn run_sources(mut sources: Sources, options: Options) -> Run {
    let (pou, mut outcome) = match pipeline::check_spec(&sources, options.dialect) {
        Err(stopped) => (stopped.pou, Outcome::NotRun(stopped.diagnostics)),
        Ok(checked) => {
            let spec_file = sources.spec_file.expect("a spec");
            let outcome = match run_checked(&checked, spec_file, options.max_scans) {
                Ok(results) => Outcome::Ran(results),
                Err(diagnostics) => Outcome::NotRun(diagnostics),
            };
            (Some(checked.spec.pou.name.text.clone()), outcome)
        }
    };
    sources.adopt_library_files(outcome.diagnostics_mut());
    Run {
        spec_file: sources.spec_file.expect("a spec"),
        files: sources.files,
        pou,
        outcome,
    }
}

/// Runs the tests of a checked spec; the diagnostics when the spec's values do not fit the
/// program (P004, P007).
pub fn run_checked(
    checked: &pipeline::Checked,
    spec_file: FileId,
    max_scans: u64,
) -> Result<Vec<TestResult>, Vec<Diagnostic>> {
    let plan = runner::plan(&checked.spec, spec_file, &checked.program, max_scans)?;
    Ok(plan.run_all(&checked.program, &checked.properties))
}

impl Outcome {
    /// The diagnostics that stopped the run, or the run-time faults of the tests.
    pub fn diagnostics_mut(&mut self) -> Vec<&mut Diagnostic> {
        match self {
            Outcome::NotRun(diagnostics) => diagnostics.iter_mut().collect(),
            Outcome::Ran(results) => results
                .iter_mut()
                .filter_map(|r| match &mut r.verdict {
                    Verdict::Error { diagnostic, .. } => Some(diagnostic),
                    _ => None,
                })
                .collect(),
        }
    }
}
