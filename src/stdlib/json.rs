//! The `json` module (LANGUAGE.md §10, §13): `json.parse(s)` and
//! `json.stringify(v, indent?)`.
//!
//! Parsing drives serde_json with a seed that builds Weft values directly:
//! objects become insertion-ordered maps, arrays lists, integers that fit an
//! i64 ints, every other number a float, `null` nil. serde_json's nesting
//! limit (128) turns absurdly deep documents into a `ValueError` instead of
//! a stack overflow.
//!
//! Stringifying follows JavaScript's `JSON.stringify(v, null, indent)`
//! layout, with floats written as Weft displays them (`1.0`, `1e16`).
//! Choices where JSON has no direct counterpart:
//! - map keys that are ints or bools are written as the strings `str` gives
//!   (`{1: "a", true: "b"}` → `{"1":"a","true":"b"}`), as Python's `json`
//!   does; bytes keys, like every other non-JSON value, are a `TypeError`;
//! - `inf`/`NaN` are a `ValueError`, as are cycles and nesting deeper than
//!   [`MAX_DEPTH`];
//! - `indent` may be an int (spaces per level) or a string (used as the
//!   unit); `0`, `""` and nil mean compact; a negative int is a `ValueError`.

use crate::runtime::Runtime;
use crate::value::display::format_float;
use crate::value::error::{type_error, value_error};
use crate::value::limit;
use crate::value::{Key, Map, NResult, NativeFn, Str, Value};
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;

#[rustfmt::skip]
static FUNCTIONS: &[NativeFn] = &[
    NativeFn { name: "parse", min: 1, max: 1, f: parse },
    NativeFn { name: "stringify", min: 1, max: 2, f: stringify },
];

/// Containers nested deeper than this are refused by `stringify` (the
/// writer recurses, and scripts can build arbitrarily deep lists).
const MAX_DEPTH: usize = 512;

pub fn members(_rt: &mut Runtime) -> Vec<(&'static str, Value)> {
    super::natives(FUNCTIONS)
}

// ---------------------------------------------------------------- parse

fn parse(rt: &mut Runtime, args: &[Value]) -> NResult {
    match args[0] {
        Value::Str(s) => {
            let text = s.as_str().to_string();
            parse_str(rt, &text)
        }
        Value::Bytes(b) => {
            let data = b.data.to_vec();
            let mut de = serde_json::Deserializer::from_slice(&data);
            finish(ValueSeed { rt }.deserialize(&mut de), de.end())
        }
        v => type_error(format!(
            "json.parse() expects a string, not {}",
            rt.type_name(v)
        )),
    }
}

/// Parses one JSON document (surrounding whitespace allowed).
pub(crate) fn parse_str(rt: &mut Runtime, text: &str) -> NResult {
    let mut de = serde_json::Deserializer::from_str(text);
    finish(ValueSeed { rt }.deserialize(&mut de), de.end())
}

fn finish(value: serde_json::Result<Value>, end: serde_json::Result<()>) -> NResult {
    match value.and_then(|v| end.map(|()| v)) {
        Ok(v) => Ok(v),
        Err(e) => value_error(describe(&e)),
    }
}

/// "invalid JSON at line 2, column 7: expected value".
fn describe(e: &serde_json::Error) -> String {
    let full = e.to_string();
    if e.line() == 0 {
        return format!("invalid JSON: {full}");
    }
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let reason = full.strip_suffix(&suffix).unwrap_or(&full);
    format!(
        "invalid JSON at line {}, column {}: {reason}",
        e.line(),
        e.column()
    )
}

/// Builds one Weft value from whatever the deserializer holds next.
struct ValueSeed<'a> {
    rt: &'a mut Runtime,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Nil)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::Int(n))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(match i64::try_from(n) {
            Ok(i) => Value::Int(i),
            Err(_) => Value::Float(n as f64),
        })
    }

    fn visit_f64<E>(self, x: f64) -> Result<Value, E> {
        Ok(Value::Float(x))
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(self.rt.str(s))
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(self.rt.str(s))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(v) = seq.next_element_seed(ValueSeed { rt: &mut *self.rt })? {
            limit::reserve(&mut items, 1, "list").map_err(too_large)?;
            items.push(v);
        }
        Ok(self.rt.list(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let table = Map::with_capacity(0);
        while let Some(k) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            let key = Key::Str(self.rt.heap.alloc(Str::new(k.as_ref())));
            let v = map.next_value_seed(ValueSeed { rt: &mut *self.rt })?;
            // A repeated key keeps its first position and its last value,
            // as in JavaScript.
            table.insert(key, v).map_err(too_large)?;
        }
        Ok(Value::Map(self.rt.heap.alloc(table)))
    }
}

/// A container past the size cap, as the parser's error.
fn too_large<E: serde::de::Error>(c: crate::value::Ctrl) -> E {
    match c {
        crate::value::Ctrl::Error(_, message) => E::custom(message),
        _ => E::custom("value too large"),
    }
}

// ------------------------------------------------------------ stringify

fn stringify(rt: &mut Runtime, args: &[Value]) -> NResult {
    let indent = match args.get(1).copied().unwrap_or(Value::Nil) {
        Value::Nil => None,
        Value::Int(n) if n < 0 => {
            return value_error(format!(
                "json.stringify() indent must not be negative, got {n}"
            ))
        }
        Value::Int(0) => None,
        Value::Int(n) => Some(" ".repeat(n.min(1024) as usize)),
        Value::Str(s) if s.as_str().is_empty() => None,
        Value::Str(s) => Some(s.as_str().to_string()),
        v => {
            return type_error(format!(
                "json.stringify() indent must be an int or a string, not {}",
                rt.type_name(v)
            ))
        }
    };
    let text = to_json(rt, args[0], indent.as_deref())?;
    Ok(rt.str(text))
}

/// The JSON text of `v`; `indent` is the unit of indentation, or `None`
/// for the compact form.
pub(crate) fn to_json(rt: &Runtime, v: Value, indent: Option<&str>) -> NResult<String> {
    let mut w = Writer {
        rt,
        out: String::new(),
        indent,
        path: Vec::new(),
        full: None,
    };
    w.value(v)?;
    if let Some(e) = w.full.take() {
        return Err(e);
    }
    Ok(w.out)
}

struct Writer<'a> {
    rt: &'a Runtime,
    out: String,
    indent: Option<&'a str>,
    /// Addresses of the containers being written, for cycle detection.
    path: Vec<usize>,
    /// The error to report once indentation did not fit.
    full: Option<crate::value::Ctrl>,
}

impl Writer<'_> {
    /// Makes room for `more` bytes of text, within the size cap
    /// (`value::limit`).
    fn room(&mut self, more: usize) -> NResult<()> {
        if let Some(e) = self.full.take() {
            return Err(e);
        }
        limit::grow_string(&mut self.out, more, "json.stringify() result")
    }

    fn value(&mut self, v: Value) -> NResult<()> {
        // Every value adds at least a byte, so this also ends the loops
        // over big containers once the text is full.
        self.room(1)?;
        match v {
            Value::Nil => self.out.push_str("null"),
            Value::Bool(b) => self.out.push_str(if b { "true" } else { "false" }),
            Value::Int(n) => self.out.push_str(&n.to_string()),
            Value::Float(x) => {
                if !x.is_finite() {
                    return value_error(format!("{x:?} cannot be written as JSON"));
                }
                self.out.push_str(&format_float(x));
            }
            Value::Str(s) => self.string(s.as_str())?,
            Value::List(list) => {
                self.enter(v)?;
                let items = list.items.borrow();
                self.open('[', items.is_empty());
                for (i, item) in items.iter().enumerate() {
                    self.separator(i);
                    self.value(*item)?;
                }
                self.close(']', items.is_empty());
                self.path.pop();
            }
            Value::Map(map) => {
                self.enter(v)?;
                let entries = map.entries();
                self.open('{', entries.is_empty());
                for (i, (k, item)) in entries.iter().enumerate() {
                    self.separator(i);
                    self.key(k)?;
                    self.out.push(':');
                    if self.indent.is_some() {
                        self.out.push(' ');
                    }
                    self.value(item)?;
                }
                self.close('}', entries.is_empty());
                self.path.pop();
            }
            _ => {
                return type_error(format!(
                    "{} cannot be written as JSON",
                    self.rt.type_name(v)
                ))
            }
        }
        Ok(())
    }

    fn string(&mut self, s: &str) -> NResult<()> {
        self.room(escaped_len(s))?;
        match serde_json::to_string(s) {
            Ok(quoted) => {
                self.out.push_str(&quoted);
                Ok(())
            }
            Err(e) => value_error(format!("cannot write string as JSON: {e}")),
        }
    }

    fn key(&mut self, k: Key) -> NResult<()> {
        match k {
            Key::Str(s) => self.string(s.as_str()),
            Key::Int(n) => self.string(&n.to_string()),
            Key::Bool(b) => self.string(if b { "true" } else { "false" }),
            Key::Bytes(_) => type_error("a bytes map key cannot be written as JSON"),
        }
    }

    fn enter(&mut self, v: Value) -> NResult<()> {
        let addr = v.heap_addr().unwrap_or(0);
        if self.path.contains(&addr) {
            return value_error("cannot write a cyclic structure as JSON");
        }
        if self.path.len() >= MAX_DEPTH {
            return value_error(format!(
                "cannot write JSON nested deeper than {MAX_DEPTH} levels"
            ));
        }
        self.path.push(addr);
        Ok(())
    }

    fn open(&mut self, bracket: char, empty: bool) {
        self.out.push(bracket);
        if !empty {
            self.newline(self.path.len());
        }
    }

    fn close(&mut self, bracket: char, empty: bool) {
        if !empty {
            self.newline(self.path.len() - 1);
        }
        self.out.push(bracket);
    }

    fn separator(&mut self, i: usize) {
        if i > 0 {
            self.out.push(',');
            self.newline(self.path.len());
        }
    }

    fn newline(&mut self, level: usize) {
        if let Some(unit) = self.indent {
            let more = unit.len().saturating_mul(level).saturating_add(1);
            if self.full.is_some() {
                return;
            }
            if let Err(e) = self.room(more) {
                self.full = Some(e);
                return;
            }
            self.out.push('\n');
            for _ in 0..level {
                self.out.push_str(unit);
            }
        }
    }
}

/// The length of a string as JSON: quoted, with `"`, `\\` and control
/// characters escaped (`\n` or `\u001b`) as serde_json writes them.
fn escaped_len(s: &str) -> usize {
    2 + s
        .bytes()
        .map(|b| match b {
            b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => 2,
            0..=0x1f => 6,
            _ => 1,
        })
        .sum::<usize>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_length_is_exact() {
        for s in ["", "plain é", "\"\\\n\r\t\u{8}\u{c}", "\u{0}\u{1f}\u{7f}"] {
            let quoted = serde_json::to_string(s).unwrap_or_default();
            assert_eq!(escaped_len(s), quoted.len(), "{s:?}");
        }
    }

    fn round(rt: &mut Runtime, text: &str, indent: Option<&str>) -> String {
        match parse_str(rt, text) {
            Ok(v) => to_json(rt, v, indent).unwrap_or_else(|e| format!("stringify error {e:?}")),
            Err(e) => format!("parse error {e:?}"),
        }
    }

    fn parse_error(text: &str) -> String {
        let mut rt = Runtime::new();
        match parse_str(&mut rt, text) {
            Err(crate::value::Ctrl::Error(crate::value::ErrorKind::ValueError, m)) => m,
            other => format!("unexpected {other:?}"),
        }
    }

    #[test]
    fn compact_layout() {
        let mut rt = Runtime::new();
        let text = r#" {"a": 1, "b": [1, 2], "c": {}, "d": [], "e": null, "f": "x\"y"} "#;
        assert_eq!(
            round(&mut rt, text, None),
            r#"{"a":1,"b":[1,2],"c":{},"d":[],"e":null,"f":"x\"y"}"#
        );
    }

    #[test]
    fn indented_layout() {
        let mut rt = Runtime::new();
        let text = r#"{"a": 1, "b": [1, 2], "c": {"d": null}, "e": [], "f": [{}]}"#;
        let want = "{\n  \"a\": 1,\n  \"b\": [\n    1,\n    2\n  ],\n  \"c\": {\n    \"d\": null\n  },\n  \"e\": [],\n  \"f\": [\n    {}\n  ]\n}";
        assert_eq!(round(&mut rt, text, Some("  ")), want);
        assert_eq!(round(&mut rt, "[]", Some("  ")), "[]");
        assert_eq!(round(&mut rt, "7", Some("  ")), "7");
    }

    #[test]
    fn numbers() {
        let mut rt = Runtime::new();
        let text = "[1, -7, 2.5, 1.0, 1e2, 1e16, 1e-5, 12345678901, 9223372036854775808, -0.5]";
        assert_eq!(
            round(&mut rt, text, None),
            "[1,-7,2.5,1.0,100.0,1e16,1e-5,12345678901,9.223372036854776e18,-0.5]"
        );
        assert!(to_json(&rt, Value::Float(f64::NAN), None).is_err());
        assert!(to_json(&rt, Value::Float(f64::NEG_INFINITY), None).is_err());
    }

    #[test]
    fn parse_errors_give_line_and_column() {
        assert_eq!(
            parse_error("[\n1,\n2 3]"),
            "invalid JSON at line 3, column 3: expected `,` or `]`"
        );
        assert!(parse_error("").starts_with("invalid JSON at line 1, column 0"));
        assert!(parse_error("1 2").contains("trailing characters"));
        for bad in ["[1,]", "{'a': 1}", "tru", "\"open", "{\"a\" 1}"] {
            assert!(
                parse_error(bad).starts_with("invalid JSON at line"),
                "{bad}"
            );
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = "[".repeat(100_000);
        assert!(parse_error(&deep).contains("recursion limit"));
        let mut rt = Runtime::new();
        let mut v = rt.list(vec![]);
        for _ in 0..10_000 {
            v = rt.list(vec![v]);
        }
        assert!(to_json(&rt, v, None).is_err());
    }

    #[test]
    fn cycles_and_non_json_values() {
        let mut rt = Runtime::new();
        let l = rt.list(vec![Value::Int(1)]);
        if let Value::List(g) = l {
            g.items.borrow_mut().push(l);
        }
        assert!(matches!(
            to_json(&rt, l, None),
            Err(crate::value::Ctrl::Error(
                crate::value::ErrorKind::ValueError,
                _
            ))
        ));
        // Shared (not cyclic) structure is fine.
        let inner = rt.list(vec![Value::Int(2)]);
        let outer = rt.list(vec![inner, inner]);
        assert_eq!(to_json(&rt, outer, None).ok().as_deref(), Some("[[2],[2]]"));
        let r = rt.str("x");
        let b = crate::value::display::display(r, &rt.symbols);
        assert_eq!(b, "x");
        let range = Value::Range(rt.heap.alloc(crate::value::Range {
            start: 0,
            end: 1,
            step: 1,
            inclusive: false,
        }));
        assert!(matches!(
            to_json(&rt, range, None),
            Err(crate::value::Ctrl::Error(
                crate::value::ErrorKind::TypeError,
                _
            ))
        ));
    }

    #[test]
    fn non_string_keys() {
        let mut rt = Runtime::new();
        let mut table = crate::value::MapTable::default();
        table.insert(Key::Int(1), Value::Nil);
        table.insert(Key::Bool(true), Value::Int(2));
        let m = Value::Map(rt.heap.alloc(Map::new(table)));
        assert_eq!(
            to_json(&rt, m, None).ok().as_deref(),
            Some(r#"{"1":null,"true":2}"#)
        );
    }

    #[test]
    fn strings_and_duplicate_keys() {
        let mut rt = Runtime::new();
        assert_eq!(
            round(&mut rt, r#""\ud83d\ude00 \u00e9 \n""#, None),
            "\"\u{1F600} é \\n\""
        );
        assert_eq!(
            round(&mut rt, r#"{"a": 1, "b": 2, "a": 3}"#, None),
            r#"{"a":3,"b":2}"#
        );
    }
}
