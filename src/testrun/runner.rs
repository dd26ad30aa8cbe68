//! Running a spec's tests on the simulator. Every value a test writes or expects is converted
//! once, before anything runs ([`plan`]), so a spec that does not fit the implementation is
//! reported as a whole and a test run never stops on a conversion. Each test then runs on a
//! fresh machine ([`run`]), the tests in parallel: they share nothing but the program.

use super::trace::Recorder;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::literal;
use crate::ir::{Program, Ty};
use crate::property::{Properties, Violation};
use crate::sema::types::Elem;
use crate::sim::Machine;
use crate::sim::trace::ScanRow;
use crate::source::{FileId, Span};
use crate::spec::values::{Leaf, leaves, literal_value, to_value};
use crate::spec::{self, Expected, Spec};
use crate::value::Value;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Set (by the Ctrl-C handler of `stforge test`) to stop every running test at its next
/// scan; a test stopped so ends with R010.
static STOP: AtomicBool = AtomicBool::new(false);

/// Asks every running test to stop at its next scan.
pub fn request_stop() {
    STOP.store(true, Ordering::Relaxed);
}

/// Whether [`request_stop`] was called.
pub fn stop_requested() -> bool {
    STOP.load(Ordering::Relaxed)
}

/// The outcome of one `[[test]]`.
#[derive(Clone, Debug)]
pub struct TestResult {
    pub name: String,
    /// The test's `description` in the spec.
    pub description: Option<String>,
    /// Wall-clock time the simulation took.
    pub elapsed: Duration,
    pub verdict: Verdict,
    /// For a test that did not pass: the scans that led there ([`super::trace`]).
    pub trace: Vec<ScanRow>,
}

#[derive(Clone, Debug)]
pub enum Verdict {
    Pass,
    /// A step's expectations did not all hold; the test stopped there.
    Fail {
        at: StepPoint,
        checks: Vec<Check>,
    },
    /// The program stopped with a run-time fault (or the simulator could not go on); the
    /// diagnostic points at the statement, or at the spec step.
    Error {
        at: StepPoint,
        diagnostic: Diagnostic,
    },
}

impl Verdict {
    pub fn passed(&self) -> bool {
        matches!(self, Verdict::Pass)
    }
}

/// Where in a test run something went wrong.
#[derive(Clone, Debug)]
pub struct StepPoint {
    /// 1-based.
    pub step: usize,
    /// The step in the spec file.
    pub span: Span,
    /// The scan that ran last (1-based, counted from the test's start).
    pub scan: u64,
    /// The simulated time at which that scan ran.
    pub time_ns: i128,
    /// The spec's inputs and in-outs at that moment, as ST literals (`?` if unreadable).
    pub inputs: Vec<(String, String)>,
}

/// One expectation of a step, checked.
#[derive(Clone, Debug)]
pub struct Check {
    /// As the spec spells it.
    pub name: String,
    pub expected: String,
    /// For an approximate expectation.
    pub tolerance: Option<String>,
    pub actual: String,
    pub ok: bool,
}

/// A spec's tests with every value in its run-time form.
pub struct Plan<'s> {
    /// Inputs with an `init` in the spec: written at the start of every test.
    inits: Vec<(Target<'s>, Value)>,
    /// Every input and in-out of the spec, for reports.
    inputs: Vec<(&'s str, Ty)>,
    tests: Vec<PlannedTest<'s>>,
    cycle_ns: i128,
    spec_file: FileId,
    /// The scan budget of each test.
    max_scans: u64,
}

struct PlannedTest<'s> {
    name: &'s str,
    description: Option<&'s str>,
    steps: Vec<PlannedStep<'s>>,
    /// The first step (0-based) at which the test's scans so far exceed the scan budget, with
    /// that count: such a test does not run.
    over_budget: Option<(usize, u64)>,
}

struct PlannedStep<'s> {
    span: Span,
    set: Vec<(Target<'s>, Value)>,
    /// One, and one more per cycle of the step's `wait`.
    scans: u64,
    expect: Vec<PlannedCheck<'s>>,
}

struct PlannedCheck<'s> {
    target: Target<'s>,
    ty: Ty,
    expected: Expectation,
}

/// A scalar a step writes or reads: `offset` slots into the variable `var` names (an element
/// or field of an array or structure, or the variable itself).
struct Target<'s> {
    var: &'s str,
    offset: u32,
    /// As reports name it: `Motor`, `Values[2]`, `Timer1.Q`.
    path: String,
}

impl<'s> Target<'s> {
    fn whole(var: &'s str) -> Self {
        Target {
            var,
            offset: 0,
            path: var.to_string(),
        }
    }

    fn of(var: &'s str, leaf: &Leaf) -> Self {
        Target {
            var,
            offset: leaf.offset,
            path: leaf.path.clone(),
        }
    }

    /// Its slot in the machine's memory: through the reference for an in-out.
    fn slot(&self, program: &Program, machine: &Machine<'_>) -> Option<usize> {
        let (offset, ty) = program.lookup(self.var)?;
        let at = machine.root_slot() + offset as usize;
        let start = match ty {
            Ty::InOut(_) => match machine.memory().get(at)? {
                Value::Address(a) => *a as usize,
                _ => return None,
            },
            _ => at,
        };
        Some(start + self.offset as usize)
    }
}

enum Expectation {
    Exact(Value),
    Approx { value: f64, tol: f64 },
}

/// Converts the spec's initial values, set values and expectations to the types the program
/// gives their variables. Values that do not fit are P004; variables the program does not
/// have are R006.
pub fn plan<'s>(
    spec: &'s Spec,
    spec_file: FileId,
    program: &Program,
    max_scans: u64,
) -> Result<Plan<'s>, Vec<Diagnostic>> {
    let mut diagnostics = Vec::new();
    // The spec's interface variables were matched with the implementation already; any other
    // name (an `expect` of a local, `Timer1.Q`) is resolved here, in the POU's instance.
    let declared = |name: &str| {
        let pou = &spec.pou;
        (name.eq_ignore_ascii_case("result") && pou.kind == spec::PouKind::Function)
            || pou
                .inputs
                .iter()
                .chain(&pou.outputs)
                .chain(&pou.in_outs)
                .any(|p| p.name.text.eq_ignore_ascii_case(name))
    };
    let ty_of = |name: &spec::Text, diagnostics: &mut Vec<Diagnostic>| {
        let ty = var_type(program, &name.text);
        if ty.is_none() {
            let d = if declared(&name.text) {
                Diagnostic::new(
                    Code::P007,
                    spec_file,
                    name.span,
                    format!(
                        "`{}` is not a variable of the program that a test can set or read",
                        name.text
                    ),
                )
            } else {
                Diagnostic::new(
                    Code::P003,
                    spec_file,
                    name.span,
                    format!(
                        "`{}` is not a variable of `{}` that a test can read",
                        name.text, spec.pou.name.text
                    ),
                )
                .with_help(
                    "`expect` names an input, output or in-out of the spec, or a variable of \
                     the POU's instance: a local (`Count`), an element (`Values[2]`), a \
                     member of an instance or structure (`Timer1.Q`)",
                )
            };
            diagnostics.push(d);
        }
        ty
    };
    let p004 = |(at, why): (Span, String), diagnostics: &mut Vec<Diagnostic>| {
        diagnostics.push(Diagnostic::new(Code::P004, spec_file, at, why));
    };
    // A value as the scalars it writes or compares; a value that does not fit is P004 at the
    // element that does not (at the name, for the value itself).
    let targets =
        |name: &'s spec::Text, ty: &Ty, value: &spec::Value, diagnostics: &mut Vec<Diagnostic>| {
            match leaves(value, ty, &name.text, name.span, program) {
                Ok(leaves) => Some(
                    leaves
                        .into_iter()
                        .map(|leaf| (Target::of(&name.text, &leaf), leaf))
                        .collect::<Vec<_>>(),
                ),
                Err(e) => {
                    p004(e, diagnostics);
                    None
                }
            }
        };
    let mut inits = Vec::new();
    let mut inputs = Vec::new();
    for param in spec.pou.inputs.iter().chain(&spec.pou.in_outs) {
        let Some(ty) = ty_of(&param.name, &mut diagnostics) else {
            continue;
        };
        if let Some(init) = &param.init {
            let value = literal_value(&init.text, &ty).and_then(|v| to_value(&v, &ty));
            match value {
                Ok(v) => inits.push((Target::whole(&param.name.text), v)),
                Err(why) => p004((init.span, why), &mut diagnostics),
            }
        }
        inputs.push((param.name.text.as_str(), ty));
    }
    let tests = spec
        .tests
        .iter()
        .map(|test| {
            let steps: Vec<PlannedStep> = test
                .steps
                .iter()
                .map(|step| {
                    let set = step
                        .set
                        .iter()
                        .filter_map(|(name, value)| {
                            let ty = ty_of(name, &mut diagnostics)?;
                            targets(name, &ty, value, &mut diagnostics)
                        })
                        .flatten()
                        .map(|(target, leaf)| (target, leaf.value))
                        .collect();
                    let expect = step
                        .expect
                        .iter()
                        .filter_map(|(name, expected)| {
                            let ty = ty_of(name, &mut diagnostics)?;
                            Some(match expected {
                                Expected::Exact(v) => targets(name, &ty, v, &mut diagnostics)?
                                    .into_iter()
                                    .map(|(target, leaf)| PlannedCheck {
                                        target,
                                        ty: leaf.ty,
                                        expected: Expectation::Exact(leaf.value),
                                    })
                                    .collect(),
                                Expected::Approx { value, tol } => vec![PlannedCheck {
                                    target: Target::whole(&name.text),
                                    ty,
                                    expected: Expectation::Approx {
                                        value: *value,
                                        tol: *tol,
                                    },
                                }],
                            })
                        })
                        .flatten()
                        .collect();
                    let cycles = step.wait_ns.unwrap_or(0) / spec.cycle_ns.max(1);
                    PlannedStep {
                        span: step.span,
                        set,
                        scans: u64::try_from(cycles).map_or(u64::MAX, |c| c.saturating_add(1)),
                        expect,
                    }
                })
                .collect();
            PlannedTest {
                name: &test.name.text,
                description: test.description.as_deref(),
                over_budget: over_budget(&steps, max_scans),
                steps,
            }
        })
        .collect();
    if !diagnostics.is_empty() {
        return Err(diagnostics);
    }
    Ok(Plan {
        inits,
        inputs,
        tests,
        cycle_ns: spec.cycle_ns,
        spec_file,
        max_scans,
    })
}

/// The first step after which a test has run more than `max_scans` scans, and that count.
fn over_budget(steps: &[PlannedStep<'_>], max_scans: u64) -> Option<(usize, u64)> {
    let mut total = 0u64;
    steps.iter().enumerate().find_map(|(index, step)| {
        total = total.saturating_add(step.scans);
        (total > max_scans).then_some((index, total))
    })
}

/// The run-time type of a variable of the root POU, by its spec name (`result` for a
/// function's result).
fn var_type(program: &Program, name: &str) -> Option<Ty> {
    program.lookup(name).map(|(_, ty)| ty.clone())
}

impl Plan<'_> {
    /// Runs every test, each on a fresh machine, in parallel; results in the spec's order.
    pub fn run_all(&self, program: &Program, properties: &Properties) -> Vec<TestResult> {
        use rayon::prelude::*;
        self.tests
            .par_iter()
            .map(|test| self.run(program, properties, test))
            .collect()
    }

    fn run(
        &self,
        program: &Program,
        properties: &Properties,
        test: &PlannedTest<'_>,
    ) -> TestResult {
        let started = Instant::now();
        let verdict = self.verdict(program, properties, test, None);
        let elapsed = started.elapsed();
        // The run is deterministic: a failed test runs again, recording what led to the failure.
        let trace = match &verdict {
            Verdict::Pass => Vec::new(),
            Verdict::Fail { checks, .. } => {
                let failing: Vec<&str> = checks
                    .iter()
                    .filter(|c| !c.ok)
                    .map(|c| c.name.as_str())
                    .collect();
                self.trace(program, properties, test, &failing)
            }
            Verdict::Error { .. } => self.trace(program, properties, test, &[]),
        };
        TestResult {
            name: test.name.to_string(),
            description: test.description.map(str::to_string),
            elapsed,
            verdict,
            trace,
        }
    }

    fn trace(
        &self,
        program: &Program,
        properties: &Properties,
        test: &PlannedTest<'_>,
        failing: &[&str],
    ) -> Vec<ScanRow> {
        let machine = Machine::new(program, self.cycle_ns);
        let inputs: Vec<&str> = self.inputs.iter().map(|(name, _)| *name).collect();
        let mut recorder = Recorder::new(program, &machine, &inputs, failing);
        self.verdict(program, properties, test, Some(&mut recorder));
        recorder.finish()
    }

    fn verdict(
        &self,
        program: &Program,
        properties: &Properties,
        test: &PlannedTest<'_>,
        mut recorder: Option<&mut Recorder>,
    ) -> Verdict {
        let mut machine = Machine::new(program, self.cycle_ns);
        let mut monitor = properties.monitor(&machine);
        let mut scans = 0u64;
        let mut time_ns = machine.now_ns();
        if let Some((index, needed)) = test.over_budget {
            let step = &test.steps[index];
            return Verdict::Error {
                at: StepPoint {
                    step: index + 1,
                    span: step.span,
                    scan: 0,
                    time_ns,
                    inputs: self.inputs(program, &machine),
                },
                diagnostic: self.over_budget(step.span, index + 1, needed),
            };
        }
        for (index, step) in test.steps.iter().enumerate() {
            let at = |machine: &Machine<'_>, scans, time_ns| StepPoint {
                step: index + 1,
                span: step.span,
                scan: scans,
                time_ns,
                inputs: self.inputs(program, machine),
            };
            // The spec's initial values are written before the first step's own.
            let inits = (index == 0).then_some(&self.inits).into_iter().flatten();
            for (target, value) in inits.chain(&step.set) {
                let slot = target.slot(program, &machine);
                if !slot.is_some_and(|slot| machine.set_slot(slot, value.clone())) {
                    let diagnostic =
                        self.unsupported(step.span, format!("cannot write `{}`", target.path));
                    return Verdict::Error {
                        at: at(&machine, scans, time_ns),
                        diagnostic,
                    };
                }
            }
            // A property violated in the step's last scan is reported with the step's own
            // expectations; one violated earlier ends the test there.
            let mut violated = Vec::new();
            for scan in 0..step.scans {
                if stop_requested() {
                    return Verdict::Error {
                        at: at(&machine, scans, time_ns),
                        diagnostic: self.interrupted(step.span, scans),
                    };
                }
                time_ns = machine.now_ns();
                scans += 1;
                let scanned = machine.scan();
                if let Some(recorder) = recorder.as_deref_mut() {
                    recorder.after_scan(&machine, scans, time_ns, index + 1);
                }
                let watched =
                    scanned.and_then(|()| monitor.after_scan(&mut machine, scans, time_ns));
                match watched {
                    Ok(violations) if violations.is_empty() => {}
                    Ok(violations) if scan + 1 == step.scans => violated = violations,
                    Ok(violations) => {
                        return Verdict::Fail {
                            at: at(&machine, scans, time_ns),
                            checks: violations.into_iter().map(failed).collect(),
                        };
                    }
                    Err(fault) => {
                        return Verdict::Error {
                            at: at(&machine, scans, time_ns),
                            diagnostic: fault.diagnostic(),
                        };
                    }
                }
            }
            let mut checks = Vec::with_capacity(step.expect.len() + 1);
            for check in &step.expect {
                let slot = check.target.slot(program, &machine);
                let Some(actual) = slot.and_then(|slot| machine.memory().get(slot).cloned()) else {
                    let diagnostic =
                        self.unsupported(step.span, format!("cannot read `{}`", check.target.path));
                    return Verdict::Error {
                        at: at(&machine, scans, time_ns),
                        diagnostic,
                    };
                };
                checks.push(check.against(&actual));
            }
            checks.extend(violated.into_iter().map(failed));
            if checks.iter().any(|c| !c.ok) {
                return Verdict::Fail {
                    at: at(&machine, scans, time_ns),
                    checks,
                };
            }
        }
        Verdict::Pass
    }

    fn inputs(&self, program: &Program, machine: &Machine<'_>) -> Vec<(String, String)> {
        self.inputs
            .iter()
            .map(|(name, ty)| {
                let value = Target::whole(name).slot(program, machine).map_or_else(
                    || "?".to_string(),
                    |slot| show(program, machine, slot, literal::unwrap_in_out(ty)),
                );
                (name.to_string(), value)
            })
            .collect()
    }

    /// P008 at the step where a test would pass its scan budget.
    fn over_budget(&self, step: Span, number: usize, needed: u64) -> Diagnostic {
        // The count saturates: a wait that long is "at least" that many scans.
        let needed = match needed {
            u64::MAX => format!("at least {}", thousands(needed)),
            _ => thousands(needed),
        };
        Diagnostic::new(
            Code::P008,
            self.spec_file,
            step,
            format!(
                "the test would run {needed} scans by the end of step {number}, more than the \
                 scan budget of {} (raise it with `--max-scans`)",
                thousands(self.max_scans)
            ),
        )
    }

    /// R010 at the step a test was running when the run was interrupted.
    fn interrupted(&self, step: Span, scans: u64) -> Diagnostic {
        Diagnostic::new(
            Code::R010,
            self.spec_file,
            step,
            format!("the run was interrupted after scan {}", thousands(scans)),
        )
    }

    /// P007 at a spec step: the step names a variable the machine cannot set or read.
    fn unsupported(&self, step: Span, what: String) -> Diagnostic {
        Diagnostic::new(Code::P007, self.spec_file, step, format!("a test {what}"))
    }
}

/// The value at `slot` of a variable of type `ty` as ST writes it: a literal, an array's
/// elements in brackets (all dimensions in a row), a structure's fields in parentheses.
fn show(program: &Program, machine: &Machine<'_>, slot: usize, ty: &Ty) -> String {
    match ty {
        Ty::Array { dims, elem } => {
            let count: i128 = dims.iter().map(|(lo, hi)| (hi - lo + 1).max(0)).product();
            let size = elem.size(&program.bodies) as usize;
            let items: Vec<String> = (0..count as usize)
                .map(|i| show(program, machine, slot + i * size, elem))
                .collect();
            format!("[{}]", items.join(", "))
        }
        Ty::Struct(fields) => {
            let fields: Vec<String> = fields
                .iter()
                .map(|f| {
                    let value = show(program, machine, slot + f.offset as usize, &f.ty);
                    format!("{} := {value}", f.name)
                })
                .collect();
            format!("({})", fields.join(", "))
        }
        _ => machine
            .memory()
            .get(slot)
            .filter(|_| ty.is_scalar())
            .map_or_else(|| "?".to_string(), |v| literal::value(v, Some(ty))),
    }
}

/// `864,000,001`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// A violated property as a failed check of the step, for the reports.
fn failed(v: Violation) -> Check {
    Check {
        name: v.name,
        expected: v.expected,
        tolerance: None,
        actual: "FALSE".into(),
        ok: false,
    }
}

impl PlannedCheck<'_> {
    fn against(&self, actual: &Value) -> Check {
        let ok = match (&self.expected, actual) {
            // The element type is the variable's; only the value matters.
            (Expectation::Exact(Value::Int(_, a)), Value::Int(_, b)) => a == b,
            (Expectation::Exact(Value::Real(_, a)), Value::Real(_, b)) => a == b,
            (Expectation::Exact(Value::Time(_, a)), Value::Time(_, b)) => a == b,
            (Expectation::Exact(expected), actual) => expected == actual,
            (Expectation::Approx { value, tol }, Value::Real(_, x)) => (x - value).abs() <= *tol,
            (Expectation::Approx { .. }, _) => false,
        };
        let (expected, tolerance) = match &self.expected {
            Expectation::Exact(v) => (literal::value(v, Some(&self.ty)), None),
            Expectation::Approx { value, tol } => {
                let e = match literal::unwrap_in_out(&self.ty) {
                    Ty::Elem(e) => *e,
                    _ => Elem::LReal,
                };
                (literal::real(e, *value), Some(literal::real(e, *tol)))
            }
        };
        Check {
            name: self.target.path.clone(),
            expected,
            tolerance,
            actual: literal::value(actual, Some(&self.ty)),
            ok,
        }
    }
}
