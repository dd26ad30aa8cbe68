//! What a hostile user and real code bases found (issue 9), run the way users run the binary:
//! each test asserts the diagnostic code, the exit code and, for the user's files, the bytes
//! and the file type left on disk.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn stforge(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stforge"))
        .args(args)
        .output()
        .expect("the binary runs")
}

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

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
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
