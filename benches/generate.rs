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

    let mut rows = Vec::new();
    for (name, grammar) in [
        ("unconstrained", None),
        ("constrained", Some(task.lark.as_str())),
    ] {
        let mut prompt_rates = Vec::new();
        let mut gen_rates = Vec::new();
        let mut generated = 0;
        for _ in 0..runs {
            let request = Request {
                prompt: &prompt,
                grammar,
                max_tokens: tokens,
                temperature: 0.0,
                seed: 0,
                stop_after: None,
            };
            let c = model
                .complete(&request, &mut |_| {})
                .expect("generation runs");
            prompt_rates.push(c.prompt_tokens as f64 / c.prompt_time.as_secs_f64());
            gen_rates.push(c.completion_tokens as f64 / c.generation_time.as_secs_f64());
            generated = c.completion_tokens;
        }
        let (p, g) = (median(prompt_rates), median(gen_rates));
        println!(
            "stforge {name:<14} prompt {p:8.1} tok/s   generation {g:6.1} tok/s   ({generated} tokens)"
        );
        rows.push((name, p, g));
    }
    let ratio = rows[1].2 / rows[0].2;
    println!(
        "constrained / unconstrained generation: {:.1}%",
        100.0 * ratio
    );

    let Ok(simple) = std::env::var("STFORGE_LLAMA_SIMPLE") else {
        println!("(set STFORGE_LLAMA_SIMPLE to llama-cpp-2's simple example for the comparison)");
        return;
    };
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), &prompt).unwrap();
    let mut prompt_rates = Vec::new();
    let mut gen_rates = Vec::new();
    for _ in 0..runs {
        let out = Command::new(&simple)
            .args(["--file", file.path().to_str().unwrap()])
            .args(["--n-len", &(prompt_tokens as u32 + tokens).to_string()])
            .args(["--threads", &threads.to_string()])
            .args([
                "--ctx-size",
                &(prompt_tokens as u32 + tokens + 1).to_string(),
            ])
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
        prompt_rates.push(rate("prompt:"));
        gen_rates.push(rate("decoded"));
    }
    let (p, g) = (median(prompt_rates), median(gen_rates));
    println!("llama-cpp-2 simple       prompt {p:8.1} tok/s   generation {g:6.1} tok/s");
    println!(
        "stforge unconstrained / simple: prompt {:.1}%, generation {:.1}%",
        100.0 * rows[0].1 / p,
        100.0 * rows[0].2 / g
    );
}
