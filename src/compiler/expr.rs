//! Expressions, and function bodies (declarations, methods and lambdas).
//!
//! Short-circuit operators keep the deciding operand:
//!
//! ```text
//! a && b:   <a>  AndJump end  <b>  end:     ; AndJump keeps a falsy `a` and jumps
//! a || b:   <a>  OrJump end   <b>  end:     ; OrJump keeps a truthy `a` and jumps
//! ```

use super::error::{CompileErrorKind, Limit};
use super::scope::{FnState, Resolved};
use super::stmt::binop;
use super::Compiler;
use crate::ast::{self, Expr, ExprKind, FnDecl, InterpPart, Stmt, StmtKind, UnOp};
use crate::bytecode::{Constant, FnKind, Op, Site, Slot};
use crate::span::Span;
use std::rc::Rc;

impl Compiler<'_> {
    pub(super) fn expr(&mut self, e: &Expr) {
        let span = e.span;
        match &e.kind {
            ExprKind::Nil => {
                self.emit(Op::Nil, span);
            }
            ExprKind::Bool(true) => {
                self.emit(Op::True, span);
            }
            ExprKind::Bool(false) => {
                self.emit(Op::False, span);
            }
            ExprKind::Int(n) => {
                if let Ok(small) = i32::try_from(*n) {
                    self.emit(Op::Int(small), span);
                } else {
                    let k = self.constant(Constant::Int(*n), span);
                    self.emit(Op::Const(k), span);
                }
            }
            ExprKind::Float(x) => {
                let k = self.constant(Constant::Float(*x), span);
                self.emit(Op::Const(k), span);
            }
            ExprKind::Str(s) => {
                let k = self.str_const(s, span);
                self.emit(Op::Const(k), span);
            }
            ExprKind::Interp(parts) => {
                for part in parts {
                    match part {
                        InterpPart::Text(t) => {
                            let k = self.str_const(t, span);
                            self.emit(Op::Const(k), span);
                        }
                        InterpPart::Expr(inner) => self.expr(inner),
                    }
                }
                let n = self.operand(parts.len(), Limit::InterpParts, span);
                self.emit(Op::Interp(n), span);
            }
            ExprKind::Name(id) => self.get_name(id),
            ExprKind::SelfRef => self.self_ref(span),
            ExprKind::Super(name) => {
                if self.super_allowed() {
                    self.self_ref(span);
                }
                if self.super_ref(span) {
                    let sym = self.symbols.borrow_mut().intern(&name.name);
                    self.emit(Op::GetSuper(sym), span);
                }
            }
            ExprKind::List(items) => {
                for item in items {
                    self.expr(item);
                }
                self.count_op(items.len(), Op::List, span);
            }
            ExprKind::Map(pairs) => {
                for (k, v) in pairs {
                    self.expr(k);
                    self.expr(v);
                }
                self.count_op(pairs.len(), Op::Map, span);
            }
            ExprKind::Unary(op, operand) => {
                self.expr(operand);
                self.emit(
                    match op {
                        UnOp::Neg => Op::Neg,
                        UnOp::Not => Op::Not,
                    },
                    span,
                );
            }
            ExprKind::Binary(op, a, b) => {
                self.expr(a);
                self.expr(b);
                self.emit(binop(*op), span);
            }
            ExprKind::And(a, b) => {
                self.expr(a);
                let j = self.emit_jump(Op::AndJump, span);
                self.expr(b);
                self.patch_here(j);
            }
            ExprKind::Or(a, b) => {
                self.expr(a);
                let j = self.emit_jump(Op::OrJump, span);
                self.expr(b);
                self.patch_here(j);
            }
            ExprKind::Range {
                start,
                end,
                inclusive,
            } => {
                self.expr(start);
                self.expr(end);
                self.emit(Op::Range(*inclusive), span);
            }
            ExprKind::Call { callee, args } => {
                if let ExprKind::Super(name) = &callee.kind {
                    if self.super_allowed() {
                        self.self_ref(callee.span);
                    }
                    let n = self.args(args, span);
                    if self.super_ref(callee.span) {
                        let sym = self.symbols.borrow_mut().intern(&name.name);
                        self.emit(Op::SuperInvoke(sym, n), span);
                    }
                } else {
                    self.expr(callee);
                    let n = self.args(args, span);
                    self.emit(Op::Call(n), span);
                }
            }
            ExprKind::MethodCall {
                receiver,
                name,
                args,
            } => {
                self.expr(receiver);
                let n = self.args(args, span);
                let sym = self.symbols.borrow_mut().intern(&name.name);
                self.emit(Op::Invoke(sym, n, Site::NONE), span);
            }
            ExprKind::Field { target, name } => {
                self.expr(target);
                let sym = self.symbols.borrow_mut().intern(&name.name);
                self.emit(Op::GetField(sym, Site::NONE), span);
            }
            ExprKind::Index { target, index } => {
                self.expr(target);
                self.expr(index);
                self.emit(Op::GetIndex, span);
            }
            ExprKind::Slice { target, start, end } => {
                self.expr(target);
                if let Some(s) = start {
                    self.expr(s);
                }
                if let Some(e) = end {
                    self.expr(e);
                }
                self.emit(
                    Op::Slice {
                        has_start: start.is_some(),
                        has_end: end.is_some(),
                    },
                    span,
                );
            }
            ExprKind::Lambda(decl) => {
                let idx = self.function(decl, None, None);
                self.emit(Op::Closure(idx), span);
            }
            ExprKind::Await(inner) => {
                if !self.await_allowed() {
                    self.error(CompileErrorKind::AwaitOutsideAsync, span);
                }
                self.expr(inner);
                self.emit(Op::Await, span);
            }
            ExprKind::Spawn(inner) => {
                self.expr(inner);
                self.emit(Op::Spawn, span);
            }
            ExprKind::Yield(value) => {
                if self.fr().is_module {
                    self.error(CompileErrorKind::YieldOutsideFunction, span);
                }
                match value {
                    Some(v) => self.expr(v),
                    None => {
                        self.emit(Op::Nil, span);
                    }
                }
                self.emit(Op::Yield, span);
            }
        }
    }

    /// Compiles call arguments; returns their count as an operand.
    fn args(&mut self, args: &[Expr], span: Span) -> u8 {
        let n = self.operand(args.len(), Limit::Arguments, span);
        for a in args {
            self.expr(a);
        }
        n
    }

    fn count_op(&mut self, n: usize, make: fn(u32) -> Op, span: Span) {
        let n = self.operand(n, Limit::Elements, span);
        self.emit(make(n), span);
    }

    /// Whether `await` may appear here: in an async function, or at the top
    /// level of the main script.
    pub(super) fn await_allowed(&self) -> bool {
        let f = self.fr();
        f.is_async() || (f.is_module && f.is_main_module)
    }

    fn self_ref(&mut self, span: Span) {
        match self.resolve("self") {
            Some(r @ (Resolved::Local(..) | Resolved::Upval(_))) => self.emit_get(r, span),
            _ => self.error(CompileErrorKind::SelfOutsideMethod, span),
        }
    }

    /// Whether `super` is inside a method. Checked before `self` is pushed
    /// for it, so that `super` outside a class is reported as such once,
    /// not as a `self` outside a method.
    fn super_allowed(&self) -> bool {
        self.fns.iter().any(|f| f.is_method)
    }

    /// Pushes the superclass of the enclosing class; false after reporting
    /// an error.
    fn super_ref(&mut self, span: Span) -> bool {
        if !self.super_allowed() {
            self.error(CompileErrorKind::SuperOutsideMethod, span);
            return false;
        }
        match self.resolve("super") {
            Some(r @ (Resolved::Local(..) | Resolved::Upval(_))) => {
                self.emit_get(r, span);
                true
            }
            _ => {
                self.error(CompileErrorKind::SuperWithoutSuperclass, span);
                false
            }
        }
    }

    /// Compiles a function body into a nested prototype of the current
    /// function; returns its index for `Op::Closure`.
    pub(super) fn function(
        &mut self,
        decl: &FnDecl,
        name: Option<Rc<str>>,
        owner: Option<Rc<str>>,
    ) -> u32 {
        let is_method = owner.is_some();
        let has_yield = decl.body.iter().any(stmt_yields)
            || decl
                .params
                .iter()
                .any(|p| p.default.as_ref().is_some_and(expr_yields));
        let kind = match (decl.is_async, has_yield) {
            (false, false) => FnKind::Plain,
            (false, true) => FnKind::Generator,
            (true, false) => FnKind::Async,
            (true, true) => FnKind::AsyncGenerator,
        };
        self.fns.push(FnState::new(
            name,
            kind,
            is_method,
            false,
            false,
            self.source,
            decl.span,
        ));
        self.f().owner = owner;
        self.f().error_marks[0] = self.errors.len();
        if is_method {
            self.declare_local("self", decl.span);
        } else {
            self.declare_hidden("", decl.span);
        }
        let params: u8 = self.operand(decl.params.len(), Limit::Parameters, decl.span);
        let mut seen_default = false;
        let mut required = 0u8;
        let mut seen = rustc_hash::FxHashSet::default();
        for (i, p) in decl.params.iter().enumerate() {
            if !seen.insert(p.name.name.as_str()) {
                self.error(
                    CompileErrorKind::DuplicateParam(p.name.name.clone()),
                    p.name.span,
                );
            }
            match &p.default {
                Some(d) => {
                    seen_default = true;
                    let at = self.emit_jump(|t| Op::ArgGiven(0, t), p.name.span);
                    let index = u8::try_from(i).unwrap_or(u8::MAX);
                    self.f().chunk.code[at] =
                        Op::ArgGiven(index, crate::bytecode::Target(u32::MAX));
                    self.expr(d);
                    let slot = u16::try_from(i + 1).unwrap_or(u16::MAX);
                    self.emit(Op::SetLocal(Slot(slot)), d.span);
                    self.patch_here(at);
                }
                None => {
                    if seen_default {
                        self.error(
                            CompileErrorKind::RequiredAfterDefault(p.name.name.clone()),
                            p.name.span,
                        );
                    }
                    required = required.saturating_add(1);
                }
            }
            self.declare_local(&p.name.name, p.name.span);
        }
        if let Some(rest) = &decl.rest {
            if seen.contains(rest.name.as_str()) {
                self.error(
                    CompileErrorKind::DuplicateParam(rest.name.clone()),
                    rest.span,
                );
            }
            self.declare_local(&rest.name, rest.span);
        }
        {
            let f = self.f();
            f.params = params;
            f.required = required;
            f.has_rest = decl.rest.is_some();
        }
        for s in &decl.body {
            self.stmt(s);
        }
        let end = Span {
            start: decl.span.end.saturating_sub(1),
            end: decl.span.end,
        };
        let proto = self.finish_function(end);
        let index = self.fr().chunk.protos.len();
        let index = self.operand(index, Limit::Functions, decl.span);
        self.f().chunk.protos.push(proto);
        index
    }
}

/// Whether a statement contains a `yield` of its own function (not one of a
/// nested function).
fn stmt_yields(s: &Stmt) -> bool {
    match &s.kind {
        StmtKind::Let { value, .. } => value.as_ref().is_some_and(expr_yields),
        StmtKind::Assign { target, value, .. } => expr_yields(target) || expr_yields(value),
        StmtKind::Expr(e) | StmtKind::Throw(e) => expr_yields(e),
        StmtKind::If {
            cond,
            then_block,
            else_block,
        } => {
            expr_yields(cond)
                || block_yields(then_block)
                || else_block.as_ref().is_some_and(block_yields)
        }
        StmtKind::While { cond, body } => expr_yields(cond) || block_yields(body),
        StmtKind::For { iterable, body, .. } => expr_yields(iterable) || block_yields(body),
        StmtKind::Return(v) => v.as_ref().is_some_and(expr_yields),
        StmtKind::Try {
            body,
            catch,
            finally,
        } => {
            block_yields(body)
                || catch.as_ref().is_some_and(|c| block_yields(&c.body))
                || finally.as_ref().is_some_and(block_yields)
        }
        StmtKind::Class(c) => c.superclass.as_ref().is_some_and(expr_yields),
        StmtKind::Break | StmtKind::Continue | StmtKind::Fn(_) | StmtKind::Import(_) => false,
    }
}

fn block_yields(b: &ast::Block) -> bool {
    b.stmts.iter().any(stmt_yields)
}

fn expr_yields(e: &Expr) -> bool {
    if matches!(e.kind, ExprKind::Yield(_)) {
        return true;
    }
    let mut found = false;
    e.for_each_child(|c| found = found || expr_yields(c));
    found
}
