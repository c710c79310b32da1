//! The garbage-collected heap: allocation, handles and a tracing mark-sweep
//! collector.
//!
//! Why a custom collector rather than reference counting or `gc-arena`:
//! Weft programs create cycles all the time (an instance pointing at its
//! parent, closures capturing themselves, tasks referring to channels that
//! refer back to them) and servers run for weeks, so cycles must be reclaimed.
//! A plain mark-sweep over our own allocations is small, has no per-access
//! cost (handles are `Copy` pointers, so the dispatch loop does no
//! reference-count traffic) and gives us exact control over *when* collection
//! happens. `gc-arena` would give the same safety through lifetimes, but its
//! branded lifetimes would have to thread through every VM, scheduler and
//! native-function signature.
//!
//! The safety rule that replaces those lifetimes: **collection only happens at
//! VM safepoints** (call instructions and loop back-edges), where every live
//! value is reachable from the roots the VM reports (task stacks, frames,
//! module globals, runtime tables). Allocation itself never collects, so Rust
//! code may hold [`Gc`] handles freely while it runs; it must not keep them in
//! Rust locals *across* a safepoint without storing them somewhere traced.
//! [`Heap::collect`] is an `unsafe fn` for that reason: safe code (natives
//! included, which see the heap) can only *request* a collection, which the
//! VM performs at its next safepoint.
//!
//! Marking uses an explicit gray stack, so a list nested a million levels deep
//! does not overflow the Rust stack.
//!
//! Finalization: sweeping drops an unreachable object, so an object that owns
//! an OS resource releases it in its `Drop` — a conn or listener deregisters
//! its descriptor from the poller and closes it (`reactor::source::Source`),
//! a child process is reaped once it exits. Such a `Drop` must not touch
//! other heap objects (they may be freed in the same sweep).

use std::cell::Cell;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::ptr::NonNull;

/// Implemented by every type stored on the heap: reports the handles it holds.
pub trait Trace {
    /// Calls `tracer.mark` on every [`Gc`] handle (or `Value`) this object holds.
    fn trace(&self, tracer: &mut Tracer);

    /// Bytes owned outside the object itself (vector buffers, string text),
    /// for `runtime.heap_bytes()` and the collection threshold.
    fn extra_bytes(&self) -> usize {
        0
    }
}

/// The allocation header in front of every heap object.
pub struct GcBox<T: ?Sized> {
    marked: Cell<bool>,
    value: T,
}

/// A handle to a heap object. Copying it is free; it stays valid while the
/// object is reachable from the roots at every collection.
pub struct Gc<T: ?Sized + 'static> {
    ptr: NonNull<GcBox<T>>,
}

impl<T: ?Sized> Clone for Gc<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: ?Sized> Copy for Gc<T> {}

impl<T: ?Sized> Deref for Gc<T> {
    type Target = T;

    #[inline(always)]
    fn deref(&self) -> &T {
        // SAFETY: the object is alive: handles are only dereferenced while
        // the object is reachable, and objects are freed only by `collect`,
        // which runs at safepoints after marking everything reachable.
        unsafe { &self.ptr.as_ref().value }
    }
}

impl<T: ?Sized> Gc<T> {
    /// Identity comparison.
    #[inline]
    pub fn ptr_eq(a: Gc<T>, b: Gc<T>) -> bool {
        std::ptr::addr_eq(a.ptr.as_ptr(), b.ptr.as_ptr())
    }

    /// The address, for identity hashing and cycle detection.
    #[inline]
    pub fn addr(self) -> usize {
        self.ptr.as_ptr() as *const () as usize
    }
}

impl<T: ?Sized> PartialEq for Gc<T> {
    fn eq(&self, other: &Self) -> bool {
        Gc::ptr_eq(*self, *other)
    }
}

impl<T: ?Sized> Eq for Gc<T> {}

impl<T: ?Sized> Hash for Gc<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.addr().hash(state)
    }
}

impl<T: ?Sized> fmt::Debug for Gc<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Gc({:#x})", self.addr())
    }
}

/// Collects the handles reachable from the roots during the mark phase.
pub struct Tracer {
    gray: Vec<NonNull<GcBox<dyn Trace>>>,
}

impl Tracer {
    /// Marks an object and queues it for tracing if it was not marked yet.
    #[inline]
    pub fn mark<T: Trace + 'static>(&mut self, gc: Gc<T>) {
        // SAFETY: `gc` is a live handle (see `Gc::deref`).
        let header = unsafe { gc.ptr.as_ref() };
        if !header.marked.get() {
            header.marked.set(true);
            self.gray.push(gc.ptr as NonNull<GcBox<dyn Trace>>);
        }
    }
}

/// Statistics of the most recent collection.
#[derive(Clone, Copy, Debug, Default)]
pub struct GcStats {
    pub collections: u64,
    pub live_objects: usize,
    pub live_bytes: usize,
}

/// Every object the program has allocated, and the bookkeeping that decides
/// when to collect.
pub struct Heap {
    objects: Vec<NonNull<GcBox<dyn Trace>>>,
    /// Estimated bytes allocated since the last collection plus the live bytes
    /// found by it.
    bytes: usize,
    /// Collect when `bytes` passes this.
    threshold: usize,
    stats: GcStats,
    /// Set when `bytes` passes `threshold`; the VM checks it at safepoints.
    pending: bool,
    /// The most live bytes a collection may leave before the program is
    /// told it is out of memory (see [`Heap::over_limit`]); `None`: no limit.
    limit: Option<usize>,
}

const MIN_THRESHOLD: usize = 4 << 20;

/// The process's address-space limit, when one is set.
#[cfg(unix)]
fn address_space_limit() -> Option<usize> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `getrlimit` writes one `rlimit` through a valid pointer.
    let ok = unsafe { libc::getrlimit(libc::RLIMIT_AS, &mut limit) } == 0;
    (ok && limit.rlim_cur != libc::RLIM_INFINITY)
        .then(|| usize::try_from(limit.rlim_cur).unwrap_or(usize::MAX))
}

#[cfg(not(unix))]
fn address_space_limit() -> Option<usize> {
    None
}

impl Default for Heap {
    fn default() -> Self {
        Heap::new()
    }
}

impl Heap {
    pub fn new() -> Heap {
        Heap {
            objects: Vec::new(),
            bytes: 0,
            threshold: MIN_THRESHOLD,
            stats: GcStats::default(),
            pending: false,
            limit: None,
        }
    }

    /// A heap whose live size is limited to a share of the process's
    /// address-space limit (`ulimit -v`, a container, a fuzzer), when one is
    /// set: past it the program gets a catchable error instead of the
    /// process being killed by a failed allocation. A quarter leaves room
    /// for what the heap's byte count does not see (allocator overhead,
    /// spare capacity, the collector's own work list) and for one large
    /// object being copied.
    pub fn limited_by_address_space() -> Heap {
        let mut heap = Heap::new();
        heap.limit = address_space_limit().map(|bytes| bytes / 4);
        heap
    }

    /// Whether the last collection left more live bytes than the limit.
    pub fn over_limit(&self) -> Option<(usize, usize)> {
        let limit = self.limit?;
        (self.stats.live_bytes > limit).then_some((self.stats.live_bytes, limit))
    }

    /// Moves `value` onto the heap. Never collects.
    #[inline]
    pub fn alloc<T: Trace + 'static>(&mut self, value: T) -> Gc<T> {
        let size = std::mem::size_of::<GcBox<T>>() + value.extra_bytes();
        let boxed = Box::new(GcBox {
            marked: Cell::new(false),
            value,
        });
        let ptr = NonNull::from(Box::leak(boxed));
        self.objects.push(ptr as NonNull<GcBox<dyn Trace>>);
        self.account(size);
        Gc { ptr }
    }

    /// Records `bytes` of growth in an existing object (a list gaining
    /// elements), so that programs that only grow containers still collect.
    #[inline]
    pub fn account(&mut self, bytes: usize) {
        self.bytes += bytes;
        if self.bytes > self.threshold {
            self.pending = true;
        }
    }

    /// Whether the VM should collect at its next safepoint.
    #[inline(always)]
    pub fn wants_collection(&self) -> bool {
        // The `gc-stress` feature collects at every safepoint, to flush out
        // rooting bugs.
        self.pending || cfg!(feature = "gc-stress")
    }

    /// Asks for a collection at the next safepoint (`runtime.gc()`).
    pub fn request_collection(&mut self) {
        self.pending = true;
    }

    /// Marks everything reachable from `roots`, then frees the rest.
    ///
    /// # Safety
    ///
    /// Every [`Gc`] handle that is dereferenced after this call must point
    /// to an object reachable from what `roots` marks: the objects of all
    /// other handles are freed. Only the VM's safepoint
    /// (`Vm::collect_garbage`) knows all the roots, so it is the only
    /// caller; everyone else asks for a collection with
    /// [`Heap::request_collection`].
    pub unsafe fn collect(&mut self, roots: impl FnOnce(&mut Tracer)) {
        // Each object is pushed at most once: room for all of them up front
        // means marking a huge heap never grows this list (an allocation
        // that could fail, with no way back, halfway through marking).
        let mut gray = Vec::new();
        let _ = gray.try_reserve_exact(self.objects.len());
        let mut tracer = Tracer { gray };
        roots(&mut tracer);
        while let Some(ptr) = tracer.gray.pop() {
            // SAFETY: gray objects were reached from live handles.
            unsafe { ptr.as_ref().value.trace(&mut tracer) };
        }
        let mut live_bytes = 0;
        self.objects.retain(|&ptr| {
            // SAFETY: every pointer in `objects` is a live allocation made by
            // `alloc` and not yet freed.
            let header = unsafe { ptr.as_ref() };
            if header.marked.get() {
                header.marked.set(false);
                live_bytes += std::mem::size_of_val(header) + header.value.extra_bytes();
                true
            } else {
                // SAFETY: unreachable, so no live handle points at it; it was
                // created by `Box::leak` in `alloc`.
                drop(unsafe { Box::from_raw(ptr.as_ptr()) });
                false
            }
        });
        self.stats.collections += 1;
        self.stats.live_objects = self.objects.len();
        self.stats.live_bytes = live_bytes;
        self.bytes = live_bytes;
        self.threshold = (live_bytes * 2).max(MIN_THRESHOLD);
        if let Some(limit) = self.limit {
            // Near the limit, collect before passing it rather than after.
            self.threshold = self.threshold.min(limit.max(live_bytes + MIN_THRESHOLD));
        }
        self.pending = false;
    }

    /// The current size of every object on the heap, in bytes.
    pub fn heap_bytes(&self) -> usize {
        self.objects
            .iter()
            .map(|ptr| {
                // SAFETY: as in `collect`.
                let header = unsafe { ptr.as_ref() };
                std::mem::size_of_val(header) + header.value.extra_bytes()
            })
            .sum()
    }

    pub fn object_count(&self) -> usize {
        self.objects.len()
    }

    pub fn stats(&self) -> GcStats {
        self.stats
    }
}

impl Drop for Heap {
    fn drop(&mut self) {
        for ptr in self.objects.drain(..) {
            // SAFETY: the heap owns every object; nothing uses them after this.
            drop(unsafe { Box::from_raw(ptr.as_ptr()) });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    struct Node {
        next: RefCell<Option<Gc<Node>>>,
        payload: Vec<u8>,
    }

    impl Trace for Node {
        fn trace(&self, t: &mut Tracer) {
            if let Some(n) = *self.next.borrow() {
                t.mark(n);
            }
        }
        fn extra_bytes(&self) -> usize {
            self.payload.capacity()
        }
    }

    fn node(heap: &mut Heap) -> Gc<Node> {
        heap.alloc(Node {
            next: RefCell::new(None),
            payload: vec![0; 100],
        })
    }

    #[test]
    fn unreachable_cycles_are_freed() {
        let mut heap = Heap::new();
        let root = node(&mut heap);
        for _ in 0..1000 {
            let a = node(&mut heap);
            let b = node(&mut heap);
            *a.next.borrow_mut() = Some(b);
            *b.next.borrow_mut() = Some(a);
        }
        assert_eq!(heap.object_count(), 2001);
        // SAFETY: only `root` is used afterwards.
        unsafe { heap.collect(|t| t.mark(root)) };
        assert_eq!(heap.object_count(), 1);
        assert_eq!(heap.heap_bytes(), heap.stats().live_bytes);
    }

    #[test]
    fn reachable_chain_survives_without_deep_recursion() {
        let mut heap = Heap::new();
        let head = node(&mut heap);
        let mut tail = head;
        for _ in 0..200_000 {
            let n = node(&mut heap);
            *tail.next.borrow_mut() = Some(n);
            tail = n;
        }
        // SAFETY: only `head` is used afterwards, then nothing.
        unsafe { heap.collect(|t| t.mark(head)) };
        assert_eq!(heap.object_count(), 200_001);
        // SAFETY: no handle is used afterwards.
        unsafe { heap.collect(|_| {}) };
        assert_eq!(heap.object_count(), 0);
    }

    #[test]
    fn threshold_requests_collection() {
        let mut heap = Heap::new();
        assert!(!heap.pending);
        heap.account(MIN_THRESHOLD + 1);
        assert!(heap.pending);
        // SAFETY: no handle exists.
        unsafe { heap.collect(|_| {}) };
        assert!(!heap.pending);
    }
}
