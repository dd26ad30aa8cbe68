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
//!   `TYPE "T"` gets the `:` ST needs before its structure.
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
            b'#' => {
                let after_word = i > 0 && is_ident(bytes[i - 1]);
                if !after_word && bytes.get(i + 1).is_some_and(|c| is_ident_start(*c)) {
                    edits.push(Edit {
                        start: i,
                        end: i + 1,
                        with: " ".into(),
                    });
                }
                i += 1;
            }
            c if is_ident_start(c) => {
                let start = i;
                while i < bytes.len() && is_ident(bytes[i]) {
                    i += 1;
                }
                let word = src[start..i].to_ascii_uppercase();
                match word.as_str() {
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

/// A quoted SCL name as an ST identifier: characters ST does not allow become `_`.
fn identifier(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
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
}
