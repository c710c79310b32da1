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
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};

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
    /// Asks the session (on the main thread) for the members of a live
    /// value, to complete after `x.`.
    members: Option<MemberAsker>,
    /// The prompt and the text being typed, as last drawn: the main thread
    /// draws them again after writing output of tasks above them.
    shown: Arc<Mutex<(String, String)>>,
}

/// The editor thread's side of member completion: the request goes to the
/// main thread, which answers between slices of the session's tasks.
struct MemberAsker {
    ask: mpsc::Sender<(Vec<String>, mpsc::Sender<Vec<String>>)>,
    asking: Arc<AtomicBool>,
    waker: crate::reactor::Waker,
}

impl MemberAsker {
    fn members(&self, chain: Vec<String>) -> Vec<String> {
        let (reply, answer) = mpsc::channel();
        if self.ask.send((chain, reply)).is_err() {
            return Vec::new();
        }
        self.asking.store(true, Ordering::SeqCst);
        self.waker.wake();
        answer
            .recv_timeout(std::time::Duration::from_millis(500))
            .unwrap_or_default()
    }
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
            complete::Target::Member {
                start,
                receiver,
                prefix,
            } => {
                let members = match &self.members {
                    Some(asker) => asker.members(receiver),
                    None => Vec::new(),
                };
                (
                    start,
                    complete::matching(&prefix, members.iter().map(String::as_str)),
                )
            }
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
    fn highlight<'l>(&self, line: &'l str, pos: usize) -> Cow<'l, str> {
        if let Ok(mut shown) = self.shown.lock() {
            shown.1 = line.to_string();
        }
        if self.color {
            Cow::Owned(highlight::highlight_at(line, Some(pos)))
        } else {
            Cow::Borrowed(line)
        }
    }

    fn highlight_prompt<'b, 's: 'b, 'p: 'b>(&'s self, prompt: &'p str, _: bool) -> Cow<'b, str> {
        if let Ok(mut shown) = self.shown.lock() {
            shown.0 = prompt.to_string();
        }
        Cow::Borrowed(prompt)
    }

    /// Every change redraws the line, so that `shown` is always current.
    fn highlight_char(&self, _: &str, _: usize, _: CmdKind) -> bool {
        true
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
///
/// The line editor runs on a thread of its own, so the session's tasks,
/// timers and sockets go on while the prompt waits: the main thread runs
/// them until the editor hands over an input (and wakes the poller), then
/// runs the input, then asks the editor for the next one.
pub fn run(config: &crate::Config) -> i32 {
    let saved_mode = terminal_mode();
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
    let Some(waker) = session.waker() else {
        eprintln!("error: cannot start the event loop");
        return crate::exit::USAGE;
    };
    let (ask_members, member_requests) = mpsc::channel();
    let asking = Arc::new(AtomicBool::new(false));
    let shown = Arc::new(Mutex::new((String::new(), String::new())));
    editor.set_helper(Some(WeftHelper {
        names: session.names(),
        color: std::env::var_os("NO_COLOR").is_none(),
        members: Some(MemberAsker {
            ask: ask_members,
            asking: asking.clone(),
            waker: waker.clone(),
        }),
        shown: shown.clone(),
    }));
    println!(
        "Weft {} — :help for help, Ctrl-D to leave",
        env!("CARGO_PKG_VERSION")
    );

    // Requests to the editor: read the next input, completing these names.
    let (ask, asked) = mpsc::channel::<Vec<String>>();
    let (give, given) = mpsc::channel::<Option<String>>();
    let arrived = Arc::new(AtomicBool::new(false));
    let editor_thread = {
        let arrived = arrived.clone();
        std::thread::spawn(move || {
            let history = history_path();
            if let Some(path) = &history {
                let _ = editor.load_history(path);
            }
            while let Ok(names) = asked.recv() {
                if let Some(helper) = editor.helper_mut() {
                    helper.names = names;
                }
                let input = read_input(&mut editor);
                if let Some(helper) = editor.helper_mut() {
                    if let Ok(mut shown) = helper.shown.lock() {
                        shown.1.clear();
                    }
                }
                if let Some(text) = &input {
                    let _ = editor.add_history_entry(text.trim());
                }
                let done = input.is_none();
                arrived.store(true, Ordering::SeqCst);
                let _ = give.send(input);
                waker.wake();
                if done {
                    break;
                }
            }
            if let Some(path) = &history {
                if let Some(dir) = path.parent() {
                    let _ = std::fs::create_dir_all(dir);
                }
                let _ = editor.save_history(path);
            }
        })
    };

    let terminal = std::io::stdout().is_terminal();
    // The status, and whether to cancel live tasks and let their `finally`
    // blocks run (not after `exit(n)`, which ends at once, as in a script).
    let (status, clean) = loop {
        if let Some(Outcome::Exit(code)) = session.settle() {
            break (code, false);
        }
        arrived.store(false, Ordering::SeqCst);
        if ask.send(session.names()).is_err() {
            break (crate::exit::OK, true);
        }
        // Output of tasks that run while the prompt waits goes above it:
        // the prompt line is cleared first and drawn again after.
        let mut clear = || {
            if terminal {
                print!("\r\x1b[K");
            }
        };
        let mut redraw = || {
            if terminal {
                let (prompt, line) = shown.lock().map(|s| s.clone()).unwrap_or_default();
                let prompt = if prompt.is_empty() {
                    "weft> ".to_string()
                } else {
                    prompt
                };
                print!("{prompt}{line}");
                let _ = std::io::stdout().flush();
            }
        };
        // Run tasks until the input comes, answering completion requests
        // on the way.
        let mut ended = None;
        loop {
            let woken = || arrived.load(Ordering::SeqCst) || asking.load(Ordering::SeqCst);
            if let Some(Outcome::Exit(code)) = session.idle(&woken, &mut clear, &mut redraw) {
                ended = Some(code);
                break;
            }
            asking.store(false, Ordering::SeqCst);
            while let Ok((chain, reply)) = member_requests.try_recv() {
                let _ = reply.send(session.members(&chain));
            }
            if arrived.load(Ordering::SeqCst) {
                break;
            }
        }
        if let Some(code) = ended {
            break (code, false);
        }
        let Ok(Some(input)) = given.recv() else {
            break (crate::exit::OK, true);
        };
        let trimmed = input.trim();
        match trimmed {
            "" => continue,
            ":quit" | ":q" => break (crate::exit::OK, true),
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
            break (code, false);
        }
    };
    // Leaving: the editor saves its history once it is told to stop.
    drop(ask);
    if clean {
        let _ = editor_thread.join();
        session.close();
    } else {
        // The editor may be waiting for a line: put the terminal back as
        // it was and leave without it.
        restore_terminal(&saved_mode);
        session.flush();
    }
    status
}

/// The terminal's mode at the start, to put back when the session ends
/// while the editor thread is still reading.
fn terminal_mode() -> Option<libc::termios> {
    // SAFETY: tcgetattr writes a termios struct for a valid descriptor.
    unsafe {
        let mut mode: libc::termios = std::mem::zeroed();
        (libc::tcgetattr(libc::STDIN_FILENO, &mut mode) == 0).then_some(mode)
    }
}

fn restore_terminal(mode: &Option<libc::termios>) {
    if let Some(mode) = mode {
        // SAFETY: the struct came from tcgetattr on the same descriptor.
        unsafe {
            libc::tcsetattr(libc::STDIN_FILENO, libc::TCSADRAIN, mode);
        }
    }
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
