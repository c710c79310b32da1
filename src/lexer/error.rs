//! Lexical errors and their conversion into [`Diagnostic`]s.
//!
//! Every kind carries what its message needs (the offending character, the
//! literal's text), so a diagnostic can be built without the source text.

use std::fmt;

use crate::diagnostics::{clip, Diagnostic};
use crate::span::{SourceId, Span};

/// A problem found while lexing; lexing goes on after it.
#[derive(Clone, Debug, PartialEq)]
pub struct LexError {
    pub kind: LexErrorKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum LexErrorKind {
    /// A `"` string with no closing quote. The span runs from the opening
    /// quote to the end of its line.
    UnterminatedString,
    /// An `r"` string with no closing quote; same span as above.
    UnterminatedRawString,
    /// A `/*` with no matching `*/`. The span is the outermost `/*`;
    /// `open` counts the comments still open at the end of the file.
    UnterminatedComment { open: u32 },
    /// A `${` whose expression never reaches its closing `}`. The span is
    /// the `${`.
    UnterminatedInterpolation,
    /// A backslash followed by a character that is not an escape. The span
    /// covers the backslash and the character (only the backslash when the
    /// character is a line break, which is then `\n`).
    UnknownEscape(char),
    /// A malformed `\u{...}` escape; the span covers as much of it as was read.
    BadUnicodeEscape(UnicodeEscapeProblem),
    /// A character that starts no token.
    StrayChar(char),
    /// An integer literal outside the range of a 64-bit signed integer.
    IntOutOfRange { literal: String },
    /// A float literal too large to be a finite 64-bit float.
    FloatOutOfRange { literal: String },
    /// `0x` or `0b` with no digits after it.
    MissingDigits { literal: String },
    /// A digit that is not valid in a hex or binary literal.
    InvalidDigit {
        literal: String,
        digit: char,
        radix: u32,
    },
}

/// What is wrong with a `\u{...}` escape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnicodeEscapeProblem {
    /// `\u` not followed by `{`.
    MissingOpenBrace,
    /// The hex digits are not followed by `}`.
    MissingCloseBrace,
    /// `\u{}`.
    NoDigits,
    /// More than six hex digits.
    TooManyDigits,
    /// The value is a surrogate or above `10FFFF`.
    NotAChar(u32),
}

const VALID_ESCAPES: &str =
    "valid escapes are \\n \\t \\r \\0 \\\\ \\\" \\$ and \\u{...} (1 to 6 hex digits)";

/// Shows a character inside backticks: control and invisible characters
/// are escaped so that the message stays on one line and readable.
fn show_char(c: char) -> String {
    let bidi = matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if c.is_control() || c.is_whitespace() || bidi {
        c.escape_default().to_string()
    } else {
        c.to_string()
    }
}

impl LexErrorKind {
    /// Whether the token stream is intact despite the error: the literal's
    /// token is there, only its value is a placeholder. Other errors drop a
    /// character or guess where a string or comment ends, so what the
    /// compiler would then say about the program may be noise.
    pub fn keeps_token(&self) -> bool {
        matches!(
            self,
            LexErrorKind::UnknownEscape(_)
                | LexErrorKind::BadUnicodeEscape(_)
                | LexErrorKind::IntOutOfRange { .. }
                | LexErrorKind::FloatOutOfRange { .. }
                | LexErrorKind::MissingDigits { .. }
                | LexErrorKind::InvalidDigit { .. }
        )
    }
}

impl fmt::Display for LexErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LexErrorKind::UnterminatedString => f.write_str("unterminated string"),
            LexErrorKind::UnterminatedRawString => f.write_str("unterminated raw string"),
            LexErrorKind::UnterminatedComment { .. } => f.write_str("unterminated block comment"),
            LexErrorKind::UnterminatedInterpolation => {
                f.write_str("unterminated `${` interpolation in string")
            }
            LexErrorKind::UnknownEscape('\n') => {
                f.write_str("unknown escape: `\\` at the end of a line in string")
            }
            LexErrorKind::UnknownEscape(c) if c.is_control() || c.is_whitespace() => write!(
                f,
                "unknown escape in string: `\\` followed by `{}`",
                show_char(*c)
            ),
            LexErrorKind::UnknownEscape(c) => {
                write!(f, "unknown escape `\\{c}` in string")
            }
            LexErrorKind::BadUnicodeEscape(problem) => match problem {
                UnicodeEscapeProblem::MissingOpenBrace => {
                    f.write_str("invalid unicode escape: expected `{` after `\\u`")
                }
                UnicodeEscapeProblem::MissingCloseBrace => {
                    f.write_str("invalid unicode escape: expected `}` after the hex digits")
                }
                UnicodeEscapeProblem::NoDigits => {
                    f.write_str("invalid unicode escape: `\\u{}` has no hex digits")
                }
                UnicodeEscapeProblem::TooManyDigits => {
                    f.write_str("invalid unicode escape: more than 6 hex digits")
                }
                UnicodeEscapeProblem::NotAChar(v) => {
                    write!(
                        f,
                        "invalid unicode escape: `{v:X}` is not a unicode character"
                    )
                }
            },
            LexErrorKind::StrayChar(c) => write!(f, "unexpected character `{}`", show_char(*c)),
            LexErrorKind::IntOutOfRange { literal } => {
                write!(
                    f,
                    "integer literal `{}` does not fit in 64 bits",
                    clip(literal)
                )
            }
            LexErrorKind::FloatOutOfRange { literal } => {
                write!(f, "float literal `{}` is too large", clip(literal))
            }
            LexErrorKind::MissingDigits { literal } => {
                write!(f, "number literal `{}` has no digits", clip(literal))
            }
            LexErrorKind::InvalidDigit {
                literal,
                digit,
                radix,
            } => {
                let base = if *radix == 16 {
                    "hexadecimal"
                } else {
                    "binary"
                };
                write!(
                    f,
                    "invalid digit `{}` in {base} literal `{}`",
                    show_char(*digit),
                    clip(literal)
                )
            }
        }
    }
}

impl fmt::Display for LexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.kind.fmt(f)
    }
}

impl std::error::Error for LexError {}

impl LexError {
    pub(super) fn new(kind: LexErrorKind, span: Span) -> LexError {
        LexError { kind, span }
    }

    pub fn to_diagnostic(&self, source: SourceId) -> Diagnostic {
        let d = Diagnostic::error(self.kind.to_string());
        match &self.kind {
            LexErrorKind::UnterminatedString => d
                .with_label(source, self.span, "string starts here")
                .with_hint("add a closing `\"`"),
            LexErrorKind::UnterminatedRawString => d
                .with_label(source, self.span, "raw string starts here")
                .with_hint("add a closing `\"`; a raw string cannot contain `\"`"),
            LexErrorKind::UnterminatedComment { open } => {
                let d = d
                    .with_label(source, self.span, "comment starts here")
                    .with_hint("close it with `*/`");
                if *open > 1 {
                    d.with_note(format!(
                        "block comments nest: each `/*` needs its own `*/`, \
                         and {open} are still open at the end of the file"
                    ))
                } else {
                    d
                }
            }
            LexErrorKind::UnterminatedInterpolation => d
                .with_label(source, self.span, "interpolation starts here")
                .with_hint("close it with `}`"),
            LexErrorKind::UnknownEscape(_) => d
                .with_label(source, self.span, "unknown escape")
                .with_hint(format!(
                    "{VALID_ESCAPES}; for backslashes use `\\\\` or a raw string `r\"...\"`"
                )),
            LexErrorKind::BadUnicodeEscape(_) => {
                d.with_label(source, self.span, "invalid escape").with_hint(
                    "write a unicode escape as `\\u{1F600}`: 1 to 6 hex digits naming a character",
                )
            }
            LexErrorKind::StrayChar(c) => {
                let d = d.with_label(source, self.span, "not valid here");
                match stray_hint(*c) {
                    Some(h) => d.with_hint(h),
                    None => d,
                }
            }
            LexErrorKind::IntOutOfRange { .. } => d
                .with_label(source, self.span, "too large")
                .with_note("integers range from -9223372036854775808 to 9223372036854775807"),
            LexErrorKind::FloatOutOfRange { .. } => d.with_label(source, self.span, "too large"),
            LexErrorKind::MissingDigits { .. } => d.with_label(source, self.span, "no digits"),
            LexErrorKind::InvalidDigit { radix, .. } => {
                let d = d.with_label(source, self.span, "invalid digit");
                if *radix == 16 {
                    d.with_hint("hexadecimal digits are 0-9, a-f and A-F")
                } else {
                    d.with_hint("binary digits are 0 and 1")
                }
            }
        }
    }
}

/// A suggestion for characters people commonly type by mistake.
fn stray_hint(c: char) -> Option<&'static str> {
    Some(match c {
        '&' => "did you mean `&&`?",
        '|' => "did you mean `||`?",
        '#' => "comments start with `//`",
        '\'' => "strings use double quotes: `\"...\"`",
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{2018}' | '\u{2019}' => {
            "this is a typographic quote; strings use the plain `\"`"
        }
        '\\' => "backslash escapes are only valid inside strings",
        '\u{A0}' | '\u{2000}'..='\u{200B}' | '\u{3000}' => {
            "this is a non-ASCII space; replace it with an ordinary space"
        }
        _ => return None,
    })
}
