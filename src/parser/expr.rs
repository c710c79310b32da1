//! The expression grammar: literals, names, lambdas and the operator
//! precedence ladder (`grammar/weft.ebnf` lists the levels).
//!
//! Every level folds its operators iteratively, so a long chain does not
//! recurse in the parser; a chain longer than [`MAX_DEPTH`] is refused all the
//! same, since the tree it would build is that deep.

use super::depth::MAX_CHAIN;
use super::error::{to_span, Expected, ParseErrorKind, SyntaxError};
use super::{Ex, In, P};
use crate::ast::{
    BinOp, Block, Expr, ExprKind, FnDecl, Ident, InterpPart, Param, Stmt, StmtKind, UnOp,
};
use crate::lexer::Token;
use chumsky::prelude::*;
use std::rc::Rc;

/// A plain identifier (keywords are not names).
pub(super) fn ident<'a>() -> P<'a, Ident> {
    select! {
        Token::Ident(name) = e => Ident { name, span: to_span(e.span()) },
    }
    .labelled(Expected::Name)
    .boxed()
}

/// The name after `.`: an identifier or any keyword (`g.throw(e)`).
pub(super) fn field_name<'a>() -> P<'a, Ident> {
    chumsky::primitive::select(|token: Token, e| {
        let name = match token {
            Token::Ident(name) => name,
            other => other.keyword_text()?.to_string(),
        };
        Some(Ident {
            name,
            span: to_span(e.span()),
        })
    })
    .labelled(Expected::Name)
    .boxed()
}

enum ParamItem {
    Param(Param),
    Rest(Ident, SimpleSpan),
}

/// `(a, b = 1, ...rest)`: the parameters and the rest parameter.
pub(super) fn params<'a>(
    expr: impl Parser<'a, In<'a>, Expr, Ex> + Clone + 'a,
) -> P<'a, (Vec<Param>, Option<Ident>)> {
    let item = choice((
        just(Token::Ellipsis)
            .ignore_then(ident())
            .map_with(|name, e| ParamItem::Rest(name, e.span())),
        ident()
            .then(just(Token::Eq).ignore_then(expr).or_not())
            .map(|(name, default)| ParamItem::Param(Param { name, default })),
    ))
    .labelled(Expected::Param);
    item.separated_by(just(Token::Comma))
        .allow_trailing()
        .collect::<Vec<_>>()
        .delimited_by(just(Token::LParen), just(Token::RParen))
        .validate(|items, _, emitter| {
            let mut params = Vec::new();
            let mut rest = None;
            let count = items.len();
            for (i, item) in items.into_iter().enumerate() {
                match item {
                    ParamItem::Param(p) => params.push(p),
                    ParamItem::Rest(name, span) => {
                        if i + 1 != count {
                            emitter.emit(SyntaxError::new(ParseErrorKind::RestNotLast, span));
                        }
                        rest = Some(name);
                    }
                }
            }
            (params, rest)
        })
        .boxed()
}

/// The suffixes that bind tightest: calls, indexing, slicing, fields.
enum Postfix {
    Call(Vec<Expr>),
    Index(Expr),
    Slice(Option<Expr>, Option<Expr>),
    Field(Ident),
    Method(Ident, Vec<Expr>),
}

#[derive(Clone, Copy)]
enum Prefix {
    Neg,
    Not,
    Await,
    Spawn,
}

#[derive(Clone, Copy)]
enum Binary {
    Op(BinOp),
    And,
    Or,
}

fn boxed(e: Expr) -> Box<Expr> {
    Box::new(e)
}

fn too_deep(span: SimpleSpan) -> SyntaxError {
    SyntaxError::new(ParseErrorKind::NestingTooDeep, span)
}

/// One left-associative precedence level: `operand (op operand)*`.
fn left_assoc<'a>(operand: P<'a, Expr>, op: P<'a, Binary>) -> P<'a, Expr> {
    operand
        .clone()
        .then(op.then(operand).repeated().collect::<Vec<_>>())
        .validate(|(first, rest), _, emitter| {
            if let Some((_, operand)) = rest.get(MAX_CHAIN) {
                emitter.emit(too_deep(SimpleSpan::from(operand.span.range())));
                return first;
            }
            rest.into_iter().fold(first, |left, (op, right)| {
                let span = left.span.to(right.span);
                let kind = match op {
                    Binary::Op(op) => ExprKind::Binary(op, boxed(left), boxed(right)),
                    Binary::And => ExprKind::And(boxed(left), boxed(right)),
                    Binary::Or => ExprKind::Or(boxed(left), boxed(right)),
                };
                Expr { kind, span }
            })
        })
        .boxed()
}

fn ops<'a, const N: usize>(table: [(Token, Binary); N]) -> P<'a, Binary> {
    choice(table.map(|(token, op)| just(token).to(op))).boxed()
}

/// The expression grammar. `expr` is the recursive handle to the whole
/// grammar, `block` parses `{ statements }` (for lambda bodies).
pub(super) fn expression<'a>(
    expr: impl Parser<'a, In<'a>, Expr, Ex> + Clone + 'a,
    block: impl Parser<'a, In<'a>, Block, Ex> + Clone + 'a,
) -> P<'a, Expr> {
    let spanned = |kind: ExprKind, span: SimpleSpan| Expr {
        kind,
        span: to_span(span),
    };

    let literal = select! {
        Token::Int(n) => ExprKind::Int(n),
        Token::Float(x) => ExprKind::Float(x),
        Token::Str(s) => ExprKind::Str(s),
        Token::True => ExprKind::Bool(true),
        Token::False => ExprKind::Bool(false),
        Token::Nil => ExprKind::Nil,
        Token::SelfKw => ExprKind::SelfRef,
    }
    .map_with(move |kind, e| spanned(kind, e.span()));

    let name = ident().map(|id| Expr {
        span: id.span,
        kind: ExprKind::Name(id),
    });

    let super_ref = just(Token::Super)
        .ignore_then(just(Token::Dot))
        .ignore_then(field_name())
        .map_with(move |name, e| spanned(ExprKind::Super(name), e.span()));

    let interp = just(Token::StrStart)
        .ignore_then(
            choice((
                select! { Token::StrText(s) => InterpPart::Text(s) },
                expr.clone()
                    .delimited_by(just(Token::InterpOpen), just(Token::InterpClose))
                    .map(InterpPart::Expr),
            ))
            .repeated()
            .collect::<Vec<_>>(),
        )
        .then_ignore(just(Token::StrEnd))
        .map_with(move |parts, e| spanned(ExprKind::Interp(parts), e.span()));

    // The span of a parenthesised expression includes the parentheses, so
    // that `(a + b) * c` covers its whole text.
    let paren = expr
        .clone()
        .delimited_by(just(Token::LParen), just(Token::RParen))
        .map_with(|mut inner: Expr, e| {
            inner.span = to_span(e.span());
            inner
        });

    let items = expr
        .clone()
        .separated_by(just(Token::Comma))
        .allow_trailing()
        .collect::<Vec<_>>()
        .boxed();

    let list = items
        .clone()
        .delimited_by(just(Token::LBracket), just(Token::RBracket))
        .map_with(move |items, e| spanned(ExprKind::List(items), e.span()));

    // `b: 1` is the string key "b"; `[k]: v` computes the key; any other
    // expression before `:` is evaluated as the key.
    let bare_key = select! {
        Token::Ident(name) = e => Expr { kind: ExprKind::Str(name), span: to_span(e.span()) },
    };
    //
    // Only the key is a choice, and `[k]` is read as a list literal and
    // unwrapped: an alternative that re-parsed the value, or `[k]` both as
    // a computed key and as a list, would make a broken entry cost twice
    // per level of nested maps (exponential in the nesting).
    let computed_key = |key: Expr| match key.kind {
        ExprKind::List(mut items) if items.len() == 1 => items.pop().unwrap_or(Expr {
            kind: ExprKind::Nil,
            span: key.span,
        }),
        kind => Expr {
            kind,
            span: key.span,
        },
    };
    let key = choice((
        bare_key.then_ignore(just(Token::Colon)),
        expr.clone()
            .map(computed_key)
            .then_ignore(just(Token::Colon)),
    ));
    let entry = key.then(expr.clone()).labelled(Expected::MapEntry);
    let map = entry
        .separated_by(just(Token::Comma))
        .allow_trailing()
        .collect::<Vec<_>>()
        .delimited_by(just(Token::LBrace), just(Token::RBrace))
        .map_with(move |entries, e| spanned(ExprKind::Map(entries), e.span()));

    // `fn(x) => x + 1` has the body `return x + 1`.
    let arrow_body = just(Token::FatArrow)
        .ignore_then(expr.clone())
        .map(|value: Expr| {
            vec![Stmt {
                span: value.span,
                kind: StmtKind::Return(Some(value)),
            }]
        });
    let lambda = just(Token::Async)
        .or_not()
        .then_ignore(just(Token::Fn))
        .then(params(expr.clone()))
        .then(choice((arrow_body, block.map(|b| b.stmts))))
        .map_with(move |((is_async, (params, rest)), body), e| {
            let span = to_span(e.span());
            let decl = FnDecl {
                name: None,
                params,
                rest,
                body,
                is_async: is_async.is_some(),
                span,
            };
            Expr {
                kind: ExprKind::Lambda(Rc::new(decl)),
                span,
            }
        });

    let atom = choice((literal, name, super_ref, interp, paren, list, map, lambda)).boxed();

    let args = items
        .delimited_by(just(Token::LParen), just(Token::RParen))
        .boxed();
    let index_or_slice = choice((
        just(Token::Colon)
            .ignore_then(expr.clone().or_not())
            .map(|end| Postfix::Slice(None, end)),
        expr.clone()
            .then(
                just(Token::Colon)
                    .ignore_then(expr.clone().or_not())
                    .or_not(),
            )
            .map(|(first, slice)| match slice {
                None => Postfix::Index(first),
                Some(end) => Postfix::Slice(Some(first), end),
            }),
    ))
    .delimited_by(just(Token::LBracket), just(Token::RBracket));
    let postfix_op = choice((
        args.clone().map(Postfix::Call),
        // `.name` alone: a call right after it makes a method call (see the
        // fold below). Parsing `.name(args)` as one alternative would, when
        // the arguments are broken, parse them again as a plain call: twice
        // per level of nested calls, exponential in the nesting.
        just(Token::Dot)
            .ignore_then(field_name())
            .map(Postfix::Field),
        index_or_slice,
    ))
    .map_with(|op, e| (op, to_span(e.span())));

    let postfix = atom
        .then(postfix_op.repeated().collect::<Vec<_>>())
        .validate(|(first, ops), _, emitter| {
            if let Some((_, op_span)) = ops.get(MAX_CHAIN) {
                emitter.emit(too_deep(SimpleSpan::from(op_span.range())));
                return first;
            }
            let mut merged: Vec<(Postfix, crate::span::Span)> = Vec::with_capacity(ops.len());
            for (op, op_span) in ops {
                let after_field = matches!(merged.last(), Some((Postfix::Field(_), _)));
                match op {
                    Postfix::Call(args) if after_field => {
                        if let Some((Postfix::Field(name), field_span)) = merged.pop() {
                            merged.push((Postfix::Method(name, args), field_span.to(op_span)));
                        }
                    }
                    op => merged.push((op, op_span)),
                }
            }
            merged.into_iter().fold(first, |target, (op, op_span)| {
                let span = target.span.to(op_span);
                let target = boxed(target);
                let kind = match op {
                    Postfix::Call(args) => ExprKind::Call {
                        callee: target,
                        args,
                    },
                    Postfix::Index(index) => ExprKind::Index {
                        target,
                        index: boxed(index),
                    },
                    Postfix::Slice(start, end) => ExprKind::Slice {
                        target,
                        start: start.map(boxed),
                        end: end.map(boxed),
                    },
                    Postfix::Field(name) => ExprKind::Field { target, name },
                    Postfix::Method(name, args) => ExprKind::MethodCall {
                        receiver: target,
                        name,
                        args,
                    },
                };
                Expr { kind, span }
            })
        })
        .boxed();

    let prefix_op = choice((
        just(Token::Minus).to(Prefix::Neg),
        just(Token::Bang).to(Prefix::Not),
        just(Token::Await).to(Prefix::Await),
        just(Token::Spawn).to(Prefix::Spawn),
    ))
    .map_with(|op, e| (op, to_span(e.span())));
    let prefix = prefix_op
        .repeated()
        .collect::<Vec<_>>()
        .then(postfix)
        .validate(|(ops, operand), _, emitter| {
            if let Some((_, op_span)) = ops.get(MAX_CHAIN) {
                emitter.emit(too_deep(SimpleSpan::from(op_span.range())));
                return operand;
            }
            ops.into_iter()
                .rev()
                .fold(operand, |operand, (op, op_span)| {
                    let span = op_span.to(operand.span);
                    let operand = boxed(operand);
                    let kind = match op {
                        Prefix::Neg => ExprKind::Unary(UnOp::Neg, operand),
                        Prefix::Not => ExprKind::Unary(UnOp::Not, operand),
                        Prefix::Await => ExprKind::Await(operand),
                        Prefix::Spawn => ExprKind::Spawn(operand),
                    };
                    Expr { kind, span }
                })
        })
        // Every operand starts here, so an error at its first token is
        // reported as a missing expression rather than a list of tokens.
        .labelled(Expected::Expression)
        .boxed();

    let product = left_assoc(
        prefix,
        ops([
            (Token::Star, Binary::Op(BinOp::Mul)),
            (Token::Slash, Binary::Op(BinOp::Div)),
            (Token::Percent, Binary::Op(BinOp::Mod)),
        ]),
    );
    let sum = left_assoc(
        product,
        ops([
            (Token::Plus, Binary::Op(BinOp::Add)),
            (Token::Minus, Binary::Op(BinOp::Sub)),
        ]),
    );

    // Ranges do not associate: `a .. b .. c` is an error, not a nested range.
    let range_op = choice((
        just(Token::DotDot).to(false),
        just(Token::DotDotEq).to(true),
    ))
    .map_with(|inclusive, e| (inclusive, e.span()));
    let range = sum
        .clone()
        .then(range_op.then(sum).repeated().collect::<Vec<_>>())
        .validate(|(start, rest), _, emitter| {
            let mut rest = rest.into_iter();
            let Some(((inclusive, _), end)) = rest.next() else {
                return start;
            };
            if let Some(((_, op_span), _)) = rest.next() {
                emitter.emit(SyntaxError::new(ParseErrorKind::ChainedRange, op_span));
            }
            Expr {
                span: start.span.to(end.span),
                kind: ExprKind::Range {
                    start: boxed(start),
                    end: boxed(end),
                    inclusive,
                },
            }
        })
        .boxed();

    let is = left_assoc(range, ops([(Token::Is, Binary::Op(BinOp::Is))]));
    let comparison = left_assoc(
        is,
        ops([
            (Token::Lt, Binary::Op(BinOp::Lt)),
            (Token::LtEq, Binary::Op(BinOp::Le)),
            (Token::Gt, Binary::Op(BinOp::Gt)),
            (Token::GtEq, Binary::Op(BinOp::Ge)),
        ]),
    );
    let equality = left_assoc(
        comparison,
        ops([
            (Token::EqEq, Binary::Op(BinOp::Eq)),
            (Token::NotEq, Binary::Op(BinOp::Ne)),
        ]),
    );
    let and = left_assoc(equality, ops([(Token::AndAnd, Binary::And)]));
    let or = left_assoc(and, ops([(Token::OrOr, Binary::Or)]));

    // `yield` is the loosest prefix: `yield a + b` yields the sum. With no
    // expression after it (`yield }`), it yields nil.
    let yield_expr = just(Token::Yield)
        .ignore_then(expr.or_not())
        .map_with(move |value, e| spanned(ExprKind::Yield(value.map(boxed)), e.span()));

    choice((yield_expr, or))
        .labelled(Expected::Expression)
        .boxed()
}
