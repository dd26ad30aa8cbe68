//! Expressions: IEC precedence by precedence climbing, postfix chains (`a.b(x).c[1]^`), literals,
//! call arguments and initialisers.

use super::{
    Extra, MapExtra, ParseError, Tokens, What, expect, ident, next_id, span_of, text, tok,
};
use crate::syntax::ast::*;
use crate::syntax::token::TokenKind as K;
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
    let negated_or_positional = choice((negated, positional.clone()));
    // Two tokens of lookahead say which kind of argument this is (`name :=`, `name =>`), so
    // that the name is not parsed again for each kind that does not fit.
    let arg = custom(move |inp: &mut Input<'a, '_>| {
        let first = inp.peek();
        let checkpoint = inp.save();
        inp.skip();
        let second = inp.peek();
        inp.rewind(checkpoint);
        let named = first.is_some_and(|k| k == K::Ident || k.is_soft_keyword());
        match (first, second) {
            (_, Some(K::Arrow)) if named => inp.parse(&output),
            (_, Some(K::Assign)) if named => inp.parse(&input),
            (Some(K::Not), _) => inp.parse(&negated_or_positional),
            _ => inp.parse(&positional),
        }
    });
    arg.map_with(|(kind, name, value), e| Arg {
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
        // A name, or a typed literal if `#` follows: the identifier is read once.
        let name_or_typed = {
            let ident = ident(src);
            let typed_value = typed_value.clone();
            custom(move |inp: &mut Input<'a, '_>| {
                let before = inp.cursor();
                let id = inp.parse(&ident)?;
                if inp.peek() != Some(K::Hash) {
                    return Ok(node(inp, &before, ExprKind::Name(id)));
                }
                inp.skip();
                let value = inp.parse(&typed_value)?;
                Ok(node(
                    inp,
                    &before,
                    ExprKind::Typed {
                        ty: id,
                        value: Box::new(value),
                    },
                ))
            })
        };
        let typed_string = select! { K::StringKw => (), K::WStringKw => () }
            .map_with(move |_, e| Ident {
                name: text(src, e),
                span: span_of(e),
            })
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

        // `(x := y)` is an assignment used as a value (CODESYS ExST). The inner expression is
        // parsed once: trying the assignment first would parse every nesting level twice.
        let paren = expr
            .clone()
            .then(tok(K::Assign).ignore_then(expr.clone()).or_not())
            .map_with(|(inner, value), e| match value {
                Some(value) => mk(
                    ExprKind::Assign {
                        target: Box::new(inner),
                        value: Box::new(value),
                    },
                    e,
                ),
                None => inner,
            })
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

        let literal_expr = literal(src).map_with(|lit, e| mk(ExprKind::Literal(lit), e));
        let address = select! { K::Address => () }.map_with(move |_, e| {
            let address = Address {
                text: text(src, e),
                span: span_of(e),
            };
            mk(ExprKind::Address(address), e)
        });
        let this = tok(K::This).map_with(|_, e| mk(ExprKind::This, e));
        let super_ = tok(K::Super).map_with(|_, e| mk(ExprKind::Super, e));
        // The first token decides what kind of operand this is.
        let atom = custom(move |inp: &mut Input<'a, '_>| match inp.peek() {
            Some(k) if k == K::Ident || k.is_soft_keyword() => inp.parse(&name_or_typed),
            Some(
                K::Integer
                | K::Real
                | K::String
                | K::WString
                | K::Time
                | K::Date
                | K::TimeOfDay
                | K::DateAndTime
                | K::True
                | K::False,
            ) => inp.parse(&literal_expr),
            Some(K::StringKw | K::WStringKw) => inp.parse(&typed_string),
            // `AND` starts an operand only as a call, `AND(a, b)`; otherwise it is misplaced.
            Some(k @ (K::And | K::Or | K::Xor | K::Mod)) => {
                let checkpoint = inp.save();
                inp.parse(&operator_function).map_err(|_| {
                    inp.rewind(checkpoint);
                    ParseError::expected_what(next_span(inp), Some(k), What::Expression)
                })
            }
            Some(K::Address) => inp.parse(address),
            Some(K::This) => inp.parse(&this),
            Some(K::Super) => inp.parse(&super_),
            Some(K::LParen) => inp.parse(&paren),
            found => Err(ParseError::expected_what(
                next_span(inp),
                found,
                What::Expression,
            )),
        });

        let bit = select! { K::Integer => () }.map_with(move |_, e| Literal {
            kind: LiteralKind::Integer,
            text: text(src, e),
        });
        let member = tok(K::Dot).ignore_then(choice((
            ident(src).map(Postfix::Member),
            bit.map(Postfix::Bit),
        )));
        let index = expr
            .clone()
            .separated_by(tok(K::Comma))
            .at_least(1)
            .collect::<Vec<_>>()
            .then_ignore(expect(K::RBracket))
            .delimited_by(tok(K::LBracket), empty())
            .map(Postfix::Index);
        let call = args(src, expr.clone()).map(Postfix::Call);
        // `a.b(x).c[1]^`: postfix operators bind tightest and chain left to right.
        let postfix = custom(move |inp: &mut Input<'a, '_>| {
            let before = inp.cursor();
            let mut base = inp.parse(&atom)?;
            loop {
                let op = match inp.peek() {
                    Some(K::Dot) => &member as &dyn Parser<'a, Tokens<'a>, Postfix, Extra>,
                    Some(K::LBracket) => &index,
                    Some(K::LParen) => &call,
                    Some(K::Caret) => {
                        inp.skip();
                        base = node(inp, &before, ExprKind::Deref(Box::new(base)));
                        continue;
                    }
                    _ => return Ok(base),
                };
                let op = match inp.parse(op) {
                    Ok(op) => op,
                    // `a.` with no member: committed, so report it here and keep `a`.
                    Err(e) => {
                        inp.emit(e);
                        return Ok(base);
                    }
                };
                let base_box = Box::new(base);
                let kind = match op {
                    Postfix::Member(member) => ExprKind::Member {
                        base: base_box,
                        member,
                    },
                    Postfix::Bit(bit) => ExprKind::Bit {
                        base: base_box,
                        bit,
                    },
                    Postfix::Index(indices) => ExprKind::Index {
                        base: base_box,
                        indices,
                    },
                    Postfix::Call(args) => ExprKind::Call {
                        callee: base_box,
                        args,
                    },
                };
                base = node(inp, &before, kind);
            }
        });
        operators(postfix).labelled(What::Expression).boxed()
    })
}

/// The binary operator a token stands for, with its binding power: IEC 61131-3's precedence
/// table, weakest first (OR, XOR, AND, equality, comparison, additive, multiplicative, `**`).
/// All are left-associative.
fn binary_op(kind: K) -> Option<(BinaryOp, u8)> {
    Some(match kind {
        K::Or => (BinaryOp::Or, 1),
        K::OrElse => (BinaryOp::OrElse, 1),
        K::Xor => (BinaryOp::Xor, 2),
        K::And | K::Ampersand => (BinaryOp::And, 3),
        K::AndThen => (BinaryOp::AndThen, 3),
        K::Eq => (BinaryOp::Eq, 4),
        K::Ne => (BinaryOp::Ne, 4),
        K::Lt => (BinaryOp::Lt, 5),
        K::Gt => (BinaryOp::Gt, 5),
        K::Le => (BinaryOp::Le, 5),
        K::Ge => (BinaryOp::Ge, 5),
        K::Plus => (BinaryOp::Add, 6),
        K::Minus => (BinaryOp::Sub, 6),
        K::Star => (BinaryOp::Mul, 7),
        K::Slash => (BinaryOp::Div, 7),
        K::Mod => (BinaryOp::Mod, 7),
        K::Power => (BinaryOp::Power, 8),
        _ => return None,
    })
}

fn unary_op(kind: K) -> Option<UnaryOp> {
    match kind {
        K::Minus => Some(UnaryOp::Neg),
        K::Plus => Some(UnaryOp::Plus),
        K::Not => Some(UnaryOp::Not),
        _ => None,
    }
}

pub type Input<'a, 'p> = chumsky::input::InputRef<'a, 'p, Tokens<'a>, Extra>;
type Cursor<'a, 'p> = chumsky::input::Cursor<'a, 'p, Tokens<'a>>;

/// Unary and binary operators over `operand` (the postfix-expression parser), by precedence
/// climbing. Hand-written because it is the hottest part of parsing: one table lookup per
/// token instead of trying every operator's parser in turn.
///
/// Once an operator is read, a missing operand is reported where it is missing and replaced by
/// an `Error` node, so that `a + ;` gives one precise error and parsing goes on.
fn operators<'a>(
    operand: impl Parser<'a, Tokens<'a>, Expr, Extra> + Clone + 'a,
) -> impl Parser<'a, Tokens<'a>, Expr, Extra> + Clone {
    custom(move |inp: &mut Input<'a, '_>| {
        let before = inp.cursor();
        let first = unary(inp, &operand, true)?;
        Ok(binary(inp, &operand, first, &before, 1))
    })
}

fn node<'a, 'p>(inp: &mut Input<'a, 'p>, before: &Cursor<'a, 'p>, kind: ExprKind) -> Expr {
    let span: SimpleSpan = inp.span_since(before);
    expr_at(inp, span, kind)
}

/// An expression node with a fresh id, from inside a hand-written parser.
fn expr_at(inp: &mut Input<'_, '_>, span: SimpleSpan, kind: ExprKind) -> Expr {
    let counter: &mut u32 = inp.state();
    let id = NodeId(*counter);
    *counter += 1;
    Expr {
        id,
        kind,
        span: span.into(),
    }
}

/// `-x`, `NOT x`, or an operand. Unary operators bind tighter than any binary one
/// (`-2 ** 2` is `(-2) ** 2`, `NOT a AND b` is `(NOT a) AND b`).
fn unary<'a>(
    inp: &mut Input<'a, '_>,
    operand: &impl Parser<'a, Tokens<'a>, Expr, Extra>,
    first: bool,
) -> Result<Expr, ParseError> {
    let before = inp.cursor();
    // RuSTy's `&x` is `REF(x)` (`&` between operands is AND): read as the call, so everything
    // after the parser knows one form; the callee's one-character span marks it for the
    // dialect check.
    if inp.peek() == Some(K::Ampersand) {
        let amp = next_span(inp);
        inp.skip();
        let inner = unary(inp, operand, false)?;
        let callee = expr_at(
            inp,
            amp,
            ExprKind::Name(Ident {
                name: "REF".into(),
                span: amp.into(),
            }),
        );
        let arg = Arg {
            kind: ArgKind::Positional,
            name: None,
            span: inner.span,
            value: Some(inner),
        };
        return Ok(node(
            inp,
            &before,
            ExprKind::Call {
                callee: Box::new(callee),
                args: vec![arg],
            },
        ));
    }
    if let Some(op) = inp.peek().and_then(unary_op) {
        inp.skip();
        let inner = unary(inp, operand, false)?;
        return Ok(node(
            inp,
            &before,
            ExprKind::Unary {
                op,
                operand: Box::new(inner),
            },
        ));
    }
    match inp.parse(operand) {
        Ok(e) => Ok(e),
        // At the very start nothing is committed yet: let the caller try something else.
        Err(e) if first => Err(e),
        Err(_) => Ok(missing_operand(inp)),
    }
}

/// The span of the next token (empty at the end of the input), without consuming it.
pub fn next_span(inp: &mut Input<'_, '_>) -> SimpleSpan {
    let before = inp.cursor();
    let checkpoint = inp.save();
    let _ = inp.next();
    let span = inp.span_since(&before);
    inp.rewind(checkpoint);
    span
}

/// Reports "expected expression" at the current token and stands in an `Error` node.
fn missing_operand<'a>(inp: &mut Input<'a, '_>) -> Expr {
    let found = inp.peek();
    let span = next_span(inp);
    inp.emit(ParseError::expected_what(span, found, What::Expression));
    expr_at(
        inp,
        SimpleSpan::from(span.start..span.start),
        ExprKind::Error,
    )
}

fn binary<'a, 'p>(
    inp: &mut Input<'a, 'p>,
    operand: &impl Parser<'a, Tokens<'a>, Expr, Extra>,
    mut lhs: Expr,
    before: &Cursor<'a, 'p>,
    min_power: u8,
) -> Expr {
    while let Some((op, power)) = inp.peek().and_then(binary_op) {
        if power < min_power {
            break;
        }
        inp.skip();
        let rhs_before = inp.cursor();
        let first = match unary(inp, operand, false) {
            Ok(e) => e,
            Err(_) => missing_operand(inp),
        };
        let rhs = binary(inp, operand, first, &rhs_before, power + 1);
        lhs = node(
            inp,
            before,
            ExprKind::Binary {
                op,
                lhs: Box::new(lhs),
                rhs: Box::new(rhs),
            },
        );
    }
    lhs
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
