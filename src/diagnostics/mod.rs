//! Diagnostics: the one shape every compile-time and runtime error takes before
//! it reaches the user, and the only module that talks to ariadne.
//!
//! Each stage keeps its own typed error enum (`LexError`, `ParseError`,
//! `CompileError`, runtime errors) and converts it into a [`Diagnostic`] at the
//! edge; [`render`] turns diagnostics into text, with colour only when asked.
//!
//! A build may find any number of errors (a file of 20,000 stray characters
//! has 20,000), so a build's errors are gathered in a [`Diagnostics`] list
//! that keeps only the first [`MAX_REPORTED`] in report order and counts the
//! rest: memory and rendering time stay bounded, and the report ends with
//! "and N more errors".

mod render;

pub use render::{render, render_all};

use crate::span::{SourceId, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// A span of source with a short message printed under it.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub source: SourceId,
    pub span: Span,
    pub message: String,
}

/// One error or warning, as plain data.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// The headline: `expected expression, found `)``, `TypeError: cannot add string and int`.
    pub message: String,
    /// The first label is the primary one; the report is placed at its span.
    pub labels: Vec<Label>,
    /// Extra lines of explanation, printed after the source excerpt.
    pub notes: Vec<String>,
    /// A suggestion (`did you mean `count`?`).
    pub hint: Option<String>,
    /// Stack-trace lines (`at fib (fib.weft:3:12)`), innermost first,
    /// printed after the report.
    pub trace: Vec<String>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            labels: Vec::new(),
            notes: Vec::new(),
            hint: None,
            trace: Vec::new(),
        }
    }

    pub fn with_label(mut self, source: SourceId, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            source,
            span,
            message: message.into(),
        });
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn with_trace(mut self, trace: Vec<String>) -> Self {
        self.trace = trace;
        self
    }

    /// Where the report goes in a sorted list: by file (in the order the
    /// files were loaded), then by position; a diagnostic without a label
    /// comes first.
    fn order_key(&self) -> Option<(SourceId, u32, u32)> {
        self.labels
            .first()
            .map(|l| (l.source, l.span.start, l.span.end))
    }
}

/// Source text quoted in a message (a name, a literal) is cut to this many
/// characters: a file may hold a million-character name.
pub const MAX_QUOTED_CHARS: usize = 40;

/// Paths quoted in a message are cut to this many characters.
pub const MAX_QUOTED_PATH_CHARS: usize = 200;

/// `text` as quoted in a message: itself, or its first
/// [`MAX_QUOTED_CHARS`] characters followed by `…`.
pub fn clip(text: &str) -> std::borrow::Cow<'_, str> {
    clip_to(text, MAX_QUOTED_CHARS)
}

/// `text`, or its first `max` characters followed by `…`.
pub fn clip_to(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => text.into(),
        Some((cut, _)) => format!("{}…", &text[..cut]).into(),
    }
}

/// How many errors one build reports; the others are only counted.
pub const MAX_REPORTED: usize = 50;

/// The errors of one build, sorted by file and position, of which only the
/// first [`MAX_REPORTED`] are kept (the others are counted). Memory stays
/// proportional to the limit however many are pushed.
#[derive(Clone, Debug, Default)]
pub struct Diagnostics {
    kept: Vec<Diagnostic>,
    /// Pushed but dropped: sorted after the ones kept.
    omitted: usize,
}

impl Diagnostics {
    pub fn new() -> Diagnostics {
        Diagnostics::default()
    }

    /// Whether nothing was reported at all.
    pub fn is_empty(&self) -> bool {
        self.kept.is_empty() && self.omitted == 0
    }

    /// Every diagnostic pushed, the omitted ones included.
    pub fn total(&self) -> usize {
        self.kept.len() + self.omitted
    }

    pub fn push(&mut self, diag: Diagnostic) {
        self.kept.push(diag);
        // Sorting and cutting only once twice the limit has piled up keeps
        // pushing n diagnostics at O(n log MAX_REPORTED).
        if self.kept.len() >= 2 * MAX_REPORTED {
            self.trim();
        }
    }

    /// Adds diagnostics that are already in position order and all in one
    /// file (a lexer's or parser's errors): only the first [`MAX_REPORTED`]
    /// can be shown, so the others are counted without being converted.
    pub fn extend_sorted<T>(&mut self, items: &[T], convert: impl Fn(&T) -> Diagnostic) {
        let shown = items.len().min(MAX_REPORTED);
        for item in &items[..shown] {
            self.push(convert(item));
        }
        self.omitted += items.len() - shown;
    }

    /// Moves every diagnostic of `other` into this list.
    pub fn append(&mut self, other: Diagnostics) {
        self.omitted += other.omitted;
        for diag in other.kept {
            self.push(diag);
        }
    }

    /// The diagnostics to show, sorted, and how many more there were.
    pub fn into_sorted(mut self) -> (Vec<Diagnostic>, usize) {
        self.trim();
        (self.kept, self.omitted)
    }

    fn trim(&mut self) {
        // Stable: diagnostics at the same place keep the order they came in.
        self.kept.sort_by_key(Diagnostic::order_key);
        if self.kept.len() > MAX_REPORTED {
            self.omitted += self.kept.len() - MAX_REPORTED;
            self.kept.truncate(MAX_REPORTED);
        }
    }
}

impl From<Vec<Diagnostic>> for Diagnostics {
    fn from(diags: Vec<Diagnostic>) -> Diagnostics {
        let mut list = Diagnostics::new();
        for d in diags {
            list.push(d);
        }
        list
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::Span;

    fn at(source: u32, start: usize) -> Diagnostic {
        Diagnostic::error(format!("{source}:{start}")).with_label(
            SourceId(source),
            Span::new(start, start + 1),
            "",
        )
    }

    #[test]
    fn clip_cuts_long_text_on_a_character_boundary() {
        assert_eq!(clip("count"), "count");
        let long = "é".repeat(MAX_QUOTED_CHARS + 1);
        assert_eq!(clip(&long), format!("{}…", "é".repeat(MAX_QUOTED_CHARS)));
        assert_eq!(clip(&long[2..]), long[2..]);
    }

    #[test]
    fn keeps_the_first_errors_by_file_then_position() {
        let mut list = Diagnostics::new();
        for i in (0..1000).rev() {
            list.push(at(1 + (i % 2) as u32, i));
        }
        assert_eq!(list.total(), 1000);
        let (kept, omitted) = list.into_sorted();
        assert_eq!(kept.len(), MAX_REPORTED);
        assert_eq!(omitted, 1000 - MAX_REPORTED);
        let names: Vec<String> = kept.iter().map(|d| d.message.clone()).collect();
        let expected: Vec<String> = (0..MAX_REPORTED).map(|i| format!("1:{}", 2 * i)).collect();
        assert_eq!(names, expected);
    }

    #[test]
    fn sorted_input_is_converted_only_up_to_the_limit() {
        let items: Vec<usize> = (0..10_000).collect();
        let converted = std::cell::Cell::new(0);
        let mut list = Diagnostics::new();
        list.extend_sorted(&items, |&i| {
            converted.set(converted.get() + 1);
            at(1, i)
        });
        assert_eq!(converted.get(), MAX_REPORTED);
        assert_eq!(list.total(), 10_000);
        let mut other = Diagnostics::new();
        other.push(at(0, 5));
        list.append(other);
        let (kept, omitted) = list.into_sorted();
        assert_eq!(kept[0].message, "0:5");
        assert_eq!(omitted, 10_000 + 1 - MAX_REPORTED);
    }
}
