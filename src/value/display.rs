//! How values print: `str(x)` / `print` ([`display`]) and `repr(x)`
//! ([`repr`]), following LANGUAGE.md §9 and §13. Strings are quoted inside
//! containers; cycles print as `[...]` / `{...}`; very deep nesting is cut
//! off instead of overflowing the Rust stack.
//!
//! The text is capped at the object size limit (`value::limit`): a list
//! holding the same big list a thousand times, or a DAG of lists, would
//! otherwise print to gigabytes. What a script asks for (`str`, `repr`,
//! `print`, interpolation, `join`) throws a `ValueError` at the cap
//! ([`try_display_into`], [`try_repr`]); text for error messages is cut
//! short with `...` instead ([`display`], [`repr`]).

use super::limit::grow_string;
use super::{Ctrl, NResult, Range, Value};
use crate::bytecode::{FnKind, Interner};
use std::fmt::Write;

/// Containers nested deeper than this print as `...`.
const MAX_DEPTH: usize = 200;

/// The text `str(v)` gives, cut short with `...` past the size cap (for
/// error messages; scripts get [`try_display_into`]).
pub fn display(v: Value, symbols: &Interner) -> String {
    let mut out = String::new();
    if Printer::new(symbols).write_all(&mut out, v, false).is_err() {
        out.push_str("...");
    }
    out
}

/// The text `repr(v)` gives (strings quoted), cut short like [`display`].
pub fn repr(v: Value, symbols: &Interner) -> String {
    let mut out = String::new();
    if Printer::new(symbols).write_all(&mut out, v, true).is_err() {
        out.push_str("...");
    }
    out
}

/// `repr(v)`, or a `ValueError` when it would pass the size cap.
pub fn try_repr(v: Value, symbols: &Interner) -> NResult<String> {
    let mut out = String::new();
    Printer::new(symbols).write_all(&mut out, v, true)?;
    Ok(out)
}

/// Appends `str(v)` to `out` (`print`, `str`, interpolation, `join`), or
/// throws a `ValueError` when `out` would pass the size cap.
pub fn try_display_into(out: &mut String, v: Value, symbols: &Interner) -> NResult<()> {
    match v {
        Value::Str(s) => {
            grow_string(out, s.as_str().len(), "printed text")?;
            out.push_str(s.as_str());
            Ok(())
        }
        Value::Int(n) => {
            let _ = write!(out, "{n}");
            Ok(())
        }
        _ => Printer::new(symbols).write_all(out, v, false),
    }
}

/// Formats a float as Rust's `{:?}` does: `1.0`, `0.1`, `1e16`, `inf`, `NaN`.
pub fn format_float(x: f64) -> String {
    format!("{x:?}")
}

/// The length of `quote_str(s)`, without building it.
fn quoted_len(s: &str) -> usize {
    let mut n = 2;
    for c in s.chars() {
        n += match c {
            '\n' | '\t' | '\r' | '\\' | '"' => 2,
            // `\u{`, 1 or 2 hex digits, `}`
            c if c.is_control() => 5 + (c as u32 > 0xf) as usize,
            c => c.len_utf8(),
        };
    }
    n
}

/// A string literal with `\n \t \r \\ \"` and other control characters escaped.
pub fn quote_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The length of `format_bytes(data)`, without building it.
fn bytes_len(data: &[u8]) -> usize {
    3 + data
        .iter()
        .map(|b| match b {
            b'"' | b'\\' => 2,
            0x20..=0x7e => 1,
            _ => 4,
        })
        .sum::<usize>()
}

pub fn format_bytes(data: &[u8], out: &mut String) {
    out.push_str("b\"");
    for &b in data {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(b as char),
            _ => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    out.push('"');
}

pub fn format_range(r: &Range, out: &mut String) {
    if r.step != 1 {
        let _ = write!(out, "range({}, {}, {})", r.start, r.end, r.step);
    } else if r.inclusive {
        let _ = write!(out, "{}..={}", r.start, r.end);
    } else {
        let _ = write!(out, "{}..{}", r.start, r.end);
    }
}

struct Printer<'a> {
    symbols: &'a Interner,
    /// Containers being printed, for cycle detection.
    seen: Vec<usize>,
    /// Set once the text would pass the size cap (or memory ran out):
    /// the error to report. Everything after is skipped.
    full: Option<Ctrl>,
}

impl<'a> Printer<'a> {
    fn new(symbols: &'a Interner) -> Printer<'a> {
        Printer {
            symbols,
            seen: Vec::new(),
            full: None,
        }
    }

    /// Writes `v`; `Err` when the text would pass the size cap (`out` then
    /// holds a prefix of it).
    fn write_all(&mut self, out: &mut String, v: Value, quoted: bool) -> NResult<()> {
        self.write(out, v, quoted);
        match self.full.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Whether `more` bytes still fit after `out`; marks the printer full
    /// when not.
    fn fits(&mut self, out: &mut String, more: usize) -> bool {
        if self.full.is_none() {
            if let Err(e) = grow_string(out, more, "printed text") {
                self.full = Some(e);
            }
        }
        self.full.is_none()
    }

    fn write(&mut self, out: &mut String, v: Value, quoted: bool) {
        // Every value prints at least one byte, so checking here also ends
        // the loops over big containers once the text is full.
        if !self.fits(out, 1) {
            return;
        }
        match v {
            Value::Nil => out.push_str("nil"),
            Value::Bool(b) => out.push_str(if b { "true" } else { "false" }),
            Value::Int(n) => {
                let _ = write!(out, "{n}");
            }
            Value::Float(x) => out.push_str(&format_float(x)),
            Value::Str(s) => {
                if quoted {
                    if self.fits(out, quoted_len(s.as_str())) {
                        quote_str(s.as_str(), out)
                    }
                } else if self.fits(out, s.as_str().len()) {
                    out.push_str(s.as_str())
                }
            }
            Value::Bytes(b) => {
                if self.fits(out, bytes_len(&b.data)) {
                    format_bytes(&b.data, out)
                }
            }
            Value::Range(r) => format_range(&r, out),
            Value::List(list) => {
                if !self.enter(v, out, "[...]") {
                    return;
                }
                out.push('[');
                // Printing only reads, so the elements are read in place
                // rather than copied (the list may be a gigabyte).
                let items = list.items.borrow();
                for (i, item) in items.iter().enumerate() {
                    if self.full.is_some() {
                        break;
                    }
                    if i > 0 {
                        out.push_str(", ");
                    }
                    self.write(out, *item, true);
                }
                out.push(']');
                self.seen.pop();
            }
            Value::Map(map) => {
                if !self.enter(v, out, "{...}") {
                    return;
                }
                out.push('{');
                let entries = map.entries();
                for (i, (k, item)) in entries.iter().enumerate() {
                    if self.full.is_some() {
                        break;
                    }
                    if i > 0 {
                        out.push_str(", ");
                    }
                    self.write(out, k.to_value(), true);
                    out.push_str(": ");
                    self.write(out, item, true);
                }
                out.push('}');
                self.seen.pop();
            }
            Value::Instance(inst) => {
                if inst.class.is_error {
                    self.error(out, v);
                    return;
                }
                if !self.enter(v, out, &format!("{} {{...}}", inst.class.name)) {
                    return;
                }
                let _ = write!(out, "{} {{", inst.class.name);
                let fields = inst.fields();
                for (i, (name, item)) in fields.into_iter().enumerate() {
                    if self.full.is_some() {
                        break;
                    }
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(self.symbols.name(name));
                    out.push_str(": ");
                    self.write(out, item, true);
                }
                out.push('}');
                self.seen.pop();
            }
            Value::Closure(c) => {
                let code = &c.proto.code;
                let kind = match code.kind {
                    FnKind::Plain => "fn",
                    FnKind::Async => "async fn",
                    FnKind::Generator => "fn",
                    FnKind::AsyncGenerator => "async fn",
                };
                match &code.name {
                    Some(name) => {
                        let _ = write!(out, "<{kind} {name}>");
                    }
                    None => {
                        let _ = write!(out, "<{kind}>");
                    }
                }
            }
            Value::Native(n) => {
                let _ = write!(out, "<fn {}>", n.name);
            }
            Value::Bound(b) => self.write(out, b.method, quoted),
            Value::Class(c) => {
                let _ = write!(out, "<class {}>", c.name);
            }
            Value::Module(m) => {
                let _ = write!(out, "<module {}>", m.name);
            }
            Value::Generator(g) => {
                let kind = if g.is_async {
                    "async generator"
                } else {
                    "generator"
                };
                let _ = write!(out, "<{kind} {}>", g.name);
            }
            Value::Coroutine(c) => {
                let _ = write!(out, "<coroutine {}>", c.closure.proto.code.display_name());
            }
            Value::Task(t) => {
                let _ = write!(out, "<task {}>", t.id);
            }
            Value::Future(_) => out.push_str("<future>"),
            Value::Sync(s) => {
                let _ = write!(out, "<{}>", s.kind_name());
            }
            Value::Io(o) => out.push_str(&o.describe()),
            Value::Cell(c) => self.write(out, c.value.get(), quoted),
            Value::Iter(_) => out.push_str("<iterator>"),
            Value::Undef => out.push_str("<undefined>"),
        }
    }

    /// Starts printing a container; false (after writing `cut`) when it is
    /// already being printed or nesting is too deep.
    fn enter(&mut self, v: Value, out: &mut String, cut: &str) -> bool {
        let addr = v.heap_addr().unwrap_or(0);
        if self.seen.contains(&addr) {
            out.push_str(cut);
            return false;
        }
        if self.seen.len() >= MAX_DEPTH {
            out.push_str("...");
            return false;
        }
        self.seen.push(addr);
        true
    }

    /// `TypeError: message`, or just `TypeError` without a message.
    fn error(&mut self, out: &mut String, v: Value) {
        let Value::Instance(inst) = v else { return };
        out.push_str(&inst.class.name);
        let message = self.symbols.lookup("message").and_then(|sym| inst.get(sym));
        match message {
            None | Some(Value::Nil) => {}
            Some(Value::Str(s)) if s.as_str().is_empty() => {}
            Some(m) => {
                out.push_str(": ");
                if !self.enter(v, out, "...") {
                    return;
                }
                self.write(out, m, false);
                self.seen.pop();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_lengths_are_exact() {
        for s in [
            "",
            "plain",
            "a\"b\\c\n\t\r",
            "\u{0}\u{1}\u{1b}\u{7f}\u{9f}",
            "é日本\u{85}",
        ] {
            let mut out = String::new();
            quote_str(s, &mut out);
            assert_eq!(quoted_len(s), out.len(), "{s:?}");
        }
        let data: Vec<u8> = (0..=255).collect();
        let mut out = String::new();
        format_bytes(&data, &mut out);
        assert_eq!(bytes_len(&data), out.len());
    }
}
