//! The canonical printer behind `stforge fmt`: upper-case keywords, four-space indentation, one
//! declaration or statement per line, single spaces around operators.
//!
//! Invariants (tested over the whole corpus): the output parses to a tree equal to the input's
//! (spans aside); printing is idempotent; every comment and pragma is kept, in order. Comments
//! stay where they were relative to the line they were on or before; a comment inside an
//! expression moves to the line after it. At most one blank line is kept between lines.

use super::ast::*;
use super::token::{Trivia, TriviaKind};
use crate::source::Span;
use std::fmt::Write;

const INDENT: &str = "    ";

/// Prints a parsed file. The tree must be free of `Error` nodes (`stforge fmt` only formats
/// files without syntax errors).
pub fn print(unit: &SourceUnit, trivia: &[Trivia], src: &str) -> String {
    let mut p = Printer {
        out: String::with_capacity(src.len() + src.len() / 4),
        // Keep the file's line endings (TwinCAT and CODESYS files are often CRLF).
        eol: line_ending(src),
        depth: 0,
        src,
        trivia,
        next: 0,
    };
    for (i, item) in unit.items.iter().enumerate() {
        if i > 0 {
            p.blank();
        }
        p.item(item);
    }
    p.flush_trivia(u32::MAX);
    p.out
}

/// The file's line ending: CRLF (TwinCAT and CODESYS files often), a lone CR (old Mac
/// editors), else LF.
fn line_ending(src: &str) -> &'static str {
    if src.contains("\r\n") {
        "\r\n"
    } else if src.contains('\r') && !src.contains('\n') {
        "\r"
    } else {
        "\n"
    }
}

/// The line breaks in `text`: `\r\n`, `\n` or a lone `\r` each count one.
fn line_breaks(text: &str) -> usize {
    text.matches('\n').count() + text.matches('\r').count() - text.matches("\r\n").count()
}

struct Printer<'a> {
    out: String,
    /// The line ending written after each line (comments keep theirs inside).
    eol: &'static str,
    depth: usize,
    src: &'a str,
    trivia: &'a [Trivia],
    /// The first trivia not printed yet.
    next: usize,
}

impl Printer<'_> {
    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str(INDENT);
        }
    }

    fn newline(&mut self) {
        self.out.push_str(self.eol);
    }

    /// Ensures the output ends with exactly one empty line (none at the start of the file).
    fn blank(&mut self) {
        let empty_line_end = [self.eol, self.eol].concat();
        if !self.out.is_empty() && !self.out.ends_with(&empty_line_end) {
            self.newline();
        }
    }

    /// Whether the source has an empty line right before `pos` (only whitespace between).
    fn blank_in_source_before(&self, pos: u32) -> bool {
        let before = &self.src[..pos as usize];
        let gap = before.len() - before.trim_end().len();
        line_breaks(&before[before.len() - gap..]) >= 2
    }

    /// Prints, on their own lines, the comments and pragmas that start before `pos`.
    fn flush_trivia(&mut self, pos: u32) {
        while let Some(t) = self.trivia.get(self.next).copied() {
            if t.span.start >= pos {
                break;
            }
            self.next += 1;
            if self.blank_in_source_before(t.span.start) {
                self.blank();
            }
            self.indent();
            self.out.push_str(&self.src[t.span.range()]);
            self.newline();
        }
    }

    /// One output line for source that starts at `span.start`: leading comments first, then the
    /// text, then a comment that followed it on the same source line.
    fn line(&mut self, text: &str, span: Span) {
        self.flush_trivia(span.start);
        if self.blank_in_source_before(span.start) {
            self.blank();
        }
        self.indent();
        self.out.push_str(text);
        self.trailing(span.end);
        self.newline();
    }

    fn trailing(&mut self, end: u32) {
        while let Some(t) = self.trivia.get(self.next).copied() {
            // Only whitespace between the line's last token and the comment, none of it a
            // line break: the comment was written at the end of this line.
            let same_line = t.span.start >= end && {
                let gap = &self.src[end as usize..t.span.start as usize];
                gap.trim().is_empty() && line_breaks(gap) == 0
            };
            if !same_line {
                break;
            }
            self.next += 1;
            self.out.push(' ');
            self.out.push_str(&self.src[t.span.range()]);
        }
    }

    /// A closing keyword: comments still inside the construct (before `end`) are printed first,
    /// one level deeper, so they stay inside.
    fn close(&mut self, text: &str, end: u32) {
        self.depth += 1;
        self.flush_trivia(end);
        self.depth -= 1;
        self.indent();
        self.out.push_str(text);
        self.trailing(end);
        self.newline();
    }

    fn nested(&mut self, f: impl FnOnce(&mut Self)) {
        self.depth += 1;
        f(self);
        self.depth -= 1;
    }

    fn item(&mut self, item: &Item) {
        match item {
            Item::Pou(pou) => self.pou(pou),
            Item::Types(block) => self.type_block(block),
            Item::Globals(block) => self.var_block(block),
            Item::Configuration(c) => self.configuration(c),
            Item::Error(span) => {
                let src = self.src;
                self.line(&src[span.range()], *span)
            }
        }
    }

    fn pou(&mut self, pou: &Pou) {
        let mut head = keyword_of(pou.kind).to_string();
        for m in &pou.modifiers {
            head.push(' ');
            head.push_str(modifier(*m));
        }
        if let Some(name) = &pou.name {
            let _ = write!(head, " {}", name.name);
        }
        if !pou.generics.is_empty() {
            let params: Vec<String> = pou
                .generics
                .iter()
                .map(|g| format!("{}: {}", g.name.name, g.constraint.name))
                .collect();
            let _ = write!(head, "<{}>", params.join(", "));
        }
        if pou.kind == PouKind::Action {
            head.push(':');
        } else if let Some(ret) = &pou.return_type {
            let _ = write!(head, " : {}", type_spec(ret));
        }
        if !pou.extends.is_empty() {
            let _ = write!(head, " EXTENDS {}", names(&pou.extends));
        }
        if !pou.implements.is_empty() {
            let _ = write!(head, " IMPLEMENTS {}", names(&pou.implements));
        }
        let head_end = pou
            .var_blocks
            .first()
            .map(|b| b.span.start)
            .or(pou.body.first().map(|s| s.span.start))
            .or(pou.members.first().map(|m| m.span.start))
            .unwrap_or(pou.span.end);
        self.line(
            &head,
            Span::new(
                pou.span.start as usize,
                self.header_end(pou.span.start, head_end),
            ),
        );
        for block in &pou.var_blocks {
            self.var_block(block);
        }
        self.nested(|p| p.stmts(&pou.body));
        for member in &pou.members {
            self.blank();
            self.pou(member);
        }
        self.close(end_keyword_of(pou.kind), pou.span.end);
    }

    /// Where a header's text ends: the end of its last token before `limit`, found by skipping
    /// back over whitespace and trivia.
    fn header_end(&self, start: u32, limit: u32) -> usize {
        let mut end = limit as usize;
        loop {
            let trimmed = self.src[start as usize..end].trim_end();
            end = start as usize + trimmed.len();
            match self
                .trivia
                .iter()
                .find(|t| t.span.end as usize == end && t.span.start >= start)
            {
                Some(t) => end = t.span.start as usize,
                None => return end,
            }
        }
    }

    fn var_block(&mut self, block: &VarBlock) {
        let mut head = var_keyword(block.kind).to_string();
        for q in &block.qualifiers {
            head.push(' ');
            head.push_str(qualifier(*q));
        }
        let head_end = block.decls.first().map_or(block.span.end, |d| d.span.start);
        self.line(
            &head,
            Span::new(
                block.span.start as usize,
                self.header_end(block.span.start, head_end),
            ),
        );
        self.nested(|p| {
            for decl in &block.decls {
                p.var_decl(decl);
            }
        });
        self.close("END_VAR", block.span.end);
    }

    fn var_decl(&mut self, decl: &VarDecl) {
        let names: Vec<&str> = decl.names.iter().map(|n| n.name.as_str()).collect();
        let mut text = names.join(", ");
        if let Some(address) = &decl.address {
            let _ = write!(text, " AT {}", address.text);
        }
        text.push_str(" : ");
        if let Some(members) = structured_members(&decl.ty) {
            // A structure or union inline: its members go on their own lines.
            text.push_str(if matches!(decl.ty.kind, TypeSpecKind::Struct { .. }) {
                "STRUCT"
            } else {
                "UNION"
            });
            self.line(
                &text,
                Span::new(decl.span.start as usize, decl.ty.span.start as usize),
            );
            self.members(members, &decl.ty);
            return;
        }
        if decl.variadic {
            // RuSTy's `IN : {sized} T...;`: the pragma belongs to the type, so it stays there.
            self.flush_trivia(decl.span.start);
            while let Some(t) = self.trivia.get(self.next).copied()
                && t.kind == TriviaKind::Pragma
                && t.span.start < decl.ty.span.start
            {
                self.next += 1;
                let _ = write!(text, "{} ", &self.src[t.span.range()]);
            }
        }
        text.push_str(&type_spec(&decl.ty));
        if decl.variadic {
            text.push_str("...");
        }
        match decl.edge {
            Some(Edge::Rising) => text.push_str(" R_EDGE"),
            Some(Edge::Falling) => text.push_str(" F_EDGE"),
            None => {}
        }
        if let Some(a) = &decl.init_args {
            text.push_str(&args(a));
        }
        if let Some(init) = &decl.init {
            let _ = write!(text, " := {}", expr(init));
        }
        text.push(';');
        self.line(&text, decl.span);
    }

    /// Members of a STRUCT or UNION and its closing keyword.
    fn members(&mut self, members: &[VarDecl], spec: &TypeSpec) {
        self.nested(|p| members.iter().for_each(|m| p.var_decl(m)));
        let end = if matches!(spec.kind, TypeSpecKind::Struct { .. }) {
            "END_STRUCT;"
        } else {
            "END_UNION;"
        };
        self.close(end, spec.span.end);
    }

    fn type_block(&mut self, block: &TypeBlock) {
        self.line(
            "TYPE",
            Span::new(block.span.start as usize, block.span.start as usize + 4),
        );
        self.nested(|p| {
            for decl in &block.decls {
                let mut head = String::new();
                for m in &decl.modifiers {
                    head.push_str(modifier(*m));
                    head.push(' ');
                }
                head.push_str(&decl.name.name);
                if let Some(base) = &decl.extends {
                    let _ = write!(head, " EXTENDS {}", qname(base));
                }
                head.push_str(" :");
                if let Some(members) = structured_members(&decl.spec) {
                    p.line(
                        &head,
                        Span::new(decl.span.start as usize, decl.spec.span.start as usize),
                    );
                    let keyword = if matches!(decl.spec.kind, TypeSpecKind::Struct { .. }) {
                        "STRUCT"
                    } else {
                        "UNION"
                    };
                    p.line(
                        keyword,
                        Span::new(
                            decl.spec.span.start as usize,
                            decl.spec.span.start as usize + keyword.len(),
                        ),
                    );
                    p.members(members, &decl.spec);
                } else {
                    let _ = write!(head, " {}", type_spec(&decl.spec));
                    if let Some(init) = &decl.init {
                        let _ = write!(head, " := {}", expr(init));
                    }
                    head.push(';');
                    p.line(&head, decl.span);
                }
            }
        });
        self.close("END_TYPE", block.span.end);
    }

    fn configuration(&mut self, c: &Configuration) {
        self.line(
            &format!("CONFIGURATION {}", c.name.name),
            c.name
                .span
                .to(Span::new(c.span.start as usize, c.name.span.end as usize)),
        );
        self.nested(|p| {
            for block in &c.var_blocks {
                p.var_block(block);
            }
            p.tasks_and_programs(&c.tasks, &c.programs);
            for r in &c.resources {
                p.line(
                    &format!("RESOURCE {} ON {}", r.name.name, r.on.name),
                    Span::new(r.span.start as usize, r.on.span.end as usize),
                );
                p.nested(|p| {
                    for block in &r.var_blocks {
                        p.var_block(block);
                    }
                    p.tasks_and_programs(&r.tasks, &r.programs);
                });
                p.close("END_RESOURCE", r.span.end);
            }
        });
        self.close("END_CONFIGURATION", c.span.end);
    }

    fn tasks_and_programs(&mut self, tasks: &[Task], programs: &[ProgramInstance]) {
        for t in tasks {
            self.line(
                &format!("TASK {}{};", t.name.name, args(&t.settings)),
                t.span,
            );
        }
        for pi in programs {
            let with = pi
                .task
                .as_ref()
                .map(|t| format!(" WITH {}", t.name))
                .unwrap_or_default();
            let call = if pi.args.is_empty() {
                String::new()
            } else {
                args(&pi.args)
            };
            self.line(
                &format!(
                    "PROGRAM {}{with} : {}{call};",
                    pi.name.name,
                    qname(&pi.program)
                ),
                pi.span,
            );
        }
    }

    fn stmts(&mut self, stmts: &[Stmt]) {
        for s in stmts {
            self.stmt(s);
        }
    }

    /// `ELSE`, which follows source position `before`: comments up to it stay in the branch
    /// above, one on its line stays on its line.
    fn else_line(&mut self, before: u32) {
        let end = self.keyword_end(before, "ELSE");
        self.depth += 1;
        self.flush_trivia(end);
        self.depth -= 1;
        self.indent();
        self.out.push_str("ELSE");
        self.trailing(end);
        self.newline();
    }

    /// A block header such as `IF c THEN`: its source text runs from `start` to the keyword
    /// `last` that follows `end` (the end of the header's expression).
    fn header(&mut self, text: &str, start: u32, end: u32, last: &str) {
        let end = self.keyword_end(end, last);
        self.line(text, Span::new(start as usize, end as usize));
    }

    /// The end of `keyword` if it is the next token after `pos` (skipping whitespace, comments
    /// and pragmas); otherwise `pos`.
    fn keyword_end(&self, pos: u32, keyword: &str) -> u32 {
        let mut at = pos as usize;
        loop {
            at += self.src[at..].len() - self.src[at..].trim_start().len();
            match self.trivia.iter().find(|t| t.span.start as usize == at) {
                Some(t) => at = t.span.end as usize,
                None => break,
            }
        }
        let rest = &self.src.as_bytes()[at..];
        if rest.len() >= keyword.len()
            && rest[..keyword.len()].eq_ignore_ascii_case(keyword.as_bytes())
        {
            (at + keyword.len()) as u32
        } else {
            pos
        }
    }

    fn stmt(&mut self, s: &Stmt) {
        match &s.kind {
            StmtKind::Assign { target, op, value } => self.line(
                &format!("{} {} {};", expr(target), assign_op(*op), expr(value)),
                s.span,
            ),
            StmtKind::Expr(e) => self.line(&format!("{};", expr(e)), s.span),
            StmtKind::If {
                branches,
                else_body,
            } => {
                for (i, b) in branches.iter().enumerate() {
                    let keyword = if i == 0 { "IF" } else { "ELSIF" };
                    let start = if i == 0 {
                        s.span.start
                    } else {
                        b.cond.span.start
                    };
                    self.header(
                        &format!("{keyword} {} THEN", expr(&b.cond)),
                        start,
                        b.cond.span.end,
                        "THEN",
                    );
                    self.nested(|p| p.stmts(&b.body));
                }
                if let Some(body) = else_body {
                    let last = branches.last().expect("IF has a branch");
                    let before = last
                        .body
                        .last()
                        .map_or(self.keyword_end(last.cond.span.end, "THEN"), |x| x.span.end);
                    self.else_line(before);
                    self.nested(|p| p.stmts(body));
                }
                self.close("END_IF;", s.span.end);
            }
            StmtKind::Case {
                selector,
                arms,
                else_body,
            } => {
                self.header(
                    &format!("CASE {} OF", expr(selector)),
                    s.span.start,
                    selector.span.end,
                    "OF",
                );
                self.nested(|p| {
                    for arm in arms {
                        let labels: Vec<String> = arm
                            .labels
                            .iter()
                            .map(|l| match l {
                                CaseLabel::Value(v) => expr(v),
                                CaseLabel::Range(a, b) => format!("{}..{}", expr(a), expr(b)),
                            })
                            .collect();
                        let labels_end = arm.labels.last().map_or(arm.span.start, |l| match l {
                            CaseLabel::Value(v) | CaseLabel::Range(_, v) => v.span.end,
                        });
                        p.header(
                            &format!("{}:", labels.join(", ")),
                            arm.span.start,
                            labels_end,
                            ":",
                        );
                        p.nested(|p| p.stmts(&arm.body));
                    }
                });
                if let Some(body) = else_body {
                    let before = arms
                        .last()
                        .map_or(self.keyword_end(selector.span.end, "OF"), |arm| {
                            arm.span.end
                        });
                    self.else_line(before);
                    self.nested(|p| p.stmts(body));
                }
                self.close("END_CASE;", s.span.end);
            }
            StmtKind::For(for_loop) => {
                let ForLoop {
                    var,
                    from,
                    to,
                    by,
                    body,
                } = &**for_loop;
                let by_text = by
                    .as_ref()
                    .map(|b| format!(" BY {}", expr(b)))
                    .unwrap_or_default();
                let header_end = by.as_ref().unwrap_or(to).span.end;
                self.header(
                    &format!(
                        "FOR {} := {} TO {}{by_text} DO",
                        expr(var),
                        expr(from),
                        expr(to)
                    ),
                    s.span.start,
                    header_end,
                    "DO",
                );
                self.nested(|p| p.stmts(body));
                self.close("END_FOR;", s.span.end);
            }
            StmtKind::While { cond, body } => {
                self.header(
                    &format!("WHILE {} DO", expr(cond)),
                    s.span.start,
                    cond.span.end,
                    "DO",
                );
                self.nested(|p| p.stmts(body));
                self.close("END_WHILE;", s.span.end);
            }
            StmtKind::Repeat { body, until } => {
                self.header("REPEAT", s.span.start, s.span.start + 6, "");
                self.nested(|p| p.stmts(body));
                self.depth += 1;
                self.flush_trivia(until.span.start);
                self.depth -= 1;
                self.indent();
                let _ = write!(self.out, "UNTIL {}", expr(until));
                self.trailing(until.span.end);
                self.newline();
                self.close("END_REPEAT;", s.span.end);
            }
            StmtKind::Exit => self.line("EXIT;", s.span),
            StmtKind::Continue => self.line("CONTINUE;", s.span),
            StmtKind::Return => self.line("RETURN;", s.span),
            StmtKind::Jmp(label) => self.line(&format!("JMP {};", label.name), s.span),
            StmtKind::Label(label) => self.line(&format!("{}:", label.name), s.span),
            StmtKind::Empty => self.line(";", s.span),
            StmtKind::Error => {
                let src = self.src;
                self.line(&src[s.span.range()], s.span)
            }
        }
    }
}

fn structured_members(spec: &TypeSpec) -> Option<&[VarDecl]> {
    match &spec.kind {
        TypeSpecKind::Struct { members } | TypeSpecKind::Union { members } => Some(members),
        _ => None,
    }
}

fn keyword_of(kind: PouKind) -> &'static str {
    match kind {
        PouKind::Program => "PROGRAM",
        PouKind::Function => "FUNCTION",
        PouKind::FunctionBlock => "FUNCTION_BLOCK",
        PouKind::Class => "CLASS",
        PouKind::Interface => "INTERFACE",
        PouKind::Method => "METHOD",
        PouKind::Property => "PROPERTY",
        PouKind::Getter => "GET",
        PouKind::Setter => "SET",
        PouKind::Action => "ACTION",
    }
}

fn end_keyword_of(kind: PouKind) -> &'static str {
    match kind {
        PouKind::Program => "END_PROGRAM",
        PouKind::Function => "END_FUNCTION",
        PouKind::FunctionBlock => "END_FUNCTION_BLOCK",
        PouKind::Class => "END_CLASS",
        PouKind::Interface => "END_INTERFACE",
        PouKind::Method => "END_METHOD",
        PouKind::Property => "END_PROPERTY",
        PouKind::Getter => "END_GET",
        PouKind::Setter => "END_SET",
        PouKind::Action => "END_ACTION",
    }
}

fn modifier(m: Modifier) -> &'static str {
    match m {
        Modifier::Public => "PUBLIC",
        Modifier::Private => "PRIVATE",
        Modifier::Protected => "PROTECTED",
        Modifier::Internal => "INTERNAL",
        Modifier::Abstract => "ABSTRACT",
        Modifier::Final => "FINAL",
    }
}

fn var_keyword(kind: VarKind) -> &'static str {
    match kind {
        VarKind::Var => "VAR",
        VarKind::Input => "VAR_INPUT",
        VarKind::Output => "VAR_OUTPUT",
        VarKind::InOut => "VAR_IN_OUT",
        VarKind::Temp => "VAR_TEMP",
        VarKind::Global => "VAR_GLOBAL",
        VarKind::External => "VAR_EXTERNAL",
        VarKind::Stat => "VAR_STAT",
        VarKind::Inst => "VAR_INST",
        VarKind::Config => "VAR_CONFIG",
        VarKind::Access => "VAR_ACCESS",
    }
}

fn qualifier(q: VarQualifier) -> &'static str {
    match q {
        VarQualifier::Constant => "CONSTANT",
        VarQualifier::Retain => "RETAIN",
        VarQualifier::NonRetain => "NON_RETAIN",
        VarQualifier::Persistent => "PERSISTENT",
    }
}

fn assign_op(op: AssignOp) -> &'static str {
    match op {
        AssignOp::Assign => ":=",
        AssignOp::Set => "S=",
        AssignOp::Reset => "R=",
        AssignOp::Ref => "REF=",
        AssignOp::Attempt => "?=",
    }
}

pub(crate) fn qname(q: &QualifiedName) -> String {
    let parts: Vec<&str> = q.parts.iter().map(|p| p.name.as_str()).collect();
    parts.join(".")
}

pub(crate) fn names(list: &[QualifiedName]) -> String {
    list.iter().map(qname).collect::<Vec<_>>().join(", ")
}

/// A type as canonical ST (structures and unions only by keyword: their members take lines).
pub(crate) fn type_spec(t: &TypeSpec) -> String {
    match &t.kind {
        TypeSpecKind::Named(q) => qname(q),
        TypeSpecKind::String { wide, length } => {
            let kw = if *wide { "WSTRING" } else { "STRING" };
            match length {
                Some(len) => format!("{kw}({})", expr(len)),
                None => kw.to_string(),
            }
        }
        TypeSpecKind::Array { dims, element } => {
            let dims: Vec<String> = dims
                .iter()
                .map(|d| match d {
                    ArrayDim::Range(a, b) => format!("{}..{}", expr(a), expr(b)),
                    ArrayDim::Star(_) => "*".into(),
                })
                .collect();
            format!("ARRAY[{}] OF {}", dims.join(", "), type_spec(element))
        }
        TypeSpecKind::Pointer(t) => format!("POINTER TO {}", type_spec(t)),
        TypeSpecKind::RefTo(t) => format!("REF_TO {}", type_spec(t)),
        TypeSpecKind::Reference(t) => format!("REFERENCE TO {}", type_spec(t)),
        TypeSpecKind::Subrange { base, low, high } => {
            format!("{}({}..{})", qname(base), expr(low), expr(high))
        }
        TypeSpecKind::Enum {
            base,
            values,
            base_first,
        } => {
            let values: Vec<String> = values
                .iter()
                .map(|v| match &v.value {
                    Some(x) => format!("{} := {}", v.name.name, expr(x)),
                    None => v.name.name.to_string(),
                })
                .collect();
            let list = format!("({})", values.join(", "));
            match (base, base_first) {
                (Some(b), true) => format!("{} {list}", qname(b)),
                (Some(b), false) => format!("{list} {}", qname(b)),
                (None, _) => list,
            }
        }
        TypeSpecKind::Struct { .. } => "STRUCT".into(),
        TypeSpecKind::Union { .. } => "UNION".into(),
    }
}

fn args(args: &[Arg]) -> String {
    let parts: Vec<String> = args
        .iter()
        .map(|a| {
            let value = a.value.as_ref().map(expr);
            let name = a.name.as_ref().map(|n| n.name.as_str()).unwrap_or_default();
            let connect = |op: &str| match &value {
                Some(v) => format!("{name} {op} {v}"),
                None => format!("{name} {op}"),
            };
            match a.kind {
                ArgKind::Positional => value.unwrap_or_default(),
                ArgKind::Input => connect(":="),
                ArgKind::Output => connect("=>"),
                ArgKind::NegatedOutput => format!("NOT {}", connect("=>")),
            }
        })
        .collect();
    format!("({})", parts.join(", "))
}

fn unary(op: UnaryOp) -> &'static str {
    match op {
        UnaryOp::Neg => "-",
        UnaryOp::Plus => "+",
        UnaryOp::Not => "NOT ",
    }
}

/// An expression on one line.
pub fn expr(e: &Expr) -> String {
    let mut out = String::new();
    write_expr(&mut out, e);
    out
}

fn write_expr(out: &mut String, e: &Expr) {
    match &e.kind {
        ExprKind::Literal(lit) => out.push_str(&lit.text),
        ExprKind::Typed { ty, value } => {
            let _ = write!(out, "{}#", ty.name);
            write_expr(out, value);
        }
        ExprKind::Name(id) => out.push_str(&id.name),
        ExprKind::Address(a) => out.push_str(&a.text),
        ExprKind::This => out.push_str("THIS"),
        ExprKind::Super => out.push_str("SUPER"),
        ExprKind::Unary { op, operand } => {
            out.push_str(unary(*op));
            // A space keeps consecutive signs apart: `- -x`, not `--x`.
            if *op != UnaryOp::Not && matches!(operand.kind, ExprKind::Unary { .. }) {
                out.push(' ');
            }
            write_expr(out, operand);
        }
        ExprKind::Binary { op, lhs, rhs } => {
            write_expr(out, lhs);
            let _ = write!(out, " {} ", op.symbol());
            write_expr(out, rhs);
        }
        ExprKind::Paren(inner) => {
            out.push('(');
            write_expr(out, inner);
            out.push(')');
        }
        ExprKind::Member { base, member } => {
            write_expr(out, base);
            let _ = write!(out, ".{}", member.name);
        }
        ExprKind::Bit { base, bit } => {
            write_expr(out, base);
            let _ = write!(out, ".{}", bit.text);
        }
        ExprKind::Index { base, indices } => {
            write_expr(out, base);
            out.push('[');
            for (i, idx) in indices.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_expr(out, idx);
            }
            out.push(']');
        }
        ExprKind::Deref(base) => {
            write_expr(out, base);
            out.push('^');
        }
        ExprKind::Assign { target, value } => {
            write_expr(out, target);
            out.push_str(" := ");
            write_expr(out, value);
        }
        ExprKind::Call { callee, args: a } => {
            write_expr(out, callee);
            out.push_str(&args(a));
        }
        ExprKind::ArrayInit { elems, bracketed } => {
            if *bracketed {
                out.push('[');
            }
            for (i, el) in elems.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                match el {
                    ArrayInitElem::Single(x) => write_expr(out, x),
                    ArrayInitElem::Repeat { count, value } => {
                        write_expr(out, count);
                        out.push('(');
                        if let Some(v) = value {
                            write_expr(out, v);
                        }
                        out.push(')');
                    }
                }
            }
            if *bracketed {
                out.push(']');
            }
        }
        ExprKind::StructInit(fields) => {
            out.push('(');
            for (i, (name, value)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                let _ = write!(out, "{} := ", name.name);
                write_expr(out, value);
            }
            out.push(')');
        }
        ExprKind::Error => out.push_str("(* ? *)"),
    }
}
