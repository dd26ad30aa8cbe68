//! Simulator speed: `cargo bench --bench sim`.
//!
//! Lowers `benches/fixtures/pump_station.st` (a function block of 50 statements calling two
//! TON timers) and runs it for `STFORGE_BENCH_SCANS` scans (default 3,600,000: one hour at a
//! 1 ms cycle), with the inputs changing every few hundred scans so that every branch and
//! both timers work. Reports scans per second (median of `STFORGE_BENCH_RUNS`, default 7).

// Shared by the benchmarks; this one needs only the measurement helpers, not the generator.
#[allow(dead_code)]
mod common;

use common::{env_usize, median, thousands};
use stforge::ir;
use stforge::sema::{self, Dialect, SemaFile};
use stforge::sim::Machine;
use stforge::source::FileId;
use stforge::syntax::{self, ast};
use stforge::value::Value;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SOURCE: &str = include_str!("fixtures/pump_station.st");

fn main() {
    let scans = env_usize("STFORGE_BENCH_SCANS", 3_600_000).max(1);
    let runs = env_usize("STFORGE_BENCH_RUNS", 7).max(1);
    let parsed = syntax::parse(FileId(0), SOURCE);
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    let files = [SemaFile {
        id: FileId(0),
        unit: &parsed.unit,
        stem: "pump_station".into(),
        library: false,
    }];
    let analysis = sema::analyze(&files, Dialect::Codesys);
    let errors: Vec<_> = analysis
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let program = ir::lower(&analysis, "PumpStation").expect("the benchmark FB lowers");
    let statements = count_statements(&parsed.unit);
    println!("pump_station.st: {statements} statements, 2 TON instances, {scans} scans per run");

    let time = median(runs, || {
        let mut m = Machine::new(&program, 1_000_000);
        for scan in 0..scans {
            if scan.is_multiple_of(256) {
                drive(&mut m, scan);
            }
            m.scan().expect("no run-time fault");
        }
        // The run did real work: the pumps started and alternated.
        match m.read("Starts") {
            Some(Value::Int(_, n)) if n > 10 => n as usize,
            other => panic!("the station never cycled: Starts = {other:?}"),
        }
    });
    let rate = scans as f64 / time.as_secs_f64();
    println!(
        "simulator: median {} scans/s ({:.2} s for {} scans)",
        thousands(rate as u64),
        time.as_secs_f64(),
        thousands(scans as u64)
    );
}

/// Inputs for the next stretch of scans: the level rises and falls in a sawtooth, the pumps'
/// feedback follows their outputs, and the station is switched off now and then.
fn drive(m: &mut Machine<'_>, scan: usize) {
    let level = ((scan / 256) % 100) as f64;
    let level = if (scan / 25_600).is_multiple_of(2) {
        level
    } else {
        100.0 - level
    };
    m.write(
        "Level",
        Value::Real(stforge::sema::types::Elem::Real, level),
    );
    m.write("Auto", Value::Bool(scan % 100_000 < 90_000));
    m.write("Stop", Value::Bool(false));
    m.write("Pump1Ready", Value::Bool(true));
    m.write("Pump2Ready", Value::Bool(scan % 50_000 > 1_000));
    for (out, feedback) in [("Pump1", "Pump1Running"), ("Pump2", "Pump2Running")] {
        let running = m.read(out).unwrap_or(Value::Bool(false));
        m.write(feedback, running);
    }
    m.write("Reset", Value::Bool(scan.is_multiple_of(10_000)));
}

fn count_statements(unit: &ast::SourceUnit) -> usize {
    fn count(stmts: &[ast::Stmt]) -> usize {
        stmts
            .iter()
            .map(|s| {
                1 + match &s.kind {
                    ast::StmtKind::If {
                        branches,
                        else_body,
                    } => {
                        branches.iter().map(|b| count(&b.body)).sum::<usize>()
                            + else_body.as_deref().map_or(0, count)
                    }
                    ast::StmtKind::Case {
                        arms, else_body, ..
                    } => {
                        arms.iter().map(|a| count(&a.body)).sum::<usize>()
                            + else_body.as_deref().map_or(0, count)
                    }
                    ast::StmtKind::For(f) => count(&f.body),
                    ast::StmtKind::While { body, .. } | ast::StmtKind::Repeat { body, .. } => {
                        count(body)
                    }
                    _ => 0,
                }
            })
            .sum()
    }
    unit.items
        .iter()
        .map(|item| match item {
            ast::Item::Pou(p) => count(&p.body),
            _ => 0,
        })
        .sum()
}
