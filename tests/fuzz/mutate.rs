//! The mutations: a seeded PRNG, a rough tokenizer that cuts programs at
//! token, line and block boundaries, the dictionaries (keywords, brackets,
//! extreme numbers, hostile strings and statements, nesting openers) and the
//! `Mutator` that applies one to five mutations to a program.

use crate::Seed;

/// Mutants larger than this are not run: they test the disk, not weft.
pub(crate) const MAX_MUTANT: usize = 8 << 20;

// ---------------------------------------------------------------------------
// A deterministic PRNG (xorshift64*), so a seed names a whole run.

pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        // splitmix64 spreads nearby seeds apart and never yields the zero state.
        let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Rng((z ^ (z >> 31)) | 1)
    }

    pub(crate) fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    pub(crate) fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

// ---------------------------------------------------------------------------
// A rough tokenizer: enough to cut programs at token boundaries.

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Tok {
    Space,
    Word,
    Number,
    Str,
    Comment,
    Punct,
}

/// Splits `text` into `(kind, start, end)` spans covering every byte.
pub(crate) fn tokenize(text: &[u8]) -> Vec<(Tok, usize, usize)> {
    let mut toks = Vec::new();
    let mut i = 0;
    let n = text.len();
    while i < n {
        let c = text[i];
        let start = i;
        let kind = if c.is_ascii_whitespace() {
            while i < n && text[i].is_ascii_whitespace() {
                i += 1;
            }
            Tok::Space
        } else if c.is_ascii_digit() {
            while i < n && (text[i].is_ascii_alphanumeric() || text[i] == b'_') {
                i += 1;
            }
            // A fraction needs a digit after the dot (`0..10` is a range).
            if i + 1 < n && text[i] == b'.' && text[i + 1].is_ascii_digit() {
                i += 1;
                while i < n && (text[i].is_ascii_alphanumeric() || text[i] == b'_') {
                    i += 1;
                }
            }
            Tok::Number
        } else if c.is_ascii_alphabetic() || c == b'_' {
            while i < n && (text[i].is_ascii_alphanumeric() || text[i] == b'_') {
                i += 1;
            }
            Tok::Word
        } else if c == b'"' {
            i += 1;
            while i < n && text[i] != b'"' && text[i] != b'\n' {
                if text[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            i = (i + 1).min(n);
            Tok::Str
        } else if text[i..].starts_with(b"//") {
            while i < n && text[i] != b'\n' {
                i += 1;
            }
            Tok::Comment
        } else {
            let three = [b"..=".as_slice(), b"...".as_slice()];
            let two = [
                "..", "=>", "==", "!=", "<=", ">=", "&&", "||", "+=", "-=", "*=", "/=", "%=", "${",
                "/*", "*/",
            ];
            if three.iter().any(|t| text[i..].starts_with(t)) {
                i += 3;
            } else if two.iter().any(|t| text[i..].starts_with(t.as_bytes())) {
                i += 2;
            } else {
                // One character, whole: a UTF-8 sequence stays together.
                i += 1;
                while i < n && (text[i] & 0xc0) == 0x80 {
                    i += 1;
                }
            }
            Tok::Punct
        };
        toks.push((kind, start, i));
    }
    toks
}

/// Line spans `(start, end)`, each including its `\n`.
pub(crate) fn lines(text: &[u8]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = 0;
    for (i, &b) in text.iter().enumerate() {
        if b == b'\n' {
            spans.push((start, i + 1));
            start = i + 1;
        }
    }
    if start < text.len() {
        spans.push((start, text.len()));
    }
    spans
}

// ---------------------------------------------------------------------------
// Mutations

pub(crate) const KEYWORDS: &[&str] = &[
    "let", "fn", "async", "await", "yield", "return", "if", "else", "while", "for", "in", "break",
    "continue", "true", "false", "nil", "try", "catch", "finally", "throw", "spawn", "import",
    "as", "class", "self", "super", "is",
];

pub(crate) const PUNCT: &[&str] = &[
    "(", ")", "[", "]", "{", "}", ",", ".", ":", ";", "...", "..", "..=", "=>", "+", "-", "*", "/",
    "%", "!", "=", "==", "!=", "<", "<=", ">", ">=", "&&", "||", "+=", "-=", "*=", "/=", "%=",
    "\"", "${", "r\"", "/*", "*/", "//", "\\", "@", "#", "$", "`", "'", "?", "~", "^", "&", "|",
];

pub(crate) const NAMES: &[&str] = &[
    "print",
    "str",
    "repr",
    "int",
    "float",
    "type",
    "len",
    "range",
    "assert",
    "Channel",
    "Mutex",
    "Semaphore",
    "Event",
    "sleep",
    "all",
    "race",
    "group",
    "timeout",
    "runtime",
    "math",
    "json",
    "os",
    "Error",
    "TypeError",
    "ValueError",
    "StopIteration",
    "CancelledError",
    "iter",
    "next",
    "send",
    "close",
    "cancel",
    "push",
    "pop",
    "init",
    "items",
    "keys",
    "x",
    "y",
    "a",
    "b",
    "f",
    "g",
    "ch",
];

pub(crate) const NUMBERS: &[&str] = &[
    "0",
    "-1",
    "1",
    "2",
    "255",
    "256",
    "65535",
    "65536",
    "65537",
    "2147483647",
    "2147483648",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808",
    "99999999999999999999999",
    "0x7fffffffffffffff",
    "0xffffffffffffffff",
    "0b1",
    "1_000_000_000",
    "1e308",
    "-1e308",
    "1e309",
    "5e-324",
    "0.0",
    "-0.0",
    "1.5",
    "(0.0 / 0.0)",
    "(1.0 / 0.0)",
    "(-9223372036854775807 - 1)",
    "(2 * 4611686018427387904)",
];

pub(crate) const STRINGS: &[&str] = &[
    "\"\"",
    "\"${\"",
    "\"${}\"",
    "\"${x\"",
    "\"\\u{110000}\"",
    "\"\\u{D800}\"",
    "\"\\u{}\"",
    "\"\\q\"",
    "\"\\\"",
    "\"é漢字😀\"",
    "r\"\\\"",
    "\"\\0\"",
    "\"${\"${\"${1}\"}\"}\"",
];

/// Fragments that open a nesting level; repeated, they make deep programs.
pub(crate) const OPENERS: &[&str] = &[
    "(",
    "[",
    "{",
    "-",
    "!",
    "await ",
    "spawn ",
    "x.",
    "f(",
    "[1, ",
    "{a: ",
    "fn() => ",
    "\"${",
    "if true { ",
    "while true { ",
    "fn f() { ",
    "class A { fn f() { ",
    "async fn g() { ",
    "try { ",
    "for x in [1] { ",
    "for await j in ch { ",
    "1 + ",
    "a[",
    "_, ",
    "x, ",
    "let a = 1\n",
    "print(1)\n",
];

/// Whole statements inserted between lines.
pub(crate) const SNIPPETS: &[&str] = &[
    "let ch = Channel(1); ch.try_send(1); ch.close()",
    "let ch = Channel(1); ch.close(); for await j in ch { }",
    "for k in [5] { }",
    "for k, v in {a: 1}.items() { }",
    "yield 1",
    "await sleep(0)",
    "await sleep(1)",
    "return",
    "return 1",
    "break",
    "continue",
    "throw ValueError(\"x\")",
    "throw nil",
    "runtime.gc()",
    "print(runtime.tasks())",
    "let t = spawn (async fn() { return 1 })(); t.cancel()",
    "let t = spawn (async fn() { throw 1 })(); await sleep(1)",
    "class C < Error { fn init() { super.init(\"c\") } fn iter() { return self } }",
    "class D { fn iter() { return self } }\nfor c in D() { }",
    "try { } catch e { } finally { }",
    "try { throw 1 } catch { }",
    "fn gen() { yield gen() }\nfor v in gen() { }",
    "async fn af() { return await af() }\nawait af()",
    "fn deep() { return deep() }\ntry { deep() } catch e { print(len(str(e))) }",
    "let [a, b, ...rest] = [1]",
    "let g = (fn() { yield 1 })(); g.next(); g.next(); g.close()",
    "let g = (fn() { try { yield 1 } finally { yield 2 } })(); g.next(); g.close()",
    "import math",
    "import json",
    "import \"./_util.weft\" as util",
    "await all([sleep(1), sleep(2)])",
    "await race([sleep(1), sleep(2)])",
    "await group(async fn(g) { g.spawn(sleep(1)) })",
    "try { await all([(async fn() { throw 1 })(), (async fn() { throw 2 })()]) } catch e { }",
    "try { await timeout(1, sleep(100)) } catch e { }",
    "let m = Mutex(); await m.lock(); m.unlock(); m.unlock()",
    "let s = Semaphore(9223372036854775807); s.release()",
    "let e = Event(); e.set(); await e.wait()",
    "let d = {x: 1, y: 2}; for k in d { d.remove(k) }",
    "let l = [1, 2]; for v in l { l.push(v); if len(l) > 5 { break } }",
    "\"x\".repeat(1000000)",
    "print(json.parse(\"[[[[[[[[[[\"))",
    "print(json.stringify({a: [1.5, nil]}, 2))",
    "print(-9223372036854775808 % -1)",
    "print(9223372036854775807 + 1)",
    "print([1, 2, 3][-4])",
    "print(\"abc\"[1:-1])",
    "print(range(0, 10, 0))",
    "print([3, 1, 2].sort_by(fn(x) => nil))",
    "print([1, [2]].sort())",
    "let big = [0] * 3",
    "print(\"é漢😀\"[1:2], \"é漢😀\".chars(), \"é漢😀\".encode().decode())",
    "print(str(1e308 * 10), int(1e308), int(\"99999999999999999999\"))",
    "exit(0)",
];

/// (before, after) pairs wrapped around a run of lines.
pub(crate) const WRAPPERS: &[(&str, &str)] = &[
    (
        "let ch = Channel(1); ch.try_send(1); ch.close()\nfor await j in ch {",
        "}",
    ),
    ("fn w() {", "}\nw()"),
    ("async fn w() {", "}\nawait w()"),
    ("async fn w() {", "}\nspawn w()"),
    ("try {", "} catch e { print(e) }"),
    ("try {", "} finally { print(1) }"),
    ("while true {", "break }"),
    ("for k in [1, 2] {", "}"),
    ("if true {", "} else { }"),
    ("fn gen() {", "}\nfor v in gen() { }"),
    ("class W { fn m() {", "} }\nW().m()"),
    ("await group(async fn(g) {", "})"),
    ("let co = (async fn() {", "})()\nawait co"),
];

/// How often a fragment is repeated: mostly a little, sometimes past the
/// 16-bit and nesting limits.
pub(crate) const COUNTS: &[usize] = &[
    2, 3, 8, 32, 100, 256, 300, 1000, 5000, 20000, 65535, 65536, 65537, 70000,
];

pub(crate) fn splice(text: &[u8], start: usize, end: usize, with: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() - (end - start) + with.len());
    out.extend_from_slice(&text[..start]);
    out.extend_from_slice(with);
    out.extend_from_slice(&text[end..]);
    out
}

/// What closes every bracket `opener` leaves open (`"}}"` for
/// `class A { fn f() { `), or `None` when it opens none.
pub(crate) fn closer_of(opener: &str) -> Option<String> {
    if opener == "\"${" {
        return Some("}\"".into());
    }
    let mut open = Vec::new();
    for c in opener.chars() {
        match c {
            '(' => open.push(')'),
            '[' => open.push(']'),
            '{' => open.push('}'),
            ')' | ']' | '}' => {
                open.pop();
            }
            _ => {}
        }
    }
    (!open.is_empty()).then(|| open.iter().rev().collect())
}

pub(crate) struct Mutator<'a> {
    pub(crate) seeds: &'a [Seed],
    /// Identifiers and literals from all seeds, for swaps and insertions.
    pub(crate) words: &'a [Vec<u8>],
}

impl Mutator<'_> {
    /// Applies one to five mutations to `text`; `log` records what was done.
    pub(crate) fn mutate(&self, rng: &mut Rng, text: &[u8], log: &mut Vec<String>) -> Vec<u8> {
        let mut text = text.to_vec();
        // Mostly one mutation: each one is likely to make a compile error, and
        // the runtime is only reached by programs that still compile.
        let rounds = 1 + [0, 0, 0, 0, 0, 1, 1, 1, 2, 4][rng.below(10)];
        for _ in 0..rounds {
            let next = self.mutate_once(rng, &text, log);
            if next.len() <= MAX_MUTANT {
                text = next;
            }
        }
        text
    }

    /// A token boundary chosen at random (or the end of the text).
    pub(crate) fn boundary(rng: &mut Rng, toks: &[(Tok, usize, usize)], len: usize) -> usize {
        if toks.is_empty() {
            0
        } else {
            let i = rng.below(toks.len() + 1);
            toks.get(i).map_or(len, |t| t.1)
        }
    }

    pub(crate) fn random_token(rng: &mut Rng) -> String {
        match rng.below(5) {
            0 => rng.pick(KEYWORDS).to_string(),
            1 | 2 => rng.pick(PUNCT).to_string(),
            3 => rng.pick(NAMES).to_string(),
            _ => rng.pick(NUMBERS).to_string(),
        }
    }

    pub(crate) fn mutate_once(&self, rng: &mut Rng, text: &[u8], log: &mut Vec<String>) -> Vec<u8> {
        let toks = tokenize(text);
        let solid: Vec<usize> = (0..toks.len())
            .filter(|&i| !matches!(toks[i].0, Tok::Space))
            .collect();
        let line_spans = lines(text);
        let len = text.len();
        match rng.below(21) {
            // Delete a few bytes.
            0 if len > 0 => {
                let at = rng.below(len);
                let n = 1 + rng.below(8);
                let end = (at + n).min(len);
                log.push(format!("delete bytes {at}..{end}"));
                splice(text, at, end, b"")
            }
            // Delete a run of tokens.
            1 | 2 if !solid.is_empty() => {
                let i = rng.below(solid.len());
                let most = if rng.chance(70) { 1 } else { 10 };
                let k = 1 + rng.below(most);
                let j = (i + k - 1).min(solid.len() - 1);
                let (start, end) = (toks[solid[i]].1, toks[solid[j]].2);
                log.push(format!("delete tokens {start}..{end}"));
                splice(text, start, end, b"")
            }
            // Duplicate a run of tokens in place.
            3 if !solid.is_empty() => {
                let i = rng.below(solid.len());
                let j = (i + rng.below(8)).min(solid.len() - 1);
                let (start, end) = (toks[solid[i]].1, toks[solid[j]].2);
                let copy = text[start..end].to_vec();
                log.push(format!("duplicate {start}..{end}"));
                splice(text, end, end, &copy)
            }
            // Insert a keyword, bracket, operator, name or number.
            4 | 5 => {
                let at = Self::boundary(rng, &toks, len);
                let tok = Self::random_token(rng);
                log.push(format!("insert {tok:?} at {at}"));
                splice(text, at, at, format!(" {tok} ").as_bytes())
            }
            // Replace a token by another (from the dictionary or any seed).
            6 | 7 if !solid.is_empty() => {
                let t = toks[*rng.pick(&solid)];
                let with: Vec<u8> = if rng.chance(50) && !self.words.is_empty() {
                    rng.pick(self.words).clone()
                } else {
                    Self::random_token(rng).into_bytes()
                };
                log.push(format!(
                    "replace {}..{} by {:?}",
                    t.1,
                    t.2,
                    String::from_utf8_lossy(&with)
                ));
                splice(text, t.1, t.2, &with)
            }
            // Swap a number for an extreme.
            8 => {
                let nums: Vec<_> = toks.iter().filter(|t| t.0 == Tok::Number).collect();
                let with = rng.pick(NUMBERS);
                if let Some(t) = nums.get(rng.below(nums.len())) {
                    log.push(format!("number {}..{} -> {with}", t.1, t.2));
                    splice(text, t.1, t.2, with.as_bytes())
                } else {
                    let at = Self::boundary(rng, &toks, len);
                    log.push(format!("insert number {with} at {at}"));
                    splice(text, at, at, with.as_bytes())
                }
            }
            // Swap a string literal for a hostile one.
            9 => {
                let strs: Vec<_> = toks.iter().filter(|t| t.0 == Tok::Str).collect();
                let with = rng.pick(STRINGS);
                let t = strs.get(rng.below(strs.len()));
                let (start, end) = t.map_or((len, len), |t| (t.1, t.2));
                log.push(format!("string {start}..{end} -> {with}"));
                splice(text, start, end, with.as_bytes())
            }
            // Swap an identifier for a huge one.
            10 => {
                let words: Vec<_> = toks.iter().filter(|t| t.0 == Tok::Word).collect();
                let n = *rng.pick(&[100usize, 5000, 20000, 100_000, 1_000_000]);
                let big = "v".repeat(n);
                let t = words.get(rng.below(words.len()));
                let (start, end) = t.map_or((len, len), |t| (t.1, t.2));
                log.push(format!("identifier {start}..{end} -> v x{n}"));
                splice(text, start, end, big.as_bytes())
            }
            // Splice lines from another seed.
            11 | 12 => {
                let other = &rng.pick(self.seeds).text;
                let theirs = lines(other);
                if theirs.is_empty() {
                    return text.to_vec();
                }
                let (a, b) = line_range(rng, other, &theirs, 12);
                let chunk = &other[theirs[a].0..theirs[b].1];
                let at = line_spans
                    .get(rng.below(line_spans.len() + 1))
                    .map_or(len, |l| l.0);
                if rng.chance(50) && !line_spans.is_empty() {
                    let (i, j) = line_range(rng, text, &line_spans, 6);
                    log.push(format!(
                        "replace lines {i}..={j} with other lines {a}..={b}"
                    ));
                    splice(text, line_spans[i].0, line_spans[j].1, chunk)
                } else {
                    log.push(format!("insert other lines {a}..={b} at byte {at}"));
                    splice(text, at, at, chunk)
                }
            }
            // Delete or duplicate a run of lines.
            13 if !line_spans.is_empty() => {
                let (i, j) = line_range(rng, text, &line_spans, 5);
                let (start, end) = (line_spans[i].0, line_spans[j].1);
                match rng.below(3) {
                    0 => {
                        log.push(format!("delete lines {i}..={j}"));
                        splice(text, start, end, b"")
                    }
                    1 => {
                        let copy = text[start..end].to_vec();
                        log.push(format!("duplicate lines {i}..={j}"));
                        splice(text, end, end, &copy)
                    }
                    _ => {
                        // Many copies: tens of thousands of statements,
                        // names or closures in one scope.
                        let count = *rng.pick(COUNTS);
                        let count = count.min(MAX_MUTANT / (end - start).max(1));
                        let copies = text[start..end].repeat(count);
                        log.push(format!("repeat lines {i}..={j} x{count}"));
                        splice(text, end, end, &copies)
                    }
                }
            }
            // Repeat a fragment many times: deep nesting, huge counts.
            14 | 15 => {
                let count = *rng.pick(COUNTS);
                // Half the time just inside a bracket: a list, an argument
                // list, a parameter list or a destructuring pattern.
                let opens: Vec<usize> = toks
                    .iter()
                    .filter(|t| t.0 == Tok::Punct && matches!(text[t.1], b'(' | b'[' | b'{'))
                    .map(|t| t.2)
                    .collect();
                let at = if !opens.is_empty() && rng.chance(50) {
                    *rng.pick(&opens)
                } else {
                    Self::boundary(rng, &toks, len)
                };
                let (fragment, closer): (Vec<u8>, Option<String>) =
                    if rng.chance(60) || solid.is_empty() {
                        let o = *rng.pick(OPENERS);
                        (o.as_bytes().to_vec(), closer_of(o))
                    } else {
                        let i = rng.below(solid.len());
                        let j = (i + rng.below(4)).min(solid.len() - 1);
                        (text[toks[solid[i]].1..toks[solid[j]].2].to_vec(), None)
                    };
                let count = count.min(MAX_MUTANT / fragment.len().max(1));
                let mut insert = fragment.repeat(count);
                let balanced = closer.is_some() && rng.chance(50);
                if let (true, Some(c)) = (balanced, &closer) {
                    insert.extend_from_slice(b" 1 ");
                    insert.extend_from_slice(&c.as_bytes().repeat(count));
                }
                log.push(format!(
                    "repeat {:?} x{count}{} at {at}",
                    String::from_utf8_lossy(&fragment[..fragment.len().min(40)]),
                    if balanced { " balanced" } else { "" }
                ));
                splice(text, at, at, &insert)
            }
            // Insert a statement between lines.
            16 => {
                let at = line_spans
                    .get(rng.below(line_spans.len() + 1))
                    .map_or(len, |l| l.0);
                let s = rng.pick(SNIPPETS);
                log.push(format!("insert statement {s:?} at {at}"));
                splice(text, at, at, format!("{s}\n").as_bytes())
            }
            // Wrap a run of lines in a construct.
            17 if !line_spans.is_empty() => {
                // Half the time a whole loop or other compound statement:
                // loops nested in other constructs are where jump targets
                // and scope bookkeeping go wrong.
                let compound = if rng.chance(50) {
                    compound_statement(rng, text, &line_spans)
                } else {
                    None
                };
                let (i, j) = match compound {
                    Some(range) => range,
                    None => line_range(rng, text, &line_spans, 10),
                };
                let (before, after) = rng.pick(WRAPPERS);
                let (start, end) = (line_spans[i].0, line_spans[j].1);
                log.push(format!("wrap lines {i}..={j} in {before:?} .. {after:?}"));
                let mut inner = format!("{before}\n").into_bytes();
                inner.extend_from_slice(&text[start..end]);
                inner.extend_from_slice(format!("\n{after}\n").as_bytes());
                splice(text, start, end, &inner)
            }
            // Overwrite or insert a byte: not UTF-8, NUL, quotes and braces.
            18 if len > 0 => {
                let at = rng.below(len);
                let b = *rng.pick(&[
                    0u8, 0xff, 0x80, 0xc3, 0xe2, b'"', b'\\', b'{', b'}', b'$', b'\n', b'/', b'*',
                ]);
                if rng.chance(50) {
                    log.push(format!("set byte {at} to {b:#x}"));
                    splice(text, at, at + 1, &[b])
                } else {
                    log.push(format!("insert byte {b:#x} at {at}"));
                    splice(text, at, at, &[b])
                }
            }
            // Cut the program short.
            19 if len > 0 => {
                let at = rng.below(len);
                log.push(format!("truncate at {at}"));
                text[..at].to_vec()
            }
            // Join another whole program before or after this one: its
            // names are declared, so more of the result compiles than after
            // a splice of a few lines.
            20 => {
                let other = rng.pick(self.seeds);
                let other = &other.text[..other.text.len().min(16 << 10)];
                if rng.chance(50) {
                    log.push(format!("append a program of {} bytes", other.len()));
                    let mut out = text.to_vec();
                    out.push(b'\n');
                    out.extend_from_slice(other);
                    out
                } else {
                    log.push(format!("prepend a program of {} bytes", other.len()));
                    let mut out = other.to_vec();
                    out.push(b'\n');
                    out.extend_from_slice(text);
                    out
                }
            }
            _ => {
                let at = Self::boundary(rng, &toks, len);
                let tok = Self::random_token(rng);
                log.push(format!("insert {tok:?} at {at}"));
                splice(text, at, at, format!(" {tok} ").as_bytes())
            }
        }
    }
}

/// A run of lines `i..=j` of at most `most` lines (more when a block needs
/// them), chosen so that, most of the time, its brackets balance: cutting,
/// copying or wrapping whole statements keeps more programs compiling.
pub(crate) fn line_range(
    rng: &mut Rng,
    text: &[u8],
    spans: &[(usize, usize)],
    most: usize,
) -> (usize, usize) {
    let n = spans.len();
    if rng.chance(75) {
        for _ in 0..8 {
            let i = rng.below(n);
            if let Some(j) = balanced_end(text, spans, i, most) {
                return (i, j);
            }
        }
    }
    let i = rng.below(n);
    (i, (i + rng.below(most)).min(n - 1))
}

/// The last line of the shortest run of lines from line `i` whose brackets
/// balance and which holds some code, if there is one within reach.
pub(crate) fn balanced_end(
    text: &[u8],
    spans: &[(usize, usize)],
    i: usize,
    most: usize,
) -> Option<usize> {
    let mut depth = 0i32;
    let mut code = false;
    for (j, &(start, end)) in spans.iter().enumerate().skip(i).take(4 * most + 20) {
        let line = &text[start..end];
        for (kind, a, b) in tokenize(line) {
            if kind == Tok::Punct && b - a == 1 {
                match line[a] {
                    b'(' | b'[' | b'{' => depth += 1,
                    b')' | b']' | b'}' => depth -= 1,
                    _ => {}
                }
            }
            code |= !matches!(kind, Tok::Space | Tok::Comment);
        }
        if depth < 0 {
            return None;
        }
        if depth == 0 && code {
            return Some(j);
        }
    }
    None
}

/// A whole compound statement (`for`, `while`, `if`, `try`, `fn` and the
/// block it opens), as lines `i..=j`, if the text has one.
pub(crate) fn compound_statement(
    rng: &mut Rng,
    text: &[u8],
    spans: &[(usize, usize)],
) -> Option<(usize, usize)> {
    let heads: Vec<usize> = (0..spans.len())
        .filter(|&i| {
            let line = String::from_utf8_lossy(&text[spans[i].0..spans[i].1]);
            let line = line.trim_start();
            ["for ", "while ", "if ", "try ", "fn ", "async fn "]
                .iter()
                .any(|k| line.starts_with(k))
        })
        .collect();
    if heads.is_empty() {
        return None;
    }
    let i = *rng.pick(&heads);
    balanced_end(text, spans, i, 30).map(|j| (i, j))
}

/// Distinct identifiers, numbers and strings of all seeds.
pub(crate) fn dictionary(seeds: &[Seed]) -> Vec<Vec<u8>> {
    let mut seen = std::collections::BTreeSet::new();
    for s in seeds {
        for (kind, a, b) in tokenize(&s.text) {
            if matches!(kind, Tok::Word | Tok::Number | Tok::Str) && b - a <= 40 {
                seen.insert(s.text[a..b].to_vec());
            }
        }
    }
    seen.into_iter().collect()
}
