//! The engines: bounded model checking from the initial state finds violations (and is the
//! base case of k-induction); k-induction from an arbitrary state proves a goal without a
//! depth bound. Every solver call has a time limit; what runs out of time or depth is
//! `unknown`, never `proved`.

use super::symbolic::{Sym, Unsupported};
use super::system::{Goal, Scan, State, System, bind};
use std::time::Instant;
use z3::{Model, Params, SatResult, Solver};

/// What an engine concluded about one goal.
pub enum Outcome {
    /// By k-induction at `k`.
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
}

/// What the encoding met that it cannot express: the goal's verdict is `unknown` then.
pub struct Encoded {
    pub unsupported: Vec<Unsupported>,
    pub approximations: Vec<&'static str>,
}

pub struct Budget {
    pub depth: u32,
    pub deadline: Instant,
}

/// Checks one goal: BMC to `budget.depth` interleaved with k-induction.
pub fn check(system: &System<'_>, goal: &Goal, budget: &Budget, encoded: &mut Encoded) -> Outcome {
    let base = Solver::new();
    let step = Solver::new();
    let mut base_state = system.initial();
    let mut base_scans: Vec<Scan> = Vec::new();
    let (first, valid) = system.arbitrary("s0");
    step.assert(&valid);
    let mut step_state = first;
    let mut step_scans: Vec<Scan> = Vec::new();
    for k in 1..=budget.depth as usize {
        // Base case: a violation in scan k from the initial state.
        let scan = extend(system, &base, &mut base_state, k, "b", encoded);
        if let Some(previous) = base_scans.last() {
            base.assert(previous.finished());
            base.assert(previous.bad(goal).not());
        }
        base.push();
        base.assert(scan.bad(goal));
        match timed(&base, budget) {
            Err(reason) => {
                return Outcome::Unknown {
                    depth: k as u32 - 1,
                    reason,
                };
            }
            Ok(SatResult::Sat) => {
                let model = base.get_model().expect("a model after sat");
                let mut all = std::mem::take(&mut base_scans);
                all.push(scan);
                return Outcome::Violated {
                    scans: all.iter().map(|s| read_step(&model, s)).collect(),
                };
            }
            _ => {}
        }
        base.pop(1);
        base_scans.push(scan);
        // Inductive step: k scans where the goal held, from any state, then scan k + 1.
        while step_scans.len() < k + 1 {
            let n = step_scans.len() + 1;
            let scan = extend(system, &step, &mut step_state, n, "s", encoded);
            step_scans.push(scan);
        }
        let hypothesis = &step_scans[k - 1];
        step.assert(hypothesis.finished());
        step.assert(hypothesis.bad(goal).not());
        step.push();
        step.assert(step_scans[k].bad(goal));
        let result = timed(&step, budget);
        step.pop(1);
        match result {
            Ok(SatResult::Unsat) if encoded.unsupported.is_empty() => {
                return Outcome::Proved { k: k as u32 };
            }
            Err(reason) => {
                return Outcome::Unknown {
                    depth: k as u32,
                    reason,
                };
            }
            _ => {}
        }
    }
    Outcome::Unknown {
        depth: budget.depth,
        reason: format!(
            "no violation in {} scans, and k-induction did not close up to k = {}",
            budget.depth, budget.depth
        ),
    }
}

/// Adds scan `n` after `state` to a solver: its transition and its assumptions.
fn extend(
    system: &System<'_>,
    solver: &Solver,
    state: &mut State,
    n: usize,
    tag: &str,
    encoded: &mut Encoded,
) -> Scan {
    let (scan, unsupported, approximations) = system.scan(state, n);
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
    solver.assert(&scan.assume);
    // Fresh terms for the next state keep every scan's terms small.
    let (next, _) = system.arbitrary(&format!("{tag}{n}"));
    solver.assert(bind(&next, &scan.next));
    *state = next;
    scan
}

fn timed(solver: &Solver, budget: &Budget) -> Result<SatResult, String> {
    let left = budget.deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err("the time limit was reached".into());
    }
    let mut params = Params::new();
    params.set_u32(
        "timeout",
        left.as_millis().clamp(1, u32::MAX as u128) as u32,
    );
    solver.set_params(&params);
    match solver.check() {
        SatResult::Unknown => Err(format!(
            "z3 gave up: {}",
            solver
                .get_reason_unknown()
                .unwrap_or_else(|| "no reason given".into())
        )),
        result => Ok(result),
    }
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
            .map_or(0, |v| v as i64 as i128),
    }
}

fn read(model: &Model, term: &Sym) -> Option<ModelValue> {
    match term {
        Sym::Bool(b) => model.eval(b, true)?.as_bool().map(ModelValue::Bool),
        Sym::Bits(_, x) => model.eval(x, true)?.as_u64().map(ModelValue::Bits),
        _ => None,
    }
}
