//! Where the ST text of an imported file (TwinCAT, PLCopen XML, Siemens SCL) came from.
//!
//! An importer builds the ST text piece by piece: pieces copied from the original file
//! (`verbatim`: every byte maps to the same byte there) and pieces it wrote itself (keywords it
//! had to add, declarations converted from XML), which map to the place in the original that
//! caused them. Diagnostics keep spans into the ST text, as for any file; the renderers ask the
//! [`Origin`] for the line and column in the original.

use super::{LineCol, LineIndex, Span};

/// One stretch of the ST text and where it starts in the original.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Piece {
    /// Start in the ST text.
    st: u32,
    /// Start in the original text.
    original: u32,
    /// Copied byte for byte: offsets inside map one to one. Otherwise every offset inside maps
    /// to `original`.
    verbatim: bool,
}

/// The original file of an imported source, and the map from ST offsets to offsets in it.
#[derive(Debug)]
pub struct Origin {
    /// The original file, decoded.
    pub text: String,
    pub lines: LineIndex,
    pieces: Vec<Piece>,
}

impl Origin {
    /// The offset in the original text of an offset in the ST text.
    pub fn to_original(&self, st: u32) -> u32 {
        let at = self.pieces.partition_point(|p| p.st <= st);
        match at.checked_sub(1).map(|i| self.pieces[i]) {
            Some(p) if p.verbatim => (p.original + (st - p.st)).min(self.text.len() as u32),
            Some(p) => p.original,
            None => 0,
        }
    }

    /// A span of the ST text as a span of the original (never reversed).
    pub fn span(&self, span: Span) -> Span {
        let start = self.to_original(span.start);
        let end = if span.is_empty() {
            start
        } else {
            // The last byte's place, plus one: an end that falls into the next piece would
            // otherwise jump to wherever that piece came from.
            self.to_original(span.end - 1) + 1
        };
        Span {
            start,
            end: end.max(start).min(self.text.len() as u32),
        }
    }

    pub fn line_col(&self, st: u32) -> LineCol {
        self.lines.line_col(&self.text, self.to_original(st))
    }
}

/// Builds an imported file's ST text together with its [`Origin`].
#[derive(Debug, Default)]
pub struct StBuilder {
    text: String,
    pieces: Vec<Piece>,
}

impl StBuilder {
    /// Appends text copied from `original` bytes on in the original file.
    pub fn verbatim(&mut self, text: &str, original: usize) {
        self.push(text, original, true);
    }

    /// Appends text the importer wrote; it points at `original` in the original file.
    pub fn synthetic(&mut self, text: &str, original: usize) {
        self.push(text, original, false);
    }

    fn push(&mut self, text: &str, original: usize, verbatim: bool) {
        if text.is_empty() {
            return;
        }
        let piece = Piece {
            st: self.text.len() as u32,
            original: original as u32,
            verbatim,
        };
        // Neighbouring pieces that continue each other are one piece.
        let continues = self.pieces.last().is_some_and(|last| {
            verbatim && last.verbatim && last.original + (piece.st - last.st) == piece.original
        });
        if !continues {
            self.pieces.push(piece);
        }
        self.text.push_str(text);
    }

    /// The ST text so far (importers look back at what they wrote).
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn len(&self) -> usize {
        self.text.len()
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    pub fn finish(self, original: String) -> (String, Origin) {
        let lines = LineIndex::new(&original);
        (
            self.text,
            Origin {
                text: original,
                lines,
                pieces: self.pieces,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbatim_pieces_map_byte_for_byte_and_synthetic_ones_to_their_cause() {
        let original = "<a><![CDATA[x := 1;]]></a>\n<b>y</b>";
        let mut b = StBuilder::default();
        b.synthetic("PROGRAM P\n", 0);
        b.verbatim("x := 1;", 12);
        b.synthetic("\nEND_PROGRAM\n", 22);
        let (text, origin) = b.finish(original.to_string());
        assert_eq!(&text[10..17], "x := 1;");
        assert_eq!(origin.to_original(10), 12);
        assert_eq!(origin.to_original(15), 17);
        assert_eq!(origin.to_original(3), 0);
        assert_eq!(origin.to_original(20), 22);
        assert_eq!(
            origin.line_col(15),
            LineCol {
                line: 1,
                column: 18
            }
        );
        assert_eq!(origin.span(Span::new(10, 17)), Span::new(12, 19));
    }
}
