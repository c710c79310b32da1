//! The standard library: built-in functions, methods of the built-in types,
//! native standard modules, and the parts written in Weft (`std/*.weft`,
//! embedded in the binary).
//!
//! Natives never call back into script code: the higher-order methods
//! (`map`, `filter`, `sort_by`, ...) are written in Weft in
//! `std/prelude.weft`, whose classes `StringMethods`, `ListMethods`,
//! `MapMethods`, ... lend their methods to the built-in types (and their
//! name, lower-cased and without `Methods`, to messages: `list.reduce()`).

mod builtins;
mod bytes;
mod concurrency;
mod fs;
mod http;
mod io;
mod io_args;
mod json;
mod list;
mod map;
mod math;
mod net;
mod os;
pub mod process;
mod runtime;
mod string;

use crate::gc::Gc;
use crate::runtime::{Runtime, TypeTag};
use crate::value::{Module, ModuleState, NativeFn, Value};
use std::cell::{Cell, RefCell};

/// The prelude's source, compiled into every program as module 0.
pub const PRELUDE: &str = include_str!("../../std/prelude.weft");

/// Standard modules implemented in Rust.
/// Those named `__*` are the native halves of modules written in Weft.
pub const NATIVE_MODULES: &[&str] = &[
    "math",
    "json",
    "os",
    "runtime",
    "time",
    "net",
    "fs",
    "__io",
    "__process",
    "__http",
];

/// Standard modules written in Weft: name and source.
pub const WEFT_MODULES: &[(&str, &str)] = &[
    ("io", include_str!("../../std/io.weft")),
    ("process", include_str!("../../std/process.weft")),
    ("http", include_str!("../../std/http.weft")),
];

/// Prelude classes whose methods become methods of a built-in type.
pub const PRELUDE_METHOD_CLASSES: &[(&str, TypeTag)] = &[
    ("StringMethods", TypeTag::Str),
    ("ListMethods", TypeTag::List),
    ("MapMethods", TypeTag::Map),
    ("BytesMethods", TypeTag::Bytes),
    ("RangeMethods", TypeTag::Range),
];

/// Installs built-in functions, type methods and the module factory.
pub fn install(rt: &mut Runtime) {
    rt.builtins = builtins::FUNCTIONS.iter().map(Value::Native).collect();
    debug_assert_eq!(
        rt.builtins.len(),
        crate::bytecode::builtins::FIRST_ERROR_CLASS
    );
    let classes: Vec<Value> = rt.error_classes.iter().map(|c| Value::Class(*c)).collect();
    rt.builtins.extend(classes);
    // Filled in from the prelude once it has run (see `adopt_prelude`).
    let prelude_names = crate::bytecode::builtins::BUILTINS.len() - rt.builtins.len();
    rt.builtins
        .extend(std::iter::repeat_n(Value::Nil, prelude_names));
    let init = rt.names.init;
    for class in rt.error_classes.clone() {
        class
            .methods
            .borrow_mut()
            .insert(init, Value::Native(&builtins::ERROR_INIT));
    }
    register(rt, TypeTag::Str, string::METHODS);
    register(rt, TypeTag::List, list::METHODS);
    register(rt, TypeTag::Map, map::METHODS);
    register(rt, TypeTag::Bytes, bytes::METHODS);
    register(rt, TypeTag::Task, concurrency::TASK_METHODS);
    register(rt, TypeTag::Channel, concurrency::CHANNEL_METHODS);
    register(rt, TypeTag::Mutex, concurrency::MUTEX_METHODS);
    register(rt, TypeTag::Semaphore, concurrency::SEMAPHORE_METHODS);
    register(rt, TypeTag::Event, concurrency::EVENT_METHODS);
    register(rt, TypeTag::Listener, net::LISTENER_METHODS);
    register(rt, TypeTag::Conn, net::CONN_METHODS);
    register(rt, TypeTag::Udp, net::UDP_METHODS);
    register(rt, TypeTag::Child, process::CHILD_METHODS);
    rt.native_factory = Some(native_module);
}

/// The built-in functions written in Rust (`print`, `len`, ...), for
/// tools that describe them.
pub fn builtin_functions() -> &'static [NativeFn] {
    &builtins::FUNCTIONS
}

fn register(rt: &mut Runtime, tag: TypeTag, methods: &'static [NativeFn]) {
    for m in methods {
        let sym = rt.symbols.intern(m.name);
        rt.methods[tag as usize].insert(sym, Value::Native(m));
    }
}

/// After the prelude ran: copies the methods of its `*Methods` classes
/// into the built-in types' tables.
pub fn adopt_prelude(rt: &mut Runtime, prelude: Gc<Module>) {
    let names = crate::bytecode::builtins::BUILTINS;
    for (i, name) in names
        .iter()
        .enumerate()
        .skip(crate::bytecode::builtins::FIRST_PRELUDE)
    {
        if let Some(v) = rt.symbols.lookup(name).and_then(|sym| prelude.get(sym)) {
            rt.builtins[i] = v;
        }
    }
    for (class_name, tag) in PRELUDE_METHOD_CLASSES {
        let Some(sym) = rt.symbols.lookup(class_name) else {
            continue;
        };
        if let Some(Value::Class(class)) = prelude.get(sym) {
            for (name, method) in class.methods.borrow().iter() {
                let replaced = rt.methods[*tag as usize].insert(*name, *method);
                // Method sites cache a built-in type's methods, and the
                // prelude's own code may have cached a native already.
                debug_assert!(replaced.is_none(), "a prelude method replaces a native one");
            }
        }
    }
}

fn native_module(rt: &mut Runtime, name: &str) -> Option<Gc<Module>> {
    let members: Vec<(&str, Value)> = match name {
        "math" => math::members(rt),
        "json" => json::members(rt),
        "os" => os::members(rt),
        "runtime" => {
            let mut m = runtime::members(rt);
            m.push(("tasks", Value::Native(&TASKS)));
            m
        }
        "time" => concurrency::time_members(rt),
        "net" => net::members(rt),
        "fs" => fs::members(rt),
        "__io" => io::members(rt),
        "__process" => process::members(rt),
        "__http" => http::members(rt),
        _ => return None,
    };
    Some(make_module(rt, name, members))
}

/// A module whose members are the given values.
pub fn make_module(rt: &mut Runtime, name: &str, members: Vec<(&str, Value)>) -> Gc<Module> {
    let mut names = rustc_hash::FxHashMap::default();
    let mut globals = Vec::with_capacity(members.len());
    for (i, (member, value)) in members.into_iter().enumerate() {
        names.insert(
            rt.symbols.intern(member),
            u32::try_from(i).unwrap_or(u32::MAX),
        );
        globals.push(value);
    }
    rt.heap.alloc(Module {
        name: name.into(),
        globals: RefCell::new(globals),
        names: RefCell::new(names),
        state: Cell::new(ModuleState::Done),
        proto: None,
        init: Cell::new(None),
    })
}

static TASKS: NativeFn = NativeFn {
    name: "tasks",
    min: 0,
    max: 0,
    f: concurrency::tasks,
};

/// Natives as module members.
pub fn natives(fns: &'static [NativeFn]) -> Vec<(&'static str, Value)> {
    fns.iter().map(|f| (f.name, Value::Native(f))).collect()
}
