//! Parser throughput benchmark: `cargo bench --bench parse`.
//!
//! Generates a deterministic synthetic Structured Text corpus (default 2,000 files of about
//! 500 lines each), checks that every file parses without diagnostics, then measures
//! (median of N runs):
//!
//! * lexing only, one thread;
//! * lex + parse, one thread, over all files in turn;
//! * lex + parse with rayon over files (all cores).
//!
//! Environment: `STFORGE_BENCH_FILES` (number of files, default 2000), `STFORGE_BENCH_RUNS`
//! (runs per measurement, default 7), `STFORGE_BENCH_DUMP` (a directory to write the
//! generated files to, for inspection or profiling). Command-line arguments (cargo passes
//! `--bench`) are ignored.

mod common;

use common::{env_usize, generate_file, median, thousands};
use rayon::prelude::*;
use std::hint::black_box;
use std::time::{Duration, Instant};
use stforge::source::FileId;
use stforge::syntax::{lex, parse};

// Measure with the allocator the `stforge` binary uses.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const DEFAULT_FILES: usize = 2000;
const DEFAULT_RUNS: usize = 7;

fn main() {
    // cargo passes `--bench` (and possibly a filter); there is nothing to select, so ignore them.
    let _ = std::env::args().skip(1).count();
    let files = env_usize("STFORGE_BENCH_FILES", DEFAULT_FILES).max(1);
    let runs = env_usize("STFORGE_BENCH_RUNS", DEFAULT_RUNS).max(1);

    let started = Instant::now();
    let corpus: Vec<String> = (0..files).map(generate_file).collect();
    let lines: usize = corpus.iter().map(|t| t.lines().count()).sum();
    let bytes: usize = corpus.iter().map(|t| t.len()).sum();
    let mb = bytes as f64 / 1e6;
    eprintln!(
        "generated {files} files, {lines} lines, {mb:.1} MB in {:.2?}",
        started.elapsed()
    );

    if let Ok(dir) = std::env::var("STFORGE_BENCH_DUMP") {
        std::fs::create_dir_all(&dir).expect("create STFORGE_BENCH_DUMP directory");
        for (i, text) in corpus.iter().enumerate() {
            std::fs::write(format!("{dir}/bench_{i:05}.st"), text).expect("write corpus file");
        }
        eprintln!("wrote the corpus to {dir}");
    }

    // Every generated file must be valid ST: a benchmark of the error path is not the point.
    let started = Instant::now();
    let mut tokens = 0usize;
    for (i, text) in corpus.iter().enumerate() {
        tokens += lex(FileId(i as u32), text).tokens.len();
        let parsed = parse(FileId(i as u32), text);
        if let Some(d) = parsed.diagnostics.first() {
            let span = d.primary.span;
            let line = text[..span.start as usize].lines().count().max(1);
            let source_line = text.lines().nth(line - 1).unwrap_or_default();
            panic!(
                "generated file {i} has {} diagnostic(s); first: {:?} {} at line {line}: `{}`\n--- file ---\n{text}",
                parsed.diagnostics.len(),
                d.code,
                d.message,
                source_line.trim()
            );
        }
        assert!(
            !parsed.unit.items.is_empty(),
            "generated file {i} parsed to nothing"
        );
    }
    eprintln!(
        "validated: {files} files parse with zero diagnostics ({tokens} tokens) in {:.2?}",
        started.elapsed()
    );

    let threads = rayon::current_num_threads();
    eprintln!("measuring: {runs} runs each, rayon threads: {threads}");

    let lex_time = median(runs, || {
        let mut n = 0usize;
        for (i, text) in corpus.iter().enumerate() {
            n += black_box(lex(FileId(i as u32), black_box(text)))
                .tokens
                .len();
        }
        n
    });
    let parse_time = median(runs, || {
        let mut n = 0usize;
        for (i, text) in corpus.iter().enumerate() {
            let parsed = black_box(parse(FileId(i as u32), black_box(text)));
            n += parsed.unit.items.len() + parsed.diagnostics.len();
        }
        n
    });
    let par_time = median(runs, || {
        corpus
            .par_iter()
            .enumerate()
            .map(|(i, text)| {
                let parsed = black_box(parse(FileId(i as u32), black_box(text)));
                parsed.unit.items.len() + parsed.diagnostics.len()
            })
            .sum::<usize>()
    });

    let row = |name: &str, t: Duration| {
        let s = t.as_secs_f64();
        format!(
            "| {name:<32} | {:>10.1} | {:>12} | {:>8.1} |",
            s * 1e3,
            thousands((lines as f64 / s) as u64),
            mb / s
        )
    };
    println!();
    println!(
        "corpus: {files} files, {lines} lines, {mb:.1} MB ({bytes} bytes), {tokens} tokens; median of {runs} runs"
    );
    println!();
    println!(
        "| {:<32} | {:>10} | {:>12} | {:>8} |",
        "measurement", "median ms", "lines/s", "MB/s"
    );
    println!("|{:-<34}|{:-<12}|{:-<14}|{:-<10}|", "", "", "", "");
    println!("{}", row("lex only, 1 thread", lex_time));
    println!("{}", row("lex + parse, 1 thread", parse_time));
    println!(
        "{}",
        row(&format!("lex + parse, rayon ({threads} threads)"), par_time)
    );
    println!();
    println!(
        "parallel / single-thread parse speed-up: {:.2}x on {threads} threads",
        parse_time.as_secs_f64() / par_time.as_secs_f64()
    );
    println!(
        "parse share spent lexing: {:.0}%",
        100.0 * lex_time.as_secs_f64() / parse_time.as_secs_f64()
    );
    let single = lines as f64 / parse_time.as_secs_f64();
    println!(
        "target >= 1,000,000 lines/s single-thread lex + parse: {} ({} lines/s)",
        if single >= 1e6 { "met" } else { "NOT met" },
        thousands(single as u64)
    );
}
