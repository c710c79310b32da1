//! Call frames and error handlers: the execution state of a task or
//! generator, kept on the heap side of the interpreter, never on the Rust
//! stack. A suspended generator or task is just a parked [`Fiber`].

use crate::gc::{Gc, Tracer};
use crate::value::{Closure, Coroutine, Module, Value};

/// What to do with a frame's result when it returns.
#[derive(Clone, Copy, Debug)]
pub enum FrameKind {
    /// Hand the returned value to the caller.
    Normal,
    /// An `init` run by a class call: the caller gets the instance in slot 0.
    Constructor,
    /// A module body run by `import`: the caller gets the module.
    Module(Gc<Module>),
    /// The body of a coroutine awaited inline: marks it finished on return.
    Coroutine(Gc<Coroutine>),
}

/// One activation of a script function.
#[derive(Clone, Copy, Debug)]
pub struct Frame {
    pub closure: Gc<Closure>,
    /// The next instruction (saved whenever control leaves the dispatch loop).
    pub ip: usize,
    /// Stack index of slot 0 (the callee, or `self` in a method).
    pub base: usize,
    /// Arguments the caller passed (for default parameters).
    pub argc: u8,
    pub kind: FrameKind,
    /// The closure's instructions and constants, read straight from the
    /// frame when a call returns to it (the closure keeps them alive).
    pub code: *const [crate::bytecode::Op],
    pub consts: *const [Value],
}

impl Frame {
    /// A frame about to run `closure` from its first instruction.
    pub fn new(closure: Gc<Closure>, base: usize, argc: u8, kind: FrameKind) -> Frame {
        Frame {
            closure,
            ip: 0,
            base,
            argc,
            kind,
            code: closure.proto.ops,
            consts: &*closure.proto.consts as *const [Value],
        }
    }
}

/// An installed `try` handler.
#[derive(Clone, Copy, Debug)]
pub struct Handler {
    /// Number of frames when it was installed: it belongs to the frame below.
    pub frames: usize,
    /// Stack height to restore before pushing the thrown value.
    pub height: usize,
    /// Instruction to continue at.
    pub target: usize,
}

/// The execution state of one thread of control: value stack, frames and
/// handlers. The VM runs one at a time; the others are parked on the heap.
#[derive(Default)]
pub struct Fiber {
    pub stack: Vec<Value>,
    pub frames: Vec<Frame>,
    pub handlers: Vec<Handler>,
}

impl Fiber {
    /// Bytes its buffers hold, for `runtime.heap_bytes()`.
    pub fn heap_bytes(&self) -> usize {
        self.stack.capacity() * std::mem::size_of::<Value>()
            + self.frames.capacity() * std::mem::size_of::<Frame>()
            + self.handlers.capacity() * std::mem::size_of::<Handler>()
    }

    pub fn trace(&self, t: &mut Tracer) {
        for v in &self.stack {
            v.trace(t);
        }
        for f in &self.frames {
            t.mark(f.closure);
            match f.kind {
                FrameKind::Module(m) => t.mark(m),
                FrameKind::Coroutine(c) => t.mark(c),
                FrameKind::Normal | FrameKind::Constructor => {}
            }
        }
    }
}
