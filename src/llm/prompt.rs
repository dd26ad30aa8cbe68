//! The prompt: a few-shot document a completion model continues. Solved examples first (each
//! its task as a comment, then its solution), then the new task as a comment — description,
//! properties as sentences with their expressions, test steps, the standard function blocks
//! that fit, feedback from a previous attempt — and last the new POU's header and
//! declarations as stforge writes them (`Spec::interface_st`). The model continues from there
//! with its locals and body.
//!
//! Base models (the default Gemma 3 270M has no chat template) learn the format from the
//! examples; chat models get the same document as their one user message.

use super::grammar::STANDARD_FBS;
use super::retrieval::Example;
use crate::sema::library::library;
use crate::spec::{Expected, Property, Spec, Value, Within};
use crate::syntax::ast::{Item, PouKind as AstPouKind, VarKind};
use std::fmt::Write;

/// A built prompt and what went into it (for reports).
#[derive(Clone, Debug)]
pub struct Prompt {
    pub text: String,
    /// The examples shown, by task name.
    pub examples: Vec<String>,
    /// The standard function blocks documented.
    pub function_blocks: Vec<&'static str>,
}

/// Builds the prompt for `spec` with the given examples and, for a repair, `feedback` on the
/// previous attempt (findings to act on, as text).
pub fn build(spec: &Spec, examples: &[&Example], feedback: Option<&str>) -> Prompt {
    let mut text = String::new();
    text.push_str(
        "// IEC 61131-3 Structured Text. Each task below is described in a comment and\n\
         // followed by a POU that solves it.\n\n",
    );
    for example in examples {
        task_comment(&mut text, &example.spec, &[], None);
        text.push_str(solution_code(&example.solution).trim_end());
        text.push_str("\n\n");
    }
    let fbs = fitting_function_blocks(spec, examples);
    task_comment(&mut text, spec, &fbs, feedback);
    text.push_str(&spec.interface_st());
    Prompt {
        text,
        examples: examples.iter().map(|e| e.name.clone()).collect(),
        function_blocks: fbs,
    }
}

/// A solution without its leading comment lines (they describe the reference, not the task).
fn solution_code(solution: &str) -> &str {
    let mut rest = solution;
    while let Some(line) = rest.lines().next() {
        if line.trim_start().starts_with("//") || line.trim().is_empty() {
            rest = &rest[(line.len() + 1).min(rest.len())..];
        } else {
            break;
        }
    }
    rest
}

/// Text inside a `(* … *)` comment must not close it early.
fn comment_safe(text: &str) -> String {
    text.replace("*)", "* )").replace("(*", "( *")
}

fn task_comment(out: &mut String, spec: &Spec, fbs: &[&'static str], feedback: Option<&str>) {
    let pou = &spec.pou;
    let mut c = String::new();
    let _ = writeln!(c, "Task: {} {}", pou.kind.keyword(), pou.name.text);
    if !pou.description.trim().is_empty() {
        let _ = writeln!(c, "{}", pou.description.trim());
    }
    if !spec.assumptions.is_empty() {
        c.push_str("Assumptions about the inputs:\n");
        for a in &spec.assumptions {
            let _ = writeln!(c, "- {}", a.text.trim());
        }
    }
    if !spec.properties.is_empty() {
        c.push_str("Properties that must hold:\n");
        for p in &spec.properties {
            let _ = writeln!(c, "- {}", property_sentence(p));
        }
    }
    if !spec.tests.is_empty() {
        c.push_str("Tests (each step sets inputs, runs one scan, waits, then checks outputs):\n");
        for t in &spec.tests {
            match t
                .description
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty())
            {
                Some(d) => {
                    let words: Vec<&str> = d.split_whitespace().collect();
                    let _ = writeln!(c, "- test \"{}\" ({}):", t.name.text, words.join(" "));
                }
                None => {
                    let _ = writeln!(c, "- test \"{}\":", t.name.text);
                }
            }
            for (i, step) in t.steps.iter().enumerate() {
                let _ = writeln!(c, "    {}. {}", i + 1, step_sentence(step));
            }
        }
    }
    if !fbs.is_empty() {
        c.push_str("Standard function blocks that may help:\n");
        for fb in fbs {
            if let Some(doc) = function_block_doc(fb) {
                let _ = writeln!(c, "{doc}");
            }
        }
    }
    if let Some(feedback) = feedback.filter(|f| !f.trim().is_empty()) {
        c.push_str("Revise the previous attempt: fix what the checks found.\n");
        let _ = writeln!(c, "{}", feedback.trim());
    }
    let _ = writeln!(out, "(* {}*)", comment_safe(&c));
}

/// A property as a sentence with its expression(s): the engineer's `description` when the
/// spec gives one (the better sentence), with the expressions after it.
pub fn property_sentence(p: &Property) -> String {
    match p.description().map(str::trim).filter(|d| !d.is_empty()) {
        Some(description) => {
            let words: Vec<&str> = description.split_whitespace().collect();
            format!("{}: {} ({})", p.name().text, words.join(" "), formal(p))
        }
        None => format!("{}: {}", p.name().text, formal(p)),
    }
}

/// What a property says, in words around its expressions.
fn formal(p: &Property) -> String {
    match p {
        Property::Invariant { assert, .. } => {
            format!("always, after every scan: {}", assert.text.trim())
        }
        Property::Response {
            when, then, within, ..
        } => {
            let delay = match within {
                Within::Scans(0) => "in the same scan".to_string(),
                Within::Scans(1) => "within 1 scan".to_string(),
                Within::Scans(n) => format!("within {n} scans"),
                Within::Time(ns) => format!("within {}", time_text(*ns)),
            };
            format!(
                "whenever {} holds, {} must hold {delay}",
                when.text.trim(),
                then.text.trim()
            )
        }
    }
}

fn step_sentence(step: &crate::spec::Step) -> String {
    let mut parts = Vec::new();
    if !step.set.is_empty() {
        let sets: Vec<String> = step
            .set
            .iter()
            .map(|(n, v)| format!("{} := {}", n.text, value_text(v)))
            .collect();
        parts.push(format!("set {}", sets.join(", ")));
    }
    match (step.at_ns, step.wait_ns) {
        (Some(at), _) => parts.push(format!("run until {} since the test began", time_text(at))),
        (None, Some(ns)) => parts.push(format!("wait {}", time_text(ns))),
        (None, None) => {}
    }
    if !step.expect.is_empty() {
        let expects: Vec<String> = step
            .expect
            .iter()
            .map(|(n, e)| match e {
                Expected::Exact(v) => format!("{} = {}", n.text, value_text(v)),
                Expected::Approx { value, tol } => format!("{} = {value} (±{tol})", n.text),
            })
            .collect();
        parts.push(format!("expect {}", expects.join(", ")));
    }
    if parts.is_empty() {
        "one scan".to_string()
    } else {
        parts.join("; ")
    }
}

fn value_text(v: &Value) -> String {
    match v {
        Value::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Real(r) => format!("{r:?}"),
        Value::Time(ns) => time_text(*ns),
        Value::Text(t) => t.clone(),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(|e| value_text(&e.value)).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Struct(fields) => {
            let fields: Vec<String> = fields
                .iter()
                .map(|(name, e)| format!("{} := {}", name.text, value_text(&e.value)))
                .collect();
            format!("({})", fields.join(", "))
        }
    }
}

/// A duration as an ST literal: `T#1m30s`, `T#250ms`.
fn time_text(ns: i128) -> String {
    if ns == 0 {
        return "T#0s".to_string();
    }
    let mut out = String::from(if ns < 0 { "T#-" } else { "T#" });
    let mut rest = ns.abs();
    for (unit, size) in [
        ("d", 86_400_000_000_000i128),
        ("h", 3_600_000_000_000),
        ("m", 60_000_000_000),
        ("s", 1_000_000_000),
        ("ms", 1_000_000),
        ("us", 1_000),
        ("ns", 1),
    ] {
        if rest >= size {
            let _ = write!(out, "{}{unit}", rest / size);
            rest %= size;
        }
    }
    out
}

/// The standard function blocks worth documenting for a task: those the examples use, and
/// those its words call for (time → timers, counting → counters, edges, latches).
pub fn fitting_function_blocks(spec: &Spec, examples: &[&Example]) -> Vec<&'static str> {
    let mut wanted = Vec::new();
    let used = |text: &str, fb: &str| {
        let upper = text.to_ascii_uppercase();
        upper.match_indices(fb).any(|(i, _)| {
            let before = upper[..i].trim_end();
            let after = upper[i + fb.len()..].chars().next();
            before.ends_with(':') && !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        })
    };
    let words = format!("{}\n{}", spec.pou.description, spec.interface_st()).to_ascii_lowercase();
    let mentions = |cues: &[&str]| cues.iter().any(|c| words.contains(c));
    let timing = mentions(&[
        "delay", "second", "minute", "timer", "time", "after", "t#", "pulse",
    ]);
    let counting = mentions(&["count", "counter", "parts", "number of"]);
    let edges = mentions(&["edge", "press", "rising", "falling", "each time", "toggle"]);
    let latches = mentions(&["latch", "set/reset", "flip-flop", "bistable"]);
    for &fb in STANDARD_FBS {
        let by_examples = examples.iter().any(|e| used(&e.solution, fb));
        let by_words = match fb {
            "TON" | "TOF" | "TP" => timing,
            "CTU" | "CTD" | "CTUD" => counting,
            "R_TRIG" | "F_TRIG" => edges,
            "SR" | "RS" => latches,
            _ => false,
        };
        if by_examples || by_words {
            wanted.push(fb);
        }
    }
    wanted
}

/// A standard function block's one-line doc and its interface, from `iec-stdlib/`:
/// `// On-delay timer …` then `FUNCTION_BLOCK TON VAR_INPUT … END_VAR VAR_OUTPUT … END_VAR`.
pub fn function_block_doc(name: &str) -> Option<String> {
    for file in library().files.iter().filter(|f| f.dialect.is_none()) {
        for item in &file.unit.items {
            let Item::Pou(pou) = item else { continue };
            let named = pou
                .name
                .as_ref()
                .is_some_and(|n| n.name.eq_ignore_ascii_case(name));
            if pou.kind != AstPouKind::FunctionBlock || !named {
                continue;
            }
            let start = pou.span.start as usize;
            let doc = file.text[..start]
                .lines()
                .rev()
                .map(str::trim)
                .find(|l| l.starts_with("//") && !l.starts_with("// @"))
                .unwrap_or("");
            let mut out = format!("{doc}\nFUNCTION_BLOCK {name}\n");
            for block in &pou.var_blocks {
                if matches!(block.kind, VarKind::Input | VarKind::Output) {
                    let text = &file.text[block.span.start as usize..block.span.end as usize];
                    out.push_str(text.trim());
                    out.push('\n');
                }
            }
            return Some(out.trim_end().to_string());
        }
    }
    None
}
