//! The checking pipeline behind `stforge check`: load, parse (in parallel), then resolve names
//! and check types over all files as one project, collecting one list of diagnostics.

use crate::diagnostics::Diagnostic;
use crate::sema::{self, Dialect, SemaFile};
use crate::source::{FileId, SourceFile, SourceMap, load};
use crate::spec;
use crate::syntax::{self, ast::SourceUnit};
use rayon::prelude::*;
use std::collections::HashSet;
use std::path::PathBuf;

/// How far to check.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Syntax only.
    Parse,
    /// Syntax, names and types.
    All,
}

#[derive(Clone, Copy, Debug)]
pub struct Options {
    pub stage: Stage,
    pub dialect: Dialect,
}

pub struct CheckResult {
    pub files: SourceMap,
    /// How many of `files` are `--lib` dependencies (the last ones).
    pub library_files: usize,
    /// Sorted by file, then position.
    pub diagnostics: Vec<Diagnostic>,
}

/// Checks the files and folders in `paths` as one project; the files in `libraries` are its
/// dependencies: their declarations are used, their own diagnostics are not reported.
pub fn check_files(paths: &[PathBuf], libraries: &[PathBuf], options: Options) -> CheckResult {
    let mut all = load::expand(paths);
    let project_files = all.len();
    all.extend(load::expand(libraries));
    let (files, load_diagnostics) = load::load(&all);
    let library: HashSet<FileId> = files
        .files()
        .iter()
        .skip(project_files)
        .map(|f| f.id)
        .collect();
    let mut diagnostics = check_sources(&files, &library, options);
    diagnostics.extend(load_diagnostics);
    sort(&mut diagnostics);
    CheckResult {
        files,
        library_files: library.len(),
        diagnostics,
    }
}

/// Checks files already in memory (the benchmark and the language server start here).
pub fn check_sources(
    files: &SourceMap,
    library: &HashSet<FileId>,
    options: Options,
) -> Vec<Diagnostic> {
    // Spec files are validated on their own; everything else is ST.
    let (specs, sources): (Vec<&SourceFile>, Vec<&SourceFile>) = files
        .files()
        .iter()
        .partition(|f| spec::is_spec_file(&f.path));
    let mut diagnostics = Vec::new();
    let mut spec_types = Vec::new();
    for f in &specs {
        let (spec, found) = spec::load(f.id, &f.text);
        diagnostics.extend(found);
        if let Some(types) = spec.and_then(|s| s.types) {
            spec_types.push((f.id, types));
        }
    }
    let parsed: Vec<syntax::Parsed> = sources
        .par_iter()
        .map(|file| syntax::parse(file.id, &file.text))
        .collect();
    diagnostics.extend(parsed.iter().flat_map(|p| p.diagnostics.iter().cloned()));
    if options.stage == Stage::All {
        // A spec's `types` are checked with the ST files, as `stforge test` checks them.
        // Two specs declaring one type: the first one's declaration is used.
        let mut declared = spec::types::declared_in(parsed.iter().map(|p| &p.unit));
        let mut type_units = Vec::new();
        for (file, types) in &spec_types {
            let unit = spec::types::unit_without(types, *file, &declared);
            declared.extend(spec::types::declared_in([&unit]));
            type_units.push((*file, unit));
        }
        let mut inputs: Vec<SemaFile<'_>> = sources
            .iter()
            .zip(&parsed)
            .map(|(file, p)| sema_file(file, &p.unit, library.contains(&file.id)))
            .collect();
        inputs.extend(
            type_units
                .iter()
                .map(|(file, unit)| spec_types_file(*file, unit)),
        );
        diagnostics.extend(sema::analyze(&inputs, options.dialect).diagnostics);
    }
    // Freeing a million lines of trees takes a tenth of the check; share it out too.
    parsed.into_par_iter().for_each(drop);
    diagnostics.retain(|d| !library.contains(&d.primary.file));
    sort(&mut diagnostics);
    diagnostics
}

/// A parsed file as sema takes it: its stem names the global variable lists it declares.
pub fn sema_file<'a>(file: &SourceFile, unit: &'a SourceUnit, library: bool) -> SemaFile<'a> {
    SemaFile {
        id: file.id,
        unit,
        stem: file
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().into())
            .unwrap_or_default(),
        library,
    }
}

/// A spec's `types` as sema takes them: in the spec's file, declaring no global variables.
pub fn spec_types_file(file: FileId, unit: &SourceUnit) -> SemaFile<'_> {
    SemaFile {
        id: file,
        unit,
        stem: Default::default(),
        library: false,
    }
}

fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by_key(|d| (d.primary.file, d.primary.span.start, d.primary.span.end));
}
