use super::exit;
use super::output::{Color, out, rendered};
use crate::diagnostics::Diagnostic;
use crate::source::import::Format;
use crate::source::{SourceFile, SourceMap, encode, load};
use crate::syntax;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Files or folders (searched recursively for `.st` files).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Write nothing; show what would change and exit with 1 if anything would.
    #[arg(long, conflicts_with = "stdout")]
    check: bool,
    /// Print the formatted text to stdout instead of rewriting files.
    #[arg(long)]
    stdout: bool,
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
}

/// What happened to one file.
enum Outcome {
    Unchanged,
    Changed,
    /// Not formatted: it has errors (already reported).
    Refused,
}

pub fn run(args: Args) -> i32 {
    // The formatter is for ST; spec files found in folders are left to `stforge check`, and
    // imported formats (TwinCAT, PLCopen, SCL) are never rewritten as ST.
    let paths: Vec<_> = load::expand(&args.paths)
        .into_iter()
        .filter(|p| !crate::spec::is_spec_file(p) && Format::of(p).is_none())
        .collect();
    let (files, load_errors) = load::load(&paths);
    let color = args.color.enabled();
    let mut refused = 0;
    let mut changed = 0;
    for file in files.files() {
        let errors: Vec<&Diagnostic> = load_errors
            .iter()
            .filter(|d| d.primary.file == file.id)
            .collect();
        let outcome = if errors.is_empty() {
            format_file(file, &files, &args, color)
        } else {
            out(&rendered(errors, &files, color));
            Outcome::Refused
        };
        match outcome {
            Outcome::Unchanged => {}
            Outcome::Changed => changed += 1,
            Outcome::Refused => refused += 1,
        }
    }
    let verb = if args.check {
        "would reformat"
    } else {
        "reformatted"
    };
    if !args.stdout {
        eprintln!(
            "{} file(s): {verb} {changed}, left alone {refused} with errors",
            files.files().len()
        );
    }
    if refused > 0 || (args.check && changed > 0) {
        exit::FINDINGS
    } else {
        exit::OK
    }
}

fn format_file(file: &SourceFile, files: &SourceMap, args: &Args, color: bool) -> Outcome {
    let parsed = syntax::parse(file.id, &file.text);
    let errors: Vec<&Diagnostic> = parsed.diagnostics.iter().filter(|d| d.is_error()).collect();
    if !errors.is_empty() {
        out(&rendered(errors, files, color));
        eprintln!(
            "stforge: not formatting {}: it has syntax errors",
            file.path.display()
        );
        return Outcome::Refused;
    }
    let formatted = syntax::printer::print(&parsed.unit, &parsed.trivia, &file.text);
    if args.stdout {
        out(&formatted);
        return if formatted == file.text {
            Outcome::Unchanged
        } else {
            Outcome::Changed
        };
    }
    if formatted == file.text {
        return Outcome::Unchanged;
    }
    if args.check {
        let path = file.path.display().to_string();
        let diff = similar::TextDiff::from_lines(&file.text, &formatted);
        out(&diff.unified_diff().header(&path, &path).to_string());
        return Outcome::Changed;
    }
    match write_atomically(&file.path, &formatted, file) {
        Ok(()) => Outcome::Changed,
        Err(message) => {
            eprintln!("stforge: not formatting {}: {message}", file.path.display());
            Outcome::Refused
        }
    }
}

/// Replaces the file in one rename, in its original encoding and with its permissions, so a
/// crash or a full disk never leaves it half written. A symbolic link stays a link: the file it
/// points to is the one replaced.
fn write_atomically(path: &Path, text: &str, file: &SourceFile) -> Result<(), String> {
    let bytes = encode(text, file.encoding)
        .ok_or_else(|| format!("the result cannot be written in {}", file.encoding.name()))?;
    let target = std::fs::canonicalize(path).map_err(|e| e.to_string())?;
    let path = target.as_path();
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let permissions = std::fs::metadata(path)
        .map_err(|e| e.to_string())?
        .permissions();
    let mut temp = tempfile::NamedTempFile::new_in(dir).map_err(|e| e.to_string())?;
    temp.write_all(&bytes).map_err(|e| e.to_string())?;
    temp.as_file().sync_all().map_err(|e| e.to_string())?;
    std::fs::set_permissions(temp.path(), permissions).map_err(|e| e.to_string())?;
    temp.persist(path).map_err(|e| e.to_string())?;
    Ok(())
}
