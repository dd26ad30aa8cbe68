//! One scan of the IR as z3 terms: the symbolic counterpart of `sim::exec`, statement for
//! statement, over the same flat memory of slots. Every operation means what `value` says it
//! means: integers as bit-vectors, REAL and LREAL as IEEE floats ([`super::float`]). Where the
//! encoder has no exact term for a value (STRING values, and REAL functions such as `EXP`, `SIN`
//! or `**`, which the simulator takes from Rust's libm) the value is *opaque*: unconstrained, so
//! every behaviour the program may have is still covered (a proof stays sound) and a
//! counterexample that depends on it fails to replay (the verdict is then `unknown`, never a
//! false alarm).
//!
//! Control flow is encoded by guards, not by forking: every write is `ite(guard, new, old)`, so
//! one pass over a body gives the whole scan. A possible run-time fault adds a *fault site* (its
//! code, statement and condition) and the code after it runs under "no fault so far", as the
//! simulator stops the scan there. Loops are unrolled while their guard may still be true, up
//! to a bound; a loop that may need more passes adds an *unwinding site*, which makes proofs
//! `unknown` unless it is itself proved unreachable. A CASE without ELSE whose selector may
//! match no branch adds a *case site*: not a fault (the scan goes on), a warning of its own.
//!
//! Building the terms of a large program can take longer than solving them, so an encoding
//! has a deadline too: past it, no further statement is encoded and the scan is marked
//! [`Executor::out_of_time`]; its terms must not be used.

use super::float;
use crate::ir::{Base, Body, Builtin, Call, Expr, Place, Program, Stmt, StmtKind, Ty, UnaryOp};
use crate::sema::types::{Category, Elem};
use crate::source::{FileId, Span};
use crate::syntax::ast::BinaryOp;
use crate::value::{Fault, NS_PER_MS, Semantics, Value, time_unit};
use rustc_hash::FxHashSet as HashSet;
use std::time::Instant;
use z3::ast::{Ast, BV, Bool, Float, RoundingMode};

/// Bits of the clock, and of every LTIME, date, and TIME counted in nanoseconds (as
/// `value::time` wraps them).
pub const TIME_BITS: u32 = 64;

/// Bits of a TIME that counts milliseconds (`Semantics::time_ms32`: CODESYS, TwinCAT).
pub const TIME_MS_BITS: u32 = 32;

/// A slot's value as a term.
#[derive(Clone, Debug)]
pub enum Sym {
    Bool(Bool),
    /// Integers, bit strings, characters and enumerations (by their base type) in their IEC
    /// width; durations and dates in 64-bit nanoseconds, except a TIME of 32-bit milliseconds
    /// where the dialect counts TIME so (unsigned).
    Bits(Elem, BV),
    /// REAL (Float32) and LREAL (Float64).
    Float(Elem, Float),
    /// The absolute slot a `VAR_IN_OUT` refers to: addresses are never symbolic.
    Address(usize),
    /// A value the encoder does not model (STRING, the result of `EXP`…): unconstrained.
    Opaque(&'static str),
}

/// The code of a CASE site: a warning of the verifier.
pub const CASE_CODE: &str = "V001";

/// A place in the code, with the kind of fault (as its diagnostic code) where it is one.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SiteKey {
    pub code: &'static str,
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl SiteKey {
    pub fn span(&self) -> Span {
        Span::new(self.start as usize, self.end as usize)
    }
}

/// The diagnostic code of a fault.
pub fn fault_code(fault: &Fault) -> &'static str {
    match fault {
        Fault::DivisionByZero => "R001",
        Fault::Overflow => "R002",
        Fault::IndexOutOfBounds { .. } => "R003",
        Fault::OutOfRange => "R004",
        Fault::Watchdog => "R005",
        Fault::TypeError => "R009",
    }
}

pub fn site_key(f: &FaultSite) -> SiteKey {
    SiteKey {
        code: fault_code(&f.fault),
        file: f.file,
        start: f.span.start,
        end: f.span.end,
    }
}

pub fn unwind_key(u: &UnwindSite) -> SiteKey {
    SiteKey {
        code: "loop",
        file: u.file,
        start: u.span.start,
        end: u.span.end,
    }
}

pub fn case_key(c: &CaseSite) -> SiteKey {
    SiteKey {
        code: CASE_CODE,
        file: c.file,
        start: c.span.start,
        end: c.span.end,
    }
}

/// Where a run-time fault may happen, and when.
#[derive(Clone, Debug)]
pub struct FaultSite {
    pub fault: Fault,
    pub file: FileId,
    pub span: Span,
    pub when: Bool,
}

/// A loop that may need more passes than it was unrolled for, and when.
#[derive(Clone, Debug)]
pub struct UnwindSite {
    pub file: FileId,
    pub span: Span,
    pub when: Bool,
}

/// A CASE without ELSE whose selector may match none of its branches, and when.
#[derive(Clone, Debug)]
pub struct CaseSite {
    pub file: FileId,
    pub span: Span,
    pub when: Bool,
}

/// What the encoder cannot express at all (recursion, a call through a computed instance):
/// the verdicts of a program with one are `unknown`.
#[derive(Clone, Debug)]
pub struct Unsupported {
    pub file: FileId,
    pub span: Span,
    pub what: String,
}

/// Limits of one encoding.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Passes of a loop whose end is not known when it is encoded.
    pub unwind: u32,
}

const MAX_CALL_DEPTH: u32 = 64;

/// Executes one scan (or one condition) over symbolic memory.
pub struct Executor<'p> {
    program: &'p Program,
    sem: Semantics,
    limits: Limits,
    pub memory: Vec<Sym>,
    root: usize,
    /// The time of the current scan.
    now: BV,
    /// The path condition: reached, and no fault so far.
    guard: Bool,
    /// Flow flags of the innermost loop and the current body (set where EXIT, CONTINUE or
    /// RETURN ran).
    exit: Bool,
    cont: Bool,
    ret: Bool,
    stmt: (FileId, Span),
    depth: u32,
    pub faults: Vec<FaultSite>,
    pub unwinds: Vec<UnwindSite>,
    pub cases: Vec<CaseSite>,
    pub unsupported: Vec<Unsupported>,
    /// Why the encoding over-approximates (opaque values met), for reports.
    pub approximations: Vec<&'static str>,
    /// The memory between scans after the previous scan, which `PREV(e)` of a condition reads.
    pub previous: Option<Vec<Sym>>,
    /// When encoding must stop (checked before every statement, call and loop pass).
    pub deadline: Option<Instant>,
    /// The deadline passed before the scan was encoded whole: its terms are incomplete.
    pub out_of_time: bool,
    /// The faults that stop the scan: all (`None`), or only those at these sites; after any
    /// other the code runs on, with whatever value the faulting operation gave (for a cone of
    /// influence, `super::cone`).
    pub stopping: Option<HashSet<SiteKey>>,
}

fn t() -> Bool {
    Bool::from_bool(true)
}

fn f() -> Bool {
    Bool::from_bool(false)
}

fn and(a: &Bool, b: &Bool) -> Bool {
    Bool::and(&[a, b])
}

fn or(a: &Bool, b: &Bool) -> Bool {
    Bool::or(&[a, b])
}

/// The width of an elementary type's term in a dialect.
pub fn width(e: Elem, sem: Semantics) -> u32 {
    match e.category() {
        _ if sem.counts_ms(e) => TIME_MS_BITS,
        Category::Duration | Category::Date => TIME_BITS,
        _ => e.bits(),
    }
}

/// Whether the term `x` of type `e` is signed: a TIME of [`TIME_MS_BITS`] is the unsigned
/// count of milliseconds (the term's width says which representation it has).
fn signed(e: Elem, x: &BV) -> bool {
    match e.category() {
        Category::Signed | Category::Date => true,
        Category::Duration => x.get_size() != TIME_MS_BITS,
        _ => false,
    }
}

/// Nanoseconds per unit of the clock in a dialect: milliseconds where TIME counts them (so
/// reading TIME from the clock is taking its low bits), nanoseconds otherwise.
pub fn clock_unit_ns(sem: Semantics) -> i128 {
    if sem.time_ms32 { NS_PER_MS } else { 1 }
}

/// The value of `__CURRENT_TIME()` (or `__CURRENT_LTIME()`, `e` its type) at the 64-bit clock
/// `now`, as `value::time` makes the simulator's clock a value of `e`.
pub fn now_as(e: Elem, now: &BV, sem: Semantics) -> BV {
    match (sem.counts_ms(e), clock_unit_ns(sem)) {
        (true, _) => now.extract(TIME_MS_BITS - 1, 0),
        (false, 1) => now.clone(),
        (false, unit) => now.bvmul(BV::from_i64(unit as i64, TIME_BITS)),
    }
}

/// `x` (signed, 64 bits) divided by `unit`, rounded towards minus infinity (`div_euclid`).
fn floor_div(x: &BV, unit: i128) -> BV {
    let unit = BV::from_i64(unit as i64, TIME_BITS);
    let q = x.bvsdiv(&unit);
    let inexact = and(
        &x.bvslt(BV::from_i64(0, TIME_BITS)),
        &x.bvsrem(&unit).eq(BV::from_i64(0, TIME_BITS)).not(),
    );
    inexact.ite(&q.bvsub(BV::from_i64(1, TIME_BITS)), &q)
}

/// A constant as a term, in the dialect's representation.
pub fn constant(v: &Value, sem: Semantics) -> Sym {
    match v {
        Value::Bool(b) => Sym::Bool(Bool::from_bool(*b)),
        Value::Int(e, x) => Sym::Bits(*e, BV::from_i64(*x as i64, width(*e, sem))),
        Value::Time(e, ns) if sem.counts_ms(*e) => Sym::Bits(
            *e,
            BV::from_u64(
                (ns.div_euclid(NS_PER_MS) as u64) & 0xFFFF_FFFF,
                TIME_MS_BITS,
            ),
        ),
        Value::Time(e, ns) => Sym::Bits(*e, BV::from_i64(*ns as i64, TIME_BITS)),
        Value::Real(e, x) => Sym::Float(*e, float::constant(*e, *x)),
        Value::String(_) => Sym::Opaque("STRING values"),
        Value::Address(a) => Sym::Address(*a as usize),
    }
}

/// A fresh unconstrained term of the kind of `like`, named for the model.
pub fn fresh(like: &Value, name: &str, sem: Semantics) -> Sym {
    match like {
        Value::Bool(_) => Sym::Bool(Bool::new_const(name)),
        Value::Int(e, _) | Value::Time(e, _) => Sym::Bits(*e, BV::new_const(name, width(*e, sem))),
        Value::Real(e, _) => Sym::Float(*e, float::named(*e, name)),
        _ => constant(like, sem),
    }
}

/// `ite(c, a, b)` of two values of one kind.
pub fn ite(c: &Bool, a: &Sym, b: &Sym) -> Sym {
    match (a, b) {
        (Sym::Bool(x), Sym::Bool(y)) => Sym::Bool(c.ite(x, y)),
        (Sym::Bits(e, x), Sym::Bits(_, y)) if x.get_size() == y.get_size() => {
            Sym::Bits(*e, c.ite(x, y))
        }
        (Sym::Float(e, x), Sym::Float(f, y)) if e == f => Sym::Float(*e, c.ite(x, y)),
        (Sym::Address(x), Sym::Address(y)) if x == y => Sym::Address(*x),
        (Sym::Opaque(why), _) | (_, Sym::Opaque(why)) => Sym::Opaque(why),
        // A slot changing kind, or an in-out bound to two places: keep the new one where the
        // guard holds is impossible to say without forking; the caller reports it.
        _ => a.clone(),
    }
}

/// Extends a term to `to` bits, by sign or by zeros as its type says.
fn extend(e: Elem, x: &BV, to: u32) -> BV {
    let from = x.get_size();
    if to <= from {
        return x.extract(to - 1, 0);
    }
    if signed(e, x) {
        x.sign_ext(to - from)
    } else {
        x.zero_ext(to - from)
    }
}

/// Whether the range `lo..=hi` of the unsigned `e` is every value of its `w` bits (an
/// elementary integer, not a subrange).
fn fills_its_bits(e: Elem, lo: i128, hi: i128, w: u32) -> bool {
    e.category() != Category::Signed && lo == 0 && hi == (1i128 << w) - 1
}

impl<'p> Executor<'p> {
    /// An executor over `memory` (globals, the root instance, the root's in-out storage), at
    /// the scan time `now`.
    pub fn new(
        program: &'p Program,
        memory: Vec<Sym>,
        root: usize,
        now: BV,
        limits: Limits,
    ) -> Self {
        Executor {
            program,
            sem: program.semantics,
            limits,
            memory,
            root,
            now,
            guard: t(),
            exit: f(),
            cont: f(),
            ret: f(),
            stmt: (program.root().file, Span::default()),
            depth: 0,
            faults: Vec::new(),
            unwinds: Vec::new(),
            cases: Vec::new(),
            unsupported: Vec::new(),
            approximations: Vec::new(),
            previous: None,
            deadline: None,
            out_of_time: false,
            stopping: None,
        }
    }

    /// Whether the deadline has passed; once it has, encoding stops.
    fn late(&mut self) -> bool {
        if !self.out_of_time && self.deadline.is_some_and(|d| Instant::now() >= d) {
            self.out_of_time = true;
        }
        self.out_of_time
    }

    /// Runs the root POU once.
    pub fn scan(&mut self) {
        let body = self.program.root();
        for &t in &body.temps {
            self.memory[self.root + t as usize] = constant(&body.init[t as usize], self.sem);
        }
        self.stmt = (body.file, Span::default());
        self.run_body(body, self.root);
    }

    /// A BOOL condition over the root's variables now (a property, an assumption); faults and
    /// CASEs in it (in a function it calls) are not sites of the program.
    pub fn condition(&mut self, e: &Expr) -> Bool {
        let stack = self.memory.len();
        let faults = self.faults.len();
        let cases = self.cases.len();
        let guard = std::mem::replace(&mut self.guard, t());
        let b = self.eval_bool(e, self.root);
        self.guard = guard;
        self.faults.truncate(faults);
        self.cases.truncate(cases);
        self.memory.truncate(stack);
        b
    }

    fn note_opaque(&mut self, why: &'static str) -> &'static str {
        if !self.approximations.contains(&why) {
            self.approximations.push(why);
        }
        why
    }

    fn unsupported(&mut self, what: impl Into<String>) {
        let (file, span) = self.stmt;
        self.unsupported.push(Unsupported {
            file,
            span,
            what: what.into(),
        });
    }

    /// The guard under which the current statement runs.
    fn active(&self) -> Bool {
        Bool::and(&[
            &self.guard,
            &self.exit.not(),
            &self.cont.not(),
            &self.ret.not(),
        ])
    }

    /// A possible fault at the current statement when `cond` holds; later code runs only where
    /// it did not happen.
    fn fault(&mut self, fault: Fault, cond: Bool) {
        let when = and(&self.active(), &cond).simplify();
        if when.as_bool() == Some(false) {
            return;
        }
        let (file, span) = self.stmt;
        let site = FaultSite {
            fault,
            file,
            span,
            when,
        };
        if self
            .stopping
            .as_ref()
            .is_none_or(|stops| stops.contains(&site_key(&site)))
        {
            self.guard = and(&self.guard, &site.when.not());
        }
        self.faults.push(site);
    }

    fn write(&mut self, at: usize, v: Sym) {
        let active = self.active();
        let old = &self.memory[at];
        let new = ite(&active, &v, old);
        if let (Sym::Address(a), Sym::Address(b)) = (&v, old)
            && a != b
            && active.simplify().as_bool() != Some(true)
        {
            self.unsupported("an in-out bound to different variables under a condition");
        }
        self.memory[at] = new;
    }

    // ---- statements ----------------------------------------------------------------------

    /// Runs a POU's statements in `frame`, with a RETURN of its own.
    fn run_body(&mut self, body: &Body, frame: usize) {
        let ret = std::mem::replace(&mut self.ret, f());
        let (exit, cont) = (
            std::mem::replace(&mut self.exit, f()),
            std::mem::replace(&mut self.cont, f()),
        );
        self.block(&body.stmts, frame);
        self.ret = ret;
        self.exit = exit;
        self.cont = cont;
    }

    fn block(&mut self, stmts: &[Stmt], frame: usize) {
        let outer = self.stmt;
        for s in stmts {
            if self.late() || self.active().simplify().as_bool() == Some(false) {
                break;
            }
            self.stmt = (s.file, s.span);
            self.statement(s, frame);
        }
        self.stmt = outer;
    }

    /// Runs `body` under the extra condition `cond`.
    fn guarded(&mut self, cond: &Bool, body: &[Stmt], frame: usize) {
        let outer = self.guard.clone();
        self.guard = and(&outer, cond);
        self.block(body, frame);
        // Faults inside the branch narrow the path condition outside it too.
        let faulted = Bool::and(&[&outer, cond, &self.guard.not()]);
        self.guard = and(&outer, &faulted.not());
    }

    fn statement(&mut self, s: &Stmt, frame: usize) {
        match &s.kind {
            StmtKind::Assign { target, value } => {
                let v = self.eval(value, frame);
                self.store_place(target, v, frame);
            }
            StmtKind::Copy {
                target,
                source,
                len,
            } => {
                let (Some(to), Some(from)) =
                    (self.address(target, frame), self.address(source, frame))
                else {
                    return;
                };
                let values: Vec<Sym> = self.memory[from..from + *len as usize].to_vec();
                for (i, v) in values.into_iter().enumerate() {
                    self.write(to + i, v);
                }
            }
            StmtKind::SetBit { target, bit, value } => {
                let on = self.eval_bool(value, frame);
                let Some(at) = self.address(target, frame) else {
                    return;
                };
                if let Sym::Bits(e, x) = self.memory[at].clone() {
                    let w = x.get_size();
                    let mask = BV::from_u64(1, w).bvshl(BV::from_u64(*bit as u64, w));
                    let set = on.ite(&x.bvor(&mask), &x.bvand(mask.bvnot()));
                    self.write(at, Sym::Bits(e, set));
                }
            }
            StmtKind::Call(call) => {
                self.call(call, frame);
            }
            StmtKind::If {
                branches,
                otherwise,
            } => {
                let mut taken = f();
                for (cond, body) in branches {
                    let open = taken.not();
                    let c = self.eval_under(&open, cond, frame);
                    self.guarded(&and(&open, &c), body, frame);
                    taken = or(&taken, &c);
                }
                self.guarded(&taken.not(), otherwise, frame);
            }
            StmtKind::Case {
                selector,
                arms,
                otherwise,
                has_else,
            } => {
                let Some((e, v)) = self.eval_bits(selector, frame) else {
                    return;
                };
                let mut taken = f();
                for arm in arms {
                    let hit = Bool::or(
                        &arm.ranges
                            .iter()
                            .map(|&(lo, hi)| {
                                let lo = BV::from_i64(lo as i64, v.get_size());
                                let hi = BV::from_i64(hi as i64, v.get_size());
                                if signed(e, &v) {
                                    and(&v.bvsge(&lo), &v.bvsle(&hi))
                                } else {
                                    and(&v.bvuge(&lo), &v.bvule(&hi))
                                }
                            })
                            .collect::<Vec<_>>(),
                    );
                    let enter = and(&hit, &taken.not());
                    self.guarded(&enter, &arm.body, frame);
                    taken = or(&taken, &hit);
                }
                let rest = taken.not();
                if !has_else {
                    let when = and(&self.active(), &rest).simplify();
                    if when.as_bool() != Some(false) {
                        let (file, span) = self.stmt;
                        self.cases.push(CaseSite { file, span, when });
                    }
                }
                self.guarded(&rest, otherwise, frame);
            }
            StmtKind::For {
                var,
                from,
                to,
                by,
                body,
            } => self.for_loop(var, from, to, by, body, frame),
            StmtKind::While { cond, body } => {
                self.loop_passes(frame, body, Some(cond), None);
            }
            StmtKind::Repeat { body, until } => {
                self.loop_passes(frame, body, None, Some(until));
            }
            StmtKind::Exit => self.exit = or(&self.exit, &self.active()),
            StmtKind::Continue => self.cont = or(&self.cont, &self.active()),
            StmtKind::Return => self.ret = or(&self.ret, &self.active()),
        }
    }

    /// Stores a value in a slot, keeping the slot's kind.
    fn store(&mut self, at: usize, v: Sym) {
        match (&self.memory[at], v) {
            (Sym::Opaque(_), _) => {}
            (_, Sym::Opaque(why)) => {
                // An unknown value written into a modelled slot: a fresh term of its kind.
                let like = self.memory[at].clone();
                let fresh = fresh_like(&like, why);
                self.write(at, fresh);
            }
            (_, v) => self.write(at, v),
        }
    }

    /// The passes of a WHILE (`cond` before each) or REPEAT (`until` after each), unrolled
    /// while they may run.
    fn loop_passes(
        &mut self,
        frame: usize,
        body: &[Stmt],
        cond: Option<&Expr>,
        until: Option<&Expr>,
    ) {
        let flags = self.enter_loop();
        // Where the loop is still running.
        let mut running = t();
        for _ in 0..self.limits.unwind {
            if self.late() {
                break;
            }
            if let Some(cond) = cond {
                let c = self.eval_under(&running, cond, frame);
                running = and(&running, &c);
            }
            if !self.may(&running) {
                break;
            }
            running = self.pass(&running, body, frame);
            if let Some(until) = until {
                let c = self.eval_under(&running, until, frame);
                running = and(&running, &c.not());
            }
        }
        if let Some(cond) = cond {
            let c = self.eval_under(&running, cond, frame);
            running = and(&running, &c);
        }
        self.unwind_site(&running);
        self.leave_loop(flags);
    }

    /// Saves the flags of the enclosing loop.
    fn enter_loop(&mut self) -> (Bool, Bool) {
        (
            std::mem::replace(&mut self.exit, f()),
            std::mem::replace(&mut self.cont, f()),
        )
    }

    fn leave_loop(&mut self, (exit, cont): (Bool, Bool)) {
        self.exit = exit;
        self.cont = cont;
    }

    /// One pass of a loop body where it is `running`; where it is still running afterwards.
    fn pass(&mut self, running: &Bool, body: &[Stmt], frame: usize) -> Bool {
        self.exit = f();
        self.cont = f();
        self.guarded(running, body, frame);
        Bool::and(&[running, &self.exit.not(), &self.ret.not()])
    }

    /// Whether a condition may hold where the code runs.
    fn may(&self, cond: &Bool) -> bool {
        Bool::and(&[&self.active(), cond]).simplify().as_bool() != Some(false)
    }

    fn unwind_site(&mut self, running: &Bool) {
        let when = and(&self.active(), running).simplify();
        if when.as_bool() != Some(false) {
            let (file, span) = self.stmt;
            self.unwinds.push(UnwindSite { file, span, when });
        }
    }

    /// Evaluates `e` where `cond` holds (faults in it count only there).
    fn eval_under(&mut self, cond: &Bool, e: &Expr, frame: usize) -> Bool {
        let outer = self.guard.clone();
        self.guard = and(&outer, cond);
        let v = self.eval_bool(e, frame);
        let faulted = Bool::and(&[&outer, cond, &self.guard.not()]);
        self.guard = and(&outer, &faulted.not());
        v
    }

    /// `FOR`: `to` and `by` evaluated once; the loop ends when the variable passes `to` or would
    /// leave its type (as `value::for_next` says).
    fn for_loop(
        &mut self,
        var: &Place,
        from: &Expr,
        to: &Expr,
        by: &Expr,
        body: &[Stmt],
        frame: usize,
    ) {
        let start = self.eval(from, frame);
        let (Some((to_e, end)), Some((by_e, step))) =
            (self.eval_bits(to, frame), self.eval_bits(by, frame))
        else {
            return;
        };
        let Sym::Bits(elem, _) = start else {
            self.unsupported("a FOR loop over a value that is not an integer");
            return;
        };
        let Some(at) = self.address(var, frame) else {
            return;
        };
        let Sym::Bits(_, first) = start.clone() else {
            return;
        };
        self.store(at, start);
        let sem = self.sem;
        let w = width(elem, sem).max(width(to_e, sem)).max(width(by_e, sem)) + 2;
        let end = extend(to_e, &end, w);
        let step = extend(by_e, &step, w);
        let zero = BV::from_i64(0, w);
        let (lo, hi) = elem.int_range().unwrap_or((0, 0));
        let flags = self.enter_loop();
        let mut running = t();
        // The body cannot write the variable (sema refuses it), so its value in a pass is the
        // start plus a multiple of the step: a counter of its own, constant when the bounds are.
        let mut counter = extend(elem, &first, w);
        for pass in 0..=self.limits.unwind {
            let past = step
                .bvsge(&zero)
                .ite(&counter.bvsgt(&end), &counter.bvslt(&end));
            running = and(&running, &past.not());
            if self.late() || !self.may(&running) || pass == self.limits.unwind {
                break;
            }
            running = self.pass(&running, body, frame);
            // The next value, or the end where it would leave the type.
            let next = counter.bvadd(&step).simplify();
            let fits = and(&next.bvsge(bv_i128(lo, w)), &next.bvsle(bv_i128(hi, w)));
            running = and(&running, &fits);
            let outer = self.guard.clone();
            self.guard = and(&outer, &running);
            self.write(
                at,
                Sym::Bits(elem, next.extract(width(elem, self.sem) - 1, 0)),
            );
            self.guard = outer;
            counter = next;
        }
        self.unwind_site(&running);
        self.leave_loop(flags);
    }

    fn call(&mut self, call: &Call, frame: usize) -> Option<Sym> {
        if self.depth >= MAX_CALL_DEPTH {
            self.unsupported("calls nested more than 64 deep (recursion)");
            return None;
        }
        if self.late() {
            return None;
        }
        let body = self.program.body(call.callee);
        let mut inputs = Vec::with_capacity(call.inputs.len());
        for (slot, e) in &call.inputs {
            inputs.push((*slot, self.eval(e, frame)));
        }
        for copy in &call.copies {
            let from = self.address(&copy.source, frame)?;
            for i in 0..copy.len {
                inputs.push((copy.to + i, self.memory[from + i as usize].clone()));
            }
        }
        let callee = match &call.instance {
            Some(instance) => self.address(instance, frame)?,
            None => {
                let at = self.memory.len();
                let init: Vec<Sym> = body.init.iter().map(|v| constant(v, self.sem)).collect();
                self.memory.extend(init);
                at
            }
        };
        for (slot, v) in inputs {
            self.store(callee + slot as usize, v);
        }
        if call.instance.is_some() {
            for &t in &body.temps {
                self.store(
                    callee + t as usize,
                    constant(&body.init[t as usize], self.sem),
                );
            }
        }
        self.depth += 1;
        self.run_body(body, callee);
        self.depth -= 1;
        for out in &call.outputs {
            let mut v = self.memory[callee + out.from as usize].clone();
            if out.negate {
                v = self.not(v);
            }
            if let Some(to) = out.convert {
                v = self.convert(v, to);
            }
            if let Some(at) = self.address(&out.to, frame) {
                self.store(at, v);
            }
        }
        let result = body
            .result
            .map(|r| self.memory[callee + r as usize].clone());
        if call.instance.is_none() {
            self.memory.truncate(callee);
        }
        result
    }

    // ---- places and expressions ------------------------------------------------------------

    /// The slot of a place whose indices are known: a computed one is refused.
    fn address(&mut self, place: &Place, frame: usize) -> Option<usize> {
        let candidates = self.candidates(place, frame)?;
        match candidates.as_slice() {
            [(_, at)] => Some(*at),
            _ => {
                self.unsupported("an array index computed at run time here");
                None
            }
        }
    }

    /// The slots a place may be, each with the condition under which it is: one, unless an
    /// index is computed at run time. An index outside its bounds is a fault site.
    fn candidates(&mut self, place: &Place, frame: usize) -> Option<Vec<(Bool, usize)>> {
        let base = match place.base {
            Base::Frame => frame,
            Base::Global => 0,
            Base::Indirect(slot) => match &self.memory[frame + slot as usize] {
                Sym::Address(a) => *a,
                _ => {
                    self.unsupported("an in-out without an address");
                    return None;
                }
            },
        } + place.offset as usize;
        let mut candidates: Vec<(Bool, usize)> = vec![(t(), base)];
        for index in &place.indices {
            let (e, i) = self.eval_bits(&index.value, frame)?;
            let w = width(e, self.sem) + 2;
            let i = extend(e, &i, w);
            let lo = bv_i128(index.low, w.max(66));
            let hi = bv_i128(index.high, w.max(66));
            let iw = extend(e, &i, w.max(66));
            self.fault(
                Fault::IndexOutOfBounds {
                    index: 0,
                    low: index.low as i64,
                    high: index.high as i64,
                },
                or(&iw.bvslt(&lo), &iw.bvsgt(&hi)),
            );
            if let Some(k) = iw.simplify().as_i64() {
                let off = (k as i128 - index.low).max(0) as usize * index.stride as usize;
                candidates = candidates.into_iter().map(|(c, a)| (c, a + off)).collect();
                continue;
            }
            let count = (index.high - index.low + 1).max(0) as usize;
            if count * candidates.len() > 4096 {
                self.unsupported("an array of more than 4096 elements indexed at run time");
                return None;
            }
            let mut next = Vec::with_capacity(count * candidates.len());
            for (c, a) in &candidates {
                for k in 0..count {
                    let hit = iw.eq(bv_i128(index.low + k as i128, w.max(66)));
                    next.push((and(c, &hit), a + k * index.stride as usize));
                }
            }
            candidates = next;
        }
        Some(candidates)
    }

    /// Writes a scalar to a place, to every slot it may be.
    fn store_place(&mut self, place: &Place, v: Sym, frame: usize) {
        let Some(candidates) = self.candidates(place, frame) else {
            return;
        };
        if let [(_, at)] = candidates.as_slice() {
            return self.store(*at, v);
        }
        let outer = self.guard.clone();
        for (c, at) in candidates {
            self.guard = and(&outer, &c);
            self.store(at, v.clone());
        }
        self.guard = outer;
    }

    fn eval_bool(&mut self, e: &Expr, frame: usize) -> Bool {
        match self.eval(e, frame) {
            Sym::Bool(b) => b,
            Sym::Bits(_, x) => x.extract(0, 0).eq(BV::from_u64(1, 1)),
            Sym::Opaque(why) => {
                self.note_opaque(why);
                Bool::fresh_const("opaque")
            }
            Sym::Address(_) => {
                self.unsupported("an address used as a condition");
                f()
            }
            Sym::Float(..) => {
                self.unsupported("a REAL used as a condition");
                f()
            }
        }
    }

    fn eval_bits(&mut self, e: &Expr, frame: usize) -> Option<(Elem, BV)> {
        match self.eval(e, frame) {
            Sym::Bits(e, x) => Some((e, x)),
            Sym::Opaque(why) => {
                self.note_opaque(why);
                None
            }
            _ => {
                self.unsupported("an integer expected");
                None
            }
        }
    }

    fn eval(&mut self, e: &Expr, frame: usize) -> Sym {
        match e {
            Expr::Const(v) => constant(v, self.sem),
            Expr::Load(place) => self.load(place, frame),
            Expr::Address(place) => match self.address(place, frame) {
                Some(a) => Sym::Address(a),
                None => Sym::Opaque("an address"),
            },
            Expr::Unary(UnaryOp::Not, x) => {
                let v = self.eval(x, frame);
                self.not(v)
            }
            Expr::Unary(UnaryOp::Neg, x) => {
                let v = self.eval(x, frame);
                self.negate(v)
            }
            Expr::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs, frame),
            Expr::Convert(to, x) => {
                let v = self.eval(x, frame);
                self.convert(v, *to)
            }
            Expr::Bit(x, bit) => match self.eval(x, frame) {
                Sym::Bits(_, v) => {
                    Sym::Bool(v.extract(*bit as u32, *bit as u32).eq(BV::from_u64(1, 1)))
                }
                other => self.opaque_bool(other),
            },
            Expr::Builtin(b, args) => self.builtin(*b, args, frame),
            Expr::Call(call) => self.call(call, frame).unwrap_or(Sym::Opaque("a call")),
            Expr::Prev(x) => {
                // The argument calls nothing, so it reads only the memory between scans: the
                // terms after the previous scan stand in for it while `x` is evaluated.
                let Some(mut previous) = self.previous.take() else {
                    self.unsupported("PREV outside a spec's property or assumption");
                    return Sym::Opaque("PREV");
                };
                let n = previous.len();
                let stack = self.memory.split_off(n.min(self.memory.len()));
                std::mem::swap(&mut self.memory, &mut previous);
                let v = self.eval(x, frame);
                std::mem::swap(&mut self.memory, &mut previous);
                self.memory.extend(stack);
                self.previous = Some(previous);
                v
            }
        }
    }

    fn opaque_bool(&mut self, v: Sym) -> Sym {
        if let Sym::Opaque(why) = v {
            self.note_opaque(why);
        }
        Sym::Bool(Bool::fresh_const("opaque"))
    }

    /// Reads a place; a computed index selects among the elements.
    fn load(&mut self, place: &Place, frame: usize) -> Sym {
        let Some(candidates) = self.candidates(place, frame) else {
            return Sym::Opaque("an unreadable place");
        };
        let (_, last) = candidates.last().cloned().expect("a candidate");
        let mut v = self.memory[last].clone();
        for (c, a) in candidates.iter().rev().skip(1) {
            v = ite(c, &self.memory[*a], &v);
        }
        v
    }

    fn not(&mut self, v: Sym) -> Sym {
        match v {
            Sym::Bool(b) => Sym::Bool(b.not()),
            Sym::Bits(e, x) => Sym::Bits(e, x.bvnot()),
            other => other,
        }
    }

    fn negate(&mut self, v: Sym) -> Sym {
        match v {
            Sym::Bits(e, x) => {
                if !self.sem.wrap_integers && e.int_range().is_some() {
                    let w = x.get_size();
                    let overflow = if signed(e, &x) {
                        x.eq(BV::from_i64(i64::MIN, 64).extract(63, 64 - w))
                    } else {
                        x.eq(BV::from_u64(0, w)).not()
                    };
                    self.fault(Fault::Overflow, overflow);
                }
                Sym::Bits(e, x.bvneg())
            }
            Sym::Float(e, x) => Sym::Float(e, x.unary_neg()),
            other => other,
        }
    }

    fn binary(&mut self, op: BinaryOp, lhs: &Expr, rhs: &Expr, frame: usize) -> Sym {
        use BinaryOp::*;
        let a = self.eval(lhs, frame);
        // AND_THEN / OR_ELSE evaluate their right operand only when needed.
        let b = match (op, &a) {
            (AndThen, Sym::Bool(x)) => {
                let x = x.clone();
                Sym::Bool(self.eval_under(&x, rhs, frame))
            }
            (OrElse, Sym::Bool(x)) => {
                let x = x.not();
                Sym::Bool(self.eval_under(&x, rhs, frame))
            }
            _ => self.eval(rhs, frame),
        };
        match (a, b) {
            (Sym::Bool(x), Sym::Bool(y)) => Sym::Bool(match op {
                And | AndThen => and(&x, &y),
                Or | OrElse => or(&x, &y),
                Xor | Ne => x.xor(&y),
                Eq => x.iff(&y),
                Lt => and(&x.not(), &y),
                Gt => and(&x, &y.not()),
                Le => or(&x.not(), &y),
                Ge => or(&x, &y.not()),
                _ => {
                    self.unsupported(format!("`{}` on BOOL", op.symbol()));
                    f()
                }
            }),
            (Sym::Bits(e, x), Sym::Bits(_, y)) => self.bits(op, e, x, y),
            (Sym::Float(e, x), Sym::Float(_, y)) => self.reals(op, e, &x, &y),
            (Sym::Opaque(why), _) | (_, Sym::Opaque(why)) => {
                self.note_opaque(why);
                self.opaque_faults(op);
                if is_comparison(op) {
                    Sym::Bool(Bool::fresh_const("opaque"))
                } else {
                    Sym::Opaque(why)
                }
            }
            _ => {
                self.unsupported(format!("`{}` on these operands", op.symbol()));
                Sym::Opaque("an unsupported operation")
            }
        }
    }

    /// An operation on two REAL or LREAL values of the type `e`, as `value::binary` defines
    /// it: IEEE results in the vendor dialects; in the strict one a division by zero is R001
    /// and a result that is not a finite number R002.
    fn reals(&mut self, op: BinaryOp, e: Elem, x: &Float, y: &Float) -> Sym {
        if is_comparison(op) {
            return Sym::Bool(float::compare(op, x, y));
        }
        let Some(v) = float::arith(op, x, y) else {
            // `**` is Rust's `powf`, which has no exact term.
            let why = self.note_opaque(OPAQUE_REAL_FUNCTIONS);
            self.opaque_faults(op);
            return Sym::Opaque(why);
        };
        if !self.sem.ieee_reals {
            if op == BinaryOp::Div {
                self.fault(Fault::DivisionByZero, y.is_zero());
            }
            self.fault(Fault::Overflow, float::is_finite(&v).not());
        }
        Sym::Float(e, v)
    }

    /// An operation on two integers, bit strings or durations of the type `e`, as
    /// `value::binary` defines it.
    fn bits(&mut self, op: BinaryOp, e: Elem, x: BV, y: BV) -> Sym {
        use BinaryOp::*;
        let s = signed(e, &x);
        let cmp = |b: Bool| Sym::Bool(b);
        match op {
            Eq => return cmp(x.eq(&y)),
            Ne => return cmp(x.eq(&y).not()),
            Lt => return cmp(if s { x.bvslt(&y) } else { x.bvult(&y) }),
            Gt => return cmp(if s { x.bvsgt(&y) } else { x.bvugt(&y) }),
            Le => return cmp(if s { x.bvsle(&y) } else { x.bvule(&y) }),
            Ge => return cmp(if s { x.bvsge(&y) } else { x.bvuge(&y) }),
            _ => {}
        }
        // Durations wrap in 64 bits in every dialect (`value::time`); integers fault in the
        // strict one.
        let checked = e.int_range().is_some() && !self.sem.wrap_integers;
        let w = x.get_size();
        let zero = BV::from_u64(0, w);
        let v = match op {
            Add | Sub | Mul
                if e.category() != Category::Duration && e.category() != Category::Date =>
            {
                if checked {
                    let (lo, hi) = e.int_range().unwrap_or((0, 0));
                    let outside = if op == Mul && fills_its_bits(e, lo, hi, w) {
                        // z3's own predicate: a product in twice the width is a multiplier four
                        // times the size. (Its signed underflow predicate is wrong in Debian's
                        // z3 4.8: it says 127 * -1 underflows a SINT.)
                        x.bvmul_no_overflow(&y, false).not()
                    } else {
                        // The exact result, two bits wider for a sum or difference and twice as
                        // wide for a product, must lie in the type's range.
                        let wide = if op == Mul { 2 * w + 2 } else { w + 2 };
                        let (a, b) = (extend(e, &x, wide), extend(e, &y, wide));
                        let exact = match op {
                            Add => a.bvadd(&b),
                            Sub => a.bvsub(&b),
                            _ => a.bvmul(&b),
                        };
                        or(
                            &exact.bvslt(bv_i128(lo, wide)),
                            &exact.bvsgt(bv_i128(hi, wide)),
                        )
                    };
                    self.fault(Fault::Overflow, outside);
                }
                match op {
                    Add => x.bvadd(&y),
                    Sub => x.bvsub(&y),
                    _ => x.bvmul(&y),
                }
            }
            Add => x.bvadd(&y),
            Sub => x.bvsub(&y),
            Div if e.is_integer() || e.category() == Category::Bit => {
                self.fault(Fault::DivisionByZero, y.eq(&zero));
                if s {
                    if checked {
                        // MIN / -1 is the one quotient outside the type.
                        let (lo, _) = e.int_range().unwrap_or((0, 0));
                        let overflow = and(&x.eq(bv_i128(lo, w)), &y.eq(BV::from_i64(-1, w)));
                        self.fault(Fault::Overflow, overflow);
                    }
                    x.bvsdiv(&y)
                } else {
                    x.bvudiv(&y)
                }
            }
            // MOD by zero is 0 (the standard's definition); the sign follows the dividend.
            Mod if e.is_integer() || e.category() == Category::Bit => {
                let r = if s { x.bvsrem(&y) } else { x.bvurem(&y) };
                y.eq(&zero).ite(&zero, &r)
            }
            And => x.bvand(&y),
            Or => x.bvor(&y),
            Xor => x.bvxor(&y),
            _ => {
                self.unsupported(format!("`{}` on {}", op.symbol(), e.name()));
                return Sym::Opaque("an unsupported operation");
            }
        };
        Sym::Bits(e, v)
    }

    /// A conversion, as `value::convert_in` defines it.
    fn convert(&mut self, v: Sym, to: Elem) -> Sym {
        let to_cat = to.category();
        match v {
            Sym::Bool(b) => match to_cat {
                _ if to == Elem::Bool => Sym::Bool(b),
                _ if to.int_range().is_some() => Sym::Bits(
                    to,
                    b.ite(
                        &BV::from_u64(1, width(to, self.sem)),
                        &BV::from_u64(0, width(to, self.sem)),
                    ),
                ),
                Category::Real => Sym::Float(
                    to,
                    b.ite(&float::constant(to, 1.0), &float::constant(to, 0.0)),
                ),
                _ => {
                    self.unsupported(format!("a conversion of BOOL to {}", to.name()));
                    Sym::Opaque("an unsupported conversion")
                }
            },
            Sym::Bits(from, x) => {
                let from_cat = from.category();
                let time_like = |c: Category| matches!(c, Category::Duration | Category::Date);
                if to == Elem::Bool {
                    return Sym::Bool(x.extract(0, 0).eq(BV::from_u64(1, 1)));
                }
                if to_cat == Category::Real {
                    return Sym::Float(
                        to,
                        if time_like(from_cat) {
                            // A 32-bit TIME holds its value in milliseconds, unsigned.
                            let ms = self.sem.counts_ms(from);
                            let unit = if ms { 1 } else { time_unit(from) };
                            float::from_duration(&x, unit, !ms, to)
                        } else {
                            float::from_int(&x, signed(from, &x), to)
                        },
                    );
                }
                if time_like(from_cat) && time_like(to_cat) {
                    return Sym::Bits(to, self.retime(from, &x, to));
                }
                if time_like(to_cat) {
                    // A 32-bit TIME of an integer counts its milliseconds modulo 2^32.
                    if self.sem.counts_ms(to) {
                        return Sym::Bits(to, extend(from, &x, TIME_MS_BITS));
                    }
                    let unit = time_unit(to);
                    let wide = extend(from, &x, TIME_BITS);
                    return Sym::Bits(to, wide.bvmul(BV::from_i64(unit as i64, TIME_BITS)));
                }
                let from_time = time_like(from_cat);
                let value = if from_time && self.sem.counts_ms(from) {
                    (Elem::LInt, x.zero_ext(TIME_BITS - TIME_MS_BITS))
                } else if from_time {
                    // In the unit of the type, rounded towards minus infinity (div_euclid).
                    (Elem::LInt, floor_div(&x, time_unit(from)))
                } else {
                    (from, x)
                };
                let (from, x) = value;
                let to_bits = width(to, self.sem);
                // A duration is always converted by value (in its unit), never by its bits.
                let narrow_by_bits = self.sem.narrow_by_bits && to.is_integer() && !from_time;
                let binary = !from_time
                    && matches!(
                        to_cat,
                        Category::Bit | Category::Signed | Category::Unsigned
                    )
                    && (to_cat == Category::Bit || from.category() == Category::Bit);
                if narrow_by_bits || (binary && from.int_range().is_some()) {
                    if binary && !narrow_by_bits {
                        // The pattern of the narrower type, zero-extended.
                        let bits = to_bits.min(x.get_size());
                        let low = x.extract(bits - 1, 0);
                        let v = if bits < to_bits {
                            low.zero_ext(to_bits - bits)
                        } else {
                            low
                        };
                        return Sym::Bits(to, v);
                    }
                    return Sym::Bits(
                        to,
                        extend(from, &x, to_bits.max(x.get_size())).extract(to_bits - 1, 0),
                    );
                }
                // A value conversion: R004 where it does not fit.
                let w = x.get_size().max(to_bits) + 2;
                let wide = extend(from, &x, w);
                let (lo, hi) = match to_cat {
                    Category::Char => (0, (1i128 << to.bits()) - 1),
                    _ => to.int_range().unwrap_or((0, 0)),
                };
                let outside = or(&wide.bvslt(bv_i128(lo, w)), &wide.bvsgt(bv_i128(hi, w)));
                self.fault(Fault::OutOfRange, outside);
                Sym::Bits(to, wide.extract(to_bits - 1, 0))
            }
            Sym::Float(from, x) => self.convert_real(from, &x, to),
            Sym::Opaque(why) => {
                self.note_opaque(why);
                if to == Elem::Bool {
                    return Sym::Bool(Bool::fresh_const("opaque"));
                }
                if to_cat != Category::Real {
                    // REAL to integer may be out of range: a possible fault of unknown cause.
                    self.fault(Fault::OutOfRange, Bool::fresh_const("opaque_range"));
                    return Sym::Bits(to, BV::fresh_const("opaque", width(to, self.sem)));
                }
                Sym::Opaque(why)
            }
            Sym::Address(_) => {
                self.unsupported("a conversion of an address");
                Sym::Opaque("an address")
            }
        }
    }

    /// A REAL or LREAL value converted, as `value::convert` defines it: to a REAL type rounded,
    /// to an integer rounded to nearest even and R004 where it does not fit, to a duration in
    /// the type's unit and R004 where it is not a number.
    /// A duration or date `x` of type `from` as one of type `to`: the same instant, in the
    /// representation of `to` (`value::time`).
    fn retime(&self, from: Elem, x: &BV, to: Elem) -> BV {
        match (self.sem.counts_ms(from), self.sem.counts_ms(to)) {
            (false, false) | (true, true) => x.clone(),
            (true, false) => x
                .zero_ext(TIME_BITS - TIME_MS_BITS)
                .bvmul(BV::from_i64(NS_PER_MS as i64, TIME_BITS)),
            (false, true) => floor_div(x, NS_PER_MS).extract(TIME_MS_BITS - 1, 0),
        }
    }

    fn convert_real(&mut self, from: Elem, x: &Float, to: Elem) -> Sym {
        match to.category() {
            Category::Real => Sym::Float(to, float::round(x, to)),
            Category::Signed | Category::Unsigned | Category::Bit if to != Elem::Bool => {
                let (v, outside) = float::to_int(x, from, to, &float::rne());
                self.fault(Fault::OutOfRange, outside);
                Sym::Bits(to, v)
            }
            Category::Duration | Category::Date => {
                self.fault(Fault::OutOfRange, float::is_finite(x).not());
                if self.sem.counts_ms(to) {
                    // The nearest millisecond, modulo 2^32.
                    let ms = float::to_duration(x, 1);
                    return Sym::Bits(to, ms.extract(TIME_MS_BITS - 1, 0));
                }
                Sym::Bits(to, float::to_duration(x, time_unit(to)))
            }
            _ => {
                self.unsupported(format!("a conversion of {} to {}", from.name(), to.name()));
                Sym::Opaque("an unsupported conversion")
            }
        }
    }

    fn builtin(&mut self, b: Builtin, args: &[Expr], frame: usize) -> Sym {
        use Builtin::*;
        let values: Vec<Sym> = args.iter().map(|a| self.eval(a, frame)).collect();
        match (b, values.as_slice()) {
            (Now(e), []) => Sym::Bits(e, now_as(e, &self.now, self.sem)),
            (Abs, [Sym::Bits(e, x)]) if e.is_integer() => {
                if !signed(*e, x) {
                    return Sym::Bits(*e, x.clone());
                }
                let neg = self.negate(Sym::Bits(*e, x.clone()));
                let Sym::Bits(_, n) = neg else { unreachable!() };
                let below = x.bvslt(BV::from_u64(0, x.get_size()));
                Sym::Bits(*e, below.ite(&n, x))
            }
            (Abs, [Sym::Float(e, x)]) => Sym::Float(*e, x.unary_abs()),
            (Sqrt, [Sym::Float(e, x)]) => {
                let r = x.sqrt();
                // SQRT of a negative number (and of ±INF or NaN) is R004, as `value` says.
                self.fault(Fault::OutOfRange, float::is_finite(&r).not());
                Sym::Float(*e, r)
            }
            (Trunc(to), [Sym::Float(e, x)]) => {
                let (v, outside) = float::to_int(x, *e, to, &RoundingMode::round_towards_zero());
                self.fault(Fault::OutOfRange, outside);
                Sym::Bits(to, v)
            }
            (Sel, [Sym::Bool(g), in0, in1]) => ite(g, in1, in0),
            (Max | Min, [first, rest @ ..]) => {
                let mut best = first.clone();
                for v in rest {
                    // `value` keeps the first of equal values: a later one wins only when it
                    // is strictly better (never a NaN, which compares false).
                    let better = match b {
                        Max => less(&best, v),
                        _ => less(v, &best),
                    };
                    let Some(better) = better else {
                        return self.opaque_result(&values);
                    };
                    best = ite(&better, v, &best);
                }
                best
            }
            (Limit, [mn, x, mx]) => {
                let (Some(below), Some(above)) = (less(x, mn), less(mx, x)) else {
                    return self.opaque_result(&values);
                };
                ite(&below, mn, &ite(&above, mx, x))
            }
            (Mux, [Sym::Bits(e, k), inputs @ ..]) => {
                let w = 130;
                let k = extend(*e, k, w);
                let n = inputs.len() as i64;
                self.fault(
                    Fault::IndexOutOfBounds {
                        index: 0,
                        low: 0,
                        high: n - 1,
                    },
                    or(&k.bvslt(BV::from_i64(0, w)), &k.bvsge(BV::from_i64(n, w))),
                );
                let mut v = inputs.last().cloned().unwrap_or(Sym::Opaque("MUX"));
                for (i, input) in inputs.iter().enumerate().rev().skip(1) {
                    v = ite(&k.eq(BV::from_i64(i as i64, w)), input, &v);
                }
                v
            }
            (Shl | Shr | Rol | Ror, [Sym::Bits(e, x), Sym::Bits(ne, n)]) => {
                let w = x.get_size();
                let n = extend(*ne, n, 130);
                let zero = BV::from_u64(0, 130);
                let n = n.bvslt(&zero).ite(&zero, &n);
                let bits = BV::from_u64(w as u64, 130);
                let out = match b {
                    Shl | Shr => {
                        let amount = n.bvuge(&bits).ite(&bits, &n).extract(w - 1, 0);
                        let shifted = if b == Shl {
                            x.bvshl(&amount)
                        } else {
                            x.bvlshr(&amount)
                        };
                        n.bvuge(&bits).ite(&BV::from_u64(0, w), &shifted)
                    }
                    _ => {
                        let amount = n.bvurem(&bits).extract(w - 1, 0);
                        if b == Rol {
                            x.bvrotl(&amount)
                        } else {
                            x.bvrotr(&amount)
                        }
                    }
                };
                Sym::Bits(*e, out)
            }
            (MulTime, [Sym::Bits(e, t), Sym::Bits(ne, n)]) if ne.is_integer() => {
                Sym::Bits(*e, t.bvmul(extend(*ne, n, t.get_size())))
            }
            // Truncated towards zero, exactly: 66 bits hold every quotient of a duration (a
            // 32-bit TIME's milliseconds unsigned) by any integer, ULINT included.
            (DivTime, [Sym::Bits(e, t), Sym::Bits(ne, n)]) if ne.is_integer() => {
                let n = extend(*ne, n, 66);
                self.fault(Fault::DivisionByZero, n.eq(BV::from_u64(0, 66)));
                let q = extend(*e, t, 66).bvsdiv(&n);
                Sym::Bits(*e, q.extract(t.get_size() - 1, 0))
            }
            _ => self.opaque_result(&values),
        }
    }

    /// A builtin the encoder does not model: its result is unconstrained, and so is whether it
    /// faults (a domain error, a length out of range), as the simulator may.
    fn opaque_result(&mut self, _values: &[Sym]) -> Sym {
        let why = self.note_opaque(OPAQUE_REAL_FUNCTIONS);
        self.fault(Fault::OutOfRange, Bool::fresh_const("opaque_fault"));
        Sym::Opaque(why)
    }

    /// The faults an unmodelled (REAL) operation may have in the strict dialect, where a
    /// division by zero and a result outside the type stop the scan: possible, for unknown
    /// reasons. A counterexample through one does not replay unless the fault is real.
    fn opaque_faults(&mut self, op: BinaryOp) {
        use BinaryOp::*;
        if self.sem.ieee_reals || !matches!(op, Add | Sub | Mul | Div | Power) {
            return;
        }
        if op == Div {
            self.fault(Fault::DivisionByZero, Bool::fresh_const("opaque_fault"));
        }
        self.fault(Fault::Overflow, Bool::fresh_const("opaque_fault"));
    }
}

/// Why a result is opaque where a standard function or operator has no exact term.
const OPAQUE_REAL_FUNCTIONS: &str = "REAL functions without an exact IEEE term (EXPT, `**`, LN, LOG, EXP, trigonometry) and STRING functions";

/// `a < b` as `value::binary`'s `Lt` says (signed or unsigned by the type, IEEE for REALs,
/// FALSE < TRUE), or `None` for operands the encoder does not model.
fn less(a: &Sym, b: &Sym) -> Option<Bool> {
    Some(match (a, b) {
        (Sym::Bits(e, x), Sym::Bits(_, y)) if signed(*e, x) => x.bvslt(y),
        (Sym::Bits(_, x), Sym::Bits(_, y)) => x.bvult(y),
        (Sym::Float(_, x), Sym::Float(_, y)) => x.lt(y),
        (Sym::Bool(x), Sym::Bool(y)) => and(&x.not(), y),
        _ => return None,
    })
}

fn is_comparison(op: BinaryOp) -> bool {
    use BinaryOp::*;
    matches!(op, Eq | Ne | Lt | Gt | Le | Ge)
}

fn bv_i128(v: i128, w: u32) -> BV {
    if let Ok(small) = i64::try_from(v) {
        return BV::from_i64(small, w);
    }
    BV::from_str(w, &v.rem_euclid(1i128 << w.min(126)).to_string()).expect("a numeral")
}

/// A fresh unconstrained term of a slot's kind.
fn fresh_like(like: &Sym, why: &'static str) -> Sym {
    match like {
        Sym::Bool(_) => Sym::Bool(Bool::fresh_const("opaque")),
        Sym::Bits(e, x) => Sym::Bits(*e, BV::fresh_const("opaque", x.get_size())),
        Sym::Float(e, _) => Sym::Float(*e, float::fresh(*e, "opaque")),
        _ => Sym::Opaque(why),
    }
}

/// The slots of a shape at `offset`, with their scalar types.
pub fn each_scalar(program: &Program, ty: &Ty, offset: usize, out: &mut Vec<(usize, Ty)>) {
    match ty {
        Ty::Array { dims, elem } => {
            let count: i128 = dims.iter().map(|(lo, hi)| hi - lo + 1).product();
            let size = elem.size(&program.bodies) as usize;
            for i in 0..count.max(0) as usize {
                each_scalar(program, elem, offset + i * size, out);
            }
        }
        Ty::Struct(fields) => {
            for field in fields {
                each_scalar(program, &field.ty, offset + field.offset as usize, out);
            }
        }
        Ty::Instance(body) => {
            for var in &program.body(*body).vars {
                each_scalar(program, &var.ty, offset + var.offset as usize, out);
            }
        }
        _ => out.push((offset, ty.clone())),
    }
}

#[cfg(test)]
mod tests {
    //! The one semantics, tested: z3's evaluation of every encoded operation on constants
    //! equals the `value` module's, in both arithmetics, faults included.

    use super::*;
    use crate::ir::{Body, BodyId, BodyKind};
    use crate::value::{self, Semantics, Value};

    fn program(semantics: Semantics) -> Program {
        Program {
            bodies: vec![Body {
                name: "P".into(),
                kind: BodyKind::Program,
                file: FileId(0),
                vars: Vec::new(),
                init: Vec::new(),
                temps: Vec::new(),
                result: None,
                stmts: Vec::new(),
            }],
            root: BodyId(0),
            globals: Vec::new(),
            globals_init: Vec::new(),
            semantics,
        }
    }

    /// `a op b` over two constants.
    fn operation(op: BinaryOp, a: &Value, b: &Value) -> Expr {
        Expr::Binary {
            op,
            lhs: Box::new(Expr::Const(a.clone())),
            rhs: Box::new(Expr::Const(b.clone())),
        }
    }

    /// The executor's value of `e` and whether it may fault, as constants.
    fn evaluate(p: &Program, e: &Expr) -> (Option<Value>, bool, Option<Elem>) {
        let mut exec = Executor::new(p, Vec::new(), 0, BV::from_i64(0, 64), Limits { unwind: 4 });
        let v = exec.eval(e, 0);
        let faulted = exec
            .faults
            .iter()
            .any(|f| f.when.simplify().as_bool() == Some(true));
        let value = constant_value(v);
        let elem = match &value {
            Some(Value::Int(e, _)) | Some(Value::Time(e, _)) => Some(*e),
            _ => None,
        };
        (value, faulted, elem)
    }

    fn samples(e: Elem) -> Vec<Value> {
        let (lo, hi) = e.int_range().expect("an integer type");
        let mut xs = vec![lo, hi, 0, 1, -1, 2, 7, -7, hi / 2, lo / 2, 100];
        let mut seed = 0x9E37_79B9_7F4A_7C15u64 ^ e.bits() as u64;
        for _ in 0..12 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            xs.push(lo + (seed as i128).rem_euclid(hi - lo + 1));
        }
        xs.into_iter()
            .filter(|x| (lo..=hi).contains(x))
            .map(|x| Value::Int(e, x))
            .collect()
    }

    const INTEGERS: [Elem; 12] = [
        Elem::SInt,
        Elem::Int,
        Elem::DInt,
        Elem::LInt,
        Elem::USInt,
        Elem::UInt,
        Elem::UDInt,
        Elem::ULInt,
        Elem::Byte,
        Elem::Word,
        Elem::DWord,
        Elem::LWord,
    ];

    #[test]
    fn binary_operations_mean_what_the_value_module_says() {
        use BinaryOp::*;
        for semantics in [Semantics::STRICT, Semantics::WRAPPING] {
            let p = program(semantics);
            for e in INTEGERS {
                let ops: &[BinaryOp] = if e.category() == Category::Bit {
                    &[And, Or, Xor, Eq, Ne, Lt, Gt, Le, Ge]
                } else {
                    &[
                        Add, Sub, Mul, Div, Mod, Eq, Ne, Lt, Gt, Le, Ge, And, Or, Xor,
                    ]
                };
                for a in samples(e) {
                    for b in samples(e) {
                        for &op in ops {
                            let expected = value::binary(op, &a, &b, semantics);
                            let expr = operation(op, &a, &b);
                            let (got, faulted, _) = evaluate(&p, &expr);
                            match expected {
                                Ok(v) => {
                                    assert!(!faulted, "{a:?} {op:?} {b:?}: a fault encoded");
                                    assert_eq!(got, Some(v), "{a:?} {op:?} {b:?} ({semantics:?})");
                                }
                                Err(_) => assert!(faulted, "{a:?} {op:?} {b:?}: no fault encoded"),
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn conversions_and_negation_mean_what_the_value_module_says() {
        let targets: Vec<Elem> = INTEGERS
            .iter()
            .copied()
            .chain([Elem::Bool, Elem::Time, Elem::LTime, Elem::Char])
            .collect();
        for semantics in [
            Semantics::STRICT,
            Semantics::WRAPPING,
            Semantics::WRAPPING_MS32,
        ] {
            let p = program(semantics);
            for from in INTEGERS {
                for a in samples(from) {
                    let negated = evaluate(
                        &p,
                        &Expr::Unary(UnaryOp::Neg, Box::new(Expr::Const(a.clone()))),
                    );
                    match value::negate(&a, semantics) {
                        Ok(v) => assert_eq!((negated.0, negated.1), (Some(v), false), "-{a:?}"),
                        Err(_) => assert!(negated.1, "-{a:?}: no fault"),
                    }
                    let not = evaluate(
                        &p,
                        &Expr::Unary(UnaryOp::Not, Box::new(Expr::Const(a.clone()))),
                    );
                    assert_eq!(not.0, value::not(&a).ok(), "NOT {a:?}");
                    for &to in &targets {
                        let expected = value::convert_in(&a, to, semantics);
                        let (got, faulted, _) =
                            evaluate(&p, &Expr::Convert(to, Box::new(Expr::Const(a.clone()))));
                        match expected {
                            Ok(v) => {
                                assert!(!faulted, "{a:?} to {to:?}: a fault encoded");
                                assert_eq!(got, Some(v), "{a:?} to {to:?} ({semantics:?})");
                            }
                            Err(_) => assert!(faulted, "{a:?} to {to:?}: no fault encoded"),
                        }
                    }
                }
            }
            // Durations back to integers, in the unit of the type.
            for ns in [
                0i128,
                1,
                999_999,
                1_000_000,
                -1,
                -1_500_000,
                86_400_000_000_000,
            ] {
                for from in [Elem::Time, Elem::LTime] {
                    let a = value::represent(Value::Time(from, ns), semantics);
                    for to in [Elem::DInt, Elem::LInt, Elem::UDInt, Elem::Int] {
                        let expected = value::convert_in(&a, to, semantics);
                        let (got, faulted, _) =
                            evaluate(&p, &Expr::Convert(to, Box::new(Expr::Const(a.clone()))));
                        match expected {
                            Ok(v) => {
                                assert_eq!((got, faulted), (Some(v), false), "{a:?} to {to:?}")
                            }
                            Err(_) => assert!(faulted, "{a:?} to {to:?}: no fault"),
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn standard_functions_mean_what_the_value_module_says() {
        use Builtin::*;
        let p = program(Semantics::STRICT);
        for e in [Elem::Int, Elem::UInt, Elem::Byte, Elem::DInt] {
            let xs = samples(e);
            for a in &xs {
                for b in xs.iter().take(8) {
                    let n = Value::Int(Elem::Int, 3);
                    let cases: Vec<(Builtin, Vec<Value>)> = vec![
                        (Max, vec![a.clone(), b.clone()]),
                        (Min, vec![a.clone(), b.clone()]),
                        (Limit, vec![b.clone(), a.clone(), xs[1].clone()]),
                        (Sel, vec![Value::Bool(true), a.clone(), b.clone()]),
                        (Shl, vec![a.clone(), n.clone()]),
                        (Shr, vec![a.clone(), n.clone()]),
                        (Rol, vec![a.clone(), n.clone()]),
                        (Ror, vec![a.clone(), n.clone()]),
                        (Abs, vec![a.clone()]),
                    ];
                    for (builtin, args) in cases {
                        if builtin == Abs && e.category() == Category::Bit {
                            continue;
                        }
                        let expected = value::builtins::call(builtin, &args, 0, Semantics::STRICT);
                        let expr =
                            Expr::Builtin(builtin, args.iter().cloned().map(Expr::Const).collect());
                        let (got, faulted, _) = evaluate(&p, &expr);
                        match expected {
                            Ok(v) => {
                                assert_eq!((got, faulted), (Some(v), false), "{builtin:?}{args:?}")
                            }
                            Err(_) => assert!(faulted, "{builtin:?}{args:?}: no fault"),
                        }
                    }
                }
            }
        }
    }

    // ---- REAL and LREAL ------------------------------------------------------------------

    /// The arithmetic of every dialect (`Semantics::of` is all a dialect says about values),
    /// each once, with the name of the first dialect that has it.
    fn dialects() -> Vec<(&'static str, Semantics)> {
        use crate::sema::dialect::Dialect;
        let mut out: Vec<(&'static str, Semantics)> = Vec::new();
        for d in [
            Dialect::Iec,
            Dialect::Codesys,
            Dialect::Twincat,
            Dialect::Siemens,
            Dialect::Rusty,
        ] {
            let sem = Semantics::of(d.profile());
            if !out.iter().any(|(_, s)| *s == sem) {
                out.push((d.profile().name, sem));
            }
        }
        assert_eq!(
            out.len(),
            3,
            "both arithmetics, and both representations of TIME, are covered"
        );
        out
    }

    /// The same value: REALs by their bits (-0.0 is not 0.0), every NaN alike.
    fn same(a: &Value, b: &Value) -> bool {
        match (a, b) {
            (Value::Real(e, x), Value::Real(f, y)) => {
                e == f && ((x.is_nan() && y.is_nan()) || x.to_bits() == y.to_bits())
            }
            _ => a == b,
        }
    }

    fn xorshift(seed: &mut u64) -> u64 {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        *seed
    }

    /// Operands of a REAL type: zeros of both signs, ±INF, NaN, subnormals, the largest
    /// values, halfway cases of rounding to integers and to single precision, the limits of
    /// the integer types, and random bit patterns and random moderate values.
    fn real_samples(e: Elem) -> Vec<Value> {
        let mut xs: Vec<f64> = vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.5,
            -0.5,
            1.5,
            2.5,
            -2.5,
            3.5,
            0.1,
            1.0 / 3.0,
            100.0,
            -1000.0,
            32_767.5,
            -32_768.5,
            65_535.5,
            2_147_483_520.0,
            2f64.powi(31),
            -2f64.powi(31),
            2f64.powi(32),
            2f64.powi(63),
            -2f64.powi(63),
            2f64.powi(64),
            1e20,
            f32::MAX as f64,
            -(f32::MAX as f64),
            f32::MIN_POSITIVE as f64,
            1e-45,
            -1e-45,
            1e-40,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
        ];
        if e == Elem::LReal {
            xs.extend([
                // Halfway between two single-precision values: LREAL to REAL rounds to even.
                1.0 + 2f64.powi(-24),
                1.0 + 3.0 * 2f64.powi(-24),
                1.5 * 2f64.powi(-149),
                f32::MAX as f64 * (1.0 + 2f64.powi(-25)),
                2f64.powi(53) + 2.0,
                f64::MAX,
                f64::MIN_POSITIVE,
                5e-324,
                1e300,
            ]);
        }
        let mut seed = 0x2545_F491_4F6C_DD1Du64 ^ e.bits() as u64;
        for _ in 0..8 {
            let bits = xorshift(&mut seed);
            xs.push(match e {
                Elem::Real => f32::from_bits(bits as u32) as f64,
                _ => f64::from_bits(bits),
            });
            xs.push((bits >> 40) as i32 as f64 / 1024.0);
        }
        xs.into_iter().map(|x| value::real(e, x)).collect()
    }

    /// The executor's value of `e` and its certain faults, in order, as constants.
    fn evaluate_exactly(p: &Program, e: &Expr) -> (Option<Value>, Vec<Fault>) {
        let mut exec = Executor::new(p, Vec::new(), 0, BV::from_i64(0, 64), Limits { unwind: 4 });
        let v = exec.eval(e, 0);
        let mut faults = Vec::new();
        for site in &exec.faults {
            match site.when.simplify().as_bool() {
                Some(true) => faults.push(site.fault),
                Some(false) => {}
                None => panic!("a fault site that is not constant: {:?}", site.when),
            }
        }
        (constant_value(v), faults)
    }

    /// A term's value where it simplifies to a constant.
    fn constant_value(v: Sym) -> Option<Value> {
        match v {
            Sym::Float(e, x) if x.is_nan().simplify().as_bool() == Some(true) => {
                Some(Value::Real(e, f64::NAN))
            }
            Sym::Float(e, x) => x
                .to_ieee_bv()
                .simplify()
                .as_u64()
                .map(|bits| Value::Real(e, float::value_of_bits(e, bits))),
            Sym::Bool(b) => b.simplify().as_bool().map(Value::Bool),
            Sym::Bits(e, x) => x.simplify().as_u64().map(|bits| match e.category() {
                // A 32-bit TIME counts milliseconds.
                Category::Duration if x.get_size() == TIME_MS_BITS => {
                    Value::Time(e, bits as i128 * value::NS_PER_MS)
                }
                Category::Duration | Category::Date => Value::Time(e, bits as i64 as i128),
                Category::Char => Value::Int(e, bits as i128),
                _ => value::fit(e, bits as i128, true).expect("in range"),
            }),
            _ => None,
        }
    }

    /// Requires the encoder's value and first fault to be `value`'s.
    fn agree(p: &Program, expr: &Expr, expected: Result<Value, Fault>, what: &str) {
        let (got, faults) = evaluate_exactly(p, expr);
        match expected {
            Ok(v) => {
                assert!(
                    faults.is_empty(),
                    "{what}: faults {faults:?} encoded, {v:?} expected"
                );
                let got = got.unwrap_or_else(|| panic!("{what}: no constant value"));
                assert!(same(&got, &v), "{what}: {got:?}, {v:?} expected");
            }
            Err(fault) => assert_eq!(faults.first(), Some(&fault), "{what}"),
        }
    }

    #[test]
    fn real_arithmetic_and_comparisons_mean_what_the_value_module_says() {
        use BinaryOp::*;
        for (dialect, semantics) in dialects() {
            let p = program(semantics);
            for e in [Elem::Real, Elem::LReal] {
                let xs = real_samples(e);
                for a in &xs {
                    for b in &xs {
                        for op in [Add, Sub, Mul, Div, Eq, Ne, Lt, Gt, Le, Ge] {
                            let expr = operation(op, a, b);
                            let expected = value::binary(op, a, b, semantics);
                            agree(
                                &p,
                                &expr,
                                expected,
                                &format!("{dialect}: {a:?} {op:?} {b:?}"),
                            );
                        }
                    }
                    let neg = Expr::Unary(UnaryOp::Neg, Box::new(Expr::Const(a.clone())));
                    agree(&p, &neg, value::negate(a, semantics), &format!("-{a:?}"));
                }
            }
        }
    }

    #[test]
    fn real_conversions_mean_what_the_value_module_says() {
        let targets: Vec<Elem> = INTEGERS
            .iter()
            .copied()
            .chain([Elem::Real, Elem::LReal, Elem::Time, Elem::LTime])
            .collect();
        for (dialect, semantics) in dialects() {
            let p = program(semantics);
            let convert = |a: &Value, to: Elem| {
                let expr = Expr::Convert(to, Box::new(Expr::Const(a.clone())));
                let expected = value::convert_in(a, to, semantics);
                agree(&p, &expr, expected, &format!("{dialect}: {a:?} to {to:?}"));
            };
            // REAL and LREAL to every numeric type and to durations.
            for from in [Elem::Real, Elem::LReal] {
                for a in real_samples(from) {
                    for &to in &targets {
                        convert(&a, to);
                    }
                }
            }
            // Integers to REAL types: one rounding up to 32 bits, two (through f64) beyond;
            // 2^60 + 2^36 + 1 is where the two differ from one.
            let mut wide = vec![
                (1i128 << 53) + 1,
                (1 << 24) + 1,
                (1 << 60) + (1 << 36) + 1,
                -((1 << 60) + (1 << 36) + 1),
            ];
            wide.extend([i64::MAX as i128, i64::MIN as i128]);
            for from in INTEGERS {
                let mut xs = samples(from);
                let (lo, hi) = from.int_range().unwrap();
                xs.extend(
                    wide.iter()
                        .filter(|x| (lo..=hi).contains(*x))
                        .map(|x| Value::Int(from, *x)),
                );
                for a in xs {
                    convert(&a, Elem::Real);
                    convert(&a, Elem::LReal);
                }
            }
            for b in [false, true] {
                convert(&Value::Bool(b), Elem::Real);
                convert(&Value::Bool(b), Elem::LReal);
            }
            for ns in [
                0i128,
                1,
                -1,
                1_500_000,
                -2_500_000_123,
                i64::MAX as i128,
                86_400 * 1_000_000_000,
            ] {
                for from in [Elem::Time, Elem::LTime] {
                    let a = value::represent(Value::Time(from, ns), semantics);
                    convert(&a, Elem::Real);
                    convert(&a, Elem::LReal);
                }
            }
        }
    }

    #[test]
    fn standard_functions_on_reals_mean_what_the_value_module_says() {
        use Builtin::*;
        for (dialect, semantics) in dialects() {
            let p = program(semantics);
            for e in [Elem::Real, Elem::LReal] {
                let xs = real_samples(e);
                let call = |b: Builtin, args: Vec<Value>| {
                    let expr = Expr::Builtin(b, args.iter().cloned().map(Expr::Const).collect());
                    let expected = value::builtins::call(b, &args, 0, semantics);
                    agree(&p, &expr, expected, &format!("{dialect}: {b:?}{args:?}"));
                };
                for a in &xs {
                    call(Abs, vec![a.clone()]);
                    call(Sqrt, vec![a.clone()]);
                    for to in [
                        Elem::SInt,
                        Elem::Int,
                        Elem::DInt,
                        Elem::LInt,
                        Elem::UDInt,
                        Elem::ULInt,
                    ] {
                        call(Trunc(to), vec![a.clone()]);
                    }
                    for b in xs.iter().step_by(3) {
                        call(Max, vec![a.clone(), b.clone()]);
                        call(Min, vec![a.clone(), b.clone()]);
                        call(Max, vec![b.clone(), a.clone(), xs[2].clone()]);
                        call(Limit, vec![b.clone(), a.clone(), xs[12].clone()]);
                        call(Limit, vec![xs[3].clone(), a.clone(), b.clone()]);
                        call(Sel, vec![Value::Bool(true), a.clone(), b.clone()]);
                        call(Sel, vec![Value::Bool(false), a.clone(), b.clone()]);
                    }
                }
            }
        }
    }

    // ---- TIME and LTIME -------------------------------------------------------------------

    /// Durations of every dialect's representations: zero, a nanosecond, a millisecond and a
    /// half, a day, the edges of 32-bit milliseconds and of 64-bit nanoseconds, negatives.
    fn duration_samples(e: Elem, sem: Semantics) -> Vec<Value> {
        let ms32 = (1i128 << 32) * value::NS_PER_MS;
        [
            0i128,
            1,
            1_500_000,
            1_000_000,
            -1,
            -2_500_000_123,
            86_400_000_000_000,
            ms32 - value::NS_PER_MS,
            ms32 - 5 * value::NS_PER_MS,
            ms32,
            i64::MAX as i128,
            i64::MIN as i128,
        ]
        .into_iter()
        .map(|ns| value::represent(Value::Time(e, ns), sem))
        .collect()
    }

    #[test]
    fn durations_mean_what_the_value_module_says_in_every_dialect() {
        use BinaryOp::*;
        for (dialect, semantics) in dialects() {
            let p = program(semantics);
            for e in [Elem::Time, Elem::LTime] {
                let xs = duration_samples(e, semantics);
                for a in &xs {
                    let what = format!("{dialect}: -{a:?}");
                    let neg = Expr::Unary(UnaryOp::Neg, Box::new(Expr::Const(a.clone())));
                    agree(&p, &neg, value::negate(a, semantics), &what);
                    for b in &xs {
                        for op in [Add, Sub, Eq, Ne, Lt, Gt, Le, Ge] {
                            let expr = operation(op, a, b);
                            let expected = value::binary(op, a, b, semantics);
                            agree(
                                &p,
                                &expr,
                                expected,
                                &format!("{dialect}: {a:?} {op:?} {b:?}"),
                            );
                        }
                    }
                    // To and from the other duration, and to and from integers.
                    for to in [
                        Elem::Time,
                        Elem::LTime,
                        Elem::Tod,
                        Elem::DInt,
                        Elem::LInt,
                        Elem::UDInt,
                    ] {
                        let expr = Expr::Convert(to, Box::new(Expr::Const(a.clone())));
                        let expected = value::convert_in(a, to, semantics);
                        agree(&p, &expr, expected, &format!("{dialect}: {a:?} to {to:?}"));
                    }
                    for n in [
                        Value::Int(Elem::DInt, 3),
                        Value::Int(Elem::DInt, -2),
                        Value::Int(Elem::DInt, 0),
                        Value::Int(Elem::UDInt, 4_000_000_000),
                        Value::Int(Elem::LInt, i64::MIN as i128),
                        Value::Int(Elem::ULInt, u64::MAX as i128),
                    ] {
                        for b in [Builtin::MulTime, Builtin::DivTime] {
                            let args = vec![a.clone(), n.clone()];
                            let expected = value::builtins::call(b, &args, 0, semantics);
                            let expr =
                                Expr::Builtin(b, args.into_iter().map(Expr::Const).collect());
                            agree(
                                &p,
                                &expr,
                                expected,
                                &format!("{dialect}: {b:?}({a:?}, {n:?})"),
                            );
                        }
                    }
                }
                for x in [
                    Value::Int(Elem::DInt, -1),
                    Value::Int(Elem::UDInt, u32::MAX as i128),
                    Value::Int(Elem::LInt, 1 << 40),
                    Value::Int(Elem::Int, 1500),
                ] {
                    let expr = Expr::Convert(e, Box::new(Expr::Const(x.clone())));
                    let expected = value::convert_in(&x, e, semantics);
                    agree(&p, &expr, expected, &format!("{dialect}: {x:?} to {e:?}"));
                }
                // The clock read as a duration, at a whole number of the clock's units.
                let unit = clock_unit_ns(semantics);
                for clock in [
                    0i128,
                    1,
                    1500,
                    (1 << 32) - 1,
                    1 << 32,
                    (1 << 32) + 7,
                    1 << 50,
                ] {
                    let now = BV::from_i64(clock as i64, TIME_BITS);
                    let mut exec = Executor::new(&p, Vec::new(), 0, now, Limits { unwind: 4 });
                    let got =
                        constant_value(exec.eval(&Expr::Builtin(Builtin::Now(e), Vec::new()), 0));
                    let expected =
                        value::builtins::call(Builtin::Now(e), &[], clock * unit, semantics);
                    assert_eq!(got, expected.ok(), "{dialect}: {e:?} at clock {clock}");
                }
            }
        }
    }
}
