//! `stforge verify`: proves the spec's properties, and that no run-time fault can happen, for
//! every input sequence the environment may send, on the IR the simulator runs.
//!
//! - [`symbolic`] encodes one scan as z3 terms, with the meaning `value` gives every operation;
//! - [`system`] makes the program a transition system (state, inputs, clock, monitors) and says
//!   what each goal asks of a scan;
//! - [`invariants`] finds, once per program, invariants that every state of an induction may
//!   assume (Houdini over templates of step logic and timers);
//! - [`engine`] runs bounded model checking and k-induction per goal, each solver call
//!   time-boxed;
//! - [`replay`] runs every counterexample on the simulator before it is reported.
//!
//! Verdicts: `proved` only by k-induction with nothing approximated in the way (an
//! over-approximated value can only add behaviours, so a proof stays a proof); `violated` only
//! with a trace the simulator replays to the same failure; `unknown` otherwise, with the reason
//! (the depth or time reached, a construct the encoder does not express, a loop that may need
//! more passes than it was unrolled for, a counterexample that depends on an unmodelled value).

mod cone;
mod engine;
mod float;
mod invariants;
pub mod replay;
pub mod report;
mod symbolic;
mod system;

pub use engine::TraceStep;
pub use symbolic::SiteKey;
pub use system::Goal;

use crate::ir::Program;
use crate::property::{Kind, Properties};
use crate::source::{FileId, Span};
use cone::Cone;
use engine::{Budget, Encoded, Outcome};
use rayon::prelude::*;
use replay::Replay;
use std::time::{Duration, Instant};
use symbolic::Limits;
use system::System;

#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Scans of bounded model checking, and the largest k of k-induction.
    pub depth: u32,
    /// Time for each goal.
    pub timeout: Duration,
    /// Passes a loop is unrolled for when its end is not known.
    pub unwind: u32,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            depth: 20,
            timeout: Duration::from_secs(10),
            unwind: 32,
        }
    }
}

/// The verdict on one goal.
#[derive(Clone, Debug)]
pub enum Verdict {
    /// By k-induction at `k` (no depth bound).
    Proved {
        k: u32,
    },
    /// A counterexample the simulator replays to the same failure.
    Violated {
        trace: Vec<TraceStep>,
        replay: Replay,
    },
    Unknown {
        depth: u32,
        reason: String,
    },
    /// The simulator did not confirm a counterexample of an exact encoding: a bug in stforge.
    Disagreement {
        trace: Vec<TraceStep>,
        replay: Replay,
    },
}

/// One goal's result.
#[derive(Clone, Debug)]
pub struct GoalResult {
    pub goal: Goal,
    /// The property's name, or the fault's code and what it means.
    pub name: String,
    /// The property's `description` in the spec, if it has one.
    pub description: Option<String>,
    /// `invariant`, `response`, `implicit` (a run-time fault), `unwinding` or `warning` (a
    /// CASE without ELSE that matches no branch: never changes the exit status).
    pub kind: &'static str,
    /// Where it is written: the property in the spec, the statement in the code.
    pub file: FileId,
    pub span: Span,
    pub verdict: Verdict,
    /// How many proved invariants every state of the induction assumed (0: plain k-induction).
    pub invariants: usize,
    pub elapsed: Duration,
}

impl GoalResult {
    /// A warning-level check: its verdict is reported but fails nothing.
    pub fn is_warning(&self) -> bool {
        matches!(self.goal, Goal::Case(_))
    }
}

/// Everything one verification found.
pub struct Report {
    pub results: Vec<GoalResult>,
    /// Values the encoding leaves unconstrained (REAL arithmetic, STRING values).
    pub approximations: Vec<&'static str>,
    /// The invariant search, once for the program: how many invariants it proved, its time,
    /// and why it found none where it stopped early.
    pub invariants: usize,
    pub invariants_elapsed: Duration,
    pub invariants_note: Option<String>,
}

type Listed = (Goal, String, &'static str, FileId, Span);

/// The goals of a program: its properties, then every place where a fault, an unfinished loop
/// or a CASE matching no branch may happen (found by encoding one scan from an arbitrary
/// state by `deadline`). When that scan cannot be encoded in time, the places are not known:
/// one goal, [`Goal::Sites`], stands for them, and the second value is false.
fn goals(system: &System<'_>, deadline: Instant) -> (Vec<Listed>, bool) {
    let mut goals = Vec::new();
    if let Some(properties) = system.properties {
        for (i, p) in properties.properties.iter().enumerate() {
            let kind = match p.kind {
                Kind::Invariant(_) => "invariant",
                Kind::Response { .. } => "response",
            };
            goals.push((
                Goal::Property(i),
                p.name.clone(),
                kind,
                properties.file,
                p.span,
            ));
        }
    }
    let (state, _) = system.arbitrary("probe", None);
    let (scan, _, _) = system.scan(&state, 0, deadline);
    if scan.out_of_time {
        let file = system.program.root().file;
        goals.push((
            Goal::Sites,
            "run-time faults and loops".into(),
            "implicit",
            file,
            Span::default(),
        ));
        return (goals, false);
    }
    let mut sites: Vec<Listed> = Vec::new();
    for f in &scan.faults {
        let key = symbolic::site_key(f);
        if !sites.iter().any(|(g, ..)| *g == Goal::Fault(key.clone())) {
            let name = format!("{} {}", key.code, fault_meaning(key.code));
            sites.push((
                Goal::Fault(key.clone()),
                name,
                "implicit",
                key.file,
                key.span(),
            ));
        }
    }
    for u in &scan.unwinds {
        let key = symbolic::unwind_key(u);
        if !sites.iter().any(|(g, ..)| *g == Goal::Unwind(key.clone())) {
            let name = format!("loop ends within {} passes", system.limits.unwind);
            sites.push((
                Goal::Unwind(key.clone()),
                name,
                "unwinding",
                key.file,
                key.span(),
            ));
        }
    }
    for c in &scan.cases {
        let key = symbolic::case_key(c);
        if !sites.iter().any(|(g, ..)| *g == Goal::Case(key.clone())) {
            let name = format!("{} CASE selector matches no branch", key.code);
            sites.push((
                Goal::Case(key.clone()),
                name,
                "warning",
                key.file,
                key.span(),
            ));
        }
    }
    sites.sort_by_key(|(_, _, _, file, span)| (*file, span.start));
    goals.extend(sites);
    (goals, true)
}

fn fault_meaning(code: &str) -> &'static str {
    match code {
        "R001" => "division by zero",
        "R002" => "integer overflow",
        "R003" => "array index out of bounds",
        "R004" => "value out of range",
        _ => "run-time fault",
    }
}

/// Verifies a program from its root: the spec's properties (if given) and the implicit checks.
/// `cycle_ns` is the spec's cycle (the replay's default), `cycle_range_ns` what the clock may
/// advance by between scans.
pub fn verify(
    program: &Program,
    properties: Option<&Properties>,
    cycle_ns: i128,
    cycle_range_ns: (i128, i128),
    options: Options,
) -> Report {
    let limits = Limits {
        unwind: options.unwind,
    };
    let started = Instant::now();
    let (goals, found) = {
        let system = System::new(program, properties, cycle_ns, cycle_range_ns, limits);
        let (goals, listed) = goals(&system, started + options.timeout);
        if !listed {
            // One scan cannot be encoded in the time of a goal: neither can any goal's scans.
            return out_of_time(goals, properties, started);
        }
        // Half the time of one goal: a search that does not finish proves nothing and costs
        // the goals no more than that.
        let found = invariants::discover(&system, started + options.timeout / 2);
        (goals, found)
    };
    let invariants_elapsed = started.elapsed();
    let strengthening = &found.invariants;
    let checked: Vec<(GoalResult, Vec<&'static str>)> = goals
        .into_par_iter()
        .map(|(goal, name, kind, file, span)| {
            // One z3 context per thread: each goal builds its own terms.
            let system = System::new(program, properties, cycle_ns, cycle_range_ns, limits);
            let started = Instant::now();
            let budget = Budget {
                depth: options.depth,
                deadline: started + options.timeout,
            };
            let (verdict, approximations) = check(&system, &goal, &budget, strengthening);
            let description = description(&goal, properties);
            let result = GoalResult {
                goal,
                name,
                description,
                kind,
                file,
                span,
                verdict,
                invariants: strengthening.len(),
                elapsed: started.elapsed(),
            };
            (result, approximations)
        })
        .collect();
    let mut approximations: Vec<&'static str> = Vec::new();
    let mut results = Vec::with_capacity(checked.len());
    for (result, approx) in checked {
        for a in approx {
            if !approximations.contains(&a) {
                approximations.push(a);
            }
        }
        results.push(result);
    }
    downgrade_for_loops(&mut results, options.unwind);
    Report {
        results,
        approximations,
        invariants: found.invariants.len(),
        invariants_elapsed,
        invariants_note: found.reason,
    }
}

/// Checks one goal over its cone of influence, and again on the whole state where that found a
/// violation that does not replay. Returns the verdict and what the encoding approximated.
fn check(
    system: &System<'_>,
    goal: &Goal,
    budget: &Budget,
    invariants: &[invariants::Candidate],
) -> (Verdict, Vec<&'static str>) {
    if let Some(cone) = Cone::of(system, goal, budget.deadline) {
        let mut encoded = Encoded::default();
        let outcome = engine::check(system, goal, budget, invariants, Some(&cone), &mut encoded);
        // A violation that does not replay may be one of the behaviours the cone added; an
        // `unknown` stays one (the exact check would have less time and more to reason about).
        match outcome {
            Outcome::Violated { scans } if !matches!(goal, Goal::Unwind(_)) => {
                let replay = replay::replay(system, &scans);
                if replay.confirms(goal, scans.len()) {
                    let verdict = Verdict::Violated {
                        trace: scans,
                        replay,
                    };
                    return (verdict, encoded.approximations);
                }
            }
            outcome => {
                return (
                    judge(system, goal, outcome, &encoded),
                    encoded.approximations,
                );
            }
        }
    }
    let mut encoded = Encoded::default();
    let outcome = engine::check(system, goal, budget, invariants, None, &mut encoded);
    (
        judge(system, goal, outcome, &encoded),
        encoded.approximations,
    )
}

/// The spec's description of the property a goal checks, if it has one.
fn description(goal: &Goal, properties: Option<&Properties>) -> Option<String> {
    match (goal, properties) {
        (Goal::Property(i), Some(p)) => p.properties[*i].description.clone(),
        _ => None,
    }
}

/// The report when not even one scan could be encoded in time: every goal `unknown`.
fn out_of_time(goals: Vec<Listed>, properties: Option<&Properties>, started: Instant) -> Report {
    let results = goals
        .into_iter()
        .map(|(goal, name, kind, file, span)| GoalResult {
            description: description(&goal, properties),
            goal,
            name,
            kind,
            file,
            span,
            verdict: Verdict::Unknown {
                depth: 0,
                reason: engine::encoding_timeout(1),
            },
            invariants: 0,
            elapsed: started.elapsed(),
        })
        .collect();
    Report {
        results,
        approximations: Vec::new(),
        invariants: 0,
        invariants_elapsed: started.elapsed(),
        invariants_note: None,
    }
}

/// An engine's outcome as a verdict: counterexamples replayed, proofs checked for what the
/// encoding could not express.
fn judge(system: &System<'_>, goal: &Goal, outcome: Outcome, encoded: &Encoded) -> Verdict {
    match outcome {
        Outcome::Proved { .. } | Outcome::Unknown { .. } if !encoded.unsupported.is_empty() => {
            let u = &encoded.unsupported[0];
            Verdict::Unknown {
                depth: 0,
                reason: format!("the verifier does not support {} (R006)", u.what),
            }
        }
        Outcome::Proved { k } => Verdict::Proved { k },
        Outcome::Unknown { depth, reason } => Verdict::Unknown { depth, reason },
        // A loop that runs past its unrolling is a limit of the encoding, not a fault of the
        // program (the simulator runs it to its end): nothing to replay, and no proof.
        Outcome::Violated { scans } if matches!(goal, Goal::Unwind(_)) => Verdict::Unknown {
            depth: scans.len() as u32,
            reason: format!(
                "the loop needs more than {} passes in scan {} (raise --unwind)",
                system.limits.unwind,
                scans.len()
            ),
        },
        Outcome::Violated { scans } => {
            let replay = replay::replay(system, &scans);
            if replay.confirms(goal, scans.len()) {
                Verdict::Violated {
                    trace: scans,
                    replay,
                }
            } else if !encoded.approximations.is_empty() || !encoded.unsupported.is_empty() {
                Verdict::Unknown {
                    depth: scans.len() as u32,
                    reason: format!(
                        "a possible violation in scan {} depends on {}, which the verifier does \
                         not model exactly, and did not replay in the simulator",
                        scans.len(),
                        encoded.approximations.join(", ")
                    ),
                }
            } else {
                Verdict::Disagreement {
                    trace: scans,
                    replay,
                }
            }
        }
    }
}

/// A loop that may need more passes than it was unrolled for leaves every proof open: the
/// encoding assumed it ends within them.
fn downgrade_for_loops(results: &mut [GoalResult], unwind: u32) {
    let open: Option<String> = results.iter().find_map(|r| match (&r.goal, &r.verdict) {
        (Goal::Unwind(_), Verdict::Proved { .. }) => None,
        (Goal::Unwind(_), _) => Some(format!(
            "a loop may need more than {unwind} passes (raise --unwind)"
        )),
        _ => None,
    });
    let Some(reason) = open else {
        return;
    };
    for r in results.iter_mut() {
        if let Verdict::Proved { k } = r.verdict
            && !matches!(r.goal, Goal::Unwind(_))
        {
            r.verdict = Verdict::Unknown {
                depth: k,
                reason: reason.clone(),
            };
        }
    }
}
