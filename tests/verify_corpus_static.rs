//! The verification corpus (`corpus/verify/`), checked without a verifier: its layout, the
//! `// VIOLATES:` header of every buggy variant, that every correct variant passes its spec's
//! tests (which watch the properties after every scan) on the real binary, and that every buggy
//! variant's `// DEMO:` input sequence shows exactly the violation its header names — while the
//! same inputs leave the correct variant without any violation.
//!
//! A buggy variant starts with
//! ```text
//! // VIOLATES: <property name | R001 | R002 | R003> — <what the bug is>
//! // DEMO: { set = { … } }          (one test step per line, as in a spec's `steps`)
//! ```
//! The demonstration is appended to the spec as a `[[test]]` named "demo" and run on both
//! variants.

use std::path::{Path, PathBuf};
use std::process::Output;
mod common;
use common::stforge;

/// The implicit checks a header may name instead of a property.
const IMPLICIT_CHECKS: [&str; 3] = ["R001", "R002", "R003"];

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/verify")
}

/// One program of the corpus: its folder, spec and variants.
struct Program {
    name: String,
    spec: PathBuf,
    correct: PathBuf,
    bugs: Vec<PathBuf>,
}

fn programs() -> Vec<Program> {
    let mut names: Vec<String> = std::fs::read_dir(corpus())
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_dir())
        .map(|e| e.file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let dir = corpus().join(&name);
            let mut bugs: Vec<PathBuf> = std::fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| {
                    let file = p.file_name().unwrap().to_str().unwrap();
                    file.starts_with("bug_") && file.ends_with(".st")
                })
                .collect();
            bugs.sort();
            Program {
                spec: dir.join(format!("{name}.spec.toml")),
                correct: dir.join("correct.st"),
                name,
                bugs,
            }
        })
        .collect()
}

/// The names of a spec's properties; the spec must load without any diagnostic.
fn property_names(spec: &Path) -> Vec<String> {
    let source = std::fs::read_to_string(spec).unwrap();
    let (model, diagnostics) = stforge::spec::load(stforge::source::FileId(0), &source);
    assert_eq!(diagnostics, vec![], "{}", spec.display());
    model
        .unwrap()
        .properties
        .iter()
        .map(|p| match p {
            stforge::spec::Property::Invariant { name, .. }
            | stforge::spec::Property::Response { name, .. } => name.text.clone(),
        })
        .collect()
}

/// A buggy variant's header: what it violates, why, and the demonstration steps.
struct Header {
    violates: String,
    why: String,
    demo: Vec<String>,
}

fn header(bug: &Path) -> Header {
    let source = std::fs::read_to_string(bug).unwrap();
    let first = source.lines().next().unwrap_or_default();
    let rest = first
        .strip_prefix("// VIOLATES: ")
        .unwrap_or_else(|| panic!("{}: line 1 is not a VIOLATES header", bug.display()));
    let (violates, why) = rest
        .split_once(" — ")
        .unwrap_or_else(|| panic!("{}: the header has no ` — ` explanation", bug.display()));
    let demo = source
        .lines()
        .skip(1)
        .take_while(|l| l.starts_with("// "))
        .filter_map(|l| l.strip_prefix("// DEMO: "))
        .map(String::from)
        .collect();
    Header {
        violates: violates.to_string(),
        why: why.trim().to_string(),
        demo,
    }
}

/// Writes the spec with the demonstration appended as a test named "demo".
fn spec_with_demo(spec: &Path, demo: &[String]) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut source = std::fs::read_to_string(spec).unwrap();
    source.push_str("\n[[test]]\nname = \"demo\"\nsteps = [\n");
    for step in demo {
        source.push_str(&format!("  {step},\n"));
    }
    source.push_str("]\n");
    let path = dir.path().join(spec.file_name().unwrap());
    std::fs::write(&path, source).unwrap();
    (dir, path.display().to_string())
}

fn test(spec: &str, implementation: &Path) -> Output {
    stforge(&[
        "test",
        "--color",
        "never",
        spec,
        &implementation.display().to_string(),
    ])
}

#[test]
fn corpus_layout_and_headers() {
    let programs = programs();
    assert!(
        programs.len() >= 25,
        "corpus/verify has {} programs",
        programs.len()
    );
    let readme = std::fs::read_to_string(corpus().join("README.md")).unwrap();
    for p in &programs {
        assert!(p.spec.is_file(), "{}: no spec", p.name);
        assert!(p.correct.is_file(), "{}: no correct.st", p.name);
        assert!(!p.bugs.is_empty(), "{}: no bug_*.st", p.name);
        assert!(
            readme.contains(&format!("`{}/`", p.name)),
            "README.md does not list {}",
            p.name
        );
        let properties = property_names(&p.spec);
        assert!(!properties.is_empty(), "{}: no property", p.name);
        for bug in &p.bugs {
            let h = header(bug);
            assert!(
                properties.contains(&h.violates) || IMPLICIT_CHECKS.contains(&h.violates.as_str()),
                "{}: `{}` is neither a property of the spec nor R001/R002/R003",
                bug.display(),
                h.violates
            );
            assert!(!h.why.is_empty(), "{}: no explanation", bug.display());
            assert!(!h.demo.is_empty(), "{}: no DEMO steps", bug.display());
            let file = bug.file_name().unwrap().to_str().unwrap();
            assert!(
                readme.contains(&format!("`{file}`")),
                "README.md does not describe {}/{file}",
                p.name
            );
        }
    }
}

#[test]
fn every_variant_is_well_typed() {
    for p in programs() {
        for implementation in std::iter::once(&p.correct).chain(&p.bugs) {
            let o = stforge(&[
                "check",
                "--color",
                "never",
                &p.spec.display().to_string(),
                &implementation.display().to_string(),
            ]);
            let out = text(&o);
            assert_eq!(
                o.status.code(),
                Some(0),
                "{}\n{out}",
                implementation.display()
            );
            if implementation == &p.correct {
                assert!(
                    out.contains("0 errors, 0 warnings"),
                    "{}\n{out}",
                    implementation.display()
                );
            }
        }
    }
}

#[test]
fn every_correct_variant_passes_its_tests() {
    for p in programs() {
        let spec = p.spec.display().to_string();
        let o = test(&spec, &p.correct);
        let out = text(&o);
        assert_eq!(o.status.code(), Some(0), "{}\n{out}", p.name);
        assert!(!out.contains("FAIL"), "{}\n{out}", p.name);
        assert!(out.contains(" 0 failed"), "{}\n{out}", p.name);
    }
}

#[test]
fn every_demo_shows_its_violation_only_on_the_buggy_variant() {
    for p in programs() {
        for bug in &p.bugs {
            let h = header(bug);
            let (_dir, spec) = spec_with_demo(&p.spec, &h.demo);
            let o = test(&spec, bug);
            let out = text(&o);
            assert_eq!(o.status.code(), Some(1), "{}\n{out}", bug.display());
            assert!(
                out.lines().any(|l| l == "FAIL test \"demo\""),
                "{}\n{out}",
                bug.display()
            );
            // The first failure the demo reports is the named violation.
            let first = out
                .lines()
                .find(|l| l.starts_with("test \"demo\" step "))
                .unwrap_or_else(|| panic!("{}\n{out}", bug.display()));
            let expected = if IMPLICIT_CHECKS.contains(&h.violates.as_str()) {
                format!("error[{}]", h.violates)
            } else {
                format!("property \"{}\" expected", h.violates)
            };
            assert!(
                first.contains(&expected),
                "{}: expected {expected}, got: {first}",
                bug.display()
            );
            let o = test(&spec, &p.correct);
            assert_eq!(
                o.status.code(),
                Some(0),
                "{}: the demo of {} fails on correct.st\n{}",
                p.name,
                bug.display(),
                text(&o)
            );
        }
    }
}

/// The burner's ignition safety time holds exactly at its 2 s boundary: with 10 ms less the
/// correct variant violates it, in the scan 1.9 s after the gas valve opened (100 ms cycle).
#[test]
fn the_two_second_response_is_exact() {
    let dir = corpus().join("burner_control");
    let spec = dir.join("burner_control.spec.toml");
    let source = std::fs::read_to_string(&spec).unwrap();
    assert_eq!(source.matches("within = \"T#2s\"").count(), 1);
    let tight = tempfile::tempdir().unwrap();
    let tight_spec = tight.path().join("burner_control.spec.toml");
    std::fs::write(
        &tight_spec,
        source.replace("within = \"T#2s\"", "within = \"T#1990ms\""),
    )
    .unwrap();
    let o = test(&tight_spec.display().to_string(), &dir.join("correct.st"));
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    let lines: Vec<&str> = out.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains("property \"ignition_safety_time\" expected"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        lines[at].contains("within T#1s990ms, got FALSE"),
        "{}",
        lines[at]
    );
    // The gas valve opened at T#1s (after the 1 s pre-purge); the window ends before the next
    // scan at T#3s.
    assert!(lines[at + 1].contains("at scan 30 (T#2s900ms)"), "{out}");
}
