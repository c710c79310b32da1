//! Loading: turns a compiled [`Program`] into modules and function
//! prototypes on the heap (constants become values).

use super::{Runtime, Vm};
use crate::bytecode::{Constant, FnProto, ModuleProto, Program};
use crate::gc::Gc;
use crate::value::{Closure, Module, ModuleState, Proto, Value};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

impl Vm {
    /// Adds the program's modules to the runtime (a runtime runs one
    /// program, so `Op::Import(i)` means `rt.modules[i]`).
    pub fn load(&mut self, program: &Program) {
        for m in &program.modules {
            let module = self.rt.load_module(m);
            self.rt.adopt_native_half(module);
            self.rt.modules.push(module);
        }
    }
}

impl Vm {
    /// Loads modules a REPL input imports for the first time (they follow
    /// the ones loaded before: `Op::Import(i)` is `rt.modules[i]`).
    pub fn load_modules(&mut self, modules: &[ModuleProto]) {
        for m in modules {
            let module = self.rt.load_module(m);
            self.rt.adopt_native_half(module);
            self.rt.modules.push(module);
        }
    }

    /// Makes a REPL input's code the body of the session's `module`: its
    /// new names get slots (unset until their `let` runs), and the module's
    /// `init` is the input's code, ready to run.
    pub fn load_input(&mut self, module: Gc<Module>, code: &ModuleProto) {
        {
            let mut globals = module.globals.borrow_mut();
            let mut names = module.names.borrow_mut();
            for (i, name) in code.globals.iter().enumerate().skip(globals.len()) {
                names.insert(
                    self.rt.symbols.intern(name),
                    u32::try_from(i).unwrap_or(u32::MAX),
                );
            }
            let len = code.globals.len().max(globals.len());
            globals.resize(len, Value::Undef);
        }
        let proto = self.rt.load_proto(&code.body, module);
        let init = self.rt.heap.alloc(Closure {
            proto,
            upvals: Box::new([]),
        });
        module.init.set(Some(init));
    }
}

impl Runtime {
    /// The module of a REPL session: its names grow with each input.
    pub fn repl_module(&mut self) -> Gc<Module> {
        self.heap.alloc(Module {
            name: "<repl>".into(),
            globals: RefCell::new(Vec::new()),
            names: RefCell::new(Default::default()),
            state: Cell::new(ModuleState::Done),
            proto: None,
            init: Cell::new(None),
        })
    }

    /// A standard module written in Weft (`std/X.weft`) gets the members of
    /// its native half (`__X`) that it does not define itself, except
    /// those named `__*`: that is how `process.spawn` is native although
    /// `spawn` is a keyword that Weft code cannot bind.
    fn adopt_native_half(&mut self, module: Gc<Module>) {
        let Some(proto) = &module.proto else { return };
        let file = self.sources.get(proto.body.source).name.to_string();
        if !file.starts_with("<std/") {
            return;
        }
        let half = format!("__{}", module.name);
        if !crate::stdlib::NATIVE_MODULES.contains(&half.as_str()) {
            return;
        }
        let Ok(native) = self.native_module(&half) else {
            return;
        };
        let members: Vec<(crate::bytecode::Symbol, Value)> = native
            .names
            .borrow()
            .iter()
            .filter_map(|(sym, slot)| Some((*sym, *native.globals.borrow().get(*slot as usize)?)))
            .collect();
        for (sym, value) in members {
            if self.symbols.name(sym).starts_with("__") || module.names.borrow().contains_key(&sym)
            {
                continue;
            }
            let mut globals = module.globals.borrow_mut();
            let slot = u32::try_from(globals.len()).unwrap_or(u32::MAX);
            globals.push(value);
            module.names.borrow_mut().insert(sym, slot);
        }
    }

    fn load_module(&mut self, m: &ModuleProto) -> Gc<Module> {
        let names = m
            .globals
            .iter()
            .enumerate()
            .map(|(i, name)| {
                (
                    self.symbols.intern(name),
                    u32::try_from(i).unwrap_or(u32::MAX),
                )
            })
            .collect();
        let module = self.heap.alloc(Module {
            name: m.name.clone(),
            globals: RefCell::new(vec![Value::Undef; m.globals.len()]),
            names: RefCell::new(names),
            state: Cell::new(ModuleState::Fresh),
            proto: Some(Rc::new(m.clone())),
            init: Cell::new(None),
        });
        let proto = self.load_proto(&m.body, module);
        let init = self.heap.alloc(Closure {
            proto,
            upvals: Box::new([]),
        });
        module.init.set(Some(init));
        module
    }

    fn load_proto(&mut self, code: &Rc<FnProto>, module: Gc<Module>) -> Gc<Proto> {
        let consts = code
            .chunk
            .consts
            .iter()
            .map(|c| match c {
                Constant::Int(n) => Value::Int(*n),
                Constant::Float(x) => Value::Float(*x),
                Constant::Str(s) => self.str(&**s),
            })
            .collect();
        let protos = code
            .chunk
            .protos
            .iter()
            .map(|p| self.load_proto(p, module))
            .collect();
        self.heap.alloc(Proto {
            ops: &code.chunk.code[..] as *const [crate::bytecode::Op],
            fast_arity: if code.simple { code.params } else { u8::MAX },
            code: code.clone(),
            consts,
            protos,
            module,
            sites: (0..code.chunk.sites).map(|_| Default::default()).collect(),
        })
    }
}
