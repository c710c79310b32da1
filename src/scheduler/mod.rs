//! The scheduler's bookkeeping: the FIFO run queue, the live tasks, and the
//! futures tasks wait on (timers among them).
//!
//! The VM owns the running fiber and does the switching; this module
//! decides who runs next and wakes waiters. Completing a future or a task
//! puts whoever waits on it at the back of the run queue, so wake-ups happen
//! in a deterministic order: the order in which things completed.

pub mod executor;
pub mod io;
pub mod signals;
pub mod sync;

use crate::gc::{Gc, Heap, Tracer};
use crate::reactor::Reactor;
use crate::value::fiber::Fiber;
use crate::value::{Future, FutureKind, Outcome, Task, TaskState, Value};
use rustc_hash::FxHashMap;
use std::collections::VecDeque;
use std::time::{Duration, Instant};

#[derive(Default)]
pub struct Scheduler {
    /// Tasks ready to run, in the order they became ready.
    pub queue: VecDeque<Gc<Task>>,
    /// Every task that has not finished, by (internal, id): the user's
    /// tasks first, in id order.
    pub tasks: std::collections::BTreeMap<(bool, u64), Gc<Task>>,
    /// The next id of a task the program spawns (the main script is 0).
    next_task: u64,
    /// The next id of a helper task of the prelude, counted apart so that
    /// helpers use up none of the program's ids.
    next_internal: u64,
    next_future: u64,
    /// Created on first use (programs that never sleep need no poller).
    reactor: Option<Reactor>,
    /// Reactor timer keys → the `sleep` futures they complete (and the
    /// timer, to cancel it).
    pub timers: FxHashMap<u64, (Gc<Future>, crate::reactor::TimerId)>,
    /// I/O objects with operations waiting, by reactor key: the poller's
    /// events are delivered to them.
    pub io: FxHashMap<u64, Gc<crate::value::io::IoObj>>,
    /// Helper-thread jobs in flight, by key, and who receives each result.
    pub jobs: FxHashMap<u64, io::JobWaiter>,
    /// Reactor keys for I/O objects and jobs.
    next_key: u64,
    /// Where reads land before they are copied to a stream's buffer (one
    /// for the whole runtime, so idle conns hold none).
    pub scratch: Vec<u8>,
    /// Ctrl-C and SIGQUIT, once the program watches them.
    pub signals: Option<signals::Signals>,
    /// Open I/O sources at which the next collection is asked for (see
    /// `io::descriptor_pressure`); 0 until first computed.
    pub fd_threshold: usize,
    /// Children killed when their `wait` was cancelled, to be reaped once
    /// they have exited.
    pub reaping: Vec<Gc<crate::value::io::IoObj>>,
    /// Slices run since the poller was last asked (see
    /// `Runtime::poll_between_slices`), and when that was.
    pub slices_since_poll: u32,
    pub last_poll: Option<Instant>,
}

impl Scheduler {
    /// A new task that will run `fiber`, queued at the back; `internal`
    /// for a helper task of the prelude.
    pub fn spawn(&mut self, heap: &mut Heap, fiber: Fiber, internal: bool) -> Gc<Task> {
        let counter = if internal {
            &mut self.next_internal
        } else {
            &mut self.next_task
        };
        let id = *counter;
        *counter += 1;
        let task = heap.alloc(Task::new(id, internal, fiber));
        self.tasks.insert((internal, id), task);
        self.queue.push_back(task);
        task
    }

    /// Puts a waiting task at the back of the run queue.
    pub fn ready(&mut self, task: Gc<Task>) {
        if matches!(task.state.get(), TaskState::Waiting) {
            task.state.set(TaskState::Ready);
            task.waiting_on.set(None);
            self.queue.push_back(task);
        }
    }

    /// Resumes `task` at its await with `outcome`.
    pub fn wake(&mut self, task: Gc<Task>, outcome: Outcome) {
        if task.state.get() == TaskState::Waiting {
            task.resume.set(Some(outcome));
            self.ready(task);
        }
    }

    pub fn new_future(&mut self, heap: &mut Heap, kind: FutureKind) -> Gc<Future> {
        self.next_future += 1;
        heap.alloc(Future::new(self.next_future, kind))
    }

    /// Completes a future (once) and wakes the task waiting on it.
    pub fn complete(&mut self, fut: Gc<Future>, outcome: Outcome) {
        if fut.is_done() {
            return;
        }
        fut.result.set(Some(outcome));
        if let Some(task) = fut.waiter.take() {
            self.wake(task, outcome);
        }
        let Some((parent, index)) = fut.parent.take() else {
            return;
        };
        if parent.is_done() {
            return;
        }
        match parent.kind.get() {
            FutureKind::First { .. } => {
                self.detach_items(parent);
                self.complete(parent, Ok(Value::Int(index as i64)));
            }
            FutureKind::All { items, remaining } => {
                if outcome.is_err() {
                    self.detach_items(parent);
                    self.complete(parent, outcome);
                } else if remaining <= 1 {
                    self.complete(parent, Ok(Value::Nil));
                } else {
                    parent.kind.set(FutureKind::All {
                        items,
                        remaining: remaining - 1,
                    });
                }
            }
            _ => {}
        }
    }

    /// Detaches every pending item of a `First` or `All` future: queued
    /// operations leave their queues (taking nothing), timers stop, and
    /// watchers of tasks stop watching.
    pub fn detach_items(&mut self, parent: Gc<Future>) {
        let (FutureKind::First {
            items: Value::List(items),
        }
        | FutureKind::All {
            items: Value::List(items),
            ..
        }) = parent.kind.get()
        else {
            return;
        };
        let items = items.items.borrow().clone();
        for item in items {
            let Value::Future(f) = item else { continue };
            f.parent.set(None);
            if !f.is_done() {
                self.detach(f);
            }
        }
    }

    /// Stops a pending future from completing: its timer is cancelled, its
    /// queued operation leaves the queue (taking nothing), a watcher leaves
    /// its task, a `race` or `all` core detaches its items.
    pub fn detach(&mut self, f: Gc<Future>) {
        match f.kind.get() {
            FutureKind::Timer {
                key,
                deadline,
                armed: true,
            } => {
                self.cancel_timer(key);
                f.kind.set(FutureKind::Timer {
                    key,
                    deadline,
                    armed: false,
                });
            }
            FutureKind::Timer { armed: false, .. } => {}
            FutureKind::Op {
                owner: owner @ Value::Sync(obj),
                op,
                ..
            } => {
                sync::forget(obj, f);
                // Out of its queue, it has not happened: awaiting it again
                // starts it again.
                f.kind.set(FutureKind::Op {
                    owner,
                    op,
                    started: false,
                });
            }
            FutureKind::Watch { task } => task.watchers.borrow_mut().remove(f),
            FutureKind::First { .. } | FutureKind::All { .. } => self.detach_items(f),
            FutureKind::Op { .. } => {}
            FutureKind::Io { .. } => io::detach(self, f),
            FutureKind::Job { key } => {
                // Its result is dropped when it arrives.
                self.jobs.remove(&key);
            }
        }
    }

    /// A future completed after `ms` milliseconds.
    pub fn sleep(&mut self, heap: &mut Heap, ms: f64) -> std::io::Result<Gc<Future>> {
        // Delays beyond a century are as good as forever (and cannot
        // overflow the clock); `sleep(inf)` is one of them.
        const FOREVER_MS: f64 = 100.0 * 365.0 * 86_400_000.0;
        let ms = if ms > 0.0 { ms.min(FOREVER_MS) } else { 0.0 };
        let now = Instant::now();
        let deadline = now
            .checked_add(Duration::from_secs_f64(ms / 1000.0))
            .unwrap_or(now + Duration::from_secs(86_400 * 365));
        let key = self.next_future + 1;
        let fut = self.new_future(
            heap,
            FutureKind::Timer {
                key,
                deadline,
                armed: true,
            },
        );
        let id = self.reactor()?.add_timer(deadline, key);
        self.timers.insert(key, (fut, id));
        Ok(fut)
    }

    /// Arms again, for its original deadline, a timer that was disarmed by
    /// a race it lost (an awaited `sleep` must still end).
    pub fn rearm(&mut self, fut: Gc<Future>) {
        let FutureKind::Timer {
            key,
            deadline,
            armed: false,
        } = fut.kind.get()
        else {
            return;
        };
        // The reactor exists: the timer was armed once.
        let Ok(reactor) = self.reactor() else { return };
        let id = reactor.add_timer(deadline, key);
        self.timers.insert(key, (fut, id));
        fut.kind.set(FutureKind::Timer {
            key,
            deadline,
            armed: true,
        });
    }

    pub fn reactor(&mut self) -> std::io::Result<&mut Reactor> {
        if self.reactor.is_none() {
            self.reactor = Some(Reactor::new()?);
        }
        Ok(self.reactor.as_mut().expect("just created"))
    }

    /// Whether a timer or I/O source may still wake someone. A timer whose
    /// future nobody awaits, directly or through `all` or `race`, wakes no
    /// one: it must not hold back the report of a deadlock until it fires
    /// (`sleep(60000)` without `await` before a receive that never comes).
    pub fn has_pending_events(&self) -> bool {
        let awaited = |mut f: Gc<Future>| loop {
            if f.waiter.get().is_some() {
                return true;
            }
            match f.parent.get() {
                Some((parent, _)) => f = parent,
                None => return false,
            }
        };
        self.timers.values().any(|&(f, _)| awaited(f))
            || !self.io.is_empty()
            || self.jobs.values().any(|j| j.awaited())
    }

    /// A new reactor key for an I/O object or a job.
    pub fn new_key(&mut self) -> u64 {
        self.next_key += 1;
        // Apart from timer keys (future ids), which count up from 1.
        (1 << 62) | self.next_key
    }

    /// Fires timers that are already due, without waiting.
    pub fn poll_due(&mut self) {
        if self.timers.is_empty() {
            return;
        }
        let Some(reactor) = self.reactor.as_mut() else {
            return;
        };
        let mut fired = Vec::new();
        reactor.fire_due(&mut fired);
        self.fire_timers(fired);
    }

    fn fire_timers(&mut self, keys: Vec<u64>) {
        for key in keys {
            if let Some((fut, _)) = self.timers.remove(&key) {
                self.complete(fut, Ok(Value::Nil));
            }
        }
    }

    /// Stops a `sleep` whose waiter was cancelled.
    pub fn cancel_timer(&mut self, key: u64) {
        if let Some((_, id)) = self.timers.remove(&key) {
            if let Some(r) = self.reactor.as_mut() {
                r.cancel_timer(id);
            }
        }
    }

    /// Records a task's end and wakes the tasks awaiting it.
    pub fn finish(&mut self, task: Gc<Task>, outcome: Outcome) {
        task.state.set(TaskState::Done);
        task.result.set(Some(outcome));
        *task.saved.borrow_mut() = Default::default();
        self.tasks.remove(&(task.internal, task.id));
        let waiters = task.waiters.borrow_mut().take_all();
        for w in waiters {
            self.wake(w, outcome);
        }
        let watchers = task.watchers.borrow_mut().take_all();
        for f in watchers {
            self.complete(f, outcome);
        }
    }

    /// Marks the handles the scheduler holds. Every field is named (no
    /// `..`), so a new one does not compile until it is traced here or
    /// marked as holding no handles.
    pub fn trace(&self, t: &mut Tracer) {
        let Scheduler {
            queue,
            tasks,
            next_task: _,
            next_internal: _,
            next_future: _,
            reactor: _,
            timers,
            io,
            jobs,
            next_key: _,
            scratch: _,
            signals: _,
            slices_since_poll: _,
            last_poll: _,
            reaping,
            fd_threshold: _,
        } = self;
        for task in queue.iter().chain(tasks.values()) {
            t.mark(*task);
        }
        for (f, _) in timers.values() {
            t.mark(*f);
        }
        for obj in io.values() {
            t.mark(*obj);
        }
        for j in jobs.values() {
            j.trace(t);
        }
        for obj in reaping.iter() {
            t.mark(*obj);
        }
    }
}

/// The message of the `CancelledError` that `t.cancel()` delivers.
pub const CANCELLED: &str = "the task was cancelled";

/// `t.cancel()`: delivers `CancelledError` to the task at its current wait,
/// or at its next await or preemption point.
pub fn cancel_task(rt: &mut crate::runtime::Runtime, t: Gc<Task>) {
    if t.is_done() || t.cancel_pending.get() {
        return;
    }
    // A cancellation already handed to the task but not yet seen by it.
    let cancelled = rt.error_classes[crate::value::ErrorKind::CancelledError.index()];
    if matches!(t.resume.get(), Some(Err(Value::Instance(i))) if i.class.is_subclass_of(cancelled))
    {
        return;
    }
    if t.state.get() == TaskState::Waiting && t.resume.get().is_none() {
        match t.waiting_on.get() {
            Some(Value::Future(f)) => {
                f.waiter.set(None);
                rt.sched.detach(f);
            }
            Some(Value::Task(other)) => other.waiters.borrow_mut().remove(t),
            _ => {}
        }
        let e = rt.make_error(crate::value::ErrorKind::CancelledError, CANCELLED);
        rt.sched.wake(t, Err(e));
    } else {
        t.cancel_pending.set(true);
    }
}
