//! The global names every module sees without importing anything, in the
//! order the VM stores their values (`Op::GetBuiltin(i)` reads slot `i`).
//! Module-level names shadow them.

pub const BUILTINS: &[&str] = &[
    "print",
    "eprint",
    "str",
    "repr",
    "int",
    "float",
    "type",
    "len",
    "range",
    "assert",
    "exit",
    // The concurrency library (LANGUAGE.md §8).
    "sleep",
    "Channel",
    "Mutex",
    "Semaphore",
    "Event",
    // Internal helpers of the prelude's `all`, `race`, `timeout` and `group`.
    "__first",
    "__all",
    "__as_future",
    "__observe",
    "__spawn_helper",
    // Error classes (LANGUAGE.md §5), in `ErrorKind::ALL` order.
    "Error",
    "TypeError",
    "ValueError",
    "ArithmeticError",
    "IndexError",
    "KeyError",
    "AttributeError",
    "NameError",
    "RecursionError",
    "StopIteration",
    "IOError",
    "TimeoutError",
    "CancelledError",
    "ChannelClosed",
    "AssertionError",
    "ImportError",
    // Written in Weft, in the prelude.
    "all",
    "race",
    "timeout",
    "group",
];

/// Index of the first error class in [`BUILTINS`].
pub const FIRST_ERROR_CLASS: usize = 21;

/// Index of the first name the prelude defines.
pub const FIRST_PRELUDE: usize = FIRST_ERROR_CLASS + 16;

pub fn builtin_index(name: &str) -> Option<u16> {
    BUILTINS.iter().position(|b| *b == name).map(|i| i as u16)
}
