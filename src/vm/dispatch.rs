//! The dispatch loop: one `match` arm per instruction.
//!
//! The loop caches the running frame's code, constants and base in locals
//! and reloads them (`continue 'frame`) whenever the frame changes: after
//! calls, returns, imports and handled errors. The instruction pointer is
//! saved into the frame before anything that can fail, call or allocate a
//! frame, so traces and handlers always see where the frame was.
//!
//! Safepoints are `Call`, `Invoke`, `SuperInvoke` and `Loop`: each spends
//! one unit of fuel, and when the slice's fuel runs out the VM may collect
//! garbage (and, with the scheduler, switch tasks).

use super::ops::arith::{self, Arith, Cmp};
use super::ops::{index, iter};
use super::{FrameKind, Handler, Stop, Vm};
use crate::bytecode::{CmpKind, Op, Site, Symbol};
use crate::value::error::{err, type_error};
use crate::value::{
    Class, Ctrl, ErrorKind, Instance, Map, ModuleState, NResult, Range, SiteCache, Str, UpCell,
    Value,
};
use std::cell::Cell;

impl Vm {
    /// Runs until the outermost frame returns, an error escapes, or `exit`.
    pub fn run(&mut self) -> Stop {
        'frame: loop {
            if self.pending_throw.is_some() {
                let v = self.pending_throw.take().unwrap_or(Value::Nil);
                match self.raise(Ctrl::Throw(v)) {
                    Ok(()) => continue 'frame,
                    Err(stop) => return stop,
                }
            }
            let Some(frame) = self.fiber.frames.last() else {
                return Stop::Done(Value::Nil);
            };
            // The running frame, in locals. Calls and returns between plain
            // functions switch them in place (`enter!`); everything else
            // goes round `'frame`, which reads them afresh.
            let mut closure = frame.closure;
            let mut proto = closure.proto;
            // SAFETY: the frame's closure keeps both alive (see `detach`).
            let mut code: &[Op] = unsafe { detach(&*frame.code) };
            let mut consts: &[Value] = unsafe { detach(&*frame.consts) };
            let mut base = frame.base;
            let mut argc = frame.argc;
            let mut ip = frame.ip;
            macro_rules! enter {
                ($f:expr) => {
                    let f: &super::Frame = $f;
                    closure = f.closure;
                    proto = closure.proto;
                    // SAFETY: as above, for the frame entered.
                    code = unsafe { detach(&*f.code) };
                    consts = unsafe { detach(&*f.consts) };
                    base = f.base;
                    argc = f.argc;
                    ip = f.ip;
                };
            }

            // The operand stack, held in locals while hot instructions run:
            // its buffer, capacity and length. `self.fiber.stack` is only
            // up to date after `flush!`, which every path to code outside
            // this function takes first; `reload!` reads it back.
            // The slice's fuel, likewise in a local (`flush!` stores it).
            let mut fuel = self.fuel;
            let mut sb: *mut Value = self.fiber.stack.as_mut_ptr();
            let mut cap = self.fiber.stack.capacity();
            let mut len = self.fiber.stack.len();

            macro_rules! flush {
                () => {
                    // SAFETY: `len <= cap` and every slot below `len` was
                    // written (pushes write before they count).
                    unsafe { self.fiber.stack.set_len(len) };
                    self.fuel = fuel;
                };
            }
            macro_rules! reload {
                () => {
                    sb = self.fiber.stack.as_mut_ptr();
                    cap = self.fiber.stack.capacity();
                    len = self.fiber.stack.len();
                    fuel = self.fuel;
                };
            }
            macro_rules! save_ip {
                () => {
                    if let Some(f) = self.fiber.frames.last_mut() {
                        f.ip = ip;
                    }
                };
            }
            // The stack slot at absolute index `i` (checked against the
            // length, so bad bytecode panics instead of reading garbage).
            macro_rules! at {
                ($i:expr) => {{
                    let i = $i;
                    if i >= len {
                        bad_slot(i, len);
                    }
                    // SAFETY: `i < len <= cap`, inside the buffer.
                    unsafe { &mut *sb.add(i) }
                }};
            }
            macro_rules! local {
                ($s:expr) => {
                    at!(base + $s as usize)
                };
            }
            // A shared reference to stack slot `i` (checked like `at!`).
            macro_rules! get {
                ($i:expr) => {{
                    let i = $i;
                    if i >= len {
                        bad_slot(i, len);
                    }
                    // SAFETY: `i < len <= cap`, inside the buffer.
                    unsafe { &*sb.add(i) }
                }};
            }
            macro_rules! get_local {
                ($s:expr) => {
                    get!(base + $s as usize)
                };
            }
            // A value just popped (at or above `len`, still written).
            macro_rules! popped {
                ($i:expr) => {{
                    let i: usize = $i;
                    debug_assert!(i < cap);
                    // SAFETY: the slot was written before the pop.
                    unsafe { &*sb.add(i) }
                }};
            }
            macro_rules! pop {
                () => {{
                    debug_assert!(len > 0, "operand on the stack");
                    len -= 1;
                    // SAFETY: `len` was a written slot.
                    Value::copy_words(unsafe { &*sb.add(len) })
                }};
            }
            macro_rules! push {
                ($v:expr) => {{
                    let v = $v;
                    if len == cap {
                        flush!();
                        grow(&mut self.fiber.stack);
                        reload!();
                    }
                    // SAFETY: `len < cap`.
                    unsafe { sb.add(len).write(v) };
                    len += 1;
                }};
            }
            macro_rules! top {
                () => {{
                    debug_assert!(len > 0, "operand on the stack");
                    // SAFETY: `len - 1` is a written slot.
                    unsafe { &mut *sb.add(len - 1) }
                }};
            }
            // A preemption point. `rewind` is how many instructions to step
            // back so that the interrupted instruction runs again on resume.
            macro_rules! safepoint {
                ($rewind:expr) => {
                    fuel -= 1;
                    if fuel <= 0 || cfg!(feature = "gc-stress") {
                        ip -= $rewind;
                        save_ip!();
                        flush!();
                        if self.safepoint() {
                            return Stop::Preempt;
                        }
                        ip += $rewind;
                        if self.pending_throw.is_some() {
                            // Out of memory, thrown here: at the call, or
                            // at the head of the loop that went round.
                            if $rewind == 0 {
                                ip += 1;
                            }
                            save_ip!();
                            continue 'frame;
                        }
                        reload!();
                    }
                };
            }
            // After an instruction that allocated (its result is on the
            // stack): collects when the heap asks. Straight-line code has no
            // safepoint, and 70,000 string concatenations in a row must not
            // pile up gigabytes of garbage. Never switches tasks.
            macro_rules! gc_point {
                () => {
                    if self.rt.heap.wants_collection() && !cfg!(feature = "gc-stress") {
                        save_ip!();
                        flush!();
                        self.collect_now();
                        if self.pending_throw.is_some() {
                            continue 'frame;
                        }
                        reload!();
                    }
                };
            }
            // Returns `$result` from the running frame (after `Return` and
            // the fused returns).
            macro_rules! do_return {
                ($result:expr) => {{
                    let result = $result;
                    // From a plain call to a caller in this fiber, with no
                    // handler of the returning frame left: in place.
                    let depth = self.fiber.frames.len();
                    if depth > 1 {
                        let frame = &self.fiber.frames[depth - 1];
                        if let FrameKind::Normal = frame.kind {
                            if self.fiber.handlers.last().is_none_or(|h| h.frames < depth) {
                                let callee = frame.base;
                                self.fiber.frames.pop();
                                enter!(&self.fiber.frames[depth - 2]);
                                *at!(callee) = result;
                                len = callee + 1;
                                continue;
                            }
                        }
                    }
                    flush!();
                    let Some(frame) = self.fiber.frames.pop() else {
                        return Stop::Done(result);
                    };
                    let result = match frame.kind {
                        FrameKind::Normal => result,
                        FrameKind::Coroutine(c) => {
                            c.state.set(crate::value::CoState::Done);
                            result
                        }
                        FrameKind::Constructor => match self.fiber.stack[frame.base] {
                            Value::Cell(c) => c.value.get(),
                            v => v,
                        },
                        FrameKind::Module(m) => {
                            m.state.set(ModuleState::Done);
                            // An import gets the module; a REPL input
                            // (the session's module has no proto of
                            // its own) gives its value, to echo.
                            if m.proto.is_none() {
                                result
                            } else {
                                Value::Module(m)
                            }
                        }
                    };
                    self.fiber.stack.truncate(frame.base);
                    let depth = self.fiber.frames.len();
                    while self.fiber.handlers.last().is_some_and(|h| h.frames > depth) {
                        self.fiber.handlers.pop();
                    }
                    if self.fiber.frames.is_empty() {
                        if self.finish_generator(result) {
                            continue 'frame;
                        }
                        return Stop::Done(result);
                    }
                    self.fiber.stack.push(result);
                    continue 'frame;
                }};
            }
            let ctrl: Ctrl = 'dispatch: loop {
                // Throws at the current instruction: leaves the dispatch loop for
                // the shared error path below it (keeping the hot loop small).
                macro_rules! fail {
                    ($ctrl:expr) => {{
                        flush!();
                        break 'dispatch $ctrl;
                    }};
                }
                macro_rules! tri {
                    ($e:expr) => {
                        match $e {
                            Ok(v) => v,
                            Err(c) => fail!(c),
                        }
                    };
                }
                // Int with int and float with float inline; everything else
                // (and overflow) out of line.
                macro_rules! int_arith {
                    ($op:expr) => {{
                        let y = pop!();
                        fused_arith!($op, top!(), &y, r => *top!() = r);
                    }};
                }
                macro_rules! compare {
                    ($cmp:expr, $op:tt) => {{
                        let y = pop!();
                        let x = *top!();
                        let r = match (x, y) {
                            (Value::Int(x), Value::Int(y)) => Value::Bool(x $op y),
                            (Value::Float(x), Value::Float(y)) => Value::Bool(x $op y),
                            _ => tri!(compare_slow(&self.rt, $cmp, x, y)),
                        };
                        *top!() = r;
                    }};
                }
                // Arithmetic: int and float inline, the rest out of line.
                // `$r => $store` puts the result where it belongs; only then
                // may the collector run (the result of a string or list `+`
                // is rooted once stored).
                // The operands are references: the fast path reads just the
                // tag and payload words (copying a whole value that was just
                // written word by word stalls store forwarding).
                macro_rules! fused_arith {
                    ($op:expr, $x:expr, $y:expr, $r:ident => $store:expr) => {{
                        let (x, y): (&Value, &Value) = ($x, $y);
                        match arith_fast($op, x, y) {
                            Some($r) => $store,
                            None => {
                                let (x, y) = (*x, *y);
                                let $r = tri!(arith_slow(&mut self.rt, $op, x, y));
                                $store;
                                gc_point!();
                            }
                        }
                    }};
                }
                // The fused arithmetic instructions, one macro per operand
                // form (`ArithForm`); the operator is a constant in each arm.
                macro_rules! arith_ll {
                    ($op:expr, $a:expr, $b:expr) => {
                        fused_arith!($op, get_local!($a.0), get_local!($b.0), r => push!(r))
                    };
                }
                macro_rules! arith_li {
                    ($op:expr, $a:expr, $n:expr) => {
                        fused_arith!($op, get_local!($a.0), &Value::Int($n.into()), r => push!(r))
                    };
                }
                macro_rules! arith_i {
                    ($op:expr, $n:expr) => {
                        fused_arith!($op, top!(), &Value::Int($n.into()), r => *top!() = r)
                    };
                }
                macro_rules! arith_l {
                    ($op:expr, $a:expr) => {
                        fused_arith!($op, top!(), get_local!($a.0), r => *top!() = r)
                    };
                }
                macro_rules! arith_set {
                    ($op:expr, $a:expr) => {{
                        len -= 2;
                        fused_arith!($op, popped!(len), popped!(len + 1), r => *local!($a.0) = r)
                    }};
                }
                macro_rules! arith_k {
                    ($op:expr, $k:expr) => {
                        fused_arith!($op, top!(), &consts[$k.0 as usize], r => *top!() = r)
                    };
                }
                macro_rules! arith_kl {
                    ($op:expr, $k:expr, $a:expr) => {
                        fused_arith!($op, &consts[$k.0 as usize], get_local!($a.0), r => push!(r))
                    };
                }
                macro_rules! arith_lset {
                    ($op:expr, $a:expr, $dst:expr) => {{
                        len -= 1;
                        fused_arith!($op, popped!(len), get_local!($a.0), r => *local!($dst.0) = r)
                    }};
                }
                macro_rules! arith_llset {
                    ($op:expr, $a:expr, $b:expr, $dst:expr) => {
                        fused_arith!($op, get_local!($a.0), get_local!($b.0), r => *local!($dst.0) = r)
                    };
                }
                macro_rules! arith_liset {
                    ($op:expr, $src:expr, $n:expr, $dst:expr) => {{
                        let y = Value::Int($n.into());
                        fused_arith!($op, get_local!($src.0), &y, r => *local!($dst.0) = r)
                    }};
                }
                macro_rules! fused_cmp {
                    ($kind:expr, $x:expr, $y:expr) => {{
                        let (x, y): (&Value, &Value) = ($x, $y);
                        match (x, y) {
                            (Value::Int(x), Value::Int(y)) => num_cmp($kind, *x, *y),
                            (Value::Float(x), Value::Float(y)) => num_cmp($kind, *x, *y),
                            _ => tri!(cmp_slow(&self.rt, $kind, *x, *y)),
                        }
                    }};
                }

                // Calls closure `c` in place when it is a plain function
                // taking exactly the `n` arguments given (the common case);
                // otherwise falls through to the general call.
                macro_rules! call_plain {
                    ($c:expr, $base:expr, $n:expr) => {{
                        let c: crate::gc::Gc<crate::value::Closure> = $c;
                        if c.proto.fast_arity == $n && self.fiber.frames.len() < self.max_frames {
                            let frame = super::Frame::new(c, $base, $n, FrameKind::Normal);
                            enter!(&frame);
                            self.fiber.frames.push(frame);
                            continue;
                        }
                    }};
                }

                // Runs native `f` on the stack from `args` up, in place,
                // when its `n` arguments suit it: the result replaces the
                // stack from `result` up (as `call_native` does, without
                // leaving the loop). A native sees only its arguments and
                // the runtime, never the stack or the frames.
                macro_rules! call_native {
                    ($f:expr, $args:expr, $result:expr, $n:expr) => {{
                        let f: &'static crate::value::NativeFn = $f;
                        if $n >= f.min && (f.max == u8::MAX || $n <= f.max) {
                            let (from, result): (usize, usize) = ($args, $result);
                            debug_assert!(from <= len);
                            // SAFETY: `from..len` are written stack slots.
                            let args =
                                unsafe { std::slice::from_raw_parts(sb.add(from), len - from) };
                            let v = tri!((f.f)(&mut self.rt, args));
                            len = result;
                            push!(v);
                            if self.rt.heap.wants_collection() && fuel > 0 {
                                // Collect at the next safepoint.
                                self.fuel_saved = fuel;
                                fuel = 0;
                            }
                            continue;
                        }
                    }};
                }

                // The back-edge half of `LoopLL`/`LoopLI`: spends fuel like
                // `Loop` (a preempted task resumes at the head `t`), then
                // leaves `ip` just past the head, whose comparison the
                // instruction runs itself (so its errors point there).
                macro_rules! loop_back {
                    ($t:expr) => {
                        let head = $t.0 as usize;
                        let body = i32::try_from(ip - head).unwrap_or(i32::MAX);
                        ip = head;
                        fuel -= body - 1;
                        safepoint!(0);
                        ip = head + 1;
                    };
                }

                // One step of a counting loop over the range in slots `s`
                // (next value) and `s + 1` (last value): pushes the next
                // value, or says the loop is over.
                macro_rules! range_step {
                    ($s:expr) => {{
                        let i = base + $s.0 as usize;
                        match (get!(i), get!(i + 1)) {
                            (&Value::Int(next), &Value::Int(last)) if next <= last => {
                                match next.checked_add(1) {
                                    Some(n) => *at!(i) = Value::Int(n),
                                    None => {
                                        // `..=` up to the largest int: stop after it.
                                        *at!(i) = Value::Int(1);
                                        *at!(i + 1) = Value::Int(0);
                                    }
                                }
                                push!(Value::Int(next));
                                true
                            }
                            _ => false,
                        }
                    }};
                }

                debug_assert!(ip < code.len());
                // SAFETY: every function ends in a return and every jump
                // lands inside its own function (the compiler emits both),
                // so `ip` never runs past the code.
                // Matched in place, not copied out: each arm then reads
                // just the operands it uses, where a copy would decode
                // every operand byte of every instruction up front.
                let op: &Op = unsafe { code.get_unchecked(ip) };
                ip += 1;
                match *op {
                    Op::Nil => push!(Value::Nil),
                    Op::True => push!(Value::Bool(true)),
                    Op::False => push!(Value::Bool(false)),
                    Op::Int(n) => push!(Value::Int(n as i64)),
                    Op::Const(k) => push!(consts[k.0 as usize]),

                    Op::Pop => len -= 1,
                    Op::PopN(n) => {
                        debug_assert!(len >= n as usize);
                        len -= n as usize;
                    }
                    Op::Dup => {
                        let v = *top!();
                        push!(v);
                    }
                    Op::Dup2 => {
                        let (a, b) = (*at!(len - 2), *at!(len - 1));
                        push!(a);
                        push!(b);
                    }

                    Op::GetLocal(s) => {
                        let v = Value::copy_words(get_local!(s.0));
                        push!(v);
                    }
                    Op::SetLocal(s) => {
                        let v = pop!();
                        *local!(s.0) = v;
                    }
                    Op::GetCell(s) => {
                        let v = match *local!(s.0) {
                            Value::Cell(c) => c.value.get(),
                            v => v,
                        };
                        push!(v);
                    }
                    Op::SetCell(s) => {
                        let v = pop!();
                        let slot = local!(s.0);
                        match *slot {
                            Value::Cell(c) => c.value.set(v),
                            _ => *slot = v,
                        }
                    }
                    Op::MakeCell(s) => {
                        let v = *local!(s.0);
                        let cell = self.rt.heap.alloc(UpCell {
                            value: Cell::new(v),
                        });
                        *local!(s.0) = Value::Cell(cell);
                    }
                    Op::GetUpval(u) => push!(closure.upvals[u as usize].value.get()),
                    Op::SetUpval(u) => {
                        let v = pop!();
                        closure.upvals[u as usize].value.set(v);
                    }
                    Op::GetGlobal(g) => {
                        // SAFETY: globals are only borrowed mutably for the
                        // duration of a single store (`SetGlobal`, module
                        // loading), never across this read.
                        let globals = unsafe { &*proto.module.globals.as_ptr() };
                        let v = globals[g as usize];
                        if let Value::Undef = v {
                            let name = proto
                                .module
                                .proto
                                .as_ref()
                                .and_then(|m| m.globals.get(g as usize).cloned())
                                .unwrap_or_else(|| "?".into());
                            fail!(Ctrl::Error(
                                ErrorKind::NameError,
                                format!("`{name}` is used before its definition has run")
                            ));
                        }
                        push!(v);
                    }
                    Op::SetGlobal(g) => {
                        let v = pop!();
                        proto.module.globals.borrow_mut()[g as usize] = v;
                    }
                    Op::GetBuiltin(b) => push!(self.rt.builtins[b as usize]),

                    Op::Add => int_arith!(Arith::Add),
                    Op::Sub => int_arith!(Arith::Sub),
                    Op::Mul => int_arith!(Arith::Mul),
                    Op::Div => int_arith!(Arith::Div),
                    Op::Mod => int_arith!(Arith::Mod),
                    Op::Neg => {
                        let a = *top!();
                        *top!() = tri!(arith::negate(&self.rt, a));
                    }
                    Op::Not => {
                        let a = *top!();
                        *top!() = Value::Bool(!a.is_truthy());
                    }
                    Op::Eq => {
                        let b = pop!();
                        let a = *top!();
                        *top!() = Value::Bool(values_eq(a, b));
                    }
                    Op::Ne => {
                        let b = pop!();
                        let a = *top!();
                        *top!() = Value::Bool(!values_eq(a, b));
                    }
                    Op::Lt => compare!(Cmp::Lt, <),
                    Op::Le => compare!(Cmp::Le, <=),
                    Op::Gt => compare!(Cmp::Gt, >),
                    Op::Ge => compare!(Cmp::Ge, >=),
                    Op::Is => {
                        let class = pop!();
                        let v = *top!();
                        let Value::Class(class) = class else {
                            fail!(Ctrl::Error(
                                ErrorKind::TypeError,
                                format!(
                                    "the right side of `is` must be a class, not {}",
                                    self.rt.type_name(class)
                                )
                            ));
                        };
                        let r = match v {
                            Value::Instance(inst) => inst.class.is_subclass_of(class),
                            _ => false,
                        };
                        *top!() = Value::Bool(r);
                    }

                    Op::Jump(t) => ip = t.0 as usize,
                    Op::JumpIfFalse(t) => {
                        if let Value::Nil | Value::Bool(false) = pop!() {
                            ip = t.0 as usize;
                        }
                    }
                    Op::CmpJump(kind, t) => {
                        len -= 2;
                        if !fused_cmp!(kind, popped!(len), popped!(len + 1)) {
                            ip = t.0 as usize;
                        }
                    }
                    Op::AndJump(t) => {
                        if top!().is_truthy() {
                            len -= 1;
                        } else {
                            ip = t.0 as usize;
                        }
                    }
                    Op::OrJump(t) => {
                        if top!().is_truthy() {
                            ip = t.0 as usize;
                        } else {
                            len -= 1;
                        }
                    }
                    Op::Loop(t) => {
                        // One pass of the loop ran about this many instructions.
                        let body = i32::try_from(ip - t.0 as usize).unwrap_or(i32::MAX);
                        ip = t.0 as usize;
                        fuel -= body - 1;
                        safepoint!(0);
                    }

                    Op::Call(n) => {
                        safepoint!(1);
                        save_ip!();
                        let callee = len - n as usize - 1;
                        match *get!(callee) {
                            Value::Closure(c) => call_plain!(c, callee, n),
                            Value::Native(f) => call_native!(f, callee + 1, callee, n),
                            _ => {}
                        }
                        flush!();
                        tri!(self.call_value(callee, n as usize));
                        continue 'frame;
                    }
                    Op::Invoke(name, n, site) => {
                        safepoint!(1);
                        save_ip!();
                        let recv = len - n as usize - 1;
                        let receiver = *get!(recv);
                        let cached = match receiver {
                            Value::Instance(inst) => cached_method(&proto.sites, site, &inst, name),
                            _ => cached_type_method(&proto.sites, site, &self.rt, receiver, name),
                        };
                        if let Some(m) = cached {
                            match m {
                                Value::Closure(c) => call_plain!(c, recv, n),
                                Value::Native(f) => call_native!(f, recv, recv, n),
                                _ => {}
                            }
                            flush!();
                            tri!(self.call_method(m, recv, usize::from(n)));
                            continue 'frame;
                        }
                        flush!();
                        tri!(self.invoke(name, recv, n as usize));
                        continue 'frame;
                    }
                    Op::Closure(i) => {
                        let p = proto.protos[i as usize];
                        let mut upvals = Vec::with_capacity(p.code.captures.len());
                        for capture in &p.code.captures {
                            upvals.push(match *capture {
                                crate::bytecode::Capture::Local(s) => {
                                    let slot = local!(s);
                                    match *slot {
                                        Value::Cell(c) => c,
                                        v => {
                                            let c = self.rt.heap.alloc(UpCell {
                                                value: Cell::new(v),
                                            });
                                            *slot = Value::Cell(c);
                                            c
                                        }
                                    }
                                }
                                crate::bytecode::Capture::Upval(u) => closure.upvals[u as usize],
                            });
                        }
                        let c = self.rt.heap.alloc(crate::value::Closure {
                            proto: p,
                            upvals: upvals.into_boxed_slice(),
                        });
                        push!(Value::Closure(c));
                    }
                    Op::Return => {
                        let result = pop!();
                        do_return!(result);
                    }
                    Op::ReturnLocal(a) => {
                        let result = Value::copy_words(get_local!(a.0));
                        do_return!(result);
                    }
                    Op::ReturnNil => do_return!(Value::Nil),
                    Op::ArgGiven(p, t) => {
                        if argc > p {
                            ip = t.0 as usize;
                        }
                    }

                    Op::GetField(name, site) => {
                        let obj = *top!();
                        let v = match obj {
                            Value::Instance(inst) => {
                                match cached_field(&proto.sites, site, &inst, name) {
                                    Some(v) => v,
                                    None => tri!(index::get_field(&mut self.rt, obj, name)),
                                }
                            }
                            _ => tri!(index::get_field(&mut self.rt, obj, name)),
                        };
                        *top!() = v;
                    }
                    Op::SetField(name, site) => {
                        let v = pop!();
                        let obj = pop!();
                        match obj {
                            Value::Instance(inst) => {
                                set_field_cached(&proto.sites, site, &inst, name, v)
                            }
                            _ => tri!(index::set_field(&mut self.rt, obj, name, v)),
                        }
                    }
                    Op::GetIndex => {
                        let i = pop!();
                        let a = *top!();
                        let v = match (a, i) {
                            (Value::List(list), Value::Int(n)) => {
                                let items = list.items.borrow();
                                match index::normalize_index(n, items.len()) {
                                    Some(j) => items[j],
                                    None => {
                                        drop(items);
                                        tri!(index::get_index(&mut self.rt, a, i))
                                    }
                                }
                            }
                            _ => tri!(index::get_index(&mut self.rt, a, i)),
                        };
                        *top!() = v;
                    }
                    Op::SetIndex => {
                        len -= 3;
                        let (a, i) = (*popped!(len), *popped!(len + 1));
                        // An int index inside a list inline, the value
                        // copied straight from its stack slot; the rest
                        // (and its errors) out of line.
                        let done = match (a, i) {
                            (Value::List(list), Value::Int(n)) => {
                                let mut items = list.items.borrow_mut();
                                match index::normalize_index(n, items.len()) {
                                    Some(j) => {
                                        Value::store_words(&mut items[j], popped!(len + 2));
                                        true
                                    }
                                    None => false,
                                }
                            }
                            _ => false,
                        };
                        if !done {
                            let v = *popped!(len + 2);
                            tri!(index::set_index(&mut self.rt, a, i, v));
                        }
                    }
                    Op::ForIter(s, t) => {
                        let next = match *local!(s.0) {
                            Value::Iter(it) => iter::next(&mut self.rt, &it),
                            Value::Generator(g) => {
                                save_ip!();
                                flush!();
                                tri!(self.resume_for_loop(g, t.0 as usize));
                                continue 'frame;
                            }
                            _ => None,
                        };
                        match next {
                            Some(v) => push!(v),
                            None => ip = t.0 as usize,
                        }
                    }
                    Op::ForRange(s, t) => {
                        if !range_step!(s) {
                            ip = t.0 as usize;
                        }
                    }
                    Op::LoopRange(s, n, t) => {
                        len -= 1 + usize::from(n);
                        loop_back!(t);
                        if !range_step!(s) {
                            ip = loop_exit(code, t);
                        }
                    }
                    Op::LoopIter(s, n, t) => {
                        len -= 1 + usize::from(n);
                        loop_back!(t);
                        match *get_local!(s.0) {
                            Value::Iter(it) => match iter::next(&mut self.rt, &it) {
                                Some(v) => push!(v),
                                None => ip = loop_exit(code, t),
                            },
                            // A generator: the head resumes it.
                            _ => ip = t.0 as usize,
                        }
                    }

                    Op::GetLocal2(a, b) => {
                        // In `let x = y` followed by a use of `x`, the first
                        // push creates slot `b`: read it only after.
                        let x = Value::copy_words(get_local!(a.0));
                        push!(x);
                        let y = Value::copy_words(get_local!(b.0));
                        push!(y);
                    }
                    Op::AddLL(a, b) => arith_ll!(Arith::Add, a, b),
                    Op::SubLL(a, b) => arith_ll!(Arith::Sub, a, b),
                    Op::MulLL(a, b) => arith_ll!(Arith::Mul, a, b),
                    Op::DivLL(a, b) => arith_ll!(Arith::Div, a, b),
                    Op::ModLL(a, b) => arith_ll!(Arith::Mod, a, b),
                    Op::AddLI(a, n) => arith_li!(Arith::Add, a, n),
                    Op::SubLI(a, n) => arith_li!(Arith::Sub, a, n),
                    Op::MulLI(a, n) => arith_li!(Arith::Mul, a, n),
                    Op::DivLI(a, n) => arith_li!(Arith::Div, a, n),
                    Op::ModLI(a, n) => arith_li!(Arith::Mod, a, n),
                    Op::AddI(n) => arith_i!(Arith::Add, n),
                    Op::SubI(n) => arith_i!(Arith::Sub, n),
                    Op::MulI(n) => arith_i!(Arith::Mul, n),
                    Op::DivI(n) => arith_i!(Arith::Div, n),
                    Op::ModI(n) => arith_i!(Arith::Mod, n),
                    Op::AddL(a) => arith_l!(Arith::Add, a),
                    Op::SubL(a) => arith_l!(Arith::Sub, a),
                    Op::MulL(a) => arith_l!(Arith::Mul, a),
                    Op::DivL(a) => arith_l!(Arith::Div, a),
                    Op::ModL(a) => arith_l!(Arith::Mod, a),
                    Op::AddSet(a) => arith_set!(Arith::Add, a),
                    Op::SubSet(a) => arith_set!(Arith::Sub, a),
                    Op::MulSet(a) => arith_set!(Arith::Mul, a),
                    Op::DivSet(a) => arith_set!(Arith::Div, a),
                    Op::ModSet(a) => arith_set!(Arith::Mod, a),
                    Op::AddK(k) => arith_k!(Arith::Add, k),
                    Op::SubK(k) => arith_k!(Arith::Sub, k),
                    Op::MulK(k) => arith_k!(Arith::Mul, k),
                    Op::DivK(k) => arith_k!(Arith::Div, k),
                    Op::ModK(k) => arith_k!(Arith::Mod, k),
                    Op::AddKL(k, a) => arith_kl!(Arith::Add, k, a),
                    Op::SubKL(k, a) => arith_kl!(Arith::Sub, k, a),
                    Op::MulKL(k, a) => arith_kl!(Arith::Mul, k, a),
                    Op::DivKL(k, a) => arith_kl!(Arith::Div, k, a),
                    Op::ModKL(k, a) => arith_kl!(Arith::Mod, k, a),
                    Op::Move(a, b) => {
                        let v = Value::copy_words(get_local!(a.0));
                        *local!(b.0) = v;
                    }
                    Op::CmpJumpK(kind, k, t) => {
                        len -= 1;
                        if !fused_cmp!(kind, popped!(len), &consts[usize::from(k)]) {
                            ip = t.0 as usize;
                        }
                    }
                    Op::AddLSet(a, dst) => arith_lset!(Arith::Add, a, dst),
                    Op::SubLSet(a, dst) => arith_lset!(Arith::Sub, a, dst),
                    Op::MulLSet(a, dst) => arith_lset!(Arith::Mul, a, dst),
                    Op::DivLSet(a, dst) => arith_lset!(Arith::Div, a, dst),
                    Op::ModLSet(a, dst) => arith_lset!(Arith::Mod, a, dst),
                    Op::AddLLSet(a, b, dst) => arith_llset!(Arith::Add, a, b, dst),
                    Op::SubLLSet(a, b, dst) => arith_llset!(Arith::Sub, a, b, dst),
                    Op::MulLLSet(a, b, dst) => arith_llset!(Arith::Mul, a, b, dst),
                    Op::DivLLSet(a, b, dst) => arith_llset!(Arith::Div, a, b, dst),
                    Op::ModLLSet(a, b, dst) => arith_llset!(Arith::Mod, a, b, dst),
                    Op::AddLISet(src, n, dst) => arith_liset!(Arith::Add, src, n, dst),
                    Op::SubLISet(src, n, dst) => arith_liset!(Arith::Sub, src, n, dst),
                    Op::MulLISet(src, n, dst) => arith_liset!(Arith::Mul, src, n, dst),
                    Op::DivLISet(src, n, dst) => arith_liset!(Arith::Div, src, n, dst),
                    Op::ModLISet(src, n, dst) => arith_liset!(Arith::Mod, src, n, dst),
                    Op::CmpJumpLL(kind, a, b, t) => {
                        if !fused_cmp!(kind, get_local!(a), get_local!(b)) {
                            ip = t.0 as usize;
                        }
                    }
                    Op::CmpJumpLI(kind, a, n, t) => {
                        if !fused_cmp!(kind, get_local!(a), &Value::Int(n.into())) {
                            ip = t.0 as usize;
                        }
                    }
                    Op::CmpJumpI(kind, n, t) => {
                        len -= 1;
                        if !fused_cmp!(kind, popped!(len), &Value::Int(n.into())) {
                            ip = t.0 as usize;
                        }
                    }
                    Op::LoopLL(kind, a, b, t) => {
                        loop_back!(t);
                        if !fused_cmp!(kind, get_local!(a), get_local!(b)) {
                            ip = loop_exit(code, t);
                        }
                    }
                    Op::LoopLI(kind, a, n, t) => {
                        loop_back!(t);
                        if !fused_cmp!(kind, get_local!(a), &Value::Int(n.into())) {
                            ip = loop_exit(code, t);
                        }
                    }
                    Op::JumpIfFalseL(a, t) => {
                        if let Value::Nil | Value::Bool(false) = *local!(a.0) {
                            ip = t.0 as usize;
                        }
                    }
                    Op::GetLocalField(a, site, name) => {
                        let obj = *get_local!(a);
                        let v = match obj {
                            Value::Instance(inst) => {
                                match cached_field(&proto.sites, site, &inst, name) {
                                    Some(v) => v,
                                    None => tri!(index::get_field(&mut self.rt, obj, name)),
                                }
                            }
                            _ => tri!(index::get_field(&mut self.rt, obj, name)),
                        };
                        push!(v);
                    }

                    // Everything else runs with the stack flushed, through
                    // the `Vec` itself.
                    cold @ (Op::Nop
                    | Op::LoopHead
                    | Op::SuperInvoke(..)
                    | Op::GetSuper(..)
                    | Op::List(..)
                    | Op::Map(..)
                    | Op::Range(..)
                    | Op::Interp(..)
                    | Op::Slice { .. }
                    | Op::Class(..)
                    | Op::Method(..)
                    | Op::IterPrep
                    | Op::GetIter
                    | Op::GetAsyncIter
                    | Op::AsyncNext(..)
                    | Op::UndefJump(..)
                    | Op::CloseIter(..)
                    | Op::RangeBounds(..)
                    | Op::Unpack(..)
                    | Op::PushHandler(..)
                    | Op::PopHandler(..)
                    | Op::Throw
                    | Op::Rethrow
                    | Op::Await
                    | Op::Spawn
                    | Op::Yield
                    | Op::Import(..)
                    | Op::ImportNative(..)) => {
                        flush!();
                        'cold: {
                            macro_rules! fail {
                                ($ctrl:expr) => {
                                    break 'dispatch $ctrl
                                };
                            }
                            macro_rules! tri {
                                ($e:expr) => {
                                    match $e {
                                        Ok(v) => v,
                                        Err(c) => break 'dispatch c,
                                    }
                                };
                            }
                            macro_rules! pop {
                                () => {
                                    self.fiber.stack.pop().expect("operand on the stack")
                                };
                            }
                            macro_rules! push {
                                ($v:expr) => {
                                    self.fiber.stack.push($v)
                                };
                            }
                            macro_rules! top {
                                () => {
                                    self.fiber.stack.last_mut().expect("operand on the stack")
                                };
                            }
                            // The hot `safepoint!` and `gc_point!` flush and
                            // reload the stack locals; here the `Vec` and
                            // `self.fuel` are already the truth, and a flush of
                            // the stale locals would undo what the arm did.
                            macro_rules! safepoint {
                                ($rewind:expr) => {
                                    self.fuel -= 1;
                                    if self.fuel <= 0 || cfg!(feature = "gc-stress") {
                                        ip -= $rewind;
                                        save_ip!();
                                        if self.safepoint() {
                                            return Stop::Preempt;
                                        }
                                        ip += $rewind;
                                        if self.pending_throw.is_some() {
                                            if $rewind == 0 {
                                                ip += 1;
                                            }
                                            save_ip!();
                                            continue 'frame;
                                        }
                                    }
                                };
                            }
                            macro_rules! gc_point {
                                () => {
                                    if self.rt.heap.wants_collection()
                                        && !cfg!(feature = "gc-stress")
                                    {
                                        save_ip!();
                                        self.collect_now();
                                        if self.pending_throw.is_some() {
                                            continue 'frame;
                                        }
                                    }
                                };
                            }
                            match cold {
                                // Here rather than among the hot arms: an
                                // empty arm would jump straight back to the
                                // dispatch, which then cannot be copied into
                                // each arm's tail.
                                Op::Nop | Op::LoopHead => {}
                                Op::SuperInvoke(name, n) => {
                                    safepoint!(1);
                                    save_ip!();
                                    let class = pop!();
                                    let recv = self.fiber.stack.len() - n as usize - 1;
                                    let method = tri!(super_method(self, class, name));
                                    tri!(self.call_method(method, recv, n as usize));
                                    continue 'frame;
                                }
                                Op::GetSuper(name) => {
                                    let class = pop!();
                                    let receiver = pop!();
                                    let method = tri!(super_method(self, class, name));
                                    let bound = self
                                        .rt
                                        .heap
                                        .alloc(crate::value::BoundMethod { receiver, method });
                                    push!(Value::Bound(bound));
                                }
                                Op::List(n) => {
                                    let len = self.fiber.stack.len();
                                    let items = self.fiber.stack.split_off(len - n as usize);
                                    let list = self.rt.list(items);
                                    push!(list);
                                    gc_point!();
                                }
                                Op::Map(n) => {
                                    let len = self.fiber.stack.len();
                                    let pairs = self.fiber.stack.split_off(len - 2 * n as usize);
                                    let map = Map::with_capacity(n as usize);
                                    for kv in pairs.chunks_exact(2) {
                                        let Some(key) = kv[0].to_key() else {
                                            fail!(Ctrl::Error(
                                                ErrorKind::TypeError,
                                                format!(
                                                    "a {} cannot be a map key",
                                                    self.rt.type_name(kv[0])
                                                )
                                            ));
                                        };
                                        tri!(map.insert(key, kv[1]));
                                    }
                                    let map = self.rt.heap.alloc(map);
                                    push!(Value::Map(map));
                                    gc_point!();
                                }
                                Op::Range(inclusive) => {
                                    let end = pop!();
                                    let start = pop!();
                                    let (Value::Int(a), Value::Int(b)) = (start, end) else {
                                        fail!(Ctrl::Error(
                                            ErrorKind::TypeError,
                                            format!(
                                                "range bounds must be ints, not {} and {}",
                                                self.rt.type_name(start),
                                                self.rt.type_name(end)
                                            )
                                        ));
                                    };
                                    let r = self.rt.heap.alloc(Range {
                                        start: a,
                                        end: b,
                                        step: 1,
                                        inclusive,
                                    });
                                    push!(Value::Range(r));
                                }
                                Op::Interp(n) => {
                                    let len = self.fiber.stack.len();
                                    let mut s = String::new();
                                    for v in &self.fiber.stack[len - n as usize..] {
                                        tri!(crate::value::display::try_display_into(
                                            &mut s,
                                            *v,
                                            &self.rt.symbols
                                        ));
                                    }
                                    self.fiber.stack.truncate(len - n as usize);
                                    let v = Value::Str(self.rt.heap.alloc(Str::new(s)));
                                    push!(v);
                                    gc_point!();
                                }
                                Op::Slice { has_start, has_end } => {
                                    let end = if has_end { pop!() } else { Value::Nil };
                                    let start = if has_start { pop!() } else { Value::Nil };
                                    let a = *top!();
                                    *top!() = tri!(index::slice(&mut self.rt, a, start, end));
                                }
                                Op::Class(k, has_super) => {
                                    let name: std::rc::Rc<str> = match consts[k.0 as usize] {
                                        Value::Str(s) => s.as_str().into(),
                                        _ => "?".into(),
                                    };
                                    let superclass = if has_super {
                                        match pop!() {
                                            Value::Class(c) => Some(c),
                                            other => fail!(Ctrl::Error(
                                                ErrorKind::TypeError,
                                                format!(
                                                    "a class can only inherit from a class, not {}",
                                                    self.rt.type_name(other)
                                                )
                                            )),
                                        }
                                    } else {
                                        None
                                    };
                                    let methods = superclass
                                        .map(|s| s.methods.borrow().clone())
                                        .unwrap_or_default();
                                    let is_error = superclass.is_some_and(|s| s.is_error);
                                    let class = self
                                        .rt
                                        .heap
                                        .alloc(Class::new(name, superclass, methods, is_error));
                                    push!(Value::Class(class));
                                }
                                Op::Method(name) => {
                                    let m = pop!();
                                    if let Value::Class(class) = *top!() {
                                        class.methods.borrow_mut().insert(name, m);
                                    }
                                }
                                Op::IterPrep => {
                                    if let Value::Instance(inst) = *top!() {
                                        if !iter::has_iter(&self.rt, &inst) {
                                            fail!(Ctrl::Error(
                                                ErrorKind::TypeError,
                                                format!(
                                                    "{} is not iterable (it has no iter() method)",
                                                    inst.class.name
                                                )
                                            ));
                                        }
                                        // A marker below the receiver follows the chain
                                        // of `iter()` calls (see `GetIter`); the next
                                        // link of a chain finds it there already.
                                        let recv = self.fiber.stack.len() - 1;
                                        let chained = recv
                                            .checked_sub(1)
                                            .and_then(|i| iter::as_chain(self.fiber.stack[i]))
                                            .is_some();
                                        if !chained {
                                            let marker = iter::chain_marker(&mut self.rt, inst);
                                            self.fiber.stack.insert(recv, marker);
                                        }
                                        // A call, so a preemption point too.
                                        safepoint!(1);
                                        save_ip!();
                                        let recv = self.fiber.stack.len() - 1;
                                        tri!(self.invoke(self.rt.names.iter, recv, 0));
                                        continue 'frame;
                                    }
                                }
                                Op::GetIter => {
                                    let v = *top!();
                                    let len = self.fiber.stack.len();
                                    let chain = len
                                        .checked_sub(2)
                                        .and_then(|i| iter::as_chain(self.fiber.stack[i]));
                                    if let Some(chain) = chain {
                                        // `v` is what an `iter()` call returned.
                                        if let Value::Instance(inst) = v {
                                            if iter::has_iter(&self.rt, &inst) {
                                                // Another iterable instance: ask it too.
                                                tri!(iter::next_link(&chain, inst));
                                                ip -= 2;
                                                break 'cold;
                                            }
                                        }
                                        self.fiber.stack.remove(len - 2);
                                    }
                                    *top!() = tri!(iter::make_iter(&mut self.rt, v));
                                }
                                Op::GetAsyncIter => {
                                    let v = *top!();
                                    let ok = match v {
                                        Value::Generator(g) => g.is_async,
                                        Value::Sync(o) => {
                                            matches!(
                                                &*o.state.borrow(),
                                                crate::value::sync::SyncState::Channel(_)
                                            )
                                        }
                                        _ => false,
                                    };
                                    if !ok {
                                        fail!(Ctrl::Error(
                                        ErrorKind::TypeError,
                                        format!(
                                            "`for await` needs a channel or an async generator, not {}",
                                            self.rt.type_name(v)
                                        )
                                    ));
                                    }
                                }
                                Op::AsyncNext(s, t) => {
                                    match self.fiber.stack[base + s.0 as usize] {
                                        Value::Generator(g) => {
                                            ip += 2;
                                            save_ip!();
                                            tri!(self.resume_for_loop(g, t.0 as usize));
                                            continue 'frame;
                                        }
                                        owner => {
                                            let kind = crate::value::FutureKind::Op {
                                                owner,
                                                op: crate::value::SyncOp::RecvLoop,
                                                started: false,
                                            };
                                            let f =
                                                self.rt.sched.new_future(&mut self.rt.heap, kind);
                                            push!(Value::Future(f));
                                        }
                                    }
                                }
                                Op::UndefJump(t) => {
                                    if let Value::Undef = *top!() {
                                        self.fiber.stack.pop();
                                        ip = t.0 as usize;
                                    }
                                }
                                Op::CloseIter(s) => {
                                    if let Value::Generator(g) =
                                        self.fiber.stack[base + s.0 as usize]
                                    {
                                        if g.state.get() == crate::value::GenState::Suspended {
                                            save_ip!();
                                            let how = crate::value::Delivery::CloseIter;
                                            tri!(self.resume_generator(
                                                g,
                                                super::tasks::ResumeMode::Close,
                                                how
                                            ));
                                            continue 'frame;
                                        }
                                    }
                                }
                                Op::RangeBounds(inclusive) => {
                                    let len = self.fiber.stack.len();
                                    let (a, b) =
                                        (self.fiber.stack[len - 2], self.fiber.stack[len - 1]);
                                    match (a, b) {
                                        (Value::Int(_), Value::Int(end)) => {
                                            // `ForRange` counts up to an inclusive last value.
                                            if !inclusive {
                                                match end.checked_sub(1) {
                                                    Some(last) => {
                                                        self.fiber.stack[len - 1] = Value::Int(last)
                                                    }
                                                    None => {
                                                        self.fiber.stack[len - 2] = Value::Int(1);
                                                        self.fiber.stack[len - 1] = Value::Int(0);
                                                    }
                                                }
                                            }
                                        }
                                        _ => fail!(Ctrl::Error(
                                            ErrorKind::TypeError,
                                            format!(
                                                "range bounds must be ints, not {} and {}",
                                                self.rt.type_name(a),
                                                self.rt.type_name(b)
                                            )
                                        )),
                                    }
                                }
                                Op::Unpack(n, rest) => {
                                    let v = pop!();
                                    let items = match v {
                                        Value::List(list) => list.items.borrow().clone(),
                                        other => fail!(Ctrl::Error(
                                            ErrorKind::TypeError,
                                            format!(
                                                "cannot destructure {}: only lists can be unpacked",
                                                self.rt.type_name(other)
                                            )
                                        )),
                                    };
                                    let n = n as usize;
                                    if items.len() < n {
                                        fail!(Ctrl::Error(
                                            ErrorKind::ValueError,
                                            format!(
                                            "not enough elements to unpack: expected {}{n}, got {}",
                                            if rest { "at least " } else { "" },
                                            items.len()
                                        )
                                        ));
                                    }
                                    self.fiber.stack.extend_from_slice(&items[..n]);
                                    if rest {
                                        let tail = items[n..].to_vec();
                                        let l = self.rt.list(tail);
                                        push!(l);
                                    }
                                }
                                Op::PushHandler(t) => {
                                    let h = Handler {
                                        frames: self.fiber.frames.len(),
                                        height: self.fiber.stack.len(),
                                        target: t.0 as usize,
                                    };
                                    self.fiber.handlers.push(h);
                                }
                                Op::PopHandler(n) => {
                                    let len = self.fiber.handlers.len();
                                    self.fiber.handlers.truncate(len.saturating_sub(n as usize));
                                }
                                Op::Throw => {
                                    let v = pop!();
                                    fail!(Ctrl::Throw(v));
                                }
                                Op::Rethrow => {
                                    let v = pop!();
                                    save_ip!();
                                    match self.unwind(v) {
                                        Ok(()) => continue 'frame,
                                        Err(stop) => return stop,
                                    }
                                }
                                Op::Import(i) => {
                                    let module = self.rt.modules[i as usize];
                                    if module.state.get() != ModuleState::Fresh {
                                        push!(Value::Module(module));
                                        break 'cold;
                                    }
                                    let Some(init) = module.init.get() else {
                                        push!(Value::Module(module));
                                        break 'cold;
                                    };
                                    module.state.set(ModuleState::Running);
                                    save_ip!();
                                    let b = self.fiber.stack.len();
                                    push!(Value::Closure(init));
                                    tri!(self.push_frame(init, b, 0, FrameKind::Module(module)));
                                    continue 'frame;
                                }
                                Op::ImportNative(k) => {
                                    let name = match consts[k.0 as usize] {
                                        Value::Str(s) => s,
                                        _ => break 'cold,
                                    };
                                    let m = tri!(self.rt.native_module(name.as_str()));
                                    push!(Value::Module(m));
                                }
                                Op::Await => {
                                    let v = pop!();
                                    save_ip!();
                                    let site = self.await_site(
                                        proto.code.source,
                                        proto.code.chunk.spans[ip - 1],
                                    );
                                    match self.await_value(v, site) {
                                        Ok(super::tasks::Awaited::Continue) => continue 'frame,
                                        Ok(super::tasks::Awaited::Suspend) => return Stop::Suspend,
                                        Err(c) => fail!(c),
                                    }
                                }
                                Op::Spawn => {
                                    let v = pop!();
                                    // The spawn's place is recorded in the task.
                                    save_ip!();
                                    let task = tri!(self.spawn(v));
                                    push!(task);
                                }
                                Op::Yield => {
                                    let v = pop!();
                                    save_ip!();
                                    tri!(self.yield_value(v));
                                    continue 'frame;
                                }
                                _ => unreachable!("hot instructions are matched above"),
                            }
                        }
                        reload!();
                    }
                }
            };
            save_ip!();
            match self.raise(ctrl) {
                Ok(()) => continue 'frame,
                Err(stop) => return stop,
            }
        }
    }

    /// Collects garbage, from the dispatch loop's `safepoint!` or
    /// `gc_point!` (with the instruction pointer saved). When the heap is
    /// still over its limit afterwards, an out-of-memory error is left in
    /// `pending_throw` for the loop to throw.
    fn collect_now(&mut self) {
        // SAFETY: only the dispatch loop calls this, at a point where it
        // holds no handles besides the running frame's closure and
        // constants (every value it works on is on the stack).
        unsafe { self.collect_garbage() };
        if let Some((live, limit)) = self.rt.heap.over_limit() {
            let message = format!(
                "out of memory: {live} bytes still in use after collecting, more than the {limit} bytes allowed under this process's memory limit"
            );
            let error = self.rt.make_error(ErrorKind::ValueError, &message);
            self.pending_throw = Some(error);
        }
    }

    /// Runs when the fuel is spent: collects garbage if the heap asks, and
    /// says whether the task's slice is over (time to switch tasks).
    fn safepoint(&mut self) -> bool {
        if self.rt.heap.wants_collection() {
            self.collect_now();
            if self.pending_throw.is_some() {
                return false;
            }
        }
        if self.fuel > 0 {
            // Only here to collect (the `gc-stress` feature).
            return false;
        }
        if self.fuel_saved > 0 {
            // The slice was cut short only to collect: resume it.
            self.fuel = std::mem::take(&mut self.fuel_saved);
            return false;
        }
        self.fuel = self.budget;
        self.current.is_some()
    }
}

#[cold]
#[inline(never)]
fn arith_slow(rt: &mut super::Runtime, op: Arith, a: Value, b: Value) -> NResult {
    arith::arith(rt, op, a, b)
}

/// Where the loop whose head is at `t` exits: the head's own jump target.
#[inline]
fn loop_exit(code: &[Op], t: crate::bytecode::Target) -> usize {
    match code[t.0 as usize].target() {
        Some(exit) => exit.0 as usize,
        None => unreachable!("a fused loop's head is a compare-and-jump"),
    }
}

/// Field `name` of `inst` through the site's inline cache (filling it on a
/// miss); `None` when the instance has no such field.
#[inline(always)]
fn cached_field(sites: &[SiteCache], site: Site, inst: &Instance, name: Symbol) -> Option<Value> {
    let Some(cache) = sites.get(site.0 as usize) else {
        return inst.get(name);
    };
    let shape = inst.shape();
    if cache.shape.get() == shape.id() {
        return inst.get_slot(cache.slot.get());
    }
    let slot = shape.slot(name)?;
    cache.shape.set(shape.id());
    cache.slot.set(slot);
    inst.get_slot(slot)
}

/// `inst.name = v` through the site's inline cache: a store into a known
/// slot, or (on a miss) a search that may add the field.
#[inline(always)]
fn set_field_cached(sites: &[SiteCache], site: Site, inst: &Instance, name: Symbol, v: Value) {
    let Some(cache) = sites.get(site.0 as usize) else {
        inst.set(name, v);
        return;
    };
    let shape = inst.shape();
    if cache.shape.get() == shape.id() {
        let next = cache.next.get();
        if next.is_null() {
            return inst.set_slot(cache.slot.get(), v);
        }
        // SAFETY: `next` was recorded for this very shape and field.
        return unsafe { inst.add_field(next, v) };
    }
    let id = shape.id();
    let (slot, next) = match shape.slot(name) {
        Some(slot) => {
            inst.set_slot(slot, v);
            (slot, std::ptr::null())
        }
        // An `init` adding its fields: the site remembers the step.
        None => {
            let next = shape.adding(name);
            // SAFETY: `next` is this shape's successor for `name`.
            unsafe { inst.add_field(next, v) };
            (shape.names().len(), next)
        }
    };
    cache.shape.set(id);
    cache.slot.set(slot);
    cache.next.set(next);
}

/// The method `inst.name(...)` calls, through the site's inline cache, when
/// the name is a method of the class rather than a field of the instance.
#[inline(always)]
fn cached_method(sites: &[SiteCache], site: Site, inst: &Instance, name: Symbol) -> Option<Value> {
    let cache = sites.get(site.0 as usize)?;
    let shape = inst.shape();
    if cache.shape.get() != shape.id() {
        if shape.slot(name).is_some() {
            return None;
        }
        let method = inst.class.method(name)?;
        cache.shape.set(shape.id());
        cache.method.set(method);
    }
    Some(cache.method.get())
}

/// The built-in method `name` of a list, map or string receiver, through
/// the site's cache: its "shape" is one reserved id per type (see
/// [`Shape::of_builtin`](crate::value::Shape::of_builtin)), so a site
/// that always calls `xs.push(...)` looks the method up once.
fn cached_type_method(
    sites: &[SiteCache],
    site: Site,
    rt: &super::Runtime,
    receiver: Value,
    name: Symbol,
) -> Option<Value> {
    let key = crate::value::Shape::of_builtin(&receiver)?;
    let cache = sites.get(usize::from(site.0))?;
    if cache.shape.get() != key {
        let method = *rt.type_methods(receiver)?.get(&name)?;
        cache.shape.set(key);
        cache.method.set(method);
    }
    Some(cache.method.get())
}

/// `x op y` for int with int (`None` on overflow or division by zero) and
/// float with float, exactly as the plain arithmetic instructions do it.
#[inline(always)]
fn arith_fast(op: Arith, x: &Value, y: &Value) -> Option<Value> {
    match (x, y) {
        (Value::Int(x), Value::Int(y)) => match op {
            Arith::Add => x.checked_add(*y),
            Arith::Sub => x.checked_sub(*y),
            Arith::Mul => x.checked_mul(*y),
            Arith::Div => x.checked_div(*y),
            Arith::Mod => x.checked_rem(*y),
        }
        .map(Value::Int),
        (Value::Float(x), Value::Float(y)) => Some(Value::Float(match op {
            Arith::Add => x + y,
            Arith::Sub => x - y,
            Arith::Mul => x * y,
            Arith::Div => x / y,
            Arith::Mod => x % y,
        })),
        _ => None,
    }
}

/// `x <kind> y` for two ints or two floats (IEEE for floats: any
/// comparison with NaN is false, but `!=`).
#[inline(always)]
fn num_cmp<T: PartialOrd>(kind: CmpKind, x: T, y: T) -> bool {
    match kind {
        CmpKind::Lt => x < y,
        CmpKind::Le => x <= y,
        CmpKind::Gt => x > y,
        CmpKind::Ge => x >= y,
        CmpKind::Eq => x == y,
        CmpKind::Ne => x != y,
    }
}

/// A fused comparison on anything but two ints or two floats.
#[cold]
#[inline(never)]
fn cmp_slow(rt: &super::Runtime, kind: CmpKind, a: Value, b: Value) -> NResult<bool> {
    let op = match kind {
        CmpKind::Eq => return Ok(values_eq(a, b)),
        CmpKind::Ne => return Ok(!values_eq(a, b)),
        CmpKind::Lt => Cmp::Lt,
        CmpKind::Le => Cmp::Le,
        CmpKind::Gt => Cmp::Gt,
        CmpKind::Ge => Cmp::Ge,
    };
    Ok(arith::compare(rt, op, a, b)?.is_truthy())
}

#[cold]
#[inline(never)]
fn compare_slow(rt: &super::Runtime, op: Cmp, a: Value, b: Value) -> NResult {
    arith::compare(rt, op, a, b)
}

#[inline]
fn values_eq(a: Value, b: Value) -> bool {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Nil, Value::Nil) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        _ => crate::value::values_equal(a, b),
    }
}

fn super_method(vm: &Vm, class: Value, name: crate::bytecode::Symbol) -> NResult {
    let Value::Class(class) = class else {
        return type_error("`super` is not a class");
    };
    match class.method(name) {
        Some(m) => Ok(m),
        None => err(
            ErrorKind::AttributeError,
            format!(
                "superclass {} has no method `{}`",
                class.name,
                vm.rt.symbols.name(name)
            ),
        ),
    }
}

/// A reference to a running frame's code or constants, detached from the
/// handle it was read through so that the frame locals can be switched on a
/// call or return.
///
/// # Safety
///
/// Sound because the frame's closure keeps its prototype alive (the
/// collector never frees a running frame's closure and never moves an
/// object), and the locals are re-read whenever the frame changes.
unsafe fn detach<'a, T: ?Sized>(r: &T) -> &'a T {
    // SAFETY: see above.
    unsafe { &*(r as *const T) }
}

/// Makes room on the operand stack (the slow half of `push!`).
#[cold]
#[inline(never)]
fn grow(stack: &mut Vec<Value>) {
    stack.reserve(1);
}

#[cold]
#[inline(never)]
fn bad_slot(i: usize, len: usize) -> ! {
    panic!("bytecode read stack slot {i} of {len}")
}
