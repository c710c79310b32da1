//! Raising and unwinding: turns a failed operation into a thrown value,
//! records where it was first thrown, and finds the innermost handler;
//! builds the report for an error nobody caught.
//!
//! Traces are recorded compactly (`value::trace`) and counted by the heap
//! as part of the error that holds them.

use super::{FrameKind, Stop, Vm};
use crate::bytecode::FnProto;
use crate::diagnostics::Diagnostic;
pub use crate::runtime::report::trace_lines;
use crate::span::Span;
use crate::value::{Ctrl, ModuleState, StackTrace, TraceEntry, Value};

impl Vm {
    /// Throws the outcome of a failed operation at the current instruction.
    /// `Ok` means a handler took it and execution continues in its frame.
    pub(super) fn raise(&mut self, ctrl: Ctrl) -> Result<(), Stop> {
        let value = match ctrl {
            Ctrl::Error(kind, message) => self.rt.make_error(kind, &message),
            Ctrl::Throw(v) => v,
            Ctrl::Exit(code) => return Err(Stop::Exit(code)),
        };
        match value {
            Value::Instance(inst) if inst.class.is_error => {
                // Thrown again (`throw e` in a `catch`): it keeps its origin.
                if inst.origin.get().is_none() {
                    let trace = self.capture_trace();
                    self.rt.heap.account(trace.bytes());
                    let _ = inst.origin.set(trace);
                }
            }
            _ => self.last_origin = Some(self.capture_trace()),
        }
        self.unwind(value)
    }

    /// Throws `value` again without touching its recorded origin (the end
    /// of a `finally` block).
    pub(super) fn unwind(&mut self, value: Value) -> Result<(), Stop> {
        let handler = loop {
            if let Some(h) = self.fiber.handlers.pop() {
                break h;
            }
            // No handler in this fiber: a generator dies and the error goes
            // on in whoever resumed it.
            for frame in self.fiber.frames.drain(..) {
                finish_frame(frame.kind);
            }
            match self.unwind_generator(value) {
                Some(true) => return Ok(()),
                Some(false) => continue,
                None => return Err(Stop::Threw(value)),
            }
        };
        let fiber = &mut self.fiber;
        while fiber.frames.len() > handler.frames {
            if let Some(frame) = fiber.frames.pop() {
                finish_frame(frame.kind);
            }
        }
        fiber.stack.truncate(handler.height);
        fiber.stack.push(value);
        if let Some(frame) = fiber.frames.last_mut() {
            frame.ip = handler.target;
        }
        Ok(())
    }

    /// The current call stack, innermost first: the running fiber's frames,
    /// then those of the fibers that resumed it (generators' consumers).
    pub(super) fn capture_trace(&self) -> StackTrace {
        /// A frame as the trace shows it: a function and a position in it.
        struct Site<'a> {
            code: &'a FnProto,
            span: Span,
        }
        impl PartialEq for Site<'_> {
            fn eq(&self, other: &Self) -> bool {
                std::ptr::eq(self.code, other.code) && self.span == other.span
            }
        }
        let outer = self
            .parents
            .iter()
            .rev()
            .flat_map(|p| p.fiber.frames.iter().rev());
        let sites: Vec<Site> = self
            .fiber
            .frames
            .iter()
            .rev()
            .chain(outer)
            .map(|f| {
                let code = &*f.closure.proto.code;
                let at =
                    f.ip.saturating_sub(1)
                        .min(code.chunk.spans.len().saturating_sub(1));
                Site {
                    code,
                    span: code.chunk.spans.get(at).copied().unwrap_or_default(),
                }
            })
            .collect();
        StackTrace::record(&sites, |site| TraceEntry {
            function: site.code.trace_name(),
            source: site.code.source,
            span: site.span,
        })
    }

    /// Where `value` was first thrown.
    pub fn origin_of(&self, value: Value) -> Option<StackTrace> {
        match value {
            Value::Instance(inst) if inst.class.is_error => inst.origin.get().cloned(),
            _ => self.last_origin.clone(),
        }
    }

    /// The report for an uncaught error: headline, the failing span
    /// underlined, and the stack trace.
    pub fn error_report(&self, value: Value) -> Diagnostic {
        let headline = match value {
            Value::Instance(inst) if inst.class.is_error => self.rt.display(value),
            _ => format!("uncaught error: {}", self.rt.repr(value)),
        };
        self.error_report_headed(value, headline)
    }

    /// [`Vm::error_report`] for an error that ended task `task`: the
    /// headline says so once (`uncaught error in task 2: "x"`).
    pub fn task_error_report(&self, value: Value, task: u64) -> Diagnostic {
        let what = match value {
            Value::Instance(inst) if inst.class.is_error => self.rt.display(value),
            _ => self.rt.repr(value),
        };
        self.error_report_headed(value, format!("uncaught error in task {task}: {what}"))
    }

    fn error_report_headed(&self, value: Value, headline: String) -> Diagnostic {
        crate::runtime::report::error_report(&self.rt, value, self.origin_of(value), headline)
    }
}

/// Bookkeeping for a frame abandoned by an error.
fn finish_frame(kind: FrameKind) {
    match kind {
        // A module whose body failed stays failed-but-done: it is not run
        // a second time.
        FrameKind::Module(m) => m.state.set(ModuleState::Done),
        FrameKind::Coroutine(c) => c.state.set(crate::value::CoState::Done),
        FrameKind::Normal | FrameKind::Constructor => {}
    }
}
