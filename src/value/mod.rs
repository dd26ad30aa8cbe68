//! Run-time values and the meaning of every elementary operation: the one definition the IR's
//! constants, the simulator and the SMT encoder's differential tests all use. Two's-complement
//! integers of the IEC widths that wrap around or fault per dialect, REAL rounded to single
//! precision on every result, durations in nanoseconds, the standard's conversions
//! (iec-stdlib/README.md, "Behaviour the standard leaves open"), the `@builtin` functions
//! ([`builtins`]).
//!
//! Invariant: nothing here depends on the simulator or the IR's execution; `ir`, `sim` and
//! `verify` depend on this module, never the other way round.

pub mod builtins;

use crate::sema::dialect::Profile;
use crate::sema::types::{Category, Elem};
use crate::syntax::ast::BinaryOp;

/// What a dialect's arithmetic does where the standard calls the result an error. The three
/// rules are separate because they are separate questions for an encoder (bit-vector
/// wrap-around, IEEE special values, truncation of a narrowing conversion), even though every
/// dialect today answers all three alike.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Semantics {
    /// Integer results outside their type wrap around in two's complement (otherwise R002).
    pub wrap_integers: bool,
    /// REAL arithmetic follows IEEE 754: a division by zero or an overflow gives ±INF and
    /// invalid operations NaN (otherwise R001 / R002).
    pub ieee_reals: bool,
    /// Narrowing an integer to a smaller integer type keeps its low bits, as the vendors'
    /// runtimes do (otherwise R004 when the value does not fit).
    pub narrow_by_bits: bool,
    /// TIME is an unsigned 32-bit count of milliseconds, as in CODESYS and TwinCAT: it wraps
    /// modulo 2^32 ms (about 49.7 days) and finer durations are truncated to the millisecond.
    /// Otherwise TIME, like LTIME and the dates everywhere, is a signed 64-bit count of
    /// nanoseconds.
    pub time_ms32: bool,
}

impl Semantics {
    /// The standard's: every result outside its type is a fault.
    pub const STRICT: Semantics = Semantics {
        wrap_integers: false,
        ieee_reals: false,
        narrow_by_bits: false,
        time_ms32: false,
    };

    /// The vendor runtimes': integers wrap, REALs are IEEE 754, narrowing keeps the low bits.
    pub const WRAPPING: Semantics = Semantics {
        wrap_integers: true,
        ieee_reals: true,
        narrow_by_bits: true,
        time_ms32: false,
    };

    /// CODESYS's and TwinCAT's: [`Semantics::WRAPPING`] with a 32-bit millisecond TIME.
    pub const WRAPPING_MS32: Semantics = Semantics {
        time_ms32: true,
        ..Semantics::WRAPPING
    };

    pub fn of(profile: &Profile) -> Semantics {
        let rules = if profile.wrapping_overflow {
            Semantics::WRAPPING
        } else {
            Semantics::STRICT
        };
        Semantics {
            time_ms32: profile.time_ms32,
            ..rules
        }
    }

    /// Whether values of `e` are 32-bit milliseconds (TIME where [`Semantics::time_ms32`]).
    pub fn counts_ms(self, e: Elem) -> bool {
        self.time_ms32 && e == Elem::Time
    }
}

/// A value of an elementary type. Integers and bit strings always lie within their type's
/// range; a REAL is always a value a single-precision float can hold.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Bool(bool),
    /// Integers and bit strings (BYTE … LWORD), with their type.
    Int(Elem, i128),
    /// REAL or LREAL.
    Real(Elem, f64),
    /// TIME, LTIME and the date types, in nanoseconds (dates: since 1970-01-01).
    Time(Elem, i128),
    String(String),
    /// The absolute slot of a variable passed to a `VAR_IN_OUT`.
    Address(u32),
}

/// Why a computation stopped: a run-time fault, reported at the statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    DivisionByZero,
    /// An integer result outside its type, in a dialect where that is an error.
    Overflow,
    /// A conversion whose value does not fit the target type.
    OutOfRange,
    /// An array index outside the declared bounds (64-bit: every evaluation's result has
    /// room for a `Fault`, and small results are fast).
    IndexOutOfBounds {
        index: i64,
        low: i64,
        high: i64,
    },
    /// The scan ran more statements, or nested calls deeper, than the watchdog allows.
    Watchdog,
    /// Operands the type checker would have rejected (a bug in the lowering, not the program).
    TypeError,
}

impl Value {
    /// The initial value of a variable of this type without an initialiser.
    pub fn default_of(e: Elem) -> Value {
        match e.category() {
            _ if e == Elem::Bool => Value::Bool(false),
            Category::Bit | Category::Signed | Category::Unsigned => Value::Int(e, 0),
            Category::Real => Value::Real(e, 0.0),
            Category::Duration | Category::Date => Value::Time(e, 0),
            Category::Char => Value::Int(e, 0),
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

/// Brings an integer into its type's range: wrapped (two's complement) or a fault.
pub fn fit(e: Elem, v: i128, wrap: bool) -> Result<Value, Fault> {
    let (lo, hi) = e.int_range().ok_or(Fault::TypeError)?;
    if (lo..=hi).contains(&v) {
        return Ok(Value::Int(e, v));
    }
    if !wrap {
        return Err(Fault::Overflow);
    }
    let span = hi - lo + 1;
    Ok(Value::Int(e, (v - lo).rem_euclid(span) + lo))
}

/// Nanoseconds in a millisecond, the unit of a 32-bit TIME.
pub const NS_PER_MS: i128 = 1_000_000;

/// A duration or date of `ns` nanoseconds in its dialect's representation (the simulator and
/// the verifier's bit-vectors alike): a 32-bit millisecond TIME keeps whole milliseconds
/// (rounded towards minus infinity, as a millisecond tick counts) modulo 2^32; every other
/// duration or date wraps into 64 bits of nanoseconds (±292 years). The value is always held
/// in nanoseconds.
pub fn time(e: Elem, ns: i128, sem: Semantics) -> Value {
    if sem.counts_ms(e) {
        time_ms(e, ns.div_euclid(NS_PER_MS))
    } else {
        Value::Time(e, ns as i64 as i128)
    }
}

/// A value in its dialect's representation: a duration or date as [`time`] makes it, any other
/// value as it is (the values a test or a counterexample writes into a variable).
pub fn represent(v: Value, sem: Semantics) -> Value {
    match v {
        Value::Time(e, ns) => time(e, ns, sem),
        other => other,
    }
}

/// A 32-bit millisecond TIME of `ms` milliseconds, wrapped modulo 2^32.
fn time_ms(e: Elem, ms: i128) -> Value {
    Value::Time(e, ms.rem_euclid(1 << 32) * NS_PER_MS)
}

/// Rounds to the precision of the type: REAL results are single precision.
pub fn real(e: Elem, v: f64) -> Value {
    match e {
        Elem::Real => Value::Real(e, v as f32 as f64),
        _ => Value::Real(e, v),
    }
}

/// A binary operator on two values of the same type (the lowering inserts the conversions).
/// Comparisons give BOOL.
pub fn binary(op: BinaryOp, a: &Value, b: &Value, sem: Semantics) -> Result<Value, Fault> {
    let wrap = sem.wrap_integers;
    use BinaryOp::*;
    let compare = |o: std::cmp::Ordering| {
        Value::Bool(match op {
            Eq => o.is_eq(),
            Ne => o.is_ne(),
            Lt => o.is_lt(),
            Gt => o.is_gt(),
            Le => o.is_le(),
            _ => o.is_ge(),
        })
    };
    let is_comparison = matches!(op, Eq | Ne | Lt | Gt | Le | Ge);
    match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => Ok(Value::Bool(match op {
            And | AndThen => *x && *y,
            Or | OrElse => *x || *y,
            Xor => x != y,
            _ if is_comparison => return Ok(compare(x.cmp(y))),
            _ => return Err(Fault::TypeError),
        })),
        (Value::Int(e, x), Value::Int(_, y)) => {
            if is_comparison {
                return Ok(compare(x.cmp(y)));
            }
            let (x, y) = (*x, *y);
            let v = match op {
                Add => x + y,
                Sub => x - y,
                // i128 holds every product of two 64-bit values except ULINT × ULINT, whose
                // low 64 bits wrapping multiplication keeps.
                Mul if wrap => x.wrapping_mul(y),
                Mul => x.checked_mul(y).ok_or(Fault::Overflow)?,
                // Integer division truncates towards zero.
                Div if y == 0 => return Err(Fault::DivisionByZero),
                Div => x / y,
                // MOD is IN1 - (IN1 / IN2) * IN2, and 0 when IN2 = 0 (the standard's definition).
                Mod if y == 0 => 0,
                Mod => x % y,
                And => x & y,
                Or => x | y,
                Xor => x ^ y,
                _ => return Err(Fault::TypeError),
            };
            fit(*e, v, wrap)
        }
        (Value::Real(e, x), Value::Real(_, y)) => {
            if is_comparison {
                // IEEE 754: NaN is unordered; only `<>` holds.
                return Ok(x.partial_cmp(y).map_or(Value::Bool(op == Ne), compare));
            }
            let v = match op {
                Add => x + y,
                Sub => x - y,
                Mul => x * y,
                Div if *y == 0.0 && !sem.ieee_reals => return Err(Fault::DivisionByZero),
                Div => x / y,
                Power => x.powf(*y),
                _ => return Err(Fault::TypeError),
            };
            let v = real(*e, v);
            // The vendor dialects compute in IEEE 754 (±INF, NaN); the standard calls a result
            // outside the type an error.
            match v {
                Value::Real(_, r) if !r.is_finite() && !sem.ieee_reals => Err(Fault::Overflow),
                v => Ok(v),
            }
        }
        (Value::Time(e, x), Value::Time(_, y)) => {
            if is_comparison {
                return Ok(compare(x.cmp(y)));
            }
            match op {
                Add => Ok(time(*e, x + y, sem)),
                Sub => Ok(time(*e, x - y, sem)),
                _ => Err(Fault::TypeError),
            }
        }
        (Value::String(x), Value::String(y)) if is_comparison => Ok(compare(x.cmp(y))),
        _ => Err(Fault::TypeError),
    }
}

/// Unary minus.
pub fn negate(v: &Value, sem: Semantics) -> Result<Value, Fault> {
    match v {
        Value::Int(e, x) => fit(*e, -x, sem.wrap_integers),
        Value::Real(e, x) => Ok(real(*e, -x)),
        Value::Time(e, x) => Ok(time(*e, -x, sem)),
        _ => Err(Fault::TypeError),
    }
}

/// `NOT`: logical for BOOL, the complement of every bit for bit strings and (in the vendor
/// dialects) integers.
pub fn not(v: &Value) -> Result<Value, Fault> {
    match v {
        Value::Bool(b) => Ok(Value::Bool(!b)),
        Value::Int(e, x) if e.category() == Category::Signed => fit(*e, !x, true),
        Value::Int(e, x) => Ok(Value::Int(*e, !x & ((1i128 << e.bits()) - 1))),
        _ => Err(Fault::TypeError),
    }
}

/// Nanoseconds per unit of a duration or date type as an integer, as CODESYS and TwinCAT
/// convert them: TIME and TIME_OF_DAY in milliseconds, DATE and DATE_AND_TIME in seconds, the
/// long (L…) types in nanoseconds.
pub fn time_unit(e: Elem) -> i128 {
    match e {
        Elem::Time | Elem::Tod => 1_000_000,
        Elem::Date | Elem::Dt => 1_000_000_000,
        _ => 1,
    }
}

/// An explicit or implicit conversion to an elementary type (`*_TO_*`) in a dialect: where
/// integers narrow by their bits, an integer keeps its low bits in a smaller integer type; a
/// duration or date is made in the dialect's representation ([`time`]).
pub fn convert_in(v: &Value, to: Elem, sem: Semantics) -> Result<Value, Fault> {
    match v {
        Value::Int(_, x) if sem.narrow_by_bits && to.is_integer() => fit(to, *x, true),
        _ => convert_with(v, to, sem),
    }
}

/// The next value of a `FOR` variable, or `None` where it would leave its type's range, which
/// ends the loop (so `FOR i := 0 TO 32767` over an INT terminates).
pub fn for_next(e: Elem, i: i128, step: i128) -> Option<Value> {
    fit(e, i + step, false).ok()
}

/// An explicit or implicit conversion to an elementary type (`*_TO_*`), as the standard
/// defines it.
pub fn convert(v: &Value, to: Elem) -> Result<Value, Fault> {
    convert_with(v, to, Semantics::STRICT)
}

/// A conversion as the standard defines it, with durations and dates in the representation
/// `sem` gives them.
fn convert_with(v: &Value, to: Elem, sem: Semantics) -> Result<Value, Fault> {
    let to_cat = to.category();
    match v {
        Value::Bool(b) => match to_cat {
            _ if to == Elem::Bool => Ok(v.clone()),
            Category::Real => Ok(real(to, *b as i32 as f64)),
            _ if to.int_range().is_some() => fit(to, *b as i128, false),
            _ => Err(Fault::TypeError),
        },
        Value::Int(from, x) => match to_cat {
            // A bit string to BOOL is its rightmost bit.
            _ if to == Elem::Bool => Ok(Value::Bool(x & 1 == 1)),
            // To, from and between bit strings: a binary transfer of the two's-complement
            // pattern, rightmost bits kept, no sign extension (INT_TO_DWORD(-1) = 16#FFFF,
            // WORD_TO_INT(16#FFFF) = -1, DWORD_TO_WORD(16#12345678) = 16#5678).
            Category::Bit | Category::Signed | Category::Unsigned
                if to_cat == Category::Bit || from.category() == Category::Bit =>
            {
                let bits = to.bits().min(from.bits());
                fit(to, x & ((1i128 << bits) - 1), true)
            }
            Category::Bit | Category::Signed | Category::Unsigned => {
                fit(to, *x, false).map_err(|_| Fault::OutOfRange)
            }
            Category::Real => Ok(real(to, *x as f64)),
            Category::Duration | Category::Date => Ok(time(to, x * time_unit(to), sem)),
            Category::Char => {
                let max = (1i128 << to.bits()) - 1;
                if (0..=max).contains(x) {
                    Ok(Value::Int(to, *x))
                } else {
                    Err(Fault::OutOfRange)
                }
            }
        },
        Value::Real(_, x) => match to_cat {
            Category::Real => Ok(real(to, *x)),
            Category::Signed | Category::Unsigned | Category::Bit if to != Elem::Bool => {
                if !x.is_finite() {
                    return Err(Fault::OutOfRange);
                }
                // Nearest integer, halfway to the even one (IEC 60559).
                fit(to, x.round_ties_even() as i128, false).map_err(|_| Fault::OutOfRange)
            }
            // In the unit of the type (REAL_TO_TIME(1500.0) = T#1s500ms), to the nearest
            // nanosecond, or millisecond for a 32-bit TIME (halfway away from zero).
            Category::Duration | Category::Date if x.is_finite() && sem.counts_ms(to) => {
                Ok(time_ms(to, x.round() as i128))
            }
            Category::Duration | Category::Date if x.is_finite() => {
                Ok(time(to, (x * time_unit(to) as f64).round() as i128, sem))
            }
            Category::Duration | Category::Date => Err(Fault::OutOfRange),
            _ => Err(Fault::TypeError),
        },
        Value::Time(from, ns) => match to_cat {
            Category::Duration | Category::Date => Ok(time(to, *ns, sem)),
            // In the unit of the type: TIME_TO_DINT(T#1s) = 1000, DT_TO_DWORD counts seconds.
            Category::Signed | Category::Unsigned | Category::Bit if to != Elem::Bool => {
                fit(to, ns.div_euclid(time_unit(*from)), false).map_err(|_| Fault::OutOfRange)
            }
            Category::Real => Ok(real(to, *ns as f64 / time_unit(*from) as f64)),
            _ => Err(Fault::TypeError),
        },
        Value::String(_) | Value::Address(_) => Err(Fault::TypeError),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use BinaryOp::*;

    const W: Semantics = Semantics::WRAPPING;
    const S: Semantics = Semantics::STRICT;

    fn int(e: Elem, v: i128) -> Value {
        Value::Int(e, v)
    }

    #[test]
    fn integers_wrap_or_fault_by_dialect() {
        let max = int(Elem::Int, 32_767);
        let one = int(Elem::Int, 1);
        assert_eq!(binary(Add, &max, &one, W), Ok(int(Elem::Int, -32_768)));
        assert_eq!(binary(Add, &max, &one, S), Err(Fault::Overflow));
        let zero = int(Elem::USInt, 0);
        assert_eq!(
            binary(Sub, &zero, &int(Elem::USInt, 1), W),
            Ok(int(Elem::USInt, 255))
        );
        let big = int(Elem::ULInt, u64::MAX as i128);
        assert_eq!(binary(Mul, &big, &big, W), Ok(int(Elem::ULInt, 1)));
        assert_eq!(binary(Mul, &big, &big, S), Err(Fault::Overflow));
    }

    #[test]
    fn only_the_standard_faults_where_the_vendors_wrap() {
        use crate::sema::dialect::{CODESYS, IEC, SIEMENS, TWINCAT};
        assert_eq!(Semantics::of(&IEC), S);
        assert_eq!(Semantics::of(&SIEMENS), W);
        for vendor in [&CODESYS, &TWINCAT] {
            assert_eq!(
                Semantics::of(vendor),
                Semantics::WRAPPING_MS32,
                "{}",
                vendor.name
            );
        }
    }

    #[test]
    fn division_truncates_and_mod_by_zero_is_zero() {
        let (a, b) = (int(Elem::DInt, -7), int(Elem::DInt, 2));
        assert_eq!(binary(Div, &a, &b, S), Ok(int(Elem::DInt, -3)));
        assert_eq!(binary(Mod, &a, &b, S), Ok(int(Elem::DInt, -1)));
        let zero = int(Elem::DInt, 0);
        assert_eq!(binary(Div, &a, &zero, W), Err(Fault::DivisionByZero));
        assert_eq!(binary(Mod, &a, &zero, W), Ok(int(Elem::DInt, 0)));
    }

    #[test]
    fn real_results_are_single_precision() {
        let third = binary(
            Div,
            &Value::Real(Elem::Real, 1.0),
            &Value::Real(Elem::Real, 3.0),
            S,
        );
        assert_eq!(third, Ok(Value::Real(Elem::Real, (1.0f32 / 3.0) as f64)));
    }

    #[test]
    fn conversions_follow_the_library_readme() {
        // Halfway rounds to the even neighbour.
        assert_eq!(
            convert(&Value::Real(Elem::Real, 2.5), Elem::Int),
            Ok(int(Elem::Int, 2))
        );
        assert_eq!(
            convert(&Value::Real(Elem::Real, 3.5), Elem::Int),
            Ok(int(Elem::Int, 4))
        );
        // Integer to bit string: the pattern, no sign extension.
        assert_eq!(
            convert(&int(Elem::Int, -1), Elem::DWord),
            Ok(int(Elem::DWord, 0xFFFF))
        );
        assert_eq!(
            convert(&int(Elem::Int, 300), Elem::SInt),
            Err(Fault::OutOfRange)
        );
        assert_eq!(
            convert(&Value::Time(Elem::Time, 1_500_000_000), Elem::DInt),
            Ok(int(Elem::DInt, 1500))
        );
        assert_eq!(
            convert(&Value::Real(Elem::Real, 1500.0), Elem::Time),
            Ok(Value::Time(Elem::Time, 1_500_000_000))
        );
        assert_eq!(
            convert(&int(Elem::Byte, 6), Elem::Bool),
            Ok(Value::Bool(false))
        );
    }

    #[test]
    fn comparisons_and_time_arithmetic() {
        let (a, b) = (Value::Time(Elem::Time, 5), Value::Time(Elem::Time, 7));
        assert_eq!(binary(Lt, &a, &b, S), Ok(Value::Bool(true)));
        assert_eq!(binary(Add, &a, &b, S), Ok(Value::Time(Elem::Time, 12)));
        assert_eq!(
            binary(Xor, &Value::Bool(true), &Value::Bool(true), S),
            Ok(Value::Bool(false))
        );
    }

    #[test]
    fn time_counts_32_bit_milliseconds_where_the_dialect_says() {
        use crate::sema::dialect::Dialect;
        let ms = |n: i128| Value::Time(Elem::Time, n * NS_PER_MS);
        let m = Semantics::of(Dialect::Twincat.profile());
        assert_eq!(m, Semantics::of(Dialect::Codesys.profile()));
        assert!(m.time_ms32 && m.counts_ms(Elem::Time) && !m.counts_ms(Elem::LTime));
        for d in [Dialect::Iec, Dialect::Siemens, Dialect::Rusty] {
            assert!(!Semantics::of(d.profile()).time_ms32, "{d:?}");
        }
        // Finer durations are truncated to the millisecond; the count wraps modulo 2^32 ms.
        assert_eq!(time(Elem::Time, 1_500_000, m), ms(1));
        assert_eq!(
            time(Elem::Time, 1_500_000, W),
            Value::Time(Elem::Time, 1_500_000)
        );
        let top = ms((1 << 32) - 1);
        assert_eq!(binary(Add, &top, &ms(3), m), Ok(ms(2)));
        assert_eq!(binary(Sub, &ms(2), &top, m), Ok(ms(3)));
        assert_eq!(binary(Sub, &ms(0), &ms(1), m), Ok(top.clone()));
        assert_eq!(negate(&ms(1), m), Ok(top.clone()));
        // Unsigned: the largest count is the longest duration.
        assert_eq!(binary(Gt, &top, &ms(0), m), Ok(Value::Bool(true)));
        // 64-bit nanoseconds elsewhere, and for LTIME everywhere.
        let lt = Value::Time(Elem::LTime, (1 << 32) * NS_PER_MS);
        assert_eq!(
            binary(Add, &lt, &lt, m),
            Ok(Value::Time(Elem::LTime, (1 << 33) * NS_PER_MS))
        );
        assert_eq!(
            binary(
                Sub,
                &Value::Time(Elem::Time, 0),
                &Value::Time(Elem::Time, 1),
                S
            ),
            Ok(Value::Time(Elem::Time, -1))
        );
        // Conversions: in milliseconds, modulo 2^32 ms.
        assert_eq!(
            convert_in(&top, Elem::LInt, m),
            Ok(int(Elem::LInt, (1 << 32) - 1))
        );
        assert_eq!(convert_in(&top, Elem::DInt, m), Err(Fault::OutOfRange));
        assert_eq!(
            convert_in(&int(Elem::DInt, -1), Elem::Time, m),
            Ok(top.clone())
        );
        assert_eq!(
            convert_in(&int(Elem::LInt, 1 << 32), Elem::Time, m),
            Ok(ms(0))
        );
        assert_eq!(
            convert_in(&Value::Time(Elem::LTime, 2_999_999), Elem::Time, m),
            Ok(ms(2))
        );
        assert_eq!(
            convert_in(&top, Elem::LTime, m),
            Ok(Value::Time(Elem::LTime, ((1 << 32) - 1) * NS_PER_MS))
        );
        // REAL to TIME rounds to the nearest millisecond, halfway away from zero.
        assert_eq!(
            convert_in(&Value::Real(Elem::Real, 1.5), Elem::Time, m),
            Ok(ms(2))
        );
        assert_eq!(
            convert_in(&Value::Real(Elem::Real, -1.0), Elem::Time, m),
            Ok(top.clone())
        );
        assert_eq!(
            convert_in(&ms(1500), Elem::Real, m),
            Ok(Value::Real(Elem::Real, 1500.0))
        );
        // The clock read as TIME: whole milliseconds of it, modulo 2^32.
        let now = ((1i128 << 32) + 5) * NS_PER_MS + 700_000;
        assert_eq!(
            builtins::call(crate::ir::Builtin::Now(Elem::Time), &[], now, m),
            Ok(ms(5))
        );
        assert_eq!(
            builtins::call(crate::ir::Builtin::Now(Elem::LTime), &[], now, m),
            Ok(Value::Time(Elem::LTime, now))
        );
        // MUL_TIME and DIV_TIME on the count of milliseconds.
        let div = builtins::call(
            crate::ir::Builtin::DivTime,
            &[ms(7), int(Elem::DInt, 2)],
            0,
            m,
        );
        assert_eq!(div, Ok(ms(3)));
        let mul = builtins::call(
            crate::ir::Builtin::MulTime,
            &[top.clone(), int(Elem::DInt, 2)],
            0,
            m,
        );
        assert_eq!(mul, Ok(ms((1 << 32) - 2)));
    }
}
