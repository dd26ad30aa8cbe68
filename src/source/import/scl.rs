//! Siemens SCL sources (`.scl`, as TIA Portal generates them from blocks). SCL is ST with a few
//! spellings of its own; the importer rewrites those in place, keeping every other byte, and
//! pads each rewrite to the length of what it replaces where it can, so lines and columns stay
//! those of the original:
//!
//! - `#local` → ` local`, `"Block name"` → ` Block_name ` (quoted names are identifiers);
//! - `BEGIN` (start of the body), `VERSION : 0.1`, `TITLE = …`, `AUTHOR : …`, `FAMILY : …`,
//!   `NAME : …`, `NON_RETAIN`, `KNOW_HOW_PROTECT`, `REGION …`/`END_REGION` → blanks;
//! - `VAR_TEMP` in a `FUNCTION` → `VAR` (function locals are temporary in IEC too);
//! - `ORGANIZATION_BLOCK` → `PROGRAM`; `TON_TIME`, `CTU_INT`, … → `TON`, `CTU`, …; `FUNCTION "F" : Void` → a function without a result;
//!   `TYPE "T"` gets the `:` ST needs before its structure;
//! - classic S7 `CONST Name := 100.0; END_CONST` → `VAR CONSTANT Name : REAL := 100.0; END_VAR`
//!   (the type from the literal: `BOOL`, `INT` or `DINT` by value, `REAL`, `TIME`, `STRING`, or a
//!   typed literal's own);
//! - `x += e;` (and `-=`, `*=`, `/=`) → `x := x + (e);`;
//! - identifiers with letters beyond ASCII (`Verstärkung`, allowed in SCL) → ASCII with the same
//!   number of bytes (`ä` → `ae`, `ß` → `ss`, any other letter → underscores), the same way
//!   wherever the name is written, quoted or not.
//!
//! `DATA_BLOCK`s are not ST and are blanked with a note (X004).

use super::xml::Problem;
use crate::diagnostics::Code;
use crate::source::StBuilder;

/// IEC function blocks and the instance types TIA Portal declares them with (the export writes
/// the TIA names, the import reads them back).
pub const INSTANCE_TYPES: &[(&str, &str)] = &[
    ("TON", "TON_TIME"),
    ("TOF", "TOF_TIME"),
    ("TP", "TP_TIME"),
    ("CTU", "CTU_INT"),
    ("CTD", "CTD_INT"),
    ("CTUD", "CTUD_INT"),
];

/// Lines (after leading blanks, case-insensitive) that are block attributes, not code.
const ATTRIBUTE_LINES: &[&str] = &[
    "VERSION",
    "TITLE",
    "AUTHOR",
    "FAMILY",
    "NAME",
    "NON_RETAIN",
    "KNOW_HOW_PROTECT",
    "REGION",
    "END_REGION",
];

/// One rewrite: the original byte range and its replacement.
struct Edit {
    start: usize,
    end: usize,
    with: String,
}

pub fn import(original: &str, st: &mut StBuilder) -> Vec<Problem> {
    let (edits, problems) = edits(original);
    let mut at = 0;
    for edit in edits {
        // Same-length rewrites keep the one-to-one mapping of offsets.
        st.verbatim(&original[at..edit.start], at);
        if edit.with.len() == edit.end - edit.start {
            st.verbatim(&edit.with, edit.start);
        } else {
            st.synthetic(&edit.with, edit.start);
        }
        at = edit.end;
    }
    st.verbatim(&original[at..], at);
    problems
}

fn blank(text: &str) -> String {
    text.chars()
        .map(|c| if c == '\n' || c == '\r' { c } else { ' ' })
        .collect()
}

fn edits(src: &str) -> (Vec<Edit>, Vec<Problem>) {
    let bytes = src.as_bytes();
    let mut edits = Vec::new();
    let mut problems = Vec::new();
    let mut i = 0;
    let mut line_start = true;
    // The last keyword seen (upper case), for `TYPE "T"` and `FUNCTION "F" : Void`.
    let mut previous_word = String::new();
    let mut data_block: Option<usize> = None;
    // Inside a FUNCTION, SCL's VAR_TEMP is IEC's VAR.
    let mut in_function = false;
    // Inside a classic `CONST … END_CONST` section.
    let mut in_const = false;
    // A compound assignment (`+=`) waits for its `;` to close the parenthesis it opened.
    let mut close_at_semicolon = false;
    while i < bytes.len() {
        let b = bytes[i];
        if line_start && let Some(end) = attribute_line(src, i) {
            edits.push(Edit {
                start: i,
                end,
                with: blank(&src[i..end]),
            });
            i = end;
            continue;
        }
        line_start = false;
        match b {
            b'\n' => {
                line_start = true;
                i += 1;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = src[i..].find('\n').map_or(bytes.len(), |n| i + n);
            }
            b'(' if bytes.get(i + 1) == Some(&b'*') => {
                i = src[i + 2..]
                    .find("*)")
                    .map_or(bytes.len(), |n| i + 2 + n + 2);
            }
            b'{' => {
                i = src[i..].find('}').map_or(bytes.len(), |n| i + n + 1);
            }
            b'\'' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'\'' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'$' { 2 } else { 1 };
                }
                i += 1;
            }
            b'"' => {
                let end = src[i + 1..]
                    .find(['"', '\n'])
                    .map_or(bytes.len(), |n| i + 1 + n);
                let name = &src[i + 1..end];
                let mut with = format!(" {}", identifier(name));
                let closing = if end < bytes.len() && bytes[end] == b'"' {
                    end + 1
                } else {
                    end
                };
                // `TYPE "T"` needs a colon before the structure unless one follows.
                let needs_colon =
                    previous_word == "TYPE" && !src[closing..].trim_start().starts_with(':');
                with.push(if needs_colon { ':' } else { ' ' });
                edits.push(Edit {
                    start: i,
                    end: closing,
                    with,
                });
                // `FUNCTION "F" : Void` is still in view past the name.
                if previous_word != "FUNCTION" {
                    previous_word.clear();
                }
                i = closing;
            }
            b'+' | b'-' | b'*' | b'/' if bytes.get(i + 1) == Some(&b'=') => {
                // `x += e;` → `x := x + (e);`: the target is the access path just before.
                let target = access_before(src, i);
                let with = format!(":= {} {} (", st_access(target), b as char);
                edits.push(Edit {
                    start: i,
                    end: i + 2,
                    with,
                });
                close_at_semicolon = true;
                i += 2;
            }
            b'#' => {
                let after_word = i > 0 && is_ident(bytes[i - 1]);
                let names = |c: &u8| is_ident_start(*c) || *c == b'"' || *c >= 0x80;
                if !after_word && bytes.get(i + 1).is_some_and(names) {
                    edits.push(Edit {
                        start: i,
                        end: i + 1,
                        with: " ".into(),
                    });
                }
                i += 1;
            }
            c if is_ident_start(c) || starts_letter(src, i) => {
                let start = i;
                i = identifier_end(src, i);
                let ascii = ascii_identifier(&src[start..i]);
                if ascii != src[start..i] {
                    // Same length: offsets stay those of the original.
                    edits.push(Edit {
                        start,
                        end: i,
                        with: ascii.clone(),
                    });
                }
                let word = ascii.to_ascii_uppercase();
                if in_const
                    && word != "END_CONST"
                    && let Some(ty) = constant_type(src, i)
                {
                    edits.push(Edit {
                        start: i,
                        end: i,
                        with: format!(" : {ty}"),
                    });
                }
                match word.as_str() {
                    "CONST" => {
                        in_const = true;
                        edits.push(Edit {
                            start,
                            end: i,
                            with: "VAR CONSTANT".into(),
                        });
                    }
                    "END_CONST" => {
                        in_const = false;
                        edits.push(Edit {
                            start,
                            end: i,
                            with: "END_VAR".into(),
                        });
                    }
                    "BEGIN" if data_block.is_none() => edits.push(Edit {
                        start,
                        end: i,
                        with: blank(&src[start..i]),
                    }),
                    "ORGANIZATION_BLOCK" => edits.push(Edit {
                        start,
                        end: i,
                        with: format!("{:<18}", "PROGRAM"),
                    }),
                    "END_ORGANIZATION_BLOCK" => edits.push(Edit {
                        start,
                        end: i,
                        with: format!("{:<22}", "END_PROGRAM"),
                    }),
                    "VOID" if previous_word == "FUNCTION" => {
                        // `FUNCTION "F" : Void`: ST writes no result type; blank the colon too.
                        let colon = src[..start].rfind(':').unwrap_or(start);
                        edits.retain(|e| e.start < colon);
                        edits.push(Edit {
                            start: colon,
                            end: i,
                            with: blank(&src[colon..i]),
                        });
                    }
                    "DATA_BLOCK" => data_block = Some(start),
                    "FUNCTION" => in_function = true,
                    "END_FUNCTION" => in_function = false,
                    "VAR_TEMP" if in_function => edits.push(Edit {
                        start,
                        end: i,
                        with: format!("{:<8}", "VAR"),
                    }),
                    _ if let Some((iec, _)) =
                        INSTANCE_TYPES.iter().find(|(_, tia)| *tia == word) =>
                    {
                        // Padded to the TIA name's length: columns after it stay in place.
                        edits.push(Edit {
                            start,
                            end: i,
                            with: format!("{iec:<width$}", width = i - start),
                        })
                    }
                    "END_DATA_BLOCK" => {
                        let from = data_block.take().unwrap_or(start);
                        edits.retain(|e| e.start < from);
                        edits.push(Edit {
                            start: from,
                            end: i,
                            with: blank(&src[from..i]),
                        });
                        problems.push(Problem::new(
                            Code::X004,
                            from,
                            "a DATA_BLOCK is not imported: SCL data blocks have no ST equivalent",
                        ));
                    }
                    _ => {}
                }
                if !matches!(word.as_str(), "VOID") {
                    previous_word = if matches!(word.as_str(), "TYPE" | "FUNCTION") {
                        word
                    } else if previous_word == "FUNCTION" {
                        // Keep `FUNCTION` in view past its name until the `: Void`.
                        previous_word
                    } else {
                        String::new()
                    };
                }
            }
            b';' => {
                previous_word.clear();
                if close_at_semicolon {
                    close_at_semicolon = false;
                    edits.push(Edit {
                        start: i,
                        end: i,
                        with: ")".into(),
                    });
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    (edits, problems)
}

/// The end of an attribute line starting at `start` (or at its first non-blank), if it is one.
fn attribute_line(src: &str, start: usize) -> Option<usize> {
    let line_end = src[start..].find('\n').map_or(src.len(), |n| start + n);
    let line = &src[start..line_end];
    let trimmed = line.trim_start();
    let word_len = trimmed.bytes().take_while(|b| is_ident(*b)).count();
    let word = trimmed[..word_len].to_ascii_uppercase();
    let rest = trimmed[word_len..].trim_start();
    let is_attribute = ATTRIBUTE_LINES.contains(&word.as_str())
        && match word.as_str() {
            "VERSION" | "AUTHOR" | "FAMILY" | "NAME" => {
                rest.starts_with(':') && !rest.starts_with(":=")
            }
            "TITLE" => rest.starts_with('='),
            _ => true,
        };
    let line_end = if line.ends_with('\r') {
        line_end - 1
    } else {
        line_end
    };
    is_attribute.then_some(line_end)
}

/// A quoted SCL name as an ST identifier: letters beyond ASCII as in [`ascii_identifier`],
/// other characters ST does not allow become `_`.
fn identifier(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c);
        } else if c.is_alphanumeric() {
            out.push_str(&ascii_letter(c));
        } else {
            out.push('_');
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

/// A letter beyond ASCII, spelled in ASCII with as many bytes as its UTF-8 form (so that an
/// unquoted name keeps its length): German umlauts and `ß` as German writes them without,
/// anything else as underscores.
fn ascii_letter(c: char) -> String {
    match c {
        'ä' => "ae".into(),
        'ö' => "oe".into(),
        'ü' => "ue".into(),
        'Ä' => "Ae".into(),
        'Ö' => "Oe".into(),
        'Ü' => "Ue".into(),
        'ß' => "ss".into(),
        _ => "_".repeat(c.len_utf8()),
    }
}

/// An unquoted SCL identifier in ASCII, the same number of bytes long.
fn ascii_identifier(word: &str) -> String {
    if word.is_ascii() {
        return word.to_string();
    }
    word.chars()
        .map(|c| {
            if c.is_ascii() {
                c.to_string()
            } else {
                ascii_letter(c)
            }
        })
        .collect()
}

/// Whether a letter beyond ASCII starts at `i` (SCL allows them in names).
fn starts_letter(src: &str, i: usize) -> bool {
    src.is_char_boundary(i)
        && src[i..]
            .chars()
            .next()
            .is_some_and(|c| !c.is_ascii() && c.is_alphabetic())
}

/// The end of the identifier starting at `i`: ASCII letters, digits and `_`, and letters and
/// digits beyond ASCII.
fn identifier_end(src: &str, i: usize) -> usize {
    src[i..]
        .char_indices()
        .find(|(_, c)| {
            !(c.is_ascii_alphanumeric() || *c == '_' || (!c.is_ascii() && c.is_alphanumeric()))
        })
        .map_or(src.len(), |(n, _)| i + n)
}

/// The access path written just before `op` (`#Total`, `"DB".Values[#i].Sum`), as written.
fn access_before(src: &str, op: usize) -> &str {
    let bytes = src.as_bytes();
    let end = src[..op].trim_end().len();
    let mut start = end;
    while start > 0 {
        match bytes[start - 1] {
            b']' => {
                // Back over a balanced index.
                let mut depth = 0;
                while start > 0 {
                    start -= 1;
                    match bytes[start] {
                        b']' => depth += 1,
                        b'[' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                }
            }
            b'"' => match src[..start - 1].rfind('"') {
                Some(open) => start = open,
                None => break,
            },
            c if is_ident(c) || c == b'.' || c == b'#' || c >= 0x80 => start -= 1,
            _ => break,
        }
    }
    &src[start..end]
}

/// An SCL access path in the ST the importer writes: no `#`, quoted names as identifiers,
/// letters beyond ASCII spelled in ASCII.
fn st_access(access: &str) -> String {
    let mut out = String::with_capacity(access.len());
    let mut rest = access;
    while let Some(c) = rest.chars().next() {
        match c {
            '#' => rest = &rest[1..],
            '"' => {
                let close = rest[1..].find('"').map_or(rest.len(), |n| n + 1);
                out.push_str(&identifier(&rest[1..close]));
                rest = &rest[(close + 1).min(rest.len())..];
            }
            _ => {
                if c.is_ascii() {
                    out.push(c);
                } else {
                    out.push_str(&ascii_letter(c));
                }
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    out
}

/// The IEC type of a classic `CONST` entry `Name := literal;` whose name ends at `name_end`,
/// from its literal; `None` when no `:=` and literal follow (the parser then reports it).
fn constant_type(src: &str, name_end: usize) -> Option<String> {
    let rest = src[name_end..].trim_start().strip_prefix(":=")?;
    let value = rest[..rest.find(';')?].trim();
    let upper = value.to_ascii_uppercase();
    let ty = if let Some((prefix, _)) = upper.split_once('#')
        && !prefix.is_empty()
        && prefix.bytes().all(|b| b.is_ascii_alphabetic() || b == b'_')
    {
        // A typed literal (`INT#5`, `T#1s`, `TIME#1s`, `DW#16#FF` excepted below).
        match prefix {
            "T" => "TIME".to_string(),
            "D" => "DATE".to_string(),
            "TOD" => "TIME_OF_DAY".to_string(),
            "DT" => "DATE_AND_TIME".to_string(),
            "B" => "BYTE".to_string(),
            "W" => "WORD".to_string(),
            "DW" => "DWORD".to_string(),
            other => other.to_string(),
        }
    } else if upper == "TRUE" || upper == "FALSE" {
        "BOOL".into()
    } else if value.starts_with('\'') {
        "STRING".into()
    } else {
        let digits = value.trim_start_matches(['-', '+']);
        if digits.is_empty()
            || !digits
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'#' | b'+' | b'-'))
        {
            return None;
        }
        if digits.contains('#') {
            // `16#FF`: a bit pattern, as wide as a DINT.
            "DINT".into()
        } else if digits.contains(['.', 'e', 'E']) {
            "REAL".into()
        } else {
            let n: i64 = value.replace('_', "").parse().ok()?;
            if i16::try_from(n).is_ok() {
                "INT"
            } else {
                "DINT"
            }
            .into()
        }
    };
    Some(ty)
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert(src: &str) -> String {
        let mut st = StBuilder::default();
        import(src, &mut st);
        st.text().to_string()
    }

    #[test]
    fn scl_spellings_become_st_in_place() {
        let src = "FUNCTION_BLOCK \"FB Pump\"\n{ S7_Optimized_Access := 'TRUE' }\nVERSION : 0.1\n   VAR_INPUT\n      Run : Bool;\n   END_VAR\n\nBEGIN\n\tREGION main\n\t#Run := NOT #Run AND T#1s > T#0s;\n\tEND_REGION\nEND_FUNCTION_BLOCK\n";
        let st = convert(src);
        assert_eq!(st.len(), src.len());
        assert!(st.starts_with("FUNCTION_BLOCK  FB_Pump \n"));
        assert!(st.contains("\t Run := NOT  Run AND T#1s > T#0s;"));
        assert!(!st.contains("BEGIN") && !st.contains("VERSION") && !st.contains("REGION"));
    }

    #[test]
    fn type_gets_its_colon_and_void_functions_lose_their_result() {
        let st = convert(
            "TYPE \"UDT\"\nVERSION : 0.1\n   STRUCT\n      a : Int;\n   END_STRUCT;\nEND_TYPE\nFUNCTION \"F\" : Void\nBEGIN\nEND_FUNCTION\n",
        );
        assert!(st.starts_with("TYPE  UDT:\n"), "{st}");
        // `"F"` became ` F `; `: Void` is blanked from its colon on: 8 blanks after `F`.
        assert!(st.contains("FUNCTION  F        \n"), "{st}");
    }

    #[test]
    fn classic_const_sections_become_typed_constants() {
        let st = convert(
            "FUNCTION_BLOCK fb1\n   CONST\n      Low := 0.0;\n      High  := 100;\n      Big := 70000; Name := 'x'; On := TRUE; Delay := T#5s;\n   END_CONST\nBEGIN\nEND_FUNCTION_BLOCK\n",
        );
        assert!(
            st.contains("   VAR CONSTANT\n      Low : REAL := 0.0;\n      High : INT  := 100;\n"),
            "{st}"
        );
        assert!(
            st.contains("Big : DINT := 70000; Name : STRING := 'x'; On : BOOL := TRUE; Delay : TIME := T#5s;\n   END_VAR\n"),
            "{st}"
        );
    }

    #[test]
    fn compound_assignments_become_assignments() {
        let st = convert(
            "FUNCTION_BLOCK fb1\nBEGIN\n  #Sum += #a * 2;\n  #\"Data\".x[#i + 1] -= 1.0; // done\n  #n /= 2;\nEND_FUNCTION_BLOCK\n",
        );
        assert!(st.contains("   Sum := Sum + (  a * 2);\n"), "{st}");
        assert!(
            st.contains("  Data .x[ i + 1] := Data.x[i + 1] - ( 1.0); // done\n"),
            "{st}"
        );
        assert!(st.contains(" n := n / ( 2);\n"), "{st}");
    }

    #[test]
    fn names_beyond_ascii_keep_their_length_and_agree_quoted_or_not() {
        let src = "FUNCTION_BLOCK fb1\nVAR\n  Verstärkung : Real;\nEND_VAR\nBEGIN\n  #Verstärkung := #\"Verstärkung\" * 2.0;\nEND_FUNCTION_BLOCK\n";
        let st = convert(src);
        assert!(st.contains("  Verstaerkung : Real;\n"), "{st}");
        assert!(
            st.contains("   Verstaerkung :=   Verstaerkung  * 2.0;"),
            "{st}"
        );
        assert_eq!(
            st.find("Verstaerkung : Real"),
            src.find("Verstärkung : Real")
        );
    }
}
