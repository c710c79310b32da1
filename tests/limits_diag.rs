//! Error reports stay bounded however bad the input: inputs too big for
//! golden files (a megabyte on one line, tens of thousands of errors,
//! names of a million characters) are generated here and checked with
//! `weft check` and `weft run`: the right exit status, a short report, and
//! a time limit far above what a bounded report needs.

use std::fs;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Far above the fraction of a second these take; the unbounded versions
/// took from seconds to minutes, or ran out of memory.
const TIME_LIMIT: Duration = Duration::from_secs(20);

/// A report this long would be a problem: 50 errors of a few lines each
/// fit in far less.
const MAX_REPORT_BYTES: usize = 64 * 1024;

struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("weft-limits-{}-{tag}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Writes `source` to a scratch file and runs `weft check` and `weft run`
/// on it; both must fail to compile, quickly and briefly. Returns the
/// report of `check`.
fn compile_errors(tag: &str, source: &str) -> String {
    let dir = Scratch::new(tag);
    fs::write(dir.0.join("big.weft"), source).unwrap();
    let mut reports = Vec::new();
    for command in ["check", "run"] {
        let start = Instant::now();
        let o: Output = Command::new(env!("CARGO_BIN_EXE_weft"))
            .args([command, "big.weft"])
            .current_dir(&dir.0)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let took = start.elapsed();
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        let head: String = err.chars().take(2000).collect();
        assert_eq!(o.status.code(), Some(2), "{tag} {command}: {head}");
        assert!(took < TIME_LIMIT, "{tag} {command}: took {took:?}");
        assert!(
            err.len() < MAX_REPORT_BYTES,
            "{tag} {command}: {} bytes",
            err.len()
        );
        assert!(o.stdout.is_empty(), "{tag} {command}: nothing runs");
        reports.push(err);
    }
    assert_eq!(reports[0], reports[1], "{tag}: check and run report alike");
    reports.swap_remove(0)
}

fn headlines(report: &str) -> Vec<&str> {
    report.lines().filter(|l| l.starts_with("error:")).collect()
}

#[test]
fn twenty_thousand_lexer_errors_on_one_line() {
    let report = compile_errors("lex", &format!("{}\n", "@".repeat(20_000)));
    assert_eq!(headlines(&report).len(), 50, "{report}");
    assert!(report.ends_with("... and 19950 more errors\n"), "{report}");
    // Each error shows a window of the line, not the line.
    assert!(report.contains("big.weft:1:50 ]"), "{report}");
    let shown = report
        .lines()
        .find(|l| l.contains("big.weft:1:50 ]"))
        .and(report.lines().find(|l| l.starts_with(" 1 │ …@")));
    assert!(
        shown.is_some_and(|l| l.ends_with("@…") && l.len() < 200),
        "{report}"
    );
}

#[test]
fn a_million_lexer_errors() {
    let report = compile_errors("lex1m", &"@".repeat(1_000_000));
    assert!(report.ends_with("... and 999950 more errors\n"));
}

#[test]
fn many_parse_errors() {
    let report = compile_errors("parse", &"x = \n".repeat(20_000));
    assert_eq!(headlines(&report).len(), 50, "{report}");
    assert!(report.contains("more errors\n"), "{report}");
    assert!(report.contains("big.weft:2:3 ]"), "{report}");
}

#[test]
fn many_compile_errors_in_position_order() {
    let mut source = "let a = b\n".repeat(20_000);
    // Compiled before the statements above, reported after them.
    source.push_str("fn f() { return c }\n");
    let report = compile_errors("compile", &source);
    assert_eq!(headlines(&report).len(), 50, "{report}");
    assert!(report.ends_with("... and 19951 more errors\n"), "{report}");
    let first = report.lines().nth(1).unwrap();
    assert!(first.contains("big.weft:1:9"), "{report}");
    assert!(!report.contains("`c`"), "{report}");
}

#[test]
fn megabyte_lines_are_shown_as_windows() {
    let pad = "a, ".repeat(350_000);
    // A lexer error, a parse error and a compile error at the end of a line
    // of a megabyte, and a string left open at its start.
    for (tag, source, expect) in [
        (
            "mb-lex",
            format!("let s = \"{pad}\" @\n"),
            "unexpected character `@`",
        ),
        ("mb-parse", format!("let s = \"{pad}\" let]\n"), "expected"),
        (
            "mb-name",
            format!("let s = \"{pad}\"; print(nope)\n"),
            "undefined name `nope`",
        ),
        (
            "mb-string",
            format!("let s = \"{pad}\n"),
            "unterminated string",
        ),
    ] {
        let report = compile_errors(tag, &source);
        assert!(
            report.starts_with(&format!("error: {expect}")),
            "{tag}: {report}"
        );
        assert!(report.len() < 4096, "{tag}: {report}");
        assert!(report.contains('…'), "{tag}: {report}");
    }
    // The column counts characters from the start of the line.
    let report = compile_errors("mb-col", &format!("let s = \"{pad}\"; print(nope)\n"));
    assert!(
        report.contains(&format!("big.weft:1:{} ]", 19 + pad.len())),
        "{report}"
    );
}

#[test]
fn did_you_mean_with_huge_names() {
    // Two names of 20,000 characters, one edit apart.
    let a = "a".repeat(20_000);
    let b = format!("{}b", "a".repeat(19_999));
    let report = compile_errors("names20k", &format!("let {a} = 1\nprint({b})\n"));
    assert!(
        report.starts_with("error: undefined name `aaaa"),
        "{report}"
    );
    assert!(report.len() < 4096, "{report}");
    // An undefined name of a million characters.
    let report = compile_errors("name1m", &format!("print({})\n", "q".repeat(1_000_000)));
    assert!(
        report.contains("…`"),
        "the name is cut in the headline: {report}"
    );
    assert!(report.len() < 4096, "{report}");
}

#[test]
fn many_typos_among_many_names() {
    let mut source = String::from("fn f() {\n");
    for i in 0..3000 {
        source.push_str(&format!("    let name_{i} = {i}\n"));
    }
    for i in 0..3000 {
        source.push_str(&format!("    print(nme_{i})\n"));
    }
    source.push_str("}\n");
    let report = compile_errors("typos", &source);
    assert!(report.contains("did you mean `name_0`?"), "{report}");
    assert!(report.ends_with("... and 2950 more errors\n"), "{report}");
}

#[test]
fn deep_trace_on_a_long_line() {
    // Every frame of a 10,000-deep trace is on a line of 300,000 characters
    // (not ASCII, so columns must be counted, not subtracted).
    let dir = Scratch::new("trace");
    let source = format!(
        "/* {} */ fn down(n) {{ return down(n + 1) }}; down(0)\n",
        "é".repeat(300_000)
    );
    fs::write(dir.0.join("deep.weft"), source).unwrap();
    let start = Instant::now();
    let o = Command::new(env!("CARGO_BIN_EXE_weft"))
        .arg("deep.weft")
        .current_dir(&dir.0)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(start.elapsed() < TIME_LIMIT);
    assert!(err.contains("at down (deep.weft:1:300028)"), "{err}");
    assert!(err.len() < 4096, "{err}");
}

#[test]
fn trace_lines_with_huge_function_names() {
    // Five functions calling each other in a ring (too long a period for a
    // trace to collapse), each named with 50,000 characters: every one of
    // the 10,000 trace lines names one.
    let dir = Scratch::new("names");
    let name = |i: usize| format!("f{i}{}", "x".repeat(50_000));
    let mut source = String::new();
    for i in 0..5 {
        source.push_str(&format!(
            "fn {}() {{ return {}() }}\n",
            name(i),
            name((i + 1) % 5)
        ));
    }
    source.push_str(&format!("{}()\n", name(0)));
    fs::write(dir.0.join("ring.weft"), source).unwrap();
    let start = Instant::now();
    let o = Command::new(env!("CARGO_BIN_EXE_weft"))
        .arg("ring.weft")
        .current_dir(&dir.0)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{}", &err[..err.len().min(2000)]);
    assert!(start.elapsed() < TIME_LIMIT);
    assert!(
        err.lines().all(|l| l.chars().count() < 300),
        "long lines in the report"
    );
    assert!(err.len() < 3 * 1024 * 1024, "{} bytes", err.len());
}
