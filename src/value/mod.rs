//! Values: the 16-byte [`Value`] every stack slot, field and element holds,
//! and the heap objects its handle variants point to.
//!
//! Scalars (`nil`, booleans, ints, floats) live inline; everything else is a
//! typed [`Gc`] handle, so a value is a tag plus one word and copying it never
//! touches a reference count. A few variants (`Cell`, `Iter`, `Undef`) are VM
//! internals that scripts never see.

pub mod display;
pub mod error;
pub mod fiber;
pub mod io;
pub mod limit;
pub mod map;
pub mod object;
pub mod shape;
pub mod sync;
pub mod task;
pub mod trace;
pub mod wait_list;

pub use error::{Ctrl, ErrorKind, NResult};
pub use map::{Map, MapCursor, MapTable};
pub use object::*;
pub use shape::{Shape, SiteCache};
pub use task::{
    CoState, Coroutine, Delivery, Future, FutureKind, GenState, Generator, IoOp, Outcome, Resumer,
    SyncOp, Task, TaskContext, TaskState,
};
pub use trace::{StackTrace, TraceEntry, TraceItem};

use crate::gc::{Gc, Tracer};

// Two machine words: the tag as a whole word, then the payload. 16-byte
// alignment keeps a value inside one cache line; the dispatch loop reads
// values it may have just written word by word (`copy_words`).
#[derive(Clone, Copy, Debug, Default)]
#[repr(u64, align(16))]
pub enum Value {
    #[default]
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Gc<Str>),
    Bytes(Gc<Bytes>),
    List(Gc<List>),
    Map(Gc<Map>),
    Range(Gc<Range>),
    Closure(Gc<Closure>),
    Native(&'static NativeFn),
    Bound(Gc<BoundMethod>),
    Class(Gc<Class>),
    Instance(Gc<Instance>),
    Module(Gc<Module>),
    Generator(Gc<Generator>),
    Coroutine(Gc<Coroutine>),
    Task(Gc<Task>),
    Future(Gc<Future>),
    /// A channel, mutex, semaphore or event.
    Sync(Gc<sync::SyncObj>),
    /// A listener, conn, UDP socket or child process.
    Io(Gc<io::IoObj>),
    /// A captured local's cell, stored in the local's slot (internal).
    Cell(Gc<UpCell>),
    /// A `for` loop's iterator (internal).
    Iter(Gc<Iter>),
    /// A module-level variable whose `let` has not run yet (internal).
    Undef,
}

/// The signature of a function implemented in Rust. For methods, `args[0]`
/// is the receiver. Natives never call back into script code.
pub type NativeImpl = fn(&mut crate::runtime::Runtime, &[Value]) -> NResult;

/// A built-in function or method.
pub struct NativeFn {
    pub name: &'static str,
    /// Fewest and most arguments (not counting a method's receiver);
    /// `max == u8::MAX` accepts any number.
    pub min: u8,
    pub max: u8,
    pub f: NativeImpl,
}

impl std::fmt::Debug for NativeFn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<native {}>", self.name)
    }
}

impl Value {
    /// Copies a value as two 8-byte words. A plain copy moves all 16 bytes
    /// at once, and when the value was just written as a tag and a payload
    /// (as every instruction writes an int) that wide load waits for both
    /// stores to retire instead of taking their data directly: the copy of a
    /// loop counter then costs more than the arithmetic on it.
    #[inline(always)]
    pub fn copy_words(src: &Value) -> Value {
        use std::mem::MaybeUninit;
        let from = src as *const Value as *const MaybeUninit<u64>;
        let mut out = MaybeUninit::<Value>::uninit();
        let to = out.as_mut_ptr() as *mut MaybeUninit<u64>;
        // SAFETY: `Value` is 16 bytes (two words, `repr(u64, align(16))`);
        // the words are copied as possibly-uninitialised bytes (padding), and
        // together they are the valid value they were read from. Volatile
        // keeps the two reads from being merged back into one.
        unsafe {
            to.write(std::ptr::read_volatile(from));
            to.add(1).write(std::ptr::read_volatile(from.add(1)));
            out.assume_init()
        }
    }

    /// `*dst = *src`, word by word (see [`Value::copy_words`]), for a value
    /// going straight from a stack slot into a list or field.
    #[inline(always)]
    pub fn store_words(dst: &mut Value, src: &Value) {
        use std::mem::MaybeUninit;
        let from = src as *const Value as *const MaybeUninit<u64>;
        let to = dst as *mut Value as *mut MaybeUninit<u64>;
        // SAFETY: as in `copy_words`; `dst` ends up holding the valid value
        // `src` holds (the old value is a plain copyable `Value`).
        unsafe {
            to.write(std::ptr::read_volatile(from));
            to.add(1).write(std::ptr::read_volatile(from.add(1)));
        }
    }

    #[inline(always)]
    pub fn is_truthy(self) -> bool {
        !matches!(self, Value::Nil | Value::Bool(false))
    }

    /// The name `type(x)` returns (an instance's class name is handled by the caller).
    pub fn type_name(self) -> &'static str {
        match self {
            Value::Nil => "nil",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "string",
            Value::Bytes(_) => "bytes",
            Value::List(_) => "list",
            Value::Map(_) => "map",
            Value::Range(_) => "range",
            Value::Closure(_) | Value::Native(_) | Value::Bound(_) => "function",
            Value::Class(_) => "class",
            Value::Instance(_) => "instance",
            Value::Module(_) => "module",
            Value::Generator(g) if g.is_async => "async generator",
            Value::Generator(_) => "generator",
            Value::Coroutine(_) => "coroutine",
            Value::Task(_) => "task",
            Value::Future(_) => "future",
            Value::Sync(s) => s.kind_name(),
            Value::Io(o) => o.kind_name(),
            Value::Cell(_) | Value::Iter(_) | Value::Undef => "internal",
        }
    }

    /// The map key for this value, if it may be one.
    #[inline]
    pub fn to_key(self) -> Option<Key> {
        match self {
            Value::Bool(b) => Some(Key::Bool(b)),
            Value::Int(n) => Some(Key::Int(n)),
            Value::Str(s) => Some(Key::Str(s)),
            Value::Bytes(b) => Some(Key::Bytes(b)),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s.as_str()),
            _ => None,
        }
    }

    /// Identity of heap values (for cycle detection); scalars have none.
    pub fn heap_addr(self) -> Option<usize> {
        Some(match self {
            Value::Str(g) => g.addr(),
            Value::Bytes(g) => g.addr(),
            Value::List(g) => g.addr(),
            Value::Map(g) => g.addr(),
            Value::Range(g) => g.addr(),
            Value::Closure(g) => g.addr(),
            Value::Native(n) => n as *const NativeFn as usize,
            Value::Bound(g) => g.addr(),
            Value::Class(g) => g.addr(),
            Value::Instance(g) => g.addr(),
            Value::Module(g) => g.addr(),
            Value::Generator(g) => g.addr(),
            Value::Coroutine(g) => g.addr(),
            Value::Task(g) => g.addr(),
            Value::Future(g) => g.addr(),
            Value::Sync(g) => g.addr(),
            Value::Io(g) => g.addr(),
            Value::Cell(g) => g.addr(),
            Value::Iter(g) => g.addr(),
            _ => return None,
        })
    }

    #[inline]
    pub fn trace(self, t: &mut Tracer) {
        match self {
            Value::Nil | Value::Bool(_) | Value::Int(_) | Value::Float(_) | Value::Undef => {}
            Value::Native(_) => {}
            Value::Str(g) => t.mark(g),
            Value::Bytes(g) => t.mark(g),
            Value::List(g) => t.mark(g),
            Value::Map(g) => t.mark(g),
            Value::Range(g) => t.mark(g),
            Value::Closure(g) => t.mark(g),
            Value::Bound(g) => t.mark(g),
            Value::Class(g) => t.mark(g),
            Value::Instance(g) => t.mark(g),
            Value::Module(g) => t.mark(g),
            Value::Generator(g) => t.mark(g),
            Value::Coroutine(g) => t.mark(g),
            Value::Task(g) => t.mark(g),
            Value::Future(g) => t.mark(g),
            Value::Sync(g) => t.mark(g),
            Value::Io(g) => t.mark(g),
            Value::Cell(g) => t.mark(g),
            Value::Iter(g) => t.mark(g),
        }
    }
}

/// Equality as `==` defines it: by value for scalars, strings, bytes,
/// ranges, lists and maps (element-wise, maps ignoring order); by identity
/// otherwise. Ints and floats compare numerically; other mixed types are
/// never equal. Works on cyclic and deeply nested data without recursion,
/// and allocates only to compare two distinct lists or maps.
pub fn values_equal(a: Value, b: Value) -> bool {
    match shallow_equal(a, b) {
        Some(same) => same,
        None => containers_equal(a, b),
    }
}

/// Equality of two values that are not both lists or both maps (`None`
/// when they are: their elements must be compared too).
fn shallow_equal(a: Value, b: Value) -> Option<bool> {
    Some(match (a, b) {
        (Value::Nil, Value::Nil) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::Int(x), Value::Float(y)) | (Value::Float(y), Value::Int(x)) => int_float_eq(x, y),
        (Value::Str(x), Value::Str(y)) => {
            Gc::ptr_eq(x, y) || (x.hash_code() == y.hash_code() && x.as_str() == y.as_str())
        }
        (Value::Bytes(x), Value::Bytes(y)) => x.data == y.data,
        (Value::Range(x), Value::Range(y)) => {
            x.start == y.start && x.end == y.end && x.step == y.step && x.inclusive == y.inclusive
        }
        (Value::List(x), Value::List(y)) if Gc::ptr_eq(x, y) => true,
        (Value::Map(x), Value::Map(y)) if Gc::ptr_eq(x, y) => true,
        (Value::List(_), Value::List(_)) | (Value::Map(_), Value::Map(_)) => return None,
        (Value::Native(x), Value::Native(y)) => std::ptr::eq(x, y),
        (Value::Bound(x), Value::Bound(y)) => {
            Gc::ptr_eq(x, y) || (identical(x.receiver, y.receiver) && identical(x.method, y.method))
        }
        (x, y) => match (x.heap_addr(), y.heap_addr()) {
            (Some(p), Some(q)) => p == q,
            _ => false,
        },
    })
}

/// Element-wise equality of two lists or two maps, with a work list (no
/// recursion) and a set of pairs already being compared (cycles).
fn containers_equal(a: Value, b: Value) -> bool {
    let mut work = vec![(a, b)];
    let mut seen: rustc_hash::FxHashSet<(usize, usize)> = Default::default();
    while let Some((a, b)) = work.pop() {
        let same = match (a, b) {
            (Value::List(x), Value::List(y)) => {
                if Gc::ptr_eq(x, y) || !seen.insert((x.addr(), y.addr())) {
                    continue;
                }
                let (xs, ys) = (x.items.borrow(), y.items.borrow());
                if xs.len() != ys.len() {
                    false
                } else {
                    work.extend(xs.iter().copied().zip(ys.iter().copied()));
                    true
                }
            }
            (Value::Map(x), Value::Map(y)) => {
                if Gc::ptr_eq(x, y) || !seen.insert((x.addr(), y.addr())) {
                    continue;
                }
                let (xs, ys) = (x.entries(), y.entries());
                if xs.len() != ys.len() {
                    false
                } else {
                    let mut ok = true;
                    for (k, v) in xs.iter() {
                        match ys.get(&k) {
                            Some(w) => work.push((v, w)),
                            None => {
                                ok = false;
                                break;
                            }
                        }
                    }
                    ok
                }
            }
            (x, y) => shallow_equal(x, y).unwrap_or(false),
        };
        if !same {
            return false;
        }
    }
    true
}

fn identical(a: Value, b: Value) -> bool {
    match (a.heap_addr(), b.heap_addr()) {
        (Some(p), Some(q)) => p == q,
        _ => values_equal(a, b),
    }
}

fn int_float_eq(i: i64, f: f64) -> bool {
    // Exact comparison: 2^53 + 1 is not equal to the float 2^53.
    f.fract() == 0.0
        && (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&f)
        && f as i64 == i
}
