//! `stforge test`: runs a spec's `[[test]]` steps against an implementation on the scan-cycle
//! simulator.
//!
//! The pipeline: load the spec and the ST files (with `--lib` dependencies) into one source
//! map; parse and check them as `stforge check` does; verify that the implementation declares
//! the spec's POU and interface ([`interface`]); lower it to the IR; convert the spec's values
//! to the program's run-time types ([`runner::plan`]); run each test on a fresh machine. Any
//! diagnostic that is an error stops the pipeline before the tests run: a test result is only
//! ever about behaviour.
//!
//! Step semantics (README, "Spec files"): a step writes its `set` values (they persist), runs
//! one scan, then `wait / cycle` more, then compares `expect` with the variables; a test stops
//! at its first failing step.
//!
//! This module computes; [`report`] and [`junit`] write the results as text, and only
//! `cli::test` prints.

mod convert;
mod interface;
pub mod junit;
mod literal;
mod properties;
pub mod report;
mod runner;

pub use runner::{Check, StepPoint, TestResult, Verdict};

use crate::check;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir;
use crate::sema::{self, Dialect, SemaFile};
use crate::source::{Encoding, FileId, SourceMap, Span, load};
use crate::spec::{self, Spec};
use crate::syntax;
use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug)]
pub struct Options {
    pub dialect: Dialect,
}

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
    // Folders may hold the spec beside the code: only ST files are implementation.
    let st_files = |paths: &[PathBuf]| -> Vec<PathBuf> {
        load::expand(paths)
            .into_iter()
            .filter(|p| !spec::is_spec_file(p))
            .collect()
    };
    let project = st_files(implementation);
    let dependencies = st_files(libraries);
    let mut paths = vec![spec_path.to_path_buf()];
    paths.extend(project.iter().cloned());
    paths.extend(dependencies);
    let (files, load_diagnostics) = load::load(&paths);
    let spec_file = FileId(0);
    let library_start = 1 + project.len();
    let mut run = Run {
        files,
        spec_file,
        pou: None,
        outcome: Outcome::NotRun(Vec::new()),
    };
    let (pou, mut outcome) = match pipeline(&run, library_start, options, load_diagnostics) {
        Ok((pou, results)) => (Some(pou), Outcome::Ran(results)),
        Err((pou, mut diagnostics)) => {
            diagnostics.sort_by_key(|d| (d.primary.file, d.primary.span.start, d.primary.span.end));
            (pou, Outcome::NotRun(diagnostics))
        }
    };
    adopt_library_files(&mut run.files, outcome.diagnostics_mut());
    run.pou = pou;
    run.outcome = outcome;
    run
}

impl Outcome {
    /// The diagnostics that stopped the run, or the run-time faults of the tests.
    fn diagnostics_mut(&mut self) -> Vec<&mut Diagnostic> {
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

/// A fault inside a standard function block's body (or a lowering diagnostic about one) points
/// into the embedded standard library, which is not in the run's source map: its files are
/// added, under their path in the repository, so every diagnostic renders with its place.
fn adopt_library_files(files: &mut SourceMap, diagnostics: Vec<&mut Diagnostic>) {
    let mut adopted: HashMap<FileId, FileId> = HashMap::default();
    for d in diagnostics {
        for label in std::iter::once(&mut d.primary).chain(d.secondary.iter_mut()) {
            if (label.file.0 as usize) < files.files().len() {
                continue;
            }
            let id = match adopted.get(&label.file) {
                Some(id) => *id,
                None => {
                    let library = sema::library::library();
                    let text = library.files.iter().find(|f| f.id == label.file);
                    // A place in no file at all still renders: at the start of an empty one.
                    let (path, text) = match text {
                        Some(f) => (format!("iec-stdlib/{}", f.name), f.text),
                        None => ("<unknown>".to_string(), ""),
                    };
                    let id = files.add(PathBuf::from(path), text.to_string(), Encoding::Utf8);
                    adopted.insert(label.file, id);
                    id
                }
            };
            label.file = id;
        }
    }
}

/// The spec's POU name and the results, or the diagnostics that stopped the run (and the POU
/// name if the spec got that far).
type Piped = Result<(String, Vec<TestResult>), (Option<String>, Vec<Diagnostic>)>;

fn pipeline(
    run: &Run,
    library_start: usize,
    options: Options,
    mut diagnostics: Vec<Diagnostic>,
) -> Piped {
    let files = &run.files;
    let (spec, spec_diagnostics) = load_spec(run, &diagnostics);
    diagnostics.extend(spec_diagnostics);
    let pou = spec.as_ref().map(|s| s.pou.name.text.clone());
    let fail = |diagnostics: Vec<Diagnostic>| Err((pou.clone(), diagnostics));
    let sources: Vec<_> = files.files().iter().skip(1).collect();
    let parsed: Vec<syntax::Parsed> = sources
        .par_iter()
        .map(|file| syntax::parse(file.id, &file.text))
        .collect();
    let is_library = |id: FileId| id.0 as usize >= library_start;
    let inputs: Vec<SemaFile<'_>> = sources
        .iter()
        .zip(&parsed)
        .map(|(file, p)| check::sema_file(file, &p.unit, is_library(file.id)))
        .collect();
    diagnostics.extend(
        parsed
            .iter()
            .flat_map(|p| &p.diagnostics)
            .filter(|d| !is_library(d.primary.file))
            .cloned(),
    );
    let analysis = sema::analyze(&inputs, options.dialect);
    diagnostics.extend(analysis.diagnostics.iter().cloned());
    let Some(spec) = spec else {
        return fail(diagnostics);
    };
    if diagnostics.iter().any(Diagnostic::is_error) {
        return fail(diagnostics);
    }
    let mismatches = interface::check(&spec, run.spec_file, &analysis.project);
    if !mismatches.is_empty() {
        return fail(mismatches);
    }
    let root = analysis.project.pou_names[&sema::key(&spec.pou.name.text)];
    let spec_text = &files.get(run.spec_file).text;
    let properties =
        match properties::parse(&spec, run.spec_file, spec_text, &analysis.project, root) {
            Ok(properties) => properties,
            Err(diagnostics) => return fail(diagnostics),
        };
    let conditions = properties.conditions(run.spec_file);
    let (program, lowered) =
        match ir::lower_with_conditions(&analysis, &spec.pou.name.text, &conditions) {
            Ok(lowered) => lowered,
            Err(diagnostics) => return fail(diagnostics),
        };
    let watches = properties.watches(lowered, run.spec_file);
    let plan = match runner::plan(&spec, run.spec_file, &program) {
        Ok(plan) => plan,
        Err(diagnostics) => return fail(diagnostics),
    };
    let results = plan.run_all(&program, &watches);
    Ok((spec.pou.name.text.clone(), results))
}

/// The spec and its diagnostics. A spec that could not be read already has its F-code; one that
/// is not UTF-8 is P001, as TOML has to be UTF-8.
fn load_spec(run: &Run, load_diagnostics: &[Diagnostic]) -> (Option<Spec>, Vec<Diagnostic>) {
    if load_diagnostics
        .iter()
        .any(|d| d.primary.file == run.spec_file)
    {
        return (None, Vec::new());
    }
    let file = run.files.get(run.spec_file);
    if !matches!(file.encoding, Encoding::Utf8 | Encoding::Utf8Bom) {
        let message = format!(
            "a spec file is TOML, which is UTF-8; this file reads as {}",
            file.encoding.name()
        );
        let d = Diagnostic::new(Code::P001, run.spec_file, Span::default(), message);
        return (None, vec![d]);
    }
    spec::load(run.spec_file, &file.text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_in_the_standard_library_are_adopted_into_the_source_map() {
        let mut files = SourceMap::default();
        files.add("spec.toml".into(), String::new(), Encoding::Utf8);
        let library = sema::library::library();
        let counters = library
            .files
            .iter()
            .find(|f| f.name == "counters.st")
            .expect("the counters");
        let at = counters.text.find("CV := CV + 1;").expect("a statement");
        let mut d = Diagnostic::new(Code::R002, counters.id, Span::new(at, at + 13), "overflow");
        adopt_library_files(&mut files, vec![&mut d]);
        assert_eq!(d.primary.file, FileId(1));
        let line = crate::diagnostics::render::to_line(&d, &files);
        let expected_line = counters.text[..at].lines().count();
        assert_eq!(
            line,
            format!("iec-stdlib/counters.st:{expected_line}:9: error[R002]: overflow")
        );
    }
}
