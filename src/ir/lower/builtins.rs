//! The standard library's `@builtin` functions: operators, conversions and [`Builtin`]s.

use super::*;

impl<'p, 'a> Lowerer<'p, 'a> {
    /// A `@builtin` standard function: an operator, a conversion or a [`Builtin`].
    pub(super) fn builtin(
        &mut self,
        e: &ast::Expr,
        id: PouId,
        args: &[ast::Arg],
        own: Option<Elem>,
        ctx: Ctx<'p>,
    ) -> Lowered<Expr> {
        use ast::BinaryOp as B;
        let info = self.p.pou(id);
        let markers = info.markers.clone().unwrap_or_default();
        let name = markers.name.clone().unwrap_or_else(|| info.key.clone());
        let ordered = self.ordered_args(id, &markers, args, ctx);
        let unsupported = |l: &mut Self| {
            l.unsupported(ctx.file, e.span, &format!("the standard function `{name}`"))
        };
        // Arguments brought to the result type (`MAX`, `LIMIT`, …), or left in their own.
        let as_own = |l: &mut Self, args: &[&ast::Expr]| -> Lowered<Vec<Expr>> {
            args.iter().map(|a| l.expr_as(a, own, ctx)).collect()
        };
        let chain = |op: B, args: Vec<Expr>| {
            args.into_iter().reduce(|a, b| Expr::Binary {
                op,
                lhs: Box::new(a),
                rhs: Box::new(b),
            })
        };
        let n = name.as_str();
        let simple = |b: Builtin| Some(b);
        let native = match n {
            "ABS" => simple(Builtin::Abs),
            "SQRT" => simple(Builtin::Sqrt),
            "LN" => simple(Builtin::Ln),
            "LOG" => simple(Builtin::Log),
            "EXP" => simple(Builtin::Exp),
            "SIN" => simple(Builtin::Sin),
            "COS" => simple(Builtin::Cos),
            "TAN" => simple(Builtin::Tan),
            "ASIN" => simple(Builtin::Asin),
            "ACOS" => simple(Builtin::Acos),
            "ATAN" => simple(Builtin::Atan),
            "ATAN2" => simple(Builtin::Atan2),
            "MAX" => simple(Builtin::Max),
            "MIN" => simple(Builtin::Min),
            "LIMIT" => simple(Builtin::Limit),
            _ => None,
        };
        if let Some(b) = native {
            return Ok(Expr::Builtin(b, as_own(self, &ordered)?));
        }
        let binary = match n {
            "ADD" => Some(B::Add),
            "MUL" => Some(B::Mul),
            "SUB" => Some(B::Sub),
            "DIV" => Some(B::Div),
            "MOD" => Some(B::Mod),
            "AND" => Some(B::And),
            "OR" => Some(B::Or),
            "XOR" => Some(B::Xor),
            _ => None,
        };
        if let Some(op) = binary {
            let args = as_own(self, &ordered)?;
            return chain(op, args).ok_or_else(|| unsupported(self));
        }
        let comparison = match n {
            "GT" => Some(B::Gt),
            "GE" => Some(B::Ge),
            "EQ" => Some(B::Eq),
            "LE" => Some(B::Le),
            "LT" => Some(B::Lt),
            "NE" => Some(B::Ne),
            _ => None,
        };
        if let Some(op) = comparison {
            let common = common_elem(ordered.iter().map(|a| self.elem(a, ctx)));
            let args: Vec<Expr> = ordered
                .iter()
                .map(|a| self.expr_as(a, common, ctx))
                .collect::<Lowered<_>>()?;
            // GT(a, b, c) is a > b AND b > c.
            let pairs: Vec<Expr> = args
                .windows(2)
                .map(|w| Expr::Binary {
                    op,
                    lhs: Box::new(w[0].clone()),
                    rhs: Box::new(w[1].clone()),
                })
                .collect();
            return chain(B::And, pairs).ok_or_else(|| unsupported(self));
        }
        let with_first_own = |l: &mut Self, b: Builtin| -> Lowered<Expr> {
            let mut args = as_own(l, ordered.get(..1).unwrap_or(&[]))?;
            for a in ordered.get(1..).unwrap_or(&[]) {
                args.push(l.expr(a, ctx)?);
            }
            Ok(Expr::Builtin(b, args))
        };
        match n {
            "NOT" => {
                let arg = as_own(self, &ordered)?
                    .pop()
                    .ok_or_else(|| unsupported(self))?;
                Ok(Expr::Unary(UnaryOp::Not, Box::new(arg)))
            }
            "MOVE" => as_own(self, &ordered)?
                .pop()
                .ok_or_else(|| unsupported(self)),
            "EXPT" => with_first_own(self, Builtin::Expt),
            "SHL" => with_first_own(self, Builtin::Shl),
            "SHR" => with_first_own(self, Builtin::Shr),
            "ROL" => with_first_own(self, Builtin::Rol),
            "ROR" => with_first_own(self, Builtin::Ror),
            "SEL" | "MUX" => {
                let selector = ordered.first().ok_or_else(|| unsupported(self))?;
                let want = if n == "SEL" { Some(Elem::Bool) } else { None };
                let mut args = vec![self.expr_as(selector, want, ctx)?];
                args.extend(as_own(self, ordered.get(1..).unwrap_or(&[]))?);
                let b = if n == "SEL" {
                    Builtin::Sel
                } else {
                    Builtin::Mux
                };
                Ok(Expr::Builtin(b, args))
            }
            "__CURRENT_TIME" | "__CURRENT_LTIME" => Ok(Expr::Builtin(
                Builtin::Now(own.unwrap_or(Elem::Time)),
                Vec::new(),
            )),
            "MUL_TIME" | "MUL_LTIME" | "DIV_TIME" | "DIV_LTIME" => {
                let b = if n.starts_with("MUL") {
                    Builtin::MulTime
                } else {
                    Builtin::DivTime
                };
                with_first_own(self, b)
            }
            _ if n.starts_with("ADD_") || n.starts_with("SUB_") => {
                // Durations and dates: all nanoseconds; the result in the function's type.
                let args: Vec<Expr> = ordered
                    .iter()
                    .map(|a| self.expr(a, ctx))
                    .collect::<Lowered<_>>()?;
                let op = if n.starts_with("ADD") { B::Add } else { B::Sub };
                let sum = chain(op, args).ok_or_else(|| unsupported(self))?;
                Ok(match own {
                    Some(t) => convert(sum, t, self.semantics()),
                    None => sum,
                })
            }
            _ if n.contains("TRUNC") => {
                let arg = ordered.first().ok_or_else(|| unsupported(self))?;
                let arg = self.expr(arg, ctx)?;
                Ok(Expr::Builtin(
                    Builtin::Trunc(own.unwrap_or(Elem::DInt)),
                    vec![arg],
                ))
            }
            _ if n.contains("BCD") => Err(unsupported(self)),
            _ if n.contains("_TO_") || n.starts_with("TO_") => {
                let (Some(arg), Some(to)) = (ordered.first(), own) else {
                    return Err(unsupported(self));
                };
                if self.elem(arg, ctx).is_none() {
                    // From a string: not simulated yet.
                    return Err(unsupported(self));
                }
                Ok(convert(self.expr(arg, ctx)?, to, self.semantics()))
            }
            "LEN" | "LEFT" | "RIGHT" | "MID" | "CONCAT" | "INSERT" | "DELETE" | "REPLACE"
            | "FIND" => {
                let b = match n {
                    "LEN" => Builtin::Len,
                    "LEFT" => Builtin::Left,
                    "RIGHT" => Builtin::Right,
                    "MID" => Builtin::Mid,
                    "CONCAT" => Builtin::Concat,
                    "INSERT" => Builtin::Insert,
                    "DELETE" => Builtin::Delete,
                    "REPLACE" => Builtin::Replace,
                    _ => Builtin::Find,
                };
                let args = ordered
                    .iter()
                    .map(|a| self.expr(a, ctx))
                    .collect::<Lowered<_>>()?;
                Ok(Expr::Builtin(b, args))
            }
            _ => Err(unsupported(self)),
        }
    }

    /// The input arguments of a standard function call in parameter order, extensible inputs
    /// (`IN3`, `IN4`, …) by their number.
    fn ordered_args<'e>(
        &self,
        id: PouId,
        markers: &Markers,
        args: &'e [ast::Arg],
        ctx: Ctx<'p>,
    ) -> Vec<&'e ast::Expr> {
        let info = self.p.pou(id);
        let inputs: Vec<&SmolStr> = info
            .vars
            .iter()
            .filter(|v| v.kind == ast::VarKind::Input)
            .map(|v| &v.key)
            .collect();
        let position = |param: &SmolStr| -> usize {
            if let Some(i) = inputs.iter().position(|k| *k == param) {
                return i * 1_000_000;
            }
            // An extensible input beyond the declared ones sorts after them by number.
            let number = markers
                .extensible
                .as_ref()
                .and_then(|prefix| param.strip_prefix(prefix.as_str()))
                .and_then(|n| n.parse::<usize>().ok())
                .unwrap_or(usize::MAX / 2);
            inputs.len() * 1_000_000 + number
        };
        let mut bound: Vec<(usize, &ast::Expr)> = args
            .iter()
            .filter(|a| !matches!(a.kind, ArgKind::Output | ArgKind::NegatedOutput))
            .filter_map(|a| {
                let value = a.value.as_ref()?;
                let param = ctx.tables.bindings.get(&value.id)?;
                Some((position(param), value))
            })
            .collect();
        bound.sort_by_key(|(p, _)| *p);
        bound.into_iter().map(|(_, v)| v).collect()
    }
}

/// The type every one of several operand types widens to (the first, when none does).
fn common_elem(types: impl Iterator<Item = Option<Elem>>) -> Option<Elem> {
    let types: Vec<Elem> = types.flatten().collect();
    types
        .iter()
        .copied()
        .find(|&t| types.iter().all(|o| o.widens_to(t)))
        .or(types.first().copied())
}
