//! Diagnostic rendering benchmark: `cargo bench --bench render`.
//!
//! Renders N real diagnostics (T001 `unknown name`, one per statement `x := y;`) the way
//! `stforge check` prints them — for a terminal (`render::to_terminal`, each with its excerpt;
//! no per-file limit, which is the CLI's) and as JSON (`render::to_json`, then the pretty
//! array) — for N = a tenth of the count and the count, so the ratio shows whether the time is
//! linear. Two layouts: one statement per line, and all statements on one line (a minified or
//! generated file, where any per-diagnostic rescan of the line would be quadratic).
//!
//! Environment: `STFORGE_BENCH_DIAGNOSTICS` (default 100000), `STFORGE_BENCH_RUNS` (default 5).

// Shared by the benchmarks; this one needs only the measurement helpers, not the generator.
#[allow(dead_code)]
mod common;

use common::{env_usize, median, thousands};
use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Duration;
use stforge::check::{Options, Stage, check_sources};
use stforge::diagnostics::{Diagnostic, render};
use stforge::sema::Dialect;
use stforge::source::{Encoding, SourceMap};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A program with `n` statements that each give one error, `separator` between them.
fn flood(n: usize, separator: &str) -> (SourceMap, Vec<Diagnostic>) {
    let mut text = String::from("PROGRAM P\nVAR x : INT; END_VAR\n");
    for _ in 0..n {
        text.push_str("x := y;");
        text.push_str(separator);
    }
    text.push_str("\nEND_PROGRAM\n");
    let mut files = SourceMap::default();
    files.add(PathBuf::from("flood.st"), text, Encoding::Utf8);
    let options = Options {
        stage: Stage::All,
        dialect: Dialect::Iec,
    };
    let diagnostics = check_sources(&files, &HashSet::new(), options);
    assert_eq!(diagnostics.len(), n, "one diagnostic per statement");
    (files, diagnostics)
}

fn text(files: &SourceMap, diagnostics: &[Diagnostic]) -> usize {
    diagnostics
        .iter()
        .map(|d| render::to_terminal(d, files, false).len())
        .sum()
}

fn json(files: &SourceMap, diagnostics: &[Diagnostic]) -> usize {
    let records: Vec<_> = diagnostics
        .iter()
        .map(|d| render::to_json(d, files))
        .collect();
    serde_json::to_string_pretty(&records)
        .expect("diagnostics serialise")
        .len()
}

fn main() {
    let count = env_usize("STFORGE_BENCH_DIAGNOSTICS", 100_000).max(10);
    let runs = env_usize("STFORGE_BENCH_RUNS", 5).max(1);
    let small = count / 10;
    println!(
        "{:<34} {:>12} {:>12} {:>7}",
        "rendering (median)",
        thousands(small as u64),
        thousands(count as u64),
        "ratio"
    );
    for (layout, separator) in [("one per line", "\n"), ("all on one line", " ")] {
        let (small_files, small_found) = flood(small, separator);
        let (files, found) = flood(count, separator);
        for (format, render) in [
            ("text", text as fn(&SourceMap, &[Diagnostic]) -> usize),
            ("json", json),
        ] {
            let a = median(runs, || render(&small_files, &small_found));
            let b = median(runs, || render(&files, &found));
            println!(
                "{:<34} {:>12} {:>12} {:>6.1}×",
                format!("{format}, {layout}"),
                seconds(a),
                seconds(b),
                b.as_secs_f64() / a.as_secs_f64()
            );
        }
    }
}

fn seconds(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}
