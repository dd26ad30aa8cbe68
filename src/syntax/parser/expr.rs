//! Expressions: IEC precedence via a Pratt parser, postfix chains (`a.b(x).c[1]^`), literals,
//! call arguments and initialisers.

use super::{Extra, MapExtra, Tokens, What, expect, ident, next_id, span_of, text, tok};
use crate::syntax::ast::*;
use crate::syntax::token::TokenKind as K;
use chumsky::pratt::{infix, left, prefix};
use chumsky::prelude::*;

fn mk(kind: ExprKind, e: &mut MapExtra<'_, '_>) -> Expr {
    Expr {
        id: next_id(e),
        kind,
        span: span_of(e),
    }
}

/// A literal token, as written.
pub fn literal<'a>(src: &'a str) -> impl Parser<'a, Tokens<'a>, Literal, Extra> + Clone {
    select! {
        K::Integer => LiteralKind::Integer,
        K::Real => LiteralKind::Real,
        K::String => LiteralKind::String,
        K::WString => LiteralKind::WString,
        K::Time => LiteralKind::Time,
        K::Date => LiteralKind::Date,
        K::TimeOfDay => LiteralKind::TimeOfDay,
        K::DateAndTime => LiteralKind::DateAndTime,
        K::True => LiteralKind::Bool,
        K::False => LiteralKind::Bool,
    }
    .map_with(move |kind, e| Literal {
        kind,
        text: text(src, e),
    })
    .labelled(What::Literal)
}

/// Call arguments between parentheses: `(a, IN := x, Q => y, NOT Q2 => z, Q3 =>)`.
pub fn args<'a>(
    src: &'a str,
    expr: impl Parser<'a, Tokens<'a>, Expr, Extra> + Clone + 'a,
) -> impl Parser<'a, Tokens<'a>, Vec<Arg>, Extra> + Clone {
    let output_value = expr.clone().or_not();
    let negated = tok(K::Not)
        .ignore_then(ident(src))
        .then_ignore(tok(K::Arrow))
        .then(output_value.clone())
        .map(|(name, value)| (ArgKind::NegatedOutput, Some(name), value));
    let output = ident(src)
        .then_ignore(tok(K::Arrow))
        .then(output_value)
        .map(|(name, value)| (ArgKind::Output, Some(name), value));
    // `x :=` with no value leaves an input unconnected (CODESYS).
    let input = ident(src)
        .then_ignore(tok(K::Assign))
        .then(expr.clone().or_not())
        .map(|(name, value)| (ArgKind::Input, Some(name), value));
    let positional = expr.map(|value| (ArgKind::Positional, None, Some(value)));
    choice((negated, output, input, positional))
        .map_with(|(kind, name, value), e| Arg {
            kind,
            name,
            value,
            span: span_of(e),
        })
        .separated_by(tok(K::Comma))
        .allow_trailing()
        .collect::<Vec<_>>()
        .then_ignore(expect(K::RParen))
        .delimited_by(tok(K::LParen), empty())
}

#[derive(Clone)]
enum Postfix {
    Member(Ident),
    Bit(Literal),
    Index(Vec<Expr>),
    Deref,
    Call(Vec<Arg>),
}

/// The full expression grammar.
pub fn expr<'a>(src: &'a str) -> impl Parser<'a, Tokens<'a>, Expr, Extra> + Clone {
    recursive(move |expr| {
        let name = ident(src).map_with(|id, e| mk(ExprKind::Name(id), e));

        // `INT#16#FF`, `INT#-5`, `STRING#'x'`, `E_State#Run`
        let typed_value = choice((
            literal(src).map_with(|lit, e| mk(ExprKind::Literal(lit), e)),
            just(K::Minus)
                .ignore_then(literal(src).map_with(|lit, e| mk(ExprKind::Literal(lit), e)))
                .map_with(|operand, e| {
                    mk(
                        ExprKind::Unary {
                            op: UnaryOp::Neg,
                            operand: Box::new(operand),
                        },
                        e,
                    )
                }),
            name.clone(),
        ));
        let type_prefix = choice((
            ident(src),
            select! { K::StringKw => (), K::WStringKw => () }.map_with(move |_, e| Ident {
                name: text(src, e),
                span: span_of(e),
            }),
        ));
        let typed = type_prefix
            .then_ignore(tok(K::Hash))
            .then(typed_value)
            .map_with(|(ty, value), e| {
                mk(
                    ExprKind::Typed {
                        ty,
                        value: Box::new(value),
                    },
                    e,
                )
            });

        // `(x := y)` is an assignment used as a value (CODESYS ExST).
        let paren_assign = expr
            .clone()
            .then_ignore(tok(K::Assign))
            .then(expr.clone())
            .map_with(|(target, value), e| {
                mk(
                    ExprKind::Assign {
                        target: Box::new(target),
                        value: Box::new(value),
                    },
                    e,
                )
            });
        let paren = choice((paren_assign, expr.clone()))
            .then_ignore(expect(K::RParen))
            .delimited_by(tok(K::LParen), empty())
            .map_with(|inner, e| mk(ExprKind::Paren(Box::new(inner)), e));

        // `AND(a, b)`, `MOD(a, b)`: the standard functions named like operators, called.
        let operator_function = select! { K::And => (), K::Or => (), K::Xor => (), K::Mod => () }
            .then_ignore(tok(K::LParen).rewind())
            .map_with(move |_, e| {
                let id = Ident {
                    name: text(src, e),
                    span: span_of(e),
                };
                mk(ExprKind::Name(id), e)
            });

        let atom = choice((
            literal(src).map_with(|lit, e| mk(ExprKind::Literal(lit), e)),
            typed,
            name,
            operator_function,
            select! { K::Address => () }.map_with(move |_, e| {
                let address = Address {
                    text: text(src, e),
                    span: span_of(e),
                };
                mk(ExprKind::Address(address), e)
            }),
            tok(K::This).map_with(|_, e| mk(ExprKind::This, e)),
            tok(K::Super).map_with(|_, e| mk(ExprKind::Super, e)),
            paren,
        ));

        let bit = select! { K::Integer => () }.map_with(move |_, e| Literal {
            kind: LiteralKind::Integer,
            text: text(src, e),
        });
        let postfix_op = choice((
            tok(K::Dot).ignore_then(choice((
                ident(src).map(Postfix::Member),
                bit.map(Postfix::Bit),
            ))),
            expr.clone()
                .separated_by(tok(K::Comma))
                .at_least(1)
                .collect::<Vec<_>>()
                .then_ignore(expect(K::RBracket))
                .delimited_by(tok(K::LBracket), empty())
                .map(Postfix::Index),
            tok(K::Caret).to(Postfix::Deref),
            args(src, expr.clone()).map(Postfix::Call),
        ));
        let postfix = atom.foldl_with(postfix_op.repeated(), |base, op, e| {
            let base = Box::new(base);
            let kind = match op {
                Postfix::Member(member) => ExprKind::Member { base, member },
                Postfix::Bit(bit) => ExprKind::Bit { base, bit },
                Postfix::Index(indices) => ExprKind::Index { base, indices },
                Postfix::Deref => ExprKind::Deref(base),
                Postfix::Call(args) => ExprKind::Call { callee: base, args },
            };
            mk(kind, e)
        });

        let binary = |l: Expr, op: BinaryOp, r: Expr, e: &mut MapExtra<'a, '_>| {
            mk(
                ExprKind::Binary {
                    op,
                    lhs: Box::new(l),
                    rhs: Box::new(r),
                },
                e,
            )
        };
        let unary = |op: UnaryOp, operand: Expr, e: &mut MapExtra<'a, '_>| {
            mk(
                ExprKind::Unary {
                    op,
                    operand: Box::new(operand),
                },
                e,
            )
        };
        // IEC 61131-3 table of operator precedence: unary operators bind tightest, then `**`,
        // multiplicative, additive, comparison, equality, AND, XOR, OR.
        postfix
            .pratt((
                prefix(
                    9,
                    select! { K::Minus => UnaryOp::Neg, K::Plus => UnaryOp::Plus, K::Not => UnaryOp::Not },
                    move |op, operand, e| unary(op, operand, e),
                ),
                infix(left(8), just(K::Power).to(BinaryOp::Power), move |l, op, r, e| binary(l, op, r, e)),
                infix(
                    left(7),
                    select! { K::Star => BinaryOp::Mul, K::Slash => BinaryOp::Div, K::Mod => BinaryOp::Mod },
                    move |l, op, r, e| binary(l, op, r, e),
                ),
                infix(
                    left(6),
                    select! { K::Plus => BinaryOp::Add, K::Minus => BinaryOp::Sub },
                    move |l, op, r, e| binary(l, op, r, e),
                ),
                infix(
                    left(5),
                    select! { K::Lt => BinaryOp::Lt, K::Gt => BinaryOp::Gt, K::Le => BinaryOp::Le, K::Ge => BinaryOp::Ge },
                    move |l, op, r, e| binary(l, op, r, e),
                ),
                infix(
                    left(4),
                    select! { K::Eq => BinaryOp::Eq, K::Ne => BinaryOp::Ne },
                    move |l, op, r, e| binary(l, op, r, e),
                ),
                infix(
                    left(3),
                    select! { K::And => BinaryOp::And, K::Ampersand => BinaryOp::And, K::AndThen => BinaryOp::AndThen },
                    move |l, op, r, e| binary(l, op, r, e),
                ),
                infix(left(2), just(K::Xor).to(BinaryOp::Xor), move |l, op, r, e| binary(l, op, r, e)),
                infix(
                    left(1),
                    select! { K::Or => BinaryOp::Or, K::OrElse => BinaryOp::OrElse },
                    move |l, op, r, e| binary(l, op, r, e),
                ),
            ))
            .labelled(What::Expression)
            .boxed()
    })
}

/// An initial value: an expression, a structure initialiser `(a := 1, b := (c := 2))` or an
/// array initialiser `[1, 2, 3(0), 2([1, 2])]`.
pub fn initializer<'a>(
    src: &'a str,
    expr: impl Parser<'a, Tokens<'a>, Expr, Extra> + Clone + 'a,
) -> impl Parser<'a, Tokens<'a>, Expr, Extra> + Clone {
    recursive(move |init| {
        let field = ident(src).then_ignore(tok(K::Assign)).then(init.clone());
        let struct_init = field
            .separated_by(tok(K::Comma))
            .at_least(1)
            .collect::<Vec<_>>()
            .then_ignore(expect(K::RParen))
            .delimited_by(tok(K::LParen), empty())
            .map_with(|fields, e| mk(ExprKind::StructInit(fields), e));
        // The count is a literal or a constant's name, never a general expression: `3(0)`
        // would otherwise read as a call.
        let count = choice((
            literal(src).map_with(|lit, e| mk(ExprKind::Literal(lit), e)),
            ident(src).map_with(|id, e| mk(ExprKind::Name(id), e)),
        ));
        let repeat = count
            .then(
                init.clone()
                    .or_not()
                    .delimited_by(tok(K::LParen), tok(K::RParen)),
            )
            .map(|(count, value)| ArrayInitElem::Repeat { count, value });
        let element = choice((repeat, init.clone().map(ArrayInitElem::Single)));
        let array_init = element
            .separated_by(tok(K::Comma))
            .allow_trailing()
            .collect::<Vec<_>>()
            .then_ignore(expect(K::RBracket))
            .delimited_by(tok(K::LBracket), empty())
            .map_with(|elems, e| {
                mk(
                    ExprKind::ArrayInit {
                        elems,
                        bracketed: true,
                    },
                    e,
                )
            });
        choice((struct_init, array_init, expr)).boxed()
    })
}
