//! TwinCAT 3 files: `.TcPOU` (a POU with its methods, properties, actions), `.TcDUT` (types),
//! `.TcGVL` (global variables), `.TcIO` (an interface). Each holds ST in CDATA sections:
//! `Declaration` for the header and variables, `Implementation/ST` for the body. The importer
//! copies those verbatim and adds the keywords the XML structure stands for (`END_METHOD`,
//! `GET`, `END_FUNCTION_BLOCK`, …).

use super::xml::{self, Element, Problem};
use super::{end_line, push_text};
use crate::diagnostics::Code;
use crate::source::{FileId, StBuilder};
use crate::syntax::token::TokenKind;

/// Implementation languages TwinCAT stores graphically; their bodies are not imported.
const GRAPHICAL: &[&str] = &["FBD", "LD", "SFC", "CFC", "NWL", "IL", "UML"];

pub fn import(original: &str, st: &mut StBuilder) -> Result<Vec<Problem>, Problem> {
    let (root, mut problems) = xml::parse(original)?;
    if root.name != "TcPlcObject" {
        return Err(Problem::new(
            Code::X002,
            root.start,
            format!("expected a TwinCAT `TcPlcObject`, found `<{}>`", root.name),
        ));
    }
    for object in root.elements() {
        match object.name.as_str() {
            "POU" => pou(object, st, &mut problems),
            "Itf" => interface(object, st, &mut problems),
            "DUT" | "GVL" => {
                if let Some(decl) = object.child("Declaration") {
                    push_text(st, decl);
                    end_line(st, object.start);
                }
            }
            // Task configurations, visualisations, text lists: not code.
            _ => {}
        }
    }
    Ok(problems)
}

fn pou(pou: &Element, st: &mut StBuilder, problems: &mut Vec<Problem>) {
    let Some(decl) = pou.child("Declaration") else {
        problems.push(Problem::new(
            Code::X002,
            pou.start,
            "a POU without a declaration",
        ));
        return;
    };
    push_text(st, decl);
    end_line(st, decl.start);
    let end = end_keyword(&decl.text());
    implementation(pou, st, problems);
    members(pou, st, problems);
    end_line(st, pou.start);
    st.synthetic(end, pou.start);
    st.synthetic("\n", pou.start);
}

fn interface(itf: &Element, st: &mut StBuilder, problems: &mut Vec<Problem>) {
    let Some(decl) = itf.child("Declaration") else {
        problems.push(Problem::new(
            Code::X002,
            itf.start,
            "an interface without a declaration",
        ));
        return;
    };
    push_text(st, decl);
    end_line(st, decl.start);
    members(itf, st, problems);
    end_line(st, itf.start);
    st.synthetic("END_INTERFACE\n", itf.start);
}

/// Methods, properties and actions, in the order of the file (folders are looked into).
fn members(owner: &Element, st: &mut StBuilder, problems: &mut Vec<Problem>) {
    for member in owner.elements() {
        match member.name.as_str() {
            "Method" => {
                if let Some(decl) = member.child("Declaration") {
                    push_text(st, decl);
                    end_line(st, decl.start);
                }
                implementation(member, st, problems);
                end_line(st, member.start);
                st.synthetic("END_METHOD\n", member.start);
            }
            "Property" => {
                if let Some(decl) = member.child("Declaration") {
                    push_text(st, decl);
                    end_line(st, decl.start);
                }
                for (tag, open, close) in
                    [("Get", "GET\n", "END_GET\n"), ("Set", "SET\n", "END_SET\n")]
                {
                    if let Some(accessor) = member.child(tag) {
                        st.synthetic(open, accessor.start);
                        if let Some(decl) = accessor.child("Declaration") {
                            push_text(st, decl);
                            end_line(st, decl.start);
                        }
                        implementation(accessor, st, problems);
                        end_line(st, accessor.start);
                        st.synthetic(close, accessor.start);
                    }
                }
                st.synthetic("END_PROPERTY\n", member.start);
            }
            "Action" => {
                let name = member.attr("Name").unwrap_or("Action");
                st.synthetic(&format!("ACTION {name}:\n"), member.start);
                implementation(member, st, problems);
                end_line(st, member.start);
                st.synthetic("END_ACTION\n", member.start);
            }
            "Transition" => problems.push(Problem::new(
                Code::X004,
                member.start,
                format!(
                    "SFC transition `{}` is not imported",
                    member.attr("Name").unwrap_or("?")
                ),
            )),
            "Folder" => members(member, st, problems),
            _ => {}
        }
    }
}

/// The ST body of a POU, method, accessor or action; a graphical body is reported.
fn implementation(owner: &Element, st: &mut StBuilder, problems: &mut Vec<Problem>) {
    let Some(implementation) = owner.child("Implementation") else {
        return;
    };
    for body in implementation.elements() {
        if body.name == "ST" {
            push_text(st, body);
            end_line(st, body.start);
        } else if GRAPHICAL.contains(&body.name.as_str()) {
            problems.push(Problem::new(
                Code::X004,
                body.start,
                format!(
                    "the body of `{}` is in {}, which is not imported; only its declaration is checked",
                    owner.attr("Name").unwrap_or("?"),
                    body.name
                ),
            ));
        }
    }
}

/// The closing keyword for the POU a declaration opens (its first POU keyword).
fn end_keyword(declaration: &str) -> &'static str {
    let lexed = crate::syntax::lex(FileId(0), declaration);
    for token in &lexed.tokens {
        match token.kind {
            TokenKind::FunctionBlock => return "END_FUNCTION_BLOCK",
            TokenKind::Function => return "END_FUNCTION",
            TokenKind::Program => return "END_PROGRAM",
            TokenKind::Class => return "END_CLASS",
            TokenKind::Interface => return "END_INTERFACE",
            _ => {}
        }
    }
    "END_FUNCTION_BLOCK"
}
