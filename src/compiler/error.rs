//! Compile errors: names that resolve nowhere, misplaced `await`, `break`,
//! `self`, and the like. Each carries the span to underline.

use crate::diagnostics::Diagnostic;
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
                format!("undefined name `{name}`"),
                "not declared anywhere".into(),
                suggestion.as_ref().map(|s| format!("did you mean `{s}`?")),
            ),
            AssignToUndeclared { name, suggestion } => (
                format!("assignment to undeclared name `{name}`"),
                "not declared anywhere".into(),
                Some(match suggestion {
                    Some(s) => format!("did you mean `{s}`? To declare a new variable, use `let {name} = ...`"),
                    None => format!("declare it first with `let {name} = ...`"),
                }),
            ),
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
                format!("duplicate parameter `{name}`"),
                "declared twice".into(),
                None,
            ),
            RequiredAfterDefault(name) => (
                format!("parameter `{name}` needs a default value"),
                "it follows a parameter with a default".into(),
                Some("parameters with defaults must come after the ones without".into()),
            ),
            TooMany(limit) => (
                format!("too many {}: the limit is {}", limit.what(), limit.max()),
                "limit exceeded here".into(),
                None,
            ),
            UnknownModule(name) => (
                format!("unknown module `{name}`"),
                "no standard module has this name".into(),
                Some(format!(
                    "standard modules: {}; files are imported with `import \"./file.weft\" as name`",
                    crate::stdlib::NATIVE_MODULES.join(", ")
                )),
            ),
            ImportFailed { path, reason } => (
                format!("cannot import `{path}`: {reason}"),
                "imported here".into(),
                None,
            ),
            ImportCycle(chain) => (
                format!("import cycle: {}", cycle_text(chain)),
                "this import closes the cycle".into(),
                Some("move the shared code into a module that both can import".into()),
            ),
            BadImportName(path) => (
                format!("cannot derive a name from `{path}`"),
                "this file name is not a valid identifier".into(),
                Some("add `as name`".into()),
            ),
            DuplicateMethod(name) => (
                format!("method `{name}` is defined twice"),
                "second definition".into(),
                None,
            ),
        };
        let mut d = Diagnostic::error(message).with_label(source, self.span, label);
        if let Some(h) = hint {
            d = d.with_hint(h);
        }
        d
    }
}

/// The closest of `candidates` to `name`, if it is close enough to be a
/// plausible typo (at most a third of its length in edits).
pub fn suggest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .filter(|c| *c != name && !c.is_empty() && !c.starts_with('$'))
        .map(|c| (levenshtein(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, c.to_string()))
        .map(|(_, c)| c.to_string())
}

/// Edit distance counting an adjacent transposition as one edit
/// (optimal string alignment), so `conut` is one edit from `count`.
fn levenshtein(a: &str, b: &str) -> usize {
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

/// The modules of an import cycle joined by arrows; a long cycle shows its
/// first and last few modules around a count of the ones left out.
fn cycle_text(chain: &[String]) -> String {
    const SHOWN: usize = 4;
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
}
