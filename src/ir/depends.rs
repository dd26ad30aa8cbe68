//! Which of the root POU's variables a variable's value depends on within a scan: the
//! variables it is assigned from, the conditions it is assigned under, the inputs of the
//! function block instances it is connected to — transitively.
//!
//! Used to show, beside a failing expectation, the locals and timer states that explain it
//! (`stforge test --trace`, the repair loop's feedback). It is a syntactic slice of the root's
//! own statements: a call counts as reading all its inputs and the instance, and writing the
//! instance and its connected outputs; what happens inside the callee is the instance's state.

use super::{Base, Call, Expr, Place, Program, Stmt, StmtKind};

/// Indices into the root's `vars` of the variables that `targets` (also indices) depend on,
/// the targets included, in declaration order.
pub fn dependencies(program: &Program, targets: &[usize]) -> Vec<usize> {
    let root = program.root();
    let sizes: Vec<u32> = root
        .vars
        .iter()
        .map(|v| v.ty.size(&program.bodies))
        .collect();
    let var_at = |slot: u32| {
        root.vars
            .iter()
            .zip(&sizes)
            .position(|(v, &size)| v.offset <= slot && slot < v.offset + size.max(1))
    };
    let mut edges = Edges {
        var_at: &var_at,
        reads_of: vec![Vec::new(); root.vars.len()],
    };
    edges.stmts(&root.stmts, &[]);
    let mut wanted = vec![false; root.vars.len()];
    let mut work: Vec<usize> = targets
        .iter()
        .copied()
        .filter(|&t| t < wanted.len())
        .collect();
    while let Some(v) = work.pop() {
        if std::mem::replace(&mut wanted[v], true) {
            continue;
        }
        work.extend(edges.reads_of[v].iter().copied().filter(|&r| !wanted[r]));
    }
    (0..wanted.len()).filter(|&v| wanted[v]).collect()
}

struct Edges<'a> {
    var_at: &'a dyn Fn(u32) -> Option<usize>,
    /// For each variable, the variables read where it is written.
    reads_of: Vec<Vec<usize>>,
}

impl Edges<'_> {
    fn stmts(&mut self, stmts: &[Stmt], context: &[usize]) {
        for stmt in stmts {
            self.stmt(stmt, context);
        }
    }

    fn stmt(&mut self, stmt: &Stmt, context: &[usize]) {
        let with =
            |reads: Vec<usize>| -> Vec<usize> { context.iter().copied().chain(reads).collect() };
        match &stmt.kind {
            StmtKind::Assign { target, value } | StmtKind::SetBit { target, value, .. } => {
                let mut reads = self.reads(value);
                reads.extend(self.index_reads(target));
                self.write(target, with(reads));
            }
            StmtKind::Copy { target, source, .. } => {
                let mut reads = self.place_reads(source);
                reads.extend(self.index_reads(target));
                self.write(target, with(reads));
            }
            StmtKind::Call(call) => self.call(call, context),
            StmtKind::If {
                branches,
                otherwise,
            } => {
                let mut inner = context.to_vec();
                for (condition, body) in branches {
                    inner.extend(self.reads(condition));
                    self.stmts(body, &inner);
                }
                self.stmts(otherwise, &inner);
            }
            StmtKind::Case {
                selector,
                arms,
                otherwise,
                ..
            } => {
                let inner = with(self.reads(selector));
                for arm in arms {
                    self.stmts(&arm.body, &inner);
                }
                self.stmts(otherwise, &inner);
            }
            StmtKind::For {
                var,
                from,
                to,
                by,
                body,
            } => {
                let mut bounds = self.reads(from);
                bounds.extend(self.reads(to));
                bounds.extend(self.reads(by));
                self.write(var, with(bounds.clone()));
                let mut inner = with(bounds);
                inner.extend(self.place_reads(var));
                self.stmts(body, &inner);
            }
            StmtKind::While { cond: e, body } | StmtKind::Repeat { body, until: e } => {
                let inner = with(self.reads(e));
                self.stmts(body, &inner);
            }
            StmtKind::Exit | StmtKind::Continue | StmtKind::Return => {}
        }
    }

    /// A call reads its inputs and its instance, and writes the instance and its outputs.
    fn call(&mut self, call: &Call, context: &[usize]) {
        let mut reads: Vec<usize> = context.to_vec();
        for (_, e) in &call.inputs {
            reads.extend(self.reads(e));
        }
        for copy in &call.copies {
            reads.extend(self.place_reads(&copy.source));
        }
        if let Some(instance) = &call.instance {
            reads.extend(self.place_reads(instance));
            self.write(instance, reads.clone());
        }
        for output in &call.outputs {
            self.write(&output.to, reads.clone());
        }
    }

    fn write(&mut self, target: &Place, reads: Vec<usize>) {
        if let Some(v) = self.var_of(target) {
            let list = &mut self.reads_of[v];
            for r in reads {
                if !list.contains(&r) {
                    list.push(r);
                }
            }
        }
    }

    fn var_of(&self, place: &Place) -> Option<usize> {
        match place.base {
            Base::Frame => (self.var_at)(place.offset),
            Base::Indirect(slot) => (self.var_at)(slot),
            Base::Global => None,
        }
    }

    /// The variable a place names and the variables its subscripts read.
    fn place_reads(&self, place: &Place) -> Vec<usize> {
        let mut out: Vec<usize> = self.var_of(place).into_iter().collect();
        out.extend(self.index_reads(place));
        out
    }

    fn index_reads(&self, place: &Place) -> Vec<usize> {
        place
            .indices
            .iter()
            .flat_map(|i| self.reads(&i.value))
            .collect()
    }

    fn reads(&self, expr: &Expr) -> Vec<usize> {
        let mut out = Vec::new();
        self.collect(expr, &mut out);
        out
    }

    fn collect(&self, expr: &Expr, out: &mut Vec<usize>) {
        match expr {
            Expr::Const(_) => {}
            Expr::Load(place) | Expr::Address(place) => out.extend(self.place_reads(place)),
            Expr::Unary(_, e) | Expr::Convert(_, e) | Expr::Bit(e, _) | Expr::Prev(e) => {
                self.collect(e, out)
            }
            Expr::Binary { lhs, rhs, .. } => {
                self.collect(lhs, out);
                self.collect(rhs, out);
            }
            Expr::Builtin(_, args) => args.iter().for_each(|a| self.collect(a, out)),
            Expr::Call(call) => {
                for (_, e) in &call.inputs {
                    self.collect(e, out);
                }
                for copy in &call.copies {
                    out.extend(self.place_reads(&copy.source));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::pipeline::Sources;
    use crate::sema::Dialect;

    fn names(source: &str, target: &str) -> Vec<String> {
        let sources = Sources::in_memory(None, vec![("p.st".into(), source.to_string())]);
        let (lowered, diagnostics) = crate::pipeline::lower_each(&sources, Dialect::Iec);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let program = lowered.into_iter().next().unwrap().1.unwrap();
        let root = program.root();
        let t = root.vars.iter().position(|v| v.name == target).unwrap();
        super::dependencies(&program, &[t])
            .into_iter()
            .map(|i| root.vars[i].name.to_string())
            .collect()
    }

    #[test]
    fn a_variable_depends_on_its_sources_its_conditions_and_the_timers_it_reads() {
        let source = "FUNCTION_BLOCK Fan
VAR_INPUT Start : BOOL; Temp : INT; Other : BOOL; END_VAR
VAR_OUTPUT Fan : BOOL; Lamp : BOOL; END_VAR
VAR Hot : BOOL; Delay : TON; Unrelated : INT; END_VAR
Hot := Temp > 40;
Delay(IN := Hot AND Start, PT := T#5s);
IF Delay.Q THEN
    Fan := TRUE;
END_IF;
Lamp := Other;
Unrelated := Unrelated + 1;
END_FUNCTION_BLOCK
";
        assert_eq!(
            names(source, "Fan"),
            ["Start", "Temp", "Fan", "Hot", "Delay"]
        );
        assert_eq!(names(source, "Lamp"), ["Other", "Lamp"]);
    }
}
