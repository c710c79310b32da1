//! Renders [`Diagnostic`]s as text with ariadne; the only file that talks to it.
//!
//! Input: a diagnostic (plain data whose spans are byte offsets into files of
//! a [`SourceMap`]) and whether to use ANSI colour. Output: a `String` ending
//! in a newline, ready for stderr. The shape is always
//!
//! ```text
//! error: headline
//!    ╭─[ file.weft:3:12 ]
//!    │  ... source excerpt with the labels ...
//! ───╯
//!   at fib (file.weft:3:12)
//! ```
//!
//! The headline is written here rather than by ariadne so that every
//! diagnostic, with or without a source excerpt, starts with the same
//! lower-case `error:` / `warning:` word. Without colour the output holds no
//! escape codes at all, which is what golden `.err` files rely on.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

use ariadne::{Cache, Color, Config, IndexType, Label as AriadneLabel, Report, ReportKind, Source};

use super::{Diagnostic, Label, Severity};
use crate::span::{SourceFile, SourceId, SourceMap};

/// Renders one diagnostic as text; `color` adds ANSI colours.
pub fn render(diag: &Diagnostic, sources: &SourceMap, color: bool) -> String {
    let mut out = headline(diag, color);

    // Labels pointing at files the map does not hold (which would be a bug in
    // the caller) are dropped rather than allowed to abort the report.
    let labels: Vec<(&Label, Range<usize>)> = diag
        .labels
        .iter()
        .filter_map(|label| {
            let file = lookup(sources, label.source)?;
            Some((label, byte_range(file, label.span.range())))
        })
        .collect();

    if let Some((primary, primary_range)) = labels.first() {
        out.push_str(&excerpt(
            diag,
            sources,
            primary,
            primary_range,
            &labels,
            color,
        ));
    } else {
        // With no source to show, the hint and notes follow the headline in
        // the order ariadne prints them below an excerpt.
        if let Some(hint) = &diag.hint {
            push_indented_block(&mut out, "help: ", hint);
        }
        for note in &diag.notes {
            push_indented_block(&mut out, "note: ", note);
        }
    }

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

fn headline(diag: &Diagnostic, color: bool) -> String {
    let (word, ansi) = match diag.severity {
        Severity::Error => ("error", "\x1b[1;31m"),
        Severity::Warning => ("warning", "\x1b[1;33m"),
    };
    if color {
        format!("{ansi}{word}\x1b[0m\x1b[1m:\x1b[0m {}\n", diag.message)
    } else {
        format!("{word}: {}\n", diag.message)
    }
}

/// The source excerpt drawn by ariadne, without its own headline.
fn excerpt(
    diag: &Diagnostic,
    sources: &SourceMap,
    primary: &Label,
    primary_range: &Range<usize>,
    labels: &[(&Label, Range<usize>)],
    color: bool,
) -> String {
    let kind = match diag.severity {
        Severity::Error => ReportKind::Error,
        Severity::Warning => ReportKind::Warning,
    };
    let config = Config::default()
        .with_index_type(IndexType::Byte)
        .with_color(color);
    let mut report =
        Report::build(kind, (primary.source, primary_range.clone())).with_config(config);

    for (i, (label, range)) in labels.iter().enumerate() {
        // Ariadne draws no underline at all for a label without a message,
        // so an empty message is still passed on: the span stays marked.
        let mut l = AriadneLabel::new((label.source, range.clone())).with_message(&label.message);
        if color {
            l = l.with_color(if i == 0 { Color::Red } else { Color::Blue });
        }
        // The primary label wins when labels overlap on one line.
        if i == 0 {
            l = l.with_priority(1);
        }
        report = report.with_label(l);
    }
    for note in &diag.notes {
        report = report.with_note(note);
    }
    if let Some(hint) = &diag.hint {
        report = report.with_help(hint);
    }

    let mut buf = Vec::new();
    let cache = MapCache {
        map: sources,
        loaded: HashMap::new(),
    };
    if report.finish().write(cache, &mut buf).is_err() {
        // Writing to a Vec cannot fail; if ariadne still reports an error the
        // headline alone is better than nothing.
        return String::new();
    }
    let text = String::from_utf8_lossy(&buf);
    // Skip ariadne's header line (`Error: `, with no message set): the
    // headline was already written by `headline`. Ariadne pads some lines
    // with spaces; trimming them keeps golden `.err` files free of trailing
    // whitespace that editors would strip.
    let mut out = String::with_capacity(text.len());
    for line in text.lines().skip(1) {
        out.push_str(line.trim_end_matches(' '));
        out.push('\n');
    }
    out
}

/// Appends `prefix` + `text`, indenting continuation lines of a multi-line
/// text under its first line.
fn push_indented_block(out: &mut String, prefix: &str, text: &str) {
    let pad = " ".repeat(prefix.len());
    for (i, line) in text.lines().enumerate() {
        out.push_str(if i == 0 { prefix } else { &pad });
        out.push_str(line);
        out.push('\n');
    }
    if text.is_empty() {
        out.push_str(prefix.trim_end());
        out.push('\n');
    }
}

/// The file behind `id`, or `None` if the map holds no such file.
fn lookup(sources: &SourceMap, id: SourceId) -> Option<&SourceFile> {
    sources.files().find(|(i, _)| *i == id).map(|(_, f)| f)
}

/// Clamps a byte range to the text and to character boundaries: ariadne
/// slices lines at these offsets and would panic inside a UTF-8 sequence.
fn byte_range(file: &SourceFile, range: Range<usize>) -> Range<usize> {
    let text = &file.text;
    let floor = |mut i: usize| {
        i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let start = floor(range.start);
    let end = floor(range.end.max(range.start));
    start..end
}

/// Hands ariadne the files of a [`SourceMap`], named as the user gave them.
struct MapCache<'a> {
    map: &'a SourceMap,
    loaded: HashMap<SourceId, Source<&'a str>>,
}

/// Raised if ariadne asks for a file the map does not hold (labels are
/// filtered beforehand, so this does not happen in practice).
#[derive(Debug)]
struct UnknownSource(#[allow(dead_code)] SourceId);

impl<'a> Cache<SourceId> for MapCache<'a> {
    type Storage = &'a str;

    fn fetch(&mut self, id: &SourceId) -> Result<&Source<&'a str>, impl fmt::Debug> {
        let map = self.map;
        match self.loaded.entry(*id) {
            std::collections::hash_map::Entry::Occupied(e) => Ok(e.into_mut()),
            std::collections::hash_map::Entry::Vacant(e) => match lookup(map, *id) {
                Some(file) => Ok(e.insert(Source::from(file.text.as_str()))),
                None => Err(UnknownSource(*id)),
            },
        }
    }

    fn display<'b>(&self, id: &'b SourceId) -> Option<impl fmt::Display + 'b> {
        lookup(self.map, *id).map(|f| f.name.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::Span;

    fn has_ansi(s: &str) -> bool {
        s.contains('\x1b')
    }

    #[test]
    fn unlabelled_diagnostic_is_one_line() {
        let map = SourceMap::new();
        let d = Diagnostic::error("cannot read `x.weft`: No such file or directory");
        assert_eq!(
            render(&d, &map, false),
            "error: cannot read `x.weft`: No such file or directory\n"
        );
    }

    #[test]
    fn unlabelled_diagnostic_with_notes_hint_and_trace() {
        let map = SourceMap::new();
        let d = Diagnostic::error("deadlock: every task is waiting")
            .with_note("task 1 waits on a channel")
            .with_hint("close the channel")
            .with_trace(vec!["at main (m.weft:1:1)".into()]);
        assert_eq!(
            render(&d, &map, false),
            "error: deadlock: every task is waiting\n\
             help: close the channel\n\
             note: task 1 waits on a channel\n  at main (m.weft:1:1)\n"
        );
    }

    #[test]
    fn labelled_diagnostic_shows_file_line_and_labels() {
        let mut map = SourceMap::new();
        let src = "fn fib(n) {\n  return n + \"x\"\n}\n";
        let id = map.add("fib.weft", src);
        let plus = src.find('+').unwrap();
        let d = Diagnostic::error("TypeError: cannot add int and string")
            .with_label(id, Span::new(plus, plus + 1), "here")
            .with_label(id, Span::new(plus + 2, plus + 5), "this is a string")
            .with_note("only numbers add to numbers")
            .with_hint("use str(n)")
            .with_trace(vec![
                "at fib (fib.weft:2:12)".into(),
                "at <main> (fib.weft:4:1)".into(),
            ]);
        let out = render(&d, &map, false);
        assert!(!has_ansi(&out), "{out}");
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "error: TypeError: cannot add int and string");
        assert!(lines[1].contains("fib.weft:2:12"), "{out}");
        assert!(out.contains("return n + \"x\""), "{out}");
        assert!(out.contains("here"), "{out}");
        assert!(out.contains("this is a string"), "{out}");
        assert!(out.contains("Note: only numbers add to numbers"), "{out}");
        assert!(out.contains("Help: use str(n)"), "{out}");
        assert!(!out.contains("\nError"), "{out}");
        assert!(out.lines().all(|l| !l.ends_with(' ')), "{out}");
        let n = lines.len();
        assert_eq!(lines[n - 2], "  at fib (fib.weft:2:12)");
        assert_eq!(lines[n - 1], "  at <main> (fib.weft:4:1)");
        assert!(out.ends_with('\n'));
    }

    #[test]
    fn spans_are_bytes_and_columns_are_characters() {
        let mut map = SourceMap::new();
        let src = "let é = 1 + nil\n";
        let id = map.add("u.weft", src);
        let nil = src.find("nil").unwrap();
        let d = Diagnostic::error("boom").with_label(id, Span::new(nil, nil + 3), "nil here");
        let out = render(&d, &map, false);
        // `nil` is byte 13 but character 12, so column 13.
        assert!(out.contains("u.weft:1:13"), "{out}");
        let excerpt_line = out.lines().find(|l| l.contains("let é")).unwrap();
        let under = out.lines().find(|l| l.contains("─┬─")).unwrap();
        let col_src = excerpt_line.find("nil").unwrap();
        let col_under = under.find("─┬─").unwrap();
        // Same display column: compare in characters.
        assert_eq!(
            excerpt_line[..col_src].chars().count(),
            under[..col_under].chars().count(),
            "{out}"
        );
    }

    #[test]
    fn labels_in_two_files() {
        let mut map = SourceMap::new();
        let a = map.add("a.weft", "import b\nb.f()\n");
        let b = map.add("lib/b.weft", "fn f() { throw 1 }\n");
        let d = Diagnostic::error("uncaught 1")
            .with_label(b, Span::new(9, 16), "thrown here")
            .with_label(a, Span::new(9, 14), "called here");
        let out = render(&d, &map, false);
        assert!(out.contains("lib/b.weft:1:10"), "{out}");
        assert!(out.contains("a.weft:2:1"), "{out}");
        assert!(out.find("lib/b.weft").unwrap() < out.find("a.weft:").unwrap());
    }

    #[test]
    fn bad_spans_and_sources_do_not_panic() {
        let mut map = SourceMap::new();
        let id = map.add("x.weft", "é\n");
        let d = Diagnostic::error("odd")
            .with_label(id, Span::new(1, 99), "inside a character, past the end")
            .with_label(SourceId(7), Span::new(0, 1), "no such file");
        let out = render(&d, &map, false);
        assert!(out.starts_with("error: odd\n"), "{out}");
        assert!(!out.contains("no such file"), "{out}");
    }

    #[test]
    fn colour_only_when_asked() {
        let mut map = SourceMap::new();
        let id = map.add("c.weft", "1 + nil\n");
        let d = Diagnostic::error("boom").with_label(id, Span::new(4, 7), "nil");
        assert!(has_ansi(&render(&d, &map, true)));
        assert!(!has_ansi(&render(&d, &map, false)));
    }

    #[test]
    fn label_without_message_is_still_underlined() {
        let mut map = SourceMap::new();
        let id = map.add("e.weft", "1 + nil\n");
        let d = Diagnostic::error("boom").with_label(id, Span::new(4, 7), "");
        let out = render(&d, &map, false);
        assert!(out.contains("─┬─"), "{out}");
    }

    #[test]
    fn warnings_say_warning() {
        let map = SourceMap::new();
        let mut d = Diagnostic::error("unused");
        d.severity = Severity::Warning;
        assert_eq!(render(&d, &map, false), "warning: unused\n");
    }
}
