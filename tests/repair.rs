//! The repair loop, run as users run it: `stforge generate` with a scripted command backend
//! that answers with known bodies, one per request — a syntax error, a type error, a failing
//! test, a property violation, a correct body. Asserted exactly: the stage each attempt failed,
//! the feedback of each kind reaching the next prompt, the diffs, the provenance header, and
//! that a run that does not pass writes no file.

use serde_json::Value as Json;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
mod common;
use common::stderr;

const SPEC: &str = "corpus/tasks/motor_latch/motor_latch.spec.toml";

/// The bodies the script answers with, in order.
const BODIES: [&str; 5] = [
    // parse: an operand is missing
    "    Motor := StopNC AND ;\nEND_FUNCTION_BLOCK\n",
    // types: BOOL + INT
    "    Motor := Start + 1;\nEND_FUNCTION_BLOCK\n",
    // tests: no seal-in, so the motor stops when Start is released
    "    Motor := StopNC AND OverloadOK AND Start;\nEND_FUNCTION_BLOCK\n",
    // verify: a held Start keeps the motor on through an overload trip (no test covers it)
    "    Motor := StopNC AND (Start OR (Motor AND OverloadOK));\nEND_FUNCTION_BLOCK\n",
    // correct
    "    Motor := StopNC AND OverloadOK AND (Start OR Motor);\nEND_FUNCTION_BLOCK\n",
];

struct Scripted {
    dir: tempfile::TempDir,
}

impl Scripted {
    /// A folder with the bodies and a script that saves each prompt as `prompt-N.txt` and
    /// answers with `body-N.st`.
    fn new(bodies: &[&str]) -> Scripted {
        let dir = tempfile::tempdir().unwrap();
        for (i, body) in bodies.iter().enumerate() {
            std::fs::write(dir.path().join(format!("body-{}.st", i + 1)), body).unwrap();
        }
        let script = "n=$(cat count 2>/dev/null || echo 0); n=$((n+1)); echo $n > count; \
                      cat > prompt-$n.txt; cat body-$n.st";
        std::fs::write(
            dir.path().join("answer.sh"),
            format!("cd '{}' && {script}", dir.path().display()),
        )
        .unwrap();
        Scripted { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn prompt(&self, n: usize) -> String {
        std::fs::read_to_string(self.path(&format!("prompt-{n}.txt"))).unwrap()
    }

    fn generate(&self, extra: &[&str]) -> Output {
        let command = format!("sh '{}'", self.path("answer.sh").display());
        let output = self.path("out.st");
        let report = self.path("report.json");
        let mut args = vec![
            "generate",
            SPEC,
            "--backend",
            "command",
            "--command",
            &command,
            "--examples",
            "0",
            "--syntax-retries",
            "0",
            "-o",
            output.to_str().unwrap(),
            "--report",
            report.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        Command::new(env!("CARGO_BIN_EXE_stforge"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(&args)
            .output()
            .expect("the binary runs")
    }

    fn report(&self) -> Json {
        serde_json::from_str(&std::fs::read_to_string(self.path("report.json")).unwrap()).unwrap()
    }
}

fn stages(report: &Json) -> Vec<String> {
    report["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["stage"].as_str().unwrap().to_string())
        .collect()
}

fn sha256(path: &Path) -> String {
    stforge::repair::provenance::sha256(&std::fs::read_to_string(path).unwrap())
}

#[test]
fn each_stage_feeds_back_until_a_candidate_passes() {
    let s = Scripted::new(&BODIES);
    let o = s.generate(&["--attempts", "6"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report = s.report();
    assert_eq!(
        stages(&report),
        ["parse", "types", "tests", "verify", "passed"]
    );
    assert_eq!(report["passed"], true);
    assert_eq!(report["best"], 5);

    // The first prompt has no feedback; each later one the previous attempt and its findings.
    assert!(!s.prompt(1).contains("The previous attempt"));
    let p2 = s.prompt(2);
    assert!(p2.contains("The previous attempt:\n"), "{p2}");
    assert!(p2.contains("    Motor := StopNC AND ;\n"), "{p2}");
    assert!(p2.contains("It is wrong: it does not parse."), "{p2}");
    assert!(p2.contains("MotorLatch.st:10:"), "{p2}");
    assert!(p2.contains("   10 |     Motor := StopNC AND ;\n"), "{p2}");

    let p3 = s.prompt(3);
    assert!(p3.contains("It is wrong: it does not type-check."), "{p3}");
    assert!(
        p3.contains("MotorLatch.st:10:14: error[T0"),
        "the type error at `Start + 1`: {p3}"
    );
    assert!(
        p3.contains("   10 |     Motor := Start + 1;\n      |              ^^^^^^^^^\n"),
        "{p3}"
    );

    let p4 = s.prompt(4);
    assert!(p4.contains("It is wrong: a test fails."), "{p4}");
    assert!(
        p4.contains("test \"start then stop\" step 2: Motor expected TRUE, got FALSE"),
        "{p4}"
    );
    assert!(p4.contains("at scan 2 (T#10ms), step 2"), "{p4}");
    assert!(p4.contains("inputs:   Start = FALSE, StopNC = TRUE, OverloadOK = TRUE"));
    // The trace: the step's start and the scan where Motor fell.
    assert!(
        p4.contains(
            "scan  time    step  Start (in)  StopNC (in)  OverloadOK (in)  Motor (out)\n\
             1     T#0s    1     TRUE        TRUE         TRUE             TRUE\n\
             2 <   T#10ms  2     FALSE       TRUE         TRUE             FALSE\n"
        ),
        "{p4}"
    );

    let p5 = s.prompt(5);
    assert!(
        p5.contains("It is wrong: the verifier found a violation."),
        "{p5}"
    );
    assert!(p5.contains("VIOLATED response \"overload_stops\""), "{p5}");
    assert!(
        p5.contains("counterexample: response \"overload_stops\"\n"),
        "{p5}"
    );
    assert!(
        p5.contains("< scan 1: response \"overload_stops\" fails"),
        "{p5}"
    );

    // Each diff is from the attempt the prompt revised.
    let attempts = report["attempts"].as_array().unwrap();
    assert_eq!(attempts[0]["diff"], Json::Null);
    assert_eq!(attempts[1]["revises"], 1);
    let diff = attempts[1]["diff"].as_str().unwrap();
    assert!(
        diff.contains("-    Motor := StopNC AND ;\n+    Motor := Start + 1;\n"),
        "{diff}"
    );
    assert!(
        diff.starts_with("--- previous\n+++ this attempt\n@@"),
        "{diff}"
    );
    assert!(
        attempts[4]["feedback"]
            .as_str()
            .unwrap()
            .contains("overload_stops")
    );

    // The file: the provenance header, then the passing candidate.
    let written = std::fs::read_to_string(s.path("out.st")).unwrap();
    let command = format!("sh '{}'", s.path("answer.sh").display());
    let header = format!(
        "(*\n   Generated by stforge {} from motor_latch.spec.toml (sha256 {}).\n   \
         Model: command `{command}`; seed 4, temperature 0; 5 attempts.\n   \
         Tests: 3 of 3 passed.\n   Verification:\n     \
         invariant \"stop_dominates\": proved (k-induction, k = 1)\n     \
         response \"overload_stops\": proved (k-induction, k = 1)\n*)\n",
        env!("CARGO_PKG_VERSION"),
        sha256(&Path::new(env!("CARGO_MANIFEST_DIR")).join(SPEC)),
    );
    assert!(written.starts_with(&header), "{written}");
    assert!(written.ends_with(BODIES[4]), "{written}");
    // The written file itself passes `stforge test`.
    let test = Command::new(env!("CARGO_BIN_EXE_stforge"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["test", SPEC, s.path("out.st").to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(test.status.code(), Some(0), "{}", stderr(&test));
}

#[test]
fn a_run_that_does_not_pass_writes_nothing_unless_allowed_and_then_says_so() {
    let s = Scripted::new(&BODIES[..3]);
    let o = s.generate(&["--attempts", "3"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(!s.path("out.st").exists());
    assert!(
        stderr(&o).contains("no candidate passed (the attempts were spent); nothing was written"),
        "{}",
        stderr(&o)
    );
    let report = s.report();
    assert_eq!(stages(&report), ["parse", "types", "tests"]);
    assert_eq!(report["passed"], false);

    let again = Scripted::new(&BODIES[..2]);
    let o = again.generate(&["--attempts", "2", "--allow-unverified"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let written = std::fs::read_to_string(again.path("out.st")).unwrap();
    assert!(
        written.starts_with(
            "(*\n   UNVERIFIED: this code failed the types stage: MotorLatch.st:10:14: error[T0"
        ),
        "{written}"
    );
    assert!(written.contains("   Tests: not run.\n   Verification: not run.\n"));
    assert!(
        written.ends_with(BODIES[1]),
        "the best of the two: {written}"
    );
}

#[test]
fn the_budget_of_attempts_rounds_and_candidates_is_kept() {
    // Two candidates per round: attempts 1 and 2 from the same prompt, 3 from the better one.
    let s = Scripted::new(&[BODIES[0], BODIES[2], BODIES[1]]);
    let o = s.generate(&["--attempts", "3", "--candidates", "2"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let report = s.report();
    assert_eq!(stages(&report), ["parse", "tests", "types"]);
    let attempts = report["attempts"].as_array().unwrap();
    let rounds: Vec<u64> = attempts
        .iter()
        .map(|a| a["round"].as_u64().unwrap())
        .collect();
    assert_eq!(rounds, [1, 1, 2]);
    // The second candidate of a greedy round is sampled, with the next seed.
    assert_eq!(attempts[1]["seed"], 1);
    assert_eq!(attempts[1]["temperature"], 0.699999988079071);
    // Round 2 revises the better of round 1: the one that got to the tests.
    assert_eq!(attempts[2]["revises"], 2);
    assert!(s.prompt(3).contains("It is wrong: a test fails."));
    assert_eq!(s.prompt(1), s.prompt(2));
}
