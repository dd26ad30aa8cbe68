//! Constant expressions (initial values, CASE labels, literals) folded to values.

use super::*;

impl<'p, 'a> Lowerer<'p, 'a> {
    /// A value of the enumeration `t` named by `e` (`Run`, `E_State.Run`), for initialisers
    /// and labels that sema reads without recording them.
    pub(super) fn enum_value(&self, e: &ast::Expr, t: TypeId) -> Option<Value> {
        let v = self.p.enum_value_named(t, e)?;
        Some(Value::Int(layout::elem_of(&self.p.types, t)?, v))
    }

    /// The value of a constant expression, brought to `want`.
    pub(super) fn constant(
        &self,
        e: &ast::Expr,
        file: FileId,
        want: Option<Elem>,
        depth: u32,
    ) -> Result<Value, String> {
        const NOT_CONSTANT: &str = "initial values that are not constants";
        if depth > 32 {
            return Err(NOT_CONSTANT.into());
        }
        let tables = self.tables(file);
        let types = &self.p.types;
        let own = tables
            .and_then(|t| t.types.get(&e.id))
            .and_then(|&t| layout::elem_of(types, t));
        let resolved = tables.and_then(|t| t.resolved.get(&e.id));
        let value = match (&e.kind, resolved) {
            (_, Some(Resolved::EnumValue(t, v))) => {
                let base = layout::elem_of(types, *t).unwrap_or(Elem::Int);
                Value::Int(base, *v)
            }
            (ExprKind::Literal(lit), _) => literal_value(lit, own.or(want), self.semantics())?,
            (ExprKind::Typed { value, .. }, _) => {
                if let (ExprKind::Name(n), Some(t)) =
                    (&value.kind, tables.and_then(|t| t.types.get(&e.id)))
                    && let TypeKind::Enum { values, base } = types.kind(types.resolve(*t))
                {
                    let v = values
                        .iter()
                        .find(|(name, _)| *name == key(&n.name))
                        .map_or(0, |v| v.1);
                    Value::Int(*base, v)
                } else {
                    self.constant(value, file, own.or(want), depth + 1)?
                }
            }
            (ExprKind::Paren(inner), _) => self.constant(inner, file, own.or(want), depth + 1)?,
            // `-9223372036854775808`: the negation of a literal no integer type holds by itself.
            (
                ExprKind::Unary {
                    op: ast::UnaryOp::Neg,
                    operand,
                },
                _,
            ) if matches!(&operand.kind, ExprKind::Literal(l) if l.kind == LiteralKind::Integer)
                && own.or(want).is_none_or(|e| e.is_integer()) =>
            {
                let ExprKind::Literal(lit) = &operand.kind else {
                    return Err(NOT_CONSTANT.into());
                };
                let v = literal::integer_value(&lit.text)? as i128;
                let e = own.or(want).unwrap_or(Elem::LInt);
                values::fit(e, -v, false).map_err(|_| format!("-{} as {}", lit.text, e.name()))?
            }
            (ExprKind::Unary { op, operand }, _) => {
                // `-32768` is the negation of a literal that INT cannot hold by itself.
                let wide = match own.or(want) {
                    Some(e) if e.is_integer() && *op == ast::UnaryOp::Neg => Some(Elem::LInt),
                    w => w,
                };
                let v = self.constant(operand, file, wide, depth + 1)?;
                match op {
                    ast::UnaryOp::Plus => v,
                    ast::UnaryOp::Neg => values::negate(&v, values::Semantics::WRAPPING)
                        .map_err(|_| NOT_CONSTANT.to_string())?,
                    ast::UnaryOp::Not => values::not(&v).map_err(|_| NOT_CONSTANT.to_string())?,
                }
            }
            (ExprKind::Binary { op, lhs, rhs }, _) => {
                let operands = tables
                    .and_then(|t| t.operand_types.get(&e.id))
                    .and_then(|&t| layout::elem_of(types, t))
                    .or(own)
                    .or(want);
                let a = self.constant(lhs, file, operands, depth + 1)?;
                let b = self.constant(rhs, file, operands, depth + 1)?;
                values::binary(*op, &a, &b, values::Semantics::WRAPPING)
                    .map_err(|_| NOT_CONSTANT.to_string())?
            }
            (_, Some(named @ (Resolved::Var(..) | Resolved::Global(_)))) => {
                let var = match named {
                    Resolved::Var(pou, i) => &self.p.pou(*pou).vars[*i],
                    Resolved::Global(g) => &self.p.globals[*g],
                    _ => return Err(NOT_CONSTANT.into()),
                };
                match (&var.decl.init, var.constant) {
                    (Some(init), true) => {
                        self.constant(init, var.file, layout::elem_of(types, var.ty), depth + 1)?
                    }
                    _ => return Err(NOT_CONSTANT.into()),
                }
            }
            (ExprKind::Call { callee, args }, _) => {
                let conversion = tables.and_then(|t| t.resolved.get(&callee.id));
                match (conversion, args.as_slice()) {
                    (Some(Resolved::Conversion(_)), [arg]) => {
                        let value = arg.value.as_ref().ok_or(NOT_CONSTANT)?;
                        self.constant(value, file, None, depth + 1)?
                    }
                    _ => return Err(NOT_CONSTANT.into()),
                }
            }
            _ => return Err(NOT_CONSTANT.into()),
        };
        match (want, &value) {
            (Some(w), Value::Int(e, _) | Value::Real(e, _) | Value::Time(e, _)) if *e != w => {
                values::convert_in(&value, w, self.semantics())
                    .map_err(|_| format!("an initial value that does not fit {}", w.name()))
            }
            (Some(w), Value::Bool(_)) if w != Elem::Bool => {
                values::convert(&value, w).map_err(|_| NOT_CONSTANT.to_string())
            }
            _ => Ok(value),
        }
    }
}

/// The value of a literal, in its own type or the wanted one, in the dialect's representation
/// (`T#1500us` is `T#1ms` where TIME counts milliseconds, as the vendors' compilers truncate it).
fn literal_value(
    lit: &ast::Literal,
    want: Option<Elem>,
    sem: values::Semantics,
) -> Result<Value, String> {
    let text = lit.text.as_str();
    let body = || text.split_once('#').map_or(text, |(_, b)| b);
    let wide = |long: Elem, short: Elem| {
        if text
            .get(..2)
            .is_some_and(|p| p.eq_ignore_ascii_case("LT") || p.eq_ignore_ascii_case("LD"))
        {
            long
        } else {
            short
        }
    };
    let value = match lit.kind {
        LiteralKind::Integer => {
            let v = literal::integer_value(text)?;
            let v = i128::try_from(v).map_err(|_| format!("the literal {text}"))?;
            match want {
                Some(Elem::Bool) => Value::Bool(v != 0),
                Some(e) if e.category() == Category::Real => Value::Real(e, v as f64),
                Some(e) if e.int_range().is_some() => {
                    values::fit(e, v, false).map_err(|_| format!("{text} as {}", e.name()))?
                }
                _ => {
                    values::fit(Elem::LInt, v, false).map_err(|_| format!("the literal {text}"))?
                }
            }
        }
        LiteralKind::Real => {
            let v: f64 = text
                .replace('_', "")
                .parse()
                .map_err(|_| format!("the literal {text}"))?;
            let e = want
                .filter(|e| e.category() == Category::Real)
                .unwrap_or(Elem::LReal);
            values::convert(&Value::Real(Elem::LReal, v), e).map_err(|_| text.to_string())?
        }
        LiteralKind::Bool => Value::Bool(text.eq_ignore_ascii_case("TRUE") || text == "1"),
        LiteralKind::String | LiteralKind::WString => Value::String(literal::string_value(text)),
        LiteralKind::Time => values::time(
            wide(Elem::LTime, Elem::Time),
            literal::time_value(body())?,
            sem,
        ),
        LiteralKind::TimeOfDay => Value::Time(
            wide(Elem::LTod, Elem::Tod),
            literal::time_of_day_value(body())?,
        ),
        LiteralKind::Date => {
            let (y, m, d) = literal::date_value(body())?;
            Value::Time(
                wide(Elem::LDate, Elem::Date),
                days_from_civil(y, m, d) * NS_PER_DAY,
            )
        }
        LiteralKind::DateAndTime => {
            let b = body();
            let split = b
                .match_indices('-')
                .nth(2)
                .map(|(i, _)| i)
                .ok_or(b.to_string())?;
            let (y, m, d) = literal::date_value(&b[..split])?;
            let tod = literal::time_of_day_value(&b[split + 1..])?;
            Value::Time(
                wide(Elem::Ldt, Elem::Dt),
                days_from_civil(y, m, d) * NS_PER_DAY + tod,
            )
        }
    };
    match (want, &value) {
        (Some(w), Value::Int(e, _) | Value::Real(e, _) | Value::Time(e, _)) if *e != w => {
            values::convert_in(&value, w, sem).map_err(|_| format!("{text} as {}", w.name()))
        }
        _ => Ok(value),
    }
}

const NS_PER_DAY: i128 = 86_400_000_000_000;

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: u32, m: u32, d: u32) -> i128 {
    let y = y as i128 - if m <= 2 { 1 } else { 0 };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i128;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i128 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}
