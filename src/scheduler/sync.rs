//! Channel, mutex, semaphore and event operations.
//!
//! An operation future (`ch.recv()`, `m.lock()`, ...) does nothing until it
//! is first awaited: only then does [`start`] take a value, a permit or the
//! lock, or queue the future. A future removed from its queue by
//! cancellation ([`forget`]) never receives anything, so a cancelled or
//! abandoned receive takes no value.

use crate::gc::Gc;
use crate::runtime::Runtime;
use crate::value::sync::{SyncObj, SyncState};
use crate::value::{ErrorKind, Future, FutureKind, SyncOp, Value};

fn closed_error(rt: &mut Runtime) -> Value {
    rt.make_error(ErrorKind::ChannelClosed, "the channel is closed")
}

/// The task that will resume when `f` completes: its own waiter, or that of
/// the `race` it belongs to.
fn waiting_task(f: Gc<Future>) -> Option<Gc<crate::value::Task>> {
    f.waiter
        .get()
        .or_else(|| f.parent.get().and_then(|(first, _)| first.waiter.get()))
}

/// Starts an operation future at its first await; it may complete at once.
/// A timer that a lost race disarmed is armed again.
pub fn start(rt: &mut Runtime, fut: Gc<Future>) {
    if let FutureKind::Timer { armed: false, .. } = fut.kind.get() {
        rt.sched.rearm(fut);
        return;
    }
    if let FutureKind::Io { .. } = fut.kind.get() {
        super::io::start(rt, fut);
        return;
    }
    let FutureKind::Op { owner, op, started } = fut.kind.get() else {
        return;
    };
    if started {
        return;
    }
    fut.kind.set(FutureKind::Op {
        owner,
        op,
        started: true,
    });
    let Value::Sync(obj) = owner else { return };
    match op {
        SyncOp::Send => send(rt, obj, fut),
        SyncOp::Recv => recv(rt, obj, fut, false),
        SyncOp::RecvLoop => recv(rt, obj, fut, true),
        SyncOp::Lock => {
            let me = rt.current_task;
            let mut state = obj.state.borrow_mut();
            let SyncState::Mutex(m) = &mut *state else {
                return;
            };
            if m.owner.is_none() {
                m.owner = me;
                drop(state);
                rt.sched.complete(fut, Ok(Value::Nil));
            } else {
                m.waiters.push_back(fut);
            }
        }
        SyncOp::Acquire => {
            let mut state = obj.state.borrow_mut();
            let SyncState::Semaphore(s) = &mut *state else {
                return;
            };
            if s.permits > 0 && s.waiters.is_empty() {
                s.permits -= 1;
                drop(state);
                rt.sched.complete(fut, Ok(Value::Nil));
            } else {
                s.waiters.push_back(fut);
            }
        }
        SyncOp::Wait => {
            let mut state = obj.state.borrow_mut();
            let SyncState::Event(e) = &mut *state else {
                return;
            };
            if e.set {
                drop(state);
                rt.sched.complete(fut, Ok(Value::Nil));
            } else {
                e.waiters.push_back(fut);
            }
        }
    }
}

fn send(rt: &mut Runtime, obj: Gc<SyncObj>, fut: Gc<Future>) {
    let v = fut.payload.get();
    let mut state = obj.state.borrow_mut();
    let SyncState::Channel(ch) = &mut *state else {
        return;
    };
    if ch.closed {
        drop(state);
        let e = closed_error(rt);
        rt.sched.complete(fut, Err(e));
        return;
    }
    if let Some(receiver) = ch.receivers.pop_front() {
        drop(state);
        // The send finishes once the receiving task has resumed with the
        // value, not when the value is handed over.
        let receiver_task = waiting_task(receiver);
        rt.sched.complete(receiver, Ok(v));
        match receiver_task {
            // Inside a `race` the send must win or lose at once, so it
            // completes at the hand-off.
            Some(task) if task.on_resume.get().is_none() && fut.parent.get().is_none() => {
                task.on_resume.set(Some(fut))
            }
            _ => rt.sched.complete(fut, Ok(Value::Nil)),
        }
    } else if ch.buffer.len() < ch.capacity {
        ch.buffer.push_back(v);
        drop(state);
        rt.sched.complete(fut, Ok(Value::Nil));
    } else {
        ch.senders.push_back(fut);
    }
}

fn recv(rt: &mut Runtime, obj: Gc<SyncObj>, fut: Gc<Future>, in_loop: bool) {
    let mut state = obj.state.borrow_mut();
    let SyncState::Channel(ch) = &mut *state else {
        return;
    };
    if let Some(v) = ch.buffer.pop_front() {
        // Room appeared: the first waiting sender's value moves in.
        let sender = ch.senders.pop_front();
        if let Some(s) = sender {
            ch.buffer.push_back(s.payload.get());
        }
        drop(state);
        if let Some(s) = sender {
            rt.sched.complete(s, Ok(Value::Nil));
        }
        rt.sched.complete(fut, Ok(v));
    } else if let Some(s) = ch.senders.pop_front() {
        drop(state);
        let v = s.payload.get();
        rt.sched.complete(s, Ok(Value::Nil));
        rt.sched.complete(fut, Ok(v));
    } else if ch.closed {
        drop(state);
        let outcome = if in_loop {
            Ok(Value::Undef)
        } else {
            Err(closed_error(rt))
        };
        rt.sched.complete(fut, outcome);
    } else {
        ch.receivers.push_back(fut);
    }
}

/// `ch.try_send(v)`: true when the value was taken by a waiting receiver or
/// the buffer.
pub fn try_send(rt: &mut Runtime, obj: Gc<SyncObj>, v: Value) -> bool {
    let mut state = obj.state.borrow_mut();
    let SyncState::Channel(ch) = &mut *state else {
        return false;
    };
    if ch.closed {
        return false;
    }
    if let Some(receiver) = ch.receivers.pop_front() {
        drop(state);
        rt.sched.complete(receiver, Ok(v));
        true
    } else if ch.buffer.len() < ch.capacity {
        ch.buffer.push_back(v);
        true
    } else {
        false
    }
}

/// `ch.close()`: blocked senders fail; blocked receivers fail once the
/// buffer is drained (they only wait when it is empty).
pub fn close(rt: &mut Runtime, obj: Gc<SyncObj>) {
    let mut state = obj.state.borrow_mut();
    let SyncState::Channel(ch) = &mut *state else {
        return;
    };
    if ch.closed {
        return;
    }
    ch.closed = true;
    let mut failed = ch.senders.take_all();
    if ch.buffer.is_empty() {
        failed.extend(ch.receivers.take_all());
    }
    drop(state);
    for f in failed {
        let in_loop = matches!(
            f.kind.get(),
            FutureKind::Op {
                op: SyncOp::RecvLoop,
                ..
            }
        );
        let outcome = if in_loop {
            Ok(Value::Undef)
        } else {
            Err(closed_error(rt))
        };
        rt.sched.complete(f, outcome);
    }
}

/// Why `m.unlock()` was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum UnlockError {
    NotLocked,
    HeldByAnother,
}

impl UnlockError {
    pub fn message(&self) -> &'static str {
        match self {
            UnlockError::NotLocked => "unlock of a mutex that is not locked",
            UnlockError::HeldByAnother => "unlock of a mutex held by another task",
        }
    }
}

/// `m.unlock()`: hands the lock to the first waiter.
pub fn unlock(rt: &mut Runtime, obj: Gc<SyncObj>) -> Result<(), UnlockError> {
    let me = rt.current_task;
    let mut state = obj.state.borrow_mut();
    let SyncState::Mutex(m) = &mut *state else {
        return Ok(());
    };
    let held_by_me = match (m.owner, me) {
        (Some(o), Some(t)) => Gc::ptr_eq(o, t),
        _ => false,
    };
    if !held_by_me {
        return Err(if m.owner.is_none() {
            UnlockError::NotLocked
        } else {
            UnlockError::HeldByAnother
        });
    }
    let next = m.waiters.pop_front();
    m.owner = next.and_then(waiting_task);
    drop(state);
    if let Some(f) = next {
        rt.sched.complete(f, Ok(Value::Nil));
    }
    Ok(())
}

/// `s.release()` past the largest permit count an int can hold.
#[derive(Debug, PartialEq, Eq)]
pub struct TooManyPermits;

/// `s.release()`: a permit goes to the first waiter, or back to the pool.
pub fn release(rt: &mut Runtime, obj: Gc<SyncObj>) -> Result<(), TooManyPermits> {
    let mut state = obj.state.borrow_mut();
    let SyncState::Semaphore(s) = &mut *state else {
        return Ok(());
    };
    if let Some(f) = s.waiters.pop_front() {
        drop(state);
        rt.sched.complete(f, Ok(Value::Nil));
    } else {
        s.permits = s.permits.checked_add(1).ok_or(TooManyPermits)?;
    }
    Ok(())
}

/// `e.set()`: wakes every waiter; later waits complete at once.
pub fn set(rt: &mut Runtime, obj: Gc<SyncObj>) {
    let mut state = obj.state.borrow_mut();
    let SyncState::Event(e) = &mut *state else {
        return;
    };
    e.set = true;
    let waiters = e.waiters.take_all();
    drop(state);
    for f in waiters {
        rt.sched.complete(f, Ok(Value::Nil));
    }
}

/// Removes a future whose task was cancelled from the queue it waits in
/// (in O(1): cancelling every waiter of an object is linear).
pub fn forget(obj: Gc<SyncObj>, fut: Gc<Future>) {
    let mut state = obj.state.borrow_mut();
    let queue = match &mut *state {
        SyncState::Channel(c) => match fut.kind.get() {
            FutureKind::Op {
                op: SyncOp::Send, ..
            } => &mut c.senders,
            _ => &mut c.receivers,
        },
        SyncState::Mutex(m) => &mut m.waiters,
        SyncState::Semaphore(s) => &mut s.waiters,
        SyncState::Event(e) => &mut e.waiters,
    };
    queue.remove(fut);
}
