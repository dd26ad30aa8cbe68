//! The spec's safety properties, watched after every scan of every test: an invariant
//! (`assert`) must hold after each scan; a response (`when` … `then`, `within` scans or a
//! TIME) must follow each trigger in time. A test that drives the program into a violation
//! fails there, even where its own expectations would pass.
//!
//! The expressions are ST, parsed where they stand in the spec file and checked in the scope of
//! the spec's POU, so a mistake in one is a diagnostic at its line and column.

use crate::diagnostics::Diagnostic;
use crate::ir::{self, Expr};
use crate::sema::{self, FileTables, PouId, Project};
use crate::sim::{Machine, RunFault};
use crate::source::{FileId, Span};
use crate::spec::{Property, Spec, Text, Within};
use crate::syntax::{self, ast};

/// The properties' expressions, parsed and checked, ready to lower.
pub struct Parsed {
    exprs: Vec<(ast::Expr, FileTables)>,
    watches: Vec<Watch>,
}

/// A property, by the indices of its lowered expressions.
#[derive(Clone)]
struct Watch {
    name: String,
    kind: Kind,
    span: Span,
}

#[derive(Clone)]
enum Kind {
    Invariant(usize),
    Response {
        when: usize,
        then: usize,
        within: Within,
        text: String,
    },
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
        watches: Vec::new(),
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
                let (tables, found) = sema::check_condition(project, root, file, &expr);
                diagnostics.extend(found);
                parsed.exprs.push((expr, tables));
            }
            Err(found) => diagnostics.extend(found),
        }
        parsed.exprs.len().saturating_sub(1)
    };
    let mut watches = Vec::new();
    for property in &spec.properties {
        let watch = match property {
            Property::Invariant { name, assert } => Watch {
                name: name.text.clone(),
                kind: Kind::Invariant(add(assert, &mut diagnostics)),
                span: assert.span,
            },
            Property::Response {
                name,
                when,
                then,
                within,
            } => Watch {
                name: name.text.clone(),
                kind: Kind::Response {
                    when: add(when, &mut diagnostics),
                    then: add(then, &mut diagnostics),
                    within: *within,
                    text: then.text.clone(),
                },
                span: then.span,
            },
        };
        watches.push(watch);
    }
    parsed.watches = watches;
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
            .map(|(expr, tables)| ir::Condition { file, expr, tables })
            .collect()
    }

    /// The watches over the lowered expressions (in the order of [`Parsed::conditions`]).
    pub fn watches(&self, lowered: Vec<Expr>, file: FileId) -> Watches {
        Watches {
            exprs: lowered,
            watches: self.watches.clone(),
            file,
        }
    }
}

/// The properties of one spec, lowered: shared by all its tests.
pub struct Watches {
    exprs: Vec<Expr>,
    watches: Vec<Watch>,
    file: FileId,
}

/// A property that did not hold.
pub struct Violation {
    /// `property "name"`.
    pub name: String,
    /// What should have held (`TRUE`, or the response and its window).
    pub expected: String,
}

impl Violation {
    /// The violation as a failed check of the step, for the reports.
    pub fn check(self) -> super::Check {
        super::Check {
            name: self.name,
            expected: self.expected,
            tolerance: None,
            actual: "FALSE".into(),
            ok: false,
        }
    }
}

/// One test's progress through the response properties: the earliest trigger still waiting for
/// its response, per property.
pub struct Monitor<'w> {
    watches: &'w Watches,
    pending: Vec<Option<Deadline>>,
}

#[derive(Clone, Copy)]
enum Deadline {
    Scan(u64),
    Time(i128),
}

impl Watches {
    pub fn monitor(&self) -> Monitor<'_> {
        Monitor {
            watches: self,
            pending: vec![None; self.watches.len()],
        }
    }
}

impl Monitor<'_> {
    /// Checks every property after scan `scan`, which ran at `time_ns`; the next scan runs one
    /// `cycle_ns` later.
    pub fn after_scan(
        &mut self,
        machine: &mut Machine<'_>,
        scan: u64,
        time_ns: i128,
        cycle_ns: i128,
    ) -> Result<Option<Violation>, RunFault> {
        let w = self.watches;
        for (i, watch) in w.watches.iter().enumerate() {
            let mut holds = |e: usize| machine.holds(&w.exprs[e], w.file, watch.span);
            match &watch.kind {
                Kind::Invariant(e) => {
                    if !holds(*e)? {
                        return Ok(Some(Violation {
                            name: format!("property \"{}\"", watch.name),
                            expected: "TRUE".into(),
                        }));
                    }
                }
                Kind::Response {
                    when,
                    then,
                    within,
                    text,
                } => {
                    if holds(*when)? && self.pending[i].is_none() {
                        self.pending[i] = Some(match within {
                            Within::Scans(n) => Deadline::Scan(scan + n),
                            Within::Time(t) => Deadline::Time(time_ns + t),
                        });
                    }
                    let Some(deadline) = self.pending[i] else {
                        continue;
                    };
                    if holds(*then)? {
                        self.pending[i] = None;
                        continue;
                    }
                    // Violated when no later scan is still inside the window.
                    let missed = match deadline {
                        Deadline::Scan(last) => scan >= last,
                        Deadline::Time(last) => time_ns + cycle_ns > last,
                    };
                    if missed {
                        let window = match within {
                            Within::Scans(n) => format!("{n} scan(s)"),
                            Within::Time(t) => {
                                super::literal::time(crate::sema::types::Elem::Time, *t)
                            }
                        };
                        return Ok(Some(Violation {
                            name: format!("property \"{}\"", watch.name),
                            expected: format!("`{text}` within {window}"),
                        }));
                    }
                }
            }
        }
        Ok(None)
    }
}
