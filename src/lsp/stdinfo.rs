//! What the language server knows of the standard library without running
//! anything: the built-in global names, the members of each standard
//! module (natives from the module factory, modules written in Weft from
//! their own syntax trees, with signatures and doc comments), and a copy
//! of each Weft-written module on disk, so that go-to-definition can open
//! it.

use super::analysis::{self, Analysis, DefKind, Detail};
use super::describe;
use crate::bytecode::builtins::BUILTINS;
use crate::stdlib;
use crate::value::Value;
use rustc_hash::FxHashMap;
use std::path::PathBuf;

/// One name a module or the global scope offers.
#[derive(Clone, Debug)]
pub struct Member {
    pub name: String,
    pub kind: DefKind,
    /// `fn sleep(ms)`, `math.pi: float`: shown by hover and completion.
    pub signature: String,
    pub doc: String,
    /// Where a member of a Weft-written module is declared (byte span in
    /// the module's source).
    pub span: Option<crate::span::Span>,
}

#[derive(Default)]
pub struct StdInfo {
    modules: FxHashMap<String, Vec<Member>>,
    globals: Option<Vec<Member>>,
}

/// A standard module's Weft source, if it is written in Weft.
pub fn weft_source(name: &str) -> Option<&'static str> {
    stdlib::WEFT_MODULES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, src)| *src)
}

/// Whether `name` is a standard module a program may import.
pub fn is_std_module(name: &str) -> bool {
    !name.starts_with("__")
        && (stdlib::NATIVE_MODULES.contains(&name) || weft_source(name).is_some())
}

/// The names of the standard modules a program may import.
pub fn std_modules() -> Vec<&'static str> {
    stdlib::NATIVE_MODULES
        .iter()
        .copied()
        .chain(stdlib::WEFT_MODULES.iter().map(|(n, _)| *n))
        .filter(|n| !n.starts_with("__"))
        .collect()
}

impl StdInfo {
    /// The public members of standard module `name` (empty when there is
    /// no such module).
    pub fn members(&mut self, name: &str) -> &[Member] {
        if !self.modules.contains_key(name) {
            let members = if let Some(src) = weft_source(name) {
                weft_members(name, src)
            } else if stdlib::NATIVE_MODULES.contains(&name) {
                native_members(name)
            } else {
                Vec::new()
            };
            self.modules.insert(name.to_string(), members);
        }
        &self.modules[name]
    }

    /// The built-in global names (functions, classes), with what the
    /// prelude says of those written in Weft.
    pub fn globals(&mut self) -> &[Member] {
        self.globals.get_or_insert_with(global_members)
    }
}

fn weft_members(module: &str, src: &str) -> Vec<Member> {
    let Some(tree) = crate::parser::parse_recovered(src) else {
        return Vec::new();
    };
    let a = analysis::analyze(&tree, src.len());
    public_members(&a, src, Some(module))
}

/// The top-level declarations of a module that other modules may use
/// (names starting with `_` are private by convention).
pub fn public_members(a: &Analysis, src: &str, module: Option<&str>) -> Vec<Member> {
    a.defs
        .iter()
        .enumerate()
        .filter(|(_, d)| d.global && !d.name.starts_with('_'))
        .map(|(i, d)| Member {
            name: d.name.clone(),
            kind: d.kind,
            signature: describe::signature(a, i, src, module),
            doc: describe::doc_comment(src, d.decl.start as usize),
            span: Some(d.span),
        })
        .collect()
}

fn native_members(name: &str) -> Vec<Member> {
    let mut members = Vec::new();
    for_each_native(name, |member, value, rt| {
        members.push(native_member(
            &format!("{name}.{member}"),
            member,
            value,
            rt,
        ));
    });
    members
}

/// The public members of native module `name` with their arities (`None`
/// for a member that is not a function), in declaration order.
#[cfg(test)]
pub fn native_arities(name: &str) -> Vec<(String, Option<(u8, u8)>)> {
    let mut members = Vec::new();
    for_each_native(name, |member, value, _| {
        let arity = match value {
            Value::Native(f) => Some((f.min, f.max)),
            _ => None,
        };
        members.push((member, arity));
    });
    members
}

/// Calls `each` with the name and value of every public member of native
/// module `name`, in slot order, while the runtime that made it is alive.
fn for_each_native(name: &str, mut each: impl FnMut(String, Value, &crate::runtime::Runtime)) {
    let mut rt = crate::runtime::Runtime::new();
    stdlib::install(&mut rt);
    let Some(factory) = rt.native_factory else {
        return;
    };
    let Some(module) = factory(&mut rt, name) else {
        return;
    };
    let mut slots: Vec<(String, u32)> = module
        .names
        .borrow()
        .iter()
        .map(|(sym, slot)| (rt.symbols.name(*sym).to_string(), *slot))
        .filter(|(n, _)| !n.starts_with('_'))
        .collect();
    slots.sort_by_key(|(_, slot)| *slot);
    let globals = module.globals.borrow();
    for (member, slot) in slots {
        let value = globals.get(slot as usize).copied().unwrap_or(Value::Nil);
        each(member, value, &rt);
    }
}

fn native_member(
    qualified: &str,
    name: String,
    value: Value,
    rt: &crate::runtime::Runtime,
) -> Member {
    let documented = super::std_docs::native_doc(qualified);
    let doc = documented.map_or(String::new(), |d| d.doc.to_string());
    match value {
        Value::Native(f) => Member {
            name,
            kind: DefKind::Function,
            signature: format!(
                "fn {qualified}({})",
                documented.map_or_else(|| arity(f.min, f.max), |d| d.params.to_string())
            ),
            doc,
            span: None,
        },
        Value::Class(_) => Member {
            name,
            kind: DefKind::Class,
            signature: format!("class {qualified}"),
            doc: String::new(),
            span: None,
        },
        other => Member {
            name,
            kind: DefKind::Variable,
            signature: format!("{qualified}: {}", rt.type_name(other)),
            doc,
            span: None,
        },
    }
}

/// Placeholder parameters for a native function taking `min..=max`
/// arguments (natives have no parameter names).
fn arity(min: u8, max: u8) -> String {
    if max == u8::MAX {
        return if min == 0 {
            "...args".into()
        } else {
            format!("{} arguments or more", min)
        };
    }
    let args: Vec<String> = (0..max)
        .map(|i| {
            if i < min {
                format!("arg{}", i + 1)
            } else {
                format!("arg{}?", i + 1)
            }
        })
        .collect();
    args.join(", ")
}

fn global_members() -> Vec<Member> {
    let prelude = crate::parser::parse_recovered(stdlib::PRELUDE)
        .map(|t| analysis::analyze(&t, stdlib::PRELUDE.len()));
    let natives = stdlib::builtin_functions();
    BUILTINS
        .iter()
        .filter(|n| !n.starts_with("__"))
        .map(|&name| {
            if let Some(a) = &prelude {
                if let Some(d) = a.top_level(name) {
                    if let Detail::Fn(_) | Detail::Class(_) = a.defs[d].detail {
                        return Member {
                            name: name.to_string(),
                            kind: a.defs[d].kind,
                            signature: describe::signature(a, d, stdlib::PRELUDE, None),
                            doc: describe::doc_comment(
                                stdlib::PRELUDE,
                                a.defs[d].decl.start as usize,
                            ),
                            span: None,
                        };
                    }
                }
            }
            let documented = super::std_docs::native_doc(name);
            match (natives.iter().find(|f| f.name == name), documented) {
                (Some(f), _) if name.starts_with(char::is_lowercase) => Member {
                    name: name.to_string(),
                    kind: DefKind::Function,
                    signature: format!(
                        "fn {name}({})",
                        documented.map_or_else(|| arity(f.min, f.max), |d| d.params.to_string())
                    ),
                    doc: documented
                        .map_or("A built-in function.", |d| d.doc)
                        .to_string(),
                    span: None,
                },
                (_, Some(d)) => Member {
                    name: name.to_string(),
                    kind: DefKind::Class,
                    signature: format!("class {name}\n{name}({})", d.params),
                    doc: d.doc.to_string(),
                    span: None,
                },
                _ => Member {
                    name: name.to_string(),
                    kind: DefKind::Class,
                    signature: format!("class {name}\n{name}(message)"),
                    doc:
                        "A built-in error class (`throw {name}(\"...\")`; `e.message`, `e.trace`)."
                            .replace("{name}", name),
                    span: None,
                },
            }
        })
        .collect()
}

/// A copy of the Weft source of standard module `name` in the user's cache
/// folder (written when missing or different), for editors to open.
pub fn std_file(name: &str) -> Option<PathBuf> {
    let src = weft_source(name)?;
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    let dir = base
        .join("weft")
        .join(format!("std-{}", env!("CARGO_PKG_VERSION")));
    let path = dir.join(format!("{name}.weft"));
    if std::fs::read_to_string(&path).ok().as_deref() != Some(src) {
        std::fs::create_dir_all(&dir).ok()?;
        std::fs::write(&path, src).ok()?;
    }
    Some(path)
}
