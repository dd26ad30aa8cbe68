//! `PREV` in properties and assumptions (the simulator's monitor and the verifier agree on it),
//! the warning-level check of a CASE without ELSE, the deadline of the encoding, constants, range
//! invariants and the cone of influence — through the real binary.

use serde_json::Value as Json;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};
mod common;
use common::stforge;

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus/verify")
        .join(name)
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// `stforge verify --format json ARGS…`: the exit code and the first report.
fn verify_json(args: &[&str]) -> (i32, Json) {
    let mut all = vec!["verify", "--format", "json", "--timeout", "6"];
    all.extend_from_slice(args);
    let out = stforge(&all);
    let json: Json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", text(&out)));
    (out.status.code().unwrap(), json[0].clone())
}

/// Every result's name and verdict, in the report's order.
fn verdicts(report: &Json) -> Vec<(String, String)> {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().to_string(),
                r["verdict"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn result<'j>(report: &'j Json, name: &str) -> &'j Json {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no result for {name}: {report}"))
}

fn strings(names: &[(&str, &str)]) -> Vec<(String, String)> {
    names
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

/// The value of `name` in each scan of a result's counterexample.
fn column(r: &Json, name: &str) -> Vec<String> {
    r["counterexample"]
        .as_array()
        .unwrap_or_else(|| panic!("no counterexample: {r}"))
        .iter()
        .map(|scan| scan["values"][name].as_str().unwrap().to_string())
        .collect()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

// ---- PREV ----------------------------------------------------------------------------------

#[test]
fn prev_properties_are_proved_by_induction_on_the_correct_variants() {
    let dir = corpus("alarm_ack");
    let (code, report) = verify_json(&[
        path(&dir.join("alarm_ack.spec.toml")),
        path(&dir.join("correct.st")),
    ]);
    assert_eq!(
        verdicts(&report),
        strings(&[
            ("alarm_sets_fault", "proved"),
            ("fault_held_until_ack", "proved")
        ])
    );
    assert_eq!(code, 0);
    // k = 1: from any state, one scan where the property held, then the next (the previous Ack
    // is the R_TRIG's memory only in a state a scan reached).
    assert_eq!(result(&report, "fault_held_until_ack")["k"], 1);

    let dir = corpus("buffer_count");
    let (code, report) = verify_json(&[
        path(&dir.join("buffer_count.spec.toml")),
        path(&dir.join("correct.st")),
    ]);
    assert_eq!(
        verdicts(&report),
        strings(&[
            ("count_in_range", "proved"),
            ("count_steps_by_one", "proved"),
            ("count_rises_only_on_part_in", "proved"),
            ("entry_counts", "proved"),
            // `Count + 1` and `Count - 1`, each below its guard.
            ("R002 integer overflow", "proved"),
            ("R002 integer overflow", "proved"),
        ]),
        "{report}"
    );
    assert_eq!(code, 0);
    // `ABS(Count - PREV(Count)) <= 1` holds after one scan from any state.
    assert_eq!(result(&report, "count_steps_by_one")["k"], 1);
}

#[test]
fn prev_violations_come_with_a_trace_the_simulator_replays() {
    let dir = corpus("alarm_ack");
    let spec = dir.join("alarm_ack.spec.toml");
    let (code, report) = verify_json(&[path(&spec), path(&dir.join("bug_level_ack.st"))]);
    assert_eq!(code, 1);
    assert_eq!(
        verdicts(&report),
        strings(&[
            ("alarm_sets_fault", "proved"),
            ("fault_held_until_ack", "violated")
        ])
    );
    // `violated` is only reported after the simulator replayed it: Ack held from a scan in which
    // the fault was set, then the alarm goes and the fault with it.
    let r = result(&report, "fault_held_until_ack");
    let fault = column(r, "Fault");
    let ack = column(r, "Ack");
    let n = fault.len();
    assert!(n >= 2, "{r}");
    assert_eq!(
        (&fault[n - 2][..], &fault[n - 1][..]),
        ("TRUE", "FALSE"),
        "{r}"
    );
    assert_eq!((&ack[n - 2][..], &ack[n - 1][..]), ("TRUE", "TRUE"), "{r}");

    let dir = corpus("buffer_count");
    let spec = dir.join("buffer_count.spec.toml");
    let (code, report) = verify_json(&[path(&spec), path(&dir.join("bug_wrap_around.st"))]);
    assert_eq!(code, 1);
    let r = result(&report, "count_steps_by_one");
    assert_eq!(r["verdict"], "violated", "{report}");
    // The shortest way to wrap: four entries, each a rising edge, in scans 1, 3, 5 and 7.
    assert_eq!(
        column(r, "Count"),
        ["1", "1", "2", "2", "3", "3", "0"],
        "{r}"
    );
    assert_eq!(result(&report, "count_in_range")["verdict"], "proved");

    let (code, report) = verify_json(&[path(&spec), path(&dir.join("bug_level_count.st"))]);
    assert_eq!(code, 1);
    let r = result(&report, "count_rises_only_on_part_in");
    assert_eq!(r["verdict"], "violated", "{report}");
    assert_eq!(column(r, "Count"), ["1", "2"], "{r}");
    assert_eq!(column(r, "PartIn"), ["TRUE", "TRUE"], "{r}");
}

#[test]
fn a_prev_assumption_constrains_the_inputs_across_scans() {
    // `entry_counts` holds only because a part never enters in the scan in which another one
    // leaves (an assumption with PREV): without it the two edges cancel out.
    let dir = corpus("buffer_count");
    let source = std::fs::read_to_string(dir.join("buffer_count.spec.toml")).unwrap();
    let assumption = "[[assume]]\nexpr = \"NOT (PartIn AND NOT PREV(PartIn) AND PartOut AND NOT PREV(PartOut))\"\n";
    assert_eq!(source.matches(assumption).count(), 1);
    let tmp = tempfile::tempdir().unwrap();
    let spec = tmp.path().join("buffer_count.spec.toml");
    std::fs::write(&spec, source.replace(assumption, "")).unwrap();
    let (code, report) = verify_json(&[path(&spec), path(&dir.join("correct.st"))]);
    assert_eq!(code, 1);
    let r = result(&report, "entry_counts");
    assert_eq!(r["verdict"], "violated", "{report}");
    let n = column(r, "PartIn").len();
    assert_eq!(column(r, "PartIn")[n - 1], "TRUE", "{r}");
    assert_eq!(column(r, "PartOut")[n - 1], "TRUE", "{r}");
    assert_eq!(result(&report, "count_steps_by_one")["verdict"], "proved");
}

#[test]
fn stforge_test_watches_prev_properties_like_the_verifier() {
    let dir = corpus("alarm_ack");
    let spec = std::fs::read_to_string(dir.join("alarm_ack.spec.toml")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let path_spec = tmp.path().join("alarm_ack.spec.toml");
    // In the first scan PREV(Fault) is Fault's initial value (FALSE), PREV(Ack) Ack's.
    std::fs::write(
        &path_spec,
        format!(
            "{spec}\n[[test]]\nname = \"held ack\"\nsteps = [\n  \
             {{ set = {{ Alarm = true, Ack = true }}, expect = {{ Fault = true }} }},\n  \
             {{ wait = \"T#20ms\" }},\n  \
             {{ set = {{ Alarm = false }} }},\n]\n"
        ),
    )
    .unwrap();
    let bug = stforge(&[
        "test",
        "--color",
        "never",
        path(&path_spec),
        path(&dir.join("bug_level_ack.st")),
    ]);
    let out = text(&bug);
    assert_eq!(bug.status.code(), Some(1), "{out}");
    assert!(out.contains("FAIL test \"held ack\""), "{out}");
    // Steps 1 and 2 (four scans) hold Alarm and Ack; in step 3 the alarm goes, and the level
    // Ack clears the fault.
    let failure = out
        .lines()
        .find(|l| l.starts_with("test \"held ack\" step "))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(failure.starts_with("test \"held ack\" step 3"), "{failure}");
    assert!(
        out.contains("property \"fault_held_until_ack\" expected TRUE, got FALSE"),
        "{out}"
    );
    let fixed = stforge(&[
        "test",
        "--color",
        "never",
        path(&path_spec),
        path(&dir.join("correct.st")),
    ]);
    assert_eq!(fixed.status.code(), Some(0), "{}", text(&fixed));
}

#[test]
fn a_prev_counterexample_becomes_a_test_that_fails_on_the_bug_and_passes_on_the_fix() {
    let dir = corpus("alarm_ack");
    let spec = dir.join("alarm_ack.spec.toml");
    let bug = dir.join("bug_level_ack.st");
    let tmp = tempfile::tempdir().unwrap();
    let emitted = tmp.path().join("cex.toml");
    let out = stforge(&[
        "verify",
        path(&spec),
        path(&bug),
        "--emit-test",
        path(&emitted),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let tests = std::fs::read_to_string(&emitted).unwrap();
    assert!(
        tests.starts_with("[[test]]\nname = \"counterexample: invariant fault_held_until_ack\"\n"),
        "{tests}"
    );
    let combined = tmp.path().join("alarm_ack.spec.toml");
    let spec_text = std::fs::read_to_string(&spec).unwrap();
    std::fs::write(&combined, format!("{spec_text}\n{tests}")).unwrap();
    let on_bug = stforge(&["test", "--color", "never", path(&combined), path(&bug)]);
    let out = text(&on_bug);
    assert_eq!(on_bug.status.code(), Some(1), "{out}");
    assert!(
        out.contains("property \"fault_held_until_ack\" expected TRUE, got FALSE"),
        "{out}"
    );
    let correct = dir.join("correct.st");
    let on_fix = stforge(&["test", path(&combined), path(&correct)]);
    assert_eq!(on_fix.status.code(), Some(0), "{}", text(&on_fix));
}

#[test]
fn misused_prev_is_p015_at_its_place() {
    let dir = corpus("alarm_ack");
    let spec = std::fs::read_to_string(dir.join("alarm_ack.spec.toml")).unwrap();
    let original = "assert = \"NOT Alarm OR Fault\"";
    assert_eq!(spec.matches(original).count(), 1);
    let line = spec[..spec.find(original).unwrap()].lines().count() + 1;
    let tmp = tempfile::tempdir().unwrap();
    // The bad expression, the column of the diagnostic in it (1-based), and its message.
    for (bad, column, message) in [
        (
            "NOT Alarm OR PREV(PREV(Fault))",
            19,
            "`PREV` inside `PREV`: only the previous scan's values are kept",
        ),
        (
            "PREV(ABS(1) > 0) OR Fault",
            6,
            "`PREV` of a call: write the call around `PREV` instead",
        ),
        ("PREV() OR Fault", 1, "`PREV` takes one value"),
        ("PREV(Alarm, Ack) OR Fault", 1, "`PREV` takes one value"),
        (
            "PREV(AckEdge).Q OR Fault",
            1,
            "a member or element of `PREV(…)`: write `PREV(x.member)`",
        ),
    ] {
        let text_spec = spec.replacen(original, &format!("assert = \"{bad}\""), 1);
        let path_spec = tmp.path().join("bad.spec.toml");
        std::fs::write(&path_spec, text_spec).unwrap();
        let out = stforge(&[
            "verify",
            "--color",
            "never",
            path(&path_spec),
            path(&dir.join("correct.st")),
        ]);
        let shown = text(&out);
        assert_eq!(out.status.code(), Some(1), "{bad}: {shown}");
        assert!(shown.contains("P015"), "{bad}: {shown}");
        assert!(shown.contains(message), "{bad}: {shown}");
        // `assert = "` is 10 characters before the expression.
        let at = format!("bad.spec.toml:{line}:{}", 10 + column);
        assert!(shown.contains(&at), "{bad}: expected {at}: {shown}");
    }
    // PREV of an expression without calls is the expression in the previous scan.
    let general = spec.replacen(
        original,
        "assert = \"NOT PREV(Alarm AND NOT Ack) OR PREV(Fault)\"",
        1,
    );
    let path_spec = tmp.path().join("general.spec.toml");
    std::fs::write(&path_spec, general).unwrap();
    let (code, report) = verify_json(&[path(&path_spec), path(&dir.join("correct.st"))]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(
        result(&report, "alarm_sets_fault")["verdict"],
        "proved",
        "{report}"
    );
}

// ---- CASE without ELSE -----------------------------------------------------------------------

fn st_file(dir: &Path, name: &str, source: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, source).unwrap();
    p
}

const MODES: &str = "FUNCTION_BLOCK Modes
VAR_INPUT
    Cmd : INT;
END_VAR
VAR_OUTPUT
    Speed : INT;
END_VAR
    CASE Cmd MOD 3 OF
        0: Speed := 0;
        1: Speed := 50;
        2: Speed := 100;
    END_CASE;
END_FUNCTION_BLOCK
";

#[test]
fn a_case_that_can_match_no_branch_is_a_warning_with_a_replayed_trace() {
    let tmp = tempfile::tempdir().unwrap();
    // `Cmd MOD 3` is negative for a negative Cmd: no branch matches then.
    let file = st_file(tmp.path(), "modes.st", MODES);
    let (code, report) = verify_json(&[path(&file)]);
    // A warning never changes the exit status.
    assert_eq!(code, 0, "{report}");
    let r = result(&report, "V001 CASE selector matches no branch");
    assert_eq!(r["kind"], "warning");
    assert_eq!(r["severity"], "warning");
    assert_eq!(r["verdict"], "violated");
    assert!(
        r["location"].as_str().unwrap().ends_with("modes.st:8:5"),
        "{r}"
    );
    let cmd: i64 = column(r, "Cmd")[0].parse().unwrap();
    assert!(cmd < 0 && cmd % 3 != 0, "{r}");
    // The other checks are errors as before.
    for other in report["results"].as_array().unwrap() {
        if other["kind"] != "warning" {
            assert_eq!(other["severity"], "error", "{other}");
        }
    }

    let out = stforge(&["verify", "--color", "never", path(&file)]);
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(0), "{shown}");
    assert!(
        shown.contains("WARNING  warning \"V001 CASE selector matches no branch\" ("),
        "{shown}"
    );
    assert!(shown.contains("modes.st:8:5): at scan 1 (T#0s)"), "{shown}");
    assert!(
        shown.contains("counterexample: warning \"V001 CASE selector matches no branch\""),
        "{shown}"
    );
    assert!(
        shown.contains("0 proved, 0 violated, 0 unknown, 1 warning\n"),
        "{shown}"
    );

    // A warning is no failing test: --emit-test writes nothing for it.
    let emitted = tmp.path().join("cex.toml");
    let out = stforge(&["verify", path(&file), "--emit-test", path(&emitted)]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&emitted).unwrap(), "");

    // With a real error beside it the exit status is the error's.
    let div = st_file(
        tmp.path(),
        "modes_div.st",
        &MODES.replace("2: Speed := 100;", "2: Speed := 100 / (Cmd - 2);"),
    );
    let (code, report) = verify_json(&[path(&div)]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(
        result(&report, "V001 CASE selector matches no branch")["verdict"],
        "violated"
    );
}

#[test]
fn a_case_whose_selector_always_matches_is_proved() {
    let tmp = tempfile::tempdir().unwrap();
    // Constrained by LIMIT.
    let limited = st_file(
        tmp.path(),
        "limited.st",
        &MODES.replace("CASE Cmd MOD 3 OF", "CASE LIMIT(0, Cmd, 2) OF"),
    );
    let (code, report) = verify_json(&[path(&limited)]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(
        verdicts(&report),
        strings(&[("V001 CASE selector matches no branch", "proved")])
    );
    // Every value of an enumeration listed (an enumeration input holds one of its values).
    let enums = st_file(
        tmp.path(),
        "enums.st",
        "TYPE E_Mode : (Off, Slow, Fast); END_TYPE
FUNCTION_BLOCK Modes
VAR_INPUT
    Mode : E_Mode;
END_VAR
VAR_OUTPUT
    Speed : INT;
END_VAR
    CASE Mode OF
        E_Mode#Off: Speed := 0;
        E_Mode#Slow: Speed := 50;
        E_Mode#Fast: Speed := 100;
    END_CASE;
END_FUNCTION_BLOCK
",
    );
    let (code, report) = verify_json(&[path(&enums)]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(
        verdicts(&report),
        strings(&[("V001 CASE selector matches no branch", "proved")])
    );
    // A step variable that only ever holds the values the CASE lists (an invariant).
    let steps = st_file(
        tmp.path(),
        "steps.st",
        "FUNCTION_BLOCK Steps
VAR_INPUT
    Go : BOOL;
END_VAR
VAR_OUTPUT
    Busy : BOOL;
END_VAR
VAR
    Step : INT;
END_VAR
    CASE Step OF
        0: IF Go THEN Step := 10; END_IF;
        10: Step := 20;
        20: Step := 0;
    END_CASE;
    Busy := Step <> 0;
END_FUNCTION_BLOCK
",
    );
    let (code, report) = verify_json(&[path(&steps)]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(
        verdicts(&report),
        strings(&[("V001 CASE selector matches no branch", "proved")])
    );
    // An ELSE, even an empty one, says the other values are meant: no check at all.
    let with_else = st_file(
        tmp.path(),
        "with_else.st",
        &MODES.replace("    END_CASE;", "    ELSE\n    END_CASE;"),
    );
    let (code, report) = verify_json(&[path(&with_else)]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(verdicts(&report), strings(&[]));
}

// ---- the encoding's deadline -------------------------------------------------------------------

/// Runs the binary, failing (instead of hanging the suite) if it has not finished after
/// `limit`; returns its output.
fn run_bounded(args: &[&str], limit: Duration) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stforge"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary runs");
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut out = String::new();
            child
                .stdout
                .take()
                .unwrap()
                .read_to_string(&mut out)
                .unwrap();
            return (status.code().unwrap(), out);
        }
        if started.elapsed() > limit {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("stforge {args:?} still ran after {limit:?}: the encoding ignores its deadline");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Four nested loops of 20 passes: 160,000 copies of the body to encode, far more than a second
/// of work.
const HEAVY: &str = "FUNCTION_BLOCK Heavy
VAR_INPUT
    a : INT;
END_VAR
VAR_OUTPUT
    x : DINT;
END_VAR
VAR
    i, j, k, l : INT;
END_VAR
    FOR i := 1 TO 20 DO
        FOR j := 1 TO 20 DO
            FOR k := 1 TO 20 DO
                FOR l := 1 TO 20 DO
                    x := x / 3 + a * i - j * k + l;
                END_FOR;
            END_FOR;
        END_FOR;
    END_FOR;
END_FUNCTION_BLOCK
";

#[test]
fn an_encoding_past_the_time_limit_is_unknown_not_a_hang() {
    let tmp = tempfile::tempdir().unwrap();
    let file = st_file(tmp.path(), "heavy.st", HEAVY);
    let (code, out) = run_bounded(
        &["verify", "--format", "json", "--timeout", "1", path(&file)],
        Duration::from_secs(300),
    );
    assert_eq!(code, 3, "{out}");
    let json: Json = serde_json::from_str(&out).unwrap();
    let results = json[0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{out}");
    assert_eq!(results[0]["name"], "run-time faults and loops");
    assert_eq!(results[0]["verdict"], "unknown");
    assert_eq!(
        results[0]["reason"],
        "the time limit was reached while encoding scan 1 of the program"
    );

    // With a spec, every property is unknown for the same reason.
    let spec = st_file(
        tmp.path(),
        "heavy.spec.toml",
        "[pou]\nname = \"Heavy\"\nkind = \"function_block\"\n\n[pou.inputs]\na = \"INT\"\n\n\
         [pou.outputs]\nx = \"DINT\"\n\n[[property]]\nname = \"anything\"\nassert = \"x >= 0 OR x < 0\"\n",
    );
    let (code, out) = run_bounded(
        &[
            "verify",
            "--format",
            "json",
            "--timeout",
            "1",
            path(&spec),
            path(&file),
        ],
        Duration::from_secs(300),
    );
    assert_eq!(code, 3, "{out}");
    let json: Json = serde_json::from_str(&out).unwrap();
    let results = json[0]["results"].as_array().unwrap();
    let names: Vec<&str> = results
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["anything", "run-time faults and loops"], "{out}");
    for r in results {
        assert_eq!(r["verdict"], "unknown", "{out}");
        assert_eq!(
            r["reason"], "the time limit was reached while encoding scan 1 of the program",
            "{out}"
        );
    }
}

// ---- array inputs in counterexamples ---------------------------------------------------------

/// The integer value of `name` in each scan of a result's counterexample.
fn ints(r: &Json, name: &str) -> Vec<i64> {
    column(r, name)
        .iter()
        .map(|v| v.parse().unwrap_or_else(|_| panic!("{name} = {v}: {r}")))
        .collect()
}

#[test]
fn an_array_input_is_in_the_counterexample_and_in_its_emitted_test() {
    let dir = corpus("tank_high_select");
    let spec = dir.join("tank_high_select.spec.toml");
    let spec_text = std::fs::read_to_string(&spec).unwrap();
    for (bug, goal) in [
        ("bug_skips_last.st", "max_is_highest"),
        ("bug_loop_off_by_one.st", "R003 array index out of bounds"),
    ] {
        let bug = dir.join(bug);
        let tmp = tempfile::tempdir().unwrap();
        let emitted = tmp.path().join("cex.toml");
        let (code, report) = verify_json(&[path(&spec), path(&bug), "--emit-test", path(&emitted)]);
        assert_eq!(code, 1, "{report}");
        let r = report["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == goal && r["verdict"] == "violated")
            .unwrap_or_else(|| panic!("{goal} not violated: {report}"));
        // Every element of the array input, in every scan.
        let levels: Vec<Vec<i64>> = (1..=4).map(|i| ints(r, &format!("Levels[{i}]"))).collect();
        let limit = ints(r, "Limit");
        let scans = limit.len();
        assert!(scans >= 1, "{r}");
        if goal == "max_is_highest" {
            // The buggy search never looks at tank 4: the violation is a fourth tank above the
            // highest of the first three, which MaxLevel reports.
            let last = scans - 1;
            let first_three = (0..3).map(|t| levels[t][last]).max().unwrap();
            assert_eq!(ints(r, "MaxLevel")[last], first_three, "{r}");
            assert!(levels[3][last] > first_three, "{r}");
        }
        // The emitted test sets the array as a TOML array, scan by scan, with the same values.
        let tests = std::fs::read_to_string(&emitted).unwrap();
        let steps: String = (0..scans)
            .map(|s| {
                let values: Vec<String> = levels.iter().map(|l| l[s].to_string()).collect();
                format!(
                    "  {{ set = {{ Levels = [{}], Limit = {} }} }},\n",
                    values.join(", "),
                    limit[s]
                )
            })
            .collect();
        assert!(tests.contains(&format!("steps = [\n{steps}]\n")), "{tests}");
        // Appended to the spec, it fails on the bug and passes on the correct variant.
        let combined = tmp.path().join("tank_high_select.spec.toml");
        std::fs::write(&combined, format!("{spec_text}\n{tests}")).unwrap();
        let on_bug = stforge(&["test", "--color", "never", path(&combined), path(&bug)]);
        let out = text(&on_bug);
        assert_eq!(on_bug.status.code(), Some(1), "{out}");
        assert!(out.contains("FAIL test \"counterexample: "), "{out}");
        let on_fix = stforge(&["test", path(&combined), path(&dir.join("correct.st"))]);
        assert_eq!(on_fix.status.code(), Some(0), "{}", text(&on_fix));
    }
}

#[test]
fn the_counterexample_table_shows_each_element_of_an_array_input() {
    let dir = corpus("tank_high_select");
    let out = stforge(&[
        "verify",
        "--timeout",
        "6",
        path(&dir.join("tank_high_select.spec.toml")),
        path(&dir.join("bug_skips_last.st")),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let shown = text(&out);
    let header = shown
        .lines()
        .skip_while(|l| *l != "counterexample: invariant \"max_is_highest\"")
        .nth(1)
        .unwrap_or_else(|| panic!("{shown}"));
    let columns: Vec<&str> = header
        .split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    assert_eq!(
        columns,
        [
            "scan",
            "time",
            "Levels[1] (in)",
            "Levels[2] (in)",
            "Levels[3] (in)",
            "Levels[4] (in)",
            "Limit (in)",
            "MaxLevel (out)",
            "MaxTank (out)",
            "Overfill (out)",
            "i",
            "Above"
        ],
        "{shown}"
    );
}

/// A structure input and a two-dimensional array input: the alarm rises when the recipe runs
/// above speed 100 and the grid's element [2,1] is 7.
const GRID_SPEC: &str = r#"types = '''
TYPE Recipe :
STRUCT
    Speed : INT;
    Run : BOOL;
END_STRUCT;
END_TYPE
'''

[pou]
name = "GridAlarm"
kind = "function_block"

[pou.inputs]
R = "Recipe"
Grid = "ARRAY[1..2, 1..2] OF INT"

[pou.outputs]
Alarm = "BOOL"

[scan]
cycle = "T#10ms"

[[property]]
name = "no_alarm"
assert = "NOT Alarm"
"#;

const GRID_BUG: &str = "FUNCTION_BLOCK GridAlarm
VAR_INPUT
    R : Recipe;
    Grid : ARRAY[1..2, 1..2] OF INT;
END_VAR
VAR_OUTPUT
    Alarm : BOOL;
END_VAR
    Alarm := R.Run AND R.Speed > 100 AND Grid[2, 1] = 7;
END_FUNCTION_BLOCK
";

#[test]
fn structure_and_matrix_inputs_are_in_the_counterexample_and_in_its_emitted_test() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = tmp.path().join("grid.spec.toml");
    let bug = tmp.path().join("bug.st");
    let fixed = tmp.path().join("fixed.st");
    std::fs::write(&spec, GRID_SPEC).unwrap();
    std::fs::write(&bug, GRID_BUG).unwrap();
    std::fs::write(&fixed, GRID_BUG.replace("R.Run AND", "FALSE AND")).unwrap();
    let emitted = tmp.path().join("cex.toml");
    let (code, report) = verify_json(&[path(&spec), path(&bug), "--emit-test", path(&emitted)]);
    assert_eq!(code, 1, "{report}");
    let r = result(&report, "no_alarm");
    assert_eq!(r["verdict"], "violated", "{r}");
    assert_eq!(column(r, "R.Run"), ["TRUE"], "{r}");
    assert_eq!(column(r, "Grid[2,1]"), ["7"], "{r}");
    let speed = ints(r, "R.Speed")[0];
    assert!(speed > 100, "{r}");
    let grid: Vec<i64> = ["Grid[1,1]", "Grid[1,2]", "Grid[2,1]", "Grid[2,2]"]
        .iter()
        .map(|n| ints(r, n)[0])
        .collect();
    let tests = std::fs::read_to_string(&emitted).unwrap();
    let step = format!(
        "  {{ set = {{ R = {{ Speed = {speed}, Run = true }}, Grid = [[{}, {}], [{}, {}]] }} }},\n",
        grid[0], grid[1], grid[2], grid[3]
    );
    assert!(tests.contains(&format!("steps = [\n{step}]\n")), "{tests}");
    let combined = tmp.path().join("combined.spec.toml");
    std::fs::write(&combined, format!("{GRID_SPEC}\n{tests}")).unwrap();
    let on_bug = stforge(&["test", "--color", "never", path(&combined), path(&bug)]);
    let out = text(&on_bug);
    assert_eq!(on_bug.status.code(), Some(1), "{out}");
    assert!(
        out.contains("property \"no_alarm\" expected TRUE, got FALSE"),
        "{out}"
    );
    let on_fix = stforge(&["test", path(&combined), path(&fixed)]);
    assert_eq!(on_fix.status.code(), Some(0), "{}", text(&on_fix));
}

// ---- constants, ranges and the cone of influence ---------------------------------------------

#[test]
fn a_constant_keeps_its_value_in_every_state_of_the_induction() {
    let tmp = tempfile::tempdir().unwrap();
    let file = st_file(
        tmp.path(),
        "tally.st",
        "FUNCTION_BLOCK Tally
VAR_INPUT
    Pulse : BOOL;
END_VAR
VAR_OUTPUT
    Count : INT;
END_VAR
VAR CONSTANT
    LIMIT : INT := 10;
END_VAR
VAR
    Seen : ARRAY[0..10] OF BOOL;
END_VAR
    IF Pulse AND Count < LIMIT THEN
        Count := Count + 1;
    END_IF;
    Seen[Count] := TRUE;
END_FUNCTION_BLOCK
",
    );
    // `0 <= Count <= 10` is an invariant only because LIMIT is 10 in every state: were it a
    // free slot of the arbitrary state, Count could pass the array's end there.
    let (code, report) = verify_json(&[path(&file)]);
    assert_eq!(code, 0, "{report}");
    assert!(report["invariants"].as_u64().unwrap() > 0, "{report}");
    let r = result(&report, "R003 array index out of bounds");
    assert_eq!(
        (&r["verdict"], &r["k"]),
        (&"proved".into(), &0.into()),
        "{r}"
    );
}

fn task(name: &str) -> (PathBuf, PathBuf) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus/tasks")
        .join(name);
    (
        dir.join(format!("{name}.spec.toml")),
        dir.join("solution.st"),
    )
}

#[test]
fn the_discrete_goals_of_a_real_program_are_proved_over_their_cone() {
    // A ring buffer of REALs with a count and an index: the count's property, the index checks
    // and the loop's bound depend on no REAL; ranges of the count and the index close them.
    let (spec, st) = task("moving_average");
    let (_, report) = verify_json(&[path(&spec), path(&st)]);
    assert!(report["invariants"].as_u64().unwrap() > 0, "{report}");
    let r = result(&report, "count_range");
    assert_eq!(
        (&r["verdict"], &r["k"]),
        (&"proved".into(), &1.into()),
        "{r}"
    );
    let indices: Vec<&Json> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["name"] == "R003 array index out of bounds")
        .collect();
    assert_eq!(indices.len(), 2, "{report}");
    for r in indices
        .iter()
        .chain([&result(&report, "loop ends within 32 passes")])
    {
        assert_eq!(
            (&r["verdict"], &r["k"]),
            (&"proved".into(), &0.into()),
            "{r}"
        );
    }

    // A totalizer adding at most 1000.0 per scan stays finite: rounding absorbs the rest.
    let (spec, st) = task("flow_totalizer");
    let (code, report) = verify_json(&[path(&spec), path(&st)]);
    assert_eq!(code, 0, "{report}");
    let r = result(&report, "R002 integer overflow");
    assert_eq!(r["verdict"], "proved", "{r}");
}

#[test]
fn a_loop_longer_than_its_unrolling_is_unknown_not_a_violation() {
    let tmp = tempfile::tempdir().unwrap();
    let file = st_file(
        tmp.path(),
        "clear.st",
        "FUNCTION_BLOCK Clear
VAR_INPUT
    Reset : BOOL;
END_VAR
VAR
    Buffer : ARRAY[1..40] OF INT;
    i : INT;
END_VAR
    IF Reset THEN
        FOR i := 1 TO 40 DO
            Buffer[i] := 0;
        END_FOR;
    END_IF;
END_FUNCTION_BLOCK
",
    );
    // 40 passes against 32 unrolled: the simulator runs the loop to its end, so there is no
    // fault to replay; the verdict is open until the unrolling covers the loop.
    let (code, report) = verify_json(&[path(&file)]);
    assert_eq!(code, 3, "{report}");
    let r = result(&report, "loop ends within 32 passes");
    assert_eq!(r["verdict"], "unknown", "{r}");
    assert_eq!(
        r["reason"], "the loop needs more than 32 passes in scan 1 (raise --unwind)",
        "{r}"
    );
    // Unrolled 40 times the loop always ends: no unwinding check is left.
    let (code, report) = verify_json(&[path(&file), "--unwind", "40"]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(
        verdicts(&report),
        strings(&[("R003 array index out of bounds", "proved")])
    );
}

#[test]
fn a_constant_input_of_an_instance_keeps_what_its_caller_passed() {
    let tmp = tempfile::tempdir().unwrap();
    let file = st_file(
        tmp.path(),
        "keep.st",
        "FUNCTION_BLOCK Divider
VAR_INPUT CONSTANT
    D : INT := 1;
END_VAR
VAR_INPUT
    Run : BOOL;
END_VAR
VAR_OUTPUT
    Q : INT;
END_VAR
    IF Run THEN
        Q := 100 / D;
    END_IF;
END_FUNCTION_BLOCK

FUNCTION_BLOCK Keep
VAR_INPUT
    Pass : BOOL;
    Sel : INT;
END_VAR
VAR_OUTPUT
    Out : INT;
END_VAR
VAR
    Div : Divider;
END_VAR
    IF Pass THEN
        Div(D := Sel, Run := FALSE);
    ELSE
        Div(Run := TRUE);
    END_IF;
    Out := Div.Q;
END_FUNCTION_BLOCK
",
    );
    // `Div.D` holds the 0 passed in one scan when the next divides: not a constant of the
    // states the induction starts from (which would prove the division safe at k = 0).
    let out = stforge(&["verify", "--format", "json", path(&file)]);
    let reports: Json = serde_json::from_slice(&out.stdout).unwrap();
    let keep = reports
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["pou"] == "Keep")
        .unwrap_or_else(|| panic!("no report for Keep: {reports}"));
    let r = result(keep, "R001 division by zero");
    assert_eq!(r["verdict"], "violated", "{r}");
    assert_eq!(r["counterexample"].as_array().unwrap().len(), 2, "{r}");
}
