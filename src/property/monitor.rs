//! The properties watched by the simulator, after every scan of a test: a test that drives the
//! program into a violation fails there, even where its own expectations would pass.

use super::{Kind, Properties};
use crate::sim::{Machine, RunFault};
use crate::spec::Within;
use crate::value::Value;

/// A property that did not hold.
pub struct Violation {
    /// The property's index in [`Properties::properties`].
    pub index: usize,
    /// `property "name"`.
    pub name: String,
    /// What should have held (`TRUE`, or the response and its window).
    pub expected: String,
}

/// One test's progress through the response properties: the earliest trigger still waiting for
/// its response, per property.
pub struct Monitor<'w> {
    properties: &'w Properties,
    pending: Vec<Option<Deadline>>,
    /// Where a property reads `PREV`: the memory between scans after the previous scan (before
    /// the first: the initial memory).
    previous: Option<Vec<Value>>,
}

#[derive(Clone, Copy)]
enum Deadline {
    Scan(u64),
    Time(i128),
}

impl Properties {
    /// A monitor for a run of `machine`, which has not scanned yet: its memory is what `PREV`
    /// reads in the first scan.
    pub fn monitor(&self, machine: &Machine<'_>) -> Monitor<'_> {
        Monitor {
            properties: self,
            pending: vec![None; self.properties.len()],
            previous: self.prev.then(|| machine.memory().to_vec()),
        }
    }
}

impl Monitor<'_> {
    /// Checks every property after scan `scan`, which ran at `time_ns`, and returns those that
    /// failed in it. The machine's clock
    /// says when the next scan runs. A response is violated at the last scan of its window: the
    /// one after which no scan inside the window is left.
    pub fn after_scan(
        &mut self,
        machine: &mut Machine<'_>,
        scan: u64,
        time_ns: i128,
    ) -> Result<Vec<Violation>, RunFault> {
        let next_ns = machine.now_ns();
        let w = self.properties;
        let mut violations = Vec::new();
        for (i, watch) in w.properties.iter().enumerate() {
            let mut holds = |e: usize| match &mut self.previous {
                Some(previous) => machine.holds_since(&w.exprs[e], previous, w.file, watch.span),
                None => machine.holds(&w.exprs[e], w.file, watch.span),
            };
            match &watch.kind {
                Kind::Invariant(e) => {
                    if !holds(*e)? {
                        violations.push(Violation {
                            index: i,
                            name: format!("property \"{}\"", watch.name),
                            expected: "TRUE".into(),
                        });
                    }
                }
                Kind::Response {
                    when,
                    then,
                    within,
                    text,
                } => {
                    if holds(*when)? && self.pending[i].is_none() {
                        self.pending[i] = Some(match within {
                            Within::Scans(n) => Deadline::Scan(scan + n),
                            Within::Time(t) => Deadline::Time(time_ns + t),
                        });
                    }
                    let Some(deadline) = self.pending[i] else {
                        continue;
                    };
                    if holds(*then)? {
                        self.pending[i] = None;
                        continue;
                    }
                    // Violated when no later scan is still inside the window.
                    let missed = match deadline {
                        Deadline::Scan(last) => scan >= last,
                        Deadline::Time(last) => next_ns > last,
                    };
                    if missed {
                        let window = match within {
                            Within::Scans(n) => format!("{n} scan(s)"),
                            Within::Time(t) => {
                                crate::ir::literal::time(crate::sema::types::Elem::Time, *t)
                            }
                        };
                        violations.push(Violation {
                            index: i,
                            name: format!("property \"{}\"", watch.name),
                            expected: format!("`{text}` within {window}"),
                        });
                    }
                }
            }
        }
        if let Some(previous) = &mut self.previous {
            previous.clone_from_slice(machine.memory());
        }
        Ok(violations)
    }
}
