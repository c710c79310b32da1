//! Operator semantics, one helper per family of instructions, shared by the
//! dispatch loop's slow paths and by native functions.

pub mod arith;
pub mod index;
pub mod iter;
