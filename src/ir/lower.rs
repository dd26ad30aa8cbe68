//! Lowering: a checked project to the IR, from its root POU and everything it calls.
//!
//! Nothing is resolved or inferred a second time: names, members and callees come from sema's
//! `resolved` table, expression types from `types`, operand types from `operand_types`, call
//! arguments' parameters from `bindings`. What the IR cannot express yet is reported as R006
//! at its span, never guessed.

use super::layout::{self, Layout, Slot};
use super::*;
use crate::diagnostics::{Code, Diagnostic};
use crate::sema::library::Markers;
use crate::sema::types::{Category, TypeId, TypeKind};
use crate::sema::{self, Analysis, FileTables, PouId, Project, Resolved, key};
use crate::sim::value as values;
use crate::syntax::ast::{self, ArgKind, ExprKind, LiteralKind, PouKind};
use crate::syntax::literal;
use rustc_hash::FxHashMap as HashMap;

/// Lowers the POU named `root` and everything it calls. Expects a project without type
/// errors; what the IR cannot express is reported (R006).
pub fn lower(analysis: &Analysis<'_>, root: &str) -> Result<Program, Vec<Diagnostic>> {
    let p = &analysis.project;
    let Some(&root_pou) = p.pou_names.get(&key(root)) else {
        let message = format!("no POU named `{root}` to run");
        return Err(vec![Diagnostic::new(
            Code::R006,
            FileId(0),
            Span::default(),
            message,
        )]);
    };
    let lib = sema::library_tables(p);
    let mut l = Lowerer {
        p,
        user: &analysis.tables,
        lib: &lib,
        layouts: HashMap::default(),
        ids: HashMap::default(),
        pous: Vec::new(),
        bodies: Vec::new(),
        laying_out: Vec::new(),
        globals: HashMap::default(),
        global_vars: Vec::new(),
        globals_init: Vec::new(),
        todo: Vec::new(),
        diags: Vec::new(),
    };
    let info = p.pou(root_pou);
    let root = match l.body_id(root_pou) {
        Ok(id) => id,
        Err(why) => {
            l.unsupported(info.file, info.name_span, &why);
            return Err(l.diags);
        }
    };
    while let Some(pou) = l.todo.pop() {
        l.lower_body(pou);
    }
    if !l.diags.is_empty() {
        return Err(l.diags);
    }
    Ok(Program {
        bodies: l.bodies.into_iter().flatten().collect(),
        root,
        globals: l.global_vars,
        globals_init: l.globals_init,
        wrap: p.profile.wrapping_overflow,
    })
}

/// Why something is not lowered; the diagnostic has been reported already.
struct Reported;

type Lowered<T> = Result<T, Reported>;

struct Lowerer<'p, 'a> {
    p: &'p Project<'a>,
    user: &'p HashMap<FileId, FileTables>,
    lib: &'p HashMap<FileId, FileTables>,
    layouts: HashMap<PouId, Layout>,
    ids: HashMap<PouId, BodyId>,
    /// The POU of each body, by `BodyId`.
    pous: Vec<PouId>,
    bodies: Vec<Option<Body>>,
    /// The POUs whose layout is being computed (a guard against containment cycles).
    laying_out: Vec<PouId>,
    globals: HashMap<usize, u32>,
    global_vars: Vec<Var>,
    globals_init: Vec<Value>,
    todo: Vec<PouId>,
    diags: Vec<Diagnostic>,
}

/// Where a body is being lowered: its POU and file, and the POU whose layout its variables
/// live in (itself, or the owner of an action).
#[derive(Clone, Copy)]
struct Ctx<'p> {
    owner: PouId,
    file: FileId,
    tables: &'p FileTables,
}

impl<'p, 'a> Lowerer<'p, 'a> {
    fn unsupported(&mut self, file: FileId, span: Span, what: &str) -> Reported {
        self.diags.push(Diagnostic::new(
            Code::R006,
            file,
            span,
            format!("the simulator does not support {what}"),
        ));
        Reported
    }

    fn tables(&self, file: FileId) -> Option<&'p FileTables> {
        self.user.get(&file).or_else(|| self.lib.get(&file))
    }

    // ---- layouts -------------------------------------------------------------------------

    /// The body of a POU, laid out now and lowered later.
    fn body_id(&mut self, pou: PouId) -> Result<BodyId, String> {
        if let Some(&id) = self.ids.get(&pou) {
            return Ok(id);
        }
        let info = self.p.pou(pou);
        match info.kind {
            PouKind::Program | PouKind::FunctionBlock | PouKind::Function => {}
            PouKind::Action => {
                self.body_id(self.p.owner(pou))?;
            }
            PouKind::Method => return Err("methods".into()),
            PouKind::Property | PouKind::Getter | PouKind::Setter => {
                return Err("properties".into());
            }
            PouKind::Class | PouKind::Interface => return Err("classes and interfaces".into()),
        }
        let id = BodyId(self.pous.len() as u32);
        self.ids.insert(pou, id);
        self.pous.push(pou);
        self.bodies.push(None);
        if info.kind != PouKind::Action {
            self.layout(pou)?;
        }
        self.todo.push(pou);
        Ok(id)
    }

    fn layout(&mut self, pou: PouId) -> Result<&Layout, String> {
        if !self.layouts.contains_key(&pou) {
            if self.laying_out.contains(&pou) {
                return Err("a function block that contains itself".into());
            }
            self.laying_out.push(pou);
            let layout = self.compute_layout(pou);
            self.laying_out.pop();
            self.layouts.insert(pou, layout?);
        }
        Ok(&self.layouts[&pou])
    }

    fn compute_layout(&mut self, pou: PouId) -> Result<Layout, String> {
        let p = self.p;
        let info = p.pou(pou);
        let function = info.kind == PouKind::Function;
        let mut chain = vec![pou];
        while let Some(base) = p.pou(*chain.last().unwrap_or(&pou)).base {
            if chain.contains(&base) {
                break;
            }
            chain.push(base);
        }
        let mut layout = Layout::default();
        for &c in chain.iter().rev() {
            for (i, var) in p.pou(c).vars.iter().enumerate() {
                if var.kind == ast::VarKind::External {
                    let g = p
                        .global_names
                        .get(&var.key)
                        .copied()
                        .ok_or_else(|| format!("the external variable `{}`", var.name.name))?;
                    layout
                        .slots
                        .insert((c, i), (Slot::Global(g), Ty::Elem(Elem::Bool)));
                    continue;
                }
                let offset = layout.init.len() as u32;
                let laid_out = self.shape(var.ty).and_then(|ty| {
                    if var.kind == ast::VarKind::InOut {
                        return Ok((Ty::InOut(Box::new(ty)), vec![Value::Address(0)]));
                    }
                    let init = var.decl.init.as_ref().map(|e| (e, var.file));
                    let values = self.initial_values(var.ty, &ty, init)?;
                    Ok((ty, values))
                });
                let (ty, values) = match laid_out {
                    Ok(done) => done,
                    Err(why) => {
                        // Reported at the variable; the lowering fails as a whole.
                        self.unsupported(var.file, var.name.span, &why);
                        continue;
                    }
                };
                layout.init.extend(values);
                let kind = Layout::var_kind(var.kind, function);
                if kind == VarKind::Temp {
                    layout.temps.extend(offset..layout.init.len() as u32);
                }
                layout
                    .slots
                    .insert((c, i), (Slot::Frame(offset), ty.clone()));
                layout.vars.push(Var {
                    name: var.name.name.clone(),
                    kind,
                    offset,
                    ty,
                });
            }
        }
        if let (true, Some(ret)) = (function, info.ret) {
            let ty = self.shape(ret)?;
            let offset = layout.init.len() as u32;
            let values = self.initial_values(ret, &ty, None)?;
            layout.init.extend(values);
            layout.result = Some(offset);
            layout.vars.push(Var {
                name: info.name.clone(),
                kind: VarKind::Output,
                offset,
                ty,
            });
        }
        if function {
            // A function's frame is fresh at every call: all of it is temporary but what the
            // caller passes (inputs, in-out addresses).
            let mut passed = vec![false; layout.init.len()];
            for v in &layout.vars {
                if matches!(v.kind, VarKind::Input | VarKind::InOut) {
                    let end = v.offset + self.size(&v.ty);
                    for slot in v.offset..end {
                        passed[slot as usize] = true;
                    }
                }
            }
            layout.temps = (0..layout.init.len() as u32)
                .filter(|&s| !passed[s as usize])
                .collect();
        }
        Ok(layout)
    }

    fn global_slot(&mut self, g: usize) -> Result<u32, String> {
        if let Some(&slot) = self.globals.get(&g) {
            return Ok(slot);
        }
        let var = &self.p.globals[g];
        let ty = self.shape(var.ty)?;
        let init = var.decl.init.as_ref().map(|e| (e, var.file));
        let values = self.initial_values(var.ty, &ty, init)?;
        let offset = self.globals_init.len() as u32;
        self.globals_init.extend(values);
        self.global_vars.push(Var {
            name: var.name.name.clone(),
            kind: VarKind::Global,
            offset,
            ty,
        });
        self.globals.insert(g, offset);
        Ok(offset)
    }

    /// The IR shape of a checked type.
    fn shape(&mut self, t: TypeId) -> Result<Ty, String> {
        let p = self.p;
        let t = p.types.unalias(t);
        Ok(match p.types.kind(t) {
            TypeKind::Elem(e) => Ty::Elem(*e),
            TypeKind::String { wide, len } => Ty::String {
                wide: *wide,
                len: len.unwrap_or(DEFAULT_STRING_LENGTH),
            },
            TypeKind::Subrange { base, .. } => return self.shape(*base),
            TypeKind::Enum { values, base } => Ty::Enum {
                base: *base,
                values: self.enum_spellings(t, values),
            },
            TypeKind::Array { dims, elem } => {
                let dims = dims
                    .iter()
                    .map(|d| d.bounds.ok_or("arrays of variable length"))
                    .collect::<Result<Vec<_>, _>>()?;
                Ty::Array {
                    dims,
                    elem: Box::new(self.shape(*elem)?),
                }
            }
            TypeKind::Struct { union: true, .. } => return Err("unions".into()),
            TypeKind::Struct { .. } => {
                let mut fields = Vec::new();
                let mut offset = 0;
                for (_, field_type) in self.struct_fields(t) {
                    let ty = self.shape(field_type)?;
                    let size = self.size(&ty);
                    fields.push((offset, ty));
                    offset += size;
                }
                let names = self.struct_fields(t);
                Ty::Struct(
                    fields
                        .into_iter()
                        .zip(names)
                        .map(|((offset, ty), (name, _))| Field { name, offset, ty })
                        .collect(),
                )
            }
            TypeKind::Pou(pou) => {
                let pou = *pou;
                match p.pou(pou).kind {
                    PouKind::FunctionBlock | PouKind::Program => Ty::Instance(self.body_id(pou)?),
                    _ => return Err("classes and interfaces".into()),
                }
            }
            TypeKind::Pointer(_) | TypeKind::RefTo(_) | TypeKind::AnyPointer => {
                return Err("pointers".into());
            }
            TypeKind::Reference(_) => return Err("references".into()),
            TypeKind::Generic(_) | TypeKind::Alias(_) | TypeKind::Error => {
                return Err(format!("the type `{}`", p.types.display(t)));
            }
        })
    }

    /// An enumeration's values as declared (`Run`, not sema's key `RUN`), for reports.
    fn enum_spellings(&self, t: TypeId, values: &[(SmolStr, i128)]) -> Vec<(SmolStr, i128)> {
        let declared = self
            .p
            .type_decls
            .get(&t)
            .and_then(|(_, decl)| match &decl.spec.kind {
                ast::TypeSpecKind::Enum { values, .. } => Some(values),
                _ => None,
            });
        values
            .iter()
            .map(|(k, v)| {
                let spelled = declared
                    .and_then(|d| d.iter().find(|e| key(&e.name.name) == *k))
                    .map_or_else(|| k.clone(), |e| e.name.name.clone());
                (spelled, *v)
            })
            .collect()
    }

    /// A structure's fields (name, type), those of its bases first.
    fn struct_fields(&self, t: TypeId) -> Vec<(SmolStr, TypeId)> {
        let types = &self.p.types;
        let mut chain = vec![t];
        while let TypeKind::Struct { base: Some(b), .. } = types.kind(chain[chain.len() - 1]) {
            let b = types.unalias(*b);
            if chain.contains(&b) || chain.len() > 64 {
                break;
            }
            chain.push(b);
        }
        chain
            .iter()
            .rev()
            .filter_map(|&s| match types.kind(s) {
                TypeKind::Struct { fields, .. } => Some(fields),
                _ => None,
            })
            .flatten()
            .map(|f| (f.name.clone(), f.ty))
            .collect()
    }

    fn size(&self, ty: &Ty) -> u32 {
        layout::size_hint(ty, &mut |body| {
            let pou = self.pous[body.0 as usize];
            self.layouts.get(&pou).map_or(0, |l| l.init.len() as u32)
        })
    }

    /// The initial slots of a variable: its type's defaults (declared initial values of named
    /// types and structure members included), then its own initialiser.
    fn initial_values(
        &mut self,
        t: TypeId,
        ty: &Ty,
        init: Option<(&ast::Expr, FileId)>,
    ) -> Result<Vec<Value>, String> {
        let mut out = Vec::new();
        self.type_defaults(t, ty, &mut out)?;
        if let Some((e, file)) = init {
            self.apply_init(t, ty, e, file, &mut out)?;
        }
        Ok(out)
    }

    fn type_defaults(&mut self, t: TypeId, ty: &Ty, out: &mut Vec<Value>) -> Result<(), String> {
        let types = &self.p.types;
        let start = out.len();
        match ty {
            Ty::Array { dims, elem } => {
                let TypeKind::Array { elem: elem_t, .. } = types.kind(types.resolve(t)) else {
                    return Err("this array type".into());
                };
                let elem_t = *elem_t;
                let count: i128 = dims.iter().map(|(lo, hi)| hi - lo + 1).product();
                for _ in 0..count.max(0) {
                    self.type_defaults(elem_t, elem, out)?;
                }
            }
            Ty::Struct(fields) => {
                let resolved = types.unalias(t);
                let members = self.struct_fields(resolved);
                for (f, (_, field_t)) in fields.iter().zip(members) {
                    let at = out.len();
                    self.type_defaults(field_t, &f.ty, out)?;
                    if let Some((e, file)) = self.member_init(resolved, &f.name) {
                        self.apply_init(field_t, &f.ty, e, file, &mut out[at..])?;
                    }
                }
            }
            Ty::Instance(body) => {
                let pou = self.pous[body.0 as usize];
                out.extend(
                    self.layouts
                        .get(&pou)
                        .map(|l| l.init.clone())
                        .unwrap_or_default(),
                );
            }
            _ => layout::defaults(ty, out, &|_| Vec::new()),
        }
        // `TYPE T : INT := 5; END_TYPE`: the declared type's own initial value.
        let mut named = t;
        for _ in 0..64 {
            if let Some(&(file, decl)) = self.p.type_decls.get(&named)
                && let Some(init) = &decl.init
            {
                return self.apply_init(named, ty, init, file, &mut out[start..]);
            }
            match types.kind(named) {
                TypeKind::Alias(to) => named = *to,
                _ => break,
            }
        }
        Ok(())
    }

    /// The initialiser of a structure member declared `x : INT := 3;`.
    fn member_init(&self, t: TypeId, name: &str) -> Option<(&'a ast::Expr, FileId)> {
        let mut current = t;
        for _ in 0..64 {
            let &(file, decl) = self.p.type_decls.get(&current)?;
            if let ast::TypeSpecKind::Struct { members } = &decl.spec.kind {
                for m in members {
                    if m.names.iter().any(|n| n.name.eq_ignore_ascii_case(name)) {
                        return m.init.as_ref().map(|e| (e, file));
                    }
                }
            }
            match self.p.types.kind(current) {
                TypeKind::Struct { base: Some(b), .. } => current = self.p.types.unalias(*b),
                _ => return None,
            }
        }
        None
    }

    /// Writes an initialiser (`5`, `[1, 2, 3(0)]`, `(x := 1)`) into the slots of a variable.
    fn apply_init(
        &mut self,
        t: TypeId,
        ty: &Ty,
        e: &ast::Expr,
        file: FileId,
        slots: &mut [Value],
    ) -> Result<(), String> {
        let types = &self.p.types;
        match (&e.kind, ty) {
            (ExprKind::Paren(inner), _) => self.apply_init(t, ty, inner, file, slots),
            (ExprKind::ArrayInit { elems, .. }, Ty::Array { elem, .. }) => {
                let TypeKind::Array { elem: elem_t, .. } = types.kind(types.resolve(t)) else {
                    return Err("this array initialiser".into());
                };
                let elem_t = *elem_t;
                let size = self.size(elem) as usize;
                let mut at = 0;
                for item in elems {
                    let (count, value) = match item {
                        ast::ArrayInitElem::Single(v) => (1, Some(v)),
                        ast::ArrayInitElem::Repeat { count, value } => {
                            let n = match self.constant(count, file, Some(Elem::DInt), 0)? {
                                Value::Int(_, n) => n,
                                _ => return Err("a repeat count that is not an integer".into()),
                            };
                            (n.max(0) as usize, value.as_ref())
                        }
                    };
                    for _ in 0..count {
                        if at + size > slots.len() {
                            return Err("an initialiser longer than its array".into());
                        }
                        if let Some(v) = value {
                            self.apply_init(elem_t, elem, v, file, &mut slots[at..at + size])?;
                        }
                        at += size;
                    }
                }
                Ok(())
            }
            (ExprKind::StructInit(pairs), Ty::Struct(fields)) => {
                let members = self.struct_fields(types.unalias(t));
                for (name, value) in pairs {
                    let k = key(&name.name);
                    let Some((i, f)) = fields.iter().enumerate().find(|(_, f)| key(&f.name) == k)
                    else {
                        return Err(format!("the member `{}`", name.name));
                    };
                    let size = self.size(&f.ty) as usize;
                    let at = f.offset as usize;
                    let field_t = members[i].1;
                    let f_ty = f.ty.clone();
                    self.apply_init(field_t, &f_ty, value, file, &mut slots[at..at + size])?;
                }
                Ok(())
            }
            (_, Ty::Elem(_) | Ty::Enum { .. } | Ty::String { .. }) => {
                let value = match self.enum_value(e, t) {
                    Some(v) => v,
                    None => self.constant(e, file, layout::scalar_elem(ty), 0)?,
                };
                slots[0] = match (ty, value) {
                    (Ty::String { len, .. }, Value::String(text)) => {
                        Value::String(text.chars().take(*len as usize).collect())
                    }
                    (_, v) => v,
                };
                Ok(())
            }
            _ => Err("this initial value".into()),
        }
    }

    /// A value of the enumeration `t` named by `e` (`Run`, `E_State.Run`), for initialisers
    /// and labels that sema reads without recording them.
    fn enum_value(&self, e: &ast::Expr, t: TypeId) -> Option<Value> {
        let types = &self.p.types;
        let TypeKind::Enum { values, base } = types.kind(types.resolve(t)) else {
            return None;
        };
        let name = match &e.kind {
            ExprKind::Name(n) => &n.name,
            ExprKind::Member { member, .. } => &member.name,
            ExprKind::Typed { value, .. } => match &value.kind {
                ExprKind::Name(n) => &n.name,
                _ => return None,
            },
            _ => return None,
        };
        let k = key(name);
        let (_, v) = values.iter().find(|(n, _)| *n == k)?;
        Some(Value::Int(*base, *v))
    }

    /// The value of a constant expression, brought to `want`.
    fn constant(
        &self,
        e: &ast::Expr,
        file: FileId,
        want: Option<Elem>,
        depth: u32,
    ) -> Result<Value, String> {
        const NOT_CONSTANT: &str = "initial values that are not constants";
        if depth > 32 {
            return Err(NOT_CONSTANT.into());
        }
        let tables = self.tables(file);
        let types = &self.p.types;
        let own = tables
            .and_then(|t| t.types.get(&e.id))
            .and_then(|&t| layout::elem_of(types, t));
        let resolved = tables.and_then(|t| t.resolved.get(&e.id));
        let value = match (&e.kind, resolved) {
            (_, Some(Resolved::EnumValue(t, v))) => {
                let base = layout::elem_of(types, *t).unwrap_or(Elem::Int);
                Value::Int(base, *v)
            }
            (ExprKind::Literal(lit), _) => literal_value(lit, own.or(want))?,
            (ExprKind::Typed { value, .. }, _) => {
                if let (ExprKind::Name(n), Some(t)) =
                    (&value.kind, tables.and_then(|t| t.types.get(&e.id)))
                    && let TypeKind::Enum { values, base } = types.kind(types.resolve(*t))
                {
                    let v = values
                        .iter()
                        .find(|(name, _)| *name == key(&n.name))
                        .map_or(0, |v| v.1);
                    Value::Int(*base, v)
                } else {
                    self.constant(value, file, own.or(want), depth + 1)?
                }
            }
            (ExprKind::Paren(inner), _) => self.constant(inner, file, own.or(want), depth + 1)?,
            // `-9223372036854775808`: the negation of a literal no integer type holds by itself.
            (
                ExprKind::Unary {
                    op: ast::UnaryOp::Neg,
                    operand,
                },
                _,
            ) if matches!(&operand.kind, ExprKind::Literal(l) if l.kind == LiteralKind::Integer)
                && own.or(want).is_none_or(|e| e.is_integer()) =>
            {
                let ExprKind::Literal(lit) = &operand.kind else {
                    return Err(NOT_CONSTANT.into());
                };
                let v = literal::integer_value(&lit.text)? as i128;
                let e = own.or(want).unwrap_or(Elem::LInt);
                values::fit(e, -v, false).map_err(|_| format!("-{} as {}", lit.text, e.name()))?
            }
            (ExprKind::Unary { op, operand }, _) => {
                // `-32768` is the negation of a literal that INT cannot hold by itself.
                let wide = match own.or(want) {
                    Some(e) if e.is_integer() && *op == ast::UnaryOp::Neg => Some(Elem::LInt),
                    w => w,
                };
                let v = self.constant(operand, file, wide, depth + 1)?;
                match op {
                    ast::UnaryOp::Plus => v,
                    ast::UnaryOp::Neg => {
                        values::negate(&v, true).map_err(|_| NOT_CONSTANT.to_string())?
                    }
                    ast::UnaryOp::Not => values::not(&v).map_err(|_| NOT_CONSTANT.to_string())?,
                }
            }
            (ExprKind::Binary { op, lhs, rhs }, _) => {
                let operands = tables
                    .and_then(|t| t.operand_types.get(&e.id))
                    .and_then(|&t| layout::elem_of(types, t))
                    .or(own)
                    .or(want);
                let a = self.constant(lhs, file, operands, depth + 1)?;
                let b = self.constant(rhs, file, operands, depth + 1)?;
                values::binary(*op, &a, &b, true).map_err(|_| NOT_CONSTANT.to_string())?
            }
            (_, Some(Resolved::Var(pou, i))) => {
                let var = &self.p.pou(*pou).vars[*i];
                match (&var.decl.init, var.constant) {
                    (Some(init), true) => {
                        self.constant(init, var.file, layout::elem_of(types, var.ty), depth + 1)?
                    }
                    _ => return Err(NOT_CONSTANT.into()),
                }
            }
            (_, Some(Resolved::Global(g))) => {
                let var = &self.p.globals[*g];
                match (&var.decl.init, var.constant) {
                    (Some(init), true) => {
                        self.constant(init, var.file, layout::elem_of(types, var.ty), depth + 1)?
                    }
                    _ => return Err(NOT_CONSTANT.into()),
                }
            }
            (ExprKind::Call { callee, args }, _) => {
                let conversion = tables.and_then(|t| t.resolved.get(&callee.id));
                match (conversion, args.as_slice()) {
                    (Some(Resolved::Conversion(_)), [arg]) => {
                        let value = arg.value.as_ref().ok_or(NOT_CONSTANT)?;
                        self.constant(value, file, None, depth + 1)?
                    }
                    _ => return Err(NOT_CONSTANT.into()),
                }
            }
            _ => return Err(NOT_CONSTANT.into()),
        };
        match (want, &value) {
            (Some(w), Value::Int(e, _) | Value::Real(e, _) | Value::Time(e, _)) if *e != w => {
                values::convert(&value, w)
                    .map_err(|_| format!("an initial value that does not fit {}", w.name()))
            }
            (Some(w), Value::Bool(_)) if w != Elem::Bool => {
                values::convert(&value, w).map_err(|_| NOT_CONSTANT.to_string())
            }
            _ => Ok(value),
        }
    }

    // ---- bodies --------------------------------------------------------------------------

    fn lower_body(&mut self, pou: PouId) {
        let p = self.p;
        let info = p.pou(pou);
        let Some(tables) = self.tables(info.file) else {
            // A library POU without a body to run (a declaration only).
            self.unsupported(
                info.file,
                info.name_span,
                &format!("`{}`, which has no body", info.name),
            );
            return;
        };
        let owner = if info.kind == PouKind::Action {
            p.owner(pou)
        } else {
            pou
        };
        let ctx = Ctx {
            owner,
            file: info.file,
            tables,
        };
        let stmts = self.block(&info.ast.body, ctx);
        let kind = match info.kind {
            PouKind::Program => BodyKind::Program,
            PouKind::Function => BodyKind::Function,
            PouKind::Action => BodyKind::Action,
            _ => BodyKind::FunctionBlock,
        };
        let layout = if info.kind == PouKind::Action {
            Layout::default()
        } else {
            self.layouts.get(&pou).cloned().unwrap_or_default()
        };
        let id = self.ids[&pou];
        self.bodies[id.0 as usize] = Some(Body {
            name: info.name.clone(),
            kind,
            file: info.file,
            vars: layout.vars,
            init: layout.init,
            temps: layout.temps,
            result: layout.result,
            stmts,
        });
    }

    fn block(&mut self, stmts: &[ast::Stmt], ctx: Ctx<'p>) -> Vec<Stmt> {
        let mut out = Vec::with_capacity(stmts.len());
        for s in stmts {
            if let Ok(kind) = self.stmt(s, ctx) {
                out.extend(kind.map(|kind| Stmt {
                    kind,
                    file: ctx.file,
                    span: s.span,
                }));
            }
        }
        out
    }

    fn stmt(&mut self, s: &ast::Stmt, ctx: Ctx<'p>) -> Lowered<Option<StmtKind>> {
        use ast::StmtKind as S;
        Ok(Some(match &s.kind {
            S::Assign { target, op, value } => {
                return self.assign(target, *op, value, ctx).map(Some);
            }
            S::Expr(e) => return self.call_stmt(e, ctx),
            S::If {
                branches,
                else_body,
            } => {
                let mut lowered = Vec::new();
                for b in branches {
                    let cond = self.expr_as(&b.cond, Some(Elem::Bool), ctx);
                    let body = self.block(&b.body, ctx);
                    lowered.push((cond?, body));
                }
                StmtKind::If {
                    branches: lowered,
                    otherwise: self.block(else_body.as_deref().unwrap_or(&[]), ctx),
                }
            }
            S::Case {
                selector,
                arms,
                else_body,
            } => {
                let sel = self.expr(selector, ctx);
                let selector_type = ctx.tables.types.get(&selector.id).copied();
                let mut lowered = Vec::new();
                for arm in arms {
                    let mut ranges = Vec::new();
                    for label in &arm.labels {
                        let (lo, hi) = match label {
                            ast::CaseLabel::Value(v) => (v, v),
                            ast::CaseLabel::Range(lo, hi) => (lo, hi),
                        };
                        let lo = self.label(lo, selector_type, ctx);
                        let hi = self.label(hi, selector_type, ctx);
                        if let (Ok(lo), Ok(hi)) = (lo, hi) {
                            ranges.push((lo, hi));
                        }
                    }
                    let body = self.block(&arm.body, ctx);
                    lowered.push(CaseArm { ranges, body });
                }
                StmtKind::Case {
                    selector: sel?,
                    arms: lowered,
                    otherwise: self.block(else_body.as_deref().unwrap_or(&[]), ctx),
                }
            }
            S::For(f) => {
                let (var, ty) = self.place(&f.var, ctx)?;
                let want = layout::scalar_elem(&ty);
                let from = self.expr_as(&f.from, want, ctx);
                let to = self.expr_as(&f.to, want, ctx);
                let by = match &f.by {
                    Some(by) => self.expr_as(by, want, ctx),
                    None => Ok(Expr::Const(
                        values::convert(&Value::Int(Elem::SInt, 1), want.unwrap_or(Elem::DInt))
                            .unwrap_or(Value::Int(Elem::DInt, 1)),
                    )),
                };
                let body = self.block(&f.body, ctx);
                StmtKind::For {
                    var,
                    from: from?,
                    to: to?,
                    by: by?,
                    body,
                }
            }
            S::While { cond, body } => StmtKind::While {
                cond: self.expr_as(cond, Some(Elem::Bool), ctx)?,
                body: self.block(body, ctx),
            },
            S::Repeat { body, until } => StmtKind::Repeat {
                body: self.block(body, ctx),
                until: self.expr_as(until, Some(Elem::Bool), ctx)?,
            },
            S::Exit => StmtKind::Exit,
            S::Continue => StmtKind::Continue,
            S::Return => StmtKind::Return,
            S::Empty => return Ok(None),
            S::Jmp(_) | S::Label(_) => {
                return Err(self.unsupported(ctx.file, s.span, "JMP and labels"));
            }
            S::Error => return Err(Reported),
        }))
    }

    fn label(&mut self, e: &ast::Expr, selector: Option<TypeId>, ctx: Ctx<'p>) -> Lowered<i128> {
        let want = selector.and_then(|t| layout::elem_of(&self.p.types, t));
        let value = match selector.and_then(|t| self.enum_value(e, t)) {
            Some(v) => Ok(v),
            None => self.constant(e, ctx.file, want, 0),
        };
        match value {
            Ok(Value::Int(_, v)) => Ok(v),
            Ok(_) => Err(self.unsupported(ctx.file, e.span, "this CASE label")),
            Err(why) => Err(self.unsupported(ctx.file, e.span, &why)),
        }
    }

    fn assign(
        &mut self,
        target: &ast::Expr,
        op: ast::AssignOp,
        value: &ast::Expr,
        ctx: Ctx<'p>,
    ) -> Lowered<StmtKind> {
        let span = target.span;
        if let ExprKind::Bit { base, bit } = &target.kind {
            let (place, _) = self.place(base, ctx)?;
            let bit =
                bit_number(bit).ok_or_else(|| self.unsupported(ctx.file, span, "this bit"))?;
            return Ok(StmtKind::SetBit {
                target: place,
                bit,
                value: self.expr_as(value, Some(Elem::Bool), ctx)?,
            });
        }
        let (place, ty) = self.place(target, ctx)?;
        match op {
            ast::AssignOp::Assign => {}
            ast::AssignOp::Set | ast::AssignOp::Reset => {
                let cond = self.expr_as(value, Some(Elem::Bool), ctx)?;
                let set = Stmt {
                    kind: StmtKind::Assign {
                        target: place,
                        value: Expr::Const(Value::Bool(op == ast::AssignOp::Set)),
                    },
                    file: ctx.file,
                    span,
                };
                return Ok(StmtKind::If {
                    branches: vec![(cond, vec![set])],
                    otherwise: Vec::new(),
                });
            }
            ast::AssignOp::Ref | ast::AssignOp::Attempt => {
                return Err(self.unsupported(ctx.file, span, "REF= and ?="));
            }
        }
        if is_scalar(&ty) {
            let value = self.expr_as(value, layout::scalar_elem(&ty), ctx)?;
            return Ok(StmtKind::Assign {
                target: place,
                value: fit(value, &ty),
            });
        }
        let (source, _) = self.place(value, ctx)?;
        Ok(StmtKind::Copy {
            target: place,
            source,
            len: self.size(&ty),
        })
    }

    fn call_stmt(&mut self, e: &ast::Expr, ctx: Ctx<'p>) -> Lowered<Option<StmtKind>> {
        let ExprKind::Call { callee, args } = &e.kind else {
            // An expression statement without effect (sema warned about it).
            return Ok(None);
        };
        match ctx.tables.resolved.get(&callee.id) {
            Some(Resolved::Pou(id)) => {
                let info = self.p.pou(*id);
                match info.kind {
                    PouKind::Action => {
                        let instance = match &callee.kind {
                            ExprKind::Member { base, .. } => self.place(base, ctx)?.0,
                            _ => Place {
                                base: Base::Frame,
                                offset: 0,
                                indices: Vec::new(),
                            },
                        };
                        let call = self.call(*id, Some(instance), args, ctx, callee.span)?;
                        Ok(Some(StmtKind::Call(call)))
                    }
                    PouKind::Function if !is_builtin(info.markers.as_ref()) => {
                        let call = self.call(*id, None, args, ctx, callee.span)?;
                        Ok(Some(StmtKind::Call(call)))
                    }
                    // A standard function's result thrown away has no effect.
                    PouKind::Function => Ok(None),
                    _ => Err(self.unsupported(ctx.file, callee.span, "calling this")),
                }
            }
            Some(Resolved::Var(..)) | Some(Resolved::Global(_)) | None => {
                let (instance, ty) = self.place(callee, ctx)?;
                let Ty::Instance(body) = ty else {
                    return Err(self.unsupported(ctx.file, callee.span, "calling this"));
                };
                let pou = self.pous[body.0 as usize];
                let call = self.call(pou, Some(instance), args, ctx, callee.span)?;
                Ok(Some(StmtKind::Call(call)))
            }
            Some(_) => Err(self.unsupported(ctx.file, callee.span, "calling this")),
        }
    }

    /// A call of a function block instance, action or ST function, its arguments bound to the
    /// callee's slots.
    fn call(
        &mut self,
        callee: PouId,
        instance: Option<Place>,
        args: &[ast::Arg],
        ctx: Ctx<'p>,
        span: Span,
    ) -> Lowered<Call> {
        let body = self
            .body_id(callee)
            .map_err(|why| self.unsupported(ctx.file, span, &why))?;
        let owner = self.p.owner(callee);
        let mut call = Call {
            callee: body,
            instance,
            inputs: Vec::new(),
            outputs: Vec::new(),
        };
        for arg in args {
            let Some(value) = &arg.value else { continue };
            let Some(param) = ctx.tables.bindings.get(&value.id) else {
                return Err(self.unsupported(ctx.file, arg.span, "EN and ENO"));
            };
            let Some((declarer, i)) = self.p.inherited_var(owner, param) else {
                return Err(self.unsupported(ctx.file, arg.span, "this argument"));
            };
            let param_t = self.p.pou(declarer).vars[i].ty;
            let Some((Slot::Frame(slot), param_ty)) = self
                .layouts
                .get(&owner)
                .and_then(|l| l.slots.get(&(declarer, i)))
                .cloned()
            else {
                return Err(self.unsupported(ctx.file, arg.span, "this argument"));
            };
            match arg.kind {
                ArgKind::Output | ArgKind::NegatedOutput => {
                    let (to, to_ty) = self.place(value, ctx)?;
                    let from = layout::scalar_elem(&param_ty);
                    let into = layout::scalar_elem(&to_ty);
                    call.outputs.push(Output {
                        from: slot,
                        to,
                        negate: arg.kind == ArgKind::NegatedOutput,
                        convert: into.filter(|&i| Some(i) != from),
                    });
                }
                _ if matches!(param_ty, Ty::InOut(_)) => {
                    let (place, _) = self.place(value, ctx)?;
                    call.inputs.push((slot, Expr::Address(place)));
                }
                _ if is_scalar(&param_ty) => {
                    let want = layout::elem_of(&self.p.types, param_t);
                    let v = self.expr_as(value, want, ctx)?;
                    call.inputs.push((slot, fit(v, &param_ty)));
                }
                _ => {
                    return Err(self.unsupported(ctx.file, arg.span, "passing a structured value"));
                }
            }
        }
        Ok(call)
    }

    // ---- places --------------------------------------------------------------------------

    /// The slots an expression denotes, and their shape.
    fn place(&mut self, e: &ast::Expr, ctx: Ctx<'p>) -> Lowered<(Place, Ty)> {
        let frame = |offset| Place {
            base: Base::Frame,
            offset,
            indices: Vec::new(),
        };
        let resolved = ctx.tables.resolved.get(&e.id);
        match (&e.kind, resolved) {
            (ExprKind::Paren(inner), _) => self.place(inner, ctx),
            (ExprKind::Name(_), Some(Resolved::Var(pou, i))) => {
                let slot = self
                    .layouts
                    .get(&ctx.owner)
                    .and_then(|l| l.slots.get(&(*pou, *i)));
                match slot.cloned() {
                    Some((Slot::Frame(offset), Ty::InOut(inner))) => Ok((
                        Place {
                            base: Base::Indirect(offset),
                            offset: 0,
                            indices: Vec::new(),
                        },
                        *inner,
                    )),
                    Some((Slot::Frame(offset), ty)) => Ok((frame(offset), ty)),
                    Some((Slot::Global(g), _)) => self.global_place(g, e, ctx),
                    // Its declaration was reported already: one mistake, one diagnostic.
                    None if !self.diags.is_empty() => Err(Reported),
                    None => Err(self.unsupported(ctx.file, e.span, "this variable")),
                }
            }
            (_, Some(Resolved::Global(g))) => self.global_place(*g, e, ctx),
            (ExprKind::Name(_), Some(Resolved::Result)) => {
                let layout = self.layouts.get(&ctx.owner);
                match layout.and_then(|l| l.result.map(|r| (r, l))) {
                    Some((r, l)) => {
                        let ty = l.vars.iter().find(|v| v.offset == r).map(|v| v.ty.clone());
                        Ok((frame(r), ty.unwrap_or(Ty::Elem(Elem::Bool))))
                    }
                    None => Err(self.unsupported(ctx.file, e.span, "this result")),
                }
            }
            (ExprKind::Member { base, member }, Some(Resolved::Field(_))) => {
                let (mut place, ty) = self.place(base, ctx)?;
                let Some(f) = layout::field(&ty, &key(&member.name)) else {
                    return Err(self.unsupported(ctx.file, e.span, "this member"));
                };
                place.offset += f.offset;
                Ok((place, f.ty.clone()))
            }
            (ExprKind::Member { base, .. }, Some(Resolved::Var(pou, i))) => {
                let (mut place, ty) = self.place(base, ctx)?;
                let Ty::Instance(body) = ty else {
                    return Err(self.unsupported(ctx.file, e.span, "this member"));
                };
                let instance_pou = self.pous[body.0 as usize];
                let slot = self
                    .layouts
                    .get(&instance_pou)
                    .and_then(|l| l.slots.get(&(*pou, *i)))
                    .cloned();
                match slot {
                    Some((Slot::Frame(offset), ty)) if !matches!(ty, Ty::InOut(_)) => {
                        place.offset += offset;
                        Ok((place, ty))
                    }
                    _ => Err(self.unsupported(ctx.file, e.span, "this member of an instance")),
                }
            }
            (ExprKind::Index { base, indices }, _) => {
                let (mut place, ty) = self.place(base, ctx)?;
                let Ty::Array { dims, elem } = ty else {
                    return Err(self.unsupported(ctx.file, e.span, "this index"));
                };
                let mut stride = self.size(&elem);
                let mut lowered = Vec::new();
                for (index, &(low, high)) in indices.iter().zip(&dims).rev() {
                    lowered.push(Index {
                        value: self.expr(index, ctx)?,
                        low,
                        high,
                        stride,
                    });
                    stride *= (high - low + 1).max(0) as u32;
                }
                lowered.reverse();
                place.indices.extend(lowered);
                Ok((place, *elem))
            }
            _ => Err(self.unsupported(ctx.file, e.span, "this kind of variable access")),
        }
    }

    fn global_place(&mut self, g: usize, e: &ast::Expr, ctx: Ctx<'p>) -> Lowered<(Place, Ty)> {
        let offset = self
            .global_slot(g)
            .map_err(|why| self.unsupported(ctx.file, e.span, &why))?;
        let ty = self
            .global_vars
            .iter()
            .find(|v| v.offset == offset)
            .map(|v| v.ty.clone())
            .unwrap_or(Ty::Elem(Elem::Bool));
        Ok((
            Place {
                base: Base::Global,
                offset,
                indices: Vec::new(),
            },
            ty,
        ))
    }

    // ---- expressions ---------------------------------------------------------------------

    /// The elementary type sema gave an expression (enumerations by their base).
    fn elem(&self, e: &ast::Expr, ctx: Ctx<'p>) -> Option<Elem> {
        if let Some(t) = ctx.tables.types.get(&e.id) {
            return layout::elem_of(&self.p.types, *t);
        }
        // A call compared with a literal (`LEN(s) > 5`) has no recorded type; a function with
        // a declared (not generic) result has that one.
        let ExprKind::Call { callee, .. } = &e.kind else {
            return None;
        };
        match ctx.tables.resolved.get(&callee.id)? {
            Resolved::Pou(id) => layout::elem_of(&self.p.types, self.p.pou(*id).ret?),
            Resolved::Conversion(t) => layout::elem_of(&self.p.types, *t),
            _ => None,
        }
    }

    /// An expression converted to `want`, as sema's implicit conversions allow.
    fn expr_as(&mut self, e: &ast::Expr, want: Option<Elem>, ctx: Ctx<'p>) -> Lowered<Expr> {
        let own = self.elem(e, ctx);
        if !ctx.tables.types.contains_key(&e.id) && is_literal(e) {
            // An untyped literal (or literals folded together): its value in the wanted type.
            return self
                .constant(e, ctx.file, want, 0)
                .map(Expr::Const)
                .map_err(|why| self.unsupported(ctx.file, e.span, &why));
        }
        // Sema leaves some operations on literals and generic results untyped until the
        // context settles them (`EXPT(2, n) - 1`): those are computed in the wanted type.
        let lowered = self.expr_in(e, own.or(want), ctx)?;
        Ok(match (own, want) {
            (Some(from), Some(to)) if from != to => convert(lowered, to),
            _ => lowered,
        })
    }

    /// An expression, in its own type.
    fn expr(&mut self, e: &ast::Expr, ctx: Ctx<'p>) -> Lowered<Expr> {
        self.expr_in(e, self.elem(e, ctx), ctx)
    }

    /// An expression computed in type `own`.
    fn expr_in(&mut self, e: &ast::Expr, own: Option<Elem>, ctx: Ctx<'p>) -> Lowered<Expr> {
        let resolved = ctx.tables.resolved.get(&e.id);
        if let Some(Resolved::EnumValue(t, v)) = resolved {
            let base = layout::elem_of(&self.p.types, *t).unwrap_or(Elem::Int);
            return Ok(Expr::Const(Value::Int(base, *v)));
        }
        match &e.kind {
            ExprKind::Literal(_) | ExprKind::Typed { .. } => self
                .constant(e, ctx.file, own, 0)
                .map(Expr::Const)
                .map_err(|why| self.unsupported(ctx.file, e.span, &why)),
            ExprKind::Paren(inner) => self.expr_as(inner, own, ctx),
            ExprKind::Name(_) | ExprKind::Member { .. } | ExprKind::Index { .. } => {
                let (place, ty) = self.place(e, ctx)?;
                match ty {
                    _ if is_scalar(&ty) => Ok(Expr::Load(place)),
                    _ => Err(self.unsupported(ctx.file, e.span, "a structured value here")),
                }
            }
            ExprKind::Bit { base, bit } => {
                let bit = bit_number(bit)
                    .ok_or_else(|| self.unsupported(ctx.file, e.span, "this bit"))?;
                Ok(Expr::Bit(Box::new(self.expr(base, ctx)?), bit))
            }
            // `-32768`: folded whole, since INT cannot hold the literal before the minus.
            ExprKind::Unary { operand, .. } if !ctx.tables.types.contains_key(&operand.id) => self
                .constant(e, ctx.file, own, 0)
                .map(Expr::Const)
                .map_err(|why| self.unsupported(ctx.file, e.span, &why)),
            ExprKind::Unary {
                op: ast::UnaryOp::Neg,
                ..
            } if own == Some(Elem::Bool) => {
                Err(self.unsupported(ctx.file, e.span, "minus on a BOOL"))
            }
            ExprKind::Unary { op, operand } => {
                let inner = self.expr_as(operand, own, ctx)?;
                Ok(match op {
                    ast::UnaryOp::Plus => inner,
                    ast::UnaryOp::Neg => Expr::Unary(UnaryOp::Neg, Box::new(inner)),
                    ast::UnaryOp::Not => Expr::Unary(UnaryOp::Not, Box::new(inner)),
                })
            }
            ExprKind::Binary { op, lhs, rhs } => self.binary(e, *op, lhs, rhs, own, ctx),
            ExprKind::Call { callee, args } => self.call_expr(e, callee, args, own, ctx),
            _ => Err(self.unsupported(ctx.file, e.span, "this expression")),
        }
    }

    fn binary(
        &mut self,
        e: &ast::Expr,
        op: ast::BinaryOp,
        lhs: &ast::Expr,
        rhs: &ast::Expr,
        own: Option<Elem>,
        ctx: Ctx<'p>,
    ) -> Lowered<Expr> {
        use ast::BinaryOp as B;
        let (l, r) = (self.elem(lhs, ctx), self.elem(rhs, ctx));
        let duration = |t: Option<Elem>| t.is_some_and(|t| t.category() == Category::Duration);
        // TIME * number, TIME / number: the duration scaled.
        if matches!(op, B::Mul | B::Div) && duration(own) && !(duration(l) && duration(r)) {
            let (time, factor) = if duration(l) { (lhs, rhs) } else { (rhs, lhs) };
            let builtin = if op == B::Mul {
                Builtin::MulTime
            } else {
                Builtin::DivTime
            };
            let args = vec![self.expr_as(time, own, ctx)?, self.expr(factor, ctx)?];
            return Ok(Expr::Builtin(builtin, args));
        }
        let operands = ctx
            .tables
            .operand_types
            .get(&e.id)
            .and_then(|&t| layout::elem_of(&self.p.types, t))
            .or(if is_comparison(op) { l.or(r) } else { own });
        let op = match op {
            B::And if self.p.profile.short_circuit => B::AndThen,
            B::Or if self.p.profile.short_circuit => B::OrElse,
            other => other,
        };
        let (lhs, rhs) = if op == B::Power {
            (self.expr_as(lhs, own, ctx)?, self.expr_as(rhs, own, ctx)?)
        } else {
            (
                self.expr_as(lhs, operands, ctx)?,
                self.expr_as(rhs, operands, ctx)?,
            )
        };
        Ok(Expr::Binary {
            op,
            lhs: Box::new(lhs),
            rhs: Box::new(rhs),
        })
    }

    fn call_expr(
        &mut self,
        e: &ast::Expr,
        callee: &ast::Expr,
        args: &[ast::Arg],
        own: Option<Elem>,
        ctx: Ctx<'p>,
    ) -> Lowered<Expr> {
        match ctx.tables.resolved.get(&callee.id) {
            Some(Resolved::Conversion(t)) => {
                let to = layout::elem_of(&self.p.types, *t);
                let arg = args.iter().find_map(|a| a.value.as_ref());
                // Conversions to and from strings are not simulated yet.
                let from = arg.and_then(|a| self.elem(a, ctx));
                match (to, arg.filter(|_| from.is_some())) {
                    (Some(to), Some(arg)) => Ok(convert(self.expr(arg, ctx)?, to)),
                    _ => Err(self.unsupported(ctx.file, e.span, "this conversion")),
                }
            }
            Some(Resolved::Pou(id)) => {
                let info = self.p.pou(*id);
                if info.kind != PouKind::Function {
                    return Err(self.unsupported(ctx.file, callee.span, "calling this"));
                }
                if is_builtin(info.markers.as_ref())
                    || info.markers.as_ref().is_some_and(|m| m.dispatch.is_some())
                {
                    return self.builtin(e, *id, args, own, ctx);
                }
                let call = self.call(*id, None, args, ctx, callee.span)?;
                Ok(Expr::Call(Box::new(call)))
            }
            // CODESYS and TwinCAT `TIME()`: the time since the controller started.
            Some(Resolved::Builtin(name)) if name == "TIME" && args.is_empty() => {
                Ok(Expr::Builtin(Builtin::Now(Elem::Time), Vec::new()))
            }
            _ => Err(self.unsupported(ctx.file, callee.span, "calling this")),
        }
    }

    /// A `@builtin` standard function: an operator, a conversion or a [`Builtin`].
    fn builtin(
        &mut self,
        e: &ast::Expr,
        id: PouId,
        args: &[ast::Arg],
        own: Option<Elem>,
        ctx: Ctx<'p>,
    ) -> Lowered<Expr> {
        use ast::BinaryOp as B;
        let info = self.p.pou(id);
        let markers = info.markers.clone().unwrap_or_default();
        let name = markers.name.clone().unwrap_or_else(|| info.key.clone());
        let ordered = self.ordered_args(id, &markers, args, ctx);
        let unsupported = |l: &mut Self| {
            l.unsupported(ctx.file, e.span, &format!("the standard function `{name}`"))
        };
        // Arguments brought to the result type (`MAX`, `LIMIT`, …), or left in their own.
        let as_own = |l: &mut Self, args: &[&ast::Expr]| -> Lowered<Vec<Expr>> {
            args.iter().map(|a| l.expr_as(a, own, ctx)).collect()
        };
        let chain = |op: B, args: Vec<Expr>| {
            args.into_iter().reduce(|a, b| Expr::Binary {
                op,
                lhs: Box::new(a),
                rhs: Box::new(b),
            })
        };
        let n = name.as_str();
        let simple = |b: Builtin| Some(b);
        let native = match n {
            "ABS" => simple(Builtin::Abs),
            "SQRT" => simple(Builtin::Sqrt),
            "LN" => simple(Builtin::Ln),
            "LOG" => simple(Builtin::Log),
            "EXP" => simple(Builtin::Exp),
            "SIN" => simple(Builtin::Sin),
            "COS" => simple(Builtin::Cos),
            "TAN" => simple(Builtin::Tan),
            "ASIN" => simple(Builtin::Asin),
            "ACOS" => simple(Builtin::Acos),
            "ATAN" => simple(Builtin::Atan),
            "ATAN2" => simple(Builtin::Atan2),
            "MAX" => simple(Builtin::Max),
            "MIN" => simple(Builtin::Min),
            "LIMIT" => simple(Builtin::Limit),
            _ => None,
        };
        if let Some(b) = native {
            return Ok(Expr::Builtin(b, as_own(self, &ordered)?));
        }
        let binary = match n {
            "ADD" => Some(B::Add),
            "MUL" => Some(B::Mul),
            "SUB" => Some(B::Sub),
            "DIV" => Some(B::Div),
            "MOD" => Some(B::Mod),
            "AND" => Some(B::And),
            "OR" => Some(B::Or),
            "XOR" => Some(B::Xor),
            _ => None,
        };
        if let Some(op) = binary {
            let args = as_own(self, &ordered)?;
            return chain(op, args).ok_or_else(|| unsupported(self));
        }
        let comparison = match n {
            "GT" => Some(B::Gt),
            "GE" => Some(B::Ge),
            "EQ" => Some(B::Eq),
            "LE" => Some(B::Le),
            "LT" => Some(B::Lt),
            "NE" => Some(B::Ne),
            _ => None,
        };
        if let Some(op) = comparison {
            let common = common_elem(ordered.iter().map(|a| self.elem(a, ctx)));
            let args: Vec<Expr> = ordered
                .iter()
                .map(|a| self.expr_as(a, common, ctx))
                .collect::<Lowered<_>>()?;
            // GT(a, b, c) is a > b AND b > c.
            let pairs: Vec<Expr> = args
                .windows(2)
                .map(|w| Expr::Binary {
                    op,
                    lhs: Box::new(w[0].clone()),
                    rhs: Box::new(w[1].clone()),
                })
                .collect();
            return chain(B::And, pairs).ok_or_else(|| unsupported(self));
        }
        let with_first_own = |l: &mut Self, b: Builtin| -> Lowered<Expr> {
            let mut args = as_own(l, ordered.get(..1).unwrap_or(&[]))?;
            for a in ordered.get(1..).unwrap_or(&[]) {
                args.push(l.expr(a, ctx)?);
            }
            Ok(Expr::Builtin(b, args))
        };
        match n {
            "NOT" => {
                let arg = as_own(self, &ordered)?
                    .pop()
                    .ok_or_else(|| unsupported(self))?;
                Ok(Expr::Unary(UnaryOp::Not, Box::new(arg)))
            }
            "MOVE" => as_own(self, &ordered)?
                .pop()
                .ok_or_else(|| unsupported(self)),
            "EXPT" => with_first_own(self, Builtin::Expt),
            "SHL" => with_first_own(self, Builtin::Shl),
            "SHR" => with_first_own(self, Builtin::Shr),
            "ROL" => with_first_own(self, Builtin::Rol),
            "ROR" => with_first_own(self, Builtin::Ror),
            "SEL" | "MUX" => {
                let selector = ordered.first().ok_or_else(|| unsupported(self))?;
                let want = if n == "SEL" { Some(Elem::Bool) } else { None };
                let mut args = vec![self.expr_as(selector, want, ctx)?];
                args.extend(as_own(self, ordered.get(1..).unwrap_or(&[]))?);
                let b = if n == "SEL" {
                    Builtin::Sel
                } else {
                    Builtin::Mux
                };
                Ok(Expr::Builtin(b, args))
            }
            "__CURRENT_TIME" | "__CURRENT_LTIME" => Ok(Expr::Builtin(
                Builtin::Now(own.unwrap_or(Elem::Time)),
                Vec::new(),
            )),
            "MUL_TIME" | "MUL_LTIME" | "DIV_TIME" | "DIV_LTIME" => {
                let b = if n.starts_with("MUL") {
                    Builtin::MulTime
                } else {
                    Builtin::DivTime
                };
                with_first_own(self, b)
            }
            _ if n.starts_with("ADD_") || n.starts_with("SUB_") => {
                // Durations and dates: all nanoseconds; the result in the function's type.
                let args: Vec<Expr> = ordered
                    .iter()
                    .map(|a| self.expr(a, ctx))
                    .collect::<Lowered<_>>()?;
                let op = if n.starts_with("ADD") { B::Add } else { B::Sub };
                let sum = chain(op, args).ok_or_else(|| unsupported(self))?;
                Ok(match own {
                    Some(t) => convert(sum, t),
                    None => sum,
                })
            }
            _ if n.contains("TRUNC") => {
                let arg = ordered.first().ok_or_else(|| unsupported(self))?;
                let arg = self.expr(arg, ctx)?;
                Ok(Expr::Builtin(
                    Builtin::Trunc(own.unwrap_or(Elem::DInt)),
                    vec![arg],
                ))
            }
            _ if n.contains("BCD") => Err(unsupported(self)),
            _ if n.contains("_TO_") || n.starts_with("TO_") => {
                let (Some(arg), Some(to)) = (ordered.first(), own) else {
                    return Err(unsupported(self));
                };
                if self.elem(arg, ctx).is_none() {
                    // From a string: not simulated yet.
                    return Err(unsupported(self));
                }
                Ok(convert(self.expr(arg, ctx)?, to))
            }
            "LEN" | "LEFT" | "RIGHT" | "MID" | "CONCAT" | "INSERT" | "DELETE" | "REPLACE"
            | "FIND" => {
                let b = match n {
                    "LEN" => Builtin::Len,
                    "LEFT" => Builtin::Left,
                    "RIGHT" => Builtin::Right,
                    "MID" => Builtin::Mid,
                    "CONCAT" => Builtin::Concat,
                    "INSERT" => Builtin::Insert,
                    "DELETE" => Builtin::Delete,
                    "REPLACE" => Builtin::Replace,
                    _ => Builtin::Find,
                };
                let args = ordered
                    .iter()
                    .map(|a| self.expr(a, ctx))
                    .collect::<Lowered<_>>()?;
                Ok(Expr::Builtin(b, args))
            }
            _ => Err(unsupported(self)),
        }
    }

    /// The input arguments of a standard function call in parameter order, extensible inputs
    /// (`IN3`, `IN4`, …) by their number.
    fn ordered_args<'e>(
        &self,
        id: PouId,
        markers: &Markers,
        args: &'e [ast::Arg],
        ctx: Ctx<'p>,
    ) -> Vec<&'e ast::Expr> {
        let info = self.p.pou(id);
        let inputs: Vec<&SmolStr> = info
            .vars
            .iter()
            .filter(|v| v.kind == ast::VarKind::Input)
            .map(|v| &v.key)
            .collect();
        let position = |param: &SmolStr| -> usize {
            if let Some(i) = inputs.iter().position(|k| *k == param) {
                return i * 1_000_000;
            }
            // An extensible input beyond the declared ones sorts after them by number.
            let number = markers
                .extensible
                .as_ref()
                .and_then(|prefix| param.strip_prefix(prefix.as_str()))
                .and_then(|n| n.parse::<usize>().ok())
                .unwrap_or(usize::MAX / 2);
            inputs.len() * 1_000_000 + number
        };
        let mut bound: Vec<(usize, &ast::Expr)> = args
            .iter()
            .filter(|a| !matches!(a.kind, ArgKind::Output | ArgKind::NegatedOutput))
            .filter_map(|a| {
                let value = a.value.as_ref()?;
                let param = ctx.tables.bindings.get(&value.id)?;
                Some((position(param), value))
            })
            .collect();
        bound.sort_by_key(|(p, _)| *p);
        bound.into_iter().map(|(_, v)| v).collect()
    }
}

/// The length a `STRING` has when its declaration gives none (as in CODESYS and TwinCAT).
const DEFAULT_STRING_LENGTH: u32 = 80;

fn is_scalar(ty: &Ty) -> bool {
    matches!(ty, Ty::Elem(_) | Ty::Enum { .. } | Ty::String { .. })
}

/// A value as it is stored into a slot of shape `ty`: strings cut to their declared length.
fn fit(value: Expr, ty: &Ty) -> Expr {
    match ty {
        Ty::String { len, .. } => Expr::Builtin(Builtin::FitString(*len), vec![value]),
        _ => value,
    }
}

/// Whether an expression is made of literals only (sema leaves those untyped until their
/// context decides).
fn is_literal(e: &ast::Expr) -> bool {
    match &e.kind {
        ExprKind::Literal(_) => true,
        ExprKind::Paren(x) | ExprKind::Unary { operand: x, .. } => is_literal(x),
        ExprKind::Binary { lhs, rhs, .. } => is_literal(lhs) && is_literal(rhs),
        _ => false,
    }
}

fn is_builtin(markers: Option<&Markers>) -> bool {
    markers.is_some_and(|m| m.builtin)
}

fn is_comparison(op: ast::BinaryOp) -> bool {
    use ast::BinaryOp as B;
    matches!(op, B::Eq | B::Ne | B::Lt | B::Gt | B::Le | B::Ge)
}

fn convert(e: Expr, to: Elem) -> Expr {
    match e {
        // Constants are converted now, so the simulator never does it at run time.
        Expr::Const(v) => match values::convert(&v, to) {
            Ok(c) => Expr::Const(c),
            Err(_) => Expr::Convert(to, Box::new(Expr::Const(v))),
        },
        other => Expr::Convert(to, Box::new(other)),
    }
}

/// The type every one of several operand types widens to (the first, when none does).
fn common_elem(types: impl Iterator<Item = Option<Elem>>) -> Option<Elem> {
    let types: Vec<Elem> = types.flatten().collect();
    types
        .iter()
        .copied()
        .find(|&t| types.iter().all(|o| o.widens_to(t)))
        .or(types.first().copied())
}

fn bit_number(bit: &ast::Literal) -> Option<u8> {
    literal::integer_value(&bit.text)
        .ok()
        .and_then(|b| u8::try_from(b).ok())
}

/// The value of a literal, in its own type or the wanted one.
fn literal_value(lit: &ast::Literal, want: Option<Elem>) -> Result<Value, String> {
    let text = lit.text.as_str();
    let body = || text.split_once('#').map_or(text, |(_, b)| b);
    let wide = |long: Elem, short: Elem| {
        if text
            .get(..2)
            .is_some_and(|p| p.eq_ignore_ascii_case("LT") || p.eq_ignore_ascii_case("LD"))
        {
            long
        } else {
            short
        }
    };
    let value = match lit.kind {
        LiteralKind::Integer => {
            let v = literal::integer_value(text)?;
            let v = i128::try_from(v).map_err(|_| format!("the literal {text}"))?;
            match want {
                Some(Elem::Bool) => Value::Bool(v != 0),
                Some(e) if e.category() == Category::Real => Value::Real(e, v as f64),
                Some(e) if e.int_range().is_some() => {
                    values::fit(e, v, false).map_err(|_| format!("{text} as {}", e.name()))?
                }
                _ => {
                    values::fit(Elem::LInt, v, false).map_err(|_| format!("the literal {text}"))?
                }
            }
        }
        LiteralKind::Real => {
            let v: f64 = text
                .replace('_', "")
                .parse()
                .map_err(|_| format!("the literal {text}"))?;
            let e = want
                .filter(|e| e.category() == Category::Real)
                .unwrap_or(Elem::LReal);
            values::convert(&Value::Real(Elem::LReal, v), e).map_err(|_| text.to_string())?
        }
        LiteralKind::Bool => Value::Bool(text.eq_ignore_ascii_case("TRUE") || text == "1"),
        LiteralKind::String | LiteralKind::WString => Value::String(literal::string_value(text)),
        LiteralKind::Time => {
            Value::Time(wide(Elem::LTime, Elem::Time), literal::time_value(body())?)
        }
        LiteralKind::TimeOfDay => Value::Time(
            wide(Elem::LTod, Elem::Tod),
            literal::time_of_day_value(body())?,
        ),
        LiteralKind::Date => {
            let (y, m, d) = literal::date_value(body())?;
            Value::Time(
                wide(Elem::LDate, Elem::Date),
                days_from_civil(y, m, d) * NS_PER_DAY,
            )
        }
        LiteralKind::DateAndTime => {
            let b = body();
            let split = b
                .match_indices('-')
                .nth(2)
                .map(|(i, _)| i)
                .ok_or(b.to_string())?;
            let (y, m, d) = literal::date_value(&b[..split])?;
            let tod = literal::time_of_day_value(&b[split + 1..])?;
            Value::Time(
                wide(Elem::Ldt, Elem::Dt),
                days_from_civil(y, m, d) * NS_PER_DAY + tod,
            )
        }
    };
    match (want, &value) {
        (Some(w), Value::Int(e, _) | Value::Real(e, _) | Value::Time(e, _)) if *e != w => {
            values::convert(&value, w).map_err(|_| format!("{text} as {}", w.name()))
        }
        _ => Ok(value),
    }
}

const NS_PER_DAY: i128 = 86_400_000_000_000;

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: u32, m: u32, d: u32) -> i128 {
    let y = y as i128 - if m <= 2 { 1 } else { 0 };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i128;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i128 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}
