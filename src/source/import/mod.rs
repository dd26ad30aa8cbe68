//! Importers: files in the formats PLC projects are kept in (TwinCAT 3 `.TcPOU`/`.TcDUT`/
//! `.TcGVL`/`.TcIO`, PLCopen TC6 XML 2.00/2.01, Siemens `.scl`) become ST text plus an
//! [`Origin`], so the rest of the pipeline reads them as ST while every diagnostic points at the
//! line and column of the original file.

pub mod plcopen;
pub mod scl;
mod twincat;
pub mod xml;

use super::{Encoding, Origin, Span, StBuilder, decode};
use crate::diagnostics::Code;
use std::path::Path;
use xml::Problem;

/// A format the importers read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    TwinCat,
    PlcOpen,
    Scl,
}

impl Format {
    /// The format of a file, by its extension (case-insensitive).
    pub fn of(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "tcpou" | "tcdut" | "tcgvl" | "tcio" => Some(Format::TwinCat),
            "xml" => Some(Format::PlcOpen),
            "scl" => Some(Format::Scl),
            _ => None,
        }
    }

    /// Whether a file found while searching a folder is one to import. An `.xml` file only is
    /// when it declares the PLCopen TC6 namespace near its start: folders hold many other XML
    /// files (project settings, HMI screens) that are none of stforge's business.
    pub fn found_in_folder(path: &Path) -> bool {
        match Format::of(path) {
            Some(Format::PlcOpen) => is_plcopen(path),
            Some(_) => true,
            None => false,
        }
    }
}

fn is_plcopen(path: &Path) -> bool {
    use std::io::Read;
    let mut head = Vec::with_capacity(4096);
    std::fs::File::open(path)
        .and_then(|f| f.take(4096).read_to_end(&mut head))
        .is_ok()
        && String::from_utf8_lossy(&head).contains("www.plcopen.org/xml/tc6_02")
}

/// An imported file: its ST text, where that text came from, and the problems found.
#[derive(Debug)]
pub struct Imported {
    pub text: String,
    pub origin: Origin,
    pub encoding: Encoding,
    /// Problems with spans into `text` (each has a place there that maps to its cause).
    pub problems: Vec<(Code, Span, String)>,
}

/// Imports the bytes of one file. Never fails: a file that cannot be read as its format gives
/// an empty text and a problem that says why.
pub fn import(format: Format, bytes: &[u8]) -> Imported {
    let (original, encoding, mut problems) = match format {
        Format::Scl => {
            let decoded = decode(bytes);
            (decoded.text, decoded.encoding, Vec::new())
        }
        Format::TwinCat | Format::PlcOpen => decode_xml(bytes),
    };
    let mut st = StBuilder::default();
    let result = match format {
        Format::TwinCat => twincat::import(&original, &mut st),
        Format::PlcOpen => plcopen::import(&original, &mut st),
        Format::Scl => Ok(scl::import(&original, &mut st)),
    };
    match result {
        Ok(found) => problems.extend(found),
        Err(fatal) => problems.push(fatal),
    }
    // Each problem gets a one-character anchor at the end of the text that maps to its place.
    let mut anchored = Vec::new();
    for problem in problems {
        let at = st.len();
        st.synthetic("\n", problem.offset.min(original.len()));
        anchored.push((problem.code, Span::new(at, at + 1), problem.message));
    }
    let (text, origin) = st.finish(original);
    Imported {
        text,
        origin,
        encoding,
        problems: anchored,
    }
}

/// Decodes an XML file: a BOM decides, then the declaration's `encoding`, then UTF-8 (with the
/// Windows-1252 fallback of [`decode`]).
fn decode_xml(bytes: &[u8]) -> (String, Encoding, Vec<Problem>) {
    let has_bom = bytes.starts_with(b"\xEF\xBB\xBF")
        || bytes.starts_with(b"\xFF\xFE")
        || bytes.starts_with(b"\xFE\xFF");
    if !has_bom && let Some(label) = declared_encoding(bytes) {
        match encoding_rs::Encoding::for_label(label.as_bytes()) {
            Some(enc)
                if enc == encoding_rs::UTF_8
                    || enc == encoding_rs::UTF_16LE
                    || enc == encoding_rs::UTF_16BE => {}
            Some(enc) => {
                let (text, _, lossy) = enc.decode(bytes);
                let problems = if lossy {
                    vec![Problem::new(
                        Code::F002,
                        0,
                        format!(
                            "file is not valid {}; invalid sequences were replaced",
                            enc.name()
                        ),
                    )]
                } else {
                    Vec::new()
                };
                let encoding = if enc == encoding_rs::WINDOWS_1252 {
                    Encoding::Windows1252
                } else {
                    // Other single-byte encodings are read, never written back.
                    Encoding::Utf8
                };
                return (text.into_owned(), encoding, problems);
            }
            None => {
                let decoded = decode(bytes);
                let problem = Problem::new(
                    Code::X002,
                    0,
                    format!(
                        "unknown encoding `{label}` in the XML declaration; read as {}",
                        decoded.encoding.name()
                    ),
                );
                return (decoded.text, decoded.encoding, vec![problem]);
            }
        }
    }
    let decoded = decode(bytes);
    let problems = if decoded.lossy {
        vec![Problem::new(
            Code::F002,
            0,
            format!(
                "file is not valid {}; invalid sequences were replaced",
                decoded.encoding.name()
            ),
        )]
    } else {
        Vec::new()
    };
    let mut text = decoded.text;
    // A BOM decoded into U+FEFF would shift nothing (it is stripped), but be sure.
    if text.starts_with('\u{FEFF}') {
        text.replace_range(..3, "");
    }
    (text, decoded.encoding, problems)
}

/// The `encoding="…"` of an ASCII-compatible XML declaration.
fn declared_encoding(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(200)];
    let head = std::str::from_utf8(head)
        .unwrap_or_else(|e| std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or(""));
    let decl = head.strip_prefix("<?xml")?;
    let decl = &decl[..decl.find("?>")?];
    let at = decl.find("encoding")?;
    let rest = decl[at + "encoding".len()..]
        .trim_start()
        .strip_prefix('=')?
        .trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &rest[1..];
    Some(value[..value.find(quote)?].to_string())
}

/// Appends the text of an element (CDATA or escaped) to the ST, mapped to where it stands.
fn push_text(st: &mut StBuilder, element: &xml::Element) {
    element.each_text(&mut |text, original, verbatim| {
        if verbatim {
            st.verbatim(text, original);
        } else {
            st.synthetic(text, original);
        }
    });
}

/// Ends the text so far with a line break, so that added keywords never join a comment or a
/// token of the original.
fn end_line(st: &mut StBuilder, at: usize) {
    if !st.is_empty() && !st.text().ends_with('\n') {
        st.synthetic("\n", at);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_encodings_are_found() {
        assert_eq!(
            declared_encoding(b"<?xml version=\"1.0\" encoding='ISO-8859-1'?><a/>").as_deref(),
            Some("ISO-8859-1")
        );
        assert_eq!(declared_encoding(b"<?xml version=\"1.0\"?><a/>"), None);
    }

    #[test]
    fn latin1_declaration_decodes_latin1() {
        let bytes = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>\xC4</a>";
        let (text, encoding, problems) = decode_xml(bytes);
        assert!(text.contains("<a>\u{C4}</a>"));
        assert_eq!(encoding, Encoding::Windows1252);
        assert!(problems.is_empty());
    }
}
