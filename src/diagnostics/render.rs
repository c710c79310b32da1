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
//!
//! Ariadne is never handed a whole file. For each report it gets an
//! [`Excerpt`]: the lines the labels start and end on, every other line left
//! blank so that line numbers are unchanged. A line longer than
//! [`MAX_LINE_CHARS`] is shown as windows around its labels, the cuts marked
//! `…`, so a report costs time and space bounded by its labels rather than by
//! the length of the line. Characters that ariadne would take for line breaks
//! (`\r`, form feed, U+2028...) are shown as spaces, so that its line numbers
//! agree with the `\n` lines that traces count, and other control characters
//! (and bidirectional overrides) as `�`, so that a report never writes raw
//! escape codes to a terminal.

use std::collections::HashMap;
use std::fmt;
use std::fmt::Write as _;
use std::ops::Range;

use ariadne::{Cache, Color, Config, IndexType, Label as AriadneLabel, Report, ReportKind, Source};

use super::{Diagnostic, Diagnostics, Label, Severity};
use crate::span::{SourceFile, SourceId, SourceMap};

/// Lines up to this many characters are shown whole.
const MAX_LINE_CHARS: usize = 160;
/// On a longer line, the characters of context shown on each side of a span.
const CONTEXT_CHARS: usize = 40;
/// On a longer line, the most characters of one span shown.
const MAX_SPAN_CHARS: usize = 60;
/// A label's text is cut to its first line and this many characters.
const MAX_LABEL_CHARS: usize = 120;
/// Marks text left out.
const CUT: &str = "…";

/// A label with the file it points into and its byte range there, clamped
/// to the text and to character boundaries.
type Placed<'a> = (&'a Label, &'a SourceFile, Range<usize>);

/// Renders one diagnostic as text; `color` adds ANSI colours.
pub fn render(diag: &Diagnostic, sources: &SourceMap, color: bool) -> String {
    let mut out = headline(diag, color);

    // Labels pointing at files the map does not hold (which would be a bug in
    // the caller) are dropped rather than allowed to abort the report.
    let labels: Vec<Placed> = diag
        .labels
        .iter()
        .filter_map(|label| {
            let file = lookup(sources, label.source)?;
            Some((label, file, byte_range(file, label.span.range())))
        })
        .collect();

    if labels.is_empty() {
        // With no source to show, the hint and notes follow the headline in
        // the order ariadne prints them below an excerpt.
        if let Some(hint) = &diag.hint {
            push_indented_block(&mut out, "help: ", hint);
        }
        for note in &diag.notes {
            push_indented_block(&mut out, "note: ", note);
        }
    } else {
        out.push_str(&excerpt(diag, &labels, color));
    }

    for line in &diag.trace {
        out.push_str("  ");
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Renders the diagnostics of a build in order, then says how many more
/// there were when some were left out.
pub fn render_all(diags: &Diagnostics, sources: &SourceMap, color: bool) -> String {
    let (shown, omitted) = diags.clone().into_sorted();
    let mut out: String = shown.iter().map(|d| render(d, sources, color)).collect();
    if omitted > 0 {
        let noun = if omitted == 1 { "error" } else { "errors" };
        let _ = writeln!(out, "... and {omitted} more {noun}");
    }
    out
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

/// The source excerpt drawn by ariadne, without its own headline. The
/// first label is the primary one; `labels` is not empty.
fn excerpt(diag: &Diagnostic, labels: &[Placed], color: bool) -> String {
    let kind = match diag.severity {
        Severity::Error => ReportKind::Error,
        Severity::Warning => ReportKind::Warning,
    };

    // One excerpt per file (the primary's first), from its labels' spans.
    let mut excerpts: Vec<(SourceId, Excerpt)> = Vec::new();
    for (label, file, _) in labels {
        if excerpts.iter().any(|(id, _)| *id == label.source) {
            continue;
        }
        let spans: Vec<Range<usize>> = labels
            .iter()
            .filter(|(l, _, _)| l.source == label.source)
            .map(|(_, _, r)| r.clone())
            .collect();
        excerpts.push((label.source, Excerpt::new(file, &spans)));
    }
    let rank = |id: SourceId| excerpts.iter().position(|(i, _)| *i == id).unwrap_or(0);
    let excerpt_of = |id: SourceId| &excerpts[rank(id)].1;

    let config = Config::default()
        .with_index_type(IndexType::Byte)
        .with_color(color);
    let (primary, _, primary_range) = &labels[0];
    let primary_span = excerpt_of(primary.source).map_range(primary_range);
    let mut report = Report::build(kind, (primary.source, primary_span)).with_config(config);

    // Ariadne starts a new section, headed by the primary's position
    // whatever the section shows, whenever a label ends on an earlier line
    // than the label before it. Handing it the labels file by file, in line
    // order, keeps one section per file, headed by a position it shows.
    let mut order: Vec<usize> = (0..labels.len()).collect();
    order.sort_by_key(|&i| {
        let (label, file, range) = &labels[i];
        let last = file.line_index(range.end.max(range.start + 1) - 1);
        (rank(label.source), last, range.start)
    });
    for i in order {
        let (label, _, range) = &labels[i];
        let span = excerpt_of(label.source).map_range(range);
        // Ariadne draws no underline at all for a label without a message,
        // so an empty message is still passed on: the span stays marked.
        let mut l =
            AriadneLabel::new((label.source, span)).with_message(label_text(&label.message));
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
    let cache = ExcerptCache {
        files: excerpts
            .iter()
            .map(|(id, e)| (*id, (e.file.name.as_str(), Source::from(e.text.as_str()))))
            .collect(),
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
        let line = line.trim_end_matches(' ');
        if is_section_header(line) {
            out.push_str(&true_column(line, labels, &excerpts));
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

/// Whether `line` opens a section (`╭─[ file:line:col ]` or `├─[ ...`),
/// colour codes aside.
fn is_section_header(line: &str) -> bool {
    let mut rest = line.trim_start_matches(' ');
    while let Some(after) = rest.strip_prefix("\x1b[") {
        rest = after.split_once('m').map_or("", |(_, r)| r);
    }
    rest.starts_with('╭') || rest.starts_with('├')
}

/// Ariadne counts a section header's column in the excerpt, where a long
/// line may have lost its start: puts back the column in the file.
fn true_column(header: &str, labels: &[Placed], excerpts: &[(SourceId, Excerpt)]) -> String {
    for (label, file, range) in labels {
        let Some((_, excerpt)) = excerpts.iter().find(|(id, _)| *id == label.source) else {
            continue;
        };
        let Some((line, shown, real)) = excerpt.columns(range.start) else {
            continue;
        };
        let wrong = format!(" {}:{line}:{shown} ", file.name);
        if header.contains(&wrong) {
            return header.replacen(&wrong, &format!(" {}:{line}:{real} ", file.name), 1);
        }
    }
    header.to_string()
}

/// A label's text, on one line and of bounded length.
fn label_text(message: &str) -> String {
    let first = message.lines().next().unwrap_or("");
    let mut text: String = first.chars().take(MAX_LABEL_CHARS).collect();
    if text.len() < message.len() {
        text.push_str(CUT);
    }
    text
}

/// What ariadne is shown of one file: the lines labels start or end on
/// (windowed when long) at their own line numbers, every other line blank.
struct Excerpt<'a> {
    file: &'a SourceFile,
    text: String,
    /// The lines shown, in order.
    lines: Vec<ShownLine>,
}

/// One line of an [`Excerpt`] that has text.
struct ShownLine {
    /// 0-based line number.
    index: usize,
    /// The line's bytes in the file, without its newline.
    range: Range<usize>,
    /// Where the line starts and ends in the excerpt.
    start: usize,
    end: usize,
    /// The pieces of the line shown, in order: their bytes in the file and
    /// where their text starts in the excerpt. One piece, the whole line,
    /// unless the line is long.
    pieces: Vec<(Range<usize>, usize)>,
}

impl<'a> Excerpt<'a> {
    fn new(file: &'a SourceFile, spans: &[Range<usize>]) -> Excerpt<'a> {
        let src = file.text.as_str();
        // The lines each span starts and ends on, each with the part of the
        // span worth showing there: its start, or its end.
        let mut wanted: Vec<(usize, Range<usize>)> = Vec::new();
        for span in spans {
            let first = file.line_index(span.start);
            let last = file.line_index(span.end.max(span.start + 1) - 1);
            let line = file.line_range(first);
            let end = span.end.min(line.end);
            wanted.push((
                first,
                span.start..forward(src, span.start, MAX_SPAN_CHARS, end),
            ));
            if last != first {
                let line = file.line_range(last);
                let end = span.end.min(line.end);
                let start = span.start.max(line.start);
                wanted.push((last, back(src, end, MAX_SPAN_CHARS, start)..end));
            }
        }
        wanted.sort_by_key(|(line, focus)| (*line, focus.start));

        let mut text = String::new();
        let mut lines: Vec<ShownLine> = Vec::new();
        let mut i = 0;
        while i < wanted.len() {
            let index = wanted[i].0;
            let mut focus = Vec::new();
            while i < wanted.len() && wanted[i].0 == index {
                focus.push(wanted[i].1.clone());
                i += 1;
            }
            // Blank lines up to this one keep ariadne's line numbers right.
            let blank_from = lines.last().map_or(0, |l| l.index + 1);
            text.extend(std::iter::repeat_n('\n', index - blank_from));
            let range = file.line_range(index);
            let start = text.len();
            let mut pieces = Vec::new();
            let mut shown_to = range.start;
            for piece in windows(src, &range, &focus) {
                if piece.start > shown_to {
                    text.push_str(CUT);
                }
                pieces.push((piece.clone(), text.len()));
                push_shown(&mut text, &src[piece.clone()]);
                shown_to = piece.end;
            }
            if shown_to < range.end {
                text.push_str(CUT);
            }
            let end = text.len();
            if range.end < src.len() {
                text.push('\n');
            }
            lines.push(ShownLine {
                index,
                range,
                start,
                end,
                pieces,
            });
        }
        Excerpt { file, text, lines }
    }

    /// Where byte `offset` of the file is in the excerpt. An offset in text
    /// left out maps to the end of the `…` standing for it, so a span that
    /// runs past a window is underlined up to and including the cut.
    fn map(&self, offset: usize) -> usize {
        let after = self.lines.partition_point(|l| l.range.start <= offset);
        let line = match after.checked_sub(1).map(|i| &self.lines[i]) {
            Some(line) if offset <= line.range.end => line,
            // On a blank line (the start of the line after a span that ends
            // with a newline): the start of that line in the excerpt.
            previous => {
                let index = self.file.line_index(offset);
                let pos = match previous {
                    Some(p) => p.end + (index - p.index),
                    None => index,
                };
                return pos.min(self.text.len());
            }
        };
        for (piece, at) in &line.pieces {
            if offset < piece.start {
                return *at;
            }
            if offset <= piece.end {
                return at + shown_len(&self.file.text[piece.start..offset]);
            }
        }
        line.end
    }

    fn map_range(&self, range: &Range<usize>) -> Range<usize> {
        let start = self.map(range.start);
        start..self.map(range.end).max(start)
    }

    /// For an offset on a line cut short: its 1-based line number, its
    /// column in the excerpt and its column in the file.
    fn columns(&self, offset: usize) -> Option<(usize, usize, usize)> {
        let line = self
            .lines
            .iter()
            .find(|l| l.range.start <= offset && offset <= l.range.end)?;
        let shown = self.text[line.start..self.map(offset)].chars().count() + 1;
        let (number, real) = self.file.line_col(offset as u32);
        (shown != real).then_some((number, shown, real))
    }
}

/// The pieces of a line to show: all of it when it is short, else a window
/// around each focus (merged where they overlap).
fn windows(src: &str, line: &Range<usize>, focus: &[Range<usize>]) -> Vec<Range<usize>> {
    if src[line.clone()].chars().nth(MAX_LINE_CHARS).is_none() {
        return vec![line.clone()];
    }
    let mut pieces: Vec<Range<usize>> = focus
        .iter()
        .map(|f| {
            back(src, f.start, CONTEXT_CHARS, line.start)
                ..forward(src, f.end, CONTEXT_CHARS, line.end)
        })
        .collect();
    pieces.sort_by_key(|p| p.start);
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(pieces.len());
    for piece in pieces {
        match merged.last_mut() {
            Some(last) if piece.start <= last.end => last.end = last.end.max(piece.end),
            _ => merged.push(piece),
        }
    }
    merged
}

/// The offset `n` characters after `from`, at most `limit`.
fn forward(src: &str, from: usize, n: usize, limit: usize) -> usize {
    if from >= limit {
        return from;
    }
    src[from..limit]
        .char_indices()
        .nth(n)
        .map_or(limit, |(i, _)| from + i)
}

/// The offset `n` characters before `from`, at least `limit`.
fn back(src: &str, from: usize, n: usize, limit: usize) -> usize {
    if from <= limit || n == 0 {
        return from;
    }
    src[limit..from]
        .char_indices()
        .rev()
        .take(n)
        .last()
        .map_or(from, |(i, _)| limit + i)
}

/// How a character of the file is shown: see the module comment. The
/// bidirectional overrides and isolates are hidden too, since a terminal
/// would reorder the excerpt's text around them.
fn shown_char(c: char) -> char {
    match c {
        '\r' | '\u{b}' | '\u{c}' | '\u{85}' | '\u{2028}' | '\u{2029}' => ' ',
        '\t' => '\t',
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => '\u{FFFD}',
        c if c.is_control() => '\u{FFFD}',
        c => c,
    }
}

fn push_shown(out: &mut String, text: &str) {
    out.extend(text.chars().map(shown_char));
}

fn shown_len(text: &str) -> usize {
    text.chars().map(|c| shown_char(c).len_utf8()).sum()
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
/// The end of input (after the final newline, on a line with no text) is
/// shown just after the last thing in the file, where something is missing.
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
    if start == text.len() {
        let last = text.trim_end().len();
        return last..last;
    }
    start..end
}

/// Hands ariadne the excerpts of one report, named as the user gave the
/// files.
struct ExcerptCache<'a> {
    files: HashMap<SourceId, (&'a str, Source<&'a str>)>,
}

/// Raised if ariadne asks for a file the report has no excerpt of (every
/// label's file has one, so this does not happen in practice).
#[derive(Debug)]
struct UnknownSource(#[allow(dead_code)] SourceId);

impl<'a> Cache<SourceId> for ExcerptCache<'a> {
    type Storage = &'a str;

    fn fetch(&mut self, id: &SourceId) -> Result<&Source<&'a str>, impl fmt::Debug> {
        match self.files.get(id) {
            Some((_, source)) => Ok(source),
            None => Err(UnknownSource(*id)),
        }
    }

    fn display<'b>(&self, id: &'b SourceId) -> Option<impl fmt::Display + 'b> {
        self.files.get(id).map(|(name, _)| name.to_string())
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

    fn excerpt_lines(out: &str) -> Vec<&str> {
        out.lines().filter(|l| l.contains(" │ ")).collect()
    }

    #[test]
    fn long_lines_are_cut_to_windows_around_the_labels() {
        let mut map = SourceMap::new();
        let src = format!("let a = [{}nope]\n", "1, ".repeat(100_000));
        let id = map.add("w.weft", src.as_str());
        let at = src.find("nope").unwrap();
        let d = Diagnostic::error("undefined name `nope`")
            .with_label(id, Span::new(at, at + 4), "here")
            .with_label(id, Span::new(8, 9), "opened here");
        let out = render(&d, &map, false);
        assert!(out.len() < 2000, "{out}");
        // The column is the file's, not the window's.
        assert!(out.contains(&format!("w.weft:1:{} ]", at + 1)), "{out}");
        let shown = excerpt_lines(&out)[0];
        assert!(shown.starts_with(" 1 │ let a = [1, 1, "), "{out}");
        assert!(shown.contains("…"), "{out}");
        assert!(shown.ends_with("1, nope]"), "{out}");
        // Both labels are drawn under their text.
        let nope = shown.find("nope").unwrap();
        let col = shown[..nope].chars().count();
        let under = out.lines().find(|l| l.contains("──┬─")).unwrap();
        assert_eq!(under.chars().position(|c| c == '─'), Some(col), "{out}");
        // In colour too.
        let out = render(&d, &map, true);
        assert!(out.contains(&format!(" w.weft:1:{} ", at + 1)), "{out}");
    }

    #[test]
    fn a_span_running_past_its_window_ends_at_the_cut() {
        let mut map = SourceMap::new();
        let src = format!("let s = \"{}\n", "a".repeat(10_000));
        let id = map.add("s.weft", src.as_str());
        let d = Diagnostic::error("unterminated string").with_label(
            id,
            Span::new(8, src.len() - 1),
            "string starts here",
        );
        let out = render(&d, &map, false);
        assert!(out.len() < 1000, "{out}");
        assert!(out.contains("s.weft:1:9 ]"), "{out}");
        assert!(excerpt_lines(&out)[0].ends_with('…'), "{out}");
    }

    #[test]
    fn multi_line_spans_show_their_first_and_last_lines() {
        let mut map = SourceMap::new();
        let src = format!("let x = 1 +\n{}\n  nil\nprint(x)\n", "\n".repeat(5000));
        let id = map.add("m.weft", src.as_str());
        let end = src.find("nil").unwrap() + 3;
        let d = Diagnostic::error("boom").with_label(id, Span::new(8, end), "cannot add");
        let out = render(&d, &map, false);
        assert!(out.contains("m.weft:1:9 ]"), "{out}");
        assert!(out.contains(" 5003 │ ├─▶   nil"), "{out}");
        assert!(!out.contains("print"), "{out}");
        assert!(out.lines().count() < 15, "{out}");
    }

    #[test]
    fn other_line_breaks_do_not_shift_line_numbers() {
        let mut map = SourceMap::new();
        let src = "let a = \"x\u{2028}y\u{85}\" \u{c}\rlet b = 1\nprint(\u{1b}[1m)\n";
        let id = map.add("b.weft", src);
        let esc = src.find('\u{1b}').unwrap();
        let d = Diagnostic::error("unexpected").with_label(id, Span::new(esc, esc + 1), "here");
        let out = render(&d, &map, false);
        assert!(out.contains("b.weft:2:7 ]"), "{out}");
        assert!(out.contains(" 2 │ print(\u{FFFD}[1m)"), "{out}");
        assert!(
            !out.contains('\u{1b}'),
            "no raw escape reaches the terminal: {out}"
        );
        let d = Diagnostic::error("odd").with_label(id, Span::new(0, 3), "here");
        let out = render(&d, &map, false);
        assert!(out.contains(" 1 │ let a = \"x y \"   let b = 1"), "{out}");
        let id = map.add("bidi.weft", "let s = \"\u{202e}abc\"\nprint(x)\n");
        let d = Diagnostic::error("x").with_label(id, Span::new(0, 3), "here");
        let out = render(&d, &map, false);
        assert!(out.contains(" 1 │ let s = \"\u{FFFD}abc\""), "{out}");
    }

    #[test]
    fn spans_at_and_past_the_end_of_lines() {
        let mut map = SourceMap::new();
        let src = "fn f() {\n  print(1)\n";
        let id = map.add("e.weft", src);
        // The end of input, after the final newline.
        let d = Diagnostic::error("expected `}`")
            .with_label(id, Span::new(src.len(), src.len()), "here")
            .with_label(id, Span::new(7, 8), "unclosed");
        let out = render(&d, &map, false);
        assert!(out.contains("e.weft:2:11 ]"), "{out}");
        assert!(out.contains(" 2 │   print(1)"), "{out}");
        assert!(out.contains("unclosed"), "{out}");
        // A span that takes in a newline.
        let d = Diagnostic::error("x").with_label(id, Span::new(2, 9), "with the newline");
        let out = render(&d, &map, false);
        assert!(out.contains("e.weft:1:3 ]"), "{out}");
        // No trailing newline at all.
        let id = map.add("n.weft", "print(");
        let d = Diagnostic::error("expected").with_label(id, Span::new(6, 6), "here");
        let out = render(&d, &map, false);
        assert!(out.contains("n.weft:1:7 ]"), "{out}");
    }

    #[test]
    fn a_label_on_an_earlier_line_stays_in_the_same_section() {
        let mut map = SourceMap::new();
        let src = "print(\"a ${1}\nprint(2)\n";
        let id = map.add("u.weft", src);
        let d = Diagnostic::error("expected")
            .with_label(id, Span::new(14, 19), "unexpected name")
            .with_label(id, Span::new(6, 7), "unclosed string");
        let out = render(&d, &map, false);
        assert!(out.contains("u.weft:2:1 ]"), "{out}");
        assert!(!out.contains("├─["), "one section: {out}");
        let first = out.find(" 1 │").unwrap();
        let second = out.find(" 2 │").unwrap();
        assert!(first < second, "{out}");
    }

    #[test]
    fn label_texts_are_one_bounded_line() {
        let mut map = SourceMap::new();
        let id = map.add("l.weft", "throw x\n");
        let long = "y".repeat(10_000);
        let d = Diagnostic::error("boom")
            .with_label(id, Span::new(0, 5), "first\nsecond")
            .with_label(id, Span::new(6, 7), long);
        let out = render(&d, &map, false);
        assert!(out.contains("first…"), "{out}");
        assert!(!out.contains("second"), "{out}");
        assert!(out.len() < 2000, "{out}");
    }

    #[test]
    fn render_all_caps_the_count() {
        let mut map = SourceMap::new();
        let id = map.add("c.weft", "@@@\n");
        let mut list = Diagnostics::new();
        for _ in 0..(crate::diagnostics::MAX_REPORTED + 2) {
            list.push(Diagnostic::error("stray").with_label(id, Span::new(0, 1), "here"));
        }
        let out = render_all(&list, &map, false);
        assert_eq!(
            out.matches("error: stray").count(),
            crate::diagnostics::MAX_REPORTED
        );
        assert!(out.ends_with("... and 2 more errors\n"), "{out}");
    }

    #[test]
    fn any_spans_on_any_text_render_briefly() {
        // A small deterministic generator: texts of short and very long
        // lines, multi-byte and odd characters, and spans anywhere.
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n.max(1) as u64) as usize
        };
        let pieces = [
            "a", "é", "\n", "\r\n", "\t", "\u{2028}", "\u{1b}", "日本", "\"", " ", "😀",
        ];
        for _ in 0..300 {
            let mut text = String::new();
            for _ in 0..next(40) {
                let piece = pieces[next(pieces.len())];
                let times = if next(8) == 0 { 500 } else { 1 + next(3) };
                text.push_str(&piece.repeat(times));
            }
            let mut map = SourceMap::new();
            let id = map.add("r.weft", text.as_str());
            let mut d = Diagnostic::error("e");
            for _ in 0..1 + next(3) {
                let a = next(text.len() + 2);
                let b = a + next(text.len() + 2 - a.min(text.len()));
                d = d.with_label(id, Span::new(a, b), "label");
            }
            let out = render(&d, &map, next(2) == 0);
            assert!(
                out.lines().next().is_some_and(|l| l.ends_with(" e")),
                "{out}"
            );
            let limit = if out.contains('\x1b') {
                200_000
            } else {
                20_000
            };
            assert!(out.len() < limit, "{} bytes for {text:?}", out.len());
        }
    }

    #[test]
    fn warnings_say_warning() {
        let map = SourceMap::new();
        let mut d = Diagnostic::error("unused");
        d.severity = Severity::Warning;
        assert_eq!(render(&d, &map, false), "warning: unused\n");
    }
}
