//! The native half of the `io` module (LANGUAGE.md §10): stdin as a conn
//! (`__io.stdin()`, read by a helper thread so other tasks never wait on
//! it) and `__io.write`. `io.lines()` and `io.read_all()` are written in
//! Weft (`std/io.weft`) on top of them.

use crate::reactor::stream::Transport;
use crate::runtime::Runtime;
use crate::value::{NResult, NativeFn, Value};
use std::io::Write;

#[rustfmt::skip]
static FUNCTIONS: &[NativeFn] = &[
    NativeFn { name: "write", min: 1, max: 1, f: write },
];

pub fn members(rt: &mut Runtime) -> Vec<(&'static str, Value)> {
    let key = rt.sched.new_key();
    let stdin = crate::scheduler::io::new_conn(rt, key, Transport::Fed, "stdin".into());
    let mut m = super::natives(FUNCTIONS);
    m.push(("stdin", Value::Io(stdin)));
    m
}

/// Writes `str(v)` to stdout, without a newline; bytes are written as
/// they are.
fn write(rt: &mut Runtime, a: &[Value]) -> NResult {
    let data: Vec<u8> = match a[0] {
        Value::Str(s) => s.as_str().as_bytes().to_vec(),
        Value::Bytes(b) => b.data.to_vec(),
        v => rt.display(v).into_bytes(),
    };
    if let Err(e) = rt.out.write_all(&data) {
        return super::builtins::stdout_failed(rt, e);
    }
    Ok(Value::Nil)
}
