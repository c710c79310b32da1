//! Renders diagnostics with ariadne. (Placeholder until the renderer lands.)

use super::Diagnostic;
use crate::span::SourceMap;

/// Renders one diagnostic as text; `color` adds ANSI colours.
pub fn render(diag: &Diagnostic, sources: &SourceMap, color: bool) -> String {
    let _ = (sources, color);
    let mut out = format!("error: {}\n", diag.message);
    for line in &diag.trace {
        out.push_str("  ");
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Renders several diagnostics, one after another.
pub fn render_all(diags: &[Diagnostic], sources: &SourceMap, color: bool) -> String {
    diags.iter().map(|d| render(d, sources, color)).collect()
}
