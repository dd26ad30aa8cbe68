//! Dialect profiles as data: what each target accepts beyond the standard, and how strictly
//! it converts. The parser accepts the union of all dialects; sema consults the profile.

use crate::diagnostics::{Code, Diagnostic};
use crate::source::{FileId, Span};

/// A dialect's rules.
#[derive(Debug, PartialEq, Eq)]
pub struct Profile {
    pub name: &'static str,
    /// Implicit conversions beyond the standard's widening ones are accepted (with a T035
    /// warning when information may be lost), as CODESYS and TwinCAT do.
    pub lenient_conversions: bool,
    /// `AND`/`OR` evaluate their right operand only when needed.
    pub short_circuit: bool,
    /// Vendor extensions: `POINTER TO`, `REFERENCE TO`, `UNION`, `AND_THEN`/`OR_ELSE`,
    /// `S=`/`R=`/`REF=`/`?=`, `JMP` and labels, assignments inside expressions, `ADR`,
    /// `SIZEOF` and the other vendor operators.
    pub vendor_extensions: bool,
    /// A POU may write its own inputs.
    pub writable_inputs: bool,
    /// Enumerations convert to and from integers implicitly.
    pub enums_are_integers: bool,
    /// Arithmetic on bit strings (`WORD + 1`) and pointers.
    pub bit_arithmetic: bool,
    /// Integer overflow wraps around (otherwise it is an error in simulation).
    pub wrapping_overflow: bool,
    /// TIME is an unsigned 32-bit count of milliseconds (CODESYS, TwinCAT); otherwise a signed
    /// 64-bit count of nanoseconds like LTIME (`value::Semantics::time_ms32`).
    pub time_ms32: bool,
    /// `REF_TO` values are addresses, as `POINTER TO` values are in CODESYS: arithmetic with
    /// integers, comparison, implicit conversion to and from `LWORD`/`DWORD` (and the other
    /// integers and bit strings of 32 bits or more) and between reference types (RuSTy).
    pub references_are_addresses: bool,
    /// Type parameters (`FUNCTION MAX<T: ANY_ELEMENTARY> : T`) and variadic inputs
    /// (`IN : {sized} T...;`), as RuSTy's standard library declares its functions.
    pub generics: bool,
    /// Vendor names of standard parameters: (function block, vendor name, standard name).
    pub parameter_aliases: &'static [(&'static str, &'static str, &'static str)],
}

pub const IEC: Profile = Profile {
    name: "iec",
    lenient_conversions: false,
    short_circuit: false,
    vendor_extensions: false,
    writable_inputs: false,
    enums_are_integers: false,
    bit_arithmetic: false,
    wrapping_overflow: false,
    time_ms32: false,
    references_are_addresses: false,
    generics: false,
    parameter_aliases: &[],
};

pub const CODESYS: Profile = Profile {
    name: "codesys",
    lenient_conversions: true,
    short_circuit: false,
    vendor_extensions: true,
    writable_inputs: true,
    enums_are_integers: true,
    bit_arithmetic: true,
    wrapping_overflow: true,
    time_ms32: true,
    references_are_addresses: false,
    generics: false,
    parameter_aliases: VENDOR_PARAMETERS,
};

/// CODESYS and TwinCAT name the inputs of the counters and string functions differently
/// from the standard (their Standard / Tc2_Standard libraries).
const VENDOR_PARAMETERS: &[(&str, &str, &str)] = &[
    ("CTU", "RESET", "R"),
    ("CTD", "LOAD", "LD"),
    ("CTUD", "RESET", "R"),
    ("CTUD", "LOAD", "LD"),
    ("LEN", "STR", "IN"),
    ("LEFT", "STR", "IN"),
    ("LEFT", "SIZE", "L"),
    ("RIGHT", "STR", "IN"),
    ("RIGHT", "SIZE", "L"),
    ("MID", "STR", "IN"),
    ("MID", "LEN", "L"),
    ("MID", "POS", "P"),
    ("CONCAT", "STR1", "IN1"),
    ("CONCAT", "STR2", "IN2"),
    ("INSERT", "STR1", "IN1"),
    ("INSERT", "STR2", "IN2"),
    ("INSERT", "POS", "P"),
    ("DELETE", "STR", "IN"),
    ("DELETE", "LEN", "L"),
    ("DELETE", "POS", "P"),
    ("REPLACE", "STR1", "IN1"),
    ("REPLACE", "STR2", "IN2"),
    ("REPLACE", "LEN", "L"),
    ("REPLACE", "POS", "P"),
    ("FIND", "STR1", "IN1"),
    ("FIND", "STR2", "IN2"),
];

pub const TWINCAT: Profile = Profile {
    name: "twincat",
    ..CODESYS
};

/// Siemens SCL converts like the standard (its extra implicit conversions are all widening)
/// and short-circuits nothing by default. Its runtime computes like the other vendors':
/// integer overflow wraps (and only clears ENO), REALs are IEEE 754. Its TIME (a signed 32-bit
/// count of milliseconds) is not modelled: TIME is 64-bit nanoseconds here, as in the
/// standard's dialect.
pub const SIEMENS: Profile = Profile {
    name: "siemens",
    wrapping_overflow: true,
    ..IEC
};

/// RuSTy (PLC-lang's open-source ST compiler) follows CODESYS, and also computes with
/// `REF_TO` values as addresses (its OSCAT port does so throughout). Its TIME is a 64-bit count
/// of nanoseconds, as LTIME.
pub const RUSTY: Profile = Profile {
    name: "rusty",
    time_ms32: false,
    references_are_addresses: true,
    generics: true,
    ..CODESYS
};

impl Profile {
    /// T034 for a vendor extension used in a dialect without them; `None` where allowed.
    pub fn vendor_only(&self, file: FileId, span: Span, what: &str) -> Option<Diagnostic> {
        (!self.vendor_extensions).then(|| {
            let message = format!(
                "{what} is not allowed in dialect `{}`: it is a CODESYS/TwinCAT extension, \
                 allowed with `--dialect codesys` or `--dialect twincat`",
                self.name
            );
            Diagnostic::new(Code::T034, file, span, message)
        })
    }
}

/// The dialect chosen on the command line.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Dialect {
    #[default]
    Iec,
    Codesys,
    Twincat,
    Siemens,
    Rusty,
}

impl Dialect {
    pub fn profile(self) -> &'static Profile {
        match self {
            Dialect::Iec => &IEC,
            Dialect::Codesys => &CODESYS,
            Dialect::Twincat => &TWINCAT,
            Dialect::Siemens => &SIEMENS,
            Dialect::Rusty => &RUSTY,
        }
    }

    pub fn from_name(name: &str) -> Option<Dialect> {
        [
            Dialect::Iec,
            Dialect::Codesys,
            Dialect::Twincat,
            Dialect::Siemens,
            Dialect::Rusty,
        ]
        .into_iter()
        .find(|d| d.profile().name.eq_ignore_ascii_case(name))
    }
}
