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
//!
//! Blame: strings may span lines, so a missing closing quote only shows at
//! the end of the file, where the last quote is left open; every string in
//! between has swallowed a line break and the code up to the next quote.
//! When the strings just before the open one all span lines, [`lex`] tries
//! cutting each of them (earliest first) at its first line instead; the
//! first cut after which the rest of the file lexes cleanly, with no string
//! spanning lines, is taken to be the string that lost its quote, and the
//! report points at its opening quote.

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
    let lexer = Lexer::run_on(src, None);
    if let Some(open) = lexer.open_at_eof {
        // The strings just before the open one, as long as each spans lines.
        let chain = lexer.strings[..open]
            .iter()
            .rposition(|s| !s.spans_lines)
            .map_or(0, |i| i + 1);
        for culprit in (chain..open).take(MAX_BLAME_TRIES) {
            let quote = lexer.strings[culprit].quote;
            let retry = Lexer::run_on(src, Some(quote));
            let clean_after = retry.errors.iter().all(|e| {
                (e.span.start as usize) < quote
                    || (e.span.start as usize == quote
                        && e.kind == LexErrorKind::UnterminatedString)
            });
            let no_more_lines = retry.strings[culprit + 1..].iter().all(|s| !s.spans_lines);
            if clean_after && no_more_lines {
                return (retry.tokens, retry.errors);
            }
        }
    }
    (lexer.tokens, lexer.errors)
}

/// How many strings [`lex`] tries cutting short when looking for the one
/// that lost its closing quote; each try lexes the file again.
const MAX_BLAME_TRIES: usize = 8;

/// A string literal met while lexing (see "Blame" above).
struct StrRecord {
    /// Offset of its opening quote.
    quote: usize,
    /// Whether its text holds a line break.
    spans_lines: bool,
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
    /// The string's index in `Lexer::strings`.
    record: usize,
}

struct Lexer<'s> {
    src: &'s str,
    tokens: Vec<(Token, Span)>,
    errors: Vec<LexError>,
    interps: Vec<Interp>,
    /// Set once a string ran to the end of input (see `string_body`).
    string_hit_eof: bool,
    /// Every string literal, in the order they open.
    strings: Vec<StrRecord>,
    /// The first string left open at the end of input, by index in `strings`.
    open_at_eof: Option<usize>,
    /// The opening quote of a string to end at its first line break, as if
    /// its closing quote were missing (see "Blame" above).
    force_cut: Option<usize>,
}

impl<'s> Lexer<'s> {
    fn run_on(src: &'s str, force_cut: Option<usize>) -> Lexer<'s> {
        let mut lexer = Lexer {
            src,
            tokens: Vec::with_capacity(src.len() / 4),
            errors: Vec::new(),
            interps: Vec::new(),
            string_hit_eof: false,
            strings: Vec::new(),
            open_at_eof: None,
            force_cut,
        };
        lexer.run();
        lexer
    }

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
            Raw::Decimal | Raw::Hex | Raw::Binary => {
                let radix = match kind {
                    Raw::Hex => 16,
                    Raw::Binary => 2,
                    _ => 10,
                };
                if let Some(minus) = self.negated_min(text, radix) {
                    self.tokens.pop();
                    self.push(Token::Int(i64::MIN), minus, end);
                    return None;
                }
                self.integer(text, radix, start, end)
            }
            Raw::Float => self.float(text, start, end),
            Raw::Quote => return Some(self.string_body(end, start, None)),
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
                    let (quote, record) = (interp.quote, interp.record);
                    self.interps.pop();
                    self.push(Token::InterpClose, start, end);
                    return Some(self.string_body(end, quote, Some(record)));
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

    /// The smallest int, `-9223372036854775808`, is a literal although its
    /// digits alone do not fit: when the digits are 2^63 and follow a unary
    /// `-` (one that does not follow an operand), returns where that `-`
    /// starts, so the two become one `Int(i64::MIN)` token.
    fn negated_min(&self, text: &str, radix: u32) -> Option<usize> {
        let body = if radix == 10 { text } else { text.get(2..)? };
        let magnitude = u64::from_str_radix(&without_separators(body), radix).ok()?;
        if magnitude != 1 << 63 {
            return None;
        }
        let n = self.tokens.len();
        let (Token::Minus, minus) = self.tokens.get(n.checked_sub(1)?)? else {
            return None;
        };
        let after_operand = n >= 2 && self.tokens[n - 2].0.ends_operand();
        (!after_operand).then_some(minus.start as usize)
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
