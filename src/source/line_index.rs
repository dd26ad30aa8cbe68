//! Byte offset → line and column, in time logarithmic in the file's size: a diagnostic on a
//! line of megabytes costs no more than one on a short line.

/// A 1-based line and column; columns count Unicode scalar values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineCol {
    pub line: u32,
    pub column: u32,
}

/// Where lines start, and where characters longer than one byte stand, for offset →
/// (line, column) lookups. A line ends at `\n`, `\r\n` or a lone `\r` (old Mac files).
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<u32>,
    /// Each multi-byte character's offset, with the extra bytes (beyond one per character) of
    /// it and all before it: a column is the byte distance less the extra bytes in between,
    /// so no lookup counts characters.
    wide: Vec<(u32, u32)>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut wide = Vec::new();
        let mut extra = 0u32;
        for (i, &b) in bytes.iter().enumerate() {
            match b {
                b'\n' => starts.push(i as u32 + 1),
                b'\r' if bytes.get(i + 1) != Some(&b'\n') => starts.push(i as u32 + 1),
                // The lead byte of a multi-byte character (continuation bytes are 0b10xxxxxx).
                0xC0.. => {
                    extra += b.leading_ones() - 1;
                    wide.push((i as u32, extra));
                }
                _ => {}
            }
        }
        LineIndex { starts, wide }
    }

    /// The line and column of a byte offset in `text` (the text this index was built from).
    pub fn line_col(&self, text: &str, offset: u32) -> LineCol {
        let offset = offset.min(text.len() as u32);
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let mut end = offset as usize;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let end = end as u32;
        let characters = (end - start) - (self.extra_before(end) - self.extra_before(start));
        LineCol {
            line: line as u32 + 1,
            column: characters + 1,
        }
    }

    /// The extra bytes of the multi-byte characters that start before `offset`.
    fn extra_before(&self, offset: u32) -> u32 {
        match self.wide.partition_point(|&(at, _)| at < offset) {
            0 => 0,
            n => self.wide[n - 1].1,
        }
    }

    /// The 1-based line number of a byte offset.
    pub fn line(&self, offset: u32) -> u32 {
        self.starts.partition_point(|&s| s <= offset) as u32
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// The byte range of a 1-based line's text, without its line break.
    pub fn line_range(&self, text: &str, line: u32) -> std::ops::Range<usize> {
        let i = (line.max(1) as usize - 1).min(self.starts.len() - 1);
        let start = self.starts[i] as usize;
        let mut end = self
            .starts
            .get(i + 1)
            .map_or(text.len(), |&next| next as usize);
        let bytes = text.as_bytes();
        if end > start && bytes[end - 1] == b'\n' {
            end -= 1;
        }
        if end > start && bytes[end - 1] == b'\r' {
            end -= 1;
        }
        start..end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters() {
        let text = "ab\nÄx\n";
        let index = LineIndex::new(text);
        assert_eq!(index.line_col(text, 0), LineCol { line: 1, column: 1 });
        assert_eq!(index.line_col(text, 3), LineCol { line: 2, column: 1 });
        // 'x' follows the two-byte 'Ä'
        assert_eq!(index.line_col(text, 5), LineCol { line: 2, column: 2 });
        assert_eq!(index.line(7), 3);
    }

    #[test]
    fn columns_count_characters_of_every_width() {
        let text = "x€y\n😀ab\r\nÄ\rz";
        let index = LineIndex::new(text);
        for (offset, _) in text.char_indices() {
            if text[..offset].ends_with('\r') && text[offset..].starts_with('\n') {
                continue; // the `\n` of a `\r\n`: still on the line the `\r` ends
            }
            let line_start = text[..offset].rfind(['\n', '\r']).map_or(0, |i| i + 1);
            let expected = text[line_start..offset].chars().count() as u32 + 1;
            assert_eq!(
                index.line_col(text, offset as u32).column,
                expected,
                "{offset}"
            );
        }
        // Inside a character: the column of the character.
        assert_eq!(index.line_col(text, 2), LineCol { line: 1, column: 2 });
    }

    #[test]
    fn a_lone_carriage_return_ends_a_line() {
        let text = "a\rb\r\nc\nd";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 4);
        assert_eq!(index.line_col(text, 2), LineCol { line: 2, column: 1 });
        assert_eq!(index.line_col(text, 5), LineCol { line: 3, column: 1 });
        assert_eq!(index.line_range(text, 2), 2..3);
        assert_eq!(index.line_range(text, 4), 7..8);
    }
}
