//! The local backend: a GGUF model run by llama.cpp (`llama-cpp-2`), sampling constrained by
//! llguidance when the request carries a grammar.
//!
//! Loading is done once ([`LocalModel::load`]): the weights, llguidance's token table of the
//! vocabulary (0.3–0.4 s for Gemma's 262k tokens) and its parser factory (another ~0.8 s).
//! Each request then costs a fresh context (its KV cache) and a grammar compile (a few ms).
//!
//! No C++ exception may reach Rust: the file is checked before llama.cpp reads it, and grammars
//! are compiled, checked and applied by llguidance (pure Rust) — never handed to llama.cpp's
//! grammar sampler, one order of which aborted the process (`../shared/recipes/build-deps.md`).

use super::{Backend, Completion, Finish, LlmError, OnText, Request};
use crate::diagnostics::Code;
use llama_cpp_2::context::LlamaContext;
use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::sampling::LlamaSampler;
use llama_cpp_2::token::LlamaToken;
use llguidance::toktrie::TokEnv;
use llguidance::{Matcher, ParserFactory};
use std::io::Read;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Instant;

/// llama.cpp's global state may be initialised once per process.
fn llama_backend() -> Result<&'static LlamaBackend, LlmError> {
    static BACKEND: OnceLock<Result<LlamaBackend, String>> = OnceLock::new();
    BACKEND
        .get_or_init(|| {
            // llama.cpp logs every tensor it loads to stderr; stforge reports what matters.
            llama_cpp_2::send_logs_to_tracing(
                llama_cpp_2::LogOptions::default().with_logs_enabled(false),
            );
            LlamaBackend::init().map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| LlmError::new(Code::G002, format!("llama.cpp could not start: {e}")))
}

/// How to run a local model.
#[derive(Clone, Debug)]
pub struct LocalOptions {
    /// CPU threads for decoding; `None` for all available.
    pub threads: Option<i32>,
    /// The largest context (prompt + completion) in tokens.
    pub max_context: u32,
    /// Layers to offload to a GPU (with the `cuda` feature); 0 on CPU builds.
    pub gpu_layers: u32,
}

impl Default for LocalOptions {
    fn default() -> Self {
        LocalOptions {
            threads: None,
            max_context: 8192,
            gpu_layers: 0,
        }
    }
}

/// A loaded model, reusable for any number of requests.
pub struct LocalModel {
    model: LlamaModel,
    factory: ParserFactory,
    path: PathBuf,
    options: LocalOptions,
    /// The file's sha256, computed when first asked for (it reads the whole file).
    sha256: std::sync::OnceLock<String>,
}

/// The four bytes every GGUF file starts with.
const GGUF_MAGIC: &[u8; 4] = b"GGUF";

impl LocalModel {
    /// Loads a GGUF model. A missing file is G001; a file that is not a loadable GGUF is G002.
    pub fn load(path: &Path, options: LocalOptions) -> Result<LocalModel, LlmError> {
        check_gguf_file(path)?;
        let backend = llama_backend()?;
        let params = LlamaModelParams::default().with_n_gpu_layers(options.gpu_layers);
        let model = LlamaModel::load_from_file(backend, path, &params).map_err(|e| {
            LlmError::new(
                Code::G002,
                format!(
                    "{}: llama.cpp could not load the model ({e})",
                    path.display()
                ),
            )
        })?;
        let tok_env: TokEnv = LlamaSampler::llguidance_tok_env(&model);
        let mut factory = ParserFactory::new_simple(&tok_env).map_err(|e| {
            LlmError::new(
                Code::G002,
                format!("{}: the vocabulary could not be read ({e})", path.display()),
            )
        })?;
        factory.quiet();
        Ok(LocalModel {
            model,
            factory,
            path: path.to_path_buf(),
            sha256: std::sync::OnceLock::new(),
            options,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Tokens of a text, as the model reads a prompt (with its start token).
    pub fn tokenize(&self, text: &str) -> Vec<LlamaToken> {
        self.model.vocab().tokenize(text.as_bytes(), true, false)
    }

    /// Compiles a Lark grammar for this model's vocabulary; G003 when it is invalid.
    pub fn grammar_matcher(&self, lark: &str) -> Result<Matcher, LlmError> {
        let parser = self
            .factory
            .create_parser(llguidance::api::TopLevelGrammar::from_lark(
                lark.to_string(),
            ));
        let matcher = Matcher::new(parser);
        // A matcher built from a failed compile constrains nothing: never hand it over.
        match matcher.get_error() {
            Some(e) => Err(LlmError::new(Code::G003, format!("invalid grammar: {e}"))),
            None => Ok(matcher),
        }
    }

    fn threads(&self) -> i32 {
        self.options
            .threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get() as i32))
    }
}

/// Checks that a file exists and starts like a GGUF before llama.cpp reads it.
fn check_gguf_file(path: &Path) -> Result<(), LlmError> {
    let mut file = std::fs::File::open(path).map_err(|e| {
        LlmError::new(
            Code::G001,
            format!("model file {} could not be opened: {e}", path.display()),
        )
    })?;
    let mut magic = [0u8; 4];
    if file.read_exact(&mut magic).is_err() || &magic != GGUF_MAGIC {
        return Err(LlmError::new(
            Code::G002,
            format!("{} is not a GGUF model file", path.display()),
        ));
    }
    Ok(())
}

/// Tokens decoded per `decode` call while reading the prompt.
const PROMPT_BATCH: usize = 512;

impl Backend for LocalModel {
    /// The file name and its sha256: what a run's provenance records.
    fn describe(&self) -> String {
        let sha256 = self.sha256.get_or_init(|| {
            super::store::sha256_file(&self.path).unwrap_or_else(|e| format!("unreadable: {e}"))
        });
        let name = self.path.file_name().unwrap_or_default().to_string_lossy();
        format!("{name} (sha256 {sha256})")
    }

    fn enforces_grammar(&self) -> bool {
        true
    }

    fn complete(
        &mut self,
        request: &Request<'_>,
        on_text: OnText<'_>,
    ) -> Result<Completion, LlmError> {
        // Compile the grammar first: an invalid one fails before any work is done.
        let grammar = request
            .grammar
            .map(|g| self.grammar_matcher(g))
            .transpose()?;
        let prompt = self.tokenize(request.prompt);
        let needed = prompt.len() as u32 + request.max_tokens + 1;
        let train = self.model.n_ctx_train();
        let limit = self.options.max_context.min(train);
        if needed > limit {
            return Err(LlmError::new(
                Code::G009,
                format!(
                    "the prompt ({} tokens) and --max-tokens {} need {needed} tokens of context; \
                     the model allows {limit}",
                    prompt.len(),
                    request.max_tokens
                ),
            ));
        }
        let threads = self.threads();
        let params = LlamaContextParams::default()
            .with_n_ctx(NonZeroU32::new(needed))
            .with_n_batch(PROMPT_BATCH as u32)
            .with_n_threads(threads)
            .with_n_threads_batch(threads);
        let backend = llama_backend()?;
        let mut ctx = self
            .model
            .new_context(backend, params)
            .map_err(|e| LlmError::new(Code::G002, format!("no context for the model: {e}")))?;
        let decode_error = |e: llama_cpp_2::DecodeError| {
            LlmError::new(Code::G002, format!("decoding failed: {e}"))
        };

        // Read the prompt in batches; logits only for its last token.
        let started = Instant::now();
        let mut batch = LlamaBatch::new(PROMPT_BATCH, 1);
        let last = prompt.len() - 1;
        for (chunk_index, chunk) in prompt.chunks(PROMPT_BATCH).enumerate() {
            batch.clear();
            for (i, &token) in chunk.iter().enumerate() {
                let pos = chunk_index * PROMPT_BATCH + i;
                batch
                    .add(token, pos as i32, &[0], pos == last)
                    .map_err(|e| LlmError::new(Code::G002, e.to_string()))?;
            }
            ctx.decode(&mut batch).map_err(decode_error)?;
        }
        let prompt_time = started.elapsed();

        let mut sampler = Sampler::new(grammar, request, self.model.n_vocab());
        let generation_started = Instant::now();
        let mut text = Vec::new();
        let mut shown = 0;
        let mut generated = 0u32;
        let mut finish = Finish::Length;
        let mut pos = prompt.len() as i32;
        let mut logits_at = batch.n_tokens() - 1;
        let vocab = self.model.vocab();
        while generated < request.max_tokens {
            let token = sampler.sample(&ctx, logits_at, |t| vocab.is_eog(t));
            if vocab.is_eog(token) {
                finish = Finish::Stop;
                break;
            }
            generated += 1;
            text.extend(vocab.token_to_piece(token, false, None));
            // Show only whole UTF-8 characters; a token may end inside one.
            let valid = match std::str::from_utf8(&text[shown..]) {
                Ok(s) => s.len(),
                Err(e) => e.valid_up_to(),
            };
            if valid > 0 {
                on_text(std::str::from_utf8(&text[shown..shown + valid]).unwrap_or_default());
                shown += valid;
            }
            if let Some(end) = request.stop_after
                && ends_with_keyword(&text, end)
            {
                finish = Finish::Stop;
                break;
            }
            batch.clear();
            batch
                .add(token, pos, &[0], true)
                .map_err(|e| LlmError::new(Code::G002, e.to_string()))?;
            pos += 1;
            logits_at = 0;
            ctx.decode(&mut batch).map_err(decode_error)?;
        }
        Ok(Completion {
            text: String::from_utf8_lossy(&text).into_owned(),
            prompt_tokens: prompt.len() as u32,
            completion_tokens: generated,
            prompt_time,
            generation_time: generation_started.elapsed(),
            finish,
        })
    }
}

/// Whether `text` ends with the keyword `end` as a token of its own (not in a comment or a
/// string). Lexing is done only when the text ends with the word, so it costs nothing per token.
pub fn ends_with_keyword(text: &[u8], end: &str) -> bool {
    let trimmed = text.trim_ascii_end();
    if trimmed.len() < end.len()
        || !trimmed[trimmed.len() - end.len()..].eq_ignore_ascii_case(end.as_bytes())
    {
        return false;
    }
    let Ok(text) = std::str::from_utf8(trimmed) else {
        return false;
    };
    let lexed = crate::syntax::lex(crate::source::FileId(0), text);
    lexed.tokens.last().is_some_and(|t| {
        t.span.end == text.len() && text[t.span.start..t.span.end].eq_ignore_ascii_case(end)
    })
}

/// Sampling: a repetition penalty, then greedy decoding at temperature 0, or top-k, temperature
/// and a seeded draw; with a grammar, the way llama.cpp's own sampler does it (the recipe in
/// `../shared/recipes/build-deps.md`): the token drawn without the grammar is checked against
/// it, and only when the grammar rejects it is the draw repeated over the tokens it allows.
/// Checking one token costs microseconds, a mask over the 262k-token vocabulary milliseconds;
/// the model's choice is allowed most of the time. At temperature 0 the result is the same
/// token as masking first (masking only removes other candidates); at a temperature, a draw
/// repeated from the allowed tokens has the masked distribution. The grammar is llguidance's
/// own matcher, never a sampler of llama.cpp's, so no C++ code sees it.
struct Sampler {
    chain: LlamaSampler,
    grammar: Option<Matcher>,
    /// Decoding at temperature 0: the next token is the best the grammar allows.
    greedy: bool,
}

/// At temperature 0, the runners-up the grammar is asked about one by one when it rejects the
/// model's first choice, before the whole vocabulary is masked. Usually the second or third
/// is allowed (the model meant a space, or a keyword spelt in other pieces), and each answer
/// costs microseconds where the mask costs milliseconds.
const RUNNERS_UP: usize = 16;

/// The best-scoring candidate (after the penalties) that the grammar allows, among the
/// [`RUNNERS_UP`] best; `None` when it allows none of them. The same token masking first would
/// choose, since masking only removes candidates.
fn best_allowed(
    grammar: &mut Matcher,
    candidates: &[llama_cpp_2::token::data::LlamaTokenData],
    is_eog: impl Fn(LlamaToken) -> bool,
) -> Option<LlamaToken> {
    // One pass keeps the best few, best first.
    let mut best: Vec<(f32, LlamaToken)> = Vec::with_capacity(RUNNERS_UP + 1);
    for c in candidates {
        let logit = c.logit();
        if best.len() == RUNNERS_UP && best[RUNNERS_UP - 1].0 >= logit {
            continue;
        }
        let at = best.partition_point(|(l, _)| *l >= logit);
        best.insert(at, (logit, c.id()));
        best.truncate(RUNNERS_UP);
    }
    best.into_iter().map(|(_, t)| t).find(|&t| {
        if is_eog(t) {
            grammar.is_accepting().unwrap_or(false)
        } else {
            grammar.validate_tokens(&[t.0 as u32]).ok() == Some(1)
        }
    })
}

impl Sampler {
    fn new(grammar: Option<Matcher>, request: &Request<'_>, n_vocab: i32) -> Sampler {
        // A mild penalty on tokens of the last 64: a small model otherwise repeats a
        // statement until the token limit.
        let mut chain = vec![LlamaSampler::penalties(n_vocab, 64, 1.15, 0.0, 0.0)];
        if request.temperature <= 0.0 {
            chain.push(LlamaSampler::greedy());
        } else {
            chain.push(LlamaSampler::top_k(40));
            chain.push(LlamaSampler::temp(request.temperature));
            chain.push(LlamaSampler::dist(request.seed));
        }
        Sampler {
            chain: LlamaSampler::chain_simple(chain),
            grammar,
            greedy: request.temperature <= 0.0,
        }
    }

    /// The next token from the logits at `at`, accepted by the grammar (which consumes it)
    /// and recorded for the penalty.
    fn sample(
        &mut self,
        ctx: &LlamaContext<'_>,
        at: i32,
        is_eog: impl Fn(LlamaToken) -> bool,
    ) -> LlamaToken {
        let mut candidates = ctx.token_data_array_ith(at);
        self.chain.apply(&mut candidates);
        let mut token = candidates.selected_token().unwrap_or(LlamaToken(0));
        if let Some(grammar) = &mut self.grammar {
            let allowed = if is_eog(token) {
                grammar.is_stopped() || grammar.is_accepting().unwrap_or(false)
            } else {
                !grammar.is_stopped()
                    && grammar.try_consume_tokens(&[token.0 as u32]).ok() == Some(1)
            };
            if let Some(best) = (!allowed && self.greedy)
                .then(|| best_allowed(grammar, &candidates.data, &is_eog))
                .flatten()
            {
                token = best;
                if !is_eog(token) {
                    let _ = grammar.consume_token(token.0 as u32);
                }
            } else if !allowed {
                let mut candidates = ctx.token_data_array_ith(at);
                // A matcher in an error state constrains nothing (it was checked when built).
                if let Ok(mask) = grammar.compute_mask_or_eos() {
                    for c in candidates.data.iter_mut() {
                        if !mask.is_allowed(c.id().0 as u32) {
                            c.set_logit(f32::NEG_INFINITY);
                        }
                    }
                }
                self.chain.apply(&mut candidates);
                token = candidates.selected_token().unwrap_or(token);
                if !is_eog(token) {
                    let _ = grammar.consume_token(token.0 as u32);
                }
            }
        }
        self.chain.accept(token);
        token
    }
}
