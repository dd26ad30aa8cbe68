//! Reading literal text: validation for the lexer and value decoding for later stages. One
//! decoder per literal family, so that "is it valid" and "what is its value" never disagree.

use super::token::TokenKind;

/// Every `PREFIX#` of a date or time literal, with the literal kind it introduces (also the
/// source of the generation grammar's literal forms, `llm::grammar`).
pub const DATE_TIME_PREFIXES: &[(&str, TokenKind)] = &[
    ("T", TokenKind::Time),
    ("TIME", TokenKind::Time),
    ("LT", TokenKind::Time),
    ("LTIME", TokenKind::Time),
    ("D", TokenKind::Date),
    ("DATE", TokenKind::Date),
    ("LD", TokenKind::Date),
    ("LDATE", TokenKind::Date),
    ("TOD", TokenKind::TimeOfDay),
    ("TIME_OF_DAY", TokenKind::TimeOfDay),
    ("LTOD", TokenKind::TimeOfDay),
    ("LTIME_OF_DAY", TokenKind::TimeOfDay),
    ("DT", TokenKind::DateAndTime),
    ("DATE_AND_TIME", TokenKind::DateAndTime),
    ("LDT", TokenKind::DateAndTime),
    ("LDATE_AND_TIME", TokenKind::DateAndTime),
];

/// The literal kind a `PREFIX#` introduces, for the date and time prefixes.
pub fn date_time_prefix(word: &str) -> Option<TokenKind> {
    DATE_TIME_PREFIXES
        .iter()
        .find(|(p, _)| p.eq_ignore_ascii_case(word))
        .map(|&(_, k)| k)
}

/// The value of an integer literal such as `1_000`, `16#FF` or `2#1010`.
pub fn integer_value(text: &str) -> Result<u128, String> {
    let (base, digits) = match text.split_once('#') {
        Some((base, digits)) => {
            let base: u32 = base
                .replace('_', "")
                .parse()
                .map_err(|_| format!("`{base}` is not a number base"))?;
            // IEC allows 2, 8 and 16; TwinCAT also reads an explicit 10#.
            if !matches!(base, 2 | 8 | 10 | 16) {
                return Err(format!(
                    "base {base} is not allowed: use 2#, 8#, 10# or 16#"
                ));
            }
            (base, digits)
        }
        None => (10, text),
    };
    let mut value: u128 = 0;
    let mut any = false;
    for c in digits.chars() {
        if c == '_' {
            continue;
        }
        let digit = c
            .to_digit(base)
            .ok_or_else(|| format!("`{c}` is not a digit in base {base}"))?;
        value = value
            .checked_mul(base as u128)
            .and_then(|v| v.checked_add(digit as u128))
            .ok_or("integer literal is too large")?;
        any = true;
    }
    if !any {
        return Err(format!("`{text}` has no digits"));
    }
    Ok(value)
}

pub fn check_based_integer(text: &str) -> Result<(), String> {
    integer_value(text).map(|_| ())
}

/// A duration in nanoseconds from the body of a TIME literal (after `T#`), e.g. `1h2m3s4ms`,
/// `-5s`, `1.5s`, `1d_2h`. Units must appear largest first, each at most once.
pub fn time_value(body: &str) -> Result<i128, String> {
    const UNITS: &[(&str, i128)] = &[
        ("d", 86_400_000_000_000),
        ("h", 3_600_000_000_000),
        ("ms", 1_000_000),
        ("m", 60_000_000_000),
        ("s", 1_000_000_000),
        ("us", 1_000),
        ("ns", 1),
    ];
    // Largest first; `ms` is listed before `m` above only so that it is matched first.
    const ORDER: &[&str] = &["d", "h", "m", "s", "ms", "us", "ns"];
    let (negative, mut rest) = match body.as_bytes().first() {
        Some(b'-') => (true, &body[1..]),
        Some(b'+') => (false, &body[1..]),
        _ => (false, body),
    };
    if rest.is_empty() {
        return Err("TIME literal has no value".into());
    }
    let mut total: f64 = 0.0;
    let mut last_rank: Option<usize> = None;
    while !rest.is_empty() {
        rest = rest.trim_start_matches('_');
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_'))
            .unwrap_or(rest.len());
        if number_len == 0 {
            return Err(format!("expected a number in TIME literal, found `{rest}`"));
        }
        let number: f64 = rest[..number_len]
            .replace('_', "")
            .parse()
            .map_err(|_| format!("`{}` is not a number", &rest[..number_len]))?;
        rest = &rest[number_len..];
        let lower = rest.to_ascii_lowercase();
        let (unit, scale) = UNITS
            .iter()
            .find(|(u, _)| lower.starts_with(u))
            .ok_or_else(|| match rest.chars().next() {
                Some(c) => format!("`{c}` is not a TIME unit (d, h, m, s, ms, us, ns)"),
                None => "TIME literal needs a unit (d, h, m, s, ms, us, ns)".into(),
            })?;
        let rank = ORDER
            .iter()
            .position(|u| u == unit)
            .expect("every unit is ranked");
        if last_rank.is_some_and(|last| rank <= last) {
            return Err(format!(
                "unit `{unit}` is out of order: use d, h, m, s, ms, us, ns"
            ));
        }
        last_rank = Some(rank);
        total += number * *scale as f64;
        rest = &rest[unit.len()..];
    }
    let ns = total.round() as i128;
    Ok(if negative { -ns } else { ns })
}

fn number_in(text: &str, range: std::ops::RangeInclusive<u32>, what: &str) -> Result<u32, String> {
    let value: u32 = text
        .parse()
        .ok()
        .filter(|_| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| format!("`{text}` is not a valid {what}"))?;
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(format!(
            "{what} {value} is out of range {}..{}",
            range.start(),
            range.end()
        ))
    }
}

/// `YYYY-MM-DD` → (year, month, day).
pub fn date_value(body: &str) -> Result<(u32, u32, u32), String> {
    let parts: Vec<&str> = body.split('-').collect();
    let [year, month, day] = parts[..] else {
        return Err(format!("`{body}` is not a date: use YYYY-MM-DD"));
    };
    let year = number_in(year, 1970..=9999, "year")?;
    let month = number_in(month, 1..=12, "month")?;
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    let day = number_in(day, 1..=days, "day")?;
    Ok((year, month, day))
}

/// `HH:MM[:SS[.fff]]` → nanoseconds since midnight.
pub fn time_of_day_value(body: &str) -> Result<i128, String> {
    let parts: Vec<&str> = body.split(':').collect();
    let (hours, minutes, seconds) = match parts[..] {
        [h, m] => (h, m, "0"),
        [h, m, s] => (h, m, s),
        _ => return Err(format!("`{body}` is not a time of day: use HH:MM:SS")),
    };
    let hours = number_in(hours, 0..=23, "hour")?;
    let minutes = number_in(minutes, 0..=59, "minute")?;
    let seconds = seconds.replace('_', "");
    let (whole, fraction) = seconds.split_once('.').unwrap_or((&seconds, ""));
    let whole = number_in(whole, 0..=59, "second")?;
    if !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("`{seconds}` is not a valid second"));
    }
    let fraction_ns: i128 = format!("{fraction:0<9}")[..9].parse().unwrap_or(0);
    Ok(((hours as i128 * 60 + minutes as i128) * 60 + whole as i128) * 1_000_000_000 + fraction_ns)
}

/// Checks the body of a date or time literal of the given kind.
pub fn check_date_time(kind: TokenKind, body: &str) -> Result<(), String> {
    match kind {
        TokenKind::Time => time_value(body).map(|_| ()),
        TokenKind::Date => date_value(body).map(|_| ()),
        TokenKind::TimeOfDay => time_of_day_value(body).map(|_| ()),
        TokenKind::DateAndTime => {
            // YYYY-MM-DD-HH:MM:SS: the date is the first three dash-separated fields.
            let split = body
                .match_indices('-')
                .nth(2)
                .map(|(i, _)| i)
                .ok_or_else(|| {
                    format!("`{body}` is not a date and time: use YYYY-MM-DD-HH:MM:SS")
                })?;
            date_value(&body[..split])?;
            time_of_day_value(&body[split + 1..]).map(|_| ())
        }
        _ => unreachable!("not a date or time literal kind"),
    }
}

/// `%IX0.0`, `%QW4`, `%MD10`, `%I*`, `%Q*`: location, optional size, then dotted numbers or `*`.
/// The value of a string literal as written, quotes included (`'a$N$27'`): the escapes `$$`,
/// `$'`, `$"`, `$L`, `$N`, `$P`, `$R`, `$T` and `$hh` (`$hhhh` in WSTRINGs) decoded.
pub fn string_value(text: &str) -> String {
    let wide = text.starts_with('"');
    let inner = text.get(1..text.len().saturating_sub(1)).unwrap_or("");
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '$' {
            out.push(c);
            continue;
        }
        let Some(e) = chars.next() else { break };
        let decoded = match e.to_ascii_uppercase() {
            'L' | 'N' => '\n',
            'P' => '\x0C',
            'R' => '\r',
            'T' => '\t',
            c if c.is_ascii_hexdigit() => {
                let digits = if wide { 3 } else { 1 };
                let hex: String = std::iter::once(c)
                    .chain(chars.by_ref().take(digits))
                    .collect();
                u32::from_str_radix(&hex, 16)
                    .ok()
                    .and_then(char::from_u32)
                    .unwrap_or('?')
            }
            other => other,
        };
        out.push(decoded);
    }
    out
}

pub fn check_address(text: &str) -> Result<(), String> {
    let rest = &text[1..];
    let mut chars = rest.chars();
    let location = chars.next().map(|c| c.to_ascii_uppercase());
    if !matches!(location, Some('I' | 'Q' | 'M')) {
        return Err(format!(
            "`{text}` is not a direct address: use %I, %Q or %M"
        ));
    }
    let mut rest = &rest[1..];
    if rest.starts_with(['X', 'B', 'W', 'D', 'L', 'x', 'b', 'w', 'd', 'l']) {
        rest = &rest[1..];
    }
    let valid = rest == "*"
        || (!rest.is_empty()
            && rest
                .split('.')
                .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit())));
    if valid {
        Ok(())
    } else {
        Err(format!(
            "`{text}` is not a direct address such as %IX0.0, %QW4 or %I*"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers() {
        assert_eq!(integer_value("1_000"), Ok(1000));
        assert_eq!(integer_value("16#FF"), Ok(255));
        assert_eq!(integer_value("2#1010_1010"), Ok(170));
        assert_eq!(integer_value("8#17"), Ok(15));
        assert_eq!(
            integer_value("2#102"),
            Err("`2` is not a digit in base 2".into())
        );
        assert_eq!(
            integer_value("7#1"),
            Err("base 7 is not allowed: use 2#, 8#, 10# or 16#".into())
        );
    }

    #[test]
    fn times() {
        assert_eq!(time_value("1h2m3s4ms"), Ok(3_723_004_000_000));
        assert_eq!(time_value("-5s"), Ok(-5_000_000_000));
        assert_eq!(time_value("1.5s"), Ok(1_500_000_000));
        assert_eq!(time_value("1d_2h"), Ok(93_600_000_000_000));
        assert_eq!(time_value("5us10ns"), Ok(5_010));
        assert!(
            time_value("5x")
                .unwrap_err()
                .contains("`x` is not a TIME unit")
        );
        assert!(time_value("5s1h").unwrap_err().contains("out of order"));
    }

    #[test]
    fn dates_and_times_of_day() {
        assert_eq!(date_value("2024-02-29"), Ok((2024, 2, 29)));
        assert!(date_value("2023-02-29").is_err());
        assert_eq!(time_of_day_value("12:00:00.5"), Ok(43_200_500_000_000));
        assert!(check_date_time(TokenKind::DateAndTime, "2024-01-31-12:00:00").is_ok());
        assert!(check_date_time(TokenKind::DateAndTime, "2024-01-31").is_err());
    }

    #[test]
    fn addresses() {
        for ok in ["%IX0.0", "%QW4", "%MD10", "%I*", "%q*", "%IX1.2.3"] {
            assert_eq!(check_address(ok), Ok(()), "{ok}");
        }
        for bad in ["%", "%Z1", "%IX", "%IX0."] {
            assert!(check_address(bad).is_err(), "{bad}");
        }
    }
}
