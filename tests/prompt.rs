//! Retrieval and the prompt: which solved tasks three specs get (asserted, with leave-one-out),
//! what the prompt carries, and feedback for a repair.

use std::path::{Path, PathBuf};
use stforge::llm::generate::{Task, model_part};
use stforge::llm::prompt;
use stforge::llm::retrieval::{Corpus, terms};
use stforge::source::FileId;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn spec_at(path: &Path) -> stforge::spec::Spec {
    let text = std::fs::read_to_string(path).unwrap();
    stforge::spec::load(FileId(0), &text).0.unwrap()
}

fn task_spec(name: &str) -> PathBuf {
    root().join(format!("corpus/tasks/{name}/{name}.spec.toml"))
}

fn corpus() -> Corpus {
    Corpus::load(&root().join("corpus/tasks"))
}

fn chosen(corpus: &Corpus, spec_path: &Path) -> Vec<String> {
    let spec = spec_at(spec_path);
    corpus
        .most_similar(&spec, Some(spec_path), 3)
        .into_iter()
        .map(|(e, _)| e.name.clone())
        .collect()
}

#[test]
fn identifiers_are_split_into_terms() {
    assert_eq!(
        terms("StopNC OverloadOK tank_level2 HTTPServer the"),
        [
            "stop", "nc", "overload", "ok", "tank", "level2", "http", "server"
        ]
    );
}

#[test]
fn the_corpus_loads_every_task() {
    assert_eq!(corpus().examples.len(), 24);
}

#[test]
fn three_specs_get_their_most_similar_tasks_and_never_themselves() {
    let corpus = corpus();
    assert_eq!(
        chosen(&corpus, &task_spec("motor_latch")),
        ["star_delta_starter", "impulse_relay", "first_out_alarm"]
    );
    assert_eq!(
        chosen(&corpus, &task_spec("sump_pump")),
        ["cabinet_fan", "mixer_sequence", "setpoint_ramp"]
    );
    assert_eq!(
        chosen(&corpus, &task_spec("batch_counter")),
        ["car_park", "magazine_counter", "mixer_sequence"]
    );
    // Leave-one-out holds for every task, by file and by POU name.
    for e in &corpus.examples {
        let names = chosen(&corpus, &e.spec_path);
        assert!(!names.contains(&e.name), "{} chose itself", e.name);
        let by_name = corpus.most_similar(&e.spec, None, 24);
        assert!(by_name.iter().all(|(x, _)| x.name != e.name));
        assert_eq!(by_name.len(), 23);
    }
}

#[test]
fn the_prompt_carries_the_task_and_ends_with_the_interface() {
    let corpus = corpus();
    let path = task_spec("motor_latch");
    let task = Task::new(spec_at(&path), Some(&path), Some(&corpus), 2);
    let p = task.prompt(None);
    let text = &p.text;
    assert_eq!(p.examples, ["star_delta_starter", "impulse_relay"]);
    // The examples' solutions, without their reference comments.
    assert!(text.contains("FUNCTION_BLOCK StarDelta"), "{text}");
    assert!(!text.contains("// Reference solution"));
    // Description, properties as sentences with their expressions, test steps.
    assert!(text.contains("Direct-on-line motor starter with a self-holding (seal-in) circuit."));
    assert!(text.contains("- stop_dominates: always, after every scan: StopNC OR NOT Motor"));
    assert!(text.contains(
        "- overload_stops: whenever NOT OverloadOK holds, NOT Motor must hold in the same scan"
    ));
    assert!(text.contains("- test \"start then stop\":\n    1. set Start := TRUE; expect Motor = TRUE\n    2. set Start := FALSE; wait T#5s; expect Motor = TRUE"), "{text}");
    // The interface with its docs closes the prompt: the model continues after it.
    assert!(text.ends_with(&task.spec.interface_st()));
    assert!(text.ends_with("VAR_OUTPUT\n    Motor : BOOL; // motor contactor\nEND_VAR\n"));
    assert!(!text.contains("previous attempt"));
}

#[test]
fn fitting_standard_function_blocks_are_documented_from_the_library() {
    let doc = prompt::function_block_doc("TON").unwrap();
    assert!(doc.starts_with("// "), "{doc}");
    assert!(doc.contains("FUNCTION_BLOCK TON\nVAR_INPUT"), "{doc}");
    assert!(doc.contains("PT : TIME;"), "{doc}");
    assert!(
        !doc.contains("__CURRENT_TIME"),
        "the body is not shown: {doc}"
    );

    let corpus = corpus();
    let path = task_spec("impulse_relay");
    let task = Task::new(spec_at(&path), Some(&path), Some(&corpus), 2);
    let p = task.prompt(None);
    assert!(
        p.function_blocks.contains(&"R_TRIG"),
        "{:?}",
        p.function_blocks
    );
    assert!(p.text.contains("FUNCTION_BLOCK R_TRIG\nVAR_INPUT"));
}

#[test]
fn feedback_from_a_previous_attempt_reaches_the_prompt() {
    let path = task_spec("motor_latch");
    let task = Task::new(spec_at(&path), Some(&path), None, 0);
    let feedback = "test \"stop dominates a held start\" step 2: Motor expected FALSE, got TRUE";
    let text = task.prompt(Some(feedback)).text;
    assert!(text.contains(&format!(
        "Revise the previous attempt: fix what the checks found.\n{feedback}\n*)"
    )));
    assert!(text.ends_with(&task.spec.interface_st()));
}

#[test]
fn the_model_part_is_cut_after_the_closing_keyword() {
    let end = "END_FUNCTION_BLOCK";
    assert_eq!(
        model_part(
            "\n\n    x := 1;\nEND_FUNCTION_BLOCK\n\n(* Task: next *)",
            end
        ),
        "    x := 1;\nEND_FUNCTION_BLOCK"
    );
    // Not inside a longer word.
    assert_eq!(
        model_part("    END_FUNCTION_BLOCKS := 1;\nend_function_block x", end),
        "    END_FUNCTION_BLOCKS := 1;\nend_function_block"
    );
    assert_eq!(model_part("   \n  ", end), "");
}
