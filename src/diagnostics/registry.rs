//! The registry of diagnostic codes: one line per code with its family, default severity and
//! title; the explanation lives in `explanations/<CODE>.md` and is shown by `stforge explain`.
//!
//! A code's first letter is its family: `F` input files, `S` syntax, `T` names and types,
//! `R` run time (the simulator), `L` lint, `V` verification, `P` spec files, `G` generation,
//! `X` exchange formats (import and export of TwinCAT, PLCopen XML, SCL).

use super::Severity;

/// The family of a code, given by its prefix letter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    Input,
    Syntax,
    Types,
    Spec,
    Run,
    Generate,
    Exchange,
    Verify,
}

impl Family {
    pub fn name(self) -> &'static str {
        match self {
            Family::Input => "input",
            Family::Syntax => "syntax",
            Family::Types => "types",
            Family::Spec => "spec",
            Family::Run => "run",
            Family::Generate => "generate",
            Family::Exchange => "exchange",
            Family::Verify => "verify",
        }
    }
}

/// What the registry knows about a code.
#[derive(Debug)]
pub struct CodeInfo {
    pub code: Code,
    pub family: Family,
    pub severity: Severity,
    pub title: &'static str,
    pub explanation: &'static str,
}

macro_rules! registry {
    ($($code:ident: $family:ident, $severity:ident, $title:literal;)*) => {
        /// A registered diagnostic code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $($code,)* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$code,)*];

            pub fn as_str(self) -> &'static str {
                match self { $(Code::$code => stringify!($code),)* }
            }

            pub fn info(self) -> &'static CodeInfo {
                match self {
                    $(Code::$code => &CodeInfo {
                        code: Code::$code,
                        family: Family::$family,
                        severity: Severity::$severity,
                        title: $title,
                        explanation: include_str!(concat!("explanations/", stringify!($code), ".md")),
                    },)*
                }
            }
        }
    };
}

registry! {
    F001: Input, Error, "file could not be read";
    F002: Input, Error, "file is not valid in its declared encoding";
    F003: Input, Error, "file too large";
    F004: Input, Error, "not a regular file";
    F005: Input, Note, "too many diagnostics in one file";
    S001: Syntax, Error, "invalid character";
    S002: Syntax, Error, "unterminated string literal";
    S003: Syntax, Error, "unterminated comment or pragma";
    S004: Syntax, Error, "malformed numeric literal or address";
    S005: Syntax, Error, "malformed time or date literal";
    S006: Syntax, Error, "invalid escape sequence in string";
    S007: Syntax, Error, "unexpected token";
    S008: Syntax, Error, "text outside of any declaration";
    S009: Syntax, Error, "nesting too deep";
    S010: Syntax, Error, "too many errors in one file";
    T001: Types, Error, "unknown name";
    T002: Types, Error, "unknown type";
    T003: Types, Error, "duplicate declaration";
    T004: Types, Error, "type mismatch";
    T005: Types, Error, "operator not defined for these operand types";
    T006: Types, Error, "not callable";
    T007: Types, Error, "unknown parameter in call";
    T008: Types, Error, "missing argument";
    T009: Types, Error, "too many arguments";
    T010: Types, Error, "argument given more than once";
    T011: Types, Error, "argument for VAR_IN_OUT is not a variable";
    T012: Types, Error, "invalid output connection";
    T013: Types, Error, "variable is read-only here";
    T014: Types, Error, "assignment to a constant";
    T015: Types, Error, "expression cannot be assigned to";
    T016: Types, Error, "condition is not BOOL";
    T017: Types, Error, "invalid CASE label";
    T018: Types, Error, "invalid FOR loop";
    T019: Types, Error, "invalid index";
    T020: Types, Error, "array index out of range";
    T021: Types, Error, "unknown member";
    T022: Types, Error, "literal out of range for its type";
    T023: Types, Error, "cyclic type definition";
    T024: Types, Error, "invalid inheritance";
    T025: Types, Warning, "function result never assigned";
    T026: Types, Warning, "unused variable";
    T027: Types, Warning, "unreachable code";
    T028: Types, Warning, "expression statement has no effect";
    T029: Types, Error, "unsupported construct";
    T030: Types, Error, "EXIT or CONTINUE outside a loop";
    T031: Types, Error, "unknown jump label";
    T032: Types, Error, "THIS or SUPER outside a function block";
    T033: Types, Error, "not a pointer or reference";
    T034: Types, Error, "not allowed in this dialect";
    T035: Types, Warning, "implicit narrowing conversion";
    T036: Types, Error, "name is not a value";
    T037: Types, Warning, "input written inside its POU";
    P001: Spec, Error, "invalid spec file";
    P002: Spec, Error, "invalid TIME value in spec";
    P003: Spec, Error, "unknown variable in test step";
    P004: Spec, Error, "value does not match the variable's type";
    P005: Spec, Error, "invalid interface declaration in spec";
    P006: Spec, Error, "implementation does not match the spec";
    P007: Spec, Error, "variable cannot be set or read by a test";
    P008: Spec, Error, "test needs more scans than its budget";
    P015: Spec, Error, "invalid use of PREV";
    R001: Run, Error, "division by zero";
    R002: Run, Error, "integer overflow";
    R003: Run, Error, "array index out of bounds";
    R004: Run, Error, "value out of range";
    R005: Run, Error, "scan cycle did not finish";
    R006: Run, Error, "construct not supported yet";
    R007: Run, Error, "too large to simulate";
    R008: Run, Error, "no POU to run";
    R009: Run, Error, "internal error";
    R010: Run, Error, "test run interrupted";
    G001: Generate, Error, "model file not found";
    G002: Generate, Error, "model could not be loaded";
    G003: Generate, Error, "invalid grammar";
    G004: Generate, Error, "server request failed";
    G005: Generate, Error, "the model wrote nothing";
    G006: Generate, Error, "generator command failed";
    G007: Generate, Error, "model download failed";
    G008: Generate, Error, "generated code does not parse";
    G009: Generate, Error, "prompt too long for the model";
    G010: Generate, Error, "output file exists";
    X001: Exchange, Error, "malformed XML";
    X002: Exchange, Error, "not a project file of the expected format";
    X003: Exchange, Error, "entity or document type declaration not resolved";
    X004: Exchange, Warning, "graphical or non-ST content not imported";
    X005: Exchange, Error, "attribute value too large";
    X006: Exchange, Error, "construct cannot be exported to the target format";
    V001: Verify, Warning, "CASE selector matches no branch";
}

impl Code {
    /// Finds a code by its name, ignoring case (`s007` finds `S007`).
    pub fn parse(name: &str) -> Option<Code> {
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.as_str().eq_ignore_ascii_case(name))
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_an_explanation_with_its_title() {
        for code in Code::ALL {
            let info = code.info();
            let first = info.explanation.lines().next().unwrap_or_default();
            assert_eq!(first, format!("# {code}: {}", info.title), "{code}");
        }
    }

    #[test]
    fn prefix_letter_matches_family() {
        for code in Code::ALL {
            let expected = match code.info().family {
                Family::Input => 'F',
                Family::Syntax => 'S',
                Family::Types => 'T',
                Family::Spec => 'P',
                Family::Run => 'R',
                Family::Generate => 'G',
                Family::Exchange => 'X',
                Family::Verify => 'V',
            };
            assert!(code.as_str().starts_with(expected), "{code}");
        }
    }
}
