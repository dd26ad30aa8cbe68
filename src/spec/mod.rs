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
pub mod types;
pub mod values;

use crate::diagnostics::{Code, Diagnostic};
use crate::sema::types::Elem;
use crate::source::{FileId, Span};
use crate::syntax::{self, literal, token::TokenKind};
use indexmap::IndexMap;
use raw::{Params, RawSpec, RawValue};
use toml::Spanned;
pub use types::Types;

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
    /// The derived types the interface uses, as ST (`types`).
    pub types: Option<Types>,
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
    Invariant {
        name: Text,
        assert: Text,
        description: Option<String>,
    },
    /// `when` … `then`, at most `within` later.
    Response {
        name: Text,
        when: Text,
        then: Text,
        within: Within,
        description: Option<String>,
    },
}

impl Property {
    pub fn name(&self) -> &Text {
        match self {
            Property::Invariant { name, .. } | Property::Response { name, .. } => name,
        }
    }

    /// What the property means, in the engineer's words (`description`), if given.
    pub fn description(&self) -> Option<&str> {
        match self {
            Property::Invariant { description, .. } | Property::Response { description, .. } => {
                description.as_deref()
            }
        }
    }
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
    /// What the test shows, in the engineer's words.
    pub description: Option<String>,
    pub steps: Vec<Step>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub span: Span,
    /// Inputs to set before the step's first scan.
    pub set: Vec<(Text, Value)>,
    /// Further simulated time after the first scan, in nanoseconds: the step's `wait`, or
    /// what its `at` leaves after the step's first scan.
    pub wait_ns: Option<i128>,
    /// The step's `at`: the time since the test's first scan at which the step's last scan
    /// runs, in nanoseconds.
    pub at_ns: Option<i128>,
    /// The variables to compare after the step's last scan: an interface variable, or any
    /// variable of the POU's instance a property may name (a local, `Timer1.Q`), resolved
    /// against the implementation.
    pub expect: Vec<(Text, Expected)>,
}

/// A value in a test step, checked against the variable's type (against the implementation's
/// type where the spec does not declare the variable, or does not say what a named type is).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Bool(bool),
    Int(i128),
    Real(f64),
    /// A duration or time of day, in nanoseconds.
    Time(i128),
    /// A string, the name of an enumeration value, or a TIME literal not yet read (for a
    /// variable whose type the implementation says).
    Text(String),
    /// An array's elements in order (a TOML array; a dimension after the first is an array
    /// inside).
    Array(Vec<Element>),
    /// A structure's (or function block instance's) fields by name (a TOML inline table):
    /// the fields named are set or compared, the others left alone.
    Struct(Vec<(Text, Element)>),
}

/// A value inside an array or structure, and where it is written.
#[derive(Clone, Debug, PartialEq)]
pub struct Element {
    pub value: Value,
    pub span: Span,
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
    let types = raw.types.as_ref().map(self::text);
    let spec = Validator {
        file,
        diagnostics: &mut diagnostics,
    }
    .spec(raw);
    let types = types.and_then(|t| types::load(file, text, &t, &mut diagnostics));
    let spec = spec.map(|spec| Spec { types, ..spec });
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
            types: None,
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
        let description = raw.description.clone();
        match (&raw.assert, &raw.when, &raw.then) {
            (Some(assert), None, None) if raw.within.is_none() => Some(Property::Invariant {
                name,
                assert: text(assert),
                description,
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
                    description,
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
        // The scans the test has run before each step: an `at` is measured from the first.
        let mut scans_before: i128 = 0;
        let steps = raw
            .steps
            .iter()
            .map(|step| {
                let s = step.get_ref();
                let set = s
                    .set
                    .iter()
                    .filter_map(|(name, value)| {
                        let param = self.settable(pou, name)?;
                        let value = self.value(Some(&param.ty.text), value)?;
                        Some((text(name), value))
                    })
                    .collect();
                let wait_ns = s.wait.as_ref().and_then(|w| self.wait(w, cycle_ns));
                let at_ns = s.at.as_ref().and_then(|at| {
                    let first_scan_ns = scans_before.saturating_mul(cycle_ns);
                    self.at(at, s.wait.is_some(), cycle_ns, first_scan_ns)
                });
                let wait_ns = match at_ns {
                    Some(at) => Some(at - scans_before.saturating_mul(cycle_ns)),
                    None => wait_ns,
                };
                if cycle_ns > 0 {
                    let more = wait_ns.unwrap_or(0).max(0) / cycle_ns;
                    scans_before = scans_before.saturating_add(1).saturating_add(more);
                }
                let expect = s
                    .expect
                    .iter()
                    .filter_map(|(name, value)| {
                        let ty = self.expected_type(pou, name)?;
                        let expected = self.expected(ty.as_deref(), value)?;
                        Some((text(name), expected))
                    })
                    .collect();
                Step {
                    span: span_of(step),
                    set,
                    wait_ns,
                    at_ns,
                    expect,
                }
            })
            .collect();
        Test {
            name: text(&raw.name),
            description: raw.description.clone(),
            steps,
        }
    }

    /// A step's `wait`: a duration, a multiple of the scan cycle, or P002.
    fn wait(&mut self, w: &Spanned<String>, cycle_ns: i128) -> Option<i128> {
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
    }

    /// A step's `at`: the time since the test's first scan (which runs at T#0s) at which the
    /// step's last scan runs — a whole number of cycles, not before the step's first scan
    /// (`first_scan_ns`), and not with a `wait` — or P002.
    fn at(
        &mut self,
        at: &Spanned<String>,
        has_wait: bool,
        cycle_ns: i128,
        first_scan_ns: i128,
    ) -> Option<i128> {
        let ns = self.duration(at)?;
        let ms = |ns: i128| literal_ms(ns);
        let message = if has_wait {
            "a step has either `at` (a time since the test started) or `wait` (a time after \
             the step's first scan), not both"
                .to_string()
        } else if cycle_ns <= 0 {
            // Reported at the cycle.
            return None;
        } else if ns % cycle_ns != 0 {
            format!(
                "`at` must be a multiple of the scan cycle ({})",
                ms(cycle_ns)
            )
        } else if ns < first_scan_ns {
            format!(
                "`at` = {} is before this step's first scan, which runs at {}: the steps \
                 before it end there",
                at.get_ref().trim(),
                ms(first_scan_ns)
            )
        } else {
            return Some(ns);
        };
        self.error(Code::P002, span_of(at), message);
        None
    }

    /// The type text of a variable an `expect` names: the spec's, for an input, output or
    /// in-out of the interface (or `result`); `Some(None)` for another variable of the POU's
    /// instance (a local, `Timer1.Q`), whose type the implementation says; P003 for a name
    /// that cannot be a variable.
    fn expected_type(&mut self, pou: &PouSpec, name: &Spanned<String>) -> Option<Option<String>> {
        let wanted = name.get_ref();
        if wanted == "result" && pou.kind == PouKind::Function {
            return Some(pou.return_type.as_ref().map(|t| t.text.clone()));
        }
        let declared = pou
            .inputs
            .iter()
            .chain(&pou.outputs)
            .chain(&pou.in_outs)
            .find(|p| p.name.text.eq_ignore_ascii_case(wanted));
        if let Some(param) = declared {
            return Some(Some(param.ty.text.clone()));
        }
        if is_variable_path(wanted) {
            return Some(None);
        }
        let d = Diagnostic::new(
            Code::P003,
            self.file,
            span_of(name),
            format!(
                "`{wanted}` is not a variable name: `expect` takes a variable of the POU, \
                 such as `Motor`, `Count`, `Timer1.Q` or `Values[2]`"
            ),
        );
        self.diagnostics.push(d);
        None
    }

    /// The input or in-out a step's `set` names, or P003.
    fn settable<'p>(&mut self, pou: &'p PouSpec, name: &Spanned<String>) -> Option<&'p Param> {
        let allowed: Vec<&Param> = pou.inputs.iter().chain(&pou.in_outs).collect();
        let wanted = name.get_ref();
        if let Some(p) = allowed
            .iter()
            .find(|p| p.name.text.eq_ignore_ascii_case(wanted))
        {
            return Some(p);
        }
        let names: Vec<&str> = allowed.iter().map(|p| p.name.text.as_str()).collect();
        let d = Diagnostic::new(
            Code::P003,
            self.file,
            span_of(name),
            format!(
                "`{wanted}` is not a variable this step can use: `set` takes the inputs and \
                 in-outs"
            ),
        )
        .with_help(if names.is_empty() {
            "the POU declares none".to_string()
        } else {
            format!("known here: {}", names.join(", "))
        });
        self.diagnostics.push(d);
        None
    }

    fn expected(&mut self, ty: Option<&str>, value: &Spanned<RawValue>) -> Option<Expected> {
        if let RawValue::Table(t) = value.get_ref() {
            let is_approx = t.keys().any(|k| k == "approx");
            let elem = ty.and_then(elem_of);
            let real_or_unknown = match ty {
                Some(_) => matches!(elem, Some(Elem::Real | Elem::LReal)),
                None => true,
            };
            // A table on a REAL, or one with `approx` on a variable the spec does not type,
            // is an approximate expectation; any other table is a structure's fields.
            if matches!(elem, Some(Elem::Real | Elem::LReal)) || (ty.is_none() && is_approx) {
                let real = |key: &str| {
                    t.iter()
                        .find(|(k, _)| *k == key)
                        .and_then(|(_, v)| match v.get_ref() {
                            RawValue::Float(f) => Some(*f),
                            RawValue::Integer(i) => Some(*i as f64),
                            _ => None,
                        })
                };
                let keys_ok = t.keys().all(|k| k == "approx" || k == "tol");
                return match (real("approx"), real("tol"), keys_ok) {
                    (Some(value), Some(tol), true) if tol >= 0.0 && real_or_unknown => {
                        Some(Expected::Approx { value, tol })
                    }
                    _ => {
                        let message = format!(
                            "an approximate expectation is `{{ approx = 1.5, tol = 0.01 }}` on a REAL or LREAL variable (this one is {})",
                            ty.unwrap_or("declared in the implementation")
                        );
                        self.error(Code::P004, span_of(value), message);
                        None
                    }
                };
            }
        }
        self.value(ty, value).map(Expected::Exact)
    }

    /// A set or expected value, checked against the variable's declared type where the spec
    /// says it (`None`: the implementation says it, and the value is checked there).
    fn value(&mut self, ty: Option<&str>, value: &Spanned<RawValue>) -> Option<Value> {
        let span = span_of(value);
        let result = match (ty, value.get_ref()) {
            (_, RawValue::Array(items)) => return self.array(ty, items, span),
            (_, RawValue::Table(fields)) => return self.structure(ty, fields, span),
            (None, RawValue::Bool(b)) => Ok(Value::Bool(*b)),
            (None, RawValue::Integer(i)) => Ok(Value::Int(*i as i128)),
            (None, RawValue::Float(f)) => Ok(Value::Real(*f)),
            (None, RawValue::String(s)) => Ok(Value::Text(s.clone())),
            (Some(ty), v) => self.scalar(ty, v, value.span()),
        };
        match result {
            Ok(v) => Some(v),
            Err(Some(message)) => {
                self.error(Code::P004, span, message);
                None
            }
            Err(None) => None,
        }
    }

    /// A scalar value of the type the spec writes as `ty`; the error is why not (`None`: a
    /// diagnostic of its own is reported already).
    fn scalar(
        &mut self,
        ty: &str,
        v: &RawValue,
        at: std::ops::Range<usize>,
    ) -> Result<Value, Option<String>> {
        let elem = elem_of(ty);
        let string_type = is_string_type(ty);
        match (elem, v) {
            (Some(Elem::Bool), RawValue::Bool(b)) => Ok(Value::Bool(*b)),
            (Some(e), RawValue::Integer(i))
                if e.is_integer()
                    || e.category() == crate::sema::types::Category::Bit && e != Elem::Bool =>
            {
                let (lo, hi) = e.int_range().unwrap_or((i128::MIN, i128::MAX));
                if (*i as i128) < lo || (*i as i128) > hi {
                    Err(Some(format!(
                        "{i} does not fit in {} ({lo}..{hi})",
                        e.name()
                    )))
                } else {
                    Ok(Value::Int(*i as i128))
                }
            }
            (Some(Elem::Real | Elem::LReal), RawValue::Float(f)) => Ok(Value::Real(*f)),
            (Some(Elem::Real | Elem::LReal), RawValue::Integer(i)) => Ok(Value::Real(*i as f64)),
            (Some(Elem::Time | Elem::LTime), RawValue::String(s)) => {
                let spanned = Spanned::new(at, s.clone());
                // The duration's own diagnostic (P002) says why.
                self.duration(&spanned).map(Value::Time).ok_or(None)
            }
            (None, RawValue::String(s)) if string_type => Ok(Value::Text(s.clone())),
            // Enumerations and other declared types: checked against the implementation.
            (None, RawValue::String(s)) if !string_type && is_identifier(s) => {
                Ok(Value::Text(s.clone()))
            }
            // A type the spec writes in a way this check does not read (a subrange): the
            // implementation's type decides.
            (None, RawValue::Bool(b)) if !string_type && !is_identifier(ty) => Ok(Value::Bool(*b)),
            (None, RawValue::Integer(i)) if !string_type && !is_identifier(ty) => {
                Ok(Value::Int(*i as i128))
            }
            (None, RawValue::Float(f)) if !string_type && !is_identifier(ty) => Ok(Value::Real(*f)),
            _ => Err(Some(format!("{} is not a value of type {ty}", describe(v)))),
        }
    }

    /// A TOML array as the value of an array: for a type the spec writes as
    /// `ARRAY[lo..hi, …] OF T` with literal bounds, each element checked against `T` and the
    /// count against the bounds (one dimension per level of nesting); otherwise the
    /// implementation's type checks it.
    fn array(
        &mut self,
        ty: Option<&str>,
        items: &[Spanned<RawValue>],
        span: Span,
    ) -> Option<Value> {
        let shape = match ty {
            None => None,
            Some(ty) => match array_shape(ty) {
                Some(shape) => Some(shape),
                None if is_identifier(ty) && elem_of(ty).is_none() => None,
                None => {
                    let message = format!("a list is not a value of type {ty}");
                    self.error(Code::P004, span, message);
                    return None;
                }
            },
        };
        if let Some(ArrayShape {
            len: Some(len),
            dims,
            ..
        }) = &shape
        {
            if items.len() < *len {
                let message = format!(
                    "{} has {len} elements ([{dims}]), this list {}",
                    ty.unwrap_or_default(),
                    count(items.len())
                );
                self.error(Code::P004, span, message);
            } else if let Some(extra) = items.get(*len) {
                let message = format!(
                    "{} has {len} elements ([{dims}]): this one is element {} of the list",
                    ty.unwrap_or_default(),
                    len + 1
                );
                self.error(Code::P004, span_of(extra), message);
            }
        }
        let elem_ty = shape.as_ref().map(|s| s.elem.as_str());
        let mut ok = true;
        let elements = items
            .iter()
            .filter_map(|item| {
                let value = self.value(elem_ty, item);
                ok &= value.is_some();
                Some(Element {
                    value: value?,
                    span: span_of(item),
                })
            })
            .collect();
        ok.then_some(Value::Array(elements))
    }

    /// An inline table as the value of a structure (or instance): its fields by name, checked
    /// against the implementation's type. A type the spec writes as an elementary type, a
    /// string or an array takes no table.
    fn structure(
        &mut self,
        ty: Option<&str>,
        fields: &IndexMap<String, Spanned<RawValue>>,
        span: Span,
    ) -> Option<Value> {
        if let Some(ty) = ty.filter(|ty| !is_identifier(ty) || elem_of(ty).is_some()) {
            let message = format!("a table is not a value of type {ty}");
            self.error(Code::P004, span, message);
            return None;
        }
        let mut ok = true;
        let fields = fields
            .iter()
            .filter_map(|(name, value)| {
                let v = self.value(None, value);
                ok &= v.is_some();
                let name = Text {
                    text: name.clone(),
                    span: span_of(value),
                };
                Some((
                    name,
                    Element {
                        value: v?,
                        span: span_of(value),
                    },
                ))
            })
            .collect();
        ok.then_some(Value::Struct(fields))
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

fn describe(v: &RawValue) -> String {
    match v {
        RawValue::String(s) => format!("the string \"{s}\""),
        RawValue::Integer(i) => format!("the integer {i}"),
        RawValue::Float(f) => format!("the number {f}"),
        RawValue::Bool(b) => format!("`{b}`"),
        RawValue::Array(_) => "a list".into(),
        RawValue::Table(_) => "a table".into(),
    }
}

/// `1 element`, `no element`, `3 elements`: how many a list has.
fn count(n: usize) -> String {
    match n {
        0 => "has none".to_string(),
        1 => "has 1".to_string(),
        n => format!("has {n}"),
    }
}

/// A duration for messages: `T#1s20ms`.
fn literal_ms(ns: i128) -> String {
    crate::ir::literal::time(Elem::Time, ns)
}

/// Whether a name can be a variable of the POU's instance: `Count`, `Timer1.Q`, `Values[2]`,
/// `Recipe[1].Speed` (identifiers joined by dots, each with optional integer subscripts).
fn is_variable_path(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').all(|part| {
            let (name, subscript) = match part.split_once('[') {
                Some((name, rest)) => (name, rest.strip_suffix(']')),
                None => (part, Some("")),
            };
            is_identifier(name)
                && subscript.is_some_and(|sub| {
                    sub.is_empty()
                        || sub
                            .split(',')
                            .all(|i| i.trim().trim_start_matches('-').parse::<u64>().is_ok())
                })
        })
}

/// The first dimension of an array type the spec writes as `ARRAY[…] OF T`.
struct ArrayShape {
    /// How many elements it has, when its bounds are literals.
    len: Option<usize>,
    /// Its bounds as written (`1..3`).
    dims: String,
    /// The type of its elements: `T`, or the array of the remaining dimensions.
    elem: String,
}

fn array_shape(ty: &str) -> Option<ArrayShape> {
    use syntax::ast::{ArrayDim, Expr, ExprKind, LiteralKind, TypeSpecKind, UnaryOp};
    let parsed = interface::parse_type(ty)?;
    let TypeSpecKind::Array { dims, element } = &interface::type_spec(&parsed)?.kind else {
        return None;
    };
    let slice = |from: Span, to: Span| {
        let at = interface::TYPE_AT as u32;
        ty.get(from.start.checked_sub(at)? as usize..to.end.checked_sub(at)? as usize)
    };
    fn int(e: &Expr) -> Option<i128> {
        match &e.kind {
            ExprKind::Literal(l) if l.kind == LiteralKind::Integer => {
                i128::try_from(literal::integer_value(&l.text).ok()?).ok()
            }
            ExprKind::Unary {
                op: UnaryOp::Neg,
                operand,
            } => int(operand).map(|i| -i),
            _ => None,
        }
    }
    let dim_span = |d: &ArrayDim| match d {
        ArrayDim::Range(lo, hi) => (lo.span, hi.span),
        ArrayDim::Star(span) => (*span, *span),
    };
    let (len, dims_text) = match dims.first()? {
        ArrayDim::Range(lo, hi) => (
            int(lo).zip(int(hi)).map(|(lo, hi)| {
                usize::try_from(hi.saturating_sub(lo).saturating_add(1)).unwrap_or(0)
            }),
            slice(lo.span, hi.span)?.to_string(),
        ),
        ArrayDim::Star(_) => (None, "*".to_string()),
    };
    let elem_text = slice(element.span, element.span)?;
    let elem = match (dims.get(1), dims.last()) {
        (Some(second), Some(last)) => format!(
            "ARRAY[{}] OF {elem_text}",
            slice(dim_span(second).0, dim_span(last).1)?
        ),
        _ => elem_text.to_string(),
    };
    Some(ArrayShape {
        len,
        dims: dims_text,
        elem,
    })
}

impl Spec {
    /// The POU's declaration part as ST, written from the spec: its `types`, the header and the VAR_INPUT,
    /// VAR_OUTPUT and VAR_IN_OUT blocks, each variable with its initial value and its doc as a
    /// line comment. The generator asks the model only for locals and the body; `stforge test`
    /// compares an implementation's interface with this one.
    pub fn interface_st(&self) -> String {
        let pou = &self.pou;
        let mut out = String::new();
        // The spec's types first, so the file the generator completes declares them.
        if let Some(types) = &self.types {
            out.push_str(types.text.text.trim());
            out.push_str("\n\n");
        }
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

    /// `CODE@line:column` of each diagnostic of a spec.
    fn positions(spec: &str) -> Vec<String> {
        let mut files = crate::source::SourceMap::default();
        let id = files.add(
            "x.spec.toml".into(),
            spec.into(),
            crate::source::Encoding::Utf8,
        );
        load(id, spec)
            .1
            .iter()
            .map(|d| {
                let j = crate::diagnostics::render::to_json(d, &files);
                format!("{}@{}:{}", j.code, j.line, j.column)
            })
            .collect()
    }

    const HEADER: &str = r#"[pou]
name = "Fill"
kind = "function_block"
[pou.inputs]
Go = "BOOL"
Table = "ARRAY[1..3] OF INT"
Grid = "ARRAY[1..2, 0..1] OF BOOL"
[pou.outputs]
Done = "BOOL"
[scan]
cycle = "T#10ms"
"#;

    #[test]
    fn at_is_the_time_since_the_test_began() {
        let spec = format!(
            r#"{HEADER}[[test]]
name = "t"
description = "at"
steps = [
  {{ set = {{ Go = true }} }},
  {{ at = "T#1s" }},
  {{ wait = "T#20ms" }},
  {{ at = "T#2s" }},
]
"#
        );
        let (model, diagnostics) = load(FileId(0), &spec);
        assert_eq!(diagnostics, vec![]);
        let test = &model.expect("a valid spec").tests[0];
        assert_eq!(test.description.as_deref(), Some("at"));
        // Scan 1 at T#0s; step 2 starts at T#10ms and ends at T#1s; step 3 runs T#1s10ms to
        // T#1s30ms; step 4 starts at T#1s40ms.
        let waits: Vec<_> = test.steps.iter().map(|s| (s.wait_ns, s.at_ns)).collect();
        assert_eq!(
            waits,
            vec![
                (None, None),
                (Some(990_000_000), Some(1_000_000_000)),
                (Some(20_000_000), None),
                (Some(960_000_000), Some(2_000_000_000)),
            ]
        );
    }

    #[test]
    fn mistakes_in_at_are_p002_at_the_value() {
        let spec = format!(
            r#"{HEADER}[[test]]
name = "t"
steps = [
  {{ at = "T#1s" }},
  {{ at = "T#500ms" }},
  {{ at = "T#2s5ms" }},
  {{ at = "T#3s", wait = "T#10ms" }},
  {{ at = "3s" }},
]
"#
        );
        assert_eq!(
            positions(&spec),
            vec!["P002@16:10", "P002@17:10", "P002@18:10", "P002@19:10"]
        );
    }

    #[test]
    fn array_values_are_checked_element_by_element() {
        let spec = format!(
            r#"{HEADER}[[test]]
name = "t"
steps = [ {{ set = {{ Table = [1, -2, 3], Grid = [[true, false], [false, true]] }} }} ]
"#
        );
        let (model, diagnostics) = load(FileId(0), &spec);
        assert_eq!(diagnostics, vec![]);
        let step = &model.expect("a valid spec").tests[0].steps[0];
        let Value::Array(items) = &step.set[0].1 else {
            panic!("{:?}", step.set[0].1)
        };
        let values: Vec<&Value> = items.iter().map(|e| &e.value).collect();
        assert_eq!(
            values,
            vec![&Value::Int(1), &Value::Int(-2), &Value::Int(3)]
        );
        let spec = format!(
            r#"{HEADER}[[test]]
name = "t"
steps = [
  {{ set = {{ Table = [1, true, 3] }} }},
  {{ set = {{ Table = [1, 2] }} }},
  {{ set = {{ Table = [1, 2, 3, 4] }} }},
  {{ set = {{ Grid = [[true, false], [false, 1]] }} }},
  {{ set = {{ Go = [true], Table = {{ X = 1 }} }} }},
]
"#
        );
        assert_eq!(
            positions(&spec),
            vec![
                "P004@15:25",
                "P004@16:21",
                "P004@17:31",
                "P004@18:44",
                "P004@19:18",
                "P004@19:34",
            ]
        );
    }

    #[test]
    fn expect_takes_any_variable_name_and_descriptions_are_kept() {
        let spec = format!(
            r#"{HEADER}[[property]]
name = "p"
description = "Done only when asked."
assert = "Go OR NOT Done"
[[test]]
name = "t"
steps = [
  {{ expect = {{ Count = 3, "Timer1.Q" = true, Go = false, Pos = {{ X = 1 }} }} }},
  {{ expect = {{ "2x" = 1, "a b" = 2 }} }},
]
"#
        );
        assert_eq!(positions(&spec), vec!["P003@20:16", "P003@20:26"]);
        let spec = spec.replace("  { expect = { \"2x\" = 1, \"a b\" = 2 } },\n", "");
        let (model, diagnostics) = load(FileId(0), &spec);
        assert_eq!(diagnostics, vec![]);
        let model = model.expect("a valid spec");
        assert_eq!(
            model.properties[0].description(),
            Some("Done only when asked.")
        );
        let names: Vec<&str> = model.tests[0].steps[0]
            .expect
            .iter()
            .map(|(n, _)| n.text.as_str())
            .collect();
        assert_eq!(names, vec!["Count", "Timer1.Q", "Go", "Pos"]);
    }

    #[test]
    fn types_are_st_in_the_spec_and_head_the_interface() {
        let spec = "types = '''\nTYPE Point : STRUCT X : INT; Y : BOOL; END_STRUCT; END_TYPE\n'''\n\
                    [pou]\nname = \"P\"\nkind = \"program\"\n[pou.inputs]\nAt = \"Point\"\n";
        let (model, diagnostics) = load(FileId(0), spec);
        assert_eq!(diagnostics, vec![]);
        assert_eq!(
            model.expect("a valid spec").interface_st(),
            "TYPE Point : STRUCT X : INT; Y : BOOL; END_STRUCT; END_TYPE\n\n\
             PROGRAM P\nVAR_INPUT\n    At : Point;\nEND_VAR\n"
        );
        // A syntax error is reported where it stands in the spec; a POU is not a type.
        let bad = "types = \"\"\"\nTYPE Point : STRUCT X : INT END_STRUCT; END_TYPE\n\
                   FUNCTION F : INT\nEND_FUNCTION\n\"\"\"\n[pou]\nname = \"P\"\nkind = \"program\"\n";
        let found = positions(bad);
        assert!(found.contains(&"P005@3:1".to_string()), "{found:?}");
        assert!(
            found
                .iter()
                .any(|p| p.starts_with('S') && p.ends_with("@2:28")),
            "{found:?}"
        );
        let escaped =
            "types = \"TYPE T : INT; END_TYPE\\n\"\n[pou]\nname = \"P\"\nkind = \"program\"\n";
        assert_eq!(positions(escaped), vec!["P001@1:9"]);
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
