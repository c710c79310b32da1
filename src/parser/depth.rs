//! Nesting limits, so that no input can overflow the Rust stack.
//!
//! Brackets deeper than [`MAX_DEPTH`] are refused before parsing (see
//! `delims.rs`), and operator chains longer than it are refused while parsing
//! (the grammar folds them iteratively, but the tree it builds would be that
//! deep). What remains is checked here on the finished tree: every tree the
//! parser returns is at most [`MAX_TREE_DEPTH`] nodes deep, so the compiler
//! and other recursive passes can walk it without a stack guard. A tree that
//! fails the check is taken apart iteratively, because even dropping it
//! recursively could overflow.

use crate::ast::{Block, Expr, ExprKind, FnDecl, InterpPart, Stmt, StmtKind};
use crate::span::Span;
use std::rc::Rc;

/// The most brackets that may be open at once, and the longest chain of
/// operators (`- - - x`, `a + b + ...`, `a.b.c...`) at one precedence level.
pub const MAX_DEPTH: usize = 256;

/// The deepest tree of statements and expressions the parser returns.
pub const MAX_TREE_DEPTH: usize = 1024;

/// Longest chain of one operator level (`a + b + ...`, `a.b().c()...`):
/// such chains nest in the tree, so they stay below [`MAX_TREE_DEPTH`].
pub const MAX_CHAIN: usize = 1000;

/// The span of the first node nested deeper than [`MAX_TREE_DEPTH`], if any.
/// The recursion is bounded by the limit itself.
pub(crate) fn find_too_deep(body: &[Stmt]) -> Option<Span> {
    body.iter().find_map(|s| stmt(s, 0).err())
}

fn block(b: &Block, d: usize) -> Result<(), Span> {
    b.stmts.iter().try_for_each(|s| stmt(s, d))
}

fn decl(f: &FnDecl, d: usize) -> Result<(), Span> {
    for p in &f.params {
        if let Some(e) = &p.default {
            expr(e, d)?;
        }
    }
    f.body.iter().try_for_each(|s| stmt(s, d))
}

fn stmt(s: &Stmt, d: usize) -> Result<(), Span> {
    if d > MAX_TREE_DEPTH {
        return Err(s.span);
    }
    let d = d + 1;
    match &s.kind {
        StmtKind::Let { value, .. } => value.iter().try_for_each(|e| expr(e, d)),
        StmtKind::Assign { target, value, .. } => {
            expr(target, d)?;
            expr(value, d)
        }
        StmtKind::Expr(e) | StmtKind::Throw(e) => expr(e, d),
        StmtKind::Return(e) => e.iter().try_for_each(|e| expr(e, d)),
        StmtKind::If {
            cond,
            then_block,
            else_block,
        } => {
            expr(cond, d)?;
            block(then_block, d)?;
            else_block.iter().try_for_each(|b| block(b, d))
        }
        StmtKind::While { cond, body } => {
            expr(cond, d)?;
            block(body, d)
        }
        StmtKind::For { iterable, body, .. } => {
            expr(iterable, d)?;
            block(body, d)
        }
        StmtKind::Try {
            body,
            catch,
            finally,
        } => {
            block(body, d)?;
            catch.iter().try_for_each(|c| block(&c.body, d))?;
            finally.iter().try_for_each(|b| block(b, d))
        }
        StmtKind::Fn(f) => decl(f, d),
        StmtKind::Class(c) => {
            c.superclass.iter().try_for_each(|e| expr(e, d))?;
            c.methods.iter().try_for_each(|m| decl(m, d))
        }
        StmtKind::Break | StmtKind::Continue | StmtKind::Import(_) => Ok(()),
    }
}

fn expr(e: &Expr, d: usize) -> Result<(), Span> {
    if d > MAX_TREE_DEPTH {
        return Err(e.span);
    }
    let d = d + 1;
    if let ExprKind::Lambda(f) = &e.kind {
        return decl(f, d);
    }
    let mut result = Ok(());
    e.for_each_child(|c| {
        if result.is_ok() {
            result = expr(c, d);
        }
    });
    result
}

/// Drops a tree without recursion: children are moved onto work lists before
/// their parent is dropped, so each drop only frees one level.
pub(crate) fn dismantle(body: Vec<Stmt>) {
    let mut stmts = body;
    let mut exprs: Vec<Expr> = Vec::new();
    let mut fns: Vec<Rc<FnDecl>> = Vec::new();
    loop {
        if let Some(e) = exprs.pop() {
            take_expr(e, &mut exprs, &mut fns);
        } else if let Some(s) = stmts.pop() {
            take_stmt(s, &mut stmts, &mut exprs, &mut fns);
        } else if let Some(f) = fns.pop() {
            if let Ok(f) = Rc::try_unwrap(f) {
                exprs.extend(f.params.into_iter().filter_map(|p| p.default));
                stmts.extend(f.body);
            }
        } else {
            break;
        }
    }
}

fn take_stmt(s: Stmt, stmts: &mut Vec<Stmt>, exprs: &mut Vec<Expr>, fns: &mut Vec<Rc<FnDecl>>) {
    match s.kind {
        StmtKind::Let { value, .. } => exprs.extend(value),
        StmtKind::Assign { target, value, .. } => exprs.extend([target, value]),
        StmtKind::Expr(e) | StmtKind::Throw(e) => exprs.push(e),
        StmtKind::Return(e) => exprs.extend(e),
        StmtKind::If {
            cond,
            then_block,
            else_block,
        } => {
            exprs.push(cond);
            stmts.extend(then_block.stmts);
            stmts.extend(else_block.into_iter().flat_map(|b| b.stmts));
        }
        StmtKind::While { cond, body } => {
            exprs.push(cond);
            stmts.extend(body.stmts);
        }
        StmtKind::For { iterable, body, .. } => {
            exprs.push(iterable);
            stmts.extend(body.stmts);
        }
        StmtKind::Try {
            body,
            catch,
            finally,
        } => {
            stmts.extend(body.stmts);
            stmts.extend(catch.into_iter().flat_map(|c| c.body.stmts));
            stmts.extend(finally.into_iter().flat_map(|b| b.stmts));
        }
        StmtKind::Fn(f) => fns.push(f),
        StmtKind::Class(c) => {
            if let Ok(c) = Rc::try_unwrap(c) {
                exprs.extend(c.superclass);
                fns.extend(c.methods);
            }
        }
        StmtKind::Break | StmtKind::Continue | StmtKind::Import(_) => {}
    }
}

fn take_expr(e: Expr, exprs: &mut Vec<Expr>, fns: &mut Vec<Rc<FnDecl>>) {
    match e.kind {
        ExprKind::Interp(parts) => exprs.extend(parts.into_iter().filter_map(|p| match p {
            InterpPart::Text(_) => None,
            InterpPart::Expr(e) => Some(e),
        })),
        ExprKind::List(items) => exprs.extend(items),
        ExprKind::Map(entries) => {
            for (k, v) in entries {
                exprs.extend([k, v]);
            }
        }
        ExprKind::Unary(_, x)
        | ExprKind::Await(x)
        | ExprKind::Spawn(x)
        | ExprKind::Field { target: x, .. } => exprs.push(*x),
        ExprKind::Yield(x) => exprs.extend(x.map(|x| *x)),
        ExprKind::Binary(_, a, b)
        | ExprKind::And(a, b)
        | ExprKind::Or(a, b)
        | ExprKind::Range {
            start: a, end: b, ..
        }
        | ExprKind::Index {
            target: a,
            index: b,
        } => exprs.extend([*a, *b]),
        ExprKind::Call { callee: x, args }
        | ExprKind::MethodCall {
            receiver: x, args, ..
        } => {
            exprs.push(*x);
            exprs.extend(args);
        }
        ExprKind::Slice { target, start, end } => {
            exprs.push(*target);
            exprs.extend(start.map(|x| *x));
            exprs.extend(end.map(|x| *x));
        }
        ExprKind::Lambda(f) => fns.push(f),
        ExprKind::Nil
        | ExprKind::Bool(_)
        | ExprKind::Int(_)
        | ExprKind::Float(_)
        | ExprKind::Str(_)
        | ExprKind::Name(_)
        | ExprKind::SelfRef
        | ExprKind::Super(_) => {}
    }
}
