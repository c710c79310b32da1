//! Objects of the concurrency model: generators (a parked fiber),
//! coroutines (a function call not yet started), tasks (green threads) and
//! futures (one-shot results that tasks wait on).

use super::fiber::Fiber;
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

/// What a finished task or future produced.
pub type Outcome = Result<Value, Value>;

/// A green thread.
pub struct Task {
    pub id: u64,
    pub state: Cell<TaskState>,
    /// The task's execution state while it is not running.
    pub saved: RefCell<TaskContext>,
    /// Set when the task finishes.
    pub result: Cell<Option<Outcome>>,
    /// Delivered at the await the task is suspended in, when it resumes.
    pub resume: Cell<Option<Outcome>>,
    /// Tasks waiting for this one to finish.
    pub waiters: RefCell<Vec<Gc<Task>>>,
    /// What the task is waiting for (a future or a task), for cancellation.
    pub waiting_on: Cell<Option<Value>>,
    /// Where it waits (`file`, span of the `await`).
    pub wait_site: Cell<Option<(SourceId, Span)>>,
    pub cancel_pending: Cell<bool>,
    /// Someone awaited (or will report) its result: an error is not
    /// reported as unhandled.
    pub observed: Cell<bool>,
    /// Futures completed with the task's outcome when it finishes (`race`).
    pub watchers: RefCell<Vec<Gc<Future>>>,
    /// A rendezvous send completed when this task resumes with its value.
    pub on_resume: Cell<Option<Gc<Future>>>,
}

impl Task {
    pub fn new(id: u64, fiber: Fiber) -> Task {
        Task {
            id,
            state: Cell::new(TaskState::Ready),
            saved: RefCell::new(TaskContext {
                fiber,
                parents: Vec::new(),
            }),
            result: Cell::new(None),
            resume: Cell::new(None),
            waiters: RefCell::new(Vec::new()),
            waiting_on: Cell::new(None),
            wait_site: Cell::new(None),
            cancel_pending: Cell::new(false),
            observed: Cell::new(false),
            watchers: RefCell::new(Vec::new()),
            on_resume: Cell::new(None),
        }
    }

    pub fn is_done(&self) -> bool {
        self.state.get() == TaskState::Done
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
        for w in self.watchers.borrow().iter() {
            t.mark(*w);
        }
        if let Some(f) = self.on_resume.get() {
            t.mark(f);
        }
        for w in self.waiters.borrow().iter() {
            t.mark(*w);
        }
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
    /// Resolved by whoever holds it (tasks finishing, `all`, `race`...).
    Plain,
    /// A `sleep` timer: the reactor key.
    Timer { key: u64 },
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
    /// The `First` future watching this one, and this one's index in it.
    pub parent: Cell<Option<(Gc<Future>, u32)>>,
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
            FutureKind::First { items } => items.trace(t),
            FutureKind::Plain | FutureKind::Timer { .. } => {}
        }
        if let Some((p, _)) = self.parent.get() {
            t.mark(p);
        }
    }
}
