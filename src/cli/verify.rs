use super::exit;
use super::output::{Color, out, rendered};
use super::project::ProjectArgs;
use crate::diagnostics::Diagnostic;
use crate::pipeline::{self, Sources};
use crate::spec;
use crate::verify::{self, Options, Report, Verdict, report};
use std::path::PathBuf;
use std::time::Duration;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A spec file (`NAME.spec.toml`) followed by the implementation's ST files or folders; or
    /// only ST files and folders, whose every PROGRAM, FUNCTION_BLOCK and FUNCTION is checked
    /// for run-time faults with its inputs free.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    #[command(flatten)]
    project: ProjectArgs,
    /// Scans of bounded model checking, and the largest k tried by k-induction.
    #[arg(long, default_value_t = 20)]
    depth: u32,
    /// Seconds for each property or check (every z3 call is limited by what is left of it).
    #[arg(long, default_value_t = 10)]
    timeout: u64,
    /// Passes a loop is unrolled for when its end is not known from constants; a loop that may
    /// need more leaves the verdicts `unknown`.
    #[arg(long, default_value_t = 32)]
    unwind: u32,
    /// `text` for people; `json` for tools (an object per property and check: name, kind,
    /// verdict, engine, k or depth, milliseconds, reason, counterexample).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write every counterexample as a spec `[[test]]` to this file (`-` for stdout), for
    /// `stforge test` to keep as a regression test. An existing file is not overwritten.
    #[arg(long, value_name = "FILE")]
    emit_test: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum Format {
    Text,
    Json,
}

pub fn run(args: Args) -> i32 {
    let options = Options {
        depth: args.depth.max(1),
        timeout: Duration::from_secs(args.timeout.max(1)),
        unwind: args.unwind.max(1),
    };
    let color = args.color.enabled();
    let (spec_path, implementation) = match args.paths.split_first() {
        Some((first, rest)) if spec::is_spec_file(first) => (Some(first.as_path()), rest.to_vec()),
        _ => (None, args.paths.clone()),
    };
    if spec_path.is_some() && implementation.is_empty() {
        eprintln!("stforge: verify needs the implementation's ST files after the spec");
        return exit::USAGE;
    }
    let mut sources = Sources::read(spec_path, &implementation, &args.project.libraries);
    let mut reports: Vec<(String, Report)> = Vec::new();
    if spec_path.is_some() {
        match pipeline::check_spec(&sources, args.project.dialect) {
            Err(mut stopped) => return not_verified(&mut sources, &mut stopped.diagnostics, color),
            Ok(checked) => {
                let report = verify::verify(
                    &checked.program,
                    Some(&checked.properties),
                    checked.spec.cycle_ns,
                    checked.spec.cycle_range_ns,
                    options,
                );
                reports.push((checked.spec.pou.name.text.clone(), report));
            }
        }
    } else {
        let (pous, mut diagnostics) = pipeline::lower_each(&sources, args.project.dialect);
        if diagnostics.iter().any(Diagnostic::is_error) {
            return not_verified(&mut sources, &mut diagnostics, color);
        }
        const CYCLE: i128 = 10_000_000;
        for (name, lowered) in pous {
            match lowered {
                Ok(program) => {
                    let report = verify::verify(&program, None, CYCLE, (CYCLE, CYCLE), options);
                    reports.push((name, report));
                }
                Err(mut found) => {
                    sources.adopt_library_files(found.iter_mut());
                    eprint!("{}", rendered(&found, &sources.files, color));
                    eprintln!("stforge: `{name}` is not verified");
                }
            }
        }
    }
    let text = match args.format {
        Format::Text => reports
            .iter()
            .map(|(pou, r)| report::text(pou, r, &sources.files))
            .collect::<Vec<_>>()
            .join("\n"),
        Format::Json => {
            let all: Vec<_> = reports
                .iter()
                .map(|(pou, r)| report::json(pou, r, &sources.files))
                .collect();
            serde_json::to_string_pretty(&all).expect("JSON") + "\n"
        }
    };
    out(&text);
    if let Some(path) = &args.emit_test {
        let tests: String = reports.iter().map(|(_, r)| report::emit_tests(r)).collect();
        if let Err(why) = write_new(path, &tests) {
            eprintln!("stforge: cannot write {}: {why}", path.display());
            return exit::USAGE;
        }
    }
    // Warnings (a CASE matching no branch) are shown, and never change the exit status.
    status(
        reports
            .iter()
            .flat_map(|(_, r)| &r.results)
            .filter(|r| !r.is_warning())
            .map(|r| &r.verdict),
    )
}

fn status<'v>(verdicts: impl Iterator<Item = &'v Verdict> + Clone) -> i32 {
    if verdicts
        .clone()
        .any(|v| matches!(v, Verdict::Disagreement { .. }))
    {
        exit::USAGE
    } else if verdicts
        .clone()
        .any(|v| matches!(v, Verdict::Violated { .. }))
    {
        exit::FINDINGS
    } else if verdicts
        .clone()
        .any(|v| matches!(v, Verdict::Unknown { .. }))
    {
        exit::UNKNOWN
    } else {
        exit::OK
    }
}

/// The diagnostics that kept the program from being verified.
fn not_verified(sources: &mut Sources, diagnostics: &mut [Diagnostic], color: bool) -> i32 {
    sources.adopt_library_files(diagnostics.iter_mut());
    out(&rendered(diagnostics.iter(), &sources.files, color));
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    eprintln!(
        "stforge: nothing was verified: {errors} error{}",
        if errors == 1 { "" } else { "s" }
    );
    if diagnostics.iter().any(super::output::unreadable) {
        exit::USAGE
    } else {
        exit::FINDINGS
    }
}

/// Writes a new file atomically, or the text to stdout for `-`; never over an existing file.
fn write_new(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    if path.as_os_str() == "-" {
        out(text);
        return Ok(());
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut file, text.as_bytes())?;
    file.persist_noclobber(path).map_err(|e| e.error)?;
    Ok(())
}
