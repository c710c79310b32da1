//! Diagnostics: the one shape every compile-time and runtime error takes before
//! it reaches the user, and the only module that talks to ariadne.
//!
//! Each stage keeps its own typed error enum (`LexError`, `ParseError`,
//! `CompileError`, runtime errors) and converts it into a [`Diagnostic`] at the
//! edge; [`render`] turns diagnostics into text, with colour only when asked.

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
}
