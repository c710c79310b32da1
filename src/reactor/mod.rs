//! The reactor: timers and I/O readiness over the `polling` crate.
//!
//! It knows nothing of values, tasks or the VM: it deals in opaque `u64`
//! keys and deadlines, and the scheduler maps keys back to what is waiting.
//! Timers live in an ordered map keyed by (deadline, sequence number), so
//! timers with the same deadline fire in the order they were created.
//! I/O sources are registered with a key and an interest; `polling` is
//! oneshot, so a source must be re-armed after each event it reports.
//! Another thread (the REPL's line editor) can wake a blocked poll through
//! [`Reactor::waker`].

use polling::{Event, Events, Poller};
use std::collections::BTreeMap;
use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Identifies a pending timer, for cancelling it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TimerId {
    deadline: Instant,
    seq: u64,
}

/// Which readiness a source waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interest {
    Read,
    Write,
}

/// Wakes a reactor blocked in [`Reactor::poll`] from another thread.
#[derive(Clone)]
pub struct Waker {
    poller: Arc<Poller>,
}

impl Waker {
    pub fn wake(&self) {
        let _ = self.poller.notify();
    }
}

pub struct Reactor {
    poller: Arc<Poller>,
    events: Events,
    timers: BTreeMap<TimerId, u64>,
    seq: u64,
    /// Registered I/O sources: key → still armed.
    sources: rustc_hash::FxHashMap<u64, bool>,
}

impl Reactor {
    pub fn new() -> io::Result<Reactor> {
        Ok(Reactor {
            poller: Arc::new(Poller::new()?),
            events: Events::new(),
            timers: BTreeMap::new(),
            seq: 0,
            sources: Default::default(),
        })
    }

    pub fn waker(&self) -> Waker {
        Waker {
            poller: self.poller.clone(),
        }
    }

    /// Schedules `key` to fire at `deadline`.
    pub fn add_timer(&mut self, deadline: Instant, key: u64) -> TimerId {
        self.seq += 1;
        let id = TimerId {
            deadline,
            seq: self.seq,
        };
        self.timers.insert(id, key);
        id
    }

    /// Cancels a timer; false if it already fired or was cancelled.
    pub fn cancel_timer(&mut self, id: TimerId) -> bool {
        self.timers.remove(&id).is_some()
    }

    pub fn timer_count(&self) -> usize {
        self.timers.len()
    }

    /// Whether anything (a timer or an armed source) may still fire.
    pub fn has_pending(&self) -> bool {
        !self.timers.is_empty() || self.sources.values().any(|armed| *armed)
    }

    /// Whether an I/O source is armed (timers aside).
    pub fn has_armed_sources(&self) -> bool {
        self.sources.values().any(|armed| *armed)
    }

    pub fn next_deadline(&self) -> Option<Instant> {
        self.timers.keys().next().map(|t| t.deadline)
    }

    /// Registers an I/O source under `key`, armed for `interest`.
    ///
    /// # Safety
    /// The source must stay open until it is [`deregister`](Self::deregister)ed.
    #[cfg(unix)]
    pub unsafe fn register(
        &mut self,
        fd: std::os::fd::RawFd,
        key: u64,
        interest: Interest,
    ) -> io::Result<()> {
        // SAFETY: the caller keeps the descriptor open until deregistering it.
        unsafe { self.poller.add(fd, event(key, interest))? };
        self.sources.insert(key, true);
        Ok(())
    }

    /// Re-arms a registered source after it fired (sources are oneshot).
    #[cfg(unix)]
    pub fn rearm(
        &mut self,
        fd: std::os::fd::BorrowedFd<'_>,
        key: u64,
        interest: Interest,
    ) -> io::Result<()> {
        self.poller.modify(fd, event(key, interest))?;
        self.sources.insert(key, true);
        Ok(())
    }

    #[cfg(unix)]
    pub fn deregister(&mut self, fd: std::os::fd::BorrowedFd<'_>, key: u64) -> io::Result<()> {
        self.sources.remove(&key);
        self.poller.delete(fd)
    }

    /// Waits for I/O until `timeout` (or the next timer, whichever is
    /// sooner; `None` waits until something happens), then appends the keys
    /// of due timers (in deadline order) and ready sources to `fired`.
    pub fn poll(&mut self, timeout: Option<Duration>, fired: &mut Vec<u64>) -> io::Result<()> {
        let now = Instant::now();
        let until_timer = self
            .next_deadline()
            .map(|d| d.saturating_duration_since(now));
        let wait = match (timeout, until_timer) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let has_sources = !self.sources.is_empty();
        if has_sources || wait != Some(Duration::ZERO) {
            self.events.clear();
            match self.poller.wait(&mut self.events, wait) {
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
            for ev in self.events.iter() {
                let key = ev.key as u64;
                if let Some(armed) = self.sources.get_mut(&key) {
                    *armed = false;
                    fired.push(key);
                }
            }
        }
        self.fire_due(fired);
        Ok(())
    }

    /// Appends the keys of every timer whose deadline has passed.
    pub fn fire_due(&mut self, fired: &mut Vec<u64>) {
        let now = Instant::now();
        while let Some((&id, &key)) = self.timers.iter().next() {
            if id.deadline > now {
                break;
            }
            self.timers.remove(&id);
            fired.push(key);
        }
    }
}

fn event(key: u64, interest: Interest) -> Event {
    match interest {
        Interest::Read => Event::readable(key as usize),
        Interest::Write => Event::writable(key as usize),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_deadlines_fire_in_creation_order() {
        let mut r = Reactor::new().unwrap();
        let t = Instant::now();
        for key in [5, 3, 9] {
            r.add_timer(t, key);
        }
        r.add_timer(t - Duration::from_millis(1), 1);
        let mut fired = Vec::new();
        r.poll(Some(Duration::ZERO), &mut fired).unwrap();
        assert_eq!(fired, vec![1, 5, 3, 9]);
        assert!(!r.has_pending());
    }

    #[test]
    fn poll_blocks_until_the_next_timer() {
        let mut r = Reactor::new().unwrap();
        let start = Instant::now();
        r.add_timer(start + Duration::from_millis(20), 7);
        let mut fired = Vec::new();
        while fired.is_empty() {
            r.poll(None, &mut fired).unwrap();
        }
        assert_eq!(fired, vec![7]);
        assert!(start.elapsed() >= Duration::from_millis(20));
    }

    #[test]
    fn cancelled_timers_do_not_fire() {
        let mut r = Reactor::new().unwrap();
        let id = r.add_timer(Instant::now(), 1);
        assert!(r.cancel_timer(id));
        let mut fired = Vec::new();
        r.poll(Some(Duration::ZERO), &mut fired).unwrap();
        assert!(fired.is_empty());
    }

    #[test]
    fn waker_interrupts_a_blocked_poll() {
        let mut r = Reactor::new().unwrap();
        let w = r.waker();
        let h = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(10));
            w.wake();
        });
        let mut fired = Vec::new();
        r.poll(Some(Duration::from_secs(5)), &mut fired).unwrap();
        h.join().unwrap();
        assert!(fired.is_empty());
    }
}
