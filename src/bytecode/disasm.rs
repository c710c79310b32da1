//! Human-readable listing of compiled code, for `weft disasm`.

use super::chunk::{Constant, FnProto, Program};
use super::op::{ArithForm, CmpKind, Op, Site};
use super::symbol::Interner;
use crate::span::SourceMap;
use std::fmt::Write;

/// Lists every module of a program, each function after its parent.
pub fn disassemble(program: &Program, symbols: &Interner, sources: &SourceMap) -> String {
    let mut out = String::new();
    for module in &program.modules {
        let _ = writeln!(out, "== module {} ==", module.name);
        if !module.globals.is_empty() {
            let names: Vec<&str> = module.globals.iter().map(|g| &**g).collect();
            let _ = writeln!(out, "globals: {}", names.join(", "));
        }
        function(&mut out, &module.body, symbols, sources);
    }
    out
}

fn function(out: &mut String, proto: &FnProto, symbols: &Interner, sources: &SourceMap) {
    let file = sources.get(proto.source);
    let _ = writeln!(
        out,
        "\nfn {} (params {}, required {}{}{}, {:?})",
        proto.display_name(),
        proto.params,
        proto.required,
        if proto.has_rest { ", rest" } else { "" },
        if proto.is_method { ", method" } else { "" },
        proto.kind,
    );
    let chunk = &proto.chunk;
    let mut last_line = 0;
    for (i, op) in chunk.code.iter().enumerate() {
        let line = file.line(chunk.spans[i].start);
        let line_col = if line == last_line {
            "   |".to_string()
        } else {
            format!("{line:4}")
        };
        last_line = line;
        let _ = writeln!(out, "{i:5} {line_col}  {}", describe(op, proto, symbols));
    }
    for nested in &chunk.protos {
        function(out, nested, symbols, sources);
    }
}

fn cmp(k: CmpKind) -> &'static str {
    match k {
        CmpKind::Lt => "<",
        CmpKind::Le => "<=",
        CmpKind::Gt => ">",
        CmpKind::Ge => ">=",
        CmpKind::Eq => "==",
        CmpKind::Ne => "!=",
    }
}

/// `" [cache 3]"` for a site with an inline cache.
fn cache(site: Site) -> String {
    if site == Site::NONE {
        String::new()
    } else {
        format!(" [cache {}]", site.0)
    }
}

fn describe(op: &Op, proto: &FnProto, symbols: &Interner) -> String {
    let konst = |k: u32| match proto.chunk.consts.get(k as usize) {
        Some(Constant::Int(n)) => n.to_string(),
        Some(Constant::Float(x)) => format!("{x:?}"),
        Some(Constant::Str(s)) => format!("{s:?}"),
        None => "?".to_string(),
    };
    if let Some((arith, form)) = op.as_arith() {
        let name = format!("{}{}", arith.name(), form.suffix());
        let sym = arith.symbol();
        return match form {
            ArithForm::LL(a, b) => format!("{name} slot({}) {sym} slot({})", a.0, b.0),
            ArithForm::LI(a, n) => format!("{name} slot({}) {sym} {n}", a.0),
            ArithForm::I(n) => format!("{name} _ {sym} {n}"),
            ArithForm::L(a) => format!("{name} _ {sym} slot({})", a.0),
            ArithForm::Set(a) => format!("{name} slot({}) = _ {sym} _", a.0),
            ArithForm::K(k) => format!("{name} _ {sym} {}", konst(k.0)),
            ArithForm::KL(k, a) => format!("{name} {} {sym} slot({})", konst(k.0), a.0),
            ArithForm::LSet(a, dst) => format!("{name} slot({}) = _ {sym} slot({})", dst.0, a.0),
            ArithForm::LLSet(a, b, dst) => {
                format!("{name} slot({}) = slot({}) {sym} slot({})", dst.0, a.0, b.0)
            }
            ArithForm::LISet(src, n, dst) => {
                format!("{name} slot({}) = slot({}) {sym} {n}", dst.0, src.0)
            }
        };
    }
    match *op {
        Op::Const(k) => format!("Const {} ({})", k.0, konst(k.0)),
        Op::Class(k, sup) => format!("Class {}{}", konst(k.0), if sup { " < super" } else { "" }),
        Op::ImportNative(k) => format!("ImportNative {}", konst(k.0)),
        Op::Invoke(s, n, site) => format!("Invoke .{} ({n} args){}", symbols.name(s), cache(site)),
        Op::SuperInvoke(s, n) => format!("SuperInvoke .{} ({n} args)", symbols.name(s)),
        Op::GetSuper(s) => format!("GetSuper .{}", symbols.name(s)),
        Op::GetField(s, site) => format!("GetField .{}{}", symbols.name(s), cache(site)),
        Op::SetField(s, site) => format!("SetField .{}{}", symbols.name(s), cache(site)),
        Op::GetLocalField(a, site, s) => {
            format!(
                "GetLocalField slot({a}) .{}{}",
                symbols.name(s),
                cache(site)
            )
        }
        Op::Method(s) => format!("Method .{}", symbols.name(s)),
        Op::Closure(i) => {
            let name = proto
                .chunk
                .protos
                .get(i as usize)
                .map(|p| p.display_name().to_string())
                .unwrap_or_default();
            format!("Closure {i} ({name})")
        }
        Op::CmpJumpLL(k, a, b, t) => {
            format!(
                "CmpJumpLL unless slot({a}) {} slot({b}) ->({})",
                cmp(k),
                t.0
            )
        }
        Op::CmpJumpLI(k, a, n, t) => {
            format!("CmpJumpLI unless slot({a}) {} {n} ->({})", cmp(k), t.0)
        }
        Op::CmpJumpI(k, n, t) => format!("CmpJumpI unless _ {} {n} ->({})", cmp(k), t.0),
        Op::CmpJumpK(kind, k, t) => {
            format!(
                "CmpJumpK unless _ {} {} ->({})",
                cmp(kind),
                konst(k.into()),
                t.0
            )
        }
        Op::LoopRange(a, n, t) | Op::LoopIter(a, n, t) => {
            let name = if matches!(op, Op::LoopRange(..)) {
                "LoopRange"
            } else {
                "LoopIter"
            };
            let dropping = if n > 0 {
                format!(" dropping {n}")
            } else {
                String::new()
            };
            format!("{name} ->({}) over slot({}){dropping}", t.0, a.0)
        }
        Op::Move(a, b) => format!("Move slot({}) = slot({})", b.0, a.0),
        Op::LoopLL(k, a, b, t) => {
            format!("LoopLL ->({}) while slot({a}) {} slot({b})", t.0, cmp(k))
        }
        Op::LoopLI(k, a, n, t) => format!("LoopLI ->({}) while slot({a}) {} {n}", t.0, cmp(k)),
        other => format!("{other:?}")
            .replace("Slot(", "slot(")
            .replace("Target(", "->("),
    }
}
