//! The tokens the lexer hands to the parser.
//!
//! Interpolated strings are split into several tokens so that the parser can
//! treat the embedded expressions with its ordinary grammar:
//!
//! ```text
//! "a${x + 1}b"   =>   StrStart  StrText("a")  InterpOpen  Ident(x) Plus Int(1)  InterpClose  StrText("b")  StrEnd
//! "plain"        =>   Str("plain")
//! r"C:\dir"      =>   Str("C:\\dir")
//! ```
//!
//! `StrText` pieces already have their escapes decoded; empty pieces are not emitted.

use std::fmt;

#[derive(Clone, Debug, PartialEq)]
pub enum Token {
    // Literals and names.
    Int(i64),
    Float(f64),
    /// A string without interpolation (normal or raw), escapes decoded.
    Str(String),
    /// Opening `"` of a string that contains at least one `${`.
    StrStart,
    /// Literal text between interpolations, escapes decoded.
    StrText(String),
    /// `${` inside a string.
    InterpOpen,
    /// The `}` that closes an interpolation.
    InterpClose,
    /// Closing `"` of an interpolated string.
    StrEnd,
    Ident(String),

    // Keywords.
    Let,
    Fn,
    Async,
    Await,
    Yield,
    Return,
    If,
    Else,
    While,
    For,
    In,
    Break,
    Continue,
    True,
    False,
    Nil,
    Try,
    Catch,
    Finally,
    Throw,
    Spawn,
    Import,
    As,
    Class,
    SelfKw,
    Super,
    Is,

    // Punctuation.
    LParen,
    RParen,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    Comma,
    Dot,
    Colon,
    Semicolon,
    /// `...`
    Ellipsis,
    /// `..`
    DotDot,
    /// `..=`
    DotDotEq,
    /// `=>`
    FatArrow,

    // Operators.
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Bang,
    Eq,
    EqEq,
    NotEq,
    Lt,
    LtEq,
    Gt,
    GtEq,
    AndAnd,
    OrOr,
    PlusEq,
    MinusEq,
    StarEq,
    SlashEq,
    PercentEq,
}

impl Token {
    /// Whether the token ends an operand (a name, a literal, a closing
    /// bracket): a `-` after it is binary, a `{` after it opens a block.
    pub fn ends_operand(&self) -> bool {
        matches!(
            self,
            Token::Ident(_)
                | Token::Int(_)
                | Token::Float(_)
                | Token::Str(_)
                | Token::StrEnd
                | Token::RParen
                | Token::RBracket
                | Token::RBrace
                | Token::True
                | Token::False
                | Token::Nil
                | Token::SelfKw
        )
    }

    /// Every keyword's text, for completion.
    pub const KEYWORDS: [&'static str; 27] = [
        "let", "fn", "async", "await", "yield", "return", "if", "else", "while", "for", "in",
        "break", "continue", "true", "false", "nil", "try", "catch", "finally", "throw", "spawn",
        "import", "as", "class", "self", "super", "is",
    ];

    /// The keyword for an identifier-like word, if it is one.
    pub fn keyword(word: &str) -> Option<Token> {
        Some(match word {
            "let" => Token::Let,
            "fn" => Token::Fn,
            "async" => Token::Async,
            "await" => Token::Await,
            "yield" => Token::Yield,
            "return" => Token::Return,
            "if" => Token::If,
            "else" => Token::Else,
            "while" => Token::While,
            "for" => Token::For,
            "in" => Token::In,
            "break" => Token::Break,
            "continue" => Token::Continue,
            "true" => Token::True,
            "false" => Token::False,
            "nil" => Token::Nil,
            "try" => Token::Try,
            "catch" => Token::Catch,
            "finally" => Token::Finally,
            "throw" => Token::Throw,
            "spawn" => Token::Spawn,
            "import" => Token::Import,
            "as" => Token::As,
            "class" => Token::Class,
            "self" => Token::SelfKw,
            "super" => Token::Super,
            "is" => Token::Is,
            _ => return None,
        })
    }

    /// The source text of a keyword token (used after `.`, where keywords are
    /// ordinary names such as `g.throw`).
    pub fn keyword_text(&self) -> Option<&'static str> {
        Some(match self {
            Token::Let => "let",
            Token::Fn => "fn",
            Token::Async => "async",
            Token::Await => "await",
            Token::Yield => "yield",
            Token::Return => "return",
            Token::If => "if",
            Token::Else => "else",
            Token::While => "while",
            Token::For => "for",
            Token::In => "in",
            Token::Break => "break",
            Token::Continue => "continue",
            Token::True => "true",
            Token::False => "false",
            Token::Nil => "nil",
            Token::Try => "try",
            Token::Catch => "catch",
            Token::Finally => "finally",
            Token::Throw => "throw",
            Token::Spawn => "spawn",
            Token::Import => "import",
            Token::As => "as",
            Token::Class => "class",
            Token::SelfKw => "self",
            Token::Super => "super",
            Token::Is => "is",
            _ => return None,
        })
    }
}

/// How a token is named in "expected ... found ..." messages.
impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(k) = self.keyword_text() {
            return write!(f, "`{k}`");
        }
        let s = match self {
            Token::Int(n) => return write!(f, "integer `{n}`"),
            Token::Float(x) => return write!(f, "float `{x:?}`"),
            Token::Str(_) | Token::StrStart => "string",
            Token::StrText(_) => "string text",
            Token::InterpOpen => "`${`",
            Token::InterpClose => "`}`",
            Token::StrEnd => "end of string",
            Token::Ident(name) => return write!(f, "name `{}`", crate::diagnostics::clip(name)),
            Token::LParen => "`(`",
            Token::RParen => "`)`",
            Token::LBracket => "`[`",
            Token::RBracket => "`]`",
            Token::LBrace => "`{`",
            Token::RBrace => "`}`",
            Token::Comma => "`,`",
            Token::Dot => "`.`",
            Token::Colon => "`:`",
            Token::Semicolon => "`;`",
            Token::Ellipsis => "`...`",
            Token::DotDot => "`..`",
            Token::DotDotEq => "`..=`",
            Token::FatArrow => "`=>`",
            Token::Plus => "`+`",
            Token::Minus => "`-`",
            Token::Star => "`*`",
            Token::Slash => "`/`",
            Token::Percent => "`%`",
            Token::Bang => "`!`",
            Token::Eq => "`=`",
            Token::EqEq => "`==`",
            Token::NotEq => "`!=`",
            Token::Lt => "`<`",
            Token::LtEq => "`<=`",
            Token::Gt => "`>`",
            Token::GtEq => "`>=`",
            Token::AndAnd => "`&&`",
            Token::OrOr => "`||`",
            Token::PlusEq => "`+=`",
            Token::MinusEq => "`-=`",
            Token::StarEq => "`*=`",
            Token::SlashEq => "`/=`",
            Token::PercentEq => "`%=`",
            _ => unreachable!("keywords handled above"),
        };
        f.write_str(s)
    }
}
