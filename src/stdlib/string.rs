//! Methods of strings (LANGUAGE.md §9, §13 "Library"). Strings are
//! immutable, so every method returns a new value; positions count
//! characters, never bytes.
//!
//! Also home of the small argument checks the other native method files
//! share ([`want_str`], [`want_int`]).
//!
//! Methods whose result can outgrow their input (`repeat`, `replace`,
//! `upper`, `lower`, and the lists of `split`, `lines` and `chars`) check
//! its size against the object size cap (`value::limit`) before building it.

use crate::gc::{Gc, GcBox};
use crate::runtime::Runtime;
use crate::value::error::{type_error, value_error};
use crate::value::limit::{self, check_size};
use crate::value::{Bytes, NResult, NativeFn, Str, Value};

/// Bytes each string of a list of new strings takes besides its text: a
/// slot in the list, the string object, its entry in the heap's object
/// table and the smallest allocation for its text.
pub(super) const PIECE_BYTES: usize =
    std::mem::size_of::<Value>() + std::mem::size_of::<GcBox<Str>>() + 16 + 16;

#[rustfmt::skip]
pub static METHODS: &[NativeFn] = &[
    NativeFn { name: "len", min: 0, max: 0, f: len },
    NativeFn { name: "upper", min: 0, max: 0, f: upper },
    NativeFn { name: "lower", min: 0, max: 0, f: lower },
    NativeFn { name: "trim", min: 0, max: 0, f: trim },
    NativeFn { name: "split", min: 0, max: 1, f: split },
    NativeFn { name: "lines", min: 0, max: 0, f: lines },
    NativeFn { name: "contains", min: 1, max: 1, f: contains },
    NativeFn { name: "starts_with", min: 1, max: 1, f: starts_with },
    NativeFn { name: "ends_with", min: 1, max: 1, f: ends_with },
    NativeFn { name: "find", min: 1, max: 1, f: find },
    NativeFn { name: "replace", min: 2, max: 2, f: replace },
    NativeFn { name: "repeat", min: 1, max: 1, f: repeat },
    NativeFn { name: "chars", min: 0, max: 0, f: chars },
    NativeFn { name: "encode", min: 0, max: 0, f: encode },
];

/// A string argument, or a `TypeError` naming the method.
pub(super) fn want_str(rt: &Runtime, v: Value, method: &str) -> NResult<Gc<Str>> {
    match v {
        Value::Str(s) => Ok(s),
        _ => type_error(format!(
            "{method}() expects a string, not {}",
            rt.type_name(v)
        )),
    }
}

/// An int argument, or a `TypeError` naming the method.
pub(super) fn want_int(rt: &Runtime, v: Value, method: &str) -> NResult<i64> {
    match v {
        Value::Int(n) => Ok(n),
        _ => type_error(format!(
            "{method}() expects an int, not {}",
            rt.type_name(v)
        )),
    }
}

fn this(rt: &Runtime, args: &[Value]) -> NResult<Gc<Str>> {
    want_str(rt, args[0], "string method")
}

/// A list of new strings (checked by the caller against the size cap).
fn strings(rt: &mut Runtime, pieces: Vec<&str>) -> Value {
    let items = pieces.into_iter().map(|p| rt.str(p)).collect();
    rt.list(items)
}

/// `text` changed character by character by `f` (`to_uppercase`...), whose
/// result may be longer than its input: the size is checked first.
fn map_chars<I: Iterator<Item = char>>(text: &str, f: impl Fn(char) -> I) -> NResult<String> {
    // A character's case mapping is at most three characters of at most
    // as many bytes each, so only long texts need counting.
    if text.len().saturating_mul(3) > limit::MAX_OBJECT_BYTES {
        let bytes: usize = text
            .chars()
            .map(|c| f(c).map(char::len_utf8).sum::<usize>())
            .sum();
        check_size(bytes, 1, "string")?;
    }
    Ok(text.chars().flat_map(f).collect())
}

fn len(rt: &mut Runtime, args: &[Value]) -> NResult {
    Ok(Value::Int(this(rt, args)?.char_len() as i64))
}

fn upper(rt: &mut Runtime, args: &[Value]) -> NResult {
    let s = this(rt, args)?;
    let text = map_chars(s.as_str(), char::to_uppercase)?;
    Ok(rt.str(text))
}

fn lower(rt: &mut Runtime, args: &[Value]) -> NResult {
    let s = this(rt, args)?;
    let text = map_chars(s.as_str(), char::to_lowercase)?;
    Ok(rt.str(text))
}

fn trim(rt: &mut Runtime, args: &[Value]) -> NResult {
    let s = this(rt, args)?;
    let t = s.as_str().trim();
    if t.len() == s.as_str().len() {
        return Ok(args[0]);
    }
    Ok(rt.str(t))
}

/// The pieces of `text` for `split(sep)`; `None` splits on runs of
/// whitespace and drops empty pieces. An empty separator is a `ValueError`.
pub(crate) fn split_pieces<'a>(text: &'a str, sep: Option<&str>) -> NResult<Vec<&'a str>> {
    match sep {
        None => Ok(text.split_whitespace().collect()),
        Some("") => value_error("split() separator must not be empty"),
        Some(sep) => Ok(text.split(sep).collect()),
    }
}

fn split(rt: &mut Runtime, args: &[Value]) -> NResult {
    let s = this(rt, args)?;
    let sep = match args.get(1) {
        None | Some(Value::Nil) => None,
        Some(v) => Some(want_str(rt, *v, "split")?),
    };
    let (text, sep) = (s.as_str(), sep.as_ref().map(|g| g.as_str()));
    // Counted before anything is built: a short string can make a long list.
    let count = match sep {
        None => text.split_whitespace().count(),
        Some("") => 0,
        Some(sep) => text.matches(sep).count() + 1,
    };
    check_size(count, PIECE_BYTES, "split() list")?;
    let pieces = split_pieces(text, sep)?;
    Ok(strings(rt, pieces))
}

/// The lines of `text`: split on `\n`, a `\r` before it dropped, no empty
/// last line for a trailing newline. A lone `\r` is not a line break.
pub(crate) fn line_pieces(text: &str) -> Vec<&str> {
    if text.is_empty() {
        return Vec::new();
    }
    let (body, ended) = match text.strip_suffix('\n') {
        Some(b) => (b, true),
        None => (text, false),
    };
    let mut pieces: Vec<&str> = body.split('\n').collect();
    let last = pieces.len() - 1;
    for (i, p) in pieces.iter_mut().enumerate() {
        // Only a `\r` that a `\n` follows is part of the line break.
        if i < last || ended {
            *p = p.strip_suffix('\r').unwrap_or(p);
        }
    }
    pieces
}

fn lines(rt: &mut Runtime, args: &[Value]) -> NResult {
    let s = this(rt, args)?;
    check_size(
        s.as_str().matches('\n').count() + 1,
        PIECE_BYTES,
        "lines() list",
    )?;
    let pieces = line_pieces(s.as_str());
    Ok(strings(rt, pieces))
}

fn contains(rt: &mut Runtime, args: &[Value]) -> NResult {
    let s = this(rt, args)?;
    let needle = want_str(rt, args[1], "contains")?;
    Ok(Value::Bool(s.as_str().contains(needle.as_str())))
}

fn starts_with(rt: &mut Runtime, args: &[Value]) -> NResult {
    let s = this(rt, args)?;
    let prefix = want_str(rt, args[1], "starts_with")?;
    Ok(Value::Bool(s.as_str().starts_with(prefix.as_str())))
}

fn ends_with(rt: &mut Runtime, args: &[Value]) -> NResult {
    let s = this(rt, args)?;
    let suffix = want_str(rt, args[1], "ends_with")?;
    Ok(Value::Bool(s.as_str().ends_with(suffix.as_str())))
}

/// The character index of the first occurrence of `needle`.
pub(crate) fn find_char_index(text: &str, needle: &str) -> Option<usize> {
    let byte = text.find(needle)?;
    Some(text[..byte].chars().count())
}

fn find(rt: &mut Runtime, args: &[Value]) -> NResult {
    let s = this(rt, args)?;
    let needle = want_str(rt, args[1], "find")?;
    Ok(match find_char_index(s.as_str(), needle.as_str()) {
        Some(i) => Value::Int(i as i64),
        None => Value::Nil,
    })
}

fn replace(rt: &mut Runtime, args: &[Value]) -> NResult {
    let s = this(rt, args)?;
    let from = want_str(rt, args[1], "replace")?;
    let to = want_str(rt, args[2], "replace")?;
    let (text, from, to) = (s.as_str(), from.as_str(), to.as_str());
    if to.len() > from.len() {
        // An empty pattern matches at every character boundary.
        let matches = if from.is_empty() {
            s.char_len() + 1
        } else {
            text.matches(from).count()
        };
        let bytes = text.len() as u128 + matches as u128 * (to.len() - from.len()) as u128;
        if bytes > limit::MAX_OBJECT_BYTES as u128 {
            return limit::too_large("replace() result", bytes);
        }
    }
    // As in Python and Rust, an empty pattern matches between every character.
    Ok(rt.str(text.replace(from, to)))
}

fn repeat(rt: &mut Runtime, args: &[Value]) -> NResult {
    let s = this(rt, args)?;
    let n = want_int(rt, args[1], "repeat")?;
    if n < 0 {
        return value_error(format!("repeat() count must not be negative, got {n}"));
    }
    let n = usize::try_from(n).unwrap_or(usize::MAX);
    check_size(s.as_str().len(), n, "repeat() result")?;
    Ok(rt.str(s.as_str().repeat(n)))
}

fn chars(rt: &mut Runtime, args: &[Value]) -> NResult {
    let s = this(rt, args)?;
    // ASCII characters are shared strings; any other is a new one.
    let each = if s.is_ascii() {
        std::mem::size_of::<Value>()
    } else {
        PIECE_BYTES
    };
    check_size(s.char_len(), each, "chars() list")?;
    let items = s.as_str().chars().map(|c| rt.char_str(c)).collect();
    Ok(rt.list(items))
}

fn encode(rt: &mut Runtime, args: &[Value]) -> NResult {
    let s = this(rt, args)?;
    let data: Box<[u8]> = s.as_str().as_bytes().into();
    Ok(Value::Bytes(rt.heap.alloc(Bytes { data })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_whitespace_drops_empty_pieces() {
        let got = split_pieces("  alpha   beta\tgamma\n delta  ", None).ok();
        assert_eq!(got, Some(vec!["alpha", "beta", "gamma", "delta"]));
        assert_eq!(split_pieces("", None).ok(), Some(vec![]));
        assert_eq!(split_pieces(" \t\n ", None).ok(), Some(vec![]));
    }

    #[test]
    fn split_sep_keeps_empty_pieces() {
        assert_eq!(
            split_pieces("a,,b,", Some(",")).ok(),
            Some(vec!["a", "", "b", ""])
        );
        assert_eq!(split_pieces("", Some(",")).ok(), Some(vec![""]));
        assert_eq!(split_pieces("a::b", Some("::")).ok(), Some(vec!["a", "b"]));
        assert!(split_pieces("abc", Some("")).is_err());
    }

    #[test]
    fn lines_rules() {
        assert_eq!(
            line_pieces("one\ntwo\r\nthree\n"),
            vec!["one", "two", "three"]
        );
        assert_eq!(line_pieces("a\n\nb"), vec!["a", "", "b"]);
        assert_eq!(line_pieces("last\n\n"), vec!["last", ""]);
        assert_eq!(line_pieces("\n"), vec![""]);
        assert_eq!(line_pieces("a\rb\r"), vec!["a\rb\r"]);
        assert!(line_pieces("").is_empty());
    }

    #[test]
    fn find_counts_characters() {
        assert_eq!(find_char_index("héllo wörld", "wörld"), Some(6));
        assert_eq!(find_char_index("日本語テキスト", "テ"), Some(3));
        assert_eq!(find_char_index("abc", "z"), None);
        assert_eq!(find_char_index("abc", ""), Some(0));
    }

    #[test]
    fn methods_through_the_runtime() {
        let mut rt = Runtime::new();
        let s = rt.str("ab");
        let v = repeat(&mut rt, &[s, Value::Int(3)]).ok();
        assert_eq!(
            v.and_then(|v| v.as_str().map(String::from)).as_deref(),
            Some("ababab")
        );
        assert!(repeat(&mut rt, &[s, Value::Int(-1)]).is_err());
        assert!(repeat(&mut rt, &[s, Value::Int(i64::MAX)]).is_err());
        let e = rt.str("é");
        let r = replace(&mut rt, &[s, e, e]).ok();
        assert_eq!(r.map(|v| rt.display(v)).as_deref(), Some("ab"));
    }
}
