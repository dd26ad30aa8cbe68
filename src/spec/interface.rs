//! Does the implementation declare the POU the spec describes? Its kind, its result type and
//! every input, output and in-out of the spec with the same role and type — before anything
//! runs, so a mismatch is one clear P006 at the spec's line instead of a test that fails for a
//! reason nobody wrote down. Types are compared by resolving the spec's type text in the
//! project (so `TOD` matches `TIME_OF_DAY` and `ARRAY[1..N]` matches `ARRAY[1..5]` when `N` is 5),
//! falling back to their spelling for what cannot be resolved.

use crate::diagnostics::{Code, Diagnostic};
use crate::sema::types::{TypeId, TypeKind};
use crate::sema::{PouId, Project, key};
use crate::source::FileId;
use crate::spec::{Param, PouKind, Spec};
use crate::syntax::ast::{self, ArrayDim, Expr, Item, TypeSpec, TypeSpecKind, VarKind};
use rustc_hash::FxHashMap as HashMap;
use smol_str::SmolStr;

/// The P006 diagnostics for every way the implementation's POU differs from the spec, at the
/// spec's name or parameter, pointing at the implementation's declaration.
pub fn check(spec: &Spec, spec_file: FileId, project: &Project<'_>) -> Vec<Diagnostic> {
    let wanted = &spec.pou;
    let found = project
        .pou_names
        .get(&key(&wanted.name.text))
        .copied()
        .filter(|&id| !project.is_library_file(project.pou(id).file));
    let Some(id) = found else {
        let d = Diagnostic::new(
            Code::P006,
            spec_file,
            wanted.name.span,
            format!(
                "the implementation declares no {} `{}`",
                wanted.kind.keyword(),
                wanted.name.text
            ),
        )
        .with_help(format!(
            "the spec's interface in ST:\n{}",
            spec.interface_st().trim_end()
        ));
        return vec![d];
    };
    let pou = project.pou(id);
    let mut found = Found {
        project,
        spec_file,
        pou: id,
        diagnostics: Vec::new(),
    };
    if !same_kind(wanted.kind, pou.kind) {
        found.report(
            wanted.name.span,
            format!(
                "`{}` is not a {} in the implementation",
                pou.name,
                wanted.kind.keyword()
            ),
            pou.file,
            pou.name_span,
        );
    } else if let (Some(ret), Some(actual)) = (&wanted.return_type, pou.ret)
        && !found.same_type(&ret.text, actual)
    {
        found.report(
            ret.span,
            format!(
                "`{}` returns {} in the implementation, the spec says {}",
                pou.name,
                project.types.display(actual),
                ret.text
            ),
            pou.file,
            pou.name_span,
        );
    }
    for (params, role) in [
        (&wanted.inputs, VarKind::Input),
        (&wanted.outputs, VarKind::Output),
        (&wanted.in_outs, VarKind::InOut),
    ] {
        for param in params {
            found.param(param, role);
        }
    }
    found.diagnostics
}

fn same_kind(wanted: PouKind, actual: ast::PouKind) -> bool {
    matches!(
        (wanted, actual),
        (PouKind::FunctionBlock, ast::PouKind::FunctionBlock)
            | (PouKind::Function, ast::PouKind::Function)
            | (PouKind::Program, ast::PouKind::Program)
    )
}

/// How a variable's role is named in messages.
fn role(kind: VarKind) -> &'static str {
    match kind {
        VarKind::Input => "an input (VAR_INPUT)",
        VarKind::Output => "an output (VAR_OUTPUT)",
        VarKind::InOut => "an in-out (VAR_IN_OUT)",
        _ => "a local variable",
    }
}

struct Found<'p, 'a> {
    project: &'p Project<'a>,
    spec_file: FileId,
    pou: PouId,
    diagnostics: Vec<Diagnostic>,
}

impl Found<'_, '_> {
    fn report(
        &mut self,
        at: crate::source::Span,
        message: String,
        file: FileId,
        declared: crate::source::Span,
    ) {
        let d = Diagnostic::new(Code::P006, self.spec_file, at, message).with_secondary(
            file,
            declared,
            "declared here",
        );
        self.diagnostics.push(d);
    }

    fn param(&mut self, param: &Param, role_wanted: VarKind) {
        let project = self.project;
        let pou = project.pou(self.pou);
        let Some((owner, index)) = project.inherited_var(self.pou, &key(&param.name.text)) else {
            let d = Diagnostic::new(
                Code::P006,
                self.spec_file,
                param.name.span,
                format!(
                    "`{}` is not declared in `{}`: the spec makes it {}",
                    param.name.text,
                    pou.name,
                    role(role_wanted)
                ),
            )
            .with_secondary(pou.file, pou.name_span, "the implementation's POU");
            self.diagnostics.push(d);
            return;
        };
        let var = &project.pou(owner).vars[index];
        if var.kind != role_wanted {
            let message = format!(
                "`{}` is {} of `{}`; the spec makes it {}",
                var.name.name,
                role(var.kind),
                pou.name,
                role(role_wanted)
            );
            self.report(param.name.span, message, var.file, var.name.span);
        }
        if !self.same_type(&param.ty.text, var.ty) {
            let message = format!(
                "`{}` is {} in the implementation, the spec says {}",
                var.name.name,
                project.types.display(var.ty),
                param.ty.text
            );
            self.report(param.name.span, message, var.file, var.name.span);
        }
    }

    /// Whether the spec's type text denotes the implementation's type.
    fn same_type(&self, text: &str, actual: TypeId) -> bool {
        let constants = self.project.visible_constants(self.pou);
        let parsed = parse_type(text);
        parsed
            .as_ref()
            .and_then(type_spec)
            .and_then(|t| self.matches(t, actual, &constants))
            .unwrap_or_else(|| spelled_alike(text, &self.project.types.display(actual)))
    }

    /// Compares a parsed type with a resolved one; `None` where the comparison does not know
    /// the construct (pointers, inline enumerations), so the caller compares spellings.
    fn matches(
        &self,
        spec: &TypeSpec,
        actual: TypeId,
        constants: &HashMap<SmolStr, &Expr>,
    ) -> Option<bool> {
        let types = &self.project.types;
        let value = |e: &Expr| self.project.const_value(e, constants);
        let actual = types.resolve(actual);
        Some(match (&spec.kind, types.kind(actual)) {
            (TypeSpecKind::Named(name), _) => self
                .project
                .lookup_type(name)
                .is_some_and(|t| types.resolve(t) == actual),
            (TypeSpecKind::String { wide, length }, TypeKind::String { wide: w, len }) => {
                wide == w && length.as_deref().map(value) == len.map(|n| Some(n as i128))
            }
            (TypeSpecKind::Array { dims, element }, TypeKind::Array { dims: d, elem }) => {
                let bounds = |dim: &ArrayDim| match dim {
                    ArrayDim::Range(lo, hi) => value(lo).zip(value(hi)),
                    ArrayDim::Star(_) => None,
                };
                dims.len() == d.len()
                    && dims.iter().zip(d).all(|(a, b)| bounds(a) == b.bounds)
                    && self.matches(element, *elem, constants)?
            }
            (
                TypeSpecKind::Subrange { base, low, high },
                TypeKind::Subrange {
                    base: b,
                    low: l,
                    high: h,
                },
            ) => {
                self.project
                    .lookup_type(base)
                    .is_some_and(|t| types.resolve(t) == types.resolve(*b))
                    && value(low) == Some(*l)
                    && value(high) == Some(*h)
            }
            (
                TypeSpecKind::String { .. }
                | TypeSpecKind::Array { .. }
                | TypeSpecKind::Subrange { .. },
                _,
            ) => false,
            _ => return None,
        })
    }
}

/// Where the type text starts in the snippet [`parse_type`] parses.
pub(super) const TYPE_AT: usize = "PROGRAM __Spec\nVAR\n    v : ".len();

/// The spec's type text parsed as the type of an ST variable declaration; `None` when it has
/// syntax errors.
pub(super) fn parse_type(text: &str) -> Option<crate::syntax::Parsed> {
    let source = format!("PROGRAM __Spec\nVAR\n    v : {text};\nEND_VAR\nEND_PROGRAM\n");
    let parsed = crate::syntax::parse(FileId(0), &source);
    parsed.diagnostics.is_empty().then_some(parsed)
}

/// The one declared type of the snippet `parse_type` wrote; `None` when the text was more than
/// one type (it contained `;` and further declarations).
pub(super) fn type_spec(parsed: &crate::syntax::Parsed) -> Option<&TypeSpec> {
    let [Item::Pou(pou)] = parsed.unit.items.as_slice() else {
        return None;
    };
    let [block] = pou.var_blocks.as_slice() else {
        return None;
    };
    let [decl] = block.decls.as_slice() else {
        return None;
    };
    (decl.names.len() == 1 && decl.init.is_none()).then_some(&decl.ty)
}

/// Type spellings compared without case and white space.
fn spelled_alike(a: &str, b: &str) -> bool {
    let compact = |s: &str| {
        s.split_whitespace()
            .collect::<String>()
            .to_ascii_uppercase()
    };
    compact(a) == compact(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sema::{Dialect, SemaFile};
    use crate::source::{Encoding, SourceMap};

    /// The P006 lines for a spec and an implementation, as `line:column message`.
    fn mismatches(spec: &str, st: &str) -> Vec<String> {
        let mut files = SourceMap::default();
        let spec_file = files.add("x.spec.toml".into(), spec.into(), Encoding::Utf8);
        let st_file = files.add("x.st".into(), st.into(), Encoding::Utf8);
        let parsed = crate::syntax::parse(st_file, st);
        let inputs = [SemaFile {
            id: st_file,
            unit: &parsed.unit,
            stem: "x".into(),
            library: false,
        }];
        let analysis = crate::sema::analyze(&inputs, Dialect::Iec);
        let errors: Vec<_> = analysis
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
        let (model, diagnostics) = crate::spec::load(spec_file, spec);
        assert_eq!(diagnostics, vec![]);
        let model = model.expect("a valid spec");
        check(&model, spec_file, &analysis.project)
            .iter()
            .map(|d| {
                let j = crate::diagnostics::render::to_json(d, &files);
                format!("{}:{} {}", j.line, j.column, j.message)
            })
            .collect()
    }

    const SPEC: &str = r#"[pou]
name = "Logger"
kind = "function"
return_type = "BOOL"
[pou.inputs]
Stamp = "TOD"
Values = "ARRAY[1..N] OF INT"
Mode = "E_Mode"
Text = "STRING(20)"
Level = "INT(0..100)"
"#;

    #[test]
    fn types_are_compared_as_the_project_resolves_them() {
        let st = "TYPE E_Mode : (Idle, Run); END_TYPE
VAR_GLOBAL CONSTANT N : INT := 3; END_VAR
FUNCTION Logger : BOOL
VAR_INPUT
    Stamp : TIME_OF_DAY;
    Values : ARRAY[1..3] OF INT;
    Mode : E_Mode;
    Text : STRING[20];
    Level : INT(0..100);
END_VAR
    Logger := Values[1] > 0 AND Mode = E_Mode#Run AND Text <> '' AND Stamp > TOD#0:0 AND Level > 0;
END_FUNCTION
";
        assert_eq!(mismatches(SPEC, st), Vec::<String>::new());
    }

    #[test]
    fn every_difference_is_reported_at_the_spec() {
        let st = "TYPE E_Mode : (Idle, Run); END_TYPE
VAR_GLOBAL CONSTANT N : INT := 3; END_VAR
FUNCTION Logger : INT
VAR_INPUT
    Stamp : TIME;
    Values : ARRAY[0..3] OF INT;
    Text : STRING(30);
END_VAR
VAR_OUTPUT
    Mode : E_Mode;
END_VAR
    Logger := Values[1];
    Mode := E_Mode#Run;
    IF Text <> '' AND Stamp > T#0s THEN Logger := 0; END_IF;
END_FUNCTION
";
        assert_eq!(
            mismatches(SPEC, st),
            vec![
                "4:15 `Logger` returns INT in the implementation, the spec says BOOL",
                "6:1 `Stamp` is TIME in the implementation, the spec says TOD",
                "7:1 `Values` is ARRAY[0..3] OF INT in the implementation, the spec says ARRAY[1..N] OF INT",
                "8:1 `Mode` is an output (VAR_OUTPUT) of `Logger`; the spec makes it an input (VAR_INPUT)",
                "9:1 `Text` is STRING(30) in the implementation, the spec says STRING(20)",
                "10:1 `Level` is not declared in `Logger`: the spec makes it an input (VAR_INPUT)",
            ]
        );
    }
}
