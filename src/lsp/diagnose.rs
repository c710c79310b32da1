//! Diagnostics as `weft check` reports them, for an open document: built
//! from the editor's text and turned into the protocol's ranges, with an
//! error inside an imported file shown at the import that leads to it.

use super::analysis::Detail;
use super::document::Document;
use super::uris::{build_name, import_file, same_file, uri_of};
use super::{FileInfo, Server};
use crate::ast::ImportSource;
use crate::diagnostics::Severity;
use crate::span::{SourceId, SourceMap, Span};
use lsp_types::{Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location, Uri};
use rustc_hash::FxHashMap;
use std::path::{Path, PathBuf};

/// The errors `weft check` reports for an open document, built from the
/// editor's text (imports are read from disk).
pub fn diagnostics(server: &Server, uri: &Uri) -> Vec<Diagnostic> {
    let Some(doc) = server.docs.get(uri.as_str()) else {
        return Vec::new();
    };
    let name = build_name(uri);
    let mut sources = SourceMap::new();
    let mut symbols = crate::bytecode::Interner::new();
    let built = crate::driver::build_text(
        &mut sources,
        &mut symbols,
        &name,
        doc.text.clone().into_bytes(),
    );
    let list = match built {
        Ok(_) => return Vec::new(),
        Err(crate::driver::BuildError::Unreadable { .. }) => return Vec::new(),
        Err(crate::driver::BuildError::Diagnostics(list)) => list,
    };
    let (list, omitted) = list.into_sorted();
    let enc = server.encoding;
    let main = sources
        .files()
        .find(|(_, f)| f.name == name)
        .map(|(id, _)| id);
    let imports = server.files.get(uri.as_str()).map(|f| import_paths(f, uri));
    let mut places = Places {
        sources: &sources,
        main: main.map(|id| (id, uri, doc)),
        others: Default::default(),
        enc,
    };
    let mut out = Vec::new();
    for d in &list {
        let Some(primary) = d.labels.first() else {
            continue;
        };
        let mut message = d.message.clone();
        if !primary.message.is_empty() {
            message.push_str(&format!("\n{}", primary.message));
        }
        for note in &d.notes {
            message.push_str(&format!("\n{note}"));
        }
        if let Some(hint) = &d.hint {
            message.push_str(&format!("\nhelp: {hint}"));
        }
        let related: Vec<DiagnosticRelatedInformation> = d
            .labels
            .iter()
            .skip(1)
            .filter_map(|l| {
                Some(DiagnosticRelatedInformation {
                    location: places.location(l.source, l.span)?,
                    message: l.message.clone(),
                })
            })
            .collect();
        let range = if Some(primary.source) == main {
            doc.range(at_end_as_shown(primary.span, &doc.text), enc)
        } else {
            // An error inside an imported file is shown at the import that
            // leads to it, with the exact place as related information.
            let file = &sources.get(primary.source).name;
            let Some(span) = imports.as_ref().and_then(|list| {
                list.iter()
                    .find(|(p, _)| same_file(p, Path::new(file)))
                    .map(|(_, s)| *s)
            }) else {
                continue;
            };
            let mut related = related;
            if let Some(location) = places.location(primary.source, primary.span) {
                related.insert(
                    0,
                    DiagnosticRelatedInformation {
                        location,
                        message: d.message.clone(),
                    },
                );
            }
            out.push(Diagnostic {
                range: doc.range(span, enc),
                severity: Some(severity(d.severity)),
                source: Some("weft".into()),
                message: format!("in imported file `{file}`: {message}"),
                related_information: Some(related),
                ..Default::default()
            });
            continue;
        };
        out.push(Diagnostic {
            range,
            severity: Some(severity(d.severity)),
            source: Some("weft".into()),
            message,
            related_information: (!related.is_empty()).then_some(related),
            ..Default::default()
        });
    }
    if omitted > 0 {
        if let Some(last) = out.last_mut() {
            last.message
                .push_str(&format!("\n(and {omitted} more errors)"));
        }
    }
    out
}

/// An error at the very end of the input is shown at the end of the last
/// line, as the report of `weft check` shows it (never on a line past the
/// end).
fn at_end_as_shown(span: Span, text: &str) -> Span {
    let len = text.len();
    if (span.start as usize) < len {
        return span;
    }
    let trimmed = text
        .strip_suffix("\r\n")
        .or_else(|| text.strip_suffix('\n'))
        .unwrap_or(text);
    Span::new(trimmed.len(), len)
}

fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
    }
}

/// Turns spans of a build's sources into locations the editor can open;
/// each imported file's text is indexed once.
struct Places<'a> {
    sources: &'a SourceMap,
    /// The document's own source, its URI and its text.
    main: Option<(SourceId, &'a Uri, &'a Document)>,
    others: FxHashMap<SourceId, (Uri, Document)>,
    enc: super::Encoding,
}

impl Places<'_> {
    fn location(&mut self, source: SourceId, span: Span) -> Option<Location> {
        if let Some((id, uri, doc)) = self.main {
            if id == source {
                return Some(Location::new(uri.clone(), doc.range(span, self.enc)));
            }
        }
        if !self.others.contains_key(&source) {
            let file = self.sources.get(source);
            let uri = uri_of(Path::new(&file.name))?;
            self.others
                .insert(source, (uri, Document::new(file.text.clone(), 0)));
        }
        let (uri, doc) = &self.others[&source];
        Some(Location::new(uri.clone(), doc.range(span, self.enc)))
    }
}

/// The files a document imports by path, with the span of each import.
fn import_paths(file: &FileInfo, uri: &Uri) -> Vec<(PathBuf, Span)> {
    file.analysis
        .defs
        .iter()
        .filter_map(|d| match &d.detail {
            Detail::Import(ImportSource::Path(p, _)) => Some((import_file(uri, p), d.decl)),
            _ => None,
        })
        .collect()
}

impl Server {
    /// `textDocument/diagnostic`, for clients that ask rather than listen:
    /// the same diagnostics as those published. (Not advertised: a client
    /// that did both would show every error twice.)
    pub fn pull_diagnostics(
        &mut self,
        p: lsp_types::DocumentDiagnosticParams,
    ) -> Result<lsp_types::DocumentDiagnosticReportResult, super::Failure> {
        let uri = p.text_document.uri;
        if !self.docs.contains_key(uri.as_str()) {
            return Err(super::Failure::Refused(format!(
                "`{}` is not open",
                uri.as_str()
            )));
        }
        let items = diagnostics(self, &uri);
        let report = lsp_types::RelatedFullDocumentDiagnosticReport {
            related_documents: None,
            full_document_diagnostic_report: lsp_types::FullDocumentDiagnosticReport {
                result_id: None,
                items,
            },
        };
        Ok(lsp_types::DocumentDiagnosticReportResult::Report(
            lsp_types::DocumentDiagnosticReport::Full(report),
        ))
    }
}
