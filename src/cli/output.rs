//! Terminal output shared by the commands: writing to stdout without panicking when the reader
//! goes away (`stforge check | head`), colour, diagnostics rendered as `stforge check` shows them.

use crate::diagnostics::{Code, Diagnostic, render};
use crate::source::SourceMap;
use std::io::Write;

/// Writes to stdout; a closed pipe ends the process quietly, as for other Unix tools.
pub fn out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_all(text.as_bytes()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(super::exit::OK);
        }
        eprintln!("stforge: cannot write output: {e}");
        std::process::exit(super::exit::USAGE);
    }
}

/// Whether to colour terminal output.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default)]
pub enum Color {
    #[default]
    Auto,
    Always,
    Never,
}

impl Color {
    pub fn enabled(self) -> bool {
        use std::io::IsTerminal;
        match self {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => {
                std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
            }
        }
    }
}

/// Diagnostics rendered for a terminal, one after another, as `stforge check` shows them (a
/// flood summarised per file).
pub fn rendered<'d>(
    diagnostics: impl IntoIterator<Item = &'d Diagnostic>,
    files: &SourceMap,
    color: bool,
) -> String {
    render::to_terminal_all(diagnostics, files, color)
}

/// Whether a diagnostic says an input could not be read at all (a usage error, exit status 2).
pub fn unreadable(d: &Diagnostic) -> bool {
    matches!(d.code, Code::F001 | Code::F004)
}
