//! Structured Text syntax: tokens, lexer, tree, parser and printer.
//!
//! Invariant: [`parse`] never fails. It returns a tree and diagnostics for any input; every
//! node has a span; comments and pragmas are kept as trivia.

pub mod ast;
pub mod dump;
pub mod lexer;
pub mod literal;
pub mod parser;
pub mod printer;
mod split;
pub mod token;

pub use lexer::lex;

use crate::diagnostics::{Code, Diagnostic};
use crate::source::{FileId, Span};
use ast::{Item, SourceUnit};
use chumsky::Parser;
use chumsky::inspector::SimpleState;
use chumsky::span::SimpleSpan;
use parser::ParseError;
use split::Region;
use token::{Token, TokenKind, Trivia};

/// Parses one expression standing at byte `offset` of a file (a spec's property, written in
/// its TOML), so that spans and diagnostics point into that file.
pub fn parse_expression(
    file: FileId,
    text: &str,
    offset: usize,
) -> Result<ast::Expr, Vec<Diagnostic>> {
    // Padding keeps every span in the file's coordinates without shifting the tree afterwards.
    let padded = format!("{}{text}", " ".repeat(offset));
    let lexed = lex(file, &padded);
    if !lexed.diagnostics.is_empty() {
        return Err(lexed.diagnostics);
    }
    let tokens = &lexed.tokens;
    let span = tokens_span(tokens);
    if let Some(at) = split::too_deep(tokens) {
        let message = format!("nesting deeper than {} levels", split::MAX_NESTING);
        return Err(vec![Diagnostic::new(
            Code::S009,
            file,
            tokens[at].span.into(),
            message,
        )]);
    }
    let eoi = SimpleSpan::from(span.end as usize..span.end as usize);
    let (expr, errors) = parser::expression(&padded)
        .parse_with_state(parser::tokens(tokens, eoi), &mut SimpleState(0u32))
        .into_output_errors();
    let diagnostics: Vec<Diagnostic> = one_error_per_position(errors)
        .into_iter()
        .map(|e| syntax_error(file, &padded, tokens, e, None))
        .collect();
    match expr {
        Some(expr) if diagnostics.is_empty() => Ok(expr),
        _ if diagnostics.is_empty() => Err(vec![Diagnostic::new(
            Code::S007,
            file,
            Span::new(offset, offset + text.len()),
            "expected an expression",
        )]),
        _ => Err(diagnostics),
    }
}

/// Errors reported per file before the rest are summarised by one S010.
pub const MAX_ERRORS_PER_FILE: usize = 100;

/// A parsed file.
#[derive(Debug)]
pub struct Parsed {
    pub unit: SourceUnit,
    pub trivia: Vec<Trivia>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses one file. Never fails: whatever the input, the result holds a tree (possibly with
/// `Error` nodes) and the diagnostics that explain it.
pub fn parse(file: FileId, text: &str) -> Parsed {
    let lexed = lex(file, text);
    let tokens = &lexed.tokens;
    let mut diagnostics = lexed.diagnostics;
    let mut items = Vec::new();
    let item_parser = parser::item(text);
    let mut ids = SimpleState(0u32);
    for region in split::split(tokens) {
        match region {
            Region::Stray(range) => {
                let span = tokens_span(&tokens[range]);
                diagnostics.push(
                    Diagnostic::new(
                        Code::S008,
                        file,
                        span,
                        format!("`{}` is outside of any declaration", excerpt(text, span)),
                    )
                    .with_help("statements and declarations belong inside a PROGRAM, FUNCTION_BLOCK, FUNCTION, TYPE or VAR_GLOBAL"),
                );
            }
            Region::Item(range) => {
                let slice = &tokens[range.clone()];
                let span = tokens_span(slice);
                if let Some(at) = split::too_deep(slice) {
                    diagnostics.push(Diagnostic::new(
                        Code::S009,
                        file,
                        slice[at].span.into(),
                        format!(
                            "nesting deeper than {} levels or more than {} operators in one statement",
                            split::MAX_NESTING,
                            split::MAX_OPERATORS
                        ),
                    ));
                    items.push(Item::Error(span));
                    continue;
                }
                let eoi = SimpleSpan::from(span.end as usize..span.end as usize);
                let (item, errors) = item_parser
                    .parse_with_state(parser::tokens(slice, eoi), &mut ids)
                    .into_output_errors();
                let after = tokens.get(range.end).map(|t| t.kind);
                diagnostics.extend(
                    one_error_per_position(errors)
                        .into_iter()
                        // An invalid character already has its S001.
                        .filter(|e| e.found != Some(TokenKind::Error))
                        .map(|e| syntax_error(file, text, slice, e, after)),
                );
                items.push(item.unwrap_or(Item::Error(span)));
            }
        }
    }
    drop_consequential_errors(&mut diagnostics);
    limit_errors(file, &mut diagnostics);
    Parsed {
        unit: SourceUnit { items },
        trivia: lexed.trivia,
        diagnostics,
    }
}

/// Several errors at one token are one mistake seen from several rules: keep the most telling
/// (a missing `;` only when nothing else is expected there).
fn one_error_per_position(mut errors: Vec<ParseError>) -> Vec<ParseError> {
    errors.sort_by_key(|e| (e.span.start, e.expected.contains(TokenKind::Semi)));
    errors.dedup_by_key(|e| e.span.start);
    errors
}

fn tokens_span(tokens: &[Token]) -> Span {
    match (tokens.first(), tokens.last()) {
        (Some(first), Some(last)) => Span::new(first.span.start, last.span.end),
        _ => Span::default(),
    }
}

/// The start of a span's text, on one line, for messages.
fn excerpt(text: &str, span: Span) -> String {
    let s = &text[span.range()];
    let line = s.lines().next().unwrap_or_default();
    let short: String = line.chars().take(40).collect();
    if short.len() < s.len() {
        format!("{short}…")
    } else {
        short
    }
}

fn syntax_error(
    file: FileId,
    text: &str,
    slice: &[Token],
    error: ParseError,
    after: Option<TokenKind>,
) -> Diagnostic {
    let found = match error.found {
        Some(kind) => describe_found(kind, text, error.span.into()),
        None => match after {
            Some(kind) => format!("{kind}"),
            None => "end of file".into(),
        },
    };
    let expected = error.expected.describe();
    let message = format!("expected {expected}, found {found}");
    // A missing `;` is best shown right after the token it should follow.
    let span = if error.expected.contains(TokenKind::Semi) {
        let previous = slice
            .iter()
            .take_while(|t| t.span.end <= error.span.start)
            .last();
        match previous {
            Some(t) => Span::new(t.span.end, t.span.end),
            None => error.span.into(),
        }
    } else {
        error.span.into()
    };
    let diagnostic =
        Diagnostic::new(Code::S007, file, span, message).with_label(format!("expected {expected}"));
    match error.hint {
        Some(hint) => diagnostic.with_help(hint),
        None => diagnostic,
    }
}

fn describe_found(kind: TokenKind, text: &str, span: Span) -> String {
    match kind {
        TokenKind::Ident | TokenKind::Integer | TokenKind::Real | TokenKind::Error
            if !span.is_empty() =>
        {
            format!("{kind} `{}`", excerpt(text, span))
        }
        _ => kind.to_string(),
    }
}

/// Sorts by position and removes errors that only repeat an earlier one: a second syntax error
/// at the same position, and "found end of file" errors after a comment, pragma or string that
/// swallowed the rest of the file.
fn drop_consequential_errors(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by_key(|d| (d.primary.span.start, d.primary.span.end));
    let swallowed = diagnostics.iter().any(|d| d.code == Code::S003);
    let mut last_syntax_start = None;
    diagnostics.retain(|d| {
        if d.code != Code::S007 {
            return true;
        }
        if swallowed && d.message.ends_with("found end of file") {
            return false;
        }
        let start = d.primary.span.start;
        let repeated = last_syntax_start == Some(start);
        last_syntax_start = Some(start);
        !repeated
    });
}

/// Keeps the first [`MAX_ERRORS_PER_FILE`] errors and summarises the rest in one S010.
fn limit_errors(file: FileId, diagnostics: &mut Vec<Diagnostic>) {
    let mut errors = 0;
    let mut cut = None;
    for (i, d) in diagnostics.iter().enumerate() {
        if d.is_error() {
            errors += 1;
            if errors > MAX_ERRORS_PER_FILE {
                cut = Some(i);
                break;
            }
        }
    }
    if let Some(i) = cut {
        let rest = diagnostics.len() - i;
        let span = diagnostics[i].primary.span;
        diagnostics.truncate(i);
        diagnostics.push(Diagnostic::new(
            Code::S010,
            file,
            span,
            format!("{rest} more errors in this file are not shown"),
        ));
    }
}
