//! The runtime: the state that the VM, the scheduler and native functions
//! share — the heap, interned names, loaded sources and modules, the
//! method tables of the built-in types, stdout, and the scheduler itself.
//!
//! It sits below the VM (which adds the running fiber and the dispatch
//! loop) and below the scheduler's executor (which asks the VM to run one
//! slice at a time), so neither has to import the other to reach it.

use crate::bytecode::{Interner, Symbol};
use crate::gc::{Gc, Heap};
use crate::span::SourceMap;
use crate::value::{Class, ErrorKind, Module, NResult, Str, Value};
use rustc_hash::FxHashMap;
use std::io::Write;

pub mod report;
pub mod stdout;

/// Why [`Vm::run`] returned.
#[derive(Debug)]
pub enum Stop {
    /// The entry frame returned this value.
    Done(Value),
    /// An error nobody caught.
    Threw(Value),
    /// `exit(code)` was called.
    Exit(u8),
    /// The running task awaits something not ready (it is `Waiting`).
    Suspend,
    /// The running task spent its slice.
    Preempt,
    /// Every task is blocked and nothing can wake them: one line per task.
    Deadlock(Vec<String>),
    /// Ctrl-C cancelled the main task, which has finished; `error` is what
    /// it threw, if anything (usually the `CancelledError`).
    Interrupted { error: Option<Value> },
}

/// The built-in types that have methods.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TypeTag {
    Str = 0,
    List,
    Map,
    Bytes,
    Range,
    Task,
    Channel,
    Mutex,
    Semaphore,
    Event,
    Listener,
    Conn,
    Udp,
    Child,
}

pub const TYPE_COUNT: usize = 14;

/// Names the VM itself needs, interned once.
pub struct WellKnown {
    pub init: Symbol,
    pub iter: Symbol,
    pub message: Symbol,
    pub trace: Symbol,
    pub value: Symbol,
    pub next: Symbol,
    pub send: Symbol,
    pub throw: Symbol,
    pub close: Symbol,
    pub id: Symbol,
}

/// Builds a native standard module on first import (installed by `stdlib`).
pub type NativeModuleFactory = fn(&mut Runtime, &str) -> Option<Gc<Module>>;

/// The state shared by the VM and native functions.
pub struct Runtime {
    pub heap: Heap,
    pub symbols: Interner,
    pub sources: SourceMap,
    /// Values of `bytecode::builtins::BUILTINS`, in order.
    pub builtins: Vec<Value>,
    /// Methods of built-in types, by [`TypeTag`].
    pub methods: [FxHashMap<Symbol, Value>; TYPE_COUNT],
    /// Classes of the built-in errors, in `ErrorKind::ALL` order.
    pub error_classes: Vec<Gc<Class>>,
    /// Modules of the loaded program, by `Op::Import` index.
    pub modules: Vec<Gc<Module>>,
    pub native_modules: FxHashMap<String, Gc<Module>>,
    pub native_factory: Option<NativeModuleFactory>,
    /// One-character strings for ASCII, shared by string iteration and indexing.
    pub ascii_chars: Vec<Gc<Str>>,
    pub out: stdout::Stdout,
    /// `os.args`.
    pub args: Vec<String>,
    pub names: WellKnown,
    pub sched: crate::scheduler::Scheduler,
    /// The task being run, for natives that care (mutex ownership).
    pub current_task: Option<Gc<crate::value::Task>>,
    /// Raised when a generator is closed; `catch` sees it like any error.
    pub generator_exit: Option<Gc<Class>>,
    /// Whether reports written while the program runs use colour.
    pub color: bool,
    /// Where the most recent non-instance value was thrown (instances carry
    /// their own origin).
    pub last_origin: Option<crate::value::StackTrace>,
}

impl Runtime {
    pub fn new() -> Runtime {
        let mut symbols = Interner::new();
        let names = WellKnown {
            init: symbols.intern("init"),
            iter: symbols.intern("iter"),
            message: symbols.intern("message"),
            trace: symbols.intern("trace"),
            value: symbols.intern("value"),
            next: symbols.intern("next"),
            send: symbols.intern("send"),
            throw: symbols.intern("throw"),
            close: symbols.intern("close"),
            id: symbols.intern("id"),
        };
        let mut heap = Heap::limited_by_address_space();
        let ascii_chars = (0u8..128)
            .map(|b| heap.alloc(Str::new((b as char).to_string())))
            .collect();
        let out = stdout::Stdout::new();
        let mut rt = Runtime {
            heap,
            symbols,
            sources: SourceMap::new(),
            builtins: Vec::new(),
            methods: Default::default(),
            error_classes: Vec::new(),
            modules: Vec::new(),
            native_modules: FxHashMap::default(),
            native_factory: None,
            ascii_chars,
            out,
            args: Vec::new(),
            names,
            sched: Default::default(),
            current_task: None,
            color: false,
            last_origin: None,
            generator_exit: None,
        };
        rt.make_error_classes();
        rt
    }

    /// Creates `Error` and its built-in subclasses.
    fn make_error_classes(&mut self) {
        let root = self
            .heap
            .alloc(Class::new("Error".into(), None, Default::default(), true));
        self.error_classes.push(root);
        for kind in &ErrorKind::ALL[1..] {
            let class = self.heap.alloc(Class::new(
                kind.name().into(),
                Some(root),
                Default::default(),
                true,
            ));
            self.error_classes.push(class);
        }
        self.generator_exit = Some(self.heap.alloc(Class::new(
            "GeneratorExit".into(),
            Some(root),
            Default::default(),
            true,
        )));
    }

    pub fn str(&mut self, s: impl Into<Box<str>>) -> Value {
        Value::Str(self.heap.alloc(Str::new(s)))
    }

    /// A one-character string, shared for ASCII.
    pub fn char_str(&mut self, c: char) -> Value {
        if c.is_ascii() {
            Value::Str(self.ascii_chars[c as usize])
        } else {
            self.str(c.to_string())
        }
    }

    pub fn list(&mut self, items: Vec<Value>) -> Value {
        Value::List(self.heap.alloc(crate::value::List::new(items)))
    }

    /// `str(v)`.
    pub fn display(&self, v: Value) -> String {
        crate::value::display::display(v, &self.symbols)
    }

    /// `repr(v)`.
    pub fn repr(&self, v: Value) -> String {
        crate::value::display::repr(v, &self.symbols)
    }

    /// The type name used in messages: an instance's class name, else `type(v)`.
    pub fn type_name(&self, v: Value) -> String {
        match v {
            Value::Instance(i) => i.class.name.to_string(),
            _ => v.type_name().to_string(),
        }
    }

    /// A new instance of a built-in error class.
    pub fn make_error(&mut self, kind: ErrorKind, message: &str) -> Value {
        let class = self.error_classes[kind.index()];
        let inst = self.heap.alloc(crate::value::Instance::new(class));
        let msg = self.str(message);
        inst.set(self.names.message, msg);
        Value::Instance(inst)
    }

    /// The methods table for a built-in type.
    pub fn type_methods(&self, v: Value) -> Option<&FxHashMap<Symbol, Value>> {
        let tag = match v {
            Value::Str(_) => TypeTag::Str,
            Value::List(_) => TypeTag::List,
            Value::Map(_) => TypeTag::Map,
            Value::Bytes(_) => TypeTag::Bytes,
            Value::Range(_) => TypeTag::Range,
            Value::Task(_) => TypeTag::Task,
            Value::Sync(o) => match &*o.state.borrow() {
                crate::value::sync::SyncState::Channel(_) => TypeTag::Channel,
                crate::value::sync::SyncState::Mutex(_) => TypeTag::Mutex,
                crate::value::sync::SyncState::Semaphore(_) => TypeTag::Semaphore,
                crate::value::sync::SyncState::Event(_) => TypeTag::Event,
            },
            Value::Io(o) => match o.kind() {
                crate::value::io::IoKind::Listener => TypeTag::Listener,
                crate::value::io::IoKind::Conn => TypeTag::Conn,
                crate::value::io::IoKind::Udp => TypeTag::Udp,
                crate::value::io::IoKind::Child => TypeTag::Child,
            },
            _ => return None,
        };
        Some(&self.methods[tag as usize])
    }

    /// A native standard module, built on first use.
    pub fn native_module(&mut self, name: &str) -> NResult<Gc<Module>> {
        if let Some(m) = self.native_modules.get(name) {
            return Ok(*m);
        }
        let made = self.native_factory.and_then(|f| f(self, name));
        match made {
            Some(m) => {
                self.native_modules.insert(name.to_string(), m);
                Ok(m)
            }
            None => {
                crate::value::error::err(ErrorKind::ImportError, format!("unknown module `{name}`"))
            }
        }
    }

    /// Waits until everything printed has been written (at exit, and
    /// before an error report so that stdout and stderr keep their order).
    pub fn flush(&mut self) {
        let _ = self.out.flush();
    }

    /// The final flush at exit: output that could not be written is an
    /// error (a full disk), except when the reader went away.
    pub fn flush_at_exit(&mut self) -> std::io::Result<()> {
        match self.out.flush() {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            other => other,
        }
    }

    /// Passes printed output on to be written, without waiting for it.
    pub fn hand_off_output(&mut self) {
        let _ = self.out.hand_off();
    }
}

impl Default for Runtime {
    fn default() -> Self {
        Runtime::new()
    }
}
