//! I/O objects: listeners, conns (TCP, TLS, a child's pipes, stdin), UDP
//! sockets and child processes.
//!
//! Each owns its OS resources through the reactor's types, so dropping it
//! — `close()`, or the collector sweeping an object nobody can reach —
//! deregisters its descriptor and closes it (a child is killed and reaped).
//! Operations wait in two FIFO queues of futures, readers and writers; the
//! scheduler's I/O driver (`scheduler::io`) serves them as the descriptor
//! becomes ready.

use super::wait_list::WaitList;
use super::{Future, Value};
use crate::gc::{Trace, Tracer};
use crate::reactor::source::Source;
use crate::reactor::stream::Stream;
use std::cell::RefCell;
use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::os::fd::OwnedFd;
use std::sync::Arc;

pub struct Listener {
    pub source: Option<Source<TcpListener>>,
    pub addr: String,
    /// Conns accepted from a `listen_tls` listener speak TLS.
    pub tls: Option<Arc<rustls::ServerConfig>>,
}

/// A connection on its way: the addresses left to try, and what to do
/// once the socket is connected.
pub struct Connecting {
    pub addrs: Vec<SocketAddr>,
    /// The address being tried, for the message if it fails.
    pub current: Option<SocketAddr>,
    /// TLS to start once connected: the configuration and server name.
    pub tls: Option<(Arc<rustls::ClientConfig>, String)>,
    /// The first failure, reported if every address fails.
    pub first_error: Option<String>,
    /// The TCP connection is up (a TLS handshake may follow).
    pub connected: bool,
}

pub struct Conn {
    pub stream: Stream,
    /// `"ip:port"` of the other end; for pipes, what the pipe is.
    pub peer: String,
    /// Boxed: only a conn on its way needs it (an idle conn stays small).
    pub connecting: Option<Box<Connecting>>,
    /// A helper thread is reading stdin for this (fed) stream.
    pub feeding: bool,
    /// Reading failed for good (stdin is a folder, say): reads past the
    /// buffered bytes throw this.
    pub failed: Option<String>,
}

pub struct Udp {
    pub source: Option<Source<UdpSocket>>,
    pub addr: String,
}

pub struct Child {
    pub process: std::process::Child,
    /// A helper thread waits for the exit (no pidfd could be had).
    pub exit_job: bool,
    /// Readable once the child has exited (a pidfd), when the OS has them;
    /// otherwise exits are found by polling on a timer.
    pub exit: Option<Source<OwnedFd>>,
    /// The exit status once known (a signal kill is 128 + signo).
    pub status: Option<i64>,
    pub stdin: Value,
    pub stdout: Value,
    pub stderr: Value,
}

impl Drop for Child {
    fn drop(&mut self) {
        // Nobody can wait for it any more. A child still running is left to
        // run, and reaped once it exits (see `reap_orphans`); its pidfd
        // stays registered, so that its exit wakes the poller.
        if self.status.is_none() && matches!(self.process.try_wait(), Ok(None)) {
            if let Ok(pid) = libc::pid_t::try_from(self.process.id()) {
                let exit = self.exit.take();
                ORPHANS.with(|o| o.borrow_mut().push((pid, exit)));
            }
        }
    }
}

thread_local! {
    /// Children whose objects were collected while they still ran.
    static ORPHANS: RefCell<Vec<(libc::pid_t, Option<Source<OwnedFd>>)>> = const { RefCell::new(Vec::new()) };
}

/// Whether collected children are still waiting to be reaped.
pub fn has_orphans() -> bool {
    ORPHANS.with(|o| !o.borrow().is_empty())
}

/// Reaps the orphaned children that have exited (without blocking).
pub fn reap_orphans() {
    ORPHANS.with(|o| {
        let mut o = o.borrow_mut();
        if o.is_empty() {
            return;
        }
        o.retain(|(pid, _)| {
            let mut status = 0;
            // SAFETY: waitpid with WNOHANG on a child of this process.
            let r = unsafe { libc::waitpid(*pid, &mut status, libc::WNOHANG) };
            r == 0
        });
    });
}

pub enum IoState {
    Listener(Listener),
    Conn(Conn),
    Udp(Udp),
    Child(Child),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IoKind {
    Listener,
    Conn,
    Udp,
    Child,
}

pub struct IoObj {
    /// The reactor key its descriptor is registered under.
    pub key: u64,
    pub state: RefCell<IoState>,
    /// Operations waiting to read (or accept, or for a child's exit).
    pub readers: RefCell<WaitList<Future>>,
    /// Operations waiting to write (or connect).
    pub writers: RefCell<WaitList<Future>>,
}

impl IoObj {
    pub fn new(key: u64, state: IoState) -> IoObj {
        IoObj {
            key,
            state: RefCell::new(state),
            readers: RefCell::new(WaitList::default()),
            writers: RefCell::new(WaitList::default()),
        }
    }

    /// Which kind of object it is (without holding its state borrowed).
    pub fn kind(&self) -> IoKind {
        match &*self.state.borrow() {
            IoState::Listener(_) => IoKind::Listener,
            IoState::Conn(_) => IoKind::Conn,
            IoState::Udp(_) => IoKind::Udp,
            IoState::Child(_) => IoKind::Child,
        }
    }

    pub fn kind_name(&self) -> &'static str {
        match self.kind() {
            IoKind::Listener => "listener",
            IoKind::Conn => "conn",
            IoKind::Udp => "udp socket",
            IoKind::Child => "child",
        }
    }

    /// `<conn 127.0.0.1:5000>`, `<child 4242>`.
    pub fn describe(&self) -> String {
        match &*self.state.borrow() {
            IoState::Listener(l) => format!("<listener {}>", l.addr),
            IoState::Conn(c) => format!("<conn {}>", c.peer),
            IoState::Udp(u) => format!("<udp socket {}>", u.addr),
            IoState::Child(c) => format!("<child {}>", c.process.id()),
        }
    }

    pub fn has_waiters(&self) -> bool {
        !self.readers.borrow().is_empty() || !self.writers.borrow().is_empty()
    }
}

impl Trace for IoObj {
    fn trace(&self, t: &mut Tracer) {
        self.readers.borrow().trace(t);
        self.writers.borrow().trace(t);
        if let IoState::Child(c) = &*self.state.borrow() {
            c.stdin.trace(t);
            c.stdout.trace(t);
            c.stderr.trace(t);
        }
    }

    fn extra_bytes(&self) -> usize {
        match &*self.state.borrow() {
            IoState::Conn(c) => c.stream.buffered().len(),
            _ => 0,
        }
    }
}
