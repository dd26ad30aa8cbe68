//! The grammar of the model's part of a POU: optional local `VAR … END_VAR` sections, a statement
//! list, and the keyword that closes the POU. The local backend hands it to llguidance (Lark
//! syntax) so that every sampled token keeps the output inside the grammar.
//!
//! One source of truth: the grammar is Rust data ([`Grammar`]); the Lark text, the random
//! derivations of the soundness test and the keyword set of the token-sync test are all read
//! from it. Keywords and punctuation are written from the lexer's token table
//! ([`TokenKind::describe`]), the date and time prefixes from
//! [`literal::DATE_TIME_PREFIXES`].
//!
//! The grammar is a subset of what the parser accepts, chosen for what the IR can run and a
//! small model can write: no `JMP`/labels, `S=`/`R=`/`REF=`/`?=`, pointers, `THIS`/`SUPER`,
//! addresses, comments or chained assignments ([`EXCLUDED`] says why per keyword). Invariants,
//! kept by `tests/grammar.rs`: every text it accepts parses without diagnostics (soundness),
//! and every statement list of the corpus that the IR can run is accepted (completeness).

use crate::spec::{PouKind, Spec};
use crate::syntax::literal::DATE_TIME_PREFIXES;
use crate::syntax::token::TokenKind as K;
use std::collections::BTreeSet;
use std::fmt::Write;

/// The terminals that are not a fixed word: each has a regular expression (for Lark) and a
/// sampler (for the soundness test's derivations).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Terminal {
    /// A name: an identifier that is not a hard keyword.
    Name,
    /// The type before `#` in a typed literal (`INT#5`, `E_State#Run`): a name that is not a
    /// date/time prefix (`T#5` lexes as a TIME literal, not as type `T` and value `5`).
    TypePrefix,
    /// The name of a new local variable: a [`Terminal::Name`] that is not one of the spec's
    /// interface names (redeclaring them is an error).
    LocalName,
    Integer,
    /// A plain decimal number: a bit number (`x.3`).
    Decimal,
    Real,
    String,
    WString,
    Time,
    Date,
    TimeOfDay,
    DateAndTime,
}

/// A symbol in an alternative.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sym {
    /// A keyword from the lexer's table, matched case-insensitively.
    Kw(K),
    /// Punctuation from the lexer's table.
    Punct(K),
    /// A word that is an identifier to the lexer (a type name such as `INT` or `TON`).
    Word(String),
    Term(Terminal),
    /// Another rule, by name.
    Sub(&'static str),
    /// Zero or one.
    Opt(Vec<Sym>),
    /// Zero or more.
    Many(Vec<Sym>),
    /// Zero to this many.
    AtMost(u32, Vec<Sym>),
}

#[derive(Clone, Debug)]
pub struct Rule {
    pub name: &'static str,
    pub alts: Vec<Vec<Sym>>,
}

/// The model's part, specialised for one POU.
#[derive(Clone, Debug)]
pub struct Grammar {
    pub rules: Vec<Rule>,
    /// Names a local declaration may not use (the interface's), upper-case.
    pub reserved: Vec<String>,
}

/// Keywords of the lexer's table that the grammar leaves out, and why. The token-sync test
/// checks that every keyword is either used by the grammar or listed here.
pub const EXCLUDED: &[(K, &str)] = &[
    (K::Program, "POU headers are written by stforge"),
    (K::Function, "POU headers are written by stforge"),
    (K::FunctionBlock, "POU headers are written by stforge"),
    (K::Class, "no classes in the model's part"),
    (K::EndClass, "no classes in the model's part"),
    (K::Method, "no methods: one POU body"),
    (K::EndMethod, "no methods: one POU body"),
    (K::Property, "no properties: one POU body"),
    (K::EndProperty, "no properties: one POU body"),
    (K::EndGet, "no properties: one POU body"),
    (K::EndSet, "no properties: one POU body"),
    (K::Interface, "no interfaces in the model's part"),
    (K::EndInterface, "no interfaces in the model's part"),
    (K::Action, "no actions: one POU body"),
    (K::EndAction, "no actions: one POU body"),
    (K::EndConfiguration, "no configurations"),
    (K::EndResource, "no configurations"),
    (K::Type, "types cannot be declared in the model's part"),
    (K::EndType, "types cannot be declared in the model's part"),
    (K::Struct, "types cannot be declared in the model's part"),
    (K::EndStruct, "types cannot be declared in the model's part"),
    (K::Union, "types cannot be declared in the model's part"),
    (K::EndUnion, "types cannot be declared in the model's part"),
    (
        K::VarInput,
        "the interface is the spec's, written by stforge",
    ),
    (
        K::VarOutput,
        "the interface is the spec's, written by stforge",
    ),
    (
        K::VarInOut,
        "the interface is the spec's, written by stforge",
    ),
    (K::VarGlobal, "a POU body declares no globals"),
    (K::VarExternal, "a POU body uses no globals"),
    (K::VarStat, "vendor extension; VAR suffices"),
    (K::VarInst, "vendor extension; VAR suffices"),
    (K::VarConfig, "no configurations"),
    (K::VarAccess, "no configurations"),
    (K::Retain, "retention is not simulated"),
    (K::NonRetain, "retention is not simulated"),
    (K::Persistent, "retention is not simulated"),
    (K::At, "no located variables (addresses are not simulated)"),
    (K::RefTo, "no references: the IR does not run them"),
    (K::Extends, "no inheritance in the model's part"),
    (K::Implements, "no interfaces in the model's part"),
    (K::Jmp, "JMP and labels: the IR does not run them"),
    (K::This, "no OOP in the model's part"),
    (K::Super, "no OOP in the model's part"),
    (K::Configuration, "soft keyword: an identifier here"),
    (K::Resource, "soft keyword: an identifier here"),
    (K::Get, "soft keyword: an identifier here"),
    (K::Set, "soft keyword: an identifier here"),
    (K::Public, "soft keyword: an identifier here"),
    (K::Private, "soft keyword: an identifier here"),
    (K::Protected, "soft keyword: an identifier here"),
    (K::Internal, "soft keyword: an identifier here"),
    (K::Abstract, "soft keyword: an identifier here"),
    (K::Final, "soft keyword: an identifier here"),
    (K::Pointer, "soft keyword: an identifier here (no pointers)"),
    (
        K::Reference,
        "soft keyword: an identifier here (no references)",
    ),
    (K::On, "soft keyword: an identifier here"),
    (K::With, "soft keyword: an identifier here"),
    (K::Task, "soft keyword: an identifier here"),
    (K::SetOp, "S= is left out: plain := is one way to write it"),
    (
        K::ResetOp,
        "R= is left out: plain := is one way to write it",
    ),
    (K::Ref, "REF= is not run by the IR"),
    (
        K::REdge,
        "edge qualifiers belong to VAR_INPUT, written by stforge",
    ),
    (
        K::FEdge,
        "edge qualifiers belong to VAR_INPUT, written by stforge",
    ),
    (K::AssignAttempt, "?= is not run by the IR"),
    (K::Caret, "no pointers: the IR does not dereference"),
];

/// Elementary type names a local may have (identifiers to the lexer; `STRING` and `WSTRING`
/// are keywords and have their own alternative).
const ELEMENTARY_TYPES: &[&str] = &[
    "BOOL",
    "BYTE",
    "WORD",
    "DWORD",
    "LWORD",
    "SINT",
    "INT",
    "DINT",
    "LINT",
    "USINT",
    "UINT",
    "UDINT",
    "ULINT",
    "REAL",
    "LREAL",
    "TIME",
    "LTIME",
    "DATE",
    "TIME_OF_DAY",
    "TOD",
    "DATE_AND_TIME",
    "DT",
    "CHAR",
    "WCHAR",
];

/// The standard function blocks a local may instantiate (`iec-stdlib/`).
pub const STANDARD_FBS: &[&str] = &[
    "TON", "TOF", "TP", "CTU", "CTD", "CTUD", "R_TRIG", "F_TRIG", "SR", "RS",
];

/// Top-level statements of the model's part, and declarations per local section, at most.
/// Generous for the corpus (its largest solution has far fewer) and small enough that a model
/// looping on one statement reaches the closing keyword within a few hundred tokens.
pub const MAX_STATEMENTS: u32 = 24;
pub const MAX_DECLARATIONS: u32 = 8;

/// The binary operators, in the lexer's spelling.
const BINARY: &[K] = &[
    K::Or,
    K::OrElse,
    K::Xor,
    K::And,
    K::AndThen,
    K::Ampersand,
    K::Eq,
    K::Ne,
    K::Lt,
    K::Gt,
    K::Le,
    K::Ge,
    K::Plus,
    K::Minus,
    K::Star,
    K::Slash,
    K::Mod,
    K::Power,
];

/// The keyword that closes a POU of this kind.
pub fn end_keyword(kind: PouKind) -> K {
    match kind {
        PouKind::FunctionBlock => K::EndFunctionBlock,
        PouKind::Function => K::EndFunction,
        PouKind::Program => K::EndProgram,
    }
}

impl Grammar {
    /// The grammar for a spec's POU: its closing keyword, its interface names reserved, and
    /// local types drawn from the elementary types, the standard function blocks and the
    /// interface's own types.
    pub fn for_spec(spec: &Spec) -> Grammar {
        let pou = &spec.pou;
        let params = pou.inputs.iter().chain(&pou.outputs).chain(&pou.in_outs);
        let mut reserved: Vec<String> = params
            .clone()
            .map(|p| p.name.text.to_ascii_uppercase())
            .collect();
        reserved.push(pou.name.text.to_ascii_uppercase());
        let extra_types: Vec<String> = params
            .map(|p| p.ty.text.trim().to_string())
            .chain(pou.return_type.iter().map(|t| t.text.trim().to_string()))
            .collect();
        Grammar::new(end_keyword(pou.kind), reserved, &extra_types)
    }

    /// The grammar for a POU closed by `end`, with `reserved` names and further type names
    /// (those that are plain identifiers are added to the local types).
    pub fn new(end: K, reserved: Vec<String>, extra_types: &[String]) -> Grammar {
        let mut types: BTreeSet<String> = ELEMENTARY_TYPES
            .iter()
            .chain(STANDARD_FBS)
            .map(|t| t.to_string())
            .collect();
        for t in extra_types {
            let upper = t.to_ascii_uppercase();
            if is_identifier(&upper) && !is_excluded_name(&upper) {
                types.insert(upper);
            }
        }
        Grammar {
            rules: rules(end, &types),
            reserved,
        }
    }

    /// The grammar as Lark text for llguidance: its [`Lexical`] form.
    pub fn to_lark(&self) -> String {
        let lexical = Lexical::new(self);
        let mut out = String::new();
        // Without initial skip the model's natural first token (indentation) is masked.
        out.push_str("%llguidance {\"allow_initial_skip\": true}\n\n");
        let name = |i: &usize| lexical.rules[*i].name.clone();
        let starts: Vec<String> = lexical.starts.iter().map(name).collect();
        let _ = writeln!(out, "start: {}", starts.join(" | "));
        for rule in &lexical.rules {
            let alts: Vec<String> = rule
                .alts
                .iter()
                .map(|alt| {
                    if alt.is_empty() {
                        return "\"\"".to_string();
                    }
                    let parts: Vec<String> = alt
                        .iter()
                        .map(|s| match s {
                            Lex::Rule(i) => name(i),
                            Lex::Terminal { sym, spaced: true } => lark_spaced_terminal(sym),
                            Lex::Terminal { sym, spaced: false } => lark_terminal(sym),
                        })
                        .collect();
                    parts.join(" ")
                })
                .collect();
            let _ = writeln!(out, "{}: {}", rule.name, alts.join("\n    | "));
        }
        out.push('\n');
        for (name, regex) in self.terminal_regexes() {
            let _ = writeln!(out, "{name}: {regex}");
            // The same after mandatory whitespace (see `Lexical`).
            let _ = writeln!(out, "SP_{name}: /{WHITESPACE}+/ {name}");
        }
        // Only whitespace between lexemes: no comments. A comment is the one place where a
        // grammar cannot stop a small model from looping (it wrote hundreds of tokens of
        // `(1) (2) (3)…` inside one), and comments carry nothing the checkers use.
        let _ = writeln!(out, "%ignore /{WHITESPACE}+/");
        out
    }

    /// Every keyword and punctuation the grammar uses.
    pub fn tokens(&self) -> BTreeSet<K> {
        fn walk(syms: &[Sym], out: &mut BTreeSet<K>) {
            for s in syms {
                match s {
                    Sym::Kw(k) | Sym::Punct(k) => {
                        out.insert(*k);
                    }
                    Sym::Opt(inner) | Sym::Many(inner) | Sym::AtMost(_, inner) => walk(inner, out),
                    _ => {}
                }
            }
        }
        let mut out = BTreeSet::new();
        for rule in &self.rules {
            for alt in &rule.alts {
                walk(alt, &mut out);
            }
        }
        out
    }

    pub fn rule(&self, name: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.name == name)
    }

    fn terminal_regexes(&self) -> Vec<(&'static str, String)> {
        let mut local = name_regex();
        if !self.reserved.is_empty() {
            let names: Vec<String> = self.reserved.iter().map(|n| regex_escape(n)).collect();
            let _ = write!(local, " & ~/(?i:{})/", names.join("|"));
        }
        vec![
            ("NAME", name_regex()),
            ("TYPE_PREFIX", type_prefix_regex()),
            ("LOCAL_NAME", local),
            ("INTEGER", format!("/{INTEGER}/")),
            ("DECIMAL", format!("/{DECIMAL}/")),
            ("REAL", format!("/{REAL}/")),
            ("STRING", format!("/{STRING}/")),
            ("WSTRING", format!("/{WSTRING}/")),
            ("TIME", format!("/{}/", date_time_regex(K::Time))),
            ("DATE", format!("/{}/", date_time_regex(K::Date))),
            (
                "TIME_OF_DAY",
                format!("/{}/", date_time_regex(K::TimeOfDay)),
            ),
            (
                "DATE_AND_TIME",
                format!("/{}/", date_time_regex(K::DateAndTime)),
            ),
        ]
    }
}

fn terminal_name(t: Terminal) -> &'static str {
    match t {
        Terminal::Name => "NAME",
        Terminal::TypePrefix => "TYPE_PREFIX",
        Terminal::LocalName => "LOCAL_NAME",
        Terminal::Integer => "INTEGER",
        Terminal::Decimal => "DECIMAL",
        Terminal::Real => "REAL",
        Terminal::String => "STRING",
        Terminal::WString => "WSTRING",
        Terminal::Time => "TIME",
        Terminal::Date => "DATE",
        Terminal::TimeOfDay => "TIME_OF_DAY",
        Terminal::DateAndTime => "DATE_AND_TIME",
    }
}

/// Whitespace between lexemes.
const WHITESPACE: &str = "[ \\t\\r\\n]";

/// A terminal symbol in Lark syntax.
fn lark_terminal(s: &Sym) -> String {
    match s {
        Sym::Kw(k) => format!("{:?}i", k.describe()),
        Sym::Punct(k) => format!("{:?}", k.describe()),
        Sym::Word(w) => format!("{w:?}i"),
        Sym::Term(t) => terminal_name(*t).to_string(),
        Sym::Sub(_) | Sym::Opt(_) | Sym::Many(_) | Sym::AtMost(..) => {
            unreachable!("not a terminal")
        }
    }
}

/// A word-like terminal after mandatory whitespace, as one lexeme: llguidance's lexer gives
/// whitespace to the ignored lexeme when a whitespace lexeme of the grammar would compete.
fn lark_spaced_terminal(s: &Sym) -> String {
    match s {
        Sym::Kw(k) => format!("/{WHITESPACE}+(?i:{})/", regex_escape(k.describe())),
        Sym::Word(w) => format!("/{WHITESPACE}+(?i:{})/", regex_escape(w)),
        Sym::Term(t) => format!("SP_{}", terminal_name(*t)),
        _ => unreachable!("a word-like terminal"),
    }
}

/// Whether a terminal starts and ends with a word character (a letter, digit or `_`): a
/// keyword, a name, a number or a date and time literal; not punctuation or a quoted string.
fn is_word_like(s: &Sym) -> bool {
    match s {
        Sym::Kw(_) | Sym::Word(_) => true,
        Sym::Term(t) => !matches!(t, Terminal::String | Terminal::WString),
        _ => false,
    }
}

/// Whether text ends with a word character (a letter, a digit or `_`), or not (nothing yet,
/// punctuation, a quote).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum End {
    Other,
    Word,
}

impl End {
    const BOTH: [End; 2] = [End::Other, End::Word];

    fn after(terminal: &Sym) -> End {
        if is_word_like(terminal) {
            End::Word
        } else {
            End::Other
        }
    }

    fn bit(self) -> u8 {
        1 << self as u8
    }

    fn letter(self) -> char {
        match self {
            End::Other => 'o',
            End::Word => 'w',
        }
    }
}

/// A symbol of a rule of [`Lexical`]: a terminal, written after mandatory whitespace when
/// `spaced`, or another rule by index.
#[derive(Clone, Debug)]
pub enum Lex {
    Terminal { sym: Sym, spaced: bool },
    Rule(usize),
}

#[derive(Clone, Debug)]
pub struct LexRule {
    pub name: String,
    pub alts: Vec<Vec<Lex>>,
}

/// The grammar as llguidance must read it: with whitespace where ST needs it. ST's lexer reads
/// two adjacent words as one (`VAR_TEMP` then `O` is the identifier `VAR_TEMPO`, `THENb` an
/// identifier), but llguidance's lexer only tries the lexemes the parser allows next, so it
/// ends `VAR_TEMP` where no allowed lexeme continues it and starts a name at `O`. With
/// whitespace merely ignored, the grammar would accept text that does not parse. So a
/// word-like terminal that follows a word is written after mandatory whitespace, in the same
/// lexeme (`SP_NAME`, `/[ \t\r\n]+(?i:THEN)/`: a whitespace lexeme of its own would lose the
/// whitespace to the ignored one).
///
/// Whether the text before a symbol ends with a word depends on the derivation, so each rule
/// is split by the ends it is entered and left with (the product of the grammar with a
/// two-state automaton): `stmt_ow` is a statement entered after punctuation that ends with a
/// word (`END_IF`). `Opt`, `Many` and `AtMost` become rules first (a repetition's passes may
/// start at different ends). Only the combinations a derivation of `start` reaches exist.
pub struct Lexical {
    pub rules: Vec<LexRule>,
    /// The rules `start` is, entered after nothing.
    pub starts: Vec<usize>,
}

/// [`Grammar`] with `Opt`, `Many` and `AtMost` turned into rules of their own.
struct Flat {
    names: Vec<String>,
    /// Per rule, its alternatives: terminals, and rules by index.
    alts: Vec<Vec<Vec<FlatSym>>>,
}

#[derive(Clone, Debug)]
enum FlatSym {
    Terminal(Sym),
    Rule(usize),
}

impl Flat {
    fn new(g: &Grammar) -> Flat {
        let mut flat = Flat {
            names: g.rules.iter().map(|r| r.name.to_string()).collect(),
            alts: vec![Vec::new(); g.rules.len()],
        };
        for (i, rule) in g.rules.iter().enumerate() {
            flat.alts[i] = rule
                .alts
                .iter()
                .map(|alt| flat.seq(g, alt, rule.name))
                .collect();
        }
        flat
    }

    fn add(&mut self, owner: &str, alts: Vec<Vec<FlatSym>>) -> usize {
        self.names.push(format!("{owner}_{}", self.names.len()));
        self.alts.push(alts);
        self.names.len() - 1
    }

    fn seq(&mut self, g: &Grammar, syms: &[Sym], owner: &str) -> Vec<FlatSym> {
        syms.iter()
            .map(|s| match s {
                Sym::Sub(name) => FlatSym::Rule(
                    g.rules
                        .iter()
                        .position(|r| r.name == *name)
                        .expect("rules named in the grammar exist"),
                ),
                Sym::Opt(inner) => {
                    let body = self.seq(g, inner, owner);
                    FlatSym::Rule(self.add(owner, vec![vec![], body]))
                }
                Sym::Many(inner) => {
                    // Left recursion: what llguidance's Earley parser handles best.
                    let body = self.seq(g, inner, owner);
                    let id = self.add(owner, vec![vec![]]);
                    let again = std::iter::once(FlatSym::Rule(id)).chain(body).collect();
                    self.alts[id].push(again);
                    FlatSym::Rule(id)
                }
                Sym::AtMost(n, inner) => {
                    // `k` more passes at most: empty, or one pass and `k - 1` more.
                    let body = self.seq(g, inner, owner);
                    let mut id = self.add(owner, vec![vec![]]);
                    for _ in 0..*n {
                        let pass = body.iter().cloned().chain([FlatSym::Rule(id)]).collect();
                        id = self.add(owner, vec![vec![], pass]);
                    }
                    FlatSym::Rule(id)
                }
                terminal => FlatSym::Terminal(terminal.clone()),
            })
            .collect()
    }

    /// Per rule and entry, the ends its texts may have (bit sets of [`End::bit`]).
    fn exits(&self) -> Vec<[u8; 2]> {
        let mut exits = vec![[0u8; 2]; self.alts.len()];
        loop {
            let mut changed = false;
            for rule in 0..self.alts.len() {
                for entry in End::BOTH {
                    let ends = self.alts[rule]
                        .iter()
                        .fold(0, |acc, alt| acc | Self::ends(alt, entry, &exits));
                    if ends != exits[rule][entry as usize] {
                        exits[rule][entry as usize] = ends;
                        changed = true;
                    }
                }
            }
            if !changed {
                return exits;
            }
        }
    }

    fn ends(alt: &[FlatSym], entry: End, exits: &[[u8; 2]]) -> u8 {
        alt.iter().fold(entry.bit(), |ends, s| {
            End::BOTH
                .iter()
                .filter(|e| ends & e.bit() != 0)
                .fold(0, |next, &e| {
                    next | match s {
                        FlatSym::Terminal(t) => End::after(t).bit(),
                        FlatSym::Rule(r) => exits[*r][e as usize],
                    }
                })
        })
    }
}

impl Lexical {
    pub fn new(g: &Grammar) -> Lexical {
        let flat = Flat::new(g);
        let exits = flat.exits();
        let mut product = Product {
            flat: &flat,
            exits: &exits,
            index: std::collections::BTreeMap::new(),
            rules: Vec::new(),
            queue: std::collections::VecDeque::new(),
        };
        let start = flat.names.iter().position(|n| n == "start");
        let start = start.expect("a start rule");
        let starts = End::BOTH
            .into_iter()
            .filter(|q| exits[start][End::Other as usize] & q.bit() != 0)
            .map(|q| product.rule(start, End::Other, q))
            .collect();
        while let Some((id, (rule, entry, exit))) = product.queue.pop_front() {
            let mut alts = Vec::new();
            for alt in &flat.alts[rule] {
                product.paths(alt, entry, exit, &mut Vec::new(), &mut alts);
            }
            product.rules[id].alts = alts;
        }
        Lexical {
            rules: product.rules,
            starts,
        }
    }

    /// Per rule, the fewest nested rules a derivation of it needs: the way out for a
    /// derivation that has gone deep enough.
    pub fn heights(&self) -> Vec<usize> {
        let mut heights = vec![usize::MAX; self.rules.len()];
        loop {
            let mut changed = false;
            for (i, rule) in self.rules.iter().enumerate() {
                let best = rule
                    .alts
                    .iter()
                    .map(|alt| self.alt_height(alt, &heights))
                    .min()
                    .unwrap_or(usize::MAX);
                if best < heights[i] {
                    heights[i] = best;
                    changed = true;
                }
            }
            if !changed {
                return heights;
            }
        }
    }

    pub fn alt_height(&self, alt: &[Lex], heights: &[usize]) -> usize {
        alt.iter()
            .map(|s| match s {
                Lex::Rule(r) => heights[*r].saturating_add(1),
                Lex::Terminal { .. } => 1,
            })
            .max()
            .unwrap_or(0)
    }
}

/// The construction of [`Lexical`]: product rules by (flat rule, entry, exit), made on demand.
struct Product<'f> {
    flat: &'f Flat,
    exits: &'f [[u8; 2]],
    index: std::collections::BTreeMap<(usize, End, End), usize>,
    rules: Vec<LexRule>,
    queue: std::collections::VecDeque<(usize, (usize, End, End))>,
}

impl Product<'_> {
    fn rule(&mut self, rule: usize, entry: End, exit: End) -> usize {
        if let Some(&id) = self.index.get(&(rule, entry, exit)) {
            return id;
        }
        let id = self.rules.len();
        self.rules.push(LexRule {
            name: format!(
                "{}_{}{}",
                self.flat.names[rule],
                entry.letter(),
                exit.letter()
            ),
            alts: Vec::new(),
        });
        self.index.insert((rule, entry, exit), id);
        self.queue.push_back((id, (rule, entry, exit)));
        id
    }

    /// Every way through `alt[..]` from `at` that ends at `exit`, appended to `out`.
    fn paths(
        &mut self,
        alt: &[FlatSym],
        at: End,
        exit: End,
        prefix: &mut Vec<Lex>,
        out: &mut Vec<Vec<Lex>>,
    ) {
        let Some((first, rest)) = alt.split_first() else {
            if at == exit {
                out.push(prefix.clone());
            }
            return;
        };
        match first {
            FlatSym::Terminal(t) => {
                prefix.push(Lex::Terminal {
                    sym: t.clone(),
                    spaced: at == End::Word && is_word_like(t),
                });
                self.paths(rest, End::after(t), exit, prefix, out);
                prefix.pop();
            }
            FlatSym::Rule(r) => {
                for next in End::BOTH {
                    if self.exits[*r][at as usize] & next.bit() != 0 {
                        let id = self.rule(*r, at, next);
                        prefix.push(Lex::Rule(id));
                        self.paths(rest, next, exit, prefix, out);
                        prefix.pop();
                    }
                }
            }
        }
    }
}

// Literal forms, as the lexer reads them (`lexer.rs`, `literal.rs`), kept to the forms whose
// value is always valid (digits separated by single underscores; dates with real months).
const INTEGER: &str =
    "[0-9]+(_[0-9]+)*|2#[01]+(_[01]+)*|8#[0-7]+(_[0-7]+)*|16#[0-9A-Fa-f]+(_[0-9A-Fa-f]+)*";
const DECIMAL: &str = "[0-9]+";
const REAL: &str =
    "[0-9]+(_[0-9]+)*\\.[0-9]+(_[0-9]+)*([eE][+-]?[0-9]+)?|[0-9]+(_[0-9]+)*[eE][+-]?[0-9]+";
const STRING: &str = "'([^'$\\r\\n]|\\$[$'\"LlNnPpRrTt]|\\$[0-9A-Fa-f]{2})*'";
const WSTRING: &str = "\"([^\"$\\r\\n]|\\$[$'\"LlNnPpRrTt]|\\$[0-9A-Fa-f]{4})*\"";

fn date_time_regex(kind: K) -> String {
    let prefixes: Vec<&str> = DATE_TIME_PREFIXES
        .iter()
        .filter(|(_, k)| *k == kind)
        .map(|(p, _)| *p)
        .collect();
    let prefix = format!("(?i:{})#", prefixes.join("|"));
    // Real dates only: days 29-31 where the month has them, 29 February in leap years.
    let year = "(19[7-9][0-9]|[2-9][0-9]{3})";
    let leap = "(19(7[26]|8[048]|9[26])|[2-9][0-9](0[48]|[2468][048]|[13579][26])|([2468][048]|[3579][26])00)";
    let date = format!(
        "({year}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|{year}-(0[13-9]|1[0-2])-(29|30)|{year}-(0[13578]|1[02])-31|{leap}-02-29)"
    );
    let tod = "([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?";
    let body = match kind {
        // Units largest first, each at most once; a fraction only on the last.
        K::Time => {
            let units = ["d", "h", "m", "s", "ms", "us", "ns"];
            let mut alts = Vec::new();
            for last in 0..units.len() {
                let mut s = String::new();
                for (i, u) in units.iter().enumerate().take(last) {
                    let _ = write!(s, "([0-9]+(?i:{u})_?)?");
                    let _ = i;
                }
                let _ = write!(s, "[0-9]+(\\.[0-9]+)?(?i:{})", units[last]);
                alts.push(s);
            }
            format!("-?({})", alts.join("|"))
        }
        K::Date => date,
        K::TimeOfDay => tod.to_string(),
        _ => format!("{date}-{tod}"),
    };
    format!("{prefix}{body}")
}

fn name_regex() -> String {
    let words: Vec<String> = crate::syntax::token::TokenKind::ALL
        .iter()
        .filter(|k| k.is_hard_keyword())
        .map(|k| k.describe().to_string())
        .collect();
    // Nor a name that starts like `VAR_…` or `END_…`: after the model's first piece of a
    // keyword (`VAR`, `_INPUT`) such a name was the only way on, and it wrote
    // `VAR_INPUT_BLOCK (1) …` instead of a section.
    format!(
        "/[A-Za-z_][A-Za-z0-9_]*/ & ~/(?i:{})/ & ~/(?i:(VAR|END)_[A-Za-z0-9_]*)/",
        words.join("|")
    )
}

fn type_prefix_regex() -> String {
    let prefixes: Vec<&str> = DATE_TIME_PREFIXES.iter().map(|(p, _)| *p).collect();
    format!("{} & ~/(?i:{})/", name_regex(), prefixes.join("|"))
}

fn regex_escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            let escape = !(c.is_ascii_alphanumeric() || c == '_');
            escape.then_some('\\').into_iter().chain(Some(c))
        })
        .collect()
}

pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Words that [`Terminal::Name`] excludes: the hard keywords, and names starting `VAR_` or
/// `END_`.
pub fn is_excluded_name(upper: &str) -> bool {
    crate::syntax::token::TokenKind::keyword(upper).is_some_and(|k| k.is_hard_keyword())
        || upper.starts_with("VAR_")
        || upper.starts_with("END_")
}

fn is_date_time_prefix(upper: &str) -> bool {
    DATE_TIME_PREFIXES.iter().any(|(p, _)| *p == upper)
}

fn rules(end: K, types: &BTreeSet<String>) -> Vec<Rule> {
    use Sym::*;
    use Terminal as T;
    let r = Sub;
    let stmts = || Many(vec![Sub("stmt")]);
    let semi = || Punct(K::Semi);
    let opt_semi = || Opt(vec![Punct(K::Semi)]);
    let mut out = vec![
        Rule {
            name: "start",
            // At most two local sections (e.g. `VAR CONSTANT` and `VAR`): the model repeated
            // sections until the token limit when any number was allowed.
            // The top-level statement list and each section's declarations are bounded too, so
            // that a model caught in a loop still reaches the closing keyword.
            alts: vec![vec![
                Opt(vec![r("var_section"), Opt(vec![r("var_section")])]),
                AtMost(MAX_STATEMENTS, vec![Sub("stmt")]),
                Kw(end),
            ]],
        },
        Rule {
            name: "var_section",
            alts: vec![
                vec![
                    Kw(K::Var),
                    Opt(vec![Kw(K::Constant)]),
                    AtMost(MAX_DECLARATIONS, vec![r("var_decl")]),
                    Kw(K::EndVar),
                ],
                vec![
                    Kw(K::VarTemp),
                    AtMost(MAX_DECLARATIONS, vec![r("var_decl")]),
                    Kw(K::EndVar),
                ],
            ],
        },
        Rule {
            name: "var_decl",
            alts: vec![vec![
                Term(T::LocalName),
                Many(vec![Punct(K::Comma), Term(T::LocalName)]),
                Punct(K::Colon),
                r("type"),
                Opt(vec![Punct(K::Assign), r("init")]),
                semi(),
            ]],
        },
        Rule {
            name: "type",
            alts: vec![
                vec![r("type_name")],
                vec![Kw(K::StringKw), Opt(vec![r("string_size")])],
                vec![Kw(K::WStringKw), Opt(vec![r("string_size")])],
                vec![
                    Kw(K::Array),
                    Punct(K::LBracket),
                    r("subrange"),
                    Many(vec![Punct(K::Comma), r("subrange")]),
                    Punct(K::RBracket),
                    Kw(K::Of),
                    r("type"),
                ],
            ],
        },
        Rule {
            name: "type_name",
            alts: types.iter().map(|t| vec![Word(t.clone())]).collect(),
        },
        Rule {
            name: "string_size",
            alts: vec![
                vec![Punct(K::LParen), Term(T::Decimal), Punct(K::RParen)],
                vec![Punct(K::LBracket), Term(T::Decimal), Punct(K::RBracket)],
            ],
        },
        Rule {
            name: "subrange",
            alts: vec![vec![r("bound"), Punct(K::DotDot), r("bound")]],
        },
        Rule {
            name: "bound",
            alts: vec![
                vec![Opt(vec![Punct(K::Minus)]), Term(T::Integer)],
                vec![Term(T::Name)],
            ],
        },
        Rule {
            name: "init",
            alts: vec![
                vec![r("expr")],
                vec![
                    Punct(K::LBracket),
                    r("init_elem"),
                    Many(vec![Punct(K::Comma), r("init_elem")]),
                    Punct(K::RBracket),
                ],
            ],
        },
        Rule {
            name: "init_elem",
            alts: vec![
                vec![r("expr")],
                // `3(0)`: a count (the same terminal as an integer operand, so that the two
                // never compete for one lexeme), then the value in parentheses.
                vec![
                    Term(T::Integer),
                    Punct(K::LParen),
                    r("expr"),
                    Punct(K::RParen),
                ],
            ],
        },
        Rule {
            name: "stmt",
            alts: vec![
                vec![r("variable"), Punct(K::Assign), r("expr"), semi()],
                vec![r("variable"), r("call_args"), semi()],
                vec![
                    Kw(K::If),
                    r("expr"),
                    Kw(K::Then),
                    stmts(),
                    Many(vec![Kw(K::Elsif), r("expr"), Kw(K::Then), stmts()]),
                    Opt(vec![Kw(K::Else), stmts()]),
                    Kw(K::EndIf),
                    opt_semi(),
                ],
                vec![
                    Kw(K::Case),
                    r("expr"),
                    Kw(K::Of),
                    Many(vec![r("case_arm")]),
                    Opt(vec![Kw(K::Else), stmts()]),
                    Kw(K::EndCase),
                    opt_semi(),
                ],
                vec![
                    Kw(K::For),
                    Term(T::Name),
                    Punct(K::Assign),
                    r("expr"),
                    Kw(K::To),
                    r("expr"),
                    Opt(vec![Kw(K::By), r("expr")]),
                    Kw(K::Do),
                    stmts(),
                    Kw(K::EndFor),
                    opt_semi(),
                ],
                vec![
                    Kw(K::While),
                    r("expr"),
                    Kw(K::Do),
                    stmts(),
                    Kw(K::EndWhile),
                    opt_semi(),
                ],
                vec![
                    Kw(K::Repeat),
                    stmts(),
                    Kw(K::Until),
                    r("expr"),
                    Kw(K::EndRepeat),
                    opt_semi(),
                ],
                vec![Kw(K::Exit), semi()],
                vec![Kw(K::Continue), semi()],
                vec![Kw(K::Return), semi()],
                vec![semi()],
            ],
        },
        Rule {
            name: "case_arm",
            alts: vec![vec![
                r("case_label"),
                Many(vec![Punct(K::Comma), r("case_label")]),
                Punct(K::Colon),
                stmts(),
            ]],
        },
        Rule {
            name: "case_label",
            alts: vec![vec![
                r("case_value"),
                Opt(vec![Punct(K::DotDot), r("case_value")]),
            ]],
        },
        Rule {
            name: "case_value",
            alts: vec![
                vec![Opt(vec![Punct(K::Minus)]), Term(T::Integer)],
                vec![Term(T::Name)],
                vec![Term(T::TypePrefix), Punct(K::Hash), Term(T::Name)],
                vec![Term(T::Name), Punct(K::Dot), Term(T::Name)],
            ],
        },
        Rule {
            name: "variable",
            // A bit access (`x.3`) comes last: `x.1.2` would lex as `x` then the REAL `1.2`.
            alts: vec![vec![
                Term(T::Name),
                Many(vec![r("suffix")]),
                Opt(vec![Punct(K::Dot), Term(T::Decimal)]),
            ]],
        },
        Rule {
            name: "suffix",
            alts: vec![
                vec![Punct(K::Dot), Term(T::Name)],
                vec![
                    Punct(K::LBracket),
                    r("expr"),
                    Many(vec![Punct(K::Comma), r("expr")]),
                    Punct(K::RBracket),
                ],
            ],
        },
        Rule {
            name: "call_args",
            alts: vec![vec![
                Punct(K::LParen),
                Opt(vec![
                    r("arg"),
                    Many(vec![Punct(K::Comma), r("arg")]),
                    Opt(vec![Punct(K::Comma)]),
                ]),
                Punct(K::RParen),
            ]],
        },
        Rule {
            name: "arg",
            alts: vec![
                vec![r("expr")],
                vec![Term(T::Name), Punct(K::Assign), r("expr")],
                vec![Term(T::Name), Punct(K::Arrow), Opt(vec![r("variable")])],
                vec![
                    Kw(K::Not),
                    Term(T::Name),
                    Punct(K::Arrow),
                    Opt(vec![r("variable")]),
                ],
            ],
        },
        Rule {
            name: "expr",
            alts: vec![vec![r("unary"), Many(vec![r("binop"), r("unary")])]],
        },
        Rule {
            name: "binop",
            alts: BINARY
                .iter()
                .map(|&k| {
                    if k.is_hard_keyword() {
                        vec![Kw(k)]
                    } else {
                        vec![Punct(k)]
                    }
                })
                .collect(),
        },
        Rule {
            name: "unary",
            alts: vec![vec![Many(vec![r("unop")]), r("operand")]],
        },
        Rule {
            name: "unop",
            alts: vec![
                vec![Punct(K::Minus)],
                vec![Punct(K::Plus)],
                vec![Kw(K::Not)],
            ],
        },
        Rule {
            name: "operand",
            alts: vec![
                vec![r("literal")],
                vec![r("variable")],
                vec![r("variable"), r("call_args"), Many(vec![r("suffix")])],
                vec![Term(T::TypePrefix), Punct(K::Hash), r("typed_value")],
                vec![Kw(K::StringKw), Punct(K::Hash), Term(T::String)],
                vec![Kw(K::WStringKw), Punct(K::Hash), Term(T::WString)],
                vec![Punct(K::LParen), r("expr"), Punct(K::RParen)],
            ],
        },
        Rule {
            name: "typed_value",
            alts: vec![
                vec![r("literal")],
                vec![Punct(K::Minus), r("literal")],
                vec![Term(T::Name)],
            ],
        },
        Rule {
            name: "literal",
            alts: vec![
                vec![Term(T::Integer)],
                vec![Term(T::Real)],
                vec![Kw(K::True)],
                vec![Kw(K::False)],
                vec![Term(T::Time)],
                vec![Term(T::String)],
                vec![Term(T::WString)],
                vec![Term(T::Date)],
                vec![Term(T::TimeOfDay)],
                vec![Term(T::DateAndTime)],
            ],
        },
    ];
    out.shrink_to_fit();
    out
}

/// Random derivations of the grammar, for the soundness test: each is a text the grammar
/// accepts (checked there with llguidance) and that must parse without diagnostics.
pub mod derive {
    use super::*;

    /// A small deterministic generator (xorshift), so that failures can be replayed by seed.
    pub struct Rng(u64);

    impl Rng {
        pub fn new(seed: u64) -> Rng {
            Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
        }
        pub fn next_u64(&mut self) -> u64 {
            let mut x = self.0;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            self.0 = x;
            x
        }
        pub fn below(&mut self, n: usize) -> usize {
            (self.next_u64() % n.max(1) as u64) as usize
        }
        pub fn chance(&mut self, percent: u64) -> bool {
            self.next_u64() % 100 < percent
        }
        pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
            &items[self.below(items.len())]
        }
    }

    /// One random text of `start`, derived from the [`Lexical`] form the Lark text is written
    /// from. Past `max_depth` every choice takes its shortest way out. Lexemes are separated as
    /// that form allows: by nothing, a space or a line break, and by at least one before a
    /// spaced terminal, so that a hole in the separation shows up as two words the parser
    /// reads as one.
    pub fn derive(grammar: &Grammar, rng: &mut Rng, max_depth: usize) -> String {
        let lexical = Lexical::new(grammar);
        let mut d = Derivation {
            grammar,
            heights: lexical.heights(),
            lexical: &lexical,
            rng,
            max: max_depth,
            out: String::new(),
        };
        let start = *d.rng.pick(&lexical.starts);
        d.rule(start, 0);
        d.out
    }

    struct Derivation<'a> {
        grammar: &'a Grammar,
        lexical: &'a Lexical,
        heights: Vec<usize>,
        rng: &'a mut Rng,
        max: usize,
        out: String,
    }

    impl Derivation<'_> {
        fn rule(&mut self, rule: usize, depth: usize) {
            let alts = &self.lexical.rules[rule].alts;
            let alt = if depth >= self.max {
                alts.iter()
                    .min_by_key(|alt| self.lexical.alt_height(alt, &self.heights))
                    .expect("every rule of the lexical form has an alternative")
            } else {
                self.rng.pick(alts)
            };
            for s in alt {
                match s {
                    Lex::Rule(r) => self.rule(*r, depth + 1),
                    Lex::Terminal { sym, spaced } => {
                        let space = if *spaced {
                            *self.rng.pick(&[" ", "\n    "])
                        } else {
                            *self.rng.pick(&["", "", " ", "\n"])
                        };
                        self.out.push_str(space);
                        let text = match sym {
                            Sym::Kw(k) => random_case(k.describe(), self.rng),
                            Sym::Punct(k) => k.describe().to_string(),
                            Sym::Word(w) => random_case(w, self.rng),
                            Sym::Term(t) => terminal_text(self.grammar, *t, self.rng),
                            _ => unreachable!("a terminal"),
                        };
                        self.out.push_str(&text);
                    }
                }
            }
        }
    }

    fn random_case(word: &str, rng: &mut Rng) -> String {
        match rng.below(4) {
            0 => word.to_ascii_lowercase(),
            1 => word
                .chars()
                .enumerate()
                .map(|(i, c)| {
                    if i % 2 == 0 {
                        c.to_ascii_lowercase()
                    } else {
                        c
                    }
                })
                .collect(),
            _ => word.to_string(),
        }
    }

    fn terminal_text(g: &Grammar, t: Terminal, rng: &mut Rng) -> String {
        match t {
            Terminal::Name | Terminal::LocalName | Terminal::TypePrefix => loop {
                let name = random_name(rng);
                let upper = name.to_ascii_uppercase();
                let reserved = t == Terminal::LocalName && g.reserved.contains(&upper);
                let prefix = t == Terminal::TypePrefix && is_date_time_prefix(&upper);
                if !is_excluded_name(&upper) && !reserved && !prefix {
                    return name;
                }
            },
            Terminal::Integer => rng
                .pick(&[
                    "0",
                    "1",
                    "42",
                    "1_000",
                    "65535",
                    "2#1010_1010",
                    "8#777",
                    "16#FF",
                    "16#dead_BEEF",
                ])
                .to_string(),
            Terminal::Decimal => rng.pick(&["0", "1", "7", "15", "80"]).to_string(),
            Terminal::Real => rng
                .pick(&[
                    "0.0", "1.5", "3.141_59", "1.0e3", "2E-5", "1_0.2_5", "6.02e+23",
                ])
                .to_string(),
            Terminal::String => rng
                .pick(&["''", "'abc'", "'$N$T$$'", "'it$'s'", "'$41x'", "'\"q\"'"])
                .to_string(),
            Terminal::WString => rng
                .pick(&["\"\"", "\"abc\"", "\"$0041$N\"", "\"'\""])
                .to_string(),
            Terminal::Time => rng
                .pick(&[
                    "T#5s",
                    "t#1h2m3s4ms",
                    "TIME#-5s",
                    "T#1.5s",
                    "LT#10us",
                    "T#1d_2h",
                    "time#100ms",
                    "T#3m",
                    "T#2ns",
                    "T#1m30s",
                ])
                .to_string(),
            Terminal::Date => rng
                .pick(&["D#2024-01-31", "DATE#1970-01-01", "ld#2099-12-28"])
                .to_string(),
            Terminal::TimeOfDay => rng
                .pick(&["TOD#12:00:00", "TIME_OF_DAY#23:59:59.5", "ltod#00:00:00"])
                .to_string(),
            Terminal::DateAndTime => rng
                .pick(&[
                    "DT#2024-01-31-12:00:00",
                    "DATE_AND_TIME#1999-02-28-00:00:01.25",
                ])
                .to_string(),
        }
    }

    fn random_name(rng: &mut Rng) -> String {
        const NAMES: &[&str] = &[
            "Motor", "x", "Level_1", "Start", "get", "S", "R", "ref", "Q", "ET", "PT", "IN",
            "_tmp", "State", "TON_1", "Pointer", "t1", "Dt_x", "TimeOn", "t", "LD", "dt", "TOD",
        ];
        if rng.chance(70) {
            return rng.pick(NAMES).to_string();
        }
        let first = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_";
        let rest = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789";
        let mut s = String::new();
        s.push(*rng.pick(first) as char);
        for _ in 0..rng.below(8) {
            s.push(*rng.pick(rest) as char);
        }
        s
    }
}

/// Checks texts against a grammar with llguidance's own matcher over a one-byte-per-token
/// vocabulary: the same Lark compiler and lexer that constrain the model, without a model.
pub struct Checker {
    factory: llguidance::ParserFactory,
}

impl Checker {
    pub fn new() -> Checker {
        let env = llguidance::toktrie::ApproximateTokEnv::single_byte_env();
        let mut factory =
            llguidance::ParserFactory::new_simple(&env).expect("the byte vocabulary is valid");
        factory.quiet();
        Checker { factory }
    }

    /// Whether the grammar accepts `text` whole. `Err` when the grammar itself is invalid.
    pub fn accepts(&self, lark: &str, text: &str) -> Result<bool, String> {
        let parser = self
            .factory
            .create_parser(llguidance::api::TopLevelGrammar::from_lark(
                lark.to_string(),
            ));
        let mut matcher = llguidance::Matcher::new(parser);
        if let Some(e) = matcher.get_error() {
            return Err(e);
        }
        let tokens: Vec<u32> = text.bytes().map(u32::from).collect();
        if matcher.consume_tokens(&tokens).is_err() {
            return Ok(false);
        }
        Ok(matcher.is_accepting().unwrap_or(false))
    }

    /// Checks that a grammar compiles; the error text otherwise.
    pub fn validate(&self, lark: &str) -> Result<(), String> {
        self.accepts(lark, "").map(|_| ())
    }
}

impl Default for Checker {
    fn default() -> Self {
        Self::new()
    }
}
