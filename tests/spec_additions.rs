//! The spec additions of issue 12, run the way users run them: `description` in the reports,
//! `at` steps, `expect` on locals and instance members, array and structure values, and a
//! spec's own `types` — on `corpus/verify/tank_high_select` (an array input) and
//! `corpus/specs/recipe_dosing.spec.toml` (a recipe table of a structure the spec declares).

use std::path::Path;
mod common;
use common::{stderr, stdout, stforge};

fn corpus(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(path)
        .display()
        .to_string()
}

/// Writes files into a fresh temporary folder.
fn temp_files(files: &[(&str, &str)]) -> (tempfile::TempDir, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let paths = files
        .iter()
        .map(|(name, text)| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            path.display().to_string()
        })
        .collect();
    (dir, paths)
}

const TANK_SPEC: &str = "verify/tank_high_select/tank_high_select.spec.toml";

#[test]
fn an_array_input_timer_members_locals_and_at_steps_are_tested_from_the_spec() {
    let o = stforge(&[
        "test",
        &corpus(TANK_SPEC),
        &corpus("verify/tank_high_select/correct.st"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(
        stdout(&o),
        "PASS test \"the fullest tank\"\n    \
         Tank 2 is the fullest; on a tie the lower tank number wins.\n\
         PASS test \"overfill after two seconds above the limit\"\n    \
         The delay is measured from the scan that first sees a level above the limit.\n\
         \n2 tests: 2 passed, 0 failed\n"
    );
}

#[test]
fn a_failed_expectation_on_an_array_names_the_element() {
    let spec = std::fs::read_to_string(corpus(TANK_SPEC)).unwrap();
    // The test reads the array input back, expecting one element wrong.
    let spec = spec.replace(
        "Levels = [-5, -7, -3, -9] } },",
        "Levels = [-5, -7, -4, -9] } },",
    );
    let (_dir, paths) = temp_files(&[("tank.spec.toml", &spec)]);
    let o = stforge(&[
        "test",
        &paths[0],
        &corpus("verify/tank_high_select/correct.st"),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[..4],
        [
            "FAIL test \"the fullest tank\"",
            "    Tank 2 is the fullest; on a tie the lower tank number wins.",
            "test \"the fullest tank\" step 3: Levels[3] expected -4, got -3",
            &format!("    at scan 3 (T#20ms), step 3 ({}:42:3)", paths[0]),
        ],
        "{out}"
    );
    assert!(
        out.contains(
            "    expected: MaxLevel = -3, MaxTank = 3, Levels[1] = -5, Levels[2] = -7, Levels[3] = -4, Levels[4] = -9\n"
        ),
        "{out}"
    );
}

#[test]
fn a_buggy_search_fails_at_the_at_step_with_its_timer_state() {
    let o = stforge(&[
        "test",
        &corpus(TANK_SPEC),
        &corpus("verify/tank_high_select/bug_skips_last.st"),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains(
            "test \"overfill after two seconds above the limit\" step 1: MaxTank expected 4, got 1\n"
        ),
        "{out}"
    );
}

/// An `expect` of a name the implementation does not have is P003 at the name in the spec; a
/// member a structure does not have is P004 where it is written; the tests do not run.
#[test]
fn unknown_names_and_members_are_coded_at_the_spec() {
    let spec = std::fs::read_to_string(corpus(TANK_SPEC)).unwrap();
    let spec = spec.replace(
        "{ set = { Levels = [500, 500, 500, 500] }, expect = { MaxLevel = 500, MaxTank = 1 } },",
        "{ set = { Levels = [500, 500, 500, 500] }, expect = { \"HighDelay.QQ\" = true, HighDelay = { Q = true, Elapsed = \"T#1s\" }, Count = 1 } },",
    );
    let (_dir, paths) = temp_files(&[("tank.spec.toml", &spec)]);
    let o = stforge(&[
        "test",
        "--format",
        "junit",
        &paths[0],
        &corpus("verify/tank_high_select/correct.st"),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    // The setup error's text: one `path:line:column: error[CODE]: message` per diagnostic.
    let errors: Vec<String> = stdout(&o)
        .lines()
        .filter_map(|l| l.find(&paths[0]).map(|at| l[at..].to_string()))
        .filter(|l| l.contains("error["))
        .collect();
    let at = |line: usize, column: usize| format!("{}:{line}:{column}", paths[0]);
    assert_eq!(
        errors,
        vec![
            format!(
                "{}: error[P003]: `HighDelay.QQ` is not a variable of `TankHighSelect` that a test can read",
                at(41, 57)
            ),
            format!(
                "{}: error[P004]: `Elapsed` is not a member of this instance (IN, PT, Q, ET, IN_M, T_START, NOW)",
                at(41, 114)
            ),
            format!(
                "{}: error[P003]: `Count` is not a variable of `TankHighSelect` that a test can read",
                at(41, 124)
            ),
        ],
        "{}",
        stdout(&o)
    );
}

#[test]
fn descriptions_are_in_junit_and_in_verify_reports() {
    let o = stforge(&[
        "test",
        "--format",
        "junit",
        &corpus(TANK_SPEC),
        &corpus("verify/tank_high_select/correct.st"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains(
            "<property name=\"description\" value=\"Tank 2 is the fullest; on a tie the lower tank number wins.\"/>"
        ),
        "{}",
        stdout(&o)
    );
    let o = stforge(&[
        "verify",
        "--format",
        "json",
        &corpus(TANK_SPEC),
        &corpus("verify/tank_high_select/correct.st"),
    ]);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(&o), stderr(&o)));
    let result = |name: &str| {
        json[0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .unwrap_or_else(|| panic!("no {name}: {json}"))
            .clone()
    };
    assert_eq!(
        result("max_is_highest")["description"],
        "No tank is fuller than the one reported."
    );
    assert_eq!(result("max_is_highest")["verdict"], "proved", "{json}");
    let o = stforge(&[
        "verify",
        &corpus(TANK_SPEC),
        &corpus("verify/tank_high_select/correct.st"),
    ]);
    let out = stdout(&o);
    let line = out
        .lines()
        .position(|l| l.contains("invariant \"tank_in_range\""))
        .unwrap_or_else(|| panic!("{out}"));
    assert_eq!(
        out.lines().nth(line + 1),
        Some("         The fullest tank is always one of the four tanks."),
        "{out}"
    );
}

const RECIPE_SOLUTION: &str = "FUNCTION_BLOCK RecipeDosing
VAR_INPUT
    Recipes : ARRAY[1..4] OF RecipeStruct;
    Select : INT;
    Start : BOOL;
END_VAR
VAR_OUTPUT
    Active : RecipeStruct;
    Mixer : BOOL;
END_VAR
VAR
    Empty : RecipeStruct;
    MixTimer : TP;
END_VAR
    IF Select >= 1 AND Select <= 4 THEN
        Active := Recipes[Select];
    ELSE
        Active := Empty;
    END_IF;
    MixTimer(IN := Start AND Select >= 1 AND Select <= 4, PT := Active.MixTime);
    Mixer := MixTimer.Q;
END_FUNCTION_BLOCK
";

const RECIPE_TYPE: &str = "TYPE RecipeStruct :
STRUCT
    Amount : INT;
    MixTime : TIME;
    Heat : BOOL;
END_STRUCT;
END_TYPE
";

/// The spec declares `RecipeStruct`: an implementation that uses it without declaring it
/// checks and passes; one that declares it too (as a generated file does) uses its own; the
/// spec's interface in ST starts with the type.
#[test]
fn a_spec_declares_its_types() {
    let spec = corpus("specs/recipe_dosing.spec.toml");
    let with_type = format!("{RECIPE_TYPE}\n{RECIPE_SOLUTION}");
    let wrong = RECIPE_SOLUTION.replace("Active := Recipes[Select];", "Active := Recipes[1];");
    let (_dir, paths) = temp_files(&[
        ("without_type.st", RECIPE_SOLUTION),
        ("with_type.st", &with_type),
        ("wrong.st", &wrong),
    ]);
    for path in &paths[..2] {
        let o = stforge(&["test", &spec, path]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{path}: {}{}",
            stdout(&o),
            stderr(&o)
        );
        assert!(stdout(&o).ends_with("2 tests: 2 passed, 0 failed\n"));
        let o = stforge(&["check", &spec, path]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{path}: {}{}",
            stdout(&o),
            stderr(&o)
        );
    }
    let o = stforge(&["test", &spec, &paths[2]]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stdout(&o).contains(
            "test \"recipe 3 is copied and mixed for its time\" step 1: Active.Amount expected 50, got 100\n"
        ),
        "{}",
        stdout(&o)
    );
    // Without the spec's types, the implementation does not check.
    let text = std::fs::read_to_string(&spec).unwrap();
    let (_dir2, bare) = temp_files(&[("bare.spec.toml", text.split_once("'''\n\n").unwrap().1)]);
    let o = stforge(&["test", &bare[0], &paths[0]]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("unknown type `RecipeStruct`"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn the_prompt_and_generated_interface_carry_the_types_and_descriptions() {
    let text = std::fs::read_to_string(corpus("specs/recipe_dosing.spec.toml")).unwrap();
    let (spec, diagnostics) = stforge::spec::load(stforge::source::FileId(0), &text);
    assert_eq!(diagnostics, vec![]);
    let spec = spec.unwrap();
    assert!(
        spec.interface_st()
            .starts_with("TYPE RecipeStruct :\nSTRUCT\n")
    );
    let prompt = stforge::llm::prompt::build(&spec, &[], None);
    assert!(
        prompt.text.contains(
            "- no_recipe_no_mixer: The mixer never runs without a selected recipe. (always, after every scan: NOT Mixer OR (Select >= 1 AND Select <= 4))\n"
        ),
        "{}",
        prompt.text
    );
    assert!(
        prompt.text.contains("    2. set Start := TRUE; run until T#200ms since the test began; expect Mixer = TRUE, MixTimer.Q = TRUE\n"),
        "{}",
        prompt.text
    );
    assert!(prompt.text.ends_with(&spec.interface_st()));
}

/// An `at` counts towards the scan budget like the `wait` it stands for: P008 at the step.
#[test]
fn an_at_step_counts_towards_the_scan_budget() {
    let o = stforge(&[
        "test",
        "--max-scans",
        "100",
        &corpus(TANK_SPEC),
        &corpus("verify/tank_high_select/correct.st"),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("PASS test \"the fullest tank\"\n"), "{out}");
    // Step 1 is scan 1; step 2 runs until the scan at T#1s990ms, the test's 200th.
    assert!(
        out.contains(&format!(
            "test \"overfill after two seconds above the limit\" step 2: {}:50:3: error[P008]: the test would run 200 scans by the end of step 2, more than the scan budget of 100",
            corpus(TANK_SPEC)
        )),
        "{out}"
    );
}
