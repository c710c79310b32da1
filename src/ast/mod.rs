//! The syntax tree the parser produces and the compiler consumes.
//!
//! Every node carries the [`Span`] of the source it came from, so that compile
//! errors and runtime errors can underline the exact expression. The tree is
//! plain data: no resolution or type information is stored here; the compiler
//! works that out in its own tables.

use crate::span::Span;
use std::rc::Rc;

/// A name as written in the source.
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A whole source file: the statements of its top level.
#[derive(Clone, Debug, PartialEq)]
pub struct Module {
    pub body: Vec<Stmt>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

/// A `{ ... }` block: its statements and the span of the braces.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    /// `let pattern = value` or `let name` (value `None` binds nil).
    Let {
        pattern: Pattern,
        value: Option<Expr>,
    },
    /// `target = value` or `target op= value`; `target` is a name, index or field.
    Assign {
        target: Expr,
        op: Option<BinOp>,
        value: Expr,
    },
    /// An expression evaluated for its effect.
    Expr(Expr),
    If {
        cond: Expr,
        then_block: Block,
        /// `else { }` is a block; `else if` is a nested `If` statement in a block of one.
        else_block: Option<Block>,
    },
    While {
        cond: Expr,
        body: Block,
    },
    /// `for a in xs { }`, `for k, v in m.items() { }`, `for await v in ch { }`.
    For {
        vars: Vec<Ident>,
        iterable: Expr,
        body: Block,
        is_await: bool,
    },
    Break,
    Continue,
    Return(Option<Expr>),
    Throw(Expr),
    Try {
        body: Block,
        catch: Option<CatchClause>,
        finally: Option<Block>,
    },
    Fn(Rc<FnDecl>),
    Class(Rc<ClassDecl>),
    Import(Import),
}

#[derive(Clone, Debug, PartialEq)]
pub struct CatchClause {
    /// `catch e { }` binds `e`; `catch { }` binds nothing.
    pub name: Option<Ident>,
    pub body: Block,
}

/// The left-hand side of `let`.
#[derive(Clone, Debug, PartialEq)]
pub enum Pattern {
    Name(Ident),
    /// `[a, [b, c], ...rest]`
    List {
        items: Vec<Pattern>,
        rest: Option<Ident>,
        span: Span,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Import {
    pub source: ImportSource,
    /// `as name`; when absent the module is bound to its own name
    /// (`import time` binds `time`).
    pub alias: Option<Ident>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ImportSource {
    /// `import time`
    Std(Ident),
    /// `import "./util.weft"`: the path as written and the span of the string.
    Path(String, Span),
}

/// A function, method or lambda.
#[derive(Clone, Debug, PartialEq)]
pub struct FnDecl {
    /// `None` for lambdas.
    pub name: Option<Ident>,
    pub params: Vec<Param>,
    /// `...rest`
    pub rest: Option<Ident>,
    /// The statements of the body; `fn(x) => e` has the body `[Return(e)]`.
    pub body: Vec<Stmt>,
    pub is_async: bool,
    /// Span of the whole declaration or lambda.
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub name: Ident,
    pub default: Option<Expr>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ClassDecl {
    pub name: Ident,
    /// `class Name < Base`: the expression naming the base class.
    pub superclass: Option<Expr>,
    pub methods: Vec<Rc<FnDecl>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    /// `"a${x}b"`: literal pieces and embedded expressions, in order.
    Interp(Vec<InterpPart>),
    Name(Ident),
    SelfRef,
    /// `super.name`; only meaningful inside a method of a subclass.
    Super(Ident),
    List(Vec<Expr>),
    /// `{"a": 1, b: 2, [k]: v}`; a bare identifier key is parsed as a `Str` expression.
    Map(Vec<(Expr, Expr)>),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `a && b`
    And(Box<Expr>, Box<Expr>),
    /// `a || b`
    Or(Box<Expr>, Box<Expr>),
    /// `a .. b` and `a ..= b`
    Range {
        start: Box<Expr>,
        end: Box<Expr>,
        inclusive: bool,
    },
    Call {
        callee: Box<Expr>,
        args: Vec<Expr>,
    },
    /// `receiver.name(args)`: kept apart from `Call(Field)` so the compiler can
    /// emit a single method-invoke instruction.
    MethodCall {
        receiver: Box<Expr>,
        name: Ident,
        args: Vec<Expr>,
    },
    Field {
        target: Box<Expr>,
        name: Ident,
    },
    Index {
        target: Box<Expr>,
        index: Box<Expr>,
    },
    /// `a[i:j]`, either bound optional.
    Slice {
        target: Box<Expr>,
        start: Option<Box<Expr>>,
        end: Option<Box<Expr>>,
    },
    Lambda(Rc<FnDecl>),
    Await(Box<Expr>),
    Spawn(Box<Expr>),
    /// `yield` or `yield expr`.
    Yield(Option<Box<Expr>>),
}

impl Expr {
    /// Calls `f` on each direct sub-expression, in source order. A lambda's
    /// body is statements, not sub-expressions: it is not visited.
    pub fn for_each_child<'a>(&'a self, mut f: impl FnMut(&'a Expr)) {
        match &self.kind {
            ExprKind::Nil
            | ExprKind::Bool(_)
            | ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Str(_)
            | ExprKind::Name(_)
            | ExprKind::SelfRef
            | ExprKind::Super(_)
            | ExprKind::Lambda(_) => {}
            ExprKind::Interp(parts) => {
                for p in parts {
                    if let InterpPart::Expr(e) = p {
                        f(e);
                    }
                }
            }
            ExprKind::List(items) => items.iter().for_each(f),
            ExprKind::Map(entries) => {
                for (k, v) in entries {
                    f(k);
                    f(v);
                }
            }
            ExprKind::Unary(_, x)
            | ExprKind::Await(x)
            | ExprKind::Spawn(x)
            | ExprKind::Field { target: x, .. } => f(x),
            ExprKind::Yield(x) => {
                if let Some(x) = x {
                    f(x);
                }
            }
            ExprKind::Binary(_, a, b)
            | ExprKind::And(a, b)
            | ExprKind::Or(a, b)
            | ExprKind::Range {
                start: a, end: b, ..
            }
            | ExprKind::Index {
                target: a,
                index: b,
            } => {
                f(a);
                f(b);
            }
            ExprKind::Call { callee: x, args }
            | ExprKind::MethodCall {
                receiver: x, args, ..
            } => {
                f(x);
                args.iter().for_each(f);
            }
            ExprKind::Slice { target, start, end } => {
                f(target);
                if let Some(s) = start {
                    f(s);
                }
                if let Some(e) = end {
                    f(e);
                }
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum InterpPart {
    Text(String),
    Expr(Expr),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    Not,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Is,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Mod => "%",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Is => "is",
        }
    }
}
