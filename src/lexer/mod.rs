//! Lexer: source text to tokens with byte spans.
//!
//! Input is one source file as `&str`; output is every token with its span
//! plus every lexical error found. Lexing never stops at an error: a bad
//! character or literal is reported and scanning resumes right after it, so
//! one run reports every lexical problem in the file.
//!
//! Ordinary tokens come from a logos scanner (`raw.rs`). Strings and block
//! comments are scanned by hand because they need state: block comments nest,
//! and a string may contain `${ ... }` interpolations whose expressions are
//! lexed as ordinary code, including braces and further strings. A stack of
//! open interpolations, each with its own brace depth, tells which `}` closes
//! an interpolation and which merely closes a map or a block inside it.
//!
//! Invariant: every token's span covers exactly its own text, and tokens come
//! out in source order.
//!
//! Recovery: a literal with an error still yields a token (`Int(0)` for an
//! integer out of range, the text read so far for an unterminated string), so
//! the parser sees a well-formed stream. An unterminated string keeps only the
//! rest of its first line; what follows is lexed as code again.

mod error;
mod raw;
mod string;
mod token;

#[cfg(test)]
mod tests;

pub use error::{LexError, LexErrorKind, UnicodeEscapeProblem};
pub use token::Token;

use std::borrow::Cow;

use logos::Logos;

use crate::span::Span;
use raw::Raw;

/// Splits `src` into tokens. Errors are collected, never fatal: the tokens
/// around a bad character are still produced so the parser can report more.
pub fn lex(src: &str) -> (Vec<(Token, Span)>, Vec<LexError>) {
    let mut lexer = Lexer {
        src,
        tokens: Vec::with_capacity(src.len() / 4),
        errors: Vec::new(),
        interps: Vec::new(),
        string_hit_eof: false,
    };
    lexer.run();
    (lexer.tokens, lexer.errors)
}

/// An interpolation whose closing `}` has not been seen yet.
struct Interp {
    /// `{` opened inside the interpolation and not yet closed; the `}` that
    /// closes the interpolation is the first one seen at depth 0.
    depth: u32,
    /// Span of the `${`.
    open: Span,
    /// Offset of the string's opening quote.
    quote: usize,
}

struct Lexer<'s> {
    src: &'s str,
    tokens: Vec<(Token, Span)>,
    errors: Vec<LexError>,
    interps: Vec<Interp>,
    /// Set once a string ran to the end of input (see `string_body`).
    string_hit_eof: bool,
}

impl<'s> Lexer<'s> {
    fn push(&mut self, token: Token, start: usize, end: usize) {
        self.tokens.push((token, Span::new(start, end)));
    }

    fn error(&mut self, kind: LexErrorKind, start: usize, end: usize) {
        self.errors.push(LexError::new(kind, Span::new(start, end)));
    }

    fn run(&mut self) {
        let mut raw = Raw::lexer(self.src);
        // A byte-order mark some editors write is not part of the program.
        let mut skip = 0;
        if self.src.starts_with('\u{FEFF}') {
            skip = '\u{FEFF}'.len_utf8();
        }
        // So is a `#!` line that makes the script executable on Unix.
        if self.src[skip..].starts_with("#!") {
            skip += self.src[skip..].find('\n').unwrap_or(self.src.len() - skip);
        }
        if skip > 0 {
            raw.bump(skip);
        }
        while let Some(result) = raw.next() {
            let span = raw.span();
            let resume = match result {
                Ok(kind) => self.token(kind, raw.slice(), span.start, span.end),
                Err(()) => {
                    self.stray(span.start);
                    None
                }
            };
            // Hand scanning consumed text logos has not seen: move logos past it.
            if let Some(pos) = resume {
                raw.bump(pos - span.end);
            }
        }
        for interp in std::mem::take(&mut self.interps) {
            self.errors.push(LexError::new(
                LexErrorKind::UnterminatedInterpolation,
                interp.open,
            ));
        }
        // Unclosed interpolations are only known at the end; report every
        // error in source order all the same.
        self.errors.sort_by_key(|e| e.span.start);
    }

    /// Handles one logos token. Returns the offset where scanning resumes
    /// when the token opened something scanned by hand (a string or comment).
    fn token(&mut self, kind: Raw, text: &str, start: usize, end: usize) -> Option<usize> {
        let token = match kind {
            Raw::Word => Token::keyword(text).unwrap_or_else(|| Token::Ident(text.to_string())),
            Raw::Decimal => self.integer(text, 10, start, end),
            Raw::Hex => self.integer(text, 16, start, end),
            Raw::Binary => self.integer(text, 2, start, end),
            Raw::Float => self.float(text, start, end),
            Raw::Quote => return Some(self.string_body(end, start, false)),
            Raw::RQuote => return Some(self.raw_string(start)),
            Raw::CommentOpen => return Some(self.block_comment(start)),
            Raw::LBrace => {
                if let Some(interp) = self.interps.last_mut() {
                    interp.depth += 1;
                }
                Token::LBrace
            }
            Raw::RBrace => match self.interps.last_mut() {
                Some(interp) if interp.depth == 0 => {
                    let quote = interp.quote;
                    self.interps.pop();
                    self.push(Token::InterpClose, start, end);
                    return Some(self.string_body(end, quote, true));
                }
                Some(interp) => {
                    interp.depth -= 1;
                    Token::RBrace
                }
                None => Token::RBrace,
            },
            // Every kind without a fixed token is matched above.
            other => other.punct()?,
        };
        self.push(token, start, end);
        None
    }

    /// Reports the character at `start`, which begins no token. (Logos
    /// reports one character per error, so a run of them gives one error each.)
    fn stray(&mut self, start: usize) {
        let c = self.src[start..].chars().next().unwrap_or('\u{FFFD}');
        self.error(LexErrorKind::StrayChar(c), start, start + c.len_utf8());
    }

    /// Decodes an integer literal; on error a placeholder `Int(0)` keeps the
    /// token stream well formed for the parser.
    fn integer(&mut self, text: &str, radix: u32, start: usize, end: usize) -> Token {
        let body = if radix == 10 { text } else { &text[2..] };
        let digits = without_separators(body);
        if digits.is_empty() {
            let literal = text.to_string();
            self.error(LexErrorKind::MissingDigits { literal }, start, end);
            return Token::Int(0);
        }
        if let Some(digit) = digits.chars().find(|c| !c.is_digit(radix)) {
            let literal = text.to_string();
            let kind = LexErrorKind::InvalidDigit {
                literal,
                digit,
                radix,
            };
            self.error(kind, start, end);
            return Token::Int(0);
        }
        match i64::from_str_radix(&digits, radix) {
            Ok(n) => Token::Int(n),
            Err(_) => {
                let literal = text.to_string();
                self.error(LexErrorKind::IntOutOfRange { literal }, start, end);
                Token::Int(0)
            }
        }
    }

    fn float(&mut self, text: &str, start: usize, end: usize) -> Token {
        let digits = without_separators(text);
        match digits.parse::<f64>() {
            Ok(x) if x.is_finite() => Token::Float(x),
            _ => {
                let literal = text.to_string();
                self.error(LexErrorKind::FloatOutOfRange { literal }, start, end);
                Token::Float(0.0)
            }
        }
    }

    /// Skips a block comment opened at `start`, counting nested `/*`.
    /// Returns the offset after its final `*/`, or the end of input.
    fn block_comment(&mut self, start: usize) -> usize {
        let bytes = self.src.as_bytes();
        let mut depth: u32 = 1;
        let mut i = start + 2;
        while i + 1 < bytes.len() {
            match (bytes[i], bytes[i + 1]) {
                (b'/', b'*') => {
                    depth += 1;
                    i += 2;
                }
                (b'*', b'/') => {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        return i;
                    }
                }
                _ => i += 1,
            }
        }
        self.error(
            LexErrorKind::UnterminatedComment { open: depth },
            start,
            start + 2,
        );
        bytes.len()
    }

    /// End of the line containing `pos` (the offset of its `\n`, or the end
    /// of input).
    fn line_end(&self, pos: usize) -> usize {
        self.src[pos..]
            .find('\n')
            .map_or(self.src.len(), |i| pos + i)
    }
}

/// The digits of a number literal without its `_` separators, copying only
/// when there are separators to drop.
fn without_separators(text: &str) -> Cow<'_, str> {
    if text.contains('_') {
        Cow::Owned(text.chars().filter(|&c| c != '_').collect())
    } else {
        Cow::Borrowed(text)
    }
}
