//! Syntax errors: the chumsky-facing error type the grammar produces while it
//! runs, and the public [`ParseError`] it becomes afterwards.
//!
//! While parsing, chumsky merges what every alternative expected at the
//! furthest position reached into one [`SyntaxError`]. Afterwards [`finish`]
//! turns each into a [`ParseError`], attaching the unclosed delimiter the error
//! is about (from [`Delimiters`]), and [`ParseError::to_diagnostic`] words it:
//! long lists of operator tokens are folded away so the message names what
//! matters ("expected `,` or `)`, found name `y`").

use super::delims::{Delimiters, Opener};
use crate::diagnostics::Diagnostic;
use crate::lexer::Token;
use crate::span::{SourceId, Span};
use chumsky::error::LabelError;
use chumsky::input::Input;
use chumsky::span::SimpleSpan;
use chumsky::util::MaybeRef;
use chumsky::DefaultExpected;
use std::fmt;

/// One thing the parser would have accepted where an error occurred.
#[derive(Clone, Debug, PartialEq)]
pub enum Expected {
    /// A specific token.
    Token(Token),
    Expression,
    Statement,
    /// An identifier.
    Name,
    /// The left-hand side of `let`: a name or `[a, b, ...rest]`.
    Pattern,
    /// A function parameter: a name or `...rest`.
    Param,
    /// A map entry (`key: value`).
    MapEntry,
    /// A method declaration inside a class body.
    Method,
    /// What follows `import`: a module name or a path string.
    ImportSource,
    /// The superclass after `<`: a name or dotted path.
    Superclass,
    EndOfInput,
    /// Any token at all (only at end of input).
    AnyToken,
}

impl Expected {
    /// Tokens that could continue an expression or statement that was already
    /// complete. Nearly every error position lists them all, so messages leave
    /// them out whenever something more specific was expected too.
    fn is_continuation(&self) -> bool {
        matches!(
            self,
            Expected::Token(
                Token::Plus
                    | Token::Minus
                    | Token::Star
                    | Token::Slash
                    | Token::Percent
                    | Token::EqEq
                    | Token::NotEq
                    | Token::Lt
                    | Token::LtEq
                    | Token::Gt
                    | Token::GtEq
                    | Token::AndAnd
                    | Token::OrOr
                    | Token::Is
                    | Token::DotDot
                    | Token::DotDotEq
                    | Token::Dot
                    | Token::LParen
                    | Token::LBracket
                    | Token::Eq
                    | Token::PlusEq
                    | Token::MinusEq
                    | Token::StarEq
                    | Token::SlashEq
                    | Token::PercentEq
                    | Token::Semicolon
            )
        )
    }

    /// Order in messages: descriptions first, then tokens, end of input last.
    fn rank(&self) -> u8 {
        match self {
            Expected::Statement => 0,
            Expected::Expression => 1,
            Expected::Pattern => 2,
            Expected::Name => 3,
            Expected::Param => 4,
            Expected::MapEntry => 5,
            Expected::Method => 6,
            Expected::ImportSource => 7,
            Expected::Superclass => 8,
            Expected::Token(_) => 9,
            Expected::AnyToken => 10,
            Expected::EndOfInput => 11,
        }
    }
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expected::Token(t) => write!(f, "{t}"),
            Expected::Expression => f.write_str("expression"),
            Expected::Statement => f.write_str("statement"),
            Expected::Name => f.write_str("name"),
            Expected::Pattern => f.write_str("name or list pattern"),
            Expected::Param => f.write_str("parameter"),
            Expected::MapEntry => f.write_str("map entry"),
            Expected::Method => f.write_str("method"),
            Expected::ImportSource => f.write_str("module name or path"),
            Expected::Superclass => f.write_str("class name"),
            Expected::EndOfInput => f.write_str("end of input"),
            Expected::AnyToken => f.write_str("more input"),
        }
    }
}

/// What went wrong, beyond the place it went wrong.
#[derive(Clone, Debug, PartialEq)]
pub enum ParseErrorKind {
    /// The grammar allowed none of the tokens it met. `found` is `None` at
    /// the end of input.
    Unexpected {
        expected: Vec<Expected>,
        found: Option<Token>,
    },
    /// The left side of `=` or `op=` is not a name, index or field.
    InvalidAssignTarget,
    /// `try { }` with neither `catch` nor `finally`.
    TryWithoutHandler,
    /// `a .. b .. c`: range operators do not associate.
    ChainedRange,
    /// `let [a, b]` without `= value`.
    PatternWithoutValue,
    /// `...rest` that is not the last parameter or pattern element.
    RestNotLast,
    /// Brackets or operators nested past the parser's depth limit.
    NestingTooDeep,
}

/// A syntax error, with what was expected and what was found.
#[derive(Clone, Debug, PartialEq)]
pub struct ParseError {
    pub kind: ParseErrorKind,
    pub span: Span,
    /// The open delimiter this error is about, when it has one: a `{`, `(`
    /// or `[` that is never closed, or not closed where the error is.
    pub unclosed: Option<(Opener, Span)>,
}

impl ParseError {
    /// The headline of the report.
    pub fn message(&self) -> String {
        match &self.kind {
            ParseErrorKind::Unexpected { expected, found } => {
                let found_text = describe_found(found.as_ref());
                if found.is_none() {
                    if let Some((opener, _)) = self.unclosed {
                        if expected.contains(&Expected::Token(opener.closer())) {
                            return format!(
                                "expected {} to close {}, found end of input",
                                opener.closer(),
                                opener.noun()
                            );
                        }
                    }
                }
                let shown = shown_expected(expected);
                if shown.contains(&&Expected::Statement) || shown.is_empty() {
                    return format!("unexpected {found_text}");
                }
                format!("expected {}, found {found_text}", join_or(&shown))
            }
            ParseErrorKind::InvalidAssignTarget => "cannot assign to this expression".into(),
            ParseErrorKind::TryWithoutHandler => {
                "`try` needs a `catch` block, a `finally` block, or both".into()
            }
            ParseErrorKind::ChainedRange => "range operators cannot be chained".into(),
            ParseErrorKind::PatternWithoutValue => "a list pattern needs a value".into(),
            ParseErrorKind::RestNotLast => "`...` must come last".into(),
            ParseErrorKind::NestingTooDeep => "nesting too deep".into(),
        }
    }

    /// The short text printed under the primary span.
    fn label(&self) -> String {
        match &self.kind {
            ParseErrorKind::Unexpected { expected, found } => {
                let shown = shown_expected(expected);
                if shown.is_empty() {
                    return "unexpected here".into();
                }
                if shown.contains(&&Expected::Statement) || found.is_none() {
                    return format!("expected {}", join_or(&shown));
                }
                format!("unexpected {}", describe_found(found.as_ref()))
            }
            ParseErrorKind::InvalidAssignTarget => {
                "only a name, an index `a[i]` or a field `o.f` can be assigned".into()
            }
            ParseErrorKind::TryWithoutHandler => "this `try` handles nothing".into(),
            ParseErrorKind::ChainedRange => "second range operator".into(),
            ParseErrorKind::PatternWithoutValue => "nothing to destructure".into(),
            ParseErrorKind::RestNotLast => "more follows this rest element".into(),
            ParseErrorKind::NestingTooDeep => {
                format!("more than {} levels deep", super::depth::MAX_DEPTH)
            }
        }
    }

    /// A suggestion for the errors people commonly make.
    fn hint(&self) -> Option<String> {
        match &self.kind {
            ParseErrorKind::Unexpected { expected, found } => {
                let found = found.as_ref()?;
                let at_statement = expected.contains(&Expected::Statement);
                if at_statement && *found == Token::Else {
                    return Some("`else` must follow the closing `}` of an `if` block".into());
                }
                if at_statement && matches!(found, Token::Catch | Token::Finally) {
                    return Some(format!(
                        "{found} must follow the closing `}}` of a `try` block"
                    ));
                }
                if at_statement && *found == Token::LBrace {
                    return Some(
                        "a statement cannot start with `{`: blocks belong to `if`, `while`, \
                         `for`, `fn` or `try`, and a map literal cannot stand alone"
                            .into(),
                    );
                }
                if *found == Token::Eq && expected.contains(&Expected::Token(Token::LBrace)) {
                    return Some("to compare two values, use `==`".into());
                }
                if expected.contains(&Expected::MapEntry) {
                    if let Some(word) = found.keyword_text() {
                        return Some(format!(
                            "keywords cannot be bare map keys; quote it: `\"{word}\": ...`"
                        ));
                    }
                }
                if expected.contains(&Expected::Method) {
                    return Some(
                        "a class body holds only methods: `fn name(params) { ... }`".into(),
                    );
                }
                let wants_name = expected
                    .iter()
                    .any(|e| matches!(e, Expected::Name | Expected::Pattern | Expected::Param));
                if wants_name {
                    if let Some(word) = found.keyword_text() {
                        return Some(format!(
                            "`{word}` is a keyword and cannot be used as a name"
                        ));
                    }
                }
                None
            }
            ParseErrorKind::InvalidAssignTarget => None,
            ParseErrorKind::ChainedRange => {
                Some("add parentheses to say which range comes first".into())
            }
            ParseErrorKind::PatternWithoutValue => Some("write `let [a, b] = value`".into()),
            ParseErrorKind::NestingTooDeep => {
                Some("split the expression using intermediate variables".into())
            }
            ParseErrorKind::TryWithoutHandler | ParseErrorKind::RestNotLast => None,
        }
    }

    pub fn to_diagnostic(&self, source: SourceId) -> Diagnostic {
        let mut diag =
            Diagnostic::error(self.message()).with_label(source, self.span, self.label());
        if let Some((opener, span)) = self.unclosed {
            let text = match self.kind {
                ParseErrorKind::Unexpected { found: None, .. } => {
                    format!("this {} is never closed", opener.token())
                }
                _ => format!("unclosed {}", opener.token()),
            };
            diag = diag.with_label(source, span, text);
        }
        if let Some(hint) = self.hint() {
            diag = diag.with_hint(hint);
        }
        diag
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for ParseError {}

fn describe_found(found: Option<&Token>) -> String {
    match found {
        Some(t) => t.to_string(),
        None => "end of input".into(),
    }
}

/// The expected items worth naming, in message order.
fn shown_expected(expected: &[Expected]) -> Vec<&Expected> {
    let mut shown: Vec<&Expected> = expected.iter().filter(|e| !e.is_continuation()).collect();
    if shown.is_empty() {
        shown = expected.iter().collect();
    }
    // An expression can always stand where a statement can; naming both is noise.
    if shown.contains(&&Expected::Statement) {
        shown.retain(|e| **e != Expected::Expression);
    }
    shown.sort_by_key(|e| e.rank());
    shown
}

fn join_or(items: &[&Expected]) -> String {
    let words: Vec<String> = items.iter().map(|e| e.to_string()).collect();
    match words.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// The error chumsky builds while parsing. It stays internal: [`finish`]
/// turns it into a [`ParseError`].
#[derive(Clone, Debug)]
pub(crate) struct SyntaxError {
    pub span: SimpleSpan,
    pub kind: ParseErrorKind,
}

impl SyntaxError {
    pub fn new(kind: ParseErrorKind, span: SimpleSpan) -> SyntaxError {
        SyntaxError { span, kind }
    }

    /// Adds each of `items` (see [`SyntaxError::push_expected`]).
    fn push_all(&mut self, items: impl IntoIterator<Item = Expected>) {
        for item in items {
            self.push_expected(item);
        }
    }

    /// Adds chumsky's own expectations (from `just`, `end`, `any`).
    fn push_default<'a>(&mut self, expected: impl IntoIterator<Item = DefaultExpected<'a, Token>>) {
        self.push_all(expected.into_iter().filter_map(|item| match item {
            DefaultExpected::Token(t) => Some(Expected::Token(t.into_inner())),
            DefaultExpected::EndOfInput => Some(Expected::EndOfInput),
            DefaultExpected::Any => Some(Expected::AnyToken),
            // `SomethingElse` comes from filters, which are always labelled.
            _ => None,
        }));
    }

    /// Makes this an empty `Unexpected` error at `span`, keeping the list's
    /// allocation.
    fn reset(&mut self, found: Option<MaybeRef<'_, Token>>, span: SimpleSpan) {
        let found = found.map(|t| t.into_inner());
        self.span = span;
        match &mut self.kind {
            ParseErrorKind::Unexpected { expected, found: f } => {
                expected.clear();
                *f = found;
            }
            kind => {
                *kind = ParseErrorKind::Unexpected {
                    expected: Vec::new(),
                    found,
                }
            }
        }
    }

    /// Adds `item` to what was expected. Duplicates are kept here and
    /// dropped once, by [`finish`]: nearly every error chumsky builds is
    /// thrown away when another alternative parses, so a check per push
    /// would cost parsing more than it saves.
    fn push_expected(&mut self, item: Expected) {
        if let ParseErrorKind::Unexpected { expected, .. } = &mut self.kind {
            expected.push(item);
        }
    }
}

impl<'a, I> chumsky::error::Error<'a, I> for SyntaxError
where
    I: Input<'a, Token = Token, Span = SimpleSpan>,
{
    fn merge(mut self, other: SyntaxError) -> SyntaxError {
        if let (
            ParseErrorKind::Unexpected { expected, .. },
            ParseErrorKind::Unexpected { expected: more, .. },
        ) = (&mut self.kind, other.kind)
        {
            if expected.is_empty() {
                *expected = more;
            } else {
                expected.extend(more);
            }
        }
        self
    }
}

fn unexpected(found: Option<MaybeRef<'_, Token>>, span: SimpleSpan) -> SyntaxError {
    SyntaxError::new(
        ParseErrorKind::Unexpected {
            expected: Vec::new(),
            found: found.map(|t| t.into_inner()),
        },
        span,
    )
}

impl<'a, I> LabelError<'a, I, DefaultExpected<'a, Token>> for SyntaxError
where
    I: Input<'a, Token = Token, Span = SimpleSpan>,
{
    fn expected_found<E: IntoIterator<Item = DefaultExpected<'a, Token>>>(
        expected: E,
        found: Option<MaybeRef<'a, Token>>,
        span: SimpleSpan,
    ) -> SyntaxError {
        let mut err = unexpected(found, span);
        err.push_default(expected);
        err
    }

    // The two below reuse the error already built at this position, where
    // the provided versions would build a new one (a token clone and an
    // allocation) for every alternative tried.
    fn merge_expected_found<E: IntoIterator<Item = DefaultExpected<'a, Token>>>(
        mut self,
        expected: E,
        _found: Option<MaybeRef<'a, Token>>,
        _span: SimpleSpan,
    ) -> SyntaxError {
        self.push_default(expected);
        self
    }

    fn replace_expected_found<E: IntoIterator<Item = DefaultExpected<'a, Token>>>(
        mut self,
        expected: E,
        found: Option<MaybeRef<'a, Token>>,
        span: SimpleSpan,
    ) -> SyntaxError {
        self.reset(found, span);
        self.push_default(expected);
        self
    }
}

impl<'a, I> LabelError<'a, I, Expected> for SyntaxError
where
    I: Input<'a, Token = Token, Span = SimpleSpan>,
{
    fn expected_found<E: IntoIterator<Item = Expected>>(
        expected: E,
        found: Option<MaybeRef<'a, Token>>,
        span: SimpleSpan,
    ) -> SyntaxError {
        let mut err = unexpected(found, span);
        err.push_all(expected);
        err
    }

    fn merge_expected_found<E: IntoIterator<Item = Expected>>(
        mut self,
        expected: E,
        _found: Option<MaybeRef<'a, Token>>,
        _span: SimpleSpan,
    ) -> SyntaxError {
        self.push_all(expected);
        self
    }

    fn replace_expected_found<E: IntoIterator<Item = Expected>>(
        mut self,
        expected: E,
        found: Option<MaybeRef<'a, Token>>,
        span: SimpleSpan,
    ) -> SyntaxError {
        self.reset(found, span);
        self.push_all(expected);
        self
    }

    fn label_with(&mut self, label: Expected) {
        if let ParseErrorKind::Unexpected { expected, .. } = &mut self.kind {
            *expected = vec![label];
        }
    }
}

pub(crate) fn to_span(s: SimpleSpan) -> Span {
    Span::new(s.start, s.end)
}

/// Converts the errors chumsky collected: attaches unclosed delimiters,
/// sorts by position and drops duplicates (a statement re-parsed after
/// recovery can report the same error twice).
pub(crate) fn finish(errors: Vec<SyntaxError>, delims: &Delimiters) -> Vec<ParseError> {
    let mut out: Vec<ParseError> = Vec::with_capacity(errors.len());
    // Positions already reported: a set, since a bad file has tens of
    // thousands of errors and a scan of `out` for each would be quadratic.
    let mut seen = rustc_hash::FxHashSet::default();
    for mut err in errors {
        if let ParseErrorKind::Unexpected { expected, .. } = &mut err.kind {
            dedup_in_order(expected);
        }
        let span = to_span(err.span);
        let unclosed = match &err.kind {
            ParseErrorKind::Unexpected { expected, found } => {
                let open = match found {
                    None => delims.unclosed_at_end(),
                    Some(_) => delims.unclosed_at(span.start),
                };
                open.filter(|(opener, _)| expected.contains(&Expected::Token(opener.closer())))
            }
            _ => None,
        };
        let err = ParseError {
            kind: err.kind,
            span,
            unclosed,
        };
        // One report per position: later ones there are re-parses of the same text.
        if seen.insert(err.span.start) {
            out.push(err);
        }
    }
    out.sort_by_key(|e| (e.span.start, e.span.end));
    out
}

/// Drops repeated items, keeping each one's first place (the order of the
/// tokens in a message is the order the grammar tried them).
fn dedup_in_order(items: &mut Vec<Expected>) {
    let mut kept: Vec<Expected> = Vec::with_capacity(items.len());
    for item in items.drain(..) {
        if !kept.contains(&item) {
            kept.push(item);
        }
    }
    *items = kept;
}
