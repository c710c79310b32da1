//! `for` loops over built-in iterables: lists, strings (characters), maps
//! (keys, in insertion order), ranges and bytes (ints); and the chain of
//! `iter()` calls that turns an instance into one of those.
//!
//! Changing what is iterated during the loop: a list is walked by index, so
//! elements pushed during the loop are visited and removing one before the
//! current position makes the loop skip the next (as in Python and
//! JavaScript); a map never skips a key still present (see `value::map`).

use crate::gc::Gc;
use crate::runtime::Runtime;
use crate::value::error::type_error;
use crate::value::{Instance, Iter, IterState, NResult, Value};
use std::cell::RefCell;

/// The most `iter()` calls one `for` loop makes: an `iter()` may return
/// another instance with `iter()`, but not more than this many times in a
/// row (LANGUAGE.md §13).
pub const MAX_ITER_CHAIN: u32 = 100;

/// Whether a `for` loop over `inst` calls its `iter()` (a method or a field).
pub fn has_iter(rt: &Runtime, inst: &Instance) -> bool {
    let name = rt.names.iter;
    inst.get(name).is_some() || inst.class.method(name).is_some()
}

/// The marker for the first `iter()` call of a chain, on `receiver`.
pub fn chain_marker(rt: &mut Runtime, receiver: Gc<Instance>) -> Value {
    let state = IterState::IterChain { receiver, calls: 1 };
    Value::Iter(rt.heap.alloc(Iter {
        state: RefCell::new(state),
    }))
}

/// `v` if it is a chain marker.
pub fn as_chain(v: Value) -> Option<Gc<Iter>> {
    match v {
        Value::Iter(it) if matches!(*it.state.borrow(), IterState::IterChain { .. }) => Some(it),
        _ => None,
    }
}

/// Records that the chain's `iter()` call returned `result`, an instance
/// with an `iter()` of its own that is called next; a `TypeError` when it is
/// the receiver itself or the chain is too long.
pub fn next_link(chain: &Iter, result: Gc<Instance>) -> NResult<()> {
    let mut state = chain.state.borrow_mut();
    let IterState::IterChain { receiver, calls } = &mut *state else {
        return Ok(());
    };
    if Gc::ptr_eq(*receiver, result) {
        return type_error(format!(
            "{}.iter() returned its own instance; iter() must return another iterable",
            result.class.name
        ));
    }
    if *calls >= MAX_ITER_CHAIN {
        return type_error(format!(
            "iter() returned an instance with iter() {MAX_ITER_CHAIN} times in a row \
             (the last was {}.iter())",
            receiver.class.name
        ));
    }
    *receiver = result;
    *calls += 1;
    Ok(())
}

/// The iterator a `for` loop drives over `v`.
pub fn make_iter(rt: &mut Runtime, v: Value) -> NResult {
    let state = match v {
        Value::List(list) => IterState::List { list, index: 0 },
        Value::Str(text) => IterState::Str { text, byte: 0 },
        Value::Bytes(bytes) => IterState::Bytes { bytes, index: 0 },
        Value::Map(map) => IterState::Map {
            map,
            cursor: map.cursor(),
        },
        Value::Range(r) => IterState::Range {
            next: r.start,
            end: r.end,
            step: r.step,
            inclusive: r.inclusive,
            done: r.step == 0,
        },
        Value::Iter(it) if as_chain(v).is_none() => return Ok(Value::Iter(it)),
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
        IterState::Map { map, cursor } => map.next_key(cursor).map(|k| k.to_value()),
        IterState::IterChain { .. } => None,
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
