//! Tab completion for the REPL: which word is being completed, and the
//! candidates for it. A name is completed from the keywords and the names
//! the session knows (built-ins, definitions made so far); after `x.` or
//! `a.b.`, from the members of the live value the name chain refers to,
//! which the session looks up (only plain name chains are looked up, so
//! completing never runs code such as a call).

use crate::lexer::Token;

/// What the word under the cursor is.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    /// A name: complete it from keywords and the session's names.
    Name { start: usize, prefix: String },
    /// A member after `receiver.` (a chain of names, `["a", "b"]` for
    /// `a.b.`): complete it from the members of that value.
    Member {
        start: usize,
        receiver: Vec<String>,
        prefix: String,
    },
    /// Nothing to complete (inside a number, after `)`, ...).
    Nothing,
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The word ending at byte `pos` of `line`, and what it completes.
pub fn target(line: &str, pos: usize) -> Target {
    let pos = pos.min(line.len());
    let Some(before) = line.get(..pos) else {
        return Target::Nothing;
    };
    let start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_name_char(*c))
        .last()
        .map_or(pos, |(i, _)| i);
    let prefix = &before[start..];
    if prefix.starts_with(|c: char| c.is_ascii_digit()) {
        return Target::Nothing;
    }
    let mut receiver = Vec::new();
    let mut end = start;
    // Walk back over `name.` pieces: `a.b.pre` gives receiver [a, b].
    while before[..end].ends_with('.') && !before[..end].ends_with("..") {
        let dot = end - 1;
        let name_start = before[..dot]
            .char_indices()
            .rev()
            .take_while(|(_, c)| is_name_char(*c))
            .last()
            .map_or(dot, |(i, _)| i);
        let name = &before[name_start..dot];
        if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
            // `f().x`, `[1].x`, `"s".x`: not a plain chain of names.
            return Target::Nothing;
        }
        receiver.insert(0, name.to_string());
        end = name_start;
    }
    if receiver.is_empty() {
        Target::Name {
            start,
            prefix: prefix.to_string(),
        }
    } else {
        Target::Member {
            start,
            receiver,
            prefix: prefix.to_string(),
        }
    }
}

/// The candidates among `names` that start with `prefix`, sorted, each
/// once; names starting with `__` (internal) only when the prefix does.
pub fn matching<'a>(prefix: &str, names: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = names
        .into_iter()
        .filter(|n| n.starts_with(prefix) && (prefix.starts_with("__") || !n.starts_with("__")))
        .map(str::to_string)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Candidates for a name: the keywords and `names`.
pub fn names<'a>(prefix: &str, names: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    matching(prefix, Token::KEYWORDS.iter().copied().chain(names))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(start: usize, receiver: &[&str], prefix: &str) -> Target {
        Target::Member {
            start,
            receiver: receiver.iter().map(|s| s.to_string()).collect(),
            prefix: prefix.into(),
        }
    }

    #[test]
    fn the_word_under_the_cursor() {
        assert_eq!(
            target("print(le", 8),
            Target::Name {
                start: 6,
                prefix: "le".into()
            }
        );
        assert_eq!(target("x.pu", 4), member(2, &["x"], "pu"));
        assert_eq!(target("let y = net.", 12), member(12, &["net"], ""));
        assert_eq!(target("a.b.c", 5), member(4, &["a", "b"], "c"));
        assert_eq!(target("f().x", 5), Target::Nothing);
        assert_eq!(target("[1].x", 5), Target::Nothing);
        assert_eq!(target("1.5", 3), Target::Nothing);
        assert_eq!(
            target("0..x", 4),
            Target::Name {
                start: 3,
                prefix: "x".into()
            }
        );
        assert_eq!(
            target("", 0),
            Target::Name {
                start: 0,
                prefix: "".into()
            }
        );
        assert_eq!(target("é.a", "é.a".len()), Target::Nothing);
    }

    #[test]
    fn candidates_are_sorted_keywords_and_names() {
        assert_eq!(
            names("wh", ["whale", "white", "what"]),
            ["whale", "what", "while", "white"]
        );
        assert_eq!(names("pri", ["print", "print", "__private"]), ["print"]);
        assert_eq!(matching("__p", ["__private", "push"]), ["__private"]);
        assert!(names("", []).contains(&"async".to_string()));
    }
}
