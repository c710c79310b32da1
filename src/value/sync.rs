//! Synchronisation objects: channels, mutexes, semaphores and events. Each
//! keeps a FIFO queue of the futures waiting on it, so waiters are served
//! first come, first served (a cancelled waiter leaves its queue in O(1):
//! see `wait_list`).

use super::wait_list::WaitList;
use super::{Future, Task, Value};
use crate::gc::{Gc, Trace, Tracer};
use std::cell::RefCell;
use std::collections::VecDeque;

pub struct ChannelState {
    pub capacity: usize,
    pub buffer: VecDeque<Value>,
    /// Receivers waiting for a value.
    pub receivers: WaitList<Future>,
    /// Senders waiting for room (or, with capacity 0, for a receiver); each
    /// future's payload is the value it sends.
    pub senders: WaitList<Future>,
    pub closed: bool,
}

pub struct MutexState {
    pub owner: Option<Gc<Task>>,
    pub waiters: WaitList<Future>,
}

pub struct SemaphoreState {
    pub permits: i64,
    pub waiters: WaitList<Future>,
}

pub struct EventState {
    pub set: bool,
    pub waiters: WaitList<Future>,
}

pub enum SyncState {
    Channel(ChannelState),
    Mutex(MutexState),
    Semaphore(SemaphoreState),
    Event(EventState),
}

pub struct SyncObj {
    pub state: RefCell<SyncState>,
}

impl SyncObj {
    pub fn kind_name(&self) -> &'static str {
        match &*self.state.borrow() {
            SyncState::Channel(_) => "channel",
            SyncState::Mutex(_) => "mutex",
            SyncState::Semaphore(_) => "semaphore",
            SyncState::Event(_) => "event",
        }
    }
}

impl Trace for SyncObj {
    fn trace(&self, t: &mut Tracer) {
        match &*self.state.borrow() {
            SyncState::Channel(c) => {
                for v in &c.buffer {
                    v.trace(t);
                }
                c.receivers.trace(t);
                c.senders.trace(t);
            }
            SyncState::Mutex(m) => {
                if let Some(o) = m.owner {
                    t.mark(o);
                }
                m.waiters.trace(t);
            }
            SyncState::Semaphore(s) => s.waiters.trace(t),
            SyncState::Event(e) => e.waiters.trace(t),
        }
    }
}
