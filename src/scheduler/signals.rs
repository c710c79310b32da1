//! Ctrl-C and SIGQUIT while a script runs (LANGUAGE.md §11).
//!
//! signal-hook's handlers only set flags and write a byte to a self-pipe;
//! the pipe's read end is registered with the poller, so a blocked poll
//! wakes, and the executor checks the flags between slices (an atomic
//! load), so a task computing in a loop is interrupted within a slice. The
//! first SIGINT cancels the main task; a second one makes the executor
//! write out stdout and exit with status 130 at the end of the running
//! slice; a third exits from the handler itself, at once (for a program
//! stuck inside one long native call). SIGQUIT asks the executor to write
//! every live task's stack to stderr.

use crate::reactor::source::Source;
use crate::runtime::Runtime;
use std::io::{self, Read};
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

/// The reactor key of the self-pipe.
const KEY: u64 = 1 << 63;

pub struct Signals {
    /// Set by the first SIGINT (stdout's printers watch it too).
    interrupt: Arc<AtomicBool>,
    /// SIGINTs received.
    count: Arc<AtomicUsize>,
    quit: Arc<AtomicBool>,
    /// The first Ctrl-C was seen (and handled).
    pub interrupted: bool,
    pipe: Source<UnixStream>,
}

/// What the executor must do after a signal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Request {
    /// Cancel the main task (the first Ctrl-C).
    Interrupt,
    /// Write every task's stack to stderr (SIGQUIT).
    Dump,
    /// Exit with 130 now (the second Ctrl-C).
    Exit,
}

pub fn is_signal_key(key: u64) -> bool {
    key == KEY
}

/// Starts watching SIGINT and SIGQUIT.
pub fn install(rt: &mut Runtime) -> io::Result<()> {
    use signal_hook::consts::{SIGINT, SIGQUIT};
    let interrupt = Arc::new(AtomicBool::new(false));
    let count = Arc::new(AtomicUsize::new(0));
    let quit = Arc::new(AtomicBool::new(false));
    let seen = count.clone();
    // SAFETY: the handler only touches an atomic and calls `_exit`, both
    // async-signal-safe.
    unsafe {
        signal_hook::low_level::register(SIGINT, move || {
            if seen.fetch_add(1, Ordering::SeqCst) >= 2 {
                libc::_exit(130);
            }
        })?;
    }
    signal_hook::flag::register(SIGINT, interrupt.clone())?;
    signal_hook::flag::register(SIGQUIT, quit.clone())?;
    let (read, write) = UnixStream::pair()?;
    read.set_nonblocking(true)?;
    write.set_nonblocking(true)?;
    signal_hook::low_level::pipe::register(SIGINT, write.try_clone()?)?;
    signal_hook::low_level::pipe::register(SIGQUIT, write)?;
    let pipe = Source::new(read, rt.sched.reactor()?, KEY)?;
    rt.out.give_up_when(interrupt.clone());
    rt.sched.signals = Some(Signals {
        interrupt,
        count,
        quit,
        interrupted: false,
        pipe,
    });
    Ok(())
}

/// The self-pipe woke the poller: empty it.
pub fn on_ready(rt: &mut Runtime) {
    if let Some(s) = &mut rt.sched.signals {
        // Edge-triggered: drain it, or the next signal brings no edge.
        let mut buf = [0u8; 64];
        while let Ok(n) = s.pipe.get_mut().read(&mut buf) {
            if n == 0 {
                break;
            }
        }
    }
}

/// Signals that arrived since the last check, for the executor.
pub fn take(rt: &mut Runtime) -> Option<Request> {
    let s = rt.sched.signals.as_mut()?;
    if s.quit.swap(false, Ordering::Relaxed) {
        return Some(Request::Dump);
    }
    let count = s.count.load(Ordering::Relaxed);
    if count >= 2 {
        return Some(Request::Exit);
    }
    if !s.interrupted && (count >= 1 || s.interrupt.load(Ordering::Relaxed)) {
        s.interrupted = true;
        return Some(Request::Interrupt);
    }
    None
}

/// Like [`take`], but a first Ctrl-C is left pending: a REPL session
/// between inputs has nothing to cancel yet, and a Ctrl-C that arrives as
/// an input is handed over belongs to that input.
pub fn take_deferring_interrupt(rt: &mut Runtime) -> Option<Request> {
    let s = rt.sched.signals.as_mut()?;
    if s.quit.swap(false, Ordering::Relaxed) {
        return Some(Request::Dump);
    }
    (s.count.load(Ordering::Relaxed) >= 2).then_some(Request::Exit)
}

/// Forgets the Ctrl-Cs seen so far: the REPL has dealt with them (the
/// input they cancelled has finished), so the next one cancels the next
/// input instead of ending the session.
pub fn reset(rt: &mut Runtime) {
    if let Some(s) = &mut rt.sched.signals {
        s.count.store(0, Ordering::Relaxed);
        s.interrupt.store(false, Ordering::Relaxed);
        s.interrupted = false;
    }
}

/// Whether the first Ctrl-C has been handled.
pub fn interrupted(rt: &Runtime) -> bool {
    rt.sched.signals.as_ref().is_some_and(|s| s.interrupted)
}
