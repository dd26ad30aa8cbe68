//! Reading the files named on a command line: folders are searched recursively for `.st`
//! files and the formats `import` reads (TwinCAT, PLCopen XML, SCL); unreadable, oversized and
//! undecodable files become diagnostics, never panics.

use super::import::{self, Format};
use super::{SourceMap, Span, decode};
use crate::diagnostics::{Code, Diagnostic};
use std::path::{Path, PathBuf};

/// Files larger than this are refused (spans are 32-bit offsets; no real source comes close).
pub const MAX_FILE_SIZE: u64 = 256 * 1024 * 1024;

/// The extensions searched for in folders, besides spec files (`*.spec.toml`); files named
/// explicitly are read whatever their name.
pub const SOURCE_EXTENSIONS: &[&str] = &["st"];

/// Expands folders into the source files below them, in a stable (sorted) order. Paths that do
/// not exist are kept, so that reading them reports the error.
pub fn expand(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = walkdir::WalkDir::new(path)
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_file() && has_source_extension(e.path()))
                .map(|e| e.into_path())
                .collect();
            found.sort();
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    files
}

fn has_source_extension(path: &Path) -> bool {
    crate::spec::is_spec_file(path)
        || Format::found_in_folder(path)
        || path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| SOURCE_EXTENSIONS.iter().any(|s| s.eq_ignore_ascii_case(e)))
}

/// Reads and decodes files into a source map. A file that cannot be read is still added (with
/// empty text) so that its diagnostic has a file to point at.
pub fn load(paths: &[PathBuf]) -> (SourceMap, Vec<Diagnostic>) {
    let mut map = SourceMap::default();
    let mut diagnostics = Vec::new();
    for path in paths {
        match read(path) {
            Ok(bytes) if let Some(format) = Format::of(path) => {
                let imported = import::import(format, &bytes);
                let id = map.add_imported(
                    path.clone(),
                    imported.text,
                    imported.encoding,
                    imported.origin,
                );
                for (code, span, message) in imported.problems {
                    diagnostics.push(Diagnostic::new(code, id, span, message));
                }
            }
            Ok(bytes) => {
                let decoded = decode(&bytes);
                let lossy = decoded.lossy;
                let encoding = decoded.encoding;
                let id = map.add(path.clone(), decoded.text, encoding);
                if lossy {
                    diagnostics.push(
                        Diagnostic::new(
                            Code::F002,
                            id,
                            Span::default(),
                            format!(
                                "file is not valid {}; invalid sequences were replaced",
                                encoding.name()
                            ),
                        )
                        .with_help("the file will not be rewritten by `stforge fmt`"),
                    );
                }
            }
            Err((code, message)) => {
                let id = map.add(path.clone(), String::new(), super::Encoding::Utf8);
                diagnostics.push(Diagnostic::new(code, id, Span::default(), message));
            }
        }
    }
    (map, diagnostics)
}

fn read(path: &Path) -> Result<Vec<u8>, (Code, String)> {
    let metadata = std::fs::metadata(path)
        .map_err(|e| (Code::F001, format!("cannot read {}: {e}", path.display())))?;
    // Reading a FIFO blocks until a writer comes, a device may never end: only regular files
    // (or links to them) are read.
    if !metadata.is_file() {
        return Err((
            Code::F004,
            format!("{} is not a regular file", path.display()),
        ));
    }
    if metadata.len() > MAX_FILE_SIZE {
        return Err((
            Code::F003,
            format!(
                "{} has {} bytes; the limit is {} bytes",
                path.display(),
                metadata.len(),
                MAX_FILE_SIZE
            ),
        ));
    }
    std::fs::read(path).map_err(|e| (Code::F001, format!("cannot read {}: {e}", path.display())))
}
