//! A small, safe element tree over quick-xml for the importers.
//!
//! Safety: quick-xml never reads a DTD or resolves an entity; this reader reports a document
//! type declaration and every reference to an entity other than the five predefined ones and
//! character references (X003) and leaves them out, so neither external entities (XXE) nor
//! entity expansion bombs can do anything. Depth and attribute sizes are bounded (X001, X005).
//! Every text fragment keeps its offset in the original, so importers can map ST back to it.

use crate::diagnostics::Code;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

/// Elements nested deeper than this are refused (no real project file comes close).
pub const MAX_DEPTH: usize = 256;
/// Attribute values longer than this are refused: names, types and values are short.
pub const MAX_ATTRIBUTE: usize = 1 << 20;

#[derive(Debug)]
pub struct Element {
    /// The local name (without namespace prefix).
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
    /// Offset of the `<` of the start tag in the original.
    pub start: usize,
    /// Offset just after the end tag (or the empty-element tag).
    pub end: usize,
}

#[derive(Debug)]
pub enum Node {
    Element(Element),
    /// Character data: `verbatim` when it is the original bytes (CDATA, or text without
    /// references); a resolved reference (`&lt;`) is its own fragment.
    Text {
        text: String,
        original: usize,
        verbatim: bool,
    },
}

/// A problem found while reading: a code, a place in the original and a message.
#[derive(Debug, Clone)]
pub struct Problem {
    pub code: Code,
    pub offset: usize,
    pub message: String,
}

impl Problem {
    pub fn new(code: Code, offset: usize, message: impl Into<String>) -> Problem {
        Problem {
            code,
            offset,
            message: message.into(),
        }
    }
}

impl Element {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text { .. } => None,
        })
    }

    pub fn child(&self, name: &str) -> Option<&Element> {
        self.elements().find(|e| e.name == name)
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.elements().filter(move |e| e.name == name)
    }

    /// All character data below this element, in document order.
    pub fn text(&self) -> String {
        let mut out = String::new();
        self.each_text(&mut |text, _, _| out.push_str(text));
        out
    }

    /// Calls `f(text, original offset, verbatim)` for every text fragment below this element.
    pub fn each_text(&self, f: &mut impl FnMut(&str, usize, bool)) {
        for node in &self.children {
            match node {
                Node::Element(e) => e.each_text(f),
                Node::Text {
                    text,
                    original,
                    verbatim,
                } => f(text, *original, *verbatim),
            }
        }
    }
}

/// Parses a whole document. `Err` when it is not well-formed; otherwise the root element and
/// the problems that did not stop reading (ignored DTDs and entities, oversized attributes).
pub fn parse(text: &str) -> Result<(Element, Vec<Problem>), Problem> {
    let mut reader = Reader::from_str(text);
    let config = reader.config_mut();
    config.check_end_names = true;
    config.check_comments = true;
    let mut problems = Vec::new();
    // The open elements; the document's root is found when the stack empties.
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let before = reader.buffer_position() as usize;
        let event = reader.read_event().map_err(|e| {
            Problem::new(
                Code::X001,
                reader.error_position() as usize,
                format!("malformed XML: {e}"),
            )
        })?;
        match event {
            Event::Start(start) | Event::Empty(start) if stack.is_empty() && root.is_some() => {
                let _ = start;
                return Err(Problem::new(
                    Code::X001,
                    before,
                    "malformed XML: a second root element",
                ));
            }
            Event::Start(start) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(Problem::new(
                        Code::X001,
                        before,
                        format!("elements nested deeper than {MAX_DEPTH} levels"),
                    ));
                }
                stack.push(element(&start, before, &mut problems)?);
            }
            Event::Empty(start) => {
                let mut e = element(&start, before, &mut problems)?;
                e.end = reader.buffer_position() as usize;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(Node::Element(e)),
                    None => root = Some(e),
                }
            }
            Event::End(_) => {
                let mut done = stack.pop().ok_or_else(|| {
                    Problem::new(Code::X001, before, "malformed XML: unmatched end tag")
                })?;
                done.end = reader.buffer_position() as usize;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(Node::Element(done)),
                    None => root = Some(done),
                }
            }
            Event::Text(t) => {
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(Node::Text {
                        text: t.to_string(),
                        original: before,
                        verbatim: true,
                    });
                } else if !t.trim().is_empty() {
                    return Err(Problem::new(
                        Code::X001,
                        before,
                        "malformed XML: text outside the root element",
                    ));
                }
            }
            Event::CData(c) => {
                let content: &str = &c;
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(Node::Text {
                        text: content.to_string(),
                        original: before + "<![CDATA[".len(),
                        verbatim: true,
                    });
                }
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c.to_string()),
                    Ok(None) => predefined(&r).map(str::to_string),
                    Err(_) => None,
                };
                match resolved {
                    Some(text) => {
                        if let Some(parent) = stack.last_mut() {
                            parent.children.push(Node::Text {
                                text,
                                original: before,
                                verbatim: false,
                            });
                        }
                    }
                    None => problems.push(Problem::new(
                        Code::X003,
                        before,
                        format!("the entity `&{};` is not resolved", &*r),
                    )),
                }
            }
            Event::DocType(_) => problems.push(Problem::new(
                Code::X003,
                before,
                "the document type declaration is ignored: its entities are never expanded",
            )),
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err(Problem::new(
            Code::X001,
            text.len(),
            format!(
                "malformed XML: `<{}>` is never closed",
                stack[stack.len() - 1].name
            ),
        ));
    }
    root.map(|r| (r, problems))
        .ok_or_else(|| Problem::new(Code::X001, 0, "malformed XML: no root element"))
}

fn predefined(name: &str) -> Option<&'static str> {
    Some(match name {
        "lt" => "<",
        "gt" => ">",
        "amp" => "&",
        "apos" => "'",
        "quot" => "\"",
        _ => return None,
    })
}

fn local(name: &str) -> String {
    match name.rsplit_once(':') {
        Some((_, local)) => local.to_string(),
        None => name.to_string(),
    }
}

fn element(start: &BytesStart, at: usize, problems: &mut Vec<Problem>) -> Result<Element, Problem> {
    let mut attrs = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| Problem::new(Code::X001, at, format!("malformed XML: {e}")))?;
        let name = local(attr.key.0);
        if attr.value.len() > MAX_ATTRIBUTE {
            problems.push(Problem::new(
                Code::X005,
                at,
                format!(
                    "attribute `{name}` has {} bytes; the limit is {MAX_ATTRIBUTE}",
                    attr.value.len()
                ),
            ));
            continue;
        }
        match attr.normalized_value(quick_xml::XmlVersion::Implicit1_0) {
            Ok(value) => attrs.push((name, value.into_owned())),
            Err(e) => problems.push(Problem::new(
                Code::X003,
                at,
                format!("attribute `{name}`: {e}; entities other than the predefined ones are not resolved"),
            )),
        }
    }
    Ok(Element {
        name: local(start.name().0),
        attrs,
        children: Vec::new(),
        start: at,
        end: at,
    })
}
