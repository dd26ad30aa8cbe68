//! The type model: elementary types with their sizes and ranges, the ANY_* generic hierarchy,
//! and the table of derived types (arrays, structures, enumerations, subranges, aliases,
//! pointers, references and POU instances) that one project declares.

use super::PouId;
use smol_str::SmolStr;

/// The elementary types of IEC 61131-3, strings aside (they carry a length).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Elem {
    Bool,
    Byte,
    Word,
    DWord,
    LWord,
    SInt,
    Int,
    DInt,
    LInt,
    USInt,
    UInt,
    UDInt,
    ULInt,
    Real,
    LReal,
    Time,
    LTime,
    Date,
    LDate,
    Tod,
    LTod,
    Dt,
    Ldt,
    Char,
    WChar,
}

/// Where an elementary type sits in the generic hierarchy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    Bit,
    Signed,
    Unsigned,
    Real,
    Duration,
    Date,
    Char,
}

impl Elem {
    pub const ALL: [Elem; 25] = [
        Elem::Bool,
        Elem::Byte,
        Elem::Word,
        Elem::DWord,
        Elem::LWord,
        Elem::SInt,
        Elem::Int,
        Elem::DInt,
        Elem::LInt,
        Elem::USInt,
        Elem::UInt,
        Elem::UDInt,
        Elem::ULInt,
        Elem::Real,
        Elem::LReal,
        Elem::Time,
        Elem::LTime,
        Elem::Date,
        Elem::LDate,
        Elem::Tod,
        Elem::LTod,
        Elem::Dt,
        Elem::Ldt,
        Elem::Char,
        Elem::WChar,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Elem::Bool => "BOOL",
            Elem::Byte => "BYTE",
            Elem::Word => "WORD",
            Elem::DWord => "DWORD",
            Elem::LWord => "LWORD",
            Elem::SInt => "SINT",
            Elem::Int => "INT",
            Elem::DInt => "DINT",
            Elem::LInt => "LINT",
            Elem::USInt => "USINT",
            Elem::UInt => "UINT",
            Elem::UDInt => "UDINT",
            Elem::ULInt => "ULINT",
            Elem::Real => "REAL",
            Elem::LReal => "LREAL",
            Elem::Time => "TIME",
            Elem::LTime => "LTIME",
            Elem::Date => "DATE",
            Elem::LDate => "LDATE",
            Elem::Tod => "TIME_OF_DAY",
            Elem::LTod => "LTIME_OF_DAY",
            Elem::Dt => "DATE_AND_TIME",
            Elem::Ldt => "LDATE_AND_TIME",
            Elem::Char => "CHAR",
            Elem::WChar => "WCHAR",
        }
    }

    /// The name used in conversion function names (`TOD_TO_DT`).
    pub fn short_name(self) -> &'static str {
        match self {
            Elem::Tod => "TOD",
            Elem::LTod => "LTOD",
            Elem::Dt => "DT",
            Elem::Ldt => "LDT",
            other => other.name(),
        }
    }

    /// Finds an elementary type by any of its spellings, upper-case.
    pub fn from_name(upper: &str) -> Option<Elem> {
        let alias = match upper {
            "TOD" => Some(Elem::Tod),
            "LTOD" => Some(Elem::LTod),
            "DT" => Some(Elem::Dt),
            "LDT" => Some(Elem::Ldt),
            // CODESYS and TwinCAT spellings of the same types.
            "BIT" => Some(Elem::Bool),
            _ => None,
        };
        alias.or_else(|| Elem::ALL.into_iter().find(|e| e.name() == upper))
    }

    pub fn category(self) -> Category {
        use Elem::*;
        match self {
            Bool | Byte | Word | DWord | LWord => Category::Bit,
            SInt | Int | DInt | LInt => Category::Signed,
            USInt | UInt | UDInt | ULInt => Category::Unsigned,
            Real | LReal => Category::Real,
            Time | LTime => Category::Duration,
            Date | LDate | Tod | LTod | Dt | Ldt => Category::Date,
            Char | WChar => Category::Char,
        }
    }

    /// Size in bits.
    pub fn bits(self) -> u32 {
        use Elem::*;
        match self {
            Bool => 1,
            Byte | SInt | USInt | Char => 8,
            Word | Int | UInt | WChar => 16,
            DWord | DInt | UDInt | Real | Time | Date | Tod | Dt => 32,
            LWord | LInt | ULInt | LReal | LTime | LDate | LTod | Ldt => 64,
        }
    }

    pub fn is_integer(self) -> bool {
        matches!(self.category(), Category::Signed | Category::Unsigned)
    }

    pub fn is_numeric(self) -> bool {
        self.is_integer() || self.category() == Category::Real
    }

    /// The values an integer or bit-string type holds.
    pub fn int_range(self) -> Option<(i128, i128)> {
        let bits = self.bits();
        match self.category() {
            Category::Signed => Some((-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)),
            Category::Unsigned | Category::Bit => Some((0, (1i128 << bits) - 1)),
            _ => None,
        }
    }

    /// Implicit conversions the standard allows (IEC 61131-3:2013, Table 11 and figure 11):
    /// widening within a family, integers into reals that hold them exactly, and the long
    /// forms of durations and dates.
    pub fn widens_to(self, to: Elem) -> bool {
        use Elem::*;
        if self == to {
            return true;
        }
        let targets: &[Elem] = match self {
            SInt => &[Int, DInt, LInt, Real, LReal],
            Int => &[DInt, LInt, Real, LReal],
            DInt => &[LInt, LReal],
            USInt => &[UInt, UDInt, ULInt, Int, DInt, LInt, Real, LReal],
            UInt => &[UDInt, ULInt, DInt, LInt, Real, LReal],
            UDInt => &[ULInt, LInt, LReal],
            Real => &[LReal],
            Byte => &[Word, DWord, LWord],
            Word => &[DWord, LWord],
            DWord => &[LWord],
            Time => &[LTime],
            Date => &[LDate],
            Tod => &[LTod],
            Dt => &[Ldt],
            Char => &[WChar],
            _ => &[],
        };
        targets.contains(&to)
    }

    /// Whether converting to `to` can lose information (for the lenient dialects' warning).
    pub fn may_lose_information(self, to: Elem) -> bool {
        if self.widens_to(to) {
            return false;
        }
        let (from_cat, to_cat) = (self.category(), to.category());
        match (from_cat, to_cat) {
            // Same-size reinterpretations between integers and bit strings are how vendor
            // code moves raw values; only a smaller target loses bits.
            (Category::Bit | Category::Unsigned, Category::Bit | Category::Unsigned) => {
                to.bits() < self.bits()
            }
            (Category::Unsigned, Category::Signed) => to.bits() <= self.bits(),
            (Category::Bit, Category::Signed) => to.bits() < self.bits(),
            _ => true,
        }
    }
}

/// The generic types of the standard (`ANY_NUM`, …), usable only in standard-library
/// signatures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Generic {
    Any,
    AnyDerived,
    AnyElementary,
    AnyMagnitude,
    AnyNum,
    AnyReal,
    AnyInt,
    AnyUnsigned,
    AnySigned,
    AnyDuration,
    AnyBit,
    AnyChars,
    AnyString,
    AnyChar,
    AnyDate,
}

impl Generic {
    pub const ALL: [Generic; 15] = [
        Generic::Any,
        Generic::AnyDerived,
        Generic::AnyElementary,
        Generic::AnyMagnitude,
        Generic::AnyNum,
        Generic::AnyReal,
        Generic::AnyInt,
        Generic::AnyUnsigned,
        Generic::AnySigned,
        Generic::AnyDuration,
        Generic::AnyBit,
        Generic::AnyChars,
        Generic::AnyString,
        Generic::AnyChar,
        Generic::AnyDate,
    ];

    pub fn from_name(upper: &str) -> Option<Generic> {
        Some(match upper {
            "ANY" => Generic::Any,
            "ANY_DERIVED" => Generic::AnyDerived,
            "ANY_ELEMENTARY" => Generic::AnyElementary,
            "ANY_MAGNITUDE" => Generic::AnyMagnitude,
            "ANY_NUM" => Generic::AnyNum,
            "ANY_REAL" => Generic::AnyReal,
            "ANY_INT" => Generic::AnyInt,
            "ANY_UNSIGNED" => Generic::AnyUnsigned,
            "ANY_SIGNED" => Generic::AnySigned,
            "ANY_DURATION" => Generic::AnyDuration,
            "ANY_BIT" => Generic::AnyBit,
            "ANY_CHARS" => Generic::AnyChars,
            "ANY_STRING" => Generic::AnyString,
            "ANY_CHAR" => Generic::AnyChar,
            "ANY_DATE" => Generic::AnyDate,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Generic::Any => "ANY",
            Generic::AnyDerived => "ANY_DERIVED",
            Generic::AnyElementary => "ANY_ELEMENTARY",
            Generic::AnyMagnitude => "ANY_MAGNITUDE",
            Generic::AnyNum => "ANY_NUM",
            Generic::AnyReal => "ANY_REAL",
            Generic::AnyInt => "ANY_INT",
            Generic::AnyUnsigned => "ANY_UNSIGNED",
            Generic::AnySigned => "ANY_SIGNED",
            Generic::AnyDuration => "ANY_DURATION",
            Generic::AnyBit => "ANY_BIT",
            Generic::AnyChars => "ANY_CHARS",
            Generic::AnyString => "ANY_STRING",
            Generic::AnyChar => "ANY_CHAR",
            Generic::AnyDate => "ANY_DATE",
        }
    }

    /// Whether an elementary type belongs to this generic type.
    pub fn contains_elem(self, e: Elem) -> bool {
        let c = e.category();
        match self {
            Generic::Any | Generic::AnyElementary => true,
            Generic::AnyDerived => false,
            Generic::AnyMagnitude => e.is_numeric() || c == Category::Duration,
            Generic::AnyNum => e.is_numeric(),
            Generic::AnyReal => c == Category::Real,
            Generic::AnyInt => e.is_integer(),
            Generic::AnyUnsigned => c == Category::Unsigned,
            Generic::AnySigned => c == Category::Signed,
            Generic::AnyDuration => c == Category::Duration,
            Generic::AnyBit => c == Category::Bit,
            Generic::AnyChars | Generic::AnyChar => c == Category::Char,
            Generic::AnyString => false,
            Generic::AnyDate => c == Category::Date,
        }
    }

    pub fn contains_string(self) -> bool {
        matches!(
            self,
            Generic::Any | Generic::AnyElementary | Generic::AnyChars | Generic::AnyString
        )
    }
}

/// Identifies a type in the project's [`TypeTable`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TypeId(pub u32);

/// One dimension of an array; `None` bounds for `ARRAY[*]` or bounds that are not constant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dim {
    pub bounds: Option<(i128, i128)>,
}

#[derive(Clone, Debug)]
pub struct Field {
    pub key: SmolStr,
    pub name: SmolStr,
    pub ty: TypeId,
}

#[derive(Clone, Debug)]
pub enum TypeKind {
    Elem(Elem),
    String {
        wide: bool,
        len: Option<u32>,
    },
    Generic(Generic),
    Array {
        dims: Vec<Dim>,
        elem: TypeId,
    },
    /// `POINTER TO T`
    Pointer(TypeId),
    /// `REF_TO T`
    RefTo(TypeId),
    /// `REFERENCE TO T`: used as a `T` everywhere but in `REF=`.
    Reference(TypeId),
    Struct {
        fields: Vec<Field>,
        union: bool,
        base: Option<TypeId>,
    },
    Enum {
        values: Vec<(SmolStr, i128)>,
        base: Elem,
    },
    Subrange {
        base: TypeId,
        low: i128,
        high: i128,
    },
    Alias(TypeId),
    /// An instance of a function block, class, program or interface.
    Pou(PouId),
    /// Untyped address (`ADR`'s result, `PVOID`): converts to any pointer.
    AnyPointer,
    /// A declared type whose definition is not known yet (filled in during indexing) or
    /// could not be resolved; compatible with everything so one error is reported once.
    Error,
}

#[derive(Clone, Debug)]
pub struct TypeDef {
    /// The declared name for named types; anonymous types print from their structure.
    pub name: Option<SmolStr>,
    pub kind: TypeKind,
}

/// All types of one project. Elementary types come first, at the index of `Elem::ALL`.
#[derive(Clone, Debug)]
pub struct TypeTable {
    defs: Vec<TypeDef>,
}

impl Default for TypeTable {
    fn default() -> Self {
        let mut defs: Vec<TypeDef> = Elem::ALL
            .iter()
            .map(|&e| TypeDef {
                name: None,
                kind: TypeKind::Elem(e),
            })
            .collect();
        for kind in [
            TypeKind::Error,
            TypeKind::String {
                wide: false,
                len: None,
            },
            TypeKind::String {
                wide: true,
                len: None,
            },
            TypeKind::AnyPointer,
        ]
        .into_iter()
        .chain(Generic::ALL.map(TypeKind::Generic))
        {
            defs.push(TypeDef { name: None, kind });
        }
        TypeTable { defs }
    }
}

impl TypeTable {
    pub const ERROR: TypeId = TypeId(Elem::ALL.len() as u32);
    pub const STRING: TypeId = TypeId(Elem::ALL.len() as u32 + 1);
    pub const WSTRING: TypeId = TypeId(Elem::ALL.len() as u32 + 2);
    pub const ANY_POINTER: TypeId = TypeId(Elem::ALL.len() as u32 + 3);

    pub fn generic(g: Generic) -> TypeId {
        let at = Generic::ALL.iter().position(|&x| x == g).unwrap_or(0);
        TypeId(Self::ANY_POINTER.0 + 1 + at as u32)
    }

    pub fn len(&self) -> usize {
        self.defs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.defs.is_empty()
    }

    pub fn elem(e: Elem) -> TypeId {
        TypeId(Elem::ALL.iter().position(|&x| x == e).unwrap_or(0) as u32)
    }

    pub fn add(&mut self, name: Option<SmolStr>, kind: TypeKind) -> TypeId {
        self.defs.push(TypeDef { name, kind });
        TypeId(self.defs.len() as u32 - 1)
    }

    pub fn set(&mut self, id: TypeId, kind: TypeKind) {
        self.defs[id.0 as usize].kind = kind;
    }

    pub fn get(&self, id: TypeId) -> &TypeDef {
        &self.defs[id.0 as usize]
    }

    pub fn kind(&self, id: TypeId) -> &TypeKind {
        &self.get(id).kind
    }

    /// Follows aliases (and references, which read as what they refer to). Alias cycles are
    /// reported by the indexer; here they end at the error type.
    pub fn resolve(&self, mut id: TypeId) -> TypeId {
        for _ in 0..64 {
            match self.kind(id) {
                TypeKind::Alias(to) | TypeKind::Reference(to) => id = *to,
                _ => return id,
            }
        }
        TypeTable::ERROR
    }

    /// Follows aliases only.
    pub fn unalias(&self, mut id: TypeId) -> TypeId {
        for _ in 0..64 {
            match self.kind(id) {
                TypeKind::Alias(to) => id = *to,
                _ => return id,
            }
        }
        TypeTable::ERROR
    }

    /// The elementary type a value of this type computes with: subranges and enumerations
    /// (in the dialects that allow it) by their base.
    pub fn as_elem(&self, id: TypeId) -> Option<Elem> {
        match self.kind(self.resolve(id)) {
            TypeKind::Elem(e) => Some(*e),
            TypeKind::Subrange { base, .. } => self.as_elem(*base),
            _ => None,
        }
    }

    pub fn is_error(&self, id: TypeId) -> bool {
        matches!(self.kind(self.resolve(id)), TypeKind::Error)
    }

    pub fn is_bool(&self, id: TypeId) -> bool {
        self.as_elem(id) == Some(Elem::Bool)
    }

    pub fn is_string(&self, id: TypeId) -> Option<bool> {
        match self.kind(self.resolve(id)) {
            TypeKind::String { wide, .. } => Some(*wide),
            _ => None,
        }
    }

    /// Whether two types are one: the same type, or anonymous types written alike (two
    /// `REF_TO ARRAY[0..9] OF BYTE` declared apart refer to one type).
    pub fn same(&self, a: TypeId, b: TypeId) -> bool {
        let (a, b) = (self.resolve(a), self.resolve(b));
        if a == b {
            return true;
        }
        let anonymous = |t: TypeId| self.get(t).name.is_none();
        match (self.kind(a), self.kind(b)) {
            (TypeKind::Array { dims: da, elem: ea }, TypeKind::Array { dims: db, elem: eb }) => {
                anonymous(a)
                    && anonymous(b)
                    && da.len() == db.len()
                    && da.iter().zip(db).all(|(x, y)| x.bounds == y.bounds)
                    && self.same(*ea, *eb)
            }
            (TypeKind::String { wide: wa, len: la }, TypeKind::String { wide: wb, len: lb }) => {
                wa == wb && la == lb
            }
            (TypeKind::Pointer(x), TypeKind::Pointer(y))
            | (TypeKind::RefTo(x), TypeKind::RefTo(y)) => {
                anonymous(a) && anonymous(b) && self.same(*x, *y)
            }
            (
                TypeKind::Subrange {
                    base: ba,
                    low: la,
                    high: ha,
                },
                TypeKind::Subrange {
                    base: bb,
                    low: lb,
                    high: hb,
                },
            ) => anonymous(a) && anonymous(b) && (la, ha) == (lb, hb) && self.same(*ba, *bb),
            _ => false,
        }
    }

    /// How a type is written in messages.
    pub fn display(&self, id: TypeId) -> String {
        let def = self.get(id);
        if let Some(name) = &def.name {
            return name.to_string();
        }
        match &def.kind {
            TypeKind::Elem(e) => e.name().to_string(),
            TypeKind::String { wide, len } => {
                let base = if *wide { "WSTRING" } else { "STRING" };
                match len {
                    Some(n) => format!("{base}({n})"),
                    None => base.to_string(),
                }
            }
            TypeKind::Generic(g) => g.name().to_string(),
            TypeKind::Array { dims, elem } => {
                let dims: Vec<String> = dims
                    .iter()
                    .map(|d| match d.bounds {
                        Some((lo, hi)) => format!("{lo}..{hi}"),
                        None => "*".to_string(),
                    })
                    .collect();
                format!("ARRAY[{}] OF {}", dims.join(", "), self.display(*elem))
            }
            TypeKind::Pointer(t) => format!("POINTER TO {}", self.display(*t)),
            TypeKind::RefTo(t) => format!("REF_TO {}", self.display(*t)),
            TypeKind::Reference(t) => format!("REFERENCE TO {}", self.display(*t)),
            TypeKind::Struct { .. } => "STRUCT".to_string(),
            TypeKind::Enum { .. } => "enumeration".to_string(),
            TypeKind::Subrange { base, low, high } => {
                format!("{}({low}..{high})", self.display(*base))
            }
            TypeKind::Alias(t) => self.display(*t),
            TypeKind::Pou(_) => "instance".to_string(),
            TypeKind::AnyPointer => "pointer".to_string(),
            TypeKind::Error => "?".to_string(),
        }
    }
}

/// The found type of a mismatch message, `` `B` ``; when two different types print alike
/// (anonymous structures or enumerations), it says so rather than name one type twice.
pub fn found(expected: &str, found: &str) -> String {
    if expected == found {
        format!("a different type also written `{found}`")
    } else {
        format!("`{found}`")
    }
}
