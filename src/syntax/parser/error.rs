//! The parser's error type: cheap to create and merge (no allocation), because chumsky creates
//! one for every alternative it rules out.

use crate::syntax::token::TokenKind;
use chumsky::DefaultExpected;
use chumsky::error::{Error, LabelError};
use chumsky::input::Input;
use chumsky::span::SimpleSpan;
use chumsky::util::MaybeRef;

/// Grammar-level names for what was expected, used instead of long token lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum What {
    Expression,
    Statement,
    Identifier,
    Type,
    Declaration,
    Literal,
}

impl What {
    const ALL: [What; 6] = [
        What::Expression,
        What::Statement,
        What::Identifier,
        What::Type,
        What::Declaration,
        What::Literal,
    ];

    fn name(self) -> &'static str {
        match self {
            What::Expression => "expression",
            What::Statement => "statement",
            What::Identifier => "identifier",
            What::Type => "type",
            What::Declaration => "declaration",
            What::Literal => "literal",
        }
    }
}

/// A set of expected tokens and grammar names, as bits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Expected {
    tokens: [u64; 3],
    whats: u8,
    end: bool,
}

const _: () = assert!(
    TokenKind::ALL.len() <= 192,
    "Expected holds 192 token kinds"
);

impl Expected {
    fn add_token(&mut self, kind: TokenKind) {
        let bit = kind as usize;
        self.tokens[bit / 64] |= 1 << (bit % 64);
    }

    fn union(&mut self, other: &Expected) {
        for (a, b) in self.tokens.iter_mut().zip(other.tokens) {
            *a |= b;
        }
        self.whats |= other.whats;
        self.end |= other.end;
    }

    pub fn tokens(&self) -> impl Iterator<Item = TokenKind> + '_ {
        TokenKind::ALL
            .iter()
            .copied()
            .filter(|&k| self.tokens[k as usize / 64] & (1 << (k as usize % 64)) != 0)
    }

    pub fn whats(&self) -> impl Iterator<Item = What> + '_ {
        What::ALL
            .into_iter()
            .filter(|&w| self.whats & (1 << w as u8) != 0)
    }

    /// "a, b or c" — grammar names first, then at most a handful of tokens.
    pub fn describe(&self) -> String {
        let mut items: Vec<String> = self.whats().map(|w| w.name().to_string()).collect();
        items.extend(self.tokens().map(|k| k.to_string()));
        if self.end {
            items.push("end of input".into());
        }
        const SHOWN: usize = 6;
        if items.len() > SHOWN {
            items.truncate(SHOWN);
            items.push("…".into());
        }
        match items.as_slice() {
            [] => "something else".into(),
            [one] => one.clone(),
            [init @ .., last] => format!("{} or {last}", init.join(", ")),
        }
    }

    pub fn contains(&self, kind: TokenKind) -> bool {
        self.tokens().any(|k| k == kind)
    }
}

#[derive(Clone, Debug)]
pub struct ParseError {
    pub span: SimpleSpan,
    /// `None` at the end of the input.
    pub found: Option<TokenKind>,
    pub expected: Expected,
    /// Advice for a common mistake, shown as help.
    pub hint: Option<&'static str>,
}

impl ParseError {
    /// "expected `kind`" at a zero-width position.
    pub fn expected_at(offset: u32, found: Option<TokenKind>, kind: TokenKind) -> ParseError {
        let mut expected = Expected::default();
        expected.add_token(kind);
        let offset = offset as usize;
        ParseError {
            span: SimpleSpan::from(offset..offset),
            found,
            expected,
            hint: None,
        }
    }

    /// "expected <what>" at `span`.
    pub fn expected_what(span: SimpleSpan, found: Option<TokenKind>, what: What) -> ParseError {
        ParseError {
            span,
            found,
            expected: Expected {
                whats: 1 << what as u8,
                ..Expected::default()
            },
            hint: None,
        }
    }

    pub fn with_span(mut self, start: usize, end: usize) -> ParseError {
        self.span = SimpleSpan::from(start..end);
        self
    }

    pub fn with_hint(mut self, hint: &'static str) -> ParseError {
        self.hint = Some(hint);
        self
    }
}

impl<'a, I> Error<'a, I> for ParseError
where
    I: Input<'a, Token = TokenKind, Span = SimpleSpan>,
{
    fn merge(mut self, other: Self) -> Self {
        self.expected.union(&other.expected);
        self
    }
}

impl<'a, I> LabelError<'a, I, DefaultExpected<'a, TokenKind>> for ParseError
where
    I: Input<'a, Token = TokenKind, Span = SimpleSpan>,
{
    fn expected_found<E: IntoIterator<Item = DefaultExpected<'a, TokenKind>>>(
        expected: E,
        found: Option<MaybeRef<'a, TokenKind>>,
        span: SimpleSpan,
    ) -> Self {
        let mut set = Expected::default();
        for e in expected {
            match e {
                DefaultExpected::Token(t) => set.add_token(*t),
                DefaultExpected::EndOfInput => set.end = true,
                _ => {}
            }
        }
        ParseError {
            span,
            found: found.map(|t| *t),
            expected: set,
            hint: None,
        }
    }
}

impl<'a, I> LabelError<'a, I, What> for ParseError
where
    I: Input<'a, Token = TokenKind, Span = SimpleSpan>,
{
    fn expected_found<E: IntoIterator<Item = What>>(
        expected: E,
        found: Option<MaybeRef<'a, TokenKind>>,
        span: SimpleSpan,
    ) -> Self {
        let mut set = Expected::default();
        for w in expected {
            set.whats |= 1 << w as u8;
        }
        ParseError {
            span,
            found: found.map(|t| *t),
            expected: set,
            hint: None,
        }
    }

    fn label_with(&mut self, label: What) {
        self.expected = Expected {
            whats: 1 << label as u8,
            ..Expected::default()
        };
    }
}
