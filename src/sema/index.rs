//! The project index: every POU, type and global variable of the input files and the standard
//! library, with resolved types, checked for duplicates, unknown types, cyclic definitions and
//! broken inheritance.

use super::consts::{self, Lookup};
use super::dialect::Profile;
use super::library::{self, Markers};
use super::types::{Dim, Elem, Field, Generic, TypeId, TypeKind, TypeTable};
use super::{PouId, SemaFile, graph, key};
use crate::diagnostics::{Code, Diagnostic};
use crate::source::{FileId, Span};
use crate::syntax::ast::*;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use smol_str::SmolStr;

/// A declared variable: a POU's local, input, output…, or a global.
#[derive(Debug)]
pub struct Var<'a> {
    pub name: &'a Ident,
    pub key: SmolStr,
    pub kind: VarKind,
    pub constant: bool,
    pub ty: TypeId,
    pub decl: &'a VarDecl,
    pub file: FileId,
}

/// A POU, or a member of one (method, property, accessor, action).
#[derive(Debug)]
pub struct PouInfo<'a> {
    pub kind: PouKind,
    pub name: SmolStr,
    pub key: SmolStr,
    pub file: FileId,
    pub ast: &'a Pou,
    pub name_span: Span,
    pub parent: Option<PouId>,
    pub vars: Vec<Var<'a>>,
    pub var_index: HashMap<SmolStr, usize>,
    /// The result type of functions and methods; the type of properties and their accessors.
    pub ret: Option<TypeId>,
    pub base: Option<PouId>,
    pub interfaces: Vec<PouId>,
    pub members: HashMap<SmolStr, PouId>,
    /// The type of an instance, for function blocks, classes, programs and interfaces.
    pub instance: Option<TypeId>,
    /// The markers of a standard library declaration; `None` for user code.
    pub markers: Option<Markers>,
}

impl PouInfo<'_> {
    pub fn var(&self, key: &str) -> Option<&Var<'_>> {
        self.var_index.get(key).map(|&i| &self.vars[i])
    }
}

pub struct Project<'a> {
    pub profile: &'static Profile,
    pub types: TypeTable,
    pub type_names: HashMap<SmolStr, TypeId>,
    /// Where each named type is declared.
    pub type_origin: HashMap<TypeId, (FileId, Span)>,
    /// The declaration of each named type (for initial values: `TYPE T : INT := 5;`, structure
    /// members' `:= …`).
    pub type_decls: HashMap<TypeId, (FileId, &'a TypeDecl)>,
    pub pous: Vec<PouInfo<'a>>,
    pub pou_names: HashMap<SmolStr, PouId>,
    pub globals: Vec<Var<'a>>,
    pub global_names: HashMap<SmolStr, usize>,
    /// Global variable lists by name (the file stem), for `GVL.x`.
    pub namespaces: HashMap<SmolStr, HashMap<SmolStr, usize>>,
    /// Unqualified enumeration values and the enumerations that declare them.
    pub enum_values: HashMap<SmolStr, Vec<TypeId>>,
    pub diagnostics: Vec<Diagnostic>,
    /// User files given as libraries (`--lib`): declarations only, never reported on.
    library_files: HashSet<FileId>,
    consts: Consts<'a>,
    /// The type parameters of the POU whose declarations are being resolved (RuSTy's
    /// `FUNCTION MAX<T: ANY_ELEMENTARY> : T`), by key: `T` resolves to its constraint.
    generic_scope: Vec<(SmolStr, &'a Ident)>,
}

/// The call rules of a user POU with RuSTy type parameters or a variadic input, in the terms
/// of the standard library's markers: the inputs of one type parameter take one type, the
/// result is that of the first of them when the result type is that parameter, and a variadic
/// input takes any number of arguments. `None` for other POUs.
fn generic_markers(pou: &Pou) -> Option<Markers> {
    let variadic = pou
        .var_blocks
        .iter()
        .flat_map(|b| &b.decls)
        .find(|d| d.variadic)
        .and_then(|d| d.names.first());
    if pou.generics.is_empty() && variadic.is_none() {
        return None;
    }
    let mut markers = Markers {
        extensible: variadic.map(|n| key(&n.name)),
        ..Markers::default()
    };
    for generic in &pou.generics {
        let k = key(&generic.name.name);
        let of_type = |ty: &TypeSpec| matches!(&ty.kind, TypeSpecKind::Named(n) if n.parts.len() == 1 && key(&n.parts[0].name) == k);
        let inputs: Vec<SmolStr> = pou
            .var_blocks
            .iter()
            .filter(|b| matches!(b.kind, VarKind::Input | VarKind::InOut))
            .flat_map(|b| &b.decls)
            .filter(|d| of_type(&d.ty))
            .flat_map(|d| d.names.iter().map(|n| key(&n.name)))
            .collect();
        if pou.return_type.as_ref().is_some_and(of_type) {
            markers.result = inputs.first().cloned();
        }
        // One input may be a whole variadic list: a group of one still ties its arguments.
        if !inputs.is_empty() {
            markers.same.push(inputs);
        }
    }
    Some(markers)
}

/// Named integer constants: global `CONSTANT`s (evaluated on demand) and enumeration values.
#[derive(Default)]
struct Consts<'a> {
    globals: HashMap<SmolStr, &'a Expr>,
    enums: HashMap<SmolStr, i128>,
}

impl<'a> Consts<'a> {
    fn value(&self, name: &SmolStr, locals: &HashMap<SmolStr, &'a Expr>) -> Option<i128> {
        self.value_at(name, locals, 0)
    }

    fn value_at(
        &self,
        name: &SmolStr,
        locals: &HashMap<SmolStr, &'a Expr>,
        depth: u32,
    ) -> Option<i128> {
        if let Some(v) = self.enums.get(name) {
            return Some(*v);
        }
        let expr = locals.get(name).or_else(|| self.globals.get(name))?;
        // Constants defined in terms of each other must not recurse forever.
        if depth > 32 {
            return None;
        }
        consts::int_value(expr, &|k| self.value_at(k, locals, depth + 1))
    }
}

/// The local constants of a POU, by key.
pub fn local_constants(pou: &Pou) -> HashMap<SmolStr, &Expr> {
    let mut map = HashMap::default();
    for block in &pou.var_blocks {
        if block.qualifiers.contains(&VarQualifier::Constant) {
            for decl in &block.decls {
                if let Some(init) = &decl.init {
                    for name in &decl.names {
                        map.insert(key(&name.name), init);
                    }
                }
            }
        }
    }
    map
}

pub fn build<'a>(files: &[SemaFile<'a>], profile: &'static Profile) -> Project<'a> {
    let mut p = Project {
        profile,
        types: TypeTable::default(),
        type_names: HashMap::default(),
        type_origin: HashMap::default(),
        type_decls: HashMap::default(),
        pous: Vec::new(),
        pou_names: HashMap::default(),
        globals: Vec::new(),
        global_names: HashMap::default(),
        namespaces: HashMap::default(),
        enum_values: HashMap::default(),
        diagnostics: Vec::new(),
        library_files: files.iter().filter(|f| f.library).map(|f| f.id).collect(),
        consts: Consts::default(),
        generic_scope: Vec::new(),
    };
    let lib = library::library();
    let mut declared = Declared::default();
    for file in &lib.files {
        if file.dialect.is_some_and(|d| d != profile.name) {
            continue;
        }
        p.declare_unit(file.id, &file.unit, Some(file.text), &mut declared);
        let stem = file.name.trim_end_matches(".st");
        collect_globals(&mut declared, file.id, &file.unit, stem);
        // A library's name qualifies what it declares (`Tc2_System.MEMCPY`).
        if file.dialect.is_some() {
            p.namespaces.entry(key(stem)).or_default();
        }
    }
    for file in files {
        p.declare_unit(file.id, file.unit, None, &mut declared);
        collect_globals(&mut declared, file.id, file.unit, &file.stem);
    }
    for &(_, block, _) in &declared.globals {
        if block.qualifiers.contains(&VarQualifier::Constant) {
            for decl in &block.decls {
                if let Some(init) = &decl.init {
                    for name in &decl.names {
                        p.consts.globals.insert(key(&name.name), init);
                    }
                }
            }
        }
    }
    let no_locals = HashMap::default();
    for &(file, decl, id) in &declared.types {
        p.define_type(file, decl, id, &no_locals);
        p.type_decls.insert(id, (file, decl));
    }
    for id in 0..p.pous.len() {
        p.define_pou(PouId(id as u32));
    }
    for (file, block, stem) in std::mem::take(&mut declared.globals) {
        p.define_globals(file, block, stem);
    }
    p.check_alias_cycles();
    p.check_inheritance_cycles();
    p.check_containment_cycles();
    p
}

fn collect_globals<'a>(
    declared: &mut Declared<'a>,
    file: FileId,
    unit: &'a SourceUnit,
    stem: &str,
) {
    for item in &unit.items {
        match item {
            Item::Globals(block) => declared.globals.push((file, block, stem.into())),
            Item::Configuration(c) => {
                for block in &c.var_blocks {
                    declared.globals.push((file, block, stem.into()));
                }
            }
            _ => {}
        }
    }
}

/// Declarations collected in the first pass, defined in the second.
#[derive(Default)]
struct Declared<'a> {
    types: Vec<(FileId, &'a TypeDecl, TypeId)>,
    globals: Vec<(FileId, &'a VarBlock, SmolStr)>,
    /// Where each top-level name was first declared, for duplicates.
    names: HashMap<SmolStr, (FileId, Span)>,
}

impl<'a> Project<'a> {
    fn error(&mut self, code: Code, file: FileId, span: Span, message: String) -> &mut Diagnostic {
        self.diagnostics
            .push(Diagnostic::new(code, file, span, message));
        self.diagnostics.last_mut().expect("just pushed")
    }

    /// Reports a duplicate, pointing at the first declaration unless it is in the library.
    fn duplicate(&mut self, file: FileId, span: Span, name: &str, first: (FileId, Span)) {
        let d = Diagnostic::new(
            Code::T003,
            file,
            span,
            format!("`{name}` is declared more than once"),
        );
        let d = if self.is_library_file(first.0) {
            d
        } else {
            d.with_secondary(first.0, first.1, "first declared here")
        };
        self.diagnostics.push(d);
    }

    /// Checks a top-level name for duplicates; a user declaration replaces a library one.
    fn claim_name(&mut self, declared: &mut Declared<'a>, file: FileId, name: &Ident) -> bool {
        let k = key(&name.name);
        match declared.names.get(&k) {
            Some(&first) if !self.is_library_file(first.0) && !self.is_library_file(file) => {
                self.duplicate(file, name.span, &name.name, first);
                false
            }
            _ => {
                declared.names.insert(k, (file, name.span));
                true
            }
        }
    }

    fn declare_unit(
        &mut self,
        file: FileId,
        unit: &'a SourceUnit,
        library_text: Option<&str>,
        declared: &mut Declared<'a>,
    ) {
        for item in &unit.items {
            match item {
                Item::Pou(pou) => {
                    let Some(name) = &pou.name else { continue };
                    let markers = match library_text {
                        Some(text) => Some(
                            library::markers_above(text, pou.span.start as usize)
                                .unwrap_or_default(),
                        ),
                        None => generic_markers(pou),
                    };
                    let k = markers
                        .as_ref()
                        .and_then(|m| m.name.clone())
                        .unwrap_or_else(|| key(&name.name));
                    if !self.claim_name(declared, file, name) {
                        continue;
                    }
                    let id = self.declare_pou(file, pou, None, markers);
                    self.pou_names.insert(k, id);
                }
                Item::Types(block) => {
                    for decl in &block.decls {
                        if !self.claim_name(declared, file, &decl.name) {
                            continue;
                        }
                        let id = self
                            .types
                            .add(Some(decl.name.name.clone()), TypeKind::Error);
                        self.type_names.insert(key(&decl.name.name), id);
                        self.type_origin.insert(id, (file, decl.name.span));
                        declared.types.push((file, decl, id));
                    }
                }
                _ => {}
            }
        }
    }

    fn declare_pou(
        &mut self,
        file: FileId,
        pou: &'a Pou,
        parent: Option<PouId>,
        markers: Option<Markers>,
    ) -> PouId {
        let id = PouId(self.pous.len() as u32);
        let (name, name_span) = match (&pou.name, pou.kind) {
            (Some(n), _) => (n.name.clone(), n.span),
            (None, PouKind::Getter) => (SmolStr::new("GET"), pou.span),
            (None, _) => (SmolStr::new("SET"), pou.span),
        };
        let instance = matches!(
            pou.kind,
            PouKind::FunctionBlock | PouKind::Class | PouKind::Program | PouKind::Interface
        )
        .then(|| {
            let t = self.types.add(Some(name.clone()), TypeKind::Pou(id));
            self.type_names.insert(key(&name), t);
            self.type_origin.insert(t, (file, name_span));
            t
        });
        let library = markers.is_some();
        self.pous.push(PouInfo {
            kind: pou.kind,
            key: key(&name),
            name,
            file,
            ast: pou,
            name_span,
            parent,
            vars: Vec::new(),
            var_index: HashMap::default(),
            ret: None,
            base: None,
            interfaces: Vec::new(),
            members: HashMap::default(),
            instance,
            markers,
        });
        for member in &pou.members {
            let member_markers = library.then(Markers::default);
            let m = self.declare_pou(file, member, Some(id), member_markers);
            let k = self.pous[m.0 as usize].key.clone();
            if let Some(&first) = self.pous[id.0 as usize].members.get(&k) {
                let first_span = self.pous[first.0 as usize].name_span;
                let span = self.pous[m.0 as usize].name_span;
                let name = self.pous[m.0 as usize].name.clone();
                self.duplicate(file, span, &name, (file, first_span));
                continue;
            }
            self.pous[id.0 as usize].members.insert(k, m);
        }
        id
    }

    /// Resolves a type name: declared types and POU instance types, elementary and generic
    /// types. A qualified name (`Tc2_Standard.TON`) resolves by its last part.
    pub fn lookup_type(&self, name: &QualifiedName) -> Option<TypeId> {
        let last = name.parts.last()?;
        let k = key(&last.name);
        if let Some(&t) = self.type_names.get(&k) {
            return Some(t);
        }
        if let Some(e) = Elem::from_name(&k) {
            return Some(TypeTable::elem(e));
        }
        match k.as_str() {
            "STRING" => return Some(TypeTable::STRING),
            "WSTRING" => return Some(TypeTable::WSTRING),
            // CODESYS and TwinCAT's untyped pointer and machine-word types.
            "PVOID" | "POINTER" if self.profile.vendor_extensions => {
                return Some(TypeTable::ANY_POINTER);
            }
            "__XWORD" | "XWORD" | "__UXINT" | "UXINT" | "PTRDIFF_T"
                if self.profile.vendor_extensions =>
            {
                return Some(TypeTable::elem(Elem::ULInt));
            }
            "__XINT" | "XINT" if self.profile.vendor_extensions => {
                return Some(TypeTable::elem(Elem::LInt));
            }
            _ => {}
        }
        let generic = Generic::from_name(&k)?;
        Some(TypeTable::generic(generic))
    }

    /// The value of an integer constant expression, given the constants visible by name.
    pub fn const_value(&self, e: &Expr, locals: &HashMap<SmolStr, &'a Expr>) -> Option<i128> {
        let lookup: Lookup<'_> = &|k| self.consts.value(k, locals);
        consts::int_value(e, lookup)
    }

    /// A type for a type specification, reporting unknown names (T002) and vendor-only
    /// constructs in the IEC dialect (T034).
    pub(super) fn spec_type(
        &mut self,
        file: FileId,
        spec: &'a TypeSpec,
        locals: &HashMap<SmolStr, &'a Expr>,
    ) -> TypeId {
        if let TypeSpecKind::Named(name) = &spec.kind {
            return self.named_type(file, name);
        }
        let kind = self.spec_kind(file, spec, locals, None);
        self.types.add(None, kind)
    }

    fn named_type(&mut self, file: FileId, name: &QualifiedName) -> TypeId {
        // A type parameter stands for its constraint, a generic category (`ANY_NUM`).
        if let [only] = name.parts.as_slice()
            && let Some(&(_, constraint)) = self
                .generic_scope
                .iter()
                .find(|(k, _)| *k == key(&only.name))
        {
            let constraint = QualifiedName {
                parts: vec![constraint.clone()],
                span: constraint.span,
            };
            return self.named_type(file, &constraint);
        }
        match self.lookup_type(name) {
            Some(t) => t,
            None => {
                let shown = crate::syntax::printer::qname(name);
                let d = self.error(
                    Code::T002,
                    file,
                    name.span,
                    format!("unknown type `{shown}`"),
                );
                d.help = Some(match name.parts.first() {
                    Some(library) if name.parts.len() > 1 => format!(
                        "`{}` looks like a library: pass its declarations with `--lib PATH`",
                        library.name
                    ),
                    _ => "declare it in the project, or pass the library that declares it with `--lib PATH`".into(),
                });
                TypeTable::ERROR
            }
        }
    }

    /// T034 for RuSTy's type parameters and variadic inputs in the other dialects.
    fn rusty_only(&mut self, file: FileId, pou: &Pou) {
        if self.profile.generics {
            return;
        }
        let variadic = pou
            .var_blocks
            .iter()
            .flat_map(|b| &b.decls)
            .filter(|d| d.variadic)
            .map(|d| (d.ty.span, "a variadic input (`T...`)"));
        let generics = pou
            .generics
            .first()
            .map(|g| (g.name.span, "a type parameter (`<T: ANY_NUM>`)"));
        let found: Vec<_> = generics.into_iter().chain(variadic).collect();
        for (span, what) in found {
            let message = format!(
                "{what} is not allowed in dialect `{}`: it is RuSTy's, allowed with `--dialect rusty`",
                self.profile.name
            );
            self.error(Code::T034, file, span, message);
        }
    }

    fn vendor_only(&mut self, file: FileId, span: Span, what: &str) {
        self.diagnostics
            .extend(self.profile.vendor_only(file, span, what));
    }

    fn spec_kind(
        &mut self,
        file: FileId,
        spec: &'a TypeSpec,
        locals: &HashMap<SmolStr, &'a Expr>,
        named: Option<TypeId>,
    ) -> TypeKind {
        match &spec.kind {
            TypeSpecKind::Named(name) => TypeKind::Alias(self.named_type(file, name)),
            TypeSpecKind::String { wide, length } => TypeKind::String {
                wide: *wide,
                len: length
                    .as_ref()
                    .and_then(|l| self.const_value(l, locals))
                    .and_then(|n| u32::try_from(n).ok()),
            },
            TypeSpecKind::Array { dims, element } => {
                let dims = dims
                    .iter()
                    .map(|d| Dim {
                        bounds: match d {
                            ArrayDim::Range(lo, hi) => self
                                .const_value(lo, locals)
                                .zip(self.const_value(hi, locals)),
                            ArrayDim::Star(_) => None,
                        },
                    })
                    .collect();
                let elem = self.spec_type(file, element, locals);
                TypeKind::Array { dims, elem }
            }
            TypeSpecKind::Pointer(to) => {
                self.vendor_only(file, spec.span, "`POINTER TO`");
                TypeKind::Pointer(self.spec_type(file, to, locals))
            }
            TypeSpecKind::Reference(to) => {
                self.vendor_only(file, spec.span, "`REFERENCE TO`");
                TypeKind::Reference(self.spec_type(file, to, locals))
            }
            TypeSpecKind::RefTo(to) => TypeKind::RefTo(self.spec_type(file, to, locals)),
            TypeSpecKind::Subrange { base, low, high } => {
                let base = self.named_type(file, base);
                match (
                    self.const_value(low, locals),
                    self.const_value(high, locals),
                ) {
                    (Some(low), Some(high)) => TypeKind::Subrange { base, low, high },
                    _ => TypeKind::Alias(base),
                }
            }
            TypeSpecKind::Enum { base, values, .. } => {
                let base_elem = base
                    .as_ref()
                    .map(|b| self.named_type(file, b))
                    .and_then(|t| self.types.as_elem(t))
                    .unwrap_or(Elem::Int);
                let mut out: Vec<(SmolStr, i128)> = Vec::new();
                let mut seen: HashMap<SmolStr, Span> = HashMap::default();
                let mut next = 0i128;
                let type_name = named.and_then(|t| self.types.get(t).name.clone());
                for v in values {
                    let k = key(&v.name.name);
                    if let Some(&first) = seen.get(&k) {
                        self.duplicate(file, v.name.span, &v.name.name, (file, first));
                        continue;
                    }
                    seen.insert(k.clone(), v.name.span);
                    let value = v
                        .value
                        .as_ref()
                        .and_then(|e| {
                            let local: HashMap<SmolStr, i128> = out.iter().cloned().collect();
                            let lookup: Lookup<'_> = &|n| {
                                local
                                    .get(n)
                                    .copied()
                                    .or_else(|| self.consts.value(n, locals))
                            };
                            consts::int_value(e, lookup)
                        })
                        .unwrap_or(next);
                    next = value + 1;
                    if let (Some(t), Some(tn)) = (named, &type_name) {
                        self.enum_values.entry(k.clone()).or_default().push(t);
                        self.consts.enums.insert(key(&format!("{tn}.{k}")), value);
                    }
                    out.push((k, value));
                }
                TypeKind::Enum {
                    values: out,
                    base: base_elem,
                }
            }
            TypeSpecKind::Struct { members } | TypeSpecKind::Union { members } => {
                let union = matches!(spec.kind, TypeSpecKind::Union { .. });
                if union {
                    self.vendor_only(file, spec.span, "`UNION`");
                }
                let mut fields: Vec<Field> = Vec::new();
                let mut seen: HashMap<SmolStr, Span> = HashMap::default();
                for m in members {
                    let ty = self.spec_type(file, &m.ty, locals);
                    for name in &m.names {
                        let k = key(&name.name);
                        if let Some(&first) = seen.get(&k) {
                            self.duplicate(file, name.span, &name.name, (file, first));
                            continue;
                        }
                        seen.insert(k.clone(), name.span);
                        fields.push(Field {
                            key: k,
                            name: name.name.clone(),
                            ty,
                        });
                    }
                }
                TypeKind::Struct {
                    fields,
                    union,
                    base: None,
                }
            }
        }
    }

    fn define_type(
        &mut self,
        file: FileId,
        decl: &'a TypeDecl,
        id: TypeId,
        locals: &HashMap<SmolStr, &'a Expr>,
    ) {
        let mut kind = self.spec_kind(file, &decl.spec, locals, Some(id));
        if let (Some(base_name), TypeKind::Struct { base, .. }) = (&decl.extends, &mut kind) {
            *base = Some(self.named_type(file, base_name));
        }
        self.types.set(id, kind);
    }

    fn define_pou(&mut self, id: PouId) {
        let pou = self.pous[id.0 as usize].ast;
        let file = self.pous[id.0 as usize].file;
        self.generic_scope = pou
            .generics
            .iter()
            .map(|g| (key(&g.name.name), &g.constraint))
            .collect();
        self.rusty_only(file, pou);
        let locals = local_constants(pou);
        let mut vars = Vec::new();
        let mut index: HashMap<SmolStr, usize> = HashMap::default();
        for block in &pou.var_blocks {
            let constant = block.qualifiers.contains(&VarQualifier::Constant);
            for decl in &block.decls {
                let ty = self.spec_type(file, &decl.ty, &locals);
                for name in &decl.names {
                    let k = key(&name.name);
                    if let Some(&first) = index.get(&k) {
                        let first: &Var<'_> = &vars[first];
                        let span = first.name.span;
                        self.duplicate(file, name.span, &name.name, (file, span));
                        continue;
                    }
                    index.insert(k.clone(), vars.len());
                    vars.push(Var {
                        name,
                        key: k,
                        kind: block.kind,
                        constant,
                        ty,
                        decl,
                        file,
                    });
                }
            }
        }
        let ret = match (&pou.return_type, pou.kind) {
            (Some(t), _) => Some(self.spec_type(file, t, &locals)),
            (None, PouKind::Getter | PouKind::Setter) => {
                let parent = self.pous[id.0 as usize].parent;
                parent.and_then(|p| {
                    self.pous[p.0 as usize]
                        .ast
                        .return_type
                        .as_ref()
                        .map(|_| TypeTable::ERROR)
                })
            }
            _ => None,
        };
        let mut base = None;
        let mut interfaces = Vec::new();
        let kind = pou.kind;
        for name in &pou.extends {
            let Some(target) = self.lookup_pou_by_name(name) else {
                if self.lookup_type(name).is_some() {
                    self.error(
                        Code::T024,
                        file,
                        name.span,
                        format!(
                            "`{}` cannot extend `{}`: it is a data type, not a function block",
                            self.pous[id.0 as usize].name,
                            crate::syntax::printer::qname(name)
                        ),
                    );
                } else {
                    self.named_type(file, name);
                }
                continue;
            };
            let target_kind = self.pous[target.0 as usize].kind;
            let ok = match kind {
                PouKind::Interface => target_kind == PouKind::Interface,
                _ => matches!(target_kind, PouKind::FunctionBlock | PouKind::Class),
            };
            if !ok {
                self.error(
                    Code::T024,
                    file,
                    name.span,
                    format!(
                        "`{}` cannot extend `{}`: it is not {}",
                        self.pous[id.0 as usize].name,
                        crate::syntax::printer::qname(name),
                        if kind == PouKind::Interface {
                            "an interface"
                        } else {
                            "a function block or class"
                        }
                    ),
                );
            } else if kind == PouKind::Interface {
                interfaces.push(target);
            } else {
                base = Some(target);
            }
        }
        for name in &pou.implements {
            let Some(target) = self.lookup_pou_by_name(name) else {
                self.named_type(file, name);
                continue;
            };
            if self.pous[target.0 as usize].kind != PouKind::Interface {
                self.error(
                    Code::T024,
                    file,
                    name.span,
                    format!(
                        "`{}` is not an interface",
                        crate::syntax::printer::qname(name)
                    ),
                );
                continue;
            }
            interfaces.push(target);
        }
        let info = &mut self.pous[id.0 as usize];
        info.vars = vars;
        info.var_index = index;
        info.ret = ret;
        info.base = base;
        info.interfaces = interfaces;
        self.generic_scope.clear();
        // An accessor's type is its property's.
        if matches!(kind, PouKind::Getter | PouKind::Setter)
            && let Some(parent) = info.parent
        {
            let property_type = self.pous[parent.0 as usize]
                .ast
                .return_type
                .as_ref()
                .map(|t| self.spec_type(file, t, &locals));
            self.pous[id.0 as usize].ret = property_type;
        }
    }

    fn lookup_pou_by_name(&self, name: &QualifiedName) -> Option<PouId> {
        let last = name.parts.last()?;
        self.pou_names.get(&key(&last.name)).copied()
    }

    fn define_globals(&mut self, file: FileId, block: &'a VarBlock, stem: SmolStr) {
        let constant = block.qualifiers.contains(&VarQualifier::Constant);
        let locals = HashMap::default();
        let ns_key = key(&stem);
        for decl in &block.decls {
            let ty = self.spec_type(file, &decl.ty, &locals);
            for name in &decl.names {
                let k = key(&name.name);
                let ns = self.namespaces.entry(ns_key.clone()).or_default();
                if let Some(&first) = ns.get(&k) {
                    let span = self.globals[first].name.span;
                    let first_file = self.globals[first].file;
                    if first_file == file {
                        self.duplicate(file, name.span, &name.name, (file, span));
                        continue;
                    }
                }
                let index = self.globals.len();
                ns.insert(k.clone(), index);
                self.global_names.entry(k.clone()).or_insert(index);
                self.globals.push(Var {
                    name,
                    key: k,
                    kind: block.kind,
                    constant,
                    ty,
                    decl,
                    file,
                });
            }
        }
    }

    /// Reports each named type on an alias cycle (T023) and breaks the cycle.
    fn check_alias_cycles(&mut self) {
        let n = self.types.len();
        let edges: Vec<Vec<usize>> = (0..n)
            .map(|i| match self.types.kind(TypeId(i as u32)) {
                TypeKind::Alias(t) | TypeKind::Subrange { base: t, .. } => vec![t.0 as usize],
                _ => vec![],
            })
            .collect();
        self.report_type_cycles(&edges, "is defined in terms of itself");
    }

    /// A structure or function block that contains itself by value has no finite size.
    fn check_containment_cycles(&mut self) {
        let n = self.types.len();
        let mut edges: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (i, out) in edges.iter_mut().enumerate() {
            match self.types.kind(TypeId(i as u32)) {
                TypeKind::Struct { fields, base, .. } => {
                    out.extend(fields.iter().map(|f| f.ty.0 as usize));
                    out.extend(base.map(|b| b.0 as usize));
                }
                TypeKind::Array { elem, .. } => out.push(elem.0 as usize),
                TypeKind::Alias(t) => out.push(t.0 as usize),
                TypeKind::Pou(pou) => {
                    let info = &self.pous[pou.0 as usize];
                    out.extend(
                        info.vars
                            .iter()
                            .filter(|v| {
                                !matches!(
                                    v.kind,
                                    VarKind::InOut | VarKind::External | VarKind::Temp
                                )
                            })
                            .map(|v| v.ty.0 as usize),
                    );
                    out.extend(
                        info.base
                            .and_then(|b| self.pous[b.0 as usize].instance)
                            .map(|t| t.0 as usize),
                    );
                }
                _ => {}
            }
        }
        self.report_type_cycles(&edges, "contains itself");
    }

    fn report_type_cycles(&mut self, edges: &[Vec<usize>], what: &str) {
        let cyclic = graph::on_cycle(edges);
        for (i, &on) in cyclic.iter().enumerate() {
            let id = TypeId(i as u32);
            if !on {
                continue;
            }
            if let Some(&(file, span)) = self.type_origin.get(&id) {
                let name = self.types.display(id);
                self.error(Code::T023, file, span, format!("type `{name}` {what}"));
            }
            if !matches!(self.types.kind(id), TypeKind::Pou(_)) {
                self.types.set(id, TypeKind::Error);
            }
        }
    }

    fn check_inheritance_cycles(&mut self) {
        let edges: Vec<Vec<usize>> = self
            .pous
            .iter()
            .map(|p| {
                p.base
                    .iter()
                    .chain(if p.kind == PouKind::Interface {
                        p.interfaces.iter()
                    } else {
                        [].iter()
                    })
                    .map(|b| b.0 as usize)
                    .collect()
            })
            .collect();
        let cyclic = graph::on_cycle(&edges);
        for (i, &on) in cyclic.iter().enumerate() {
            if !on {
                continue;
            }
            let info = &self.pous[i];
            let (file, name) = (info.file, info.name.clone());
            // A POU extending itself is reported at the clause, a longer cycle at each name.
            let span = match info.ast.extends.first() {
                Some(clause) if info.base == Some(PouId(i as u32)) => clause.span,
                _ => info.name_span,
            };
            self.error(
                Code::T024,
                file,
                span,
                format!("`{name}` inherits from itself"),
            );
            let info = &mut self.pous[i];
            info.base = None;
            if info.kind == PouKind::Interface {
                info.interfaces.clear();
            }
        }
    }

    /// The user POUs and members whose bodies are checked.
    pub fn user_pous(&self) -> impl Iterator<Item = PouId> + '_ {
        self.pous
            .iter()
            .enumerate()
            .filter(|(_, p)| !self.is_library_file(p.file))
            .map(|(i, _)| PouId(i as u32))
    }

    /// Whether a file is part of a library: the embedded standard library or vendor
    /// declarations, or a user file given with `--lib`.
    pub fn is_library_file(&self, file: FileId) -> bool {
        library::is_library_file(file) || self.library_files.contains(&file)
    }

    pub fn pou(&self, id: PouId) -> &PouInfo<'a> {
        &self.pous[id.0 as usize]
    }

    /// A variable visible by its bare name inside `pou`: its own, those of its bases, and for
    /// methods, actions and accessors those of the POU they belong to.
    pub fn scope_var(&self, pou: PouId, k: &str) -> Option<(PouId, usize)> {
        let mut current = Some(pou);
        while let Some(c) = current {
            if let Some(found) = self.inherited_var(c, k) {
                return Some(found);
            }
            current = self.pou(c).parent;
        }
        None
    }

    /// A variable of `pou` or of one of its bases.
    pub fn inherited_var(&self, pou: PouId, k: &str) -> Option<(PouId, usize)> {
        let mut current = Some(pou);
        for _ in 0..self.pous.len() {
            let c = current?;
            if let Some(&i) = self.pou(c).var_index.get(k) {
                return Some((c, i));
            }
            current = self.pou(c).base;
        }
        None
    }

    /// A method, property or action of `pou`, its bases or its interfaces.
    pub fn member(&self, pou: PouId, k: &str) -> Option<PouId> {
        let mut todo = vec![pou];
        let mut seen = Vec::new();
        while let Some(c) = todo.pop() {
            if seen.contains(&c) {
                continue;
            }
            seen.push(c);
            let info = self.pou(c);
            if let Some(&m) = info.members.get(k) {
                return Some(m);
            }
            todo.extend(info.base);
            todo.extend(info.interfaces.iter().copied());
        }
        None
    }

    /// The function block or class whose instance `pou` belongs to (itself, or the owner of a
    /// method, action or accessor).
    pub fn owner(&self, pou: PouId) -> PouId {
        let mut current = pou;
        while let Some(parent) = self.pou(current).parent {
            current = parent;
        }
        current
    }

    /// Whether `derived` is `base` or inherits from it (through EXTENDS or IMPLEMENTS).
    pub fn derives_from(&self, derived: PouId, base: PouId) -> bool {
        let mut todo = vec![derived];
        let mut seen = Vec::new();
        while let Some(c) = todo.pop() {
            if c == base {
                return true;
            }
            if seen.contains(&c) {
                continue;
            }
            seen.push(c);
            todo.extend(self.pou(c).base);
            todo.extend(self.pou(c).interfaces.iter().copied());
        }
        false
    }

    /// The constants visible by name in a POU body: its own and those of the POU it belongs to.
    pub fn visible_constants(&self, pou: PouId) -> HashMap<SmolStr, &'a Expr> {
        let mut all = local_constants(self.pou(self.owner(pou)).ast);
        all.extend(local_constants(self.pou(pou).ast));
        all
    }

    /// How a simple expression is spelled, for messages (a name, or `…`).
    pub fn text_of(&self, e: &Expr) -> String {
        match &e.kind {
            ExprKind::Name(n) => n.name.to_string(),
            _ => "…".to_string(),
        }
    }

    /// The value of the enumeration `t` that `e` names (`Run`, `E_State.Run`, `E_State#Run`).
    pub fn enum_value_named(&self, t: TypeId, e: &Expr) -> Option<i128> {
        let TypeKind::Enum { values, .. } = self.types.kind(self.types.resolve(t)) else {
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
        values.iter().find(|(n, _)| *n == k).map(|(_, v)| *v)
    }

    /// The value of a qualified enumeration constant (`E_State.Run`), upper-case key.
    pub fn enum_constant(&self, k: &str) -> Option<i128> {
        self.consts.enums.get(k).copied()
    }
}
