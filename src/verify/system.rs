//! The program as a transition system over z3 terms: the state between two scans (the memory of
//! the globals, the root instance and its in-outs; the clock; the response monitors), one scan
//! from a state with fresh inputs and a fresh time to the next scan, and what each goal asks of
//! a scan.
//!
//! The memory is laid out by a real [`Machine`], so a slot here is the same slot in the replay.
//! A scan: the environment writes every input (fresh terms, constrained by the spec's
//! assumptions), the root runs at `now`, the clock advances by an `elapsed` time within the
//! spec's cycle range, then the properties are evaluated on the new state.

use super::cone::Cone;
use super::symbolic::{
    self, CaseSite, Executor, FaultSite, Limits, SiteKey, Sym, TIME_BITS, Unsupported, UnwindSite,
    case_key, site_key, unwind_key,
};
use crate::ir::{Program, Ty, Var, VarKind};
use crate::property::{Kind, Properties};
use crate::sim::Machine;
use crate::spec::Within;
use crate::value::Value;
use rustc_hash::FxHashSet as HashSet;
use std::time::Instant;
use z3::ast::{BV, Bool};

/// What a check asks: a property, or that a run-time fault, an unfinished loop or (a warning)
/// a CASE without ELSE matching no branch at one place never happens.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Goal {
    Property(usize),
    Fault(SiteKey),
    Unwind(SiteKey),
    Case(SiteKey),
    /// Every fault and loop site, when they could not be listed (the probe scan ran out of
    /// time): never checked, always `unknown`.
    Sites,
}

/// The most scalars of an output's or a local's array or structure a trace shows (an input's
/// are all shown): a buffer of a hundred values would bury the variables that explain a
/// violation.
pub const SHOWN_ELEMENTS: usize = 16;

/// Each scalar slot of a value of type `ty` at `slot`, in memory order (the order of
/// [`symbolic::each_scalar`]), with its name as a spec names it: `Levels[2]`, `Grid[1,2]`,
/// `Recipe.Speed`, `Timer1.Q`.
fn each_named_scalar(
    program: &Program,
    ty: &Ty,
    slot: usize,
    path: String,
    out: &mut Vec<(usize, String, Ty)>,
) {
    match ty {
        Ty::Array { dims, elem } => {
            let size = elem.size(&program.bodies) as usize;
            let count: i128 = dims.iter().map(|(lo, hi)| (hi - lo + 1).max(0)).product();
            for i in 0..count as usize {
                // Row-major: the last subscript varies fastest.
                let mut rest = i as i128;
                let mut subscripts = vec![String::new(); dims.len()];
                for (d, (lo, hi)) in dims.iter().enumerate().rev() {
                    let len = hi - lo + 1;
                    subscripts[d] = (lo + rest % len).to_string();
                    rest /= len;
                }
                let name = format!("{path}[{}]", subscripts.join(","));
                each_named_scalar(program, elem, slot + i * size, name, out);
            }
        }
        Ty::Struct(fields) => {
            for field in fields {
                let name = format!("{path}.{}", field.name);
                each_named_scalar(program, &field.ty, slot + field.offset as usize, name, out);
            }
        }
        Ty::Instance(body) => {
            for var in &program.body(*body).vars {
                let name = format!("{path}.{}", var.name);
                each_named_scalar(program, &var.ty, slot + var.offset as usize, name, out);
            }
        }
        _ => out.push((slot, path, ty.clone())),
    }
}

/// The state between two scans.
#[derive(Clone)]
pub struct State {
    pub memory: Vec<Sym>,
    /// The time of the next scan.
    pub now: BV,
    /// Per response property: waiting for its response, and what is left of its window (scans
    /// or nanoseconds).
    pub monitors: Vec<Option<(Bool, BV)>>,
}

/// One scan, encoded.
pub struct Scan {
    pub next: State,
    /// Each input slot's fresh term.
    pub inputs: Vec<(usize, Sym)>,
    /// The time from this scan to the next, in units of the clock (`clock_unit_ns`).
    pub elapsed: BV,
    /// Nanoseconds per unit of `elapsed` and of the clock.
    pub clock_unit_ns: i128,
    /// The spec's assumptions on this scan's inputs, and the cycle range.
    pub assume: Bool,
    pub faults: Vec<FaultSite>,
    pub unwinds: Vec<UnwindSite>,
    pub cases: Vec<CaseSite>,
    /// Per property: it holds after this scan.
    pub good: Vec<Bool>,
    /// The deadline passed while the scan was encoded: its terms are incomplete and must not
    /// be used.
    pub out_of_time: bool,
}

impl Scan {
    /// The scan finished: no fault, no loop beyond its unrolling. In a check of a `cone`, only
    /// its sites count.
    pub fn finished(&self, cone: Option<&Cone>) -> Bool {
        let checked = |key: &SiteKey| cone.is_none_or(|c| c.checks(key));
        let stops: Vec<&Bool> = self
            .faults
            .iter()
            .filter(|f| checked(&site_key(f)))
            .map(|f| &f.when)
            .chain(
                self.unwinds
                    .iter()
                    .filter(|u| checked(&unwind_key(u)))
                    .map(|u| &u.when),
            )
            .collect();
        Bool::or(&stops).not()
    }

    /// When the goal fails in this scan (for a property: after the scan finished).
    pub fn bad(&self, goal: &Goal, cone: Option<&Cone>) -> Bool {
        match goal {
            Goal::Property(_) => Bool::and(&[&self.finished(cone), &self.failure(goal)]),
            _ => self.failure(goal),
        }
    }

    /// The goal's own failure condition: the property is false after the scan, the site's
    /// fault or loop or CASE happens.
    pub fn failure(&self, goal: &Goal) -> Bool {
        let at = |whens: Vec<&Bool>| Bool::or(&whens);
        match goal {
            Goal::Property(p) => self.good[*p].not(),
            Goal::Fault(key) => at(self
                .faults
                .iter()
                .filter(|f| site_key(f) == *key)
                .map(|f| &f.when)
                .collect()),
            Goal::Unwind(key) => at(self
                .unwinds
                .iter()
                .filter(|u| unwind_key(u) == *key)
                .map(|u| &u.when)
                .collect()),
            Goal::Case(key) => at(self
                .cases
                .iter()
                .filter(|c| case_key(c) == *key)
                .map(|c| &c.when)
                .collect()),
            Goal::Sites => Bool::from_bool(false),
        }
    }
}

/// Marks the slots of `var` (at `offset`) that belong to a `CONSTANT` variable: all of it if it
/// is one, else its instances' constants, nested ones and those of array elements included.
fn mark_constants(program: &Program, var: &Var, offset: usize, constant: &mut [bool]) {
    // A `VAR_INPUT CONSTANT` of an instance holds what its caller last passed.
    if var.constant && matches!(var.kind, VarKind::Local | VarKind::Global) {
        let mut slots = Vec::new();
        symbolic::each_scalar(program, &var.ty, offset, &mut slots);
        for (slot, _) in slots {
            constant[slot] = true;
        }
        return;
    }
    let mut ty = &var.ty;
    let mut count = 1;
    while let Ty::Array { dims, elem } = ty {
        count *= dims
            .iter()
            .map(|(lo, hi)| (hi - lo + 1).max(0))
            .product::<i128>() as usize;
        ty = elem;
    }
    if let Ty::Instance(body) = ty {
        let size = ty.size(&program.bodies) as usize;
        for i in 0..count {
            for member in &program.body(*body).vars {
                mark_constants(
                    program,
                    member,
                    offset + i * size + member.offset as usize,
                    constant,
                );
            }
        }
    }
}

/// The program and its properties as a transition system.
pub struct System<'p> {
    pub program: &'p Program,
    pub properties: Option<&'p Properties>,
    pub limits: Limits,
    /// The memory of a machine before its first scan.
    pub init: Vec<Value>,
    pub root: usize,
    /// Slots the environment writes before every scan, and their names.
    pub inputs: Vec<(usize, String)>,
    /// The scalar slots of the root's own variables traces show, by name (`Levels[2]`,
    /// `Recipe.Speed` for an element or a field) and kind: every input's, and the outputs' and
    /// locals' but for function block instances and arrays or structures of more than
    /// [`SHOWN_ELEMENTS`] scalars.
    pub named: Vec<(usize, String, VarKind, Ty)>,
    /// Enumeration slots and their values (a state must hold one of them).
    enums: Vec<(usize, Vec<i128>)>,
    /// Whether each slot belongs to a `CONSTANT` variable: it holds its initial value in every
    /// state, an arbitrary one included.
    constant: Vec<bool>,
    pub cycle_range_ns: (i128, i128),
    pub cycle_ns: i128,
    /// Some variable of the program (a global, or any variable or temporary of any POU) is a
    /// REAL or LREAL: its queries go to the solver for floating point.
    pub floats: bool,
}

impl<'p> System<'p> {
    pub fn new(
        program: &'p Program,
        properties: Option<&'p Properties>,
        cycle_ns: i128,
        cycle_range_ns: (i128, i128),
        limits: Limits,
    ) -> System<'p> {
        let machine = Machine::new(program, cycle_ns);
        let init = machine.memory().to_vec();
        let root = machine.root_slot();
        let mut named = Vec::new();
        let mut inputs = Vec::new();
        for var in &program.root().vars {
            let mut slots = Vec::new();
            let (ty, base) = match &var.ty {
                // The root's in-outs are the environment's: their storage is what it writes.
                Ty::InOut(inner) => match init[root + var.offset as usize] {
                    Value::Address(a) => (inner.as_ref(), a as usize),
                    _ => continue,
                },
                ty => (ty, root + var.offset as usize),
            };
            each_named_scalar(program, ty, base, var.name.to_string(), &mut slots);
            let input = matches!(var.kind, VarKind::Input | VarKind::InOut);
            // Every element of an input is shown, as a test must set it; of another array or
            // structure, up to `SHOWN_ELEMENTS`; a function block instance's state is not.
            let shown = input
                || ty.is_scalar()
                || (!matches!(ty, Ty::Instance(_)) && slots.len() <= SHOWN_ELEMENTS);
            for (slot, name, slot_ty) in slots {
                if input {
                    inputs.push((slot, name.clone()));
                }
                if shown {
                    named.push((slot, name, var.kind, slot_ty));
                }
            }
        }
        let mut enums = Vec::new();
        let mut all = Vec::new();
        for var in &program.globals {
            symbolic::each_scalar(program, &var.ty, var.offset as usize, &mut all);
        }
        for var in &program.root().vars {
            symbolic::each_scalar(program, &var.ty, root + var.offset as usize, &mut all);
        }
        for (slot, ty) in all {
            if let Ty::Enum { values, .. } = ty {
                enums.push((slot, values.iter().map(|(_, v)| *v).collect()));
            }
        }
        let mut constant = vec![false; init.len()];
        for var in &program.globals {
            mark_constants(program, var, var.offset as usize, &mut constant);
        }
        for var in &program.root().vars {
            mark_constants(program, var, root + var.offset as usize, &mut constant);
        }
        let floats = program
            .bodies
            .iter()
            .flat_map(|b| &b.init)
            .chain(&program.globals_init)
            .any(|v| matches!(v, Value::Real(..)));
        System {
            program,
            properties,
            limits,
            floats,
            init,
            root,
            inputs,
            named,
            enums,
            constant,
            cycle_range_ns,
            cycle_ns,
        }
    }

    /// Per property, the window of its response monitor (`None` for an invariant).
    pub fn windows(&self) -> Vec<Option<Window>> {
        self.properties
            .into_iter()
            .flat_map(|p| &p.properties)
            .map(|p| match &p.kind {
                Kind::Response { within, .. } => Some(self.window(within)),
                Kind::Invariant(_) => None,
            })
            .collect()
    }

    /// A response's window as the monitor counts it. With a fixed cycle `c` every scan is `c`
    /// after the previous one, so a window of `W` ends in the same scan as one of `W / c`
    /// (rounded down) scans: the trigger's scan is missed when `c > W`, the `j`-th scan after
    /// it when `(j + 1) c > W`. Counted in scans, every window left an induction may start from
    /// is one a run can reach; counted in nanoseconds, a window left of 50 ms at a 100 ms cycle
    /// is unreachable yet breaks the inductive step.
    fn window(&self, within: &Within) -> Window {
        let (min, max) = self.cycle_range_ns;
        match within {
            Within::Scans(n) => Window::Scans(*n as i64),
            Within::Time(ns) if min == max && min > 0 && *ns >= 0 => {
                Window::Scans((*ns / min) as i64)
            }
            // In units of the clock, which only ever reads whole units.
            Within::Time(ns) => {
                Window::Time(ns.div_euclid(symbolic::clock_unit_ns(self.program.semantics)) as i64)
            }
        }
    }

    /// The state before the first scan.
    pub fn initial(&self) -> State {
        State {
            memory: self
                .init
                .iter()
                .map(|v| symbolic::constant(v, self.program.semantics))
                .collect(),
            now: BV::from_i64(0, TIME_BITS),
            monitors: self
                .windows()
                .into_iter()
                .map(|w| w.map(|w| (Bool::from_bool(false), BV::from_i64(0, w.bits()))))
                .collect(),
        }
    }

    /// An arbitrary state (every slot a fresh term named `tag`…), and what makes it one the
    /// program could be in at all: enumerations hold one of their values, and the monitor of
    /// property `bounded` (if any) has its window within its bound. Only the goal's own monitor
    /// is bounded: on a path where that property held its window stays within the bound, but
    /// another property's monitor may be overdue after that property's violation, and the
    /// invariants may tie a monitor's window to the memory.
    pub fn arbitrary(&self, tag: &str, bounded: Option<usize>) -> (State, Bool) {
        let memory: Vec<Sym> = self
            .init
            .iter()
            .enumerate()
            .map(|(i, v)| match self.constant[i] {
                true => symbolic::constant(v, self.program.semantics),
                false => symbolic::fresh(v, &format!("{tag}_m{i}"), self.program.semantics),
            })
            .collect();
        let mut valid = Vec::new();
        for (slot, _) in &self.enums {
            valid.extend(self.enum_values(*slot, &memory[*slot]));
        }
        let monitors = self
            .windows()
            .into_iter()
            .enumerate()
            .map(|(i, w)| {
                w.map(|window| {
                    let bits = window.bits();
                    let left = BV::new_const(format!("{tag}_left{i}"), bits);
                    let bound = window.length();
                    if bounded == Some(i) {
                        valid.push(left.bvsle(BV::from_i64(bound, bits)));
                        valid.push(left.bvsge(BV::from_i64(0, bits)));
                    }
                    (Bool::new_const(format!("{tag}_pending{i}")), left)
                })
            })
            .collect();
        let state = State {
            memory,
            now: BV::new_const(format!("{tag}_now"), TIME_BITS),
            monitors,
        };
        (state, Bool::and(&valid))
    }

    /// That an enumeration slot holds one of its values (nothing for other slots).
    fn enum_values(&self, slot: usize, term: &Sym) -> Option<Bool> {
        let (_, values) = self.enums.iter().find(|(s, _)| *s == slot)?;
        let Sym::Bits(_, x) = term else {
            return None;
        };
        let w = x.get_size();
        let any: Vec<Bool> = values
            .iter()
            .map(|v| x.eq(BV::from_i64(*v as i64, w)))
            .collect();
        Some(Bool::or(&any))
    }

    /// One scan from `state`, with inputs named after scan `n`, encoded by `deadline` (or
    /// marked [`Scan::out_of_time`]).
    pub fn scan(
        &self,
        state: &State,
        n: usize,
        deadline: Instant,
    ) -> (Scan, Vec<Unsupported>, Vec<&'static str>) {
        self.scan_stopping(state, n, deadline, None)
    }

    /// [`System::scan`] where only the faults at the `stopping` sites (if given) stop the scan;
    /// after any other the code runs on, with whatever value the faulting operation gave. Its
    /// runs are the program's and more.
    pub fn scan_stopping(
        &self,
        state: &State,
        n: usize,
        deadline: Instant,
        stopping: Option<&HashSet<SiteKey>>,
    ) -> (Scan, Vec<Unsupported>, Vec<&'static str>) {
        let mut memory = state.memory.clone();
        let mut inputs = Vec::with_capacity(self.inputs.len());
        for (slot, name) in &self.inputs {
            let term = symbolic::fresh(
                &self.init[*slot],
                &format!("in{n}_{name}"),
                self.program.semantics,
            );
            memory[*slot] = term.clone();
            inputs.push((*slot, term));
        }
        // The clock counts milliseconds where TIME does: a cycle must be a whole number of them
        // for the clock to advance as the simulator's does.
        let unit = symbolic::clock_unit_ns(self.program.semantics);
        let (min, max) = self.cycle_range_ns;
        let whole = min % unit == 0 && max % unit == 0;
        let (min, max) = (min / unit, max / unit);
        // A fixed cycle is a constant: z3 folds the clock instead of searching for it.
        let elapsed = if min == max {
            BV::from_i64(min as i64, TIME_BITS)
        } else {
            BV::new_const(format!("elapsed{n}"), TIME_BITS)
        };
        let mut assume = vec![
            elapsed.bvsge(BV::from_i64(min as i64, TIME_BITS)),
            elapsed.bvsle(BV::from_i64(max as i64, TIME_BITS)),
        ];
        // An enumeration input holds one of its values, as every value a test can set does.
        for (slot, term) in &inputs {
            assume.extend(self.enum_values(*slot, term));
        }
        let mut exec = Executor::new(
            self.program,
            memory,
            self.root,
            state.now.clone(),
            self.limits,
        );
        exec.deadline = Some(deadline);
        exec.stopping = stopping.cloned();
        if !whole {
            exec.unsupported.push(Unsupported {
                file: self.program.root().file,
                span: Default::default(),
                what: "a cycle time that is not a whole number of milliseconds, in a dialect \
                       whose TIME counts milliseconds"
                    .to_string(),
            });
        }
        if let Some(properties) = self.properties {
            if properties.prev {
                // `PREV` reads the state before this scan's inputs were written.
                exec.previous = Some(state.memory.clone());
            }
            for (e, _) in &properties.assumptions {
                assume.push(exec.condition(&properties.exprs[*e]));
            }
        }
        exec.scan();
        let now_after = state.now.bvadd(&elapsed);
        let mut good = Vec::new();
        let mut monitors = Vec::new();
        if let Some(properties) = self.properties {
            for (p, property) in properties.properties.iter().enumerate() {
                match &property.kind {
                    Kind::Invariant(e) => {
                        good.push(exec.condition(&properties.exprs[*e]));
                        monitors.push(None);
                    }
                    Kind::Response {
                        when, then, within, ..
                    } => {
                        let (pending, left) = state.monitors[p].clone().expect("a monitor");
                        let when = exec.condition(&properties.exprs[*when]);
                        let then = exec.condition(&properties.exprs[*then]);
                        let window = self.window(within);
                        let (next, ok) = respond(&pending, &left, &when, &then, window, &elapsed);
                        good.push(ok);
                        monitors.push(Some(next));
                    }
                }
            }
        }
        let scan = Scan {
            next: State {
                memory: exec.memory[..self.init.len()].to_vec(),
                now: now_after,
                monitors,
            },
            inputs,
            elapsed,
            clock_unit_ns: unit,
            assume: Bool::and(&assume),
            faults: std::mem::take(&mut exec.faults),
            unwinds: std::mem::take(&mut exec.unwinds),
            cases: std::mem::take(&mut exec.cases),
            good,
            out_of_time: exec.out_of_time,
        };
        (scan, exec.unsupported, exec.approximations)
    }
}

/// A response monitor after one scan, as `property::Monitor` defines it: a trigger starts the
/// window (unless one is open), the response closes it, and the window is missed when the
/// response has not come and the next scan lies beyond it. Returns the monitor's next state and
/// whether the property holds after this scan.
fn respond(
    pending: &Bool,
    left: &BV,
    when: &Bool,
    then: &Bool,
    window: Window,
    elapsed: &BV,
) -> ((Bool, BV), Bool) {
    let trigger = Bool::and(&[&pending.not(), when]);
    let open = Bool::or(&[pending, &trigger]);
    let bits = window.bits();
    let left = trigger.ite(&BV::from_i64(window.length(), bits), left);
    let (missed, next_left) = match window {
        // Scans left after this one: missed when none is.
        Window::Scans(_) => (
            left.eq(BV::from_i64(0, bits)),
            left.bvsub(BV::from_i64(1, bits)),
        ),
        // Time left at the next scan: missed when it is negative.
        Window::Time(_) => (elapsed.bvsgt(&left), left.bvsub(elapsed)),
    };
    let waiting = Bool::and(&[&open, &then.not()]);
    let violated = Bool::and(&[&waiting, &missed]);
    (
        (
            waiting.clone(),
            waiting.ite(&next_left, &BV::from_i64(0, bits)),
        ),
        violated.not(),
    )
}

/// What a response monitor counts down: scans, or nanoseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Window {
    Scans(i64),
    Time(i64),
}

impl Window {
    pub fn length(self) -> i64 {
        match self {
            Window::Scans(n) | Window::Time(n) => n,
        }
    }

    /// The width of the count: nanoseconds are the clock's; scans need only their number's
    /// bits and a sign, and a narrow count keeps z3's arithmetic on it small (the clock
    /// invariants multiply it by the cycle).
    pub fn bits(self) -> u32 {
        match self {
            Window::Time(_) => TIME_BITS,
            Window::Scans(n) => (66 - n.max(1).leading_zeros()).min(TIME_BITS),
        }
    }
}

/// Equalities binding the fresh terms of `to` to the terms of `from`: all of them, or those of
/// a `cone` (the others stay unconstrained).
pub fn bind(to: &State, from: &State, cone: Option<&Cone>) -> Bool {
    let mut eqs = Vec::new();
    for (slot, (a, b)) in to.memory.iter().zip(&from.memory).enumerate() {
        if cone.is_some_and(|c| !c.has_slot(slot)) {
            continue;
        }
        match (a, b) {
            (Sym::Bool(x), Sym::Bool(y)) => eqs.push(x.iff(y)),
            (Sym::Bits(_, x), Sym::Bits(_, y)) if x.get_size() == y.get_size() => eqs.push(x.eq(y)),
            // The same value (SMT equality: NaN is NaN, -0.0 is not 0.0), not IEEE `=`.
            (Sym::Float(_, x), Sym::Float(_, y)) => eqs.push(x.eq(y)),
            _ => {}
        }
    }
    if cone.is_none_or(|c| c.has_now()) {
        eqs.push(to.now.eq(&from.now));
    }
    for (i, (a, b)) in to.monitors.iter().zip(&from.monitors).enumerate() {
        if let (Some((p, l)), Some((q, m))) = (a, b)
            && cone.is_none_or(|c| c.has_monitor(i))
        {
            eqs.push(p.iff(q));
            eqs.push(l.eq(m));
        }
    }
    Bool::and(&eqs)
}
