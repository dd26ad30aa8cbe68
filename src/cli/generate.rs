//! `stforge generate SPEC`: one candidate POU for a spec, from a local model, a server or a
//! command, written atomically and never over an existing file unless `--force`.

use super::exit;
use super::output::rendered;
use crate::diagnostics::Code;
use crate::llm::command::CommandBackend;
use crate::llm::generate::{Settings, Task, generate};
use crate::llm::http::{Endpoint, GrammarField, HttpBackend, HttpOptions};
use crate::llm::local::{LocalModel, LocalOptions};
use crate::llm::retrieval::{Corpus, default_corpus_dir};
use crate::llm::{Backend, LlmError, store};
use crate::source::{Encoding, FileId, SourceMap};
use crate::spec;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The spec file (`NAME.spec.toml`).
    spec: PathBuf,
    /// Where to write the POU (default: the spec's path with `.st` for `.spec.toml`).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Replace the output file if it exists.
    #[arg(long)]
    force: bool,
    /// Print the POU on stdout instead of writing a file.
    #[arg(long, conflicts_with_all = ["output", "force"])]
    stdout: bool,
    /// Which generator: a local GGUF model, an OpenAI-compatible server, or a command.
    #[arg(long, value_enum, default_value_t = BackendKind::Local)]
    backend: BackendKind,
    /// The GGUF model file (local backend). Default: $STFORGE_MODEL, else the config file's
    /// `model = "PATH"` line, else the default model fetched by `stforge model fetch`.
    #[arg(long)]
    model: Option<PathBuf>,
    /// CPU threads for the local model (default: all).
    #[arg(long)]
    threads: Option<i32>,
    /// The server's base URL (http backend), e.g. http://127.0.0.1:8080.
    #[arg(long)]
    url: Option<String>,
    /// The model name the server expects (http backend).
    #[arg(long, default_value = "default")]
    server_model: String,
    /// The server endpoint: `completion` (base models) or `chat`.
    #[arg(long, value_enum, default_value_t = EndpointArg::Completion)]
    endpoint: EndpointArg,
    /// How the server takes the grammar: not at all, llama-server's `grammar` (with
    /// llguidance), or vLLM's `guided_grammar`.
    #[arg(long, value_enum, default_value_t = GrammarFieldArg::None)]
    grammar_field: GrammarFieldArg,
    /// The environment variable holding the server's API key (never logged).
    #[arg(long, default_value = "STFORGE_API_KEY")]
    api_key_env: String,
    /// Retries on HTTP 429/5xx and refused connections, with exponential backoff.
    #[arg(long, default_value_t = 3)]
    retries: u32,
    /// The command to run (command backend): prompt on stdin, completion on stdout.
    #[arg(long)]
    command: Option<String>,
    /// Seconds to wait: for a server's answer (and between streamed chunks), or for the
    /// command to finish.
    #[arg(long, default_value_t = 300)]
    timeout: u64,
    /// Seed for sampling (reproducible with the same model, seed and temperature).
    #[arg(long, default_value_t = 0)]
    seed: u32,
    /// Sampling temperature; 0 is greedy.
    #[arg(long, default_value_t = 0.0)]
    temperature: f32,
    /// The most tokens the model may write.
    #[arg(long, default_value_t = 512)]
    max_tokens: u32,
    /// How many solved examples the prompt shows.
    #[arg(long, default_value_t = 2)]
    examples: usize,
    /// The solved examples' folder (default: corpus/tasks).
    #[arg(long)]
    corpus: Option<PathBuf>,
    /// For backends that do not enforce the grammar: further requests while the output does
    /// not parse.
    #[arg(long, default_value_t = 2)]
    syntax_retries: u32,
    /// Print the prompt and exit (no model is run).
    #[arg(long)]
    show_prompt: bool,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum BackendKind {
    Local,
    Http,
    Command,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum EndpointArg {
    Completion,
    Chat,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum GrammarFieldArg {
    None,
    LlamaServer,
    Vllm,
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
    if !args.stdout && !args.show_prompt && output.exists() && !args.force {
        return error(&LlmError::new(
            Code::G010,
            format!("{} exists; pass --force to replace it", output.display()),
        ));
    }
    let corpus = args
        .corpus
        .clone()
        .or_else(default_corpus_dir)
        .filter(|_| args.examples > 0)
        .map(|dir| Corpus::load(&dir));
    let task = Task::new(spec, Some(&args.spec), corpus.as_ref(), args.examples);
    if args.show_prompt {
        super::output::out(&task.prompt(None).text);
        return exit::OK;
    }
    let mut backend = match backend(&args) {
        Ok(b) => b,
        Err(e) => return error(&e),
    };
    let settings = Settings {
        seed: args.seed,
        temperature: args.temperature,
        max_tokens: args.max_tokens,
        syntax_retries: args.syntax_retries,
    };
    let mut progress = Progress::new();
    let result = generate(backend.as_mut(), &task, &settings, None, &mut |piece| {
        progress.update(piece)
    });
    progress.finish();
    let candidate = match result {
        Ok(c) => c,
        Err(e) => return error(&e),
    };
    let c = &candidate.completion;
    let rate = c
        .tokens_per_second()
        .map_or(String::new(), |r| format!(", {r:.1} tokens/s"));
    eprintln!(
        "stforge: {} tokens in {:.1} s{rate} (prompt: {} tokens in {:.1} s; examples: {})",
        c.completion_tokens,
        c.generation_time.as_secs_f64(),
        c.prompt_tokens,
        c.prompt_time.as_secs_f64(),
        if candidate.prompt.examples.is_empty() {
            "none".to_string()
        } else {
            candidate.prompt.examples.join(", ")
        }
    );
    if !candidate.syntax.is_empty() {
        let mut files = SourceMap::default();
        files.add(output.clone(), candidate.source.clone(), Encoding::Utf8);
        eprint!("{}", rendered(&candidate.syntax, &files, false));
        return error(&LlmError::new(
            Code::G008,
            format!(
                "after {} request(s) the output still has syntax errors; nothing was written",
                candidate.requests
            ),
        ));
    }
    if args.stdout {
        super::output::out(&candidate.source);
        return exit::OK;
    }
    match write_atomically(&output, &candidate.source, args.force) {
        Ok(()) => {
            eprintln!("stforge: wrote {}", output.display());
            exit::OK
        }
        Err(e) => error(&e),
    }
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

fn backend(args: &Args) -> Result<Box<dyn Backend>, LlmError> {
    let usage = |m: &str| LlmError::new(Code::G006, m.to_string());
    match args.backend {
        BackendKind::Local => {
            let (path, source) = match &args.model {
                Some(p) => (p.clone(), "--model"),
                None => store::configured_model(),
            };
            if !path.exists() && args.model.is_none() && source == "the default model" {
                return Err(LlmError::new(
                    Code::G001,
                    format!(
                        "the default model is not at {}; run `stforge model fetch` first, or pass --model PATH",
                        path.display()
                    ),
                ));
            }
            let options = LocalOptions {
                threads: args.threads,
                ..LocalOptions::default()
            };
            eprintln!("stforge: loading {}", path.display());
            Ok(Box::new(LocalModel::load(&path, options)?))
        }
        BackendKind::Http => {
            let Some(url) = &args.url else {
                return Err(LlmError::new(Code::G004, "--backend http needs --url"));
            };
            let mut options = HttpOptions::new(url, &args.server_model);
            options.endpoint = match args.endpoint {
                EndpointArg::Completion => Endpoint::Completion,
                EndpointArg::Chat => Endpoint::Chat,
            };
            options.grammar_field = match args.grammar_field {
                GrammarFieldArg::None => GrammarField::None,
                GrammarFieldArg::LlamaServer => GrammarField::LlamaServer,
                GrammarFieldArg::Vllm => GrammarField::Vllm,
            };
            options.api_key_env = args.api_key_env.clone();
            options.retries = args.retries;
            options.connect_timeout = Duration::from_secs(args.timeout);
            options.read_timeout = Duration::from_secs(args.timeout);
            Ok(Box::new(HttpBackend::new(options)))
        }
        BackendKind::Command => {
            let Some(command) = &args.command else {
                return Err(usage("--backend command needs --command"));
            };
            Ok(Box::new(CommandBackend::new(
                command,
                Duration::from_secs(args.timeout),
            )))
        }
    }
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

/// The progress line while tokens stream: on a terminal, `generating: N chunks, X/s`
/// rewritten in place; elsewhere nothing until the summary.
struct Progress {
    started: Instant,
    pieces: u64,
    last_shown: Instant,
    live: bool,
}

impl Progress {
    fn new() -> Progress {
        let now = Instant::now();
        Progress {
            started: now,
            pieces: 0,
            last_shown: now,
            live: std::io::stderr().is_terminal(),
        }
    }

    fn update(&mut self, _piece: &str) {
        self.pieces += 1;
        if self.live && self.last_shown.elapsed() >= Duration::from_millis(200) {
            self.last_shown = Instant::now();
            let secs = self.started.elapsed().as_secs_f64();
            eprint!(
                "\rstforge: generating: {} tokens, {:.1} tokens/s   ",
                self.pieces,
                self.pieces as f64 / secs.max(1e-9)
            );
        }
    }

    fn finish(&self) {
        if self.live && self.pieces > 0 {
            eprintln!();
        }
    }
}
