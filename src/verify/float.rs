//! REAL and LREAL as z3 floating-point terms (IEEE 754 binary32 and binary64, rounding to
//! nearest with ties to even): the symbolic counterpart of `value`'s REAL operations, each
//! built to give exactly the value the simulator computes, specials (±0, ±INF, NaN) and
//! subnormals included.
//!
//! The simulator computes a REAL operation in f64 and rounds the result to single precision
//! (`value::real`). For +, −, ×, ÷ and √ of single-precision operands that is the correctly
//! rounded single-precision result, because binary64 carries more than 2·24 + 2 significand
//! bits (the double rounding is innocuous: S. Figueroa, "When is double rounding innocuous?",
//! 1995), so these are encoded as Float32 operations. Where the simulator's two roundings are
//! not innocuous (a 64-bit integer to REAL goes through f64; a duration to REAL divides in
//! f64), the encoder builds the same two roundings. The differential tests in
//! `symbolic.rs` compare every operation with `value` on random operands and specials.
//!
//! The z3 crate has no term for an integer-to-float conversion; those two are built with
//! z3-sys through the crate's documented raw interface (`Ast::wrap`, `get_z3_ast`).

use crate::sema::types::Elem;
use crate::syntax::ast::BinaryOp;
use z3::Sort;
use z3::ast::{Ast, BV, Bool, Float, RoundingMode};
use z3_sys::{Z3_ast, Z3_context, Z3_sort};

/// Exponent and significand bits (with the hidden bit) of a REAL type's terms.
fn format(e: Elem) -> (u32, u32) {
    match e {
        Elem::Real => (8, 24),
        _ => (11, 53),
    }
}

fn sort(e: Elem) -> Sort {
    let (ebits, sbits) = format(e);
    Sort::float(ebits, sbits)
}

pub fn rne() -> RoundingMode {
    RoundingMode::round_nearest_ties_to_even()
}

/// A constant of the type, from its exact bit pattern (NaN, -0.0 and subnormals included).
pub fn constant(e: Elem, x: f64) -> Float {
    let bits = match e {
        Elem::Real => BV::from_u64((x as f32).to_bits() as u64, 32),
        _ => BV::from_u64(x.to_bits(), 64),
    };
    // SAFETY: the handles are live terms and a sort of the bit-vector's thread context; the
    // result is a new term, which `wrap` takes a reference on.
    unsafe {
        let ctx = bits.get_ctx();
        let ast = z3_sys::Z3_mk_fpa_to_fp_bv(
            ctx.get_z3_context(),
            bits.get_z3_ast(),
            sort(e).get_z3_sort(),
        )
        .expect("z3 builds a float from bits");
        Float::wrap(ctx, ast)
    }
}

/// A named unconstrained value of the type.
pub fn named(e: Elem, name: &str) -> Float {
    let (ebits, sbits) = format(e);
    Float::new_const(name, ebits, sbits)
}

/// A fresh unconstrained value of the type.
pub fn fresh(e: Elem, prefix: &str) -> Float {
    let (ebits, sbits) = format(e);
    Float::fresh_const(prefix, ebits, sbits)
}

type ToFp = unsafe extern "C" fn(Z3_context, Z3_ast, Z3_ast, Z3_sort) -> Option<Z3_ast>;

/// `x` (a two's-complement or unsigned bit-vector) rounded to nearest-even in `e`.
fn from_bits_value(x: &BV, signed: bool, e: Elem) -> Float {
    let make: ToFp = if signed {
        z3_sys::Z3_mk_fpa_to_fp_signed
    } else {
        z3_sys::Z3_mk_fpa_to_fp_unsigned
    };
    // SAFETY: as in `constant`.
    unsafe {
        let ctx = x.get_ctx();
        let ast = make(
            ctx.get_z3_context(),
            rne().get_z3_ast(),
            x.get_z3_ast(),
            sort(e).get_z3_sort(),
        )
        .expect("z3 builds an integer conversion");
        Float::wrap(ctx, ast)
    }
}

/// An integer to a REAL type as `value::convert` does it: `x as f64`, then rounded to the
/// type (two roundings for REAL, which differ from one only for integers beyond 2^53).
pub fn from_int(x: &BV, signed: bool, to: Elem) -> Float {
    if x.get_size() <= 32 {
        // Exact in f64, so the only rounding is the one to the type.
        return from_bits_value(x, signed, to);
    }
    round(&from_bits_value(x, signed, Elem::LReal), to)
}

/// A duration of `ns` (64-bit) in units of `unit` nanoseconds as a REAL type, as
/// `value::convert` does it: `ns as f64 / unit as f64`, then rounded to the type.
pub fn from_duration(ns: &BV, unit: i128, signed: bool, to: Elem) -> Float {
    let wide = from_bits_value(ns, signed, Elem::LReal);
    let q = wide.div_with_rounding_mode(constant(Elem::LReal, unit as f64), &rne());
    round(&q, to)
}

/// A REAL value rounded to the type `to` (exact from REAL to LREAL).
pub fn round(x: &Float, to: Elem) -> Float {
    let (ebits, sbits) = format(to);
    let s = x.get_sort();
    if s.float_exponent_size() == Some(ebits) && s.float_significand_size() == Some(sbits) {
        return x.clone();
    }
    x.to_fp_with_rounding_mode(&rne(), &sort(to))
}

/// Neither NaN nor infinite.
pub fn is_finite(x: &Float) -> Bool {
    Bool::or(&[&x.is_nan(), &x.is_infinite()]).not()
}

/// An IEEE comparison, as Rust's `partial_cmp` gives it: NaN is unordered (only `<>` holds),
/// -0.0 equals 0.0.
pub fn compare(op: BinaryOp, x: &Float, y: &Float) -> Bool {
    use BinaryOp::*;
    match op {
        Eq => x.eq_fpa(y),
        Ne => x.eq_fpa(y).not(),
        Lt => x.lt(y),
        Gt => x.gt(y),
        Le => x.le(y),
        _ => x.ge(y),
    }
}

/// `+`, `-`, `*`, `/` rounded to the operands' type; `None` for the operations with no exact
/// term (`**`).
pub fn arith(op: BinaryOp, x: &Float, y: &Float) -> Option<Float> {
    use BinaryOp::*;
    let rm = rne();
    Some(match op {
        Add => x.add_with_rounding_mode(y, &rm),
        Sub => x.sub_with_rounding_mode(y, &rm),
        Mul => x.mul_with_rounding_mode(y, &rm),
        Div => x.div_with_rounding_mode(y, &rm),
        _ => return None,
    })
}

/// A REAL value of the type `from` to the integer type `to`, rounded by `rm` (to nearest even
/// for a conversion, towards zero for TRUNC): the value's bits, and when it does not fit (NaN,
/// ±INF, or a rounded value outside the type), where `value` faults with R004.
pub fn to_int(x: &Float, from: Elem, to: Elem, rm: &RoundingMode) -> (BV, Bool) {
    let (lo, hi) = to.int_range().unwrap_or((0, 0));
    let r = x.round_to_integral_with_rounding_mode(rm);
    // The type's minimum and one past its maximum are 0 or powers of two: exact in both
    // formats, and an integral value lies in the type exactly when `lo <= r < hi + 1`.
    let outside = Bool::or(&[
        &is_finite(x).not(),
        &r.lt(constant(from, lo as f64)),
        &r.ge(constant(from, (hi + 1) as f64)),
    ]);
    let bits = to.bits();
    let v = if lo < 0 {
        r.to_sbv_with_rounding_mode(rm, bits)
    } else {
        r.to_ubv_with_rounding_mode(rm, bits)
    };
    (v, outside)
}

/// A finite REAL value of the type `from` in units of `unit` nanoseconds as 64-bit
/// nanoseconds, as `value::convert` does it: `(x * unit as f64).round() as i128`, wrapped into
/// 64 bits (the product in f64, rounded half away from zero; the cast saturates).
pub fn to_duration(x: &Float, unit: i128) -> BV {
    let wide = round(x, Elem::LReal);
    let p = wide.mul_with_rounding_mode(constant(Elem::LReal, unit as f64), &rne());
    let r = p.round_to_integral_with_rounding_mode(&RoundingMode::round_nearest_ties_to_away());
    let limit = 2f64.powi(127);
    let exact = r
        .to_sbv_with_rounding_mode(&RoundingMode::round_towards_zero(), 128)
        .extract(63, 0);
    // i128::MAX and i128::MIN keep all ones and all zeros in their low 64 bits.
    r.ge(constant(Elem::LReal, limit)).ite(
        &BV::from_i64(-1, 64),
        &r.le(constant(Elem::LReal, -limit))
            .ite(&BV::from_i64(0, 64), &exact),
    )
}

/// The value's IEEE bit pattern as a float of its type (for reading a model).
pub fn value_of_bits(e: Elem, bits: u64) -> f64 {
    match e {
        Elem::Real => f32::from_bits(bits as u32) as f64,
        _ => f64::from_bits(bits),
    }
}
