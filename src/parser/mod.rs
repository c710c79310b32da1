//! Parser: tokens to the spanned syntax tree (built on chumsky), with error
//! recovery so one run reports several independent syntax errors.
//!
//! The grammar is written down in `grammar/weft.ebnf`; `expr.rs` and
//! `stmt.rs` implement it. The pipeline inside [`parse`]:
//!
//! 1. `delims.rs` pairs up brackets, refusing nesting past [`MAX_DEPTH`] before
//!    any parsing happens, and remembers which bracket is open where.
//! 2. The chumsky grammar runs, recovering statement by statement.
//! 3. Errors become [`ParseError`]s (naming the unclosed bracket they concern);
//!    the tree is checked against [`MAX_TREE_DEPTH`] and returned only when
//!    there were no errors at all.
//!
//! Invariant for later passes: a returned tree is at most [`MAX_TREE_DEPTH`]
//! nodes deep, so walking it recursively cannot overflow the stack.

mod delims;
mod depth;
mod error;
mod expr;
mod stmt;
#[cfg(test)]
mod tests;

pub use delims::Opener;
pub use depth::{MAX_DEPTH, MAX_TREE_DEPTH};
pub use error::{Expected, ParseError, ParseErrorKind};

use crate::ast;
use crate::diagnostics::Diagnostics;
use crate::lexer::Token;
use crate::span::{SourceId, Span};
use chumsky::input::{Input as _, MappedInput};
use chumsky::prelude::*;
use delims::{Delimiters, Layout};
use error::SyntaxError;
use std::rc::Rc;

/// The token stream as chumsky sees it.
type In<'a> = MappedInput<'a, Token, SimpleSpan, &'a [(Token, SimpleSpan)]>;
type Ex = extra::Err<SyntaxError>;
/// A boxed grammar rule producing `O`.
type P<'a, O> = Boxed<'a, 'a, In<'a>, O, Ex>;

/// The whole grammar. Statements, blocks and expressions refer to each other;
/// each is declared with `recursive`, whose self-reference is weak, so the
/// parser graph holds no reference cycles.
fn module_parser<'a>(layout: Rc<Layout>) -> P<'a, Vec<ast::Stmt>> {
    let stmt = recursive(|stmt| {
        let inner = layout.clone();
        let block = recursive(|block| stmt::block(stmt.clone(), block, inner));
        let expr = recursive(|expr| expr::expression(expr, block.clone()));
        stmt::statement(expr, block, layout.clone())
    });
    let inner = layout.clone();
    let block = recursive(|block| stmt::block(stmt.clone(), block, inner));
    stmt::statements(stmt, block, stmt::Place::TopLevel, layout)
        .then_ignore(end())
        .boxed()
}

/// Parses a token stream (as the lexer produced it, ending before
/// `src_len`). Returns the module only when there were no errors; the
/// errors come sorted by position.
///
/// Without the source text, recovery cannot see line breaks; prefer
/// [`parse_with_source`] when the text is at hand.
pub fn parse(tokens: &[(Token, Span)], src_len: usize) -> (Option<ast::Module>, Vec<ParseError>) {
    parse_tokens(tokens, src_len, Layout::default(), false)
}

/// [`parse`], with the source text the tokens came from. Newlines still mean
/// nothing to the grammar; they only help recovery guess where a broken
/// statement ends, so that the statements after it are checked too.
pub fn parse_with_source(
    tokens: &[(Token, Span)],
    src: &str,
) -> (Option<ast::Module>, Vec<ParseError>) {
    parse_tokens(tokens, src.len(), Layout::new(src, tokens), false)
}

/// For editors: the tree of `src` even when it has syntax errors, as
/// recovery built it (a broken statement is skipped or holds a
/// placeholder), so that the rest of the file can still be navigated.
/// `None` when the input is nested too deeply to walk.
pub fn parse_recovered(src: &str) -> Option<ast::Module> {
    let (tokens, _) = crate::lexer::lex(src);
    parse_tokens(&tokens, src.len(), Layout::new(src, &tokens), true).0
}

fn parse_tokens(
    tokens: &[(Token, Span)],
    src_len: usize,
    layout: Layout,
    keep_broken: bool,
) -> (Option<ast::Module>, Vec<ParseError>) {
    let delims = Delimiters::scan(tokens);
    if let Some(span) = delims.too_deep {
        let err = ParseError {
            kind: ParseErrorKind::NestingTooDeep,
            span,
            unclosed: None,
        };
        return (None, vec![err]);
    }

    let tokens: Vec<(Token, SimpleSpan)> = tokens
        .iter()
        .map(|(t, s)| (t.clone(), SimpleSpan::from(s.range())))
        .collect();
    let eoi = SimpleSpan::from(src_len..src_len);
    // Brackets never closed are closed before parsing (see
    // `Delimiters::repaired`). Each place that needed it is an error, unless
    // the grammar already reported one inside the bracket: that one is the
    // same mistake, seen earlier.
    let sites = delims.missing_sites();
    let unclosed: Vec<SyntaxError> = sites
        .iter()
        .map(|&(i, opener, _)| {
            let (found, span) = match tokens.get(i) {
                Some((t, s)) => (Some(t.clone()), *s),
                None => (None, eoi),
            };
            let expected = vec![Expected::Token(opener.closer())];
            SyntaxError::new(ParseErrorKind::Unexpected { expected, found }, span)
        })
        .collect();
    let tokens = delims.repaired(tokens, |next| {
        let at = next.map_or(src_len, |s| s.start);
        SimpleSpan::from(at..at)
    });
    let layout = Rc::new(layout);
    let (body, mut errors) = module_parser(layout.clone())
        .parse(tokens.as_slice().split_token_span(eoi))
        .into_output_errors();
    // An inserted closer is an empty token; what the grammar says about one
    // is said better by the repair's own error.
    let inserted = |e: &SyntaxError| {
        e.span.start == e.span.end
            && matches!(e.kind, ParseErrorKind::Unexpected { found: Some(_), .. })
    };
    errors.retain(|e| !inserted(e));
    let reported_inside = |open: Span, at: usize| {
        errors
            .iter()
            .any(|e| e.span.start >= open.end as usize && e.span.start < at)
    };
    let unclosed: Vec<SyntaxError> = unclosed
        .into_iter()
        .zip(&sites)
        .filter(|(e, (_, _, open))| !reported_inside(*open, e.span.start))
        .map(|(e, _)| e)
        .collect();
    // At one position the first error is kept: the repair's goes first.
    let errors: Vec<SyntaxError> = unclosed.into_iter().chain(errors).collect();

    let mut errors = error::finish(errors, &delims);
    if let Some(span) = body.as_deref().and_then(depth::find_too_deep) {
        errors.push(ParseError {
            kind: ParseErrorKind::NestingTooDeep,
            span,
            unclosed: None,
        });
    }
    // Recovery put placeholders in the tree; an error must say so.
    if layout.recoveries.get() > 0 && errors.is_empty() {
        debug_assert!(false, "recovered without an error");
        errors.push(ParseError {
            kind: ParseErrorKind::Unexpected {
                expected: Vec::new(),
                found: None,
            },
            span: error::to_span(eoi),
            unclosed: None,
        });
    }
    match body {
        Some(body) if errors.is_empty() => (Some(ast::Module { body }), errors),
        Some(body)
            if keep_broken
                && !errors
                    .iter()
                    .any(|e| matches!(e.kind, ParseErrorKind::NestingTooDeep)) =>
        {
            (Some(ast::Module { body }), errors)
        }
        Some(body) => {
            depth::dismantle(body);
            (None, errors)
        }
        None => (None, errors),
    }
}

/// Lexes and parses one source file, turning every error into a diagnostic.
///
/// The module comes back whenever it is worth compiling, to report the
/// compile errors too: when the parser built a tree and the lexer's errors,
/// if any, only concern the values of literals (`99999999999999999999`, an
/// unknown escape), so the tokens were all there. It must not run unless the
/// diagnostics are empty.
pub fn parse_source(src: &str, source: SourceId) -> (Option<ast::Module>, Diagnostics) {
    let (tokens, lex_errors) = crate::lexer::lex(src);
    let (module, mut parse_errors) = parse_with_source(&tokens, src);
    // An unterminated string or comment swallows the rest of its line or
    // file, so the parser then sees brackets that are never closed; those
    // follow-on errors only repeat the lexer's.
    let swallowed = lex_errors.iter().any(|e| {
        matches!(
            e.kind,
            crate::lexer::LexErrorKind::UnterminatedString
                | crate::lexer::LexErrorKind::UnterminatedRawString
                | crate::lexer::LexErrorKind::UnterminatedComment { .. }
                | crate::lexer::LexErrorKind::UnterminatedInterpolation
        )
    });
    if swallowed {
        parse_errors.retain(|e| e.span.start < src.len() as u32);
    }
    let mut diags = Diagnostics::new();
    // Both lists are sorted by position: only their first errors can be shown.
    diags.extend_sorted(&lex_errors, |e| e.to_diagnostic(source));
    diags.extend_sorted(&parse_errors, |e| e.to_diagnostic(source));
    let tokens_intact = lex_errors.iter().all(|e| e.kind.keeps_token());
    (module.filter(|_| tokens_intact), diags)
}
