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
    /// The byte offset just past every multi-byte character, with the total
    /// of extra bytes (beyond one per character) up to there: columns count
    /// characters, and must not cost a scan of a long line each time.
    wide_chars: Vec<(usize, usize)>,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> SourceFile {
        let text = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let mut wide_chars = Vec::new();
        if !text.is_ascii() {
            let mut extra = 0;
            for (i, c) in text.char_indices() {
                if c.len_utf8() > 1 {
                    extra += c.len_utf8() - 1;
                    wide_chars.push((i + c.len_utf8(), extra));
                }
            }
        }
        SourceFile {
            name: name.into(),
            text,
            line_starts,
            wide_chars,
        }
    }

    /// 1-based line of a byte offset.
    pub fn line(&self, offset: u32) -> usize {
        self.line_index(offset) + 1
    }

    fn line_index(&self, offset: u32) -> usize {
        let offset = (offset as usize).min(self.text.len());
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    /// 1-based line and column (columns count characters) of a byte offset.
    pub fn line_col(&self, offset: u32) -> (usize, usize) {
        let line = self.line_index(offset);
        let offset = (offset as usize).min(self.text.len());
        let start = self.line_starts[line];
        let extra_before = |at: usize| {
            let i = self.wide_chars.partition_point(|&(end, _)| end <= at);
            i.checked_sub(1).map_or(0, |i| self.wide_chars[i].1)
        };
        let col = (offset - start) - (extra_before(offset) - extra_before(start));
        (line + 1, col + 1)
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
        let f = SourceFile::new("t", "é€😀x\nü😀y");
        assert_eq!(f.line_col(9), (1, 4));
        assert_eq!(f.line_col(11), (2, 1));
        assert_eq!(f.line_col(17), (2, 3));
        assert_eq!(f.line(17), 2);
    }
}
