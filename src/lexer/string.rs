//! Hand scanning of string bodies: escapes, interpolation and raw strings.
//!
//! A string is scanned from just after its opening quote (or after the `}`
//! that closed an interpolation) up to its closing quote or the next `${`.
//! At `${` the scanner hands control back to the code lexer with a new entry
//! on the interpolation stack; the matching `}` brings it back here. So the
//! scan of one string may be split into several calls, one per text piece.
//!
//! Only ASCII bytes (`"`, `\`, `$`, newline) are significant, and those never
//! occur inside a multi-byte UTF-8 sequence, so scanning bytes and slicing at
//! the positions found is always on character boundaries.

use super::error::{LexErrorKind, UnicodeEscapeProblem};
use super::{Interp, Lexer, StrRecord, Token};
use crate::span::Span;

/// The state to roll back to when a string turns out to be unterminated:
/// everything after the first newline of the current piece is re-lexed as
/// code, which usually is what the author meant (the quote that is missing
/// belongs on that line).
struct LineCut {
    pos: usize,
    text_len: usize,
    errors_len: usize,
}

impl<'s> Lexer<'s> {
    /// Scans string text starting at `from`. `quote` is the offset of the
    /// string's opening `"`; `resumed` is the string's index in `strings`
    /// when a `StrStart` was already emitted for it (this piece follows an
    /// interpolation). Returns the offset where code lexing resumes.
    pub(super) fn string_body(
        &mut self,
        from: usize,
        quote: usize,
        resumed: Option<usize>,
    ) -> usize {
        let continued = resumed.is_some();
        let record = resumed.unwrap_or_else(|| {
            self.strings.push(StrRecord {
                quote,
                spans_lines: false,
            });
            self.strings.len() - 1
        });
        let src = self.src;
        let bytes = src.as_bytes();
        let mut text = String::new();
        // Start of the plain run not yet copied into `text`.
        let mut run = from;
        let mut i = from;
        let mut cut: Option<LineCut> = None;

        while i < bytes.len() {
            match bytes[i] {
                b'"' => {
                    text.push_str(&src[run..i]);
                    if continued {
                        self.text_piece(text, from, i);
                        self.push(Token::StrEnd, i, i + 1);
                    } else {
                        self.push(Token::Str(text), quote, i + 1);
                    }
                    return i + 1;
                }
                b'$' if bytes.get(i + 1) == Some(&b'{') => {
                    text.push_str(&src[run..i]);
                    if !continued {
                        self.push(Token::StrStart, quote, quote + 1);
                    }
                    self.text_piece(text, from, i);
                    self.push(Token::InterpOpen, i, i + 2);
                    self.interps.push(Interp {
                        depth: 0,
                        open: Span::new(i, i + 2),
                        quote,
                        record,
                    });
                    return i + 2;
                }
                b'\\' => {
                    text.push_str(&src[run..i]);
                    i = self.escape(i, &mut text);
                    run = i;
                }
                b'\n' => {
                    self.strings[record].spans_lines = true;
                    if self.force_cut == Some(quote) {
                        // Taken to be the string that lost its closing quote.
                        text.push_str(&src[run..i]);
                        self.strings[record].spans_lines = false;
                        self.unterminated(text, from, quote, continued, i);
                        return i;
                    }
                    if cut.is_none() {
                        cut = Some(LineCut {
                            pos: i,
                            text_len: text.len() + (i - run),
                            errors_len: self.errors.len(),
                        });
                    }
                    i += 1;
                }
                _ => i += 1,
            }
        }

        // No closing quote: keep the text up to the end of the first line and
        // lex the rest as code.
        text.push_str(&src[run..]);
        // Only the first unterminated string is cut at its line: every later
        // one would rescan to the end of input again, which turns a file of
        // stray quotes quadratic.
        let cut = if self.string_hit_eof { None } else { cut };
        if !self.string_hit_eof {
            self.open_at_eof = Some(record);
        }
        self.string_hit_eof = true;
        let end = match cut {
            Some(cut) => {
                text.truncate(cut.text_len);
                self.errors.truncate(cut.errors_len);
                cut.pos
            }
            None => bytes.len(),
        };
        self.unterminated(text, from, quote, continued, end);
        end
    }

    /// Reports the string opened at `quote` as unterminated and ends it at
    /// `end`, with `text` as its last piece (which started at `from`).
    fn unterminated(
        &mut self,
        text: String,
        from: usize,
        quote: usize,
        continued: bool,
        end: usize,
    ) {
        let quote_line_end = self.line_end(quote);
        self.error(LexErrorKind::UnterminatedString, quote, quote_line_end);
        if continued {
            self.text_piece(text, from, end);
            // Closes the string for the parser, which would otherwise
            // report the missing end as a second error.
            self.push(Token::StrEnd, end, end);
        } else {
            self.push(Token::Str(text), quote, end);
        }
    }

    /// Emits a `StrText` unless the piece is empty.
    fn text_piece(&mut self, text: String, start: usize, end: usize) {
        if !text.is_empty() {
            self.push(Token::StrText(text), start, end);
        }
    }

    /// Decodes the escape whose backslash is at `at`, appending its character
    /// to `text`. Returns the offset just after the escape. A bad escape is
    /// reported and dropped.
    fn escape(&mut self, at: usize, text: &mut String) -> usize {
        let Some(c) = self.src[at + 1..].chars().next() else {
            // A backslash at the very end: the string is unterminated, which
            // the caller reports.
            return at + 1;
        };
        let decoded = match c {
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            '0' => '\0',
            '\\' => '\\',
            '"' => '"',
            '$' => '$',
            'u' => return self.unicode_escape(at, text),
            '\n' | '\r' => {
                // Leave the line break in the string so that the line
                // structure (and the recovery for an unterminated string) is
                // unchanged.
                self.error(LexErrorKind::UnknownEscape('\n'), at, at + 1);
                return at + 1;
            }
            other => {
                let end = at + 1 + other.len_utf8();
                self.error(LexErrorKind::UnknownEscape(other), at, end);
                return end;
            }
        };
        text.push(decoded);
        at + 2
    }

    /// Decodes `\u{XXXX}` starting at the backslash at `at`.
    fn unicode_escape(&mut self, at: usize, text: &mut String) -> usize {
        let bytes = self.src.as_bytes();
        let open = at + 2;
        if bytes.get(open) != Some(&b'{') {
            let problem = UnicodeEscapeProblem::MissingOpenBrace;
            self.error(LexErrorKind::BadUnicodeEscape(problem), at, open);
            return open;
        }
        let digits_start = open + 1;
        let digits_end = digits_start
            + bytes[digits_start..]
                .iter()
                .take_while(|b| b.is_ascii_hexdigit())
                .count();
        if bytes.get(digits_end) != Some(&b'}') {
            let problem = UnicodeEscapeProblem::MissingCloseBrace;
            self.error(LexErrorKind::BadUnicodeEscape(problem), at, digits_end);
            return digits_end;
        }
        let end = digits_end + 1;
        let digits = &self.src[digits_start..digits_end];
        let problem = if digits.is_empty() {
            UnicodeEscapeProblem::NoDigits
        } else if digits.len() > 6 {
            UnicodeEscapeProblem::TooManyDigits
        } else {
            // At most six hex digits always fit in a u32.
            let value = u32::from_str_radix(digits, 16).unwrap_or(u32::MAX);
            match char::from_u32(value) {
                Some(c) => {
                    text.push(c);
                    return end;
                }
                None => UnicodeEscapeProblem::NotAChar(value),
            }
        };
        self.error(LexErrorKind::BadUnicodeEscape(problem), at, end);
        end
    }

    /// Scans a raw string whose `r"` starts at `start`: everything up to the
    /// next `"` is taken as is. Returns the offset after it.
    pub(super) fn raw_string(&mut self, start: usize) -> usize {
        let body = start + 2;
        match self.src[body..].find('"') {
            Some(len) => {
                let close = body + len;
                let text = self.src[body..close].to_string();
                self.push(Token::Str(text), start, close + 1);
                close + 1
            }
            None => {
                let end = self.line_end(start);
                let text = self.src[body..end].to_string();
                self.error(LexErrorKind::UnterminatedRawString, start, end);
                self.push(Token::Str(text), start, end);
                end
            }
        }
    }
}
