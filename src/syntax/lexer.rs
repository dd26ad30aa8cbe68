//! A hand-written lexer: one pass over the bytes, no backtracking. It never fails: anything it
//! cannot read becomes an `Error` token plus a diagnostic, so the parser always sees a complete
//! token stream. Comments and pragmas go to a separate trivia list for the printer.

use super::literal;
use super::token::{Token, TokenKind, Trivia, TriviaKind};
use crate::diagnostics::{Code, Diagnostic};
use crate::source::{FileId, Span};
use std::sync::LazyLock;

/// The lexer's output.
#[derive(Debug, Default)]
pub struct Lexed {
    pub tokens: Vec<Token>,
    pub trivia: Vec<Trivia>,
    pub diagnostics: Vec<Diagnostic>,
}

pub fn lex(file: FileId, text: &str) -> Lexed {
    let mut lexer = Lexer {
        file,
        text,
        bytes: text.as_bytes(),
        pos: 0,
        out: Lexed {
            tokens: Vec::with_capacity(text.len() / 5),
            ..Lexed::default()
        },
    };
    lexer.run();
    lexer.out
}

struct Lexer<'a> {
    file: FileId,
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    out: Lexed,
}

impl Lexer<'_> {
    fn peek(&self, ahead: usize) -> u8 {
        self.bytes.get(self.pos + ahead).copied().unwrap_or(0)
    }

    fn push(&mut self, kind: TokenKind, start: usize) {
        self.out.tokens.push(Token {
            kind,
            span: (start..self.pos).into(),
        });
    }

    fn error(&mut self, code: Code, start: usize, end: usize, message: impl Into<String>) {
        self.out.diagnostics.push(Diagnostic::new(
            code,
            self.file,
            Span::new(start, end),
            message,
        ));
    }

    fn run(&mut self) {
        while self.pos < self.bytes.len() {
            let start = self.pos;
            let b = self.bytes[self.pos];
            match b {
                b' ' | b'\t' | b'\r' | b'\n' | 0x0C => {
                    self.pos += 1;
                    while self.pos < self.bytes.len()
                        && matches!(self.bytes[self.pos], b' ' | b'\t' | b'\r' | b'\n' | 0x0C)
                    {
                        self.pos += 1;
                    }
                }
                b'(' if self.peek(1) == b'*' => self.block_comment(),
                b'/' if self.peek(1) == b'*' => self.c_comment(),
                b'/' if self.peek(1) == b'/' => self.line_comment(),
                b'{' => self.pragma(),
                // RuSTy's `@EXTERNAL` before a POU: an attribute, kept as a pragma is.
                b'@' if self.external_attribute() => {
                    self.pos += "@EXTERNAL".len();
                    self.trivia(TriviaKind::Pragma, start);
                }
                b'\'' => self.string(b'\'', TokenKind::String),
                b'"' => self.string(b'"', TokenKind::WString),
                b'0'..=b'9' => self.number(),
                b'A'..=b'Z' | b'a'..=b'z' | b'_' => self.word(),
                b'%' => self.address(),
                _ => match self.punct() {
                    Some((kind, len)) => {
                        self.pos += len;
                        self.push(kind, start);
                    }
                    None => self.invalid_run(),
                },
            }
        }
    }

    fn punct(&self) -> Option<(TokenKind, usize)> {
        use TokenKind::*;
        let two = match (self.peek(0), self.peek(1)) {
            (b':', b'=') => Some(Assign),
            (b'=', b'>') => Some(Arrow),
            (b'?', b'=') => Some(AssignAttempt),
            (b'.', b'.') => Some(DotDot),
            (b'*', b'*') => Some(Power),
            (b'<', b'>') => Some(Ne),
            (b'<', b'=') => Some(Le),
            (b'>', b'=') => Some(Ge),
            _ => None,
        };
        if let Some(kind) = two {
            return Some((kind, 2));
        }
        let one = match self.peek(0) {
            b':' => Colon,
            b';' => Semi,
            b',' => Comma,
            b'.' => Dot,
            b'(' => LParen,
            b')' => RParen,
            b'[' => LBracket,
            b']' => RBracket,
            b'^' => Caret,
            b'+' => Plus,
            b'-' => Minus,
            b'*' => Star,
            b'/' => Slash,
            b'=' => Eq,
            b'<' => Lt,
            b'>' => Gt,
            b'&' => Ampersand,
            b'#' => Hash,
            _ => return None,
        };
        Some((one, 1))
    }

    /// A run of characters that cannot start any token becomes one error token, so that a
    /// binary file yields a bounded number of diagnostics.
    fn invalid_run(&mut self) {
        let start = self.pos;
        while self.pos < self.bytes.len() {
            let b = self.bytes[self.pos];
            let starts_token = b.is_ascii_alphanumeric()
                || b.is_ascii_whitespace()
                || b"_'\"%{(/".contains(&b)
                || (b.is_ascii() && self.punct().is_some());
            if starts_token && self.pos > start {
                break;
            }
            self.pos += 1;
            while !self.text.is_char_boundary(self.pos) {
                self.pos += 1;
            }
        }
        let found = &self.text[start..self.pos];
        let shown: String = found
            .chars()
            .take(16)
            .flat_map(char::escape_debug)
            .collect();
        self.push(TokenKind::Error, start);
        self.error(
            Code::S001,
            start,
            self.pos,
            format!(
                "invalid character{} `{shown}`",
                if found.chars().count() > 1 { "s" } else { "" }
            ),
        );
    }

    fn trivia(&mut self, kind: TriviaKind, start: usize) {
        self.out.trivia.push(Trivia {
            kind,
            span: Span::new(start, self.pos),
        });
    }

    /// `(* … *)`, nesting as CODESYS and TwinCAT allow.
    fn block_comment(&mut self) {
        let start = self.pos;
        // CODESYS 2.3 exports wrap a POU's free-text description in these markers; the text
        // between them is not ST, so the whole block is one comment.
        const DESCRIPTION: &str = "(*@KEY@:DESCRIPTION*)";
        const END_DESCRIPTION: &str = "(*@KEY@:END_DESCRIPTION*)";
        if self.text[start..].starts_with(DESCRIPTION)
            && let Some(offset) = self.text[start..].find(END_DESCRIPTION)
        {
            self.pos = start + offset + END_DESCRIPTION.len();
            self.trivia(TriviaKind::BlockComment, start);
            return;
        }
        self.pos += 2;
        let mut depth = 1;
        while self.pos < self.bytes.len() {
            match (self.bytes[self.pos], self.peek(1)) {
                (b'(', b'*') => {
                    depth += 1;
                    self.pos += 2;
                }
                (b'*', b')') => {
                    depth -= 1;
                    self.pos += 2;
                    if depth == 0 {
                        self.trivia(TriviaKind::BlockComment, start);
                        return;
                    }
                }
                _ => self.pos += 1,
            }
        }
        // Never closed when nested: the author may have meant comments not to nest (CODESYS
        // 2.3 and matiec do not nest them), so end it at the first `*)` if there is one.
        match self.text[start + 2..].find("*)") {
            Some(offset) => {
                self.pos = start + 2 + offset + 2;
                self.trivia(TriviaKind::BlockComment, start);
            }
            None => {
                self.trivia(TriviaKind::BlockComment, start);
                self.error(Code::S003, start, start + 2, "comment `(*` is never closed");
            }
        }
    }

    fn c_comment(&mut self) {
        let start = self.pos;
        match self.text[start + 2..].find("*/") {
            Some(offset) => {
                self.pos = start + 2 + offset + 2;
                self.trivia(TriviaKind::BlockComment, start);
            }
            None => {
                self.pos = self.bytes.len();
                self.trivia(TriviaKind::BlockComment, start);
                self.error(Code::S003, start, start + 2, "comment `/*` is never closed");
            }
        }
    }

    fn line_comment(&mut self) {
        let start = self.pos;
        self.pos = self.text[start..]
            .find(['\n', '\r'])
            .map_or(self.bytes.len(), |offset| start + offset);
        self.trivia(TriviaKind::LineComment, start);
    }

    /// `{attribute 'x'}`, or a `{{ … }}` block of inline C (Beremiz), which may hold braces.
    /// Whether `@EXTERNAL` (any case) stands here as a word of its own.
    fn external_attribute(&self) -> bool {
        let word = "@EXTERNAL";
        self.text
            .get(self.pos..self.pos + word.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(word))
            && !self
                .bytes
                .get(self.pos + word.len())
                .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
    }

    fn pragma(&mut self) {
        let start = self.pos;
        let close = if self.peek(1) == b'{' { "}}" } else { "}" };
        match self.text[start..].find(close) {
            Some(offset) => {
                self.pos = start + offset + close.len();
                self.trivia(TriviaKind::Pragma, start);
            }
            None => {
                self.pos = self.bytes.len();
                self.trivia(TriviaKind::Pragma, start);
                self.error(Code::S003, start, start + 1, "pragma `{` is never closed");
            }
        }
    }

    /// A string in `quote`s with `$` escapes. Strings end at the line end: IEC strings cannot
    /// hold a raw line break (`$N` is the way), so an unclosed quote spoils only one line.
    fn string(&mut self, quote: u8, kind: TokenKind) {
        let start = self.pos;
        let wide = quote == b'"';
        self.pos += 1;
        loop {
            match self.bytes.get(self.pos).copied() {
                None | Some(b'\n') | Some(b'\r') => {
                    self.push(kind, start);
                    self.error(
                        Code::S002,
                        start,
                        self.pos,
                        "string literal is never closed",
                    );
                    return;
                }
                Some(b) if b == quote => {
                    self.pos += 1;
                    self.push(kind, start);
                    return;
                }
                Some(b'$') => {
                    let escape_start = self.pos;
                    self.pos += 1;
                    match self.peek(0) {
                        b'$' | b'\'' | b'"' | b'L' | b'l' | b'N' | b'n' | b'P' | b'p' | b'R'
                        | b'r' | b'T' | b't' => self.pos += 1,
                        _ => {
                            let digits = if wide { 4 } else { 2 };
                            let hex = (0..digits).all(|k| self.peek(k).is_ascii_hexdigit());
                            if hex {
                                self.pos += digits;
                            } else {
                                let end = (escape_start + 2).min(self.line_end(escape_start));
                                let end = self.char_end(end);
                                self.error(
                                    Code::S006,
                                    escape_start,
                                    end,
                                    format!(
                                        "invalid escape `{}` in string",
                                        &self.text[escape_start..end]
                                    ),
                                );
                            }
                        }
                    }
                }
                Some(_) => self.pos += 1,
            }
        }
    }

    fn line_end(&self, from: usize) -> usize {
        self.text[from..]
            .find(['\n', '\r'])
            .map_or(self.bytes.len(), |o| from + o)
    }

    /// The nearest char boundary at or after `pos`.
    fn char_end(&self, mut pos: usize) -> usize {
        while !self.text.is_char_boundary(pos) {
            pos += 1;
        }
        pos
    }

    fn digits(&mut self) {
        while matches!(self.peek(0), b'0'..=b'9' | b'_') {
            self.pos += 1;
        }
    }

    fn number(&mut self) {
        let start = self.pos;
        self.digits();
        if self.peek(0) == b'#' {
            self.pos += 1;
            while self.peek(0).is_ascii_alphanumeric() || self.peek(0) == b'_' {
                self.pos += 1;
            }
            if let Err(message) = literal::check_based_integer(&self.text[start..self.pos]) {
                self.error(Code::S004, start, self.pos, message);
            }
            self.push(TokenKind::Integer, start);
            return;
        }
        let mut kind = TokenKind::Integer;
        if self.peek(0) == b'.' && self.peek(1).is_ascii_digit() {
            self.pos += 1;
            self.digits();
            kind = TokenKind::Real;
        }
        let exponent_digit = match self.peek(1) {
            b'+' | b'-' => self.peek(2).is_ascii_digit(),
            d => d.is_ascii_digit(),
        };
        if matches!(self.peek(0), b'e' | b'E') && exponent_digit {
            self.pos += 2;
            self.digits();
            kind = TokenKind::Real;
        }
        self.push(kind, start);
    }

    fn word(&mut self) {
        let start = self.pos;
        let end = self.bytes[start..]
            .iter()
            .position(|&b| !IDENT_BYTE[b as usize])
            .map_or(self.bytes.len(), |n| start + n);
        self.pos = end;
        let word = &self.text[start..self.pos];
        if self.peek(0) == b'#'
            && let Some(kind) = literal::date_time_prefix(word)
        {
            self.date_time(kind, start);
            return;
        }
        let kind = keyword(word).unwrap_or(TokenKind::Ident);
        self.push(kind, start);
    }

    /// `T#…`, `DATE#…`, `TOD#…`, `DT#…` and their long and `L` forms.
    fn date_time(&mut self, kind: TokenKind, start: usize) {
        self.pos += 1; // '#'
        let body_start = self.pos;
        if matches!(self.peek(0), b'+' | b'-') {
            self.pos += 1;
        }
        while matches!(self.peek(0), b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z' | b'_' | b'.' | b':')
            || (self.peek(0) == b'-' && kind != TokenKind::Time)
        {
            self.pos += 1;
        }
        let body = &self.text[body_start..self.pos];
        if let Err(message) = literal::check_date_time(kind, body) {
            self.error(Code::S005, start, self.pos, message);
        }
        self.push(kind, start);
    }

    /// `%IX0.0`, `%QW4`, `%MD10`, `%I*`.
    fn address(&mut self) {
        let start = self.pos;
        self.pos += 1;
        while self.peek(0).is_ascii_alphanumeric() || matches!(self.peek(0), b'.' | b'*') {
            self.pos += 1;
        }
        if let Err(message) = literal::check_address(&self.text[start..self.pos]) {
            self.error(Code::S004, start, self.pos, message);
        }
        self.push(TokenKind::Address, start);
    }
}

/// Bytes that continue an identifier: ASCII letters, digits and `_`.
static IDENT_BYTE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = (b as u8).is_ascii_alphanumeric() || b == b'_' as usize;
        b += 1;
    }
    table
};

/// Keywords bucketed by length and first letter, for a case-insensitive lookup without
/// allocating: most identifiers fall into an empty bucket at once.
static KEYWORDS: LazyLock<Vec<Vec<(&'static str, TokenKind)>>> = LazyLock::new(|| {
    let mut buckets: Vec<Vec<(&'static str, TokenKind)>> = vec![Vec::new(); 32 * 27];
    for &kind in TokenKind::ALL {
        if kind.is_hard_keyword() || kind.is_soft_keyword() {
            let text = kind.describe();
            buckets[bucket(text.as_bytes())].push((text, kind));
        }
    }
    buckets
});

/// The bucket of a word: its length and its first letter (27 for anything else).
fn bucket(word: &[u8]) -> usize {
    let letter = match word[0] {
        b @ b'a'..=b'z' => (b - b'a') as usize,
        b @ b'A'..=b'Z' => (b - b'A') as usize,
        _ => 26,
    };
    word.len() * 27 + letter
}

/// The keyword a word spells, if any (case-insensitive).
pub fn keyword(word: &str) -> Option<TokenKind> {
    if word.is_empty() || word.len() >= 32 {
        return None;
    }
    KEYWORDS[bucket(word.as_bytes())]
        .iter()
        .find(|(text, _)| text.eq_ignore_ascii_case(word))
        .map(|&(_, kind)| kind)
}

#[cfg(test)]
mod tests {
    use super::*;
    use TokenKind::*;

    fn kinds(text: &str) -> Vec<TokenKind> {
        lex(FileId(0), text).tokens.iter().map(|t| t.kind).collect()
    }

    #[test]
    fn keywords_are_case_insensitive_and_soft_ones_marked() {
        assert_eq!(kinds("if If iF get Foo"), [If, If, If, Get, Ident]);
        assert!(Get.is_soft_keyword() && !If.is_soft_keyword());
    }

    #[test]
    fn numbers_ranges_and_bit_access() {
        assert_eq!(kinds("1..5"), [Integer, DotDot, Integer]);
        assert_eq!(kinds("x.3"), [Ident, Dot, Integer]);
        assert_eq!(
            kinds("1.5E3 2#1010_1010 16#FF 1e-3"),
            [Real, Integer, Integer, Real]
        );
        assert_eq!(kinds("INT#16#FF"), [Ident, Hash, Integer]);
    }

    #[test]
    fn time_literals_are_single_tokens() {
        assert_eq!(
            kinds("T#1h2m3s4ms TIME#-5s tod#12:00:00.5"),
            [Time, Time, TimeOfDay]
        );
        assert_eq!(
            kinds("DT#2024-01-31-12:00:00 D#2024-01-31"),
            [DateAndTime, Date]
        );
        assert_eq!(kinds("T#5s-x"), [Time, Minus, Ident]);
    }

    #[test]
    fn comments_and_pragmas_are_trivia() {
        let lexed = lex(
            FileId(0),
            "(* a (* nested *) b *) x // c\n{attribute 'x'} /* d */",
        );
        assert_eq!(lexed.tokens.len(), 1);
        let kinds: Vec<_> = lexed.trivia.iter().map(|t| t.kind).collect();
        assert_eq!(
            kinds,
            [
                TriviaKind::BlockComment,
                TriviaKind::LineComment,
                TriviaKind::Pragma,
                TriviaKind::BlockComment
            ]
        );
        assert!(lexed.diagnostics.is_empty());
    }

    #[test]
    fn errors_are_diagnostics_with_exact_spans() {
        let lexed = lex(FileId(0), "x := 'abc\ny := 2#102; z @@ § ;");
        let found: Vec<_> = lexed
            .diagnostics
            .iter()
            .map(|d| (d.code, d.primary.span.start, d.primary.span.end))
            .collect();
        assert_eq!(
            found,
            [
                (Code::S002, 5, 9),
                (Code::S004, 15, 20),
                (Code::S001, 24, 26),
                (Code::S001, 27, 29)
            ]
        );
    }

    #[test]
    fn string_escapes() {
        let lexed = lex(FileId(0), r#"'It$'s $N $0A' "$"wide$00e4" '$Q'"#);
        assert_eq!(
            lexed.tokens.iter().map(|t| t.kind).collect::<Vec<_>>(),
            [String, WString, String]
        );
        assert_eq!(lexed.diagnostics.len(), 1);
        assert_eq!(lexed.diagnostics[0].code, Code::S006);
    }
}
