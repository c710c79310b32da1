//! The reactor: timers, I/O readiness over the `polling` crate, and the
//! completions of blocking work done on helper threads.
//!
//! It knows nothing of values, tasks or the VM: it deals in opaque `u64`
//! keys and deadlines, and the scheduler maps keys back to what is waiting.
//! Timers live in an ordered map keyed by (deadline, sequence number), so
//! timers with the same deadline fire in the order they were created.
//! I/O sources ([`source::Source`]) register a file descriptor under a key,
//! edge-triggered; each event marks the source ready in a shared table
//! until an operation finds that it would block. Work that cannot be made non-blocking (file system calls, name
//! resolution, reading stdin) runs on the [`pool`], whose results wake the
//! poller. Another thread can wake a blocked poll through [`Reactor::waker`].
//! [`stream`] and [`tls`] turn a non-blocking descriptor into a buffered
//! byte stream.

pub mod pool;
pub mod source;
pub mod stream;
pub mod tls;

use polling::{Events, Poller};
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

/// A source that became ready.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ready {
    pub key: u64,
    pub readable: bool,
    pub writable: bool,
}

pub struct Reactor {
    poller: Arc<Poller>,
    events: Events,
    timers: BTreeMap<TimerId, u64>,
    seq: u64,
    pool: pool::Pool,
    readiness: std::rc::Rc<source::Readiness>,
}

impl Reactor {
    pub fn new() -> io::Result<Reactor> {
        Ok(Reactor {
            poller: Arc::new(Poller::new()?),
            events: Events::new(),
            timers: BTreeMap::new(),
            seq: 0,
            pool: pool::Pool::default(),
            readiness: Default::default(),
        })
    }

    /// The readiness table the sources share.
    pub fn readiness(&self) -> &std::rc::Rc<source::Readiness> {
        &self.readiness
    }

    /// The poller, for registering sources.
    pub fn poller(&self) -> &Arc<Poller> {
        &self.poller
    }

    /// Runs `job` on a helper thread; its result comes back from
    /// [`Reactor::poll`] under `key`.
    pub fn submit(&mut self, key: u64, job: pool::Job) {
        let waker = self.waker();
        self.pool.submit(key, job, waker);
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

    /// Whether a helper-thread job has not reported back yet.
    pub fn jobs_pending(&self) -> bool {
        self.pool.busy()
    }

    pub fn timer_count(&self) -> usize {
        self.timers.len()
    }

    pub fn next_deadline(&self) -> Option<Instant> {
        self.timers.keys().next().map(|t| t.deadline)
    }

    /// Waits for I/O until `timeout` (or the next timer, whichever is
    /// sooner; `None` waits until something happens), then appends the keys
    /// of due timers (in deadline order) to `timers`, ready sources to
    /// `ready` and finished helper-thread jobs to `done`.
    pub fn poll(
        &mut self,
        timeout: Option<Duration>,
        timers: &mut Vec<u64>,
        ready: &mut Vec<Ready>,
        done: &mut Vec<(u64, pool::Output)>,
    ) -> io::Result<()> {
        let now = Instant::now();
        let until_timer = self
            .next_deadline()
            .map(|d| d.saturating_duration_since(now));
        let mut wait = match (timeout, until_timer) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        if self.pool.has_results() {
            wait = Some(Duration::ZERO);
        }
        self.events.clear();
        match self.poller.wait(&mut self.events, wait) {
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
        for ev in self.events.iter() {
            // Keys are made from u64s (`Source::new`): they convert back.
            let Ok(key) = u64::try_from(ev.key) else {
                continue;
            };
            if self.readiness.record(key, ev.readable, ev.writable) {
                ready.push(Ready {
                    key,
                    readable: ev.readable,
                    writable: ev.writable,
                });
            }
        }
        self.pool.take_results(done);
        self.fire_due(timers);
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
        r.poll(Some(Duration::ZERO), &mut fired, &mut vec![], &mut vec![])
            .unwrap();
        assert_eq!(fired, vec![1, 5, 3, 9]);
        assert_eq!(r.timer_count(), 0);
    }

    #[test]
    fn poll_blocks_until_the_next_timer() {
        let mut r = Reactor::new().unwrap();
        let start = Instant::now();
        r.add_timer(start + Duration::from_millis(20), 7);
        let mut fired = Vec::new();
        while fired.is_empty() {
            r.poll(None, &mut fired, &mut vec![], &mut vec![]).unwrap();
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
        r.poll(Some(Duration::ZERO), &mut fired, &mut vec![], &mut vec![])
            .unwrap();
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
        r.poll(
            Some(Duration::from_secs(5)),
            &mut fired,
            &mut vec![],
            &mut vec![],
        )
        .unwrap();
        h.join().unwrap();
        assert!(fired.is_empty());
    }
}
