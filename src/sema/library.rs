//! The IEC standard library (`iec-stdlib/`), embedded in the binary, parsed once by the same
//! parser as user code, with the `// @…` markers of each declaration read (see the folder's
//! README for their grammar).

use super::key;
use super::types::Elem;
use crate::source::FileId;
use crate::syntax::{self, ast::SourceUnit};
use smol_str::SmolStr;
use std::sync::OnceLock;

/// (name, dialect that loads it — `None` for every dialect — text).
const FILES: &[(&str, Option<&str>, &str)] = &[
    (
        "arithmetic.st",
        None,
        include_str!("../../iec-stdlib/arithmetic.st"),
    ),
    (
        "bistable.st",
        None,
        include_str!("../../iec-stdlib/bistable.st"),
    ),
    (
        "bitstring.st",
        None,
        include_str!("../../iec-stdlib/bitstring.st"),
    ),
    (
        "comparison.st",
        None,
        include_str!("../../iec-stdlib/comparison.st"),
    ),
    (
        "conversions.st",
        None,
        include_str!("../../iec-stdlib/conversions.st"),
    ),
    (
        "counters.st",
        None,
        include_str!("../../iec-stdlib/counters.st"),
    ),
    ("edge.st", None, include_str!("../../iec-stdlib/edge.st")),
    (
        "numeric.st",
        None,
        include_str!("../../iec-stdlib/numeric.st"),
    ),
    (
        "selection.st",
        None,
        include_str!("../../iec-stdlib/selection.st"),
    ),
    (
        "strings.st",
        None,
        include_str!("../../iec-stdlib/strings.st"),
    ),
    ("time.st", None, include_str!("../../iec-stdlib/time.st")),
    (
        "timers.st",
        None,
        include_str!("../../iec-stdlib/timers.st"),
    ),
    (
        "Tc2_System.st",
        Some("twincat"),
        include_str!("../../iec-stdlib/vendor/twincat/Tc2_System.st"),
    ),
    (
        "Tc2_Standard.st",
        Some("twincat"),
        include_str!("../../iec-stdlib/vendor/twincat/Tc2_Standard.st"),
    ),
    (
        "Tc2_Utilities.st",
        Some("twincat"),
        include_str!("../../iec-stdlib/vendor/twincat/Tc2_Utilities.st"),
    ),
    (
        "IBaseLibrary.st",
        Some("twincat"),
        include_str!("../../iec-stdlib/vendor/twincat/IBaseLibrary.st"),
    ),
    (
        "TwinCAT_SystemInfoVarList.st",
        Some("twincat"),
        include_str!("../../iec-stdlib/vendor/twincat/TwinCAT_SystemInfoVarList.st"),
    ),
];

/// What the markers above one declaration say.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Markers {
    pub builtin: bool,
    /// `@name N`: the standard name, for declarations whose name is a reserved word.
    pub name: Option<SmolStr>,
    /// `@generic result = P`
    pub result: Option<SmolStr>,
    /// `@generic same(P1, P2, …)`, upper-case.
    pub same: Vec<Vec<SmolStr>>,
    /// `@generic default = T`
    pub default: Option<Elem>,
    /// `@extensible P`
    pub extensible: Option<SmolStr>,
    /// `@dispatch PAT`
    pub dispatch: Option<SmolStr>,
    /// `@overload F1, F2, …`
    pub overloads: Vec<SmolStr>,
}

pub struct LibraryFile {
    pub name: &'static str,
    /// The dialect whose projects include this file; `None` for the standard's files.
    pub dialect: Option<&'static str>,
    pub id: FileId,
    pub text: &'static str,
    pub unit: SourceUnit,
}

pub struct Library {
    pub files: Vec<LibraryFile>,
    /// Marker lines that match no form: a bug in the library, caught by a unit test.
    pub errors: Vec<String>,
}

/// Library files get ids from the top of the range so they never collide with user files;
/// diagnostics are never reported in them.
pub fn is_library_file(id: FileId) -> bool {
    id.0 >= u32::MAX - FILES.len() as u32
}

pub fn library() -> &'static Library {
    static LIBRARY: OnceLock<Library> = OnceLock::new();
    LIBRARY.get_or_init(|| {
        let mut errors = Vec::new();
        let files = FILES
            .iter()
            .enumerate()
            .map(|(i, &(name, dialect, text))| {
                let id = FileId(u32::MAX - i as u32);
                let parsed = syntax::parse(id, text);
                errors.extend(
                    parsed
                        .diagnostics
                        .iter()
                        .map(|d| format!("{name}: {} {}", d.code, d.message)),
                );
                LibraryFile {
                    name,
                    dialect,
                    id,
                    text,
                    unit: parsed.unit,
                }
            })
            .collect();
        Library { files, errors }
    })
}

/// Reads the markers in the run of `//` comment lines directly above `offset`.
pub fn markers_above(text: &str, offset: usize) -> Result<Markers, String> {
    let mut markers = Markers::default();
    let before = &text[..offset];
    let mut lines = before.lines().rev();
    // The declaration keyword's own line (empty before the keyword) comes first.
    if before.ends_with(|c| c != '\n') {
        lines.next();
    }
    for line in lines {
        let Some(comment) = line.trim_start().strip_prefix("//") else {
            break;
        };
        let Some(body) = comment.trim_start().strip_prefix('@') else {
            continue;
        };
        read_marker(body, &mut markers).map_err(|e| format!("`@{body}`: {e}"))?;
    }
    Ok(markers)
}

fn read_marker(body: &str, m: &mut Markers) -> Result<(), String> {
    let (word, rest) = body.split_once(char::is_whitespace).unwrap_or((body, ""));
    let rest = rest.trim();
    let list = |s: &str| -> Vec<SmolStr> {
        s.split(',')
            .map(|p| key(p.trim()))
            .filter(|p| !p.is_empty())
            .collect()
    };
    match word {
        "builtin" if rest.is_empty() => m.builtin = true,
        "name" if !rest.is_empty() => m.name = Some(key(rest)),
        "extensible" if !rest.is_empty() => m.extensible = Some(key(rest)),
        "dispatch" if rest.contains('*') => m.dispatch = Some(key(rest)),
        "overload" if !rest.is_empty() => m.overloads = list(rest),
        // Operators are typed by the checker's operator rules; the marker documents them.
        "operator" if !rest.is_empty() => {}
        "generic" => {
            let compact: String = rest.chars().filter(|c| !c.is_whitespace()).collect();
            if let Some(p) = compact.strip_prefix("result=") {
                m.result = Some(key(p));
            } else if let Some(t) = compact.strip_prefix("default=") {
                m.default = Some(Elem::from_name(&key(t)).ok_or("unknown default type")?);
            } else if let Some(group) = compact
                .strip_prefix("same(")
                .and_then(|g| g.strip_suffix(')'))
            {
                m.same.push(list(group));
            } else {
                return Err("unknown @generic form".into());
            }
        }
        _ => return Err("unknown marker".into()),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn library_parses_and_its_markers_read() {
        let lib = library();
        assert_eq!(lib.errors, Vec::<String>::new());
        let mut count = 0;
        for file in &lib.files {
            for item in &file.unit.items {
                if let syntax::ast::Item::Pou(pou) = item {
                    markers_above(file.text, pou.span.start as usize)
                        .unwrap_or_else(|e| panic!("{}: {e}", file.name));
                    count += 1;
                }
            }
        }
        assert!(count > 400, "{count} declarations");
    }

    #[test]
    fn markers_of_a_declaration() {
        let text = "// doc\n// @builtin\n// @generic same(IN1, in2)\n// @generic result = IN1\n// @extensible IN\nFUNCTION ADD : ANY_NUM";
        let m = markers_above(text, text.find("FUNCTION").unwrap()).unwrap();
        assert!(m.builtin);
        assert_eq!(m.same, vec![vec![SmolStr::new("IN1"), SmolStr::new("IN2")]]);
        assert_eq!(m.result.as_deref(), Some("IN1"));
        assert_eq!(m.extensible.as_deref(), Some("IN"));
        assert!(markers_above("// @generic sometimes\nFUNCTION X : INT", 22).is_err());
    }
}
