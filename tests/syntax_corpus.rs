//! The parser's corpus: every well-formed file parses without diagnostics to the tree in its
//! snapshot; every malformed file gives exactly the diagnostics in its snapshot; printing
//! round-trips and is idempotent.

use std::path::Path;
use stforge::diagnostics::render;
use stforge::source::{Encoding, SourceMap};
use stforge::syntax::{self, dump::dump, printer::print};

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Diagnostics as `line:column CODE message` lines, with the file name relative to the corpus.
fn diagnostic_lines(path: &Path, text: &str) -> String {
    let mut files = SourceMap::default();
    let name = path.file_name().unwrap().into();
    let id = files.add(name, text.to_string(), Encoding::Utf8);
    let parsed = syntax::parse(id, text);
    parsed
        .diagnostics
        .iter()
        .map(|d| render::to_line(d, &files) + "\n")
        .collect()
}

#[test]
fn well_formed_files_parse_to_their_trees() {
    insta::glob!(
        concat!(env!("CARGO_MANIFEST_DIR"), "/corpus"),
        "syntax/*.st",
        |path| {
            let text = read(path);
            let parsed = syntax::parse(stforge::source::FileId(0), &text);
            assert_eq!(
                diagnostic_lines(path, &text),
                "",
                "{} must parse cleanly",
                path.display()
            );
            insta::assert_snapshot!(dump(&parsed.unit, true));
        }
    );
}

#[test]
fn malformed_files_report_exact_diagnostics() {
    insta::glob!(
        concat!(env!("CARGO_MANIFEST_DIR"), "/corpus"),
        "syntax-errors/*.st",
        |path| {
            let text = read(path);
            let lines = diagnostic_lines(path, &text);
            assert!(!lines.is_empty(), "{} must report an error", path.display());
            insta::assert_snapshot!(lines);
        }
    );
}

/// Fails with a short diff rather than two whole files.
fn assert_same(name: &str, what: &str, expected: &str, actual: &str) {
    if expected != actual {
        let diff = similar::TextDiff::from_lines(expected, actual);
        let shown: String = diff
            .unified_diff()
            .context_radius(2)
            .to_string()
            .lines()
            .take(40)
            .collect::<Vec<_>>()
            .join("\n");
        panic!("{name}: {what}:\n{shown}");
    }
}

/// The printer's contract, checked on one text: no errors in, same tree out, idempotent, and
/// every comment and pragma kept in order.
pub fn assert_round_trip(name: &str, text: &str) {
    let id = stforge::source::FileId(0);
    let parsed = syntax::parse(id, text);
    let printed = print(&parsed.unit, &parsed.trivia, text);
    let reparsed = syntax::parse(id, &printed);
    assert!(
        reparsed.diagnostics.is_empty(),
        "{name}: printed text has diagnostics: {:?}\n{printed}",
        reparsed.diagnostics.first()
    );
    assert_same(
        name,
        "tree changed by printing",
        &dump(&parsed.unit, false),
        &dump(&reparsed.unit, false),
    );
    assert_same(
        name,
        "printing is not idempotent",
        &printed,
        &print(&reparsed.unit, &reparsed.trivia, &printed),
    );
    let trivia = |t: &[syntax::token::Trivia], s: &str| -> Vec<String> {
        t.iter().map(|t| s[t.span.range()].to_string()).collect()
    };
    assert_eq!(
        trivia(&parsed.trivia, text),
        trivia(&reparsed.trivia, &printed),
        "{name}: comments changed"
    );
}

#[test]
fn printing_round_trips() {
    insta::glob!(
        concat!(env!("CARGO_MANIFEST_DIR"), "/corpus"),
        "syntax/*.st",
        |path| {
            assert_round_trip(&path.display().to_string(), &read(path));
        }
    );
}

/// Real-world code fetched locally (never committed): set STFORGE_REALWORLD to a folder of .st
/// files. Every file that parses without errors must round-trip through the printer.
#[test]
#[ignore = "needs STFORGE_REALWORLD"]
fn real_world_round_trip() {
    let root = std::env::var("STFORGE_REALWORLD").expect("STFORGE_REALWORLD names a folder");
    let files = stforge::source::load::expand(&[root.into()]);
    let mut checked = 0;
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        let text = stforge::source::decode(&bytes).text;
        let parsed = syntax::parse(stforge::source::FileId(0), &text);
        if parsed.diagnostics.iter().any(|d| d.is_error()) {
            continue;
        }
        assert_round_trip(&path.display().to_string(), &text);
        checked += 1;
    }
    eprintln!("{checked} of {} files round-trip", files.len());
}
