use super::exit;
use super::output::{Color, out};
use crate::diagnostics::{Diagnostic, render};
use crate::export::{self, OutFile, Source, Target, merge};
use crate::source::{SourceMap, decode, encode, load};
use crate::syntax;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The target format.
    #[arg(long, value_enum)]
    format: Target,
    /// Files or folders (ST, or any format `check` reads: TwinCAT, PLCopen XML, SCL).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Where to write: a file for plcopen, scl and st; a folder for twincat (one file per
    /// object).
    #[arg(short, long, required_unless_present = "into", conflicts_with = "into")]
    output: Option<PathBuf>,
    /// Merge into an existing PLCopen project (plcopen only): POUs and data types of the same
    /// name are replaced, others added, nothing else changes. The original is kept as
    /// `FILE.bak` (or `FILE.bak.N` if that exists).
    #[arg(long)]
    into: Option<PathBuf>,
    /// Overwrite output files that exist.
    #[arg(long)]
    force: bool,
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
}

pub fn run(args: Args) -> i32 {
    if args.into.is_some() && args.format != Target::Plcopen {
        eprintln!("stforge: --into merges into a PLCopen project; use it with --format plcopen");
        return exit::USAGE;
    }
    let color = args.color.enabled();
    let paths: Vec<PathBuf> = load::expand(&args.paths)
        .into_iter()
        .filter(|p| !crate::spec::is_spec_file(p))
        .collect();
    let (files, load_errors) = load::load(&paths);
    let parsed: Vec<syntax::Parsed> = files
        .files()
        .iter()
        .map(|f| syntax::parse(f.id, &f.text))
        .collect();
    let mut errors: Vec<&Diagnostic> = load_errors.iter().filter(|d| d.is_error()).collect();
    errors.extend(
        parsed
            .iter()
            .flat_map(|p| p.diagnostics.iter().filter(|d| d.is_error())),
    );
    if !errors.is_empty() {
        report(&errors, &files, color);
        eprintln!("stforge: nothing exported: the input has errors");
        return if load_errors
            .iter()
            .any(|d| d.code == crate::diagnostics::Code::F001)
        {
            exit::USAGE
        } else {
            exit::FINDINGS
        };
    }
    let sources: Vec<Source> = files
        .files()
        .iter()
        .zip(&parsed)
        .map(|(file, parsed)| Source { file, parsed })
        .collect();
    let outputs = match export::export(args.format, &sources) {
        Ok(outputs) => outputs,
        Err(diagnostics) => {
            report(&diagnostics.iter().collect::<Vec<_>>(), &files, color);
            eprintln!(
                "stforge: nothing exported: the target format cannot express the constructs above"
            );
            return exit::FINDINGS;
        }
    };
    let result = match (&args.into, &args.output) {
        (Some(project), _) => merge_into(project, &outputs[0].text),
        (None, Some(output)) => write_outputs(args.format, output, &outputs, args.force),
        (None, None) => Err("give -o OUTPUT or --into PROJECT".to_string()),
    };
    match result {
        Ok(message) => {
            eprintln!("{message}");
            exit::OK
        }
        Err(message) => {
            eprintln!("stforge: {message}");
            exit::USAGE
        }
    }
}

fn report(diagnostics: &[&Diagnostic], files: &SourceMap, color: bool) {
    for d in diagnostics {
        out(&render::to_terminal(d, files, color));
    }
}

fn write_outputs(
    format: Target,
    output: &Path,
    outputs: &[OutFile],
    force: bool,
) -> Result<String, String> {
    let targets: Vec<(PathBuf, &str)> = if format == Target::Twincat {
        std::fs::create_dir_all(output)
            .map_err(|e| format!("cannot create {}: {e}", output.display()))?;
        outputs
            .iter()
            .map(|f| (output.join(&f.name), f.text.as_str()))
            .collect()
    } else {
        vec![(output.to_path_buf(), outputs[0].text.as_str())]
    };
    // Refuse before writing anything, so a refusal leaves no half export behind.
    if !force && let Some((existing, _)) = targets.iter().find(|(p, _)| p.exists()) {
        return Err(format!(
            "{} exists; nothing written (use --force to overwrite)",
            existing.display()
        ));
    }
    for (path, text) in &targets {
        write_atomically(path, text.as_bytes())?;
    }
    Ok(format!(
        "exported {} file(s) to {}",
        targets.len(),
        output.display()
    ))
}

fn merge_into(project: &Path, exported: &str) -> Result<String, String> {
    let bytes =
        std::fs::read(project).map_err(|e| format!("cannot read {}: {e}", project.display()))?;
    let decoded = decode(&bytes);
    if decoded.lossy {
        return Err(format!(
            "{} is not valid {}",
            project.display(),
            decoded.encoding.name()
        ));
    }
    let (merged, what) = merge::merge(&decoded.text, exported).map_err(|p| {
        format!(
            "{}: {} [{}] at byte {}",
            project.display(),
            p.message,
            p.code,
            p.offset
        )
    })?;
    let merged_bytes = encode(&merged, decoded.encoding).ok_or_else(|| {
        format!(
            "the result cannot be written in {}",
            decoded.encoding.name()
        )
    })?;
    let backup = backup_path(project);
    std::fs::copy(project, &backup)
        .map_err(|e| format!("cannot keep a backup at {}: {e}", backup.display()))?;
    write_atomically(project, &merged_bytes)?;
    Ok(format!(
        "merged into {}: replaced {}, added {}; the original is {}",
        project.display(),
        list(&what.replaced),
        list(&what.added),
        backup.display()
    ))
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

/// `FILE.bak`, or the first `FILE.bak.N` that does not exist: an older backup is never
/// overwritten.
fn backup_path(project: &Path) -> PathBuf {
    let base = format!("{}.bak", project.display());
    std::iter::once(PathBuf::from(&base))
        .chain((1..).map(|n| PathBuf::from(format!("{base}.{n}"))))
        .find(|p| !p.exists())
        .expect("some backup name is free")
}

/// Writes through a temporary file in the same folder and a rename, so a crash or a full disk
/// never leaves a half-written file; an existing file keeps its permissions.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let fail = |e: &dyn std::fmt::Display| format!("cannot write {}: {e}", path.display());
    let mut temp = tempfile::NamedTempFile::new_in(dir).map_err(|e| fail(&e))?;
    temp.write_all(bytes).map_err(|e| fail(&e))?;
    temp.as_file().sync_all().map_err(|e| fail(&e))?;
    if let Ok(metadata) = std::fs::metadata(path) {
        std::fs::set_permissions(temp.path(), metadata.permissions()).map_err(|e| fail(&e))?;
    }
    temp.persist(path).map_err(|e| fail(&e))?;
    Ok(())
}
