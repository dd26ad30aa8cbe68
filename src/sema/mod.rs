//! Names and types: the project index (every POU, type and global of all input files and the
//! embedded standard library), then the type checker over every body.
//!
//! Invariant: the tree is never changed. What sema learns is kept in side tables keyed by
//! `(FileId, NodeId)` — the type of each expression — for later stages.
//!
//! Invariant: diagnostics are never reported inside the embedded library, and a name or type
//! that could not be resolved gets the error type, which is compatible with everything, so
//! one mistake is reported once.

mod body;
mod call;
mod consts;
pub mod dialect;
mod expr;
mod graph;
mod index;
pub mod library;
pub mod types;

pub use dialect::{Dialect, Profile};
pub use index::{PouInfo, Project, Var};

use crate::diagnostics::Diagnostic;
use crate::source::FileId;
use crate::syntax::ast::{NodeId, SourceUnit};
use rayon::prelude::*;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use smol_str::SmolStr;
use types::{TypeId, TypeTable};

/// Identifies a POU (or a method, property, accessor or action) in the project index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PouId(pub u32);

/// The case-insensitive key of an identifier.
pub fn key(name: &str) -> SmolStr {
    if name.bytes().any(|b| b.is_ascii_lowercase()) {
        SmolStr::new(name.to_ascii_uppercase())
    } else {
        SmolStr::new(name)
    }
}

/// One parsed input file.
pub struct SemaFile<'a> {
    pub id: FileId,
    pub unit: &'a SourceUnit,
    /// The file name without extension: the namespace of the global variables it declares
    /// (TwinCAT's `GVL_Main.x`).
    pub stem: SmolStr,
    /// A dependency (`--lib`): its declarations are used, its diagnostics are not reported,
    /// and the project's own declarations may shadow them.
    pub library: bool,
}

/// What sema learned about a project.
pub struct Analysis {
    pub types: TypeTable,
    /// The type of every checked expression, by file.
    pub expr_types: HashMap<FileId, HashMap<NodeId, TypeId>>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Indexes the whole project, then checks every body in parallel.
pub fn analyze(files: &[SemaFile<'_>], dialect: Dialect) -> Analysis {
    let project = index::build(files, dialect.profile());
    let results: Vec<body::BodyResult> = project
        .user_pous()
        .collect::<Vec<_>>()
        .par_iter()
        .map(|&pou| body::check_pou(&project, pou))
        .collect();
    let mut diagnostics = project.diagnostics.clone();
    let mut expr_types: HashMap<FileId, HashMap<NodeId, TypeId>> = HashMap::default();
    let mut used = HashSet::default();
    for result in results {
        diagnostics.extend(result.diagnostics);
        expr_types
            .entry(result.file)
            .or_default()
            .extend(result.types);
        used.extend(result.used);
    }
    diagnostics.extend(body::unused_variables(&project, &used));
    diagnostics.retain(|d| !project.is_library_file(d.primary.file));
    Analysis {
        types: project.types,
        expr_types,
        diagnostics,
    }
}
