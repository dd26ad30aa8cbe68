//! A readable text form of the tree, for snapshots, `stforge parse` and round-trip checks.
//! Declarations and statements get one line each (with `@start..end` spans when asked);
//! expressions are written inline as fully parenthesised prefix forms, so precedence is visible;
//! types are written as the printer writes them.

use super::ast::*;
use super::printer::{names, qname, type_spec};
use std::fmt::Write;

pub fn dump(unit: &SourceUnit, spans: bool) -> String {
    let mut d = Dumper {
        out: String::new(),
        depth: 0,
        spans,
    };
    for item in &unit.items {
        d.item(item);
    }
    d.out
}

struct Dumper {
    out: String,
    depth: usize,
    spans: bool,
}

impl Dumper {
    fn line(&mut self, text: impl AsRef<str>, span: crate::source::Span) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
        self.out.push_str(text.as_ref());
        if self.spans {
            let _ = write!(self.out, " @{}..{}", span.start, span.end);
        }
        self.out.push('\n');
    }

    fn nested(&mut self, f: impl FnOnce(&mut Self)) {
        self.depth += 1;
        f(self);
        self.depth -= 1;
    }

    fn item(&mut self, item: &Item) {
        match item {
            Item::Pou(pou) => self.pou(pou),
            Item::Types(block) => {
                self.line("TYPE", block.span);
                self.nested(|d| {
                    for decl in &block.decls {
                        let mut head = String::new();
                        for m in &decl.modifiers {
                            let _ = write!(head, "{} ", format!("{m:?}").to_uppercase());
                        }
                        head.push_str(&decl.name.name);
                        if let Some(base) = &decl.extends {
                            let _ = write!(head, " EXTENDS {}", qname(base));
                        }
                        let _ = write!(head, " : {}", type_spec(&decl.spec));
                        if let Some(init) = &decl.init {
                            let _ = write!(head, " := {}", expr(init));
                        }
                        d.line(head, decl.span);
                        d.struct_members(&decl.spec);
                    }
                });
            }
            Item::Globals(block) => self.var_block(block),
            Item::Configuration(c) => {
                self.line(format!("CONFIGURATION {}", c.name.name), c.span);
                self.nested(|d| {
                    for block in &c.var_blocks {
                        d.var_block(block);
                    }
                    for t in &c.tasks {
                        d.line(format!("TASK {}{}", t.name.name, args(&t.settings)), t.span);
                    }
                    for p in &c.programs {
                        d.program_instance(p);
                    }
                    for r in &c.resources {
                        d.line(format!("RESOURCE {} ON {}", r.name.name, r.on.name), r.span);
                        d.nested(|d| {
                            for block in &r.var_blocks {
                                d.var_block(block);
                            }
                            for t in &r.tasks {
                                d.line(
                                    format!("TASK {}{}", t.name.name, args(&t.settings)),
                                    t.span,
                                );
                            }
                            for p in &r.programs {
                                d.program_instance(p);
                            }
                        });
                    }
                });
            }
            Item::Error(span) => self.line("ERROR", *span),
        }
    }

    fn program_instance(&mut self, p: &ProgramInstance) {
        let with = p
            .task
            .as_ref()
            .map(|t| format!(" WITH {}", t.name))
            .unwrap_or_default();
        self.line(
            format!(
                "PROGRAM {}{with} : {}{}",
                p.name.name,
                qname(&p.program),
                args(&p.args)
            ),
            p.span,
        );
    }

    fn struct_members(&mut self, spec: &TypeSpec) {
        if let TypeSpecKind::Struct { members } | TypeSpecKind::Union { members } = &spec.kind {
            self.nested(|d| members.iter().for_each(|m| d.var_decl(m)));
        }
    }

    fn pou(&mut self, pou: &Pou) {
        let mut head = format!("{:?}", pou.kind).to_uppercase();
        for m in &pou.modifiers {
            let _ = write!(head, " {}", format!("{m:?}").to_uppercase());
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
        if let Some(ret) = &pou.return_type {
            let _ = write!(head, " : {}", type_spec(ret));
        }
        if !pou.extends.is_empty() {
            let _ = write!(head, " EXTENDS {}", names(&pou.extends));
        }
        if !pou.implements.is_empty() {
            let _ = write!(head, " IMPLEMENTS {}", names(&pou.implements));
        }
        self.line(head, pou.span);
        self.nested(|d| {
            for block in &pou.var_blocks {
                d.var_block(block);
            }
            d.stmts(&pou.body);
            for member in &pou.members {
                d.pou(member);
            }
        });
    }

    fn var_block(&mut self, block: &VarBlock) {
        let mut head = format!("VAR {:?}", block.kind).to_uppercase();
        for q in &block.qualifiers {
            let _ = write!(head, " {}", format!("{q:?}").to_uppercase());
        }
        self.line(head, block.span);
        self.nested(|d| block.decls.iter().for_each(|decl| d.var_decl(decl)));
    }

    fn var_decl(&mut self, decl: &VarDecl) {
        if decl.names.is_empty() {
            self.line("ERROR", decl.span);
            return;
        }
        let names: Vec<&str> = decl.names.iter().map(|n| n.name.as_str()).collect();
        let mut text = names.join(", ");
        if let Some(address) = &decl.address {
            let _ = write!(text, " AT {}", address.text);
        }
        let _ = write!(text, " : {}", type_spec(&decl.ty));
        if decl.variadic {
            text.push_str("...");
        }
        if let Some(edge) = decl.edge {
            let _ = write!(text, " {}", format!("{edge:?}_EDGE").to_uppercase());
        }
        if let Some(a) = &decl.init_args {
            text.push_str(&args(a));
        }
        if let Some(init) = &decl.init {
            let _ = write!(text, " := {}", expr(init));
        }
        self.line(text, decl.span);
        self.struct_members(&decl.ty);
    }

    fn stmts(&mut self, stmts: &[Stmt]) {
        for s in stmts {
            self.stmt(s);
        }
    }

    fn stmt(&mut self, s: &Stmt) {
        match &s.kind {
            StmtKind::Assign { target, op, value } => {
                self.line(format!("{:?} {} {}", op, expr(target), expr(value)), s.span)
            }
            StmtKind::Expr(call) => self.line(format!("EXPR {}", expr(call)), s.span),
            StmtKind::If {
                branches,
                else_body,
            } => {
                self.line("IF", s.span);
                self.nested(|d| {
                    for b in branches {
                        d.line(format!("COND {}", expr(&b.cond)), b.cond.span);
                        d.nested(|d| d.stmts(&b.body));
                    }
                    if let Some(body) = else_body {
                        d.line("ELSE", s.span);
                        d.nested(|d| d.stmts(body));
                    }
                });
            }
            StmtKind::Case {
                selector,
                arms,
                else_body,
            } => {
                self.line(format!("CASE {}", expr(selector)), s.span);
                self.nested(|d| {
                    for arm in arms {
                        let labels: Vec<String> = arm
                            .labels
                            .iter()
                            .map(|l| match l {
                                CaseLabel::Value(v) => expr(v),
                                CaseLabel::Range(a, b) => format!("{}..{}", expr(a), expr(b)),
                            })
                            .collect();
                        d.line(format!("ARM {}", labels.join(", ")), arm.span);
                        d.nested(|d| d.stmts(&arm.body));
                    }
                    if let Some(body) = else_body {
                        d.line("ELSE", s.span);
                        d.nested(|d| d.stmts(body));
                    }
                });
            }
            StmtKind::For(for_loop) => {
                let ForLoop {
                    var,
                    from,
                    to,
                    by,
                    body,
                } = &**for_loop;
                let by = by
                    .as_ref()
                    .map(|b| format!(" BY {}", expr(b)))
                    .unwrap_or_default();
                self.line(
                    format!("FOR {} := {} TO {}{by}", expr(var), expr(from), expr(to)),
                    s.span,
                );
                self.nested(|d| d.stmts(body));
            }
            StmtKind::While { cond, body } => {
                self.line(format!("WHILE {}", expr(cond)), s.span);
                self.nested(|d| d.stmts(body));
            }
            StmtKind::Repeat { body, until } => {
                self.line(format!("REPEAT UNTIL {}", expr(until)), s.span);
                self.nested(|d| d.stmts(body));
            }
            StmtKind::Exit => self.line("EXIT", s.span),
            StmtKind::Continue => self.line("CONTINUE", s.span),
            StmtKind::Return => self.line("RETURN", s.span),
            StmtKind::Jmp(label) => self.line(format!("JMP {}", label.name), s.span),
            StmtKind::Label(label) => self.line(format!("LABEL {}", label.name), s.span),
            StmtKind::Empty => self.line("EMPTY", s.span),
            StmtKind::Error => self.line("ERROR", s.span),
        }
    }
}

fn args(args: &[Arg]) -> String {
    let parts: Vec<String> = args
        .iter()
        .map(|a| {
            let value = a.value.as_ref().map(expr).unwrap_or_default();
            let name = a.name.as_ref().map(|n| n.name.as_str()).unwrap_or_default();
            match a.kind {
                ArgKind::Positional => value,
                ArgKind::Input => format!("{name} := {value}").trim_end().to_string(),
                ArgKind::Output => format!("{name} => {value}").trim_end().to_string(),
                ArgKind::NegatedOutput => format!("NOT {name} => {value}").trim_end().to_string(),
            }
        })
        .collect();
    format!("({})", parts.join(", "))
}

/// An expression in prefix form: `(+ a (* b c))`.
pub fn expr(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Literal(lit) => lit.text.to_string(),
        ExprKind::Typed { ty, value } => format!("{}#{}", ty.name, expr(value)),
        ExprKind::Name(id) => id.name.to_string(),
        ExprKind::Address(a) => a.text.to_string(),
        ExprKind::This => "THIS".into(),
        ExprKind::Super => "SUPER".into(),
        ExprKind::Unary { op, operand } => {
            let op = match op {
                UnaryOp::Neg => "-",
                UnaryOp::Plus => "+",
                UnaryOp::Not => "NOT",
            };
            format!("({op} {})", expr(operand))
        }
        ExprKind::Binary { op, lhs, rhs } => {
            format!("({} {} {})", op.symbol(), expr(lhs), expr(rhs))
        }
        ExprKind::Paren(inner) => format!("(paren {})", expr(inner)),
        ExprKind::Member { base, member } => format!("{}.{}", expr(base), member.name),
        ExprKind::Bit { base, bit } => format!("{}.{}", expr(base), bit.text),
        ExprKind::Index { base, indices } => {
            let idx: Vec<String> = indices.iter().map(expr).collect();
            format!("{}[{}]", expr(base), idx.join(", "))
        }
        ExprKind::Deref(base) => format!("{}^", expr(base)),
        ExprKind::Assign { target, value } => format!("(:= {} {})", expr(target), expr(value)),
        ExprKind::Call { callee, args: a } => format!("{}{}", expr(callee), args(a)),
        ExprKind::ArrayInit { elems, bracketed } => {
            let parts: Vec<String> = elems
                .iter()
                .map(|el| match el {
                    ArrayInitElem::Single(x) => expr(x),
                    ArrayInitElem::Repeat { count, value } => {
                        format!(
                            "{}({})",
                            expr(count),
                            value.as_ref().map(expr).unwrap_or_default()
                        )
                    }
                })
                .collect();
            if *bracketed {
                format!("[{}]", parts.join(", "))
            } else {
                format!("(bare {})", parts.join(", "))
            }
        }
        ExprKind::StructInit(fields) => {
            let parts: Vec<String> = fields
                .iter()
                .map(|(n, v)| format!("{} := {}", n.name, expr(v)))
                .collect();
            format!("({})", parts.join(", "))
        }
        ExprKind::Error => "<error>".into(),
    }
}
