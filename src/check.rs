//! The checking pipeline behind `stforge check`: load, parse (in parallel), and — as later
//! stages land — resolve and type-check, collecting one list of diagnostics.

use crate::diagnostics::Diagnostic;
use crate::source::{SourceMap, load};
use crate::syntax;
use rayon::prelude::*;
use std::path::PathBuf;

/// How far to check.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Syntax only.
    Parse,
    /// Everything available.
    All,
}

pub struct CheckResult {
    pub files: SourceMap,
    /// Sorted by file, then position.
    pub diagnostics: Vec<Diagnostic>,
}

pub fn check_files(paths: &[PathBuf], _stage: Stage) -> CheckResult {
    let (files, mut diagnostics) = load::load(&load::expand(paths));
    let parsed: Vec<Vec<Diagnostic>> = files
        .files()
        .par_iter()
        .map(|file| syntax::parse(file.id, &file.text).diagnostics)
        .collect();
    diagnostics.extend(parsed.into_iter().flatten());
    diagnostics.sort_by_key(|d| (d.primary.file, d.primary.span.start, d.primary.span.end));
    CheckResult { files, diagnostics }
}
