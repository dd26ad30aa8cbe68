//! `stforge export --format plcopen --into project.xml`: the exported data types and POUs are
//! put into an existing PLCopen project, replacing those of the same name (names compare
//! case-insensitively, as in ST) and adding the others at the end of their list. Every other
//! byte of the project stays as it was: the merge edits the text, not a re-serialised tree.

use crate::diagnostics::Code;
use crate::source::import::xml::{self, Element, Problem};

/// What a merge did, for the command's report.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Merged {
    pub replaced: Vec<String>,
    pub added: Vec<String>,
}

/// Merges the data types and POUs of `exported` (a PLCopen project) into `project`.
pub fn merge(project: &str, exported: &str) -> Result<(String, Merged), Problem> {
    let (target, _) = xml::parse(project)?;
    let (source, _) = xml::parse(exported)?;
    if target.name != "project" {
        return Err(Problem::new(
            Code::X002,
            target.start,
            format!("expected a PLCopen `<project>`, found `<{}>`", target.name),
        ));
    }
    let types = target.child("types").ok_or_else(|| {
        Problem::new(
            Code::X002,
            target.start,
            "the project has no `<types>` element",
        )
    })?;
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    let mut merged = Merged::default();
    for (list, entry) in [("dataTypes", "dataType"), ("pous", "pou")] {
        let Some(new_list) = source.child("types").and_then(|t| t.child(list)) else {
            continue;
        };
        let new: Vec<&Element> = new_list.children_named(entry).collect();
        if new.is_empty() {
            continue;
        }
        let existing = types.child(list).ok_or_else(|| {
            Problem::new(
                Code::X002,
                types.start,
                format!("the project has no `<{list}>` element"),
            )
        })?;
        let mut appended = String::new();
        for element in new {
            let name = element.attr("name").unwrap_or_default();
            let text = &exported[element.start..element.end];
            let same = existing
                .children_named(entry)
                .find(|e| e.attr("name").is_some_and(|n| n.eq_ignore_ascii_case(name)));
            match same {
                Some(old) => {
                    edits.push((old.start, old.end, text.to_string()));
                    merged.replaced.push(name.to_string());
                }
                None => {
                    appended.push_str("\n      ");
                    appended.push_str(text);
                    merged.added.push(name.to_string());
                }
            }
        }
        if !appended.is_empty() {
            let raw = &project[existing.start..existing.end];
            if raw.ends_with("/>") {
                // `<pous/>`: it becomes a list with content.
                edits.push((
                    existing.start,
                    existing.end,
                    format!("<{list}>{appended}\n    </{list}>"),
                ));
            } else {
                let close = existing.start + raw.rfind("</").unwrap_or(raw.len());
                appended.push_str("\n    ");
                edits.push((close, close, appended));
            }
        }
    }
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut text = project.to_string();
    for (start, end, with) in edits {
        text.replace_range(start..end, &with);
    }
    Ok((text, merged))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROJECT: &str = "<?xml version=\"1.0\"?>\n<!-- kept -->\n<project xmlns=\"http://www.plcopen.org/xml/tc6_0201\">\n  <types>\n    <dataTypes/>\n    <pous>\n      <pou name=\"Keep\" pouType=\"program\"><body><ST><p>x;</p></ST></body></pou>\n      <pou name=\"Old\" pouType=\"program\"/>\n    </pous>\n  </types>\n</project>\n";

    #[test]
    fn replaces_by_name_adds_the_rest_and_keeps_everything_else() {
        let exported = "<project><types><dataTypes><dataType name=\"T\"><baseType><INT/></baseType></dataType></dataTypes><pous><pou name=\"OLD\" pouType=\"functionBlock\"/><pou name=\"New\" pouType=\"program\"/></pous></types></project>";
        let (text, merged) = merge(PROJECT, exported).unwrap();
        assert_eq!(merged.replaced, ["OLD"]);
        assert_eq!(merged.added, ["T", "New"]);
        assert!(text.starts_with("<?xml version=\"1.0\"?>\n<!-- kept -->\n"));
        assert!(text.contains(
            "<pou name=\"Keep\" pouType=\"program\"><body><ST><p>x;</p></ST></body></pou>"
        ));
        assert!(text.contains("<pou name=\"OLD\" pouType=\"functionBlock\"/>"));
        assert!(!text.contains("name=\"Old\""));
        assert!(text.contains("<dataTypes>\n      <dataType name=\"T\">"));
        let new_at = text.find("name=\"New\"").unwrap();
        assert!(
            new_at > text.find("name=\"OLD\"").unwrap() && new_at < text.find("</pous>").unwrap()
        );
        xml::parse(&text).unwrap();
    }
}
