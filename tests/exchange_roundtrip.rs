//! Export → import round trips over the syntax corpus and the task solutions: ST exported to
//! each format and imported again parses to the same tree (spans aside), and every PLCopen
//! export is valid against the official schema (xmllint, installed by scripts/setup.sh).
//!
//! A file whose constructs a format cannot express must fail with X006 instead: the expected
//! failures are listed per format, so a format that starts or stops expressing something shows
//! up here.

use std::path::{Path, PathBuf};
use stforge::diagnostics::Code;
use stforge::export::{self, Source, Target};
use stforge::source::import::{self, Format};
use stforge::source::load;
use stforge::syntax::ast::{
    Item, Pou, PouKind, SourceUnit, TypeBlock, TypeSpecKind, VarBlock, VarDecl,
};
use stforge::syntax::{self, dump};

fn syntax_files() -> Vec<PathBuf> {
    load::expand(&[Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/syntax")])
}

fn task_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/tasks");
    let mut tasks: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path().join("solution.st"))
        .collect();
    tasks.sort();
    tasks
}

fn corpus_files() -> Vec<PathBuf> {
    let mut files = syntax_files();
    files.extend(task_files());
    files
}

/// What PLCopen cannot keep apart: one element per variable and per type (`a, b : INT` and a
/// TYPE block of two types come back split), actions in their own list after the methods.
fn normalise_plcopen(items: Vec<Item>) -> Vec<Item> {
    let mut out = Vec::new();
    for item in items {
        match item {
            Item::Types(block) => {
                for decl in block.decls {
                    let mut decl = decl;
                    if let TypeSpecKind::Struct { members } = &mut decl.spec.kind {
                        *members = split_names(std::mem::take(members));
                    }
                    out.push(Item::Types(TypeBlock {
                        span: decl.span,
                        decls: vec![decl],
                    }));
                }
            }
            Item::Pou(mut pou) => {
                normalise_pou(&mut pou);
                out.push(Item::Pou(pou));
            }
            Item::Globals(mut block) => {
                normalise_qualifiers(&mut block);
                block.decls = split_names(block.decls);
                out.push(Item::Globals(block));
            }
            other => out.push(other),
        }
    }
    out
}

fn split_type_blocks(items: Vec<Item>) -> Vec<Item> {
    items
        .into_iter()
        .flat_map(|item| match item {
            Item::Types(block) => block
                .decls
                .into_iter()
                .map(|decl| {
                    Item::Types(TypeBlock {
                        span: decl.span,
                        decls: vec![decl],
                    })
                })
                .collect(),
            other => vec![other],
        })
        .collect()
}

fn normalise_pou(pou: &mut Pou) {
    for block in &mut pou.var_blocks {
        normalise_qualifiers(block);
        block.decls = split_names(std::mem::take(&mut block.decls));
    }
    pou.members.sort_by_key(|m| m.kind == PouKind::Action);
    for member in &mut pou.members {
        normalise_pou(member);
    }
}

/// PLCopen has attributes for qualifiers, so their order is not kept.
fn normalise_qualifiers(block: &mut VarBlock) {
    block.qualifiers.sort_by_key(|q| *q as u8);
}

fn split_names(decls: Vec<VarDecl>) -> Vec<VarDecl> {
    decls
        .into_iter()
        .flat_map(|d| {
            d.names
                .iter()
                .map(|n| VarDecl {
                    names: vec![n.clone()],
                    ..d.clone()
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Each item's dump, sorted: formats order items their own way (PLCopen puts types first).
fn item_dumps(items: Vec<Item>) -> Vec<String> {
    let mut dumps: Vec<String> = items
        .into_iter()
        .map(|item| dump::dump(&SourceUnit { items: vec![item] }, false))
        .collect();
    dumps.sort();
    dumps
}

fn format_of(name: &str) -> Option<Format> {
    Format::of(Path::new(name))
}

/// The original items, the imported items and the exported texts; or the X006 messages.
type RoundTrip = Result<(Vec<Item>, Vec<Item>, Vec<String>), Vec<String>>;

/// Exports one file and imports the result; `Err` with the X006 diagnostics' lines.
fn round_trip(path: &Path, target: Target) -> RoundTrip {
    round_trip_items(path, target, None)
}

/// As [`round_trip`], of the whole file or of its item number `only`.
fn round_trip_items(path: &Path, target: Target, only: Option<usize>) -> RoundTrip {
    let (files, load_errors) = load::load(std::slice::from_ref(&path.to_path_buf()));
    assert!(
        load_errors.is_empty(),
        "{}: {load_errors:?}",
        path.display()
    );
    let file = &files.files()[0];
    let mut parsed = syntax::parse(file.id, &file.text);
    assert!(
        parsed.diagnostics.iter().all(|d| !d.is_error()),
        "{}: corpus file has errors",
        path.display()
    );
    if let Some(index) = only {
        parsed.unit.items = vec![parsed.unit.items[index].clone()];
    }
    let sources = [Source {
        file,
        parsed: &parsed,
    }];
    let outputs = export::export(target, &sources).map_err(|diagnostics| {
        diagnostics
            .iter()
            .map(|d| {
                assert_eq!(d.code, Code::X006, "{}: {}", path.display(), d.message);
                d.message.clone()
            })
            .collect::<Vec<_>>()
    })?;
    let mut imported = Vec::new();
    let mut texts = Vec::new();
    for output in outputs {
        let text = match format_of(&output.name) {
            Some(format) => {
                let result = import::import(format, output.text.as_bytes());
                assert!(
                    result.problems.is_empty(),
                    "{} → {}: import problems {:?}\n{}",
                    path.display(),
                    output.name,
                    result.problems,
                    output.text
                );
                result.text
            }
            None => output.text.clone(),
        };
        let reparsed = syntax::parse(file.id, &text);
        assert!(
            reparsed.diagnostics.iter().all(|d| !d.is_error()),
            "{} → {}: imported text has errors {:?}\n--- export\n{}\n--- imported ST\n{text}",
            path.display(),
            output.name,
            reparsed.diagnostics,
            output.text
        );
        imported.extend(reparsed.unit.items);
        texts.push(output.text);
    }
    Ok((parsed.unit.items, imported, texts))
}

/// Round-trips every corpus file through `target`; returns the files that failed with X006.
fn check_format(target: Target) -> Vec<String> {
    check_files(target, corpus_files(), false)
}

/// Round-trips `files` (or each of their items on its own) through `target`; returns those
/// that failed with X006 (`path` or `path#item`).
fn check_files(target: Target, files: Vec<PathBuf>, per_item: bool) -> Vec<String> {
    let mut refused = Vec::new();
    let mut units = Vec::new();
    for path in files {
        let file_name = path
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .unwrap()
            .display()
            .to_string();
        if per_item {
            let text = std::fs::read_to_string(&path).unwrap();
            let count = syntax::parse(stforge::source::FileId(0), &text)
                .unit
                .items
                .len();
            units.extend((0..count).map(|i| (path.clone(), Some(i), format!("{file_name}#{i}"))));
        } else {
            units.push((path, None, file_name));
        }
    }
    for (path, only, name) in units {
        match round_trip_items(&path, target, only) {
            Ok((original, imported, _)) => {
                let (original, imported) = match target {
                    Target::Plcopen => (normalise_plcopen(original), normalise_plcopen(imported)),
                    // SCL, too, has one type per TYPE block.
                    Target::Scl => (split_type_blocks(original), split_type_blocks(imported)),
                    _ => (original, imported),
                };
                let (a, b) = (item_dumps(original), item_dumps(imported));
                if a != b {
                    let diff = similar::TextDiff::from_lines(a.join("\n"), b.join("\n"))
                        .unified_diff()
                        .to_string();
                    panic!("{name} → {target:?} → import: trees differ\n{diff}");
                }
            }
            Err(_) => refused.push(name),
        }
    }
    refused
}

#[test]
fn st_round_trips_everything() {
    assert_eq!(check_format(Target::St), Vec::<String>::new());
}

#[test]
fn twincat_round_trips_all_but_configurations() {
    assert_eq!(
        check_format(Target::Twincat),
        [
            "corpus/syntax/pou_configuration.st",
            "corpus/syntax/vars_config.st"
        ]
    );
}

#[test]
fn plcopen_round_trips_what_plcopen_can_express() {
    assert_eq!(
        check_format(Target::Plcopen),
        [
            // configuration-level tasks and VAR_CONFIG
            "corpus/syntax/pou_configuration.st",
            // FUNCTION_BLOCK ABSTRACT / FINAL, INTERFACE
            "corpus/syntax/pou_function_block_oop.st",
            "corpus/syntax/pou_interface.st",
            "corpus/syntax/pou_method.st",
            // structure inheritance, UNION
            "corpus/syntax/types_struct_extends.st",
            "corpus/syntax/types_union.st",
            // VAR_CONFIG
            "corpus/syntax/vars_config.st",
        ]
    );
}

#[test]
fn scl_round_trips_the_task_solutions_it_can_express() {
    // These two declare enumerations, which SCL has no type for.
    assert_eq!(
        check_files(Target::Scl, task_files(), false),
        [
            "corpus/tasks/garage_door/solution.st",
            "corpus/tasks/pedestrian_crossing/solution.st"
        ]
    );
}

/// Most syntax corpus files hold a PROGRAM with static variables or a construct SCL lacks
/// somewhere, so SCL is checked item by item there: every POU and type SCL can express comes
/// back equal.
#[test]
fn scl_round_trips_each_expressible_item_of_the_syntax_corpus() {
    let files = syntax_files();
    let total: usize = files
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).unwrap();
            syntax::parse(stforge::source::FileId(0), &text)
                .unit
                .items
                .len()
        })
        .sum();
    let refused = check_files(Target::Scl, files, true);
    let exported = total - refused.len();
    assert!(
        exported >= 40,
        "only {exported} of {total} items exported: refused {refused:#?}"
    );
}

/// Every PLCopen export of the corpus is valid against tc6_xml_v201.xsd.
#[test]
fn plcopen_exports_are_schema_valid() {
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/schemas/tc6_xml_v201.xsd");
    let schema = if schema.exists() {
        schema
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("shared/schemas/tc6_xml_v201.xsd")
    };
    assert!(
        schema.exists(),
        "the PLCopen schema is in ../shared/schemas"
    );
    let dir = tempfile::tempdir().unwrap();
    let mut validated = 0;
    for path in corpus_files() {
        let Ok((_, _, texts)) = round_trip(&path, Target::Plcopen) else {
            continue;
        };
        let out = dir.path().join(format!("{validated}.xml"));
        std::fs::write(&out, &texts[0]).unwrap();
        let result = std::process::Command::new("xmllint")
            .arg("--noout")
            .arg("--schema")
            .arg(&schema)
            .arg(&out)
            .output()
            .expect("xmllint is installed (scripts/setup.sh: libxml2-utils)");
        assert!(
            result.status.success(),
            "{}: not valid PLCopen 2.01:\n{}\n{}",
            path.display(),
            String::from_utf8_lossy(&result.stderr),
            texts[0]
        );
        validated += 1;
    }
    assert!(validated >= 40, "only {validated} files exported");
}
