//! Fuzzes the terminal renderer: arbitrary text, with the parser's diagnostics and with labels
//! at arbitrary places.
//!
//! The first 12 bytes place one diagnostic's primary label and two secondary labels (offsets
//! taken modulo the text's length + 1, so they fall anywhere: inside characters, on line
//! breaks, at the end); the rest is the file. Checks that rendering never panics (columns past
//! 65,535, CR, CRLF and lone-CR lines, multi-byte characters cut by a span, labels over many
//! lines) and that every excerpt line stays short: a diagnostic shows a window of a long line,
//! never the line.

#![no_main]

use libfuzzer_sys::fuzz_target;
use stforge::diagnostics::{Code, Diagnostic, render};
use stforge::source::{SourceMap, Span, decode};

/// The longest excerpt line: the window (160 bytes, a tab widened to 4 columns), the cut marks,
/// the line number and the gutter.
const MAX_EXCERPT_LINE: usize = 4 * 160 + 64;

fuzz_target!(|bytes: &[u8]| {
    if bytes.len() < 12 {
        return;
    }
    let (head, rest) = bytes.split_at(12);
    let decoded = decode(rest);
    let mut files = SourceMap::default();
    let id = files.add("fuzz.st".into(), decoded.text, decoded.encoding);
    let len = files.get(id).text.len() as u32;
    let at = |i: usize| {
        let raw = u16::from_le_bytes([head[i], head[i + 1]]) as u32;
        // Small offsets mostly, the end of a long line sometimes.
        if raw & 1 == 0 { raw % (len + 1) } else { len - raw % (len + 1) }
    };
    let span = |i: usize| {
        let (a, b) = (at(i), at(i + 2));
        Span {
            start: a.min(b),
            end: a.max(b),
        }
    };
    let placed = Diagnostic::new(Code::T004, id, span(0), "a message")
        .with_label("here")
        .with_secondary(id, span(4), "and here")
        .with_secondary(id, span(8), "");
    let parsed = stforge::syntax::parse(id, &files.get(id).text);
    let mut all = vec![placed];
    all.extend(parsed.diagnostics);
    for color in [false, true] {
        let text = render::to_terminal_all(&all, &files, color);
        if !color {
            // Excerpt lines: a line number, then the gutter.
            let excerpt = |l: &&str| {
                l.trim_start()
                    .split_once(" │")
                    .is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            };
            for line in text.lines().filter(excerpt) {
                assert!(
                    line.chars().count() <= MAX_EXCERPT_LINE,
                    "an excerpt line of {} characters",
                    line.chars().count()
                );
            }
        }
    }
    for d in &all {
        let _ = render::to_json(d, &files);
    }
});
