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

pub use crate::scheduler::cancel_task;
pub use frame::{Fiber, Frame, FrameKind, Handler};
pub use tasks::spawn_coroutine;

use crate::gc::Gc;
pub use crate::runtime::{NativeModuleFactory, Runtime, Stop, TypeTag, WellKnown, TYPE_COUNT};
use crate::value::Value;

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
            parents: Vec::new(),
            current: None,
            pending_throw: None,
            fuel_saved: 0,
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
            frames: vec![Frame::new(init, 0, 0, FrameKind::Module(module))],
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
            parents,
            current,
            pending_throw,
            fuel_saved: _,
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
            color: _,
            last_origin: _,
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
