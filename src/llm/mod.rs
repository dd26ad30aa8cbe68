//! Generation: a prompt built from a spec, a grammar of the model's part, and backends that
//! turn a prompt into a completion — a local GGUF model through llama.cpp (constrained by the
//! grammar), an OpenAI-compatible server, or any command.
//!
//! Invariant: stforge writes the POU header and every declaration of the spec; the model writes
//! only its locals and the body (the "model's part"), so the output always has the spec's
//! interface. Backends never abort the process: every failure is an [`LlmError`] with a
//! G-code.
//!
//! The library API is made for many calls in one process (the repair loop): a [`Backend`]
//! keeps what is expensive (a loaded model, its token tables) and each [`Request`] carries its
//! own seed, temperature and token limit.

pub mod command;
pub mod generate;
pub mod grammar;
pub mod http;
pub mod local;
pub mod prompt;
pub mod retrieval;
pub mod store;

use crate::diagnostics::Code;
use std::time::Duration;

/// One completion request.
#[derive(Clone, Debug)]
pub struct Request<'a> {
    pub prompt: &'a str,
    /// A Lark grammar the completion must match (llguidance syntax), when the backend can
    /// enforce one.
    pub grammar: Option<&'a str>,
    pub max_tokens: u32,
    /// 0 is greedy decoding.
    pub temperature: f32,
    pub seed: u32,
    /// The POU's closing keyword: generation ends once it stands as the last token of the text
    /// (not inside a comment or string). The grammar allows trailing comments and whitespace,
    /// which a model would otherwise go on writing.
    pub stop_after: Option<&'a str>,
}

/// Why generation stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Finish {
    /// The model (or the grammar) ended the text.
    Stop,
    /// The token limit was reached.
    Length,
}

/// What a backend returns.
#[derive(Clone, Debug, PartialEq)]
pub struct Completion {
    pub text: String,
    pub prompt_tokens: u32,
    pub completion_tokens: u32,
    /// Time to read the prompt (until the first generated token).
    pub prompt_time: Duration,
    /// Time to generate the completion after the prompt.
    pub generation_time: Duration,
    pub finish: Finish,
}

impl Completion {
    /// Generated tokens per second, when the backend counted them.
    pub fn tokens_per_second(&self) -> Option<f64> {
        let secs = self.generation_time.as_secs_f64();
        (self.completion_tokens > 0 && secs > 0.0).then(|| self.completion_tokens as f64 / secs)
    }
}

/// A failure of a backend: a G-code and a message for the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LlmError {
    pub code: Code,
    pub message: String,
}

impl LlmError {
    pub fn new(code: Code, message: impl Into<String>) -> LlmError {
        LlmError {
            code,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for LlmError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl std::error::Error for LlmError {}

/// Called with each piece of text as it is generated, for progress displays.
pub type OnText<'a> = &'a mut dyn FnMut(&str);

/// A generator: something that completes prompts.
pub trait Backend {
    /// What to record as the model (a file name and hash, a server's model name, a command).
    fn describe(&self) -> String;
    /// Whether [`Request::grammar`] is enforced while sampling (otherwise the caller checks
    /// the output and may retry).
    fn enforces_grammar(&self) -> bool;
    fn complete(
        &mut self,
        request: &Request<'_>,
        on_text: OnText<'_>,
    ) -> Result<Completion, LlmError>;
}
