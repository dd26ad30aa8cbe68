//! Lowering: a checked project to the IR, from its root POU and everything it calls.
//!
//! Nothing is resolved or inferred a second time: names, members and callees come from sema's
//! `resolved` table, expression types from `types`, operand types from `operand_types`, call
//! arguments' parameters from `bindings`. What the IR cannot express yet is reported as R006
//! at its span, never guessed.
//!
//! `mod.rs` lowers bodies (statements, places, expressions); `instances.rs` lays out instances,
//! frames and their initial values; `constants.rs` folds constant expressions and literals;
//! `builtins.rs` maps the standard library's `@builtin` functions.

mod builtins;
mod constants;
mod instances;

use super::layout::{self, Layout, Slot};
use super::*;
use crate::diagnostics::{Code, Diagnostic};
use crate::sema::library::Markers;
use crate::sema::types::{Category, TypeId, TypeKind};
use crate::sema::{self, Analysis, FileTables, PouId, Project, Resolved, key};
use crate::syntax::ast::{self, ArgKind, ExprKind, LiteralKind, PouKind};
use crate::syntax::literal;
use crate::value as values;
use rustc_hash::FxHashMap as HashMap;

/// Lowers the POU named `root` and everything it calls. Expects a project without type
/// errors; what the IR cannot express is reported (R006).
pub fn lower(analysis: &Analysis<'_>, root: &str) -> Result<Program, Vec<Diagnostic>> {
    lower_with_conditions(analysis, root, &[]).map(|(program, _)| program)
}

/// A BOOL expression over the root's variables written outside the code (a spec's property),
/// checked by [`sema::check_condition`].
pub struct Condition<'e> {
    pub file: FileId,
    pub expr: &'e ast::Expr,
    pub tables: &'e FileTables,
    /// The parentheses that were a spec's `PREV(…)`: lowered to [`Expr::Prev`].
    pub prev: &'e [ast::NodeId],
}

/// Lowers the root as [`lower`] does, and each condition as an expression evaluated in the
/// root's frame ([`crate::sim::Machine::holds`]).
pub fn lower_with_conditions(
    analysis: &Analysis<'_>,
    root: &str,
    conditions: &[Condition<'_>],
) -> Result<(Program, Vec<Expr>), Vec<Diagnostic>> {
    let p = &analysis.project;
    let Some(&root_pou) = p.pou_names.get(&key(root)) else {
        let message = format!("no POU named `{root}` to run");
        return Err(vec![Diagnostic::new(
            Code::R008,
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
    let mut lowered = Vec::new();
    for c in conditions {
        let ctx = Ctx {
            owner: root_pou,
            file: c.file,
            tables: c.tables,
            prev: c.prev,
        };
        if let Ok(e) = l.expr_as(c.expr, Some(Elem::Bool), ctx) {
            lowered.push(e);
        }
    }
    while let Some(pou) = l.todo.pop() {
        l.lower_body(pou);
    }
    if !l.diags.is_empty() {
        return Err(l.diags);
    }
    let program = Program {
        bodies: l.bodies.into_iter().flatten().collect(),
        root,
        globals: l.global_vars,
        globals_init: l.globals_init,
        semantics: values::Semantics::of(p.profile),
    };
    Ok((program, lowered))
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
    /// In a spec's condition, the parentheses that were `PREV(…)` ([`Condition::prev`]).
    prev: &'p [ast::NodeId],
}

impl<'p, 'a> Lowerer<'p, 'a> {
    /// The meaning of values in the dialect being lowered for.
    fn semantics(&self) -> values::Semantics {
        values::Semantics::of(self.p.profile)
    }

    fn unsupported(&mut self, file: FileId, span: Span, what: &str) -> Reported {
        self.diags.push(Diagnostic::new(
            Code::R006,
            file,
            span,
            format!("stforge cannot run or verify {what} yet"),
        ));
        Reported
    }

    fn tables(&self, file: FileId) -> Option<&'p FileTables> {
        self.user.get(&file).or_else(|| self.lib.get(&file))
    }

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
            prev: &[],
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
                    has_else: else_body.is_some(),
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
        if ty.is_scalar() {
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
            copies: Vec::new(),
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
                ArgKind::Output | ArgKind::NegatedOutput if !param_ty.is_scalar() => {
                    return Err(self.unsupported(
                        ctx.file,
                        arg.span,
                        "structured outputs with `=>`",
                    ));
                }
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
                _ if param_ty.is_scalar() => {
                    let want = layout::elem_of(&self.p.types, param_t);
                    let v = self.expr_as(value, want, ctx)?;
                    call.inputs.push((slot, fit(v, &param_ty)));
                }
                _ => {
                    let (source, _) = self.place(value, ctx)?;
                    call.copies.push(CopyIn {
                        to: slot,
                        source,
                        len: self.size(&param_ty),
                    });
                }
            }
        }
        Ok(call)
    }

    /// The slots an expression denotes, and their shape.
    fn place(&mut self, e: &ast::Expr, ctx: Ctx<'p>) -> Lowered<(Place, Ty)> {
        let frame = |offset| Place {
            base: Base::Frame,
            offset,
            indices: Vec::new(),
        };
        let resolved = ctx.tables.resolved.get(&e.id);
        match (&e.kind, resolved) {
            // A spec's `PREV(x)` is a value of the previous scan, not a variable.
            (ExprKind::Paren(_), _) if ctx.prev.contains(&e.id) => {
                Err(self.unsupported(ctx.file, e.span, "`PREV(…)` where a variable is needed"))
            }
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
            (Some(from), Some(to)) if from != to => convert(lowered, to, self.semantics()),
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
            ExprKind::Paren(inner) if ctx.prev.contains(&e.id) => {
                Ok(Expr::Prev(Box::new(self.expr_as(inner, own, ctx)?)))
            }
            ExprKind::Paren(inner) => self.expr_as(inner, own, ctx),
            ExprKind::Name(_) | ExprKind::Member { .. } | ExprKind::Index { .. } => {
                let (place, ty) = self.place(e, ctx)?;
                match ty {
                    _ if ty.is_scalar() => Ok(Expr::Load(place)),
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
                    (Some(to), Some(arg)) => {
                        Ok(convert(self.expr(arg, ctx)?, to, self.semantics()))
                    }
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

fn convert(e: Expr, to: Elem, sem: values::Semantics) -> Expr {
    match e {
        // Constants are converted now, as the simulator would at run time, so it never does.
        Expr::Const(v) => match values::convert_in(&v, to, sem) {
            Ok(c) => Expr::Const(c),
            Err(_) => Expr::Convert(to, Box::new(Expr::Const(v))),
        },
        other => Expr::Convert(to, Box::new(other)),
    }
}

fn bit_number(bit: &ast::Literal) -> Option<u8> {
    literal::integer_value(&bit.text)
        .ok()
        .and_then(|b| u8::try_from(b).ok())
}
