//! Raising and unwinding: turns a failed operation into a thrown value,
//! records where it was first thrown, and finds the innermost handler;
//! builds the report for an error nobody caught.

use super::{FrameKind, Stop, Vm};
use crate::diagnostics::Diagnostic;
use crate::value::{Ctrl, ModuleState, TraceEntry, Value};

impl Vm {
    /// Throws the outcome of a failed operation at the current instruction.
    /// `Ok` means a handler took it and execution continues in its frame.
    pub(super) fn raise(&mut self, ctrl: Ctrl) -> Result<(), Stop> {
        let value = match ctrl {
            Ctrl::Error(kind, message) => self.rt.make_error(kind, &message),
            Ctrl::Throw(v) => v,
            Ctrl::Exit(code) => return Err(Stop::Exit(code)),
        };
        let trace = self.capture_trace();
        match value {
            Value::Instance(inst) if inst.class.is_error => {
                let _ = inst.origin.set(trace);
            }
            _ => self.last_origin = Some(trace),
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
    pub(super) fn capture_trace(&self) -> Box<[TraceEntry]> {
        let outer = self
            .parents
            .iter()
            .rev()
            .flat_map(|p| p.fiber.frames.iter().rev());
        self.fiber
            .frames
            .iter()
            .rev()
            .chain(outer)
            .map(|f| {
                let code = &f.closure.proto.code;
                let at =
                    f.ip.saturating_sub(1)
                        .min(code.chunk.spans.len().saturating_sub(1));
                TraceEntry {
                    function: code.trace_name(),
                    source: code.source,
                    span: code.chunk.spans.get(at).copied().unwrap_or_default(),
                }
            })
            .collect()
    }

    /// Where `value` was first thrown.
    pub fn origin_of(&self, value: Value) -> Option<Box<[TraceEntry]>> {
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
        let mut d = Diagnostic::error(headline);
        if let Some(trace) = self.origin_of(value) {
            // Frames of the prelude (the Weft-written built-in methods such
            // as `map`) are implementation detail: point at the user's call.
            let trace: Vec<TraceEntry> = trace
                .iter()
                .filter(|e| e.source != PRELUDE)
                .cloned()
                .collect();
            if let Some(first) = trace.first() {
                let label = match value {
                    Value::Instance(inst) if inst.class.is_error => {
                        let msg = inst.get(self.rt.names.message);
                        match msg {
                            Some(Value::Str(s)) if !s.as_str().is_empty() => s.as_str().to_string(),
                            _ => "thrown here".to_string(),
                        }
                    }
                    _ => "thrown here".to_string(),
                };
                d = d.with_label(first.source, first.span, label);
            }
            d = d.with_trace(trace_lines(&self.rt.sources, &trace));
        }
        d
    }
}

/// Function names in trace lines are cut to this many characters.
const MAX_TRACE_NAME_CHARS: usize = 100;

/// The prelude is the first source every runtime loads.
const PRELUDE: crate::span::SourceId = crate::span::SourceId(0);

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

/// `at name (file:line:col)` lines. Runs of a repeated line, or of a
/// repeated group of up to four lines (mutual recursion), are collapsed.
/// Frames of the prelude are left out, in `e.trace` as in reports: they are
/// the built-in methods' implementation, not the user's code.
pub fn trace_lines(sources: &crate::span::SourceMap, trace: &[TraceEntry]) -> Vec<String> {
    let lines: Vec<String> = trace
        .iter()
        .filter(|entry| entry.source != PRELUDE)
        .map(|entry| {
            let file = sources.get(entry.source);
            let (line, col) = file.line_col(entry.span.start);
            // A name may be any length; a trace has up to 10,000 lines.
            let function = crate::diagnostics::clip_to(&entry.function, MAX_TRACE_NAME_CHARS);
            format!("at {function} ({}:{line}:{col})", file.name)
        })
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let mut collapsed = false;
        for period in 1..=4 {
            let block = &lines[i..(i + period).min(lines.len())];
            if block.len() < period {
                break;
            }
            let mut repeats = 0;
            let mut j = i + period;
            while j + period <= lines.len() && lines[j..j + period] == *block {
                repeats += 1;
                j += period;
            }
            if repeats >= 2 || (period == 1 && repeats >= 1) {
                out.extend(block.iter().cloned());
                let what = if period == 1 {
                    "the line above repeats".to_string()
                } else {
                    format!("the {period} lines above repeat")
                };
                let times = if repeats == 1 {
                    "once more".to_string()
                } else {
                    format!("{repeats} more times")
                };
                out.push(format!("... {what} {times}"));
                i = j;
                collapsed = true;
                break;
            }
        }
        if !collapsed {
            out.push(lines[i].clone());
            i += 1;
        }
    }
    out
}
