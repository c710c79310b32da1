//! Stack traces kept by errors, in compact form.
//!
//! An error records where it was first thrown. A `RecursionError` is thrown
//! 10,000 frames deep, and a program may catch thousands of them, so a
//! trace is not stored frame by frame: it is split into *runs* the way its
//! display collapses repeated lines ([`collapse`]: one frame, or a group of
//! up to four for mutual recursion, repeated), and each run keeps its
//! frames once with a count. Recursion of any depth then costs a few runs.
//! A trace that still has more than [`MAX_RUNS`] runs keeps the innermost
//! [`HEAD_RUNS`] and the outermost [`TAIL_RUNS`] and counts the frames left
//! out between them.
//!
//! The heap counts a trace's [`StackTrace::bytes`] as part of the error holding
//! it, so that caught errors trigger collections like any other garbage.

use crate::span::{SourceId, Span};
use std::rc::Rc;

/// One frame of a stack trace.
#[derive(Clone, Debug)]
pub struct TraceEntry {
    pub function: Rc<str>,
    pub source: SourceId,
    pub span: Span,
}

/// Runs kept before the middle of a trace is left out.
pub const MAX_RUNS: usize = 128;
/// Innermost runs kept of a longer trace.
pub const HEAD_RUNS: usize = 100;
/// Outermost runs kept of a longer trace.
pub const TAIL_RUNS: usize = 20;

/// A block of items found by [`collapse`]: `len` items from `start`, which
/// occur `times` times in a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Block {
    pub start: usize,
    pub len: usize,
    pub times: usize,
}

/// Splits `items` into blocks from the start, greedily: at each position
/// the shortest group of 1 to 4 items that repeats right after itself (a
/// single item at least once more, a longer group at least twice more) is
/// taken with all its repeats; failing that, the item stands alone. Traces
/// are stored and displayed this way.
pub fn collapse<T: PartialEq>(items: &[T]) -> Vec<Block> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < items.len() {
        let mut found = Block {
            start: i,
            len: 1,
            times: 1,
        };
        for len in 1..=4 {
            if i + len > items.len() {
                break;
            }
            let block = &items[i..i + len];
            let mut times = 1;
            let mut j = i + len;
            while j + len <= items.len() && items[j..j + len] == *block {
                times += 1;
                j += len;
            }
            if times >= 3 || (len == 1 && times >= 2) {
                found = Block {
                    start: i,
                    len,
                    times,
                };
                break;
            }
        }
        out.push(found);
        i += found.len * found.times;
    }
    out
}

/// A stretch of a trace.
#[derive(Clone, Debug)]
enum Run {
    /// These frames (innermost first), `times` times in a row.
    Frames {
        frames: Box<[TraceEntry]>,
        times: usize,
    },
    /// This many frames left out.
    Omitted(usize),
}

/// Where an error was thrown: the call stack, innermost first, compacted.
#[derive(Clone, Debug, Default)]
pub struct StackTrace {
    runs: Box<[Run]>,
}

/// One item of a trace, as [`StackTrace::items`] yields them.
#[derive(Clone, Copy, Debug)]
pub enum TraceItem<'a> {
    Frame(&'a TraceEntry),
    /// A stretch of this many frames that the trace does not keep.
    Omitted(usize),
}

impl StackTrace {
    /// The trace of a stack of `keys` (innermost first): frames with equal
    /// keys must show alike. `entry` builds the frame of a key, for the
    /// frames kept only.
    pub fn record<K: PartialEq>(keys: &[K], entry: impl Fn(&K) -> TraceEntry) -> StackTrace {
        let blocks = collapse(keys);
        let run = |b: &Block| Run::Frames {
            frames: keys[b.start..b.start + b.len].iter().map(&entry).collect(),
            times: b.times,
        };
        let runs: Box<[Run]> = if blocks.len() <= MAX_RUNS {
            blocks.iter().map(run).collect()
        } else {
            let tail = blocks.len() - TAIL_RUNS;
            let left_out: usize = blocks[HEAD_RUNS..tail]
                .iter()
                .map(|b| b.len * b.times)
                .sum();
            blocks[..HEAD_RUNS]
                .iter()
                .map(run)
                .chain([Run::Omitted(left_out)])
                .chain(blocks[tail..].iter().map(run))
                .collect()
        };
        StackTrace { runs }
    }

    /// Every frame, innermost first, repeats spelled out.
    pub fn items(&self) -> impl Iterator<Item = TraceItem<'_>> + '_ {
        self.runs.iter().flat_map(|run| {
            let (frames, times, omitted) = match run {
                Run::Frames { frames, times } => (&frames[..], *times, None),
                Run::Omitted(n) => (&[][..], 0, Some(TraceItem::Omitted(*n))),
            };
            omitted
                .into_iter()
                .chain((0..times).flat_map(move |_| frames.iter().map(TraceItem::Frame)))
        })
    }

    /// The frames kept, innermost first (without repeats).
    pub fn frames(&self) -> impl Iterator<Item = &TraceEntry> + '_ {
        self.items().filter_map(|item| match item {
            TraceItem::Frame(e) => Some(e),
            TraceItem::Omitted(_) => None,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }

    /// Bytes the trace holds, for the heap's accounting.
    pub fn bytes(&self) -> usize {
        self.runs
            .iter()
            .map(|run| {
                std::mem::size_of::<Run>()
                    + match run {
                        Run::Frames { frames, .. } => frames
                            .iter()
                            .map(|e| std::mem::size_of::<TraceEntry>() + e.function.len())
                            .sum(),
                        Run::Omitted(_) => 0,
                    }
            })
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(n: &u32) -> TraceEntry {
        TraceEntry {
            function: format!("f{n}").into(),
            source: SourceId(0),
            span: Span::default(),
        }
    }

    fn names(t: &StackTrace) -> Vec<String> {
        t.items()
            .map(|i| match i {
                TraceItem::Frame(e) => e.function.to_string(),
                TraceItem::Omitted(n) => format!("-{n}"),
            })
            .collect()
    }

    #[test]
    fn collapse_finds_repeats_of_one_to_four() {
        let b = |start, len, times| Block { start, len, times };
        assert_eq!(collapse(&[1, 1, 1, 2]), vec![b(0, 1, 3), b(3, 1, 1)]);
        assert_eq!(
            collapse(&[1, 2, 1, 2]),
            vec![b(0, 1, 1), b(1, 1, 1), b(2, 1, 1), b(3, 1, 1)]
        );
        assert_eq!(
            collapse(&[1, 2, 1, 2, 1, 2, 3]),
            vec![b(0, 2, 3), b(6, 1, 1)]
        );
        assert_eq!(
            collapse(&[9, 1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4]),
            vec![b(0, 1, 1), b(1, 4, 3)]
        );
        assert!(collapse::<u8>(&[]).is_empty());
    }

    #[test]
    fn deep_recursion_is_a_few_runs() {
        let keys: Vec<u32> = std::iter::once(0)
            .chain(std::iter::repeat_n(1, 10_000))
            .chain([2])
            .collect();
        let t = StackTrace::record(&keys, entry);
        assert_eq!(t.runs.len(), 3);
        assert_eq!(t.items().count(), 10_002);
        assert!(t.bytes() < 1000);
        let mutual: Vec<u32> = (0..10_000).map(|i| i % 3).collect();
        assert_eq!(StackTrace::record(&mutual, entry).runs.len(), 2);
    }

    #[test]
    fn long_traces_keep_both_ends() {
        let keys: Vec<u32> = (0..1000).collect();
        let t = StackTrace::record(&keys, entry);
        assert_eq!(t.runs.len(), HEAD_RUNS + 1 + TAIL_RUNS);
        let shown = names(&t);
        assert_eq!(shown[0], "f0");
        assert_eq!(shown[HEAD_RUNS - 1], format!("f{}", HEAD_RUNS - 1));
        assert_eq!(
            shown[HEAD_RUNS],
            format!("-{}", 1000 - HEAD_RUNS - TAIL_RUNS)
        );
        assert_eq!(shown.last().map(String::as_str), Some("f999"));
        assert_eq!(t.frames().count(), HEAD_RUNS + TAIL_RUNS);
    }
}
