//! `weft lsp`: a language server on stdin/stdout, over the lexer, parser
//! and compiler (never the VM).
//!
//! The editor's copy of each open file is kept here ([`document`]), edited
//! incrementally. After every change the file is built as `weft check`
//! builds it, and the diagnostics are published; it is also parsed with
//! recovery and [`analysis`] resolves its names, which answers document
//! symbols, go-to-definition, hover, completion and rename
//! ([`features`]; diagnostics in [`diagnose`]). A file too broken to parse
//! keeps its last analysis.
//!
//! Requests are answered in order on one thread: each is quick, since
//! building one file and its imports takes milliseconds. A handler that
//! fails unexpectedly answers with an error and the server goes on.

mod analysis;
mod describe;
mod diagnose;
mod document;
mod features;
mod std_docs;
mod stdinfo;
mod transport;
mod uris;

use document::{Document, Encoding};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{self as notif, Notification as _};
use lsp_types::request::{self as req, Request as _};
use lsp_types::{
    CompletionOptions, HoverProviderCapability, InitializeParams, InitializeResult, OneOf,
    PositionEncodingKind, RenameOptions, ServerCapabilities, ServerInfo,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions, Uri,
};
use rustc_hash::FxHashMap;
use std::rc::Rc;

/// Runs the server until the editor says `exit`; returns the exit status
/// (0 after a `shutdown` request, 1 otherwise, as the protocol asks).
pub fn run() -> i32 {
    if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        eprintln!(
            "weft lsp: a language server speaking JSON-RPC on stdin and stdout; editors start \
             it themselves (see editors/README.md). Ctrl-D ends it."
        );
    }
    let (connection, io_threads) = transport::stdio();
    let status = match serve(&connection) {
        Ok(status) => status,
        Err(e) => {
            // The protocol error may quote a whole message: keep the line short.
            eprintln!(
                "weft lsp: {}",
                crate::diagnostics::clip_to(&e.to_string(), 300)
            );
            1
        }
    };
    drop(connection);
    if let Err(e) = io_threads.join() {
        eprintln!("weft lsp: {e}");
        return 1;
    }
    status
}

fn serve(connection: &Connection) -> Result<i32, Box<dyn std::error::Error>> {
    let (id, params) = match connection.initialize_start() {
        Ok(started) => started,
        Err(e) if e.channel_is_disconnected() => {
            eprintln!("weft lsp: the input ended before the editor sent `initialize`");
            return Ok(1);
        }
        Err(e) => return Err(e.into()),
    };
    let params: InitializeParams = serde_json::from_value(params).unwrap_or_default();
    let encoding = negotiate_encoding(&params);
    let result = InitializeResult {
        capabilities: capabilities(encoding),
        server_info: Some(ServerInfo {
            name: "weft".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
    };
    // Sent by hand rather than with `initialize_finish`, which fails on
    // anything but `initialized` next: a client that goes straight to
    // `didOpen` is served too.
    let response = Response::new_ok(id, serde_json::to_value(result)?);
    connection.sender.send(Message::Response(response))?;
    let mut server = Server {
        docs: FxHashMap::default(),
        files: FxHashMap::default(),
        dirty: Vec::new(),
        encoding,
        std: stdinfo::StdInfo::default(),
        outbox: Vec::new(),
    };
    let mut shut_down = false;
    for msg in &connection.receiver {
        match msg {
            Message::Request(request) => {
                let response = if shut_down {
                    Response::new_err(
                        request.id,
                        ErrorCode::InvalidRequest as i32,
                        "the server is shutting down".into(),
                    )
                } else if request.method == req::Shutdown::METHOD {
                    shut_down = true;
                    Response::new_ok(request.id, ())
                } else {
                    // Answers must see every edit made before the request.
                    server.analyze_dirty();
                    server.request(request)
                };
                connection.sender.send(Message::Response(response))?;
            }
            Message::Notification(n) => {
                if n.method == notif::Exit::METHOD {
                    return Ok(if shut_down { 0 } else { 1 });
                }
                server.notification(n);
            }
            Message::Response(_) => {}
        }
        // Edits that arrive in a burst (typing) are analysed once, when no
        // more messages are waiting.
        if connection.receiver.is_empty() {
            server.analyze_dirty();
        }
        for m in server.outbox.drain(..) {
            connection.sender.send(m)?;
        }
    }
    // The editor closed the connection without `exit`.
    Ok(1)
}

/// UTF-8 positions when the editor offers them (no conversion), else the
/// protocol's default, UTF-16.
fn negotiate_encoding(params: &InitializeParams) -> Encoding {
    let offered = params
        .capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref());
    match offered {
        Some(list) if list.contains(&PositionEncodingKind::UTF8) => Encoding::Utf8,
        _ => Encoding::Utf16,
    }
}

fn capabilities(encoding: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(match encoding {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(lsp_types::TextDocumentSyncSaveOptions::Supported(true)),
                ..Default::default()
            },
        )),
        document_symbol_provider: Some(OneOf::Left(true)),
        definition_provider: Some(OneOf::Left(true)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".into()]),
            ..Default::default()
        }),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        ..Default::default()
    }
}

/// An open file's analysis, with the text it was made from (positions in
/// requests are read against that text).
pub struct FileInfo {
    pub doc: Document,
    pub analysis: analysis::Analysis,
}

pub struct Server {
    docs: FxHashMap<String, Document>,
    /// The latest analysis of each open file (kept while the file is too
    /// broken to parse).
    files: FxHashMap<String, Rc<FileInfo>>,
    /// Open files edited since they were last analysed, in order.
    dirty: Vec<Uri>,
    encoding: Encoding,
    std: stdinfo::StdInfo,
    /// Notifications to send once the current message is handled.
    outbox: Vec<Message>,
}

/// Why a request could not be answered.
pub enum Failure {
    InvalidParams(String),
    /// The request is valid but asks for something impossible (renaming a
    /// global, say).
    Refused(String),
    /// A method the server does not implement.
    NotFound(String),
}

impl Server {
    fn request(&mut self, request: Request) -> Response {
        let id = request.id.clone();
        let answered =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.dispatch(request)));
        match answered {
            Ok(Ok(value)) => Response::new_ok(id, value),
            Ok(Err(Failure::InvalidParams(m))) => {
                Response::new_err(id, ErrorCode::InvalidParams as i32, m)
            }
            Ok(Err(Failure::NotFound(m))) => {
                Response::new_err(id, ErrorCode::MethodNotFound as i32, m)
            }
            Ok(Err(Failure::Refused(m))) => {
                Response::new_err(id, ErrorCode::RequestFailed as i32, m)
            }
            Err(_) => {
                eprintln!("weft lsp: internal error while answering a request");
                Response::new_err(
                    id,
                    ErrorCode::InternalError as i32,
                    "internal error in weft lsp".into(),
                )
            }
        }
    }

    fn dispatch(&mut self, request: Request) -> Result<serde_json::Value, Failure> {
        match request.method.as_str() {
            req::DocumentSymbolRequest::METHOD => {
                self.answer::<req::DocumentSymbolRequest>(request, Server::document_symbols)
            }
            req::GotoDefinition::METHOD => {
                self.answer::<req::GotoDefinition>(request, Server::definition)
            }
            req::HoverRequest::METHOD => self.answer::<req::HoverRequest>(request, Server::hover),
            req::Completion::METHOD => self.answer::<req::Completion>(request, Server::completion),
            req::PrepareRenameRequest::METHOD => {
                self.answer::<req::PrepareRenameRequest>(request, Server::prepare_rename)
            }
            req::Rename::METHOD => self.answer::<req::Rename>(request, Server::rename),
            req::DocumentDiagnosticRequest::METHOD => {
                self.answer::<req::DocumentDiagnosticRequest>(request, Server::pull_diagnostics)
            }
            other => Err(Failure::NotFound(format!("unsupported request `{other}`"))),
        }
    }

    fn answer<R: req::Request>(
        &mut self,
        request: Request,
        handler: fn(&mut Server, R::Params) -> Result<R::Result, Failure>,
    ) -> Result<serde_json::Value, Failure> {
        let params: R::Params = serde_json::from_value(request.params)
            .map_err(|e| Failure::InvalidParams(format!("bad parameters: {e}")))?;
        let result = handler(self, params)?;
        serde_json::to_value(result).map_err(|e| Failure::InvalidParams(e.to_string()))
    }

    fn notification(&mut self, n: Notification) {
        match n.method.as_str() {
            notif::DidOpenTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidOpenTextDocumentParams>(n.params)
                {
                    let key = p.text_document.uri.as_str().to_string();
                    self.docs.insert(
                        key,
                        Document::new(p.text_document.text, p.text_document.version),
                    );
                    self.changed(&p.text_document.uri);
                }
            }
            notif::DidChangeTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidChangeTextDocumentParams>(n.params)
                {
                    let encoding = self.encoding;
                    let Some(doc) = self.docs.get_mut(p.text_document.uri.as_str()) else {
                        return;
                    };
                    for change in &p.content_changes {
                        doc.edit(change.range, &change.text, encoding);
                    }
                    doc.version = p.text_document.version;
                    if !self.dirty.contains(&p.text_document.uri) {
                        self.dirty.push(p.text_document.uri);
                    }
                }
            }
            // Other open files may import the one saved, and their
            // diagnostics read imports from disk: check them all again.
            notif::DidSaveTextDocument::METHOD => {
                let mut open: Vec<String> = self.docs.keys().cloned().collect();
                open.sort();
                for key in open {
                    if let Ok(uri) = key.parse::<Uri>() {
                        if !self.dirty.contains(&uri) {
                            self.dirty.push(uri);
                        }
                    }
                }
            }
            notif::DidCloseTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidCloseTextDocumentParams>(n.params)
                {
                    let key = p.text_document.uri.as_str();
                    self.docs.remove(key);
                    self.files.remove(key);
                    self.dirty.retain(|u| u != &p.text_document.uri);
                    // A closed file's diagnostics are the editor's to forget.
                    self.publish(p.text_document.uri, Vec::new(), None);
                }
            }
            _ => {}
        }
    }

    /// Analyses the files edited since their last analysis.
    fn analyze_dirty(&mut self) {
        for uri in std::mem::take(&mut self.dirty) {
            self.changed(&uri);
        }
    }

    /// Re-analyses an open file and publishes its diagnostics.
    fn changed(&mut self, uri: &Uri) {
        let key = uri.as_str();
        let Some(doc) = self.docs.get(key) else {
            return;
        };
        if let Some(tree) = crate::parser::parse_recovered(&doc.text) {
            let info = FileInfo {
                analysis: analysis::analyze(&tree, doc.text.len()),
                doc: Document::new(doc.text.clone(), doc.version),
            };
            self.files.insert(key.to_string(), Rc::new(info));
        }
        let version = doc.version;
        let diagnostics = diagnose::diagnostics(self, uri);
        self.publish(uri.clone(), diagnostics, Some(version));
    }

    fn publish(&mut self, uri: Uri, diagnostics: Vec<lsp_types::Diagnostic>, version: Option<i32>) {
        let params = lsp_types::PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        let n = Notification::new(notif::PublishDiagnostics::METHOD.into(), params);
        self.outbox.push(Message::Notification(n));
    }
}
