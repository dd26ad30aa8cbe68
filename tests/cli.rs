//! The `stforge` binary, run the way users run it: exit codes, output formats, files on disk.

use std::path::{Path, PathBuf};
use std::process::Output;
mod common;
use common::{stderr, stdout, stforge};

fn corpus(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(path)
        .display()
        .to_string()
}

/// Writes `bytes` to a fresh file in a temporary folder.
fn temp_file(name: &str, bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    (dir, path)
}

fn json(o: &Output) -> Vec<serde_json::Value> {
    serde_json::from_str(&stdout(o)).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

#[test]
fn clean_file_exits_zero() {
    let o = stforge(&["check", &corpus("syntax/stmt_if.st")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("checked 1 file: 0 errors, 0 warnings"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn folders_are_searched_recursively() {
    let o = stforge(&[
        "check",
        "--stage",
        "parse",
        "--format",
        "json",
        &corpus("syntax"),
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(json(&o), Vec::<serde_json::Value>::new());
}

#[test]
fn json_reports_code_line_and_column() {
    let file = corpus("syntax-errors/err_missing_end_if.st");
    let o = stforge(&["check", "--format", "json", &file]);
    assert_eq!(o.status.code(), Some(1));
    let expected = serde_json::json!([{
        "file": file,
        "code": "S007",
        "severity": "error",
        "message": "expected statement or END_IF, found END_PROGRAM",
        "line": 18,
        "column": 1,
        "end_line": 18,
        "end_column": 12,
    }]);
    assert_eq!(serde_json::Value::Array(json(&o)), expected);
}

#[test]
fn terminal_output_shows_code_and_source() {
    let o = stforge(&[
        "check",
        "--color",
        "never",
        &corpus("syntax-errors/err_missing_then.st"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    assert!(text.contains("S007"), "{text}");
    assert!(text.contains("err_missing_then.st:15:9"), "{text}");
    assert!(stderr(&o).contains("2 errors"), "{}", stderr(&o));
}

#[test]
fn unreadable_input_is_a_usage_error() {
    let o = stforge(&["check", "--format", "json", "/no/such/file.st"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(json(&o)[0]["code"], "F001");
}

#[test]
fn bad_usage_exits_two() {
    assert_eq!(stforge(&["check"]).status.code(), Some(2));
    assert_eq!(stforge(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(
        stforge(&["check", "--stage", "nonsense", "x.st"])
            .status
            .code(),
        Some(2)
    );
}

const MESSY: &str =
    "program  Main\nvar x:int; END_VAR\n  if x>1 then x:=x+1; // bump\nend_if\nEND_PROGRAM\n";
const TIDY: &str = "PROGRAM Main\nVAR\n    x : int;\nEND_VAR\n    IF x > 1 THEN\n        x := x + 1; // bump\n    END_IF;\nEND_PROGRAM\n";

#[test]
fn fmt_check_shows_the_diff_and_changes_nothing() {
    let (_dir, path) = temp_file("main.st", MESSY.as_bytes());
    let o = stforge(&["fmt", "--check", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("+    IF x > 1 THEN"), "{}", stdout(&o));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), MESSY);
}

#[test]
fn fmt_rewrites_in_place_then_is_clean() {
    let (_dir, path) = temp_file("main.st", MESSY.as_bytes());
    let p = path.to_str().unwrap();
    assert_eq!(stforge(&["fmt", p]).status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), TIDY);
    assert_eq!(stforge(&["fmt", "--check", p]).status.code(), Some(0));
    assert_eq!(stdout(&stforge(&["fmt", "--stdout", p])), TIDY);
}

#[test]
fn fmt_never_touches_a_file_with_errors() {
    let broken = b"PROGRAM P\n  x := ;\nEND_PROGRAM\n";
    let (_dir, path) = temp_file("broken.st", broken);
    let o = stforge(&["fmt", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("has syntax errors"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&path).unwrap(), broken);
}

#[test]
fn fmt_keeps_windows_1252_and_crlf() {
    // `ä` is 0xE4 in Windows-1252; the file is not valid UTF-8.
    let source = b"PROGRAM P\r\nVAR x : INT; END_VAR (* Z\xE4hler *)\r\nx:=1;\r\nEND_PROGRAM\r\n";
    let (_dir, path) = temp_file("legacy.st", source);
    assert_eq!(
        stforge(&["fmt", path.to_str().unwrap()]).status.code(),
        Some(0)
    );
    let written = std::fs::read(&path).unwrap();
    let expected: &[u8] =
        b"PROGRAM P\r\nVAR\r\n    x : INT;\r\nEND_VAR (* Z\xE4hler *)\r\n    x := 1;\r\nEND_PROGRAM\r\n";
    assert_eq!(
        String::from_utf8_lossy(&written),
        String::from_utf8_lossy(expected)
    );
    assert_eq!(written, expected);
}

#[test]
fn fmt_keeps_utf16() {
    let text = "program P\nEND_PROGRAM\n";
    let bytes: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let (_dir, path) = temp_file("wide.st", &bytes);
    assert_eq!(
        stforge(&["fmt", path.to_str().unwrap()]).status.code(),
        Some(0)
    );
    let expected: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(
            "PROGRAM P\nEND_PROGRAM\n"
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        )
        .collect();
    assert_eq!(std::fs::read(&path).unwrap(), expected);
}

#[test]
fn explain_prints_the_registry() {
    let o = stforge(&["explain", "s007"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stdout(&o).starts_with("# S007: unexpected token\n"),
        "{}",
        stdout(&o)
    );
    let list = stdout(&stforge(&["explain"]));
    assert!(
        list.contains("S009  syntax   error    nesting too deep"),
        "{list}"
    );
    assert_eq!(stforge(&["explain", "X999"]).status.code(), Some(2));
}

#[test]
fn parse_prints_the_tree_with_spans() {
    let (_dir, path) = temp_file("p.st", b"PROGRAM P\nx := a + b * 2;\nEND_PROGRAM\n");
    let o = stforge(&["parse", "--spans", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout(&o),
        "PROGRAM P @0..37\n  Assign x (+ a (* b 2)) @10..25\n"
    );
}

// --- bad input: always a diagnostic and an exit code, never a crash or a hang ---

fn check_json(bytes: &[u8]) -> (Option<i32>, Vec<serde_json::Value>) {
    let (_dir, path) = temp_file("input.st", bytes);
    let o = stforge(&["check", "--format", "json", path.to_str().unwrap()]);
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    (o.status.code(), json(&o))
}

fn codes(diagnostics: &[serde_json::Value]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn random_bytes() {
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let bytes: Vec<u8> = (0..1_000_000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect();
    let (code, diagnostics) = check_json(&bytes);
    assert_eq!(code, Some(1));
    assert_eq!(diagnostics.len(), 101, "100 errors and one S010 summary");
    assert_eq!(diagnostics[100]["code"], "S010");
}

#[test]
fn ten_thousand_nested_parentheses() {
    let text = format!(
        "PROGRAM P\nx := {}1{};\nEND_PROGRAM\n",
        "(".repeat(10_000),
        ")".repeat(10_000)
    );
    let (code, diagnostics) = check_json(text.as_bytes());
    assert_eq!(code, Some(1));
    assert_eq!(codes(&diagnostics), ["S009"]);
    assert_eq!(
        (
            diagnostics[0]["line"].as_u64(),
            diagnostics[0]["column"].as_u64()
        ),
        (Some(2), Some(262))
    );
}

/// Each level once took twice as long as the one inside it (found by fuzzing).
#[test]
fn nested_parentheses_parse_in_linear_time() {
    let text = format!(
        "PROGRAM P\nVAR x : INT; END_VAR\nx := {}1{};\nEND_PROGRAM\n",
        "(".repeat(250),
        ")".repeat(250)
    );
    let (code, diagnostics) = check_json(text.as_bytes());
    assert_eq!((code, diagnostics.len()), (Some(0), 0));
}

#[test]
fn ten_thousand_nested_ifs() {
    let text = format!(
        "PROGRAM P\n{}x := 1;\n{}END_PROGRAM\n",
        "IF c THEN\n".repeat(10_000),
        "END_IF;\n".repeat(10_000)
    );
    let (code, diagnostics) = check_json(text.as_bytes());
    assert_eq!(code, Some(1));
    assert_eq!(codes(&diagnostics), ["S009"]);
    assert_eq!(diagnostics[0]["line"].as_u64(), Some(258));
}

#[test]
fn truncated_file() {
    let (code, diagnostics) = check_json(b"FUNCTION_BLOCK FB\nVAR_INPUT\n  x : INT");
    assert_eq!(code, Some(1));
    assert_eq!(codes(&diagnostics), ["S007"]);
    assert_eq!(
        diagnostics[0]["message"],
        // `..` starts RuSTy's variadic `T...`.
        "expected ':=', ';', '..', '.' or '(', found end of file"
    );
}

#[test]
fn fifty_megabyte_file() {
    let pou = |i: usize| {
        format!(
            "FUNCTION_BLOCK FB_Conveyor{i}\nVAR_INPUT\n    bRun : BOOL;\nEND_VAR\nVAR\n    nCount : DINT;\nEND_VAR\n    IF bRun THEN\n        nCount := nCount + 1; // count\n    END_IF;\nEND_FUNCTION_BLOCK\n"
        )
    };
    let count = 50 * 1024 * 1024 / pou(0).len() + 1;
    let text: String = (0..count).map(pou).collect();
    let (code, diagnostics) = check_json(text.as_bytes());
    assert_eq!(code, Some(0));
    assert!(diagnostics.is_empty());
}

/// `(line, column)` of each diagnostic with this code.
fn positions(diagnostics: &[serde_json::Value], code: &str) -> Vec<(u64, u64)> {
    diagnostics
        .iter()
        .filter(|d| d["code"] == code)
        .map(|d| (d["line"].as_u64().unwrap(), d["column"].as_u64().unwrap()))
        .collect()
}

/// A chain of function blocks, each holding an instance of the next: `FB_0` … `FB_{n-1}`;
/// with `cycle`, the last holds the first. Each block takes 6 lines, its name at column 16.
fn fb_chain(n: usize, cycle: bool) -> String {
    (0..n)
        .map(|i| {
            let next = if i + 1 < n {
                format!("FB_{}", i + 1)
            } else if cycle {
                "FB_0".to_string()
            } else {
                "TON".to_string()
            };
            format!(
                "FUNCTION_BLOCK FB_{i}\nVAR\n    inner : {next};\nEND_VAR\n    inner();\nEND_FUNCTION_BLOCK\n"
            )
        })
        .collect()
}

#[test]
fn thousand_deep_function_block_nesting_checks_cleanly() {
    let (code, diagnostics) = check_json(fb_chain(1000, false).as_bytes());
    assert_eq!((code, diagnostics.len()), (Some(0), 0), "{diagnostics:?}");
}

#[test]
fn thousand_function_blocks_containing_each_other_in_a_cycle() {
    let (code, diagnostics) = check_json(fb_chain(1000, true).as_bytes());
    assert_eq!(code, Some(1));
    let expected: Vec<(u64, u64)> = (0..1000).map(|i| (6 * i + 1, 16)).collect();
    assert_eq!(positions(&diagnostics, "T023"), expected);
    assert_eq!(diagnostics.len(), 1000);
}

#[test]
fn long_alias_cycle_and_self_inheritance() {
    // T_0 : T_1; … T_9999 : T_0; one declaration per line, the name at column 6.
    let mut text: String = (0..10_000)
        .map(|i| format!("TYPE T_{i} : T_{}; END_TYPE\n", (i + 1) % 10_000))
        .collect();
    text.push_str("FUNCTION_BLOCK FB_Self EXTENDS FB_Self\nEND_FUNCTION_BLOCK\n");
    let (code, diagnostics) = check_json(text.as_bytes());
    assert_eq!(code, Some(1));
    let expected: Vec<(u64, u64)> = (1..=10_000).map(|line| (line, 6)).collect();
    assert_eq!(positions(&diagnostics, "T023"), expected);
    assert_eq!(positions(&diagnostics, "T024"), [(10_001, 32)]);
    assert_eq!(diagnostics.len(), 10_001);
}

#[test]
fn recursive_struct_and_duplicates() {
    let text = "TYPE ST_Node : STRUCT\n    next : ST_Node;\nEND_STRUCT\nEND_TYPE\n\
                TYPE ST_Node : STRUCT\n    x : INT;\n    x : INT;\nEND_STRUCT\nEND_TYPE\n";
    let (code, diagnostics) = check_json(text.as_bytes());
    assert_eq!(code, Some(1));
    assert_eq!(positions(&diagnostics, "T023"), [(1, 6)]);
    assert_eq!(positions(&diagnostics, "T003"), [(5, 6)]);
    assert_eq!(diagnostics.len(), 2, "{diagnostics:?}");
}

#[test]
fn lib_declarations_are_used_but_not_reported() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib.st");
    let app = dir.path().join("app.st");
    // The library has its own error (an unknown name), which is not the project's business.
    std::fs::write(
        &lib,
        "FUNCTION F_Double : INT\nVAR_INPUT\n    x : INT;\nEND_VAR\n    F_Double := x * 2 + nUnknown;\nEND_FUNCTION\n",
    )
    .unwrap();
    std::fs::write(
        &app,
        "PROGRAM Main\nVAR\n    n : INT;\nEND_VAR\n    n := F_Double(n);\n    n := F_Triple(n);\nEND_PROGRAM\n",
    )
    .unwrap();
    let o = stforge(&[
        "check",
        "--format",
        "json",
        app.to_str().unwrap(),
        "--lib",
        lib.to_str().unwrap(),
    ]);
    let diagnostics = json(&o);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(positions(&diagnostics, "T001"), [(6, 10)]);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
}

#[test]
fn dialect_decides_what_is_an_error() {
    let text = b"PROGRAM Main\nVAR\n    n : INT;\n    d : DINT;\n    p : POINTER TO INT;\nEND_VAR\n    n := d;\n    p := ADR(n);\nEND_PROGRAM\n";
    let (dir, path) = temp_file("main.st", text);
    let run = |dialect: &str| {
        let o = stforge(&[
            "check",
            "--format",
            "json",
            "--dialect",
            dialect,
            path.to_str().unwrap(),
        ]);
        let d = json(&o);
        let found: Vec<String> = d
            .iter()
            .map(|d| {
                format!(
                    "{}@{}:{}",
                    d["code"].as_str().unwrap(),
                    d["line"],
                    d["column"]
                )
            })
            .collect();
        (o.status.code(), found)
    };
    assert_eq!(
        run("iec"),
        (
            Some(1),
            vec!["T034@5:9".into(), "T004@7:10".into(), "T034@8:10".into()]
        )
    );
    assert_eq!(run("twincat"), (Some(0), vec!["T035@7:10".into()]));
    drop(dir);
}

#[test]
fn spec_files_are_checked_by_check_and_left_alone_by_fmt() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("latch.spec.toml"),
        "[pou]\nname = \"Latch\"\nkind = \"function_block\"\n[scan]\ncycle = \"10ms\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("main.st"),
        "PROGRAM Main\nVAR\n    x : INT;\nEND_VAR\nx := x + 1;\nEND_PROGRAM\n",
    )
    .unwrap();
    let folder = dir.path().to_str().unwrap();
    let o = stforge(&["check", "--format", "json", folder]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(positions(&json(&o), "P002"), [(5, 9)]);
    let o = stforge(&["fmt", "--check", folder]);
    assert!(!stderr(&o).contains("latch.spec.toml"), "{}", stderr(&o));
}
