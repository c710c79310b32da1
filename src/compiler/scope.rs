//! Per-function compile state: locals and scopes, loop and `try` contexts,
//! name resolution (local → upvalue → module global → built-in) and the
//! emit/patch helpers.

use super::error::{suggest, CompileErrorKind, Limit};
use super::Compiler;
use crate::ast;
use crate::bytecode::builtins::{builtin_index, BUILTINS};
use crate::bytecode::{
    Capture, Chunk, CmpKind, ConstIdx, Constant, FnKind, FnProto, Op, Slot, Target,
};
use crate::span::{SourceId, Span};
use rustc_hash::FxHashMap;
use std::rc::Rc;

pub(super) struct Local {
    pub name: String,
    pub depth: u32,
    pub slot: u16,
    pub captured: bool,
    /// Code indexes of the `GetLocal`/`SetLocal` instructions that use it.
    pub uses: Vec<usize>,
    /// The `Nop` placeholder that becomes `MakeCell` if it is captured.
    pub decl: Option<usize>,
}

pub(super) struct LoopCtx {
    /// Where `continue` jumps.
    pub continue_target: usize,
    /// `break` jumps to patch at the loop's end.
    pub breaks: Vec<usize>,
    /// Locals alive at the loop's start (deeper ones are popped by break/continue).
    pub locals: usize,
    /// `try` statements open at the loop's start.
    pub tries: usize,
}

/// What must run when control leaves a protected region by a jump.
#[derive(Clone)]
pub(super) enum Cleanup {
    /// Nothing (a `try` with only `catch`): just drop its handlers.
    None,
    /// A `finally` body.
    Finally(ast::Block),
    /// Close the generator a `for` loop is driving (the iterator's slot).
    CloseIter(u16),
}

pub(super) struct TryCtx {
    pub cleanup: Cleanup,
    /// Handlers installed before this `try`.
    pub handlers_before: u32,
}

pub(super) struct FnState {
    pub name: Option<Rc<str>>,
    pub owner: Option<Rc<str>>,
    pub kind: FnKind,
    pub is_method: bool,
    pub is_module: bool,
    /// Top-level `await` is allowed (the main script's body).
    pub is_main_module: bool,
    pub source: SourceId,
    pub span: Span,
    pub params: u8,
    pub required: u8,
    pub has_rest: bool,
    pub chunk: Chunk,
    pub locals: Vec<Local>,
    /// For each local name, the indexes into `locals` declaring it, innermost
    /// last: resolving a name must not scan every local (tens of thousands
    /// of locals would make compiling quadratic).
    local_index: FxHashMap<String, Vec<usize>>,
    pub scope_depth: u32,
    pub captures: Vec<(String, Capture)>,
    capture_index: FxHashMap<String, u16>,
    pub loops: Vec<LoopCtx>,
    pub tries: Vec<TryCtx>,
    /// Error handlers installed at this point of the code.
    pub handlers: u32,
    /// The latest position a forward jump was pointed at: the instruction
    /// before it must not be fused with the next one.
    pub last_label: usize,
    /// For each scope depth, how many errors had been reported when the
    /// latest scope at that depth began (depth 0: the function's start).
    /// A local declared in a scope may be what the unresolved names
    /// reported since then meant.
    pub error_marks: Vec<usize>,
    const_index: FxHashMap<ConstKey, u32>,
    /// Limits already reported in this function (each is reported once).
    limits_hit: Vec<Limit>,
}

/// The `let` statement whose names are being bound.
#[derive(Clone, Copy)]
pub(super) struct LetBinding {
    pub span: Span,
    /// The value is a lambda (`let r = fn(n) { ... }`).
    pub value_is_fn: bool,
}

#[derive(PartialEq, Eq, Hash)]
enum ConstKey {
    Int(i64),
    Float(u64),
    Str(Rc<str>),
}

impl FnState {
    pub fn new(
        name: Option<Rc<str>>,
        kind: FnKind,
        is_method: bool,
        is_module: bool,
        is_main_module: bool,
        source: SourceId,
        span: Span,
    ) -> FnState {
        FnState {
            name,
            owner: None,
            kind,
            is_method,
            is_module,
            is_main_module,
            source,
            span,
            params: 0,
            required: 0,
            has_rest: false,
            chunk: Chunk::default(),
            locals: Vec::new(),
            local_index: FxHashMap::default(),
            scope_depth: 0,
            captures: Vec::new(),
            capture_index: FxHashMap::default(),
            loops: Vec::new(),
            tries: Vec::new(),
            handlers: 0,
            last_label: 0,
            error_marks: vec![0],
            const_index: FxHashMap::default(),
            limits_hit: Vec::new(),
        }
    }

    pub fn is_async(&self) -> bool {
        matches!(self.kind, FnKind::Async | FnKind::AsyncGenerator)
    }
}

/// Where a name lives.
#[derive(Clone, Copy, Debug)]
pub(super) enum Resolved {
    /// Slot and index into `locals`.
    Local(u16, usize),
    Upval(u16),
    Global(u32),
    Builtin(u16),
}

impl Compiler<'_> {
    pub(super) fn f(&mut self) -> &mut FnState {
        self.fns.last_mut().expect("a function is being compiled")
    }

    pub(super) fn fr(&self) -> &FnState {
        self.fns.last().expect("a function is being compiled")
    }

    pub(super) fn emit(&mut self, op: Op, span: Span) -> usize {
        self.f().chunk.emit(op, span)
    }

    pub(super) fn here(&self) -> usize {
        self.fr().chunk.code.len()
    }

    /// Emits a jump-like instruction whose target is patched later.
    pub(super) fn emit_jump(&mut self, make: fn(Target) -> Op, span: Span) -> usize {
        self.emit(make(Target(u32::MAX)), span)
    }

    /// Points the jump at `at` to the current position.
    pub(super) fn patch_here(&mut self, at: usize) {
        let target = Target(self.here() as u32);
        self.f().last_label = target.0 as usize;
        self.patch_to(at, target);
    }

    /// The conditional jump of an `if` or `while`: when the condition ends
    /// with a comparison that no jump lands after, the two fuse into one
    /// `CmpJump`. Returns the jump to patch.
    pub(super) fn emit_cond_jump(&mut self, span: Span) -> usize {
        let n = self.here();
        if n > 0 && self.fr().last_label != n {
            let kind = match self.fr().chunk.code[n - 1] {
                Op::Lt => Some(CmpKind::Lt),
                Op::Le => Some(CmpKind::Le),
                Op::Gt => Some(CmpKind::Gt),
                Op::Ge => Some(CmpKind::Ge),
                Op::Eq => Some(CmpKind::Eq),
                Op::Ne => Some(CmpKind::Ne),
                _ => None,
            };
            if let Some(kind) = kind {
                // The comparison's span stays, so errors still point at it.
                self.f().chunk.code[n - 1] = Op::CmpJump(kind, Target(u32::MAX));
                return n - 1;
            }
        }
        self.emit_jump(Op::JumpIfFalse, span)
    }

    /// Compiles the condition of an `if` or `while` for its truth alone:
    /// falls through when it holds and returns the jumps to patch to where
    /// it does not. `a && b` needs no value: each side jumps out on its
    /// own, so each can fuse with its comparison (`CmpJumpLI`, ...).
    pub(super) fn cond_jumps(&mut self, cond: &ast::Expr) -> Vec<usize> {
        if let ast::ExprKind::And(a, b) = &cond.kind {
            let mut jumps = self.cond_jumps(a);
            jumps.extend(self.cond_jumps(b));
            return jumps;
        }
        self.expr(cond);
        vec![self.emit_cond_jump(cond.span)]
    }

    /// Points every jump in `jumps` to the current position.
    pub(super) fn patch_all_here(&mut self, jumps: Vec<usize>) {
        for j in jumps {
            self.patch_here(j);
        }
    }

    pub(super) fn patch_to(&mut self, at: usize, target: Target) {
        let op = &mut self.f().chunk.code[at];
        *op = op.with_target(target);
    }

    pub(super) fn constant(&mut self, c: Constant, span: Span) -> ConstIdx {
        let key = match &c {
            Constant::Int(n) => ConstKey::Int(*n),
            Constant::Float(x) => ConstKey::Float(x.to_bits()),
            Constant::Str(s) => ConstKey::Str(s.clone()),
        };
        if let Some(&i) = self.fr().const_index.get(&key) {
            return ConstIdx(i);
        }
        let i = self.fr().chunk.consts.len();
        let i: u32 = self.operand(i, Limit::Constants, span);
        let f = self.f();
        f.chunk.consts.push(c);
        f.const_index.insert(key, i);
        ConstIdx(i)
    }

    pub(super) fn str_const(&mut self, s: &str, span: Span) -> ConstIdx {
        self.constant(Constant::Str(Rc::from(s)), span)
    }

    pub(super) fn begin_scope(&mut self) {
        let mark = self.errors.len();
        let f = self.f();
        f.scope_depth += 1;
        // A scope closed without `end_scope` leaves a stale mark: replace it.
        f.error_marks.truncate(f.scope_depth as usize);
        f.error_marks.push(mark);
    }

    /// Closes a scope: pops its locals at run time and patches the accesses
    /// of the captured ones.
    pub(super) fn end_scope(&mut self, span: Span) {
        let f = self.f();
        f.scope_depth -= 1;
        let depth = f.scope_depth;
        // Locals are in scope order, so the ones to retire are at the end:
        // counting from the front would make each block cost every local
        // declared before it.
        let keep = f.locals.len()
            - f.locals
                .iter()
                .rev()
                .take_while(|l| l.depth > depth)
                .count();
        let n = f.locals.len() - keep;
        if n > 0 {
            self.emit_pop(n, span);
        }
        self.retire_locals(keep);
    }

    /// Forgets locals from index `keep` on, patching captured ones.
    pub(super) fn retire_locals(&mut self, keep: usize) {
        let f = self.f();
        let retired: Vec<Local> = f.locals.drain(keep..).collect();
        for local in retired.iter().rev() {
            if let Some(decls) = f.local_index.get_mut(&local.name) {
                decls.pop();
                if decls.is_empty() {
                    f.local_index.remove(&local.name);
                }
            }
        }
        for local in retired {
            if local.captured {
                let code = &mut f.chunk.code;
                if let Some(d) = local.decl {
                    code[d] = Op::MakeCell(Slot(local.slot));
                }
                for &u in &local.uses {
                    code[u] = match code[u] {
                        Op::GetLocal(s) => Op::GetCell(s),
                        Op::SetLocal(s) => Op::SetCell(s),
                        other => other,
                    };
                }
            }
        }
    }

    /// Declares a local whose value is already on top of the stack, and
    /// leaves a placeholder that becomes `MakeCell` if a closure captures it.
    pub(super) fn declare_local(&mut self, name: &str, span: Span) -> u16 {
        let slot = self.declare_hidden(name, span);
        let at = self.emit(Op::Nop, span);
        self.f().locals.last_mut().expect("just declared").decl = Some(at);
        self.explain_earlier_uses(name, span);
        slot
    }

    /// A local `name` was just declared at `span`: the uses of `name`
    /// reported as undeclared since its scope began were meant for it, so
    /// they become "used before its declaration" (or "used in its own
    /// `let`") instead of "not declared anywhere ... did you mean".
    fn explain_earlier_uses(&mut self, name: &str, span: Span) {
        let Some(uses) = self.unresolved.get_mut(name) else {
            return;
        };
        let f = self.fns.last().expect("a function is being compiled");
        let depth = (f.scope_depth as usize).min(f.error_marks.len() - 1);
        let mark = f.error_marks[depth];
        let from = uses.partition_point(|&i| i < mark);
        for &i in &uses[from..] {
            let error = &mut self.errors[i];
            let assigned = matches!(error.kind, CompileErrorKind::AssignToUndeclared { .. });
            error.kind = match self.binding_let {
                Some(b) if b.span.start <= error.span.start && error.span.end <= b.span.end => {
                    CompileErrorKind::UsedInOwnLet {
                        name: name.to_string(),
                        value_is_fn: b.value_is_fn,
                    }
                }
                _ => CompileErrorKind::UsedBeforeDeclaration {
                    name: name.to_string(),
                    declared: span,
                    assigned,
                },
            };
        }
        uses.truncate(from);
    }

    /// Reports a name that resolves nowhere (read, or assigned when
    /// `assigned`), with a "did you mean" hint.
    pub(super) fn report_unresolved(&mut self, id: &ast::Ident, assigned: bool) {
        // Only the first errors are shown, and each search walks every
        // visible name: later errors get no hint.
        let suggestion = if self.errors.len() < crate::diagnostics::MAX_REPORTED {
            self.suggest_name(&id.name)
        } else {
            None
        };
        let name = id.name.clone();
        let kind = if assigned {
            CompileErrorKind::AssignToUndeclared { name, suggestion }
        } else {
            CompileErrorKind::UndefinedName { name, suggestion }
        };
        self.unresolved
            .entry(id.name.clone())
            .or_default()
            .push(self.errors.len());
        self.error(kind, id.span);
    }

    /// Declares a compiler-internal local (never captured, never named by
    /// the user; names start with `$`).
    pub(super) fn declare_hidden(&mut self, name: &str, span: Span) -> u16 {
        let slot = self.fr().locals.len();
        let slot: u16 = self.operand(slot, Limit::Locals, span);
        let f = self.f();
        let depth = f.scope_depth;
        let index = f.locals.len();
        f.local_index
            .entry(name.to_string())
            .or_default()
            .push(index);
        f.locals.push(Local {
            name: name.to_string(),
            depth,
            slot,
            captured: false,
            uses: Vec::new(),
            decl: None,
        });
        slot
    }

    /// Turns a count the program controls (locals, constants, elements,
    /// ...) into an instruction operand. A count that does not fit is a
    /// compile error naming the limit; the module then never runs, so the
    /// placeholder operand returned is never executed.
    pub(super) fn operand<T: TryFrom<usize> + Default>(
        &mut self,
        n: usize,
        limit: Limit,
        span: Span,
    ) -> T {
        match T::try_from(n) {
            Ok(v) if n <= limit.max() => v,
            _ => {
                if !self.fr().limits_hit.contains(&limit) {
                    self.f().limits_hit.push(limit);
                    self.error(CompileErrorKind::TooMany(limit), span);
                }
                T::default()
            }
        }
    }

    /// Pops `n` values.
    pub(super) fn emit_pop(&mut self, n: usize, span: Span) {
        if n == 1 {
            self.emit(Op::Pop, span);
        } else {
            let n = self.operand(n, Limit::Locals, span);
            self.emit(Op::PopN(n), span);
        }
    }

    /// Whether a `let` here binds a module global.
    pub(super) fn at_module_top(&self) -> bool {
        let f = self.fr();
        f.is_module && f.scope_depth == 0
    }

    pub(super) fn resolve(&mut self, name: &str) -> Option<Resolved> {
        let fi = self.fns.len() - 1;
        if let Some((slot, index)) = find_local(&self.fns[fi], name) {
            return Some(Resolved::Local(slot, index));
        }
        if let Some(u) = self.resolve_upvalue(fi, name) {
            return Some(Resolved::Upval(u));
        }
        if let Some(g) = self.global_index(name) {
            return Some(Resolved::Global(g));
        }
        builtin_index(name).map(Resolved::Builtin)
    }

    fn resolve_upvalue(&mut self, fi: usize, name: &str) -> Option<u16> {
        if fi == 0 {
            return None;
        }
        if let Some(&i) = self.fns[fi].capture_index.get(name) {
            return Some(i);
        }
        let parent = fi - 1;
        let capture = if let Some((slot, index)) = find_local(&self.fns[parent], name) {
            self.fns[parent].locals[index].captured = true;
            Capture::Local(slot)
        } else {
            Capture::Upval(self.resolve_upvalue(parent, name)?)
        };
        let index = self.fns[fi].captures.len();
        let span = self.fns[fi].span;
        let index: u16 = self.operand(index, Limit::Captures, span);
        self.fns[fi].captures.push((name.to_string(), capture));
        self.fns[fi].capture_index.insert(name.to_string(), index);
        Some(index)
    }

    /// Emits a read of a resolved name.
    pub(super) fn emit_get(&mut self, r: Resolved, span: Span) {
        match r {
            Resolved::Local(slot, index) => {
                let at = self.emit(Op::GetLocal(Slot(slot)), span);
                self.f().locals[index].uses.push(at);
            }
            Resolved::Upval(u) => {
                self.emit(Op::GetUpval(u), span);
            }
            Resolved::Global(g) => {
                self.emit(Op::GetGlobal(g), span);
            }
            Resolved::Builtin(b) => {
                self.emit(Op::GetBuiltin(b), span);
            }
        }
    }

    /// Emits a write of the value on top of the stack to a resolved name.
    pub(super) fn emit_set(&mut self, r: Resolved, name: &str, span: Span) {
        match r {
            Resolved::Local(slot, index) => {
                let at = self.emit(Op::SetLocal(Slot(slot)), span);
                self.f().locals[index].uses.push(at);
            }
            Resolved::Upval(u) => {
                self.emit(Op::SetUpval(u), span);
            }
            Resolved::Global(g) => {
                self.emit(Op::SetGlobal(g), span);
            }
            Resolved::Builtin(_) => {
                self.error(CompileErrorKind::AssignToBuiltin(name.to_string()), span);
            }
        }
    }

    /// Reads a name, reporting it when it is declared nowhere.
    pub(super) fn get_name(&mut self, id: &ast::Ident) {
        match self.resolve(&id.name) {
            Some(r) => self.emit_get(r, id.span),
            None => self.report_unresolved(id, false),
        }
    }

    /// Every name visible here, for "did you mean" hints.
    pub(super) fn suggest_name(&self, name: &str) -> Option<String> {
        let mut names: Vec<&str> = Vec::new();
        for f in &self.fns {
            names.extend(f.locals.iter().map(|l| l.name.as_str()));
        }
        names.extend(self.globals.iter().map(|g| g.as_str()));
        names.extend(BUILTINS.iter().copied());
        suggest(name, names.into_iter())
    }

    /// Ends the innermost function: implicit `return nil`, patches captured
    /// locals, and packs the result.
    pub(super) fn finish_function(&mut self, span: Span) -> Rc<FnProto> {
        self.emit(Op::Nil, span);
        self.emit(Op::Return, span);
        self.retire_locals(0);
        let mut f = self.fns.pop().expect("a function is being compiled");
        strip_nops(&mut f.chunk);
        super::fuse::fuse(&mut f.chunk);
        Rc::new(FnProto {
            name: f.name,
            owner: f.owner,
            kind: f.kind,
            params: f.params,
            required: f.required,
            has_rest: f.has_rest,
            simple: f.kind == FnKind::Plain && !f.has_rest && f.required == f.params,
            is_method: f.is_method,
            captures: f.captures.into_iter().map(|(_, c)| c).collect(),
            chunk: f.chunk,
            source: f.source,
            span: f.span,
        })
    }
}

fn find_local(f: &FnState, name: &str) -> Option<(u16, usize)> {
    let &i = f.local_index.get(name)?.last()?;
    Some((f.locals[i].slot, i))
}

/// Removes the `Nop` placeholders left for locals that no closure captured,
/// renumbering every jump target (they are absolute instruction indexes).
fn strip_nops(chunk: &mut Chunk) {
    if !chunk.code.contains(&Op::Nop) {
        return;
    }
    // new_index[i]: where old instruction i (or the next kept one) lands.
    let mut new_index = Vec::with_capacity(chunk.code.len() + 1);
    let mut kept = 0u32;
    for op in &chunk.code {
        new_index.push(kept);
        if *op != Op::Nop {
            kept += 1;
        }
    }
    new_index.push(kept);
    let map = |t: Target| Target(new_index[t.0 as usize]);
    let mut code = Vec::with_capacity(kept as usize);
    let mut spans = Vec::with_capacity(kept as usize);
    for (op, span) in chunk.code.iter().zip(&chunk.spans) {
        if *op == Op::Nop {
            continue;
        }
        let op = match op.target() {
            Some(t) => op.with_target(map(t)),
            None => *op,
        };
        code.push(op);
        spans.push(*span);
    }
    chunk.code = code;
    chunk.spans = spans;
}
