//! `stforge eval DIR`: the generate-and-repair loop over every spec in a folder, as a table and
//! totals (or JSON), with a progress bar on a terminal.

use super::backend::{BackendArgs, LoopArgs};
use super::exit;
use crate::repair::eval::{self, Setup, Totals};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The folder of specs (searched recursively for `*.spec.toml`), e.g. corpus/tasks.
    dir: PathBuf,
    #[command(flatten)]
    backend: BackendArgs,
    #[command(flatten)]
    repair: LoopArgs,
    /// `text`: a table and the totals; `json`: the same as one object, for tracking.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum Format {
    Text,
    Json,
}

pub fn run(args: Args) -> i32 {
    if !args.dir.is_dir() {
        eprintln!("stforge: {} is not a folder", args.dir.display());
        return exit::USAGE;
    }
    let specs = eval::spec_files(&args.dir);
    if specs.is_empty() {
        eprintln!(
            "stforge: no spec files (*.spec.toml) under {}",
            args.dir.display()
        );
        return exit::USAGE;
    }
    let mut backend = match args.backend.open() {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error[{}]: {}", e.code, e.message);
            return exit::USAGE;
        }
    };
    let corpus = args.backend.corpus();
    let setup = Setup {
        corpus: corpus.as_ref(),
        examples: args.backend.examples,
        dialect: args.repair.dialect,
        verify: args.repair.verify(),
        options: args.repair.options(args.backend.settings()),
    };
    // indicatif draws only on a terminal.
    let bar = ProgressBar::new(specs.len() as u64).with_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} tasks, {elapsed} {msg}")
            .expect("a valid template"),
    );
    let mut results = Vec::with_capacity(specs.len());
    for path in &specs {
        bar.set_message(path.display().to_string());
        let result = eval::task(backend.as_mut(), &args.dir, path, &setup);
        let line = format!(
            "{}: {} after {} attempt{} ({})",
            result.task,
            if result.passed {
                "passed"
            } else {
                "not passed"
            },
            result.attempts,
            if result.attempts == 1 { "" } else { "s" },
            result.stop
        );
        if bar.is_hidden() {
            eprintln!("{line}");
        } else {
            bar.println(line);
        }
        results.push(result);
        bar.inc(1);
    }
    bar.finish_and_clear();
    let totals = Totals::of(&results);
    match args.format {
        Format::Text => super::output::out(&eval::text(&results, &totals)),
        Format::Json => {
            let json = serde_json::json!({
                "dir": args.dir.display().to_string(),
                "model": backend.describe(),
                "tasks": results,
                "totals": totals,
            });
            super::output::out(&(serde_json::to_string_pretty(&json).expect("JSON") + "\n"));
        }
    }
    exit::OK
}
