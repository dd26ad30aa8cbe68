//! Checker throughput benchmark: `cargo bench --bench check`.
//!
//! Checks the generated corpus of the parser benchmark (default 2,000 files of about 500
//! lines, with types, function blocks, standard timers and counters) as one project in the
//! `codesys` dialect, verifies that it has no errors, then measures (median of N runs):
//!
//! * parse only, one thread;
//! * parse + resolve + type check, one thread;
//! * parse + resolve + type check with rayon (all cores).
//!
//! Environment: `STFORGE_BENCH_FILES` (default 2000), `STFORGE_BENCH_RUNS` (default 7).

mod common;

use common::{env_usize, generate_file, median, thousands};
use std::path::PathBuf;
use std::time::Duration;
use stforge::check::{Options, Stage, check_sources};
use stforge::diagnostics::Severity;
use stforge::sema::Dialect;
use stforge::source::{Encoding, SourceMap};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let files = env_usize("STFORGE_BENCH_FILES", 2000).max(1);
    let runs = env_usize("STFORGE_BENCH_RUNS", 7).max(1);
    let mut map = SourceMap::default();
    let mut lines = 0;
    for i in 0..files {
        let text = generate_file(i);
        lines += text.lines().count();
        map.add(
            PathBuf::from(format!("bench_{i:05}.st")),
            text,
            Encoding::Utf8,
        );
    }
    let options = |stage| Options {
        stage,
        dialect: Dialect::Codesys,
    };
    let none = Default::default();

    // The corpus must check without errors: the benchmark measures the normal path.
    let diagnostics = check_sources(&map, &none, options(Stage::All));
    let errors: Vec<_> = diagnostics.iter().filter(|d| d.is_error()).collect();
    if let Some(first) = errors.first() {
        panic!(
            "the generated corpus has {} errors; first: {} {} in file {}",
            errors.len(),
            first.code,
            first.message,
            first.primary.file.0
        );
    }
    let warnings = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .count();
    eprintln!("corpus: {files} files, {lines} lines; no errors, {warnings} warnings");

    let single = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a one-thread pool");
    let measure = |stage, pool: Option<&rayon::ThreadPool>| {
        median(runs, || {
            let run = || check_sources(&map, &none, options(stage)).len();
            match pool {
                Some(pool) => pool.install(run),
                None => run(),
            }
        })
    };
    let parse_1 = measure(Stage::Parse, Some(&single));
    let check_1 = measure(Stage::All, Some(&single));
    let check_n = measure(Stage::All, None);
    let threads = rayon::current_num_threads();

    let rate = |t: Duration| thousands((lines as f64 / t.as_secs_f64()) as u64);
    let row = |name: &str, t: Duration| {
        println!(
            "| {name:<40} | {:>10.1} | {:>12} |",
            t.as_secs_f64() * 1e3,
            rate(t)
        );
    };
    println!();
    println!("median of {runs} runs");
    println!();
    println!(
        "| {:<40} | {:>10} | {:>12} |",
        "measurement", "median ms", "lines/s"
    );
    println!("|{:-<42}|{:-<12}|{:-<14}|", "", "", "");
    row("parse only, 1 thread", parse_1);
    row("parse + resolve + types, 1 thread", check_1);
    row(
        &format!("parse + resolve + types, rayon ({threads} threads)"),
        check_n,
    );
    println!();
    let sema = check_1.saturating_sub(parse_1);
    println!(
        "resolve + types alone, 1 thread: {:.1} ms ({} lines/s)",
        sema.as_secs_f64() * 1e3,
        rate(sema)
    );
    let single_rate = lines as f64 / check_1.as_secs_f64();
    println!(
        "target >= 300,000 lines/s single-thread check: {} ({} lines/s)",
        if single_rate >= 3e5 { "met" } else { "NOT met" },
        thousands(single_rate as u64)
    );
}
