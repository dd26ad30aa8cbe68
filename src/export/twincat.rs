//! TwinCAT 3: one `.TcPOU` per program, function block or function (methods, properties and
//! actions as child elements with GUIDs), `.TcIO` per interface, `.TcDUT` per type block and
//! `.TcGVL` per global variable list — the files TwinCAT XAE keeps in a PLC project folder.
//! Declarations and bodies are the source text, comments included, in CDATA.

use super::xml::Xml;
use super::{
    OutFile, Parts, Source, accessor_start, action_body, guid, items_with_lead, parts, unsupported,
};
use crate::diagnostics::Diagnostic;
use crate::syntax::ast::{Item, Pou, PouKind};

/// The versions TwinCAT 3.1 Build 4024 writes.
const OBJECT_VERSION: &str = "1.1.0.1";
const PRODUCT_VERSION: &str = "3.1.4024.12";

pub fn export(sources: &[Source]) -> Result<Vec<OutFile>, Vec<Diagnostic>> {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for source in sources {
        let text = source.file.text.as_str();
        let stem = source
            .file
            .path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("GVL")
            .to_string();
        let (items, trailing) = items_with_lead(source);
        let last = items.len().saturating_sub(1);
        for (index, (item, lead)) in items.into_iter().enumerate() {
            // Comments after the last item would have nowhere to go: they join its text.
            let tail = if index == last { trailing } else { "" };
            match item {
                Item::Pou(pou) if matches!(pou.kind, PouKind::Class) => errors.push(unsupported(
                    source.file,
                    pou.span,
                    "TwinCAT has no CLASS; write a FUNCTION_BLOCK",
                )),
                Item::Pou(pou) => files.push(pou_file(text, pou, lead, tail)),
                Item::Types(block) => {
                    let name = block.decls.first().map_or("DUT", |d| d.name.name.as_str());
                    let declaration = join(lead, &text[block.span.range()], tail);
                    files.push(simple_file("DUT", name, ".TcDUT", &declaration));
                }
                Item::Globals(block) => {
                    let declaration = join(lead, &text[block.span.range()], tail);
                    let name = unique_name(&files, &stem, ".TcGVL");
                    files.push(simple_file("GVL", &name, ".TcGVL", &declaration));
                }
                Item::Configuration(c) => errors.push(unsupported(
                    source.file,
                    c.span,
                    "TwinCAT keeps tasks in the system configuration, not in PLC source; a CONFIGURATION cannot be exported",
                )),
                Item::Error(span) => errors.push(unsupported(
                    source.file,
                    *span,
                    "this region has syntax errors",
                )),
            }
        }
    }
    if errors.is_empty() {
        Ok(files)
    } else {
        Err(errors)
    }
}

fn join(lead: &str, body: &str, tail: &str) -> String {
    let mut text = String::new();
    for part in [lead, body, tail] {
        if part.is_empty() {
            continue;
        }
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(part);
    }
    text
}

/// A name for a file not taken yet (`GVL`, `GVL_2`, …).
fn unique_name(files: &[OutFile], stem: &str, ext: &str) -> String {
    let taken = |name: &str| {
        files
            .iter()
            .any(|f| f.name.eq_ignore_ascii_case(&format!("{name}{ext}")))
    };
    if !taken(stem) {
        return stem.to_string();
    }
    (2..)
        .map(|n| format!("{stem}_{n}"))
        .find(|n| !taken(n))
        .expect("some name is free")
}

fn simple_file(tag: &str, name: &str, ext: &str, declaration: &str) -> OutFile {
    let mut x = Xml::new();
    x.open(
        "TcPlcObject",
        &[
            ("Version", OBJECT_VERSION),
            ("ProductVersion", PRODUCT_VERSION),
        ],
    );
    x.open(
        tag,
        &[("Name", name), ("Id", &guid(&format!("{tag}/{name}")))],
    );
    x.cdata_element("Declaration", &[], declaration);
    x.close(tag);
    x.close("TcPlcObject");
    OutFile {
        name: format!("{name}{ext}"),
        text: x.finish(),
    }
}

fn pou_file(text: &str, pou: &Pou, lead: &str, tail: &str) -> OutFile {
    let name = pou.name.as_ref().map_or("POU", |n| n.name.as_str());
    let is_interface = pou.kind == PouKind::Interface;
    let (tag, ext) = if is_interface {
        ("Itf", ".TcIO")
    } else {
        ("POU", ".TcPOU")
    };
    let start = pou.span.start as usize;
    let Parts {
        declaration,
        implementation,
    } = parts(text, pou, start);
    let mut x = Xml::new();
    x.open(
        "TcPlcObject",
        &[
            ("Version", OBJECT_VERSION),
            ("ProductVersion", PRODUCT_VERSION),
        ],
    );
    let id = guid(&format!("{tag}/{name}"));
    let mut attrs = vec![("Name", name), ("Id", id.as_str())];
    if !is_interface {
        attrs.push(("SpecialFunc", "None"));
    }
    x.open(tag, &attrs);
    x.cdata_element("Declaration", &[], &join(lead, declaration, ""));
    if !is_interface {
        implementation_element(&mut x, &join("", implementation, tail));
    }
    for member in &pou.members {
        member_element(&mut x, text, member, name, is_interface);
    }
    x.close(tag);
    x.close("TcPlcObject");
    OutFile {
        name: format!("{name}{ext}"),
        text: x.finish(),
    }
}

fn implementation_element(x: &mut Xml, body: &str) {
    x.open("Implementation", &[]);
    x.cdata_element("ST", &[], body);
    x.close("Implementation");
}

/// A method, property or action; members of an interface have declarations only.
fn member_element(x: &mut Xml, text: &str, member: &Pou, owner: &str, in_interface: bool) {
    let name = member.name.as_ref().map_or("", |n| n.name.as_str());
    let id = guid(&format!("{owner}.{name}/{:?}", member.kind));
    match member.kind {
        PouKind::Method => {
            x.open("Method", &[("Name", name), ("Id", &id)]);
            let p = parts(text, member, member.span.start as usize);
            x.cdata_element("Declaration", &[], p.declaration);
            if !in_interface {
                implementation_element(x, p.implementation);
            }
            x.close("Method");
        }
        PouKind::Property => {
            x.open("Property", &[("Name", name), ("Id", &id)]);
            let header_end = member
                .members
                .first()
                .map_or(super::end_keyword_start(text, member), |a| {
                    a.span.start as usize
                });
            x.cdata_element(
                "Declaration",
                &[],
                text[member.span.start as usize..header_end].trim_end(),
            );
            for accessor in &member.members {
                let tag = if accessor.kind == PouKind::Getter {
                    "Get"
                } else {
                    "Set"
                };
                let accessor_id = guid(&format!("{owner}.{name}.{tag}"));
                x.open(tag, &[("Name", tag), ("Id", &accessor_id)]);
                let p = parts(text, accessor, accessor_start(accessor));
                x.cdata_element(
                    "Declaration",
                    &[],
                    p.declaration.trim_start_matches(['\r', '\n']),
                );
                if !in_interface {
                    implementation_element(x, p.implementation);
                }
                x.close(tag);
            }
            x.close("Property");
        }
        PouKind::Action => {
            x.open("Action", &[("Name", name), ("Id", &id)]);
            implementation_element(x, action_body(text, member));
            x.close("Action");
        }
        _ => {}
    }
}
