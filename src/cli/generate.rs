//! `stforge generate SPEC`: a POU for a spec from a local model, a server or a command, through
//! the repair loop (generate, judge, feed back) until a candidate passes every check or the
//! budget is spent; written atomically with its provenance header, never over an existing file
//! unless `--force`, and never when it failed a check unless `--allow-unverified`.

use super::backend::{BackendArgs, LoopArgs};
use super::exit;
use super::output::rendered;
use crate::diagnostics::Code;
use crate::llm::LlmError;
use crate::llm::generate::Task;
use crate::repair::judge::{Judge, Stage};
use crate::repair::provenance::{self, Provenance, sha256};
use crate::repair::{self, Event, Stop, report};
use crate::source::{Encoding, FileId, SourceMap};
use crate::spec;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The spec file (`NAME.spec.toml`).
    spec: PathBuf,
    /// Where to write the POU (default: the spec's path with `.st` for `.spec.toml`).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Replace the output file (and the --report file) if it exists.
    #[arg(long)]
    force: bool,
    /// Print the POU on stdout instead of writing a file.
    #[arg(long, conflicts_with_all = ["output", "force"])]
    stdout: bool,
    /// Write the best candidate even when it failed a check; its header then says which.
    #[arg(long)]
    allow_unverified: bool,
    /// Write the report of every attempt (stage, findings, feedback, diff, verdicts) as JSON.
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    #[command(flatten)]
    backend: BackendArgs,
    #[command(flatten)]
    repair: LoopArgs,
    /// Print the prompt and exit (no model is run).
    #[arg(long)]
    show_prompt: bool,
}

fn error(e: &LlmError) -> i32 {
    eprintln!("error[{}]: {}", e.code, e.message);
    exit::FINDINGS
}

pub fn run(args: Args) -> i32 {
    let text = match std::fs::read_to_string(&args.spec) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("error[{}]: {}: {e}", Code::F001, args.spec.display());
            return exit::USAGE;
        }
    };
    let (spec, diagnostics) = spec::load(FileId(0), &text);
    let Some(spec) = spec else {
        let mut files = SourceMap::default();
        files.add(args.spec.clone(), text, Encoding::Utf8);
        eprint!("{}", rendered(&diagnostics, &files, false));
        eprintln!("stforge: the spec has errors; nothing was generated");
        return exit::FINDINGS;
    };
    let output = args
        .output
        .clone()
        .unwrap_or_else(|| default_output(&args.spec));
    let writes = !args.stdout && !args.show_prompt;
    for path in [Some(&output).filter(|_| writes), args.report.as_ref()]
        .into_iter()
        .flatten()
    {
        if path.exists() && !args.force {
            return error(&LlmError::new(
                Code::G010,
                format!("{} exists; pass --force to replace it", path.display()),
            ));
        }
    }
    let judge = Judge::new(
        args.spec.clone(),
        text.clone(),
        &spec,
        args.repair.dialect,
        args.repair.verify(),
    );
    let corpus = args.backend.corpus();
    let task = Task::new(
        spec,
        Some(&args.spec),
        corpus.as_ref(),
        args.backend.examples,
    );
    if args.show_prompt {
        super::output::out(&task.prompt(None).text);
        return exit::OK;
    }
    let mut backend = match args.backend.open() {
        Ok(b) => b,
        Err(e) => return error(&e),
    };
    let options = args.repair.options(args.backend.settings());
    let mut progress = Progress::new();
    let outcome = repair::run(backend.as_mut(), &task, &judge, &options, &mut |event| {
        progress.event(event)
    });
    let model = backend.describe();
    eprint!("{}", report::text(&outcome));
    if let Some(path) = &args.report {
        let name = args.spec.display().to_string();
        let json = serde_json::to_string_pretty(&report::json(&outcome, &name, &model))
            .expect("JSON")
            + "\n";
        if let Err(e) = write_atomically(path, &json, args.force) {
            return error(&e);
        }
    }
    let Some(best) = outcome.best() else {
        if let Stop::Backend(e) = &outcome.stop {
            return error(e);
        }
        eprintln!("stforge: nothing was generated");
        return exit::FINDINGS;
    };
    if !outcome.passed() && !args.allow_unverified {
        // A model that never wrote anything that parses gets the code saying so.
        let code = match (best.judgement.failed, best.judgement.findings.first()) {
            (Some(Stage::Parse), Some(f)) if f.code == Code::G005.as_str() => Some(Code::G005),
            (Some(Stage::Parse), _) => Some(Code::G008),
            _ => None,
        };
        if let Some(code) = code {
            eprintln!(
                "error[{code}]: after {} attempt(s) no candidate parses",
                outcome.attempts.len()
            );
        }
        eprintln!(
            "stforge: no candidate passed ({}); nothing was written (--allow-unverified writes \
             the best one, marked as such)",
            outcome.stop.describe()
        );
        return exit::FINDINGS;
    }
    let provenance = Provenance {
        model,
        seed: best.seed,
        temperature: best.temperature,
        spec: file_name(&args.spec),
        spec_sha256: sha256(&text),
        attempts: best.number,
    };
    let file = provenance::header(&provenance, &best.judgement) + &best.source;
    let status = if !outcome.passed() {
        exit::FINDINGS
    } else if best.judgement.unknowns() > 0 {
        exit::UNKNOWN
    } else {
        exit::OK
    };
    if args.stdout {
        super::output::out(&file);
        return status;
    }
    match write_atomically(&output, &file, args.force) {
        Ok(()) => {
            eprintln!("stforge: wrote {}", output.display());
            status
        }
        Err(e) => error(&e),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// `tank.spec.toml` → `tank.st`.
fn default_output(spec: &Path) -> PathBuf {
    let name = spec
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let lower = name.to_ascii_lowercase();
    let stem = if lower.ends_with(".spec.toml") {
        &name[..name.len() - ".spec.toml".len()]
    } else {
        name.trim_end_matches(".toml")
    };
    spec.with_file_name(format!("{stem}.st"))
}

/// Writes through a temporary file in the same folder, then renames it into place; without
/// `force`, the rename never replaces a file (one created meanwhile included).
fn write_atomically(path: &Path, text: &str, force: bool) -> Result<(), LlmError> {
    let fail = |e: String| LlmError::new(Code::G010, format!("{}: {e}", path.display()));
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temp = tempfile::NamedTempFile::new_in(dir).map_err(|e| fail(e.to_string()))?;
    temp.write_all(text.as_bytes())
        .map_err(|e| fail(e.to_string()))?;
    if force {
        temp.persist(path).map_err(|e| fail(e.to_string()))?;
    } else {
        temp.persist_noclobber(path)
            .map_err(|e| fail(format!("{} (pass --force to replace it)", e.error)))?;
    }
    Ok(())
}

/// Progress on a terminal: a line while a request runs (rewritten in place), and one per
/// judged attempt.
struct Progress {
    live: bool,
}

impl Progress {
    fn new() -> Progress {
        Progress {
            live: std::io::stderr().is_terminal(),
        }
    }

    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Generating { number, round } if self.live => {
                eprint!("\rstforge: generating attempt {number} (round {round})…   ");
            }
            Event::Judged(attempt) if self.live => {
                eprintln!("\rstforge: {}", report::attempt_line(attempt));
            }
            // Elsewhere (a log) the report after the run says it all.
            Event::Generating { .. } | Event::Judged(_) => {}
        }
    }
}
