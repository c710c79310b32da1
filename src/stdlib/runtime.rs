//! The `runtime` module (LANGUAGE.md §10): `gc()` and `heap_bytes()`.

use crate::runtime::Runtime;
use crate::value::{NResult, NativeFn, Value};

#[rustfmt::skip]
static FUNCTIONS: &[NativeFn] = &[
    NativeFn { name: "gc", min: 0, max: 0, f: gc },
    NativeFn { name: "heap_bytes", min: 0, max: 0, f: heap_bytes },
];

pub fn members(_rt: &mut Runtime) -> Vec<(&'static str, Value)> {
    super::natives(FUNCTIONS)
}

/// Natives cannot collect (they do not see the VM's roots), so this asks
/// for a collection at the VM's next safepoint, which is the next call.
fn gc(rt: &mut Runtime, _args: &[Value]) -> NResult {
    rt.heap.request_collection();
    Ok(Value::Nil)
}

fn heap_bytes(rt: &mut Runtime, _args: &[Value]) -> NResult {
    let n = rt.heap.heap_bytes();
    Ok(Value::Int(i64::try_from(n).unwrap_or(i64::MAX)))
}
