//! The instruction set: one table, each instruction documented with its
//! operands and stack effect (`[before] -> [after]`, top of stack rightmost).
//!
//! Operand layout: every instruction is one `Op` value of at most 8 bytes
//! (a one-byte tag plus operands); jump targets are absolute instruction
//! indexes inside the same chunk. Slots are frame-relative: slot 0 is the
//! callee (or `self` in a method), parameters follow.
//!
//! Preemption points (where the VM may switch tasks or collect garbage) are
//! exactly `Call`, `Invoke`, `SuperInvoke` and `Loop`.

use super::symbol::Symbol;

/// A constant-pool index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConstIdx(pub u32);

/// A frame-relative stack slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot(pub u16);

/// The inline cache of a field or method site: an index into the running
/// function's caches (numbered by `compiler::fuse`; `Site::NONE` has none).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Site(pub u16);

impl Site {
    pub const NONE: Site = Site(u16::MAX);
}

/// An absolute instruction index in the current chunk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Target(pub u32);

/// The comparison of a [`Op::CmpJump`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpKind {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

/// The arithmetic operator of a fused instruction (`AddLL` and the rest).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arith {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

impl Arith {
    /// How the operator is written: `+`, `-`, `*`, `/` or `%`.
    pub fn symbol(self) -> &'static str {
        match self {
            Arith::Add => "+",
            Arith::Sub => "-",
            Arith::Mul => "*",
            Arith::Div => "/",
            Arith::Mod => "%",
        }
    }

    /// The operator's part of an instruction name (`Add` in `AddLI`).
    pub fn name(self) -> &'static str {
        match self {
            Arith::Add => "Add",
            Arith::Sub => "Sub",
            Arith::Mul => "Mul",
            Arith::Div => "Div",
            Arith::Mod => "Mod",
        }
    }

    /// The operator of a plain arithmetic instruction.
    pub fn of(op: &Op) -> Option<Arith> {
        Some(match op {
            Op::Add => Arith::Add,
            Op::Sub => Arith::Sub,
            Op::Mul => Arith::Mul,
            Op::Div => Arith::Div,
            Op::Mod => Arith::Mod,
            _ => return None,
        })
    }
}

/// The operands of a fused arithmetic instruction: with an [`Arith`]
/// operator it names one instruction (`Add` and `LI` make `AddLI`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArithForm {
    /// Locals `a` and `b`.
    LL(Slot, Slot),
    /// Local `a` and the int `n`.
    LI(Slot, i16),
    /// The value on top and the int `n`.
    I(i32),
    /// The value on top and local `a`.
    L(Slot),
    /// The two values on top, stored to local `a`.
    Set(Slot),
    /// The value on top and constant `k`.
    K(ConstIdx),
    /// Constant `k` and local `a`.
    KL(ConstIdx, Slot),
    /// The value on top and local `a`, stored to local `dst`: `(a, dst)`.
    LSet(Slot, Slot),
    /// Locals `a` and `b`, stored to local `dst`: `(a, b, dst)`.
    LLSet(Slot, Slot, Slot),
    /// Local `src` and the int `n`, stored to local `dst`: `(src, n, dst)`.
    LISet(Slot, i16, Slot),
}

impl ArithForm {
    /// The form's part of an instruction name (`LI` in `AddLI`).
    pub fn suffix(self) -> &'static str {
        match self {
            ArithForm::LL(..) => "LL",
            ArithForm::LI(..) => "LI",
            ArithForm::I(..) => "I",
            ArithForm::L(..) => "L",
            ArithForm::Set(..) => "Set",
            ArithForm::K(..) => "K",
            ArithForm::KL(..) => "KL",
            ArithForm::LSet(..) => "LSet",
            ArithForm::LLSet(..) => "LLSet",
            ArithForm::LISet(..) => "LISet",
        }
    }
}

/// The table of fused arithmetic instructions: for each form, its
/// instructions in the order of [`Arith`]'s operators. Generates
/// `Op::arith` and `Op::as_arith` from that one list.
macro_rules! fused_arith_table {
    ($($form:ident ($($x:ident),+) => [$add:ident, $sub:ident, $mul:ident, $div:ident, $rem:ident];)+) => {
        impl Op {
            /// The fused instruction applying `op` to the operands `form`.
            pub fn arith(op: Arith, form: ArithForm) -> Op {
                match form {
                    $(ArithForm::$form($($x),+) => match op {
                        Arith::Add => Op::$add($($x),+),
                        Arith::Sub => Op::$sub($($x),+),
                        Arith::Mul => Op::$mul($($x),+),
                        Arith::Div => Op::$div($($x),+),
                        Arith::Mod => Op::$rem($($x),+),
                    },)+
                }
            }

            /// The operator and operands of a fused arithmetic instruction.
            pub fn as_arith(self) -> Option<(Arith, ArithForm)> {
                Some(match self {
                    $(
                        Op::$add($($x),+) => (Arith::Add, ArithForm::$form($($x),+)),
                        Op::$sub($($x),+) => (Arith::Sub, ArithForm::$form($($x),+)),
                        Op::$mul($($x),+) => (Arith::Mul, ArithForm::$form($($x),+)),
                        Op::$div($($x),+) => (Arith::Div, ArithForm::$form($($x),+)),
                        Op::$rem($($x),+) => (Arith::Mod, ArithForm::$form($($x),+)),
                    )+
                    _ => return None,
                })
            }
        }
    };
}

fused_arith_table! {
    LL(a, b) => [AddLL, SubLL, MulLL, DivLL, ModLL];
    LI(a, n) => [AddLI, SubLI, MulLI, DivLI, ModLI];
    I(n) => [AddI, SubI, MulI, DivI, ModI];
    L(a) => [AddL, SubL, MulL, DivL, ModL];
    Set(a) => [AddSet, SubSet, MulSet, DivSet, ModSet];
    K(k) => [AddK, SubK, MulK, DivK, ModK];
    KL(k, a) => [AddKL, SubKL, MulKL, DivKL, ModKL];
    LSet(a, dst) => [AddLSet, SubLSet, MulLSet, DivLSet, ModLSet];
    LLSet(a, b, dst) => [AddLLSet, SubLLSet, MulLLSet, DivLLSet, ModLLSet];
    LISet(src, n, dst) => [AddLISet, SubLISet, MulLISet, DivLISet, ModLISet];
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Op {
    /// `[] -> [nil]`
    Nil,
    /// `[] -> [true]`
    True,
    /// `[] -> [false]`
    False,
    /// `[] -> [n]` for small integer literals.
    Int(i32),
    /// `[] -> [consts[k]]`
    Const(ConstIdx),

    /// `[] -> []`: does nothing (a placeholder the compiler may patch into
    /// `MakeCell` once it knows a local is captured).
    Nop,
    /// `[] -> []`: does nothing; it stands just before a `while` loop's
    /// head, carrying the condition's span, so that a task preempted or
    /// cancelled at the loop's back-edge (which resumes at the head) is
    /// reported inside the loop rather than at the statement before it.
    LoopHead,
    /// `[a] -> []`
    Pop,
    /// `[a1 .. an] -> []`
    PopN(u32),
    /// `[a] -> [a a]`
    Dup,
    /// `[a b] -> [a b a b]`
    Dup2,

    /// `[] -> [slot]`
    GetLocal(Slot),
    /// `[v] -> []`, `slot = v`
    SetLocal(Slot),
    /// `[] -> [cell(slot).value]` for a captured local.
    GetCell(Slot),
    /// `[v] -> []`, `cell(slot).value = v`
    SetCell(Slot),
    /// `[] -> []`: wraps the value in `slot` into a fresh cell (a captured
    /// local gets a new cell at each declaration, so every loop iteration has
    /// its own binding).
    MakeCell(Slot),
    /// `[] -> [upvalues[i].value]`
    GetUpval(u16),
    /// `[v] -> []`, `upvalues[i].value = v`
    SetUpval(u16),
    /// `[] -> [module.globals[i]]`; an unset global is a `NameError`.
    GetGlobal(u32),
    /// `[v] -> []`, `module.globals[i] = v`
    SetGlobal(u32),
    /// `[] -> [builtins[i]]`
    GetBuiltin(u16),

    /// `[a b] -> [a + b]`
    Add,
    /// `[a b] -> [a - b]`
    Sub,
    /// `[a b] -> [a * b]`
    Mul,
    /// `[a b] -> [a / b]`
    Div,
    /// `[a b] -> [a % b]`
    Mod,
    /// `[a] -> [-a]`
    Neg,
    /// `[a] -> [!a]`
    Not,
    /// `[a b] -> [a == b]`
    Eq,
    /// `[a b] -> [a != b]`
    Ne,
    /// `[a b] -> [a < b]`
    Lt,
    /// `[a b] -> [a <= b]`
    Le,
    /// `[a b] -> [a > b]`
    Gt,
    /// `[a b] -> [a >= b]`
    Ge,
    /// `[a C] -> [a is C]`
    Is,

    /// `[] -> []`, `ip = t`
    Jump(Target),
    /// `[c] -> []`, jumps when `c` is falsy.
    JumpIfFalse(Target),
    /// `[a b] -> []`, jumps to `t` unless `a <cmp> b`: a comparison fused
    /// with the `JumpIfFalse` of an `if` or `while` condition.
    CmpJump(CmpKind, Target),
    /// `[c] -> [c]` and jumps when falsy, else `[c] -> []` (for `&&`).
    AndJump(Target),
    /// `[c] -> [c]` and jumps when truthy, else `[c] -> []` (for `||`).
    OrJump(Target),
    /// `[] -> []`, `ip = t`: a loop back-edge (a preemption point).
    Loop(Target),

    /// `[f a1 .. an] -> [f(a1 .. an)]`
    Call(u8),
    /// `[r a1 .. an] -> [r.name(a1 .. an)]`
    Invoke(Symbol, u8, Site),
    /// `[self a1 .. an S] -> [S.name(self, a1 .. an)]`: calls the method of
    /// superclass `S` on `self`.
    SuperInvoke(Symbol, u8),
    /// `[self S] -> [bound method S.name of self]`
    GetSuper(Symbol),
    /// `[] -> [closure]` over the nested prototype `protos[i]`.
    Closure(u32),
    /// `[v] -> ` returns `v` to the caller.
    Return,
    /// Prologue: when the caller passed more than `param` arguments, jumps to
    /// `t` (skipping the default expression of parameter `param`).
    ArgGiven(u8, Target),

    /// `[a1 .. an] -> [[a1, .., an]]`
    List(u32),
    /// `[k1 v1 .. kn vn] -> [{k1: v1, ..}]`
    Map(u32),
    /// `[a b] -> [a..b]` (or `a..=b` when true)
    Range(bool),
    /// `[a1 .. an] -> [str(a1) + .. + str(an)]` (string interpolation)
    Interp(u32),
    /// `[o] -> [o.name]`
    GetField(Symbol, Site),
    /// `[o v] -> []`, `o.name = v`
    SetField(Symbol, Site),
    /// `[a i] -> [a[i]]`
    GetIndex,
    /// `[a i v] -> []`, `a[i] = v`
    SetIndex,
    /// `[a lo? hi?] -> [a[lo:hi]]`; the flags say which bounds are present.
    Slice {
        has_start: bool,
        has_end: bool,
    },
    /// `[S?] -> [class]`: a new class named `consts[k]`, inheriting from `S`
    /// when `has_super`.
    Class(ConstIdx, bool),
    /// `[C m] -> [C]`, adds method `m` to class `C` under `name`.
    Method(Symbol),

    /// `[x] -> [x.iter()]` when `x` is an instance (a call), else `[x] -> [x]`.
    IterPrep,
    /// `[x] -> [iterator over x]`
    GetIter,
    /// `[..it..] -> [..it.. next]` where `it` is in `slot`; jumps to `t`
    /// when the iterator is exhausted.
    ForIter(Slot, Target),
    /// `[x] -> [x]`: checks that `for await` can drive `x` (a channel or an
    /// async generator).
    GetAsyncIter,
    /// `for await` step over the iterator in `slot`: an async generator is
    /// resumed (its value lands two instructions on; finishing jumps to
    /// `t`); a channel pushes a receive for the following `Await`.
    AsyncNext(Slot, Target),
    /// `[v] -> [v]`, or `[end] -> []` and jump to `t` when a `for await`
    /// receive found the channel closed and drained.
    UndefJump(Target),
    /// `[] -> []`: closes the generator in `slot` if a `for` loop left it
    /// suspended (runs its pending `finally` blocks).
    CloseIter(Slot),
    /// Counting loop over an integer range held in `slot` (next value) and
    /// `slot + 1` (last value, inclusive): pushes the next value or jumps to `t`.
    ForRange(Slot, Target),
    /// `[a b] -> [a' b']`: checks a range literal's ints before `ForRange`
    /// and turns an exclusive end into the last value.
    RangeBounds(bool),
    /// `[xs] -> [x1 .. xn rest?]`: list destructuring; fewer than `n`
    /// elements is a `ValueError`.
    Unpack(u32, bool),

    /// `[] -> []`: installs an error handler that jumps to `t` with the
    /// thrown value pushed, after truncating the stack to its current height.
    PushHandler(Target),
    /// `[] -> []`: removes the innermost `n` handlers.
    PopHandler(u16),
    /// `[v] -> ` throws `v`.
    Throw,
    /// `[v] -> ` rethrows `v` keeping its original trace (end of `finally`).
    Rethrow,

    /// `[x] -> [result]`: awaits a coroutine, task or future.
    Await,
    /// `[coro] -> [task]`: starts a coroutine as a new task.
    Spawn,
    /// `[v] -> [sent]`: suspends a generator, handing `v` to its consumer.
    Yield,

    /// `[] -> [module]`: runs module `i` of the program on first import.
    Import(u32),
    /// `[] -> [module]`: the built-in standard module named `consts[k]`.
    ImportNative(ConstIdx),

    // Fused instructions: the compiler's last pass (`compiler::fuse`)
    // replaces common runs of the instructions above with one of these,
    // which read locals and small integers as operands instead of pushing
    // them first. Each behaves exactly like the run it replaces.
    /// `[] -> [a b]`: `GetLocal(a) GetLocal(b)`.
    GetLocal2(Slot, Slot),
    /// `[] -> []`, local `b = a`: `GetLocal(a) SetLocal(b)`.
    Move(Slot, Slot),
    /// `[x] -> []`, jumps to `t` unless `x <cmp> consts[k]`: `Const(k) CmpJump`.
    CmpJumpK(CmpKind, u16, Target),
    // Fused arithmetic: one instruction per operator and operand form
    // (`ArithForm`), so the operator costs no second dispatch. `Op::arith`
    // builds them and `Op::as_arith` takes them apart.
    /// `[] -> [a op b]` of locals `a` and `b`: `GetLocal(a) GetLocal(b) <op>`.
    AddLL(Slot, Slot),
    SubLL(Slot, Slot),
    MulLL(Slot, Slot),
    DivLL(Slot, Slot),
    ModLL(Slot, Slot),
    /// `[] -> [a op n]` of local `a`: `GetLocal(a) Int(n) <op>`.
    AddLI(Slot, i16),
    SubLI(Slot, i16),
    MulLI(Slot, i16),
    DivLI(Slot, i16),
    ModLI(Slot, i16),
    /// `[x] -> [x op n]`: `Int(n) <op>`.
    AddI(i32),
    SubI(i32),
    MulI(i32),
    DivI(i32),
    ModI(i32),
    /// `[x] -> [x op a]` of local `a`: `GetLocal(a) <op>`.
    AddL(Slot),
    SubL(Slot),
    MulL(Slot),
    DivL(Slot),
    ModL(Slot),
    /// `[x y] -> []`, local `a = x op y`: `<op> SetLocal(a)`.
    AddSet(Slot),
    SubSet(Slot),
    MulSet(Slot),
    DivSet(Slot),
    ModSet(Slot),
    /// `[x] -> [x op consts[k]]`: `Const(k) <op>`.
    AddK(ConstIdx),
    SubK(ConstIdx),
    MulK(ConstIdx),
    DivK(ConstIdx),
    ModK(ConstIdx),
    /// `[] -> [consts[k] op a]` of local `a`: `Const(k) GetLocal(a) <op>`.
    AddKL(ConstIdx, Slot),
    SubKL(ConstIdx, Slot),
    MulKL(ConstIdx, Slot),
    DivKL(ConstIdx, Slot),
    ModKL(ConstIdx, Slot),
    /// `[x] -> []`, local `dst = x op a` for `(a, dst)`:
    /// `GetLocal(a) <op> SetLocal(dst)`.
    AddLSet(Slot, Slot),
    SubLSet(Slot, Slot),
    MulLSet(Slot, Slot),
    DivLSet(Slot, Slot),
    ModLSet(Slot, Slot),
    /// `[] -> []`, local `dst = a op b` for `(a, b, dst)`:
    /// `GetLocal(a) GetLocal(b) <op> SetLocal(dst)`.
    AddLLSet(Slot, Slot, Slot),
    SubLLSet(Slot, Slot, Slot),
    MulLLSet(Slot, Slot, Slot),
    DivLLSet(Slot, Slot, Slot),
    ModLLSet(Slot, Slot, Slot),
    /// `[] -> []`, local `dst = src op n` for `(src, n, dst)`:
    /// `GetLocal(src) Int(n) <op> SetLocal(dst)`.
    AddLISet(Slot, i16, Slot),
    SubLISet(Slot, i16, Slot),
    MulLISet(Slot, i16, Slot),
    DivLISet(Slot, i16, Slot),
    ModLISet(Slot, i16, Slot),
    /// `[] -> []`, jumps to `t` unless `a <cmp> b` for locals `a` and `b`:
    /// `GetLocal(a) GetLocal(b) CmpJump`.
    CmpJumpLL(CmpKind, u8, u8, Target),
    /// `[] -> []`, jumps to `t` unless `a <cmp> n`: `GetLocal(a) Int(n) CmpJump`.
    CmpJumpLI(CmpKind, u8, i8, Target),
    /// `[x] -> []`, jumps to `t` unless `x <cmp> n`: `Int(n) CmpJump`.
    CmpJumpI(CmpKind, i16, Target),
    /// `[] -> []`, jumps to `t` when local `a` is falsy: `GetLocal(a) JumpIfFalse`.
    JumpIfFalseL(Slot, Target),
    /// `[] -> [a.name]`: `GetLocal(a) GetField(name)`.
    GetLocalField(u8, Site, Symbol),
    /// A `Loop(t)` back-edge whose loop head `t` is a `CmpJumpLL`: spends
    /// the fuel as `Loop` does, then runs the head's comparison itself,
    /// going on at `t + 1` or leaving by the head's exit jump.
    LoopLL(CmpKind, u8, u8, Target),
    /// The same for a head that is a `CmpJumpLI`.
    LoopLI(CmpKind, u8, i8, Target),
    /// `[.. x] -> []` then the back-edge of a counting loop whose head `t`
    /// is `ForRange(slot, exit)`: `PopN(n) Pop Loop(t)` (`n` is how many
    /// locals of the body to drop besides the loop variable `x`, often 0),
    /// with the head's step run here (pushing the next value, or leaving
    /// by `exit`).
    LoopRange(Slot, u8, Target),
    /// The same for a head `ForIter(slot, exit)`, stepping a list, map,
    /// string or range iterator here (anything else goes on at the head).
    LoopIter(Slot, u8, Target),
    /// Returns local `a`: `GetLocal(a) Return`.
    ReturnLocal(Slot),
    /// Returns `nil`: `Nil Return`.
    ReturnNil,
}

impl Op {
    /// The instruction with its jump target replaced, for every instruction
    /// that has one (the compiler's fix-ups and renumbering go through this
    /// one list); any other instruction is returned unchanged.
    pub fn with_target(self, t: Target) -> Op {
        match self {
            Op::Jump(_) => Op::Jump(t),
            Op::JumpIfFalse(_) => Op::JumpIfFalse(t),
            Op::CmpJump(k, _) => Op::CmpJump(k, t),
            Op::AndJump(_) => Op::AndJump(t),
            Op::OrJump(_) => Op::OrJump(t),
            Op::Loop(_) => Op::Loop(t),
            Op::ArgGiven(p, _) => Op::ArgGiven(p, t),
            Op::ForIter(s, _) => Op::ForIter(s, t),
            Op::ForRange(s, _) => Op::ForRange(s, t),
            Op::AsyncNext(s, _) => Op::AsyncNext(s, t),
            Op::UndefJump(_) => Op::UndefJump(t),
            Op::PushHandler(_) => Op::PushHandler(t),
            Op::CmpJumpLL(k, a, b, _) => Op::CmpJumpLL(k, a, b, t),
            Op::CmpJumpLI(k, a, n, _) => Op::CmpJumpLI(k, a, n, t),
            Op::CmpJumpI(k, n, _) => Op::CmpJumpI(k, n, t),
            Op::CmpJumpK(kind, k, _) => Op::CmpJumpK(kind, k, t),
            Op::JumpIfFalseL(a, _) => Op::JumpIfFalseL(a, t),
            Op::LoopLL(k, a, b, _) => Op::LoopLL(k, a, b, t),
            Op::LoopLI(k, a, n, _) => Op::LoopLI(k, a, n, t),
            Op::LoopRange(a, n, _) => Op::LoopRange(a, n, t),
            Op::LoopIter(a, n, _) => Op::LoopIter(a, n, t),
            other => other,
        }
    }

    /// The jump target of an instruction that has one.
    pub fn target(&self) -> Option<Target> {
        match *self {
            Op::Jump(t)
            | Op::JumpIfFalse(t)
            | Op::CmpJump(_, t)
            | Op::AndJump(t)
            | Op::OrJump(t)
            | Op::Loop(t)
            | Op::ArgGiven(_, t)
            | Op::ForIter(_, t)
            | Op::ForRange(_, t)
            | Op::AsyncNext(_, t)
            | Op::UndefJump(t)
            | Op::PushHandler(t)
            | Op::CmpJumpLL(_, _, _, t)
            | Op::CmpJumpLI(_, _, _, t)
            | Op::CmpJumpI(_, _, t)
            | Op::CmpJumpK(_, _, t)
            | Op::JumpIfFalseL(_, t)
            | Op::LoopLL(_, _, _, t)
            | Op::LoopLI(_, _, _, t)
            | Op::LoopRange(_, _, t)
            | Op::LoopIter(_, _, t) => Some(t),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn instructions_stay_small() {
        assert!(std::mem::size_of::<super::Op>() <= 8);
    }
}
