//! The engines: bounded model checking from the initial state finds violations (and is the
//! base case of k-induction); k-induction from an arbitrary state proves a goal without a
//! depth bound. Every solver call has a time limit; what runs out of time or depth is
//! `unknown`, never `proved`.

use super::cone::Cone;
use super::invariants::Candidate;
use super::symbolic::{Sym, Unsupported};
use super::system::{Goal, Scan, State, System, bind};
use std::borrow::Borrow;
use std::time::{Duration, Instant};
use z3::ast::Bool;
use z3::{Model, Params, SatResult, Solver, Tactic};

/// What an engine concluded about one goal.
pub enum Outcome {
    /// By k-induction at `k` (0: one scan from any state the invariants allow).
    Proved { k: u32 },
    /// A trace from the initial state: each scan's inputs (by slot) and the time to the next.
    Violated { scans: Vec<TraceStep> },
    /// Nothing found up to `depth` scans; why it stopped there.
    Unknown { depth: u32, reason: String },
}

/// One scan of a counterexample, as z3's model gives it.
#[derive(Clone, Debug)]
pub struct TraceStep {
    pub inputs: Vec<(usize, Option<ModelValue>)>,
    pub elapsed_ns: i128,
}

/// A value read from a model.
#[derive(Clone, Copy, Debug)]
pub enum ModelValue {
    Bool(bool),
    Bits(u64),
    /// A REAL or LREAL value (NaN, ±INF and -0.0 included).
    Float(f64),
}

/// What the encoding met that it cannot express: the goal's verdict is `unknown` then.
#[derive(Default)]
pub struct Encoded {
    pub unsupported: Vec<Unsupported>,
    pub approximations: Vec<&'static str>,
}

pub struct Budget {
    pub depth: u32,
    pub deadline: Instant,
}

/// Checks one goal: BMC to `budget.depth` interleaved with k-induction, whose every state
/// assumes the `invariants` (proved beforehand, [`super::invariants`]); over the goal's `cone`
/// of influence if given (a proof is a proof, a violation may not replay), else exactly.
pub fn check(
    system: &System<'_>,
    goal: &Goal,
    budget: &Budget,
    invariants: &[Candidate],
    cone: Option<&Cone>,
    encoded: &mut Encoded,
) -> Outcome {
    let at = Unrolling {
        system,
        budget,
        cone,
    };
    let mut base = Chain {
        query: Query::new(system.floats),
        state: system.initial(),
        tag: "b",
    };
    let mut base_scans: Vec<Scan> = Vec::new();
    let own_monitor = match goal {
        Goal::Property(p) => Some(*p),
        _ => None,
    };
    let (first, valid) = system.arbitrary("s0", own_monitor);
    let mut step = Chain {
        query: Query::new(system.floats),
        state: first.clone(),
        tag: "s",
    };
    step.query.assert(valid);
    // The invariants on the first state: the scans after it finish, so they keep them.
    for inv in invariants {
        step.query.assert(inv.term(&first));
    }
    let mut step_scans: Vec<Scan> = Vec::new();
    let mut assumed = 0;
    // Why k-induction stopped before the depth, if it did: BMC goes on without it.
    let mut induction_stopped: Option<String> = None;
    // A run-time check first tries k = 0: one scan from any state the invariants allow (every
    // reachable state is one, so no base case is needed) never fails it. A fault mostly
    // depends on one scan's values, and this query has half the scans of k = 1; a quarter of
    // the time keeps a hard one from starving the rest.
    if !matches!(goal, Goal::Property(_)) {
        if let Err(reason) = step.extend_to(&mut step_scans, 1, &at, encoded) {
            return Outcome::Unknown { depth: 0, reason };
        }
        if let Ok(None) = step.query.check(&step_scans[0].bad(goal, cone), budget, 4)
            && encoded.unsupported.is_empty()
        {
            return Outcome::Proved { k: 0 };
        }
    }
    // Base case: no first violation in scans 1 ..= checked.
    let mut checked = 0;
    let depth = budget.depth as usize;
    for k in (1..=depth).filter(|k| induction_at(*k) || *k == depth) {
        // Base case: the first violation in one of the scans checked + 1 ..= k (one query for
        // the range keeps the number of BMC queries logarithmic in the depth).
        let mut range: Vec<(Scan, Bool)> = Vec::new();
        let mut seen = Bool::from_bool(false);
        for n in checked + 1..=k {
            let scan = match base.extend(n, &at, encoded) {
                Ok(scan) => scan,
                Err(reason) => {
                    return Outcome::Unknown {
                        depth: checked as u32,
                        reason,
                    };
                }
            };
            let bad = scan.bad(goal, cone);
            // Until the first violation every scan finishes: a fault ends the run.
            base.query
                .assert(Bool::or(&[&seen, &bad, &scan.finished(cone)]));
            seen = Bool::or(&[&seen, &bad]);
            range.push((scan, bad));
        }
        match base.query.check(&seen, budget, 1) {
            Err(reason) => {
                return Outcome::Unknown {
                    depth: checked as u32,
                    reason,
                };
            }
            Ok(Some(model)) => {
                // The shortest counterexample: the first scan of the range where one exists.
                let mut earlier: Vec<Bool> = Vec::new();
                let mut found = None;
                for (i, (scan, bad)) in range.iter().enumerate() {
                    if i + 1 == range.len() {
                        found = Some((i, model));
                        break;
                    }
                    let here = Bool::and(&[Bool::and(&earlier), bad.clone()]);
                    match base.query.check(&here, budget, 1) {
                        Ok(Some(m)) => {
                            found = Some((i, m));
                            break;
                        }
                        Ok(None) => {}
                        Err(_) => {
                            // Out of time: the range's model is a counterexample too.
                            let first = range
                                .iter()
                                .position(|(_, b)| {
                                    model.eval(b, true).and_then(|b| b.as_bool()) == Some(true)
                                })
                                .expect("a violation in the range");
                            found = Some((first, model));
                            break;
                        }
                    }
                    earlier.push(scan.finished(cone));
                    earlier.push(bad.not());
                }
                let (first, model) = found.expect("the range has a violation");
                let mut all = std::mem::take(&mut base_scans);
                all.extend(range.into_iter().take(first + 1).map(|(scan, _)| scan));
                return Outcome::Violated {
                    scans: all.iter().map(|s| read_step(&model, s)).collect(),
                };
            }
            Ok(None) => {}
        }
        for (scan, bad) in range {
            base.query.assert(scan.finished(cone));
            base.query.assert(bad.not());
            base_scans.push(scan);
        }
        checked = k;
        if induction_stopped.is_some() {
            continue;
        }
        // Inductive step: k scans where the goal held, from any state, then scan k + 1.
        if let Err(reason) = step.extend_to(&mut step_scans, k + 1, &at, encoded) {
            return Outcome::Unknown {
                depth: checked as u32,
                reason,
            };
        }
        // The hypothesis: scans 1 ..= k finished and the goal held in them.
        for hypothesis in &step_scans[assumed..k] {
            step.query.assert(hypothesis.finished(cone));
            step.query.assert(hypothesis.bad(goal, cone).not());
        }
        assumed = k;
        // An inductive step that is hard for z3 may take at most half the time left, so that
        // BMC keeps looking for a violation with the rest; the first (most proofs close at
        // k = 1, some only after seconds of z3) may take it all.
        let share = if k == 1 { 1 } else { 2 };
        match step
            .query
            .check(&step_scans[k].bad(goal, cone), budget, share)
        {
            Ok(None) if encoded.unsupported.is_empty() => {
                return Outcome::Proved { k: k as u32 };
            }
            Err(reason) => {
                induction_stopped = Some(format!("k-induction stopped at k = {k}: {reason}"))
            }
            _ => {}
        }
    }
    Outcome::Unknown {
        depth: budget.depth,
        reason: match induction_stopped {
            Some(why) => format!("no violation in {} scans, and {why}", budget.depth),
            None => format!(
                "no violation in {} scans, and k-induction did not close up to k = {}",
                budget.depth, budget.depth
            ),
        },
    }
}

/// Whether the inductive step is tried at `k`: at 1 to 4, then at 6, 8, 12, 16, 24, 32, …
/// A step that holds at `k` holds at every larger k (its chain's last k scans are a chain of
/// k), so skipping some only may report a larger k; the base case is checked at every depth.
/// Failing steps cost the most on long chains, and they would leave BMC no time.
fn induction_at(k: usize) -> bool {
    let p = k.next_power_of_two();
    k <= 4 || k == p || k == p / 4 * 3
}

/// Facts checked by a fresh solver each time. z3 preprocesses the first check of a solver
/// (constants propagated through the scans, equalities solved, then bit-blasting) but not the
/// incremental checks after a push; over the 64-bit clock of a timer program the incremental
/// ones were ten times slower than solving each query anew.
pub struct Query {
    facts: Vec<Bool>,
    /// The program computes with REALs: [`check_until`]'s solver for floating point.
    floats: bool,
}

impl Query {
    pub fn new(floats: bool) -> Query {
        Query {
            facts: Vec::new(),
            floats,
        }
    }

    pub fn assert(&mut self, fact: impl Borrow<Bool>) {
        self.facts.push(fact.borrow().clone());
    }

    /// Whether the facts and `goal` can hold together, with at most `1 / share` of the time
    /// left: a model if they can, `None` if they cannot, the reason if z3 did not decide.
    pub fn check(&self, goal: &Bool, budget: &Budget, share: u32) -> Result<Option<Model>, String> {
        check_until(&self.facts, goal, budget.deadline, share, self.floats)
    }
}

/// A solver for queries over REAL or LREAL terms: floating point eagerly turned into
/// bit-vectors, then bits, then SAT.
fn bit_blasting_solver() -> Solver {
    [
        "simplify",
        "fpa2bv",
        "simplify",
        "solve-eqs",
        "bit-blast",
        "sat",
    ]
    .into_iter()
    .map(Tactic::new)
    .reduce(|chain, next| chain.and_then(&next))
    .expect("a tactic")
    .solver()
}

/// [`Query::check`] of `facts` and `goal` by `deadline`. Where `floats` says the program
/// computes with REALs, two solvers in turn, each with half the time: z3's default one, which
/// reasons about floating point lazily inside its SMT core and is fast on additions and
/// comparisons (`corpus/verify/setpoint_limiter`'s rate limit: 6 s against 36 s), then the
/// eager bit-blaster, which decides multiplications the default one does not
/// (`corpus/verify/pi_controller`: 5 goals proved against 2 in 40 s each).
pub fn check_until(
    facts: &[Bool],
    goal: &Bool,
    deadline: Instant,
    share: u32,
    floats: bool,
) -> Result<Option<Model>, String> {
    let left = deadline.saturating_duration_since(Instant::now()) / share;
    if left.is_zero() {
        return Err("the time limit was reached".into());
    }
    if !floats {
        return solve(Solver::new(), facts, goal, left);
    }
    let until = Instant::now() + left;
    match solve(Solver::new(), facts, goal, left / 2) {
        Err(_) => {
            let rest = until.saturating_duration_since(Instant::now());
            solve(bit_blasting_solver(), facts, goal, rest)
        }
        decided => decided,
    }
}

/// One query on a fresh solver with a time limit.
fn solve(
    solver: Solver,
    facts: &[Bool],
    goal: &Bool,
    limit: Duration,
) -> Result<Option<Model>, String> {
    if limit.is_zero() {
        return Err("the time limit was reached".into());
    }
    let mut params = Params::new();
    params.set_u32(
        "timeout",
        limit.as_millis().clamp(1, u32::MAX as u128) as u32,
    );
    solver.set_params(&params);
    for f in facts {
        solver.assert(f);
    }
    solver.assert(goal);
    match solver.check() {
        SatResult::Unknown => Err(format!(
            "z3 gave up: {}",
            solver
                .get_reason_unknown()
                .unwrap_or_else(|| "no reason given".into())
        )),
        SatResult::Sat => Ok(Some(solver.get_model().expect("a model after sat"))),
        SatResult::Unsat => Ok(None),
    }
}

/// What every scan of one check is encoded with.
struct Unrolling<'a, 'p> {
    system: &'a System<'p>,
    budget: &'a Budget,
    /// Only the cone's transition, if given.
    cone: Option<&'a Cone>,
}

/// A query over a chain of scans, and the state after its last one.
struct Chain {
    query: Query,
    state: State,
    /// Names the fresh terms of its states.
    tag: &'static str,
}

impl Chain {
    /// Adds scan `n` after the chain's state: its transition and its assumptions; the reason if
    /// the time ran out while it was encoded.
    fn extend(&mut self, n: usize, at: &Unrolling, encoded: &mut Encoded) -> Result<Scan, String> {
        let cone = at.cone;
        let (scan, unsupported, approximations) =
            at.system
                .scan_stopping(&self.state, n, at.budget.deadline, cone.map(Cone::stopping));
        if scan.out_of_time {
            return Err(encoding_timeout(n));
        }
        for u in unsupported {
            if !encoded
                .unsupported
                .iter()
                .any(|e| e.span == u.span && e.what == u.what)
            {
                encoded.unsupported.push(u);
            }
        }
        for a in approximations {
            if !encoded.approximations.contains(&a) {
                encoded.approximations.push(a);
            }
        }
        self.query.assert(&scan.assume);
        // Fresh terms for the next state keep every scan's terms small.
        let (next, _) = at.system.arbitrary(&format!("{}{n}", self.tag), None);
        self.query.assert(bind(&next, &scan.next, cone));
        self.state = next;
        Ok(scan)
    }

    /// Extends the chain, whose scans so far are `scans`, to `to` scans.
    fn extend_to(
        &mut self,
        scans: &mut Vec<Scan>,
        to: usize,
        at: &Unrolling,
        encoded: &mut Encoded,
    ) -> Result<(), String> {
        while scans.len() < to {
            let scan = self.extend(scans.len() + 1, at, encoded)?;
            scans.push(scan);
        }
        Ok(())
    }
}

/// Why a goal is `unknown` when its time ran out before scan `n` was encoded.
pub fn encoding_timeout(n: usize) -> String {
    format!("the time limit was reached while encoding scan {n} of the program")
}

fn read_step(model: &Model, scan: &Scan) -> TraceStep {
    let inputs = scan
        .inputs
        .iter()
        .map(|(slot, term)| (*slot, read(model, term)))
        .collect();
    TraceStep {
        inputs,
        elapsed_ns: model
            .eval(&scan.elapsed, true)
            .and_then(|v| v.as_u64())
            .map_or(0, |v| v as i64 as i128 * scan.clock_unit_ns),
    }
}

fn read(model: &Model, term: &Sym) -> Option<ModelValue> {
    match term {
        Sym::Bool(b) => model.eval(b, true)?.as_bool().map(ModelValue::Bool),
        Sym::Bits(_, x) => model.eval(x, true)?.as_u64().map(ModelValue::Bits),
        Sym::Float(e, x) => {
            // z3 leaves a NaN's bit pattern open: any NaN is the one NaN the simulator knows.
            if model.eval(&x.is_nan(), true)?.as_bool()? {
                return Some(ModelValue::Float(f64::NAN));
            }
            let bits = model.eval(&x.to_ieee_bv(), true)?.as_u64()?;
            Some(ModelValue::Float(super::float::value_of_bits(*e, bits)))
        }
        _ => None,
    }
}
