//! `stforge eval DIR`: the loop over every spec in a folder, and what it achieved — per task,
//! whether it passed, in how many attempts, and the stage the first and the last attempt
//! failed; in total, the one-shot pass rate (first attempt), the pass rate with repair, and how
//! many tasks got past each stage, first attempt against best attempt.
//!
//! Retrieval never shows a task its own solution: [`Task::new`] leaves out the corpus task the
//! spec belongs to.

use super::judge::{Judge, Judgement, Stage};
use super::{Options, Outcome, Stop, run};
use crate::llm::Backend;
use crate::llm::generate::Task;
use crate::llm::retrieval::Corpus;
use crate::sema::Dialect;
use crate::source::FileId;
use crate::spec;
use crate::verify;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// One task's result.
#[derive(Clone, Debug, Serialize)]
pub struct TaskResult {
    /// The spec's path, relative to the evaluated folder.
    pub task: String,
    /// What the spec lets the judge check: `2 tests, 3 properties`.
    pub judged: String,
    pub passed: bool,
    pub attempts: usize,
    /// The stage the first attempt failed (`passed` when it passed; `-` when nothing was
    /// generated).
    pub first: String,
    /// The stage the last attempt failed.
    pub last: String,
    /// How far the first and the best attempt got (0 parse failed … 4 passed).
    pub first_reached: usize,
    pub best_reached: usize,
    pub tokens: u64,
    pub seconds: f64,
    /// Why the loop stopped.
    pub stop: String,
    /// Set when the task could not be run (an invalid spec, a failed backend).
    pub error: Option<String>,
}

/// The spec files under `dir`, recursively, sorted.
pub fn spec_files(dir: &Path) -> Vec<PathBuf> {
    let mut specs: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file() && spec::is_spec_file(e.path()))
        .map(|e| e.into_path())
        .collect();
    specs.sort();
    specs
}

/// What the loop needs besides the backend.
pub struct Setup<'a> {
    pub corpus: Option<&'a Corpus>,
    pub examples: usize,
    pub dialect: Dialect,
    pub verify: verify::Options,
    pub options: Options,
}

/// Runs the loop on one spec file.
pub fn task(backend: &mut dyn Backend, root: &Path, path: &Path, setup: &Setup<'_>) -> TaskResult {
    let started = Instant::now();
    let name = path
        .strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string();
    let unrun = |error: String, judged: String| TaskResult {
        task: name.clone(),
        judged,
        passed: false,
        attempts: 0,
        first: "-".to_string(),
        last: "-".to_string(),
        first_reached: 0,
        best_reached: 0,
        tokens: 0,
        seconds: started.elapsed().as_secs_f64(),
        stop: "not run".to_string(),
        error: Some(error),
    };
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => return unrun(format!("{}: {e}", path.display()), String::new()),
    };
    let (Some(loaded), _) = spec::load(FileId(0), &text) else {
        return unrun("the spec has errors".to_string(), String::new());
    };
    let judged = judged(&loaded);
    let judge = Judge::new(
        path.to_path_buf(),
        text,
        &loaded,
        setup.dialect,
        setup.verify,
    );
    let task = Task::new(loaded, Some(path), setup.corpus, setup.examples);
    let outcome = run(backend, &task, &judge, &setup.options, &mut |_| {});
    summarise(name, judged, &outcome, started)
}

fn summarise(task: String, judged: String, outcome: &Outcome, started: Instant) -> TaskResult {
    let stage = |j: Option<&Judgement>| j.map_or("-".to_string(), |j| j.stage_name().to_string());
    let first = outcome.attempts.first().map(|a| &a.judgement);
    let last = outcome.attempts.last().map(|a| &a.judgement);
    TaskResult {
        task,
        judged,
        passed: outcome.passed(),
        attempts: outcome.attempts.len(),
        first: stage(first),
        last: stage(last),
        first_reached: first.map_or(0, Judgement::reached),
        best_reached: outcome.best().map_or(0, |a| a.judgement.reached()),
        tokens: outcome.tokens(),
        seconds: started.elapsed().as_secs_f64(),
        stop: outcome.stop.describe(),
        error: match &outcome.stop {
            Stop::Backend(e) => Some(e.to_string()),
            _ => None,
        },
    }
}

/// `2 tests, 3 properties`; `no tests, no properties` for a spec with neither (then only
/// parsing, types and the implicit checks judge a candidate).
fn judged(spec: &spec::Spec) -> String {
    let count = |n: usize, one: &str, many: &str| match n {
        0 => format!("no {many}"),
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
    };
    format!(
        "{}, {}",
        count(spec.tests.len(), "test", "tests"),
        count(spec.properties.len(), "property", "properties")
    )
}

/// The totals over the tasks that ran.
#[derive(Clone, Debug, Serialize)]
pub struct Totals {
    pub tasks: usize,
    /// Tasks whose first attempt passed.
    pub one_shot: usize,
    /// Tasks that passed within the budget.
    pub with_repair: usize,
    /// Per stage (parse, types, tests, verify): tasks whose first attempt got past it, and
    /// tasks whose best attempt did.
    pub stages: Vec<StageTotals>,
    pub tokens: u64,
    pub seconds: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct StageTotals {
    pub stage: &'static str,
    pub first_attempt: usize,
    pub best_attempt: usize,
}

impl Totals {
    pub fn of(results: &[TaskResult]) -> Totals {
        let ran: Vec<&TaskResult> = results.iter().filter(|r| r.attempts > 0).collect();
        let past = |stage: Stage, reached: &dyn Fn(&TaskResult) -> usize| {
            ran.iter().filter(|r| reached(r) > stage as usize).count()
        };
        Totals {
            tasks: ran.len(),
            one_shot: ran
                .iter()
                .filter(|r| r.first_reached == Stage::ALL.len())
                .count(),
            with_repair: ran.iter().filter(|r| r.passed).count(),
            stages: Stage::ALL
                .iter()
                .map(|&stage| StageTotals {
                    stage: stage.name(),
                    first_attempt: past(stage, &|r| r.first_reached),
                    best_attempt: past(stage, &|r| r.best_reached),
                })
                .collect(),
            tokens: ran.iter().map(|r| r.tokens).sum(),
            seconds: results.iter().map(|r| r.seconds).sum(),
        }
    }
}

/// The table and the totals as text.
pub fn text(results: &[TaskResult], totals: &Totals) -> String {
    let header = [
        "task", "judged", "passed", "attempts", "first", "last", "tokens", "seconds",
    ];
    let rows: Vec<Vec<String>> = results
        .iter()
        .map(|r| {
            [
                r.task.clone(),
                r.judged.clone(),
                match (&r.error, r.passed) {
                    (Some(_), _) if r.attempts == 0 => "error".to_string(),
                    (_, true) => "yes".to_string(),
                    (_, false) => "no".to_string(),
                },
                r.attempts.to_string(),
                r.first.clone(),
                r.last.clone(),
                r.tokens.to_string(),
                format!("{:.1}", r.seconds),
            ]
            .into()
        })
        .collect();
    let mut out = crate::table::aligned(&header.map(String::from), &rows);
    for r in results.iter().filter(|r| r.error.is_some()) {
        out.push_str(&format!(
            "{}: {}\n",
            r.task,
            r.error.as_deref().unwrap_or_default()
        ));
    }
    let rate = |n: usize| {
        if totals.tasks == 0 {
            "-".to_string()
        } else {
            format!(
                "{n}/{} ({:.0}%)",
                totals.tasks,
                100.0 * n as f64 / totals.tasks as f64
            )
        }
    };
    out.push_str(&format!(
        "\n{} tasks ran: one-shot pass rate {}, with repair {}; {} tokens, {:.0} s\n",
        totals.tasks,
        rate(totals.one_shot),
        rate(totals.with_repair),
        totals.tokens,
        totals.seconds
    ));
    out.push_str("past each stage (first attempt → best attempt):\n");
    for s in &totals.stages {
        out.push_str(&format!(
            "  {:<7} {} → {}\n",
            s.stage,
            rate(s.first_attempt),
            rate(s.best_attempt)
        ));
    }
    out
}
