//! Synchronisation objects: channels, mutexes, semaphores and events. Each
//! keeps a FIFO queue of the futures waiting on it, so waiters are served
//! first come, first served.

use super::{Future, Task, Value};
use crate::gc::{Gc, Trace, Tracer};
use std::cell::RefCell;
use std::collections::VecDeque;

pub struct ChannelState {
    pub capacity: usize,
    pub buffer: VecDeque<Value>,
    /// Receivers waiting for a value.
    pub receivers: VecDeque<Gc<Future>>,
    /// Senders waiting for room (or, with capacity 0, for a receiver); each
    /// future's payload is the value it sends.
    pub senders: VecDeque<Gc<Future>>,
    pub closed: bool,
}

pub struct MutexState {
    pub owner: Option<Gc<Task>>,
    pub waiters: VecDeque<Gc<Future>>,
}

pub struct SemaphoreState {
    pub permits: i64,
    pub waiters: VecDeque<Gc<Future>>,
}

pub struct EventState {
    pub set: bool,
    pub waiters: VecDeque<Gc<Future>>,
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

fn mark_all(q: &VecDeque<Gc<Future>>, t: &mut Tracer) {
    for f in q {
        t.mark(*f);
    }
}

impl Trace for SyncObj {
    fn trace(&self, t: &mut Tracer) {
        match &*self.state.borrow() {
            SyncState::Channel(c) => {
                for v in &c.buffer {
                    v.trace(t);
                }
                mark_all(&c.receivers, t);
                mark_all(&c.senders, t);
            }
            SyncState::Mutex(m) => {
                if let Some(o) = m.owner {
                    t.mark(o);
                }
                mark_all(&m.waiters, t);
            }
            SyncState::Semaphore(s) => mark_all(&s.waiters, t),
            SyncState::Event(e) => mark_all(&e.waiters, t),
        }
    }
}
