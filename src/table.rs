//! Plain-text tables with aligned columns, for reports read in a terminal or by a model (test
//! traces, counterexamples, `stforge eval`).

/// The header and rows, each column as wide as its widest cell, two spaces between columns,
/// no trailing space; a line per row.
pub fn aligned(header: &[String], rows: &[Vec<String>]) -> String {
    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            rows.iter()
                .map(|r| r[c].len())
                .chain([header[c].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| {
        let mut s: String = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}  "))
            .collect();
        s.truncate(s.trim_end().len());
        s + "\n"
    };
    let mut out = line(header);
    for row in rows {
        out.push_str(&line(row));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn columns_are_as_wide_as_their_widest_cell_with_no_trailing_space() {
        let s = |v: &[&str]| v.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        let text = super::aligned(
            &s(&["task", "passed", "x"]),
            &[s(&["motor_latch", "no", ""]), s(&["fan", "yes", "1"])],
        );
        assert_eq!(
            text,
            "task         passed  x\nmotor_latch  no\nfan          yes     1\n"
        );
    }
}
