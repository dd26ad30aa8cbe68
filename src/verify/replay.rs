//! Counterexamples replayed on the simulator: the same program, the inputs and scan times z3
//! chose, a fresh [`Machine`]. A violation is reported only when the simulator shows it too; a
//! replay that disagrees is either an over-approximation (the trace depends on a value the
//! encoder does not model) or a bug in one of the two semantics.

use super::engine::{ModelValue, TraceStep};
use super::symbolic::{CASE_CODE, SiteKey, fault_code};
use super::system::{Goal, System};
use crate::sim::Machine;
use crate::sim::trace::ScanRow;
use crate::value::{NS_PER_MS, Semantics, Value, fit};

/// What the simulator did with a counterexample.
#[derive(Clone, Debug)]
pub struct Replay {
    /// Every scan: its time and the root's named variables afterwards.
    pub scans: Vec<ScanRow>,
    /// What the simulator saw, with the scan (1-based) it happened in: every property that
    /// failed and every CASE without ELSE that matched no branch; a fault ends the replay.
    pub events: Vec<(usize, Event)>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    Fault(SiteKey),
    Property(usize),
    /// A CASE without ELSE matched no branch (a warning: the scan went on).
    UnmatchedCase(SiteKey),
}

impl Replay {
    /// Whether the replay shows the goal failing in its last scan, as the counterexample says.
    pub fn confirms(&self, goal: &Goal, scans: usize) -> bool {
        self.events.iter().any(|(at, event)| {
            *at == scans
                && match (goal, event) {
                    (Goal::Property(p), Event::Property(q)) => p == q,
                    (Goal::Fault(key), Event::Fault(site)) => key == site,
                    (Goal::Case(key), Event::UnmatchedCase(site)) => key == site,
                    _ => false,
                }
        })
    }
}

/// Runs the trace on a fresh machine and watches the properties.
pub fn replay(system: &System<'_>, trace: &[TraceStep]) -> Replay {
    let mut machine = Machine::new(system.program, system.cycle_ns);
    machine.watch_unmatched_cases();
    let mut monitor = system.properties.map(|p| p.monitor(&machine));
    let mut scans = Vec::new();
    let mut events = Vec::new();
    for (i, step) in trace.iter().enumerate() {
        for (slot, value) in &step.inputs {
            let sem = system.program.semantics;
            if let Some(v) = value.and_then(|v| to_value(&system.init[*slot], v, sem)) {
                machine.set_slot(*slot, v);
            }
        }
        let time_ns = machine.now_ns();
        let result = machine.scan_then_advance(step.elapsed_ns);
        scans.push(ScanRow {
            scan: i as u64 + 1,
            time_ns,
            step: None,
            values: system
                .named
                .iter()
                .map(|(slot, name, kind, _)| (name.clone(), *kind, machine.memory()[*slot].clone()))
                .collect(),
        });
        for (file, span) in machine.unmatched_cases() {
            let key = SiteKey {
                code: CASE_CODE,
                file: *file,
                start: span.start,
                end: span.end,
            };
            events.push((i + 1, Event::UnmatchedCase(key)));
        }
        if let Err(fault) = result {
            let key = SiteKey {
                code: fault_code(&fault.fault),
                file: fault.file,
                start: fault.span.start,
                end: fault.span.end,
            };
            events.push((i + 1, Event::Fault(key)));
            break;
        }
        if let Some(monitor) = &mut monitor {
            match monitor.after_scan(&mut machine, i as u64 + 1, time_ns) {
                Ok(violations) => {
                    events.extend(violations.iter().map(|v| (i + 1, Event::Property(v.index))))
                }
                // A property that cannot be evaluated (a fault in it) ends the replay.
                Err(_) => break,
            }
        }
    }
    Replay { scans, events }
}

/// A model's value in the run-time form of the slot's initial value.
fn to_value(like: &Value, v: ModelValue, sem: Semantics) -> Option<Value> {
    match (like, v) {
        (Value::Bool(_), ModelValue::Bool(b)) => Some(Value::Bool(b)),
        (Value::Int(e, _), ModelValue::Bits(bits)) => fit(*e, bits as i128, true).ok(),
        // A 32-bit TIME's term counts milliseconds, unsigned.
        (Value::Time(e, _), ModelValue::Bits(ms)) if sem.counts_ms(*e) => {
            Some(Value::Time(*e, (ms as u32) as i128 * NS_PER_MS))
        }
        (Value::Time(e, _), ModelValue::Bits(bits)) => Some(Value::Time(*e, bits as i64 as i128)),
        (Value::Real(e, _), ModelValue::Float(x)) => Some(Value::Real(*e, x)),
        _ => None,
    }
}
