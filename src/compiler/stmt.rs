//! Statements: declarations, assignment, control flow, `try`, classes and
//! imports.
//!
//! `try`/`catch`/`finally` layout (the finally body is emitted once per way
//! out: normal exit, error exit, and inline before each `break`, `continue`
//! or `return` that leaves the `try`):
//!
//! ```text
//!     PushHandler fin        ; only with finally
//!     PushHandler catch      ; only with catch
//!     <body>
//!     PopHandler 1
//!     Jump ok
//! catch:                     ; thrown value pushed, bound to the catch name
//!     <catch body>
//! ok:
//!     PopHandler 1           ; only with finally
//!     <finally body>
//!     Jump end
//! fin:                       ; thrown value pushed
//!     <finally body>
//!     Rethrow
//! end:
//! ```

use super::error::{CompileErrorKind, Limit};
use super::scope::{Cleanup, LetBinding, LoopCtx, Resolved, TryCtx};
use super::{import_binding, Compiler, ImportTarget};
use crate::ast::{self, Block, Expr, ExprKind, Pattern, Stmt, StmtKind};
use crate::bytecode::{Op, Site, Slot, Target};
use crate::span::Span;
use std::rc::Rc;

impl Compiler<'_> {
    pub(super) fn block(&mut self, block: &Block) {
        self.begin_scope();
        for s in &block.stmts {
            self.stmt(s);
        }
        self.end_scope(end_of(block.span));
    }

    pub(super) fn stmt(&mut self, stmt: &Stmt) {
        let span = stmt.span;
        match &stmt.kind {
            StmtKind::Let { pattern, value } => {
                match value {
                    Some(v) => self.expr(v),
                    None => {
                        self.emit(Op::Nil, span);
                    }
                }
                let value_is_fn = value
                    .as_ref()
                    .is_some_and(|v| matches!(v.kind, ExprKind::Lambda(_)));
                self.binding_let = Some(LetBinding { span, value_is_fn });
                self.bind_pattern(pattern, span);
                self.binding_let = None;
            }
            StmtKind::Assign { target, op, value } => self.assign(target, *op, value, span),
            StmtKind::Expr(e) => {
                self.expr(e);
                self.emit(Op::Pop, span);
            }
            StmtKind::If {
                cond,
                then_block,
                else_block,
            } => {
                let jfs = self.cond_jumps(cond);
                self.block(then_block);
                match else_block {
                    Some(else_block) => {
                        let jend = self.emit_jump(Op::Jump, span);
                        self.patch_all_here(jfs);
                        self.block(else_block);
                        self.patch_here(jend);
                    }
                    None => self.patch_all_here(jfs),
                }
            }
            StmtKind::While { cond, body } => {
                // A task preempted at the back-edge resumes at `start` and
                // reports the instruction before it as where it is: this
                // one, the loop's condition, not the statement before it.
                self.emit(Op::LoopHead, cond.span);
                let start = self.here();
                let jfs = self.cond_jumps(cond);
                self.push_loop(start);
                self.block(body);
                self.emit(Op::Loop(Target(start as u32)), end_of(body.span));
                self.patch_all_here(jfs);
                self.pop_loop();
            }
            StmtKind::For {
                vars,
                iterable,
                body,
                is_await,
            } => self.for_loop(vars, iterable, body, *is_await, span),
            StmtKind::Break => self.break_or_continue(true, span),
            StmtKind::Continue => self.break_or_continue(false, span),
            StmtKind::Return(value) => self.return_stmt(value.as_ref(), span),
            StmtKind::Throw(value) => {
                self.expr(value);
                self.emit(Op::Throw, span);
            }
            StmtKind::Try {
                body,
                catch,
                finally,
            } => self.try_stmt(body, catch.as_ref(), finally.as_ref(), span),
            StmtKind::Fn(decl) => self.fn_declaration(decl, span),
            StmtKind::Class(decl) => self.class(decl, span),
            StmtKind::Import(import) => self.import(import, span),
        }
    }

    /// Binds the value on top of the stack to a `let` pattern: module
    /// globals at a module's top level, new locals elsewhere.
    fn bind_pattern(&mut self, pattern: &Pattern, span: Span) {
        match pattern {
            Pattern::Name(id) => self.bind_name(&id.name, id.span),
            Pattern::List { items, rest, span } => {
                let n = self.operand(items.len(), Limit::PatternNames, *span);
                self.emit(Op::Unpack(n, rest.is_some()), *span);
                if self.at_module_top() {
                    // Elements are on the stack; assign them last to first.
                    if let Some(r) = rest {
                        self.bind_name(&r.name, r.span);
                    }
                    for item in items.iter().rev() {
                        self.bind_pattern(item, *span);
                    }
                } else {
                    // Elements already sit in consecutive slots: name them.
                    let mut nested = Vec::new();
                    for item in items {
                        match item {
                            Pattern::Name(id) => {
                                self.declare_local(&id.name, id.span);
                            }
                            Pattern::List { .. } => {
                                let slot = self.declare_hidden("$nested", *span);
                                nested.push((slot, item));
                            }
                        }
                    }
                    if let Some(r) = rest {
                        self.declare_local(&r.name, r.span);
                    }
                    for (slot, item) in nested {
                        self.emit(Op::GetLocal(Slot(slot)), *span);
                        self.bind_pattern(item, *span);
                    }
                }
            }
        }
        let _ = span;
    }

    fn bind_name(&mut self, name: &str, span: Span) {
        if self.at_module_top() && !self.slot_globals.contains(name) {
            let g = self
                .global_index(name)
                .unwrap_or_else(|| self.add_global(name));
            self.emit(Op::SetGlobal(g), span);
        } else {
            self.declare_local(name, span);
        }
    }

    fn assign(&mut self, target: &Expr, op: Option<ast::BinOp>, value: &Expr, span: Span) {
        match &target.kind {
            ExprKind::Name(id) => {
                let Some(r) = self.resolve(&id.name) else {
                    self.report_unresolved(id, true);
                    return;
                };
                if let Some(op) = op {
                    self.emit_get(r, id.span);
                    self.expr(value);
                    self.emit(binop(op), span);
                } else {
                    self.expr(value);
                }
                self.emit_set(r, &id.name, id.span);
            }
            ExprKind::Field { target: obj, name } => {
                self.expr(obj);
                let sym = self.symbols.borrow_mut().intern(&name.name);
                if let Some(op) = op {
                    self.emit(Op::Dup, target.span);
                    self.emit(Op::GetField(sym, Site::NONE), target.span);
                    self.expr(value);
                    self.emit(binop(op), span);
                } else {
                    self.expr(value);
                }
                self.emit(Op::SetField(sym, Site::NONE), span);
            }
            ExprKind::Index { target: obj, index } => {
                self.expr(obj);
                self.expr(index);
                if let Some(op) = op {
                    self.emit(Op::Dup2, target.span);
                    self.emit(Op::GetIndex, target.span);
                    self.expr(value);
                    self.emit(binop(op), span);
                } else {
                    self.expr(value);
                }
                self.emit(Op::SetIndex, span);
            }
            // The parser only produces the three assignable forms.
            _ => self.expr(value),
        }
    }

    fn push_loop(&mut self, continue_target: usize) {
        let f = self.f();
        let ctx = LoopCtx {
            continue_target,
            breaks: Vec::new(),
            locals: f.locals.len(),
            tries: f.tries.len(),
        };
        f.loops.push(ctx);
    }

    /// Closes the innermost loop, pointing its `break`s here.
    fn pop_loop(&mut self) {
        let ctx = self.f().loops.pop().expect("inside a loop");
        for b in ctx.breaks {
            self.patch_here(b);
        }
    }

    fn for_loop(
        &mut self,
        vars: &[ast::Ident],
        iterable: &Expr,
        body: &Block,
        is_await: bool,
        span: Span,
    ) {
        if is_await && !self.await_allowed() {
            self.error(CompileErrorKind::ForAwaitOutsideAsync, span);
        }
        self.begin_scope();
        let head;
        let mut close = None;
        // The `UndefJump` that leaves a `for await` over a closed channel.
        // Kept here, not in the function state: loops nest.
        let mut closed_exit = None;
        match &iterable.kind {
            ExprKind::Range {
                start,
                end,
                inclusive,
            } if !is_await && vars.len() == 1 => {
                // A counting loop: no range object, no iterator object.
                self.expr(start);
                self.expr(end);
                self.emit(Op::RangeBounds(*inclusive), iterable.span);
                let slot = self.declare_hidden("$next", iterable.span);
                self.declare_hidden("$end", iterable.span);
                head = self.emit_jump(|t| Op::ForRange(Slot(0), t), iterable.span);
                self.f().chunk.code[head] = Op::ForRange(Slot(slot), Target(u32::MAX));
            }
            _ => {
                self.expr(iterable);
                if is_await {
                    self.emit(Op::GetAsyncIter, iterable.span);
                } else {
                    self.emit(Op::IterPrep, iterable.span);
                    self.emit(Op::GetIter, iterable.span);
                }
                let slot = self.declare_hidden("$iter", iterable.span);
                // A generator being driven is closed when the loop is left
                // early, by `break`, `return` or an error.
                let handlers_before = self.fr().handlers;
                self.f().tries.push(TryCtx {
                    cleanup: Cleanup::CloseIter(slot),
                    handlers_before,
                });
                self.f().handlers += 1;
                close = Some((slot, self.emit_jump(Op::PushHandler, iterable.span)));
                if is_await {
                    //   head: AsyncNext slot, exit   ; generator: resumes it (value lands after UndefJump)
                    //         Await                  ; channel: awaits its receive
                    //         UndefJump exit         ; closed and drained: leave the loop
                    head = self.emit(Op::AsyncNext(Slot(slot), Target(u32::MAX)), iterable.span);
                    self.emit(Op::Await, iterable.span);
                    closed_exit = Some(self.emit_jump(Op::UndefJump, iterable.span));
                } else {
                    head = self.emit(Op::ForIter(Slot(slot), Target(u32::MAX)), iterable.span);
                }
            }
        }
        self.push_loop(head);
        self.begin_scope();
        match vars {
            [one] => {
                self.declare_local(&one.name, one.span);
            }
            many => {
                let n = self.operand(many.len(), Limit::PatternNames, iterable.span);
                self.emit(Op::Unpack(n, false), iterable.span);
                for v in many {
                    self.declare_local(&v.name, v.span);
                }
            }
        }
        for s in &body.stmts {
            self.stmt(s);
        }
        self.end_scope(end_of(body.span));
        self.emit(Op::Loop(Target(head as u32)), end_of(body.span));
        self.patch_here(head);
        if let Some(j) = closed_exit {
            self.patch_here(j);
        }
        self.pop_loop();
        if let Some((slot, handler)) = close {
            //     PopHandler 1; CloseIter; Jump end
            // err: CloseIter; Rethrow          ; thrown value on the stack
            // end:
            self.emit(Op::PopHandler(1), end_of(span));
            self.f().handlers -= 1;
            self.f().tries.pop();
            self.emit(Op::CloseIter(Slot(slot)), end_of(span));
            let end = self.emit_jump(Op::Jump, end_of(span));
            self.patch_here(handler);
            let err = self.declare_hidden("$err", end_of(span));
            self.emit(Op::CloseIter(Slot(slot)), end_of(span));
            self.emit(Op::GetLocal(Slot(err)), end_of(span));
            self.emit(Op::Rethrow, end_of(span));
            let keep = self.fr().locals.len() - 1;
            self.retire_locals(keep);
            self.patch_here(end);
        }
        self.end_scope(end_of(span));
    }

    fn break_or_continue(&mut self, is_break: bool, span: Span) {
        let Some(ctx) = self.fr().loops.last() else {
            let kind = if is_break {
                CompileErrorKind::BreakOutsideLoop
            } else {
                CompileErrorKind::ContinueOutsideLoop
            };
            self.error(kind, span);
            return;
        };
        let (keep, tries, target) = (ctx.locals, ctx.tries, ctx.continue_target);
        self.exit_tries(tries, span);
        let n = self.fr().locals.len() - keep;
        if n > 0 {
            self.emit_pop(n, span);
        }
        if is_break {
            let j = self.emit_jump(Op::Jump, span);
            self.f()
                .loops
                .last_mut()
                .expect("checked above")
                .breaks
                .push(j);
        } else {
            self.emit(Op::Loop(Target(target as u32)), span);
        }
    }

    /// Before leaving `try` statements by a jump (`break`, `continue`,
    /// `return`): removes their handlers and runs their `finally` bodies,
    /// innermost first, down to `depth` open tries.
    fn exit_tries(&mut self, depth: usize, span: Span) {
        let saved_handlers = self.fr().handlers;
        let mut i = self.fr().tries.len();
        while i > depth {
            i -= 1;
            let before = self.fr().tries[i].handlers_before;
            let pops = self.fr().handlers - before;
            if pops > 0 {
                let pops = self.operand(pops as usize, Limit::Handlers, span);
                self.emit(Op::PopHandler(pops), span);
            }
            self.f().handlers = before;
            match self.fr().tries[i].cleanup.clone() {
                Cleanup::None => {}
                Cleanup::Finally(finally) => {
                    // The finally body runs outside its own try.
                    let outer: Vec<TryCtx> = self.f().tries.drain(i..).collect();
                    self.block(&finally);
                    self.f().tries.extend(outer);
                }
                Cleanup::CloseIter(slot) => {
                    self.emit(Op::CloseIter(Slot(slot)), span);
                }
            }
        }
        self.f().handlers = saved_handlers;
    }

    fn return_stmt(&mut self, value: Option<&Expr>, span: Span) {
        match value {
            Some(v) => self.expr(v),
            None => {
                self.emit(Op::Nil, span);
            }
        }
        if self.fr().tries.is_empty() {
            self.emit(Op::Return, span);
            return;
        }
        let keep = self.fr().locals.len();
        let slot = self.declare_hidden("$ret", span);
        self.exit_tries(0, span);
        self.emit(Op::GetLocal(Slot(slot)), span);
        self.emit(Op::Return, span);
        self.retire_locals(keep);
    }

    fn try_stmt(
        &mut self,
        body: &Block,
        catch: Option<&ast::CatchClause>,
        finally: Option<&Block>,
        span: Span,
    ) {
        let handlers_before = self.fr().handlers;
        self.f().tries.push(TryCtx {
            cleanup: match finally {
                Some(b) => Cleanup::Finally(b.clone()),
                None => Cleanup::None,
            },
            handlers_before,
        });
        let fin_handler = finally.map(|_| {
            self.f().handlers += 1;
            self.emit_jump(Op::PushHandler, span)
        });
        let catch_handler = catch.map(|_| {
            self.f().handlers += 1;
            self.emit_jump(Op::PushHandler, span)
        });
        self.block(body);
        if let (Some(clause), Some(h)) = (catch, catch_handler) {
            self.emit(Op::PopHandler(1), end_of(body.span));
            self.f().handlers -= 1;
            let ok = self.emit_jump(Op::Jump, end_of(body.span));
            self.patch_here(h);
            self.begin_scope();
            match &clause.name {
                Some(name) => {
                    self.declare_local(&name.name, name.span);
                }
                None => {
                    self.declare_hidden("$caught", clause.body.span);
                }
            }
            for s in &clause.body.stmts {
                self.stmt(s);
            }
            self.end_scope(end_of(clause.body.span));
            self.patch_here(ok);
        }
        self.f().tries.pop();
        if let (Some(finally), Some(h)) = (finally, fin_handler) {
            self.emit(Op::PopHandler(1), finally.span);
            self.f().handlers -= 1;
            self.block(finally);
            let end = self.emit_jump(Op::Jump, finally.span);
            self.patch_here(h);
            self.begin_scope();
            let slot = self.declare_hidden("$err", finally.span);
            for s in &finally.stmts {
                self.stmt(s);
            }
            self.emit(Op::GetLocal(Slot(slot)), finally.span);
            self.emit(Op::Rethrow, finally.span);
            let keep = self.fr().locals.len() - 1;
            self.f().scope_depth -= 1;
            self.retire_locals(keep);
            self.patch_here(end);
        }
    }

    /// `fn name() {}`: binds a closure to the name. A local function can
    /// call itself: its name is declared before its body is compiled.
    pub(super) fn fn_declaration(&mut self, decl: &Rc<ast::FnDecl>, span: Span) {
        let Some(name) = &decl.name else { return };
        if self.at_module_top() {
            let idx = self.function(decl, Some(Rc::from(name.name.as_str())), None);
            self.emit(Op::Closure(idx), span);
            let g = self
                .global_index(&name.name)
                .unwrap_or_else(|| self.add_global(&name.name));
            self.emit(Op::SetGlobal(g), span);
        } else {
            self.emit(Op::Nil, span);
            let slot = self.declare_local(&name.name, name.span);
            let idx = self.function(decl, Some(Rc::from(name.name.as_str())), None);
            self.emit(Op::Closure(idx), span);
            let index = self.fr().locals.len() - 1;
            self.emit_set(Resolved::Local(slot, index), &name.name, span);
        }
    }

    fn class(&mut self, decl: &ast::ClassDecl, span: Span) {
        let name = &decl.name;
        let top = self.at_module_top();
        let local = if top {
            None
        } else {
            self.emit(Op::Nil, span);
            let slot = self.declare_local(&name.name, name.span);
            Some((slot, self.fr().locals.len() - 1))
        };
        self.begin_scope();
        if let Some(sup) = &decl.superclass {
            self.expr(sup);
            let slot = self.declare_local("super", sup.span);
            let index = self.fr().locals.len() - 1;
            self.emit_get(Resolved::Local(slot, index), sup.span);
        }
        let k = self.str_const(&name.name, name.span);
        self.emit(Op::Class(k, decl.superclass.is_some()), span);
        let mut seen: Vec<&str> = Vec::new();
        for method in &decl.methods {
            let Some(mname) = &method.name else { continue };
            if seen.contains(&mname.name.as_str()) {
                self.error(
                    CompileErrorKind::DuplicateMethod(mname.name.clone()),
                    mname.span,
                );
            }
            seen.push(&mname.name);
            let owner: Rc<str> = Rc::from(method_owner(&name.name, self.source));
            let idx = self.function(method, Some(Rc::from(mname.name.as_str())), Some(owner));
            self.emit(Op::Closure(idx), method.span);
            let sym = self.symbols.borrow_mut().intern(&mname.name);
            self.emit(Op::Method(sym), method.span);
        }
        match local {
            None => {
                let g = self
                    .global_index(&name.name)
                    .unwrap_or_else(|| self.add_global(&name.name));
                self.emit(Op::SetGlobal(g), span);
            }
            Some((slot, index)) => self.emit_set(Resolved::Local(slot, index), &name.name, span),
        }
        self.end_scope(span);
    }

    fn import(&mut self, import: &ast::Import, span: Span) {
        let Some(binding) = import_binding(import) else {
            if let ast::ImportSource::Path(p, pspan) = &import.source {
                self.error(CompileErrorKind::BadImportName(p.clone()), *pspan);
            }
            return;
        };
        match (self.resolve_import)(import, span) {
            Ok(ImportTarget::Module(i)) => {
                self.emit(Op::Import(i), span);
            }
            Ok(ImportTarget::Native(name)) => {
                let k = self.str_const(&name, span);
                self.emit(Op::ImportNative(k), span);
            }
            Err(e) => {
                self.errors.push(e);
                self.emit(Op::Nil, span);
            }
        }
        let bind_span = import.alias.as_ref().map(|a| a.span).unwrap_or(span);
        self.bind_name(&binding, bind_span);
    }
}

pub(super) fn binop(op: ast::BinOp) -> Op {
    match op {
        ast::BinOp::Add => Op::Add,
        ast::BinOp::Sub => Op::Sub,
        ast::BinOp::Mul => Op::Mul,
        ast::BinOp::Div => Op::Div,
        ast::BinOp::Mod => Op::Mod,
        ast::BinOp::Eq => Op::Eq,
        ast::BinOp::Ne => Op::Ne,
        ast::BinOp::Lt => Op::Lt,
        ast::BinOp::Le => Op::Le,
        ast::BinOp::Gt => Op::Gt,
        ast::BinOp::Ge => Op::Ge,
        ast::BinOp::Is => Op::Is,
    }
}

/// A zero-width span at the end of `span` (for code emitted at a closing brace).
fn end_of(span: Span) -> Span {
    Span {
        start: span.end.saturating_sub(1),
        end: span.end,
    }
}

/// The class name traces and arity errors give a method (`Point.get`). The
/// prelude's `ListMethods` & co. lend their methods to a built-in type
/// (`stdlib::adopt_prelude`), so their methods are named after the type the
/// user called them on: `list.reduce() takes 2 arguments`.
fn method_owner(class: &str, source: crate::span::SourceId) -> String {
    // The prelude is always the first source of a program (`driver`).
    match class.strip_suffix("Methods") {
        Some(type_name) if source == crate::span::SourceId(0) => type_name.to_lowercase(),
        _ => class.to_string(),
    }
}
