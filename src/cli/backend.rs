//! The options that choose and configure a generator, and the repair loop's budget: shared by
//! `generate` and `eval`.

use crate::diagnostics::Code;
use crate::llm::command::CommandBackend;
use crate::llm::generate::Settings;
use crate::llm::http::{Endpoint, GrammarField, HttpBackend, HttpOptions};
use crate::llm::local::{LocalModel, LocalOptions};
use crate::llm::retrieval::{Corpus, default_corpus_dir};
use crate::llm::{Backend, LlmError, store};
use crate::repair::{Budget, Options};
use crate::sema::Dialect;
use crate::verify;
use std::path::PathBuf;
use std::time::Duration;

#[derive(clap::Args, Debug)]
pub struct BackendArgs {
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
    /// Seconds to wait for one answer: a server's (and between streamed chunks), or the
    /// command's. A generator that takes minutes (a person at a keyboard) needs more.
    #[arg(long, default_value_t = 300)]
    timeout: u64,
    /// Seed of the first candidate (each further candidate counts it up; reproducible with the
    /// same model, seed and temperature).
    #[arg(long, default_value_t = 0)]
    seed: u32,
    /// Sampling temperature; 0 is greedy.
    #[arg(long, default_value_t = 0.0)]
    temperature: f32,
    /// The most tokens the model may write per candidate.
    #[arg(long, default_value_t = 512)]
    max_tokens: u32,
    /// How many solved examples the prompt shows.
    #[arg(long, default_value_t = 2)]
    pub examples: usize,
    /// The solved examples' folder (default: corpus/tasks).
    #[arg(long)]
    corpus: Option<PathBuf>,
    /// For backends that do not enforce the grammar: further requests while the output does
    /// not parse (they count as one attempt).
    #[arg(long, default_value_t = 2)]
    syntax_retries: u32,
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

impl BackendArgs {
    /// The sampling settings of the first candidate.
    pub fn settings(&self) -> Settings {
        Settings {
            seed: self.seed,
            temperature: self.temperature,
            max_tokens: self.max_tokens,
            syntax_retries: self.syntax_retries,
        }
    }

    /// The solved examples, unless none are wanted or none are found.
    pub fn corpus(&self) -> Option<Corpus> {
        self.corpus
            .clone()
            .or_else(default_corpus_dir)
            .filter(|_| self.examples > 0)
            .map(|dir| Corpus::load(&dir))
    }

    /// The generator, ready (a local model loaded).
    pub fn open(&self) -> Result<Box<dyn Backend>, LlmError> {
        match self.backend {
            BackendKind::Local => {
                let (path, source) = match &self.model {
                    Some(p) => (p.clone(), "--model"),
                    None => store::configured_model(),
                };
                if !path.exists() && self.model.is_none() && source == "the default model" {
                    return Err(LlmError::new(
                        Code::G001,
                        format!(
                            "the default model is not at {}; run `stforge model fetch` first, or pass --model PATH",
                            path.display()
                        ),
                    ));
                }
                let options = LocalOptions {
                    threads: self.threads,
                    ..LocalOptions::default()
                };
                eprintln!("stforge: loading {}", path.display());
                Ok(Box::new(LocalModel::load(&path, options)?))
            }
            BackendKind::Http => {
                let Some(url) = &self.url else {
                    return Err(LlmError::new(Code::G004, "--backend http needs --url"));
                };
                let mut options = HttpOptions::new(url, &self.server_model);
                options.endpoint = match self.endpoint {
                    EndpointArg::Completion => Endpoint::Completion,
                    EndpointArg::Chat => Endpoint::Chat,
                };
                options.grammar_field = match self.grammar_field {
                    GrammarFieldArg::None => GrammarField::None,
                    GrammarFieldArg::LlamaServer => GrammarField::LlamaServer,
                    GrammarFieldArg::Vllm => GrammarField::Vllm,
                };
                options.api_key_env = self.api_key_env.clone();
                options.retries = self.retries;
                options.connect_timeout = Duration::from_secs(self.timeout);
                options.read_timeout = Duration::from_secs(self.timeout);
                Ok(Box::new(HttpBackend::new(options)))
            }
            BackendKind::Command => {
                let Some(command) = &self.command else {
                    return Err(LlmError::new(
                        Code::G006,
                        "--backend command needs --command",
                    ));
                };
                Ok(Box::new(CommandBackend::new(
                    command,
                    Duration::from_secs(self.timeout),
                )))
            }
        }
    }
}

/// The repair loop's budget and what judges a candidate.
#[derive(clap::Args, Debug)]
pub struct LoopArgs {
    /// Candidates to generate in all, first attempts and repairs together (1: one shot).
    #[arg(long, default_value_t = 4)]
    attempts: u32,
    /// Candidates per round, each with its own seed (judged in parallel); the best seeds the
    /// next round. Beyond the first, a greedy (--temperature 0) run samples them at 0.7.
    #[arg(long, default_value_t = 1)]
    candidates: u32,
    /// Seconds the whole loop may take (checked before each request; a request runs to its
    /// own --timeout).
    #[arg(long, default_value_t = 1800)]
    time_budget: u64,
    /// Tokens the model may write in all; no limit unless given.
    #[arg(long)]
    token_budget: Option<u64>,
    /// Findings fed back to the model per round (the most important first).
    #[arg(long, default_value_t = 3)]
    findings: usize,
    /// Scans of bounded model checking and the largest k of k-induction, when verifying a
    /// candidate.
    #[arg(long, default_value_t = 20)]
    depth: u32,
    /// Seconds for each property or implicit check, when verifying a candidate.
    #[arg(long, default_value_t = 10)]
    verify_timeout: u64,
    /// The dialect whose rules judge a candidate (see `stforge check --help`).
    #[arg(long, value_enum, default_value_t = Dialect::Iec)]
    pub dialect: Dialect,
}

impl LoopArgs {
    pub fn options(&self, settings: Settings) -> Options {
        Options {
            budget: Budget {
                attempts: self.attempts.max(1),
                time: Duration::from_secs(self.time_budget),
                tokens: self.token_budget,
            },
            candidates: self.candidates.max(1),
            settings,
            findings: self.findings.max(1),
        }
    }

    pub fn verify(&self) -> verify::Options {
        verify::Options {
            depth: self.depth.max(1),
            timeout: Duration::from_secs(self.verify_timeout.max(1)),
            ..verify::Options::default()
        }
    }
}
