//! PLCopen TC6 XML 2.01 (`http://www.plcopen.org/xml/tc6_0201`), valid against the official
//! schema: data types and POU interfaces as XML (types, initial values, addresses), bodies as
//! ST in `<xhtml:p>` CDATA, actions natively, and what the schema has no element for the way
//! CODESYS writes it in `addData`: methods, properties, inheritance, global variable lists.
//! Comments before a POU (a provenance header) become its `<documentation>`, which tools keep
//! and stforge's import turns back into the comment.
//!
//! A few ST spellings have no PLCopen element at all (`REFERENCE TO`, `ARRAY[*]`, enumerations
//! in IEC order): they are written as `<derived name="…">` with the ST spelling, which
//! stforge reads back exactly. `VAR_INST`/`VAR_STAT` lists and member modifiers are kept in
//! stforge `addData` (other tools read them as plain `VAR` lists and members).

use super::xml::Xml;
use super::{Source, accessor_start, action_body, items_with_lead, parts, unsupported};
use crate::diagnostics::Diagnostic;
use crate::source::SourceFile;
use crate::source::import::plcopen::{ELEMENTARY, GLOBALS, INHERITANCE, METHOD, PROPERTY, STFORGE};
use crate::syntax::ast::*;
use crate::syntax::printer;

pub const NAMESPACE: &str = "http://www.plcopen.org/xml/tc6_0201";

struct Writer<'a> {
    x: Xml,
    file: &'a SourceFile,
    errors: Vec<Diagnostic>,
}

pub fn export(sources: &[Source]) -> Result<String, Vec<Diagnostic>> {
    let now = utc_now();
    let mut data_types: Vec<(&SourceFile, &TypeDecl, String)> = Vec::new();
    let mut pous: Vec<(&SourceFile, &Pou, &str)> = Vec::new();
    let mut globals: Vec<(&SourceFile, &VarBlock, String)> = Vec::new();
    let mut configurations: Vec<(&SourceFile, &Configuration)> = Vec::new();
    let mut errors = Vec::new();
    for source in sources {
        let stem = source
            .file
            .path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("GVL");
        let (items, _) = items_with_lead(source);
        for (item, lead) in items {
            match item {
                Item::Pou(pou) => pous.push((source.file, pou, lead)),
                Item::Types(block) => {
                    for (i, decl) in block.decls.iter().enumerate() {
                        let doc = if i == 0 {
                            lead.to_string()
                        } else {
                            String::new()
                        };
                        data_types.push((source.file, decl, doc));
                    }
                }
                Item::Globals(block) => {
                    let name = if globals.iter().any(|(_, _, n)| n == stem) {
                        format!("{stem}_{}", globals.len() + 1)
                    } else {
                        stem.to_string()
                    };
                    globals.push((source.file, block, name));
                }
                Item::Configuration(c) => configurations.push((source.file, c)),
                Item::Error(span) => errors.push(unsupported(
                    source.file,
                    *span,
                    "this region has syntax errors",
                )),
            }
        }
    }
    let Some(first) = sources.first() else {
        return Ok(String::new());
    };
    let mut w = Writer {
        x: Xml::new(),
        file: first.file,
        errors,
    };
    w.x.open(
        "project",
        &[
            ("xmlns", NAMESPACE),
            ("xmlns:xhtml", "http://www.w3.org/1999/xhtml"),
            ("xmlns:xsd", "http://www.w3.org/2001/XMLSchema"),
        ],
    );
    w.x.empty(
        "fileHeader",
        &[
            ("companyName", "stforge"),
            ("productName", "stforge"),
            ("productVersion", env!("CARGO_PKG_VERSION")),
            ("creationDateTime", &now),
        ],
    );
    w.x.open(
        "contentHeader",
        &[("name", "stforge export"), ("modificationDateTime", &now)],
    );
    w.x.open("coordinateInfo", &[]);
    for language in ["fbd", "ld", "sfc"] {
        w.x.open(language, &[]);
        w.x.empty("scaling", &[("x", "1"), ("y", "1")]);
        w.x.close(language);
    }
    w.x.close("coordinateInfo");
    w.x.close("contentHeader");
    w.x.open("types", &[]);
    w.x.open("dataTypes", &[]);
    for (file, decl, doc) in &data_types {
        w.file = file;
        w.data_type(decl, doc);
    }
    w.x.close("dataTypes");
    w.x.open("pous", &[]);
    for (file, pou, lead) in &pous {
        w.file = file;
        w.pou(pou, lead);
    }
    w.x.close("pous");
    w.x.close("types");
    w.x.open("instances", &[]);
    w.x.open("configurations", &[]);
    for (file, c) in &configurations {
        w.file = file;
        w.configuration(c);
    }
    w.x.close("configurations");
    w.x.close("instances");
    if !globals.is_empty() {
        w.x.open("addData", &[]);
        for (file, block, name) in &globals {
            w.file = file;
            w.x.open(
                "data",
                &[("name", GLOBALS), ("handleUnknown", "implementation")],
            );
            w.var_list("globalVars", block, Some(name));
            w.x.close("data");
        }
        w.x.close("addData");
    }
    w.x.close("project");
    if w.errors.is_empty() {
        Ok(w.x.finish())
    } else {
        Err(w.errors)
    }
}

impl Writer<'_> {
    fn text(&self) -> &str {
        &self.file.text
    }

    fn documentation(&mut self, doc: &str) {
        if doc.trim().is_empty() {
            return;
        }
        self.x.open("documentation", &[]);
        self.x.cdata_element("xhtml:p", &[], doc);
        self.x.close("documentation");
    }

    fn data_type(&mut self, decl: &TypeDecl, doc: &str) {
        if decl.extends.is_some() || !decl.modifiers.is_empty() {
            self.errors.push(unsupported(
                self.file,
                decl.span,
                "PLCopen XML has no structure inheritance or type modifiers",
            ));
            return;
        }
        self.x.open("dataType", &[("name", &decl.name.name)]);
        self.x.open("baseType", &[]);
        self.type_spec(&decl.spec);
        self.x.close("baseType");
        if let Some(init) = &decl.init {
            self.initial_value(init);
        }
        self.documentation(doc);
        self.x.close("dataType");
    }

    /// A type as a PLCopen `dataType` element.
    fn type_spec(&mut self, t: &TypeSpec) {
        match &t.kind {
            TypeSpecKind::Named(q)
                if q.parts.len() == 1 && ELEMENTARY.contains(&q.parts[0].name.as_str()) =>
            {
                self.x.empty(&q.parts[0].name, &[]);
            }
            TypeSpecKind::Named(q) => self.x.empty("derived", &[("name", &printer::qname(q))]),
            TypeSpecKind::String { wide, length } => {
                let tag = if *wide { "wstring" } else { "string" };
                match length {
                    Some(len) => self.x.empty(tag, &[("length", &printer::expr(len))]),
                    None => self.x.empty(tag, &[]),
                }
            }
            TypeSpecKind::Array { dims, element }
                if dims.iter().all(|d| matches!(d, ArrayDim::Range(..))) =>
            {
                self.x.open("array", &[]);
                for dim in dims {
                    if let ArrayDim::Range(low, high) = dim {
                        self.x.empty(
                            "dimension",
                            &[
                                ("lower", &printer::expr(low)),
                                ("upper", &printer::expr(high)),
                            ],
                        );
                    }
                }
                self.x.open("baseType", &[]);
                self.type_spec(element);
                self.x.close("baseType");
                self.x.close("array");
            }
            TypeSpecKind::Pointer(inner) => {
                self.x.open("pointer", &[]);
                self.x.open("baseType", &[]);
                self.type_spec(inner);
                self.x.close("baseType");
                self.x.close("pointer");
            }
            TypeSpecKind::Subrange { base, low, high } => {
                self.x.open("subrangeSigned", &[]);
                self.x.empty(
                    "range",
                    &[
                        ("lower", &printer::expr(low)),
                        ("upper", &printer::expr(high)),
                    ],
                );
                self.x.open("baseType", &[]);
                self.x.empty("derived", &[("name", &printer::qname(base))]);
                self.x.close("baseType");
                self.x.close("subrangeSigned");
            }
            TypeSpecKind::Enum {
                base,
                values,
                base_first: false,
            }
            | TypeSpecKind::Enum {
                base: base @ None,
                values,
                ..
            } => {
                self.x.open("enum", &[]);
                self.x.open("values", &[]);
                for v in values {
                    match &v.value {
                        Some(value) => self.x.empty(
                            "value",
                            &[("name", &v.name.name), ("value", &printer::expr(value))],
                        ),
                        None => self.x.empty("value", &[("name", &v.name.name)]),
                    }
                }
                self.x.close("values");
                if let Some(base) = base {
                    self.x.open("baseType", &[]);
                    self.x.empty("derived", &[("name", &printer::qname(base))]);
                    self.x.close("baseType");
                }
                self.x.close("enum");
            }
            TypeSpecKind::Struct { members } => {
                self.x.open("struct", &[]);
                for decl in members {
                    self.variables(decl);
                }
                self.x.close("struct");
            }
            TypeSpecKind::Union { .. } => {
                self.errors
                    .push(unsupported(self.file, t.span, "PLCopen XML has no UNION"));
                self.x.empty("derived", &[("name", "UNION")]);
            }
            // REFERENCE TO, REF_TO, ARRAY[*], enumerations in IEC order: the ST spelling.
            _ => self.x.empty("derived", &[("name", &printer::type_spec(t))]),
        }
    }

    fn initial_value(&mut self, init: &Expr) {
        self.x.open("initialValue", &[]);
        self.value(init);
        self.x.close("initialValue");
    }

    fn value(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::ArrayInit {
                elems,
                bracketed: true,
            } => {
                self.x.open("arrayValue", &[]);
                for elem in elems {
                    match elem {
                        ArrayInitElem::Single(v) => {
                            self.x.open("value", &[]);
                            self.value(v);
                            self.x.close("value");
                        }
                        ArrayInitElem::Repeat {
                            count,
                            value: Some(v),
                        } => {
                            self.x
                                .open("value", &[("repetitionValue", &printer::expr(count))]);
                            self.value(v);
                            self.x.close("value");
                        }
                        ArrayInitElem::Repeat { value: None, .. } => {
                            self.errors.push(unsupported(
                                self.file,
                                e.span,
                                "PLCopen XML has no empty repetition `n()`",
                            ));
                        }
                    }
                }
                self.x.close("arrayValue");
            }
            ExprKind::StructInit(members) => {
                self.x.open("structValue", &[]);
                for (name, v) in members {
                    self.x.open("value", &[("member", &name.name)]);
                    self.value(v);
                    self.x.close("value");
                }
                self.x.close("structValue");
            }
            _ => self.x.empty("simpleValue", &[("value", &printer::expr(e))]),
        }
    }

    /// One `<variable>` per name of a declaration.
    fn variables(&mut self, decl: &VarDecl) {
        if decl.edge.is_some() || decl.init_args.is_some() {
            self.errors.push(unsupported(
                self.file,
                decl.span,
                "PLCopen XML has no R_EDGE/F_EDGE inputs or instance arguments",
            ));
        }
        for name in &decl.names {
            let mut attrs = vec![("name", name.name.as_str())];
            if let Some(address) = &decl.address {
                attrs.push(("address", address.text.as_str()));
            }
            self.x.open("variable", &attrs);
            self.x.open("type", &[]);
            self.type_spec(&decl.ty);
            self.x.close("type");
            if let Some(init) = &decl.init {
                self.initial_value(init);
            }
            self.x.close("variable");
        }
    }

    fn var_list(&mut self, tag: &str, block: &VarBlock, name: Option<&str>) {
        let mut attrs: Vec<(&str, &str)> = name.map(|n| ("name", n)).into_iter().collect();
        for q in &block.qualifiers {
            attrs.push((
                match q {
                    VarQualifier::Constant => "constant",
                    VarQualifier::Retain => "retain",
                    VarQualifier::NonRetain => "nonretain",
                    VarQualifier::Persistent => "persistent",
                },
                "true",
            ));
        }
        self.x.open(tag, &attrs);
        for decl in &block.decls {
            self.variables(decl);
        }
        // Lists PLCopen has no element for travel as `localVars` with their keyword.
        if let Some(keyword) = match block.kind {
            VarKind::Stat => Some("VAR_STAT"),
            VarKind::Inst => Some("VAR_INST"),
            _ => None,
        } {
            self.stforge_data("list", &[("keyword", keyword)]);
        }
        self.x.close(tag);
    }

    fn stforge_data(&mut self, element: &str, attrs: &[(&str, &str)]) {
        self.x.open("addData", &[]);
        self.x
            .open("data", &[("name", STFORGE), ("handleUnknown", "discard")]);
        self.x.empty(element, attrs);
        self.x.close("data");
        self.x.close("addData");
    }

    fn interface(&mut self, pou: &Pou) {
        self.x.open("interface", &[]);
        if let Some(ret) = &pou.return_type {
            self.x.open("returnType", &[]);
            self.type_spec(ret);
            self.x.close("returnType");
        }
        for block in &pou.var_blocks {
            let tag = match block.kind {
                VarKind::Input => "inputVars",
                VarKind::Output => "outputVars",
                VarKind::InOut => "inOutVars",
                VarKind::Var | VarKind::Stat | VarKind::Inst => "localVars",
                VarKind::Temp => "tempVars",
                VarKind::External => "externalVars",
                VarKind::Global => "globalVars",
                VarKind::Config | VarKind::Access => {
                    self.errors.push(unsupported(
                        self.file,
                        block.span,
                        "VAR_CONFIG and VAR_ACCESS belong in a configuration",
                    ));
                    continue;
                }
            };
            self.var_list(tag, block, None);
        }
        self.x.close("interface");
    }

    fn body(&mut self, text: &str) {
        self.x.open("body", &[]);
        self.x.open("ST", &[]);
        self.x.cdata_element("xhtml:p", &[], text);
        self.x.close("ST");
        self.x.close("body");
    }

    fn pou(&mut self, pou: &Pou, lead: &str) {
        let pou_type = match pou.kind {
            PouKind::Program => "program",
            PouKind::Function => "function",
            PouKind::FunctionBlock => "functionBlock",
            _ => {
                self.errors.push(unsupported(
                    self.file,
                    pou.span,
                    "PLCopen XML has programs, functions and function blocks only (no INTERFACE or CLASS)",
                ));
                return;
            }
        };
        if !pou.modifiers.is_empty() {
            self.errors.push(unsupported(
                self.file,
                pou.span,
                "PLCopen XML has no ABSTRACT/FINAL/access modifiers on POUs",
            ));
        }
        let name = pou
            .name
            .as_ref()
            .map_or("_", |n| n.name.as_str())
            .to_string();
        self.x
            .open("pou", &[("name", &name), ("pouType", pou_type)]);
        self.interface(pou);
        let actions: Vec<&Pou> = pou
            .members
            .iter()
            .filter(|m| m.kind == PouKind::Action)
            .collect();
        if !actions.is_empty() {
            self.x.open("actions", &[]);
            for action in actions {
                let action_name = action.name.as_ref().map_or("_", |n| n.name.as_str());
                self.x.open("action", &[("name", action_name)]);
                let body = action_body(self.text(), action).to_string();
                self.body(&body);
                self.x.close("action");
            }
            self.x.close("actions");
        }
        let p = parts(self.text(), pou, pou.span.start as usize);
        let implementation = p.implementation.to_string();
        self.body(&implementation);
        let has_members = pou.members.iter().any(|m| m.kind != PouKind::Action);
        if has_members || !pou.extends.is_empty() || !pou.implements.is_empty() {
            self.x.open("addData", &[]);
            if !pou.extends.is_empty() || !pou.implements.is_empty() {
                self.x.open(
                    "data",
                    &[("name", INHERITANCE), ("handleUnknown", "implementation")],
                );
                self.x.open("Inheritance", &[]);
                for base in &pou.extends {
                    self.x.cdata_element("Extends", &[], &printer::qname(base));
                }
                for interface in &pou.implements {
                    self.x
                        .cdata_element("Implements", &[], &printer::qname(interface));
                }
                self.x.close("Inheritance");
                self.x.close("data");
            }
            for member in pou.members.iter().filter(|m| m.kind != PouKind::Action) {
                self.member(member);
            }
            self.x.close("addData");
        }
        self.documentation(lead);
        self.x.close("pou");
    }

    fn modifiers(member: &Pou) -> String {
        member
            .modifiers
            .iter()
            .map(|m| match m {
                Modifier::Public => "PUBLIC",
                Modifier::Private => "PRIVATE",
                Modifier::Protected => "PROTECTED",
                Modifier::Internal => "INTERNAL",
                Modifier::Abstract => "ABSTRACT",
                Modifier::Final => "FINAL",
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn member(&mut self, member: &Pou) {
        let name = member
            .name
            .as_ref()
            .map_or("_", |n| n.name.as_str())
            .to_string();
        let modifiers = Writer::modifiers(member);
        let mut attrs = vec![("name", name.as_str())];
        if !modifiers.is_empty() {
            attrs.push(("modifiers", modifiers.as_str()));
        }
        match member.kind {
            PouKind::Method => {
                self.x.open(
                    "data",
                    &[("name", METHOD), ("handleUnknown", "implementation")],
                );
                self.x.open("Method", &attrs);
                self.interface(member);
                if !member.body.is_empty() {
                    let p = parts(self.text(), member, member.span.start as usize);
                    let body = p.implementation.to_string();
                    self.body(&body);
                }
                self.x.close("Method");
                self.x.close("data");
            }
            PouKind::Property => {
                self.x.open(
                    "data",
                    &[("name", PROPERTY), ("handleUnknown", "implementation")],
                );
                self.x.open("Property", &attrs);
                self.x.open("interface", &[]);
                if let Some(ret) = &member.return_type {
                    self.x.open("returnType", &[]);
                    self.type_spec(ret);
                    self.x.close("returnType");
                }
                self.x.close("interface");
                for accessor in &member.members {
                    let tag = if accessor.kind == PouKind::Getter {
                        "GetAccessor"
                    } else {
                        "SetAccessor"
                    };
                    self.x.open(tag, &[]);
                    self.interface(accessor);
                    if !accessor.body.is_empty() {
                        let p = parts(self.text(), accessor, accessor_start(accessor));
                        let body = p.implementation.to_string();
                        self.body(&body);
                    }
                    self.x.close(tag);
                }
                self.x.close("Property");
                self.x.close("data");
            }
            _ => {}
        }
    }

    fn configuration(&mut self, c: &Configuration) {
        if !c.tasks.is_empty() || !c.programs.is_empty() {
            self.errors.push(unsupported(
                self.file,
                c.span,
                "PLCopen XML puts tasks and program instances inside a RESOURCE",
            ));
        }
        self.x.open("configuration", &[("name", &c.name.name)]);
        for r in &c.resources {
            self.x.open("resource", &[("name", &r.name.name)]);
            for task in &r.tasks {
                let mut attrs: Vec<(String, String)> = Vec::new();
                for arg in &task.settings {
                    let key = arg.name.as_ref().map(|n| n.name.to_ascii_lowercase());
                    match (key.as_deref(), &arg.value) {
                        (Some(k @ ("single" | "interval" | "priority")), Some(v)) => {
                            attrs.push((k.to_string(), printer::expr(v)))
                        }
                        _ => self.errors.push(unsupported(
                            self.file,
                            arg.span,
                            "a PLCopen task has SINGLE, INTERVAL and PRIORITY only",
                        )),
                    }
                }
                if !attrs.iter().any(|(k, _)| k == "priority") {
                    self.errors.push(unsupported(
                        self.file,
                        task.span,
                        "a PLCopen task needs a PRIORITY",
                    ));
                }
                let mut all: Vec<(&str, &str)> = vec![("name", task.name.name.as_str())];
                all.extend(attrs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
                self.x.open("task", &all);
                for program in r.programs.iter().filter(|p| {
                    p.task
                        .as_ref()
                        .is_some_and(|t| t.name.eq_ignore_ascii_case(&task.name.name))
                }) {
                    self.program_instance(program);
                }
                self.x.close("task");
            }
            for block in &r.var_blocks {
                self.config_vars(block);
            }
            for program in r.programs.iter().filter(|p| p.task.is_none()) {
                self.program_instance(program);
            }
            self.stforge_data("resource", &[("on", &r.on.name)]);
            self.x.close("resource");
        }
        for block in &c.var_blocks {
            self.config_vars(block);
        }
        self.x.close("configuration");
    }

    fn config_vars(&mut self, block: &VarBlock) {
        if block.kind == VarKind::Global {
            self.var_list("globalVars", block, None);
        } else {
            self.errors.push(unsupported(
                self.file,
                block.span,
                "only VAR_GLOBAL lists are exported in a PLCopen configuration",
            ));
        }
    }

    fn program_instance(&mut self, program: &ProgramInstance) {
        if !program.args.is_empty() {
            self.errors.push(unsupported(
                self.file,
                program.span,
                "PLCopen XML has no parameter connections on program instances",
            ));
        }
        self.x.empty(
            "pouInstance",
            &[
                ("name", &program.name.name),
                ("typeName", &printer::qname(&program.program)),
            ],
        );
    }
}

/// The current time as an `xsd:dateTime` in UTC.
fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}
