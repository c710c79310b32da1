//! Parser tests: each construct parsed to a tree and printed compactly,
//! precedence, spans, error messages, recovery and nesting limits.

mod support;

use super::{parse, parse_with_source, ParseError, ParseErrorKind};
use crate::ast::{ExprKind, Module, StmtKind};
use crate::span::{SourceId, Span};
use support::lex;

fn parse_str(src: &str) -> (Option<Module>, Vec<ParseError>) {
    parse_with_source(&lex(src), src)
}

/// Parses `src`, which must be valid, and prints its statements.
#[track_caller]
fn p(src: &str) -> String {
    match parse_str(src) {
        (Some(m), errors) if errors.is_empty() => support::stmts(&m.body),
        (_, errors) => panic!("unexpected errors for {src:?}: {:#?}", messages(&errors)),
    }
}

/// Parses `src` as one expression statement and prints it.
#[track_caller]
fn e(src: &str) -> String {
    p(src)
}

fn messages(errors: &[ParseError]) -> Vec<String> {
    errors.iter().map(|e| e.message()).collect()
}

/// Parses `src`, which must be invalid, and returns the error messages.
#[track_caller]
fn errs(src: &str) -> Vec<String> {
    let (module, errors) = parse_str(src);
    assert!(module.is_none(), "no module expected for {src:?}");
    assert!(!errors.is_empty(), "errors expected for {src:?}");
    messages(&errors)
}

#[track_caller]
fn one_err(src: &str) -> ParseError {
    let (_, errors) = parse_str(src);
    assert_eq!(errors.len(), 1, "{src:?}: {:#?}", messages(&errors));
    errors.into_iter().next().unwrap()
}

fn text(src: &str, span: Span) -> &str {
    &src[span.range()]
}

// ---- literals and primaries ----

#[test]
fn literals() {
    assert_eq!(
        e("1 2.5 \"s\" true false nil"),
        "1; 2.5; \"s\"; true; false; nil"
    );
    assert_eq!(e("x self"), "x; self");
}

#[test]
fn lists() {
    assert_eq!(e("[]"), "(list)");
    assert_eq!(e("[1, 2,]"), "(list 1 2)");
    assert_eq!(e("[[1], [2, 3]]"), "(list (list 1) (list 2 3))");
}

#[test]
fn maps() {
    assert_eq!(e("let m = {}"), "(let m (map))");
    assert_eq!(
        e("let m = {\"a\": 1, b: 2, [k]: v, 1: \"x\",}"),
        "(let m (map (\"a\" 1) (\"b\" 2) (k v) (1 \"x\")))"
    );
    // A computed key that is not a bare name.
    assert_eq!(
        e("let m = {a.b: 1, f(x): 2}"),
        "(let m (map ((. a b) 1) ((call f x) 2)))"
    );
}

#[test]
fn bare_map_key_is_a_string_with_the_name_span() {
    let src = "let m = {ab: 1}";
    let (m, _) = parse_str(src);
    let m = m.unwrap();
    let StmtKind::Let { value: Some(v), .. } = &m.body[0].kind else {
        panic!()
    };
    let ExprKind::Map(entries) = &v.kind else {
        panic!()
    };
    assert_eq!(entries[0].0.kind, ExprKind::Str("ab".into()));
    assert_eq!(text(src, entries[0].0.span), "ab");
}

#[test]
fn keyword_is_not_a_bare_map_key() {
    let err = one_err("let m = {if: 1}");
    assert_eq!(err.message(), "expected map entry or `}`, found `if`");
    let diag = err.to_diagnostic(SourceId(0));
    assert!(diag.hint.unwrap().contains("\"if\""));
}

#[test]
fn strings_with_interpolation() {
    assert_eq!(e("\"a${x + 1}b\""), "(interp \"a\" (+ x 1) \"b\")");
    assert_eq!(e("\"${a}${b}\""), "(interp a b)");
    assert_eq!(
        e("\"x${ {a: 1}[\"a\"] }\""),
        "(interp \"x\" (idx (map (\"a\" 1)) \"a\"))"
    );
    assert_eq!(e("\"${ \"in${y}\" }\""), "(interp (interp \"in\" y))");
}

#[test]
fn lambdas() {
    assert_eq!(e("fn(x, y) => x + y"), "(fn [x y] {(return (+ x y))})");
    assert_eq!(e("fn(x) { return x * 2 }"), "(fn [x] {(return (* x 2))})");
    assert_eq!(
        e("async fn(u) { await get(u) }"),
        "(async-fn [u] {(await (call get u))})"
    );
    assert_eq!(
        e("async fn(u) => await u"),
        "(async-fn [u] {(return (await u))})"
    );
    assert_eq!(e("fn() {}"), "(fn [] {})");
    assert_eq!(
        e("f(fn(a = 1, ...r,) => r)"),
        "(call f (fn [(a = 1) ...r] {(return r)}))"
    );
}

#[test]
fn arrow_body_span_is_the_expression() {
    let src = "let f = fn(x) => x + 1";
    let (m, _) = parse_str(src);
    let StmtKind::Let { value: Some(v), .. } = &m.unwrap().body[0].kind else {
        panic!()
    };
    let ExprKind::Lambda(decl) = &v.kind else {
        panic!()
    };
    assert_eq!(text(src, decl.span), "fn(x) => x + 1");
    assert_eq!(text(src, decl.body[0].span), "x + 1");
}

#[test]
fn super_and_self() {
    assert_eq!(e("super.init(x)"), "(call (super init) x)");
    assert_eq!(e("super.name"), "(super name)");
    assert_eq!(e("self.x = 1"), "(= (. self x) 1)");
}

// ---- precedence ----

#[test]
fn precedence_table() {
    let cases = [
        ("a || b && c", "(|| a (&& b c))"),
        ("a && b || c", "(|| (&& a b) c)"),
        ("a && b == c", "(&& a (== b c))"),
        ("a == b < c", "(== a (< b c))"),
        ("a != b >= c", "(!= a (>= b c))"),
        ("a < b is C", "(< a (is b C))"),
        ("x is a .. b", "(is x (.. a b))"),
        ("a .. b + c", "(.. a (+ b c))"),
        ("a ..= b - 1", "(..= a (- b 1))"),
        ("a + b * c", "(+ a (* b c))"),
        ("a * b % c / d", "(/ (% (* a b) c) d)"),
        ("a - b - c", "(- (- a b) c)"),
        ("-a * b", "(* (- a) b)"),
        ("!a == b", "(== (! a) b)"),
        ("-a.b", "(- (. a b))"),
        ("- -a", "(- (- a))"),
        ("await f() + 1", "(+ (await (call f)) 1)"),
        ("spawn worker(c)", "(spawn (call worker c))"),
        ("!await x", "(! (await x))"),
        ("a.b.c", "(. (. a b) c)"),
        ("f(x)(y)", "(call (call f x) y)"),
        ("a[1][2]", "(idx (idx a 1) 2)"),
        ("(a + b) * c", "(* (+ a b) c)"),
        ("a is B is C", "(is (is a B) C)"),
        ("a < b < c", "(< (< a b) c)"),
    ];
    for (src, want) in cases {
        assert_eq!(e(src), want, "{src}");
    }
}

#[test]
fn yield_is_the_loosest_prefix() {
    assert_eq!(e("yield a + b"), "(yield (+ a b))");
    assert_eq!(e("yield a || b"), "(yield (|| a b))");
    assert_eq!(e("let x = yield 1"), "(let x (yield 1))");
    assert_eq!(e("f(yield)"), "(call f (yield))");
}

#[test]
fn yield_alone() {
    assert_eq!(p("fn g() { yield }"), "(fn g [] {(yield)})");
    assert_eq!(p("yield; yield 2"), "(yield); (yield 2)");
    assert_eq!(p("yield"), "(yield)");
    assert_eq!(
        p("fn g() { yield\nlet x = 1 }"),
        "(fn g [] {(yield); (let x 1)})"
    );
}

#[test]
fn chained_range_is_an_error() {
    let err = one_err("a .. b .. c");
    assert_eq!(err.kind, ParseErrorKind::ChainedRange);
    assert_eq!(err.span, Span::new(7, 9));
}

// ---- postfix ----

#[test]
fn postfix_forms() {
    assert_eq!(e("f()"), "(call f)");
    assert_eq!(e("f(1, 2,)"), "(call f 1 2)");
    assert_eq!(e("o.m(1)"), "(mcall o m 1)");
    assert_eq!(e("o.f"), "(. o f)");
    assert_eq!(e("a[i]"), "(idx a i)");
    assert_eq!(e("a[i:j]"), "(slice a i j)");
    assert_eq!(e("a[:j]"), "(slice a _ j)");
    assert_eq!(e("a[i:]"), "(slice a i _)");
    assert_eq!(e("a[:]"), "(slice a _ _)");
    assert_eq!(e("a.b(1).c[0](x)"), "(call (idx (. (mcall a b 1) c) 0) x)");
}

#[test]
fn keyword_after_dot_is_a_name() {
    assert_eq!(e("g.throw(e)"), "(mcall g throw e)");
    assert_eq!(e("g.spawn(c)"), "(mcall g spawn c)");
    assert_eq!(e("x.in"), "(. x in)");
    assert_eq!(e("x.self.class"), "(. (. x self) class)");
}

#[test]
fn call_continues_on_the_next_line() {
    assert_eq!(p("a\n(b)"), "(call a b)");
    assert_eq!(p("a\n.b"), "(. a b)");
}

// ---- statements ----

#[test]
fn statements_end_where_their_grammar_ends() {
    assert_eq!(p("a = 1 b = 2"), "(= a 1); (= b 2)");
    assert_eq!(
        p("let x = 1 let y = x print(y)"),
        "(let x 1); (let y x); (call print y)"
    );
    assert_eq!(p("a;;b;"), "a; b");
    assert_eq!(p(";"), "");
    assert_eq!(p(""), "");
}

#[test]
fn let_forms() {
    assert_eq!(p("let x"), "(let x)");
    assert_eq!(p("let x = 1"), "(let x 1)");
    assert_eq!(
        p("let [a, [b, c], ...rest] = xs"),
        "(let [a [b c] ...rest] xs)"
    );
    assert_eq!(p("let [a,] = xs"), "(let [a] xs)");
    assert_eq!(p("let [] = xs"), "(let [] xs)");
}

#[test]
fn assignments() {
    assert_eq!(p("x = 1"), "(= x 1)");
    assert_eq!(p("a[i] = v"), "(= (idx a i) v)");
    assert_eq!(p("o.f = v"), "(= (. o f) v)");
    assert_eq!(
        p("x += 1 x -= 1 x *= 2 x /= 2 x %= 3"),
        "(+= x 1); (-= x 1); (*= x 2); (/= x 2); (%= x 3)"
    );
}

#[test]
fn invalid_assignment_targets() {
    for (src, target) in [
        ("f() = 1", "f()"),
        ("a + b = 1", "a + b"),
        ("o.m() += 1", "o.m()"),
        ("a[1:2] = x", "a[1:2]"),
        ("1 = 2", "1"),
    ] {
        let err = one_err(src);
        assert_eq!(err.message(), "cannot assign to this expression", "{src}");
        assert_eq!(text(src, err.span), target);
    }
}

#[test]
fn if_forms() {
    assert_eq!(p("if c { a }"), "(if c {a})");
    assert_eq!(p("if c { a } else { b }"), "(if c {a} else {b})");
    assert_eq!(
        p("if c { a } else if d { b } else { e }"),
        "(if c {a} else {(if d {b} else {e})})"
    );
}

#[test]
fn else_if_block_span_is_the_nested_if() {
    let src = "if c { a } else if d { b }";
    let (m, _) = parse_str(src);
    let StmtKind::If {
        else_block: Some(b),
        ..
    } = &m.unwrap().body[0].kind
    else {
        panic!()
    };
    assert_eq!(text(src, b.span), "if d { b }");
    assert_eq!(text(src, b.stmts[0].span), "if d { b }");
}

#[test]
fn loops() {
    assert_eq!(p("while x < 3 { x += 1 }"), "(while (< x 3) {(+= x 1)})");
    assert_eq!(
        p("for x in xs { print(x) }"),
        "(for [x] xs {(call print x)})"
    );
    assert_eq!(
        p("for k, v in m.items() { }"),
        "(for [k v] (mcall m items) {})"
    );
    assert_eq!(
        p("for await v in ch { break }"),
        "(for-await [v] ch {break})"
    );
    assert_eq!(p("while true { continue }"), "(while true {continue})");
    assert_eq!(p("for i in 0..10 { }"), "(for [i] (.. 0 10) {})");
}

#[test]
fn return_forms() {
    assert_eq!(p("fn f() { return }"), "(fn f [] {(return)})");
    assert_eq!(p("fn f() { return; }"), "(fn f [] {(return)})");
    assert_eq!(p("fn f() { return 1 }"), "(fn f [] {(return 1)})");
    assert_eq!(
        p("fn f() { return\n  x + 1 }"),
        "(fn f [] {(return (+ x 1))})"
    );
    assert_eq!(p("return"), "(return)");
    assert_eq!(p("if a { return } b"), "(if a {(return)}); b");
}

#[test]
fn throw_and_try() {
    assert_eq!(p("throw Error(\"x\")"), "(throw (call Error \"x\"))");
    assert_eq!(p("try { a } catch e { b }"), "(try {a} catch e {b})");
    assert_eq!(p("try { a } catch { b }"), "(try {a} catch {b})");
    assert_eq!(p("try { a } finally { c }"), "(try {a} finally {c})");
    assert_eq!(
        p("try { a } catch e { b } finally { c }"),
        "(try {a} catch e {b} finally {c})"
    );
}

#[test]
fn try_needs_a_handler() {
    let src = "try { a } let x = 1";
    let err = one_err(src);
    assert_eq!(err.kind, ParseErrorKind::TryWithoutHandler);
    assert_eq!(text(src, err.span), "try");
}

#[test]
fn functions() {
    assert_eq!(p("fn f() { }"), "(fn f [] {})");
    assert_eq!(
        p("fn f(a, b = 1, ...rest) { }"),
        "(fn f [a (b = 1) ...rest] {})"
    );
    assert_eq!(p("fn f(a, b,) { }"), "(fn f [a b] {})");
    assert_eq!(p("fn f(...r) { }"), "(fn f [...r] {})");
    assert_eq!(
        p("async fn load(u) { return await get(u) }"),
        "(async-fn load [u] {(return (await (call get u)))})"
    );
    assert_eq!(
        p("fn f(x = [1, 2]) { fn g() { } }"),
        "(fn f [(x = (list 1 2))] {(fn g [] {})})"
    );
}

#[test]
fn rest_must_be_last() {
    assert_eq!(
        one_err("fn f(...r, a) { }").kind,
        ParseErrorKind::RestNotLast
    );
    assert_eq!(
        one_err("let [...r, a] = xs").kind,
        ParseErrorKind::RestNotLast
    );
}

#[test]
fn list_pattern_needs_a_value() {
    assert_eq!(
        one_err("let [a, b]").kind,
        ParseErrorKind::PatternWithoutValue
    );
}

#[test]
fn classes() {
    assert_eq!(p("class A { }"), "(class A [])");
    assert_eq!(
        p("class P < Base { fn init(x) { self.x = x } fn get() { return self.x } async fn load() { } }"),
        "(class P < Base [(fn init [x] {(= (. self x) x)}) (fn get [] {(return (. self x))}) (async-fn load [] {})])"
    );
    assert_eq!(
        p("class E < mod.sub.Base { }"),
        "(class E < (. (. mod sub) Base) [])"
    );
}

#[test]
fn class_body_holds_only_methods() {
    let err = one_err("class A { let x = 1 fn m() { } }");
    assert_eq!(err.message(), "expected method, found `let`");
}

#[test]
fn imports() {
    assert_eq!(p("import time"), "(import time)");
    assert_eq!(p("import net as n"), "(import net as n)");
    assert_eq!(
        p("import \"./util.weft\" as util"),
        "(import \"./util.weft\" as util)"
    );
    assert_eq!(p("import \"./util.weft\""), "(import \"./util.weft\")");
}

#[test]
fn statement_cannot_start_with_a_brace() {
    let err = one_err("{a: 1}");
    assert_eq!(err.message(), "unexpected `{`");
    assert!(err.to_diagnostic(SourceId(0)).hint.is_some());
}

// ---- spans ----

#[test]
fn expression_spans_cover_their_text() {
    let src = "let v = a.m(1, 2) + f(x)[0] * (b - c)";
    let (m, _) = parse_str(src);
    let m = m.unwrap();
    let stmt = &m.body[0];
    assert_eq!(text(src, stmt.span), src);
    let StmtKind::Let { value: Some(v), .. } = &stmt.kind else {
        panic!()
    };
    assert_eq!(text(src, v.span), "a.m(1, 2) + f(x)[0] * (b - c)");
    let ExprKind::Binary(_, l, r) = &v.kind else {
        panic!()
    };
    assert_eq!(text(src, l.span), "a.m(1, 2)");
    assert_eq!(text(src, r.span), "f(x)[0] * (b - c)");
    let ExprKind::MethodCall { receiver, name, .. } = &l.kind else {
        panic!()
    };
    assert_eq!(text(src, receiver.span), "a");
    assert_eq!(text(src, name.span), "m");
    let ExprKind::Binary(_, idx, paren) = &r.kind else {
        panic!()
    };
    assert_eq!(text(src, idx.span), "f(x)[0]");
    assert_eq!(text(src, paren.span), "(b - c)");
    let ExprKind::Index { target, .. } = &idx.kind else {
        panic!()
    };
    assert_eq!(text(src, target.span), "f(x)");
}

#[test]
fn statement_spans_cover_their_text() {
    let src = "fn f(a) {\n  return a\n}\nclass C < B { fn m() { } }\nx += 1; for k, v in m { }";
    let (m, _) = parse_str(src);
    let m = m.unwrap();
    let spans: Vec<&str> = m.body.iter().map(|s| text(src, s.span)).collect();
    assert_eq!(
        spans,
        [
            "fn f(a) {\n  return a\n}",
            "class C < B { fn m() { } }",
            "x += 1",
            "for k, v in m { }"
        ]
    );
    let StmtKind::Fn(f) = &m.body[0].kind else {
        panic!()
    };
    assert_eq!(text(src, f.name.as_ref().unwrap().span), "f");
    assert_eq!(text(src, f.params[0].name.span), "a");
    assert_eq!(text(src, f.body[0].span), "return a");
}

#[test]
fn unary_and_prefix_spans() {
    let src = "-await x.y";
    let (m, _) = parse_str(src);
    let m = m.unwrap();
    let StmtKind::Expr(e) = &m.body[0].kind else {
        panic!()
    };
    assert_eq!(text(src, e.span), src);
    let ExprKind::Unary(_, inner) = &e.kind else {
        panic!()
    };
    assert_eq!(text(src, inner.span), "await x.y");
}

// ---- errors and recovery ----

#[test]
fn expected_expression() {
    let src = "let x = (1 + )";
    let err = one_err(src);
    assert_eq!(err.message(), "expected expression, found `)`");
    assert_eq!(text(src, err.span), ")");
}

#[test]
fn expected_separator_in_call() {
    assert_eq!(errs("print(x y)"), ["expected `,` or `)`, found name `y`"]);
}

#[test]
fn unclosed_block_points_at_the_brace() {
    let src = "fn f() {\n  let x = 1\n";
    let err = one_err(src);
    assert_eq!(
        err.message(),
        "expected `}` to close this block, found end of input"
    );
    let (_, open) = err.unclosed.unwrap();
    assert_eq!(open, Span::new(7, 8));
    let diag = err.to_diagnostic(SourceId(0));
    assert_eq!(diag.labels.len(), 2);
    assert_eq!(diag.labels[1].span, Span::new(7, 8));
}

#[test]
fn unclosed_paren() {
    let err = one_err("let x = f(1, 2");
    assert!(err.unclosed.is_some());
    assert_eq!(
        err.message(),
        "expected `)` to close this parenthesis, found end of input"
    );
}

#[test]
fn unexpected_else() {
    let src = "let a = 1\nelse { b }\nlet c = 2";
    let err = one_err(src);
    assert_eq!(err.message(), "unexpected `else`");
    assert_eq!(text(src, err.span), "else");
    assert!(err.to_diagnostic(SourceId(0)).hint.unwrap().contains("if"));
}

#[test]
fn stray_closing_brace_at_top_level() {
    assert_eq!(errs("let a = 1 } let b = 2"), ["unexpected `}`"]);
}

#[test]
fn three_separate_errors() {
    let src = "\
let a = (1 + )
let b = 2
print(a b)
fn f() {
  let = 3
}
let c = 4
";
    let errors = errs(src);
    assert_eq!(
        errors,
        [
            "expected expression, found `)`",
            "expected `,` or `)`, found name `b`",
            "expected name or list pattern, found `=`",
        ]
    );
}

#[test]
fn errors_in_nested_blocks_are_all_reported() {
    let src = "\
fn main() {
  if x {
    let y = * 2
  }
  while true {
    foo(1,, 2)
  }
  return 1 +
}
";
    let errors = errs(src);
    assert_eq!(
        errors,
        [
            "expected expression, found `*`",
            "expected expression or `)`, found `,`",
            "expected expression, found `}`",
        ]
    );
}

#[test]
fn error_in_broken_header_still_checks_the_body() {
    let src = "if x y {\n  let = 1\n}";
    assert_eq!(errs(src).len(), 2);
}

#[test]
fn keyword_as_name_gets_a_hint() {
    let err = one_err("let class = 1");
    assert_eq!(
        err.message(),
        "expected name or list pattern, found `class`"
    );
    assert!(err
        .to_diagnostic(SourceId(0))
        .hint
        .unwrap()
        .contains("keyword"));
}

#[test]
fn missing_block() {
    assert_eq!(errs("if x print(x)"), ["expected `{`, found name `print`"]);
}

// ---- nesting limits ----

fn deep(open: &str, middle: &str, close: &str, n: usize) -> String {
    format!("{}{}{}", open.repeat(n), middle, close.repeat(n))
}

#[test]
fn deep_nesting_is_refused_cleanly() {
    let inputs = [
        deep("(", "1", ")", 10_000),
        deep("(", "", "", 10_000),
        deep("[", "1", "]", 10_000),
        deep("f(", "1", ")", 10_000),
        format!("x = {}", deep("{a: ", "1", "}", 10_000)),
        deep("-", "1", "", 10_000),
        deep("!", "x", "", 10_000),
        deep("await ", "x", "", 10_000),
        format!("a{}", ".b".repeat(10_000)),
        format!("f{}", "()".repeat(10_000)),
        format!("1{}", " + 1".repeat(10_000)),
        deep("if x { ", "", "}", 10_000),
    ];
    for src in &inputs {
        let (module, errors) = parse_str(src);
        assert!(module.is_none());
        assert!(
            errors
                .iter()
                .any(|e| e.kind == ParseErrorKind::NestingTooDeep),
            "{}: {:?}",
            &src[..20],
            messages(&errors)
        );
    }
}

#[test]
fn long_else_if_chain_is_refused_cleanly() {
    let src = format!("if a {{ }}{}", " else if a { }".repeat(5_000));
    let (module, errors) = parse_str(&src);
    assert!(module.is_none());
    assert_eq!(errors[0].kind, ParseErrorKind::NestingTooDeep);
}

#[test]
fn moderate_nesting_is_fine() {
    let src = deep("(", "1", ")", 200);
    assert_eq!(p(&src), "1");
    let src = format!("1{}", " + 1".repeat(200));
    assert!(parse_str(&src).0.is_some());
}

#[test]
fn recovery_stops_at_the_next_line() {
    // The broken `let` ends at the line break, so the assignment after it is
    // still checked (and its own error reported).
    let src = "let m = {if: 1}\na + 1 = 3\nlet ok = 1";
    assert_eq!(
        errs(src),
        [
            "expected map entry or `}`, found `if`",
            "cannot assign to this expression"
        ]
    );
}

#[test]
fn recovery_skips_indented_continuation_lines() {
    let src = "let x = 1 +* 2\n    + 3\nlet y = )";
    assert_eq!(
        errs(src),
        [
            "expected expression, found `*`",
            "expected expression, found `)`"
        ]
    );
}

#[test]
fn parse_without_source_still_recovers_at_keywords() {
    let src = "let a = (1 + )\nlet b = 2\nprint(a b)";
    let (module, errors) = parse(&lex(src), src.len());
    assert!(module.is_none());
    assert_eq!(
        messages(&errors),
        [
            "expected expression, found `)`",
            "expected `,` or `)`, found name `b`"
        ]
    );
}

#[test]
fn unclosed_label_only_for_brackets_never_closed() {
    let err = one_err("let m = {if: 1}");
    assert!(err.unclosed.is_none());
    let err = one_err("let t = foo(1, 2]\nlet u = 3");
    assert_eq!(err.message(), "expected `,` or `)`, found `]`");
    assert_eq!(err.unclosed.map(|(_, s)| s), Some(Span::new(11, 12)));
}

#[test]
fn error_inside_interpolation() {
    let src = "let s = \"abc ${ a + } def\"\nprint(s)";
    assert_eq!(errs(src), ["expected expression, found `}`"]);
}

#[test]
fn missing_close_paren_before_brace() {
    let src = "fn fib(n) {\n  return fib(n - 1) + fib(n - 2\n}\nlet x = [1, 2\nprint(x)";
    assert_eq!(
        errs(src),
        [
            "expected `)`, found `}`",
            "expected `,` or `]`, found name `print`"
        ]
    );
}
