//! What the language server knows about one file, from its syntax tree:
//! every declaration, every use of a name resolved to the declaration it
//! means, every member use (`x.name`, `self.name`, `super.name`) with what
//! its receiver is, and the scopes, so that completion can list the names
//! visible at a position.
//!
//! Names are resolved by the compiler's rules (LANGUAGE.md §4): a module's
//! top-level `let`, `fn`, `class` and `import` names are visible in the
//! whole module; locals are visible after their declaration, in their
//! block; a `fn` is visible inside its own body; parameters, `for` names
//! and a `catch` name belong to their function, loop or clause. A name
//! declared nowhere (a built-in, or a mistake the diagnostics report) has
//! no declaration here.

use crate::ast::{self, Block, ClassDecl, Expr, ExprKind, FnDecl, Pattern, Stmt, StmtKind};
use crate::span::Span;
use rustc_hash::FxHashMap;
use std::rc::Rc;

pub type DefId = usize;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefKind {
    Variable,
    Parameter,
    Function,
    Class,
    Method,
    /// A field, declared by its first `self.name = ...` in a method.
    Field,
    /// An imported module.
    Module,
}

#[derive(Clone, Debug)]
pub enum Detail {
    None,
    /// A `for` loop's name.
    Loop,
    /// The name a `catch` binds.
    Caught,
    Fn(Rc<FnDecl>),
    Class(Rc<ClassDecl>),
    Import(ast::ImportSource),
}

#[derive(Clone, Debug)]
pub struct Def {
    pub name: String,
    pub kind: DefKind,
    /// The name where it is declared.
    pub span: Span,
    /// The whole declaration (a symbol's range, where doc comments end).
    pub decl: Span,
    /// Declared at the top level of the module.
    pub global: bool,
    /// The class of a method or field; the function a nested declaration
    /// is in (for the outline).
    pub parent: Option<DefId>,
    /// Where the name starts being visible.
    pub visible_from: u32,
    /// The scope it is declared in (none for methods and fields).
    pub scope: Option<usize>,
    pub detail: Detail,
}

/// A use of a name, resolved.
#[derive(Clone, Copy, Debug)]
pub struct Ref {
    pub span: Span,
    pub def: DefId,
}

/// What the receiver of a member use is, as far as the file tells.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Receiver {
    /// `self` in a method (or a function nested in one) of this class.
    Instance(DefId),
    /// `super` in a method of this class.
    Super(DefId),
    /// A name declared in this file (an imported module, a class, ...).
    Def(DefId),
    Unknown,
}

#[derive(Clone, Debug)]
pub struct MemberUse {
    pub span: Span,
    pub name: String,
    pub receiver: Receiver,
}

#[derive(Clone, Debug)]
pub struct Scope {
    pub span: Span,
    pub parent: Option<usize>,
    pub defs: Vec<DefId>,
}

#[derive(Debug, Default)]
pub struct Analysis {
    pub defs: Vec<Def>,
    pub refs: Vec<Ref>,
    pub members: Vec<MemberUse>,
    pub scopes: Vec<Scope>,
    /// The superclass of each class that has one declared in this file.
    pub superclass: FxHashMap<DefId, DefId>,
    /// The superclass of each class whose base is a class of an imported
    /// module (`class Dog < util.Animal`): the module's declaration and the
    /// class name.
    pub foreign_superclass: FxHashMap<DefId, (DefId, String)>,
    /// The methods and fields each class declares itself, in order.
    own_members: FxHashMap<DefId, Vec<DefId>>,
}

/// Builds the analysis of a module whose text is `len` bytes long.
pub fn analyze(module: &ast::Module, len: usize) -> Analysis {
    let mut w = Walker {
        out: Analysis::default(),
        stack: Vec::new(),
        class: None,
        function: None,
    };
    w.push_scope(Span::new(0, len));
    for stmt in &module.body {
        w.declare_top(stmt);
    }
    for stmt in &module.body {
        w.stmt(stmt, true);
    }
    let mut out = w.out;
    for (i, d) in out.defs.iter().enumerate() {
        if let (Some(class), DefKind::Method | DefKind::Field) = (d.parent, d.kind) {
            out.own_members.entry(class).or_default().push(i);
        }
    }
    out
}

impl Analysis {
    /// The declaration named at `offset`, or the one the name used there
    /// means.
    pub fn def_at(&self, offset: u32) -> Option<DefId> {
        let inside = |s: Span| s.start <= offset && offset <= s.end;
        if let Some(r) = self.refs.iter().find(|r| inside(r.span)) {
            return Some(r.def);
        }
        self.defs.iter().position(|d| inside(d.span))
    }

    pub fn member_at(&self, offset: u32) -> Option<&MemberUse> {
        self.members
            .iter()
            .find(|m| m.span.start <= offset && offset <= m.span.end)
    }

    /// Every span naming `def`: its declaration, then its uses in order.
    pub fn occurrences(&self, def: DefId) -> Vec<Span> {
        let mut spans = vec![self.defs[def].span];
        spans.extend(self.refs.iter().filter(|r| r.def == def).map(|r| r.span));
        spans
    }

    /// The names visible at `offset`, innermost first, each name once.
    pub fn visible_at(&self, offset: u32) -> Vec<DefId> {
        let Some(mut scope) = self.innermost_scope(offset) else {
            return Vec::new();
        };
        let mut seen = rustc_hash::FxHashSet::default();
        let mut found = Vec::new();
        loop {
            let s = &self.scopes[scope];
            for &d in s.defs.iter().rev() {
                let def = &self.defs[d];
                if def.visible_from <= offset && seen.insert(def.name.as_str()) {
                    found.push(d);
                }
            }
            match s.parent {
                Some(p) => scope = p,
                None => return found,
            }
        }
    }

    fn innermost_scope(&self, offset: u32) -> Option<usize> {
        self.scopes
            .iter()
            .enumerate()
            .filter(|(_, s)| s.span.start <= offset && offset <= s.span.end)
            .min_by_key(|(_, s)| s.span.len())
            .map(|(i, _)| i)
    }

    /// The enclosing class of a method body at `offset`, if any.
    pub fn class_at(&self, offset: u32) -> Option<DefId> {
        self.defs
            .iter()
            .enumerate()
            .filter(|(_, d)| d.kind == DefKind::Class)
            .filter(|(_, d)| d.decl.start <= offset && offset <= d.decl.end)
            .min_by_key(|(_, d)| d.decl.len())
            .map(|(i, _)| i)
    }

    /// A top-level declaration by name.
    pub fn top_level(&self, name: &str) -> Option<DefId> {
        self.defs.iter().position(|d| d.global && d.name == name)
    }

    /// The methods and fields of `class` and its superclasses (those
    /// declared in this file), nearest first, each name once.
    pub fn class_members(&self, class: DefId) -> Vec<DefId> {
        let mut seen = rustc_hash::FxHashSet::default();
        let mut out = Vec::new();
        for c in self.class_chain(class) {
            for &i in self.own_members.get(&c).into_iter().flatten() {
                if seen.insert(self.defs[i].name.as_str()) {
                    out.push(i);
                }
            }
        }
        out
    }

    /// `class`, its superclass, and so on (a cycle is cut).
    pub fn class_chain(&self, class: DefId) -> Vec<DefId> {
        let mut chain = vec![class];
        while let Some(&up) = self.superclass.get(chain.last().unwrap_or(&class)) {
            if chain.contains(&up) {
                break;
            }
            chain.push(up);
        }
        chain
    }

    /// The member `name` of `class` or its nearest superclass declaring it;
    /// methods before fields.
    pub fn find_member(&self, class: DefId, name: &str) -> Option<DefId> {
        self.class_members(class)
            .into_iter()
            .find(|&d| self.defs[d].name == name)
    }

    /// The methods named `name` of every class in the file.
    pub fn methods_named(&self, name: &str) -> Vec<DefId> {
        (0..self.defs.len())
            .filter(|&d| self.defs[d].kind == DefKind::Method && self.defs[d].name == name)
            .collect()
    }
}

struct Walker {
    out: Analysis,
    /// Open scopes, innermost last, each with its names.
    stack: Vec<(usize, FxHashMap<String, DefId>)>,
    /// The class whose method is being walked.
    class: Option<DefId>,
    /// The named function being walked (the parent of nested declarations).
    function: Option<DefId>,
}

impl Walker {
    fn push_scope(&mut self, span: Span) {
        let parent = self.stack.last().map(|(s, _)| *s);
        self.out.scopes.push(Scope {
            span,
            parent,
            defs: Vec::new(),
        });
        self.stack
            .push((self.out.scopes.len() - 1, FxHashMap::default()));
    }

    fn pop_scope(&mut self) {
        self.stack.pop();
    }

    fn add_def(&mut self, def: Def) -> DefId {
        self.out.defs.push(def);
        self.out.defs.len() - 1
    }

    /// Declares a name in the innermost scope.
    fn declare(&mut self, mut def: Def) -> DefId {
        def.scope = self.stack.last().map(|(s, _)| *s);
        let name = def.name.clone();
        let id = self.add_def(def);
        if let Some((scope, names)) = self.stack.last_mut() {
            names.insert(name, id);
            self.out.scopes[*scope].defs.push(id);
        }
        id
    }

    fn def(&self, id: &ast::Ident, kind: DefKind, decl: Span, from: u32, detail: Detail) -> Def {
        Def {
            name: id.name.clone(),
            kind,
            span: id.span,
            decl,
            global: self.stack.len() == 1,
            parent: self.function,
            visible_from: from,
            scope: None,
            detail,
        }
    }

    fn resolve(&self, name: &str) -> Option<DefId> {
        self.stack
            .iter()
            .rev()
            .find_map(|(_, names)| names.get(name).copied())
    }

    fn use_name(&mut self, id: &ast::Ident) {
        if let Some(def) = self.resolve(&id.name) {
            self.out.refs.push(Ref { span: id.span, def });
        }
    }

    /// Top-level names are visible in the whole module.
    fn declare_top(&mut self, stmt: &Stmt) {
        match &stmt.kind {
            StmtKind::Let { pattern, .. } => self.declare_pattern(pattern, stmt.span, 0),
            StmtKind::Fn(f) => {
                if let Some(name) = &f.name {
                    let d = self.def(name, DefKind::Function, f.span, 0, Detail::Fn(f.clone()));
                    self.declare(d);
                }
            }
            StmtKind::Class(c) => {
                let d = self.def(&c.name, DefKind::Class, c.span, 0, Detail::Class(c.clone()));
                self.declare(d);
            }
            StmtKind::Import(import) => self.declare_import(import, stmt.span, 0),
            _ => {}
        }
    }

    fn declare_import(&mut self, import: &ast::Import, decl: Span, from: u32) {
        let Some(binding) = crate::compiler::import_binding(import) else {
            return;
        };
        let span = match (&import.alias, &import.source) {
            (Some(alias), _) => alias.span,
            (None, ast::ImportSource::Std(id)) => id.span,
            (None, ast::ImportSource::Path(_, span)) => *span,
        };
        let id = ast::Ident {
            name: binding,
            span,
        };
        let d = self.def(
            &id,
            DefKind::Module,
            decl,
            from,
            Detail::Import(import.source.clone()),
        );
        self.declare(d);
    }

    fn declare_pattern(&mut self, pattern: &Pattern, decl: Span, from: u32) {
        match pattern {
            Pattern::Name(id) => {
                let d = self.def(id, DefKind::Variable, decl, from, Detail::None);
                self.declare(d);
            }
            Pattern::List { items, rest, .. } => {
                for item in items {
                    self.declare_pattern(item, decl, from);
                }
                if let Some(id) = rest {
                    let d = self.def(id, DefKind::Variable, decl, from, Detail::None);
                    self.declare(d);
                }
            }
        }
    }

    fn stmt(&mut self, stmt: &Stmt, top: bool) {
        match &stmt.kind {
            StmtKind::Let { pattern, value } => {
                let is_fn = matches!(value.as_ref().map(|v| &v.kind), Some(ExprKind::Lambda(_)));
                // `let f = fn() { f() }` may call itself.
                if !top && is_fn {
                    self.declare_pattern(pattern, stmt.span, stmt.span.start);
                }
                if let Some(v) = value {
                    self.expr(v);
                }
                if !top && !is_fn {
                    self.declare_pattern(pattern, stmt.span, stmt.span.end);
                }
            }
            StmtKind::Assign { target, value, .. } => {
                self.declare_field(target, stmt.span);
                self.expr(target);
                self.expr(value);
            }
            StmtKind::Expr(e) | StmtKind::Throw(e) => self.expr(e),
            StmtKind::Return(e) => {
                if let Some(e) = e {
                    self.expr(e);
                }
            }
            StmtKind::If {
                cond,
                then_block,
                else_block,
            } => {
                self.expr(cond);
                self.block(then_block);
                if let Some(b) = else_block {
                    self.block(b);
                }
            }
            StmtKind::While { cond, body } => {
                self.expr(cond);
                self.block(body);
            }
            StmtKind::For {
                vars,
                iterable,
                body,
                ..
            } => {
                self.expr(iterable);
                self.push_scope(Span::new(stmt.span.start as usize, body.span.end as usize));
                for v in vars {
                    // Not visible in the iterable: `for s in s` reads an
                    // outer `s`.
                    let d = self.def(
                        v,
                        DefKind::Variable,
                        stmt.span,
                        body.span.start,
                        Detail::Loop,
                    );
                    self.declare(d);
                }
                self.block(body);
                self.pop_scope();
            }
            StmtKind::Break | StmtKind::Continue => {}
            StmtKind::Try {
                body,
                catch,
                finally,
            } => {
                self.block(body);
                if let Some(c) = catch {
                    self.push_scope(c.body.span);
                    if let Some(id) = &c.name {
                        let d = self.def(
                            id,
                            DefKind::Variable,
                            c.body.span,
                            id.span.start,
                            Detail::Caught,
                        );
                        self.declare(d);
                    }
                    self.block(&c.body);
                    self.pop_scope();
                }
                if let Some(b) = finally {
                    self.block(b);
                }
            }
            StmtKind::Fn(f) => {
                let def = match (&f.name, top) {
                    (Some(name), true) => self.resolve(&name.name),
                    (Some(name), false) => {
                        let d = self.def(
                            name,
                            DefKind::Function,
                            f.span,
                            f.span.start,
                            Detail::Fn(f.clone()),
                        );
                        Some(self.declare(d))
                    }
                    (None, _) => None,
                };
                self.function_body(f, def);
            }
            StmtKind::Class(c) => {
                let class = if top {
                    self.resolve(&c.name.name)
                } else {
                    let d = self.def(
                        &c.name,
                        DefKind::Class,
                        c.span,
                        c.span.start,
                        Detail::Class(c.clone()),
                    );
                    Some(self.declare(d))
                };
                self.class(c, class);
            }
            StmtKind::Import(import) => {
                if !top {
                    self.declare_import(import, stmt.span, stmt.span.end);
                }
            }
        }
    }

    fn class(&mut self, c: &ClassDecl, class: Option<DefId>) {
        if let Some(sup) = &c.superclass {
            self.expr(sup);
            match (&sup.kind, class) {
                (ExprKind::Name(id), Some(class)) => {
                    if let Some(base) = self.resolve(&id.name) {
                        if self.out.defs[base].kind == DefKind::Class {
                            self.out.superclass.insert(class, base);
                        }
                    }
                }
                (ExprKind::Field { target, name }, Some(class)) => {
                    if let ExprKind::Name(module) = &target.kind {
                        if let Some(m) = self.resolve(&module.name) {
                            if self.out.defs[m].kind == DefKind::Module {
                                self.out
                                    .foreign_superclass
                                    .insert(class, (m, name.name.clone()));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        let outer = std::mem::replace(&mut self.class, class);
        for m in &c.methods {
            let method = m.name.as_ref().map(|name| {
                let mut d = self.def(
                    name,
                    DefKind::Method,
                    m.span,
                    m.span.start,
                    Detail::Fn(m.clone()),
                );
                d.parent = class;
                d.global = false;
                self.add_def(d)
            });
            self.function_body(m, method);
        }
        self.class = outer;
    }

    /// `self.name = v` in a method declares the field `name` (its first
    /// such assignment is where go-to-definition leads).
    fn declare_field(&mut self, target: &Expr, decl: Span) {
        let (ExprKind::Field { target: t, name }, Some(class)) = (&target.kind, self.class) else {
            return;
        };
        if !matches!(t.kind, ExprKind::SelfRef) {
            return;
        }
        let known =
            self.out.defs.iter().any(|d| {
                d.parent == Some(class) && d.name == name.name && d.kind == DefKind::Field
            });
        if !known {
            let mut d = self.def(name, DefKind::Field, decl, decl.start, Detail::None);
            d.parent = Some(class);
            d.global = false;
            self.add_def(d);
        }
    }

    fn function_body(&mut self, f: &FnDecl, def: Option<DefId>) {
        let inner = def.or(self.function);
        let outer = std::mem::replace(&mut self.function, inner);
        self.push_scope(f.span);
        for p in &f.params {
            if let Some(default) = &p.default {
                self.expr(default);
            }
            let d = self.def(
                &p.name,
                DefKind::Parameter,
                f.span,
                f.span.start,
                Detail::None,
            );
            self.declare(d);
        }
        if let Some(rest) = &f.rest {
            let d = self.def(rest, DefKind::Parameter, f.span, f.span.start, Detail::None);
            self.declare(d);
        }
        for s in &f.body {
            self.stmt(s, false);
        }
        self.pop_scope();
        self.function = outer;
    }

    fn block(&mut self, b: &Block) {
        self.push_scope(b.span);
        for s in &b.stmts {
            self.stmt(s, false);
        }
        self.pop_scope();
    }

    fn receiver(&self, target: &Expr) -> Receiver {
        match &target.kind {
            ExprKind::SelfRef => self.class.map_or(Receiver::Unknown, Receiver::Instance),
            ExprKind::Name(id) => self
                .resolve(&id.name)
                .map_or(Receiver::Unknown, Receiver::Def),
            _ => Receiver::Unknown,
        }
    }

    fn expr(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Name(id) => self.use_name(id),
            ExprKind::Field { target, name } => {
                self.expr(target);
                let receiver = self.receiver(target);
                self.out.members.push(MemberUse {
                    span: name.span,
                    name: name.name.clone(),
                    receiver,
                });
            }
            ExprKind::MethodCall {
                receiver,
                name,
                args,
            } => {
                self.expr(receiver);
                let r = self.receiver(receiver);
                self.out.members.push(MemberUse {
                    span: name.span,
                    name: name.name.clone(),
                    receiver: r,
                });
                for a in args {
                    self.expr(a);
                }
            }
            ExprKind::Super(name) => {
                let receiver = self.class.map_or(Receiver::Unknown, Receiver::Super);
                self.out.members.push(MemberUse {
                    span: name.span,
                    name: name.name.clone(),
                    receiver,
                });
            }
            ExprKind::Lambda(f) => self.function_body(f, None),
            _ => e.for_each_child(|c| self.expr(c)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analysis(src: &str) -> Analysis {
        let module = crate::parser::parse_recovered(src).expect("parses");
        analyze(&module, src.len())
    }

    fn at(src: &str, needle: &str, nth: usize) -> u32 {
        src.match_indices(needle).nth(nth).expect("needle").0 as u32
    }

    #[test]
    fn uses_resolve_to_the_innermost_declaration() {
        let src = "let x = 1\nfn f(x) { let y = x\n return y }\nprint(x, f(2))\n";
        let a = analysis(src);
        let param = a.def_at(at(src, "x", 1)).unwrap();
        assert_eq!(a.defs[param].kind, DefKind::Parameter);
        assert_eq!(a.def_at(at(src, "x", 2)), Some(param));
        let global = a.def_at(at(src, "x", 3)).unwrap();
        assert_eq!(a.defs[global].span.start, at(src, "x", 0));
        assert_eq!(a.occurrences(param).len(), 2);
    }

    #[test]
    fn top_level_names_are_visible_before_their_declaration() {
        let src = "fn main() { return helper() }\nfn helper() { return 1 }\n";
        let a = analysis(src);
        let d = a.def_at(at(src, "helper", 0)).unwrap();
        assert_eq!(a.defs[d].span.start, at(src, "helper", 1));
    }

    #[test]
    fn locals_are_visible_after_their_let_in_their_block() {
        let src = "fn f() {\n  let a = 1\n  if a { let b = 2 }\n  \n}\n";
        let a = analysis(src);
        let names = |off| -> Vec<String> {
            a.visible_at(off)
                .into_iter()
                .map(|d| a.defs[d].name.clone())
                .collect()
        };
        let inside_if = at(src, "let b", 0);
        assert!(names(inside_if).contains(&"a".to_string()));
        let after_if = at(src, "  \n}", 0) + 1;
        assert!(!names(after_if).contains(&"b".to_string()));
        assert!(names(after_if).contains(&"f".to_string()));
        assert!(!names(at(src, "let a", 0)).contains(&"a".to_string()));
    }

    #[test]
    fn members_know_their_receiver() {
        let src = "import time\nclass A { fn init() { self.n = 1 } fn get() { return self.n } }\n\
                   class B < A { fn get() { return super.get() } }\ntime.sleep(1)\n";
        let a = analysis(src);
        let class_a = a.top_level("A").unwrap();
        let class_b = a.top_level("B").unwrap();
        assert_eq!(a.superclass.get(&class_b), Some(&class_a));
        let n = a.member_at(at(src, "n", 2)).unwrap();
        assert_eq!(n.receiver, Receiver::Instance(class_a));
        let field = a.find_member(class_a, "n").unwrap();
        assert_eq!(a.defs[field].kind, DefKind::Field);
        let sup = a.member_at(at(src, "super.get", 0) + 6).unwrap();
        assert_eq!(sup.receiver, Receiver::Super(class_b));
        let sleep = a.member_at(at(src, "sleep", 0)).unwrap();
        let time = a.top_level("time").unwrap();
        assert_eq!(sleep.receiver, Receiver::Def(time));
        assert_eq!(
            a.find_member(class_b, "get").map(|d| a.defs[d].parent),
            Some(Some(class_b))
        );
    }
}
