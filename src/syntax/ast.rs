//! The syntax tree. Every node carries the byte span it was parsed from; expressions and
//! statements also carry a [`NodeId`], unique within a file, so that later stages (types,
//! constant values, IR links) can keep side tables instead of mutating the tree.
//!
//! Invariant: the tree keeps everything the printer needs to reproduce the source's meaning
//! (parentheses, literal spelling, identifier spelling); comments and pragmas live beside it
//! as trivia.

use crate::source::Span;
use smol_str::SmolStr;

/// Identifies an expression or statement within one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct NodeId(pub u32);

/// An identifier as written (IEC names are case-insensitive; comparison is sema's business).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    pub name: SmolStr,
    pub span: Span,
}

/// A possibly dotted name such as `MyLib.E_State` or `INT`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QualifiedName {
    pub parts: Vec<Ident>,
    pub span: Span,
}

/// One source file.
#[derive(Clone, Debug, Default)]
pub struct SourceUnit {
    pub items: Vec<Item>,
}

#[derive(Clone, Debug)]
pub enum Item {
    Pou(Pou),
    Types(TypeBlock),
    /// `VAR_GLOBAL … END_VAR` at file level (a global variable list).
    Globals(VarBlock),
    Configuration(Configuration),
    /// A region that could not be parsed; its diagnostics say why.
    Error(Span),
}

impl Item {
    pub fn span(&self) -> Span {
        match self {
            Item::Pou(p) => p.span,
            Item::Types(t) => t.span,
            Item::Globals(g) => g.span,
            Item::Configuration(c) => c.span,
            Item::Error(span) => *span,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PouKind {
    Program,
    Function,
    FunctionBlock,
    Class,
    Interface,
    Method,
    Property,
    /// The `GET … END_GET` accessor of a property.
    Getter,
    /// The `SET … END_SET` accessor of a property.
    Setter,
    Action,
}

/// `PUBLIC`, `ABSTRACT`, … after the POU keyword.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Modifier {
    Public,
    Private,
    Protected,
    Internal,
    Abstract,
    Final,
}

/// A program organisation unit, or a member of one (method, property, accessor, action).
#[derive(Clone, Debug)]
pub struct Pou {
    pub kind: PouKind,
    /// Absent only for property accessors (`GET`/`SET`).
    pub name: Option<Ident>,
    pub modifiers: Vec<Modifier>,
    /// RuSTy's type parameters: `FUNCTION MAX<T: ANY_ELEMENTARY> : T`.
    pub generics: Vec<GenericParam>,
    pub return_type: Option<TypeSpec>,
    pub extends: Vec<QualifiedName>,
    pub implements: Vec<QualifiedName>,
    pub var_blocks: Vec<VarBlock>,
    /// The statements; empty for declarations without an implementation (interface members).
    pub body: Vec<Stmt>,
    /// Methods, properties, accessors and actions declared inside this POU.
    pub members: Vec<Pou>,
    pub span: Span,
}

/// `T: ANY_NUM` in `FUNCTION F<T: ANY_NUM> : T`: within the POU's declarations, `T` stands for
/// one type of the generic category named by `constraint`.
#[derive(Clone, Debug)]
pub struct GenericParam {
    pub name: Ident,
    pub constraint: Ident,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VarKind {
    Var,
    Input,
    Output,
    InOut,
    Temp,
    Global,
    External,
    Stat,
    Inst,
    Config,
    Access,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VarQualifier {
    Constant,
    Retain,
    NonRetain,
    Persistent,
}

#[derive(Clone, Debug)]
pub struct VarBlock {
    pub kind: VarKind,
    pub qualifiers: Vec<VarQualifier>,
    pub decls: Vec<VarDecl>,
    pub span: Span,
}

/// `a, b AT %IX0.0 : INT := 5;`. In `VAR_CONFIG` the single name is an instance path
/// (`Main.fb.x`), kept as one identifier spelled with its dots.
#[derive(Clone, Debug)]
pub struct VarDecl {
    pub names: Vec<Ident>,
    pub address: Option<Address>,
    pub ty: TypeSpec,
    /// `x : BOOL R_EDGE;` — an input that is TRUE only on the rising (falling) edge.
    pub edge: Option<Edge>,
    /// `fb : FB_Axis(nAxis := 3);` — arguments for the instance's initialisation (CODESYS `FB_init`).
    pub init_args: Option<Vec<Arg>>,
    pub init: Option<Expr>,
    /// RuSTy's `IN : {sized} T...;`: any number of inputs of the type, from this one on.
    pub variadic: bool,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edge {
    Rising,
    Falling,
}

/// A direct address such as `%IX0.0`, kept as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Address {
    pub text: SmolStr,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct TypeSpec {
    pub kind: TypeSpecKind,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum TypeSpecKind {
    /// `INT`, `MyStruct`, `Lib.T`
    Named(QualifiedName),
    /// `STRING`, `STRING(80)`, `WSTRING[20]`
    String {
        wide: bool,
        length: Option<Box<Expr>>,
    },
    /// `ARRAY[1..10, 0..2] OF T`, `ARRAY[*] OF T`
    Array {
        dims: Vec<ArrayDim>,
        element: Box<TypeSpec>,
    },
    /// `POINTER TO T`
    Pointer(Box<TypeSpec>),
    /// `REF_TO T`
    RefTo(Box<TypeSpec>),
    /// `REFERENCE TO T`
    Reference(Box<TypeSpec>),
    /// `INT(0..100)`
    Subrange {
        base: QualifiedName,
        low: Box<Expr>,
        high: Box<Expr>,
    },
    /// `(A, B := 5) INT` (CODESYS order) or `INT (A, B := 5)` (IEC order).
    Enum {
        base: Option<QualifiedName>,
        values: Vec<EnumValue>,
        base_first: bool,
    },
    /// `STRUCT … END_STRUCT`
    Struct { members: Vec<VarDecl> },
    /// `UNION … END_UNION`
    Union { members: Vec<VarDecl> },
}

#[derive(Clone, Debug)]
pub enum ArrayDim {
    Range(Expr, Expr),
    /// `*`: a variable-length dimension.
    Star(Span),
}

#[derive(Clone, Debug)]
pub struct EnumValue {
    pub name: Ident,
    pub value: Option<Expr>,
}

/// `TYPE … END_TYPE` with one or more type declarations.
#[derive(Clone, Debug)]
pub struct TypeBlock {
    pub decls: Vec<TypeDecl>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct TypeDecl {
    /// `TYPE INTERNAL T : …` (TwinCAT access modifiers on types).
    pub modifiers: Vec<Modifier>,
    pub name: Ident,
    /// `TYPE ST_Child EXTENDS ST_Base : STRUCT …` (CODESYS structure inheritance).
    pub extends: Option<QualifiedName>,
    pub spec: TypeSpec,
    pub init: Option<Expr>,
    pub span: Span,
}

/// `CONFIGURATION … END_CONFIGURATION`
#[derive(Clone, Debug)]
pub struct Configuration {
    pub name: Ident,
    pub var_blocks: Vec<VarBlock>,
    pub resources: Vec<Resource>,
    /// Tasks and programs written directly in the configuration (a single implicit resource).
    pub tasks: Vec<Task>,
    pub programs: Vec<ProgramInstance>,
    pub span: Span,
}

/// `RESOURCE Name ON Processor … END_RESOURCE`
#[derive(Clone, Debug)]
pub struct Resource {
    pub name: Ident,
    pub on: Ident,
    pub var_blocks: Vec<VarBlock>,
    pub tasks: Vec<Task>,
    pub programs: Vec<ProgramInstance>,
    pub span: Span,
}

/// `TASK Fast(INTERVAL := T#10ms, PRIORITY := 1);`
#[derive(Clone, Debug)]
pub struct Task {
    pub name: Ident,
    pub settings: Vec<Arg>,
    pub span: Span,
}

/// `PROGRAM Main WITH Fast : MainProg;` (optionally with arguments).
#[derive(Clone, Debug)]
pub struct ProgramInstance {
    pub name: Ident,
    pub task: Option<Ident>,
    pub program: QualifiedName,
    pub args: Vec<Arg>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Stmt {
    pub id: NodeId,
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssignOp {
    /// `:=`
    Assign,
    /// `S=` (set if the value is TRUE)
    Set,
    /// `R=` (reset if the value is TRUE)
    Reset,
    /// `REF=` (bind a reference)
    Ref,
    /// `?=` (assignment attempt for interfaces and references)
    Attempt,
}

#[derive(Clone, Debug)]
pub enum StmtKind {
    Assign {
        target: Expr,
        op: AssignOp,
        value: Expr,
    },
    /// An expression used as a statement: normally a call (`fb(IN := x);`); anything else
    /// has no effect, which is sema's business to report.
    Expr(Expr),
    If {
        branches: Vec<IfBranch>,
        else_body: Option<Vec<Stmt>>,
    },
    Case {
        selector: Expr,
        arms: Vec<CaseArm>,
        else_body: Option<Vec<Stmt>>,
    },
    /// Boxed: the loop header is large and loops are rare, so statements stay small.
    For(Box<ForLoop>),
    While {
        cond: Expr,
        body: Vec<Stmt>,
    },
    Repeat {
        body: Vec<Stmt>,
        until: Expr,
    },
    Exit,
    Continue,
    Return,
    Jmp(Ident),
    /// `name:` — a jump target; it labels the statement that follows.
    Label(Ident),
    /// `;` on its own
    Empty,
    /// A statement that could not be parsed; its diagnostics say why.
    Error,
}

/// `FOR var := from TO to BY by DO body END_FOR`
#[derive(Clone, Debug)]
pub struct ForLoop {
    pub var: Expr,
    pub from: Expr,
    pub to: Expr,
    pub by: Option<Expr>,
    pub body: Vec<Stmt>,
}

#[derive(Clone, Debug)]
pub struct IfBranch {
    pub cond: Expr,
    pub body: Vec<Stmt>,
}

#[derive(Clone, Debug)]
pub struct CaseArm {
    pub labels: Vec<CaseLabel>,
    pub body: Vec<Stmt>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum CaseLabel {
    Value(Expr),
    Range(Expr, Expr),
}

#[derive(Clone, Debug)]
pub struct Expr {
    pub id: NodeId,
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    Plus,
    Not,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Or,
    OrElse,
    Xor,
    And,
    AndThen,
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Power,
}

impl BinaryOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Or => "OR",
            BinaryOp::OrElse => "OR_ELSE",
            BinaryOp::Xor => "XOR",
            BinaryOp::And => "AND",
            BinaryOp::AndThen => "AND_THEN",
            BinaryOp::Eq => "=",
            BinaryOp::Ne => "<>",
            BinaryOp::Lt => "<",
            BinaryOp::Gt => ">",
            BinaryOp::Le => "<=",
            BinaryOp::Ge => ">=",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Mod => "MOD",
            BinaryOp::Power => "**",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LiteralKind {
    Integer,
    Real,
    Bool,
    String,
    WString,
    Time,
    Date,
    TimeOfDay,
    DateAndTime,
}

/// A literal as written (`16#FF`, `T#1s`, `'a$N'`); values are decoded by `syntax::literal`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Literal {
    pub kind: LiteralKind,
    pub text: SmolStr,
}

#[derive(Clone, Debug)]
pub enum ExprKind {
    Literal(Literal),
    /// `INT#16#FF`, `REAL#1.5`, `E_State#Run`: a type name, `#`, and a literal or enum value.
    Typed {
        ty: Ident,
        value: Box<Expr>,
    },
    Name(Ident),
    /// A directly addressed variable, `%IX0.2`.
    Address(Address),
    This,
    Super,
    Unary {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    Paren(Box<Expr>),
    /// `base.member`
    Member {
        base: Box<Expr>,
        member: Ident,
    },
    /// `base.3` — bit access on an integer
    Bit {
        base: Box<Expr>,
        bit: Literal,
    },
    /// `base[i, j]`
    Index {
        base: Box<Expr>,
        indices: Vec<Expr>,
    },
    /// `base^`
    Deref(Box<Expr>),
    /// `(x := y)` or the inner part of `a := b := c`: an assignment used as a value (CODESYS
    /// ExST).
    Assign {
        target: Box<Expr>,
        value: Box<Expr>,
    },
    Call {
        callee: Box<Expr>,
        args: Vec<Arg>,
    },
    /// `[1, 2, 3(0)]` in initialisers; `bracketed` is false for the CODESYS 2.3 form
    /// `1, 2, 3` without brackets.
    ArrayInit {
        elems: Vec<ArrayInitElem>,
        bracketed: bool,
    },
    /// `(x := 1, y := 2)` in initialisers
    StructInit(Vec<(Ident, Expr)>),
    /// An expression that could not be parsed; its diagnostics say why.
    Error,
}

#[derive(Clone, Debug)]
pub enum ArrayInitElem {
    Single(Expr),
    /// `n(value)` or `n()`: the value repeated n times.
    Repeat {
        count: Expr,
        value: Option<Expr>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgKind {
    /// `x` (informal, by position)
    Positional,
    /// `name := x`
    Input,
    /// `name => x`
    Output,
    /// `NOT name => x`
    NegatedOutput,
}

/// A call argument. `value` is `None` for a connection left empty (`Q =>`, `IN :=`).
#[derive(Clone, Debug)]
pub struct Arg {
    pub kind: ArgKind,
    pub name: Option<Ident>,
    pub value: Option<Expr>,
    pub span: Span,
}
