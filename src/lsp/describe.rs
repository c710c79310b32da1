//! How a declaration is described to the user: its signature as Weft
//! source (`async fn get(url, opts = {})`, `class Point < Base`) and its
//! doc comment, the `//` lines right above it.

use super::analysis::{Analysis, DefId, DefKind, Detail};
use crate::ast::{FnDecl, ImportSource};

/// One line of Weft describing `def`; `module` qualifies top-level names
/// of another module (`http.get`).
pub fn signature(a: &Analysis, def: DefId, src: &str, module: Option<&str>) -> String {
    let d = &a.defs[def];
    let qualified = match (module, d.parent) {
        (Some(m), _) if d.global => format!("{m}.{}", d.name),
        (_, Some(p)) if matches!(d.kind, DefKind::Method | DefKind::Field) => {
            format!("{}.{}", a.defs[p].name, d.name)
        }
        _ => d.name.clone(),
    };
    match (&d.detail, d.kind) {
        (Detail::Fn(f), _) => fn_signature(f, &qualified, src),
        (Detail::Class(c), _) => {
            let mut s = format!("class {qualified}");
            if let Some(sup) = &c.superclass {
                s.push_str(" < ");
                s.push_str(slice(src, sup.span.start, sup.span.end));
            }
            let init = a
                .find_member(def, "init")
                .and_then(|m| match &a.defs[m].detail {
                    Detail::Fn(f) => Some(params(f, src)),
                    _ => None,
                });
            if let Some(p) = init {
                s.push_str(&format!("\n{qualified}({p})"));
            }
            s
        }
        (Detail::Import(ImportSource::Std(id)), _) => {
            if id.name == d.name {
                format!("import {}", id.name)
            } else {
                format!("import {} as {}", id.name, d.name)
            }
        }
        (Detail::Import(ImportSource::Path(path, _)), _) => {
            format!("import {path:?} as {}", d.name)
        }
        (Detail::None, DefKind::Parameter) => format!("(parameter) {}", d.name),
        (Detail::None, DefKind::Field) => format!("(field) {qualified}"),
        (Detail::Loop, _) => format!("(loop variable) {}", d.name),
        (Detail::Caught, _) => format!("(caught error) {}", d.name),
        (Detail::None, _) => format!("let {qualified}"),
    }
}

fn fn_signature(f: &FnDecl, name: &str, src: &str) -> String {
    let prefix = if f.is_async { "async fn" } else { "fn" };
    format!("{prefix} {name}({})", params(f, src))
}

/// The parameter list as written, defaults included.
pub fn params(f: &FnDecl, src: &str) -> String {
    let mut out: Vec<String> = f
        .params
        .iter()
        .map(|p| match &p.default {
            Some(d) => format!(
                "{} = {}",
                p.name.name,
                collapse(slice(src, d.span.start, d.span.end))
            ),
            None => p.name.name.clone(),
        })
        .collect();
    if let Some(rest) = &f.rest {
        out.push(format!("...{}", rest.name));
    }
    out.join(", ")
}

fn slice(src: &str, start: u32, end: u32) -> &str {
    src.get(start as usize..end as usize).unwrap_or("")
}

/// Source text on one line, cut if long (a default may be a big literal).
fn collapse(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    crate::diagnostics::clip(&one_line).into_owned()
}

/// The `//` comment lines directly above the line where `decl_start` is,
/// without their slashes.
pub fn doc_comment(src: &str, decl_start: usize) -> String {
    let head = src.get(..decl_start.min(src.len())).unwrap_or("");
    let line_start = head.rfind('\n').map_or(0, |i| i + 1);
    let mut lines: Vec<&str> = Vec::new();
    for line in src[..line_start].lines().rev() {
        let t = line.trim();
        let Some(text) = t.strip_prefix("//") else {
            break;
        };
        let text = text.trim_start_matches('/');
        lines.push(text.strip_prefix(' ').unwrap_or(text).trim_end());
    }
    lines.reverse();
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_and_doc_comments_read_like_source() {
        let src =
            "// Says hello.\n// Twice if asked.\nasync fn greet(name, times = 1, ...rest) { }\n\n\
                   class B < A { fn init(x) { self.x = x } }\nclass A { }\n";
        let tree = crate::parser::parse_recovered(src).unwrap();
        let a = super::super::analysis::analyze(&tree, src.len());
        let greet = a.top_level("greet").unwrap();
        assert_eq!(
            signature(&a, greet, src, None),
            "async fn greet(name, times = 1, ...rest)"
        );
        assert_eq!(
            signature(&a, greet, src, Some("util")),
            "async fn util.greet(name, times = 1, ...rest)"
        );
        assert_eq!(
            doc_comment(src, a.defs[greet].decl.start as usize),
            "Says hello.\nTwice if asked."
        );
        let b = a.top_level("B").unwrap();
        assert_eq!(signature(&a, b, src, None), "class B < A\nB(x)");
        assert_eq!(doc_comment(src, a.defs[b].decl.start as usize), "");
    }
}
