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
use types::TypeId;

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

/// What a name, member or callee resolved to (`Analysis::resolved`). Indices are into the
/// project index: a POU's variables, the globals.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolved {
    /// A variable of a POU in scope (its own, a base's, its owner's) or of an instance.
    Var(PouId, usize),
    Global(usize),
    /// The result of the function, method or property being checked.
    Result,
    Property(PouId),
    /// An enumeration value, with its integer value.
    EnumValue(TypeId, i128),
    /// A structure field, by name.
    Field(SmolStr),
    /// A program used as an instance (`Main.x`).
    Program(PouId),
    /// The callee of a call by name: function, method, action or program. (An instance call's
    /// callee resolves to its variable, whose type is the function block.)
    Pou(PouId),
    /// An explicit `X_TO_Y` conversion to this type.
    Conversion(TypeId),
    /// A vendor operator (`ADR`, `SIZEOF`, …), upper-case.
    Builtin(SmolStr),
}

/// What sema learned about the bodies of one file: side tables keyed by node.
#[derive(Default)]
pub struct FileTables {
    /// The type of every checked expression.
    pub types: HashMap<NodeId, TypeId>,
    /// What every name, member and callee resolved to.
    pub resolved: HashMap<NodeId, Resolved>,
    /// The type the operands of each binary operation are brought to.
    pub operand_types: HashMap<NodeId, TypeId>,
    /// The parameter (upper-case) each call argument is bound to, by the argument value's node.
    pub bindings: HashMap<NodeId, SmolStr>,
}

/// What sema learned about a project.
pub struct Analysis<'a> {
    /// The index: POUs, types, globals — what `Resolved` refers to.
    pub project: Project<'a>,
    /// The side tables of the project's own files.
    pub tables: HashMap<FileId, FileTables>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Indexes the whole project, then checks every body in parallel.
pub fn analyze<'a>(files: &[SemaFile<'a>], dialect: Dialect) -> Analysis<'a> {
    let project = index::build(files, dialect.profile());
    let pous: Vec<PouId> = project.user_pous().collect();
    let (tables, mut diagnostics, used) = check_bodies(&project, &pous);
    diagnostics.splice(0..0, project.diagnostics.iter().cloned());
    diagnostics.extend(body::unused_variables(&project, &used));
    diagnostics.retain(|d| !project.is_library_file(d.primary.file));
    Analysis {
        project,
        tables,
        diagnostics,
    }
}

/// The side tables of the library bodies that run as written (the standard function blocks,
/// `--lib` dependencies): what the simulator needs beyond the project's own code. Their
/// diagnostics are not reported.
pub fn library_tables(project: &Project<'_>) -> HashMap<FileId, FileTables> {
    let pous: Vec<PouId> = (0..project.pous.len() as u32)
        .map(PouId)
        .filter(|&id| {
            let info = project.pou(id);
            project.is_library_file(info.file)
                && !info.ast.body.is_empty()
                && !info.markers.as_ref().is_some_and(|m| m.builtin)
        })
        .collect();
    check_bodies(project, &pous).0
}

/// Checks a BOOL expression written outside the code (a spec's property or assumption) in the
/// scope of `pou`: its side tables, and its diagnostics (in `file`).
pub fn check_condition(
    project: &Project<'_>,
    pou: PouId,
    file: FileId,
    e: &crate::syntax::ast::Expr,
) -> (FileTables, Vec<Diagnostic>) {
    let mut result = body::check_condition(project, pou, file, e);
    let diagnostics = std::mem::take(&mut result.diagnostics);
    let mut tables = FileTables::default();
    tables.add(result);
    (tables, diagnostics)
}

impl FileTables {
    fn add(&mut self, result: body::BodyResult) {
        self.types.extend(result.types);
        self.resolved.extend(result.resolved);
        self.operand_types.extend(result.operand_types);
        self.bindings.extend(result.bindings);
    }
}

type Checked = (
    HashMap<FileId, FileTables>,
    Vec<Diagnostic>,
    HashSet<(PouId, usize)>,
);

fn check_bodies(project: &Project<'_>, pous: &[PouId]) -> Checked {
    let results: Vec<body::BodyResult> = pous
        .par_iter()
        .map(|&pou| body::check_pou(project, pou))
        .collect();
    let mut tables: HashMap<FileId, FileTables> = HashMap::default();
    let mut diagnostics = Vec::new();
    let mut used = HashSet::default();
    for mut result in results {
        diagnostics.append(&mut result.diagnostics);
        used.extend(result.used.drain(..));
        tables.entry(result.file).or_default().add(result);
    }
    (tables, diagnostics, used)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::ast::{ExprKind, Item, StmtKind};

    #[test]
    fn names_members_and_callees_are_resolved() {
        let text = "TYPE E_Mode : (Idle, Run := 5); END_TYPE\n\
                    VAR_GLOBAL gCount : INT; END_VAR\n\
                    PROGRAM Main\n\
                    VAR x : INT; t : TON; m : E_Mode; d : DINT; END_VAR\n\
                    m := E_Mode.Run;\n\
                    gCount := LIMIT(0, x, 10);\n\
                    t(IN := x > d);\n\
                    x := REAL_TO_INT(1.5);\n\
                    END_PROGRAM\n";
        let parsed = crate::syntax::parse(FileId(0), text);
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        let files = [SemaFile {
            id: FileId(0),
            unit: &parsed.unit,
            stem: "main".into(),
            library: false,
        }];
        let analysis = analyze(&files, Dialect::Iec);
        assert_eq!(analysis.diagnostics, vec![]);
        let resolved = &analysis.tables[&FileId(0)].resolved;
        let p = &analysis.project;
        let Item::Pou(main) = &parsed.unit.items[2] else {
            panic!("the program")
        };
        let main_id = p.pou_names["MAIN"];
        let pou_name = |r: &Resolved| match r {
            Resolved::Pou(id) => p.pou(*id).name.to_string(),
            other => format!("{other:?}"),
        };
        let assign = |i: usize| match &main.body[i].kind {
            StmtKind::Assign { target, value, .. } => (target, value),
            other => panic!("{other:?}"),
        };
        let (m, run) = assign(0);
        assert_eq!(resolved[&m.id], Resolved::Var(main_id, 2));
        assert!(matches!(resolved[&run.id], Resolved::EnumValue(_, 5)));
        let (g, limit) = assign(1);
        assert_eq!(resolved[&g.id], Resolved::Global(0));
        let ExprKind::Call { callee, .. } = &limit.kind else {
            panic!("a call")
        };
        assert_eq!(pou_name(&resolved[&callee.id]), "LIMIT");
        let StmtKind::Expr(call) = &main.body[2].kind else {
            panic!("the timer call")
        };
        let ExprKind::Call { callee, .. } = &call.kind else {
            panic!("a call")
        };
        assert_eq!(resolved[&callee.id], Resolved::Var(main_id, 1));
        let ExprKind::Call { args, .. } = &call.kind else {
            panic!("a call")
        };
        let comparison = args[0].value.as_ref().expect("IN := x > d");
        let dint = types::TypeTable::elem(types::Elem::DInt);
        assert_eq!(
            analysis.tables[&FileId(0)].operand_types[&comparison.id],
            dint
        );
        let (_, conversion) = assign(3);
        let ExprKind::Call { callee, .. } = &conversion.kind else {
            panic!("a call")
        };
        assert!(matches!(
            resolved[&callee.id],
            Resolved::Pou(_) | Resolved::Conversion(_)
        ));
    }
}
