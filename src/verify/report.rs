//! A verification's results as text for people, JSON for tools, and counterexamples as spec
//! `[[test]]`s (`--emit-test`). Only the command line prints them.

use super::replay::Replay;
use super::{GoalResult, Report, Verdict};
use crate::ir::VarKind;
use crate::ir::literal;
use crate::sema::types::Elem;
use crate::sim::trace::table;
use crate::source::SourceMap;
use serde_json::{Value as Json, json};

/// `path:line:column` of a result's place.
fn location(r: &GoalResult, files: &SourceMap) -> String {
    if r.file.0 as usize >= files.files().len() {
        return "<standard library>".into();
    }
    let file = files.get(r.file);
    let at = file.lines.line_col(&file.text, r.span.start);
    format!("{}:{}:{}", file.path.display(), at.line, at.column)
}

fn time(ns: i128) -> String {
    literal::time(Elem::Time, ns)
}

/// The verdict in one word and its detail.
fn verdict_line(r: &GoalResult) -> (&'static str, String) {
    match &r.verdict {
        Verdict::Proved { k } if r.invariants == 0 => ("PROVED", format!("k-induction, k = {k}")),
        Verdict::Proved { k } => (
            "PROVED",
            format!("k-induction with {} invariants, k = {k}", r.invariants),
        ),
        Verdict::Violated { trace, replay } => {
            let at = trace.len();
            let when = replay.scans.get(at - 1).map_or(0, |s| s.time_ns);
            let word = if r.is_warning() {
                "WARNING"
            } else {
                "VIOLATED"
            };
            (word, format!("at scan {at} ({})", time(when)))
        }
        Verdict::Unknown { depth, reason } => {
            ("UNKNOWN", format!("{reason} (checked to depth {depth})"))
        }
        Verdict::Disagreement { .. } => (
            "ERROR",
            "internal error: the simulator does not replay the counterexample (please report this)"
                .into(),
        ),
    }
}

/// One goal's line: `VIOLATED invariant "name" (spec.toml:3:1): at scan 2 (T#10ms), 12 ms`.
pub fn goal_line(r: &GoalResult, files: &SourceMap) -> String {
    let (word, detail) = verdict_line(r);
    format!(
        "{word:<9}{} \"{}\" ({}): {detail}, {} ms",
        r.kind,
        r.name,
        location(r, files),
        r.elapsed.as_millis()
    )
}

/// A violated goal's counterexample as a trace table with its heading and closing line.
pub fn counterexample(r: &GoalResult) -> Option<String> {
    let Verdict::Violated { replay, .. } = &r.verdict else {
        return None;
    };
    Some(format!(
        "counterexample: {} \"{}\"\n{}< scan {}: {} \"{}\" fails\n",
        r.kind,
        r.name,
        table(&replay.scans),
        replay.scans.len(),
        r.kind,
        r.name
    ))
}

/// The report as text: a line per goal, then each counterexample as a trace table.
pub fn text(pou: &str, report: &Report, files: &SourceMap) -> String {
    let mut out = format!("verify {pou}\n");
    for r in &report.results {
        out.push_str(&goal_line(r, files));
        out.push('\n');
        if let Some(description) = &r.description {
            out.push_str(&format!("         {}\n", one_line(description)));
        }
    }
    for r in &report.results {
        if let Some(trace) = counterexample(r) {
            out.push('\n');
            out.push_str(&trace);
        }
        if let Verdict::Disagreement { replay, trace } = &r.verdict {
            out.push_str(&format!(
                "\ninternal error: z3's counterexample for {} \"{}\" ({} scans) does not \
                 replay; the simulator's trace:\n",
                r.kind,
                r.name,
                trace.len()
            ));
            out.push_str(&table(&replay.scans));
            out.push_str(&format!("z3's inputs and scan times: {trace:?}\n"));
        }
    }
    if !report.approximations.is_empty() {
        out.push_str(&format!(
            "\nnot modelled exactly (left unconstrained, so proofs hold and counterexamples are \
             replayed): {}\n",
            report.approximations.join(", ")
        ));
    }
    let count = |word: &str| {
        report
            .results
            .iter()
            .filter(|r| verdict_line(r).0 == word)
            .count()
    };
    out.push_str(&format!(
        "\n{} proved, {} violated, {} unknown",
        count("PROVED"),
        count("VIOLATED"),
        count("UNKNOWN") + count("ERROR")
    ));
    match count("WARNING") {
        0 => out.push('\n'),
        1 => out.push_str(", 1 warning\n"),
        n => out.push_str(&format!(", {n} warnings\n")),
    }
    out
}

/// The report as JSON: one object per goal.
pub fn json(pou: &str, report: &Report, files: &SourceMap) -> Json {
    let results: Vec<Json> = report
        .results
        .iter()
        .map(|r| {
            let mut o = json!({
                "name": r.name,
                "kind": r.kind,
                "location": location(r, files),
                "severity": if r.is_warning() { "warning" } else { "error" },
                "milliseconds": r.elapsed.as_millis() as u64,
            });
            if let Some(description) = &r.description {
                o["description"] = json!(description);
            }
            match &r.verdict {
                Verdict::Proved { k } => {
                    o["verdict"] = json!("proved");
                    o["engine"] = json!("k-induction");
                    o["k"] = json!(k);
                    o["invariants"] = json!(r.invariants);
                }
                Verdict::Violated { replay, .. } => {
                    o["verdict"] = json!("violated");
                    o["engine"] = json!("bmc");
                    o["depth"] = json!(replay.scans.len());
                    o["counterexample"] = trace_json(replay);
                }
                Verdict::Unknown { depth, reason } => {
                    o["verdict"] = json!("unknown");
                    o["depth"] = json!(depth);
                    o["reason"] = json!(reason);
                }
                Verdict::Disagreement { replay, .. } => {
                    o["verdict"] = json!("error");
                    o["reason"] = json!("the simulator does not replay the counterexample");
                    o["counterexample"] = trace_json(replay);
                }
            }
            o
        })
        .collect();
    json!({
        "pou": pou,
        "results": results,
        "approximations": report.approximations,
        "invariants": report.invariants,
        "invariants_milliseconds": report.invariants_elapsed.as_millis() as u64,
        "invariants_note": report.invariants_note,
    })
}

/// A description on one line, its words as written.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn trace_json(replay: &Replay) -> Json {
    Json::Array(
        replay
            .scans
            .iter()
            .map(|row| {
                let values: serde_json::Map<String, Json> = row
                    .values
                    .iter()
                    .map(|(name, _, v)| (name.clone(), json!(literal::value(v, None))))
                    .collect();
                json!({ "time": time(row.time_ns), "values": values })
            })
            .collect(),
    )
}

/// Each counterexample as a spec `[[test]]` that replays it: one step per scan, setting every
/// input the scan had. `stforge test` then fails on it where the property or the fault is.
pub fn emit_tests(report: &Report) -> String {
    let mut out = String::new();
    // A warning's trace is no failing test: `stforge test` does not watch CASE statements.
    for r in report.results.iter().filter(|r| !r.is_warning()) {
        let Verdict::Violated { replay, .. } = &r.verdict else {
            continue;
        };
        out.push_str(&format!(
            "[[test]]\nname = \"counterexample: {} {}\"\nsteps = [\n",
            r.kind,
            r.name.replace('"', "'")
        ));
        for row in &replay.scans {
            let inputs = row
                .values
                .iter()
                .filter(|(_, kind, _)| matches!(kind, VarKind::Input | VarKind::InOut))
                .map(|(name, _, v)| (name.as_str(), toml_value(v)));
            out.push_str(&format!("  {{ set = {} }},\n", toml_tree(inputs)));
        }
        out.push_str("]\n\n");
    }
    out
}

/// A TOML value under construction: a scalar's text, a list of elements (by subscript), or
/// a table of fields.
enum Toml {
    Scalar(String),
    List(Vec<(String, Toml)>),
    Table(Vec<(String, Toml)>),
}

/// Scalars named as traces name them (`Start`, `Levels[2]`, `Grid[1,2]`, `Recipe.Speed`), in
/// memory order, as one inline table: each variable, each array a list (a dimension after
/// the first a list inside), each structure an inline table.
fn toml_tree<'a>(scalars: impl Iterator<Item = (&'a str, String)>) -> String {
    let mut root = Vec::new();
    for (name, value) in scalars {
        let mut keys = path(name).into_iter();
        let first = keys.next().expect("a name");
        insert(&mut root, first, keys, value);
    }
    render(&Toml::Table(root))
}

/// One step of a name's path: a field (the variable is the first) or a subscript.
enum Key {
    Field(String),
    Index(String),
}

fn path(name: &str) -> Vec<Key> {
    let mut keys = Vec::new();
    let mut rest = name;
    while !rest.is_empty() {
        let rest_at = rest.find(['.', '[']).unwrap_or(rest.len());
        let (head, tail) = rest.split_at(rest_at);
        if !head.is_empty() {
            keys.push(Key::Field(head.to_string()));
        }
        rest = match tail.as_bytes().first() {
            Some(b'[') => {
                let end = tail.find(']').unwrap_or(tail.len());
                keys.extend(tail[1..end].split(',').map(|i| Key::Index(i.to_string())));
                tail.get(end + 1..).unwrap_or("")
            }
            Some(_) => &tail[1..],
            None => "",
        };
    }
    keys
}

/// Puts `value` at `key` and then `rest` inside `entries`, whose entries arrive in memory
/// order: an element or field goes into the last entry when it has the same key.
fn insert(
    entries: &mut Vec<(String, Toml)>,
    key: Key,
    mut rest: impl Iterator<Item = Key>,
    value: String,
) {
    let (Key::Field(k) | Key::Index(k)) = key;
    let Some(next) = rest.next() else {
        entries.push((k, Toml::Scalar(value)));
        return;
    };
    if entries.last().is_none_or(|(last, _)| *last != k) {
        let inner = match next {
            Key::Index(_) => Toml::List(Vec::new()),
            Key::Field(_) => Toml::Table(Vec::new()),
        };
        entries.push((k, inner));
    }
    match &mut entries.last_mut().expect("an entry").1 {
        Toml::List(inner) | Toml::Table(inner) => insert(inner, next, rest, value),
        Toml::Scalar(_) => {}
    }
}

fn render(t: &Toml) -> String {
    match t {
        Toml::Scalar(s) => s.clone(),
        Toml::List(items) => {
            let items: Vec<String> = items.iter().map(|(_, t)| render(t)).collect();
            format!("[{}]", items.join(", "))
        }
        Toml::Table(fields) => {
            let fields: Vec<String> = fields
                .iter()
                .map(|(k, t)| format!("{k} = {}", render(t)))
                .collect();
            format!("{{ {} }}", fields.join(", "))
        }
    }
}

/// A run-time value as a TOML value a spec step accepts.
fn toml_value(v: &crate::value::Value) -> String {
    use crate::value::Value;
    match v {
        Value::Bool(b) => b.to_string(),
        Value::Int(_, i) => i.to_string(),
        Value::Real(_, x) => format!("{x:?}"),
        Value::Time(e, ns) => format!("\"{}\"", literal::time(*e, *ns)),
        Value::String(s) => format!("{s:?}"),
        Value::Address(_) => "0".into(),
    }
}
