//! Shapes (hidden classes): the field layout of an instance, and the inline
//! caches that remember one per field or method site.
//!
//! An instance keeps its field values in a plain vector and points at a
//! [`Shape`] that names them in slot order. Instances of a class that gain
//! the same fields in the same order share one shape: each class owns a
//! tree of shapes rooted at the empty one, and adding a field follows (or
//! grows) an edge of that tree. A [`SiteCache`] at a `GetField`, `SetField`
//! or `Invoke` site remembers the last shape seen there with the field's
//! slot or the method found, so the hot path is one comparison of shape ids
//! instead of a search by name.

use super::Value;
use crate::bytecode::Symbol;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Shape ids start at 1; 0 is the empty cache's key and matches nothing.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// A field layout: the names of an instance's fields, in slot order.
pub struct Shape {
    /// Unique for the life of the process, so a cache never mistakes a
    /// new shape for a dead one.
    id: u64,
    names: Box<[Symbol]>,
    /// The shapes one added field away.
    next: RefCell<Vec<Rc<Shape>>>,
}

impl Shape {
    /// The empty shape: the root of a class's tree.
    pub fn root() -> Rc<Shape> {
        Shape::with_names(Box::new([]))
    }

    fn with_names(names: Box<[Symbol]>) -> Rc<Shape> {
        Rc::new(Shape {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            names,
            next: RefCell::new(Vec::new()),
        })
    }

    pub fn id(&self) -> u64 {
        self.id
    }

    /// The cache key of a list, map or string receiver at a method site:
    /// one id per type, from the top of the range, which counted shape ids
    /// never reach. Their methods are fixed once the prelude has run.
    pub fn of_builtin(v: &Value) -> Option<u64> {
        match v {
            Value::List(_) => Some(u64::MAX),
            Value::Map(_) => Some(u64::MAX - 1),
            Value::Str(_) => Some(u64::MAX - 2),
            _ => None,
        }
    }

    pub fn names(&self) -> &[Symbol] {
        &self.names
    }

    /// The slot of field `name`.
    #[inline]
    pub fn slot(&self, name: Symbol) -> Option<usize> {
        self.names.iter().position(|&n| n == name)
    }

    /// The shape with `name` added after this one's fields. The result
    /// lives as long as this shape (its tree holds it).
    pub fn adding(&self, name: Symbol) -> *const Shape {
        let mut next = self.next.borrow_mut();
        if let Some(s) = next.iter().find(|s| s.names.last() == Some(&name)) {
            return Rc::as_ptr(s);
        }
        let mut names = Vec::with_capacity(self.names.len() + 1);
        names.extend_from_slice(&self.names);
        names.push(name);
        let shape = Shape::with_names(names.into_boxed_slice());
        let ptr = Rc::as_ptr(&shape);
        next.push(shape);
        ptr
    }
}

/// What a field or method site remembers (see the module comment).
pub struct SiteCache {
    /// The id of the shape last seen here; 0 when empty.
    pub shape: Cell<u64>,
    /// For a field site: the field's slot in that shape.
    pub slot: Cell<usize>,
    /// For a store that adds the field: the shape it leads to (null for a
    /// store into an existing field). Only followed when an instance has
    /// shape `shape`, so its class, which owns both shapes, is alive.
    pub next: Cell<*const Shape>,
    /// For a method site: the method instances of that shape call (the
    /// shape has no field of the name, so the class's method is found).
    pub method: Cell<Value>,
}

impl Default for SiteCache {
    fn default() -> SiteCache {
        SiteCache {
            shape: Cell::new(0),
            slot: Cell::new(0),
            next: Cell::new(std::ptr::null()),
            method: Cell::new(Value::Nil),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adding_the_same_field_reaches_the_same_shape() {
        let root = Shape::root();
        let (x, y) = (Symbol(1), Symbol(2));
        let a = root.adding(x);
        let b = root.adding(x);
        assert_eq!(a, b);
        // SAFETY: the root holds both shapes for the rest of the test.
        let (a, c) = unsafe { (&*a, &*root.adding(y)) };
        assert_ne!(a.id(), c.id());
        assert_ne!(a.id(), root.id());
        let xy = unsafe { &*a.adding(y) };
        assert_eq!(xy.names(), &[x, y]);
        assert_eq!(xy.slot(y), Some(1));
        assert_eq!(xy.slot(Symbol(3)), None);
        assert_eq!(c.names(), &[y]);
    }
}
