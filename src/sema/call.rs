//! Calls: what is called (function, instance, method, action, conversion, vendor operator),
//! how arguments bind to parameters (formal, informal, outputs, EN/ENO, extensible inputs),
//! and the generic signatures of the standard library (`@generic`, `@overload` markers).

use super::body::Checker;
use super::expr::{Base, Conversion, Ty};
use super::key;
use super::types::{Elem, Generic, TypeId, TypeKind, TypeTable};
use super::{PouId, Resolved, Var};
use crate::diagnostics::Code;
use crate::syntax::ast::*;
use smol_str::SmolStr;

/// What a call expression calls.
enum Target {
    /// A function, method, action or program (called by its name).
    Pou(PouId),
    /// An instance of this function block (or class, or program); the callee expression's
    /// own resolution says which variable.
    Instance(PouId),
    /// `X_TO_Y` / `TO_Y` in the dialects that have every conversion.
    Conversion(TypeId),
    /// A vendor operator such as `ADR` or `SIZEOF`.
    Builtin(Builtin),
    /// Not callable; already reported.
    Invalid,
}

#[derive(Clone, Copy)]
enum Builtin {
    /// Returns an untyped address.
    Address,
    /// Returns an integer that adapts to its context.
    Size,
    Bool,
    DInt,
    String,
    Time,
    /// Supported by the vendors, deliberately not by stforge: dynamic memory and the
    /// compiler's introspection operators.
    Unsupported,
}

fn builtin(k: &str, vendor: bool) -> Option<Builtin> {
    use Builtin::*;
    // REF is the standard's (3rd edition) way to take a reference.
    if k == "REF" {
        return Some(Address);
    }
    if !vendor {
        return None;
    }
    Some(match k {
        "ADR" | "ADRINST" | "__QUERYPOINTER_ADR" => Address,
        "SIZEOF" | "XSIZEOF" | "INDEXOF" | "BITADR" => Size,
        "__ISVALIDREF" | "__QUERYINTERFACE" | "__QUERYPOINTER" => Bool,
        "LOWER_BOUND" | "UPPER_BOUND" => DInt,
        "__POUNAME" | "__POSITION" => String,
        // The PLC's millisecond clock.
        "TIME" => Time,
        "__NEW" | "__DELETE" | "__VARINFO" => Unsupported,
        _ => return None,
    })
}

/// The target type of a conversion name (`INT_TO_STRING`, `TO_DINT`, `TRUNC_INT`).
fn conversion_target(k: &str) -> Option<TypeId> {
    let to = k
        .rsplit_once("_TO_")
        .map(|(_, to)| to)
        .or_else(|| k.strip_prefix("TO_"))
        .or_else(|| k.strip_prefix("TRUNC_"))?;
    if let Some(from) = k.split_once("_TO_").map(|(f, _)| f) {
        let known = |n: &str| {
            Elem::from_name(n).is_some() || matches!(n, "STRING" | "WSTRING" | "BCD" | "ANY")
        };
        if !known(from.trim_start_matches("BCD_")) {
            return None;
        }
    }
    match to {
        "STRING" => Some(TypeTable::STRING),
        "WSTRING" => Some(TypeTable::WSTRING),
        _ => Elem::from_name(to).map(TypeTable::elem),
    }
}

/// One argument bound to a parameter.
struct Bound<'e> {
    /// The parameter's variable in the callee; extensible inputs use their list's first one.
    var: usize,
    /// The parameter's name, for extensible inputs beyond the declared ones.
    name: SmolStr,
    value: &'e Expr,
    ty: Ty,
}

impl<'p, 'a> Checker<'p, 'a> {
    pub fn call(&mut self, callee: &Expr, args: &[Arg]) -> Ty {
        let target = self.call_target(callee);
        let resolved = match target {
            Target::Pou(id) => Some(Resolved::Pou(id)),
            Target::Instance(_) => None,
            Target::Conversion(to) => Some(Resolved::Conversion(to)),
            Target::Builtin(_) => Some(Resolved::Builtin(
                self.p.text_of(callee).to_ascii_uppercase().into(),
            )),
            Target::Invalid => None,
        };
        self.resolved.extend(resolved.map(|r| (callee.id, r)));
        match target {
            Target::Pou(id) | Target::Instance(id) => self.pou_call(callee, id, args),
            Target::Conversion(to) => {
                self.check_arity(callee, args, 1);
                for a in args {
                    if let Some(v) = &a.value {
                        self.expr(v);
                    }
                }
                Ty::Known(to)
            }
            Target::Builtin(b) => {
                for a in args {
                    if let Some(v) = &a.value {
                        // Taking the address of a function's result is how vendor code
                        // fills it in.
                        if let ExprKind::Name(n) = &v.kind {
                            let k = key(&n.name);
                            if self.p.scope_var(self.pou, &k).is_none()
                                && self.result_variable(&k).is_some()
                            {
                                self.result_assigned = true;
                            }
                        }
                        // SIZEOF(INT), __NEW(T) name types; everything else takes values.
                        if !matches!(b, Builtin::Size | Builtin::Unsupported)
                            || !matches!(v.kind, ExprKind::Name(_))
                        {
                            self.expr(v);
                        } else if let ExprKind::Name(n) = &v.kind {
                            let k = key(&n.name);
                            let q = QualifiedName {
                                parts: vec![n.clone()],
                                span: n.span,
                            };
                            let is_type = self.p.lookup_type(&q).is_some();
                            if self.variable(&k).is_none() && !is_type {
                                let message = format!("unknown name `{}`", n.name);
                                self.report(Code::T001, n.span, message);
                            }
                        }
                    }
                }
                match b {
                    Builtin::Address => Ty::Known(TypeTable::ANY_POINTER),
                    Builtin::Size => Ty::Int(None),
                    Builtin::Bool => Ty::Known(TypeTable::elem(Elem::Bool)),
                    Builtin::DInt => Ty::Known(TypeTable::elem(Elem::DInt)),
                    Builtin::String => Ty::Known(TypeTable::STRING),
                    Builtin::Time => Ty::Known(TypeTable::elem(Elem::Time)),
                    Builtin::Unsupported => {
                        let message = format!(
                            "`{}` is not supported by stforge: this call is not checked or simulated",
                            self.p.text_of(callee)
                        );
                        self.report(Code::T029, callee.span, message);
                        Ty::ERROR
                    }
                }
            }
            Target::Invalid => {
                for a in args {
                    if let Some(v) = &a.value {
                        self.expr(v);
                    }
                }
                Ty::ERROR
            }
        }
    }

    fn check_arity(&mut self, callee: &Expr, args: &[Arg], n: usize) {
        if args.len() > n {
            self.report(
                Code::T009,
                args[n].span,
                format!("this call takes {n} argument(s)"),
            );
        } else if args.len() < n {
            self.report(
                Code::T008,
                callee.span,
                format!("this call takes {n} argument(s)"),
            );
        }
    }

    fn call_target(&mut self, callee: &Expr) -> Target {
        match &callee.kind {
            ExprKind::Name(n) => self.named_target(callee.id, n),
            ExprKind::Member { base, member } => {
                let k = key(&member.name);
                match self.base(base) {
                    Base::Value(Ty::Known(t)) => {
                        let resolved = self.p.types.resolve(t);
                        match self.p.types.kind(resolved) {
                            TypeKind::Error => Target::Invalid,
                            TypeKind::Pou(pou) => {
                                let pou = *pou;
                                if let Some(m) = self.p.member(pou, &k) {
                                    return Target::Pou(m);
                                }
                                if let Some((owner, i)) = self.p.inherited_var(pou, &k) {
                                    self.used.push((owner, i));
                                    self.resolved.push((callee.id, Resolved::Var(owner, i)));
                                    let ty = self.p.pou(owner).vars[i].ty;
                                    return self.instance_target(ty, member);
                                }
                                let shown = self.p.types.display(t);
                                self.report(
                                    Code::T021,
                                    member.span,
                                    format!(
                                        "`{shown}` has no method, action or instance `{}`",
                                        member.name
                                    ),
                                );
                                Target::Invalid
                            }
                            _ => {
                                let ty = self.value_member(None, Ty::Known(t), member);
                                match ty {
                                    Ty::Known(ty) => self.instance_target(ty, member),
                                    _ => Target::Invalid,
                                }
                            }
                        }
                    }
                    Base::Value(_) => Target::Invalid,
                    Base::Namespace(ns) => {
                        let known_namespace = self.p.namespaces.get(&ns);
                        match known_namespace.and_then(|n| n.get(&k)) {
                            Some(&g) => {
                                self.resolved.push((callee.id, Resolved::Global(g)));
                                self.instance_target(self.p.globals[g].ty, member)
                            }
                            // A qualified call: `Tc2_System.MEMSET(…)`, `TcoCore.Fn(…)`.
                            None if self.p.pou_names.contains_key(&k) => {
                                self.named_target(callee.id, member)
                            }
                            None if known_namespace.is_some() => {
                                let message = format!(
                                    "`{}` declares no `{}`",
                                    self.p.text_of(base),
                                    member.name
                                );
                                self.report(Code::T021, member.span, message);
                                Target::Invalid
                            }
                            None => {
                                self.unknown_library(base);
                                Target::Invalid
                            }
                        }
                    }
                    Base::Enum(_) => {
                        self.report(
                            Code::T006,
                            callee.span,
                            "an enumeration value cannot be called".into(),
                        );
                        Target::Invalid
                    }
                }
            }
            _ => match self.expr(callee) {
                Ty::Known(t) => {
                    let ident = Ident {
                        name: "expression".into(),
                        span: callee.span,
                    };
                    self.instance_target(t, &ident)
                }
                _ => {
                    self.report(
                        Code::T006,
                        callee.span,
                        "this expression cannot be called".into(),
                    );
                    Target::Invalid
                }
            },
        }
    }

    /// Calling a variable: only instances of function blocks and programs can be called.
    fn instance_target(&mut self, ty: TypeId, name: &Ident) -> Target {
        let types = &self.p.types;
        match types.kind(types.resolve(ty)) {
            TypeKind::Error => Target::Invalid,
            TypeKind::Pou(pou)
                if matches!(
                    self.p.pou(*pou).kind,
                    PouKind::FunctionBlock | PouKind::Program | PouKind::Class
                ) =>
            {
                Target::Instance(*pou)
            }
            _ => {
                let shown = types.display(ty);
                self.report(
                    Code::T006,
                    name.span,
                    format!(
                        "`{}` is of type `{shown}`, which cannot be called",
                        name.name
                    ),
                );
                Target::Invalid
            }
        }
    }

    fn named_target(&mut self, id: NodeId, n: &Ident) -> Target {
        let k = key(&n.name);
        if let Some((t, resolved)) = self.variable(&k)
            && (self.result_variable(&k).is_none() || self.p.scope_var(self.pou, &k).is_some())
        {
            self.resolved.push((id, resolved));
            return self.instance_target(t, n);
        }
        // Methods and actions of the POU (or its owner) are called by their bare name.
        let mut scope = Some(self.pou);
        while let Some(s) = scope {
            if let Some(m) = self.p.member(s, &k) {
                return Target::Pou(m);
            }
            scope = self.p.pou(s).parent;
        }
        if let Some(&pou) = self.p.pou_names.get(&k) {
            return match self.p.pou(pou).kind {
                PouKind::Function | PouKind::Program => Target::Pou(pou),
                kind => {
                    let what = if kind == PouKind::Interface {
                        "an interface"
                    } else {
                        "a function block type"
                    };
                    self.report(
                        Code::T006,
                        n.span,
                        format!("`{}` is {what}: declare an instance and call that", n.name),
                    );
                    Target::Invalid
                }
            };
        }
        if let Some(b) = builtin(&k, true) {
            // `&x`, read by the parser as `REF(x)` with a one-character callee, is RuSTy's.
            if k == "REF" && n.span.len() == 1 && !self.p.profile.references_are_addresses {
                let message = format!(
                    "`&x` for `REF(x)` is not allowed in dialect `{}`: it is RuSTy's, allowed with `--dialect rusty`",
                    self.p.profile.name
                );
                self.report(Code::T034, n.span, message);
            }
            if !self.p.profile.vendor_extensions && builtin(&k, false).is_none() {
                self.vendor_only(n.span, &format!("`{}`", n.name));
            }
            return Target::Builtin(b);
        }
        // Every explicit `X_TO_Y` between elementary types: the standard's tables, the 2nd
        // edition's and matiec's (`TIME_TO_UDINT`), the vendors' (`INT_TO_STRING`).
        if let Some(to) = conversion_target(&k) {
            return Target::Conversion(to);
        }
        if self.p.type_names.contains_key(&k) {
            self.report(
                Code::T006,
                n.span,
                format!("`{}` is a type, not a function", n.name),
            );
            return Target::Invalid;
        }
        self.report(Code::T001, n.span, format!("unknown function `{}`", n.name));
        Target::Invalid
    }

    /// The parameters of a POU: for function blocks, those of its bases first.
    fn params(&self, id: PouId) -> Vec<&'p Var<'a>> {
        let mut chain = vec![id];
        while let Some(base) = self.p.pou(*chain.last().expect("not empty")).base {
            if chain.contains(&base) {
                break;
            }
            chain.push(base);
        }
        chain
            .iter()
            .rev()
            .flat_map(|&c| self.p.pou(c).vars.iter())
            .filter(|v| matches!(v.kind, VarKind::Input | VarKind::InOut | VarKind::Output))
            .collect()
    }

    fn pou_call(&mut self, callee: &Expr, id: PouId, args: &[Arg]) -> Ty {
        let p = self.p;
        let info = p.pou(id);
        let markers = info.markers.clone().unwrap_or_default();
        let is_function = matches!(info.kind, PouKind::Function | PouKind::Method);
        let params = self.params(id);
        let find = |k: &str| params.iter().position(|v| v.key == k);
        let positional: Vec<usize> = (0..params.len())
            .filter(|&i| matches!(params[i].kind, VarKind::Input | VarKind::InOut))
            .collect();
        // The first member of an extensible list, and the list's prefix.
        let extensible = markers.extensible.as_ref().and_then(|prefix| {
            let first = positional
                .iter()
                .copied()
                .find(|&i| params[i].key.starts_with(prefix.as_str()))?;
            Some((prefix.clone(), first))
        });
        let mut bound: Vec<Bound<'_>> = Vec::new();
        let mut seen: Vec<SmolStr> = Vec::new();
        let mut next_positional = 0;
        let mut informal = false;
        for arg in args {
            match (arg.kind, &arg.name) {
                (ArgKind::Positional, _) => {
                    informal = true;
                    let Some(value) = &arg.value else { continue };
                    // Vendor tools let positional arguments follow formal ones; they fill
                    // the inputs not given yet.
                    while positional
                        .get(next_positional)
                        .is_some_and(|&v| seen.contains(&params[v].key))
                    {
                        next_positional += 1;
                    }
                    let var = match positional.get(next_positional) {
                        Some(&v) => (v, params[v].key.clone()),
                        None => match &extensible {
                            Some((prefix, first)) => {
                                let number = next_positional
                                    - positional.iter().position(|v| v == first).unwrap_or(0)
                                    + first_number(&params[*first].key, prefix);
                                (*first, SmolStr::new(format!("{prefix}{number}")))
                            }
                            None => {
                                self.report(
                                    Code::T009,
                                    arg.span,
                                    format!(
                                        "`{}` takes {} argument(s)",
                                        info.name,
                                        positional.len()
                                    ),
                                );
                                self.expr(value);
                                next_positional += 1;
                                continue;
                            }
                        },
                    };
                    next_positional += 1;
                    seen.push(var.1.clone());
                    self.bindings.push((value.id, var.1.clone()));
                    let ty = self.expr(value);
                    bound.push(Bound {
                        var: var.0,
                        name: var.1,
                        value,
                        ty,
                    });
                }
                (kind, Some(name)) => {
                    let mut k = key(&name.name);
                    // Vendor spellings of standard parameters (CTU's RESET for R).
                    if let Some(&(_, _, standard)) = p
                        .profile
                        .parameter_aliases
                        .iter()
                        .find(|(pou, alias, _)| *pou == info.key && *alias == k)
                    {
                        k = SmolStr::new(standard);
                    }
                    if seen.contains(&k) {
                        self.report(
                            Code::T010,
                            name.span,
                            format!("`{}` is given more than once", name.name),
                        );
                    }
                    seen.push(k.clone());
                    let output = matches!(kind, ArgKind::Output | ArgKind::NegatedOutput);
                    let found = find(&k).or_else(|| {
                        let (prefix, first) = extensible.as_ref()?;
                        k.strip_prefix(prefix.as_str())?.parse::<u32>().ok()?;
                        Some(*first)
                    });
                    let var = found.filter(|&i| {
                        let kind = params[i].kind;
                        if output {
                            kind == VarKind::Output
                        } else {
                            matches!(kind, VarKind::Input | VarKind::InOut)
                        }
                    });
                    let Some(var) = var else {
                        // EN and ENO belong to every call.
                        if (k == "EN" && !output) || (k == "ENO" && output) {
                            if let Some(v) = &arg.value {
                                self.check_output_or_bool(v, output);
                            }
                            continue;
                        }
                        if let Some(v) = &arg.value {
                            self.expr(v);
                        }
                        match found {
                            Some(_) if output => self.report(
                                Code::T012,
                                name.span,
                                format!(
                                    "`{}` is an input of `{}`: connect it with `:=`",
                                    name.name, info.name
                                ),
                            ),
                            Some(_) => self.report(
                                Code::T007,
                                name.span,
                                format!(
                                    "`{}` is an output of `{}`: read it with `=>`",
                                    name.name, info.name
                                ),
                            ),
                            None => {
                                let what = if output { "output" } else { "input" };
                                self.report(
                                    Code::T007,
                                    name.span,
                                    format!("`{}` has no {what} named `{}`", info.name, name.name),
                                );
                            }
                        }
                        continue;
                    };
                    let Some(value) = &arg.value else { continue };
                    self.bindings.push((value.id, k.clone()));
                    if output {
                        self.output_connection(
                            value,
                            params[var].ty,
                            kind == ArgKind::NegatedOutput,
                        );
                        continue;
                    }
                    let ty = self.expr(value);
                    bound.push(Bound {
                        var,
                        name: k,
                        value,
                        ty,
                    });
                }
                (_, None) => {}
            }
        }
        // VAR_IN_OUT needs a variable on every call. A formal call may leave inputs out (they
        // take their default values, IEC 61131-3 6.6.1.7); an informal call must give all of
        // them, except trailing ones with a declared default, which vendor tools allow.
        for (i, var) in params.iter().enumerate() {
            let is_bound = bound.iter().any(|b| b.var == i && b.name == var.key);
            let needed = match var.kind {
                VarKind::InOut => true,
                VarKind::Input => is_function && informal && var.decl.init.is_none(),
                _ => false,
            };
            if needed && !is_bound {
                let kind = if var.kind == VarKind::InOut {
                    "VAR_IN_OUT"
                } else {
                    "input"
                };
                let message = format!(
                    "`{}` needs a value for its {kind} `{}`",
                    info.name, var.name.name
                );
                self.report_declared(Code::T008, callee.span, message, var);
            }
        }
        for b in &bound {
            if params[b.var].kind == VarKind::InOut && !self.is_lvalue(b.value) {
                let name = &params[b.var].name.name;
                self.report(
                    Code::T011,
                    b.value.span,
                    format!("`{name}` is a VAR_IN_OUT: pass a variable, not a value"),
                );
            }
        }
        self.bind_types(id, &params, &bound, &markers)
    }

    fn check_output_or_bool(&mut self, value: &Expr, output: bool) {
        let bool_t = TypeTable::elem(Elem::Bool);
        if output {
            self.output_connection(value, bool_t, false);
        } else {
            self.expect(value, bool_t);
        }
    }

    /// `param => target`: the target must be a variable the output's type converts to.
    fn output_connection(&mut self, target: &Expr, ty: TypeId, negated: bool) {
        if !self.is_lvalue(target) {
            self.expr(target);
            self.report(
                Code::T012,
                target.span,
                "an output can only be connected to a variable".into(),
            );
            return;
        }
        let Some(t) = self.assign_target(target) else {
            return;
        };
        let from = if negated {
            TypeTable::elem(Elem::Bool)
        } else {
            ty
        };
        if let TypeKind::Generic(_) = self.p.types.kind(self.p.types.resolve(from)) {
            return;
        }
        match self.p.conversion(from, t) {
            Conversion::Implicit => {}
            Conversion::Narrowing => {
                let (a, b) = (self.p.types.display(from), self.p.types.display(t));
                self.report(
                    Code::T035,
                    target.span,
                    format!("implicit conversion from `{a}` to `{b}` may lose information"),
                );
            }
            Conversion::Invalid => {
                let (a, b) = (self.p.types.display(from), self.p.types.display(t));
                self.report(
                    Code::T004,
                    target.span,
                    format!("the output is `{a}` but `{b}` is connected"),
                );
            }
        }
    }

    /// Checks argument types against parameter types — binding generic parameters per
    /// call — and gives the call's result type.
    fn bind_types(
        &mut self,
        id: PouId,
        params: &[&Var<'_>],
        bound: &[Bound<'_>],
        markers: &super::library::Markers,
    ) -> Ty {
        let p = self.p;
        let info = p.pou(id);
        let generic_of = |t: TypeId| match p.types.kind(p.types.resolve(t)) {
            TypeKind::Generic(g) => Some(*g),
            _ => None,
        };
        // Generic inputs must belong to their generic type; failing that, a typed overload
        // (ADD for durations) may take the call.
        let misfit = bound
            .iter()
            .find(|b| generic_of(params[b.var].ty).is_some_and(|g| !self.fits_generic(b.ty, g)));
        if let Some(bad) = misfit {
            if let Some(ret) = self.overload(markers, bound) {
                return ret;
            }
            let g = generic_of(params[bad.var].ty)
                .map(Generic::name)
                .unwrap_or("?");
            let shown = self.display(bad.ty);
            self.report(
                Code::T004,
                bad.value.span,
                format!(
                    "`{}` of `{}` takes `{g}`, found `{shown}`",
                    bad.name, info.name
                ),
            );
            return Ty::ERROR;
        }
        // Inputs tied by `same(…)` take one common type.
        let mut group_types: Vec<(Vec<SmolStr>, Ty)> = Vec::new();
        for group in &markers.same {
            let members: Vec<&Bound<'_>> = bound
                .iter()
                .filter(|b| group.contains(&b.name) || group.contains(&params[b.var].key))
                .collect();
            let mut common: Option<TypeId> = None;
            let mut literal = None;
            for b in &members {
                match b.ty {
                    Ty::Known(t) => {
                        common = match common {
                            None => Some(t),
                            Some(c) => match self.common_type(c, t) {
                                Some(x) => Some(x),
                                None => {
                                    let (a, shown) =
                                        (self.p.types.display(c), self.p.types.display(t));
                                    self.report(Code::T004, b.value.span, format!("the inputs of `{}` must have one type: `{a}` and `{shown}` have none in common", info.name));
                                    return Ty::ERROR;
                                }
                            },
                        }
                    }
                    Ty::Real => literal = Some(Ty::Real),
                    Ty::Int(_) if literal.is_none() => literal = Some(Ty::Int(None)),
                    _ => {}
                }
            }
            if let Some(c) = common {
                for b in &members {
                    self.coerce(b.value, b.ty, c);
                }
            }
            let ty = common.map(Ty::Known).or(literal).unwrap_or(Ty::ERROR);
            group_types.push((group.clone(), ty));
        }
        for b in bound {
            let declared = params[b.var].ty;
            let in_group = group_types
                .iter()
                .any(|(g, _)| g.contains(&params[b.var].key));
            if generic_of(declared).is_some() {
                if !in_group {
                    if let Ty::Known(_) = b.ty {
                    } else if let Some(g) = generic_of(declared) {
                        self.settle_generic_literal(b.value, b.ty, g);
                    }
                }
                continue;
            }
            if params[b.var].kind == VarKind::InOut
                && let Ty::Known(t) = b.ty
            {
                if p.conversion(t, declared) == Conversion::Invalid {
                    let (a, shown) = (p.types.display(declared), p.types.display(t));
                    self.report(
                        Code::T004,
                        b.value.span,
                        format!(
                            "`{}` is a VAR_IN_OUT of type `{a}`, found {}",
                            b.name,
                            super::types::found(&a, &shown)
                        ),
                    );
                }
                continue;
            }
            self.coerce(b.value, b.ty, declared);
        }
        // The result.
        let Some(ret) = info.ret else {
            return Ty::Void;
        };
        if generic_of(ret).is_none() {
            return Ty::Known(ret);
        }
        if let Some(param) = &markers.result {
            if let Some((_, t)) = group_types.iter().find(|(g, _)| g.contains(param)) {
                return *t;
            }
            if let Some(b) = bound.iter().find(|b| &params[b.var].key == param) {
                return b.ty;
            }
        }
        match markers.default {
            Some(e) if e.is_integer() => Ty::Int(None),
            Some(e) => Ty::Known(TypeTable::elem(e)),
            None => Ty::ERROR,
        }
    }

    fn settle_generic_literal(&mut self, e: &Expr, ty: Ty, g: Generic) {
        let elem = match ty {
            Ty::Int(v) if g.contains_elem(Elem::DInt) => {
                v.map(super::expr::smallest_int).unwrap_or(Elem::DInt)
            }
            Ty::Int(_) if g.contains_elem(Elem::DWord) => Elem::DWord,
            Ty::Real | Ty::Int(_) => Elem::LReal,
            _ => return,
        };
        self.types.insert(e.id, TypeTable::elem(elem));
    }

    fn fits_generic(&self, ty: Ty, g: Generic) -> bool {
        match ty {
            Ty::Known(t) => self.p.in_generic(t, g),
            Ty::Int(_) => {
                g.contains_elem(Elem::DInt)
                    || g.contains_elem(Elem::DWord)
                    || g.contains_elem(Elem::LReal)
            }
            Ty::Real => g.contains_elem(Elem::LReal),
            Ty::Void => false,
        }
    }

    /// The first `@overload` alternative whose inputs take the arguments.
    fn overload(&mut self, markers: &super::library::Markers, bound: &[Bound<'_>]) -> Option<Ty> {
        for name in &markers.overloads {
            let Some(&id) = self.p.pou_names.get(name) else {
                continue;
            };
            let info = self.p.pou(id);
            let inputs: Vec<&super::Var<'_>> = info
                .vars
                .iter()
                .filter(|v| v.kind == VarKind::Input)
                .collect();
            if inputs.len() != bound.len() {
                continue;
            }
            let fits = bound.iter().zip(&inputs).all(|(b, v)| match b.ty {
                Ty::Known(t) => self.p.conversion(t, v.ty) == Conversion::Implicit,
                Ty::Int(_) | Ty::Real => self.p.types.as_elem(v.ty).is_some_and(|e| e.is_numeric()),
                Ty::Void => false,
            });
            if fits {
                return Some(info.ret.map(Ty::Known).unwrap_or(Ty::Void));
            }
        }
        None
    }
}

/// The number in an extensible input's name (`IN1` → 1, `IN0` → 0).
fn first_number(var_key: &str, prefix: &str) -> usize {
    var_key
        .strip_prefix(prefix)
        .and_then(|n| n.parse().ok())
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::conversion_target;

    #[test]
    fn conversion_names() {
        assert!(conversion_target("INT_TO_STRING").is_some());
        assert!(conversion_target("TO_DINT").is_some());
        assert!(conversion_target("BCD_TO_INT").is_some());
        assert!(conversion_target("FOO_TO_INT").is_none());
        assert!(conversion_target("INT_TO_FOO").is_none());
    }
}
