//! The logos-generated scanner for everything that is not a string body or a
//! block comment.
//!
//! [`Raw`] is private to the lexer: strings and block comments need state a
//! regular scanner cannot keep (interpolation depth, comment nesting), so
//! logos only reports where they *start* (`"`, `r"`, `/*`) and the driver in
//! `mod.rs` scans their bodies by hand before letting logos resume.

use logos::Logos;

use super::Token;

#[derive(Logos, Clone, Copy, Debug, PartialEq)]
#[logos(skip r"[ \t\r\n\f]+")]
// A line comment rightly runs to the end of its line.
#[logos(skip(r"//[^\n]*", allow_greedy = true))]
pub(super) enum Raw {
    #[regex(r"[A-Za-z_][A-Za-z0-9_]*")]
    Word,
    #[regex(r"[0-9][0-9_]*")]
    Decimal,
    // Hex and binary literals take every following alphanumeric character so
    // that `0xfg` or `0b102` is reported as one bad literal rather than split
    // into a number and a name.
    #[regex(r"0[xX][0-9A-Za-z_]*")]
    Hex,
    #[regex(r"0[bB][0-9A-Za-z_]*")]
    Binary,
    // Digits are required on both sides of the dot, which keeps `0..10` as a
    // range and `1.foo` as a field access.
    #[regex(r"[0-9][0-9_]*\.[0-9][0-9_]*([eE][+-]?[0-9][0-9_]*)?")]
    #[regex(r"[0-9][0-9_]*[eE][+-]?[0-9][0-9_]*")]
    Float,

    /// Opening quote of a normal string.
    #[token("\"")]
    Quote,
    /// `r"`: opening of a raw string.
    #[token("r\"")]
    RQuote,
    /// `/*`: opening of a (nesting) block comment.
    #[token("/*")]
    CommentOpen,

    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    #[token(",")]
    Comma,
    #[token(".")]
    Dot,
    #[token(":")]
    Colon,
    #[token(";")]
    Semicolon,
    #[token("...")]
    Ellipsis,
    #[token("..")]
    DotDot,
    #[token("..=")]
    DotDotEq,
    #[token("=>")]
    FatArrow,
    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token("*")]
    Star,
    #[token("/")]
    Slash,
    #[token("%")]
    Percent,
    #[token("!")]
    Bang,
    #[token("=")]
    Eq,
    #[token("==")]
    EqEq,
    #[token("!=")]
    NotEq,
    #[token("<")]
    Lt,
    #[token("<=")]
    LtEq,
    #[token(">")]
    Gt,
    #[token(">=")]
    GtEq,
    #[token("&&")]
    AndAnd,
    #[token("||")]
    OrOr,
    #[token("+=")]
    PlusEq,
    #[token("-=")]
    MinusEq,
    #[token("*=")]
    StarEq,
    #[token("/=")]
    SlashEq,
    #[token("%=")]
    PercentEq,
}

impl Raw {
    /// The token for a punctuation or operator kind; `None` for the kinds
    /// whose token depends on their text or needs hand scanning.
    pub(super) fn punct(self) -> Option<Token> {
        Some(match self {
            Raw::LParen => Token::LParen,
            Raw::RParen => Token::RParen,
            Raw::LBracket => Token::LBracket,
            Raw::RBracket => Token::RBracket,
            Raw::LBrace => Token::LBrace,
            Raw::RBrace => Token::RBrace,
            Raw::Comma => Token::Comma,
            Raw::Dot => Token::Dot,
            Raw::Colon => Token::Colon,
            Raw::Semicolon => Token::Semicolon,
            Raw::Ellipsis => Token::Ellipsis,
            Raw::DotDot => Token::DotDot,
            Raw::DotDotEq => Token::DotDotEq,
            Raw::FatArrow => Token::FatArrow,
            Raw::Plus => Token::Plus,
            Raw::Minus => Token::Minus,
            Raw::Star => Token::Star,
            Raw::Slash => Token::Slash,
            Raw::Percent => Token::Percent,
            Raw::Bang => Token::Bang,
            Raw::Eq => Token::Eq,
            Raw::EqEq => Token::EqEq,
            Raw::NotEq => Token::NotEq,
            Raw::Lt => Token::Lt,
            Raw::LtEq => Token::LtEq,
            Raw::Gt => Token::Gt,
            Raw::GtEq => Token::GtEq,
            Raw::AndAnd => Token::AndAnd,
            Raw::OrOr => Token::OrOr,
            Raw::PlusEq => Token::PlusEq,
            Raw::MinusEq => Token::MinusEq,
            Raw::StarEq => Token::StarEq,
            Raw::SlashEq => Token::SlashEq,
            Raw::PercentEq => Token::PercentEq,
            Raw::Word
            | Raw::Decimal
            | Raw::Hex
            | Raw::Binary
            | Raw::Float
            | Raw::Quote
            | Raw::RQuote
            | Raw::CommentOpen => return None,
        })
    }
}
