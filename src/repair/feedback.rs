//! Findings, and the feedback a model gets from them: what failed, where, and what the
//! program did — a diagnostic with the code around its span; a failing test step with the
//! inputs, expected and actual values and the trace of the scans before it; a counterexample
//! as a trace table. Only the few most important findings of a round are fed back: a model
//! acts on the first errors, and the rest often follow from them.

use super::judge::{Judgement, Stage};
use crate::diagnostics::{Diagnostic, render};
use crate::sim::trace::table;
use crate::source::SourceMap;
use crate::testrun::{Outcome, Run, report};
use serde::Serialize;

/// One thing a stage found wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The diagnostic code (`T004`), or what failed (`test`, `invariant`, `response`,
    /// `implicit`).
    pub code: String,
    /// One line: the place and the message.
    pub summary: String,
    /// What a reader needs to act on it: the code excerpt, the trace.
    pub detail: String,
}

/// The errors among `diagnostics`, in order, each with its excerpt.
pub fn diagnostics(diagnostics: &[Diagnostic], files: &SourceMap) -> Vec<Finding> {
    diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| {
            let mut detail = excerpt(d, files);
            if let Some(help) = &d.help {
                detail.push_str(&format!("help: {help}\n"));
            }
            Finding {
                code: d.code.as_str().to_string(),
                summary: render::to_line(d, files),
                detail,
            }
        })
        .collect()
}

/// The lines around a diagnostic's primary span, numbered, with the span underlined:
///
/// ```text
///    11 |     IF Start THEN
///    12 |         Motor := Speed + 1;
///       |                  ^^^^^^^^^
/// ```
fn excerpt(d: &Diagnostic, files: &SourceMap) -> String {
    if d.primary.file.0 as usize >= files.files().len() {
        return String::new();
    }
    let file = files.get(d.primary.file);
    let text = &file.text;
    let start = file.lines.line_col(text, d.primary.span.start);
    let end = file
        .lines
        .line_col(text, d.primary.span.end.max(d.primary.span.start));
    let lines: Vec<&str> = text.lines().collect();
    let line = start.line as usize;
    let mut out = String::new();
    for number in line.saturating_sub(1).max(1)..=(line + 1).min(lines.len()) {
        let content = lines[number - 1];
        out.push_str(&format!("{number:>5} | {content}\n"));
        if number == line {
            let from = start.column as usize - 1;
            let to = if end.line == start.line {
                (end.column as usize - 1).max(from + 1)
            } else {
                content.chars().count().max(from + 1)
            };
            out.push_str(&format!(
                "      | {}{}\n",
                " ".repeat(from),
                "^".repeat(to - from)
            ));
        }
    }
    out
}

/// A finding per failed test: its headline, the step's inputs, expected and actual values, and
/// the trace of the scans that led there.
pub fn tests(run: &Run) -> Vec<Finding> {
    let Outcome::Ran(results) = &run.outcome else {
        return Vec::new();
    };
    results
        .iter()
        .filter(|r| !r.verdict.passed())
        .map(|r| {
            let failure = report::failure(run, r);
            let mut lines = failure.lines();
            let summary = lines.next().unwrap_or_default().to_string();
            let mut detail: String = lines.map(|l| format!("{}\n", l.trim_start())).collect();
            if !r.trace.is_empty() {
                detail.push_str("trace (scans where a value changed, and the last):\n");
                detail.push_str(&table(&r.trace));
            }
            Finding {
                code: "test".to_string(),
                summary,
                detail,
            }
        })
        .collect()
}

/// The feedback for a revision of `source`: the attempt itself, the stage it failed, and the
/// first `most` findings (the rest counted).
pub fn text(source: &str, judgement: &Judgement, most: usize) -> String {
    let Some(stage) = judgement.failed else {
        return String::new();
    };
    let what = match stage {
        Stage::Parse => "it does not parse",
        Stage::Types => "it does not type-check",
        Stage::Tests => "a test fails",
        Stage::Verify => "the verifier found a violation",
    };
    let mut out = format!("The previous attempt:\n{}\n", source.trim_end());
    out.push_str(&format!("It is wrong: {what}.\n"));
    for finding in judgement.findings.iter().take(most) {
        out.push_str(&finding.summary);
        out.push('\n');
        out.push_str(&finding.detail);
    }
    let rest = judgement.findings.len().saturating_sub(most);
    if rest > 0 {
        out.push_str(&format!(
            "({rest} more finding{} not shown)\n",
            if rest == 1 { "" } else { "s" }
        ));
    }
    out
}
