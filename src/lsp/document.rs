//! An open document as the editor sees it: its text, kept in step with the
//! editor's incremental edits, and the conversion between the editor's
//! line/character positions and the byte offsets every span uses.
//!
//! Editors count characters in UTF-16 code units unless both sides agree
//! on UTF-8 at `initialize`; [`Encoding`] says which. A position past the
//! end of a line or of the text is clamped, as the protocol asks, so a
//! stale or wrong position never fails.

use crate::span::Span;
use lsp_types::{Position, Range};

/// How the `character` of a position is counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

pub struct Document {
    pub text: String,
    pub version: i32,
    /// Byte offset of the start of every line.
    line_starts: Vec<usize>,
}

impl Document {
    pub fn new(text: String, version: i32) -> Document {
        let mut doc = Document {
            text,
            version,
            line_starts: Vec::new(),
        };
        doc.index_lines();
        doc
    }

    fn index_lines(&mut self) {
        self.line_starts.clear();
        self.line_starts.push(0);
        self.line_starts.extend(
            self.text
                .bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
    }

    /// Replaces `range` (the whole text when `None`) with `new_text`.
    pub fn edit(&mut self, range: Option<Range>, new_text: &str, enc: Encoding) {
        match range {
            None => self.text = new_text.to_string(),
            Some(range) => {
                let start = self.offset(range.start, enc);
                let end = self.offset(range.end, enc).max(start);
                self.text.replace_range(start..end, new_text);
            }
        }
        self.index_lines();
    }

    /// The byte offset of `pos`, clamped to the text and to a character
    /// boundary.
    pub fn offset(&self, pos: Position, enc: Encoding) -> usize {
        let Some(&line_start) = self.line_starts.get(pos.line as usize) else {
            return self.text.len();
        };
        let line_end = self
            .line_starts
            .get(pos.line as usize + 1)
            .map_or(self.text.len(), |&next| next - 1);
        let line = &self.text[line_start..line_end];
        let mut units = 0u32;
        for (i, c) in line.char_indices() {
            if units >= pos.character {
                return line_start + i;
            }
            units += match enc {
                Encoding::Utf8 => c.len_utf8() as u32,
                Encoding::Utf16 => c.len_utf16() as u32,
            };
        }
        line_end
    }

    /// The position of byte `offset` (clamped to the text).
    pub fn position(&self, offset: usize, enc: Encoding) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let before = &self.text[self.line_starts[line]..offset];
        let character = match enc {
            Encoding::Utf8 => before.len(),
            Encoding::Utf16 => before.chars().map(char::len_utf16).sum(),
        };
        Position::new(to_u32(line), to_u32(character))
    }

    /// [`Document::offset`] as spans count: a text past 4 GiB (which no
    /// span can reach) ends at the last offset a span can hold.
    pub fn span_offset(&self, pos: Position, enc: Encoding) -> u32 {
        to_u32(self.offset(pos, enc))
    }

    pub fn range(&self, span: Span, enc: Encoding) -> Range {
        Range::new(
            self.position(span.start as usize, enc),
            self.position(span.end as usize, enc),
        )
    }

    /// The text of line `line` (without its newline).
    pub fn line_text(&self, line: usize) -> &str {
        let Some(&start) = self.line_starts.get(line) else {
            return "";
        };
        let end = self
            .line_starts
            .get(line + 1)
            .map_or(self.text.len(), |&next| next - 1);
        &self.text[start..end]
    }

    /// The start of the line holding byte `offset`.
    pub fn line_start(&self, offset: usize) -> usize {
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        self.line_starts[line]
    }
}

/// `n`, or `u32::MAX` when it does not fit.
fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units_or_bytes() {
        let doc = Document::new("a😀b\nxyz".into(), 0);
        // 😀 is two UTF-16 units and four bytes.
        assert_eq!(doc.offset(Position::new(0, 3), Encoding::Utf16), 5);
        assert_eq!(doc.offset(Position::new(0, 5), Encoding::Utf8), 5);
        assert_eq!(doc.position(5, Encoding::Utf16), Position::new(0, 3));
        assert_eq!(doc.position(7, Encoding::Utf8), Position::new(1, 0));
        // Past the end of a line, or of the text, is clamped.
        assert_eq!(doc.offset(Position::new(0, 99), Encoding::Utf16), 6);
        assert_eq!(doc.offset(Position::new(9, 0), Encoding::Utf16), 10);
        // Inside a surrogate pair: the next character boundary.
        assert_eq!(doc.offset(Position::new(0, 2), Encoding::Utf16), 5);
    }

    #[test]
    fn incremental_edits_apply_in_order() {
        let mut doc = Document::new("let x = 1\nprint(x)\n".into(), 0);
        let r = |l1, c1, l2, c2| Some(Range::new(Position::new(l1, c1), Position::new(l2, c2)));
        doc.edit(r(0, 4, 0, 5), "count", Encoding::Utf16);
        doc.edit(r(1, 6, 1, 7), "count", Encoding::Utf16);
        doc.edit(r(2, 0, 2, 0), "print(count + 1)\n", Encoding::Utf16);
        assert_eq!(doc.text, "let count = 1\nprint(count)\nprint(count + 1)\n");
        assert_eq!(doc.line_text(2), "print(count + 1)");
        doc.edit(None, "x", Encoding::Utf16);
        assert_eq!(doc.text, "x");
    }
}
