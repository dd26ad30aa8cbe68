//! Statements, with recovery: a statement that cannot be parsed is skipped up to its `;` (or
//! up to the keyword that closes the enclosing block) and kept as `StmtKind::Error`.

use super::{
    Expected, Extra, MapExtra, ParseError, Tokens, What, expect, ident, next_id, opt_semi, span_of,
    tok,
};
use crate::syntax::ast::*;
use crate::syntax::token::TokenKind as K;
use chumsky::prelude::*;

fn mk(kind: StmtKind, e: &mut MapExtra<'_, '_>) -> Stmt {
    Stmt {
        id: next_id(e),
        kind,
        span: span_of(e),
    }
}

/// What follows the expression that starts an assignment or call statement.
#[derive(Clone)]
enum Rest {
    Assign(AssignOp, Expr),
    /// `;`
    End,
    /// `:` — the expression was a jump label.
    Label,
    /// Anything else (skipped up to the `;`), or nothing: the first token found.
    Junk(Option<K>),
}

/// The error for an expression that is neither assigned to nor called. `a = b;` gets a hint,
/// because it is the most common slip.
fn not_a_statement(src: &str, target: &Expr, found: Option<K>) -> ParseError {
    match &target.kind {
        ExprKind::Binary {
            op: BinaryOp::Eq,
            lhs,
            rhs,
        } => {
            let between = lhs.span.end as usize..rhs.span.start as usize;
            let at = between.start + src[between].find('=').unwrap_or(0);
            ParseError::expected_at(at as u32, Some(K::Eq), K::Assign)
                .with_span(at, at + 1)
                .with_hint("`=` compares two values; to assign, write `:=`")
        }
        _ => ParseError::expected_at(target.span.end, found, K::Assign),
    }
}

/// Keywords that close or divide the block around a statement: skipping stops before them.
fn ends_block(kind: K) -> bool {
    matches!(
        kind,
        K::EndIf
            | K::Elsif
            | K::Else
            | K::EndCase
            | K::EndFor
            | K::EndWhile
            | K::Until
            | K::EndRepeat
            | K::EndProgram
            | K::EndFunction
            | K::EndFunctionBlock
            | K::EndClass
            | K::EndMethod
            | K::EndAction
            | K::EndProperty
            | K::EndGet
            | K::EndSet
            | K::EndInterface
            | K::Method
            | K::Property
            | K::Action
            | K::Var
            | K::VarInput
            | K::VarOutput
            | K::VarInOut
            | K::VarTemp
            | K::VarStat
            | K::VarInst
            | K::EndVar
    )
}

fn opens_block(kind: K) -> bool {
    matches!(kind, K::If | K::Case | K::For | K::While | K::Repeat)
}

fn closes_block(kind: K) -> bool {
    matches!(
        kind,
        K::EndIf | K::EndCase | K::EndFor | K::EndWhile | K::EndRepeat
    )
}

/// Skips a broken statement: up to and including the next `;` at the same block depth, stopping
/// before a keyword that closes an enclosing block. Nested blocks are skipped whole, so that
/// their `END_…` keywords are not mistaken for the enclosing block's.
pub fn skip_statement<'a>() -> impl Parser<'a, Tokens<'a>, (), Extra> + Clone {
    custom(|inp| {
        let before = inp.cursor();
        let mut depth = 0usize;
        let mut consumed = false;
        while let Some(kind) = inp.peek() {
            if depth == 0 && ends_block(kind) {
                break;
            }
            if opens_block(kind) {
                depth += 1;
            } else if closes_block(kind) {
                depth = depth.saturating_sub(1);
            }
            inp.skip();
            consumed = true;
            if kind == K::Semi && depth == 0 {
                break;
            }
        }
        if consumed {
            Ok(())
        } else {
            Err(ParseError {
                span: inp.span_since(&before),
                found: inp.peek(),
                expected: Expected::default(),
                hint: None,
            })
        }
    })
}

/// The `;` that ends a statement. When it is missing, the error is reported once: if the next
/// token starts a new line, parsing goes on as if the `;` were there (the usual slip); otherwise
/// the rest of the broken statement is skipped up to its `;`.
fn end_of_statement<'a>(src: &'a str) -> impl Parser<'a, Tokens<'a>, (), Extra> + Clone {
    custom(move |inp| {
        let found = inp.peek();
        if found == Some(K::Semi) {
            inp.skip();
            return Ok(());
        }
        let checkpoint = inp.save();
        let before = inp.cursor();
        let _ = inp.next();
        let span: SimpleSpan = inp.span_since(&before);
        inp.rewind(checkpoint);
        let starts_line = src[..span.start]
            .trim_end_matches([' ', '\t'])
            .ends_with(['\n', '\r']);
        inp.emit(ParseError::expected_at(span.start as u32, found, K::Semi));
        if found.is_some() && !starts_line && !found.is_some_and(ends_block) {
            let _ = inp.parse(skip_statement());
        }
        Ok(())
    })
}

/// The value of an assignment, which CODESYS lets be another assignment: `a := b := 0;`.
fn chained_value<'a>(
    expr: impl Parser<'a, Tokens<'a>, Expr, Extra> + Clone + 'a,
) -> impl Parser<'a, Tokens<'a>, Expr, Extra> + Clone {
    // A loop on the next token rather than `repeated()`: nearly every assignment has no
    // second `:=`, and a failed attempt per statement is a measurable cost.
    custom(move |inp: &mut super::expr::Input<'a, '_>| {
        let first = inp.parse(&expr)?;
        if inp.peek() != Some(K::Assign) {
            return Ok(first);
        }
        let mut values = vec![first];
        while inp.peek() == Some(K::Assign) {
            inp.skip();
            values.push(inp.parse(&expr)?);
        }
        // Right-associative: a := (b := c)
        let mut value = values.pop().expect("at least one value");
        while let Some(target) = values.pop() {
            let span = target.span.to(value.span);
            value = Expr {
                id: target.id,
                span,
                kind: ExprKind::Assign {
                    target: Box::new(target),
                    value: Box::new(value),
                },
            };
        }
        Ok(value)
    })
}

/// One statement (recovering), and the expression parser it uses.
pub fn statement<'a>(
    src: &'a str,
    expr: impl Parser<'a, Tokens<'a>, Expr, Extra> + Clone + 'a,
) -> impl Parser<'a, Tokens<'a>, Stmt, Extra> + Clone {
    recursive(move |stmt| {
        let body = stmt.clone().repeated().collect::<Vec<_>>();

        let if_stmt = tok(K::If)
            .ignore_then(expr.clone())
            .then_ignore(expect(K::Then))
            .then(body.clone())
            .then(
                tok(K::Elsif)
                    .ignore_then(expr.clone())
                    .then_ignore(expect(K::Then))
                    .then(body.clone())
                    .repeated()
                    .collect::<Vec<_>>(),
            )
            .then(tok(K::Else).ignore_then(body.clone()).or_not())
            .then_ignore(expect(K::EndIf))
            .then_ignore(opt_semi())
            .map_with(|(((cond, then_body), elsifs), else_body), e| {
                let mut branches = vec![IfBranch {
                    cond,
                    body: then_body,
                }];
                branches.extend(
                    elsifs
                        .into_iter()
                        .map(|(cond, body)| IfBranch { cond, body }),
                );
                mk(
                    StmtKind::If {
                        branches,
                        else_body,
                    },
                    e,
                )
            });

        // CASE labels: `1, 2, 5..7:`, `E.Run:`, `-1:`
        let case_label = expr
            .clone()
            .then(tok(K::DotDot).ignore_then(expr.clone()).or_not())
            .map(|(low, high)| match high {
                Some(high) => CaseLabel::Range(low, high),
                None => CaseLabel::Value(low),
            });
        let case_labels = case_label
            .separated_by(tok(K::Comma))
            .at_least(1)
            .collect::<Vec<_>>();
        // Inside an arm, a statement may not look like the next arm's labels (`x:` or a
        // literal, which can never start a statement — so a label missing its `:` still
        // starts a new arm).
        let next_arm = choice((
            case_labels.clone().then(tok(K::Colon)).ignored(),
            super::expr::literal(src).ignored(),
            tok(K::Minus).then(super::expr::literal(src)).ignored(),
        ));
        let arm_body = stmt
            .clone()
            .and_is(next_arm.not())
            .repeated()
            .collect::<Vec<_>>();
        let arm = case_labels
            .then_ignore(expect(K::Colon))
            .then(arm_body)
            .map_with(|(labels, body), e| CaseArm {
                labels,
                body,
                span: span_of(e),
            });
        let case_stmt = tok(K::Case)
            .ignore_then(expr.clone())
            .then_ignore(expect(K::Of))
            .then(arm.repeated().collect::<Vec<_>>())
            .then(tok(K::Else).ignore_then(body.clone()).or_not())
            .then_ignore(expect(K::EndCase))
            .then_ignore(opt_semi())
            .map_with(|((selector, arms), else_body), e| {
                mk(
                    StmtKind::Case {
                        selector,
                        arms,
                        else_body,
                    },
                    e,
                )
            });

        // TwinCAT accepts any variable as the counter, `FOR a[1] := …` included.
        let for_stmt = tok(K::For)
            .ignore_then(expr.clone())
            .then_ignore(expect(K::Assign))
            .then(expr.clone())
            .then_ignore(expect(K::To))
            .then(expr.clone())
            .then(tok(K::By).ignore_then(expr.clone()).or_not())
            .then_ignore(expect(K::Do))
            .then(body.clone())
            .then_ignore(expect(K::EndFor))
            .then_ignore(opt_semi())
            .map_with(|((((var, from), to), by), body), e| {
                mk(
                    StmtKind::For(Box::new(ForLoop {
                        var,
                        from,
                        to,
                        by,
                        body,
                    })),
                    e,
                )
            });

        let while_stmt = tok(K::While)
            .ignore_then(expr.clone())
            .then_ignore(expect(K::Do))
            .then(body.clone())
            .then_ignore(expect(K::EndWhile))
            .then_ignore(opt_semi())
            .map_with(|(cond, body), e| mk(StmtKind::While { cond, body }, e));

        let repeat_stmt = tok(K::Repeat)
            .ignore_then(body.clone())
            .then_ignore(expect(K::Until))
            .then(expr.clone())
            .then_ignore(expect(K::EndRepeat))
            .then_ignore(opt_semi())
            .map_with(|(body, until), e| mk(StmtKind::Repeat { body, until }, e));

        let keyword_stmt = choice((
            tok(K::Exit).to(StmtKind::Exit),
            tok(K::Continue).to(StmtKind::Continue),
            tok(K::Return).to(StmtKind::Return),
            tok(K::Jmp).ignore_then(ident(src)).map(StmtKind::Jmp),
        ))
        .then_ignore(end_of_statement(src))
        .map_with(mk);

        let empty_stmt = tok(K::Semi).map_with(|_, e| mk(StmtKind::Empty, e));

        let assign_op = choice((
            tok(K::Assign).to(AssignOp::Assign),
            tok(K::AssignAttempt).to(AssignOp::Attempt),
            tok(K::SetOp).then(tok(K::Eq)).to(AssignOp::Set),
            tok(K::ResetOp).then(tok(K::Eq)).to(AssignOp::Reset),
            tok(K::Ref).then(tok(K::Eq)).to(AssignOp::Ref),
        ));
        // An assignment, a call or a jump label, parsed once: the target is a full expression.
        // What follows decides; a broken statement yields exactly one error and is skipped to its `;`.
        let next_kind = any().rewind().or_not();
        let rest = choice((
            // Once `:=` is read this is an assignment: a missing value is reported as such.
            assign_op
                .then(
                    chained_value(expr.clone()).recover_with(via_parser(empty().map_with(
                        |_, e| Expr {
                            id: next_id(e),
                            kind: ExprKind::Error,
                            span: span_of(e),
                        },
                    ))),
                )
                .then_ignore(end_of_statement(src))
                .map(|(op, value)| Rest::Assign(op, value)),
            tok(K::Semi).to(Rest::End),
            tok(K::Colon).to(Rest::Label),
            any()
                .rewind()
                .then_ignore(skip_statement())
                .map(|found| Rest::Junk(Some(found))),
            next_kind.map(Rest::Junk),
        ));
        let simple = expr
            .clone()
            .then(rest)
            .validate(move |(target, rest), e, emitter| {
                let is_call = matches!(target.kind, ExprKind::Call { .. });
                let is_comparison = matches!(
                    target.kind,
                    ExprKind::Binary {
                        op: BinaryOp::Eq,
                        ..
                    }
                );
                let kind = match rest {
                    Rest::Assign(op, value) => StmtKind::Assign { target, op, value },
                    Rest::Label => match target.kind {
                        ExprKind::Name(name) => StmtKind::Label(name),
                        _ => {
                            emitter.emit(ParseError::expected_at(
                                target.span.end,
                                Some(K::Colon),
                                K::Assign,
                            ));
                            StmtKind::Error
                        }
                    },
                    Rest::End if !is_comparison => StmtKind::Expr(target),
                    Rest::Junk(found) if is_call => {
                        emitter.emit(ParseError::expected_at(target.span.end, found, K::Semi));
                        StmtKind::Expr(target)
                    }
                    Rest::End => {
                        emitter.emit(not_a_statement(src, &target, Some(K::Semi)));
                        StmtKind::Error
                    }
                    Rest::Junk(found) => {
                        emitter.emit(not_a_statement(src, &target, found));
                        StmtKind::Error
                    }
                };
                mk(kind, e)
            });

        // The first token decides which statement this is: one lookup instead of trying each
        // kind in turn (statements are most of what is parsed).
        custom(move |inp| match inp.peek() {
            Some(K::If) => inp.parse(&if_stmt),
            Some(K::Case) => inp.parse(&case_stmt),
            Some(K::For) => inp.parse(&for_stmt),
            Some(K::While) => inp.parse(&while_stmt),
            Some(K::Repeat) => inp.parse(&repeat_stmt),
            Some(K::Exit | K::Continue | K::Return | K::Jmp) => inp.parse(&keyword_stmt),
            Some(K::Semi) => inp.parse(&empty_stmt),
            _ => inp.parse(&simple),
        })
        .labelled(What::Statement)
        .recover_with(via_parser(
            skip_statement().map_with(|_, e| mk(StmtKind::Error, e)),
        ))
        .boxed()
    })
}
