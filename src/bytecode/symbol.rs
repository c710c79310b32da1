//! Interned names: field, method and export names become small integers at
//! compile time, so the VM compares and hashes `u32`s instead of strings.

use rustc_hash::FxHashMap;
use std::rc::Rc;

/// An interned name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Symbol(pub u32);

/// The table of interned names, shared by the compiler and the VM.
#[derive(Default, Debug)]
pub struct Interner {
    ids: FxHashMap<Rc<str>, Symbol>,
    names: Vec<Rc<str>>,
}

impl Interner {
    pub fn new() -> Interner {
        Interner::default()
    }

    pub fn intern(&mut self, name: &str) -> Symbol {
        if let Some(&sym) = self.ids.get(name) {
            return sym;
        }
        let sym = Symbol(self.names.len() as u32);
        let name: Rc<str> = Rc::from(name);
        self.names.push(name.clone());
        self.ids.insert(name, sym);
        sym
    }

    /// The symbol of `name` if it was ever interned.
    pub fn lookup(&self, name: &str) -> Option<Symbol> {
        self.ids.get(name).copied()
    }

    pub fn name(&self, sym: Symbol) -> &str {
        &self.names[sym.0 as usize]
    }
}
