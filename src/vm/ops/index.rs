//! Indexing, slicing and field access (LANGUAGE.md §3): negative indexes
//! count from the end, out-of-range indexes are an `IndexError`, slices are
//! clamped, missing map keys are a `KeyError`, missing fields an
//! `AttributeError`.

use crate::bytecode::Symbol;
use crate::runtime::Runtime;
use crate::value::error::{err, index_error, type_error};
use crate::value::{BoundMethod, Bytes, ErrorKind, NResult, Str, Value};

/// Resolves a possibly negative index against `len`.
pub fn normalize_index(i: i64, len: usize) -> Option<usize> {
    let len = len as i64;
    let j = if i < 0 { i + len } else { i };
    (0..len).contains(&j).then_some(j as usize)
}

fn int_index(rt: &Runtime, what: &str, i: Value) -> NResult<i64> {
    match i {
        Value::Int(n) => Ok(n),
        _ => type_error(format!(
            "{what} index must be an int, not {}",
            rt.type_name(i)
        )),
    }
}

fn out_of_range<T>(what: &str, i: i64, len: usize) -> NResult<T> {
    index_error(format!("{what} index {i} out of range (length {len})"))
}

pub fn get_index(rt: &mut Runtime, target: Value, index: Value) -> NResult {
    match target {
        Value::List(list) => {
            let i = int_index(rt, "list", index)?;
            let items = list.items.borrow();
            match normalize_index(i, items.len()) {
                Some(j) => Ok(items[j]),
                None => out_of_range("list", i, items.len()),
            }
        }
        Value::Map(map) => {
            let Some(key) = index.to_key() else {
                return type_error(format!("a {} cannot be a map key", rt.type_name(index)));
            };
            let found = map.get(&key);
            match found {
                Some(v) => Ok(v),
                None => err(
                    ErrorKind::KeyError,
                    format!("key {} not found", rt.repr(index)),
                ),
            }
        }
        Value::Str(s) => {
            let i = int_index(rt, "string", index)?;
            match normalize_index(i, s.char_len()) {
                Some(j) => {
                    let c = if s.is_ascii() {
                        s.as_str().as_bytes()[j] as char
                    } else {
                        s.as_str().chars().nth(j).unwrap_or(' ')
                    };
                    Ok(rt.char_str(c))
                }
                None => out_of_range("string", i, s.char_len()),
            }
        }
        Value::Bytes(b) => {
            let i = int_index(rt, "bytes", index)?;
            match normalize_index(i, b.data.len()) {
                Some(j) => Ok(Value::Int(b.data[j] as i64)),
                None => out_of_range("bytes", i, b.data.len()),
            }
        }
        Value::Range(r) => {
            let i = int_index(rt, "range", index)?;
            // A range may hold more than `usize::MAX` values: index in i128.
            let len = r.len() as i128;
            let j = if i < 0 { i as i128 + len } else { i as i128 };
            if (0..len).contains(&j) {
                // An element of the range, so it fits an int.
                let v = r.start as i128 + r.step as i128 * j;
                Ok(Value::Int(i64::try_from(v).unwrap_or(r.end)))
            } else {
                index_error(format!("range index {i} out of range (length {len})"))
            }
        }
        _ => type_error(format!("cannot index {}", rt.type_name(target))),
    }
}

pub fn set_index(rt: &mut Runtime, target: Value, index: Value, value: Value) -> NResult<()> {
    match target {
        Value::List(list) => {
            let i = int_index(rt, "list", index)?;
            let mut items = list.items.borrow_mut();
            let len = items.len();
            match normalize_index(i, len) {
                Some(j) => {
                    items[j] = value;
                    Ok(())
                }
                None => out_of_range("list", i, len),
            }
        }
        Value::Map(map) => {
            let Some(key) = index.to_key() else {
                return type_error(format!("a {} cannot be a map key", rt.type_name(index)));
            };
            if map.insert(key, value)? {
                rt.heap.account(crate::value::map::ENTRY_BYTES);
            }
            Ok(())
        }
        Value::Str(_) | Value::Bytes(_) => type_error(format!(
            "{} values are immutable; build a new one instead",
            rt.type_name(target)
        )),
        _ => type_error(format!(
            "cannot assign to an index of {}",
            rt.type_name(target)
        )),
    }
}

/// Clamps slice bounds (negative ones count from the end) to `0..=len`.
pub fn slice_bounds(rt: &Runtime, start: Value, end: Value, len: usize) -> NResult<(usize, usize)> {
    let clamp = |v: Value, default: usize| -> NResult<usize> {
        match v {
            Value::Nil => Ok(default),
            Value::Int(i) => {
                let l = len as i64;
                let j = if i < 0 { (i + l).max(0) } else { i.min(l) };
                Ok(j as usize)
            }
            _ => type_error(format!(
                "slice bounds must be ints, not {}",
                rt.type_name(v)
            )),
        }
    };
    let a = clamp(start, 0)?;
    let b = clamp(end, len)?;
    Ok((a, b.max(a)))
}

/// `target[start:end]` (absent bounds are nil).
pub fn slice(rt: &mut Runtime, target: Value, start: Value, end: Value) -> NResult {
    match target {
        Value::List(list) => {
            let items = list.items.borrow();
            let (a, b) = slice_bounds(rt, start, end, items.len())?;
            let part = items[a..b].to_vec();
            drop(items);
            Ok(rt.list(part))
        }
        Value::Str(s) => {
            let (a, b) = slice_bounds(rt, start, end, s.char_len())?;
            let part = s.char_slice(a, b).to_string();
            Ok(Value::Str(rt.heap.alloc(Str::new(part))))
        }
        Value::Bytes(bytes) => {
            let (a, b) = slice_bounds(rt, start, end, bytes.data.len())?;
            let part: Box<[u8]> = bytes.data[a..b].into();
            Ok(Value::Bytes(rt.heap.alloc(Bytes { data: part })))
        }
        _ => type_error(format!("cannot slice {}", rt.type_name(target))),
    }
}

/// `target.name`: a field, a method bound to its receiver, or a module member.
pub fn get_field(rt: &mut Runtime, target: Value, name: Symbol) -> NResult {
    match target {
        Value::Instance(inst) => {
            if let Some(v) = inst.get(name) {
                return Ok(v);
            }
            if let Some(m) = inst.class.method(name) {
                return Ok(bind(rt, target, m));
            }
            if inst.class.is_error && name == rt.names.trace {
                let lines = match inst.origin.get() {
                    Some(trace) => crate::vm::error::trace_lines(&rt.sources, trace.items()),
                    None => Vec::new(),
                };
                let items = lines.into_iter().map(|l| rt.str(l)).collect();
                return Ok(rt.list(items));
            }
            err(
                ErrorKind::AttributeError,
                format!(
                    "{} has no field or method `{}`",
                    inst.class.name,
                    rt.symbols.name(name)
                ),
            )
        }
        Value::Module(m) => match m.get(name) {
            Some(v) => Ok(v),
            None => err(
                ErrorKind::AttributeError,
                format!(
                    "module `{}` has no member `{}`",
                    m.name,
                    rt.symbols.name(name)
                ),
            ),
        },
        Value::Task(t) if name == rt.names.id => Ok(Value::Int(t.id as i64)),
        Value::Io(_)
            if crate::stdlib::process::child_field(rt, target, rt.symbols.name(name)).is_some() =>
        {
            Ok(
                crate::stdlib::process::child_field(rt, target, rt.symbols.name(name))
                    .unwrap_or(Value::Nil),
            )
        }
        Value::Class(c) => match c.method(name) {
            Some(m) => Ok(m),
            None => err(
                ErrorKind::AttributeError,
                format!("class {} has no method `{}`", c.name, rt.symbols.name(name)),
            ),
        },
        _ => {
            if let Some(m) = rt.type_methods(target).and_then(|t| t.get(&name)).copied() {
                return Ok(bind(rt, target, m));
            }
            err(
                ErrorKind::AttributeError,
                format!(
                    "{} has no field or method `{}`",
                    rt.type_name(target),
                    rt.symbols.name(name)
                ),
            )
        }
    }
}

fn bind(rt: &mut Runtime, receiver: Value, method: Value) -> Value {
    Value::Bound(rt.heap.alloc(BoundMethod { receiver, method }))
}

pub fn set_field(rt: &mut Runtime, target: Value, name: Symbol, value: Value) -> NResult<()> {
    match target {
        Value::Instance(inst) => {
            inst.set(name, value);
            Ok(())
        }
        _ => err(
            ErrorKind::AttributeError,
            format!(
                "cannot set field `{}` on {}",
                rt.symbols.name(name),
                rt.type_name(target)
            ),
        ),
    }
}
