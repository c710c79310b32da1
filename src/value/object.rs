//! The heap object kinds behind [`Value`](super::Value)'s handle variants,
//! with their tracing.

use super::map::{Map, MapCursor};
use super::shape::{Shape, SiteCache};
use super::trace::StackTrace;
use super::Value;
use crate::bytecode::{FnProto, ModuleProto, Symbol};
use crate::gc::{Gc, Trace, Tracer};
use rustc_hash::FxHasher;
use std::cell::{Cell, OnceCell, RefCell};
use std::hash::{Hash, Hasher};
use std::ptr::NonNull;
use std::rc::Rc;

/// An immutable string with its character count (indexing counts
/// characters; ASCII strings index in O(1)) and its hash, computed on
/// first use.
///
/// A string built by `+` from a long string keeps its bytes in an
/// [`AppendBuf`] with room to spare, shared with the string it extends:
/// `s = s + piece` in a loop then appends in place, amortised O(1), rather
/// than copying `s` each time.
pub struct Str {
    text: Text,
    /// The hash of the bytes; 0 until computed (a real 0 is stored as 1).
    hash: Cell<u64>,
    chars: usize,
}

enum Text {
    Owned(Box<str>),
    /// The first `len` bytes of `buf`.
    Appended {
        buf: Rc<AppendBuf>,
        len: usize,
    },
}

/// Concatenations whose result is at least this long get a buffer with room
/// to grow (shorter ones are copied exactly).
const APPEND_MIN: usize = 256;

/// Bytes written once, at the end, and never changed or moved: each string
/// sharing the buffer reads only its own prefix, and appending writes only
/// past every prefix, so no string ever sees its bytes change.
pub struct AppendBuf {
    ptr: *mut u8,
    cap: usize,
    /// Bytes written so far; only the string ending here may append.
    used: Cell<usize>,
}

impl AppendBuf {
    /// A buffer of `cap` bytes holding `a` then `b` (`a.len() + b.len() <=
    /// cap`); `None` if the memory cannot be had.
    fn new(cap: usize, a: &str, b: &str) -> Option<AppendBuf> {
        let mut v: Vec<u8> = Vec::new();
        v.try_reserve_exact(cap).ok()?;
        v.extend_from_slice(a.as_bytes());
        v.extend_from_slice(b.as_bytes());
        let used = v.len();
        let mut v = std::mem::ManuallyDrop::new(v);
        Some(AppendBuf {
            ptr: v.as_mut_ptr(),
            cap: v.capacity(),
            used: Cell::new(used),
        })
    }
}

impl Drop for AppendBuf {
    fn drop(&mut self) {
        // SAFETY: `ptr` and `cap` come from a `Vec<u8>` that was never
        // freed; bytes need no dropping, so a length of 0 is fine.
        unsafe { drop(Vec::from_raw_parts(self.ptr, 0, self.cap)) }
    }
}

impl Str {
    pub fn new(text: impl Into<Box<str>>) -> Str {
        let text = text.into();
        let chars = if text.is_ascii() {
            text.len()
        } else {
            text.chars().count()
        };
        Str {
            text: Text::Owned(text),
            hash: Cell::new(0),
            chars,
        }
    }

    /// `a + b`, appending to `a`'s buffer in place when `a` ends it and it
    /// has room. A string past the object size cap is a `ValueError`.
    pub fn concat(a: &Str, b: &Str) -> super::NResult<Str> {
        let (x, y) = (a.as_str(), b.as_str());
        let total = x.len().saturating_add(y.len());
        super::limit::check_size(total, 1, "string")?;
        let chars = a.chars + b.chars;
        if let Text::Appended { buf, len } = &a.text {
            if *len == buf.used.get() && buf.cap - len >= y.len() {
                // SAFETY: bytes `len..len + y.len()` are inside the
                // allocation and past every string's prefix, so nothing
                // reads them yet; `y` lies in another allocation or in this
                // buffer's first `used` bytes, which do not overlap them.
                unsafe { std::ptr::copy_nonoverlapping(y.as_ptr(), buf.ptr.add(*len), y.len()) };
                buf.used.set(total);
                return Ok(Str {
                    text: Text::Appended {
                        buf: buf.clone(),
                        len: total,
                    },
                    hash: Cell::new(0),
                    chars,
                });
            }
        }
        if total >= APPEND_MIN {
            let roomy = total
                .saturating_mul(2)
                .min(super::limit::MAX_OBJECT_BYTES.max(total));
            if let Some(buf) = AppendBuf::new(roomy, x, y).or_else(|| AppendBuf::new(total, x, y)) {
                return Ok(Str {
                    text: Text::Appended {
                        buf: Rc::new(buf),
                        len: total,
                    },
                    hash: Cell::new(0),
                    chars,
                });
            }
        }
        let mut s = super::limit::string_with_capacity(total, "string")?;
        s.push_str(x);
        s.push_str(y);
        Ok(Str {
            text: Text::Owned(s.into()),
            hash: Cell::new(0),
            chars,
        })
    }

    #[inline]
    pub fn as_str(&self) -> &str {
        match &self.text {
            Text::Owned(s) => s,
            // SAFETY: the first `len` bytes of the buffer were written from
            // valid UTF-8 (whole strings, one after another) and are never
            // changed or freed while this string holds the buffer.
            Text::Appended { buf, len } => unsafe {
                std::str::from_utf8_unchecked(std::slice::from_raw_parts(buf.ptr, *len))
            },
        }
    }

    #[inline]
    pub fn hash_code(&self) -> u64 {
        match self.hash.get() {
            0 => {
                let mut h = FxHasher::default();
                self.as_str().as_bytes().hash(&mut h);
                let code = h.finish().max(1);
                self.hash.set(code);
                code
            }
            code => code,
        }
    }

    /// Length in characters.
    #[inline]
    pub fn char_len(&self) -> usize {
        self.chars
    }

    #[inline]
    pub fn is_ascii(&self) -> bool {
        self.chars == self.as_str().len()
    }

    /// Byte offset of character `i` (`i <= char_len`).
    pub fn byte_offset(&self, i: usize) -> usize {
        let text = self.as_str();
        if self.is_ascii() {
            i
        } else {
            text.char_indices()
                .nth(i)
                .map(|(b, _)| b)
                .unwrap_or(text.len())
        }
    }

    /// Characters `start..end` (clamped by the caller).
    pub fn char_slice(&self, start: usize, end: usize) -> &str {
        let text = self.as_str();
        let a = self.byte_offset(start);
        let b = if self.is_ascii() {
            end
        } else {
            a + text[a..]
                .char_indices()
                .nth(end - start)
                .map(|(b, _)| b)
                .unwrap_or(text.len() - a)
        };
        &text[a..b]
    }
}

impl Trace for Str {
    fn trace(&self, _: &mut Tracer) {}
    fn extra_bytes(&self) -> usize {
        self.as_str().len()
    }
}

/// An immutable byte string.
pub struct Bytes {
    pub data: Box<[u8]>,
}

impl Trace for Bytes {
    fn trace(&self, _: &mut Tracer) {}
    fn extra_bytes(&self) -> usize {
        self.data.len()
    }
}

pub struct List {
    pub items: RefCell<Vec<Value>>,
}

impl List {
    pub fn new(items: Vec<Value>) -> List {
        List {
            items: RefCell::new(items),
        }
    }
}

impl Trace for List {
    fn trace(&self, t: &mut Tracer) {
        for v in self.items.borrow().iter() {
            v.trace(t);
        }
    }
    fn extra_bytes(&self) -> usize {
        self.items.borrow().capacity() * std::mem::size_of::<Value>()
    }
}

/// A map key: the hashable kinds of value, compared by content.
#[derive(Clone, Copy, Debug)]
pub enum Key {
    Bool(bool),
    Int(i64),
    Str(Gc<Str>),
    Bytes(Gc<Bytes>),
}

impl Key {
    pub fn to_value(self) -> Value {
        match self {
            Key::Bool(b) => Value::Bool(b),
            Key::Int(n) => Value::Int(n),
            Key::Str(s) => Value::Str(s),
            Key::Bytes(b) => Value::Bytes(b),
        }
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        match (self, other) {
            (Key::Bool(a), Key::Bool(b)) => a == b,
            (Key::Int(a), Key::Int(b)) => a == b,
            (Key::Str(a), Key::Str(b)) => {
                Gc::ptr_eq(*a, *b) || (a.hash_code() == b.hash_code() && a.as_str() == b.as_str())
            }
            (Key::Bytes(a), Key::Bytes(b)) => a.data == b.data,
            _ => false,
        }
    }
}

impl Eq for Key {}

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self {
            Key::Bool(b) => state.write_u8(*b as u8),
            Key::Int(n) => state.write_i64(*n),
            Key::Str(s) => state.write_u64(s.hash_code()),
            Key::Bytes(b) => b.data.hash(state),
        }
    }
}

/// `a..b`, `a..=b` or `range(a, b, step)`.
pub struct Range {
    pub start: i64,
    pub end: i64,
    pub step: i64,
    pub inclusive: bool,
}

impl Range {
    /// The values of the range, lazily.
    pub fn iter(&self) -> impl Iterator<Item = i64> {
        let (start, step) = (self.start, self.step);
        let end = self.end;
        let inclusive = self.inclusive;
        let mut next = Some(start);
        std::iter::from_fn(move || {
            let cur = next?;
            let more = if step > 0 {
                cur < end || (inclusive && cur == end)
            } else {
                cur > end || (inclusive && cur == end)
            };
            if !more {
                next = None;
                return None;
            }
            next = cur.checked_add(step);
            Some(cur)
        })
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The number of values: up to 2^64 (`MIN..=MAX`), more than an int
    /// or a `usize` can hold.
    pub fn len(&self) -> u128 {
        let (s, e, st) = (self.start as i128, self.end as i128, self.step as i128);
        let e = if self.inclusive { e + st.signum() } else { e };
        let n = if st > 0 {
            (e - s + st - 1) / st
        } else {
            (s - e - st - 1) / -st
        };
        u128::try_from(n).unwrap_or(0)
    }
}

impl Trace for Range {
    fn trace(&self, _: &mut Tracer) {}
}

/// A captured variable, shared by the frames and closures that use it.
pub struct UpCell {
    pub value: Cell<Value>,
}

impl Trace for UpCell {
    fn trace(&self, t: &mut Tracer) {
        self.value.get().trace(t);
    }
}

/// The run-time form of a compiled function: its code plus constants
/// turned into values and the module whose globals it uses.
pub struct Proto {
    pub code: Rc<FnProto>,
    /// `code`'s instructions, one load away from the closure: the dispatch
    /// loop reads them on every call and return. They belong to `code`,
    /// which this prototype holds and which never changes.
    pub ops: *const [crate::bytecode::Op],
    /// The argument count of the fast call path (a plain function with
    /// neither defaults nor `...rest` takes exactly its parameters), or
    /// `u8::MAX` when every call goes through the general path.
    pub fast_arity: u8,
    pub consts: Box<[Value]>,
    pub protos: Box<[Gc<Proto>]>,
    pub module: Gc<Module>,
    /// Inline caches of the field and method sites (`Site` operands).
    pub sites: Box<[SiteCache]>,
}

impl Trace for Proto {
    fn trace(&self, t: &mut Tracer) {
        for site in self.sites.iter() {
            site.method.get().trace(t);
        }
        for c in self.consts.iter() {
            c.trace(t);
        }
        for p in self.protos.iter() {
            t.mark(*p);
        }
        t.mark(self.module);
    }
}

pub struct Closure {
    pub proto: Gc<Proto>,
    pub upvals: Box<[Gc<UpCell>]>,
}

impl Trace for Closure {
    fn trace(&self, t: &mut Tracer) {
        t.mark(self.proto);
        for u in self.upvals.iter() {
            t.mark(*u);
        }
    }
}

/// A method (or any callable) bound to the receiver it was read from.
pub struct BoundMethod {
    pub receiver: Value,
    pub method: Value,
}

impl Trace for BoundMethod {
    fn trace(&self, t: &mut Tracer) {
        self.receiver.trace(t);
        self.method.trace(t);
    }
}

pub struct Class {
    pub name: Rc<str>,
    pub superclass: Option<Gc<Class>>,
    /// Own and inherited methods (inherited ones are copied in when the class
    /// is created, so a lookup is one hash probe).
    pub methods: RefCell<rustc_hash::FxHashMap<Symbol, Value>>,
    /// `Error` or one of its subclasses: displayed as `Name: message`.
    pub is_error: bool,
    /// The root of the class's shape tree (its instances' field layouts).
    pub shapes: Rc<Shape>,
    /// The most fields an instance of the class has had (up to 16).
    pub field_hint: Cell<usize>,
}

impl Class {
    pub fn new(
        name: Rc<str>,
        superclass: Option<Gc<Class>>,
        methods: rustc_hash::FxHashMap<Symbol, Value>,
        is_error: bool,
    ) -> Class {
        Class {
            name,
            superclass,
            methods: RefCell::new(methods),
            is_error,
            shapes: Shape::root(),
            field_hint: Cell::new(0),
        }
    }

    pub fn method(&self, name: Symbol) -> Option<Value> {
        self.methods.borrow().get(&name).copied()
    }

    /// Whether `self` is `other` or inherits from it.
    pub fn is_subclass_of(&self, other: Gc<Class>) -> bool {
        if std::ptr::eq(self, &*other) {
            return true;
        }
        let mut cur = self.superclass;
        while let Some(c) = cur {
            if Gc::ptr_eq(c, other) {
                return true;
            }
            cur = c.superclass;
        }
        false
    }
}

impl Trace for Class {
    fn trace(&self, t: &mut Tracer) {
        if let Some(s) = self.superclass {
            t.mark(s);
        }
        for v in self.methods.borrow().values() {
            v.trace(t);
        }
    }
}

pub struct Instance {
    pub class: Gc<Class>,
    /// The names of `values`, in slot order: a shape in `class.shapes`'
    /// tree, which lives as long as the class (and so as this instance).
    shape: Cell<NonNull<Shape>>,
    /// Field values in creation order (instances print them in that order).
    values: RefCell<Vec<Value>>,
    /// For thrown errors: where the error was first thrown.
    pub origin: OnceCell<StackTrace>,
}

impl Instance {
    pub fn new(class: Gc<Class>) -> Instance {
        let root = NonNull::from(&*class.shapes);
        Instance {
            class,
            shape: Cell::new(root),
            // As many fields as the class's instances have had so far, so
            // that `init` fills the vector without growing it.
            values: RefCell::new(Vec::with_capacity(class.field_hint.get())),
            origin: OnceCell::new(),
        }
    }

    #[inline]
    pub fn shape(&self) -> &Shape {
        // SAFETY: shapes live in the class's tree, and the class outlives
        // the instance (`self.class` keeps it).
        unsafe { self.shape.get().as_ref() }
    }

    #[inline]
    pub fn get(&self, name: Symbol) -> Option<Value> {
        let slot = self.shape().slot(name)?;
        self.values.borrow().get(slot).copied()
    }

    /// The value in `slot`, which a cache found for this instance's shape.
    #[inline]
    pub fn get_slot(&self, slot: usize) -> Option<Value> {
        self.values.borrow().get(slot).map(Value::copy_words)
    }

    /// Stores into `slot`, which a cache found for this instance's shape.
    #[inline]
    pub fn set_slot(&self, slot: usize, value: Value) {
        if let Some(v) = self.values.borrow_mut().get_mut(slot) {
            *v = value;
        }
    }

    /// Sets field `name`, adding it (and moving to the next shape) when new.
    #[inline]
    pub fn set(&self, name: Symbol, value: Value) {
        match self.shape().slot(name) {
            Some(slot) => self.set_slot(slot, value),
            None => {
                let next = self.shape().adding(name);
                // SAFETY: `adding` returns this shape's successor for `name`.
                unsafe { self.add_field(next, value) };
            }
        }
    }

    /// Appends a field's value and moves to shape `next`.
    ///
    /// # Safety
    ///
    /// `next` must be the current shape's successor for that field, from
    /// the tree of this instance's class.
    #[inline]
    pub unsafe fn add_field(&self, next: *const Shape, value: Value) {
        let mut values = self.values.borrow_mut();
        values.push(value);
        // Capped: one instance used as a bag of many fields should not make
        // every later instance reserve room for them.
        let fields = values.len().min(16);
        if fields > self.class.field_hint.get() {
            self.class.field_hint.set(fields);
        }
        if let Some(next) = NonNull::new(next.cast_mut()) {
            self.shape.set(next);
        }
    }

    /// The fields, in creation order.
    pub fn fields(&self) -> Vec<(Symbol, Value)> {
        let names = self.shape().names();
        names
            .iter()
            .copied()
            .zip(self.values.borrow().iter().copied())
            .collect()
    }
}

impl Trace for Instance {
    fn trace(&self, t: &mut Tracer) {
        t.mark(self.class);
        for v in self.values.borrow().iter() {
            v.trace(t);
        }
    }
    fn extra_bytes(&self) -> usize {
        self.values.borrow().capacity() * std::mem::size_of::<Value>()
            + self.origin.get().map_or(0, StackTrace::bytes)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModuleState {
    /// Imported but its body has not run.
    Fresh,
    /// Its body is running.
    Running,
    Done,
}

/// A module: its top-level variables and their names.
pub struct Module {
    pub name: Rc<str>,
    pub globals: RefCell<Vec<Value>>,
    /// Export name → global slot.
    pub names: RefCell<rustc_hash::FxHashMap<Symbol, u32>>,
    pub state: Cell<ModuleState>,
    /// The compiled module (absent for native modules).
    pub proto: Option<Rc<ModuleProto>>,
    /// The closure that runs the module body on first import.
    pub init: Cell<Option<Gc<Closure>>>,
}

impl Module {
    pub fn get(&self, name: Symbol) -> Option<Value> {
        let slot = *self.names.borrow().get(&name)?;
        let v = self.globals.borrow()[slot as usize];
        (!matches!(v, Value::Undef)).then_some(v)
    }
}

impl Trace for Module {
    fn trace(&self, t: &mut Tracer) {
        for v in self.globals.borrow().iter() {
            v.trace(t);
        }
        if let Some(c) = self.init.get() {
            t.mark(c);
        }
    }
}

/// The state of a `for` loop over a built-in iterable.
pub enum IterState {
    List {
        list: Gc<List>,
        index: usize,
    },
    Str {
        text: Gc<Str>,
        byte: usize,
    },
    Bytes {
        bytes: Gc<Bytes>,
        index: usize,
    },
    /// The cursor keeps its place while the loop changes the map.
    Map {
        map: Gc<Map>,
        cursor: MapCursor,
    },
    Range {
        next: i64,
        end: i64,
        step: i64,
        inclusive: bool,
        done: bool,
    },
    /// Not an iterator: the marker `Op::IterPrep` keeps on the stack below
    /// an instance whose `iter()` it calls, so that `Op::GetIter` can tell
    /// an `iter()` that returned its own instance, and count a chain of
    /// instances returning instances (LANGUAGE.md §13).
    IterChain {
        /// The receiver of the `iter()` call in progress.
        receiver: Gc<Instance>,
        /// `iter()` calls made so far.
        calls: u32,
    },
}

pub struct Iter {
    pub state: RefCell<IterState>,
}

impl Trace for Iter {
    fn trace(&self, t: &mut Tracer) {
        match &*self.state.borrow() {
            IterState::List { list, .. } => t.mark(*list),
            IterState::Str { text, .. } => t.mark(*text),
            IterState::Bytes { bytes, .. } => t.mark(*bytes),
            IterState::Map { map, .. } => t.mark(*map),
            IterState::Range { .. } => {}
            IterState::IterChain { receiver, .. } => t.mark(*receiver),
        }
    }
}

#[cfg(test)]
mod str_tests {
    use super::*;

    fn cat(a: &Str, b: &str) -> Str {
        Str::concat(a, &Str::new(b)).expect("fits")
    }

    #[test]
    fn long_strings_append_in_place_and_every_prefix_stays_intact() {
        let long = "é".repeat(200);
        let mut s = Str::new(long.as_str());
        let mut expected = long.clone();
        let mut kept = Vec::new();
        for i in 0..2000 {
            let piece = format!("<{i}>");
            s = cat(&s, &piece);
            expected.push_str(&piece);
            if i % 97 == 0 {
                kept.push((Str::concat(&s, &Str::new("")).unwrap(), expected.clone()));
            }
        }
        assert_eq!(s.as_str(), expected);
        assert_eq!(s.char_len(), expected.chars().count());
        assert!(matches!(s.text, Text::Appended { .. }));
        for (k, text) in &kept {
            assert_eq!(k.as_str(), text.as_str());
        }
        // Two strings extending the same one: the second cannot append in
        // place (the first already did), so it copies.
        let base = cat(&Str::new("x".repeat(300)), "!");
        let a = cat(&base, "a");
        let b = cat(&base, "b");
        assert!(a.as_str().ends_with("!a") && b.as_str().ends_with("!b"));
        assert_eq!(base.as_str().len(), 301);
        // A string appended to itself.
        let twice = Str::concat(&base, &base).unwrap();
        assert_eq!(
            twice.as_str(),
            format!("{}{}", base.as_str(), base.as_str())
        );
        // Equal text, equal hash, whatever the representation.
        let plain = Str::new(twice.as_str());
        assert_eq!(plain.hash_code(), twice.hash_code());
        assert_ne!(plain.hash_code(), 0);
    }

    #[test]
    fn short_concatenations_are_exact_copies() {
        let s = cat(&Str::new("ab"), "cd");
        assert!(matches!(s.text, Text::Owned(_)));
        assert_eq!((s.as_str(), s.char_len()), ("abcd", 4));
    }
}
