//! Compiler: syntax tree to bytecode for one module.
//!
//! Names are resolved here, once: every name becomes a local slot, a captured
//! cell, an upvalue, a module global or a built-in, so the VM never looks a
//! variable up by name. Locals live in stack slots in declaration order; a
//! local that a nested function captures is boxed in a cell. Whether a local
//! is captured is only known once its scope has been compiled, so every
//! access is recorded and patched (`GetLocal` → `GetCell`) when the scope
//! closes.
//!
//! Files: [`scope`] (functions, locals, resolution), [`stmt`], [`expr`],
//! [`fuse`] (the last pass: fused instructions), [`toplevel`] (script
//! variables kept in stack slots), [`error`].

pub mod error;
mod expr;
mod fuse;
mod scope;
mod stmt;
mod toplevel;

pub use error::{CompileError, CompileErrorKind, Limit};

use crate::ast;
use crate::bytecode::{FnProto, Interner, ModuleProto};
use crate::span::{SourceId, Span};
use rustc_hash::FxHashMap;
use scope::FnState;
use std::rc::Rc;

/// What an `import` refers to, as decided by the driver.
#[derive(Clone, Debug, PartialEq)]
pub enum ImportTarget {
    /// A compiled module of the program (`Op::Import`).
    Module(u32),
    /// A module implemented in Rust (`Op::ImportNative`).
    Native(String),
}

/// Describes the module being compiled.
pub struct ModuleInfo {
    pub name: Rc<str>,
    pub source: SourceId,
    /// The main script allows top-level `await`.
    pub is_main: bool,
    /// Module-level names that exist before this code runs, in slot order:
    /// the names a REPL session has defined so far (empty for a file).
    pub globals: Vec<Rc<str>>,
    /// Return the value of a final expression statement from the module
    /// body, for the REPL to echo it.
    pub echo: bool,
}

/// Compiles one parsed module. `resolve_import` maps each import statement to
/// its target (or an error to report at the import).
pub fn compile_module(
    module: &ast::Module,
    info: ModuleInfo,
    symbols: &std::cell::RefCell<Interner>,
    resolve_import: &mut dyn FnMut(&ast::Import, Span) -> Result<ImportTarget, CompileError>,
) -> Result<ModuleProto, Vec<CompileError>> {
    let mut c = Compiler {
        symbols,
        resolve_import,
        errors: Vec::new(),
        unresolved: FxHashMap::default(),
        binding_let: None,
        fns: Vec::new(),
        globals: Vec::new(),
        global_slots: Default::default(),
        source: info.source,
        is_main: info.is_main,
        echo: info.echo,
        slot_globals: Default::default(),
    };
    for name in &info.globals {
        c.add_global(name);
    }
    c.collect_globals(&module.body);
    // Only a script's own variables (not a REPL session's, which later
    // inputs read as globals).
    if info.is_main && !info.echo && info.globals.is_empty() {
        c.slot_globals = toplevel::slot_variables(&module.body);
    }
    let body = c.compile_module_body(&module.body);
    if c.errors.is_empty() {
        Ok(ModuleProto {
            name: info.name,
            source: info.source,
            globals: c.globals.iter().map(|g| Rc::from(g.as_str())).collect(),
            body,
        })
    } else {
        Err(c.errors)
    }
}

struct Compiler<'a> {
    symbols: &'a std::cell::RefCell<Interner>,
    resolve_import: &'a mut dyn FnMut(&ast::Import, Span) -> Result<ImportTarget, CompileError>,
    errors: Vec<CompileError>,
    /// For each name that resolved nowhere, the indexes in `errors` of its
    /// reports, in order: a local declared later in an enclosing block turns
    /// them into "used before its declaration" (see `scope.rs`).
    unresolved: FxHashMap<String, Vec<usize>>,
    /// The `let` whose names are being bound, if any.
    binding_let: Option<scope::LetBinding>,
    /// The functions being compiled, innermost last.
    fns: Vec<FnState>,
    /// Module-level names, in slot order.
    globals: Vec<String>,
    /// Slot of each module-level name (70,000 top-level names must not make
    /// compiling quadratic).
    global_slots: rustc_hash::FxHashMap<String, u32>,
    source: SourceId,
    is_main: bool,
    echo: bool,
    /// Top-level variables of the main script that live in stack slots of
    /// the module body instead of global slots (see [`toplevel`]).
    slot_globals: rustc_hash::FxHashSet<String>,
}

impl Compiler<'_> {
    fn error(&mut self, kind: CompileErrorKind, span: Span) {
        self.errors.push(CompileError::new(kind, span));
    }

    /// Declares every module-level name up front, so functions may refer to
    /// names defined further down the file.
    fn collect_globals(&mut self, body: &[ast::Stmt]) {
        for stmt in body {
            match &stmt.kind {
                ast::StmtKind::Let { pattern, .. } => self.collect_pattern(pattern),

                ast::StmtKind::Fn(decl) => {
                    if let Some(name) = &decl.name {
                        self.add_global(&name.name);
                    }
                }
                ast::StmtKind::Class(decl) => {
                    self.add_global(&decl.name.name);
                }
                ast::StmtKind::Import(import) => {
                    if let Some(name) = import_binding(import) {
                        self.add_global(&name);
                    }
                }
                _ => {}
            }
        }
    }

    fn collect_pattern(&mut self, pattern: &ast::Pattern) {
        match pattern {
            ast::Pattern::Name(id) => {
                self.add_global(&id.name);
            }
            ast::Pattern::List { items, rest, .. } => {
                for p in items {
                    self.collect_pattern(p);
                }
                if let Some(r) = rest {
                    self.add_global(&r.name);
                }
            }
        }
    }

    fn add_global(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.global_slots.get(name) {
            return i;
        }
        let Ok(slot) = u32::try_from(self.globals.len()) else {
            self.error(CompileErrorKind::TooMany(Limit::Globals), Span::default());
            return 0;
        };
        self.globals.push(name.to_string());
        self.global_slots.insert(name.to_string(), slot);
        slot
    }

    fn global_index(&self, name: &str) -> Option<u32> {
        self.global_slots.get(name).copied()
    }

    fn compile_module_body(&mut self, body: &[ast::Stmt]) -> Rc<FnProto> {
        let span = match (body.first(), body.last()) {
            (Some(a), Some(b)) => a.span.to(b.span),
            _ => Span::default(),
        };
        self.fns.push(FnState::new(
            Some(Rc::from("<main>")),
            crate::bytecode::FnKind::Plain,
            false,
            true,
            self.is_main,
            self.source,
            span,
        ));
        self.declare_local("", span);
        // Top-level functions are bound before any statement runs.
        for stmt in body {
            if let ast::StmtKind::Fn(decl) = &stmt.kind {
                self.fn_declaration(decl, stmt.span);
            }
        }
        let last = body.len().saturating_sub(1);
        for (i, stmt) in body.iter().enumerate() {
            match &stmt.kind {
                ast::StmtKind::Fn(_) => {}
                ast::StmtKind::Expr(e) if self.echo && i == last => {
                    self.expr(e);
                    self.emit(crate::bytecode::Op::Return, stmt.span);
                }
                _ => self.stmt(stmt),
            }
        }
        self.finish_function(span)
    }
}

/// The name an import binds: its alias, the std module's name, or the file
/// name without extension.
pub fn import_binding(import: &ast::Import) -> Option<String> {
    if let Some(alias) = &import.alias {
        return Some(alias.name.clone());
    }
    match &import.source {
        ast::ImportSource::Std(id) => Some(id.name.clone()),
        ast::ImportSource::Path(path, _) => {
            let stem = std::path::Path::new(path)
                .file_stem()?
                .to_str()?
                .to_string();
            let valid = stem
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && stem.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && crate::lexer::Token::keyword(&stem).is_none();
            valid.then_some(stem)
        }
    }
}
