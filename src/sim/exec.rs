//! Executes the IR: one [`Machine`] holds the memory of a root POU instance (with every nested
//! instance inside it), the globals and a stack of function frames, and runs the root once
//! per scan on a simulated clock.
//!
//! Invariant: a run-time fault stops the scan at the statement where it happened (the
//! innermost one, inside a called function or function block), never with a panic; a scan that
//! runs away (an endless loop, endless recursion) is stopped by a watchdog.

use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{Base, Call, Expr, Place, Program, Stmt, StmtKind, Ty, UnaryOp};
use crate::source::{FileId, Span};
use crate::syntax::ast::BinaryOp;
use crate::value::{self, Fault, Value, builtins};

/// Statements one scan may execute before the watchdog stops it.
pub const WATCHDOG_STATEMENTS: u64 = 10_000_000;
/// How deeply calls may nest.
const MAX_CALL_DEPTH: u32 = 256;

/// A run-time fault and the statement it stopped at.
#[derive(Clone, Debug, PartialEq)]
pub struct RunFault {
    pub fault: Fault,
    pub file: FileId,
    pub span: Span,
}

impl RunFault {
    pub fn diagnostic(&self) -> Diagnostic {
        let (code, message) = match self.fault {
            Fault::DivisionByZero => (Code::R001, "division by zero".to_string()),
            Fault::Overflow => (
                Code::R002,
                "integer overflow: the result does not fit its type".to_string(),
            ),
            Fault::IndexOutOfBounds { index, low, high } => (
                Code::R003,
                format!("index {index} is outside the array bounds {low}..{high}"),
            ),
            Fault::OutOfRange => (
                Code::R004,
                "a value does not fit its type, or a function's argument is outside its domain \
                 (SQRT of a negative number, LN of 0, …)"
                    .to_string(),
            ),
            Fault::Watchdog => (
                Code::R005,
                format!(
                    "the scan did not finish: more than {WATCHDOG_STATEMENTS} statements or \
                     calls nested more than {MAX_CALL_DEPTH} deep"
                ),
            ),
            Fault::TypeError => (
                Code::R009,
                "internal error: operands of unexpected types (please report this)".to_string(),
            ),
        };
        Diagnostic::new(code, self.file, self.span, message)
    }
}

/// Why execution stopped: a fault not yet tied to a statement, or one that is.
enum Stop {
    Fault(Fault),
    /// Boxed: every evaluation's result has room for a `Stop`, and small results are fast.
    At(Box<RunFault>),
}

impl From<Fault> for Stop {
    fn from(f: Fault) -> Stop {
        Stop::Fault(f)
    }
}

type Run<T> = Result<T, Stop>;

/// How a statement ended.
#[derive(PartialEq)]
enum Flow {
    Next,
    Exit,
    Continue,
    Return,
}

/// One running instance of a program's root POU.
pub struct Machine<'p> {
    program: &'p Program,
    memory: Vec<Value>,
    /// Where the root instance (or a root function's frame) starts.
    root: usize,
    /// Where function frames start (above the root and its in-outs' storage).
    stack_base: usize,
    now_ns: i128,
    cycle_ns: i128,
    scans: u64,
    budget: u64,
    depth: u32,
    /// Buffers reused by calls, so a scan allocates nothing.
    spare_inputs: Vec<(u32, Value)>,
    spare_args: Vec<Value>,
    /// The memory between scans as it was after the previous scan, while a condition with
    /// `PREV` is evaluated ([`Machine::holds_since`]); empty otherwise.
    previous: Vec<Value>,
    /// The CASE statements without ELSE whose selector matched no arm in the current scan,
    /// when someone watches them ([`Machine::watch_unmatched_cases`]).
    unmatched: Option<Vec<(FileId, Span)>>,
}

impl<'p> Machine<'p> {
    /// Memory initialised, the clock at T#0s.
    pub fn new(program: &'p Program, cycle_ns: i128) -> Machine<'p> {
        let mut memory = program.globals_init.clone();
        let root = memory.len();
        let body = program.root();
        memory.extend_from_slice(&body.init);
        // The root's in-outs are the environment's variables: give them storage of their own.
        for var in &body.vars {
            if let Ty::InOut(inner) = &var.ty {
                let at = memory.len();
                crate::ir::layout::defaults(inner, &mut memory, &|b| program.body(b).init.clone());
                memory[root + var.offset as usize] = Value::Address(at as u32);
            }
        }
        Machine {
            program,
            stack_base: memory.len(),
            memory,
            root,
            now_ns: 0,
            cycle_ns,
            scans: 0,
            budget: 0,
            depth: 0,
            spare_inputs: Vec::new(),
            spare_args: Vec::new(),
            previous: Vec::new(),
            unmatched: None,
        }
    }

    /// Runs the root POU once at the current time, then advances the clock by one cycle.
    pub fn scan(&mut self) -> Result<(), RunFault> {
        self.scan_then_advance(self.cycle_ns)
    }

    /// Runs the root POU once at the current time, then advances the clock by `elapsed_ns`: the
    /// time until the next scan (a counterexample's scans need not be evenly spaced).
    pub fn scan_then_advance(&mut self, elapsed_ns: i128) -> Result<(), RunFault> {
        let body = self.program.root();
        self.budget = WATCHDOG_STATEMENTS;
        self.depth = 0;
        if let Some(seen) = &mut self.unmatched {
            seen.clear();
        }
        for &t in &body.temps {
            self.memory[self.root + t as usize] = body.init[t as usize].clone();
        }
        let result = self.block(&body.stmts, self.root);
        self.scans += 1;
        self.now_ns += elapsed_ns;
        match result {
            Ok(_) => Ok(()),
            Err(Stop::At(fault)) => Err(*fault),
            // Faults are tied to statements where they happen; this is a fallback.
            Err(Stop::Fault(fault)) => Err(RunFault {
                fault,
                file: body.file,
                span: Span::default(),
            }),
        }
    }

    /// Evaluates a lowered condition (a spec's property) over the root's variables now;
    /// a fault is reported at `span` of `file`, where the condition is written.
    pub fn holds(&mut self, condition: &Expr, file: FileId, span: Span) -> Result<bool, RunFault> {
        self.budget = WATCHDOG_STATEMENTS;
        let result = self.eval_bool(condition, self.root);
        // Function calls in the condition leave nothing behind.
        self.memory.truncate(self.stack_base);
        result.map_err(|stop| match stop {
            Stop::At(fault) => *fault,
            Stop::Fault(fault) => RunFault { fault, file, span },
        })
    }

    /// [`Machine::holds`] for a condition with `PREV`: `previous` is the memory between scans
    /// ([`Machine::memory`]) as it was after the previous scan, which `PREV(e)` reads.
    pub fn holds_since(
        &mut self,
        condition: &Expr,
        previous: &mut Vec<Value>,
        file: FileId,
        span: Span,
    ) -> Result<bool, RunFault> {
        std::mem::swap(&mut self.previous, previous);
        let result = self.holds(condition, file, span);
        std::mem::swap(&mut self.previous, previous);
        result
    }

    /// From now on, records in every scan the CASE statements without ELSE whose selector
    /// matched no arm ([`Machine::unmatched_cases`]): the verifier's replay confirms its
    /// warnings with them.
    pub fn watch_unmatched_cases(&mut self) {
        self.unmatched.get_or_insert_with(Vec::new);
    }

    /// The CASE statements (file and span) without ELSE whose selector matched no arm in the
    /// last scan, in the order they ran, if watched.
    pub fn unmatched_cases(&self) -> &[(FileId, Span)] {
        self.unmatched.as_deref().unwrap_or_default()
    }

    /// The memory between scans: the globals, the root instance from [`Machine::root_slot`],
    /// the storage of the root's in-outs. The verifier lays out its terms the same way.
    pub fn memory(&self) -> &[Value] {
        &self.memory[..self.stack_base]
    }

    /// Where the root instance (or a root function's frame) starts in [`Machine::memory`].
    pub fn root_slot(&self) -> usize {
        self.root
    }

    /// Sets a slot of [`Machine::memory`] to a value of its type (a duration in the dialect's
    /// representation: `T#1500us` is `T#1ms` where TIME counts milliseconds); false otherwise.
    pub fn set_slot(&mut self, slot: usize, value: Value) -> bool {
        match self.memory.get(slot) {
            Some(old) if slot < self.stack_base && same_type(old, &value) => {
                self.memory[slot] = value::represent(value, self.program.semantics);
                true
            }
            _ => false,
        }
    }

    /// The time of the next scan.
    pub fn now_ns(&self) -> i128 {
        self.now_ns
    }

    pub fn scans(&self) -> u64 {
        self.scans
    }

    /// The slot in [`Machine::memory`] of a scalar of the root instance by path (`Motor`,
    /// `Timer1.Q`, `result`).
    pub fn slot(&self, path: &str) -> Option<usize> {
        let (offset, ty) = self.program.lookup(path)?;
        let at = self.root + offset as usize;
        match ty {
            _ if ty.is_scalar() => Some(at),
            Ty::InOut(inner) if inner.is_scalar() => match self.memory.get(at) {
                Some(Value::Address(a)) => Some(*a as usize),
                _ => None,
            },
            _ => None,
        }
    }

    /// A scalar of the root instance by path (`Motor`, `Timer1.Q`, `result`).
    pub fn read(&self, path: &str) -> Option<Value> {
        self.slot(path).and_then(|s| self.memory.get(s).cloned())
    }

    /// Sets a scalar of the root instance to a value of its type; false if the path names no
    /// scalar or the value is of another type (a slot always holds a value of its own type).
    pub fn write(&mut self, path: &str, value: Value) -> bool {
        match self.slot(path) {
            Some(s) if same_type(&self.memory[s], &value) => {
                self.memory[s] = value::represent(value, self.program.semantics);
                true
            }
            _ => false,
        }
    }

    // ---- statements ----------------------------------------------------------------------

    fn block(&mut self, stmts: &[Stmt], frame: usize) -> Run<Flow> {
        for s in stmts {
            let flow = self.stmt(s, frame).map_err(|stop| match stop {
                Stop::Fault(fault) => Stop::At(Box::new(RunFault {
                    fault,
                    file: s.file,
                    span: s.span,
                })),
                located => located,
            })?;
            if flow != Flow::Next {
                return Ok(flow);
            }
        }
        Ok(Flow::Next)
    }

    fn tick(&mut self) -> Run<()> {
        if self.budget == 0 {
            return Err(Fault::Watchdog.into());
        }
        self.budget -= 1;
        Ok(())
    }

    fn stmt(&mut self, s: &Stmt, frame: usize) -> Run<Flow> {
        self.tick()?;
        match &s.kind {
            StmtKind::Assign { target, value } => {
                // Slots keep their type: a BOOL slot takes a BOOL, evaluated the fast way.
                if target.base == Base::Frame && target.indices.is_empty() {
                    let at = frame + target.offset as usize;
                    if let Value::Bool(_) = self.memory[at] {
                        let b = self.eval_bool(value, frame)?;
                        self.memory[at] = Value::Bool(b);
                        return Ok(Flow::Next);
                    }
                }
                let v = self.value(value, frame)?;
                let at = self.address(target, frame)?;
                self.memory[at] = v;
            }
            StmtKind::Copy {
                target,
                source,
                len,
            } => {
                let to = self.address(target, frame)?;
                let from = self.address(source, frame)?;
                let values: Vec<Value> = self.memory[from..from + *len as usize].to_vec();
                self.memory[to..to + *len as usize].clone_from_slice(&values);
            }
            StmtKind::SetBit { target, bit, value } => {
                let on = self.eval_bool(value, frame)?;
                let at = self.address(target, frame)?;
                let Value::Int(e, x) = self.memory[at] else {
                    return Err(Fault::TypeError.into());
                };
                let mask = 1i128 << bit;
                let bits = if on { x | mask } else { x & !mask };
                self.memory[at] = value::fit(e, bits, true)?;
            }
            StmtKind::Call(call) => {
                self.call(call, frame)?;
            }
            StmtKind::If {
                branches,
                otherwise,
            } => {
                for (cond, body) in branches {
                    if self.eval_bool(cond, frame)? {
                        return self.block(body, frame);
                    }
                }
                return self.block(otherwise, frame);
            }
            StmtKind::Case {
                selector,
                arms,
                otherwise,
                has_else,
            } => {
                let v = self.eval_int(selector, frame)?;
                for arm in arms {
                    if arm.ranges.iter().any(|&(lo, hi)| lo <= v && v <= hi) {
                        return self.block(&arm.body, frame);
                    }
                }
                if !has_else && let Some(seen) = &mut self.unmatched {
                    seen.push((s.file, s.span));
                }
                return self.block(otherwise, frame);
            }
            StmtKind::For {
                var,
                from,
                to,
                by,
                body,
            } => return self.for_loop(var, from, to, by, body, frame),
            StmtKind::While { cond, body } => {
                while self.eval_bool(cond, frame)? {
                    self.tick()?;
                    match self.block(body, frame)? {
                        Flow::Exit => break,
                        Flow::Return => return Ok(Flow::Return),
                        Flow::Next | Flow::Continue => {}
                    }
                }
            }
            StmtKind::Repeat { body, until } => loop {
                self.tick()?;
                match self.block(body, frame)? {
                    Flow::Exit => break,
                    Flow::Return => return Ok(Flow::Return),
                    Flow::Next | Flow::Continue => {}
                }
                if self.eval_bool(until, frame)? {
                    break;
                }
            },
            StmtKind::Exit => return Ok(Flow::Exit),
            StmtKind::Continue => return Ok(Flow::Continue),
            StmtKind::Return => return Ok(Flow::Return),
        }
        Ok(Flow::Next)
    }

    /// `FOR`: `to` and `by` are evaluated once; the loop ends when the variable passes `to`
    /// (or would leave its type's range).
    fn for_loop(
        &mut self,
        var: &Place,
        from: &Expr,
        to: &Expr,
        by: &Expr,
        body: &[Stmt],
        frame: usize,
    ) -> Run<Flow> {
        let start = self.value(from, frame)?;
        let Value::Int(elem, _) = start else {
            return Err(Fault::TypeError.into());
        };
        let end = self.eval_int(to, frame)?;
        let step = self.eval_int(by, frame)?;
        let at = self.address(var, frame)?;
        self.memory[at] = start;
        loop {
            let Value::Int(_, i) = self.memory[at] else {
                return Err(Fault::TypeError.into());
            };
            if (step >= 0 && i > end) || (step < 0 && i < end) {
                return Ok(Flow::Next);
            }
            self.tick()?;
            match self.block(body, frame)? {
                Flow::Exit => return Ok(Flow::Next),
                Flow::Return => return Ok(Flow::Return),
                Flow::Next | Flow::Continue => {}
            }
            let Value::Int(_, i) = self.memory[at] else {
                return Err(Fault::TypeError.into());
            };
            match value::for_next(elem, i, step) {
                Some(next) => self.memory[at] = next,
                None => return Ok(Flow::Next),
            }
        }
    }

    /// Calls a function block instance, action or function; a function's result is returned.
    fn call(&mut self, call: &Call, frame: usize) -> Run<Option<Value>> {
        if self.depth >= MAX_CALL_DEPTH {
            return Err(Fault::Watchdog.into());
        }
        let body = self.program.body(call.callee);
        // Inputs are all evaluated before any is written (`fb(A := fb.B, B := x)` reads the old
        // B), into a buffer kept between calls.
        let mut inputs = std::mem::take(&mut self.spare_inputs);
        inputs.clear();
        for (slot, e) in &call.inputs {
            inputs.push((*slot, self.value(e, frame)?));
        }
        for copy in &call.copies {
            let from = self.address(&copy.source, frame)?;
            for i in 0..copy.len {
                inputs.push((copy.to + i, self.memory[from + i as usize].clone()));
            }
        }
        let callee_frame = match &call.instance {
            Some(instance) => self.address(instance, frame)?,
            None => {
                let at = self.memory.len();
                self.memory.extend_from_slice(&body.init);
                at
            }
        };
        for (slot, v) in inputs.drain(..) {
            self.memory[callee_frame + slot as usize] = v;
        }
        self.spare_inputs = inputs;
        if call.instance.is_some() {
            for &t in &body.temps {
                self.memory[callee_frame + t as usize] = body.init[t as usize].clone();
            }
        }
        self.depth += 1;
        let flow = self.block(&body.stmts, callee_frame);
        self.depth -= 1;
        if flow.is_err() && call.instance.is_none() {
            self.memory.truncate(callee_frame);
        }
        flow?;
        for out in &call.outputs {
            let mut v = self.memory[callee_frame + out.from as usize].clone();
            if out.negate {
                v = value::not(&v)?;
            }
            if let Some(to) = out.convert {
                v = value::convert_in(&v, to, self.program.semantics)?;
            }
            let at = self.address(&out.to, frame)?;
            self.memory[at] = v;
        }
        let result = body
            .result
            .map(|r| self.memory[callee_frame + r as usize].clone());
        if call.instance.is_none() {
            self.memory.truncate(callee_frame);
        }
        Ok(result)
    }

    // ---- expressions ---------------------------------------------------------------------

    fn address(&mut self, place: &Place, frame: usize) -> Run<usize> {
        // The common case, a variable of the current instance, without the general path.
        if place.base == Base::Frame && place.indices.is_empty() {
            return Ok(frame + place.offset as usize);
        }
        let base = match place.base {
            Base::Frame => frame,
            Base::Global => 0,
            Base::Indirect(slot) => match self.memory[frame + slot as usize] {
                Value::Address(a) => a as usize,
                _ => return Err(Fault::TypeError.into()),
            },
        };
        let mut at = base + place.offset as usize;
        for index in &place.indices {
            let i = self.eval_int(&index.value, frame)?;
            if i < index.low || i > index.high {
                return Err(Fault::IndexOutOfBounds {
                    index: builtins::clamp(i),
                    low: builtins::clamp(index.low),
                    high: builtins::clamp(index.high),
                }
                .into());
            }
            at += (i - index.low) as usize * index.stride as usize;
        }
        Ok(at)
    }

    /// Evaluates a BOOL expression. The operands of a BOOL `AND`/`OR`/`XOR`/`NOT` are BOOLs
    /// themselves, so interlock logic is evaluated as plain booleans, without building values.
    fn eval_bool(&mut self, e: &Expr, frame: usize) -> Run<bool> {
        match e {
            Expr::Unary(UnaryOp::Not, x) => Ok(!self.eval_bool(x, frame)?),
            Expr::Binary { op, lhs, rhs } if is_logical(*op) => {
                let a = self.eval_bool(lhs, frame)?;
                match (op, a) {
                    (BinaryOp::AndThen, false) => return Ok(false),
                    (BinaryOp::OrElse, true) => return Ok(true),
                    _ => {}
                }
                let b = self.eval_bool(rhs, frame)?;
                Ok(match op {
                    BinaryOp::And | BinaryOp::AndThen => a && b,
                    BinaryOp::Or | BinaryOp::OrElse => a || b,
                    _ => a != b,
                })
            }
            _ => match self.value(e, frame)? {
                Value::Bool(b) => Ok(b),
                _ => Err(Fault::TypeError.into()),
            },
        }
    }

    fn eval_int(&mut self, e: &Expr, frame: usize) -> Run<i128> {
        match self.value(e, frame)? {
            Value::Int(_, v) => Ok(v),
            _ => Err(Fault::TypeError.into()),
        }
    }

    #[inline(never)]
    fn builtin(&mut self, b: crate::ir::Builtin, args: &[Expr], frame: usize) -> Run<Value> {
        let mut values = std::mem::take(&mut self.spare_args);
        values.clear();
        for a in args {
            values.push(self.value(a, frame)?);
        }
        let result = builtins::call(b, &values, self.now_ns, self.program.semantics);
        self.spare_args = values;
        Ok(result?)
    }

    /// A constant, or a variable of the current instance, by reference.
    fn simple<'e>(&'e self, e: &'e Expr, frame: usize) -> Option<&'e Value> {
        match e {
            Expr::Const(v) => Some(v),
            Expr::Load(p) if p.base == Base::Frame && p.indices.is_empty() => {
                self.memory.get(frame + p.offset as usize)
            }
            _ => None,
        }
    }

    /// Evaluates an expression; constants and variables without calling the general path.
    #[inline]
    fn value(&mut self, e: &Expr, frame: usize) -> Run<Value> {
        match self.simple(e, frame) {
            Some(v) => Ok(v.clone()),
            None => self.eval(e, frame),
        }
    }

    fn eval(&mut self, e: &Expr, frame: usize) -> Run<Value> {
        Ok(match e {
            Expr::Const(v) => v.clone(),
            Expr::Load(place) => {
                let at = self.address(place, frame)?;
                self.memory[at].clone()
            }
            Expr::Address(place) => Value::Address(self.address(place, frame)? as u32),
            Expr::Unary(UnaryOp::Not, x)
                if matches!(self.simple(x, frame), Some(Value::Bool(_))) =>
            {
                Value::Bool(self.simple(x, frame) == Some(&Value::Bool(false)))
            }
            Expr::Unary(op, x) => {
                let v = self.value(x, frame)?;
                match op {
                    UnaryOp::Neg => value::negate(&v, self.program.semantics)?,
                    UnaryOp::Not => value::not(&v)?,
                }
            }
            Expr::Binary { op, lhs, rhs } if is_logical(*op) => {
                // BOOL logic as booleans; bit strings through the general path.
                match self.value(lhs, frame)? {
                    Value::Bool(a) => {
                        let b = match (op, a) {
                            (BinaryOp::AndThen, false) => false,
                            (BinaryOp::OrElse, true) => true,
                            _ => self.eval_bool(rhs, frame)?,
                        };
                        Value::Bool(match op {
                            BinaryOp::And | BinaryOp::AndThen => a && b,
                            BinaryOp::Or | BinaryOp::OrElse => a || b,
                            _ => a != b,
                        })
                    }
                    a => {
                        let b = self.value(rhs, frame)?;
                        apply(*op, &a, &b, self.program.semantics)?
                    }
                }
            }
            Expr::Binary { op, lhs, rhs } => {
                // Operands that are constants or variables of the instance are read in place:
                // most operations in plant code are of this kind.
                if let (Some(a), Some(b)) = (self.simple(lhs, frame), self.simple(rhs, frame)) {
                    return Ok(apply(*op, a, b, self.program.semantics)?);
                }
                let a = self.value(lhs, frame)?;
                match (op, &a) {
                    (BinaryOp::AndThen, Value::Bool(false)) => return Ok(a),
                    (BinaryOp::OrElse, Value::Bool(true)) => return Ok(a),
                    _ => {}
                }
                let b = self.value(rhs, frame)?;
                apply(*op, &a, &b, self.program.semantics)?
            }
            Expr::Convert(to, x) => {
                let v = self.value(x, frame)?;
                value::convert_in(&v, *to, self.program.semantics)?
            }
            Expr::Bit(x, bit) => match self.value(x, frame)? {
                Value::Int(_, v) => Value::Bool((v >> bit) & 1 == 1),
                _ => return Err(Fault::TypeError.into()),
            },
            Expr::Builtin(b, args) => self.builtin(*b, args, frame)?,
            Expr::Call(call) => self.call(call, frame)?.ok_or(Fault::TypeError)?,
            Expr::Prev(x) => {
                // The argument calls nothing, so it reads only the memory between scans: the
                // copy from after the previous scan stands in for it while `x` is evaluated.
                if self.previous.len() != self.stack_base {
                    return Err(Fault::TypeError.into());
                }
                let stack = self.memory.split_off(self.stack_base);
                std::mem::swap(&mut self.memory, &mut self.previous);
                let v = self.value(x, frame);
                std::mem::swap(&mut self.memory, &mut self.previous);
                self.memory.extend(stack);
                v?
            }
        })
    }
}

/// A binary operation, with the operations of interlock logic ahead of the general dispatch.
fn apply(op: BinaryOp, a: &Value, b: &Value, sem: value::Semantics) -> Result<Value, Fault> {
    Ok(match (op, a, b) {
        (BinaryOp::And | BinaryOp::AndThen, Value::Bool(x), Value::Bool(y)) => {
            Value::Bool(*x && *y)
        }
        (BinaryOp::Or | BinaryOp::OrElse, Value::Bool(x), Value::Bool(y)) => Value::Bool(*x || *y),
        (BinaryOp::Eq, Value::Int(_, x), Value::Int(_, y)) => Value::Bool(x == y),
        _ => value::binary(op, a, b, sem)?,
    })
}

/// Whether two values are of one elementary type (strings of any length are one type here:
/// the slot's declared length is the lowering's business).
fn same_type(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Int(x, _), Value::Int(y, _))
        | (Value::Real(x, _), Value::Real(y, _))
        | (Value::Time(x, _), Value::Time(y, _)) => x == y,
        _ => std::mem::discriminant(a) == std::mem::discriminant(b),
    }
}

fn is_logical(op: BinaryOp) -> bool {
    matches!(
        op,
        BinaryOp::And | BinaryOp::AndThen | BinaryOp::Or | BinaryOp::OrElse | BinaryOp::Xor
    )
}
