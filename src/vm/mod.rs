//! The virtual machine: loads compiled programs onto the heap and runs them.
//!
//! Script calls push [`Frame`]s on the running [`Fiber`]; they never recurse
//! on the Rust stack, so execution can stop after any instruction and resume
//! later, and deep recursion is a clean `RecursionError`. [`Vm::run`] returns
//! a [`Stop`] saying why it stopped.
//!
//! [`Runtime`] is the part of the VM that native functions may touch (heap,
//! names, output, built-in tables); the fiber's stack stays out of their
//! reach. Files: [`frame`], [`dispatch`] (the loop), [`call`], [`error`]
//! (raising, unwinding, traces), [`load`], and [`ops`] (operator helpers).

mod call;
mod dispatch;
pub mod error;
pub mod frame;
mod load;
pub mod ops;
mod tasks;

pub use frame::{Fiber, Frame, FrameKind, Handler};
pub use tasks::{cancel_task, spawn_coroutine};

use crate::bytecode::{Interner, Symbol};
use crate::gc::{Gc, Heap};
use crate::span::SourceMap;
use crate::value::{Class, ErrorKind, Module, NResult, Str, Value};
use rustc_hash::FxHashMap;
use std::io::Write;

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
}

pub const TYPE_COUNT: usize = 10;

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
    pub out: Box<dyn Write>,
    /// `os.args`.
    pub args: Vec<String>,
    pub names: WellKnown,
    pub sched: crate::scheduler::Scheduler,
    /// The task being run, for natives that care (mutex ownership).
    pub current_task: Option<Gc<crate::value::Task>>,
    /// Raised when a generator is closed; `catch` sees it like any error.
    pub generator_exit: Option<Gc<Class>>,
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
        let stdout = std::io::stdout();
        let out: Box<dyn Write> = if std::io::IsTerminal::is_terminal(&stdout) {
            Box::new(std::io::LineWriter::new(stdout))
        } else {
            Box::new(std::io::BufWriter::with_capacity(1 << 16, stdout))
        };
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
            generator_exit: None,
        };
        rt.make_error_classes();
        rt
    }

    /// Creates `Error` and its built-in subclasses.
    fn make_error_classes(&mut self) {
        let root = self.heap.alloc(Class {
            name: "Error".into(),
            superclass: None,
            methods: Default::default(),
            is_error: true,
        });
        self.error_classes.push(root);
        for kind in &ErrorKind::ALL[1..] {
            let class = self.heap.alloc(Class {
                name: kind.name().into(),
                superclass: Some(root),
                methods: Default::default(),
                is_error: true,
            });
            self.error_classes.push(class);
        }
        self.generator_exit = Some(self.heap.alloc(Class {
            name: "GeneratorExit".into(),
            superclass: Some(root),
            methods: Default::default(),
            is_error: true,
        }));
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

    pub fn flush(&mut self) {
        let _ = self.out.flush();
    }
}

impl Default for Runtime {
    fn default() -> Self {
        Runtime::new()
    }
}

/// The interpreter: the shared runtime plus the running fiber.
pub struct Vm {
    pub rt: Runtime,
    pub fiber: Fiber,
    /// Safepoints left in the current slice (see `Op::Loop` and `Op::Call`).
    pub(crate) fuel: i32,
    /// Instructions per slice (`--budget`).
    pub budget: i32,
    /// Call depth limit per task.
    pub max_frames: usize,
    /// Where the most recent non-instance value was thrown (instances carry
    /// their own origin).
    last_origin: Option<crate::value::StackTrace>,
    /// Generators running inside the current task, outermost first: the
    /// fibers they were resumed from.
    parents: Vec<crate::value::Resumer>,
    /// The task being run (none while the prelude runs).
    current: Option<Gc<crate::value::Task>>,
    /// A value to throw as soon as the current frame is (re)loaded: an error
    /// delivered into a resumed generator or task.
    pending_throw: Option<Value>,
    /// Fuel set aside when a collection request cut the slice short.
    fuel_saved: i32,
    /// Whether diagnostics printed by the VM itself use colour.
    pub color: bool,
}

impl Vm {
    pub fn new(rt: Runtime, budget: u32) -> Vm {
        let budget = budget.clamp(1, i32::MAX as u32) as i32;
        Vm {
            rt,
            fiber: Fiber::default(),
            fuel: budget,
            budget,
            max_frames: 10_000,
            last_origin: None,
            parents: Vec::new(),
            current: None,
            pending_throw: None,
            fuel_saved: 0,
            color: false,
        }
    }

    /// Runs module `index` of the loaded program as the main script.
    pub fn run_module(&mut self, index: usize) -> Stop {
        match self.module_fiber(index) {
            Some(fiber) => {
                self.fiber = fiber;
                self.run()
            }
            None => Stop::Done(Value::Nil),
        }
    }

    /// A fiber that runs module `index`'s body (marking it running).
    pub(crate) fn module_fiber(&mut self, index: usize) -> Option<Fiber> {
        let module = self.rt.modules[index];
        let init = module.init.get()?;
        module.state.set(crate::value::ModuleState::Running);
        Some(Fiber {
            stack: vec![Value::Closure(init)],
            frames: vec![Frame {
                closure: init,
                ip: 0,
                base: 0,
                argc: 0,
                kind: FrameKind::Module(module),
            }],
            handlers: Vec::new(),
        })
    }

    /// Collects garbage now: every fiber and runtime table is a root.
    ///
    /// This is the one place that lists the roots. Every field of [`Vm`]
    /// and [`Runtime`] is named below (no `..`), so a new field does not
    /// compile until it is either traced here or marked as holding no heap
    /// handles.
    ///
    /// # Safety
    ///
    /// Only at a safepoint of the dispatch loop: every heap handle that Rust
    /// code holds across this call must be reachable from these roots (the
    /// dispatch loop's cached closure and constants are, through the running
    /// frame). A handle held anywhere else is left dangling.
    unsafe fn collect_garbage(&mut self) {
        let Vm {
            rt,
            fiber,
            fuel: _,
            budget: _,
            max_frames: _,
            last_origin: _,
            parents,
            current,
            pending_throw,
            fuel_saved: _,
            color: _,
        } = self;
        let Runtime {
            heap,
            symbols: _,
            sources: _,
            builtins,
            methods,
            error_classes,
            modules,
            native_modules,
            native_factory: _,
            ascii_chars,
            out: _,
            args: _,
            names: _,
            sched,
            current_task,
            generator_exit,
        } = rt;
        let roots = |t: &mut crate::gc::Tracer| {
            fiber.trace(t);
            for p in parents.iter() {
                p.fiber.trace(t);
                t.mark(p.generator);
            }
            for task in [*current, *current_task].into_iter().flatten() {
                t.mark(task);
            }
            if let Some(v) = pending_throw {
                v.trace(t);
            }
            sched.trace(t);
            if let Some(g) = generator_exit {
                t.mark(*g);
            }
            for v in builtins.iter() {
                v.trace(t);
            }
            for table in methods.iter() {
                for v in table.values() {
                    v.trace(t);
                }
            }
            for c in error_classes.iter() {
                t.mark(*c);
            }
            for m in modules.iter() {
                t.mark(*m);
            }
            for m in native_modules.values() {
                t.mark(*m);
            }
            for s in ascii_chars.iter() {
                t.mark(*s);
            }
        };
        // SAFETY: the caller is at a safepoint (see above), so everything
        // live is reachable from `roots`.
        unsafe { heap.collect(roots) }
    }
}
