//! Placeholder.
#[allow(unused_imports)]
use crate::value::{NativeFn, Value};
#[allow(unused_imports)]
use crate::vm::Runtime;
pub static METHODS: &[NativeFn] = &[];
