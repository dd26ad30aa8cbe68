//! The lowering and the simulator on small programs: values after N scans, run-time faults
//! at their statements, dialect arithmetic, and what the simulator refuses (R006).

use stforge::diagnostics::Code;
use stforge::ir;
use stforge::sema::types::Elem;
use stforge::sema::{self, Dialect, SemaFile};
use stforge::sim::Machine;
use stforge::source::{FileId, LineIndex};
use stforge::syntax;
use stforge::value::Value;

/// Lowers `root` from `text` (which must check without errors).
fn program(
    text: &str,
    root: &str,
    dialect: Dialect,
) -> Result<ir::Program, Vec<(Code, usize, usize)>> {
    let parsed = syntax::parse(FileId(0), text);
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    let files = [SemaFile {
        id: FileId(0),
        unit: &parsed.unit,
        stem: "test".into(),
        library: false,
    }];
    let analysis = sema::analyze(&files, dialect);
    let errors: Vec<_> = analysis
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let lines = LineIndex::new(text);
    ir::lower(&analysis, root).map_err(|diags| {
        diags
            .iter()
            .map(|d| {
                let at = lines.line_col(text, d.primary.span.start);
                (d.code, at.line as usize, at.column as usize)
            })
            .collect()
    })
}

fn int(e: Elem, v: i128) -> Value {
    Value::Int(e, v)
}

/// Runs `scans` scans and returns the fault's (code, line, column), if any.
fn fault_after(m: &mut Machine<'_>, text: &str, scans: usize) -> Option<(Code, usize, usize)> {
    for _ in 0..scans {
        if let Err(f) = m.scan() {
            let at = LineIndex::new(text).line_col(text, f.span.start);
            return Some((f.diagnostic().code, at.line as usize, at.column as usize));
        }
    }
    None
}

#[test]
fn counts_and_timers_over_scans() {
    let text = "FUNCTION_BLOCK Blink\n\
                VAR_OUTPUT Q : BOOL; N : DINT; END_VAR\n\
                VAR t : TON; END_VAR\n\
                t(IN := NOT t.Q, PT := T#50ms);\n\
                IF t.Q THEN\n    Q := NOT Q;\n    N := N + 1;\nEND_IF;\n\
                END_FUNCTION_BLOCK\n";
    let p = program(text, "Blink", Dialect::Iec).unwrap();
    let mut m = Machine::new(&p, 10_000_000);
    // Q fires at 50 ms (scan 5); IN is FALSE for one scan, so the timer restarts at 70 ms
    // and fires every 7 scans: scans 5, 12, …, 54.
    for _ in 0..60 {
        m.scan().unwrap();
    }
    assert_eq!(m.read("N"), Some(int(Elem::DInt, 8)));
    assert_eq!(m.read("Q"), Some(Value::Bool(false)));
    // Restarted at 560 ms, read after the scan at 590 ms.
    assert_eq!(m.read("t.ET"), Some(Value::Time(Elem::Time, 30_000_000)));
    assert_eq!(m.now_ns(), 600_000_000);
}

#[test]
fn initial_values_of_structures_arrays_and_enumerations() {
    let text = "TYPE E_Mode : (Off, Manual := 5, Auto); END_TYPE\n\
                TYPE ST_Cfg : STRUCT\n    Max : REAL := 100.0;\n    Mode : E_Mode := Auto;\n    Name : STRING := 'pump';\nEND_STRUCT\nEND_TYPE\n\
                TYPE T_Small : INT := 7; END_TYPE\n\
                PROGRAM Main\n\
                VAR\n    cfg : ST_Cfg := (Max := 50.0);\n    a : ARRAY[1..5] OF INT := [1, 2, 2(9)];\n    s : T_Small;\n    m : E_Mode;\n    neg : INT := -32768;\nEND_VAR\n\
                END_PROGRAM\n";
    let p = program(text, "Main", Dialect::Iec).unwrap();
    let m = Machine::new(&p, 10_000_000);
    assert_eq!(m.read("cfg.Max"), Some(Value::Real(Elem::Real, 50.0)));
    assert_eq!(m.read("cfg.Mode"), Some(int(Elem::Int, 6)));
    assert_eq!(m.read("cfg.Name"), Some(Value::String("pump".into())));
    assert_eq!(m.read("a[1]"), Some(int(Elem::Int, 1)));
    assert_eq!(m.read("a[4]"), Some(int(Elem::Int, 9)));
    assert_eq!(m.read("a[5]"), Some(int(Elem::Int, 0)));
    assert_eq!(m.read("s"), Some(int(Elem::Int, 7)));
    // An enumeration starts at its first value.
    assert_eq!(m.read("m"), Some(int(Elem::Int, 0)));
    assert_eq!(m.read("neg"), Some(int(Elem::Int, -32768)));
}

#[test]
fn functions_in_outs_outputs_and_loops() {
    let text = "FUNCTION Clamp : INT\n\
                VAR_INPUT x : INT; lo : INT := 0; hi : INT := 10; END_VAR\n\
                VAR_OUTPUT clipped : BOOL; END_VAR\n\
                Clamp := LIMIT(lo, x, hi);\nclipped := Clamp <> x;\n\
                END_FUNCTION\n\
                FUNCTION_BLOCK Acc\n\
                VAR_IN_OUT total : DINT; END_VAR\n\
                VAR_INPUT add : DINT; END_VAR\n\
                total := total + add;\n\
                END_FUNCTION_BLOCK\n\
                PROGRAM Main\n\
                VAR c : INT; was : BOOL; sum : DINT; acc : Acc; i : INT; down : INT; v : ARRAY[0..3] OF INT; END_VAR\n\
                c := Clamp(x := 42, clipped => was);\n\
                FOR i := 0 TO 3 DO\n    v[i] := i * i;\n    acc(total := sum, add := v[i]);\nEND_FOR;\n\
                FOR i := 10 TO 1 BY -3 DO\n    down := down + 1;\nEND_FOR;\n\
                END_PROGRAM\n";
    let p = program(text, "Main", Dialect::Iec).unwrap();
    let mut m = Machine::new(&p, 10_000_000);
    m.scan().unwrap();
    assert_eq!(m.read("c"), Some(int(Elem::Int, 10)));
    assert_eq!(m.read("was"), Some(Value::Bool(true)));
    assert_eq!(m.read("sum"), Some(int(Elem::DInt, 14)));
    assert_eq!(m.read("v[3]"), Some(int(Elem::Int, 9)));
    // 10, 7, 4, 1
    assert_eq!(m.read("down"), Some(int(Elem::Int, 4)));
}

#[test]
fn structures_and_arrays_are_passed_by_value() {
    let text = "TYPE V3 : STRUCT x : REAL; y : REAL; z : REAL; END_STRUCT END_TYPE\n\
                FUNCTION Length2 : REAL\nVAR_INPUT v : V3; END_VAR\n\
                v.x := v.x * v.x;\nLength2 := v.x + v.y * v.y + v.z * v.z;\nEND_FUNCTION\n\
                FUNCTION Sum : INT\nVAR_INPUT a : ARRAY[1..3] OF INT; END_VAR\nSum := a[1] + a[2] + a[3];\nEND_FUNCTION\n\
                PROGRAM Main\nVAR p : V3 := (x := 1.0, y := 2.0, z := 2.0); l : REAL; n : INT; a : ARRAY[1..3] OF INT := [4, 5, 6]; END_VAR\n\
                l := Length2(p);\nn := Sum(a);\nEND_PROGRAM\n";
    let p = program(text, "Main", Dialect::Iec).unwrap();
    let mut m = Machine::new(&p, 10_000_000);
    m.scan().unwrap();
    assert_eq!(m.read("l"), Some(Value::Real(Elem::Real, 9.0)));
    assert_eq!(m.read("n"), Some(int(Elem::Int, 15)));
    // The callee changed its copy, not the caller's structure.
    assert_eq!(m.read("p.x"), Some(Value::Real(Elem::Real, 1.0)));
}

#[test]
fn overflow_wraps_in_codesys_and_faults_in_iec() {
    let text = "PROGRAM Main\nVAR x : INT := 32767; y : SINT; END_VAR\nx := x + 1;\ny := INT_TO_SINT(x);\nEND_PROGRAM\n";
    let p = program(text, "Main", Dialect::Codesys).unwrap();
    let mut m = Machine::new(&p, 10_000_000);
    m.scan().unwrap();
    assert_eq!(m.read("x"), Some(int(Elem::Int, -32768)));
    assert_eq!(m.read("y"), Some(int(Elem::SInt, 0)));
    let p = program(text, "Main", Dialect::Iec).unwrap();
    let mut m = Machine::new(&p, 10_000_000);
    assert_eq!(fault_after(&mut m, text, 1), Some((Code::R002, 3, 1)));
}

#[test]
fn run_time_faults_stop_at_their_statement() {
    let text = "FUNCTION Ratio : REAL\nVAR_INPUT a : REAL; b : REAL; END_VAR\nRatio := a / b;\nEND_FUNCTION\n\
                PROGRAM Main\n\
                VAR n : INT; a : ARRAY[1..3] OF INT; r : REAL; i : INT; mode : INT; END_VAR\n\
                n := n + 1;\n\
                IF n = 2 THEN\n    i := 4;\n    a[i] := 1;\nEND_IF;\n\
                IF n = 3 THEN\n    r := Ratio(1.0, 0.0);\nEND_IF;\n\
                IF n = 4 THEN\n    WHILE TRUE DO\n        mode := 1;\n    END_WHILE;\nEND_IF;\n\
                END_PROGRAM\n";
    let p = program(text, "Main", Dialect::Iec).unwrap();
    let mut m = Machine::new(&p, 10_000_000);
    assert_eq!(fault_after(&mut m, text, 2), Some((Code::R003, 10, 5)));
    // Inside the called function, at its statement.
    assert_eq!(fault_after(&mut m, text, 1), Some((Code::R001, 3, 1)));
    let fault = m.scan().unwrap_err();
    assert_eq!(fault.diagnostic().code, Code::R005);
    assert!(fault.diagnostic().message.contains("did not finish"));
}

#[test]
fn conversions_out_of_range_fault() {
    let text = "PROGRAM Main\nVAR r : REAL := 1.0E6; i : INT; END_VAR\ni := REAL_TO_INT(r);\nEND_PROGRAM\n";
    let p = program(text, "Main", Dialect::Iec).unwrap();
    let mut m = Machine::new(&p, 10_000_000);
    assert_eq!(fault_after(&mut m, text, 1), Some((Code::R004, 3, 1)));
}

#[test]
fn unsupported_constructs_are_reported_not_guessed() {
    let text =
        "PROGRAM Main\nVAR p : POINTER TO INT; x : INT; END_VAR\np := ADR(x);\nEND_PROGRAM\n";
    assert_eq!(
        program(text, "Main", Dialect::Codesys).unwrap_err(),
        vec![(Code::R006, 2, 5)]
    );
    let text = "PROGRAM Main\nVAR x : INT; END_VAR\nx := 1;\nJMP done;\nx := 2;\ndone:\nx := 3;\nEND_PROGRAM\n";
    assert_eq!(
        program(text, "Main", Dialect::Codesys).unwrap_err(),
        vec![(Code::R006, 4, 1), (Code::R006, 6, 1)]
    );
}

#[test]
fn strings_and_case_on_enumerations() {
    let text = "TYPE E_State : (Idle, Run, Done); END_TYPE\n\
                PROGRAM Main\n\
                VAR s : STRING; st : E_State; n : INT; msg : STRING; END_VAR\n\
                s := CONCAT('ab', 'cd', 'ef');\n\
                n := FIND(s, 'cd');\n\
                CASE st OF\n    Idle: st := Run; msg := 'started';\n    Run, Done: st := Done; msg := MID(s, 2, 3);\nEND_CASE;\n\
                END_PROGRAM\n";
    let p = program(text, "Main", Dialect::Iec).unwrap();
    let mut m = Machine::new(&p, 10_000_000);
    m.scan().unwrap();
    assert_eq!(m.read("s"), Some(Value::String("abcdef".into())));
    assert_eq!(m.read("n"), Some(int(Elem::Int, 3)));
    assert_eq!(m.read("msg"), Some(Value::String("started".into())));
    m.scan().unwrap();
    // MID(IN, L, P): L characters from position P.
    assert_eq!(m.read("msg"), Some(Value::String("cd".into())));
    assert_eq!(m.read("st"), Some(int(Elem::Int, 2)));
}

#[test]
fn found_on_real_code() {
    // Each case came from running OSCAT, OpenPLC and TwinCAT projects on the simulator.
    let text = "FUNCTION Swap : INT\n\
                VAR_INPUT a : INT; arr : ARRAY[1..3] OF INT; END_VAR\n\
                VAR_IN_OUT x : INT; END_VAR\n\
                x := 5;\n\
                Swap := a + arr[1] + arr[2] + arr[3];\n\
                END_FUNCTION\n\
                PROGRAM Main\n\
                VAR\n    short : STRING(3);\n    n : INT;\n    longer : BOOL;\n    w : INT;\n    d : DWORD;\n    min : LINT := -9223372036854775808;\n    t : TIME;\n\
                END_VAR\n\
                short := CONCAT('abc', 'def');\n\
                n := LEN(short);\n\
                longer := LEN(short) > 2;\n\
                w := WORD_TO_INT(WORD#16#FFFF);\n\
                d := DT_TO_DWORD(DT#1970-01-02-00:00:00);\n\
                END_PROGRAM\n";
    let p = program(text, "Swap", Dialect::Iec).unwrap();
    let mut m = Machine::new(&p, 10_000_000);
    assert!(m.write("a", int(Elem::Int, 7)));
    for (i, v) in [(1, 1), (2, 2), (3, 3)] {
        assert!(m.write(&format!("arr[{i}]"), int(Elem::Int, v)));
    }
    m.scan().unwrap();
    // The in-out and the array input survive the scan's reset of the function's temporaries.
    assert_eq!(m.read("result"), Some(int(Elem::Int, 13)));
    assert_eq!(m.read("x"), Some(int(Elem::Int, 5)));

    let p = program(text, "Main", Dialect::Iec).unwrap();
    let mut m = Machine::new(&p, 10_000_000);
    m.scan().unwrap();
    m.scan().unwrap();
    assert_eq!(m.read("short"), Some(Value::String("abc".into())));
    assert_eq!(m.read("n"), Some(int(Elem::Int, 3)));
    assert_eq!(m.read("longer"), Some(Value::Bool(true)));
    assert_eq!(m.read("w"), Some(int(Elem::Int, -1)));
    // Dates convert to integers in seconds, as in CODESYS and TwinCAT.
    assert_eq!(m.read("d"), Some(int(Elem::DWord, 86_400)));
    assert_eq!(m.read("min"), Some(int(Elem::LInt, i64::MIN as i128)));
    // CODESYS and TwinCAT `TIME()`: the simulated clock.
    let text = "PROGRAM Main\nVAR t : TIME; END_VAR\nt := TIME();\nEND_PROGRAM\n";
    let p = program(text, "Main", Dialect::Twincat).unwrap();
    let mut m = Machine::new(&p, 10_000_000);
    m.scan().unwrap();
    m.scan().unwrap();
    assert_eq!(m.read("t"), Some(Value::Time(Elem::Time, 10_000_000)));
}

#[test]
fn real_division_by_zero_follows_the_dialect() {
    let text = "PROGRAM Main\nVAR a : REAL := 1.0; b : REAL; q : REAL; big : BOOL; nan : BOOL; END_VAR\n\
                q := a / b;\nbig := q > 1.0E30;\nnan := (q - q) = (q - q);\nEND_PROGRAM\n";
    // IEEE 754 in the vendor dialects: INF, and NaN compares unequal to itself.
    let p = program(text, "Main", Dialect::Codesys).unwrap();
    let mut m = Machine::new(&p, 10_000_000);
    m.scan().unwrap();
    assert_eq!(m.read("big"), Some(Value::Bool(true)));
    assert_eq!(m.read("nan"), Some(Value::Bool(false)));
    let p = program(text, "Main", Dialect::Iec).unwrap();
    let mut m = Machine::new(&p, 10_000_000);
    assert_eq!(fault_after(&mut m, text, 1), Some((Code::R001, 3, 1)));
}

/// A TON started just before TIME's 32-bit millisecond count wraps (CODESYS and TwinCAT:
/// 2^32 ms, about 49.7 days) still fires PT later: `NOW - T_START` wraps with it. The same
/// program in the standard's dialect, where TIME is 64-bit nanoseconds, fires at the same scan.
#[test]
fn timers_fire_across_the_wrap_of_a_32_bit_millisecond_time() {
    let text = "PROGRAM Main\n\
                VAR Start : BOOL; Q : BOOL; E : TIME; Fine : TIME := T#1500us; END_VAR\n\
                VAR t : TON; END_VAR\n\
                t(IN := Start, PT := T#50ms);\n\
                Q := t.Q;\n\
                E := t.ET;\n\
                END_PROGRAM\n";
    const MS: i128 = 1_000_000;
    for dialect in [Dialect::Twincat, Dialect::Codesys, Dialect::Iec] {
        let p = program(text, "Main", dialect).unwrap();
        let mut m = Machine::new(&p, 10 * MS);
        // Idle until 20 ms before the wrap.
        m.scan_then_advance(((1 << 32) - 20) * MS).unwrap();
        assert!(m.write("Start", Value::Bool(true)));
        // Started at 2^32 - 20 ms; the scans at -10, 0 (the wrap), 10 and 20 ms are early.
        for scan in 0..5 {
            m.scan().unwrap();
            assert_eq!(
                m.read("Q"),
                Some(Value::Bool(false)),
                "{dialect:?} scan {scan}"
            );
            assert_eq!(
                m.read("E"),
                Some(Value::Time(Elem::Time, 10 * scan * MS)),
                "{dialect:?} scan {scan}"
            );
        }
        // 50 ms after the start, 30 ms after the wrap.
        m.scan().unwrap();
        assert_eq!(m.read("Q"), Some(Value::Bool(true)), "{dialect:?}");
        assert_eq!(m.read("E"), Some(Value::Time(Elem::Time, 50 * MS)));
        // A literal finer than a millisecond is truncated where TIME counts milliseconds.
        let fine = if dialect == Dialect::Iec {
            1_500_000
        } else {
            MS
        };
        assert_eq!(
            m.read("Fine"),
            Some(Value::Time(Elem::Time, fine)),
            "{dialect:?}"
        );
    }
}

/// TIME's width per dialect in the simulator: 32-bit milliseconds wrap and convert in
/// milliseconds in CODESYS and TwinCAT, 64-bit nanoseconds elsewhere; LTIME is 64-bit
/// nanoseconds everywhere.
#[test]
fn time_arithmetic_and_conversions_follow_the_dialect() {
    let text = "PROGRAM Main\n\
                VAR a : TIME; b : TIME; n : LINT; l : LTIME; back : TIME; END_VAR\n\
                a := T#0ms - T#1ms;\n\
                n := TIME_TO_LINT(a);\n\
                b := a + T#5ms;\n\
                l := TIME_TO_LTIME(a) + LTIME#1ms;\n\
                back := LTIME_TO_TIME(l);\n\
                END_PROGRAM\n";
    const MS: i128 = 1_000_000;
    let top = (1i128 << 32) - 1;
    let p = program(text, "Main", Dialect::Twincat).unwrap();
    let mut m = Machine::new(&p, 10 * MS);
    m.scan().unwrap();
    assert_eq!(m.read("a"), Some(Value::Time(Elem::Time, top * MS)));
    assert_eq!(m.read("n"), Some(int(Elem::LInt, top)));
    assert_eq!(m.read("b"), Some(Value::Time(Elem::Time, 4 * MS)));
    assert_eq!(m.read("l"), Some(Value::Time(Elem::LTime, (top + 1) * MS)));
    assert_eq!(m.read("back"), Some(Value::Time(Elem::Time, 0)));
    let p = program(text, "Main", Dialect::Iec).unwrap();
    let mut m = Machine::new(&p, 10 * MS);
    m.scan().unwrap();
    assert_eq!(m.read("a"), Some(Value::Time(Elem::Time, -MS)));
    assert_eq!(m.read("n"), Some(int(Elem::LInt, -1)));
    assert_eq!(m.read("b"), Some(Value::Time(Elem::Time, 4 * MS)));
    assert_eq!(m.read("l"), Some(Value::Time(Elem::LTime, 0)));
    assert_eq!(m.read("back"), Some(Value::Time(Elem::Time, 0)));
}
