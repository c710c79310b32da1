//! FIFO lists of waiters (futures queued on a channel, mutex, semaphore or
//! event; tasks awaiting a task; futures watching a task) from which a
//! waiter that gives up leaves in O(1).
//!
//! Cancelling n waiters of one object must not cost n² (a `retain` per
//! cancel did). So leaving only invalidates the waiter's [`Ticket`]; the
//! list skips entries whose ticket no longer matches when it meets them, and
//! compacts itself once such entries outnumber the live ones, so its length
//! stays within twice the live waiters (plus a small constant).
//!
//! Invariant: a waiter is enlisted in at most one list at a time, and only
//! the list holding it calls [`WaitList::remove`] for it.

use crate::gc::{Gc, Trace, Tracer};
use std::cell::Cell;
use std::collections::VecDeque;

/// A waiter's membership of a [`WaitList`]. The number only grows: odd while
/// the waiter is enlisted (the list's entry carries that number), even
/// otherwise, so an entry left behind by an earlier wait never matches again.
#[derive(Default)]
pub struct Ticket(Cell<u64>);

impl Ticket {
    pub fn is_enlisted(&self) -> bool {
        self.0.get() % 2 == 1
    }

    fn enlist(&self) -> u64 {
        let n = self.0.get();
        let n = if n % 2 == 1 { n + 2 } else { n + 1 };
        self.0.set(n);
        n
    }

    fn leave(&self) {
        if self.is_enlisted() {
            self.0.set(self.0.get() + 1);
        }
    }

    fn matches(&self, entry: u64) -> bool {
        self.0.get() == entry
    }
}

/// Something that can wait in a [`WaitList`].
pub trait Waiter: Trace + 'static {
    fn ticket(&self) -> &Ticket;
}

/// Entries that left are compacted away only past this many, so short lists
/// never bother.
const COMPACT_MIN: usize = 32;

pub struct WaitList<T: Waiter> {
    entries: VecDeque<(Gc<T>, u64)>,
    /// Entries whose waiter has left.
    stale: usize,
}

impl<T: Waiter> Default for WaitList<T> {
    fn default() -> Self {
        WaitList {
            entries: VecDeque::new(),
            stale: 0,
        }
    }
}

impl<T: Waiter> WaitList<T> {
    /// Enlists `w` at the back (it is in no other list: see the invariant).
    pub fn push_back(&mut self, w: Gc<T>) {
        let n = w.ticket().enlist();
        self.entries.push_back((w, n));
    }

    /// The first waiter still enlisted, which leaves the list.
    pub fn pop_front(&mut self) -> Option<Gc<T>> {
        while let Some((w, n)) = self.entries.pop_front() {
            if w.ticket().matches(n) {
                w.ticket().leave();
                return Some(w);
            }
            self.stale = self.stale.saturating_sub(1);
        }
        None
    }

    /// The first waiter still enlisted, left in place.
    pub fn front(&mut self) -> Option<Gc<T>> {
        while let Some(&(w, n)) = self.entries.front() {
            if w.ticket().matches(n) {
                return Some(w);
            }
            self.entries.pop_front();
            self.stale = self.stale.saturating_sub(1);
        }
        None
    }

    /// `w` gives up its place (nothing happens if it is not enlisted).
    pub fn remove(&mut self, w: Gc<T>) {
        if !w.ticket().is_enlisted() {
            return;
        }
        w.ticket().leave();
        self.stale += 1;
        if self.stale > COMPACT_MIN && self.stale * 2 > self.entries.len() {
            self.entries.retain(|(w, n)| w.ticket().matches(*n));
            self.stale = 0;
        }
    }

    /// Every waiter still enlisted, in order; the list is left empty.
    pub fn take_all(&mut self) -> Vec<Gc<T>> {
        let mut out = Vec::with_capacity(self.len());
        while let Some(w) = self.pop_front() {
            out.push(w);
        }
        self.stale = 0;
        out
    }

    /// How many waiters are enlisted.
    pub fn len(&self) -> usize {
        self.entries.len().saturating_sub(self.stale)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn trace(&self, t: &mut Tracer) {
        for (w, _) in &self.entries {
            t.mark(*w);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gc::Heap;

    struct W(Ticket);
    impl Trace for W {
        fn trace(&self, _: &mut Tracer) {}
    }
    impl Waiter for W {
        fn ticket(&self) -> &Ticket {
            &self.0
        }
    }

    #[test]
    fn leaving_keeps_order_and_skips_the_waiter() {
        let mut heap = Heap::new();
        let ws: Vec<Gc<W>> = (0..4).map(|_| heap.alloc(W(Ticket::default()))).collect();
        let mut list = WaitList::default();
        for w in &ws {
            list.push_back(*w);
        }
        list.remove(ws[1]);
        assert_eq!(list.len(), 3);
        assert!(Gc::ptr_eq(list.pop_front().unwrap(), ws[0]));
        assert!(Gc::ptr_eq(list.pop_front().unwrap(), ws[2]));
        assert_eq!(list.len(), 1);
    }

    #[test]
    fn an_old_entry_never_matches_a_new_wait() {
        let mut heap = Heap::new();
        let a = heap.alloc(W(Ticket::default()));
        let b = heap.alloc(W(Ticket::default()));
        let mut first = WaitList::default();
        let mut second = WaitList::default();
        first.push_back(a);
        first.remove(a);
        second.push_back(a);
        first.push_back(b);
        // `a`'s entry in `first` is stale although `a` is enlisted elsewhere.
        assert!(Gc::ptr_eq(first.pop_front().unwrap(), b));
        assert!(first.pop_front().is_none());
        assert!(Gc::ptr_eq(second.pop_front().unwrap(), a));
    }

    #[test]
    fn many_leavers_are_compacted() {
        let mut heap = Heap::new();
        let ws: Vec<Gc<W>> = (0..1000)
            .map(|_| heap.alloc(W(Ticket::default())))
            .collect();
        let mut list = WaitList::default();
        for w in &ws {
            list.push_back(*w);
        }
        for w in &ws[..990] {
            list.remove(*w);
        }
        assert_eq!(list.len(), 10);
        assert!(list.entries.len() <= 2 * 10 + COMPACT_MIN + 1);
        assert_eq!(list.take_all().len(), 10);
        assert!(list.is_empty());
    }
}
