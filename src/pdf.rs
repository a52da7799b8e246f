//! Letters on paper, for complainants without an e-mail address: the same text as the
//! e-mailed letter, laid out on A4 with the firm's letterhead, the address block where the
//! window of a standard (left-window) envelope shows it, the date, the reference and
//! "Betreft". Fonts: Liberation Sans, embedded (`fonts/`, SIL OFL), subset into the PDF.

use std::sync::LazyLock;

use krilla::geom::{Point, Size, Transform};
use krilla::image::Image;
use krilla::page::PageSettings;
use krilla::text::{Font, TextDirection};
use krilla::Document;

static REGULAR: &[u8] = include_bytes!("../fonts/LiberationSans-Regular.ttf");
static BOLD: &[u8] = include_bytes!("../fonts/LiberationSans-Bold.ttf");

/// Advance widths for line breaking, from the same font file as the one drawn.
static METRICS: LazyLock<Metrics> = LazyLock::new(|| Metrics::new(REGULAR));
static BOLD_METRICS: LazyLock<Metrics> = LazyLock::new(|| Metrics::new(BOLD));

/// A4 in points.
const WIDTH: f32 = 595.28;
const HEIGHT: f32 = 841.89;
/// 2.5 cm left, 2 cm right, 2 cm top and bottom.
const LEFT: f32 = 70.87;
const RIGHT: f32 = 56.69;
const TOP: f32 = 56.69;
const BOTTOM: f32 = 70.87;
/// The address block: 5 cm from the top, where a left-window envelope shows it.
const ADDRESS_TOP: f32 = 141.73;
const SIZE: f32 = 10.5;
const LEADING: f32 = 14.5;

/// One letter as it is printed.
#[derive(Debug, Clone)]
pub struct PaperLetter {
    /// The firm: its name first (printed bold), then address, phone, website.
    pub letterhead: Vec<String>,
    /// The complainant: name line, then the postal address lines.
    pub address: Vec<String>,
    /// Labels and values under the address: ("Datum", "1 december 2026"),
    /// ("Ons kenmerk", "KL-2026-0007"), ("Betreft", "…") — the last is printed bold.
    pub heading: Vec<(String, String)>,
    /// The letter's text, paragraphs separated by blank lines.
    pub body: String,
    /// "pagina {n} van {total}" or "page {n} of {total}".
    pub page_label: fn(usize, usize) -> String,
    /// The firm's logo (PNG or JPEG), top left on the first page.
    pub logo: Option<crate::config::Logo>,
}

#[derive(Debug, thiserror::Error)]
#[error("the printable letter could not be made: {0}")]
pub struct PdfError(String);

struct Metrics {
    face: ttf_parser::Face<'static>,
}

impl Metrics {
    fn new(data: &'static [u8]) -> Metrics {
        Metrics {
            face: ttf_parser::Face::parse(data, 0).expect("the embedded font parses"),
        }
    }

    /// The width of `text` at `size` points.
    fn width(&self, text: &str, size: f32) -> f32 {
        let units: u32 = text
            .chars()
            .map(|c| {
                self.face
                    .glyph_index(c)
                    .and_then(|g| self.face.glyph_hor_advance(g))
                    .unwrap_or(self.face.units_per_em() / 2) as u32
            })
            .sum();
        units as f32 * size / f32::from(self.face.units_per_em())
    }
}

/// Breaks one paragraph into lines of at most `max` points; a word longer than a line is
/// cut.
fn wrap(paragraph: &str, max: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in paragraph.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if METRICS.width(&candidate, SIZE) <= max {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        let mut rest = word.to_string();
        while METRICS.width(&rest, SIZE) > max {
            let mut cut = rest.len();
            while cut > 1 && METRICS.width(&rest[..cut], SIZE) > max {
                cut = rest[..cut]
                    .char_indices()
                    .next_back()
                    .map(|(i, _)| i)
                    .unwrap_or(1);
            }
            lines.push(rest[..cut].to_string());
            rest = rest[cut..].to_string();
        }
        line = rest;
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// The body as printed lines: each line of the text is wrapped on its own (the letter's
/// line breaks are kept, as in the e-mail); empty lines stay.
fn body_lines(body: &str, max: f32) -> Vec<String> {
    let mut out = Vec::new();
    for line in reflow(body) {
        if line.trim().is_empty() {
            out.push(String::new());
        } else {
            out.extend(wrap(&printable(line.trim_end()), max));
        }
    }
    while out.last().is_some_and(String::is_empty) {
        out.pop();
    }
    out
}

/// The text templates break long sentences at about 90 columns for e-mail; on paper a
/// line that long continues on the next one (a paragraph is reflowed), while short lines —
/// a salutation, an address, a signature — keep their breaks.
fn reflow(body: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut joinable = false;
    for line in body.lines() {
        let t = line.trim_end();
        if t.trim().is_empty() {
            out.push(String::new());
            joinable = false;
            continue;
        }
        match out.last_mut() {
            Some(prev) if joinable => {
                prev.push(' ');
                prev.push_str(t.trim_start());
            }
            _ => out.push(t.to_string()),
        }
        joinable = t.chars().count() >= 60 && !t.ends_with(':');
    }
    out
}

/// Only characters the font can draw, without control characters (customer text).
fn printable(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control())
        .map(|c| {
            if METRICS.face.glyph_index(c).is_some() {
                c
            } else {
                '?'
            }
        })
        .collect()
}

/// Renders the letter to PDF bytes.
pub fn render(letter: &PaperLetter) -> Result<Vec<u8>, PdfError> {
    let regular = Font::new(REGULAR.into(), 0).ok_or_else(|| PdfError("font".into()))?;
    let bold = Font::new(BOLD.into(), 0).ok_or_else(|| PdfError("bold font".into()))?;
    let text_width = WIDTH - LEFT - RIGHT;
    let lines = body_lines(&letter.body, text_width);
    // The first page has the letterhead, address and heading above the text.
    let first_start = ADDRESS_TOP
        + LEADING * (letter.address.len() as f32 + 3.0)
        + LEADING * (letter.heading.len() as f32 + 1.5);
    let per_page = |start: f32| (((HEIGHT - BOTTOM) - start) / LEADING).floor().max(1.0) as usize;
    let mut pages: Vec<&[String]> = Vec::new();
    let first = per_page(first_start).min(lines.len());
    pages.push(&lines[..first]);
    let mut rest = &lines[first..];
    while !rest.is_empty() {
        let n = per_page(TOP + LEADING * 2.0).min(rest.len());
        pages.push(&rest[..n]);
        rest = &rest[n..];
    }
    let total = pages.len();
    let mut document = Document::new();
    for (index, page_lines) in pages.iter().enumerate() {
        let settings =
            PageSettings::from_wh(WIDTH, HEIGHT).ok_or_else(|| PdfError("page size".into()))?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        if let (0, Some(logo)) = (index, &letter.logo) {
            let data: Vec<u8> = logo.data.as_ref().clone();
            let image = if logo.content_type == "image/png" {
                Image::from_png(data.into(), true)
            } else {
                Image::from_jpeg(data.into(), true)
            }
            .map_err(|e| PdfError(format!("logo: {e}")))?;
            let (w, h) = image.size();
            // At most 48 pt high and 180 pt wide, keeping its proportions.
            let scale = (48.0 / h.max(1) as f32).min(180.0 / w.max(1) as f32);
            let size = Size::from_wh(w as f32 * scale, h as f32 * scale)
                .ok_or_else(|| PdfError("logo size".into()))?;
            surface.push_transform(&Transform::from_translate(LEFT, TOP - 8.0));
            surface.draw_image(image, size);
            surface.pop();
        }
        let mut draw = |x: f32, y: f32, font: &Font, size: f32, text: &str| {
            surface.draw_text(
                Point::from_xy(x, y),
                font.clone(),
                size,
                text,
                false,
                TextDirection::Auto,
            );
        };
        let mut y;
        if index == 0 {
            // Letterhead, right-aligned at the top.
            y = TOP + 10.0;
            for (i, line) in letter.letterhead.iter().enumerate() {
                let line = printable(line);
                let (font, metrics, size) = if i == 0 {
                    (&bold, &*BOLD_METRICS, 14.0)
                } else {
                    (&regular, &*METRICS, 9.0)
                };
                let x = WIDTH - RIGHT - metrics.width(&line, size);
                draw(x.max(LEFT), y, font, size, &line);
                y += if i == 0 { 16.0 } else { 11.5 };
            }
            y = ADDRESS_TOP;
            for line in &letter.address {
                draw(LEFT, y, &regular, SIZE, &printable(line));
                y += LEADING;
            }
            y += LEADING * 3.0;
            let label_width = letter
                .heading
                .iter()
                .map(|(l, _)| METRICS.width(&format!("{l}:"), SIZE))
                .fold(0.0, f32::max)
                + 10.0;
            for (i, (label, value)) in letter.heading.iter().enumerate() {
                let last = i + 1 == letter.heading.len();
                let font = if last { &bold } else { &regular };
                draw(LEFT, y, font, SIZE, &format!("{label}:"));
                draw(LEFT + label_width, y, font, SIZE, &printable(value));
                y += LEADING;
            }
            y += LEADING * 1.5;
        } else {
            y = TOP;
            let head = format!(
                "{} — {}",
                letter
                    .heading
                    .iter()
                    .find(|(l, _)| l.contains("kenmerk") || l.contains("reference"))
                    .map(|(_, v)| v.as_str())
                    .unwrap_or(""),
                (letter.page_label)(index + 1, total)
            );
            draw(LEFT, y, &regular, 8.5, &printable(&head));
            y += LEADING * 2.0;
        }
        for line in page_lines.iter() {
            if !line.is_empty() {
                draw(LEFT, y, &regular, SIZE, line);
            }
            y += LEADING;
        }
        if total > 1 {
            let label = (letter.page_label)(index + 1, total);
            let x = WIDTH - RIGHT - METRICS.width(&label, 8.5);
            draw(x, HEIGHT - BOTTOM / 2.0, &regular, 8.5, &label);
        }
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| PdfError(format!("{e:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn letter(body: &str) -> PaperLetter {
        PaperLetter {
            letterhead: vec![
                "De Vries Advies B.V.".into(),
                "Kerkstraat 1, 1234 AB Utrecht".into(),
                "020 123 45 67".into(),
            ],
            address: vec![
                "Mevrouw A. de Boer".into(),
                "Dorpsstraat 12".into(),
                "1234 AB Ergens".into(),
            ],
            heading: vec![
                ("Datum".into(), "dinsdag 1 december 2026".into()),
                ("Ons kenmerk".into(), "KL-2026-0001".into()),
                (
                    "Betreft".into(),
                    "Ontvangstbevestiging van uw klacht".into(),
                ),
            ],
            body: body.into(),
            page_label: |n, total| format!("pagina {n} van {total}"),
            logo: None,
        }
    }

    /// `KLACHTENBUS_PDF_SAMPLE=/tmp/brief.pdf cargo test --lib pdf` writes the sample, to
    /// look at the layout (`pdftoppm -png`).
    #[test]
    fn a_letter_becomes_a_pdf() {
        let body = "Geachte mevrouw De Boer,\n\nOp vrijdag 20 november 2026 hebben wij uw klacht ontvangen. Wij hebben deze geregistreerd onder kenmerk KL-2026-0001; wilt u dat kenmerk noemen als u ons hierover schrijft of belt?\n\nUw klacht gaat over:\nHet advies over haar pensioen was onvolledig; de kosten zijn niet genoemd.\n\nUiterlijk op vrijdag 4 december 2026 ontvangt u ons gemotiveerde standpunt.\n\nMet vriendelijke groet,\n\nJ. de Vries, directeur\nDe Vries Advies B.V.";
        let pdf = render(&letter(body)).unwrap();
        if let Ok(path) = std::env::var("KLACHTENBUS_PDF_SAMPLE") {
            std::fs::write(path, &pdf).unwrap();
        }
        assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
        assert!(pdf.len() > 1000);
    }

    #[test]
    fn long_template_lines_are_reflowed_and_short_ones_kept() {
        let text = "Op vrijdag 20 november 2026 hebben wij uw klacht ontvangen. Wij hebben deze\nkenmerk KL-2026-0001 gegeven.\n\nMet vriendelijke groet,\n\nJ. de Vries\nDe Vries Advies B.V.";
        assert_eq!(
            reflow(text),
            [
                "Op vrijdag 20 november 2026 hebben wij uw klacht ontvangen. Wij hebben deze kenmerk KL-2026-0001 gegeven.",
                "",
                "Met vriendelijke groet,",
                "",
                "J. de Vries",
                "De Vries Advies B.V.",
            ]
        );
    }

    #[test]
    fn lines_are_wrapped_within_the_text_width_and_words_are_kept() {
        let text = "Wij hebben uw klacht over het advies zorgvuldig onderzocht en geven u gedeeltelijk gelijk. ".repeat(8);
        let lines = body_lines(&text, 300.0);
        assert!(lines.len() > 5);
        for l in &lines {
            assert!(METRICS.width(l, SIZE) <= 300.0, "{l}");
        }
        let joined = lines.join(" ");
        assert_eq!(
            joined.split_whitespace().collect::<Vec<_>>(),
            text.split_whitespace().collect::<Vec<_>>()
        );
        // A word longer than a line is cut, not lost.
        let long = "x".repeat(400);
        let lines = body_lines(&long, 100.0);
        assert_eq!(lines.concat(), long);
    }

    #[test]
    fn a_logo_is_drawn_on_the_first_page() {
        let logo = crate::config::Logo::read(std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/logo.png"
        )))
        .unwrap();
        let plain = render(&letter("Geachte mevrouw De Boer,")).unwrap();
        let with_logo = render(&PaperLetter {
            logo: Some(logo),
            ..letter("Geachte mevrouw De Boer,")
        })
        .unwrap();
        assert!(with_logo.len() > plain.len());
        if let Ok(path) = std::env::var("KLACHTENBUS_PDF_SAMPLE") {
            std::fs::write(path, &with_logo).unwrap();
        }
        let text = String::from_utf8_lossy(&with_logo);
        assert!(
            text.contains("/Subtype/Image") || text.contains("/Subtype /Image"),
            "no image object in the PDF"
        );
    }

    #[test]
    fn a_long_letter_runs_over_pages_and_customer_text_cannot_break_it() {
        let body = (1..=150)
            .map(|i| format!("Regel {i} van een lange brief.\u{0007}\u{202E}"))
            .collect::<Vec<_>>()
            .join("\n");
        let pdf = render(&letter(&body)).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
    }
}
