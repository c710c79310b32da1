//! Reports of uncaught errors: the headline, the span where the error was
//! first thrown underlined, and the stack trace. Used by the VM for errors
//! that end a program or a task, and by natives that report an error and
//! go on (a failed `http` handler).

use super::Runtime;
use crate::diagnostics::Diagnostic;
use crate::value::{StackTrace, TraceItem, Value};

/// Function names in trace lines are cut to this many characters.
const MAX_TRACE_NAME_CHARS: usize = 100;

/// The prelude is the first source every runtime loads.
pub const PRELUDE: crate::span::SourceId = crate::span::SourceId(0);

/// The report for `value`, thrown at `origin`, under `headline`.
pub fn error_report(
    rt: &Runtime,
    value: Value,
    origin: Option<StackTrace>,
    headline: String,
) -> Diagnostic {
    let mut d = Diagnostic::error(headline);
    if let Some(trace) = origin {
        // Frames of the prelude (the Weft-written built-in methods such
        // as `map`) are implementation detail: point at the user's call.
        let user = |item: &TraceItem| !matches!(item, TraceItem::Frame(e) if e.source == PRELUDE);
        if let Some(first) = trace.frames().find(|e| e.source != PRELUDE) {
            let label = match value {
                Value::Instance(inst) if inst.class.is_error => {
                    let msg = inst.get(rt.names.message);
                    match msg {
                        Some(Value::Str(s)) if !s.as_str().is_empty() => s.as_str().to_string(),
                        _ => "thrown here".to_string(),
                    }
                }
                _ => "thrown here".to_string(),
            };
            d = d.with_label(first.source, first.span, label);
        }
        d = d.with_trace(trace_lines(&rt.sources, trace.items().filter(user)));
    }
    d
}

/// `at name (file:line:col)` lines. Runs of a repeated line, or of a
/// repeated group of up to four lines (mutual recursion), are collapsed
/// (`value::trace::collapse`); frames the trace left out are one line.
/// Frames of the prelude are left out, in `e.trace` as in reports: they are
/// the built-in methods' implementation, not the user's code.
pub fn trace_lines<'a>(
    sources: &crate::span::SourceMap,
    trace: impl Iterator<Item = TraceItem<'a>>,
) -> Vec<String> {
    let lines: Vec<String> = trace
        .filter(|item| !matches!(item, TraceItem::Frame(entry) if entry.source == PRELUDE))
        .map(|item| match item {
            TraceItem::Frame(entry) => {
                let file = sources.get(entry.source);
                let (line, col) = file.line_col(entry.span.start);
                // A name may be any length; a trace has up to 10,000 lines.
                let function = crate::diagnostics::clip_to(&entry.function, MAX_TRACE_NAME_CHARS);
                format!("at {function} ({}:{line}:{col})", file.name)
            }
            TraceItem::Omitted(n) => format!("... {n} frames not recorded"),
        })
        .collect();
    let mut out = Vec::new();
    for block in crate::value::trace::collapse(&lines) {
        let lines = &lines[block.start..block.start + block.len];
        out.extend(lines.iter().cloned());
        let repeats = block.times - 1;
        if repeats == 0 {
            continue;
        }
        let what = if block.len == 1 {
            "the line above repeats".to_string()
        } else {
            format!("the {} lines above repeat", block.len)
        };
        let times = if repeats == 1 {
            "once more".to_string()
        } else {
            format!("{repeats} more times")
        };
        out.push(format!("... {what} {times}"));
    }
    out
}
