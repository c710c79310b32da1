//! Whether a REPL input is complete. An input is incomplete when lexing or
//! parsing it fails only because the text ends too early: an unterminated
//! string, comment or interpolation, or a syntax error found at the end of
//! input (an open bracket or block, `let x =`, `1 +`). Any other error makes
//! the input complete: running it reports the error, and asking for more
//! lines would not fix it.

use crate::lexer::{self, LexErrorKind};
use crate::parser::{self, ParseErrorKind};

/// Whether `text` needs more lines before it can run.
pub fn is_incomplete(text: &str) -> bool {
    if text.trim().is_empty() {
        return false;
    }
    let (tokens, lex_errors) = lexer::lex(text);
    let open_at_end = lex_errors.iter().any(|e| {
        matches!(
            e.kind,
            LexErrorKind::UnterminatedString
                | LexErrorKind::UnterminatedRawString
                | LexErrorKind::UnterminatedComment { .. }
                | LexErrorKind::UnterminatedInterpolation
        )
    });
    if open_at_end {
        return true;
    }
    if !lex_errors.is_empty() {
        return false;
    }
    let (_, errors) = parser::parse(&tokens, text.len());
    // Only errors at the end of input: one earlier in the text is a real
    // mistake, which more lines cannot mend.
    !errors.is_empty()
        && errors
            .iter()
            .all(|e| matches!(e.kind, ParseErrorKind::Unexpected { found: None, .. }))
}

#[cfg(test)]
mod tests {
    use super::is_incomplete;

    #[test]
    fn complete_inputs_run_at_once() {
        for text in [
            "1 + 2",
            "let x = 1",
            "print(\"hi\")",
            "fn f(x) { return x * 2 }",
            "class P { fn init() { self.x = 1 } }",
            "await sleep(10)",
            "",
            "   ",
            "// just a comment",
            "if x { 1 } else { 2 }",
            "[1, 2, 3].map(fn(v) => v + 1)",
        ] {
            assert!(!is_incomplete(text), "{text:?} should be complete");
        }
    }

    #[test]
    fn open_brackets_blocks_strings_and_operators_ask_for_more() {
        for text in [
            "fn f(x) {",
            "fn f(x) {\n  return x",
            "class P {\n  fn init() {\n",
            "[1, 2,",
            "print(",
            "let m = {\"a\": 1,",
            "let x =",
            "1 +",
            "\"a multi-line\nstring",
            "r\"raw",
            "/* a comment",
            "\"${1 +",
            "if x {\n} else",
            "while true {",
            "try {\n} catch e {",
        ] {
            assert!(is_incomplete(text), "{text:?} should ask for more");
        }
    }

    #[test]
    fn mistakes_are_complete_so_that_they_are_reported() {
        for text in [
            "1 +* 2",
            "let = 3",
            "print(1))",
            "let 5 = 3",
            "\"bad \\q escape\"",
            "let x = 1 @ 2",
        ] {
            assert!(
                !is_incomplete(text),
                "{text:?} should be complete (and fail)"
            );
        }
    }
}
