//! The cone of influence of a goal: the part of the state its failure can depend on, in any
//! number of scans.
//!
//! A goal's failure condition reads some slots of the state before its scan; those slots are
//! computed from others in the scan before, and so on: the cone is that set, closed under one
//! scan. A check may leave every other slot unconstrained (it never binds them to what the
//! scan computed), which z3 then never has to reason about: a discrete property of a program
//! that also filters REALs checks no floating point at all.
//!
//! The cone is found on a scan whose faults do not stop it ([`Executor::stopping`]): otherwise
//! every assignment after a division would depend on the divisor. The cone then takes in the
//! fault and loop sites whose conditions read nothing but it, the inputs, and slots it can take
//! in without a REAL; in a check of the cone only those faults stop a scan, and a scan has
//! finished when none of them happened. Both only add behaviours (a fault left out lets the
//! scan run on, with some value, instead of ending the run), so a proof over the cone is a
//! proof of the program; a violation found over it must replay in the simulator, and when it
//! does not, the goal is checked again on the whole state (`super::check`).
//!
//! [`Executor::stopping`]: super::symbolic::Executor

use super::symbolic::{SiteKey, Sym, site_key, unwind_key};
use super::system::{Goal, Scan, State, System};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::time::Instant;
use z3::ast::{Ast, Bool};
use z3_sys::{AstKind, Z3_ast};

/// A piece of the state between two scans.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Atom {
    Memory(usize),
    Now,
    Monitor(usize),
}

/// The state a goal depends on, and the sites a scan of it checks.
pub struct Cone {
    memory: Vec<bool>,
    now: bool,
    monitors: Vec<bool>,
    /// The fault and loop sites whose conditions read only the cone and the inputs: a scan of
    /// the cone has finished when none of them happened.
    sites: HashSet<SiteKey>,
}

impl Cone {
    /// The cone of `goal`, or `None` when it is the whole state and every site (nothing to
    /// leave out), or when the probe scan could not be encoded by `deadline`.
    pub fn of(system: &System<'_>, goal: &Goal, deadline: Instant) -> Option<Cone> {
        if matches!(goal, Goal::Sites) {
            return None;
        }
        Cone::around(system, deadline, |_, scan| vec![scan.failure(goal)])
    }

    /// The cone of the terms `roots` gives over a state (and a scan from it), or `None` as for
    /// [`Cone::of`].
    pub fn around(
        system: &System<'_>,
        deadline: Instant,
        roots: impl Fn(&State, &Scan) -> Vec<Bool>,
    ) -> Option<Cone> {
        let (state, _) = system.arbitrary("cone", None);
        // No fault stops the probe: every assignment's term is its value where it runs.
        let (scan, _, _) = system.scan_stopping(&state, 0, deadline, Some(&HashSet::default()));
        if scan.out_of_time {
            return None;
        }
        let atoms = Atoms::of(&state);
        let mut roots: Vec<Atom> = roots(&state, &scan)
            .iter()
            .flat_map(|r| atoms.reads(r))
            .collect();
        roots.extend(atoms.reads(&scan.assume));
        let mut wanted = atoms.close(&scan, HashSet::default(), roots);
        // What each fault and loop site's condition reads, over all its occurrences.
        let mut reads: Vec<(SiteKey, Vec<Atom>)> = Vec::new();
        let occurrences = (scan.faults.iter().map(|f| (site_key(f), &f.when)))
            .chain(scan.unwinds.iter().map(|u| (unwind_key(u), &u.when)));
        for (key, when) in occurrences {
            let read = atoms.reads(when);
            match reads.iter_mut().find(|(k, _)| *k == key) {
                Some((_, all)) => all.extend(read),
                None => reads.push((key, read)),
            }
        }
        // A site is checked where the cone holds what its condition reads, or can take it in
        // without a REAL: a loop variable's value before the scan, read only where the loop
        // does not run, costs little; the REALs are what the cone is there to leave out.
        let floats = |set: &HashSet<Atom>| {
            set.iter()
                .filter(
                    |a| matches!(a, Atom::Memory(i) if matches!(state.memory[*i], Sym::Float(..))),
                )
                .count()
        };
        let mut sites: HashSet<SiteKey> = HashSet::default();
        loop {
            let before = sites.len();
            for (key, read) in &reads {
                if sites.contains(key) {
                    continue;
                }
                if read.iter().all(|a| wanted.contains(a)) {
                    sites.insert(key.clone());
                    continue;
                }
                let larger = atoms.close(&scan, wanted.clone(), read.clone());
                if floats(&larger) == floats(&wanted) {
                    wanted = larger;
                    sites.insert(key.clone());
                }
            }
            if sites.len() == before {
                break;
            }
        }
        let memory: Vec<bool> = (0..state.memory.len())
            .map(|i| wanted.contains(&Atom::Memory(i)))
            .collect();
        let monitors: Vec<bool> = (0..state.monitors.len())
            .map(|i| wanted.contains(&Atom::Monitor(i)))
            .collect();
        // A slot that holds no term (an address, a value the encoder does not model) is
        // never bound: it counts as in every cone.
        let whole = sites.len() == reads.len()
            && memory
                .iter()
                .zip(&state.memory)
                .all(|(w, sym)| *w || Atoms::ast(sym).is_none())
            && wanted.contains(&Atom::Now)
            && monitors
                .iter()
                .zip(&state.monitors)
                .all(|(w, m)| *w || m.is_none());
        (!whole).then_some(Cone {
            memory,
            now: wanted.contains(&Atom::Now),
            monitors,
            sites,
        })
    }

    pub fn has_slot(&self, slot: usize) -> bool {
        self.memory[slot]
    }

    pub fn has_now(&self) -> bool {
        self.now
    }

    pub fn has_monitor(&self, i: usize) -> bool {
        self.monitors[i]
    }

    /// Whether a scan of the cone checks the fault or loop site `key`.
    pub fn checks(&self, key: &SiteKey) -> bool {
        self.sites.contains(key)
    }

    /// The sites whose faults stop a scan of the cone (the others run on: their conditions
    /// read state outside it).
    pub fn stopping(&self) -> &HashSet<SiteKey> {
        &self.sites
    }
}

/// The terms of an arbitrary state, by z3's id.
struct Atoms {
    by_id: HashMap<u32, Atom>,
    ctx: z3_sys::Z3_context,
}

impl Atoms {
    fn of(state: &State) -> Atoms {
        let mut by_id = HashMap::default();
        let ctx = state.now.get_ctx().get_z3_context();
        for (i, sym) in state.memory.iter().enumerate() {
            if let Some(ast) = Atoms::ast(sym) {
                by_id.insert(id(ctx, ast), Atom::Memory(i));
            }
        }
        by_id.insert(id(ctx, state.now.get_z3_ast()), Atom::Now);
        for (i, m) in state.monitors.iter().enumerate() {
            if let Some((pending, left)) = m {
                by_id.insert(id(ctx, pending.get_z3_ast()), Atom::Monitor(i));
                by_id.insert(id(ctx, left.get_z3_ast()), Atom::Monitor(i));
            }
        }
        Atoms { by_id, ctx }
    }

    fn ast(sym: &Sym) -> Option<Z3_ast> {
        match sym {
            Sym::Bool(b) => Some(b.get_z3_ast()),
            Sym::Bits(_, x) => Some(x.get_z3_ast()),
            Sym::Float(_, x) => Some(x.get_z3_ast()),
            Sym::Address(_) | Sym::Opaque(_) => None,
        }
    }

    /// The atoms a term reads.
    fn reads(&self, term: &impl Ast) -> Vec<Atom> {
        let mut out = Vec::new();
        self.read(term.get_z3_ast(), &mut HashSet::default(), &mut out);
        out
    }

    /// `wanted` and `more`, closed under one scan: with every atom, the atoms its next value
    /// is computed from.
    fn close(&self, scan: &Scan, mut wanted: HashSet<Atom>, mut more: Vec<Atom>) -> HashSet<Atom> {
        // Subterms shared between the next values are read once.
        let seen = &mut HashSet::default();
        while let Some(atom) = more.pop() {
            if !wanted.insert(atom) {
                continue;
            }
            match atom {
                Atom::Memory(i) => {
                    if let Some(ast) = Atoms::ast(&scan.next.memory[i]) {
                        self.read(ast, seen, &mut more);
                    }
                }
                Atom::Now => self.read(scan.next.now.get_z3_ast(), seen, &mut more),
                Atom::Monitor(i) => {
                    if let Some((pending, left)) = &scan.next.monitors[i] {
                        self.read(pending.get_z3_ast(), seen, &mut more);
                        self.read(left.get_z3_ast(), seen, &mut more);
                    }
                }
            }
        }
        wanted
    }

    /// Adds to `out` the atoms `root` reads, skipping the subterms in `seen` (and adding
    /// those it visits).
    fn read(&self, root: Z3_ast, seen: &mut HashSet<u32>, out: &mut Vec<Atom>) {
        let mut stack = vec![root];
        while let Some(ast) = stack.pop() {
            let ast_id = id(self.ctx, ast);
            if !seen.insert(ast_id) {
                continue;
            }
            if let Some(atom) = self.by_id.get(&ast_id) {
                out.push(*atom);
                continue;
            }
            // SAFETY: `ast` is a live term of this context (a subterm of a live term); an
            // application's arguments are live as long as it is.
            unsafe {
                if z3_sys::Z3_get_ast_kind(self.ctx, ast) != AstKind::App {
                    continue;
                }
                let Some(app) = z3_sys::Z3_to_app(self.ctx, ast) else {
                    continue;
                };
                for i in 0..z3_sys::Z3_get_app_num_args(self.ctx, app) {
                    if let Some(arg) = z3_sys::Z3_get_app_arg(self.ctx, app, i) {
                        stack.push(arg);
                    }
                }
            }
        }
    }
}

fn id(ctx: z3_sys::Z3_context, ast: Z3_ast) -> u32 {
    // SAFETY: a live term of the context.
    unsafe { z3_sys::Z3_get_ast_id(ctx, ast) }
}
