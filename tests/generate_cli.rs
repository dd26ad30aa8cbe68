//! `stforge generate` and `stforge model`, run as users run them: the command backend with
//! scripts, the file written atomically and never over an existing one, and every bad input a
//! G-coded error with exit status 1 (never an abort).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn stforge(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stforge"));
    cmd.args(args);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().expect("the binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const SPEC: &str = r#"
[pou]
name = "Latch"
kind = "function_block"
description = "Motor runs after Start until Stop."
[pou.inputs]
Start = "BOOL"
Stop = "BOOL"
[pou.outputs]
Motor = "BOOL"
"#;

fn spec_dir() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("latch.spec.toml");
    std::fs::write(&spec, SPEC).unwrap();
    (dir, spec)
}

fn command_args<'a>(spec: &'a Path, command: &'a str) -> Vec<&'a str> {
    vec![
        "generate",
        spec.to_str().unwrap(),
        "--backend",
        "command",
        "--command",
        command,
        "--examples",
        "0",
    ]
}

const ANSWER: &str = "cat >/dev/null; printf '    Motor := (Start OR Motor) AND NOT Stop;\\nEND_FUNCTION_BLOCK\\nFUNCTION_BLOCK Next'";

#[test]
fn writes_the_interface_and_the_model_part_next_to_the_spec_and_never_overwrites() {
    let (dir, spec) = spec_dir();
    let o = stforge(&command_args(&spec, ANSWER), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let written = std::fs::read_to_string(dir.path().join("latch.st")).unwrap();
    // The text after the closing keyword (a base model going on) is cut off.
    assert_eq!(
        written,
        "FUNCTION_BLOCK Latch\nVAR_INPUT\n    Start : BOOL;\n    Stop : BOOL;\nEND_VAR\nVAR_OUTPUT\n    Motor : BOOL;\nEND_VAR\n    Motor := (Start OR Motor) AND NOT Stop;\nEND_FUNCTION_BLOCK\n"
    );
    assert!(stderr(&o).contains("wrote"), "{}", stderr(&o));

    // A second run must not replace it…
    let other = "cat >/dev/null; printf '    Motor := FALSE;\\nEND_FUNCTION_BLOCK'";
    let o = stforge(&command_args(&spec, other), &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("error[G010]"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("latch.st")).unwrap(),
        written
    );
    // …unless asked.
    let mut args = command_args(&spec, other);
    args.push("--force");
    let o = stforge(&args, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        std::fs::read_to_string(dir.path().join("latch.st"))
            .unwrap()
            .contains("Motor := FALSE;")
    );
}

#[test]
fn output_that_never_parses_is_g008_and_nothing_is_written() {
    let (dir, spec) = spec_dir();
    let bad = "cat >/dev/null; printf '    Motor := := ;\\nEND_FUNCTION_BLOCK'";
    let mut args = command_args(&spec, bad);
    args.extend(["--syntax-retries", "1"]);
    let o = stforge(&args, &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("error[G008]"), "{}", stderr(&o));
    assert!(stderr(&o).contains("after 2 request(s)"), "{}", stderr(&o));
    assert!(!dir.path().join("latch.st").exists());
}

#[test]
fn a_model_that_writes_nothing_is_g005() {
    let (_dir, spec) = spec_dir();
    let o = stforge(&command_args(&spec, "cat >/dev/null; printf '  \\n'"), &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("error[G005]"), "{}", stderr(&o));
}

#[test]
fn a_missing_model_file_is_g001() {
    let (dir, spec) = spec_dir();
    let missing = dir.path().join("nope.gguf");
    let o = stforge(
        &[
            "generate",
            spec.to_str().unwrap(),
            "--model",
            missing.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("error[G001]"), "{}", stderr(&o));
    assert!(stderr(&o).contains("nope.gguf"), "{}", stderr(&o));
}

#[test]
fn the_default_model_missing_says_how_to_fetch_it() {
    let (dir, spec) = spec_dir();
    let empty = dir.path().join("models");
    let o = stforge(
        &["generate", spec.to_str().unwrap()],
        &[
            ("STFORGE_MODELS_DIR", empty.to_str().unwrap()),
            ("STFORGE_MODEL", ""),
            ("XDG_CONFIG_HOME", dir.path().to_str().unwrap()),
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("error[G001]"), "{}", stderr(&o));
    assert!(stderr(&o).contains("stforge model fetch"), "{}", stderr(&o));
}

#[test]
fn a_corrupt_gguf_is_g002_not_an_abort() {
    let (dir, spec) = spec_dir();
    for (name, bytes) in [
        ("text.gguf", b"this is not a model".to_vec()),
        // The right magic, then garbage: llama.cpp itself must refuse it cleanly.
        ("truncated.gguf", {
            let mut b = b"GGUF".to_vec();
            b.extend([3, 0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 0, 1, 2, 3]);
            b
        }),
    ] {
        let model = dir.path().join(name);
        std::fs::write(&model, bytes).unwrap();
        let o = stforge(
            &[
                "generate",
                spec.to_str().unwrap(),
                "--model",
                model.to_str().unwrap(),
            ],
            &[],
        );
        assert_eq!(o.status.code(), Some(1), "{name}: {}", stderr(&o));
        assert!(stderr(&o).contains("error[G002]"), "{name}: {}", stderr(&o));
    }
}

#[test]
fn an_unreachable_server_is_g004() {
    let (_dir, spec) = spec_dir();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let o = stforge(
        &[
            "generate",
            spec.to_str().unwrap(),
            "--backend",
            "http",
            "--url",
            &url,
            "--retries",
            "0",
            "--examples",
            "0",
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("error[G004]"), "{}", stderr(&o));
}

#[test]
fn a_spec_with_errors_generates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("bad.spec.toml");
    std::fs::write(&spec, "[pou]\nname = \"X\"\nkind = \"robot\"\n").unwrap();
    let o = stforge(&command_args(&spec, ANSWER), &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("P0"), "{}", stderr(&o));
    assert!(!dir.path().join("bad.st").exists());
}

#[test]
fn show_prompt_prints_the_prompt_ending_with_the_interface() {
    let (_dir, spec) = spec_dir();
    let o = stforge(
        &[
            "generate",
            spec.to_str().unwrap(),
            "--show-prompt",
            "--examples",
            "0",
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let prompt = String::from_utf8_lossy(&o.stdout);
    assert!(prompt.contains("Task: FUNCTION_BLOCK Latch\nMotor runs after Start until Stop."));
    assert!(
        prompt.ends_with("VAR_OUTPUT\n    Motor : BOOL;\nEND_VAR\n"),
        "{prompt}"
    );
}

#[test]
fn model_path_follows_the_environment_and_the_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let o = stforge(
        &["model", "path"],
        &[
            ("STFORGE_MODEL", "/m/x.gguf"),
            ("XDG_CONFIG_HOME", dir.path().to_str().unwrap()),
        ],
    );
    assert_eq!(String::from_utf8_lossy(&o.stdout), "/m/x.gguf\n");
    std::fs::create_dir_all(dir.path().join("stforge")).unwrap();
    std::fs::write(
        dir.path().join("stforge/config.toml"),
        "model = \"/models/coder-7b.gguf\"\n",
    )
    .unwrap();
    let o = stforge(
        &["model", "path"],
        &[
            ("STFORGE_MODEL", ""),
            ("XDG_CONFIG_HOME", dir.path().to_str().unwrap()),
        ],
    );
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "/models/coder-7b.gguf\n"
    );
    let o = stforge(
        &["model", "path"],
        &[
            ("STFORGE_MODEL", ""),
            ("XDG_CONFIG_HOME", "/nonexistent-config"),
            ("STFORGE_MODELS_DIR", "/cache/models"),
        ],
    );
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "/cache/models/gemma-3-270m-q4_k_m.gguf\n"
    );
}
