//! Unit tests for the lexer: one group per rule of LANGUAGE.md §1, then
//! error recovery, diagnostics and a randomised no-panic check.

use super::*;
use crate::span::SourceId;
use Token::*;

/// Tokens of a source that must lex without errors.
fn toks(src: &str) -> Vec<Token> {
    let (tokens, errors) = lex(src);
    assert!(
        errors.is_empty(),
        "unexpected errors for {src:?}: {errors:?}"
    );
    tokens.into_iter().map(|(t, _)| t).collect()
}

/// Each token with the source text its span covers.
fn with_text(src: &str) -> Vec<(Token, &str)> {
    let (tokens, errors) = lex(src);
    assert!(
        errors.is_empty(),
        "unexpected errors for {src:?}: {errors:?}"
    );
    tokens
        .into_iter()
        .map(|(t, s)| (t, &src[s.range()]))
        .collect()
}

fn errs(src: &str) -> Vec<LexErrorKind> {
    lex(src).1.into_iter().map(|e| e.kind).collect()
}

/// The single error of `src`, with the text its span covers.
fn one_err(src: &str) -> (LexErrorKind, &str) {
    let errors = lex(src).1;
    assert_eq!(
        errors.len(),
        1,
        "expected one error for {src:?}: {errors:?}"
    );
    let e = errors.into_iter().next().unwrap();
    (e.kind, &src[e.span.range()])
}

fn ident(s: &str) -> Token {
    Ident(s.to_string())
}

fn s(text: &str) -> Token {
    Str(text.to_string())
}

fn text(t: &str) -> Token {
    StrText(t.to_string())
}

/// Spans are in order, do not overlap, and lie on character boundaries.
fn assert_spans_well_formed(src: &str, tokens: &[(Token, Span)], errors: &[LexError]) {
    let mut last_end = 0;
    for (t, span) in tokens {
        assert!(span.start <= span.end, "{t:?} {span}");
        assert!(span.start >= last_end, "overlap at {t:?} {span} in {src:?}");
        assert!(
            src.get(span.range()).is_some(),
            "bad span {span} in {src:?}"
        );
        last_end = span.end;
    }
    for e in errors {
        assert!(src.get(e.span.range()).is_some(), "bad error span {e:?}");
    }
}

// ---- names and punctuation ----

#[test]
fn keywords_and_identifiers() {
    let words = "let fn async await yield return if else while for in break continue \
                 true false nil try catch finally throw spawn import as class self super is";
    let tokens = toks(words);
    assert_eq!(tokens.len(), 27);
    for (t, w) in tokens.iter().zip(words.split_whitespace()) {
        assert_eq!(Token::keyword(w).as_ref(), Some(t));
    }
    assert_eq!(
        toks("r _ _x x1 letter fn_ Self r2 R"),
        vec![
            ident("r"),
            ident("_"),
            ident("_x"),
            ident("x1"),
            ident("letter"),
            ident("fn_"),
            ident("Self"),
            ident("r2"),
            ident("R"),
        ]
    );
}

#[test]
fn punctuation_and_operators() {
    assert_eq!(
        toks(
            "( ) [ ] { } , . : ; ... .. ..= => + - * / % ! = == != < <= > >= && || += -= *= /= %="
        ),
        vec![
            LParen, RParen, LBracket, RBracket, LBrace, RBrace, Comma, Dot, Colon, Semicolon,
            Ellipsis, DotDot, DotDotEq, FatArrow, Plus, Minus, Star, Slash, Percent, Bang, Eq,
            EqEq, NotEq, Lt, LtEq, Gt, GtEq, AndAnd, OrOr, PlusEq, MinusEq, StarEq, SlashEq,
            PercentEq,
        ]
    );
    // Longest match, without spaces.
    assert_eq!(toks("a<=b"), vec![ident("a"), LtEq, ident("b")]);
    assert_eq!(toks("x=>-1"), vec![ident("x"), FatArrow, Minus, Int(1)]);
    assert_eq!(toks("!!a"), vec![Bang, Bang, ident("a")]);
    assert_eq!(
        toks("f(...xs)"),
        vec![ident("f"), LParen, Ellipsis, ident("xs"), RParen]
    );
}

#[test]
fn field_access_and_ranges() {
    assert_eq!(toks("a.b"), vec![ident("a"), Dot, ident("b")]);
    assert_eq!(toks("g.throw"), vec![ident("g"), Dot, Throw]);
    assert_eq!(toks("0..10"), vec![Int(0), DotDot, Int(10)]);
    assert_eq!(toks("1..=3"), vec![Int(1), DotDotEq, Int(3)]);
    assert_eq!(toks("1..2.5"), vec![Int(1), DotDot, Float(2.5),]);
    assert_eq!(toks("1.foo"), vec![Int(1), Dot, ident("foo")]);
    assert_eq!(
        toks("x[1:]"),
        vec![ident("x"), LBracket, Int(1), Colon, RBracket]
    );
}

#[test]
fn whitespace_and_line_comments() {
    assert_eq!(
        toks("  let\tx\r\n= 1 // the answer\n\n// whole line\ny"),
        vec![Let, ident("x"), Eq, Int(1), ident("y")]
    );
    assert_eq!(toks("// only a comment"), vec![]);
    assert_eq!(toks(""), vec![]);
    assert_eq!(
        toks("a // x /* not a block\nb"),
        vec![ident("a"), ident("b")]
    );
}

#[test]
fn byte_order_mark_is_skipped() {
    let (tokens, errors) = lex("\u{FEFF}let x");
    assert!(errors.is_empty());
    assert_eq!(tokens[0], (Let, Span::new(3, 6)));
}

// ---- comments ----

#[test]
fn block_comments_nest() {
    assert_eq!(toks("a /* b */ c"), vec![ident("a"), ident("c")]);
    assert_eq!(toks("a /* x /* y */ z */ c"), vec![ident("a"), ident("c")]);
    assert_eq!(toks("/* /* /* */ */ */x"), vec![ident("x")]);
    assert_eq!(toks("/**/x/***/"), vec![ident("x")]);
    assert_eq!(toks("/* \"not a string */ 1"), vec![Int(1)]);
    assert_eq!(
        toks("a/*\n multi\n line\n*/b"),
        vec![ident("a"), ident("b")]
    );
}

#[test]
fn unterminated_block_comment() {
    let (kind, at) = one_err("x /* a /* b */ c");
    assert_eq!(kind, LexErrorKind::UnterminatedComment { open: 1 });
    assert_eq!(at, "/*");
    let errors = lex("1 /* a /* b").1;
    assert_eq!(errors.len(), 1);
    assert_eq!(
        errors[0].kind,
        LexErrorKind::UnterminatedComment { open: 2 }
    );
    assert_eq!(errors[0].span, Span::new(2, 4));
    assert_eq!(lex("1 /* a").0, vec![(Int(1), Span::new(0, 1))]);
    assert_eq!(
        errs("/*"),
        vec![LexErrorKind::UnterminatedComment { open: 1 }]
    );
    assert_eq!(
        errs("/*/"),
        vec![LexErrorKind::UnterminatedComment { open: 1 }]
    );
}

// ---- numbers ----

#[test]
fn decimal_integers() {
    assert_eq!(
        toks("0 42 1_000_000 007 9223372036854775807"),
        vec![Int(0), Int(42), Int(1_000_000), Int(7), Int(i64::MAX)]
    );
}

#[test]
fn hex_and_binary_integers() {
    assert_eq!(
        toks("0xff 0xFF 0x7fff_ffff_ffff_ffff 0b1010 0b1111_0000 0x0 0b0"),
        vec![
            Int(255),
            Int(255),
            Int(i64::MAX),
            Int(10),
            Int(0xf0),
            Int(0),
            Int(0)
        ]
    );
}

#[test]
fn integer_out_of_range_is_an_error_not_a_panic() {
    let (kind, at) = one_err("let x = 99999999999999999999");
    assert_eq!(
        kind,
        LexErrorKind::IntOutOfRange {
            literal: "99999999999999999999".into()
        }
    );
    assert_eq!(at, "99999999999999999999");
    assert_eq!(
        one_err("9223372036854775808").0,
        LexErrorKind::IntOutOfRange {
            literal: "9223372036854775808".into()
        }
    );
    assert_eq!(one_err("0xffff_ffff_ffff_ffff").1, "0xffff_ffff_ffff_ffff");
    assert_eq!(
        one_err(&format!("0b1{}", "0".repeat(63))).1.len(),
        66,
        "2^63 does not fit"
    );
    // The token stream stays usable.
    assert_eq!(lex("1 + 99999999999999999999").0.len(), 3);
}

#[test]
fn bad_hex_and_binary_literals() {
    assert_eq!(
        one_err("0x"),
        (
            LexErrorKind::MissingDigits {
                literal: "0x".into()
            },
            "0x"
        )
    );
    assert_eq!(
        one_err("0b_"),
        (
            LexErrorKind::MissingDigits {
                literal: "0b_".into()
            },
            "0b_"
        )
    );
    assert_eq!(
        one_err("0b102"),
        (
            LexErrorKind::InvalidDigit {
                literal: "0b102".into(),
                digit: '2',
                radix: 2
            },
            "0b102"
        )
    );
    assert_eq!(
        one_err("0xfg + 1").0,
        LexErrorKind::InvalidDigit {
            literal: "0xfg".into(),
            digit: 'g',
            radix: 16
        }
    );
}

#[test]
fn floats() {
    assert_eq!(
        toks("1.5 2e10 6.02e-23 1e5 1.5E+3 0.0 3.25 1_000.5 1e1_0"),
        vec![
            Float(1.5),
            Float(2e10),
            Float(6.02e-23),
            Float(1e5),
            Float(1.5e3),
            Float(0.0),
            Float(3.25),
            Float(1000.5),
            Float(1e10),
        ]
    );
    // Digits are needed on both sides of the dot.
    assert_eq!(toks(".5"), vec![Dot, Int(5)]);
    assert_eq!(toks("1.e5"), vec![Int(1), Dot, ident("e5")]);
    assert_eq!(toks("1e"), vec![Int(1), ident("e")]);
}

#[test]
fn float_out_of_range() {
    assert_eq!(
        one_err("1e999"),
        (
            LexErrorKind::FloatOutOfRange {
                literal: "1e999".into()
            },
            "1e999"
        )
    );
}

// ---- strings ----

#[test]
fn plain_strings() {
    assert_eq!(
        toks(r#""hello" "" "a b""#),
        vec![s("hello"), s(""), s("a b")]
    );
    assert_eq!(with_text(r#"x = "hi""#)[2], (s("hi"), r#""hi""#));
}

#[test]
fn string_escapes() {
    assert_eq!(toks(r#""\n\t\r\0\\\"\$""#), vec![s("\n\t\r\0\\\"$")]);
    assert_eq!(toks(r#""\u{1F600}\u{41}\u{e9}""#), vec![s("😀Aé")]);
    assert_eq!(toks(r#""\u{10FFFF}""#), vec![s("\u{10FFFF}")]);
    // `\$` keeps `${` literal, so there is no interpolation.
    assert_eq!(toks(r#""\${x}""#), vec![s("${x}")]);
}

#[test]
fn lone_dollar_is_literal() {
    assert_eq!(toks(r#""$5 and $x $""#), vec![s("$5 and $x $")]);
    assert_eq!(toks(r#""$$""#), vec![s("$$")]);
}

#[test]
fn strings_span_lines_and_keep_multibyte_text() {
    assert_eq!(toks("\"line1\nline2\""), vec![s("line1\nline2")]);
    let src = "\"héllo “wörld” 😀\" é";
    let (tokens, errors) = lex(src);
    assert_eq!(
        tokens,
        vec![(s("héllo “wörld” 😀"), Span::new(0, src.len() - 3))]
    );
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].kind, LexErrorKind::StrayChar('é'));
    assert_eq!(&src[errors[0].span.range()], "é");
}

#[test]
fn unknown_escape_is_reported_with_its_span() {
    let (kind, at) = one_err(r#""a\qb""#);
    assert_eq!(kind, LexErrorKind::UnknownEscape('q'));
    assert_eq!(at, r"\q");
    // The string token is still produced.
    assert_eq!(lex(r#""a\qb""#).0.len(), 1);
    let (kind, at) = one_err("\"\\é\"");
    assert_eq!(kind, LexErrorKind::UnknownEscape('é'));
    assert_eq!(at, "\\é");
}

#[test]
fn bad_unicode_escapes() {
    use UnicodeEscapeProblem::*;
    let cases = [
        (r#""\u41""#, MissingOpenBrace, r"\u"),
        (r#""\u{41""#, MissingCloseBrace, r"\u{41"),
        (r#""\u{4G}""#, MissingCloseBrace, r"\u{4"),
        (r#""\u{}""#, NoDigits, r"\u{}"),
        (r#""\u{1234567}""#, TooManyDigits, r"\u{1234567}"),
        (r#""\u{D800}""#, NotAChar(0xD800), r"\u{D800}"),
        (r#""\u{110000}""#, NotAChar(0x110000), r"\u{110000}"),
    ];
    for (src, problem, at) in cases {
        assert_eq!(
            one_err(src),
            (LexErrorKind::BadUnicodeEscape(problem), at),
            "{src}"
        );
    }
}

#[test]
fn raw_strings() {
    assert_eq!(toks(r#"r"C:\path\n""#), vec![s(r"C:\path\n")]);
    assert_eq!(toks(r#"r"${x} $""#), vec![s("${x} $")]);
    assert_eq!(toks(r#"r "x""#), vec![ident("r"), s("x")]);
    assert_eq!(toks(r#"ar"x""#), vec![ident("ar"), s("x")]);
    assert_eq!(
        with_text(r#"r"a" r"#),
        vec![(s("a"), r#"r"a""#), (ident("r"), "r")]
    );
}

#[test]
fn unterminated_raw_string() {
    let src = "r\"abc\nlet x";
    let (tokens, errors) = lex(src);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].kind, LexErrorKind::UnterminatedRawString);
    assert_eq!(&src[errors[0].span.range()], "r\"abc");
    let tokens: Vec<Token> = tokens.into_iter().map(|(t, _)| t).collect();
    assert_eq!(tokens, vec![s("abc"), Let, ident("x")]);
}

// ---- interpolation ----

#[test]
fn interpolation_tokens_and_spans() {
    let src = r#""a${x + 1}b""#;
    assert_eq!(
        with_text(src),
        vec![
            (StrStart, "\""),
            (text("a"), "a"),
            (InterpOpen, "${"),
            (ident("x"), "x"),
            (Plus, "+"),
            (Int(1), "1"),
            (InterpClose, "}"),
            (text("b"), "b"),
            (StrEnd, "\""),
        ]
    );
}

#[test]
fn interpolation_omits_empty_pieces() {
    assert_eq!(
        toks(r#""${x}""#),
        vec![StrStart, InterpOpen, ident("x"), InterpClose, StrEnd]
    );
    assert_eq!(
        toks(r#""${a}${b}""#),
        vec![
            StrStart,
            InterpOpen,
            ident("a"),
            InterpClose,
            InterpOpen,
            ident("b"),
            InterpClose,
            StrEnd,
        ]
    );
}

#[test]
fn interpolation_pieces_decode_escapes_and_keep_raw_spans() {
    let src = r#""\t${x}\u{41}\n""#;
    assert_eq!(
        with_text(src),
        vec![
            (StrStart, "\""),
            (text("\t"), r"\t"),
            (InterpOpen, "${"),
            (ident("x"), "x"),
            (InterpClose, "}"),
            (text("A\n"), r"\u{41}\n"),
            (StrEnd, "\""),
        ]
    );
}

#[test]
fn interpolation_with_nested_braces() {
    // A map literal indexed inside the interpolation.
    assert_eq!(
        toks(r#""v=${ {"a": 1}["a"] }!""#),
        vec![
            StrStart,
            text("v="),
            InterpOpen,
            LBrace,
            s("a"),
            Colon,
            Int(1),
            RBrace,
            LBracket,
            s("a"),
            RBracket,
            InterpClose,
            text("!"),
            StrEnd,
        ]
    );
    // A lambda with a block body.
    assert_eq!(
        toks(r#""${ f(fn(x) { if x { return {} } }) }""#),
        vec![
            StrStart,
            InterpOpen,
            ident("f"),
            LParen,
            Fn,
            LParen,
            ident("x"),
            RParen,
            LBrace,
            If,
            ident("x"),
            LBrace,
            Return,
            LBrace,
            RBrace,
            RBrace,
            RBrace,
            RParen,
            InterpClose,
            StrEnd,
        ]
    );
    // Braces after the string are ordinary again.
    assert_eq!(
        toks(r#"{ "${x}" }"#),
        vec![
            LBrace,
            StrStart,
            InterpOpen,
            ident("x"),
            InterpClose,
            StrEnd,
            RBrace
        ]
    );
}

#[test]
fn nested_interpolated_strings() {
    let src = r#""a${ f("x${y}") }b""#;
    assert_eq!(
        with_text(src),
        vec![
            (StrStart, "\""),
            (text("a"), "a"),
            (InterpOpen, "${"),
            (ident("f"), "f"),
            (LParen, "("),
            (StrStart, "\""),
            (text("x"), "x"),
            (InterpOpen, "${"),
            (ident("y"), "y"),
            (InterpClose, "}"),
            (StrEnd, "\""),
            (RParen, ")"),
            (InterpClose, "}"),
            (text("b"), "b"),
            (StrEnd, "\""),
        ]
    );
    // Three levels, with a plain string and a map in the middle one.
    assert_eq!(
        toks(r#""1${ {"k": "2${ "3${z}" }"}["k"] }""#),
        vec![
            StrStart,
            text("1"),
            InterpOpen,
            LBrace,
            s("k"),
            Colon,
            StrStart,
            text("2"),
            InterpOpen,
            StrStart,
            text("3"),
            InterpOpen,
            ident("z"),
            InterpClose,
            StrEnd,
            InterpClose,
            StrEnd,
            RBrace,
            LBracket,
            s("k"),
            RBracket,
            InterpClose,
            StrEnd,
        ]
    );
}

#[test]
fn interpolation_may_contain_comments_and_span_lines() {
    assert_eq!(
        toks("\"a${ x /* } */ +\n y }b\""),
        vec![
            StrStart,
            text("a"),
            InterpOpen,
            ident("x"),
            Plus,
            ident("y"),
            InterpClose,
            text("b"),
            StrEnd
        ]
    );
}

#[test]
fn unterminated_interpolation() {
    let src = "\"a${x + 1";
    let (tokens, errors) = lex(src);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].kind, LexErrorKind::UnterminatedInterpolation);
    assert_eq!(&src[errors[0].span.range()], "${");
    assert_eq!(tokens.len(), 6);
    // Reported in source order, before a later error.
    assert_eq!(
        errs("\"${ x @"),
        vec![
            LexErrorKind::UnterminatedInterpolation,
            LexErrorKind::StrayChar('@')
        ]
    );
    // Nested: both interpolations are open at the end.
    assert_eq!(
        errs(r#""${ "${ "#),
        vec![
            LexErrorKind::UnterminatedInterpolation,
            LexErrorKind::UnterminatedInterpolation
        ]
    );
}

// ---- unterminated strings and recovery ----

#[test]
fn unterminated_string_spans_to_end_of_line_and_lexing_resumes() {
    let src = "let s = \"abc\nlet t = 1";
    let (tokens, errors) = lex(src);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].kind, LexErrorKind::UnterminatedString);
    assert_eq!(&src[errors[0].span.range()], "\"abc");
    let tokens: Vec<(Token, &str)> = tokens
        .into_iter()
        .map(|(t, s)| (t, &src[s.range()]))
        .collect();
    assert_eq!(
        tokens,
        vec![
            (Let, "let"),
            (ident("s"), "s"),
            (Eq, "="),
            (s("abc"), "\"abc"),
            (Let, "let"),
            (ident("t"), "t"),
            (Eq, "="),
            (Int(1), "1"),
        ]
    );
}

#[test]
fn unterminated_string_at_end_of_file() {
    let (kind, at) = one_err("x \"abc");
    assert_eq!((kind, at), (LexErrorKind::UnterminatedString, "\"abc"));
    assert_eq!(one_err("\"").1, "\"");
    assert_eq!(one_err("\"abc\\").0, LexErrorKind::UnterminatedString);
}

#[test]
fn escape_errors_past_the_cut_line_are_not_reported_twice() {
    // The `\q` on line 2 belongs to code once the string is cut at line 1.
    let errors = errs("\"abc\n\\q");
    assert_eq!(
        errors,
        vec![
            LexErrorKind::UnterminatedString,
            LexErrorKind::StrayChar('\\')
        ]
    );
}

#[test]
fn unterminated_string_after_interpolation() {
    let src = "\"a${x}b\nc";
    let (tokens, errors) = lex(src);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].kind, LexErrorKind::UnterminatedString);
    assert_eq!(&src[errors[0].span.range()], "\"a${x}b");
    let tokens: Vec<Token> = tokens.into_iter().map(|(t, _)| t).collect();
    assert_eq!(
        tokens,
        vec![
            StrStart,
            text("a"),
            InterpOpen,
            ident("x"),
            InterpClose,
            text("b"),
            StrEnd,
            ident("c")
        ]
    );
}

#[test]
fn missing_quote_is_blamed_on_the_string_that_lost_it() {
    // The quote missing on line 1 shifts every later pair: the string on
    // line 1 runs to the quote on line 2, and so on, until the last quote
    // is left open. The report goes to line 1.
    let src = "let s = \"abc\nprint(\"x\")\nprint(\"y\")\nprint(1)\n";
    let (tokens, errors) = lex(src);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].kind, LexErrorKind::UnterminatedString);
    assert_eq!(&src[errors[0].span.range()], "\"abc");
    let strings: Vec<&Token> = tokens
        .iter()
        .map(|(t, _)| t)
        .filter(|t| matches!(t, Token::Str(_)))
        .collect();
    assert_eq!(
        strings,
        [
            &Token::Str("abc".into()),
            &Token::Str("x".into()),
            &Token::Str("y".into())
        ]
    );
}

#[test]
fn a_string_that_spans_lines_on_purpose_is_not_blamed() {
    let src = "let doc = \"one\ntwo\"\nprint(\"x)\n";
    let (_, errors) = lex(src);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(&src[errors[0].span.range()], "\"x)");
    // Nor is it when the lost quote comes after it.
    let src = "let doc = \"one\ntwo\"\nlet s = \"abc\nprint(\"x\")\n";
    let (_, errors) = lex(src);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(&src[errors[0].span.range()], "\"abc");
}

#[test]
fn blame_search_is_bounded() {
    // Thousands of strings spanning lines before an open one: at most a few
    // extra passes, not one per string.
    let src = format!("{}\"open", "\"a\nb\" ".repeat(20_000));
    let start = std::time::Instant::now();
    let (_, errors) = lex(&src);
    assert_eq!(errors.len(), 1);
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
}

#[test]
fn stray_characters() {
    for c in [
        '@', '#', '~', '&', '|', 'é', '“', '”', '\'', '\\', '\u{A0}', '?', '^', '`',
    ] {
        let src = format!("a {c} b");
        let (tokens, errors) = lex(&src);
        assert_eq!(errors.len(), 1, "{c:?}");
        assert_eq!(errors[0].kind, LexErrorKind::StrayChar(c));
        assert_eq!(&src[errors[0].span.range()], c.to_string());
        assert_eq!(tokens.len(), 2, "lexing goes on after {c:?}");
    }
    assert_eq!(
        errs("a & b | c"),
        vec![LexErrorKind::StrayChar('&'), LexErrorKind::StrayChar('|')]
    );
    // A bidirectional override is named by its code, never written as is.
    let (_, errors) = lex("a \u{202e} b");
    assert_eq!(
        errors[0].kind.to_string(),
        "unexpected character `\\u{202e}`"
    );
}

#[test]
fn several_errors_in_one_source_are_all_reported() {
    let src = "let a = @\nlet b = \"x\\q\"\nlet c = 99999999999999999999\nlet d = 1 /* open";
    let errors = lex(src).1;
    let kinds: Vec<&LexErrorKind> = errors.iter().map(|e| &e.kind).collect();
    assert_eq!(
        kinds,
        vec![
            &LexErrorKind::StrayChar('@'),
            &LexErrorKind::UnknownEscape('q'),
            &LexErrorKind::IntOutOfRange {
                literal: "99999999999999999999".into()
            },
            &LexErrorKind::UnterminatedComment { open: 1 },
        ]
    );
    let texts: Vec<&str> = errors.iter().map(|e| &src[e.span.range()]).collect();
    assert_eq!(texts, vec!["@", "\\q", "99999999999999999999", "/*"]);
}

#[test]
fn spans_cover_exactly_the_token_text() {
    let src = "let xs = [1, 2.5, 0xff] // c\nfor x in 0..=3 { print(\"v${x}\" + r\"\\d\") }";
    let pairs = with_text(src);
    let expected = [
        "let", "xs", "=", "[", "1", ",", "2.5", ",", "0xff", "]", "for", "x", "in", "0", "..=",
        "3", "{", "print", "(", "\"", "v", "${", "x", "}", "\"", "+", "r\"\\d\"", ")", "}",
    ];
    let texts: Vec<&str> = pairs.iter().map(|(_, t)| *t).collect();
    assert_eq!(texts, expected);
}

// ---- diagnostics ----

#[test]
fn diagnostics_have_specific_messages() {
    let d = |src: &str| lex(src).1[0].to_diagnostic(SourceId(0));
    let cases = [
        ("\"abc", "unterminated string", "string starts here"),
        ("/* x", "unterminated block comment", "comment starts here"),
        (
            r#""\q""#,
            "unknown escape `\\q` in string",
            "unknown escape",
        ),
        (
            "99999999999999999999",
            "integer literal `99999999999999999999` does not fit in 64 bits",
            "too large",
        ),
        ("@", "unexpected character `@`", "not valid here"),
        (
            "\"${x",
            "unterminated `${` interpolation in string",
            "interpolation starts here",
        ),
        (
            r#""\u{D800}""#,
            "invalid unicode escape: `D800` is not a unicode character",
            "invalid escape",
        ),
    ];
    for (src, message, label) in cases {
        let diag = d(src);
        assert_eq!(diag.message, message);
        assert_eq!(diag.labels.len(), 1);
        assert_eq!(diag.labels[0].message, label);
        assert_eq!(diag.labels[0].source, SourceId(0));
    }
    let hint = d(r#""\q""#).hint.unwrap_or_default();
    assert!(hint.contains("\\n") && hint.contains("\\u{...}"), "{hint}");
    assert!(d("a & b").hint.unwrap_or_default().contains("&&"));
    assert!(d("“x”").hint.unwrap_or_default().contains("typographic"));
    assert_eq!(d("/* /* x").notes.len(), 1);
    assert!(d("/* x").notes.is_empty());
    // Invisible characters are escaped in messages.
    assert_eq!(d("\u{A0}").message, "unexpected character `\\u{a0}`");
    assert_eq!(
        d("\"\\\n\"").message,
        "unknown escape: `\\` at the end of a line in string"
    );
    assert_eq!(
        d("\"\\\r\n\"").message,
        "unknown escape: `\\` at the end of a line in string"
    );
    assert_eq!(
        d("\"\\\t\"").message,
        "unknown escape in string: `\\` followed by `\\t`"
    );
}

// ---- robustness ----

/// A tiny xorshift generator: deterministic, no extra crates.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn random_input_never_panics() {
    // Weighted towards the characters with special meaning, so that strings,
    // interpolations, escapes, comments and numbers nest in odd ways.
    const PIECES: &[&str] = &[
        "\"",
        "\"",
        "${",
        "${",
        "}",
        "{",
        "\\",
        "\\u{",
        "$",
        "/*",
        "*/",
        "//",
        "\n",
        "r\"",
        "0x",
        "0b",
        "1",
        "9",
        "_",
        ".",
        "..",
        "e",
        "e-",
        "a",
        "r",
        "u",
        " ",
        "é",
        "“",
        "😀",
        "@",
        "&",
        "|",
        "=",
        "99999999999999999999",
        "1e999",
        "D800}",
        "}",
        "\"",
        "\\\"",
    ];
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    for _ in 0..5_000 {
        let len = rng.below(40);
        let mut src = String::new();
        for _ in 0..len {
            if rng.below(8) == 0 {
                // Any char, including control and astral ones.
                let c = char::from_u32(rng.below(0x11_0000) as u32).unwrap_or('\u{FFFD}');
                src.push(c);
            } else {
                src.push_str(PIECES[rng.below(PIECES.len())]);
            }
        }
        let (tokens, errors) = lex(&src);
        assert_spans_well_formed(&src, &tokens, &errors);
        for e in &errors {
            let _ = e.to_diagnostic(SourceId(0));
        }
    }
}

#[test]
fn pathological_inputs_stay_linear() {
    // Each line holds an escaped quote, which outside a string is a stray
    // backslash plus the start of a string that never ends.
    let src = "x \\\"\n".repeat(20_000);
    let (tokens, errors) = lex(&src);
    assert!(!tokens.is_empty() && !errors.is_empty());
    let deep = format!("{}{}", "\"${".repeat(5_000), "}\"".repeat(5_000));
    let (_, errors) = lex(&deep);
    assert!(errors.is_empty());
    let comments = format!("{}{}", "/*".repeat(50_000), "*/".repeat(50_000));
    assert_eq!(lex(&comments), (vec![], vec![]));
}
