//! A random sentence generator for grammar/weft.ebnf (read by
//! `support/ebnf.rs`): random derivations, rendered as Weft source that
//! obeys the four look-ahead restrictions the grammar states in words (see
//! the module docs of tests/grammar.rs). tests/grammar.rs checks that Weft's
//! parser accepts what it makes; the editor tests (tests/tree_sitter.rs,
//! tests/textmate.rs) feed the same sentences, in a more varied layout
//! ([`render_varied`]), to the editor grammars.

use super::ebnf::{Grammar, Sym};
use rustc_hash::{FxHashMap, FxHashSet};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// splitmix64: a small seeded generator, so every run makes the same sentences.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// A derivation tree; `rule` is `None` for a terminal.
#[derive(Clone)]
pub struct Tree {
    pub sym: Sym,
    pub rule: Option<usize>,
    pub kids: Vec<Tree>,
}

impl Tree {
    pub fn size(&self) -> usize {
        match self.rule {
            None => 1,
            Some(_) => self.kids.iter().map(Tree::size).sum(),
        }
    }

    pub fn at(&self, path: &[usize]) -> &Tree {
        path.iter().fold(self, |t, &i| &t.kids[i])
    }

    pub fn replaced(&self, path: &[usize], with: Tree) -> Tree {
        let mut out = self.clone();
        let mut node = &mut out;
        for &i in path {
            node = &mut node.kids[i];
        }
        *node = with;
        out
    }

    /// Every node's path, parents before children.
    pub fn paths(&self, prefix: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        out.push(prefix.clone());
        for (i, kid) in self.kids.iter().enumerate() {
            prefix.push(i);
            kid.paths(prefix, out);
            prefix.pop();
        }
    }

    /// Every node below this one that is not a terminal.
    pub fn descendants<'t>(&'t self, out: &mut Vec<&'t Tree>) {
        for kid in &self.kids {
            if kid.rule.is_some() {
                out.push(kid);
                kid.descendants(out);
            }
        }
    }
}

/// What the renderer must know about the grammar.
pub struct Shapes {
    statement: Sym,
    map: Sym,
    lambda: Sym,
    expression: Sym,
    /// The statements whose grammar ends with an expression.
    ends_with_expression: FxHashSet<Sym>,
    return_stmt: Sym,
    yield_kw: Sym,
    arrow: Sym,
    semicolon: Sym,
    lparen: Sym,
    rparen: Sym,
    /// Terminals that can begin an expression.
    first_expression: FxHashSet<Sym>,
    /// Terminals that continue an expression after an operand: binary
    /// operators and the suffixes.
    continues: FxHashSet<Sym>,
    /// Terminals that continue the expression ending a statement and can
    /// also begin one.
    rejoins: FxHashSet<Sym>,
}

impl Shapes {
    pub fn new(g: &Grammar) -> Shapes {
        let t = |text: &str| {
            g.sym(text, true)
                .unwrap_or_else(|| panic!("the grammar has no terminal \"{text}\""))
        };
        let set = |texts: &[&str]| texts.iter().map(|s| t(s)).collect::<FxHashSet<Sym>>();
        let first = g.first_sets();
        let expression = g.rule_sym("expression");
        let continues = set(&[
            "||", "&&", "==", "!=", "<", "<=", ">", ">=", "is", "..", "..=", "+", "-", "*", "/",
            "%", "(", "[", ".",
        ]);
        let first_statement = &first[g.rule_sym("statement") as usize];
        let rejoins = continues.intersection(first_statement).copied().collect();
        Shapes {
            statement: g.rule_sym("statement"),
            map: g.rule_sym("map"),
            lambda: g.rule_sym("lambda"),
            expression,
            ends_with_expression: ["let_stmt", "return_stmt", "throw_stmt", "expr_stmt"]
                .iter()
                .map(|n| g.rule_sym(n))
                .collect(),
            return_stmt: g.rule_sym("return_stmt"),
            yield_kw: t("yield"),
            arrow: t("=>"),
            semicolon: t(";"),
            lparen: t("("),
            rparen: t(")"),
            first_expression: first[expression as usize].clone(),
            continues,
            rejoins,
        }
    }
}

/// The token stream of a tree, with marks where the renderer may need to
/// add parentheses or a `;`.
#[derive(Clone, Copy, PartialEq)]
pub enum Piece {
    Term(Sym),
    /// Start and end of something that may be wrapped in parentheses.
    Open(usize, Wrap),
    Close(usize, Wrap),
    StmtStart,
    StmtEnd(Ending),
}

/// What may need parentheses.
#[derive(Clone, Copy, PartialEq)]
pub enum Wrap {
    /// A map, which must not open a statement.
    Map,
    /// A lambda with an arrow body, which must not be followed by an
    /// operator or suffix.
    Arrow,
    /// `yield` without an operand, which must not be followed by a token
    /// that can begin one.
    BareYield,
}

/// How a statement ends, which decides whether it needs a `;` after it.
#[derive(Clone, Copy, PartialEq)]
pub enum Ending {
    /// With a keyword or a block's `}`.
    Closed,
    /// With an expression, which a `(`, `[` or `-` after it would continue.
    Expression,
    /// With `return` and no operand.
    BareReturn,
}

pub struct Generator<'g> {
    pub g: &'g Grammar,
    shapes: Shapes,
    heights: Vec<u32>,
    /// Past this depth every choice is a rule of least height.
    max_depth: usize,
    /// The size of each symbol's smallest derivation.
    small: Vec<usize>,
}

impl Generator<'_> {
    pub fn least(&self, sym: Sym) -> usize {
        let rules = &self.g.by_lhs[sym as usize];
        *rules
            .iter()
            .min_by_key(|&&r| self.heights[r])
            .expect("every nonterminal has a rule")
    }

    /// A random derivation of `sym`. Each node spends one unit of `budget`;
    /// once the budget is spent, or past `max_depth`, every choice is a rule
    /// of least height, which ends the derivation soon.
    pub fn tree(&self, sym: Sym, depth: usize, budget: &mut usize, rng: &mut Rng) -> Tree {
        if self.g.is_terminal(sym) {
            return Tree {
                sym,
                rule: None,
                kids: Vec::new(),
            };
        }
        let rules = &self.g.by_lhs[sym as usize];
        let rule = if depth >= self.max_depth || *budget == 0 {
            self.least(sym)
        } else {
            *budget -= 1;
            rules[rng.below(rules.len())]
        };
        let kids = self.g.rules[rule]
            .rhs
            .iter()
            .map(|&s| self.tree(s, depth + 1, budget, rng))
            .collect();
        Tree {
            sym,
            rule: Some(rule),
            kids,
        }
    }

    /// The derivation of least height.
    pub fn smallest(&self, sym: Sym) -> Tree {
        self.tree(sym, self.max_depth, &mut 0, &mut Rng(0))
    }

    /// A derivation of `sym` holding `inner`: the chain of rules from `sym`
    /// down to `inner`'s symbol that adds the fewest terminals, every other
    /// symbol on the way derived smallest (Dijkstra over the symbols).
    /// `None` when `sym` cannot derive `inner`'s symbol.
    pub fn hoist(&self, sym: Sym, inner: &Tree) -> Option<Tree> {
        let g = self.g;
        let small = &self.small;
        let mut parent: FxHashMap<Sym, (Sym, usize, usize)> = FxHashMap::default();
        let mut cost: FxHashMap<Sym, usize> = FxHashMap::from_iter([(sym, 0)]);
        let mut queue = BinaryHeap::from([Reverse((0, sym))]);
        while let Some(Reverse((c, at))) = queue.pop() {
            if at == inner.sym {
                break;
            }
            if cost.get(&at) != Some(&c) {
                continue;
            }
            for &r in &g.by_lhs[at as usize] {
                let rhs = &g.rules[r].rhs;
                let all: usize = rhs.iter().map(|&y| small[y as usize]).sum();
                for (i, &y) in rhs.iter().enumerate() {
                    let through = c + all - small[y as usize];
                    if !g.is_terminal(y) && cost.get(&y).is_none_or(|&old| through < old) {
                        cost.insert(y, through);
                        parent.insert(y, (at, r, i));
                        queue.push(Reverse((through, y)));
                    }
                }
            }
        }
        let mut tree = inner.clone();
        while tree.sym != sym {
            let &(up, rule, slot) = parent.get(&tree.sym)?;
            let mut kids: Vec<Tree> = g.rules[rule]
                .rhs
                .iter()
                .map(|&y| self.smallest(y))
                .collect();
            kids[slot] = tree;
            tree = Tree {
                sym: up,
                rule: Some(rule),
                kids,
            };
        }
        Some(tree)
    }

    /// Whether a lambda has an arrow body: a `=>` among its own terminals
    /// or those of its groups (fresh nonterminals such as `lambda.2`).
    pub fn is_arrow(&self, tree: &Tree) -> bool {
        tree.kids.iter().any(|k| {
            k.sym == self.shapes.arrow
                || (k.rule.is_some()
                    && self.g.names[k.sym as usize].contains('.')
                    && self.is_arrow(k))
        })
    }

    /// The terminals of `tree` in order, with the marks `sentence` needs.
    pub fn pieces(&self, tree: &Tree, out: &mut Vec<Piece>, ids: &mut usize) {
        let s = &self.shapes;
        let Some(rule) = tree.rule else {
            out.push(Piece::Term(tree.sym));
            return;
        };
        let wrap = if tree.sym == s.map {
            Some(Wrap::Map)
        } else if tree.sym == s.lambda && self.is_arrow(tree) {
            Some(Wrap::Arrow)
        } else if tree.sym == s.expression
            && self.g.rules[rule].rhs[0] == s.yield_kw
            && tree.size() == 1
        {
            Some(Wrap::BareYield)
        } else {
            None
        };
        let id = *ids;
        *ids += 1;
        if let Some(wrap) = wrap {
            out.push(Piece::Open(id, wrap));
        }
        if tree.sym == s.statement {
            out.push(Piece::StmtStart);
        }
        for kid in &tree.kids {
            self.pieces(kid, out, ids);
        }
        if let Some(wrap) = wrap {
            out.push(Piece::Close(id, wrap));
        }
        if tree.sym == s.statement {
            let kind = self.g.rules[rule].rhs[0];
            let ending = if kind == s.return_stmt && tree.size() == 1 {
                Ending::BareReturn
            } else if s.ends_with_expression.contains(&kind) {
                Ending::Expression
            } else {
                Ending::Closed
            };
            out.push(Piece::StmtEnd(ending));
        }
    }

    /// The terminals of `tree`, adjusted as the module docs describe.
    pub fn sentence(&self, tree: &Tree) -> Vec<Sym> {
        let s = &self.shapes;
        let mut pieces = Vec::new();
        self.pieces(tree, &mut pieces, &mut 0);
        // A map opening a statement; decided left to right.
        let mut wrapped = FxHashSet::default();
        for w in pieces.windows(2) {
            if let [Piece::StmtStart, Piece::Open(id, Wrap::Map)] = w {
                wrapped.insert(*id);
            }
        }
        // The rest depends on what follows: decided right to left.
        let mut out: Vec<Sym> = Vec::new();
        for piece in pieces.iter().rev() {
            let next = out.last().copied();
            let next_in = |set: &FxHashSet<Sym>| next.is_some_and(|n| set.contains(&n));
            match *piece {
                Piece::Term(t) => out.push(t),
                Piece::Close(id, wrap) => {
                    let wrap = match wrap {
                        Wrap::Map => wrapped.contains(&id),
                        Wrap::Arrow => next_in(&s.continues),
                        Wrap::BareYield => next_in(&s.first_expression),
                    };
                    if wrap {
                        wrapped.insert(id);
                        out.push(s.rparen);
                    }
                }
                Piece::Open(id, _) => {
                    if wrapped.contains(&id) {
                        out.push(s.lparen);
                    }
                }
                Piece::StmtStart => {}
                Piece::StmtEnd(ending) => {
                    let separate = match ending {
                        Ending::Closed => false,
                        Ending::Expression => next_in(&s.rejoins),
                        Ending::BareReturn => next_in(&s.first_expression),
                    };
                    if separate {
                        out.push(s.semicolon);
                    }
                }
            }
        }
        out.reverse();
        out
    }
}

/// Source text for a terminal sequence. String pieces are glued together;
/// other tokens are separated by a space, a newline or a comment.
pub fn render(g: &Grammar, terms: &[Sym], rng: &mut Rng) -> String {
    let mut src = String::new();
    let name = |s: Sym| g.names[s as usize].as_str();
    for (i, &t) in terms.iter().enumerate() {
        let glued = i > 0
            && (matches!(
                name(terms[i - 1]),
                "STR_START" | "STR_TEXT" | "INTERP_CLOSE"
            ) || matches!(name(t), "STR_TEXT" | "INTERP_OPEN" | "STR_END"));
        if i > 0 && !glued {
            src.push_str(match rng.below(20) {
                0 => " /* c /* nested */ */ ",
                1 => " // c\n",
                2..=5 => "\n",
                _ => " ",
            });
        }
        let text = match name(t) {
            "NAME" => rng.pick(&["a", "b", "x", "foo", "_t", "r", "x2"]),
            "INT" => rng.pick(&["1", "42", "0xff", "0b10", "1_000"]),
            "FLOAT" => rng.pick(&["1.5", "2e10", "6.02e-23"]),
            "STR" => rng.pick(&["\"s\"", "\"\"", "r\"C:\\d\"", "\"\\n\\u{1F600}\""]),
            "STR_START" | "STR_END" => "\"",
            "STR_TEXT" => rng.pick(&["a", "b c", "\\$", "\\t"]),
            "INTERP_OPEN" => "${",
            "INTERP_CLOSE" => "}",
            text => text,
        };
        src.push_str(text);
    }
    src
}

/// The generator `tests/grammar.rs` uses: derivations at most 48 deep.
pub fn generator(g: &Grammar) -> Generator<'_> {
    let mut generator = Generator {
        shapes: Shapes::new(g),
        heights: g.rule_heights(),
        max_depth: 48,
        small: Vec::new(),
        g,
    };
    generator.small = (0..g.names.len() as Sym)
        .map(|s| generator.smallest(s).size())
        .collect();
    generator
}

/// Whether two tokens can be written with nothing between them and still
/// lex as the same two tokens: one is a bracket or separator, or a `.`
/// before or after a name, or a prefix `-` or `!` before its operand.
fn can_touch(before: &str, after: &str) -> bool {
    let (Some(last), Some(first)) = (before.chars().last(), after.chars().next()) else {
        return false;
    };
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    "()[]{},;:".contains(last)
        || "()[]{},;:".contains(first)
        || (first == '.' && (word(last) || last == ')' || last == ']'))
        || (before == "." && word(first))
        || ((before == "-" || before == "!") && (word(first) || "([\"".contains(first)))
}

/// Source text for a terminal sequence, laid out more variously than
/// [`render`]: tokens may touch, lines may be indented or end in `\r\n`,
/// comments may hold quotes and `${`, and names, numbers and strings come
/// from larger pools (raw strings with `${`, `\$`, a lone `$`, text that
/// looks like a comment, strings across lines).
pub fn render_varied(g: &Grammar, terms: &[Sym], rng: &mut Rng) -> String {
    let mut src = String::new();
    let name = |s: Sym| g.names[s as usize].as_str();
    let mut before = "";
    for (i, &t) in terms.iter().enumerate() {
        let glued = i > 0
            && (matches!(
                name(terms[i - 1]),
                "STR_START" | "STR_TEXT" | "INTERP_CLOSE"
            ) || matches!(name(t), "STR_TEXT" | "INTERP_OPEN" | "STR_END"));
        let text = match name(t) {
            "NAME" => rng.pick(&[
                "a", "b", "x", "foo", "_t", "r", "x2", "_", "iff", "format", "letter", "r2",
                "self_", "classy", "fnord", "yields", "Error", "print", "A1", "await_", "isx",
            ]),
            "INT" => rng.pick(&[
                "0",
                "1",
                "42",
                "0xff",
                "0XFF_FF",
                "0b10",
                "0B1_0",
                "1_000",
                "1_000_000",
                "007",
            ]),
            "FLOAT" => rng.pick(&[
                "1.5", "2e10", "6.02e-23", "1E+5", "0.0", "1_0.5_0", "3.0e1_0",
            ]),
            "STR" => rng.pick(&[
                "\"s\"",
                "\"\"",
                "r\"C:\\d\"",
                "\"\\n\\u{1F600}\"",
                "r\"${x}\"",
                "r\"\"",
                "r\"a\nb\\\"",
                "\"\\$\"",
                "\"$\"",
                "\"a$b\"",
                "\"$$\"",
                "\"// no\"",
                "\"/* no\"",
                "\"\\\\\"",
                "\"\\\"\"",
                "\"}\"",
                "\"{\"",
                "\"a\nb\"",
                "\"\\r\\t\\0\"",
                "\"é ✓\"",
                "\"'\"",
                "\"if\"",
            ]),
            "STR_START" | "STR_END" => "\"",
            "STR_TEXT" => rng.pick(&[
                "a",
                "b c",
                "\\$",
                "\\t",
                "$",
                "// x",
                "/* y",
                "}",
                "a{",
                "\\\"",
                "'",
                "\n",
                "x$",
                "\\u{1F600}",
                "\\\\",
                "r",
                "fn",
            ]),
            "INTERP_OPEN" => "${",
            "INTERP_CLOSE" => "}",
            text => text,
        };
        if i > 0 && !glued {
            let indent = rng.pick(&["", "  ", "    ", "\t"]);
            match rng.below(40) {
                0 => src.push_str(" /* c /* nested */ */ "),
                1 => src.push_str(" // c \" ${ x\n"),
                2 => src.push_str(" /* \" ${ } r\" */ "),
                3 => src.push_str("\n\n"),
                4 => src.push_str("\r\n"),
                5 => src.push('\t'),
                6 => src.push_str(" /**/ "),
                7 => src.push_str(" /* two\nlines */\n"),
                8 => src.push_str(" //\n"),
                9..=15 => {
                    src.push('\n');
                    src.push_str(indent);
                }
                16..=27 if can_touch(before, text) => {}
                _ => src.push(' '),
            }
        }
        src.push_str(text);
        before = text;
    }
    src
}

/// `src` (a module's statements) put inside a few levels of blocks,
/// lambdas, a class, a map or an interpolation, or left as it is.
pub fn nest(src: String, rng: &mut Rng) -> String {
    let (open, close) = match rng.below(12) {
        0 => ("fn w() {\n", "\n}"),
        1 => (
            "async fn w(a, b = [1, 2], ...r) { for await x in ch {\n",
            "\n} }",
        ),
        2 => ("x = \"pre ${ fn() {\n", "\n} } post\""),
        3 => ("f(fn() {\n", "\n})"),
        4 => ("class C < m.B { async fn m() {\n", "\n} fn in() { } }"),
        5 => ("m = {k: fn() {\n", "\n}, \"if\": [1]}"),
        6 => ("if a { while b { try {\n", "\n} catch { } } } else { }"),
        7 => ("for k, v in m.items() { let f = async fn(x) {\n", "\n}; }"),
        _ => return src,
    };
    format!("{open}{src}{close}")
}

/// `count` sentences for the editor grammars, made from `seed`: random
/// derivations of `module` in the varied layout, several in a row, some nested in
/// blocks, lambdas and strings once or twice (see [`nest`]).
pub fn editor_sources(g: &Grammar, count: usize, seed: u64) -> Vec<String> {
    let generator = generator(g);
    let module = g.rule_sym("module");
    let mut rng = Rng(seed);
    (0..count)
        .map(|_| {
            // A module is often empty or one statement: up to six of them
            // follow each other, kept apart by `;`.
            let parts: Vec<String> = (0..1 + rng.below(6))
                .map(|_| {
                    let mut budget = 300;
                    let tree = generator.tree(module, 0, &mut budget, &mut rng);
                    render_varied(g, &generator.sentence(&tree), &mut rng)
                })
                .collect();
            let src = nest(parts.join(";\n"), &mut rng);
            nest(src, &mut rng)
        })
        .collect()
}
