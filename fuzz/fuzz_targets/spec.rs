//! Fuzzes the spec loader (`*.spec.toml`) with arbitrary bytes.
//!
//! Checks, for every input, the loader's invariant: loading never panics or hangs (zero and
//! negative scan cycles, huge and malformed TIME values, any TOML shape); every diagnostic is
//! P-coded or a syntax code from an embedded expression, with its span inside the file; a model
//! comes back exactly when there is no error. Each spec's diagnostics are also rendered for a
//! terminal and as JSON, as `stforge check` shows them.

#![no_main]

use libfuzzer_sys::fuzz_target;
use stforge::diagnostics::{Family, render};
use stforge::source::{SourceMap, decode};

fuzz_target!(|bytes: &[u8]| {
    let decoded = decode(bytes);
    let len = decoded.text.len();
    let mut files = SourceMap::default();
    let id = files.add("fuzz.spec.toml".into(), decoded.text, decoded.encoding);
    let text = &files.get(id).text;
    let (spec, diagnostics) = stforge::spec::load(id, text);
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    assert_eq!(spec.is_some(), errors == 0, "a model only without errors");
    for d in &diagnostics {
        let span = d.primary.span;
        assert!(
            span.start <= span.end && span.end as usize <= len,
            "{:?} span {}..{} outside a file of {len} bytes: {}",
            d.code,
            span.start,
            span.end,
            d.message
        );
        let family = d.code.info().family;
        assert!(
            matches!(family, Family::Spec | Family::Syntax),
            "{:?} from the spec loader: {}",
            d.code,
            d.message
        );
    }
    if let Some(spec) = spec {
        assert!(spec.cycle_ns > 0, "a model with a cycle of {} ns", spec.cycle_ns);
        let _ = spec.interface_st();
    }
    let _ = render::to_terminal_all(&diagnostics, &files, false);
    for d in &diagnostics {
        let _ = render::to_json(d, &files);
    }
});
