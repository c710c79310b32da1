//! Checks that grammar/weft.ebnf describes exactly the syntax Weft's parser
//! accepts. The parser is hand-written chumsky combinators, so the grammar
//! cannot be generated from it; instead the file is read as a context-free
//! grammar (tests/support/ebnf.rs) and compared with the parser both ways:
//!
//! 1. What the parser accepts, the grammar accepts: every `.weft` file under
//!    examples/, tests/golden/ and std/ that Weft's lexer and parser accept
//!    is a sentence of the grammar (an Earley recognizer runs over the
//!    file's tokens, from `module`); so is every random near-sentence (a
//!    generated sentence with a token or two deleted, repeated, swapped or
//!    replaced) that the parser accepts.
//! 2. What the grammar generates, the parser accepts: thousands of random
//!    sentences of the grammar, using every alternative of every rule, are
//!    accepted by the lexer and parser. A failure is shrunk to a small
//!    sentence of the grammar that the parser still rejects.
//!
//! Plus the grammar's own hygiene (every rule used, every keyword listed,
//! every quoted terminal one real token) and sentences that both reject.
//!
//! Restrictions: where grammar/weft.ebnf can state a restriction in its
//! rules it does (a list pattern needs `= expression`, `...rest` only last,
//! at least one of `catch` and `finally`, what an assignment may assign to).
//! Four choices the parser makes by looking ahead cannot be written in a
//! context-free grammar without copying much of the expression ladder; the
//! grammar marks them "Look ahead" and states them in words, and the
//! generator (`Generator::sentence`, tests/support/sentences.rs) respects
//! them, always by choosing another sentence of the grammar:
//!
//! - a statement never starts with `{`: a map that would open a statement
//!   is written in parentheses;
//! - an operand of `return` or `yield` is taken whenever one can start:
//!   a bare `return` before a token that can start an expression is
//!   followed by `;`, and a bare `yield` is written `(yield)`;
//! - an arrow lambda's body extends as far as it can: a `fn() => e` that an
//!   operator or suffix follows is written in parentheses;
//! - a statement ends where its grammar ends, so a statement that starts
//!   with `(`, `[` or `-` continues the expression ending the one before:
//!   there the two are separated by `;`.
//!
//! `LOOKAHEAD_ONLY` lists sentences that break them: the parser rejects
//! those and the grammar accepts them. The limits on nesting (256 open
//! brackets, 256 chained operators, a tree 1024 deep) are far beyond the
//! generator's depth bound and budget.

#[path = "support/ebnf.rs"]
mod ebnf;
#[path = "support/sentences.rs"]
#[allow(dead_code)] // the editor tests use the rest
mod sentences;

use ebnf::{Earley, Grammar, Sym};
use sentences::{generator, render, Generator, Rng, Tree};
use std::path::{Path, PathBuf};
use std::time::Instant;
use weft::lexer::Token;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn grammar() -> Grammar {
    let path = root().join("grammar/weft.ebnf");
    let src = std::fs::read_to_string(&path).expect("grammar/weft.ebnf is readable");
    Grammar::parse(&src).unwrap_or_else(|e| panic!("grammar/weft.ebnf: {e}"))
}

/// The token classes the grammar names in UPPER case.
const CLASSES: [&str; 9] = [
    "NAME",
    "INT",
    "FLOAT",
    "STR",
    "STR_START",
    "STR_TEXT",
    "INTERP_OPEN",
    "INTERP_CLOSE",
    "STR_END",
];

/// The grammar terminal of a token: its class, or for keywords and
/// punctuation its text (what `Display` shows between backticks).
fn terminal_name(token: &Token) -> String {
    let class = match token {
        Token::Ident(_) => "NAME",
        Token::Int(_) => "INT",
        Token::Float(_) => "FLOAT",
        Token::Str(_) => "STR",
        Token::StrStart => "STR_START",
        Token::StrText(_) => "STR_TEXT",
        Token::InterpOpen => "INTERP_OPEN",
        Token::InterpClose => "INTERP_CLOSE",
        Token::StrEnd => "STR_END",
        other => {
            let shown = other.to_string();
            return shown.trim_matches('`').to_string();
        }
    };
    class.to_string()
}

/// Lexes and parses `src`; `Ok` with the tokens when neither reports an
/// error, else the first error: its kind and its message with the place.
fn weft_accepts(src: &str) -> Result<Vec<Token>, (String, String)> {
    let kind = |debug: String| {
        debug
            .split([' ', '(', '{'])
            .next()
            .unwrap_or("")
            .to_string()
    };
    let (tokens, lex_errors) = weft::lexer::lex(src);
    if let Some(e) = lex_errors.first() {
        let (line, col) = line_col(src, e.span.start as usize);
        let message = format!("lexer error at {line}:{col}: {e}");
        return Err((kind(format!("{:?}", e.kind)), message));
    }
    let (_, parse_errors) = weft::parser::parse(&tokens, src.len());
    if let Some(e) = parse_errors.first() {
        let (line, col) = line_col(src, e.span.start as usize);
        let message = format!("parse error at {line}:{col}: {e}");
        return Err((kind(format!("{:?}", e.kind)), message));
    }
    Ok(tokens.into_iter().map(|(t, _)| t).collect())
}

/// The grammar's terminals for `tokens`, or the first token it lacks.
fn terminals(g: &Grammar, tokens: &[Token]) -> Result<Vec<Sym>, String> {
    tokens
        .iter()
        .map(|t| {
            let name = terminal_name(t);
            g.sym(&name, true)
                .ok_or_else(|| format!("the grammar has no terminal `{name}` (token {t:?})"))
        })
        .collect()
}

fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let before = &src[..offset.min(src.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, col)
}

// ---------------------------------------------------------------------------
// The grammar itself.

#[test]
fn grammar_is_well_formed() {
    let g = grammar();
    let module = g.rule_sym("module");
    let reachable = g.reachable(module);
    let unused: Vec<&str> = g
        .defined
        .iter()
        .filter(|s| !reachable.contains(s))
        .map(|&s| g.names[s as usize].as_str())
        .collect();
    assert!(
        unused.is_empty(),
        "rules never used from `module`: {unused:?}"
    );

    // `keyword` lists exactly the lexer's keywords.
    let keyword = g.rule_sym("keyword");
    let mut listed: Vec<&str> = g.by_lhs[keyword as usize]
        .iter()
        .map(|&r| match g.rules[r].rhs[..] {
            [t] if g.is_terminal(t) => g.names[t as usize].as_str(),
            _ => panic!("`keyword` must list single quoted keywords"),
        })
        .collect();
    let mut keywords = Token::KEYWORDS.to_vec();
    listed.sort_unstable();
    keywords.sort_unstable();
    assert_eq!(listed, keywords, "`keyword` must list the lexer's keywords");

    // Every quoted terminal is one token of that text; every class is known.
    for (s, name) in g.names.iter().enumerate() {
        if !g.terminal[s] {
            continue;
        }
        if name.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
            assert!(
                CLASSES.contains(&name.as_str()),
                "unknown token class {name}"
            );
            continue;
        }
        let (tokens, errors) = weft::lexer::lex(name);
        let names: Vec<String> = tokens.iter().map(|(t, _)| terminal_name(t)).collect();
        assert!(
            errors.is_empty() && names == [name.clone()],
            "the terminal \"{name}\" lexes as {names:?}"
        );
    }
    for class in CLASSES {
        assert!(
            g.sym(class, true).is_some(),
            "the grammar never uses {class}"
        );
    }
}

// ---------------------------------------------------------------------------
// Direction 1: every file the parser accepts is in the grammar.

fn weft_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            weft_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "weft") {
            out.push(path);
        }
    }
}

#[test]
fn every_file_the_parser_accepts_is_in_the_grammar() {
    let started = Instant::now();
    let g = grammar();
    let earley = Earley::new(&g);
    let module = g.rule_sym("module");
    let mut failures = Vec::new();
    let (mut recognised, mut skipped, mut tokens_total) = (0, 0, 0);
    for dir in ["examples", "tests/golden", "std"] {
        let mut files = Vec::new();
        weft_files(&root().join(dir), &mut files);
        let before = recognised;
        for path in files {
            let src = std::fs::read_to_string(&path).expect("readable source");
            let shown = path.strip_prefix(root()).unwrap_or(&path).display();
            let (tokens, lex_errors) = weft::lexer::lex(&src);
            let (_, parse_errors) = weft::parser::parse(&tokens, src.len());
            // A literal whose value is bad (`99999999999999999999`, an
            // unknown escape) is a compile error: its token is intact.
            let tokens_intact = lex_errors.iter().all(|e| e.kind.keeps_token());
            if !tokens_intact || !parse_errors.is_empty() {
                skipped += 1;
                continue;
            }
            tokens_total += tokens.len();
            let plain: Vec<Token> = tokens.iter().map(|(t, _)| t.clone()).collect();
            let input = match terminals(&g, &plain) {
                Ok(input) => input,
                Err(e) => {
                    failures.push(format!("{shown}: {e}"));
                    continue;
                }
            };
            match earley.recognize(module, &input) {
                Ok(()) => recognised += 1,
                Err(rejection) => {
                    let (found, offset) = match tokens.get(rejection.at) {
                        Some((t, span)) => (t.to_string(), span.start as usize),
                        None => ("end of input".to_string(), src.len()),
                    };
                    let (line, col) = line_col(&src, offset);
                    failures.push(format!(
                        "{shown}:{line}:{col}: the grammar rejects token {} ({found}); it expected: {}",
                        rejection.at,
                        earley.describe(&rejection.expected)
                    ));
                }
            }
        }
        assert!(
            recognised > before || !failures.is_empty(),
            "no valid .weft file under {dir}/"
        );
    }
    eprintln!(
        "grammar: {recognised} files recognised ({tokens_total} tokens), {skipped} skipped as \
         syntax errors, {} failed, in {:.1?}",
        failures.len(),
        started.elapsed()
    );
    assert!(
        failures.is_empty(),
        "files the parser accepts but grammar/weft.ebnf rejects:\n{}",
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------
// Direction 2: every sentence of the grammar is accepted by the parser.

/// How many sentences direction 2 makes, and from which seed.
const SENTENCES: usize = 3000;
const SEED: u64 = 0x5EED_0F3E_F7A1;
/// Random choices per sentence; the rest of it is completed by least height.
const BUDGET: usize = 400;

/// The random derivations of `module`, each with the seed it is rendered with.
fn derivations<'a>(generator: &'a Generator<'a>) -> impl Iterator<Item = (Tree, u64)> + 'a {
    let module = generator.g.rule_sym("module");
    let mut rng = Rng(SEED);
    (0..SENTENCES).map(move |_| {
        let mut budget = BUDGET;
        let tree = generator.tree(module, 0, &mut budget, &mut rng);
        (tree, rng.next())
    })
}

fn mark_rules(tree: &Tree, used: &mut [bool]) {
    if let Some(rule) = tree.rule {
        used[rule] = true;
        tree.kids.iter().for_each(|k| mark_rules(k, used));
    }
}

#[test]
fn every_sentence_of_the_grammar_is_accepted_by_the_parser() {
    let started = Instant::now();
    let g = grammar();
    let earley = Earley::new(&g);
    let generator = generator(&g);
    let module = g.rule_sym("module");
    let mut used = vec![false; g.rules.len()];
    let mut failures: Vec<(Tree, u64, (String, String))> = Vec::new();
    let (mut tokens_total, mut longest) = (0, 0);
    for (tree, seed) in derivations(&generator) {
        mark_rules(&tree, &mut used);
        let src = render(&g, &generator.sentence(&tree), &mut Rng(seed));
        match weft_accepts(&src) {
            Ok(tokens) => {
                tokens_total += tokens.len();
                longest = longest.max(tokens.len());
                // The sentence, read back, is in the grammar: a check of
                // this test's generator and recognizer against each other.
                let input = terminals(&g, &tokens).expect("rendered from the grammar");
                if let Err(r) = earley.recognize(module, &input) {
                    panic!(
                        "a generated sentence is not in the grammar (a bug in this test) at \
                         token {}; expected {}:\n{src}",
                        r.at,
                        earley.describe(&r.expected)
                    );
                }
            }
            Err(e) => failures.push((tree, seed, e)),
        }
    }
    eprintln!(
        "grammar: {SENTENCES} sentences generated ({tokens_total} tokens, longest {longest}), \
         {} rejected by the parser, in {:.1?}",
        failures.len(),
        started.elapsed()
    );
    let unused: Vec<String> = (0..g.rules.len())
        .filter(|&r| !used[r])
        .map(|r| {
            let rule = &g.rules[r];
            let rhs: Vec<&str> = rule
                .rhs
                .iter()
                .map(|&s| g.names[s as usize].as_str())
                .collect();
            format!("{} = {}", g.names[rule.lhs as usize], rhs.join(" "))
        })
        .collect();
    assert!(
        unused.is_empty(),
        "alternatives no sentence used: {unused:#?}"
    );
    if failures.is_empty() {
        return;
    }
    let mut kinds: Vec<&str> = failures
        .iter()
        .map(|(_, _, (kind, _))| kind.as_str())
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    let count = failures.len();
    let (tree, seed, _) = failures
        .iter()
        .min_by_key(|(t, _, _)| t.size())
        .cloned()
        .expect("at least one failure");
    let fails = |t: &Tree| {
        let src = render(&g, &generator.sentence(t), &mut Rng(seed));
        weft_accepts(&src).err().map(|e| (src, e))
    };
    let tree = shrink(&generator, tree, &|t| fails(t).is_some());
    let (src, (_, error)) = fails(&tree).expect("the shrunk sentence still fails");
    panic!(
        "{count} sentences of grammar/weft.ebnf are rejected by the parser ({}); a minimal \
         one:\n---\n{src}\n---\n{error}",
        kinds.join(", ")
    );
}

/// Sentences with a token deleted, repeated, swapped with the next, or
/// replaced by or preceded by another terminal.
fn mutate(g: &Grammar, terms: &[Sym], rng: &mut Rng) -> Vec<Sym> {
    let mut out = terms.to_vec();
    let all: Vec<Sym> = (0..g.names.len() as Sym)
        .filter(|&s| g.is_terminal(s))
        .collect();
    if out.is_empty() {
        out.push(all[rng.below(all.len())]);
        return out;
    }
    for _ in 0..1 + rng.below(2) {
        let i = rng.below(out.len());
        match rng.below(5) {
            0 if out.len() > 1 => {
                out.remove(i);
            }
            1 => out.insert(i, out[i]),
            2 if i + 1 < out.len() => out.swap(i, i + 1),
            3 => out[i] = all[rng.below(all.len())],
            _ => out.insert(i, all[rng.below(all.len())]),
        }
    }
    out
}

/// Direction 1 beyond the files: near-sentences of the grammar that the
/// parser accepts must be sentences of the grammar too.
#[test]
fn mutated_sentences_the_parser_accepts_are_in_the_grammar() {
    let started = Instant::now();
    let g = grammar();
    let earley = Earley::new(&g);
    let generator = generator(&g);
    let module = g.rule_sym("module");
    let (mut accepted, mut failures) = (0, Vec::new());
    for (tree, seed) in derivations(&generator) {
        let mut rng = Rng(seed);
        let terms = mutate(&g, &generator.sentence(&tree), &mut rng);
        let src = render(&g, &terms, &mut rng);
        let Ok(tokens) = weft_accepts(&src) else {
            continue;
        };
        accepted += 1;
        let input = terminals(&g, &tokens).expect("rendered from the grammar");
        if let Err(r) = earley.recognize(module, &input) {
            failures.push((src, r.at, earley.describe(&r.expected)));
        }
    }
    eprintln!(
        "grammar: {SENTENCES} mutated sentences, {accepted} accepted by the parser, {} of them \
         outside the grammar, in {:.1?}",
        failures.len(),
        started.elapsed()
    );
    if let Some((src, at, expected)) = failures.iter().min_by_key(|f| f.0.len()) {
        panic!(
            "{} sentences the parser accepts are not in grammar/weft.ebnf; the shortest, \
             rejected at token {at} (expected {expected}):\n---\n{src}\n---",
            failures.len()
        );
    }
}

/// Makes a failing derivation smaller while it keeps failing: a subtree is
/// replaced by its symbol's smallest derivation, or by a smaller subtree of
/// its own lifted into its place (see `Generator::hoist`). The result is
/// still a sentence of the grammar, rendered under the same rules.
fn shrink(generator: &Generator, mut tree: Tree, fails: &dyn Fn(&Tree) -> bool) -> Tree {
    // Each try parses one sentence; this bounds the time a failure takes.
    let mut tries = 20_000;
    loop {
        let mut paths = Vec::new();
        tree.paths(&mut Vec::new(), &mut paths);
        let mut better = None;
        'search: for path in paths {
            let node = tree.at(&path);
            if node.rule.is_none() {
                continue;
            }
            let mut inner = Vec::new();
            node.descendants(&mut inner);
            let mut candidates: Vec<Tree> = inner
                .into_iter()
                .filter_map(|d| generator.hoist(node.sym, d))
                .chain([generator.smallest(node.sym)])
                .filter(|c| c.size() < node.size())
                .collect();
            candidates.sort_by_key(Tree::size);
            for candidate in candidates {
                if tries == 0 {
                    return tree;
                }
                tries -= 1;
                let smaller = tree.replaced(&path, candidate);
                if fails(&smaller) {
                    better = Some(smaller);
                    break 'search;
                }
            }
        }
        match better {
            Some(smaller) => tree = smaller,
            None => return tree,
        }
    }
}

// ---------------------------------------------------------------------------
// Sentences outside the language.

/// Rejected by the parser and by the grammar.
const REJECTED: [&str; 20] = [
    "a .. b .. c",
    "x = a ..= b .. c",
    "let [a]",
    "let [a, [b]]",
    "let [...r, a] = xs",
    "fn f(...r, a) {}",
    "f = fn(...r, a) => r",
    "try { f() }",
    "a + b = 1",
    "-a = 1",
    "[a] = 1",
    "a[1:2] = 3",
    "x = {let: 1}",
    "x = [,]",
    "f(,)",
    "x = ()",
    "class A { let x = 1 }",
    "import a.b",
    "for x, y, z in a {}",
    "if a {} else b",
];

/// Rejected by the parser but in the grammar: the restrictions that need a
/// look ahead (see the module docs), which the grammar states in comments.
const LOOKAHEAD_ONLY: [&str; 6] = [
    // A statement never starts with `{`.
    "{}",
    // `return` takes the expression that follows, `x`.
    "return x = 1",
    // The lambda's body is `a .. b .. c`, not `a .. b`.
    "f = fn() => a .. b .. c",
    // `a (b)` is a call, so these assign to a call (the grammar reads `a`
    // and `(b) = 1`).
    "a (b) = 1",
    "a.b(x) = 1",
    // `yield` takes the map `{}` as its operand.
    "while yield {}",
];

#[test]
fn the_grammar_rejects_what_the_parser_rejects() {
    let g = grammar();
    let earley = Earley::new(&g);
    let module = g.rule_sym("module");
    let in_grammar = |src: &str| {
        let (tokens, errors) = weft::lexer::lex(src);
        assert!(errors.is_empty(), "{src}: lexer errors {errors:?}");
        let plain: Vec<Token> = tokens.into_iter().map(|(t, _)| t).collect();
        let input = terminals(&g, &plain).expect("known tokens");
        earley.recognize(module, &input).is_ok()
    };
    for src in REJECTED {
        assert!(weft_accepts(src).is_err(), "the parser accepts {src:?}");
        assert!(!in_grammar(src), "the grammar accepts {src:?}");
    }
    for src in LOOKAHEAD_ONLY {
        assert!(weft_accepts(src).is_err(), "the parser accepts {src:?}");
        assert!(
            in_grammar(src),
            "the grammar now rejects {src:?}: move it to REJECTED"
        );
    }
}
