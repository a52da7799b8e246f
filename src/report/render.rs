//! A report rendered in each format: text, Markdown, HTML (with its chart) and CSV.

use super::*;

/// Complaints per month, stacked by category, as inline SVG.
pub(super) fn chart(
    period: &Period,
    complaints: &[&Fact],
    categories: &[String],
    category_of: &dyn Fn(&Fact) -> String,
) -> String {
    let mut months: Vec<(i32, u32)> = Vec::new();
    let mut d = period.from.with_day(1).expect("day 1");
    while d <= period.to && months.len() < 120 {
        months.push((d.year(), d.month()));
        d = if d.month() == 12 {
            NaiveDate::from_ymd_opt(d.year() + 1, 1, 1).expect("valid")
        } else {
            NaiveDate::from_ymd_opt(d.year(), d.month() + 1, 1).expect("valid")
        };
    }
    let mut counts = vec![vec![0usize; categories.len()]; months.len()];
    for f in complaints {
        let m = months
            .iter()
            .position(|&(y, mo)| y == f.received.year() && mo == f.received.month());
        let c = categories.iter().position(|c| *c == category_of(f));
        if let (Some(m), Some(c)) = (m, c) {
            counts[m][c] += 1;
        }
    }
    let top = counts
        .iter()
        .map(|m| m.iter().sum::<usize>())
        .max()
        .unwrap_or(0)
        .max(1);
    let (w, h, left, bottom, top_pad) = (640.0, 260.0, 40.0, 40.0, 20.0);
    let plot_h = h - bottom - top_pad;
    let slot = (w - left - 130.0) / months.len().max(1) as f64;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"Klachten per maand per categorie\" font-family=\"sans-serif\" font-size=\"11\">"
    );
    svg.push_str(&format!(
        "<line x1=\"{left}\" y1=\"{y}\" x2=\"{x2}\" y2=\"{y}\" stroke=\"#333\"/>",
        y = h - bottom,
        x2 = w - 130.0
    ));
    svg.push_str(&format!(
        "<text x=\"{x}\" y=\"{y}\" text-anchor=\"end\">{top}</text><text x=\"{x}\" y=\"{y0}\" text-anchor=\"end\">0</text>",
        x = left - 6.0,
        y = top_pad + 4.0,
        y0 = h - bottom
    ));
    for (i, (month, per_cat)) in months.iter().zip(&counts).enumerate() {
        let x = left + i as f64 * slot + slot * 0.15;
        let bar_w = slot * 0.7;
        let mut y = h - bottom;
        for (c, &n) in per_cat.iter().enumerate() {
            if n == 0 {
                continue;
            }
            let bh = plot_h * n as f64 / top as f64;
            y -= bh;
            svg.push_str(&format!(
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bar_w:.1}\" height=\"{bh:.1}\" fill=\"{}\"><title>{} {}-{:02}: {n}</title></rect>",
                CATEGORY_COLOURS[c % CATEGORY_COLOURS.len()],
                categories[c],
                month.0,
                month.1
            ));
        }
        svg.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}-{:02}</text>",
            x + bar_w / 2.0,
            h - bottom + 16.0,
            month.0 % 100,
            month.1
        ));
    }
    for (c, name) in categories.iter().enumerate() {
        let y = top_pad + c as f64 * 18.0;
        svg.push_str(&format!(
            "<rect x=\"{x}\" y=\"{y}\" width=\"12\" height=\"12\" fill=\"{}\"/><text x=\"{tx}\" y=\"{ty}\">{name}</text>",
            CATEGORY_COLOURS[c % CATEGORY_COLOURS.len()],
            x = w - 120.0,
            tx = w - 102.0,
            ty = y + 10.0
        ));
    }
    svg.push_str("</svg>");
    svg
}

macro_rules! embedded {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../templates/nl/", $name)))),*]
    };
}

const TEMPLATES: &[(&str, &str)] = embedded![
    "inventarisatie.txt.tera",
    "inventarisatie.md.tera",
    "inventarisatie.html.tera",
];

/// The text format in English (`report --lang en`); the Dutch one, which the mailed
/// report uses too, is `templates/nl/inventarisatie.txt.tera`. Markdown and HTML are
/// Dutch documents only.
const ENGLISH_TEXT: &str = r#"Complaints inventory {{ organisation }}
Period {{ period }}: {{ from_text }} to {{ to_text }} (drawn up {{ generated }})

Notable:
{% for h in highlights %}  - {{ h }}
{% else %}  - nothing in particular
{% endfor %}{% for s in sections %}
{{ s.title }}
{{ s.header }}
{% for r in s.rows %}{{ r.line }}
{% endfor %}{% if s.note %}  {{ s.note }}
{% endif %}{% endfor %}
Times in calendar days from receipt to the acknowledgement and to the position; median and
90th percentile (nearest rank). "On time" is on or before the case's deadline.
"#;

/// Renders reports in every format.
pub struct Renderer {
    tera: Tera,
}

impl Renderer {
    pub fn new() -> Result<Renderer, tera::Error> {
        let mut tera = Tera::default();
        tera.add_raw_templates(
            TEMPLATES
                .iter()
                .copied()
                .chain([("inventarisatie.en.txt.tera", ENGLISH_TEXT)]),
        )?;
        tera.autoescape_on(vec![".html.tera"]);
        Ok(Renderer { tera })
    }

    pub fn render(&self, report: &Report, format: Format) -> Result<String, tera::Error> {
        let name = match format {
            Format::Csv => return Ok(csv(report)),
            Format::Text if report.language == "en" => "inventarisatie.en.txt.tera",
            Format::Text => "inventarisatie.txt.tera",
            Format::Markdown => "inventarisatie.md.tera",
            Format::Html => "inventarisatie.html.tera",
        };
        let ctx = Context::from_serialize(report)?;
        self.tera.render(name, &ctx)
    }
}

/// `sectie,rij,kolom,waarde`: one figure per line, machine-readable values.
pub(super) fn csv(report: &Report) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(["periode", "sectie", "rij", "kolom", "waarde"]);
    for s in &report.sections {
        for r in &s.rows {
            for (c, cell) in s.columns.iter().zip(&r.cells) {
                let _ = w.write_record([
                    report.period.as_str(),
                    s.key.as_str(),
                    r.key.as_str(),
                    c.key.as_str(),
                    cell.raw.as_str(),
                ]);
            }
        }
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}
