//! A verification's results as text for people, JSON for tools, and counterexamples as spec
//! `[[test]]`s (`--emit-test`). Only the command line prints them.

use super::replay::{Replay, ScanRow};
use super::{GoalResult, Report, Verdict};
use crate::ir::VarKind;
use crate::ir::literal;
use crate::sema::types::Elem;
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
            ("VIOLATED", format!("at scan {at} ({})", time(when)))
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

/// The report as text: a line per goal, then each counterexample as a trace table.
pub fn text(pou: &str, report: &Report, files: &SourceMap) -> String {
    let mut out = format!("verify {pou}\n");
    for r in &report.results {
        let (word, detail) = verdict_line(r);
        out.push_str(&format!(
            "{word:<9}{} \"{}\" ({}): {detail}, {} ms\n",
            r.kind,
            r.name,
            location(r, files),
            r.elapsed.as_millis()
        ));
    }
    for r in &report.results {
        match &r.verdict {
            Verdict::Violated { replay, .. } => {
                out.push_str(&format!("\ncounterexample: {} \"{}\"\n", r.kind, r.name));
                out.push_str(&table(replay));
                out.push_str(&format!(
                    "< scan {}: {} \"{}\" fails\n",
                    replay.scans.len(),
                    r.kind,
                    r.name
                ));
            }
            Verdict::Disagreement { replay, trace } => {
                out.push_str(&format!(
                    "\ninternal error: z3's counterexample for {} \"{}\" ({} scans) does not \
                     replay; the simulator's trace:\n",
                    r.kind,
                    r.name,
                    trace.len()
                ));
                out.push_str(&table(replay));
                out.push_str(&format!("z3's inputs and scan times: {trace:?}\n"));
            }
            _ => {}
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
        "\n{} proved, {} violated, {} unknown\n",
        count("PROVED"),
        count("VIOLATED"),
        count("UNKNOWN") + count("ERROR")
    ));
    out
}

/// A trace as a table: a row per scan with its time, the inputs, then the outputs and locals
/// after it; the last row (where the goal fails) marked.
fn table(replay: &Replay) -> String {
    let Some(first) = replay.scans.first() else {
        return String::new();
    };
    let order = |k: VarKind| match k {
        VarKind::Input | VarKind::InOut => 0,
        VarKind::Output => 1,
        _ => 2,
    };
    let mut columns: Vec<usize> = (0..first.values.len()).collect();
    columns.sort_by_key(|&i| order(first.values[i].1));
    let header: Vec<String> = ["scan".to_string(), "time".to_string()]
        .into_iter()
        .chain(columns.iter().map(|&i| {
            let (name, kind, _) = &first.values[i];
            match kind {
                VarKind::Input | VarKind::InOut => format!("{name} (in)"),
                VarKind::Output => format!("{name} (out)"),
                _ => name.clone(),
            }
        }))
        .collect();
    let last = replay.scans.len();
    let rows: Vec<Vec<String>> = replay
        .scans
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let marker = if i + 1 == last { " <" } else { "" };
            [format!("{}{marker}", i + 1), time(row.time_ns)]
                .into_iter()
                .chain(columns.iter().map(|&c| cell(row, c)))
                .collect()
        })
        .collect();
    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            rows.iter()
                .map(|r| r[c].len())
                .chain([header[c].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| {
        let mut s: String = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}  "))
            .collect();
        s.truncate(s.trim_end().len());
        s + "\n"
    };
    let mut out = line(&header);
    for row in &rows {
        out.push_str(&line(row));
    }
    out
}

fn cell(row: &ScanRow, column: usize) -> String {
    let (_, _, value) = &row.values[column];
    literal::value(value, None)
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
                "milliseconds": r.elapsed.as_millis() as u64,
            });
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
    for r in &report.results {
        let Verdict::Violated { replay, .. } = &r.verdict else {
            continue;
        };
        out.push_str(&format!(
            "[[test]]\nname = \"counterexample: {} {}\"\nsteps = [\n",
            r.kind,
            r.name.replace('"', "'")
        ));
        for row in &replay.scans {
            let set: Vec<String> = row
                .values
                .iter()
                .filter(|(name, kind, _)| {
                    matches!(kind, VarKind::Input | VarKind::InOut) && !name.contains('#')
                })
                .map(|(name, _, v)| format!("{name} = {}", toml_value(v)))
                .collect();
            out.push_str(&format!("  {{ set = {{ {} }} }},\n", set.join(", ")));
        }
        out.push_str("]\n\n");
    }
    out
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
