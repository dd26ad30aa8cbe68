//! The chumsky grammar for Structured Text, over the lexer's tokens.
//!
//! The parser is run once per top-level region found by [`super::split`], so an error in one
//! POU can never swallow the next one. Within a region it recovers at statement and declaration
//! boundaries (skipping to the next `;` or closing keyword) and inserts missing closing tokens
//! (`;`, `END_IF`, `)`, …) after a construct has been recognised.

mod decl;
mod error;
mod expr;
mod pou;
mod stmt;

pub use error::{Expected, ParseError, What};
pub use pou::item;

/// One expression and nothing after it (spec properties and assumptions).
pub fn expression<'a>(
    src: &'a str,
) -> impl Parser<'a, Tokens<'a>, crate::syntax::ast::Expr, Extra> + Clone {
    expr::expr(src).then_ignore(end())
}

use crate::source::Span;
use crate::syntax::ast::{Ident, NodeId};
use crate::syntax::token::{Token, TokenKind};
use chumsky::input::MappedInput;
use chumsky::inspector::SimpleState;
use chumsky::prelude::*;
use smol_str::SmolStr;

/// The parser's input: the lexer's tokens, seen as (kind, span) pairs.
pub type Tokens<'a> = MappedInput<'a, TokenKind, SimpleSpan, &'a [Token]>;

/// Errors, plus a counter that hands out node ids.
pub type Extra = extra::Full<ParseError, SimpleState<u32>, ()>;

/// Wraps a token slice for the parser; `eoi` is the span reported for "end of input".
pub fn tokens(slice: &[Token], eoi: SimpleSpan) -> Tokens<'_> {
    slice.map(eoi, |t: &Token| (&t.kind, &t.span))
}

type MapExtra<'a, 'b> = chumsky::input::MapExtra<'a, 'b, Tokens<'a>, Extra>;

fn next_id(e: &mut MapExtra<'_, '_>) -> NodeId {
    let counter: &mut u32 = e.state();
    let id = *counter;
    *counter += 1;
    NodeId(id)
}

fn span_of(e: &mut MapExtra<'_, '_>) -> Span {
    e.span().into()
}

/// A token of the given kind.
fn tok<'a>(kind: TokenKind) -> impl Parser<'a, Tokens<'a>, (), Extra> + Clone {
    just(kind).ignored()
}

/// A closing token: if it is missing, report it and carry on as if it were there. Only used
/// once a construct is recognised, so that insertion never hides a better alternative.
fn expect<'a>(kind: TokenKind) -> impl Parser<'a, Tokens<'a>, (), Extra> + Clone {
    just(kind).ignored().recover_with(via_parser(empty()))
}

/// An optional `;` after `END_IF`, `END_STRUCT` and the like: IEC wants it, CODESYS does not.
fn opt_semi<'a>() -> impl Parser<'a, Tokens<'a>, (), Extra> + Clone {
    just(TokenKind::Semi).or_not().ignored()
}

/// An identifier, including soft keywords used as names. Hand-written: it is the most
/// frequently tried parser, and this avoids the filter and label layers.
fn ident<'a>(src: &'a str) -> impl Parser<'a, Tokens<'a>, Ident, Extra> + Clone {
    custom(move |inp: &mut expr::Input<'a, '_>| {
        let before = inp.cursor();
        match inp.peek() {
            Some(k) if k == TokenKind::Ident || k.is_soft_keyword() => {
                inp.skip();
                let span: Span = inp.span_since(&before).into();
                Ok(Ident {
                    name: SmolStr::new(&src[span.range()]),
                    span,
                })
            }
            found => Err(ParseError::expected_what(
                expr::next_span(inp),
                found,
                What::Identifier,
            )),
        }
    })
}

/// A given soft keyword (which the lexer reports as its own kind).
fn soft<'a>(kind: TokenKind) -> impl Parser<'a, Tokens<'a>, (), Extra> + Clone {
    debug_assert!(kind.is_soft_keyword());
    tok(kind)
}

fn text<'a>(src: &'a str, e: &mut MapExtra<'a, '_>) -> SmolStr {
    let span = span_of(e);
    SmolStr::new(&src[span.range()])
}
