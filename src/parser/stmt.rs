//! The statement grammar, blocks, and the error recovery that lets one run
//! report several independent syntax errors.
//!
//! Recovery works per statement (and per method in a class body): when a
//! statement fails, its error is recorded and the tokens from its start are
//! skipped up to the next token that can only begin a new statement (`let`,
//! `if`, `return`, ...), a `;`, or the `}` that closes the enclosing block.
//! Skipping steps over bracketed groups whole, so a `}` inside the bad
//! statement does not end the enclosing block early, and a `{ }` group that
//! looks like a block is parsed as one, so the errors inside it are still
//! reported. A statement that fails because the block around it ends is not
//! an error of its own: the block reports the missing `}` instead.

use super::delims::{brace_opens_block, Layout};
use super::error::{to_span, Expected, ParseErrorKind, SyntaxError};
use super::expr::{field_name, ident, params};
use super::{Ex, In, P};
use crate::ast::{
    BinOp, Block, CatchClause, ClassDecl, Expr, ExprKind, FnDecl, Ident, Import, ImportSource,
    Pattern, Stmt, StmtKind,
};
use crate::lexer::Token;
use crate::span::Span;
use chumsky::input::InputRef;
use chumsky::prelude::*;
use std::rc::Rc;

/// Where a recovering item sits, which decides where skipping stops.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Place {
    /// The top level of a module: a stray `}` is skipped like anything else.
    TopLevel,
    /// Inside `{ }`: the closing `}` ends the block, never skipped.
    Block,
    /// Inside a class body: only `fn`, `async` and `}` resynchronise.
    ClassBody,
}

/// Wraps `item` so that a failure is recorded and skipped over (see the
/// module docs); `placeholder` stands in for the skipped item. The tree is
/// discarded whenever an error was recorded, so placeholders never reach the
/// compiler.
pub(super) fn recovering<'a, O: 'a>(
    item: P<'a, O>,
    block: impl Parser<'a, In<'a>, Block, Ex> + Clone + 'a,
    place: Place,
    layout: Rc<Layout>,
    placeholder: fn(Span) -> O,
) -> P<'a, O> {
    custom(move |inp: &mut InputRef<'a, '_, In<'a>, Ex>| {
        let start = inp.save();
        let err = match inp.parse(&item) {
            Ok(out) => return Ok(out),
            Err(err) => err,
        };
        inp.rewind(start);
        match inp.peek() {
            None => return Err(err),
            Some(Token::RBrace) if place != Place::TopLevel => return Err(err),
            _ => {}
        }
        // Skip past the token the error is about, so the same error is not
        // met again; then on to where the next item can start. An error at
        // the end of input is usually an unclosed block: the statements
        // inside it are then parsed again at this level, so their errors
        // still count.
        let error_at = match &err.kind {
            ParseErrorKind::Unexpected { found: None, .. } => 0,
            _ => err.span.start,
        };
        let count = layout.recoveries.get() + 1;
        layout.recoveries.set(count);
        if count > super::delims::MAX_RECOVERIES {
            // Skip to the `}` that ends this block (brackets are balanced by
            // now), or to the end: the enclosing rules then still succeed
            // and keep the errors already recorded inside them.
            let begin = inp.cursor();
            let mut depth = 0usize;
            while let Some(t) = inp.peek() {
                match t {
                    Token::LBrace
                    | Token::LParen
                    | Token::LBracket
                    | Token::InterpOpen
                    | Token::StrStart => depth += 1,
                    Token::RBrace if depth == 0 && place != Place::TopLevel => break,
                    Token::RBrace
                    | Token::RParen
                    | Token::RBracket
                    | Token::InterpClose
                    | Token::StrEnd => depth = depth.saturating_sub(1),
                    _ => {}
                }
                inp.skip();
            }
            let span = to_span(inp.span_since(&begin));
            inp.emit(err);
            return Ok(placeholder(span));
        }
        let indent = next_start(inp).map_or(0, |at| layout.indent(at));
        let mut skip = Skipper {
            block: &block,
            layout: &layout,
            indent,
            prev: None,
        };
        let begin = inp.cursor();
        // A statement cannot start with `{`; whatever it holds is skipped whole.
        if inp.peek() == Some(Token::LBrace) {
            let checkpoint = inp.save();
            if !skip.balanced(inp) {
                inp.rewind(checkpoint);
                inp.skip();
            }
        } else {
            skip.one(inp);
        }
        let closes_block = |t: Option<Token>| t == Some(Token::RBrace) && place != Place::TopLevel;
        while inp.peek().is_some()
            && !closes_block(inp.peek())
            && inp.span_since(&begin).end <= error_at
        {
            skip.one(inp);
        }
        while !at_sync_point(inp, place) && !skip.at_new_line(inp) {
            skip.one(inp);
        }
        let span = to_span(inp.span_since(&begin));
        inp.emit(err);
        Ok(placeholder(span))
    })
    .boxed()
}

/// The start offset of the next token.
fn next_start<'a>(inp: &mut InputRef<'a, '_, In<'a>, Ex>) -> Option<u32> {
    let checkpoint = inp.save();
    let before = inp.cursor();
    inp.next()?;
    let start = inp.span_since(&before).start;
    inp.rewind(checkpoint);
    Some(start as u32)
}

fn closer_of(token: &Token) -> Token {
    match token {
        Token::LParen => Token::RParen,
        Token::LBracket => Token::RBracket,
        _ => Token::RBrace,
    }
}

/// Moves over the tokens of a broken item.
struct Skipper<'s, B> {
    block: &'s B,
    layout: &'s Layout,
    /// Indentation of the line the broken item starts on.
    indent: u32,
    /// The last token skipped, which tells a block `{` from a map `{`.
    prev: Option<Token>,
}

impl<'a, B: Parser<'a, In<'a>, Block, Ex>> Skipper<'_, B> {
    /// Whether the next token begins a line no more indented than the broken
    /// item: most likely the start of the next statement.
    fn at_new_line(&self, inp: &mut InputRef<'a, '_, In<'a>, Ex>) -> bool {
        next_start(inp).is_some_and(|at| self.starts_outer_line(at))
    }

    fn starts_outer_line(&self, at: u32) -> bool {
        self.layout.starts_line(at) && self.layout.column(at) <= self.indent
    }

    /// Skips one token, or one bracketed group when it is closed. A `{` that
    /// opens a block is parsed as a block so that errors inside it still count.
    fn one(&mut self, inp: &mut InputRef<'a, '_, In<'a>, Ex>) {
        let Some(token) = inp.peek() else {
            return;
        };
        let checkpoint = inp.save();
        let skipped_group = match token {
            Token::LBrace if brace_opens_block(self.prev.as_ref()) => inp.parse(self.block).is_ok(),
            Token::LBrace | Token::LParen | Token::LBracket => self.balanced(inp),
            _ => false,
        };
        if skipped_group {
            self.prev = Some(closer_of(&token));
        } else {
            inp.rewind(checkpoint);
            inp.skip();
            self.prev = Some(token);
        }
    }

    /// Skips a group of balanced brackets. Fails when the group is never
    /// closed, is closed by the wrong kind of bracket, or runs into a line
    /// that looks like the next statement: an opener missing its closer
    /// must not swallow the rest of the file.
    fn balanced(&self, inp: &mut InputRef<'a, '_, In<'a>, Ex>) -> bool {
        let mut open: Vec<Token> = Vec::new();
        loop {
            let before = inp.cursor();
            let Some(token) = inp.next() else {
                return false;
            };
            let at = inp.span_since(&before).start as u32;
            match token {
                Token::LBrace | Token::LParen | Token::LBracket => {
                    if !open.is_empty() && self.starts_outer_line(at) {
                        return false;
                    }
                    open.push(closer_of(&token));
                }
                Token::RBrace | Token::RParen | Token::RBracket => {
                    if open.pop() != Some(token) {
                        return false;
                    }
                    if open.is_empty() {
                        return true;
                    }
                }
                _ if self.starts_outer_line(at) => return false,
                _ => {}
            }
        }
    }
}

/// Whether the next token can only start a new item (or ends the block).
fn at_sync_point<'a>(inp: &mut InputRef<'a, '_, In<'a>, Ex>, place: Place) -> bool {
    let Some(token) = inp.peek() else {
        return true;
    };
    match token {
        Token::RBrace => true,
        Token::Fn | Token::Async if place == Place::ClassBody => true,
        _ if place == Place::ClassBody => false,
        Token::Let
        | Token::If
        | Token::While
        | Token::For
        | Token::Return
        | Token::Throw
        | Token::Try
        | Token::Class
        | Token::Import
        | Token::Break
        | Token::Continue
        | Token::Semicolon => true,
        // `fn name` and `async fn name` declare; `fn(` is a lambda, which
        // may sit in the middle of the broken statement.
        Token::Fn | Token::Async => {
            let checkpoint = inp.save();
            inp.skip();
            if token == Token::Async && inp.peek() == Some(Token::Fn) {
                inp.skip();
            }
            let declares = matches!(inp.peek(), Some(Token::Ident(_)));
            inp.rewind(checkpoint);
            declares
        }
        _ => false,
    }
}

fn placeholder_stmt(span: Span) -> Stmt {
    Stmt {
        kind: StmtKind::Expr(Expr {
            kind: ExprKind::Nil,
            span,
        }),
        span,
    }
}

fn placeholder_method(span: Span) -> Rc<FnDecl> {
    Rc::new(FnDecl {
        name: None,
        params: Vec::new(),
        rest: None,
        body: Vec::new(),
        is_async: false,
        span,
    })
}

/// `stmt*` with optional `;` between, each statement recovering on error.
pub(super) fn statements<'a>(
    stmt: impl Parser<'a, In<'a>, Stmt, Ex> + Clone + 'a,
    block: impl Parser<'a, In<'a>, Block, Ex> + Clone + 'a,
    place: Place,
    layout: Rc<Layout>,
) -> P<'a, Vec<Stmt>> {
    let item = recovering(stmt.boxed(), block, place, layout, placeholder_stmt);
    choice((just(Token::Semicolon).to(None), item.map(Some)))
        .repeated()
        .collect::<Vec<_>>()
        .map(|items| items.into_iter().flatten().collect())
        .boxed()
}

/// `{ statements }`.
pub(super) fn block<'a>(
    stmt: impl Parser<'a, In<'a>, Stmt, Ex> + Clone + 'a,
    this: impl Parser<'a, In<'a>, Block, Ex> + Clone + 'a,
    layout: Rc<Layout>,
) -> P<'a, Block> {
    statements(stmt, this, Place::Block, layout)
        .delimited_by(just(Token::LBrace), just(Token::RBrace))
        .map_with(|stmts, e| Block {
            stmts,
            span: to_span(e.span()),
        })
        .boxed()
}

enum PatItem {
    Pattern(Pattern),
    Rest(Ident, SimpleSpan),
}

/// `name` or `[a, [b, c], ...rest]`.
fn pattern<'a>() -> P<'a, Pattern> {
    recursive(|pattern| {
        let item = choice((
            just(Token::Ellipsis)
                .ignore_then(ident())
                .map_with(|name, e| PatItem::Rest(name, e.span())),
            pattern.map(PatItem::Pattern),
        ));
        let list = item
            .separated_by(just(Token::Comma))
            .allow_trailing()
            .collect::<Vec<_>>()
            .delimited_by(just(Token::LBracket), just(Token::RBracket))
            .validate(|items, e, emitter| {
                let count = items.len();
                let mut patterns = Vec::new();
                let mut rest = None;
                for (i, item) in items.into_iter().enumerate() {
                    match item {
                        PatItem::Pattern(p) => patterns.push(p),
                        PatItem::Rest(name, span) => {
                            if i + 1 != count {
                                emitter.emit(SyntaxError::new(ParseErrorKind::RestNotLast, span));
                            }
                            rest = Some(name);
                        }
                    }
                }
                Pattern::List {
                    items: patterns,
                    rest,
                    span: to_span(e.span()),
                }
            });
        choice((ident().map(Pattern::Name), list)).labelled(Expected::Pattern)
    })
    .boxed()
}

fn pattern_span(p: &Pattern) -> Span {
    match p {
        Pattern::Name(id) => id.span,
        Pattern::List { span, .. } => *span,
    }
}

/// `async? fn name(params) { body }`, for declarations and methods.
/// A named function; `name` is `ident()` for declarations and `field_name()`
/// for methods (which, being called after `.`, may be keywords: `g.throw`).
fn function<'a>(
    expr: impl Parser<'a, In<'a>, Expr, Ex> + Clone + 'a,
    block: impl Parser<'a, In<'a>, Block, Ex> + Clone + 'a,
    name: P<'a, Ident>,
) -> P<'a, Rc<FnDecl>> {
    just(Token::Async)
        .or_not()
        .then_ignore(just(Token::Fn))
        .then(name)
        .then(params(expr))
        .then(block)
        .map_with(|(((is_async, name), (params, rest)), body), e| {
            Rc::new(FnDecl {
                name: Some(name),
                params,
                rest,
                body: body.stmts,
                is_async: is_async.is_some(),
                span: to_span(e.span()),
            })
        })
        .boxed()
}

/// Every statement form. `expr` and `block` are the grammar's recursive
/// handles to expressions and `{ }` blocks.
pub(super) fn statement<'a>(
    expr: impl Parser<'a, In<'a>, Expr, Ex> + Clone + 'a,
    block: impl Parser<'a, In<'a>, Block, Ex> + Clone + 'a,
    layout: Rc<Layout>,
) -> P<'a, Stmt> {
    let stmt = |kind: StmtKind, span: SimpleSpan| Stmt {
        kind,
        span: to_span(span),
    };

    let let_stmt = just(Token::Let)
        .ignore_then(pattern())
        .then(just(Token::Eq).ignore_then(expr.clone()).or_not())
        .validate(move |(pattern, value), e, emitter| {
            if value.is_none() && matches!(pattern, Pattern::List { .. }) {
                let span = pattern_span(&pattern);
                emitter.emit(SyntaxError::new(
                    ParseErrorKind::PatternWithoutValue,
                    SimpleSpan::from(span.range()),
                ));
            }
            stmt(StmtKind::Let { pattern, value }, e.span())
        });

    // `else if` nests the second `if` in an else block of one statement.
    let if_stmt = recursive(|if_stmt| {
        let else_branch = choice((
            if_stmt.map(|s: Stmt| Block {
                span: s.span,
                stmts: vec![s],
            }),
            block.clone(),
        ));
        just(Token::If)
            .ignore_then(expr.clone())
            .then(block.clone())
            .then(just(Token::Else).ignore_then(else_branch).or_not())
            .map_with(move |((cond, then_block), else_block), e| {
                stmt(
                    StmtKind::If {
                        cond,
                        then_block,
                        else_block,
                    },
                    e.span(),
                )
            })
    });

    let while_stmt = just(Token::While)
        .ignore_then(expr.clone())
        .then(block.clone())
        .map_with(move |(cond, body), e| stmt(StmtKind::While { cond, body }, e.span()));

    let for_stmt = just(Token::For)
        .ignore_then(just(Token::Await).or_not())
        .then(ident().then(just(Token::Comma).ignore_then(ident()).or_not()))
        .then_ignore(just(Token::In))
        .then(expr.clone())
        .then(block.clone())
        .map_with(move |(((is_await, (first, second)), iterable), body), e| {
            let mut vars = vec![first];
            vars.extend(second);
            stmt(
                StmtKind::For {
                    vars,
                    iterable,
                    body,
                    is_await: is_await.is_some(),
                },
                e.span(),
            )
        });

    // Newlines mean nothing, so `return` takes whatever expression follows;
    // before `}`, `;` or the end it has no operand.
    let return_stmt = just(Token::Return)
        .ignore_then(expr.clone().or_not())
        .map_with(move |value, e| stmt(StmtKind::Return(value), e.span()));

    let throw_stmt = just(Token::Throw)
        .ignore_then(expr.clone())
        .map_with(move |value, e| stmt(StmtKind::Throw(value), e.span()));

    let break_stmt = just(Token::Break).map_with(move |_, e| stmt(StmtKind::Break, e.span()));
    let continue_stmt =
        just(Token::Continue).map_with(move |_, e| stmt(StmtKind::Continue, e.span()));

    let catch = just(Token::Catch)
        .ignore_then(ident().or_not())
        .then(block.clone())
        .map(|(name, body)| CatchClause { name, body });
    let try_stmt = just(Token::Try)
        .map_with(|_, e| e.span())
        .then(block.clone())
        .then(catch.or_not())
        .then(just(Token::Finally).ignore_then(block.clone()).or_not())
        .validate(move |(((try_span, body), catch), finally), e, emitter| {
            if catch.is_none() && finally.is_none() {
                emitter.emit(SyntaxError::new(
                    ParseErrorKind::TryWithoutHandler,
                    try_span,
                ));
            }
            stmt(
                StmtKind::Try {
                    body,
                    catch,
                    finally,
                },
                e.span(),
            )
        });

    let fn_stmt = function(expr.clone(), block.clone(), ident())
        .map_with(move |decl, e| stmt(StmtKind::Fn(decl), e.span()));

    // The superclass is a name or a dotted path such as `mod.Base`.
    let superclass = ident()
        .map(|id| Expr {
            span: id.span,
            kind: ExprKind::Name(id),
        })
        .foldl(
            just(Token::Dot).ignore_then(field_name()).repeated(),
            |target, name| Expr {
                span: target.span.to(name.span),
                kind: ExprKind::Field {
                    target: Box::new(target),
                    name,
                },
            },
        )
        .labelled(Expected::Superclass);
    let method = function(expr.clone(), block.clone(), field_name()).labelled(Expected::Method);
    let methods = choice((
        just(Token::Semicolon).to(None),
        recovering(
            method.boxed(),
            block.clone(),
            Place::ClassBody,
            layout,
            placeholder_method,
        )
        .map(Some),
    ))
    .repeated()
    .collect::<Vec<_>>()
    .map(|m| m.into_iter().flatten().collect::<Vec<_>>())
    .delimited_by(just(Token::LBrace), just(Token::RBrace));
    let class_stmt = just(Token::Class)
        .ignore_then(ident())
        .then(just(Token::Lt).ignore_then(superclass).or_not())
        .then(methods)
        .map_with(move |((name, superclass), methods), e| {
            let span = to_span(e.span());
            let decl = ClassDecl {
                name,
                superclass,
                methods,
                span,
            };
            Stmt {
                kind: StmtKind::Class(Rc::new(decl)),
                span,
            }
        });

    let import_source = choice((
        ident().map(ImportSource::Std),
        select! { Token::Str(path) = e => ImportSource::Path(path, to_span(e.span())) },
    ))
    .labelled(Expected::ImportSource);
    let import_stmt = just(Token::Import)
        .ignore_then(import_source)
        .then(just(Token::As).ignore_then(ident()).or_not())
        .map_with(move |(source, alias), e| {
            stmt(StmtKind::Import(Import { source, alias }), e.span())
        });

    let assign_op = choice((
        just(Token::Eq).to(None),
        just(Token::PlusEq).to(Some(BinOp::Add)),
        just(Token::MinusEq).to(Some(BinOp::Sub)),
        just(Token::StarEq).to(Some(BinOp::Mul)),
        just(Token::SlashEq).to(Some(BinOp::Div)),
        just(Token::PercentEq).to(Some(BinOp::Mod)),
    ));
    // A `{` in expression position is a map literal, and a statement never
    // starts with one.
    let expr_stmt = just(Token::LBrace)
        .not()
        .ignore_then(expr.clone())
        .then(assign_op.then(expr).or_not())
        .validate(move |(target, assign), e, emitter| match assign {
            None => stmt(StmtKind::Expr(target), e.span()),
            Some((op, value)) => {
                let assignable = matches!(
                    target.kind,
                    ExprKind::Name(_) | ExprKind::Index { .. } | ExprKind::Field { .. }
                );
                if !assignable {
                    emitter.emit(SyntaxError::new(
                        ParseErrorKind::InvalidAssignTarget,
                        SimpleSpan::from(target.span.range()),
                    ));
                }
                stmt(StmtKind::Assign { target, op, value }, e.span())
            }
        });

    choice((
        let_stmt.boxed(),
        if_stmt.boxed(),
        while_stmt.boxed(),
        for_stmt.boxed(),
        return_stmt.boxed(),
        throw_stmt.boxed(),
        break_stmt.boxed(),
        continue_stmt.boxed(),
        try_stmt.boxed(),
        fn_stmt,
        class_stmt.boxed(),
        import_stmt.boxed(),
        expr_stmt.boxed(),
    ))
    .labelled(Expected::Statement)
    .boxed()
}
