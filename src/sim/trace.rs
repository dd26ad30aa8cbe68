//! Scans as a table, for people and for a model repairing its code: a row per scan with its
//! number, time (and test step), the inputs, then the outputs and other variables after it; the
//! last row, where something failed, marked `<`. `stforge verify` prints its counterexamples
//! this way and `stforge test --trace` the scans before a failing step, so the two read alike.

use crate::ir::VarKind;
use crate::ir::literal;
use crate::sema::types::Elem;
use crate::value::Value;

/// One scan: the variables' values after it.
#[derive(Clone, Debug)]
pub struct ScanRow {
    /// 1-based, counted from the start of the run.
    pub scan: u64,
    /// The simulated time at which the scan ran.
    pub time_ns: i128,
    /// The test step the scan belongs to (1-based), for a test's trace.
    pub step: Option<usize>,
    /// Name, role and value; the same names in the same order in every row.
    pub values: Vec<(String, VarKind, Value)>,
}

/// The rows as an aligned table, inputs first, then outputs, then the rest.
pub fn table(rows: &[ScanRow]) -> String {
    let Some(first) = rows.first() else {
        return String::new();
    };
    let order = |k: VarKind| match k {
        VarKind::Input | VarKind::InOut => 0,
        VarKind::Output => 1,
        _ => 2,
    };
    let mut columns: Vec<usize> = (0..first.values.len()).collect();
    columns.sort_by_key(|&i| order(first.values[i].1));
    let with_step = rows.iter().any(|r| r.step.is_some());
    let mut header = vec!["scan".to_string(), "time".to_string()];
    if with_step {
        header.push("step".to_string());
    }
    header.extend(columns.iter().map(|&i| {
        let (name, kind, _) = &first.values[i];
        match kind {
            VarKind::Input | VarKind::InOut => format!("{name} (in)"),
            VarKind::Output => format!("{name} (out)"),
            _ => name.clone(),
        }
    }));
    let last = rows.len();
    let body: Vec<Vec<String>> = rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let marker = if i + 1 == last { " <" } else { "" };
            let mut cells = vec![
                format!("{}{marker}", row.scan),
                literal::time(Elem::Time, row.time_ns),
            ];
            if with_step {
                cells.push(row.step.map_or(String::new(), |s| s.to_string()));
            }
            cells.extend(
                columns
                    .iter()
                    .map(|&c| literal::value(&row.values[c].2, None)),
            );
            cells
        })
        .collect();
    crate::table::aligned(&header, &body)
}
