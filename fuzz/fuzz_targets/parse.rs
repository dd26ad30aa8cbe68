//! Fuzzes the parser with arbitrary bytes.
//!
//! Checks, for every input:
//! - decoding and parsing never panic (the parser's "never fails" invariant);
//! - when the parse has no error diagnostics, the canonical printer's output parses again
//!   without errors, to a tree equal to the original's (spans aside) — the round-trip
//!   invariant behind `stforge fmt`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use stforge::source::{FileId, decode};
use stforge::syntax::{dump, parse, printer};

fuzz_target!(|bytes: &[u8]| {
    let decoded = decode(bytes);
    let parsed = parse(FileId(0), &decoded.text);
    if parsed.diagnostics.iter().any(|d| d.is_error()) {
        return;
    }

    let printed = printer::print(&parsed.unit, &parsed.trivia, &decoded.text);
    let reparsed = parse(FileId(0), &printed);
    let errors: Vec<String> = reparsed
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{:?} {}..{}: {}", d.code, d.primary.span.start, d.primary.span.end, d.message))
        .collect();
    assert!(
        errors.is_empty(),
        "printed text does not parse again\n--- input ---\n{}\n--- printed ---\n{}\n--- errors ---\n{}",
        decoded.text,
        printed,
        errors.join("\n"),
    );

    let before = dump::dump(&parsed.unit, false);
    let after = dump::dump(&reparsed.unit, false);
    assert!(
        before == after,
        "printing changed the tree\n--- input ---\n{}\n--- printed ---\n{}\n--- tree before ---\n{}\n--- tree after ---\n{}",
        decoded.text,
        printed,
        before,
        after,
    );
});
