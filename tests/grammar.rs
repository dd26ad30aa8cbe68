//! The generation grammar kept in step with the parser (`src/llm/grammar.rs`):
//! - token sync: every keyword and punctuation of the lexer's table is used by the grammar or
//!   excluded with a reason;
//! - soundness: random derivations are accepted by llguidance and parse with no diagnostics;
//! - completeness: the model's part of every corpus task solution, and every statement list of
//!   the syntax corpus that the IR can run, is accepted.

use std::path::{Path, PathBuf};
use stforge::llm::grammar::{Checker, EXCLUDED, Grammar, MAX_STATEMENTS, derive};
use stforge::source::FileId;
use stforge::spec;
use stforge::syntax::ast::{
    ArgKind, AssignOp, Expr, ExprKind, Item, PouKind, Stmt, StmtKind, VarKind,
};
use stforge::syntax::token::TokenKind as K;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn load_spec(path: &Path) -> spec::Spec {
    let text = std::fs::read_to_string(path).unwrap();
    spec::load(FileId(0), &text).0.expect("a valid spec")
}

fn task_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root().join("corpus/tasks"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn spec_in(dir: &Path) -> PathBuf {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| spec::is_spec_file(p))
        .expect("a spec in every task folder")
}

#[test]
fn every_lexer_token_is_in_the_grammar_or_excluded_with_a_reason() {
    let grammar = Grammar::new(K::EndFunctionBlock, vec![], &[]);
    let used = grammar.tokens();
    // The closing keywords of the other POU kinds appear in their own specialisations.
    let mut used_any = used.clone();
    used_any.extend(Grammar::new(K::EndFunction, vec![], &[]).tokens());
    used_any.extend(Grammar::new(K::EndProgram, vec![], &[]).tokens());
    let literal_kinds = [
        K::Ident,
        K::Integer,
        K::Real,
        K::String,
        K::WString,
        K::Time,
        K::Date,
        K::TimeOfDay,
        K::DateAndTime,
        K::Address,
        K::Error,
    ];
    let mut missing = Vec::new();
    for &kind in K::ALL {
        if literal_kinds.contains(&kind) {
            continue;
        }
        let excluded = EXCLUDED.iter().find(|(k, _)| *k == kind);
        match (used_any.contains(&kind), excluded) {
            (true, Some(_)) => panic!("{kind:?} is used by the grammar and also excluded"),
            (false, None) => missing.push(kind),
            (false, Some((_, why))) => assert!(!why.is_empty(), "{kind:?} needs a reason"),
            (true, None) => {}
        }
    }
    assert!(
        missing.is_empty(),
        "tokens neither in the grammar nor excluded: {missing:?}"
    );
    // The literal kinds (integer, real, string, time, date…) are terminals of the grammar;
    // addresses are left out (no located variables).
    let lark = grammar.to_lark();
    for terminal in [
        "INTEGER:",
        "REAL:",
        "STRING:",
        "WSTRING:",
        "TIME:",
        "DATE:",
        "TIME_OF_DAY:",
        "DATE_AND_TIME:",
        "NAME:",
    ] {
        assert!(lark.contains(terminal), "{terminal} missing");
    }
}

#[test]
fn the_grammar_compiles_and_an_invalid_one_is_a_clear_error() {
    let checker = Checker::new();
    let grammar = Grammar::new(K::EndFunctionBlock, vec!["MOTOR".into()], &[]);
    checker
        .validate(&grammar.to_lark())
        .expect("the grammar compiles");
    let err = checker
        .validate("start: \"a\" undefined_rule\n")
        .expect_err("an unknown rule is an error");
    assert!(err.contains("undefined_rule"), "{err}");
}

#[test]
fn accepts_and_rejects_what_it_should() {
    let checker = Checker::new();
    let lark = Grammar::new(K::EndFunctionBlock, vec!["MOTOR".into()], &[]).to_lark();
    let yes = [
        "    Motor := Start AND NOT Stop;\nEND_FUNCTION_BLOCK",
        "VAR\n    t : TON;\nEND_VAR\n    t(IN := Start, PT := T#5s);\n    Motor := t.Q;\nEND_FUNCTION_BLOCK",
        "END_FUNCTION_BLOCK",
        "if a then b := 1; elsif c then b := 2; else b := 3; end_if\nEND_FUNCTION_BLOCK",
        "    x := 16#FF + 2#1010 - 1.5E3;\nEND_FUNCTION_BLOCK",
        // no space needed next to punctuation
        "    b:=NOT(a)AND(c);IF(a) THEN b:=1;END_IF;\nEND_FUNCTION_BLOCK",
    ];
    for text in yes {
        assert_eq!(checker.accepts(&lark, text), Ok(true), "{text}");
    }
    let no = [
        // a misspelled keyword, the wrong closing keyword, text after the end
        "    IF a THEN b := 1; ELSIFF c THEN b := 2; END_IF;\nEND_FUNCTION_BLOCK",
        "    Motor := TRUE;\nEND_PROGRAM",
        "    Motor := TRUE;\nEND_FUNCTION_BLOCK\nFUNCTION_BLOCK X",
        // a keyword as a name, an interface name redeclared, a comparison as a statement
        "    IF := 1;\nEND_FUNCTION_BLOCK",
        // comments (the model is not given the place to loop in)
        "    x := 1; // why\nEND_FUNCTION_BLOCK",
        "    x := 1; (* why *)\nEND_FUNCTION_BLOCK",
        "VAR\n    Motor : BOOL;\nEND_VAR\nEND_FUNCTION_BLOCK",
        "    a = b;\nEND_FUNCTION_BLOCK",
        // a TIME literal without a unit, an impossible date, an unknown local type
        "    t := T#5;\nEND_FUNCTION_BLOCK",
        "    t := T # 5;\nEND_FUNCTION_BLOCK",
        "    d := D#2024-13-01;\nEND_FUNCTION_BLOCK",
        "VAR\n    x : FOO;\nEND_VAR\nEND_FUNCTION_BLOCK",
        // two words without a space between them, which ST reads as one word (`VAR_TEMPx`,
        // `THENb`, `TO10`, `END_IFc` are identifiers)
        "VAR_TEMPx : INT;\nEND_VAR\nEND_FUNCTION_BLOCK",
        "    IF a THENb := 1; END_IF\nEND_FUNCTION_BLOCK",
        "    b := a ANDc;\nEND_FUNCTION_BLOCK",
        "    IF a THEN b := 1; END_IFc := 2;\nEND_FUNCTION_BLOCK",
        "    FOR i := 1 TO10 DO b := 1; END_FOR\nEND_FUNCTION_BLOCK",
        "    x := 1;END_FUNCTION_BLOCKx",
    ];
    for text in no {
        assert_eq!(checker.accepts(&lark, text), Ok(false), "{text}");
    }
}

/// The interface a derivation is put under, for each POU kind.
const HEADERS: [(&str, K); 3] = [
    (
        "FUNCTION_BLOCK Fb\nVAR_INPUT\n    Start : BOOL;\nEND_VAR\nVAR_OUTPUT\n    Motor : BOOL;\nEND_VAR\n",
        K::EndFunctionBlock,
    ),
    (
        "FUNCTION Fn : INT\nVAR_INPUT\n    A : INT;\nEND_VAR\n",
        K::EndFunction,
    ),
    ("PROGRAM Main\n", K::EndProgram),
];

#[test]
fn random_derivations_are_accepted_and_parse_without_diagnostics() {
    let checker = Checker::new();
    let mut checked = 0;
    for (header, end) in HEADERS {
        let grammar = Grammar::new(end, vec!["START".into(), "MOTOR".into()], &[]);
        let lark = grammar.to_lark();
        for seed in 0..400u64 {
            let mut rng = derive::Rng::new(seed + 1);
            let depth = 3 + (seed % 6) as usize;
            let text = derive::derive(&grammar, &mut rng, depth);
            let source = format!("{header}{text}\n");
            let parsed = stforge::syntax::parse(FileId(0), &source);
            assert!(
                parsed.diagnostics.is_empty(),
                "seed {seed}: {:?}\n{source}",
                parsed.diagnostics
            );
            // llguidance accepts what the Rust grammar derives: the Lark text and the data
            // it is written from agree (checked on a sample: each check compiles the grammar).
            if seed % 8 == 0 {
                assert_eq!(
                    checker.accepts(&lark, &text),
                    Ok(true),
                    "seed {seed}: llguidance rejects\n{text}"
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 1200);
}

/// The model's part of a solution: everything after the interface (the last VAR_INPUT,
/// VAR_OUTPUT or VAR_IN_OUT block, or the header line).
fn model_part(source: &str, pou: &stforge::syntax::ast::Pou) -> String {
    let start = pou
        .var_blocks
        .iter()
        .filter(|b| matches!(b.kind, VarKind::Input | VarKind::Output | VarKind::InOut))
        .map(|b| b.span.end as usize)
        .max()
        .unwrap_or_else(|| {
            let from = pou.span.start as usize;
            from + source[from..].find('\n').unwrap_or(0)
        });
    source[start..pou.span.end as usize].to_string()
}

fn pou_end(kind: PouKind) -> K {
    match kind {
        PouKind::Function => K::EndFunction,
        PouKind::FunctionBlock => K::EndFunctionBlock,
        _ => K::EndProgram,
    }
}

#[test]
fn every_corpus_task_solution_is_accepted() {
    let checker = Checker::new();
    let mut accepted = Vec::new();
    for dir in task_dirs() {
        let spec = load_spec(&spec_in(&dir));
        let grammar = Grammar::for_spec(&spec);
        let lark = grammar.to_lark();
        for file in ["solution.st", "wrong.st"] {
            let path = dir.join(file);
            let Ok(source) = std::fs::read_to_string(&path) else {
                continue;
            };
            let parsed = stforge::syntax::parse(FileId(0), &source);
            let pou = parsed
                .unit
                .items
                .iter()
                .find_map(|i| match i {
                    Item::Pou(p) => Some(p),
                    _ => None,
                })
                .unwrap();
            // A solution that declares its own types (an enumeration) has locals of those
            // types, which the model cannot declare: its statement list is checked alone.
            let declares_types = parsed
                .unit
                .items
                .iter()
                .any(|i| matches!(i, Item::Types(_)));
            let text = if declares_types {
                statement_list(&source, pou).expect("a body")
            } else {
                model_part(&source, pou)
            };
            assert_eq!(
                checker.accepts(&lark, &without_trivia(&text)),
                Ok(true),
                "{}: not accepted:\n{text}",
                path.display()
            );
            accepted.push(path);
        }
    }
    // 24 tasks, each with a solution and a wrong solution.
    assert_eq!(accepted.len(), 48, "{accepted:?}");
}

/// A text with its comments and pragmas blanked out: the grammar has no comments (they are
/// trivia the checkers never read), so completeness is about the code around them.
fn without_trivia(text: &str) -> String {
    let mut out = text.to_string();
    for t in stforge::syntax::lex(FileId(0), text).trivia {
        let range = t.span.start as usize..t.span.end as usize;
        let blank: String = text[range.clone()]
            .chars()
            .map(|c| if c == '\n' { '\n' } else { ' ' })
            .collect();
        out.replace_range(range, &blank);
    }
    out
}

/// The statement list of a POU and its closing keyword.
fn statement_list(source: &str, pou: &stforge::syntax::ast::Pou) -> Option<String> {
    let first = pou.body.first()?;
    Some(source[first.span.start as usize..pou.span.end as usize].to_string())
}

/// Whether the IR runs a statement list, and the grammar means to cover it: no jumps, labels,
/// `REF=`/`?=`, pointers, `THIS`/`SUPER`, addresses, EN/ENO, and none of the forms the grammar
/// leaves out on purpose (`S=`/`R=`, assignments used as values).
fn in_scope(stmts: &[Stmt]) -> bool {
    stmts.iter().all(|s| match &s.kind {
        StmtKind::Assign { target, op, value } => {
            *op == AssignOp::Assign && expr_in_scope(target) && expr_in_scope(value)
        }
        StmtKind::Expr(e) => matches!(e.kind, ExprKind::Call { .. }) && expr_in_scope(e),
        StmtKind::If {
            branches,
            else_body,
        } => {
            branches
                .iter()
                .all(|b| expr_in_scope(&b.cond) && in_scope(&b.body))
                && else_body.as_deref().is_none_or(in_scope)
        }
        StmtKind::Case {
            selector,
            arms,
            else_body,
        } => {
            expr_in_scope(selector)
                && arms.iter().all(|a| in_scope(&a.body))
                && else_body.as_deref().is_none_or(in_scope)
        }
        StmtKind::For(f) => {
            matches!(f.var.kind, ExprKind::Name(_))
                && expr_in_scope(&f.from)
                && expr_in_scope(&f.to)
                && f.by.as_ref().is_none_or(expr_in_scope)
                && in_scope(&f.body)
        }
        StmtKind::While { cond, body } => expr_in_scope(cond) && in_scope(body),
        StmtKind::Repeat { body, until } => in_scope(body) && expr_in_scope(until),
        StmtKind::Exit | StmtKind::Continue | StmtKind::Return | StmtKind::Empty => true,
        StmtKind::Jmp(_) | StmtKind::Label(_) | StmtKind::Error => false,
    })
}

fn expr_in_scope(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Literal(_) | ExprKind::Name(_) | ExprKind::Typed { .. } => true,
        ExprKind::Unary { operand, .. } => expr_in_scope(operand),
        ExprKind::Binary { lhs, rhs, .. } => expr_in_scope(lhs) && expr_in_scope(rhs),
        ExprKind::Paren(inner) => expr_in_scope(inner),
        ExprKind::Member { base, .. } | ExprKind::Bit { base, .. } => expr_in_scope(base),
        ExprKind::Index { base, indices } => {
            expr_in_scope(base) && indices.iter().all(expr_in_scope)
        }
        ExprKind::Call { callee, args } => {
            expr_in_scope(callee)
                && args.iter().all(|a| {
                    let en_eno = a.name.as_ref().is_some_and(|n| {
                        n.name.eq_ignore_ascii_case("EN") || n.name.eq_ignore_ascii_case("ENO")
                    });
                    // An input left unconnected (`x :=`) is vendor style the grammar leaves out.
                    let empty_input = a.kind == ArgKind::Input && a.value.is_none();
                    !en_eno && !empty_input && a.value.as_ref().is_none_or(expr_in_scope)
                })
        }
        _ => false,
    }
}

#[test]
fn every_runnable_statement_list_of_the_syntax_corpus_is_accepted() {
    let checker = Checker::new();
    let mut lists = 0;
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("corpus/syntax"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "st"))
        .collect();
    files.sort();
    for path in files {
        let source = std::fs::read_to_string(&path).unwrap();
        let parsed = stforge::syntax::parse(FileId(0), &source);
        for item in &parsed.unit.items {
            let Item::Pou(pou) = item else { continue };
            let runnable_kind = matches!(
                pou.kind,
                PouKind::Function | PouKind::FunctionBlock | PouKind::Program
            );
            // The grammar bounds the top-level statement list (MAX_STATEMENTS) so that a looping
            // model reaches its end; longer lists are outside it by design.
            let too_long = pou.body.len() > MAX_STATEMENTS as usize;
            if !runnable_kind || !pou.members.is_empty() || too_long || !in_scope(&pou.body) {
                continue;
            }
            let Some(text) = statement_list(&source, pou) else {
                continue;
            };
            let lark = Grammar::new(pou_end(pou.kind), vec![], &[]).to_lark();
            assert_eq!(
                checker.accepts(&lark, &without_trivia(&text)),
                Ok(true),
                "{}: not accepted:\n{text}",
                path.display()
            );
            lists += 1;
        }
    }
    assert!(lists >= 20, "only {lists} statement lists were in scope");
}
