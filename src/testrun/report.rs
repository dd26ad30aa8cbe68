//! The text report of a test run: one `PASS`/`FAIL` line per test, what went wrong in a failed
//! test, and a summary line.
//!
//! A failed expectation is one line, `test "<name>" step <N>: <Var> expected <X>, got <Y>`,
//! with values as ST literals: the corpus's `// FAILS:` headers are such lines, so tools can
//! find them. Below it, indented: the scan and simulated time the step ended with, the step's
//! place in the spec, every input, and every expectation of the step against what the program
//! had; with `--trace`, the scans that led there ([`super::trace`]).

use super::{Run, StepPoint, TestResult, Verdict};
use crate::diagnostics::render;
use crate::ir::literal;
use crate::sema::types::Elem;
use crate::sim::trace::table;

/// The whole report; `color` applies to rendered run-time faults; with `trace`, each failed
/// test's trace follows what went wrong.
pub fn text(run: &Run, results: &[TestResult], color: bool, trace: bool) -> String {
    let mut out = String::new();
    for result in results {
        let verdict = if result.verdict.passed() {
            "PASS"
        } else {
            "FAIL"
        };
        out.push_str(&format!("{verdict} test \"{}\"\n", result.name));
        if let Some(description) = &result.description {
            let words: Vec<&str> = description.split_whitespace().collect();
            out.push_str(&format!("    {}\n", words.join(" ")));
        }
        out.push_str(&failure(run, result));
        if trace && !result.trace.is_empty() {
            out.push_str("    trace (scans where a value changed, and the last):\n");
            for line in table(&result.trace).lines() {
                out.push_str(&format!("      {line}\n"));
            }
        }
        if let Verdict::Error { diagnostic, .. } = &result.verdict {
            out.push_str(&render::to_terminal(diagnostic, &run.files, color));
        }
    }
    out.push('\n');
    out.push_str(&summary(results));
    out.push('\n');
    out
}

/// `3 tests: 2 passed, 1 failed`.
pub fn summary(results: &[TestResult]) -> String {
    let passed = results.iter().filter(|r| r.verdict.passed()).count();
    let total = results.len();
    format!(
        "{total} test{}: {passed} passed, {} failed",
        if total == 1 { "" } else { "s" },
        total - passed
    )
}

/// What went wrong in one test, without its `FAIL` line (empty for a test that passed): the
/// text of a JUnit `<failure>` or `<error>`.
pub fn failure(run: &Run, result: &TestResult) -> String {
    let mut out = String::new();
    let prefix = format!("test \"{}\" ", result.name);
    let at = match &result.verdict {
        Verdict::Pass => return out,
        Verdict::Fail { at, .. } | Verdict::Error { at, .. } => at,
    };
    for line in headlines(run, result) {
        out.push_str(&format!("{prefix}{line}\n"));
    }
    out.push_str(&format!(
        "    at scan {} ({}), step {} ({})\n",
        at.scan,
        literal::time(Elem::Time, at.time_ns),
        at.step,
        run.spec_location(at.span)
    ));
    out.push_str(&format!("    inputs:   {}\n", inputs(at)));
    if let Verdict::Fail { checks, .. } = &result.verdict {
        let list = |value: &dyn Fn(&super::Check) -> String| {
            checks
                .iter()
                .map(|c| format!("{} = {}", c.name, value(c)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let expected = list(&|c| match &c.tolerance {
            Some(tol) => format!("{} (±{tol})", c.expected),
            None => c.expected.clone(),
        });
        out.push_str(&format!("    expected: {expected}\n"));
        out.push_str(&format!("    got:      {}\n", list(&|c| c.actual.clone())));
    }
    out
}

/// The JUnit `message` of a failed test: its headlines without the test's name
/// (`step 2: Motor expected TRUE, got FALSE`), joined by `; `.
pub fn message(run: &Run, result: &TestResult) -> String {
    headlines(run, result).join("; ")
}

/// `step <N>: <Var> expected <X>, got <Y>` for each failed expectation, in the spec's order;
/// for a fault, `step <N>: ` and the fault's one-line diagnostic.
fn headlines(run: &Run, result: &TestResult) -> Vec<String> {
    match &result.verdict {
        Verdict::Pass => Vec::new(),
        Verdict::Fail { at, checks } => checks
            .iter()
            .filter(|c| !c.ok)
            .map(|c| {
                format!(
                    "step {}: {} expected {}, got {}",
                    at.step, c.name, c.expected, c.actual
                )
            })
            .collect(),
        Verdict::Error { at, diagnostic } => vec![format!(
            "step {}: {}",
            at.step,
            render::to_line(diagnostic, &run.files)
        )],
    }
}

fn inputs(at: &StepPoint) -> String {
    if at.inputs.is_empty() {
        return "(none)".to_string();
    }
    at.inputs
        .iter()
        .map(|(name, value)| format!("{name} = {value}"))
        .collect::<Vec<_>>()
        .join(", ")
}
