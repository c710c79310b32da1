//! A pass over the tokens, before parsing, that pairs up delimiters.
//!
//! The grammar itself only knows that it wanted a `}` and found the end of the
//! file; this pass knows which `{` was left open, so the error can point at
//! it. It also enforces the nesting limit up front, so the parser never
//! recurses through thousands of brackets.

use super::depth::MAX_DEPTH;
use crate::lexer::Token;
use crate::span::Span;

/// The kinds of open delimiter, as errors describe them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Opener {
    Paren,
    Bracket,
    /// A `{` that opens a block (after `)`, a name, `else`, `try`, ...).
    Block,
    /// A `{` in expression position: a map literal.
    Map,
    /// `${` inside a string.
    Interp,
    /// The opening quote of an interpolated string.
    Str,
}

impl Opener {
    fn of(token: &Token, prev: Option<&Token>) -> Option<Opener> {
        Some(match token {
            Token::LParen => Opener::Paren,
            Token::LBracket => Opener::Bracket,
            Token::LBrace if brace_opens_block(prev) => Opener::Block,
            Token::LBrace => Opener::Map,
            Token::InterpOpen => Opener::Interp,
            Token::StrStart => Opener::Str,
            _ => return None,
        })
    }

    pub fn closer(self) -> Token {
        match self {
            Opener::Paren => Token::RParen,
            Opener::Bracket => Token::RBracket,
            Opener::Block | Opener::Map => Token::RBrace,
            Opener::Interp => Token::InterpClose,
            Opener::Str => Token::StrEnd,
        }
    }

    pub fn token(self) -> Token {
        match self {
            Opener::Paren => Token::LParen,
            Opener::Bracket => Token::LBracket,
            Opener::Block | Opener::Map => Token::LBrace,
            Opener::Interp => Token::InterpOpen,
            Opener::Str => Token::StrStart,
        }
    }

    /// "expected `}` to close <noun>".
    pub fn noun(self) -> &'static str {
        match self {
            Opener::Paren => "this parenthesis",
            Opener::Bracket => "this bracket",
            Opener::Block => "this block",
            Opener::Map => "this map",
            Opener::Interp => "this interpolation",
            Opener::Str => "this string",
        }
    }
}

/// A `{` after a token that ends an expression or a statement header opens a
/// block (`if x {`, `fn f() {`, `else {`); anywhere else it starts a map.
pub(crate) fn brace_opens_block(prev: Option<&Token>) -> bool {
    prev.is_none_or(|t| {
        t.ends_operand()
            || matches!(
                t,
                Token::Else | Token::Try | Token::Finally | Token::Catch | Token::Semicolon
            )
    })
}

fn is_closer(token: &Token) -> bool {
    matches!(
        token,
        Token::RParen | Token::RBracket | Token::RBrace | Token::InterpClose | Token::StrEnd
    )
}

/// The delimiter structure of a token stream.
pub(crate) struct Delimiters {
    /// Every opener, and whether a matching closer closed it.
    openers: Vec<(Opener, Span, bool)>,
    /// For each token (by start offset), the innermost opener before it.
    open_before: Vec<(u32, Option<usize>)>,
    /// The openers still open at the end of input, outermost first.
    open_at_end: Vec<usize>,
    /// Openers that were never closed: `(i, opener)` needs its closer just
    /// before token `i` (or at the end when `i` is the token count),
    /// innermost opener first. See [`Delimiters::repaired`].
    missing: Vec<(usize, usize)>,
    /// The first opener that goes past the nesting limit.
    pub too_deep: Option<Span>,
}

impl Delimiters {
    pub fn scan(tokens: &[(Token, Span)]) -> Delimiters {
        let mut openers: Vec<(Opener, Span, bool)> = Vec::new();
        let mut stack: Vec<usize> = Vec::new();
        let mut open_before = Vec::with_capacity(tokens.len());
        let mut too_deep = None;
        let mut prev: Option<&Token> = None;
        let mut missing = Vec::new();
        for (index, (token, span)) in tokens.iter().enumerate() {
            open_before.push((span.start, stack.last().copied()));
            if let Some(opener) = Opener::of(token, prev) {
                stack.push(openers.len());
                openers.push((opener, *span, false));
                if stack.len() > MAX_DEPTH && too_deep.is_none() {
                    too_deep = Some(*span);
                    // Parsing stops here anyway; the rest needs no scan.
                    break;
                }
            } else if !is_closer(token) {
                // Only closers pair with openers (and searching the stack
                // for every other token would be quadratic in the depth).
            } else if let Some(depth) = stack.iter().rposition(|&i| openers[i].0.closer() == *token)
            {
                // A closer pairs with the nearest matching opener; openers
                // above it were left unclosed and are dropped with it.
                openers[stack[depth]].2 = true;
                for &i in stack[depth + 1..].iter().rev() {
                    missing.push((index, i));
                }
                stack.truncate(depth);
            }
            prev = Some(token);
        }
        for &i in stack.iter().rev() {
            missing.push((tokens.len(), i));
        }
        Delimiters {
            openers,
            open_before,
            open_at_end: stack,
            missing,
            too_deep,
        }
    }

    /// The innermost delimiter open just before the token at `offset`, if
    /// nothing ever closes it.
    pub fn unclosed_at(&self, offset: u32) -> Option<(Opener, Span)> {
        let i = self
            .open_before
            .partition_point(|(start, _)| *start < offset);
        let (start, open) = self.open_before.get(i)?;
        let (opener, span, closed) = self.openers[(*open)?];
        (*start == offset && !closed).then_some((opener, span))
    }

    pub fn unclosed_at_end(&self) -> Option<(Opener, Span)> {
        self.open_at_end
            .last()
            .map(|&i| (self.openers[i].0, self.openers[i].1))
    }

    /// Where closers are missing: each token before which openers still
    /// open were never closed (`tokens.len()` for the end of input), with
    /// the innermost such opener.
    pub fn missing_sites(&self) -> Vec<(usize, Opener, Span)> {
        let mut sites: Vec<(usize, Opener, Span)> = Vec::new();
        for &(i, opener) in &self.missing {
            if sites.last().map(|s| s.0) != Some(i) {
                let (kind, span, _) = self.openers[opener];
                sites.push((i, kind, span));
            }
        }
        sites
    }

    /// The token stream with a closer inserted for every opener that was
    /// never closed (an empty token where the closer should have been).
    ///
    /// The grammar then never meets an unclosed bracket. Recovering from one
    /// inside the grammar means re-parsing the statements of the block at
    /// every enclosing level: time exponential in the nesting.
    pub fn repaired<S>(
        &self,
        tokens: Vec<(Token, S)>,
        empty_at: impl Fn(Option<&S>) -> S,
    ) -> Vec<(Token, S)> {
        if self.missing.is_empty() {
            return tokens;
        }
        let mut out = Vec::with_capacity(tokens.len() + self.missing.len());
        let mut missing = self.missing.iter().peekable();
        let n = tokens.len();
        let mut tokens = tokens.into_iter();
        for index in 0..=n {
            let next = tokens.next();
            while let Some(&(_, opener)) = missing.next_if(|(i, _)| *i == index) {
                let closer = self.openers[opener].0.closer();
                out.push((closer, empty_at(next.as_ref().map(|(_, s)| s))));
            }
            out.extend(next);
        }
        out
    }
}

/// Where lines start and which tokens begin one. Newlines mean nothing to
/// the grammar, but after an error they are the best guess at where the
/// broken statement ends: recovery stops at a token that begins a line no
/// more indented than the statement it is skipping.
///
/// It also counts the errors recovery has skipped over, for all the
/// grammar's recovering rules at once (see [`MAX_RECOVERIES`]).
#[derive(Default)]
pub(crate) struct Layout {
    line_starts: Vec<u32>,
    /// Start offsets of the tokens that are first on their line, ascending.
    first_on_line: Vec<u32>,
    pub recoveries: std::cell::Cell<usize>,
}

/// After this many errors, recovery skips the rest of the input: only the
/// first few dozen errors are ever shown, and each error costs the grammar
/// memory for what it expected (a megabyte of broken lines would otherwise
/// take half a gigabyte).
pub(crate) const MAX_RECOVERIES: usize = 500;

impl Layout {
    pub fn new(src: &str, tokens: &[(Token, Span)]) -> Layout {
        let mut line_starts = vec![0];
        line_starts.extend(
            src.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i as u32 + 1),
        );
        let mut first_on_line = Vec::new();
        let mut prev_end = 0usize;
        for (i, (_, span)) in tokens.iter().enumerate() {
            let gap = src.get(prev_end..span.start as usize).unwrap_or("");
            if i == 0 || gap.contains('\n') {
                first_on_line.push(span.start);
            }
            prev_end = (span.end as usize).max(prev_end);
        }
        Layout {
            line_starts,
            first_on_line,
            recoveries: Default::default(),
        }
    }

    /// Byte column of `offset` on its line.
    pub fn column(&self, offset: u32) -> u32 {
        let line = self.line_starts.partition_point(|s| *s <= offset);
        let start = line
            .checked_sub(1)
            .and_then(|l| self.line_starts.get(l))
            .copied()
            .unwrap_or(0);
        offset.saturating_sub(start)
    }

    /// The indentation of the line holding `offset`: the column of the first
    /// token on it.
    pub fn indent(&self, offset: u32) -> u32 {
        let i = self.first_on_line.partition_point(|s| *s <= offset);
        match i.checked_sub(1).and_then(|i| self.first_on_line.get(i)) {
            Some(&first) => self.column(first),
            None => self.column(offset),
        }
    }

    pub fn starts_line(&self, offset: u32) -> bool {
        self.first_on_line.binary_search(&offset).is_ok()
    }
}
