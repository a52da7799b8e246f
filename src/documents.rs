//! The text of documents attached to a mail, so that a complaint sent as a letter in a PDF
//! or a Word file ("Bijgaand treft u mijn brief aan.") is judged as one written in the mail.
//!
//! Text is taken out of a PDF by `pdftotext` (Debian's poppler-utils), run as a process of
//! its own with a time limit: all PDFs of one mail together cost at most [`TIMEOUT`], so a
//! broken or hostile PDF can neither crash nor stall the daemon (a letter takes some
//! milliseconds). Without `pdftotext` a mail is judged on its own words, as before, and the
//! log says so once. A Word file (`.docx`) is read in this process with `zip` and
//! `quick-xml`, from a bounded amount of unpacked XML ([`docx_text`]).
//!
//! Only letters are kept: at most [`MAX_DOCUMENTS`] documents of a mail are read, each at
//! most [`MAX_PDF_BYTES`] and [`MAX_PAGES`] pages (about as much text for a Word file), and
//! a text is kept when it is laid out as a letter, with a salutation and a closing
//! ([`crate::detect::newtext::is_letter`]). Forms, payslips, statements, contracts and
//! policy conditions are no one's own words, and their wording ("schade", "opzegging",
//! "geen sprake van") would only mislead the detector; a scan has no text to read. Nothing
//! of a document's text is logged.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use wait_timeout::ChildExt;

use crate::parse::{attachment_contents, clean_text, Document, ParsedMail};

/// Most PDFs read of one mail.
pub const MAX_DOCUMENTS: usize = 3;
/// Largest PDF read (decoded bytes).
pub const MAX_PDF_BYTES: usize = 10 * 1024 * 1024;
/// Most pages of a PDF that is read: a longer one is no letter.
pub const MAX_PAGES: usize = 5;
/// Most bytes of text kept of one document.
pub const MAX_TEXT_BYTES: usize = 64 * 1024;
/// Longest `pdftotext` may take for all PDFs of one mail together: the one running when
/// it is up is stopped, and the ones after it are not read.
pub const TIMEOUT: Duration = Duration::from_secs(5);

/// The program that reads a PDF's text.
const PDFTOTEXT: &str = "pdftotext";

/// Why an attached PDF gave no text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unread {
    #[error("larger than {} MB", MAX_PDF_BYTES / (1024 * 1024))]
    TooLarge,
    #[error("more than {MAX_PAGES} pages: no letter")]
    TooLong,
    #[error("no text (a scan?)")]
    NoText,
    #[error("not laid out as a letter (no salutation and closing)")]
    NotALetter,
    #[error("pdftotext was stopped: the {} s for a mail's PDFs were up", TIMEOUT.as_secs())]
    TimedOut,
    #[error("pdftotext is not installed (Debian: poppler-utils)")]
    NoReader,
    #[error("pdftotext failed: {0}")]
    Failed(String),
}

/// Whether `mail` has an attachment that may be a PDF or a Word file: worth loading the
/// raw message for.
pub fn has_document(mail: &ParsedMail) -> bool {
    mail.attachments.iter().any(|a| {
        a.content_type == "application/pdf"
            || a.content_type == DOCX_TYPE
            || a.name.as_deref().is_some_and(|n| {
                let n = n.to_ascii_lowercase();
                n.ends_with(".pdf") || n.ends_with(".docx")
            })
    })
}

/// The media type of a Word (OOXML) document.
const DOCX_TYPE: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// The text of the letters attached as PDFs or Word files (`.docx`) to the raw message
/// `raw`, in the order attached. A PDF without text (a scan) is kept with an empty text, so
/// that the detector can tell directie about a letter it could not read
/// ([`crate::detect::unread`]); documents that could not be read otherwise or are no letter
/// are left out (and logged without their names).
pub fn read(raw: &[u8]) -> Vec<Document> {
    let deadline = std::time::Instant::now() + TIMEOUT;
    let mut documents = Vec::new();
    for (name, bytes, pdf) in attachment_contents(raw)
        .into_iter()
        .filter_map(|(name, bytes)| {
            let pdf = is_pdf(&bytes);
            (pdf || is_docx(name.as_deref(), &bytes)).then_some((name, bytes, pdf))
        })
        .take(MAX_DOCUMENTS)
    {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            tracing::info!("the time for this mail's PDFs is up: the rest are not read");
            break;
        }
        let text = if pdf {
            pdf_text_within(&bytes, left)
        } else {
            docx_text(&bytes)
        };
        match text.and_then(|text| {
            if crate::detect::newtext::is_letter(&text) {
                Ok(text)
            } else {
                Err(Unread::NotALetter)
            }
        }) {
            Ok(text) => documents.push(Document {
                name: name.unwrap_or_else(|| "bijlage".into()),
                text,
            }),
            Err(Unread::NoText) => documents.push(Document {
                name: name.unwrap_or_else(|| "bijlage".into()),
                text: String::new(),
            }),
            Err(Unread::NoReader) => {
                static SAID: AtomicBool = AtomicBool::new(false);
                if !SAID.swap(true, Ordering::Relaxed) {
                    tracing::warn!(
                        "attached PDFs are not read: pdftotext is not installed (Debian: poppler-utils); mails are judged on their own text"
                    );
                }
            }
            Err(why) => tracing::debug!(why = %why, "an attached PDF was not read"),
        }
    }
    documents
}

/// Fills `mail.documents` from its raw message when it has a PDF or Word file attached.
pub fn read_into(mail: &mut ParsedMail, raw: &[u8]) {
    if mail.documents.is_empty() && has_document(mail) {
        mail.documents = read(raw);
    }
}

/// A Word (OOXML) document: a zip archive, named `.docx`.
fn is_docx(name: Option<&str>, bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
        && name.is_some_and(|n| n.to_ascii_lowercase().ends_with(".docx"))
}

/// Most bytes of a Word file's `word/document.xml` that are unpacked: a zip bomb stops
/// here (a letter's is some tens of kilobytes).
const MAX_DOCX_XML_BYTES: u64 = 8 * 1024 * 1024;

/// About five pages of text (bytes): a Word file with more is no letter.
const MAX_DOCX_TEXT: usize = 5 * 3_500;

/// The text of a Word (OOXML) document: its body's paragraphs, one a line, at most
/// [`MAX_TEXT_BYTES`]. Read in this process, from at most 8 MB unpacked;
/// a panic in the readers costs the document, not the daemon.
pub fn docx_text(docx: &[u8]) -> Result<String, Unread> {
    if docx.len() > MAX_PDF_BYTES {
        return Err(Unread::TooLarge);
    }
    std::panic::catch_unwind(|| docx_text_inner(docx))
        .unwrap_or_else(|_| Err(Unread::Failed("the Word reader panicked".into())))
}

fn docx_text_inner(docx: &[u8]) -> Result<String, Unread> {
    use quick_xml::events::Event;
    let failed = |e: &dyn std::fmt::Display| Unread::Failed(format!("no Word document: {e}"));
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(docx)).map_err(|e| failed(&e))?;
    let entry = archive
        .by_name("word/document.xml")
        .map_err(|e| failed(&e))?;
    let mut xml = Vec::new();
    entry
        .take(MAX_DOCX_XML_BYTES + 1)
        .read_to_end(&mut xml)
        .map_err(|e| failed(&e))?;
    if xml.len() as u64 > MAX_DOCX_XML_BYTES {
        return Err(Unread::TooLarge);
    }
    let mut reader = quick_xml::Reader::from_reader(xml.as_slice());
    let (mut out, mut buf, mut in_text) = (String::new(), Vec::new(), false);
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) if e.name().as_ref() == b"w:t" => in_text = true,
            Ok(Event::End(e)) => match e.name().as_ref() {
                b"w:t" => in_text = false,
                b"w:p" => out.push('\n'),
                _ => {}
            },
            Ok(Event::Empty(e)) => match e.name().as_ref() {
                b"w:tab" => out.push('\t'),
                b"w:br" | b"w:cr" => out.push('\n'),
                _ => {}
            },
            Ok(Event::Text(t)) if in_text => {
                out.push_str(&t.unescape().map_err(|e| failed(&e))?);
            }
            Ok(Event::Eof) => break,
            Err(e) => return Err(failed(&e)),
            _ => {}
        }
        buf.clear();
        if out.len() > MAX_DOCX_TEXT {
            return Err(Unread::TooLong);
        }
    }
    let text = tidy(&out);
    if text.split_whitespace().next().is_none() {
        return Err(Unread::NoText);
    }
    Ok(text)
}

/// A PDF opens with `%PDF-` (within its first kilobyte, as readers allow).
fn is_pdf(bytes: &[u8]) -> bool {
    memchr::memmem::find(&bytes[..bytes.len().min(1024)], b"%PDF-").is_some()
}

/// The text of one PDF, pages separated by a blank line, at most [`MAX_TEXT_BYTES`].
pub fn pdf_text(pdf: &[u8]) -> Result<String, Unread> {
    pdf_text_within(pdf, TIMEOUT)
}

fn pdf_text_within(pdf: &[u8], timeout: Duration) -> Result<String, Unread> {
    if pdf.len() > MAX_PDF_BYTES {
        return Err(Unread::TooLarge);
    }
    // One page more than a letter may have: if it comes, the document is too long.
    let last_page = (MAX_PAGES + 1).to_string();
    let mut child = Command::new(PDFTOTEXT)
        .args(["-q", "-enc", "UTF-8", "-l", &last_page, "fd://0", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Unread::NoReader,
            _ => Unread::Failed(e.to_string()),
        })?;
    // Written and read on threads of their own, so that neither pipe can fill up and
    // block the other side; the wait below bounds them both.
    let (Some(mut stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(Unread::Failed("no pipes to pdftotext".into()));
    };
    let input = pdf.to_vec();
    let writer = std::thread::spawn(move || {
        // A PDF pdftotext stops reading early ends in a broken pipe: not an error here.
        let _ = stdin.write_all(&input);
    });
    // Layout adds spaces: room for twice the text kept, then the pipe is closed.
    let limit = (2 * MAX_TEXT_BYTES) as u64;
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = stdout.take(limit).read_to_end(&mut out);
        out
    });
    let status = match child.wait_timeout(timeout) {
        Ok(Some(status)) => status,
        Ok(None) => {
            let _ = child.kill();
            let _ = child.wait();
            let _ = reader.join();
            let _ = writer.join();
            return Err(Unread::TimedOut);
        }
        Err(e) => {
            let _ = child.kill();
            let _ = child.wait();
            return Err(Unread::Failed(e.to_string()));
        }
    };
    let out = reader.join().unwrap_or_default();
    let _ = writer.join();
    let full = out.len() as u64 >= limit;
    if !status.success() && !full {
        return Err(Unread::Failed(match status.code() {
            Some(code) => format!("exit code {code} (damaged or encrypted?)"),
            None => "stopped by a signal".into(),
        }));
    }
    let text = String::from_utf8_lossy(&out);
    // pdftotext ends every page with a form feed.
    if text.matches('\u{c}').count() > MAX_PAGES {
        return Err(Unread::TooLong);
    }
    let text = tidy(&text);
    if text.split_whitespace().next().is_none() {
        return Err(Unread::NoText);
    }
    Ok(text)
}

/// Pages as paragraphs, no control characters, trailing spaces gone, at most two line
/// breaks in a row, cut at a character to [`MAX_TEXT_BYTES`].
fn tidy(text: &str) -> String {
    let text = clean_text(&text.replace('\u{c}', "\n\n"), usize::MAX);
    let mut out = String::with_capacity(text.len().min(MAX_TEXT_BYTES));
    let mut blank = 0;
    for line in text.lines().map(str::trim_end) {
        if line.is_empty() {
            blank += 1;
            if blank > 1 || out.is_empty() {
                continue;
            }
        } else {
            blank = 0;
        }
        if out.len() + line.len() + 1 > MAX_TEXT_BYTES {
            let room = MAX_TEXT_BYTES.saturating_sub(out.len());
            let mut cut = room.min(line.len());
            while !line.is_char_boundary(cut) {
                cut -= 1;
            }
            out.push_str(&line[..cut]);
            break;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.truncate(out.trim_end().len());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real PDF with `body` as its text, laid out as the firm's paper letters are.
    pub(crate) fn letter_pdf(body: &str) -> Vec<u8> {
        crate::pdf::render(&crate::pdf::PaperLetter {
            letterhead: vec!["J. Jansen".into(), "Lindelaan 4".into(), "Apeldoorn".into()],
            address: vec!["Van Dijk Advies".into(), "Postbus 12".into()],
            heading: vec![("Betreft".into(), "Mijn hypotheek".into())],
            body: body.into(),
            page_label: |n, total| format!("pagina {n} van {total}"),
            logo: None,
        })
        .unwrap()
    }

    /// A customer's mail with a short note and `bytes` attached as `name`.
    fn mail_with(name: &str, content_type: &str, bytes: &[u8]) -> Vec<u8> {
        use lettre::message::{header::ContentType, Attachment, MultiPart, SinglePart};
        lettre::Message::builder()
            .from("Jan <jan@klant.example>".parse().unwrap())
            .to("info@kantoor.example".parse().unwrap())
            .subject("Brief")
            .multipart(
                MultiPart::mixed()
                    .singlepart(SinglePart::plain("Bijgaand mijn brief.".to_string()))
                    .singlepart(
                        Attachment::new(name.into())
                            .body(bytes.to_vec(), ContentType::parse(content_type).unwrap()),
                    ),
            )
            .unwrap()
            .formatted()
    }

    fn mail_with_pdf(name: &str, pdf: &[u8]) -> Vec<u8> {
        mail_with(name, "application/pdf", pdf)
    }

    #[test]
    fn a_letter_in_a_pdf_is_read() {
        let raw = mail_with_pdf(
            "brief.pdf",
            &letter_pdf(
                "Geachte heer Van Dijk,\n\nIk ben het niet eens met de afsluitprovisie van 2.450 euro.\n\n\
                 Met vriendelijke groet,\n\nJ. Jansen",
            ),
        );
        let mut mail = crate::parse::parse(&raw);
        assert!(has_document(&mail));
        read_into(&mut mail, &raw);
        assert_eq!(mail.documents.len(), 1, "{:?}", mail.documents);
        assert_eq!(mail.documents[0].name, "brief.pdf");
        let text = &mail.documents[0].text;
        assert!(
            text.contains("Ik ben het niet eens met de afsluitprovisie van 2.450 euro."),
            "{text}"
        );
        assert!(text.contains("Mijn hypotheek"), "{text}");
        assert!(
            !text.contains('\u{c}') && !text.contains("\n\n\n"),
            "{text:?}"
        );
    }

    #[test]
    fn what_is_no_readable_letter_gives_no_text() {
        // Not a PDF at all, though named one: not read.
        let raw = mail_with_pdf("brief.pdf", b"just some bytes");
        assert!(read(&raw).is_empty());
        // A damaged PDF: pdftotext fails, nothing is read, nothing panics.
        let mut broken = letter_pdf("Tekst.");
        broken.truncate(broken.len() / 3);
        assert!(matches!(
            pdf_text(&broken),
            Err(Unread::Failed(_)) | Err(Unread::NoText)
        ));
        // A document longer than a letter.
        let long = (0..400)
            .map(|i| format!("Artikel {i}. De verzekerde is verplicht schade te melden."))
            .collect::<Vec<_>>()
            .join("\n\n");
        assert_eq!(pdf_text(&letter_pdf(&long)), Err(Unread::TooLong));
        // Too large to be read at all.
        let mut huge = letter_pdf("Tekst.");
        huge.resize(MAX_PDF_BYTES + 1, b' ');
        assert_eq!(pdf_text(&huge), Err(Unread::TooLarge));
        // A form is read, but no letter: not kept.
        let form = letter_pdf(
            "Werkgeversverklaring\n\nNaam werkgever: Bouwbedrijf Hendriks B.V.\n\
             Bruto jaarsalaris: 52.400 euro\nEr is geen sprake van een ontslagprocedure.",
        );
        assert!(pdf_text(&form).is_ok());
        assert!(read(&mail_with_pdf("verklaring.pdf", &form)).is_empty());
        // A mail with no PDF does not even load its attachments.
        let plain = crate::parse::parse(b"From: a@b.example\r\nSubject: x\r\n\r\nTekst\r\n");
        assert!(!has_document(&plain));
    }

    /// A Word file whose body is `paragraphs` (as Word writes them: runs of text in
    /// `w:t`), compressed or not.
    fn docx(paragraphs: &[&str], method: zip::CompressionMethod) -> Vec<u8> {
        use std::io::Write as _;
        let body: String = paragraphs
            .iter()
            .map(|p| format!("<w:p><w:r><w:t xml:space=\"preserve\">{p}</w:t></w:r></w:p>"))
            .collect();
        let xml = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
             <w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
             <w:body>{body}</w:body></w:document>"
        );
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default().compression_method(method);
        zip.start_file("[Content_Types].xml", options).unwrap();
        zip.write_all(b"<Types/>").unwrap();
        zip.start_file("word/document.xml", options).unwrap();
        zip.write_all(xml.as_bytes()).unwrap();
        zip.finish().unwrap().into_inner()
    }

    fn mail_with_docx(name: &str, docx: &[u8]) -> Vec<u8> {
        mail_with(name, DOCX_TYPE, docx)
    }

    #[test]
    fn a_letter_in_a_word_file_is_read() {
        let letter = docx(
            &[
                "Geachte heer Van Dijk,",
                "De offerte van Bakker &amp; Zn noemde 29 euro per maand; de polis zegt 38 euro.",
                "Met vriendelijke groet,",
                "J. Jansen",
            ],
            zip::CompressionMethod::Deflated,
        );
        let raw = mail_with_docx("brief.docx", &letter);
        let mut mail = crate::parse::parse(&raw);
        assert!(has_document(&mail));
        read_into(&mut mail, &raw);
        assert_eq!(mail.documents.len(), 1, "{:?}", mail.documents);
        assert_eq!(mail.documents[0].name, "brief.docx");
        assert_eq!(
            mail.documents[0].text,
            "Geachte heer Van Dijk,\nDe offerte van Bakker & Zn noemde 29 euro per maand; \
             de polis zegt 38 euro.\nMet vriendelijke groet,\nJ. Jansen"
        );
        // A form in Word is no letter; the same bytes under another name are not opened.
        let form = docx(
            &["Wijzigingsformulier", "Naam: J. Jansen"],
            zip::CompressionMethod::Stored,
        );
        assert!(read(&mail_with_docx("wijziging.docx", &form)).is_empty());
        assert!(read(&mail_with_docx("brief.zip", &letter)).is_empty());
    }

    #[test]
    fn a_word_file_that_unpacks_without_end_is_not_read() {
        // Nine megabytes of spaces pack into a few kilobytes: unpacking stops at the bound.
        let padding = " ".repeat(9 * 1024 * 1024);
        let bomb = docx(&[&padding], zip::CompressionMethod::Deflated);
        assert!(bomb.len() < 100 * 1024, "{}", bomb.len());
        assert_eq!(docx_text(&bomb), Err(Unread::TooLarge));
        // Longer than a letter, and not a Word file at all.
        let long: Vec<String> = (0..400)
            .map(|i| format!("Artikel {i}. De verzekerde meldt schade binnen drie dagen."))
            .collect();
        let long: Vec<&str> = long.iter().map(String::as_str).collect();
        assert_eq!(
            docx_text(&docx(&long, zip::CompressionMethod::Stored)),
            Err(Unread::TooLong)
        );
        assert!(matches!(
            docx_text(b"PK\x03\x04 broken"),
            Err(Unread::Failed(_))
        ));
    }

    #[test]
    fn a_scan_is_kept_without_text() {
        // A page with no text on it, as a scanner's PDF of a photographed page has.
        let blank = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n\
            2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n\
            3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n\
            trailer<</Root 1 0 R>>\n%%EOF\n";
        assert_eq!(pdf_text(blank), Err(Unread::NoText));
        let documents = read(&mail_with_pdf("Scan_0412.pdf", blank));
        assert_eq!(
            documents,
            [Document {
                name: "Scan_0412.pdf".into(),
                text: String::new()
            }]
        );
    }

    #[test]
    fn a_reader_that_takes_too_long_is_stopped() {
        let pdf = letter_pdf("Ik ben het niet eens met de provisie.");
        assert_eq!(
            pdf_text_within(&pdf, Duration::from_millis(0)),
            Err(Unread::TimedOut)
        );
        assert!(pdf_text_within(&pdf, TIMEOUT).is_ok());
    }

    #[test]
    fn tidy_keeps_paragraphs_and_bounds_the_text() {
        assert_eq!(
            tidy("\n\nEen  \n\n\n\ntwee\u{c}drie\u{7}\n\u{c}"),
            "Een\n\ntwee\n\ndrie"
        );
        let long = "woord ".repeat(MAX_TEXT_BYTES);
        let t = tidy(&long);
        assert!(t.len() <= MAX_TEXT_BYTES && t.starts_with("woord woord"));
        let multi = "é".repeat(MAX_TEXT_BYTES);
        assert!(tidy(&multi).len() <= MAX_TEXT_BYTES);
    }
}
