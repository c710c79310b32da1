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
            self.rt.modules.push(module);
        }
    }
}

impl Runtime {
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
            code: code.clone(),
            consts,
            protos,
            module,
        })
    }
}
