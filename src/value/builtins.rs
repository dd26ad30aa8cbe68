//! The `@builtin` standard functions, which run natively rather than from an ST body (numeric,
//! selection, bit shifts, strings, durations, the clock), with the behaviour
//! `iec-stdlib/README.md` fixes.

use super::{self as value, Fault, Semantics, Value};
use crate::ir::Builtin;
use crate::sema::types::{Category, Elem};
use crate::syntax::ast::BinaryOp;

/// Applies a builtin to evaluated arguments, in the order of the function's inputs.
pub fn call(b: Builtin, args: &[Value], now_ns: i128, sem: Semantics) -> Result<Value, Fault> {
    use Builtin::*;
    match (b, args) {
        (Now(e), []) => Ok(value::time(e, now_ns, sem)),
        (Abs, [Value::Int(e, x)]) => value::fit(*e, x.abs(), sem.wrap_integers),
        (Abs, [Value::Real(e, x)]) => Ok(Value::Real(*e, x.abs())),
        (Sqrt | Ln | Log | Exp | Sin | Cos | Tan | Asin | Acos | Atan, [Value::Real(e, x)]) => {
            let f: fn(f64) -> f64 = match b {
                Sqrt => f64::sqrt,
                Ln => f64::ln,
                Log => f64::log10,
                Exp => f64::exp,
                Sin => f64::sin,
                Cos => f64::cos,
                Tan => f64::tan,
                Asin => f64::asin,
                Acos => f64::acos,
                _ => f64::atan,
            };
            finite(*e, f(*x))
        }
        (Atan2, [Value::Real(e, y), Value::Real(_, x)]) => finite(*e, y.atan2(*x)),
        // A vendor dialect may pass an integer base: computed in LREAL, the result in its type.
        (Expt, [Value::Int(e, x), n]) => {
            let r = call(
                Expt,
                &[Value::Real(Elem::LReal, *x as f64), n.clone()],
                now_ns,
                sem,
            )?;
            value::convert(&r, *e)
        }
        (Expt, [Value::Real(e, x), n]) => match n {
            Value::Int(_, n) => finite(
                *e,
                x.powi(i32::try_from(*n).map_err(|_| Fault::OutOfRange)?),
            ),
            Value::Real(_, n) => finite(*e, x.powf(*n)),
            _ => Err(Fault::TypeError),
        },
        // A 32-bit TIME is multiplied and divided as its count of milliseconds (a quotient
        // truncated to the millisecond, as the nanosecond one is truncated to the nanosecond).
        (MulTime | DivTime, [Value::Time(e, t), n]) if sem.counts_ms(*e) => {
            let ms = t / value::NS_PER_MS;
            let scaled = call(b, &[Value::Time(Elem::LTime, ms), n.clone()], now_ns, sem)?;
            match scaled {
                Value::Time(_, ms) => Ok(value::time(*e, ms * value::NS_PER_MS, sem)),
                _ => Err(Fault::TypeError),
            }
        }
        (MulTime, [Value::Time(e, t), n]) => match n {
            Value::Int(_, n) => Ok(value::time(*e, t * n, sem)),
            Value::Real(_, n) => Ok(value::time(*e, (*t as f64 * n).round() as i128, sem)),
            _ => Err(Fault::TypeError),
        },
        (DivTime, [Value::Time(e, t), n]) => match n {
            Value::Int(_, 0) => Err(Fault::DivisionByZero),
            Value::Int(_, n) => Ok(value::time(*e, t / n, sem)),
            Value::Real(_, n) if *n == 0.0 => Err(Fault::DivisionByZero),
            Value::Real(_, n) => Ok(value::time(*e, (*t as f64 / n).round() as i128, sem)),
            _ => Err(Fault::TypeError),
        },
        (FitString(len), [Value::String(text)]) => {
            Ok(Value::String(match text.char_indices().nth(len as usize) {
                Some((cut, _)) => text[..cut].to_string(),
                None => text.clone(),
            }))
        }
        (Trunc(to), [Value::Real(_, x)]) if x.is_finite() => {
            value::fit(to, x.trunc() as i128, false).map_err(|_| Fault::OutOfRange)
        }
        (Trunc(_), [Value::Real(..)]) => Err(Fault::OutOfRange),
        (Shl | Shr | Rol | Ror, [Value::Int(e, x), Value::Int(_, n)]) => shift(b, *e, *x, *n),
        (Sel, [Value::Bool(g), in0, in1]) => Ok(if *g { in1.clone() } else { in0.clone() }),
        (Max | Min, [first, rest @ ..]) => {
            let mut best = first.clone();
            let better = if b == Max { BinaryOp::Gt } else { BinaryOp::Lt };
            for v in rest {
                if value::binary(better, v, &best, sem)? == Value::Bool(true) {
                    best = v.clone();
                }
            }
            Ok(best)
        }
        (Limit, [mn, x, mx]) => {
            let below = value::binary(BinaryOp::Lt, x, mn, sem)? == Value::Bool(true);
            let above = value::binary(BinaryOp::Gt, x, mx, sem)? == Value::Bool(true);
            Ok(if below {
                mn.clone()
            } else if above {
                mx.clone()
            } else {
                x.clone()
            })
        }
        (Mux, [Value::Int(_, k), inputs @ ..]) => usize::try_from(*k)
            .ok()
            .and_then(|k| inputs.get(k))
            .cloned()
            .ok_or(Fault::IndexOutOfBounds {
                index: clamp(*k),
                low: 0,
                high: inputs.len() as i64 - 1,
            }),
        _ => strings(b, args),
    }
}

/// An index for a fault's message.
pub fn clamp(i: i128) -> i64 {
    i.clamp(i64::MIN as i128, i64::MAX as i128) as i64
}

/// A REAL result, which must be a number (`SQRT(-1.0)` is an error, as the standard says).
fn finite(e: Elem, v: f64) -> Result<Value, Fault> {
    if v.is_finite() {
        Ok(value::real(e, v))
    } else {
        Err(Fault::OutOfRange)
    }
}

/// Shifts and rotations of the bit pattern of `x`'s type.
fn shift(b: Builtin, e: Elem, x: i128, n: i128) -> Result<Value, Fault> {
    let bits = e.bits() as i128;
    let mask = (1i128 << bits) - 1;
    let pattern = x & mask;
    let n = n.max(0);
    let out = match b {
        Builtin::Shl if n >= bits => 0,
        Builtin::Shl => (pattern << n) & mask,
        Builtin::Shr if n >= bits => 0,
        Builtin::Shr => pattern >> n,
        Builtin::Rol => {
            let n = n % bits;
            ((pattern << n) | (pattern >> ((bits - n) % bits))) & mask
        }
        _ => {
            let n = n % bits;
            ((pattern >> n) | (pattern << ((bits - n) % bits))) & mask
        }
    };
    match e.category() {
        // The pattern back as a signed number (two's complement).
        Category::Signed => value::fit(e, out, true),
        _ => Ok(Value::Int(e, out)),
    }
}

/// The string functions; positions count characters from 1.
fn strings(b: Builtin, args: &[Value]) -> Result<Value, Fault> {
    use Builtin::*;
    let text = |v: &Value| match v {
        Value::String(s) => Ok(s.chars().collect::<Vec<char>>()),
        _ => Err(Fault::TypeError),
    };
    let count = |v: &Value| match v {
        Value::Int(_, n) if *n >= 0 => usize::try_from(*n).map_err(|_| Fault::OutOfRange),
        Value::Int(..) => Err(Fault::OutOfRange),
        _ => Err(Fault::TypeError),
    };
    let string = |chars: &[char]| Value::String(chars.iter().collect());
    let int = |n: usize| value::fit(Elem::Int, n as i128, false).map_err(|_| Fault::OutOfRange);
    match (b, args) {
        (Len, [s]) => int(text(s)?.len()),
        (Left, [s, l]) => {
            let s = text(s)?;
            Ok(string(&s[..count(l)?.min(s.len())]))
        }
        (Right, [s, l]) => {
            let s = text(s)?;
            Ok(string(&s[s.len() - count(l)?.min(s.len())..]))
        }
        (Mid, [s, l, p]) => {
            let s = text(s)?;
            let start = count(p)?.saturating_sub(1).min(s.len());
            let end = start.saturating_add(count(l)?).min(s.len());
            Ok(string(&s[start..end]))
        }
        (Concat, parts) => {
            let mut out = String::new();
            for p in parts {
                match p {
                    Value::String(s) => out.push_str(s),
                    _ => return Err(Fault::TypeError),
                }
            }
            Ok(Value::String(out))
        }
        (Insert, [s, insert, p]) => {
            let mut s = text(s)?;
            let at = count(p)?.min(s.len());
            s.splice(at..at, text(insert)?);
            Ok(string(&s))
        }
        (Delete, [s, l, p]) => {
            let mut s = text(s)?;
            let start = count(p)?.saturating_sub(1).min(s.len());
            let end = start.saturating_add(count(l)?).min(s.len());
            s.drain(start..end);
            Ok(string(&s))
        }
        (Replace, [s, with, l, p]) => {
            let mut s = text(s)?;
            let start = count(p)?.saturating_sub(1).min(s.len());
            let end = start.saturating_add(count(l)?).min(s.len());
            s.splice(start..end, text(with)?);
            Ok(string(&s))
        }
        (Find, [s, what]) => {
            let (s, what) = (text(s)?, text(what)?);
            let at = if what.is_empty() {
                0
            } else {
                s.windows(what.len())
                    .position(|w| w == what.as_slice())
                    .map_or(0, |i| i + 1)
            };
            int(at)
        }
        _ => Err(Fault::TypeError),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Value {
        Value::String(text.into())
    }

    fn int(e: Elem, v: i128) -> Value {
        Value::Int(e, v)
    }

    #[test]
    fn selection() {
        let (a, b, c) = (int(Elem::Int, 3), int(Elem::Int, 9), int(Elem::Int, 5));
        assert_eq!(
            call(
                Builtin::Max,
                &[a.clone(), b.clone(), c.clone()],
                0,
                Semantics::STRICT
            ),
            Ok(b.clone())
        );
        assert_eq!(
            call(
                Builtin::Min,
                &[a.clone(), b.clone(), c.clone()],
                0,
                Semantics::STRICT
            ),
            Ok(a.clone())
        );
        assert_eq!(
            call(
                Builtin::Limit,
                &[a.clone(), b.clone(), c.clone()],
                0,
                Semantics::STRICT
            ),
            Ok(c.clone())
        );
        assert_eq!(
            call(
                Builtin::Limit,
                &[c.clone(), a.clone(), b.clone()],
                0,
                Semantics::STRICT
            ),
            Ok(c.clone())
        );
        assert_eq!(
            call(
                Builtin::Sel,
                &[Value::Bool(true), a.clone(), b.clone()],
                0,
                Semantics::STRICT
            ),
            Ok(b.clone())
        );
        assert_eq!(
            call(
                Builtin::Mux,
                &[int(Elem::Int, 2), a.clone(), b, c.clone()],
                0,
                Semantics::STRICT
            ),
            Ok(c)
        );
        assert_eq!(
            call(
                Builtin::Mux,
                &[int(Elem::Int, 3), a.clone(), a],
                0,
                Semantics::STRICT
            ),
            Err(Fault::IndexOutOfBounds {
                index: 3,
                low: 0,
                high: 1
            })
        );
    }

    #[test]
    fn shifts_work_on_the_bit_pattern() {
        let byte = |v| int(Elem::Byte, v);
        let n = |v| int(Elem::Int, v);
        assert_eq!(
            call(Builtin::Shl, &[byte(0x81), n(1)], 0, Semantics::STRICT),
            Ok(byte(0x02))
        );
        assert_eq!(
            call(Builtin::Shr, &[byte(0x81), n(1)], 0, Semantics::STRICT),
            Ok(byte(0x40))
        );
        assert_eq!(
            call(Builtin::Rol, &[byte(0x81), n(1)], 0, Semantics::STRICT),
            Ok(byte(0x03))
        );
        assert_eq!(
            call(Builtin::Ror, &[byte(0x81), n(1)], 0, Semantics::STRICT),
            Ok(byte(0xC0))
        );
        assert_eq!(
            call(Builtin::Shl, &[byte(0x81), n(8)], 0, Semantics::STRICT),
            Ok(byte(0))
        );
    }

    #[test]
    fn strings_count_from_one() {
        let i = |v| int(Elem::Int, v);
        assert_eq!(
            call(Builtin::Left, &[s("ABCDE"), i(2)], 0, Semantics::STRICT),
            Ok(s("AB"))
        );
        assert_eq!(
            call(Builtin::Right, &[s("ABCDE"), i(2)], 0, Semantics::STRICT),
            Ok(s("DE"))
        );
        assert_eq!(
            call(
                Builtin::Mid,
                &[s("ABCDE"), i(2), i(2)],
                0,
                Semantics::STRICT
            ),
            Ok(s("BC"))
        );
        assert_eq!(
            call(
                Builtin::Insert,
                &[s("ABC"), s("xy"), i(0)],
                0,
                Semantics::STRICT
            ),
            Ok(s("xyABC"))
        );
        assert_eq!(
            call(
                Builtin::Insert,
                &[s("ABC"), s("xy"), i(2)],
                0,
                Semantics::STRICT
            ),
            Ok(s("ABxyC"))
        );
        assert_eq!(
            call(
                Builtin::Delete,
                &[s("ABCDE"), i(2), i(2)],
                0,
                Semantics::STRICT
            ),
            Ok(s("ADE"))
        );
        assert_eq!(
            call(
                Builtin::Replace,
                &[s("ABCDE"), s("x"), i(3), i(2)],
                0,
                Semantics::STRICT
            ),
            Ok(s("AxE"))
        );
        assert_eq!(
            call(Builtin::Find, &[s("ABCBC"), s("BC")], 0, Semantics::STRICT),
            Ok(i(2))
        );
        assert_eq!(
            call(Builtin::Find, &[s("ABC"), s("X")], 0, Semantics::STRICT),
            Ok(i(0))
        );
        assert_eq!(
            call(Builtin::Len, &[s("ÄBC")], 0, Semantics::STRICT),
            Ok(i(3))
        );
        // A length beyond every string ends at the string's end.
        let huge = Value::Int(Elem::ULInt, u64::MAX as i128);
        assert_eq!(
            call(
                Builtin::Mid,
                &[s("abc"), huge.clone(), i(2)],
                0,
                Semantics::STRICT
            ),
            Ok(s("bc"))
        );
        assert_eq!(
            call(
                Builtin::Delete,
                &[s("abc"), huge, i(2)],
                0,
                Semantics::STRICT
            ),
            Ok(s("a"))
        );
        // Assignments cut strings to their declared length.
        assert_eq!(
            call(Builtin::FitString(2), &[s("ÄBC")], 0, Semantics::STRICT),
            Ok(s("ÄB"))
        );
    }

    #[test]
    fn numeric_domain_errors_and_durations() {
        let r = |v| Value::Real(Elem::Real, v);
        assert_eq!(
            call(Builtin::Sqrt, &[r(-1.0)], 0, Semantics::STRICT),
            Err(Fault::OutOfRange)
        );
        assert_eq!(
            call(Builtin::Sqrt, &[r(4.0)], 0, Semantics::STRICT),
            Ok(r(2.0))
        );
        assert_eq!(
            call(Builtin::Trunc(Elem::Int), &[r(-2.7)], 0, Semantics::STRICT),
            Ok(int(Elem::Int, -2))
        );
        let t = Value::Time(Elem::Time, 1_000_000_000);
        assert_eq!(
            call(
                Builtin::MulTime,
                &[t.clone(), int(Elem::Int, 3)],
                0,
                Semantics::STRICT
            ),
            Ok(Value::Time(Elem::Time, 3_000_000_000))
        );
        assert_eq!(
            call(
                Builtin::DivTime,
                &[t, int(Elem::Int, 0)],
                0,
                Semantics::STRICT
            ),
            Err(Fault::DivisionByZero)
        );
        assert_eq!(
            call(Builtin::Now(Elem::Time), &[], 42, Semantics::STRICT),
            Ok(Value::Time(Elem::Time, 42))
        );
    }
}
