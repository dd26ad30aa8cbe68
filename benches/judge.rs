//! The cost of one judgement of the repair loop — parse, types, the spec's tests and
//! verification — on the reference solution of every `corpus/tasks/` task:
//! `cargo bench --bench judge`.
//!
//! Each solution is judged `STFORGE_BENCH_RUNS` times (default 5) by one [`Judge`], as the loop
//! judges its candidates; the median per task, and the median and maximum over the tasks, are
//! printed. What a candidate that fails its types costs is measured apart, on a copy with an
//! unknown name.

// Shared by the benchmarks; this one needs only the measurement helpers.
#[allow(dead_code)]
mod common;

use common::{env_usize, median};
use std::path::Path;
use stforge::repair::judge::Judge;
use stforge::sema::Dialect;
use stforge::source::FileId;
use stforge::{spec, verify};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let runs = env_usize("STFORGE_BENCH_RUNS", 5).max(1);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/tasks");
    let mut full = Vec::new();
    let mut front = Vec::new();
    println!(
        "{:<24} {:>10} {:>12}  stage",
        "task", "judge ms", "to types ms"
    );
    for spec_path in stforge::repair::eval::spec_files(&root) {
        let folder = spec_path.parent().unwrap();
        let Ok(solution) = std::fs::read_to_string(folder.join("solution.st")) else {
            continue;
        };
        let text = std::fs::read_to_string(&spec_path).unwrap();
        let (Some(loaded), _) = spec::load(FileId(0), &text) else {
            continue;
        };
        let judge = Judge::new(
            spec_path.clone(),
            text,
            &loaded,
            Dialect::Iec,
            verify::Options::default(),
        );
        let mut stage = "";
        let time = median(runs, || {
            let judgement = judge.judge(&solution);
            stage = judgement.stage_name();
            judgement.findings.len()
        })
        .as_secs_f64();
        // An unknown name before the POU's end stops the judgement after the type checker.
        let end = solution.rfind("END_").expect("the POU's end");
        let broken = format!(
            "{}stforge_bench_undefined := 1;\n{}",
            &solution[..end],
            &solution[end..]
        );
        assert_eq!(judge.judge(&broken).stage_name(), "types");
        let types = median(runs, || judge.judge(&broken).findings.len()).as_secs_f64();
        let name = folder.file_name().unwrap().to_string_lossy().into_owned();
        println!(
            "{name:<24} {:>10.1} {:>12.1}  {stage}",
            time * 1e3,
            types * 1e3
        );
        full.push(time);
        front.push(types);
    }
    let summary = |label: &str, times: &mut Vec<f64>| {
        times.sort_by(f64::total_cmp);
        println!(
            "{label}: median {:.1} ms, max {:.1} ms over {} tasks",
            times[times.len() / 2] * 1e3,
            times.last().unwrap() * 1e3,
            times.len()
        );
    };
    summary("one judgement (parse + types + tests + verify)", &mut full);
    summary("a candidate stopped by a type error", &mut front);
}
