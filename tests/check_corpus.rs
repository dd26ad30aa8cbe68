//! The checker's corpus. Each file is one project checked under the dialect its header names
//! (`// DIALECT: codesys`, default `iec`):
//! - `corpus/types/*.st` and `corpus/specs/*.spec.toml` are correct: no diagnostic at all, not
//!   even a warning;
//! - `corpus/types-errors/*.st` and `corpus/spec-errors/*.spec.toml` list in their first line
//!   (`// EXPECT: T004@12:9 …`, in TOML `# EXPECT: …`) every diagnostic they must give, by
//!   code, line and column; the messages are snapshots.

use std::path::Path;
use stforge::check::{Options, Stage, check_sources};
use stforge::diagnostics::render;
use stforge::sema::Dialect;
use stforge::source::{Encoding, SourceMap};

struct Outcome {
    /// `CODE@line:column`, sorted.
    positions: Vec<String>,
    /// The rendered diagnostics, one per line.
    lines: String,
}

fn header<'t>(text: &'t str, key: &str) -> Option<&'t str> {
    text.lines().take(3).find_map(|l| {
        l.strip_prefix(&format!("// {key}: "))
            .or_else(|| l.strip_prefix(&format!("# {key}: ")))
    })
}

fn check(path: &Path) -> (String, Outcome) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let dialect = header(&text, "DIALECT")
        .map(|d| Dialect::from_name(d.trim()).unwrap_or_else(|| panic!("unknown dialect {d}")))
        .unwrap_or_default();
    let mut files = SourceMap::default();
    files.add(
        path.file_name().unwrap().into(),
        text.clone(),
        Encoding::Utf8,
    );
    let diagnostics = check_sources(
        &files,
        &Default::default(),
        Options {
            stage: Stage::All,
            dialect,
        },
    );
    let mut positions: Vec<String> = diagnostics
        .iter()
        .map(|d| {
            let j = render::to_json(d, &files);
            format!("{}@{}:{}", j.code, j.line, j.column)
        })
        .collect();
    positions.sort();
    let lines = diagnostics
        .iter()
        .map(|d| render::to_line(d, &files) + "\n")
        .collect();
    (text, Outcome { positions, lines })
}

#[test]
fn correct_programs_and_specs_give_no_diagnostics() {
    insta::glob!(
        concat!(env!("CARGO_MANIFEST_DIR"), "/corpus"),
        "{types/*.st,specs/*.spec.toml}",
        |path| {
            let (_, outcome) = check(path);
            assert_eq!(outcome.lines, "", "{} must check cleanly", path.display());
        }
    );
}

#[test]
fn error_fixtures_give_exactly_their_expected_diagnostics() {
    insta::glob!(
        concat!(env!("CARGO_MANIFEST_DIR"), "/corpus"),
        "{types-errors/*.st,spec-errors/*.spec.toml}",
        |path| {
            let (text, outcome) = check(path);
            let mut expected: Vec<String> = header(&text, "EXPECT")
                .unwrap_or_else(|| panic!("{} has no EXPECT line", path.display()))
                .split_whitespace()
                .map(String::from)
                .collect();
            expected.sort();
            assert_eq!(
                outcome.positions,
                expected,
                "{}:\n{}",
                path.display(),
                outcome.lines
            );
            insta::assert_snapshot!(outcome.lines);
        }
    );
}

#[test]
fn every_type_and_spec_code_has_a_fixture() {
    for (prefix, folder) in [('T', "types-errors"), ('P', "spec-errors")] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("corpus")
            .join(folder);
        let names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        for code in stforge::diagnostics::Code::ALL {
            let code = code.as_str();
            // P006 and P007 compare a spec with an implementation: `stforge test` reports them
            // (tests/test_cmd.rs asserts P006; P007 guards a variable the interface check let
            // through but a test step cannot set or read). P008 compares a test's scans with
            // `stforge test --max-scans` (tests/hardening.rs asserts it). P015 (a misused `PREV`)
            // is found where properties are checked in the POU's scope, with an implementation
            // (tests/verify_checks.rs asserts it).
            let only_test = ["P006", "P007", "P008", "P015"].contains(&code);
            if code.starts_with(prefix) && !only_test {
                assert!(
                    names.iter().any(|n| n.starts_with(code)),
                    "no fixture for {code} in corpus/{folder}"
                );
            }
        }
    }
}

/// The standard library's own bodies (timers, counters, edges, bistables) are what the
/// simulator will run: checked as user code they must be clean, as must the vendor
/// declarations in their dialect.
#[test]
fn the_standard_library_checks_cleanly_as_user_code() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("iec-stdlib");
    for (folder, dialect) in [
        (root.clone(), Dialect::Iec),
        (root.join("vendor/twincat"), Dialect::Twincat),
    ] {
        let mut files = SourceMap::default();
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "st") {
                let text = std::fs::read_to_string(&path).unwrap();
                files.add(path, text, Encoding::Utf8);
            }
        }
        assert!(files.files().len() >= 4, "{}", folder.display());
        let options = Options {
            stage: Stage::All,
            dialect,
        };
        let lines: Vec<String> = check_sources(&files, &Default::default(), options)
            .iter()
            .map(|d| render::to_line(d, &files))
            .collect();
        assert_eq!(lines, Vec::<String>::new(), "{}", folder.display());
    }
}

/// `corpus/tasks/<task>/`: the spec loads without a diagnostic, the reference solution and the
/// wrong implementation check cleanly, each on its own, and both declare exactly the spec's
/// interface (names, order, types, initial values).
#[test]
fn task_specs_and_their_implementations_are_clean_and_agree() {
    use stforge::syntax::ast::{Item, VarKind};
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/tasks");
    let mut tasks = 0;
    for entry in std::fs::read_dir(&root).unwrap() {
        let dir = entry.unwrap().path();
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let spec_path = dir.join(format!("{name}.spec.toml"));
        let spec_text = std::fs::read_to_string(&spec_path).unwrap();
        let (spec, diagnostics) = stforge::spec::load(stforge::source::FileId(0), &spec_text);
        assert_eq!(diagnostics, vec![], "{}", spec_path.display());
        let spec = spec.unwrap();
        tasks += 1;
        for implementation in ["solution.st", "wrong.st"] {
            let path = dir.join(implementation);
            if !path.exists() {
                continue;
            }
            let (text, outcome) = check(&path);
            assert_eq!(outcome.lines, "", "{} must check cleanly", path.display());
            let parsed = stforge::syntax::parse(stforge::source::FileId(0), &text);
            let pou = parsed
                .unit
                .items
                .iter()
                .find_map(|item| match item {
                    Item::Pou(p)
                        if p.name
                            .as_ref()
                            .is_some_and(|n| n.name.eq_ignore_ascii_case(&spec.pou.name.text)) =>
                    {
                        Some(p)
                    }
                    _ => None,
                })
                .unwrap_or_else(|| {
                    panic!("{} declares no `{}`", path.display(), spec.pou.name.text)
                });
            let compact = |s: &str| {
                s.split_whitespace()
                    .collect::<String>()
                    .to_ascii_uppercase()
            };
            for (kind, params) in [
                (VarKind::Input, &spec.pou.inputs),
                (VarKind::Output, &spec.pou.outputs),
                (VarKind::InOut, &spec.pou.in_outs),
            ] {
                let declared: Vec<(String, String, Option<String>)> = pou
                    .var_blocks
                    .iter()
                    .filter(|b| b.kind == kind)
                    .flat_map(|b| &b.decls)
                    .flat_map(|d| {
                        let ty = compact(&text[d.ty.span.range()]);
                        let init = d.init.as_ref().map(|i| compact(&text[i.span.range()]));
                        d.names
                            .iter()
                            .map(move |n| (n.name.to_string(), ty.clone(), init.clone()))
                    })
                    .collect();
                let wanted: Vec<(String, String, Option<String>)> = params
                    .iter()
                    .map(|p| {
                        (
                            p.name.text.clone(),
                            compact(&p.ty.text),
                            p.init.as_ref().map(|i| compact(&i.text)),
                        )
                    })
                    .collect();
                assert_eq!(
                    declared,
                    wanted,
                    "{}: {kind:?} differs from the spec",
                    path.display()
                );
            }
        }
    }
    assert!(tasks >= 20, "{tasks} tasks");
}
