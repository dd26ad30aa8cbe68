//! Writing XML with quick-xml, indented two spaces per level; text goes into CDATA sections so
//! ST is kept byte for byte (a `]]>` inside is split across two sections).

use quick_xml::Writer;
use quick_xml::events::{BytesCData, BytesDecl, BytesEnd, BytesStart, BytesText, Event};

pub struct Xml {
    w: Writer<Vec<u8>>,
    depth: usize,
}

impl Xml {
    pub fn new() -> Xml {
        let mut w = Writer::new(Vec::new());
        write(
            &mut w,
            Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)),
        );
        Xml { w, depth: 0 }
    }

    fn indent(&mut self) {
        let pad = format!("\n{}", "  ".repeat(self.depth));
        write(&mut self.w, Event::Text(BytesText::from_escaped(pad)));
    }

    fn start<'a>(name: &'a str, attrs: &[(&'a str, &'a str)]) -> BytesStart<'a> {
        BytesStart::new(name).with_attributes(attrs.iter().copied())
    }

    /// `<name attrs>` on a new line; the content follows indented.
    pub fn open(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.indent();
        write(&mut self.w, Event::Start(Xml::start(name, attrs)));
        self.depth += 1;
    }

    /// `</name>` on a new line.
    pub fn close(&mut self, name: &str) {
        self.depth -= 1;
        self.indent();
        write(&mut self.w, Event::End(BytesEnd::new(name)));
    }

    /// `<name attrs/>` on a new line.
    pub fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.indent();
        write(&mut self.w, Event::Empty(Xml::start(name, attrs)));
    }

    /// `<name attrs><![CDATA[text]]></name>` on a new line.
    pub fn cdata_element(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) {
        self.indent();
        write(&mut self.w, Event::Start(Xml::start(name, attrs)));
        let mut rest = text;
        // `]]>` cannot stand in CDATA: end the section after `]]` and start a new one.
        while let Some(at) = rest.find("]]>") {
            write(&mut self.w, Event::CData(BytesCData::new(&rest[..at + 2])));
            rest = &rest[at + 2..];
        }
        write(&mut self.w, Event::CData(BytesCData::new(rest)));
        write(&mut self.w, Event::End(BytesEnd::new(name)));
    }

    pub fn finish(mut self) -> String {
        write(&mut self.w, Event::Text(BytesText::from_escaped("\n")));
        String::from_utf8(self.w.into_inner()).expect("the writer only writes UTF-8")
    }
}

impl Default for Xml {
    fn default() -> Xml {
        Xml::new()
    }
}

fn write(w: &mut Writer<Vec<u8>>, event: Event<'_>) {
    w.write_event(event)
        .expect("writing XML to memory cannot fail");
}
