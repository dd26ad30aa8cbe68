//! Shared by the benchmarks: a deterministic generator of realistic Structured Text (the
//! corpus both the parser and the checker are measured on) and measurement helpers.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// About this many lines per generated file.
pub const TARGET_LINES: usize = 500;

/// `1234567` as `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (k, c) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub fn env_usize(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Ok(v) => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a non-negative integer, got `{v}`")),
        Err(_) => default,
    }
}

/// Runs `f` `runs` times and returns the median wall time.
pub fn median(runs: usize, mut f: impl FnMut() -> usize) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            black_box(f());
            start.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

// ---------------------------------------------------------------------------------------------
// Corpus generator
// ---------------------------------------------------------------------------------------------

/// A 64-bit linear congruential generator (Knuth's MMIX constants); deterministic per file.
struct Lcg(u64);

impl Lcg {
    fn new(seed: u64) -> Lcg {
        let mut lcg = Lcg(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03);
        lcg.next();
        lcg
    }

    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

const DOMAINS: &[&str] = &[
    "Conveyor",
    "Pump",
    "Valve",
    "Mixer",
    "Tank",
    "Heater",
    "Fan",
    "Press",
    "Filler",
    "Capper",
    "Palletizer",
    "Dosing",
    "Boiler",
    "Chiller",
    "Lift",
    "Crane",
    "Sorter",
    "Labeler",
    "Oven",
    "Compressor",
];

const MODES: &[&str] = &[
    "Idle", "Starting", "Running", "Stopping", "Faulted", "Manual",
];

/// Variables of one FUNCTION_BLOCK, grouped by type, that statements may use.
struct Scope {
    domain: &'static str,
    enum_type: String,
    struct_type: String,
    bools: Vec<&'static str>,
    reals: Vec<&'static str>,
    ints: Vec<&'static str>,
    times: Vec<&'static str>,
}

const BOOL_VARS: &[&str] = &[
    "bEnable",
    "bReset",
    "bDone",
    "bFault",
    "bBusy",
    "bLimitHigh",
    "bLimitLow",
    "bAck",
];
const REAL_VARS: &[&str] = &[
    "rSetpoint",
    "rActual",
    "rOut",
    "rSum",
    "rTmp",
    "rGain",
    "rOffset",
];
const INT_VARS: &[&str] = &["nState", "nCnt", "nRetries", "i", "j", "nErrorCode"];
const TIME_VARS: &[&str] = &["tDelay", "tElapsed", "tTimeout"];

/// `emit!(g, "fmt", args..)`: formats first, so the arguments may use `g.rng`.
macro_rules! emit {
    ($g:expr, $($fmt:tt)*) => {{
        let text = format!($($fmt)*);
        $g.line(&text);
    }};
}

struct Gen {
    out: String,
    lines: usize,
    rng: Lcg,
    indent: usize,
}

impl Gen {
    fn line(&mut self, text: &str) {
        for _ in 0..self.indent {
            self.out.push_str("    ");
        }
        self.out.push_str(text);
        self.out.push('\n');
        self.lines += 1;
    }

    fn blank(&mut self) {
        self.out.push('\n');
        self.lines += 1;
    }
}

pub fn generate_file(index: usize) -> String {
    let mut g = Gen {
        out: String::with_capacity(TARGET_LINES * 40),
        lines: 0,
        rng: Lcg::new(index as u64),
        indent: 0,
    };
    let domain = *g.rng.pick(DOMAINS);
    let target = TARGET_LINES - 50 + g.rng.below(101);

    emit!(
        g,
        "(* Module {domain}_{index:04}: control logic for the {domain} area."
    );
    g.line("   Generated for the stforge parser benchmark. *)");
    g.blank();

    let enum_type = format!("E_{domain}Mode{index}");
    let struct_type = format!("ST_{domain}Data{index}");
    type_block(&mut g, &enum_type, &struct_type, domain, index);

    let mut fb = 0;
    while g.lines < target {
        let scope = Scope {
            domain,
            enum_type: enum_type.clone(),
            struct_type: struct_type.clone(),
            bools: BOOL_VARS.to_vec(),
            reals: REAL_VARS.to_vec(),
            ints: INT_VARS.to_vec(),
            times: TIME_VARS.to_vec(),
        };
        if fb > 0 && g.rng.chance(20) {
            function(&mut g, &scope, index, fb);
        } else {
            function_block(&mut g, &scope, index, fb, target);
        }
        fb += 1;
    }
    g.out
}

fn type_block(g: &mut Gen, enum_type: &str, struct_type: &str, domain: &str, index: usize) {
    g.line("TYPE");
    g.indent += 1;
    let base = g.rng.pick(&["INT", "UINT", "DINT"]).to_string();
    let members: Vec<String> = MODES
        .iter()
        .enumerate()
        .map(|(k, m)| format!("{m} := {}", k * 10))
        .collect();
    emit!(g, "{enum_type} : ({}) {base} := Idle;", members.join(", "));
    g.blank();
    emit!(g, "{struct_type} : STRUCT");
    g.indent += 1;
    emit!(g, "sTag       : STRING(20) := '{domain}-{index:04}';");
    g.line("rValue     : REAL := 0.0;");
    g.line("rMin, rMax : REAL;");
    g.line("nCount     : DINT;");
    g.line("bValid     : BOOL;      // set when the value is plausible");
    g.line("tStamp     : TIME := T#0s;");
    g.line("aHist      : ARRAY[0..15] OF REAL;");
    g.line("wStatus    : WORD := 16#0000;");
    g.indent -= 1;
    g.line("END_STRUCT;");
    g.blank();
    emit!(g, "ST_{domain}Limits{index} :");
    g.line("STRUCT");
    g.indent += 1;
    g.line("rHigh : REAL := 100.0;");
    g.line("rLow  : REAL := -20.5;");
    g.line("tHold : TIME := T#1m30s;");
    g.indent -= 1;
    g.line("END_STRUCT");
    g.indent -= 1;
    g.line("END_TYPE");
    g.blank();
}

fn function(g: &mut Gen, s: &Scope, index: usize, k: usize) {
    let name = format!("F_{}Scale{index}_{k}", s.domain);
    emit!(g, "FUNCTION {name} : REAL");
    g.line("VAR_INPUT");
    g.indent += 1;
    g.line("rIn, rGain, rOffset : REAL;");
    g.line("rLow  : REAL := 0.0;");
    g.line("rHigh : REAL := 100.0;");
    g.indent -= 1;
    g.line("END_VAR");
    g.line("VAR");
    g.indent += 1;
    g.line("rTmp : REAL;");
    g.indent -= 1;
    g.line("END_VAR");
    g.indent += 1;
    g.line("rTmp := rIn * rGain + rOffset;");
    g.line("IF rTmp > rHigh THEN");
    g.line("    rTmp := rHigh;");
    g.line("ELSIF rTmp < rLow THEN");
    g.line("    rTmp := rLow;");
    g.line("END_IF;");
    let lit = real_literal(&mut g.rng);
    emit!(g, "{name} := LIMIT(rLow, rTmp * {lit}, rHigh);");
    g.indent -= 1;
    g.line("END_FUNCTION");
    g.blank();
}

fn function_block(g: &mut Gen, s: &Scope, index: usize, k: usize, target: usize) {
    emit!(
        g,
        "// {} unit {k}: sequence, interlocks and timing",
        s.domain
    );
    emit!(g, "FUNCTION_BLOCK FB_{}{index}_{k}", s.domain);
    g.line("VAR_INPUT");
    g.indent += 1;
    g.line("bEnable    : BOOL;");
    g.line("bReset     : BOOL;      // rising edge acknowledges faults");
    g.line("bLimitHigh, bLimitLow : BOOL;");
    emit!(g, "rSetpoint  : REAL := {};", real_literal(&mut g.rng));
    emit!(g, "tDelay     : TIME := {};", time_literal(&mut g.rng));
    emit!(g, "eCmd       : {};", s.enum_type);
    g.indent -= 1;
    g.line("END_VAR");
    g.line("VAR_OUTPUT");
    g.indent += 1;
    g.line("bDone      : BOOL;");
    g.line("bFault     : BOOL;");
    g.line("bBusy      : BOOL;");
    g.line("rOut       : REAL;");
    g.line("nState     : INT;");
    g.line("nErrorCode : INT;");
    g.indent -= 1;
    g.line("END_VAR");
    g.line("VAR");
    g.indent += 1;
    g.line("tonDelay   : TON;");
    g.line("tonTimeout : TON;");
    g.line("rtStart    : R_TRIG;");
    g.line("ftStop     : F_TRIG;");
    g.line("ctuCycles  : CTU;");
    g.line("aBuf       : ARRAY[0..15] OF REAL;");
    g.line("aFlags     : ARRAY[1..8] OF BOOL := [8(FALSE)];");
    emit!(g, "stData     : {};", s.struct_type);
    g.line("i, j       : INT;");
    g.line("nCnt       : DINT := 0;");
    g.line("nRetries   : INT;");
    g.line("rActual, rSum, rTmp : REAL;");
    g.line("rGain      : REAL := 1.0;");
    g.line("rOffset    : REAL := REAL#-0.5;");
    g.line("tElapsed   : TIME;");
    g.line("tTimeout   : TIME := T#10s;");
    g.line("bAck       : BOOL;");
    emit!(g, "eMode      : {} := {}.Idle;", s.enum_type, s.enum_type);
    g.indent -= 1;
    g.line("END_VAR");
    g.blank();
    g.indent += 1;

    // Standard preamble: edge detection and timers with formal arguments.
    g.line("rtStart(CLK := bEnable);");
    g.line("ftStop(CLK := bEnable);");
    emit!(
        g,
        "tonDelay(IN := bEnable AND NOT bFault, PT := {});",
        time_literal(&mut g.rng)
    );
    g.line("tonTimeout(IN := bBusy, PT := tTimeout, ET => tElapsed);");
    g.line("ctuCycles(CU := rtStart.Q, RESET := bReset, PV := 1000);");
    g.blank();

    // A body of 40..120 lines, smaller if it would overshoot the file's target length.
    let budget = (40 + g.rng.below(81)).min(target.saturating_sub(g.lines).max(20));
    let stop = g.lines + budget;
    let mut first = true;
    while g.lines < stop {
        if first {
            state_machine(g, s);
            first = false;
        } else {
            statement(g, s, 0);
        }
    }
    g.indent -= 1;
    g.line("END_FUNCTION_BLOCK");
    g.blank();
}

/// The CASE over the enum mode that most real FBs have.
fn state_machine(g: &mut Gen, s: &Scope) {
    let e = &s.enum_type;
    g.line("(* main sequence *)");
    g.line("CASE eMode OF");
    g.indent += 1;
    for (k, m) in MODES.iter().enumerate() {
        let label = match k % 3 {
            0 => m.to_string(),
            1 => format!("{e}.{m}"),
            _ => format!("{e}#{m}"),
        };
        emit!(g, "{label}:");
        g.indent += 1;
        emit!(g, "nState := {};", k * 10);
        let n = 1 + g.rng.below(2);
        for _ in 0..n {
            simple_statement(g, s);
        }
        if k + 1 < MODES.len() {
            emit!(
                g,
                "IF tonDelay.Q AND NOT bFault THEN eMode := {e}.{}; END_IF;",
                MODES[k + 1]
            );
        }
        g.indent -= 1;
    }
    g.indent -= 1;
    g.line("ELSE");
    emit!(g, "    eMode := {e}#Faulted;");
    g.line("END_CASE;");
    g.blank();
}

fn statement(g: &mut Gen, s: &Scope, depth: usize) {
    // Mostly flat code, as in real PLC programs: compound statements get rarer with depth.
    let simple = [50, 70, 85];
    let roll = g.rng.below(100);
    if depth >= simple.len() || roll < simple[depth] {
        simple_statement(g, s);
        return;
    }
    match g.rng.below(100) {
        0..=29 => if_statement(g, s, depth),
        30..=45 => case_statement(g, s, depth),
        46..=65 => for_statement(g, s, depth),
        66..=77 => while_statement(g, s, depth),
        78..=87 => repeat_statement(g, s, depth),
        _ => {
            let c = g.rng.pick(&[
                "// interlock: never drive both directions at once",
                "(* recompute the filtered value; the buffer is a ring of 16 *)",
                "// TODO: move the limits into the recipe",
                "(* alarm handling (* nested comment *) follows *)",
            ]);
            g.line(c);
            simple_statement(g, s);
        }
    }
}

fn body(g: &mut Gen, s: &Scope, depth: usize) {
    g.indent += 1;
    let n = 1 + g.rng.below(3);
    for _ in 0..n {
        statement(g, s, depth + 1);
    }
    g.indent -= 1;
}

fn if_statement(g: &mut Gen, s: &Scope, depth: usize) {
    let c = bool_expr(&mut g.rng, s, 0);
    emit!(g, "IF {c} THEN");
    body(g, s, depth);
    for _ in 0..g.rng.below(3) {
        let c = bool_expr(&mut g.rng, s, 0);
        emit!(g, "ELSIF {c} THEN");
        body(g, s, depth);
    }
    if g.rng.chance(50) {
        g.line("ELSE");
        body(g, s, depth);
    }
    g.line("END_IF;");
}

fn case_statement(g: &mut Gen, s: &Scope, depth: usize) {
    let sel = *g.rng.pick(&s.ints);
    emit!(g, "CASE {sel} OF");
    g.indent += 1;
    let arms = 2 + g.rng.below(3);
    for k in 0..arms {
        let label = match k % 4 {
            0 => format!("{}", k * 10),
            1 => format!("{}, {}", k * 10, k * 10 + 1),
            2 => format!("{}..{}", k * 10, k * 10 + 9),
            _ => format!("{}, {}..{}", k * 10, k * 10 + 2, k * 10 + 5),
        };
        emit!(g, "{label}:");
        body(g, s, depth);
    }
    g.indent -= 1;
    if g.rng.chance(60) {
        g.line("ELSE");
        body(g, s, depth);
    }
    g.line("END_CASE;");
}

fn for_statement(g: &mut Gen, s: &Scope, depth: usize) {
    let var = if depth == 0 { "i" } else { "j" };
    match g.rng.below(3) {
        0 => emit!(g, "FOR {var} := 0 TO 15 DO"),
        1 => emit!(g, "FOR {var} := 15 TO 0 BY -1 DO"),
        _ => emit!(g, "FOR {var} := 1 TO 8 BY 1 DO"),
    }
    g.indent += 1;
    match g.rng.below(3) {
        0 => emit!(
            g,
            "aBuf[{var} MOD 16] := aBuf[{var} MOD 16] * 0.9 + rActual * 0.1;"
        ),
        1 => emit!(g, "rSum := rSum + stData.aHist[{var} MOD 16];"),
        _ => emit!(
            g,
            "aFlags[({var} MOD 8) + 1] := aBuf[{var} MOD 16] > rSetpoint;"
        ),
    }
    g.indent -= 1;
    body(g, s, depth);
    g.line("END_FOR;");
}

fn while_statement(g: &mut Gen, s: &Scope, depth: usize) {
    g.line("nRetries := 0;");
    emit!(
        g,
        "WHILE nRetries < {} AND NOT {} DO",
        3 + g.rng.below(5),
        g.rng.pick(&s.bools)
    );
    g.indent += 1;
    g.line("nRetries := nRetries + 1;");
    g.indent -= 1;
    body(g, s, depth);
    g.line("END_WHILE;");
}

fn repeat_statement(g: &mut Gen, s: &Scope, depth: usize) {
    g.line("REPEAT");
    g.indent += 1;
    g.line("nCnt := nCnt + 1;");
    g.indent -= 1;
    body(g, s, depth);
    emit!(g, "UNTIL nCnt >= {} OR bAck", 10 + g.rng.below(90));
    g.line("END_REPEAT;");
}

fn simple_statement(g: &mut Gen, s: &Scope) {
    let line = match g.rng.below(14) {
        0 | 1 => {
            let v = *g.rng.pick(&s.reals);
            format!("{v} := {};", real_expr(&mut g.rng, s, 0))
        }
        2 | 3 => {
            let v = *g.rng.pick(&s.bools);
            format!("{v} := {};", bool_expr(&mut g.rng, s, 0))
        }
        4 => {
            let v = *g.rng.pick(&s.ints);
            format!("{v} := {};", int_expr(&mut g.rng, s, 0))
        }
        5 => format!(
            "tonDelay(IN := {}, PT := {});",
            bool_expr(&mut g.rng, s, 1),
            time_literal(&mut g.rng)
        ),
        6 => format!("rtStart(CLK := {});", bool_expr(&mut g.rng, s, 1)),
        7 => format!(
            "stData.aHist[nCnt MOD 16] := {};  // keep history",
            real_expr(&mut g.rng, s, 1)
        ),
        8 => format!(
            "stData.rValue := LIMIT(stData.rMin, {}, stData.rMax);",
            real_expr(&mut g.rng, s, 1)
        ),
        9 => format!(
            "stData.wStatus := stData.wStatus OR WORD#16#{:04X};",
            g.rng.below(0x10000)
        ),
        10 => {
            let t = *g.rng.pick(&s.times);
            format!(
                "{t} := {} + {};",
                g.rng.pick(&s.times),
                time_literal(&mut g.rng)
            )
        }
        11 => "stData.tStamp := tonTimeout.ET;".to_string(),
        12 => "stData.bValid := stData.rValue >= stData.rMin AND stData.rValue <= stData.rMax;"
            .to_string(),
        _ => format!(
            "rOut := MAX({}, MIN({}, {}));",
            real_expr(&mut g.rng, s, 2),
            real_expr(&mut g.rng, s, 2),
            real_literal(&mut g.rng)
        ),
    };
    g.line(&line);
}

fn real_literal(rng: &mut Lcg) -> String {
    match rng.below(5) {
        0 => format!("{}.{}", rng.below(1000), rng.below(100)),
        1 => format!("REAL#{}.{}", rng.below(100), rng.below(10)),
        2 => format!(
            "{}.{}E-{}",
            rng.below(10),
            rng.below(1000),
            1 + rng.below(5)
        ),
        3 => format!("LREAL#{}.0", rng.below(500)),
        _ => format!("{}.5", rng.below(50)),
    }
}

fn time_literal(rng: &mut Lcg) -> String {
    match rng.below(5) {
        0 => format!("T#{}s", 1 + rng.below(60)),
        1 => format!("T#{}ms", 10 * (1 + rng.below(99))),
        2 => format!("TIME#{}m{}s", 1 + rng.below(10), rng.below(60)),
        3 => format!("T#{}s{}ms", rng.below(10), rng.below(1000)),
        _ => format!("t#{}h_{}m", rng.below(24), rng.below(60)),
    }
}

fn real_expr(rng: &mut Lcg, s: &Scope, depth: usize) -> String {
    if depth >= 2 || rng.chance(30) {
        return match rng.below(5) {
            0 => real_literal(rng),
            1 => "aBuf[i MOD 16]".to_string(),
            2 => "stData.rValue".to_string(),
            _ => rng.pick(&s.reals).to_string(),
        };
    }
    let a = real_expr(rng, s, depth + 1);
    let b = real_expr(rng, s, depth + 1);
    match rng.below(6) {
        0 => format!("{a} + {b}"),
        1 => format!("{a} - {b}"),
        2 => format!("({a} + {b}) * {}", real_literal(rng)),
        3 => format!("{a} * {b}"),
        4 => format!("{a} / ({b} + 1.0)"),
        _ => format!("ABS({a} - {b})"),
    }
}

fn int_expr(rng: &mut Lcg, s: &Scope, depth: usize) -> String {
    if depth >= 2 || rng.chance(40) {
        return match rng.below(3) {
            0 => format!("{}", rng.below(1000)),
            1 => format!("INT#{}", rng.below(100)),
            _ => rng.pick(&s.ints).to_string(),
        };
    }
    let a = int_expr(rng, s, depth + 1);
    let b = int_expr(rng, s, depth + 1);
    match rng.below(4) {
        0 => format!("{a} + {b}"),
        1 => format!("({a} - {b}) MOD 16"),
        // One factor is a variable so that constant products stay within INT.
        2 => format!("{a} * {}", rng.pick(&s.ints)),
        _ => format!("-{a} + 1"),
    }
}

fn bool_expr(rng: &mut Lcg, s: &Scope, depth: usize) -> String {
    if depth >= 2 || rng.chance(25) {
        return match rng.below(9) {
            0 => format!("{} > {}", rng.pick(&s.reals), real_literal(rng)),
            1 => format!("{} <= {}", rng.pick(&s.ints), rng.below(100)),
            2 => format!("eMode = {}.{}", s.enum_type, rng.pick(MODES)),
            3 => "tonDelay.Q".to_string(),
            4 => format!("aFlags[{}]", 1 + rng.below(8)),
            5 => format!("{} <> {}", rng.pick(&s.ints), rng.below(10)),
            6 => format!("tElapsed >= {}", time_literal(rng)),
            _ => rng.pick(&s.bools).to_string(),
        };
    }
    let a = bool_expr(rng, s, depth + 1);
    let b = bool_expr(rng, s, depth + 1);
    match rng.below(5) {
        0 => format!("{a} AND {b}"),
        1 => format!("{a} OR {b}"),
        2 => format!("({a} OR {b}) AND NOT bFault"),
        3 => format!("NOT ({a}) XOR {b}"),
        _ => format!("{a} AND_THEN {b}"),
    }
}
