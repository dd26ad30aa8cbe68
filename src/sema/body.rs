//! The checker of one POU body: statements, assignment targets, control flow, and the
//! warnings about results never assigned, unreachable code and unused variables.

use super::expr::Ty;
use super::index::{Project, Var};
use super::key;
use super::types::{Category, Elem, TypeId, TypeKind, TypeTable};
use super::{PouId, Resolved};
use crate::diagnostics::{Code, Diagnostic};
use crate::source::{FileId, Span};
use crate::syntax::ast::*;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use smol_str::SmolStr;

/// What checking one body found.
pub struct BodyResult {
    pub file: FileId,
    pub types: HashMap<NodeId, TypeId>,
    pub diagnostics: Vec<Diagnostic>,
    /// Variables referenced, as (POU, index into its variables).
    pub used: Vec<(PouId, usize)>,
    pub resolved: Vec<(NodeId, Resolved)>,
    pub operand_types: Vec<(NodeId, TypeId)>,
    pub bindings: Vec<(NodeId, SmolStr)>,
}

pub struct Checker<'p, 'a> {
    pub p: &'p Project<'a>,
    pub pou: PouId,
    pub file: FileId,
    pub types: HashMap<NodeId, TypeId>,
    pub diags: Vec<Diagnostic>,
    pub used: Vec<(PouId, usize)>,
    /// What names, members and callees resolved to.
    pub resolved: Vec<(NodeId, Resolved)>,
    /// The operand type of each binary operation.
    pub operand_types: Vec<(NodeId, TypeId)>,
    /// The parameter each call argument is bound to, by the argument value's node.
    pub bindings: Vec<(NodeId, SmolStr)>,
    loops: u32,
    /// The control variables of the FOR loops around the current statement.
    for_vars: Vec<(PouId, usize)>,
    labels: HashSet<SmolStr>,
    pub result_assigned: bool,
    /// The named constants of the body, for constant indices and CASE labels.
    pub constants: HashMap<SmolStr, &'a Expr>,
}

impl<'p, 'a> Checker<'p, 'a> {
    /// A checker for code in the scope of `pou`, reporting into `file`.
    fn new(p: &'p Project<'a>, pou: PouId, file: FileId) -> Self {
        Checker {
            p,
            pou,
            file,
            types: HashMap::default(),
            diags: Vec::new(),
            used: Vec::new(),
            resolved: Vec::new(),
            operand_types: Vec::new(),
            bindings: Vec::new(),
            loops: 0,
            for_vars: Vec::new(),
            labels: HashSet::default(),
            result_assigned: false,
            constants: p.visible_constants(pou),
        }
    }

    fn finish(self) -> BodyResult {
        BodyResult {
            file: self.file,
            types: self.types,
            diagnostics: self.diags,
            used: self.used,
            resolved: self.resolved,
            operand_types: self.operand_types,
            bindings: self.bindings,
        }
    }
}

/// Checks a BOOL expression written outside the code (a spec's property) as if it stood in
/// the body of `pou`: its variables, instances and the globals are in scope.
pub fn check_condition(p: &Project<'_>, pou: PouId, file: FileId, e: &Expr) -> BodyResult {
    let mut c = Checker::new(p, pou, file);
    c.expect(e, TypeTable::elem(Elem::Bool));
    c.finish()
}

pub fn check_pou<'a>(p: &Project<'a>, pou: PouId) -> BodyResult {
    let info = p.pou(pou);
    let mut c = Checker::new(p, pou, info.file);
    let ast = info.ast;
    for var in &info.vars {
        if let Some(init) = &var.decl.init {
            // One initialiser serves every name of the declaration; check it once.
            if std::ptr::eq(var.name, &var.decl.names[0]) {
                c.expect(init, var.ty);
            }
        }
    }
    collect_labels(&ast.body, &mut c.labels);
    c.block(&ast.body);
    // The system methods FB_init, FB_reinit and FB_exit return BOOLs nobody reads.
    let system_method = matches!(info.key.as_str(), "FB_INIT" | "FB_REINIT" | "FB_EXIT");
    let needs_result = !system_method
        && matches!(
            info.kind,
            PouKind::Function | PouKind::Method | PouKind::Getter
        )
        && info.ret.is_some()
        && !ast.body.is_empty();
    if needs_result && !c.result_assigned {
        let name = match info.kind {
            PouKind::Getter => info
                .parent
                .map(|p| c.p.pou(p).name.clone())
                .unwrap_or_default(),
            _ => info.name.clone(),
        };
        c.report(
            Code::T025,
            info.name_span,
            format!("`{name}` never assigns its result, so it always returns the default value"),
        );
    }
    c.finish()
}

fn collect_labels(stmts: &[Stmt], out: &mut HashSet<SmolStr>) {
    for s in stmts {
        match &s.kind {
            StmtKind::Label(l) => {
                out.insert(key(&l.name));
            }
            StmtKind::If {
                branches,
                else_body,
            } => {
                for b in branches {
                    collect_labels(&b.body, out);
                }
                collect_labels(else_body.as_deref().unwrap_or_default(), out);
            }
            StmtKind::Case {
                arms, else_body, ..
            } => {
                for a in arms {
                    collect_labels(&a.body, out);
                }
                collect_labels(else_body.as_deref().unwrap_or_default(), out);
            }
            StmtKind::For(f) => collect_labels(&f.body, out),
            StmtKind::While { body, .. } | StmtKind::Repeat { body, .. } => {
                collect_labels(body, out)
            }
            _ => {}
        }
    }
}

/// T026 for locals that nothing in the project references.
pub fn unused_variables(p: &Project<'_>, used: &HashSet<(PouId, usize)>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for id in p.user_pous() {
        let info = p.pou(id);
        // Interface members and abstract declarations have no body to use them.
        if info.ast.body.is_empty() && info.ast.members.is_empty() {
            continue;
        }
        for (i, var) in info.vars.iter().enumerate() {
            let local = matches!(var.kind, VarKind::Var | VarKind::Temp | VarKind::Stat);
            if local && var.decl.address.is_none() && !used.contains(&(id, i)) {
                out.push(Diagnostic::new(
                    Code::T026,
                    var.file,
                    var.name.span,
                    format!("`{}` is declared but never used", var.name.name),
                ));
            }
        }
    }
    out
}

impl Checker<'_, '_> {
    pub fn report(&mut self, code: Code, span: Span, message: String) {
        self.diags
            .push(Diagnostic::new(code, self.file, span, message));
    }

    pub fn vendor_only(&mut self, span: Span, what: &str) {
        self.diags
            .extend(self.p.profile.vendor_only(self.file, span, what));
    }

    fn block(&mut self, stmts: &[Stmt]) {
        // After RETURN, EXIT, CONTINUE or JMP nothing runs until the next label; the first
        // such statement is reported.
        let (mut ended, mut reported) = (false, false);
        for s in stmts {
            if matches!(s.kind, StmtKind::Label(_)) {
                (ended, reported) = (false, false);
            } else if ended && !reported && !matches!(s.kind, StmtKind::Empty) {
                self.report(Code::T027, s.span, "this statement can never run".into());
                reported = true;
            }
            self.stmt(s);
            ended |= matches!(
                s.kind,
                StmtKind::Return | StmtKind::Exit | StmtKind::Continue | StmtKind::Jmp(_)
            );
        }
    }

    fn stmt(&mut self, s: &Stmt) {
        match &s.kind {
            StmtKind::Assign { target, op, value } => self.assign(target, *op, value),
            StmtKind::Expr(e) => {
                let no_effect = !matches!(
                    e.kind,
                    ExprKind::Call { .. } | ExprKind::Assign { .. } | ExprKind::Error
                );
                self.expr(e);
                if no_effect {
                    self.report(
                        Code::T028,
                        s.span,
                        "this expression is computed and discarded".into(),
                    );
                }
            }
            StmtKind::If {
                branches,
                else_body,
            } => {
                for b in branches {
                    self.condition(&b.cond);
                    self.block(&b.body);
                }
                if let Some(body) = else_body {
                    self.block(body);
                }
            }
            StmtKind::Case {
                selector,
                arms,
                else_body,
            } => self.case(selector, arms, else_body.as_deref()),
            StmtKind::For(f) => self.for_loop(f),
            StmtKind::While { cond, body } => {
                self.condition(cond);
                self.loop_body(body);
            }
            StmtKind::Repeat { body, until } => {
                self.loop_body(body);
                self.condition(until);
            }
            StmtKind::Exit | StmtKind::Continue => {
                if self.loops == 0 {
                    let word = if matches!(s.kind, StmtKind::Exit) {
                        "EXIT"
                    } else {
                        "CONTINUE"
                    };
                    self.report(
                        Code::T030,
                        s.span,
                        format!("`{word}` is only allowed inside FOR, WHILE or REPEAT"),
                    );
                }
            }
            StmtKind::Jmp(label) => {
                self.vendor_only(s.span, "`JMP`");
                if !self.labels.contains(&key(&label.name)) {
                    self.report(
                        Code::T031,
                        label.span,
                        format!("there is no label `{}` in this POU", label.name),
                    );
                }
            }
            StmtKind::Label(_) => self.vendor_only(s.span, "a jump label"),
            StmtKind::Return | StmtKind::Empty | StmtKind::Error => {}
        }
    }

    fn loop_body(&mut self, body: &[Stmt]) {
        self.loops += 1;
        self.block(body);
        self.loops -= 1;
    }

    fn condition(&mut self, e: &Expr) {
        let ty = self.expr(e);
        let ok = match ty {
            Ty::Known(t) => self.p.types.is_bool(t) || self.p.types.is_error(t),
            _ => false,
        };
        if !ok {
            let shown = self.display(ty);
            self.report(
                Code::T016,
                e.span,
                format!("a condition must be BOOL, not `{shown}`"),
            );
        }
    }

    fn assign(&mut self, target: &Expr, op: AssignOp, value: &Expr) {
        match op {
            AssignOp::Assign => {
                let t = self.assign_target(target);
                match t {
                    Some(t) => self.expect(value, t),
                    None => {
                        self.expr(value);
                    }
                }
            }
            AssignOp::Set | AssignOp::Reset => {
                self.vendor_only(
                    target.span,
                    if op == AssignOp::Set { "`S=`" } else { "`R=`" },
                );
                if let Some(t) = self.assign_target(target) {
                    self.coerce_bool(target, t);
                }
                self.condition(value);
            }
            AssignOp::Ref => {
                self.vendor_only(target.span, "`REF=`");
                let t = self.assign_target(target);
                let declared = t.map(|t| self.p.types.unalias(t));
                match declared.map(|t| self.p.types.kind(t).clone()) {
                    Some(TypeKind::Reference(to)) => {
                        let v = self.expr(value);
                        if let Ty::Known(v) = v
                            && self.p.conversion(v, to) == super::expr::Conversion::Invalid
                        {
                            let (a, b) = (self.p.types.display(v), self.p.types.display(to));
                            self.report(
                                Code::T004,
                                value.span,
                                format!("expected `{b}`, found {}", super::types::found(&b, &a)),
                            );
                        }
                        // A call may return a reference to bind to.
                        let call = matches!(value.kind, ExprKind::Call { .. });
                        if !self.is_lvalue(value) && !call {
                            self.report(
                                Code::T015,
                                value.span,
                                "`REF=` needs a variable to refer to".into(),
                            );
                        }
                    }
                    Some(TypeKind::Error) | None => {
                        self.expr(value);
                    }
                    Some(_) => {
                        self.report(
                            Code::T033,
                            target.span,
                            "`REF=` needs a `REFERENCE TO` variable on its left".into(),
                        );
                        self.expr(value);
                    }
                }
            }
            AssignOp::Attempt => {
                self.vendor_only(target.span, "`?=`");
                self.assign_target(target);
                self.expr(value);
            }
        }
    }

    fn coerce_bool(&mut self, e: &Expr, t: TypeId) {
        if !self.p.types.is_bool(t) && !self.p.types.is_error(t) {
            let shown = self.p.types.display(t);
            self.report(
                Code::T004,
                e.span,
                format!("expected `BOOL`, found `{shown}`"),
            );
        }
    }

    /// Whether an expression denotes a place a value can be stored in.
    pub fn is_lvalue(&self, e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Name(_) | ExprKind::Address(_) | ExprKind::Deref(_) => true,
            ExprKind::Member { base, .. }
            | ExprKind::Bit { base, .. }
            | ExprKind::Index { base, .. } => {
                matches!(base.kind, ExprKind::Call { .. })
                    || self.is_lvalue(base)
                    || matches!(base.kind, ExprKind::This | ExprKind::Super)
            }
            ExprKind::Paren(inner) => self.is_lvalue(inner),
            ExprKind::Error => true,
            _ => false,
        }
    }

    /// Checks the left side of an assignment and returns the type to assign, or `None` when
    /// it cannot be assigned (reported).
    pub fn assign_target(&mut self, target: &Expr) -> Option<TypeId> {
        if !self.is_lvalue(target) {
            self.expr(target);
            self.report(
                Code::T015,
                target.span,
                "this expression cannot be assigned to".into(),
            );
            return None;
        }
        // A function's own name is its result variable (also written element by element).
        if let Some(root) = root_name(target) {
            let k = key(&root.name);
            if self.p.scope_var(self.pou, &k).is_none() && self.result_variable(&k).is_some() {
                self.result_assigned = true;
            }
        }
        if let ExprKind::Name(n) = &target.kind {
            let k = key(&n.name);
            if self.p.scope_var(self.pou, &k).is_none()
                && let Some(t) = self.result_variable(&k)
            {
                self.result_assigned = true;
                self.types.insert(target.id, t);
                self.resolved.push((target.id, Resolved::Result));
                return Some(t);
            }
        }
        self.check_writable(target);
        match self.expr(target) {
            Ty::Known(t) => Some(t),
            _ => None,
        }
    }

    /// Reports writes to constants (T014), to inputs, outputs of other instances and FOR
    /// control variables (T013).
    fn check_writable(&mut self, target: &Expr) {
        let (var, problem) = match &target.kind {
            ExprKind::Name(n) => {
                let k = key(&n.name);
                if let Some((pou, i)) = self.p.scope_var(self.pou, &k) {
                    let var = &self.p.pou(pou).vars[i];
                    let problem = if var.constant {
                        Some((Code::T014, format!("`{}` is a constant", n.name)))
                    } else if self.for_vars.contains(&(pou, i)) && !self.p.profile.vendor_extensions
                    {
                        let message = format!(
                            "`{}` is the control variable of the enclosing FOR loop",
                            n.name
                        );
                        Some((Code::T013, message))
                    } else if var.kind == VarKind::Input && !self.p.profile.writable_inputs {
                        let message = format!(
                            "`{}` is an input of this POU; copy it to a local variable to change it",
                            n.name
                        );
                        Some((Code::T037, message))
                    } else {
                        None
                    };
                    (var, problem)
                } else if let Some(&g) = self.p.global_names.get(&k) {
                    let var = &self.p.globals[g];
                    let problem = var
                        .constant
                        .then(|| (Code::T014, format!("`{}` is a constant", n.name)));
                    (var, problem)
                } else {
                    return;
                }
            }
            ExprKind::Member { base, member } => {
                // Writing another instance's output is not allowed; its inputs are.
                let ExprKind::Name(b) = &base.kind else {
                    return;
                };
                let Some((pou, i)) = self.p.scope_var(self.pou, &key(&b.name)) else {
                    return;
                };
                let ty = self.p.types.resolve(self.p.pou(pou).vars[i].ty);
                let TypeKind::Pou(fb) = self.p.types.kind(ty) else {
                    return;
                };
                let Some((owner, j)) = self.p.inherited_var(*fb, &key(&member.name)) else {
                    return;
                };
                let var = &self.p.pou(owner).vars[j];
                let problem = if var.kind == VarKind::Output {
                    let message = format!(
                        "`{}` is an output of `{}`: only the instance itself writes it",
                        member.name, b.name
                    );
                    Some((Code::T013, message))
                } else {
                    var.constant
                        .then(|| (Code::T014, format!("`{}` is a constant", member.name)))
                };
                (var, problem)
            }
            _ => return,
        };
        if let Some((code, message)) = problem {
            self.report_declared(code, target.span, message, var);
        }
    }

    /// `Lib.name` where `Lib` is declared nowhere: most likely a library not given.
    pub fn unknown_library(&mut self, base: &Expr) {
        let name = self.p.text_of(base);
        let d = Diagnostic::new(
            Code::T001,
            self.file,
            base.span,
            format!("unknown name `{name}`"),
        )
        .with_help(format!(
            "if `{name}` is a library, pass its declarations with `--lib PATH`"
        ));
        self.diags.push(d);
    }

    /// Reports with a secondary label at the variable's declaration ("declared here"),
    /// unless it is declared in a library.
    pub fn report_declared(&mut self, code: Code, span: Span, message: String, var: &Var<'_>) {
        let mut d = Diagnostic::new(code, self.file, span, message);
        if !self.p.is_library_file(var.file) {
            d = d.with_secondary(var.file, var.name.span, "declared here");
        }
        self.diags.push(d);
    }

    fn case(&mut self, selector: &Expr, arms: &[CaseArm], else_body: Option<&[Stmt]>) {
        let sel = self.expr(selector);
        let sel_type = match sel {
            Ty::Known(t) => Some(t),
            Ty::Int(_) => Some(TypeTable::elem(Elem::DInt)),
            _ => None,
        };
        let types = &self.p.types;
        let ok = sel_type.is_some_and(|t| {
            types.is_error(t)
                || matches!(types.kind(types.resolve(t)), TypeKind::Enum { .. })
                || types.as_elem(t).is_some_and(|e| {
                    e.is_integer() || (e.category() == Category::Bit && e != Elem::Bool)
                })
        });
        if !ok {
            let shown = self.display(sel);
            self.report(
                Code::T017,
                selector.span,
                format!("CASE needs an integer or enumeration selector, not `{shown}`"),
            );
        }
        let mut seen: Vec<(i128, i128, Span)> = Vec::new();
        for arm in arms {
            for label in &arm.labels {
                let (lo, hi, span) = match label {
                    CaseLabel::Value(v) => (v, v, v.span),
                    CaseLabel::Range(a, b) => (a, b, a.span.to(b.span)),
                };
                for e in [lo, hi] {
                    let ty = self.expr_expecting(e, sel);
                    if let (true, Some(t)) = (ok, sel_type) {
                        self.case_label_type(e, ty, t);
                    }
                    if std::ptr::eq(lo, hi) {
                        break;
                    }
                }
                let value = |c: &Self, e: &Expr| {
                    c.p.const_value(e, &c.constants)
                        .or_else(|| c.enum_label_value(e))
                };
                if let (Some(a), Some(b)) = (value(self, lo), value(self, hi)) {
                    if let Some(&(_, _, first)) = seen.iter().find(|(x, y, _)| a <= *y && *x <= b) {
                        let d = Diagnostic::new(
                            Code::T017,
                            self.file,
                            span,
                            "this label repeats a value of an earlier label".to_string(),
                        )
                        .with_secondary(
                            self.file,
                            first,
                            "first used here",
                        );
                        self.diags.push(d);
                    } else {
                        seen.push((a, b, span));
                    }
                }
            }
            self.block(&arm.body);
        }
        if let Some(body) = else_body {
            self.block(body);
        }
    }

    fn enum_label_value(&self, e: &Expr) -> Option<i128> {
        self.p.enum_value_named(*self.types.get(&e.id)?, e)
    }

    fn case_label_type(&mut self, e: &Expr, ty: Ty, selector: TypeId) {
        let types = &self.p.types;
        let sel_enum = matches!(types.kind(types.resolve(selector)), TypeKind::Enum { .. });
        let ok = match ty {
            Ty::Int(_) => !sel_enum || self.p.profile.enums_are_integers,
            Ty::Known(t) => {
                types.is_error(t)
                    || if sel_enum {
                        types.resolve(t) == types.resolve(selector)
                    } else {
                        self.p.conversion(t, selector) != super::expr::Conversion::Invalid
                            && types
                                .as_elem(t)
                                .is_some_and(|e| e.is_integer() || e.category() == Category::Bit)
                            || (self.p.profile.enums_are_integers
                                && matches!(types.kind(types.resolve(t)), TypeKind::Enum { .. }))
                    }
            }
            _ => false,
        };
        if !ok {
            let (a, b) = (self.display(ty), self.p.types.display(selector));
            self.report(
                Code::T017,
                e.span,
                format!("a label of type `{a}` cannot match a selector of type `{b}`"),
            );
        } else if let Ty::Int(_) = ty {
            self.coerce(e, ty, selector);
        }
    }

    fn for_loop(&mut self, f: &ForLoop) {
        let control = match &f.var.kind {
            ExprKind::Name(n) => self.p.scope_var(self.pou, &key(&n.name)),
            _ => None,
        };
        let var_type = self.expr(&f.var);
        if control.is_none() && !self.is_error(var_type) {
            if !matches!(f.var.kind, ExprKind::Name(_)) {
                self.vendor_only(
                    f.var.span,
                    "a FOR control variable that is not a plain variable",
                );
            } else if !self.p.profile.vendor_extensions {
                self.report(
                    Code::T018,
                    f.var.span,
                    "the control variable must be a local variable of this POU".into(),
                );
            }
        }
        let control_type = match var_type {
            Ty::Known(t) if self.p.counts_as_integer(t) => Some(t),
            Ty::Known(t) => {
                let shown = self.p.types.display(t);
                self.report(
                    Code::T018,
                    f.var.span,
                    format!("the control variable must be an integer, not `{shown}`"),
                );
                None
            }
            _ => None,
        };
        for bound in [Some(&f.from), Some(&f.to), f.by.as_ref()]
            .into_iter()
            .flatten()
        {
            let ty = self.expr(bound);
            if let Some(t) = control_type {
                let ok = match ty {
                    Ty::Int(_) => true,
                    Ty::Known(b) => {
                        self.p.counts_as_integer(b)
                            && self.p.conversion(b, t) != super::expr::Conversion::Invalid
                    }
                    _ => false,
                };
                if ok {
                    self.coerce(bound, ty, t);
                } else {
                    let (a, b) = (self.display(ty), self.p.types.display(t));
                    self.report(Code::T018, bound.span, format!("a FOR bound of type `{a}` does not fit the control variable's type `{b}`"));
                }
            }
        }
        self.for_vars.extend(control);
        self.loop_body(&f.body);
        if control.is_some() {
            self.for_vars.pop();
        }
    }
}

/// The variable an assignment target starts from (`a` in `a[1].b.3`).
fn root_name(e: &Expr) -> Option<&Ident> {
    match &e.kind {
        ExprKind::Name(n) => Some(n),
        ExprKind::Member { base, .. }
        | ExprKind::Bit { base, .. }
        | ExprKind::Index { base, .. }
        | ExprKind::Paren(base) => root_name(base),
        _ => None,
    }
}
