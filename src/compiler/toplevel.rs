//! Which top-level variables of the main script can live in stack slots.
//!
//! A module's top-level `let` names are module globals: functions read
//! them by slot, and importers read them by name. The main script, though,
//! is imported by nobody (an import of it is always a cycle), so a
//! top-level variable that no function, method or lambda mentions is only
//! ever touched by the module body itself. Such a variable becomes a local
//! of the module body, and a loop at the top of a script runs as fast as
//! one inside a function (fused instructions work on locals only).
//!
//! A mention of the name before its `let` still reads the (never set)
//! global, so it stays a runtime `NameError`, as the language requires.

use crate::ast::{Block, Expr, ExprKind, FnDecl, Pattern, Stmt, StmtKind};
use rustc_hash::{FxHashMap, FxHashSet};

/// The names declared by exactly one top-level `let name = ...` of `body`
/// (a plain name, not a list pattern) that no function in the module
/// mentions and no `fn`, `class` or `import` also declares.
pub(super) fn slot_variables(body: &[Stmt]) -> FxHashSet<String> {
    let mut lets: FxHashMap<&str, usize> = FxHashMap::default();
    let mut other: FxHashSet<&str> = FxHashSet::default();
    let mut imported: FxHashSet<String> = FxHashSet::default();
    for stmt in body {
        match &stmt.kind {
            StmtKind::Let {
                pattern: Pattern::Name(id),
                ..
            } => *lets.entry(id.name.as_str()).or_default() += 1,
            StmtKind::Let { pattern, .. } => pattern_names(pattern, &mut other),
            StmtKind::Fn(decl) => {
                if let Some(name) = &decl.name {
                    other.insert(name.name.as_str());
                }
            }
            StmtKind::Class(decl) => {
                other.insert(decl.name.name.as_str());
            }
            StmtKind::Import(import) => {
                if let Some(name) = super::import_binding(import) {
                    imported.insert(name);
                }
            }
            _ => {}
        }
    }
    let mut mentioned = FxHashSet::default();
    for stmt in body {
        stmt_names(stmt, false, &mut mentioned);
    }
    body.iter()
        .filter_map(|stmt| match &stmt.kind {
            StmtKind::Let {
                pattern: Pattern::Name(id),
                ..
            } => Some(id.name.as_str()),
            _ => None,
        })
        .filter(|name| {
            lets.get(name) == Some(&1)
                && !other.contains(name)
                && !imported.contains(*name)
                && !mentioned.contains(name)
        })
        .take(MAX_SLOT_VARIABLES)
        .map(str::to_string)
        .collect()
}

/// At most this many script variables take stack slots, the first ones
/// declared: the rest stay globals, so that the module body keeps room
/// for its block locals and every slot fits a fused instruction's
/// one-byte operand.
const MAX_SLOT_VARIABLES: usize = 200;

fn pattern_names<'a>(pattern: &'a Pattern, out: &mut FxHashSet<&'a str>) {
    match pattern {
        Pattern::Name(id) => {
            out.insert(id.name.as_str());
        }
        Pattern::List { items, rest, .. } => {
            for p in items {
                pattern_names(p, out);
            }
            if let Some(r) = rest {
                out.insert(r.name.as_str());
            }
        }
    }
}

/// Collects into `out` every name mentioned inside a function body (or a
/// parameter default) within `stmt`; `in_fn` says whether `stmt` itself is
/// inside one. Shadowing is ignored: a mention always counts.
fn stmt_names<'a>(stmt: &'a Stmt, in_fn: bool, out: &mut FxHashSet<&'a str>) {
    let expr = |e: &'a Expr, out: &mut FxHashSet<&'a str>| expr_names(e, in_fn, out);
    match &stmt.kind {
        StmtKind::Let { value, .. } => {
            if let Some(v) = value {
                expr(v, out);
            }
        }
        StmtKind::Assign { target, value, .. } => {
            expr(target, out);
            expr(value, out);
        }
        StmtKind::Expr(e) | StmtKind::Throw(e) | StmtKind::Return(Some(e)) => expr(e, out),
        StmtKind::Return(None) | StmtKind::Break | StmtKind::Continue | StmtKind::Import(_) => {}
        StmtKind::If {
            cond,
            then_block,
            else_block,
        } => {
            expr(cond, out);
            block_names(then_block, in_fn, out);
            if let Some(b) = else_block {
                block_names(b, in_fn, out);
            }
        }
        StmtKind::While { cond, body } => {
            expr(cond, out);
            block_names(body, in_fn, out);
        }
        StmtKind::For { iterable, body, .. } => {
            expr(iterable, out);
            block_names(body, in_fn, out);
        }
        StmtKind::Try {
            body,
            catch,
            finally,
        } => {
            block_names(body, in_fn, out);
            if let Some(c) = catch {
                block_names(&c.body, in_fn, out);
            }
            if let Some(f) = finally {
                block_names(f, in_fn, out);
            }
        }
        StmtKind::Fn(decl) => fn_names(decl, out),
        StmtKind::Class(decl) => {
            if let Some(s) = &decl.superclass {
                expr(s, out);
            }
            for m in &decl.methods {
                fn_names(m, out);
            }
        }
    }
}

fn block_names<'a>(block: &'a Block, in_fn: bool, out: &mut FxHashSet<&'a str>) {
    for stmt in &block.stmts {
        stmt_names(stmt, in_fn, out);
    }
}

fn fn_names<'a>(decl: &'a FnDecl, out: &mut FxHashSet<&'a str>) {
    for p in &decl.params {
        if let Some(d) = &p.default {
            expr_names(d, true, out);
        }
    }
    for stmt in &decl.body {
        stmt_names(stmt, true, out);
    }
}

fn expr_names<'a>(e: &'a Expr, in_fn: bool, out: &mut FxHashSet<&'a str>) {
    match &e.kind {
        ExprKind::Name(id) if in_fn => {
            out.insert(id.name.as_str());
        }
        ExprKind::Lambda(decl) => fn_names(decl, out),
        _ => e.for_each_child(|c| expr_names(c, in_fn, out)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slots(src: &str) -> Vec<String> {
        let (module, _) = crate::parser::parse_source(src, crate::span::SourceId::default());
        let module = module.expect("parses");
        let mut names: Vec<String> = slot_variables(&module.body).into_iter().collect();
        names.sort();
        names
    }

    #[test]
    fn only_variables_no_function_mentions() {
        let src = "let a = 1\nlet b = 2\nlet c = 3\nlet d = 4\nlet e = 5\n\
                   fn f() { return b }\n\
                   let g = fn() => c\n\
                   class K { fn m(x = d) { return x } }\n\
                   while a < 10 { a = a + e }\n";
        assert_eq!(slots(src), ["a", "e", "g"]);
    }

    #[test]
    fn redeclared_and_pattern_names_stay_global() {
        let src = "let a = 1\nlet a = 2\nlet [b, c] = [1, 2]\nlet d = 3\nfn d2() {}\n";
        assert_eq!(slots(src), ["d"]);
    }
}
