//! A file descriptor registered with the poller.
//!
//! [`Source`] owns the descriptor together with its registration, and
//! deregisters before the descriptor closes (its `Drop` does both, in that
//! order). Whoever drops a source — `close()`, or the collector sweeping an
//! unreachable conn — therefore leaves no stale registration behind.

use polling::{Event, PollMode, Poller};
use std::cell::Cell;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::sync::Arc;

/// Readiness a source waits for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Interest {
    pub read: bool,
    pub write: bool,
}

impl Interest {
    pub const NONE: Interest = Interest {
        read: false,
        write: false,
    };
}

pub struct Source<T: AsFd> {
    io: Option<T>,
    poller: Arc<Poller>,
    key: u64,
    /// What the poller is armed for (oneshot: cleared when it fires).
    armed: Cell<Interest>,
}

impl<T: AsFd> Source<T> {
    /// Registers `io` (already non-blocking) under `key`, armed for nothing.
    pub fn new(io: T, poller: Arc<Poller>, key: u64) -> io::Result<Source<T>> {
        // SAFETY: the source owns the descriptor and deletes it from the
        // poller before closing it (`Drop`).
        unsafe {
            poller.add_with_mode(
                io.as_fd().as_raw_fd(),
                Event::none(key as usize),
                PollMode::Oneshot,
            )?
        };
        Ok(Source {
            io: Some(io),
            poller,
            key,
            armed: Cell::new(Interest::NONE),
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

    fn fd(&self) -> BorrowedFd<'_> {
        self.get().as_fd()
    }

    /// Arms the poller for `want` (nothing when it is already armed so).
    pub fn arm(&self, want: Interest) -> io::Result<()> {
        if want == self.armed.get() {
            return Ok(());
        }
        let mut ev = Event::none(self.key as usize);
        ev.readable = want.read;
        ev.writable = want.write;
        self.poller
            .modify_with_mode(self.fd(), ev, PollMode::Oneshot)?;
        self.armed.set(want);
        Ok(())
    }

    /// The poller reported this source: oneshot sources are disarmed.
    pub fn fired(&self) {
        self.armed.set(Interest::NONE);
    }
}

impl<T: AsFd> Drop for Source<T> {
    fn drop(&mut self) {
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
    use std::io::Write;
    use std::time::Duration;

    #[test]
    fn an_armed_source_reports_readiness_once_until_rearmed() {
        let mut r = Reactor::new().unwrap();
        let (a, mut b) = std::os::unix::net::UnixStream::pair().unwrap();
        a.set_nonblocking(true).unwrap();
        let src = Source::new(a, r.poller().clone(), 7).unwrap();
        src.arm(Interest {
            read: true,
            write: false,
        })
        .unwrap();
        b.write_all(b"x").unwrap();
        let mut ready = Vec::new();
        r.poll(
            Some(Duration::from_secs(5)),
            &mut vec![],
            &mut ready,
            &mut vec![],
        )
        .unwrap();
        assert_eq!(ready.len(), 1);
        assert!(ready[0].key == 7 && ready[0].readable);
        src.fired();
        // Oneshot: nothing more until armed again.
        ready.clear();
        r.poll(Some(Duration::ZERO), &mut vec![], &mut ready, &mut vec![])
            .unwrap();
        assert!(ready.is_empty());
        src.arm(Interest {
            read: true,
            write: false,
        })
        .unwrap();
        r.poll(
            Some(Duration::from_secs(5)),
            &mut vec![],
            &mut ready,
            &mut vec![],
        )
        .unwrap();
        assert_eq!(ready.len(), 1);
    }

    #[test]
    fn dropping_a_source_deregisters_and_closes_it() {
        let r = Reactor::new().unwrap();
        let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
        let src = Source::new(a, r.poller().clone(), 1).unwrap();
        drop(src);
        // The other end sees the close.
        let mut buf = [0u8; 1];
        use std::io::Read;
        assert_eq!((&b).read(&mut buf).unwrap(), 0);
    }
}
