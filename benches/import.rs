//! Import throughput: `cargo bench --bench import`.
//!
//! The parse benchmark's synthetic ST corpus (default 400 files of about 500 lines) is exported
//! to TwinCAT, PLCopen XML and SCL with `stforge::export`; then, one thread, median of N runs:
//! plain ST parsing against import (XML reading, ST assembly, position map) + parsing of each
//! format. Lines are the original ST lines, so the figures compare directly. Of a file a format
//! cannot express, the items it can are exported one by one (the count of exported files is
//! printed).
//!
//! With `STFORGE_BENCH_REALWORLD=DIR`, every `.TcPOU/.TcDUT/.TcGVL/.TcIO` below DIR is also
//! imported and parsed (lines counted in the original files).
//!
//! Environment: `STFORGE_BENCH_FILES` (default 400), `STFORGE_BENCH_RUNS` (default 7).

mod common;

use common::{env_usize, generate_file, median, thousands};
use std::hint::black_box;
use std::time::Duration;
use stforge::export::{self, Source, Target};
use stforge::source::import::{self, Format};
use stforge::source::{FileId, SourceMap};
use stforge::syntax::parse;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let _ = std::env::args().skip(1).count();
    let files = env_usize("STFORGE_BENCH_FILES", 400).max(1);
    let runs = env_usize("STFORGE_BENCH_RUNS", 7).max(1);
    let corpus: Vec<String> = (0..files).map(generate_file).collect();
    let lines: usize = corpus.iter().map(|t| t.lines().count()).sum();

    let mut map = SourceMap::default();
    let ids: Vec<FileId> = corpus
        .iter()
        .enumerate()
        .map(|(i, t)| {
            map.add(
                format!("bench_{i}.st").into(),
                t.clone(),
                stforge::source::Encoding::Utf8,
            )
        })
        .collect();
    let parsed: Vec<_> = ids
        .iter()
        .map(|id| parse(*id, &map.get(*id).text))
        .collect();

    let mut exported: Vec<(Target, Format, Exported)> = Vec::new();
    for (target, format) in [
        (Target::Twincat, Format::TwinCat),
        (Target::Plcopen, Format::PlcOpen),
        (Target::Scl, Format::Scl),
    ] {
        let mut texts = Vec::new();
        for (id, p) in ids.iter().zip(&parsed) {
            let file = map.get(*id);
            let source = [Source { file, parsed: p }];
            if let Ok(outputs) = export::export(target, &source) {
                let n = file.text.lines().count();
                // TwinCAT writes a file per object: the lines belong to all of them together.
                let per = outputs.len();
                for (k, out) in outputs.into_iter().enumerate() {
                    texts.push((out.text, if k + 1 == per { n } else { 0 }));
                }
            } else {
                // A file with something the format lacks: its items that the format can say.
                for item in &p.unit.items {
                    let one = stforge::syntax::Parsed {
                        unit: stforge::syntax::ast::SourceUnit {
                            items: vec![item.clone()],
                        },
                        trivia: p.trivia.clone(),
                        diagnostics: Vec::new(),
                    };
                    let source = [Source { file, parsed: &one }];
                    if let Ok(outputs) = export::export(target, &source) {
                        let n = file.text[item.span().range()].lines().count();
                        for out in outputs {
                            texts.push((out.text, n));
                        }
                    }
                }
            }
        }
        exported.push((target, format, texts));
    }

    let plain = median(runs, || {
        corpus
            .iter()
            .enumerate()
            .map(|(i, t)| black_box(parse(FileId(i as u32), t)).unit.items.len())
            .sum()
    });

    println!();
    println!(
        "corpus: {files} synthetic files, {lines} ST lines; one thread; median of {runs} runs"
    );
    println!();
    println!(
        "| {:<36} | {:>7} | {:>10} | {:>12} | {:>9} |",
        "measurement", "files", "median ms", "ST lines/s", "vs ST"
    );
    println!(
        "|{:-<38}|{:-<9}|{:-<12}|{:-<14}|{:-<11}|",
        "", "", "", "", ""
    );
    let plain_rate = lines as f64 / plain.as_secs_f64();
    let row = |name: &str, n_files: usize, n_lines: usize, t: Duration| {
        let rate = n_lines as f64 / t.as_secs_f64();
        println!(
            "| {name:<36} | {n_files:>7} | {:>10.1} | {:>12} | {:>8.2}x |",
            t.as_secs_f64() * 1e3,
            thousands(rate as u64),
            rate / plain_rate
        );
    };
    row("plain ST: parse", files, lines, plain);
    for (target, format, texts) in &exported {
        let n_lines: usize = texts.iter().map(|(_, n)| n).sum();
        let import_only = median(runs, || {
            texts
                .iter()
                .map(|(t, _)| black_box(import::import(*format, t.as_bytes())).text.len())
                .sum()
        });
        let import_parse = median(runs, || {
            texts
                .iter()
                .enumerate()
                .map(|(i, (t, _))| {
                    let imported = import::import(*format, t.as_bytes());
                    black_box(parse(FileId(i as u32), &imported.text))
                        .unit
                        .items
                        .len()
                })
                .sum()
        });
        row(
            &format!("{target:?}: import"),
            texts.len(),
            n_lines,
            import_only,
        );
        row(
            &format!("{target:?}: import + parse"),
            texts.len(),
            n_lines,
            import_parse,
        );
    }

    if let Ok(dir) = std::env::var("STFORGE_BENCH_REALWORLD") {
        let real: Vec<(String, usize)> = walk(&dir)
            .into_iter()
            .filter(|p| Format::of(p) == Some(Format::TwinCat))
            .map(|p| {
                let bytes = std::fs::read(&p).expect("read real-world file");
                let n = String::from_utf8_lossy(&bytes).lines().count();
                (String::from_utf8_lossy(&bytes).into_owned(), n)
            })
            .collect();
        let n_lines: usize = real.iter().map(|(_, n)| n).sum();
        let t = median(runs, || {
            real.iter()
                .enumerate()
                .map(|(i, (t, _))| {
                    let imported = import::import(Format::TwinCat, t.as_bytes());
                    black_box(parse(FileId(i as u32), &imported.text))
                        .unit
                        .items
                        .len()
                })
                .sum()
        });
        println!();
        println!("real TwinCAT files under {dir} (lines of the XML files):");
        row("TwinCAT real files: import + parse", real.len(), n_lines, t);
    }
}

/// The files exported to one format, each with the original ST lines it holds.
type Exported = Vec<(String, usize)>;

fn walk(dir: &str) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(dir)];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}
