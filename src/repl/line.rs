//! The interactive loop: reads inputs with rustyline (prompt `weft> `,
//! `...> ` while the parser says the input is incomplete), with history
//! kept between sessions, highlighting and Tab completion, and hands each
//! complete input to the [`Session`]. `:help`, `:tasks` and `:quit` are
//! commands of the loop, not Weft code.

use super::session::{Outcome, Session};
use super::{complete, highlight, validate};
use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::Validator;
use rustyline::{Context, Editor, Helper};
use std::borrow::Cow;
use std::path::PathBuf;

const HELP: &str = "\
Type Weft code; an expression's value is shown. Definitions (let, fn, class,
import) stay for later inputs, and `await` works at the top level.
Unfinished input (an open bracket, block or string) continues on `...>` lines.
Tab completes names and keywords. Ctrl-C cancels a running input or clears the
line; Ctrl-D leaves.

  :help    this text
  :tasks   the live tasks
  :quit    leave (as Ctrl-D does)";

/// What the line editor asks the session's front end about.
struct WeftHelper {
    /// Names to complete: refreshed after each input.
    names: Vec<String>,
    color: bool,
}

impl Completer for WeftHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let (start, found) = match complete::target(line, pos) {
            complete::Target::Name { start, prefix } => (
                start,
                complete::names(&prefix, self.names.iter().map(String::as_str)),
            ),
            // Members of live values come with the session's own thread.
            complete::Target::Member { start, .. } => (start, Vec::new()),
            complete::Target::Nothing => (pos, Vec::new()),
        };
        let pairs = found
            .into_iter()
            .map(|n| Pair {
                display: n.clone(),
                replacement: n,
            })
            .collect();
        Ok((start, pairs))
    }
}

impl Highlighter for WeftHelper {
    fn highlight<'l>(&self, line: &'l str, _: usize) -> Cow<'l, str> {
        if self.color {
            Cow::Owned(highlight::highlight(line))
        } else {
            Cow::Borrowed(line)
        }
    }

    fn highlight_char(&self, _: &str, _: usize, _: CmdKind) -> bool {
        self.color
    }
}

impl Hinter for WeftHelper {
    type Hint = String;
}

impl Validator for WeftHelper {}

impl Helper for WeftHelper {}

/// Where history is kept: `$XDG_DATA_HOME/weft/history`, else
/// `~/.local/share/weft/history`.
fn history_path() -> Option<PathBuf> {
    let data = std::env::var_os("XDG_DATA_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))?;
    Some(data.join("weft").join("history"))
}

/// Runs the interactive session; returns the exit status.
pub fn run(config: &crate::Config) -> i32 {
    // The editor first: it takes over SIGINT for its lifetime, and the
    // session's Ctrl-C handling, installed after it, chains to it, so a
    // Ctrl-C while an input runs reaches the session.
    let mut editor: Editor<WeftHelper, DefaultHistory> = match Editor::new() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: cannot start the line editor: {e}");
            return crate::exit::USAGE;
        }
    };
    let mut session = match Session::new(config) {
        Ok(s) => s,
        Err(code) => return code,
    };
    editor.set_helper(Some(WeftHelper {
        names: session.names(),
        color: std::env::var_os("NO_COLOR").is_none(),
    }));
    let history = history_path();
    if let Some(path) = &history {
        let _ = editor.load_history(path);
    }
    println!(
        "Weft {} — :help for help, Ctrl-D to leave",
        env!("CARGO_PKG_VERSION")
    );
    let status = loop {
        let Some(input) = read_input(&mut editor) else {
            break crate::exit::OK;
        };
        let trimmed = input.trim();
        if trimmed.is_empty() {
            continue;
        }
        let _ = editor.add_history_entry(trimmed);
        match trimmed {
            ":quit" | ":q" => break crate::exit::OK,
            ":help" | ":h" => {
                println!("{HELP}");
                continue;
            }
            ":tasks" => {
                session.show_tasks();
                continue;
            }
            _ if trimmed.starts_with(':') => {
                println!("unknown command `{trimmed}`; :help lists the commands");
                continue;
            }
            _ => {}
        }
        if let Outcome::Exit(code) = session.eval(&input) {
            break code;
        }
        if let Some(helper) = editor.helper_mut() {
            helper.names = session.names();
        }
    };
    if let Some(path) = &history {
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = editor.save_history(path);
    }
    session.close();
    status
}

/// One complete input, read over as many lines as it needs; None at
/// Ctrl-D (or when the terminal is gone). Ctrl-C clears the input.
fn read_input(editor: &mut Editor<WeftHelper, DefaultHistory>) -> Option<String> {
    let mut input = String::new();
    loop {
        let prompt = if input.is_empty() { "weft> " } else { "...> " };
        match editor.readline(prompt) {
            Ok(line) => {
                if !input.is_empty() {
                    input.push('\n');
                }
                input.push_str(&line);
                if !validate::is_incomplete(&input) {
                    return Some(input);
                }
            }
            Err(ReadlineError::Interrupted) => input.clear(),
            Err(ReadlineError::Eof) if !input.is_empty() => {
                // Ctrl-D in the middle of an input drops it.
                input.clear();
            }
            Err(_) => return None,
        }
    }
}
