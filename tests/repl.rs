//! The REPL driven through a real pseudo-terminal (expectrl): values
//! echoed, multi-line input, persisting definitions, top-level await,
//! errors that do not end the session, Ctrl-C out of a running loop and on
//! the prompt, Tab completion, `:help`, `:tasks`, `:quit`, Ctrl-D running
//! live tasks' `finally` blocks, and history kept between sessions.

use expectrl::session::OsSession as Session;
use expectrl::{ControlCode, Expect};
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

/// A scratch folder for the history file, removed when dropped.
struct DataDir(PathBuf);

impl DataDir {
    fn new(tag: &str) -> DataDir {
        let dir = std::env::temp_dir().join(format!("weft-repl-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        DataDir(dir)
    }
}

impl Drop for DataDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn start(data: &DataDir) -> Session {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_weft"));
    cmd.env("NO_COLOR", "1")
        .env("XDG_DATA_HOME", &data.0)
        .env("TERM", "xterm");
    let mut p = Session::spawn(cmd).expect("weft starts in a pty");
    p.set_expect_timeout(Some(Duration::from_secs(10)));
    p.get_process_mut().set_window_size(100, 30).unwrap();
    p.expect("weft> ").unwrap();
    p
}

/// Sends one line and reads up to the next prompt (`weft> `, or `...> `
/// for a continuation): what the input printed, echo included. Each step
/// waits for its prompt, as a person does: input typed ahead of the
/// prompt is not what these tests are about.
fn eval(p: &mut Session, text: &str) -> String {
    p.send_line(text).unwrap();
    // The editor redraws the line at each key; it turns bracketed paste
    // off when the line is handed over, so output starts after that.
    p.expect("\x1b[?2004l")
        .unwrap_or_else(|e| panic!("{text:?} was not handed over: {e}"));
    let found = p
        .expect(expectrl::Regex(r"(weft|\.\.\.)> "))
        .unwrap_or_else(|e| panic!("no prompt after {text:?}: {e}"));
    String::from_utf8_lossy(found.before()).into_owned()
}

fn shows(p: &mut Session, text: &str, expected: &str) {
    let out = eval(p, text);
    assert!(
        out.contains(expected),
        "{text:?} should show {expected:?}, got {out:?}"
    );
}

#[test]
fn values_definitions_await_and_errors() {
    let data = DataDir::new("basics");
    let mut p = start(&data);
    shows(&mut p, "1 + 2", "3\r\n");
    eval(&mut p, "fn twice(x) {");
    eval(&mut p, "  return x * 2");
    eval(&mut p, "}");
    shows(&mut p, "let xs = [twice(4), \"a\"]", "");
    shows(&mut p, "xs", "[8, \"a\"]");
    let out = eval(&mut p, "print(nil)");
    assert!(
        out.contains("nil\r\n") && !out.contains("nil\r\nnil"),
        "{out:?}"
    );
    shows(&mut p, "await sleep(5)", "");
    shows(&mut p, "import json", "");
    shows(&mut p, "json.stringify({a: xs[0]})", "\"{\\\"a\\\":8}\"");
    let out = eval(&mut p, "xs.nope()");
    assert!(
        out.contains("AttributeError") && out.contains("<repl:"),
        "{out:?}"
    );
    shows(&mut p, "undefined_name", "undefined name");
    shows(&mut p, "twice(21)", "42");
    shows(&mut p, ":help", ":tasks");
    p.send_line(":quit").unwrap();
    p.expect(expectrl::Eof).unwrap();
}

#[test]
fn ctrl_c_cancels_the_running_input_and_clears_the_line() {
    let data = DataDir::new("ctrlc");
    let mut p = start(&data);
    eval(&mut p, "let n = 0");
    p.send_line("try { print(\"looping\"); while true { n += 1 } } finally { print(\"unwound\") }")
        .unwrap();
    // The output, not the echo of the input.
    p.expect("looping\r\n").unwrap();
    p.send(ControlCode::EndOfText).unwrap();
    let found = p.expect("interrupted").unwrap();
    let out = String::from_utf8_lossy(found.before()).into_owned();
    p.expect("weft> ").unwrap();
    assert!(out.contains("unwound"), "{out:?}");
    shows(&mut p, "n > 0", "true");
    // At the prompt, Ctrl-C drops what was typed.
    p.send("this is not run").unwrap();
    p.expect("this is not run").unwrap();
    p.send(ControlCode::EndOfText).unwrap();
    p.expect("weft> ").unwrap();
    shows(&mut p, "40 + 2", "42");
    p.send(ControlCode::EndOfTransmission).unwrap();
    p.expect(expectrl::Eof).unwrap();
}

#[test]
fn tab_completion_tasks_and_ctrl_d_cleanup() {
    let data = DataDir::new("tasks");
    let mut p = start(&data);
    eval(&mut p, "let counter = 7");
    p.send("coun\t").unwrap();
    p.expect("counter").unwrap();
    shows(&mut p, "", "7");
    eval(
        &mut p,
        "let t = spawn (async fn() { try { await sleep(100000) } finally { print(\"cleanup\") } })()",
    );
    eval(&mut p, "await sleep(5)");
    let out = eval(&mut p, ":tasks");
    assert!(
        out.contains("task ") && out.contains("waiting") && out.contains(" at <repl:"),
        "{out:?}"
    );
    // After `x.`: the members of the live value.
    eval(&mut p, "import json");
    p.send("json.strin\t").unwrap();
    p.expect("json.stringify").unwrap();
    shows(&mut p, "", "<fn stringify>");
    eval(
        &mut p,
        "class P { fn init() { self.alpha = 1 } fn beta() { return 2 } }",
    );
    eval(&mut p, "let obj = P()");
    p.send("obj.al\t").unwrap();
    p.expect("obj.alpha").unwrap();
    shows(&mut p, "", "1");
    p.send("obj.be\t").unwrap();
    p.expect("obj.beta").unwrap();
    shows(&mut p, "()", "2");
    p.send(ControlCode::EndOfTransmission).unwrap();
    p.expect("cleanup").unwrap();
    p.expect(expectrl::Eof).unwrap();
}

#[test]
fn history_is_kept_between_sessions() {
    let data = DataDir::new("history");
    let mut p = start(&data);
    eval(&mut p, "let remembered = 123");
    p.send(ControlCode::EndOfTransmission).unwrap();
    p.expect(expectrl::Eof).unwrap();
    let saved = std::fs::read_to_string(data.0.join("weft/history")).unwrap();
    assert!(saved.contains("let remembered = 123"), "{saved}");

    let mut p = start(&data);
    // Up-arrow brings back the last input of the earlier session.
    p.send("\x1b[A").unwrap();
    p.expect("let remembered = 123").unwrap();
    eval(&mut p, "");
    shows(&mut p, "remembered", "123");
    p.send_line(":quit").unwrap();
    p.expect(expectrl::Eof).unwrap();
}

#[test]
fn tasks_run_while_the_prompt_waits() {
    let data = DataDir::new("idle");
    let mut p = start(&data);
    eval(&mut p, "let ch = Channel(10)");
    eval(
        &mut p,
        "spawn (async fn() { for i in 0..3 { await sleep(20); print(\"tick ${i}\") }; await ch.send(\"done\") })()",
    );
    // Nothing is typed: the ticks come anyway, above the prompt.
    p.expect("tick 0").unwrap();
    p.expect("tick 2").unwrap();
    p.expect("weft> ").unwrap();
    shows(&mut p, "await ch.recv()", "\"done\"");
    // A background task's `exit(n)` ends the session while it waits.
    eval(&mut p, "spawn (async fn() { await sleep(20); exit(7) })()");
    p.expect(expectrl::Eof).unwrap();
    let status = p.get_process_mut().wait().unwrap();
    assert!(
        matches!(status, expectrl::process::unix::WaitStatus::Exited(_, 7)),
        "{status:?}"
    );
}
