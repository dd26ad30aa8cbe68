//! The real default model (Gemma 3 270M Q4_K_M) through llama-cpp-2 with the grammar: a short
//! constrained generation for a small spec parses cleanly, the loaded model serves several
//! requests, and an invalid grammar is a G003 error before any sampling.
//!
//! The model must have been fetched (`stforge model fetch`; `make test` does it, into the
//! model cache outside the repository).

use std::path::PathBuf;
use stforge::diagnostics::Code;
use stforge::llm::generate::{Settings, Task, generate};
use stforge::llm::local::{LocalModel, LocalOptions};
use stforge::llm::retrieval::Corpus;
use stforge::llm::{Backend, Request, store};
use stforge::source::FileId;

fn model() -> LocalModel {
    let path = store::default_model_path();
    assert!(
        path.is_file(),
        "the default model is not at {}: run `stforge model fetch` (make test does)",
        path.display()
    );
    LocalModel::load(&path, LocalOptions::default()).expect("the default model loads")
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_default_model_writes_a_constrained_body_that_parses() {
    let mut model = model();

    // An invalid grammar is refused before sampling, with the loaded model intact.
    let request = Request {
        prompt: "x",
        grammar: Some("start: \"a\" undefined_rule\n"),
        max_tokens: 4,
        temperature: 0.0,
        seed: 0,
        stop_after: None,
    };
    let e = model.complete(&request, &mut |_| {}).unwrap_err();
    assert_eq!(e.code, Code::G003);
    assert!(e.message.contains("undefined_rule"), "{}", e.message);

    // A small task, one solved example (never its own), a short token budget.
    let spec_path = root().join("corpus/tasks/impulse_relay/impulse_relay.spec.toml");
    let text = std::fs::read_to_string(&spec_path).unwrap();
    let spec = stforge::spec::load(FileId(0), &text).0.unwrap();
    let corpus = Corpus::load(&root().join("corpus/tasks"));
    let task = Task::new(spec, Some(&spec_path), Some(&corpus), 1);
    assert_ne!(task.examples[0].name, "impulse_relay");

    {
        let (seed, temperature) = (0u32, 0.0f32);
        let settings = Settings {
            seed,
            temperature,
            max_tokens: 400,
            syntax_retries: 0,
        };
        let mut streamed = String::new();
        let candidate = generate(&mut model, &task, &settings, None, &mut |p| {
            streamed.push_str(p)
        })
        .expect("generation runs");
        assert!(candidate.completion.completion_tokens > 0);
        assert!(candidate.completion.prompt_tokens > 100);
        assert_eq!(streamed, candidate.completion.text);
        assert!(candidate.source.starts_with(&task.spec.interface_st()));
        // The grammar ends the text with the closing keyword when the model stops; within
        // the token limit the body may be cut short, which is then the only complaint.
        if candidate.completion.finish == stforge::llm::Finish::Stop {
            assert!(
                candidate.syntax.is_empty(),
                "seed {seed}: {:?}\n{}",
                candidate.syntax,
                candidate.source
            );
            assert!(candidate.model_part.ends_with("END_FUNCTION_BLOCK"));
        } else {
            panic!(
                "seed {seed}: the model did not finish within {} tokens:\n{}",
                settings.max_tokens, candidate.source
            );
        }
    }
}

/// The loop with the real model, as `stforge eval` runs it on two small corpus tasks (copied
/// out, so nothing is written beside the corpus; retrieval still leaves each task out by its
/// POU's name): a short budget, and the loop must stop cleanly at it or at a pass.
#[test]
fn the_repair_loop_with_the_default_model_runs_to_its_budget_and_stops() {
    let dir = tempfile::tempdir().unwrap();
    for task in ["motor_latch", "impulse_relay"] {
        let name = format!("{task}.spec.toml");
        std::fs::create_dir(dir.path().join(task)).unwrap();
        std::fs::copy(
            root().join("corpus/tasks").join(task).join(&name),
            dir.path().join(task).join(&name),
        )
        .unwrap();
    }
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_stforge"))
        .current_dir(root())
        .args(["eval", dir.path().to_str().unwrap()])
        .args(["--attempts", "2", "--max-tokens", "48", "--examples", "1"])
        .args(["--corpus", "corpus/tasks", "--format", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let tasks = report["tasks"].as_array().unwrap();
    let names: Vec<&str> = tasks.iter().map(|t| t["task"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "impulse_relay/impulse_relay.spec.toml",
            "motor_latch/motor_latch.spec.toml"
        ]
    );
    for t in tasks {
        let attempts = t["attempts"].as_u64().unwrap();
        match t["stop"].as_str().unwrap() {
            "a candidate passed" => assert!((1..=2).contains(&attempts), "{t}"),
            "the attempts were spent" => assert_eq!(attempts, 2, "{t}"),
            other => panic!("the loop stopped for another reason: {other}: {t}"),
        }
        assert_eq!(t["error"], serde_json::Value::Null);
        assert!(t["tokens"].as_u64().unwrap() <= 2 * 48, "{t}");
    }
    assert_eq!(report["totals"]["tasks"], 2);
    assert!(
        report["model"]
            .as_str()
            .unwrap()
            .starts_with("gemma-3-270m-q4_k_m.gguf (sha256 "),
        "{}",
        report["model"]
    );
    // Nothing was written beside the specs.
    let files = walk(dir.path());
    assert_eq!(files.len(), 2, "{files:?}");
}

fn walk(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        if e.path().is_dir() {
            out.extend(walk(&e.path()));
        } else {
            out.push(e.path());
        }
    }
    out
}

/// Sampling at a temperature above zero draws from the seeded generator only: the same seed
/// gives the same text, in one loaded model and in a freshly loaded one, with and without the
/// grammar.
#[test]
fn a_seeded_run_at_a_temperature_is_reproducible() {
    let spec_path = root().join("corpus/tasks/impulse_relay/impulse_relay.spec.toml");
    let text = std::fs::read_to_string(&spec_path).unwrap();
    let spec = stforge::spec::load(FileId(0), &text).0.unwrap();
    // No examples: a short prompt keeps the test fast.
    let task = Task::new(spec, Some(&spec_path), None, 0);
    let prompt = task.prompt(None).text;
    let run = |model: &mut LocalModel, grammar: Option<&str>, seed: u32| {
        let request = Request {
            prompt: &prompt,
            grammar,
            max_tokens: 32,
            temperature: 1.0,
            seed,
            stop_after: None,
        };
        let completion = model
            .complete(&request, &mut |_| {})
            .expect("generation runs");
        assert!(completion.completion_tokens > 0);
        completion.text
    };
    let grammars = [None, Some(task.lark.as_str())];
    let mut model = model();
    let first: Vec<String> = grammars.iter().map(|g| run(&mut model, *g, 7)).collect();
    let again: Vec<String> = grammars.iter().map(|g| run(&mut model, *g, 7)).collect();
    assert_eq!(again, first);
    let mut fresh = self::model();
    let fresh: Vec<String> = grammars.iter().map(|g| run(&mut fresh, *g, 7)).collect();
    assert_eq!(fresh, first);
}
