//! Where documents are: `file:` URIs and the paths they name, and the
//! files an `import "path"` of a document names.

use lsp_types::Uri;
use std::path::{Path, PathBuf};

/// Characters a path keeps percent-encoded in a `file:` URI.
const URI_ESCAPED: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// The file a `file:` URI names.
pub fn path_of(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    // `file://host/path` is not a local file; `file:///path` is.
    let path = rest.strip_prefix("localhost").unwrap_or(rest);
    if !path.starts_with('/') {
        return None;
    }
    let decoded = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .ok()?;
    Some(PathBuf::from(decoded.into_owned()))
}

pub fn uri_of(path: &Path) -> Option<Uri> {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().ok()?.join(path)
    };
    let text = absolute.to_str()?;
    let encoded = percent_encoding::utf8_percent_encode(text, URI_ESCAPED);
    format!("file://{encoded}").parse().ok()
}

/// The name a file is built under: its path, or the URI for a document
/// that is not a file (imports are then relative to the current folder).
pub fn build_name(uri: &Uri) -> String {
    match path_of(uri) {
        Some(p) => p.to_string_lossy().into_owned(),
        None => uri.as_str().to_string(),
    }
}

pub fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// The file `import "path"` in the document `uri` names.
pub fn import_file(uri: &Uri, path: &str) -> PathBuf {
    let name = build_name(uri);
    let dir = Path::new(&name).parent().unwrap_or(Path::new(""));
    crate::driver::normalize(&dir.join(path))
}
