fn main() {
    let path = std::env::args().nth(1).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let decoded = stforge::source::decode(&bytes);
    let mut map = stforge::source::SourceMap::default();
    let id = map.add(path.into(), decoded.text, decoded.encoding);
    let parsed = stforge::syntax::parse(id, &map.get(id).text);
    print!("{}", stforge::syntax::dump::dump(&parsed.unit, false));
    for d in &parsed.diagnostics {
        println!("{}", stforge::diagnostics::render::to_line(d, &map));
    }
}
