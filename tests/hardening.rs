//! What a hostile user and real code bases found (issue 9), run the way users run the binary:
//! each test asserts the diagnostic code, the exit code and, for the user's files, the bytes
//! and the file type left on disk.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};
mod common;
use common::{stderr, stdout, stforge};

/// Runs the binary, failing the test (not hanging it) if it has not ended after `limit`.
fn stforge_within(args: &[&str], limit: Duration) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stforge"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    // Read both pipes meanwhile, so a large output cannot block the child.
    let drain = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            pipe.read_to_end(&mut bytes).ok();
            bytes
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting works") {
            break status;
        }
        if start.elapsed() > limit {
            child.kill().ok();
            panic!("stforge {args:?} still ran after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn corpus(path: &str) -> String {
    root().join("corpus").join(path).display().to_string()
}

fn json(o: &Output) -> Vec<serde_json::Value> {
    serde_json::from_str(&stdout(o)).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

/// The codes of the diagnostics in `stforge check --format json` output, in order.
fn codes(o: &Output) -> Vec<String> {
    json(o)
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

/// Writes files into a fresh temporary folder.
fn temp_files(files: &[(&str, &[u8])]) -> (tempfile::TempDir, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let paths = files
        .iter()
        .map(|(name, bytes)| {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            path.display().to_string()
        })
        .collect();
    (dir, paths)
}

/// How many diagnostics with `code` a terminal rendering shows (each starts with its code on a
/// line of its own).
fn shown(text: &str, code: &str) -> usize {
    text.lines().filter(|l| *l == code).count()
}

// Item 1: a diagnostic past column 65,535 renders (the line is cut to a window around it).

fn long_line_program(statement: &str) -> String {
    format!(
        "PROGRAM P\nVAR x : INT; END_VAR\n{}{statement}\nEND_PROGRAM\n",
        " ".repeat(65_600)
    )
}

#[test]
fn a_diagnostic_past_column_65535_renders_in_check() {
    let (_dir, paths) = temp_files(&[("long.st", long_line_program("x := y;").as_bytes())]);
    let o = stforge(&["check", "--color", "never", &paths[0]]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let text = stdout(&o);
    assert_eq!(shown(&text, "T001"), 1, "{text}");
    assert!(
        text.contains(&format!("[{}:3:65606]", paths[0])),
        "the header names the real column: {text}"
    );
    // The excerpt shows the statement after a cut, never the whole 65 kB line.
    assert!(text.contains("…") && text.contains("x := y;"), "{text}");
    assert!(text.lines().all(|l| l.chars().count() < 400), "{text}");
    assert!(stderr(&o).contains("checked 1 file: 1 error, 0 warnings"));
}

#[test]
fn a_diagnostic_past_column_65535_renders_in_fmt_and_test() {
    let (_dir, paths) = temp_files(&[
        ("broken.st", long_line_program("x := ;").as_bytes()),
        ("long.st", long_line_program("x := y;").as_bytes()),
    ]);
    let o = stforge(&["fmt", "--color", "never", &paths[0]]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(shown(&stdout(&o), "S007"), 1, "{}", stdout(&o));
    assert_eq!(
        std::fs::read(&paths[0]).unwrap(),
        long_line_program("x := ;").as_bytes(),
        "a broken file is left alone"
    );
    let spec = corpus("tasks/motor_latch/motor_latch.spec.toml");
    let o = stforge(&["test", "--color", "never", &spec, &paths[1]]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(shown(&stdout(&o), "T001"), 1, "{}", stdout(&o));
    assert!(
        stderr(&o).contains("the tests did not run"),
        "{}",
        stderr(&o)
    );
}

// Item 2: a zero scan cycle is P002, never a division by zero; a negative wait says so.

const ZERO_CYCLE_SPEC: &str = r#"
[pou]
name = "MotorLatch"
kind = "function_block"
[pou.inputs]
Start = "BOOL"
[pou.outputs]
Motor = "BOOL"
[scan]
cycle = "T#0s"
[[test]]
name = "t"
steps = [ { set = { Start = true }, wait = "T#1s", expect = { Motor = true } } ]
"#;

#[test]
fn a_zero_scan_cycle_is_p002_in_check_and_test() {
    let (_dir, paths) = temp_files(&[("zero.spec.toml", ZERO_CYCLE_SPEC.as_bytes())]);
    let o = stforge(&["check", "--format", "json", &paths[0]]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let found = json(&o);
    assert_eq!(codes(&o), vec!["P002"], "{found:?}");
    assert_eq!(
        found[0]["message"],
        "the scan cycle must be longer than zero"
    );
    assert_eq!(
        (&found[0]["line"], &found[0]["column"]),
        (&10.into(), &9.into())
    );
    let solution = corpus("tasks/motor_latch/solution.st");
    let o = stforge(&["test", "--color", "never", &paths[0], &solution]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(shown(&stdout(&o), "P002"), 1, "{}", stdout(&o));
    assert!(stderr(&o).contains("the tests did not run: 1 error"));
}

#[test]
fn a_negative_wait_is_p002_saying_it_is_negative() {
    let spec = ZERO_CYCLE_SPEC
        .replace("T#0s", "T#10ms")
        .replace("T#1s", "T#-1s");
    let (_dir, paths) = temp_files(&[("negative.spec.toml", spec.as_bytes())]);
    let o = stforge(&["check", "--format", "json", &paths[0]]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let found = json(&o);
    assert_eq!(codes(&o), vec!["P002"], "{found:?}");
    assert_eq!(found[0]["message"], "`wait` must not be negative");
    assert_eq!(found[0]["line"], 13);
}

// Item 3: a program too large to simulate is R007 at its declaration, before any allocation.

#[test]
fn a_too_large_array_is_r007_at_its_declaration() {
    let solution = std::fs::read_to_string(corpus("tasks/alarm_ack/solution.st")).unwrap();
    let big = solution.replace(
        "    AckEdge : R_TRIG;\n",
        "    AckEdge : R_TRIG;\n    Big : ARRAY[0..100000000] OF INT;\n",
    );
    assert_ne!(big, solution);
    let (_dir, paths) = temp_files(&[("big.st", big.as_bytes())]);
    // It checks (only the unused-variable warning)…
    let o = stforge(&["check", "--format", "json", &paths[0]]);
    assert_eq!(
        (o.status.code(), codes(&o)),
        (Some(0), vec!["T026".to_string()])
    );
    // …and is refused by the simulator, with the limit, at the declaration.
    let spec = corpus("tasks/alarm_ack/alarm_ack.spec.toml");
    let o = stforge_within(
        &["test", "--color", "never", &spec, &paths[0]],
        Duration::from_secs(60),
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let text = stdout(&o);
    assert_eq!(shown(&text, "R007"), 1, "{text}");
    assert!(
        text.contains("`Big` needs 100000001 value slots; the simulator holds at most 4194304"),
        "{text}"
    );
    assert!(text.contains(&format!("[{}:15:5]", paths[0])), "{text}");
}

#[test]
fn a_too_large_global_is_r007_even_when_its_size_overflows() {
    let solution = std::fs::read_to_string(corpus("tasks/alarm_ack/solution.st")).unwrap();
    let uses = solution.replace(
        "    Horn := Unacked;",
        "    Horn := Unacked OR G[1, 1][1] > 0.0;",
    );
    let globals =
        "VAR_GLOBAL\n    G : ARRAY[0..3000, 0..3000] OF ARRAY[0..2000000000] OF LREAL;\nEND_VAR\n";
    let (_dir, paths) = temp_files(&[("uses.st", uses.as_bytes()), ("g.st", globals.as_bytes())]);
    let spec = corpus("tasks/alarm_ack/alarm_ack.spec.toml");
    let o = stforge_within(
        &["test", "--color", "never", &spec, &paths[0], &paths[1]],
        Duration::from_secs(60),
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let text = stdout(&o);
    assert_eq!(shown(&text, "R007"), 1, "{text}");
    assert!(
        text.contains("`G` needs 18012002009006001 value slots"),
        "{text}"
    );
}

// Items 4 and 5: floods of diagnostics render in time linear in their number and the file's
// size, and a terminal shows 100 per file and then one F005.

#[test]
fn twenty_thousand_errors_show_a_hundred_and_a_summary() {
    let program = format!(
        "PROGRAM P\nVAR x : INT; END_VAR\n{}END_PROGRAM\n",
        "x := y;\n".repeat(20_000)
    );
    let (_dir, paths) = temp_files(&[("many.st", program.as_bytes())]);
    let o = stforge(&["check", "--color", "never", &paths[0]]);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    assert_eq!(shown(&text, "T001"), 100);
    assert_eq!(shown(&text, "F005"), 1);
    assert!(
        text.contains("19900 more diagnostics in this file are not shown"),
        "{text}"
    );
    // The summary stands at the first diagnostic left out.
    assert!(text.contains(&format!("[{}:103:6]", paths[0])), "{text}");
    assert!(stderr(&o).contains("checked 1 file: 20000 errors, 0 warnings"));
    // JSON lists them all.
    let o = stforge(&["check", "--format", "json", &paths[0]]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(json(&o).len(), 20_000);
}

#[test]
fn a_one_line_spec_with_25000_errors_is_checked() {
    let steps = vec!["{ set = { Start = 5 } }"; 25_000].join(", ");
    let spec = format!(
        "pou = {{ name = \"M\", kind = \"function_block\", inputs = {{ Start = \"BOOL\" }} }}\ntest = [ {{ name = \"t\", steps = [ {steps} ] }} ]{}\n",
        " ".repeat(1_500_000)
    );
    let (_dir, paths) = temp_files(&[("flood.spec.toml", spec.as_bytes())]);
    let o = stforge_within(
        &["check", "--color", "never", &paths[0]],
        Duration::from_secs(60),
    );
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    assert_eq!(shown(&text, "P004"), 100);
    assert!(
        text.contains("24900 more diagnostics in this file are not shown"),
        "{text}"
    );
    assert!(text.lines().all(|l| l.chars().count() < 400));
    let o = stforge_within(
        &["check", "--format", "json", &paths[0]],
        Duration::from_secs(60),
    );
    let found = json(&o);
    assert_eq!(found.len(), 25_000);
    assert!(found.iter().all(|d| d["code"] == "P004" && d["line"] == 2));
    // Columns count characters from the start of the 2 MB line.
    let line = spec.lines().nth(1).unwrap();
    let last_value = line.rfind("= 5").unwrap() + 2;
    assert_eq!(found[24_999]["column"], last_value + 1);
}

// Item 6: a test has a scan budget, known before it runs; Ctrl-C stops a run promptly.

/// Two tests at a 10 ms cycle: "short" runs 101 scans (1 + T#1s / 10 ms), "long" waits
/// T#100000d in its second step: 864,000,000,000 scans.
const LONG_WAIT_SPEC: &str = r#"
[pou]
name = "MotorLatch"
kind = "function_block"
[pou.inputs]
Start = "BOOL"
[pou.outputs]
Motor = "BOOL"
[scan]
cycle = "T#10ms"
[[test]]
name = "short"
steps = [ { set = { Start = true }, wait = "T#1s", expect = { Motor = true } } ]
[[test]]
name = "long"
steps = [
  { set = { Start = true }, expect = { Motor = true } },
  { set = { Start = false }, wait = "T#100000d", expect = { Motor = true } },
]
"#;

#[test]
fn a_test_past_its_scan_budget_is_p008_at_the_step_and_does_not_run() {
    let (_dir, paths) = temp_files(&[("long.spec.toml", LONG_WAIT_SPEC.as_bytes())]);
    let solution = corpus("tasks/motor_latch/solution.st");
    let o = stforge_within(
        &["test", "--color", "never", &paths[0], &solution],
        Duration::from_secs(20),
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("PASS test \"short\"\n"), "{out}");
    let headline = format!(
        "test \"long\" step 2: {}:18:3: error[P008]: the test would run 864,000,000,002 scans \
         by the end of step 2, more than the scan budget of 10,000,000 (raise it with \
         `--max-scans`)\n    at scan 0 (T#0s), step 2",
        paths[0]
    );
    assert!(out.contains(&headline), "{out}");
    assert_eq!(shown(&out, "P008"), 1, "{out}");
    assert!(out.ends_with("2 tests: 1 passed, 1 failed\n"), "{out}");
}

#[test]
fn max_scans_sets_the_budget_to_the_scan() {
    let spec = LONG_WAIT_SPEC
        .split("[[test]]\nname = \"long\"")
        .next()
        .unwrap();
    let (_dir, paths) = temp_files(&[("short.spec.toml", spec.as_bytes())]);
    let solution = corpus("tasks/motor_latch/solution.st");
    let test = |budget: &str| {
        stforge(&[
            "test",
            "--color",
            "never",
            "--max-scans",
            budget,
            &paths[0],
            &solution,
        ])
    };
    let o = test("100");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("error[P008]: the test would run 101 scans by the end of step 1, more than the scan budget of 100"),
        "{}",
        stdout(&o)
    );
    let o = test("101");
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert_eq!(
        stdout(&o),
        "PASS test \"short\"\n\n1 test: 1 passed, 0 failed\n"
    );
}

#[test]
fn ctrl_c_stops_a_test_run_promptly_with_r010_and_status_130() {
    let (_dir, paths) = temp_files(&[("long.spec.toml", LONG_WAIT_SPEC.as_bytes())]);
    let solution = corpus("tasks/motor_latch/solution.st");
    // A budget large enough for "long" to run for hours.
    let mut child = Command::new(env!("CARGO_BIN_EXE_stforge"))
        .args(["test", "--color", "never", "--max-scans", "1000000000000"])
        .args([&paths[0], &solution])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    // Long enough for the handler to be installed and "long" to be scanning.
    std::thread::sleep(Duration::from_millis(1500));
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let interrupted = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if interrupted.elapsed() > Duration::from_secs(5) {
            child.kill().ok();
            panic!("stforge test still ran 5 s after SIGINT");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let o = child.wait_with_output().unwrap();
    assert_eq!(status.code(), Some(130), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("PASS test \"short\"\n"), "{out}");
    assert!(
        out.contains("test \"long\" step 2: ")
            && out.contains("error[R010]: the run was interrupted after scan "),
        "{out}"
    );
    assert!(out.ends_with("2 tests: 1 passed, 1 failed\n"), "{out}");
    assert_eq!(stderr(&o), "stforge: interrupted\n");
}

// Item 7: what is not a regular file is refused, never read.

#[test]
fn a_fifo_named_on_the_command_line_is_f004() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.st");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let fifo = fifo.display().to_string();
    let o = stforge_within(
        &["check", "--format", "json", &fifo],
        Duration::from_secs(30),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let found = json(&o);
    assert_eq!(codes(&o), vec!["F004"]);
    assert_eq!(found[0]["message"], format!("{fifo} is not a regular file"));
    let o = stforge_within(&["fmt", "--color", "never", &fifo], Duration::from_secs(30));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(shown(&stdout(&o), "F004"), 1);
    let spec = corpus("tasks/motor_latch/motor_latch.spec.toml");
    let o = stforge_within(
        &["test", "--color", "never", &spec, &fifo],
        Duration::from_secs(30),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(shown(&stdout(&o), "F004"), 1);
}

// Item 8: `fmt` on a symbolic link formats the file it points to and leaves the link a link.

#[cfg(unix)]
#[test]
fn fmt_on_a_symlink_formats_its_target_and_keeps_the_link() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("real.st");
    let link = dir.path().join("link.st");
    std::fs::write(&target, b"program p\nx:=1;\nend_program\n").unwrap();
    std::os::unix::fs::symlink("real.st", &link).unwrap();
    let o = stforge(&["fmt", &link.display().to_string()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let meta = std::fs::symlink_metadata(&link).unwrap();
    assert!(meta.file_type().is_symlink(), "the link was replaced");
    assert_eq!(std::fs::read_link(&link).unwrap(), Path::new("real.st"));
    assert!(std::fs::symlink_metadata(&target).unwrap().is_file());
    assert_eq!(
        std::fs::read(&target).unwrap(),
        b"PROGRAM p\n    x := 1;\nEND_PROGRAM\n"
    );
    // Only the two entries: no temporary file left behind.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
}

// Item 9: CR-only line endings stay CR.

#[test]
fn fmt_keeps_cr_only_line_endings() {
    let lf = "program p\nvar x : int; end_var // c\n\n\nx:=1;\n(* note *)\nend_program\n";
    let cr = lf.replace('\n', "\r");
    let (_dir, paths) = temp_files(&[("lf.st", lf.as_bytes()), ("cr.st", cr.as_bytes())]);
    let o = stforge(&["fmt", &paths[0], &paths[1]]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let from_lf = std::fs::read_to_string(&paths[0]).unwrap();
    assert_eq!(
        from_lf,
        "PROGRAM p\nVAR\n    x : int;\nEND_VAR // c\n\n    x := 1;\n    (* note *)\nEND_PROGRAM\n"
    );
    // The same lines, the same blank line kept, each ended by a CR.
    assert_eq!(
        std::fs::read(&paths[1]).unwrap(),
        from_lf.replace('\n', "\r").as_bytes()
    );
    let paths = &paths[1..];
    assert!(std::fs::symlink_metadata(&paths[0]).unwrap().is_file());
    // Formatted once, it is stable; diagnostics count CR-only lines.
    let o = stforge(&["fmt", "--check", &paths[0]]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let (_dir, paths) = temp_files(&[(
        "cr.st",
        b"PROGRAM P\rVAR x : INT; END_VAR\rx := y;\rEND_PROGRAM\r",
    )]);
    let o = stforge(&["check", "--format", "json", &paths[0]]);
    let found = json(&o);
    assert_eq!(codes(&o), vec!["T001"]);
    assert_eq!(
        (&found[0]["line"], &found[0]["column"]),
        (&3.into(), &6.into())
    );
}

// Item 10: a reference type is compatible with the same type declared apart, in every dialect.

#[test]
fn ref_to_an_anonymous_array_is_compatible_with_itself() {
    let source = "FUNCTION F : BOOL
VAR_INPUT
    pt : REF_TO ARRAY[0..9] OF BYTE;
END_VAR
F := pt <> 0;
END_FUNCTION
PROGRAM P
VAR
    p : REF_TO ARRAY[0..9] OF BYTE;
    q : REF_TO ARRAY[0..8] OF BYTE;
    a : ARRAY[0..9] OF BYTE;
    m : ARRAY[0..1] OF ARRAY[0..9] OF BYTE;
    n : ARRAY[0..1] OF ARRAY[0..9] OF BYTE;
    b : BOOL;
END_VAR
p := REF(a);
b := F(pt := p);
b := F(p);
m := n;
b := F(q);
END_PROGRAM
";
    let (_dir, paths) = temp_files(&[("ref.st", source.replace("pt <> 0", "TRUE").as_bytes())]);
    for dialect in ["iec", "codesys", "twincat", "siemens"] {
        let o = stforge(&["check", "--dialect", dialect, "--format", "json", &paths[0]]);
        let found = json(&o);
        // Only the reference to a different array type is refused.
        assert_eq!(codes(&o), vec!["T004"], "{dialect}: {found:?}");
        assert_eq!(
            found[0]["message"],
            "expected `REF_TO ARRAY[0..9] OF BYTE`, found `REF_TO ARRAY[0..8] OF BYTE`"
        );
        assert_eq!(found[0]["line"], 20, "{dialect}");
    }
}

#[test]
fn two_types_written_alike_are_never_named_twice() {
    let source = "PROGRAM P
VAR
    s1 : STRUCT a : INT; END_STRUCT;
    s2 : STRUCT a : BOOL; END_STRUCT;
END_VAR
s1 := s2;
END_PROGRAM
";
    let (_dir, paths) = temp_files(&[("alike.st", source.as_bytes())]);
    let o = stforge(&["check", "--format", "json", &paths[0]]);
    assert_eq!(o.status.code(), Some(1));
    let found = json(&o);
    assert_eq!(codes(&o), vec!["T004"]);
    assert_eq!(
        found[0]["message"],
        "expected `STRUCT`, found a different type also written `STRUCT`"
    );
}

// Item 11: the `rusty` dialect — RuSTy computes with REF_TO values as addresses (OSCAT as
// RuSTy compiles it does so throughout) and marks library declarations `@EXTERNAL`.

const RUSTY_SAMPLE: &str = "@EXTERNAL FUNCTION STRING_LENGTH : INT
VAR_INPUT
    in : STRING;
END_VAR
END_FUNCTION
{external}
FUNCTION BUFFER_CLEAR : BOOL
VAR_INPUT
    pt : REF_TO BYTE;
    size : UINT;
END_VAR
VAR
    ptw : REF_TO DWORD;
    temp : DWORD;
    end, end32 : DWORD;
    address : LWORD;
END_VAR
temp := pt;
end := temp + UINT_TO_DWORD(size);
end32 := end - 3;
WHILE (pt < end) AND ((temp AND 16#00000003) > 0) DO
    pt^ := 0;
    pt := pt + 1;
    temp := temp + 1;
END_WHILE;
ptw := pt;
WHILE ptw < end32 DO
    ptw^ := 0;
    ptw := ptw + 4;
END_WHILE;
pt := ptw;
address := pt;
pt := address;
BUFFER_CLEAR := pt > 0 AND STRING_LENGTH(in := 'x') = 1;
END_FUNCTION
";

#[test]
fn the_rusty_dialect_computes_with_references_as_addresses() {
    let (_dir, paths) = temp_files(&[("rusty.st", RUSTY_SAMPLE.as_bytes())]);
    let o = stforge(&["check", "--dialect", "rusty", "--format", "json", &paths[0]]);
    assert_eq!((o.status.code(), json(&o)), (Some(0), vec![]));
    // CODESYS computes so with POINTER TO only: each conversion and arithmetic on a REF_TO
    // is refused (comparisons it allows for any address).
    let o = stforge(&[
        "check",
        "--dialect",
        "codesys",
        "--format",
        "json",
        &paths[0],
    ]);
    assert_eq!(o.status.code(), Some(1));
    let found: Vec<(String, u64)> = json(&o)
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().into(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect();
    let expected: Vec<(String, u64)> = [
        ("T004", 18),
        ("T005", 23),
        ("T004", 26),
        ("T005", 29),
        ("T004", 31),
        ("T004", 32),
        ("T004", 33),
    ]
    .iter()
    .map(|(c, l)| (c.to_string(), *l))
    .collect();
    assert_eq!(found, expected);
}

#[test]
fn ampersand_takes_a_reference_in_the_rusty_dialect_only() {
    let source = "PROGRAM P
VAR
    a : INT;
    r : REF_TO INT;
    b : BOOL;
END_VAR
r := &a;
b := b & TRUE;
END_PROGRAM
";
    let (_dir, paths) = temp_files(&[("amp.st", source.as_bytes())]);
    let o = stforge(&["check", "--dialect", "rusty", "--format", "json", &paths[0]]);
    assert_eq!((o.status.code(), json(&o)), (Some(0), vec![]));
    for dialect in ["iec", "codesys"] {
        let o = stforge(&["check", "--dialect", dialect, "--format", "json", &paths[0]]);
        assert_eq!(o.status.code(), Some(1));
        let found = json(&o);
        assert_eq!(codes(&o), vec!["T034"], "{dialect}");
        assert_eq!(
            (&found[0]["line"], &found[0]["column"]),
            (&7.into(), &6.into())
        );
    }
    // `fmt` writes the standard form.
    let o = stforge(&["fmt", "--stdout", &paths[0]]);
    assert!(stdout(&o).contains("    r := REF(a);\n    b := b AND TRUE;\n"));
}

/// RuSTy's standard library declares generic functions with type parameters and variadic
/// inputs; in the `rusty` dialect they parse, check, format back as written, and calls to them
/// take any number of arguments of one type. Other dialects refuse them with T034.
const RUSTY_GENERICS: &str = "{external}
FUNCTION MAXIMUM<T: ANY_ELEMENTARY> : T
VAR_INPUT
    IN : {sized} T...;
END_VAR
END_FUNCTION

FUNCTION CLAMP<U: ANY_NUM> : U
VAR_INPUT
    LO : U;
    X : U;
    HI : U;
END_VAR
CLAMP := X;
IF X < LO THEN CLAMP := LO; END_IF;
IF X > HI THEN CLAMP := HI; END_IF;
END_FUNCTION

PROGRAM P
VAR
    i : INT;
    r : REAL;
END_VAR
i := MAXIMUM(i, 3, 7, 2);
r := CLAMP(0.0, r, 10.5);
i := CLAMP(0, i, 100);
END_PROGRAM
";

#[test]
fn rusty_generics_and_variadics_parse_and_check() {
    let (_dir, paths) = temp_files(&[("generic.st", RUSTY_GENERICS.as_bytes())]);
    let o = stforge(&["check", "--dialect", "rusty", "--format", "json", &paths[0]]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert_eq!(codes(&o), Vec::<String>::new());
    // The formatter keeps them as written.
    let formatted = stforge(&["fmt", "--stdout", &paths[0]]);
    assert_eq!(formatted.status.code(), Some(0));
    let text = stdout(&formatted);
    assert!(
        text.starts_with(
            "{external}\nFUNCTION MAXIMUM<T: ANY_ELEMENTARY> : T\nVAR_INPUT\n    IN : {sized} T...;\nEND_VAR\n"
        ),
        "{text}"
    );
    assert!(text.contains("FUNCTION CLAMP<U: ANY_NUM> : U\n"), "{text}");
}

#[test]
fn rusty_generics_are_t034_in_other_dialects_and_checked_in_rusty() {
    let (_dir, paths) = temp_files(&[("generic.st", RUSTY_GENERICS.as_bytes())]);
    let o = stforge(&[
        "check",
        "--dialect",
        "codesys",
        "--format",
        "json",
        &paths[0],
    ]);
    assert_eq!(o.status.code(), Some(1));
    let found = json(&o);
    let at: Vec<(String, i64, i64)> = found
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["line"].as_i64().unwrap(),
                d["column"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        at,
        vec![
            ("T034".to_string(), 2, 18),
            ("T034".to_string(), 4, 18),
            ("T034".to_string(), 8, 16),
        ],
        "{found:?}"
    );
    // A call whose arguments have no common type is T004 in `rusty`, as for the standard MAX.
    let wrong = RUSTY_GENERICS
        .replace("    r : REAL;\n", "    r : REAL;\n    s : STRING;\n")
        .replace("MAXIMUM(i, 3, 7, 2)", "MAXIMUM(i, s)");
    let (_dir2, paths) = temp_files(&[("wrong.st", wrong.as_bytes())]);
    let o = stforge(&["check", "--dialect", "rusty", "--format", "json", &paths[0]]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let found = json(&o);
    assert_eq!(codes(&o), vec!["T004"], "{found:?}");
    assert_eq!(
        found[0]["message"],
        "the inputs of `MAXIMUM` must have one type: `INT` and `STRING` have none in common"
    );
    assert_eq!(
        (&found[0]["line"], &found[0]["column"]),
        (&25.into(), &17.into())
    );
}
