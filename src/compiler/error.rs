//! Compile errors: names that resolve nowhere, misplaced `await`, `break`,
//! `self`, and the like. Each carries the span to underline.
//!
//! Also the "did you mean" search, bounded so that no name a program holds
//! (a million characters long, or one of a hundred thousand) makes it slow.

use crate::diagnostics::{clip, clip_to, Diagnostic, MAX_QUOTED_PATH_CHARS};
use crate::span::{SourceId, Span};

/// A count the bytecode format bounds; going past one is a compile error
/// that names it, never a silently wrapped operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    Constants,
    Locals,
    Captures,
    Arguments,
    Parameters,
    Globals,
    Functions,
    Elements,
    InterpParts,
    PatternNames,
    Handlers,
    Modules,
}

impl Limit {
    /// The largest count allowed.
    pub fn max(self) -> usize {
        match self {
            Limit::Locals | Limit::Captures | Limit::Handlers => u16::MAX as usize,
            Limit::Arguments => u8::MAX as usize,
            Limit::Parameters => 250,
            Limit::Constants
            | Limit::Globals
            | Limit::Functions
            | Limit::Elements
            | Limit::InterpParts
            | Limit::PatternNames
            | Limit::Modules => u32::MAX as usize,
        }
    }

    fn what(self) -> &'static str {
        match self {
            Limit::Constants => "constants in one function",
            Limit::Locals => "local variables in one function",
            Limit::Captures => "captured variables in one function",
            Limit::Arguments => "arguments in one call",
            Limit::Parameters => "parameters in one function",
            Limit::Globals => "top-level names in one module",
            Limit::Functions => "nested functions in one function",
            Limit::Elements => "elements in one literal",
            Limit::InterpParts => "parts in one interpolated string",
            Limit::PatternNames => "names in one pattern",
            Limit::Handlers => "nested `try` and `for` blocks",
            Limit::Modules => "modules in one program",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum CompileErrorKind {
    UndefinedName {
        name: String,
        suggestion: Option<String>,
    },
    AssignToUndeclared {
        name: String,
        suggestion: Option<String>,
    },
    /// A local read or assigned before the declaration (`declared`) that
    /// comes later in an enclosing block.
    UsedBeforeDeclaration {
        name: String,
        declared: Span,
        assigned: bool,
    },
    /// A local named inside its own `let` (`let r = fn(n) { return r(n) }`);
    /// `value_is_fn` when the value is a lambda.
    UsedInOwnLet {
        name: String,
        value_is_fn: bool,
    },
    AssignToBuiltin(String),
    AwaitOutsideAsync,
    ForAwaitOutsideAsync,
    YieldOutsideFunction,
    YieldInAsyncTopLevel,
    BreakOutsideLoop,
    ContinueOutsideLoop,
    SelfOutsideMethod,
    SuperOutsideMethod,
    SuperWithoutSuperclass,
    DuplicateParam(String),
    RequiredAfterDefault(String),
    TooMany(Limit),
    UnknownModule(String),
    /// A file import that could not be read or compiled.
    ImportFailed {
        path: String,
        reason: String,
    },
    ImportCycle(Vec<String>),
    BadImportName(String),
    DuplicateMethod(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct CompileError {
    pub kind: CompileErrorKind,
    pub span: Span,
}

impl CompileError {
    pub fn new(kind: CompileErrorKind, span: Span) -> CompileError {
        CompileError { kind, span }
    }

    pub fn to_diagnostic(&self, source: SourceId) -> Diagnostic {
        use CompileErrorKind::*;
        let (message, label, hint): (String, String, Option<String>) = match &self.kind {
            UndefinedName { name, suggestion } => (
                format!("undefined name `{}`", clip(name)),
                "not declared anywhere".into(),
                suggestion.as_ref().map(|s| format!("did you mean `{s}`?")),
            ),
            AssignToUndeclared { name, suggestion } => {
                let name = clip(name);
                (
                    format!("assignment to undeclared name `{name}`"),
                    "not declared anywhere".into(),
                    Some(match suggestion {
                        Some(s) => format!("did you mean `{s}`? To declare a new variable, use `let {name} = ...`"),
                        None => format!("declare it first with `let {name} = ...`"),
                    }),
                )
            }
            UsedBeforeDeclaration { name, assigned, .. } => (
                format!(
                    "`{}` is {} before its declaration",
                    clip(name),
                    if *assigned { "assigned" } else { "used" }
                ),
                if *assigned { "assigned here" } else { "used here" }.into(),
                Some("a local variable is visible only after its declaration: move the declaration above the first use".into()),
            ),
            UsedInOwnLet { name, value_is_fn } => {
                let name = clip(name);
                (
                    format!("`{name}` is used in its own `let`"),
                    format!("`{name}` does not exist until its `let` is complete"),
                    Some(if *value_is_fn {
                        format!("a `let` cannot see the name it declares; for a function that calls itself, declare it with `fn {name}(...) {{ ... }}`")
                    } else {
                        "a `let` cannot see the name it declares".into()
                    }),
                )
            }
            AssignToBuiltin(name) => (
                format!("cannot assign to the built-in `{name}`"),
                "built-in name".into(),
                Some(format!("declare your own with `let {name} = ...`")),
            ),
            AwaitOutsideAsync => (
                "`await` outside an async function".into(),
                "`await` is not allowed here".into(),
                Some("`await` works in `async fn` bodies and at the top level of the main script".into()),
            ),
            ForAwaitOutsideAsync => (
                "`for await` outside an async function".into(),
                "`for await` is not allowed here".into(),
                Some("`for await` works in `async fn` bodies and at the top level of the main script".into()),
            ),
            YieldOutsideFunction => (
                "`yield` outside a function".into(),
                "`yield` is only allowed inside a function body".into(),
                None,
            ),
            YieldInAsyncTopLevel => (
                "`yield` at the top level".into(),
                "`yield` is only allowed inside a function body".into(),
                None,
            ),
            BreakOutsideLoop => ("`break` outside a loop".into(), "not inside `while` or `for`".into(), None),
            ContinueOutsideLoop => (
                "`continue` outside a loop".into(),
                "not inside `while` or `for`".into(),
                None,
            ),
            SelfOutsideMethod => (
                "`self` outside a method".into(),
                "`self` is only defined inside class methods".into(),
                None,
            ),
            SuperOutsideMethod => (
                "`super` outside a method".into(),
                "`super` is only defined inside class methods".into(),
                None,
            ),
            SuperWithoutSuperclass => (
                "`super` in a class without a superclass".into(),
                "this class has no superclass".into(),
                Some("declare one with `class Name < Base { ... }`".into()),
            ),
            DuplicateParam(name) => (
                format!("duplicate parameter `{}`", clip(name)),
                "declared twice".into(),
                None,
            ),
            RequiredAfterDefault(name) => (
                format!("parameter `{}` needs a default value", clip(name)),
                "it follows a parameter with a default".into(),
                Some("parameters with defaults must come after the ones without".into()),
            ),
            TooMany(limit) => (
                format!("too many {}: the limit is {}", limit.what(), limit.max()),
                "limit exceeded here".into(),
                None,
            ),
            UnknownModule(name) => (
                format!("unknown module `{}`", clip(name)),
                "no standard module has this name".into(),
                Some(format!(
                    "standard modules: {}; files are imported with `import \"./file.weft\" as name`",
                    crate::stdlib::NATIVE_MODULES.join(", ")
                )),
            ),
            ImportFailed { path, reason } => (
                format!("cannot import `{}`: {reason}", clip_to(path, MAX_QUOTED_PATH_CHARS)),
                "imported here".into(),
                None,
            ),
            ImportCycle(chain) => (
                format!("import cycle: {}", cycle_text(chain)),
                "this import closes the cycle".into(),
                Some("move the shared code into a module that both can import".into()),
            ),
            BadImportName(path) => (
                format!("cannot derive a name from `{}`", clip_to(path, MAX_QUOTED_PATH_CHARS)),
                "this file name is not a valid identifier".into(),
                Some("add `as name`".into()),
            ),
            DuplicateMethod(name) => (
                format!("method `{}` is defined twice", clip(name)),
                "second definition".into(),
                None,
            ),
        };
        let mut d = Diagnostic::error(message).with_label(source, self.span, label);
        if let UsedBeforeDeclaration { declared, .. } = &self.kind {
            d = d.with_label(source, *declared, "declared here");
        }
        if let Some(h) = hint {
            d = d.with_hint(h);
        }
        d
    }
}

/// Names longer than this get no "did you mean": nobody mistypes a name
/// that long, and the search costs time in proportion to it.
pub const MAX_SUGGESTED_CHARS: usize = 64;

/// The closest of `candidates` to `name`, if it is close enough to be a
/// plausible typo (at most a third of its length in edits). Ties go to the
/// first name in alphabetical order. Compiler-internal names (`$...`) and
/// the prelude's helpers (`__...`) are never offered, unless the name
/// itself starts with `__`.
///
/// A candidate whose length differs from the name's by more than the limit
/// is skipped without comparing, and the comparison stops as soon as it
/// exceeds the best distance found, so a search costs at most
/// O(candidates × [`MAX_SUGGESTED_CHARS`]²).
pub fn suggest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    if name.len() > 4 * MAX_SUGGESTED_CHARS {
        return None;
    }
    let typed: Vec<char> = name.chars().collect();
    if typed.len() > MAX_SUGGESTED_CHARS {
        return None;
    }
    let limit = (typed.len() / 3).max(1);
    let internal_ok = name.starts_with("__");
    let mut best: Option<(usize, &str)> = None;
    let mut chars: Vec<char> = Vec::new();
    for c in candidates {
        if c == name || c.is_empty() || c.starts_with('$') || (c.starts_with("__") && !internal_ok)
        {
            continue;
        }
        // Far longer candidates are skipped before their characters are read.
        if c.len() > 4 * (typed.len() + limit) {
            continue;
        }
        chars.clear();
        chars.extend(c.chars());
        let bound = best.map_or(limit, |(d, _)| d);
        let Some(d) = distance_within(&typed, &chars, bound) else {
            continue;
        };
        if best.is_none_or(|(bd, bc)| (d, c) < (bd, bc)) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c.to_string())
}

/// Edit distance counting an adjacent transposition as one edit (optimal
/// string alignment, so `conut` is one edit from `count`), or `None` when
/// it exceeds `bound`. Only the cells within `bound` of the diagonal are
/// computed, three rows at a time, and the scan stops once a whole row
/// exceeds the bound: O(len × bound) time, O(len) memory.
fn distance_within(a: &[char], b: &[char], bound: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > bound {
        return None;
    }
    // Outside the band: further than any bound, and safe to add 1 to.
    const FAR: usize = usize::MAX / 2;
    let n = b.len();
    let mut before: Vec<usize> = vec![FAR; n + 1];
    let mut prev: Vec<usize> = (0..=n).map(|j| if j <= bound { j } else { FAR }).collect();
    let mut cur: Vec<usize> = vec![FAR; n + 1];
    for i in 1..=a.len() {
        cur.fill(FAR);
        cur[0] = if i <= bound { i } else { FAR };
        let mut row_min = cur[0];
        let lo = i.saturating_sub(bound).max(1);
        let hi = (i + bound).min(n);
        for j in lo..=hi {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            cur[j] = d;
            row_min = row_min.min(d);
        }
        if row_min > bound {
            return None;
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    Some(prev[n]).filter(|&d| d <= bound)
}

/// The modules of an import cycle joined by arrows; a long cycle shows its
/// first and last few modules around a count of the ones left out.
fn cycle_text(chain: &[String]) -> String {
    const SHOWN: usize = 4;
    let chain: Vec<_> = chain
        .iter()
        .map(|p| clip_to(p, MAX_QUOTED_PATH_CHARS).into_owned())
        .collect();
    if chain.len() <= 2 * SHOWN + 1 {
        return chain.join(" → ");
    }
    format!(
        "{} → … {} more … → {}",
        chain[..SHOWN].join(" → "),
        chain.len() - 2 * SHOWN,
        chain[chain.len() - SHOWN..].join(" → ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let names = ["count", "counter", "print"];
        assert_eq!(
            suggest("conut", names.iter().copied()),
            Some("count".into())
        );
        assert_eq!(suggest("prnt", names.iter().copied()), Some("print".into()));
        assert_eq!(suggest("zebra", names.iter().copied()), None);
    }

    /// The full-table distance the bounded one must agree with.
    fn reference(a: &str, b: &str) -> usize {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
        for (i, row) in d.iter_mut().enumerate() {
            row[0] = i;
        }
        for (j, cell) in d[0].iter_mut().enumerate() {
            *cell = j;
        }
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut best = (d[i - 1][j] + 1)
                    .min(d[i][j - 1] + 1)
                    .min(d[i - 1][j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    best = best.min(d[i - 2][j - 2] + 1);
                }
                d[i][j] = best;
            }
        }
        d[a.len()][b.len()]
    }

    #[test]
    fn bounded_distance_agrees_with_the_full_table() {
        let words = [
            "", "a", "ab", "ba", "abc", "acb", "count", "conut", "counter", "cnt", "print", "prnt",
            "ca", "abcdef", "badcfe", "xyzabc", "kitten", "sitting",
        ];
        for a in words {
            for b in words {
                let full = reference(a, b);
                let (a_chars, b_chars): (Vec<char>, Vec<char>) =
                    (a.chars().collect(), b.chars().collect());
                for bound in 0..8 {
                    let expected = (full <= bound).then_some(full);
                    assert_eq!(
                        distance_within(&a_chars, &b_chars, bound),
                        expected,
                        "{a:?} {b:?} bound {bound}"
                    );
                }
            }
        }
    }

    #[test]
    fn ties_go_to_the_first_name_alphabetically() {
        let names = ["cat", "bat", "hat"];
        assert_eq!(suggest("at", names.iter().copied()), Some("bat".into()));
    }

    #[test]
    fn internal_names_are_not_suggested() {
        let names = ["__first", "$iter"];
        assert_eq!(suggest("_first", names.iter().copied()), None);
        assert_eq!(suggest("$itr", names.iter().copied()), None);
        assert_eq!(
            suggest("__frst", names.iter().copied()),
            Some("__first".into())
        );
    }

    #[test]
    fn huge_names_are_cheap() {
        let long = "x".repeat(1_000_000);
        let other = "y".repeat(20_000);
        let near = format!("{}z", "x".repeat(999_999));
        let names = [other.as_str(), near.as_str(), "x"];
        let start = std::time::Instant::now();
        assert_eq!(suggest(&long, names.iter().copied()), None);
        assert_eq!(suggest(&other, names.iter().copied()), None);
        let many: Vec<String> = (0..100_000).map(|i| format!("name{i}")).collect();
        assert_eq!(
            suggest("nme5", many.iter().map(|s| s.as_str())),
            Some("name5".into())
        );
        assert!(start.elapsed() < std::time::Duration::from_secs(2));
    }
}
