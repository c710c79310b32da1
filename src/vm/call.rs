//! Calls: script functions push a frame (never a Rust call), natives run
//! directly on their arguments, classes construct instances, bound methods
//! put their receiver in slot 0. Argument counts are checked here.

use super::{Frame, FrameKind, Vm};
use crate::bytecode::{FnKind, Symbol};
use crate::gc::Gc;
use crate::value::error::{err, type_error};
use crate::value::{Closure, ErrorKind, Instance, NResult, NativeFn, Value};

impl Vm {
    /// Calls the value at stack index `callee` with the `argc` values above it.
    pub(super) fn call_value(&mut self, callee: usize, argc: usize) -> NResult<()> {
        match self.fiber.stack[callee] {
            Value::Closure(c) => self.push_frame(c, callee, argc, FrameKind::Normal),
            Value::Native(n) => self.call_native(n, callee + 1, argc, callee),
            Value::Bound(b) => {
                self.fiber.stack[callee] = b.receiver;
                self.call_method(b.method, callee, argc)
            }
            Value::Class(class) => {
                let inst = self.rt.heap.alloc(Instance::new(class));
                self.fiber.stack[callee] = Value::Instance(inst);
                match class.method(self.rt.names.init) {
                    Some(Value::Closure(init)) => {
                        self.push_frame(init, callee, argc, FrameKind::Constructor)
                    }
                    Some(Value::Native(n)) => {
                        self.call_native(n, callee, argc, callee)?;
                        // The instance, not init's result, is the call's value.
                        self.fiber.stack.truncate(callee);
                        self.fiber.stack.push(Value::Instance(inst));
                        Ok(())
                    }
                    _ if argc > 0 => type_error(format!(
                        "{}() takes no arguments (the class has no init method) but {argc} {} given",
                        class.name,
                        if argc == 1 { "was" } else { "were" }
                    )),
                    _ => {
                        self.fiber.stack.truncate(callee + 1);
                        Ok(())
                    }
                }
            }
            other => type_error(format!("{} is not callable", self.rt.type_name(other))),
        }
    }

    /// Calls `method` with the receiver already in slot 0 at `recv`.
    pub(super) fn call_method(&mut self, method: Value, recv: usize, argc: usize) -> NResult<()> {
        match method {
            Value::Closure(c) => self.push_frame(c, recv, argc, FrameKind::Normal),
            Value::Native(n) => self.call_native(n, recv, argc, recv),
            other => {
                self.fiber.stack[recv] = other;
                self.call_value(recv, argc)
            }
        }
    }

    /// Runs a native on `stack[args..]` (which for methods starts with the
    /// receiver) and replaces `stack[result..]` with its result.
    fn call_native(
        &mut self,
        n: &'static NativeFn,
        args: usize,
        argc: usize,
        result: usize,
    ) -> NResult<()> {
        if argc < n.min as usize || (n.max != u8::MAX && argc > n.max as usize) {
            return type_error(arity_message(
                n.name,
                n.min as usize,
                n.max as usize,
                false,
                argc,
            ));
        }
        let value = (n.f)(&mut self.rt, &self.fiber.stack[args..])?;
        self.fiber.stack.truncate(result);
        self.fiber.stack.push(value);
        if self.rt.heap.wants_collection() && self.fuel > 0 {
            // Collect at the next safepoint rather than at the end of the slice.
            self.fuel_saved = self.fuel;
            self.fuel = 0;
        }
        Ok(())
    }

    /// `receiver.name(args)` with the receiver at `recv`.
    pub(super) fn invoke(&mut self, name: Symbol, recv: usize, argc: usize) -> NResult<()> {
        let receiver = self.fiber.stack[recv];
        match receiver {
            Value::Instance(inst) => {
                if let Some(field) = inst.get(name) {
                    self.fiber.stack[recv] = field;
                    return self.call_value(recv, argc);
                }
                match inst.class.method(name) {
                    Some(m) => self.call_method(m, recv, argc),
                    None => err(
                        ErrorKind::AttributeError,
                        format!(
                            "{} has no method `{}`",
                            inst.class.name,
                            self.rt.symbols.name(name)
                        ),
                    ),
                }
            }
            Value::Generator(g) => self.generator_method(g, name, recv, argc),
            Value::Module(_) | Value::Class(_) => {
                let f = super::ops::index::get_field(&mut self.rt, receiver, name)?;
                self.fiber.stack[recv] = f;
                self.call_value(recv, argc)
            }
            _ => {
                let method = self
                    .rt
                    .type_methods(receiver)
                    .and_then(|t| t.get(&name))
                    .copied();
                match method {
                    Some(m) => self.call_method(m, recv, argc),
                    None => err(
                        ErrorKind::AttributeError,
                        format!(
                            "{} has no method `{}`",
                            self.rt.type_name(receiver),
                            self.rt.symbols.name(name)
                        ),
                    ),
                }
            }
        }
    }

    /// Pushes a frame for a script function whose slot 0 is at `base`:
    /// checks the argument count, pads missing optional parameters with nil
    /// (the prologue evaluates their defaults) and packs `...rest`.
    pub(super) fn push_frame(
        &mut self,
        c: Gc<Closure>,
        base: usize,
        argc: usize,
        kind: FrameKind,
    ) -> NResult<()> {
        let code = &c.proto.code;
        let params = code.params as usize;
        let required = code.required as usize;
        if argc < required || (argc > params && !code.has_rest) {
            return type_error(arity_message(
                &code.trace_name(),
                required,
                params,
                code.has_rest,
                argc,
            ));
        }
        if code.kind == FnKind::Plain && self.fiber.frames.len() >= self.max_frames {
            return Err(self.recursion_error());
        }
        let stack = &mut self.fiber.stack;
        if argc < params {
            stack.resize(stack.len() + (params - argc), Value::Nil);
        }
        if code.has_rest {
            let first_extra = base + 1 + params;
            let extras: Vec<Value> = if argc > params {
                stack.drain(first_extra..).collect()
            } else {
                Vec::new()
            };
            let rest = self.rt.list(extras);
            self.fiber.stack.push(rest);
        }
        if c.proto.code.kind != FnKind::Plain {
            self.make_suspended_call(c, base, argc);
            return Ok(());
        }
        let argc = u8::try_from(argc).unwrap_or(u8::MAX);
        self.fiber.frames.push(Frame::new(c, base, argc, kind));
        Ok(())
    }
}

impl Vm {
    /// The error for a call deeper than the task's frame limit.
    pub(super) fn recursion_error(&self) -> crate::value::Ctrl {
        crate::value::Ctrl::Error(
            ErrorKind::RecursionError,
            format!("maximum call depth exceeded ({} frames)", self.max_frames),
        )
    }
}

/// `f() takes 2 arguments but 3 were given`.
pub fn arity_message(name: &str, min: usize, max: usize, rest: bool, given: usize) -> String {
    let plural = |n: usize| if n == 1 { "argument" } else { "arguments" };
    let takes = if rest || max == u8::MAX as usize {
        format!("at least {min} {}", plural(min))
    } else if min == max {
        format!("{min} {}", plural(min))
    } else {
        format!("{min} to {max} arguments")
    };
    let given_text = match given {
        1 => "1 was given".to_string(),
        n => format!("{n} were given"),
    };
    format!("{name}() takes {takes} but {given_text}")
}
