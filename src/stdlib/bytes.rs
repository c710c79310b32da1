//! Native methods of byte strings (LANGUAGE.md §2, §9): `len`, `decode`
//! (UTF-8, `ValueError` otherwise) and `slice`.

use crate::gc::Gc;
use crate::runtime::Runtime;
use crate::value::error::{type_error, value_error};
use crate::value::{Bytes, NResult, NativeFn, Value};
use crate::vm::ops::index::slice_bounds;

#[rustfmt::skip]
pub static METHODS: &[NativeFn] = &[
    NativeFn { name: "len", min: 0, max: 0, f: len },
    NativeFn { name: "decode", min: 0, max: 0, f: decode },
    NativeFn { name: "slice", min: 1, max: 2, f: slice },
];

fn this(rt: &Runtime, args: &[Value]) -> NResult<Gc<Bytes>> {
    match args[0] {
        Value::Bytes(b) => Ok(b),
        v => type_error(format!("bytes method called on {}", rt.type_name(v))),
    }
}

fn len(rt: &mut Runtime, args: &[Value]) -> NResult {
    Ok(Value::Int(this(rt, args)?.data.len() as i64))
}

fn decode(rt: &mut Runtime, args: &[Value]) -> NResult {
    let b = this(rt, args)?;
    match std::str::from_utf8(&b.data) {
        Ok(text) => {
            let text = text.to_string();
            Ok(rt.str(text))
        }
        Err(e) => {
            let problem = match e.error_len() {
                Some(_) => "invalid byte",
                None => "incomplete sequence",
            };
            value_error(format!(
                "bytes are not valid UTF-8 ({problem} at offset {})",
                e.valid_up_to()
            ))
        }
    }
}

fn slice(rt: &mut Runtime, args: &[Value]) -> NResult {
    let b = this(rt, args)?;
    let end = args.get(2).copied().unwrap_or(Value::Nil);
    let (start, stop) = slice_bounds(rt, args[1], end, b.data.len())?;
    let data: Box<[u8]> = b.data[start..stop].into();
    Ok(Value::Bytes(rt.heap.alloc(Bytes { data })))
}
