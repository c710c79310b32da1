//! The `os` module (LANGUAGE.md §10): `os.args`, the script's arguments as
//! a list of strings, and `os.env(name)`.

use super::string::want_str;
use crate::runtime::Runtime;
use crate::value::{NResult, NativeFn, Value};

#[rustfmt::skip]
static FUNCTIONS: &[NativeFn] = &[NativeFn { name: "env", min: 1, max: 1, f: env }];

pub fn members(rt: &mut Runtime) -> Vec<(&'static str, Value)> {
    let args: Vec<String> = rt.args.clone();
    let items = args.into_iter().map(|a| rt.str(a)).collect();
    let mut members = vec![("args", rt.list(items))];
    members.extend(super::natives(FUNCTIONS));
    members
}

/// The variable's value, or nil when it is unset. Names the OS cannot hold
/// (empty, or containing `=` or NUL) are simply unset; a value that is not
/// valid Unicode has its bad sequences replaced by U+FFFD.
fn env(rt: &mut Runtime, args: &[Value]) -> NResult {
    let name = want_str(rt, args[0], "env")?;
    let name = name.as_str();
    if name.is_empty() || name.contains(['=', '\0']) {
        return Ok(Value::Nil);
    }
    match std::env::var_os(name) {
        Some(v) => {
            let text = v.to_string_lossy().into_owned();
            Ok(rt.str(text))
        }
        None => Ok(Value::Nil),
    }
}
