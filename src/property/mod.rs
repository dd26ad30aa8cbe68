//! The spec's safety properties and environment assumptions, as expressions of the program: an
//! invariant (`assert`) must hold after every scan; a response (`when` … `then`, `within` scans
//! or a TIME) must follow each trigger in time; an assumption constrains the inputs the
//! environment may send in a scan.
//!
//! The expressions are ST, parsed where they stand in the spec file and checked in the scope of
//! the spec's POU, so a mistake in one is a diagnostic at its line and column; they are lowered
//! with the program ([`ir::lower_with_conditions`]). The simulator watches them through
//! [`Monitor`] (`stforge test`), the verifier encodes the same lowered expressions with the same
//! meaning (`stforge verify`).

mod monitor;
mod prev;

pub use monitor::{Monitor, Violation};

use crate::diagnostics::Diagnostic;
use crate::ir::{self, Expr};
use crate::sema::{self, FileTables, PouId, Project};
use crate::source::{FileId, Span};
use crate::spec::{self, Spec, Text, Within};
use crate::syntax::{self, ast};

/// The properties' and assumptions' expressions, parsed and checked, ready to lower.
pub struct Parsed {
    /// Each expression with its tables and the ids of its `PREV(…)`, now parentheses.
    exprs: Vec<(ast::Expr, FileTables, Vec<ast::NodeId>)>,
    properties: Vec<Property>,
    /// The assumptions, by the index of their expressions.
    assumptions: Vec<(usize, Span)>,
}

/// A property, by the indices of its lowered expressions in [`Properties::exprs`].
#[derive(Clone, Debug)]
pub struct Property {
    pub name: String,
    /// What it means, in the engineer's words (the spec's `description`).
    pub description: Option<String>,
    pub kind: Kind,
    /// Where it is written: its `assert`, or its `then`.
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum Kind {
    Invariant(usize),
    Response {
        when: usize,
        then: usize,
        within: Within,
        /// The `then` as written, for reports.
        text: String,
    },
}

/// The properties and assumptions of one spec, lowered: shared by all its tests and by every
/// proof.
pub struct Properties {
    pub exprs: Vec<Expr>,
    pub properties: Vec<Property>,
    /// Conditions on the inputs of every scan, by the index of their expression.
    pub assumptions: Vec<(usize, Span)>,
    /// The spec file, where the expressions are written.
    pub file: FileId,
    /// Some expression reads the previous scan (`PREV`): a monitor keeps a copy of the memory.
    pub prev: bool,
}

/// Parses and checks every property of `spec` in the scope of the POU `root`.
pub fn parse(
    spec: &Spec,
    file: FileId,
    file_text: &str,
    project: &Project<'_>,
    root: PouId,
) -> Result<Parsed, Vec<Diagnostic>> {
    let mut parsed = Parsed {
        exprs: Vec::new(),
        properties: Vec::new(),
        assumptions: Vec::new(),
    };
    let mut diagnostics = Vec::new();
    // A function's properties name its return value `result`, as its tests do.
    let info = project.pou(root);
    let result_name = (info.kind == ast::PouKind::Function && info.var("RESULT").is_none())
        .then(|| info.name.clone());
    let mut add = |text: &Text, diagnostics: &mut Vec<Diagnostic>| {
        match syntax::parse_expression(file, &text.text, text.content_start(file_text)) {
            Ok(mut expr) => {
                if let Some(name) = &result_name {
                    rename_result(&mut expr, name);
                }
                let mut marks = Vec::new();
                let before = diagnostics.len();
                prev::mark(&mut expr, file, &mut marks, diagnostics);
                // A misused PREV is still a call of an unknown `PREV`: one diagnostic is enough.
                let tables = if diagnostics.len() == before {
                    let (tables, found) = sema::check_condition(project, root, file, &expr);
                    diagnostics.extend(found);
                    tables
                } else {
                    FileTables::default()
                };
                parsed.exprs.push((expr, tables, marks));
            }
            Err(found) => diagnostics.extend(found),
        }
        parsed.exprs.len().saturating_sub(1)
    };
    let mut properties = Vec::new();
    for property in &spec.properties {
        let watch = match property {
            spec::Property::Invariant { name, assert, .. } => Property {
                name: name.text.clone(),
                description: property.description().map(str::to_string),
                kind: Kind::Invariant(add(assert, &mut diagnostics)),
                span: assert.span,
            },
            spec::Property::Response {
                name,
                when,
                then,
                within,
                ..
            } => Property {
                name: name.text.clone(),
                description: property.description().map(str::to_string),
                kind: Kind::Response {
                    when: add(when, &mut diagnostics),
                    then: add(then, &mut diagnostics),
                    within: *within,
                    text: then.text.clone(),
                },
                span: then.span,
            },
        };
        properties.push(watch);
    }
    let assumptions = spec
        .assumptions
        .iter()
        .map(|a| (add(a, &mut diagnostics), a.span))
        .collect();
    parsed.properties = properties;
    parsed.assumptions = assumptions;
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(diagnostics);
    }
    Ok(parsed)
}

/// Renames `result` to the function's own name, which is its result variable in ST.
fn rename_result(e: &mut ast::Expr, function: &smol_str::SmolStr) {
    use ast::ExprKind as E;
    match &mut e.kind {
        E::Name(n) if n.name.eq_ignore_ascii_case("result") => n.name = function.clone(),
        E::Unary { operand: x, .. } | E::Paren(x) | E::Deref(x) | E::Bit { base: x, .. } => {
            rename_result(x, function)
        }
        E::Member { base, .. } => rename_result(base, function),
        E::Binary { lhs, rhs, .. } => {
            rename_result(lhs, function);
            rename_result(rhs, function);
        }
        E::Index { base, indices } => {
            rename_result(base, function);
            indices.iter_mut().for_each(|i| rename_result(i, function));
        }
        E::Call { args, .. } => args
            .iter_mut()
            .filter_map(|a| a.value.as_mut())
            .for_each(|v| rename_result(v, function)),
        _ => {}
    }
}

impl Parsed {
    /// The expressions, for [`ir::lower_with_conditions`].
    pub fn conditions(&self, file: FileId) -> Vec<ir::Condition<'_>> {
        self.exprs
            .iter()
            .map(|(expr, tables, prev)| ir::Condition {
                file,
                expr,
                tables,
                prev,
            })
            .collect()
    }

    /// The properties over the lowered expressions (in the order of [`Parsed::conditions`]).
    pub fn lower(self, lowered: Vec<Expr>, file: FileId) -> Properties {
        Properties {
            prev: self.exprs.iter().any(|(_, _, marks)| !marks.is_empty()),
            exprs: lowered,
            properties: self.properties,
            assumptions: self.assumptions,
            file,
        }
    }
}
