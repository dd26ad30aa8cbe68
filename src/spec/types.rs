//! A spec's `types`: ST `TYPE … END_TYPE` declarations of the derived types its interface uses
//! (a recipe structure, an enumeration), so a task states its types instead of asking the
//! generator to invent them.
//!
//! The text is ST parsed where it stands in the spec file (padded to its place, as properties
//! are), so every diagnostic about it points at the spec's line and column. It is part of
//! [`super::Spec::interface_st`], and `stforge check`, `test` and `verify` type-check the
//! implementation together with it. An implementation may declare a type of the same name
//! itself (a generated file contains the spec's types): the implementation's declaration is
//! then the one used, and the spec's is left out, so the two never collide.

use super::Text;
use crate::diagnostics::{Code, Diagnostic};
use crate::source::FileId;
use crate::syntax::{self, ast};
pub use rustc_hash::FxHashSet as HashSet;

/// The `types` of a spec as written in its file.
#[derive(Clone, Debug, PartialEq)]
pub struct Types {
    /// The TOML string, with the span of the whole value (quotes included).
    pub text: Text,
    /// Where the ST text starts in the spec file: after the opening quotes.
    pub start: usize,
}

impl Types {
    /// The declarations as ST in the spec file's coordinates: the text, preceded by as many
    /// spaces as the file has bytes before it.
    pub fn padded(&self) -> String {
        format!("{}{}", " ".repeat(self.start), self.text.text)
    }

    /// Parses the declarations in the spec's file.
    pub fn parse(&self, file: FileId) -> syntax::Parsed {
        syntax::parse(file, &self.padded())
    }
}

/// Reads a spec's `types` value: its ST parsed, every syntax error and every item that is not
/// a `TYPE … END_TYPE` block a diagnostic in the spec file.
pub fn load(
    file: FileId,
    file_text: &str,
    value: &Text,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Types> {
    let start = value.content_start(file_text);
    // The ST is read exactly as it stands in the file, so positions agree; a string with TOML
    // escapes reads otherwise than it is written, so it must not use them.
    let quotes = start - value.span.start as usize;
    let end = (value.span.end as usize).saturating_sub(quotes).max(start);
    let written = file_text.get(start..end).unwrap_or_default();
    let trimmed_newline = written
        .strip_prefix("\r\n")
        .or_else(|| written.strip_prefix('\n'))
        .unwrap_or(written);
    if written != value.text && trimmed_newline != value.text {
        diagnostics.push(Diagnostic::new(
            Code::P001,
            file,
            value.span,
            "`types` is ST read as written: write it without TOML escape sequences \
             (a literal string '''…''' needs none)",
        ));
        return None;
    }
    let types = Types {
        text: Text {
            text: written.to_string(),
            span: value.span,
        },
        start,
    };
    let parsed = types.parse(file);
    let had_errors = parsed.diagnostics.iter().any(Diagnostic::is_error);
    diagnostics.extend(parsed.diagnostics);
    for item in &parsed.unit.items {
        if !matches!(item, ast::Item::Types(_) | ast::Item::Error(_)) {
            diagnostics.push(Diagnostic::new(
                Code::P005,
                file,
                item.span(),
                "`types` declares only types (`TYPE … END_TYPE`): the POU's interface is the \
                 spec's `[pou]`",
            ));
        }
    }
    if parsed.unit.items.is_empty() && !had_errors {
        diagnostics.push(Diagnostic::new(
            Code::P005,
            file,
            value.span,
            "`types` declares no type: write `TYPE Name : … ; END_TYPE`",
        ));
    }
    Some(types)
}

/// The names (upper case) of the types `units` declare.
pub fn declared_in<'u>(units: impl IntoIterator<Item = &'u ast::SourceUnit>) -> HashSet<String> {
    units
        .into_iter()
        .flat_map(|unit| &unit.items)
        .filter_map(|item| match item {
            ast::Item::Types(block) => Some(&block.decls),
            _ => None,
        })
        .flatten()
        .map(|decl| decl.name.name.to_ascii_uppercase())
        .collect()
}

/// The spec's declarations to check with an implementation: every type of `types` whose name
/// is not in `declared` (the implementation's, from [`declared_in`]).
pub fn unit_without(types: &Types, file: FileId, declared: &HashSet<String>) -> ast::SourceUnit {
    let mut unit = types.parse(file).unit;
    unit.items.retain_mut(|item| match item {
        ast::Item::Types(block) => {
            block
                .decls
                .retain(|decl| !declared.contains(&decl.name.name.to_ascii_uppercase()));
            !block.decls.is_empty()
        }
        _ => false,
    });
    unit
}
