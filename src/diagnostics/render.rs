//! Renderers: the terminal (miette) and JSON. They read the diagnostic model and the source
//! map; nothing else in the crate formats diagnostics.

use super::{Code, Diagnostic, Severity};
use crate::source::{SourceFile, SourceMap, Span};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};
use serde::Serialize;
use std::ops::Range;

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
///
/// miette is given an excerpt, not the file: the lines around the labels, each long line cut to
/// a window around them. Rendering a diagnostic so costs the same on a line of megabytes or at
/// the end of a long file, and no column miette pads to is ever large.
pub fn to_terminal(diagnostic: &Diagnostic, files: &SourceMap, color: bool) -> String {
    let file = files.get(diagnostic.primary.file);
    let mut spans = vec![(&diagnostic.primary, true)];
    let mut help = diagnostic.help.clone();
    for label in &diagnostic.secondary {
        if label.file == diagnostic.primary.file {
            spans.push((label, false));
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
    let excerpt = Excerpt::new(file, spans.iter().map(|(l, _)| file.shown_span(l.span)));
    let labels = spans
        .iter()
        .map(|(label, primary)| {
            let range = excerpt.map(file.shown_span(label.span));
            let message = non_empty(&label.message);
            if *primary {
                LabeledSpan::new_primary_with_span(message, range)
            } else {
                LabeledSpan::new_with_span(message, range)
            }
        })
        .collect::<Vec<_>>();
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
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let mut out = String::new();
    GraphicalReportHandler::new_themed(theme)
        .render_report(
            &mut out,
            &WithSource {
                report,
                source: excerpt,
            },
        )
        .expect("writing to a String cannot fail");
    out
}

/// Diagnostics rendered for a terminal one after another, at most [`MAX_SHOWN_PER_FILE`] per
/// file: the rest of a file's are summarised by one F005 after them, as S010 does for syntax
/// errors, so a flood stays readable (`--format json` lists them all).
pub fn to_terminal_all<'d>(
    diagnostics: impl IntoIterator<Item = &'d Diagnostic>,
    files: &SourceMap,
    color: bool,
) -> String {
    let mut out = String::new();
    // Per file: how many were shown, and the first one left out with the count of the rest.
    let mut shown: std::collections::HashMap<crate::source::FileId, usize> = Default::default();
    let mut hidden: std::collections::BTreeMap<crate::source::FileId, (&Diagnostic, usize)> =
        Default::default();
    for d in diagnostics {
        let count = shown.entry(d.primary.file).or_default();
        if *count < MAX_SHOWN_PER_FILE {
            *count += 1;
            out.push_str(&to_terminal(d, files, color));
        } else {
            hidden.entry(d.primary.file).or_insert((d, 0)).1 += 1;
        }
    }
    for (file, (first, count)) in hidden {
        let summary = Diagnostic::new(
            Code::F005,
            file,
            first.primary.span,
            format!(
                "{count} more diagnostic{} in this file {} not shown",
                if count == 1 { "" } else { "s" },
                if count == 1 { "is" } else { "are" },
            ),
        )
        .with_label("the first one not shown")
        .with_help("`--format json` lists every diagnostic");
        out.push_str(&to_terminal(&summary, files, color));
    }
    out
}

/// Diagnostics shown per file on a terminal before the rest are summarised.
pub const MAX_SHOWN_PER_FILE: usize = 100;

/// The most bytes of one line an excerpt shows; a longer line is cut around the labels.
const WINDOW: usize = 160;
/// Of a cut line, the bytes shown before the first label.
const LEAD: usize = 60;
/// A label over more lines than this is shown on its first line only.
const MAX_LABEL_LINES: u32 = 12;

/// The part of a file a diagnostic shows, as miette's source: groups of consecutive lines
/// ("segments", one per cluster of labels with a line of context around), long lines cut to a
/// window with `…` at each cut. Offsets into it are its own; [`Excerpt::map`] converts a file
/// span, and line numbers and the header's column are the file's.
struct Excerpt<'f> {
    file: &'f SourceFile,
    name: String,
    text: String,
    segments: Vec<Segment>,
}

struct Segment {
    /// Its bytes in `Excerpt::text`.
    range: Range<usize>,
    /// Its first line in the file, 1-based.
    first_line: u32,
    lines: Vec<Shown>,
}

/// One line of a segment: the part of the file shown and where it stands in the excerpt.
struct Shown {
    real: Range<usize>,
    at: usize,
}

impl<'f> Excerpt<'f> {
    fn new(file: &'f SourceFile, spans: impl Iterator<Item = Span>) -> Excerpt<'f> {
        let lines = file.shown_lines();
        let source = file.shown_text();
        let last_line = lines.line_count() as u32;
        // The lines each label needs, with one line of context (miette's default) around.
        let mut needs: Vec<(u32, u32, usize)> = spans
            .map(|span| {
                let span = clip(file, span);
                let first = lines.line(span.start);
                let last = lines.line(span.end.saturating_sub(1).max(span.start));
                let column = span.start as usize - lines.line_range(source, first).start;
                (
                    first.saturating_sub(1).max(1),
                    (last + 1).min(last_line),
                    column,
                )
            })
            .collect();
        needs.sort_unstable();
        let mut groups: Vec<(u32, u32, usize)> = Vec::new();
        for (first, last, column) in needs {
            match groups.last_mut() {
                Some(g) if first <= g.1 + 1 => {
                    g.1 = g.1.max(last);
                    g.2 = g.2.min(column);
                }
                _ => groups.push((first, last, column)),
            }
        }
        let mut text = String::new();
        let mut segments = Vec::new();
        for (first, last, column) in groups {
            let start = text.len();
            let mut shown = Vec::new();
            for line in first..=last {
                let real = window(source, lines.line_range(source, line), column);
                let full = lines.line_range(source, line);
                if real.start > full.start {
                    text.push('…');
                }
                shown.push(Shown {
                    at: text.len(),
                    real: real.clone(),
                });
                text.push_str(&source[real.clone()]);
                if real.end < full.end {
                    text.push('…');
                }
                text.push('\n');
            }
            segments.push(Segment {
                range: start..text.len(),
                first_line: first,
                lines: shown,
            });
        }
        Excerpt {
            file,
            name: file.path.display().to_string(),
            text,
            segments,
        }
    }

    /// A file span as a range of the excerpt (parts cut off clamp to the cut).
    fn map(&self, span: Span) -> Range<usize> {
        let span = clip(self.file, span);
        let start = self.offset(span.start);
        start..self.offset(span.end).max(start)
    }

    fn offset(&self, real: u32) -> usize {
        let line = self.file.shown_lines().line(real);
        let segment = self
            .segments
            .iter()
            .find(|s| (s.first_line..s.first_line + s.lines.len() as u32).contains(&line))
            .expect("every label's lines are in the excerpt");
        let shown = &segment.lines[(line - segment.first_line) as usize];
        let real = (real as usize).clamp(shown.real.start, shown.real.end);
        shown.at + (real - shown.real.start)
    }

    /// The file offset an excerpt offset shows.
    fn real(&self, segment: &Segment, offset: usize) -> u32 {
        let i = segment
            .lines
            .partition_point(|l| l.at <= offset)
            .saturating_sub(1);
        let shown = &segment.lines[i];
        (shown.real.start + offset.saturating_sub(shown.at).min(shown.real.len())) as u32
    }
}

/// A label over too many lines, cut to its first.
fn clip(file: &SourceFile, span: Span) -> Span {
    let lines = file.shown_lines();
    let source = file.shown_text();
    let first = lines.line(span.start);
    let last = lines.line(span.end.saturating_sub(1).max(span.start));
    if last - first <= MAX_LABEL_LINES {
        return span;
    }
    let end = lines.line_range(source, first).end as u32;
    Span {
        start: span.start,
        end: end.max(span.start),
    }
}

/// The part of a line shown: all of it when short, else [`WINDOW`] bytes from [`LEAD`] bytes
/// before `column` (a byte offset into the line), on character boundaries.
fn window(text: &str, line: Range<usize>, column: usize) -> Range<usize> {
    if line.len() <= WINDOW {
        return line;
    }
    let from = column.saturating_sub(LEAD).min(line.len() - WINDOW);
    let mut start = line.start + from;
    let mut end = start + WINDOW;
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    start..end
}

impl SourceCode for Excerpt<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        // A span over two segments (miette tries to merge nearby contexts) is out of bounds:
        // the segments are shown apart.
        let end = span.offset() + span.len();
        let segment = self
            .segments
            .iter()
            .find(|s| s.range.start <= span.offset() && end <= s.range.end)
            .ok_or(MietteError::OutOfBounds)?;
        let local = SourceSpan::new((span.offset() - segment.range.start).into(), span.len());
        let contents = self.text[segment.range.clone()].read_span(
            &local,
            context_lines_before,
            context_lines_after,
        )?;
        let line = segment.first_line as usize - 1 + contents.line();
        // The header's column (asked with no context): the file's, in characters.
        let column = if context_lines_before == 0 {
            let real = self.real(segment, span.offset());
            self.file
                .shown_lines()
                .line_col(self.file.shown_text(), real)
                .column as usize
                - 1
        } else {
            0
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            contents.data(),
            SourceSpan::new(
                (contents.span().offset() + segment.range.start).into(),
                contents.span().len(),
            ),
            line,
            column,
            segment.first_line as usize - 1 + contents.line_count(),
        )))
    }
}

struct WithSource<'a> {
    report: MietteDiagnostic,
    source: Excerpt<'a>,
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
