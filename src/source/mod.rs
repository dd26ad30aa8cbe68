//! Source files: byte spans, line/column lookup and decoding of the encodings PLC projects use.

mod encoding;
pub mod import;
mod line_index;
pub mod load;
mod origin;

pub use encoding::{Decoded, Encoding, decode, encode};
pub use line_index::{LineCol, LineIndex};
pub use origin::{Origin, StBuilder};

use std::path::PathBuf;

/// A half-open byte range `start..end` into one source text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start: start as u32,
            end: end as u32,
        }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
}

impl From<chumsky::span::SimpleSpan> for Span {
    fn from(s: chumsky::span::SimpleSpan) -> Span {
        Span::new(s.start, s.end)
    }
}

/// Identifies a file within one run (an index into the run's file list).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A decoded source file.
#[derive(Debug)]
pub struct SourceFile {
    pub id: FileId,
    /// The path as given by the user (or a pseudo path such as `<stdin>`).
    pub path: PathBuf,
    pub text: String,
    /// How the bytes on disk were decoded; a printer writes back in the same encoding.
    pub encoding: Encoding,
    pub lines: LineIndex,
    /// For a file imported from TwinCAT, PLCopen XML or SCL: the original file, and where each
    /// part of `text` (the ST the importer produced) came from.
    pub origin: Option<Box<Origin>>,
}

impl SourceFile {
    pub fn new(id: FileId, path: PathBuf, text: String, encoding: Encoding) -> SourceFile {
        let lines = LineIndex::new(&text);
        SourceFile {
            id,
            path,
            text,
            encoding,
            lines,
            origin: None,
        }
    }

    /// The start and end of a span of `text` as lines and columns in the file on disk.
    pub fn location(&self, span: Span) -> (LineCol, LineCol) {
        let shown = self.shown_span(span);
        let (text, lines) = match &self.origin {
            Some(origin) => (origin.text.as_str(), &origin.lines),
            None => (self.text.as_str(), &self.lines),
        };
        (
            lines.line_col(text, shown.start),
            lines.line_col(text, shown.end),
        )
    }

    /// The text excerpts are shown from: the original file of an imported file.
    pub fn shown_text(&self) -> &str {
        match &self.origin {
            Some(origin) => &origin.text,
            None => &self.text,
        }
    }

    /// The line index of [`SourceFile::shown_text`].
    pub fn shown_lines(&self) -> &LineIndex {
        match &self.origin {
            Some(origin) => &origin.lines,
            None => &self.lines,
        }
    }

    /// A span of `text` as a span of [`SourceFile::shown_text`].
    pub fn shown_span(&self, span: Span) -> Span {
        match &self.origin {
            Some(origin) => origin.span(span),
            None => span,
        }
    }

    pub fn slice(&self, span: Span) -> &str {
        &self.text[span.range()]
    }
}

/// All files of one run, indexed by [`FileId`].
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn add(&mut self, path: PathBuf, text: String, encoding: Encoding) -> FileId {
        let id = FileId(self.files.len() as u32);
        self.files.push(SourceFile::new(id, path, text, encoding));
        id
    }

    /// Adds an imported file: `text` is its ST, `origin` the original file it came from.
    pub fn add_imported(
        &mut self,
        path: PathBuf,
        text: String,
        encoding: Encoding,
        origin: Origin,
    ) -> FileId {
        let id = self.add(path, text, encoding);
        self.files[id.0 as usize].origin = Some(Box::new(origin));
        id
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn files(&self) -> &[SourceFile] {
        &self.files
    }
}
