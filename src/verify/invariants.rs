//! Invariants that let k-induction close over timers (Houdini).
//!
//! k-induction starts from an arbitrary state, and an arbitrary state of a timer program is
//! mostly unreachable: a step variable in a step whose timer is not running, a timer that
//! started in the future, a response monitor whose window has nothing to do with the timer that
//! ends it. Such states make the inductive step fail at every k (a timer that started 2^63 ns in
//! the future never fires). Houdini removes them soundly: templates over the state between two
//! scans give candidate facts, every candidate that does not hold in the initial state is
//! dropped, then, repeatedly, every candidate that one scan from a state satisfying all the
//! remaining ones can break is dropped. What survives is an inductive invariant: it holds in
//! every state reachable by scans that finish (the runs every goal is judged on), so each state
//! of the induction chain may assume it. A candidate never becomes a fact by being tested;
//! only the final unsatisfiable check makes the set an invariant, and a check that runs out of
//! time leaves no invariant at all.
//!
//! The templates (over the state *between* scans: memory, the time of the next scan `now`, and
//! the response monitors):
//! - *literals* of the step logic: a BOOL slot, `slot = c` for an integer slot and each value
//!   `c` it is ever assigned (the leaves of its next-state term), a monitor waiting; units and
//!   implications between two of them, and "the slot holds one of its values";
//! - *clock*: while a monitor with a window of `W` ns waits, the time left of it plus the time
//!   since a *stamp* (a TIME slot that stores the clock, like a timer's `T_START`) is `W`: the
//!   timer measures the monitor's window (an equality, so wrap-around of the 64-bit clock, or of
//!   a 32-bit millisecond TIME stamp, keeps it true). A window counted in scans (a TIME window
//!   at a fixed cycle is one, see `System::window`) is converted by the cycle;
//! - *bounds* of a monitor's window left (`0 ..= W`);
//! - *ranges* of an integer slot: `slot >= c` and `slot <= c` (and `c - 1`: `(x + 1) MOD 5`
//!   stays at most 4) for each constant `c` its next-state term holds, a counter's limit or a
//!   ring index's modulus; of a REAL slot: `slot >= c` and `slot <= c` for each REAL constant
//!   of the spec's assumptions (a buffer of input values keeps the inputs' limits);
//! - *finite* REAL slots (neither infinite nor NaN) whose next value takes a few operations: a
//!   totalizer that adds bounded amounts never overflows, as rounding absorbs what no longer
//!   fits (the arithmetic of a longer computation would slow every query of the search).
//!
//! The search runs over the cone of the candidates (`super::cone`): a step logic that also
//! filters REALs is searched without them.

use super::cone::Cone;
use super::engine::check_until;
use super::float;
use super::symbolic::{self, Sym};
use super::system::{State, System, Window, bind};
use crate::sema::types::{Category, Elem};
use crate::value::Semantics;
use std::collections::HashSet;
use std::time::Instant;
use z3::ast::{Ast, BV, Bool, Dynamic};
use z3::{AstKind, DeclKind};

/// Atoms of the step logic, at most this many (the implications grow with its square).
const MAX_ATOMS: usize = 40;
/// An integer slot assigned more values than this is a counter, not a step.
const MAX_VALUES: usize = 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Atom {
    Bool(usize),
    /// `slot = value`, in the slot's width.
    Equals(usize, u64),
    /// The response monitor of property `p` waits.
    Waiting(usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Literal {
    atom: Atom,
    positive: bool,
}

/// A template instance: a fact about the state between two scans.
#[derive(Clone, Debug)]
pub enum Candidate {
    Holds(Literal),
    Implies(Literal, Literal),
    OneOf(usize, Vec<u64>),
    /// Property `monitor` waits ⇒ its window left × `scale` + (now − stamp) = `total` (the
    /// window in units of the clock; `scale` is 1 for a window counted in the clock's units,
    /// the cycle for one counted in scans), modulo 2^(the stamp's width), now read as a TIME
    /// (`sem` says how).
    Clock {
        monitor: usize,
        stamp: usize,
        scale: i64,
        total: i64,
        sem: Semantics,
    },
    /// 0 <= window left <= its length.
    Bounded {
        monitor: usize,
        length: i64,
    },
    /// `slot <= value` (`upper`) or `slot >= value`, compared as the slot's type compares.
    Range {
        slot: usize,
        value: i64,
        upper: bool,
    },
    /// The same for a REAL or LREAL slot (IEEE comparison: a NaN is in no range).
    RealRange {
        slot: usize,
        value: f64,
        upper: bool,
    },
    /// A REAL or LREAL slot is neither infinite nor NaN.
    Finite(usize),
}

impl Candidate {
    /// The fact as a term over `state`.
    pub fn term(&self, state: &State) -> Bool {
        match self {
            Candidate::Holds(l) => literal(l, state),
            Candidate::Implies(a, b) => literal(a, state).implies(literal(b, state)),
            Candidate::OneOf(slot, values) => Bool::or(
                &values
                    .iter()
                    .map(|v| equals(state, *slot, *v))
                    .collect::<Vec<_>>(),
            ),
            Candidate::Clock {
                monitor,
                stamp,
                scale,
                total,
                sem,
            } => {
                let (waiting, left) = monitor_of(state, *monitor);
                let Sym::Bits(_, start) = &state.memory[*stamp] else {
                    return Bool::from_bool(true);
                };
                let w = start.get_size();
                let since = symbolic::now_as(Elem::Time, &state.now, *sem).bvsub(start);
                // A count of scans is narrow: widened with its sign (or cut to the stamp's
                // width: the equality holds modulo 2^w), then scaled.
                let wide = if left.get_size() < w {
                    left.sign_ext(w - left.get_size())
                } else {
                    left.extract(w - 1, 0)
                };
                let left = wide.bvmul(BV::from_i64(*scale, w));
                waiting.implies(left.bvadd(&since).eq(BV::from_i64(*total, w)))
            }
            Candidate::Range { slot, value, upper } => {
                let Sym::Bits(e, x) = &state.memory[*slot] else {
                    return Bool::from_bool(true);
                };
                let c = BV::from_i64(*value, x.get_size());
                match (e.category() == Category::Signed, upper) {
                    (true, true) => x.bvsle(&c),
                    (true, false) => x.bvsge(&c),
                    (false, true) => x.bvule(&c),
                    (false, false) => x.bvuge(&c),
                }
            }
            Candidate::RealRange { slot, value, upper } => {
                let Sym::Float(e, x) = &state.memory[*slot] else {
                    return Bool::from_bool(true);
                };
                let c = float::constant(*e, *value);
                if *upper { x.le(&c) } else { x.ge(&c) }
            }
            Candidate::Finite(slot) => match &state.memory[*slot] {
                Sym::Float(_, x) => Bool::or(&[x.is_infinite(), x.is_nan()]).not(),
                _ => Bool::from_bool(true),
            },
            Candidate::Bounded { monitor, length } => {
                let (_, left) = monitor_of(state, *monitor);
                let bits = left.get_size();
                Bool::and(&[
                    left.bvsge(BV::from_i64(0, bits)),
                    left.bvsle(BV::from_i64(*length, bits)),
                ])
            }
        }
    }
}

fn monitor_of(state: &State, monitor: usize) -> (Bool, BV) {
    state.monitors[monitor]
        .clone()
        .expect("a candidate names a response monitor")
}

fn equals(state: &State, slot: usize, value: u64) -> Bool {
    match &state.memory[slot] {
        Sym::Bits(_, x) => x.eq(BV::from_u64(value, x.get_size())),
        _ => Bool::from_bool(false),
    }
}

fn literal(l: &Literal, state: &State) -> Bool {
    let atom = match l.atom {
        Atom::Bool(slot) => match &state.memory[slot] {
            Sym::Bool(b) => b.clone(),
            _ => Bool::from_bool(false),
        },
        Atom::Equals(slot, value) => equals(state, slot, value),
        Atom::Waiting(p) => monitor_of(state, p).0,
    };
    if l.positive { atom } else { atom.not() }
}

/// The invariants found, and whether the search finished (a search that ran out of time finds
/// none).
pub struct Found {
    pub invariants: Vec<Candidate>,
    pub reason: Option<String>,
}

/// Runs Houdini on the templates of `system` until `deadline`.
pub fn discover(system: &System<'_>, deadline: Instant) -> Found {
    let Some(candidates) = candidates(system, deadline) else {
        return none(ENCODING_TIMEOUT);
    };
    if candidates.is_empty() {
        return Found {
            invariants: Vec::new(),
            reason: None,
        };
    }
    // Initiation: the initial state is constant, so each candidate simplifies to true or false.
    let initial = system.initial();
    let alive: Vec<Candidate> = candidates
        .into_iter()
        .filter(|c| c.term(&initial).simplify().as_bool() == Some(true))
        .collect();
    // Consecution: one scan that finishes, from any state satisfying the candidates left;
    // over their cone, where it leaves something out.
    let cone = Cone::around(system, deadline, |state, _| {
        alive.iter().map(|c| c.term(state)).collect()
    });
    let (before, valid) = system.arbitrary("h0", None);
    let stopping = cone.as_ref().map(Cone::stopping);
    let (scan, _, _) = system.scan_stopping(&before, 1, deadline, stopping);
    if scan.out_of_time {
        return none(ENCODING_TIMEOUT);
    }
    let (after, _) = system.arbitrary("h1", None);
    let transition = [
        valid,
        scan.assume.clone(),
        scan.finished(cone.as_ref()),
        bind(&after, &scan.next, cone.as_ref()),
    ];
    let pres: Vec<Bool> = alive.iter().map(|c| c.term(&before)).collect();
    let posts: Vec<Bool> = alive.iter().map(|c| c.term(&after)).collect();
    let mut live: Vec<usize> = (0..alive.len()).collect();
    while !live.is_empty() {
        let mut facts = transition.to_vec();
        facts.extend(live.iter().map(|i| pres[*i].clone()));
        let all: Vec<&Bool> = live.iter().map(|i| &posts[*i]).collect();
        match check_until(&facts, &Bool::and(&all).not(), deadline, 1, system.floats) {
            Err(reason) => return none(&format!("the invariants were not found: {reason}")),
            Ok(None) => break,
            Ok(Some(model)) => {
                let before = live.len();
                live.retain(|i| {
                    model.eval(&posts[*i], true).and_then(|b| b.as_bool()) != Some(false)
                });
                if live.len() == before {
                    // A model of their negated conjunction breaks one of them: never loop.
                    return none("the invariant search did not converge");
                }
            }
        }
    }
    let keep: HashSet<usize> = live.into_iter().collect();
    let invariants = alive
        .into_iter()
        .enumerate()
        .filter(|(i, _)| keep.contains(i))
        .map(|(_, c)| c)
        .collect();
    Found {
        invariants,
        reason: None,
    }
}

fn none(reason: &str) -> Found {
    Found {
        invariants: Vec::new(),
        reason: Some(reason.to_string()),
    }
}

const ENCODING_TIMEOUT: &str =
    "the invariants were not found: the time limit was reached while encoding the program";

/// The templates' instances for `system`; `None` if the scan could not be encoded by
/// `deadline`.
fn candidates(system: &System<'_>, deadline: Instant) -> Option<Vec<Candidate>> {
    let (probe, _) = system.arbitrary("inv", None);
    let (scan, _, _) = system.scan(&probe, 0, deadline);
    if scan.out_of_time {
        return None;
    }
    let inputs: HashSet<usize> = system.inputs.iter().map(|(slot, _)| *slot).collect();
    // A stamp stores the clock as a TIME (its low 32 bits where TIME counts milliseconds).
    let sem = system.program.semantics;
    let now_time = symbolic::now_as(Elem::Time, &probe.now, sem);
    let now = Dynamic::from_ast(&now_time);
    let mut steps: Vec<(usize, Vec<u64>)> = Vec::new();
    let mut bools: Vec<usize> = Vec::new();
    let mut stamps: Vec<usize> = Vec::new();
    let mut ranges: Vec<Candidate> = Vec::new();
    let limits = real_limits(&scan.assume);
    for (slot, next) in scan.next.memory.iter().enumerate() {
        if inputs.contains(&slot) {
            continue;
        }
        match (next, symbolic::constant(&system.init[slot], sem)) {
            (Sym::Bool(_), _) => bools.push(slot),
            // A slot that stores values (inputs, constants, other slots) and computes none: a
            // computed REAL has no reason to stay within an input's limits, and would bring
            // its arithmetic into every query of the search.
            (Sym::Float(_, x), _) => {
                let next = Dynamic::from_ast(x);
                if stores_only(&next) {
                    for &value in &limits {
                        for upper in [false, true] {
                            ranges.push(Candidate::RealRange { slot, value, upper });
                        }
                    }
                }
                if real_operations(&next) <= MAX_REAL_OPERATIONS {
                    ranges.push(Candidate::Finite(slot));
                }
            }
            (Sym::Bits(_, x), Sym::Bits(_, init)) => {
                let leaves = ite_leaves(&Dynamic::from_ast(x));
                if x.get_size() == now_time.get_size() && leaves.contains(&now) {
                    stamps.push(slot);
                } else if x.get_size() <= 32 {
                    let mut values: Vec<u64> = init.as_u64().into_iter().collect();
                    for l in &leaves {
                        if l.kind() == AstKind::Numeral
                            && let Some(v) = l.as_bv().and_then(|b| b.as_u64())
                            && !values.contains(&v)
                        {
                            values.push(v);
                        }
                    }
                    if values.len() >= 2 && values.len() <= MAX_VALUES {
                        values.sort_unstable();
                        steps.push((slot, values));
                    }
                    ranges.extend(range_candidates(slot, x, init.as_u64()));
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    let mut atoms: Vec<Atom> = Vec::new();
    let monitors: Vec<(usize, Window)> = system
        .windows()
        .into_iter()
        .enumerate()
        .filter_map(|(p, w)| w.map(|w| (p, w)))
        .collect();
    for (p, _) in &monitors {
        atoms.push(Atom::Waiting(*p));
    }
    for (slot, values) in &steps {
        out.push(Candidate::OneOf(*slot, values.clone()));
        atoms.extend(values.iter().map(|v| Atom::Equals(*slot, *v)));
    }
    atoms.extend(bools.iter().map(|s| Atom::Bool(*s)));
    atoms.truncate(MAX_ATOMS);
    let same_slot = |a: &Atom, b: &Atom| match (a, b) {
        (Atom::Equals(x, _), Atom::Equals(y, _)) => x == y,
        _ => false,
    };
    for (i, a) in atoms.iter().enumerate() {
        for positive in [true, false] {
            out.push(Candidate::Holds(Literal { atom: *a, positive }));
        }
        for b in &atoms[i + 1..] {
            if same_slot(a, b) {
                continue;
            }
            for (pa, pb) in [(true, true), (true, false), (false, true), (false, false)] {
                out.push(Candidate::Implies(
                    Literal {
                        atom: *a,
                        positive: pa,
                    },
                    Literal {
                        atom: *b,
                        positive: pb,
                    },
                ));
            }
        }
    }
    out.extend(ranges);
    let unit = symbolic::clock_unit_ns(sem);
    let (min, max) = system.cycle_range_ns;
    let (min, max) = (min / unit, max / unit);
    for (monitor, window) in &monitors {
        out.push(Candidate::Bounded {
            monitor: *monitor,
            length: window.length(),
        });
        // The window in units of the clock, where the clock measures it.
        let scale = match window {
            Window::Time(_) => 1,
            Window::Scans(_) if min == max && min > 0 => min as i64,
            Window::Scans(_) => continue,
        };
        for stamp in &stamps {
            out.push(Candidate::Clock {
                monitor: *monitor,
                stamp: *stamp,
                scale,
                total: window.length().saturating_mul(scale),
                sem,
            });
        }
    }
    Some(out)
}

/// The most constants of one next-state term that give range candidates.
const MAX_LIMITS: usize = 8;

/// `slot >= c`, `slot <= c` and `slot <= c - 1` for the slot's initial value `init` and the
/// constants `c` in its next-state term `next` (of at most 32 bits), read as its type reads
/// them.
fn range_candidates(slot: usize, next: &BV, init: Option<u64>) -> Vec<Candidate> {
    let w = next.get_size();
    let signed = |v: u64| match w {
        64 => v as i64,
        _ if v >> (w - 1) & 1 == 1 => v as i64 - (1i64 << w),
        _ => v as i64,
    };
    let mut limits: Vec<i64> = init.map(signed).into_iter().collect();
    let mut seen: HashSet<Dynamic> = HashSet::new();
    let mut stack = vec![Dynamic::from_ast(next)];
    while let Some(t) = stack.pop() {
        if limits.len() >= MAX_LIMITS || seen.len() > 10_000 || !seen.insert(t.clone()) {
            continue;
        }
        if t.kind() == AstKind::Numeral {
            if let Some(v) = t
                .as_bv()
                .filter(|b| b.get_size() == w)
                .and_then(|b| b.as_u64())
                && !limits.contains(&signed(v))
            {
                limits.push(signed(v));
            }
        } else if t.kind() == AstKind::App {
            stack.extend(t.children());
        }
    }
    let mut out = Vec::new();
    for c in limits {
        out.push(Candidate::Range {
            slot,
            value: c,
            upper: false,
        });
        out.push(Candidate::Range {
            slot,
            value: c,
            upper: true,
        });
        out.push(Candidate::Range {
            slot,
            value: c - 1,
            upper: true,
        });
    }
    out
}

/// Whether every value a next-state term may take (the leaves of its `ite` tree) is a
/// constant or an unconstrained value (an input, a slot's value before the scan).
fn stores_only(next: &Dynamic) -> bool {
    ite_leaves(next).iter().all(|leaf| {
        leaf.kind() == AstKind::Numeral
            || leaf.kind() == AstKind::App
                && (leaf.num_children() == 0
                    || leaf.simplify().kind() == AstKind::Numeral
                    || leaf
                        .as_float()
                        .is_some_and(|x| x.to_ieee_bv().simplify().as_u64().is_some()))
    })
}

/// The most REAL operations a slot's next value may take for a [`Candidate::Finite`].
const MAX_REAL_OPERATIONS: usize = 4;

/// How many operations with a REAL result a term has (counted up to one more than
/// [`MAX_REAL_OPERATIONS`]): applications of REAL sort but constants and `ite`.
fn real_operations(term: &Dynamic) -> usize {
    let mut seen: HashSet<Dynamic> = HashSet::new();
    let mut stack = vec![term.clone()];
    let mut count = 0;
    while let Some(t) = stack.pop() {
        if count > MAX_REAL_OPERATIONS || !seen.insert(t.clone()) {
            continue;
        }
        if t.kind() != AstKind::App || t.num_children() == 0 {
            continue;
        }
        if t.as_float().is_some() && t.decl().kind() != DeclKind::Ite {
            count += 1;
        }
        stack.extend(t.children());
    }
    count
}

/// The REAL constants of the assumptions `assume`, at most [`MAX_LIMITS`].
fn real_limits(assume: &Bool) -> Vec<f64> {
    let mut limits: Vec<f64> = Vec::new();
    let mut seen: HashSet<Dynamic> = HashSet::new();
    let mut stack = vec![Dynamic::from_ast(assume)];
    while let Some(t) = stack.pop() {
        if limits.len() >= MAX_LIMITS || seen.len() > 10_000 || !seen.insert(t.clone()) {
            continue;
        }
        if let Some(x) = t.as_float() {
            let bits = x.to_ieee_bv().simplify();
            if let (Some(v), 32 | 64) = (bits.as_u64(), bits.get_size()) {
                let e = if bits.get_size() == 32 {
                    Elem::Real
                } else {
                    Elem::LReal
                };
                let value = float::value_of_bits(e, v);
                if value.is_finite() && !limits.contains(&value) {
                    limits.push(value);
                }
                continue;
            }
        }
        if t.kind() == AstKind::App {
            stack.extend(t.children());
        }
    }
    limits
}

/// The values a next-state term may take: the leaves of its `ite` tree (conditions are not
/// followed).
fn ite_leaves(term: &Dynamic) -> Vec<Dynamic> {
    let mut seen: HashSet<Dynamic> = HashSet::new();
    let mut stack = vec![term.clone()];
    let mut leaves = Vec::new();
    while let Some(t) = stack.pop() {
        if !seen.insert(t.clone()) || seen.len() > 10_000 {
            continue;
        }
        if t.kind() == AstKind::App && t.decl().kind() == DeclKind::Ite {
            stack.push(t.nth_child(1).expect("ite's then"));
            stack.push(t.nth_child(2).expect("ite's else"));
        } else {
            leaves.push(t);
        }
    }
    leaves
}
