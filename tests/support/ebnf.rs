//! ISO-style EBNF read as a plain context-free grammar, and an Earley
//! recognizer for it: the machinery tests/grammar.rs uses to check
//! grammar/weft.ebnf against Weft's own lexer and parser.
//!
//! The notation: rules `name = ... ;`, alternatives `|`, juxtaposition for
//! sequence, `{ x }` zero or more, `[ x ]` optional, `( x )` a group,
//! terminals in double or single quotes, UPPER names for token classes, and
//! `(* comments *)`, which nest as ISO 14977 says. Repetitions, options and
//! groups become fresh nonterminals (`postfix.1`, ...): `{ x }` is
//! `N = ε | N x`, left-recursive, which Earley handles in linear time.

use rustc_hash::{FxHashMap, FxHashSet};
use std::fmt::Write as _;

/// A grammar symbol: an index into [`Grammar::names`].
pub type Sym = u32;

pub struct Rule {
    pub lhs: Sym,
    pub rhs: Vec<Sym>,
}

pub struct Grammar {
    /// Terminals by their text (`if`, `(`) or class (`NAME`); nonterminals
    /// by rule name, fresh ones as `rule.k`.
    pub names: Vec<String>,
    pub terminal: Vec<bool>,
    pub rules: Vec<Rule>,
    /// The rules of each nonterminal, in the order written.
    pub by_lhs: Vec<Vec<usize>>,
    /// Whether the symbol derives the empty string.
    pub nullable: Vec<bool>,
    /// Nonterminals named in the file, in order of definition.
    pub defined: Vec<Sym>,
    ids: FxHashMap<(bool, String), Sym>,
}

/// One piece of the notation.
#[derive(Clone, Debug, PartialEq)]
enum Lexeme {
    Name(String),
    Quoted(String),
    Punct(char),
}

/// A rule as written: its name, alternatives and line.
type WrittenRule = (String, Vec<Vec<Node>>, usize);

/// The right-hand side of a rule before it is flattened.
enum Node {
    Symbol { name: String, terminal: bool },
    Repeat(Vec<Vec<Node>>),
    Optional(Vec<Vec<Node>>),
    Group(Vec<Vec<Node>>),
}

fn lex_notation(src: &str) -> Result<Vec<(Lexeme, usize)>, String> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
        }
        if c.is_whitespace() {
            i += 1;
        } else if c == '(' && chars.get(i + 1) == Some(&'*') {
            let (start, mut depth) = (line, 0);
            loop {
                match (chars.get(i), chars.get(i + 1)) {
                    (Some('('), Some('*')) => (depth, i) = (depth + 1, i + 2),
                    (Some('*'), Some(')')) => (depth, i) = (depth - 1, i + 2),
                    (Some(c), _) => (line, i) = (line + usize::from(*c == '\n'), i + 1),
                    (None, _) => return Err(format!("line {start}: comment never closed")),
                }
                if depth == 0 {
                    break;
                }
            }
        } else if c == '"' || c == '\'' {
            let end = chars[i + 1..].iter().position(|&d| d == c || d == '\n');
            match end.map(|n| i + 1 + n) {
                Some(end) if chars[end] == c && end > i + 1 => {
                    out.push((Lexeme::Quoted(chars[i + 1..end].iter().collect()), line));
                    i = end + 1;
                }
                _ => return Err(format!("line {line}: bad quoted terminal")),
            }
        } else if c.is_ascii_alphabetic() || c == '_' {
            let len = chars[i..]
                .iter()
                .take_while(|d| d.is_ascii_alphanumeric() || **d == '_')
                .count();
            out.push((Lexeme::Name(chars[i..i + len].iter().collect()), line));
            i += len;
        } else if "=;|{}[]()".contains(c) {
            out.push((Lexeme::Punct(c), line));
            i += 1;
        } else {
            return Err(format!("line {line}: unexpected `{c}`"));
        }
    }
    Ok(out)
}

/// Reads the notation into rules as written.
struct NotationParser {
    lexemes: Vec<(Lexeme, usize)>,
    pos: usize,
}

impl NotationParser {
    fn peek(&self) -> Option<&Lexeme> {
        self.lexemes.get(self.pos).map(|(l, _)| l)
    }

    fn line(&self) -> usize {
        let at = self.pos.min(self.lexemes.len().saturating_sub(1));
        self.lexemes.get(at).map_or(0, |(_, line)| *line)
    }

    fn expect(&mut self, c: char) -> Result<(), String> {
        if self.peek() == Some(&Lexeme::Punct(c)) {
            self.pos += 1;
            Ok(())
        } else {
            Err(format!("line {}: expected `{c}`", self.line()))
        }
    }

    fn rules(&mut self) -> Result<Vec<WrittenRule>, String> {
        let mut rules = Vec::new();
        while let Some(lexeme) = self.peek().cloned() {
            let line = self.line();
            let Lexeme::Name(name) = lexeme else {
                return Err(format!("line {line}: expected a rule name"));
            };
            self.pos += 1;
            self.expect('=')?;
            let alternatives = self.alternatives()?;
            self.expect(';')?;
            rules.push((name, alternatives, line));
        }
        Ok(rules)
    }

    fn alternatives(&mut self) -> Result<Vec<Vec<Node>>, String> {
        let mut alternatives = vec![self.sequence()?];
        while self.peek() == Some(&Lexeme::Punct('|')) {
            self.pos += 1;
            alternatives.push(self.sequence()?);
        }
        Ok(alternatives)
    }

    fn sequence(&mut self) -> Result<Vec<Node>, String> {
        let mut nodes = Vec::new();
        loop {
            let node = match self.peek().cloned() {
                Some(Lexeme::Name(name)) => {
                    let terminal = name.chars().all(|c| !c.is_ascii_lowercase());
                    Node::Symbol { name, terminal }
                }
                Some(Lexeme::Quoted(text)) => Node::Symbol {
                    name: text,
                    terminal: true,
                },
                Some(Lexeme::Punct(open @ ('{' | '[' | '('))) => {
                    self.pos += 1;
                    let inner = self.alternatives()?;
                    let (close, node): (char, fn(_) -> Node) = match open {
                        '{' => ('}', Node::Repeat),
                        '[' => (']', Node::Optional),
                        _ => (')', Node::Group),
                    };
                    self.expect(close)?;
                    nodes.push(node(inner));
                    continue;
                }
                _ => return Ok(nodes),
            };
            self.pos += 1;
            nodes.push(node);
        }
    }
}

impl Grammar {
    /// Reads the notation. Fails on a syntax error, a nonterminal used but
    /// never defined, or one defined twice.
    pub fn parse(src: &str) -> Result<Grammar, String> {
        let lexemes = lex_notation(src)?;
        let rules = NotationParser { lexemes, pos: 0 }.rules()?;
        let mut g = Grammar {
            names: Vec::new(),
            terminal: Vec::new(),
            rules: Vec::new(),
            by_lhs: Vec::new(),
            nullable: Vec::new(),
            defined: Vec::new(),
            ids: FxHashMap::default(),
        };
        for (name, _, line) in &rules {
            let sym = g.intern(name, false);
            if g.defined.contains(&sym) {
                return Err(format!("line {line}: `{name}` is defined twice"));
            }
            g.defined.push(sym);
        }
        for (name, alternatives, _) in &rules {
            let lhs = g.intern(name, false);
            let mut fresh = 0;
            g.lower(lhs, name, &mut fresh, alternatives);
        }
        for sym in 0..g.names.len() {
            if !g.terminal[sym] && g.by_lhs[sym].is_empty() {
                return Err(format!("`{}` is used but never defined", g.names[sym]));
            }
        }
        g.nullable = vec![false; g.names.len()];
        let mut changed = true;
        while changed {
            changed = false;
            for rule in &g.rules {
                if !g.nullable[rule.lhs as usize]
                    && rule.rhs.iter().all(|&s| g.nullable[s as usize])
                {
                    g.nullable[rule.lhs as usize] = true;
                    changed = true;
                }
            }
        }
        Ok(g)
    }

    fn intern(&mut self, name: &str, terminal: bool) -> Sym {
        if let Some(&sym) = self.ids.get(&(terminal, name.to_string())) {
            return sym;
        }
        let sym = self.names.len() as Sym;
        self.names.push(name.to_string());
        self.terminal.push(terminal);
        self.by_lhs.push(Vec::new());
        self.ids.insert((terminal, name.to_string()), sym);
        sym
    }

    fn add_rule(&mut self, lhs: Sym, rhs: Vec<Sym>) {
        self.by_lhs[lhs as usize].push(self.rules.len());
        self.rules.push(Rule { lhs, rhs });
    }

    fn lower(&mut self, lhs: Sym, base: &str, fresh: &mut usize, alternatives: &[Vec<Node>]) {
        for sequence in alternatives {
            let rhs = self.lower_sequence(base, fresh, sequence);
            self.add_rule(lhs, rhs);
        }
    }

    fn lower_sequence(&mut self, base: &str, fresh: &mut usize, sequence: &[Node]) -> Vec<Sym> {
        let mut rhs = Vec::new();
        for node in sequence {
            let inner = match node {
                Node::Symbol { name, terminal } => {
                    rhs.push(self.intern(name, *terminal));
                    continue;
                }
                // A group of one alternative is spliced in place.
                Node::Group(inner) if inner.len() == 1 => {
                    let spliced = self.lower_sequence(base, fresh, &inner[0]);
                    rhs.extend(spliced);
                    continue;
                }
                Node::Repeat(inner) | Node::Optional(inner) | Node::Group(inner) => inner,
            };
            *fresh += 1;
            let sym = self.intern(&format!("{base}.{fresh}"), false);
            match node {
                Node::Repeat(_) => {
                    self.add_rule(sym, Vec::new());
                    for sequence in inner {
                        let mut rest = self.lower_sequence(base, fresh, sequence);
                        rest.insert(0, sym);
                        self.add_rule(sym, rest);
                    }
                }
                Node::Optional(_) => {
                    self.add_rule(sym, Vec::new());
                    self.lower(sym, base, fresh, inner);
                }
                _ => self.lower(sym, base, fresh, inner),
            }
            rhs.push(sym);
        }
        rhs
    }

    /// The symbol with this name: a nonterminal, or a terminal (quoted text
    /// or token class) when `terminal`.
    pub fn sym(&self, name: &str, terminal: bool) -> Option<Sym> {
        self.ids.get(&(terminal, name.to_string())).copied()
    }

    /// The nonterminal named `name`; panics when the grammar has none.
    pub fn rule_sym(&self, name: &str) -> Sym {
        self.sym(name, false)
            .unwrap_or_else(|| panic!("the grammar has no rule `{name}`"))
    }

    pub fn is_terminal(&self, sym: Sym) -> bool {
        self.terminal[sym as usize]
    }

    /// The terminals each symbol's strings can begin with.
    pub fn first_sets(&self) -> Vec<FxHashSet<Sym>> {
        let mut first: Vec<FxHashSet<Sym>> = (0..self.names.len() as Sym)
            .map(|s| {
                let mut set = FxHashSet::default();
                if self.is_terminal(s) {
                    set.insert(s);
                }
                set
            })
            .collect();
        let mut changed = true;
        while changed {
            changed = false;
            for rule in &self.rules {
                for &s in &rule.rhs {
                    let add: Vec<Sym> = first[s as usize].iter().copied().collect();
                    let target = &mut first[rule.lhs as usize];
                    for t in add {
                        changed |= target.insert(t);
                    }
                    if !self.nullable[s as usize] {
                        break;
                    }
                }
            }
        }
        first
    }

    /// For each rule, the height of its shortest derivation tree (a
    /// terminal has height 0); `u32::MAX` for a rule that derives nothing.
    /// Always choosing a rule of least height ends every derivation.
    pub fn rule_heights(&self) -> Vec<u32> {
        let mut sym_height = vec![u32::MAX; self.names.len()];
        for (s, h) in sym_height.iter_mut().enumerate() {
            if self.terminal[s] {
                *h = 0;
            }
        }
        let mut rule_height = vec![u32::MAX; self.rules.len()];
        let mut changed = true;
        while changed {
            changed = false;
            for (r, rule) in self.rules.iter().enumerate() {
                let h = rule
                    .rhs
                    .iter()
                    .map(|&s| sym_height[s as usize])
                    .max()
                    .unwrap_or(0)
                    .saturating_add(1);
                if h < rule_height[r] {
                    rule_height[r] = h;
                    changed = true;
                }
                let lhs = rule.lhs as usize;
                if h < sym_height[lhs] {
                    sym_height[lhs] = h;
                    changed = true;
                }
            }
        }
        rule_height
    }

    /// The nonterminals reachable from `start`.
    pub fn reachable(&self, start: Sym) -> FxHashSet<Sym> {
        let mut seen = FxHashSet::default();
        let mut stack = vec![start];
        while let Some(s) = stack.pop() {
            if self.is_terminal(s) || !seen.insert(s) {
                continue;
            }
            for &r in &self.by_lhs[s as usize] {
                stack.extend(&self.rules[r].rhs);
            }
        }
        seen
    }
}

/// Where an input left the grammar.
pub struct Rejection {
    /// Index of the first token no sentence of the grammar can have there
    /// (the input's length when the input ended too early).
    pub at: usize,
    /// The terminals the grammar allowed at that point.
    pub expected: Vec<Sym>,
}

/// An Earley recognizer. Items are (rule, dot) pairs numbered once ("LR(0)
/// items") plus an origin set. Completion of an item that began in the
/// current set is skipped: the predictor instead steps over any nullable
/// nonterminal at once (Aycock and Horspool's fix), which covers it.
pub struct Earley<'g> {
    grammar: &'g Grammar,
    /// The first LR(0) item of each rule; the item after it moves the dot on.
    rule_start: Vec<u32>,
    /// Per LR(0) item: its rule, and the symbol after the dot (`NONE` at the end).
    item_rule: Vec<u32>,
    item_next: Vec<Sym>,
}

const NONE: Sym = Sym::MAX;

/// An Earley item: LR(0) item and origin.
type Item = (u32, u32);

impl<'g> Earley<'g> {
    pub fn new(grammar: &'g Grammar) -> Earley<'g> {
        let (mut rule_start, mut item_rule, mut item_next) = (Vec::new(), Vec::new(), Vec::new());
        for (r, rule) in grammar.rules.iter().enumerate() {
            rule_start.push(item_rule.len() as u32);
            for dot in 0..=rule.rhs.len() {
                item_rule.push(r as u32);
                item_next.push(rule.rhs.get(dot).copied().unwrap_or(NONE));
            }
        }
        Earley {
            grammar,
            rule_start,
            item_rule,
            item_next,
        }
    }

    /// Whether `input` (terminal symbols) is a sentence of `start`.
    pub fn recognize(&self, start: Sym, input: &[Sym]) -> Result<(), Rejection> {
        let g = self.grammar;
        let mut sets: Vec<Vec<Item>> = vec![Vec::new(); input.len() + 1];
        // Per finished set, its items waiting on a nonterminal, sorted by it.
        let mut waiting: Vec<Vec<(Sym, u32)>> = Vec::with_capacity(input.len() + 1);
        let mut predicted = vec![u32::MAX; g.names.len()];
        let (mut seen, mut seen_next) = (FxHashSet::default(), FxHashSet::default());
        for &r in &g.by_lhs[start as usize] {
            sets[0].push((self.rule_start[r], 0));
        }
        seen.extend(sets[0].iter().copied());
        for i in 0..=input.len() {
            let mut current = std::mem::take(&mut sets[i]);
            let mut next = Vec::new();
            let mut k = 0;
            while k < current.len() {
                let (item, origin) = current[k];
                k += 1;
                let sym = self.item_next[item as usize];
                let mut add = |it: Item, current: &mut Vec<Item>| {
                    if seen.insert(it) {
                        current.push(it);
                    }
                };
                if sym == NONE {
                    if origin as usize == i {
                        continue;
                    }
                    let lhs = g.rules[self.item_rule[item as usize] as usize].lhs;
                    let list = &waiting[origin as usize];
                    let from = list.partition_point(|&(s, _)| s < lhs);
                    for &(s, idx) in &list[from..] {
                        if s != lhs {
                            break;
                        }
                        let (waiter, o) = sets[origin as usize][idx as usize];
                        add((waiter + 1, o), &mut current);
                    }
                } else if g.is_terminal(sym) {
                    if input.get(i) == Some(&sym) && seen_next.insert((item + 1, origin)) {
                        next.push((item + 1, origin));
                    }
                } else {
                    if predicted[sym as usize] != i as u32 {
                        predicted[sym as usize] = i as u32;
                        for &r in &g.by_lhs[sym as usize] {
                            add((self.rule_start[r], i as u32), &mut current);
                        }
                    }
                    if g.nullable[sym as usize] {
                        add((item + 1, origin), &mut current);
                    }
                }
            }
            let mut wait: Vec<(Sym, u32)> = current
                .iter()
                .enumerate()
                .map(|(idx, &(item, _))| (self.item_next[item as usize], idx as u32))
                .filter(|&(s, _)| s != NONE && !g.is_terminal(s))
                .collect();
            wait.sort_unstable();
            waiting.push(wait);
            let expected = || {
                let mut terms: Vec<Sym> = current
                    .iter()
                    .map(|&(item, _)| self.item_next[item as usize])
                    .filter(|&s| s != NONE && g.is_terminal(s))
                    .collect();
                terms.sort_unstable();
                terms.dedup();
                terms
            };
            if i == input.len() {
                let done = current.iter().any(|&(item, origin)| {
                    origin == 0
                        && self.item_next[item as usize] == NONE
                        && g.rules[self.item_rule[item as usize] as usize].lhs == start
                });
                return if done {
                    Ok(())
                } else {
                    Err(Rejection {
                        at: i,
                        expected: expected(),
                    })
                };
            }
            if next.is_empty() {
                return Err(Rejection {
                    at: i,
                    expected: expected(),
                });
            }
            sets[i] = current;
            sets[i + 1] = next;
            std::mem::swap(&mut seen, &mut seen_next);
            seen_next.clear();
        }
        unreachable!("the loop returns at the end of the input")
    }

    /// `expected` as a readable list.
    pub fn describe(&self, expected: &[Sym]) -> String {
        let mut out = String::new();
        for (n, &s) in expected.iter().enumerate() {
            let sep = if n == 0 { "" } else { " " };
            let _ = write!(out, "{sep}{}", self.grammar.names[s as usize]);
        }
        out
    }
}
