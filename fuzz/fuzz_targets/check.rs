//! Fuzzes the whole check — parse, index, resolve, type check — with arbitrary bytes.
//!
//! The first byte picks the dialect; the rest is one source file checked as a project. Checks
//! that nothing panics, overflows the stack or hangs, whatever the input (sema's "bad input is
//! a diagnostic" invariant), and that every diagnostic's span lies inside the file.

#![no_main]

use libfuzzer_sys::fuzz_target;
use std::collections::HashSet;
use stforge::check::{Options, Stage, check_sources};
use stforge::sema::Dialect;
use stforge::source::{SourceMap, decode};

fuzz_target!(|bytes: &[u8]| {
    let Some((&first, rest)) = bytes.split_first() else {
        return;
    };
    let dialect = [Dialect::Iec, Dialect::Codesys, Dialect::Twincat, Dialect::Siemens, Dialect::Rusty]
        [first as usize % 5];
    let decoded = decode(rest);
    let mut files = SourceMap::default();
    let len = decoded.text.len();
    files.add("fuzz.st".into(), decoded.text, decoded.encoding);
    let options = Options {
        stage: Stage::All,
        dialect,
    };
    for d in check_sources(&files, &HashSet::new(), options) {
        let span = d.primary.span;
        assert!(
            span.start <= span.end && span.end as usize <= len,
            "{:?} span {}..{} outside a file of {len} bytes: {}",
            d.code,
            span.start,
            span.end,
            d.message
        );
    }
});
