//! Token kinds produced by the lexer and consumed by the parser.
//!
//! Keywords are case-insensitive. *Hard* keywords can never be identifiers; *soft* keywords
//! (`GET`, `PUBLIC`, `POINTER`, `S`, …) have a meaning only in some positions and are accepted
//! wherever an identifier is expected, because real PLC code uses them as names.

use std::fmt;

macro_rules! token_kinds {
    (
        punct { $($p:ident = $ptext:literal,)* }
        literal { $($l:ident = $ltext:literal,)* }
        hard { $($h:ident = $htext:literal,)* }
        soft { $($s:ident = $stext:literal,)* }
    ) => {
        /// The kind of a token. Identifier text and literal values are read from the source
        /// through the token's span.
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
        #[repr(u8)]
        pub enum TokenKind {
            $($p,)* $($l,)* $($h,)* $($s,)*
        }

        impl TokenKind {
            /// Every kind, in declaration order.
            pub const ALL: &'static [TokenKind] = &[$(Self::$p,)* $(Self::$l,)* $(Self::$h,)* $(Self::$s,)*];

            /// How the token is shown in messages: the punctuation or keyword itself, or a
            /// description for identifiers and literals.
            pub fn describe(self) -> &'static str {
                match self {
                    $(Self::$p => $ptext,)* $(Self::$l => $ltext,)* $(Self::$h => $htext,)* $(Self::$s => $stext,)*
                }
            }

            /// Looks up a keyword (hard or soft) by its upper-case spelling.
            pub fn keyword(upper: &str) -> Option<TokenKind> {
                match upper {
                    $($htext => Some(Self::$h),)* $($stext => Some(Self::$s),)*
                    _ => None,
                }
            }

            /// Soft keywords: meaningful in some positions, identifiers everywhere else.
            pub fn is_soft_keyword(self) -> bool {
                matches!(self, $(Self::$s)|*)
            }

            /// Hard keywords: reserved words that can never name anything.
            pub fn is_hard_keyword(self) -> bool {
                matches!(self, $(Self::$h)|*)
            }
        }
    };
}

token_kinds! {
    punct {
        Assign = ":=",
        Arrow = "=>",
        AssignAttempt = "?=",
        Colon = ":",
        Semi = ";",
        Comma = ",",
        DotDot = "..",
        Dot = ".",
        LParen = "(",
        RParen = ")",
        LBracket = "[",
        RBracket = "]",
        Caret = "^",
        Plus = "+",
        Minus = "-",
        Power = "**",
        Star = "*",
        Slash = "/",
        Eq = "=",
        Ne = "<>",
        Le = "<=",
        Ge = ">=",
        Lt = "<",
        Gt = ">",
        Ampersand = "&",
        Hash = "#",
    }
    literal {
        Ident = "identifier",
        Integer = "integer literal",
        Real = "real literal",
        String = "string literal",
        WString = "wide string literal",
        Time = "TIME literal",
        Date = "DATE literal",
        TimeOfDay = "TIME_OF_DAY literal",
        DateAndTime = "DATE_AND_TIME literal",
        Address = "direct address",
        Error = "invalid token",
    }
    hard {
        Program = "PROGRAM",
        EndProgram = "END_PROGRAM",
        Function = "FUNCTION",
        EndFunction = "END_FUNCTION",
        FunctionBlock = "FUNCTION_BLOCK",
        EndFunctionBlock = "END_FUNCTION_BLOCK",
        Class = "CLASS",
        EndClass = "END_CLASS",
        Method = "METHOD",
        EndMethod = "END_METHOD",
        Property = "PROPERTY",
        EndProperty = "END_PROPERTY",
        EndGet = "END_GET",
        EndSet = "END_SET",
        Interface = "INTERFACE",
        EndInterface = "END_INTERFACE",
        Action = "ACTION",
        EndAction = "END_ACTION",
        EndConfiguration = "END_CONFIGURATION",
        EndResource = "END_RESOURCE",
        Type = "TYPE",
        EndType = "END_TYPE",
        Struct = "STRUCT",
        EndStruct = "END_STRUCT",
        Union = "UNION",
        EndUnion = "END_UNION",
        Var = "VAR",
        VarInput = "VAR_INPUT",
        VarOutput = "VAR_OUTPUT",
        VarInOut = "VAR_IN_OUT",
        VarTemp = "VAR_TEMP",
        VarGlobal = "VAR_GLOBAL",
        VarExternal = "VAR_EXTERNAL",
        VarStat = "VAR_STAT",
        VarInst = "VAR_INST",
        VarConfig = "VAR_CONFIG",
        VarAccess = "VAR_ACCESS",
        EndVar = "END_VAR",
        Constant = "CONSTANT",
        Retain = "RETAIN",
        NonRetain = "NON_RETAIN",
        Persistent = "PERSISTENT",
        At = "AT",
        Array = "ARRAY",
        Of = "OF",
        StringKw = "STRING",
        WStringKw = "WSTRING",
        RefTo = "REF_TO",
        Extends = "EXTENDS",
        Implements = "IMPLEMENTS",
        If = "IF",
        Then = "THEN",
        Elsif = "ELSIF",
        Else = "ELSE",
        EndIf = "END_IF",
        Case = "CASE",
        EndCase = "END_CASE",
        For = "FOR",
        To = "TO",
        By = "BY",
        Do = "DO",
        EndFor = "END_FOR",
        While = "WHILE",
        EndWhile = "END_WHILE",
        Repeat = "REPEAT",
        Until = "UNTIL",
        EndRepeat = "END_REPEAT",
        Exit = "EXIT",
        Continue = "CONTINUE",
        Return = "RETURN",
        Jmp = "JMP",
        Not = "NOT",
        And = "AND",
        AndThen = "AND_THEN",
        Or = "OR",
        OrElse = "OR_ELSE",
        Xor = "XOR",
        Mod = "MOD",
        True = "TRUE",
        False = "FALSE",
        This = "THIS",
        Super = "SUPER",
    }
    soft {
        // TwinCAT has no configurations, and its code uses these words as names.
        Configuration = "CONFIGURATION",
        Resource = "RESOURCE",
        Get = "GET",
        Set = "SET",
        Public = "PUBLIC",
        Private = "PRIVATE",
        Protected = "PROTECTED",
        Internal = "INTERNAL",
        Abstract = "ABSTRACT",
        Final = "FINAL",
        Pointer = "POINTER",
        Reference = "REFERENCE",
        On = "ON",
        With = "WITH",
        Task = "TASK",
        SetOp = "S",
        ResetOp = "R",
        Ref = "REF",
        REdge = "R_EDGE",
        FEdge = "F_EDGE",
    }
}

impl fmt::Display for TokenKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            k if k.is_hard_keyword() || k.is_soft_keyword() => f.write_str(k.describe()),
            TokenKind::Ident
            | TokenKind::Integer
            | TokenKind::Real
            | TokenKind::String
            | TokenKind::WString
            | TokenKind::Time
            | TokenKind::Date
            | TokenKind::TimeOfDay
            | TokenKind::DateAndTime
            | TokenKind::Address
            | TokenKind::Error => f.write_str(self.describe()),
            _ => write!(f, "'{}'", self.describe()),
        }
    }
}

/// A token: its kind and its byte range in the source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub span: chumsky::span::SimpleSpan,
}

/// What a piece of trivia is. Trivia never reaches the parser but is kept for the printer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TriviaKind {
    /// `(* … *)` or `/* … */`
    BlockComment,
    /// `// …` up to the end of the line
    LineComment,
    /// `{ … }`, e.g. `{attribute 'qualified_only'}`
    Pragma,
}

/// A comment or pragma with its byte range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Trivia {
    pub kind: TriviaKind,
    pub span: crate::source::Span,
}
