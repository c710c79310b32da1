//! Syntax highlighting of REPL input with the real lexer: keywords,
//! strings, numbers and comments get ANSI colours. The lexer drops
//! comments, so a comment is whatever non-blank text lies between two
//! tokens (or after the last) and starts with `//` or `/*`.

use crate::lexer::{self, Token};

const KEYWORD: &str = "\x1b[35m";
const STRING: &str = "\x1b[32m";
const NUMBER: &str = "\x1b[33m";
const COMMENT: &str = "\x1b[90m";
const RESET: &str = "\x1b[0m";

/// `text` with colours added; unchanged apart from the escape sequences.
pub fn highlight(text: &str) -> String {
    let (tokens, _) = lexer::lex(text);
    let mut out = String::with_capacity(text.len() * 2);
    let mut at = 0;
    let mut after_dot = false;
    for (token, span) in &tokens {
        let (start, end) = (span.start as usize, span.end as usize);
        if start < at
            || end > text.len()
            || !text.is_char_boundary(start)
            || !text.is_char_boundary(end)
        {
            continue;
        }
        gap(&mut out, &text[at..start]);
        let colour = match token {
            Token::Int(_) | Token::Float(_) => Some(NUMBER),
            Token::Str(_) | Token::StrStart | Token::StrText(_) | Token::StrEnd => Some(STRING),
            // After `.`, keywords are ordinary names (`g.throw`).
            t if t.keyword_text().is_some() && !after_dot => Some(KEYWORD),
            _ => None,
        };
        paint(&mut out, &text[start..end], colour);
        after_dot = *token == Token::Dot;
        at = end;
    }
    gap(&mut out, &text[at..]);
    out
}

fn paint(out: &mut String, piece: &str, colour: Option<&str>) {
    match colour {
        Some(c) if !piece.is_empty() => {
            out.push_str(c);
            out.push_str(piece);
            out.push_str(RESET);
        }
        _ => out.push_str(piece),
    }
}

/// Text the lexer made no token of: blanks, comments, or the unfinished
/// rest of a string.
fn gap(out: &mut String, piece: &str) {
    let Some(first) = piece.find(|c: char| !c.is_whitespace()) else {
        out.push_str(piece);
        return;
    };
    out.push_str(&piece[..first]);
    let rest = &piece[first..];
    let colour = if rest.starts_with("//") || rest.starts_with("/*") {
        Some(COMMENT)
    } else if rest.starts_with('"') || rest.starts_with("r\"") {
        Some(STRING)
    } else {
        None
    };
    paint(out, rest, colour);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text with colours shown as `<k>..</>`, `<s>..</>`, `<n>..</>`, `<c>..</>`.
    fn marked(text: &str) -> String {
        highlight(text)
            .replace(KEYWORD, "<k>")
            .replace(STRING, "<s>")
            .replace(NUMBER, "<n>")
            .replace(COMMENT, "<c>")
            .replace(RESET, "</>")
    }

    #[test]
    fn keywords_strings_numbers_and_comments() {
        assert_eq!(
            marked("let x = 1.5 // note"),
            "<k>let</> x = <n>1.5</> <c>// note</>"
        );
        assert_eq!(
            marked("if ok { print(\"hi\") } /* c */"),
            "<k>if</> ok { print(<s>\"hi\"</>) } <c>/* c */</>"
        );
        assert_eq!(marked("g.throw(e)"), "g.throw(e)");
    }

    #[test]
    fn interpolation_keeps_its_code_plain() {
        assert_eq!(
            marked("\"a${n + 1}b\""),
            "<s>\"</><s>a</>${n + <n>1</>}<s>b</><s>\"</>"
        );
    }

    #[test]
    fn unfinished_input_is_kept_whole() {
        for text in ["\"open string", "/* open", "let x = [1,", "é ☃ \"ü"] {
            let plain = highlight(text)
                .replace(KEYWORD, "")
                .replace(STRING, "")
                .replace(NUMBER, "")
                .replace(COMMENT, "")
                .replace(RESET, "");
            assert_eq!(plain, text);
        }
        assert_eq!(marked("x = \"open"), "x = <s>\"open</>");
    }
}
