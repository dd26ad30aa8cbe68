//! Judging one candidate: the shared pipeline (parse, types, interface, lowering), the spec's
//! tests on the simulator, then verification of the properties and the implicit checks. The
//! first stage that fails gives the findings; later stages do not run.
//!
//! A [`Judge`] is made once per spec and called for every candidate, from several threads at
//! once; what does not change between candidates (the spec's text and the standard library,
//! which is parsed once per process) is not redone.

use super::feedback::{self, Finding};
use crate::pipeline::{self, Sources};
use crate::sema::Dialect;
use crate::spec::Spec;
use crate::testrun::{self, Outcome, Run};
use crate::verify::{self, Verdict, report};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The stages of a judgement, in the order they run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    /// The candidate parses.
    Parse,
    /// It type-checks, has the spec's interface and lowers to the IR.
    Types,
    /// The spec's tests pass on the simulator.
    Tests,
    /// No property is violated and no run-time fault is reachable.
    Verify,
}

impl Stage {
    pub const ALL: [Stage; 4] = [Stage::Parse, Stage::Types, Stage::Tests, Stage::Verify];

    pub fn name(self) -> &'static str {
        match self {
            Stage::Parse => "parse",
            Stage::Types => "types",
            Stage::Tests => "tests",
            Stage::Verify => "verify",
        }
    }
}

/// The verdict on one property or implicit check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoalVerdict {
    /// `invariant`, `response`, `implicit`, `unwinding` or `warning`.
    pub kind: &'static str,
    pub name: String,
    pub outcome: GoalOutcome,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GoalOutcome {
    /// By k-induction at `k`: holds for every input sequence.
    Proved {
        k: u32,
    },
    Violated,
    /// Neither: checked to `depth` scans, with the reason.
    Unknown {
        depth: u32,
        reason: String,
    },
}

impl GoalVerdict {
    /// `proved (k-induction, k = 1)`, `violated`, `unknown: bounded to depth 20 (reason)`.
    pub fn describe(&self) -> String {
        match &self.outcome {
            GoalOutcome::Proved { k } => format!("proved (k-induction, k = {k})"),
            GoalOutcome::Violated => "violated".to_string(),
            GoalOutcome::Unknown { depth, reason } => {
                format!("unknown: bounded to depth {depth} ({reason})")
            }
        }
    }
}

/// What a judge found about one candidate.
#[derive(Clone, Debug)]
pub struct Judgement {
    /// The first stage that failed; `None` when every stage passed.
    pub failed: Option<Stage>,
    /// What failed in that stage, most important first.
    pub findings: Vec<Finding>,
    /// Tests passed and run, once the tests ran.
    pub tests: Option<(usize, usize)>,
    /// Every property and implicit check, once verification ran.
    pub goals: Vec<GoalVerdict>,
    pub elapsed: Duration,
}

impl Judgement {
    pub fn passed(&self) -> bool {
        self.failed.is_none()
    }

    /// How far the candidate got: 0 (failed to parse) to 4 (passed every stage).
    pub fn reached(&self) -> usize {
        self.failed.map_or(Stage::ALL.len(), |s| s as usize)
    }

    /// Properties and checks not proved and not violated.
    pub fn unknowns(&self) -> usize {
        self.goals
            .iter()
            .filter(|g| g.kind != "warning" && matches!(g.outcome, GoalOutcome::Unknown { .. }))
            .count()
    }

    /// Orders candidates, best last: the stage reached, then the fewer findings, then the fewer
    /// properties left unknown.
    pub fn rank(&self) -> (usize, std::cmp::Reverse<usize>, std::cmp::Reverse<usize>) {
        use std::cmp::Reverse;
        (
            self.reached(),
            Reverse(self.findings.len()),
            Reverse(self.unknowns()),
        )
    }

    /// `parse`, `types`, `tests`, `verify` for the stage that failed; `passed` otherwise.
    pub fn stage_name(&self) -> &'static str {
        self.failed.map_or("passed", Stage::name)
    }
}

/// Judges candidates for one spec.
pub struct Judge {
    spec_path: PathBuf,
    spec_text: String,
    dialect: Dialect,
    verify: verify::Options,
    /// Where candidates are said to live (in diagnostics).
    candidate_path: PathBuf,
}

impl Judge {
    /// A judge for the spec at `spec_path`, whose text `spec_text` loaded as `spec`.
    pub fn new(
        spec_path: PathBuf,
        spec_text: String,
        spec: &Spec,
        dialect: Dialect,
        verify: verify::Options,
    ) -> Judge {
        Judge {
            spec_path,
            spec_text,
            dialect,
            verify,
            candidate_path: PathBuf::from(format!("{}.st", spec.pou.name.text)),
        }
    }

    /// Runs the stages on a candidate POU until one fails.
    pub fn judge(&self, source: &str) -> Judgement {
        let started = Instant::now();
        let sources = Sources::in_memory(
            Some((self.spec_path.clone(), self.spec_text.clone())),
            vec![(self.candidate_path.clone(), source.to_string())],
        );
        let mut judgement = self.stages(sources);
        judgement.elapsed = started.elapsed();
        judgement
    }

    fn stages(&self, mut sources: Sources) -> Judgement {
        let failed = |stage: Stage, findings: Vec<Finding>| Judgement {
            failed: Some(stage),
            findings,
            tests: None,
            goals: Vec::new(),
            elapsed: Duration::ZERO,
        };
        let checked = match pipeline::check_spec(&sources, self.dialect) {
            Ok(checked) => checked,
            Err(mut stopped) => {
                sources.adopt_library_files(stopped.diagnostics.iter_mut());
                let syntax = stopped
                    .diagnostics
                    .iter()
                    .any(|d| d.is_error() && d.code.as_str().starts_with('S'));
                let stage = if syntax { Stage::Parse } else { Stage::Types };
                let findings = feedback::diagnostics(&stopped.diagnostics, &sources.files);
                return failed(stage, findings);
            }
        };
        let spec_file = sources.spec_file.expect("a spec");
        let results = match testrun::run_checked(&checked, spec_file, testrun::DEFAULT_MAX_SCANS) {
            Ok(results) => results,
            Err(mut diagnostics) => {
                sources.adopt_library_files(diagnostics.iter_mut());
                return failed(
                    Stage::Types,
                    feedback::diagnostics(&diagnostics, &sources.files),
                );
            }
        };
        let passed = results.iter().filter(|r| r.verdict.passed()).count();
        let tests = Some((passed, results.len()));
        if passed < results.len() {
            let mut outcome = Outcome::Ran(results);
            sources.adopt_library_files(outcome.diagnostics_mut());
            let run = Run {
                files: sources.files,
                spec_file,
                pou: Some(checked.spec.pou.name.text.clone()),
                outcome,
            };
            return Judgement {
                tests,
                ..failed(Stage::Tests, feedback::tests(&run))
            };
        }
        let report = verify::verify(
            &checked.program,
            Some(&checked.properties),
            checked.spec.cycle_ns,
            checked.spec.cycle_range_ns,
            self.verify,
        );
        let goals: Vec<GoalVerdict> = report
            .results
            .iter()
            .map(|r| GoalVerdict {
                kind: r.kind,
                name: r.name.clone(),
                outcome: match &r.verdict {
                    Verdict::Proved { k } => GoalOutcome::Proved { k: *k },
                    Verdict::Violated { .. } => GoalOutcome::Violated,
                    Verdict::Unknown { depth, reason } => GoalOutcome::Unknown {
                        depth: *depth,
                        reason: reason.clone(),
                    },
                    Verdict::Disagreement { .. } => GoalOutcome::Unknown {
                        depth: 0,
                        reason: "internal error: the simulator does not replay z3's \
                                 counterexample"
                            .to_string(),
                    },
                },
            })
            .collect();
        let violated: Vec<_> = report
            .results
            .iter()
            // A warning (a CASE matching no branch) is reported, never a failure.
            .filter(|r| matches!(r.verdict, Verdict::Violated { .. }) && !r.is_warning())
            .collect();
        let findings: Vec<Finding> = violated
            .iter()
            .map(|r| Finding {
                code: r.kind.to_string(),
                summary: report::goal_line(r, &sources.files),
                detail: report::counterexample(r).unwrap_or_default(),
            })
            .collect();
        Judgement {
            failed: (!findings.is_empty()).then_some(Stage::Verify),
            findings,
            tests,
            goals,
            elapsed: Duration::ZERO,
        }
    }
}
