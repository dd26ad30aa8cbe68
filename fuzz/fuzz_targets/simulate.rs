//! Fuzzes lowering and simulation: the first byte picks the dialect, the rest is one source
//! file. When it checks without errors, every program, function block and function in it is
//! lowered as a root and, if it lowers, run for 20 scans with its inputs changing every scan.
//! Checks that nothing panics, overflows the stack or hangs (endless loops must end in the
//! watchdog's R005), and that every fault and lowering diagnostic lies inside the file.

#![no_main]

use libfuzzer_sys::fuzz_target;
use stforge::ir::{self, Ty, VarKind};
use stforge::sema::types::{Category, Elem};
use stforge::sema::{self, Dialect, SemaFile};
use stforge::sim::Machine;
use stforge::value::Value;
use stforge::source::{FileId, decode};
use stforge::syntax::{self, ast};

fuzz_target!(|bytes: &[u8]| {
    let Some((&first, rest)) = bytes.split_first() else {
        return;
    };
    let dialect = [Dialect::Iec, Dialect::Codesys, Dialect::Twincat, Dialect::Siemens, Dialect::Rusty]
        [first as usize % 5];
    let text = decode(rest).text;
    let parsed = syntax::parse(FileId(0), &text);
    if parsed.diagnostics.iter().any(|d| d.is_error()) {
        return;
    }
    let files = [SemaFile {
        id: FileId(0),
        unit: &parsed.unit,
        stem: "fuzz".into(),
        library: false,
    }];
    let analysis = sema::analyze(&files, dialect);
    if analysis.diagnostics.iter().any(|d| d.is_error()) {
        return;
    }
    let inside = |span: stforge::source::Span| span.start <= span.end && span.end as usize <= text.len();
    for item in &parsed.unit.items {
        let ast::Item::Pou(pou) = item else { continue };
        let Some(name) = &pou.name else { continue };
        let program = match ir::lower(&analysis, &name.name) {
            Ok(p) => p,
            Err(diagnostics) => {
                for d in diagnostics.iter().filter(|d| d.primary.file == FileId(0)) {
                    assert!(inside(d.primary.span), "{d:?}");
                }
                continue;
            }
        };
        let mut m = Machine::new(&program, 10_000_000);
        let inputs: Vec<(String, Elem)> = program
            .root()
            .vars
            .iter()
            .filter(|v| v.kind == VarKind::Input)
            .filter_map(|v| match v.ty {
                Ty::Elem(e) => Some((v.name.to_string(), e)),
                _ => None,
            })
            .collect();
        for scan in 0..20u32 {
            for (i, (name, e)) in inputs.iter().enumerate() {
                let seed = bytes.get((scan as usize * 7 + i) % bytes.len()).copied().unwrap_or(0);
                m.write(name, value(*e, seed));
            }
            if let Err(fault) = m.scan() {
                if fault.file == FileId(0) {
                    assert!(inside(fault.span), "{fault:?}");
                }
                break;
            }
        }
    }
});

/// An input value of type `e` from one byte.
fn value(e: Elem, seed: u8) -> Value {
    let v = seed as i128 - 100;
    match e.category() {
        _ if e == Elem::Bool => Value::Bool(seed & 1 == 1),
        Category::Real => Value::Real(e, v as f64 / 3.0),
        Category::Duration | Category::Date => Value::Time(e, seed as i128 * 10_000_000),
        _ => {
            let (lo, hi) = e.int_range().unwrap_or((0, 0));
            Value::Int(e, v.clamp(lo, hi))
        }
    }
}
