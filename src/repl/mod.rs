//! The interactive session's front end (LANGUAGE.md §11, REPL): the pieces
//! the line editor asks about the text being typed, all decided by the real
//! lexer and parser so that they agree with what running the input does.
//!
//! - [`validate`]: whether an input is complete, or needs a continuation
//!   line (`...> `) because a bracket, string, comment or block is still
//!   open, or an expression stops mid-way.
//! - [`highlight`]: the input with keywords, strings, numbers and comments
//!   coloured.
//! - [`complete`]: names to offer for Tab: keywords and the session's
//!   names, or after `x.` the members of the live value `x`.
//! - [`session`]: the runtime that lives from one input to the next.
//! - [`line`]: the interactive loop over rustyline.

pub mod complete;
pub mod highlight;
pub mod line;
pub mod session;
pub mod validate;
