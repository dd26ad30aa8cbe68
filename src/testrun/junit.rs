//! JUnit XML for CI servers: one `<testsuite>` for the spec (named after its POU), one
//! `<testcase>` per `[[test]]` (class name: the POU), a `<failure>` for a failed expectation and
//! an `<error>` for a run-time fault, each with the text report of what went wrong. When the
//! tests could not run at all (the implementation does not check, does not match the spec…),
//! the suite holds one `<testcase name="(setup)">` with an `<error>` listing the diagnostics, so
//! the CI shows a broken build instead of an empty suite.
//!
//! quick-xml writes and escapes; text that XML 1.0 cannot carry at all (control characters a
//! TOML string may hold) is replaced, so the document is always well-formed.

use super::report;
use super::{Outcome, Run, TestResult, Verdict};
use crate::diagnostics::{Diagnostic, render};
use quick_xml::Writer;
use quick_xml::escape::partial_escape;
use quick_xml::events::{BytesDecl, BytesText, Event};
use std::borrow::Cow;
use std::io;
use std::time::Duration;

/// Counts for a `<testsuites>` or `<testsuite>` element.
struct Counts {
    tests: usize,
    failures: usize,
    errors: usize,
    time: Duration,
}

/// The JUnit document of a run.
pub fn xml(run: &Run) -> String {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    document(&mut writer, run).expect("writing XML to memory cannot fail");
    let mut text = String::from_utf8(writer.into_inner()).expect("the writer was given UTF-8");
    text.push('\n');
    text
}

fn document(w: &mut Writer<Vec<u8>>, run: &Run) -> io::Result<()> {
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let suite = run.pou.clone().unwrap_or_else(|| {
        run.spec_path()
            .file_name()
            .map(|n| {
                n.to_string_lossy()
                    .trim_end_matches(".spec.toml")
                    .to_string()
            })
            .unwrap_or_default()
    });
    let counts = match &run.outcome {
        Outcome::Ran(results) => Counts {
            tests: results.len(),
            failures: count(results, |v| matches!(v, Verdict::Fail { .. })),
            errors: count(results, |v| matches!(v, Verdict::Error { .. })),
            time: results.iter().map(|r| r.elapsed).sum(),
        },
        Outcome::NotRun(_) => Counts {
            tests: 1,
            failures: 0,
            errors: 1,
            time: Duration::ZERO,
        },
    };
    let spec_path = run.spec_path().display().to_string();
    with_counts(w.create_element("testsuites"), &counts)
        .with_attribute(("name", "stforge test"))
        .write_inner_content(|w| {
            with_counts(w.create_element("testsuite"), &counts)
                .with_attribute(("name", clean(&suite).as_ref()))
                .with_attribute(("skipped", "0"))
                .with_attribute(("file", clean(&spec_path).as_ref()))
                .write_inner_content(|w| match &run.outcome {
                    Outcome::Ran(results) => results
                        .iter()
                        .try_for_each(|result| test_case(w, run, &suite, result)),
                    Outcome::NotRun(diagnostics) => setup_error(w, run, &suite, diagnostics),
                })?;
            Ok(())
        })?;
    Ok(())
}

fn count(results: &[TestResult], which: impl Fn(&Verdict) -> bool) -> usize {
    results.iter().filter(|r| which(&r.verdict)).count()
}

fn with_counts<'w>(
    element: quick_xml::writer::ElementWriter<'w, Vec<u8>>,
    counts: &Counts,
) -> quick_xml::writer::ElementWriter<'w, Vec<u8>> {
    element
        .with_attribute(("tests", counts.tests.to_string().as_str()))
        .with_attribute(("failures", counts.failures.to_string().as_str()))
        .with_attribute(("errors", counts.errors.to_string().as_str()))
        .with_attribute(("time", seconds(counts.time).as_str()))
}

fn seconds(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64())
}

fn test_case(
    w: &mut Writer<Vec<u8>>,
    run: &Run,
    suite: &str,
    result: &TestResult,
) -> io::Result<()> {
    let case = w
        .create_element("testcase")
        .with_attribute(("name", clean(&result.name).as_ref()))
        .with_attribute(("classname", clean(suite).as_ref()))
        .with_attribute(("time", seconds(result.elapsed).as_str()));
    let problem_kind = match &result.verdict {
        Verdict::Pass => None,
        Verdict::Fail { .. } => Some(("failure", "expectation".to_string())),
        Verdict::Error { diagnostic, .. } => Some(("error", diagnostic.code.to_string())),
    };
    if problem_kind.is_none() && result.description.is_none() {
        case.write_empty()?;
        return Ok(());
    }
    case.write_inner_content(|w| {
        // The test's `description`, as a property of the test case.
        if let Some(description) = &result.description {
            w.create_element("properties").write_inner_content(|w| {
                w.create_element("property")
                    .with_attribute(("name", "description"))
                    .with_attribute(("value", clean(description).as_ref()))
                    .write_empty()?;
                Ok(())
            })?;
        }
        if let Some((element, kind)) = &problem_kind {
            let message = report::message(run, result);
            let text = report::failure(run, result);
            problem(w, element, &message, kind, &text)?;
        }
        Ok(())
    })?;
    Ok(())
}

fn setup_error(
    w: &mut Writer<Vec<u8>>,
    run: &Run,
    suite: &str,
    diagnostics: &[Diagnostic],
) -> io::Result<()> {
    let errors: Vec<&Diagnostic> = diagnostics.iter().filter(|d| d.is_error()).collect();
    let message = format!(
        "the tests did not run: {} error{}",
        errors.len(),
        if errors.len() == 1 { "" } else { "s" }
    );
    let kind = errors
        .first()
        .map(|d| d.code.to_string())
        .unwrap_or_default();
    let text: String = diagnostics
        .iter()
        .map(|d| render::to_line(d, &run.files) + "\n")
        .collect();
    w.create_element("testcase")
        .with_attribute(("name", "(setup)"))
        .with_attribute(("classname", clean(suite).as_ref()))
        .with_attribute(("time", "0.000"))
        .write_inner_content(|w| {
            problem(w, "error", &message, &kind, &text)?;
            Ok(())
        })?;
    Ok(())
}

/// `<failure message="…" type="…">text</failure>` (or `<error …>`).
fn problem(
    w: &mut Writer<Vec<u8>>,
    element: &str,
    message: &str,
    kind: &str,
    text: &str,
) -> io::Result<()> {
    w.create_element(element)
        .with_attribute(("message", clean(message).as_ref()))
        .with_attribute(("type", clean(kind).as_ref()))
        // Quotes need no escaping in text: the report reads as written.
        .write_text_content(BytesText::from_escaped(partial_escape(clean(text))))?;
    Ok(())
}

/// Replaces the characters XML 1.0 does not allow anywhere (control characters other than tab,
/// line feed and carriage return; U+FFFE, U+FFFF) with U+FFFD.
fn clean(text: &str) -> Cow<'_, str> {
    let allowed = |c: char| !matches!(c, '\0'..='\x08' | '\x0B' | '\x0C' | '\x0E'..='\x1F' | '\u{FFFE}' | '\u{FFFF}');
    if text.chars().all(allowed) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(
            text.chars()
                .map(|c| if allowed(c) { c } else { '\u{FFFD}' })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_xml_cannot_carry_are_replaced() {
        assert_eq!(clean("a\tb\nc"), "a\tb\nc");
        assert_eq!(clean("bell\x07 and \u{FFFF}"), "bell\u{FFFD} and \u{FFFD}");
    }
}
