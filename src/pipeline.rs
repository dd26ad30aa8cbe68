//! One path from sources to a checked, lowered program: `stforge test` and `stforge verify`
//! (and the repair loop) share it, and `stforge check` shares its first half
//! ([`crate::check::sema_file`], the same parse and sema).
//!
//! [`Sources`] is the only step that reads the disk; everything after it works on memory, so a
//! caller holding generated text runs the same checks as one holding files.
//!
//! The stages, each stopping the pipeline with its diagnostics when it finds an error: the spec
//! loads; the ST files parse and type-check as one project; the implementation declares the
//! spec's POU and interface (P006); the spec's properties and assumptions parse and type-check
//! in the POU's scope; the POU lowers to the IR, with the properties.

use crate::check;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{self, Program};
use crate::property::{self, Properties};
use crate::sema::{self, Analysis, Dialect, SemaFile};
use crate::source::{Encoding, FileId, SourceMap, Span, load};
use crate::spec::{self, Spec};
use crate::syntax;
use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;
use std::path::{Path, PathBuf};

/// The files of one run: the spec (if any) first, then the implementation, then the library
/// dependencies.
pub struct Sources {
    pub files: SourceMap,
    pub spec_file: Option<FileId>,
    /// Files from this index on are `--lib` dependencies.
    library_start: usize,
    /// Files that could not be read (F-codes).
    pub diagnostics: Vec<Diagnostic>,
}

impl Sources {
    /// Reads the spec at `spec`, the ST files and folders of `implementation` (spec files found
    /// in folders are left out: only ST is implementation) and the `libraries`.
    pub fn read(spec: Option<&Path>, implementation: &[PathBuf], libraries: &[PathBuf]) -> Sources {
        let st_files = |paths: &[PathBuf]| -> Vec<PathBuf> {
            load::expand(paths)
                .into_iter()
                .filter(|p| !spec::is_spec_file(p))
                .collect()
        };
        let project = st_files(implementation);
        let dependencies = st_files(libraries);
        let mut paths: Vec<PathBuf> = spec.map(Path::to_path_buf).into_iter().collect();
        let spec_file = spec.map(|_| FileId(0));
        paths.extend(project);
        let library_start = paths.len();
        paths.extend(dependencies);
        let (files, diagnostics) = load::load(&paths);
        Sources {
            files,
            spec_file,
            library_start,
            diagnostics,
        }
    }

    /// Sources already in memory: a spec's text and the implementation's files.
    pub fn in_memory(
        spec: Option<(PathBuf, String)>,
        implementation: Vec<(PathBuf, String)>,
    ) -> Sources {
        let mut files = SourceMap::default();
        let spec_file = spec.map(|(path, text)| files.add(path, text, Encoding::Utf8));
        for (path, text) in implementation {
            files.add(path, text, Encoding::Utf8);
        }
        Sources {
            library_start: files.files().len(),
            files,
            spec_file,
            diagnostics: Vec::new(),
        }
    }

    fn is_library(&self, id: FileId) -> bool {
        id.0 as usize >= self.library_start
    }

    /// `path:line:column` of a place in the spec file.
    pub fn spec_location(&self, span: Span) -> String {
        let Some(id) = self.spec_file else {
            return String::new();
        };
        let file = self.files.get(id);
        let at = file.lines.line_col(&file.text, span.start);
        format!("{}:{}:{}", file.path.display(), at.line, at.column)
    }

    /// Places inside the embedded standard library (a fault in a timer's body, a lowering
    /// diagnostic about one) point at files that are not in the run's source map: they are added,
    /// under their path in the repository, so every diagnostic renders with its place.
    pub fn adopt_library_files<'d>(
        &mut self,
        diagnostics: impl IntoIterator<Item = &'d mut Diagnostic>,
    ) {
        let files = &mut self.files;
        let mut adopted: HashMap<FileId, FileId> = HashMap::default();
        for d in diagnostics {
            for label in std::iter::once(&mut d.primary).chain(d.secondary.iter_mut()) {
                if (label.file.0 as usize) < files.files().len() {
                    continue;
                }
                let id = *adopted.entry(label.file).or_insert_with(|| {
                    let library = sema::library::library();
                    let text = library.files.iter().find(|f| f.id == label.file);
                    // A place in no file at all still renders: at the start of an empty one.
                    let (path, text) = match text {
                        Some(f) => (format!("iec-stdlib/{}", f.name), f.text),
                        None => ("<unknown>".to_string(), ""),
                    };
                    files.add(PathBuf::from(path), text.to_string(), Encoding::Utf8)
                });
                label.file = id;
            }
        }
    }
}

/// A spec's POU, checked and lowered, with its properties and assumptions.
pub struct Checked {
    pub spec: Spec,
    pub program: Program,
    pub properties: Properties,
}

/// Why the pipeline stopped: the diagnostics (at least one an error), and the spec's POU name
/// if the spec got that far.
pub struct Stopped {
    pub pou: Option<String>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Runs the pipeline for the spec of `sources` (which must have one).
pub fn check_spec(sources: &Sources, dialect: Dialect) -> Result<Checked, Stopped> {
    let spec_file = sources.spec_file.expect("a spec");
    let mut diagnostics = sources.diagnostics.clone();
    let (spec, spec_diagnostics) = load_spec(sources, spec_file);
    diagnostics.extend(spec_diagnostics);
    let pou = spec.as_ref().map(|s| s.pou.name.text.clone());
    let stop = |mut diagnostics: Vec<Diagnostic>| {
        sort(&mut diagnostics);
        Err(Stopped {
            pou: pou.clone(),
            diagnostics,
        })
    };
    let types = spec.as_ref().and_then(|s| s.types.clone());
    let types = types.as_ref().map(|t| (spec_file, t));
    with_analysis(
        sources,
        dialect,
        diagnostics,
        types,
        |analysis, diagnostics| {
            let Some(spec) = spec else {
                return stop(diagnostics);
            };
            if diagnostics.iter().any(Diagnostic::is_error) {
                return stop(diagnostics);
            }
            let mismatches = spec::interface::check(&spec, spec_file, &analysis.project);
            if !mismatches.is_empty() {
                return stop(mismatches);
            }
            let root = analysis.project.pou_names[&sema::key(&spec.pou.name.text)];
            let spec_text = &sources.files.get(spec_file).text;
            let parsed = match property::parse(&spec, spec_file, spec_text, &analysis.project, root)
            {
                Ok(parsed) => parsed,
                Err(diagnostics) => return stop(diagnostics),
            };
            let conditions = parsed.conditions(spec_file);
            match ir::lower_with_conditions(analysis, &spec.pou.name.text, &conditions) {
                Ok((program, lowered)) => Ok(Checked {
                    properties: parsed.lower(lowered, spec_file),
                    spec,
                    program,
                }),
                Err(diagnostics) => stop(diagnostics),
            }
        },
    )
}

/// A POU's name and its lowered program, or why it could not be lowered.
pub type LoweredPou = (String, Result<Program, Vec<Diagnostic>>);

/// Every POU of the implementation that can run as a root (programs, function blocks,
/// functions), lowered on its own: for checks that need no spec. The diagnostics are the
/// project's errors (nothing is lowered then) or the lowering's, per POU.
pub fn lower_each(sources: &Sources, dialect: Dialect) -> (Vec<LoweredPou>, Vec<Diagnostic>) {
    with_analysis(
        sources,
        dialect,
        sources.diagnostics.clone(),
        None,
        |analysis, mut diagnostics| {
            sort(&mut diagnostics);
            if diagnostics.iter().any(Diagnostic::is_error) {
                return (Vec::new(), diagnostics);
            }
            let p = &analysis.project;
            let mut roots: Vec<_> = p
                .pou_names
                .values()
                .map(|&id| p.pou(id))
                .filter(|info| {
                    !sources.is_library(info.file)
                        && sources.files.files().len() > info.file.0 as usize
                })
                .filter(|info| {
                    use syntax::ast::PouKind as K;
                    matches!(info.kind, K::Program | K::FunctionBlock | K::Function)
                })
                .map(|info| (info.file, info.name_span.start, info.name.to_string()))
                .collect();
            roots.sort();
            let lowered = roots
                .into_iter()
                .map(|(_, _, name)| {
                    let program = ir::lower(analysis, &name);
                    (name, program)
                })
                .collect();
            (lowered, diagnostics)
        },
    )
}

/// Parses and checks the ST files of `sources` as one project, with the spec's `types` (those
/// the ST files do not declare themselves), and hands the analysis, with the diagnostics so
/// far plus the project's own, to `then`.
fn with_analysis<R>(
    sources: &Sources,
    dialect: Dialect,
    mut diagnostics: Vec<Diagnostic>,
    types: Option<(FileId, &spec::Types)>,
    then: impl FnOnce(&Analysis<'_>, Vec<Diagnostic>) -> R,
) -> R {
    let st: Vec<_> = sources
        .files
        .files()
        .iter()
        .filter(|f| Some(f.id) != sources.spec_file)
        .collect();
    let parsed: Vec<syntax::Parsed> = st
        .par_iter()
        .map(|file| syntax::parse(file.id, &file.text))
        .collect();
    let spec_types = types.map(|(file, types)| {
        let declared = spec::types::declared_in(parsed.iter().map(|p| &p.unit));
        (file, spec::types::unit_without(types, file, &declared))
    });
    let mut inputs: Vec<SemaFile<'_>> = st
        .iter()
        .zip(&parsed)
        .map(|(file, p)| check::sema_file(file, &p.unit, sources.is_library(file.id)))
        .collect();
    if let Some((file, unit)) = &spec_types {
        inputs.push(check::spec_types_file(*file, unit));
    }
    diagnostics.extend(
        parsed
            .iter()
            .flat_map(|p| &p.diagnostics)
            .filter(|d| !sources.is_library(d.primary.file))
            .cloned(),
    );
    let analysis = sema::analyze(&inputs, dialect);
    diagnostics.extend(analysis.diagnostics.iter().cloned());
    then(&analysis, diagnostics)
}

/// The spec and its diagnostics. A spec that could not be read already has its F-code; one that
/// is not UTF-8 is P001, as TOML has to be UTF-8.
fn load_spec(sources: &Sources, spec_file: FileId) -> (Option<Spec>, Vec<Diagnostic>) {
    if sources
        .diagnostics
        .iter()
        .any(|d| d.primary.file == spec_file)
    {
        return (None, Vec::new());
    }
    let file = sources.files.get(spec_file);
    if !matches!(file.encoding, Encoding::Utf8 | Encoding::Utf8Bom) {
        let message = format!(
            "a spec file is TOML, which is UTF-8; this file reads as {}",
            file.encoding.name()
        );
        let d = Diagnostic::new(Code::P001, spec_file, Span::default(), message);
        return (None, vec![d]);
    }
    spec::load(spec_file, &file.text)
}

fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by_key(|d| (d.primary.file, d.primary.span.start, d.primary.span.end));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_in_the_standard_library_are_adopted_into_the_source_map() {
        let mut sources = Sources::in_memory(Some(("spec.toml".into(), String::new())), Vec::new());
        let library = sema::library::library();
        let counters = library
            .files
            .iter()
            .find(|f| f.name == "counters.st")
            .expect("the counters");
        let at = counters.text.find("CV := CV + 1;").expect("a statement");
        let mut d = Diagnostic::new(Code::R002, counters.id, Span::new(at, at + 13), "overflow");
        sources.adopt_library_files([&mut d]);
        assert_eq!(d.primary.file, FileId(1));
        let line = crate::diagnostics::render::to_line(&d, &sources.files);
        let expected_line = counters.text[..at].lines().count();
        assert_eq!(
            line,
            format!("iec-stdlib/counters.st:{expected_line}:9: error[R002]: overflow")
        );
    }
}
