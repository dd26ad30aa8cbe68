//! `PREV(e)` in a spec's property or assumption: the value `e` had after the previous scan
//! (for an input: the value the previous scan read), and before the first scan the initial
//! value (the declared initialiser, or the type's default). It is typed like `e`.
//!
//! The spec's expressions are ST, where `PREV` is no function: before they are checked, each
//! `PREV(e)` becomes `(e)`, and the ids of those parentheses tell the lowering to read `e` in
//! the previous scan's memory ([`crate::ir::Expr::Prev`]). `e` is any expression that calls
//! nothing (a variable, a member, an element, arithmetic on them); a call, a nested `PREV` and
//! a member or element of a `PREV(…)` are P015.

use crate::diagnostics::{Code, Diagnostic};
use crate::source::{FileId, Span};
use crate::syntax::ast::{self, ArgKind, ExprKind, NodeId};

/// Rewrites every `PREV(e)` of `expr` to `(e)`, adding the ids of those parentheses to
/// `marks`; a misuse is a P015 diagnostic at the `PREV`.
pub fn mark(
    expr: &mut ast::Expr,
    file: FileId,
    marks: &mut Vec<NodeId>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    if is_prev(expr) {
        let ExprKind::Call { args, .. } = &mut expr.kind else {
            return;
        };
        let argument = match args.as_mut_slice() {
            [arg] if arg.kind == ArgKind::Positional && arg.value.is_some() => arg.value.take(),
            _ => None,
        };
        let Some(argument) = argument else {
            diagnostics.push(misuse(
                file,
                expr.span,
                "`PREV` takes one value: `PREV(x)` is the value of `x` after the previous scan",
            ));
            return;
        };
        if let Some((why, at)) = forbidden(&argument) {
            diagnostics.push(misuse(file, at, why));
            return;
        }
        expr.kind = ExprKind::Paren(Box::new(argument));
        marks.push(expr.id);
        return;
    }
    match &mut expr.kind {
        ExprKind::Member { base, .. } | ExprKind::Index { base, .. } if is_prev(base) => {
            diagnostics.push(misuse(
                file,
                expr.span,
                "a member or element of `PREV(…)`: write `PREV(x.member)` or `PREV(x[i])`",
            ));
        }
        ExprKind::Typed { value: x, .. }
        | ExprKind::Unary { operand: x, .. }
        | ExprKind::Paren(x)
        | ExprKind::Deref(x)
        | ExprKind::Bit { base: x, .. }
        | ExprKind::Member { base: x, .. } => mark(x, file, marks, diagnostics),
        ExprKind::Binary { lhs, rhs, .. } => {
            mark(lhs, file, marks, diagnostics);
            mark(rhs, file, marks, diagnostics);
        }
        ExprKind::Assign { target, value } => {
            mark(target, file, marks, diagnostics);
            mark(value, file, marks, diagnostics);
        }
        ExprKind::Index { base, indices } => {
            mark(base, file, marks, diagnostics);
            for i in indices {
                mark(i, file, marks, diagnostics);
            }
        }
        ExprKind::Call { callee, args } => {
            mark(callee, file, marks, diagnostics);
            for value in args.iter_mut().filter_map(|a| a.value.as_mut()) {
                mark(value, file, marks, diagnostics);
            }
        }
        _ => {}
    }
}

/// A call of `PREV`.
fn is_prev(e: &ast::Expr) -> bool {
    matches!(&e.kind, ExprKind::Call { callee, .. }
        if matches!(&callee.kind, ExprKind::Name(n) if n.name.eq_ignore_ascii_case("PREV")))
}

/// Why `e` cannot be read in the previous scan's memory, if it cannot, and where: it calls
/// something (a function runs now, and the values two scans back are not kept) or assigns.
fn forbidden(e: &ast::Expr) -> Option<(&'static str, Span)> {
    match &e.kind {
        ExprKind::Call { .. } if is_prev(e) => Some((
            "`PREV` inside `PREV`: only the previous scan's values are kept, not older ones",
            e.span,
        )),
        ExprKind::Call { .. } => Some((
            "`PREV` of a call: write the call around `PREV` instead, as in `ABS(PREV(x))`",
            e.span,
        )),
        ExprKind::Assign { .. } => Some(("`PREV` of an assignment", e.span)),
        ExprKind::Typed { value: x, .. }
        | ExprKind::Unary { operand: x, .. }
        | ExprKind::Paren(x)
        | ExprKind::Deref(x)
        | ExprKind::Bit { base: x, .. }
        | ExprKind::Member { base: x, .. } => forbidden(x),
        ExprKind::Binary { lhs, rhs, .. } => forbidden(lhs).or_else(|| forbidden(rhs)),
        ExprKind::Index { base, indices } => {
            forbidden(base).or_else(|| indices.iter().find_map(forbidden))
        }
        _ => None,
    }
}

fn misuse(file: FileId, at: Span, why: &str) -> Diagnostic {
    Diagnostic::new(Code::P015, file, at, format!("invalid use of PREV: {why}"))
}
