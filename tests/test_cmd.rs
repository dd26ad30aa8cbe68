//! `stforge test`, run the way users run it: the task corpus (every reference solution passes,
//! every wrong implementation fails exactly as its `// FAILS:` header says), the report's
//! details, JUnit XML, and what happens with bad input.

use std::path::{Path, PathBuf};
use std::process::Output;
mod common;
use common::{stderr, stdout, stforge};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn corpus(path: &str) -> String {
    root().join("corpus").join(path).display().to_string()
}

fn lines(o: &Output) -> Vec<String> {
    stdout(o).lines().map(String::from).collect()
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

/// The names of a spec's tests, in order.
fn test_names(spec: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(spec).unwrap();
    let (model, diagnostics) = stforge::spec::load(stforge::source::FileId(0), &text);
    assert_eq!(diagnostics, vec![], "{}", spec.display());
    model
        .unwrap()
        .tests
        .iter()
        .map(|t| t.name.text.clone())
        .collect()
}

/// Runs a spec against an implementation that must pass every test.
fn assert_passes(spec: &Path, implementation: &Path) {
    let o = stforge(&[
        "test",
        "--color",
        "never",
        &spec.display().to_string(),
        &implementation.display().to_string(),
    ]);
    let names = test_names(spec);
    let mut expected: Vec<String> = names.iter().map(|n| format!("PASS test \"{n}\"")).collect();
    expected.push(String::new());
    expected.push(format!(
        "{} test{}: {} passed, 0 failed",
        names.len(),
        if names.len() == 1 { "" } else { "s" },
        names.len()
    ));
    assert_eq!(
        (o.status.code(), lines(&o)),
        (Some(0), expected),
        "{} against {}:\n{}{}",
        spec.display(),
        implementation.display(),
        stdout(&o),
        stderr(&o)
    );
}

/// The text after `// FAILS: ` on a wrong implementation's first line.
fn fails_header(wrong: &Path) -> String {
    let text = std::fs::read_to_string(wrong).unwrap();
    let first = text.lines().next().unwrap_or_default();
    first
        .strip_prefix("// FAILS: ")
        .unwrap_or_else(|| panic!("{} has no FAILS header", wrong.display()))
        .to_string()
}

fn task_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root().join("corpus/tasks"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn task_spec(dir: &Path) -> PathBuf {
    let name = dir.file_name().unwrap().to_string_lossy();
    dir.join(format!("{name}.spec.toml"))
}

#[test]
fn every_reference_solution_passes() {
    let dirs = task_dirs();
    assert!(dirs.len() >= 20, "{} tasks", dirs.len());
    for dir in dirs {
        assert_passes(&task_spec(&dir), &dir.join("solution.st"));
    }
}

#[test]
fn every_wrong_implementation_fails_as_its_header_says() {
    let mut checked = 0;
    for dir in task_dirs() {
        let wrong = dir.join("wrong.st");
        if !wrong.exists() {
            continue;
        }
        let spec = task_spec(&dir);
        let expected = fails_header(&wrong);
        let o = stforge(&[
            "test",
            &spec.display().to_string(),
            &wrong.display().to_string(),
        ]);
        // The first failed-expectation line printed is the header's.
        let first = lines(&o).into_iter().find(|l| l.starts_with("test \""));
        assert_eq!(
            (o.status.code(), first),
            (Some(1), Some(expected)),
            "{}:\n{}{}",
            wrong.display(),
            stdout(&o),
            stderr(&o)
        );
        checked += 1;
    }
    assert!(checked >= 20, "{checked} wrong implementations");
}

/// `corpus/stdlib/<name>/`: specs of the standard library's function blocks with their
/// implementation `<name>.st`; all must pass.
#[test]
fn every_standard_library_spec_passes() {
    let Ok(entries) = std::fs::read_dir(root().join("corpus/stdlib")) else {
        return;
    };
    for entry in entries {
        let dir = entry.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        assert_passes(
            &dir.join(format!("{name}.spec.toml")),
            &dir.join(format!("{name}.st")),
        );
    }
}

#[test]
fn a_failure_shows_the_scan_the_time_the_inputs_and_every_expectation() {
    let spec = corpus("tasks/motor_latch/motor_latch.spec.toml");
    let o = stforge(&["test", &spec, &corpus("tasks/motor_latch/wrong.st")]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(
        lines(&o),
        vec![
            "PASS test \"start then stop\"".to_string(),
            "FAIL test \"stop dominates a held start\"".to_string(),
            "test \"stop dominates a held start\" step 2: Motor expected FALSE, got TRUE"
                .to_string(),
            // The spec's invariant is violated in the same scan.
            "test \"stop dominates a held start\" step 2: property \"stop_dominates\" expected TRUE, got FALSE"
                .to_string(),
            format!("    at scan 2 (T#10ms), step 2 ({spec}:47:3)"),
            "    inputs:   Start = TRUE, StopNC = FALSE, OverloadOK = TRUE".to_string(),
            "    expected: Motor = FALSE, property \"stop_dominates\" = TRUE".to_string(),
            "    got:      Motor = TRUE, property \"stop_dominates\" = FALSE".to_string(),
            "PASS test \"overload trip needs a new start\"".to_string(),
            String::new(),
            "3 tests: 2 passed, 1 failed".to_string(),
        ]
    );
}

#[test]
fn waits_count_scans_and_simulated_time() {
    // Step 1: one scan; step 2: 1 + T#15s / T#10ms; step 3: 1 + T#5s / T#10ms. The last scan
    // of step 3 is the 2003rd and runs at 2002 × 10 ms.
    let spec = corpus("tasks/mixer_sequence/mixer_sequence.spec.toml");
    let o = stforge(&["test", &spec, &corpus("tasks/mixer_sequence/wrong.st")]);
    let out = lines(&o);
    let at = out
        .iter()
        .position(|l| l == "FAIL test \"full batch with a slow fill\"")
        .unwrap_or_else(|| panic!("{}", stdout(&o)));
    assert_eq!(
        out[at + 1..at + 7].to_vec(),
        vec![
            "test \"full batch with a slow fill\" step 3: Step expected 20, got 30".to_string(),
            "test \"full batch with a slow fill\" step 3: Mixer expected TRUE, got FALSE"
                .to_string(),
            format!("    at scan 2003 (T#20s20ms), step 3 ({spec}:54:3)"),
            "    inputs:   Start = FALSE, Abort = FALSE, LevelFull = TRUE, LevelEmpty = FALSE, MixTime = T#10s"
                .to_string(),
            "    expected: Step = 20, InletValve = FALSE, Mixer = TRUE".to_string(),
            "    got:      Step = 30, InletValve = FALSE, Mixer = FALSE".to_string(),
        ]
    );
}

/// An attribute of an XML start tag, unescaped.
fn attribute(e: &quick_xml::events::BytesStart<'_>, name: &str) -> String {
    e.attributes()
        .map(|a| a.unwrap())
        .find(|a| a.key.as_ref() == name)
        .map(|a| {
            a.normalized_value(quick_xml::XmlVersion::Explicit1_0)
                .unwrap()
                .into_owned()
        })
        .unwrap_or_else(|| panic!("no `{name}`"))
}

#[test]
fn junit_xml_counts_tests_and_names_the_failure() {
    use quick_xml::events::Event;
    let wrong = root().join("corpus/tasks/flow_totalizer/wrong.st");
    let header = fails_header(&wrong);
    let o = stforge(&[
        "test",
        "--format",
        "junit",
        &corpus("tasks/flow_totalizer/flow_totalizer.spec.toml"),
        &wrong.display().to_string(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let xml = stdout(&o);
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut elements = Vec::new();
    loop {
        match reader.read_event().unwrap_or_else(|e| panic!("{e}: {xml}")) {
            Event::Start(e) | Event::Empty(e) => {
                let name = e.name().as_ref().to_string();
                let attrs: Vec<String> = match name.as_str() {
                    "testsuites" | "testsuite" => ["tests", "failures", "errors"]
                        .iter()
                        .map(|a| format!("{a}={}", attribute(&e, a)))
                        .collect(),
                    "testcase" => vec![attribute(&e, "name"), attribute(&e, "classname")],
                    "failure" | "error" => vec![attribute(&e, "message"), attribute(&e, "type")],
                    _ => vec![],
                };
                elements.push(format!("{name} {}", attrs.join(" ")));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let (test, message) = header.split_once("\" ").unwrap();
    assert_eq!(test, "test \"volume of a batch");
    assert_eq!(
        elements,
        vec![
            "testsuites tests=3 failures=2 errors=0".to_string(),
            "testsuite tests=3 failures=2 errors=0".to_string(),
            "testcase volume of a batch FlowTotalizer".to_string(),
            format!("failure {message} expectation"),
            "testcase pulses outside a batch are ignored FlowTotalizer".to_string(),
            "testcase last batch is kept until the next one ends FlowTotalizer".to_string(),
            "failure step 4: LastBatch expected 5.0, got 0.0 expectation".to_string(),
        ]
    );
    let text = element_text(&xml, "failure");
    assert_eq!(text.lines().next(), Some(header.as_str()), "{xml}");
}

#[test]
fn a_missing_implementation_file_is_a_usage_error() {
    let o = stforge(&[
        "test",
        &corpus("tasks/motor_latch/motor_latch.spec.toml"),
        "no/such/file.st",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).contains("F001"), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("cannot read no/such/file.st"),
        "{}",
        stdout(&o)
    );
}

/// The unescaped text of the first `<tag …>…</tag>` element of an XML document.
fn element_text(xml: &str, tag: &str) -> String {
    let start = xml
        .find(&format!("<{tag} "))
        .and_then(|i| xml[i..].find('>').map(|j| i + j + 1));
    let end = xml.find(&format!("</{tag}>"));
    let (Some(start), Some(end)) = (start, end) else {
        panic!("no <{tag}> in {xml}");
    };
    quick_xml::escape::unescape(&xml[start..end])
        .unwrap()
        .into_owned()
}

/// Runs `test --format junit` and returns the exit status and the one-line diagnostics inside
/// the setup `<error>`: `path:line:column: error[CODE]: message`.
fn setup_errors(spec: &str, implementation: &str) -> (Option<i32>, Vec<String>) {
    let o = stforge(&["test", "--format", "junit", spec, implementation]);
    let body = element_text(&stdout(&o), "error");
    (o.status.code(), body.lines().map(String::from).collect())
}

#[test]
fn a_spec_whose_pou_is_missing_or_different_is_p006_at_the_spec() {
    let spec = corpus("tasks/motor_latch/motor_latch.spec.toml");
    let (_dir, paths) = temp_files(&[
        (
            "other.st",
            b"FUNCTION_BLOCK Other\nVAR_INPUT x : INT; END_VAR\nEND_FUNCTION_BLOCK\n",
        ),
        (
            "different.st",
            b"FUNCTION MotorLatch : BOOL\n\
              VAR_INPUT\n    Start : INT;\n    OverloadOK : BOOL := TRUE;\nEND_VAR\n\
              VAR_OUTPUT\n    Motor : BOOL;\nEND_VAR\n\
              VAR\n    StopNC : BOOL;\nEND_VAR\n\
              MotorLatch := StopNC AND Start > 0 AND OverloadOK;\nMotor := TRUE;\n\
              END_FUNCTION\n",
        ),
    ]);
    assert_eq!(
        setup_errors(&spec, &paths[0]),
        (
            Some(1),
            vec![format!(
                "{spec}:2:8: error[P006]: the implementation declares no FUNCTION_BLOCK `MotorLatch`"
            )]
        )
    );
    assert_eq!(
        setup_errors(&spec, &paths[1]),
        (
            Some(1),
            vec![
                format!(
                    "{spec}:2:8: error[P006]: `MotorLatch` is not a FUNCTION_BLOCK in the implementation"
                ),
                format!(
                    "{spec}:14:1: error[P006]: `Start` is INT in the implementation, the spec says BOOL"
                ),
                format!(
                    "{spec}:15:1: error[P006]: `StopNC` is a local variable of `MotorLatch`; the spec makes it an input (VAR_INPUT)"
                ),
            ]
        )
    );
}

#[test]
fn an_implementation_with_a_type_error_runs_no_test() {
    let solution = std::fs::read_to_string(corpus("tasks/motor_latch/solution.st")).unwrap();
    let broken = solution.replace(
        "Motor := StopNC AND OverloadOK AND (Start OR Motor);",
        "Motor := 5;",
    );
    assert_ne!(broken, solution);
    let (_dir, paths) = temp_files(&[("motor.st", broken.as_bytes())]);
    let spec = corpus("tasks/motor_latch/motor_latch.spec.toml");
    let (status, errors) = setup_errors(&spec, &paths[0]);
    assert_eq!(status, Some(1));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with(&format!("{}:12:14: error[T004]: ", paths[0])),
        "{errors:?}"
    );
    let o = stforge(&["test", &spec, &paths[0]]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("T004"), "{}", stdout(&o));
    assert!(!stdout(&o).contains("PASS") && !stdout(&o).contains("FAIL"));
    assert!(
        stderr(&o).contains("the tests did not run: 1 error"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_spec_that_is_not_utf8_or_not_toml_is_p001() {
    let solution = corpus("tasks/motor_latch/solution.st");
    let spec = std::fs::read_to_string(corpus("tasks/motor_latch/motor_latch.spec.toml")).unwrap();
    let latin1 = spec.replace("description = \"\"\"", "description = \"\"\"caf\u{e9} ");
    let mut latin1 = latin1.into_bytes();
    // The UTF-8 "é" (C3 A9) becomes Windows-1252's single byte E9.
    let at = latin1.windows(2).position(|w| w == [0xC3, 0xA9]).unwrap();
    latin1.splice(at..at + 2, [0xE9]);
    let (_dir, paths) = temp_files(&[
        ("latin1.spec.toml", &latin1),
        ("broken.spec.toml", b"[pou\nname = \"MotorLatch\"\n"),
    ]);
    assert_eq!(
        setup_errors(&paths[0], &solution),
        (
            Some(1),
            vec![format!(
                "{}:1:1: error[P001]: a spec file is TOML, which is UTF-8; this file reads as Windows-1252",
                paths[0]
            )]
        )
    );
    assert_eq!(
        setup_errors(&paths[1], &solution),
        (
            Some(1),
            vec![
                format!("{}:1:5: error[P001]: invalid table header", paths[1]),
                "expected `.`, `]`".to_string(),
            ]
        )
    );
}

const DIVIDER_SPEC: &str = r#"
[pou]
name = "Divider"
kind = "function_block"
[pou.inputs]
Num = "INT"
Den = { type = "INT", init = "1" }
[pou.outputs]
Quotient = "INT"
[[test]]
name = "divides"
steps = [ { set = { Num = 7, Den = 2 }, expect = { Quotient = 3 } } ]
[[test]]
name = "by zero"
steps = [
  { set = { Num = 7 }, expect = { Quotient = 7 } },
  { set = { Den = 0 }, wait = "T#20ms", expect = { Quotient = 0 } },
]
"#;

const DIVIDER_ST: &str = "FUNCTION_BLOCK Divider
VAR_INPUT
    Num : INT;
    Den : INT := 1;
END_VAR
VAR_OUTPUT
    Quotient : INT;
END_VAR
    Quotient := Num / Den;
END_FUNCTION_BLOCK
";

#[test]
fn a_run_time_fault_fails_the_test_at_the_statement() {
    let (_dir, paths) = temp_files(&[
        ("divider.spec.toml", DIVIDER_SPEC.as_bytes()),
        ("divider.st", DIVIDER_ST.as_bytes()),
    ]);
    let o = stforge(&["test", "--color", "never", &paths[0], &paths[1]]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = lines(&o);
    assert_eq!(
        out[..5].to_vec(),
        vec![
            "PASS test \"divides\"".to_string(),
            "FAIL test \"by zero\"".to_string(),
            format!(
                "test \"by zero\" step 2: {}:9:5: error[R001]: division by zero",
                paths[1]
            ),
            format!("    at scan 2 (T#10ms), step 2 ({}:17:3)", paths[0]),
            "    inputs:   Num = 7, Den = 0".to_string(),
        ]
    );
    assert_eq!(
        out.last().map(String::as_str),
        Some("2 tests: 1 passed, 1 failed")
    );
    // As JUnit, an error rather than a failure.
    let o = stforge(&["test", "--format", "junit", &paths[0], &paths[1]]);
    let xml = stdout(&o);
    assert!(
        xml.contains("<testsuite tests=\"2\" failures=\"0\" errors=\"1\""),
        "{xml}"
    );
    assert!(xml.contains("type=\"R001\""), "{xml}");
}

const HEATER_SPEC: &str = r#"[pou]
name = "Heater"
kind = "function_block"
[pou.inputs]
Demand = "BOOL"
OverTemp = "BOOL"
[pou.outputs]
Heat = "BOOL"
[[property]]
name = "overtemp_cuts_heat"
assert = "NOT (OverTemp AND Heat)"
[[property]]
name = "demand_answered"
when = "Demand AND NOT OverTemp"
then = "Heat"
within = "T#50ms"
[[test]]
name = "heats on demand"
steps = [ { set = { Demand = true }, wait = "T#100ms", expect = { Heat = true } } ]
[[test]]
name = "overtemperature"
steps = [
  { set = { Demand = true }, wait = "T#100ms", expect = { Heat = true } },
  { set = { OverTemp = true }, wait = "T#100ms", expect = { Heat = false } },
]
"#;

/// Heats 30 ms after the demand (in time for the response property), and ignores an
/// overtemperature for three scans (violating the invariant in the middle of a wait).
const HEATER_ST: &str = "FUNCTION_BLOCK Heater
VAR_INPUT
    Demand : BOOL;
    OverTemp : BOOL;
END_VAR
VAR_OUTPUT
    Heat : BOOL;
END_VAR
VAR
    Delay : TON;
    Hot : TON;
END_VAR
    Delay(IN := Demand, PT := T#30ms);
    Hot(IN := OverTemp, PT := T#30ms);
    Heat := Delay.Q AND NOT Hot.Q;
END_FUNCTION_BLOCK
";

#[test]
fn properties_are_watched_after_every_scan() {
    let (_dir, paths) = temp_files(&[
        ("heater.spec.toml", HEATER_SPEC.as_bytes()),
        ("heater.st", HEATER_ST.as_bytes()),
    ]);
    let o = stforge(&["test", &paths[0], &paths[1]]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = lines(&o);
    assert_eq!(
        out[..4].to_vec(),
        vec![
            "PASS test \"heats on demand\"".to_string(),
            "FAIL test \"overtemperature\"".to_string(),
            // OverTemp is set before the 12th scan (at 110 ms): the invariant fails there, in
            // the middle of the step's wait, not at its end.
            "test \"overtemperature\" step 2: property \"overtemp_cuts_heat\" expected TRUE, got FALSE"
                .to_string(),
            format!("    at scan 12 (T#110ms), step 2 ({}:24:3)", paths[0]),
        ]
    );

    // A response that comes too late: 60 ms after the demand, the window is 50 ms.
    let late = HEATER_ST.replace("T#30ms);\n    Hot", "T#60ms);\n    Hot");
    let (_dir, paths) = temp_files(&[
        ("heater.spec.toml", HEATER_SPEC.as_bytes()),
        ("heater.st", late.as_bytes()),
    ]);
    let o = stforge(&["test", &paths[0], &paths[1]]);
    let out = lines(&o);
    assert_eq!(
        out[..3].to_vec(),
        vec![
            "FAIL test \"heats on demand\"".to_string(),
            "test \"heats on demand\" step 1: property \"demand_answered\" expected `Heat` within T#50ms, got FALSE"
                .to_string(),
            // Triggered at 0 ms; the scan at 50 ms is the last one inside the window.
            format!("    at scan 6 (T#50ms), step 1 ({}:19:11)", paths[0]),
        ]
    );
}

#[test]
fn a_property_with_a_mistake_is_reported_where_it_is_written() {
    let broken = HEATER_SPEC
        .replace("NOT (OverTemp AND Heat)", "NOT (OverTemp AND Haet)")
        .replace("then = \"Heat\"", "then = \"Heat + 1\"");
    let (_dir, paths) = temp_files(&[
        ("heater.spec.toml", broken.as_bytes()),
        ("heater.st", HEATER_ST.as_bytes()),
    ]);
    let (code, errors) = setup_errors(&paths[0], &paths[1]);
    assert_eq!(code, Some(1));
    assert_eq!(
        errors,
        vec![
            format!("{}:11:29: error[T001]: unknown name `Haet`", paths[0]),
            format!(
                "{}:15:9: error[T005]: `+` is not defined for `BOOL` and `integer literal`",
                paths[0]
            ),
        ]
    );
}

/// `--trace`: the scans that led to a failed step — a row where a value other than a time
/// changed, where a step begins, and the last — with the inputs, every output, and the locals
/// and timer states the failed expectation depends on (`Step`, both timers), not the rest.
#[test]
fn trace_shows_the_phases_before_a_failed_step() {
    let o = stforge(&[
        "test",
        &corpus("tasks/star_delta_starter/star_delta_starter.spec.toml"),
        &corpus("tasks/star_delta_starter/wrong.st"),
        "--trace",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    let expected = "    trace (scans where a value changed, and the last):
      scan   time      step  Start (in)  StopNC (in)  StarTime (in)  MainContactor (out)  StarContactor (out)  DeltaContactor (out)  Step  StarTimer.Q  StarTimer.ET  PauseTimer.Q  PauseTimer.ET
      1      T#0s      1     TRUE        TRUE         T#5s           TRUE                 TRUE                 FALSE                 1     FALSE        T#0s          FALSE         T#0s
      2      T#10ms    2     FALSE       TRUE         T#5s           TRUE                 TRUE                 FALSE                 1     FALSE        T#10ms        FALSE         T#0s
      403    T#4s20ms  3     FALSE       TRUE         T#5s           TRUE                 TRUE                 FALSE                 1     FALSE        T#4s20ms      FALSE         T#0s
      501    T#5s      3     FALSE       TRUE         T#5s           TRUE                 TRUE                 FALSE                 1     TRUE         T#5s          FALSE         T#0s
      502    T#5s10ms  3     FALSE       TRUE         T#5s           TRUE                 FALSE                TRUE                  3     FALSE        T#0s          FALSE         T#0s
      508 <  T#5s70ms  3     FALSE       TRUE         T#5s           TRUE                 FALSE                TRUE                  3     FALSE        T#0s          FALSE         T#0s
PASS test \"stop during star restarts the star time\"
";
    assert!(out.contains(expected), "{out}");
    // Without the flag, no trace.
    let o = stforge(&[
        "test",
        &corpus("tasks/star_delta_starter/star_delta_starter.spec.toml"),
        &corpus("tasks/star_delta_starter/wrong.st"),
    ]);
    assert!(!stdout(&o).contains("trace"), "{}", stdout(&o));
}
