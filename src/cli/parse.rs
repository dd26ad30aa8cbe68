use super::exit;
use super::output::out;
use crate::diagnostics::render;
use crate::source::load;
use crate::syntax;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The ST file.
    file: PathBuf,
    /// Show each node's byte range (`@start..end`).
    #[arg(long)]
    spans: bool,
}

pub fn run(args: Args) -> i32 {
    let (files, mut diagnostics) = load::load(std::slice::from_ref(&args.file));
    let file = &files.files()[0];
    let parsed = syntax::parse(file.id, &file.text);
    out(&syntax::dump::dump(&parsed.unit, args.spans));
    diagnostics.extend(parsed.diagnostics);
    for d in &diagnostics {
        eprintln!("{}", render::to_line(d, &files));
    }
    if diagnostics.iter().any(|d| d.is_error()) {
        exit::FINDINGS
    } else {
        exit::OK
    }
}
