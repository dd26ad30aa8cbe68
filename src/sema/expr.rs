//! Expression typing. Types flow bottom-up; untyped literals stay open (`Ty::Int`, `Ty::Real`)
//! until the context narrows them — an assignment target, a parameter, the other operand —
//! which is where a literal that does not fit is reported (matiec's two passes, folded into
//! one walk: the candidates of a literal are every type its value fits).

use super::body::Checker;
use super::index::Project;
use super::types::{Category, Elem, Generic, TypeId, TypeKind, TypeTable};
use super::{PouId, Resolved, key};
use crate::diagnostics::Code;
use crate::syntax::ast::*;
use crate::syntax::literal;

/// The type of an expression as the checker knows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    Known(TypeId),
    /// An integer literal, or an expression of them, with its value when known.
    Int(Option<i128>),
    /// A real literal.
    Real,
    /// The result of a call to something that returns nothing.
    Void,
}

impl Ty {
    pub const ERROR: Ty = Ty::Known(TypeTable::ERROR);
}

/// Whether a value of one type may be used where another is expected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Conversion {
    Implicit,
    /// Accepted by the lenient dialects with a T035 warning.
    Narrowing,
    Invalid,
}

impl Project<'_> {
    /// The implicit conversion from `from` to `to`, by the dialect's rules.
    pub fn conversion(&self, from: TypeId, to: TypeId) -> Conversion {
        use Conversion::*;
        let t = &self.types;
        let (f, g) = (t.resolve(from), t.resolve(to));
        if f == g {
            return Implicit;
        }
        let lenient = self.profile.lenient_conversions;
        match (t.kind(f), t.kind(g)) {
            (TypeKind::Error, _) | (_, TypeKind::Error) => Implicit,
            (_, TypeKind::Generic(generic)) => {
                if self.in_generic(f, *generic) {
                    Implicit
                } else {
                    Invalid
                }
            }
            (TypeKind::String { wide: a, .. }, TypeKind::String { wide: b, .. }) => {
                if a == b {
                    Implicit
                } else {
                    Invalid
                }
            }
            // Vendor tools convert between enumerations through their integer values.
            (TypeKind::Enum { .. }, TypeKind::Enum { .. }) if self.profile.enums_are_integers => {
                Narrowing
            }
            (TypeKind::Enum { .. }, TypeKind::Enum { .. }) => Invalid,
            (TypeKind::Enum { base, .. }, _) if self.profile.enums_are_integers => {
                match t.as_elem(g) {
                    Some(e) if e.is_integer() || e.category() == Category::Bit => {
                        if base.may_lose_information(e) {
                            Narrowing
                        } else {
                            Implicit
                        }
                    }
                    _ => Invalid,
                }
            }
            (_, TypeKind::Enum { .. }) if self.profile.enums_are_integers => match t.as_elem(f) {
                Some(e) if e.is_integer() => Narrowing,
                _ => Invalid,
            },
            (TypeKind::Array { dims: da, elem: ea }, TypeKind::Array { dims: db, elem: eb }) => {
                let same_shape = da.len() == db.len()
                    && da.iter().zip(db).all(|(a, b)| match (a.bounds, b.bounds) {
                        (Some((la, ha)), Some((lb, hb))) => ha - la == hb - lb,
                        _ => true,
                    });
                // Arrays are assigned element by element: same shape, same element type.
                let same_element = t.same(*ea, *eb)
                    || t.as_elem(*ea).is_some() && t.as_elem(*ea) == t.as_elem(*eb);
                if same_shape && same_element {
                    Implicit
                } else {
                    Invalid
                }
            }
            (TypeKind::Pou(a), TypeKind::Pou(b)) => {
                if self.derives_from(*a, *b) {
                    Implicit
                } else {
                    Invalid
                }
            }
            (
                TypeKind::Pointer(_) | TypeKind::RefTo(_) | TypeKind::AnyPointer,
                TypeKind::Pointer(_) | TypeKind::AnyPointer,
            ) => Implicit,
            (TypeKind::RefTo(_), TypeKind::RefTo(_)) if self.profile.references_are_addresses => {
                Implicit
            }
            (TypeKind::RefTo(a), TypeKind::RefTo(b)) => {
                if t.same(*a, *b)
                    || self.conversion(*a, *b) == Implicit
                        && matches!(t.kind(t.resolve(*b)), TypeKind::Pou(_))
                {
                    Implicit
                } else {
                    Invalid
                }
            }
            (TypeKind::AnyPointer, TypeKind::RefTo(_)) => Implicit,
            // Addresses travel in machine words in vendor code.
            (TypeKind::Pointer(_) | TypeKind::AnyPointer, TypeKind::Elem(e))
            | (TypeKind::Elem(e), TypeKind::Pointer(_) | TypeKind::AnyPointer)
                if self.profile.vendor_extensions && e.bits() >= 32 && !e.is_numeric()
                    || self.profile.vendor_extensions && e.is_integer() && e.bits() >= 32 =>
            {
                Implicit
            }
            (TypeKind::RefTo(_), TypeKind::Elem(e)) | (TypeKind::Elem(e), TypeKind::RefTo(_))
                if self.profile.references_are_addresses
                    && e.bits() >= 32
                    && (e.is_integer() || e.category() == Category::Bit) =>
            {
                Implicit
            }
            _ => match (t.as_elem(f), t.as_elem(g)) {
                (Some(a), Some(b)) => {
                    if a.widens_to(b) {
                        Implicit
                    } else if lenient && convertible_in_vendor_tools(a, b) {
                        if a.may_lose_information(b) {
                            Narrowing
                        } else {
                            Implicit
                        }
                    } else {
                        Invalid
                    }
                }
                _ => Invalid,
            },
        }
    }

    /// Whether a type can count loops and index arrays: an integer, or in the lenient dialects
    /// also a bit string (the error type counts, so one mistake is reported once).
    pub fn counts_as_integer(&self, t: TypeId) -> bool {
        self.types.is_error(t)
            || self.types.as_elem(t).is_some_and(|e| {
                e.is_integer()
                    || (self.profile.lenient_conversions
                        && e.category() == Category::Bit
                        && e != Elem::Bool)
            })
    }

    /// Whether a (resolved) type belongs to a generic type.
    pub fn in_generic(&self, id: TypeId, g: Generic) -> bool {
        let t = &self.types;
        if let Some(e) = t.as_elem(id) {
            // CODESYS and TwinCAT shift integers and compute with bit strings.
            let vendor = self.profile.bit_arithmetic
                && e != Elem::Bool
                && match g {
                    Generic::AnyBit => e.is_integer(),
                    Generic::AnyInt | Generic::AnyNum | Generic::AnyMagnitude => {
                        e.category() == Category::Bit
                    }
                    Generic::AnyReal => e.is_integer() || e.category() == Category::Bit,
                    _ => false,
                };
            return g.contains_elem(e) || vendor;
        }
        match t.kind(t.resolve(id)) {
            TypeKind::String { .. } => g.contains_string(),
            TypeKind::Error => true,
            TypeKind::Generic(h) => *h == g || g == Generic::Any,
            TypeKind::Enum { .. } if self.profile.enums_are_integers => {
                matches!(
                    g,
                    Generic::Any
                        | Generic::AnyDerived
                        | Generic::AnyInt
                        | Generic::AnyNum
                        | Generic::AnyElementary
                        | Generic::AnyMagnitude
                )
            }
            _ => matches!(g, Generic::Any | Generic::AnyDerived),
        }
    }
}

/// CODESYS and TwinCAT convert freely between numbers, bit strings, BOOL, durations and
/// characters; dates and strings need explicit conversions.
fn convertible_in_vendor_tools(a: Elem, b: Elem) -> bool {
    let free = |e: Elem| {
        matches!(
            e.category(),
            Category::Bit
                | Category::Signed
                | Category::Unsigned
                | Category::Real
                | Category::Duration
                | Category::Char
        ) || matches!(e, Elem::Date | Elem::Tod | Elem::Dt)
    };
    free(a) && free(b)
}

/// The smallest integer type of the standard that holds a value.
pub fn smallest_int(v: i128) -> Elem {
    [Elem::SInt, Elem::Int, Elem::DInt, Elem::LInt, Elem::ULInt]
        .into_iter()
        .find(|e| {
            let (lo, hi) = e.int_range().unwrap_or((0, 0));
            lo <= v && v <= hi
        })
        .unwrap_or(Elem::LInt)
}

fn literal_type(lit: &Literal) -> Ty {
    let upper = |s: &str| lit.text.len() >= s.len() && lit.text[..s.len()].eq_ignore_ascii_case(s);
    let elem = match lit.kind {
        LiteralKind::Integer => {
            return Ty::Int(
                literal::integer_value(&lit.text)
                    .ok()
                    .and_then(|v| i128::try_from(v).ok()),
            );
        }
        LiteralKind::Real => return Ty::Real,
        LiteralKind::Bool => Elem::Bool,
        LiteralKind::String => return Ty::Known(TypeTable::STRING),
        LiteralKind::WString => return Ty::Known(TypeTable::WSTRING),
        LiteralKind::Time if upper("LT") => Elem::LTime,
        LiteralKind::Time => Elem::Time,
        LiteralKind::Date if upper("LD") => Elem::LDate,
        LiteralKind::Date => Elem::Date,
        LiteralKind::TimeOfDay if upper("LT") => Elem::LTod,
        LiteralKind::TimeOfDay => Elem::Tod,
        LiteralKind::DateAndTime if upper("LD") => Elem::Ldt,
        LiteralKind::DateAndTime => Elem::Dt,
    };
    Ty::Known(TypeTable::elem(elem))
}

/// What a name in front of a `.` denotes.
pub enum Base {
    Value(Ty),
    Enum(TypeId),
    Namespace(smol_str::SmolStr),
}

impl Checker<'_, '_> {
    pub fn display(&self, ty: Ty) -> String {
        match ty {
            Ty::Known(t) => self.p.types.display(t),
            Ty::Int(_) => "integer literal".into(),
            Ty::Real => "real literal".into(),
            Ty::Void => "no value".into(),
        }
    }

    fn record(&mut self, e: &Expr, ty: Ty) -> Ty {
        if let Ty::Known(t) = ty {
            self.types.insert(e.id, t);
        }
        ty
    }

    /// Types an expression used as a value.
    pub fn expr(&mut self, e: &Expr) -> Ty {
        let ty = self.expr_inner(e);
        self.record(e, ty)
    }

    fn expr_inner(&mut self, e: &Expr) -> Ty {
        match &e.kind {
            ExprKind::Literal(lit) => literal_type(lit),
            ExprKind::Typed { ty, value } => self.typed_literal(ty, value),
            ExprKind::Name(name) => self.name(e.id, name),
            ExprKind::Address(a) => Ty::Known(address_type(&a.text)),
            ExprKind::This | ExprKind::Super => {
                self.this_or_super(e);
                Ty::Known(TypeTable::ANY_POINTER)
            }
            ExprKind::Unary { op, operand } => self.unary(e, *op, operand),
            ExprKind::Binary { op, lhs, rhs } => self.binary(e, *op, lhs, rhs),
            ExprKind::Paren(inner) => self.expr(inner),
            ExprKind::Member { base, member } => self.member(e.id, base, member),
            ExprKind::Bit { base, bit } => {
                let t = self.expr(base);
                let bits = match t {
                    Ty::Known(t) => self.p.types.as_elem(t).map(|e| e.bits()),
                    _ => Some(64),
                };
                let index = literal::integer_value(&bit.text).unwrap_or(0);
                match bits {
                    None if !self.is_error(t) => self.report(
                        Code::T021,
                        e.span,
                        format!(
                            "bit access `.{}` needs an integer or bit string, not `{}`",
                            bit.text,
                            self.display(t)
                        ),
                    ),
                    Some(n) if index >= n as u128 && n > 1 => {
                        let span = crate::source::Span::new(
                            base.span.end as usize + 1,
                            e.span.end as usize,
                        );
                        self.report(
                            Code::T020,
                            span,
                            format!(
                                "bit {index} is out of range for `{}` (bits 0..{})",
                                self.display(t),
                                n - 1
                            ),
                        )
                    }
                    _ => {}
                }
                Ty::Known(TypeTable::elem(Elem::Bool))
            }
            ExprKind::Index { base, indices } => self.index(e, base, indices),
            ExprKind::Deref(inner) => self.deref(inner),
            ExprKind::Assign { target, value } => {
                self.vendor_only(e.span, "an assignment inside an expression");
                let t = self.assign_target(target);
                if let Some(t) = t {
                    self.expect(value, t);
                    Ty::Known(t)
                } else {
                    self.expr(value);
                    Ty::ERROR
                }
            }
            ExprKind::Call { callee, args } => self.call(callee, args),
            ExprKind::ArrayInit { elems, .. } => {
                for el in elems {
                    match el {
                        ArrayInitElem::Single(v) => {
                            self.expr(v);
                        }
                        ArrayInitElem::Repeat { count, value } => {
                            self.expr(count);
                            if let Some(v) = value {
                                self.expr(v);
                            }
                        }
                    }
                }
                Ty::ERROR
            }
            ExprKind::StructInit(fields) => {
                for (_, v) in fields {
                    self.expr(v);
                }
                Ty::ERROR
            }
            ExprKind::Error => Ty::ERROR,
        }
    }

    pub fn is_error(&self, ty: Ty) -> bool {
        matches!(ty, Ty::Known(t) if self.p.types.is_error(t))
    }

    fn typed_literal(&mut self, ty: &Ident, value: &Expr) -> Ty {
        let k = key(&ty.name);
        let Some(t) = self.p.type_names.get(&k).copied().or_else(|| {
            let q = QualifiedName {
                parts: vec![ty.clone()],
                span: ty.span,
            };
            self.p.lookup_type(&q)
        }) else {
            self.report(Code::T002, ty.span, format!("unknown type `{}`", ty.name));
            return Ty::ERROR;
        };
        if let TypeKind::Enum { values, .. } = self.p.types.kind(self.p.types.resolve(t))
            && let ExprKind::Name(v) = &value.kind
        {
            if !values.iter().any(|(n, _)| *n == key(&v.name)) {
                self.report(
                    Code::T001,
                    v.span,
                    format!("`{}` has no value `{}`", ty.name, v.name),
                );
            }
            self.types.insert(value.id, t);
            return Ty::Known(t);
        }
        let inner = match &value.kind {
            ExprKind::Literal(lit) => literal_type(lit),
            ExprKind::Unary {
                op: UnaryOp::Neg,
                operand,
            } => match self.expr(operand) {
                Ty::Int(v) => Ty::Int(v.map(|v| -v)),
                other => other,
            },
            _ => self.expr(value),
        };
        // The literal's span includes the type prefix: `INT#40000` is reported as a whole.
        let whole = Expr {
            id: value.id,
            kind: ExprKind::Error,
            span: ty.span.to(value.span),
        };
        self.coerce(&whole, inner, t);
        Ty::Known(t)
    }

    /// A bare name used as a value.
    fn name(&mut self, id: NodeId, name: &Ident) -> Ty {
        let k = key(&name.name);
        if let Some((t, resolved)) = self.variable(&k) {
            self.resolved.push((id, resolved));
            return Ty::Known(t);
        }
        if let Some(&types) = self.p.enum_values.get(&k).map(|v| v.first()).as_ref()
            && let Some(&t) = types
        {
            self.resolve_enum_value(id, t, &k);
            return Ty::Known(t);
        }
        if let Some(&pou) = self.p.pou_names.get(&k) {
            if self.p.pou(pou).kind == PouKind::Program
                && let Some(t) = self.p.pou(pou).instance
            {
                self.resolved.push((id, Resolved::Program(pou)));
                return Ty::Known(t);
            }
            let what = match self.p.pou(pou).kind {
                PouKind::Function => "a function: call it with `()`",
                _ => "a POU type, not a variable",
            };
            self.report(Code::T036, name.span, format!("`{}` is {what}", name.name));
            return Ty::ERROR;
        }
        if self.p.type_names.contains_key(&k)
            || self
                .p
                .lookup_type(&QualifiedName {
                    parts: vec![name.clone()],
                    span: name.span,
                })
                .is_some()
        {
            self.report(
                Code::T036,
                name.span,
                format!("`{}` is a type, not a value", name.name),
            );
            return Ty::ERROR;
        }
        self.report(
            Code::T001,
            name.span,
            format!("unknown name `{}`", name.name),
        );
        Ty::ERROR
    }

    /// A variable visible by its bare name: locals (and those of the owning function block),
    /// the function's result, globals. Marks it used.
    pub fn variable(&mut self, k: &smol_str::SmolStr) -> Option<(TypeId, Resolved)> {
        if let Some((pou, i)) = self.p.scope_var(self.pou, k) {
            self.used.push((pou, i));
            return Some((self.p.pou(pou).vars[i].ty, Resolved::Var(pou, i)));
        }
        if let Some(t) = self.result_variable(k) {
            return Some((t, Resolved::Result));
        }
        if let Some((property, t)) = self.own_property(k) {
            return Some((t, Resolved::Property(property)));
        }
        let &g = self.p.global_names.get(k)?;
        Some((self.p.globals[g].ty, Resolved::Global(g)))
    }

    /// A property of the function block being checked (or its bases), used by its bare name.
    fn own_property(&self, k: &str) -> Option<(PouId, TypeId)> {
        let mut scope = Some(self.pou);
        while let Some(s) = scope {
            if let Some(m) = self.p.member(s, k) {
                let info = self.p.pou(m);
                return (info.kind == PouKind::Property)
                    .then_some(info.ret)
                    .flatten()
                    .map(|t| (m, t));
            }
            scope = self.p.pou(s).parent;
        }
        None
    }

    /// Records an enumeration value with its integer value.
    fn resolve_enum_value(&mut self, id: NodeId, t: TypeId, k: &str) {
        if let TypeKind::Enum { values, .. } = self.p.types.kind(self.p.types.resolve(t))
            && let Some((_, v)) = values.iter().find(|(n, _)| n == k)
        {
            self.resolved.push((id, Resolved::EnumValue(t, *v)));
        }
    }

    /// The result variable of the function, method or property being checked.
    pub fn result_variable(&self, k: &str) -> Option<TypeId> {
        let info = self.p.pou(self.pou);
        match info.kind {
            PouKind::Function | PouKind::Method if info.key == k => info.ret,
            PouKind::Getter | PouKind::Setter => {
                let parent = self.p.pou(info.parent?);
                (parent.key == k).then_some(info.ret).flatten()
            }
            _ => None,
        }
    }

    fn this_or_super(&mut self, e: &Expr) -> Option<TypeId> {
        let owner = self.p.owner(self.pou);
        let info = self.p.pou(owner);
        let is_fb = matches!(info.kind, PouKind::FunctionBlock | PouKind::Class);
        let target = match e.kind {
            ExprKind::This if is_fb => info.instance,
            ExprKind::Super if is_fb => info.base.and_then(|b| self.p.pou(b).instance),
            _ => None,
        };
        if target.is_none() {
            let word = if matches!(e.kind, ExprKind::This) {
                "THIS"
            } else {
                "SUPER"
            };
            let why = if is_fb {
                "this function block extends nothing"
            } else {
                "it is only defined inside a function block or class"
            };
            self.report(
                Code::T032,
                e.span,
                format!("`{word}` cannot be used here: {why}"),
            );
        }
        target
    }

    fn deref(&mut self, inner: &Expr) -> Ty {
        if matches!(inner.kind, ExprKind::This | ExprKind::Super) {
            return Ty::Known(self.this_or_super(inner).unwrap_or(TypeTable::ERROR));
        }
        let t = self.expr(inner);
        let Ty::Known(t) = t else {
            self.report(
                Code::T033,
                inner.span,
                format!("`{}` is not a pointer or reference", self.display(t)),
            );
            return Ty::ERROR;
        };
        let types = &self.p.types;
        match types.kind(types.unalias(t)) {
            TypeKind::Pointer(to) | TypeKind::RefTo(to) => Ty::Known(*to),
            TypeKind::AnyPointer | TypeKind::Error => Ty::ERROR,
            _ => {
                let shown = types.display(t);
                self.report(
                    Code::T033,
                    inner.span,
                    format!("`^` needs a pointer or reference, but this is `{shown}`"),
                );
                Ty::ERROR
            }
        }
    }

    /// What the expression in front of a `.` denotes.
    pub fn base(&mut self, base: &Expr) -> Base {
        // `Library.Enumeration.Value`
        if let ExprKind::Member {
            base: inner,
            member,
        } = &base.kind
            && let ExprKind::Name(ns) = &inner.kind
        {
            let (ns, k) = (key(&ns.name), key(&member.name));
            if self.is_qualifier(&ns)
                && let Some(&t) = self.p.type_names.get(&k)
                && matches!(
                    self.p.types.kind(self.p.types.resolve(t)),
                    TypeKind::Enum { .. }
                )
            {
                return Base::Enum(t);
            }
        }
        if let ExprKind::Name(n) = &base.kind {
            let k = key(&n.name);
            if self.p.scope_var(self.pou, &k).is_none() && self.result_variable(&k).is_none() {
                if let Some(&t) = self.p.type_names.get(&k)
                    && matches!(
                        self.p.types.kind(self.p.types.resolve(t)),
                        TypeKind::Enum { .. }
                    )
                {
                    return Base::Enum(t);
                }
                if self.p.namespaces.contains_key(&k) && !self.p.global_names.contains_key(&k) {
                    return Base::Namespace(k);
                }
                // A library's or the project's own namespace (`TcoCore.TcoContext`).
                if self.is_qualifier(&k) {
                    return Base::Namespace(k);
                }
            }
        }
        Base::Value(self.expr(base))
    }

    /// A name that qualifies another instead of denoting a value: a global variable list, a
    /// library, or any name declared nowhere (`TcoCore.` in TcoCore itself, `__SYSTEM.`), which
    /// then resolves by the qualified name's last part.
    fn is_qualifier(&self, k: &smol_str::SmolStr) -> bool {
        let p = self.p;
        p.scope_var(self.pou, k).is_none()
            && self.result_variable(k).is_none()
            && !p.global_names.contains_key(k)
            && (p.namespaces.contains_key(k)
                || (!p.pou_names.contains_key(k)
                    && !p.type_names.contains_key(k)
                    && !p.enum_values.contains_key(k)
                    && self.own_property(k).is_none()))
    }

    fn member(&mut self, id: NodeId, base: &Expr, member: &Ident) -> Ty {
        let k = key(&member.name);
        match self.base(base) {
            Base::Enum(t) => {
                if let TypeKind::Enum { values, .. } = self.p.types.kind(self.p.types.resolve(t))
                    && values.iter().any(|(n, _)| *n == k)
                {
                    self.resolve_enum_value(id, t, &k);
                    return Ty::Known(t);
                }
                let shown = self.p.types.display(t);
                self.report(
                    Code::T021,
                    member.span,
                    format!("`{shown}` has no value `{}`", member.name),
                );
                Ty::ERROR
            }
            Base::Namespace(ns) => {
                let known_namespace = self.p.namespaces.get(&ns);
                let found = match known_namespace {
                    Some(names) => names.get(&k),
                    None => self.p.global_names.get(&k),
                };
                match found {
                    Some(&g) => {
                        self.resolved.push((id, Resolved::Global(g)));
                        Ty::Known(self.p.globals[g].ty)
                    }
                    None if known_namespace.is_some() => {
                        let message =
                            format!("`{}` declares no `{}`", self.p.text_of(base), member.name);
                        self.report(Code::T021, member.span, message);
                        Ty::ERROR
                    }
                    None => {
                        self.unknown_library(base);
                        Ty::ERROR
                    }
                }
            }
            Base::Value(ty) => self.value_member(Some(id), ty, member),
        }
    }

    /// `value.member` for structures, instances and properties.
    pub fn value_member(&mut self, id: Option<NodeId>, ty: Ty, member: &Ident) -> Ty {
        let k = key(&member.name);
        let Ty::Known(t) = ty else {
            self.report(
                Code::T021,
                member.span,
                format!("{} has no member `{}`", self.display(ty), member.name),
            );
            return Ty::ERROR;
        };
        let types = &self.p.types;
        let resolved = types.resolve(t);
        match types.kind(resolved) {
            TypeKind::Error => Ty::ERROR,
            // CODESYS and TwinCAT pass an `ANY` input as its address, size and type class.
            TypeKind::Generic(_)
                if self.p.profile.vendor_extensions
                    && matches!(k.as_str(), "PVALUE" | "DISIZE" | "TYPECLASS") =>
            {
                Ty::Known(match k.as_str() {
                    "PVALUE" => TypeTable::ANY_POINTER,
                    "DISIZE" => TypeTable::elem(Elem::DInt),
                    _ => self
                        .p
                        .type_names
                        .get("TYPE_CLASS")
                        .copied()
                        .unwrap_or(TypeTable::ERROR),
                })
            }
            TypeKind::Struct { .. } => match self.field(resolved, &k) {
                Some(f) => {
                    self.resolved
                        .extend(id.map(|id| (id, Resolved::Field(member.name.clone()))));
                    Ty::Known(f)
                }
                None => {
                    let shown = types.display(t);
                    self.report(
                        Code::T021,
                        member.span,
                        format!("`{shown}` has no member `{}`", member.name),
                    );
                    Ty::ERROR
                }
            },
            TypeKind::Pou(pou) => {
                let pou = *pou;
                if let Some((owner, i)) = self.p.inherited_var(pou, &k) {
                    self.used.push((owner, i));
                    self.resolved
                        .extend(id.map(|id| (id, Resolved::Var(owner, i))));
                    return Ty::Known(self.p.pou(owner).vars[i].ty);
                }
                if let Some(m) = self.p.member(pou, &k) {
                    let info = self.p.pou(m);
                    if info.kind == PouKind::Property {
                        self.resolved
                            .extend(id.map(|id| (id, Resolved::Property(m))));
                        return Ty::Known(info.ret.unwrap_or(TypeTable::ERROR));
                    }
                    self.report(
                        Code::T036,
                        member.span,
                        format!("`{}` is a method or action: call it with `()`", member.name),
                    );
                    return Ty::ERROR;
                }
                let shown = types.display(t);
                self.report(
                    Code::T021,
                    member.span,
                    format!("`{shown}` has no member `{}`", member.name),
                );
                Ty::ERROR
            }
            _ => {
                let shown = types.display(t);
                self.report(
                    Code::T021,
                    member.span,
                    format!(
                        "`{shown}` has no members, so `.{}` is not defined",
                        member.name
                    ),
                );
                Ty::ERROR
            }
        }
    }

    /// A field of a structure or of one it extends.
    pub fn field(&self, mut t: TypeId, k: &str) -> Option<TypeId> {
        for _ in 0..64 {
            let TypeKind::Struct { fields, base, .. } = self.p.types.kind(self.p.types.resolve(t))
            else {
                return None;
            };
            if let Some(f) = fields.iter().find(|f| f.key == k) {
                return Some(f.ty);
            }
            t = (*base)?;
        }
        None
    }

    fn index(&mut self, e: &Expr, base: &Expr, indices: &[Expr]) -> Ty {
        let t = self.expr(base);
        let Ty::Known(t) = t else {
            self.report(
                Code::T019,
                base.span,
                format!("{} cannot be indexed", self.display(t)),
            );
            return Ty::ERROR;
        };
        let types = &self.p.types;
        let resolved = types.resolve(t);
        let (dims, elem) = match types.kind(resolved) {
            TypeKind::Error => {
                for i in indices {
                    self.expr(i);
                }
                return Ty::ERROR;
            }
            TypeKind::Array { dims, elem } => (dims.clone(), *elem),
            // CODESYS indexes pointers like arrays and strings by byte.
            TypeKind::AnyPointer if self.p.profile.vendor_extensions => (
                vec![super::types::Dim { bounds: None }],
                TypeTable::elem(Elem::Byte),
            ),
            TypeKind::Pointer(to) if self.p.profile.vendor_extensions => {
                (vec![super::types::Dim { bounds: None }], *to)
            }
            TypeKind::String { wide, .. } if self.p.profile.vendor_extensions => {
                let e = if *wide { Elem::Word } else { Elem::Byte };
                (vec![super::types::Dim { bounds: None }], TypeTable::elem(e))
            }
            _ => {
                let shown = types.display(t);
                self.report(Code::T019, base.span, format!("`{shown}` is not an array"));
                return Ty::ERROR;
            }
        };
        if dims.len() != indices.len() {
            self.report(
                Code::T019,
                e.span,
                format!(
                    "this array has {} dimension(s) but {} index(es) are given",
                    dims.len(),
                    indices.len()
                ),
            );
        }
        for (i, index) in indices.iter().enumerate() {
            let ty = self.expr(index);
            let integer = match ty {
                Ty::Int(_) => true,
                Ty::Known(t) => {
                    self.p.counts_as_integer(t)
                        || (self.p.profile.enums_are_integers
                            && matches!(
                                self.p.types.kind(self.p.types.resolve(t)),
                                TypeKind::Enum { .. }
                            ))
                }
                _ => false,
            };
            if !integer {
                self.report(
                    Code::T019,
                    index.span,
                    format!(
                        "an array index must be an integer, not `{}`",
                        self.display(ty)
                    ),
                );
                continue;
            }
            let bounds = dims.get(i).and_then(|d| d.bounds);
            if let (Some((lo, hi)), Some(v)) = (bounds, self.p.const_value(index, &self.constants))
                && (v < lo || v > hi)
            {
                self.report(
                    Code::T020,
                    index.span,
                    format!("index {v} is outside the array bounds {lo}..{hi}"),
                );
            }
        }
        Ty::Known(elem)
    }

    fn unary(&mut self, e: &Expr, op: UnaryOp, operand: &Expr) -> Ty {
        let t = self.expr(operand);
        match (op, t) {
            (UnaryOp::Neg, Ty::Int(v)) => Ty::Int(v.and_then(|v| v.checked_neg())),
            (_, Ty::Int(v)) if op == UnaryOp::Plus => Ty::Int(v),
            (UnaryOp::Neg | UnaryOp::Plus, Ty::Real) => Ty::Real,
            (UnaryOp::Not, Ty::Int(_)) => t,
            (_, Ty::Known(k)) if self.p.types.is_error(k) => t,
            (UnaryOp::Not, Ty::Known(k))
                if self.p.types.as_elem(k).is_some_and(|e| {
                    e.category() == Category::Bit
                        || (self.p.profile.bit_arithmetic && e.is_integer())
                }) =>
            {
                t
            }
            (UnaryOp::Neg | UnaryOp::Plus, Ty::Known(k))
                if self.p.types.as_elem(k).is_some_and(|e| {
                    e.is_numeric()
                        || e.category() == Category::Duration
                        || (self.p.profile.bit_arithmetic && e.category() == Category::Bit)
                }) =>
            {
                t
            }
            _ => {
                let sym = match op {
                    UnaryOp::Neg => "-",
                    UnaryOp::Plus => "+",
                    UnaryOp::Not => "NOT",
                };
                self.report(
                    Code::T005,
                    e.span,
                    format!("`{sym}` is not defined for `{}`", self.display(t)),
                );
                Ty::ERROR
            }
        }
    }

    /// Gives an untyped literal operand the type of the other operand where it fits.
    fn settle(&mut self, e: &Expr, ty: Ty, other: Ty) -> Ty {
        match (ty, other) {
            (Ty::Int(v), Ty::Known(o)) => {
                let fits = match (v, self.p.types.as_elem(o).filter(|&e| e != Elem::Bool)) {
                    (_, Some(e)) if e.category() == Category::Real => true,
                    (Some(v), Some(e)) if e.int_range().is_some() => {
                        let (lo, hi) = e.int_range().unwrap_or((0, 0));
                        lo <= v && v <= hi
                    }
                    (None, Some(e)) => e.int_range().is_some(),
                    _ => false,
                };
                if fits {
                    self.types.insert(e.id, o);
                    Ty::Known(o)
                } else {
                    let t = TypeTable::elem(v.map(smallest_int).unwrap_or(Elem::DInt));
                    self.types.insert(e.id, t);
                    Ty::Known(t)
                }
            }
            (Ty::Real, Ty::Known(o))
                if self
                    .p
                    .types
                    .as_elem(o)
                    .is_some_and(|e| e.category() == Category::Real) =>
            {
                self.types.insert(e.id, o);
                Ty::Known(o)
            }
            (Ty::Real, _) => Ty::Known(TypeTable::elem(Elem::LReal)),
            (Ty::Int(v), _) => {
                Ty::Known(TypeTable::elem(v.map(smallest_int).unwrap_or(Elem::DInt)))
            }
            _ => ty,
        }
    }

    fn binary(&mut self, e: &Expr, op: BinaryOp, lhs: &Expr, rhs: &Expr) -> Ty {
        use BinaryOp::*;
        if matches!(op, AndThen | OrElse) {
            self.vendor_only(
                e.span,
                if op == AndThen {
                    "`AND_THEN`"
                } else {
                    "`OR_ELSE`"
                },
            );
        }
        let (l, r) = if matches!(lhs.kind, ExprKind::Name(_))
            && matches!(rhs.kind, ExprKind::Name(_))
            && self.p.enum_values.contains_key(&key(&self.p.text_of(lhs)))
        {
            let r = self.expr(rhs);
            (self.expr_expecting(lhs, r), r)
        } else {
            let l = self.expr(lhs);
            (l, self.expr_expecting(rhs, l))
        };
        if self.is_error(l) || self.is_error(r) {
            return match op {
                Eq | Ne | Lt | Gt | Le | Ge | AndThen | OrElse => {
                    Ty::Known(TypeTable::elem(Elem::Bool))
                }
                _ => Ty::ERROR,
            };
        }
        // Two literals fold into one.
        if let (Ty::Int(a), Ty::Int(b)) = (l, r) {
            let v = a.zip(b).and_then(|(a, b)| match op {
                Add => a.checked_add(b),
                Sub => a.checked_sub(b),
                Mul => a.checked_mul(b),
                Div => a.checked_div(b),
                Mod => a.checked_rem(b),
                _ => None,
            });
            return match op {
                Eq | Ne | Lt | Gt | Le | Ge => Ty::Known(TypeTable::elem(Elem::Bool)),
                Power => Ty::Real,
                _ => Ty::Int(v),
            };
        }
        if matches!(
            (l, r),
            (Ty::Real, Ty::Real | Ty::Int(_)) | (Ty::Int(_), Ty::Real)
        ) {
            return match op {
                Eq | Ne | Lt | Gt | Le | Ge => Ty::Known(TypeTable::elem(Elem::Bool)),
                Add | Sub | Mul | Div | Power => Ty::Real,
                _ => self.operator_error(e, op, l, r),
            };
        }
        // Messages name the operands as written (`integer literal`), not as settled.
        let (written_l, written_r) = (l, r);
        let l = self.settle(lhs, l, r);
        let r = self.settle(rhs, r, l);
        let (Ty::Known(a), Ty::Known(b)) = (l, r) else {
            return self.operator_error(e, op, written_l, written_r);
        };
        match self.operator_result(op, a, b) {
            Some(t) => {
                // The type both operands are brought to before the operation (`a < b` with an
                // INT and a DINT compares DINTs); mixed operations such as TIME * INT have none.
                if let Some(common) = self.common_type(a, b) {
                    self.operand_types.push((e.id, common));
                }
                Ty::Known(t)
            }
            None => self.operator_error(e, op, written_l, written_r),
        }
    }

    fn operator_error(&mut self, e: &Expr, op: BinaryOp, l: Ty, r: Ty) -> Ty {
        let message = format!(
            "`{}` is not defined for `{}` and `{}`",
            op.symbol(),
            self.display(l),
            self.display(r)
        );
        self.report(Code::T005, e.span, message);
        Ty::ERROR
    }

    /// The result type of a binary operator on two typed operands, or `None` if the
    /// operator is not defined for them.
    fn operator_result(&self, op: BinaryOp, a: TypeId, b: TypeId) -> Option<TypeId> {
        use BinaryOp::*;
        use Category::*;
        let p = self.p;
        let types = &p.types;
        let bool_t = TypeTable::elem(Elem::Bool);
        let (ea, eb) = (types.as_elem(a), types.as_elem(b));
        let common = self.common_type(a, b);
        let vendor = p.profile.bit_arithmetic;
        // Vendor code masks and scales addresses as machine words.
        let pointer = |t: TypeId| match types.kind(types.resolve(t)) {
            TypeKind::Pointer(_) | TypeKind::AnyPointer => true,
            TypeKind::RefTo(_) => p.profile.references_are_addresses,
            _ => false,
        };
        if vendor && matches!(op, And | Or | Xor | Mod | Mul | Div) && (pointer(a) || pointer(b)) {
            let word = |t: TypeId| {
                if pointer(t) {
                    TypeTable::elem(Elem::LWord)
                } else {
                    t
                }
            };
            return self.operator_result(op, word(a), word(b));
        }
        match op {
            Eq | Ne | Lt | Gt | Le | Ge => {
                if common.is_some()
                    && (ea.is_some() || types.is_string(a).is_some() || p.profile.vendor_extensions)
                {
                    return Some(bool_t);
                }
                let (ra, rb) = (types.resolve(a), types.resolve(b));
                let is_enum = |t: TypeId| matches!(types.kind(t), TypeKind::Enum { .. });
                let integer = |t: TypeId| types.as_elem(t).is_some_and(Elem::is_integer);
                // Vendor tools compare enumerations by value, with each other and integers.
                let enums = (is_enum(ra) && ra == rb)
                    || (p.profile.enums_are_integers
                        && (is_enum(ra) || is_enum(rb))
                        && (is_enum(ra) || integer(ra))
                        && (is_enum(rb) || integer(rb)));
                let pointers = p.profile.vendor_extensions
                    && [ra, rb].iter().any(|&t| {
                        matches!(
                            types.kind(t),
                            TypeKind::Pointer(_)
                                | TypeKind::AnyPointer
                                | TypeKind::RefTo(_)
                                | TypeKind::Pou(_)
                        )
                    });
                (enums || pointers || (p.profile.enums_are_integers && common.is_some()))
                    .then_some(bool_t)
            }
            And | Or | Xor | AndThen | OrElse => {
                if matches!(op, AndThen | OrElse) {
                    return (ea == Some(Elem::Bool) && eb == Some(Elem::Bool)).then_some(bool_t);
                }
                let c = common?;
                let ec = types.as_elem(c)?;
                (ec.category() == Bit || (vendor && ec.is_integer())).then_some(c)
            }
            Mod => {
                let ec = types.as_elem(common?)?;
                (ec.is_integer() || (vendor && ec.category() == Bit && ec != Elem::Bool))
                    .then_some(common?)
            }
            Power => {
                let (ea, eb) = (ea?, eb?);
                if !(ea.is_numeric() && eb.is_numeric()) {
                    return None;
                }
                let wide = ea == Elem::LReal || eb == Elem::LReal;
                Some(TypeTable::elem(if wide {
                    Elem::LReal
                } else if ea.category() == Real {
                    ea
                } else {
                    Elem::Real
                }))
            }
            Add | Sub | Mul | Div => {
                let (ca, cb) = (ea.map(Elem::category), eb.map(Elem::category));
                // Durations and dates (IEC Tables 35 and 36).
                match (op, ea, eb) {
                    (Add | Sub, Some(x), Some(y)) if ca == Some(Duration) && x == y => {
                        return Some(a);
                    }
                    (Mul | Div, Some(_), Some(y)) if ca == Some(Duration) && y.is_numeric() => {
                        return Some(a);
                    }
                    (Add | Sub, Some(Elem::Tod | Elem::Dt), Some(Elem::Time)) => return Some(a),
                    (Add | Sub, Some(Elem::Date), Some(Elem::Time)) if vendor => return Some(a),
                    (Add | Sub, Some(Elem::LTod | Elem::Ldt), Some(Elem::LTime)) => return Some(a),
                    (Sub, Some(x), Some(y))
                        if x == y && matches!(x, Elem::Date | Elem::Tod | Elem::Dt) =>
                    {
                        return Some(TypeTable::elem(Elem::Time));
                    }
                    (Sub, Some(x), Some(y))
                        if x == y && matches!(x, Elem::LDate | Elem::LTod | Elem::Ldt) =>
                    {
                        return Some(TypeTable::elem(Elem::LTime));
                    }
                    _ => {}
                }
                if vendor
                    && pointer(a)
                    && eb.is_some_and(|e| e.is_integer() || e.category() == Bit)
                    && matches!(op, Add | Sub)
                {
                    return Some(a);
                }
                let c = common?;
                let ec = types.as_elem(c)?;
                (ec.is_numeric()
                    || (vendor
                        && (ec.category() == Bit && ec != Elem::Bool
                            || (ec.category() == Duration && cb != Some(Date))))
                    || (vendor && ca == Some(Duration)))
                .then_some(c)
            }
        }
    }

    /// The type both operands convert to implicitly: one of the two, or the smallest type
    /// both widen to.
    pub fn common_type(&self, a: TypeId, b: TypeId) -> Option<TypeId> {
        let p = self.p;
        let implicit = |x: TypeId, y: TypeId| p.conversion(x, y) == Conversion::Implicit;
        if implicit(a, b) {
            return Some(b);
        }
        if implicit(b, a) {
            return Some(a);
        }
        let (ea, eb) = (p.types.as_elem(a)?, p.types.as_elem(b)?);
        let candidates = [
            Elem::Int,
            Elem::DInt,
            Elem::LInt,
            Elem::Real,
            Elem::LReal,
            Elem::Word,
            Elem::DWord,
            Elem::LWord,
        ];
        if let Some(c) = candidates
            .into_iter()
            .find(|&c| ea.widens_to(c) && eb.widens_to(c))
        {
            return Some(TypeTable::elem(c));
        }
        if p.profile.lenient_conversions {
            // The larger of the two, preferring reals, as CODESYS computes.
            let rank = |e: Elem| {
                (e.category() == Category::Real) as u32 * 1000
                    + e.bits() * 2
                    + (e.category() == Category::Signed) as u32
            };
            if convertible_in_vendor_tools(ea, eb) {
                return Some(if rank(ea) >= rank(eb) { a } else { b });
            }
        }
        None
    }

    /// Checks a value against the type it must have, narrowing literals.
    /// Types an expression where a value of `expected` is wanted: a bare enumeration value
    /// that several enumerations declare (`Idle`) is taken from the expected one.
    pub fn expr_expecting(&mut self, e: &Expr, expected: Ty) -> Ty {
        if let (ExprKind::Name(n), Ty::Known(t)) = (&e.kind, expected) {
            let k = key(&n.name);
            let resolved = self.p.types.resolve(t);
            if let TypeKind::Enum { values, .. } = self.p.types.kind(resolved) {
                let declares = values.iter().any(|(v, _)| *v == k);
                if declares
                    && self.p.scope_var(self.pou, &k).is_none()
                    && !self.p.global_names.contains_key(&k)
                {
                    self.types.insert(e.id, t);
                    self.resolve_enum_value(e.id, t, &k);
                    return Ty::Known(t);
                }
            }
        }
        self.expr(e)
    }

    pub fn expect(&mut self, e: &Expr, target: TypeId) {
        match (&e.kind, self.p.types.kind(self.p.types.resolve(target))) {
            (ExprKind::ArrayInit { elems, .. }, TypeKind::Array { elem, .. }) => {
                let elem = *elem;
                for el in elems {
                    match el {
                        ArrayInitElem::Single(v) => self.expect(v, elem),
                        ArrayInitElem::Repeat { count, value } => {
                            self.expr(count);
                            if let Some(v) = value {
                                self.expect(v, elem);
                            }
                        }
                    }
                }
                return;
            }
            (ExprKind::StructInit(fields), TypeKind::Struct { .. } | TypeKind::Pou(_)) => {
                let resolved = self.p.types.resolve(target);
                for (name, v) in fields {
                    let k = key(&name.name);
                    let field = match self.p.types.kind(resolved) {
                        TypeKind::Pou(pou) => self
                            .p
                            .inherited_var(*pou, &k)
                            .map(|(o, i)| self.p.pou(o).vars[i].ty),
                        _ => self.field(resolved, &k),
                    };
                    match field {
                        Some(f) => self.expect(v, f),
                        None => {
                            let shown = self.p.types.display(target);
                            self.report(
                                Code::T021,
                                name.span,
                                format!("`{shown}` has no member `{}`", name.name),
                            );
                            self.expr(v);
                        }
                    }
                }
                return;
            }
            _ => {}
        }
        let ty = self.expr_expecting(e, Ty::Known(target));
        self.coerce(e, ty, target);
    }

    /// Reports whether a value of type `ty` may be used as a `target`.
    pub fn coerce(&mut self, e: &Expr, ty: Ty, target: TypeId) {
        let types = &self.p.types;
        let resolved = types.resolve(target);
        let kind = types.kind(resolved);
        let lenient = self.p.profile.lenient_conversions;
        let shown_target = || types.display(target);
        let ok = match ty {
            Ty::Known(t) => match self.p.conversion(t, target) {
                Conversion::Implicit => true,
                Conversion::Narrowing => {
                    let message = format!(
                        "implicit conversion from `{}` to `{}` may lose information",
                        types.display(t),
                        shown_target()
                    );
                    self.report(Code::T035, e.span, message);
                    true
                }
                Conversion::Invalid => false,
            },
            Ty::Int(v) => {
                let elem = types.as_elem(resolved);
                let range = match kind {
                    TypeKind::Subrange { low, high, .. } => Some((*low, *high)),
                    _ => elem.and_then(Elem::int_range),
                };
                match (elem, kind) {
                    // 0 and 1 are BOOL literals in the standard (Table 5).
                    (Some(Elem::Bool), _) => matches!(v, Some(0 | 1)) || (lenient && v.is_none()),
                    (Some(el), _) if el.int_range().is_some() => {
                        if let (Some(v), Some((lo, hi))) = (v, range) {
                            if v < 0 && lo == 0 && lenient {
                                // CODESYS and TwinCAT wrap it around, with their warning C0195.
                                let message = format!(
                                    "{v} becomes {} in `{}`",
                                    v.rem_euclid(hi + 1),
                                    shown_target()
                                );
                                self.report(Code::T035, e.span, message);
                            } else if v < lo || v > hi {
                                let message = format!(
                                    "{v} does not fit in `{}` ({lo}..{hi})",
                                    shown_target()
                                );
                                self.report(Code::T022, e.span, message);
                            }
                        }
                        true
                    }
                    (Some(el), _) if el.category() == Category::Real => true,
                    (Some(_), _) => lenient,
                    (None, TypeKind::Generic(g)) => {
                        g.contains_elem(Elem::Int)
                            || g.contains_elem(Elem::Byte)
                            || g.contains_elem(Elem::Real)
                    }
                    (None, TypeKind::Error) => true,
                    (None, TypeKind::Enum { .. }) => self.p.profile.enums_are_integers,
                    (None, TypeKind::Pointer(_) | TypeKind::AnyPointer | TypeKind::RefTo(_)) => {
                        lenient || v == Some(0)
                    }
                    // An interface variable is cleared with 0 in vendor code.
                    (None, TypeKind::Pou(_)) => lenient && v == Some(0),
                    _ => false,
                }
            }
            Ty::Real => match (types.as_elem(resolved), kind) {
                (Some(el), _) if el.category() == Category::Real => true,
                (Some(el), _) if lenient && (el.is_integer() || el.category() == Category::Bit) => {
                    let message = format!(
                        "implicit conversion of a real literal to `{}` drops its fraction",
                        shown_target()
                    );
                    self.report(Code::T035, e.span, message);
                    true
                }
                (None, TypeKind::Generic(g)) => g.contains_elem(Elem::Real),
                (None, TypeKind::Error) => true,
                _ => false,
            },
            Ty::Void => {
                let message = "this call returns no value".to_string();
                self.report(Code::T004, e.span, message);
                return;
            }
        };
        if let (true, Ty::Int(_) | Ty::Real) = (ok, ty) {
            self.types.insert(e.id, target);
        }
        if !ok {
            let from = self.display(ty);
            let to = self.p.types.display(target);
            let mut d = crate::diagnostics::Diagnostic::new(
                Code::T004,
                self.file,
                e.span,
                format!("expected `{to}`, found {}", super::types::found(&to, &from)),
            );
            if let (Ty::Known(t), Some(to_elem)) = (ty, self.p.types.as_elem(target))
                && let Some(from_elem) = self.p.types.as_elem(t)
            {
                d = d.with_help(format!(
                    "convert explicitly: `{}_TO_{}(…)`",
                    from_elem.short_name(),
                    to_elem.short_name()
                ));
            }
            self.diags.push(d);
        }
    }
}

/// The type of a direct address by its size prefix: `%IX` BOOL, `%IB` BYTE, `%IW` WORD,
/// `%ID` DWORD, `%IL` LWORD.
fn address_type(text: &str) -> TypeId {
    let size = text.chars().nth(2).map(|c| c.to_ascii_uppercase());
    let elem = match size {
        Some('X') => Elem::Bool,
        Some('B') => Elem::Byte,
        Some('W') => Elem::Word,
        Some('D') => Elem::DWord,
        Some('L') => Elem::LWord,
        // `%IX` without size is a bit; `%I*` is configured elsewhere.
        Some(c) if c.is_ascii_digit() => Elem::Bool,
        _ => return TypeTable::ERROR,
    };
    TypeTable::elem(elem)
}
