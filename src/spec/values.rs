//! Spec values to run-time values. The spec loader checked each value against the type the spec
//! declares; here it meets the type the implementation's variable has in the IR, which decides
//! its run-time form (an enumeration value's number, a REAL's precision). Initial values in the
//! spec are ST literal text (`TRUE`, `T#5s`, `1.5`, `E_Mode#Run`); they are read into spec
//! values first, so one conversion serves steps and initial values alike.
//!
//! An array or structure value becomes its scalars ([`leaves`]): each element or field the
//! spec gives, at its place inside the variable, so the simulator writes and compares slots
//! and a failed expectation names the element that differs (`Values[2]`, `Recipe.Speed`).

use crate::ir::literal::unwrap_in_out;
use crate::ir::{Program, Ty};
use crate::sema::types::{Category, Elem};
use crate::source::Span;
use crate::spec;
use crate::syntax::literal;
use crate::value::{Value, fit};

/// A spec value as the run-time value of a variable of type `ty`; the error says why not.
pub fn to_value(v: &spec::Value, ty: &Ty) -> Result<Value, String> {
    match (unwrap_in_out(ty), v) {
        (Ty::Elem(e), v) => elementary(*e, v),
        (Ty::Enum { base, values }, spec::Value::Text(name)) => {
            // `Run`, `E_Mode#Run` and `E_Mode.Run` all name the value `Run`.
            let bare = name.rsplit(['#', '.']).next().unwrap_or(name);
            values
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(bare))
                .map(|(_, i)| Value::Int(*base, *i))
                .ok_or_else(|| {
                    let names: Vec<&str> = values.iter().map(|(n, _)| n.as_str()).collect();
                    format!(
                        "`{name}` is not a value of this enumeration ({})",
                        names.join(", ")
                    )
                })
        }
        (Ty::String { .. }, spec::Value::Text(s)) => Ok(Value::String(s.clone())),
        (ty, v) => Err(format!("{} is not a value of {}", describe(v), shape(ty))),
    }
}

fn elementary(e: Elem, v: &spec::Value) -> Result<Value, String> {
    let category = e.category();
    match v {
        spec::Value::Bool(b) if e == Elem::Bool => Ok(Value::Bool(*b)),
        spec::Value::Int(i) if e.int_range().is_some() && e != Elem::Bool => {
            fit(e, *i, false).map_err(|_| format!("{i} does not fit in {}", e.name()))
        }
        spec::Value::Int(i) if category == Category::Real => Ok(real(e, *i as f64)),
        spec::Value::Real(x) if category == Category::Real => Ok(real(e, *x)),
        spec::Value::Time(ns) if matches!(category, Category::Duration | Category::Date) => {
            Ok(Value::Time(e, *ns))
        }
        // A duration for a variable the spec does not type, read now that its type is known.
        spec::Value::Text(s) if category == Category::Duration => spec::time_literal(s)
            .map(|ns| Value::Time(e, ns))
            .map_err(|why| format!("\"{s}\" is not a value of {}: {why}", e.name())),
        v => Err(format!("{} is not a value of {}", describe(v), e.name())),
    }
}

/// A REAL is held in single precision, as the simulator computes it.
fn real(e: Elem, x: f64) -> Value {
    match e {
        Elem::Real => Value::Real(e, x as f32 as f64),
        _ => Value::Real(e, x),
    }
}

/// Reads an ST literal (a spec parameter's `init`) as the spec value it denotes for a variable
/// of type `ty`: `TRUE`, `-3`, `16#FF`, `INT#5`, `1.5`, `T#5s`, `'text'`, `E_Mode#Run`.
pub fn literal_value(text: &str, ty: &Ty) -> Result<spec::Value, String> {
    let text = text.trim();
    let not = || format!("`{text}` is not a literal of {}", shape(ty));
    match unwrap_in_out(ty) {
        Ty::Elem(e) => {
            let category = e.category();
            if matches!(category, Category::Duration | Category::Date) {
                return spec::time_literal(text).map(spec::Value::Time);
            }
            let body = strip_type_prefix(text);
            match category {
                _ if *e == Elem::Bool => match body.to_ascii_uppercase().as_str() {
                    "TRUE" | "1" => Ok(spec::Value::Bool(true)),
                    "FALSE" | "0" => Ok(spec::Value::Bool(false)),
                    _ => Err(not()),
                },
                Category::Real => body
                    .replace('_', "")
                    .parse::<f64>()
                    .map(spec::Value::Real)
                    .map_err(|_| not()),
                _ => integer(body).map(spec::Value::Int).ok_or_else(not),
            }
        }
        Ty::Enum { .. } => Ok(spec::Value::Text(text.to_string())),
        Ty::String { .. } => quoted(text).map(spec::Value::Text).ok_or_else(not),
        _ => Err(not()),
    }
}

/// `INT#5` → `5`; `16#FF` stays (a number base is not a type name).
fn strip_type_prefix(text: &str) -> &str {
    match text.split_once('#') {
        Some((prefix, rest))
            if prefix.starts_with(|c: char| c.is_ascii_alphabetic())
                && Elem::from_name(&prefix.to_ascii_uppercase()).is_some() =>
        {
            rest
        }
        _ => text,
    }
}

/// A signed integer literal in any base the standard allows.
fn integer(text: &str) -> Option<i128> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let magnitude = i128::try_from(literal::integer_value(digits).ok()?).ok()?;
    Some(if negative { -magnitude } else { magnitude })
}

/// The text of a quoted ST string: `'…'` or `"…"`, with `$` escapes.
fn quoted(text: &str) -> Option<String> {
    let quote = text.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let inner = text.strip_prefix(quote)?.strip_suffix(quote)?;
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '$' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            'N' | 'n' | 'L' | 'l' => out.push('\n'),
            'R' | 'r' => out.push('\r'),
            'T' | 't' => out.push('\t'),
            'P' | 'p' => out.push('\x0C'),
            h1 if h1.is_ascii_hexdigit() => {
                let h2 = chars.next()?;
                let code = u32::from_str_radix(&format!("{h1}{h2}"), 16).ok()?;
                out.push(char::from_u32(code)?);
            }
            other => out.push(other),
        }
    }
    Some(out)
}

fn describe(v: &spec::Value) -> String {
    match v {
        spec::Value::Bool(b) => format!("`{b}`"),
        spec::Value::Int(i) => format!("the integer {i}"),
        spec::Value::Real(x) => format!("the number {x}"),
        spec::Value::Time(ns) => {
            format!("the duration {}", crate::ir::literal::time(Elem::Time, *ns))
        }
        spec::Value::Text(s) => format!("\"{s}\""),
        spec::Value::Array(_) => "a list".to_string(),
        spec::Value::Struct(_) => "a table".to_string(),
    }
}

/// One scalar a step sets or compares, inside the variable the step names.
#[derive(Clone, Debug, PartialEq)]
pub struct Leaf {
    /// As reports name it: `Values[2]`, `Recipe.Speed`, `Timer1.Q`.
    pub path: String,
    /// Slots from the start of the variable (of the variable an in-out refers to).
    pub offset: u32,
    pub ty: Ty,
    pub value: Value,
}

/// A spec value as the scalars of the variable `name` of type `ty`: one for a scalar, one per
/// element for an array (the list as long as the array, a dimension after the first a list
/// inside), one per field given for a structure or function block instance. The error says
/// where (the element or field, or `at` for the value itself) and why.
pub fn leaves(
    v: &spec::Value,
    ty: &Ty,
    name: &str,
    at: Span,
    program: &Program,
) -> Result<Vec<Leaf>, (Span, String)> {
    let mut out = Vec::new();
    Flatten { program }.value(v, unwrap_in_out(ty), name.to_string(), 0, at, &mut out)?;
    Ok(out)
}

struct Flatten<'p> {
    program: &'p Program,
}

impl Flatten<'_> {
    fn value(
        &self,
        v: &spec::Value,
        ty: &Ty,
        path: String,
        offset: u32,
        at: Span,
        out: &mut Vec<Leaf>,
    ) -> Result<(), (Span, String)> {
        match (ty, v) {
            (Ty::Array { dims, elem }, spec::Value::Array(items)) => {
                self.array(items, dims, elem, &path, &mut Vec::new(), offset, at, out)
            }
            (Ty::Struct(fields), spec::Value::Struct(given)) => {
                let members = fields.iter().map(|f| (f.name.as_str(), f.offset, &f.ty));
                self.fields(given, members.collect(), "structure", &path, offset, out)
            }
            (Ty::Instance(body), spec::Value::Struct(given)) => {
                let vars = &self.program.body(*body).vars;
                let members = vars.iter().map(|v| (v.name.as_str(), v.offset, &v.ty));
                self.fields(given, members.collect(), "instance", &path, offset, out)
            }
            (Ty::Array { .. } | Ty::Struct(_) | Ty::Instance(_), v) => Err((
                at,
                format!("{} is not a value of {}", describe(v), shape(ty)),
            )),
            (ty, v) => {
                let value = to_value(v, ty).map_err(|why| (at, why))?;
                out.push(Leaf {
                    path,
                    offset,
                    ty: ty.clone(),
                    value,
                });
                Ok(())
            }
        }
    }

    /// The elements of the dimensions `dims` (the first of them given by `items`), after the
    /// subscripts `outer` of the dimensions before.
    #[allow(clippy::too_many_arguments)]
    fn array(
        &self,
        items: &[spec::Element],
        dims: &[(i128, i128)],
        elem: &Ty,
        name: &str,
        outer: &mut Vec<i128>,
        offset: u32,
        at: Span,
        out: &mut Vec<Leaf>,
    ) -> Result<(), (Span, String)> {
        let Some((&(lo, hi), rest)) = dims.split_first() else {
            return Ok(());
        };
        let len = usize::try_from(hi - lo + 1).unwrap_or(0);
        let bounds = format!("[{lo}..{hi}]");
        if items.len() < len {
            return Err((
                at,
                format!(
                    "the array has {len} elements ({bounds}) here, the list has {}",
                    items.len()
                ),
            ));
        }
        if let Some(extra) = items.get(len) {
            return Err((
                extra.span,
                format!(
                    "the array has {len} elements ({bounds}) here: this is element {} of the list",
                    len + 1
                ),
            ));
        }
        let inner: u32 = rest
            .iter()
            .map(|(lo, hi)| (hi - lo + 1).max(0) as u32)
            .product();
        let stride = inner * elem.size(&self.program.bodies);
        for (i, item) in items.iter().enumerate() {
            outer.push(lo + i as i128);
            let at_item = offset + i as u32 * stride;
            if rest.is_empty() {
                let subscripts: Vec<String> = outer.iter().map(i128::to_string).collect();
                let path = format!("{name}[{}]", subscripts.join(","));
                self.value(&item.value, elem, path, at_item, item.span, out)?;
            } else {
                let spec::Value::Array(inner_items) = &item.value else {
                    return Err((
                        item.span,
                        format!(
                            "{} is not a value of this array's next dimension: write it as a list",
                            describe(&item.value)
                        ),
                    ));
                };
                self.array(
                    inner_items,
                    rest,
                    elem,
                    name,
                    outer,
                    at_item,
                    item.span,
                    out,
                )?;
            }
            outer.pop();
        }
        Ok(())
    }

    /// The fields `given` of a structure or instance whose members are `members`.
    fn fields(
        &self,
        given: &[(spec::Text, spec::Element)],
        members: Vec<(&str, u32, &Ty)>,
        what: &str,
        path: &str,
        offset: u32,
        out: &mut Vec<Leaf>,
    ) -> Result<(), (Span, String)> {
        for (field, element) in given {
            let Some((name, at, ty)) = members
                .iter()
                .find(|(n, ..)| n.eq_ignore_ascii_case(&field.text))
            else {
                let names: Vec<&str> = members
                    .iter()
                    .map(|(n, ..)| *n)
                    .filter(|n| !n.starts_with("__"))
                    .collect();
                return Err((
                    field.span,
                    format!(
                        "`{}` is not a member of this {what} ({})",
                        field.text,
                        names.join(", ")
                    ),
                ));
            };
            let path = format!("{path}.{name}");
            self.value(&element.value, ty, path, offset + at, element.span, out)?;
        }
        Ok(())
    }
}

/// How a run-time type is named in messages.
fn shape(ty: &Ty) -> String {
    match unwrap_in_out(ty) {
        Ty::Elem(e) => e.name().to_string(),
        Ty::String { wide: false, .. } => "STRING".to_string(),
        Ty::String { wide: true, .. } => "WSTRING".to_string(),
        Ty::Enum { .. } => "an enumeration".to_string(),
        Ty::Array { .. } => "an array".to_string(),
        Ty::Struct(_) => "a structure".to_string(),
        Ty::Instance(_) => "a function block instance".to_string(),
        Ty::InOut(_) => "an in-out".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn elem(e: Elem) -> Ty {
        Ty::Elem(e)
    }

    #[test]
    fn step_values_take_the_variables_run_time_form() {
        let v = |v: spec::Value, ty: &Ty| to_value(&v, ty);
        assert_eq!(
            v(spec::Value::Bool(true), &elem(Elem::Bool)),
            Ok(Value::Bool(true))
        );
        assert_eq!(
            v(spec::Value::Int(-3), &elem(Elem::Int)),
            Ok(Value::Int(Elem::Int, -3))
        );
        assert_eq!(
            v(spec::Value::Real(0.1), &elem(Elem::Real)),
            Ok(Value::Real(Elem::Real, 0.1f32 as f64))
        );
        assert_eq!(
            v(spec::Value::Int(2), &elem(Elem::LReal)),
            Ok(Value::Real(Elem::LReal, 2.0))
        );
        assert_eq!(
            v(spec::Value::Time(5), &elem(Elem::Time)),
            Ok(Value::Time(Elem::Time, 5))
        );
        assert_eq!(
            v(spec::Value::Int(300), &elem(Elem::SInt)),
            Err("300 does not fit in SINT".to_string())
        );
        let mode = Ty::Enum {
            base: Elem::Int,
            values: vec![("Idle".into(), 0), ("Run".into(), 5)],
        };
        assert_eq!(
            v(spec::Value::Text("run".into()), &mode),
            Ok(Value::Int(Elem::Int, 5))
        );
        assert_eq!(
            v(spec::Value::Text("E_Mode#Run".into()), &mode),
            Ok(Value::Int(Elem::Int, 5))
        );
        assert_eq!(
            v(spec::Value::Text("Stop".into()), &mode),
            Err("`Stop` is not a value of this enumeration (Idle, Run)".to_string())
        );
        assert_eq!(
            v(
                spec::Value::Text("abc".into()),
                &Ty::String {
                    wide: false,
                    len: 80
                }
            ),
            Ok(Value::String("abc".into()))
        );
    }

    #[test]
    fn initial_values_are_read_as_st_literals() {
        let l = |text: &str, ty: &Ty| literal_value(text, ty);
        assert_eq!(l("TRUE", &elem(Elem::Bool)), Ok(spec::Value::Bool(true)));
        assert_eq!(l("false", &elem(Elem::Bool)), Ok(spec::Value::Bool(false)));
        assert_eq!(l("-3", &elem(Elem::Int)), Ok(spec::Value::Int(-3)));
        assert_eq!(l("INT#16#FF", &elem(Elem::Int)), Ok(spec::Value::Int(255)));
        assert_eq!(l("1_000", &elem(Elem::DInt)), Ok(spec::Value::Int(1000)));
        assert_eq!(l("1.5", &elem(Elem::Real)), Ok(spec::Value::Real(1.5)));
        assert_eq!(l("REAL#2", &elem(Elem::Real)), Ok(spec::Value::Real(2.0)));
        assert_eq!(
            l("T#5s", &elem(Elem::Time)),
            Ok(spec::Value::Time(5_000_000_000))
        );
        assert_eq!(
            l(
                "'it$'s'",
                &Ty::String {
                    wide: false,
                    len: 80
                }
            ),
            Ok(spec::Value::Text("it's".into()))
        );
        assert_eq!(
            l("maybe", &elem(Elem::Bool)),
            Err("`maybe` is not a literal of BOOL".to_string())
        );
    }
}
