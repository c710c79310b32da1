//! Test helpers: a small lexer for the token forms the parser tests need
//! (so these tests do not depend on the real lexer) and a compact printer
//! that writes a tree as S-expressions.

use crate::ast::{
    Block, Expr, ExprKind, FnDecl, ImportSource, InterpPart, Param, Pattern, Stmt, StmtKind, UnOp,
};
use crate::lexer::Token;
use crate::span::Span;

/// Tokenises identifiers, keywords, numbers, strings with `${}`
/// interpolation, comments and punctuation.
pub fn lex(src: &str) -> Vec<(Token, Span)> {
    let mut lexer = Lexer {
        src: src.as_bytes(),
        pos: 0,
        out: Vec::new(),
    };
    lexer.tokens(false);
    lexer.out
}

struct Lexer<'s> {
    src: &'s [u8],
    pos: usize,
    out: Vec<(Token, Span)>,
}

const PUNCT: &[(&str, Token)] = &[
    ("...", Token::Ellipsis),
    ("..=", Token::DotDotEq),
    ("..", Token::DotDot),
    ("=>", Token::FatArrow),
    ("==", Token::EqEq),
    ("!=", Token::NotEq),
    ("<=", Token::LtEq),
    (">=", Token::GtEq),
    ("&&", Token::AndAnd),
    ("||", Token::OrOr),
    ("+=", Token::PlusEq),
    ("-=", Token::MinusEq),
    ("*=", Token::StarEq),
    ("/=", Token::SlashEq),
    ("%=", Token::PercentEq),
    ("(", Token::LParen),
    (")", Token::RParen),
    ("[", Token::LBracket),
    ("]", Token::RBracket),
    ("{", Token::LBrace),
    ("}", Token::RBrace),
    (",", Token::Comma),
    (".", Token::Dot),
    (":", Token::Colon),
    (";", Token::Semicolon),
    ("+", Token::Plus),
    ("-", Token::Minus),
    ("*", Token::Star),
    ("/", Token::Slash),
    ("%", Token::Percent),
    ("!", Token::Bang),
    ("=", Token::Eq),
    ("<", Token::Lt),
    (">", Token::Gt),
];

impl Lexer<'_> {
    fn push(&mut self, token: Token, start: usize) {
        self.out.push((token, Span::new(start, self.pos)));
    }

    /// Lexes until the end, or (inside `${ }`) until the unmatched `}`.
    fn tokens(&mut self, in_interp: bool) {
        let mut braces = 0usize;
        while self.pos < self.src.len() {
            let c = self.src[self.pos];
            let start = self.pos;
            if c.is_ascii_whitespace() {
                self.pos += 1;
            } else if self.src[self.pos..].starts_with(b"//") {
                while self.pos < self.src.len() && self.src[self.pos] != b'\n' {
                    self.pos += 1;
                }
            } else if c.is_ascii_alphabetic() || c == b'_' {
                while self.pos < self.src.len()
                    && (self.src[self.pos].is_ascii_alphanumeric() || self.src[self.pos] == b'_')
                {
                    self.pos += 1;
                }
                let word = std::str::from_utf8(&self.src[start..self.pos]).unwrap();
                let token = Token::keyword(word).unwrap_or_else(|| Token::Ident(word.into()));
                self.push(token, start);
            } else if c.is_ascii_digit() {
                self.number(start);
            } else if c == b'"' {
                self.string(start);
            } else if in_interp && c == b'}' && braces == 0 {
                return;
            } else {
                let (text, token) = PUNCT
                    .iter()
                    .find(|(p, _)| self.src[self.pos..].starts_with(p.as_bytes()))
                    .unwrap_or_else(|| panic!("test lexer: unexpected {:?}", c as char));
                if in_interp && *token == Token::LBrace {
                    braces += 1;
                }
                if in_interp && *token == Token::RBrace {
                    braces -= 1;
                }
                self.pos += text.len();
                self.push(token.clone(), start);
            }
        }
    }

    fn number(&mut self, start: usize) {
        while self.pos < self.src.len() && self.src[self.pos].is_ascii_digit() {
            self.pos += 1;
        }
        let is_float = self.src.get(self.pos) == Some(&b'.')
            && self
                .src
                .get(self.pos + 1)
                .is_some_and(|d| d.is_ascii_digit());
        if is_float {
            self.pos += 1;
            while self.pos < self.src.len() && self.src[self.pos].is_ascii_digit() {
                self.pos += 1;
            }
        }
        let text = std::str::from_utf8(&self.src[start..self.pos]).unwrap();
        let token = if is_float {
            Token::Float(text.parse().unwrap())
        } else {
            Token::Int(text.parse().unwrap())
        };
        self.push(token, start);
    }

    fn string(&mut self, start: usize) {
        self.pos += 1;
        let mut parts: Vec<(Token, Span)> = Vec::new();
        let mut text = String::new();
        let mut text_start = self.pos;
        let mut interpolated = false;
        loop {
            let Some(&c) = self.src.get(self.pos) else {
                panic!("test lexer: unterminated string")
            };
            if c == b'"' {
                break;
            }
            if self.src[self.pos..].starts_with(b"${") {
                interpolated = true;
                if !text.is_empty() {
                    parts.push((
                        Token::StrText(std::mem::take(&mut text)),
                        Span::new(text_start, self.pos),
                    ));
                }
                parts.push((Token::InterpOpen, Span::new(self.pos, self.pos + 2)));
                self.pos += 2;
                let mut inner = Lexer {
                    src: self.src,
                    pos: self.pos,
                    out: Vec::new(),
                };
                inner.tokens(true);
                parts.extend(inner.out);
                self.pos = inner.pos;
                parts.push((Token::InterpClose, Span::new(self.pos, self.pos + 1)));
                self.pos += 1;
                text_start = self.pos;
                continue;
            }
            if c == b'\\' {
                let escaped = self.src[self.pos + 1];
                text.push(match escaped {
                    b'n' => '\n',
                    b't' => '\t',
                    other => other as char,
                });
                self.pos += 2;
                continue;
            }
            text.push(c as char);
            self.pos += 1;
        }
        let text_end = self.pos;
        self.pos += 1;
        if !interpolated {
            self.push(Token::Str(text), start);
            return;
        }
        self.out
            .push((Token::StrStart, Span::new(start, start + 1)));
        self.out.extend(parts);
        if !text.is_empty() {
            self.out
                .push((Token::StrText(text), Span::new(text_start, text_end)));
        }
        self.out
            .push((Token::StrEnd, Span::new(text_end, self.pos)));
    }
}

/// Writes statements as S-expressions separated by `; `.
pub fn stmts(body: &[Stmt]) -> String {
    body.iter().map(stmt).collect::<Vec<_>>().join("; ")
}

fn block(b: &Block) -> String {
    format!("{{{}}}", stmts(&b.stmts))
}

fn opt(e: &Option<Expr>) -> String {
    e.as_ref()
        .map(|e| format!(" {}", expr(e)))
        .unwrap_or_default()
}

fn pattern(p: &Pattern) -> String {
    match p {
        Pattern::Name(id) => id.name.clone(),
        Pattern::List { items, rest, .. } => {
            let mut parts: Vec<String> = items.iter().map(pattern).collect();
            if let Some(r) = rest {
                parts.push(format!("...{}", r.name));
            }
            format!("[{}]", parts.join(" "))
        }
    }
}

fn params(ps: &[Param], rest: &Option<crate::ast::Ident>) -> String {
    let mut parts: Vec<String> = ps
        .iter()
        .map(|p| match &p.default {
            Some(d) => format!("({} = {})", p.name.name, expr(d)),
            None => p.name.name.clone(),
        })
        .collect();
    if let Some(r) = rest {
        parts.push(format!("...{}", r.name));
    }
    format!("[{}]", parts.join(" "))
}

fn decl(f: &FnDecl) -> String {
    let kw = if f.is_async { "async-fn" } else { "fn" };
    let name = f
        .name
        .as_ref()
        .map(|n| format!(" {}", n.name))
        .unwrap_or_default();
    format!(
        "({kw}{name} {} {{{}}})",
        params(&f.params, &f.rest),
        stmts(&f.body)
    )
}

pub fn stmt(s: &Stmt) -> String {
    match &s.kind {
        StmtKind::Let { pattern: p, value } => format!("(let {}{})", pattern(p), opt(value)),
        StmtKind::Assign { target, op, value } => {
            let op = op.map(|o| o.symbol()).unwrap_or("");
            format!("({op}= {} {})", expr(target), expr(value))
        }
        StmtKind::Expr(e) => expr(e),
        StmtKind::If {
            cond,
            then_block,
            else_block,
        } => {
            let els = else_block
                .as_ref()
                .map(|b| format!(" else {}", block(b)))
                .unwrap_or_default();
            format!("(if {} {}{els})", expr(cond), block(then_block))
        }
        StmtKind::While { cond, body } => format!("(while {} {})", expr(cond), block(body)),
        StmtKind::For {
            vars,
            iterable,
            body,
            is_await,
        } => {
            let kw = if *is_await { "for-await" } else { "for" };
            let vars: Vec<&str> = vars.iter().map(|v| v.name.as_str()).collect();
            format!(
                "({kw} [{}] {} {})",
                vars.join(" "),
                expr(iterable),
                block(body)
            )
        }
        StmtKind::Break => "break".into(),
        StmtKind::Continue => "continue".into(),
        StmtKind::Return(e) => format!("(return{})", opt(e)),
        StmtKind::Throw(e) => format!("(throw {})", expr(e)),
        StmtKind::Try {
            body,
            catch,
            finally,
        } => {
            let mut out = format!("(try {}", block(body));
            if let Some(c) = catch {
                let name = c
                    .name
                    .as_ref()
                    .map(|n| format!("{} ", n.name))
                    .unwrap_or_default();
                out += &format!(" catch {name}{}", block(&c.body));
            }
            if let Some(f) = finally {
                out += &format!(" finally {}", block(f));
            }
            out + ")"
        }
        StmtKind::Fn(f) => decl(f),
        StmtKind::Class(c) => {
            let sup = c
                .superclass
                .as_ref()
                .map(|s| format!(" < {}", expr(s)))
                .unwrap_or_default();
            let methods: Vec<String> = c.methods.iter().map(|m| decl(m)).collect();
            format!("(class {}{sup} [{}])", c.name.name, methods.join(" "))
        }
        StmtKind::Import(i) => {
            let src = match &i.source {
                ImportSource::Std(id) => id.name.clone(),
                ImportSource::Path(p, _) => format!("{p:?}"),
            };
            let alias = i
                .alias
                .as_ref()
                .map(|a| format!(" as {}", a.name))
                .unwrap_or_default();
            format!("(import {src}{alias})")
        }
    }
}

fn list(items: &[Expr]) -> String {
    items.iter().map(|e| format!(" {}", expr(e))).collect()
}

pub fn expr(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Nil => "nil".into(),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Int(n) => n.to_string(),
        ExprKind::Float(x) => format!("{x:?}"),
        ExprKind::Str(s) => format!("{s:?}"),
        ExprKind::Interp(parts) => {
            let parts: String = parts
                .iter()
                .map(|p| match p {
                    InterpPart::Text(t) => format!(" {t:?}"),
                    InterpPart::Expr(e) => format!(" {}", expr(e)),
                })
                .collect();
            format!("(interp{parts})")
        }
        ExprKind::Name(id) => id.name.clone(),
        ExprKind::SelfRef => "self".into(),
        ExprKind::Super(id) => format!("(super {})", id.name),
        ExprKind::List(items) => format!("(list{})", list(items)),
        ExprKind::Map(entries) => {
            let entries: String = entries
                .iter()
                .map(|(k, v)| format!(" ({} {})", expr(k), expr(v)))
                .collect();
            format!("(map{entries})")
        }
        ExprKind::Unary(op, x) => {
            let op = match op {
                UnOp::Neg => "-",
                UnOp::Not => "!",
            };
            format!("({op} {})", expr(x))
        }
        ExprKind::Binary(op, a, b) => format!("({} {} {})", op.symbol(), expr(a), expr(b)),
        ExprKind::And(a, b) => format!("(&& {} {})", expr(a), expr(b)),
        ExprKind::Or(a, b) => format!("(|| {} {})", expr(a), expr(b)),
        ExprKind::Range {
            start,
            end,
            inclusive,
        } => {
            let op = if *inclusive { "..=" } else { ".." };
            format!("({op} {} {})", expr(start), expr(end))
        }
        ExprKind::Call { callee, args } => format!("(call {}{})", expr(callee), list(args)),
        ExprKind::MethodCall {
            receiver,
            name,
            args,
        } => format!("(mcall {} {}{})", expr(receiver), name.name, list(args)),
        ExprKind::Field { target, name } => format!("(. {} {})", expr(target), name.name),
        ExprKind::Index { target, index } => format!("(idx {} {})", expr(target), expr(index)),
        ExprKind::Slice { target, start, end } => {
            let bound = |b: &Option<Box<Expr>>| b.as_ref().map(|e| expr(e)).unwrap_or("_".into());
            format!("(slice {} {} {})", expr(target), bound(start), bound(end))
        }
        ExprKind::Lambda(f) => decl(f),
        ExprKind::Await(x) => format!("(await {})", expr(x)),
        ExprKind::Spawn(x) => format!("(spawn {})", expr(x)),
        ExprKind::Yield(x) => match x {
            Some(x) => format!("(yield {})", expr(x)),
            None => "(yield)".into(),
        },
    }
}
