//! Helper threads for work that has no non-blocking form: file system
//! calls, name resolution, reading stdin. A job runs on an idle thread (a
//! new one is started when all are busy, up to [`MAX_THREADS`]); its
//! result is queued with its key and the poller is woken, so the scheduler
//! thread never blocks on a slow disk or a DNS server.

use super::Waker;
use std::any::Any;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};

/// What a job produced; the scheduler downcasts it to the type its job
/// returns.
pub type Output = Box<dyn Any + Send>;

/// Work for a helper thread.
pub type Job = Box<dyn FnOnce() -> Output + Send>;

/// Threads beyond this queue their jobs until one is free.
pub const MAX_THREADS: usize = 16;

struct Shared {
    results: Mutex<Vec<(u64, Output)>>,
    /// Threads waiting for a job.
    idle: Mutex<usize>,
}

pub struct Pool {
    sender: Option<Sender<(u64, Job, Waker)>>,
    receiver: Arc<Mutex<Receiver<(u64, Job, Waker)>>>,
    shared: Arc<Shared>,
    threads: usize,
    /// Jobs submitted whose results have not been taken.
    in_flight: usize,
}

impl Default for Pool {
    fn default() -> Self {
        let (tx, rx) = channel();
        Pool {
            sender: Some(tx),
            receiver: Arc::new(Mutex::new(rx)),
            shared: Arc::new(Shared {
                results: Mutex::new(Vec::new()),
                idle: Mutex::new(0),
            }),
            threads: 0,
            in_flight: 0,
        }
    }
}

impl Pool {
    pub fn submit(&mut self, key: u64, job: Job, waker: Waker) {
        let idle = *self.shared.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle == 0 && self.threads < MAX_THREADS {
            self.start_thread();
        }
        self.in_flight += 1;
        if let Some(tx) = &self.sender {
            // The receiver lives as long as the pool: sending cannot fail.
            let _ = tx.send((key, job, waker));
        }
    }

    fn start_thread(&mut self) {
        let receiver = self.receiver.clone();
        let shared = self.shared.clone();
        let spawned = std::thread::Builder::new()
            .name("weft-pool".into())
            .stack_size(256 << 10)
            .spawn(move || loop {
                *shared.idle.lock().unwrap_or_else(|e| e.into_inner()) += 1;
                let next = receiver.lock().unwrap_or_else(|e| e.into_inner()).recv();
                *shared.idle.lock().unwrap_or_else(|e| e.into_inner()) -= 1;
                let Ok((key, job, waker)) = next else { return };
                let out = job();
                shared
                    .results
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push((key, out));
                waker.wake();
            });
        if spawned.is_ok() {
            self.threads += 1;
        }
    }

    /// Whether a finished job waits to be taken.
    pub fn has_results(&self) -> bool {
        self.in_flight > 0
            && !self
                .shared
                .results
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .is_empty()
    }

    /// Whether a job is still running or waits to be taken.
    pub fn busy(&self) -> bool {
        self.in_flight > 0
    }

    pub fn take_results(&mut self, out: &mut Vec<(u64, Output)>) {
        if self.in_flight == 0 {
            return;
        }
        let mut results = self
            .shared
            .results
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        self.in_flight -= results.len();
        out.append(&mut results);
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        // Closing the channel ends idle threads; a thread blocked in a job
        // (a read of a terminal) is not waited for.
        self.sender = None;
    }
}

#[cfg(test)]
mod tests {
    use crate::reactor::Reactor;
    use std::time::Duration;

    #[test]
    fn results_come_back_with_their_keys_and_wake_the_poller() {
        let mut r = Reactor::new().unwrap();
        for key in 1..=5u64 {
            r.submit(key, Box::new(move || Box::new(key * 10)));
        }
        let mut done = Vec::new();
        while done.len() < 5 {
            r.poll(
                Some(Duration::from_secs(5)),
                &mut vec![],
                &mut vec![],
                &mut done,
            )
            .unwrap();
        }
        let mut got: Vec<(u64, u64)> = done
            .into_iter()
            .map(|(k, out)| (k, *out.downcast::<u64>().unwrap()))
            .collect();
        got.sort();
        assert_eq!(got, (1..=5).map(|k| (k, k * 10)).collect::<Vec<_>>());
        assert!(!r.jobs_pending());
    }
}
