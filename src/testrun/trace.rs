//! The trace of a failing test: the scans that led to the failure, with the inputs, every
//! output, and the locals and function block states (a timer's `Q` and `ET`) the failing
//! expectations depend on ([`crate::ir::depends`]). A reader — a person, or a model repairing
//! its code — sees the phases of the run without rebuilding them from the expectations alone.
//!
//! Rows are kept where something other than a time value changed, where a step begins, and the
//! last scan; a timer's `ET` counting up alone does not make a row. The latest [`ROWS`] are
//! kept.

use crate::ir::depends::dependencies;
use crate::ir::{Program, Ty, VarKind};
use crate::sim::Machine;
use crate::sim::trace::ScanRow;
use crate::value::Value;
use std::collections::VecDeque;

/// How many rows a trace keeps, the latest.
pub const ROWS: usize = 12;

/// A variable the trace shows: its name, role and slot in the machine's memory.
struct Watched {
    name: String,
    kind: VarKind,
    slot: usize,
}

/// Collects the rows of a trace while a test runs.
pub struct Recorder {
    watched: Vec<Watched>,
    rows: VecDeque<ScanRow>,
    /// The last scan, kept until the run ends.
    last: Option<ScanRow>,
    /// The values of the last kept row, to see what changed.
    previous: Option<Vec<Value>>,
    step: usize,
}

impl Recorder {
    /// Watches `inputs` (the spec's), every scalar output of the root, and what the variables
    /// named in `failing` depend on (every output's dependencies when none of them is a
    /// variable: a failed property).
    pub fn new(
        program: &Program,
        machine: &Machine<'_>,
        inputs: &[&str],
        failing: &[&str],
    ) -> Self {
        let root = program.root();
        let mut watched: Vec<Watched> = Vec::new();
        let watch = |name: String, kind: VarKind, watched: &mut Vec<Watched>| {
            let taken = watched.iter().any(|w| w.name.eq_ignore_ascii_case(&name));
            if let Some(slot) = machine.slot(&name).filter(|_| !taken) {
                watched.push(Watched { name, kind, slot });
            }
        };
        for name in inputs {
            watch(name.to_string(), VarKind::Input, &mut watched);
        }
        let outputs: Vec<usize> = (0..root.vars.len())
            .filter(|&i| root.vars[i].kind == VarKind::Output && root.vars[i].ty.is_scalar())
            .collect();
        for &i in &outputs {
            watch(root.vars[i].name.to_string(), VarKind::Output, &mut watched);
        }
        let head = |path: &str| path.split(['.', '[']).next().unwrap_or("").to_string();
        let mut targets: Vec<usize> = failing
            .iter()
            .filter_map(|f| {
                let head = head(f);
                root.vars
                    .iter()
                    .position(|v| v.name.eq_ignore_ascii_case(&head))
            })
            .collect();
        if targets.is_empty() {
            targets = outputs;
        }
        for i in dependencies(program, &targets) {
            let var = &root.vars[i];
            match &var.ty {
                Ty::Instance(body) => {
                    for member in &program.body(*body).vars {
                        if member.kind == VarKind::Output && member.ty.is_scalar() {
                            let name = format!("{}.{}", var.name, member.name);
                            watch(name, VarKind::Local, &mut watched);
                        }
                    }
                }
                _ => watch(var.name.to_string(), var.kind, &mut watched),
            }
        }
        Recorder {
            watched,
            rows: VecDeque::new(),
            last: None,
            previous: None,
            step: 0,
        }
    }

    /// Called after each scan of step `step` (1-based), which ran at `time_ns`.
    pub fn after_scan(&mut self, machine: &Machine<'_>, scan: u64, time_ns: i128, step: usize) {
        let memory = machine.memory();
        let values: Vec<Value> = self
            .watched
            .iter()
            .map(|w| memory[w.slot].clone())
            .collect();
        let changed = self.previous.as_ref().is_none_or(|before| {
            before
                .iter()
                .zip(&values)
                .any(|(b, v)| b != v && !matches!(v, Value::Time(..)))
        });
        let new_step = std::mem::replace(&mut self.step, step) != step;
        let row = ScanRow {
            scan,
            time_ns,
            step: Some(step),
            values: self
                .watched
                .iter()
                .zip(&values)
                .map(|(w, v)| (w.name.clone(), w.kind, v.clone()))
                .collect(),
        };
        if changed || new_step {
            self.previous = Some(values);
            self.keep(row);
            self.last = None;
        } else {
            self.last = Some(row);
        }
    }

    fn keep(&mut self, row: ScanRow) {
        if self.rows.len() == ROWS {
            self.rows.pop_front();
        }
        self.rows.push_back(row);
    }

    /// The rows, oldest first, the last scan last.
    pub fn finish(mut self) -> Vec<ScanRow> {
        if let Some(last) = self.last.take() {
            self.keep(last);
        }
        self.rows.into()
    }
}
