//! Maps: insertion-ordered tables whose `for` loops survive changes.
//!
//! LANGUAGE.md §13: a `for` over a map that removes keys (the current one or
//! others) never skips a key still present, and visits keys added during the
//! loop, as JavaScript's `Map` does. So removing a key must not move the
//! entries after it while a loop may be walking them, and it should not cost
//! time proportional to the map's size either.
//!
//! The table is an `IndexMap` whose positions are insertion order. Removing a
//! key leaves a *hole* in its place: the entry's key is replaced by a numbered
//! [`Slot::Hole`] (so the key itself is free to be added again, at the end)
//! and its value by nil. Holes are skipped by every reader and compacted away
//! once they outnumber the live entries, so removal is O(1) amortised and a
//! map never holds more than about twice its live size.
//!
//! Each `for` loop walks the table with a [`MapCursor`], a position shared
//! with the map through a weak reference. Compaction is the only thing that
//! moves entries, and it moves every registered cursor with them. A cursor
//! whose loop is gone simply dies with its iterator; the map prunes dead
//! ones as it goes.
//!
//! The table is private: every reader sees only live entries through the
//! methods below, so len, equality, display, json and the GC cannot trip
//! over a hole.

use super::limit;
use super::object::Key;
use super::{NResult, Value};
use crate::gc::{Trace, Tracer};
use indexmap::{Equivalent, IndexMap};
use rustc_hash::FxBuildHasher;
use std::cell::{Cell, Ref, RefCell};
use std::hash::{Hash, Hasher};
use std::rc::{Rc, Weak};

/// Entries in insertion order, for building a map ([`Map::new`]).
pub type MapTable = IndexMap<Key, Value, FxBuildHasher>;

/// A table slot's key: a live key, or the hole a removed key left.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    Live(Key),
    /// Numbered so that holes are distinct keys of the table.
    Hole(u64),
}

impl Hash for Slot {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self {
            // Must hash exactly as the key does, for `Equivalent` lookups.
            Slot::Live(k) => k.hash(state),
            Slot::Hole(n) => state.write_u64(*n),
        }
    }
}

/// Lookups by a plain key find only live slots.
impl Equivalent<Slot> for Key {
    fn equivalent(&self, slot: &Slot) -> bool {
        matches!(slot, Slot::Live(k) if k == self)
    }
}

type Table = IndexMap<Slot, Value, FxBuildHasher>;

/// Bytes one entry takes: slot, value, cached hash and its index.
pub const ENTRY_BYTES: usize = std::mem::size_of::<Slot>() + std::mem::size_of::<Value>() + 16;

/// Compaction waits for at least this many holes (small maps never bother).
const MIN_HOLES_TO_COMPACT: usize = 16;

/// An insertion-ordered map.
pub struct Map {
    table: RefCell<Table>,
    /// Holes in `table`.
    holes: Cell<usize>,
    /// The number of the next hole.
    next_hole: Cell<u64>,
    /// Every slot before this one is a hole: readers start here, so that
    /// removing keys from the front one by one stays linear.
    front: Cell<usize>,
    /// Positions of the loops walking this map.
    cursors: RefCell<Cursors>,
}

#[derive(Default)]
struct Cursors {
    list: Vec<Weak<Cell<usize>>>,
    /// Prune dead cursors when the list reaches this length.
    prune_at: usize,
}

/// The position of one `for` loop in a map: the next table slot to look at.
pub struct MapCursor(Rc<Cell<usize>>);

impl Map {
    pub fn new(entries: MapTable) -> Map {
        let mut table = Table::with_capacity_and_hasher(entries.len(), FxBuildHasher);
        table.extend(entries.into_iter().map(|(k, v)| (Slot::Live(k), v)));
        Map::from_table(table)
    }

    /// An empty map with room for `n` entries.
    pub fn with_capacity(n: usize) -> Map {
        Map::from_table(Table::with_capacity_and_hasher(n, FxBuildHasher))
    }

    fn from_table(table: Table) -> Map {
        Map {
            table: RefCell::new(table),
            holes: Cell::new(0),
            next_hole: Cell::new(0),
            front: Cell::new(0),
            cursors: RefCell::new(Cursors::default()),
        }
    }

    /// The number of keys.
    pub fn len(&self) -> usize {
        self.table.borrow().len() - self.holes.get()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn get(&self, key: &Key) -> Option<Value> {
        self.table.borrow().get(key).copied()
    }

    pub fn contains(&self, key: &Key) -> bool {
        self.table.borrow().contains_key(key)
    }

    /// Sets `key` to `value`: an existing key keeps its place, a new one goes
    /// at the end. Returns whether the key is new. A map that would grow past
    /// the object size cap is a `ValueError`.
    pub fn insert(&self, key: Key, value: Value) -> NResult<bool> {
        let mut table = self.table.borrow_mut();
        let len = table.len();
        if len == table.capacity() && !table.contains_key(&key) {
            // Double, as the table would, but not past the cap.
            limit::check_size(len + 1, ENTRY_BYTES, "map")?;
            let max = limit::MAX_OBJECT_BYTES / ENTRY_BYTES;
            let target = (len * 2).max(len + 1).min(max);
            if table.try_reserve_exact(target - len).is_err() {
                return limit::out_of_memory("map", (target * ENTRY_BYTES) as u128);
            }
        }
        match table.entry(Slot::Live(key)) {
            indexmap::map::Entry::Occupied(mut e) => {
                *e.get_mut() = value;
                Ok(false)
            }
            indexmap::map::Entry::Vacant(e) => {
                limit::check_size(len + 1, ENTRY_BYTES, "map")?;
                e.insert(value);
                Ok(true)
            }
        }
    }

    /// Removes `key`, returning its value. Leaves a hole, so loops over the
    /// map keep their place.
    pub fn remove(&self, key: &Key) -> Option<Value> {
        let mut table = self.table.borrow_mut();
        let i = table.get_index_of(key)?;
        let hole = Slot::Hole(self.next_hole.get());
        self.next_hole.set(self.next_hole.get() + 1);
        if table.replace_index(i, hole).is_err() {
            // Hole numbers are unique, so this cannot happen; removing the
            // entry outright would still be correct, only slower.
            return table.shift_remove(key);
        }
        let value = table
            .get_index_mut(i)
            .map(|(_, v)| std::mem::replace(v, Value::Nil));
        self.holes.set(self.holes.get() + 1);
        if i == self.front.get() {
            let mut front = i + 1;
            while matches!(table.get_index(front), Some((Slot::Hole(_), _))) {
                front += 1;
            }
            self.front.set(front);
        }
        let holes = self.holes.get();
        if holes >= MIN_HOLES_TO_COMPACT && holes * 2 > table.len() {
            self.compact(&mut table);
        }
        value
    }

    /// Drops the holes, moving every live cursor to the same entry as before.
    fn compact(&self, table: &mut Table) {
        let mut cursors = self.live_cursors();
        cursors.sort_by_key(|c| c.get());
        let mut next = cursors.iter().peekable();
        let mut live = 0;
        for (i, (slot, _)) in table.iter().enumerate() {
            while let Some(c) = next.next_if(|c| c.get() <= i) {
                c.set(live);
            }
            if let Slot::Live(_) = slot {
                live += 1;
            }
        }
        for c in next {
            c.set(live);
        }
        table.retain(|slot, _| matches!(slot, Slot::Live(_)));
        self.holes.set(0);
        self.next_hole.set(0);
        self.front.set(0);
    }

    /// The cursors still in use (pruning the dead ones).
    fn live_cursors(&self) -> Vec<Rc<Cell<usize>>> {
        let mut cursors = self.cursors.borrow_mut();
        cursors.list.retain(|w| w.strong_count() > 0);
        cursors.list.iter().filter_map(Weak::upgrade).collect()
    }

    /// A cursor for a new `for` loop, at the first entry.
    pub fn cursor(&self) -> MapCursor {
        let c = Rc::new(Cell::new(0));
        let mut cursors = self.cursors.borrow_mut();
        if cursors.list.len() >= cursors.prune_at {
            // Loops left early keep their cursor until their iterator is
            // collected; prune those, at amortised O(1) per loop.
            cursors.list.retain(|w| w.strong_count() > 0);
            cursors.prune_at = (cursors.list.len() * 2).max(8);
        }
        cursors.list.push(Rc::downgrade(&c));
        MapCursor(c)
    }

    /// The next key at or after `cursor`, moving the cursor past it.
    pub fn next_key(&self, cursor: &MapCursor) -> Option<Key> {
        let table = self.table.borrow();
        let mut pos = cursor.0.get().max(self.front.get());
        let found = loop {
            match table.get_index(pos) {
                None => break None,
                Some((slot, _)) => {
                    pos += 1;
                    if let Slot::Live(k) = slot {
                        break Some(*k);
                    }
                }
            }
        };
        cursor.0.set(pos);
        found
    }

    /// The live entries, borrowed (do not change the map meanwhile).
    pub fn entries(&self) -> Entries<'_> {
        Entries {
            table: self.table.borrow(),
            holes: self.holes.get(),
            front: self.front.get(),
        }
    }

    pub fn keys(&self) -> Vec<Key> {
        self.entries().iter().map(|(k, _)| k).collect()
    }

    pub fn values(&self) -> Vec<Value> {
        self.entries().iter().map(|(_, v)| v).collect()
    }

    /// The live entries, copied out (safe to change the map meanwhile).
    pub fn to_vec(&self) -> Vec<(Key, Value)> {
        self.entries().iter().collect()
    }

    /// A new map with the same entries, without holes.
    pub fn copy(&self) -> Map {
        let entries = self.entries();
        let mut table = Table::with_capacity_and_hasher(entries.len(), FxBuildHasher);
        table.extend(entries.iter().map(|(k, v)| (Slot::Live(k), v)));
        Map::from_table(table)
    }
}

/// A borrow of a map's live entries.
pub struct Entries<'a> {
    table: Ref<'a, Table>,
    holes: usize,
    /// Slots before this one are holes.
    front: usize,
}

impl Entries<'_> {
    pub fn len(&self) -> usize {
        self.table.len() - self.holes
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn get(&self, key: &Key) -> Option<Value> {
        self.table.get(key).copied()
    }

    /// Keys and values in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (Key, Value)> + '_ {
        let live = self.table.get_range(self.front..).unwrap_or_default();
        live.iter().filter_map(|(slot, v)| match slot {
            Slot::Live(k) => Some((*k, *v)),
            Slot::Hole(_) => None,
        })
    }
}

impl Trace for Map {
    fn trace(&self, t: &mut Tracer) {
        for (k, v) in self.entries().iter() {
            k.to_value().trace(t);
            v.trace(t);
        }
    }
    fn extra_bytes(&self) -> usize {
        self.table.borrow().capacity() * ENTRY_BYTES
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ints(m: &Map) -> Vec<i64> {
        m.keys()
            .into_iter()
            .map(|k| match k {
                Key::Int(n) => n,
                _ => -1,
            })
            .collect()
    }

    fn map_of(n: i64) -> Map {
        let m = Map::with_capacity(0);
        for i in 0..n {
            assert!(matches!(m.insert(Key::Int(i), Value::Int(i)), Ok(true)));
        }
        m
    }

    #[test]
    fn removing_from_the_front_keeps_every_reader_right() {
        let m = map_of(100);
        let c = m.cursor();
        assert!(matches!(m.next_key(&c), Some(Key::Int(0))));
        // Out of order at first, so the front moves over several holes.
        m.remove(&Key::Int(1));
        m.remove(&Key::Int(0));
        assert!(matches!(m.next_key(&c), Some(Key::Int(2))));
        for i in 2..40 {
            m.remove(&Key::Int(i));
            assert_eq!(ints(&m).first(), Some(&(i + 1)));
            let fresh = m.cursor();
            assert!(matches!(m.next_key(&fresh), Some(Key::Int(n)) if n == i + 1));
        }
        assert_eq!(ints(&m), (40..100).collect::<Vec<_>>());
        for i in 40..100 {
            m.remove(&Key::Int(i));
        }
        assert!(m.is_empty() && m.entries().iter().next().is_none());
        assert!(m.next_key(&m.cursor()).is_none());
        m.insert(Key::Int(7), Value::Int(7)).ok();
        assert_eq!(ints(&m), [7]);
        assert!(matches!(m.next_key(&m.cursor()), Some(Key::Int(7))));
    }

    #[test]
    fn removal_keeps_order_and_readding_goes_last() {
        let m = map_of(4);
        assert!(matches!(m.remove(&Key::Int(1)), Some(Value::Int(1))));
        assert!(m.remove(&Key::Int(1)).is_none());
        assert_eq!(m.len(), 3);
        assert_eq!(m.entries().len(), 3);
        assert!(!m.contains(&Key::Int(1)));
        assert!(m.get(&Key::Int(1)).is_none());
        assert!(matches!(m.insert(Key::Int(1), Value::Nil), Ok(true)));
        assert!(matches!(m.insert(Key::Int(0), Value::Nil), Ok(false)));
        assert_eq!(ints(&m), vec![0, 2, 3, 1]);
        assert_eq!(ints(&m.copy()), vec![0, 2, 3, 1]);
    }

    #[test]
    fn cursor_survives_removal_and_compaction() {
        let m = map_of(100);
        let c = m.cursor();
        let mut seen = Vec::new();
        while let Some(Key::Int(k)) = m.next_key(&c) {
            seen.push(k);
            // Remove the current key and the next one: the one after that
            // must still come next, through any number of compactions.
            m.remove(&Key::Int(k));
            m.remove(&Key::Int(k + 1));
            if k == 50 {
                assert!(matches!(m.insert(Key::Int(1000), Value::Nil), Ok(true)));
            }
        }
        let expected: Vec<i64> = (0..100).step_by(2).chain([1000]).collect();
        assert_eq!(seen, expected);
        assert!(m.is_empty());
        assert_eq!(m.table.borrow().len(), m.holes.get());
    }

    #[test]
    fn holes_stay_bounded() {
        let m = map_of(10);
        for i in 10..100_000 {
            assert!(m.insert(Key::Int(i), Value::Nil).is_ok());
            m.remove(&Key::Int(i - 10));
        }
        assert_eq!(m.len(), 10);
        assert!(m.table.borrow().len() <= 2 * 10 + MIN_HOLES_TO_COMPACT);
    }

    #[test]
    fn dead_cursors_are_pruned() {
        let m = map_of(3);
        for _ in 0..1000 {
            let c = m.cursor();
            m.next_key(&c);
        }
        assert!(m.cursors.borrow().list.len() <= 16);
    }
}
