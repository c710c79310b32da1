//! Native methods of maps (LANGUAGE.md §9, §13 "Library"). Maps keep
//! insertion order; `keys`, `values` and `items` return new lists in that
//! order, and `remove` keeps the order of the remaining entries (see
//! `value::map` for how loops over a changing map keep their place).

use crate::gc::Gc;
use crate::runtime::Runtime;
use crate::value::error::{err, type_error};
use crate::value::limit::{self, vec_with_capacity};
use crate::value::{ErrorKind, Key, List, Map, NResult, NativeFn, Value};

#[rustfmt::skip]
pub static METHODS: &[NativeFn] = &[
    NativeFn { name: "len", min: 0, max: 0, f: len },
    NativeFn { name: "get", min: 1, max: 2, f: get },
    NativeFn { name: "has", min: 1, max: 1, f: has },
    NativeFn { name: "remove", min: 1, max: 1, f: remove },
    NativeFn { name: "keys", min: 0, max: 0, f: keys },
    NativeFn { name: "values", min: 0, max: 0, f: values },
    NativeFn { name: "items", min: 0, max: 0, f: items },
    NativeFn { name: "copy", min: 0, max: 0, f: copy },
];

fn this(rt: &Runtime, args: &[Value]) -> NResult<Gc<Map>> {
    match args[0] {
        Value::Map(m) => Ok(m),
        v => type_error(format!("map method called on {}", rt.type_name(v))),
    }
}

fn key(rt: &Runtime, v: Value) -> NResult<Key> {
    match v.to_key() {
        Some(k) => Ok(k),
        None => type_error(format!("a {} cannot be a map key", rt.type_name(v))),
    }
}

fn len(rt: &mut Runtime, args: &[Value]) -> NResult {
    Ok(Value::Int(this(rt, args)?.len() as i64))
}

fn get(rt: &mut Runtime, args: &[Value]) -> NResult {
    let map = this(rt, args)?;
    let k = key(rt, args[1])?;
    let found = map.get(&k);
    Ok(found.unwrap_or_else(|| args.get(2).copied().unwrap_or(Value::Nil)))
}

fn has(rt: &mut Runtime, args: &[Value]) -> NResult {
    let map = this(rt, args)?;
    let k = key(rt, args[1])?;
    let found = map.contains(&k);
    Ok(Value::Bool(found))
}

fn remove(rt: &mut Runtime, args: &[Value]) -> NResult {
    let map = this(rt, args)?;
    let k = key(rt, args[1])?;
    let removed = map.remove(&k);
    match removed {
        Some(v) => Ok(v),
        None => err(
            ErrorKind::KeyError,
            format!("key {} not found", rt.repr(args[1])),
        ),
    }
}

fn keys(rt: &mut Runtime, args: &[Value]) -> NResult {
    let map = this(rt, args)?;
    let mut ks = vec_with_capacity(map.len(), "keys() list")?;
    ks.extend(map.entries().iter().map(|(k, _)| k.to_value()));
    Ok(rt.list(ks))
}

fn values(rt: &mut Runtime, args: &[Value]) -> NResult {
    let map = this(rt, args)?;
    let mut vs = vec_with_capacity(map.len(), "values() list")?;
    vs.extend(map.entries().iter().map(|(_, v)| v));
    Ok(rt.list(vs))
}

/// Bytes one `[key, value]` pair of `items()` takes: its slot in the outer
/// list, its own list object and its two elements.
const PAIR_BYTES: usize =
    std::mem::size_of::<crate::gc::GcBox<List>>() + 3 * std::mem::size_of::<Value>();

fn items(rt: &mut Runtime, args: &[Value]) -> NResult {
    let map = this(rt, args)?;
    limit::check_size(map.len(), PAIR_BYTES, "items() list")?;
    let pairs = map.to_vec();
    let lists = pairs
        .into_iter()
        .map(|(k, v)| rt.list(vec![k.to_value(), v]))
        .collect();
    Ok(rt.list(lists))
}

fn copy(rt: &mut Runtime, args: &[Value]) -> NResult {
    let copied = this(rt, args)?.copy();
    Ok(Value::Map(rt.heap.alloc(copied)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::MapTable;

    #[test]
    fn remove_keeps_order_and_reports_missing_keys() {
        let mut rt = Runtime::new();
        let mut table = MapTable::default();
        for n in 0..4 {
            table.insert(Key::Int(n), Value::Int(n * 10));
        }
        let m = Value::Map(rt.heap.alloc(Map::new(table)));
        assert!(matches!(
            remove(&mut rt, &[m, Value::Int(1)]),
            Ok(Value::Int(10))
        ));
        assert_eq!(rt.display(m), "{0: 0, 2: 20, 3: 30}");
        assert!(matches!(
            remove(&mut rt, &[m, Value::Int(1)]),
            Err(crate::value::Ctrl::Error(ErrorKind::KeyError, _))
        ));
        assert!(matches!(
            get(&mut rt, &[m, Value::Float(1.0)]),
            Err(crate::value::Ctrl::Error(ErrorKind::TypeError, _))
        ));
        assert!(matches!(
            get(&mut rt, &[m, Value::Int(9), Value::Int(5)]),
            Ok(Value::Int(5))
        ));
        let it = items(&mut rt, &[m]).ok();
        assert_eq!(
            it.map(|v| rt.display(v)).as_deref(),
            Some("[[0, 0], [2, 20], [3, 30]]")
        );
    }
}
