//! Integer constant expressions: array bounds, string lengths, subrange limits, enumeration
//! values, CASE labels and constant indices.

use super::key;
use crate::syntax::ast::{BinaryOp, Expr, ExprKind, LiteralKind, UnaryOp};
use crate::syntax::literal;
use smol_str::SmolStr;

/// Looks up a named constant: a plain name (`MAX_N`) or a qualified one (`E_State.Run`),
/// given upper-case.
pub type Lookup<'l> = &'l dyn Fn(&SmolStr) -> Option<i128>;

/// The value of an integer constant expression, or `None` when it is not one (or overflows).
pub fn int_value(e: &Expr, lookup: Lookup<'_>) -> Option<i128> {
    match &e.kind {
        ExprKind::Literal(lit) => match lit.kind {
            LiteralKind::Integer => literal::integer_value(&lit.text)
                .ok()
                .and_then(|v| i128::try_from(v).ok()),
            LiteralKind::Bool => Some(lit.text.eq_ignore_ascii_case("TRUE") as i128),
            _ => None,
        },
        ExprKind::Typed { ty, value } => match &value.kind {
            ExprKind::Name(v) => lookup(&key(&format!("{}.{}", ty.name, v.name))),
            _ => int_value(value, lookup),
        },
        ExprKind::Name(name) => lookup(&key(&name.name)),
        ExprKind::Member { base, member } => match &base.kind {
            ExprKind::Name(b) => lookup(&key(&format!("{}.{}", b.name, member.name))),
            _ => None,
        },
        ExprKind::Paren(inner) => int_value(inner, lookup),
        ExprKind::Unary { op, operand } => {
            let v = int_value(operand, lookup)?;
            match op {
                UnaryOp::Neg => v.checked_neg(),
                UnaryOp::Plus => Some(v),
                UnaryOp::Not => None,
            }
        }
        ExprKind::Binary { op, lhs, rhs } => {
            let (a, b) = (int_value(lhs, lookup)?, int_value(rhs, lookup)?);
            match op {
                BinaryOp::Add => a.checked_add(b),
                BinaryOp::Sub => a.checked_sub(b),
                BinaryOp::Mul => a.checked_mul(b),
                BinaryOp::Div => a.checked_div(b),
                BinaryOp::Mod => a.checked_rem(b),
                _ => None,
            }
        }
        _ => None,
    }
}
