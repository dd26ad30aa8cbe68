//! What the tests that run the `stforge` binary share. Each test crate uses a part of it.
#![allow(dead_code)]

use std::process::{Command, Output};

/// The binary, run with `args`, to completion.
pub fn stforge(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stforge"))
        .args(args)
        .output()
        .expect("the binary runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
