//! How values print: `str(x)` / `print` ([`display`]) and `repr(x)`
//! ([`repr`]), following LANGUAGE.md §9 and §13. Strings are quoted inside
//! containers; cycles print as `[...]` / `{...}`; very deep nesting is cut
//! off instead of overflowing the Rust stack.

use super::{Range, Value};
use crate::bytecode::{FnKind, Interner};
use std::fmt::Write;

/// Containers nested deeper than this print as `...`.
const MAX_DEPTH: usize = 200;

/// The text `str(v)` and `print` produce.
pub fn display(v: Value, symbols: &Interner) -> String {
    if let Value::Str(s) = v {
        return s.as_str().to_string();
    }
    let mut out = String::new();
    Printer {
        symbols,
        seen: Vec::new(),
    }
    .write(&mut out, v, false);
    out
}

/// The text `repr(v)` produces: like [`display`] but strings are quoted.
pub fn repr(v: Value, symbols: &Interner) -> String {
    let mut out = String::new();
    Printer {
        symbols,
        seen: Vec::new(),
    }
    .write(&mut out, v, true);
    out
}

/// Appends `display(v)` to `out` (used by string interpolation).
pub fn display_into(out: &mut String, v: Value, symbols: &Interner) {
    match v {
        Value::Str(s) => out.push_str(s.as_str()),
        Value::Int(n) => {
            let _ = write!(out, "{n}");
        }
        _ => Printer {
            symbols,
            seen: Vec::new(),
        }
        .write(out, v, false),
    }
}

/// Formats a float as Rust's `{:?}` does: `1.0`, `0.1`, `1e16`, `inf`, `NaN`.
pub fn format_float(x: f64) -> String {
    format!("{x:?}")
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
}

impl Printer<'_> {
    fn write(&mut self, out: &mut String, v: Value, quoted: bool) {
        match v {
            Value::Nil => out.push_str("nil"),
            Value::Bool(b) => out.push_str(if b { "true" } else { "false" }),
            Value::Int(n) => {
                let _ = write!(out, "{n}");
            }
            Value::Float(x) => out.push_str(&format_float(x)),
            Value::Str(s) => {
                if quoted {
                    quote_str(s.as_str(), out)
                } else {
                    out.push_str(s.as_str())
                }
            }
            Value::Bytes(b) => format_bytes(&b.data, out),
            Value::Range(r) => format_range(&r, out),
            Value::List(list) => {
                if !self.enter(v, out, "[...]") {
                    return;
                }
                out.push('[');
                let items = list.items.borrow().clone();
                for (i, item) in items.into_iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    self.write(out, item, true);
                }
                out.push(']');
                self.seen.pop();
            }
            Value::Map(map) => {
                if !self.enter(v, out, "{...}") {
                    return;
                }
                out.push('{');
                let entries: Vec<_> = map
                    .table
                    .borrow()
                    .iter()
                    .map(|(k, v)| (k.to_value(), *v))
                    .collect();
                for (i, (k, item)) in entries.into_iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    self.write(out, k, true);
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
                let fields = inst.fields.borrow().clone();
                for (i, (name, item)) in fields.into_iter().enumerate() {
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
