//! Parser: tokens to the spanned syntax tree (built on chumsky), with error
//! recovery so one run reports several independent syntax errors.
//!
//! Placeholder: the real parser replaces this file.

use crate::ast;
use crate::diagnostics::Diagnostic;
use crate::lexer::Token;
use crate::span::{SourceId, Span};

/// A syntax error: what was expected and what was found.
#[derive(Clone, Debug, PartialEq)]
pub struct ParseError {
    pub span: Span,
    pub message: String,
}

impl ParseError {
    pub fn to_diagnostic(&self, source: SourceId) -> Diagnostic {
        Diagnostic::error(self.message.clone()).with_label(source, self.span, "here")
    }
}

/// Parses a token stream. Returns the module when there were no errors.
pub fn parse(tokens: &[(Token, Span)], src_len: usize) -> (Option<ast::Module>, Vec<ParseError>) {
    let _ = (tokens, src_len);
    (Some(ast::Module { body: Vec::new() }), Vec::new())
}

/// Lexes and parses one source file, turning every error into a diagnostic.
pub fn parse_source(src: &str, source: SourceId) -> Result<ast::Module, Vec<Diagnostic>> {
    let (tokens, lex_errors) = crate::lexer::lex(src);
    let (module, parse_errors) = parse(&tokens, src.len());
    let mut diags: Vec<Diagnostic> = lex_errors.iter().map(|e| e.to_diagnostic(source)).collect();
    diags.extend(parse_errors.iter().map(|e| e.to_diagnostic(source)));
    match module {
        Some(m) if diags.is_empty() => Ok(m),
        _ => Err(diags),
    }
}
