//! One candidate for a spec: prompt, grammar, a backend's completion, and the full POU
//! assembled from the spec's interface and the model's part. Made to be called many times in
//! one process (the repair loop): a [`Task`] is prepared once per spec (examples retrieved,
//! grammar built), then [`generate`] runs per attempt with its own settings and feedback.

use super::grammar::{Grammar, end_keyword};
use super::prompt::{self, Prompt};
use super::retrieval::{Corpus, Example};
use super::{Backend, Completion, LlmError, OnText, Request};
use crate::diagnostics::{Code, Diagnostic};
use crate::source::FileId;
use crate::spec::Spec;
use crate::syntax;
use std::path::Path;

/// What does not change between attempts for one spec.
#[derive(Clone, Debug)]
pub struct Task {
    pub spec: Spec,
    pub grammar: Grammar,
    /// The grammar as Lark text.
    pub lark: String,
    /// The solved examples the prompt shows, best first.
    pub examples: Vec<Example>,
}

impl Task {
    /// Prepares a spec: up to `k` most similar examples from `corpus` (never the spec's own
    /// task) and the grammar specialised for its POU.
    pub fn new(spec: Spec, spec_path: Option<&Path>, corpus: Option<&Corpus>, k: usize) -> Task {
        let examples = corpus
            .map(|c| {
                c.most_similar(&spec, spec_path, k)
                    .into_iter()
                    .map(|(e, _)| e.clone())
                    .collect()
            })
            .unwrap_or_default();
        let grammar = Grammar::for_spec(&spec);
        let lark = grammar.to_lark();
        Task {
            spec,
            grammar,
            lark,
            examples,
        }
    }

    /// The prompt for an attempt, with feedback on the previous one.
    pub fn prompt(&self, feedback: Option<&str>) -> Prompt {
        let examples: Vec<&Example> = self.examples.iter().collect();
        prompt::build(&self.spec, &examples, feedback)
    }
}

/// The settings of one attempt.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    pub seed: u32,
    /// 0 is greedy.
    pub temperature: f32,
    pub max_tokens: u32,
    /// For backends that do not enforce the grammar: further requests (with the next seeds)
    /// while the output does not parse.
    pub syntax_retries: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            seed: 0,
            temperature: 0.0,
            max_tokens: 512,
            syntax_retries: 2,
        }
    }
}

/// One generated candidate.
#[derive(Clone, Debug)]
pub struct Candidate {
    /// The whole POU: the spec's interface, then the model's part.
    pub source: String,
    /// What the model wrote (locals, body, closing keyword), trimmed.
    pub model_part: String,
    pub prompt: Prompt,
    /// The last completion, and the totals over all requests of this attempt.
    pub completion: Completion,
    pub requests: u32,
    /// Syntax diagnostics of `source` (empty when it parses cleanly).
    pub syntax: Vec<Diagnostic>,
}

/// Generates one candidate. G005 when the model wrote nothing. When the backend does not
/// enforce the grammar and the output does not parse, it is asked again (up to
/// `syntax_retries` times, seeds counting up); the last candidate is returned with its
/// diagnostics either way.
pub fn generate(
    backend: &mut dyn Backend,
    task: &Task,
    settings: &Settings,
    feedback: Option<&str>,
    on_text: OnText<'_>,
) -> Result<Candidate, LlmError> {
    let prompt = task.prompt(feedback);
    let attempts = if backend.enforces_grammar() {
        1
    } else {
        1 + settings.syntax_retries
    };
    let mut last = None;
    for i in 0..attempts {
        let end = end_keyword(task.spec.pou.kind).describe();
        let request = Request {
            prompt: &prompt.text,
            grammar: Some(&task.lark),
            max_tokens: settings.max_tokens,
            temperature: settings.temperature,
            seed: settings.seed.wrapping_add(i),
            stop_after: Some(end),
        };
        let completion = backend.complete(&request, on_text)?;
        let model_part = model_part(&completion.text, end);
        if model_part.is_empty() {
            return Err(LlmError::new(
                Code::G005,
                format!(
                    "the model wrote nothing ({} tokens, {})",
                    completion.completion_tokens,
                    backend.describe()
                ),
            ));
        }
        let source = format!("{}{}\n", task.spec.interface_st(), model_part);
        let syntax = syntax::parse(FileId(0), &source).diagnostics;
        let clean = syntax.is_empty();
        last = Some(Candidate {
            source,
            model_part,
            prompt: prompt.clone(),
            completion,
            requests: i + 1,
            syntax,
        });
        if clean {
            break;
        }
    }
    Ok(last.expect("at least one request"))
}

/// The model's part of a completion: up to and including the first closing keyword (a base
/// model without a grammar goes on with a next task), with an indented first line kept.
pub fn model_part(text: &str, end: &str) -> String {
    let upper = text.to_ascii_uppercase();
    let mut cut = text.len();
    let mut from = 0;
    while let Some(i) = upper[from..].find(end) {
        let at = from + i;
        let after = upper[at + end.len()..].chars().next();
        let before = upper[..at].chars().next_back();
        let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        if !word(after) && !word(before) {
            cut = at + end.len();
            break;
        }
        from = at + end.len();
    }
    let part = &text[..cut];
    // Keep the first line's indentation; drop blank lines before it and space after.
    let start = part
        .char_indices()
        .find(|&(_, c)| !c.is_whitespace())
        .map_or(part.len(), |(i, _)| {
            part[..i].rfind('\n').map_or(0, |nl| nl + 1)
        });
    part[start..].trim_end().to_string()
}
