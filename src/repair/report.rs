//! The report of a run of the loop: every attempt with the stage it reached, its findings, the
//! feedback its prompt carried and the diff from the attempt it revised; as text for people
//! and as JSON (`--report FILE`).

use super::{Attempt, Outcome};
use serde_json::{Value as Json, json};

/// One line per attempt: `attempt 2 (round 2, seed 1, revises 1): tests failed — 1 finding`.
pub fn attempt_line(a: &Attempt) -> String {
    let revises = a
        .revises
        .map_or(String::new(), |r| format!(", revises {r}"));
    let stage = match a.judgement.failed {
        Some(stage) => format!("{} failed", stage.name()),
        None if a.judgement.unknowns() > 0 => format!(
            "passed ({} propert{} or check{} unknown)",
            a.judgement.unknowns(),
            if a.judgement.unknowns() == 1 {
                "y"
            } else {
                "ies"
            },
            if a.judgement.unknowns() == 1 { "" } else { "s" }
        ),
        None => "passed".to_string(),
    };
    let findings = match a.judgement.findings.len() {
        0 => String::new(),
        1 => " — 1 finding".to_string(),
        n => format!(" — {n} findings"),
    };
    format!(
        "attempt {} (round {}, seed {}{revises}): {stage}{findings}; {} tokens in {:.1} s, judged in {} ms",
        a.number,
        a.round,
        a.seed,
        a.completion_tokens,
        a.generation_time.as_secs_f64(),
        a.judgement.elapsed.as_millis()
    )
}

/// Every attempt with its findings and diff, then how the run ended.
pub fn text(outcome: &Outcome) -> String {
    let mut out = String::new();
    for a in &outcome.attempts {
        out.push_str(&attempt_line(a));
        out.push('\n');
        for f in &a.judgement.findings {
            out.push_str(&format!("  {}\n", f.summary));
        }
        if a.diff.as_ref().is_some_and(String::is_empty) {
            out.push_str(&format!(
                "  the same code as attempt {}\n",
                a.revises.unwrap_or(0)
            ));
        } else if let Some(diff) = &a.diff {
            out.push_str(&format!(
                "  diff from attempt {}:\n",
                a.revises.unwrap_or(0)
            ));
            for line in diff.lines() {
                out.push_str(&format!("    {line}\n"));
            }
        }
    }
    let verdict = if outcome.passed() {
        "passed"
    } else {
        "did not pass"
    };
    out.push_str(&format!(
        "{verdict} after {} attempt{} ({}); {} tokens, {:.1} s\n",
        outcome.attempts.len(),
        if outcome.attempts.len() == 1 { "" } else { "s" },
        outcome.stop.describe(),
        outcome.tokens(),
        outcome.elapsed.as_secs_f64()
    ));
    out
}

/// The report as JSON.
pub fn json(outcome: &Outcome, spec: &str, model: &str) -> Json {
    let attempts: Vec<Json> = outcome
        .attempts
        .iter()
        .map(|a| {
            let j = &a.judgement;
            json!({
                "number": a.number,
                "round": a.round,
                "seed": a.seed,
                "temperature": a.temperature,
                "revises": a.revises,
                "stage": j.stage_name(),
                "passed": j.passed(),
                "findings": j.findings,
                "tests": j.tests.map(|(passed, total)| json!({"passed": passed, "total": total})),
                "verification": j.goals.iter().map(|g| json!({
                    "kind": g.kind,
                    "name": g.name,
                    "verdict": g.describe(),
                })).collect::<Vec<_>>(),
                "feedback": a.feedback,
                "diff": a.diff,
                "prompt_tokens": a.prompt_tokens,
                "completion_tokens": a.completion_tokens,
                "generation_ms": a.generation_time.as_millis() as u64,
                "judge_ms": j.elapsed.as_millis() as u64,
                "source": a.source,
            })
        })
        .collect();
    json!({
        "spec": spec,
        "model": model,
        "passed": outcome.passed(),
        "stop": outcome.stop.describe(),
        "best": outcome.best().map(|a| a.number),
        "tokens": outcome.tokens(),
        "elapsed_ms": outcome.elapsed.as_millis() as u64,
        "attempts": attempts,
    })
}
