//! Generators, coroutines, tasks and the scheduling loop.
//!
//! A generator owns a fiber; resuming it parks the resumer's fiber in
//! `Vm::parents` and makes the generator's fiber current, `yield` swaps
//! back. A coroutine awaited inline simply pushes its frame on the current
//! fiber, so its frames appear in traces and it is cancelled with the task.
//! A task is a parked fiber (plus the generators it is inside); the loop in
//! [`Vm::run_program`] switches tasks in FIFO order, one slice at a time,
//! and polls the reactor between slices and whenever nobody is ready.

use super::{Frame, FrameKind, Stop, Vm};
use crate::bytecode::Symbol;
use crate::diagnostics::Diagnostic;
use crate::gc::Gc;
use crate::runtime::report::PRELUDE;
use crate::value::error::{err, type_error};
use crate::value::fiber::Fiber;
use crate::value::{
    Closure, CoState, Coroutine, Ctrl, Delivery, ErrorKind, GenState, Generator, Instance, NResult,
    Resumer, Task, TaskContext, TaskState, Value,
};
use std::cell::{Cell, RefCell};

/// The message of the `CancelledError` that `t.cancel()` delivers.
use crate::scheduler::CANCELLED;

/// How a generator is resumed.
#[derive(Clone, Copy, Debug)]
pub enum ResumeMode {
    Send(Value),
    Throw(Value),
    Close,
}

/// What an `await` did.
pub enum Awaited {
    /// The result is on the stack, or a coroutine frame was pushed.
    Continue,
    /// The task must wait: it is registered with what it waits for.
    Suspend,
}

impl Vm {
    /// Turns a call of a generator or async function (its frame's slot 0 and
    /// arguments at `base..`) into a generator or coroutine object.
    pub(super) fn make_suspended_call(&mut self, c: Gc<Closure>, base: usize, argc: usize) {
        let stack = self.fiber.stack.split_off(base);
        let code = &c.proto.code;
        // Only compared with parameter indexes, which are below 255.
        let argc = u8::try_from(argc).unwrap_or(u8::MAX);
        let value = match code.kind {
            crate::bytecode::FnKind::Async => Value::Coroutine(self.rt.heap.alloc(Coroutine {
                closure: c,
                stack: RefCell::new(stack),
                argc,
                state: Cell::new(CoState::Fresh),
            })),
            kind => {
                let fiber = Fiber {
                    stack,
                    frames: vec![Frame::new(c, 0, argc, FrameKind::Normal)],
                    handlers: Vec::new(),
                };
                Value::Generator(self.rt.heap.alloc(Generator {
                    name: code.display_name().into(),
                    is_async: kind == crate::bytecode::FnKind::AsyncGenerator,
                    state: Cell::new(GenState::Fresh),
                    fiber: RefCell::new(fiber),
                }))
            }
        };
        self.fiber.stack.push(value);
    }

    /// `g.next()`, `g.send(v)`, `g.throw(e)`, `g.close()` with the receiver
    /// and arguments at `recv..`.
    pub(super) fn generator_method(
        &mut self,
        g: Gc<Generator>,
        name: Symbol,
        recv: usize,
        argc: usize,
    ) -> NResult<()> {
        let names = &self.rt.names;
        let arg = self
            .fiber
            .stack
            .get(recv + 1)
            .copied()
            .unwrap_or(Value::Nil);
        let (mode, delivery, expected) = if name == names.next {
            (ResumeMode::Send(Value::Nil), Delivery::Call, 0)
        } else if name == names.send {
            (ResumeMode::Send(arg), Delivery::Call, 1)
        } else if name == names.throw {
            (ResumeMode::Throw(arg), Delivery::Call, 1)
        } else if name == names.close {
            (ResumeMode::Close, Delivery::CloseCall, 0)
        } else {
            return err(
                ErrorKind::AttributeError,
                format!("generator has no method `{}`", self.rt.symbols.name(name)),
            );
        };
        if argc != expected {
            return type_error(super::call::arity_message(
                self.rt.symbols.name(name),
                expected,
                expected,
                false,
                argc,
            ));
        }
        self.fiber.stack.truncate(recv);
        self.resume_generator(g, mode, delivery)
    }

    /// Switches into a generator. The caller's frame must have its ip saved
    /// and its stack ready to receive the delivery.
    pub(super) fn resume_generator(
        &mut self,
        g: Gc<Generator>,
        mode: ResumeMode,
        delivery: Delivery,
    ) -> NResult<()> {
        match (g.state.get(), mode) {
            (GenState::Running, _) => {
                return err(
                    ErrorKind::ValueError,
                    format!("generator {} is already running", g.name),
                )
            }
            (GenState::Done, ResumeMode::Send(_)) => {
                return self.deliver_finished(Value::Nil, delivery, true)
            }
            (GenState::Done, ResumeMode::Throw(e)) | (GenState::Fresh, ResumeMode::Throw(e)) => {
                g.state.set(GenState::Done);
                return Err(Ctrl::Throw(e));
            }
            (GenState::Done | GenState::Fresh, ResumeMode::Close) => {
                g.state.set(GenState::Done);
                return self.deliver_finished(Value::Nil, delivery, false);
            }
            _ => {}
        }
        if self.parents.len() + self.fiber.frames.len() >= self.max_frames {
            return Err(self.recursion_error());
        }
        let was_fresh = g.state.get() == GenState::Fresh;
        let gen_fiber = std::mem::take(&mut *g.fiber.borrow_mut());
        let outer = std::mem::replace(&mut self.fiber, gen_fiber);
        self.parents.push(Resumer {
            fiber: outer,
            generator: g,
            delivery,
        });
        g.state.set(GenState::Running);
        match mode {
            ResumeMode::Send(v) => {
                if !was_fresh {
                    self.fiber.stack.push(v);
                }
            }
            ResumeMode::Throw(e) => self.pending_throw = Some(e),
            ResumeMode::Close => {
                let class = self.rt.generator_exit.unwrap_or(self.rt.error_classes[0]);
                let inst = self.rt.heap.alloc(Instance::new(class));
                let msg = self.rt.str("generator closed");
                inst.set(self.rt.names.message, msg);
                self.pending_throw = Some(Value::Instance(inst));
            }
        }
        Ok(())
    }

    /// One step of a `for` (or `for await`) loop over a generator: its next
    /// value lands at the saved instruction, its end jumps to `exit`.
    pub(super) fn resume_for_loop(&mut self, g: Gc<Generator>, exit: usize) -> NResult<()> {
        self.resume_generator(g, ResumeMode::Send(Value::Nil), Delivery::ForIter { exit })
    }

    /// Hands a finished generator's outcome to its resumer.
    fn deliver_finished(
        &mut self,
        result: Value,
        delivery: Delivery,
        stop_iteration: bool,
    ) -> NResult<()> {
        match delivery {
            Delivery::Call if stop_iteration => {
                let e = self.rt.make_error(ErrorKind::StopIteration, "");
                if let Value::Instance(inst) = e {
                    inst.set(self.rt.names.value, result);
                }
                Err(Ctrl::Throw(e))
            }
            Delivery::Call | Delivery::CloseCall => {
                self.fiber.stack.push(Value::Nil);
                Ok(())
            }
            Delivery::ForIter { exit } => {
                if let Some(f) = self.fiber.frames.last_mut() {
                    f.ip = exit;
                }
                Ok(())
            }
            Delivery::CloseIter => Ok(()),
        }
    }

    /// `yield v` in the current generator: back to its resumer.
    pub(super) fn yield_value(&mut self, v: Value) -> NResult<()> {
        let Some(parent) = self.parents.pop() else {
            return type_error("`yield` outside a generator");
        };
        self.after_switch(|vm| vm.yield_into(parent, v));
        Ok(())
    }

    /// Runs `f` after a fiber switch: an error it reports is thrown in the
    /// new current fiber when its frame loads (the dispatch loop's cached
    /// instruction pointer belongs to the old one).
    fn after_switch(&mut self, f: impl FnOnce(&mut Vm) -> NResult<()>) {
        if let Err(c) = f(self) {
            let v = match c {
                Ctrl::Throw(v) => v,
                Ctrl::Error(kind, msg) => self.rt.make_error(kind, &msg),
                Ctrl::Exit(_) => Value::Nil,
            };
            self.pending_throw = Some(v);
        }
    }

    fn yield_into(&mut self, parent: Resumer, v: Value) -> NResult<()> {
        let gen_fiber = std::mem::replace(&mut self.fiber, parent.fiber);
        let g = parent.generator;
        *g.fiber.borrow_mut() = gen_fiber;
        g.state.set(GenState::Suspended);
        match parent.delivery {
            Delivery::Call | Delivery::ForIter { .. } => {
                self.fiber.stack.push(v);
                Ok(())
            }
            Delivery::CloseCall | Delivery::CloseIter => {
                g.state.set(GenState::Done);
                *g.fiber.borrow_mut() = Fiber::default();
                err(
                    ErrorKind::ValueError,
                    format!("generator {} yielded after close()", g.name),
                )
            }
        }
    }

    /// The current generator's body returned `result`; false when the
    /// current fiber is not a generator (the task itself finished).
    pub(super) fn finish_generator(&mut self, result: Value) -> bool {
        let Some(parent) = self.parents.pop() else {
            return false;
        };
        self.fiber = parent.fiber;
        let g = parent.generator;
        g.state.set(GenState::Done);
        *g.fiber.borrow_mut() = Fiber::default();
        self.after_switch(|vm| vm.deliver_finished(result, parent.delivery, true));
        true
    }

    /// An error left the current generator: it is finished, and the error
    /// continues in the resumer. Returns false at the task's own fiber, and
    /// swallows the error when it is the one `close()` threw in.
    pub(super) fn unwind_generator(&mut self, value: Value) -> Option<bool> {
        let parent = self.parents.pop()?;
        self.fiber = parent.fiber;
        let g = parent.generator;
        g.state.set(GenState::Done);
        *g.fiber.borrow_mut() = Fiber::default();
        let is_exit = matches!(value, Value::Instance(i)
            if self.rt.generator_exit.is_some_and(|c| Gc::ptr_eq(c, i.class)));
        if is_exit && matches!(parent.delivery, Delivery::CloseCall | Delivery::CloseIter) {
            if parent.delivery == Delivery::CloseCall {
                self.fiber.stack.push(Value::Nil);
            }
            return Some(true);
        }
        Some(false)
    }

    /// `await v`.
    pub(super) fn await_value(
        &mut self,
        v: Value,
        site: (crate::span::SourceId, crate::span::Span),
    ) -> NResult<Awaited> {
        match v {
            Value::Coroutine(c) => {
                if c.state.get() != CoState::Fresh {
                    return type_error("this coroutine was already awaited or spawned");
                }
                if self.fiber.frames.len() >= self.max_frames {
                    return Err(self.recursion_error());
                }
                c.state.set(CoState::Running);
                let base = self.fiber.stack.len();
                self.fiber.stack.extend(c.stack.take());
                self.fiber.frames.push(Frame::new(
                    c.closure,
                    base,
                    c.argc,
                    FrameKind::Coroutine(c),
                ));
                Ok(Awaited::Continue)
            }
            Value::Task(t) => {
                if let Some(outcome) = t.result.get() {
                    t.observed.set(true);
                    return self.take_outcome(outcome);
                }
                let me = self.current_task()?;
                Self::deliver_cancel(me)?;
                if Gc::ptr_eq(me, t) {
                    return err(ErrorKind::ValueError, "a task cannot await itself");
                }
                t.waiters.borrow_mut().push_back(me);
                self.suspend(me, v, site);
                Ok(Awaited::Suspend)
            }
            Value::Future(f) => {
                if let Some(outcome) = f.result.get() {
                    return self.take_outcome(outcome);
                }
                let me = self.current_task()?;
                // Before the operation starts: a cancelled receive takes nothing.
                Self::deliver_cancel(me)?;
                crate::scheduler::sync::start(&mut self.rt, f);
                if let Some(outcome) = f.result.get() {
                    return self.take_outcome(outcome);
                }
                if f.waiter.get().is_some() || f.parent.get().is_some() {
                    return err(
                        ErrorKind::ValueError,
                        "this future is already awaited by another task (await a task to share a result)",
                    );
                }
                f.waiter.set(Some(me));
                self.suspend(me, v, site);
                Ok(Awaited::Suspend)
            }
            Value::Generator(g) if g.is_async => type_error(format!(
                "cannot await async generator {}: drive it with `for await`",
                g.name
            )),
            other => type_error(format!(
                "cannot await {}: only coroutines, tasks and futures can be awaited",
                self.rt.type_name(other)
            )),
        }
    }

    /// Where a task waits, for deadlock reports and `runtime.tasks()`: an
    /// await inside the prelude (`all`, `race`, `group`...) is reported at
    /// the user's call of it, or, in a task running the prelude only (`spawn
    /// timeout(...)`), where the program spawned it.
    pub(super) fn await_site(
        &self,
        source: crate::span::SourceId,
        span: crate::span::Span,
    ) -> (crate::span::SourceId, crate::span::Span) {
        if source != PRELUDE {
            return (source, span);
        }
        if let Some(f) =
            (self.fiber.frames.iter().rev()).find(|f| f.closure.proto.code.source != PRELUDE)
        {
            return frame_site(f);
        }
        self.current
            .and_then(|t| t.spawn_site.get())
            .unwrap_or((source, span))
    }

    /// A pending cancellation is delivered where the task would otherwise
    /// suspend (an await of something already finished just takes it, so a
    /// value already received is never dropped).
    fn deliver_cancel(task: Gc<Task>) -> NResult<()> {
        if task.cancel_pending.get() {
            task.cancel_pending.set(false);
            return err(ErrorKind::CancelledError, CANCELLED);
        }
        Ok(())
    }

    fn take_outcome(&mut self, outcome: crate::value::Outcome) -> NResult<Awaited> {
        match outcome {
            Ok(v) => {
                self.fiber.stack.push(v);
                Ok(Awaited::Continue)
            }
            Err(e) => Err(Ctrl::Throw(e)),
        }
    }

    fn current_task(&self) -> NResult<Gc<Task>> {
        match self.current {
            Some(t) => Ok(t),
            None => type_error("`await` can only wait inside a task"),
        }
    }

    fn suspend(
        &mut self,
        task: Gc<Task>,
        on: Value,
        site: (crate::span::SourceId, crate::span::Span),
    ) {
        task.state.set(TaskState::Waiting);
        task.waiting_on.set(Some(on));
        task.wait_site.set(Some(site));
    }

    /// `spawn coro`.
    pub(super) fn spawn(&mut self, v: Value) -> NResult {
        let task = spawn_coroutine(&mut self.rt, v, false)?;
        let site = (self.fiber.frames.last()).map(|f| {
            let (source, span) = frame_site(f);
            self.await_site(source, span)
        });
        task.spawn_site.set(site);
        Ok(Value::Task(task))
    }

    /// Runs the main script as task 0 together with every task it spawns,
    /// until all have finished (or `exit`, an error in the main script, or a
    /// deadlock): the scheduler's executor drives, one slice at a time.
    pub fn run_program(&mut self, index: usize) -> Stop {
        self.run_module_task(index, false)
    }

    /// Runs module `index`'s body (a REPL input, loaded by
    /// [`Vm::load_input`]) as a task, until it finishes; tasks it spawns
    /// stay in the scheduler.
    pub fn run_input(&mut self, index: usize) -> Stop {
        self.run_module_task(index, true)
    }

    fn run_module_task(&mut self, index: usize, input_only: bool) -> Stop {
        let Some(fiber) = self.module_fiber(index) else {
            return Stop::Done(Value::Nil);
        };
        let main = self.rt.sched.spawn(&mut self.rt.heap, fiber, false);
        main.observed.set(true);
        if input_only {
            crate::scheduler::executor::run_input(self, main)
        } else {
            crate::scheduler::executor::run(self, main)
        }
    }

    /// Runs one slice of `task`.
    pub(super) fn run_slice(&mut self, task: Gc<Task>) -> Stop {
        self.current = Some(task);
        self.rt.current_task = Some(task);
        task.state.set(TaskState::Running);
        let ctx = std::mem::take(&mut *task.saved.borrow_mut());
        self.fiber = ctx.fiber;
        self.parents = ctx.parents;
        // One extra unit: a slice always gets past the safepoint it was
        // preempted at, so even `--budget 1` makes progress.
        self.fuel = self.budget.saturating_add(1);
        self.fuel_saved = 0;
        if self.rt.heap.wants_collection() {
            // Asked for by an earlier slice that suspended before reaching a
            // safepoint (`await sleep(0)` in a loop does every time):
            // collect at this slice's first safepoint, or never.
            self.fuel_saved = self.fuel;
            self.fuel = 0;
        }
        if let Some(send) = task.on_resume.take() {
            self.rt.sched.complete(send, Ok(Value::Nil));
        }
        match task.resume.take() {
            Some(Ok(v)) => self.fiber.stack.push(v),
            Some(Err(e)) => self.pending_throw = Some(e),
            None => {
                if task.cancel_pending.get() {
                    task.cancel_pending.set(false);
                    self.pending_throw =
                        Some(self.rt.make_error(ErrorKind::CancelledError, CANCELLED));
                }
            }
        }
        let stop = self.run();
        *task.saved.borrow_mut() = TaskContext {
            fiber: std::mem::take(&mut self.fiber),
            parents: std::mem::take(&mut self.parents),
        };
        self.current = None;
        self.rt.current_task = None;
        stop
    }

    pub(super) fn report_task_error(&mut self, task: Gc<Task>, e: Value) {
        let report = self.task_error_report(e, task.id);
        self.rt.flush();
        crate::report_to_stderr(&crate::diagnostics::render(
            &report,
            &self.rt.sources,
            self.rt.color,
        ));
    }

    /// One line per blocked task of the program (helpers of the prelude
    /// are left out): its id and where it waits.
    pub(super) fn deadlock_report(&self) -> Vec<String> {
        self.rt
            .sched
            .tasks
            .values()
            .filter(|t| !t.internal)
            .map(|t| {
                let place = match t.wait_site.get() {
                    Some((src, span)) => {
                        let file = self.rt.sources.get(src);
                        let (line, col) = file.line_col(span.start);
                        format!("{}:{}:{}", file.name, line, col)
                    }
                    None => "an unknown place".to_string(),
                };
                format!("task {} waits at {place}", t.id)
            })
            .collect()
    }

    /// The diagnostic for a deadlock.
    pub fn deadlock_diagnostic(lines: Vec<String>) -> Diagnostic {
        let mut d = Diagnostic::error("deadlock: every task is waiting and nothing can wake them");
        // A program may block any number of tasks: list the first ones.
        let total = lines.len();
        let shown = crate::diagnostics::MAX_REPORTED;
        for l in lines.into_iter().take(shown) {
            d = d.with_note(l);
        }
        if total > shown {
            d = d.with_note(format!("... and {} more waiting tasks", total - shown));
        }
        d
    }
}

/// `spawn coro`, or with `internal` a helper task of the prelude
/// (`__spawn_helper`), which the program does not see.
pub fn spawn_coroutine(rt: &mut super::Runtime, v: Value, internal: bool) -> NResult<Gc<Task>> {
    let Value::Coroutine(c) = v else {
        return type_error(format!(
            "spawn needs a coroutine (the result of calling an async fn), not {}",
            rt.type_name(v)
        ));
    };
    if c.state.get() != CoState::Fresh {
        return type_error("this coroutine was already awaited or spawned");
    }
    c.state.set(CoState::Running);
    let fiber = Fiber {
        stack: c.stack.take(),
        frames: vec![Frame::new(c.closure, 0, c.argc, FrameKind::Coroutine(c))],
        handlers: Vec::new(),
    };
    Ok(rt.sched.spawn(&mut rt.heap, fiber, internal))
}

/// The place of the instruction a frame last saved its ip at.
fn frame_site(f: &Frame) -> (crate::span::SourceId, crate::span::Span) {
    let code = &f.closure.proto.code;
    let at =
        f.ip.saturating_sub(1)
            .min(code.chunk.spans.len().saturating_sub(1));
    (
        code.source,
        code.chunk.spans.get(at).copied().unwrap_or_default(),
    )
}

impl crate::scheduler::executor::Engine for Vm {
    fn runtime(&mut self) -> &mut super::Runtime {
        &mut self.rt
    }

    fn run_slice(&mut self, task: Gc<Task>) -> Stop {
        Vm::run_slice(self, task)
    }

    fn report_task_error(&mut self, task: Gc<Task>, error: Value) {
        Vm::report_task_error(self, task, error)
    }

    fn deadlock_report(&self) -> Vec<String> {
        Vm::deadlock_report(self)
    }

    fn dump_tasks(&mut self) {
        let text = self.task_dump();
        self.rt.flush();
        crate::report_to_stderr(&text);
    }
}

impl Vm {
    /// Every live task of the program with its state and async stack
    /// trace, innermost frame first (what SIGQUIT writes, like Go's
    /// goroutine dump).
    pub fn task_dump(&mut self) -> String {
        let tasks: Vec<Gc<Task>> = (self.rt.sched.tasks.values())
            .filter(|t| !t.internal)
            .copied()
            .collect();
        let n = tasks.len();
        let mut out = format!("SIGQUIT: {n} live task{}\n", if n == 1 { "" } else { "s" });
        for t in tasks {
            let state = match t.state.get() {
                TaskState::Ready => "ready".to_string(),
                TaskState::Running => "running".to_string(),
                TaskState::Done => "done".to_string(),
                TaskState::Waiting => match t.wait_site.get() {
                    Some((src, span)) => {
                        let file = self.rt.sources.get(src);
                        let (line, col) = file.line_col(span.start);
                        format!("waiting at {}:{line}:{col}", file.name)
                    }
                    None => "waiting".to_string(),
                },
            };
            out.push_str(&format!("\ntask {} ({state}):\n", t.id));
            let saved = std::mem::take(&mut *t.saved.borrow_mut());
            let fiber = std::mem::replace(&mut self.fiber, saved.fiber);
            let parents = std::mem::replace(&mut self.parents, saved.parents);
            let trace = self.capture_trace();
            *t.saved.borrow_mut() = TaskContext {
                fiber: std::mem::replace(&mut self.fiber, fiber),
                parents: std::mem::replace(&mut self.parents, parents),
            };
            for line in super::error::trace_lines(&self.rt.sources, trace.items()) {
                out.push_str("    ");
                out.push_str(&line);
                out.push('\n');
            }
        }
        out
    }
}
