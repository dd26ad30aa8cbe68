//! Generation speed of the default model: prompt and generation tokens/s, unconstrained and
//! constrained by the spec's grammar, medians of several runs; and, when
//! `STFORGE_LLAMA_SIMPLE` names llama-cpp-2's own `simple` example binary (same crate version,
//! built outside the repository, see BENCHMARKS.md), the same prompt through it for the
//! ratios.
//!
//! `cargo bench --bench generate` (the model must have been fetched: `stforge model fetch`).
//! Settings: `STFORGE_BENCH_THREADS` (default 2), `STFORGE_BENCH_RUNS` (default 5),
//! `STFORGE_BENCH_TOKENS` (default 128).

use std::path::PathBuf;
use std::process::Command;
use stforge::llm::generate::Task;
use stforge::llm::local::{LocalModel, LocalOptions};
use stforge::llm::retrieval::Corpus;
use stforge::llm::{Backend, Request, store};
use stforge::source::FileId;

fn env_or(name: &str, default: u32) -> u32 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let threads = env_or("STFORGE_BENCH_THREADS", 2) as i32;
    let runs = env_or("STFORGE_BENCH_RUNS", 5);
    let tokens = env_or("STFORGE_BENCH_TOKENS", 128);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let spec_path = root.join("corpus/tasks/impulse_relay/impulse_relay.spec.toml");
    let text = std::fs::read_to_string(&spec_path).unwrap();
    let spec = stforge::spec::load(FileId(0), &text).0.unwrap();
    let corpus = Corpus::load(&root.join("corpus/tasks"));
    // One example keeps the prompt under the 512-token batch of llama-cpp-2's example.
    let task = Task::new(spec, Some(&spec_path), Some(&corpus), 1);
    let prompt = task.prompt(None).text;

    let model_path = store::default_model_path();
    let options = LocalOptions {
        threads: Some(threads),
        ..LocalOptions::default()
    };
    let mut model = LocalModel::load(&model_path, options).expect("the default model loads");
    let prompt_tokens = model.tokenize(&prompt).len();
    println!(
        "model {}, {threads} threads, prompt {prompt_tokens} tokens, up to {tokens} generated, {runs} runs",
        model_path.display()
    );

    // The rounds interleave the three ways (stforge unconstrained, constrained, llama.cpp's
    // example), so that a change in the machine's load affects each alike: on a shared machine
    // a block of runs of one way after a block of the other measures the load, not the code.
    let simple = std::env::var("STFORGE_LLAMA_SIMPLE").ok();
    let prompt_file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(prompt_file.path(), &prompt).unwrap();
    let ways = [
        ("stforge unconstrained", None),
        ("stforge constrained", Some(task.lark.as_str())),
    ];
    let mut rates = vec![(Vec::new(), Vec::new()); ways.len() + 1];
    let mut generated = vec![0; ways.len()];
    for _ in 0..runs {
        for (i, (_, grammar)) in ways.iter().enumerate() {
            let request = Request {
                prompt: &prompt,
                grammar: *grammar,
                max_tokens: tokens,
                temperature: 0.0,
                seed: 0,
                stop_after: None,
            };
            let c = model
                .complete(&request, &mut |_| {})
                .expect("generation runs");
            rates[i]
                .0
                .push(c.prompt_tokens as f64 / c.prompt_time.as_secs_f64());
            rates[i]
                .1
                .push(c.completion_tokens as f64 / c.generation_time.as_secs_f64());
            generated[i] = c.completion_tokens;
        }
        if let Some(simple) = &simple {
            let (p, g) = run_simple(
                simple,
                prompt_file.path(),
                prompt_tokens as u32,
                tokens,
                threads,
                &model_path,
            );
            rates[ways.len()].0.push(p);
            rates[ways.len()].1.push(g);
        }
    }
    let medians: Vec<(f64, f64)> = rates
        .into_iter()
        .map(|(p, g)| {
            if p.is_empty() {
                (f64::NAN, f64::NAN)
            } else {
                (median(p), median(g))
            }
        })
        .collect();
    for (i, (name, _)) in ways.iter().enumerate() {
        let (p, g) = medians[i];
        println!(
            "{name:<24} prompt {p:8.1} tok/s   generation {g:6.1} tok/s   ({} tokens)",
            generated[i]
        );
    }
    println!(
        "constrained / unconstrained generation: {:.1}%",
        100.0 * medians[1].1 / medians[0].1
    );
    if simple.is_none() {
        println!("(set STFORGE_LLAMA_SIMPLE to llama-cpp-2's simple example for the comparison)");
        return;
    }
    let (p, g) = medians[ways.len()];
    println!("llama-cpp-2 simple       prompt {p:8.1} tok/s   generation {g:6.1} tok/s");
    println!(
        "stforge unconstrained / simple: prompt {:.1}%, generation {:.1}%",
        100.0 * medians[0].0 / p,
        100.0 * medians[0].1 / g
    );
}

/// One run of llama-cpp-2's `simple` example on the prompt: its prompt and generation tok/s,
/// read from the lines it prints to stderr.
fn run_simple(
    simple: &str,
    prompt_file: &std::path::Path,
    prompt_tokens: u32,
    tokens: u32,
    threads: i32,
    model_path: &std::path::Path,
) -> (f64, f64) {
    let out = Command::new(simple)
        .args(["--file", prompt_file.to_str().unwrap()])
        .args(["--n-len", &(prompt_tokens + tokens).to_string()])
        .args(["--threads", &threads.to_string()])
        .args(["--ctx-size", &(prompt_tokens + tokens + 1).to_string()])
        .args(["local", model_path.to_str().unwrap()])
        .output()
        .expect("the simple example runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let rate = |prefix: &str| -> f64 {
        let line = stderr
            .lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no `{prefix}` line in:\n{stderr}"));
        line.rsplit("speed ")
            .next()
            .and_then(|s| s.trim_end_matches(" t/s").trim().parse().ok())
            .unwrap()
    };
    (rate("prompt:"), rate("decoded"))
}
