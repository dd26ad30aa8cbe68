//! Spec files (`*.spec.toml`): the contract between the engineer, the generator and the
//! checkers — the POU's interface, the scan cycle, assumptions, safety properties and test
//! steps (format in the README, "Spec files").
//!
//! Invariant: loading never fails and never panics; every mistake in a spec is a P-coded
//! diagnostic at its line and column, and a spec with an error diagnostic yields no model.
//! Expressions (assumptions, properties) are kept as text with their spans; they are parsed
//! and typed against the implementation by the stages that evaluate them.

pub mod interface;
mod raw;
pub mod values;

use crate::diagnostics::{Code, Diagnostic};
use crate::sema::types::Elem;
use crate::source::{FileId, Span};
use crate::syntax::{self, literal, token::TokenKind};
use raw::{Params, RawSpec};
use toml::Spanned;

/// A validated spec.
#[derive(Clone, Debug, PartialEq)]
pub struct Spec {
    pub pou: PouSpec,
    /// Simulated time per scan, in nanoseconds.
    pub cycle_ns: i128,
    /// The shortest and longest time between two scans the verifier considers (`cycle_min`,
    /// `cycle_max`; both `cycle` unless given), in nanoseconds.
    pub cycle_range_ns: (i128, i128),
    pub assumptions: Vec<Text>,
    pub properties: Vec<Property>,
    pub tests: Vec<Test>,
}

/// A piece of spec text (a name, a type, an expression) and where it stands in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    pub text: String,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PouKind {
    FunctionBlock,
    Function,
    Program,
}

impl PouKind {
    pub fn keyword(self) -> &'static str {
        match self {
            PouKind::FunctionBlock => "FUNCTION_BLOCK",
            PouKind::Function => "FUNCTION",
            PouKind::Program => "PROGRAM",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct PouSpec {
    pub name: Text,
    pub kind: PouKind,
    pub return_type: Option<Text>,
    pub description: String,
    pub inputs: Vec<Param>,
    pub outputs: Vec<Param>,
    pub in_outs: Vec<Param>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub name: Text,
    pub ty: Text,
    pub init: Option<Text>,
    pub doc: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Property {
    /// `assert`: holds after every scan.
    Invariant { name: Text, assert: Text },
    /// `when` … `then`, at most `within` later.
    Response {
        name: Text,
        when: Text,
        then: Text,
        within: Within,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Within {
    Scans(u64),
    /// Nanoseconds.
    Time(i128),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Test {
    pub name: Text,
    pub steps: Vec<Step>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub span: Span,
    /// Inputs to set before the step's first scan.
    pub set: Vec<(Text, Value)>,
    /// Further simulated time after the first scan, in nanoseconds.
    pub wait_ns: Option<i128>,
    pub expect: Vec<(Text, Expected)>,
}

/// A value in a test step, checked against the variable's type.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Bool(bool),
    Int(i128),
    Real(f64),
    /// A duration or time of day, in nanoseconds.
    Time(i128),
    /// A string, or the name of an enumeration value.
    Text(String),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expected {
    Exact(Value),
    Approx { value: f64, tol: f64 },
}

/// Whether a path names a spec file (`*.spec.toml`).
pub fn is_spec_file(path: &std::path::Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.to_ascii_lowercase().ends_with(".spec.toml"))
}

/// Loads a spec: the model when the file has no errors, and every diagnostic.
pub fn load(file: FileId, text: &str) -> (Option<Spec>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let raw: RawSpec = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            let span = e
                .span()
                .map(|r| Span::new(r.start, r.end))
                .unwrap_or_default();
            let message = e.message().trim().to_string();
            diagnostics.push(Diagnostic::new(Code::P001, file, span, message));
            return (None, diagnostics);
        }
    };
    let spec = Validator {
        file,
        diagnostics: &mut diagnostics,
    }
    .spec(raw);
    // The properties and assumptions are ST: their syntax is checked here, their names and
    // types against an implementation by `stforge test`.
    if let Some(spec) = &spec {
        for t in spec.expressions() {
            if let Err(found) = syntax::parse_expression(file, &t.text, t.content_start(text)) {
                diagnostics.extend(found);
            }
        }
    }
    let spec = spec.filter(|_| !diagnostics.iter().any(Diagnostic::is_error));
    (spec, diagnostics)
}

impl Spec {
    /// Every ST expression of the spec: assumptions, then each property's.
    pub fn expressions(&self) -> impl Iterator<Item = &Text> {
        let properties = self.properties.iter().flat_map(|p| match p {
            Property::Invariant { assert, .. } => vec![assert],
            Property::Response { when, then, .. } => vec![when, then],
        });
        self.assumptions.iter().chain(properties)
    }
}

impl Text {
    /// Where a string value's text starts in the spec file: after its opening quote(s).
    pub fn content_start(&self, file_text: &str) -> usize {
        let at = file_text
            .get(self.span.start as usize..)
            .unwrap_or_default();
        let quotes = if at.starts_with("\"\"\"") || at.starts_with("'''") {
            3
        } else {
            1
        };
        self.span.start as usize + quotes
    }
}

fn span_of<T>(s: &Spanned<T>) -> Span {
    Span::new(s.span().start, s.span().end)
}

fn text(s: &Spanned<String>) -> Text {
    Text {
        text: s.get_ref().clone(),
        span: span_of(s),
    }
}

struct Validator<'d> {
    file: FileId,
    diagnostics: &'d mut Vec<Diagnostic>,
}

impl Validator<'_> {
    fn error(&mut self, code: Code, span: Span, message: String) {
        self.diagnostics
            .push(Diagnostic::new(code, self.file, span, message));
    }

    fn spec(&mut self, raw: RawSpec) -> Option<Spec> {
        let pou = self.pou(&raw.pou)?;
        let cycle_ns = match &raw.scan {
            Some(scan) => self.duration(&scan.cycle).unwrap_or(10_000_000),
            None => 10_000_000,
        };
        if cycle_ns <= 0 {
            let span = raw
                .scan
                .as_ref()
                .map(|s| span_of(&s.cycle))
                .unwrap_or_default();
            self.error(
                Code::P002,
                span,
                "the scan cycle must be longer than zero".into(),
            );
        }
        let cycle_range_ns = self.cycle_range(raw.scan.as_ref(), cycle_ns);
        let assumptions = raw.assume.iter().map(|a| text(&a.expr)).collect();
        let properties = raw
            .property
            .iter()
            .filter_map(|p| self.property(p))
            .collect();
        let tests = raw
            .test
            .iter()
            .map(|t| self.test(t, &pou, cycle_ns))
            .collect();
        Some(Spec {
            pou,
            cycle_ns,
            cycle_range_ns,
            assumptions,
            properties,
            tests,
        })
    }

    /// `cycle_min` and `cycle_max`: positive, in order, around `cycle`.
    fn cycle_range(&mut self, scan: Option<&raw::RawScan>, cycle_ns: i128) -> (i128, i128) {
        // A cycle that is not positive is reported already.
        let Some(scan) = scan.filter(|_| cycle_ns > 0) else {
            return (cycle_ns, cycle_ns);
        };
        let mut bound = |value: &Option<Spanned<String>>| {
            value
                .as_ref()
                .and_then(|v| Some((self.duration(v)?, span_of(v))))
        };
        let (min, max) = (bound(&scan.cycle_min), bound(&scan.cycle_max));
        let range = (
            min.map_or(cycle_ns, |(ns, _)| ns),
            max.map_or(cycle_ns, |(ns, _)| ns),
        );
        let at = min.or(max).map_or(span_of(&scan.cycle), |(_, span)| span);
        if range.0 <= 0 || range.0 > cycle_ns || cycle_ns > range.1 {
            self.error(
                Code::P002,
                at,
                "`cycle_min` must be longer than zero and at most `cycle`, and `cycle_max` at \
                 least `cycle`"
                    .into(),
            );
        }
        range
    }

    fn pou(&mut self, raw: &raw::RawPou) -> Option<PouSpec> {
        let kind = match raw.kind.get_ref().as_str() {
            "function_block" => PouKind::FunctionBlock,
            "function" => PouKind::Function,
            "program" => PouKind::Program,
            other => {
                let message = format!(
                    "unknown POU kind `{other}`: expected `function_block`, `function` or `program`"
                );
                self.error(Code::P001, span_of(&raw.kind), message);
                return None;
            }
        };
        let name = text(&raw.name);
        if !is_identifier(&name.text) {
            let message = format!("`{}` is not an ST identifier", name.text);
            self.error(Code::P005, name.span, message);
        }
        let return_type = raw.return_type.as_ref().map(text);
        match (&return_type, kind) {
            (None, PouKind::Function) => {
                let message = "a function needs a `return_type`".to_string();
                self.error(Code::P005, name.span, message);
            }
            (Some(t), PouKind::FunctionBlock | PouKind::Program) => {
                let message = "only a function has a `return_type`".to_string();
                self.error(Code::P005, t.span, message);
            }
            _ => {}
        }
        let mut seen: Vec<Text> = Vec::new();
        let mut params = |list: &Params, v: &mut Self| {
            list.iter()
                .filter_map(|(name, param)| {
                    let name = text(name);
                    if !is_identifier(&name.text) {
                        let message = format!("`{}` is not an ST identifier", name.text);
                        v.error(Code::P005, name.span, message);
                    }
                    if let Some(first) = seen
                        .iter()
                        .find(|s| s.text.eq_ignore_ascii_case(&name.text))
                    {
                        let d = Diagnostic::new(
                            Code::P005,
                            v.file,
                            name.span,
                            format!("`{}` is declared more than once", name.text),
                        )
                        .with_secondary(
                            v.file,
                            first.span,
                            "first declared here",
                        );
                        v.diagnostics.push(d);
                    }
                    seen.push(name.clone());
                    let (ty, init, doc) = v.param(param)?;
                    Some(Param {
                        name,
                        ty,
                        init,
                        doc,
                    })
                })
                .collect::<Vec<_>>()
        };
        let inputs = params(&raw.inputs, self);
        let outputs = params(&raw.outputs, self);
        let in_outs = params(&raw.in_outs, self);
        Some(PouSpec {
            name,
            kind,
            return_type,
            description: raw.description.clone(),
            inputs,
            outputs,
            in_outs,
        })
    }

    /// A parameter's type, initial value and documentation: `"BOOL"` or
    /// `{ type = "BOOL", init = "TRUE", doc = "…" }`.
    fn param(
        &mut self,
        value: &Spanned<toml::Value>,
    ) -> Option<(Text, Option<Text>, Option<String>)> {
        let span = span_of(value);
        let at = |text: &str| Text {
            text: text.to_string(),
            span,
        };
        match value.get_ref() {
            toml::Value::String(ty) => Some((at(ty), None, None)),
            toml::Value::Table(t) => {
                let string = |key: &str| match t.get(key) {
                    Some(toml::Value::String(s)) => Ok(Some(s.clone())),
                    None => Ok(None),
                    Some(_) => Err(format!("`{key}` must be a string")),
                };
                let unknown = t
                    .keys()
                    .find(|k| !["type", "init", "doc"].contains(&k.as_str()));
                let fields = (string("type"), string("init"), string("doc"));
                match (unknown, fields) {
                    (None, (Ok(Some(ty)), Ok(init), Ok(doc))) => {
                        Some((at(&ty), init.as_deref().map(at), doc))
                    }
                    (Some(k), _) => {
                        let message =
                            format!("unknown key `{k}`: a parameter has `type`, `init` and `doc`");
                        self.error(Code::P001, span, message);
                        None
                    }
                    (None, (Ok(None), _, _)) => {
                        self.error(Code::P001, span, "a parameter table needs a `type`".into());
                        None
                    }
                    (None, (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e))) => {
                        self.error(Code::P001, span, e);
                        None
                    }
                }
            }
            _ => {
                let message = "a parameter is a type name (\"BOOL\") or a table { type = …, init = …, doc = … }".to_string();
                self.error(Code::P001, span, message);
                None
            }
        }
    }

    fn property(&mut self, raw: &raw::RawProperty) -> Option<Property> {
        let name = text(&raw.name);
        match (&raw.assert, &raw.when, &raw.then) {
            (Some(assert), None, None) if raw.within.is_none() => Some(Property::Invariant {
                name,
                assert: text(assert),
            }),
            (None, Some(when), Some(then)) => {
                let within = match &raw.within {
                    None => Within::Scans(0),
                    Some(w) => match w.get_ref() {
                        toml::Value::Integer(n) if *n >= 0 => Within::Scans(*n as u64),
                        toml::Value::String(s) => {
                            let spanned = Spanned::new(w.span(), s.clone());
                            Within::Time(self.duration(&spanned)?.max(0))
                        }
                        _ => {
                            let message = "`within` is a number of scans or a TIME literal such as \"T#500ms\"".to_string();
                            self.error(Code::P002, span_of(w), message);
                            return None;
                        }
                    },
                };
                Some(Property::Response {
                    name,
                    when: text(when),
                    then: text(then),
                    within,
                })
            }
            _ => {
                let message = format!(
                    "property `{}` needs either `assert`, or `when` and `then` (with an optional `within`)",
                    name.text
                );
                self.error(Code::P001, name.span, message);
                None
            }
        }
    }

    fn test(&mut self, raw: &raw::RawTest, pou: &PouSpec, cycle_ns: i128) -> Test {
        let steps = raw
            .steps
            .iter()
            .map(|step| {
                let s = step.get_ref();
                let set = s
                    .set
                    .iter()
                    .filter_map(|(name, value)| {
                        let param = self.variable(pou, name, Role::Set)?;
                        let value = self.value(&param.ty.text, value)?;
                        Some((text(name), value))
                    })
                    .collect();
                let wait_ns = s.wait.as_ref().and_then(|w| {
                    let ns = self.duration(w)?;
                    // A cycle of zero or less is reported at the cycle: no wait fits it.
                    let message = if ns < 0 {
                        Some("`wait` must not be negative".to_string())
                    } else if cycle_ns > 0 && ns % cycle_ns != 0 {
                        Some(format!(
                            "`wait` must be a multiple of the scan cycle ({} ms)",
                            cycle_ns as f64 / 1e6
                        ))
                    } else {
                        None
                    };
                    if let Some(message) = message {
                        self.error(Code::P002, span_of(w), message);
                    }
                    Some(ns)
                });
                let expect = s
                    .expect
                    .iter()
                    .filter_map(|(name, value)| {
                        let ty = match name.get_ref().as_str() {
                            "result" if pou.kind == PouKind::Function => {
                                pou.return_type.as_ref()?.text.clone()
                            }
                            _ => self.variable(pou, name, Role::Expect)?.ty.text.clone(),
                        };
                        let expected = self.expected(&ty, value)?;
                        Some((text(name), expected))
                    })
                    .collect();
                Step {
                    span: span_of(step),
                    set,
                    wait_ns,
                    expect,
                }
            })
            .collect();
        Test {
            name: text(&raw.name),
            steps,
        }
    }

    /// The interface variable a test step names, or P003.
    fn variable<'p>(
        &mut self,
        pou: &'p PouSpec,
        name: &Spanned<String>,
        role: Role,
    ) -> Option<&'p Param> {
        let allowed: Vec<&Param> = match role {
            Role::Set => pou.inputs.iter().chain(&pou.in_outs).collect(),
            Role::Expect => pou.outputs.iter().chain(&pou.in_outs).collect(),
        };
        let wanted = name.get_ref();
        if let Some(p) = allowed
            .iter()
            .find(|p| p.name.text.eq_ignore_ascii_case(wanted))
        {
            return Some(p);
        }
        let mut names: Vec<&str> = allowed.iter().map(|p| p.name.text.as_str()).collect();
        if role == Role::Expect && pou.kind == PouKind::Function {
            names.push("result");
        }
        let what = match role {
            Role::Set => "`set` takes the inputs and in-outs",
            Role::Expect => "`expect` takes the outputs and in-outs",
        };
        let d = Diagnostic::new(
            Code::P003,
            self.file,
            span_of(name),
            format!("`{wanted}` is not a variable this step can use: {what}"),
        )
        .with_help(if names.is_empty() {
            "the POU declares none".to_string()
        } else {
            format!("known here: {}", names.join(", "))
        });
        self.diagnostics.push(d);
        None
    }

    fn expected(&mut self, ty: &str, value: &Spanned<toml::Value>) -> Option<Expected> {
        if let toml::Value::Table(t) = value.get_ref() {
            let real = |v: Option<&toml::Value>| match v {
                Some(toml::Value::Float(f)) => Some(*f),
                Some(toml::Value::Integer(i)) => Some(*i as f64),
                _ => None,
            };
            let keys_ok = t.keys().all(|k| k == "approx" || k == "tol");
            return match (
                real(t.get("approx")),
                real(t.get("tol")),
                keys_ok,
                elem_of(ty),
            ) {
                (Some(value), Some(tol), true, Some(Elem::Real | Elem::LReal)) if tol >= 0.0 => {
                    Some(Expected::Approx { value, tol })
                }
                _ => {
                    let message = format!(
                        "an approximate expectation is `{{ approx = 1.5, tol = 0.01 }}` on a REAL or LREAL variable (this one is {ty})"
                    );
                    self.error(Code::P004, span_of(value), message);
                    None
                }
            };
        }
        self.value(ty, value).map(Expected::Exact)
    }

    /// A set or expected value, checked against the variable's declared type.
    fn value(&mut self, ty: &str, value: &Spanned<toml::Value>) -> Option<Value> {
        let elem = elem_of(ty);
        let string_type = is_string_type(ty);
        let v = value.get_ref();
        let result = match (elem, v) {
            (Some(Elem::Bool), toml::Value::Boolean(b)) => Ok(Value::Bool(*b)),
            (Some(e), toml::Value::Integer(i))
                if e.is_integer()
                    || e.category() == crate::sema::types::Category::Bit && e != Elem::Bool =>
            {
                let (lo, hi) = e.int_range().unwrap_or((i128::MIN, i128::MAX));
                if (*i as i128) < lo || (*i as i128) > hi {
                    Err(format!("{i} does not fit in {} ({lo}..{hi})", e.name()))
                } else {
                    Ok(Value::Int(*i as i128))
                }
            }
            (Some(Elem::Real | Elem::LReal), toml::Value::Float(f)) => Ok(Value::Real(*f)),
            (Some(Elem::Real | Elem::LReal), toml::Value::Integer(i)) => Ok(Value::Real(*i as f64)),
            (Some(Elem::Time | Elem::LTime), toml::Value::String(s)) => {
                let spanned = Spanned::new(value.span(), s.clone());
                return self.duration(&spanned).map(Value::Time);
            }
            (None, toml::Value::String(s)) if string_type => Ok(Value::Text(s.clone())),
            // Enumerations and other declared types: checked against the implementation.
            (None, toml::Value::String(s)) if !string_type && is_identifier(s) => {
                Ok(Value::Text(s.clone()))
            }
            (None, _) if !string_type && !is_identifier(ty) => Ok(Value::Text(v.to_string())),
            _ => Err(format!("{} is not a value of type {ty}", describe(v))),
        };
        match result {
            Ok(v) => Some(v),
            Err(message) => {
                self.error(Code::P004, span_of(value), message);
                None
            }
        }
    }

    /// A TIME literal written as a TOML string (`"T#1s500ms"`), in nanoseconds, or P002.
    fn duration(&mut self, s: &Spanned<String>) -> Option<i128> {
        match time_literal(s.get_ref()) {
            Ok(ns) => Some(ns),
            Err(why) => {
                let message = format!("`{}` is not a TIME literal: {why}", s.get_ref());
                self.error(Code::P002, span_of(s), message);
                None
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Set,
    Expect,
}

/// The nanoseconds of a TIME or LTIME literal such as `T#1h2m`, read by the ST lexer.
pub fn time_literal(text: &str) -> Result<i128, String> {
    let lexed = syntax::lex(FileId(0), text.trim());
    match (lexed.tokens.as_slice(), lexed.diagnostics.first()) {
        (_, Some(d)) => Err(d.message.clone()),
        ([token], None) if token.kind == TokenKind::Time => {
            let literal = &text.trim()[token.span.start..token.span.end];
            let body = literal.split_once('#').map(|(_, b)| b).unwrap_or("");
            literal::time_value(body)
        }
        _ => Err("expected a literal such as T#10ms or T#1h30m".into()),
    }
}

fn elem_of(ty: &str) -> Option<Elem> {
    Elem::from_name(&ty.trim().to_ascii_uppercase())
}

fn is_string_type(ty: &str) -> bool {
    let upper = ty.trim().to_ascii_uppercase();
    ["STRING", "WSTRING"].iter().any(|s| {
        upper == *s || upper.starts_with(&format!("{s}(")) || upper.starts_with(&format!("{s}["))
    })
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn describe(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => format!("the string \"{s}\""),
        toml::Value::Integer(i) => format!("the integer {i}"),
        toml::Value::Float(f) => format!("the number {f}"),
        toml::Value::Boolean(b) => format!("`{b}`"),
        toml::Value::Datetime(d) => format!("the date {d}"),
        toml::Value::Array(_) => "a list".into(),
        toml::Value::Table(_) => "a table".into(),
    }
}

impl Spec {
    /// The POU's declaration part as ST, written from the spec: the header and the VAR_INPUT,
    /// VAR_OUTPUT and VAR_IN_OUT blocks, each variable with its initial value and its doc as a
    /// line comment. The generator asks the model only for locals and the body; `stforge test`
    /// compares an implementation's interface with this one.
    pub fn interface_st(&self) -> String {
        let pou = &self.pou;
        let mut out = String::new();
        out.push_str(pou.kind.keyword());
        out.push(' ');
        out.push_str(&pou.name.text);
        if let Some(ret) = &pou.return_type {
            out.push_str(" : ");
            out.push_str(&ret.text);
        }
        out.push('\n');
        for (keyword, params) in [
            ("VAR_INPUT", &pou.inputs),
            ("VAR_OUTPUT", &pou.outputs),
            ("VAR_IN_OUT", &pou.in_outs),
        ] {
            if params.is_empty() {
                continue;
            }
            out.push_str(keyword);
            out.push('\n');
            for p in params {
                out.push_str(&format!("    {} : {}", p.name.text, p.ty.text));
                if let Some(init) = &p.init {
                    out.push_str(&format!(" := {}", init.text));
                }
                out.push(';');
                if let Some(doc) = &p.doc {
                    // A line comment, on one line: no text can end it early.
                    let words: Vec<&str> = doc.split_whitespace().collect();
                    out.push_str(&format!(" // {}", words.join(" ")));
                }
                out.push('\n');
            }
            out.push_str("END_VAR\n");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = r#"
[pou]
name = "MotorLatch"
kind = "function_block"
[pou.inputs]
Start = "BOOL"
StopNC = { type = "BOOL", init = "TRUE", doc = """normally closed (*NC*)
stop button""" }
[pou.outputs]
Motor = "BOOL"
[scan]
cycle = "T#20ms"
[[property]]
name = "latch"
when = "Start"
then = "Motor"
within = "T#40ms"
[[test]]
name = "start"
steps = [ { set = { Start = true }, wait = "T#100ms", expect = { Motor = true } } ]
"#;

    #[test]
    fn loads_the_model() {
        let (spec, diagnostics) = load(FileId(0), SPEC);
        assert_eq!(diagnostics, vec![]);
        let spec = spec.expect("a valid spec");
        assert_eq!(spec.cycle_ns, 20_000_000);
        assert_eq!(
            spec.pou.inputs[1].init.as_ref().map(|t| t.text.as_str()),
            Some("TRUE")
        );
        assert!(matches!(
            &spec.properties[0],
            Property::Response {
                within: Within::Time(40_000_000),
                ..
            }
        ));
        let step = &spec.tests[0].steps[0];
        assert_eq!(step.wait_ns, Some(100_000_000));
        assert_eq!(step.set[0].1, Value::Bool(true));
        assert_eq!(step.expect[0].1, Expected::Exact(Value::Bool(true)));
    }

    #[test]
    fn writes_the_interface_as_st() {
        let (spec, _) = load(FileId(0), SPEC);
        let st = spec.expect("a valid spec").interface_st();
        assert_eq!(
            st,
            "FUNCTION_BLOCK MotorLatch\nVAR_INPUT\n    Start : BOOL;\n    StopNC : BOOL := TRUE; // normally closed (*NC*) stop button\nEND_VAR\nVAR_OUTPUT\n    Motor : BOOL;\nEND_VAR\n"
        );
        let parsed = syntax::parse(FileId(0), &format!("{st}END_FUNCTION_BLOCK\n"));
        assert_eq!(parsed.diagnostics, vec![]);
    }

    #[test]
    fn time_literals() {
        assert_eq!(time_literal("T#1h2m"), Ok(3_720_000_000_000));
        assert_eq!(time_literal("LTIME#5ms"), Ok(5_000_000));
        assert!(time_literal("5ms").is_err());
        assert!(time_literal("T#5x").is_err());
        assert!(time_literal("T#1s T#2s").is_err());
    }
}
