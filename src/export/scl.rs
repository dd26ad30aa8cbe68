//! Siemens SCL source (`.scl`, as TIA Portal's "Generate blocks from source" reads it): blocks
//! with quoted names, `{ S7_Optimized_Access := 'TRUE' }`, `VERSION : 0.1`, `BEGIN` before the
//! statements, `#` before every local name in code, project types and blocks quoted where used,
//! and the IEC timers and counters under their TIA instance type names (`TON` → `TON_TIME`,
//! `CTU` → `CTU_INT`, …). A PROGRAM becomes an ORGANIZATION_BLOCK.
//!
//! What SCL lacks is reported (X006), never changed silently: methods, properties, actions,
//! interfaces, classes, inheritance, pointers and references, global variable lists (SCL keeps
//! globals in data blocks), configurations, static variables in organization blocks, and types
//! other than structures. A function's `VAR` section is written
//! `VAR_TEMP`, which is what it means in both languages.
//!
//! Comments before a block (a provenance header) are written as the first lines after `BEGIN`,
//! where TIA Portal keeps comments.

use super::{Source, items_with_lead, parts, unsupported};
use crate::diagnostics::Diagnostic;
use crate::source::import::scl::INSTANCE_TYPES;
use crate::source::{FileId, SourceFile};
use crate::syntax::ast::*;
use crate::syntax::lex;
use crate::syntax::token::TokenKind;
use std::collections::HashSet;

pub fn export(sources: &[Source]) -> Result<String, Vec<Diagnostic>> {
    // Names declared by the project: quoted wherever they are used.
    let mut globals = HashSet::new();
    for source in sources {
        for item in &source.parsed.unit.items {
            match item {
                Item::Pou(p) => {
                    if let Some(n) = &p.name {
                        globals.insert(n.name.to_ascii_uppercase());
                    }
                }
                Item::Types(t) => {
                    for d in &t.decls {
                        globals.insert(d.name.name.to_ascii_uppercase());
                    }
                }
                _ => {}
            }
        }
    }
    let mut out = String::new();
    let mut errors = Vec::new();
    for source in sources {
        let file = source.file;
        let (items, _) = items_with_lead(source);
        for (item, lead) in items {
            match item {
                Item::Pou(pou) => block(file, pou, lead, &globals, &mut out, &mut errors),
                Item::Types(t) => {
                    for decl in &t.decls {
                        udt(file, decl, &globals, &mut out, &mut errors);
                    }
                }
                Item::Globals(g) => errors.push(unsupported(
                    file,
                    g.span,
                    "SCL keeps global variables in DATA_BLOCKs; a VAR_GLOBAL list cannot be exported",
                )),
                Item::Configuration(c) => errors.push(unsupported(
                    file,
                    c.span,
                    "SCL has no CONFIGURATION; tasks are organization blocks configured in TIA Portal",
                )),
                Item::Error(span) => {
                    errors.push(unsupported(file, *span, "this region has syntax errors"))
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

fn udt(
    file: &SourceFile,
    decl: &TypeDecl,
    globals: &HashSet<String>,
    out: &mut String,
    errors: &mut Vec<Diagnostic>,
) {
    if !matches!(decl.spec.kind, TypeSpecKind::Struct { .. })
        || decl.extends.is_some()
        || decl.init.is_some()
    {
        errors.push(unsupported(
            file,
            decl.span,
            "SCL user types (UDTs) are structures; enumerations, aliases, subranges and structure inheritance cannot be exported",
        ));
        return;
    }
    let before = errors.len();
    check_wide_strings(file, decl.span.range(), errors);
    if errors.len() > before {
        return;
    }
    let spec = &file.text[decl.spec.span.range()];
    out.push_str(&format!(
        "TYPE \"{}\"\nVERSION : 0.1\n   {};\nEND_TYPE\n\n",
        decl.name.name,
        rewrite(spec, &HashSet::new(), globals, true)
    ));
}

fn block(
    file: &SourceFile,
    pou: &Pou,
    lead: &str,
    globals: &HashSet<String>,
    out: &mut String,
    errors: &mut Vec<Diagnostic>,
) {
    let name = pou.name.as_ref().map_or("_", |n| n.name.as_str());
    let (keyword, end) = match pou.kind {
        PouKind::FunctionBlock => ("FUNCTION_BLOCK", "END_FUNCTION_BLOCK"),
        PouKind::Function => ("FUNCTION", "END_FUNCTION"),
        PouKind::Program => ("ORGANIZATION_BLOCK", "END_ORGANIZATION_BLOCK"),
        _ => {
            errors.push(unsupported(
                file,
                pou.span,
                "SCL has no interfaces or classes",
            ));
            return;
        }
    };
    let before = errors.len();
    check_block(file, pou, errors);
    check_wide_strings(file, pou.span.range(), errors);
    if errors.len() > before {
        return;
    }
    let text = file.text.as_str();
    let locals: HashSet<String> = pou
        .var_blocks
        .iter()
        .flat_map(|b| &b.decls)
        .flat_map(|d| &d.names)
        .map(|n| n.name.to_ascii_uppercase())
        .collect();
    let mut header = format!("{keyword} \"{name}\"");
    if pou.kind == PouKind::Function {
        let result = pou.return_type.as_ref().map_or("Void".to_string(), |t| {
            rewrite(&text[t.span.range()], &HashSet::new(), globals, true)
        });
        header.push_str(&format!(" : {result}"));
    }
    out.push_str(&header);
    out.push_str("\n{ S7_Optimized_Access := 'TRUE' }\nVERSION : 0.1\n");
    if let (Some(first), Some(last)) = (pou.var_blocks.first(), pou.var_blocks.last()) {
        let from = first.span.start as usize;
        let mut vars = text[from..last.span.end as usize].to_string();
        if pou.kind == PouKind::Function {
            // IEC function locals are temporary; SCL spells that VAR_TEMP.
            for block in pou.var_blocks.iter().rev() {
                let at = block.span.start as usize - from;
                if block.kind == VarKind::Var && !block.qualifiers.contains(&VarQualifier::Constant)
                {
                    vars.replace_range(at..at + 3, "VAR_TEMP");
                }
            }
        }
        out.push_str("   ");
        out.push_str(&rewrite(&vars, &HashSet::new(), globals, true));
        out.push('\n');
    }
    out.push_str("\nBEGIN\n");
    if !lead.is_empty() {
        out.push_str(lead);
        out.push('\n');
    }
    let body = parts(text, pou, pou.span.start as usize).implementation;
    if !body.is_empty() {
        out.push_str(&rewrite(body, &locals, globals, false));
        out.push('\n');
    }
    out.push_str(end);
    out.push_str("\n\n");
}

/// What SCL cannot say about a block, as X006 diagnostics.
fn check_block(file: &SourceFile, pou: &Pou, errors: &mut Vec<Diagnostic>) {
    for member in &pou.members {
        errors.push(unsupported(
            file,
            member.span,
            "SCL blocks have no methods, properties or actions",
        ));
    }
    if !pou.extends.is_empty() || !pou.implements.is_empty() || !pou.modifiers.is_empty() {
        errors.push(unsupported(
            file,
            pou.span,
            "SCL blocks have no inheritance, interfaces or modifiers",
        ));
    }
    for block in &pou.var_blocks {
        let allowed = match pou.kind {
            PouKind::FunctionBlock => matches!(
                block.kind,
                VarKind::Input | VarKind::Output | VarKind::InOut | VarKind::Var | VarKind::Temp
            ),
            // A function's VAR is temporary in IEC as in SCL: it is written VAR_TEMP.
            PouKind::Function => matches!(
                block.kind,
                VarKind::Input | VarKind::Output | VarKind::InOut | VarKind::Temp | VarKind::Var
            ),
            _ => {
                block.kind == VarKind::Temp
                    || (block.kind == VarKind::Var
                        && block.qualifiers.contains(&VarQualifier::Constant))
            }
        };
        if !allowed {
            let what = match pou.kind {
                PouKind::Function => "SCL functions have no such variable section",
                PouKind::Program => {
                    "an organization block has VAR_TEMP and VAR CONSTANT only (keep state in a function block)"
                }
                _ => "SCL has no such variable section",
            };
            errors.push(unsupported(file, block.span, what));
        }
        for decl in &block.decls {
            check_type(file, &decl.ty, errors);
            if decl.edge.is_some() || decl.init_args.is_some() {
                errors.push(unsupported(
                    file,
                    decl.span,
                    "SCL has no R_EDGE/F_EDGE inputs or instance arguments",
                ));
            }
        }
    }
    if let Some(t) = &pou.return_type {
        check_type(file, t, errors);
    }
}

/// SCL reads every double-quoted token as a name: a `"wide string"` literal must be written
/// `WSTRING#'…'` there, which is a different literal, so it is reported.
fn check_wide_strings(
    file: &SourceFile,
    range: std::ops::Range<usize>,
    errors: &mut Vec<Diagnostic>,
) {
    let base = range.start;
    for token in lex(FileId(0), &file.text[range]).tokens {
        if token.kind == TokenKind::WString {
            errors.push(unsupported(
                file,
                crate::source::Span::new(base + token.span.start, base + token.span.end),
                "SCL reads double quotes as a name; write the wide string as WSTRING#'…'",
            ));
        }
    }
}

fn check_type(file: &SourceFile, t: &TypeSpec, errors: &mut Vec<Diagnostic>) {
    match &t.kind {
        TypeSpecKind::Pointer(_) | TypeSpecKind::RefTo(_) | TypeSpecKind::Reference(_) => errors
            .push(unsupported(
                file,
                t.span,
                "SCL has no POINTER TO or references (Variant and DB_ANY are not the same thing)",
            )),
        TypeSpecKind::Enum { .. } | TypeSpecKind::Subrange { .. } | TypeSpecKind::Union { .. } => {
            errors.push(unsupported(
                file,
                t.span,
                "SCL has no enumerations, subranges or unions",
            ))
        }
        TypeSpecKind::Array { element, .. } => check_type(file, element, errors),
        TypeSpecKind::Struct { members } => {
            for m in members {
                check_type(file, &m.ty, errors);
            }
        }
        TypeSpecKind::Named(_) | TypeSpecKind::String { .. } => {}
    }
}

/// Rewrites ST text the SCL way: `#` before locals, project names quoted, and in declarations
/// the IEC timer and counter types under their TIA names. Comments, strings and spacing stay.
fn rewrite(
    text: &str,
    locals: &HashSet<String>,
    globals: &HashSet<String>,
    declarations: bool,
) -> String {
    let tokens = lex(FileId(0), text).tokens;
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut at = 0;
    let mut depth = 0usize;
    for (i, token) in tokens.iter().enumerate() {
        match token.kind {
            TokenKind::LParen => depth += 1,
            TokenKind::RParen => depth = depth.saturating_sub(1),
            _ => {}
        }
        if token.kind != TokenKind::Ident && !token.kind.is_soft_keyword() {
            continue;
        }
        let (start, end) = (token.span.start, token.span.end);
        let word = &text[start..end];
        let upper = word.to_ascii_uppercase();
        let prev = i.checked_sub(1).map(|p| tokens[p].kind);
        let next = tokens.get(i + 1).map(|t| t.kind);
        // A member (`a.b`), a typed literal (`E#A`), a formal parameter (`IN :=`) is not a name
        // of this block.
        let after_dot = prev == Some(TokenKind::Dot);
        let typed = prev == Some(TokenKind::Hash) || next == Some(TokenKind::Hash);
        let formal = depth > 0 && matches!(next, Some(TokenKind::Assign | TokenKind::Arrow));
        if after_dot || typed || formal {
            continue;
        }
        let replacement = if locals.contains(&upper) {
            Some(format!("#{word}"))
        } else if globals.contains(&upper) {
            Some(format!("\"{word}\""))
        } else {
            INSTANCE_TYPES
                .iter()
                .find(|(iec, _)| *iec == upper)
                .filter(|_| declarations)
                .map(|(_, tia)| tia.to_string())
        };
        if let Some(replacement) = replacement {
            out.push_str(&text[at..start]);
            out.push_str(&replacement);
            at = end;
        }
    }
    out.push_str(&text[at..]);
    out
}
