//! Instance and frame layouts: where each variable of a POU lives, its shape, and the initial
//! value of every slot.

use super::{BodyId, Field, Ty, VarKind};
use crate::sema::PouId;
use crate::sema::types::{Elem, TypeId, TypeKind, TypeTable};
use crate::value::Value;
use rustc_hash::FxHashMap as HashMap;
use smol_str::SmolStr;

/// The layout of one POU's instance (function blocks, programs) or call frame (functions).
#[derive(Clone, Debug, Default)]
pub struct Layout {
    pub vars: Vec<super::Var>,
    pub init: Vec<Value>,
    pub temps: Vec<u32>,
    pub result: Option<u32>,
    /// Where each variable (by the POU that declares it — the POU or a base — and its index)
    /// lives.
    pub slots: HashMap<(PouId, usize), (Slot, Ty)>,
}

/// Where a variable of a POU lives: in the instance or frame, or (`VAR_EXTERNAL`) among the
/// globals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    Frame(u32),
    Global(usize),
}

impl Layout {
    pub fn var_kind(kind: crate::syntax::ast::VarKind, function: bool) -> VarKind {
        use crate::syntax::ast::VarKind as K;
        match kind {
            K::Input => VarKind::Input,
            K::Output => VarKind::Output,
            K::InOut => VarKind::InOut,
            K::Temp => VarKind::Temp,
            _ if function => VarKind::Temp,
            _ => VarKind::Local,
        }
    }
}

/// The number of slots of a shape; `instance_size` gives the size of function block instances.
/// Past `u32::MAX` it saturates; [`slot_count`] gives the exact count to check against
/// [`MAX_SLOTS`] first.
pub fn size_hint(ty: &Ty, instance_size: &mut dyn FnMut(BodyId) -> u32) -> u32 {
    slot_count(ty, instance_size).min(u32::MAX as u64) as u32
}

/// The most slots one program's instances, frames or globals may take in the simulator (4 Mi
/// slots, 128 MiB of values): sizes come from user code, so they are checked before anything is
/// allocated (R007 at the declaration).
pub const MAX_SLOTS: u64 = 1 << 22;

/// The number of slots of a shape, saturating at `u64::MAX` (an `ARRAY[0..2000000000] OF`
/// an array of the same is counted, not wrapped).
pub fn slot_count(ty: &Ty, instance_size: &mut dyn FnMut(BodyId) -> u32) -> u64 {
    match ty {
        Ty::Array { dims, elem } => {
            let count = dims
                .iter()
                .map(|(lo, hi)| (hi - lo + 1).clamp(0, u64::MAX as i128) as u64)
                .fold(1u64, u64::saturating_mul);
            slot_count(elem, instance_size).saturating_mul(count)
        }
        Ty::Struct(fields) => fields.last().map_or(0, |f| {
            (f.offset as u64).saturating_add(slot_count(&f.ty, instance_size))
        }),
        Ty::Instance(body) => instance_size(*body) as u64,
        _ => 1,
    }
}

/// The initial slots of a shape without an initialiser: zeros, empty strings, the first
/// enumeration value, a function block's own initial values.
pub fn defaults(ty: &Ty, out: &mut Vec<Value>, instance_init: &dyn Fn(BodyId) -> Vec<Value>) {
    match ty {
        Ty::Elem(e) => out.push(Value::default_of(*e)),
        Ty::String { .. } => out.push(Value::String(String::new())),
        Ty::Enum { base, values } => out.push(Value::Int(*base, values.first().map_or(0, |v| v.1))),
        Ty::Array { dims, elem } => {
            let count: i128 = dims.iter().map(|(lo, hi)| hi - lo + 1).product();
            for _ in 0..count.max(0) {
                defaults(elem, out, instance_init);
            }
        }
        Ty::Struct(fields) => {
            for f in fields {
                defaults(&f.ty, out, instance_init);
            }
        }
        Ty::Instance(body) => out.extend(instance_init(*body)),
        Ty::InOut(_) => out.push(Value::Address(0)),
    }
}

/// The elementary type values of a scalar shape compute with (enumerations by their base).
pub fn scalar_elem(ty: &Ty) -> Option<Elem> {
    match ty {
        Ty::Elem(e) => Some(*e),
        Ty::Enum { base, .. } => Some(*base),
        _ => None,
    }
}

/// The elementary type a checked scalar type computes with.
pub fn elem_of(types: &TypeTable, t: TypeId) -> Option<Elem> {
    match types.kind(types.resolve(t)) {
        TypeKind::Enum { base, .. } => Some(*base),
        _ => types.as_elem(t),
    }
}

/// A field of a structure shape by key.
pub fn field<'t>(ty: &'t Ty, key: &SmolStr) -> Option<&'t Field> {
    match ty {
        Ty::Struct(fields) => fields.iter().find(|f| crate::sema::key(&f.name) == *key),
        _ => None,
    }
}
