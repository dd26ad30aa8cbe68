//! Renderers: the terminal (miette) and JSON. They read the diagnostic model and the source
//! map; nothing else in the crate formats diagnostics.

use super::{Diagnostic, Severity};
use crate::source::SourceMap;
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};
use serde::Serialize;

/// One diagnostic as a flat JSON record. Lines and columns are 1-based; columns count
/// characters (Unicode scalar values).
#[derive(Serialize, Debug, PartialEq, Eq)]
pub struct JsonDiagnostic {
    pub file: String,
    pub code: String,
    pub severity: Severity,
    pub message: String,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

pub fn to_json(diagnostic: &Diagnostic, files: &SourceMap) -> JsonDiagnostic {
    let file = files.get(diagnostic.primary.file);
    let (start, end) = file.location(diagnostic.primary.span);
    JsonDiagnostic {
        file: file.path.display().to_string(),
        code: diagnostic.code.to_string(),
        severity: diagnostic.severity,
        message: diagnostic.message.clone(),
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
        help: diagnostic.help.clone(),
    }
}

/// A compact one-line form, `path:line:column: severity[CODE]: message`, for logs and tests.
pub fn to_line(diagnostic: &Diagnostic, files: &SourceMap) -> String {
    let j = to_json(diagnostic, files);
    format!(
        "{}:{}:{}: {}[{}]: {}",
        j.file,
        j.line,
        j.column,
        j.severity.name(),
        j.code,
        j.message
    )
}

/// Renders with source excerpts for a terminal. `color` chooses ANSI colours.
pub fn to_terminal(diagnostic: &Diagnostic, files: &SourceMap, color: bool) -> String {
    let file = files.get(diagnostic.primary.file);
    let mut labels = vec![LabeledSpan::new_primary_with_span(
        non_empty(&diagnostic.primary.message),
        file.shown_span(diagnostic.primary.span).range(),
    )];
    let mut help = diagnostic.help.clone();
    for label in &diagnostic.secondary {
        if label.file == diagnostic.primary.file {
            labels.push(LabeledSpan::new_with_span(
                non_empty(&label.message),
                file.shown_span(label.span).range(),
            ));
        } else {
            // miette shows one source per report: name other files' places in the help.
            let other = files.get(label.file);
            let (at, _) = other.location(label.span);
            let note = format!(
                "{}: {}:{}:{}",
                label.message,
                other.path.display(),
                at.line,
                at.column
            );
            help = Some(match help {
                Some(h) => format!("{h}\n{note}"),
                None => note,
            });
        }
    }
    let mut report = MietteDiagnostic::new(diagnostic.message.clone())
        .with_code(diagnostic.code.as_str())
        .with_severity(match diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Note => miette::Severity::Advice,
        })
        .with_labels(labels);
    if let Some(help) = help {
        report = report.with_help(help);
    }
    let source = Named {
        name: file.path.display().to_string(),
        text: file.shown_text(),
    };
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let mut out = String::new();
    GraphicalReportHandler::new_themed(theme)
        .render_report(&mut out, &WithSource { report, source })
        .expect("writing to a String cannot fail");
    out
}

/// A file's text under its name, borrowed: miette's own `NamedSource` would need a copy of the
/// whole file for every diagnostic.
struct Named<'a> {
    name: String,
    text: &'a str,
}

impl SourceCode for Named<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let contents = self
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            contents.data(),
            *contents.span(),
            contents.line(),
            contents.column(),
            contents.line_count(),
        )))
    }
}

struct WithSource<'a> {
    report: MietteDiagnostic,
    source: Named<'a>,
}

impl std::fmt::Debug for WithSource<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.report.fmt(f)
    }
}

impl std::fmt::Display for WithSource<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.report, f)
    }
}

impl std::error::Error for WithSource<'_> {}

impl miette::Diagnostic for WithSource<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.report.code()
    }
    fn severity(&self) -> Option<miette::Severity> {
        self.report.severity()
    }
    fn help<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.report.help()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.report.labels()
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }
}

fn non_empty(message: &str) -> Option<String> {
    (!message.is_empty()).then(|| message.to_string())
}
