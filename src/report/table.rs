//! The figures of a report as rows and columns, and their text layout.

use super::*;

/// One figure: as people read it (Dutch decimal comma) and as machines do (CSV).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Cell {
    pub text: String,
    pub raw: String,
}

impl Cell {
    pub(super) fn count(n: usize) -> Cell {
        Cell {
            text: n.to_string(),
            raw: n.to_string(),
        }
    }

    pub(super) fn text(s: impl Into<String>) -> Cell {
        let s = s.into();
        Cell {
            text: s.clone(),
            raw: s,
        }
    }

    pub(super) fn decimal(x: Option<f64>) -> Cell {
        match x {
            Some(x) => {
                let raw = format!("{x:.1}");
                Cell {
                    text: raw.replace('.', ","),
                    raw,
                }
            }
            None => Cell {
                text: "–".into(),
                raw: String::new(),
            },
        }
    }

    pub(super) fn percent(part: usize, whole: usize) -> Cell {
        if whole == 0 {
            return Cell::decimal(None);
        }
        let raw = format!("{:.1}", 100.0 * part as f64 / whole as f64);
        Cell {
            text: format!("{}%", raw.replace('.', ",")),
            raw,
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Row {
    pub key: String,
    pub label: String,
    pub cells: Vec<Cell>,
    /// The row as one aligned line of the text format.
    pub line: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Column {
    pub key: String,
    pub label: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Section {
    pub key: String,
    pub title: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    /// A sentence under the table (e.g. "geen").
    pub note: Option<String>,
    /// The header line of the text format.
    pub header: String,
}

/// The widest a column other than the last may be in the text format; longer text is cut
/// with "…" there (Markdown, HTML and CSV keep it whole).
pub(super) const MAX_COLUMN: usize = 60;

/// Whether a cell reads as a figure (right-aligned): digits, decimal comma or point,
/// percent sign, or the dash of "no figure".
pub(super) fn numeric(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ',' | '.' | '%' | '–' | '-'))
}

pub(super) fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// Lays out a table for a fixed-width screen: every column as wide as its widest cell
/// (counted in characters), two spaces between columns, columns marked in `right`
/// right-aligned. A left-aligned last column is not padded, and no line ends in spaces.
/// Rows shorter than the widest are read as ending in empty cells.
pub fn columns(rows: &[Vec<String>], right: &[bool]) -> Vec<String> {
    let n = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0usize; n];
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    rows.iter()
        .map(|row| {
            let mut line = String::new();
            for (i, width) in widths.iter().enumerate() {
                let cell = row.get(i).map(String::as_str).unwrap_or("");
                let gap = (*width).saturating_sub(cell.chars().count());
                if i > 0 {
                    line.push_str("  ");
                }
                if right.get(i).copied().unwrap_or(false) {
                    line.extend(std::iter::repeat_n(' ', gap));
                    line.push_str(cell);
                } else {
                    line.push_str(cell);
                    if i + 1 < n {
                        line.extend(std::iter::repeat_n(' ', gap));
                    }
                }
            }
            line.trim_end().to_string()
        })
        .collect()
}

/// The text-format lines of a section: its header line and one line per row, indented by
/// two spaces. The first column holds the row labels; a column of figures is right-aligned.
pub(super) fn layout(columns_: &[Column], rows: &[(String, Vec<Cell>)]) -> (String, Vec<String>) {
    let last = columns_.len();
    let fit = |i: usize, s: &str| {
        if i < last {
            clip(s, MAX_COLUMN)
        } else {
            s.to_string()
        }
    };
    let mut table: Vec<Vec<String>> = Vec::with_capacity(rows.len() + 1);
    table.push(
        std::iter::once(String::new())
            .chain(
                columns_
                    .iter()
                    .enumerate()
                    .map(|(i, c)| fit(i + 1, &c.label)),
            )
            .collect(),
    );
    for (label, cells) in rows {
        table.push(
            std::iter::once(fit(0, label))
                .chain(cells.iter().enumerate().map(|(i, c)| fit(i + 1, &c.text)))
                .collect(),
        );
    }
    let right: Vec<bool> = (0..=last)
        .map(|i| {
            i > 0 && {
                let mut cells = rows
                    .iter()
                    .filter_map(|(_, cells)| cells.get(i - 1))
                    .map(|c| c.text.as_str())
                    .filter(|t| !t.is_empty())
                    .peekable();
                cells.peek().is_some() && cells.all(numeric)
            }
        })
        .collect();
    let mut lines =
        columns(&table, &right)
            .into_iter()
            .map(|l| if l.is_empty() { l } else { format!("  {l}") });
    let header = lines.next().unwrap_or_default();
    (header, lines.collect())
}

pub(super) fn section(
    key: &str,
    title: &str,
    columns_: &[(&str, &str)],
    rows: Vec<(String, String, Vec<Cell>)>,
) -> Section {
    let columns_: Vec<Column> = columns_
        .iter()
        .map(|(k, l)| Column {
            key: k.to_string(),
            label: l.to_string(),
        })
        .collect();
    let labelled: Vec<(String, Vec<Cell>)> = rows
        .iter()
        .map(|(_, label, cells)| (label.clone(), cells.clone()))
        .collect();
    let (header, lines) = layout(&columns_, &labelled);
    let rows = rows
        .into_iter()
        .zip(lines)
        .map(|((key, label, cells), line)| Row {
            line,
            key,
            label,
            cells,
        })
        .collect();
    Section {
        key: key.into(),
        title: title.into(),
        columns: columns_,
        rows,
        note: None,
        header,
    }
}
