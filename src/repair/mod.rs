//! The repair loop: generate → check → test → verify → feed back, until a candidate passes
//! every stage or the budget (attempts, wall time, tokens) is spent.
//!
//! Each round generates N candidates (different seeds) from the same prompt. Each is judged
//! ([`judge`]) on its own thread as soon as the model has written it, so judging never waits
//! on the model and the model goes on to the next candidate without waiting for a judge; the
//! model waits only at the end of a round, for the judgements its next prompt needs. A round
//! stops early once a candidate has passed. The best candidate of the round (the one whose
//! first failing stage comes latest, then with the fewest findings, then the fewest properties
//! left unknown) seeds the next: its code and its most important findings ([`feedback`]) go
//! into the next prompt.
//!
//! A candidate passes when it parses, type-checks, passes the spec's tests and no property or
//! implicit check is violated. A property the verifier could neither prove nor refute is
//! `unknown`: not a failure, but never presented as proved ([`provenance`] writes each verdict).

pub mod eval;
pub mod feedback;
pub mod judge;
pub mod provenance;
pub mod report;

use crate::diagnostics::Code;
use crate::llm::generate::{Settings, Task, generate};
use crate::llm::{Backend, Finish, LlmError};
use feedback::Finding;
use judge::{Judge, Judgement, Stage};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// What one run of the loop may spend.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    /// Candidates generated, in all rounds.
    pub attempts: u32,
    /// Wall time; checked before each request (a request runs to its own timeout).
    pub time: Duration,
    /// Tokens generated, in all requests; `None` for no limit.
    pub tokens: Option<u64>,
}

#[derive(Clone, Copy, Debug)]
pub struct Options {
    pub budget: Budget,
    /// Candidates per round.
    pub candidates: u32,
    /// The first candidate's settings; later candidates count the seed up.
    pub settings: Settings,
    /// Findings fed back per round.
    pub findings: usize,
}

/// One generated candidate and its judgement.
#[derive(Clone, Debug)]
pub struct Attempt {
    /// 1-based, in the order they were generated.
    pub number: usize,
    /// 1-based.
    pub round: usize,
    pub seed: u32,
    pub temperature: f32,
    /// The attempt whose code and findings this one's prompt carried.
    pub revises: Option<usize>,
    /// The findings of that attempt that were fed back (the prompt's feedback text).
    pub feedback: Option<String>,
    /// The whole POU.
    pub source: String,
    /// A unified diff from the revised attempt's source.
    pub diff: Option<String>,
    pub judgement: Judgement,
    pub prompt_tokens: u32,
    pub completion_tokens: u32,
    pub generation_time: Duration,
}

/// Why the loop stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stop {
    Passed,
    Attempts,
    Time,
    Tokens,
    /// The backend failed (a dead server, a command that failed or timed out).
    Backend(LlmError),
}

impl Stop {
    pub fn describe(&self) -> String {
        match self {
            Stop::Passed => "a candidate passed".to_string(),
            Stop::Attempts => "the attempts were spent".to_string(),
            Stop::Time => "the time budget was spent".to_string(),
            Stop::Tokens => "the token budget was spent".to_string(),
            Stop::Backend(e) => format!("the generator failed: {e}"),
        }
    }
}

/// Everything one run of the loop did.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub attempts: Vec<Attempt>,
    /// The best attempt (an index into `attempts`): the first that passed, else the best
    /// ranked.
    pub best: Option<usize>,
    pub stop: Stop,
    pub elapsed: Duration,
}

impl Outcome {
    pub fn passed(&self) -> bool {
        self.stop == Stop::Passed
    }

    pub fn best(&self) -> Option<&Attempt> {
        self.best.map(|i| &self.attempts[i])
    }

    pub fn tokens(&self) -> u64 {
        self.attempts
            .iter()
            .map(|a| u64::from(a.completion_tokens))
            .sum()
    }
}

/// What the loop reports while it runs.
pub enum Event<'a> {
    /// A request is about to be sent.
    Generating { number: usize, round: usize },
    /// A candidate was judged.
    Judged(&'a Attempt),
}

/// Runs the loop for `task` with `backend`, judging with `judge`.
pub fn run(
    backend: &mut dyn Backend,
    task: &Task,
    judge: &Judge,
    options: &Options,
    on_event: &mut dyn FnMut(Event<'_>),
) -> Outcome {
    let started = Instant::now();
    let mut attempts: Vec<Attempt> = Vec::new();
    let mut seed_of_round: Option<usize> = None;
    let mut tokens = 0u64;
    let per_round = options.candidates.max(1) as usize;
    let mut stop = None;
    let mut round = 0;
    while stop.is_none() {
        round += 1;
        let revises = seed_of_round;
        let feedback = revises.map(|i| {
            let a: &Attempt = &attempts[i];
            feedback::text(&a.source, &a.judgement, options.findings)
        });
        let (sender, receiver) = mpsc::channel::<Attempt>();
        let first = attempts.len();
        std::thread::scope(|scope| {
            for j in 0..per_round {
                stop = spent(options, first + j, started, tokens);
                if stop.is_some() {
                    break;
                }
                // A candidate already judged to pass makes the rest of the round unneeded.
                while let Ok(judged) = receiver.try_recv() {
                    let passed = judged.judgement.passed();
                    attempts.push(judged);
                    if passed {
                        stop = Some(Stop::Passed);
                    }
                }
                if stop.is_some() {
                    break;
                }
                let number = first + j + 1;
                on_event(Event::Generating { number, round });
                let settings = candidate_settings(&options.settings, first + j, j);
                let candidate =
                    generate(backend, task, &settings, feedback.as_deref(), &mut |_| {});
                let (source, completion) = match candidate {
                    Ok(c) => (c.source, Some(c.completion)),
                    // A model that writes nothing has written something that does not parse.
                    Err(e) if e.code == Code::G005 => (String::new(), None),
                    Err(e) => {
                        stop = Some(Stop::Backend(e));
                        break;
                    }
                };
                if let Some(c) = &completion {
                    tokens += u64::from(c.completion_tokens);
                }
                let previous = revises.map(|i| attempts[i].source.clone());
                let sender = sender.clone();
                let feedback = feedback.clone();
                scope.spawn(move || {
                    let mut judgement = if source.is_empty() {
                        nothing_written()
                    } else {
                        judge.judge(&source)
                    };
                    if let Some(c) = completion.as_ref().filter(|c| c.finish == Finish::Length)
                        && judgement.failed == Some(Stage::Parse)
                    {
                        judgement.findings.insert(0, cut_off(c.completion_tokens));
                    }
                    let diff = previous.map(|p| unified_diff(&p, &source));
                    let (prompt_tokens, completion_tokens, generation_time) = completion
                        .map_or((0, 0, Duration::ZERO), |c| {
                            (c.prompt_tokens, c.completion_tokens, c.generation_time)
                        });
                    let _ = sender.send(Attempt {
                        number,
                        round,
                        seed: settings.seed,
                        temperature: settings.temperature,
                        revises: revises.map(|i| i + 1),
                        feedback,
                        source,
                        diff,
                        judgement,
                        prompt_tokens,
                        completion_tokens,
                        generation_time,
                    });
                });
            }
        });
        drop(sender);
        attempts.extend(receiver);
        attempts[first..].sort_by_key(|a| a.number);
        for a in &attempts[first..] {
            on_event(Event::Judged(a));
        }
        if attempts[first..].iter().any(|a| a.judgement.passed()) {
            stop = Some(Stop::Passed);
        }
        if attempts.len() == first {
            // Nothing was generated this round: the budget or the backend stopped it.
            stop.get_or_insert(Stop::Attempts);
            break;
        }
        seed_of_round = best_of(&attempts[first..]).map(|i| first + i);
    }
    let best = attempts
        .iter()
        .position(|a| a.judgement.passed())
        .or_else(|| best_of(&attempts));
    Outcome {
        attempts,
        best,
        stop: stop.unwrap_or(Stop::Attempts),
        elapsed: started.elapsed(),
    }
}

/// Whether the budget allows the `index`-th candidate (0-based).
fn spent(options: &Options, index: usize, started: Instant, tokens: u64) -> Option<Stop> {
    let b = &options.budget;
    if index >= b.attempts as usize {
        Some(Stop::Attempts)
    } else if started.elapsed() >= b.time {
        Some(Stop::Time)
    } else if b.tokens.is_some_and(|limit| tokens >= limit) {
        Some(Stop::Tokens)
    } else {
        None
    }
}

/// The settings of the `index`-th candidate, the `j`-th of its round: the seed counts up; the
/// round's first candidate uses the given temperature, the others at least 0.7 — greedy
/// decoding would repeat the first.
fn candidate_settings(base: &Settings, index: usize, j: usize) -> Settings {
    let mut settings = *base;
    settings.seed = base.seed.wrapping_add(index as u32);
    if j > 0 && settings.temperature == 0.0 {
        settings.temperature = 0.7;
    }
    settings
}

/// The index of the best-ranked attempt (the earliest among equals).
fn best_of(attempts: &[Attempt]) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (i, a) in attempts.iter().enumerate() {
        if best.is_none_or(|b| a.judgement.rank() > attempts[b].judgement.rank()) {
            best = Some(i);
        }
    }
    best
}

fn nothing_written() -> Judgement {
    Judgement {
        failed: Some(Stage::Parse),
        findings: vec![Finding {
            code: Code::G005.as_str().to_string(),
            summary: "the model wrote nothing".to_string(),
            detail: String::new(),
        }],
        tests: None,
        goals: Vec::new(),
        elapsed: Duration::ZERO,
    }
}

/// Why a candidate cut at the token limit does not parse: its end is missing.
fn cut_off(tokens: u32) -> Finding {
    Finding {
        code: "length".to_string(),
        summary: format!(
            "the answer was cut off at the token limit ({tokens} tokens) before the POU's end: \
             write less"
        ),
        detail: String::new(),
    }
}

/// A unified diff of two sources, with 3 lines of context.
pub fn unified_diff(before: &str, after: &str) -> String {
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header("previous", "this attempt")
        .to_string()
}
