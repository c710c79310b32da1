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
/// A bracket and its partner, when the cursor is at one of them.
const MATCHED: &str = "\x1b[1;4m";

/// `text` with colours added; unchanged apart from the escape sequences.
pub fn highlight(text: &str) -> String {
    highlight_at(text, None)
}

/// Token indexes of the bracket at (or just before) byte `cursor` and of
/// its partner.
fn matching_brackets(
    tokens: &[(Token, crate::span::Span)],
    cursor: usize,
) -> Option<(usize, usize)> {
    let is_open = |t: &Token| matches!(t, Token::LParen | Token::LBracket | Token::LBrace);
    let is_close = |t: &Token| matches!(t, Token::RParen | Token::RBracket | Token::RBrace);
    let at = tokens.iter().position(|(t, s)| {
        (is_open(t) || is_close(t)) && (s.range().start == cursor || s.range().end == cursor)
    })?;
    let (token, _) = &tokens[at];
    let mut depth = 0usize;
    if is_open(token) {
        for (i, (t, _)) in tokens.iter().enumerate().skip(at) {
            if is_open(t) {
                depth += 1;
            } else if is_close(t) {
                depth -= 1;
                if depth == 0 {
                    return Some((at, i));
                }
            }
        }
    } else {
        for i in (0..=at).rev() {
            let t = &tokens[i].0;
            if is_close(t) {
                depth += 1;
            } else if is_open(t) {
                depth -= 1;
                if depth == 0 {
                    return Some((i, at));
                }
            }
        }
    }
    None
}

/// [`highlight`], also marking the bracket at the cursor and its partner.
pub fn highlight_at(text: &str, cursor: Option<usize>) -> String {
    let (tokens, _) = lexer::lex(text);
    let pair = cursor.and_then(|c| matching_brackets(&tokens, c));
    let mut out = String::with_capacity(text.len() * 2);
    let mut at = 0;
    let mut after_dot = false;
    for (index, (token, span)) in tokens.iter().enumerate() {
        let (start, end) = (span.range().start, span.range().end);
        if start < at
            || end > text.len()
            || !text.is_char_boundary(start)
            || !text.is_char_boundary(end)
        {
            continue;
        }
        gap(&mut out, &text[at..start]);
        let colour = match token {
            _ if pair.is_some_and(|(a, b)| index == a || index == b) => Some(MATCHED),
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
    fn the_bracket_at_the_cursor_and_its_partner() {
        let marked = |text: &str, at: usize| {
            highlight_at(text, Some(at))
                .replace(MATCHED, "<m>")
                .replace(RESET, "</>")
        };
        assert_eq!(marked("f(a[b])", 1), "f<m>(</>a[b]<m>)</>");
        assert_eq!(marked("f(a[b])", 7), "f<m>(</>a[b]<m>)</>");
        assert_eq!(marked("f(a[b])", 3), "f(a<m>[</>b<m>]</>)");
        assert_eq!(marked("f(a", 1), "f(a");
        assert_eq!(marked("x + y", 2), "x + y");
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
