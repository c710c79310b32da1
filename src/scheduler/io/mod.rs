//! The I/O driver: serves the operations waiting on listeners, conns, UDP
//! sockets and children as the poller reports their descriptors ready, and
//! hands helper-thread results (file work, name lookups, stdin) to the
//! futures awaiting them.
//!
//! An operation is tried at once when first awaited (most reads on a busy
//! connection need no wait); if it cannot finish, its future joins the
//! object's readers or writers and the descriptor is armed for what the
//! queues need. Queues are served in FIFO order, and only the front
//! operation of each consumes data, so a read that was cancelled (and left
//! its queue) takes nothing: the bytes stay in the stream's buffer for the
//! next read.

use crate::gc::{Gc, Tracer};
use crate::reactor::pool::{Job, Output};
use crate::reactor::stream::{Stream, Transport};
use crate::runtime::Runtime;
use crate::value::io::{Conn, IoKind, IoObj, IoState};
use crate::value::{ErrorKind, Future, FutureKind, IoOp, Outcome, Value};
use std::io;
use std::time::Duration;

use super::Scheduler;

pub mod net;
pub mod process;

/// Turns a helper thread's result into the future's outcome; `None` when
/// the future moved on to another stage (a resolved name now connecting).
pub type JobDone = fn(&mut Runtime, Gc<Future>, Output) -> Option<Outcome>;

/// Who receives a helper thread's result.
pub enum JobWaiter {
    Future(Gc<Future>, JobDone),
    /// A chunk of stdin for this conn's buffer.
    Feed(Gc<IoObj>),
    /// The exit status of this child (waited for on a helper thread when
    /// the OS gave no pidfd).
    Exit(Gc<IoObj>),
}

impl JobWaiter {
    /// Whether a task waits for the result.
    pub fn awaited(&self) -> bool {
        match self {
            JobWaiter::Future(f, _) => f.waiter.get().is_some() || f.parent.get().is_some(),
            JobWaiter::Feed(obj) | JobWaiter::Exit(obj) => obj.has_waiters(),
        }
    }

    pub fn trace(&self, t: &mut Tracer) {
        match self {
            JobWaiter::Future(f, _) => t.mark(*f),
            JobWaiter::Feed(obj) | JobWaiter::Exit(obj) => t.mark(*obj),
        }
    }
}

/// Reads of one line longer than this fail rather than grow without end.
pub const MAX_LINE: usize = 16 << 20;

/// The OS message without Rust's ` (os error N)` suffix.
pub fn os_message(e: &io::Error) -> String {
    let text = e.to_string();
    match text.rfind(" (os error ") {
        Some(i) if text.ends_with(')') => text[..i].to_string(),
        _ => text,
    }
}

pub fn io_error(rt: &mut Runtime, message: impl AsRef<str>) -> Value {
    rt.make_error(ErrorKind::IOError, message.as_ref())
}

impl Runtime {
    /// Between slices: fires due timers and, when anything could be ready,
    /// takes the poller's events without waiting.
    pub fn poll_between_slices(&mut self) -> io::Result<()> {
        self.sched.poll_due();
        // Sources nobody waits on still need their edges recorded: a read
        // that keeps losing races to timers that are always due must see
        // data that came meanwhile.
        // (The signal pipe is left out: signals are checked between slices
        // without a system call.)
        let registered = (self.sched.reactor.as_ref()).map_or(0, |r| r.readiness().len());
        let sources = registered > usize::from(self.sched.signals.is_some());
        if !sources
            && self.sched.io.is_empty()
            && self.sched.jobs.is_empty()
            && self.sched.reaping.is_empty()
            && !crate::value::io::has_orphans()
        {
            return Ok(());
        }
        // A poll is a system call: at most one per 16 slices, or when half
        // a millisecond has passed (short slices switch very often).
        self.sched.slices_since_poll += 1;
        if self.sched.slices_since_poll < 16
            && self
                .sched
                .last_poll
                .is_some_and(|t| t.elapsed() < Duration::from_micros(500))
        {
            return Ok(());
        }
        self.poll_reactor(Some(Duration::ZERO))
    }

    /// No task is ready: waits for the next timer, I/O event, job result
    /// or signal.
    pub fn poll_blocking(&mut self) -> io::Result<()> {
        self.poll_reactor(None)
    }

    fn poll_reactor(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        let Some(reactor) = self.sched.reactor.as_mut() else {
            return Ok(());
        };
        self.sched.slices_since_poll = 0;
        self.sched.last_poll = Some(std::time::Instant::now());
        let (mut timers, mut ready, mut done) = (Vec::new(), Vec::new(), Vec::new());
        reactor.poll(timeout, &mut timers, &mut ready, &mut done)?;
        self.sched.fire_timers(timers);
        crate::value::io::reap_orphans();
        if !self.sched.reaping.is_empty() {
            let reaping = std::mem::take(&mut self.sched.reaping);
            for obj in reaping {
                if !process::reap(obj) {
                    self.sched.reaping.push(obj);
                } else if obj.has_waiters() {
                    // Reaped before its pidfd's edge was seen (the pidfd is
                    // gone now): wake whoever waits for it here.
                    drive(self, obj);
                }
            }
        }
        for r in ready {
            if crate::scheduler::signals::is_signal_key(r.key) {
                crate::scheduler::signals::on_ready(self);
                continue;
            }
            if let Some(obj) = self.sched.io.get(&r.key).copied() {
                drive(self, obj);
            }
        }
        for (key, out) in done {
            match self.sched.jobs.remove(&key) {
                Some(JobWaiter::Future(f, finish)) => {
                    if let Some(outcome) = finish(self, f, out) {
                        self.sched.complete(f, outcome);
                    }
                }
                Some(JobWaiter::Feed(obj)) => feed(self, obj, out),
                Some(JobWaiter::Exit(obj)) => {
                    process::exited(obj, out);
                    drive(self, obj);
                }
                None => {}
            }
        }
        Ok(())
    }

    /// Runs `job` on a helper thread; the future it returns completes with
    /// what `done` makes of the result.
    pub fn job(&mut self, job: Job, done: JobDone) -> io::Result<Gc<Future>> {
        let key = self.sched.new_key();
        let fut = self
            .sched
            .new_future(&mut self.heap, FutureKind::Job { key });
        self.sched.reactor()?.submit(key, job);
        self.sched.jobs.insert(key, JobWaiter::Future(fut, done));
        Ok(fut)
    }

    /// A future for `op` on `obj`, started when first awaited.
    pub fn io_future(&mut self, obj: Gc<IoObj>, op: IoOp, payload: Value) -> Value {
        let fut = self.sched.new_future(
            &mut self.heap,
            FutureKind::Io {
                obj,
                op,
                started: false,
            },
        );
        fut.payload.set(payload);
        Value::Future(fut)
    }
}

/// Starts an I/O future at its first await: queued behind the operations
/// already waiting, then tried.
pub fn start(rt: &mut Runtime, fut: Gc<Future>) {
    let FutureKind::Io { obj, op, started } = fut.kind.get() else {
        return;
    };
    if started {
        return;
    }
    fut.kind.set(FutureKind::Io {
        obj,
        op,
        started: true,
    });
    if op.writes() {
        obj.writers.borrow_mut().push_back(fut);
    } else {
        obj.readers.borrow_mut().push_back(fut);
    }
    drive(rt, obj);
}

/// Takes a pending operation out of its queue (its task was cancelled or
/// it lost a race): it has taken nothing. Awaiting it again starts it
/// again. A cancelled wait for a child kills the child.
pub fn detach(sched: &mut Scheduler, fut: Gc<Future>) {
    let FutureKind::Io { obj, op, .. } = fut.kind.get() else {
        return;
    };
    if op.writes() {
        obj.writers.borrow_mut().remove(fut);
    } else {
        obj.readers.borrow_mut().remove(fut);
    }
    fut.kind.set(FutureKind::Io {
        obj,
        op,
        started: false,
    });
    if op == IoOp::Connect {
        // A connect nobody waits for any more lets go of its socket at
        // once (the peer must not see a connection nobody will use);
        // awaiting it again starts over from the same address.
        if let IoState::Conn(c) = &mut *obj.state.borrow_mut() {
            if let Some(plan) = c.connecting.as_mut() {
                if let Some(addr) = plan.current.take() {
                    plan.addrs.insert(0, addr);
                }
                plan.connected = false;
                c.stream
                    .set_transport(crate::reactor::stream::Transport::Closed);
            }
        }
    }
    if op == IoOp::Wait {
        if let IoState::Child(c) = &mut *obj.state.borrow_mut() {
            if c.status.is_none() {
                let _ = c.process.kill();
                // Reaped when it has exited, even if nobody waits again.
                sched.reaping.push(obj);
            }
        }
    }
    update(sched, obj);
}

/// Serves `obj`'s queues as far as they can go.
pub fn drive(rt: &mut Runtime, obj: Gc<IoObj>) {
    for writers in [true, false] {
        loop {
            let queue = if writers { &obj.writers } else { &obj.readers };
            let Some(fut) = queue.borrow_mut().front() else {
                break;
            };
            let FutureKind::Io { op, .. } = fut.kind.get() else {
                queue.borrow_mut().remove(fut);
                continue;
            };
            let Some(outcome) = attempt(rt, obj, fut, op) else {
                break;
            };
            queue.borrow_mut().remove(fut);
            rt.sched.complete(fut, outcome);
        }
    }
    update(&mut rt.sched, obj);
}

/// Keeps the object where the poller's events find it while anything
/// waits (its descriptor is registered for both directions all along).
fn update(sched: &mut Scheduler, obj: Gc<IoObj>) {
    if obj.has_waiters() {
        sched.io.insert(obj.key, obj);
    } else {
        sched.io.remove(&obj.key);
    }
}

/// Tries `op` once: its outcome, or `None` to keep waiting.
fn attempt(rt: &mut Runtime, obj: Gc<IoObj>, fut: Gc<Future>, op: IoOp) -> Option<Outcome> {
    match obj.kind() {
        IoKind::Listener => net::accept(rt, obj),
        IoKind::Conn if op == IoOp::Connect => net::connect(rt, obj),
        IoKind::Conn if op.writes() => write(rt, obj, fut, op),
        IoKind::Conn => read(rt, obj, op),
        IoKind::Udp => net::udp(rt, obj, fut, op),
        IoKind::Child => process::wait(rt, obj),
    }
}

/// A read from a conn's buffer, filling it as needed.
fn read(rt: &mut Runtime, obj: Gc<IoObj>, op: IoOp) -> Option<Outcome> {
    let mut scratch = std::mem::take(&mut rt.sched.scratch);
    if scratch.is_empty() {
        scratch = vec![0; 64 << 10];
    }
    let result = read_with(rt, obj, op, &mut scratch);
    rt.sched.scratch = scratch;
    result
}

fn read_with(rt: &mut Runtime, obj: Gc<IoObj>, op: IoOp, scratch: &mut [u8]) -> Option<Outcome> {
    let mut state = obj.state.borrow_mut();
    let IoState::Conn(conn) = &mut *state else {
        return None;
    };
    if conn.connecting.is_some() {
        return None;
    }
    loop {
        if let Some(answer) = answer(conn, op) {
            drop(state);
            return Some(answer.into_outcome(rt));
        }
        if conn.stream.is_fed() {
            if !conn.feeding {
                conn.feeding = true;
                drop(state);
                request_stdin(rt, obj);
            }
            return None;
        }
        match conn.stream.fill(scratch) {
            Ok(_) => continue,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return None,
            Err(e) => {
                let msg = format!("cannot read from {}: {}", conn.peer, os_message(&e));
                drop(state);
                return Some(Err(io_error(rt, msg)));
            }
        }
    }
}

/// What a read produces, before it becomes a value.
enum Answer {
    Bytes(Vec<u8>),
    Text(Vec<u8>),
    End,
    Error(String),
}

impl Answer {
    fn into_outcome(self, rt: &mut Runtime) -> Outcome {
        match self {
            Answer::Bytes(b) => Ok(Value::Bytes(rt.heap.alloc(crate::value::Bytes {
                data: b.into_boxed_slice(),
            }))),
            Answer::Text(b) => Ok(rt.str(String::from_utf8_lossy(&b).into_owned())),
            Answer::End => Ok(Value::Nil),
            Answer::Error(m) => Err(io_error(rt, m)),
        }
    }
}

/// Answers a read from the buffered bytes, if they (or the end) suffice.
fn answer(conn: &mut Conn, op: IoOp) -> Option<Answer> {
    let s: &mut Stream = &mut conn.stream;
    let buffered = s.buffered();
    if let (true, Some(msg)) = (buffered.is_empty(), &conn.failed) {
        return Some(Answer::Error(msg.clone()));
    }
    match op {
        IoOp::Read { max } => {
            if !buffered.is_empty() {
                return Some(Answer::Bytes(s.take(max.max(1))));
            }
            s.at_eof().then_some(Answer::End)
        }
        IoOp::ReadLine => {
            if let Some(i) = buffered.iter().position(|&b| b == b'\n') {
                let mut line = s.take(i + 1);
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Some(Answer::Text(line));
            }
            if s.at_eof() {
                if buffered.is_empty() {
                    return Some(Answer::End);
                }
                let n = buffered.len();
                return Some(Answer::Text(s.take(n)));
            }
            (buffered.len() > MAX_LINE).then(|| {
                Answer::Error(format!(
                    "read_line(): a line from {} is longer than {} MiB",
                    conn.peer,
                    MAX_LINE >> 20
                ))
            })
        }
        IoOp::ReadExact { n } => {
            if buffered.len() >= n {
                return Some(Answer::Bytes(s.take(n)));
            }
            s.at_eof().then(|| {
                Answer::Error(format!(
                    "read_exact({n}): the stream ended after {} bytes",
                    buffered.len()
                ))
            })
        }
        IoOp::ReadAll => {
            if s.at_eof() {
                let n = buffered.len();
                return Some(Answer::Text(s.take(n)));
            }
            (buffered.len() > crate::value::limit::MAX_OBJECT_BYTES).then(|| {
                Answer::Error(format!(
                    "read_all(): {} sent more than the largest string (1 GiB)",
                    conn.peer
                ))
            })
        }
        _ => None,
    }
}

/// Writes the payload; done when all of it has gone to the OS.
fn write(rt: &mut Runtime, obj: Gc<IoObj>, fut: Gc<Future>, op: IoOp) -> Option<Outcome> {
    let (mut done, feed) = match op {
        IoOp::Write { done } => (done, false),
        IoOp::Feed { done } => (done, true),
        _ => return None,
    };
    let payload = fut.payload.get();
    let data: &[u8] = match &payload {
        Value::Str(s) => s.as_str().as_bytes(),
        Value::Bytes(b) => &b.data,
        _ => &[],
    };
    let mut state = obj.state.borrow_mut();
    let IoState::Conn(conn) = &mut *state else {
        return None;
    };
    if conn.connecting.is_some() {
        return None;
    }
    let result = loop {
        if done >= data.len() {
            match conn.stream.flush() {
                Ok(()) => break Ok(()),
                Err(e) => break Err(e),
            }
        }
        match conn.stream.write(&data[done..]) {
            Ok(0) => break Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => done += n,
            Err(e) => break Err(e),
        }
    };
    let peer = conn.peer.clone();
    let blocked = matches!(&result, Err(e) if e.kind() == io::ErrorKind::WouldBlock);
    if feed && !blocked {
        // All written (or the child stopped reading): it sees the end.
        conn.stream.close();
    }
    drop(state);
    match result {
        Ok(()) => Some(Ok(Value::Nil)),
        Err(_) if blocked => {
            let op = if feed {
                IoOp::Feed { done }
            } else {
                IoOp::Write { done }
            };
            fut.kind.set(FutureKind::Io {
                obj,
                op,
                started: true,
            });
            None
        }
        Err(e) => {
            let msg = format!("cannot write to {peer}: {}", os_message(&e));
            Some(Err(io_error(rt, msg)))
        }
    }
}

/// Closes a conn, listener or socket (LANGUAGE.md §10): every waiting
/// reader — `read`, `read_line`, `read_exact`, `read_all`, `accept`,
/// `recv_from` — gets nil, every waiting writer an `IOError`. Later reads
/// see the end of the stream (where `read_exact` throws).
pub fn close(rt: &mut Runtime, obj: Gc<IoObj>) {
    match &mut *obj.state.borrow_mut() {
        IoState::Conn(c) => {
            c.stream.close();
            c.connecting = None;
        }
        IoState::Listener(l) => l.source = None,
        IoState::Udp(u) => u.source = None,
        IoState::Child(_) => return,
    }
    let readers = obj.readers.borrow_mut().take_all();
    for f in readers {
        rt.sched.complete(f, Ok(Value::Nil));
    }
    drive(rt, obj);
}

/// Asks a helper thread for the next chunk of stdin.
fn request_stdin(rt: &mut Runtime, obj: Gc<IoObj>) {
    // A prompt printed before reading shows before the wait.
    rt.hand_off_output();
    let key = rt.sched.new_key();
    let job: Job = Box::new(|| {
        use std::io::Read;
        let mut buf = vec![0u8; 64 << 10];
        let n = loop {
            match std::io::stdin().lock().read(&mut buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                // Stdin may be non-blocking (a parent set it so): this
                // thread may block, so wait until it is readable.
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    let mut fd = libc::pollfd {
                        fd: 0,
                        events: libc::POLLIN,
                        revents: 0,
                    };
                    // SAFETY: poll on one valid pollfd.
                    unsafe { libc::poll(&mut fd, 1, -1) };
                    continue;
                }
                other => break other,
            }
        };
        let out: io::Result<Vec<u8>> = n.map(|n| {
            buf.truncate(n);
            buf
        });
        Box::new(out)
    });
    match rt.sched.reactor() {
        Ok(r) => {
            r.submit(key, job);
            rt.sched.jobs.insert(key, JobWaiter::Feed(obj));
        }
        Err(e) => feed_failed(obj, format!("cannot read stdin: {}", os_message(&e))),
    }
}

fn feed_failed(obj: Gc<IoObj>, why: String) {
    if let IoState::Conn(c) = &mut *obj.state.borrow_mut() {
        c.feeding = false;
        c.failed = Some(why);
        c.stream.push(&[]);
    }
}

/// A chunk of stdin arrived (empty: the end; an error fails later reads).
fn feed(rt: &mut Runtime, obj: Gc<IoObj>, out: Output) {
    match out.downcast::<io::Result<Vec<u8>>>() {
        Ok(r) => match *r {
            Ok(data) => {
                if let IoState::Conn(c) = &mut *obj.state.borrow_mut() {
                    c.feeding = false;
                    c.stream.push(&data);
                }
            }
            Err(e) => feed_failed(obj, format!("cannot read stdin: {}", os_message(&e))),
        },
        Err(_) => feed_failed(obj, "cannot read stdin".into()),
    }
    drive(rt, obj);
}

/// A new I/O object registered under a fresh key.
pub fn new_obj(rt: &mut Runtime, key: u64, state: IoState) -> Gc<IoObj> {
    descriptor_pressure(rt);
    rt.heap.alloc(IoObj::new(key, state))
}

/// Unreachable conns close their descriptors only when the collector finds
/// them: when the open sources near the process's descriptor limit, ask for
/// a collection (the threshold moves up as more stay open, so a server
/// that really holds many conns does not collect at every one).
fn descriptor_pressure(rt: &mut Runtime) {
    let Ok(reactor) = rt.sched.reactor() else {
        return;
    };
    let open = reactor.readiness().len();
    let limit = descriptor_limit();
    let sched = &mut rt.sched;
    if sched.fd_threshold == 0 || open < sched.fd_threshold / 4 {
        sched.fd_threshold = (limit / 2).max(8);
    }
    if open >= sched.fd_threshold {
        rt.heap.request_collection();
        sched.fd_threshold = open + ((limit.saturating_sub(open)) / 2).max(8);
    }
}

/// The soft limit on open descriptors (read once: a script cannot change
/// it, and this runs for every new conn).
fn descriptor_limit() -> usize {
    static LIMIT: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *LIMIT.get_or_init(read_descriptor_limit)
}

fn read_descriptor_limit() -> usize {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit fills one rlimit through a valid pointer.
    let ok = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } == 0;
    if !ok || lim.rlim_cur == libc::RLIM_INFINITY {
        return 1 << 20;
    }
    usize::try_from(lim.rlim_cur).unwrap_or(1 << 20)
}

/// A conn over `transport`.
pub fn new_conn(rt: &mut Runtime, key: u64, transport: Transport, peer: String) -> Gc<IoObj> {
    new_obj(
        rt,
        key,
        IoState::Conn(Conn {
            stream: Stream::new(transport),
            peer,
            connecting: None,
            feeding: false,
            failed: None,
        }),
    )
}
