//! Objects of the concurrency model: generators (a parked fiber),
//! coroutines (a function call not yet started), tasks (green threads) and
//! futures (one-shot results that tasks wait on).

use super::fiber::Fiber;
use super::wait_list::{Ticket, WaitList, Waiter};
use super::{Closure, Value};
use crate::gc::{Gc, Trace, Tracer};
use crate::span::{SourceId, Span};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GenState {
    /// Created; its body has not started.
    Fresh,
    /// Paused at a `yield`.
    Suspended,
    Running,
    Done,
}

pub struct Generator {
    pub name: Rc<str>,
    pub is_async: bool,
    pub state: Cell<GenState>,
    /// The generator's own stack and frames while it is not running.
    pub fiber: RefCell<Fiber>,
}

impl Trace for Generator {
    fn trace(&self, t: &mut Tracer) {
        self.fiber.borrow().trace(t);
    }
    fn extra_bytes(&self) -> usize {
        self.fiber.borrow().heap_bytes()
    }
}

/// Where a generator's next result goes in the fiber that resumed it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// `g.next()`/`send`/`throw`: the value is the call's result; finishing
    /// throws `StopIteration`.
    Call,
    /// A `for` loop: the value is pushed; finishing jumps to `exit`.
    ForIter { exit: usize },
    /// `g.close()`: finishing gives nil.
    CloseCall,
    /// A `for` loop left early: finishing gives nothing.
    CloseIter,
}

/// A generator running inside a task, above the fiber that resumed it.
pub struct Resumer {
    pub fiber: Fiber,
    pub generator: Gc<Generator>,
    pub delivery: Delivery,
}

/// Everything a task needs to continue: its innermost fiber and the fibers
/// of the generators it is inside.
#[derive(Default)]
pub struct TaskContext {
    pub fiber: Fiber,
    pub parents: Vec<Resumer>,
}

impl TaskContext {
    pub fn trace(&self, t: &mut Tracer) {
        self.fiber.trace(t);
        for p in &self.parents {
            p.fiber.trace(t);
            t.mark(p.generator);
        }
    }

    pub fn heap_bytes(&self) -> usize {
        self.fiber.heap_bytes()
            + self
                .parents
                .iter()
                .map(|p| p.fiber.heap_bytes())
                .sum::<usize>()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CoState {
    Fresh,
    Running,
    Done,
}

/// The result of calling an `async fn`: the callee and its arguments,
/// ready to run when awaited or spawned.
pub struct Coroutine {
    pub closure: Gc<Closure>,
    /// Slot 0 and the arguments, as the frame will see them.
    pub stack: RefCell<Vec<Value>>,
    pub argc: u8,
    pub state: Cell<CoState>,
}

impl Trace for Coroutine {
    fn trace(&self, t: &mut Tracer) {
        t.mark(self.closure);
        for v in self.stack.borrow().iter() {
            v.trace(t);
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskState {
    Ready,
    Running,
    Waiting,
    Done,
}

impl TaskState {
    /// The name `runtime.tasks()` and the REPL's `:tasks` show; None for a
    /// finished task, which is no longer live.
    pub fn name(self) -> Option<&'static str> {
        match self {
            TaskState::Ready => Some("ready"),
            TaskState::Running => Some("running"),
            TaskState::Waiting => Some("waiting"),
            TaskState::Done => None,
        }
    }
}

/// What a finished task or future produced.
pub type Outcome = Result<Value, Value>;

/// A green thread.
pub struct Task {
    pub id: u64,
    /// A helper task of the prelude (`group`'s watchers): it has ids of its
    /// own and is left out of `runtime.tasks()` and deadlock reports.
    pub internal: bool,
    pub state: Cell<TaskState>,
    /// The task's execution state while it is not running.
    pub saved: RefCell<TaskContext>,
    /// Set when the task finishes.
    pub result: Cell<Option<Outcome>>,
    /// Delivered at the await the task is suspended in, when it resumes.
    pub resume: Cell<Option<Outcome>>,
    /// Tasks waiting for this one to finish.
    pub waiters: RefCell<WaitList<Task>>,
    /// What the task is waiting for (a future or a task), for cancellation.
    pub waiting_on: Cell<Option<Value>>,
    /// Where it waits (`file`, span of the `await`).
    pub wait_site: Cell<Option<(SourceId, Span)>>,
    /// Where the program spawned it: the place reported while it waits in
    /// the prelude's code only (`spawn timeout(...)`).
    pub spawn_site: Cell<Option<(SourceId, Span)>>,
    pub cancel_pending: Cell<bool>,
    /// Someone awaited (or will report) its result: an error is not
    /// reported as unhandled.
    pub observed: Cell<bool>,
    /// Futures completed with the task's outcome when it finishes (`all`,
    /// `race`, `timeout`); one leaves when its combinator gives up.
    pub watchers: RefCell<WaitList<Future>>,
    /// A rendezvous send completed when this task resumes with its value.
    pub on_resume: Cell<Option<Gc<Future>>>,
    /// Its place among the waiters of the task it awaits.
    pub ticket: Ticket,
}

impl Task {
    pub fn new(id: u64, internal: bool, fiber: Fiber) -> Task {
        Task {
            id,
            internal,
            state: Cell::new(TaskState::Ready),
            saved: RefCell::new(TaskContext {
                fiber,
                parents: Vec::new(),
            }),
            result: Cell::new(None),
            resume: Cell::new(None),
            waiters: RefCell::new(WaitList::default()),
            waiting_on: Cell::new(None),
            wait_site: Cell::new(None),
            spawn_site: Cell::new(None),
            cancel_pending: Cell::new(false),
            observed: Cell::new(false),
            watchers: RefCell::new(WaitList::default()),
            on_resume: Cell::new(None),
            ticket: Ticket::default(),
        }
    }

    pub fn is_done(&self) -> bool {
        self.state.get() == TaskState::Done
    }
}

impl Waiter for Task {
    fn ticket(&self) -> &Ticket {
        &self.ticket
    }
}

fn trace_outcome(o: Option<Outcome>, t: &mut Tracer) {
    match o {
        Some(Ok(v)) | Some(Err(v)) => v.trace(t),
        None => {}
    }
}

impl Trace for Task {
    fn trace(&self, t: &mut Tracer) {
        self.saved.borrow().trace(t);
        trace_outcome(self.result.get(), t);
        trace_outcome(self.resume.get(), t);
        self.watchers.borrow().trace(t);
        if let Some(f) = self.on_resume.get() {
            t.mark(f);
        }
        self.waiters.borrow().trace(t);
        if let Some(v) = self.waiting_on.get() {
            v.trace(t);
        }
    }
    fn extra_bytes(&self) -> usize {
        self.saved.borrow().heap_bytes()
    }
}

/// What a pending future is attached to, so that cancelling its waiter can
/// detach it (a cancelled receive must not take a value).
#[derive(Clone, Copy, Debug)]
pub enum FutureKind {
    /// A `sleep` timer: the reactor key and the deadline. A race it loses
    /// disarms it; awaiting it again arms it again for the same deadline.
    Timer {
        key: u64,
        deadline: std::time::Instant,
        armed: bool,
    },
    /// An operation on a channel, mutex, semaphore or event: started when
    /// first awaited (so a future that is never awaited takes nothing),
    /// then queued in `owner` until it completes.
    Op {
        owner: Value,
        op: SyncOp,
        started: bool,
    },
    /// `race`'s core: completes with the index of the first of `items` (a
    /// list of futures) to complete, and detaches the others at that very
    /// moment, so a receive that loses takes nothing.
    First { items: Value },
    /// `all`'s core: completes with nil once every one of `items` has
    /// succeeded (`remaining` counts the others down), or with the first
    /// error, detaching the rest at that moment. Each item's result stays
    /// in the item.
    All { items: Value, remaining: usize },
    /// Completed with `task`'s outcome when it finishes (`__as_future`);
    /// it is one of the task's watchers until then.
    Watch { task: Gc<Task> },
    /// An operation on a listener, conn, socket or child: started when
    /// first awaited, then queued in `obj`'s readers or writers until its
    /// descriptor is ready (`scheduler::io`). The payload holds what a
    /// write sends.
    Io {
        obj: Gc<super::io::IoObj>,
        op: IoOp,
        started: bool,
    },
    /// Work on a helper thread (a file operation, a name lookup): started
    /// when the future is made, completed when the pool reports `key`.
    Job { key: u64 },
}

/// An I/O operation (see [`FutureKind::Io`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IoOp {
    Accept,
    /// Connecting a conn (then its TLS handshake, for `connect_tls`).
    Connect,
    Read {
        max: usize,
    },
    ReadLine,
    ReadExact {
        n: usize,
    },
    /// Everything up to the end, as a string (`io.read_all()`, a child's
    /// output).
    ReadAll,
    /// `done` bytes of the payload are written.
    Write {
        done: usize,
    },
    /// Like `Write`, then closes the stream: the `stdin` option of
    /// `process.spawn`, written while the program goes on.
    Feed {
        done: usize,
    },
    SendTo,
    RecvFrom,
    /// A child's exit.
    Wait,
}

impl IoOp {
    /// Whether the operation queues with the writers (else the readers).
    pub fn writes(self) -> bool {
        matches!(
            self,
            IoOp::Connect | IoOp::Write { .. } | IoOp::Feed { .. } | IoOp::SendTo
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyncOp {
    Send,
    Recv,
    /// A `for await` receive: a closed, drained channel ends the loop
    /// instead of throwing.
    RecvLoop,
    Lock,
    Acquire,
    Wait,
}

pub struct Future {
    pub id: u64,
    pub kind: Cell<FutureKind>,
    pub result: Cell<Option<Outcome>>,
    /// The task suspended on it.
    pub waiter: Cell<Option<Gc<Task>>>,
    /// A value the future carries until it completes (a channel send's value).
    pub payload: Cell<Value>,
    /// The `First` or `All` future watching this one, and this one's index
    /// in it.
    pub parent: Cell<Option<(Gc<Future>, usize)>>,
    /// Its place in the wait list it is queued in (an operation's in its
    /// object's queue, a `Watch` in its task's watchers).
    pub ticket: Ticket,
}

impl Future {
    pub fn new(id: u64, kind: FutureKind) -> Future {
        Future {
            id,
            kind: Cell::new(kind),
            result: Cell::new(None),
            waiter: Cell::new(None),
            payload: Cell::new(Value::Nil),
            parent: Cell::new(None),
            ticket: Ticket::default(),
        }
    }

    pub fn is_done(&self) -> bool {
        self.result.get().is_some()
    }
}

impl Trace for Future {
    fn trace(&self, t: &mut Tracer) {
        trace_outcome(self.result.get(), t);
        if let Some(w) = self.waiter.get() {
            t.mark(w);
        }
        self.payload.get().trace(t);
        match self.kind.get() {
            FutureKind::Op { owner, .. } => owner.trace(t),
            FutureKind::First { items } | FutureKind::All { items, .. } => items.trace(t),
            FutureKind::Watch { task } => t.mark(task),
            FutureKind::Io { obj, .. } => t.mark(obj),
            FutureKind::Timer { .. } | FutureKind::Job { .. } => {}
        }
        if let Some((p, _)) = self.parent.get() {
            t.mark(p);
        }
    }
}

impl Waiter for Future {
    fn ticket(&self) -> &Ticket {
        &self.ticket
    }
}
