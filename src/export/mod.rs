//! Export of checked ST into the formats PLC tools open: PLCopen TC6 XML 2.01, TwinCAT 3
//! (`.TcPOU`/`.TcDUT`/`.TcGVL`/`.TcIO`), Siemens SCL sources and plain formatted ST. One file
//! per format; this module holds what they share: cutting a POU's source into declaration,
//! implementation and members, so that comments — a generated program's provenance header
//! first of all — travel with the code.
//!
//! Invariant: an export either expresses the program exactly or fails with X006 at the
//! construct the target cannot express; importing the result gives the original tree (tested
//! over the syntax and task corpora).

pub mod merge;
pub mod plcopen;
pub mod scl;
pub mod st;
pub mod twincat;
mod xml;

use crate::diagnostics::{Code, Diagnostic};
use crate::source::{SourceFile, Span};
use crate::syntax::Parsed;
use crate::syntax::ast::{Item, Pou, PouKind};

/// An export format.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// PLCopen TC6 XML 2.01: one project file.
    Plcopen,
    /// TwinCAT 3: a folder with one `.TcPOU`/`.TcDUT`/`.TcGVL`/`.TcIO` per object.
    Twincat,
    /// Siemens SCL: one source file with every block.
    Scl,
    /// Plain ST, formatted: one file.
    St,
}

/// A parsed file to export.
pub struct Source<'a> {
    pub file: &'a SourceFile,
    pub parsed: &'a Parsed,
}

/// A file an export produces: its name (relative to the output folder for TwinCAT) and text.
#[derive(Debug)]
pub struct OutFile {
    pub name: String,
    pub text: String,
}

/// Exports files (free of syntax errors) to a target. `Err` holds the X006 diagnostics of the
/// constructs the target cannot express.
pub fn export(target: Target, sources: &[Source]) -> Result<Vec<OutFile>, Vec<Diagnostic>> {
    match target {
        Target::Plcopen => plcopen::export(sources).map(|text| {
            vec![OutFile {
                name: "project.xml".into(),
                text,
            }]
        }),
        Target::Twincat => twincat::export(sources),
        Target::Scl => scl::export(sources).map(|text| {
            vec![OutFile {
                name: "source.scl".into(),
                text,
            }]
        }),
        Target::St => Ok(vec![OutFile {
            name: "source.st".into(),
            text: st::export(sources),
        }]),
    }
}

pub(crate) fn unsupported(file: &SourceFile, span: Span, message: impl Into<String>) -> Diagnostic {
    Diagnostic::new(Code::X006, file.id, span, message)
}

/// Every item of a file with the comments and pragmas that lead up to it (a provenance header
/// belongs to the item it stands before). Comments after the last item are returned apart.
pub(crate) fn items_with_lead<'a>(source: &Source<'a>) -> (Vec<(&'a Item, &'a str)>, &'a str) {
    let text = source.file.text.as_str();
    let trivia = &source.parsed.trivia;
    let mut out = Vec::new();
    let mut at = 0;
    for item in &source.parsed.unit.items {
        let span = item.span();
        // The comments right before the item, with nothing but blanks between them.
        let mut first = span.start as usize;
        for t in trivia
            .iter()
            .rev()
            .filter(|t| t.span.start >= at && t.span.end <= span.start)
        {
            if !text[t.span.end as usize..first].trim().is_empty() {
                break;
            }
            first = t.span.start as usize;
        }
        out.push((item, trim_blank_lines(&text[first..span.start as usize])));
        at = span.end;
    }
    let tail = trivia
        .iter()
        .find(|t| t.span.start >= at)
        .map_or("", |t| text[t.span.start as usize..].trim());
    (out, tail)
}

/// Drops the blank lines before the first line with content (keeps its indentation).
pub(crate) fn trim_blank_lines(text: &str) -> &str {
    let content = text.len() - text.trim_start().len();
    let line_start = text[..content].rfind('\n').map_or(0, |n| n + 1);
    text[line_start..].trim_end()
}

/// A POU or member cut along the lines TwinCAT stores it: the declaration (header and
/// variables, with any comments before them) and the implementation (the statements), without
/// the closing keyword; members separately.
#[derive(Debug)]
pub(crate) struct Parts<'a> {
    pub declaration: &'a str,
    pub implementation: &'a str,
}

/// The byte where the closing keyword (`END_FUNCTION_BLOCK`, …) of a POU or member starts.
pub(crate) fn end_keyword_start(text: &str, pou: &Pou) -> usize {
    let keyword = end_keyword(pou.kind);
    let span = pou.span.range();
    let upper = text[span.clone()].to_ascii_uppercase();
    upper.rfind(keyword).map_or(span.end, |at| span.start + at)
}

pub(crate) fn end_keyword(kind: PouKind) -> &'static str {
    match kind {
        PouKind::Program => "END_PROGRAM",
        PouKind::Function => "END_FUNCTION",
        PouKind::FunctionBlock => "END_FUNCTION_BLOCK",
        PouKind::Class => "END_CLASS",
        PouKind::Interface => "END_INTERFACE",
        PouKind::Method => "END_METHOD",
        PouKind::Property => "END_PROPERTY",
        PouKind::Getter => "END_GET",
        PouKind::Setter => "END_SET",
        PouKind::Action => "END_ACTION",
    }
}

/// Cuts a POU, method or accessor: `start` is where its declaration begins (before leading
/// comments for a top-level POU; after `GET`/`SET` for an accessor).
pub(crate) fn parts<'a>(text: &'a str, pou: &Pou, start: usize) -> Parts<'a> {
    let end = end_keyword_start(text, pou);
    let first_member = pou.members.first().map(|m| m.span.start as usize);
    let body_start = pou
        .body
        .first()
        .map(|s| s.span.start as usize)
        .or(first_member)
        .unwrap_or(end)
        .max(start);
    let body_end = first_member.unwrap_or(end).max(body_start);
    Parts {
        declaration: text[start..body_start].trim_end(),
        implementation: if pou.body.is_empty() {
            ""
        } else {
            text[body_start..body_end].trim_end()
        },
    }
}

/// The statements of an action: after `ACTION Name:`, up to `END_ACTION`.
pub(crate) fn action_body<'a>(text: &'a str, action: &Pou) -> &'a str {
    let end = end_keyword_start(text, action);
    let after_name = action
        .name
        .as_ref()
        .map_or(action.span.start, |n| n.span.end) as usize;
    let colon = text[after_name..end]
        .find(':')
        .map_or(after_name, |n| after_name + n + 1);
    trim_blank_lines(&text[colon..end])
}

/// Where an accessor's declaration starts: after its `GET`/`SET` keyword.
pub(crate) fn accessor_start(accessor: &Pou) -> usize {
    accessor.span.start as usize + 3
}

/// A stable GUID for a TwinCAT object from its path of names, so that exporting twice gives the
/// same files (TwinCAT only needs the ids to be unique within a project).
pub(crate) fn guid(path: &str) -> String {
    let mut a: u64 = 0xcbf2_9ce4_8422_2325;
    let mut b: u64 = 0x8422_2325_cbf2_9ce4;
    for byte in path.bytes() {
        a = (a ^ byte as u64).wrapping_mul(0x0000_0100_0000_01b3);
        b = (b ^ byte as u64)
            .wrapping_mul(0x0000_0100_0000_01b3)
            .rotate_left(7);
    }
    format!(
        "{{{:08x}-{:04x}-{:04x}-{:04x}-{:012x}}}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xffff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}
