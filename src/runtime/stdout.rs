//! The program's stdout.
//!
//! On a terminal, lines are written as they are printed; into a file (or
//! `/dev/null`), in 64 KiB blocks. Into a pipe or a socket, output is
//! gathered in a local buffer and handed to a writer thread in large
//! pieces, so a reader that is slow to drain the pipe delays the scheduler
//! only once a megabyte is waiting (back-pressure, memory stays bounded)
//! instead of at every full pipe. [`Stdout::flush`]
//! waits until everything has been written: at exit and before error
//! reports, so stdout and stderr keep their order. [`Stdout::hand_off`]
//! only passes the buffer on: before the scheduler blocks, and before
//! reading stdin, so a prompt shows without waiting for it to be read.
//!
//! A write error (a reader that closed the pipe) is kept and returned by
//! the next write, where `print` turns a broken pipe into a quiet exit.

use std::io::{self, BufWriter, IsTerminal, LineWriter, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Gathered locally before it goes to the writer thread.
const LOCAL: usize = 64 << 10;
/// Queued for the writer thread before printing waits.
const QUEUED: usize = 1 << 20;

#[derive(Default)]
struct State {
    queue: Vec<u8>,
    /// The thread holds bytes it is writing.
    writing: bool,
    /// Chunks written so far (progress, for a printer deciding to give up).
    written: u64,
    error: Option<io::ErrorKind>,
}

#[derive(Default)]
/// What the printing thread and the writer thread share.
pub struct Shared {
    state: Mutex<State>,
    /// Signalled when bytes are queued and when the thread has written.
    changed: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn wait<'a>(&self, g: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        self.changed
            .wait_timeout(g, RECHECK)
            .unwrap_or_else(|e| e.into_inner())
            .0
    }
}

pub struct Stdout {
    sink: Sink,
    /// Set by the first Ctrl-C: a printer waiting for a reader that does
    /// not read gives up, so that the interrupt can take effect.
    give_up: Option<Arc<AtomicBool>>,
    /// It gave up once: from then on output that finds the queue full is
    /// dropped at once.
    abandoned: bool,
}

enum Sink {
    Terminal(LineWriter<io::Stdout>),
    /// A file or a device: writes do not wait on a reader.
    File(BufWriter<io::Stdout>),
    Piped {
        local: Vec<u8>,
        /// Started at the first hand-off.
        shared: Option<Arc<Shared>>,
    },
    /// Output is discarded (the reader went away).
    Closed,
}

/// How long a waiting printer sleeps before it looks at `give_up` again.
const RECHECK: Duration = Duration::from_millis(50);
/// After Ctrl-C, a reader that has taken nothing for this long is not
/// waited for any more.
const STUCK: Duration = Duration::from_millis(500);

impl Stdout {
    pub fn new() -> Stdout {
        let out = io::stdout();
        let sink = if out.is_terminal() {
            Sink::Terminal(LineWriter::new(out))
        } else if !reader_may_stall(&out) {
            Sink::File(BufWriter::with_capacity(LOCAL, out))
        } else {
            Sink::Piped {
                local: Vec::new(),
                shared: None,
            }
        };
        Stdout {
            sink,
            give_up: None,
            abandoned: false,
        }
    }

    /// From now on output goes nowhere.
    pub fn close(&mut self) {
        self.sink = Sink::Closed;
    }

    /// Waiting for a slow reader stops once `flag` is set (Ctrl-C).
    pub fn give_up_when(&mut self, flag: Arc<AtomicBool>) {
        self.give_up = Some(flag);
    }

    /// Writes out what is buffered without waiting on a reader: a
    /// terminal's unfinished line (a prompt) and a file's block are
    /// written; a pipe's buffer goes to the writer thread (waiting only if
    /// a megabyte is already queued).
    pub fn hand_off(&mut self) -> io::Result<()> {
        let giving_up = self.give_up.clone();
        let gave_up = || {
            giving_up
                .as_ref()
                .is_some_and(|f| f.load(Ordering::Relaxed))
        };
        let local = match &mut self.sink {
            Sink::Terminal(w) => return w.flush(),
            Sink::File(w) => return w.flush(),
            Sink::Closed => return Ok(()),
            Sink::Piped { local, .. } => local,
        };
        if local.is_empty() {
            return Ok(());
        }
        let abandoned = &mut self.abandoned;
        let Sink::Piped { local, shared } = &mut self.sink else {
            return Ok(());
        };
        if local.is_empty() {
            return Ok(());
        }
        let shared = shared.get_or_insert_with(start_writer);
        let mut g = shared.lock();
        let mut progress = (g.written, Instant::now());
        while g.queue.len() >= QUEUED && g.error.is_none() {
            if *abandoned {
                local.clear();
                return Ok(());
            }
            g = shared.wait(g);
            if stuck(&mut progress, g.written) && gave_up() {
                // Interrupted while the reader does not read: this output
                // (and any more that finds the queue full) is dropped, so
                // that the program can unwind.
                *abandoned = true;
                local.clear();
                return Ok(());
            }
        }
        if let Some(kind) = g.error {
            local.clear();
            return Err(kind.into());
        }
        if g.queue.is_empty() {
            std::mem::swap(&mut g.queue, local);
        } else {
            g.queue.append(local);
        }
        drop(g);
        shared.changed.notify_all();
        Ok(())
    }
}

impl Default for Stdout {
    fn default() -> Self {
        Stdout::new()
    }
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.sink {
            Sink::Terminal(w) => w.write(buf),
            Sink::File(w) => w.write(buf),
            Sink::Closed => Ok(buf.len()),
            Sink::Piped { local, shared } => {
                if let Some(kind) = shared.as_ref().and_then(|s| s.lock().error) {
                    return Err(kind.into());
                }
                local.extend_from_slice(buf);
                if local.len() >= LOCAL {
                    self.hand_off()?;
                }
                Ok(buf.len())
            }
        }
    }

    /// Waits until everything printed so far has been written.
    fn flush(&mut self) -> io::Result<()> {
        self.hand_off()?;
        let flag = self.give_up.clone();
        let abandoned = self.abandoned;
        let giving_up = move || flag.as_ref().is_some_and(|f| f.load(Ordering::Relaxed));
        match &mut self.sink {
            Sink::Terminal(w) => w.flush(),
            Sink::File(w) => w.flush(),
            Sink::Closed => Ok(()),
            Sink::Piped { shared, .. } => {
                let Some(shared) = shared else { return Ok(()) };
                let mut g = shared.lock();
                let mut progress = (g.written, Instant::now());
                while (!g.queue.is_empty() || g.writing) && g.error.is_none() {
                    if abandoned {
                        return Ok(());
                    }
                    g = shared.wait(g);
                    if stuck(&mut progress, g.written) && giving_up() {
                        // Interrupted, and the reader reads nothing.
                        return Ok(());
                    }
                }
                match g.error {
                    Some(kind) => Err(kind.into()),
                    None => Ok(()),
                }
            }
        }
    }
}

/// Whether the writer has written nothing for [`STUCK`]; `progress` is the
/// last count seen and when it changed.
fn stuck(progress: &mut (u64, Instant), written: u64) -> bool {
    if written != progress.0 {
        *progress = (written, Instant::now());
        return false;
    }
    progress.1.elapsed() >= STUCK
}

/// Whether stdout is a pipe or socket, whose reader may stop reading (a
/// file or a device like `/dev/null` takes writes at once).
fn reader_may_stall(out: &io::Stdout) -> bool {
    use std::os::fd::AsRawFd;
    // SAFETY: fstat fills a `stat` for a descriptor we hold.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    if unsafe { libc::fstat(out.as_raw_fd(), &mut st) } != 0 {
        return true;
    }
    let kind = st.st_mode & libc::S_IFMT;
    kind == libc::S_IFIFO || kind == libc::S_IFSOCK
}

fn start_writer() -> Arc<Shared> {
    let shared = Arc::new(Shared::default());
    let theirs = shared.clone();
    let started = std::thread::Builder::new()
        .name("weft-stdout".into())
        .stack_size(64 << 10)
        .spawn(move || writer(&theirs));
    if started.is_err() {
        // No thread: report the failure at the next write.
        shared.lock().error = Some(io::ErrorKind::OutOfMemory);
    }
    shared
}

fn writer(shared: &Shared) {
    let mut out = io::stdout().lock();
    let mut chunk = Vec::new();
    loop {
        let mut g = shared.lock();
        while g.queue.is_empty() {
            g = shared.wait(g);
        }
        std::mem::swap(&mut chunk, &mut g.queue);
        g.writing = true;
        drop(g);
        // Waiting printers may go on as soon as the queue is taken.
        shared.changed.notify_all();
        let result = out.write_all(&chunk).and_then(|_| out.flush());
        chunk.clear();
        let mut g = shared.lock();
        g.writing = false;
        g.written += 1;
        if let Err(e) = result {
            g.error = Some(e.kind());
            drop(g);
            shared.changed.notify_all();
            return;
        }
        drop(g);
        shared.changed.notify_all();
    }
}
