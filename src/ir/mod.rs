//! The scan-cycle IR: checked POUs lowered to explicit, typed operations over a flat memory of
//! slots. The simulator executes it; the SMT verifier will encode it. Both read the program
//! only through these types, so they agree on what it means.
//!
//! Invariants:
//! - every variable is a run of slots: a scalar (elementary value or string) is one slot; an
//!   array, a structure or a function block instance is its members' slots laid out in order,
//!   nested instances inside their owner. Addresses are fixed at lowering, except for array
//!   indices (checked against their bounds at run time) and `VAR_IN_OUT` (passed by address);
//! - every implicit conversion the type checker allowed is an explicit [`Expr::Convert`]; the
//!   operands of a [`Expr::Binary`] always have one type;
//! - the standard library's function blocks are lowered from their ST bodies like user code;
//!   only `@builtin` functions are [`Builtin`] operations.

pub mod depends;
pub mod layout;
pub mod literal;
mod lower;

pub use lower::{Condition, lower, lower_with_conditions};

use crate::sema::types::Elem;
use crate::source::{FileId, Span};
use crate::syntax::ast::BinaryOp;
use crate::value::{Semantics, Value};
use smol_str::SmolStr;

/// A lowered project, ready to run from its root POU.
#[derive(Clone, Debug)]
pub struct Program {
    pub bodies: Vec<Body>,
    /// The POU the run starts from (the spec's POU).
    pub root: BodyId,
    /// Global variables: the first `globals.len()` slots of memory.
    pub globals: Vec<Var>,
    pub globals_init: Vec<Value>,
    /// What the dialect's arithmetic does where the standard calls a result an error.
    pub semantics: Semantics,
}

/// Identifies a lowered POU in [`Program::bodies`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BodyId(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyKind {
    Program,
    FunctionBlock,
    Function,
    /// An action: runs in the instance of the POU it belongs to.
    Action,
}

/// One POU's code and the layout of its instance (function blocks, programs) or call frame
/// (functions).
#[derive(Clone, Debug)]
pub struct Body {
    pub name: SmolStr,
    pub kind: BodyKind,
    pub file: FileId,
    /// The variables, in declaration order, with their offsets in the instance or frame.
    pub vars: Vec<Var>,
    /// The initial value of every slot of an instance or frame.
    pub init: Vec<Value>,
    /// Slots set back to their initial value at every call (`VAR_TEMP`; all of a function's).
    pub temps: Vec<u32>,
    /// The slot holding a function's result.
    pub result: Option<u32>,
    pub stmts: Vec<Stmt>,
}

/// A declared variable and where it lives.
#[derive(Clone, Debug)]
pub struct Var {
    pub name: SmolStr,
    pub kind: VarKind,
    /// Declared in a `CONSTANT` block: it keeps its initial value (the checker refuses writes).
    pub constant: bool,
    pub offset: u32,
    pub ty: Ty,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VarKind {
    Input,
    Output,
    InOut,
    Local,
    Temp,
    Global,
}

/// The shape of a variable's slots.
#[derive(Clone, Debug, PartialEq)]
pub enum Ty {
    Elem(Elem),
    /// At most `len` characters (80 where the declaration gives no length).
    String {
        wide: bool,
        len: u32,
    },
    /// An enumeration: its base type and its values by name.
    Enum {
        base: Elem,
        values: Vec<(SmolStr, i128)>,
    },
    Array {
        dims: Vec<(i128, i128)>,
        elem: Box<Ty>,
    },
    Struct(Vec<Field>),
    /// An instance of a function block or program.
    Instance(BodyId),
    /// A `VAR_IN_OUT`: one slot holding the address of the caller's variable of this type.
    InOut(Box<Ty>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub name: SmolStr,
    pub offset: u32,
    pub ty: Ty,
}

/// A run of slots: `base` + `offset` + Σ (index − low) × stride.
#[derive(Clone, Debug)]
pub struct Place {
    pub base: Base,
    pub offset: u32,
    pub indices: Vec<Index>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Base {
    /// The current instance or call frame.
    Frame,
    /// Absolute: global variables.
    Global,
    /// The address held in this slot of the current frame (a `VAR_IN_OUT`).
    Indirect(u32),
}

/// One array subscript, checked against its bounds when the place is used.
#[derive(Clone, Debug)]
pub struct Index {
    pub value: Expr,
    pub low: i128,
    pub high: i128,
    pub stride: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    /// Logical NOT of a BOOL, bitwise complement of a bit string.
    Not,
}

#[derive(Clone, Debug)]
pub enum Expr {
    Const(Value),
    Load(Place),
    /// The address of a place, passed to a `VAR_IN_OUT`.
    Address(Place),
    Unary(UnaryOp, Box<Expr>),
    /// Both operands have the same type; comparisons give BOOL. `AND_THEN`/`OR_ELSE` (and
    /// `AND`/`OR` in dialects that short-circuit) evaluate `rhs` only when needed.
    Binary {
        op: BinaryOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    Convert(Elem, Box<Expr>),
    /// Bit `bit` of an integer or bit string (`x.3`).
    Bit(Box<Expr>, u8),
    Builtin(Builtin, Vec<Expr>),
    /// A function call; its value is the function's result.
    Call(Box<Call>),
    /// `PREV(e)` of a spec's property or assumption: `e` evaluated on the memory as it was
    /// after the previous scan (before the first scan: the initial memory). Never in a body;
    /// `e` calls nothing (the spec's checks refuse it).
    Prev(Box<Expr>),
}

/// The `@builtin` functions of the standard library the simulator implements natively.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builtin {
    /// The time of the current scan (`__CURRENT_TIME`, `__CURRENT_LTIME`).
    Now(Elem),
    Abs,
    Sqrt,
    Ln,
    Log,
    Exp,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Atan2,
    Expt,
    /// A duration multiplied or divided by a number (`MUL_TIME`, `T#1s * 3`).
    MulTime,
    DivTime,
    /// Real to integer, towards zero.
    Trunc(Elem),
    /// A string cut to a declared length (`STRING(n)`), when it is stored.
    FitString(u32),
    Shl,
    Shr,
    Rol,
    Ror,
    /// `SEL(G, IN0, IN1)`
    Sel,
    Max,
    Min,
    /// `LIMIT(MN, IN, MX)`
    Limit,
    /// `MUX(K, IN0, IN1, …)`
    Mux,
    Len,
    Left,
    Right,
    Mid,
    Concat,
    Insert,
    Delete,
    Replace,
    Find,
}

#[derive(Clone, Debug)]
pub struct Stmt {
    pub kind: StmtKind,
    pub file: FileId,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum StmtKind {
    /// A scalar assignment.
    Assign {
        target: Place,
        value: Expr,
    },
    /// An assignment of a structure, array or instance: `len` slots.
    Copy {
        target: Place,
        source: Place,
        len: u32,
    },
    /// `x.3 := value`
    SetBit {
        target: Place,
        bit: u8,
        value: Expr,
    },
    Call(Call),
    If {
        branches: Vec<(Expr, Vec<Stmt>)>,
        otherwise: Vec<Stmt>,
    },
    /// The selector is an integer. `has_else`: the CASE has an ELSE (perhaps empty); without
    /// one, a selector no arm matches is a warning of the verifier.
    Case {
        selector: Expr,
        arms: Vec<CaseArm>,
        otherwise: Vec<Stmt>,
        has_else: bool,
    },
    /// `FOR var := from TO to BY by`: `to` and `by` are evaluated once, before the first pass.
    For {
        var: Place,
        from: Expr,
        to: Expr,
        by: Expr,
        body: Vec<Stmt>,
    },
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
}

/// The statements of a CASE arm and its labels, as inclusive ranges.
#[derive(Clone, Debug)]
pub struct CaseArm {
    pub ranges: Vec<(i128, i128)>,
    pub body: Vec<Stmt>,
}

/// A call of a function block instance, program, action or function.
#[derive(Clone, Debug)]
pub struct Call {
    pub callee: BodyId,
    /// Where the instance lives (function blocks, programs, actions); `None` for functions,
    /// which get a fresh frame.
    pub instance: Option<Place>,
    /// Callee slot ← value, before the call (inputs; in-outs as [`Expr::Address`]).
    pub inputs: Vec<(u32, Expr)>,
    /// Structures and arrays passed to inputs, copied into the callee before the call.
    pub copies: Vec<CopyIn>,
    /// Caller place ← callee slot, after the call (`Q => x`, `NOT Q => x`).
    pub outputs: Vec<Output>,
}

/// `len` slots of the caller's `source` copied to the callee's slots from `to`.
#[derive(Clone, Debug)]
pub struct CopyIn {
    pub to: u32,
    pub source: Place,
    pub len: u32,
}

#[derive(Clone, Debug)]
pub struct Output {
    pub from: u32,
    pub to: Place,
    pub negate: bool,
    /// The conversion to the connected variable's type, where it differs.
    pub convert: Option<Elem>,
}

impl Ty {
    /// How many slots a value of this type takes.
    pub fn size(&self, program_bodies: &[Body]) -> u32 {
        layout::size_hint(self, &mut |body| {
            program_bodies[body.0 as usize].init.len() as u32
        })
    }

    /// Whether a value of this type is one slot: an elementary value, an enumeration value or
    /// a string.
    pub fn is_scalar(&self) -> bool {
        matches!(self, Ty::Elem(_) | Ty::Enum { .. } | Ty::String { .. })
    }
}

impl Program {
    pub fn body(&self, id: BodyId) -> &Body {
        &self.bodies[id.0 as usize]
    }

    pub fn root(&self) -> &Body {
        self.body(self.root)
    }

    /// Finds a variable of the root instance by its path (`Motor`, `Timer1.Q`, `Values[2]`,
    /// `result` for a function's result), case-insensitively: its slot relative to the root
    /// frame and its type.
    pub fn lookup(&self, path: &str) -> Option<(u32, &Ty)> {
        let root = self.root();
        if path.eq_ignore_ascii_case("result") && root.kind == BodyKind::Function {
            let slot = root.result?;
            let var = root.vars.iter().find(|v| v.offset == slot)?;
            return Some((slot, &var.ty));
        }
        let mut parts = path.split('.');
        let first = parts.next()?;
        let (mut offset, mut ty) = self.member(&self.root().vars, first)?;
        for part in parts {
            let (o, t) = match ty {
                Ty::Struct(fields) => {
                    let f = fields.iter().find(|f| f.name.eq_ignore_ascii_case(part))?;
                    (f.offset, &f.ty)
                }
                Ty::Instance(body) => self.member(&self.body(*body).vars, part)?,
                _ => return None,
            };
            offset += o;
            ty = t;
        }
        Some((offset, ty))
    }

    fn member<'p>(&'p self, vars: &'p [Var], part: &str) -> Option<(u32, &'p Ty)> {
        let (name, subscript) = match part.split_once('[') {
            Some((name, rest)) => (name, Some(rest.strip_suffix(']')?)),
            None => (part, None),
        };
        let var = vars.iter().find(|v| v.name.eq_ignore_ascii_case(name))?;
        let Some(subscript) = subscript else {
            return Some((var.offset, &var.ty));
        };
        let Ty::Array { dims, elem } = &var.ty else {
            return None;
        };
        let indices: Vec<i128> = subscript
            .split(',')
            .map(|s| s.trim().parse().ok())
            .collect::<Option<_>>()?;
        if indices.len() != dims.len() {
            return None;
        }
        let elem_size = elem.size(&self.bodies);
        let mut linear = 0i128;
        for (&i, &(lo, hi)) in indices.iter().zip(dims) {
            if i < lo || i > hi {
                return None;
            }
            linear = linear * (hi - lo + 1) + (i - lo);
        }
        Some((var.offset + linear as u32 * elem_size, elem))
    }
}
