//! Import and export through the binary: diagnostics at the original file's line and column
//! (one test per format), hostile and malformed XML, encodings, `stforge export` and `--into`.

use std::path::{Path, PathBuf};
mod common;
use common::{stderr, stdout, stforge};

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// `(code, line, column)` of every diagnostic `stforge check --format json` reports.
fn check_json(args: &[&str]) -> (Vec<(String, u64, u64)>, i32, String) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let o = stforge(&all);
    let json: Vec<serde_json::Value> = serde_json::from_str(&stdout(&o))
        .unwrap_or_else(|e| panic!("{e}: {} {}", stdout(&o), stderr(&o)));
    let found = json
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
            )
        })
        .collect();
    (found, o.status.code().unwrap(), stdout(&o))
}

const TCPOU: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<TcPlcObject Version="1.1.0.1" ProductVersion="3.1.4024.12">
  <POU Name="FB_Valve" Id="{9b3c3e8e-0000-0000-0000-000000000001}" SpecialFunc="None">
    <Declaration><![CDATA[FUNCTION_BLOCK FB_Valve
VAR_INPUT
    bOpen : BOOL;
END_VAR
VAR_OUTPUT
    bOpened : BOOL;
END_VAR]]></Declaration>
    <Implementation>
      <ST><![CDATA[bOpened := bOpen;]]></ST>
    </Implementation>
    <Method Name="Reset" Id="{9b3c3e8e-0000-0000-0000-000000000002}">
      <Declaration><![CDATA[METHOD Reset : BOOL
VAR_INPUT
    bForce : BOOL;
END_VAR]]></Declaration>
      <Implementation>
        <ST><![CDATA[IF bForce THEN
    bOpened := nUnknown;
END_IF
Reset := TRUE;]]></ST>
      </Implementation>
    </Method>
    <Property Name="IsOpen" Id="{9b3c3e8e-0000-0000-0000-000000000003}">
      <Declaration><![CDATA[PROPERTY IsOpen : BOOL]]></Declaration>
      <Get Name="Get" Id="{9b3c3e8e-0000-0000-0000-000000000004}">
        <Declaration><![CDATA[VAR
END_VAR
]]></Declaration>
        <Implementation>
          <ST><![CDATA[IsOpen := bOpened;]]></ST>
        </Implementation>
      </Get>
    </Property>
    <Action Name="Close" Id="{9b3c3e8e-0000-0000-0000-000000000005}">
      <Implementation>
        <ST><![CDATA[bOpened := FALSE;]]></ST>
      </Implementation>
    </Action>
  </POU>
</TcPlcObject>
"#;

#[test]
fn twincat_diagnostic_points_at_the_original_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "FB_Valve.TcPOU", TCPOU.as_bytes());
    let (found, code, _) = check_json(&["--dialect", "twincat", path.to_str().unwrap()]);
    // `nUnknown` is on line 21, column 16 of the .TcPOU file.
    assert_eq!(found, [("T001".to_string(), 21, 16)]);
    assert_eq!(code, 1);
}

#[test]
fn twincat_folder_is_checked_and_terminal_output_shows_the_original_file() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "FB_Valve.TcPOU", TCPOU.as_bytes());
    write(dir.path(), "notes.xml", b"<notes/>");
    let o = stforge(&[
        "check",
        "--dialect",
        "twincat",
        "--color",
        "never",
        dir.path().to_str().unwrap(),
    ]);
    let text = stdout(&o);
    assert!(text.contains("FB_Valve.TcPOU:21:16"), "{text}");
    assert!(text.contains("21 │     bOpened := nUnknown;"), "{text}");
    // The unrelated XML file in the folder is not read.
    assert!(stderr(&o).contains("checked 1 file"), "{}", stderr(&o));
}

const PLCOPEN: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<project xmlns="http://www.plcopen.org/xml/tc6_0201" xmlns:xhtml="http://www.w3.org/1999/xhtml">
  <fileHeader companyName="x" productName="x" productVersion="1" creationDateTime="2024-01-01T00:00:00"/>
  <contentHeader name="p"><coordinateInfo><fbd><scaling x="1" y="1"/></fbd><ld><scaling x="1" y="1"/></ld><sfc><scaling x="1" y="1"/></sfc></coordinateInfo></contentHeader>
  <types>
    <dataTypes/>
    <pous>
      <pou name="Counter" pouType="functionBlock">
        <interface>
          <inputVars>
            <variable name="Reset"><type><BOOL/></type></variable>
          </inputVars>
          <localVars>
            <variable name="Cnt"><type><derived name="NoSuchType"/></type></variable>
          </localVars>
        </interface>
        <body>
          <ST>
            <xhtml:p><![CDATA[IF Reset THEN
  Cnt := 0;
ELSE
  Cnt := Cnt + Missing;
END_IF;]]></xhtml:p>
          </ST>
        </body>
      </pou>
      <pou name="Escaped" pouType="program">
        <body>
          <ST><xhtml>IF 1 &lt; 2 THEN Undeclared := 1; END_IF;</xhtml></ST>
        </body>
      </pou>
      <pou name="Ladder" pouType="program">
        <body><LD/></body>
      </pou>
    </pous>
  </types>
  <instances><configurations/></instances>
</project>
"#;

#[test]
fn plcopen_diagnostics_point_at_the_original_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "plc.xml", PLCOPEN.as_bytes());
    let (found, code, _) = check_json(&[path.to_str().unwrap()]);
    assert_eq!(
        found,
        [
            // the XML variable whose type is unknown
            ("T002".to_string(), 14, 13),
            // `Missing` in the CDATA body
            ("T001".to_string(), 22, 16),
            // `Undeclared` in the escaped body: after `&lt;`, columns are still the file's
            ("T001".to_string(), 29, 39),
            // the LD body is not imported
            ("X004".to_string(), 33, 15),
        ]
    );
    assert_eq!(code, 1);
}

#[test]
fn scl_diagnostic_points_at_the_original_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let scl = "FUNCTION_BLOCK \"FB Pump\"\n{ S7_Optimized_Access := 'TRUE' }\nVERSION : 0.1\n   VAR_INPUT\n      Run : Bool;\n   END_VAR\n   VAR\n      Delay : TON_TIME;\n      Done : Bool;\n   END_VAR\n\nBEGIN\n    #Delay(IN := #Run, PT := T#2s);\n    #Done := #Delay.Q AND #Nope;\nEND_FUNCTION_BLOCK\n";
    let path = write(dir.path(), "pump.scl", scl.as_bytes());
    let (found, code, _) = check_json(&[path.to_str().unwrap()]);
    // `Nope` after its `#`: line 14, column 28.
    assert_eq!(found, [("T001".to_string(), 14, 28)]);
    assert_eq!(code, 1);
}

/// Classic S7 and TIA spellings that real SCL files use: a `CONST` section, `+=`, and a name
/// with an umlaut. The file checks; a mistake after them is still at its original place.
#[test]
fn scl_const_sections_compound_assignment_and_umlauts_check() {
    let dir = tempfile::tempdir().unwrap();
    let scl = "FUNCTION_BLOCK \"FB Regler\"\n   VAR_INPUT\n      Istwert : Real;\n   END_VAR\n   VAR\n      Verstärkung : Real := 2.0;\n      Summe : Real;\n   END_VAR\n   CONST\n      Grenze := 100.0;\n      Schritte := 10;\n   END_CONST\nBEGIN\n    #Summe += #Verstärkung * #Istwert;\n    IF #Summe > Grenze THEN #Summe := Grenze; END_IF;\n    #Summe -= INT_TO_REAL(Schritte);\nEND_FUNCTION_BLOCK\n";
    let path = write(dir.path(), "regler.scl", scl.as_bytes());
    let (found, code, _) = check_json(&[path.to_str().unwrap()]);
    assert_eq!(found, []);
    assert_eq!(code, 0);
    // An unknown name after the rewritten statements: line 16, column 28; and the constant
    // no longer used, at its place in the `CONST` section.
    let broken = scl.replace("INT_TO_REAL(Schritte)", "INT_TO_REAL(#Schritt)");
    let path = write(dir.path(), "broken.scl", broken.as_bytes());
    let (found, code, _) = check_json(&[path.to_str().unwrap()]);
    assert_eq!(
        found,
        [("T026".to_string(), 11, 7), ("T001".to_string(), 16, 28)]
    );
    assert_eq!(code, 1);
}

#[test]
fn xml_with_a_latin1_declaration_is_decoded_and_columns_count_characters() {
    let dir = tempfile::tempdir().unwrap();
    let text = TCPOU
        .replace("encoding=\"utf-8\"", "encoding=\"ISO-8859-1\"")
        .replace(
            "    bOpened := nUnknown;",
            "    (*\u{e4}*) bOpened := nUnknown;",
        );
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&text);
    assert!(bytes.contains(&0xE4), "the file holds a Latin-1 byte");
    let path = write(dir.path(), "FB_Valve.TcPOU", &bytes);
    let (found, _, _) = check_json(&["--dialect", "twincat", path.to_str().unwrap()]);
    assert_eq!(found, [("T001".to_string(), 21, 22)]);
}

#[test]
fn external_entities_are_never_resolved() {
    let dir = tempfile::tempdir().unwrap();
    let secret = write(dir.path(), "secret.txt", b"TOP-SECRET-MARKER");
    let xxe = format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE TcPlcObject [<!ENTITY xxe SYSTEM \"file://{}\">]>\n<TcPlcObject>\n  <GVL Name=\"G\">\n    <Declaration>VAR_GLOBAL x : INT; END_VAR (* &xxe; *)</Declaration>\n  </GVL>\n</TcPlcObject>\n",
        secret.display()
    );
    let path = write(dir.path(), "GVL.TcGVL", xxe.as_bytes());
    let (found, code, out) = check_json(&[path.to_str().unwrap()]);
    assert_eq!(
        found,
        [("X003".to_string(), 2, 1), ("X003".to_string(), 5, 49)]
    );
    assert_eq!(code, 1);
    assert!(!out.contains("TOP-SECRET-MARKER"));
    let o = stforge(&[
        "export",
        "--format",
        "st",
        path.to_str().unwrap(),
        "-o",
        "/dev/null",
    ]);
    assert!(!stdout(&o).contains("TOP-SECRET-MARKER"));
}

#[test]
fn billion_laughs_is_survived() {
    let dir = tempfile::tempdir().unwrap();
    let mut dtd = String::from("<!ENTITY lol \"lol\">");
    for i in 1..=9 {
        let prev = if i == 1 {
            "lol".to_string()
        } else {
            format!("lol{}", i - 1)
        };
        dtd.push_str(&format!(
            "<!ENTITY lol{i} \"{}\">",
            format!("&{prev};").repeat(10)
        ));
    }
    let xml = format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE project [{dtd}]>\n<project xmlns=\"http://www.plcopen.org/xml/tc6_0201\"><types><pous><pou name=\"P\" pouType=\"program\"><body><ST><xhtml>&lol9;</xhtml></ST></body></pou></pous></types></project>\n"
    );
    let path = write(dir.path(), "laughs.xml", xml.as_bytes());
    let (found, code, _) = check_json(&[path.to_str().unwrap()]);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found.iter().all(|(c, _, _)| c == "X003"));
    assert_eq!(code, 1);
}

#[test]
fn huge_attributes_and_malformed_xml_give_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    let huge = format!(
        "<TcPlcObject>\n<DUT Name=\"{}\"><Declaration><![CDATA[TYPE T : INT; END_TYPE]]></Declaration></DUT>\n</TcPlcObject>\n",
        "A".repeat(2 << 20)
    );
    let path = write(dir.path(), "T.TcDUT", huge.as_bytes());
    let (found, code, _) = check_json(&[path.to_str().unwrap()]);
    assert_eq!(found, [("X005".to_string(), 2, 1)]);
    assert_eq!(code, 1);

    let broken = "<TcPlcObject>\n  <POU Name=\"P\">\n    <Declaration><![CDATA[PROGRAM P]]></Declaration>\n  </PUO>\n</TcPlcObject>\n";
    let path = write(dir.path(), "P.TcPOU", broken.as_bytes());
    let (found, code, _) = check_json(&[path.to_str().unwrap()]);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, "X001");
    assert_eq!(found[0].1, 4);
    assert_eq!(code, 1);

    let deep = format!("<TcPlcObject>{}", "<a>".repeat(100_000));
    let path = write(dir.path(), "D.TcPOU", deep.as_bytes());
    let (found, _, _) = check_json(&[path.to_str().unwrap()]);
    assert_eq!(
        found.iter().map(|f| f.0.as_str()).collect::<Vec<_>>(),
        ["X001"]
    );
}

const GENERATED: &str = "// stforge generate: provenance spec=valve.spec.toml model=qwen seed=7\n// do not edit by hand\nFUNCTION_BLOCK FB_Gen\nVAR_INPUT\n    a : INT;\nEND_VAR\nVAR_OUTPUT\n    b : INT;\nEND_VAR\n    b := a + 1;\nEND_FUNCTION_BLOCK\n";

#[test]
fn provenance_header_survives_every_export() {
    let dir = tempfile::tempdir().unwrap();
    let src = write(dir.path(), "gen.st", GENERATED.as_bytes());
    for (format, out) in [
        ("plcopen", "p.xml"),
        ("twincat", "tc"),
        ("scl", "g.scl"),
        ("st", "g.st"),
    ] {
        let target = dir.path().join(out);
        let o = stforge(&[
            "export",
            "--format",
            format,
            src.to_str().unwrap(),
            "-o",
            target.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(0), "{format}: {}", stderr(&o));
        let written = if format == "twincat" {
            std::fs::read_to_string(target.join("FB_Gen.TcPOU")).unwrap()
        } else {
            std::fs::read_to_string(&target).unwrap()
        };
        assert!(
            written.contains("// stforge generate: provenance spec=valve.spec.toml model=qwen seed=7\n// do not edit by hand"),
            "{format}:\n{written}"
        );
        // And it is still a comment once imported again: the export checks clean.
        let o = stforge(&["check", target.to_str().unwrap()]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{format}: {}{}",
            stdout(&o),
            stderr(&o)
        );
    }
}

#[test]
fn export_refuses_to_overwrite_and_reports_what_a_format_cannot_express() {
    let dir = tempfile::tempdir().unwrap();
    let src = write(dir.path(), "gen.st", GENERATED.as_bytes());
    let out = write(dir.path(), "out.scl", b"mine");
    let o = stforge(&[
        "export",
        "--format",
        "scl",
        src.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(std::fs::read(&out).unwrap(), b"mine");
    let o = stforge(&[
        "export",
        "--format",
        "scl",
        src.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--force",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .contains("FUNCTION_BLOCK \"FB_Gen\"")
    );

    let oop = write(
        dir.path(),
        "oop.st",
        b"FUNCTION_BLOCK FB\nVAR\n    p : POINTER TO INT;\nEND_VAR\nEND_FUNCTION_BLOCK\n",
    );
    let o = stforge(&[
        "export",
        "--format",
        "scl",
        "--color",
        "never",
        oop.to_str().unwrap(),
        "-o",
        dir.path().join("x.scl").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("X006"), "{}", stdout(&o));
    assert!(stdout(&o).contains("oop.st:3:9"), "{}", stdout(&o));
    assert!(!dir.path().join("x.scl").exists());
}

#[test]
fn into_merges_into_a_plcopen_project_and_keeps_a_backup() {
    let dir = tempfile::tempdir().unwrap();
    let project = write(dir.path(), "plc.xml", PLCOPEN.as_bytes());
    let src = write(
        dir.path(),
        "counter.st",
        b"FUNCTION_BLOCK Counter\nVAR_INPUT\n    Reset : BOOL;\nEND_VAR\nVAR\n    Cnt : INT;\nEND_VAR\n    IF Reset THEN Cnt := 0; ELSE Cnt := Cnt + 1; END_IF;\nEND_FUNCTION_BLOCK\n\nFUNCTION Twice : INT\nVAR_INPUT\n    x : INT;\nEND_VAR\n    Twice := 2 * x;\nEND_FUNCTION\n",
    );
    let o = stforge(&[
        "export",
        "--format",
        "plcopen",
        src.to_str().unwrap(),
        "--into",
        project.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("replaced Counter, added Twice"),
        "{}",
        stderr(&o)
    );
    let backup = dir.path().join("plc.xml.bak");
    assert_eq!(std::fs::read_to_string(&backup).unwrap(), PLCOPEN);
    let merged = std::fs::read_to_string(&project).unwrap();
    // Everything but the replaced POU is byte for byte the original.
    let start = PLCOPEN.find("<pou name=\"Counter\"").unwrap();
    let end = PLCOPEN.find("<pou name=\"Escaped\"").unwrap();
    assert!(merged.starts_with(&PLCOPEN[..start]));
    assert!(merged.contains(&PLCOPEN[end..PLCOPEN.find("</pous>").unwrap()]));
    assert!(merged.contains("Cnt := Cnt + 1"));
    assert!(merged.contains("<pou name=\"Twice\" pouType=\"function\">"));
    // A second merge keeps the first backup and adds another.
    let o = stforge(&[
        "export",
        "--format",
        "plcopen",
        src.to_str().unwrap(),
        "--into",
        project.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert!(dir.path().join("plc.xml.bak.1").exists());
    assert_eq!(std::fs::read_to_string(&backup).unwrap(), PLCOPEN);
}

#[test]
fn fmt_never_rewrites_imported_formats() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "FB_Valve.TcPOU", TCPOU.as_bytes());
    let o = stforge(&["fmt", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), TCPOU);
}

#[test]
fn a_task_exported_to_each_format_passes_its_spec_where_it_lives() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/tasks/alarm_ack");
    let solution = root.join("solution.st");
    let spec = root.join("alarm_ack.spec.toml");
    let dir = tempfile::tempdir().unwrap();
    for (format, out) in [
        ("twincat", "tc"),
        ("plcopen", "plc.xml"),
        ("scl", "alarm.scl"),
    ] {
        let target = dir.path().join(out);
        let o = stforge(&[
            "export",
            "--format",
            format,
            solution.to_str().unwrap(),
            "-o",
            target.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(0), "{format}: {}", stderr(&o));
        let o = stforge(&["test", spec.to_str().unwrap(), target.to_str().unwrap()]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{format}: {}{}",
            stdout(&o),
            stderr(&o)
        );
        assert!(stdout(&o).contains("PASS"), "{format}: {}", stdout(&o));
    }
}
