//! `for` loops over built-in iterables: lists, strings (characters), maps
//! (keys, in insertion order), ranges and bytes (ints).

use crate::value::error::type_error;
use crate::value::{Iter, IterState, NResult, Value};
use crate::vm::Runtime;
use std::cell::RefCell;

/// The iterator a `for` loop drives over `v`.
pub fn make_iter(rt: &mut Runtime, v: Value) -> NResult {
    let state = match v {
        Value::List(list) => IterState::List { list, index: 0 },
        Value::Str(text) => IterState::Str { text, byte: 0 },
        Value::Bytes(bytes) => IterState::Bytes { bytes, index: 0 },
        Value::Map(map) => IterState::Map { map, index: 0 },
        Value::Range(r) => IterState::Range {
            next: r.start,
            end: r.end,
            step: r.step,
            inclusive: r.inclusive,
            done: r.step == 0,
        },
        Value::Iter(_) => return Ok(v),
        Value::Generator(g) if !g.is_async => return Ok(v),
        Value::Generator(g) => {
            return type_error(format!("async generator {} must be driven with `for await`", g.name))
        }
        Value::Instance(inst) => {
            return type_error(format!(
                "{} is not iterable: its iter() must return a list, string, map, range, bytes or generator",
                inst.class.name
            ))
        }
        _ => return type_error(format!("{} is not iterable", rt.type_name(v))),
    };
    Ok(Value::Iter(rt.heap.alloc(Iter {
        state: RefCell::new(state),
    })))
}

/// The next element, or `None` when the iterator is exhausted.
pub fn next(rt: &mut Runtime, it: &Iter) -> Option<Value> {
    let mut state = it.state.borrow_mut();
    match &mut *state {
        IterState::List { list, index } => {
            let v = list.items.borrow().get(*index).copied()?;
            *index += 1;
            Some(v)
        }
        IterState::Str { text, byte } => {
            let c = text.as_str()[*byte..].chars().next()?;
            *byte += c.len_utf8();
            Some(rt.char_str(c))
        }
        IterState::Bytes { bytes, index } => {
            let b = *bytes.data.get(*index)?;
            *index += 1;
            Some(Value::Int(b as i64))
        }
        IterState::Map { map, index } => {
            let k = map.table.borrow().get_index(*index).map(|(k, _)| *k)?;
            *index += 1;
            Some(k.to_value())
        }
        IterState::Range {
            next,
            end,
            step,
            inclusive,
            done,
        } => {
            if *done {
                return None;
            }
            let cur = *next;
            let more = if *step > 0 {
                cur < *end || (*inclusive && cur == *end)
            } else {
                cur > *end || (*inclusive && cur == *end)
            };
            if !more {
                *done = true;
                return None;
            }
            match cur.checked_add(*step) {
                Some(n) => *next = n,
                None => *done = true,
            }
            Some(Value::Int(cur))
        }
    }
}
