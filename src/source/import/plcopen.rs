//! PLCopen TC6 XML 2.00 and 2.01 (`tc6_0200`, `tc6_0201`): data types, POUs whose interfaces
//! are XML variables and whose bodies are ST (`<ST><xhtml:p><![CDATA[…]]>` or escaped
//! `<xhtml>` text), actions, CODESYS `addData` for methods, properties, inheritance and global
//! variable lists, and configurations. The importer writes the ST each XML element stands for,
//! mapped to that element; bodies are copied verbatim. Graphical bodies (FBD, LD, SFC, IL) are
//! reported (X004) and left empty.

use super::xml::{self, Element, Problem};
use super::{end_line, push_text};
use crate::diagnostics::Code;
use crate::source::StBuilder;

/// The `addData` names CODESYS uses (stforge's export writes the same).
pub const METHOD: &str = "http://www.3s-software.com/plcopenxml/method";
pub const PROPERTY: &str = "http://www.3s-software.com/plcopenxml/property";
pub const INHERITANCE: &str = "http://www.3s-software.com/plcopenxml/pouinheritance";
pub const GLOBALS: &str = "http://www.3s-software.com/plcopenxml/globalvars";
/// stforge's own `addData`: keywords of variable lists PLCopen has no element for, the
/// processor of a resource.
pub const STFORGE: &str = "https://github.com/stforge/stforge/plcopenxml";

const GRAPHICAL: &[&str] = &["FBD", "LD", "SFC", "IL"];

/// The PLCopen elementary type elements, spelled as ST spells them.
pub const ELEMENTARY: &[&str] = &[
    "BOOL", "BYTE", "WORD", "DWORD", "LWORD", "SINT", "INT", "DINT", "LINT", "USINT", "UINT",
    "UDINT", "ULINT", "REAL", "LREAL", "TIME", "DATE", "DT", "TOD",
];

pub fn import(original: &str, st: &mut StBuilder) -> Result<Vec<Problem>, Problem> {
    let (root, mut problems) = xml::parse(original)?;
    if root.name != "project" {
        return Err(Problem::new(
            Code::X002,
            root.start,
            format!("expected a PLCopen `<project>`, found `<{}>`", root.name),
        ));
    }
    let mut w = Writer {
        st,
        problems: &mut problems,
    };
    if let Some(types) = root.child("types") {
        if let Some(data_types) = types.child("dataTypes") {
            for dt in data_types.children_named("dataType") {
                w.data_type(dt);
            }
        }
        if let Some(pous) = types.child("pous") {
            for pou in pous.children_named("pou") {
                w.pou(pou);
            }
        }
    }
    for data in add_data(&root, GLOBALS) {
        for list in data.children_named("globalVars") {
            w.var_block("VAR_GLOBAL", list);
        }
    }
    if let Some(configs) = root
        .child("instances")
        .and_then(|i| i.child("configurations"))
    {
        for config in configs.children_named("configuration") {
            w.configuration(config);
        }
    }
    Ok(problems)
}

/// The `<data>` children of an element's `addData` with the given name.
fn add_data<'a>(e: &'a Element, name: &'a str) -> impl Iterator<Item = &'a Element> {
    e.children_named("addData")
        .flat_map(|a| a.children_named("data"))
        .filter(move |d| d.attr("name") == Some(name))
}

struct Writer<'a> {
    st: &'a mut StBuilder,
    problems: &'a mut Vec<Problem>,
}

impl Writer<'_> {
    fn put(&mut self, text: &str, at: &Element) {
        self.st.synthetic(text, at.start);
    }

    fn data_type(&mut self, dt: &Element) {
        let name = dt.attr("name").unwrap_or("_");
        let Some(base) = dt.child("baseType").and_then(|b| b.elements().next()) else {
            self.problems.push(Problem::new(
                Code::X002,
                dt.start,
                format!("data type `{name}` has no base type"),
            ));
            return;
        };
        self.documentation(dt);
        let mut text = format!("TYPE {name} : ");
        text.push_str(&self.type_text(base));
        if let Some(init) = dt.child("initialValue") {
            text.push_str(" := ");
            text.push_str(&value_text(init));
        }
        text.push_str(";\nEND_TYPE\n");
        self.put(&text, dt);
    }

    /// The ST of a PLCopen type element (`<INT/>`, `<derived name="T"/>`, `<array>`, …).
    fn type_text(&mut self, t: &Element) -> String {
        let upper = t.name.to_ascii_uppercase();
        if ELEMENTARY.contains(&upper.as_str()) {
            return upper;
        }
        match t.name.as_str() {
            "derived" => t.attr("name").unwrap_or("_").to_string(),
            "string" | "wstring" => {
                let kw = if t.name == "string" {
                    "STRING"
                } else {
                    "WSTRING"
                };
                match t.attr("length") {
                    Some(len) => format!("{kw}({len})"),
                    None => kw.to_string(),
                }
            }
            "array" => {
                let dims: Vec<String> = t
                    .children_named("dimension")
                    .map(|d| {
                        format!(
                            "{}..{}",
                            d.attr("lower").unwrap_or("0"),
                            d.attr("upper").unwrap_or("0")
                        )
                    })
                    .collect();
                let element = self.base_type(t);
                format!("ARRAY[{}] OF {element}", dims.join(", "))
            }
            "pointer" => format!("POINTER TO {}", self.base_type(t)),
            "subrangeSigned" | "subrangeUnsigned" => {
                let range = t.child("range");
                format!(
                    "{}({}..{})",
                    self.base_type(t),
                    range.and_then(|r| r.attr("lower")).unwrap_or("0"),
                    range.and_then(|r| r.attr("upper")).unwrap_or("0")
                )
            }
            "enum" => {
                let values: Vec<String> = t
                    .child("values")
                    .into_iter()
                    .flat_map(|v| v.children_named("value"))
                    .map(|v| match v.attr("value") {
                        Some(value) => format!("{} := {value}", v.attr("name").unwrap_or("_")),
                        None => v.attr("name").unwrap_or("_").to_string(),
                    })
                    .collect();
                let mut text = format!("({})", values.join(", "));
                if t.child("baseType").is_some() {
                    text.push(' ');
                    text.push_str(&self.base_type(t));
                }
                text
            }
            "struct" => {
                let mut text = String::from("STRUCT\n");
                for v in t.children_named("variable") {
                    text.push_str(&self.variable_text(v));
                }
                text.push_str("END_STRUCT");
                text
            }
            other => {
                self.problems.push(Problem::new(
                    Code::X002,
                    t.start,
                    format!("the PLCopen type `<{other}>` is not supported"),
                ));
                "_".to_string()
            }
        }
    }

    fn base_type(&mut self, t: &Element) -> String {
        match t.child("baseType").and_then(|b| b.elements().next()) {
            Some(base) => self.type_text(base),
            None => "_".to_string(),
        }
    }

    /// `name AT %addr : TYPE := init;` and a line break.
    fn variable_text(&mut self, v: &Element) -> String {
        let name = v.attr("name").unwrap_or("_");
        let mut text = name.to_string();
        if let Some(address) = v.attr("address") {
            text.push_str(" AT ");
            text.push_str(address);
        }
        text.push_str(" : ");
        match v.child("type").and_then(|t| t.elements().next()) {
            Some(t) => text.push_str(&self.type_text(t)),
            None => text.push('_'),
        }
        if let Some(init) = v.child("initialValue") {
            text.push_str(" := ");
            text.push_str(&value_text(init));
        }
        text.push_str(";\n");
        text
    }

    fn var_block(&mut self, keyword: &str, block: &Element) {
        let keyword = stforge_attr(block, "list", "keyword").unwrap_or(keyword);
        let mut head = keyword.to_string();
        for (attr, qualifier) in [
            ("constant", " CONSTANT"),
            ("retain", " RETAIN"),
            ("nonretain", " NON_RETAIN"),
            ("persistent", " PERSISTENT"),
        ] {
            if block.attr(attr).is_some_and(|v| v == "true" || v == "1") {
                head.push_str(qualifier);
            }
        }
        head.push('\n');
        self.put(&head, block);
        for v in block.children_named("variable") {
            let text = self.variable_text(v);
            self.put(&text, v);
        }
        self.put("END_VAR\n", block);
    }

    fn interface(&mut self, interface: &Element) {
        for block in interface.elements() {
            let keyword = match block.name.as_str() {
                "inputVars" => "VAR_INPUT",
                "outputVars" => "VAR_OUTPUT",
                "inOutVars" => "VAR_IN_OUT",
                "localVars" => "VAR",
                "tempVars" => "VAR_TEMP",
                "externalVars" => "VAR_EXTERNAL",
                "globalVars" => "VAR_GLOBAL",
                "accessVars" => "VAR_ACCESS",
                "instVars" => "VAR_INST",
                _ => continue,
            };
            self.var_block(keyword, block);
        }
    }

    fn pou(&mut self, pou: &Element) {
        let name = pou.attr("name").unwrap_or("_");
        let (keyword, end) = match pou.attr("pouType") {
            Some("program") => ("PROGRAM", "END_PROGRAM"),
            Some("function") => ("FUNCTION", "END_FUNCTION"),
            _ => ("FUNCTION_BLOCK", "END_FUNCTION_BLOCK"),
        };
        let mut head = format!("{keyword} {name}");
        for data in add_data(pou, INHERITANCE) {
            for inheritance in data.children_named("Inheritance") {
                if let Some(base) = inheritance.child("Extends") {
                    head.push_str(" EXTENDS ");
                    head.push_str(base.text().trim());
                }
                let implements: Vec<String> = inheritance
                    .children_named("Implements")
                    .map(|i| i.text().trim().to_string())
                    .collect();
                if !implements.is_empty() {
                    head.push_str(" IMPLEMENTS ");
                    head.push_str(&implements.join(", "));
                }
            }
        }
        let interface = pou.child("interface");
        if let Some(ret) = interface
            .and_then(|i| i.child("returnType"))
            .and_then(|r| r.elements().next())
        {
            head.push_str(" : ");
            head.push_str(&self.type_text(ret));
        }
        head.push('\n');
        self.documentation(pou);
        self.put(&head, pou);
        if let Some(interface) = interface {
            self.interface(interface);
        }
        self.body(pou, name);
        self.members(pou);
        end_line(self.st, pou.start);
        self.put(end, pou);
        self.put("\n", pou);
    }

    /// Methods and properties (CODESYS `addData`, in document order), then actions.
    fn members(&mut self, pou: &Element) {
        let data = pou
            .children_named("addData")
            .flat_map(|a| a.children_named("data"));
        for data in data {
            match data.attr("name") {
                Some(METHOD) => {
                    for method in data.children_named("Method") {
                        self.method(method);
                    }
                }
                Some(PROPERTY) => {
                    for property in data.children_named("Property") {
                        self.property(property);
                    }
                }
                _ => {}
            }
        }
        if let Some(actions) = pou.child("actions") {
            for action in actions.children_named("action") {
                let name = action.attr("name").unwrap_or("_");
                self.put(&format!("ACTION {name}:\n"), action);
                self.body(action, name);
                end_line(self.st, action.start);
                self.put("END_ACTION\n", action);
            }
        }
    }

    fn method(&mut self, method: &Element) {
        let name = method.attr("name").unwrap_or("_");
        let mut head = format!("METHOD {}{name}", modifiers(method));
        let interface = method.child("interface");
        if let Some(ret) = interface
            .and_then(|i| i.child("returnType"))
            .and_then(|r| r.elements().next())
        {
            head.push_str(" : ");
            head.push_str(&self.type_text(ret));
        }
        head.push('\n');
        self.put(&head, method);
        if let Some(interface) = interface {
            self.interface(interface);
        }
        self.body(method, name);
        end_line(self.st, method.start);
        self.put("END_METHOD\n", method);
    }

    fn property(&mut self, property: &Element) {
        let mut head = format!(
            "PROPERTY {}{}",
            modifiers(property),
            property.attr("name").unwrap_or("_")
        );
        if let Some(ret) = property
            .child("interface")
            .and_then(|i| i.child("returnType"))
            .and_then(|r| r.elements().next())
        {
            head.push_str(" : ");
            head.push_str(&self.type_text(ret));
        }
        head.push('\n');
        self.put(&head, property);
        for (tag, open, close) in [
            ("GetAccessor", "GET\n", "END_GET\n"),
            ("SetAccessor", "SET\n", "END_SET\n"),
        ] {
            if let Some(accessor) = property.child(tag) {
                self.put(open, accessor);
                if let Some(interface) = accessor.child("interface") {
                    self.interface(interface);
                }
                self.body(accessor, tag);
                end_line(self.st, accessor.start);
                self.put(close, accessor);
            }
        }
        self.put("END_PROPERTY\n", property);
    }

    /// An element's `<documentation>` as a comment before it: copied as it stands when it is
    /// already ST comments (stforge's export writes a POU's leading comments there), else
    /// wrapped in one.
    fn documentation(&mut self, owner: &Element) {
        let Some(doc) = owner.child("documentation") else {
            return;
        };
        let text = doc.text();
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return;
        }
        let is_comment = trimmed.lines().all(|l| {
            let l = l.trim_start();
            l.is_empty() || l.starts_with("//") || l.starts_with('{')
        }) || (trimmed.starts_with("(*") && trimmed.ends_with("*)"));
        if is_comment {
            push_text(self.st, doc);
            end_line(self.st, doc.start);
        } else if !trimmed.contains("*)") && !trimmed.contains("(*") {
            self.put("(* ", doc);
            push_text(self.st, doc);
            self.put(" *)\n", doc);
        } else {
            for line in trimmed.lines() {
                self.put(&format!("// {line}\n"), doc);
            }
        }
    }

    fn body(&mut self, owner: &Element, name: &str) {
        let Some(body) = owner.child("body") else {
            return;
        };
        for language in body.elements() {
            if language.name == "ST" {
                push_text(self.st, language);
                end_line(self.st, language.start);
            } else if GRAPHICAL.contains(&language.name.as_str()) {
                self.problems.push(Problem::new(
                    Code::X004,
                    language.start,
                    format!(
                        "the body of `{name}` is in {}, which is not imported; only its declaration is checked",
                        language.name
                    ),
                ));
            }
        }
    }

    fn configuration(&mut self, config: &Element) {
        let name = config.attr("name").unwrap_or("_");
        self.put(&format!("CONFIGURATION {name}\n"), config);
        for globals in config.children_named("globalVars") {
            self.var_block("VAR_GLOBAL", globals);
        }
        for resource in config.children_named("resource") {
            self.put(
                &format!(
                    "RESOURCE {} ON {}\n",
                    resource.attr("name").unwrap_or("_"),
                    stforge_attr(resource, "resource", "on").unwrap_or("PLC")
                ),
                resource,
            );
            for globals in resource.children_named("globalVars") {
                self.var_block("VAR_GLOBAL", globals);
            }
            for task in resource.children_named("task") {
                let mut settings = Vec::new();
                for attr in ["single", "interval", "priority"] {
                    if let Some(v) = task.attr(attr) {
                        settings.push(format!("{} := {v}", attr.to_ascii_uppercase()));
                    }
                }
                let task_name = task.attr("name").unwrap_or("_");
                self.put(
                    &format!("TASK {task_name}({});\n", settings.join(", ")),
                    task,
                );
                for instance in task.children_named("pouInstance") {
                    self.put(
                        &format!(
                            "PROGRAM {} WITH {task_name} : {};\n",
                            instance.attr("name").unwrap_or("_"),
                            instance.attr("typeName").unwrap_or("_")
                        ),
                        instance,
                    );
                }
            }
            for instance in resource.children_named("pouInstance") {
                self.put(
                    &format!(
                        "PROGRAM {} : {};\n",
                        instance.attr("name").unwrap_or("_"),
                        instance.attr("typeName").unwrap_or("_")
                    ),
                    instance,
                );
            }
            self.put("END_RESOURCE\n", resource);
        }
        self.put("END_CONFIGURATION\n", config);
    }
}

/// An attribute of stforge's `addData` element `element` below `e`.
fn stforge_attr<'a>(e: &'a Element, element: &'a str, attr: &str) -> Option<&'a str> {
    add_data(e, STFORGE)
        .flat_map(|d| d.children_named(element))
        .find_map(|x| x.attr(attr))
}

/// `PUBLIC ABSTRACT ` from a member's `modifiers` attribute.
fn modifiers(member: &Element) -> String {
    match member.attr("modifiers") {
        Some(m) if !m.trim().is_empty() => format!("{} ", m.trim()),
        _ => String::new(),
    }
}

/// The ST of an `<initialValue>` (simple, array or structure value).
fn value_text(init: &Element) -> String {
    match init.elements().next() {
        Some(v) => value(v),
        None => "0".to_string(),
    }
}

fn value(v: &Element) -> String {
    match v.name.as_str() {
        "simpleValue" => v.attr("value").unwrap_or("0").to_string(),
        "arrayValue" => {
            let elems: Vec<String> = v
                .children_named("value")
                .map(|e| {
                    let inner = e.elements().next().map(value).unwrap_or_default();
                    match e.attr("repetitionValue") {
                        Some(n) => format!("{n}({inner})"),
                        None => inner,
                    }
                })
                .collect();
            format!("[{}]", elems.join(", "))
        }
        "structValue" => {
            let members: Vec<String> = v
                .children_named("value")
                .map(|e| {
                    format!(
                        "{} := {}",
                        e.attr("member").unwrap_or("_"),
                        e.elements().next().map(value).unwrap_or_default()
                    )
                })
                .collect();
            format!("({})", members.join(", "))
        }
        _ => "0".to_string(),
    }
}
