//! Building programs from files: reads the main script and everything it
//! imports (relative files and standard modules written in Weft), parses and
//! compiles each once, detects import cycles, and collects every diagnostic.
//!
//! The prelude is always module 0 of a program and the main script module
//! 1; imported modules follow in the order they are first imported.

use crate::ast;
use crate::bytecode::{Interner, ModuleProto, Program};
use crate::compiler::{self, CompileError, CompileErrorKind, ImportTarget, ModuleInfo};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::span::{SourceId, SourceMap, Span};
use crate::stdlib;
use rustc_hash::FxHashMap;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// Why a program could not be built.
#[derive(Debug)]
pub enum BuildError {
    /// The main file could not be read (a usage error: exit 64).
    Unreadable { path: String, reason: String },
    /// Syntax or compile errors (exit 2), the first of them in file and
    /// position order.
    Diagnostics(Diagnostics),
}

/// Where a module comes from, to detect cycles and share loaded modules.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum ModuleKey {
    File(PathBuf),
    Std(String),
}

struct Loader<'a> {
    sources: RefCell<&'a mut SourceMap>,
    symbols: &'a RefCell<Interner>,
    modules: RefCell<Vec<Option<ModuleProto>>>,
    index: RefCell<FxHashMap<ModuleKey, u32>>,
    /// Modules given an index but not compiled yet. Loading is a work list,
    /// not a recursion: a chain of thousands of imports must not overflow
    /// the Rust stack.
    queue: RefCell<VecDeque<Pending>>,
    /// Per module: its display name, its source (once parsed) and the modules
    /// it imports in source order, with the span of each import, for the
    /// cycle check that runs once everything is compiled.
    graph: RefCell<Vec<Node>>,
    diagnostics: RefCell<Diagnostics>,
}

struct Pending {
    index: u32,
    display: String,
    text: String,
    name: Rc<str>,
    is_main: bool,
}

#[derive(Clone, Default)]
struct Node {
    display: String,
    source: Option<SourceId>,
    imports: Vec<(u32, Span)>,
}

/// A REPL session's build state: the modules loaded so far (so an input's
/// imports reuse them and new ones get the next indexes), and the names
/// the session has defined (each input is compiled against them, so
/// definitions persist).
pub struct Session {
    index: FxHashMap<ModuleKey, u32>,
    graph: Vec<Node>,
    /// Modules loaded so far: the next one gets this index.
    modules: usize,
    /// The session's module-level names, in slot order.
    pub globals: Vec<Rc<str>>,
    /// Inputs compiled so far, to name the next one `<repl:N>`.
    inputs: u32,
}

/// A compiled REPL input: the modules it imports for the first time (to
/// load, in order, after those loaded before), and its own code, which runs
/// in the session's module.
pub struct Input {
    pub modules: Vec<ModuleProto>,
    pub code: ModuleProto,
}

impl Session {
    /// A session and the program to load first: the prelude (module 0).
    /// Module 1 is the session's own module, which the VM makes; inputs'
    /// imports follow.
    pub fn start(sources: &mut SourceMap, symbols: &mut Interner) -> (Session, Program) {
        with_symbols(symbols, |shared| Session::start_with(sources, shared))
    }

    fn start_with(sources: &mut SourceMap, shared: &RefCell<Interner>) -> (Session, Program) {
        let loader = Loader::new(sources, shared, 0, FxHashMap::default(), Vec::new());
        loader.enqueue_prelude();
        loader.compile_queued();
        let modules: Vec<ModuleProto> = loader.modules.into_inner().into_iter().flatten().collect();
        // Module 1 is the session's own (made by the VM, not compiled).
        let mut graph = loader.graph.into_inner();
        graph.push(Node {
            display: "<repl>".into(),
            ..Node::default()
        });
        let session = Session {
            index: loader.index.into_inner(),
            graph,
            modules: modules.len() + 1,
            globals: Vec::new(),
            inputs: 0,
        };
        (session, Program { modules, main: 0 })
    }

    /// Compiles one input (named `<repl:N>`) against the session's names.
    /// On failure the session is as it was.
    pub fn build_input(
        &mut self,
        sources: &mut SourceMap,
        symbols: &mut Interner,
        text: &str,
    ) -> Result<Input, BuildError> {
        self.inputs += 1;
        let display = format!("<repl:{}>", self.inputs);
        with_symbols(symbols, |shared| {
            self.build_with(sources, shared, display, text)
        })
    }

    fn build_with(
        &mut self,
        sources: &mut SourceMap,
        symbols: &RefCell<Interner>,
        display: String,
        text: &str,
    ) -> Result<Input, BuildError> {
        let loader = Loader::new(
            sources,
            symbols,
            self.modules,
            self.index.clone(),
            self.graph.clone(),
        );
        let source = loader.sources.borrow_mut().add(display, text.to_string());
        let (parsed, diags) = {
            let sources = loader.sources.borrow();
            crate::parser::parse_source(&sources.get(source).text, source)
        };
        loader.diagnostics.borrow_mut().append(diags);
        let mut code = None;
        if let Some(module) = parsed {
            let mut resolve = |import: &ast::Import, _: Span| loader.resolve(import, Path::new(""));
            let result = compiler::compile_module(
                &module,
                ModuleInfo {
                    name: "<repl>".into(),
                    source,
                    is_main: true,
                    globals: self.globals.clone(),
                    echo: true,
                },
                symbols,
                &mut resolve,
            );
            match result {
                Ok(proto) => code = Some(proto),
                Err(errors) => {
                    let mut diagnostics = loader.diagnostics.borrow_mut();
                    for e in &errors {
                        diagnostics.push(e.to_diagnostic(source));
                    }
                }
            }
        }
        loader.compile_queued();
        let first_new = self.modules;
        let total = loader.modules.borrow().len();
        // Module indexes fit in u32: spans are 32-bit (see `enqueue`).
        let roots: Vec<u32> = (first_new..total)
            .filter_map(|i| u32::try_from(i).ok())
            .collect();
        loader.check_cycles(&roots);
        let diagnostics = loader.diagnostics.into_inner();
        let Some(code) = code.filter(|_| diagnostics.is_empty()) else {
            return Err(BuildError::Diagnostics(diagnostics));
        };
        let modules: Vec<ModuleProto> = loader
            .modules
            .into_inner()
            .into_iter()
            .skip(first_new)
            .flatten()
            .collect();
        self.modules = total;
        self.index = loader.index.into_inner();
        self.graph = loader.graph.into_inner();
        self.globals = code.globals.clone();
        Ok(Input { modules, code })
    }
}

/// Compiles `main_path` (as given on the command line) and its imports.
pub fn build(
    sources: &mut SourceMap,
    symbols: &mut Interner,
    main_path: &str,
) -> Result<Program, BuildError> {
    let bytes = std::fs::read(main_path).map_err(|e| BuildError::Unreadable {
        path: main_path.to_string(),
        reason: io_reason(&e),
    })?;
    build_text(sources, symbols, main_path, bytes)
}

/// Runs `f` with the interner shared (the loader and the compiler both
/// intern names while modules are loaded).
fn with_symbols<R>(symbols: &mut Interner, f: impl FnOnce(&RefCell<Interner>) -> R) -> R {
    let shared = RefCell::new(std::mem::take(symbols));
    let result = f(&shared);
    *symbols = shared.into_inner();
    result
}

/// [`build`] for a program that is not in a file (`weft -e CODE`, a
/// program piped into `weft`): `name` (`<-e>`, `<stdin>`) stands for its
/// path in reports, and its imports are relative to the current folder.
pub fn build_text(
    sources: &mut SourceMap,
    symbols: &mut Interner,
    name: &str,
    bytes: Vec<u8>,
) -> Result<Program, BuildError> {
    let text = String::from_utf8(bytes)
        .map_err(|e| BuildError::Diagnostics(not_utf8(sources, name, e)))?;
    with_symbols(symbols, |shared| build_with(sources, shared, name, text))
}

fn build_with(
    sources: &mut SourceMap,
    symbols: &RefCell<Interner>,
    main_path: &str,
    text: String,
) -> Result<Program, BuildError> {
    let loader = Loader::new(sources, symbols, 0, FxHashMap::default(), Vec::new());
    let prelude = loader.enqueue_prelude();
    let key = ModuleKey::File(canonical(Path::new(main_path)));
    let main = loader.enqueue(key, main_path.to_string(), text, "main".into(), true);
    loader.compile_queued();
    loader.check_cycles(&[prelude, main]);
    let diagnostics = loader.diagnostics.into_inner();
    if !diagnostics.is_empty() {
        return Err(BuildError::Diagnostics(diagnostics));
    }
    let modules: Vec<ModuleProto> = loader.modules.into_inner().into_iter().flatten().collect();
    Ok(Program {
        modules,
        main: main as usize,
    })
}

impl<'a> Loader<'a> {
    /// A loader whose first new module gets index `loaded` (the ones
    /// before were loaded by earlier builds of a session, and are known
    /// by `index` and `graph`).
    fn new(
        sources: &'a mut SourceMap,
        symbols: &'a RefCell<Interner>,
        loaded: usize,
        index: FxHashMap<ModuleKey, u32>,
        graph: Vec<Node>,
    ) -> Loader<'a> {
        Loader {
            sources: RefCell::new(sources),
            symbols,
            modules: RefCell::new(vec![None; loaded]),
            index: RefCell::new(index),
            queue: RefCell::new(VecDeque::new()),
            graph: RefCell::new(graph),
            diagnostics: RefCell::new(Diagnostics::new()),
        }
    }
}

impl Loader<'_> {
    /// Queues the prelude, always module 0.
    fn enqueue_prelude(&self) -> u32 {
        self.enqueue(
            ModuleKey::Std("<prelude>".into()),
            "<std/prelude.weft>".into(),
            stdlib::PRELUDE.to_string(),
            "prelude".into(),
            false,
        )
    }

    /// Gives a module its index and queues it for compiling.
    fn enqueue(
        &self,
        key: ModuleKey,
        display: String,
        text: String,
        name: Rc<str>,
        is_main: bool,
    ) -> u32 {
        let index = {
            let mut modules = self.modules.borrow_mut();
            modules.push(None);
            // Spans are 32-bit, so no program reaches this many modules.
            u32::try_from(modules.len() - 1).unwrap_or(u32::MAX)
        };
        self.index.borrow_mut().insert(key, index);
        self.graph.borrow_mut().push(Node {
            display: display.clone(),
            ..Node::default()
        });
        self.queue.borrow_mut().push_back(Pending {
            index,
            display,
            text,
            name,
            is_main,
        });
        index
    }

    /// Parses and compiles queued modules until none is left; compiling a
    /// module queues the modules it imports.
    fn compile_queued(&self) {
        loop {
            let next = self.queue.borrow_mut().pop_front();
            let Some(pending) = next else { break };
            self.compile(pending);
        }
    }

    fn compile(&self, pending: Pending) {
        let Pending {
            index,
            display,
            text,
            name,
            is_main,
        } = pending;
        let source = self.sources.borrow_mut().add(display.clone(), text);
        self.graph.borrow_mut()[index as usize].source = Some(source);
        let (parsed, diags) = {
            let sources = self.sources.borrow();
            crate::parser::parse_source(&sources.get(source).text, source)
        };
        self.diagnostics.borrow_mut().append(diags);
        // A module with only literal errors is still compiled, to report
        // its compile errors too; it never runs.
        let Some(module) = parsed else {
            return;
        };
        let dir = Path::new(&display)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let mut resolve = |import: &ast::Import, span: Span| {
            let target = self.resolve(import, &dir)?;
            if let ImportTarget::Module(i) = target {
                // A cycle is shown at the imported path.
                let at = match &import.source {
                    ast::ImportSource::Path(_, path_span) => *path_span,
                    ast::ImportSource::Std(_) => span,
                };
                self.graph.borrow_mut()[index as usize]
                    .imports
                    .push((i, at));
            }
            Ok(target)
        };
        let result = compiler::compile_module(
            &module,
            ModuleInfo {
                name,
                source,
                is_main,
                globals: Vec::new(),
                echo: false,
            },
            self.symbols,
            &mut resolve,
        );
        match result {
            Ok(proto) => self.modules.borrow_mut()[index as usize] = Some(proto),
            Err(errors) => {
                let mut diagnostics = self.diagnostics.borrow_mut();
                for e in &errors {
                    diagnostics.push(e.to_diagnostic(source));
                }
            }
        }
    }

    /// Reports every import that closes a cycle, walking the import graph
    /// depth first from `roots` in source order (an explicit stack, so a
    /// long chain of imports cannot overflow the Rust stack).
    fn check_cycles(&self, roots: &[u32]) {
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            New,
            OnPath(usize),
            Done,
        }
        let graph = self.graph.borrow();
        let mut mark = vec![Mark::New; graph.len()];
        let mut errors = Vec::new();
        for &root in roots {
            if mark[root as usize] != Mark::New {
                continue;
            }
            // (module, next import to follow)
            let mut path: Vec<(u32, usize)> = vec![(root, 0)];
            mark[root as usize] = Mark::OnPath(0);
            while let Some(&mut (node, ref mut next)) = path.last_mut() {
                let Some(&(to, span)) = graph[node as usize].imports.get(*next) else {
                    mark[node as usize] = Mark::Done;
                    path.pop();
                    continue;
                };
                *next += 1;
                match mark[to as usize] {
                    Mark::New => {
                        mark[to as usize] = Mark::OnPath(path.len());
                        path.push((to, 0));
                    }
                    Mark::OnPath(at) => {
                        let mut chain: Vec<String> = path[at..]
                            .iter()
                            .map(|&(m, _)| graph[m as usize].display.clone())
                            .collect();
                        chain.push(graph[to as usize].display.clone());
                        if let Some(source) = graph[node as usize].source {
                            let error =
                                CompileError::new(CompileErrorKind::ImportCycle(chain), span);
                            errors.push(error.to_diagnostic(source));
                        }
                    }
                    Mark::Done => {}
                }
            }
        }
        let mut diagnostics = self.diagnostics.borrow_mut();
        for e in errors {
            diagnostics.push(e);
        }
    }

    fn resolve(&self, import: &ast::Import, dir: &Path) -> Result<ImportTarget, CompileError> {
        match &import.source {
            ast::ImportSource::Std(id) => {
                if stdlib::NATIVE_MODULES.contains(&id.name.as_str()) {
                    return Ok(ImportTarget::Native(id.name.clone()));
                }
                let Some((_, src)) = stdlib::WEFT_MODULES.iter().find(|(n, _)| *n == id.name)
                else {
                    return Err(CompileError::new(
                        CompileErrorKind::UnknownModule(id.name.clone()),
                        id.span,
                    ));
                };
                let key = ModuleKey::Std(id.name.clone());
                self.load_or_reuse(
                    key,
                    format!("<std/{}.weft>", id.name),
                    id.name.as_str().into(),
                    || Ok(src.to_string()),
                )
            }
            ast::ImportSource::Path(path, pspan) => {
                let joined = normalize(&dir.join(path));
                let display = joined.to_string_lossy().to_string();
                let key = ModuleKey::File(canonical(&joined));
                let name: Rc<str> = compiler::import_binding(import).unwrap_or_default().into();
                self.load_or_reuse(key, display.clone(), name, || {
                    std::fs::read_to_string(&joined).map_err(|e| {
                        CompileError::new(
                            CompileErrorKind::ImportFailed {
                                path: display.clone(),
                                reason: io_reason(&e),
                            },
                            *pspan,
                        )
                    })
                })
            }
        }
    }

    /// The index of an already known module, or of a newly queued one.
    fn load_or_reuse(
        &self,
        key: ModuleKey,
        display: String,
        name: Rc<str>,
        read: impl FnOnce() -> Result<String, CompileError>,
    ) -> Result<ImportTarget, CompileError> {
        if let Some(&i) = self.index.borrow().get(&key) {
            return Ok(ImportTarget::Module(i));
        }
        let text = read()?;
        Ok(ImportTarget::Module(
            self.enqueue(key, display, text, name, false),
        ))
    }
}

/// A main file that is not UTF-8 is a compile error at its first bad byte.
/// The file is kept with every bad sequence replaced by U+FFFD, which leaves
/// the text before the first one, and so its line and column, unchanged.
fn not_utf8(sources: &mut SourceMap, path: &str, e: std::string::FromUtf8Error) -> Diagnostics {
    let at = e.utf8_error().valid_up_to();
    let byte = e.as_bytes()[at];
    let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
    let source = sources.add(path, text);
    let replacement = char::REPLACEMENT_CHARACTER.len_utf8();
    let diag = Diagnostic::error(format!(
        "`{path}` is not valid UTF-8: byte 0x{byte:02x} at offset {at}"
    ))
    .with_label(source, Span::new(at, at + replacement), "not UTF-8")
    .with_hint("Weft source files must be UTF-8 text; convert the file or save it as UTF-8");
    Diagnostics::from(vec![diag])
}

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| normalize(p))
}

/// Removes `.` components and folds `dir/..` pairs, keeping the path relative.
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                let last_is_normal = matches!(
                    out.components().next_back(),
                    Some(std::path::Component::Normal(_))
                );
                if last_is_normal {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::InvalidData => "the file is not valid UTF-8".to_string(),
        _ => e.to_string(),
    }
}
