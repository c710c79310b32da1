//! How native code and VM operations report failure: a built-in error kind
//! with a message (the VM turns it into an instance of the matching error
//! class, with a trace) or an arbitrary value to throw.

use super::Value;
use std::fmt;

/// The built-in error classes (LANGUAGE.md §5). `Error` is the root.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    Error,
    TypeError,
    ValueError,
    ArithmeticError,
    IndexError,
    KeyError,
    AttributeError,
    NameError,
    RecursionError,
    StopIteration,
    IOError,
    TimeoutError,
    CancelledError,
    ChannelClosed,
    AssertionError,
    ImportError,
}

impl ErrorKind {
    pub const ALL: [ErrorKind; 16] = [
        ErrorKind::Error,
        ErrorKind::TypeError,
        ErrorKind::ValueError,
        ErrorKind::ArithmeticError,
        ErrorKind::IndexError,
        ErrorKind::KeyError,
        ErrorKind::AttributeError,
        ErrorKind::NameError,
        ErrorKind::RecursionError,
        ErrorKind::StopIteration,
        ErrorKind::IOError,
        ErrorKind::TimeoutError,
        ErrorKind::CancelledError,
        ErrorKind::ChannelClosed,
        ErrorKind::AssertionError,
        ErrorKind::ImportError,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::Error => "Error",
            ErrorKind::TypeError => "TypeError",
            ErrorKind::ValueError => "ValueError",
            ErrorKind::ArithmeticError => "ArithmeticError",
            ErrorKind::IndexError => "IndexError",
            ErrorKind::KeyError => "KeyError",
            ErrorKind::AttributeError => "AttributeError",
            ErrorKind::NameError => "NameError",
            ErrorKind::RecursionError => "RecursionError",
            ErrorKind::StopIteration => "StopIteration",
            ErrorKind::IOError => "IOError",
            ErrorKind::TimeoutError => "TimeoutError",
            ErrorKind::CancelledError => "CancelledError",
            ErrorKind::ChannelClosed => "ChannelClosed",
            ErrorKind::AssertionError => "AssertionError",
            ErrorKind::ImportError => "ImportError",
        }
    }

    pub fn index(self) -> usize {
        ErrorKind::ALL.iter().position(|k| *k == self).unwrap_or(0)
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why an operation did not produce a value.
#[derive(Debug)]
pub enum Ctrl {
    /// A built-in error to raise at the current instruction.
    Error(ErrorKind, String),
    /// A value to throw as it is.
    Throw(Value),
    /// `exit(code)`: ends the program with this status.
    Exit(u8),
}

pub type NResult<T = Value> = Result<T, Ctrl>;

pub fn type_error<T>(msg: impl Into<String>) -> NResult<T> {
    Err(Ctrl::Error(ErrorKind::TypeError, msg.into()))
}

pub fn value_error<T>(msg: impl Into<String>) -> NResult<T> {
    Err(Ctrl::Error(ErrorKind::ValueError, msg.into()))
}

pub fn index_error<T>(msg: impl Into<String>) -> NResult<T> {
    Err(Ctrl::Error(ErrorKind::IndexError, msg.into()))
}

pub fn arith_error<T>(msg: impl Into<String>) -> NResult<T> {
    Err(Ctrl::Error(ErrorKind::ArithmeticError, msg.into()))
}

pub fn err<T>(kind: ErrorKind, msg: impl Into<String>) -> NResult<T> {
    Err(Ctrl::Error(kind, msg.into()))
}
