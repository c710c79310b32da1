//! Source positions shared by every stage of the pipeline.
//!
//! A [`Span`] is a half-open byte range inside one source file; the file is
//! named separately by a [`SourceId`] so that spans stay eight bytes and can be
//! stored beside every bytecode instruction. The [`SourceMap`] owns the text of
//! every file the runtime has loaded and turns byte offsets into line/column
//! pairs for traces and diagnostics.

use std::fmt;

/// Index of a source file inside a [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct SourceId(pub u32);

/// A half-open byte range `start..end` inside one source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
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

    /// The smallest span covering both `self` and `other`.
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

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// One loaded source file: its name as the user gave it and its text.
#[derive(Debug)]
pub struct SourceFile {
    /// The path exactly as given on the command line (or a pseudo-name such as
    /// `<std/prelude>` or `<repl:3>`); diagnostics print it unchanged.
    pub name: String,
    pub text: String,
    /// Byte offset of the start of every line, for offset → line/column.
    line_starts: Vec<usize>,
    /// For text that is not all ASCII: how many characters come before
    /// every [`CHAR_MARK_EVERY`]-th byte (rounded up to a character
    /// boundary), so that a column on a long line is counted from a nearby
    /// mark rather than from the start of the line. Empty for ASCII text,
    /// where columns are byte differences.
    char_marks: Vec<(usize, usize)>,
}

/// Distance in bytes between two entries of [`SourceFile::char_marks`].
const CHAR_MARK_EVERY: usize = 1024;

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> SourceFile {
        let text = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let mut char_marks = Vec::new();
        if !text.is_ascii() {
            let (mut at, mut chars) = (0, 0);
            while at < text.len() {
                char_marks.push((at, chars));
                let mut next = (at + CHAR_MARK_EVERY).min(text.len());
                while !text.is_char_boundary(next) {
                    next += 1;
                }
                chars += text[at..next].chars().count();
                at = next;
            }
        }
        SourceFile {
            name: name.into(),
            text,
            line_starts,
            char_marks,
        }
    }

    /// 1-based line and column (columns count characters) of a byte offset.
    /// Costs a binary search, not a walk over the line, so traces and
    /// disassembly stay linear on long lines.
    pub fn line_col(&self, offset: u32) -> (usize, usize) {
        let offset = self.floor_char_boundary(offset as usize);
        let line = self.line_index(offset);
        let start = self.line_starts[line];
        let col = self.chars_before(offset) - self.chars_before(start);
        (line + 1, col + 1)
    }

    /// 0-based index of the line holding byte `offset` (clamped to the
    /// text); an offset just after a final newline is on the empty last line.
    pub fn line_index(&self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        self.line_starts.partition_point(|&s| s <= offset) - 1
    }

    /// Byte range of line `line` (0-based), without its newline.
    pub fn line_range(&self, line: usize) -> std::ops::Range<usize> {
        let start = self.line_starts[line.min(self.line_starts.len() - 1)];
        let end = self
            .line_starts
            .get(line + 1)
            .map_or(self.text.len(), |next| next - 1);
        start..end
    }

    /// Number of characters before byte `offset`, a character boundary.
    fn chars_before(&self, offset: usize) -> usize {
        if self.char_marks.is_empty() {
            return offset;
        }
        let i = self.char_marks.partition_point(|&(at, _)| at <= offset) - 1;
        let (at, chars) = self.char_marks[i];
        chars + self.text[at..offset].chars().count()
    }

    /// The largest character boundary at or before `offset`, within the text.
    fn floor_char_boundary(&self, offset: usize) -> usize {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }
}

/// Every source file the runtime has loaded, indexed by [`SourceId`].
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> SourceId {
        self.files.push(SourceFile::new(name, text));
        SourceId(self.files.len() as u32 - 1)
    }

    pub fn get(&self, id: SourceId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn files(&self) -> impl Iterator<Item = (SourceId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (SourceId(i as u32), f))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let f = SourceFile::new("t", "ab\né x\n");
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(3), (2, 1));
        assert_eq!(f.line_col(6), (2, 3));
        // Inside a character: the column of that character.
        assert_eq!(f.line_col(4), (2, 1));
        assert_eq!(f.line_col(99), (3, 1));
    }

    #[test]
    fn line_col_on_long_non_ascii_lines() {
        let text = format!("x\n{}é{}y", "é".repeat(3000), "a".repeat(5000));
        let f = SourceFile::new("t", text.as_str());
        let y = text.find('y').unwrap();
        assert_eq!(f.line_col(y as u32), (2, 3000 + 1 + 5000 + 1));
        for offset in (0..=text.len())
            .filter(|&i| text.is_char_boundary(i))
            .step_by(97)
        {
            let line = text[..offset].matches('\n').count();
            let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
            let col = text[start..offset].chars().count();
            assert_eq!(f.line_col(offset as u32), (line + 1, col + 1), "{offset}");
        }
    }

    #[test]
    fn line_ranges_exclude_the_newline() {
        let f = SourceFile::new("t", "ab\n\ncd");
        assert_eq!(f.line_range(0), 0..2);
        assert_eq!(f.line_range(1), 3..3);
        assert_eq!(f.line_range(2), 4..6);
        assert_eq!(f.line_index(2), 0);
        assert_eq!(f.line_index(3), 1);
        assert_eq!(f.line_index(6), 2);
    }
}
