//! The shrinker: deletes lines, then bracketed blocks, then tokens, while
//! the program still gives the same finding.

use std::time::{Duration, Instant};

use crate::mutate::{lines, splice, tokenize, Tok};
use crate::run::{Kind, Mode, Runner};

// ---------------------------------------------------------------------------
// Shrinking

/// Deletes chunks of `units` (spans of `text`), halving the chunk size,
/// while `keeps` holds; returns the smaller text.
pub(crate) fn ddmin(
    text: Vec<u8>,
    split: fn(&[u8]) -> Vec<(usize, usize)>,
    keeps: &mut dyn FnMut(&[u8]) -> bool,
    deadline: Instant,
) -> Vec<u8> {
    let mut text = text;
    loop {
        let mut progress = false;
        let mut units = split(&text);
        let mut chunk = units.len().div_ceil(2).max(1);
        loop {
            let mut i = 0;
            while i < units.len() {
                if Instant::now() >= deadline {
                    return text;
                }
                let j = (i + chunk).min(units.len());
                let (start, end) = (units[i].0, units[j - 1].1);
                let candidate = splice(&text, start, end, b"");
                if keeps(&candidate) {
                    text = candidate;
                    units = split(&text);
                    progress = true;
                } else {
                    i += chunk;
                }
            }
            if chunk == 1 {
                break;
            }
            chunk = chunk.div_ceil(2);
        }
        if !progress {
            return text;
        }
    }
}

/// Byte offsets of matching bracket pairs, widest first.
pub(crate) fn bracket_pairs(text: &[u8]) -> Vec<(usize, usize)> {
    let mut open = Vec::new();
    let mut pairs = Vec::new();
    for (kind, start, end) in tokenize(text) {
        if kind != Tok::Punct || end - start != 1 {
            continue;
        }
        match text[start] {
            b'(' | b'[' | b'{' => open.push(start),
            c @ (b')' | b']' | b'}') => {
                let want = match c {
                    b')' => b'(',
                    b']' => b'[',
                    _ => b'{',
                };
                if let Some(&o) = open.last() {
                    if text[o] == want {
                        open.pop();
                        pairs.push((o, start));
                    }
                }
            }
            _ => {}
        }
    }
    pairs.sort_by_key(|&(o, c)| std::cmp::Reverse(c - o));
    pairs
}

/// Removes whole bracketed constructs (from the start of the opener's line,
/// or just the brackets and what they hold) and unwraps them (keeping the
/// inside), which chunked deletion misses: its chunks rarely line up with a
/// balanced block.
pub(crate) fn unbracket(
    mut text: Vec<u8>,
    keeps: &mut dyn FnMut(&[u8]) -> bool,
    deadline: Instant,
) -> Vec<u8> {
    'again: loop {
        for (o, c) in bracket_pairs(&text) {
            let line_start = text[..o]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            let mut candidates = vec![splice(&text, line_start, c + 1, b"")];
            if line_start != o {
                candidates.push(splice(&text, o, c + 1, b""));
            }
            let mut unwrapped = text[..line_start].to_vec();
            unwrapped.extend_from_slice(&text[o + 1..c]);
            unwrapped.extend_from_slice(&text[c + 1..]);
            candidates.push(unwrapped);
            for candidate in candidates {
                if Instant::now() >= deadline {
                    return text;
                }
                if keeps(&candidate) {
                    text = candidate;
                    continue 'again;
                }
            }
        }
        return text;
    }
}

pub(crate) fn token_units(text: &[u8]) -> Vec<(usize, usize)> {
    tokenize(text)
        .into_iter()
        .filter(|t| t.0 != Tok::Space)
        .map(|t| (t.1, t.2))
        .collect()
}

/// Shrinks `text` while it still gives `kind` in `mode`.
pub(crate) fn shrink(
    runner: &Runner,
    text: &[u8],
    mode: Mode,
    kind: &Kind,
    budget: Duration,
) -> Vec<u8> {
    let deadline = Instant::now() + budget;
    // A compile hang usually shows under `weft check` alone, which saves a
    // run that would pass the limit as well (not one in a runtime error's
    // report).
    let hang_in_check = matches!(kind, Kind::CompileHang { .. })
        && mode != Mode::Check
        && runner
            .classify(text, Mode::Check)
            .0
            .is_some_and(|k| k.same_for_shrinking(kind));
    let mode = if hang_in_check { Mode::Check } else { mode };
    // Cutting a program open often makes one that hangs the parser; when
    // the finding is not a hang, such candidates are stopped early, at four
    // times what the original took.
    let mut runner = runner.clone();
    if !matches!(kind, Kind::CompileHang { .. } | Kind::RunTimeout { .. }) {
        let took = runner.exec(text, mode, false).elapsed;
        runner.limits.timeout = runner
            .limits
            .timeout
            .min((took * 4).max(Duration::from_secs(1)));
    }
    let mut keeps = |t: &[u8]| {
        runner
            .classify(t, mode)
            .0
            .is_some_and(|k| k.same_for_shrinking(kind))
    };
    let mut text = text.to_vec();
    loop {
        let before = text.len();
        text = ddmin(text, lines, &mut keeps, deadline);
        text = unbracket(text, &mut keeps, deadline);
        text = ddmin(text, token_units, &mut keeps, deadline);
        if text.len() == before || Instant::now() >= deadline {
            break;
        }
    }
    // Tidy blank lines left behind, if that changes nothing.
    let tidy: Vec<u8> = String::from_utf8_lossy(&text)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| format!("{}\n", l.trim_end()))
        .collect::<String>()
        .into_bytes();
    if tidy != text && Instant::now() < deadline && keeps(&tidy) {
        tidy
    } else {
        text
    }
}
