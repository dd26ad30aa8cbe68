//! The checking pipeline behind `stforge check`: load, parse (in parallel), then resolve names
//! and check types over all files as one project, collecting one list of diagnostics.

use crate::diagnostics::Diagnostic;
use crate::sema::{self, Dialect, SemaFile};
use crate::source::{SourceMap, load};
use crate::syntax;
use rayon::prelude::*;
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
    /// Sorted by file, then position.
    pub diagnostics: Vec<Diagnostic>,
}

pub fn check_files(paths: &[PathBuf], options: Options) -> CheckResult {
    let (files, load_diagnostics) = load::load(&load::expand(paths));
    let mut result = check_sources(files, options);
    result.diagnostics.extend(load_diagnostics);
    sort(&mut result.diagnostics);
    result
}

/// Checks files already in memory (the benchmark and the language server start here).
pub fn check_sources(files: SourceMap, options: Options) -> CheckResult {
    let parsed: Vec<syntax::Parsed> = files
        .files()
        .par_iter()
        .map(|file| syntax::parse(file.id, &file.text))
        .collect();
    let mut diagnostics: Vec<Diagnostic> = parsed
        .iter()
        .flat_map(|p| p.diagnostics.iter().cloned())
        .collect();
    if options.stage == Stage::All {
        let inputs: Vec<SemaFile<'_>> = files
            .files()
            .iter()
            .zip(&parsed)
            .map(|(file, p)| SemaFile {
                id: file.id,
                unit: &p.unit,
                stem: file
                    .path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into())
                    .unwrap_or_default(),
            })
            .collect();
        diagnostics.extend(sema::analyze(&inputs, options.dialect).diagnostics);
    }
    sort(&mut diagnostics);
    CheckResult { files, diagnostics }
}

fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by_key(|d| (d.primary.file, d.primary.span.start, d.primary.span.end));
}
