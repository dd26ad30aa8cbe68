use super::exit;
use super::output::{Color, out, rendered, unreadable};
use super::project::ProjectArgs;
use crate::check::{Options, Stage, check_files};
use crate::diagnostics::Severity;
use crate::diagnostics::render;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Files or folders (searched recursively for `.st` and `.spec.toml` files).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    #[command(flatten)]
    project: ProjectArgs,
    /// How far to check: `parse` stops after syntax (for editors and measurements).
    #[arg(long, value_enum, default_value_t = Stage::All)]
    stage: Stage,
    /// Output format: `text` for people, `json` for tools (an array of diagnostics with file,
    /// code, severity, message, line, column, end_line, end_column).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
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
        stage: args.stage,
        dialect: args.project.dialect,
    };
    let result = check_files(&args.paths, &args.project.libraries, options);
    let files = &result.files;
    match args.format {
        Format::Json => {
            let json: Vec<_> = result
                .diagnostics
                .iter()
                .map(|d| render::to_json(d, files))
                .collect();
            out(&serde_json::to_string_pretty(&json).expect("diagnostics serialise"));
            out("\n");
        }
        Format::Text => {
            let color = args.color.enabled();
            out(&rendered(&result.diagnostics, files, color));
            let count = |s| {
                result
                    .diagnostics
                    .iter()
                    .filter(|d| d.severity == s)
                    .count()
            };
            let project = files.files().len() - result.library_files;
            let libraries = match result.library_files {
                0 => String::new(),
                n => format!(" (and {n} library file{})", plural(n)),
            };
            eprintln!(
                "checked {project} file{}{libraries}: {} error{}, {} warning{}",
                plural(project),
                count(Severity::Error),
                plural(count(Severity::Error)),
                count(Severity::Warning),
                plural(count(Severity::Warning)),
            );
        }
    }
    // An input that cannot be read at all is a usage error, like a bad option.
    if result.diagnostics.iter().any(unreadable) {
        exit::USAGE
    } else if result.diagnostics.iter().any(|d| d.is_error()) {
        exit::FINDINGS
    } else {
        exit::OK
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
