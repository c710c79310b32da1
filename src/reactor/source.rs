//! A file descriptor registered with the poller, and what is known about
//! its readiness.
//!
//! Sources are registered once, edge-triggered, for reading and writing.
//! The reactor records every event in the shared [`Readiness`] table —
//! also for sources nobody is waiting on, so no edge is ever lost — and an
//! operation clears a direction when the OS says it would block (or a write
//! came back short: the buffer is full). An operation tries the system call only
//! while its direction is marked ready, so a wait costs no `epoll_ctl` and
//! no failed `read`: this is the readiness model of tokio and mio.
//!
//! [`Source`] owns the descriptor together with its registration and
//! deregisters before the descriptor closes (its `Drop` does both, in that
//! order). Whoever drops a source — `close()`, or the collector sweeping an
//! unreachable conn — therefore leaves no stale registration behind.

use polling::{Event, PollMode, Poller};
use rustc_hash::FxHashMap;
use std::cell::RefCell;
use std::io;
use std::os::fd::{AsFd, AsRawFd};
use std::rc::Rc;
use std::sync::Arc;

/// Readiness in each direction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Interest {
    pub read: bool,
    pub write: bool,
}

/// Readiness of every registered source, by key.
#[derive(Default)]
pub struct Readiness {
    table: RefCell<FxHashMap<u64, Interest>>,
}

impl Readiness {
    /// How many sources are registered.
    pub fn len(&self) -> usize {
        self.table.borrow().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Records an event; false when no source has `key`.
    pub fn record(&self, key: u64, readable: bool, writable: bool) -> bool {
        match self.table.borrow_mut().get_mut(&key) {
            Some(r) => {
                r.read |= readable;
                r.write |= writable;
                true
            }
            None => false,
        }
    }
}

pub struct Source<T: AsFd> {
    io: Option<T>,
    poller: Arc<Poller>,
    readiness: Rc<Readiness>,
    key: u64,
}

impl<T: AsFd> Source<T> {
    /// Registers `io` (already non-blocking) under `key`. It starts out
    /// marked ready both ways, so the first operation simply tries.
    pub fn new(io: T, reactor: &super::Reactor, key: u64) -> io::Result<Source<T>> {
        let poller = reactor.poller().clone();
        let slot = usize::try_from(key)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "reactor key out of range"))?;
        // SAFETY: the source owns the descriptor and deletes it from the
        // poller before closing it (`Drop`).
        unsafe { poller.add_with_mode(io.as_fd().as_raw_fd(), Event::all(slot), PollMode::Edge)? };
        let readiness = reactor.readiness().clone();
        readiness.table.borrow_mut().insert(
            key,
            Interest {
                read: true,
                write: true,
            },
        );
        Ok(Source {
            io: Some(io),
            poller,
            readiness,
            key,
        })
    }

    pub fn get(&self) -> &T {
        self.io
            .as_ref()
            .expect("a source holds its descriptor until dropped")
    }

    pub fn get_mut(&mut self) -> &mut T {
        self.io
            .as_mut()
            .expect("a source holds its descriptor until dropped")
    }

    pub fn key(&self) -> u64 {
        self.key
    }

    /// What is known to be ready (an operation may try it).
    pub fn ready(&self) -> Interest {
        (self.readiness.table.borrow().get(&self.key).copied()).unwrap_or_default()
    }

    /// The OS said a read would block: wait for the next edge.
    pub fn clear_read(&self) {
        if let Some(r) = self.readiness.table.borrow_mut().get_mut(&self.key) {
            r.read = false;
        }
    }

    /// The OS said a write would block: wait for the next edge.
    pub fn clear_write(&self) {
        if let Some(r) = self.readiness.table.borrow_mut().get_mut(&self.key) {
            r.write = false;
        }
    }
}

impl<T: AsFd> Drop for Source<T> {
    fn drop(&mut self) {
        self.readiness.table.borrow_mut().remove(&self.key);
        if let Some(io) = self.io.take() {
            let _ = self.poller.delete(io.as_fd());
            drop(io);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reactor::Reactor;
    use std::io::{Read, Write};
    use std::time::Duration;

    #[test]
    fn edges_mark_a_source_ready_until_an_operation_clears_it() {
        let mut r = Reactor::new().unwrap();
        let (a, mut b) = std::os::unix::net::UnixStream::pair().unwrap();
        a.set_nonblocking(true).unwrap();
        let mut src = Source::new(a, &r, 7).unwrap();
        assert!(src.ready().read, "a new source is tried at once");
        let mut buf = [0u8; 8];
        assert!(src.get_mut().read(&mut buf).is_err());
        src.clear_read();
        assert!(!src.ready().read);
        b.write_all(b"x").unwrap();
        let mut ready = Vec::new();
        r.poll(
            Some(Duration::from_secs(5)),
            &mut vec![],
            &mut ready,
            &mut vec![],
        )
        .unwrap();
        assert!(ready.iter().any(|e| e.key == 7 && e.readable));
        assert!(src.ready().read);
        // Edge-triggered: no new event while nothing new arrives.
        ready.clear();
        r.poll(Some(Duration::ZERO), &mut vec![], &mut ready, &mut vec![])
            .unwrap();
        assert!(ready.is_empty());
    }

    #[test]
    fn dropping_a_source_deregisters_and_closes_it() {
        let r = Reactor::new().unwrap();
        let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
        let src = Source::new(a, &r, 1).unwrap();
        drop(src);
        assert!(!r.readiness().record(1, true, false));
        // The other end sees the close.
        let mut buf = [0u8; 1];
        assert_eq!((&b).read(&mut buf).unwrap(), 0);
    }
}
