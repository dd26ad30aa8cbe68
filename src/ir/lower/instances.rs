//! Instances and frames: where each variable lives, its shape, and its initial slots.

use super::*;

impl<'p, 'a> Lowerer<'p, 'a> {
    /// The body of a POU, laid out now and lowered later.
    pub(super) fn body_id(&mut self, pou: PouId) -> Result<BodyId, String> {
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
                let shaped = self.shape(var.ty);
                if let Ok(ty) = &shaped
                    && var.kind != ast::VarKind::InOut
                    && self
                        .too_large(ty, layout.init.len(), var.file, var.name)
                        .is_err()
                {
                    continue;
                }
                let laid_out = shaped.and_then(|ty| {
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
                    constant: var.constant,
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
                constant: false,
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

    pub(super) fn global_slot(&mut self, g: usize) -> Result<u32, String> {
        if let Some(&slot) = self.globals.get(&g) {
            return Ok(slot);
        }
        let var = &self.p.globals[g];
        let ty = self.shape(var.ty)?;
        if self
            .too_large(&ty, self.globals_init.len(), var.file, var.name)
            .is_err()
        {
            return Err(format!("`{}`, which is too large", var.name.name));
        }
        let init = var.decl.init.as_ref().map(|e| (e, var.file));
        let values = self.initial_values(var.ty, &ty, init)?;
        let offset = self.globals_init.len() as u32;
        self.globals_init.extend(values);
        self.global_vars.push(Var {
            name: var.name.name.clone(),
            kind: VarKind::Global,
            constant: var.constant,
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

    /// Refuses a variable whose slots would take its instance, frame or the globals (`used`
    /// slots so far) past [`layout::MAX_SLOTS`]: R007 at its declaration, before anything is
    /// allocated.
    fn too_large(
        &mut self,
        ty: &Ty,
        used: usize,
        file: FileId,
        name: &ast::Ident,
    ) -> Result<(), Reported> {
        let needed = layout::slot_count(ty, &mut |body| {
            let pou = self.pous[body.0 as usize];
            self.layouts.get(&pou).map_or(0, |l| l.init.len() as u32)
        });
        if (used as u64).saturating_add(needed) <= layout::MAX_SLOTS {
            return Ok(());
        }
        self.diags.push(Diagnostic::new(
            Code::R007,
            file,
            name.span,
            format!(
                "`{}` needs {needed} value slots; the simulator holds at most {} per instance, frame or program's globals",
                name.name,
                layout::MAX_SLOTS
            ),
        ));
        Err(Reported)
    }

    pub(super) fn size(&self, ty: &Ty) -> u32 {
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
            (_, _) if ty.is_scalar() => {
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
}

/// The length a `STRING` has when its declaration gives none (as in CODESYS and TwinCAT).
const DEFAULT_STRING_LENGTH: u32 = 80;
