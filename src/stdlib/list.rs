//! Native methods of lists (LANGUAGE.md §9, §13 "Library"). The methods
//! that take a function (`map`, `filter`, `sort_by`, ...) are in
//! `std/prelude.weft`; `sort_by` relies on `_sort_keyed` here.
//!
//! Methods that change the list return nil. When a list grows, the growth is
//! reported to the heap so that programs that only grow containers still
//! trigger collections, and checked against the object size cap
//! (`value::limit`), so that a list pushed onto forever ends with a
//! `ValueError` rather than an aborted process.

use super::string::{want_int, want_str};
use crate::gc::Gc;
use crate::runtime::Runtime;
use crate::value::error::{index_error, type_error};
use crate::value::limit::{self, reserve};
use crate::value::{values_equal, List, NResult, NativeFn, Value};
use crate::vm::ops::arith::order;
use crate::vm::ops::index::{normalize_index, slice_bounds};
use std::cmp::Ordering;

#[rustfmt::skip]
pub static METHODS: &[NativeFn] = &[
    NativeFn { name: "len", min: 0, max: 0, f: len },
    NativeFn { name: "push", min: 1, max: 1, f: push },
    NativeFn { name: "pop", min: 0, max: 1, f: pop },
    NativeFn { name: "insert", min: 2, max: 2, f: insert },
    NativeFn { name: "remove", min: 1, max: 1, f: remove },
    NativeFn { name: "contains", min: 1, max: 1, f: contains },
    NativeFn { name: "index_of", min: 1, max: 1, f: index_of },
    NativeFn { name: "slice", min: 1, max: 2, f: slice },
    NativeFn { name: "sort", min: 0, max: 0, f: sort },
    NativeFn { name: "reverse", min: 0, max: 0, f: reverse },
    NativeFn { name: "join", min: 0, max: 1, f: join },
    NativeFn { name: "copy", min: 0, max: 0, f: copy },
    NativeFn { name: "extend", min: 1, max: 1, f: extend },
    NativeFn { name: "clear", min: 0, max: 0, f: clear },
    NativeFn { name: "_sort_keyed", min: 0, max: 0, f: sort_keyed },
];

const SLOT: usize = std::mem::size_of::<Value>();

fn this(rt: &Runtime, args: &[Value]) -> NResult<Gc<List>> {
    match args[0] {
        Value::List(l) => Ok(l),
        v => type_error(format!("list method called on {}", rt.type_name(v))),
    }
}

fn len(rt: &mut Runtime, args: &[Value]) -> NResult {
    Ok(Value::Int(this(rt, args)?.items.borrow().len() as i64))
}

fn push(rt: &mut Runtime, args: &[Value]) -> NResult {
    let list = this(rt, args)?;
    let mut items = list.items.borrow_mut();
    reserve(&mut items, 1, "list")?;
    items.push(args[1]);
    drop(items);
    rt.heap.account(SLOT);
    Ok(Value::Nil)
}

fn pop(rt: &mut Runtime, args: &[Value]) -> NResult {
    let list = this(rt, args)?;
    let mut items = list.items.borrow_mut();
    let len = items.len();
    match args.get(1) {
        // `pop(i)` as in Python: remove and return the element at `i`.
        Some(v) => {
            let i = want_int(rt, *v, "pop")?;
            match normalize_index(i, len) {
                Some(j) => Ok(items.remove(j)),
                None => index_error(format!("pop index {i} out of range (length {len})")),
            }
        }
        None => match items.pop() {
            Some(v) => Ok(v),
            None => index_error("pop from an empty list"),
        },
    }
}

fn insert(rt: &mut Runtime, args: &[Value]) -> NResult {
    let list = this(rt, args)?;
    let i = want_int(rt, args[1], "insert")?;
    let mut items = list.items.borrow_mut();
    let len = items.len();
    // Negative indexes count from the end as indexing does; `len` appends.
    let at = if i == len as i64 {
        Some(len)
    } else {
        normalize_index(i, len)
    };
    match at {
        Some(j) => {
            reserve(&mut items, 1, "list")?;
            items.insert(j, args[2]);
            drop(items);
            rt.heap.account(SLOT);
            Ok(Value::Nil)
        }
        None => index_error(format!("insert index {i} out of range (length {len})")),
    }
}

fn remove(rt: &mut Runtime, args: &[Value]) -> NResult {
    let list = this(rt, args)?;
    let i = want_int(rt, args[1], "remove")?;
    let mut items = list.items.borrow_mut();
    let len = items.len();
    match normalize_index(i, len) {
        Some(j) => Ok(items.remove(j)),
        None => index_error(format!("remove index {i} out of range (length {len})")),
    }
}

fn position(list: Gc<List>, x: Value) -> Option<usize> {
    // Elements are copied out one at a time: `values_equal` borrows nested
    // lists, which may include this one.
    let mut i = 0;
    loop {
        let item = list.items.borrow().get(i).copied()?;
        if values_equal(item, x) {
            return Some(i);
        }
        i += 1;
    }
}

fn contains(rt: &mut Runtime, args: &[Value]) -> NResult {
    let list = this(rt, args)?;
    Ok(Value::Bool(position(list, args[1]).is_some()))
}

fn index_of(rt: &mut Runtime, args: &[Value]) -> NResult {
    let list = this(rt, args)?;
    Ok(match position(list, args[1]) {
        Some(i) => Value::Int(i as i64),
        None => Value::Nil,
    })
}

fn slice(rt: &mut Runtime, args: &[Value]) -> NResult {
    let list = this(rt, args)?;
    let end = args.get(2).copied().unwrap_or(Value::Nil);
    let part = {
        let items = list.items.borrow();
        let (a, b) = slice_bounds(rt, args[1], end, items.len())?;
        items[a..b].to_vec()
    };
    Ok(rt.list(part))
}

/// What `sort` can order: numbers with numbers, strings with strings.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SortClass {
    Number,
    Text,
}

fn sort_class(v: Value) -> Option<SortClass> {
    match v {
        Value::Int(_) | Value::Float(_) => Some(SortClass::Number),
        Value::Str(_) => Some(SortClass::Text),
        _ => None,
    }
}

/// Checks that every value can be compared with every other one, so that
/// the sort itself only ever meets comparable pairs.
fn check_sortable(rt: &Runtime, values: impl Iterator<Item = Value>) -> NResult<()> {
    let mut first: Option<(Value, SortClass)> = None;
    for v in values {
        let class = sort_class(v);
        match (first, class) {
            (None, Some(c)) => first = Some((v, c)),
            (Some((_, c0)), Some(c)) if c0 == c => {}
            (Some((f, _)), _) => {
                return type_error(format!(
                    "cannot sort: {} and {} are not comparable",
                    rt.type_name(f),
                    rt.type_name(v)
                ))
            }
            (None, None) => {
                return type_error(format!("cannot sort values of type {}", rt.type_name(v)))
            }
        }
    }
    Ok(())
}

/// A total order over values that passed [`check_sortable`]: `order`, with
/// NaN placed after every other number (and equal to itself), so the sort
/// never sees an inconsistent comparison.
fn total_order(a: Value, b: Value) -> Ordering {
    match order(a, b) {
        Ok(Some(o)) => o,
        _ => {
            let nan = |v: Value| matches!(v, Value::Float(x) if x.is_nan());
            nan(a).cmp(&nan(b))
        }
    }
}

fn sort(rt: &mut Runtime, args: &[Value]) -> NResult {
    let list = this(rt, args)?;
    let mut items = list.items.borrow().clone();
    if items.len() > 1 {
        check_sortable(rt, items.iter().copied())?;
    }
    // `sort_by` is stable.
    items.sort_by(|a, b| total_order(*a, *b));
    *list.items.borrow_mut() = items;
    Ok(Value::Nil)
}

/// Sorts a list of `[key, index, value]` lists by key, then index (used by
/// the prelude's `sort_by`).
fn sort_keyed(rt: &mut Runtime, args: &[Value]) -> NResult {
    let list = this(rt, args)?;
    let entries = list.items.borrow().clone();
    let mut keyed = Vec::with_capacity(entries.len());
    for e in entries {
        let key = match e {
            Value::List(l) => l.items.borrow().first().copied(),
            _ => None,
        };
        match key {
            Some(k) => keyed.push((k, e)),
            None => return type_error("_sort_keyed expects [key, index, value] lists"),
        }
    }
    if keyed.len() > 1 {
        check_sortable(rt, keyed.iter().map(|(k, _)| *k))?;
    }
    // The entries are in index order already, so a stable sort by key
    // breaks ties by index.
    keyed.sort_by(|a, b| total_order(a.0, b.0));
    *list.items.borrow_mut() = keyed.into_iter().map(|(_, e)| e).collect();
    Ok(Value::Nil)
}

fn reverse(rt: &mut Runtime, args: &[Value]) -> NResult {
    this(rt, args)?.items.borrow_mut().reverse();
    Ok(Value::Nil)
}

fn join(rt: &mut Runtime, args: &[Value]) -> NResult {
    let list = this(rt, args)?;
    let sep = match args.get(1) {
        Some(v) => Some(want_str(rt, *v, "join")?),
        None => None,
    };
    let sep = sep.as_ref().map_or("", |s| s.as_str());
    let items = list.items.borrow().clone();
    let mut out = String::new();
    for (i, v) in items.into_iter().enumerate() {
        if i > 0 {
            limit::grow_string(&mut out, sep.len(), "joined string")?;
            out.push_str(sep);
        }
        crate::value::display::try_display_into(&mut out, v, &rt.symbols)?;
    }
    Ok(rt.str(out))
}

fn copy(rt: &mut Runtime, args: &[Value]) -> NResult {
    let items = this(rt, args)?.items.borrow().clone();
    Ok(rt.list(items))
}

fn extend(rt: &mut Runtime, args: &[Value]) -> NResult {
    let list = this(rt, args)?;
    // Built-in iterables are accepted as `for` iterates them; the elements
    // are gathered first so `xs.extend(xs)` works. The size is checked
    // before anything is gathered (a range may be astronomically long).
    let len = list.items.borrow().len();
    let extra = match args[1] {
        Value::List(other) => other.items.borrow().len(),
        Value::Range(r) => usize::try_from(r.len()).unwrap_or(usize::MAX),
        Value::Map(m) => m.len(),
        Value::Str(s) => {
            // Characters beyond ASCII become new strings.
            if !s.is_ascii() {
                limit::check_size(s.char_len(), super::string::PIECE_BYTES, "list")?;
            }
            s.char_len()
        }
        Value::Bytes(b) => b.data.len(),
        v => return type_error(format!("extend() expects a list, not {}", rt.type_name(v))),
    };
    limit::check_size(len.saturating_add(extra), SLOT, "list")?;
    let more: Vec<Value> = match args[1] {
        Value::List(other) => other.items.borrow().clone(),
        Value::Range(r) => r.iter().map(Value::Int).collect(),
        Value::Map(m) => m.entries().iter().map(|(k, _)| k.to_value()).collect(),
        Value::Str(s) => {
            let text = s.as_str().to_string();
            text.chars().map(|c| rt.char_str(c)).collect()
        }
        Value::Bytes(b) => b.data.iter().map(|x| Value::Int(*x as i64)).collect(),
        _ => Vec::new(),
    };
    let mut items = list.items.borrow_mut();
    reserve(&mut items, more.len(), "list")?;
    items.extend(more);
    drop(items);
    rt.heap.account(extra * SLOT);
    Ok(Value::Nil)
}

fn clear(rt: &mut Runtime, args: &[Value]) -> NResult {
    this(rt, args)?.items.borrow_mut().clear();
    Ok(Value::Nil)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ints(rt: &mut Runtime, xs: &[i64]) -> Value {
        let items = xs.iter().map(|x| Value::Int(*x)).collect();
        rt.list(items)
    }

    fn shown(rt: &Runtime, v: Value) -> String {
        rt.display(v)
    }

    #[test]
    fn sort_is_total_with_nan() {
        let mut rt = Runtime::new();
        let items = vec![
            Value::Float(f64::NAN),
            Value::Int(3),
            Value::Float(1.5),
            Value::Float(f64::NAN),
            Value::Int(-1),
        ];
        let l = rt.list(items);
        assert!(sort(&mut rt, &[l]).is_ok());
        assert_eq!(shown(&rt, l), "[-1, 1.5, 3, NaN, NaN]");
    }

    #[test]
    fn sort_rejects_mixed_types() {
        let mut rt = Runtime::new();
        let s = rt.str("a");
        let l = rt.list(vec![Value::Int(1), s]);
        assert!(sort(&mut rt, &[l]).is_err());
        assert_eq!(shown(&rt, l), "[1, \"a\"]");
        let single = rt.list(vec![Value::Nil]);
        assert!(sort(&mut rt, &[single]).is_ok());
    }

    #[test]
    fn sort_keyed_is_stable() {
        let mut rt = Runtime::new();
        let mut entries = Vec::new();
        for (i, k) in [2, 1, 2, 1].into_iter().enumerate() {
            let e = ints(&mut rt, &[k, i as i64, 10 * i as i64]);
            entries.push(e);
        }
        let l = rt.list(entries);
        assert!(sort_keyed(&mut rt, &[l]).is_ok());
        assert_eq!(
            shown(&rt, l),
            "[[1, 1, 10], [1, 3, 30], [2, 0, 0], [2, 2, 20]]"
        );
    }

    #[test]
    fn insert_and_remove_indexes() {
        let mut rt = Runtime::new();
        let l = ints(&mut rt, &[1, 2, 3]);
        assert!(insert(&mut rt, &[l, Value::Int(-1), Value::Int(8)]).is_ok());
        assert!(insert(&mut rt, &[l, Value::Int(4), Value::Int(9)]).is_ok());
        assert!(insert(&mut rt, &[l, Value::Int(6), Value::Int(0)]).is_err());
        assert!(insert(&mut rt, &[l, Value::Int(-6), Value::Int(0)]).is_err());
        assert_eq!(shown(&rt, l), "[1, 2, 8, 3, 9]");
        assert!(matches!(
            remove(&mut rt, &[l, Value::Int(-2)]),
            Ok(Value::Int(3))
        ));
        assert!(remove(&mut rt, &[l, Value::Int(4)]).is_err());
    }

    #[test]
    fn extend_with_itself() {
        let mut rt = Runtime::new();
        let l = ints(&mut rt, &[1, 2]);
        assert!(extend(&mut rt, &[l, l]).is_ok());
        assert_eq!(shown(&rt, l), "[1, 2, 1, 2]");
    }

    #[test]
    fn contains_in_self_referencing_list() {
        let mut rt = Runtime::new();
        let l = ints(&mut rt, &[1]);
        if let Value::List(g) = l {
            g.items.borrow_mut().push(l);
        }
        let probe = ints(&mut rt, &[5]);
        assert!(matches!(
            contains(&mut rt, &[l, probe]),
            Ok(Value::Bool(false))
        ));
        assert!(matches!(index_of(&mut rt, &[l, l]), Ok(Value::Int(1))));
    }
}
