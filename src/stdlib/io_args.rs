//! Argument helpers shared by the I/O modules (`net`, `fs`, `process`,
//! `io`): option maps, byte payloads, futures that are ready at once, and
//! building result maps.

use crate::gc::Gc;
use crate::runtime::Runtime;
use crate::value::error::type_error;
use crate::value::{FutureKind, Key, Map, NResult, Outcome, Value};

/// `opts[name]` of an option map (nil or a map); unknown keys are errors.
pub fn option(
    rt: &Runtime,
    opts: Option<Value>,
    name: &str,
    known: &[&str],
    f: &str,
) -> NResult<Option<Value>> {
    let m = match opts {
        None | Some(Value::Nil) => return Ok(None),
        Some(Value::Map(m)) => m,
        Some(v) => {
            return type_error(format!(
                "{f}() takes its options as a map, not {}",
                rt.type_name(v)
            ))
        }
    };
    let mut found = None;
    for (k, v) in m.entries().iter() {
        let Key::Str(s) = k else {
            return type_error(format!("{f}(): option names are strings"));
        };
        if !known.contains(&s.as_str()) {
            return type_error(format!(
                "{f}() has no option `{}` (it takes {})",
                s.as_str(),
                known
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if s.as_str() == name {
            found = Some(v);
        }
    }
    Ok(found.filter(|v| !matches!(v, Value::Nil)))
}

/// A string option.
pub fn str_option(
    rt: &Runtime,
    opts: Option<Value>,
    name: &str,
    known: &[&str],
    f: &str,
) -> NResult<Option<String>> {
    match option(rt, opts, name, known, f)? {
        None => Ok(None),
        Some(Value::Str(s)) => Ok(Some(s.as_str().to_string())),
        Some(v) => type_error(format!(
            "{f}(): option `{name}` must be a string, not {}",
            rt.type_name(v)
        )),
    }
}

/// A string argument.
pub fn text(rt: &Runtime, v: Value, what: &str) -> NResult<String> {
    match v {
        Value::Str(s) => Ok(s.as_str().to_string()),
        _ => type_error(format!("{what} must be a string, not {}", rt.type_name(v))),
    }
}

/// A string or bytes argument, checked (kept as the value, not copied).
pub fn data(rt: &Runtime, v: Value, what: &str) -> NResult<Value> {
    match v {
        Value::Str(_) | Value::Bytes(_) => Ok(v),
        _ => type_error(format!(
            "{what} must be a string or bytes, not {}",
            rt.type_name(v)
        )),
    }
}

pub fn data_bytes(v: Value) -> Vec<u8> {
    match v {
        Value::Str(s) => s.as_str().as_bytes().to_vec(),
        Value::Bytes(b) => b.data.to_vec(),
        _ => Vec::new(),
    }
}

/// A future that is already complete.
pub fn ready(rt: &mut Runtime, outcome: Outcome) -> Value {
    let fut = rt
        .sched
        .new_future(&mut rt.heap, FutureKind::Job { key: 0 });
    fut.result.set(Some(outcome));
    Value::Future(fut)
}

/// A map with string keys.
pub fn record(rt: &mut Runtime, fields: Vec<(&str, Value)>) -> Value {
    let map = Map::with_capacity(fields.len());
    for (k, v) in fields {
        let key = rt.heap.alloc(crate::value::Str::new(k));
        // Small maps of a few entries cannot hit the size limit.
        let _ = map.insert(Key::Str(key), v);
    }
    Value::Map(rt.heap.alloc(map))
}

pub fn bytes(rt: &mut Runtime, data: Vec<u8>) -> Value {
    Value::Bytes(rt.heap.alloc(crate::value::Bytes {
        data: data.into_boxed_slice(),
    }))
}

/// The I/O object a method was called on.
pub fn receiver(v: Value) -> Option<Gc<crate::value::io::IoObj>> {
    match v {
        Value::Io(o) => Some(o),
        _ => None,
    }
}
