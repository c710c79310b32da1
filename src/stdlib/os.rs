//! Placeholder.
#[allow(unused_imports)]
use crate::value::{NativeFn, Value};
#[allow(unused_imports)]
use crate::vm::Runtime;
pub fn members(_rt: &mut Runtime) -> Vec<(&'static str, Value)> { Vec::new() }
