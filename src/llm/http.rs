//! The HTTP backend: any OpenAI-compatible server (llama.cpp's llama-server, Ollama, vLLM,
//! hosted APIs), through its completion or chat endpoint, streamed.
//!
//! Transient failures (connection refused, HTTP 429 and 5xx) are retried with exponential
//! backoff (a `Retry-After` in seconds is honoured); anything else fails at once with G004.
//! The API key is read from the environment only, sent as a bearer token and never written to
//! any message, log or record.

use super::{Backend, Completion, Finish, LlmError, OnText, Request};
use crate::diagnostics::Code;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

/// Which endpoint to call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// `/v1/completions`: the prompt continued as a document (base models).
    Completion,
    /// `/v1/chat/completions`: the prompt as one user message (instruction-tuned models).
    Chat,
}

/// How a server takes a grammar, if it does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GrammarField {
    /// The server is not sent the grammar; the caller parses the output.
    None,
    /// llama-server built with llguidance: Lark text in `grammar`.
    LlamaServer,
    /// vLLM: `guided_grammar`.
    Vllm,
}

#[derive(Clone, Debug)]
pub struct HttpOptions {
    /// The server's base URL, e.g. `http://127.0.0.1:8080` (`/v1/...` is appended).
    pub base_url: String,
    /// The model name the server expects.
    pub model: String,
    pub endpoint: Endpoint,
    pub grammar_field: GrammarField,
    /// The environment variable holding the API key (none is sent when it is unset).
    pub api_key_env: String,
    /// Longest wait for the connection and for the first response byte.
    pub connect_timeout: Duration,
    /// Longest silence while the completion streams.
    pub read_timeout: Duration,
    /// Retries after the first attempt, for 429, 5xx and refused connections.
    pub retries: u32,
    /// The first backoff; each retry waits twice as long as the one before.
    pub backoff: Duration,
}

impl HttpOptions {
    pub fn new(base_url: &str, model: &str) -> HttpOptions {
        HttpOptions {
            base_url: base_url.trim_end_matches('/').to_string(),
            model: model.to_string(),
            endpoint: Endpoint::Completion,
            grammar_field: GrammarField::None,
            api_key_env: "STFORGE_API_KEY".to_string(),
            connect_timeout: Duration::from_secs(30),
            read_timeout: Duration::from_secs(120),
            retries: 3,
            backoff: Duration::from_millis(500),
        }
    }
}

pub struct HttpBackend {
    options: HttpOptions,
    agent: ureq::Agent,
}

impl HttpBackend {
    pub fn new(options: HttpOptions) -> HttpBackend {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(options.connect_timeout))
            .timeout_recv_response(Some(options.connect_timeout))
            .timeout_per_read(Some(options.read_timeout))
            .build()
            .into();
        HttpBackend { options, agent }
    }

    fn url(&self) -> String {
        let path = match self.options.endpoint {
            Endpoint::Completion => "/v1/completions",
            Endpoint::Chat => "/v1/chat/completions",
        };
        format!("{}{path}", self.options.base_url)
    }

    fn body(&self, request: &Request<'_>) -> Value {
        let mut body = json!({
            "model": self.options.model,
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
            "seed": request.seed,
            "stream": true,
            "stream_options": { "include_usage": true },
        });
        match self.options.endpoint {
            Endpoint::Completion => body["prompt"] = json!(request.prompt),
            Endpoint::Chat => {
                body["messages"] = json!([{ "role": "user", "content": request.prompt }])
            }
        }
        if let Some(grammar) = request.grammar {
            match self.options.grammar_field {
                GrammarField::None => {}
                GrammarField::LlamaServer => body["grammar"] = json!(grammar),
                GrammarField::Vllm => body["guided_grammar"] = json!(grammar),
            }
        }
        body
    }

    /// One attempt: the response body's reader, or the error and whether to retry it.
    fn send(
        &self,
        body: &str,
    ) -> Result<ureq::http::Response<ureq::Body>, (LlmError, Option<Duration>)> {
        let url = self.url();
        let mut call = self
            .agent
            .post(&url)
            .header("Content-Type", "application/json")
            .header("Accept", "text/event-stream");
        if let Ok(key) = std::env::var(&self.options.api_key_env)
            && !key.is_empty()
        {
            call = call.header("Authorization", format!("Bearer {key}"));
        }
        match call.send(body) {
            Ok(response) => {
                let status = response.status().as_u16();
                if status == 200 {
                    return Ok(response);
                }
                let retry_after = response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(Duration::from_secs);
                let detail = server_message(response);
                let error = LlmError::new(
                    Code::G004,
                    format!("{url}: the server answered HTTP {status}{detail}"),
                );
                let transient = status == 429 || status >= 500;
                Err((error, transient.then(|| retry_after.unwrap_or_default())))
            }
            Err(e) => {
                let transient = matches!(
                    e,
                    ureq::Error::ConnectionFailed | ureq::Error::Io(_) | ureq::Error::HostNotFound
                ) && !matches!(e, ureq::Error::Timeout(_));
                let message = match e {
                    ureq::Error::Timeout(_) => format!("{url}: no answer within the timeout"),
                    e => format!("{url}: the server could not be reached ({e})"),
                };
                Err((
                    LlmError::new(Code::G004, message),
                    transient.then_some(Duration::ZERO),
                ))
            }
        }
    }
}

/// The first line of an error response's body, for the message.
fn server_message(response: ureq::http::Response<ureq::Body>) -> String {
    let mut body = response.into_body();
    let text = body
        .with_config()
        .limit(4096)
        .read_to_string()
        .unwrap_or_default();
    let line = text.lines().next().unwrap_or("").trim();
    if line.is_empty() {
        String::new()
    } else {
        format!(": {}", line.chars().take(200).collect::<String>())
    }
}

impl Backend for HttpBackend {
    fn describe(&self) -> String {
        format!("{} at {}", self.options.model, self.options.base_url)
    }

    fn enforces_grammar(&self) -> bool {
        self.options.grammar_field != GrammarField::None
    }

    fn complete(
        &mut self,
        request: &Request<'_>,
        on_text: OnText<'_>,
    ) -> Result<Completion, LlmError> {
        let body = self.body(request).to_string();
        let started = Instant::now();
        let mut backoff = self.options.backoff;
        let mut attempt = 0;
        let response = loop {
            match self.send(&body) {
                Ok(response) => break response,
                Err((error, Some(retry_after))) if attempt < self.options.retries => {
                    let _ = error;
                    attempt += 1;
                    std::thread::sleep(backoff.max(retry_after));
                    backoff *= 2;
                }
                Err((mut error, retry)) => {
                    if retry.is_some() && attempt > 0 {
                        error.message = format!("{} (after {} retries)", error.message, attempt);
                    }
                    return Err(error);
                }
            }
        };
        read_stream(response, self.options.endpoint, started, on_text)
    }
}

/// Reads a server-sent-event stream of completion chunks (`data: {json}` lines, ending with
/// `data: [DONE]`).
fn read_stream(
    response: ureq::http::Response<ureq::Body>,
    endpoint: Endpoint,
    started: Instant,
    on_text: OnText<'_>,
) -> Result<Completion, LlmError> {
    let reader = BufReader::new(response.into_body().into_reader());
    let mut text = String::new();
    let mut chunks = 0u32;
    let mut usage: Option<(u32, u32)> = None;
    let mut finish = None;
    let mut first_token: Option<Instant> = None;
    let mut done = false;
    for line in reader.lines() {
        let line = line.map_err(|e| {
            let why = if e.kind() == std::io::ErrorKind::TimedOut {
                "the stream stalled past the read timeout".to_string()
            } else {
                format!("the stream broke off ({e})")
            };
            LlmError::new(Code::G004, why)
        })?;
        let line = line.trim();
        let Some(data) = line.strip_prefix("data:") else {
            // Comments (`:`), `event:` lines and blank separators carry no text.
            continue;
        };
        let data = data.trim();
        if data == "[DONE]" {
            done = true;
            break;
        }
        let chunk: Value = serde_json::from_str(data).map_err(|e| {
            LlmError::new(
                Code::G004,
                format!(
                    "malformed stream: a chunk is not JSON ({e}): {}",
                    preview(data)
                ),
            )
        })?;
        if let Some(error) = chunk.get("error") {
            return Err(LlmError::new(
                Code::G004,
                format!(
                    "the server reported an error: {}",
                    preview(&error.to_string())
                ),
            ));
        }
        if let Some(u) = chunk.get("usage").filter(|u| !u.is_null()) {
            let n = |k: &str| u.get(k).and_then(Value::as_u64).unwrap_or(0) as u32;
            usage = Some((n("prompt_tokens"), n("completion_tokens")));
        }
        let Some(choices) = chunk.get("choices").and_then(Value::as_array) else {
            if chunk.get("usage").is_some() {
                continue;
            }
            return Err(LlmError::new(
                Code::G004,
                format!(
                    "malformed stream: a chunk has no choices: {}",
                    preview(data)
                ),
            ));
        };
        let Some(choice) = choices.first() else {
            continue;
        };
        let piece = match endpoint {
            Endpoint::Completion => choice.get("text"),
            Endpoint::Chat => choice.get("delta").and_then(|d| d.get("content")),
        }
        .and_then(Value::as_str)
        .unwrap_or("");
        if !piece.is_empty() {
            first_token.get_or_insert_with(Instant::now);
            chunks += 1;
            text.push_str(piece);
            on_text(piece);
        }
        if let Some(reason) = choice.get("finish_reason").and_then(Value::as_str) {
            finish = Some(if reason == "length" {
                Finish::Length
            } else {
                Finish::Stop
            });
        }
    }
    if !done && finish.is_none() {
        return Err(LlmError::new(
            Code::G004,
            "malformed stream: it ended without a finish reason or [DONE]",
        ));
    }
    let first = first_token.unwrap_or_else(Instant::now);
    let (prompt_tokens, completion_tokens) = usage.unwrap_or((0, chunks));
    Ok(Completion {
        text,
        prompt_tokens,
        completion_tokens,
        prompt_time: first.saturating_duration_since(started),
        generation_time: first.elapsed(),
        finish: finish.unwrap_or(Finish::Stop),
    })
}

fn preview(s: &str) -> String {
    let short: String = s.chars().take(80).collect();
    if short.len() < s.len() {
        format!("{short}…")
    } else {
        short
    }
}
