//! Run-time values written as ST literals, for reports: what a test expected and what it got
//! must read the way the engineer writes them in ST (`TRUE`, `-3`, `2.0`, `T#1s500ms`,
//! `'abc'`, an enumeration value's name), so a report line can be compared with a spec by eye
//! and by tools (the corpus's `// FAILS:` headers).

use crate::ir::Ty;
use crate::sema::types::{Category, Elem};
use crate::value::Value;

/// A value as an ST literal. With its type, an integer of an enumeration is written by the
/// value's name.
pub fn value(v: &Value, ty: Option<&Ty>) -> String {
    match v {
        Value::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Value::Int(_, i) => match ty.map(unwrap_in_out) {
            Some(Ty::Enum { values, .. }) => values
                .iter()
                .find(|(_, x)| x == i)
                .map_or_else(|| i.to_string(), |(name, _)| name.to_string()),
            _ => i.to_string(),
        },
        Value::Real(e, x) => real(*e, *x),
        Value::Time(e, ns) => time(*e, *ns),
        Value::String(s) => string(s),
        // The slot behind a VAR_IN_OUT: no ST literal, and never a variable's own value.
        Value::Address(slot) => format!("<address {slot}>"),
    }
}

/// The type a `VAR_IN_OUT` refers to.
pub fn unwrap_in_out(ty: &Ty) -> &Ty {
    match ty {
        Ty::InOut(inner) => unwrap_in_out(inner),
        other => other,
    }
}

/// A REAL or LREAL with a decimal point and the shortest digits that read back as the same
/// value at the type's precision: REAL 0.1 is `0.1`, not `0.10000000149011612`.
pub fn real(e: Elem, x: f64) -> String {
    let mut text = if e == Elem::Real {
        (x as f32).to_string()
    } else {
        x.to_string()
    };
    // Rust writes no exponent, so a finite value lacks a point only when it is whole.
    if x.is_finite() && !text.contains('.') {
        text.push_str(".0");
    }
    text
}

/// A duration (`T#1s500ms`, `LTIME#2us`) or a date and time (`D#2024-01-31`, `TOD#08:30:00`,
/// `DT#2024-01-31-08:30:00`) from nanoseconds.
pub fn time(e: Elem, ns: i128) -> String {
    match e.category() {
        Category::Date => date_time(e, ns),
        _ => {
            let prefix = if e == Elem::LTime { "LTIME#" } else { "T#" };
            format!("{prefix}{}", duration(ns))
        }
    }
}

/// The body of a duration literal, largest unit first, zero units left out.
fn duration(ns: i128) -> String {
    const UNITS: [(&str, i128); 7] = [
        ("d", 86_400_000_000_000),
        ("h", 3_600_000_000_000),
        ("m", 60_000_000_000),
        ("s", 1_000_000_000),
        ("ms", 1_000_000),
        ("us", 1_000),
        ("ns", 1),
    ];
    if ns == 0 {
        return "0s".to_string();
    }
    let mut text = String::from(if ns < 0 { "-" } else { "" });
    let mut rest = ns.unsigned_abs();
    for (unit, scale) in UNITS {
        let scale = scale as u128;
        if rest >= scale {
            text.push_str(&format!("{}{unit}", rest / scale));
            rest %= scale;
        }
    }
    text
}

const NS_PER_DAY: i128 = 86_400_000_000_000;

fn date_time(e: Elem, ns: i128) -> String {
    let days = ns.div_euclid(NS_PER_DAY);
    let of_day = ns.rem_euclid(NS_PER_DAY);
    match e {
        Elem::Date => format!("D#{}", date(days)),
        Elem::LDate => format!("LDATE#{}", date(days)),
        Elem::Tod => format!("TOD#{}", time_of_day(of_day)),
        Elem::LTod => format!("LTOD#{}", time_of_day(of_day)),
        Elem::Ldt => format!("LDT#{}-{}", date(days), time_of_day(of_day)),
        _ => format!("DT#{}-{}", date(days), time_of_day(of_day)),
    }
}

/// `YYYY-MM-DD` of a day count since 1970-01-01 (the proleptic Gregorian calendar; Howard
/// Hinnant's `civil_from_days`).
fn date(days: i128) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i128::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// `HH:MM:SS`, with the fraction of a second when there is one.
fn time_of_day(ns: i128) -> String {
    let seconds = ns / 1_000_000_000;
    let fraction = ns % 1_000_000_000;
    let mut text = format!(
        "{:02}:{:02}:{:02}",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    );
    if fraction != 0 {
        let digits = format!("{fraction:09}");
        text.push('.');
        text.push_str(digits.trim_end_matches('0'));
    }
    text
}

/// A single-quoted ST string with `$` escapes for the quote, the dollar sign and control
/// characters.
fn string(s: &str) -> String {
    let mut text = String::from("'");
    for c in s.chars() {
        match c {
            '\'' => text.push_str("$'"),
            '$' => text.push_str("$$"),
            '\n' => text.push_str("$N"),
            '\r' => text.push_str("$R"),
            '\t' => text.push_str("$T"),
            c if (c as u32) < 0x20 => text.push_str(&format!("${:02X}", c as u32)),
            c => text.push(c),
        }
    }
    text.push('\'');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reals_have_a_point_and_the_shortest_digits() {
        assert_eq!(real(Elem::Real, 0.1f32 as f64), "0.1");
        assert_eq!(real(Elem::Real, 2.0), "2.0");
        assert_eq!(real(Elem::Real, 799.0), "799.0");
        assert_eq!(real(Elem::Real, -2.5), "-2.5");
        assert_eq!(real(Elem::LReal, 0.1), "0.1");
        assert_eq!(real(Elem::LReal, 0.1f32 as f64), "0.10000000149011612");
    }

    #[test]
    fn durations_are_canonical_literals() {
        assert_eq!(time(Elem::Time, 1_500_000_000), "T#1s500ms");
        assert_eq!(time(Elem::Time, 0), "T#0s");
        assert_eq!(time(Elem::Time, 20_000_000), "T#20ms");
        assert_eq!(time(Elem::Time, 90_000_000_000), "T#1m30s");
        assert_eq!(time(Elem::Time, -1_000_000_001), "T#-1s1ns");
        assert_eq!(time(Elem::LTime, 26 * 3_600_000_000_000), "LTIME#1d2h");
    }

    #[test]
    fn dates_and_times_of_day() {
        let day = NS_PER_DAY;
        assert_eq!(time(Elem::Date, 0), "D#1970-01-01");
        assert_eq!(time(Elem::Date, 19_753 * day), "D#2024-01-31");
        assert_eq!(time(Elem::Tod, 30_600_500_000_000), "TOD#08:30:00.5");
        assert_eq!(
            time(Elem::Dt, 19_753 * day + 30_600_000_000_000),
            "DT#2024-01-31-08:30:00"
        );
    }

    #[test]
    fn enumerations_by_name_and_strings_quoted() {
        let ty = Ty::Enum {
            base: Elem::Int,
            values: vec![("Idle".into(), 0), ("Run".into(), 5)],
        };
        assert_eq!(value(&Value::Int(Elem::Int, 5), Some(&ty)), "Run");
        assert_eq!(value(&Value::Int(Elem::Int, 7), Some(&ty)), "7");
        assert_eq!(value(&Value::Int(Elem::Int, -3), None), "-3");
        assert_eq!(value(&Value::Bool(false), None), "FALSE");
        assert_eq!(value(&Value::String("it's $5".into()), None), "'it$'s $$5'");
    }
}
