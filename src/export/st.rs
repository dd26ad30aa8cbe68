//! Plain ST: every file formatted by the canonical printer (comments kept), one after another.

use super::Source;
use crate::syntax::printer;

pub fn export(sources: &[Source]) -> String {
    let mut out = String::new();
    for source in sources {
        let text = printer::print(
            &source.parsed.unit,
            &source.parsed.trivia,
            &source.file.text,
        );
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&text);
        if !out.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}
