//! The answers to the editor's requests: document symbols,
//! go-to-definition, hover, completion and rename, each read off a file's
//! [`Analysis`] and, across files, the analyses of the modules it imports
//! (relative files, or standard modules described by [`stdinfo`]).

use super::analysis::{Analysis, DefId, DefKind, Detail, MemberUse, Receiver};
use super::describe;
use super::document::Document;
use super::stdinfo::{self, Member};
use super::{Failure, FileInfo, Server};
use crate::ast::ImportSource;
use crate::lexer::Token;
use crate::span::Span;
use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionParams, CompletionResponse, DocumentSymbol,
    DocumentSymbolParams, DocumentSymbolResponse, GotoDefinitionParams, GotoDefinitionResponse,
    Hover, HoverContents, HoverParams, Location, MarkupContent, MarkupKind, PrepareRenameResponse,
    Range, RenameParams, SymbolKind, TextDocumentPositionParams, TextEdit, Uri, WorkspaceEdit,
};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// What a name or member at a position refers to.
enum Target {
    /// A declaration in a file (this one or an imported one).
    Decl {
        uri: Uri,
        file: Rc<FileInfo>,
        def: DefId,
        /// The module name qualifying a declaration of another module.
        module: Option<String>,
    },
    /// A member of a standard module.
    Std { module: String, member: Member },
    /// A built-in global name.
    Builtin(Member),
    /// Methods of several classes may be meant (`x.close()` with `x`
    /// unknown).
    Many(Uri, Rc<FileInfo>, Vec<DefId>),
}

use super::uris::{import_file, uri_of};

// ---- Requests ----

impl Server {
    fn file(&self, uri: &Uri) -> Result<Rc<FileInfo>, Failure> {
        self.files
            .get(uri.as_str())
            .cloned()
            .ok_or_else(|| Failure::Refused(format!("`{}` is not open", uri.as_str())))
    }

    /// A file's analysis: the open document's, or one made from disk.
    fn file_at(&self, path: &Path) -> Option<(Uri, Rc<FileInfo>)> {
        let uri = uri_of(path)?;
        if let Some(f) = self.files.get(uri.as_str()) {
            return Some((uri, f.clone()));
        }
        let text = std::fs::read_to_string(path).ok()?;
        let tree = crate::parser::parse_recovered(&text)?;
        let analysis = super::analysis::analyze(&tree, text.len());
        Some((
            uri,
            Rc::new(FileInfo {
                analysis,
                doc: Document::new(text, 0),
            }),
        ))
    }

    fn position_offset(&self, file: &FileInfo, pos: lsp_types::Position) -> u32 {
        file.doc.span_offset(pos, self.encoding)
    }

    pub fn document_symbols(
        &mut self,
        p: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>, Failure> {
        let file = self.file(&p.text_document.uri)?;
        let a = &file.analysis;
        let roots: Vec<DefId> = (0..a.defs.len()).filter(|&d| a.defs[d].global).collect();
        let symbols = roots
            .into_iter()
            .map(|d| self.symbol(&file, d, 0))
            .collect();
        Ok(Some(DocumentSymbolResponse::Nested(symbols)))
    }

    #[allow(deprecated)]
    fn symbol(&self, file: &FileInfo, def: DefId, depth: usize) -> DocumentSymbol {
        let a = &file.analysis;
        let d = &a.defs[def];
        let children: Vec<DocumentSymbol> = if depth < 32 {
            (0..a.defs.len())
                .filter(|&c| {
                    let cd = &a.defs[c];
                    cd.parent == Some(def)
                        && !cd.global
                        && matches!(
                            cd.kind,
                            DefKind::Method | DefKind::Field | DefKind::Function | DefKind::Class
                        )
                })
                .map(|c| self.symbol(file, c, depth + 1))
                .collect()
        } else {
            Vec::new()
        };
        let signature = describe::signature(a, def, &file.doc.text, None);
        let range = file.doc.range(d.decl.to(d.span), self.encoding);
        DocumentSymbol {
            name: d.name.clone(),
            detail: signature.lines().next().map(str::to_string),
            kind: symbol_kind(d.kind),
            tags: None,
            deprecated: None,
            range,
            selection_range: file.doc.range(d.span, self.encoding),
            children: (!children.is_empty()).then_some(children),
        }
    }

    pub fn definition(
        &mut self,
        p: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>, Failure> {
        let uri = p.text_document_position_params.text_document.uri;
        let file = self.file(&uri)?;
        let offset = self.position_offset(&file, p.text_document_position_params.position);
        let Some(target) = self.target_at(&uri, &file, offset) else {
            return Ok(None);
        };
        let enc = self.encoding;
        let locations: Vec<Location> = match target {
            Target::Decl {
                uri: target_uri,
                file: target_file,
                def,
                ..
            } => {
                let d = &target_file.analysis.defs[def];
                // An imported module leads to its file.
                match (&d.detail, d.kind) {
                    (Detail::Import(source), DefKind::Module) => {
                        match self.module_file(&target_uri, source) {
                            Some(path) => match uri_of(&path) {
                                Some(u) => vec![Location::new(u, Range::default())],
                                None => Vec::new(),
                            },
                            None => vec![Location::new(
                                target_uri.clone(),
                                target_file.doc.range(d.span, enc),
                            )],
                        }
                    }
                    _ => vec![Location::new(
                        target_uri.clone(),
                        target_file.doc.range(d.span, enc),
                    )],
                }
            }
            Target::Std { module, member } => {
                match (
                    stdinfo::std_file(&module),
                    member.span,
                    stdinfo::weft_source(&module),
                ) {
                    (Some(path), Some(span), Some(src)) => {
                        let doc = Document::new(src.to_string(), 0);
                        uri_of(&path)
                            .map(|u| vec![Location::new(u, doc.range(span, enc))])
                            .unwrap_or_default()
                    }
                    _ => Vec::new(),
                }
            }
            Target::Builtin(_) => Vec::new(),
            Target::Many(target_uri, target_file, defs) => defs
                .into_iter()
                .map(|d| {
                    Location::new(
                        target_uri.clone(),
                        target_file
                            .doc
                            .range(target_file.analysis.defs[d].span, enc),
                    )
                })
                .collect(),
        };
        Ok(match locations.len() {
            0 => None,
            1 => locations
                .into_iter()
                .next()
                .map(GotoDefinitionResponse::Scalar),
            _ => Some(GotoDefinitionResponse::Array(locations)),
        })
    }

    /// The file an import names: a relative file, or the on-disk copy of
    /// a standard module written in Weft (natives have none).
    fn module_file(&self, uri: &Uri, source: &ImportSource) -> Option<PathBuf> {
        match source {
            ImportSource::Std(id) => stdinfo::std_file(&id.name),
            ImportSource::Path(p, _) => Some(import_file(uri, p)),
        }
    }

    pub fn hover(&mut self, p: HoverParams) -> Result<Option<Hover>, Failure> {
        let uri = p.text_document_position_params.text_document.uri;
        let file = self.file(&uri)?;
        let offset = self.position_offset(&file, p.text_document_position_params.position);
        let Some(target) = self.target_at(&uri, &file, offset) else {
            return Ok(None);
        };
        let (signature, doc) = match target {
            Target::Decl {
                file: target_file,
                def,
                module,
                ..
            } => {
                let a = &target_file.analysis;
                let text = &target_file.doc.text;
                let mut signature = describe::signature(a, def, text, module.as_deref());
                if let Detail::Import(ImportSource::Std(id)) = &a.defs[def].detail {
                    if stdinfo::is_std_module(&id.name) {
                        signature.push_str("  // standard module");
                    }
                }
                let doc = describe::doc_comment(text, a.defs[def].decl.start as usize);
                (signature, doc)
            }
            Target::Std { member, .. } | Target::Builtin(member) => (member.signature, member.doc),
            Target::Many(_, target_file, defs) => {
                let a = &target_file.analysis;
                let lines: Vec<String> = defs
                    .iter()
                    .map(|&d| describe::signature(a, d, &target_file.doc.text, None))
                    .collect();
                (lines.join("\n"), String::new())
            }
        };
        let mut value = format!("```weft\n{signature}\n```");
        if !doc.is_empty() {
            value.push_str(&format!("\n\n{doc}"));
        }
        Ok(Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value,
            }),
            range: None,
        }))
    }

    /// What the name or member at `offset` of `file` refers to.
    fn target_at(&mut self, uri: &Uri, file: &Rc<FileInfo>, offset: u32) -> Option<Target> {
        let a = &file.analysis;
        if let Some(def) = a.def_at(offset) {
            return Some(Target::Decl {
                uri: uri.clone(),
                file: file.clone(),
                def,
                module: None,
            });
        }
        if let Some(m) = a.member_at(offset) {
            return self.member_target(uri, file, m);
        }
        // `import "./util.weft" as u`: the path names the module too.
        let on_path = a.defs.iter().position(|d| {
            matches!(&d.detail, Detail::Import(ImportSource::Path(_, s))
                if s.start <= offset && offset <= s.end)
        });
        if let Some(def) = on_path {
            return Some(Target::Decl {
                uri: uri.clone(),
                file: file.clone(),
                def,
                module: None,
            });
        }
        // A built-in name (`print`, `Channel`, `TypeError`).
        let word = word_at(&file.doc.text, offset as usize)?;
        self.std
            .globals()
            .iter()
            .find(|m| m.name == word)
            .cloned()
            .map(Target::Builtin)
    }

    fn member_target(&mut self, uri: &Uri, file: &Rc<FileInfo>, m: &MemberUse) -> Option<Target> {
        let a = &file.analysis;
        let local = |def: Option<DefId>| {
            def.map(|def| Target::Decl {
                uri: uri.clone(),
                file: file.clone(),
                def,
                module: None,
            })
        };
        let any_method = || {
            let all = a.methods_named(&m.name);
            (!all.is_empty()).then(|| Target::Many(uri.clone(), file.clone(), all))
        };
        match m.receiver {
            Receiver::Instance(class) => local(a.find_member(class, &m.name))
                .or_else(|| self.inherited_member(uri, file, class, &m.name, 0))
                .or_else(any_method),
            Receiver::Super(class) => match a.superclass.get(&class).copied() {
                Some(base) => local(a.find_member(base, &m.name))
                    .or_else(|| self.inherited_member(uri, file, base, &m.name, 0)),
                None => {
                    let (module, base) = a.foreign_superclass.get(&class)?.clone();
                    self.foreign_class_member(uri, file, module, &base, &m.name, 0)
                }
            },
            Receiver::Def(def) => match (&a.defs[def].detail, a.defs[def].kind) {
                (Detail::Import(source), DefKind::Module) => {
                    let alias = a.defs[def].name.clone();
                    self.module_member(uri, source, &alias, &m.name)
                }
                (_, DefKind::Class) => local(a.find_member(def, &m.name)),
                _ => any_method(),
            },
            Receiver::Unknown => any_method(),
        }
    }

    /// Member `name` of a class of another module that `class` (or one of
    /// its superclasses in this file) inherits from.
    fn inherited_member(
        &mut self,
        uri: &Uri,
        file: &Rc<FileInfo>,
        class: DefId,
        name: &str,
        depth: usize,
    ) -> Option<Target> {
        let a = &file.analysis;
        let (module, base) = a
            .class_chain(class)
            .into_iter()
            .find_map(|c| a.foreign_superclass.get(&c).cloned())?;
        self.foreign_class_member(uri, file, module, &base, name, depth)
    }

    /// Member `name` of class `base` of the module `module` declares.
    fn foreign_class_member(
        &mut self,
        uri: &Uri,
        file: &Rc<FileInfo>,
        module: DefId,
        base: &str,
        name: &str,
        depth: usize,
    ) -> Option<Target> {
        // Modules may import each other in a cycle.
        if depth > 8 {
            return None;
        }
        let Detail::Import(ImportSource::Path(p, _)) = &file.analysis.defs[module].detail else {
            return None;
        };
        let (target_uri, target) = self.file_at(&import_file(uri, p))?;
        let class = target.analysis.top_level(base)?;
        match target.analysis.find_member(class, name) {
            Some(def) => Some(Target::Decl {
                uri: target_uri,
                file: target,
                def,
                module: None,
            }),
            None => self.inherited_member(&target_uri, &target, class, name, depth + 1),
        }
    }

    /// Member `name` of the module an import names.
    fn module_member(
        &mut self,
        uri: &Uri,
        source: &ImportSource,
        alias: &str,
        name: &str,
    ) -> Option<Target> {
        match source {
            ImportSource::Std(id) => {
                let member = self
                    .std
                    .members(&id.name)
                    .iter()
                    .find(|m| m.name == name)?
                    .clone();
                Some(Target::Std {
                    module: id.name.clone(),
                    member,
                })
            }
            ImportSource::Path(p, _) => {
                let path = import_file(uri, p);
                let (target_uri, target) = self.file_at(&path)?;
                let def = target.analysis.top_level(name)?;
                Some(Target::Decl {
                    uri: target_uri,
                    file: target,
                    def,
                    module: Some(alias.to_string()),
                })
            }
        }
    }

    pub fn completion(
        &mut self,
        p: CompletionParams,
    ) -> Result<Option<CompletionResponse>, Failure> {
        let uri = p.text_document_position.text_document.uri;
        let pos = p.text_document_position.position;
        let Some(doc) = self.docs.get(uri.as_str()) else {
            return Err(Failure::Refused(format!("`{}` is not open", uri.as_str())));
        };
        // The words before the cursor come from the text as it is now; the
        // names from the latest analysis.
        let offset = doc.offset(pos, self.encoding);
        let at = doc.span_offset(pos, self.encoding);
        let line_start = doc.line_start(offset);
        let line = doc.text[line_start..]
            .lines()
            .next()
            .unwrap_or("")
            .to_string();
        let column = offset - line_start;
        let file = self.file(&uri)?;
        let items = match crate::repl::complete::target(&line, column) {
            crate::repl::complete::Target::Nothing => Vec::new(),
            crate::repl::complete::Target::Name { start, .. } => {
                if line[..start].trim_end() == "import" {
                    stdinfo::std_modules()
                        .into_iter()
                        .map(|m| item(m, CompletionItemKind::MODULE, None))
                        .collect()
                } else {
                    self.name_items(&file, at)
                }
            }
            crate::repl::complete::Target::Member { receiver, .. } => {
                self.member_items(&uri, &file, at, &receiver)
            }
        };
        Ok(Some(CompletionResponse::Array(items)))
    }

    /// Names visible at `offset`, the built-ins and the keywords.
    fn name_items(&mut self, file: &FileInfo, offset: u32) -> Vec<CompletionItem> {
        let a = &file.analysis;
        let mut items: Vec<CompletionItem> = a
            .visible_at(offset)
            .into_iter()
            .map(|d| {
                let sig = describe::signature(a, d, &file.doc.text, None);
                item(&a.defs[d].name, completion_kind(a.defs[d].kind), Some(sig))
            })
            .collect();
        let known: std::collections::HashSet<String> =
            items.iter().map(|i| i.label.clone()).collect();
        for m in self.std.globals() {
            if !known.contains(&m.name) {
                items.push(item(
                    &m.name,
                    completion_kind(m.kind),
                    Some(m.signature.clone()),
                ));
            }
        }
        // `self` and `super` mean something only inside a class.
        let in_class = a.class_at(offset).is_some();
        for k in Token::KEYWORDS {
            if in_class || !matches!(k, "self" | "super") {
                items.push(item(k, CompletionItemKind::KEYWORD, None));
            }
        }
        items
    }

    /// Members after `receiver.`: of an imported module, of `self`'s
    /// class, or of a class named in this file.
    fn member_items(
        &mut self,
        uri: &Uri,
        file: &FileInfo,
        offset: u32,
        receiver: &[String],
    ) -> Vec<CompletionItem> {
        let [name] = receiver else {
            return Vec::new();
        };
        let a = &file.analysis;
        if name == "self" || name == "super" {
            let Some(mut class) = a.class_at(offset) else {
                return Vec::new();
            };
            if name == "super" {
                match a.superclass.get(&class) {
                    Some(&base) => class = base,
                    None => return self.foreign_items(uri, file, class, true, 0),
                }
            }
            let mut items = class_items(file, class);
            let inherited = self.foreign_items(uri, file, class, false, 0);
            add_new(&mut items, inherited);
            return items;
        }
        let def = a
            .visible_at(offset)
            .into_iter()
            .find(|&d| a.defs[d].name == *name)
            .or_else(|| a.top_level(name));
        let Some(def) = def else {
            return Vec::new();
        };
        match (&a.defs[def].detail, a.defs[def].kind) {
            (Detail::Import(ImportSource::Std(id)), _) => self
                .std
                .members(&id.name)
                .iter()
                .map(|m| item(&m.name, completion_kind(m.kind), Some(m.signature.clone())))
                .collect(),
            (Detail::Import(ImportSource::Path(p, _)), _) => {
                let Some((_, target)) = self.file_at(&import_file(uri, p)) else {
                    return Vec::new();
                };
                stdinfo::public_members(&target.analysis, &target.doc.text, Some(name))
                    .into_iter()
                    .map(|m| item(&m.name, completion_kind(m.kind), Some(m.signature)))
                    .collect()
            }
            (_, DefKind::Class) => class_items(file, def),
            _ => Vec::new(),
        }
    }

    /// The members a class inherits from a class of another module (for
    /// `direct`, `class` itself is declared `< mod.Base`), following such
    /// bases a few modules deep.
    fn foreign_items(
        &mut self,
        uri: &Uri,
        file: &FileInfo,
        class: DefId,
        direct: bool,
        depth: usize,
    ) -> Vec<CompletionItem> {
        let a = &file.analysis;
        let chain = if direct {
            vec![class]
        } else {
            a.class_chain(class)
        };
        let found = chain
            .into_iter()
            .find_map(|c| a.foreign_superclass.get(&c).cloned());
        let Some((module, base)) = found.filter(|_| depth < 8) else {
            return Vec::new();
        };
        let Detail::Import(ImportSource::Path(p, _)) = &a.defs[module].detail else {
            return Vec::new();
        };
        let Some((target_uri, target)) = self.file_at(&import_file(uri, p)) else {
            return Vec::new();
        };
        let Some(c) = target.analysis.top_level(&base) else {
            return Vec::new();
        };
        let mut items = class_items(&target, c);
        let inherited = self.foreign_items(&target_uri, &target, c, false, depth + 1);
        add_new(&mut items, inherited);
        items
    }

    pub fn prepare_rename(
        &mut self,
        p: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>, Failure> {
        let file = self.file(&p.text_document.uri)?;
        let offset = self.position_offset(&file, p.position);
        let Some(def) = renamable(&file.analysis, offset) else {
            return Ok(None);
        };
        let a = &file.analysis;
        let inside = |s: Span| s.start <= offset && offset <= s.end;
        let span = a
            .occurrences(def)
            .into_iter()
            .find(|s| inside(*s))
            .unwrap_or(a.defs[def].span);
        Ok(Some(PrepareRenameResponse::Range(
            file.doc.range(span, self.encoding),
        )))
    }

    pub fn rename(&mut self, p: RenameParams) -> Result<Option<WorkspaceEdit>, Failure> {
        let uri = p.text_document_position.text_document.uri;
        let file = self.file(&uri)?;
        let offset = self.position_offset(&file, p.text_document_position.position);
        let new_name = p.new_name;
        if !is_identifier(&new_name) {
            return Err(Failure::InvalidParams(format!(
                "`{new_name}` is not a valid name"
            )));
        }
        let a = &file.analysis;
        let Some(def) = a.def_at(offset) else {
            return Err(Failure::Refused("there is no name here to rename".into()));
        };
        if renamable(a, offset).is_none() {
            return Err(Failure::Refused(format!(
                "only local names can be renamed; `{}` may be used by other modules",
                a.defs[def].name
            )));
        }
        if let Some(at) = capture(a, &file.doc.text, def, &new_name) {
            let (line, col) = {
                let p = file.doc.position(at as usize, self.encoding);
                (p.line + 1, p.character + 1)
            };
            return Err(Failure::Refused(format!(
                "`{new_name}` is already used where `{}` is visible (line {line}, column {col}); \
                 renaming would change what a name refers to",
                a.defs[def].name
            )));
        }
        let edits: Vec<TextEdit> = a
            .occurrences(def)
            .into_iter()
            .map(|s| TextEdit::new(file.doc.range(s, self.encoding), new_name.clone()))
            .collect();
        // `Uri` only caches its parse inside; its hash and equality are
        // those of its text, so it is a sound key.
        #[allow(clippy::mutable_key_type)]
        let mut changes = HashMap::new();
        changes.insert(uri, edits);
        Ok(Some(WorkspaceEdit::new(changes)))
    }
}

/// The local (a variable, parameter, loop or catch name of a function or
/// block) named at `offset`: top-level names, methods and fields may be
/// used from other files, so only locals are renamed.
fn renamable(a: &Analysis, offset: u32) -> Option<DefId> {
    let def = a.def_at(offset)?;
    let d = &a.defs[def];
    let local = !d.global && matches!(d.kind, DefKind::Variable | DefKind::Parameter)
        || !d.global && matches!(d.kind, DefKind::Function | DefKind::Class) && d.parent.is_some();
    local.then_some(def)
}

/// Where renaming `def` to `new_name` would change the meaning of a name:
/// another declaration of `new_name` visible at one of its uses, or a use
/// of `new_name` (a global, a built-in) inside its scope.
fn capture(a: &Analysis, text: &str, def: DefId, new_name: &str) -> Option<u32> {
    for span in a.occurrences(def) {
        let other = a
            .visible_at(span.start)
            .into_iter()
            .find(|&d| d != def && a.defs[d].name == new_name);
        if other.is_some() {
            return Some(span.start);
        }
    }
    let d = &a.defs[def];
    let scope = a.scopes.get(d.scope?)?.span;
    let (tokens, _) = crate::lexer::lex(text);
    let mut after_dot = false;
    for (token, span) in tokens {
        let is_name = matches!(&token, Token::Ident(n) if n == new_name);
        if is_name && !after_dot && span.start >= d.visible_from && span.end <= scope.end {
            return Some(span.start);
        }
        after_dot = token == Token::Dot;
    }
    None
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    first_ok
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !Token::KEYWORDS.contains(&name)
}

/// The identifier around byte `offset` of `text`.
fn word_at(text: &str, offset: usize) -> Option<String> {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let offset = offset.min(text.len());
    let start = text[..offset]
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_word(*c))
        .last()
        .map_or(offset, |(i, _)| i);
    let end = text[offset..]
        .char_indices()
        .find(|(_, c)| !is_word(*c))
        .map_or(text.len(), |(i, _)| offset + i);
    (end > start).then(|| text[start..end].to_string())
}

fn class_items(file: &FileInfo, class: DefId) -> Vec<CompletionItem> {
    let a = &file.analysis;
    a.class_members(class)
        .into_iter()
        .map(|d| {
            let sig = describe::signature(a, d, &file.doc.text, None);
            item(&a.defs[d].name, completion_kind(a.defs[d].kind), Some(sig))
        })
        .collect()
}

/// Adds the items of `more` whose labels `items` does not have yet (a
/// subclass's method hides its base's).
fn add_new(items: &mut Vec<CompletionItem>, more: Vec<CompletionItem>) {
    let known: std::collections::HashSet<String> = items.iter().map(|i| i.label.clone()).collect();
    items.extend(more.into_iter().filter(|i| !known.contains(&i.label)));
}

fn item(label: &str, kind: CompletionItemKind, detail: Option<String>) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail,
        ..Default::default()
    }
}

fn completion_kind(kind: DefKind) -> CompletionItemKind {
    match kind {
        DefKind::Variable | DefKind::Parameter => CompletionItemKind::VARIABLE,
        DefKind::Function => CompletionItemKind::FUNCTION,
        DefKind::Class => CompletionItemKind::CLASS,
        DefKind::Method => CompletionItemKind::METHOD,
        DefKind::Field => CompletionItemKind::FIELD,
        DefKind::Module => CompletionItemKind::MODULE,
    }
}

fn symbol_kind(kind: DefKind) -> SymbolKind {
    match kind {
        DefKind::Variable | DefKind::Parameter => SymbolKind::VARIABLE,
        DefKind::Function => SymbolKind::FUNCTION,
        DefKind::Class => SymbolKind::CLASS,
        DefKind::Method => SymbolKind::METHOD,
        DefKind::Field => SymbolKind::FIELD,
        DefKind::Module => SymbolKind::MODULE,
    }
}
