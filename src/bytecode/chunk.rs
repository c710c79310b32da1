//! Compiled functions as plain data: the code, a parallel table of source
//! spans (one per instruction, so a runtime error underlines the failing
//! expression), constants and nested function prototypes.
//!
//! Nothing here touches the garbage-collected heap; the VM turns constants
//! into values when it loads a program.

use super::op::Op;
use crate::span::{SourceId, Span};
use std::rc::Rc;

/// A compile-time constant.
#[derive(Clone, Debug, PartialEq)]
pub enum Constant {
    Int(i64),
    Float(f64),
    Str(Rc<str>),
}

/// How a function behaves when called.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FnKind {
    /// Runs its body and returns.
    Plain,
    /// Contains `yield`: a call returns a generator.
    Generator,
    /// `async fn`: a call returns a coroutine.
    Async,
    /// `async fn` containing `yield`: a call returns an async generator.
    AsyncGenerator,
}

/// Where a closure finds a captured variable when it is created.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Capture {
    /// The cell in a local slot of the enclosing function.
    Local(u16),
    /// An upvalue of the enclosing function.
    Upval(u16),
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Chunk {
    pub code: Vec<Op>,
    /// `spans[i]` is the source of `code[i]`.
    pub spans: Vec<Span>,
    pub consts: Vec<Constant>,
    pub protos: Vec<Rc<FnProto>>,
    /// How many field and method sites have an inline cache (`Site`
    /// operands count up from 0).
    pub sites: u16,
}

impl Chunk {
    pub fn emit(&mut self, op: Op, span: Span) -> usize {
        self.code.push(op);
        self.spans.push(span);
        self.code.len() - 1
    }
}

/// A compiled function, method, lambda or module body.
#[derive(Clone, Debug, PartialEq)]
pub struct FnProto {
    /// `fib`, `init`, or `None` for a lambda; `<main>` for a module body.
    pub name: Option<Rc<str>>,
    /// The class a method belongs to (traces say `Point.init`).
    pub owner: Option<Rc<str>>,
    pub kind: FnKind,
    /// Number of declared parameters (not counting `...rest`).
    pub params: u8,
    /// Parameters without a default value (they come first).
    pub required: u8,
    pub has_rest: bool,
    /// A plain function with neither defaults nor `...rest`: a call with
    /// exactly `params` arguments needs no preparation (the fast call path).
    pub simple: bool,
    /// Methods receive `self` in slot 0.
    pub is_method: bool,
    pub captures: Vec<Capture>,
    pub chunk: Chunk,
    pub source: SourceId,
    /// Span of the declaration, for traces of functions that fail on entry.
    pub span: Span,
}

impl FnProto {
    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or("<fn>")
    }

    /// The name traces show: `fib`, `Point.init`, `<fn>`.
    pub fn trace_name(&self) -> Rc<str> {
        match (&self.owner, &self.name) {
            (Some(owner), Some(name)) => format!("{owner}.{name}").into(),
            (_, Some(name)) => name.clone(),
            _ => "<fn>".into(),
        }
    }
}

/// One compiled source file.
#[derive(Clone, Debug, PartialEq)]
pub struct ModuleProto {
    /// `main`, `util`, `http` ...
    pub name: Rc<str>,
    pub source: SourceId,
    /// Names of the module-level variables, in slot order.
    pub globals: Vec<Rc<str>>,
    /// The module body, run once on first import.
    pub body: Rc<FnProto>,
}

/// Everything needed to run a script: its modules (`Op::Import(i)` refers
/// to `modules[i]`) and which of them is the main script.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Program {
    pub modules: Vec<ModuleProto>,
    pub main: usize,
}
